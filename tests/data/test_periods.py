"""Review periods with and without a fiscal calendar: parsing, labels, ends, bucketing.

Reference dates are hand-worked from the calendar definitions (April-to-March years named by
the year they end in; the NRF 4-5-4 calendar, whose fiscal 2023 ran from 2023-01-29 to
2024-02-03 with 53 weeks, its last period 2023-12-31 to 2024-02-03).
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from balanced_scorecard.data.periods import (
    bad_period_messages,
    bucket_labels,
    parse_period_codes,
    parse_periods,
    period_end_dates,
    period_labels,
    period_ordinal,
)
from balanced_scorecard.model import FiscalCalendar, Frequency, Scorecard

APRIL = FiscalCalendar(start_month=4)
APRIL_START = FiscalCalendar(start_month=4, year_label="start")
NRF = FiscalCalendar.from_spec("retail:4-5-4:feb:sat:nearest:start")
DEC_445 = FiscalCalendar.from_spec("retail:4-4-5:jan:sat:last")
M, Q, Y, W, D = (
    Frequency.MONTHLY,
    Frequency.QUARTERLY,
    Frequency.YEARLY,
    Frequency.WEEKLY,
    Frequency.DAILY,
)


def labels(values: list[object], freq: Frequency, cal: FiscalCalendar | None) -> list[str]:
    ords, bad = parse_periods(values, freq, calendar=cal)
    assert not bad.any(), [v for v, b in zip(values, bad, strict=True) if b]
    return period_labels(ords, freq, calendar=cal)


# -- hand-worked references ----------------------------------------------------------------


def test_may_2026_is_the_first_quarter_of_the_year_ending_in_march_2027() -> None:
    # The calendars module names a year after the year it ends in by default: April 2026 to
    # March 2027 is FY2027, and May is in its first quarter. Named by the start year, FY2026.
    day = np.array(["2026-05-10"], dtype="datetime64[D]")
    assert bucket_labels(day, "Q", APRIL).tolist() == ["FY2027-Q1"]
    assert bucket_labels(day, "Q", APRIL_START).tolist() == ["FY2026-Q1"]
    assert bucket_labels(day, "M", APRIL).tolist() == ["FY2027-P02"]
    assert bucket_labels(day, "Y", APRIL).tolist() == ["FY2027"]


def test_nrf_53rd_week_and_its_long_last_period() -> None:
    days = np.array(["2023-12-30", "2023-12-31", "2024-02-03", "2024-02-04"], dtype="datetime64[D]")
    assert bucket_labels(days, "M", NRF).tolist() == [
        "FY2023-P11",
        "FY2023-P12",
        "FY2023-P12",
        "FY2024-P01",
    ]
    assert bucket_labels(days, "W", NRF).tolist() == [
        "FY2023-W48",
        "FY2023-W49",
        "FY2023-W53",
        "FY2024-W01",
    ]
    ords, _ = parse_periods(["FY2023-P12"], M, calendar=NRF)
    assert period_end_dates(ords, M, calendar=NRF).tolist() == [date(2024, 2, 3)]


def test_445_53_week_year_ends_with_a_six_week_period() -> None:
    # Years ending on the last Saturday of December: 2022 has 53 weeks (2021-12-26 to
    # 2022-12-31), so its P12 is 4-4-5 with a sixth week: 2022-11-20 to 2022-12-31.
    ords, bad = parse_periods(["2022-11-20", "2022-12-31", "2023-01-01"], M, calendar=DEC_445)
    assert not bad.any()
    assert period_labels(ords, M, calendar=DEC_445) == ["FY2022-P12", "FY2022-P12", "FY2023-P01"]
    assert ords[2] - ords[0] == 1
    assert period_end_dates(ords[:1], M, calendar=DEC_445).tolist() == [date(2022, 12, 31)]


def test_inputs_on_an_april_calendar() -> None:
    # A fiscal label, a date and a calendar month all land in the period that holds them;
    # October 2025 is FY2026-P07, in FY2026-Q3.
    given = ["FY2026-Q3", "fy2026-p7", "2025-10-14", "2025-10", pd.Timestamp("2025-12-31")]
    assert labels(given, Q, APRIL) == ["FY2026-Q3"] * 5
    # A coarser label at a finer review frequency stands for the start of its span.
    assert labels(["FY2026-Q3", "FY2026"], M, APRIL) == ["FY2026-P07", "FY2026-P01"]
    # A calendar month of January 2025 is period 10 of the year April 2024 to March 2025.
    assert labels(["2025-01"], M, APRIL) == ["FY2025-P10"]


def test_daily_review_keeps_dates_and_reads_fiscal_labels_as_their_first_day() -> None:
    assert labels(["2025-10-14", "FY2026-Q3"], D, APRIL) == ["2025-10-14", "2025-10-01"]


def test_without_a_calendar_nothing_changes() -> None:
    given = ["2025-01", "2025-03-31", "2025Q2", "2025"]
    for freq in (M, Q, Y):
        plain = parse_period_codes(given, freq)
        same = parse_period_codes(given, freq, calendar=None)
        for a, b in zip(plain, same, strict=True):
            assert np.array_equal(a, b)
    assert labels(given, Q, None) == ["2025Q1", "2025Q1", "2025Q2", "2025Q1"]
    assert bad_period_messages(pd.Series(["x"]), np.array([True]), M, calendar=None) == (
        "period is not a date or a label like '2025-03', '2025Q1' or '2025'"
    )


# -- refusals ------------------------------------------------------------------------------


def test_calendar_quarters_and_bare_years_are_ambiguous() -> None:
    values = pd.Series(["2026Q1", "2026-Q1", "2026", "FY2026-Q1"])
    _, bad = parse_periods(values, Q, calendar=APRIL)
    assert bad.tolist() == [True, True, True, False]
    msgs = bad_period_messages(values, bad, Q, calendar=APRIL)
    assert "'2026Q1' is ambiguous" in msgs[0]
    assert "Write 'FY2026-Q1' for the fiscal quarter (2025-04-01 to 2025-06-30)" in msgs[0]
    assert "or a date" in msgs[0]
    # January to March 2026 is the last quarter of the year ending in March 2026.
    assert "the calendar quarter 2026Q1 is FY2026-Q4" in msgs[0]
    assert "Write 'FY2026' for the fiscal year (2025-04-01 to 2026-03-31)" in msgs[2]
    assert msgs[3] == ""
    with pytest.raises(ValueError, match=r"'2026Q1' is ambiguous.*'FY2026-Q1'"):
        period_ordinal("2026Q1", Q, calendar=APRIL)


def test_labels_that_name_no_period_of_the_calendar() -> None:
    values = pd.Series(["FY2026-Q5", "FY2026-P00", "FY2023-W53", "someday", ""])
    _, bad = parse_periods(values, M, calendar=DEC_445)
    assert bad.all()
    msgs = bad_period_messages(values, bad, M, calendar=DEC_445)
    assert "has Q1 to Q4" in msgs[0]
    assert "has P01 to P12" in msgs[1]
    assert "W01 to W52" in msgs[2]  # FY2022 has 53 weeks, FY2023 only 52
    assert "FY2026-Q3" in msgs[3]
    assert msgs[4] == "period is empty"
    ok, bad = parse_periods(["FY2022-W53"], M, calendar=DEC_445)
    assert not bad[0]
    assert period_labels(ok, M, calendar=DEC_445) == ["FY2022-P12"]
    _, bad = parse_periods(["FY2026-W05"], M, calendar=APRIL)
    assert bad[0]
    assert (
        "calendar months, not weeks"
        in bad_period_messages(pd.Series(["FY2026-W05"]), bad, M, calendar=APRIL)[0]
    )


def test_calendar_months_do_not_fit_a_retail_calendar() -> None:
    _, bad = parse_periods(["2025-01", "2025-01-15"], M, calendar=DEC_445)
    assert bad.tolist() == [True, False]
    msg = bad_period_messages(pd.Series(["2025-01"]), np.array([True]), M, calendar=DEC_445)[0]
    # Mid-January 2025 is in the first period of FY2025: 2024-12-29 to 2025-01-25.
    assert "'2025-01' is a calendar month" in msg
    assert "'FY2025-P01' (2024-12-29 to 2025-01-25)" in msg


# -- bucket_labels -------------------------------------------------------------------------


def test_bucket_labels_without_a_calendar_are_the_evaluation_labels() -> None:
    days = np.array(["2025-01-31", "2025-02-01", "NaT", "2025-12-31"], dtype="datetime64[D]")
    assert bucket_labels(days, Frequency.MONTHLY).tolist() == ["2025-01", "2025-02", "", "2025-12"]
    assert bucket_labels(days, "quarterly").tolist() == ["2025Q1", "2025Q1", "", "2025Q4"]
    assert bucket_labels(days, "D").tolist()[:2] == ["2025-01-31", "2025-02-01"]


def test_bucket_labels_take_a_scorecard_or_a_spec_and_keep_the_shape() -> None:
    sc = Scorecard(id="x", calendar="fiscal year starting April")
    days = np.array([["2025-04-01", "2026-03-31"]], dtype="datetime64[D]")
    by_card = bucket_labels(days, "Q", sc)
    assert by_card.shape == (1, 2)
    assert by_card.tolist() == [["FY2026-Q1", "FY2026-Q4"]]
    assert bucket_labels(days, "Q", "fiscal:4").tolist() == by_card.tolist()
    empty = bucket_labels(np.array([], dtype="datetime64[D]"), "Q", APRIL)
    assert empty.shape == (0,)


calendars = st.sampled_from([APRIL, APRIL_START, NRF, DEC_445, FiscalCalendar(start_month=7)])
dates = st.lists(st.dates(min_value=date(1990, 1, 1), max_value=date(2060, 12, 31)), max_size=30)


@given(calendars, dates, st.sampled_from([M, Q, Y, W]))
def test_bucket_labels_agree_with_the_calendar_and_with_evaluation_parsing(
    cal: FiscalCalendar, days: list[date], freq: Frequency
) -> None:
    if freq is W and not cal.is_retail:
        return
    array = np.array(days, dtype="datetime64[D]")
    got = bucket_labels(array, freq, cal)
    assert got.tolist() == cal.label(array, freq=freq).tolist()
    # A date given as an observation's period gets the same label in the evaluation.
    ords, bad = parse_periods([d.isoformat() for d in days], freq, calendar=cal)
    assert not bad.any()
    assert period_labels(ords, freq, calendar=cal) == got.tolist()
    # And each label read back names the same period.
    if days:
        again, bad = parse_periods(list(got), freq, calendar=cal)
        assert not bad.any()
        assert np.array_equal(again, ords)
