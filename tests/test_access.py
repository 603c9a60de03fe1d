"""Role views (org subtrees, perspectives, tiers): everything a role may not see is removed
from its view, and no public path of the evaluation or any renderer names it.

The scorecard has a holding ``zzacme`` with two business units, ``north`` (with ``north_east``
below) and ``zzsouth``. Role ``bu_north_manager`` sees north's subtree, the customer and
internal-process perspectives and operational indicators only. Everything it may not see
carries the marker ``zz`` in its id and ``ZZ`` in its name and description, and the hidden
values are planted numbers (9876543.21 for hidden indicators, 5555555.5 in the hidden unit),
so each output can be searched for them.
"""

from __future__ import annotations

import json
from typing import Any

import attrs
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from balanced_scorecard import Evaluation, OutputPolicy, Scorecard
from balanced_scorecard.definitions import loads
from balanced_scorecard.exceptions import DefinitionError, ModelError
from balanced_scorecard.model.classification import RoleView
from balanced_scorecard.redaction import OUTSIDE_VIEW, secure

DEFINITION = """\
id: group
name: Group scorecard
org_units:
  - {id: zzacme, name: ZZ Acme Holding}
  - {id: north, name: North, parent: zzacme}
  - {id: north_east, name: North East, parent: north}
  - {id: zzsouth, name: ZZ South Secret, parent: zzacme}
objectives:
  - id: zzfin_grow
    name: ZZ Grow profit secretly
    description: ZZ hidden objective comment
    perspective: financial
    indicators:
      - id: zzmargin
        name: ZZ Margin secret
        description: ZZ hidden comment on margin
        unit: percent
        tier: strategic
        thresholds: {target: 20, red_flag: 10}
  - id: delight
    name: Delight customers
    perspective: customer
    indicators:
      - id: nps
        name: Net promoter score
        unit: dimensionless
        thresholds: {target: 50, red_flag: 20}
      - id: zzchurn_strat
        name: ZZ Strategic churn secret
        description: ZZ hidden strategic comment
        unit: percent
        tier: strategic
        polarity: lower_better
        thresholds: {target: 5, red_flag: 10}
      - id: nps_per_churn
        name: NPS per churn point
        unit: dimensionless
        formula: nps / zzchurn_strat
        thresholds: {target: 10, red_flag: 2}
  - id: run
    name: Run well
    perspective: internal_process
    indicators:
      - id: on_time
        name: On-time delivery
        unit: percent
        thresholds: {target: 95, red_flag: 80}
  - id: zzpeople
    name: ZZ People secret
    perspective: learning_growth
    indicators:
      - id: zztraining
        name: ZZ Training hours secret
        unit: hour
        tier: operational
        thresholds: {target: 40, red_flag: 10}
links:
  - {cause: zztraining, effect: on_time, lag: 1}
  - {cause: zzmargin, effect: delight}
  - {cause: on_time, effect: nps, lag: 1}
  - {cause: nps, effect: zzfin_grow}
output_policy:
  views:
    bu_north_manager:
      org_units: [north]
      perspectives: [customer, internal_process]
      tiers: [operational]
    candid_manager:
      org_units: [north]
      perspectives: [customer, internal_process]
      tiers: [operational]
      disclose_hidden: true
    two_units:
      org_units: [north_east, zzsouth]
"""

#: What must never appear in an output of the restricted view.
HIDDEN_TEXT = ("zz", "9876543", "9,876,543", "5555555", "5,555,555", "9.877e+06", "5.556e+06")
VISIBLE_IDS = {
    "group",
    "delight",
    "run",
    "customer",
    "internal_process",
    "nps",
    "nps_per_churn",
    "on_time",
    "north",
    "north_east",
}
MONTHS = [f"2024-{m:02d}" for m in range(1, 13)]
ROLE = "bu_north_manager"


