"""Tests of the scorecard design linter."""

from __future__ import annotations

from typing import Any

import attrs
import pytest

from balanced_scorecard.algorithms.findings import Finding, Severity, findings_frame
from balanced_scorecard.algorithms.structure import LINT_RULES, lint
from balanced_scorecard.exceptions import ModelError, UnknownMethodError
from balanced_scorecard.model import (
    Assignment,
    CausalLink,
    Indicator,
    Initiative,
    Objective,
    Perspective,
    Scorecard,
    Weight,
)

PERSPECTIVES = (
    Perspective(id="financial", weight=0.5),
    Perspective(id="customer", weight=0.5),
)


def owners(*nodes: str, person: str = "ann") -> list[Assignment]:
    return [Assignment(role="owner", person=person, node=n) for n in nodes]


def clean_parts() -> dict[str, Any]:
    """A small, well-formed scorecard: every rule passes."""
    objectives = [
        Objective(id="grow", perspective="financial", weight=1),
        Objective(id="delight", perspective="customer", weight=1),
    ]
    indicators = [
        Indicator(id="revenue", objective="grow", lead_lag="lagging", weight=0.5),
        Indicator(id="pipeline", objective="grow", lead_lag="leading", weight=0.5),
        Indicator(id="nps", objective="delight", lead_lag="lagging", weight=0.25),
        Indicator(id="response_time", objective="delight", lead_lag="leading", weight=0.75),
    ]
    return {
        "id": "acme",
        "perspectives": PERSPECTIVES,
        "objectives": objectives,
        "indicators": indicators,
        "links": [CausalLink(cause="nps", effect="revenue")],
        "assignments": [
            *owners("grow", "delight", "revenue", "pipeline", "nps", "response_time"),
            # A facilitator per perspective covers its objectives' reviews.
            *(Assignment(role="review_facilitator", person="pmo", node=p.id) for p in PERSPECTIVES),
        ],
        "initiatives": [Initiative(id="crm", objectives=["delight"])],
        "weights_total": 1,
    }


def card(**changes: Any) -> Scorecard:
    return Scorecard(**{**clean_parts(), **changes})


def fired(sc: Scorecard, rule: str, **options: Any) -> list[Finding]:
    return lint(sc, rules=[rule], **options)


# -- the clean scorecard -------------------------------------------------------------------------


def test_clean_scorecard_has_no_findings() -> None:
    assert lint(card()) == []


def test_scorecard_check_delegates_to_lint() -> None:
    sc = card(initiatives=[Initiative(id="x")])
    assert sc.check() == lint(sc)
    assert [f.rule for f in sc.check()] == ["initiative-without-objective"]


# -- objective-without-indicators ----------------------------------------------------------------


def test_objective_without_indicators_fires() -> None:
    parts = clean_parts()
    sc = card(
        objectives=[*parts["objectives"], Objective(id="lonely", perspective="customer")],
        links=[*parts["links"], CausalLink(cause="lonely", effect="grow")],
        assignments=[*parts["assignments"], *owners("lonely")],
        weights_total=None,
    )
    [f] = lint(sc)
    assert f.rule == "objective-without-indicators"
    assert f.severity is Severity.WARNING
    assert f.nodes == ("lonely",)
    assert "'lonely'" in f.message
    assert f.fix


def test_parent_measured_through_children_is_fine() -> None:
    parts = clean_parts()
    sc = card(
        objectives=[
            *parts["objectives"],
            Objective(id="service", perspective="customer"),
            Objective(id="speed", perspective="customer", parent="service"),
        ],
        indicators=[*parts["indicators"], Indicator(id="tta", objective="speed")],
        weights_total=None,
    )
    assert fired(sc, "objective-without-indicators") == []


# -- owners --------------------------------------------------------------------------------------


