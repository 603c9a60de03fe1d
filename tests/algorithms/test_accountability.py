"""Tests of the RACI checks: one accountable owner, agreed splits of shared outcomes."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from balanced_scorecard.algorithms.accountability import (
    ACCOUNTABILITY_RULES,
    RACI_COLUMNS,
    check_accountability,
    raci,
    several_accountable_owners,
    shared_outcome_without_split,
)
from balanced_scorecard.algorithms.findings import Severity, findings_frame
from balanced_scorecard.definitions import loads
from balanced_scorecard.exceptions import ModelError, UnknownMethodError
from balanced_scorecard.model import (
    Assignment,
    Indicator,
    Objective,
    OrgChart,
    OrgUnit,
    Scorecard,
)

CHART = OrgChart(
    units=[
        OrgUnit(id="acme"),
        OrgUnit(id="north", parent="acme"),
        OrgUnit(id="south", parent="acme"),
        OrgUnit(id="sales", parent="north"),
        OrgUnit(id="service", parent="north"),
        OrgUnit(id="delivery", parent="south"),
    ]
)


def card(*assignments: Assignment) -> Scorecard:
    return Scorecard(
        id="t",
        org_chart=CHART,
        objectives=[Objective(id="delight", perspective="customer")],
        indicators=[Indicator(id="csat", objective="delight")],
        assignments=assignments,
    )


def owner(person: str, node: str = "delight", unit: str | None = None) -> Assignment:
    return Assignment(role="owner", person=person, node=node, org_unit=unit)


def contrib(
    person: str, unit: str | None = None, share: float | None = None, node: str = "delight"
) -> Assignment:
    return Assignment(role="contributor", person=person, node=node, org_unit=unit, share=share)


# -- several-accountable-owners ----------------------------------------------------------------


def test_two_company_wide_owners_are_reported() -> None:
    found = several_accountable_owners(card(owner("ann"), owner("bob"), contrib("cy")))
    assert [(f.rule, f.severity, f.nodes, f.org_units) for f in found] == [
        ("several-accountable-owners", Severity.WARNING, ("delight",), ())
    ]
    assert "2 accountable owners company-wide (ann, bob)" in found[0].message
    assert "e.g. ann" in found[0].fix


def test_two_owners_in_one_unit_are_reported_with_the_unit() -> None:
    sc = card(owner("ann", "csat", "north"), owner("bob", "csat", "north"), owner("cy", "csat"))
    (f,) = several_accountable_owners(sc)
    assert f.nodes == ("csat",)
    assert f.org_units == ("north",)
    assert "indicator 'csat' has 2 accountable owners in org unit 'north'" in f.message


@pytest.mark.parametrize(
    "assignments",
    [
        # one owner and contributors: the RACI rule as intended
        (owner("ann"), contrib("bob"), contrib("cy")),
        # a cascade: company-wide owner, a different owner for one unit
        (owner("ann"), owner("bob", unit="north"), owner("cy", unit="south")),
        # the same person assigned twice counts once
        (owner("ann"), owner("ann")),
        # no owner at all is structure.py's objective-without-owner, not this rule
        (contrib("bob"),),
    ],
)
def test_one_owner_per_scope_is_not_reported(assignments: tuple[Assignment, ...]) -> None:
    assert several_accountable_owners(card(*assignments)) == []


def test_perspectives_and_initiatives_are_not_judged() -> None:
    sc = card(owner("ann", "customer"), owner("bob", "customer"))
    assert several_accountable_owners(sc) == []


# -- shared-outcome-without-split --------------------------------------------------------------


def test_three_units_with_one_share_missing() -> None:
    # customer satisfaction across sales, service and delivery: 0.5 + 0.3 = 0.8 given,
    # delivery has no share; the gap to 1 is 0.2.
    sc = card(
        owner("cco"),
        contrib("sam", "sales", 0.5),
        contrib("sue", "service", 0.3),
        contrib("dan", "delivery"),
    )
    (f,) = shared_outcome_without_split(sc)
    assert f.rule == "shared-outcome-without-split"
    assert f.nodes == ("delight",)
    assert f.org_units == ("sales", "service", "delivery")
    assert f.message == (
        "objective 'delight' company-wide is shared by 3 contributors (sam (sales) 0.5, "
        "sue (service) 0.3, dan (delivery) no share) whose shares add up to 0.8, 0.2 short "
        "of 1; 1 without a share"
    )
    assert f.fix.startswith("give dan share 0.2")


def test_shares_over_one_are_reported() -> None:
    # 0.6 + 0.6 = 1.2: 0.2 over.
    (f,) = shared_outcome_without_split(
        card(owner("cco"), contrib("a", "sales", 0.6), contrib("b", "service", 0.6))
    )
    assert "add up to 1.2, 0.2 over 1" in f.message


def test_several_contributors_without_any_share() -> None:
    (f,) = shared_outcome_without_split(card(owner("cco"), contrib("a"), contrib("b")))
    assert "with no agreed split of responsibility" in f.message
    assert "a no share, b no share" in f.message


def test_a_single_contributor_with_a_partial_share() -> None:
    # One contributor answering for 0.4: who answers for the other 0.6?
    (f,) = shared_outcome_without_split(card(owner("cco"), contrib("a", share=0.4)))
    assert "add up to 0.4, 0.6 short of 1" in f.message


@pytest.mark.parametrize(
    "assignments",
    [
        (contrib("a", "sales", 0.5), contrib("b", "service", 0.3), contrib("c", "delivery", 0.2)),
        # 0.33 + 0.33 + 0.34 = 1 exactly; 0.333 * 3 = 0.999 is within the 0.005 tolerance
        (contrib("a", share=0.33), contrib("b", share=0.33), contrib("c", share=0.34)),
        (contrib("a", share=0.333), contrib("b", share=0.333), contrib("c", share=0.333)),
        # a single contributor needs no split
        (contrib("a"),),
        (contrib("a", share=1.0),),
        (),
    ],
)
def test_agreed_splits_are_not_reported(assignments: tuple[Assignment, ...]) -> None:
    assert shared_outcome_without_split(card(owner("cco"), *assignments)) == []


def test_tolerance_is_configurable() -> None:
    sc = card(contrib("a", share=0.333), contrib("b", share=0.333), contrib("c", share=0.333))
    # |0.999 - 1| = 0.001 > 0.0001
    assert len(shared_outcome_without_split(sc, tolerance=1e-4)) == 1


@pytest.mark.parametrize("bad", [-0.1, 1.0, math.nan, "0.1"])
def test_bad_tolerance_is_a_clear_error(bad: object) -> None:
    with pytest.raises(ModelError, match="tolerance"):
        shared_outcome_without_split(card(), tolerance=bad)  # type: ignore[arg-type]


def test_splits_are_per_accountable_scope() -> None:
    # csat is owned per business unit: north's contributors split north's result (0.6 + 0.4),
    # south's theirs (1.0). Together they add up to 2, which is right, not a finding.
    sc = card(
        owner("nina", "csat", "north"),
        owner("sven", "csat", "south"),
        contrib("sam", "sales", 0.6, node="csat"),
        contrib("sue", "service", 0.4, node="csat"),
        contrib("dan", "delivery", 1.0, node="csat"),
    )
    assert shared_outcome_without_split(sc) == []
    # Without the unit owners they are one company-wide outcome whose shares add up to 2.
    (f,) = shared_outcome_without_split(card(*sc.assignments[2:]))
    assert "add up to 2, 1 over 1" in f.message


def test_a_unit_split_that_misses_names_the_unit() -> None:
    sc = card(
        owner("nina", "csat", "north"),
        contrib("sam", "sales", 0.6, node="csat"),
        contrib("sue", "service", 0.3, node="csat"),
    )
    (f,) = shared_outcome_without_split(sc)
    assert f.org_units == ("north", "sales", "service")
    assert "in org unit 'north'" in f.message
    assert "0.1 short of 1" in f.message


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.none(), st.floats(0, 1)), min_size=0, max_size=6))
def test_split_rule_law(shares: list[float | None]) -> None:
    # Reported exactly when shares are given and miss 1 by more than the tolerance, or when
    # several contributors leave some share out.
    sc = card(owner("cco"), *(contrib(f"p{k}", share=s) for k, s in enumerate(shares)))
    given_ = [s for s in shares if s is not None]
    expected = (bool(given_) and abs(1 - math.fsum(given_)) > 0.005) or (
        len(shares) > 1 and None in shares
    )
    assert bool(shared_outcome_without_split(sc)) == expected


@settings(max_examples=100, deadline=None)
@given(st.lists(st.floats(0.01, 1), min_size=2, max_size=8))
def test_normalised_shares_always_pass(raw: list[float]) -> None:
    total = math.fsum(raw)
    shares = [min(1.0, r / total) for r in raw]
    sc = card(owner("cco"), *(contrib(f"p{k}", share=s) for k, s in enumerate(shares)))
    assert shared_outcome_without_split(sc) == []


# -- the runner and the RACI table -------------------------------------------------------------


def test_runner_runs_both_rules_in_order() -> None:
    sc = card(owner("ann"), owner("bob"), contrib("a"), contrib("b"))
    assert [f.rule for f in check_accountability(sc)] == list(ACCOUNTABILITY_RULES)
    only = check_accountability(sc, rules="shared-outcome-without-split")
    assert [f.rule for f in only] == ["shared-outcome-without-split"]
    assert list(findings_frame(only)["rule"]) == ["shared-outcome-without-split"]


def test_runner_rejects_unknown_rules() -> None:
    with pytest.raises(UnknownMethodError, match="several-accountable-owners"):
        check_accountability(card(), rules=["several-owners"])


def test_empty_scorecard() -> None:
    sc = Scorecard(id="empty")
    assert check_accountability(sc) == []
    frame = raci(sc)
    assert frame.empty
    assert tuple(frame.columns) == RACI_COLUMNS


def test_raci_rows_per_node_and_scope() -> None:
    sc = card(
        owner("cco"),
        contrib("sam", "sales", 0.5),
        contrib("sue", "service", 0.5),
        Assignment(role="executive_sponsor", person="ceo", node="delight"),
        owner("nina", "csat", "north"),
        contrib("sam", "sales", node="csat"),
        Assignment(role="data_steward", person="dora", node="csat"),
        Assignment(role="review_facilitator", person="rita", node="customer"),
    )
    frame = raci(sc)
    assert tuple(frame.columns) == RACI_COLUMNS
    rows = frame.fillna({"share_total": -1}).to_numpy().tolist()
    assert rows == [
        ["delight", "objective", "", "cco", "sam (sales) 0.5, sue (service) 0.5", 1.0, "", "",
         "ceo"],
        # csat company-wide has only a steward; north has its owner and a contributor in sales
        ["csat", "indicator", "", "", "", -1.0, "dora", "", ""],
        ["csat", "indicator", "north", "nina", "sam (sales) ?", -1.0, "", "", ""],
        ["customer", "perspective", "", "", "", -1.0, "", "rita", ""],
    ]  # fmt: skip
    assert np.isnan(frame["share_total"].iloc[1])


def test_definition_file_round_trip() -> None:
    sc = loads(
        """
id: acme
org_units:
  - id: acme
    children: [{id: sales}, {id: service}, {id: delivery}]
objectives:
  - id: delight
    perspective: customer
    owner: [cco, coo]
    indicators:
      - {id: csat, owner: cco}
assignments:
  - {role: contributor, person: sam, node: csat, org_unit: sales, share: 0.5}
  - {role: contributor, person: sue, node: csat, org_unit: service, share: 0.3}
  - {role: contributor, person: dan, node: csat, org_unit: delivery}
""",
        format="yaml",
    )
    found = check_accountability(sc)
    assert [(f.rule, f.nodes) for f in found] == [
        ("several-accountable-owners", ("delight",)),
        ("shared-outcome-without-split", ("csat",)),
    ]
    assert "0.2 short of 1" in found[1].message
