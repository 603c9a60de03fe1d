"""Governance role coverage (stewards, facilitators) and the role matrix."""

from __future__ import annotations

import pytest

from balanced_scorecard.algorithms.findings import Severity, findings_frame
from balanced_scorecard.exceptions import ModelError, UnknownMethodError
from balanced_scorecard.governance.roles import (
    GOVERNANCE_RULES,
    ROLE_MATRIX_COLUMNS,
    check_governance,
    objective_without_facilitator,
    parse_role,
    role_matrix,
    strategic_indicator_without_steward,
)
from balanced_scorecard.model import (
    Assignment,
    Indicator,
    Objective,
    OrgChart,
    OrgUnit,
    Role,
    Scorecard,
)


def _scorecard(*assignments: Assignment) -> Scorecard:
    return Scorecard(
        id="acme",
        org_chart=OrgChart(units=[OrgUnit(id="acme"), OrgUnit(id="north", parent="acme")]),
        objectives=[
            Objective(id="grow", perspective="financial"),
            Objective(id="north_sales", perspective="customer", org_unit="north"),
        ],
        indicators=[
            Indicator(id="revenue", objective="grow", tier="strategic"),
            Indicator(id="calls", objective="grow"),
            Indicator(id="north_orders", objective="north_sales", tier="strategic"),
        ],
        assignments=assignments,
    )


def test_every_strategic_indicator_needs_a_steward() -> None:
    sc = _scorecard(
        Assignment(role="owner", person="cfo", node="revenue"),
        Assignment(role="data_steward", person="dan", node="revenue", org_unit="north"),
    )
    found = strategic_indicator_without_steward(sc)
    # calls is operational; revenue has a steward only in north; north_orders has none
    assert [f.nodes for f in found] == [("revenue",), ("north_orders",)]
    rev = found[0]
    assert rev.severity is Severity.WARNING
    assert rev.org_units == ("north",)
    assert "only in org unit(s) north" in rev.message
    assert "its owner cfo can name one" in rev.fix


def test_a_steward_in_the_home_unit_or_company_wide_covers() -> None:
    sc = _scorecard(
        Assignment(role="data_steward", person="dan", node="revenue"),
        Assignment(role="data_steward", person="nia", node="north_orders", org_unit="north"),
    )
    assert strategic_indicator_without_steward(sc) == []


def test_facilitator_per_objective_or_perspective() -> None:
    sc = _scorecard(
        Assignment(role="review_facilitator", person="pmo", node="financial"),
    )
    found = objective_without_facilitator(sc)
    assert [f.nodes for f in found] == [("north_sales",)]
    assert found[0].severity is Severity.INFO
    covered = _scorecard(
        Assignment(role="review_facilitator", person="pmo", node="financial"),
        Assignment(role="review_facilitator", person="nia", node="north_sales", org_unit="north"),
    )
    assert objective_without_facilitator(covered) == []


def test_runner_and_frame() -> None:
    sc = _scorecard()
    found = check_governance(sc)
    assert [f.rule for f in found] == [
        "strategic-indicator-without-steward",
        "strategic-indicator-without-steward",
        "objective-without-facilitator",
        "objective-without-facilitator",
    ]
    only = check_governance(sc, rules="objective-without-facilitator")
    assert {f.rule for f in only} == {"objective-without-facilitator"}
    assert list(findings_frame(found)["severity"]) == ["warning", "warning", "info", "info"]
    assert list(GOVERNANCE_RULES) == [
        "strategic-indicator-without-steward",
        "objective-without-facilitator",
    ]
    with pytest.raises(UnknownMethodError, match="Did you mean 'objective-without-facilitator'"):
        check_governance(sc, rules=["objective-without-facilitators"])


def test_role_matrix() -> None:
    sc = _scorecard(
        Assignment(role="owner", person="cfo", node="revenue"),
        Assignment(role="owner", person="ann", node="revenue", org_unit="north"),
        Assignment(role="contributor", person="sam", node="revenue", org_unit="north"),
        Assignment(role="contributor", person="sue", node="revenue", org_unit="north"),
        Assignment(role="executive_sponsor", person="ceo", node="financial"),
    )
    m = role_matrix(sc)
    assert tuple(m.columns) == ROLE_MATRIX_COLUMNS
    assert list(zip(m["node"], m["org_unit"], strict=True)) == [
        ("financial", ""),
        ("grow", ""),
        ("north_sales", ""),
        ("revenue", ""),
        ("revenue", "north"),
        ("calls", ""),
        ("north_orders", ""),
    ]
    rows = m.set_index(["node", "org_unit"])
    assert rows.loc[("revenue", "north"), "contributor"] == "sam, sue"
    assert rows.loc[("revenue", "north"), "owner"] == "ann"
    assert rows.loc[("revenue", ""), "owner"] == "cfo"
    assert rows.loc[("financial", ""), "executive_sponsor"] == "ceo"
    assert rows.loc[("calls", ""), "owner"] == ""  # the gap shows
    assert rows.loc[("revenue", ""), "tier"] == "strategic"


def test_role_matrix_without_assignments() -> None:
    m = role_matrix(_scorecard())
    assert len(m) == 5  # two objectives, three indicators; no perspective rows
    assert (m[[r.value for r in Role]] == "").all().all()


def test_parse_role() -> None:
    assert parse_role("Review Facilitator") is Role.REVIEW_FACILITATOR
    assert parse_role(Role.OWNER) is Role.OWNER
    with pytest.raises(ModelError, match="Did you mean 'executive_sponsor'"):
        parse_role("executive_sponser")
    with pytest.raises(ModelError, match="choose one of owner, data_steward"):
        parse_role("ceo")


def test_an_objectives_steward_covers_its_indicators() -> None:
    from balanced_scorecard.governance.roles import strategic_indicator_without_steward
    from balanced_scorecard.model import Assignment, Indicator, Objective, Scorecard

    sc = Scorecard(
        id="d",
        objectives=[Objective(id="g", perspective="financial")],
        indicators=[Indicator(id="rev", objective="g", tier="strategic")],
        assignments=[Assignment(role="data_steward", person="controller", node="g")],
    )
    assert strategic_indicator_without_steward(sc) == []
