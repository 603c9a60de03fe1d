"""The view that every built-in renderer draws: one org unit and one period of an evaluation.

Renderers differ in markup only; what goes on the page (which nodes, in which order, how a
score or an actual is written, which exceptions are shown) is decided here once, so the text
report, the Markdown and the HTML page always tell the same story.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np
import pandas as pd

from balanced_scorecard.redaction import secure

if TYPE_CHECKING:
    from balanced_scorecard.results import Evaluation

__all__ = [
    "ADJUSTED_MARK",
    "COMMON_OPTIONS",
    "OVERRIDDEN_MARK",
    "ExceptionRow",
    "NodeRow",
    "NormalisedRow",
    "QualityRow",
    "Report",
    "UnitRow",
    "build_report",
    "check_options",
    "format_score",
    "format_value",
    "safe_color",
]

#: Marks a value normalised for one-time events; the reported value is shown beside it.
ADJUSTED_MARK = "†"
#: Marks a status an owner overrode by hand; the computed status and the reason go with it.
OVERRIDDEN_MARK = "‡"

#: Options every built-in renderer accepts, with their defaults.
COMMON_OPTIONS: Mapping[str, Any] = {
    "period": None,
    "org_unit": None,
    "max_exceptions": 10,
    "role": None,
}

TREND_ARROWS: Mapping[str, str] = {"improving": "↑", "flat": "→", "worsening": "↓"}

_UNIT_SYMBOLS = {"percent": "%", "dimensionless": "", "": ""}

# Only colour syntaxes that cannot carry anything else: a colour lands in a CSS property,
# and a band colour is user input like any other.
_COLOR = re.compile(r"#[0-9a-fA-F]{3,8}|[a-zA-Z]{3,20}|rgba?\(\s*[0-9.,%\s]{5,40}\)")


def check_options(
    renderer: str, options: Mapping[str, Any], extra: Mapping[str, Any]
) -> dict[str, Any]:
    """Merge ``options`` over the defaults, rejecting names the renderer does not know.

    A misspelt option would otherwise be ignored without a word, and the report would
    quietly show something else than asked for.

    Examples
    --------
    >>> check_options("text", {"color": True}, {"color": False})["color"]
    True
    >>> check_options("text", {"colour": True}, {"color": False})
    Traceback (most recent call last):
    ...
    TypeError: renderer 'text' got unknown option(s) 'colour'; it accepts: color, ...
    """
    allowed = {**COMMON_OPTIONS, **extra}
    unknown = sorted(set(options) - set(allowed))
    if unknown:
        raise TypeError(
            f"renderer {renderer!r} got unknown option(s) "
            f"{', '.join(repr(u) for u in unknown)}; it accepts: {', '.join(sorted(allowed))}"
        )
    return {**allowed, **options}


def safe_color(value: str, default: str = "#999999") -> str:
    """``value`` if it is a plain CSS colour (hex, name or ``rgb()``), else ``default``.

    Examples
    --------
    >>> safe_color("#3a9a5b"), safe_color("red;background:url(x)")
    ('#3a9a5b', '#999999')
    """
    return value if _COLOR.fullmatch(value.strip()) else default


def _missing(x: Any) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def format_value(x: Any, unit: str = "") -> str:
    """An actual or target as people read it: thousands separators, at most 4 significant
    digits below 100, the unit after it (``%`` for percent); ``—`` when missing.

    Examples
    --------
    >>> format_value(12500000.0, "EUR"), format_value(95.25, "percent"), format_value(1.0)
    ('12,500,000 EUR', '95.25%', '1')
    >>> format_value(float("nan"), "EUR")
    '—'
    """
    if _missing(x):
        return "—"
    v = float(x)
    text = f"{v:,.0f}" if abs(v) >= 100 else f"{v:,.4g}"
    symbol = _UNIT_SYMBOLS.get(unit, unit)
    if symbol == "%":
        return text + "%"
    return f"{text} {symbol}" if symbol else text


def format_score(x: Any) -> str:
    """A [0, 1] score on the 0–10 scale with one decimal, as commercial tools show it.

    Examples
    --------
    >>> format_score(2 / 3), format_score(float("nan"))
    ('6.7', '—')
    """
    return "—" if _missing(x) else f"{float(x) * 10:.1f}"


@attrs.frozen(kw_only=True)
class NodeRow:
    """One node of the scorecard tree in the focus org unit and period."""

    node: str
    kind: str
    name: str
    depth: int
    actual: str
    target: str
    score: float | None
    score_text: str
    status: str | None
    color: str
    trend: str
    arrow: str
    owner: str
    #: :data:`ADJUSTED_MARK` when the actual is normalised, with the reported actual and the
    #: reasons (the events) beside it; empty otherwise.
    mark: str = ""
    reported: str = ""
    reasons: str = ""
    #: When an owner overrode the status: who, the computed status and why; else empty.
    override: str = ""


@attrs.frozen(kw_only=True)
class UnitRow:
    """One org unit: its scorecard score and each perspective's, in the focus period."""

    unit: str
    name: str
    depth: int
    focus: bool
    cells: tuple[NodeRow, ...]