def _observations() -> pd.DataFrame:
    rng = np.random.default_rng(6)
    rows: list[dict[str, Any]] = []
    for k, month in enumerate(MONTHS):
        for unit in ("north", "north_east"):
            # The last months go red and worsen, with a jump the control charts flag.
            drop = 40.0 if k >= 9 else 0.0
            rows.append(
                {
                    "indicator": "nps",
                    "org_unit": unit,
                    "period": month,
                    "value": 45 + rng.normal(0, 2) - drop,
                }
            )
            rows.append(
                {
                    "indicator": "on_time",
                    "org_unit": unit,
                    "period": month,
                    "value": 92 + rng.normal(0, 1) - drop / 2,
                }
            )
            for hidden in ("zzmargin", "zzchurn_strat", "zztraining"):
                rows.append(
                    {
                        "indicator": hidden,
                        "org_unit": unit,
                        "period": month,
                        "value": 9876543.21 + k,
                    }
                )
        for ind in ("nps", "on_time", "zzmargin", "zzchurn_strat", "zztraining"):
            rows.append(
                {"indicator": ind, "org_unit": "zzsouth", "period": month, "value": 5555555.5 + k}
            )
    # A bad row of a hidden indicator: its quality-report row must not reach the view.
    rows.append(
        {
            "indicator": "zzmargin",
            "org_unit": "north",
            "period": "2024-12",
            "value": "ZZ not a number",
        }
    )
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def scorecard() -> Scorecard:
    return loads(DEFINITION, format="yaml")


@pytest.fixture(scope="module")
def ev(scorecard: Scorecard) -> Evaluation:
    return scorecard.evaluate(_observations())


@pytest.fixture(scope="module")
def view(ev: Evaluation) -> Evaluation:
    return secure(ev, ROLE)


def _texts(obj: Any) -> str:
    """Everything an output holds, as text (frames in full, with every cell)."""
    if isinstance(obj, pd.DataFrame):
        # Every cell (column headers are the library's words, not data).
        return obj.to_csv(index=False, header=False) + repr(obj.to_numpy().tolist())
    if isinstance(obj, bytes):
        obj = obj.decode("utf-8", "replace")
    # Markdown escapes underscores (north\\_east): read ids as written.
    return str(obj).replace("\\_", "_")


def _assert_clean(obj: Any, where: str) -> None:
    text = _texts(obj).lower()
    for marker in HIDDEN_TEXT:
        assert marker.lower() not in text, (where, marker)
    if isinstance(obj, pd.DataFrame):
        numbers = obj.select_dtypes("number").to_numpy(dtype=float)
        assert not (np.abs(numbers) > 1e6).any(), (where, "a hidden value")


def _outputs(view: Evaluation) -> dict[str, Any]:
    """Every public path of the view, each call's result by name."""
    out: dict[str, Any] = {
        "frame": view.frame,
        "to_frame": view.to_frame(),
        "to_frame all": view.to_frame(period=False, org_unit=False),
        "exceptions": view.exceptions(),
        "signals": view.signals(),
        "significance": view.significance(period=False),
        "link_evidence": view.link_evidence(min_points=4),
        "candidate_links": view.candidate_links(min_points=4, min_abs_r=0.1, alpha=0.99),
        "lg correlations": view.learning_growth_correlations(min_points=4),
        "quality": view.quality,
        "notes": view.notes,
        "compare_reported": view.compare_reported(),
        "adjustments": view.adjustments,
        "completeness": view.completeness,
        "source_quality": view.source_quality,
        "freshness": view.freshness,
        "repr_html": view._repr_html_(),
        "str": str(view),
        "scorecard": view.scorecard.to_dict(),
        "units": view.units,
        "access": repr(view.access),
    }
    for audience in ("executive", "operational", "all"):
        out[f"exceptions {audience}"] = view.exceptions(audience=audience)
    for fmt in ("text", "markdown", "html", "json", "briefing", "briefing-markdown"):
        out[f"render {fmt}"] = view.render(fmt)
    for dash in ("executive", "manager", "operational"):
        out[f"dashboard {dash}"] = view.render("dashboard", view=dash)
    from balanced_scorecard.visual import status_heatmap, to_dot, to_mermaid

    out["map svg"] = view.strategy_map_picture().svg
    out["map dot"] = to_dot(view)
    out["map mermaid"] = to_mermaid(view)
    if view.indicators.ids:  # a heat map needs a column: a view may hold no indicator
        out["heat map"] = status_heatmap(view).svg
    nodes = view.frame["node"].astype(str).unique().tolist()
    for node in nodes:
        for unit in view.units:
            e = view.explain(node, unit)
            out[f"explain {node} {unit}"] = f"{e}\n{e.as_dict()}\n{e._repr_html_()}"
            out[f"drill_down {node} {unit}"] = view.drill_down(node, unit)
        if node in {o.id for o in view.scorecard.objectives} | {
            i.id for i in view.scorecard.indicators
        }:
            out[f"root_causes {node}"] = str(view.root_causes(node, evidence=True))
    if view.observations is not None:
        out["observations"] = view.observations.frame
        out["observation quality"] = view.observations.quality
    return out


