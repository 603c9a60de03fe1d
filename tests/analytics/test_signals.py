"""Special-cause signals on evaluation series (analytics/signals.py, Evaluation.signals)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from balanced_scorecard import (
    Engine,
    Indicator,
    Objective,
    OrgChart,
    OrgUnit,
    Scorecard,
    Thresholds,
)
from balanced_scorecard.analytics.signals import special_causes
from balanced_scorecard.analytics.spc import imr_chart


def test_agrees_with_the_individuals_chart_on_a_full_series() -> None:
    rng = np.random.default_rng(4)
    x = rng.normal(50, 2, 30)
    x[20] = 65.0  # far above: WE1
    flags, center, sigma, _ = special_causes(x[None, :])
    chart = imr_chart(x).location
    assert center[0] == pytest.approx(chart.center[0])
    assert sigma[0] == pytest.approx((chart.ucl[0] - chart.center[0]) / 3)
    mine = flags[0].any(axis=-1)
    np.testing.assert_array_equal(mine, chart.frame["signal"].to_numpy())


def test_missing_values_and_short_series() -> None:
    x = np.array(
        [[10.0, 11, np.nan, 10, 11, 10, 11, 10, 11, 30], [1.0, 2, 3, np.nan] + [np.nan] * 6]
    )
    flags, center, _, _ = special_causes(x, min_points=8)
    assert np.isnan(center[1])  # three values: not judged
    assert not flags[1].any()
    assert flags[0, 9].any()  # 30 is beyond the limits
    assert not flags[0, 2].any()  # a missing month is never flagged


@settings(max_examples=40, deadline=None)
@given(
    # Integers keep the map exact: with floats, x + 1 can turn 5e-85 into 1.0 and tie two
    # points, which breaks a trend in the mapped series only.
    st.lists(st.integers(-100, 100), min_size=8, max_size=30),
    st.integers(1, 20),
    st.integers(-50, 50),
)
def test_flags_do_not_change_under_an_affine_map(values: list[int], a: int, b: int) -> None:
    x = np.array([values], dtype=float)
    f1, c1, s1, _ = special_causes(x, rules="nelson")
    f2, c2, s2, _ = special_causes(a * x + b, rules="nelson")
    if s1[0] > 1e-6:  # a (near-)constant series has no sigma to scale
        np.testing.assert_array_equal(f1, f2)
        assert c2[0] == pytest.approx(a * c1[0] + b, abs=1e-6)
        assert s2[0] == pytest.approx(a * s1[0], rel=1e-6)


def test_evaluation_marks_signals_with_their_rules() -> None:
    # Hand-worked: north's monthly defects alternate 10 and 11 for 11 months, then 16
    # (beyond 14.785, see the special_causes example); south stays flat-ish: no signal.
    sc = Scorecard(
        id="q",
        objectives=[Objective(id="o", perspective="internal_process")],
        indicators=[Indicator(id="defects", objective="o", polarity="lower_better")],
        org_chart=OrgChart(
            units=[
                OrgUnit(id="all"),
                OrgUnit(id="north", parent="all"),
                OrgUnit(id="south", parent="all"),
            ]
        ),
    )
    months = [f"2025-{m:02d}" for m in range(1, 13)]
    obs = pd.concat(
        [
            pd.DataFrame({"indicator": "defects", "org_unit": "north", "period": months,
                          "value": [10, 11] * 5 + [10, 16]}),
            pd.DataFrame({"indicator": "defects", "org_unit": "south", "period": months,
                          "value": [20, 21] * 6}),
        ]
    )  # fmt: skip
    ev = Engine(entry_points=False).evaluate(sc, obs)
    sig = ev.signals()
    north = sig[sig["org_unit"] == "north"]
    assert north[["period", "actual", "rules"]].values.tolist() == [["2025-12", 16.0, "WE1"]]
    assert north["center"].iloc[0] == pytest.approx(131 / 12)
    assert "south" not in set(sig["org_unit"])
    assert ev.signals(period="2025-11").empty
    assert ev.signals(period=None)["period"].unique().tolist() == ["2025-12"]


def test_exceptions_say_which_red_values_are_special_causes() -> None:
    # Hand-worked as above: December's 16 defects (lower is better, red against a target of
    # 10 with red flag 12) break WE1; the exception row names the rule.
    sc = Scorecard(
        id="q",
        objectives=[Objective(id="o", perspective="internal_process")],
        indicators=[
            Indicator(
                id="defects",
                objective="o",
                polarity="lower_better",
                thresholds=Thresholds(target=10, red_flag=12),
            )
        ],
    )
    obs = pd.DataFrame(
        {
            "indicator": "defects",
            "org_unit": "all",
            "period": [f"2025-{m:02d}" for m in range(1, 13)],
            "value": [10, 11] * 5 + [10, 16],
        }
    )
    ex = Engine(entry_points=False).evaluate(sc, obs).exceptions()
    assert ex[["node", "status", "signal"]].values.tolist() == [["defects", "red", "WE1"]]
