"""The strategy-intelligence functions as methods of an Evaluation: significance, exceptions
by audience, root causes with evidence from the data and driver-tree attribution."""

from __future__ import annotations

import pandas as pd
import pytest

from balanced_scorecard.algorithms.significance import (
    _example_evaluation,
    executive_exceptions,
    significance,
)
from balanced_scorecard.model import Indicator, Objective, Scorecard, Thresholds


def test_methods_delegate_to_the_functions() -> None:
    ev = _example_evaluation()
    pd.testing.assert_frame_equal(ev.significance(), significance(ev, period=None))
    pd.testing.assert_frame_equal(
        ev.exceptions(audience="executive"), executive_exceptions(ev, audience="executive")
    )
    # Without an audience the exception list is the unfiltered one (no tier column).
    assert "tier" not in ev.exceptions().columns
    executive = ev.exceptions(audience="executive")
    # Revenue is declared strategic and red (60 against a target of 100): executive.
    assert "revenue" in set(executive["node"])
    assert set(executive["tier"]) == {"executive"}


def test_root_causes_with_evidence_from_the_data_weigh_untested_links_fully() -> None:
    ev = _example_evaluation()
    plain = ev.root_causes("grow", max_depth=1)
    with_data = ev.root_causes("grow", max_depth=1, evidence=True)
    # Four months are fewer than link_evidence's minimum of 8 points: every link is
    # 'insufficient-data' with NaN strength, which counts 1.0, so the ranking is unchanged.
    assert [c.node for c in with_data.children] == [c.node for c in plain.children]
    assert set(ev.link_evidence()["verdict"]) == {"insufficient-data"}


def test_a_calculated_root_gets_its_change_attributed_to_its_inputs() -> None:
    # Hand-worked: margin = (revenue - cost) / revenue * 100 goes from 1000/800 (20 %) in
    # January to 1250/900 (28 %) in February: revenue +17 points, cost -9 (Shapley values,
    # see analytics.variance.attribute_formula_change).
    sc = Scorecard(
        id="m",
        objectives=[Objective(id="profit", perspective="financial")],
        indicators=[
            Indicator(id="revenue", objective="profit", weight=0),
            Indicator(id="cost", objective="profit", weight=0, polarity="lower_better"),
            Indicator(
                id="margin",
                objective="profit",
                unit="percent",
                formula="(revenue - cost) / revenue * 100",
                thresholds=Thresholds(target=30, red_flag=15),
            ),
        ],
    )
    obs = pd.DataFrame(
        {
            "indicator": ["revenue", "cost", "revenue", "cost"],
            "org_unit": "all",
            "period": ["2025-01", "2025-01", "2025-02", "2025-02"],
            "value": [1000.0, 800.0, 1250.0, 900.0],
        }
    )
    tree = sc.evaluate(obs).root_causes("margin")
    parts = dict(tree.attribution)
    assert parts["revenue"] == pytest.approx(17.0)
    assert parts["cost"] == pytest.approx(-9.0)
    assert parts["change"] == pytest.approx(8.0)
    assert "change since the previous period 20 -> 28 (+8): cost -9, revenue +17" in str(tree)
    assert "change since the previous period" in tree._repr_html_()
    # An input indicator is not calculated: nothing to attribute.
    assert sc.evaluate(obs).root_causes("revenue").attribution == ()


def test_scorecard_surfaces_raci_and_balance() -> None:
    from balanced_scorecard.algorithms.accountability import raci
    from balanced_scorecard.algorithms.balance import balance_summary

    sc = _example_evaluation().scorecard
    pd.testing.assert_frame_equal(sc.raci(), raci(sc))
    pd.testing.assert_frame_equal(sc.balance(), balance_summary(sc))
    # Ruth owns revenue, Quinn defects (the example's two assignments).
    owners = sc.raci().set_index("node")["accountable"]
    assert owners["revenue"] == "Ruth"
