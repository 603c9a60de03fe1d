"""Charts of an evaluation as self-contained SVG text: trend, sparkline, score history, status
heat map and control chart.

Each function reads the evaluation's dense arrays, gathers what the chart shows in a small
private data object (shared with :mod:`balanced_scorecard.visual.plot`, so the matplotlib
figures show exactly the same numbers) and writes the SVG with numpy string operations. Every
user string is escaped, colours of the status bands pass through
:func:`~balanced_scorecard.builtins._report.safe_color`, nothing is fetched at view time, and
the same input always gives byte-identical output.
"""

from __future__ import annotations

import html
import math
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np
import numpy.typing as npt

from balanced_scorecard.builtins._report import format_score, format_value, safe_color
from balanced_scorecard.exceptions import ModelError, ObservationError, UnknownNodeError
from balanced_scorecard.model.enums import Polarity

if TYPE_CHECKING:
    from balanced_scorecard.analytics.spc import ChartPair
    from balanced_scorecard.results import Evaluation

__all__ = [
    "Chart",
    "control_chart",
    "score_history",
    "sparkline",
    "status_heatmap",
    "trend_chart",
]

Float = npt.NDArray[np.float64]
Obj = npt.NDArray[np.object_]

#: Colour of a cell or point without a score.
MISSING_COLOR = "#eeeeee"
#: Colour of a cell withheld from a role's view.
WITHHELD_COLOR = "#bbbbbb"
_LINE = "#1f3b5a"
_FONT = 'font-family="sans-serif"'
_ZONE_OPACITY = "0.22"
_UNIT_SYMBOLS = {"percent": "%", "dimensionless": ""}
# Scores of the red flag and the target on the goal / red-flag line: the zones take the
# colours of the bands these scores fall in.
_RED_FLAG_SCORE, _TARGET_SCORE = 1 / 3, 2 / 3


