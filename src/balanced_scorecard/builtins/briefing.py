"""The briefing book: the pack people read before and during a review meeting.

One page with the agenda (the scorecard at a glance, the exceptions, the escalations due,
decisions), then one page per exception with its explanation
(:meth:`~balanced_scorecard.Evaluation.explain`) and its root causes
(:meth:`~balanced_scorecard.Evaluation.root_causes`). Rendered as HTML
(:class:`BriefingRenderer`, print-ready: each section starts a new page), as Markdown
(:class:`BriefingMarkdownRenderer`) and as PDF (:class:`BriefingPdfRenderer`), which prints
that HTML with the system Chromium through Playwright (the optional extra ``pdf``).

Like every renderer it draws from :func:`balanced_scorecard.redaction.secure` for the
``role``: withheld indicators never become exceptions, and causes or lines naming them are
left out.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import attrs

from balanced_scorecard.builtins._report import check_options, format_score, format_value
from balanced_scorecard.exceptions import PdfEngineError
from balanced_scorecard.redaction import secure

if TYPE_CHECKING:
    from balanced_scorecard.results import Evaluation

__all__ = [
    "AUDIENCES",
    "Briefing",
    "BriefingItem",
    "BriefingMarkdownRenderer",
    "BriefingPdfRenderer",
    "BriefingRenderer",
    "build_briefing",
    "chromium_path",
    "html_to_pdf",
    "render_briefing_markdown",
]

#: Whose exceptions the briefing book discusses (see ``Evaluation.exceptions``).
AUDIENCES = ("executive", "operational", "all")

_MISSING_PDF = (
    "PDF output needs Playwright and a Chromium browser: pip install "
    "'balanced_scorecard[pdf]' and apt-get install chromium (or set BSC_CHROMIUM to the "
    "browser's path); the HTML and Markdown briefing books need neither"
)


@attrs.frozen(kw_only=True)
class BriefingItem:
    """One exception with its explanation and root causes, as lines of text."""

    node: str
    name: str
    org_unit: str
    status: str
    actual: str
    target: str
    score: str
    trend: str
    owner: str
    why: str
    explanation: tuple[str, ...]
    root_causes: tuple[str, ...]


@attrs.frozen(kw_only=True)
class Briefing:
    """What the briefing book shows; see :func:`build_briefing`."""

    title: str
    org_unit: str
    org_unit_name: str
    period: str
    provisional: bool
    audience: str
    score: str
    status: str
    agenda: tuple[str, ...]
    items: tuple[BriefingItem, ...]
    exceptions_total: int
    escalations: tuple[str, ...]


def _text(x: Any) -> str:
    return "" if x is None or x != x else str(x)


def _pattern(ev: Evaluation) -> re.Pattern[str] | None:
    hidden = ev.access.withheld if ev.access is not None else ()
    words = set()
    for node in hidden:
        ind = ev.scorecard.indicator(node)
        words |= {w for w in (ind.id, ind.name) if w and w.strip()}
    if not words:
        return None
    alternatives = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    return re.compile(rf"(?<![\w])(?:{alternatives})(?![\w])")


def _causes(ev: Evaluation, node: str, unit: str, period: str, hidden: set[str]) -> list[str]:
    """The root-cause tree as indented lines, without branches through withheld nodes."""
    tree = ev.root_causes(node, org_unit=unit, period=period)
    if not tree.children and node in {i.id for i in ev.scorecard.indicators}:
        # Causal links join objectives: an indicator's causes are its objective's.
        tree = ev.root_causes(ev.scorecard.indicator(node).objective, org_unit=unit, period=period)
    lines = [tree.lines()[0]]
    for depth, path, item in tree.walk():
        if hidden.intersection(path):
            continue
        lines.append(f"{'  ' * depth}- {item._line()}")
    return lines


def build_briefing(
    evaluation: Evaluation,
    *,
    period: str | None = None,
    org_unit: str | None = None,
    role: str | None = None,
    audience: str = "executive",
    max_exceptions: int | None = 10,
) -> Briefing:
    """The briefing book's content for one org unit (default: the top one) and period.

    Parameters
    ----------
    evaluation
        The evaluation; a view for ``role`` is drawn first.
    period, org_unit
        Focus period label and org unit id.
    role
        Whose view; ``None`` applies the output policy's default ceiling.
    audience
        ``executive`` (default), ``operational`` or ``all``: the exceptions significant
        for that audience (:meth:`~balanced_scorecard.Evaluation.exceptions`).
    max_exceptions
        Discuss at most this many exceptions (``None``: all).

    Examples
    --------
    >>> from balanced_scorecard.algorithms.significance import _example_evaluation
    >>> b = build_briefing(_example_evaluation(), audience="all", max_exceptions=2)
    >>> b.agenda[0], [i.node for i in b.items]
    ('Scorecard at a glance: 4.2 / 10, amber', ['defects', 'revenue'])
    >>> b.items[0].explanation[1]
    '  actual 13 · score 0.1333 (red) · trend worsening'
    >>> b.items[1].root_causes[2]  # doctest: +ELLIPSIS
    '  - delight [causes, lag 1] · 2025-03 · score 0.44 (amber) · ...'
    """
    if audience not in AUDIENCES:
        raise ValueError(
            f"briefing audience {audience!r} is not one of {', '.join(AUDIENCES)}; "
            "e.g. audience='executive'"
        )
    if max_exceptions is not None and max_exceptions < 0:
        raise ValueError(f"max_exceptions must be 0 or more, not {max_exceptions}")
    ev = secure(evaluation, role)
    sc = ev.scorecard
    p = ev.period_labels[ev.period_index(period)]
    unit = ev.units[ev.unit_index(org_unit)]
    hidden = set(ev.access.withheld) if ev.access is not None else set()
    pattern = _pattern(ev)

    def clean(text: str) -> str:
        return text if pattern is None else pattern.sub("[withheld]", text)

    subtree = set(sc.org_chart.subtree(unit))
    exc = ev.exceptions(period=p, audience=audience)
    exc = exc[exc["org_unit"].astype(str).isin(subtree) & ~exc["node"].astype(str).isin(hidden)]
    shown = exc if max_exceptions is None else exc.head(max_exceptions)
    items = []
    for r in shown.to_dict("records"):
        node, where = str(r["node"]), str(r["org_unit"])
        items.append(
            BriefingItem(
                node=node,
                name=_text(r["name"]) or node,
                org_unit=where,
                status=_text(r["status"]),
                actual=format_value(r["actual"], _text(r["unit"])),
                target=format_value(r["target"], _text(r["unit"])),
                score=format_score(r["score"]),
                trend=_text(r["trend"]),
                owner=_text(r["owner"]),
                why=clean(_text(r.get("why"))),
                explanation=tuple(clean(x) for x in ev.explain(node, where, p).lines()),
                root_causes=tuple(clean(x) for x in _causes(ev, node, where, p, hidden)),
            )
        )
    esc = ev.escalations(period=p)
    if len(esc):
        esc = esc[esc["org_unit"].astype(str).isin(subtree)]
        esc = esc[~esc["indicator"].astype(str).isin(hidden)]
    escalations = tuple(
        clean(
            f"{_text(e['name'])} @ {_text(e['org_unit'])}: {_text(e['reason'])}"
            + (f" (to {_text(e['to'])})" if _text(e["to"]) else "")
        )
        for e in esc.to_dict("records")
    )
    total_score = format_score(ev.score(org_unit=unit, period=p))
    total_status = ev.status(org_unit=unit, period=p) or "no status"
    agenda = (
        f"Scorecard at a glance: {total_score} / 10, {total_status}",
        f"Exceptions ({len(items)} of {len(exc)}): "
        + ("; ".join(f"{i.name} @ {i.org_unit}" for i in items) or "none"),
        f"Escalations due ({len(escalations)})",
        "Decisions, owners and due dates",
    )
    return Briefing(
        title=sc.name or sc.id,
        org_unit=unit,
        org_unit_name=sc.org_chart.unit(unit).label,
        period=p,
        provisional=p in ev.provisional,
        audience=audience,
        score=total_score,
        status=total_status,
        agenda=agenda,
        items=tuple(items),
        exceptions_total=len(exc),
        escalations=escalations,
    )


_MD_ACTIVE = re.compile(r"([\\`*_\[\]|<>~#])")


def _md(text: str) -> str:
    """Markdown text with its active characters escaped (and no raw HTML)."""
    return _MD_ACTIVE.sub(r"\\\1", " ".join(text.split()))


def _code(lines: tuple[str, ...]) -> list[str]:
    # A fence longer than any backtick run inside keeps the lines literal.
    longest = max((len(m) for x in lines for m in re.findall(r"`+", x)), default=0)
    fence = "`" * max(3, longest + 1)
    return [fence + "text", *lines, fence]


def render_briefing_markdown(b: Briefing) -> str:
    """The briefing book as Markdown (one ``##`` section per page of the HTML book).

    Examples
    --------
    >>> from balanced_scorecard.algorithms.significance import _example_evaluation
    >>> text = render_briefing_markdown(build_briefing(_example_evaluation(), max_exceptions=1))
    >>> print(text.splitlines()[0])
    # Briefing book: acme
    """
    out = [
        f"# Briefing book: {_md(b.title)}",
        "",
        f"**Org unit** {_md(b.org_unit_name)} · **Period** {_md(b.period)}"
        + (" (provisional)" if b.provisional else "")
        + f" · **Audience** {_md(b.audience)}",
        "",
        "## Agenda",
        "",
    ]
    out += [f"{k}. {_md(line)}" for k, line in enumerate(b.agenda, start=1)]
    out += ["", "## Exceptions", ""]
    if not b.items:
        out.append("None: nothing significant for this audience.")
    else:
        out += [
            "| Indicator | Org unit | Actual | Target | Score | Status | Owner |",
            "| --- | --- | ---: | ---: | ---: | --- | --- |",
        ]
        out += [
            f"| {_md(i.name)} | {_md(i.org_unit)} | {_md(i.actual)} | {_md(i.target)} | "
            f"{_md(i.score)} | {_md(i.status)} | {_md(i.owner)} |"
            for i in b.items
        ]
    for i in b.items:
        out += ["", f"## {_md(i.name)} @ {_md(i.org_unit)}", ""]
        if i.why:
            out += [f"Why it is here: {_md(i.why)}", ""]
        out += ["### Explanation", "", *_code(i.explanation), "", "### Root causes", ""]
        out += _code(i.root_causes)
    out += ["", "## Escalations due", ""]
    out += [f"- {_md(e)}" for e in b.escalations] or ["None."]
    return "\n".join(out) + "\n"


def _book_options() -> dict[str, Any]:
    return {"audience": "executive"}


class BriefingRenderer:
    """The briefing book as one printable HTML page (format ``briefing``): the agenda, the
    exceptions, then a page per exception with its explanation and root causes.

    Options (besides ``period``, ``org_unit``, ``max_exceptions``, ``role``): ``audience``
    (``executive`` by default, ``operational`` or ``all``).

    Examples
    --------
    >>> from balanced_scorecard.algorithms.significance import _example_evaluation
    >>> page = BriefingRenderer().render(_example_evaluation(), audience="all")
    >>> page.startswith("<!DOCTYPE html>"), "Root causes" in page
    (True, True)
    """

    media_type = "text/html"
    suffix = ".html"
    options: Mapping[str, Any] = _book_options()

    def render(self, evaluation: Evaluation, **options: Any) -> str:
        """Return the page."""
        from balanced_scorecard import __version__
        from balanced_scorecard.builtins.renderers import _environment

        o = check_options("briefing", options, self.options)
        b = build_briefing(
            evaluation,
            period=o["period"],
            org_unit=o["org_unit"],
            role=o["role"],
            audience=str(o["audience"]),
            max_exceptions=o["max_exceptions"],
        )
        page = _environment().get_template("briefing.html").render(b=b, version=__version__)
        return page.strip() + "\n"


class BriefingMarkdownRenderer:
    """The briefing book as Markdown (suggested format ``briefing-markdown``); the same
    options as :class:`BriefingRenderer`."""

    media_type = "text/markdown"
    suffix = ".md"
    options: Mapping[str, Any] = _book_options()

    def render(self, evaluation: Evaluation, **options: Any) -> str:
        """Return the Markdown text."""
        o = check_options("briefing-markdown", options, self.options)
        return render_briefing_markdown(
            build_briefing(
                evaluation,
                period=o["period"],
                org_unit=o["org_unit"],
                role=o["role"],
                audience=str(o["audience"]),
                max_exceptions=o["max_exceptions"],
            )
        )


def chromium_path() -> str | None:
    """The system Chromium: ``$BSC_CHROMIUM``, else ``chromium`` or ``chromium-browser``
    on the ``PATH``; ``None`` when there is none."""
    return (
        os.environ.get("BSC_CHROMIUM")
        or shutil.which("chromium")
        or shutil.which("chromium-browser")
    )


def html_to_pdf(page: str, *, executable: str | None = None) -> bytes:
    """Print an HTML page to PDF (A4, backgrounds on) with Chromium through Playwright.

    The page is loaded from memory and every network request is refused, so a page cannot
    fetch anything while printing.

    Raises
    ------
    PdfEngineError
        When Playwright is not installed or no Chromium is found; the message says what
        to install.
    """
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        raise PdfEngineError(_MISSING_PDF) from None
    path = executable or chromium_path()
    if not path or not os.path.exists(path):
        raise PdfEngineError(f"no Chromium at {path!r}. " + _MISSING_PDF)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=path, headless=True, args=["--no-sandbox"])
        try:
            tab = browser.new_page()
            tab.route("**/*", lambda route: route.abort())
            tab.set_content(page, wait_until="load")
            pdf: bytes = tab.pdf(format="A4", print_background=True, prefer_css_page_size=True)
        finally:
            browser.close()
    return pdf


class BriefingPdfRenderer:
    """The briefing book as PDF bytes (suggested format ``briefing-pdf``): the HTML book
    printed by the system Chromium. Needs the ``pdf`` extra and a Chromium (see
    :func:`chromium_path`); otherwise :class:`PdfEngineError` says what to install. The
    same options as :class:`BriefingRenderer`."""

    media_type = "application/pdf"
    suffix = ".pdf"
    options: Mapping[str, Any] = _book_options()

    def render(self, evaluation: Evaluation, **options: Any) -> bytes:
        """Return the PDF document."""
        return html_to_pdf(BriefingRenderer().render(evaluation, **options))
