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

import attrs
import narwhals.stable.v2 as nw
import numpy as np
import pandas as pd

from balanced_scorecard._suggest import did_you_mean
from balanced_scorecard.data.periods import bucket_labels, parse_periods, period_end_dates
from balanced_scorecard.exceptions import ObservationError
from balanced_scorecard.model.enums import Frequency
from balanced_scorecard.model.mappings import Condition, FactMapping, FactRule
from balanced_scorecard.model.periods import FiscalCalendar
from balanced_scorecard.model.scorecard import Scorecard

__all__ = [
    "FACT_QUALITY_COLUMNS",
    "FactResult",
    "aggregate_facts",
    "calendar_table",
    "fact_frequencies",
    "period_column",
    "summarise_groups",
]

#: Columns of :attr:`FactResult.quality`.
FACT_QUALITY_COLUMNS = ("source", "check", "severity", "column", "value", "rows", "message")

# Time zones in use today are offset from UTC by multiples of 15 minutes, so a 15-minute
# slot (a day and its quarter-hour) always falls on one local day.
_DAY = "_bsc_day"
_QUARTER = "_bsc_quarter_hour"
_UNIT = "_bsc_unit"
_BAD = "_bsc_badcode"
_CODE = "_bsc_code"
_FUNIT = "_bsc_factunit"


@attrs.frozen(kw_only=True, eq=False)
class FactResult:
    """Indicator values aggregated from raw facts, and what could not be used.

    Attributes
    ----------
    observations
        A long observation frame (``indicator``, ``org_unit``, ``period``, ``value``,
        ``unit``, ``numerator``, ``denominator``, ``as_of``, ``source``, ``facts``), ready for
        :meth:`~balanced_scorecard.Engine.evaluate`; ``facts`` is the number of facts
        behind each value (those meeting its rule's conditions).
    quality
        One row per problem (columns :data:`FACT_QUALITY_COLUMNS`): facts without a date, with
        an unreadable date, without an org code or with an unknown one (per code, with a
        suggestion), left out by the mapping's filter, and rule values that were missing.
    facts
        Number of fact rows read.
    engine
        The engine that did the work (``pandas``, ``polars``, ``duckdb``, ``dask``...).
    """

    observations: pd.DataFrame
    quality: pd.DataFrame
    facts: int
    engine: str


def fact_frequencies(mapping: FactMapping, scorecard: Scorecard | None) -> dict[str, Frequency]:
    """The frequency each rule's indicator is measured at (monthly when it is unknown)."""
    out: dict[str, Frequency] = {}
    for rule in mapping.rules:
        if scorecard is not None and rule.indicator in _indicator_ids(scorecard):
            out[rule.indicator] = scorecard.indicator(rule.indicator).frequency
        else:
            out[rule.indicator] = Frequency.MONTHLY
    return out


def _indicator_ids(scorecard: Scorecard) -> set[str]:
    return {i.id for i in scorecard.indicators}


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

    key, mode = _day_key(mapping, schema[mapping.date], source)
    keyed = _with_keys(lazy, key, mapping, source)
    on = list(key)
    keys = keyed.select(*on).unique().collect(backend="pandas").to_native()
    needed = sorted(set(freqs.values()), key=lambda f: f.value)
    fiscal = scorecard.calendar if scorecard is not None else None
    calendar, unreadable = calendar_table(
        keys, mode, mapping, needed, schema[mapping.date], calendar=fiscal
    )
    cal = _like(calendar, lazy)
    if mode != "text":
        cal = cal.with_columns(nw.col(_DAY).cast(nw.Date))
    if mode == "slot":
        cal = cal.with_columns(nw.col(_QUARTER).cast(nw.Int64))
    joined = keyed.join(cal, on=on, how="left")
    joined = _with_org(joined, mapping, lazy)
    if mapping.unit:
        joined = joined.with_columns(nw.col(mapping.unit).cast(nw.String).alias(_FUNIT))

    base = _all(mapping.where)
    groups: list[tuple[Frequency, list[FactRule], pd.DataFrame]] = []
    for freq in needed:
        rules = [r for r in mapping.rules if freqs[r.indicator] == freq]
        period = period_column(freq)
        group = [_UNIT, _BAD, period, *([_FUNIT] if mapping.unit else [])]
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


