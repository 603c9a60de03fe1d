"""Target conflicts in a cascade: targets resolved per (org unit, indicator, period) for every
target set, and the ``targets-do-not-add-up``, ``ratio-target-unreachable`` and
``target-below-baseline`` rules.

:func:`target_views` resolves targets exactly as an evaluation does
(:func:`~balanced_scorecard.data.target_panels.target_panels`); the rules compare the panels
vectorised and loop only over findings. Part of
:mod:`~balanced_scorecard.algorithms.alignment`, which re-exports the rules and resolves the
views once when it runs several of them.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, cast

import attrs
import numpy as np
import numpy.typing as npt

from balanced_scorecard.algorithms._cascade import indicator_units
from balanced_scorecard.algorithms._finding_text import finding, names
from balanced_scorecard.algorithms.findings import Finding, Severity
from balanced_scorecard.data.periods import parse_periods, period_labels
from balanced_scorecard.data.target_panels import target_panels
from balanced_scorecard.exceptions import ModelError
from balanced_scorecard.model.enums import OrgAggregation
from balanced_scorecard.model.targets import Thresholds

if TYPE_CHECKING:
    from balanced_scorecard.model.indicators import Indicator
    from balanced_scorecard.model.periods import FiscalCalendar
    from balanced_scorecard.model.scorecard import Scorecard
    from balanced_scorecard.model.targets import TargetSet

__all__ = [
    "DEFAULT_TOLERANCE",
    "TargetView",
    "adds_up",
    "below_baseline",
    "check_tolerance",
    "ratio_target_unreachable",
    "target_below_baseline",
    "target_views",
    "targets_do_not_add_up",
    "unreachable",
]

_Floats = npt.NDArray[np.float64]
_Bools = npt.NDArray[np.bool_]
_Ints = npt.NDArray[np.int64]

#: Org aggregations whose parent value is a weighted average of its children's values.
_AVERAGING = (OrgAggregation.MEAN, OrgAggregation.WEIGHTED_MEAN, OrgAggregation.RATIO_OF_SUMS)
DEFAULT_TOLERANCE = 1e-9


def _num(x: float) -> str:
    # Rounding hides float noise (0.1 + 0.2) without hiding a real miss. Unlike
    # _finding_text.number this groups thousands (1,000): targets are often amounts.
    return format(round(float(x), 9), ",.10g")


def check_tolerance(tolerance: float) -> None:
    if not (isinstance(tolerance, int | float) and math.isfinite(tolerance) and tolerance >= 0):
        raise ModelError(
            f"tolerance={tolerance!r} must be a finite relative gap >= 0, e.g. 0.01 to accept "
            "children's targets within 1 % of the parent's"
        )


@attrs.frozen(kw_only=True)
class _Declared:
    """What :func:`target_panels` reads of a scorecard, with the thresholds left out."""

    indicators: tuple[Indicator, ...]
    calendar: FiscalCalendar | None


@attrs.frozen(kw_only=True)
class TargetView:
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


def target_views(scorecard: Scorecard) -> Iterator[TargetView]:
    chart = scorecard.org_chart
    units = chart.ids
    pos = {u: k for k, u in enumerate(units)}
    parent = np.array([-1 if u.parent is None else pos[u.parent] for u in chart], dtype=np.int64)
    depth = np.array([chart.depth(u) for u in units], dtype=np.int64)
    scope = np.zeros((len(units), len(scorecard.indicators)), dtype=bool)
    unit_of = indicator_units(scorecard)
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
        yield TargetView(
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
    view: TargetView, t: _Floats, parent: int, i: int, p: int
) -> tuple[str, list[str]]:
    kids = np.flatnonzero(view.parent == parent)
    vals = t[kids, i, p]
    shown = ", ".join(
        f"{view.units[k]!r} {_num(v)}" for k, v in zip(kids, vals, strict=True) if not np.isnan(v)
    )
    missing = [view.units[k] for k, v in zip(kids, vals, strict=True) if np.isnan(v)]
    return shown, missing


def adds_up(scorecard: Scorecard, views: Sequence[TargetView], tolerance: float) -> list[Finding]:
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
                    message += f"; {names(missing)} ha{'s' if len(missing) == 1 else 've'} no "
                    message += "target in the set and {} not counted".format(
                        "is" if len(missing) == 1 else "are"
                    )
                out.append(
                    finding(
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


def _kids(view: TargetView, parent: int) -> list[tuple[str, int]]:
    return [(view.units[k], int(k)) for k in np.flatnonzero(view.parent == parent)]


def unreachable(scorecard: Scorecard, views: Sequence[TargetView]) -> list[Finding]:
    averaging = np.array(
        [i.org_aggregation in _AVERAGING for i in scorecard.indicators], dtype=bool
    )
    direction = np.array([i.polarity.code for i in scorecard.indicators], dtype=np.int64)
    out: list[Finding] = []
    for view in views:
        t = view.target
        _, count, low, high = _children_stats(t, view.parent)
        slack = DEFAULT_TOLERANCE * np.maximum(np.abs(low), np.abs(high))
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
                    finding(
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


def below_baseline(scorecard: Scorecard, views: Sequence[TargetView]) -> list[Finding]:
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
                    finding(
                        "target-below-baseline",
                        f"{view.name}, {_span(view.labels, a, b)}: the target of {ind.id!r} "
                        f"({ind.polarity.value}) is {_num(tv)}, {word} its baseline {_num(bv)}, "
                        f"in {names(units)}; it asks for a result worse than the starting point",
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
    scorecard: Scorecard, *, tolerance: float = DEFAULT_TOLERANCE
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
    check_tolerance(tolerance)
    return adds_up(scorecard, list(target_views(scorecard)), float(tolerance))


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
    return unreachable(scorecard, list(target_views(scorecard)))


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
    return below_baseline(scorecard, list(target_views(scorecard)))
