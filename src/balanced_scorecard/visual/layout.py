"""Where every box and arrow of a strategy map goes: a pure, deterministic layout.

Perspectives are horizontal bands, top to bottom in the scorecard's order (financial on top,
learning & growth at the bottom with the default perspectives; custom perspectives keep their
defined order). Objectives are boxes inside their band, ordered left to right to reduce
crossings of the causal links (barycentric sweeps over the bands; a link between indicators
counts for their objectives), and wrapped onto several rows when a band holds more than fit
across. Box sizes follow the label: the width is estimated from character counts and long
names wrap onto up to three lines.

The layout guarantees that no two boxes overlap and that every box lies inside its band,
whatever the number of objectives. It is geometry only: :mod:`.strategy_map` draws it as SVG.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

import attrs
import numpy as np

from balanced_scorecard.exceptions import ModelError
from balanced_scorecard.visual._map_view import as_strategy_map, plain_text

__all__ = ["Band", "Box", "Edge", "MapLayout", "layout_map", "wrap_label"]

#: Estimated advance of one character at the 12 px label font (sans-serif averages ~0.55 em;
#: a little more keeps wide letters inside the box).
CHAR_W = 7.2
#: Advance of one character of a detail line (10 px font).
DETAIL_CHAR_W = 6.0
LINE_H = 15.0
DETAIL_H = 13.0
PAD_X, PAD_Y = 10.0, 8.0
MIN_BOX_W = 110.0
MAX_CHARS = 24
MAX_LINES = 3
GAP_X, GAP_Y = 28.0, 30.0
MARGIN = 16.0
BAND_PAD_X = 12.0
BAND_HEADER = 26.0
BAND_PAD_BOTTOM = 14.0
BAND_GAP = 22.0
MIN_WIDTH = 480.0
#: The narrowest ``max_width`` that still fits the widest possible box.
MIN_MAX_WIDTH = 2 * (MARGIN + BAND_PAD_X) + MAX_CHARS * CHAR_W + 2 * PAD_X + 40.0
SWEEPS = 8

Point = tuple[float, float]


@attrs.frozen(kw_only=True)
class Box:
    """An objective's box: top-left corner ``(x, y)``, size ``(w, h)``, its band and row.

    ``lines`` is the wrapped label; ``details`` the extra lines below it (e.g. indicators).
    """

    id: str
    x: float
    y: float
    w: float
    h: float
    band: str
    row: int
    lines: tuple[str, ...]
    details: tuple[str, ...] = ()

    @property
    def cx(self) -> float:
        """Horizontal centre."""
        return self.x + self.w / 2

    @property
    def cy(self) -> float:
        """Vertical centre."""
        return self.y + self.h / 2


@attrs.frozen(kw_only=True)
class Band:
    """A perspective's horizontal band; boxes start ``header`` below its top ``y``."""

    id: str
    label: str
    index: int
    x: float
    y: float
    w: float
    h: float
    header: float
    rows: int


@attrs.frozen(kw_only=True)
class Edge:
    """A causal link or cascade between two boxes.

    ``points`` are the four control points of a cubic Bézier curve from the ``source`` box's
    boundary to the ``target`` box's boundary (start, two controls, end).
    """

    cause: str
    effect: str
    source: str
    target: str
    kind: str
    sign: int
    weight: float
    lag: int
    feedback: bool
    points: tuple[Point, Point, Point, Point]


@attrs.frozen(kw_only=True)
class MapLayout:
    """Boxes, bands and routed edges of a strategy map, in pixels; see :func:`layout_map`."""

    boxes: tuple[Box, ...]
    bands: tuple[Band, ...]
    edges: tuple[Edge, ...]
    width: float
    height: float

    def box(self, objective: str) -> Box:
        """The box of one objective."""
        for b in self.boxes:
            if b.id == objective:
                return b
        raise KeyError(f"no box for {objective!r} in this layout")

    def band(self, perspective: str) -> Band:
        """The band of one perspective."""
        for b in self.bands:
            if b.id == perspective:
                return b
        raise KeyError(f"no band for {perspective!r} in this layout")


