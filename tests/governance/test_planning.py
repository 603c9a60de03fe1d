"""Actuals against every planning cycle's targets (compare_plans), hand-worked."""

from __future__ import annotations

import pandas as pd
import pytest

from balanced_scorecard.exceptions import UnknownNodeError
from balanced_scorecard.governance.planning import compare_plans
from balanced_scorecard.model import Indicator, Objective, Scorecard, Target, TargetSet


def _scorecard() -> Scorecard:
    return Scorecard(
        id="s",
        objectives=[Objective(id="grow", perspective="financial")],
        indicators=[Indicator(id="revenue", objective="grow", time_aggregation="sum")],
        target_sets=[
            TargetSet(
                name="budget", targets=[Target(indicator="revenue", target=120, red_flag=100)]
            ),
            TargetSet(
                name="reforecast", targets=[Target(indicator="revenue", target=95, red_flag=80)]
            ),
        ],
    )


def _observations() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "indicator": "revenue",
            "org_unit": "all",
            "period": ["2025-05", "2025-06"],
            "value": [110.0, 98.0],
        }
    )


def test_the_same_actual_against_each_plan() -> None:
    # June: 98 is below the budget's red flag 100 (red) and above the reforecast's target 95
    # (green). Scores (goal/red-flag line): budget 1/3 - (100 - 98) / (120 - 100) / 3 = 0.3,
    # reforecast 2/3 + (98 - 95) / (95 - 80) / 3 = 0.7333.
    table = compare_plans(_scorecard(), _observations())
    row = table.iloc[0]
    assert (row["period"], row["actual"]) == ("2025-06", 98.0)
    assert (row["status_budget"], row["status_reforecast"]) == ("red", "green")
    assert row["score_budget"] == pytest.approx(0.3)
    assert row["score_reforecast"] == pytest.approx(0.7333333)


def test_every_period_objectives_and_a_chosen_set() -> None:
    table = compare_plans(
        _scorecard(),
        _observations(),
        target_sets=["reforecast"],
        period=False,
        kinds=("indicator", "objective"),
    )
    assert sorted(set(table["period"])) == ["2025-05", "2025-06"]
    assert set(table["kind"]) == {"indicator", "objective"}
    assert [c for c in table.columns if c.endswith("budget")] == []


def test_an_unknown_target_set_is_named() -> None:
    with pytest.raises(UnknownNodeError, match="Did you mean 'budget'"):
        compare_plans(_scorecard(), _observations(), target_sets=["budgt"])