@attrs.frozen(kw_only=True)
class Chart:
    """A chart as a self-contained SVG document.

    Displays itself in Jupyter (``_repr_svg_``); :meth:`save` writes the ``.svg`` file.

    Attributes
    ----------
    kind
        ``trend``, ``sparkline``, ``score``, ``heatmap`` or ``control``.
    title
        What the chart shows (plain text; escaped inside the SVG).
    svg
        The SVG document.
    width, height
        Its size in pixels.

    Examples
    --------
    >>> chart = sparkline([1.0, 3.0, 2.0])
    >>> chart.kind, chart.width, chart.to_svg().startswith("<svg")
    ('sparkline', 80.0, True)
    """

    kind: str
    title: str
    svg: str = attrs.field(repr=False)
    width: float
    height: float

    def to_svg(self) -> str:
        """The SVG document."""
        return self.svg

    def _repr_svg_(self) -> str:
        return self.svg

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the SVG document (UTF-8) to ``path`` and return the path."""
        out = Path(path)
        out.write_text(self.svg, encoding="utf-8", newline="")
        return out


# --- text helpers ----------------------------------------------------------------------------


def _esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def _num(values: npt.ArrayLike) -> Obj:
    """Coordinates as text with one decimal, element-wise (``-0.0`` written as ``0.0``)."""
    v = np.round(np.asarray(values, dtype=np.float64), 1) + 0.0
    return np.asarray(np.char.mod("%.1f", v), dtype=object)


def _cat(*parts: Any) -> Obj:
    """Element-wise concatenation of strings and object arrays, broadcast like numpy."""
    out = np.asarray(parts[0], dtype=object)
    for part in parts[1:]:
        out = out + np.asarray(part, dtype=object)
    return out


def _svg(title: str, width: float, height: float, body: Sequence[str]) -> str:
    w, h = f"{width:.0f}", f"{height:.0f}"
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" '
        f'viewBox="0 0 {w} {h}" role="img" aria-label="{_esc(title)}">'
        f"<title>{_esc(title)}</title>" + "".join(body) + "</svg>"
    )


def _unit_symbol(unit: str) -> str:
    return _UNIT_SYMBOLS.get(unit, unit)


# --- evaluation lookups ------------------------------------------------------------------------


def _band_colors(ev: Evaluation) -> tuple[str, ...]:
    return tuple(safe_color(b.color) for b in ev.scorecard.status_bands)


def _band_at(ev: Evaluation, score: float) -> int:
    """Index of the status band a score falls in (the last whose lower bound it reaches)."""
    lowers = [b.lower for b in ev.scorecard.status_bands]
    hits = [k for k, lo in enumerate(lowers) if lo <= score + 1e-12]
    return hits[-1] if hits else 0


def _palette(ev: Evaluation) -> tuple[str, ...]:
    """Colour per status code (bands, then ``withheld`` for a role's view), missing last."""
    colors = list(_band_colors(ev))
    colors += [WITHHELD_COLOR] * (len(ev.status_names) - len(colors))
    return (*colors, MISSING_COLOR)


def _periods(ev: Evaluation, periods: int | Sequence[str] | None) -> npt.NDArray[np.intp]:
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


def _indicator_row(ev: Evaluation, indicator: str) -> int:
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


def _unit_name(ev: Evaluation, unit: str) -> str:
    return ev.scorecard.org_chart.unit(unit).label


def _status_text(ev: Evaluation, codes: npt.NDArray[np.int_]) -> Obj:
    names = np.asarray([*ev.status_names, "no score"], dtype=object)
    return names[np.where(codes < 0, len(names) - 1, codes)]


# --- axes ------------------------------------------------------------------------------------


def _value_range(*arrays: Float) -> tuple[float, float]:
    finite = np.concatenate([a[np.isfinite(a)] for a in arrays])
    if finite.size == 0:
        return 0.0, 1.0
    lo, hi = float(finite.min()), float(finite.max())
    if hi - lo <= 0:
        half = max(abs(lo) * 0.1, 1.0)
        return lo - half, hi + half
    pad = 0.08 * (hi - lo)
    return lo - pad, hi + pad


def _ticks(lo: float, hi: float, count: int = 5) -> tuple[Float, int]:
    """Round tick values inside [lo, hi] and the decimals to write them with."""
    raw = (hi - lo) / count
    power = 10.0 ** math.floor(math.log10(raw))
    step = power * min((m for m in (1.0, 2.0, 2.5, 5.0, 10.0) if m * power >= raw), default=10)
    ticks = np.arange(math.ceil(lo / step), math.floor(hi / step) + 1) * step
    decimals = max(0, -math.floor(math.log10(step) + 1e-9)) + (1 if step / power == 2.5 else 0)
    return ticks.astype(np.float64), decimals


def _x_labels(n: int, width: float) -> npt.NDArray[np.bool_]:
    """Which period labels to write: at most one per 56 px, always the last (focus) one."""
    every = max(1, math.ceil(n / max(1, int(width // 56))))
    return np.asarray((n - 1 - np.arange(n)) % every == 0)


def _line_path(xs: Float, ys: Float) -> str:
    """A polyline that breaks at missing points: a new sub-path after every gap."""
    ok = np.isfinite(ys)
    if not ok.any():
        return ""
    starts = ok & ~np.concatenate([[False], ok[:-1]])
    cmd = np.where(starts, "M", "L").astype(object)
    return "".join(_cat(cmd, _num(xs), ",", _num(ys))[ok].tolist())


# --- per-period series: the data a trend or score chart shows --------------------------------


@attrs.frozen(kw_only=True, eq=False)
class _Zone:
    """One coloured threshold zone per period: from ``low`` to ``high`` in data units
    (``±inf`` reaches the plot edge, NaN where the zone is undefined in that period)."""

    name: str
    color: str
    low: Float
    high: Float


@attrs.frozen(kw_only=True, eq=False)
class _Series:
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
    zones: tuple[_Zone, ...]
    score: Float

    @property
    def point_colors(self) -> Obj:
        palette = np.asarray(self.colors, dtype=object)
        return palette[np.where(self.status < 0, len(palette) - 1, self.status)]


def _trend_series(
    ev: Evaluation,
    indicator: str,
    org_unit: str | None,
    periods: int | Sequence[str] | None,
) -> _Series:
    k = _indicator_row(ev, indicator)
    u = ev.unit_index(org_unit)
    p = _periods(ev, periods)
    level = ev.indicators
    ind = ev.scorecard.indicator(indicator)
    t = {f: np.asarray(level.targets[f][k, u, p], dtype=np.float64) for f in level.targets}
    target, red = t["target"], t["red_flag"]
    bands = _band_colors(ev)
    red_c, amber_c, green_c = (bands[_band_at(ev, s)] for s in (0.0, _RED_FLAG_SCORE, 2 / 3))
    inf = np.full(p.size, np.inf)
    both = np.isfinite(target) & np.isfinite(red)

    def where(ok: npt.NDArray[np.bool_], v: Float) -> Float:
        return np.where(ok, v, np.nan)

    zones: tuple[_Zone, ...]
    if ind.polarity is Polarity.IN_RANGE:
        ok = np.isfinite(t["lower"]) & np.isfinite(t["upper"])
        zones = (_Zone(name="green", color=green_c, low=where(ok, t["lower"]), high=t["upper"]),)
    else:
        sign = 1.0 if ind.polarity is Polarity.HIGHER_BETTER else -1.0
        # Zones run from the bad edge (-inf for higher-better, +inf for lower-better) up to
        # the red flag, from the red flag to the target, and from the target to the good edge.
        bad, good = -sign * inf, sign * inf
        has_red, has_target = np.isfinite(red), np.isfinite(target)
        zones = (
            _Zone(name="red", color=red_c, low=where(has_red, bad), high=red),
            _Zone(name="amber", color=amber_c, low=where(both, red), high=target),
            _Zone(name="green", color=green_c, low=where(has_target, target), high=good),
        )
    return _Series(
        node=indicator,
        name=ind.label,
        org_unit=ev.units[u],
        unit=ind.unit,
        labels=tuple(ev.period_labels[i] for i in p),
        values=np.asarray(level.actual[k, u, p], dtype=np.float64),
        target=target,
        status=np.asarray(level.status[k, u, p], dtype=np.int64),
        colors=_palette(ev),
        provisional=np.isin(np.asarray(ev.period_labels)[p], list(ev.provisional)),
        zones=zones,
        score=np.asarray(level.score[k, u, p], dtype=np.float64),
    )


def _score_series(
    ev: Evaluation, node: str | None, org_unit: str | None, periods: int | Sequence[str] | None
) -> _Series:
    node = node or ev.scorecard.id
    level, k = ev.locate(node)
    u = ev.unit_index(org_unit)
    p = _periods(ev, periods)
    score = np.asarray(level.score[k, u, p], dtype=np.float64) * 10.0
    bands = ev.scorecard.status_bands
    colors = _band_colors(ev)
    lowers = [b.lower * 10.0 for b in bands]
    zones = tuple(
        _Zone(
            name=b.name,
            color=colors[i],
            low=np.full(p.size, -np.inf if i == 0 else lowers[i]),
            high=np.full(p.size, lowers[i + 1] if i + 1 < len(bands) else np.inf),
        )
        for i, b in enumerate(bands)
    )
    nan = np.full(p.size, np.nan)
    return _Series(
        node=node,
        name=_node_name(ev, node),
        org_unit=ev.units[u],
        unit="score (0–10)",
        labels=tuple(ev.period_labels[i] for i in p),
        values=score,
        target=nan,
        status=np.asarray(level.status[k, u, p], dtype=np.int64),
        colors=_palette(ev),
        provisional=np.isin(np.asarray(ev.period_labels)[p], list(ev.provisional)),
        zones=zones,
        score=score / 10.0,
    )


# --- the period chart (trend and score history) ----------------------------------------------

_W, _H = 640.0, 280.0
_LEFT, _RIGHT, _TOP, _BOTTOM = 72.0, 16.0, 44.0, 40.0


def _period_chart(
    s: _Series,
    *,
    kind: str,
    title: str,
    y_range: tuple[float, float],
    tips: Obj,
    breaks: npt.NDArray[np.bool_] | None = None,
) -> Chart:
    n = len(s.labels)
    plot_w, plot_h = _W - _LEFT - _RIGHT, _H - _TOP - _BOTTOM
    step = plot_w / n
    left = np.asarray(_LEFT + step * np.arange(n), dtype=np.float64)
    xs = left + step / 2
    lo, hi = y_range

    def y(v: Float) -> Float:
        return np.asarray(_TOP + (hi - np.clip(v, lo, hi)) / (hi - lo) * plot_h)

    labels = np.asarray([_esc(x) for x in s.labels], dtype=object)
    body = [
        f'<text x="{_LEFT:.1f}" y="18" font-size="14" font-weight="bold" {_FONT}>'
        f"{_esc(title)}</text>",
        f'<rect x="{_LEFT:.1f}" y="{_TOP:.1f}" width="{plot_w:.1f}" height="{plot_h:.1f}" '
        f'fill="#ffffff" stroke="#cccccc"/>',
    ]
    # Threshold zones (or status bands), one rectangle per period so that a target changing
    # from one period to the next moves the zone with it.
    for zone in s.zones:
        ok = ~np.isnan(zone.low) & ~np.isnan(zone.high)
        top, bottom = y(np.maximum(zone.low, zone.high)), y(np.minimum(zone.low, zone.high))
        ok &= bottom - top > 0
        if ok.any():
            rects = _cat(
                f'<rect class="zone zone-{_esc(zone.name)}" data-period="',
                labels,
                '" x="',
                _num(left),
                '" y="',
                _num(top),
                f'" width="{step:.1f}" height="',
                _num(bottom - top),
                f'" fill="{zone.color}" fill-opacity="{_ZONE_OPACITY}"/>',
            )
            body.extend(rects[ok].tolist())
    # y axis: round ticks with grid lines, the unit beside them
    ticks, decimals = _ticks(lo, hi)
    ty = _num(y(ticks))
    tick_text = np.asarray([f"{v:,.{decimals}f}" for v in ticks], dtype=object)
    body.extend(
        _cat(
            f'<line class="grid" x1="{_LEFT:.1f}" x2="{_W - _RIGHT:.1f}" y1="',
            ty,
            '" y2="',
            ty,
            f'" stroke="#000000" stroke-opacity="0.08"/><text x="{_LEFT - 6:.1f}" y="',
            _num(y(ticks) + 4),
            f'" font-size="10" text-anchor="end" {_FONT}>',
            tick_text,
            "</text>",
        ).tolist()
    )
    unit = _unit_symbol(s.unit)
    if unit:
        cy = _TOP + plot_h / 2
        body.append(
            f'<text class="unit" x="14" y="{cy:.1f}" font-size="11" text-anchor="middle" '
            f'transform="rotate(-90 14 {cy:.1f})" {_FONT}>{_esc(unit)}</text>'
        )
    # x axis: period labels, thinned when many; provisional ones get an asterisk
    shown = _x_labels(n, plot_w)
    mark = np.where(s.provisional, "*", "").astype(object)
    body.extend(
        _cat(
            '<text class="period" x="',
            _num(xs),
            f'" y="{_TOP + plot_h + 16:.1f}" font-size="10" text-anchor="middle" {_FONT}>',
            labels,
            mark,
            "</text>",
        )[shown].tolist()
    )
    # target: a step across each period's slot (it may change from period to period)
    ty_t = y(s.target)
    ok_t = np.isfinite(s.target)
    if ok_t.any():
        d = "".join(_cat("M", _num(left), ",", _num(ty_t), "h", f"{step:.1f}")[ok_t].tolist())
        body.append(
            f'<path class="target" d="{d}" fill="none" stroke="#333333" '
            f'stroke-width="1.5" stroke-dasharray="6,3"/>'
        )
    # Series breaks: the indicator was redefined from this period on (unit, formula...), so
    # values either side are not comparable; a dashed rule at the slot's left edge says so.
    broken = np.zeros(n, dtype=bool) if breaks is None else breaks
    body.extend(
        _cat(
            '<line class="series-break" x1="',
            _num(left),
            '" x2="',
            _num(left),
            f'" y1="{_TOP:.1f}" y2="{_TOP + plot_h:.1f}" stroke="#7b3294" stroke-width="1.5" '
            'stroke-dasharray="2,3"><title>series break: redefined from ',
            labels,
            "</title></line>",
        )[broken].tolist()
    )
    ys = np.asarray(np.where(np.isfinite(s.values), y(s.values), np.nan), dtype=np.float64)
    if broken.any():
        # No line joins values across a redefinition.
        ys_line = ys.copy()
        d = "".join(
            _line_path(xs[a:b], ys_line[a:b])
            for a, b in zip(
                [0, *np.flatnonzero(broken).tolist()],
                [*np.flatnonzero(broken).tolist(), n],
                strict=True,
            )
            if b > a
        )
    else:
        d = _line_path(xs, ys)
    if d:
        body.append(f'<path class="actual" d="{d}" fill="none" stroke="{_LINE}" stroke-width="2"/>')
    present = np.isfinite(ys)
    colors = s.point_colors
    fill = np.where(s.provisional, "#ffffff", colors)
    cls = np.where(s.provisional, "point provisional", "point").astype(object)
    body.extend(
        _cat(
            '<circle class="',
            cls,
            '" cx="',
            _num(xs),
            '" cy="',
            _num(np.nan_to_num(ys)),
            '" r="4" fill="',
            fill,
            '" stroke="',
            colors,
            '" stroke-width="2"><title>',
            tips,
            "</title></circle>",
        )[present].tolist()
    )
    legend = "— — target" if ok_t.any() else ""
    if s.provisional.any():
        legend += ("   " if legend else "") + "○ * provisional (books not closed)"
    if broken.any():
        legend += ("   " if legend else "") + "┆ series break (redefined)"
    if legend:
        body.append(
            f'<text x="{_W - _RIGHT:.1f}" y="36" font-size="10" text-anchor="end" '
            f'fill="#555555" {_FONT}>{_esc(legend)}</text>'
        )
    return Chart(kind=kind, title=title, svg=_svg(title, _W, _H, body), width=_W, height=_H)


def _tips(ev: Evaluation, s: _Series, values: Obj | None) -> Obj:
    """Point tooltips: ``period: value · score (status)``, escaped; ``values=None`` for a
    score chart, whose value is the score."""
    status = _status_text(ev, s.status)
    score = np.asarray([format_score(v) for v in s.score], dtype=object)
    prov = np.where(s.provisional, " · provisional", "").astype(object)
    labels = np.asarray(s.labels, dtype=object)
    shown = score if values is None else _cat(values, " · score ", score)
    text = _cat(labels, ": ", shown, " (", status, ")", prov)
    return np.asarray([_esc(t) for t in text], dtype=object)


def trend_chart(
    evaluation: Evaluation,
    indicator: str,
    *,
    org_unit: str | None = None,
    periods: int | Sequence[str] | None = None,
    breaks: Sequence[str] = (),
) -> Chart:
    """An indicator's actuals over the evaluated periods, against its target and threshold
    zones.

    Parameters
    ----------
    evaluation
        The evaluation.
    indicator
        The indicator id.
    org_unit
        Org unit id (default: the evaluation's top unit).
    periods
        ``None`` for every evaluated period, an ``int`` for the last *n*, or period labels.
    breaks
        Periods from which the indicator was redefined (a series break, e.g. the
        ``series_break`` rows of
        :func:`~balanced_scorecard.governance.effective.evaluate_history`): a dashed rule
        marks each and the line does not join values across it.

    Returns
    -------
    Chart
        A 640×280 SVG. Each period's slot is shaded by the indicator's thresholds *in that
        period* (targets may change by period): the zone beyond the red flag in the colour
        of the lowest status band, between red flag and target in the band a score of 1/3
        falls in, beyond the target in the band of 2/3 (red, amber and green by default).
        For a higher-better indicator the red zone lies below the red flag, for a
        lower-better one above it; an in-range indicator shows its good range
        ``[lower, upper]``. The target is a dashed step line. Points take the colour of
        their status; missing values leave a gap in the line; provisional periods have a
        hollow point and an asterisk on their label. Hover a point for its value, target and
        score.

    Raises
    ------
    UnknownNodeError
        For an unknown id, a node that is not an indicator, an unknown org unit or period.

    Examples
    --------
    >>> from balanced_scorecard.results import _demo
    >>> chart = trend_chart(_demo(), "revenue")
    >>> chart.svg.count('class="zone zone-red"'), chart.svg.count('class="point"')
    (2, 2)
    """
    s = _trend_series(evaluation, indicator, org_unit, periods)
    values = _cat(
        np.asarray([format_value(v, s.unit) for v in s.values], dtype=object),
        " · target ",
        np.asarray([format_value(v, s.unit) for v in s.target], dtype=object),
    )
    title = f"{s.name} · {_unit_name(evaluation, s.org_unit)}"
    lo, hi = _value_range(s.values, s.target, *(z.low for z in s.zones), *(z.high for z in s.zones))
    unknown = sorted(set(breaks) - set(s.labels))
    if unknown:
        raise UnknownNodeError(
            f"series breaks at {unknown} are not periods of the chart ({s.labels[0]} to "
            f"{s.labels[-1]}); pass labels of charted periods"
        )
    return _period_chart(
        s,
        kind="trend",
        title=title,
        y_range=(lo, hi),
        tips=_tips(evaluation, s, values),
        breaks=np.isin(np.asarray(s.labels, dtype=object), list(breaks)),
    )


def score_history(
    evaluation: Evaluation,
    node: str | None = None,
    *,
    org_unit: str | None = None,
    periods: int | Sequence[str] | None = None,
) -> Chart:
    """A node's score over the evaluated periods, on the 0–10 scale the reports use, over
    the status bands.

    Parameters
    ----------
    evaluation
        The evaluation.
    node
        Any node id: indicator, objective, perspective or the scorecard (default).
    org_unit, periods
        As for :func:`trend_chart`.

    Returns
    -------
    Chart
        A 640×280 SVG: one horizontal background per status band (from its lower bound ×
        10), the score line with gaps where there is no score, points in their status's
        colour, provisional periods hollow and starred. The axis runs from 0 to 10, wider
        only when a score overflows.

    Examples
    --------
    >>> from balanced_scorecard.results import _demo
    >>> chart = score_history(_demo(), "grow")
    >>> chart.svg.count('class="zone zone-'), chart.title
    (6, 'Grow · Organisation')
    """
    s = _score_series(evaluation, node, org_unit, periods)
    title = f"{s.name} · {_unit_name(evaluation, s.org_unit)}"
    finite = s.values[np.isfinite(s.values)]
    lo = min(0.0, float(finite.min())) if finite.size else 0.0
    hi = max(10.0, float(finite.max())) if finite.size else 10.0
    tips = _tips(evaluation, s, None)
    return _period_chart(s, kind="score", title=title, y_range=(lo, hi), tips=tips)


# --- sparkline -------------------------------------------------------------------------------


def sparkline(
    subject: Evaluation | npt.ArrayLike,
    indicator: str | None = None,
    org_unit: str | None = None,
    *,
    last: int = 12,
    width: float = 80.0,
    height: float = 20.0,
    color: str = _LINE,
) -> Chart:
    """A word-sized line of the last ``last`` values with the last present point marked.

    Parameters
    ----------
    subject
        A 1-D sequence of numbers (NaN for missing), or an evaluation together with an
        ``indicator`` id (and ``org_unit``; default the top unit), whose actuals are drawn
        and whose last point takes the colour of its status.
    last
        How many values to draw, the most recent ones.
    width, height
        Size in pixels.
    color
        Line colour (passed through ``safe_color``).

    Returns
    -------
    Chart
        An SVG without axes or text, for tables and tooltips; missing values leave gaps.
        Without any finite value (empty input, all NaN) the sparkline is blank; a constant
        series is a flat line through the middle.

    Examples
    --------
    >>> sparkline([1, 2, float("nan"), 4]).svg.count("M")  # two pieces around the gap
    2
    >>> from balanced_scorecard.results import _demo
    >>> sparkline(_demo(), "revenue").title
    'Revenue: 1,200 EUR (2025-02)'
    """
    if last < 1:
        raise ModelError(f"last={last} draws nothing; give 1 or more")
    if width <= 0 or height <= 0:
        raise ModelError(f"sparkline size {width}×{height} must be positive")
    from balanced_scorecard.results import Evaluation

    if isinstance(subject, Evaluation):
        if indicator is None:
            raise ModelError("sparkline(evaluation, ...) needs the indicator id to draw")
        s = _trend_series(subject, indicator, org_unit, last)
        values = s.values
        i_last = np.flatnonzero(np.isfinite(values))
        if i_last.size:
            k = int(i_last[-1])
            mark = str(s.point_colors[k]) if s.status[k] >= 0 else safe_color(color)
            title = f"{s.name}: {format_value(values[k], s.unit)} ({s.labels[k]})"
        else:
            mark, title = safe_color(color), f"{s.name}: no values"
    else:
        values = np.asarray(subject, dtype=np.float64)
        if values.ndim != 1:
            raise ObservationError(
                f"sparkline values must be one-dimensional, got shape {values.shape}"
            )
        values = values[-last:]
        mark = safe_color(color)
        finite = values[np.isfinite(values)]
        title = f"last value {format_value(finite[-1])}" if finite.size else "no values"
    line = safe_color(color)
    pad = 2.5
    ok = np.isfinite(values)
    body: list[str] = []
    if ok.any():
        lo, hi = float(values[ok].min()), float(values[ok].max())
        n = values.size
        xs = pad + (width - 2 * pad) * (np.arange(n) / (n - 1) if n > 1 else np.full(1, 0.5))
        span = hi - lo
        frac = (values - lo) / span if span > 0 else np.full(n, 0.5)
        ys = np.where(ok, height - pad - frac * (height - 2 * pad), np.nan)
        d = _line_path(xs, ys)
        body.append(f'<path d="{d}" fill="none" stroke="{line}" stroke-width="1.2"/>')
        k = int(np.flatnonzero(ok)[-1])
        body.append(f'<circle class="last" cx="{xs[k]:.1f}" cy="{ys[k]:.1f}" r="2" fill="{mark}"/>')
    return Chart(
        kind="sparkline", title=title, svg=_svg(title, width, height, body), width=width,
        height=height,
    )  # fmt: skip


# --- status heat map ---------------------------------------------------------------------------


def _chart_order(ev: Evaluation) -> list[str]:
    """Indicator ids as the scorecard reads: perspective, then objective, then indicator."""
    sc = ev.scorecard
    order = [
        i.id
        for persp in sc.perspectives
        for obj in sc.objectives_of(persp.id)
        for i in sc.indicators_of(obj.id)
    ]
    seen = set(order)
    return [i for i in order if i in ev.indicators.ids] + [
        i for i in ev.indicators.ids if i not in seen
    ]


@attrs.frozen(kw_only=True, eq=False)
class _Grid:
    """Status codes, scores and actuals of (org unit, indicator) in one period."""

    period: str
    units: tuple[str, ...]
    unit_names: tuple[str, ...]
    depth: npt.NDArray[np.int_]
    indicators: tuple[str, ...]
    indicator_names: tuple[str, ...]
    indicator_units: tuple[str, ...]
    status: npt.NDArray[np.int_]
    score: Float
    actual: Float
    colors: tuple[str, ...]

    @property
    def cell_colors(self) -> Obj:
        palette = np.asarray(self.colors, dtype=object)
        return palette[np.where(self.status < 0, len(palette) - 1, self.status)]


def _grid(
    ev: Evaluation,
    period: str | None,
    org_units: Sequence[str] | None,
    indicators: Sequence[str] | None,
) -> _Grid:
    p = ev.period_index(period)
    if org_units is None:
        u = np.arange(len(ev.units))
    else:
        u = np.asarray(sorted({ev.unit_index(x) for x in org_units}), dtype=np.intp)
    order = _chart_order(ev)
    if indicators is not None:
        wanted = {str(i) for i in indicators}
        for i in sorted(wanted):
            _indicator_row(ev, i)
        order = [i for i in order if i in wanted]
    if u.size == 0 or not order:
        raise ModelError("the heat map has no row or no column; give org units and indicators")
    rows = {i: k for k, i in enumerate(ev.indicators.ids)}
    k = np.asarray([rows[i] for i in order], dtype=np.intp)
    ix = np.ix_(k, u, np.asarray([p]))
    level, sc = ev.indicators, ev.scorecard
    units = tuple(ev.units[i] for i in u)
    chart = sc.org_chart
    depth = np.asarray([chart.depth(x) for x in units], dtype=np.int64)
    return _Grid(
        period=ev.period_labels[p],
        units=units,
        unit_names=tuple(chart.unit(x).label for x in units),
        depth=depth - depth.min(),
        indicators=tuple(order),
        indicator_names=tuple(sc.indicator(i).label for i in order),
        indicator_units=tuple(sc.indicator(i).unit for i in order),
        status=np.asarray(level.status[ix][..., 0].T, dtype=np.int64),
        score=np.asarray(level.score[ix][..., 0].T, dtype=np.float64),
        actual=np.asarray(level.actual[ix][..., 0].T, dtype=np.float64),
        colors=_palette(ev),
    )


def _value_texts(values: Float, units: Sequence[str]) -> Obj:
    """``format_value`` over a (row, column) grid, escaped, calling it once per distinct
    number."""
    flat = values.reshape(-1)
    present = np.isfinite(flat)
    uniq, inverse = np.unique(flat[present], return_inverse=True)
    numbers = np.asarray([_esc(format_value(v)) for v in uniq.tolist()], dtype=object)
    text = np.full(flat.size, "—", dtype=object)
    text[present] = numbers[inverse]
    symbols = [_unit_symbol(x) for x in units]
    suffix = np.asarray(
        [_esc("%" if s == "%" else (f" {s}" if s else "")) for s in symbols], dtype=object
    )
    grid = text.reshape(values.shape)
    return np.asarray(np.where(np.isfinite(values), grid + suffix[None, :], grid), dtype=object)


def _clip(text: str, size: int) -> str:
    return text if len(text) <= size else text[: size - 1] + "…"


def status_heatmap(
    evaluation: Evaluation,
    *,
    period: str | None = None,
    org_units: Sequence[str] | None = None,
    indicators: Sequence[str] | None = None,
    cell_width: float = 16.0,
    cell_height: float = 14.0,
) -> Chart:
    """The status of every indicator in every org unit, one coloured cell each.

    Parameters
    ----------
    evaluation
        The evaluation.
    period
        Period label (default: the focus period).
    org_units, indicators
        Only these rows / columns (default: all). Rows stay in org-chart order and columns
        in the scorecard's order (perspective, objective, indicator), whatever the order
        given.
    cell_width, cell_height
        Cell size in pixels.

    Returns
    -------
    Chart
        One ``<rect class="cell">`` per (org unit, indicator) in the status band's colour
        (light grey ``#eeeeee`` without a score, darker grey for a withheld cell); its
        tooltip names the unit, the indicator, the actual and the 0–10 score. Org unit
        names are indented by depth; column headers are slanted. Built with numpy string
        operations: 1,000 org units × 40 indicators take well under a second.

    Examples
    --------
    >>> from balanced_scorecard.algorithms.significance import _example_evaluation
    >>> chart = status_heatmap(_example_evaluation())
    >>> chart.svg.count('class="cell"')
    7
    """
    g = _grid(evaluation, period, org_units, indicators)
    nu, ni = g.status.shape
    label_chars = min(
        32, max(len(n) + 2 * int(d) for n, d in zip(g.unit_names, g.depth, strict=True))
    )
    head_chars = min(28, max(len(n) for n in g.indicator_names))
    left = 12.0 + 6.2 * label_chars
    top = 60.0 + 4.6 * head_chars
    title = f"Status by org unit and indicator · {g.period}"
    names = [*evaluation.status_names, "no score"]
    legend_x = 12.0 + np.cumsum([0.0] + [24.0 + 6.0 * len(n) for n in names])
    # wide enough for the cells, the title and the legend
    width = max(left + cell_width * ni + 48.0, 24.0 + 8.0 * len(title), float(legend_x[-1]))
    height = top + cell_height * nu + 12.0
    xs = left + cell_width * np.arange(ni)
    ys = top + cell_height * np.arange(nu)
    unit_names = np.asarray([_esc(n) for n in g.unit_names], dtype=object)
    ind_names = np.asarray([_esc(n) for n in g.indicator_names], dtype=object)
    values = _value_texts(g.actual, g.indicator_units)
    # scores on the 0-10 scale take few distinct values: format each once
    score = np.round(np.nan_to_num(g.score * 10.0, nan=0.0), 1) + 0.0
    distinct, inverse = np.unique(score, return_inverse=True)
    score_text = np.asarray(np.char.mod("%.1f", distinct), dtype=object)[inverse]
    score_text = np.where(np.isfinite(g.score), score_text.reshape(score.shape), "—")
    status_names = np.asarray([_esc(n) for n in (*evaluation.status_names, "no score")])
    status = status_names.astype(object)[np.where(g.status < 0, len(status_names) - 1, g.status)]
    cells = _cat(
        '<rect class="cell" x="',
        _num(xs)[None, :],
        '" y="',
        _num(ys)[:, None],
        f'" width="{cell_width - 1:.1f}" height="{cell_height - 1:.1f}" fill="',
        g.cell_colors,
        '"><title>',
        unit_names[:, None],
        " · ",
        ind_names[None, :],
        ": ",
        values,
        " · score ",
        score_text,
        " (",
        status,
        ")</title></rect>",
    )
    body = [f'<text x="12" y="20" font-size="14" font-weight="bold" {_FONT}>{_esc(title)}</text>']
    # legend: one swatch per status, then "no score"
    for x, name, color in zip(legend_x.tolist(), names, g.colors, strict=False):
        body.append(
            f'<rect x="{x:.1f}" y="30" width="10" height="10" fill="{color}"/>'
            f'<text x="{x + 14:.1f}" y="39" font-size="10" {_FONT}>{_esc(name)}</text>'
        )
    row_names = np.asarray(
        [
            _esc(_clip(n, label_chars - 2 * int(d)))
            for n, d in zip(g.unit_names, g.depth, strict=True)
        ],
        dtype=object,
    )
    body.extend(
        _cat(
            '<text class="row" x="',
            _num(8.0 + 12.0 * g.depth),
            '" y="',
            _num(ys + cell_height - 3.0),
            f'" font-size="{min(11.0, cell_height - 2):.0f}" {_FONT}><title>',
            unit_names,
            "</title>",
            row_names,
            "</text>",
        ).tolist()
    )
    col_names = np.asarray([_esc(_clip(n, head_chars)) for n in g.indicator_names], dtype=object)
    body.extend(
        _cat(
            '<text class="col" transform="translate(',
            _num(xs + cell_width / 2 + 3),
            f',{top - 4:.1f}) rotate(-60)" font-size="10" {_FONT}><title>',
            ind_names,
            "</title>",
            col_names,
            "</text>",
        ).tolist()
    )
    body.append("".join(cells.reshape(-1).tolist()))
    return Chart(
        kind="heatmap", title=title, svg=_svg(title, width, height, body), width=width,
        height=height,
    )  # fmt: skip


# --- control chart -----------------------------------------------------------------------------


def _control_pair(
    ev: Evaluation,
    indicator: str,
    org_unit: str | None,
    periods: int | Sequence[str] | None,
    rules: str | Sequence[str],
) -> ChartPair:
    from balanced_scorecard.analytics.spc import imr_chart

    k = _indicator_row(ev, indicator)
    u = ev.unit_index(org_unit)
    p = _periods(ev, periods)
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


def control_chart(
    evaluation: Evaluation,
    indicator: str,
    *,
    org_unit: str | None = None,
    periods: int | Sequence[str] | None = None,
    rules: str | Sequence[str] = "western_electric",
) -> Chart:
    """An individuals and moving-range (I-MR) chart of an indicator's evaluated actuals.

    The same chart the HTML report draws (see
    :func:`~balanced_scorecard.analytics.spc.imr_chart`): missing periods are left out,
    limits are the mean ± 3 sigma from the mean moving range, and points breaking a run rule
    are red, with the rule in their tooltip.

    Parameters
    ----------
    evaluation, indicator, org_unit, periods
        As for :func:`trend_chart`.
    rules
        ``"western_electric"``, ``"nelson"`` or a list of rule ids.

    Raises
    ------
    ObservationError
        With fewer than two values to chart.

    Examples
    --------
    >>> from balanced_scorecard.algorithms.significance import _example_evaluation
    >>> chart = control_chart(_example_evaluation(), "revenue")
    >>> chart.kind, chart.height
    ('control', 480.0)
    """
    pair = _control_pair(evaluation, indicator, org_unit, periods, rules)
    from balanced_scorecard.analytics import _spc_svg

    return Chart(
        kind="control",
        title=pair.location.title,
        svg=pair.to_svg(),
        width=_spc_svg._W,
        height=2 * _spc_svg._H,
    )