@attrs.frozen(kw_only=True)
class ExceptionRow:
    """One exception (a red or worsening indicator), with its owner."""

    node: str
    name: str
    org_unit: str
    actual: str
    target: str
    score_text: str
    status: str | None
    color: str
    arrow: str
    owner: str
    #: :data:`ADJUSTED_MARK` when the actual is normalised, and the reasons.
    mark: str = ""
    reasons: str = ""


@attrs.frozen(kw_only=True)
class ChartRow:
    """An indicator's individuals control chart over the evaluated periods, as SVG."""

    node: str
    name: str
    org_unit: str
    #: The run rules the focus period breaks (comma-separated), or "" for none.
    rules: str
    #: A self-contained SVG document; every label in it is escaped.
    svg: str


@attrs.frozen(kw_only=True)
class NormalisedRow:
    """One indicator value normalised for one-time events, beside the reported one."""

    node: str
    name: str
    org_unit: str
    reported: str
    normalised: str
    difference: str
    reported_score: str
    reported_status: str | None
    reported_color: str
    normalised_score: str
    normalised_status: str | None
    normalised_color: str
    via: str
    events: str


@attrs.frozen(kw_only=True)
class QualityRow:
    """Input rows or evaluation notes grouped by rule."""

    severity: str
    rule: str
    count: int
    example: str


@attrs.frozen(kw_only=True)
class Report:
    """What the renderers show; see :func:`build_report`."""

    scorecard: str
    title: str
    description: str
    period: str
    periods: tuple[str, ...]
    #: True when the focus period's books were not closed at the knowledge date.
    provisional: bool
    org_unit: str
    org_unit_name: str
    total: NodeRow
    perspectives: tuple[NodeRow, ...]
    tree: tuple[NodeRow, ...]
    units: tuple[UnitRow, ...]
    exceptions: tuple[ExceptionRow, ...]
    exceptions_total: int
    quality: tuple[QualityRow, ...]
    quality_rows: int
    notes: tuple[QualityRow, ...]
    bands: tuple[tuple[str, str], ...]
    explanations: Mapping[str, tuple[str, ...]] = attrs.field(factory=dict)
    #: The values normalised for one-time events in the focus period and org subtree, with
    #: the reported ones (see :meth:`~balanced_scorecard.Evaluation.compare_reported`).
    normalised: tuple[NormalisedRow, ...] = ()
    #: Control charts of the indicators scored by control limits or signalling a special
    #: cause in the focus period and org unit.
    control_charts: tuple[ChartRow, ...] = ()


def _text(x: Any) -> str:
    return "" if x is None or (isinstance(x, float) and math.isnan(x)) else str(x)


def _node_rows(
    ev: Evaluation,
    frame: pd.DataFrame,
    colors: Mapping[str, str],
    depth: Mapping[str, int],
    unit: str,
) -> dict[str, NodeRow]:
    out: dict[str, NodeRow] = {}
    sc = ev.scorecard
    for rec in frame.to_dict("records"):
        node, kind = str(rec["node"]), str(rec["kind"])
        unit_name = _text(rec["unit"])
        status = None if _missing(rec["status"]) else str(rec["status"])
        score = None if _missing(rec["score"]) else float(rec["score"])
        trend = _text(rec["trend"])
        out[node] = NodeRow(
            node=node,
            kind=kind,
            name=_text(rec["name"]) or node,
            depth=depth.get(kind, 0),
            actual=format_value(rec["actual"], unit_name) if kind == "indicator" else "",
            target=format_value(rec["target"], unit_name) if kind == "indicator" else "",
            score=score,
            score_text=format_score(score),
            status=status,
            color=colors.get(status or "", "#999999"),
            trend=trend,
            arrow=TREND_ARROWS.get(trend, ""),
            owner=", ".join(sc.people(node, "owner", unit)) if kind != "scorecard" else "",
            override=_override_text(rec),
        )
    return out


def _override_text(rec: Mapping[Any, Any]) -> str:
    by = _text(rec.get("overridden_by"))
    if not by:
        return ""
    return (
        f"status overridden by {by} (computed: {_text(rec.get('original_status')) or 'none'})"
        f": {_text(rec.get('override_justification'))}"
    )