def test_indicator_without_owner_names_objective_owner() -> None:
    parts = clean_parts()
    assignments = [a for a in parts["assignments"] if a.node not in {"nps", "grow"}]
    assignments.append(Assignment(role="owner", person="cmo", node="delight"))
    sc = card(assignments=assignments)
    findings = fired(sc, "indicator-without-owner")
    assert [f.nodes for f in findings] == [("nps",)]
    msg = findings[0].message
    assert "'nps'" in msg
    assert "objective 'delight' is owned by ann, cmo" in msg
    assert "make ann, cmo the owner" in msg


def test_indicator_without_owner_when_objective_has_none() -> None:
    parts = clean_parts()
    assignments = [a for a in parts["assignments"] if a.node not in {"revenue", "grow"}]
    [f] = fired(card(assignments=assignments), "indicator-without-owner")
    assert f.nodes == ("revenue",)
    assert "owned by" not in f.message


def test_only_owner_role_without_org_unit_counts() -> None:
    parts = clean_parts()
    assignments = [a for a in parts["assignments"] if a.node != "nps"]
    assignments += [
        Assignment(role="data_steward", person="bob", node="nps"),
        Assignment(role="owner", person="eve", node="nps", org_unit="all"),
    ]
    [f] = fired(card(assignments=assignments), "indicator-without-owner")
    assert f.nodes == ("nps",)
    assert f.org_units == ("all",)
    assert "only in org unit(s) 'all'" in f.message


def test_objective_without_owner() -> None:
    parts = clean_parts()
    assignments = [a for a in parts["assignments"] if a.node != "delight"]
    [f] = fired(card(assignments=assignments), "objective-without-owner")
    assert f.nodes == ("delight",)
    assert "'delight'" in f.message
    assert fired(card(), "objective-without-owner") == []


# -- perspective-only-lagging --------------------------------------------------------------------


def _all_lagging_customer() -> Scorecard:
    parts = clean_parts()
    inds = [
        Indicator(id=i.id, objective=i.objective, lead_lag="lagging", weight=i.weight)
        if i.objective == "delight"
        else i
        for i in parts["indicators"]
    ]
    return card(indicators=inds)


def test_perspective_only_lagging_fires() -> None:
    [f] = fired(_all_lagging_customer(), "perspective-only-lagging")
    assert f.nodes == ("customer", "nps", "response_time")
    assert "2 of 2 indicators (100%)" in f.message


def test_perspective_only_lagging_ignores_perspectives_without_indicators() -> None:
    sc = Scorecard(id="x", objectives=[Objective(id="grow", perspective="financial")])
    assert fired(sc, "perspective-only-lagging") == []


def test_lagging_share_warning_threshold() -> None:
    # Each perspective of the clean card is half lagging.
    assert fired(card(), "perspective-only-lagging", lagging_share_warning=0.6) == []
    findings = fired(card(), "perspective-only-lagging", lagging_share_warning=0.5)
    assert [f.nodes[0] for f in findings] == ["financial", "customer"]
    assert "1 of 2 indicators (50%)" in findings[0].message


@pytest.mark.parametrize("share", [0.0, -0.1, 1.5])
def test_lagging_share_warning_out_of_range(share: float) -> None:
    with pytest.raises(ModelError, match="lagging_share_warning"):
        lint(card(), lagging_share_warning=share)


# -- orphan-objective ----------------------------------------------------------------------------


def test_orphan_objective_fires_and_top_is_exempt() -> None:
    sc = card(links=[])
    findings = fired(sc, "orphan-objective")
    assert [f.nodes for f in findings] == [("delight",)]
    assert "'financial'" in findings[0].message


def test_orphan_path_through_indicators_and_objectives() -> None:
    parts = clean_parts()
    sc = card(
        perspectives=[*PERSPECTIVES, Perspective(id="process", weight=0)],
        objectives=[*parts["objectives"], Objective(id="ops", perspective="process")],
        indicators=[*parts["indicators"], Indicator(id="cycle", objective="ops")],
        # indicator -> objective -> indicator -> top objective
        links=[
            CausalLink(cause="cycle", effect="delight"),
            CausalLink(cause="delight", effect="revenue"),
        ],
        weights_total=None,
    )
    assert fired(sc, "orphan-objective") == []


