"""Change control: requests to add, retire or modify a metric, objective, weight or target.

A :class:`ChangeRequest` carries the proposed change as a **patch**: a list of operations on
the scorecard's definition data (``Scorecard.to_dict()``), applied in order by
:func:`apply_patch`. Each operation is a plain dict, so a request is JSON and is stored as
such:

* ``{"op": "set", "path": P, "value": V}`` sets a field (it may add a new key to an object);
* ``{"op": "unset", "path": P}`` removes a field of an object;
* ``{"op": "add", "path": P, "value": V}`` appends ``V`` to the list at ``P`` (an object
  with an ``id`` must bring a new one);
* ``{"op": "remove", "path": P}`` removes one element of a list (``P`` ends in a selector).

A path names fields with dots and list elements with selectors in brackets, as
:func:`~balanced_scorecard.store.diff.diff_definitions` writes them:
``objectives[grow].indicators[revenue].thresholds.target``. A selector is an element's
``id`` (or ``name``), or ``field=value`` pairs joined by commas, compared as text, with
``null`` for a missing field: ``target_sets[budget].targets[indicator=revenue,org_unit=north]``.
Every selector must match exactly one element; anything else is an error naming the
operation, the path and the fix. The same patch on the same definition gives the same result.

States: ``draft`` → ``proposed`` → ``approved`` | ``rejected``; ``approved`` → ``applied``.
Transitions are pure functions returning a new request; an illegal one raises
:class:`IllegalTransitionError`. Who must approve is set by :class:`ApprovalRules`: roles
per kind and target, resolved on the scorecard's assignments (see the docs page
:doc:`/howto/change-control`).

Examples
--------
>>> from balanced_scorecard.model import Scorecard
>>> sc = Scorecard.from_dict({"id": "acme", "objectives": [{"id": "grow",
...     "perspective": "financial", "indicators": [{"id": "revenue", "unit": "EUR",
...     "thresholds": {"target": 100}}]}]})
>>> patch = [{"op": "set", "path": "objectives[grow].indicators[revenue].thresholds.target",
...           "value": 120}]
>>> apply_patch(sc, patch).indicator("revenue").thresholds.target
120.0
"""

from __future__ import annotations

import copy
import json
import re
import uuid
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np
import pandas as pd

from balanced_scorecard._suggest import did_you_mean
from balanced_scorecard.exceptions import ModelError
from balanced_scorecard.governance.audit import canonical_json, utc_now
from balanced_scorecard.model.enums import Polarity
from balanced_scorecard.model.indicators import Indicator
from balanced_scorecard.model.objectives import Objective, Perspective
from balanced_scorecard.model.people import Role
from balanced_scorecard.model.scorecard import Scorecard
from balanced_scorecard.store.diff import diff_definitions

if TYPE_CHECKING:
    from balanced_scorecard.governance.escalation import EscalationRule
    from balanced_scorecard.store import Store

__all__ = [
    "KINDS",
    "STATES",
    "TARGETS",
    "Approval",
    "ApprovalRules",
    "ChangeControlError",
    "ChangeRequest",
    "Comment",
    "IllegalTransitionError",
    "Impact",
    "PeerComparison",
    "ScopeCreepError",
    "apply_patch",
    "apply_request",
    "approve",
    "comment",
    "impact",
    "list_requests",
    "load_request",
    "new_request",
    "node_path",
    "participants",
    "reject",
    "save_request",
    "submit",
    "target_row_patch",
    "unit_target",
]

#: What a request does.
KINDS = ("add", "retire", "modify")
#: What a request changes: an indicator (metric), an objective, a weight or a target row.
TARGETS = ("metric", "objective", "weight", "target")
#: The states of a request, in lifecycle order.
STATES = ("draft", "proposed", "approved", "rejected", "applied")


class ChangeControlError(ModelError):
    """A change request cannot do what was asked (bad patch, missing permission, ...)."""


class IllegalTransitionError(ChangeControlError):
    """A state change the lifecycle does not allow (approving a draft, applying a rejected
    request, approving one's own request where the rules forbid it, ...)."""


class ScopeCreepError(ChangeControlError):
    """Approving the request would take an objective or the scorecard past its cap on
    indicators."""


def _choice(options: tuple[str, ...], what: str) -> Any:
    def check(_: object, __: attrs.Attribute[str], value: str) -> None:
        if value not in options:
            raise ChangeControlError(
                f"unknown {what} {value!r}; use one of {', '.join(options)}."
                + did_you_mean(str(value), options)
            )

    return check


@attrs.frozen(kw_only=True)
class Approval:
    """One approval: who, in which required role, when (UTC ISO text) and a note."""

    approver: str
    role: str
    at: str
    note: str = ""


@attrs.frozen(kw_only=True)
class Comment:
    """One comment on a request: who, when (UTC ISO text) and what."""

    author: str
    at: str
    text: str


def _ops(value: Iterable[Mapping[str, Any]]) -> tuple[dict[str, Any], ...]:
    if isinstance(value, Mapping | str):
        raise ChangeControlError(
            "a patch is a list of operations such as "
            '[{"op": "set", "path": "...", "value": 1}]; got a single '
            f"{type(value).__name__}"
        )
    out = []
    for k, op in enumerate(value):
        if not isinstance(op, Mapping):
            raise ChangeControlError(f"patch operation {k} is not an object: {op!r}")
        kind = op.get("op")
        if kind not in ("set", "unset", "add", "remove"):
            raise ChangeControlError(
                f"patch operation {k} has op {kind!r}; use set, unset, add or remove"
            )
        if not isinstance(op.get("path"), str):
            raise ChangeControlError(f"patch operation {k} needs a text 'path'; got {op!r}")
        if kind in ("set", "add") and "value" not in op:
            raise ChangeControlError(f"patch operation {k} ({kind}) needs a 'value'")
        extra = set(op) - {"op", "path", "value"}
        if extra:
            raise ChangeControlError(f"patch operation {k} has unknown key(s) {sorted(extra)}")
        try:
            canonical_json(dict(op))
        except (TypeError, ValueError) as exc:
            raise ChangeControlError(f"patch operation {k} is not plain JSON data: {exc}") from None
        out.append(json.loads(json.dumps(dict(op))))
    if not out:
        raise ChangeControlError("a patch needs at least one operation")
    return tuple(out)


