"""What-if propagation along the strategy map (hand-worked cases)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from balanced_scorecard.algorithms.what_if import what_if
from balanced_scorecard.exceptions import ModelError, UnknownNodeError
from balanced_scorecard.model import CausalLink, Indicator, Objective, Scorecard


def _map(*links: CausalLink, **indicator: object) -> Scorecard:
    return Scorecard(
        id="m",
        objectives=[
            Objective(id="grow", perspective="financial"),
            Objective(id="delight", perspective="customer"),
            Objective(id="quality", perspective="internal_process"),
        ],
        indicators=[
            Indicator(id="training", objective="quality", **indicator),  # type: ignore[arg-type]
            Indicator(id="defects", objective="quality", polarity="lower_better"),
        ],
        links=list(links),
    )


def test_two_drivers_share_an_effect_by_their_weights_and_lags() -> None:
    # Hand-worked: delight <- quality (weight 3, lag 1) and <- defects (weight 1, sign -,
    # lag 0); grow <- delight (lag 2). Shifting quality by +10 %: delight moves by
    # 3/4 * 10 % = 7.5 % from period 1, grow by 7.5 % from period 3.
    sc = _map(
        CausalLink(cause="quality", effect="delight", weight=3, lag=1),
        CausalLink(cause="defects", effect="delight", weight=1, sign="-"),
        CausalLink(cause="delight", effect="grow", lag=2),
    )
    res = what_if(sc, "quality", 0.10, horizon=4)
    assert res.changes.loc["delight"].tolist() == pytest.approx([0, 0.075, 0.075, 0.075, 0.075])
    assert res.changes.loc["grow"].tolist() == pytest.approx([0, 0, 0, 0.075, 0.075])
    assert res.outcome("grow") == pytest.approx(0.075)
    assert res.outcome("defects") == 0.0
    carried = res.links.set_index(["cause", "effect"])["carried"]
    assert carried[("quality", "delight")] == pytest.approx(0.075)
    assert carried[("delight", "grow")] == pytest.approx(0.075)
    assert ("defects", "delight") not in carried.index  # it did not move
    assert "grow: +7.50%" in str(res)


def test_an_indicator_moves_its_objective_by_its_weight_and_polarity() -> None:
    # defects (lower better) rises 20 %: quality (two indicators of weight 1) moves by
    # -1/2 * 20 % = -10 %; quality -> delight (one link, elasticity 1) -10 % at lag 0.
    sc = _map(CausalLink(cause="quality", effect="delight"))
    res = what_if(sc, "defects", 0.20, horizon=1)
    assert res.changes.loc["quality"].tolist() == pytest.approx([-0.10, -0.10])
    assert res.changes.loc["delight"].tolist() == pytest.approx([-0.10, -0.10])


def test_given_elasticities_override_the_declared_weights() -> None:
    sc = _map(CausalLink(cause="quality", effect="delight", lag=1))
    res = what_if(sc, "quality", 0.10, horizon=2, elasticities={("quality", "delight"): 0.4})
    assert res.outcome("delight") == pytest.approx(0.04)
    assert res.links.loc[0, "source"] == "given"


def test_a_lagged_feedback_loop_carries_on_in_time() -> None:
    # delight -> quality (lag 1, feedback) and quality -> delight (lag 0): each period the
    # loop adds the previous period's change again, so after t periods quality holds
    # 0.1 (held) and delight follows it at lag 0: 0.1 every period.
    sc = _map(
        CausalLink(cause="quality", effect="delight"),
        CausalLink(cause="delight", effect="grow", lag=1, feedback=True),
    )
    res = what_if(sc, "quality", 0.1, horizon=3)
    assert res.changes.loc["grow"].tolist() == pytest.approx([0, 0.1, 0.1, 0.1])


@settings(max_examples=30, deadline=None)
@given(st.floats(-0.5, 0.5), st.floats(0.1, 10))
def test_effects_are_linear_in_the_shift(x: float, k: float) -> None:
    # Law: the propagation is linear: doubling the shift doubles every change.
    sc = _map(
        CausalLink(cause="quality", effect="delight", weight=k, lag=1),
        CausalLink(cause="defects", effect="delight", weight=1, sign="-"),
        CausalLink(cause="delight", effect="grow"),
    )
    one = what_if(sc, "quality", x, horizon=2).changes
    two = what_if(sc, "quality", 2 * x, horizon=2).changes
    if not one.empty:
        np.testing.assert_allclose(two.loc[one.index].to_numpy(), 2 * one.to_numpy(), atol=1e-12)


def test_bad_input_is_named() -> None:
    sc = _map(CausalLink(cause="quality", effect="delight"))
    with pytest.raises(UnknownNodeError, match="Did you mean 'quality'"):
        what_if(sc, "qualty", 0.1)
    with pytest.raises(ModelError, match="finite fraction"):
        what_if(sc, "quality", float("nan"))
    with pytest.raises(ModelError, match="not causal links of the map"):
        what_if(sc, "quality", 0.1, elasticities={("delight", "quality"): 1.0})
    with pytest.raises(ModelError, match="horizon=-1"):
        what_if(sc, "quality", 0.1, horizon=-1)


def test_scorecard_method_and_learning_growth_correlations() -> None:
    sc = Scorecard(
        id="lg",
        objectives=[
            Objective(id="grow", perspective="financial"),
            Objective(id="people", perspective="learning_growth"),
        ],
        indicators=[
            Indicator(id="revenue", objective="grow"),
            Indicator(id="engagement", objective="people"),
            Indicator(id="overtime", objective="people"),
        ],
    )
    assert sc.what_if("engagement", 0.1).outcome("people") == pytest.approx(0.05)
    # Hand-built: revenue follows engagement 3 months later exactly; overtime is noise.
    rng = np.random.default_rng(3)
    engagement = rng.normal(70, 5, 30)
    revenue = np.r_[np.full(3, np.nan), 10 * engagement[:-3]]
    overtime = rng.normal(10, 2, 30)
    periods = pd.period_range("2023-01", periods=30, freq="M").astype(str)
    obs = pd.concat(
        pd.DataFrame({"indicator": k, "org_unit": "all", "period": periods, "value": v})
        for k, v in (("revenue", revenue), ("engagement", engagement), ("overtime", overtime))
    ).dropna()
    table = sc.evaluate(obs).learning_growth_correlations(max_lag=4)
    top = table.iloc[0]
    assert (top["driver"], top["outcome"], top["best_lag"]) == ("engagement", "revenue", 3)
    assert top["r"] == pytest.approx(1.0)
    assert bool(top["significant"])
    assert set(table["driver"]) == {"engagement", "overtime"}