def test_the_view_keeps_only_what_the_role_may_see(view: Evaluation) -> None:
    assert set(view.frame["node"].astype(str)) == VISIBLE_IDS - {"north", "north_east"}
    assert view.units == ("north", "north_east")
    assert view.scorecard.org_chart.ids == ("north", "north_east")
    assert [lk.cause + ">" + lk.effect for lk in view.scorecard.links] == ["on_time>nps"]
    # A visible calculated indicator with a hidden input keeps its value, not its formula.
    assert view.scorecard.indicator("nps_per_churn").formula is None
    assert view.access is not None
    assert view.access.scope is not None


def test_no_public_path_names_a_hidden_node_unit_value_or_comment(view: Evaluation) -> None:
    outputs = _outputs(view)
    assert len(outputs) > 60
    for where, obj in outputs.items():
        _assert_clean(obj, where)


def test_renderers_given_the_role_draw_the_restricted_view(ev: Evaluation) -> None:
    for fmt in ("text", "markdown", "html", "json"):
        out = ev.render(fmt, role=ROLE)
        _assert_clean(out, fmt)
    doc = json.loads(ev.render("json", role=ROLE))
    assert doc["access"]["role"] == ROLE
    assert {n["node"] for n in doc["nodes"]} <= VISIBLE_IDS


def test_the_full_evaluation_does_name_them(ev: Evaluation) -> None:
    # The markers are really there: the test above would find a leak.
    text = _texts(ev.frame) + str(ev.render("text")) + _texts(ev.quality)
    for marker in ("zzmargin", "zzsouth", "ZZ not a number"):
        assert marker in text


def test_visible_parents_show_the_computed_score(ev: Evaluation, view: Evaluation) -> None:
    # Rolled up from every child, hidden ones included; not re-scored.
    for node in ("delight", "group"):
        assert view.score(node, org_unit="north") == pytest.approx(
            ev.score(node, org_unit="north"), nan_ok=True
        )
    kids = [c.node for c in view.explain("delight", "north").children]
    assert kids == ["nps", "nps_per_churn"]
    # The calculated indicator keeps its value.
    assert view.score("nps_per_churn", org_unit="north") == pytest.approx(
        ev.score("nps_per_churn", org_unit="north"), nan_ok=True
    )
    # Not even the number of hidden items is disclosed by default.
    assert not (view.notes.get("rule", pd.Series(dtype=object)) == "outside-view").any()


def test_a_role_allowed_to_know_is_told_how_many_items_are_outside(ev: Evaluation) -> None:
    notes = secure(ev, "candid_manager").notes
    told = notes[notes["rule"] == "outside-view"].set_index("indicator")["count"].to_dict()
    # group: financial + learning_growth; delight: zzchurn_strat; no hidden objective in run.
    assert told == {"group": 2, "delight": 1}
    _assert_clean(notes, "candid notes")