def period_column(freq: Frequency) -> str:
    """Name of the calendar table's period-label column for ``freq``."""
    return f"_bsc_p_{freq.value}"


def summarise_groups(
    groups: Sequence[tuple[Frequency, Sequence[FactRule], pd.DataFrame]],
    mapping: FactMapping,
    *,
    scorecard: Scorecard | None,
    source: str,
    unreadable: Sequence[str] = (),
    engine: str = "pandas",
) -> FactResult:
    """Turn grouped fact tables into observations and a quality report.

    This is the contract a push-down source (the SQL source, or a plugin for another
    engine) fulfils: per frequency, one table with a row per (``_bsc_unit`` org-unit id or
    null, ``_bsc_badcode`` unknown code or null, period label column
    :func:`period_column` or null, optional ``_bsc_factunit``), the number of facts
    ``_rows``, ``_filtered`` when the mapping has a filter, and per rule ``i`` of that
    frequency ``_m{i}`` (facts meeting its conditions), ``_a{i}``/``_b{i}`` (sum or
    numerator / value count or denominator; min or max for those transforms), ``_x{i}``
    (facts without a value) and, for distinct counts, ``_d{i}``.
    """
    quality: list[dict[str, Any]] = []
    parts: list[pd.DataFrame] = []
    n_facts = 0
    for k, (freq, rules, got) in enumerate(groups):
        period = period_column(freq)
        if k == 0:
            # Every frequency sees every fact once: count and report them from the first.
            n_facts = int(got["_rows"].sum())
            quality += _placement_problems(got, mapping, period, unreadable, source)
        placed = got[got[period].notna() & got[_UNIT].notna()]
        for i, rule in enumerate(rules):
            parts.append(_rule_frame(placed, rule, i, period, mapping, freq, scorecard, source))
            quality += _missing_values(placed, rule, i, source)
    observations = (
        pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=list(_OBS_COLUMNS))
    )
    observations = _known_units(observations, scorecard, quality, source)
    observations = observations.sort_values(
        ["indicator", "org_unit", "period"], kind="stable"
    ).reset_index(drop=True)
    return FactResult(
        observations=observations,
        quality=pd.DataFrame(quality, columns=list(FACT_QUALITY_COLUMNS)),
        facts=n_facts,
        engine=engine,
    )


