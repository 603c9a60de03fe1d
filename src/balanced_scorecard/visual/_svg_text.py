"""SVG text for the charts of :mod:`balanced_scorecard.visual.charts`: escaping, numbers as
coordinate text, element-wise string building with numpy, the document wrapper, and the axes
(value range, round ticks, which period labels to write, polylines broken at gaps).

Everything here works on plain numbers and strings; what is drawn comes from
:mod:`~balanced_scorecard.visual._chart_series`.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = [
    "FONT",
    "LINE",
    "ZONE_OPACITY",
    "Float",
    "Obj",
    "cat",
    "clip",
    "esc",
    "line_path",
    "num",
    "score_range",
    "svg_document",
    "ticks",
    "unit_symbol",
    "value_range",
    "x_labels",
]

Float = npt.NDArray[np.float64]
Obj = npt.NDArray[np.object_]

#: Colour of the value line (trend, score history, sparkline).
LINE = "#1f3b5a"
FONT = 'font-family="sans-serif"'
#: Opacity of the threshold zones and status bands behind a line.
ZONE_OPACITY = "0.22"
_UNIT_SYMBOLS = {"percent": "%", "dimensionless": ""}


def esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def num(values: npt.ArrayLike) -> Obj:
    """Coordinates as text with one decimal, element-wise (``-0.0`` written as ``0.0``)."""
    v = np.round(np.asarray(values, dtype=np.float64), 1) + 0.0
    return np.asarray(np.char.mod("%.1f", v), dtype=object)


def cat(*parts: Any) -> Obj:
    """Element-wise concatenation of strings and object arrays, broadcast like numpy."""
    out = np.asarray(parts[0], dtype=object)
    for part in parts[1:]:
        out = out + np.asarray(part, dtype=object)
    return out


def svg_document(title: str, width: float, height: float, body: Sequence[str]) -> str:
    """The ``<svg>`` element around ``body``, titled for screen readers and tooltips."""
    w, h = f"{width:.0f}", f"{height:.0f}"
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" '
        f'viewBox="0 0 {w} {h}" role="img" aria-label="{esc(title)}">'
        f"<title>{esc(title)}</title>" + "".join(body) + "</svg>"
    )


def unit_symbol(unit: str) -> str:
    return _UNIT_SYMBOLS.get(unit, unit)


def clip(text: str, size: int) -> str:
    return text if len(text) <= size else text[: size - 1] + "…"


# --- axes ------------------------------------------------------------------------------------


def value_range(*arrays: Float) -> tuple[float, float]:
    """The y range of a trend: every finite value, padded by 8 % (a flat series by ±10 %)."""
    finite = np.concatenate([a[np.isfinite(a)] for a in arrays])
    if finite.size == 0:
        return 0.0, 1.0
    lo, hi = float(finite.min()), float(finite.max())
    if hi - lo <= 0:
        half = max(abs(lo) * 0.1, 1.0)
        return lo - half, hi + half
    pad = 0.08 * (hi - lo)
    return lo - pad, hi + pad


def score_range(scores: Float) -> tuple[float, float]:
    """The y range of a 0–10 score chart: 0 to 10, wider only when a score overflows."""
    finite = scores[np.isfinite(scores)]
    lo = min(0.0, float(finite.min())) if finite.size else 0.0
    hi = max(10.0, float(finite.max())) if finite.size else 10.0
    return lo, hi


def ticks(lo: float, hi: float, count: int = 5) -> tuple[Float, int]:
    """Round tick values inside [lo, hi] and the decimals to write them with."""
    raw = (hi - lo) / count
    power = 10.0 ** math.floor(math.log10(raw))
    step = power * min((m for m in (1.0, 2.0, 2.5, 5.0, 10.0) if m * power >= raw), default=10)
    values = np.arange(math.ceil(lo / step), math.floor(hi / step) + 1) * step
    decimals = max(0, -math.floor(math.log10(step) + 1e-9)) + (1 if step / power == 2.5 else 0)
    return values.astype(np.float64), decimals


def x_labels(n: int, width: float) -> npt.NDArray[np.bool_]:
    """Which period labels to write: at most one per 56 px, always the last (focus) one."""
    every = max(1, math.ceil(n / max(1, int(width // 56))))
    return np.asarray((n - 1 - np.arange(n)) % every == 0)


def line_path(xs: Float, ys: Float) -> str:
    """A polyline that breaks at missing points: a new sub-path after every gap."""
    ok = np.isfinite(ys)
    if not ok.any():
        return ""
    starts = ok & ~np.concatenate([[False], ok[:-1]])
    cmd = np.where(starts, "M", "L").astype(object)
    return "".join(cat(cmd, num(xs), ",", num(ys))[ok].tolist())
