"""Root causes: walk from a red outcome up the strategy map to the drivers that explain it.

Sits in the *analyse* step, after scoring and rollup. :func:`root_causes` starts at an
objective or indicator in one org unit and period and follows, upstream, the edges that
explain a node: an objective's own indicators (``measures`` edges, its immediate
explanation) and the causal links into it (``causes`` edges), each driver judged at the
period its lag points to. Every driver gets a contribution

    contribution = share x pressure x strength

where ``share`` is the edge's weight normalised over the edges of its kind into the same
node (so scaling every link weight by one constant changes no ranking), ``pressure`` is how
much the driver pushes the node down (see below) and ``strength`` the evidence for the link
(from :func:`~balanced_scorecard.algorithms.evidence.link_evidence` or any mapping; 1.0 when
unknown). The result is a :class:`CauseTree`: text, HTML, a frame with one row per edge,
and plain data.

Sign convention
    Signs are read on performance (scores, which already respect each indicator's
    polarity) and multiply along a path. Where the product is +1 (the usual case), the
    node is explained by drivers that fall short, so ``pressure = 1 - score``. Where it is
    -1 (the driver is linked by a negative link: more of it means less of the effect), the
    node is explained by the driver doing *well*: ``pressure = score``, largest when the
    driver is far above target and nil when it scores 0.
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np
import pandas as pd

from balanced_scorecard.exceptions import ModelError

if TYPE_CHECKING:
    from balanced_scorecard.results import Evaluation

__all__ = [
    "CAUSE_COLUMNS",
    "CauseLink",
    "CauseTree",
    "formula_attribution",
    "root_causes",
]

#: Columns of :meth:`CauseTree.to_frame`, in order.
CAUSE_COLUMNS = (
    "depth",
    "path",
    "cause",
    "effect",
    "kind",
    "sign",
    "lag",
    "period",
    "weight",
    "share",
    "strength",
    "score",
    "status",
    "pressure",
    "contribution",
    "impact",
    "note",
)

Evidence = Mapping[tuple[str, str], float] | pd.DataFrame | None


@attrs.frozen(kw_only=True)
class CauseLink:
    """The edge from a driver to the node it explains.

    ``kind`` is ``measures`` (an indicator of an objective) or ``causes`` (a causal link).
    ``weight`` is the declared link weight, or the indicator's effective weight in its
    objective at the period judged; ``share`` is it normalised over the edges of the same
    kind into the effect; ``strength`` the evidence for the link in [0, 1].
    """

    kind: str
    sign: int
    lag: int
    weight: float
    share: float
    strength: float


def _fmt(x: float) -> str:
    return "—" if math.isnan(x) else f"{x:.2f}"


@attrs.frozen(kw_only=True)
class CauseTree:
    """One node of a root-cause explanation and, in ``children``, its drivers ranked by
    contribution (largest first).

    Attributes
    ----------
    node, kind, name
        The node explained (``objective`` or ``indicator``).
    org_unit, period
        Where and when it is judged; ``period`` is ``None`` when its lag points before the
        first evaluated period.
    lag
        Periods back from the root's period (the sum of the lags along the path).
    score, status
        Its score in [0, 1] (NaN without one) and status name.
    pressure
        How much it pushes the root down: ``1 - score``, or ``score`` under a negative path
        (see the module notes). For the root: its shortfall ``1 - score``.
    contribution
        ``link.share * pressure * link.strength``; for the root, its shortfall.
    impact
        The contribution carried to the root: the product of ``share * strength`` along
        the path, times ``pressure``. Compare drivers at different depths by this.
    link
        The edge to its parent (``None`` for the root).
    note
        Why it was not judged or not expanded (no score, lag before the first period,
        a feedback loop, the depth limit); empty otherwise.
    children
        Its own drivers, ranked.
    attribution
        For a calculated indicator at the root (a driver tree written as a formula, e.g.
        operating margin): the change of its value since the previous period attributed to
        each formula input, ``(input, contribution)`` pairs adding up to the change (see
        :func:`formula_attribution`); empty otherwise.
    """

    node: str
    kind: str
    name: str
    org_unit: str
    period: str | None
    lag: int
    score: float
    status: str | None
    pressure: float
    contribution: float
    impact: float
    link: CauseLink | None = None
    note: str = ""
    children: tuple[CauseTree, ...] = ()
    attribution: tuple[tuple[str, float], ...] = ()

    # -- plain data -----------------------------------------------------------------------

    def as_dict(self) -> dict[str, Any]:
        """Plain nested data (for JSON)."""
        return attrs.asdict(self)

    def walk(self) -> list[tuple[int, tuple[str, ...], CauseTree]]:
        """Every node below this one, depth first in rank order, as ``(depth, path,
        node)`` where ``path`` runs from this node down to it."""
        out: list[tuple[int, tuple[str, ...], CauseTree]] = []
        stack: list[tuple[int, tuple[str, ...], CauseTree]] = [
            (1, (self.node, c.node), c) for c in reversed(self.children)
        ]
        while stack:
            depth, path, item = stack.pop()
            out.append((depth, path, item))
            stack.extend((depth + 1, (*path, c.node), c) for c in reversed(item.children))
        return out

    def to_frame(self) -> pd.DataFrame:
        """One row per edge of the tree (columns :data:`CAUSE_COLUMNS`), depth first in
        rank order; ``path`` reads from the root, e.g. ``grow <- delight <- nps``. Sort by
        ``impact`` to rank drivers at every depth together."""
        rows = []
        for depth, path, item in self.walk():
            link = item.link
            assert link is not None  # every node below the root has its edge
            rows.append(
                {
                    "depth": depth,
                    "path": " <- ".join(path),
                    "cause": item.node,
                    "effect": path[-2],
                    "kind": link.kind,
                    "sign": link.sign,
                    "lag": link.lag,
                    "period": item.period,
                    "weight": link.weight,
                    "share": link.share,
                    "strength": link.strength,
                    "score": item.score,
                    "status": item.status,
                    "pressure": item.pressure,
                    "contribution": item.contribution,
                    "impact": item.impact,
                    "note": item.note,
                }
            )
        return pd.DataFrame(rows, columns=list(CAUSE_COLUMNS))

    # -- text and HTML --------------------------------------------------------------------

    def _line(self) -> str:
        when = self.period or "not evaluated"
        status = self.status or "no status"
        head = f"{self.node} ({self.name})" if self.name != self.node else self.node
        if self.link is None:
            text = (
                f"Root causes of {head} · org unit {self.org_unit} · period {when} · "
                f"score {_fmt(self.score)} ({status})"
            )
        else:
            link = self.link
            how = link.kind + (" -" if link.sign < 0 else "")
            if link.lag:
                how += f", lag {link.lag}"
            if link.strength < 1:
                how += f", evidence {link.strength:.2f}"
            text = (
                f"{head} [{how}] · {when} · score {_fmt(self.score)} ({status}) · "
                f"contribution {_fmt(self.contribution)} · impact {_fmt(self.impact)}"
            )
        return f"{text} · {self.note}" if self.note else text

    def _attribution_line(self) -> str:
        parts = dict(self.attribution)
        drivers = [(k, v) for k, v in self.attribution if k not in ("before", "after", "change")]
        shown = ", ".join(f"{k} {v:+.4g}" for k, v in drivers)
        return (
            f"change since the previous period {parts['before']:.4g} -> {parts['after']:.4g} "
            f"({parts['change']:+.4g}): {shown}"
        )

    def lines(self) -> list[str]:
        """The tree as indented lines of text, two spaces a level."""
        out = [self._line()]
        if self.attribution:
            out.append(f"  = {self._attribution_line()}")
        out += [f"{'  ' * depth}- {item._line()}" for depth, _, item in self.walk()]
        return out

    def __str__(self) -> str:
        return "\n".join(self.lines())

    def _html(self) -> str:
        body = html.escape(self._line())
        if self.attribution:
            body += f"<br>= {html.escape(self._attribution_line())}"
        if not self.children:
            return body
        items = "".join(f"<li>{c._html()}</li>" for c in self.children)
        return f"{body}<ul>{items}</ul>"

    def _repr_html_(self) -> str:
        return f'<div class="bsc-root-causes">{self._html()}</div>'


# -- the walk --------------------------------------------------------------------------------


def _strengths(evidence: Evidence) -> dict[tuple[str, str], float]:
    if evidence is None:
        return {}
    if isinstance(evidence, pd.DataFrame):
        missing = {"cause", "effect", "strength"} - set(evidence.columns)
        if missing:
            raise ModelError(
                f"the evidence frame lacks column(s) {', '.join(sorted(missing))}; pass the "
                "output of link_evidence or a frame with cause, effect and strength"
            )
        pairs = zip(
            evidence["cause"].astype(str),
            evidence["effect"].astype(str),
            evidence["strength"],
            strict=True,
        )
        raw = {(c, e): s for c, e, s in pairs}
    else:
        raw = {(str(k[0]), str(k[1])): v for k, v in evidence.items()}
    out: dict[tuple[str, str], float] = {}
    for (cause, effect), value in raw.items():
        s = float(value)
        if math.isnan(s):
            # Untested (too short a history): keep the declared hypothesis at full strength.
            s = 1.0
        if not 0.0 <= s <= 1.0:
            raise ModelError(
                f"evidence strength {value!r} for link {cause!r} -> {effect!r} is outside "
                "[0, 1]; pass strengths in [0, 1] (1 = fully supported)"
            )
        out[cause, effect] = s
    return out


@attrs.frozen(kw_only=True)
class _Walk:
    ev: Evaluation
    u: int
    root_p: int
    strengths: dict[tuple[str, str], float]
    max_depth: int

    def value(self, node: str, p: int | None) -> tuple[float, str | None]:
        if p is None:
            return math.nan, None
        level, k = self.ev.locate(node)
        score = float(level.score[k, self.u, p])
        code = int(level.status[k, self.u, p])
        names = self.ev.status_names
        return score, (names[code] if 0 <= code < len(names) else None)

    def edges(self, node: str, p: int | None) -> list[tuple[str, CauseLink]]:
        """The edges explaining ``node`` at period ``p`` (None: not evaluated)."""
        g = self.ev.scorecard.strategy_map.graph
        inbound = [(c, d) for c, _, d in g.in_edges(node, data=True)]
        causes = [(c, d) for c, d in inbound if d["kind"] == "causes"]
        total = sum(float(d["weight"]) for _, d in causes)
        out = []
        for c, d in causes:
            w = float(d["weight"])
            out.append(
                (
                    c,
                    CauseLink(
                        kind="causes",
                        sign=int(d["sign"]),
                        lag=int(d["lag"]),
                        weight=w,
                        share=w / total if total > 0 else 0.0,
                        strength=self.strengths.get((c, node), 1.0),
                    ),
                )
            )
        level = self.ev.indicators
        pos = {n: k for k, n in enumerate(level.ids)}
        for c, d in inbound:
            if d["kind"] != "measures" or c not in pos:
                continue
            # The effective weight already shares the objective among its scored indicators.
            w = math.nan if p is None else float(level.weight[pos[c], self.u, p])
            out.append(
                (
                    c,
                    CauseLink(
                        kind="measures",
                        sign=1,
                        lag=0,
                        weight=w,
                        share=w,
                        strength=self.strengths.get((c, node), 1.0),
                    ),
                )
            )
        return out

    def grow(
        self,
        node: str,
        *,
        p: int | None,
        lag: int,
        orient: int,
        factor: float,
        path: frozenset[str],
        depth: int,
        link: CauseLink | None,
    ) -> CauseTree:
        score, status = self.value(node, p)
        if link is None:
            pressure = contribution = impact = 1.0 - score
        else:
            pressure = 1.0 - score if orient > 0 else score
            contribution = link.share * pressure * link.strength
            impact = factor * pressure
        notes = []
        if p is None:
            labels = self.ev.period_labels
            notes.append(
                f"lag {lag} from {labels[self.root_p]} reaches before {labels[0]}, the "
                "first evaluated period: not judged"
            )
        elif math.isnan(score):
            notes.append(f"no score in {self.ev.units[self.u]} at {self.ev.period_labels[p]}")
        children: list[CauseTree] = []
        if p is not None:
            explaining = self.edges(node, p)
            if explaining and depth >= self.max_depth:
                notes.append(f"depth limit {self.max_depth} reached")
            elif explaining:
                for child, edge in explaining:
                    if child in path:
                        children.append(self._loop(child, edge, p, lag, orient, factor))
                        continue
                    p_child = p - edge.lag
                    children.append(
                        self.grow(
                            child,
                            p=p_child if p_child >= 0 else None,
                            lag=lag + edge.lag,
                            orient=orient * edge.sign,
                            factor=factor * edge.share * edge.strength,
                            path=path | {child},
                            depth=depth + 1,
                            link=edge,
                        )
                    )
        children.sort(key=_rank)
        level, _ = self.ev.locate(node)
        return CauseTree(
            node=node,
            kind=level.kind,
            name=self._name(node),
            org_unit=self.ev.units[self.u],
            period=None if p is None else self.ev.period_labels[p],
            lag=lag,
            score=score,
            status=status,
            pressure=pressure,
            contribution=contribution,
            impact=impact,
            link=link,
            note="; ".join(notes),
            children=tuple(children),
        )

    def _loop(
        self, child: str, edge: CauseLink, p: int, lag: int, orient: int, factor: float
    ) -> CauseTree:
        """A driver already on the path (a feedback loop): judged, never expanded again."""
        p_child = p - edge.lag
        pc = p_child if p_child >= 0 else None
        score, status = self.value(child, pc)
        pressure = 1.0 - score if orient * edge.sign > 0 else score
        level, _ = self.ev.locate(child)
        return CauseTree(
            node=child,
            kind=level.kind,
            name=self._name(child),
            org_unit=self.ev.units[self.u],
            period=None if pc is None else self.ev.period_labels[pc],
            lag=lag + edge.lag,
            score=score,
            status=status,
            pressure=pressure,
            contribution=edge.share * pressure * edge.strength,
            impact=factor * edge.share * edge.strength * pressure,
            link=edge,
            note="feedback loop: already on this path, not expanded again",
        )

    def _name(self, node: str) -> str:
        return str(self.ev.scorecard.strategy_map.graph.nodes[node].get("name") or node)


def _rank(tree: CauseTree) -> tuple[float, str]:
    # Largest contribution first; unknown contributions last; ties by id, so the ranking
    # never depends on the order the definition lists nodes or links in.
    c = tree.contribution
    return (math.inf if math.isnan(c) else -c, tree.node)


def root_causes(
    evaluation: Evaluation,
    node: str,
    *,
    org_unit: str | None = None,
    period: str | None = None,
    evidence: Evidence = None,
    max_depth: int = 4,
) -> CauseTree:
    """The drivers that explain ``node``'s score, walked upstream and ranked.

    From ``node`` (an objective or an indicator), the explaining edges are followed
    upstream: an objective's indicators (``measures``; share = the indicator's effective
    weight) and the causal links into the node (``causes``; share = link weight over the
    weights of all causal links into it). A driver linked with lag ``L`` is judged ``L``
    periods earlier; lags add up along a path, and a driver whose period falls before the
    first evaluated period is listed, unjudged, with a note. Each driver's contribution is
    ``share * pressure * strength`` (see the module notes for ``pressure`` and the sign
    convention); children are ranked by it, largest first, ties by id. A node already on
    the path (a feedback loop) is judged but not expanded again.

    Parameters
    ----------
    evaluation
        The evaluation (read only).
    node
        An objective or indicator id.
    org_unit, period
        Where and when to start (default: the top unit, the focus period). Drivers are
        judged in the same org unit.
    evidence
        Strength of each causal link in [0, 1]: a mapping ``{(cause, effect): strength}``
        or a frame with ``cause``, ``effect`` and ``strength`` columns (the output of
        :func:`~balanced_scorecard.algorithms.evidence.link_evidence`). Links not listed,
        and NaN strengths (untested links), count 1.0.
    max_depth
        How many edges deep to walk (1: only the immediate drivers).

    Returns
    -------
    CauseTree
        The root and, below it, its drivers; ``str()`` for text, ``to_frame()`` for one
        row per edge.

    Raises
    ------
    UnknownNodeError
        For an unknown node, org unit or period (with a did-you-mean).
    ModelError
        For a perspective or the scorecard as ``node``, ``max_depth < 1`` or an evidence
        strength outside [0, 1].

    Examples
    --------
    >>> from balanced_scorecard.algorithms.significance import _example_evaluation
    >>> ev = _example_evaluation()
    >>> tree = root_causes(ev, "grow", max_depth=2)
    >>> print(tree)  # doctest: +NORMALIZE_WHITESPACE
    Root causes of grow · org unit all · period 2025-04 · score 0.32 (red)
      - revenue [measures] · 2025-04 · score 0.00 (red) · contribution 0.50 · impact 0.50
      - delight [causes, lag 1] · 2025-03 · score 0.44 (amber) · contribution 0.42
        · impact 0.42
        - quality [causes] · 2025-03 · score 0.20 (red) · contribution 0.80 · impact 0.60
          · depth limit 2 reached
        - nps [measures] · 2025-03 · score 0.44 (amber) · contribution 0.56 · impact 0.42
      - margin [measures] · 2025-04 · score 0.65 (amber) · contribution 0.18 · impact 0.18
      - efficiency [causes] · 2025-04 · score 0.63 (amber) · contribution 0.09 · impact 0.09
        - skills [causes, lag 1] · 2025-03 · score 0.46 (amber) · contribution 0.54
          · impact 0.14 · depth limit 2 reached
        - cost [measures] · 2025-04 · score 0.63 (amber) · contribution 0.37 · impact 0.09
    >>> frame = tree.to_frame().sort_values("impact", ascending=False)
    >>> frame[["path", "contribution", "impact"]].head(3).round(3)
                             path  contribution  impact
    2  grow <- delight <- quality         0.800   0.600
    0             grow <- revenue         0.500   0.500
    1             grow <- delight         0.417   0.417
    """
    ev = evaluation
    level, _ = ev.locate(node)
    if level.kind not in ("objective", "indicator"):
        below = (
            [n for n, _, d in ev.scorecard.strategy_map.graph.in_edges(node, data=True)]
            if level.kind == "perspective"
            else list(ev.perspectives.ids)
        )
        raise ModelError(
            f"root causes start from an objective or an indicator; {node!r} is a "
            f"{level.kind}: start from one of {', '.join(below[:8]) or 'its objectives'}"
        )
    if not isinstance(max_depth, int) or max_depth < 1:
        raise ModelError(f"max_depth={max_depth!r} must be a whole number >= 1")
    u = ev.unit_index(org_unit)
    p = ev.period_index(period)
    walk = _Walk(ev=ev, u=u, root_p=p, strengths=_strengths(evidence), max_depth=max_depth)
    tree = walk.grow(
        node, p=p, lag=0, orient=1, factor=1.0, path=frozenset({node}), depth=0, link=None
    )
    parts = formula_attribution(ev, node, org_unit=ev.units[u], period=ev.period_labels[p])
    if parts is None or not np.isfinite(parts.to_numpy(dtype=np.float64)).all():
        return tree
    return attrs.evolve(tree, attribution=tuple((str(k), float(v)) for k, v in parts.items()))


def formula_attribution(
    evaluation: Evaluation,
    node: str,
    *,
    org_unit: str | None = None,
    period: str | None = None,
    base_period: str | None = None,
) -> pd.Series | None:
    """The change of a calculated indicator attributed to its formula's inputs.

    A driver tree written as a formula (operating margin, ROIC = margin × turnover) is
    attributed with Shapley values
    (:func:`~balanced_scorecard.analytics.variance.attribute_formula_change`): the parts add
    up exactly to the change between ``base_period`` (default: the period before) and
    ``period``. ``None`` when ``node`` is not calculated or there is no earlier period.
    """
    from balanced_scorecard.analytics.variance import attribute_formula_change
    from balanced_scorecard.formulas import parse_formula

    ev = evaluation
    ind = ev.scorecard.indicator(node) if node in ev.indicators.ids else None
    if ind is None or not ind.formula:
        return None
    u = ev.unit_index(org_unit)
    p = ev.period_index(period)
    b = p - 1 if base_period is None else ev.period_index(base_period)
    if b < 0:
        return None
    level = ev.indicators
    names = parse_formula(ind.formula).names
    rows = [level.ids.index(n) for n in names]
    before = {n: float(level.actual[k, u, b]) for n, k in zip(names, rows, strict=True)}
    after = {n: float(level.actual[k, u, p]) for n, k in zip(names, rows, strict=True)}
    return attribute_formula_change(ind.formula, before, after)