_OBS_COLUMNS = (
    "indicator",
    "org_unit",
    "period",
    "value",
    "unit",
    "numerator",
    "denominator",
    "as_of",
    "source",
    "facts",
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


def _day_key(mapping: FactMapping, dtype: Any, source: str) -> tuple[dict[str, nw.Expr], str]:
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
                col = col.dt.convert_time_zone(_UTC).dt.replace_time_zone(None)
            quarter = col.dt.hour().cast(nw.Int64) * 4 + col.dt.minute().cast(nw.Int64) // 15
            return {_DAY: col.cast(nw.Date), _QUARTER: quarter}, "slot"
        return {_DAY: col.cast(nw.Date)}, "day"
    if dtype == nw.Date:
        return {_DAY: col}, "day"
    if dtype == nw.String:
        if mapping.timezone is not None:
            raise ObservationError(
                f"source {source!r}: column {mapping.date!r} holds text, so its time zone is "
                "unknown; read it as timestamps (for CSV: options `parse_dates: "
                f"[{mapping.date}]`) or drop `timezone:` when the text is a local date"
            )
        # ISO dates and timestamps start with the day; anything else is reported unread.
        return {_DAY: col.str.slice(0, 10)}, "text"
    raise ObservationError(
        f"source {source!r}: column {mapping.date!r} has type {dtype}; the date column must "
        "hold dates, timestamps or ISO text (2025-01-31)"
    )


_UTC = "Etc/UTC"


def _with_keys(
    lazy: nw.LazyFrame[Any], key: dict[str, nw.Expr], mapping: FactMapping, source: str
) -> nw.LazyFrame[Any]:
    global _UTC
    try:
        return lazy.with_columns(**key)
    except NotImplementedError as exc:
        # DuckDB converts instants only to its connection's zone, spelled its own way.
        if _UTC == "Etc/UTC":
            _UTC = "UTC"
            try:
                retry, _ = _day_key(mapping, lazy.collect_schema()[mapping.date], source)
                return lazy.with_columns(**retry)
            finally:
                _UTC = "Etc/UTC"
        raise ObservationError(
            f"source {source!r}: this engine cannot read the instants in column "
            f"{mapping.date!r} in UTC ({exc}); for DuckDB run `SET TimeZone = 'UTC'` on the "
            "connection"
        ) from exc


def calendar_table(
    keys: pd.DataFrame,
    mode: str,
    mapping: FactMapping,
    freqs: Sequence[Frequency],
    dtype: Any = None,
    *,
    calendar: FiscalCalendar | None = None,
) -> tuple[pd.DataFrame, list[str]]:
    """The calendar table joined to the facts, and the keys that are not dates.

    ``keys`` holds the distinct keys found in the facts: column ``_bsc_day`` (a date, or ISO
    text when ``mode`` is ``"text"``) and, in ``"slot"`` mode, ``_bsc_quarter_hour`` (UTC or
    source wall-clock quarter-hour of the day, for time zones; ``dtype`` is the date
    column's narwhals type, which says whether it carried a zone). Each key gets its period
    label at every frequency in ``freqs`` (columns named by :func:`period_column`), after
    the mapping's time zone and closing-stamp shift, on the scorecard's fiscal ``calendar``
    when it has one (``FY2026-Q3``).
    """
    keys = keys.dropna().reset_index(drop=True)
    unreadable: list[str] = []
    if mode == "slot":
        day = pd.to_datetime(keys[_DAY]).to_numpy().astype("datetime64[m]")
        utc = day + keys[_QUARTER].to_numpy(np.int64).astype("timedelta64[m]") * 15
        zone = getattr(dtype, "time_zone", None)
        if zone is None:
            # Naive wall-clock times in the source's zone: the slot is that wall clock.
            origin = mapping.source_timezone or "UTC"
            local = pd.DatetimeIndex(utc).tz_localize(
                origin, ambiguous=np.zeros(len(utc), dtype=bool), nonexistent="shift_forward"
            )
        else:
            local = pd.DatetimeIndex(utc).tz_localize("UTC")
        local = local.tz_convert(mapping.timezone or zone)
        days = local.tz_localize(None).normalize().to_numpy().astype("datetime64[D]")
    elif mode == "text":
        text = keys[_DAY].astype(str)
        parsed = pd.to_datetime(text, format="%Y-%m-%d", errors="coerce")
        unreadable = sorted(text[parsed.isna()].tolist())
        keys = keys[parsed.notna().to_numpy()].reset_index(drop=True)
        days = parsed.dropna().to_numpy().astype("datetime64[D]")
    else:
        days = pd.to_datetime(keys[_DAY]).to_numpy().astype("datetime64[D]")
    table = keys.copy()
    if mode != "text":
        table[_DAY] = pd.to_datetime(keys[_DAY]).to_numpy().astype("datetime64[ns]")
    if mapping.stamp == "end":
        days = days - np.timedelta64(1, "D")
    for freq in freqs:
        table[period_column(freq)] = np.asarray(bucket_labels(days, freq, calendar), dtype=object)
    return table, unreadable


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
            nw.lit(mapping.default_org_unit, dtype=nw.String).alias(_UNIT),
            nw.lit(None, dtype=nw.String).alias(_BAD),
        )
    code = nw.col(mapping.org_unit).cast(nw.String)
    if not mapping.org_codes:
        return joined.with_columns(code.alias(_UNIT), nw.lit(None, dtype=nw.String).alias(_BAD))
    table = pd.DataFrame(
        {_CODE: [c for c, _ in mapping.org_codes], "_bsc_mapped": [u for _, u in mapping.org_codes]}
    )
    out = joined.with_columns(code.alias(_CODE)).join(_like(table, like), on=_CODE, how="left")
    return out.with_columns(
        nw.col("_bsc_mapped").alias(_UNIT),
        nw.when(nw.col("_bsc_mapped").is_null()).then(nw.col(_CODE)).alias(_BAD),
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


def _rule_frame(
    placed: pd.DataFrame,
    rule: FactRule,
    i: int,
    period: str,
    mapping: FactMapping,
    freq: Frequency,
    scorecard: Scorecard | None,
    source: str,
) -> pd.DataFrame:
    """One observation row per placed group for ``rule``."""
    m = placed[f"_m{i}"].to_numpy(np.float64)
    nan = np.full(len(placed), np.nan)
    numerator = denominator = nan
    if rule.transform == "count":
        value = m
    elif rule.transform == "distinct":
        value = placed[f"_d{i}"].to_numpy(np.float64)
    elif rule.transform == "ratio":
        numerator = placed[f"_a{i}"].to_numpy(np.float64)
        denominator = placed[f"_b{i}"].to_numpy(np.float64)
        value = nan
    elif rule.transform == "sum":
        value = placed[f"_a{i}"].to_numpy(np.float64)
    else:
        a = pd.to_numeric(placed[f"_a{i}"], errors="coerce").to_numpy(np.float64)
        b = placed[f"_b{i}"].to_numpy(np.float64)
        with np.errstate(invalid="ignore", divide="ignore"):
            value = a / b if rule.transform == "mean" else np.where(b > 0, a, np.nan)
    # No value when nothing was there to average, compare or divide: a zero count or sum
    # is a real zero, an empty mean or an empty ratio is not a number.
    keep = np.ones(len(placed), dtype=bool)
    if "_filtered" in placed:
        # A group whose every fact the mapping's filter left out is no group at all.
        keep = (placed["_rows"] - placed["_filtered"]).to_numpy() > 0
    if rule.transform in ("mean", "min", "max"):
        keep &= placed[f"_b{i}"].to_numpy() > 0
    elif rule.transform == "ratio":
        keep &= denominator != 0
    unit: Any = rule.unit
    if unit is None and rule.transform != "ratio":
        if mapping.unit:
            unit = placed[_FUNIT].to_numpy(dtype=object)
        elif scorecard is not None and rule.indicator in _indicator_ids(scorecard):
            unit = scorecard.indicator(rule.indicator).unit
    out = pd.DataFrame(
        {
            "indicator": rule.indicator,
            "org_unit": placed[_UNIT].astype(str).to_numpy(),
            "period": placed[period].astype(str).to_numpy(),
            "value": value,
            "unit": unit,
            "numerator": numerator,
            "denominator": denominator,
            "as_of": _as_of(placed[period], mapping, freq, scorecard),
            "source": f"{source}: {rule.describe()}",
            "facts": m.astype(np.int64),
        }
    )
    return out[keep].reset_index(drop=True)


def _as_of(
    labels: pd.Series, mapping: FactMapping, freq: Frequency, scorecard: Scorecard | None
) -> Any:
    if mapping.reporting_lag is None:
        return pd.NaT
    fiscal = scorecard.calendar if scorecard is not None else None
    ordinals, _ = parse_periods(labels.astype(str).to_numpy(), freq, calendar=fiscal)
    ends = period_end_dates(ordinals, freq, calendar=fiscal).astype("datetime64[ns]")
    return ends + np.timedelta64(mapping.reporting_lag, "D")


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


# -- quality ----------------------------------------------------------------------------------


def _placement_problems(
    got: pd.DataFrame,
    mapping: FactMapping,
    period: str,
    unreadable: Sequence[str],
    source: str,
) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    rows = got["_rows"].to_numpy(np.int64)
    undated = got[period].isna().to_numpy()
    if undated.any():
        n = int(rows[undated].sum())
        shown = ", ".join(repr(u) for u in unreadable[:5])
        what = f"without a readable date (e.g. {shown})" if unreadable else "without a date"
        out.append(
            _problem(
                source,
                "date-unreadable" if unreadable else "date-missing",
                "error",
                mapping.date,
                shown or None,
                n,
                f"{n} fact(s) {what} in column {mapping.date!r} were not counted; write "
                "dates as 2025-01-31 (ISO) or give the source timestamps",
            )
        )
    if mapping.org_unit is not None:
        dated = ~undated
        nocode = dated & got[_UNIT].isna().to_numpy() & got[_BAD].isna().to_numpy()
        if nocode.any():
            n = int(rows[nocode].sum())
            out.append(
                _problem(
                    source,
                    "org-code-missing",
                    "error",
                    mapping.org_unit,
                    None,
                    n,
                    f"{n} fact(s) have no org-unit code in column {mapping.org_unit!r} and were "
                    "not counted; fill the code or set `default_org_unit:`",
                )
            )
        bad = dated & got[_BAD].notna().to_numpy()
        if bad.any():
            per_code = pd.Series(rows[bad]).groupby(got.loc[bad, _BAD].astype(str).to_numpy()).sum()
            known = [u for _, u in mapping.org_codes]
            candidates = list(dict.fromkeys([c for c, _ in mapping.org_codes]))
            for code, n in per_code.items():
                out.append(
                    _problem(
                        source,
                        "org-code-unknown",
                        "error",
                        mapping.org_unit,
                        str(code),
                        int(n),
                        f"org-unit code {code!r} in column {mapping.org_unit!r} is not in the "
                        f"code table{did_you_mean(str(code), candidates)}; {int(n)} fact(s) were "
                        "not counted; add the code to `org_codes:`"
                        + (f" (it maps codes to {', '.join(sorted(set(known)))})" if known else ""),
                    )
                )
    if mapping.where and "_filtered" in got:
        n = int(got["_filtered"].sum())
        if n:
            conditions = " and ".join(c.describe() for c in mapping.where)
            out.append(
                _problem(
                    source,
                    "filtered",
                    "info",
                    None,
                    None,
                    n,
                    f"{n} fact(s) did not meet the mapping's filter ({conditions})",
                )
            )
    return out


def _missing_values(
    placed: pd.DataFrame, rule: FactRule, i: int, source: str
) -> list[dict[str, Any]]:
    col = f"_x{i}"
    if col not in placed:
        return []
    n = int(placed[col].sum())
    if not n:
        return []
    return [
        _problem(
            source,
            "value-missing",
            "warning",
            rule.value,
            None,
            n,
            f"{n} fact(s) for indicator {rule.indicator!r} have no {rule.value!r}; they were left "
            f"out of its {rule.transform}",
        )
    ]


def _known_units(
    observations: pd.DataFrame,
    scorecard: Scorecard | None,
    quality: list[dict[str, Any]],
    source: str,
) -> pd.DataFrame:
    """Without a code table, codes must be org-unit ids: report the others per code."""
    if scorecard is None or observations.empty:
        return observations
    ids = list(scorecard.org_chart.ids)
    unknown = ~observations["org_unit"].isin(ids)
    if not unknown.any():
        return observations
    per_code = observations.loc[unknown].groupby("org_unit")["facts"].max()
    for code, n in per_code.items():
        quality.append(
            _problem(
                source,
                "org-code-unknown",
                "error",
                "org_unit",
                str(code),
                int(n),
                f"org-unit code {code!r} is not an org unit of scorecard "
                f"{scorecard.id!r}{did_you_mean(str(code), ids)}; its facts were not counted; "
                "map it with `org_codes:`",
            )
        )
    return observations.loc[~unknown]


def _problem(
    source: str,
    check: str,
    severity: str,
    column: str | None,
    value: str | None,
    rows: int,
    message: str,
) -> dict[str, Any]:
    return {
        "source": source,
        "check": check,
        "severity": severity,
        "column": column,
        "value": value,
        "rows": rows,
        "message": message,
    }
