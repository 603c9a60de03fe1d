"""Cross-reference checks of a whole scorecard, collected rather than raised one by one.

The definition loader calls :func:`structure_problems` with a ``locate`` callback that maps a
model object back to where it stands in the document, so every problem names the file, line
and path; :class:`~balanced_scorecard.model.scorecard.Scorecard` calls it without one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Protocol

import networkx as nx

from balanced_scorecard._suggest import did_you_mean
from balanced_scorecard.exceptions import ExpressionError, Problem
from balanced_scorecard.model.indicators import Indicator
from balanced_scorecard.model.initiatives import Initiative
from balanced_scorecard.model.links import CausalLink
from balanced_scorecard.model.objectives import Objective, Perspective
from balanced_scorecard.model.org import OrgChart
from balanced_scorecard.model.people import Assignment
from balanced_scorecard.model.sources import DataSource
from balanced_scorecard.model.targets import TargetSet, threshold_order_problems

__all__ = ["Locate", "default_locate", "structure_problems"]


class Locate(Protocol):
    """Maps (collection, index, field) of the model to a :class:`Problem` location."""

    def __call__(self, collection: str, index: int, field: str = "") -> tuple[str, int | None]:
        """Return ``(path, line)`` for the field of the ``index``-th item of ``collection``."""
        ...


def default_locate(collection: str, index: int, field: str = "") -> tuple[str, int | None]:
    """Model paths such as ``indicators[4].unit`` with no line."""
    path = f"{collection}[{index}]"
    return (f"{path}.{field}" if field else path), None


class _Collector:
    def __init__(self, locate: Locate, source: str | None) -> None:
        self.locate = locate
        self.source = source
        self.problems: list[Problem] = []

    def add(self, collection: str, index: int, field: str, message: str) -> None:
        path, line = self.locate(collection, index, field)
        self.problems.append(Problem(path=path, message=message, source=self.source, line=line))


def _duplicates(c: _Collector, groups: Sequence[tuple[str, Sequence[str]]]) -> None:
    # Ids are graph nodes, so they must be unique across kinds, not only within one.
    first: dict[str, tuple[str, int]] = {}
    for collection, ids in groups:
        for i, node_id in enumerate(ids):
            if node_id in first:
                other_coll, other_i = first[node_id]
                other_path, _ = c.locate(other_coll, other_i, "id")
                c.add(
                    collection,
                    i,
                    "id",
                    f"duplicate id {node_id!r}: already used at {other_path}; "
                    "ids must be unique across perspectives, objectives, indicators and "
                    "initiatives",
                )
            else:
                first[node_id] = (collection, i)


def _ref(
    c: _Collector,
    collection: str,
    index: int,
    field: str,
    value: str,
    known: Iterable[str],
    what: str,
) -> None:
    known_set = set(known)
    if value not in known_set:
        c.add(
            collection,
            index,
            field,
            f"{value!r} is not a known {what}." + did_you_mean(value, known_set),
        )


def _formula_problems(c: _Collector, indicators: Sequence[Indicator]) -> None:
    from balanced_scorecard.formulas import parse_formula

    ids = [ind.id for ind in indicators]
    deps = nx.DiGraph()
    for i, ind in enumerate(indicators):
        if ind.formula is None:
            continue
        try:
            formula = parse_formula(ind.formula, names=ids)
        except ExpressionError as exc:
            c.add("indicators", i, "formula", str(exc))
            continue
        for name in formula.names:
            deps.add_edge(name, ind.id)
    try:
        cycle = nx.find_cycle(deps)
    except nx.NetworkXNoCycle:
        return
    names = [u for u, _ in cycle]
    index = ids.index(names[0])
    c.add(
        "indicators",
        index,
        "formula",
        "calculated indicators depend on each other in a cycle: "
        + " -> ".join([*names, names[0]])
        + "; break the cycle by computing one of them from observations",
    )


def _link_cycles(c: _Collector, links: Sequence[CausalLink]) -> None:
    g = nx.DiGraph()
    for i, link in enumerate(links):
        if not link.feedback:
            g.add_edge(link.cause, link.effect, index=i)
    try:
        cycle = nx.find_cycle(g)
    except nx.NetworkXNoCycle:
        return
    nodes = [u for u, _ in cycle]
    index = g.edges[cycle[-1][0], cycle[-1][1]]["index"]
    c.add(
        "links",
        index,
        "",
        "causal links form a cycle: "
        + " -> ".join([*nodes, nodes[0]])
        + "; mark the links of a deliberate loop with feedback: true, or remove one",
    )


def _weight_problems(
    c: _Collector,
    collection: str,
    items: Sequence[Objective | Indicator | Perspective],
    parent_of: Callable[[Objective | Indicator | Perspective], str],
    parent_kind: str,
) -> None:
    by_parent: dict[str, list[int]] = {}
    for i, item in enumerate(items):
        by_parent.setdefault(parent_of(item), []).append(i)
    for parent, idx in by_parent.items():
        if all(max(items[i].weight.values()) == 0 for i in idx):
            c.add(
                collection,
                idx[0],
                "weight",
                f"every {collection[:-1]} of {parent_kind} {parent!r} has weight 0, so its score "
                "cannot be computed; give at least one a positive weight",
            )


def structure_problems(
    *,
    perspectives: Sequence[Perspective],
    objectives: Sequence[Objective],
    indicators: Sequence[Indicator],
    links: Sequence[CausalLink],
    org_chart: OrgChart,
    assignments: Sequence[Assignment] = (),
    initiatives: Sequence[Initiative] = (),
    target_sets: Sequence[TargetSet] = (),
    sources: Sequence[DataSource] = (),
    locate: Locate = default_locate,
    source: str | None = None,
) -> list[Problem]:
    """Every structural problem of a scorecard's parts, in document order.

    Checks unique ids, references between parts, cycles among causal links not marked as
    feedback, formulas and their dependency cycles, threshold order against polarity, and
    all-zero weights under one parent.

    Examples
    --------
    >>> from balanced_scorecard.model import Objective, Indicator, OrgChart, DEFAULT_PERSPECTIVES
    >>> probs = structure_problems(
    ...     perspectives=DEFAULT_PERSPECTIVES,
    ...     objectives=[Objective(id="grow", perspective="finance")],
    ...     indicators=[Indicator(id="rev", objective="grow")],
    ...     links=[], org_chart=OrgChart())
    >>> print(probs[0])  # doctest: +NORMALIZE_WHITESPACE
    <definition> at objectives[0].perspective: 'finance' is not a known perspective.
    Did you mean 'financial'?
    """
    c = _Collector(locate, source)
    _duplicates(
        c,
        [
            ("perspectives", [p.id for p in perspectives]),
            ("objectives", [o.id for o in objectives]),
            ("indicators", [i.id for i in indicators]),
            ("initiatives", [x.id for x in initiatives]),
        ],
    )
    p_ids = [p.id for p in perspectives]
    o_ids = [o.id for o in objectives]
    i_ids = [i.id for i in indicators]
    nodes = {*p_ids, *o_ids, *i_ids, *(x.id for x in initiatives)}
    units = org_chart.ids
    for k, o in enumerate(objectives):
        _ref(c, "objectives", k, "perspective", o.perspective, p_ids, "perspective")
        if o.parent is not None:
            _ref(c, "objectives", k, "parent", o.parent, o_ids, "objective")
        if o.org_unit is not None:
            _ref(c, "objectives", k, "org_unit", o.org_unit, units, "org unit")
    for k, ind in enumerate(indicators):
        _ref(c, "indicators", k, "objective", ind.objective, o_ids, "objective")
        for msg in threshold_order_problems(ind.thresholds.as_dict(), ind.polarity):
            c.add("indicators", k, "thresholds", msg)
    for k, link in enumerate(links):
        _ref(c, "links", k, "cause", link.cause, [*o_ids, *i_ids], "objective or indicator")
        _ref(c, "links", k, "effect", link.effect, [*o_ids, *i_ids], "objective or indicator")
    for k, x in enumerate(initiatives):
        for supported in x.objectives:
            _ref(c, "initiatives", k, "objectives", supported, o_ids, "objective")
    for k, a in enumerate(assignments):
        _ref(c, "assignments", k, "node", a.node, nodes, "node")
        if a.org_unit is not None:
            _ref(c, "assignments", k, "org_unit", a.org_unit, units, "org unit")
    for s, ts in enumerate(target_sets):
        polarity = {ind.id: ind.polarity for ind in indicators}
        for k, t in enumerate(ts.targets):
            coll = f"target_sets[{s}].targets"
            _ref(c, coll, k, "indicator", t.indicator, i_ids, "indicator")
            if t.org_unit is not None:
                _ref(c, coll, k, "org_unit", t.org_unit, units, "org unit")
            if t.indicator in polarity:
                for msg in threshold_order_problems(
                    t.thresholds().as_dict(), polarity[t.indicator]
                ):
                    c.add(coll, k, "", msg)
    for k, src in enumerate(sources):
        if src.mapping is None:
            continue
        for r, rule in enumerate(src.mapping.rules):
            field = f"mapping.rules[{r}].indicator"
            _ref(c, "sources", k, field, rule.indicator, i_ids, "indicator")
        for code, unit in src.mapping.org_codes:
            _ref(c, "sources", k, f"mapping.org_codes.{code}", unit, units, "org unit")
        if src.mapping.default_org_unit is not None:
            _ref(
                c,
                "sources",
                k,
                "mapping.default_org_unit",
                src.mapping.default_org_unit,
                units,
                "org unit",
            )
    _link_cycles(c, links)
    _formula_problems(c, indicators)
    _weight_problems(c, "indicators", indicators, lambda x: x.objective, "objective")  # type: ignore[union-attr]
    _weight_problems(c, "objectives", objectives, lambda x: x.perspective, "perspective")  # type: ignore[union-attr]
    _weight_problems(c, "perspectives", perspectives, lambda x: "scorecard", "the")
    return c.problems
