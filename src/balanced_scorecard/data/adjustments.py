"""Adjustment maths: the spans period labels stand for, currency units, one-time events and
the frame plumbing the built-in adjusters share (:mod:`balanced_scorecard.builtins.adjusters`;
rate tables and price indices are in :mod:`balanced_scorecard.data.rate_tables`).

Every function works on whole columns, or on the distinct values of one (periods, units),
never with a Python loop per observation.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import attrs
import numpy as np
import pandas as pd

from balanced_scorecard._suggest import did_you_mean
from balanced_scorecard.data.periods import factorize
from balanced_scorecard.exceptions import ObservationError, ScorecardError, UnitError
from balanced_scorecard.model.scorecard import Scorecard
from balanced_scorecard.units import UnitRegistry, convert, unit_problem

__all__ = [
    "PeriodSpans",
    "Table",
    "bad_row",
    "check_options",
    "currency_of",
    "format_number",
    "numeric_values",
    "period_spans",
    "positions",
    "read_table",
    "require_columns",
    "signed_change",
    "subtract_events",
    "text_column",
    "unchanged",
    "with_adjustments",
]

#: A table option: a frame, or the path of a CSV file with the same columns.
Table = pd.DataFrame | str | os.PathLike[str]

_QUARTER = r"^\s*(\d{4})\s*-?\s*[Qq]([1-4])\s*$"
_YEAR = r"^\s*(\d{4})\s*$"
#: Spans a price index may be indexed by, finest first.
INDEX_FREQS = ("M", "Q", "Y")


def read_table(
    table: Table,
    *,
    columns: Sequence[str],
    what: str,
    text: Sequence[str] = (),
    error: type[ScorecardError] = UnitError,
) -> pd.DataFrame:
    """A frame given as a frame or a CSV path, checked for ``columns``.

    ``text`` columns are read as text from CSV (``001`` stays ``001``); ``what`` names the
    table in the messages, and ``error`` is the exception raised.

    Examples
    --------
    >>> read_table(pd.DataFrame({"period": ["2024"]}), columns=["period", "value"],
    ...            what="price index")
    Traceback (most recent call last):
    ...
    balanced_scorecard.exceptions.UnitError: the price index lacks column(s) ['value']; ...
    """
    if isinstance(table, pd.DataFrame):
        frame = table
    elif isinstance(table, str | os.PathLike):
        try:
            frame = pd.read_csv(table, dtype=dict.fromkeys(text, str))
        except (OSError, ValueError) as exc:
            raise error(f"cannot read the {what} from {os.fspath(table)!r}: {exc}") from exc
    else:
        raise error(
            f"the {what} must be a pandas DataFrame or the path of a CSV file, "
            f"not {type(table).__name__}"
        )
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise error(
            f"the {what} lacks column(s) {missing}; found {list(frame.columns)}. It needs "
            f"the columns {list(columns)}: rename them"
        )
    return frame


def positions(column: pd.Series, known: Sequence[str]) -> np.ndarray:
    """Position of each row's (stripped) text in ``known``; -1 when missing or unknown.

    Examples
    --------
    >>> positions(pd.Series(["b", " a", None, "z"]), ["a", "b"]).tolist()
    [1, 0, -1, -1]
    """
    codes, uniques = factorize(column)
    if not len(uniques):
        return np.full(len(column), -1, dtype=np.int64)
    pos = pd.Index(list(known)).get_indexer(pd.Index([str(u).strip() for u in uniques]))
    return np.where(codes >= 0, pos[np.maximum(codes, 0)], -1).astype(np.int64)


def currency_of(unit: object, registry: UnitRegistry) -> tuple[str, float] | None:
    """The ISO code of a currency unit and its size in that currency, or ``None`` for
    anything that is not an amount of one currency (a blank, ``percent``, ``EUR/person``).

    Examples
    --------
    >>> from balanced_scorecard.units import make_registry
    >>> ureg = make_registry()
    >>> currency_of("kUSD", ureg), currency_of("percent", ureg), currency_of("EUR/day", ureg)
    (('USD', 1000.0), None, None)
    """
    if not isinstance(unit, str) or not unit.strip() or unit_problem(unit.strip(), registry):
        return None
    parsed = registry.parse_units(unit.strip())
    dims = dict(parsed.dimensionality)
    if len(dims) != 1:
        return None
    ((dim, power),) = dims.items()
    if power != 1 or not dim.startswith("[currency_"):
        return None
    code = dim[len("[currency_") : -1]
    return code, float(registry.Quantity(1.0, parsed).to(code).magnitude)


@attrs.frozen(kw_only=True, eq=False)
class PeriodSpans:
    """The calendar span each distinct period value of a column stands for.

    ``codes`` gives each row's distinct value (-1 when missing or not a period); ``start``
    and ``end`` are the first and last day of each distinct value's span (``datetime64[D]``),
    ``labels`` its canonical label and ``kinds`` its length (``M``, ``Q`` or ``Y``).
    """

    codes: np.ndarray
    start: np.ndarray
    end: np.ndarray
    labels: np.ndarray
    kinds: np.ndarray


def period_spans(values: pd.Series | Sequence[object]) -> PeriodSpans:
    """The span of each period as given: a month label or a date is its calendar month, a
    quarter or year label its quarter or year.

    Examples
    --------
    >>> s = period_spans(["2025-03", "2025-03-15", "2025Q1", "2025", "March"])
    >>> s.codes.tolist(), s.labels.tolist(), s.kinds.tolist()
    ([0, 1, 2, 3, -1], ['2025-03', '2025-03', '2025Q1', '2025', ''], ['M', 'M', 'Q', 'Y', ''])
    >>> [str(d) for d in s.end[:3]]
    ['2025-03-31', '2025-03-31', '2025-03-31']
    """
    series = values if isinstance(values, pd.Series) else pd.Series(list(values), dtype=object)
    codes, uniques = factorize(series)
    n = len(uniques)
    start = np.zeros(n, dtype="datetime64[D]")
    end = np.zeros(n, dtype="datetime64[D]")
    labels = np.full(n, "", dtype=object)
    kinds = np.full(n, "", dtype=object)
    if n:
        if pd.api.types.is_datetime64_any_dtype(series):
            stamps = pd.Series(pd.to_datetime(pd.Series(uniques)))
            kind = pd.Series("M", index=stamps.index)
        else:
            texts = pd.Series(uniques, dtype=object).astype(str)
            q = texts.str.extract(_QUARTER)
            y = texts.str.extract(_YEAR)
            month = ((q[1].astype(float) - 1) * 3 + 1).fillna(1).astype(int).astype(str)
            # Each label becomes a day inside its span; only text that starts with a year is a
            # period, as in the observation validation.
            day = texts.where(texts.str.match(r"^\s*\d{4}"), "")
            day = day.where(q[0].isna(), q[0] + "-" + month.str.zfill(2) + "-01")
            day = day.where(y[0].isna(), y[0] + "-01-01")
            stamps = pd.Series(pd.to_datetime(day, format="mixed", errors="coerce"))
            kind = pd.Series("M", index=texts.index).mask(q[0].notna(), "Q")
            kind = kind.mask(y[0].notna(), "Y")
        good = stamps.notna().to_numpy()
        for k in INDEX_FREQS:
            m = good & (kind == k).to_numpy()
            if not m.any():
                continue
            spans = pd.DatetimeIndex(stamps[m]).to_period(k)
            start[m] = spans.start_time.to_numpy().astype("datetime64[D]")
            end[m] = spans.end_time.to_numpy().astype("datetime64[D]")
            labels[m] = np.asarray(spans.astype(str), dtype=object)
            kinds[m] = k
        codes = np.where((codes >= 0) & good[np.maximum(codes, 0)], codes, -1)
    return PeriodSpans(codes=codes, start=start, end=end, labels=labels, kinds=kinds)


def bad_row(frame: pd.DataFrame, mask: np.ndarray | pd.Series, what: str, problem: str) -> str:
    """Message naming the first offending row (numbered as a spreadsheet shows it)."""
    k = int(np.flatnonzero(np.asarray(mask))[0])
    record = ", ".join(f"{c} {frame[c].iloc[k]!r}" for c in frame.columns[:4])
    more = int(np.asarray(mask).sum()) - 1
    extra = f" (and {more} more row{'s' if more != 1 else ''})" if more else ""
    return f"the {what}, row {k + 2} ({record}){extra}: {problem}"


def check_options(
    name: str,
    unknown: Mapping[str, Any],
    accepted: Sequence[str],
    required: Mapping[str, Any],
    error: type[ScorecardError],
) -> None:
    if unknown:
        bad = sorted(unknown)
        raise error(
            f"adjuster {name!r} got unknown option(s) {', '.join(repr(b) for b in bad)}; it "
            f"accepts: {', '.join(accepted)}." + did_you_mean(bad[0], accepted)
        )
    missing = [k for k, v in required.items() if v is None]
    if missing:
        raise error(
            f"adjuster {name!r} needs the option(s) {', '.join(repr(m) for m in missing)}: "
            f"adjust=[({name!r}, {{{', '.join(f'{m!r}: ...' for m in missing)}}})]"
        )


def require_columns(frame: pd.DataFrame, columns: Iterable[str], name: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ObservationError(
            f"adjuster {name!r} needs observation column(s) {missing}; found {list(frame.columns)}"
        )


def numeric_values(frame: pd.DataFrame) -> np.ndarray:
    """The values as floats; NaN where a value is empty or not a number."""
    values = pd.to_numeric(frame["value"], errors="coerce")
    return np.asarray(values.to_numpy(dtype=np.float64, na_value=np.nan))


def format_number(x: float) -> str:
    return format(x, ",.12g")


def with_adjustments(
    frame: pd.DataFrame,
    rows: np.ndarray,
    values: np.ndarray,
    notes: np.ndarray,
    units: np.ndarray | None = None,
) -> pd.DataFrame:
    """A copy of ``frame`` with new values (and units) at positions ``rows`` and ``notes``
    appended to their ``adjustments`` text (a column every adjusted frame has).

    Examples
    --------
    >>> f = pd.DataFrame({"value": [1.0, 2.0], "adjustments": ["restated", None]})
    >>> out = with_adjustments(f, np.array([0, 1]), np.array([3.0, 4.0]),
    ...                        np.array(["doubled", "doubled"], dtype=object))
    >>> out["value"].tolist(), out["adjustments"].tolist()
    ([3.0, 4.0], ['restated; doubled', 'doubled'])
    """
    out = frame.copy()
    if len(rows):
        column = out["value"]
        if pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column):
            new = numeric_values(out).copy()
        else:
            # Text cells that are not numbers must reach validation as they were.
            new = column.to_numpy(dtype=object, copy=True)
        new[rows] = values
        out["value"] = new
    if units is not None and len(rows):
        unit = out["unit"].to_numpy(dtype=object, copy=True)
        unit[rows] = units
        out["unit"] = pd.Series(unit, index=out.index, dtype=object)
    if "adjustments" in out.columns:
        col = out["adjustments"]
        text = col.astype(object).where(col.notna(), "").to_numpy(dtype=object, copy=True)
    else:
        text = np.full(len(out), "", dtype=object)
    old = pd.Series(text[rows], dtype=object).astype(str).to_numpy(dtype=object)
    text[rows] = np.where(old == "", notes, old + "; " + notes)
    out["adjustments"] = pd.Series(text, index=out.index, dtype=object)
    return out


def unchanged(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with nothing adjusted (but an ``adjustments`` column)."""
    empty = np.zeros(0, dtype=np.int64)
    return with_adjustments(frame, empty, np.zeros(0), np.zeros(0, dtype=object))