def test_root_causes_never_count_a_hidden_driver(ev: Evaluation, view: Evaluation) -> None:
    full = str(ev.root_causes("on_time", org_unit="north"))
    assert "zztraining" in full
    # zztraining is on_time's only driver: the view's tree has no driver line at all.
    seen = str(view.root_causes("on_time", org_unit="north"))
    assert "zztraining" not in seen
    assert len(seen.splitlines()) < len(full.splitlines())
    tree = view.root_causes("nps", org_unit="north")
    _assert_clean(str(tree), "root causes of nps")


def test_two_separate_subtrees_hang_below_a_stand_in_root(ev: Evaluation) -> None:
    two = secure(ev, "two_units")
    assert two.units == ("north_east", "zzsouth")
    assert two.scorecard.org_chart.root == OUTSIDE_VIEW
    assert "zzacme" not in _texts(two.frame)
    assert two.score("nps", org_unit="zzsouth") == ev.score("nps", org_unit="zzsouth")
    assert "ZZ Acme" not in str(two.render("html"))


def test_asking_for_a_unit_outside_the_view_says_so(view: Evaluation) -> None:
    with pytest.raises(Exception, match="not part of this evaluation") as info:
        view.explain("nps", "zzsouth")
    assert "zzsouth" in str(info.value)  # the caller's own words, not the view's data
    with pytest.raises(Exception, match="no node"):
        view.explain("zzmargin")


def test_a_view_only_narrows(view: Evaluation) -> None:
    assert secure(view) is view
    assert secure(view, ROLE) is view
    again = view.for_role("contributor")
    assert set(again.frame["node"].astype(str)) <= VISIBLE_IDS


def test_evaluating_a_unit_the_role_cannot_see_is_an_error(scorecard: Scorecard) -> None:
    south = scorecard.evaluate(_observations(), org_unit="zzsouth")
    with pytest.raises(ModelError, match="may see none of the org units"):
        secure(south, ROLE)


# -- the policy ---------------------------------------------------------------------------


def test_unknown_role_lists_the_roles(ev: Evaluation) -> None:
    with pytest.raises(ModelError, match="unknown role 'bu_nort_manager'") as info:
        secure(ev, "bu_nort_manager")
    message = str(info.value)
    assert "Did you mean 'bu_north_manager'" in message
    assert "executive_sponsor" in message


@pytest.mark.parametrize(
    ("view", "path", "message"),
    [
        ({"org_units": ["nort"]}, "output_policy.views.r.org_units[0]", "Did you mean 'north'"),
        (
            {"perspectives": ["custmer"]},
            "output_policy.views.r.perspectives[0]",
            "Did you mean 'customer'",
        ),
        ({"tiers": ["strategc"]}, "output_policy.views.r", "Did you mean 'strategic'"),
        ({"org_unit": ["north"]}, "output_policy.views.r", "Did you mean 'org_units'"),
        ({"tiers": []}, "output_policy.views.r", "would see nothing"),
        ({"ceiling": "personal"}, "output_policy.views.r", "never rendered"),
    ],
)
def test_bad_views_are_reported_at_their_path(
    view: dict[str, Any], path: str, message: str
) -> None:
    text = (
        DEFINITION.split("output_policy:")[0]
        + "output_policy:\n  views:\n    r: "
        + json.dumps(view)
        + "\n"
    )
    with pytest.raises(DefinitionError) as info:
        loads(text, format="yaml")
    found = [p for p in info.value.problems if p.path == path]
    assert found, info.value.problems
    assert message in found[0].message


def test_views_round_trip_through_a_definition_file(scorecard: Scorecard) -> None:
    again = Scorecard.from_dict(scorecard.to_dict())
    assert again.output_policy == scorecard.output_policy
    assert scorecard.output_policy.view(ROLE) == RoleView(
        role=ROLE,
        org_units=["north"],
        perspectives=["customer", "internal_process"],
        tiers=["operational"],
    )


