"""The Markdown report: a heading per perspective, tables of objectives and indicators."""

from __future__ import annotations

import re
from collections.abc import Sequence

from balanced_scorecard.builtins._report import ADJUSTED_MARK, NodeRow, Report

__all__ = ["escape_md", "render_markdown"]

# Characters that start emphasis, code, links, headings, table cells or strikethrough.
# Parentheses, ``!`` and ``+`` act only after ``]`` or at a line start, which the escapes
# here and the line-joining already rule out, so they stay readable.
_ACTIVE = re.compile(r"([\\`*_\[\]#|~])")


def escape_md(text: str) -> str:
    """``text`` safe inside a Markdown paragraph, heading or table cell.

    Markdown-active characters are backslash-escaped; ``&``, ``<`` and ``>`` become
    entities so no raw HTML survives; line breaks become spaces so a table row stays one row.

    Examples
    --------
    >>> escape_md("a|b *c* <script>")
    'a\\\\|b \\\\*c\\\\* &lt;script&gt;'
    """
    text = " ".join(text.splitlines())
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _ACTIVE.sub(r"\\\1", text)


def _row(cells: Sequence[str]) -> str:
    return "| " + " | ".join(c if c else " " for c in cells) + " |"


def _table(headers: Sequence[str], align: str, rows: Sequence[Sequence[str]]) -> list[str]:
    rule = ["---:" if a == "r" else "---" for a in align]
    return [_row(headers), _row(rule), *(_row(r) for r in rows)]


def _status(status: str | None) -> str:
    return escape_md(status) if status else "—"


def _node(r: NodeRow, *, bold: bool = False, marked: bool = False) -> list[str]:
    name = escape_md(r.name)
    return [
        f"**{name}**" if bold else name,
        escape_md(r.actual) + (f" {r.mark}" if r.mark else ""),
        *([escape_md(r.reported)] if marked else []),
        escape_md(r.target),
        r.score_text,
        _status(r.status) + (" ‡" if r.override else ""),
        r.arrow,
        escape_md(r.owner),
    ]


def render_markdown(report: Report) -> str:
    """The report as GitHub-flavoured Markdown."""
    t = report.total
    period = f"{report.period} (provisional)" if report.provisional else report.period
    out = [
        f"# {escape_md(report.title)}",
        "",
        f"**Period** {period} · **Org unit** {escape_md(report.org_unit_name)} · "
        f"**Score** {t.score_text} / 10 · **Status** {_status(t.status)} {t.arrow}".rstrip(),
    ]
    # A normalised actual carries its mark, and the reported one stands beside it.
    marked = any(r.mark for r in report.tree)
    headers = ["Objective / indicator", "Actual", *(["Reported"] if marked else [])]
    headers += ["Target", "Score", "Status", "Trend", "Owner"]
    align = "lrrrrlll" if marked else "lrrrlll"
    rows: list[list[str]] = []
    for r in report.tree[1:]:
        if r.kind == "perspective":
            if rows:
                out += ["", *_table(headers, align, rows)]
                rows = []
            out += [
                "",
                f"## {escape_md(r.name)}",
                "",
                f"Score {r.score_text} / 10 · {_status(r.status)} {r.arrow}".rstrip(),
            ]
        elif r.kind == "objective":
            rows.append(_node(r, bold=True, marked=marked))
        else:
            cells = _node(r, marked=marked)
            cells[0] = "  ↳ " + cells[0]
            rows.append(cells)
    if rows:
        out += ["", *_table(headers, align, rows)]

    if report.normalised:
        out += [
            "",
            "## Normalised values",
            "",
            f"Values marked {ADJUSTED_MARK} have one-time events taken out; the scores use "
            "them. The reported values:",
            "",
        ]
        out += _table(
            ["Indicator", "Org unit", "Reported", "Normalised", "Difference", "Score", "Why"],
            "llrrrll",
            [
                [
                    escape_md(n.name),
                    escape_md(n.org_unit),
                    escape_md(n.reported),
                    escape_md(n.normalised),
                    escape_md(n.difference),
                    f"{n.reported_score} {_status(n.reported_status)} → "
                    f"{n.normalised_score} {_status(n.normalised_status)}",
                    escape_md(n.events or n.via),
                ]
                for n in report.normalised
            ],
        )

    overridden = [r for r in report.tree if r.override]
    if overridden:
        out += ["", "## Overridden statuses", ""]
        out += [f"- ‡ {escape_md(r.name)}: {escape_md(r.override)}" for r in overridden]

    out += ["", "## Exceptions", ""]
    if report.exceptions:
        if len(report.exceptions) < report.exceptions_total:
            out += [f"Top {len(report.exceptions)} of {report.exceptions_total}.", ""]
        out += _table(
            ["Indicator", "Org unit", "Actual", "Target", "Score", "Status", "Trend", "Owner"],
            "llrrrlll",
            [
                [
                    escape_md(e.name),
                    escape_md(e.org_unit),
                    escape_md(e.actual) + (f" {e.mark}" if e.mark else ""),
                    escape_md(e.target),
                    e.score_text,
                    _status(e.status),
                    e.arrow,
                    escape_md(e.owner) or "—",
                ]
                for e in report.exceptions
            ],
        )
    else:
        out.append("None.")

    out += ["", "## Data quality", ""]
    if report.quality:
        out += [f"{report.quality_rows} data-quality finding(s).", ""]
        out += _table(
            ["Severity", "Rule", "Rows", "Example"],
            "llrl",
            [
                [escape_md(q.severity), escape_md(q.rule), str(q.count), escape_md(q.example)]
                for q in report.quality
            ],
        )
    else:
        out.append("No data-quality findings.")
    if report.notes:
        out += ["", "### Notes", ""]
        out += [
            f"- {escape_md(n.severity)} \\[{escape_md(n.rule)}\\] {escape_md(n.example)}"
            for n in report.notes
        ]
    return "\n".join(out) + "\n"
