"""Built-in sources for databases (SQLAlchemy) and Excel workbooks.

SQL runs only as written by the definition's author, with user values bound as parameters:
the source never builds SQL text from values. Table names are quoted by SQLAlchemy. Errors
name the source with its password hidden.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import pandas as pd

from balanced_scorecard._uri import hide_password
from balanced_scorecard.builtins.sql_facts import aggregate_facts_sql
from balanced_scorecard.data.raw_facts import FactResult, aggregate_facts
from balanced_scorecard.exceptions import ObservationError
from balanced_scorecard.model.mappings import FactMapping
from balanced_scorecard.model.scorecard import Scorecard
from balanced_scorecard.plugins.hookspecs import hookimpl
from balanced_scorecard.plugins.registries import RegisterSource

__all__ = ["SQL_SCHEMES", "ExcelSource", "SqlSource"]

#: URI schemes the SQL source answers; a driver may follow a ``+`` (``postgresql+psycopg``).
SQL_SCHEMES = (
    "sqlite",
    "postgresql",
    "postgresql+psycopg",
    "postgresql+psycopg2",
    "mysql",
    "mysql+pymysql",
    "mssql",
    "mssql+pyodbc",
    "oracle",
    "oracle+oracledb",
    "duckdb",
)

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$")
# Ids, periods and units stay text whatever type the database gives them ("001", "2025").
_TEXT_COLUMNS = ("indicator", "org_unit", "period", "unit", "source")


class SqlSource:
    """Reads observations from a database through SQLAlchemy.

    Address it with a SQLAlchemy URL (``sqlite:///data/acme.db``,
    ``postgresql+psycopg://user@host/db``) and give either ``table`` (read whole) or
    ``query`` (SQL text with ``:name`` placeholders) plus ``params`` (the values, bound by
    the driver). ``columns`` renames source columns to the observation columns.

    Examples
    --------
    >>> import sqlite3, tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "obs.db")
    >>> with sqlite3.connect(path) as db:
    ...     _ = db.execute("create table obs (kpi text, unit_code text, month text, v real)")
    ...     _ = db.execute("insert into obs values ('revenue', 'all', '2025-01', 12.5)")
    >>> frame = SqlSource().load(
    ...     f"sqlite:///{path}",
    ...     query="select * from obs where kpi = :kpi",
    ...     params={"kpi": "revenue"},
    ...     columns={"kpi": "indicator", "unit_code": "org_unit", "month": "period", "v": "value"},
    ... )
    >>> frame[["indicator", "period", "value"]].to_dict("records")
    [{'indicator': 'revenue', 'period': '2025-01', 'value': 12.5}]
    """

    #: The engine hands this source the whole URI, scheme included.
    wants_uri = True

    def load(
        self,
        location: Any,
        *,
        query: str | None = None,
        table: str | None = None,
        params: Mapping[str, Any] | None = None,
        columns: Mapping[str, str] | None = None,
        **options: Any,
    ) -> pd.DataFrame:
        """Run the query (or read the table) and return the rows as an observation frame."""
        import sqlalchemy as sa

        url = str(location)
        shown = hide_password(url)
        _check_options(shown, query, table, options)
        if table is not None:
            statement: Any = sa.select(sa.text("*")).select_from(_table(table, shown))
        else:
            statement = sa.text(str(query))
        with _connect(url, shown) as conn:
            result = conn.execute(statement, dict(params or {}))
            # pandas builds a frame from plain tuples about seven times faster than from
            # SQLAlchemy's Row objects.
            rows = [tuple(row) for row in result.fetchall()]
            frame = pd.DataFrame.from_records(rows, columns=list(result.keys()))
        if columns:
            frame = frame.rename(columns=dict(columns))
        for col in _TEXT_COLUMNS:
            if col in frame.columns:
                frame[col] = frame[col].astype("string")
        return frame

    def load_facts(
        self,
        location: Any,
        *,
        mapping: FactMapping,
        scorecard: Scorecard | None = None,
        source: str = "facts",
        query: str | None = None,
        table: str | None = None,
        params: Mapping[str, Any] | None = None,
        push_down: bool = True,
        **options: Any,
    ) -> FactResult:
        """Aggregate raw facts with ``mapping`` inside the database (``push_down``, the
        default) or, with ``push_down=False``, load them and aggregate in memory.

        The facts are the ``table`` or the ``query`` (with bound ``params``); the mapping
        names their columns. Only one row per (indicator, org unit, period) comes back.
        """
        import sqlalchemy as sa

        url = str(location)
        shown = hide_password(url)
        if "columns" in options:
            raise ObservationError(
                f"SQL source {shown}: with a mapping, name the source's own columns in the "
                "mapping instead of renaming them with `columns`"
            )
        if not push_down:
            frame = self.load(location, query=query, table=table, params=params, **options)
            return aggregate_facts(frame, mapping, scorecard=scorecard, source=source)
        _check_options(shown, query, table, options)
        columns: list[Any] = [sa.column(c) for c in mapping.columns]
        if table is not None:
            base = _table(table, shown)
            facts: Any = sa.table(base.name, *columns, schema=base.schema)
        else:
            text = sa.text(str(query)).bindparams(**dict(params or {}))
            facts = text.columns(*columns).subquery("bsc_facts")
        with _connect(url, shown) as conn:
            return aggregate_facts_sql(conn, facts, mapping, scorecard=scorecard, source=source)


def _check_options(
    shown: str, query: str | None, table: str | None, options: Mapping[str, Any]
) -> None:
    """Exactly one of ``query`` and ``table``, and no option the source does not know."""
    if (query is None) == (table is None):
        raise ObservationError(
            f"SQL source {shown}: give exactly one of `query` (SQL with :placeholders) "
            "or `table` in the source's options"
        )
    if options:
        raise ObservationError(
            f"SQL source {shown}: unknown option(s) {sorted(options)}; it takes query, "
            "table, params and columns (and push_down with a fact mapping)"
        )


def _table(name: str, shown: str) -> Any:
    """A quoted table (``schema.table`` allowed); anything else is refused."""
    import sqlalchemy as sa

    if not _IDENTIFIER.match(name):
        raise ObservationError(
            f"SQL source {shown}: {name!r} is not a table name; use letters, digits "
            "and underscores, optionally schema.table"
        )
    schema, _, table = name.rpartition(".")
    return sa.table(table, schema=schema or None)


@contextmanager
def _connect(url: str, shown: str) -> Iterator[Any]:
    """A connection to ``url``; driver and database errors become one clear
    :class:`ObservationError` naming the source with its password hidden."""
    import sqlalchemy as sa
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError

    try:
        engine = sa.create_engine(url)
    except (ArgumentError, NoSuchModuleError, ImportError) as exc:
        raise ObservationError(
            f"SQL source {shown}: cannot use this database URL ({exc}); install its "
            "driver, e.g. `pip install balanced_scorecard[postgresql]`"
        ) from exc
    try:
        with engine.connect() as conn:
            yield conn
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        raise ObservationError(f"SQL source {shown} failed: {reason}") from exc
    finally:
        engine.dispose()


class ExcelSource:
    """Reads a long observation sheet from an ``.xlsx`` workbook (needs openpyxl:
    ``pip install balanced_scorecard[excel]``). Options: ``sheet`` (name or position,
    default the first) and anything :func:`pandas.read_excel` takes."""

    def load(self, location: Any, *, sheet: str | int = 0, **options: Any) -> pd.DataFrame:
        """Read the sheet; ids, periods and units are read as text."""
        try:
            import openpyxl  # noqa: F401  (pandas needs it; a clear message beats its own)
        except ImportError as exc:
            raise ObservationError(
                "reading .xlsx files needs openpyxl: pip install balanced_scorecard[excel]"
            ) from exc
        kwargs: dict[str, Any] = {"dtype": dict.fromkeys(_TEXT_COLUMNS, str)}
        kwargs.update(options)
        frame: pd.DataFrame = pd.read_excel(location, sheet_name=sheet, **kwargs)
        return frame


@hookimpl
def bsc_register_sources(register: RegisterSource) -> None:
    """Register ``sql`` (for every scheme in :data:`SQL_SCHEMES`) and ``excel`` (``.xlsx``)."""
    register("sql", SqlSource(), schemes=SQL_SCHEMES)
    register("excel", ExcelSource(), schemes=("xlsx", "excel"))
