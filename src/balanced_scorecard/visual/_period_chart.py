"""The SVG of a period chart, the layout shared by the trend and the score history of
:mod:`balanced_scorecard.visual.charts`: one slot per period shaded by that period's zones,
a round y axis, period labels, the target step line, series breaks, the value line and its
status-coloured points with tooltips.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from balanced_scorecard.builtins._report import format_score
from balanced_scorecard.visual._chart_series import Series, status_text
from balanced_scorecard.visual._svg_text import (
    FONT,
    LINE,
    ZONE_OPACITY,
    Float,
    Obj,
    cat,
    esc,
    line_path,
    num,
    svg_document,
    ticks,
    unit_symbol,
    x_labels,
)

if TYPE_CHECKING:
    from balanced_scorecard.results import Evaluation

__all__ = ["HEIGHT", "WIDTH", "period_svg", "point_tips"]

#: Size of a period chart in pixels.
WIDTH, HEIGHT = 640.0, 280.0
_LEFT, _RIGHT, _TOP, _BOTTOM = 72.0, 16.0, 44.0, 40.0


def period_svg(
    s: Series,
    *,
    title: str,
    y_range: tuple[float, float],
    tips: Obj,
    breaks: npt.NDArray[np.bool_] | None = None,
) -> str:
    """The SVG document (``WIDTH`` × ``HEIGHT``) of ``s`` between ``y_range``; ``tips`` are
    the escaped point tooltips, ``breaks`` marks the periods a series break starts."""
    n = len(s.labels)
    plot_w, plot_h = WIDTH - _LEFT - _RIGHT, HEIGHT - _TOP - _BOTTOM
    step = plot_w / n
    left = np.asarray(_LEFT + step * np.arange(n), dtype=np.float64)
    xs = left + step / 2
    lo, hi = y_range

    def y(v: Float) -> Float:
        return np.asarray(_TOP + (hi - np.clip(v, lo, hi)) / (hi - lo) * plot_h)

    labels = np.asarray([esc(x) for x in s.labels], dtype=object)
    body = [
        f'<text x="{_LEFT:.1f}" y="18" font-size="14" font-weight="bold" {FONT}>'
        f"{esc(title)}</text>",
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
            rects = cat(
                f'<rect class="zone zone-{esc(zone.name)}" data-period="',
                labels,
                '" x="',
                num(left),
                '" y="',
                num(top),
                f'" width="{step:.1f}" height="',
                num(bottom - top),
                f'" fill="{zone.color}" fill-opacity="{ZONE_OPACITY}"/>',
            )
            body.extend(rects[ok].tolist())
    # y axis: round ticks with grid lines, the unit beside them
    tick_values, decimals = ticks(lo, hi)
    ty = num(y(tick_values))
    tick_text = np.asarray([f"{v:,.{decimals}f}" for v in tick_values], dtype=object)
    body.extend(
        cat(
            f'<line class="grid" x1="{_LEFT:.1f}" x2="{WIDTH - _RIGHT:.1f}" y1="',
            ty,
            '" y2="',
            ty,
            f'" stroke="#000000" stroke-opacity="0.08"/><text x="{_LEFT - 6:.1f}" y="',
            num(y(tick_values) + 4),
            f'" font-size="10" text-anchor="end" {FONT}>',
            tick_text,
            "</text>",
        ).tolist()
    )
    unit = unit_symbol(s.unit)
    if unit:
        cy = _TOP + plot_h / 2
        body.append(
            f'<text class="unit" x="14" y="{cy:.1f}" font-size="11" text-anchor="middle" '
            f'transform="rotate(-90 14 {cy:.1f})" {FONT}>{esc(unit)}</text>'
        )
    # x axis: period labels, thinned when many; provisional ones get an asterisk
    shown = x_labels(n, plot_w)
    mark = np.where(s.provisional, "*", "").astype(object)
    body.extend(
        cat(
            '<text class="period" x="',
            num(xs),
            f'" y="{_TOP + plot_h + 16:.1f}" font-size="10" text-anchor="middle" {FONT}>',
            labels,
            mark,
            "</text>",
        )[shown].tolist()
    )
    # target: a step across each period's slot (it may change from period to period)
    ty_t = y(s.target)
    ok_t = np.isfinite(s.target)
    if ok_t.any():
        d = "".join(cat("M", num(left), ",", num(ty_t), "h", f"{step:.1f}")[ok_t].tolist())
        body.append(
            f'<path class="target" d="{d}" fill="none" stroke="#333333" '
            f'stroke-width="1.5" stroke-dasharray="6,3"/>'
        )
    # Series breaks: the indicator was redefined from this period on (unit, formula...), so
    # values either side are not comparable; a dashed rule at the slot's left edge says so.
    broken = np.zeros(n, dtype=bool) if breaks is None else breaks
    body.extend(
        cat(
            '<line class="series-break" x1="',
            num(left),
            '" x2="',
            num(left),
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
            line_path(xs[a:b], ys_line[a:b])
            for a, b in zip(
                [0, *np.flatnonzero(broken).tolist()],
                [*np.flatnonzero(broken).tolist(), n],
                strict=True,
            )
            if b > a
        )
    else:
        d = line_path(xs, ys)
    if d:
        body.append(f'<path class="actual" d="{d}" fill="none" stroke="{LINE}" stroke-width="2"/>')
    present = np.isfinite(ys)
    colors = s.point_colors
    fill = np.where(s.provisional, "#ffffff", colors)
    cls = np.where(s.provisional, "point provisional", "point").astype(object)
    body.extend(
        cat(
            '<circle class="',
            cls,
            '" cx="',
            num(xs),
            '" cy="',
            num(np.nan_to_num(ys)),
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
            f'<text x="{WIDTH - _RIGHT:.1f}" y="36" font-size="10" text-anchor="end" '
            f'fill="#555555" {FONT}>{esc(legend)}</text>'
        )
    return svg_document(title, WIDTH, HEIGHT, body)


def point_tips(ev: Evaluation, s: Series, values: Obj | None) -> Obj:
    """Point tooltips: ``period: value · score (status)``, escaped; ``values=None`` for a
    score chart, whose value is the score."""
    status = status_text(ev, s.status)
    score = np.asarray([format_score(v) for v in s.score], dtype=object)
    prov = np.where(s.provisional, " · provisional", "").astype(object)
    labels = np.asarray(s.labels, dtype=object)
    shown = score if values is None else cat(values, " · score ", score)
    text = cat(labels, ": ", shown, " (", status, ")", prov)
    return np.asarray([esc(t) for t in text], dtype=object)