def wrap_label(text: str, *, max_chars: int = MAX_CHARS, max_lines: int = MAX_LINES) -> list[str]:
    """Word-wrap ``text`` onto at most ``max_lines`` lines of at most ``max_chars``
    characters; a longer word is cut, and text that does not fit ends in ``…``.

    Examples
    --------
    >>> wrap_label("Improve customer satisfaction in key accounts", max_chars=16)
    ['Improve customer', 'satisfaction in', 'key accounts']
    >>> wrap_label("a " * 40, max_chars=6, max_lines=2)
    ['a a a', 'a a a…']
    >>> wrap_label("")
    ['']
    """
    if max_chars < 2 or max_lines < 1:
        raise ValueError(f"wrap_label needs max_chars >= 2 and max_lines >= 1, not {max_chars}")
    words: list[str] = []
    for word in re.split(r"\s+", plain_text(text).strip()):
        words.extend(word[i : i + max_chars] for i in range(0, max(len(word), 1), max_chars))
    lines: list[str] = []
    for word in words:
        if lines and len(lines[-1]) + 1 + len(word) <= max_chars:
            lines[-1] += " " + word
        else:
            lines.append(word)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1][: max_chars - 1].rstrip() + "…"
    return lines or [""]


def _box_size(
    lines: Sequence[str], details: Sequence[str], score_line: bool
) -> tuple[float, float]:
    longest = max((len(s) for s in lines), default=0) * CHAR_W
    longest = max(longest, max((len(s) for s in details), default=0) * DETAIL_CHAR_W)
    w = max(MIN_BOX_W, math.ceil(longest + 2 * PAD_X))
    h = 2 * PAD_Y + LINE_H * (len(lines) + int(score_line)) + DETAIL_H * len(details)
    return float(w), float(h)


def _crossings(orders: Sequence[Sequence[str]], pairs: Sequence[tuple[str, str]]) -> int:
    """Link crossings between each pair of bands, counting on the left-to-right order."""
    where = {n: (b, (k + 0.5) / len(o)) for b, o in enumerate(orders) for k, n in enumerate(o)}
    groups: dict[tuple[int, int], list[tuple[float, float]]] = {}
    for u, v in pairs:
        (bu, pu), (bv, pv) = where[u], where[v]
        if bu == bv:
            continue
        if bu > bv:
            bu, bv, pu, pv = bv, bu, pv, pu
        groups.setdefault((bu, bv), []).append((pu, pv))
    total = 0
    for key in sorted(groups):
        a = np.asarray(groups[key], dtype=np.float64)
        du = a[:, 0][:, None] - a[:, 0][None, :]
        dv = a[:, 1][:, None] - a[:, 1][None, :]
        total += int(np.count_nonzero(du * dv < 0)) // 2
    return total


def _order(bands: list[list[str]], pairs: Sequence[tuple[str, str]]) -> list[list[str]]:
    """Barycentric ordering: sweep down and up the bands, placing each objective at the mean
    position of its neighbours in other bands; keep the order with the fewest crossings."""
    band_of = {n: b for b, o in enumerate(bands) for n in o}
    neighbours: dict[str, list[str]] = {n: [] for n in band_of}
    for u, v in pairs:
        if band_of[u] != band_of[v]:
            neighbours[u].append(v)
            neighbours[v].append(u)
    orders = [list(o) for o in bands]
    best, best_x = [list(o) for o in orders], _crossings(orders, pairs)
    sweep_orders = (range(1, len(orders)), range(len(orders) - 2, -1, -1))
    for sweep in range(SWEEPS):
        if best_x == 0:
            break
        pos = {n: (k + 0.5) / len(o) for o in orders for k, n in enumerate(o)}
        for b in sweep_orders[sweep % 2]:
            current = orders[b]
            rank = {n: k for k, n in enumerate(current)}
            keys = {
                n: (float(np.mean([pos[m] for m in neighbours[n]])) if neighbours[n] else pos[n])
                for n in current
            }
            # ties keep the current order, so the result is deterministic
            orders[b] = sorted(current, key=lambda n: (keys[n], rank[n]))
            pos.update({n: (k + 0.5) / len(orders[b]) for k, n in enumerate(orders[b])})
        crossings = _crossings(orders, pairs)
        if crossings < best_x:
            best, best_x = [list(o) for o in orders], crossings
    return best