@attrs.frozen(kw_only=True)
class ChangeRequest:
    """A request to change a scorecard's definition, with its approvals and comments.

    Parameters
    ----------
    id
        Unique id (default: ``cr-`` and 12 random hex digits).
    scorecard_id, base_version
        The scorecard and the stored version the request was made against.
    kind, target
        One of :data:`KINDS` and one of :data:`TARGETS`.
    node
        The indicator or objective the request is about (for a target row: the indicator).
    org_unit
        The org unit a target-row change is for; None: every unit.
    patch
        The proposed change as operations on ``Scorecard.to_dict()`` (module notes).
    rationale, author
        Why, and who proposes it.
    state
        One of :data:`STATES`.
    approvals, comments
        In the order given.
    effective_from
        The first period the change is in force (a label such as ``2025-07``); None: from
        the first period.
    applied_version
        The definition version created by applying it.
    revision
        How many times the stored row was written (0: not stored yet); the store's
        optimistic lock.
    """

    id: str = attrs.field(factory=lambda: f"cr-{uuid.uuid4().hex[:12]}")
    scorecard_id: str
    base_version: int = attrs.field(converter=int)
    kind: str = attrs.field(validator=_choice(KINDS, "change kind"))
    target: str = attrs.field(validator=_choice(TARGETS, "change target"))
    node: str
    org_unit: str | None = None
    patch: tuple[dict[str, Any], ...] = attrs.field(converter=_ops)
    rationale: str
    author: str
    state: str = attrs.field(default="draft", validator=_choice(STATES, "state"))
    approvals: tuple[Approval, ...] = ()
    comments: tuple[Comment, ...] = ()
    effective_from: str | None = None
    applied_version: int | None = None
    revision: int = 0

    def __attrs_post_init__(self) -> None:
        for name in ("scorecard_id", "node", "author", "id"):
            value = getattr(self, name)
            if not isinstance(value, str) or not value.strip():
                raise ChangeControlError(
                    f"a change request needs a non-empty {name}; got {value!r}"
                )
        if not self.rationale.strip():
            raise ChangeControlError(
                f"change request {self.id!r} needs a rationale: say why the change is needed"
            )
        if self.base_version < 1:
            raise ChangeControlError(
                f"base_version must be a stored version (1, 2, ...); got {self.base_version}. "
                "Save the scorecard first (Store.save_definition)"
            )

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON data; :meth:`from_dict` reads it back."""
        data = attrs.asdict(self, recurse=True)
        data["patch"] = list(self.patch)
        data["approvals"] = [attrs.asdict(a) for a in self.approvals]
        data["comments"] = [attrs.asdict(c) for c in self.comments]
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ChangeRequest:
        """The request :meth:`to_dict` wrote."""
        values = dict(data)
        values["approvals"] = tuple(Approval(**a) for a in values.get("approvals", ()))
        values["comments"] = tuple(Comment(**c) for c in values.get("comments", ()))
        return cls(**values)


# -- patches --------------------------------------------------------------------------------

_SEGMENT = re.compile(r"([^.\[\]]+)|\[([^\]]*)\]|(\.)")


def _parse_path(path: str) -> list[tuple[str, str]]:
    """``a.b[x].c`` as [("key", "a"), ("key", "b"), ("sel", "x"), ("key", "c")]."""
    out: list[tuple[str, str]] = []
    pos = 0
    for m in _SEGMENT.finditer(path):
        if m.start() != pos:
            break
        pos = m.end()
        if m.group(1) is not None:
            out.append(("key", m.group(1)))
        elif m.group(2) is not None:
            out.append(("sel", m.group(2)))
    empty = re.search(r"\.\.|^\.|\.$|\.\[", path) is not None
    if empty or pos != len(path) or not out or out[0][0] != "key":
        raise ChangeControlError(
            f"cannot read the path {path!r}; write fields with dots and list elements by id "
            "in brackets, e.g. objectives[grow].indicators[revenue].thresholds.target"
        )
    return out


def _select(items: list[Any], selector: str, where: str) -> int:
    def match(item: Any) -> bool:
        if not isinstance(item, Mapping):
            return False
        if "=" not in selector:
            return selector in (item.get("id"), item.get("name"))
        for pair in selector.split(","):
            field, _, want = pair.partition("=")
            have = item.get(field.strip())
            if want.strip() == "null":
                if have is not None:
                    return False
            elif have is None or str(have) != want.strip():
                return False
        return True

    hits = [k for k, item in enumerate(items) if match(item)]
    if len(hits) != 1:
        ids = [str(i.get("id", i.get("name", "?"))) for i in items if isinstance(i, Mapping)]
        raise ChangeControlError(
            f"{where}[{selector}] matches {len(hits)} elements, not exactly one; "
            + (f"the elements are {ids}" if ids else "the list is empty")
            + ". Select by id, or by field=value pairs that single one out"
        )
    return hits[0]


def _resolve(data: Any, steps: list[tuple[str, str]], path: str) -> Any:
    node = data
    where = ""
    for kind, text in steps:
        if kind == "key":
            if not isinstance(node, Mapping) or text not in node:
                known = list(node) if isinstance(node, Mapping) else []
                raise ChangeControlError(
                    f"path {path!r}: no field {text!r} at {where or 'the top'}."
                    + did_you_mean(text, [str(k) for k in known])
                )
            node = node[text]
            where = f"{where}.{text}" if where else text
        else:
            if not isinstance(node, list):
                raise ChangeControlError(f"path {path!r}: {where} is not a list")
            node = node[_select(node, text, where)]
            where = f"{where}[{text}]"
    return node


def _apply_op(data: dict[str, Any], op: Mapping[str, Any], k: int) -> None:
    path = op["path"]
    steps = _parse_path(path)
    parent = _resolve(data, steps[:-1], path) if len(steps) > 1 else data
    kind, last = steps[-1]
    verb = op["op"]
    try:
        if verb == "remove":
            if kind != "sel" or not isinstance(parent, list):
                raise ChangeControlError(
                    f"remove needs a path ending in a list element, e.g. "
                    f"objectives[grow].indicators[margin]; got {path!r}"
                )
            del parent[_select(parent, last, path.rsplit("[", 1)[0])]
            return
        if verb == "add":
            target = _resolve(data, steps, path)
            if not isinstance(target, list):
                raise ChangeControlError(f"add needs a list at {path!r}")
            value = copy.deepcopy(op["value"])
            if isinstance(value, Mapping) and "id" in value:
                ids = [x.get("id") for x in target if isinstance(x, Mapping)]
                if value["id"] in ids:
                    raise ChangeControlError(
                        f"add: {path!r} already has an element with id {value['id']!r}; "
                        "modify it with set, or choose a new id"
                    )
            target.append(value)
            return
        if kind == "sel":
            if not isinstance(parent, list):
                raise ChangeControlError(f"{path!r} does not end in a list element")
            pos = _select(parent, last, path.rsplit("[", 1)[0])
            if verb == "unset":
                raise ChangeControlError(f"unset removes fields; use remove for {path!r}")
            parent[pos] = copy.deepcopy(op["value"])
            return
        if not isinstance(parent, dict):
            raise ChangeControlError(f"{path!r}: the parent of {last!r} is not an object")
        if verb == "unset":
            if last not in parent:
                raise ChangeControlError(f"unset: there is no field {path!r} to remove")
            del parent[last]
        else:
            parent[last] = copy.deepcopy(op["value"])
    except ChangeControlError as exc:
        raise ChangeControlError(f"patch operation {k} ({verb} {path}): {exc}") from None


def apply_patch(scorecard: Scorecard, patch: Sequence[Mapping[str, Any]]) -> Scorecard:
    """The scorecard with ``patch`` applied (see the module notes for the operations).

    Raises :class:`ChangeControlError` for a path that does not resolve, and
    :class:`~balanced_scorecard.exceptions.DefinitionError` when the result is not a valid
    scorecard.

    Examples
    --------
    >>> sc = Scorecard.from_dict({"id": "acme", "objectives": [{"id": "grow",
    ...     "perspective": "financial", "indicators": [{"id": "revenue"}]}]})
    >>> after = apply_patch(sc, [{"op": "add", "path": "objectives[grow].indicators",
    ...                           "value": {"id": "margin", "unit": "percent"}}])
    >>> [i.id for i in after.indicators]
    ['revenue', 'margin']
    >>> apply_patch(sc, [{"op": "remove", "path": "objectives[grow].indicators[revnue]"}])
    Traceback (most recent call last):
    ...
    balanced_scorecard.governance.change_control.ChangeControlError: patch operation 0 ...
    """
    data = scorecard.to_dict()
    for k, op in enumerate(_ops(patch)):
        _apply_op(data, op, k)
    return Scorecard.from_dict(data, source=f"{scorecard.id} with a change request")


def node_path(scorecard: Scorecard, node_id: str) -> str:
    """The patch path of a node (objective, indicator or perspective) in ``to_dict()`` data.

    Examples
    --------
    >>> sc = Scorecard.from_dict({"id": "acme", "objectives": [{"id": "grow",
    ...     "perspective": "financial", "indicators": [{"id": "revenue"}]}]})
    >>> node_path(sc, "revenue")
    'objectives[grow].indicators[revenue]'
    """
    scorecard.node(node_id)  # names near misses for an unknown id

    def walk(value: Any, where: str) -> str | None:
        if isinstance(value, Mapping):
            for key, item in value.items():
                found = walk(item, f"{where}.{key}" if where else str(key))
                if found:
                    return found
        elif isinstance(value, list):
            for item in value:
                if isinstance(item, Mapping) and item.get("id") == node_id:
                    return f"{where}[{node_id}]"
                if isinstance(item, Mapping):
                    key = item.get("id")
                    found = walk(item, f"{where}[{key}]") if isinstance(key, str) else None
                    if found:
                        return found
        return None

    data = scorecard.to_dict()
    for key in ("perspectives", "objectives", "indicators"):
        found = walk({key: data.get(key, [])}, "")
        if found:
            return found
    raise ChangeControlError(
        f"node {node_id!r} is not written in the definition data of {scorecard.id!r} "
        "(a default perspective): add it to 'perspectives' first"
    )


def _target_rows_path(data: Mapping[str, Any], target_set: str | None) -> tuple[str, list[Any]]:
    if "target_sets" in data:
        sets = data["target_sets"]
        names = [s.get("name", "default") for s in sets]
        name = target_set if target_set is not None else names[0]
        if name not in names:
            raise ChangeControlError(
                f"no target set {name!r}; the scorecard has {names}." + did_you_mean(name, names)
            )
        rows = sets[names.index(name)].get("targets", [])
        return f"target_sets[{name}].targets", rows
    if target_set not in (None, "default"):
        raise ChangeControlError(
            f"no target set {target_set!r}: the scorecard has one default set of targets"
        )
    return "targets", data.get("targets", [])


def target_row_patch(
    scorecard: Scorecard,
    indicator: str,
    *,
    org_unit: str | None,
    values: Mapping[str, float],
    start: str | None = None,
    target_set: str | None = None,
) -> list[dict[str, Any]]:
    """Patch operations that set target-row ``values`` for (indicator, org unit, start).

    Changes the row when the set has exactly that row, else adds one.

    Examples
    --------
    >>> sc = Scorecard.from_dict({"id": "acme", "objectives": [{"id": "grow",
    ...     "perspective": "financial", "indicators": [{"id": "revenue"}]}]})
    >>> target_row_patch(sc, "revenue", org_unit=None, values={"target": 120})
    [{'op': 'set', 'path': 'targets', 'value': [{'indicator': 'revenue', 'target': 120}]}]
    """
    scorecard.indicator(indicator)
    data = scorecard.to_dict()
    where, rows = _target_rows_path(data, target_set)

    def key(row: Mapping[str, Any]) -> tuple[Any, ...]:
        return (row.get("indicator"), row.get("org_unit"), row.get("start"))

    want = (indicator, org_unit, start)
    if "target_sets" not in data and "targets" not in data:
        where = "targets"
    if sum(key(r) == want for r in rows) == 1:
        sel = ",".join(
            f"{f}={'null' if v is None else v}"
            for f, v in zip(("indicator", "org_unit", "start"), want, strict=True)
        )
        return [
            {"op": "set", "path": f"{where}[{sel}].{field}", "value": value}
            for field, value in values.items()
        ]
    row: dict[str, Any] = {"indicator": indicator}
    if org_unit is not None:
        row["org_unit"] = org_unit
    if start is not None:
        row["start"] = start
    row.update(values)
    if where == "targets" and "targets" not in data:
        return [{"op": "set", "path": "targets", "value": [row]}]
    return [{"op": "add", "path": where, "value": row}]


# -- who may do what ------------------------------------------------------------------------

_LEVELS = ("node", "objective", "perspective", "chain")


@attrs.frozen(kw_only=True)
class ApprovalRules:
    """Who must approve a request, and the scope-creep caps enforced at approval.

    Parameters
    ----------
    required
        Roles required per request, keyed ``"<kind> <target>"`` (``"modify target"``),
        ``"<kind> *"``, ``"* <target>"`` or ``"*"`` (the first key that exists wins). Each
        role is ``role`` or ``role@level``: the role held for the request's node itself
        (``node``), its objective (``objective``), its perspective (``perspective``), or any
        of them (``chain``, the default: node, objective, the objectives it cascades from,
        perspective). Assignments count in the request's org unit and company-wide.
    allow_self_approval
        False (default): the author cannot approve or reject their own request.
    distinct_approvers
        True (default): each required role needs a different person (segregation of duties).
    max_indicators_per_objective, max_indicators_per_scorecard
        Caps on indicators; None: no cap.

    Examples
    --------
    >>> rules = ApprovalRules(max_indicators_per_objective=5)
    >>> rules.roles_for("modify", "target")
    (('owner', 'objective'), ('executive_sponsor', 'chain'))
    """

    required: Mapping[str, tuple[str, ...]] = attrs.field(
        factory=lambda: {"*": ("owner@objective", "executive_sponsor")}
    )
    allow_self_approval: bool = False
    distinct_approvers: bool = True
    max_indicators_per_objective: int | None = None
    max_indicators_per_scorecard: int | None = None

    def __attrs_post_init__(self) -> None:
        for key, roles in self.required.items():
            for text in roles:
                role, _, level = text.partition("@")
                try:
                    Role(role)
                except ValueError:
                    raise ChangeControlError(
                        f"unknown role {role!r} in approval rule {key!r}; use one of "
                        f"{', '.join(r.value for r in Role)}."
                        + did_you_mean(role, [r.value for r in Role])
                    ) from None
                if level and level not in _LEVELS:
                    raise ChangeControlError(
                        f"unknown level {level!r} in {text!r}; use one of {', '.join(_LEVELS)}"
                    )
        for name in ("max_indicators_per_objective", "max_indicators_per_scorecard"):
            cap = getattr(self, name)
            if cap is not None and (isinstance(cap, bool) or not isinstance(cap, int) or cap < 1):
                raise ChangeControlError(f"{name} must be a whole number >= 1 or None; got {cap!r}")

    def roles_for(self, kind: str, target: str) -> tuple[tuple[str, str], ...]:
        """The required (role, level) pairs for a kind and target of request."""
        for key in (f"{kind} {target}", f"{kind} *", f"* {target}", "*"):
            if key in self.required:
                return tuple(
                    (r.partition("@")[0], r.partition("@")[2] or "chain")
                    for r in self.required[key]
                )
        return ()


def _chain(scorecard: Scorecard, node_id: str) -> list[tuple[str, str]]:
    """(level, node id) from the node up: itself, its objective and the objectives it
    cascades from, its perspective."""
    node = scorecard.node(node_id)
    out: list[tuple[str, str]] = [("node", node_id)]
    objective: str | None = None
    if isinstance(node, Indicator):
        objective = node.objective
    elif isinstance(node, Objective):
        objective = node.id
    seen: set[str] = set()
    first = True
    while objective is not None and objective not in seen:
        seen.add(objective)
        obj = scorecard.objective(objective)
        out.append(("objective" if first else "cascade", objective))
        first = False
        objective = obj.parent
    if isinstance(node, Perspective):
        out.append(("perspective", node.id))
    elif isinstance(node, Indicator | Objective):
        top = scorecard.objective(node.objective if isinstance(node, Indicator) else node.id)
        out.append(("perspective", top.perspective))
    return out


def _holder_of(base: Scorecard, after: Scorecard, node_id: str) -> Scorecard:
    """The version that has the node: the new one, or the old one for a retired node."""
    known = {*(n.id for n in after.indicators), *(n.id for n in after.objectives)}
    known |= {p.id for p in after.perspectives}
    return after if node_id in known else base


def _holders(
    base: Scorecard, after: Scorecard, request: ChangeRequest, role: str, level: str
) -> list[str]:
    chain = _chain(_holder_of(base, after, request.node), request.node)
    nodes = [n for lv, n in chain if level == "chain" or lv == level]
    known = {*(o.id for o in base.objectives), *(i.id for i in base.indicators)}
    known |= {p.id for p in base.perspectives}
    out: list[str] = []
    for n in nodes:
        if n in known:
            out.extend(p for p in base.people(n, role, request.org_unit) if p not in out)
    return out


def _units(scorecard: Scorecard, org_unit: str | None) -> tuple[str, ...]:
    if org_unit is None:
        return scorecard.org_chart.ids
    return (org_unit, *scorecard.org_chart.ancestors(org_unit))


def participants(
    scorecard: Scorecard,
    request: ChangeRequest,
    *,
    rules: ApprovalRules | None = None,
    peers: bool = False,
) -> tuple[str, ...]:
    """Who may propose and comment: the author, the owners of the request's node, its
    objective, cascade parents and perspective in the affected org units (the unit, its
    ancestors, and company-wide assignments), and everyone who may approve it. With
    ``peers=True`` (who may comment), also the owners in the peer units (the other children
    of the unit's parent), so a target can be discussed with those it is compared with.

    ``scorecard`` is the definition the request was made against.
    """
    rest = _participants(scorecard, request, rules or ApprovalRules(), peers=peers)
    return (request.author, *(p for p in rest if p != request.author))


def _participants(
    scorecard: Scorecard, request: ChangeRequest, rules: ApprovalRules, *, peers: bool = False
) -> list[str]:
    after = apply_patch(scorecard, request.patch)
    units = set(_units(scorecard, request.org_unit))
    if peers and request.org_unit is not None:
        parent = scorecard.org_chart.unit(request.org_unit).parent
        units |= set(scorecard.org_chart.children(parent)) if parent else set()
    chain = {n for _, n in _chain(_holder_of(scorecard, after, request.node), request.node)}
    out: list[str] = []
    for a in scorecard.assignments:
        if (
            a.role is Role.OWNER
            and a.node in chain
            and (a.org_unit is None or a.org_unit in units)
            and a.person not in out
        ):
            out.append(a.person)
    for role, level in rules.roles_for(request.kind, request.target):
        out.extend(p for p in _holders(scorecard, after, request, role, level) if p not in out)
    return out


def _evolve(request: ChangeRequest, **changes: Any) -> ChangeRequest:
    return attrs.evolve(request, **changes)


def new_request(
    scorecard: Scorecard,
    *,
    base_version: int,
    kind: str,
    target: str,
    node: str,
    patch: Sequence[Mapping[str, Any]],
    rationale: str,
    author: str,
    org_unit: str | None = None,
    effective_from: str | None = None,
    rules: ApprovalRules | None = None,
    id: str | None = None,
) -> ChangeRequest:
    """A draft request, checked: the patch applies cleanly to ``scorecard`` (the stored
    ``base_version``) and changes it, and the author may propose (co-development: the owners
    in the affected units, see :func:`participants`).

    Examples
    --------
    >>> sc = Scorecard.from_dict({"id": "acme", "objectives": [{"id": "grow",
    ...     "perspective": "financial", "owner": "ann", "indicators": [{"id": "revenue"}]}]})
    >>> r = new_request(sc, base_version=1, kind="modify", target="metric", node="revenue",
    ...     patch=[{"op": "set", "path": "objectives[grow].indicators[revenue].unit",
    ...             "value": "EUR"}], rationale="report in euros", author="ann", id="cr-1")
    >>> r.state, r.id
    ('draft', 'cr-1')
    """
    extra: dict[str, Any] = {} if id is None else {"id": id}
    request = ChangeRequest(
        scorecard_id=scorecard.id,
        base_version=base_version,
        kind=kind,
        target=target,
        node=node,
        org_unit=org_unit,
        patch=patch,
        rationale=rationale,
        author=author,
        effective_from=effective_from,
        **extra,
    )
    if org_unit is not None:
        scorecard.org_chart.unit(org_unit)
    after = apply_patch(scorecard, request.patch)
    _holder_of(scorecard, after, node).node(node)  # exists after (before, for a retirement)
    if diff_definitions(scorecard, after).empty:
        raise ChangeControlError(
            f"change request {request.id!r} does not change scorecard {scorecard.id!r}; "
            "check the patch"
        )
    may = _participants(scorecard, request, rules or ApprovalRules())
    if author not in may:
        raise ChangeControlError(
            f"{author!r} may not propose changes to {node!r}"
            + (f" in {org_unit!r}" if org_unit else "")
            + f": proposers are the owners in the affected units and the approvers ({may}). "
            "Ask one of them, or assign the author as owner first"
        )
    return request


def submit(request: ChangeRequest, *, by: str) -> ChangeRequest:
    """``draft`` → ``proposed``; only the author submits."""
    if request.state != "draft":
        raise IllegalTransitionError(
            f"change request {request.id!r} is {request.state}; only a draft can be submitted"
        )
    if by != request.author:
        raise IllegalTransitionError(
            f"{by!r} cannot submit change request {request.id!r}: only its author "
            f"{request.author!r} can"
        )
    return _evolve(request, state="proposed")


def _cap_problems(before: Scorecard, after: Scorecard, rules: ApprovalRules) -> list[str]:
    out: list[str] = []
    cap = rules.max_indicators_per_objective
    if cap is not None:
        for o in after.objectives:
            n = len(after.indicators_of(o.id))
            was = (
                len(before.indicators_of(o.id)) if o.id in {x.id for x in before.objectives} else 0
            )
            if n > cap and n > was:
                out.append(
                    f"objective {o.id!r} would have {n} indicators, over the cap of {cap} "
                    f"indicators per objective (max_indicators_per_objective); retire one of "
                    f"its indicators in the same request, or raise the cap"
                )
    cap = rules.max_indicators_per_scorecard
    if cap is not None:
        n, was = len(after.indicators), len(before.indicators)
        if n > cap and n > was:
            out.append(
                f"scorecard {after.id!r} would have {n} indicators, over the cap of {cap} "
                f"indicators per scorecard (max_indicators_per_scorecard); retire an indicator "
                f"in the same request, or raise the cap"
            )
    return out


def approve(
    request: ChangeRequest,
    scorecard: Scorecard,
    *,
    by: str,
    rules: ApprovalRules | None = None,
    note: str = "",
    at: str | None = None,
) -> ChangeRequest:
    """Record ``by``'s approval; the request is ``approved`` once every required role has
    approved.

    ``scorecard`` is the definition the request was made against (its assignments say who
    holds which role). Raises :class:`IllegalTransitionError` for a request that is not
    ``proposed``, for self-approval where the rules forbid it, for someone who holds none of
    the roles still missing, or who already approved (with distinct approvers); and
    :class:`ScopeCreepError` when the change would pass a cap on indicators.
    """
    rules = rules or ApprovalRules()
    if request.state != "proposed":
        hint = {
            "draft": "submit it first",
            "approved": "it is already approved",
            "rejected": "a rejected request is closed; make a new one",
            "applied": "it is already applied",
        }[request.state]
        raise IllegalTransitionError(
            f"cannot approve change request {request.id!r}: it is {request.state} ({hint})"
        )
    if by == request.author and not rules.allow_self_approval:
        raise IllegalTransitionError(
            f"{by!r} cannot approve their own change request {request.id!r}: the approval "
            "rules forbid self-approval (ApprovalRules(allow_self_approval=False)); ask "
            "another holder of the required roles"
        )
    if rules.distinct_approvers and any(a.approver == by for a in request.approvals):
        raise IllegalTransitionError(
            f"{by!r} already approved change request {request.id!r}; each required role "
            "needs a different person (ApprovalRules(distinct_approvers=True))"
        )
    after = apply_patch(scorecard, request.patch)
    problems = _cap_problems(scorecard, after, rules)
    if problems:
        raise ScopeCreepError(
            f"cannot approve change request {request.id!r}: " + "; ".join(problems)
        )
    missing = _missing(request, scorecard, after, rules)
    mine = [(role, level) for role, level, holders in missing if by in holders]
    if not mine:
        wanted = "; ".join(
            f"{role}@{level}: {holders or 'nobody is assigned'}" for role, level, holders in missing
        )
        raise IllegalTransitionError(
            f"{by!r} holds none of the roles still needed to approve change request "
            f"{request.id!r} ({wanted})"
        )
    role, level = mine[0]
    approval = Approval(approver=by, role=f"{role}@{level}", at=at or utc_now(), note=note)
    done = _evolve(request, approvals=(*request.approvals, approval))
    state = "approved" if not _missing(done, scorecard, after, rules) else "proposed"
    return _evolve(done, state=state)


def _missing(
    request: ChangeRequest, scorecard: Scorecard, after: Scorecard, rules: ApprovalRules
) -> list[tuple[str, str, list[str]]]:
    have = {a.role for a in request.approvals}
    return [
        (role, level, _holders(scorecard, after, request, role, level))
        for role, level in rules.roles_for(request.kind, request.target)
        if f"{role}@{level}" not in have
    ]


def reject(
    request: ChangeRequest,
    scorecard: Scorecard,
    *,
    by: str,
    reason: str,
    rules: ApprovalRules | None = None,
    at: str | None = None,
) -> ChangeRequest:
    """``proposed`` → ``rejected`` by a holder of a required role, with the reason kept as a
    comment."""
    rules = rules or ApprovalRules()
    if request.state != "proposed":
        raise IllegalTransitionError(
            f"cannot reject change request {request.id!r}: it is {request.state}; only a "
            "proposed request can be rejected"
        )
    if not reason.strip():
        raise ChangeControlError("a rejection needs a reason")
    if by == request.author and not rules.allow_self_approval:
        raise IllegalTransitionError(
            f"{by!r} cannot decide on their own change request {request.id!r}"
        )
    after = apply_patch(scorecard, request.patch)
    allowed = {
        p
        for role, level in rules.roles_for(request.kind, request.target)
        for p in _holders(scorecard, after, request, role, level)
    }
    if by not in allowed:
        raise IllegalTransitionError(
            f"{by!r} may not reject change request {request.id!r}; approvers are {sorted(allowed)}"
        )
    note = Comment(author=by, at=at or utc_now(), text=f"rejected: {reason}")
    return _evolve(request, state="rejected", comments=(*request.comments, note))


def comment(
    request: ChangeRequest,
    scorecard: Scorecard,
    *,
    by: str,
    text: str,
    rules: ApprovalRules | None = None,
    at: str | None = None,
) -> ChangeRequest:
    """Add a comment by one of the :func:`participants` (``peers=True``: peer units'
    owners too) while the request is open (draft, proposed or approved)."""
    if request.state in ("rejected", "applied"):
        raise IllegalTransitionError(
            f"change request {request.id!r} is {request.state} and closed for comments"
        )
    if not text.strip():
        raise ChangeControlError("a comment needs text")
    may = participants(scorecard, request, rules=rules, peers=True)
    if by not in may:
        raise ChangeControlError(
            f"{by!r} may not comment on change request {request.id!r}; participants are "
            f"{list(may)} (owners in the affected and peer units, and the approvers)"
        )
    return _evolve(
        request, comments=(*request.comments, Comment(author=by, at=at or utc_now(), text=text))
    )


# -- impact -----------------------------------------------------------------------------------


def unit_target(
    scorecard: Scorecard,
    indicator: str,
    org_unit: str,
    *,
    period: str | None = None,
    field: str = "target",
    target_set: str | None = None,
) -> float:
    """The ``field`` value (``target``, ``red_flag``, ...) in force for one indicator and
    unit at ``period`` (None: rows open at the start).

    Precedence, lowest first: the indicator's thresholds, company-wide rows, rows for the
    unit; the later row wins within a kind. Rows apply when ``start <= period <= end`` as
    labels (open ends allowed). NaN when nothing sets it. Unlike an evaluation, no sum of
    children's targets is made for a unit without one of its own.
    """
    ind = scorecard.indicator(indicator)
    value = getattr(ind.thresholds, field)
    sets = scorecard.target_sets
    rows: tuple[Any, ...] = ()
    if sets:
        rows = scorecard.target_set(target_set).targets if target_set else sets[0].targets

    def applies(t: Any) -> bool:
        if t.indicator != indicator or getattr(t, field) is None:
            return False
        if period is None:
            return t.start is None
        return (t.start is None or t.start <= period) and (t.end is None or period <= t.end)

    for wanted in (None, org_unit):
        for t in rows:
            if t.org_unit == wanted and applies(t):
                value = getattr(t, field)
    return float("nan") if value is None else float(value)


@attrs.frozen(kw_only=True)
class PeerComparison:
    """A unit's target before and after a change, next to its peers' (the other children of
    its parent unit) for the same indicator.

    ``rank`` counts from the most demanding target (1 = most demanding; higher is more
    demanding for a higher-better indicator, lower for a lower-better one; None for
    in-range indicators), among ``of`` units with a target.
    """

    indicator: str
    org_unit: str
    before: float
    proposed: float
    peers: tuple[str, ...]
    peer_min: float
    peer_median: float
    peer_max: float
    rank: int | None
    of: int


@attrs.frozen(kw_only=True, eq=False)
class Impact:
    """What a change request touches, for the approvers to read before they approve.

    Attributes
    ----------
    changes
        The field-by-field diff (``path``, ``before``, ``after``, ``change``).
    indicators, objectives
        The indicators and objectives changed (directly or by a target row).
    rollups
        Every node whose score may move: the objectives above, the objectives they cascade
        from, the perspectives and the scorecard.
    org_units
        The units whose results may move: the unit of a target row and its ancestors; every
        unit for a definition change.
    reports
        The perspectives whose pages show an affected objective.
    escalation_rules
        ``(rule name, indicator)`` pairs of the escalation rules that watch an affected
        indicator (by tier); without rules, empty.
    tiers
        The tiers of the affected indicators.
    consult
        The owners of the affected nodes in the affected units.
    peers
        A :class:`PeerComparison` per (indicator, unit) whose target changed.
    """

    request_id: str
    changes: pd.DataFrame
    indicators: tuple[str, ...]
    objectives: tuple[str, ...]
    rollups: tuple[str, ...]
    org_units: tuple[str, ...]
    reports: tuple[str, ...]
    escalation_rules: tuple[tuple[str, str], ...]
    tiers: tuple[str, ...]
    consult: tuple[str, ...]
    peers: tuple[PeerComparison, ...]

    def peers_frame(self) -> pd.DataFrame:
        """The peer comparisons as a frame, one row per (indicator, unit)."""
        fields = [f.name for f in attrs.fields(PeerComparison)]
        return pd.DataFrame(
            [[getattr(p, f) for f in fields] for p in self.peers], columns=fields
        ).astype({"peers": object, "rank": object})


_ID = re.compile(r"(perspectives|objectives|indicators)\[([^\]=]+)\]")


def _peer(
    before: Scorecard,
    after: Scorecard,
    indicator: str,
    unit: str,
    period: str | None,
    target_set: str | None,
) -> PeerComparison:
    chart = after.org_chart
    parent = chart.unit(unit).parent
    peers = tuple(u for u in chart.children(parent) if u != unit) if parent else ()
    mine = unit_target(after, indicator, unit, period=period, target_set=target_set)
    was = unit_target(before, indicator, unit, period=period, target_set=target_set)
    values = np.array(
        [unit_target(after, indicator, p, period=period, target_set=target_set) for p in peers],
        dtype=float,
    )
    have = values[~np.isnan(values)]
    lo, mid, hi = (
        (float(have.min()), float(np.median(have)), float(have.max()))
        if have.size
        else (np.nan, np.nan, np.nan)
    )
    polarity = after.indicator(indicator).polarity
    rank: int | None = None
    if polarity is not Polarity.IN_RANGE and not np.isnan(mine):
        harder = have > mine if polarity is Polarity.HIGHER_BETTER else have < mine
        rank = 1 + int(np.count_nonzero(harder))
    return PeerComparison(
        indicator=indicator,
        org_unit=unit,
        before=was,
        proposed=mine,
        peers=peers,
        peer_min=lo,
        peer_median=mid,
        peer_max=hi,
        rank=rank,
        of=int(have.size) + (0 if np.isnan(mine) else 1),
    )


def impact(
    scorecard: Scorecard,
    request: ChangeRequest,
    *,
    escalation_rules: Sequence[EscalationRule] = (),
    target_set: str | None = None,
) -> Impact:
    """What ``request`` would change in ``scorecard`` (the version it was made against).

    Examples
    --------
    >>> sc = Scorecard.from_dict({"id": "acme", "objectives": [{"id": "grow",
    ...     "perspective": "financial", "owner": "ann", "indicators": [{"id": "revenue"}]}]})
    >>> r = new_request(sc, base_version=1, kind="modify", target="metric", node="revenue",
    ...     patch=[{"op": "set", "path": "objectives[grow].indicators[revenue].unit",
    ...             "value": "EUR"}], rationale="euros", author="ann")
    >>> i = impact(sc, r)
    >>> i.indicators, i.rollups, i.reports
    (('revenue',), ('grow', 'financial', 'acme'), ('financial',))
    """
    after = apply_patch(scorecard, request.patch)
    changes = diff_definitions(scorecard, after)
    both = {*(i.id for i in scorecard.indicators), *(i.id for i in after.indicators)}
    objs = {*(o.id for o in scorecard.objectives), *(o.id for o in after.objectives)}
    indicators: list[str] = []
    objectives: list[str] = []

    def add(items: list[str], value: str) -> None:
        if value not in items:
            items.append(value)

    for path in [*changes["path"], ""]:
        for kind, key in _ID.findall(path):
            if kind == "indicators" and key in both:
                add(indicators, key)
            if (
                kind == "objectives"
                and key in objs
                and "indicators[" not in path.split(f"objectives[{key}]", 1)[1]
            ):
                add(objectives, key)
    if request.node in both:
        add(indicators, request.node)
    elif request.node in objs:
        add(objectives, request.node)
    # target rows: compare every (indicator, unit) target at the effective period
    pairs: list[tuple[str, str]] = []
    common = [i.id for i in after.indicators if i.id in {x.id for x in scorecard.indicators}]
    for ind in common:
        for unit in after.org_chart.ids:
            a = unit_target(
                scorecard, ind, unit, period=request.effective_from, target_set=target_set
            )
            b = unit_target(after, ind, unit, period=request.effective_from, target_set=target_set)
            if not (a == b or (np.isnan(a) and np.isnan(b))):
                pairs.append((ind, unit))
                add(indicators, ind)

    def lookup(sc_id: str) -> Indicator:
        return (
            after.indicator(sc_id)
            if sc_id in {i.id for i in after.indicators}
            else scorecard.indicator(sc_id)
        )

    for ind in indicators:
        add(objectives, lookup(ind).objective)
    rollups: list[str] = []
    perspectives: list[str] = []
    for obj in objectives:
        sc = after if obj in {o.id for o in after.objectives} else scorecard
        node: str | None = obj
        while node is not None and node not in rollups:
            o = sc.objective(node)
            if node != obj:
                add(rollups, node)
            add(perspectives, o.perspective)
            node = o.parent
    for obj in objectives:
        if obj in rollups:
            rollups.remove(obj)
    rollups = [*objectives, *rollups, *perspectives, after.id]
    target_units = {u for _, u in pairs}
    if pairs and not (set(indicators) - {i for i, _ in pairs}):
        units: list[str] = []
        for u in sorted(target_units, key=after.org_chart.ids.index):
            for x in (u, *after.org_chart.ancestors(u)):
                add(units, x)
        org_units = tuple(units)
    elif request.org_unit is not None:
        org_units = _units(after, request.org_unit)
    else:
        org_units = after.org_chart.ids
    tiers: list[str] = []
    for ind in indicators:
        add(tiers, lookup(ind).tier.value)
    fired = tuple(
        (rule.name, ind)
        for ind in indicators
        for rule in escalation_rules
        if rule.tier is None or rule.tier is lookup(ind).tier
    )
    consult: list[str] = []
    for who in scorecard.assignments:
        if (
            who.role is Role.OWNER
            and (who.node in indicators or who.node in objectives)
            and (who.org_unit is None or who.org_unit in org_units)
        ):
            add(consult, who.person)
    peers = tuple(
        _peer(scorecard, after, ind, unit, request.effective_from, target_set)
        for ind, unit in pairs
    )
    return Impact(
        request_id=request.id,
        changes=changes,
        indicators=tuple(indicators),
        objectives=tuple(objectives),
        rollups=tuple(rollups),
        org_units=tuple(org_units),
        reports=tuple(perspectives),
        escalation_rules=fired,
        tiers=tuple(tiers),
        consult=tuple(consult),
        peers=peers,
    )


# -- persistence ------------------------------------------------------------------------------


def _row(request: ChangeRequest) -> dict[str, Any]:
    body = request.to_dict()
    body.pop("revision")
    return {
        "id": request.id,
        "scorecard_id": request.scorecard_id,
        "base_version": request.base_version,
        "kind": request.kind,
        "target": request.target,
        "state": request.state,
        "author": request.author,
        "effective_from": request.effective_from,
        "applied_version": request.applied_version,
        "body": canonical_json(body),
    }


def save_request(store: Store, request: ChangeRequest, *, actor: str) -> ChangeRequest:
    """Store the request (new or changed) with its approvals and comments, audited as
    ``change.<state>``; returns it with the new ``revision``.

    A request changed in the store since it was read raises
    :class:`~balanced_scorecard.store.StoreConflictError`.
    """
    revision, _ = store.write_change_request(
        _row(request),
        approvals=[attrs.asdict(a) for a in request.approvals],
        comments=[attrs.asdict(c) for c in request.comments],
        actor=actor,
        action=f"change.{request.state}",
        expected_revision=request.revision,
        details={
            "state": request.state,
            "kind": request.kind,
            "target": request.target,
            "node": request.node,
            "base_version": request.base_version,
        },
    )
    return _evolve(request, revision=revision)


def load_request(store: Store, request_id: str) -> ChangeRequest:
    """The stored request, with its approvals and comments from their own tables."""
    row, approvals, comments = store.read_change_request(request_id)
    body = json.loads(row["body"])
    body["revision"] = int(row["revision"])
    body["approvals"] = [{k: a[k] for k in ("approver", "role", "at", "note")} for a in approvals]
    body["comments"] = [{k: c[k] for k in ("author", "at", "text")} for c in comments]
    return ChangeRequest.from_dict(body)


def list_requests(
    store: Store, scorecard_id: str | None = None, *, state: str | None = None
) -> pd.DataFrame:
    """The stored requests (see :meth:`Store.change_request_list`)."""
    return store.change_request_list(scorecard_id, state=state)


def apply_request(
    store: Store, request: ChangeRequest, *, by: str, message: str | None = None
) -> ChangeRequest:
    """Apply an approved request: the patched definition becomes the next stored version
    (``expected_version`` = the request's ``base_version``, ``effective_from`` = the
    request's), and the request becomes ``applied`` with that version, in one audited
    transaction.

    Raises :class:`IllegalTransitionError` for a request that is not approved, and
    :class:`~balanced_scorecard.store.StoreConflictError` when the definition changed since
    the request was made (nothing is written; make the request again on the new version).
    """
    if request.state != "approved":
        why = {
            "rejected": "a rejected request can never be applied",
            "applied": f"it was applied as version {request.applied_version}",
        }.get(request.state, "it needs every required approval first")
        raise IllegalTransitionError(
            f"cannot apply change request {request.id!r}: it is {request.state} ({why})"
        )
    base = store.load_definition(request.scorecard_id, request.base_version)
    after = apply_patch(base, request.patch)
    applied = _evolve(request, state="applied")
    revision, version = store.write_change_request(
        _row(applied),
        approvals=[attrs.asdict(a) for a in request.approvals],
        comments=[attrs.asdict(c) for c in request.comments],
        actor=by,
        action="change.applied",
        expected_revision=request.revision,
        details={"base_version": request.base_version, "node": request.node},
        apply=after,
        message=message or f"change request {request.id}: {request.rationale}",
    )
    return _evolve(applied, revision=revision, applied_version=version)
