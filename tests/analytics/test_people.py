"""People metrics: hand-worked cases, properties and bad input.

No published reference exists for these HR ratios; every expected number below is worked by
hand in the comment beside it.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from balanced_scorecard.analytics.people import (
    documentation_completeness,
    engagement_index,
    high_performer_retention,
    internal_mobility_rate,
    reuse_rate,
    time_to_competency,
    training_hours_per_employee,
)
from balanced_scorecard.exceptions import ModelError, ObservationError, ScorecardError

D = pd.to_datetime

# -- time to competency ------------------------------------------------------------------------


def _competency_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "team": ["a", "a", "a", "b", "b"],
            "hired": D(["2025-01-01", "2025-01-01", "2025-02-01", "2025-01-01", "2025-01-11"]),
            "competent_on": D(["2025-01-11", "2025-01-31", None, "2025-04-11", None]),
        }
    )


def test_time_to_competency_by_team_with_censoring() -> None:
    res = time_to_competency(
        _competency_frame(), start="hired", reached="competent_on", by="team", as_of="2025-05-01"
    )
    s = res.summary.set_index("team")
    # Team a: 10 and 30 days (Jan 1 -> Jan 11, Jan 1 -> Jan 31); median (10 + 30) / 2 = 20.
    # The third, hired Feb 1, is not competent at May 1: 28 + 31 + 30 = 89 days elapsed.
    assert s.loc["a", "employees"] == 3
    assert s.loc["a", "competent"] == 2
    assert s.loc["a", "censored"] == 1
    assert s.loc["a", "median_days"] == pytest.approx(20.0)
    # Quantiles by linear interpolation between 10 and 30: p25 = 15, p75 = 25, p90 = 28.
    assert s.loc["a", "p25_days"] == pytest.approx(15.0)
    assert s.loc["a", "p90_days"] == pytest.approx(28.0)
    assert s.loc["a", "censored_median_elapsed_days"] == pytest.approx(89.0)
    assert s.loc["a", "share_competent"] == pytest.approx(2 / 3)
    # Team b: Jan 1 -> Apr 11 = 30 + 28 + 31 + 10 = 100 days; one censored since Jan 11: 110.
    assert s.loc["b", "median_days"] == pytest.approx(100.0)
    assert s.loc["b", "censored_median_elapsed_days"] == pytest.approx(110.0)
    # The per-person durations are the distribution, in input order.
    assert res.durations["days"].tolist() == [10.0, 30.0, 89.0, 100.0, 110.0]
    assert res.durations["competent"].tolist() == [True, True, False, True, False]
    assert res.as_of == pd.Timestamp("2025-05-01")


def test_time_to_competency_defaults_as_of_to_latest_date() -> None:
    res = time_to_competency(_competency_frame(), start="hired", reached="competent_on")
    # Latest date in the data is 2025-04-11; the Feb 1 hire has been waiting 69 days.
    assert res.as_of == pd.Timestamp("2025-04-11")
    assert res.durations["days"].iloc[2] == pytest.approx(69.0)


def test_time_to_competency_nobody_competent_gives_nan_median() -> None:
    df = pd.DataFrame({"start": D(["2025-01-01"]), "reached": D([None])})
    s = time_to_competency(df, as_of="2025-01-31").summary.iloc[0]
    assert s["competent"] == 0
    assert math.isnan(s["median_days"])
    assert s["censored_median_elapsed_days"] == pytest.approx(30.0)


def test_time_to_competency_bad_input() -> None:
    good = _competency_frame()
    with pytest.raises(ObservationError, match=r"\['start'\].*start="):
        time_to_competency(good, reached="competent_on")
    with pytest.raises(ObservationError, match="no rows"):
        time_to_competency(good.iloc[:0], start="hired", reached="competent_on")
    swapped = good.assign(competent_on=D(["2024-12-01", None, None, None, None]))
    with pytest.raises(ObservationError, match="before 'hired'"):
        time_to_competency(swapped, start="hired", reached="competent_on")
    with pytest.raises(ObservationError, match="after as_of"):
        time_to_competency(good, start="hired", reached="competent_on", as_of="2025-03-01")
    with pytest.raises(ObservationError, match="not dates"):
        time_to_competency(
            good.assign(hired=["x", "2025-01-01", "2025-01-01", "2025-01-01", "2025-01-01"]),
            start="hired",
            reached="competent_on",
        )
    with pytest.raises(ObservationError, match="missing"):
        time_to_competency(
            good.assign(hired=D([None, *good["hired"].iloc[1:]])),
            start="hired",
            reached="competent_on",
        )
    with pytest.raises(ModelError, match="as_of"):
        time_to_competency(good, start="hired", reached="competent_on", as_of="not a date")
    with pytest.raises(ObservationError, match="DataFrame"):
        time_to_competency([1, 2, 3])  # type: ignore[arg-type]


# -- retention of high performers --------------------------------------------------------------


def _staff() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "unit": ["x", "x", "x", "x", "y", "y", "y"],
            "rating": ["exceeds", "exceeds", "meets", None, "exceeds", "meets", "meets"],
            "hired": D(
                ["2020-01-01"] * 3 + ["2025-01-01", "2020-01-01", "2025-03-01", "2020-01-01"]
            ),
            "left": D([None, "2025-12-31", "2026-02-01", "2025-06-01", None, None, "2025-01-01"]),
        }
    )


def test_high_performer_retention_labels_and_segments() -> None:
    out = high_performer_retention(
        _staff(),
        high=["exceeds"],
        period_start="2025-01-01",
        period_end="2025-12-31",
        by="unit",
    ).set_index("unit")
    # Unit x at Jan 1: two "exceeds", one "meets", one unrated (hired that day: hired <= start).
    # The second "exceeds" leaves on Dec 31 (first day gone, inside the period): 1 of 2 kept.
    # Rest: "meets" leaves in 2026 (kept), the unrated one leaves in June: 1 of 2 kept.
    assert out.loc["x", "high_start"] == 2
    assert out.loc["x", "high_retention"] == pytest.approx(0.5)
    assert out.loc["x", "rest_start"] == 2
    assert out.loc["x", "rest_retention"] == pytest.approx(0.5)
    assert out.loc["x", "unrated"] == 1
    assert out.loc["x", "gap"] == pytest.approx(0.0)
    # Unit y: the "exceeds" stays (1/1). The "meets" hired Mar 1 was not there at the start,
    # and the one leaving on Jan 1 was gone on the first day: no rest at the start -> NaN.
    assert out.loc["y", "high_retention"] == pytest.approx(1.0)
    assert out.loc["y", "rest_start"] == 0
    assert math.isnan(out.loc["y", "rest_retention"])
    assert math.isnan(out.loc["y", "gap"])


def test_high_performer_retention_numeric_threshold() -> None:
    df = pd.DataFrame(
        {"rating": [4.5, 3.0], "hired": D(["2020-01-01"] * 2), "left": D(["2025-03-01", None])}
    )
    out = high_performer_retention(
        df, high=4, period_start="2025-01-01", period_end="2025-12-31"
    ).iloc[0]
    # 4.5 >= 4 is high and leaves: 0/1; 3.0 stays: 1/1; gap 0 - 1 = -1.
    assert out["high_retention"] == 0.0
    assert out["rest_retention"] == 1.0
    assert out["gap"] == -1.0


def test_high_performer_retention_bad_input() -> None:
    with pytest.raises(ObservationError, match="threshold"):
        high_performer_retention(
            _staff(), high=4, period_start="2025-01-01", period_end="2025-12-31"
        )
    with pytest.raises(ModelError, match="labels"):
        high_performer_retention(
            _staff(), high="exceeds", period_start="2025-01-01", period_end="2025-12-31"
        )
    with pytest.raises(ModelError, match="after period_end"):
        high_performer_retention(_staff(), period_start="2026-01-01", period_end="2025-12-31")
    with pytest.raises(ObservationError, match="before 'hired'"):
        high_performer_retention(
            _staff().assign(left=D(["2019-01-01", *[None] * 6])),
            high=["exceeds"],
            period_start="2025-01-01",
            period_end="2025-12-31",
        )
    with pytest.raises(ObservationError, match=r"\['left'\]"):
        high_performer_retention(
            _staff().drop(columns="left"), period_start="2025-01-01", period_end="2025-12-31"
        )


# -- training hours ----------------------------------------------------------------------------


def test_training_hours_per_employee_by_unit() -> None:
    # Period Jan 1-30 (30 days). Unit a: E1 all month (30 days), E2 leaves Jan 16 (employed
    # Jan 1-15: 15 days) -> average headcount 45/30 = 1.5. Unit b: E3 hired Jan 21 (10 days)
    # -> 1/3. Hours: a 6 + 3 = 9 (the Feb row is outside) -> 9 / 1.5 = 6; b 2 / (1/3) = 6.
    emp = pd.DataFrame(
        {
            "unit": ["a", "a", "b", "c"],
            "hired": D(["2020-01-01", "2020-01-01", "2025-01-21", "2025-03-01"]),
            "left": D([None, "2025-01-16", None, None]),
        }
    )
    tr = pd.DataFrame(
        {
            "unit": ["a", "a", "a", "b"],
            "hours": [6.0, 3.0, 100.0, 2.0],
            "date": D(["2025-01-05", "2025-01-30", "2025-02-01", "2025-01-25"]),
        }
    )
    out = training_hours_per_employee(
        tr, emp, period_start="2025-01-01", period_end="2025-01-30", by="unit"
    ).set_index("unit")
    assert out.loc["a", "hours"] == pytest.approx(9.0)
    assert out.loc["a", "average_headcount"] == pytest.approx(1.5)
    assert out.loc["a", "hours_per_employee"] == pytest.approx(6.0)
    assert out.loc["b", "hours_per_employee"] == pytest.approx(6.0)
    # Unit c has nobody in January: no hours, zero headcount, NaN per employee (not 0).
    assert out.loc["c", "hours"] == 0.0
    assert out.loc["c", "average_headcount"] == 0.0
    assert math.isnan(out.loc["c", "hours_per_employee"])


def test_training_hours_bad_input() -> None:
    emp = pd.DataFrame({"hired": D(["2020-01-01"]), "left": D([None])})
    tr = pd.DataFrame({"hours": [-1.0], "date": D(["2025-01-05"])})
    with pytest.raises(ObservationError, match="non-negative"):
        training_hours_per_employee(tr, emp, period_start="2025-01-01", period_end="2025-01-31")
    with pytest.raises(ObservationError, match="non-negative"):
        training_hours_per_employee(
            tr.assign(hours=[np.nan]), emp, period_start="2025-01-01", period_end="2025-01-31"
        )
    with pytest.raises(ObservationError, match="training: no rows"):
        training_hours_per_employee(
            tr.iloc[:0], emp, period_start="2025-01-01", period_end="2025-01-31"
        )
    with pytest.raises(ObservationError, match="by="):
        training_hours_per_employee(
            tr, emp, period_start="2025-01-01", period_end="2025-01-31", by="unit"
        )


# -- internal mobility, documentation, reuse ---------------------------------------------------


def test_internal_mobility_rate_hand_worked() -> None:
    # 5 positions filled, 2 from inside: 2/5 = 0.4; 1/0 flags are accepted too.
    df = pd.DataFrame({"from_inside": [1, 0, 0, 1, 0]})
    out = internal_mobility_rate(df, internal="from_inside").iloc[0]
    assert (out["filled"], out["internal"]) == (5, 2)
    assert out["mobility_rate"] == pytest.approx(0.4)


def test_internal_mobility_rate_bad_flags() -> None:
    with pytest.raises(ObservationError, match="True/False"):
        internal_mobility_rate(pd.DataFrame({"internal": ["yes", "no"]}))
    with pytest.raises(ObservationError, match="True/False"):
        internal_mobility_rate(pd.DataFrame({"internal": [True, None]}))
    with pytest.raises(ObservationError, match="no rows"):
        internal_mobility_rate(pd.DataFrame({"internal": pd.Series([], dtype=bool)}))


def test_documentation_completeness_by_process() -> None:
    df = pd.DataFrame(
        {
            "process": ["p1", "p1", "p1", "p2", "p2"],
            "present": [True, False, True, False, True],
            "required": [True, True, False, True, False],
        }
    )
    out = documentation_completeness(df, required="required", by="process").set_index("process")
    # p1: required rows 1 and 2, one present -> 1/2; the optional third does not count.
    # p2: one required, missing -> 0/1.
    assert out.loc["p1", "completeness"] == pytest.approx(0.5)
    assert out.loc["p2", "completeness"] == pytest.approx(0.0)
    # Without required=, every row counts: p1 2/3.
    every = documentation_completeness(df, by="process").set_index("process")
    assert every.loc["p1", "completeness"] == pytest.approx(2 / 3)


def test_documentation_completeness_nothing_required_is_nan() -> None:
    df = pd.DataFrame({"present": [True], "required": [False]})
    out = documentation_completeness(df, required="required").iloc[0]
    assert out["required"] == 0
    assert math.isnan(out["completeness"])


def test_reuse_rate_by_library_and_bad_counts() -> None:
    df = pd.DataFrame({"lib": ["a", "a", "b"], "reuses": [2, 0, 0]})
    out = reuse_rate(df, by="lib").set_index("lib")
    # a: 1 of 2 assets reused -> 0.5, 2 reuses over 2 assets -> 1.0 each; b: 0 of 1.
    assert out.loc["a", "reuse_rate"] == pytest.approx(0.5)
    assert out.loc["a", "mean_reuses"] == pytest.approx(1.0)
    assert out.loc["b", "reuse_rate"] == 0.0
    with pytest.raises(ObservationError, match="non-negative"):
        reuse_rate(pd.DataFrame({"reuses": [1, -2]}))
    with pytest.raises(ObservationError, match=r"\['uses'\]"):
        reuse_rate(df, uses="uses")


# -- engagement --------------------------------------------------------------------------------


def test_engagement_index_hand_worked_with_reverse_item_and_missing_answer() -> None:
    df = pd.DataFrame(
        {
            "site": ["n", "n", "n", "s", "s"],
            "proud": [5, 4, 2, 3, 5],
            "leave": [1, 2, 5, 4, np.nan],  # reverse-scored: 6 - answer
            "grow": [4, 4, 3, 2, 4],
        }
    )
    res = engagement_index(df, items=["proud", "leave", "grow"], reverse=["leave"], by="site")
    s = res.summary.set_index("site")
    # Site n, after reversing "leave" to 5, 4, 1: favourable (>= 4) shares proud 2/3,
    # leave 2/3, grow 2/3 -> index 2/3.
    assert s.loc["n", "engagement"] == pytest.approx(2 / 3)
    # Alpha for n: totals 14, 12, 6 (mean 32/3, variance (100 + 16 + 196) / 9 / 2 = 52/3);
    # item variances 7/3, 13/3, 1/3 (sum 7): alpha = 3/2 * (1 - 21/52) = 0.894231.
    assert s.loc["n", "alpha"] == pytest.approx(1.5 * (1 - 21 / 52))
    # Site s: proud 1/2, leave 0/1 (reversed 4 -> 2; the NaN is not an answer), grow 1/2:
    # index (0.5 + 0 + 0.5) / 3 = 1/3. One complete response only: alpha is NaN.
    assert s.loc["s", "engagement"] == pytest.approx(1 / 3)
    assert s.loc["s", "complete"] == 1
    assert math.isnan(s.loc["s", "alpha"])
    items = res.items.set_index(["site", "item"])
    assert items.loc[("s", "leave"), "answered"] == 1
    assert items.loc[("n", "leave"), "mean"] == pytest.approx(10 / 3)
    assert bool(items.loc[("n", "leave"), "reversed"])


def test_engagement_one_item_has_no_alpha() -> None:
    res = engagement_index(pd.DataFrame({"q": [5, 1]}), items=["q"])
    assert res.summary["engagement"].iloc[0] == pytest.approx(0.5)
    assert math.isnan(res.summary["alpha"].iloc[0])


def test_engagement_bad_input() -> None:
    df = pd.DataFrame({"q1": [5, 4], "q2": [1, 6]})
    with pytest.raises(ObservationError, match="from 1 to 5"):
        engagement_index(df, items=["q1", "q2"])
    with pytest.raises(ModelError, match="not among items"):
        engagement_index(df, items=["q1"], reverse=["q2"])
    with pytest.raises(ModelError, match="at least one"):
        engagement_index(df, items=[])
    with pytest.raises(ModelError, match="favourable"):
        engagement_index(df, items=["q1"], favourable=9)
    with pytest.raises(ObservationError, match="answered no item"):
        engagement_index(pd.DataFrame({"q1": [np.nan, 3.0]}), items=["q1"])
    with pytest.raises(ObservationError, match=r"\['q3'\].*items="):
        engagement_index(df, items=["q1", "q3"])


# -- properties --------------------------------------------------------------------------------

answers = st.lists(st.lists(st.integers(1, 5), min_size=3, max_size=3), min_size=2, max_size=25)


@settings(max_examples=60, deadline=None)
@given(rows=answers, which=st.integers(0, 2))
def test_mirroring_an_item_and_reverse_scoring_it_changes_nothing(
    rows: list[list[int]], which: int
) -> None:
    items = ["a", "b", "c"]
    df = pd.DataFrame(rows, columns=items)
    base = engagement_index(df, items=items).summary.iloc[0]
    mirrored = df.assign(**{items[which]: 6 - df[items[which]]})
    again = engagement_index(mirrored, items=items, reverse=[items[which]]).summary.iloc[0]
    assert again["engagement"] == pytest.approx(base["engagement"])
    assert again["alpha"] == pytest.approx(base["alpha"], nan_ok=True)
    # Adding the mirror of an item as a new, reverse-scored item is the same as adding a copy.
    with_copy = engagement_index(df.assign(d=df["a"]), items=[*items, "d"]).summary.iloc[0]
    with_mirror = engagement_index(
        df.assign(d=6 - df["a"]), items=[*items, "d"], reverse=["d"]
    ).summary.iloc[0]
    assert with_mirror["engagement"] == pytest.approx(with_copy["engagement"])
    assert with_mirror["alpha"] == pytest.approx(with_copy["alpha"], nan_ok=True)
    assert 0.0 <= base["engagement"] <= 1.0
    if not math.isnan(base["alpha"]):
        assert base["alpha"] <= 1.0 + 1e-12


@settings(max_examples=60, deadline=None)
@given(
    flags=st.lists(st.tuples(st.sampled_from("abc"), st.booleans()), min_size=1, max_size=40),
    counts=st.lists(st.integers(0, 5), min_size=1, max_size=40),
)
def test_rates_lie_in_unit_interval(flags: list[tuple[str, bool]], counts: list[int]) -> None:
    df = pd.DataFrame(flags, columns=["seg", "flag"])
    mob = internal_mobility_rate(df, internal="flag", by="seg")["mobility_rate"]
    doc = documentation_completeness(df, present="flag", by="seg")["completeness"]
    reuse = reuse_rate(pd.DataFrame({"reuses": counts}))["reuse_rate"]
    for series in (mob, doc, reuse):
        assert series.between(0.0, 1.0).all()
    # Segments partition the rows: their counts add up to the whole.
    assert internal_mobility_rate(df, internal="flag", by="seg")["filled"].sum() == len(df)


@settings(max_examples=60, deadline=None)
@given(
    spans=st.lists(
        st.tuples(st.integers(0, 60), st.one_of(st.none(), st.integers(1, 90)), st.booleans()),
        min_size=1,
        max_size=30,
    )
)
def test_retention_shares_lie_in_unit_interval(spans: list[tuple[int, int | None, bool]]) -> None:
    day0 = pd.Timestamp("2025-01-01")
    hired = [day0 + pd.Timedelta(days=h) for h, _, _ in spans]
    left = [None if stay is None else day0 + pd.Timedelta(days=h + stay) for h, stay, _ in spans]
    df = pd.DataFrame(
        {"rating": [5 if hi else 2 for _, _, hi in spans], "hired": hired, "left": D(left)}
    )
    out = high_performer_retention(df, period_start="2025-01-31", period_end="2025-03-31")
    for col in ("high_retention", "rest_retention"):
        value = out[col].iloc[0]
        assert math.isnan(value) or 0.0 <= value <= 1.0
    assert out["high_retained"].iloc[0] <= out["high_start"].iloc[0]


def test_errors_are_scorecard_errors_and_value_errors() -> None:
    with pytest.raises(ScorecardError):
        reuse_rate(pd.DataFrame({"reuses": [-1]}))
    with pytest.raises(ValueError, match="non-negative"):
        reuse_rate(pd.DataFrame({"reuses": [-1]}))
