"""Review periods: parsing period labels and dates into integer period ordinals.

Everything in the core indexes periods by an integer ordinal at the review frequency, so a
period axis is ``np.arange(first, last + 1)`` and "the same month" is integer equality.
Without a fiscal calendar the ordinal is pandas' period ordinal (labels ``2025-03``,
``2025Q1``, ``2025``). With one (``Scorecard.calendar``) it is the calendar's own unbroken
numbering of fiscal periods (:meth:`~balanced_scorecard.model.periods.FiscalCalendar.ordinals`)
and labels are ``FY2026-Q3``, ``FY2026-P07``, ``FY2026-W05``; daily periods stay dates.

With a fiscal calendar, inputs are read as follows: a fiscal label stands for its span (the
first day of it when the review period is finer), a date for the review period that holds it,
and a calendar month ``2025-03`` for that month (calendar-month years only: on a retail
calendar a month straddles two periods, so it is rejected). ``2026Q1`` and ``2026`` are
rejected as ambiguous (calendar or fiscal?) with a message asking for ``FY2026-Q1`` or a date.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
import pandas as pd

from balanced_scorecard.data.fiscal_labels import read_fiscal
from balanced_scorecard.model.enums import Frequency
from balanced_scorecard.model.periods import FiscalCalendar, to_calendar

if TYPE_CHECKING:
    from balanced_scorecard.model.scorecard import Scorecard

__all__ = [
    "bad_period_messages",
    "bucket_labels",
    "factorize",
    "label_stamps",
    "parse_period_codes",
    "parse_periods",
    "period_end_dates",
    "period_labels",
    "period_ordinal",
]

_QUARTER = r"^\s*(\d{4})\s*-?\s*[Qq]([1-4])\s*$"
_YEAR = r"^\s*(\d{4})\s*$"
_NOT_A_PERIOD = "period is not a date or a label like '2025-03', '2025Q1' or '2025'"


def parse_periods(
    values: pd.Series | np.ndarray | list[object],
    freq: Frequency,
    *,
    calendar: FiscalCalendar | None = None,
    span_end: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """Parse labels (``2025-03``, ``2025-03-31``, ``2025Q1``, ``2025``) or timestamps into
    period ordinals at ``freq``; returns ``(ordinals, bad)`` where ``bad`` marks what could not
    be parsed (its ordinal is 0).

    A date falls in the period that contains it; a quarter or year label stands for its first
    month when ``freq`` is finer (the start of the span). With a fiscal ``calendar`` the
    labels are fiscal (see the module documentation), and ``span_end=True`` reads a label
    as the *last* day of its span instead, for the end of a range (``FY2026-Q3`` as the end
    of a monthly range is ``FY2026-P09``).

    Examples
    --------
    >>> ords, bad = parse_periods(["2025-01", "2025-03-31", "2025Q2", "oops"], Frequency.QUARTERLY)
    >>> period_labels(ords[~bad], Frequency.QUARTERLY), bad.tolist()
    (['2025Q1', '2025Q1', '2025Q2'], [False, False, False, True])
    >>> april = FiscalCalendar(start_month=4)
    >>> ords, bad = parse_periods(["FY2026-P07", "2025-10-14", "2025-10", "2025Q4"],
    ...                           Frequency.QUARTERLY, calendar=april)
    >>> period_labels(ords[~bad], Frequency.QUARTERLY, calendar=april), bad.tolist()
    (['FY2026-Q3', 'FY2026-Q3', 'FY2026-Q3'], [False, False, False, True])
    """
    ordinals, bad, _, _ = parse_period_codes(values, freq, calendar=calendar, span_end=span_end)
    return ordinals, bad


def factorize(column: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Codes (-1 where missing) and distinct values of a column.

    This is the cost that dominates reading millions of observation rows, so the fastest
    route per storage is taken: Arrow-backed text (pandas' ``str`` dtype when pyarrow is
    installed) is dictionary-encoded by Arrow, about seven times faster than hashing it as
    Python objects; Python-backed text is hashed as plain objects, two to three times faster
    than factorizing its extension array.
    """
    if isinstance(column.dtype, pd.StringDtype) and column.dtype.storage == "pyarrow":
        arrow_codes, arrow_uniques = pd.factorize(column, use_na_sentinel=True)
        return np.asarray(arrow_codes), np.asarray(arrow_uniques, dtype=object)
    if isinstance(column.dtype, pd.StringDtype) or column.dtype == object:
        text_codes, text_uniques = pd.factorize(column.to_numpy(dtype=object))
        return np.asarray(text_codes), np.asarray(text_uniques, dtype=object)
    codes, uniques = pd.factorize(column, use_na_sentinel=True)
    return np.asarray(codes), np.asarray(uniques)


