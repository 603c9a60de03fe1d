"""Charts of an evaluation as self-contained SVG text: trend, sparkline, score history, status
heat map and control chart.

Each function reads the evaluation's dense arrays, gathers what the chart shows in a small
private data object (shared with :mod:`balanced_scorecard.visual.plot`, so the matplotlib
figures show exactly the same numbers) and writes the SVG with numpy string operations. Every
user string is escaped, colours of the status bands pass through
:func:`~balanced_scorecard.builtins._report.safe_color`, nothing is fetched at view time, and
the same input always gives byte-identical output.

This module is the public face; the parts live in private modules named for what they hold:
:mod:`~balanced_scorecard.visual._chart_series` reads series, zones and colours from an
evaluation, :mod:`~balanced_scorecard.visual._period_chart` draws the trend and score
history layout, :mod:`~balanced_scorecard.visual._heatmap` the status heat map, and
:mod:`~balanced_scorecard.visual._svg_text` holds the SVG string building and the axes.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import attrs
import numpy as np
import numpy.typing as npt

from balanced_scorecard.builtins._report import format_value, safe_color
from balanced_scorecard.exceptions import ModelError, ObservationError, UnknownNodeError
from balanced_scorecard.visual._chart_series import MISSING_COLOR as MISSING_COLOR
from balanced_scorecard.visual._chart_series import WITHHELD_COLOR as WITHHELD_COLOR
from balanced_scorecard.visual._chart_series import (
    control_pair,
    score_series,
    series_title,
    trend_series,
)
from balanced_scorecard.visual._heatmap import grid, heatmap_svg
from balanced_scorecard.visual._period_chart import HEIGHT, WIDTH, period_svg, point_tips
from balanced_scorecard.visual._svg_text import (
    LINE,
    cat,
    line_path,
    score_range,
    svg_document,
    value_range,
)

if TYPE_CHECKING:
    from balanced_scorecard.results import Evaluation

__all__ = [
    "Chart",
    "control_chart",
    "score_history",
    "sparkline",
    "status_heatmap",
    "trend_chart",
]


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
    s = trend_series(evaluation, indicator, org_unit, periods)
    values = cat(
        np.asarray([format_value(v, s.unit) for v in s.values], dtype=object),
        " · target ",
        np.asarray([format_value(v, s.unit) for v in s.target], dtype=object),
    )
    title = series_title(evaluation, s)
    lo, hi = value_range(s.values, s.target, *(z.low for z in s.zones), *(z.high for z in s.zones))
    unknown = sorted(set(breaks) - set(s.labels))
    if unknown:
        raise UnknownNodeError(
            f"series breaks at {unknown} are not periods of the chart ({s.labels[0]} to "
            f"{s.labels[-1]}); pass labels of charted periods"
        )
    svg = period_svg(
        s,
        title=title,
        y_range=(lo, hi),
        tips=point_tips(evaluation, s, values),
        breaks=np.isin(np.asarray(s.labels, dtype=object), list(breaks)),
    )
    return Chart(kind="trend", title=title, svg=svg, width=WIDTH, height=HEIGHT)


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
    s = score_series(evaluation, node, org_unit, periods)
    title = series_title(evaluation, s)
    tips = point_tips(evaluation, s, None)
    svg = period_svg(s, title=title, y_range=score_range(s.values), tips=tips)
    return Chart(kind="score", title=title, svg=svg, width=WIDTH, height=HEIGHT)


# --- sparkline -------------------------------------------------------------------------------


def sparkline(
    subject: Evaluation | npt.ArrayLike,
    indicator: str | None = None,
    org_unit: str | None = None,
    *,
    last: int = 12,
    width: float = 80.0,
    height: float = 20.0,
    color: str = LINE,
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
        s = trend_series(subject, indicator, org_unit, last)
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
        d = line_path(xs, ys)
        body.append(f'<path d="{d}" fill="none" stroke="{line}" stroke-width="1.2"/>')
        k = int(np.flatnonzero(ok)[-1])
        body.append(f'<circle class="last" cx="{xs[k]:.1f}" cy="{ys[k]:.1f}" r="2" fill="{mark}"/>')
    svg = svg_document(title, width, height, body)
    return Chart(kind="sparkline", title=title, svg=svg, width=width, height=height)


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
    g = grid(evaluation, period, org_units, indicators)
    title, svg, width, height = heatmap_svg(
        g, evaluation.status_names, cell_width=cell_width, cell_height=cell_height
    )
    return Chart(kind="heatmap", title=title, svg=svg, width=width, height=height)


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
    pair = control_pair(evaluation, indicator, org_unit, periods, rules)
    from balanced_scorecard.analytics import _spc_svg

    return Chart(
        kind="control",
        title=pair.location.title,
        svg=pair.to_svg(),
        width=_spc_svg._W,
        height=2 * _spc_svg._H,
    )
