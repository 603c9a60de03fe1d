"""Raw facts to indicator values, on the engine where the facts live.

The work is written once over narwhals (``narwhals.stable.v2``) with a deliberately small
portable subset: row expressions before one ``group_by``, only ``sum``/``min``/``max``/``len``
aggregations, ``unique`` for distinct counts, and time buckets from a joined calendar table
(no reliance on a pandas index or on an engine's own date functions). So a pandas frame, a
Polars frame, a DuckDB relation (Parquet files larger than memory) or a Dask frame on a
cluster all run the same plan, and only the indicator-level result, one row per (indicator,
org unit, period), comes back as a pandas frame.

Steps: (1) the distinct day (or 15-minute slot, when time zones matter) keys of the date
column are collected and turned, in pandas, into a calendar table key → period label for
each frequency the rules need; (2) the facts are joined with it (and with the org-unit code
table); (3) one ``group_by`` per frequency computes every rule's sums and counts at once;
(4) distinct counts take a ``unique`` then a ``group_by``. Facts that cannot be placed (no
date, an unreadable date, a missing or unknown org code) are counted per reason and code in
the quality report, never dropped silently.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import narwhals.stable.v2 as nw
import pandas as pd

from balanced_scorecard._suggest import did_you_mean
from balanced_scorecard.data.fact_calendar import (
    DAY_KEY,
    QUARTER_KEY,
    calendar_table,
    fact_frequencies,
    period_column,
)
from balanced_scorecard.data.fact_results import (
    BADCODE_KEY,
    FACTUNIT_KEY,
    UNIT_KEY,
    FactResult,
    summarise_groups,
)
from balanced_scorecard.exceptions import ObservationError
from balanced_scorecard.model.enums import Frequency
from balanced_scorecard.model.mappings import Condition, FactMapping, FactRule
from balanced_scorecard.model.scorecard import Scorecard

__all__ = ["FactResult", "aggregate_facts"]

_CODE = "_bsc_code"


def aggregate_facts(
    facts: Any,
    mapping: FactMapping,
    *,
    scorecard: Scorecard | None = None,
    frequencies: Mapping[str, Frequency | str] | None = None,
    source: str = "facts",
) -> FactResult:
    """Aggregate raw fact rows to indicator values with ``mapping``, on the facts' own engine.

    Parameters
    ----------
    facts
        A pandas or Polars DataFrame, a Polars LazyFrame, a DuckDB relation, a Dask
        DataFrame, or anything else narwhals accepts.
    mapping
        Columns, code tables, filters and one rule per indicator.
    scorecard
        When given: each indicator's frequency and unit, and the org-unit ids codes must
        resolve to (unknown ones are reported with a suggestion).
    frequencies
        Frequency per indicator id, overriding the scorecard's (default monthly).
    source
        The source's name, used in lineage and in the quality report.

    Returns
    -------
    FactResult

    Examples
    --------
    Deliveries and on-time rate per plant and month from shipment lines (hand-worked: north
    ships three times in January, two of them on time):

    >>> import pandas as pd
    >>> lines = pd.DataFrame({
    ...     "shipped": pd.to_datetime(["2025-01-03", "2025-01-20", "2025-01-31", "2025-02-01"]),
    ...     "plant": ["P1", "P1", "P1", "P2"],
    ...     "late": [False, True, False, False],
    ... })
    >>> mapping = FactMapping(
    ...     date="shipped", org_unit="plant", org_codes={"P1": "north", "P2": "south"},
    ...     rules=[{"indicator": "deliveries", "transform": "count"},
    ...            {"indicator": "on_time", "transform": "ratio", "numerator": {"late": False}}],
    ... )
    >>> result = aggregate_facts(lines, mapping, source="shipments")
    >>> print(result.observations[["indicator", "org_unit", "period", "value", "numerator",
    ...                            "denominator", "facts"]].to_string(index=False))
     indicator org_unit  period  value  numerator  denominator  facts
    deliveries    north 2025-01    3.0        NaN          NaN     3
    deliveries    south 2025-02    1.0        NaN          NaN     1
       on_time    north 2025-01    NaN        2.0          3.0     3
       on_time    south 2025-02    NaN        1.0          1.0     1
    """
    frame = nw.from_native(facts)
    lazy = frame.lazy() if isinstance(frame, nw.DataFrame) else frame
    impl = lazy.implementation
    schema = lazy.collect_schema()
    _check_columns(mapping, list(schema.names()), source)
    freqs = fact_frequencies(mapping, scorecard)
    if frequencies:
        freqs.update({k: Frequency.parse(str(v)) for k, v in frequencies.items()})

    keyed, on, mode = _with_keys(lazy, mapping, schema[mapping.date], source)
    keys = keyed.select(*on).unique().collect(backend="pandas").to_native()
    needed = sorted(set(freqs.values()), key=lambda f: f.value)
    fiscal = scorecard.calendar if scorecard is not None else None
    calendar, unreadable = calendar_table(
        keys, mode, mapping, needed, schema[mapping.date], calendar=fiscal
    )
    cal = _like(calendar, lazy)
    if mode != "text":
        cal = cal.with_columns(nw.col(DAY_KEY).cast(nw.Date))
    if mode == "slot":
        cal = cal.with_columns(nw.col(QUARTER_KEY).cast(nw.Int64))
    joined = keyed.join(cal, on=on, how="left")
    joined = _with_org(joined, mapping, lazy)
    if mapping.unit:
        joined = joined.with_columns(nw.col(mapping.unit).cast(nw.String).alias(FACTUNIT_KEY))

    base = _all(mapping.where)
    groups: list[tuple[Frequency, list[FactRule], pd.DataFrame]] = []
    for freq in needed:
        rules = [r for r in mapping.rules if freqs[r.indicator] == freq]
        period = period_column(freq)
        group = [UNIT_KEY, BADCODE_KEY, period, *([FACTUNIT_KEY] if mapping.unit else [])]
        columns: dict[str, tuple[nw.Expr, str]] = {}
        if base is not None:
            columns["_filtered"] = (_flag(~base), "sum")
        for i, rule in enumerate(rules):
            columns.update(_rule_columns(rule, base, i))
        reduce = {"sum": nw.Expr.sum, "min": nw.Expr.min, "max": nw.Expr.max}
        table = (
            joined.with_columns(**{name: expr for name, (expr, _) in columns.items()})
            .group_by(group, drop_null_keys=False)
            .agg(
                nw.len().alias("_rows"),
                *(reduce[how](nw.col(name)) for name, (_, how) in columns.items()),
            )
        )
        got = table.collect(backend="pandas").to_native()
        for i, rule in enumerate(rules):
            if rule.transform == "distinct":
                got = _distinct(joined, rule, base, group, i, got)
        groups.append((freq, rules, got))
    return summarise_groups(
        groups,
        mapping,
        scorecard=scorecard,
        source=source,
        unreadable=unreadable,
        engine=str(impl.value if hasattr(impl, "value") else impl).lower(),
    )


# -- columns and keys -------------------------------------------------------------------------


def _check_columns(mapping: FactMapping, names: Sequence[str], source: str) -> None:
    missing = [c for c in mapping.columns if c not in names]
    if missing:
        hints = "; ".join(f"{c!r}{did_you_mean(c, names)}" for c in missing)
        raise ObservationError(
            f"source {source!r}: the mapping reads column(s) the facts do not have: {hints}. "
            f"The facts have: {', '.join(map(str, names))}"
        )


def _day_key(
    mapping: FactMapping, dtype: Any, source: str, *, utc: str = "UTC"
) -> tuple[dict[str, nw.Expr], str]:
    """The key columns placing each fact on a day, or on a day and a quarter-hour when time
    zones matter, and which of the two it is."""
    col = nw.col(mapping.date)
    if dtype == nw.Datetime:
        aware = getattr(dtype, "time_zone", None) is not None
        if aware or mapping.timezone is not None:
            # An instant: which local day it is depends on the zone, so key on the UTC (or
            # source wall-clock) quarter-hour and let the calendar table, built in pandas
            # which knows every zone and its daylight-saving rules, decide.
            if aware:
                col = col.dt.convert_time_zone(utc).dt.replace_time_zone(None)
            quarter = col.dt.hour().cast(nw.Int64) * 4 + col.dt.minute().cast(nw.Int64) // 15
            return {DAY_KEY: col.cast(nw.Date), QUARTER_KEY: quarter}, "slot"
        return {DAY_KEY: col.cast(nw.Date)}, "day"
    if dtype == nw.Date:
        return {DAY_KEY: col}, "day"
    if dtype == nw.String:
        if mapping.timezone is not None:
            raise ObservationError(
                f"source {source!r}: column {mapping.date!r} holds text, so its time zone is "
                "unknown; read it as timestamps (for CSV: options `parse_dates: "
                f"[{mapping.date}]`) or drop `timezone:` when the text is a local date"
            )
        # ISO dates and timestamps start with the day; anything else is reported unread.
        return {DAY_KEY: col.str.slice(0, 10)}, "text"
    raise ObservationError(
        f"source {source!r}: column {mapping.date!r} has type {dtype}; the date column must "
        "hold dates, timestamps or ISO text (2025-01-31)"
    )


# DuckDB converts instants only to its connection's zone, and compares the zone's name:
# the default connection zone is spelled one of these two ways.
_UTC_NAMES = ("Etc/UTC", "UTC")


def _with_keys(
    lazy: nw.LazyFrame[Any], mapping: FactMapping, dtype: Any, source: str
) -> tuple[nw.LazyFrame[Any], list[str], str]:
    """The facts with their key columns, the key names and the key mode."""
    problem: NotImplementedError | None = None
    for utc in _UTC_NAMES:
        key, mode = _day_key(mapping, dtype, source, utc=utc)
        try:
            return lazy.with_columns(**key), list(key), mode
        except NotImplementedError as exc:
            problem = exc
    raise ObservationError(
        f"source {source!r}: this engine cannot read the instants in column "
        f"{mapping.date!r} in UTC ({problem}); for DuckDB run `SET TimeZone = 'UTC'` on the "
        "connection"
    ) from problem


def _like(table: pd.DataFrame, lazy: nw.LazyFrame[Any]) -> nw.LazyFrame[Any]:
    """``table`` on the same engine as ``lazy``, so the two can be joined there."""
    impl = lazy.implementation
    eager = nw.from_native(table, eager_only=True)
    if impl.is_pandas_like():
        return eager.lazy()
    if impl.is_pyspark() or impl.is_pyspark_connect() or impl.is_sqlframe():
        session = getattr(lazy.to_native(), "sparkSession", None)
        return eager.lazy(backend=impl, session=session)
    return eager.lazy(backend=impl)


def _with_org(joined: nw.LazyFrame[Any], mapping: FactMapping, like: nw.LazyFrame[Any]) -> Any:
    """Add the org-unit id (null when the code is missing or unknown) and the unknown code."""
    if mapping.org_unit is None:
        return joined.with_columns(
            nw.lit(mapping.default_org_unit, dtype=nw.String).alias(UNIT_KEY),
            nw.lit(None, dtype=nw.String).alias(BADCODE_KEY),
        )
    code = nw.col(mapping.org_unit).cast(nw.String)
    if not mapping.org_codes:
        return joined.with_columns(
            code.alias(UNIT_KEY), nw.lit(None, dtype=nw.String).alias(BADCODE_KEY)
        )
    table = pd.DataFrame(
        {_CODE: [c for c, _ in mapping.org_codes], "_bsc_mapped": [u for _, u in mapping.org_codes]}
    )
    out = joined.with_columns(code.alias(_CODE)).join(_like(table, like), on=_CODE, how="left")
    return out.with_columns(
        nw.col("_bsc_mapped").alias(UNIT_KEY),
        nw.when(nw.col("_bsc_mapped").is_null()).then(nw.col(_CODE)).alias(BADCODE_KEY),
    )


# -- conditions and rules ---------------------------------------------------------------------


def _condition(c: Condition) -> nw.Expr:
    col = nw.col(c.column)
    if c.op == "is_null":
        return col.is_null()
    if c.op == "not_null":
        return ~col.is_null()
    # A missing value meets no comparison, on every engine (as in SQL).
    present = ~col.is_null()
    if c.op in ("in", "not_in"):
        test = col.is_in(list(c.value))
        return present & (test if c.op == "in" else ~test)
    value = nw.lit(c.value)
    compare = {
        "eq": col == value,
        "ne": col != value,
        "lt": col < value,
        "le": col <= value,
        "gt": col > value,
        "ge": col >= value,
    }[c.op]
    return present & compare


def _all(conditions: Sequence[Condition]) -> nw.Expr | None:
    """All conditions together; None when there are none (every fact qualifies)."""
    expr: nw.Expr | None = None
    for c in conditions:
        expr = _condition(c) if expr is None else expr & _condition(c)
    return expr


def _and(*conditions: nw.Expr | None) -> nw.Expr | None:
    given = [c for c in conditions if c is not None]
    if not given:
        return None
    out = given[0]
    for c in given[1:]:
        out = out & c
    return out


def _flag(cond: nw.Expr | None) -> nw.Expr:
    """1 where ``cond`` holds, else 0 (a row column, summed by the group-by)."""
    if cond is None:
        return nw.lit(1, dtype=nw.Int64)
    return nw.when(cond).then(nw.lit(1, dtype=nw.Int64)).otherwise(nw.lit(0, dtype=nw.Int64))


def _pick(cond: nw.Expr | None, value: nw.Expr, other: float | None = 0.0) -> nw.Expr:
    """``value`` where ``cond`` holds and the value is present, else ``other``."""
    has = _and(cond, ~value.is_null())
    assert has is not None
    picked = nw.when(has).then(value.cast(nw.Float64))
    return picked if other is None else picked.otherwise(nw.lit(other, dtype=nw.Float64))


def _rule_columns(rule: FactRule, base: nw.Expr | None, i: int) -> dict[str, tuple[nw.Expr, str]]:
    """Row columns for rule ``i`` and how the group-by reduces each: ``_m`` matching rows,
    ``_a`` the value or numerator, ``_b`` the value count or denominator, ``_x`` matching
    rows without a value. Row maths happens here, before the group-by, so the aggregation
    itself is a plain sum, min or max on every engine."""
    cond = _and(base, _all(rule.where))
    out = {f"_m{i}": (_flag(cond), "sum")}
    v = nw.col(rule.value) if rule.value else None
    if v is not None:
        out[f"_x{i}"] = (_flag(_and(cond, v.is_null())), "sum")
    if rule.transform in ("count", "distinct"):
        return out
    if rule.transform == "ratio":
        num = _and(cond, _all(rule.numerator))
        if v is None:
            out[f"_a{i}"] = (_flag(num), "sum")
            out[f"_b{i}"] = (_flag(cond), "sum")
        else:
            out[f"_a{i}"] = (_pick(num, v), "sum")
            out[f"_b{i}"] = (_pick(cond, v), "sum")
        return out
    assert v is not None  # the model requires a value column for these transforms
    out[f"_b{i}"] = (_flag(_and(cond, ~v.is_null())), "sum")
    if rule.transform in ("sum", "mean"):
        out[f"_a{i}"] = (_pick(cond, v), "sum")
    else:
        out[f"_a{i}"] = (_pick(cond, v, None), rule.transform)
    return out


def _distinct(
    joined: nw.LazyFrame[Any],
    rule: FactRule,
    base: nw.Expr | None,
    group: list[str],
    i: int,
    got: pd.DataFrame,
) -> pd.DataFrame:
    """Add ``_d{i}``, the number of distinct values of a ``distinct`` rule per group: the
    distinct (group, value) pairs first, then their count, both on the facts' engine."""
    assert rule.value is not None
    v = nw.col(rule.value)
    keep = _and(base, _all(rule.where), ~v.is_null())
    assert keep is not None
    distinct = (
        joined.filter(keep)
        .select(*group, rule.value)
        .unique()
        .group_by(group, drop_null_keys=False)
        .agg(nw.len().alias(f"_d{i}"))
        .collect(backend="pandas")
        .to_native()
    )
    out = got.merge(distinct, on=group, how="left")
    out[f"_d{i}"] = out[f"_d{i}"].fillna(0)
    return out