def label_stamps(uniques: pd.Series) -> tuple[pd.Series, pd.Series]:
    """The grammar of period labels, applied to distinct values: the first instant each
    stands for (NaT when it is not a period) and its span kind (``M`` for a month label or
    a date, ``Q`` for ``2025Q1``, ``Y`` for ``2025``).

    Examples
    --------
    >>> stamps, kinds = label_stamps(pd.Series(["2025-03-15", "2025-Q2", "2025", "March"]))
    >>> [str(s.date()) if pd.notna(s) else "NaT" for s in stamps], kinds.tolist()
    (['2025-03-15', '2025-04-01', '2025-01-01', 'NaT'], ['M', 'Q', 'Y', 'M'])
    """
    if pd.api.types.is_datetime64_any_dtype(uniques):
        stamps = pd.Series(pd.to_datetime(uniques), index=uniques.index)
        return stamps, pd.Series("M", index=uniques.index)
    texts = uniques.astype(object).astype(str)
    q = texts.str.extract(_QUARTER)
    y = texts.str.extract(_YEAR)
    # Quarter and bare-year labels become the first day of their span.
    month = ((q[1].astype(float) - 1) * 3 + 1).fillna(1).astype(int).astype(str).str.zfill(2)
    rewritten = texts.where(q[0].isna(), q[0] + "-" + month + "-01")
    rewritten = rewritten.where(y[0].isna(), y[0] + "-01-01")
    # Only text that starts with a year is a period: dateutil would read "Feb" as February
    # of the current year, which silently changes with the calendar.
    rewritten = rewritten.where(rewritten.str.match(r"^\s*\d{4}"), "")
    stamps = pd.Series(pd.to_datetime(rewritten, format="mixed", errors="coerce"))
    kinds = pd.Series("M", index=texts.index).mask(q[0].notna(), "Q").mask(y[0].notna(), "Y")
    return stamps, kinds