def test_a_python_policy_with_an_unknown_unit_fails_when_used(ev: Evaluation) -> None:
    policy = OutputPolicy(views={"r": {"org_units": ["nort"]}})
    sc = attrs.evolve(ev.scorecard, output_policy=policy)
    with pytest.raises(DefinitionError, match="unknown org unit 'nort'"):
        secure(attrs.evolve(ev, scorecard=sc), "r")


def test_a_view_role_may_carry_its_own_ceiling() -> None:
    policy = OutputPolicy(
        roles={"owner": "confidential"},
        views={"owner": {"org_units": ["north"]}, "auditor": {"ceiling": "public"}},
    )
    assert policy.ceiling("owner").value == "confidential"
    assert policy.ceiling("auditor").value == "public"
    auditor = policy.view("auditor")
    assert auditor is not None
    assert not auditor.restricts


# -- property: every id in any output is visible under the policy --------------------------


@pytest.fixture(scope="module")
def north(scorecard: Scorecard) -> Evaluation:
    return scorecard.evaluate(_observations(), org_unit="north")


UNITS = ("zzacme", "north", "north_east", "zzsouth")
PERSPECTIVES = ("financial", "customer", "internal_process", "learning_growth")


@st.composite
def role_views(draw: st.DrawFn) -> RoleView:
    def some(pool: tuple[str, ...]) -> tuple[str, ...] | None:
        if draw(st.booleans()):
            return None
        return tuple(
            draw(st.lists(st.sampled_from(pool), min_size=1, max_size=len(pool), unique=True))
        )

    units = some(UNITS)
    if units is not None and "north" not in units and "north_east" not in units:
        units = (*units, "north_east")  # the evaluation below is of north's subtree
    return RoleView(
        role="r",
        org_units=units,
        perspectives=some(PERSPECTIVES),
        tiers=some(("strategic", "operational")),
        disclose_hidden=draw(st.booleans()),
    )


def _allowed(sc: Scorecard, rv: RoleView) -> tuple[set[str], set[str]]:
    chart = sc.org_chart
    units = (
        set(chart.ids)
        if rv.org_units is None
        else {x for u in rv.org_units for x in chart.subtree(u)}
    )
    persp = set(PERSPECTIVES) if rv.perspectives is None else set(rv.perspectives)
    tiers = {"strategic", "operational"} if rv.tiers is None else {t.value for t in rv.tiers}
    inds = {
        i.id
        for i in sc.indicators
        if i.tier.value in tiers and sc.objective(i.objective).perspective in persp
    }
    objs = {i.objective for i in sc.indicators if i.id in inds}
    return units, {sc.id, *persp, *objs, *inds}


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rv=role_views())
def test_every_id_in_any_output_is_visible_under_the_policy(
    north: Evaluation, rv: RoleView
) -> None:
    # One evaluation (the policy plays no part in it), seen under each drawn policy.
    sc = attrs.evolve(north.scorecard, output_policy=OutputPolicy(views=[rv]))
    ev = attrs.evolve(north, scorecard=sc)
    units, nodes = _allowed(sc, rv)
    view = secure(ev, "r")
    all_ids = {n.id for n in (*sc.perspectives, *sc.objectives, *sc.indicators)} | set(UNITS)
    hidden = all_ids - units - nodes
    pattern = "|".join(sorted(hidden, key=len, reverse=True))
    for where, obj in _outputs(view).items():
        if isinstance(obj, pd.DataFrame) and not where.startswith("observations"):
            for column in ("node", "indicator", "org_unit", "parent", "cause", "effect"):
                if column in obj.columns:
                    seen = set(obj[column].dropna().astype(str)) - {""}
                    assert seen <= units | nodes, (where, column, seen - units - nodes)
        if pattern:
            import re

            found = re.findall(rf"(?<![\w])(?:{pattern})(?![\w])", _texts(obj))
            assert not found, (where, found[:3], rv)
