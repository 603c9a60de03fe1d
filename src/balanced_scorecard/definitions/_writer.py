"""A :class:`Scorecard` as plain data in the definition format: tidy, and read back equal.

Defaults are left out. Indicators are nested under their objective, org units under their
parent and assignments written as ``owner: ...`` shortcuts wherever the reader would rebuild
the very same order; otherwise the flat form is written, because the model's tuples are
ordered and ``scorecard_from_dict(scorecard_to_dict(sc)) == sc`` must hold.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence
from typing import Any

import attrs

from balanced_scorecard.model import (
    DEFAULT_PERSPECTIVES,
    DEFAULT_STATUS_BANDS,
    Assignment,
    Indicator,
    Objective,
    OrgChart,
    OrgUnit,
    OutputPolicy,
    Scorecard,
    Scoring,
    Target,
    TargetSet,
    Thresholds,
    Weight,
)
from balanced_scorecard.model._convert import thaw
from balanced_scorecard.model.enums import Frequency

from ._reader import source_id
from ._spec import ROLE_SHORTCUTS

__all__ = ["scorecard_to_dict"]

_FREQUENCY_NAMES = {
    Frequency.DAILY: "daily",
    Frequency.WEEKLY: "weekly",
    Frequency.MONTHLY: "monthly",
    Frequency.QUARTERLY: "quarterly",
    Frequency.YEARLY: "yearly",
}


def _num(x: float) -> float | int:
    # 2.0 reads back as 2.0 from 2, and 2 is what a person would write.
    return int(x) if x.is_integer() and abs(x) < 2**53 else x


def _plain(
    obj: Any, *, skip: Sequence[str] = (), **convert: Callable[[Any], Any]
) -> dict[str, Any]:
    """The attrs fields of ``obj`` that differ from their defaults, as plain values."""
    out: dict[str, Any] = {}
    for a in attrs.fields(type(obj)):
        if a.name in skip:
            continue
        value = getattr(obj, a.name)
        default = a.default
        if isinstance(default, attrs.Factory):  # type: ignore[arg-type]
            default = default.factory(obj) if default.takes_self else default.factory()
        if a.default is not attrs.NOTHING and value == default:
            continue
        if a.name in convert:
            value = convert[a.name](value)
        elif isinstance(value, float):
            value = _num(value)
        elif isinstance(value, tuple):
            value = list(value)
        elif isinstance(value, enum.Enum):
            value = value.value
        out[a.name] = value
    return out


def _weight(w: Weight) -> Any:
    if w.is_constant:
        return _num(w.value)
    return {"value": _num(w.value), "changes": {p: _num(x) for p, x in w.changes}}


def _scoring(s: Scoring) -> Any:
    if not s.params and not s.allow_overflow:
        return s.method
    out: dict[str, Any] = {"method": s.method}
    out.update(s.kwargs)
    if s.allow_overflow:
        out["allow_overflow"] = True
    return out


def _options(options: tuple[tuple[str, Any], ...]) -> dict[str, Any]:
    return {k: thaw(v) for k, v in options}


def _classified(pairs: tuple[tuple[Any, Any], ...]) -> dict[str, str]:
    # (column or role, classification) pairs as the mapping a definition file holds.
    return {str(getattr(k, "value", k)): str(v.value) for k, v in pairs}


def _thresholds(t: Thresholds) -> dict[str, Any]:
    return {k: _num(v) for k, v in t.as_dict().items() if v is not None}


def _indicator(ind: Indicator, *, nested: bool) -> dict[str, Any]:
    # org_aggregation's default follows time_aggregation; _plain compares with that default.
    return _plain(
        ind,
        skip=("objective",) if nested else (),
        weight=_weight,
        scoring=_scoring,
        thresholds=_thresholds,
        frequency=_FREQUENCY_NAMES.__getitem__,
        valid_range=_valid_range,
    )


def _valid_range(pair: tuple[float | None, float | None]) -> dict[str, Any]:
    # An open end is left out; {} (both open) reads back as "any value is plausible".
    return {k: _num(x) for k, x in zip(("min", "max"), pair, strict=True) if x is not None}


def _org_units(chart: OrgChart) -> list[dict[str, Any]]:
    def unit(u: OrgUnit, *, nested: bool) -> dict[str, Any]:
        return _plain(u, skip=("parent",) if nested else ())

    def tree(uid: str) -> dict[str, Any]:
        out = unit(chart.unit(uid), nested=True)
        kids = chart.children(uid)
        if kids:
            out["children"] = [tree(k) for k in kids]
        return out

    # Nesting lists units depth first; only write it when that is the chart's own order.
    if chart.ids == chart.subtree(chart.root):
        root = unit(chart.unit(chart.root), nested=False)
        kids = chart.children(chart.root)
        if kids:
            root["children"] = [tree(k) for k in kids]
        return [root]
    return [unit(u, nested=False) for u in chart.units]


def _assignment_shortcuts(
    sc: Scorecard, node_order: Sequence[str]
) -> tuple[dict[str, dict[str, Any]], list[Assignment]]:
    """Shortcuts per node and the remaining explicit assignments, if shortcuts keep order."""
    position = {node: i for i, node in enumerate(node_order)}
    roles = list(ROLE_SHORTCUTS.values())
    short = [
        a for a in sc.assignments if a.org_unit is None and a.share is None and a.node in position
    ]
    rest = [a for a in sc.assignments if a not in short]
    # The reader makes shortcut assignments node by node, role by role, then explicit ones.
    read_order = sorted(short, key=lambda a: (position[a.node], roles.index(a.role))) + rest
    if read_order != list(sc.assignments):
        return {}, list(sc.assignments)
    by_node: dict[str, dict[str, list[str]]] = {}
    keys = {role: key for key, role in ROLE_SHORTCUTS.items()}
    for a in short:
        by_node.setdefault(a.node, {}).setdefault(keys[a.role], []).append(a.person)
    tidy = {
        node: {k: v[0] if len(v) == 1 else v for k, v in roles_.items()}
        for node, roles_ in by_node.items()
    }
    return tidy, rest


def _target(t: Target) -> dict[str, Any]:
    out: dict[str, Any] = {"indicator": t.indicator}
    if t.org_unit is not None:
        out["org_unit"] = t.org_unit
    if t.start is not None and t.start == t.end:
        out["period"] = t.start
    else:
        out.update({k: v for k, v in (("start", t.start), ("end", t.end)) if v is not None})
    return out | _thresholds(t.thresholds())


def _target_sets(sets: Sequence[TargetSet]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    rest = list(sets)
    if rest and rest[0].name == "default" and rest[0].provenance == "inline":
        out["targets"] = [_target(t) for t in rest.pop(0).targets]
    if rest:
        out["target_sets"] = [
            {
                "name": ts.name,
                **({"provenance": ts.provenance} if ts.provenance else {}),
                "targets": [_target(t) for t in ts.targets],
            }
            for ts in rest
        ]
    return out


def _nests(objectives: Sequence[Objective], indicators: Sequence[Indicator]) -> bool:
    index = {o.id: i for i, o in enumerate(objectives)}
    if any(ind.objective not in index for ind in indicators):
        return False
    return list(indicators) == sorted(indicators, key=lambda ind: index[ind.objective])


def scorecard_to_dict(sc: Scorecard) -> dict[str, Any]:
    """``sc`` as plain data in the definition format (defaults omitted).

    Examples
    --------
    >>> from balanced_scorecard.model import Indicator, Objective, Scorecard
    >>> sc = Scorecard(id="demo", objectives=[Objective(id="grow", perspective="financial")],
    ...                indicators=[Indicator(id="revenue", objective="grow", unit="EUR")])
    >>> scorecard_to_dict(sc)
    {'id': 'demo', 'objectives': [{'id': 'grow', 'perspective': 'financial',
                                   'indicators': [{'id': 'revenue', 'unit': 'EUR'}]}]}
    """
    out = _plain(
        sc,
        skip=(
            "perspectives",
            "objectives",
            "indicators",
            "links",
            "org_chart",
            "assignments",
            "initiatives",
            "target_sets",
            "status_bands",
            "sources",
            "adjustments",
            "output_policy",
            "origin",
        ),
        review_frequency=_FREQUENCY_NAMES.__getitem__,
        calendar=lambda c: c.to_spec(),
    )
    if sc.status_bands != DEFAULT_STATUS_BANDS:
        out["status_bands"] = [_plain(b) for b in sc.status_bands]
    if sc.perspectives != DEFAULT_PERSPECTIVES:
        out["perspectives"] = [_plain(p, weight=_weight) for p in sc.perspectives]
    if sc.org_chart != OrgChart():
        out["org_units"] = _org_units(sc.org_chart)
    nested = _nests(sc.objectives, sc.indicators)
    node_order = [
        node
        for o in sc.objectives
        for node in (o.id, *(i.id for i in sc.indicators if nested and i.objective == o.id))
    ] + ([] if nested else [i.id for i in sc.indicators])
    shortcuts, explicit = _assignment_shortcuts(sc, node_order)
    if sc.objectives:
        out["objectives"] = []
        for o in sc.objectives:
            item = _plain(o, weight=_weight) | shortcuts.get(o.id, {})
            kids = [
                _indicator(i, nested=True) | shortcuts.get(i.id, {})
                for i in sc.indicators
                if nested and i.objective == o.id
            ]
            if kids:
                item["indicators"] = kids
            out["objectives"].append(item)
    if sc.indicators and not nested:
        out["indicators"] = [
            _indicator(i, nested=False) | shortcuts.get(i.id, {}) for i in sc.indicators
        ]
    if sc.links:
        out["links"] = [_plain(x, sign=lambda s: "+" if s > 0 else "-") for x in sc.links]
    if sc.initiatives:
        out["initiatives"] = [_plain(x) for x in sc.initiatives]
    if explicit:
        out["assignments"] = [_plain(a) for a in explicit]
    out.update(_target_sets(sc.target_sets))
    if sc.sources:
        plain = [
            _plain(s, options=_options, fields=_classified, mapping=lambda m: m.to_dict())
            for s in sc.sources
        ]
        # The bare-URI shorthand only when nothing but the id (implied by the URI) is set.
        out["sources"] = [
            s.uri if source_id(s.uri) == s.id and p.keys() <= {"id", "uri"} else p
            for s, p in zip(sc.sources, plain, strict=True)
        ]
    if sc.adjustments:
        out["adjustments"] = [_plain(a, options=_options) for a in sc.adjustments]
    if sc.output_policy != OutputPolicy():
        out["output_policy"] = _plain(
            sc.output_policy,
            roles=_classified,
            views=lambda views: {v.role: v.to_dict() for v in views},
        )
    return out