def parse_period_codes(
    values: pd.Series | np.ndarray | list[object],
    freq: Frequency,
    *,
    calendar: FiscalCalendar | None = None,
    span_end: bool = False,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Like :func:`parse_periods`, also returning each row's code among the distinct input
    values (-1 where missing), so callers can tell identical stamps apart cheaply, and the
    day each stamp stands for (a day ordinal), which orders stamps within one period.

    Examples
    --------
    >>> ords, bad, codes, days = parse_period_codes(["2025-03-31", "2025-03-02"],
    ...                                             Frequency.MONTHLY)
    >>> (ords[0] == ords[1], days[0] - days[1], codes.tolist())
    (np.True_, np.int64(29), [0, 1])
    """
    series = pd.Series(values)
    codes, uniques = factorize(series)
    u = pd.Series(uniques, dtype=object)
    out = np.zeros(len(u), dtype=np.int64)
    day = np.zeros(len(u), dtype=np.int64)
    ok = np.zeros(len(u), dtype=bool)
    if len(u) and calendar is not None:
        given = pd.Series(uniques) if pd.api.types.is_datetime64_any_dtype(series) else u
        day, reasons = read_fiscal(given, freq, calendar, span_end=span_end)
        ok = reasons == ""
        out[ok] = _day_ordinals(day[ok], freq, calendar)
    elif len(u):
        stamps, _ = label_stamps(
            pd.Series(uniques) if pd.api.types.is_datetime64_any_dtype(series) else u
        )
        good = stamps.notna().to_numpy()
        if good.any():
            index = pd.DatetimeIndex(stamps[good])
            out[good] = index.to_period(_alias(freq)).asi8
            day[good] = index.to_period("D").asi8
        ok = good
    safe = np.maximum(codes, 0)
    ordinals = np.where(codes >= 0, out[safe], 0) if len(u) else np.zeros(len(codes), np.int64)
    days = np.where(codes >= 0, day[safe], 0) if len(u) else np.zeros(len(codes), np.int64)
    bad = (codes < 0) | ~ok[safe] if len(u) else np.ones(len(codes), bool)
    return ordinals.astype(np.int64), np.asarray(bad, dtype=bool), codes, days


def period_ordinal(label: str, freq: Frequency, *, calendar: FiscalCalendar | None = None) -> int:
    """One label to its ordinal; raises ``ValueError`` naming the label when it cannot parse.

    Examples
    --------
    >>> period_ordinal("2025-03", Frequency.MONTHLY) - period_ordinal("2025-01", Frequency.MONTHLY)
    2
    >>> period_ordinal("2026Q1", Frequency.QUARTERLY, calendar=FiscalCalendar(start_month=4))
    Traceback (most recent call last):
    ...
    ValueError: '2026Q1' is ambiguous with the fiscal calendar 'fiscal:4': is it quarter 1 of ...
    """
    ords, bad = parse_periods([label], freq, calendar=calendar)
    if bad[0] and calendar is not None:
        raise ValueError(read_fiscal(pd.Series([label], dtype=object), freq, calendar)[1][0])
    if bad[0]:
        raise ValueError(
            f"{label!r} is not a period; write a month as '2025-03', a quarter as '2025Q1', "
            "a year as '2025' or a date as '2025-03-31'"
        )
    return int(ords[0])


def _alias(freq: Frequency) -> str:
    return freq.value


def _period_index(ordinals: np.ndarray, freq: Frequency) -> pd.PeriodIndex:
    ords = np.asarray(ordinals, dtype=np.int64)
    # from_ordinals is missing from pandas-stubs, hence the getattr.
    build = getattr(pd.PeriodIndex, "from_ordinals")  # noqa: B009
    index: pd.PeriodIndex = build(ords, freq=_alias(freq))
    return index


def period_labels(
    ordinals: np.ndarray, freq: Frequency, *, calendar: FiscalCalendar | None = None
) -> list[str]:
    """Labels users know (``2025-03``, ``2025Q1``, ``2025``; with a fiscal calendar
    ``FY2026-P07``, ``FY2026-Q3``, ``FY2026``) for period ordinals."""
    if calendar is not None and freq is not Frequency.DAILY:
        return [str(x) for x in calendar.from_ordinals(ordinals, freq=freq).labels().tolist()]
    idx = _period_index(ordinals, freq)
    return [str(p) for p in idx.astype(str)]


def period_end_dates(
    ordinals: np.ndarray, freq: Frequency, *, calendar: FiscalCalendar | None = None
) -> np.ndarray:
    """The last day of each period, as ``datetime64[D]``."""
    if calendar is not None and freq is not Frequency.DAILY:
        return calendar.from_ordinals(ordinals, freq=freq).end
    idx = _period_index(ordinals, freq)
    return np.asarray(idx.end_time.to_numpy().astype("datetime64[D]"))


def bucket_labels(
    dates: npt.ArrayLike,
    freq: Frequency | str,
    calendar: FiscalCalendar | Scorecard | str | None = None,
) -> npt.NDArray[np.str_]:
    """The review-period label of each date: the calendar join table of raw facts.

    Parameters
    ----------
    dates
        Dates (``datetime64[D]`` or anything numpy turns into it; times of day are
        dropped). NaT gets the empty label ``""``, which is no period.
    freq
        The review frequency: a :class:`~balanced_scorecard.model.enums.Frequency`, its
        alias (``"Q"``) or name (``"quarterly"``).
    calendar
        A :class:`~balanced_scorecard.model.periods.FiscalCalendar`, a spec string
        (``"fiscal:4"``), a scorecard (its ``calendar``), or None for calendar months.

    Returns
    -------
    numpy.ndarray
        Labels as the evaluation shows them (same shape as ``dates``): ``2025-03``,
        ``2025Q1``, ``2025`` without a calendar, ``FY2026-P07``, ``FY2026-Q3``, ``FY2026``,
        ``FY2026-W05`` with one. Each distinct date is labelled once.

    Examples
    --------
    >>> days = np.array(["2026-05-10", "2026-03-31", "NaT"], dtype="datetime64[D]")
    >>> bucket_labels(days, "Q").tolist()
    ['2026Q2', '2026Q1', '']
    >>> bucket_labels(days, "Q", "fiscal year starting April").tolist()
    ['FY2027-Q1', 'FY2026-Q4', '']
    """
    frequency = Frequency.parse(freq)
    cal = _calendar_of(calendar)
    days = np.asarray(dates).astype("datetime64[D]")
    missing = np.isnat(days)
    # Raw facts repeat their dates: label each distinct day once and look the labels up.
    distinct, inverse = np.unique(days[~missing], return_inverse=True)
    ords = _day_ordinals(distinct.astype(np.int64), frequency, cal)
    periods, where = np.unique(ords, return_inverse=True)
    text = np.asarray(period_labels(periods, frequency, calendar=cal), dtype=np.str_)
    out = np.zeros(days.shape, dtype=text.dtype if text.size else "<U1")
    out[~missing] = text[where][inverse]
    return out


def bad_period_messages(
    values: pd.Series, bad: np.ndarray, freq: Frequency, *, calendar: FiscalCalendar | None
) -> str | np.ndarray:
    """Why the ``bad`` rows of a period column are not periods: one message per row (empty
    for the others), built once per distinct bad value; without a calendar the one message
    that lists the calendar-month label formats.

    Examples
    --------
    >>> msgs = bad_period_messages(pd.Series(["2026", "FY2026"]), np.array([True, False]),
    ...                            Frequency.MONTHLY, calendar=FiscalCalendar(start_month=4))
    >>> print(msgs[0])  # doctest: +NORMALIZE_WHITESPACE
    '2026' is ambiguous with the fiscal calendar 'fiscal:4': is it calendar 2026 or fiscal
    2026? Write 'FY2026' for the fiscal year (2025-04-01 to 2026-03-31), or a date such as
    '2026-01-15' for the review period that holds it
    >>> msgs[1]
    ''
    """
    if calendar is None:
        return _NOT_A_PERIOD
    if not bad.any():
        return ""
    out = np.full(len(values), "", dtype=object)
    codes, uniques = factorize(pd.Series(values)[bad].reset_index(drop=True))
    _, reasons = read_fiscal(pd.Series(uniques, dtype=object), freq, calendar)
    reasons = np.append(reasons, "period is empty")
    out[bad] = reasons[np.where(codes >= 0, codes, len(uniques))]
    return out


def _calendar_of(calendar: FiscalCalendar | Scorecard | str | None) -> FiscalCalendar | None:
    from balanced_scorecard.model.scorecard import Scorecard

    if isinstance(calendar, Scorecard):
        return calendar.calendar
    return to_calendar(calendar)


def _day_ordinals(days: np.ndarray, freq: Frequency, calendar: FiscalCalendar | None) -> np.ndarray:
    """Ordinals at ``freq`` of the periods holding day numbers (days since 1970-01-01)."""
    days = np.asarray(days, dtype=np.int64)
    if freq is Frequency.DAILY:
        return days  # a pandas daily period ordinal is the day number
    if calendar is None:
        index = pd.DatetimeIndex(days.astype("datetime64[D]"))
        return np.asarray(index.to_period(_alias(freq)).asi8, dtype=np.int64)
    return calendar.ordinals(days.astype("datetime64[D]"), freq=freq)
