"""Governance records in the store: annotations, status overrides and review meetings.

Each write goes through :meth:`Store.audited_write <balanced_scorecard.store.Store.audited_write>`,
so the row and its audit record commit together. Rows are only ever inserted: a reply is a
new annotation, a changed mind a newer override (the latest per cell wins when applied).

Examples
--------
>>> from balanced_scorecard.governance import Annotation
>>> from balanced_scorecard.store import Store
>>> store = Store.open("sqlite://")
>>> save_annotation(store, "acme", Annotation(id="c1", node="revenue", org_unit="all",
...     period="2025-02", author="ann", text="Late invoices", at="2025-03-02T09:00:00Z"))
>>> [a.text for a in load_annotations(store, "acme")]
['Late invoices']
>>> store.audit()["action"].tolist()
['annotation.added']
"""

from __future__ import annotations

import json
from datetime import date
from typing import TYPE_CHECKING, Any

import attrs
import pandas as pd
import sqlalchemy as sa

from balanced_scorecard.exceptions import ModelError, StoreError
from balanced_scorecard.governance.annotations import Annotation, Override
from balanced_scorecard.store.schema import annotation_rows, override_rows, review_rows

if TYPE_CHECKING:
    from balanced_scorecard.store.store import Store

__all__ = [
    "ReviewRecord",
    "load_annotations",
    "load_overrides",
    "load_reviews",
    "save_annotation",
    "save_override",
    "save_review",
]


