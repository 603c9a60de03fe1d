"""The terminal report: aligned plain-text tables, optionally with coloured status markers."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from balanced_scorecard.builtins._report import ADJUSTED_MARK, Report

__all__ = ["ansi_marker", "clean", "render_text", "table", "truncate"]

_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_HEX = re.compile(r"#?([0-9a-fA-F]{6}|[0-9a-fA-F]{3})")
_NAMED = {
    "red": 31,
    "green": 32,
    "yellow": 33,
    "amber": 33,
    "orange": 33,
    "blue": 34,
    "purple": 35,
    "magenta": 35,
    "cyan": 36,
    "grey": 90,
    "gray": 90,
}
_NAME_WIDTH = 44
_OWNER_WIDTH = 24
_MESSAGE_WIDTH = 72


def clean(text: str) -> str:
    """``text`` on one line without control characters.

    A name holding an escape sequence could otherwise repaint the user's terminal.

    Examples
    --------
    >>> clean("a\\x1b[2Jb\\nc")
    'a�[2Jb c'
    """
    text = text.replace("\n", " ").replace("\r", " ").replace("\t", " ")
    return "".join("\ufffd" if unicodedata.category(c) == "Cc" else c for c in text)


def truncate(text: str, width: int) -> str:
    """``text`` cut to ``width`` characters, ending in ``…`` when cut.

    Examples
    --------
    >>> truncate("Grow profitable revenue", 10)
    'Grow prof…'
    """
    return text if len(text) <= width else text[: max(width - 1, 0)] + "…"


def _visible(text: str) -> int:
    return len(_ANSI.sub("", text))


def ansi_marker(color: str, marker: str = "●") -> str:
    """``marker`` painted in ``color`` (hex as 24-bit colour, a few names as basic colours).

    Examples
    --------
    >>> ansi_marker("#3a9a5b")
    '\\x1b[38;2;58;154;91m●\\x1b[0m'
    """
    m = _HEX.fullmatch(color.strip())
    if m:
        h = m.group(1)
        h = "".join(c * 2 for c in h) if len(h) == 3 else h
        r, g, b = (int(h[i : i + 2], 16) for i in (0, 2, 4))
        return f"\x1b[38;2;{r};{g};{b}m{marker}\x1b[0m"
    code = _NAMED.get(color.strip().lower())
    return f"\x1b[{code}m{marker}\x1b[0m" if code else marker


def table(headers: Sequence[str], rows: Sequence[Sequence[str]], align: str) -> list[str]:
    """Lines of an aligned table; every line has the same visible width.

    ``align`` holds one letter per column: ``l`` (left) or ``r`` (right). Cells may carry
    ANSI colour codes; widths count only what shows.

    Examples
    --------
    >>> for line in table(["Node", "Score"], [["Revenue", "6.7"]], "lr"):
    ...     print(f"[{line}]")
    [Node     Score]
    [───────  ─────]
    [Revenue    6.7]
    """
    widths = [max([_visible(h), *(_visible(r[k]) for r in rows)]) for k, h in enumerate(headers)]

    def line(cells: Sequence[str]) -> str:
        parts = []
        for k, cell in enumerate(cells):
            pad = " " * (widths[k] - _visible(cell))
            parts.append(pad + cell if align[k] == "r" else cell + pad)
        return "  ".join(parts)

    return [line(headers), "  ".join("─" * w for w in widths), *(line(r) for r in rows)]


def _status(status: str | None, color: str, use_color: bool) -> str:
    word = clean(status) if status else "—"
    return f"{ansi_marker(color)} {word}" if use_color and status else word


def _normalised(report: Report, color: bool) -> list[str]:
    """The values normalised for one-time events, beside the reported ones and why."""
    if not report.normalised:
        return []
    rows = [
        [
            truncate(clean(n.name), _NAME_WIDTH),
            truncate(clean(n.org_unit), 24),
            clean(n.reported),
            clean(n.normalised),
            clean(n.difference),
            f"{n.reported_score} {_status(n.reported_status, n.reported_color, color)} → "
            f"{n.normalised_score} {_status(n.normalised_status, n.normalised_color, color)}",
            truncate(clean(n.events) or clean(n.via), _MESSAGE_WIDTH),
        ]
        for n in report.normalised
    ]
    return [
        "",
        f"Normalised for one-time events ({ADJUSTED_MARK}); scores use the normalised values",
        *table(
            ["Indicator", "Org unit", "Reported", "Normalised", "Difference", "Score", "Why"],
            rows,
            "llrrrll",
        ),
    ]


def render_text(report: Report, *, color: bool = False, summary: bool = False) -> str:
    """The report as terminal text (see :class:`~balanced_scorecard.builtins.renderers.
    TextRenderer`)."""
    t = report.total
    head = [
        f"{clean(report.title)} · org unit {clean(report.org_unit_name)} · period {report.period}"
        + (" (provisional)" if report.provisional else ""),
        f"Score {t.score_text} / 10 · {_status(t.status, t.color, color)} {t.arrow}".rstrip(),
    ]
    if summary:
        head.extend(
            f"  {truncate(clean(p.name), _NAME_WIDTH)}: "
            + (
                f"{p.score_text} / 10 · {_status(p.status, p.color, color)} {p.arrow}".rstrip()
                if p.status
                else "no score"
            )
            for p in report.perspectives
        )
        head.append(
            f"{report.exceptions_total} exception(s); {report.quality_rows} data-quality "
            f"finding(s); {len(report.notes)} note(s)"
        )
        return "\n".join(head) + "\n"

    out = [*head, ""]
    # A normalised actual carries its mark, and the reported one stands beside it.
    marked = any(r.mark for r in report.tree)
    rows = [
        [
            truncate("  " * r.depth + clean(r.name), _NAME_WIDTH),
            clean(r.actual) + (f" {r.mark}" if r.mark else ""),
            *([clean(r.reported)] if marked else []),
            clean(r.target),
            r.score_text,
            _status(r.status, r.color, color) + (" ‡" if r.override else ""),
            r.arrow,
            truncate(clean(r.owner), _OWNER_WIDTH),
        ]
        for r in report.tree
    ]
    headers = ["Scorecard", "Actual", *(["Reported"] if marked else []), "Target", "Score"]
    out += table(
        [*headers, "Status", "Trend", "Owner"], rows, "lrrrlll" if not marked else "lrrrrlll"
    )
    out += _normalised(report, color)
    out += [f"‡ {clean(r.name)}: {clean(r.override)}" for r in report.tree if r.override]

    out.append("")
    if report.exceptions:
        shown = len(report.exceptions)
        more = f", top {shown} shown" if shown < report.exceptions_total else ""
        out.append(f"Exceptions ({report.exceptions_total}{more})")
        out += table(
            ["Indicator", "Org unit", "Actual", "Target", "Score", "Status", "Trend", "Owner"],
            [
                [
                    truncate(clean(e.name), _NAME_WIDTH),
                    truncate(clean(e.org_unit), 24),
                    clean(e.actual) + (f" {e.mark}" if e.mark else ""),
                    clean(e.target),
                    e.score_text,
                    _status(e.status, e.color, color),
                    e.arrow,
                    truncate(clean(e.owner) or "—", _OWNER_WIDTH),
                ]
                for e in report.exceptions
            ],
            "llrrrlll",
        )
    else:
        out.append("Exceptions: none")

    out.append("")
    if report.quality:
        out.append(f"Data quality ({report.quality_rows} data-quality finding(s))")
        out += table(
            ["Severity", "Rule", "Rows", "Example"],
            [
                [
                    clean(q.severity),
                    clean(q.rule),
                    str(q.count),
                    truncate(clean(q.example), _MESSAGE_WIDTH),
                ]
                for q in report.quality
            ],
            "llrl",
        )
    else:
        out.append("Data quality: no findings")
    if report.notes:
        out += ["", "Notes"]
        out += [
            f"  - {clean(n.severity)} [{clean(n.rule)}] {clean(n.example)}" for n in report.notes
        ]
    return "\n".join(out) + "\n"
