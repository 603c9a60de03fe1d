"""Significance tiers and exception-based reporting: which deviations deserve an executive.

Sits in the *analyse* step of the data flow, after scoring and rollup. :func:`significance`
gives every (indicator, org unit, period) cell of an :class:`~balanced_scorecard.Evaluation`
a tier, ``executive`` or ``operational``, from five rules that each say when they fire:

* ``declared-strategic``: the indicator is declared ``tier: strategic``;
* ``reach>=R``: its :func:`reach` (the share of the top outcomes that depends on it) is at
  least ``R``;
* ``deviation>=D``: it is at least ``D`` (a fraction) off its target;
* ``persistent>=N-periods``: it has been in the lowest status for ``N`` periods in a row;
* ``special-cause-<rule>``: a control-chart run rule flags the value while it is off target.

A cell is ``executive`` when any rule fires. :func:`executive_exceptions` keeps, of the
evaluation's exceptions (red or worsening indicators), those for one audience, ranked, each
with its owner, persistence and a one-line why. All the per-cell work is numpy over the whole
``(indicator, org unit, period)`` cube; only :func:`reach` walks the strategy map, once per
node.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import attrs
import networkx as nx
import numpy as np
import pandas as pd

from balanced_scorecard._suggest import did_you_mean
from balanced_scorecard.analytics._spc_rules import resolve_rules
from balanced_scorecard.exceptions import ModelError, UnknownNodeError
from balanced_scorecard.model.enums import Tier

if TYPE_CHECKING:
    from balanced_scorecard.model.scorecard import Scorecard
    from balanced_scorecard.results import Evaluation

__all__ = [
    "AUDIENCES",
    "SIGNIFICANCE_COLUMNS",
    "TIERS",
    "SignificanceThresholds",
    "deviation",
    "executive_exceptions",
    "persistence",
    "reach",
    "significance",
]

#: The tiers, least significant first (the categories of the ``tier`` column).
TIERS = ("operational", "executive")
#: Who :func:`executive_exceptions` reports to.
AUDIENCES = ("executive", "operational", "all")
#: Columns of :func:`significance`, in order.
SIGNIFICANCE_COLUMNS = (
    "indicator",
    "org_unit",
    "period",
    "tier",
    "reach",
    "deviation",
    "persistence",
    "signal",
    "rules",
    "why",
    "score",
    "status",
)

Outcomes = Sequence[str] | Mapping[str, float] | None


def _to_signals(value: object) -> str | tuple[str, ...] | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, Sequence):
        return tuple(str(v) for v in value)
    raise ModelError(f"signals={value!r} must be a rule set name, a list of rule ids or None")


def _check_number(name: str, value: float | None, high: float | None) -> None:
    if value is None:
        return
    if not (math.isfinite(value) and value >= 0 and (high is None or value <= high)):
        span = f"in [0, {high:g}]" if high is not None else ">= 0"
        raise ModelError(f"{name}={value!r} must be a number {span}, or None to switch it off")


def _check_periods(name: str, value: int | None) -> None:
    if value is not None and (not isinstance(value, int) or value < 1):
        raise ModelError(f"{name}={value!r} must be a whole number >= 1")


@attrs.frozen(kw_only=True)
class SignificanceThresholds:
    """When a cell is for the executive. Set a threshold to ``None`` to switch its rule off.

    Parameters
    ----------
    declared
        Whether an indicator declared ``tier: strategic`` is always executive.
    reach
        Minimum :func:`reach` (share of the top outcomes depending on the indicator), in
        [0, 1]. The rule fires only while the value is at least ``tolerance`` off target:
        a far-reaching indicator on target is nobody's exception.
    tolerance
        The smallest deviation the reach rule and the control-chart rules react to
        (0.05 = 5 % off target), >= 0.
    deviation
        Minimum relative deviation from target (0.3 = 30 % off target), >= 0.
    persistence
        Minimum number of consecutive periods in the lowest status.
    signals
        The control-chart rules that count (``"western_electric"``, ``"nelson"`` or rule
        ids such as ``("WE1", "N3")``), or None; a flagged value counts only while it is at
        least ``tolerance`` off target.
    min_points
        Series with fewer values are not judged by the control-chart rules.

    Examples
    --------
    >>> t = SignificanceThresholds(reach=0.5, signals=["WE1"])
    >>> t.reach, t.signal_rules
    (0.5, ('WE1',))
    >>> SignificanceThresholds(persistence=0)
    Traceback (most recent call last):
    ...
    balanced_scorecard.exceptions.ModelError: persistence=0 must be a whole number >= 1
    """

    declared: bool = True
    reach: float | None = 0.25
    deviation: float | None = 0.3
    tolerance: float = 0.05
    persistence: int | None = 3
    signals: str | tuple[str, ...] | None = attrs.field(
        default="western_electric", converter=_to_signals
    )
    min_points: int = 8

    def __attrs_post_init__(self) -> None:
        _check_number("reach", self.reach, 1.0)
        _check_number("deviation", self.deviation, None)
        _check_number("tolerance", self.tolerance, None)
        _check_periods("persistence", self.persistence)
        _check_periods("min_points", self.min_points)
        self.signal_rules  # noqa: B018 - validates the rule names now, not at first use

    @property
    def signal_rules(self) -> tuple[str, ...]:
        """The rule ids that count (empty when signals are switched off)."""
        return () if self.signals is None else resolve_rules(self.signals)


# -- reach: a property of the map, computed once per node ------------------------------------


def _outcome_weights(scorecard: Scorecard, outcomes: Outcomes) -> dict[str, float]:
    if outcomes is None:
        # The top perspective is the first one (perspectives are listed top first) that has
        # objectives; its objectives, by their weights, are the outcomes.
        for p in scorecard.perspectives:
            objectives = scorecard.objectives_of(p.id)
            if objectives:
                raw = {o.id: o.weight.value for o in objectives}
                break
        else:
            return {}
    else:
        raw = (
            {str(k): float(v) for k, v in outcomes.items()}
            if isinstance(outcomes, Mapping)
            else dict.fromkeys((str(o) for o in outcomes), 1.0)
        )
        graph = scorecard.strategy_map.graph
        for node, w in raw.items():
            if node not in graph or graph.nodes[node]["kind"] not in ("objective", "indicator"):
                raise UnknownNodeError(
                    f"outcome {node!r} is not an objective or indicator of the scorecard."
                    + did_you_mean(node, graph.nodes)
                )
            if not (math.isfinite(w) and w >= 0):
                raise ModelError(f"outcome {node!r} has weight {w!r}; weights must be >= 0")
    total = sum(raw.values())
    if total <= 0:
        return {k: 1.0 / len(raw) for k in raw} if raw else {}
    return {k: w / total for k, w in raw.items()}


def _dependence_graph(scorecard: Scorecard) -> nx.DiGraph:
    """Measures and (non-feedback) causal edges, each with its ``share`` of the effect."""
    g = scorecard.strategy_map.graph
    dep = nx.DiGraph()
    dep.add_nodes_from(n for n, kind in g.nodes(data="kind") if kind in ("objective", "indicator"))
    for kind in ("measures", "causes"):
        edges = [
            (u, v, float(d["weight"]))
            for u, v, d in g.edges(data=True)
            if d["kind"] == kind and not d.get("feedback", False)
        ]
        into: dict[str, float] = {}
        for _, v, w in edges:
            into[v] = into.get(v, 0.0) + w
        # Shares are normalised per effect and per kind: an objective is fully measured by
        # its indicators and fully driven by its drivers, two different senses of "depends".
        for u, v, w in edges:
            dep.add_edge(u, v, share=w / into[v] if into[v] > 0 else 0.0)
    # Feedback loops are marked and dropped above; a loop closed through a measures edge
    # (an objective driving its own indicator) is cut so the sum over paths stays finite.
    while not nx.is_directed_acyclic_graph(dep):
        u, v = nx.find_cycle(dep)[-1][:2]
        dep.remove_edge(u, v)
    return dep


def reach(scorecard: Scorecard, *, outcomes: Outcomes = None) -> pd.Series:
    """The share of the top outcomes that depends on each objective and indicator.

    ``reach(x) = sum over outcomes o of w_o * D(x, o)``, capped at 1, where ``w_o`` are the
    outcome weights (normalised to sum to 1) and ``D(x, o)`` sums, over every path from
    ``x`` to ``o`` along ``measures`` and ``causes`` edges, the product of the edges'
    shares. A ``measures`` edge's share is the indicator's declared weight over the weights
    of all indicators of its objective; a ``causes`` edge's share is the link weight over
    the weights of all causal links into the same effect (so scaling every link weight by
    one constant changes nothing). ``D(o, o) = 1``. Feedback links are left out (they
    would count a loop forever); cascades and initiatives do not carry dependence.

    Parameters
    ----------
    scorecard
        The definition (reach is a property of the map, not of the data).
    outcomes
        The top outcomes: objective or indicator ids (equal weights) or ``{id: weight}``.
        Default: the objectives of the top perspective (the first listed that has
        objectives, Financial by default), by their declared weights.

    Returns
    -------
    pandas.Series
        Reach in [0, 1] indexed by node id, objectives then indicators, definition order.

    Examples
    --------
    >>> ev = _example_evaluation()
    >>> reach(ev.scorecard).round(3).to_dict()  # doctest: +NORMALIZE_WHITESPACE
    {'grow': 1.0, 'delight': 0.75, 'quality': 0.75, 'efficiency': 0.25, 'skills': 1.0,
     'revenue': 0.5, 'margin': 0.5, 'nps': 0.75, 'defects': 0.75, 'cost': 0.25,
     'training': 0.75, 'retention': 0.25}
    """
    top = _outcome_weights(scorecard, outcomes)
    dep = _dependence_graph(scorecard)
    value: dict[str, float] = {}
    # Successors first, so each node adds up what its effects already carry.
    for node in reversed(list(nx.topological_sort(dep))):
        value[node] = top.get(node, 0.0) + sum(
            d["share"] * value[v] for _, v, d in dep.out_edges(node, data=True)
        )
    ids = [o.id for o in scorecard.objectives] + [i.id for i in scorecard.indicators]
    out = np.clip(np.array([value.get(n, 0.0) for n in ids], dtype=np.float64), 0.0, 1.0)
    return pd.Series(out, index=pd.Index(ids, dtype=object), name="reach")


# -- per-cell measures, vectorised over the cube ---------------------------------------------


def _goal_score(evaluation: Evaluation) -> float:
    """The score that counts as on target: where the first good status band starts."""
    bands = evaluation.scorecard.status_bands
    good = [b.lower for b in bands if b.is_good]
    goal = min(good) if good else max(b.lower for b in bands)
    return goal if goal > 0 else 1.0


def deviation(evaluation: Evaluation) -> np.ndarray:
    """How far each (indicator, org unit, period) is off target, as a fraction, >= 0.

    With a finite, non-zero target: the relative distance of the actual from the target
    in the bad direction (``(target - actual) / |target|`` for higher-better,
    ``(actual - target) / |target|`` for lower-better; for in-range, the distance below
    ``lower`` over ``|lower|`` or above ``upper`` over ``|upper|``). On target or better
    gives 0. Without such a target: the shortfall of the score from the score where the
    first good status starts (2/3 with the default bands), over that score. NaN where the
    cell has no value.

    Examples
    --------
    >>> ev = _example_evaluation()
    >>> k = ev.indicators.ids.index("revenue")
    >>> deviation(ev)[k, 0].round(3).tolist()  # target 100: actuals 100, 85, 70, 60
    [0.0, 0.15, 0.3, 0.4]
    """
    level = evaluation.indicators
    pol = np.array(
        [evaluation.scorecard.indicator(i).polarity.code for i in level.ids], dtype=np.int64
    )[:, None, None]
    a = level.actual
    t, lo, hi = (level.targets[k] for k in ("target", "lower", "upper"))
    with np.errstate(invalid="ignore", divide="ignore"):
        directional = np.where(pol == 1, t - a, a - t) / np.abs(t)
        outside = np.fmax((lo - a) / np.abs(lo), (a - hi) / np.abs(hi))
        rel = np.where(pol == 0, outside, directional)
        goal = _goal_score(evaluation)
        by_score = np.maximum(goal - level.score, 0.0) / goal
    rel = np.where(np.isfinite(rel), np.maximum(rel, 0.0), np.nan)
    out = np.where(np.isfinite(rel), rel, by_score)
    return np.where(np.isnan(a) & np.isnan(level.score), np.nan, out)


def persistence(status: np.ndarray) -> np.ndarray:
    """Consecutive periods, up to and including each one, in the lowest status (code 0).

    A period without a status (code -1) breaks the run. Time is the last axis.

    Examples
    --------
    >>> persistence(np.array([0, 0, 1, 0, 0, 0, -1, 0])).tolist()
    [1, 2, 0, 1, 2, 3, 0, 1]
    """
    status = np.asarray(status)
    worst = status == 0
    idx = np.broadcast_to(np.arange(status.shape[-1]), status.shape)
    # The last period that was not in the lowest status, carried forward.
    last_break = np.maximum.accumulate(np.where(worst, -1, idx), axis=-1)
    return np.where(worst, idx - last_break, 0).astype(np.int64)


def _bits_to_text(codes: np.ndarray, names: Sequence[str], sep: str = ",") -> np.ndarray:
    """Bitmask codes to the names of their set bits, joined (once per distinct code)."""
    distinct, inverse = np.unique(codes, return_inverse=True)
    text = [sep.join(n for b, n in enumerate(names) if int(c) >> b & 1) for c in distinct]
    return np.asarray(text, dtype=object)[inverse.reshape(codes.shape)]


def _select(
    evaluation: Evaluation, period: str | bool | None, org_unit: str | None
) -> tuple[np.ndarray, np.ndarray]:
    p_sel = (
        np.arange(len(evaluation.period_labels))
        if period is False
        else np.array([evaluation.period_index(period if isinstance(period, str) else None)])
    )
    u_sel = (
        np.arange(len(evaluation.units))
        if org_unit is None
        else np.array([evaluation.unit_index(org_unit)])
    )
    return p_sel, u_sel


def significance(
    evaluation: Evaluation,
    *,
    period: str | bool | None = False,
    org_unit: str | None = None,
    thresholds: SignificanceThresholds | None = None,
    outcomes: Outcomes = None,
) -> pd.DataFrame:
    """The significance tier of every (indicator, org unit, period), with the rules that
    fired and why.

    Parameters
    ----------
    evaluation
        The evaluation to judge (read only).
    period
        ``False`` (default): every evaluated period; ``None``: the focus period; or a label.
        Persistence and control-chart signals always use the whole evaluated history.
    org_unit
        One org unit, or ``None`` for every unit of the evaluation.
    thresholds
        When a cell is executive; default :class:`SignificanceThresholds` ``()``.
    outcomes
        The top outcomes :func:`reach` is measured against (default: the top perspective).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`SIGNIFICANCE_COLUMNS`: ``tier`` (``executive`` or ``operational``),
        ``reach``, ``deviation`` (see :func:`deviation`), ``persistence`` (see
        :func:`persistence`), ``signal`` (the control-chart rules flagging the value, counted
        or not), ``rules`` (the rules that fired, comma-separated; empty for operational),
        ``why`` (one line), ``score`` and ``status``.

    Examples
    --------
    >>> ev = _example_evaluation()
    >>> sig = significance(ev, period=None)
    >>> for row in sig.itertuples():
    ...     print(row.indicator, row.tier, row.rules or "-")
    revenue executive declared-strategic,reach>=0.25,deviation>=0.3
    margin operational -
    nps executive reach>=0.25,deviation>=0.3
    defects executive reach>=0.25,deviation>=0.3,persistent>=3-periods
    cost operational -
    training executive reach>=0.25
    retention operational -
    >>> print(sig["why"].iloc[0])
    executive: declared strategic; reach 0.50 of the top outcomes; 40% off target
    """
    thr = thresholds if thresholds is not None else SignificanceThresholds()
    ev = evaluation
    level = ev.indicators
    sc = ev.scorecard
    n_k, n_u, n_p = level.score.shape
    p_sel, u_sel = _select(ev, period, org_unit)

    declared = np.array([sc.indicator(i).tier is Tier.STRATEGIC for i in level.ids], dtype=bool)
    reach_k = reach(sc, outcomes=outcomes).reindex(list(level.ids)).fillna(0.0).to_numpy()
    dev = deviation(ev)
    pers = persistence(level.status)
    rule_ids = thr.signal_rules
    if rule_ids and n_p:
        from balanced_scorecard.analytics.signals import special_causes

        flags, _, _, _ = special_causes(level.actual, rules=rule_ids, min_points=thr.min_points)
    else:
        flags = np.zeros((n_k, n_u, n_p, 0), dtype=bool)

    ix = np.ix_(np.arange(n_k), u_sel, p_sel)
    dev, pers, flags = dev[ix], pers[ix], flags[ix]
    shape = dev.shape
    off_target = np.nan_to_num(dev, nan=-1.0) >= max(thr.tolerance, np.finfo(float).tiny)
    weights = 1 << np.arange(len(rule_ids), dtype=np.int64)
    sig_code = (flags.astype(np.int64) * weights).sum(axis=-1)

    fired = [
        np.broadcast_to(declared[:, None, None] & thr.declared, shape),
        (reach_k >= thr.reach)[:, None, None] & off_target
        if thr.reach is not None
        else np.zeros(shape, dtype=bool),
        (np.nan_to_num(dev, nan=-1.0) >= max(thr.deviation, np.finfo(float).tiny))
        if thr.deviation is not None
        else np.zeros(shape, dtype=bool),
        pers >= thr.persistence if thr.persistence is not None else np.zeros(shape, dtype=bool),
    ]
    code = np.zeros(shape, dtype=np.int64)
    for bit, hit in enumerate(fired):
        code |= hit.astype(np.int64) << bit
    # A special cause escalates only while the value is off target (by the tolerance).
    code |= np.where(off_target, sig_code, 0) << len(fired)
    rule_names = [
        "declared-strategic",
        f"reach>={thr.reach:g}" if thr.reach is not None else "",
        f"deviation>={thr.deviation:g}" if thr.deviation is not None else "",
        f"persistent>={thr.persistence}-periods" if thr.persistence is not None else "",
        *(f"special-cause-{r}" for r in rule_ids),
    ]
    executive = code != 0

    reach_cell = np.broadcast_to(reach_k[:, None, None], shape)
    why = _why(
        ev,
        fired=[f.reshape(-1) for f in fired],
        signal_fired=(np.where(off_target, sig_code, 0) != 0).reshape(-1),
        signal_text=_bits_to_text(sig_code, rule_ids).reshape(-1),
        executive=executive.reshape(-1),
        reach_k=reach_k,
        k_codes=np.repeat(np.arange(n_k), len(u_sel) * len(p_sel)),
        dev=dev.reshape(-1),
        pers=pers.reshape(-1),
    )
    k_codes = np.repeat(np.arange(n_k), len(u_sel) * len(p_sel))
    return pd.DataFrame(
        {
            "indicator": _categorical(k_codes, level.ids),
            "org_unit": _categorical(np.tile(np.repeat(u_sel, len(p_sel)), n_k), ev.units),
            "period": _categorical(np.tile(p_sel, n_k * len(u_sel)), ev.period_labels),
            "tier": _categorical(executive.reshape(-1).astype(np.int64), TIERS),
            "reach": reach_cell.reshape(-1),
            "deviation": dev.reshape(-1),
            "persistence": pers.reshape(-1),
            "signal": _bits_to_text(sig_code, rule_ids).reshape(-1),
            "rules": _bits_to_text(code, rule_names).reshape(-1),
            "why": why,
            "score": level.score[ix].reshape(-1),
            "status": _categorical(level.status[ix].reshape(-1), ev.status_names),
        }
    )


def _categorical(codes: np.ndarray, categories: Sequence[str]) -> pd.Categorical:
    return pd.Categorical.from_codes(
        np.asarray(codes, dtype=np.int64), categories=pd.Index(list(categories), dtype=object)
    )


def _why(
    ev: Evaluation,
    *,
    fired: list[np.ndarray],
    signal_fired: np.ndarray,
    signal_text: np.ndarray,
    executive: np.ndarray,
    reach_k: np.ndarray,
    k_codes: np.ndarray,
    dev: np.ndarray,
    pers: np.ndarray,
) -> np.ndarray:
    """One line per cell, assembled column-wise (the numbers are formatted per distinct
    indicator or as integers, never with a Python loop per cell)."""
    n = len(executive)
    empty = np.full(n, "", dtype=object)
    reach_text = np.asarray([f"{r:.2f}" for r in reach_k], dtype=object)[k_codes]
    has_dev = np.isfinite(dev)
    pct = np.where(has_dev, np.rint(np.nan_to_num(dev) * 100), 0).astype(np.int64).astype(str)
    pct = pct.astype(object)
    worst = ev.status_names[0] if ev.status_names else "lowest status"
    run = pers.astype(str).astype(object)
    plural = np.where(pers == 1, " period", " periods in a row").astype(object)

    def piece(mask: np.ndarray, text: np.ndarray | str) -> np.ndarray:
        return np.where(mask, "; " + np.asarray(text, dtype=object), empty)

    declared, by_reach, by_dev, by_pers = fired
    reasons = (
        piece(declared, "declared strategic")
        + piece(by_reach, "reach " + reach_text + " of the top outcomes")
        + piece(by_dev, pct + "% off target")
        + piece(by_pers, worst + " for " + run + plural)
        + piece(signal_fired, "special cause (" + signal_text + ")")
    )
    context = (
        "reach "
        + reach_text
        + np.where(has_dev & (np.nan_to_num(dev) > 0), ", " + pct + "% off target", empty)
        + np.where(~has_dev, ", no value", empty)
        + np.where(pers > 0, ", " + worst + " for " + run + plural, empty)
    )
    text = np.where(
        executive,
        "executive: " + pd.Series(reasons, dtype=object).str[2:].to_numpy(dtype=object),
        "operational: " + context + "; no escalation rule fired",
    )
    return np.asarray(text, dtype=object)


# -- exceptions for an audience --------------------------------------------------------------


def executive_exceptions(
    evaluation: Evaluation,
    *,
    audience: str = "executive",
    period: str | None = None,
    org_unit: str | None = None,
    thresholds: SignificanceThresholds | None = None,
    include_worsening: bool = True,
    outcomes: Outcomes = None,
) -> pd.DataFrame:
    """The exceptions (red or worsening indicators) that one audience should see, ranked.

    Builds on :meth:`Evaluation.exceptions <balanced_scorecard.Evaluation.exceptions>` and
    keeps its columns, adding ``tier``, ``reach``, ``deviation``, ``persistence``,
    ``rules`` and ``why`` from :func:`significance`. Ranked by status (lowest first), then
    by ``reach * deviation`` (largest first), then by persistence (longest first).

    Parameters
    ----------
    evaluation
        The evaluation (read only).
    audience
        ``"executive"`` (only executive-tier cells), ``"operational"`` (only the rest) or
        ``"all"``.
    period, org_unit
        The period (default: the focus period) and one org unit (default: every unit).
    thresholds, outcomes
        As for :func:`significance`.
    include_worsening
        Also report indicators that are not red but worsening.

    Returns
    -------
    pandas.DataFrame
        One row per exception, most significant first.

    Examples
    --------
    >>> ev = _example_evaluation()
    >>> top = executive_exceptions(ev)
    >>> top[["node", "status", "persistence", "owner"]]
          node status  persistence  owner
    0  defects    red            3  Quinn
    1  revenue    red            2   Ruth
    2      nps  amber            0
    >>> print(top["why"].iloc[0])
    executive: reach 0.75 of the top outcomes; 160% off target; red for 3 periods in a row
    """
    if audience not in AUDIENCES:
        raise ModelError(
            f"audience={audience!r} is not one of {', '.join(AUDIENCES)}."
            + did_you_mean(str(audience), AUDIENCES)
        )
    ev = evaluation
    label = ev.period_labels[ev.period_index(period)]
    if org_unit is not None:
        ev.unit_index(org_unit)
    rows = ev.exceptions(period=label, org_unit=org_unit, include_worsening=include_worsening)
    sig = significance(
        ev, period=label, org_unit=org_unit, thresholds=thresholds, outcomes=outcomes
    )
    added = ["tier", "reach", "deviation", "persistence", "rules", "why"]
    right = sig[["indicator", "org_unit", *added]].astype({"indicator": str, "org_unit": str})
    left = rows.assign(_node=rows["node"].astype(str), _unit=rows["org_unit"].astype(str))
    out = left.merge(
        right, how="left", left_on=["_node", "_unit"], right_on=["indicator", "org_unit"]
    )
    out = out.drop(columns=["_node", "_unit", "indicator", "org_unit_y"]).rename(
        columns={"org_unit_x": "org_unit"}
    )
    if audience != "all":
        out = out[out["tier"].astype(str) == audience]
    status_code = pd.Categorical(out["status"], categories=list(ev.status_names)).codes
    out = out.assign(
        _status=np.where(status_code < 0, len(ev.status_names), status_code),
        _weight=-(out["reach"] * out["deviation"]).fillna(-np.inf).to_numpy(),
        _run=-out["persistence"].to_numpy(),
    )
    out = out.sort_values(["_status", "_weight", "_run"], kind="stable")
    return out.drop(columns=["_status", "_weight", "_run"]).reset_index(drop=True)


def _example_evaluation() -> Evaluation:
    """A five-objective map over four months, for the examples and the docs.

    Financial ``grow`` is driven by ``delight`` (link weight 3, lag 1) and ``efficiency``
    (weight 1); ``quality`` drives ``delight``; ``skills`` drives ``quality`` (lag 1) and
    ``efficiency`` (lag 1). Revenue falls to 60 against a target of 100; defects climb.
    """
    from balanced_scorecard.model import (
        Assignment,
        CausalLink,
        Indicator,
        Objective,
        Scorecard,
        Thresholds,
    )

    def ind(i: str, objective: str, target: float, red: float, **kw: object) -> Indicator:
        return Indicator(
            id=i,
            objective=objective,
            thresholds=Thresholds(target=target, red_flag=red),
            **kw,  # type: ignore[arg-type]
        )

    sc = Scorecard(
        id="acme",
        objectives=[
            Objective(id="grow", perspective="financial"),
            Objective(id="delight", perspective="customer"),
            Objective(id="quality", perspective="internal_process"),
            Objective(id="efficiency", perspective="internal_process"),
            Objective(id="skills", perspective="learning_growth"),
        ],
        indicators=[
            ind("revenue", "grow", 100, 80, tier="strategic"),
            ind("margin", "grow", 20, 10),
            ind("nps", "delight", 50, 20),
            ind("defects", "quality", 5, 10, polarity="lower_better"),
            ind("cost", "efficiency", 10, 14, polarity="lower_better"),
            ind("training", "skills", 10, 5, weight=3),
            ind("retention", "skills", 90, 80),
        ],
        links=[
            CausalLink(cause="delight", effect="grow", weight=3, lag=1),
            CausalLink(cause="efficiency", effect="grow", weight=1),
            CausalLink(cause="quality", effect="delight", weight=1),
            CausalLink(cause="skills", effect="quality", weight=1, lag=1),
            CausalLink(cause="skills", effect="efficiency", weight=1, lag=1),
        ],
        assignments=[
            Assignment(node="revenue", person="Ruth", role="owner"),
            Assignment(node="defects", person="Quinn", role="owner"),
        ],
    )
    values: dict[str, list[float]] = {
        "revenue": [100, 85, 70, 60],
        "margin": [20, 19.5, 19.5, 19.5],
        "nps": [50, 45, 30, 25],
        "defects": [5, 11, 12, 13],
        "cost": [10, 10, 10.4, 10.4],
        "training": [10, 6, 6, 8],
        "retention": [90, 90, 89, 90],
    }
    periods = ["2025-01", "2025-02", "2025-03", "2025-04"]
    obs = pd.DataFrame(
        [
            (i, "all", p, float(v))
            for i, vs in values.items()
            for p, v in zip(periods, vs, strict=True)
        ],
        columns=["indicator", "org_unit", "period", "value"],
    )
    return sc.evaluate(obs)
