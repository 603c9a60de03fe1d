"""Cascade alignment and target conflicts: checks a cascaded scorecard needs before go-live.

A cascaded scorecard gives every org unit its own objectives (``Objective.org_unit``), each
serving an objective one level up (``Objective.parent``): vision -> business unit ->
department. The rules here read that design and its targets and return
:class:`~balanced_scorecard.algorithms.structure.Finding` objects, like
:func:`~balanced_scorecard.algorithms.structure.lint`:

* ``cascade-orphan``: a unit's objective that cascades from nothing;
* ``cascade-broken-chain``: a ``parent`` chain that never reaches the enterprise, runs
  sideways or downwards in the org chart, or cycles;
* ``redundant-indicator``: one measure under several ids (see :func:`measure_groups`);
* ``conflicting-polarity``: one measure good when high in one place and when low in another;
* ``targets-do-not-add-up``: an additive indicator whose children's targets miss the parent's;
* ``ratio-target-unreachable``: an averaged or ratio indicator whose parent target lies
  outside every child's;
* ``target-below-baseline``: a target that asks for less than the baseline.

Targets are resolved exactly as an evaluation resolves them
(:func:`~balanced_scorecard.data.target_panels.target_panels`: unit rows over company-wide
rows over the children's sum over the indicator's thresholds), for every target set of the
scorecard, or the indicator thresholds alone when it has none. The checks are vectorised
over (org unit, indicator, period); Python loops run only over findings.

Examples
--------
>>> from balanced_scorecard.model import Objective, OrgChart, OrgUnit, Scorecard
>>> sc = Scorecard(
...     id="demo",
...     org_chart=OrgChart(units=[OrgUnit(id="hq"), OrgUnit(id="north", parent="hq")]),
...     objectives=[Objective(id="grow", perspective="financial"),
...                 Objective(id="grow_north", perspective="financial", org_unit="north")])
>>> for f in alignment_findings(sc):
...     print(f.rule, f.nodes, f.org_units)
cascade-orphan ('grow_north',) ('north',)
"""

from __future__ import annotations

import ast
import math
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, cast

import attrs
import numpy as np
import numpy.typing as npt

from balanced_scorecard.algorithms.findings import Finding, Severity, select_rules
from balanced_scorecard.data.periods import parse_periods, period_labels
from balanced_scorecard.data.target_panels import target_panels
from balanced_scorecard.exceptions import ModelError
from balanced_scorecard.model.enums import OrgAggregation, Polarity
from balanced_scorecard.model.targets import Thresholds

if TYPE_CHECKING:
    from balanced_scorecard.model.indicators import Indicator
    from balanced_scorecard.model.objectives import Objective
    from balanced_scorecard.model.periods import FiscalCalendar
    from balanced_scorecard.model.scorecard import Scorecard
    from balanced_scorecard.model.targets import TargetSet

__all__ = [
    "ALIGNMENT_RULES",
    "alignment_findings",
    "cascade_broken_chain",
    "cascade_orphan",
    "conflicting_polarity",
    "measure_groups",
    "ratio_target_unreachable",
    "redundant_indicator",
    "target_below_baseline",
    "targets_do_not_add_up",
]

_Floats = npt.NDArray[np.float64]
_Bools = npt.NDArray[np.bool_]
_Ints = npt.NDArray[np.int64]

#: Org aggregations whose parent value is a weighted average of its children's values.
_AVERAGING = (OrgAggregation.MEAN, OrgAggregation.WEIGHTED_MEAN, OrgAggregation.RATIO_OF_SUMS)
_DEFAULT_TOLERANCE = 1e-9


# -- small helpers -----------------------------------------------------------------------------


def _num(x: float) -> str:
    # Rounding hides float noise (0.1 + 0.2) without hiding a real miss.
    return format(round(float(x), 9), ",.10g")


def _names(ids: Sequence[str]) -> str:
    return ", ".join(repr(i) for i in ids)


def _finding(
    rule: str,
    message: str,
    nodes: Sequence[str],
    fix: str,
    *,
    org_units: Sequence[str] = (),
    severity: Severity = Severity.WARNING,
) -> Finding:
    return Finding(
        rule=rule, severity=severity, message=message, nodes=nodes, org_units=org_units, fix=fix
    )


def _check_tolerance(tolerance: float) -> None:
    if not (isinstance(tolerance, int | float) and math.isfinite(tolerance) and tolerance >= 0):
        raise ModelError(
            f"tolerance={tolerance!r} must be a finite relative gap >= 0, e.g. 0.01 to accept "
            "children's targets within 1 % of the parent's"
        )