def test_link_within_one_objective_does_not_connect_it() -> None:
    sc = card(links=[CausalLink(cause="response_time", effect="nps")])
    assert [f.nodes for f in fired(sc, "orphan-objective")] == [("delight",)]


def test_link_from_top_downwards_does_not_connect() -> None:
    sc = card(links=[CausalLink(cause="grow", effect="delight")])
    assert [f.nodes for f in fired(sc, "orphan-objective")] == [("delight",)]


def test_child_of_connected_objective_is_not_orphan() -> None:
    parts = clean_parts()
    sc = card(
        objectives=[
            *parts["objectives"],
            Objective(id="speed", perspective="customer", parent="delight"),
            Objective(id="stray", perspective="customer"),
            Objective(id="stray_child", perspective="customer", parent="stray"),
        ],
        weights_total=None,
    )
    assert [f.nodes for f in fired(sc, "orphan-objective")] == [("stray",), ("stray_child",)]


def test_top_is_first_perspective_with_objectives() -> None:
    sc = Scorecard(
        id="gov",
        perspectives=[Perspective(id="mission"), Perspective(id="financial")],
        objectives=[
            Objective(id="serve", perspective="mission"),
            Objective(id="budget", perspective="financial"),
        ],
    )
    assert [f.nodes for f in fired(sc, "orphan-objective")] == [("budget",)]
    moved = Scorecard(
        id="gov",
        perspectives=[Perspective(id="empty"), *sc.perspectives],
        objectives=sc.objectives,
    )
    assert fired(moved, "orphan-objective") == fired(sc, "orphan-objective")


# -- weights-not-declared-total ------------------------------------------------------------------


def test_weights_ignored_without_declared_total() -> None:
    parts = clean_parts()
    inds = [*parts["indicators"], Indicator(id="extra", objective="grow", weight=3)]
    sc = card(indicators=inds, weights_total=None)
    assert fired(sc, "weights-not-declared-total") == []


def test_weights_not_declared_total_reports_parent_sum_and_total() -> None:
    parts = clean_parts()
    inds = [*parts["indicators"], Indicator(id="extra", objective="grow", weight=0.2)]
    perspectives = [Perspective(id="financial", weight=0.5), Perspective(id="customer", weight=1)]
    sc = card(indicators=inds, perspectives=perspectives)
    findings = fired(sc, "weights-not-declared-total")
    assert len(findings) == 2
    first, second = findings
    assert "objective 'grow'" in first.message
    assert "add up to 1.2" in first.message
    assert "declared total 1" in first.message
    assert first.nodes == ("revenue", "pipeline", "extra")
    assert "scorecard 'acme'" in second.message
    assert "add up to 1.5" in second.message


def test_weights_float_noise_is_tolerated() -> None:
    parts = clean_parts()
    inds = [
        Indicator(id="a", objective="grow", weight=0.1),
        Indicator(id="b", objective="grow", weight=0.2),
        Indicator(id="c", objective="grow", weight=0.7 + 1e-12),
        *(i for i in parts["indicators"] if i.objective != "grow"),
    ]
    sc = card(indicators=inds, links=[], assignments=[])
    assert fired(sc, "weights-not-declared-total") == []
    inds[2] = Indicator(id="c", objective="grow", weight=0.7 + 1e-7)
    [f] = fired(card(indicators=inds, links=[], assignments=[]), "weights-not-declared-total")
    assert "add up to 1.0000001," in f.message


