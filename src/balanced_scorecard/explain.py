"""Explanations: why one node scored what it scored, as data, text and HTML."""

from __future__ import annotations

import html
import math
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np

from balanced_scorecard._uri import hide_password
from balanced_scorecard.algorithms.scoring import bracket
from balanced_scorecard.analytics.signals import series_limits

if TYPE_CHECKING:
    from balanced_scorecard.results import Evaluation

__all__ = ["Child", "Explanation", "explain_node"]


def _fmt(x: float | None, unit: str = "") -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "—"
    text = f"{x:,.0f}" if abs(x) >= 100 else f"{x:,.4g}"
    return f"{text} {unit}".strip() if unit and unit != "dimensionless" else text


@attrs.frozen(kw_only=True)
class Child:
    """One child of a rolled-up node, as it entered the parent's score."""

    node: str
    kind: str
    score: float
    status: str | None
    weight: float
    contribution: float


@attrs.frozen(kw_only=True)
class Explanation:
    """Everything that went into one score. ``str()`` gives text, ``_repr_html_`` HTML."""

    node: str
    kind: str
    name: str
    org_unit: str
    period: str
    score: float
    status: str | None
    actual: float | None = None
    #: For a categorical indicator, the category the actual value stands for.
    category: str | None = None
    unit: str = ""
    polarity: str = ""
    method: str = ""
    params: dict[str, Any] = attrs.field(factory=dict)
    thresholds: dict[str, float | None] = attrs.field(factory=dict)
    bracket: tuple[tuple[str, float, float] | None, tuple[str, float, float] | None] = (None, None)
    raw_score: float | None = None
    clamped: bool = False
    observations: int = 0
    time_aggregation: str = ""
    org_aggregation: str = ""
    org_sources: int = 0
    formula: str | None = None
    inputs: dict[str, float] = attrs.field(factory=dict)
    children: tuple[Child, ...] = ()
    missing_policy: str = ""
    trend: str = ""
    owners: tuple[str, ...] = ()
    #: What adjusters did to the observations behind this value (FX, inflation, events).
    adjustments: tuple[str, ...] = ()
    #: Where the observations behind this value came from: source, input rows, given unit.
    lineage: tuple[str, ...] = ()
    #: When one-time events were taken out: the reported value and score, and the events.
    normalised: str = ""
    #: In a view for a role that may not see this indicator's data: why it is withheld
    #: (its values, inputs and lineage are left out); empty when shown.
    withheld: str = ""

    def as_dict(self) -> dict[str, Any]:
        """Plain data (for JSON)."""
        return attrs.asdict(self)

    def lines(self) -> list[str]:
        """The explanation as lines of text."""
        head = (
            f"{self.kind.capitalize()} {self.node} ({self.name}) · org unit {self.org_unit} · "
            f"period {self.period}"
        )
        out = [head]
        status = self.status or "no status"
        if self.kind == "indicator" and self.withheld:
            out.append(f"  values withheld: {self.withheld}")
            out.append(f"  scored by {self.method} ({self.polarity})")
        elif self.kind == "indicator":
            out.append(
                f"  actual {self.category or _fmt(self.actual, self.unit)} · "
                f"score {_fmt(self.score)} "
                f"({status}) · trend {self.trend or 'unknown'}"
            )
            if self.formula:
                ins = ", ".join(f"{k} = {_fmt(v)}" for k, v in self.inputs.items())
                out.append(f"  calculated: {self.formula} with {ins}")
            elif self.observations or self.org_sources == 0:
                out.append(
                    f"  from {self.observations} observation(s) aggregated over the period by "
                    f"{self.time_aggregation}"
                )
            else:
                out.append(
                    f"  combined from {self.org_sources} org unit value(s) by "
                    f"{self.org_aggregation} (each aggregated over the period by "
                    f"{self.time_aggregation})"
                )
            th = ", ".join(
                f"{k} {_fmt(v, self.unit)}" for k, v in self.thresholds.items() if v is not None
            )
            out.append(f"  scored by {self.method} ({self.polarity}); thresholds: {th or 'none'}")
            lo, hi = self.bracket
            if lo is not None and hi is not None and lo == hi:
                out.append(f"  exactly at {lo[0]} {_fmt(lo[1], self.unit)} (score {lo[2]:.3f})")
            elif lo or hi:
                lo_t = f"{lo[0]} {_fmt(lo[1], self.unit)} (score {lo[2]:.3f})" if lo else "below"
                hi_t = f"{hi[0]} {_fmt(hi[1], self.unit)} (score {hi[2]:.3f})" if hi else "above"
                out.append(f"  between {lo_t} and {hi_t}")
            if self.clamped:
                out.append(f"  raw score {_fmt(self.raw_score)} was clamped to [0, 1]")
            out.extend(f"  source: {line}" for line in self.lineage)
            out.extend(f"  adjusted: {note}" for note in self.adjustments)
            if self.normalised:
                out.append(f"  normalised: {self.normalised}")
        else:
            out.append(
                f"  score {_fmt(self.score)} ({status}) by {self.method}, "
                f"missing children: {self.missing_policy} · trend {self.trend or 'unknown'}"
            )
            for c in self.children:
                out.append(
                    f"    {c.node:<28} score {_fmt(c.score):>6}  weight {_fmt(c.weight):>6}  "
                    f"contribution {_fmt(c.contribution):>6}  {c.status or '—'}"
                )
        if self.owners:
            out.append(f"  owner: {', '.join(self.owners)}")
        return out

    def __str__(self) -> str:
        return "\n".join(self.lines())

    def _repr_html_(self) -> str:
        body = "<br>".join(html.escape(line).replace("  ", "&nbsp;&nbsp;") for line in self.lines())
        return f'<div style="font-family:monospace">{body}</div>'