def _rows(widths: Sequence[float], available: float) -> list[int]:
    """How many boxes go on each row: as few rows as the greedy fill needs, then spread
    evenly over them when even rows still fit."""
    counts: list[int] = []
    used = math.inf
    for w in widths:
        if used + GAP_X + w <= available:
            used += GAP_X + w
            counts[-1] += 1
        else:
            counts.append(1)
            used = w
    k = len(counts)
    if k > 1:
        n = len(widths)
        even = [n // k + (1 if r < n % k else 0) for r in range(k)]
        start, fits = 0, True
        for c in even:
            row = widths[start : start + c]
            fits = fits and sum(row) + GAP_X * (c - 1) <= available
            start += c
        if fits:
            return even
    return counts


def _route(edges: list[dict[str, Any]], boxes: Mapping[str, Box]) -> list[tuple[Point, ...]]:
    """Bézier control points per edge; edges sharing a box side get spread-out ports."""
    sides: list[tuple[str, str]] = []
    for e in edges:
        s, t = boxes[e["source"]], boxes[e["target"]]
        if s.id == t.id:
            sides.append(("loop", "loop"))
        elif t.y + t.h <= s.y:
            sides.append(("top", "bottom"))
        elif t.y >= s.y + s.h:
            sides.append(("bottom", "top"))
        elif any(
            b.band == s.band and b.row == s.row and min(s.cx, t.cx) < b.cx < max(s.cx, t.cx)
            for b in boxes.values()
        ):
            # other boxes sit between the two in their row: arc over their tops
            sides.append(("top", "top"))
        elif t.cx >= s.cx:
            sides.append(("right", "left"))
        else:
            sides.append(("left", "right"))
    ports: dict[tuple[str, str], list[tuple[float, int, int]]] = {}
    for k, (e, (ss, ts)) in enumerate(zip(edges, sides, strict=True)):
        s, t = boxes[e["source"]], boxes[e["target"]]
        horizontal = ss in ("top", "bottom")
        ports.setdefault((s.id, ss), []).append((t.cx if horizontal else t.cy, k, 0))
        ports.setdefault((t.id, ts), []).append((s.cx if horizontal else s.cy, k, 1))
    at: dict[tuple[int, int], Point] = {}
    for (node, side), users in ports.items():
        b = boxes[node]
        users.sort()
        n = len(users)
        for i, (_, k, end) in enumerate(users):
            f = (i + 1) / (n + 1)
            if side == "top":
                at[k, end] = (b.x + b.w * f, b.y)
            elif side == "bottom":
                at[k, end] = (b.x + b.w * f, b.y + b.h)
            elif side == "left":
                at[k, end] = (b.x, b.y + b.h * f)
            elif side == "right":
                at[k, end] = (b.x + b.w, b.y + b.h * f)
            else:  # a loop on the right side, inside the gap to the next box
                at[k, end] = (b.x + b.w, b.y + b.h * (0.3 if end == 0 else 0.7))
    out: list[tuple[Point, ...]] = []
    for k, (ss, ts) in enumerate(sides):
        (sx, sy), (ex, ey) = at[k, 0], at[k, 1]
        if ss == ts == "top":
            lift = min(sy, ey) - GAP_Y
            out.append(((sx, sy), (sx, lift), (ex, lift), (ex, ey)))
        elif ss == "loop":
            bulge = GAP_X * 0.7
            out.append(((sx, sy), (sx + bulge, sy - 8), (ex + bulge, ey + 8), (ex, ey)))
        elif ss in ("top", "bottom"):
            dy = (ey - sy) * 0.45
            out.append(((sx, sy), (sx, sy + dy), (ex, ey - dy), (ex, ey)))
        else:
            dx = (ex - sx) * 0.45
            out.append(((sx, sy), (sx + dx, sy), (ex - dx, ey), (ex, ey)))
    return out


def _r(v: float) -> float:
    # one decimal is all a pixel needs; rounding also keeps -0.0 and float noise out
    return round(v, 1) + 0.0


def layout_map(
    subject: Any,
    *,
    details: Mapping[str, Sequence[str]] | None = None,
    score_line: bool = False,
    max_width: float = 1200.0,
    empty_bands: bool = False,
) -> MapLayout:
    """Lay out a strategy map: bands, boxes without overlaps, and routed links.

    Parameters
    ----------
    subject
        A :class:`~balanced_scorecard.Scorecard`, :class:`~balanced_scorecard.Evaluation`
        or :class:`~balanced_scorecard.strategy_map.StrategyMap`.
    details
        Extra lines per objective id, drawn below the label in a smaller font (e.g. its
        indicators); each is cut to 32 characters.
    score_line
        Reserve a line in every box for the score.
    max_width
        Wrap a band onto another row of boxes before it grows wider than this (pixels).
        The map is narrower when everything fits.
    empty_bands
        Also draw perspectives without objectives (default: leave them out, as the report
        does).

    Returns
    -------
    MapLayout
        Bands top to bottom in perspective order; boxes band by band, row by row, left to
        right; edges in link order (causal links as defined, then cascades in objective
        order).

    Examples
    --------
    >>> from balanced_scorecard.algorithms.significance import _example_evaluation
    >>> lay = layout_map(_example_evaluation().scorecard)
    >>> [b.id for b in lay.bands]
    ['financial', 'customer', 'internal_process', 'learning_growth']
    >>> lay.box("grow").y < lay.box("delight").y < lay.box("quality").y < lay.box("skills").y
    True
    >>> e = lay.edges[0]
    >>> (e.cause, e.effect), e.points[0][1] == lay.box("delight").y   # leaves the top side
    (('delight', 'grow'), True)
    """
    if not MIN_MAX_WIDTH <= max_width < math.inf:
        raise ValueError(
            f"max_width {max_width} is too small to fit a box; give at least {MIN_MAX_WIDTH:.0f}"
        )
    smap, _, _ = as_strategy_map(subject)
    details = details or {}
    objectives = {o.id: o for o in smap.objectives}
    owner = {i.id: i.objective for i in smap.indicators}
    raw: list[dict[str, Any]] = []
    for lk in smap.links:
        raw.append(
            {
                "cause": lk.cause,
                "effect": lk.effect,
                "source": owner.get(lk.cause, lk.cause),
                "target": owner.get(lk.effect, lk.effect),
                "kind": "causes",
                "sign": lk.sign,
                "weight": lk.weight,
                "lag": lk.lag,
                "feedback": lk.feedback,
            }
        )
    for o in smap.objectives:
        if o.parent is not None:
            raw.append(
                {
                    "cause": o.parent,
                    "effect": o.id,
                    "source": o.parent,
                    "target": o.id,
                    "kind": "cascades",
                    "sign": 1,
                    "weight": 1.0,
                    "lag": 0,
                    "feedback": False,
                }
            )
    for e in raw:
        for end in ("source", "target"):
            if e[end] not in objectives:
                raise ModelError(
                    f"{e['kind']} link {e['cause']!r} -> {e['effect']!r} names {e[end]!r}, "
                    "which is no objective or indicator of the map; define it or drop the link"
                )
    # bands in perspective order; objectives in definition order to start with
    members: dict[str, list[str]] = {p.id: [] for p in smap.perspectives}
    for o in smap.objectives:
        if o.perspective not in members:
            raise ModelError(
                f"objective {o.id!r} sits in perspective {o.perspective!r}, which the map "
                "does not define; add the perspective or move the objective"
            )
        members[o.perspective].append(o.id)
    persp = [p for p in smap.perspectives if empty_bands or members[p.id]]
    pairs = [(e["source"], e["target"]) for e in raw if e["source"] != e["target"]]
    orders = _order([members[p.id] for p in persp], pairs)

    sizes: dict[str, tuple[tuple[str, ...], tuple[str, ...], float, float]] = {}
    for oid, o in objectives.items():
        lines = tuple(wrap_label(o.label))
        extra = tuple(wrap_label(d, max_chars=32, max_lines=1)[0] for d in details.get(oid, ()))
        w, h = _box_size(lines, extra, score_line)
        sizes[oid] = (lines, extra, w, h)

    available = max_width - 2 * (MARGIN + BAND_PAD_X)
    band_rows: list[list[list[str]]] = []
    for order in orders:
        counts = _rows([sizes[n][2] for n in order], available)
        rows, start = [], 0
        for c in counts:
            rows.append(order[start : start + c])
            start += c
        band_rows.append(rows)
    widest = max(
        (
            sum(sizes[n][2] for n in row) + GAP_X * (len(row) - 1)
            for rows in band_rows
            for row in rows
        ),
        default=0.0,
    )
    # whole tenths of a pixel, never past max_width
    width = math.floor(min(max(MIN_WIDTH, widest + 2 * (MARGIN + BAND_PAD_X)), max_width) * 10) / 10
    inner = width - 2 * (MARGIN + BAND_PAD_X)

    boxes: list[Box] = []
    bands: list[Band] = []
    y = MARGIN
    for index, (p, rows) in enumerate(zip(persp, band_rows, strict=True)):
        top = y
        y += BAND_HEADER
        for r, row in enumerate(rows):
            row_h = max(sizes[n][3] for n in row)
            row_w = sum(sizes[n][2] for n in row) + GAP_X * (len(row) - 1)
            x = MARGIN + BAND_PAD_X + (inner - row_w) / 2
            for n in row:
                lines, extra, w, h = sizes[n]
                boxes.append(
                    Box(
                        id=n,
                        x=_r(x),
                        y=_r(y + (row_h - h) / 2),
                        w=w,
                        h=h,
                        band=p.id,
                        row=r,
                        lines=lines,
                        details=extra,
                    )
                )
                x += w + GAP_X
            y += row_h + (GAP_Y if r < len(rows) - 1 else 0.0)
        if not rows:
            y += LINE_H * 2  # an empty band keeps a visible strip
        y += BAND_PAD_BOTTOM
        bands.append(
            Band(
                id=p.id,
                label=plain_text(p.label),
                index=index,
                x=MARGIN,
                y=_r(top),
                w=_r(width - 2 * MARGIN),
                h=_r(y - top),
                header=BAND_HEADER,
                rows=len(rows),
            )
        )
        y += BAND_GAP
    height = (y - BAND_GAP + MARGIN) if bands else 2 * MARGIN
    by_id = {b.id: b for b in boxes}
    routes = _route(raw, by_id)
    edges = tuple(
        Edge(
            cause=e["cause"],
            effect=e["effect"],
            source=e["source"],
            target=e["target"],
            kind=e["kind"],
            sign=e["sign"],
            weight=e["weight"],
            lag=e["lag"],
            feedback=e["feedback"],
            points=tuple((_r(px), _r(py)) for px, py in pts),  # type: ignore[arg-type]
        )
        for e, pts in zip(raw, routes, strict=True)
    )
    return MapLayout(
        boxes=tuple(boxes), bands=tuple(bands), edges=edges, width=_r(width), height=_r(height)
    )