def test_weights_total_of_100() -> None:
    parts = clean_parts()
    sc = card(
        weights_total=100,
        perspectives=[
            Perspective(id="financial", weight=60),
            Perspective(id="customer", weight=40),
        ],
        objectives=[
            Objective(id="grow", perspective="financial", weight=100),
            Objective(id="delight", perspective="customer", weight=100),
        ],
        indicators=[
            Indicator(id=i.id, objective=i.objective, lead_lag=i.lead_lag, weight=50)
            for i in parts["indicators"]
        ],
    )
    assert fired(sc, "weights-not-declared-total") == []


def test_weights_checked_at_every_change_date() -> None:
    # Initially 0.5 + 0.5; from 2025-01 0.7 + 0.5 (wrong); from 2025-04 0.7 + 0.3 (right again).
    parts = clean_parts()
    inds = [
        Indicator(
            id="revenue", objective="grow", weight=Weight(value=0.5, changes={"2025-01": 0.7})
        ),
        Indicator(
            id="pipeline",
            objective="grow",
            lead_lag="leading",
            weight=Weight(value=0.5, changes={"2025-04": 0.3}),
        ),
        *(i for i in parts["indicators"] if i.objective != "grow"),
    ]
    [f] = fired(card(indicators=inds), "weights-not-declared-total")
    assert "add up to 1.2 from 2025-01" in f.message
    assert "2025-04" not in f.message
    assert "objective 'grow'" in f.message


# -- info rules ----------------------------------------------------------------------------------


def test_empty_perspective() -> None:
    sc = card(perspectives=[*PERSPECTIVES, Perspective(id="future", weight=0)])
    [f] = lint(sc)
    assert (f.rule, f.severity, f.nodes) == ("empty-perspective", Severity.INFO, ("future",))


def test_initiative_without_objective() -> None:
    sc = card(initiatives=[Initiative(id="crm", objectives=["delight"]), Initiative(id="erp")])
    [f] = lint(sc)
    assert (f.rule, f.severity, f.nodes) == (
        "initiative-without-objective",
        Severity.INFO,
        ("erp",),
    )


# -- order, selection, frame ---------------------------------------------------------------------


def _messy() -> Scorecard:
    return Scorecard(
        id="messy",
        objectives=[
            Objective(id="grow", perspective="financial"),
            Objective(id="idle", perspective="customer"),
        ],
        indicators=[Indicator(id="revenue", objective="grow")],
        initiatives=[Initiative(id="erp")],
        weights_total=1,
    )


def test_findings_in_rule_then_document_order() -> None:
    findings = lint(_messy())
    rules = [f.rule for f in findings]
    order = list(LINT_RULES)
    assert rules == sorted(rules, key=order.index)
    # Every structure rule fires on this scorecard (the cascade, ownership and balance rules
    # of the other modules have their own tests).
    structure_rules = list(LINT_RULES)[: list(LINT_RULES).index("initiative-without-objective") + 1]
    assert set(rules) >= set(structure_rules)
    empties = [f.nodes[0] for f in findings if f.rule == "empty-perspective"]
    assert empties == ["internal_process", "learning_growth"]
    assert lint(_messy()) == findings


def test_rules_selection_runs_in_rule_order() -> None:
    findings = lint(_messy(), rules=("initiative-without-objective", "objective-without-owner"))
    assert [f.rule for f in findings] == [
        "objective-without-owner",
        "objective-without-owner",
        "initiative-without-objective",
    ]
    assert lint(_messy(), rules="empty-perspective") == lint(_messy(), rules=["empty-perspective"])
    assert lint(_messy(), rules=[]) == []


def test_unknown_rule_suggests_the_closest() -> None:
    with pytest.raises(UnknownMethodError, match="Did you mean 'orphan-objective'"):
        lint(card(), rules=["orphan-objectiv"])
    with pytest.raises(KeyError):
        lint(card(), rules=["nonsense"])


def test_finding_str() -> None:
    f = Finding(rule="r", severity="info", message="m")
    assert str(f) == "info [r] m"
    g = Finding(rule="r", severity=Severity.ERROR, message="m", fix="do x")
    assert str(g) == "error [r] m (fix: do x)"