def _day(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _text_tuple(value: Any) -> tuple[str, ...]:
    return tuple(str(v) for v in ([value] if isinstance(value, str) else value))


@attrs.frozen(kw_only=True)
class ReviewRecord:
    """A review meeting as held: when, who came, what was decided and which actions follow.

    Examples
    --------
    >>> r = ReviewRecord(meeting="monthly operational", period="2025-02",
    ...                  held_on="2025-03-07", facilitator="pmo", attendees=["coo", "cfo"],
    ...                  decisions=["re-plan Q2 revenue"])
    >>> r.attendees
    ('coo', 'cfo')
    """

    meeting: str
    period: str
    held_on: date = attrs.field(converter=_day)
    facilitator: str
    attendees: tuple[str, ...] = attrs.field(default=(), converter=_text_tuple)
    decisions: tuple[str, ...] = attrs.field(default=(), converter=_text_tuple)
    actions: tuple[str, ...] = attrs.field(default=(), converter=_text_tuple)
    notes: str = ""

    def __attrs_post_init__(self) -> None:
        for name in ("meeting", "period", "facilitator"):
            if not str(getattr(self, name)).strip():
                raise ModelError(f"a review record needs a {name}; got an empty one")


def save_annotation(store: Store, scorecard_id: str, annotation: Annotation) -> None:
    """Add a comment (or a reply, ``reply_to`` another id) on a cell of a scorecard.

    Raises
    ------
    StoreError
        When the id is taken, or ``reply_to`` names no stored annotation of the scorecard.
    """
    a = annotation
    with store.audited_write(
        actor=a.author,
        action="annotation.added",
        subject=f"{scorecard_id}/{a.node}/{a.org_unit}/{a.period}",
        details={"id": a.id, "reply_to": a.reply_to, "text": a.text},
    ) as conn:
        ids = set(
            conn.execute(
                sa.select(annotation_rows.c.id).where(
                    annotation_rows.c.scorecard_id == scorecard_id
                )
            ).scalars()
        )
        if a.id in ids:
            raise StoreError(
                f"annotation id {a.id!r} is already used in scorecard {scorecard_id!r}; "
                "give each comment its own id (a reply is a new annotation with reply_to)"
            )
        if a.reply_to is not None and a.reply_to not in ids:
            raise StoreError(
                f"annotation {a.id!r} replies to {a.reply_to!r}, which is not stored for "
                f"scorecard {scorecard_id!r}; save the comment it answers first"
            )
        conn.execute(
            sa.insert(annotation_rows).values(
                scorecard_id=scorecard_id,
                id=a.id,
                node=a.node,
                org_unit=a.org_unit,
                period=a.period,
                author=a.author,
                at=a.at.isoformat(),
                reply_to=a.reply_to,
                text=a.text,
            )
        )


def load_annotations(
    store: Store,
    scorecard_id: str,
    *,
    node: str | None = None,
    org_unit: str | None = None,
    period: str | None = None,
) -> list[Annotation]:
    """The stored annotations of a scorecard (optionally of one node, unit or period), in
    the order they were written."""
    query = sa.select(annotation_rows).where(annotation_rows.c.scorecard_id == scorecard_id)
    for column, value in (("node", node), ("org_unit", org_unit), ("period", period)):
        if value is not None:
            query = query.where(annotation_rows.c[column] == value)
    with store.engine.connect() as conn:
        rows = conn.execute(query.order_by(annotation_rows.c.pk)).mappings().all()
    return [
        Annotation(
            id=r["id"],
            node=r["node"],
            org_unit=r["org_unit"],
            period=r["period"],
            author=r["author"],
            text=r["text"],
            at=r["at"],
            reply_to=r["reply_to"],
        )
        for r in rows
    ]


def save_override(store: Store, scorecard_id: str, override: Override) -> None:
    """Record an owner's status override (check it first with
    :meth:`Evaluation.with_overrides <balanced_scorecard.Evaluation.with_overrides>`)."""
    o = override
    with store.audited_write(
        actor=o.by,
        action="override.recorded",
        subject=f"{scorecard_id}/{o.node}/{o.org_unit}/{o.period}",
        details={"status": o.status, "justification": o.justification},
    ) as conn:
        conn.execute(
            sa.insert(override_rows).values(
                scorecard_id=scorecard_id,
                node=o.node,
                org_unit=o.org_unit,
                period=o.period,
                status=o.status,
                by=o.by,
                role=o.role.value,
                at=o.at.isoformat(),
                justification=o.justification,
            )
        )


def load_overrides(store: Store, scorecard_id: str) -> list[Override]:
    """The stored overrides of a scorecard, oldest first (pass them to
    :meth:`Evaluation.with_overrides <balanced_scorecard.Evaluation.with_overrides>`)."""
    query = sa.select(override_rows).where(override_rows.c.scorecard_id == scorecard_id)
    with store.engine.connect() as conn:
        rows = conn.execute(query.order_by(override_rows.c.pk)).mappings().all()
    return [
        Override(
            node=r["node"],
            org_unit=r["org_unit"],
            period=r["period"],
            status=r["status"],
            by=r["by"],
            role=r["role"],
            at=r["at"],
            justification=r["justification"],
        )
        for r in rows
    ]


def save_review(store: Store, scorecard_id: str, record: ReviewRecord) -> None:
    """Record a review meeting as held.

    Raises
    ------
    StoreError
        When the meeting is already recorded for that period (a record is not rewritten;
        add a follow-up meeting instead).
    """
    body = {
        "attendees": list(record.attendees),
        "decisions": list(record.decisions),
        "actions": list(record.actions),
        "notes": record.notes,
    }
    try:
        with store.audited_write(
            actor=record.facilitator,
            action="review.recorded",
            subject=f"{scorecard_id}/reviews/{record.meeting}/{record.period}",
            details=body,
        ) as conn:
            conn.execute(
                sa.insert(review_rows).values(
                    scorecard_id=scorecard_id,
                    meeting=record.meeting,
                    period=record.period,
                    held_on=record.held_on.isoformat(),
                    facilitator=record.facilitator,
                    body=json.dumps(body, ensure_ascii=False, sort_keys=True),
                )
            )
    except sa.exc.IntegrityError:
        raise StoreError(
            f"the {record.meeting!r} review of {record.period} is already recorded for "
            f"scorecard {scorecard_id!r}; records are not rewritten, add a follow-up meeting"
        ) from None


def load_reviews(store: Store, scorecard_id: str) -> pd.DataFrame:
    """The recorded reviews: ``meeting``, ``period``, ``held_on``, ``facilitator``,
    ``attendees``, ``decisions``, ``actions``, ``notes`` (lists as comma-joined text)."""
    query = sa.select(review_rows).where(review_rows.c.scorecard_id == scorecard_id)
    with store.engine.connect() as conn:
        rows = conn.execute(query.order_by(review_rows.c.pk)).mappings().all()
    columns = [
        "meeting", "period", "held_on", "facilitator", "attendees", "decisions", "actions",
        "notes",
    ]  # fmt: skip
    records: list[dict[str, Any]] = []
    for r in rows:
        body = json.loads(r["body"])
        records.append(
            {
                "meeting": r["meeting"],
                "period": r["period"],
                "held_on": r["held_on"],
                "facilitator": r["facilitator"],
                **{k: ", ".join(body[k]) for k in ("attendees", "decisions", "actions")},
                "notes": body["notes"],
            }
        )
    return pd.DataFrame(records, columns=columns)
