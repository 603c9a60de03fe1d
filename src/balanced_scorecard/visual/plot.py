"""matplotlib figures of an evaluation, for people who customise their charts.

:func:`plot` draws the same data as the SVG charts of :mod:`balanced_scorecard.visual.charts`
(trend with threshold zones, score history over the status bands, status heat map, I-MR
control chart), in the status bands' colours, and hands back the matplotlib ``Figure`` to
restyle, annotate or save. matplotlib is an optional extra
(``pip install 'balanced_scorecard[plot]'``) imported only when a figure is drawn; nothing
here calls ``plt.show()``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from balanced_scorecard.exceptions import ModelError, PlotDependencyError
from balanced_scorecard.visual._chart_series import (
    MISSING_COLOR,
    Series,
    by_status,
    control_pair,
    score_series,
    series_title,
    trend_series,
)
from balanced_scorecard.visual._heatmap import grid
from balanced_scorecard.visual._svg_text import (
    LINE,
    ZONE_OPACITY,
    score_range,
    unit_symbol,
    value_range,
    x_labels,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from balanced_scorecard.results import Evaluation

__all__ = ["KINDS", "plot"]

#: The figures :func:`plot` draws.
KINDS = ("trend", "score", "heatmap", "control")

_RGB = re.compile(
    r"rgba?\(\s*([0-9.]+)(%?)\s*,\s*([0-9.]+)(%?)\s*,\s*([0-9.]+)(%?)\s*(?:,\s*([0-9.]+)(%?)\s*)?\)"
)
_INSTALL = "pip install 'balanced_scorecard[plot]'"


def _pyplot() -> Any:
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise PlotDependencyError(
            f"Evaluation.plot() draws with matplotlib, which is not installed: {_INSTALL} "
            "(or use the SVG charts in balanced_scorecard.visual.charts, which need nothing)"
        ) from exc
    return plt


def _rgba(color: str) -> tuple[float, float, float, float]:
    """A CSS colour (already passed through ``safe_color``) as a matplotlib RGBA tuple."""
    from matplotlib.colors import to_rgba

    m = _RGB.fullmatch(color.strip())
    if m:
        g = m.groups()

        def part(value: str, percent: str) -> float:
            return float(value) / (100.0 if percent else 255.0)

        alpha = 1.0 if g[6] is None else float(g[6]) / (100.0 if g[7] else 1.0)
        clip = [
            min(max(x, 0.0), 1.0)
            for x in (part(g[0], g[1]), part(g[2], g[3]), part(g[4], g[5]), alpha)
        ]
        return clip[0], clip[1], clip[2], clip[3]
    try:
        r, gr, b, a = to_rgba(color)
    except ValueError:
        r, gr, b, a = to_rgba(MISSING_COLOR)
    return r, gr, b, a


def _axes(ax: Axes | None, size: tuple[float, float]) -> tuple[Figure, Axes]:
    plt = _pyplot()
    if ax is None:
        fig, ax = plt.subplots(figsize=size)
        return fig, ax
    figure = ax.get_figure()
    if figure is None:  # pragma: no cover - an Axes always belongs to a figure when drawn
        raise ModelError("ax belongs to no figure; pass an Axes made by plt.subplots()")
    return figure, ax  # type: ignore[return-value]


def _x_ticks(ax: Axes, s: Series) -> None:
    n = len(s.labels)
    shown = x_labels(n, 552.0)
    marks = [label + ("*" if p else "") for label, p in zip(s.labels, s.provisional, strict=True)]
    ax.set_xticks(np.flatnonzero(shown), [m for m, k in zip(marks, shown, strict=True) if k])
    ax.set_xlim(-0.5, n - 0.5)


def _series_axes(ax: Axes, s: Series, *, title: str, ylabel: str) -> None:
    """Zones, the line with its gaps and the status-coloured points, as in the SVG."""
    from matplotlib.collections import PolyCollection

    n = len(s.labels)
    x = np.arange(n, dtype=np.float64)
    for zone in s.zones:
        ok = ~np.isnan(zone.low) & ~np.isnan(zone.high)
        if not ok.any():
            continue
        # matplotlib cannot fill to infinity: clip to a span far outside the data; the
        # axis limits below hide the excess.
        low, high = (np.clip(v[ok], -1e300, 1e300) for v in (zone.low, zone.high))
        verts = [
            [(xi - 0.5, lo), (xi + 0.5, lo), (xi + 0.5, hi), (xi - 0.5, hi)]
            for xi, lo, hi in zip(x[ok], low, high, strict=True)
        ]
        ax.add_collection(
            PolyCollection(
                verts,
                facecolors=[_rgba(zone.color)],
                alpha=float(ZONE_OPACITY),
                edgecolors="none",
                label=f"{zone.name} zone",
                zorder=0,
            )
        )
    if np.isfinite(s.target).any():
        ax.plot(x, s.target, drawstyle="steps-mid", color="#333333", linestyle="--",
                linewidth=1.5, label="target")  # fmt: skip
    # NaN breaks a matplotlib line, as a gap breaks the SVG path
    ax.plot(x, s.values, color=LINE, linewidth=2, label="actual", zorder=3)
    present = np.isfinite(s.values)
    colors = [_rgba(str(c)) for c in s.point_colors]
    edge = [c for c, ok in zip(colors, present, strict=True) if ok]
    face = [
        (1.0, 1.0, 1.0, 1.0) if p else c
        for c, p, ok in zip(colors, s.provisional, present, strict=True)
        if ok
    ]
    ax.scatter(x[present], s.values[present], c=face, edgecolors=edge, linewidths=2,
               s=40, zorder=4, label="status")  # fmt: skip
    ax.set_title(title)
    ax.set_ylabel(ylabel)
    _x_ticks(ax, s)


def _trend(ax: Axes, ev: Evaluation, node: str, org_unit: str | None, periods: Any) -> None:
    s = trend_series(ev, node, org_unit, periods)
    lo, hi = value_range(s.values, s.target, *(z.low for z in s.zones), *(z.high for z in s.zones))
    _series_axes(ax, s, title=series_title(ev, s), ylabel=unit_symbol(s.unit))
    ax.set_ylim(lo, hi)


def _score(ax: Axes, ev: Evaluation, node: str | None, org_unit: str | None, periods: Any) -> None:
    s = score_series(ev, node, org_unit, periods)
    lo, hi = score_range(s.values)
    _series_axes(ax, s, title=series_title(ev, s), ylabel="score (0–10)")
    ax.set_ylim(lo, hi)


def _heatmap(
    ax: Axes,
    ev: Evaluation,
    period: str | None,
    org_units: Sequence[str] | None,
    indicators: Sequence[str] | None,
) -> None:
    g = grid(ev, period, org_units, indicators)
    image = by_status(np.asarray([_rgba(c) for c in g.colors], dtype=np.float64), g.status)
    ax.imshow(image, aspect="auto", interpolation="nearest")
    nu, ni = g.status.shape
    ax.set_xticks(np.arange(ni), list(g.indicator_names), rotation=60, ha="left")
    ax.xaxis.tick_top()
    ax.set_yticks(
        np.arange(nu), ["  " * int(d) + n for n, d in zip(g.unit_names, g.depth, strict=True)]
    )
    ax.set_title(f"Status by org unit and indicator · {g.period}")


def _control(
    fig: Figure,
    ev: Evaluation,
    node: str,
    org_unit: str | None,
    periods: Any,
    rules: str | Sequence[str],
) -> None:
    pair = control_pair(ev, node, org_unit, periods, rules)
    axes = fig.subplots(2, 1, sharex=True)
    for ax, chart in zip(axes, (pair.location, pair.dispersion), strict=True):
        x = np.arange(chart.statistic.size)
        for values, style, label in (
            (chart.ucl, "--", "UCL"),
            (chart.center, "-", "CL"),
            (chart.lcl, "--", "LCL"),
        ):
            limit = np.broadcast_to(values, chart.statistic.shape)
            if np.isfinite(limit).any():
                ax.plot(x, limit, drawstyle="steps-mid", color="#555555", linestyle=style,
                        linewidth=1, label=label)  # fmt: skip
        ax.plot(x, chart.statistic, color="#1f77b4", linewidth=1.5, label=chart.chart)
        flagged = np.asarray(chart.signals, dtype=bool) & np.isfinite(chart.statistic)
        ax.scatter(x[flagged], chart.statistic[flagged], color="#d62728", zorder=4,
                   label="signal")  # fmt: skip
        ax.set_title(chart.title)
    axes[-1].set_xticks(np.arange(pair.location.labels.size), list(pair.location.labels),
                        rotation=45, ha="right")  # fmt: skip


def plot(
    evaluation: Evaluation,
    kind: str = "trend",
    node: str | None = None,
    *,
    org_unit: str | None = None,
    period: str | None = None,
    periods: int | Sequence[str] | None = None,
    org_units: Sequence[str] | None = None,
    indicators: Sequence[str] | None = None,
    rules: str | Sequence[str] = "western_electric",
    ax: Axes | None = None,
) -> Figure:
    """A matplotlib figure of the evaluation, mirroring the SVG chart of the same kind.

    Parameters
    ----------
    evaluation
        The evaluation.
    kind
        ``"trend"`` (an indicator's actuals, target and threshold zones; see
        :func:`~balanced_scorecard.visual.charts.trend_chart`), ``"score"`` (a node's 0–10
        score over the status bands; :func:`~balanced_scorecard.visual.charts.score_history`),
        ``"heatmap"`` (status by org unit × indicator;
        :func:`~balanced_scorecard.visual.charts.status_heatmap`) or ``"control"`` (I-MR
        chart; :func:`~balanced_scorecard.visual.charts.control_chart`).
    node
        The indicator (trend, control) or any node (score; default the scorecard).
    org_unit, periods
        Org unit (default: the top one) and periods (``None`` all, an ``int`` the last *n*,
        or labels) of the trend, score and control figures.
    period, org_units, indicators
        Period (default: the focus period), rows and columns of the heat map.
    rules
        Run rules of the control chart.
    ax
        Draw into this Axes (not for ``control``, which has two panels); default: a new
        figure from ``plt.subplots``.

    Returns
    -------
    matplotlib.figure.Figure
        The trend and score figures hold one ``PolyCollection`` per threshold zone or status
        band (labelled ``"red zone"``...), the target (``"target"``, a step line) and the
        actual (``"actual"``, NaN where missing so the line has gaps) as lines, and the
        points as a scatter coloured by status (provisional points hollow); the heat map is
        an image of the band colours.

    Raises
    ------
    PlotDependencyError
        When matplotlib is not installed (an ``ImportError``).

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from balanced_scorecard.results import _demo
    >>> fig = plot(_demo(), "trend", "revenue")
    >>> [line.get_label() for line in fig.axes[0].lines]
    ['target', 'actual']
    >>> import matplotlib.pyplot as plt; plt.close(fig)
    """
    if kind not in KINDS:
        raise ModelError(f"unknown plot kind {kind!r}; use one of {', '.join(KINDS)}")
    indicator = node or ""
    if kind in ("trend", "control") and not indicator:
        raise ModelError(f"a {kind} figure draws one indicator: pass its id as node")
    if kind == "control":
        if ax is not None:
            raise ModelError("a control figure has two panels and draws its own figure; drop ax")
        fig: Figure = _pyplot().figure(figsize=(8.0, 6.0), layout="constrained")
        _control(fig, evaluation, indicator, org_unit, periods, rules)
        return fig
    if kind == "heatmap":
        g_rows = len(org_units) if org_units is not None else len(evaluation.units)
        fig, ax = _axes(ax, (8.0, min(40.0, 2.0 + 0.25 * g_rows)))
        _heatmap(ax, evaluation, period, org_units, indicators)
        return fig
    fig, ax = _axes(ax, (8.0, 3.5))
    if kind == "trend":
        _trend(ax, evaluation, indicator, org_unit, periods)
    else:
        _score(ax, evaluation, node, org_unit, periods)
    return fig
