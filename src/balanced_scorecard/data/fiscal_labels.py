"""Period values read on a fiscal calendar: fiscal labels, dates and calendar months.

The half of the period grammar that only applies when a scorecard has a fiscal calendar
(:mod:`balanced_scorecard.data.periods` holds the rest and the period axis). Work is done
on the *distinct* values of a column, vectorised per label kind; only values that fail get
a message of their own.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from balanced_scorecard.model.enums import Frequency
from balanced_scorecard.model.periods import FISCAL_LABEL_PATTERN, FiscalCalendar

__all__ = ["fiscal_spans", "read_fiscal"]

_MONTH = r"^\s*\d{4}-\d{1,2}\s*$"

_FISCAL_SPANS = {"Y": 1, "Q": 4, "P": 12}


def read_fiscal(
    uniques: pd.Series, freq: Frequency, calendar: FiscalCalendar, *, span_end: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """For distinct period values read with a fiscal calendar: the day each stands for (the
    first day of a label's span, or its last with ``span_end``) and why it is not a period
    (``""`` when it is).

    Examples
    --------
    >>> days, why = read_fiscal(pd.Series(["FY2026-Q3", "2025-10-14", "2026Q1"]),
    ...                         Frequency.QUARTERLY, FiscalCalendar(start_month=4))
    >>> days[:2].astype("datetime64[D]").tolist(), why[2][:30]
    ([datetime.date(2025, 10, 1), datetime.date(2025, 10, 14)], "'2026Q1' is ambiguous with the")
    """
    # periods.py imports this module, so the shared grammar is imported when first used.
    from balanced_scorecard.data.periods import _QUARTER, _YEAR, label_stamps

    n = len(uniques)
    days = np.zeros(n, dtype=np.int64)
    reasons = np.full(n, "", dtype=object)
    if pd.api.types.is_datetime64_any_dtype(uniques):
        stamps = pd.Series(pd.to_datetime(uniques))
        if isinstance(stamps.dtype, pd.DatetimeTZDtype):
            stamps = stamps.dt.tz_localize(None)  # the local business day
        good = stamps.notna().to_numpy()
        days[good] = stamps[good].to_numpy().astype("datetime64[D]").astype(np.int64)
        reasons[~good] = "period is empty"
        return days, reasons
    texts = uniques.astype(object).astype(str)
    fiscal = texts.str.extract(FISCAL_LABEL_PATTERN)
    is_fiscal = fiscal[0].notna().to_numpy()
    ambiguous = (texts.str.match(_QUARTER) | texts.str.match(_YEAR)).to_numpy() & ~is_fiscal
    month = texts.str.match(_MONTH).to_numpy() & ~is_fiscal
    rest = ~is_fiscal & ~ambiguous
    if rest.any():
        stamps, _ = label_stamps(texts[rest])
        good = stamps.notna().to_numpy()
        rows = np.flatnonzero(rest)
        days[rows[good]] = stamps[good].to_numpy().astype("datetime64[D]").astype(np.int64)
        reasons[rows[~good]] = _not_fiscal(calendar)
        reasons[(texts.str.strip() == "").to_numpy()] = "period is empty"
    if is_fiscal.any():
        _fiscal_label_days(fiscal, is_fiscal, calendar, days, reasons, texts, span_end)
    if span_end and month.any():
        # The last day of a calendar month: the first of the next, less one.
        first = days[month].astype("datetime64[D]").astype("datetime64[M]")
        days[month] = (first + 1).astype("datetime64[D]").astype(np.int64) - 1
    # Only the distinct values that fail get a message of their own: a loop over few values.
    for k in np.flatnonzero(ambiguous):
        reasons[k] = _ambiguous(texts.iloc[k].strip(), calendar)
    if calendar.is_retail and freq is not Frequency.DAILY:
        # A calendar month straddles two retail periods: which one it means is a guess.
        for k in np.flatnonzero(month & (reasons == "")):
            reasons[k] = _retail_month(texts.iloc[k].strip(), int(days[k]), calendar)
    return days, reasons


def _fiscal_label_days(
    parts: pd.DataFrame,
    rows: np.ndarray,
    calendar: FiscalCalendar,
    days: np.ndarray,
    reasons: np.ndarray,
    texts: pd.Series,
    span_end: bool,
) -> None:
    """Fill in the first (or with ``span_end`` the last) day of the span of every fiscal
    label (``rows``), or the reason it names no period of the calendar."""
    year = pd.to_numeric(parts[0], errors="coerce").fillna(0).to_numpy(np.int64)
    code = parts[1].fillna("Y").str.upper().to_numpy(dtype=object)
    number = pd.to_numeric(parts[2], errors="coerce").fillna(1).to_numpy(np.int64)
    fine_year = rows & (year >= 1) & (year <= 9998)
    for k in np.flatnonzero(rows & ~fine_year):
        reasons[k] = f"{texts.iloc[k].strip()!r} names fiscal year {year[k]}; use 1 to 9998"
    for c, per_year in _FISCAL_SPANS.items():
        m = fine_year & (code == c)
        valid = m & (number >= 1) & (number <= per_year)
        if valid.any():
            spans = calendar.from_ordinals(year[valid] * per_year + number[valid] - 1, freq=c)
            days[valid] = (spans.end if span_end else spans.start).astype(np.int64)
        for k in np.flatnonzero(m & ~valid):
            low, most = (f"{c}01", f"{c}12") if c == "P" else (f"{c}1", f"{c}{per_year}")
            reasons[k] = (
                f"{texts.iloc[k].strip()!r} names {c}{number[k]}, but a fiscal year has "
                f"{low} to {most}; write e.g. 'FY{year[k]}-{most}'"
            )
    weeks = fine_year & (code == "W")
    if weeks.any() and not calendar.is_retail:
        for k in np.flatnonzero(weeks):
            reasons[k] = (
                f"{texts.iloc[k].strip()!r} is a fiscal week, but {calendar.to_spec()!r} has "
                "calendar months, not weeks; write a period such as "
                f"'FY{year[k]}-P01' or a date"
            )
    elif weeks.any():
        span = calendar.from_ordinals(year[weeks], freq="Y")
        start = span.start.astype(np.int64) + 7 * (number[weeks] - 1)
        inside = (number[weeks] >= 1) & (start + 6 <= span.end.astype(np.int64))
        rows_w = np.flatnonzero(weeks)
        days[rows_w[inside]] = start[inside] + (6 if span_end else 0)
        n_weeks = (span.end - span.start).astype(np.int64) // 7 + 1
        for j in np.flatnonzero(~inside):
            k = rows_w[j]
            reasons[k] = (
                f"{texts.iloc[k].strip()!r} names week {number[k]}, but FY{year[k]} of "
                f"{calendar.to_spec()!r} has weeks W01 to W{n_weeks[j]:02d}"
            )


def _not_fiscal(calendar: FiscalCalendar) -> str:
    kinds = "a fiscal label such as 'FY2026-Q3', 'FY2026-P07' or 'FY2026'"
    where = f"period is not a period of the fiscal calendar {calendar.to_spec()!r}"
    if calendar.is_retail:
        return f"{where}: write {kinds}, or a date such as '2026-10-14'"
    return f"{where}: write {kinds}, a date such as '2026-10-14', or a month such as '2025-03'"


def _ambiguous(text: str, calendar: FiscalCalendar) -> str:
    """Why ``2026Q1`` or ``2026`` is refused on a fiscal calendar, and what to write."""
    from balanced_scorecard.data.periods import _QUARTER

    q = pd.Series([text]).str.extract(_QUARTER).iloc[0]
    quarter = None if pd.isna(q[0]) else int(q[1])
    year = int(text.strip()[:4]) if quarter is None else int(q[0])
    label = f"FY{year}" if quarter is None else f"FY{year}-Q{quarter}"
    what = "year" if quarter is None else "quarter"
    try:
        first, last = calendar.period_bounds(label)
        span = f" ({first} to {last})"
    except ValueError:
        span = ""
    # The calendar span the text would mean without a fiscal calendar.
    begin = np.datetime64(f"{year:04d}-{1 if quarter is None else 3 * quarter - 2:02d}-01", "D")
    also = ""
    if quarter is not None and not calendar.is_retail and (calendar.start_month - 1) % 3 == 0:
        also = f" (the calendar quarter {text.strip()} is {calendar.label(begin, freq='Q')[0]})"
    question = (
        f"calendar {year} or fiscal {year}"
        if quarter is None
        else f"quarter {quarter} of calendar {year} or of fiscal {year}"
    )
    return (
        f"{text.strip()!r} is ambiguous with the fiscal calendar {calendar.to_spec()!r}: is it "
        f"{question}? Write {label!r} for the fiscal {what}{span}, or a date such as "
        f"'{begin + 14}' for the review period that holds it{also}"
    )


def _retail_month(text: str, first_day: int, calendar: FiscalCalendar) -> str:
    mid = np.datetime64(first_day + 14, "D")
    label = str(calendar.label(mid, freq="P")[0])
    start, end = calendar.period_bounds(label)
    return (
        f"{text!r} is a calendar month, which does not line up with the weeks of the retail "
        f"calendar {calendar.to_spec()!r}; write the fiscal period, e.g. {label!r} "
        f"({start} to {end}), or the date of each value"
    )


def fiscal_spans(
    uniques: pd.Series, calendar: FiscalCalendar
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """For distinct values, the fiscal labels among them and their spans: whether each is a
    fiscal label naming a period of ``calendar``, the first and last day of that period
    (day numbers), its label as the evaluation writes it and its kind (``FY``, ``FQ``,
    ``FP`` or ``FW``). Adjusters use it to find the rate or index period of a fiscal row.

    Examples
    --------
    >>> ok, first, last, label, kind = fiscal_spans(pd.Series(["fy2026-q3", "2025-10"]),
    ...                                             FiscalCalendar(start_month=4))
    >>> ok.tolist(), label.tolist(), kind.tolist()
    ([True, False], ['FY2026-Q3', ''], ['FQ', ''])
    >>> first[:1].astype("datetime64[D]").tolist(), last[:1].astype("datetime64[D]").tolist()
    ([datetime.date(2025, 10, 1)], [datetime.date(2025, 12, 31)])
    """
    texts = uniques.astype(object).astype(str)
    parts = texts.str.extract(FISCAL_LABEL_PATTERN)
    rows = parts[0].notna().to_numpy()
    n = len(texts)
    first, last = np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.int64)
    reasons = np.full(n, "", dtype=object)
    labels = np.full(n, "", dtype=object)
    kinds = np.full(n, "", dtype=object)
    if rows.any():
        _fiscal_label_days(parts, rows, calendar, first, reasons, texts, False)
        _fiscal_label_days(parts, rows, calendar, last, reasons.copy(), texts, True)
    ok = rows & (reasons == "")
    code = parts[1].fillna("Y").str.upper().to_numpy(dtype=object)
    for c in ("Y", "Q", "P", "W"):
        m = ok & (code == c)
        if m.any():
            labels[m] = calendar.label(first[m].astype("datetime64[D]"), freq=c)
            kinds[m] = f"F{c}"
    return ok, first, last, labels, kinds