def _signed(x: Any, unit: str) -> str:
    text = format_value(x, unit)
    return "+" + text if not _missing(x) and float(x) > 0 else text


def _normalised_rows(
    ev: Evaluation, period: str, subtree: set[str], colors: Mapping[str, str]
) -> tuple[NormalisedRow, ...]:
    """The normalised cells of the focus period in the subtree, in the evaluation's order."""
    frame = ev.compare_reported(period=period)
    frame = frame[frame["org_unit"].isin(subtree)]
    sc = ev.scorecard
    return tuple(
        NormalisedRow(
            node=str(r["indicator"]),
            name=sc.indicator(str(r["indicator"])).label,
            org_unit=str(r["org_unit"]),
            reported=format_value(r["reported"], str(r["unit"])),
            normalised=format_value(r["normalised"], str(r["unit"])),
            difference=_signed(r["difference"], str(r["unit"])),
            reported_score=format_score(r["reported_score"]),
            reported_status=None if _missing(r["reported_status"]) else str(r["reported_status"]),
            reported_color=colors.get(_text(r["reported_status"]), "#999999"),
            normalised_score=format_score(r["normalised_score"]),
            normalised_status=(
                None if _missing(r["normalised_status"]) else str(r["normalised_status"])
            ),
            normalised_color=colors.get(_text(r["normalised_status"]), "#999999"),
            via=_text(r["via"]),
            events=_text(r["events"]),
        )
        for r in frame.to_dict("records")
    )


def _grouped(frame: pd.DataFrame) -> tuple[QualityRow, ...]:
    if frame.empty:
        return ()
    rows = []
    for (severity, rule), part in frame.groupby(["severity", "rule"], sort=False, observed=True):
        rows.append(
            QualityRow(
                severity=str(severity),
                rule=str(rule),
                count=len(part),
                example=_text(part["message"].iloc[0]),
            )
        )
    rank = {"error": 0, "warning": 1}
    return tuple(sorted(rows, key=lambda r: (rank.get(r.severity, 2), -r.count, r.rule)))


def _control_charts(ev: Evaluation, unit: str, p_label: str, limit: int) -> tuple[ChartRow, ...]:
    """I-MR charts up to the focus period for the indicators that ask for one: scored by
    control limits, or breaking a run rule in the focus period."""
    from balanced_scorecard.visual.charts import control_chart

    if limit == 0:
        return ()
    sig = ev.signals(period=p_label)
    sig = sig[sig["org_unit"] == unit]
    fired = dict(zip(sig["indicator"], sig["rules"], strict=True))
    wanted = [
        ind.id
        for ind in ev.scorecard.indicators
        if ind.scoring.method == "control_limits" or ind.id in fired
    ]
    u, p = ev.unit_index(unit), ev.period_index(p_label)
    shown = list(ev.period_labels[: p + 1])
    out: list[ChartRow] = []
    for node in wanted[:limit]:
        present = ~np.isnan(ev.indicators.actual[ev.indicators.ids.index(node), u, : p + 1])
        if present.sum() < 8:
            continue  # too short to judge, as for Evaluation.signals
        out.append(
            ChartRow(
                node=node,
                name=ev.scorecard.indicator(node).label,
                org_unit=unit,
                rules=fired.get(node, ""),
                svg=control_chart(ev, node, org_unit=unit, periods=shown).svg,
            )
        )
    return tuple(out)


