"""Tests of the balance checks: leading/lagging, efficiency/effectiveness, core/support,
time horizons and incentives against long-term outcomes."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from balanced_scorecard.algorithms.balance import (
    BALANCE_COLUMNS,
    BALANCE_RULES,
    HORIZON_COLUMNS,
    balance_summary,
    check_balance,
    effective_weights,
    horizon_balance,
    incentive_undermines_outcome,
    indicator_horizons,
    lagging_heavy,
    objective_only_lagging,
    process_coverage_missing,
    process_effectiveness_only,
    process_efficiency_only,
    short_term_heavy,
    support_process_not_differentiating,
)
from balanced_scorecard.algorithms.findings import Severity
from balanced_scorecard.algorithms.structure import lint
from balanced_scorecard.definitions import loads
from balanced_scorecard.exceptions import ModelError, UnknownMethodError
from balanced_scorecard.model import (
    CausalLink,
    Indicator,
    Objective,
    Scorecard,
)

EMPTY = Scorecard(id="empty")


def sc_of(
    objectives: list[Objective],
    indicators: list[Indicator],
    links: list[CausalLink] | None = None,
    **kw: Any,
) -> Scorecard:
    return Scorecard(id="t", objectives=objectives, indicators=indicators, links=links or [], **kw)


def three() -> Scorecard:
    """Financial: revenue (lagging, weight 1), margin (lagging, weight 3).
    Customer: csat (lagging), response_time (leading). Perspectives weigh 1 each, so the
    effective weights are revenue 1/2 * 1/4 = 0.125, margin 1/2 * 3/4 = 0.375,
    csat 1/2 * 1/2 = 0.25 and response_time 0.25."""
    return sc_of(
        [
            Objective(id="grow", perspective="financial"),
            Objective(id="serve", perspective="customer"),
        ],
        [
            Indicator(id="revenue", objective="grow", weight=1),
            Indicator(id="margin", objective="grow", weight=3),
            Indicator(id="csat", objective="serve"),
            Indicator(id="response_time", objective="serve", lead_lag="leading"),
        ],
    )


# -- effective weights and the summary ---------------------------------------------------------


def test_effective_weights_by_hand() -> None:
    w = effective_weights(three())
    assert w.to_dict() == {"revenue": 0.125, "margin": 0.375, "csat": 0.25, "response_time": 0.25}


def test_unscorable_parts_are_renormalised_away() -> None:
    # 'idle' has no indicators, so customer's weight goes entirely to 'serve'; learning_growth
    # has no objective with indicators and drops out: financial and customer share 1/2 : 1/2.
    # A zero-weight indicator beside a weighted one carries nothing.
    sc = sc_of(
        [
            Objective(id="grow", perspective="financial"),
            Objective(id="serve", perspective="customer"),
            Objective(id="idle", perspective="customer"),
            Objective(id="learn", perspective="learning_growth"),
        ],
        [
            Indicator(id="revenue", objective="grow"),
            Indicator(id="csat", objective="serve"),
            Indicator(id="nps", objective="serve", weight=0),
        ],
    )
    assert effective_weights(sc).to_dict() == {"revenue": 0.5, "csat": 0.5, "nps": 0.0}


def test_balance_summary_by_hand() -> None:
    df = balance_summary(three()).set_index("id")
    assert list(df.columns) == [c for c in BALANCE_COLUMNS if c != "id"]
    assert list(df["level"]) == [
        "scorecard",
        "perspective",
        "objective",
        "perspective",
        "objective",
    ]
    top = df.loc["t"]
    # 3 of 4 lagging by count; by weight 0.125 + 0.375 + 0.25 = 0.75.
    assert (top["indicators"], top["leading"], top["lagging"]) == (4, 1, 3)
    assert top["lagging_share"] == 0.75
    assert top["lagging_weight_share"] == 0.75
    # financial: 2 of 4 by count, 0.5 by weight
    assert top["financial_share"] == 0.5
    assert top["financial_weight_share"] == 0.5
    serve = df.loc["serve"]
    assert serve["leading_share"] == 0.5
    assert serve["weight"] == 0.5
    assert df.loc["financial", "financial_share"] == 1.0
    assert df.loc["customer", "financial_share"] == 0.0


def test_balance_summary_nan_without_indicators() -> None:
    sc = sc_of([Objective(id="grow", perspective="financial")], [])
    df = balance_summary(sc)
    assert list(df["indicators"]) == [0, 0, 0]
    assert df["lagging_share"].isna().all()
    assert df["lagging_weight_share"].isna().all()


def test_empty_scorecard_gives_empty_frames_and_no_findings() -> None:
    assert balance_summary(EMPTY).empty
    assert tuple(balance_summary(EMPTY).columns) == BALANCE_COLUMNS
    assert horizon_balance(EMPTY).empty
    assert tuple(horizon_balance(EMPTY).columns) == HORIZON_COLUMNS
    assert indicator_horizons(EMPTY).empty
    assert effective_weights(EMPTY).empty
    assert check_balance(EMPTY) == []


_lead_lag = st.sampled_from(["leading", "lagging"])
_perspective = st.sampled_from(["financial", "customer", "internal_process", "learning_growth"])
_weight = st.sampled_from([0.5, 1.0, 2.0, 3.0])  # the model rejects all-zero siblings


@st.composite
def scorecards(draw: st.DrawFn) -> Scorecard:
    n_obj = draw(st.integers(1, 5))
    objectives = [
        Objective(id=f"o{k}", perspective=draw(_perspective), weight=draw(_weight))
        for k in range(n_obj)
    ]
    n_ind = draw(st.integers(0, 10))
    indicators = [
        Indicator(
            id=f"i{k}",
            objective=f"o{draw(st.integers(0, n_obj - 1))}",
            lead_lag=draw(_lead_lag),
            weight=draw(_weight),
            tags=draw(st.lists(st.sampled_from(["revenue", "loyalty", "incentive"]), max_size=2)),
            tier=draw(st.sampled_from(["strategic", "operational"])),
        )
        for k in range(n_ind)
    ]
    return sc_of(objectives, indicators)


@settings(max_examples=80, deadline=None)
@given(scorecards())
def test_shares_are_fractions_that_add_up(sc: Scorecard) -> None:
    df = balance_summary(sc)
    shares = df[[c for c in BALANCE_COLUMNS if c.endswith("share")]].to_numpy()
    assert np.all((shares[~np.isnan(shares)] >= 0) & (shares[~np.isnan(shares)] <= 1))
    has = df["indicators"] > 0
    np.testing.assert_allclose((df["leading_share"] + df["lagging_share"])[has], 1.0)
    weighted = df["weight"] > 0
    both = df["leading_weight_share"] + df["lagging_weight_share"]
    np.testing.assert_allclose(both[weighted], 1.0)
    w = effective_weights(sc)
    assert w.sum() == pytest.approx(1.0) or w.sum() == 0
    hb = horizon_balance(sc)
    for col in ("indicator_share", "weight_share", "incentive_share", "strategic_share"):
        if len(hb) and not hb[col].isna().any():
            assert hb[col].sum() == pytest.approx(1.0)


@settings(max_examples=80, deadline=None)
@given(scorecards(), st.integers(0, 4), _weight)
def test_adding_a_leading_indicator_never_raises_the_lagging_share(
    sc: Scorecard, where: int, weight: float
) -> None:
    objective = sc.objectives[where % len(sc.objectives)].id
    more = Indicator(id="new_driver", objective=objective, lead_lag="leading", weight=weight)
    before = balance_summary(sc).iloc[0]
    after = balance_summary(sc_of(list(sc.objectives), [*sc.indicators, more])).iloc[0]
    assert after["lagging_share"] <= np.nan_to_num(before["lagging_share"], nan=1.0)
    if not math.isnan(before["lagging_weight_share"]):
        assert after["lagging_weight_share"] <= before["lagging_weight_share"] + 1e-12


# -- lagging-heavy and objective-only-lagging --------------------------------------------------


def test_lagging_heavy_fires_above_the_level() -> None:
    found = lagging_heavy(three())
    # 3 of 4 (75 %) and 75 % of the weight lagging > 60 %; financial 50 % is not.
    assert [f.rule for f in found] == ["lagging-heavy"]
    assert found[0].message.startswith("3 of 4 indicators (75%) and 75% of the effective weight")
    # financial 100 % lagging, customer 50 %: financial is named as the place to start
    assert found[0].nodes == ("financial",)


def test_lagging_heavy_boundary_is_strict() -> None:
    assert lagging_heavy(three(), warning_level=0.75) == []
    assert len(lagging_heavy(three(), warning_level=0.74)) == 1


def test_financial_heavy() -> None:
    sc = sc_of(
        [
            Objective(id="grow", perspective="financial"),
            Objective(id="serve", perspective="customer"),
        ],
        [
            Indicator(id="revenue", objective="grow", lead_lag="leading"),
            Indicator(id="margin", objective="grow", lead_lag="leading"),
            Indicator(id="csat", objective="serve", lead_lag="leading"),
        ],
    )
    # 2 of 3 (67 %) financial by count, 50 % by weight: the count is above 60 %.
    (f,) = lagging_heavy(sc)
    assert "2 of 3 indicators (67%) and 50% of the effective weight are financial" in f.message
    # another perspective id for the money
    assert lagging_heavy(sc, financial_perspectives=("stewardship",)) == []


@pytest.mark.parametrize("bad", [0, -0.1, 1.5, math.nan])
def test_bad_warning_levels(bad: float) -> None:
    with pytest.raises(ModelError, match="warning_level"):
        lagging_heavy(three(), warning_level=bad)
    with pytest.raises(ModelError, match="warning_level"):
        short_term_heavy(three(), warning_level=bad)


def test_objective_only_lagging() -> None:
    objectives = [
        Objective(id="serve", perspective="customer"),
        Objective(id="keep", perspective="customer"),
        Objective(id="grow", perspective="financial"),
    ]
    indicators = [
        Indicator(id="response_time", objective="serve", lead_lag="leading"),
        Indicator(id="churn", objective="keep"),
        Indicator(id="revenue", objective="grow"),
    ]
    (f,) = objective_only_lagging(sc_of(objectives, indicators))
    # keep: all lagging, no driver. grow: its whole perspective lags, which structure.py's
    # perspective-only-lagging already reports.
    assert f.nodes == ("keep", "churn")
    assert f.severity is Severity.INFO
    assert [x.rule for x in lint(sc_of(objectives, indicators), rules=["perspective-only-lagging"])]
    # A causal link into the objective or into its indicator names its driver.
    for effect in ("keep", "churn"):
        linked = sc_of(objectives, indicators, [CausalLink(cause="serve", effect=effect)])
        assert objective_only_lagging(linked) == []


# -- processes ---------------------------------------------------------------------------------


def processes(*objective_tags: tuple[str, list[str], list[list[str]]]) -> Scorecard:
    objectives, indicators = [], []
    for oid, tags, ind_tags in objective_tags:
        objectives.append(Objective(id=oid, perspective="internal_process", tags=tags))
        indicators += [
            Indicator(id=f"{oid}_{k}", objective=oid, tags=t) for k, t in enumerate(ind_tags)
        ]
    return sc_of(objectives, indicators)


def test_process_coverage_rules() -> None:
    sc = processes(
        ("both", ["core"], [["efficiency"], ["effectiveness"]]),
        ("cheap", ["core"], [["efficiency"]]),
        ("good", ["core"], [["effectiveness"]]),
        ("blind", ["core"], [[]]),
        ("it", ["support", "differentiator"], [["efficiency"]]),
        ("payroll", ["support"], [["efficiency"]]),  # not differentiating: not judged
        ("other", [], [["efficiency"]]),  # neither core nor support
    )
    assert [f.nodes for f in process_efficiency_only(sc)] == [
        ("cheap", "cheap_0"),
        ("it", "it_0"),
    ]
    assert "differentiating support process 'it'" in process_efficiency_only(sc)[1].message
    assert [f.nodes for f in process_effectiveness_only(sc)] == [("good", "good_0")]
    assert [f.nodes for f in process_coverage_missing(sc)] == [("blind",)]


def test_tag_aliases_and_case() -> None:
    sc = processes(("fulfil", ["Primary"], [["Productivity"]]))
    aliases = {"core": "primary", "efficiency": ["productivity", "unit cost"]}
    assert process_efficiency_only(sc) == []
    assert [f.rule for f in process_efficiency_only(sc, tags=aliases)] == [
        "process-efficiency-only"
    ]


def test_unknown_alias_key_is_a_clear_error() -> None:
    with pytest.raises(ModelError, match=r"'efficency' is not a tag.*efficiency"):
        process_efficiency_only(EMPTY, tags={"efficency": "productivity"})


def test_process_perspectives_option() -> None:
    sc = sc_of(
        [Objective(id="ops", perspective="customer", tags=["core"])],
        [Indicator(id="cost", objective="ops", tags=["efficiency"])],
    )
    assert process_efficiency_only(sc) == []
    assert len(process_efficiency_only(sc, process_perspectives=("customer",))) == 1


def test_support_process_not_differentiating() -> None:
    sc = sc_of(
        [
            Objective(id="payroll", perspective="internal_process", tags=["support"]),
            Objective(id="it", perspective="internal_process", tags=["support", "differentiator"]),
            Objective(
                id="fm", perspective="internal_process", tags=["support"], tier="operational"
            ),
            Objective(id="ops", perspective="internal_process", tags=["support", "core"]),
            Objective(id="hr", perspective="learning_growth", tags=["support"]),
        ],
        [],
    )
    (f,) = support_process_not_differentiating(sc)
    assert f.nodes == ("payroll",)
    assert f.rule == "support-process-not-differentiating"
    assert "tier: operational" in f.fix


# -- horizons ----------------------------------------------------------------------------------


def horizon_card() -> Scorecard:
    return sc_of(
        [
            Objective(id="grow", perspective="financial"),
            Objective(id="keep", perspective="customer"),
            Objective(id="lean", perspective="internal_process", tags=["innovation"]),
            Objective(id="learn", perspective="learning_growth"),
        ],
        [
            Indicator(id="revenue", objective="grow", tags=["incentive"], tier="strategic"),
            Indicator(id="clv", objective="grow", tags=["retention", "revenue"]),
            Indicator(id="upsell", objective="keep", tags=["revenue", "incentive"]),
            Indicator(id="churn", objective="keep", tier="strategic"),
            Indicator(id="pipeline", objective="lean"),
            Indicator(id="cycle_time", objective="lean", tags=["short-term"]),
            Indicator(id="skills", objective="learn"),
        ],
    )


def test_indicator_horizons_precedence() -> None:
    df = indicator_horizons(horizon_card()).set_index("indicator")
    assert df[["horizon", "reason"]].to_numpy().tolist() == [
        ["short-term", "perspective financial"],  # no tags: the perspective decides
        ["long-term", "tag retention"],  # the first topic tag decides
        ["short-term", "tag revenue"],  # a topic tag beats the customer perspective
        ["long-term", "perspective customer"],
        ["long-term", "objective tag innovation"],  # the objective's topic tag
        ["short-term", "tag short-term"],  # an explicit horizon beats everything
        ["long-term", "perspective learning_growth"],
    ]
    assert list(df["incentive"]) == [True, False, True, False, False, False, False]


def test_horizon_options_and_errors() -> None:
    df = indicator_horizons(horizon_card(), perspective_horizons={"financial": "long-term"})
    assert df.set_index("indicator").loc["revenue", "horizon"] == "long-term"
    # a perspective missing from the table falls back to default_horizon
    assert df.set_index("indicator").loc["churn", "reason"] == "default"
    with pytest.raises(ModelError, match="'medium' is not a horizon"):
        indicator_horizons(horizon_card(), default_horizon="medium")
    with pytest.raises(ModelError, match="not a horizon"):
        indicator_horizons(horizon_card(), perspective_horizons={"customer": "later"})
    both = sc_of(
        [Objective(id="grow", perspective="financial")],
        [Indicator(id="x", objective="grow", tags=["short-term", "long-term"])],
    )
    with pytest.raises(ModelError, match="indicator 'x' is tagged both"):
        indicator_horizons(both)


def test_horizon_balance_by_hand() -> None:
    hb = horizon_balance(horizon_card()).set_index("horizon")
    # Effective weights: 4 perspectives of 1/4; grow: revenue, clv 1/8 each; keep: upsell,
    # churn 1/8 each; lean: pipeline, cycle_time 1/8 each; learn: skills 1/4.
    # short: revenue, upsell, cycle_time = 3/8; long: clv, churn, pipeline, skills = 5/8.
    assert hb.loc["short-term", "weight_share"] == pytest.approx(0.375)
    assert hb.loc["long-term", "weight_share"] == pytest.approx(0.625)
    assert list(hb["indicators"]) == [3, 4]
    # incentives: revenue and upsell, both short; strategic: revenue (short), churn (long)
    assert list(hb["incentives"]) == [2, 0]
    assert list(hb["incentive_share"]) == [1.0, 0.0]
    assert list(hb["strategic_share"]) == [0.5, 0.5]


def test_horizon_balance_without_incentives_is_nan() -> None:
    sc = sc_of(
        [Objective(id="grow", perspective="financial")], [Indicator(id="r", objective="grow")]
    )
    hb = horizon_balance(sc)
    assert hb["incentive_share"].isna().all()
    assert list(hb["weight_share"]) == [1.0, 0.0]


def test_short_term_heavy() -> None:
    found = short_term_heavy(horizon_card())
    # weight 37.5 % and strategic 50 % are fine; incentives are 100 % short-term.
    assert [f.nodes for f in found] == [("revenue", "upsell")]
    assert "100% of the incentive indicators" in found[0].message
    assert short_term_heavy(horizon_card(), warning_level=1.0) == []
    # with customer counted short-term: weight 3/8 + 1/8 (churn) = 50 %, strategic 100 %
    short_customer = {
        "financial": "short-term",
        "customer": "short-term",
        "internal_process": "short-term",
        "learning_growth": "long-term",
    }
    found = short_term_heavy(horizon_card(), perspective_horizons=short_customer)
    assert [f.message.split(" of ")[0] for f in found] == [
        "short-term indicators make up 100%",  # incentives
        "short-term indicators make up 100%",  # strategic tier: revenue and churn
    ]
    assert short_term_heavy(
        horizon_card(), perspective_horizons=short_customer, warning_level=0.49
    )[0].message.startswith("short-term indicators carry 50% of the effective weight")


# -- incentives against long-term outcomes -----------------------------------------------------


def call_centre(
    *, sign: str = "-", polarity: str = "higher_better", tags: Any = ("incentive",)
) -> Scorecard:
    return sc_of(
        [
            Objective(id="productive", perspective="internal_process"),
            Objective(id="loyal", perspective="customer", tags=["loyalty"]),
        ],
        [
            Indicator(id="calls_per_hour", objective="productive", tags=tags, polarity=polarity),
            Indicator(id="fcr", objective="productive"),
        ],
        [
            CausalLink(cause="calls_per_hour", effect="fcr", sign=sign),
            CausalLink(cause="fcr", effect="loyal"),
        ],
    )


def test_incentive_undermines_loyalty() -> None:
    (f,) = incentive_undermines_outcome(call_centre())
    # rewarded +1, calls -> fcr (-1), fcr -> loyal (+1): +1 * -1 * +1 * good(+1) < 0.
    assert f.nodes == ("calls_per_hour", "loyal")
    assert "calls_per_hour -[-]-> fcr -[+]-> loyal (link signs multiply to -)" in f.message


def test_incentive_that_helps_is_not_reported() -> None:
    assert incentive_undermines_outcome(call_centre(sign="+")) == []
    assert incentive_undermines_outcome(call_centre(tags=())) == []  # not an incentive
    assert incentive_undermines_outcome(call_centre(polarity="in_range")) == []


def test_lower_better_incentive_flips_the_direction() -> None:
    # Rewarding *fewer* calls per hour (-1) with a negative link: -1 * -1 * +1 > 0, helps.
    assert incentive_undermines_outcome(call_centre(polarity="lower_better")) == []
    # ... and with a positive link it harms: -1 * +1 * +1 < 0.
    (f,) = incentive_undermines_outcome(call_centre(sign="+", polarity="lower_better"))
    assert "rewards lower values" in f.message


def test_outcome_polarity_and_path_through_the_objective() -> None:
    # The incentive has no link of its own: its objective 'sell' drives churn (lower is
    # better) up. rewarded +1, measures +1, sell -> churn +1, good(churn) -1: harm.
    sc = sc_of(
        [
            Objective(id="sell", perspective="financial"),
            Objective(id="keep", perspective="customer"),
        ],
        [
            Indicator(id="bookings", objective="sell", tags=["incentive"]),
            Indicator(id="churn", objective="keep", polarity="lower_better", tags=["retention"]),
        ],
        [CausalLink(cause="sell", effect="churn")],
    )
    (f,) = incentive_undermines_outcome(sc)
    # churn measures 'keep' with sign -1 (lower-better), so 'keep' is harmed too.
    assert f.nodes == ("bookings", "churn", "keep")
    assert "bookings -[+]-> sell -[+]-> churn" in f.message


def test_cycles_and_unlinked_incentives() -> None:
    sc = sc_of(
        [
            Objective(id="a", perspective="internal_process"),
            Objective(id="b", perspective="customer"),
        ],
        [
            Indicator(id="bonus", objective="a", tags=["incentive"]),
            Indicator(id="solo", objective="b", tags=["incentive"]),
        ],
        [
            CausalLink(cause="a", effect="b", sign="-", feedback=True),
            CausalLink(cause="b", effect="a", sign="-", feedback=True),
        ],
    )
    found = incentive_undermines_outcome(sc)
    # bonus -> a -[-]-> b harms the long-term customer objective b; 'solo' measures b with +1
    # and b -> a is not long-term (internal process): nothing.
    assert [f.nodes for f in found] == [("bonus", "b")]


# -- runner and definition files ---------------------------------------------------------------


def test_runner() -> None:
    assert [f.rule for f in check_balance(three())] == ["lagging-heavy"]
    assert check_balance(three(), lagging_warning=0.9) == []
    assert check_balance(three(), rules="short-term-heavy") == []
    with pytest.raises(UnknownMethodError, match="Did you mean 'lagging-heavy'"):
        check_balance(three(), rules=["lagging-heavyy"])
    with pytest.raises(ModelError, match="short_term_warning"):
        check_balance(three(), short_term_warning=2)
    assert set(BALANCE_RULES) == {
        "lagging-heavy",
        "objective-only-lagging",
        "process-efficiency-only",
        "process-effectiveness-only",
        "process-coverage-missing",
        "support-process-not-differentiating",
        "short-term-heavy",
        "incentive-undermines-outcome",
    }
    for rule in BALANCE_RULES.values():
        assert rule(EMPTY) == []


YAML = """
id: contact_centre
objectives:
  - id: grow
    perspective: financial
    indicators:
      - {id: revenue, tags: [incentive]}
  - id: loyal
    perspective: customer
    tags: [loyalty]
    indicators:
      - {id: nps, lead_lag: lagging}
      - {id: wait_time, lead_lag: leading, polarity: lower_better}
  - id: handle_calls
    perspective: internal_process
    tags: [core]
    indicators:
      - {id: cost_per_call, tags: [efficiency, incentive], polarity: lower_better}
  - id: payroll
    perspective: internal_process
    tags: [support]
