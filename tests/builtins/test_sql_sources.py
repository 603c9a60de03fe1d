"""Database and Excel sources against real SQLite files, a real PostgreSQL server and real
xlsx files made by the tests."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from balanced_scorecard import (
    DataSource,
    Engine,
    Indicator,
    Objective,
    ObservationError,
    Scorecard,
    Thresholds,
)
from balanced_scorecard.builtins.sql import SqlSource

ROWS = [
    ("revenue", "all", "2025-01", 600.0),
    ("revenue", "all", "2025-02", 700.0),
    ("cost", "all", "2025-01", 90.0),
]
ENGINE = Engine(entry_points=False)


def _scorecard(*sources: DataSource) -> Scorecard:
    return Scorecard(
        id="db",
        objectives=[Objective(id="o", perspective="financial")],
        indicators=[
            Indicator(
                id="revenue",
                objective="o",
                time_aggregation="sum",
                thresholds=Thresholds(target=700, red_flag=500),
            ),
            Indicator(
                id="cost",
                objective="o",
                polarity="lower_better",
                thresholds=Thresholds(target=80, red_flag=100),
            ),
        ],
        sources=sources,
    )


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    path = tmp_path / "erp.db"
    with sqlite3.connect(path) as db:
        db.execute("create table facts (kpi text, unit_code text, month text, amount real)")
        db.executemany("insert into facts values (?, ?, ?, ?)", ROWS)
    return f"sqlite:///{path}"


COLUMNS = {"kpi": "indicator", "unit_code": "org_unit", "month": "period", "amount": "value"}


def test_sqlite_query_with_bound_parameters(sqlite_url: str) -> None:
    frame = SqlSource().load(
        sqlite_url,
        query="select * from facts where kpi = :kpi order by month",
        params={"kpi": "revenue"},
        columns=COLUMNS,
    )
    assert frame["value"].tolist() == [600.0, 700.0]
    assert str(frame["period"].dtype) == "string"


def test_a_hostile_parameter_stays_a_value(sqlite_url: str) -> None:
    frame = SqlSource().load(
        sqlite_url,
        query="select * from facts where kpi = :kpi",
        params={"kpi": "revenue' or '1'='1"},
        columns=COLUMNS,
    )
    assert frame.empty


def test_table_names_are_checked_and_quoted(sqlite_url: str) -> None:
    assert len(SqlSource().load(sqlite_url, table="facts")) == 3
    with pytest.raises(ObservationError, match="is not a table name"):
        SqlSource().load(sqlite_url, table="facts; drop table facts")
    with pytest.raises(ObservationError, match="exactly one of `query`"):
        SqlSource().load(sqlite_url)


def test_definition_source_with_relative_sqlite_path(tmp_path: Path, sqlite_url: str) -> None:
    sc = _scorecard(
        DataSource(
            id="erp",
            uri="sqlite:///erp.db",
            options={"query": "select * from facts", "columns": COLUMNS},
        )
    )
    import attrs

    sc = attrs.evolve(sc, origin=str(tmp_path / "scorecard.yaml"))
    ev = ENGINE.evaluate(sc)
    assert ev.score("revenue") == pytest.approx(2 / 3)  # 700 is the target
    assert ev.period == "2025-02"


def test_a_failing_source_is_reported_and_the_others_still_load(sqlite_url: str) -> None:
    sc = _scorecard(
        DataSource(id="erp", uri=sqlite_url, options={"table": "facts", "columns": COLUMNS}),
        DataSource(
            id="crm",
            uri="postgresql+psycopg://scott:tiger@127.0.0.1:9/nowhere",
            options={"table": "facts"},
        ),
    )
    ev = ENGINE.evaluate(sc)
    failed = ev.quality[ev.quality["rule"] == "source-failed"]
    assert list(failed["source"]) == ["crm"]
    message = failed.iloc[0]["message"]
    assert "SQL source postgresql+psycopg://scott:***@127.0.0.1:9/nowhere failed" in message
    assert "tiger" not in message
    assert ev.score("revenue") == pytest.approx(2 / 3)


def test_every_source_failing_is_an_error() -> None:
    sc = _scorecard(
        DataSource(id="crm", uri="sqlite:////no/such/dir/x.db", options={"table": "facts"})
    )
    with pytest.raises(ObservationError, match="no source could be read: crm: SQL source"):
        ENGINE.evaluate(sc)


def test_indicators_without_data_are_named(sqlite_url: str) -> None:
    frame = SqlSource().load(
        sqlite_url, query="select * from facts where kpi = 'revenue'", columns=COLUMNS
    )
    ev = ENGINE.evaluate(_scorecard(), frame)
    no_data = ev.notes[ev.notes["rule"] == "no-data"]
    assert list(no_data["indicator"]) == ["cost"]


@pytest.fixture
def postgres_url(postgres_server: str) -> Iterator[str]:
    url = postgres_server
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("drop table if exists bsc_facts"))
        conn.execute(
            sa.text("create table bsc_facts (kpi text, unit_code text, month text, amount numeric)")
        )
        conn.execute(
            sa.text("insert into bsc_facts values (:k, :u, :m, :a)"),
            [{"k": k, "u": u, "m": m, "a": a} for k, u, m, a in ROWS],
        )
    yield url
    with engine.begin() as conn:
        conn.execute(sa.text("drop table if exists bsc_facts"))
    engine.dispose()


def test_real_postgresql_source_end_to_end(postgres_url: str) -> None:
    sc = _scorecard(
        DataSource(
            id="warehouse",
            uri=postgres_url,
            options={
                "query": "select kpi, unit_code, month, amount from bsc_facts "
                "where month >= :since",
                "params": {"since": "2025-01"},
                "columns": COLUMNS,
            },
        )
    )
    ev = ENGINE.evaluate(sc)
    # Every row was read; the only finding is the gap the data really has (no cost in
    # February).
    assert ev.quality["rule"].tolist() == ["completeness"]
    assert "'cost'" in ev.quality["message"].iloc[0]
    assert "2025-02" in ev.quality["message"].iloc[0]
    assert ev.score("revenue") == pytest.approx(2 / 3)
    assert ev.to_frame(period="2025-01").set_index("node").loc["cost", "actual"] == 90.0


def test_xlsx_source(tmp_path: Path) -> None:
    path = tmp_path / "actuals.xlsx"
    frame = pd.DataFrame(ROWS, columns=["indicator", "org_unit", "period", "value"])
    frame.to_excel(path, index=False, sheet_name="obs")
    ev = ENGINE.evaluate(_scorecard(), f"xlsx:{path}")
    assert ev.score("revenue") == pytest.approx(2 / 3)
    # A bare .xlsx path picks the Excel source by its suffix.
    assert ENGINE.read(str(path), sheet="obs")["value"].tolist() == [600.0, 700.0, 90.0]
