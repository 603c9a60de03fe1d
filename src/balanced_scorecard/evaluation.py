"""The evaluation pipeline: prepared observations in, a frozen :class:`Evaluation` out.

Each step is a function over dense numpy arrays shaped ``(org_unit, indicator, period)``:
time alignment -> org aggregation -> calculated indicators -> targets -> scoring -> rollup ->
trend. Nothing loops per observation, org unit or period; loops run over the few distinct
scoring configurations, rollup levels and tree depths.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from balanced_scorecard.algorithms.aggregation import (
    TIME_AGGREGATIONS,
    aggregate_tree,
    group_values,
)
from balanced_scorecard.algorithms.rollup import ROLLUP_METHODS, rollup
from balanced_scorecard.algorithms.scoring import (
    BUILTIN_METHODS,
    ScoreInputs,
    ScoringMethod,
    clamp_scores,
    status_codes,
)
from balanced_scorecard.algorithms.trend import trend
from balanced_scorecard.analytics.signals import series_limits
from balanced_scorecard.data.observations import PreparedObservations, ratio_scale
from balanced_scorecard.data.periods import (
    bad_period_messages,
    parse_periods,
    period_end_dates,
    period_labels,
)
from balanced_scorecard.data.target_panels import target_panels
from balanced_scorecard.exceptions import DefinitionError, Problem
from balanced_scorecard.formulas import parse_formula
from balanced_scorecard.model.enums import Frequency, OrgAggregation, TimeAggregation
from balanced_scorecard.model.periods import FiscalCalendar
from balanced_scorecard.model.scorecard import Scorecard
from balanced_scorecard.model.targets import THRESHOLD_FIELDS, TargetSet
from balanced_scorecard.model.weights import Weight
from balanced_scorecard.results import Evaluation, IndicatorLevel, NodeLevel
from balanced_scorecard.units import UnitRegistry

__all__ = ["run_pipeline"]


def _time_align(
    prepared: PreparedObservations,
    *,
    n_units: int,
    n_ind: int,
    periods: np.ndarray,
    scorecard: Scorecard,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    p0, n_p = int(periods[0]), len(periods)
    in_range = (prepared.period >= p0) & (prepared.period < p0 + n_p)
    f = prepared.take(in_range) if not in_range.all() else prepared
    # Integer codes into TIME_AGGREGATIONS: comparing strings per row would cost more than
    # the aggregation itself.
    hows = np.array(
        [
            TIME_AGGREGATIONS.index(
                "last" if i.scoring.method == "categorical" else i.time_aggregation.value
            )
            for i in scorecard.indicators
        ],
        dtype=np.int64,
    )
    group = (f.org_unit * n_ind + f.indicator) * n_p + (f.period - p0)
    # Columns nobody filled are left out: each would be validated and scattered for nothing.
    ratio = TIME_AGGREGATIONS.index("ratio_of_sums")
    parts = (ratio in hows) or not (np.isnan(f.numerator).all() and np.isnan(f.denominator).all())
    weighted = (TIME_AGGREGATIONS.index("weighted_mean") in hows) or not (f.weight == 1).all()
    g = group_values(
        group,
        n_units * n_ind * n_p,
        f.value,
        how=hows[f.indicator],
        order=f.order,
        numerator=f.numerator if parts else None,
        denominator=f.denominator if parts else None,
        weight=f.weight if weighted else None,
    )
    shape = (n_units, n_ind, n_p)
    return (
        g.value.reshape(shape),
        g.numerator.reshape(shape),
        g.denominator.reshape(shape),
        g.count.reshape(shape),
    )


def _org_arrays(
    scorecard: Scorecard, units: tuple[str, ...]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    chart = scorecard.org_chart
    pos = {u: k for k, u in enumerate(units)}
    parent = np.array([pos.get(chart.unit(u).parent or "", -1) for u in units], dtype=np.int64)
    depth = np.zeros(len(units), dtype=np.int64)
    # Depth within the evaluated subtree: walk parents level by level (a loop per tree level).
    frontier = parent.copy()
    while (frontier >= 0).any():
        depth += frontier >= 0
        frontier = np.where(frontier >= 0, parent[np.maximum(frontier, 0)], -1)
    weight = np.array([chart.unit(u).weight for u in units], dtype=np.float64)
    return parent, depth, weight


def _calculate(
    scorecard: Scorecard,
    values: np.ndarray,
    notes: list[dict[str, Any]],
    units: tuple[str, ...],
    labels: list[str],
) -> dict[int, str]:
    ids = [i.id for i in scorecard.indicators]
    pos = {i: k for k, i in enumerate(ids)}
    formulas = {
        ind.id: parse_formula(ind.formula, names=ids)
        for ind in scorecard.indicators
        if ind.formula is not None
    }
    deps = nx.DiGraph()
    deps.add_nodes_from(formulas)
    for name, fml in formulas.items():
        deps.add_edges_from((d, name) for d in fml.names)
    texts: dict[int, str] = {}
    for name in nx.topological_sort(deps):
        if name not in formulas:
            continue
        fml = formulas[name]
        k = pos[name]
        res = fml.evaluate({d: values[:, pos[d], :] for d in fml.names})
        values[:, k, :] = res.value
        texts[k] = fml.text
        if res.zero_division.any():
            u_idx, p_idx = np.nonzero(res.zero_division)
            notes.append(
                {
                    "indicator": name,
                    "rule": "division-by-zero",
                    "severity": "warning",
                    "count": len(u_idx),
                    "message": f"formula {fml.text!r} divided by zero in {len(u_idx)} cell(s), "
                    f"e.g. org unit {units[u_idx[0]]!r}, period {labels[p_idx[0]]}; "
                    "those values are missing",
                }
            )
    return texts


def _series_std(values: np.ndarray) -> np.ndarray:
    """Population standard deviation of each (unit, indicator) series over its periods."""
    present = ~np.isnan(values)
    n = present.sum(axis=2, keepdims=True)
    x = np.where(present, values, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = x.sum(axis=2, keepdims=True) / n
        var = (np.where(present, values - mean, 0.0) ** 2).sum(axis=2, keepdims=True) / n
    return np.where(n > 0, np.sqrt(var), np.nan)


def _score(
    scorecard: Scorecard,
    methods: Mapping[str, ScoringMethod],
    values: np.ndarray,
    targets: dict[str, np.ndarray],
    period_end: np.ndarray,
    notes: list[dict[str, Any]],
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    n_u, n_i, n_p = values.shape
    score = np.full(values.shape, np.nan)
    raw_all = np.full(values.shape, np.nan, dtype=np.float32)
    clamped = np.zeros(values.shape, dtype=bool)
    groups: dict[tuple[Any, ...], list[int]] = {}
    for k, ind in enumerate(scorecard.indicators):
        groups.setdefault(
            (ind.scoring.method, ind.scoring.params, ind.scoring.allow_overflow), []
        ).append(k)
    std = (
        _series_std(values)
        if any(
            i.scoring.method not in BUILTIN_METHODS or i.scoring.method == "zscore"
            for i in scorecard.indicators
        )
        else np.full((n_u, n_i, 1), np.nan)
    )
    for (name, _params, overflow), idx in groups.items():
        method = methods[name]
        kwargs = scorecard.indicators[idx[0]].scoring.kwargs
        # A contiguous run of indicators is a slice: a view, where a fancy index would copy.
        sel: slice | np.ndarray = (
            slice(idx[0], idx[-1] + 1)
            if idx == list(range(idx[0], idx[-1] + 1))
            else np.asarray(idx)
        )
        shape = (n_u, len(idx), n_p)
        pol = np.array([scorecard.indicators[k].polarity.code for k in idx], dtype=np.int8)

        def flat(a: np.ndarray, sel: slice | np.ndarray = sel) -> np.ndarray:
            # NaN views of unused fields stay views; real panels become 1-D (a view when
            # the selection is a slice over whole rows).
            if a.strides == (0, 0, 0):
                return np.broadcast_to(a.reshape(-1)[:1], (a[:, sel, :].size,))
            return a[:, sel, :].reshape(-1)

        # Period ends and series spreads cost a panel each: only the methods that read them
        # (and plugin methods, which may) get them.
        extra: dict[str, np.ndarray] = {}
        if name not in BUILTIN_METHODS or name == "expected_path":
            extra["period_end"] = np.broadcast_to(period_end[None, None, :], shape).reshape(-1)
        if name not in BUILTIN_METHODS or name == "zscore":
            extra["series_std"] = np.broadcast_to(std[:, sel, :], shape).reshape(-1)
        if name not in BUILTIN_METHODS or name == "control_limits":
            # Limits of each series' own history, over the phase I window the method asks for.
            own = kwargs if name == "control_limits" else {}
            center, sigma = series_limits(
                values[:, sel, :],
                baseline=own.get("baseline"),
                min_points=int(own.get("min_points", 8)),
            )
            extra["series_center"] = np.broadcast_to(center[..., None], shape).reshape(-1)
            extra["series_sigma"] = np.broadcast_to(sigma[..., None], shape).reshape(-1)
        inputs = ScoreInputs.from_arrays(
            flat(values),
            polarity=np.broadcast_to(pol[None, :, None], shape).reshape(-1),
            **extra,
            **{f: flat(targets[f]) for f in THRESHOLD_FIELDS},
        )
        raw = np.asarray(method.func(inputs, **kwargs), dtype=np.float64).reshape(shape)
        del inputs
        s, c = clamp_scores(raw, allow_overflow=overflow)
        score[:, sel, :] = s
        raw_all[:, sel, :] = raw
        clamped[:, sel, :] = c
        unscored = ~np.isnan(values[:, sel, :]) & np.isnan(s)
        per_ind = unscored.sum(axis=(0, 2))
        for j in np.flatnonzero(per_ind):
            ind = scorecard.indicators[idx[j]]
            if max(ind.weight.values()) == 0 and ind.thresholds.is_empty:
                continue  # a pure formula input: nobody expects it to be scored
            notes.append(
                {
                    "indicator": ind.id,
                    "rule": "unscored",
                    "severity": "warning",
                    "count": int(per_ind[j]),
                    "message": f"{int(per_ind[j])} value(s) of {ind.id!r} have no score: "
                    f"method {name!r} needs {', '.join(method.requires) or 'valid thresholds'}; "
                    "add targets or thresholds (in the right order for the polarity)",
                }
            )
    return score, raw_all, clamped


def _weights(
    weights: list[Weight],
    periods: np.ndarray,
    freq: Frequency,
    *,
    calendar: FiscalCalendar | None = None,
    ids: list[str] | None = None,
) -> np.ndarray:
    out = np.array([w.value for w in weights], dtype=np.float64)[:, None] * np.ones(len(periods))
    for k, w in enumerate(weights):
        for label, value in w.changes:
            ords, bad = parse_periods([label], freq, calendar=calendar)
            if not bad[0]:
                out[k, periods >= ords[0]] = value
            elif calendar is not None:
                # On a fiscal calendar an unreadable change (2026Q1 is ambiguous) is refused,
                # not skipped.
                why = bad_period_messages(pd.Series([label]), bad, freq, calendar=calendar)
                where = ids[k] if ids else str(k)
                message = f"weight change of {where!r}: {why[0]}"
                raise DefinitionError([Problem(path=f"{where}.weight.changes", message=message)])
    return out[:, None, :]


def _rollup_level(
    scores: np.ndarray,
    status: np.ndarray,
    *,
    parent: np.ndarray,
    n_parents: int,
    weights: np.ndarray,
    methods: list[str],
    missing: str,
    plugins: Mapping[str, Any],
    green: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    names = np.array(methods, dtype=object)
    builtin = np.isin(names, ROLLUP_METHODS)
    res = rollup(
        scores,
        parent=np.where(builtin[np.maximum(parent, 0)] & (parent >= 0), parent, -1),
        n_parents=n_parents,
        weights=weights,
        method=np.where(builtin, names, "weighted_mean"),
        missing=missing,
        status=status,
        green=green,
    )
    out, weight, contrib = res.score.copy(), res.weight.copy(), res.contribution.copy()
    for name in set(names[~builtin]):
        parents = np.flatnonzero(names == name)
        remap = np.full(n_parents, -1)
        remap[parents] = np.arange(len(parents))
        child = remap[np.maximum(parent, 0)] >= 0
        func = plugins[name]
        out[parents] = func(
            scores[child],
            weights=np.broadcast_to(weights, scores.shape)[child],
            parent=remap[parent[child]],
            n_parents=len(parents),
        )
        weight[child] = np.nan
        contrib[child] = np.nan
    return out, weight, contrib


def run_pipeline(
    scorecard: Scorecard,
    prepared: PreparedObservations,
    *,
    registry: UnitRegistry,
    scoring_methods: Mapping[str, ScoringMethod],
    rollup_methods: Mapping[str, Any],
    target_set: TargetSet | None,
    units: tuple[str, ...],
    periods: np.ndarray,
    freq: Frequency,
    trend_window: int = 3,
) -> Evaluation:
    """Run every step after validation and return the :class:`Evaluation`."""
    n_u, n_i = len(units), len(scorecard.indicators)
    notes: list[dict[str, Any]] = []
    calendar = scorecard.calendar
    labels = period_labels(periods, freq, calendar=calendar)
    values, num, den, count = _time_align(
        prepared, n_units=n_u, n_ind=n_i, periods=periods, scorecard=scorecard
    )
    observed = count.sum(axis=(0, 2))
    for missing_k in np.flatnonzero(observed == 0).tolist():
        ind = scorecard.indicators[missing_k]
        if not ind.is_calculated:
            notes.append(
                {
                    "indicator": ind.id,
                    "rule": "no-data",
                    "severity": "warning",
                    "count": 0,
                    "message": f"indicator {ind.id!r} has no observations in the evaluated "
                    f"periods ({labels[0]} to {labels[-1]}) and org units; check its source",
                }
            )
    scale = ratio_scale(scorecard, registry)
    ratio_time = np.array(
        [i.time_aggregation is TimeAggregation.RATIO_OF_SUMS for i in scorecard.indicators]
    )
    values = np.where(ratio_time[None, :, None], values * scale[None, :, None], values)
    parent, depth, unit_weight = _org_arrays(scorecard, units)
    ratio_org = np.array(
        [i.org_aggregation is OrgAggregation.RATIO_OF_SUMS for i in scorecard.indicators]
    )
    div = np.where(ratio_org, scale, 1.0)[None, :, None]
    org_how = np.array([i.org_aggregation.value for i in scorecard.indicators], dtype=object)
    parts = bool(ratio_org.any()) or not (np.isnan(num).all() and np.isnan(den).all())
    values, num, den, sources = aggregate_tree(
        values / div,
        parent=parent,
        depth=depth,
        how=org_how,
        numerator=num if parts else None,
        denominator=den if parts else None,
        unit_weight=unit_weight,
        keep_own=True,
    )
    values = values * div
    formulas = _calculate(scorecard, values, notes, units, labels)
    targets = target_panels(
        scorecard, target_set, units=units, periods=periods, freq=freq, parent=parent, depth=depth
    )
    period_end = period_end_dates(periods, freq, calendar=calendar)
    score, raw, clamped = _score(scorecard, scoring_methods, values, targets, period_end, notes)
    bounds = [b.lower for b in scorecard.status_bands]
    green = next((k for k, b in enumerate(scorecard.status_bands) if b.is_good), len(bounds) - 1)
    status = status_codes(score, bounds)

    # Rollup: indicator -> objective -> perspective -> scorecard, children on axis 0.
    obj_pos = {o.id: k for k, o in enumerate(scorecard.objectives)}
    per_pos = {p.id: k for k, p in enumerate(scorecard.perspectives)}
    ind_parent = np.array([obj_pos[i.objective] for i in scorecard.indicators], dtype=np.int64)
    obj_parent = np.array([per_pos[o.perspective] for o in scorecard.objectives], dtype=np.int64)
    per_parent = np.zeros(len(scorecard.perspectives), dtype=np.int64)
    # Indicator-major and contiguous from here on: the rollup, the trend and every frame read
    # one indicator's panel at a time.
    ind_scores = np.ascontiguousarray(score.transpose(1, 0, 2))
    ind_status = np.ascontiguousarray(status.transpose(1, 0, 2))
    del score, status
    child_scores, child_status = ind_scores, ind_status
    specs = [
        (
            "objective",
            scorecard.objectives,
            ind_parent,
            scorecard.indicators,
            [o.rollup for o in scorecard.objectives],
        ),
        (
            "perspective",
            scorecard.perspectives,
            obj_parent,
            scorecard.objectives,
            [p.rollup for p in scorecard.perspectives],
        ),
        ("scorecard", (scorecard,), per_parent, scorecard.perspectives, [scorecard.rollup]),
    ]
    # Per level: (score, status, effective weight and contribution of its children).
    results: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []
    for _kind, nodes, par, children, methods in specs:
        w = _weights(
            [c.weight for c in children],  # type: ignore[attr-defined]
            periods,
            freq,
            calendar=calendar,
            ids=[c.id for c in children],  # type: ignore[attr-defined]
        )
        sc_, weight, contrib = _rollup_level(
            child_scores,
            child_status,
            parent=par,
            n_parents=len(nodes),
            weights=w,
            methods=methods,
            missing=scorecard.missing,
            plugins=rollup_methods,
            green=green,
        )
        child_scores, child_status = sc_, status_codes(sc_, bounds)
        results.append((sc_, child_status, weight, contrib))
    ind_weight, ind_contrib = results[0][2], results[0][3]
    indicator_level = IndicatorLevel(
        ids=tuple(i.id for i in scorecard.indicators),
        parent=ind_parent,
        actual=values.transpose(1, 0, 2),
        numerator=num.transpose(1, 0, 2),
        denominator=den.transpose(1, 0, 2),
        count=count.astype(np.int32).transpose(1, 0, 2),
        sources=sources.astype(np.int32).transpose(1, 0, 2),
        targets={f: targets[f].transpose(1, 0, 2) for f in THRESHOLD_FIELDS},
        score=ind_scores,
        raw_score=raw.transpose(1, 0, 2),
        clamped=clamped.transpose(1, 0, 2),
        status=ind_status,
        trend=trend(ind_scores, window=trend_window),
        weight=ind_weight,
        contribution=ind_contrib,
        formulas=formulas,
    )
    node_levels = []
    for k, (kind, nodes, _par, _children, _methods) in enumerate(specs):
        sc_, st_ = results[k][0], results[k][1]
        up_weight = results[k + 1][2] if k + 1 < len(results) else np.ones_like(sc_)
        up_contrib = results[k + 1][3] if k + 1 < len(results) else sc_
        node_levels.append(
            NodeLevel(
                kind=kind,
                ids=tuple(n.id for n in nodes),  # type: ignore[attr-defined]
                parent=specs[k + 1][2] if k + 1 < len(specs) else np.full(1, -1),
                score=sc_,
                status=st_,
                trend=trend(sc_, window=trend_window),
                weight=up_weight,
                contribution=up_contrib,
            )
        )
    notes_frame = pd.DataFrame(notes, columns=["indicator", "rule", "severity", "count", "message"])
    return Evaluation(
        scorecard=scorecard,
        freq=freq,
        periods=periods,
        period_labels=tuple(labels),
        units=units,
        indicators=indicator_level,
        objectives=node_levels[0],
        perspectives=node_levels[1],
        total=node_levels[2],
        quality=prepared.quality,
        notes=notes_frame,
        target_set=target_set.name if target_set is not None else None,
    )
