"""The strategy map as text for people who draw elsewhere: Graphviz DOT and Mermaid.

Both draw the same :class:`~balanced_scorecard.visual._map_view.MapView` as the SVG: a
cluster (DOT) or subgraph (Mermaid) per perspective in the scorecard's order, objectives
filled with their status colour and showing their score, causal links with sign, lag and
strength, cascades set apart. Every user string is escaped for the target language; output is
deterministic.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping
from typing import Any

from balanced_scorecard.visual._map_view import (
    NO_SCORE_COLOR,
    LinkView,
    MapView,
    ObjectiveView,
    hex_color,
    map_view,
    text_color,
)

__all__ = ["dot_string", "mermaid_ids", "mermaid_text", "to_dot", "to_mermaid"]

_POSITIVE, _FEEDBACK, _CASCADE = "#3b4a5a", "#7b4fa0", "#8c8c8c"

# -- shared -----------------------------------------------------------------------------------


def _node_label(o: ObjectiveView) -> list[str]:
    lines = [o.label]
    if o.score_text:
        lines.append(o.score_text + (f" · {o.status}" if o.status else ""))
    return lines


def _link_label(link: LinkView) -> str:
    if link.kind == "cascades":
        return "cascades"
    parts = ["+" if link.sign > 0 else "−"]
    if link.lag:
        parts.append(f"lag {link.lag}")
    if link.weight != 1.0:
        parts.append(f"w {link.weight:g}")
    if link.feedback:
        parts.append("feedback")
    return " ".join(parts)


def _penwidth(link: LinkView) -> float:
    if link.kind == "cascades" or link.strength is None:
        return 0.8 if link.kind == "causes" else 1.2
    return round(0.8 + 2.4 * link.strength, 2)


def _colour(link: LinkView) -> str:
    if link.kind == "cascades":
        return _CASCADE
    return _FEEDBACK if link.feedback else _POSITIVE


# -- Graphviz DOT -----------------------------------------------------------------------------


def dot_string(value: object) -> str:
    """``value`` as a quoted DOT string: backslashes doubled (so no Graphviz escape such as
    ``\\N`` can form), quotes escaped, line breaks as ``\\n``.

    Examples
    --------
    >>> print(dot_string('say "hi"\\\\ <b>'))
    "say \\"hi\\"\\\\ <b>"
    """
    text = str(value).replace("\r", "").replace("\\", "\\\\").replace('"', '\\"')
    return '"' + text.replace("\n", "\\n") + '"'


def _attrs(pairs: Mapping[str, object]) -> str:
    return "[" + ", ".join(f"{k}={dot_string(v)}" for k, v in pairs.items()) + "]"


def to_dot(
    subject: Any,
    *,
    org_unit: str | None = None,
    period: str | None = None,
    show_indicators: bool = False,
    strengths: Mapping[tuple[str, str], float] | Any = None,
) -> str:
    """The strategy map as a Graphviz ``digraph`` (render with ``dot -Tsvg``).

    One cluster per perspective in the scorecard's order, drawn bottom to top
    (``rankdir=BT``) so learning & growth ends at the bottom; the objectives of a cluster
    share a rank. Nodes are filled with their status colour (grey without a score); edge
    labels give the sign, the lag and a weight other than 1; negative links are dashed,
    feedback links purple (and do not constrain the ranking), cascades dotted grey; the pen
    width shows the strength. Every id and label is a quoted, escaped DOT string.

    Parameters
    ----------
    subject, org_unit, period, strengths
        As for :func:`~balanced_scorecard.visual.strategy_map.map_svg`.
    show_indicators
        Also draw the indicators as ellipses joined to their objective; links between
        indicators then start and end at the indicators.

    Examples
    --------
    >>> from balanced_scorecard.results import _demo
    >>> print(to_dot(_demo()))  # doctest: +ELLIPSIS
    digraph "demo" {
      graph [rankdir="BT", newrank="true", ...];
    ...
      subgraph "cluster_financial" {
        graph [label="Financial", ...];
        { rank=same; "grow"; }
        "grow" [label="Grow\\n6.7 · green", fillcolor="#3a9a5b", ...];
      }
    }
    """
    view = map_view(subject, org_unit=org_unit, period=period, strengths=strengths)
    out = [
        f"digraph {dot_string(view.title)} {{",
        "  graph "
        + _attrs(
            {
                "rankdir": "BT",
                "newrank": "true",
                "fontname": "sans-serif",
                "label": f"{view.title} — strategy map",
                "labelloc": "t",
            }
        )
        + ";",
        "  node "
        + _attrs(
            {
                "shape": "box",
                "style": "rounded,filled",
                "fontname": "sans-serif",
                "fontsize": "11",
                "fillcolor": NO_SCORE_COLOR,
                "color": "#4a4a4a",
            }
        )
        + ";",
        "  edge " + _attrs({"fontname": "sans-serif", "fontsize": "9"}) + ";",
    ]
    members: dict[str, list[ObjectiveView]] = {p: [] for p, _ in view.perspectives}
    for o in view.objectives:
        members[o.perspective].append(o)
    shown = [(p, label) for p, label in view.perspectives if members[p]]
    for k, (pid, label) in enumerate(shown):
        fill = "#f3f5f7" if k % 2 == 0 else "#fafbfc"
        out.append(f"  subgraph {dot_string('cluster_' + pid)} {{")
        out.append(
            "    graph "
            + _attrs(
                {"label": label, "style": "rounded,filled", "fillcolor": fill, "color": "#d0d5db"}
            )
            + ";"
        )
        out.append(
            "    { rank=same; " + " ".join(dot_string(o.id) + ";" for o in members[pid]) + " }"
        )
        for o in members[pid]:
            tip = [f"{o.label} ({o.id})"] + ([o.description] if o.description else [])
            fill_o = hex_color(o.color, NO_SCORE_COLOR)
            out.append(
                f"    {dot_string(o.id)} "
                + _attrs(
                    {
                        "label": "\n".join(_node_label(o)),
                        "fillcolor": fill_o,
                        "fontcolor": text_color(fill_o),
                        "tooltip": "\n".join(tip),
                    }
                )
                + ";"
            )
            if show_indicators:
                for i in o.indicators:
                    fill_i = hex_color(i.color, NO_SCORE_COLOR)
                    text = f"{i.label}\n{i.score_text}" if i.score_text else i.label
                    out.append(
                        f"    {dot_string(i.id)} "
                        + _attrs(
                            {
                                "label": text,
                                "shape": "ellipse",
                                "style": "filled",
                                "fontsize": "9",
                                "fillcolor": fill_i,
                                "fontcolor": text_color(fill_i),
                            }
                        )
                        + ";"
                    )
        out.append("  }")
    if show_indicators:
        for o in view.objectives:
            for i in o.indicators:
                out.append(
                    f"  {dot_string(i.id)} -> {dot_string(o.id)} "
                    + _attrs({"style": "dotted", "arrowhead": "none", "color": _CASCADE})
                    + ";"
                )
    for link in view.links:
        a = link.cause if show_indicators else link.source
        b = link.effect if show_indicators else link.target
        style = "dotted" if link.kind == "cascades" else ("dashed" if link.sign < 0 else "solid")
        options: dict[str, object] = {
            "label": _link_label(link),
            "style": style,
            "color": _colour(link),
            "penwidth": f"{_penwidth(link):g}",
        }
        if link.kind == "cascades":
            options["arrowhead"] = "onormal"
        if link.feedback:
            options["constraint"] = "false"
        if link.description:
            options["tooltip"] = link.description
        out.append(f"  {dot_string(a)} -> {dot_string(b)} " + _attrs(options) + ";")
    # keep the perspectives stacked in their order even where no link joins two of them
    for (upper, _), (lower, _) in itertools.pairwise(shown):
        out.append(
            f"  {dot_string(members[lower][0].id)} -> {dot_string(members[upper][0].id)} "
            + _attrs({"style": "invis"})
            + ";"
        )
    out.append("}")
    return "\n".join(out) + "\n"


# -- Mermaid ----------------------------------------------------------------------------------

# Characters that end or restyle a Mermaid label, or would be read as markup: written as
# Mermaid entity codes (#<decimal>;), which it shows as the character itself.
_MERMAID_SPECIAL = '"#&<>`|{}[]()\\;:%'
_MERMAID_TABLE = {ord(c): f"#{ord(c)};" for c in _MERMAID_SPECIAL}
_UNSAFE_ID = re.compile(r"[^A-Za-z0-9_]")


def mermaid_text(value: object) -> str:
    """``value`` for a quoted Mermaid label: special characters as entity codes, line
    breaks as spaces.

    Examples
    --------
    >>> mermaid_text('a "b" <script>')
    'a #34;b#34; #60;script#62;'
    """
    text = re.sub(r"\s+", " ", str(value))
    return text.translate(_MERMAID_TABLE)


def mermaid_ids(view: MapView) -> dict[str, str]:
    """Safe Mermaid identifiers for every perspective, objective and indicator id.

    Letters, digits and ``_`` only, with a prefix by kind (``p_``, ``o_``, ``i_``) so no id
    is a Mermaid keyword; a clash after cleaning gets ``_2``, ``_3``... in definition order,
    so the mapping is stable.

    Examples
    --------
    >>> from balanced_scorecard.results import _demo
    >>> mermaid_ids(map_view(_demo()))["revenue"]
    'i_revenue'
    """
    used: set[str] = set()
    out: dict[str, str] = {}
    nodes = [("p_", p) for p, _ in view.perspectives]
    nodes += [("o_", o.id) for o in view.objectives]
    nodes += [("i_", i.id) for o in view.objectives for i in o.indicators]
    for prefix, node in nodes:
        base = prefix + _UNSAFE_ID.sub("_", node)
        candidate, n = base, 1
        while candidate in used:
            n += 1
            candidate = f"{base}_{n}"
        used.add(candidate)
        out[node] = candidate
    return out


def to_mermaid(
    subject: Any,
    *,
    org_unit: str | None = None,
    period: str | None = None,
    show_indicators: bool = False,
    strengths: Mapping[tuple[str, str], float] | Any = None,
) -> str:
    """The strategy map as a Mermaid ``flowchart BT`` (bottom to top).

    One subgraph per perspective, objectives as boxes styled by status class (``classDef``
    with the status band's colour), links labelled with sign, lag and a weight other than
    1; negative links dotted (``-.->``), cascades grey, feedback links purple; the
    ``linkStyle`` stroke width shows the strength. Ids are cleaned into safe identifiers
    (see :func:`mermaid_ids`); labels are quoted and escaped (see :func:`mermaid_text`).

    Parameters
    ----------
    subject, org_unit, period, show_indicators, strengths
        As for :func:`to_dot`.

    Examples
    --------
    >>> from balanced_scorecard.results import _demo
    >>> print(to_mermaid(_demo()))
    flowchart BT
      subgraph p_financial["Financial"]
        direction LR
        o_grow["Grow<br/>6.7 · green"]
      end
      classDef no_score fill:#d9d9d9,stroke:#4a4a4a,color:#1a1a1a
      classDef st_red fill:#d64545,stroke:#4a4a4a,color:#1a1a1a
      classDef st_amber fill:#e8a33d,stroke:#4a4a4a,color:#1a1a1a
      classDef st_green fill:#3a9a5b,stroke:#4a4a4a,color:#1a1a1a
      class o_grow st_green
    """
    view = map_view(subject, org_unit=org_unit, period=period, strengths=strengths)
    ids = mermaid_ids(view)
    out = ["flowchart BT"]
    members: dict[str, list[ObjectiveView]] = {p: [] for p, _ in view.perspectives}
    for o in view.objectives:
        members[o.perspective].append(o)
    for pid, label in view.perspectives:
        if not members[pid]:
            continue
        out.append(f'  subgraph {ids[pid]}["{mermaid_text(label)}"]')
        out.append("    direction LR")
        for o in members[pid]:
            text = "<br/>".join(mermaid_text(s) for s in _node_label(o))
            out.append(f'    {ids[o.id]}["{text}"]')
            if show_indicators:
                for i in o.indicators:
                    parts = [mermaid_text(i.label)] + ([i.score_text] if i.score_text else [])
                    out.append(f'    {ids[i.id]}(["{"<br/>".join(parts)}"])')
        out.append("  end")
    styles: list[str] = []
    edge_no = 0
    if show_indicators:
        for o in view.objectives:
            for i in o.indicators:
                out.append(f"  {ids[i.id]} --- {ids[o.id]}")
                styles.append(f"  linkStyle {edge_no} stroke:{_CASCADE},stroke-width:1px")
                edge_no += 1
    for link in view.links:
        a = ids[link.cause if show_indicators else link.source]
        b = ids[link.effect if show_indicators else link.target]
        arrow = "-.->" if link.sign < 0 or link.kind == "cascades" else "-->"
        out.append(f'  {a} {arrow}|"{mermaid_text(_link_label(link))}"| {b}')
        dash = ",stroke-dasharray:2 3" if link.kind == "cascades" else ""
        styles.append(
            f"  linkStyle {edge_no} stroke:{_colour(link)},stroke-width:{_penwidth(link):g}px{dash}"
        )
        edge_no += 1
    # one class per status band, and one for "no score"
    classes: dict[str, str] = {}
    out.append(
        f"  classDef no_score fill:{NO_SCORE_COLOR},stroke:#4a4a4a,"
        f"color:{text_color(NO_SCORE_COLOR)}"
    )
    used = {"no_score"}
    for name, colour in view.bands:
        base = "st_" + _UNSAFE_ID.sub("_", name)
        candidate, n = base, 1
        while candidate in used:
            n += 1
            candidate = f"{base}_{n}"
        used.add(candidate)
        classes[name] = candidate
        fill = hex_color(colour, NO_SCORE_COLOR)
        out.append(f"  classDef {candidate} fill:{fill},stroke:#4a4a4a,color:{text_color(fill)}")
    if view.evaluated:
        for o in view.objectives:
            cls = classes.get(o.status or "", "no_score") if o.score is not None else "no_score"
            out.append(f"  class {ids[o.id]} {cls}")
    else:
        plain = [ids[o.id] for o in view.objectives]
        if plain:
            out.append(f"  class {','.join(plain)} no_score")
    out.extend(styles)
    return "\n".join(out) + "\n"