def test_findings_frame_columns_and_order() -> None:
    findings = [
        Finding(rule="b", severity="info", message="1"),
        Finding(rule="z", severity="warning", message="2", nodes=("a", "b"), org_units=("u",)),
        Finding(rule="a", severity="warning", message="3"),
        Finding(rule="c", severity="error", message="4", fix="f"),
        Finding(rule="a", severity="warning", message="5"),
    ]
    df = findings_frame(findings)
    assert list(df.columns) == ["severity", "rule", "nodes", "org_units", "message", "fix"]
    assert df["message"].tolist() == ["4", "3", "5", "2", "1"]
    assert df["severity"].tolist() == ["error", "warning", "warning", "warning", "info"]
    row = df[df["message"] == "2"].iloc[0]
    assert (row["nodes"], row["org_units"]) == ("a, b", "u")
    assert df.index.tolist() == list(range(5))


def test_findings_frame_empty_and_from_lint() -> None:
    empty = findings_frame([])
    assert empty.empty
    assert list(empty.columns) == ["severity", "rule", "nodes", "org_units", "message", "fix"]
    df = findings_frame(lint(_messy()))
    assert len(df) == len(lint(_messy()))
    assert df["severity"].iloc[-1] == "info"


def test_an_org_units_objective_is_owned_by_an_owner_in_that_unit() -> None:
    from balanced_scorecard.model.org import OrgChart, OrgUnit

    sc = Scorecard(
        id="c",
        org_chart=OrgChart(units=[OrgUnit(id="hq"), OrgUnit(id="north", parent="hq")]),
        objectives=[
            Objective(id="grow", perspective="financial"),
            Objective(id="grow_north", perspective="financial", parent="grow", org_unit="north"),
        ],
        indicators=[Indicator(id="rev_north", objective="grow_north")],
        assignments=[
            Assignment(role="owner", person="cfo", node="grow"),
            Assignment(role="owner", person="nm", node="grow_north", org_unit="north"),
            Assignment(role="owner", person="nm", node="rev_north", org_unit="north"),
        ],
    )
    # Both north nodes are owned in north, their home unit: nothing to report.
    assert lint(sc, rules=["objective-without-owner", "indicator-without-owner"]) == []
    # Owned only in another unit, the north objective is still unowned.
    elsewhere = Assignment(role="owner", person="nm", node="grow_north", org_unit="hq")
    moved = attrs.evolve(sc, assignments=[sc.assignments[0], elsewhere, sc.assignments[2]])
    found = lint(moved, rules=["objective-without-owner"])
    assert [f.nodes for f in found] == [("grow_north",)]


def test_lint_runs_every_module_and_routes_options_to_their_rules() -> None:
    from balanced_scorecard.algorithms import accountability, alignment, balance

    for registry in (
        alignment.ALIGNMENT_RULES,
        accountability.ACCOUNTABILITY_RULES,
        balance.BALANCE_RULES,
    ):
        assert set(registry) <= set(LINT_RULES)
    # messy: one lagging indicator out of one -> lagging share 1.0 > 0.6 (the default level)
    assert "lagging-heavy" in {f.rule for f in lint(_messy(), rules=["lagging-heavy"])}
    # ... and not when the warning level is 1.0 (the share must exceed it).
    quiet = lint(
        _messy(), rules=["lagging-heavy"], options={"lagging-heavy": {"warning_level": 1.0}}
    )
    assert quiet == []
    with pytest.raises(ModelError, match=r"has no option 'level'.*warning_level"):
        lint(_messy(), options={"lagging-heavy": {"level": 0.5}})
    with pytest.raises(UnknownMethodError, match="unknown lint rule 'lagging-heavyy'"):
        lint(_messy(), options={"lagging-heavyy": {}})
