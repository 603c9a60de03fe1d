"""The HTML dashboard: one self-contained page per role-based view, with drill-down.

Where the ``html`` renderer prints one org unit as a report, the dashboard is for the screen
in a review: the strategy map, the perspective and objective scores, the indicator table and
two drill-downs that work by clicking, without a server: down the org tree (enterprise ->
business unit -> department) and down the scorecard (perspective -> objective -> indicator ->
its observations and lineage). The data for both lives in the page as JSON inside a
``<script type="application/json">`` element; a few lines of inline JavaScript (no framework,
no network) draw it with ``textContent``, so no user string is ever parsed as markup.

Three views (option ``view``):

``executive``
    The strategic tier (indicators with ``tier: strategic``) over the focus unit's org
    subtree, with the executive exceptions
    (:meth:`~balanced_scorecard.Evaluation.exceptions` with ``audience="executive"``).
``manager``
    Every indicator over the focus unit's subtree, with its exceptions.
``operational``
    The focus unit alone: its indicators, each with an individuals control chart, and the
    exceptions significant for the operation.

Everything is drawn from :func:`balanced_scorecard.redaction.secure` for the ``role``:
indicators the role may not see are left out (not blanked) of every table, the JSON and
the lineage, and text naming them is scrubbed.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import markupsafe
import numpy as np

from balanced_scorecard.builtins._report import check_options, format_value, safe_color
from balanced_scorecard.redaction import secure

if TYPE_CHECKING:
    from balanced_scorecard.governance.annotations import Annotation
    from balanced_scorecard.results import Evaluation

__all__ = ["VIEWS", "DashboardRenderer", "build_dashboard", "embed_json"]

#: The views the dashboard offers.
VIEWS = ("executive", "manager", "operational")

_ARROWS = {-1: "↓", 0: "→", 1: "↑"}
_TRENDS = {-1: "worsening", 0: "flat", 1: "improving"}
_KINDS = ("scorecard", "perspective", "objective", "indicator")
_MIN_CHART_POINTS = 8  # as Evaluation.signals: fewer points are too short to judge


def embed_json(data: Any) -> markupsafe.Markup:
    """``data`` as JSON that is safe inside ``<script type="application/json">``.

    ``<``, ``>`` and ``&`` are written as ``\\u003c``-style escapes, so no text in the data
    (``</script>``, ``<!--``) can close the element or open another; JSON parsers read the
    same string back. Keys keep their order, so the output is deterministic.

    Examples
    --------
    >>> str(embed_json({"name": "</script><b>"}))
    '{"name":"\\\\u003c/script\\\\u003e\\\\u003cb\\\\u003e"}'
    >>> json.loads(str(embed_json({"name": "</script>"})))["name"]
    '</script>'
    """
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    for char, escape in (
        ("&", "\\u0026"),
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(char, escape)
    return markupsafe.Markup(text)  # noqa: S704 - escaped above for a script data block


def _scrubber(ev: Evaluation, hidden: Sequence[str]) -> re.Pattern[str] | None:
    """A pattern matching the id or name of any withheld indicator as a whole word."""
    words: set[str] = set()
    for node in hidden:
        ind = ev.scorecard.indicator(node)
        words |= {w for w in (ind.id, ind.name) if w and w.strip()}
    if not words:
        return None
    alternatives = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    return re.compile(rf"(?<![\w])(?:{alternatives})(?![\w])")


def _clean(text: str, pattern: re.Pattern[str] | None) -> str:
    return text if pattern is None else pattern.sub("[withheld]", text)


def _score(x: float) -> float | None:
    return None if math.isnan(x) else round(float(x), 4)


def _view_units(ev: Evaluation, focus: str, view: str) -> list[str]:
    """The org units the view navigates: the focus unit's subtree in chart order (only
    units in the evaluation), or the focus unit alone for the operational view."""
    if view == "operational":
        return [focus]
    present = set(ev.units)
    return [u for u in ev.scorecard.org_chart.subtree(focus) if u in present]


def _nodes(ev: Evaluation, view: str, hidden: set[str]) -> list[dict[str, Any]]:
    """The scorecard tree the view shows, top first: scorecard, then each perspective with
    its objectives and their indicators (withheld ones left out)."""
    sc = ev.scorecard
    out = [{"id": sc.id, "kind": "scorecard", "name": sc.name or sc.id, "parent": None}]
    for persp in sc.perspectives:
        objectives = sc.objectives_of(persp.id)
        if not objectives:
            continue
        out.append({"id": persp.id, "kind": "perspective", "name": persp.label, "parent": sc.id})
        for obj in objectives:
            out.append({"id": obj.id, "kind": "objective", "name": obj.label, "parent": persp.id})
            for ind in sc.indicators_of(obj.id):
                if ind.id in hidden:
                    continue
                if view == "executive" and ind.tier.value != "strategic":
                    continue
                out.append(
                    {
                        "id": ind.id,
                        "kind": "indicator",
                        "name": ind.label,
                        "parent": obj.id,
                        "unit": ind.unit,
                    }
                )
    return out


def _cells(
    ev: Evaluation, nodes: list[dict[str, Any]], units: list[str], p: int
) -> dict[str, list[list[Any]]]:
    """Per org unit, per node (in ``nodes`` order): ``[score, status, actual, target,
    trend]`` at period ``p``; the scores are read for all units at once per node."""
    u_idx = np.array([ev.unit_index(u) for u in units], dtype=np.int64)
    status_names = ev.status_names
    columns: list[list[list[Any]]] = []
    for n in nodes:
        level, k = ev.locate(n["id"])
        scores = level.score[k, u_idx, p]
        status = level.status[k, u_idx, p]
        trend = level.trend.direction[k, u_idx, p]
        if n["kind"] == "indicator":
            unit = n["unit"]
            actual = [format_value(a, unit) for a in level.actual[k, u_idx, p].tolist()]  # type: ignore[union-attr]
            target = [
                format_value(t, unit)
                for t in level.targets["target"][k, u_idx, p].tolist()  # type: ignore[union-attr]
            ]
        else:
            actual = target = [""] * len(units)
        columns.append(
            [
                [
                    _score(s),
                    status_names[c] if c >= 0 else None,
                    a,
                    t,
                    int(d) if d in _ARROWS else None,
                ]
                for s, c, a, t, d in zip(
                    scores.tolist(), status.tolist(), actual, target, trend.tolist(), strict=True
                )
            ]
        )
    return {u: [col[j] for col in columns] for j, u in enumerate(units)}


def _detail(
    ev: Evaluation,
    nodes: list[dict[str, Any]],
    units: list[str],
    p: int,
    pattern: re.Pattern[str] | None,
) -> dict[str, dict[str, Any]]:
    """Per detail unit, per indicator: its series up to ``p`` and its lineage lines."""
    out: dict[str, dict[str, Any]] = {}
    labels = ev.period_labels[: p + 1]
    provisional = set(ev.provisional)
    for unit in units:
        u = ev.unit_index(unit)
        per: dict[str, Any] = {}
        for n in nodes:
            if n["kind"] != "indicator":
                continue
            level, k = ev.locate(n["id"])
            actual = level.actual[k, u, : p + 1]  # type: ignore[union-attr]
            target = level.targets["target"][k, u, : p + 1]  # type: ignore[union-attr]
            series = [
                [
                    label,
                    format_value(a, n["unit"]),
                    format_value(t, n["unit"]),
                    _score(s),
                    ev.status_names[c] if c >= 0 else None,
                    label in provisional,
                ]
                for label, a, t, s, c in zip(
                    labels,
                    actual.tolist(),
                    target.tolist(),
                    level.score[k, u, : p + 1].tolist(),
                    level.status[k, u, : p + 1].tolist(),
                    strict=True,
                )
            ]
            lines = ev.explain(n["id"], unit, ev.period_labels[p]).lines()
            per[n["id"]] = {"series": series, "lineage": [_clean(x, pattern) for x in lines]}
        out[unit] = per
    return out


def _annotations(
    notes: Iterable[Annotation],
    nodes: set[str],
    units: set[str],
    pattern: re.Pattern[str] | None,
) -> dict[str, dict[str, list[list[str]]]]:
    """Visible annotations per unit and node: ``[period, author, text]``, oldest first."""
    kept = sorted(
        (a for a in notes if a.node in nodes and a.org_unit in units),
        key=lambda a: (a.org_unit, a.node, a.period, a.at, a.id),
    )
    out: dict[str, dict[str, list[list[str]]]] = {}
    for a in kept:
        row = [a.period, _clean(a.author, pattern), _clean(a.text, pattern)]
        out.setdefault(a.org_unit, {}).setdefault(a.node, []).append(row)
    return out


def _show_overrides(
    ev: Evaluation,
    data: dict[str, Any],
    nodes: list[dict[str, Any]],
    period: str,
    pattern: re.Pattern[str] | None,
) -> None:
    """A note beside each cell an owner overrode at ``period``: who, what it replaced and
    why (the cell's status already is the overriding one; an override is never silent)."""
    shown = {n["id"] for n in nodes}
    latest = {o.cell: o for o in sorted(ev.overrides, key=lambda o: o.at)}
    for (node, unit, when), o in latest.items():
        if when != period or node not in shown or unit not in data["cells"]:
            continue
        computed = ev.overridden_from.get(o.cell) or "none"
        note = (
            f"\u2021 status overridden to {o.status} (computed {computed}): "
            f"{_clean(o.justification, pattern)}"
        )
        data["annotations"].setdefault(unit, {}).setdefault(node, []).append(
            [period, _clean(o.by, pattern), note]
        )


def _exceptions(
    ev: Evaluation,
    view: str,
    focus: str,
    units: list[str],
    period: str,
    hidden: set[str],
    limit: int | None,
) -> tuple[list[dict[str, str]], int]:
    audience = {"executive": "executive", "operational": "operational"}.get(view)
    if audience is None:
        frame = ev.exceptions(period=period)
    else:
        frame = ev.exceptions(period=period, audience=audience)
    frame = frame[frame["org_unit"].astype(str).isin(set(units))]
    frame = frame[~frame["node"].astype(str).isin(hidden)]
    total = len(frame)
    shown = frame if limit is None else frame.head(limit)
    rows = []
    for r in shown.to_dict("records"):
        unit = "" if r["unit"] is None or r["unit"] != r["unit"] else str(r["unit"])
        status = "" if r["status"] is None or r["status"] != r["status"] else str(r["status"])
        rows.append(
            {
                "node": str(r["node"]),
                "name": str(r["name"]),
                "org_unit": str(r["org_unit"]),
                "actual": format_value(r["actual"], unit),
                "target": format_value(r["target"], unit),
                "score": "—" if r["score"] != r["score"] else f"{float(r['score']) * 10:.1f}",
                "status": status,
                "trend": str(r["trend"] or ""),
                "owner": str(r["owner"] or ""),
                "why": str(r.get("why", "") or ""),
            }
        )
    return rows, total


def _charts(
    ev: Evaluation, nodes: list[dict[str, Any]], unit: str, p: int, limit: int
) -> list[dict[str, str]]:
    """Individuals control charts of the unit's indicators with enough points, drawn by
    :func:`balanced_scorecard.visual.charts.control_chart`."""
    if limit == 0:
        return []
    from balanced_scorecard.visual.charts import control_chart

    u = ev.unit_index(unit)
    label = ev.period_labels[p]
    labels = np.asarray(ev.period_labels[: p + 1], dtype=object)
    sig = ev.signals(period=label)
    mine = sig[sig["org_unit"] == unit]
    fired = dict(zip(mine["indicator"].astype(str), mine["rules"].astype(str), strict=True))
    out: list[dict[str, str]] = []
    for n in nodes:
        if len(out) >= limit:
            break
        if n["kind"] != "indicator":
            continue
        level, k = ev.locate(n["id"])
        series = level.actual[k, u, : p + 1]  # type: ignore[union-attr]
        present = ~np.isnan(series)
        if present.sum() < _MIN_CHART_POINTS:
            continue
        svg = control_chart(ev, n["id"], org_unit=unit, periods=list(labels)).svg
        out.append(
            {"node": n["id"], "name": n["name"], "svg": svg, "rules": fired.get(n["id"], "")}
        )
    return out


def _map_svg(ev: Evaluation, unit: str, period: str) -> str | None:
    """The strategy-map picture, or ``None`` when the drawing module is not installed."""
    try:
        from balanced_scorecard.visual.strategy_map import map_svg
    except ImportError:
        return None
    return str(map_svg(ev, org_unit=unit, period=period))


def build_dashboard(
    evaluation: Evaluation,
    *,
    view: str = "manager",
    org_unit: str | None = None,
    period: str | None = None,
    role: str | None = None,
    annotations: Iterable[Annotation] = (),
    max_exceptions: int | None = 10,
    control_charts: int = 24,
    detail_units: int = 5,
) -> dict[str, Any]:
    """Everything the dashboard template shows, as plain data (the page's JSON and more).

    Parameters
    ----------
    evaluation
        The evaluation; a view for ``role`` is drawn first (:func:`secure`).
    view
        ``executive``, ``manager`` or ``operational`` (see the module docstring).
    org_unit, period
        The focus org unit (default: the top one of the view) and period (default: the
        focus period of the evaluation).
    role
        Whose view; ``None`` applies the output policy's default ceiling.
    annotations
        :class:`~balanced_scorecard.governance.annotations.Annotation` objects; those on
        visible nodes and org units are shown beside the values.
    max_exceptions
        At most this many exceptions (``None``: all).
    control_charts
        At most this many control charts in the operational view (0: none).
    detail_units
        Embed observations and lineage for this many org units, nearest the focus first
        (the focus unit, then its children, breadth first); scores are embedded for all.

    Examples
    --------
    >>> from balanced_scorecard.results import _demo
    >>> d = build_dashboard(_demo())
    >>> [n["id"] for n in d["data"]["nodes"]], d["data"]["cells"]["all"][-1]
    (['demo', 'financial', 'grow', 'revenue'], [0.6667, 'green', '1,200 EUR', '1,200 EUR', 1])
    >>> d["data"]["detail"]["all"]["revenue"]["series"][0]
    ['2025-01', '1,100 EUR', '1,200 EUR', 0.5, 'amber', False]
    """
    if view not in VIEWS:
        raise ValueError(
            f"dashboard view {view!r} is not one of {', '.join(VIEWS)}; pick one, e.g. "
            "view='executive'"
        )
    for name, value in (("control_charts", control_charts), ("detail_units", detail_units)):
        if value < 0:
            raise ValueError(f"{name} must be 0 or more, not {value}")
    if max_exceptions is not None and max_exceptions < 0:
        raise ValueError(f"max_exceptions must be 0 or more, not {max_exceptions}")
    ev = secure(evaluation, role)
    sc = ev.scorecard
    p = ev.period_index(period)
    p_label = ev.period_labels[p]
    focus = ev.units[ev.unit_index(org_unit)]
    hidden = set(ev.access.withheld) if ev.access is not None else set()
    pattern = _scrubber(ev, sorted(hidden))
    units = _view_units(ev, focus, view)
    nodes = _nodes(ev, view, hidden)
    chart = sc.org_chart
    in_view = set(units)
    unit_rows = [
        {
            "id": u,
            "name": chart.unit(u).label,
            "parent": chart.unit(u).parent if chart.unit(u).parent in in_view else None,
            "children": [c for c in chart.children(u) if c in in_view],
            "depth": chart.depth(u) - chart.depth(focus),
        }
        for u in units
    ]
    # Breadth first from the focus unit: the units a reader opens first get lineage.
    order = sorted(units, key=lambda u: (chart.depth(u), units.index(u)))
    detail = _detail(ev, nodes, order[:detail_units], p, pattern)
    exceptions, exceptions_total = _exceptions(
        ev, view, focus, units, p_label, hidden, max_exceptions
    )
    bands = [[b.name, safe_color(b.color)] for b in sc.status_bands]
    node_ids = {n["id"] for n in nodes}
    data: dict[str, Any] = {
        "scorecard": sc.id,
        "view": view,
        "focus": focus,
        "period": p_label,
        "provisional": list(ev.provisional),
        "bands": bands,
        "units": unit_rows,
        "nodes": nodes,
        "cells": _cells(ev, nodes, units, p),
        "detail": detail,
        "annotations": _annotations(annotations, node_ids, in_view, pattern),
    }
    _show_overrides(ev, data, nodes, p_label, pattern)
    svg = _map_svg(ev, focus, p_label)
    if svg is not None and pattern is not None and pattern.search(svg):
        svg = None  # never show a picture that names a withheld indicator
    charts = _charts(ev, nodes, focus, p, control_charts) if view == "operational" else []
    focus_cells = data["cells"][focus]
    map_list: list[tuple[str, list[tuple[str, float | None, str | None]]]] = []
    for k, n in enumerate(nodes):
        if n["kind"] == "perspective":
            map_list.append((n["name"], []))
        elif n["kind"] == "objective":
            map_list[-1][1].append((n["name"], focus_cells[k][0], focus_cells[k][1]))
    return {
        "title": sc.name or sc.id,
        "description": sc.description,
        "view": view,
        "role": None if ev.access is None or ev.access.role is None else ev.access.role.value,
        "period": p_label,
        "periods": ev.period_labels,
        "provisional": p_label in ev.provisional,
        "org_unit": focus,
        "org_unit_name": chart.unit(focus).label,
        "colors": dict(bands),
        "data": data,
        "map_svg": svg,
        "map_list": map_list,
        "exceptions": exceptions,
        "exceptions_total": exceptions_total,
        "charts": charts,
    }


class DashboardRenderer:
    """The interactive HTML dashboard (format ``dashboard``): one self-contained page, no
    network, no CDN; drill-down by clicking, over data embedded in the page.

    Options (besides ``period``, ``org_unit``, ``max_exceptions``, ``role``):

    ``view``
        ``executive``, ``manager`` (default) or ``operational``.
    ``annotations``
        :class:`~balanced_scorecard.governance.annotations.Annotation` objects shown beside
        the values they comment on (default: none).
    ``control_charts``
        At most this many control charts in the operational view (default 24; 0: none).
    ``detail_units``
        Embed observations and lineage for this many org units nearest the focus
        (default 5); scores of every unit in the view are always embedded.

    Examples
    --------
    >>> from balanced_scorecard.results import _demo
    >>> page = DashboardRenderer().render(_demo(), view="executive")
    >>> page.startswith("<!DOCTYPE html>"), 'id="bsc-data"' in page, "cdn" in page.lower()
    (True, True, False)
    """

    media_type = "text/html"
    suffix = ".html"
    options: Mapping[str, Any] = {
        "view": "manager",
        "annotations": (),
        "control_charts": 24,
        "detail_units": 5,
    }

    def render(self, evaluation: Evaluation, **options: Any) -> str:
        """Return the page."""
        from balanced_scorecard import __version__
        from balanced_scorecard.builtins.renderers import _environment

        o = check_options("dashboard", options, self.options)
        d = build_dashboard(
            evaluation,
            view=str(o["view"]),
            org_unit=o["org_unit"],
            period=o["period"],
            role=o["role"],
            annotations=tuple(o["annotations"] or ()),
            max_exceptions=o["max_exceptions"],
            control_charts=int(o["control_charts"]),
            detail_units=int(o["detail_units"]),
        )
        page = (
            _environment()
            .get_template("dashboard.html")
            .render(d=d, payload=embed_json(d["data"]), version=__version__)
        )
        return page.strip() + "\n"