def text_column(column: pd.Series) -> pd.Series:
    return column.astype(object).where(column.notna(), "").astype(str).str.strip()


def signed_change(amount: float) -> str:
    # The note shows the change made to the value: subtracting 500 is −500.
    return ("−" if amount > 0 else "+") + format_number(abs(amount))


def subtract_events(
    frame: pd.DataFrame,
    events: Table,
    *,
    scorecard: Scorecard,
    registry: UnitRegistry,
    unmatched: str = "raise",
) -> pd.DataFrame:
    """Subtract one-time ``events`` from the observations with the same indicator, org unit
    and period text; the maths of the ``one_time`` adjuster.

    Each event's amount is converted from its ``unit`` (default: the indicator's) to the
    unit of the row it meets; the amounts of all events on a row are subtracted at once.
    """
    what = "one-time events"
    keys = ["indicator", "org_unit", "period"]
    table = read_table(
        events,
        columns=(*keys, "amount", "reason"),
        what=what,
        text=(*keys, "reason", "unit"),
        error=ObservationError,
    ).reset_index(drop=True)
    require_columns(frame, (*keys, "value"), "one_time")
    amount = pd.to_numeric(table["amount"], errors="coerce").to_numpy(dtype=np.float64)
    if np.isnan(amount).any():
        raise ObservationError(bad_row(table, np.isnan(amount), what, "the amount is not a number"))
    ids = [i.id for i in scorecard.indicators]
    ev = pd.DataFrame({k: text_column(table[k]) for k in keys})
    ev_ind = positions(ev["indicator"], ids)
    if (ev_ind < 0).any():
        name = str(ev["indicator"].iloc[int(np.flatnonzero(ev_ind < 0)[0])])
        raise ObservationError(
            bad_row(
                table,
                ev_ind < 0,
                what,
                f"{name!r} is not an indicator of the scorecard." + did_you_mean(name, ids),
            )
        )
    declared = np.array([i.unit for i in scorecard.indicators], dtype=object)
    ev_unit = text_column(table["unit"]).to_numpy(dtype=object) if "unit" in table else None
    ev["unit"] = (
        declared[ev_ind] if ev_unit is None else np.where(ev_unit == "", declared[ev_ind], ev_unit)
    )
    ev["amount"], ev["event"] = amount, np.arange(len(ev))
    obs = pd.DataFrame({k: text_column(frame[k]) for k in keys})
    obs["row"] = np.arange(len(frame))
    row_unit = text_column(frame["unit"]).to_numpy(dtype=object) if "unit" in frame else None
    pairs = ev.merge(obs, on=keys, how="inner", sort=False).sort_values(
        ["row", "event"], kind="stable"
    )
    lonely = np.setdiff1d(ev["event"].to_numpy(), pairs["event"].to_numpy())
    if len(lonely) and unmatched == "raise":
        raise _no_match(table, ev, obs, int(lonely[0]), len(lonely))
    if pairs.empty:
        return unchanged(frame)
    row = pairs["row"].to_numpy()
    event = pairs["event"].to_numpy()
    target = declared[ev_ind[event]]
    if row_unit is not None:
        target = np.where(row_unit[row] == "", target, row_unit[row])
    value = numeric_values(frame)
    if np.isnan(value[row]).any():
        k = int(np.flatnonzero(np.isnan(value[row]))[0])
        raise ObservationError(
            bad_row(
                table,
                ev["event"] == event[k],
                what,
                f"the event matches observation row {row[k] + 2}, whose value "
                f"{frame['value'].iloc[row[k]]!r} is not a number; fix the value first",
            )
        )
    # Amounts are in their own unit; rows may be in another of the same dimension (kEUR).
    delta = pairs["amount"].to_numpy(dtype=np.float64).copy()
    given = pairs["unit"].to_numpy(dtype=object)
    for src, dst in {(str(a), str(b)) for a, b in zip(given, target, strict=True)}:
        m = (given == src) & (target == dst)
        try:
            delta[m] = convert(delta[m], src, dst, registry)
        except UnitError as exc:
            raise UnitError(
                bad_row(
                    table,
                    np.isin(ev["event"], event[m]),
                    what,
                    f"{exc}. The amount is in {src} and the matching row in {dst}: list "
                    "the fx adjuster before one_time, or give the event a 'unit'",
                )
            ) from None
    reasons = text_column(table["reason"]).to_numpy(dtype=object)
    notes = pd.Series(
        [
            f"one-time: {reasons[e]} ({signed_change(a)} {u})"
            for e, a, u in zip(event, pairs["amount"], given, strict=True)
        ],
        dtype=object,
    )
    joined = notes.groupby(row, sort=True).agg("; ".join)
    rows = joined.index.to_numpy(dtype=np.int64)
    change = np.bincount(row, weights=delta, minlength=len(frame))
    new = value[rows] - change[rows]
    return with_adjustments(frame, rows, new, joined.to_numpy(dtype=object))


def _no_match(
    table: pd.DataFrame, ev: pd.DataFrame, obs: pd.DataFrame, event: int, count: int
) -> ObservationError:
    ind, org, period = (str(ev[k].iloc[event]) for k in ("indicator", "org_unit", "period"))
    same = obs[(obs["indicator"] == ind) & (obs["org_unit"] == org)]["period"].unique()
    seen = (
        f"the rows of {ind!r} for {org!r} have periods {', '.join(sorted(same)[:12])}"
        if len(same)
        else f"there are no rows of {ind!r} for {org!r}"
    )
    more = f" ({count - 1} more event(s) match nothing either)" if count > 1 else ""
    return ObservationError(
        f"the one-time event of row {event + 2} (indicator {ind!r}, org unit {org!r}, period "
        f"{period!r}, reason {str(table['reason'].iloc[event])!r}) matches no observation: "
        f"{seen}{more}. Fix the event's period as the rows write it, or pass "
        "unmatched='ignore' when the row comes from another source"
    )
