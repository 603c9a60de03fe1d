"""Significance tiers and exceptions per audience: hand-worked maps, laws and bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from balanced_scorecard.algorithms.significance import (
    SIGNIFICANCE_COLUMNS,
    SignificanceThresholds,
    _example_evaluation,
    deviation,
    executive_exceptions,
    persistence,
    reach,
    significance,
)
from balanced_scorecard.exceptions import ModelError, ObservationError, UnknownNodeError
from balanced_scorecard.model import (
    CausalLink,
    Indicator,
    Objective,
    Scorecard,
    Scoring,
    Thresholds,
)
from balanced_scorecard.results import Evaluation

PERIODS = ["2025-01", "2025-02", "2025-03", "2025-04"]


@pytest.fixture(scope="module")
def ev() -> Evaluation:
    return _example_evaluation()


def _obs(values: dict[str, list[float]], unit: str = "all") -> pd.DataFrame:
    return pd.DataFrame(
        [
            (i, unit, PERIODS[p], float(v))
            for i, vs in values.items()
            for p, v in enumerate(vs)
            if not np.isnan(v)
        ],
        columns=["indicator", "org_unit", "period", "value"],
    )


def _keyed(frame: pd.DataFrame, keys: str | list[str]) -> pd.DataFrame:
    cols = [keys] if isinstance(keys, str) else keys
    return frame.astype(dict.fromkeys(cols, str)).set_index(keys)


def _three_levels(**link_weights: float) -> Scorecard:
    """A 3-level map: financial ``grow`` (revenue), customer ``delight`` (nps, csat),
    process ``quality`` (defects), with delight -> grow and quality -> delight."""
    return Scorecard(
        id="three",
        objectives=[
            Objective(id="grow", perspective="financial"),
            Objective(id="delight", perspective="customer"),
            Objective(id="quality", perspective="internal_process"),
        ],
        indicators=[
            Indicator(
                id="revenue", objective="grow", thresholds=Thresholds(target=100, red_flag=80)
            ),
            Indicator(id="nps", objective="delight", thresholds=Thresholds(target=50, red_flag=20)),
            Indicator(
                id="csat",
                objective="delight",
                weight=3,
                thresholds=Thresholds(target=80, red_flag=60),
            ),
            Indicator(
                id="defects",
                objective="quality",
                polarity="lower_better",
                thresholds=Thresholds(target=5, red_flag=10),
            ),
        ],
        links=[
            CausalLink(cause="delight", effect="grow", weight=link_weights.get("dg", 1.0)),
            CausalLink(cause="quality", effect="delight", weight=link_weights.get("qd", 1.0)),
        ],
    )


# -- reach -----------------------------------------------------------------------------------


def test_reach_hand_worked_on_the_example(ev: Evaluation) -> None:
    # Hand-worked: the top perspective is financial with one objective, grow (weight 1).
    # Causal shares into grow: delight 3/(3+1) = 0.75, efficiency 1/4 = 0.25. Indicators
    # of grow: revenue and margin, 1/2 each. quality is delight's only driver (share 1),
    # so reach(quality) = 1 x 0.75. skills drives quality (share 1) and efficiency (share
    # 1): 0.75 + 0.25 = 1. training has weight 3 of 4 in skills: 0.75; retention 0.25.
    got = reach(ev.scorecard)
    expected = {
        "grow": 1.0,
        "delight": 0.75,
        "quality": 0.75,
        "efficiency": 0.25,
        "skills": 1.0,
        "revenue": 0.5,
        "margin": 0.5,
        "nps": 0.75,
        "defects": 0.75,
        "cost": 0.25,
        "training": 0.75,
        "retention": 0.25,
    }
    assert got.to_dict() == pytest.approx(expected)


def test_reach_with_explicit_outcomes_and_an_unknown_one() -> None:
    sc = _three_levels()
    # Outcome delight alone: nps 1/4 (weight 1 of 4), csat 3/4, quality 1, defects 1,
    # grow 0 (nothing of delight depends on grow).
    got = reach(sc, outcomes=["delight"])
    assert got["nps"] == pytest.approx(0.25)
    assert got["csat"] == pytest.approx(0.75)
    assert got["defects"] == pytest.approx(1.0)
    assert got["grow"] == 0.0
    # Two outcomes weighted 1:3.
    both = reach(sc, outcomes={"grow": 1.0, "quality": 3.0})
    assert both["revenue"] == pytest.approx(0.25)
    assert both["defects"] == pytest.approx(1.0)  # 0.25 via grow + 0.75 itself
    with pytest.raises(UnknownNodeError, match="Did you mean 'delight'"):
        reach(sc, outcomes=["delite"])


def test_reach_ignores_feedback_links_and_is_scale_free() -> None:
    sc = _three_levels(dg=2.0, qd=5.0)
    looped = Scorecard(
        id="loop",
        objectives=sc.objectives,
        indicators=sc.indicators,
        links=[*sc.links, CausalLink(cause="grow", effect="quality", feedback=True)],
    )
    pd.testing.assert_series_equal(reach(looped), reach(_three_levels()))


@st.composite
def _maps(draw: st.DrawFn) -> Scorecard:
    """Random DAG maps: objective j may drive objective i < j; one to three indicators
    each, random weights."""
    perspectives = ["financial", "customer", "internal_process", "learning_growth"]
    n = draw(st.integers(2, 6))
    objectives = [Objective(id=f"o{j}", perspective=perspectives[min(j, 3)]) for j in range(n)]
    indicators = [
        Indicator(id=f"o{j}_i{m}", objective=f"o{j}", weight=draw(st.floats(0.1, 5)))
        for j in range(n)
        for m in range(draw(st.integers(1, 3)))
    ]
    pairs = [(j, i) for j in range(n) for i in range(j)]
    chosen = draw(st.lists(st.sampled_from(pairs), unique=True, max_size=len(pairs)))
    links = [
        CausalLink(cause=f"o{j}", effect=f"o{i}", weight=draw(st.floats(0.01, 10)))
        for j, i in chosen
    ]
    return Scorecard(id="r", objectives=objectives, indicators=indicators, links=links)


@given(_maps(), st.floats(0.1, 100))
@settings(max_examples=60, deadline=None)
def test_reach_is_a_share_and_ignores_the_scale_of_link_weights(sc: Scorecard, k: float) -> None:
    r = reach(sc)
    assert ((r >= 0) & (r <= 1)).all()
    scaled = Scorecard(
        id="r",
        objectives=sc.objectives,
        indicators=sc.indicators,
        links=[CausalLink(cause=x.cause, effect=x.effect, weight=x.weight * k) for x in sc.links],
    )
    np.testing.assert_allclose(reach(scaled).to_numpy(), r.to_numpy(), atol=1e-12)


# -- per-cell measures -----------------------------------------------------------------------


def test_persistence_hand_worked_and_on_a_panel() -> None:
    assert persistence(np.array([0, 0, 1, 0, 0, 0, -1, 0])).tolist() == [1, 2, 0, 1, 2, 3, 0, 1]
    panel = np.array([[[0, 0, 0]], [[2, 0, 0]]])
    assert persistence(panel).tolist() == [[[1, 2, 3]], [[0, 1, 2]]]


@given(st.lists(st.integers(-1, 2), min_size=1, max_size=30))
def test_persistence_is_the_run_length_and_never_exceeds_the_periods(codes: list[int]) -> None:
    got = persistence(np.array(codes))
    run = 0
    for t, c in enumerate(codes):
        run = run + 1 if c == 0 else 0
        assert got[t] == run
        assert 0 <= got[t] <= t + 1 <= len(codes)


def test_deviation_hand_worked(ev: Evaluation) -> None:
    dev = deviation(ev)
    at = {i: dev[k, 0] for k, i in enumerate(ev.indicators.ids)}
    # Higher-better, target 100: (100 - actual) / 100 for 100, 85, 70, 60.
    np.testing.assert_allclose(at["revenue"], [0.0, 0.15, 0.3, 0.4])
    # Lower-better, target 5: (actual - 5) / 5 for 5, 11, 12, 13.
    np.testing.assert_allclose(at["defects"], [0.0, 1.2, 1.4, 1.6])


def test_deviation_in_range_and_without_a_target() -> None:
    sc = Scorecard(
        id="r",
        objectives=[Objective(id="o", perspective="financial")],
        indicators=[
            Indicator(
                id="temp",
                objective="o",
                polarity="in_range",
                scoring=Scoring(method="band"),
                thresholds=Thresholds(lower=20, upper=25),
            ),
            Indicator(id="bare", objective="o", thresholds=Thresholds(target=0, red_flag=-3)),
        ],
    )
    ev = sc.evaluate(_obs({"temp": [22, 30, 18, 25], "bare": [0, -1, -3, 1]}))
    dev = deviation(ev)
    # In range: 0; 30 is 5 above 25 -> 5/25 = 0.2; 18 is 2 below 20 -> 0.1; 25 inside.
    np.testing.assert_allclose(dev[0, 0], [0.0, 0.2, 0.1, 0.0])
    # Target 0 has no relative distance: the score's shortfall from 2/3 (the goal score)
    # over 2/3. goal_red_flag maps red flag -3 to 1/3 and target 0 to 2/3, so -1 scores
    # 5/9 -> (2/3 - 5/9) / (2/3) = 1/6; -3 scores 1/3 -> 1/2; on or above target -> 0.
    np.testing.assert_allclose(dev[1, 0], [0.0, 1 / 6, 0.5, 0.0])


# -- significance ----------------------------------------------------------------------------


def test_significance_frame_and_rules_on_the_example(ev: Evaluation) -> None:
    sig = significance(ev)
    assert tuple(sig.columns) == SIGNIFICANCE_COLUMNS
    assert len(sig) == 7 * 1 * 4  # every (indicator, unit, period)
    row = _keyed(sig, ["indicator", "period"])
    # Hand-worked for April: defects is red in Feb, Mar and Apr (persistence 3), 160 %
    # off target, reach 0.75: reach, deviation and persistence all fire.
    apr = row.loc[("defects", "2025-04")]
    assert apr["tier"] == "executive"
    assert apr["persistence"] == 3
    assert apr["rules"] == "reach>=0.25,deviation>=0.3,persistent>=3-periods"
    assert apr["why"] == (
        "executive: reach 0.75 of the top outcomes; 160% off target; red for 3 periods in a row"
    )
    # Revenue is declared strategic: executive even on target in January.
    assert row.loc[("revenue", "2025-01"), "rules"] == "declared-strategic"
    # Margin is 2.5 % off target (below the 5 % tolerance): operational despite reach 0.5.
    m = row.loc[("margin", "2025-04")]
    assert (m["tier"], m["rules"]) == ("operational", "")
    assert m["why"] == "operational: reach 0.50, 2% off target; no escalation rule fired"
    # Cost has reach exactly 0.25 and is 4 % off: below tolerance, operational.
    assert row.loc[("cost", "2025-04"), "tier"] == "operational"


def test_thresholds_switch_rules_off_and_on(ev: Evaluation) -> None:
    off = SignificanceThresholds(
        declared=False, reach=None, deviation=None, persistence=None, signals=None
    )
    assert (significance(ev, thresholds=off)["tier"] == "operational").all()
    only_run = SignificanceThresholds(declared=False, reach=None, deviation=None, persistence=2)
    sig = significance(ev, thresholds=only_run)
    hits = sig.loc[sig["tier"] == "executive", ["indicator", "period", "rules"]]
    # defects is red from February: runs of 2 in March and 3 in April; revenue is red in
    # March and April: a run of 2 in April.
    assert sorted(map(tuple, hits[["indicator", "period"]].astype(str).to_numpy())) == [
        ("defects", "2025-03"),
        ("defects", "2025-04"),
        ("revenue", "2025-04"),
    ]
    assert set(hits["rules"]) == {"persistent>=2-periods"}


def test_period_and_org_unit_selection(ev: Evaluation) -> None:
    focus = significance(ev, period=None)
    assert set(focus["period"].astype(str)) == {"2025-04"}
    march = significance(ev, period="2025-03", org_unit="all")
    full = significance(ev)
    expected = full[full["period"] == "2025-03"].reset_index(drop=True)
    pd.testing.assert_frame_equal(
        march.astype({"period": str}), expected.astype({"period": str}), check_categorical=False
    )


def test_special_cause_fires_only_off_target() -> None:
    sc = Scorecard(
        id="spc",
        objectives=[Objective(id="o", perspective="financial")],
        indicators=[Indicator(id="x", objective="o", thresholds=Thresholds(target=10, red_flag=5))],
    )
    labels = [f"2025-{m:02d}" for m in range(1, 13)]
    # Eleven months alternating 10 and 11, then 4: WE1 (beyond 3 sigma) in December.
    values = [10, 11] * 5 + [10, 4]
    obs = pd.DataFrame({"indicator": "x", "org_unit": "all", "period": labels, "value": values})
    ev = sc.evaluate(obs)
    thr = SignificanceThresholds(declared=False, reach=None, deviation=None, persistence=None)
    sig = _keyed(significance(ev, thresholds=thr), "period")
    assert sig.loc["2025-12", "signal"] == "WE1"
    assert sig.loc["2025-12", "rules"] == "special-cause-WE1"
    assert sig.loc["2025-12", "why"] == "executive: special cause (WE1)"
    assert (sig.drop(index="2025-12")["tier"] == "operational").all()
    # The same flags as the evaluation's own signals: WE4 (eight points above the center
    # line, 9.92) also flags August to November, but those values are on target, so they
    # do not escalate.
    flagged = ev.signals()
    assert sig.loc[flagged["period"], "signal"].tolist() == flagged["rules"].tolist()
    assert set(sig.loc[["2025-08", "2025-11"], "signal"]) == {"WE4"}
    # An upward spike is on target: flagged, but not an escalation.
    up = sc.evaluate(obs.assign(value=[10, 11] * 5 + [10, 17]))
    sig_up = _keyed(significance(up, thresholds=thr), "period")
    assert (sig_up.loc["2025-12", "signal"], sig_up.loc["2025-12", "tier"]) == (
        "WE1",
        "operational",
    )
    # Only the rules asked for count.
    n1 = SignificanceThresholds(
        declared=False, reach=None, deviation=None, persistence=None, signals=["WE2"]
    )
    assert (significance(ev, thresholds=n1)["tier"] == "operational").all()


def test_one_period_and_missing_values() -> None:
    sc = _three_levels()
    one = sc.evaluate(_obs({"revenue": [60], "nps": [50], "csat": [80], "defects": [5]}))
    sig = significance(one)
    assert len(sig) == 4
    assert sig["persistence"].max() <= 1
    assert (sig["signal"] == "").all()  # one point is too few to judge
    # An indicator with no values at all: no deviation, no persistence, "no value".
    nan = np.nan
    ev = sc.evaluate(
        _obs({"revenue": [90, 70, nan, 60], "nps": [nan] * 4, "csat": [80] * 4, "defects": [5] * 4})
    )
    sig = _keyed(significance(ev), ["indicator", "period"])
    nps = sig.loc["nps"]
    assert nps["deviation"].isna().all()
    assert (nps["persistence"] == 0).all()
    assert nps["why"].str.contains("no value").all()
    # A gap breaks a red run.
    assert sig.loc["revenue", "persistence"].tolist() == [0, 1, 0, 1]


def test_all_missing_data_is_an_observation_error() -> None:
    sc = _three_levels()
    nan_rows = pd.DataFrame(
        {"indicator": "revenue", "org_unit": "all", "period": PERIODS, "value": np.nan}
    )
    with pytest.raises(ObservationError):
        sc.evaluate(nan_rows)


def test_bad_input(ev: Evaluation) -> None:
    with pytest.raises(UnknownNodeError, match="Did you mean '2025-03'"):
        significance(ev, period="2025-3")
    with pytest.raises(UnknownNodeError, match="org unit 'al'"):
        significance(ev, org_unit="al")
    with pytest.raises(ModelError, match=r"reach=1.5 must be a number in \[0, 1\]"):
        SignificanceThresholds(reach=1.5)
    with pytest.raises(ModelError, match=r"deviation=-0\.1"):
        SignificanceThresholds(deviation=-0.1)
    with pytest.raises(ModelError, match="unknown rule"):
        SignificanceThresholds(signals="western")
    with pytest.raises(ModelError, match="min_points=0"):
        SignificanceThresholds(min_points=0)


# -- exceptions for an audience --------------------------------------------------------------


def test_executive_exceptions_rank_and_columns(ev: Evaluation) -> None:
    top = executive_exceptions(ev)
    base = ev.exceptions()
    assert list(top.columns) == [
        *base.columns,
        "tier",
        "reach",
        "deviation",
        "persistence",
        "rules",
        "why",
    ]
    # Hand-worked ranking for April: red first; among the reds defects (0.75 x 1.6 = 1.2)
    # before revenue (0.5 x 0.4 = 0.2); then the amber, worsening nps.
    assert top["node"].astype(str).tolist() == ["defects", "revenue", "nps"]
    assert top["owner"].tolist() == ["Quinn", "Ruth", ""]
    assert (top["tier"] == "executive").all()


def test_audiences_partition_the_exceptions(ev: Evaluation) -> None:
    every = executive_exceptions(ev, audience="all")
    execs = executive_exceptions(ev, audience="executive")
    ops = executive_exceptions(ev, audience="operational")
    assert len(every) == len(ev.exceptions()) == len(execs) + len(ops)
    assert ops["node"].astype(str).tolist() == ["cost"]
    assert ops["why"].iloc[0].startswith("operational:")
    march = executive_exceptions(ev, period="2025-03", org_unit="all", include_worsening=False)
    assert set(march["status"].astype(str)) == {"red"}


def test_executive_exceptions_bad_input(ev: Evaluation) -> None:
    with pytest.raises(ModelError, match="Did you mean 'executive'"):
        executive_exceptions(ev, audience="executives")
    with pytest.raises(UnknownNodeError):
        executive_exceptions(ev, org_unit="nowhere")
    with pytest.raises(UnknownNodeError):
        executive_exceptions(ev, period="2024-12")
