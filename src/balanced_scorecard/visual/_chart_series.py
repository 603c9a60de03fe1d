"""What a chart of an evaluation shows, read from its dense arrays: the periods asked for, an
indicator's or node's series with its threshold zones (:class:`Series`), the status colours,
and the control-chart pair.

Shared by the SVG charts (:mod:`~balanced_scorecard.visual.charts`) and the matplotlib
figures (:mod:`~balanced_scorecard.visual.plot`), so both show exactly the same numbers.
Colours of the status bands pass through
:func:`~balanced_scorecard.builtins._report.safe_color`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np
import numpy.typing as npt

from balanced_scorecard.builtins._report import safe_color
from balanced_scorecard.exceptions import ModelError, ObservationError, UnknownNodeError
from balanced_scorecard.model.enums import Polarity
from balanced_scorecard.visual._svg_text import Float, Obj

if TYPE_CHECKING:
    from balanced_scorecard.analytics.spc import ChartPair
    from balanced_scorecard.results import Evaluation

__all__ = [
    "MISSING_COLOR",
    "WITHHELD_COLOR",
    "Series",
    "Zone",
    "by_status",
    "control_pair",
    "indicator_row",
    "palette",
    "period_rows",
    "score_series",
    "series_title",
    "status_text",
    "trend_series",
]

#: Colour of a cell or point without a score.
MISSING_COLOR = "#eeeeee"
#: Colour of a cell withheld from a role's view.
WITHHELD_COLOR = "#bbbbbb"
# Scores of the red flag and the target on the goal / red-flag line: the zones take the
# colours of the bands these scores fall in.
_RED_FLAG_SCORE, _TARGET_SCORE = 1 / 3, 2 / 3


# --- evaluation lookups ------------------------------------------------------------------------


def _band_colors(ev: Evaluation) -> tuple[str, ...]:
    return tuple(safe_color(b.color) for b in ev.scorecard.status_bands)


def _band_at(ev: Evaluation, score: float) -> int:
    """Index of the status band a score falls in (the last whose lower bound it reaches)."""
    lowers = [b.lower for b in ev.scorecard.status_bands]
    hits = [k for k, lo in enumerate(lowers) if lo <= score + 1e-12]
    return hits[-1] if hits else 0


def palette(ev: Evaluation) -> tuple[str, ...]:
    """Colour per status code (bands, then ``withheld`` for a role's view), missing last."""
    colors = list(_band_colors(ev))
    colors += [WITHHELD_COLOR] * (len(ev.status_names) - len(colors))
    return (*colors, MISSING_COLOR)


def by_status(table: npt.NDArray[Any], codes: npt.NDArray[np.int_]) -> npt.NDArray[Any]:
    """``table[code]`` for every status code, the last entry (no score) where it is -1."""
    return table[np.where(codes < 0, len(table) - 1, codes)]


def period_rows(ev: Evaluation, periods: int | Sequence[str] | None) -> npt.NDArray[np.intp]:
    """Period indices: all for None, the last *n* for an int, else those labels in order."""
    n = len(ev.period_labels)
    if periods is None:
        return np.arange(n)
    if isinstance(periods, int | np.integer):
        if periods < 1:
            raise ModelError(f"periods={periods} asks for no period; give 1 or more (or a list)")
        return np.arange(max(0, n - int(periods)), n)
    if isinstance(periods, str):
        periods = [periods]
    idx = sorted({ev.period_index(str(p)) for p in periods})
    if not idx:
        raise ModelError("periods is empty; give period labels, a count, or None for all")
    return np.asarray(idx, dtype=np.intp)


def indicator_row(ev: Evaluation, indicator: str) -> int:
    level, k = ev.locate(indicator)
    if level.kind != "indicator":
        raise UnknownNodeError(
            f"{indicator!r} is a {level.kind}, not an indicator; a trend or control chart "
            "draws an indicator's values (use score_history for its score)"
        )
    return k


def _node_name(ev: Evaluation, node: str) -> str:
    sc = ev.scorecard
    return sc.name or sc.id if node == sc.id else str(sc.node(node).label)


def status_text(ev: Evaluation, codes: npt.NDArray[np.int_]) -> Obj:
    return by_status(np.asarray([*ev.status_names, "no score"], dtype=object), codes)


# --- per-period series: the data a trend or score chart shows --------------------------------


@attrs.frozen(kw_only=True, eq=False)
class Zone:
    """One coloured threshold zone per period: from ``low`` to ``high`` in data units
    (``±inf`` reaches the plot edge, NaN where the zone is undefined in that period)."""

    name: str
    color: str
    low: Float
    high: Float


@attrs.frozen(kw_only=True, eq=False)
class Series:
    """What a trend or score chart draws, one entry per shown period."""

    node: str
    name: str
    org_unit: str
    unit: str
    labels: tuple[str, ...]
    values: Float
    target: Float
    status: npt.NDArray[np.int_]
    colors: tuple[str, ...]
    provisional: npt.NDArray[np.bool_]
    zones: tuple[Zone, ...]
    score: Float

    @property
    def point_colors(self) -> Obj:
        return by_status(np.asarray(self.colors, dtype=object), self.status)


def series_title(ev: Evaluation, s: Series) -> str:
    """``node name · org unit name``, the title of a trend or score chart."""
    return f"{s.name} · {ev.scorecard.org_chart.unit(s.org_unit).label}"


def trend_series(
    ev: Evaluation,
    indicator: str,
    org_unit: str | None,
    periods: int | Sequence[str] | None,
) -> Series:
    k = indicator_row(ev, indicator)
    u = ev.unit_index(org_unit)
    p = period_rows(ev, periods)
    level = ev.indicators
    ind = ev.scorecard.indicator(indicator)
    t = {f: np.asarray(level.targets[f][k, u, p], dtype=np.float64) for f in level.targets}
    target, red = t["target"], t["red_flag"]
    bands = _band_colors(ev)
    red_c, amber_c, green_c = (
        bands[_band_at(ev, s)] for s in (0.0, _RED_FLAG_SCORE, _TARGET_SCORE)
    )
    inf = np.full(p.size, np.inf)
    both = np.isfinite(target) & np.isfinite(red)

    def where(ok: npt.NDArray[np.bool_], v: Float) -> Float:
        return np.where(ok, v, np.nan)

    zones: tuple[Zone, ...]
    if ind.polarity is Polarity.IN_RANGE:
        ok = np.isfinite(t["lower"]) & np.isfinite(t["upper"])
        zones = (Zone(name="green", color=green_c, low=where(ok, t["lower"]), high=t["upper"]),)
    else:
        sign = 1.0 if ind.polarity is Polarity.HIGHER_BETTER else -1.0
        # Zones run from the bad edge (-inf for higher-better, +inf for lower-better) up to
        # the red flag, from the red flag to the target, and from the target to the good edge.
        bad, good = -sign * inf, sign * inf
        has_red, has_target = np.isfinite(red), np.isfinite(target)
        zones = (
            Zone(name="red", color=red_c, low=where(has_red, bad), high=red),
            Zone(name="amber", color=amber_c, low=where(both, red), high=target),
            Zone(name="green", color=green_c, low=where(has_target, target), high=good),
        )
    return Series(
        node=indicator,
        name=ind.label,
        org_unit=ev.units[u],
        unit=ind.unit,
        labels=tuple(ev.period_labels[i] for i in p),
        values=np.asarray(level.actual[k, u, p], dtype=np.float64),
        target=target,
        status=np.asarray(level.status[k, u, p], dtype=np.int64),
        colors=palette(ev),
        provisional=np.isin(np.asarray(ev.period_labels)[p], list(ev.provisional)),
        zones=zones,
        score=np.asarray(level.score[k, u, p], dtype=np.float64),
    )


def score_series(
    ev: Evaluation, node: str | None, org_unit: str | None, periods: int | Sequence[str] | None
) -> Series:
    node = node or ev.scorecard.id
    level, k = ev.locate(node)
    u = ev.unit_index(org_unit)
    p = period_rows(ev, periods)
    score = np.asarray(level.score[k, u, p], dtype=np.float64) * 10.0
    bands = ev.scorecard.status_bands
    colors = _band_colors(ev)
    lowers = [b.lower * 10.0 for b in bands]
    zones = tuple(
        Zone(
            name=b.name,
            color=colors[i],
            low=np.full(p.size, -np.inf if i == 0 else lowers[i]),
            high=np.full(p.size, lowers[i + 1] if i + 1 < len(bands) else np.inf),
        )
        for i, b in enumerate(bands)
    )
    nan = np.full(p.size, np.nan)
    return Series(
        node=node,
        name=_node_name(ev, node),
        org_unit=ev.units[u],
        unit="score (0–10)",
        labels=tuple(ev.period_labels[i] for i in p),
        values=score,
        target=nan,
        status=np.asarray(level.status[k, u, p], dtype=np.int64),
        colors=palette(ev),
        provisional=np.isin(np.asarray(ev.period_labels)[p], list(ev.provisional)),
        zones=zones,
        score=score / 10.0,
    )


# --- control chart -----------------------------------------------------------------------------


def control_pair(
    ev: Evaluation,
    indicator: str,
    org_unit: str | None,
    periods: int | Sequence[str] | None,
    rules: str | Sequence[str],
) -> ChartPair:
    """The I-MR pair of an indicator's present actuals, titled and labelled by period."""
    from balanced_scorecard.analytics.spc import imr_chart

    k = indicator_row(ev, indicator)
    u = ev.unit_index(org_unit)
    p = period_rows(ev, periods)
    series = np.asarray(ev.indicators.actual[k, u, p], dtype=np.float64)
    present = np.isfinite(series)
    if present.sum() < 2:
        raise ObservationError(
            f"indicator {indicator!r} has {int(present.sum())} value(s) in org unit "
            f"{ev.units[u]!r} over the periods asked for; a control chart needs at least 2 "
            "(a moving range spans two values): evaluate more periods"
        )
    labels = np.asarray(ev.period_labels, dtype=object)[p][present]
    pair = imr_chart(series[present], rules=rules)
    name = ev.scorecard.indicator(indicator).label
    location = attrs.evolve(
        pair.location, title=f"{name} ({ev.units[u]}): individuals", labels=labels
    )
    dispersion = attrs.evolve(pair.dispersion, title="moving range", labels=labels)
    return attrs.evolve(pair, location=location, dispersion=dispersion)
