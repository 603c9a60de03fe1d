"""The fields a cascaded scorecard needs: an objective's org unit and a contributor's share."""

from __future__ import annotations

import pytest

from balanced_scorecard.exceptions import DefinitionError, ModelError
from balanced_scorecard.model import Indicator, Objective, Scorecard
from balanced_scorecard.model.org import OrgChart, OrgUnit
from balanced_scorecard.model.people import Assignment


def _cascaded(**objective: object) -> Scorecard:
    return Scorecard(
        id="demo",
        org_chart=OrgChart(units=[OrgUnit(id="hq"), OrgUnit(id="north", parent="hq")]),
        objectives=[
            Objective(id="grow", perspective="financial"),
            Objective(id="grow_north", perspective="financial", parent="grow", **objective),
        ],
        indicators=[Indicator(id="revenue_north", objective="grow_north")],
        assignments=[
            Assignment(role="contributor", person="sales", node="revenue_north", share=0.6),
            Assignment(role="contributor", person="service", node="revenue_north", share=0.4),
        ],
    )


def test_org_unit_and_share_round_trip_through_the_definition_format() -> None:
    sc = _cascaded(org_unit="north")
    data = sc.to_dict()
    # Contributors with a share are written out in full: the owner-style shortcut has no
    # place for the share, so writing it there would lose it.
    assert {"role": "contributor", "person": "sales", "node": "revenue_north", "share": 0.6} in (
        data["assignments"]
    )
    assert Scorecard.from_dict(data) == sc
    assert sc.node("grow_north").org_unit == "north"  # type: ignore[union-attr]


def test_an_unknown_org_unit_is_reported_with_a_suggestion() -> None:
    with pytest.raises(DefinitionError, match=r"objectives\[1\]\.org_unit: 'nort' .*'north'"):
        _cascaded(org_unit="nort")


@pytest.mark.parametrize("share", [-0.1, 1.5, 40])
def test_a_share_outside_zero_to_one_is_refused(share: float) -> None:
    with pytest.raises(ModelError, match=r"write 40 % as 0\.4"):
        Assignment(role="contributor", person="x", node="n", share=share)
