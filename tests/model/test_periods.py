"""Fiscal calendars against hand-worked references and the properties every calendar must keep.

The references below were worked out by hand from the weekday of each month end (the
reasoning is in the comments), not by running the code under test; the NRF ones also match
the NRF's published 4-5-4 calendar.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from balanced_scorecard.exceptions import ModelError
from balanced_scorecard.model.enums import Frequency
from balanced_scorecard.model.periods import FiscalCalendar, FiscalPeriods

WEEKDAYS = ["MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"]
NRF = FiscalCalendar(
    start_month=2, pattern="4-5-4", week_end="SAT", year_end_rule="nearest", year_label="start"
)
# 4-4-5, years ending on the last Saturday of December.
DEC_445 = FiscalCalendar(start_month=1, pattern="4-4-5", week_end="SAT", year_end_rule="last")
APRIL = FiscalCalendar(start_month=4)

calendar_months = st.builds(
    FiscalCalendar,
    start_month=st.integers(1, 12),
    year_label=st.sampled_from(["end", "start"]),
)
retail = st.builds(
    FiscalCalendar,
    start_month=st.integers(1, 12),
    pattern=st.sampled_from(["4-4-5", "4-5-4", "5-4-4"]),
    week_end=st.sampled_from(WEEKDAYS),
    year_end_rule=st.sampled_from(["last", "nearest"]),
    year_label=st.sampled_from(["end", "start"]),
)
calendars = st.one_of(calendar_months, retail)
days = st.dates(min_value=date(1901, 1, 1), max_value=date(2199, 12, 31))
fiscal_years = st.integers(1902, 2198)


def freqs(cal: FiscalCalendar) -> list[str]:
    return ["Y", "Q", "P", "W"] if cal.is_retail else ["Y", "Q", "P"]


def d(text: str) -> date:
    return date.fromisoformat(text)


def one(cal: FiscalCalendar, day: str, freq: str) -> tuple[str, date, date]:
    p = cal.period([day], freq=freq)
    return str(p.labels()[0]), p.start[0].item(), p.end[0].item()


# -- hand-worked references ----------------------------------------------------------------


def test_nrf_fiscal_2023_has_53_weeks_and_2024_has_52() -> None:
    # Jan 31 2023 is a Tuesday: the nearest Saturday is Jan 28 (3 days back; Feb 4 is 4 ahead),
    # so fiscal 2022 ends 2023-01-28 and fiscal 2023 starts Sunday 2023-01-29.
    # Jan 31 2024 is a Wednesday: the nearest Saturday is Feb 3 (3 ahead; Jan 27 is 4 back).
    # 2023-01-29 .. 2024-02-03 is 371 days = 53 weeks.
    # Jan 31 2025 is a Friday: nearest Saturday Feb 1, so fiscal 2024 is 2024-02-04 ..
    # 2025-02-01 = 364 days = 52 weeks.
    assert NRF.bounds(2023) == (d("2023-01-29"), d("2024-02-03"))
    assert NRF.weeks_in_year(2023) == 53
    assert NRF.bounds(2024) == (d("2024-02-04"), d("2025-02-01"))
    assert NRF.weeks_in_year(2024) == 52
    # The NRF names a year by the calendar year it starts in.
    assert NRF.fiscal_year(["2024-02-03", "2024-02-04"]).tolist() == [2023, 2024]


def test_nrf_53rd_week_goes_into_january() -> None:
    # 4-5-4 from 2023-01-29: Feb = weeks 1-4 (Jan 29 .. Feb 25), Mar = weeks 5-9 (Feb 26 ..
    # Apr 1). Periods 1-11 hold 4+5+4 * 3 + 4 + 5 = 48 weeks, so January (P12) starts
    # 48 weeks after Jan 29 = 2023-12-31 and, with the 53rd week, runs 5 weeks to 2024-02-03.
    assert NRF.period_bounds("FY2023-P01") == (d("2023-01-29"), d("2023-02-25"))
    assert NRF.period_bounds("FY2023-P02") == (d("2023-02-26"), d("2023-04-01"))
    assert NRF.period_bounds("FY2023-P12") == (d("2023-12-31"), d("2024-02-03"))
    assert NRF.period_bounds("FY2023-Q4") == (d("2023-10-29"), d("2024-02-03"))
    assert NRF.period_bounds("FY2023-W53") == (d("2024-01-28"), d("2024-02-03"))
    assert one(NRF, "2024-02-03", "W") == ("FY2023-W53", d("2024-01-28"), d("2024-02-03"))
    # In the 52-week fiscal 2024 January is the plain 4 weeks: 2025-01-05 .. 2025-02-01.
    assert NRF.period_bounds("FY2024-P12") == (d("2025-01-05"), d("2025-02-01"))


def test_nrf_53_week_years_follow_the_nearest_saturday_rule() -> None:
    # 53 weeks when the year end jumps from 3 days before Jan 31 to 3 days after (Jan 31 of
    # the following year on a Wednesday, a Tuesday a year earlier), or by 5 days over a
    # Feb 29: fiscal 2012 runs 2012-01-29 .. 2013-02-02 (Jan 31 2012 Tue, Jan 31 2013 Thu).
    # 1995 .. 2023 are the NRF's published 53-week years; 2028 follows by the same rule
    # (Jan 31 2028 a Monday -> Jan 29; Jan 31 2029 a Wednesday -> Feb 3; 366 + 5 = 371 days).
    assert [y for y in range(1990, 2034) if NRF.weeks_in_year(y) == 53] == [
        1995,
        2000,
        2006,
        2012,
        2017,
        2023,
        2028,
    ]
    assert NRF.bounds(2012) == (d("2012-01-29"), d("2013-02-02"))


def test_445_last_saturday_of_december() -> None:
    # Dec 31 2021 is a Friday: fiscal 2021 ends Saturday Dec 25 2021. Dec 31 2022 is a
    # Saturday, so fiscal 2022 is 2021-12-26 .. 2022-12-31 = 371 days = 53 weeks.
    assert DEC_445.bounds(2022) == (d("2021-12-26"), d("2022-12-31"))
    assert DEC_445.weeks_in_year(2022) == 53
    # Q1 = 13 weeks = 91 days: Dec 26 + 90 days = Mar 26 (6 days to Jan 1, then 84 = 31 + 28
    # + 25). P12 starts after 47 weeks (Dec 26 + 329 days = Nov 20) and with week 53 runs
    # 6 weeks to Dec 31: the last quarter is 4-4-6.
    assert DEC_445.period_bounds("FY2022-P01") == (d("2021-12-26"), d("2022-01-22"))
    assert DEC_445.period_bounds("FY2022-Q1") == (d("2021-12-26"), d("2022-03-26"))
    assert DEC_445.period_bounds("FY2022-P12") == (d("2022-11-20"), d("2022-12-31"))
    assert DEC_445.period_bounds("FY2022-P11") == (d("2022-10-23"), d("2022-11-19"))


def test_445_53_week_years_2015_to_2030() -> None:
    # Year ends (last Saturday of December), from the weekday of Dec 31:
    # 2014 Wed -> Dec 27; 2015 Thu -> Dec 26; 2016 Sat -> Dec 31; 2017 Sun -> Dec 30;
    # 2018 Mon -> Dec 29; 2019 Tue -> Dec 28; 2020 Thu -> Dec 26; 2021 Fri -> Dec 25;
    # 2022 Sat -> Dec 31; 2023 Sun -> Dec 30; 2024 Tue -> Dec 28; 2025 Wed -> Dec 27;
    # 2026 Thu -> Dec 26; 2027 Fri -> Dec 25; 2028 Sun -> Dec 30; 2029 Mon -> Dec 29;
    # 2030 Tue -> Dec 28.
    # A year has 53 weeks when its end is 371 days after the previous one: 2016 (Dec 26 2015
    # -> Dec 31 2016, leap year), 2022 (Dec 25 2021 -> Dec 31 2022) and 2028 (Dec 25 2027 ->
    # Dec 30 2028, leap year).
    ends = {
        2014: "2014-12-27",
        2015: "2015-12-26",
        2016: "2016-12-31",
        2017: "2017-12-30",
        2018: "2018-12-29",
        2019: "2019-12-28",
        2020: "2020-12-26",
        2021: "2021-12-25",
        2022: "2022-12-31",
        2023: "2023-12-30",
        2024: "2024-12-28",
        2025: "2025-12-27",
        2026: "2026-12-26",
        2027: "2027-12-25",
        2028: "2028-12-30",
        2029: "2029-12-29",
        2030: "2030-12-28",
    }
    for year in range(2015, 2031):
        first, last = DEC_445.bounds(year)
        assert last == d(ends[year])
        assert first == d(ends[year - 1]) + timedelta(days=1)
        assert DEC_445.weeks_in_year(year) in (52, 53)
        assert DEC_445.weeks_in_year(year) == ((last - first).days + 1) // 7
        assert DEC_445.bounds(year + 1)[0] == last + timedelta(days=1)
    assert [y for y in range(2015, 2031) if DEC_445.weeks_in_year(y) == 53] == [2016, 2022, 2028]


def test_nearest_year_end_may_fall_in_the_next_calendar_year() -> None:
    # Dec 31 2024 is a Tuesday -> nearest Saturday Dec 28 2024; Dec 31 2025 is a Wednesday ->
    # nearest Saturday Jan 3 2026. Fiscal 2025 is 2024-12-29 .. 2026-01-03 (53 weeks) and
    # keeps the name of its nominal end month, December 2025.
    cal = FiscalCalendar(start_month=1, pattern="4-4-5", year_end_rule="nearest")
    assert cal.bounds(2025) == (d("2024-12-29"), d("2026-01-03"))
    assert cal.weeks_in_year(2025) == 53
    assert cal.label(["2026-01-02", "2026-01-04"], freq="W").tolist() == [
        "FY2025-W53",
        "FY2026-W01",
    ]
    # Starting in January, naming by the start year gives the same names.
    start = FiscalCalendar(
        start_month=1, pattern="4-4-5", year_end_rule="nearest", year_label="start"
    )
    assert start.label(["2026-01-02"], freq="Y").tolist() == ["FY2025"]


def test_april_calendar_months() -> None:
    # FY2026 is April 2025 .. March 2026; quarter 1 is April-June; March is the 12th month.
    assert APRIL.label(["2026-03-31"], freq="Q").tolist() == ["FY2026-Q4"]
    assert APRIL.label(["2026-03-31"], freq="P").tolist() == ["FY2026-P12"]
    assert APRIL.label(["2026-04-01"], freq="Q").tolist() == ["FY2027-Q1"]
    assert APRIL.label(["2026-04-01"], freq="P").tolist() == ["FY2027-P01"]
    assert APRIL.bounds(2026) == (d("2025-04-01"), d("2026-03-31"))
    assert APRIL.period_bounds("FY2026-Q1") == (d("2025-04-01"), d("2025-06-30"))
    assert APRIL.period_bounds("FY2026-P11") == (d("2026-02-01"), d("2026-02-28"))
    assert APRIL.period_bounds("FY2024-P11") == (d("2024-02-01"), d("2024-02-29"))
    assert one(APRIL, "2025-11-15", "Q") == ("FY2026-Q3", d("2025-10-01"), d("2025-12-31"))
    by_start = FiscalCalendar(start_month=4, year_label="start")
    assert by_start.label(["2026-03-31", "2026-04-01"], freq="Y").tolist() == [
        "FY2025",
        "FY2026",
    ]


def test_calendar_year_is_the_plain_year() -> None:
    cal = FiscalCalendar.from_spec("calendar")
    assert cal.label(["2025-12-31", "2026-01-01"], freq="Q").tolist() == [
        "FY2025-Q4",
        "FY2026-Q1",
    ]
    assert cal.bounds(2024) == (d("2024-01-01"), d("2024-12-31"))


def test_periods_carry_year_number_and_bounds() -> None:
    p = DEC_445.period(["2022-03-26", "2022-03-27"], freq="Q")
    assert isinstance(p, FiscalPeriods)
    assert len(p) == 2
    assert p.year.tolist() == [2022, 2022]
    assert p.number.tolist() == [1, 2]
    assert p.start.dtype == np.dtype("datetime64[D]")
    assert p.end.tolist() == [d("2022-03-26"), d("2022-06-25")]
    assert p.labels().tolist() == ["FY2022-Q1", "FY2022-Q2"]
    assert DEC_445.period(["2022-06-01"], freq="Y").number.tolist() == [1]


# -- inputs ------------------------------------------------------------------------------


def test_accepts_the_usual_date_types_and_keeps_the_shape() -> None:
    want = ["FY2026-P12", "FY2027-P01"]
    for dates in (
        ["2026-03-31", "2026-04-01"],
        [date(2026, 3, 31), date(2026, 4, 1)],
        [datetime(2026, 3, 31, 23, 59), datetime(2026, 4, 1, 0, 1)],
        np.array(["2026-03-31", "2026-04-01"], dtype="datetime64[ns]"),
        pd.Series(pd.to_datetime(["2026-03-31 12:00", "2026-04-01 00:00"])),
        pd.DatetimeIndex(["2026-03-31", "2026-04-01"]),
        pd.Series(["2026-03-31", "2026-04-01"]),
    ):
        assert APRIL.label(dates, freq="P").tolist() == want
    # A time-zone-aware stamp counts by its local date, not its UTC one.
    late = pd.Series(pd.to_datetime(["2026-03-31 23:30"]).tz_localize("America/New_York"))
    assert APRIL.label(late, freq="P").tolist() == ["FY2026-P12"]
    assert APRIL.label("2026-04-01", freq="Y").tolist() == ["FY2027"]
    grid = np.array([["2026-03-31", "2026-04-01"]], dtype="datetime64[D]")
    assert APRIL.label(grid, freq="Q").tolist() == [["FY2026-Q4", "FY2027-Q1"]]
    assert APRIL.label(np.array([], dtype="datetime64[D]"), freq="Q").shape == (0,)
    assert APRIL.period([], freq="Q").year.shape == (0,)


def test_freq_accepts_frequency_members_and_month() -> None:
    for freq in ("P", "p", "M", Frequency.MONTHLY):
        assert APRIL.label(["2026-04-01"], freq=freq).tolist() == ["FY2027-P01"]
    assert DEC_445.label(["2022-01-01"], freq=Frequency.WEEKLY).tolist() == ["FY2022-W01"]
    assert APRIL.label(["2026-04-01"], freq=Frequency.QUARTERLY).tolist() == ["FY2027-Q1"]
    assert APRIL.label(["2026-04-01"], freq=Frequency.YEARLY).tolist() == ["FY2027"]


# -- errors ------------------------------------------------------------------------------


def test_bad_labels_list_the_accepted_formats() -> None:
    for bad in ("2026Q3", "FY26-Q3", "FY2026-X01", "FY2026-Q", ""):
        with pytest.raises(ModelError, match=r"'FY2026-Q3' \(quarter"):
            APRIL.period_bounds(bad)
    with pytest.raises(ModelError, match="FY2026 has Q1 to Q4"):
        APRIL.period_bounds("FY2026-Q5")
    with pytest.raises(ModelError, match="FY2026 has P1 to P12"):
        APRIL.period_bounds("FY2026-P13")
    with pytest.raises(ModelError, match="FY2024 has W1 to W52"):
        NRF.period_bounds("FY2024-W53")
    with pytest.raises(ModelError, match="needs a retail calendar"):
        APRIL.period_bounds("FY2026-W01")
    assert APRIL.period_bounds(" fy2026-p1 ") == APRIL.period_bounds("FY2026-P01")


def test_weeks_need_a_retail_calendar() -> None:
    with pytest.raises(ModelError, match=r"'fiscal:4' has calendar months.*'retail:4-4-5:apr"):
        APRIL.weeks_in_year(2026)
    with pytest.raises(ModelError, match="needs a retail calendar"):
        APRIL.period(["2026-01-01"], freq="W")


def test_bad_fields_name_the_value_and_the_fix() -> None:
    with pytest.raises(ModelError, match=r"start_month 13 .* 1 \(January\) to 12"):
        FiscalCalendar(start_month=13)
    with pytest.raises(ModelError, match="pattern '4-4-4'"):
        FiscalCalendar(pattern="4-4-4")
    with pytest.raises(ModelError, match="week_end 'fridays'"):
        FiscalCalendar(pattern="4-4-5", week_end="fridays")
    with pytest.raises(ModelError, match="year_end_rule 'first'"):
        FiscalCalendar(pattern="4-4-5", year_end_rule="first")
    with pytest.raises(ModelError, match="year_label 'middle'"):
        FiscalCalendar(year_label="middle")
    with pytest.raises(ModelError, match="apply only to retail calendars"):
        FiscalCalendar(start_month=4, week_end="SUN")
    with pytest.raises(ModelError, match="freq 'D' is not a fiscal period"):
        APRIL.period(["2026-01-01"], freq="D")
    with pytest.raises(ModelError, match="fiscal year '2026' is not a year"):
        APRIL.bounds("2026")  # type: ignore[arg-type]
    assert FiscalCalendar(pattern="4-4-5", week_end="Friday").week_end == "FRI"


def test_bad_dates_are_named() -> None:
    with pytest.raises(ModelError, match=r"dates\[1\] = 'oops' is not a date"):
        APRIL.label(["2026-01-01", "oops"], freq="Y")
    with pytest.raises(ModelError, match=r"dates\[2\] is missing"):
        APRIL.label(pd.Series(pd.to_datetime(["2026-01-01", "2026-01-02", None])), freq="Y")
    with pytest.raises(ValueError, match="is not a date"):
        APRIL.fiscal_year(["31/03/2026"])


def test_specs() -> None:
    assert FiscalCalendar.from_spec("calendar") == FiscalCalendar()
    assert FiscalCalendar.from_spec("fiscal:4") == APRIL
    assert FiscalCalendar.from_spec("Fiscal:April") == APRIL
    assert FiscalCalendar.from_spec("fiscal:apr:start") == FiscalCalendar(
        start_month=4, year_label="start"
    )
    assert FiscalCalendar.from_spec("retail:4-5-4:feb:sat:nearest:start") == NRF
    assert FiscalCalendar.from_spec("retail:4-4-5:jan:sat:last") == DEC_445
    assert FiscalCalendar.from_spec("retail:4-4-5") == DEC_445
    assert FiscalCalendar.from_spec("retail:4-4-5:feb:sat:last") == FiscalCalendar(
        start_month=2, pattern="4-4-5"
    )
    assert NRF.to_spec() == "retail:4-5-4:feb:sat:nearest:start"
    for bad in ("", "fiscal", "fiscal:13", "fiscal:4:4", "retail", "calendar:1", "lunar:1"):
        with pytest.raises(ModelError, match=r"'retail:<4-4-5\|4-5-4\|5-4-4>"):
            FiscalCalendar.from_spec(bad)
    with pytest.raises(ModelError, match="'xyz' is not a month"):
        FiscalCalendar.from_spec("retail:4-4-5:xyz")


# -- properties --------------------------------------------------------------------------


@given(calendars, days)
def test_every_date_is_in_one_period_whose_label_reads_back(cal: FiscalCalendar, day: date) -> None:
    year = int(cal.fiscal_year([day])[0])
    first, last = cal.bounds(year)
    assert first <= day <= last
    for freq in freqs(cal):
        p = cal.period([day], freq=freq)
        start, end = p.start[0].item(), p.end[0].item()
        assert start <= day <= end
        assert first <= start <= end <= last
        assert int(p.year[0]) == year
        assert cal.period_bounds(str(p.labels()[0])) == (start, end)


@given(calendars, fiscal_years)
def test_periods_tile_the_fiscal_year(cal: FiscalCalendar, year: int) -> None:
    first, last = cal.bounds(year)
    every_day = np.arange(first, last + timedelta(days=1), dtype="datetime64[D]")
    assert (cal.fiscal_year(every_day) == year).all()
    for freq in freqs(cal):
        p = cal.period(every_day, freq=freq)
        assert (p.start <= every_day).all()
        assert (every_day <= p.end).all()
        # Walking the days: a period either continues (same number and bounds) or the next
        # one starts the day after the previous ended; nothing is skipped or shared.
        step = np.diff(p.number)
        assert set(step.tolist()) <= {0, 1}
        same = step == 0
        assert (p.start[1:][same] == p.start[:-1][same]).all()
        assert (p.end[1:][same] == p.end[:-1][same]).all()
        assert (p.start[1:][~same] == p.end[:-1][~same] + 1).all()
        assert p.number[0] == 1
        assert p.start[0].item() == first
        assert p.end[-1].item() == last
        most = {"Y": 1, "Q": 4, "P": 12}.get(freq) or cal.weeks_in_year(year)
        assert p.number[-1] == most


@given(calendars, fiscal_years)
def test_consecutive_years_touch(cal: FiscalCalendar, year: int) -> None:
    first, last = cal.bounds(year)
    assert cal.bounds(year + 1)[0] == last + timedelta(days=1)
    assert cal.fiscal_year([first, last]).tolist() == [year, year]
    assert cal.fiscal_year([first - timedelta(days=1)]).tolist() == [year - 1]


@given(retail, fiscal_years)
def test_retail_years_are_whole_weeks_ending_on_the_week_end(
    cal: FiscalCalendar, year: int
) -> None:
    first, last = cal.bounds(year)
    assert cal.weeks_in_year(year) in (52, 53)
    assert (last - first).days + 1 == 7 * cal.weeks_in_year(year)
    assert WEEKDAYS[last.weekday()] == cal.week_end
    # The year ends within a week before its end month's last day ("last") or at most three
    # days either side of it ("nearest").
    end_year = last.year if last.month >= cal.end_month else last.year - 1
    month_end = date(end_year + cal.end_month // 12, cal.end_month % 12 + 1, 1) - timedelta(1)
    if cal.year_end_rule == "last":
        assert 0 <= (month_end - last).days <= 6
    else:
        assert abs((month_end - last).days) <= 3
    # Every period is whole weeks, and only the last one can hold a 53rd.
    p = cal.period(np.arange(first, last + timedelta(days=1), dtype="datetime64[D]"), freq="P")
    lengths = np.unique(p.end - p.start + 1, return_counts=False).astype(int)
    assert set((lengths % 7).tolist()) == {0}
    assert p.end[-1] - p.start[-1] + 1 == 7 * (
        int(str(cal.pattern).split("-")[-1]) + cal.weeks_in_year(year) - 52
    )


@given(calendars, st.lists(days, max_size=20), st.sampled_from(["Y", "Q", "P", "W"]))
def test_vectorised_equals_one_at_a_time(cal: FiscalCalendar, dates: list[date], freq: str) -> None:
    if freq == "W" and not cal.is_retail:
        return
    together = cal.label(np.array(dates, dtype="datetime64[D]"), freq=freq).tolist()
    assert together == [cal.label([x], freq=freq)[0] for x in dates]


@given(calendars)
def test_specs_round_trip(cal: FiscalCalendar) -> None:
    assert FiscalCalendar.from_spec(cal.to_spec()) == cal


# -- the period axis: ordinals -------------------------------------------------------------


def test_ordinals_count_quarters_across_the_year_end() -> None:
    # Hand-worked: with April starts, 2026-03-31 is FY2026-Q4 and 2026-04-01 FY2027-Q1, and
    # quarters are numbered fiscal_year * 4 + quarter - 1.
    q = APRIL.ordinals(["2026-03-31", "2026-04-01"], freq="Q")
    assert q.tolist() == [2026 * 4 + 3, 2027 * 4 + 0]
    p = APRIL.ordinals(["2025-10-14"], freq=Frequency.MONTHLY)
    assert p.tolist() == [2026 * 12 + 6]  # October 2025 is FY2026-P07


def test_week_ordinals_run_through_the_53rd_week() -> None:
    # NRF fiscal 2023 has 53 weeks: W53 is 2024-01-28..2024-02-03, then FY2024-W01.
    days = np.array(["2024-01-27", "2024-01-28", "2024-02-03", "2024-02-04"], dtype="datetime64[D]")
    w = NRF.ordinals(days, freq="W")
    assert np.diff(w).tolist() == [1, 0, 1]
    back = NRF.from_ordinals(w, freq="W")
    assert back.labels().tolist() == ["FY2023-W52", "FY2023-W53", "FY2023-W53", "FY2024-W01"]
    assert back.start[1].item() == d("2024-01-28")
    assert back.end[2].item() == d("2024-02-03")


@given(calendars, days)
def test_ordinals_are_consecutive_and_read_back(cal: FiscalCalendar, day: date) -> None:
    for freq in freqs(cal):
        o = int(cal.ordinals([day], freq=freq)[0])
        p = cal.from_ordinals([o - 1, o, o + 1], freq=freq)
        assert p.labels()[1] == cal.label([day], freq=freq)[0]
        assert p.start[1].item() <= day <= p.end[1].item()
        # No gap and no overlap between neighbours: the axis is unbroken.
        assert (p.start[1:] == p.end[:-1] + 1).all()
        assert cal.ordinals(p.start, freq=freq).tolist() == [o - 1, o, o + 1]


def test_from_ordinals_of_nothing() -> None:
    assert APRIL.from_ordinals(np.array([], dtype=np.int64), freq="Q").labels().tolist() == []


# -- the scorecard's calendar ----------------------------------------------------------------


def test_the_phrase_and_specs_give_the_calendar() -> None:
    assert FiscalCalendar.from_spec("fiscal year starting April") == APRIL
    assert FiscalCalendar.from_spec("Fiscal year starts in  JULY") == FiscalCalendar(start_month=7)
    with pytest.raises(ModelError, match="'spring' is not a month"):
        FiscalCalendar.from_spec("fiscal year starting spring")


def test_scorecard_calendar_converts_and_calendar_months_are_none() -> None:
    from balanced_scorecard.model import Scorecard

    assert Scorecard(id="x").calendar is None
    assert Scorecard(id="x", calendar="calendar").calendar is None
    assert Scorecard(id="x", calendar=FiscalCalendar()).calendar is None
    assert Scorecard(id="x", calendar="fiscal:4").calendar == APRIL
    assert Scorecard(id="x", calendar={"start_month": 4}).calendar == APRIL
    with pytest.raises(ModelError, match="retail:4-4-5:jan:sat:last"):
        Scorecard(id="x", calendar="fiscal:13")
    with pytest.raises(ModelError, match="unexpected keyword"):
        Scorecard(id="x", calendar={"start": 4})
    with pytest.raises(ModelError, match="weekly review needs a calendar of whole weeks"):
        Scorecard(id="x", calendar="fiscal:4", review_frequency="weekly")
    assert Scorecard(id="x", calendar=NRF, review_frequency="weekly").calendar == NRF
