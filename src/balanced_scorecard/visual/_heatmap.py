"""The status heat map of :func:`balanced_scorecard.visual.charts.status_heatmap`: the
(org unit × indicator) grid of one period read from an evaluation (:class:`Grid`, shared with
:mod:`~balanced_scorecard.visual.plot`) and its SVG, built with numpy string operations so a
thousand org units take well under a second.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import attrs
import numpy as np
import numpy.typing as npt

from balanced_scorecard.builtins._report import format_value
from balanced_scorecard.exceptions import ModelError
from balanced_scorecard.visual._chart_series import by_status, indicator_row, palette
from balanced_scorecard.visual._svg_text import (
    FONT,
    Float,
    Obj,
    cat,
    clip,
    esc,
    num,
    svg_document,
    unit_symbol,
)

if TYPE_CHECKING:
    from balanced_scorecard.results import Evaluation

__all__ = ["Grid", "grid", "heatmap_svg"]


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
class Grid:
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
        return by_status(np.asarray(self.colors, dtype=object), self.status)


def grid(
    ev: Evaluation,
    period: str | None,
    org_units: Sequence[str] | None,
    indicators: Sequence[str] | None,
) -> Grid:
    p = ev.period_index(period)
    if org_units is None:
        u = np.arange(len(ev.units))
    else:
        u = np.asarray(sorted({ev.unit_index(x) for x in org_units}), dtype=np.intp)
    order = _chart_order(ev)
    if indicators is not None:
        wanted = {str(i) for i in indicators}
        for i in sorted(wanted):
            indicator_row(ev, i)
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
    return Grid(
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
        colors=palette(ev),
    )


def _value_texts(values: Float, units: Sequence[str]) -> Obj:
    """``format_value`` over a (row, column) grid, escaped, calling it once per distinct
    number."""
    flat = values.reshape(-1)
    present = np.isfinite(flat)
    uniq, inverse = np.unique(flat[present], return_inverse=True)
    numbers = np.asarray([esc(format_value(v)) for v in uniq.tolist()], dtype=object)
    text = np.full(flat.size, "—", dtype=object)
    text[present] = numbers[inverse]
    symbols = [unit_symbol(x) for x in units]
    suffix = np.asarray(
        [esc("%" if s == "%" else (f" {s}" if s else "")) for s in symbols], dtype=object
    )
    table = text.reshape(values.shape)
    return np.asarray(np.where(np.isfinite(values), table + suffix[None, :], table), dtype=object)


def heatmap_svg(
    g: Grid, status_names: Sequence[str], *, cell_width: float, cell_height: float
) -> tuple[str, str, float, float]:
    """The title, SVG document, width and height of the heat map of ``g``."""
    nu, ni = g.status.shape
    label_chars = min(
        32, max(len(n) + 2 * int(d) for n, d in zip(g.unit_names, g.depth, strict=True))
    )
    head_chars = min(28, max(len(n) for n in g.indicator_names))
    left = 12.0 + 6.2 * label_chars
    top = 60.0 + 4.6 * head_chars
    title = f"Status by org unit and indicator · {g.period}"
    names = [*status_names, "no score"]
    legend_x = 12.0 + np.cumsum([0.0] + [24.0 + 6.0 * len(n) for n in names])
    # wide enough for the cells, the title and the legend
    width = max(left + cell_width * ni + 48.0, 24.0 + 8.0 * len(title), float(legend_x[-1]))
    height = top + cell_height * nu + 12.0
    xs = left + cell_width * np.arange(ni)
    ys = top + cell_height * np.arange(nu)
    unit_names = np.asarray([esc(n) for n in g.unit_names], dtype=object)
    ind_names = np.asarray([esc(n) for n in g.indicator_names], dtype=object)
    values = _value_texts(g.actual, g.indicator_units)
    # scores on the 0-10 scale take few distinct values: format each once
    score = np.round(np.nan_to_num(g.score * 10.0, nan=0.0), 1) + 0.0
    distinct, inverse = np.unique(score, return_inverse=True)
    score_text = np.asarray(np.char.mod("%.1f", distinct), dtype=object)[inverse]
    score_text = np.where(np.isfinite(g.score), score_text.reshape(score.shape), "—")
    status = by_status(np.asarray([esc(n) for n in names], dtype=object), g.status)
    cells = cat(
        '<rect class="cell" x="',
        num(xs)[None, :],
        '" y="',
        num(ys)[:, None],
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
    body = [f'<text x="12" y="20" font-size="14" font-weight="bold" {FONT}>{esc(title)}</text>']
    # legend: one swatch per status, then "no score"
    for x, name, color in zip(legend_x.tolist(), names, g.colors, strict=False):
        body.append(
            f'<rect x="{x:.1f}" y="30" width="10" height="10" fill="{color}"/>'
            f'<text x="{x + 14:.1f}" y="39" font-size="10" {FONT}>{esc(name)}</text>'
        )
    row_names = np.asarray(
        [
            esc(clip(n, label_chars - 2 * int(d)))
            for n, d in zip(g.unit_names, g.depth, strict=True)
        ],
        dtype=object,
    )
    body.extend(
        cat(
            '<text class="row" x="',
            num(8.0 + 12.0 * g.depth),
            '" y="',
            num(ys + cell_height - 3.0),
            f'" font-size="{min(11.0, cell_height - 2):.0f}" {FONT}><title>',
            unit_names,
            "</title>",
            row_names,
            "</text>",
        ).tolist()
    )
    col_names = np.asarray([esc(clip(n, head_chars)) for n in g.indicator_names], dtype=object)
    body.extend(
        cat(
            '<text class="col" transform="translate(',
            num(xs + cell_width / 2 + 3),
            f',{top - 4:.1f}) rotate(-60)" font-size="10" {FONT}><title>',
            ind_names,
            "</title>",
            col_names,
            "</text>",
        ).tolist()
    )
    body.append("".join(cells.reshape(-1).tolist()))
    return title, svg_document(title, width, height, body), width, height