links:
  - {cause: cost_per_call, effect: wait_time, sign: "-"}
  - {cause: wait_time, effect: loyal, sign: "-"}
"""


def test_definition_file() -> None:
    sc = loads(YAML, format="yaml")
    found = check_balance(sc)
    # Effective weights: grow 1/3 (revenue), loyal 1/3 (nps, wait_time 1/6 each),
    # handle_calls 1/3 (cost_per_call); payroll has no indicator and drops out.
    # Lagging: revenue, nps, cost_per_call = 3 of 4 and 1/3 + 1/6 + 1/3 = 5/6 (83 %).
    # Short-term: revenue (financial) and cost_per_call (internal process) = 2/3 (67 %);
    # both incentives are short-term (100 %).
    assert [f.rule for f in found] == [
        "lagging-heavy",
        "process-efficiency-only",
        "support-process-not-differentiating",
        "short-term-heavy",
        "short-term-heavy",
        "incentive-undermines-outcome",
    ]
    assert "3 of 4 indicators (75%) and 83% of the effective weight" in found[0].message
    assert "carry 67% of the effective weight" in found[3].message
    # cost_per_call is lower-better: the incentive rewards -1. Cheaper calls mean longer
    # waits (link -1), so wait_time rises: -1 * -1 = +1, and wait_time is lower-better (good
    # direction -1): +1 * -1 < 0, harmed; loyalty falls through wait_time -> loyal (-1).
    assert found[-1].nodes == ("cost_per_call", "wait_time", "loyal")
    assert "cost_per_call -[-]-> wait_time" in found[-1].message
