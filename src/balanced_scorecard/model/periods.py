"""Fiscal calendars: which fiscal year, quarter, period and week a date falls in.

A scorecard's review periods follow its calendar (``Scorecard.calendar``). A
:class:`FiscalCalendar` maps arrays of dates to fiscal periods (vectorised: the work is
integer arithmetic on day numbers, never a Python loop per date) and turns period labels back
into their first and last day. Two families are supported.

**Calendar-month years** (``pattern=None``) start on the first day of ``start_month`` and run
for twelve calendar months. Fiscal period ``P01`` is the start month, ``P12`` the month before
it, and quarter 1 is the first three of them. With ``start_month=4``, FY2026 runs from
2025-04-01 to 2026-03-31 and FY2026-Q1 is April to June 2025. These calendars have no fiscal
weeks: asking for ``freq="W"`` or :meth:`FiscalCalendar.weeks_in_year` is a
:class:`~balanced_scorecard.exceptions.ModelError`.

**Retail (52/53-week) years** (``pattern`` ``"4-4-5"``, ``"4-5-4"`` or ``"5-4-4"``) are made of
whole weeks ending on ``week_end``. The year ends in the *end month*, the month before
``start_month``:

- ``year_end_rule="last"``: on the last ``week_end`` day on or before the end month's last day
  (e.g. the last Saturday of December);
- ``year_end_rule="nearest"``: on the ``week_end`` day nearest that last day, which may be up to
  three days into the next month (e.g. the Saturday nearest January 31, as in the NRF
  calendar, can be February 3).

A fiscal year runs from the day after the previous year end to its own year end, so
consecutive years touch and every year has 52 or 53 weeks. The pattern gives the weeks of the
three periods of each quarter (4-4-5: 4, 4 and 5 weeks; 13 weeks a quarter). **The 53rd week
goes into the last period of the year** (the common convention, used by the NRF): a 4-4-5
year's last quarter becomes 4-4-6, a 4-5-4 year's 4-5-5 and a 5-4-4 year's 5-4-5. Weeks are
numbered ``W01`` to ``W52`` or ``W53`` from the first day of the fiscal year; every week is a
full seven days.

**Naming.** ``year_label="end"`` (the default) names a fiscal year after the calendar year it
ends in, ``"start"`` after the year it starts in (the NRF's convention: its fiscal 2024 starts
in February 2024). For retail years this means the year of the nominal end (or start) month:
a year that ends on 2023-01-01 under the "nearest the end of December" rule is still fiscal
2022. With ``start_month=1`` both conventions give the same name.

**Labels** are ``FY2026`` (year), ``FY2026-Q3`` (quarter), ``FY2026-P07`` (fiscal month or
period) and ``FY2026-W05`` (week); :meth:`FiscalCalendar.period_bounds` reads them back.

**Spec strings** (:meth:`FiscalCalendar.from_spec`, :meth:`FiscalCalendar.to_spec`) write a
calendar in one short string for definition files: ``calendar``, ``fiscal:4`` (April to March)
and ``retail:4-5-4:feb:sat:nearest:start`` (the NRF calendar). The month in a spec is always
the month the fiscal year *starts* in, as in ``start_month``. The phrase ``fiscal year
starting April`` is read as ``fiscal:4``.

**Period ordinals.** :meth:`FiscalCalendar.ordinals` numbers periods on one unbroken axis
(``year * 4 + quarter - 1`` for quarters, the week count for weeks), so the evaluation can
treat fiscal periods as it treats calendar months: consecutive integers.
:meth:`FiscalCalendar.from_ordinals` turns them back into labels and bounds.

This module is part of the model: numpy only, no pandas (pandas Series and Index are
accepted as dates through their ``to_numpy``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, TypeAlias

import attrs
import numpy as np
import numpy.typing as npt

from balanced_scorecard.exceptions import ModelError
from balanced_scorecard.model.enums import Frequency

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["FISCAL_LABEL_PATTERN", "Dates", "FiscalCalendar", "FiscalPeriods", "to_calendar"]

#: What the date arguments accept: a date, ISO text (``"2026-03-31"``), ``datetime64``, or an
#: array, list, pandas Series or Index of them.
Dates: TypeAlias = (
    "date | np.datetime64 | str | Sequence[date | np.datetime64 | str] | npt.NDArray[Any]"
    " | pd.Series[Any] | pd.Index[Any]"
)

_IntArray: TypeAlias = npt.NDArray[np.int64]

_PATTERNS: dict[str, tuple[int, int, int]] = {
    "4-4-5": (4, 4, 5),
    "4-5-4": (4, 5, 4),
    "5-4-4": (5, 4, 4),
}
_WEEKDAYS = ("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN")
_WEEKDAY_NAMES = {
    **{d: d for d in _WEEKDAYS},
    **{
        name.upper(): name[:3].upper()
        for name in (
            "monday",
            "tuesday",
            "wednesday",
            "thursday",
            "friday",
            "saturday",
            "sunday",
        )
    },
}
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_MONTH_NAMES = {
    "january": 1,
    "february": 2,
    "march": 3,
    "april": 4,
    "june": 6,
    "july": 7,
    "august": 8,
    "september": 9,
    "october": 10,
    "november": 11,
    "december": 12,
    **{m: i + 1 for i, m in enumerate(_MONTHS)},
}
_FREQS = {
    "Y": "Y",
    "Q": "Q",
    "P": "P",
    "M": "P",
    "W": "W",
    Frequency.YEARLY: "Y",
    Frequency.QUARTERLY: "Q",
    Frequency.MONTHLY: "P",
    Frequency.WEEKLY: "W",
}
#: The grammar of fiscal labels (case-insensitive): year, then ``Q``/``P``/``W`` and a number.
FISCAL_LABEL_PATTERN = r"^\s*[Ff][Yy](\d{4})(?:-([QqPpWw])(\d{1,2}))?\s*$"
_LABEL = re.compile(FISCAL_LABEL_PATTERN)
# "fiscal year starting April", "fiscal year starts in july": the phrase for ``fiscal:<m>``.
_PHRASE = re.compile(r"^fiscal\s+year\s+(?:starting|starts|beginning|begins)\s+(?:in\s+)?(\w+)$")
_LABEL_FORMATS = (
    "'FY2026' (year), 'FY2026-Q3' (quarter 1-4), 'FY2026-P07' (period 01-12) "
    "or 'FY2026-W05' (week 01-53, retail calendars only)"
)
_SPEC_FORMATS = (
    "'calendar' (January to December); "
    "'fiscal year starting <month>', e.g. 'fiscal year starting April'; "
    "'fiscal:<start month>[:end|start]', e.g. 'fiscal:4' (April to March, named by the year it "
    "ends in); "
    "'retail:<4-4-5|4-5-4|5-4-4>:<start month>:<week end day>:<last|nearest>[:end|start]', "
    "e.g. 'retail:4-4-5:jan:sat:last' or the NRF calendar 'retail:4-5-4:feb:sat:nearest:start'"
)
# 1970-01-01, day 0 of datetime64[D], was a Thursday (Monday = 0).
_EPOCH_WEEKDAY = 3
_EPOCH = date(1970, 1, 1)


def _check_start_month(_: object, __: attrs.Attribute[int], value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or not 1 <= value <= 12:
        raise ModelError(
            f"start_month {value!r} is not a month; give the month the fiscal year starts in "
            "as 1 (January) to 12 (December)"
        )


def _check_pattern(_: object, __: attrs.Attribute[str | None], value: str | None) -> None:
    if value is not None and value not in _PATTERNS:
        raise ModelError(
            f"pattern {value!r} is not a retail pattern; use '4-4-5', '4-5-4' or '5-4-4', "
            "or None for calendar months"
        )


def _to_weekday(value: object) -> object:
    # Accept "sat", "Saturday" and "SAT" alike; anything else is left for the validator.
    if isinstance(value, str):
        return _WEEKDAY_NAMES.get(value.strip().upper(), value)
    return value


def _check_weekday(_: object, __: attrs.Attribute[str], value: str) -> None:
    if value not in _WEEKDAYS:
        raise ModelError(f"week_end {value!r} is not a weekday; use one of {', '.join(_WEEKDAYS)}")


def _lower(value: object) -> object:
    return value.strip().lower() if isinstance(value, str) else value


def _check_rule(_: object, __: attrs.Attribute[str], value: str) -> None:
    if value not in ("last", "nearest"):
        raise ModelError(
            f"year_end_rule {value!r} is not a rule; use 'last' (the last week-end day of the "
            "end month) or 'nearest' (the week-end day nearest the end of the end month)"
        )


def _check_label(_: object, __: attrs.Attribute[str], value: str) -> None:
    if value not in ("end", "start"):
        raise ModelError(
            f"year_label {value!r} is not a naming rule; use 'end' (name a fiscal year after "
            "the calendar year it ends in) or 'start' (after the year it starts in)"
        )


@attrs.frozen(kw_only=True, eq=False)
class FiscalPeriods:
    """Fiscal periods of an array of dates, as returned by :meth:`FiscalCalendar.period`.

    Attributes
    ----------
    year
        Fiscal year of each date, as named by the calendar's ``year_label`` (int64).
    number
        Number of the period within its year: quarter 1-4, period 1-12, week 1-53, or 1 for
        years (int64).
    start, end
        First and last day of each date's period (``datetime64[D]``, both inclusive).
    freq
        ``"Y"``, ``"Q"``, ``"P"`` or ``"W"``.
    """

    year: _IntArray
    number: _IntArray
    start: npt.NDArray[np.datetime64]
    end: npt.NDArray[np.datetime64]
    freq: str

    def __len__(self) -> int:
        return len(self.year)

    def labels(self) -> npt.NDArray[np.str_]:
        """Period labels: ``FY2026``, ``FY2026-Q3``, ``FY2026-P07`` or ``FY2026-W05``.

        Examples
        --------
        >>> cal = FiscalCalendar(start_month=4)
        >>> cal.period(["2025-04-01", "2026-03-31"], freq="P").labels().tolist()
        ['FY2026-P01', 'FY2026-P12']
        """
        if self.year.size == 0:
            return np.zeros(self.year.shape, dtype="<U10")
        # Text is slow per element, so each distinct period is formatted once, in a table of
        # every (year, number) between the first and last year, and the labels are looked up.
        per_year = {"Y": 1, "Q": 4, "P": 12, "W": 53}[self.freq]
        first = int(self.year.min())
        years = np.repeat(np.arange(first, int(self.year.max()) + 1), per_year)
        text = np.strings.add("FY", np.strings.zfill(years.astype(np.str_), 4))
        if self.freq != "Y":
            numbers = np.tile(np.arange(1, per_year + 1), len(text) // per_year)
            width = 1 if self.freq == "Q" else 2
            text = np.strings.add(
                np.strings.add(text, f"-{self.freq}"),
                np.strings.zfill(numbers.astype(np.str_), width),
            )
        labels: npt.NDArray[np.str_] = text[(self.year - first) * per_year + self.number - 1]
        return labels


@attrs.frozen(kw_only=True)
class FiscalCalendar:
    """A fiscal calendar: calendar months from any start month, or retail 52/53-week years.

    The conventions (year naming, where the 53rd week goes, label formats) are described in
    the documentation of the module ``balanced_scorecard.model.periods`` and in the how-to
    page on fiscal calendars. A scorecard's ``calendar`` is one of these (or None).

    Parameters
    ----------
    start_month
        Month the fiscal year starts in, 1 (January) to 12 (December). For retail calendars it
        is the nominal start month; the year *ends* in the month before it.
    pattern
        ``None`` for calendar months, or ``"4-4-5"``, ``"4-5-4"``, ``"5-4-4"``: the weeks of the
        three periods of each quarter of a retail year.
    week_end
        Retail only: the weekday each fiscal week ends on (``"SAT"``; full names and any case
        are accepted).
    year_end_rule
        Retail only: ``"last"`` (the year ends on the last ``week_end`` day on or before the
        end of the end month) or ``"nearest"`` (on the ``week_end`` day nearest the end of the
        end month).
    year_label
        ``"end"`` names a fiscal year after the calendar year it ends in, ``"start"`` after the
        year it starts in.

    Raises
    ------
    ModelError
        If a field is out of range, or ``week_end`` / ``year_end_rule`` are set on a
        calendar-month calendar (where they would have no effect).

    Examples
    --------
    >>> cal = FiscalCalendar(start_month=4)
    >>> cal.label(["2026-03-31", "2026-04-01"], freq="Q").tolist()
    ['FY2026-Q4', 'FY2027-Q1']
    >>> nrf = FiscalCalendar.from_spec("retail:4-5-4:feb:sat:nearest:start")
    >>> nrf.bounds(2023), nrf.weeks_in_year(2023)
    ((datetime.date(2023, 1, 29), datetime.date(2024, 2, 3)), 53)
    """

    start_month: int = attrs.field(default=1, validator=_check_start_month)
    pattern: str | None = attrs.field(default=None, validator=_check_pattern)
    week_end: str = attrs.field(default="SAT", converter=_to_weekday, validator=_check_weekday)
    year_end_rule: str = attrs.field(default="last", converter=_lower, validator=_check_rule)
    year_label: str = attrs.field(default="end", converter=_lower, validator=_check_label)

    def __attrs_post_init__(self) -> None:
        if self.pattern is None and (self.week_end != "SAT" or self.year_end_rule != "last"):
            raise ModelError(
                f"week_end={self.week_end!r} and year_end_rule={self.year_end_rule!r} apply "
                "only to retail calendars; set pattern='4-4-5', '4-5-4' or '5-4-4' for a "
                "52/53-week year, or leave them at their defaults for calendar months"
            )

    # -- construction from and to spec strings -------------------------------------------

    @classmethod
    def from_spec(cls, text: str) -> FiscalCalendar:
        """A calendar from a short spec string, as written in definition files.

        Accepted formats (case-insensitive; months as ``4``, ``apr`` or ``april``):

        - ``calendar``: January to December;
        - ``fiscal:<start month>[:end|start]``: calendar months from the start month, e.g.
          ``fiscal:4`` (April to March, named by the year it ends in);
        - ``retail:<pattern>:<start month>:<week end day>:<last|nearest>[:end|start]``, e.g.
          ``retail:4-4-5:jan:sat:last``; fields after the pattern may be left off from the
          right (defaults ``jan``, ``sat``, ``last``, ``end``).
        - the phrase ``fiscal year starting <month>`` (``starts``, ``beginning`` and ``in`` are
          accepted too), the same as ``fiscal:<month>``.

        Raises
        ------
        ModelError
            If the text is not one of the formats; the message lists them.

        Examples
        --------
        >>> FiscalCalendar.from_spec("fiscal:4")
        FiscalCalendar(start_month=4, pattern=None, week_end='SAT', year_end_rule='last', \
year_label='end')
        >>> FiscalCalendar.from_spec("retail:4-4-5:feb:sat:last").pattern
        '4-4-5'
        >>> FiscalCalendar.from_spec("fiscal year starting April").to_spec()
        'fiscal:4'
        """
        if not isinstance(text, str):
            raise ModelError(f"fiscal calendar spec {text!r} is not text; write {_SPEC_FORMATS}")
        phrase = _PHRASE.match(" ".join(text.lower().split()))
        if phrase:
            return cls._build(text, start_month=_spec_month(text, phrase[1]))
        parts = [p.strip() for p in text.strip().lower().split(":")]
        kind, args = parts[0], parts[1:]
        if kind == "calendar" and not args:
            return cls()
        if kind == "fiscal" and 1 <= len(args) <= 2:
            return cls._build(
                text,
                start_month=_spec_month(text, args[0]),
                year_label=args[1] if len(args) > 1 else "end",
            )
        if kind == "retail" and 1 <= len(args) <= 5:
            defaults = ["", "jan", "sat", "last", "end"]
            pattern, month, week_end, rule, label = args + defaults[len(args) :]
            return cls._build(
                text,
                start_month=_spec_month(text, month),
                pattern=pattern,
                week_end=week_end,
                year_end_rule=rule,
                year_label=label,
            )
        raise ModelError(f"{text!r} is not a fiscal calendar spec; write {_SPEC_FORMATS}")

    @classmethod
    def _build(cls, text: str, **fields: Any) -> FiscalCalendar:
        try:
            return cls(**fields)
        except ModelError as err:
            raise ModelError(
                f"fiscal calendar spec {text!r}: {err}; formats: {_SPEC_FORMATS}"
            ) from None

    def to_spec(self) -> str:
        """The spec string :meth:`from_spec` reads back into an equal calendar.

        Examples
        --------
        >>> FiscalCalendar(start_month=2, pattern="4-5-4", year_end_rule="nearest").to_spec()
        'retail:4-5-4:feb:sat:nearest'
        >>> FiscalCalendar(start_month=4).to_spec()
        'fiscal:4'
        """
        label = ":start" if self.year_label == "start" else ""
        if self.pattern is None:
            if self.start_month == 1 and not label:
                return "calendar"
            return f"fiscal:{self.start_month}{label}"
        month = _MONTHS[self.start_month - 1]
        return f"retail:{self.pattern}:{month}:{self.week_end.lower()}:{self.year_end_rule}{label}"

    # -- public queries ------------------------------------------------------------------

    @property
    def is_retail(self) -> bool:
        """Whether the years are made of whole weeks (a ``pattern`` is set)."""
        return self.pattern is not None

    @property
    def end_month(self) -> int:
        """The month the fiscal year (nominally) ends in: the month before ``start_month``."""
        return (self.start_month - 2) % 12 + 1

    def fiscal_year(self, dates: Dates) -> _IntArray:
        """Fiscal year of each date, named as ``year_label`` says.

        Parameters
        ----------
        dates
            A date or array-like of dates (``datetime64``, ``datetime.date``, pandas
            timestamps, ISO text such as ``"2026-03-31"``). Times of day are ignored;
            time-zone-aware pandas stamps count by their local date.

        Examples
        --------
        >>> FiscalCalendar(start_month=7).fiscal_year(["2025-06-30", "2025-07-01"]).tolist()
        [2025, 2026]
        """
        days = _to_days(dates)
        grid, first_year = self._grid(days)
        end_year = first_year + np.searchsorted(grid[::12], days, side="right") - 1
        return self._label_year(end_year)

    def period(self, dates: Dates, *, freq: str | Frequency) -> FiscalPeriods:
        """The fiscal period of each date at ``freq``, with its year, number and bounds.

        Parameters
        ----------
        dates
            A date or array-like of dates (see :meth:`fiscal_year`).
        freq
            ``"Y"`` (year), ``"Q"`` (quarter), ``"P"`` (fiscal month or period; ``"M"`` is
            accepted too) or ``"W"`` (week, retail calendars only); or a
            :class:`~balanced_scorecard.model.enums.Frequency`.

        Raises
        ------
        ModelError
            If ``freq`` is not one of these, ``freq="W"`` is asked of a calendar-month
            calendar, or a date is missing or unreadable.

        Examples
        --------
        >>> cal = FiscalCalendar(start_month=1, pattern="4-4-5")
        >>> p = cal.period(["2022-12-31"], freq="P")
        >>> p.year.tolist(), p.number.tolist(), p.start.tolist(), p.end.tolist()
        ([2022], [12], [datetime.date(2022, 11, 20)], [datetime.date(2022, 12, 31)])
        """
        code = _freq(freq)
        if code == "W":
            self._require_retail("fiscal weeks (freq='W')")
        days = _to_days(dates)
        grid, first_year = self._grid(days)
        # Index of each day's fiscal period (P) in the grid; coarser periods are runs of them.
        index = np.searchsorted(grid, days, side="right") - 1
        year = first_year + index // 12
        if code == "W":
            year_start = grid[::12][index // 12]
            number = (days - year_start) // 7 + 1
            start = year_start + 7 * (number - 1)
            end = start + 6
        else:
            step = {"P": 1, "Q": 3, "Y": 12}[code]
            edges = grid[::step]
            run = index // step
            number = run % (12 // step) + 1
            start, end = edges[run], edges[run + 1] - 1
        return FiscalPeriods(
            year=self._label_year(year),
            number=number.astype(np.int64),
            start=start.astype("datetime64[D]"),
            end=end.astype("datetime64[D]"),
            freq=code,
        )

    def label(self, dates: Dates, *, freq: str | Frequency) -> npt.NDArray[np.str_]:
        """Label of each date's fiscal period: ``FY2026``, ``FY2026-Q3``, ``FY2026-P07`` or
        ``FY2026-W05`` (see :meth:`period` for the arguments).

        Examples
        --------
        >>> cal = FiscalCalendar(start_month=4)
        >>> cal.label(np.array(["2026-03-31", "2026-04-01"], dtype="datetime64[D]"),
        ...           freq="P").tolist()
        ['FY2026-P12', 'FY2027-P01']
        """
        return self.period(dates, freq=freq).labels()

    def ordinals(self, dates: Dates, *, freq: str | Frequency) -> _IntArray:
        """Position of each date's period on one unbroken axis of periods at ``freq``.

        Consecutive periods get consecutive integers, across year ends too: a year is its
        fiscal year, a quarter ``fiscal_year * 4 + quarter - 1``, a period
        ``fiscal_year * 12 + period - 1`` and a week the number of whole weeks (ending on
        ``week_end``) since the one that holds 1970-01-01. Evaluations index review periods
        by these numbers; :meth:`from_ordinals` reads them back.

        Examples
        --------
        >>> cal = FiscalCalendar(start_month=4)
        >>> cal.ordinals(["2026-03-31", "2026-04-01"], freq="Q").tolist()
        [8107, 8108]
        >>> cal.from_ordinals([8107, 8108], freq="Q").labels().tolist()
        ['FY2026-Q4', 'FY2027-Q1']
        """
        code = _freq(freq)
        if code == "W":
            self._require_retail("fiscal weeks (freq='W')")
            weeks: _IntArray = (_to_days(dates) + _EPOCH_WEEKDAY - self._week_start()) // 7
            return weeks
        p = self.period(dates, freq=code)
        per_year = {"Y": 1, "Q": 4, "P": 12}[code]
        return p.year * per_year + p.number - 1

    def from_ordinals(self, ordinals: npt.ArrayLike, *, freq: str | Frequency) -> FiscalPeriods:
        """The periods that :meth:`ordinals` numbered: year, number, bounds and labels.

        Examples
        --------
        >>> nrf = FiscalCalendar.from_spec("retail:4-5-4:feb:sat:nearest:start")
        >>> w = nrf.ordinals(["2024-02-03", "2024-02-04"], freq="W")
        >>> (w[1] - w[0]).item(), nrf.from_ordinals(w, freq="W").labels().tolist()
        (1, ['FY2023-W53', 'FY2024-W01'])
        """
        code = _freq(freq)
        ords = np.atleast_1d(np.asarray(ordinals, dtype=np.int64))
        if code == "W":
            self._require_retail("fiscal weeks (freq='W')")
            first = 7 * ords + self._week_start() - _EPOCH_WEEKDAY
            return self.period(first.astype("datetime64[D]"), freq="W")
        per_year = {"Y": 1, "Q": 4, "P": 12}[code]
        year, number = ords // per_year, ords % per_year + 1
        # One row of period starts per distinct year, looked up by every ordinal.
        years, inverse = np.unique(year, return_inverse=True)
        table = self._table(years + self._label_shift())
        step = 12 // per_year
        start = table[inverse, (number - 1) * step]
        end = table[inverse, number * step] - 1
        return FiscalPeriods(
            year=year,
            number=number,
            start=start.astype("datetime64[D]"),
            end=end.astype("datetime64[D]"),
            freq=code,
        )

    def bounds(self, fiscal_year: int) -> tuple[date, date]:
        """First and last day of a fiscal year (named as ``year_label`` says).

        Examples
        --------
        >>> FiscalCalendar(start_month=4).bounds(2026)
        (datetime.date(2025, 4, 1), datetime.date(2026, 3, 31))
        >>> FiscalCalendar(start_month=1, pattern="4-4-5").bounds(2022)
        (datetime.date(2021, 12, 26), datetime.date(2022, 12, 31))
        """
        end_year = self._end_year(_check_year(fiscal_year))
        first = int(self._year_end(end_year - 1)[0]) + 1
        last = int(self._year_end(end_year)[0])
        return _to_date(first), _to_date(last)

    def weeks_in_year(self, fiscal_year: int) -> int:
        """Number of weeks, 52 or 53, of a retail fiscal year.

        Raises
        ------
        ModelError
            For calendar-month calendars, whose years are not made of whole weeks.

        Examples
        --------
        >>> cal = FiscalCalendar(start_month=1, pattern="4-4-5")
        >>> [cal.weeks_in_year(y) for y in (2021, 2022, 2023)]
        [52, 53, 52]
        """
        self._require_retail("weeks_in_year")
        first, last = self.bounds(fiscal_year)
        return ((last - first).days + 1) // 7

    def period_bounds(self, label: str) -> tuple[date, date]:
        """First and last day of the period a label names.

        Parameters
        ----------
        label
            ``FY2026``, ``FY2026-Q3``, ``FY2026-P07`` or ``FY2026-W05`` (case-insensitive;
            the leading zero may be left off).

        Raises
        ------
        ModelError
            If the label is in none of these formats or names a period the year does not
            have (a quarter 5, a week 53 of a 52-week year); the message lists the formats.

        Examples
        --------
        >>> FiscalCalendar(start_month=4).period_bounds("FY2026-Q1")
        (datetime.date(2025, 4, 1), datetime.date(2025, 6, 30))
        """
        m = _LABEL.match(label) if isinstance(label, str) else None
        if m is None:
            raise ModelError(f"{label!r} is not a fiscal period label; write {_LABEL_FORMATS}")
        year = int(m[1])
        first_day, last_day = self.bounds(year)
        if m[2] is None:
            return first_day, last_day
        code, number = m[2].upper(), int(m[3])
        if code == "W":
            self._require_retail(f"the week label {label!r}")
            most = self.weeks_in_year(year)
        else:
            most = {"Q": 4, "P": 12}[code]
        if not 1 <= number <= most:
            raise ModelError(
                f"{label!r} names {code}{number}, but FY{year} has {code}1 to {code}{most}; "
                f"write {_LABEL_FORMATS}"
            )
        if code == "W":
            first = first_day + timedelta(weeks=number - 1)
            return first, first + timedelta(days=6)
        step = {"Q": 3, "P": 1}[code]
        edges = self._table(self._end_year(year))[0, ::step]
        return _to_date(int(edges[number - 1])), _to_date(int(edges[number]) - 1)

    # -- the arithmetic ------------------------------------------------------------------
    # Everything below works on int64 day numbers (days since 1970-01-01) and on "end years":
    # the calendar year of the month a fiscal year nominally ends in. Labels are converted at
    # the edges, so only one naming rule exists inside.

    def _label_year(self, end_year: _IntArray) -> _IntArray:
        return end_year - self._label_shift()

    def _end_year(self, fiscal_year: int) -> _IntArray:
        return np.array([fiscal_year + self._label_shift()], dtype=np.int64)

    def _label_shift(self) -> int:
        # A year starting in January starts and ends in the same calendar year.
        return int(self.year_label == "start" and self.start_month != 1)

    def _year_end(self, end_year: _IntArray) -> _IntArray:
        """Last day of the fiscal years that end in the given calendar years."""
        month = (end_year - 1970) * 12 + (self.end_month - 1)
        last = _month_start(month + 1) - 1
        if not self.is_retail:
            return last
        weekday = (last + _EPOCH_WEEKDAY) % 7
        target = _WEEKDAYS.index(self.week_end)
        if self.year_end_rule == "last":
            return last - (weekday - target) % 7
        ahead = (target - weekday) % 7
        # Seven is odd, so "nearest" never ties: at most three days either way.
        return last + np.where(ahead <= 3, ahead, ahead - 7)

    def _table(self, end_years: _IntArray) -> _IntArray:
        """First day of each of the twelve periods of each fiscal year, and the day after the
        year: shape ``(len(end_years), 13)``."""
        first = self._year_end(end_years - 1) + 1
        if self.is_retail:
            assert self.pattern is not None
            weeks = np.tile(np.array(_PATTERNS[self.pattern], dtype=np.int64), 4)
            offsets = 7 * np.concatenate([[0], np.cumsum(weeks)[:-1]])
            starts = first[:, None] + offsets
        else:
            first_month = (end_years - 1970) * 12 + self.end_month - 12
            starts = _month_start(first_month[:, None] + np.arange(12))
        # The day after the year is where the last period ends, so a 53rd week joins it.
        return np.concatenate([starts, self._year_end(end_years)[:, None] + 1], axis=1)

    def _grid(self, days: _IntArray) -> tuple[_IntArray, int]:
        """Sorted first days of every fiscal period (P) of the years spanning ``days``, closed
        by the day after the last year, and the end year of the first of those years."""
        if days.size:
            lo, hi = _year_of(int(days.min())), _year_of(int(days.max()))
        else:
            lo = hi = 1970
        # A year end lies within days of its end month's end, so the fiscal years ending from
        # the calendar year before the first date to the one after the last cover them all.
        years = np.arange(lo - 1, hi + 2, dtype=np.int64)
        table = self._table(years)
        return np.concatenate([table[:, :12].ravel(), table[-1:, 12]]), lo - 1

    def _week_start(self) -> int:
        """Weekday (Monday = 0) every fiscal week starts on: the day after ``week_end``."""
        return (_WEEKDAYS.index(self.week_end) + 1) % 7

    def _require_retail(self, what: str) -> None:
        if not self.is_retail:
            raise ModelError(
                f"{what} needs a retail calendar made of whole weeks, but {self.to_spec()!r} "
                "has calendar months; use a pattern ('4-4-5', '4-5-4' or '5-4-4'), e.g. "
                f"'retail:4-4-5:{_MONTHS[self.start_month - 1]}:sat:last', or freq 'P'"
            )


def to_calendar(value: object) -> FiscalCalendar | None:
    """Converter of ``Scorecard.calendar``: a :class:`FiscalCalendar`, a spec string (see
    :meth:`FiscalCalendar.from_spec`), a mapping of its fields, or None.

    Plain calendar months from January (the spec ``calendar``) are the default and become
    None, so there is one way to say "no fiscal calendar".

    Examples
    --------
    >>> to_calendar("fiscal year starting April").to_spec()
    'fiscal:4'
    >>> to_calendar("calendar") is None
    True
    """
    if value is None:
        return None
    if isinstance(value, FiscalCalendar):
        calendar = value
    elif isinstance(value, str):
        calendar = FiscalCalendar.from_spec(value)
    elif isinstance(value, Mapping):
        try:
            calendar = FiscalCalendar(**value)
        except TypeError as err:
            raise ModelError(
                f"calendar {dict(value)!r}: {err}; give start_month, pattern, week_end, "
                f"year_end_rule and year_label, or a spec string: {_SPEC_FORMATS}"
            ) from None
    else:
        raise ModelError(
            f"calendar {value!r} is not a calendar; give a FiscalCalendar or a spec string: "
            f"{_SPEC_FORMATS}"
        )
    return None if calendar == FiscalCalendar() else calendar


def _freq(freq: str | Frequency) -> str:
    key = freq if isinstance(freq, Frequency) else str(freq).strip().upper()
    if key not in _FREQS:
        raise ModelError(
            f"freq {freq!r} is not a fiscal period; use 'Y' (year), 'Q' (quarter), "
            "'P' (fiscal month or period) or 'W' (week)"
        )
    return _FREQS[key]


def _spec_month(text: str, value: str) -> int:
    month = int(value) if value.isdigit() else _MONTH_NAMES.get(value, 0)
    if not 1 <= month <= 12:
        raise ModelError(
            f"fiscal calendar spec {text!r}: {value!r} is not a month; write 1-12 or a name "
            f"such as 'apr'; formats: {_SPEC_FORMATS}"
        )
    return month


def _check_year(fiscal_year: int) -> int:
    if isinstance(fiscal_year, bool) or not isinstance(fiscal_year, int | np.integer):
        raise ModelError(f"fiscal year {fiscal_year!r} is not a year; give it as an int, e.g. 2026")
    if not 1 <= fiscal_year <= 9998:
        raise ModelError(f"fiscal year {fiscal_year!r} is out of range; use 1 to 9998")
    return int(fiscal_year)


def _year_of(day: int) -> int:
    """Calendar year of one day number."""
    return int(np.datetime64(day, "D").astype("datetime64[Y]").astype(np.int64)) + 1970


def _month_start(month: _IntArray) -> _IntArray:
    """Day number of the first day of months counted from January 1970."""
    return month.astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)


def _to_date(day: int) -> date:
    return _EPOCH + timedelta(days=day)


def _to_days(dates: Dates) -> _IntArray:
    """Day numbers (days since 1970-01-01) of dates, at least one-dimensional."""
    values: Any = dates
    # pandas columns are taken by duck typing, so the model needs no pandas import.
    if getattr(getattr(values, "dtype", None), "tz", None) is not None:
        # The local date is the business day a time-zone-aware stamp belongs to.
        values = values.dt.tz_localize(None) if hasattr(values, "dt") else values.tz_localize(None)
    if hasattr(values, "to_numpy"):
        values = values.to_numpy()
    array = np.atleast_1d(np.asarray(values))
    try:
        days = array.astype("datetime64[D]")
    except (ValueError, TypeError, OverflowError):
        where, value = _first_bad(array.ravel())
        raise ModelError(
            f"dates[{where}] = {value!r} is not a date; pass datetime64, datetime.date, "
            "pandas timestamps or ISO text such as '2026-03-31'"
        ) from None
    missing = np.isnat(days)
    if missing.any():
        where = int(np.flatnonzero(missing.ravel())[0])
        raise ModelError(
            f"dates[{where}] is missing ({array.ravel()[where]!r}); drop or fill missing dates "
            "before assigning fiscal periods"
        )
    return days.astype(np.int64)


def _first_bad(values: npt.NDArray[Any]) -> tuple[int, object]:
    """Position and value of the first entry that is not a date."""
    # A loop, but only on the error path and only up to the culprit: the message should name
    # the value, and numpy's own error does not say where it is.
    for i, value in enumerate(values):
        try:
            np.datetime64(value, "D")
        except (ValueError, TypeError, OverflowError):
            return i, value.item() if isinstance(value, np.generic) else value
    return 0, values[0] if len(values) else None
