"""Built-in renderers: ``text``, ``json``, ``markdown`` and ``html``.

Every renderer shows one focus period (default: the last evaluated) and one org unit
(default: the top one) and accepts these options:

``period``
    Label of the focus period, e.g. ``"2025-06"``.
``org_unit``
    Id of the focus org unit.
``max_exceptions``
    Show at most this many exceptions (default 10; ``None`` shows all).
``role``
    Show what this role may see under the scorecard's output policy (default: no role,
    the policy's default ceiling). Every renderer draws such a view, so personal data is
    never rendered; see :meth:`~balanced_scorecard.Evaluation.for_role`.

Each renderer also has options of its own (listed on its class). An option name a renderer
does not know raises :class:`TypeError` naming the options it accepts, so a misspelling
never passes silently.

User strings are escaped for each format: HTML through Jinja2 with autoescape, Markdown by
backslash-escaping its active characters, text by dropping control characters, JSON by
:func:`json.dumps`.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import math
from typing import TYPE_CHECKING, Any

import jinja2
import numpy as np
import pandas as pd

from balanced_scorecard.builtins._markdown import render_markdown
from balanced_scorecard.builtins._report import build_report, check_options
from balanced_scorecard.builtins._text import render_text
from balanced_scorecard.plugins.hookspecs import hookimpl
from balanced_scorecard.plugins.registries import RegisterRenderer
from balanced_scorecard.redaction import secure

if TYPE_CHECKING:
    from balanced_scorecard.results import Evaluation

__all__ = [
    "HtmlRenderer",
    "JsonRenderer",
    "MarkdownRenderer",
    "TextRenderer",
    "bsc_register_renderers",
]


class TextRenderer:
    """A terminal report: the scorecard tree with actual, target, score (0–10), status and
    trend, then the exceptions with their owners, the data-quality summary and notes.

    Options (besides ``period``, ``org_unit``, ``max_exceptions``): ``color`` (default
    ``False``) paints a coloured marker before each status; ``summary`` (default ``False``)
    gives only the headline, the perspective scores and the counts.

    Examples
    --------
    >>> from balanced_scorecard.results import _demo
    >>> print(TextRenderer().render(_demo()))
    demo · org unit Organisation · period 2025-02
    Score 6.7 / 10 · green ↑
    <BLANKLINE>
    Scorecard         Actual     Target  Score  Status  Trend  Owner
    ─────────────  ─────────  ─────────  ─────  ──────  ─────  ─────
    demo                                   6.7  green   ↑
      Financial                            6.7  green   ↑
        Grow                               6.7  green   ↑
          Revenue  1,200 EUR  1,200 EUR    6.7  green   ↑
    <BLANKLINE>
    Exceptions: none
    <BLANKLINE>
    Data quality: no findings
    <BLANKLINE>
    """

    media_type = "text/plain"
    suffix = ".txt"
    options: dict[str, Any] = {"color": False, "summary": False}  # noqa: RUF012

    def render(self, evaluation: Evaluation, **options: Any) -> str:
        """Return the report as text."""
        o = check_options("text", options, self.options)
        report = build_report(
            evaluation,
            period=o["period"],
            org_unit=o["org_unit"],
            role=o["role"],
            max_exceptions=o["max_exceptions"],
            units_table=False,
            max_control_charts=0,
        )
        return render_text(report, color=bool(o["color"]), summary=bool(o["summary"]))


class MarkdownRenderer:
    """A Markdown report: a heading and a table per perspective, the exceptions table and the
    data-quality summary. No options beyond the common ones.

    Examples
    --------
    >>> from balanced_scorecard.results import _demo
    >>> print(MarkdownRenderer().render(_demo()))  # doctest: +ELLIPSIS
    # demo
    <BLANKLINE>
    **Period** 2025-02 · **Org unit** Organisation · **Score** 6.7 / 10 · **Status** green ↑
    <BLANKLINE>
    ## Financial
    ...
    |   ↳ Revenue | 1,200 EUR | 1,200 EUR | 6.7 | green | ↑ |   |
    ...
    """

    media_type = "text/markdown"
    suffix = ".md"
    options: dict[str, Any] = {}  # noqa: RUF012

    def render(self, evaluation: Evaluation, **options: Any) -> str:
        """Return the report as Markdown."""
        o = check_options("markdown", options, self.options)
        report = build_report(
            evaluation,
            period=o["period"],
            org_unit=o["org_unit"],
            role=o["role"],
            max_exceptions=o["max_exceptions"],
            units_table=False,
            max_control_charts=0,
        )
        return render_markdown(report)


@functools.cache
def _environment() -> jinja2.Environment:
    # autoescape=True for every template, whatever its suffix: the report is all HTML.
    return jinja2.Environment(
        loader=jinja2.PackageLoader("balanced_scorecard", "builtins/templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )


class HtmlRenderer:
    """A self-contained HTML page: no network, no CDN, inline CSS, print-friendly.

    It shows the overall score and status, a card per perspective with a score bar in its
    status colour, the objectives and indicators (each indicator expands to its
    explanation), the scores of every org unit, the exceptions with owners and the
    data-quality summary.

    Options (besides ``period``, ``org_unit``, ``max_exceptions``): ``fragment`` (default
    ``False``) returns only the ``<div>`` (what notebooks embed); ``explain`` (default
    ``True``) includes the collapsible explanations; ``control_charts`` (default 12) draws
    up to that many individuals control charts (0: none) for the indicators scored by
    control limits or signalling a special cause in the focus period.

    Examples
    --------
    >>> from balanced_scorecard.results import _demo
    >>> page = HtmlRenderer().render(_demo())
    >>> page.startswith("<!DOCTYPE html>"), "Revenue" in page
    (True, True)
    >>> HtmlRenderer().render(_demo(), fragment=True).startswith('<div class="bsc-report">')
    True
    """

    media_type = "text/html"
    suffix = ".html"
    options: dict[str, Any] = {"fragment": False, "explain": True, "control_charts": 12}  # noqa: RUF012

    def render(self, evaluation: Evaluation, **options: Any) -> str:
        """Return the page (or the fragment)."""
        from balanced_scorecard import __version__

        o = check_options("html", options, self.options)
        report = build_report(
            evaluation,
            period=o["period"],
            org_unit=o["org_unit"],
            role=o["role"],
            max_exceptions=o["max_exceptions"],
            explain=bool(o["explain"]),
            max_control_charts=int(o["control_charts"]),
        )
        html = (
            _environment()
            .get_template("report.html")
            .render(r=report, fragment=bool(o["fragment"]), version=__version__)
        )
        return html.strip() + "\n"


def _plain(v: Any) -> Any:
    """A JSON-native value: NaN, infinities and missing markers become ``None``."""
    if v is None or isinstance(v, str | bool):
        return v
    if isinstance(v, np.bool_):
        return bool(v)
    if isinstance(v, int | np.integer):
        return int(v)
    if isinstance(v, float | np.floating):
        f = float(v)
        return f if math.isfinite(f) else None
    if isinstance(v, dt.date | dt.datetime | pd.Timestamp):
        return None if pd.isna(v) else v.isoformat()
    if isinstance(v, dict):
        return {str(k): _plain(x) for k, x in v.items()}
    if isinstance(v, list | tuple):
        return [_plain(x) for x in v]
    try:
        if pd.isna(v):
            return None
    except (TypeError, ValueError):
        pass
    return str(v)


def _column(s: pd.Series) -> list[Any]:
    if pd.api.types.is_float_dtype(s.dtype):
        arr = s.to_numpy(dtype=float)
        out: list[Any] = arr.tolist()
        for k in np.flatnonzero(~np.isfinite(arr)):
            out[k] = None
        return out
    exact = pd.api.types.is_integer_dtype(s.dtype) or pd.api.types.is_bool_dtype(s.dtype)
    if exact and not s.isna().any():
        return list(s.to_numpy().tolist())
    return [_plain(v) for v in s.tolist()]


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    # Column by column: a frame of every node, unit and period has millions of cells.
    cols = [str(c) for c in frame.columns]
    values = [_column(frame.iloc[:, k]) for k in range(len(cols))]
    return [dict(zip(cols, row, strict=True)) for row in zip(*values, strict=True)]


def _access(ev: Evaluation) -> dict[str, Any]:
    view = ev.access
    if view is None:  # not reached through the renderers, which always draw a view
        return {"role": None, "ceiling": None, "withheld": []}
    return {
        "role": None if view.role is None else view.role.value,
        "ceiling": view.ceiling.value,
        "withheld": list(view.withheld),
    }


class JsonRenderer:
    """The evaluation as JSON, for programs: keys in a fixed order, NaN written as ``null``.

    The document holds ``scorecard`` (``id``, ``name``), ``period``, ``org_unit``,
    ``periods``, ``units``, ``status_bands``, ``nodes`` (rows of
    :meth:`~balanced_scorecard.Evaluation.to_frame`), ``exceptions``, ``quality`` (the
    data-quality findings), ``notes`` and ``normalised`` (the values of the focus period with
    one-time events taken out, beside the reported ones: rows of
    :meth:`~balanced_scorecard.Evaluation.compare_reported`) and ``access`` (the ``role``
    the document was made for, its ``ceiling`` and the ids of the ``withheld`` indicators).

    Options (besides ``period``, ``org_unit``, ``max_exceptions``): ``all_periods`` (default
    ``False``) puts every evaluated period in ``nodes``, not just the focus period;
    ``indent`` (default 2; ``None`` for one line). Without ``org_unit``, ``nodes`` holds
    every org unit; with it, only that unit.

    Examples
    --------
    >>> import json
    >>> from balanced_scorecard.results import _demo
    >>> doc = json.loads(JsonRenderer().render(_demo()))
    >>> list(doc)[:4], [n["node"] for n in doc["nodes"]][-3:]
    (['scorecard', 'period', 'org_unit', 'periods'], ['learning_growth', 'grow', 'revenue'])
    >>> [n["actual"] for n in doc["nodes"]][-2:]
    [None, 1200.0]
    """

    media_type = "application/json"
    suffix = ".json"
    options: dict[str, Any] = {"all_periods": False, "indent": 2}  # noqa: RUF012

    def render(self, evaluation: Evaluation, **options: Any) -> str:
        """Return the JSON document."""
        o = check_options("json", options, self.options)
        ev = secure(evaluation, o["role"])
        sc = ev.scorecard
        p = ev.period_labels[ev.period_index(o["period"])]
        unit = ev.units[ev.unit_index(o["org_unit"])]
        nodes = ev.to_frame(period=False if o["all_periods"] else p, org_unit=o["org_unit"])
        exc = ev.exceptions(period=p)
        exc = exc[exc["org_unit"].astype(str).isin(set(sc.org_chart.subtree(unit)))]
        if o["max_exceptions"] is not None:
            exc = exc.head(int(o["max_exceptions"]))
        normalised = ev.compare_reported(period=p)
        normalised = normalised[normalised["org_unit"].isin(set(sc.org_chart.subtree(unit)))]
        doc = {
            "scorecard": {"id": sc.id, "name": sc.name},
            "period": p,
            "org_unit": unit,
            "periods": list(ev.period_labels),
            "provisional": list(ev.provisional),
            "as_known_at": ev.as_known_at,
            "units": [
                {"id": u, "name": sc.org_chart.unit(u).label, "parent": sc.org_chart.unit(u).parent}
                for u in ev.units
            ],
            "status_bands": [
                {"name": b.name, "lower": b.lower, "color": b.color, "is_good": b.is_good}
                for b in sc.status_bands
            ],
            "nodes": _records(nodes),
            "exceptions": _records(exc),
            "quality": _records(ev.quality),
            "notes": _records(ev.notes),
            "normalised": _records(normalised),
            "access": _access(ev),
        }
        return json.dumps(doc, indent=o["indent"], ensure_ascii=False, allow_nan=False) + "\n"


@hookimpl
def bsc_register_renderers(register: RegisterRenderer) -> None:
    """Register ``text``, ``json``, ``markdown``, ``html``, the ``dashboard`` and the briefing
    book (``briefing`` as HTML, ``briefing-markdown``, ``briefing-pdf``)."""
    from balanced_scorecard.builtins.briefing import (
        BriefingMarkdownRenderer,
        BriefingPdfRenderer,
        BriefingRenderer,
    )
    from balanced_scorecard.builtins.dashboard import DashboardRenderer

    register("text", TextRenderer())
    register("json", JsonRenderer())
    register("markdown", MarkdownRenderer())
    register("html", HtmlRenderer())
    register("dashboard", DashboardRenderer())
    register("briefing", BriefingRenderer())
    register("briefing-markdown", BriefingMarkdownRenderer())
    register("briefing-pdf", BriefingPdfRenderer())