def _f(x: Any) -> float:
    return float(x)


def _category(params: dict[str, Any], code: float) -> str | None:
    """The label a categorical code stands for (codes index the ``scores`` mapping)."""
    labels = list(params.get("scores", {}))
    if math.isnan(code) or not 0 <= int(code) < len(labels):
        return None
    return str(labels[int(code)])


def _lineage(ev: Evaluation, k: int, u: int, p: int) -> tuple[str, ...]:
    """One line per source: the input rows behind one cell and the unit they came in."""
    obs = ev.observations
    if obs is None or not len(obs.indicator):
        return ()
    mine = (obs.indicator == k) & (obs.org_unit == u) & (obs.period == ev.periods[p])
    if not mine.any():
        return ()
    declared = ev.scorecard.indicators[k].unit
    out = []
    for code in np.unique(obs.source[mine]).tolist():
        rows = mine & (obs.source == code)
        numbers = ", ".join(str(r) for r in obs.row[rows][:10])
        more = " ..." if rows.sum() > 10 else ""
        given = {obs.unit_names[g] for g in np.unique(obs.given_unit[rows]).tolist() if g >= 0}
        converted = sorted(g for g in given if g and g != declared)
        unit = f"; converted from {', '.join(converted)} to {declared}" if converted else ""
        facts = obs.facts[rows]
        name = obs.source_names[code]
        where = _where(ev, name)
        if not np.isnan(facts).all():
            # Values aggregated from raw facts: the facts behind them and the rule.
            rule = _fact_rule(ev, name, ev.scorecard.indicators[k].id)
            how = f", {rule}" if rule else ""
            out.append(f"{name}{where}: {int(np.nansum(facts))} raw fact(s){how}{unit}")
            continue
        out.append(f"{name}{where}, row(s) {numbers}{more}{unit}")
    return tuple(out)


def _where(ev: Evaluation, source: str) -> str:
    """Where a declared source reads from: its URI (password hidden) and table or query."""
    for s in ev.scorecard.sources:
        if s.id == source and s.uri != source:
            options = s.kwargs
            what = ""
            if options.get("table"):
                what = f", table {options['table']}"
            elif options.get("query"):
                what = f", query {' '.join(str(options['query']).split())!r}"
            return f" ({hide_password(s.uri)}{what})"
    return ""


def _fact_rule(ev: Evaluation, source: str, indicator: str) -> str:
    """The mapping rule of ``source`` that computes ``indicator``, as text."""
    for s in ev.scorecard.sources:
        if s.id == source and s.mapping is not None:
            return s.mapping.describe(indicator)
    return ""


def _adjustments(ev: Evaluation, node: str, unit: str, period: str) -> tuple[str, ...]:
    adj = ev.adjustments
    if not len(adj):
        return ()
    mine = adj[(adj["indicator"] == node) & (adj["org_unit"] == unit) & (adj["period"] == period)]
    return tuple(str(n) for n in mine["note"])


def _normalised(ev: Evaluation, node: str, u: int, p: int) -> str:
    """The reported value beside a value normalised for one-time events, and why."""
    if ev.reported is None:
        return ""
    rows = ev.compare_reported(period=ev.period_labels[p])
    rows = rows[(rows["indicator"] == node) & (rows["org_unit"] == ev.units[u])]
    if not len(rows):
        return ""
    r = rows.iloc[0]
    status = r["reported_status"] or "no status"
    why = r["events"] or r["via"]
    return (
        f"reported {_fmt(r['reported'], str(r['unit']))}, score {_fmt(r['reported_score'])} "
        f"({status})" + (f"; {why}" if why else "")
    )


def _as_seen(ev: Evaluation, shown: Explanation) -> Explanation:
    """An indicator's explanation as a view for a role shows it (see ``Evaluation.access``):
    a withheld indicator without inputs, lineage or adjustments; conditions on fields the
    role may not see scrubbed from lineage."""
    view = ev.access
    if view is None:
        return shown
    if shown.node in view.withheld:
        return attrs.evolve(
            shown,
            inputs={},
            lineage=(),
            adjustments=(),
            normalised="",
            observations=0,
            org_sources=0,
            bracket=(None, None),
            category=None,
            withheld=view.reason(shown.node),
        )
    return attrs.evolve(shown, lineage=tuple(view.scrub(line) for line in shown.lineage))


