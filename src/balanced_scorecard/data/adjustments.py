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
from balanced_scorecard.data.fiscal_labels import fiscal_spans
from balanced_scorecard.data.periods import factorize, label_stamps
from balanced_scorecard.exceptions import ObservationError, ScorecardError, UnitError
from balanced_scorecard.model.periods import FiscalCalendar
from balanced_scorecard.units import UnitRegistry, unit_problem

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
    "text_column",
    "unchanged",
    "with_adjustments",
]

#: A table option: a frame, or the path of a CSV file with the same columns.
Table = pd.DataFrame | str | os.PathLike[str]

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


def period_spans(
    values: pd.Series | Sequence[object], *, calendar: FiscalCalendar | None = None
) -> PeriodSpans:
    """The span of each period as given: a month label or a date is its calendar month, a
    quarter or year label its quarter or year; with the scorecard's fiscal ``calendar``, a
    fiscal label (``FY2026-Q3``) is its fiscal period (kinds ``FY``, ``FQ``, ``FP``, ``FW``).

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
        # The same label grammar as the observation validation.
        stamps, kind = label_stamps(
            pd.Series(uniques)
            if pd.api.types.is_datetime64_any_dtype(series)
            else pd.Series(uniques, dtype=object)
        )
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
        if calendar is not None and not pd.api.types.is_datetime64_any_dtype(series):
            fy, first, last, fy_labels, fy_kinds = fiscal_spans(
                pd.Series(uniques, dtype=object), calendar
            )
            start[fy], end[fy] = first[fy].astype("datetime64[D]"), last[fy].astype("datetime64[D]")
            labels[fy], kinds[fy] = fy_labels[fy], fy_kinds[fy]
            good = good | fy
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
    """Reject option names adjuster ``name`` does not know, and ``required`` ones left out:
    a misspelt option would otherwise be ignored and the values silently not adjusted."""
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
    """Raise :class:`ObservationError` when the frame lacks a column adjuster ``name`` reads."""
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
    """A number for a note: grouped thousands, no needless decimals (``12,500``)."""
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
    # Strings are joined once per distinct (old text, note) pair, not once per row.
    old_code, old_text = pd.factorize(text[rows])
    note_code, note_text = pd.factorize(np.asarray(notes, dtype=object))
    pair, inverse = np.unique(
        old_code.astype(np.int64) * max(len(note_text), 1) + note_code, return_inverse=True
    )
    old = np.array([str(t) for t in old_text], dtype=object)[pair // max(len(note_text), 1)]
    new_note = np.asarray(note_text, dtype=object)[pair % max(len(note_text), 1)]
    text[rows] = np.where(old == "", new_note, old + "; " + new_note)[inverse]
    out["adjustments"] = pd.Series(text, index=out.index, dtype=object)
    return out


def unchanged(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with nothing adjusted (but an ``adjustments`` column)."""
    empty = np.zeros(0, dtype=np.int64)
    return with_adjustments(frame, empty, np.zeros(0), np.zeros(0, dtype=object))


def text_column(column: pd.Series) -> pd.Series:
    """A column as stripped text, ``""`` where missing (for the short tables of events)."""
    return column.astype(object).where(column.notna(), "").astype(str).str.strip()


def signed_change(amount: float) -> str:
    # The note shows the change made to the value: subtracting 500 is −500.
    return ("−" if amount > 0 else "+") + format_number(abs(amount))
