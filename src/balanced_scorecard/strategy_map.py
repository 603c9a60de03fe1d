"""The strategy map: perspectives, objectives, indicators, initiatives and causal links as a
graph. The frozen model is the truth; :attr:`StrategyMap.graph` is a derived, frozen view.
"""

from __future__ import annotations

from functools import cached_property

import attrs
import networkx as nx

from balanced_scorecard._suggest import did_you_mean
from balanced_scorecard.exceptions import UnknownNodeError
from balanced_scorecard.model._convert import to_tuple
from balanced_scorecard.model.indicators import Indicator
from balanced_scorecard.model.initiatives import Initiative
from balanced_scorecard.model.links import CausalLink
from balanced_scorecard.model.objectives import Objective, Perspective

__all__ = ["EDGE_KINDS", "NODE_KINDS", "StrategyMap"]

NODE_KINDS = ("perspective", "objective", "indicator", "initiative")
#: ``measures``: indicator -> objective; ``part_of``: objective -> perspective;
#: ``causes``: a causal link; ``cascades``: parent objective -> child objective;
#: ``supports``: initiative -> objective.
EDGE_KINDS = ("measures", "part_of", "causes", "cascades", "supports")


@attrs.frozen(kw_only=True)
class StrategyMap:
    """The causal graph of a scorecard.

    Examples
    --------
    >>> from balanced_scorecard.model import Objective, Perspective, CausalLink
    >>> sm = StrategyMap(
    ...     perspectives=[Perspective(id="financial"), Perspective(id="customer")],
    ...     objectives=[Objective(id="grow", perspective="financial"),
    ...                 Objective(id="delight", perspective="customer")],
    ...     links=[CausalLink(cause="delight", effect="grow", lag=1)])
    >>> sm.graph.edges["delight", "grow"]["kind"], sm.graph.edges["delight", "grow"]["lag"]
    ('causes', 1)
    >>> sm.drivers("grow")
    ('delight',)
    >>> nx.is_frozen(sm.graph)
    True
    """

    perspectives: tuple[Perspective, ...] = attrs.field(default=(), converter=to_tuple)
    objectives: tuple[Objective, ...] = attrs.field(default=(), converter=to_tuple)
    indicators: tuple[Indicator, ...] = attrs.field(default=(), converter=to_tuple)
    links: tuple[CausalLink, ...] = attrs.field(default=(), converter=to_tuple)
    initiatives: tuple[Initiative, ...] = attrs.field(default=(), converter=to_tuple)

    def _repr_svg_(self) -> str:
        """The map as an SVG picture (notebooks show it); see
        :func:`balanced_scorecard.visual.map_svg`."""
        from balanced_scorecard.visual.strategy_map import map_svg

        return map_svg(self)

    @cached_property
    def graph(self) -> nx.DiGraph:
        """A frozen :class:`networkx.DiGraph` with ids as nodes.

        Node attribute ``kind`` is one of :data:`NODE_KINDS` (plus ``name``, and
        ``perspective`` for objectives); edge attribute ``kind`` is one of
        :data:`EDGE_KINDS`, with ``weight``, ``sign`` and ``lag`` on every edge.
        """
        g = nx.DiGraph()
        for p in self.perspectives:
            g.add_node(p.id, kind="perspective", name=p.label)
        for o in self.objectives:
            g.add_node(o.id, kind="objective", name=o.label, perspective=o.perspective)
            g.add_edge(o.id, o.perspective, kind="part_of", weight=o.weight.value, sign=1, lag=0)
        for i in self.indicators:
            g.add_node(i.id, kind="indicator", name=i.label, lead_lag=i.lead_lag.value)
            g.add_edge(i.id, i.objective, kind="measures", weight=i.weight.value, sign=1, lag=0)
        for o in self.objectives:
            if o.parent is not None:
                g.add_edge(o.parent, o.id, kind="cascades", weight=1.0, sign=1, lag=0)
        for x in self.initiatives:
            g.add_node(x.id, kind="initiative", name=x.label)
            for o_id in x.objectives:
                g.add_edge(x.id, o_id, kind="supports", weight=1.0, sign=1, lag=0)
        for link in self.links:
            g.add_edge(
                link.cause,
                link.effect,
                kind="causes",
                weight=link.weight,
                sign=link.sign,
                lag=link.lag,
                feedback=link.feedback,
            )
        return nx.freeze(g)

    @cached_property
    def causal_graph(self) -> nx.DiGraph:
        """Only the ``causes`` edges (a frozen view over the objectives and indicators)."""
        g = self.graph
        return nx.subgraph_view(g, filter_edge=lambda u, v: g.edges[u, v]["kind"] == "causes")

    def _check(self, node: str) -> None:
        if node not in self.graph:
            raise UnknownNodeError(
                f"no node {node!r} in the strategy map." + did_you_mean(node, self.graph.nodes)
            )

    def drivers(self, node: str) -> tuple[str, ...]:
        """Direct causes of ``node`` along causal links."""
        self._check(node)
        return tuple(self.causal_graph.predecessors(node))

    def effects(self, node: str) -> tuple[str, ...]:
        """Direct effects of ``node`` along causal links."""
        self._check(node)
        return tuple(self.causal_graph.successors(node))

    def upstream(self, node: str) -> set[str]:
        """Everything that drives ``node`` through a chain of causal links."""
        self._check(node)
        return set(nx.ancestors(self.causal_graph, node))

    def downstream(self, node: str) -> set[str]:
        """Everything ``node`` drives through a chain of causal links."""
        self._check(node)
        return set(nx.descendants(self.causal_graph, node))

    def nodes_of_kind(self, kind: str) -> tuple[str, ...]:
        """Ids of the nodes of one kind, in definition order."""
        return tuple(n for n, k in self.graph.nodes(data="kind") if k == kind)