def explain_node(ev: Evaluation, node: str, u: int, p: int) -> Explanation:
    """Build the :class:`Explanation` of ``node`` in org unit ``u`` and period ``p``."""
    from balanced_scorecard.results import IndicatorLevel, NodeLevel

    level, k = ev.locate(node)
    sc = ev.scorecard
    score = _f(level.score[k, u, p])
    code = int(level.status[k, u, p])
    status = None if code < 0 else ev.status_names[code]
    trend = str(level.trend.labels()[k, u, p])
    common: dict[str, Any] = {
        "node": node,
        "kind": level.kind,
        "org_unit": ev.units[u],
        "period": ev.period_labels[p],
        "score": score,
        "status": status,
        "trend": trend,
        "owners": sc.people(node, "owner", ev.units[u]),
    }
    if isinstance(level, IndicatorLevel):
        ind = sc.indicator(node)
        thresholds = {
            f: (None if np.isnan(a[k, u, p]) else _f(a[k, u, p])) for f, a in level.targets.items()
        }
        actual = _f(level.actual[k, u, p])
        method = sc.indicator(node).scoring
        br: tuple[Any, Any] = (None, None)
        from balanced_scorecard.algorithms.scoring import BUILTIN_METHODS

        # The engine that scored the value knows its plugins' methods too.
        methods = ev.engine.plugins.scoring_methods if ev.engine is not None else BUILTIN_METHODS
        sm = methods.get(method.method)
        if sm is not None and not math.isnan(actual):
            row = {
                **{f: (np.nan if v is None else v) for f, v in thresholds.items()},
                "actual": actual,
                "polarity": ind.polarity.code,
                "period_end": None,
            }
            if method.method == "control_limits":
                kw = method.kwargs
                center, sigma = series_limits(
                    level.actual[k, u],
                    baseline=kw.get("baseline"),
                    min_points=int(kw.get("min_points", 8)),
                )
                row["series_center"], row["series_sigma"] = float(center), float(sigma)
            try:
                knots = sm.breakpoints(row, **method.kwargs)
                lo, hi = bracket(knots, actual)
                br = (
                    None if lo is None else (lo.label, lo.value, lo.score),
                    None if hi is None else (hi.label, hi.value, hi.score),
                )
            except (TypeError, ValueError, KeyError):
                br = (None, None)
        inputs: dict[str, float] = {}
        if ind.formula:
            from balanced_scorecard.formulas import parse_formula

            for name in parse_formula(ind.formula).names:
                j = level.ids.index(name)
                inputs[name] = _f(level.actual[j, u, p])
        shown = Explanation(
            **common,
            name=ind.label,
            actual=None if math.isnan(actual) else actual,
            category=_category(ind.scoring.kwargs, actual)
            if method.method == "categorical"
            else None,
            unit=ind.unit,
            polarity=ind.polarity.value,
            method=method.method,
            params=method.kwargs,
            thresholds=thresholds,
            bracket=br,
            raw_score=_f(level.raw_score[k, u, p]),
            clamped=bool(level.clamped[k, u, p]),
            observations=int(level.count[k, u, p]),
            time_aggregation=ind.time_aggregation.value,
            org_aggregation=ind.org_aggregation.value,
            org_sources=int(level.sources[k, u, p]),
            formula=ind.formula,
            inputs=inputs,
            adjustments=_adjustments(ev, node, ev.units[u], ev.period_labels[p]),
            lineage=_lineage(ev, k, u, p),
            normalised=_normalised(ev, node, u, p),
        )
        return _as_seen(ev, shown)
    below: dict[str, IndicatorLevel | NodeLevel] = {
        "objective": ev.indicators,
        "perspective": ev.objectives,
        "scorecard": ev.perspectives,
    }
    children_level = below[level.kind]
    kids = np.flatnonzero(children_level.parent == k)
    children = tuple(
        Child(
            node=children_level.ids[j],
            kind=children_level.kind,
            score=_f(children_level.score[j, u, p]),
            status=None
            if children_level.status[j, u, p] < 0
            else ev.status_names[int(children_level.status[j, u, p])],
            weight=_f(children_level.weight[j, u, p]),
            contribution=_f(children_level.contribution[j, u, p]),
        )
        for j in kids
    )
    if level.kind == "scorecard":
        name, rollup = sc.name or sc.id, sc.rollup
    elif level.kind == "perspective":
        name, rollup = sc.perspective(node).label, sc.perspective(node).rollup
    else:
        name, rollup = sc.objective(node).label, sc.objective(node).rollup
    return Explanation(
        **common,
        name=name,
        method=rollup,
        children=children,
        missing_policy=sc.missing,
    )
