"""Cascade chains: where each objective and indicator sits in the org chart, and the
``cascade-orphan`` and ``cascade-broken-chain`` rules.

An objective of an org unit serves, through ``parent``, an objective one level up; following
``parent`` must climb the org chart to an enterprise objective. Part of
:mod:`~balanced_scorecard.algorithms.alignment`, which re-exports the rules; the measure and
target rules use :func:`home_unit` and :func:`indicator_units` from here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from balanced_scorecard.algorithms._finding_text import finding, names
from balanced_scorecard.algorithms.findings import Finding, Severity

if TYPE_CHECKING:
    from balanced_scorecard.model.objectives import Objective
    from balanced_scorecard.model.scorecard import Scorecard

__all__ = ["cascade_broken_chain", "cascade_orphan", "home_unit", "indicator_units"]


def home_unit(objective: Objective, root: str) -> str:
    """The org unit whose scorecard holds an objective (None is the enterprise: the root)."""
    return objective.org_unit if objective.org_unit is not None else root


def _is_enterprise(objective: Objective, root: str) -> bool:
    return objective.org_unit is None or objective.org_unit == root


def _where(objective: Objective, root: str) -> str:
    return "enterprise" if _is_enterprise(objective, root) else f"unit {objective.org_unit!r}"


def indicator_units(scorecard: Scorecard) -> dict[str, str]:
    root = scorecard.org_chart.root
    home = {o.id: home_unit(o, root) for o in scorecard.objectives}
    return {i.id: home[i.objective] for i in scorecard.indicators}


def _chain(start: str, parent: Mapping[str, str | None]) -> tuple[list[str], bool]:
    """The ids from ``start`` up its parents, and whether the walk ran into a cycle."""
    path, seen = [start], {start}
    node = parent[start]
    while node is not None:
        if node in seen:
            return [*path, node], True
        path.append(node)
        seen.add(node)
        node = parent[node]
    return path, False


def _describe_chain(path: Sequence[str], objectives: Mapping[str, Objective], root: str) -> str:
    """``'grow' (enterprise) → 'grow_north' (unit 'north') → ...``, top first."""
    return " → ".join(f"{o!r} ({_where(objectives[o], root)})" for o in reversed(path))


def _candidates(objective: Objective, scorecard: Scorecard, root: str) -> list[str]:
    """Objectives one could cascade from: same perspective, in an ancestor unit."""
    chart = scorecard.org_chart
    above = set(chart.ancestors(home_unit(objective, root)))
    return [
        o.id
        for o in scorecard.objectives
        if o.perspective == objective.perspective and home_unit(o, root) in above
    ]


def cascade_orphan(scorecard: Scorecard) -> list[Finding]:
    """Objectives of an org unit below the enterprise that cascade from nothing.

    An objective whose ``org_unit`` is set, and is not the root of the org chart, should
    name in ``parent`` the higher-level objective it serves. The fix suggests the objectives
    of the same perspective in the unit's ancestors.

    Examples
    --------
    >>> from balanced_scorecard.model import Objective, OrgChart, OrgUnit, Scorecard
    >>> sc = Scorecard(
    ...     id="demo",
    ...     org_chart=OrgChart(units=[OrgUnit(id="hq"), OrgUnit(id="north", parent="hq")]),
    ...     objectives=[Objective(id="grow", perspective="financial"),
    ...                 Objective(id="grow_north", perspective="financial", org_unit="north")])
    >>> print(cascade_orphan(sc)[0].fix)
    set parent: on 'grow_north' to the objective it serves, e.g. 'grow'
    """
    root = scorecard.org_chart.root
    out: list[Finding] = []
    for o in scorecard.objectives:
        if o.parent is not None or _is_enterprise(o, root):
            continue
        options = _candidates(o, scorecard, root)
        fix = f"set parent: on {o.id!r} to the objective it serves"
        fix += f", e.g. {names(options[:3])}" if options else ", or move it to the enterprise"
        out.append(
            finding(
                "cascade-orphan",
                f"objective {o.id!r} of org unit {o.org_unit!r} cascades from no objective, so "
                "nothing ties it to the enterprise strategy",
                (o.id,),
                fix,
                org_units=(str(o.org_unit),),
            )
        )
    return out


def cascade_broken_chain(scorecard: Scorecard) -> list[Finding]:
    """Cascade chains that cycle, run sideways or downwards, or stop short of the enterprise.

    Following ``parent`` from an objective must climb the org chart: each parent's org unit
    is the child's own unit or one of its ancestors, and the chain ends at an enterprise
    objective (``org_unit`` unset or the root). Reported, each once:

    * a cycle of ``parent`` links (error), naming its members;
    * a step to a parent whose unit is a sibling, cousin or descendant of the child's unit
      (error), naming the chain top first;
    * a chain whose top objective belongs to a unit (warning, one finding per top listing
      the objectives that hang from it; the top itself is a ``cascade-orphan``).

    Examples
    --------
    >>> from balanced_scorecard.model import Objective, OrgChart, OrgUnit, Scorecard
    >>> chart = OrgChart(units=[OrgUnit(id="hq"), OrgUnit(id="north", parent="hq"),
    ...                         OrgUnit(id="south", parent="hq")])
    >>> sc = Scorecard(id="demo", org_chart=chart, objectives=[
    ...     Objective(id="grow", perspective="financial"),
    ...     Objective(id="grow_north", perspective="financial", parent="grow", org_unit="north"),
    ...     Objective(id="grow_south", perspective="financial", parent="grow_north",
    ...               org_unit="south")])
    >>> print(cascade_broken_chain(sc)[0].message)  # doctest: +NORMALIZE_WHITESPACE
    objective 'grow_south' (unit 'south') cascades from 'grow_north' of unit 'north', which is
    not 'south' or above it (a sideways step); chain: 'grow' (enterprise) → 'grow_north'
    (unit 'north') → 'grow_south' (unit 'south')
    """
    root = scorecard.org_chart.root
    chart = scorecard.org_chart
    objectives = {o.id: o for o in scorecard.objectives}
    parent = {o.id: o.parent for o in scorecard.objectives}
    out: list[Finding] = []
    cycles_seen: set[frozenset[str]] = set()
    hanging: dict[str, list[str]] = {}
    for o in scorecard.objectives:
        if o.parent is None:
            continue
        path, cycled = _chain(o.id, parent)
        if cycled:
            loop = path[path.index(path[-1]) : -1]
            key = frozenset(loop)
            if key not in cycles_seen:
                cycles_seen.add(key)
                ordered = [x.id for x in scorecard.objectives if x.id in key]
                out.append(
                    finding(
                        "cascade-broken-chain",
                        "objectives cascade from each other in a cycle: "
                        + " → ".join(repr(x) for x in reversed([*loop, loop[0]]))
                        + ", so none of them reaches an enterprise objective",
                        ordered,
                        "remove the parent: of one of them and point it at the objective "
                        "it serves one level up",
                        org_units=sorted({home_unit(objectives[x], root) for x in loop}),
                        severity=Severity.ERROR,
                    )
                )
            continue
        # Only the first step from this objective is judged here; its parent's own step is
        # judged when the loop reaches the parent, so each bad step is reported once.
        up = objectives[o.parent]
        child_unit, parent_unit = home_unit(o, root), home_unit(up, root)
        if parent_unit != child_unit and parent_unit not in chart.ancestors(child_unit):
            direction = "downward" if child_unit in chart.ancestors(parent_unit) else "sideways"
            out.append(
                finding(
                    "cascade-broken-chain",
                    f"objective {o.id!r} ({_where(o, root)}) cascades from {up.id!r} of "
                    f"{_where(up, root).replace('enterprise', 'the enterprise')}, which is not "
                    f"{child_unit!r} or above it (a {direction} step); chain: "
                    f"{_describe_chain(path, objectives, root)}",
                    (o.id, up.id),
                    f"set parent: on {o.id!r} to an objective of {child_unit!r} or of a unit "
                    f"above it ({names(chart.ancestors(child_unit))})"
                    if chart.ancestors(child_unit)
                    else f"set parent: on {o.id!r} to another enterprise objective",
                    org_units=(child_unit, parent_unit),
                    severity=Severity.ERROR,
                )
            )
        top = objectives[path[-1]]
        if not _is_enterprise(top, root):
            hanging.setdefault(top.id, []).append(o.id)
    for top_id, below in hanging.items():
        top = objectives[top_id]
        longest = max((_chain(x, parent)[0] for x in below), key=len)
        out.append(
            finding(
                "cascade-broken-chain",
                f"{names(below)} cascade{'s' if len(below) == 1 else ''} up to {top_id!r} "
                f"of unit {top.org_unit!r}, which has no parent, so the chain never reaches an "
                f"enterprise objective; chain: {_describe_chain(longest, objectives, root)}",
                (*below, top_id),
                f"set parent: on {top_id!r} to the objective it serves one level up",
                org_units=sorted({home_unit(objectives[x], root) for x in (*below, top_id)}),
            )
        )
    return out
