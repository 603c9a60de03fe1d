"""Self-contained SVG drawing of control charts (no scripts, fonts or external resources).

Every piece of text is escaped with :func:`html.escape`, so labels taken from the data cannot
inject markup into a notebook or an HTML report.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

__all__ = ["render"]

_W, _H = 720.0, 240.0
_LEFT, _RIGHT, _TOP, _BOTTOM = 64.0, 16.0, 28.0, 28.0


class _Chart(Protocol):
    @property
    def title(self) -> str: ...
    @property
    def statistic(self) -> npt.NDArray[np.float64]: ...
    @property
    def center(self) -> npt.NDArray[np.float64]: ...
    @property
    def lcl(self) -> npt.NDArray[np.float64]: ...
    @property
    def ucl(self) -> npt.NDArray[np.float64]: ...

    @property
    def flagged_rules(self) -> npt.NDArray[np.str_]: ...

    @property
    def signals(self) -> npt.NDArray[np.bool_]: ...

    @property
    def labels(self) -> npt.NDArray[Any]: ...


def _fmt(v: float) -> str:
    return f"{v:.1f}"


def _panel(chart: _Chart, y0: float) -> list[str]:
    stat = chart.statistic
    n = stat.size
    finite = np.concatenate([a[np.isfinite(a)] for a in (stat, chart.center, chart.lcl, chart.ucl)])
    lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    if hi - lo <= 0:
        lo, hi = lo - 1.0, hi + 1.0
    pad = 0.06 * (hi - lo)
    lo, hi = lo - pad, hi + pad
    plot_h = _H - _TOP - _BOTTOM
    step = (_W - _LEFT - _RIGHT) / max(n, 1)
    xs = _LEFT + step * (np.arange(n) + 0.5)

    def y(v: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        return np.asarray(y0 + _TOP + (hi - v) / (hi - lo) * plot_h, dtype=np.float64)

    def steps(values: npt.NDArray[np.float64]) -> str:
        # a horizontal segment across each point's slot: a step line when limits vary
        ys = y(values)
        left, right = xs - step / 2, xs + step / 2
        parts = [
            f"M{_fmt(a)},{_fmt(c)}H{_fmt(b)}"
            for a, b, c in zip(left, right, ys, strict=True)
            if math.isfinite(c)
        ]
        return "".join(parts)

    out = [
        f'<rect x="{_fmt(_LEFT)}" y="{_fmt(y0 + _TOP)}" width="{_fmt(_W - _LEFT - _RIGHT)}" '
        f'height="{_fmt(plot_h)}" fill="#ffffff" stroke="#cccccc"/>',
        f'<text x="{_fmt(_LEFT)}" y="{_fmt(y0 + 18)}" font-size="13" font-family="sans-serif">'
        f"{html.escape(chart.title)}</text>",
    ]
    for label, values, dash in (
        ("UCL", chart.ucl, "6,4"),
        ("CL", chart.center, ""),
        ("LCL", chart.lcl, "6,4"),
    ):
        d = steps(values)
        if not d:
            continue
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        out.append(f'<path d="{d}" fill="none" stroke="#555555"{dash_attr}/>')
        last = values[np.isfinite(values)][-1]
        out.append(
            f'<text x="{_fmt(_LEFT - 4)}" y="{_fmt(float(y(np.asarray(last))) + 4)}" '
            f'font-size="10" text-anchor="end" font-family="sans-serif">'
            f"{html.escape(label)} {html.escape(f'{last:.4g}')}</text>"
        )
    ys = y(stat)
    ok = np.isfinite(ys)
    # break the line at missing points: a new subpath after every gap
    commands = [
        f"{'M' if i == 0 or not ok[i - 1] else 'L'}{_fmt(xs[i])},{_fmt(ys[i])}"
        for i in np.flatnonzero(ok)
    ]
    out.append(f'<path d="{"".join(commands)}" fill="none" stroke="#1f77b4" stroke-width="1.5"/>')
    signals = chart.signals
    rules = chart.flagged_rules
    for i in np.flatnonzero(ok):
        colour = "#d62728" if signals[i] else "#1f77b4"
        tip = f"{chart.labels[i]}: {stat[i]:.6g}" + (f" ({rules[i]})" if rules[i] else "")
        out.append(
            f'<circle cx="{_fmt(xs[i])}" cy="{_fmt(ys[i])}" r="{3.5 if signals[i] else 2.5}" '
            f'fill="{colour}"><title>{html.escape(tip)}</title></circle>'
        )
    return out


def render(charts: Sequence[_Chart]) -> str:
    """One SVG document with the charts stacked vertically."""
    body: list[str] = []
    for k, chart in enumerate(charts):
        body.extend(_panel(chart, k * _H))
    height = _H * len(charts)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_fmt(_W)}" height="{_fmt(height)}" '
        f'viewBox="0 0 {_fmt(_W)} {_fmt(height)}" role="img">' + "".join(body) + "</svg>"
    )
