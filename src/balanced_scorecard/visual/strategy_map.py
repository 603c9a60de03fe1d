"""The strategy map as a self-contained SVG picture, coloured by status.

Bands are the perspectives (see :mod:`.layout`), boxes the objectives filled with their status
band's colour and showing their score as the report writes it; arrows are the causal links
with their sign (a ``+``/``−`` badge, negative links dashed) and strength (stroke width),
feedback links in purple and cascades dotted grey. No scripts, fonts or external resources;
every user string is escaped, and the same input gives byte-identical output.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs

from balanced_scorecard.visual._map_view import (
    NO_SCORE_COLOR,
    LinkView,
    MapView,
    as_strategy_map,
    map_view,
    plain_text,
)
from balanced_scorecard.visual._svg_text import esc
from balanced_scorecard.visual.layout import (
    DETAIL_H,
    LINE_H,
    MARGIN,
    PAD_X,
    PAD_Y,
    Edge,
    MapLayout,
    layout_map,
)

__all__ = ["LINK_STYLES", "StrategyMapPicture", "map_picture", "map_svg"]

#: Stroke colour and dash pattern per kind of arrow.
LINK_STYLES: Mapping[str, tuple[str, str]] = {
    "positive": ("#3b4a5a", ""),
    "negative": ("#3b4a5a", "6 4"),
    "feedback": ("#7b4fa0", ""),
    "cascades": ("#8c8c8c", "2 3"),
}
_MIN_STROKE, _STROKE_RANGE = 0.8, 2.4
_LEGEND_ROW = 24.0
_LEGEND_CHAR_W = 6.6
_BADGE_R = 7.0
_BADGE_TS = (0.5, 0.4, 0.6, 0.3, 0.7, 0.2, 0.8, 0.15, 0.85)


def _n(v: float) -> str:
    return f"{round(v, 1) + 0.0:.1f}"


def _style(link: LinkView) -> tuple[str, str]:
    if link.kind == "cascades":
        return LINK_STYLES["cascades"]
    colour = LINK_STYLES["feedback"][0] if link.feedback else LINK_STYLES["positive"][0]
    dash = LINK_STYLES["negative"][1] if link.sign < 0 else ""
    return colour, dash


def _stroke(link: LinkView) -> float:
    if link.kind == "cascades":
        return 1.2
    return _MIN_STROKE + _STROKE_RANGE * (link.strength or 0.0)


def _link_tip(link: LinkView, names: Mapping[str, str]) -> str:
    cause, effect = names.get(link.cause, link.cause), names.get(link.effect, link.effect)
    if link.kind == "cascades":
        return f"{cause} cascades to {effect}"
    sign = "positive (+)" if link.sign > 0 else "negative (−)"
    if link.strength is None:
        strength = "no evidence"
    else:
        strength = f"{link.strength:.2f} (from {link.strength_from})"
    parts = [
        f"{cause} → {effect}",
        f"sign: {sign}; weight {link.weight:g}; lag {link.lag} period{'s' * (link.lag != 1)}",
        f"strength: {strength}",
    ]
    if link.feedback:
        parts.append("feedback link")
    if link.description:
        parts.append(link.description)
    return "\n".join(parts)


def _arrow_head(edge: Edge, colour: str, width: float, open_head: bool) -> str:
    (x0, y0), _, (x2, y2), (x3, y3) = edge.points
    dx, dy = x3 - x2, y3 - y2
    if math.hypot(dx, dy) < 1e-9:
        dx, dy = x3 - x0, y3 - y0
    norm = math.hypot(dx, dy) or 1.0
    ux, uy = dx / norm, dy / norm
    length, half = 7.0 + width, 3.5 + width / 2
    bx, by = x3 - ux * length, y3 - uy * length
    pts = (
        f"{_n(bx - uy * half)},{_n(by + ux * half)} {_n(x3)},{_n(y3)} "
        f"{_n(bx + uy * half)},{_n(by - ux * half)}"
    )
    if open_head:
        return f'<polyline points="{pts}" fill="none" stroke="{colour}" stroke-width="1.2"/>'
    return f'<polygon points="{pts}" fill="{colour}"/>'


def _on_curve(edge: Edge, t: float) -> tuple[float, float]:
    (x0, y0), (x1, y1), (x2, y2), (x3, y3) = edge.points
    a, b, c, d = (1 - t) ** 3, 3 * t * (1 - t) ** 2, 3 * t * t * (1 - t), t**3
    return a * x0 + b * x1 + c * x2 + d * x3, a * y0 + b * y1 + c * y2 + d * y3


def _badge_point(edge: Edge, layout: MapLayout) -> tuple[float, float]:
    """Where the sign badge goes: the point nearest the middle of the curve whose badge
    covers no box (the middle itself when every candidate does)."""
    for t in _BADGE_TS:
        x, y = _on_curve(edge, t)
        clear = all(
            x + _BADGE_R <= b.x
            or b.x + b.w <= x - _BADGE_R
            or y + _BADGE_R <= b.y
            or b.y + b.h <= y - _BADGE_R
            for b in layout.boxes
        )
        if clear:
            return x, y
    return _on_curve(edge, 0.5)


def _desc(view: MapView, layout: MapLayout) -> str:
    causal = sum(1 for lk in view.links if lk.kind == "causes")
    cascades = len(view.links) - causal
    bands = ", ".join(b.label for b in layout.bands)
    text = (
        f"Strategy map of {view.title}: {len(view.objectives)} objectives in "
        f"{len(layout.bands)} perspectives (top to bottom: {bands or 'none'}), "
        f"{causal} causal link{'s' * (causal != 1)} and "
        f"{cascades} cascade{'s' * (cascades != 1)}."
    )
    if view.evaluated:
        counts = Counter(o.status or "no score" for o in view.objectives)
        order = [*[name for name, _ in view.bands][::-1], "no score"]
        statuses = ", ".join(f"{counts[s]} {s}" for s in order if counts[s])
        text += f" Status in org unit {view.org_unit}, period {view.period}: {statuses or 'none'}."
    return text


def _legend(view: MapView, y: float, width: float) -> tuple[list[str], float]:
    """The legend items flowed left to right, onto a new row where the width runs out;
    returns the markup and the height used."""
    items: list[tuple[float, str]] = []
    if view.evaluated:
        for name, colour in (*view.bands, ("no score", NO_SCORE_COLOR)):
            items.append(
                (
                    30 + len(name) * _LEGEND_CHAR_W,
                    f'<rect x="{{x}}" y="{{y}}" width="14" height="14" rx="3" '
                    f'fill="{esc(colour)}" stroke="#4a4a4a"/>'
                    f'<text x="{{tx}}" y="{{ty}}" font-size="11" fill="#333333">{esc(name)}</text>',
                )
            )
    samples = (
        ("+ drives", *LINK_STYLES["positive"]),
        ("− dampens", *LINK_STYLES["negative"]),
        ("feedback", *LINK_STYLES["feedback"]),
        ("cascades", *LINK_STYLES["cascades"]),
    )
    for label, colour, dash in samples:
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        items.append(
            (
                44 + len(label) * _LEGEND_CHAR_W,
                f'<line x1="{{x}}" y1="{{ly}}" x2="{{lx}}" y2="{{ly}}" stroke="{colour}" '
                f'stroke-width="2"{dash_attr}/>'
                f'<text x="{{tx2}}" y="{{ty}}" font-size="11" fill="#333333">{esc(label)}</text>',
            )
        )
    strength = "evidence" if any(lk.strength_from == "evidence" for lk in view.links) else "weight"
    note = f"line width: {strength}"
    items.append(
        (
            len(note) * _LEGEND_CHAR_W,
            f'<text x="{{x}}" y="{{ty}}" font-size="11" fill="#555555">{esc(note)}</text>',
        )
    )
    out: list[str] = []
    x, row = MARGIN, y
    for w, template in items:
        if x > MARGIN and x + w > width - MARGIN:
            x, row = MARGIN, row + _LEGEND_ROW
        out.append(
            template.format(
                x=_n(x),
                y=_n(row),
                tx=_n(x + 20),
                tx2=_n(x + 32),
                ty=_n(row + 11),
                ly=_n(row + 7),
                lx=_n(x + 26),
            )
        )
        x += w + 14
    return out, row + _LEGEND_ROW - y


def _box(view_obj: Any, box: Any, names: Mapping[str, str], perspective: str) -> str:
    lines_tip = [f"{view_obj.label} ({view_obj.id})", f"perspective: {perspective}"]
    if view_obj.score_text:
        lines_tip.append(f"score: {view_obj.score_text} ({view_obj.status or 'no status'})")
    if view_obj.indicators:
        lines_tip.append("indicators: " + ", ".join(i.label for i in view_obj.indicators))
    if view_obj.description:
        lines_tip.append(view_obj.description)
    status = f' data-status="{esc(view_obj.status)}"' if view_obj.status else ""
    parts = [
        f'<g class="bsc-objective" data-node="{esc(view_obj.id)}"{status}>'
        f"<title>{esc(chr(10).join(lines_tip))}</title>"
        f'<rect x="{_n(box.x)}" y="{_n(box.y)}" width="{_n(box.w)}" height="{_n(box.h)}" '
        f'rx="6" fill="{esc(view_obj.color)}" stroke="#4a4a4a" stroke-width="1"/>'
    ]
    y = box.y + PAD_Y
    for line in box.lines:
        y += LINE_H
        parts.append(
            f'<text x="{_n(box.cx)}" y="{_n(y - 3.5)}" font-size="12" text-anchor="middle" '
            f'fill="{view_obj.ink}">{esc(line)}</text>'
        )
    if view_obj.score_text:
        y += LINE_H
        label = view_obj.score_text + (f" · {view_obj.status}" if view_obj.status else "")
        parts.append(
            f'<text x="{_n(box.cx)}" y="{_n(y - 3.5)}" font-size="11" font-weight="bold" '
            f'text-anchor="middle" fill="{view_obj.ink}">{esc(label)}</text>'
        )
    for line in box.details:
        y += DETAIL_H
        parts.append(
            f'<text x="{_n(box.x + PAD_X)}" y="{_n(y - 3)}" font-size="10" '
            f'fill="{view_obj.ink}">{esc(line)}</text>'
        )
    parts.append("</g>")
    return "".join(parts)


def map_svg(
    subject: Any,
    *,
    org_unit: str | None = None,
    period: str | None = None,
    show_indicators: bool = False,
    strengths: Mapping[tuple[str, str], float] | Any = None,
    width: float | None = None,
    max_width: float = 1200.0,
    legend: bool = True,
    empty_bands: bool = False,
) -> str:
    """Draw a strategy map as one self-contained SVG document.

    Parameters
    ----------
    subject
        A :class:`~balanced_scorecard.Scorecard` or
        :class:`~balanced_scorecard.strategy_map.StrategyMap` (grey boxes), or an
        :class:`~balanced_scorecard.Evaluation` (boxes in their status colour, with score).
    org_unit, period
        With an evaluation: whose scores and which period (default: the top org unit and
        the focus period).
    show_indicators
        List each objective's indicators (with their scores) inside its box.
    strengths
        Evidence strength per causal link in [0, 1] keyed by ``(cause, effect)``, or the
        frame of :meth:`~balanced_scorecard.Evaluation.link_evidence`: the stroke width
        shows it (NaN: no evidence, thinnest). Default: the link weights, relative to the
        largest.
    width
        Display width in pixels (the height follows); default: the drawing's own size.
    max_width
        Wrap a perspective's objectives onto another row beyond this width (pixels).
    legend
        Draw the legend of statuses and arrow styles below the map.
    empty_bands
        Also draw perspectives without objectives.

    Returns
    -------
    str
        An ``<svg>`` document with ``role="img"``, a ``<title>`` and a ``<desc>``; each box
        and arrow carries a ``<title>`` tooltip and ``data-node`` / ``data-cause`` /
        ``data-effect`` attributes for scripts of the page that embeds it.

    Examples
    --------
    >>> from balanced_scorecard.results import _demo
    >>> svg = map_svg(_demo())
    >>> svg.startswith("<svg"), 'fill="#3a9a5b"' in svg, ">6.7 · green<" in svg
    (True, True, True)
    >>> map_svg(_demo()) == svg   # deterministic
    True
    """
    if width is not None and not 0 < width < math.inf:
        raise ValueError(f"width must be a positive number of pixels, not {width}")
    view = map_view(subject, org_unit=org_unit, period=period, strengths=strengths)
    details = (
        {
            o.id: [f"{i.label} {i.score_text}".rstrip() for i in o.indicators]
            for o in view.objectives
        }
        if show_indicators
        else None
    )
    layout = layout_map(
        subject,
        details=details,
        score_line=view.evaluated,
        max_width=max_width,
        empty_bands=empty_bands,
    )
    objectives = {o.id: o for o in view.objectives}
    names = {o.id: o.label for o in view.objectives}
    names.update({i.id: i.label for o in view.objectives for i in o.indicators})
    head = 48.0 if view.evaluated else 34.0
    body_h = max(layout.height, 60.0)
    total_w = layout.width
    legend_parts, legend_h = _legend(view, head + body_h + 4, total_w) if legend else ([], 0.0)
    total_h = head + body_h + legend_h + (8.0 if legend else 0.0)
    shown_w = total_w if width is None else width
    shown_h = total_h * shown_w / total_w

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_n(shown_w)}" height="{_n(shown_h)}" '
        f'viewBox="0 0 {_n(total_w)} {_n(total_h)}" role="img" font-family="sans-serif" '
        f'class="bsc-strategy-map">',
        f"<title>{esc(f'Strategy map: {view.title}')}</title>",
        f"<desc>{esc(_desc(view, layout))}</desc>",
        f'<rect width="{_n(total_w)}" height="{_n(total_h)}" fill="#ffffff"/>',
        f'<text x="{_n(MARGIN)}" y="24" font-size="16" font-weight="bold" fill="#1a1a1a">'
        f"{esc(view.title)} — strategy map</text>",
    ]
    if view.evaluated:
        out.append(
            f'<text x="{_n(MARGIN)}" y="40" font-size="11" fill="#555555">'
            f"{esc(f'org unit {view.org_unit} · period {view.period}')}</text>"
        )
    out.append(f'<g transform="translate(0,{_n(head)})">')
    perspective_names = dict(view.perspectives)
    for band in layout.bands:
        fill = "#f3f5f7" if band.index % 2 == 0 else "#fafbfc"
        out.append(
            f'<g class="bsc-perspective" data-node="{esc(band.id)}">'
            f'<rect x="{_n(band.x)}" y="{_n(band.y)}" width="{_n(band.w)}" '
            f'height="{_n(band.h)}" rx="4" fill="{fill}" stroke="#d0d5db"/>'
            f'<text x="{_n(band.x + 10)}" y="{_n(band.y + 17)}" font-size="12" '
            f'font-weight="bold" fill="#333333">{esc(band.label)}</text></g>'
        )
    if not layout.bands:
        out.append(
            f'<text x="{_n(total_w / 2)}" y="30" font-size="12" text-anchor="middle" '
            'fill="#555555">no objectives to draw</text>'
        )
    badges: list[str] = []
    for edge, link in zip(layout.edges, view.links, strict=True):
        colour, dash = _style(link)
        stroke = _stroke(link)
        tip = esc(_link_tip(link, names))
        (x0, y0), (x1, y1), (x2, y2), (x3, y3) = edge.points
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        out.append(
            f'<g class="bsc-link bsc-{link.kind}" data-cause="{esc(link.cause)}" '
            f'data-effect="{esc(link.effect)}"><title>{tip}</title>'
            f'<path d="M{_n(x0)},{_n(y0)} C{_n(x1)},{_n(y1)} {_n(x2)},{_n(y2)} '
            f'{_n(x3)},{_n(y3)}" fill="none" stroke="{colour}" stroke-width="{_n(stroke)}"'
            f"{dash_attr}/>" + _arrow_head(edge, colour, stroke, link.kind == "cascades") + "</g>"
        )
        if link.kind == "causes":
            mx, my = _badge_point(edge, layout)
            mark = "+" if link.sign > 0 else "−"
            badges.append(
                f'<g class="bsc-sign"><title>{tip}</title>'
                f'<circle cx="{_n(mx)}" cy="{_n(my)}" r="7" fill="#ffffff" stroke="{colour}"/>'
                f'<text x="{_n(mx)}" y="{_n(my + 4)}" font-size="12" font-weight="bold" '
                f'text-anchor="middle" fill="{colour}">{mark}</text></g>'
            )
    for box in layout.boxes:
        obj = objectives[box.id]
        out.append(_box(obj, box, names, perspective_names.get(obj.perspective, "")))
    out.extend(badges)
    out.append("</g>")
    out.extend(legend_parts)
    out.append("</svg>")
    # one element a line: snapshot diffs stay readable
    return "\n".join(out) + "\n"


@attrs.frozen(kw_only=True)
class StrategyMapPicture:
    """A drawn strategy map that notebooks show as SVG (see :func:`map_picture`).

    Examples
    --------
    >>> from balanced_scorecard.results import _demo
    >>> pic = map_picture(_demo())
    >>> pic._repr_svg_() == pic.to_svg() == map_svg(_demo())
    True
    """

    svg: str
    title: str = ""

    def _repr_svg_(self) -> str:
        return self.svg

    def to_svg(self) -> str:
        """The SVG document."""
        return self.svg

    def save(self, path: str | Path) -> Path:
        """Write the SVG (UTF-8) to ``path``, which must end in ``.svg``; returns the path.

        For Graphviz or Mermaid text use :func:`~balanced_scorecard.visual.exports.to_dot`
        or :func:`~balanced_scorecard.visual.exports.to_mermaid`.
        """
        target = Path(path)
        if target.suffix.lower() != ".svg":
            raise ValueError(
                f"a strategy-map picture is saved as SVG, so {str(target)!r} should end in "
                "'.svg'; use to_dot() or to_mermaid() for the other formats"
            )
        target.write_text(self.svg, encoding="utf-8")
        return target


def map_picture(subject: Any, **options: Any) -> StrategyMapPicture:
    """Draw ``subject`` with :func:`map_svg` (same options) into a :class:`StrategyMapPicture`."""
    svg = map_svg(subject, **options)
    _, scorecard, _ = as_strategy_map(subject)
    title = (scorecard.name or scorecard.id) if scorecard is not None else "Strategy map"
    return StrategyMapPicture(svg=svg, title=plain_text(title))
