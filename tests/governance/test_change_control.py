"""Change control: hand-worked request flows, permissions, the scope-creep cap, impact with
peer comparison, persistence and conflicting concurrent changes (SQLite and PostgreSQL)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa

from balanced_scorecard.exceptions import DefinitionError, ModelError
from balanced_scorecard.governance.change_control import (
    ApprovalRules,
    ChangeControlError,
    ChangeRequest,
    IllegalTransitionError,
    ScopeCreepError,
    apply_patch,
    apply_request,
    approve,
    comment,
    impact,
    list_requests,
    load_request,
    new_request,
    node_path,
    participants,
    reject,
    save_request,
    submit,
    target_row_patch,
    unit_target,
)
from balanced_scorecard.governance.escalation import EscalationRule
from balanced_scorecard.model import Scorecard
from balanced_scorecard.store import Store, StoreConflictError

# Hand-made: one objective (owner olga, company-wide) with revenue; unit managers nina (north)
# and sam (south) own revenue in their units; eve sponsors the financial perspective.
# Budget targets: north 100, south 120, east 90 (company-wide default 110).
DEFINITION: dict[str, Any] = {
    "id": "acme",
    "org_units": [{"id": "all", "children": [{"id": "north"}, {"id": "south"}, {"id": "east"}]}],
    "objectives": [
        {
            "id": "grow",
            "perspective": "financial",
            "indicators": [
                {
                    "id": "revenue",
                    "unit": "EUR",
                    "tier": "strategic",
                    "thresholds": {"target": 110, "red_flag": 50},
                },
                {"id": "margin", "unit": "percent"},
            ],
        },
        {"id": "quality", "perspective": "internal_process", "parent": "grow"},
    ],
    "indicators": [{"id": "defects", "objective": "quality", "unit": "count"}],
    "assignments": [
        {"role": "owner", "person": "olga", "node": "grow"},
        {"role": "owner", "person": "nina", "node": "revenue", "org_unit": "north"},
        {"role": "owner", "person": "sam", "node": "revenue", "org_unit": "south"},
        {"role": "executive_sponsor", "person": "eve", "node": "financial"},
    ],
    "target_sets": [
        {
            "name": "budget",
            "targets": [
                {"indicator": "revenue", "org_unit": "north", "target": 100},
                {"indicator": "revenue", "org_unit": "south", "target": 120},
                {"indicator": "revenue", "org_unit": "east", "target": 90},
            ],
        }
    ],
}


@pytest.fixture
def sc() -> Scorecard:
    return Scorecard.from_dict(DEFINITION)


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('cc') / 'bsc.db'}"
        return
    server = request.getfixturevalue("postgres_server")
    name = f"bsc_t_{uuid.uuid4().hex[:16]}"
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        yield sa.make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@pytest.fixture
def store(db_url: str, sc: Scorecard) -> Iterator[Store]:
    with Store.open(db_url) as s:
        s.save_definition(sc, author="olga", message="budget 2025", expected_version=0)
        yield s


def north_raise(sc: Scorecard, value: float = 130, **kw: Any) -> ChangeRequest:
    patch = target_row_patch(
        sc, "revenue", org_unit="north", values={"target": value}, target_set="budget"
    )
    return new_request(
        sc,
        base_version=1,
        kind="modify",
        target="target",
        node="revenue",
        org_unit="north",
        patch=patch,
        rationale="new key account",
        author=kw.pop("author", "nina"),
        effective_from="2025-07",
        **kw,
    )


def test_target_row_patch_sets_the_existing_row(sc: Scorecard) -> None:
    patch = target_row_patch(
        sc, "revenue", org_unit="north", values={"target": 130}, target_set="budget"
    )
    assert patch == [
        {
            "op": "set",
            "path": "target_sets[budget].targets"
            "[indicator=revenue,org_unit=north,start=null].target",
            "value": 130,
        }
    ]
    after = apply_patch(sc, patch)
    assert unit_target(after, "revenue", "north") == 130.0
    assert unit_target(after, "revenue", "south") == 120.0
    assert unit_target(after, "revenue", "all") == 110.0  # indicator threshold


def test_full_flow_target_change(store: Store, sc: Scorecard) -> None:
    """Proposed by the north manager, approved by the objective owner and the sponsor,
    applied as version 2 effective from 2025-07."""
    r = north_raise(sc)
    assert r.state == "draft"
    r = submit(r, by="nina")
    r = comment(r, sc, by="sam", text="south's 120 came with two extra sellers", at="t1")
    r = save_request(store, r, actor="nina")
    assert r.revision == 1
    # impact, worked by hand: north 100 -> 130; peers south 120, east 90
    imp = impact(
        sc,
        r,
        escalation_rules=[
            EscalationRule(name="exec", periods=3, to_role="executive_sponsor", tier="strategic"),
            EscalationRule(name="ops", periods=2, to_role="owner", tier="operational"),
        ],
    )
    assert imp.indicators == ("revenue",)
    assert imp.objectives == ("grow",)
    assert imp.rollups == ("grow", "financial", "acme")
    assert imp.org_units == ("north", "all")
    assert imp.reports == ("financial",)
    assert imp.escalation_rules == (("exec", "revenue"),)
    assert imp.tiers == ("strategic",)
    assert set(imp.consult) == {"olga", "nina"}
    (peer,) = imp.peers
    assert (peer.before, peer.proposed) == (100.0, 130.0)
    assert peer.peers == ("south", "east")
    assert (peer.peer_min, peer.peer_median, peer.peer_max) == (90.0, 105.0, 120.0)
    assert (peer.rank, peer.of) == (1, 3)
    assert imp.peers_frame()["org_unit"].tolist() == ["north"]
    assert len(imp.changes) == 1
    r = approve(r, sc, by="olga", at="t2")
    assert r.state == "proposed"  # the sponsor is still missing
    r = approve(r, sc, by="eve", note="fair against south", at="t3")
    assert r.state == "approved"
    assert [(a.approver, a.role) for a in r.approvals] == [
        ("olga", "owner@objective"),
        ("eve", "executive_sponsor@chain"),
    ]
    r = save_request(store, r, actor="eve")
    r = apply_request(store, r, by="olga")
    assert (r.state, r.applied_version) == ("applied", 2)
    v2 = store.load_definition("acme", 2)
    assert unit_target(v2, "revenue", "north", target_set="budget") == 130.0
    assert store.versions("acme")["effective_from"].tolist() == [None, "2025-07"]
    back = load_request(store, r.id)
    assert back == r
    assert [c.author for c in back.comments] == ["sam"]
    listed = list_requests(store, "acme")
    assert listed["state"].tolist() == ["applied"]
    assert listed["applied_version"].tolist() == [2]
    assert store.audit()["action"].tolist() == [
        "definition.saved",
        "change.proposed",
        "change.approved",
        "definition.saved",
        "change.applied",
    ]
    assert store.verify_audit().ok


def test_rejected_request_cannot_be_applied(store: Store, sc: Scorecard) -> None:
    r = submit(north_raise(sc), by="nina")
    r = reject(r, sc, by="eve", reason="out of line with peers")
    assert r.state == "rejected"
    assert r.comments[-1].text == "rejected: out of line with peers"
    r = save_request(store, r, actor="eve")
    with pytest.raises(IllegalTransitionError, match="rejected request can never be applied"):
        apply_request(store, r, by="olga")
    with pytest.raises(IllegalTransitionError, match="it is rejected"):
        approve(r, sc, by="olga")
    with pytest.raises(IllegalTransitionError, match="closed for comments"):
        comment(r, sc, by="olga", text="x")
    assert store.latest_version("acme") == 1


def test_unapproved_request_cannot_be_applied(store: Store, sc: Scorecard) -> None:
    r = approve(submit(north_raise(sc), by="nina"), sc, by="olga")
    with pytest.raises(IllegalTransitionError, match="needs every required approval"):
        apply_request(store, r, by="olga")


def test_self_approval_refused_unless_allowed(sc: Scorecard) -> None:
    r = submit(north_raise(sc, author="olga"), by="olga")
    with pytest.raises(IllegalTransitionError, match="cannot approve their own"):
        approve(r, sc, by="olga")
    ok = approve(r, sc, by="olga", rules=ApprovalRules(allow_self_approval=True))
    assert ok.approvals[0].role == "owner@objective"


def test_approver_must_hold_a_missing_role(sc: Scorecard) -> None:
    r = submit(north_raise(sc), by="nina")
    with pytest.raises(IllegalTransitionError, match=r"'sam' holds none.*owner@objective"):
        approve(r, sc, by="sam")
    r = approve(r, sc, by="olga")
    with pytest.raises(IllegalTransitionError, match="already approved"):
        approve(r, sc, by="olga")


def test_draft_must_be_submitted_by_author(sc: Scorecard) -> None:
    r = north_raise(sc)
    with pytest.raises(IllegalTransitionError, match="submit it first"):
        approve(r, sc, by="olga")
    with pytest.raises(IllegalTransitionError, match="only its author"):
        submit(r, by="olga")


def test_co_development_who_may_propose_and_comment(sc: Scorecard) -> None:
    r = north_raise(sc)
    assert participants(sc, r) == ("nina", "olga", "eve")
    with pytest.raises(ChangeControlError, match="'zed' may not comment"):
        comment(r, sc, by="zed", text="hi")
    with pytest.raises(ChangeControlError, match="'zed' may not propose"):
        north_raise(sc, author="zed")
    # sam manages south, not north: he may not propose north's target ...
    with pytest.raises(ChangeControlError, match="'sam' may not propose"):
        north_raise(sc, author="sam")


def test_scope_creep_cap_refuses_sixth_indicator(sc: Scorecard) -> None:
    data = sc.to_dict()
    data["objectives"][0]["indicators"] += [{"id": f"k{i}"} for i in range(3)]
    five = Scorecard.from_dict(data)
    assert len(five.indicators_of("grow")) == 5
    r = new_request(
        five,
        base_version=1,
        kind="add",
        target="metric",
        node="k9",
        patch=[{"op": "add", "path": "objectives[grow].indicators", "value": {"id": "k9"}}],
        rationale="more detail",
        author="olga",
    )
    r = submit(r, by="olga")
    rules = ApprovalRules(max_indicators_per_objective=5)
    with pytest.raises(ScopeCreepError) as info:
        approve(r, five, by="eve", rules=rules)
    text = str(info.value)
    for part in (
        "'grow'",
        "6 indicators",
        "cap of 5",
        "max_indicators_per_objective",
        "retire one",
    ):
        assert part in text
    # a per-scorecard cap too (6 indicators now, 7 after)
    with pytest.raises(ScopeCreepError, match="7 indicators, over the cap of 6"):
        approve(r, five, by="eve", rules=ApprovalRules(max_indicators_per_scorecard=6))
    assert approve(r, five, by="eve", rules=ApprovalRules(max_indicators_per_objective=6))


def test_retire_request(sc: Scorecard) -> None:
    r = new_request(
        sc,
        base_version=1,
        kind="retire",
        target="metric",
        node="margin",
        patch=[{"op": "remove", "path": "objectives[grow].indicators[margin]"}],
        rationale="duplicate of gross margin",
        author="olga",
    )
    imp = impact(sc, r)
    assert imp.indicators == ("margin",)
    assert imp.changes["change"].tolist() == ["removed"]
    assert imp.org_units == ("all", "north", "south", "east")


def test_weight_change_impact(sc: Scorecard) -> None:
    r = new_request(
        sc,
        base_version=1,
        kind="modify",
        target="weight",
        node="quality",
        patch=[{"op": "set", "path": "objectives[quality].weight", "value": 2}],
        rationale="quality first",
        author="olga",
    )
    imp = impact(sc, r)
    assert imp.indicators == ()
    assert imp.objectives == ("quality",)
    assert imp.rollups == ("quality", "grow", "internal_process", "financial", "acme")
    assert imp.peers == ()


@pytest.mark.parametrize(
    ("patch", "message"),
    [
        ([], "at least one operation"),
        ({"op": "set"}, "list of operations"),
        ([{"op": "move", "path": "x"}], "use set, unset, add or remove"),
        (
            [{"op": "set", "path": "objectives[nope].name", "value": "x"}],
            r"objectives\[nope\] matches 0 elements",
        ),
        ([{"op": "set", "path": "objectivs.x", "value": []}], "no field 'objectivs'"),
        ([{"op": "set", "path": "a..b", "value": 1}], "cannot read the path"),
        (
            [{"op": "add", "path": "objectives[grow].indicators", "value": {"id": "margin"}}],
            "already has an element with id 'margin'",
        ),
        ([{"op": "set", "path": "x", "value": float("nan")}], "not plain JSON"),
    ],
)
def test_bad_patches(sc: Scorecard, patch: Any, message: str) -> None:
    with pytest.raises(ChangeControlError, match=message):
        apply_patch(sc, patch)


def test_patch_giving_an_invalid_scorecard(sc: Scorecard) -> None:
    with pytest.raises(DefinitionError):
        apply_patch(sc, [{"op": "set", "path": "objectives[grow].perspective", "value": "zz"}])


def test_request_validation(sc: Scorecard) -> None:
    patch = [{"op": "set", "path": "name", "value": "Acme"}]
    with pytest.raises(ModelError, match=r"unknown change kind 'modfy'.*modify"):
        ChangeRequest(
            scorecard_id="acme",
            base_version=1,
            kind="modfy",
            target="metric",
            node="revenue",
            patch=patch,
            rationale="x",
            author="a",
        )
    with pytest.raises(ModelError, match="needs a rationale"):
        ChangeRequest(
            scorecard_id="acme",
            base_version=1,
            kind="modify",
            target="metric",
            node="revenue",
            patch=patch,
            rationale=" ",
            author="a",
        )
    with pytest.raises(ModelError, match="base_version must be a stored version"):
        ChangeRequest(
            scorecard_id="acme",
            base_version=0,
            kind="modify",
            target="metric",
            node="revenue",
            patch=patch,
            rationale="x",
            author="a",
        )
    with pytest.raises(ChangeControlError, match="does not change"):
        new_request(
            sc,
            base_version=1,
            kind="modify",
            target="metric",
            node="revenue",
            patch=[{"op": "set", "path": "id", "value": "acme"}],
            rationale="x",
            author="olga",
        )
    with pytest.raises(ModelError, match="unknown role 'ceo'"):
        ApprovalRules(required={"*": ("ceo",)})
    with pytest.raises(ModelError, match="max_indicators_per_objective must be"):
        ApprovalRules(max_indicators_per_objective=0)


def test_node_path(sc: Scorecard) -> None:
    assert node_path(sc, "defects") == "objectives[quality].indicators[defects]"
    assert node_path(sc, "grow") == "objectives[grow]"


def test_request_round_trips_as_data(sc: Scorecard) -> None:
    r = approve(submit(north_raise(sc), by="nina"), sc, by="olga", at="t")
    assert ChangeRequest.from_dict(r.to_dict()) == r


def test_two_approved_requests_on_one_version_conflict(store: Store, sc: Scorecard) -> None:
    """Both were made against version 1; the second to be applied loses and nothing of it is
    written: it stays approved, to be redone on version 2."""
    first = north_raise(sc, value=130)
    second = north_raise(sc, value=95)
    done = []
    for r in (first, second):
        r = submit(r, by="nina")
        r = approve(approve(r, sc, by="olga"), sc, by="eve")
        done.append(save_request(store, r, actor="eve"))
    assert apply_request(store, done[0], by="olga").applied_version == 2
    audit_before = len(store.audit())
    with pytest.raises(StoreConflictError) as info:
        apply_request(store, done[1], by="olga")
    assert (info.value.expected, info.value.actual) == (1, 2)
    assert store.latest_version("acme") == 2
    assert load_request(store, done[1].id).state == "approved"
    assert len(store.audit()) == audit_before
    assert store.verify_audit().ok


def test_stale_request_write_conflicts(store: Store, sc: Scorecard) -> None:
    r = save_request(store, submit(north_raise(sc), by="nina"), actor="nina")
    save_request(store, comment(r, sc, by="olga", text="ok"), actor="olga")
    with pytest.raises(StoreConflictError, match="expected_revision=2"):
        save_request(store, comment(r, sc, by="eve", text="late"), actor="eve")


def test_unknown_request(store: Store) -> None:
    with pytest.raises(Exception, match="no change request 'cr-x'"):
        load_request(store, "cr-x")
