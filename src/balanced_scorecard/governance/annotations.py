"""Annotations and status overrides on (node, org unit, period) cells of an evaluation.

Comments explain a number; replies make a thread of them. A red value can require a comment:
:func:`commentary_required` lists the red cells of a period that nobody has explained yet.

A status override is a manual judgement that replaces the computed status of one cell. Only
the node's **owner** may make one (an owner in that org unit or company-wide), always with a
justification, and it is never silent: :func:`apply_overrides` keeps the computed status in
``original_status`` and names who overrode it in ``overridden_by``. The score is left as
computed; only the status changes.

Times are UTC: an aware ``datetime`` is converted, ISO text is read, and a naive ``datetime``
(which could be any time zone) is rejected.

Examples
--------
>>> from datetime import datetime, UTC
>>> a = Annotation(id="c1", node="revenue", org_unit="all", period="2025-02",
...                author="cfo", at="2025-03-03T09:00:00+01:00", text="Late invoicing")
>>> a.at.isoformat()
'2025-03-03T08:00:00+00:00'
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import attrs
import numpy as np
import pandas as pd

from balanced_scorecard._suggest import did_you_mean
from balanced_scorecard.exceptions import ModelError
from balanced_scorecard.governance.roles import parse_role
from balanced_scorecard.model.people import Role

if TYPE_CHECKING:
    from balanced_scorecard.model.scorecard import Scorecard
    from balanced_scorecard.results import Evaluation

__all__ = [
    "COMMENTARY_COLUMNS",
    "Annotation",
    "Override",
    "apply_overrides",
    "check_annotations",
    "check_override",
    "commentary_required",
    "thread",
    "to_utc",
]

#: Columns of :func:`commentary_required`.
COMMENTARY_COLUMNS = (
    "node",
    "name",
    "org_unit",
    "period",
    "status",
    "actual",
    "target",
    "owner",
)


def to_utc(value: datetime | str) -> datetime:
    """An aware UTC ``datetime`` from an aware ``datetime`` or ISO text with an offset.

    Raises
    ------
    ModelError
        For a naive time (no zone) or unreadable text.

    Examples
    --------
    >>> to_utc("2025-03-03T09:00:00Z").isoformat()
    '2025-03-03T09:00:00+00:00'
    >>> to_utc("2025-03-03 09:00")
    Traceback (most recent call last):
    ...
    balanced_scorecard.exceptions.ModelError: time '2025-03-03 09:00' has no time zone; ...
    """
    if isinstance(value, str):
        try:
            stamp = datetime.fromisoformat(value.strip())
        except ValueError:
            raise ModelError(
                f"time {value!r} is not ISO 8601; write e.g. '2025-03-03T09:00:00Z'"
            ) from None
    elif isinstance(value, datetime):
        stamp = value
    else:
        raise ModelError(f"a time is a datetime or ISO text, not {type(value).__name__}")
    if stamp.tzinfo is None or stamp.utcoffset() is None:
        raise ModelError(
            f"time {value!r} has no time zone; governance records are in UTC, so write "
            "e.g. '2025-03-03T09:00:00Z' or datetime(..., tzinfo=UTC)"
        )
    return stamp.astimezone(UTC)


def _now() -> datetime:
    return datetime.now(UTC)


def _not_blank(what: str) -> Callable[[object, attrs.Attribute[str], str], None]:
    def check(_: object, attribute: attrs.Attribute[str], value: str) -> None:
        if not isinstance(value, str) or not value.strip():
            raise ModelError(f"{what} {attribute.name} is empty; {_HINTS[attribute.name]}")

    return check


_HINTS = {
    "id": "give every record a unique id",
    "node": "name the objective or indicator",
    "org_unit": "name the org unit",
    "period": "name the period label, e.g. '2025-03'",
    "author": "say who wrote it",
    "text": "write the comment",
    "by": "say who overrides",
    "status": "name the status band, e.g. 'amber'",
    "justification": "say why the computed status is wrong: an override without a "
    "justification is not accepted",
}


@attrs.frozen(kw_only=True)
class Annotation:
    """A comment on one (node, org unit, period) cell, or a reply to another comment.

    Parameters
    ----------
    id
        Unique id of the comment.
    node, org_unit, period
        The cell commented on (a reply must be on its parent's cell).
    author
        Who wrote it.
    at
        When, in UTC (see :func:`to_utc`); default: now.
    text
        The comment (not blank).
    reply_to
        Id of the comment this answers, or ``None`` for a new thread.
    """

    id: str = attrs.field(validator=_not_blank("annotation"))
    node: str = attrs.field(validator=_not_blank("annotation"))
    org_unit: str = attrs.field(validator=_not_blank("annotation"))
    period: str = attrs.field(validator=_not_blank("annotation"))
    author: str = attrs.field(validator=_not_blank("annotation"))
    text: str = attrs.field(validator=_not_blank("annotation"))
    at: datetime = attrs.field(factory=_now, converter=to_utc)
    reply_to: str | None = None

    def __attrs_post_init__(self) -> None:
        if self.reply_to == self.id:
            raise ModelError(f"annotation {self.id!r} replies to itself; reply_to another id")

    @property
    def cell(self) -> tuple[str, str, str]:
        """``(node, org_unit, period)``."""
        return (self.node, self.org_unit, self.period)


@attrs.frozen(kw_only=True)
class Override:
    """A manual status for one (node, org unit, period) cell, made by its owner.

    ``role`` must be ``owner``; whether ``by`` really owns the node is checked against the
    scorecard by :func:`check_override` (and :func:`apply_overrides`).

    Examples
    --------
    >>> Override(node="revenue", org_unit="all", period="2025-02", status="amber",
    ...          by="ann", role="data_steward", justification="one-off",
    ...          at="2025-03-01T00:00:00Z")
    Traceback (most recent call last):
    ...
    balanced_scorecard.exceptions.ModelError: only the owner role may override a status; ...
    """

    node: str = attrs.field(validator=_not_blank("override"))
    org_unit: str = attrs.field(validator=_not_blank("override"))
    period: str = attrs.field(validator=_not_blank("override"))
    status: str = attrs.field(validator=_not_blank("override"))
    by: str = attrs.field(validator=_not_blank("override"))
    justification: str = attrs.field(validator=_not_blank("override"))
    role: Role = attrs.field(default=Role.OWNER, converter=parse_role)
    at: datetime = attrs.field(factory=_now, converter=to_utc)

    def __attrs_post_init__(self) -> None:
        if self.role is not Role.OWNER:
            raise ModelError(
                f"only the owner role may override a status; {self.by!r} acts as "
                f"{self.role.value!r} for {self.node!r} in {self.org_unit!r}. Ask the owner "
                "to make the override, or add a comment instead"
            )

    @property
    def cell(self) -> tuple[str, str, str]:
        """``(node, org_unit, period)``."""
        return (self.node, self.org_unit, self.period)


def _check_cell(evaluation: Evaluation, cell: tuple[str, str, str], what: str) -> None:
    node, unit, period = cell
    try:
        evaluation.locate(node)
        evaluation.unit_index(unit)
        evaluation.period_index(period)
    except KeyError as err:
        raise type(err)(f"{what}: {err}") from None


def check_annotations(evaluation: Evaluation, annotations: Iterable[Annotation]) -> None:
    """Check that every annotation names a node, org unit and period of ``evaluation`` and
    that ids are unique and replies point at an existing comment on the same cell.

    Raises
    ------
    UnknownNodeError
        For an unknown node, org unit or period (with a did-you-mean).
    ModelError
        For a duplicate id or a reply to a missing comment or to another cell.

    Examples
    --------
    >>> from balanced_scorecard.results import _demo
    >>> check_annotations(_demo(), [Annotation(id="c1", node="revenu", org_unit="all",
    ...     period="2025-02", author="cfo", text="x", at="2025-03-01T00:00:00Z")])
    Traceback (most recent call last):
    ...
    balanced_scorecard.exceptions.UnknownNodeError: annotation 'c1': no node 'revenu' ...
    """
    by_id = _index(annotations)
    for a in by_id.values():
        _check_cell(evaluation, a.cell, f"annotation {a.id!r}")
        _parent(a, by_id)


def _index(annotations: Iterable[Annotation]) -> dict[str, Annotation]:
    by_id: dict[str, Annotation] = {}
    for a in annotations:
        if a.id in by_id:
            raise ModelError(f"annotation id {a.id!r} is used twice; ids must be unique")
        by_id[a.id] = a
    return by_id


def _parent(a: Annotation, by_id: dict[str, Annotation]) -> Annotation | None:
    if a.reply_to is None:
        return None
    parent = by_id.get(a.reply_to)
    if parent is None:
        raise ModelError(
            f"annotation {a.id!r} replies to {a.reply_to!r}, which is not among the "
            "annotations." + did_you_mean(a.reply_to, by_id)
        )
    if parent.cell != a.cell:
        raise ModelError(
            f"annotation {a.id!r} on {a.cell} replies to {parent.id!r} on {parent.cell}; a "
            "reply belongs to its parent's cell"
        )
    return parent


def thread(annotations: Iterable[Annotation], id: str) -> tuple[Annotation, ...]:
    """The comment ``id`` and every reply under it, depth first, each level by time.

    Raises
    ------
    ModelError
        For an unknown ``id`` (with a did-you-mean), a duplicate id, or a reply to a
        missing comment.

    Examples
    --------
    >>> t = "2025-03-0{}T09:00:00Z"
    >>> notes = [
    ...     Annotation(id="a", node="rev", org_unit="all", period="2025-02", author="cfo",
    ...                text="Why red?", at=t.format(1)),
    ...     Annotation(id="b", node="rev", org_unit="all", period="2025-02", author="ann",
    ...                text="Invoices late", at=t.format(2), reply_to="a"),
    ...     Annotation(id="c", node="rev", org_unit="all", period="2025-02", author="cfo",
    ...                text="Fix by May?", at=t.format(3), reply_to="b")]
    >>> [a.id for a in thread(notes, "a")], [a.id for a in thread(notes, "b")]
    (['a', 'b', 'c'], ['b', 'c'])
    """
    by_id = _index(annotations)
    if id not in by_id:
        raise ModelError(f"no annotation {id!r}." + did_you_mean(id, by_id))
    children: dict[str, list[Annotation]] = {}
    for a in by_id.values():
        parent = _parent(a, by_id)
        if parent is not None:
            children.setdefault(parent.id, []).append(a)
    out: list[Annotation] = []
    stack = [by_id[id]]
    seen: set[str] = set()
    while stack:
        a = stack.pop()
        if a.id in seen:  # a reply loop (a → b → a) cannot be ordered
            raise ModelError(f"annotations reply to each other in a loop through {a.id!r}")
        seen.add(a.id)
        out.append(a)
        stack.extend(sorted(children.get(a.id, []), key=lambda x: (x.at, x.id), reverse=True))
    return tuple(out)


def _statuses(evaluation: Evaluation, statuses: Sequence[str] | str | None) -> list[str]:
    names = evaluation.status_names
    if statuses is None:
        return [names[0]]
    wanted = [statuses] if isinstance(statuses, str) else list(statuses)
    for s in wanted:
        if s not in names:
            raise ModelError(
                f"status {s!r} is not a status band of scorecard {evaluation.scorecard.id!r} "
                f"({', '.join(names)})." + did_you_mean(s, names)
            )
    return wanted


def commentary_required(
    evaluation: Evaluation,
    annotations: Iterable[Annotation] = (),
    *,
    statuses: Sequence[str] | str | None = None,
    period: str | None = None,
    kinds: Sequence[str] = ("indicator",),
) -> pd.DataFrame:
    """Cells of ``period`` whose status requires a comment that nobody has written yet.

    Parameters
    ----------
    evaluation
        The evaluation.
    annotations
        The comments so far; any comment on the cell (a thread's first or a reply) counts.
    statuses
        Band names that require commentary; ``None`` (default) is the lowest band (``red``).
    period
        A period label; ``None`` is the focus period.
    kinds
        Which node kinds need comments (``indicator``, ``objective``, ``perspective``,
        ``scorecard``).

    Returns
    -------
    DataFrame
        Columns :data:`COMMENTARY_COLUMNS`, one row per uncommented cell, in the
        evaluation's order; ``owner`` is who should write the comment.

    Examples
    --------
    >>> import pandas as pd
    >>> from balanced_scorecard.model import Indicator, Objective, Scorecard, Thresholds
    >>> sc = Scorecard(id="d", objectives=[Objective(id="g", perspective="financial")],
    ...     indicators=[Indicator(id="rev", objective="g",
    ...                           thresholds=Thresholds(target=100, red_flag=50))])
    >>> ev = sc.evaluate(pd.DataFrame({"indicator": "rev", "org_unit": "all",
    ...                                "period": ["2025-01"], "value": [10.0]}))
    >>> commentary_required(ev)[["node", "org_unit", "period", "status"]]
      node org_unit   period status
    0  rev      all  2025-01    red
    >>> note = Annotation(id="n1", node="rev", org_unit="all", period="2025-01",
    ...                   author="ann", text="Plant shut for 3 weeks", at="2025-02-02T08:00Z")
    >>> commentary_required(ev, [note]).empty
    True
    """
    wanted = _statuses(evaluation, statuses)
    label = evaluation.period_labels[evaluation.period_index(period)]
    rows = evaluation.to_frame(period=label, org_unit=False)
    rows = rows[rows["kind"].isin(list(kinds)) & rows["status"].isin(wanted)]
    commented = pd.MultiIndex.from_tuples(
        [a.cell for a in annotations if a.period == label] or [("", "", "")]
    )
    keys = pd.MultiIndex.from_arrays(
        [
            rows["node"].astype(str).to_numpy(),
            rows["org_unit"].astype(str).to_numpy(),
            rows["period"].astype(str).to_numpy(),
        ]
    )
    rows = rows[~np.asarray(keys.isin(commented))]
    sc = evaluation.scorecard
    out = pd.DataFrame(
        {
            "node": rows["node"].astype(str).to_numpy(),
            "name": rows["name"].astype(str).to_numpy(),
            "org_unit": rows["org_unit"].astype(str).to_numpy(),
            "period": rows["period"].astype(str).to_numpy(),
            "status": rows["status"].astype(str).to_numpy(),
            "actual": rows["actual"].to_numpy(),
            "target": rows["target"].to_numpy(),
            "owner": [
                ", ".join(sc.people(str(n), Role.OWNER, str(u)))
                for n, u in zip(rows["node"], rows["org_unit"], strict=True)
            ],
        }
    )
    return out[list(COMMENTARY_COLUMNS)]


def check_override(
    scorecard: Scorecard, override: Override, *, status_names: Sequence[str] | None = None
) -> None:
    """Check that ``override.by`` owns the node in the org unit (or company-wide) and that the
    status is a band of the scorecard.

    Raises
    ------
    UnknownNodeError
        For a node or org unit the scorecard does not have (with a did-you-mean).
    ModelError
        When ``by`` is not an owner (the message names who may override) or the status is
        no band.

    Examples
    --------
    >>> from balanced_scorecard.results import _demo
    >>> o = Override(node="revenue", org_unit="all", period="2025-02", status="amber",
    ...              by="bob", justification="one-off", at="2025-03-01T00:00:00Z")
    >>> check_override(_demo().scorecard, o)
    Traceback (most recent call last):
    ...
    balanced_scorecard.exceptions.ModelError: bob may not override ... nobody owns it yet; ...
    """
    if override.node != scorecard.id:
        scorecard.node(override.node)
    scorecard.org_chart.unit(override.org_unit)
    names = (
        tuple(status_names)
        if status_names is not None
        else tuple(b.name for b in scorecard.status_bands)
    )
    if override.status not in names:
        raise ModelError(
            f"override status {override.status!r} is not a status band ({', '.join(names)})."
            + did_you_mean(override.status, names)
        )
    owners = scorecard.people(override.node, Role.OWNER, override.org_unit)
    if override.by not in owners:
        may = (
            f"only its owner may: {', '.join(owners)}"
            if owners
            else "nobody owns it yet; assign an owner first"
        )
        raise ModelError(
            f"{override.by} may not override the status of {override.node!r} in "
            f"{override.org_unit!r} for {override.period}: {may}"
        )


def apply_overrides(
    frame: pd.DataFrame, overrides: Iterable[Override], *, scorecard: Scorecard
) -> pd.DataFrame:
    """The frame of :meth:`Evaluation.to_frame` with owners' status overrides applied, visibly.

    Every override is checked first (:func:`check_override`); one that fails stops the whole
    call, so nothing is half-applied. Overrides of cells that are not in the frame (another
    period, a unit not shown) are ignored. When several overrides hit one cell, the latest
    (by ``at``) wins.

    Returns
    -------
    DataFrame
        A copy with ``status`` replaced where overridden, and three columns added:
        ``original_status`` (the computed status, on every row), ``overridden_by`` (the
        owner, empty where not overridden) and ``override_justification``.

    Examples
    --------
    >>> from balanced_scorecard.model import Assignment
    >>> from balanced_scorecard.results import _demo
    >>> ev = _demo()
    >>> sc = attrs.evolve(ev.scorecard,
    ...                   assignments=[Assignment(role="owner", person="ann", node="revenue")])
    >>> o = Override(node="revenue", org_unit="all", period="2025-02", status="amber",
    ...              by="ann", justification="Q1 deals slipped one week",
    ...              at="2025-03-01T00:00:00Z")
    >>> out = apply_overrides(ev.to_frame(), [o], scorecard=sc)
    >>> out[out["node"] == "revenue"][["status", "original_status", "overridden_by"]]
      status original_status overridden_by
    6  amber           green           ann
    """
    chosen: dict[tuple[str, str, str], Override] = {}
    categories = frame["status"].cat.categories if hasattr(frame["status"], "cat") else None
    names = list(categories) if categories is not None else None
    for o in sorted(overrides, key=lambda x: x.at):
        check_override(scorecard, o, status_names=names)
        chosen[o.cell] = o
    out = frame.copy()
    original = frame["status"].copy()
    keys = pd.MultiIndex.from_arrays(
        [frame[c].astype(str).to_numpy() for c in ("node", "org_unit", "period")]
    )
    if not keys.is_unique:
        raise ModelError(
            "the frame has a (node, org_unit, period) cell more than once; pass a frame of "
            "Evaluation.to_frame() (one row per cell)"
        )
    cells = list(chosen)
    where = keys.get_indexer(pd.MultiIndex.from_tuples(cells)) if cells else np.array([], int)
    hit = np.full(len(frame), -1, dtype=np.int64)
    found = where >= 0
    hit[where[found]] = np.nonzero(found)[0]
    applied = [chosen[cells[i]] for i in hit[hit >= 0]]
    status = original.astype(object).to_numpy().copy()
    status[hit >= 0] = [o.status for o in applied]
    by = np.full(len(frame), "", dtype=object)
    why = np.full(len(frame), "", dtype=object)
    by[hit >= 0] = [o.by for o in applied]
    why[hit >= 0] = [o.justification for o in applied]
    out["status"] = (
        pd.Categorical(status, categories=categories) if categories is not None else status
    )
    out["original_status"] = original
    out["overridden_by"] = by
    out["override_justification"] = why
    return out
