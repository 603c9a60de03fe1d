"""What every strategy-map picture shows, decided once: which objectives, in which status
colour and with which score, which links with which sign and strength.

The SVG (:mod:`~balanced_scorecard.visual.strategy_map`), the Graphviz DOT and the Mermaid
exports (:mod:`~balanced_scorecard.visual.exports`) differ in syntax only; they all draw a
:class:`MapView`, so a map looks the same wherever it is drawn. Colours from the scorecard's
status bands pass through :func:`~balanced_scorecard.builtins._report.safe_color`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np

from balanced_scorecard.builtins._report import format_score, safe_color
from balanced_scorecard.exceptions import ModelError, UnknownNodeError

if TYPE_CHECKING:
    from balanced_scorecard.model.scorecard import Scorecard
    from balanced_scorecard.results import Evaluation
    from balanced_scorecard.strategy_map import StrategyMap

__all__ = [
    "NO_SCORE_COLOR",
    "IndicatorView",
    "LinkView",
    "MapView",
    "ObjectiveView",
    "as_strategy_map",
    "hex_color",
    "map_view",
    "plain_text",
    "text_color",
]

#: Fill of an objective without an evaluation or without a score.
NO_SCORE_COLOR = "#d9d9d9"

# Characters XML 1.0 forbids anywhere (even escaped); a name carrying one would make the
# whole SVG unreadable, so they are dropped.
_XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_HEX = re.compile(r"#([0-9a-fA-F]{3}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})")
_RGB = re.compile(r"rgba?\(\s*([0-9.]+%?)\s*,\s*([0-9.]+%?)\s*,\s*([0-9.]+%?)\s*(?:,[^)]*)?\)")


def plain_text(value: object) -> str:
    """``value`` as text without the control characters XML cannot carry.

    Examples
    --------
    >>> plain_text("a\\x00b\\tc")
    'ab\\tc'
    """
    return _XML_FORBIDDEN.sub("", str(value))


def hex_color(value: str, default: str = "#999999") -> str:
    """A safe CSS colour as ``#rrggbb`` (or a plain colour name), for formats that accept
    nothing else (Graphviz, Mermaid styles); ``default`` when it cannot be written so.

    Examples
    --------
    >>> hex_color("#abc"), hex_color("rgb(255, 0, 10)"), hex_color("teal")
    ('#aabbcc', '#ff000a', 'teal')
    >>> hex_color("red;stroke:url(x)")
    '#999999'
    """
    safe = safe_color(value, default).strip()
    m = _HEX.fullmatch(safe)
    if m:
        digits = m[1]
        if len(digits) == 3:
            digits = "".join(c * 2 for c in digits)
        return "#" + digits[:6].lower()
    m = _RGB.fullmatch(safe)
    if m:
        channels = []
        for part in m.groups():
            v = float(part[:-1]) * 255 / 100 if part.endswith("%") else float(part)
            channels.append(min(max(round(v), 0), 255))
        return "#" + "".join(f"{c:02x}" for c in channels)
    return safe if safe.isalpha() else default


def text_color(fill: str) -> str:
    """Black or white, whichever contrasts more with ``fill`` (WCAG relative luminance);
    black for colour names, whose value is not known here.

    Examples
    --------
    >>> text_color("#1f3a5f"), text_color("#e8a33d"), text_color("navy")
    ('#ffffff', '#1a1a1a', '#1a1a1a')
    """
    h = hex_color(fill, "")
    if not h.startswith("#"):
        return "#1a1a1a"
    rgb = np.array([int(h[i : i + 2], 16) for i in (1, 3, 5)], dtype=np.float64) / 255.0
    lin = np.where(rgb <= 0.03928, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    lum = float(np.dot(lin, [0.2126, 0.7152, 0.0722]))
    # contrast with white is 1.05 / (L + 0.05), with black (L + 0.05) / 0.05
    return "#ffffff" if 1.05 / (lum + 0.05) > (lum + 0.05) / 0.05 else "#1a1a1a"


@attrs.frozen(kw_only=True)
class IndicatorView:
    """One indicator as drawn: label, score text and status colour."""

    id: str
    label: str
    objective: str
    score_text: str
    status: str | None
    color: str


@attrs.frozen(kw_only=True)
class ObjectiveView:
    """One objective as drawn: label, perspective, score and status colour."""

    id: str
    label: str
    perspective: str
    description: str
    score: float | None
    #: The score as the report writes it (0-10, one decimal, ``—`` when missing).
    score_text: str
    status: str | None
    #: The fill: the status band's colour, or :data:`NO_SCORE_COLOR`.
    color: str
    #: Black or white, whichever reads better on :attr:`color`.
    ink: str
    indicators: tuple[IndicatorView, ...]


@attrs.frozen(kw_only=True)
class LinkView:
    """One causal link (``kind="causes"``) or cascade (``kind="cascades"``) as drawn.

    ``cause``/``effect`` are the ids as defined (objectives or indicators); ``source`` /
    ``target`` are the objectives whose boxes the arrow joins.
    """

    cause: str
    effect: str
    source: str
    target: str
    kind: str
    sign: int
    weight: float
    lag: int
    feedback: bool
    description: str
    #: In [0, 1]: from the evidence mapping when one is given, else the weight over the
    #: largest weight; ``None`` when the mapping has no number for this link (or a cascade).
    strength: float | None
    #: ``"evidence"`` or ``"weight"``: where :attr:`strength` comes from.
    strength_from: str


@attrs.frozen(kw_only=True)
class MapView:
    """Everything a strategy-map picture shows (see :func:`map_view`)."""

    title: str
    perspectives: tuple[tuple[str, str], ...]
    objectives: tuple[ObjectiveView, ...]
    links: tuple[LinkView, ...]
    #: (name, colour) of the status bands, lowest first; empty without an evaluation.
    bands: tuple[tuple[str, str], ...]
    evaluated: bool
    org_unit: str | None
    period: str | None


def as_strategy_map(subject: Any) -> tuple[StrategyMap, Scorecard | None, Evaluation | None]:
    """The strategy map of a Scorecard, Evaluation or StrategyMap, with the others when known."""
    from balanced_scorecard.model.scorecard import Scorecard
    from balanced_scorecard.results import Evaluation
    from balanced_scorecard.strategy_map import StrategyMap

    if isinstance(subject, Evaluation):
        return subject.scorecard.strategy_map, subject.scorecard, subject
    if isinstance(subject, Scorecard):
        return subject.strategy_map, subject, None
    if isinstance(subject, StrategyMap):
        return subject, None, None
    raise TypeError(
        "a strategy-map picture is drawn from a Scorecard, an Evaluation or a StrategyMap, "
        f"not {type(subject).__name__}"
    )


def _strength_table(
    given: Mapping[tuple[str, str], float] | Any, links: set[tuple[str, str]]
) -> dict[tuple[str, str], float | None]:
    """Validated evidence strengths keyed by (cause, effect); NaN means "no evidence"."""
    strengths: Any = given
    if hasattr(strengths, "columns"):  # a link_evidence frame
        missing = {"cause", "effect", "strength"} - set(strengths.columns)
        if missing:
            raise ModelError(
                "a strengths frame needs the columns cause, effect and strength (as "
                f"Evaluation.link_evidence returns); missing: {', '.join(sorted(missing))}"
            )
        strengths = {
            (str(c), str(e)): float(s)
            for c, e, s in zip(
                strengths["cause"], strengths["effect"], strengths["strength"], strict=True
            )
        }
    out: dict[tuple[str, str], float | None] = {}
    for key, value in strengths.items():
        pair = (str(key[0]), str(key[1]))
        if pair not in links:
            raise UnknownNodeError(
                f"strengths name the link {pair[0]!r} -> {pair[1]!r}, which is not a causal "
                "link of the strategy map; give strengths for defined links only"
            )
        s = float(value)
        if math.isnan(s):
            out[pair] = None
            continue
        if not 0.0 <= s <= 1.0:
            raise ModelError(
                f"strength {s} of link {pair[0]!r} -> {pair[1]!r} is outside [0, 1]; give "
                "the evidence strength (e.g. |r|), or NaN for no evidence"
            )
        out[pair] = s
    return out


def map_view(
    subject: Any,
    *,
    org_unit: str | None = None,
    period: str | None = None,
    strengths: Mapping[tuple[str, str], float] | Any = None,
) -> MapView:
    """Decide what a strategy-map picture shows.

    Parameters
    ----------
    subject
        A :class:`~balanced_scorecard.Scorecard`, an
        :class:`~balanced_scorecard.Evaluation` (objectives coloured by status) or a
        :class:`~balanced_scorecard.strategy_map.StrategyMap`.
    org_unit, period
        With an evaluation: whose scores and which period (default: the top unit, the
        focus period). Without one they must be ``None``.
    strengths
        Evidence strength per causal link in [0, 1], keyed by ``(cause, effect)``, or the
        frame :meth:`~balanced_scorecard.Evaluation.link_evidence` returns; NaN means no
        evidence. Default: strength from the link weights.

    Examples
    --------
    >>> from balanced_scorecard.results import _demo
    >>> v = map_view(_demo())
    >>> o = v.objectives[0]
    >>> o.label, o.score_text, o.status, o.color
    ('Grow', '6.7', 'green', '#3a9a5b')
    """
    smap, scorecard, ev = as_strategy_map(subject)
    if ev is None and (org_unit is not None or period is not None):
        raise TypeError(
            "org_unit and period choose whose scores to show, so they need an Evaluation; "
            "pass the evaluation (scorecard.evaluate(...)) or leave them out"
        )
    perspective_ids = {p.id for p in smap.perspectives}
    for o in smap.objectives:
        if o.perspective not in perspective_ids:
            raise ModelError(
                f"objective {o.id!r} sits in perspective {o.perspective!r}, which the map "
                "does not define; add the perspective or move the objective"
            )
    colors: dict[str, str] = {}
    obj_score: dict[str, float] = {}
    obj_status: dict[str, str | None] = {}
    ind_score: dict[str, float] = {}
    ind_status: dict[str, str | None] = {}
    unit_id: str | None = None
    period_label: str | None = None
    bands: tuple[tuple[str, str], ...] = ()
    if ev is not None:
        u, p = ev.unit_index(org_unit), ev.period_index(period)
        unit_id, period_label = ev.units[u], ev.period_labels[p]
        names = ev.status_names
        bands = tuple((b.name, safe_color(b.color)) for b in ev.scorecard.status_bands)
        colors = dict(bands)
        for level, scores, statuses in (
            (ev.objectives, obj_score, obj_status),
            (ev.indicators, ind_score, ind_status),
        ):
            score = level.score[:, u, p]
            code = level.status[:, u, p]
            for k, node in enumerate(level.ids):
                scores[node] = float(score[k])
                statuses[node] = None if int(code[k]) < 0 else names[int(code[k])]

    def _score(table: Mapping[str, float], node: str) -> float | None:
        x = table.get(node, math.nan)
        return None if math.isnan(x) else x

    def _fill(status: str | None, score: float | None) -> str:
        if status is None or score is None:
            return NO_SCORE_COLOR
        return colors.get(status, NO_SCORE_COLOR)

    indicators: dict[str, list[IndicatorView]] = {}
    for i in smap.indicators:
        s = _score(ind_score, i.id)
        st = ind_status.get(i.id)
        indicators.setdefault(i.objective, []).append(
            IndicatorView(
                id=i.id,
                label=plain_text(i.label),
                objective=i.objective,
                score_text=format_score(s) if ev is not None else "",
                status=st,
                color=_fill(st, s),
            )
        )
    objectives = []
    for o in smap.objectives:
        s = _score(obj_score, o.id)
        st = obj_status.get(o.id)
        fill = _fill(st, s)
        objectives.append(
            ObjectiveView(
                id=o.id,
                label=plain_text(o.label),
                perspective=o.perspective,
                description=plain_text(o.description),
                score=s,
                score_text=format_score(s) if ev is not None else "",
                status=st,
                color=fill,
                ink=text_color(fill),
                indicators=tuple(indicators.get(o.id, ())),
            )
        )
    owner = {i.id: i.objective for i in smap.indicators}
    known = {(lk.cause, lk.effect) for lk in smap.links}
    table = _strength_table(strengths, known) if strengths is not None else None
    top = max((lk.weight for lk in smap.links), default=0.0)
    links = [
        LinkView(
            cause=lk.cause,
            effect=lk.effect,
            source=owner.get(lk.cause, lk.cause),
            target=owner.get(lk.effect, lk.effect),
            kind="causes",
            sign=lk.sign,
            weight=lk.weight,
            lag=lk.lag,
            feedback=lk.feedback,
            description=plain_text(lk.description),
            strength=(
                table.get((lk.cause, lk.effect))
                if table is not None
                else (lk.weight / top if top > 0 else 0.0)
            ),
            strength_from="evidence" if table is not None else "weight",
        )
        for lk in smap.links
    ]
    links.extend(
        LinkView(
            cause=o.parent,
            effect=o.id,
            source=o.parent,
            target=o.id,
            kind="cascades",
            sign=1,
            weight=1.0,
            lag=0,
            feedback=False,
            description="",
            strength=None,
            strength_from="weight",
        )
        for o in smap.objectives
        if o.parent is not None
    )
    title = (scorecard.name or scorecard.id) if scorecard is not None else "Strategy map"
    return MapView(
        title=plain_text(title),
        perspectives=tuple((p.id, plain_text(p.label)) for p in smap.perspectives),
        objectives=tuple(objectives),
        links=tuple(links),
        bands=bands,
        evaluated=ev is not None,
        org_unit=unit_id,
        period=period_label,
    )