def build_report(
    ev: Evaluation,
    *,
    period: str | None = None,
    org_unit: str | None = None,
    max_exceptions: int | None = 10,
    explain: bool = False,
    units_table: bool = True,
    role: str | None = None,
    max_control_charts: int = 12,
) -> Report:
    """Everything a renderer shows for one org unit (default: the top one) and one period
    (default: the focus period).

    Parameters
    ----------
    ev
        The evaluation.
    period, org_unit
        Focus period label and org unit id.
    max_exceptions
        Show at most this many exceptions (``None``: all).
    explain
        Also collect :meth:`~balanced_scorecard.Evaluation.explain` lines per indicator.
    units_table
        Also score every org unit (the org-unit overview).
    role
        Show what this role may see (see :func:`balanced_scorecard.redaction.secure`):
        the report is always drawn from a view, so personal data never reaches it.
    max_control_charts
        Draw at most this many control charts (0: none) for the indicators scored by
        control limits or signalling a special cause in the focus period.

    Examples
    --------
    >>> from balanced_scorecard.results import _demo
    >>> r = build_report(_demo())
    >>> for row in r.tree:
    ...     print(row.depth, row.name, row.score_text, row.status)
    0 demo 6.7 green
    1 Financial 6.7 green
    2 Grow 6.7 green
    3 Revenue 6.7 green
    """
    if max_exceptions is not None and max_exceptions < 0:
        raise ValueError(f"max_exceptions must be 0 or more, not {max_exceptions}")
    if max_control_charts < 0:
        raise ValueError(f"max_control_charts must be 0 or more, not {max_control_charts}")
    ev = secure(ev, role)
    sc = ev.scorecard
    p_label = ev.period_labels[ev.period_index(period)]
    unit = ev.units[ev.unit_index(org_unit)]
    colors = {b.name: safe_color(b.color) for b in sc.status_bands}
    depth = {"scorecard": 0, "perspective": 1, "objective": 2, "indicator": 3}
    rows = _node_rows(ev, ev.to_frame(period=p_label, org_unit=unit), colors, depth, unit)
    normalised = _normalised_rows(ev, p_label, set(sc.org_chart.subtree(unit)), colors)
    adjusted = {(n.node, n.org_unit): n for n in normalised}
    for (node, org), n in adjusted.items():
        if org == unit and node in rows:
            rows[node] = attrs.evolve(
                rows[node], mark=ADJUSTED_MARK, reported=n.reported, reasons=n.events
            )
    total = rows[sc.id]
    perspectives: list[NodeRow] = []
    tree = [total]
    for persp in sc.perspectives:
        objectives = sc.objectives_of(persp.id)
        if not objectives:
            # An empty perspective has nothing to show; `bsc check` reports it as a gap.
            continue
        perspectives.append(rows[persp.id])
        tree.append(rows[persp.id])
        for obj in objectives:
            tree.append(rows[obj.id])
            tree.extend(rows[i.id] for i in sc.indicators_of(obj.id))

    unit_rows: list[UnitRow] = []
    if units_table:
        everything = ev.to_frame(period=p_label, org_unit=False)
        wanted = {sc.id, *(r.node for r in perspectives)}
        everything = everything[everything["node"].isin(wanted)]
        top_depth = sc.org_chart.depth(ev.units[0])
        for u, part in everything.groupby("org_unit", sort=False, observed=True):
            cells = _node_rows(ev, part, colors, depth, str(u))
            unit_rows.append(
                UnitRow(
                    unit=str(u),
                    name=sc.org_chart.unit(str(u)).label,
                    depth=sc.org_chart.depth(str(u)) - top_depth,
                    focus=str(u) == unit,
                    cells=(cells[sc.id], *(cells[r.node] for r in perspectives)),
                )
            )

    exc = ev.exceptions(period=p_label)
    subtree = set(sc.org_chart.subtree(unit))
    exc = exc[exc["org_unit"].astype(str).isin(subtree)]
    shown = exc if max_exceptions is None else exc.head(max_exceptions)
    exceptions = tuple(
        ExceptionRow(
            node=str(r["node"]),
            name=_text(r["name"]) or str(r["node"]),
            org_unit=str(r["org_unit"]),
            actual=format_value(r["actual"], _text(r["unit"])),
            target=format_value(r["target"], _text(r["unit"])),
            score_text=format_score(r["score"]),
            status=None if _missing(r["status"]) else str(r["status"]),
            color=colors.get(_text(r["status"]), "#999999"),
            arrow=TREND_ARROWS.get(_text(r["trend"]), ""),
            owner=_text(r["owner"]),
            **(
                {"mark": ADJUSTED_MARK, "reasons": adjusted[key].events}
                if (key := (str(r["node"]), str(r["org_unit"]))) in adjusted
                else {}
            ),
        )
        for r in shown.to_dict("records")
    )
    explanations = {
        r.node: tuple(ev.explain(r.node, unit, p_label).lines())
        for r in tree
        if explain and r.kind == "indicator"
    }
    return Report(
        scorecard=sc.id,
        title=sc.name or sc.id,
        description=sc.description,
        period=p_label,
        periods=ev.period_labels,
        provisional=p_label in ev.provisional,
        org_unit=unit,
        org_unit_name=sc.org_chart.unit(unit).label,
        total=total,
        perspectives=tuple(perspectives),
        tree=tuple(tree),
        units=tuple(unit_rows),
        exceptions=exceptions,
        exceptions_total=len(exc),
        quality=_grouped(ev.quality),
        quality_rows=len(ev.quality),
        notes=tuple(
            QualityRow(
                severity=_text(n["severity"]),
                rule=_text(n["rule"]),
                count=int(n["count"]),
                example=_text(n["message"]),
            )
            for n in ev.notes.to_dict("records")
        ),
        bands=tuple((b.name, safe_color(b.color)) for b in sc.status_bands),
        explanations=explanations,
        normalised=normalised,
        control_charts=_control_charts(ev, unit, p_label, max_control_charts),
    )