def _home(objective: Objective, root: str) -> str:
    """The org unit whose scorecard holds an objective (None is the enterprise: the root)."""
    return objective.org_unit if objective.org_unit is not None else root


def _is_enterprise(objective: Objective, root: str) -> bool:
    return objective.org_unit is None or objective.org_unit == root


def _where(objective: Objective, root: str) -> str:
    return "enterprise" if _is_enterprise(objective, root) else f"unit {objective.org_unit!r}"


# -- cascade chains ------------------------------------------------------------------------------


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
    above = set(chart.ancestors(_home(objective, root)))
    return [
        o.id
        for o in scorecard.objectives
        if o.perspective == objective.perspective and _home(o, root) in above
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
        fix += f", e.g. {_names(options[:3])}" if options else ", or move it to the enterprise"
        out.append(
            _finding(
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
                    _finding(
                        "cascade-broken-chain",
                        "objectives cascade from each other in a cycle: "
                        + " → ".join(repr(x) for x in reversed([*loop, loop[0]]))
                        + ", so none of them reaches an enterprise objective",
                        ordered,
                        "remove the parent: of one of them and point it at the objective "
                        "it serves one level up",
                        org_units=sorted({_home(objectives[x], root) for x in loop}),
                        severity=Severity.ERROR,
                    )
                )
            continue
        # Only the first step from this objective is judged here; its parent's own step is
        # judged when the loop reaches the parent, so each bad step is reported once.
        up = objectives[o.parent]
        child_unit, parent_unit = _home(o, root), _home(up, root)
        if parent_unit != child_unit and parent_unit not in chart.ancestors(child_unit):
            direction = "downward" if child_unit in chart.ancestors(parent_unit) else "sideways"
            out.append(
                _finding(
                    "cascade-broken-chain",
                    f"objective {o.id!r} ({_where(o, root)}) cascades from {up.id!r} of "
                    f"{_where(up, root).replace('enterprise', 'the enterprise')}, which is not "
                    f"{child_unit!r} or above it (a {direction} step); chain: "
                    f"{_describe_chain(path, objectives, root)}",
                    (o.id, up.id),
                    f"set parent: on {o.id!r} to an objective of {child_unit!r} or of a unit "
                    f"above it ({_names(chart.ancestors(child_unit))})"
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
            _finding(
                "cascade-broken-chain",
                f"{_names(below)} cascade{'s' if len(below) == 1 else ''} up to {top_id!r} "
                f"of unit {top.org_unit!r}, which has no parent, so the chain never reaches an "
                f"enterprise objective; chain: {_describe_chain(longest, objectives, root)}",
                (*below, top_id),
                f"set parent: on {top_id!r} to the objective it serves one level up",
                org_units=sorted({_home(objectives[x], root) for x in (*below, top_id)}),
            )
        )
    return out


# -- measure identity ------------------------------------------------------------------------------


class _Canonical(ast.NodeTransformer):
    """Sort the operands of ``+`` and ``*`` chains and write every number as a float, so
    ``b + a`` and ``a+b`` and ``(a + b) * 100.0`` and ``100 * (b + a)`` compare equal."""

    def visit_Constant(self, node: ast.Constant) -> ast.AST:
        if isinstance(node.value, int | float) and not isinstance(node.value, bool):
            return ast.Constant(value=float(node.value))
        return node

    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
        self.generic_visit(node)
        if not isinstance(node.op, ast.Add | ast.Mult):
            return node
        terms: list[ast.expr] = []

        def flatten(n: ast.expr) -> None:
            if isinstance(n, ast.BinOp) and type(n.op) is type(node.op):
                flatten(n.left)
                flatten(n.right)
            else:
                terms.append(n)

        flatten(node)
        terms.sort(key=ast.dump)
        out = terms[0]
        for t in terms[1:]:
            out = ast.BinOp(left=out, op=type(node.op)(), right=t)
        return out


def _formula_key(formula: str) -> str:
    tree = ast.parse(formula.strip(), mode="eval")
    return ast.dump(_Canonical().visit(tree))


def _conditions_key(conditions: Sequence[Any]) -> tuple[tuple[str, str, str], ...]:
    return tuple(sorted((c.column, c.op, repr(c.value)) for c in conditions))


def _identity_keys(scorecard: Scorecard) -> dict[str, list[tuple[Any, ...]]]:
    """Every indicator's measure identities: its normalised formula, its source rules."""
    keys: dict[str, list[tuple[Any, ...]]] = {i.id: [] for i in scorecard.indicators}
    unit = {i.id: i.unit for i in scorecard.indicators}
    for ind in scorecard.indicators:
        if ind.formula is not None:
            keys[ind.id].append(("formula", _formula_key(ind.formula), ind.unit))
    for src in scorecard.sources:
        if src.mapping is None:
            continue
        common = _conditions_key(src.mapping.where)
        for rule in src.mapping.rules:
            if rule.indicator not in keys:
                continue
            keys[rule.indicator].append(
                (
                    "mapping",
                    src.id,
                    rule.transform,
                    rule.value,
                    _conditions_key(rule.where),
                    _conditions_key(rule.numerator),
                    common,
                    rule.unit,
                    unit[rule.indicator],
                )
            )
    return keys


def measure_groups(scorecard: Scorecard) -> list[tuple[str, ...]]:
    """Indicators that are one measure under different ids, each group in document order.

    Two indicators are the same measure when they have the same unit and either the same
    formula (compared as parsed expressions: spacing, redundant parentheses, the order of
    ``+`` and ``*`` operands and ``100`` vs ``100.0`` do not matter) or the same rule in the
    same source's fact mapping (transform, value column, filters, numerator and the
    source-wide filter). Sameness is transitive: groups are the connected components.
    Indicators built from one catalogue ``template:`` with a formula are found through it;
    the template's name itself is not kept by the model.

    Examples
    --------
    >>> from balanced_scorecard.model import Indicator, Objective, Scorecard
    >>> sc = Scorecard(id="demo", objectives=[Objective(id="o", perspective="financial")],
    ...     indicators=[Indicator(id="a", objective="o"), Indicator(id="b", objective="o"),
    ...                 Indicator(id="m1", objective="o", formula="(a+b) * 100"),
    ...                 Indicator(id="m2", objective="o", formula="100 * (b + a)")])
    >>> measure_groups(sc)
    [('m1', 'm2')]
    """
    first: dict[tuple[Any, ...], str] = {}
    parent: dict[str, str] = {i.id: i.id for i in scorecard.indicators}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for ind_id, keys in _identity_keys(scorecard).items():
        for key in keys:
            other = first.setdefault(key, ind_id)
            a, b = find(other), find(ind_id)
            if a != b:
                parent[b] = a
    groups: dict[str, list[str]] = {}
    for ind in scorecard.indicators:
        groups.setdefault(find(ind.id), []).append(ind.id)
    return [tuple(g) for g in groups.values() if len(g) > 1]


def _indicator_units(scorecard: Scorecard) -> dict[str, str]:
    root = scorecard.org_chart.root
    home = {o.id: _home(o, root) for o in scorecard.objectives}
    return {i.id: home[i.objective] for i in scorecard.indicators}


def redundant_indicator(scorecard: Scorecard) -> list[Finding]:
    """The same measure defined under several ids (see :func:`measure_groups`), once per group.

    When two of a group sit on objectives of the same org unit the measure is counted twice
    in that unit's rollup: a warning naming the unit. Otherwise (one id per unit, e.g. each
    level of a cascade defining its own copy) the same numbers are kept twice: information.

    Examples
    --------
    >>> from balanced_scorecard.model import Indicator, Objective, Scorecard
    >>> sc = Scorecard(id="demo", objectives=[Objective(id="o", perspective="financial")],
    ...     indicators=[Indicator(id="a", objective="o"), Indicator(id="b", objective="o"),
    ...                 Indicator(id="m1", objective="o", formula="a / b"),
    ...                 Indicator(id="m2", objective="o", formula="a/b")])
    >>> f = redundant_indicator(sc)[0]
    >>> f.severity, f.nodes, f.org_units
    (<Severity.WARNING: 'warning'>, ('m1', 'm2'), ('all',))
    """
    unit_of = _indicator_units(scorecard)
    keys = _identity_keys(scorecard)
    out: list[Finding] = []
    for group in measure_groups(scorecard):
        by_unit: dict[str, list[str]] = {}
        for ind in group:
            by_unit.setdefault(unit_of[ind], []).append(ind)
        twice = {u: ids for u, ids in by_unit.items() if len(ids) > 1}
        kinds = {k[0] for x in group for k in keys[x]}
        how = " or ".join(sorted(kind.replace("mapping", "source rule") for kind in kinds))
        where = "; ".join(f"{_names(ids)} in {u!r}" for u, ids in by_unit.items())
        message = (
            f"indicators {_names(group)} are one measure (same {how} and unit "
            f"{scorecard.indicator(group[0]).unit!r}) defined under {len(group)} ids: {where}"
        )
        if twice:
            message += "; measured twice at one level in " + _names(list(twice))
            fix = (
                f"keep one of {_names(group)} per org unit and remove the others, or change "
                "their definitions if they are meant to measure different things"
            )
        else:
            fix = (
                f"measure it once with {group[0]!r} (its values come per org unit from the data), "
                "or give each copy the filter that makes it different"
            )
        out.append(
            _finding(
                "redundant-indicator",
                message,
                group,
                fix,
                org_units=list(twice) if twice else list(by_unit),
                severity=Severity.WARNING if twice else Severity.INFO,
            )
        )
    return out


def conflicting_polarity(scorecard: Scorecard) -> list[Finding]:
    """One measure (see :func:`measure_groups`) judged good in opposite directions.

    An error when one id is ``higher_better`` and another ``lower_better``: one unit is
    rewarded for what another is penalised for. A warning when one is ``in_range`` and
    another directional. One finding per group.

    Examples
    --------
    >>> from balanced_scorecard.model import Indicator, Objective, Scorecard
    >>> sc = Scorecard(id="demo", objectives=[Objective(id="o", perspective="financial")],
    ...     indicators=[Indicator(id="a", objective="o"), Indicator(id="b", objective="o"),
    ...                 Indicator(id="m1", objective="o", formula="a - b"),
    ...                 Indicator(id="m2", objective="o", formula="a - b",
    ...                           polarity="lower_better")])
    >>> conflicting_polarity(sc)[0].severity
    <Severity.ERROR: 'error'>
    """
    unit_of = _indicator_units(scorecard)
    out: list[Finding] = []
    for group in measure_groups(scorecard):
        inds = [scorecard.indicator(x) for x in group]
        polarities = {i.polarity for i in inds}
        if len(polarities) < 2:
            continue
        opposite = {Polarity.HIGHER_BETTER, Polarity.LOWER_BETTER} <= polarities
        listing = ", ".join(f"{i.id!r} ({unit_of[i.id]}) {i.polarity.value}" for i in inds)
        out.append(
            _finding(
                "conflicting-polarity",
                f"indicators {_names(group)} are one measure but disagree on which direction "
                f"is good: {listing}"
                + ("; one unit is rewarded for what another is penalised for" if opposite else ""),
                group,
                "agree on one polarity for the measure and set it on every id",
                org_units=list(dict.fromkeys(unit_of[x] for x in group)),
                severity=Severity.ERROR if opposite else Severity.WARNING,
            )
        )
    return out


# -- resolved targets ----------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class _Declared:
    """What :func:`target_panels` reads of a scorecard, with the thresholds left out."""

    indicators: tuple[Indicator, ...]
    calendar: FiscalCalendar | None


@attrs.frozen(kw_only=True)
class _TargetView:
    """The thresholds one target set gives every (org unit, indicator, period) cell."""

    name: str
    units: tuple[str, ...]
    parent: _Ints
    labels: tuple[str, ...]  # one per period column; ("every period",) without spans
    target: _Floats  # what an evaluation scores against, indicator thresholds included
    declared: _Floats  # the target from the set's rows alone (or the children's sum of them)
    baseline: _Floats
    scope: _Bools  # (unit, indicator): the unit is in the subtree of the indicator's home


def _periods(scorecard: Scorecard, target_set: TargetSet | None) -> tuple[_Ints, tuple[str, ...]]:
    freq, cal = scorecard.review_frequency, scorecard.calendar
    rows = target_set.targets if target_set is not None else ()
    starts: list[object] = [t.start for t in rows if t.start is not None]
    ends: list[object] = [t.end for t in rows if t.end is not None]
    bounds: list[int] = []
    if starts:
        s, bad = parse_periods(starts, freq, calendar=cal)
        bounds += s[~bad].tolist()
    if ends:
        e, bad = parse_periods(ends, freq, calendar=cal, span_end=True)
        bounds += e[~bad].tolist()
    if not bounds:
        return np.zeros(1, dtype=np.int64), ("every period",)
    lo, hi = min(bounds), max(bounds)
    periods = np.arange(lo, hi + 1, dtype=np.int64)
    return periods, tuple(period_labels(periods, freq, calendar=cal))


def _views(scorecard: Scorecard) -> Iterator[_TargetView]:
    chart = scorecard.org_chart
    units = chart.ids
    pos = {u: k for k, u in enumerate(units)}
    parent = np.array([-1 if u.parent is None else pos[u.parent] for u in chart], dtype=np.int64)
    depth = np.array([chart.depth(u) for u in units], dtype=np.int64)
    scope = np.zeros((len(units), len(scorecard.indicators)), dtype=bool)
    unit_of = _indicator_units(scorecard)
    by_home: dict[str, list[int]] = {}
    for k, ind in enumerate(scorecard.indicators):
        by_home.setdefault(unit_of[ind.id], []).append(k)
    for home, cols in by_home.items():
        rows = [pos[u] for u in chart.subtree(home)]
        scope[np.ix_(rows, cols)] = True
    # The same indicators without thresholds tell which targets the set itself declares.
    # target_panels reads only a scorecard's indicators and calendar; rebuilding a whole
    # Scorecard would validate every cross-reference again for nothing.
    bare = cast(
        "Scorecard",
        _Declared(
            indicators=tuple(
                attrs.evolve(i, thresholds=Thresholds()) for i in scorecard.indicators
            ),
            calendar=scorecard.calendar,
        )
        if scorecard.target_sets
        else scorecard,
    )
    sets: Sequence[TargetSet | None] = scorecard.target_sets or (None,)
    for ts in sets:
        periods, labels = _periods(scorecard, ts)
        full, declared = (
            target_panels(
                sc,
                ts,
                units=units,
                periods=periods,
                freq=scorecard.review_frequency,
                parent=parent,
                depth=depth,
            )
            for sc in (scorecard, bare)
        )
        target = np.asarray(full["target"], dtype=np.float64)
        yield _TargetView(
            name=f"target set {ts.name!r}" if ts is not None else "the indicator thresholds",
            units=units,
            parent=parent,
            labels=labels,
            target=target,
            declared=np.asarray(declared["target"], dtype=np.float64)
            if ts is not None
            else np.full_like(target, np.nan),
            baseline=np.asarray(full["baseline"], dtype=np.float64),
            scope=scope,
        )


def _span(labels: Sequence[str], first: int, last: int) -> str:
    if labels == ("every period",):
        return "every period"
    return labels[first] if first == last else f"{labels[first]} to {labels[last]}"


def _runs(*series: _Floats) -> list[tuple[int, int]]:
    """Maximal runs of adjacent periods over which every series keeps its value (NaN marks a
    period outside the finding)."""
    present = ~np.isnan(series[0])
    change = np.zeros(len(present), dtype=bool)
    change[0] = True
    for s in series:
        change[1:] |= s[1:] != s[:-1]
    change[1:] |= present[1:] != present[:-1]
    starts = np.flatnonzero(change)
    ends = np.append(starts[1:] - 1, len(present) - 1)
    return [(int(a), int(b)) for a, b in zip(starts, ends, strict=True) if present[a]]


def _children_stats(t: _Floats, parent: _Ints) -> tuple[_Floats, _Floats, _Floats, _Floats]:
    """Per parent cell: the sum, count, min and max of its children's targets ``t``.

    Children are sorted by parent and reduced group-wise (``reduceat``), one pass per
    statistic over all (child, indicator, period) cells; rows of units without children stay
    0, 0, +inf and -inf.
    """
    kids = np.flatnonzero(parent >= 0)
    total = np.zeros_like(t)
    count = np.zeros_like(t)
    low = np.full_like(t, np.inf)
    high = np.full_like(t, -np.inf)
    if kids.size == 0:
        return total, count, low, high
    kids = kids[np.argsort(parent[kids], kind="stable")]
    up = parent[kids]
    starts = np.flatnonzero(np.r_[True, up[1:] != up[:-1]])
    heads = up[starts]
    vals = t[kids]
    have = ~np.isnan(vals)
    total[heads] = np.add.reduceat(np.where(have, vals, 0.0), starts, axis=0)
    count[heads] = np.add.reduceat(have.astype(np.float64), starts, axis=0)
    low[heads] = np.minimum.reduceat(np.where(have, vals, np.inf), starts, axis=0)
    high[heads] = np.maximum.reduceat(np.where(have, vals, -np.inf), starts, axis=0)
    return total, count, low, high


def _child_listing(
    view: _TargetView, t: _Floats, parent: int, i: int, p: int
) -> tuple[str, list[str]]:
    kids = np.flatnonzero(view.parent == parent)
    vals = t[kids, i, p]
    shown = ", ".join(
        f"{view.units[k]!r} {_num(v)}" for k, v in zip(kids, vals, strict=True) if not np.isnan(v)
    )
    missing = [view.units[k] for k, v in zip(kids, vals, strict=True) if np.isnan(v)]
    return shown, missing


def _adds_up(scorecard: Scorecard, views: Sequence[_TargetView], tolerance: float) -> list[Finding]:
    additive = np.array(
        [i.org_aggregation is OrgAggregation.SUM for i in scorecard.indicators], dtype=bool
    )
    out: list[Finding] = []
    for view in views:
        t = view.declared
        total, count, _, _ = _children_stats(t, view.parent)
        gap = t - total
        scale = np.maximum(np.abs(t), np.abs(total))
        with np.errstate(invalid="ignore"):
            bad = (
                (additive & view.scope)[:, :, None]
                & (count > 0)
                & ~np.isnan(t)
                & (np.abs(gap) > tolerance * scale)
            )
        for u, i in zip(*np.nonzero(bad.any(axis=2)), strict=True):
            ind = scorecard.indicators[i]
            series = np.where(bad[u, i], t[u, i], np.nan)
            for a, b in _runs(series, total[u, i]):
                shown, missing = _child_listing(view, t, u, i, a)
                g, parent_t = float(gap[u, i, a]), float(t[u, i, a])
                rel = f" ({g / parent_t:+.1%} of the parent's)" if parent_t != 0 else ""
                kids_units = [k for k, _ in _kids(view, u)]
                message = (
                    f"{view.name}, {_span(view.labels, a, b)}: the children's targets of "
                    f"additive indicator {ind.id!r} add up to {_num(total[u, i, a])} "
                    f"({shown}), but {view.units[u]!r} has target {_num(parent_t)}; "
                    f"gap {_num(g)}{rel}"
                )
                if missing:
                    message += f"; {_names(missing)} ha{'s' if len(missing) == 1 else 've'} no "
                    message += "target in the set and {} not counted".format(
                        "is" if len(missing) == 1 else "are"
                    )
                out.append(
                    _finding(
                        "targets-do-not-add-up",
                        message,
                        (ind.id,),
                        f"change the target of {ind.id!r} in {view.units[u]!r} to "
                        f"{_num(total[u, i, a])}, or share the gap of {_num(g)} among its "
                        "children; a parent without a target row of its own gets the sum",
                        org_units=(view.units[u], *kids_units),
                    )
                )
    return out


def _kids(view: _TargetView, parent: int) -> list[tuple[str, int]]:
    return [(view.units[k], int(k)) for k in np.flatnonzero(view.parent == parent)]


def _unreachable(scorecard: Scorecard, views: Sequence[_TargetView]) -> list[Finding]:
    averaging = np.array(
        [i.org_aggregation in _AVERAGING for i in scorecard.indicators], dtype=bool
    )
    direction = np.array([i.polarity.code for i in scorecard.indicators], dtype=np.int64)
    out: list[Finding] = []
    for view in views:
        t = view.target
        _, count, low, high = _children_stats(t, view.parent)
        slack = _DEFAULT_TOLERANCE * np.maximum(np.abs(low), np.abs(high))
        with np.errstate(invalid="ignore"):
            above, below = t > high + slack, t < low - slack
        bad = (averaging & view.scope)[:, :, None] & (count > 0) & (above | below)
        for u, i in zip(*np.nonzero(bad.any(axis=2)), strict=True):
            ind = scorecard.indicators[i]
            series = np.where(bad[u, i], t[u, i], np.nan)
            for a, b in _runs(series, low[u, i], high[u, i]):
                shown, _ = _child_listing(view, t, u, i, a)
                is_above = bool(above[u, i, a])
                # Stricter than every child: met only if some child beats its own target.
                strict = (direction[i] == 1 and is_above) or (direction[i] == -1 and not is_above)
                where = "above the highest" if is_above else "below the lowest"
                message = (
                    f"{view.name}, {_span(view.labels, a, b)}: {view.units[u]!r} has target "
                    f"{_num(t[u, i, a])} for {ind.id!r} ({ind.org_aggregation.value} of its "
                    f"children), {where} of its children's targets ({shown}); no weighting of "
                    "children that meet their targets gives it"
                )
                if direction[i] != 0:
                    message += (
                        ", so the parent misses its target while every child meets its own"
                        if strict
                        else ", so the parent's target is met before any child meets its own"
                    )
                out.append(
                    _finding(
                        "ratio-target-unreachable",
                        message,
                        (ind.id,),
                        f"set the target of {ind.id!r} in {view.units[u]!r} "
                        + (
                            f"to {_num(low[u, i, a])}"
                            if low[u, i, a] == high[u, i, a]
                            else f"between {_num(low[u, i, a])} and {_num(high[u, i, a])}"
                        )
                        + ", or change the children's targets so that it lies among them",
                        org_units=(view.units[u], *(k for k, _ in _kids(view, u))),
                        severity=Severity.INFO
                        if direction[i] != 0 and not strict
                        else Severity.WARNING,
                    )
                )
    return out


def _below_baseline(scorecard: Scorecard, views: Sequence[_TargetView]) -> list[Finding]:
    direction = np.array([i.polarity.code for i in scorecard.indicators], dtype=np.int64)
    out: list[Finding] = []
    for view in views:
        t, base = view.target, view.baseline
        with np.errstate(invalid="ignore"):
            worse = direction[None, :, None] * (t - base) < 0
        bad = view.scope[:, :, None] & worse
        for i in np.flatnonzero(bad.any(axis=(0, 2))):
            ind = scorecard.indicators[i]
            groups: dict[tuple[int, int, float, float], list[str]] = {}
            for u in np.flatnonzero(bad[:, i].any(axis=1)):
                series = np.where(bad[u, i], t[u, i], np.nan)
                for a, b in _runs(series, base[u, i]):
                    key = (a, b, float(t[u, i, a]), float(base[u, i, a]))
                    groups.setdefault(key, []).append(view.units[u])
            word = "below" if direction[i] == 1 else "above"
            for (a, b, tv, bv), units in groups.items():
                out.append(
                    _finding(
                        "target-below-baseline",
                        f"{view.name}, {_span(view.labels, a, b)}: the target of {ind.id!r} "
                        f"({ind.polarity.value}) is {_num(tv)}, {word} its baseline {_num(bv)}, "
                        f"in {_names(units)}; it asks for a result worse than the starting point",
                        (ind.id,),
                        f"raise the ambition of the target past {_num(bv)}, or correct the "
                        "baseline or the polarity if one of them is wrong"
                        if direction[i] == 1
                        else f"set the target below {_num(bv)}, or correct the baseline or "
                        "the polarity if one of them is wrong",
                        org_units=units,
                    )
                )
    return out


def targets_do_not_add_up(
    scorecard: Scorecard, *, tolerance: float = _DEFAULT_TOLERANCE
) -> list[Finding]:
    """Additive indicators (``org_aggregation: sum``) whose children's targets do not add up
    to their parent's.

    For every target set, org unit with children and period, the parent's resolved target is
    compared with the sum of its direct children's. A finding names the set, the span of
    periods over which the numbers stay the same, the parent's target, each child's, the
    sum, the gap (parent minus sum) and the gap relative to the parent's target. Only units
    in the subtree of the indicator's own org unit are checked; children without any
    target are listed and left out of the sum.

    Parameters
    ----------
    scorecard
        The scorecard to check.
    tolerance
        Largest accepted gap, relative to the larger of the parent's target and the sum
        (default 1e-9: exact up to float noise; 0.01 accepts 1 %).

    Examples
    --------
    >>> from balanced_scorecard.model import (Indicator, Objective, OrgChart, OrgUnit,
    ...                                       Scorecard, Target, TargetSet)
    >>> chart = OrgChart(units=[OrgUnit(id="hq"), OrgUnit(id="north", parent="hq"),
    ...                         OrgUnit(id="south", parent="hq")])
    >>> rows = [Target(indicator="revenue", org_unit=u, start="2025-01", end="2025-12",
    ...                target=v) for u, v in [("hq", 1000), ("north", 600), ("south", 300)]]
    >>> sc = Scorecard(id="demo", org_chart=chart,
    ...     objectives=[Objective(id="grow", perspective="financial")],
    ...     indicators=[Indicator(id="revenue", objective="grow", org_aggregation="sum")],
    ...     target_sets=[TargetSet(name="budget", targets=rows)])
    >>> print(targets_do_not_add_up(sc)[0].message)  # doctest: +NORMALIZE_WHITESPACE
    target set 'budget', 2025-01 to 2025-12: the children's targets of additive indicator
    'revenue' add up to 900 ('north' 600, 'south' 300), but 'hq' has target 1,000; gap 100
    (+10.0% of the parent's)
    >>> targets_do_not_add_up(sc, tolerance=0.1)
    []
    """
    _check_tolerance(tolerance)
    return _adds_up(scorecard, list(_views(scorecard)), float(tolerance))


def ratio_target_unreachable(scorecard: Scorecard) -> list[Finding]:
    """Averaged or ratio indicators whose parent target lies outside the children's targets.

    For ``mean``, ``weighted_mean`` and ``ratio_of_sums`` org aggregation the parent's value
    is a weighted average of its children's, so if every child lands exactly on its target
    the parent lands between the lowest and the highest of them, whatever the weights. A
    parent target outside that range is a warning when it is stricter than every child's
    (the parent misses while every child meets its own) and information when it is looser
    (met before any child is); for ``in_range`` indicators, a warning.

    Examples
    --------
    >>> from balanced_scorecard.model import (Indicator, Objective, OrgChart, OrgUnit,
    ...                                       Scorecard, Target, TargetSet)
    >>> chart = OrgChart(units=[OrgUnit(id="hq"), OrgUnit(id="north", parent="hq"),
    ...                         OrgUnit(id="south", parent="hq")])
    >>> rows = [Target(indicator="otd", org_unit=u, target=v)
    ...         for u, v in [("hq", 98), ("north", 95), ("south", 97)]]
    >>> sc = Scorecard(id="demo", org_chart=chart,
    ...     objectives=[Objective(id="deliver", perspective="customer")],
    ...     indicators=[Indicator(id="otd", objective="deliver", unit="percent")],
    ...     target_sets=[TargetSet(name="budget", targets=rows)])
    >>> f = ratio_target_unreachable(sc)[0]
    >>> f.severity, f.org_units
    (<Severity.WARNING: 'warning'>, ('hq', 'north', 'south'))
    """
    return _unreachable(scorecard, list(_views(scorecard)))


def target_below_baseline(scorecard: Scorecard) -> list[Finding]:
    """Targets worse than their baseline for the indicator's polarity.

    Below the baseline for ``higher_better``, above it for ``lower_better`` (``in_range`` is
    not judged), per target set, org unit and period, with both values resolved on their own
    as an evaluation resolves them (a target row may take its baseline from the indicator's
    thresholds). Units and periods sharing the same numbers are reported together.

    Examples
    --------
    >>> from balanced_scorecard.model import Indicator, Objective, Scorecard, Thresholds
    >>> sc = Scorecard(id="demo", objectives=[Objective(id="o", perspective="customer")],
    ...     indicators=[Indicator(id="nps", objective="o",
    ...                           thresholds=Thresholds(baseline=30, target=25))])
    >>> print(target_below_baseline(sc)[0].message)  # doctest: +NORMALIZE_WHITESPACE
    the indicator thresholds, every period: the target of 'nps' (higher_better) is 25, below
    its baseline 30, in 'all'; it asks for a result worse than the starting point
    """
    return _below_baseline(scorecard, list(_views(scorecard)))


#: Rule id -> checker, in the order :func:`alignment_findings` runs them. Each takes a
#: scorecard and returns its findings.
ALIGNMENT_RULES: Mapping[str, Callable[[Scorecard], list[Finding]]] = {
    "cascade-orphan": cascade_orphan,
    "cascade-broken-chain": cascade_broken_chain,
    "redundant-indicator": redundant_indicator,
    "conflicting-polarity": conflicting_polarity,
    "targets-do-not-add-up": targets_do_not_add_up,
    "ratio-target-unreachable": ratio_target_unreachable,
    "target-below-baseline": target_below_baseline,
}

_TARGET_RULES: Mapping[str, Callable[[Scorecard, Sequence[_TargetView], float], list[Finding]]] = {
    "targets-do-not-add-up": _adds_up,
    "ratio-target-unreachable": lambda sc, views, _: _unreachable(sc, views),
    "target-below-baseline": lambda sc, views, _: _below_baseline(sc, views),
}


def alignment_findings(
    scorecard: Scorecard,
    *,
    rules: Collection[str] | None = None,
    tolerance: float = _DEFAULT_TOLERANCE,
) -> list[Finding]:
    """Check a cascaded scorecard against :data:`ALIGNMENT_RULES`.

    Parameters
    ----------
    scorecard
        The scorecard to check.
    rules
        Ids of the rules to run (default: all); they run in :data:`ALIGNMENT_RULES` order.
    tolerance
        Relative gap ``targets-do-not-add-up`` accepts (default 1e-9).

    Returns
    -------
    list of Finding
        In rule order; :func:`~balanced_scorecard.algorithms.structure.findings_frame` makes
        a frame of them.

    Raises
    ------
    UnknownMethodError
        When ``rules`` names a rule that does not exist.
    ModelError
        When ``tolerance`` is negative or not finite.

    Examples
    --------
    >>> from balanced_scorecard.model import Scorecard
    >>> alignment_findings(Scorecard(id="empty"))
    []
    >>> alignment_findings(Scorecard(id="empty"), rules=["cascade-orphans"])
    Traceback (most recent call last):
    ...
    balanced_scorecard.exceptions.UnknownMethodError: unknown alignment rule 'cascade-orphans'; ...
    """
    _check_tolerance(tolerance)
    selected = select_rules(ALIGNMENT_RULES, rules, "alignment")
    # The target rules share one resolution of every target set.
    views = list(_views(scorecard)) if any(n in _TARGET_RULES for n in selected) else []
    findings: list[Finding] = []
    for name in selected:
        if name in _TARGET_RULES:
            findings.extend(_TARGET_RULES[name](scorecard, views, float(tolerance)))
        else:
            findings.extend(ALIGNMENT_RULES[name](scorecard))
    return findings
