"""Stored change requests: writing one (row, new approvals and comments, and optionally the
definition version it applies) in one audited transaction, reading one back, and listing
them.

The plain-data layer under :mod:`balanced_scorecard.governance.change_control`, reached
through :class:`~balanced_scorecard.store.Store`. The ``revision`` column is the optimistic
lock of a request, as ``expected_version`` is of a definition.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd
import sqlalchemy as sa

from balanced_scorecard._suggest import did_you_mean
from balanced_scorecard.governance.audit import canonical_json, utc_now
from balanced_scorecard.model.scorecard import Scorecard
from balanced_scorecard.store._definitions_io import insert_definition
from balanced_scorecard.store._row_values import require_name, utc
from balanced_scorecard.store.errors import StoreConflictError, StoreError
from balanced_scorecard.store.schema import change_approvals, change_comments, change_requests

if TYPE_CHECKING:
    from balanced_scorecard.store.store import Store

__all__ = ["change_request_frame", "read_change_request", "write_change_request"]


def write_change_request(
    store: Store,
    row: Mapping[str, Any],
    *,
    approvals: Sequence[Mapping[str, Any]],
    comments: Sequence[Mapping[str, Any]],
    actor: str,
    action: str,
    expected_revision: int,
    details: Mapping[str, Any] | None,
    apply: Scorecard | None,
    message: str,
) -> tuple[int, int | None]:
    """Insert or update one change request in one audited transaction (see
    ``Store.write_change_request``); return the new revision and the applied version."""
    require_name(actor, "actor")
    require_name(action, "action")
    rid = require_name(row.get("id"), "change request id")
    with store._transaction() as (conn, head):
        stored = conn.execute(
            sa.select(change_requests.c.revision, change_requests.c.created_at).where(
                change_requests.c.id == rid
            )
        ).one_or_none()
        current = 0 if stored is None else int(stored.revision)
        if current != expected_revision:
            raise StoreConflictError(
                f"change request {rid}", expected_revision, current, what="revision"
            )
        values = dict(row)
        applied: int | None = values.get("applied_version")
        if apply is not None:
            applied, head = insert_definition(
                store,
                conn,
                head,
                apply,
                author=actor,
                message=message,
                expected_version=int(values["base_version"]),
                effective_from=values.get("effective_from"),
            )
            if applied == int(values["base_version"]):
                raise StoreError(
                    f"change request {rid!r} does not change scorecard "
                    f"{values['scorecard_id']!r}; nothing to apply"
                )
            values["applied_version"] = applied
            body = json.loads(str(values["body"]))
            body["applied_version"] = applied
            values["body"] = canonical_json(body)
        now = utc_now()
        values["revision"] = current + 1
        values["updated_at"] = now
        if stored is None:
            values["created_at"] = now
            conn.execute(sa.insert(change_requests).values(values))
        else:
            conn.execute(
                sa.update(change_requests).where(change_requests.c.id == rid).values(values)
            )
        for table, items in ((change_approvals, approvals), (change_comments, comments)):
            have = conn.execute(
                sa.select(sa.func.count()).select_from(table).where(table.c.request_id == rid)
            ).scalar_one()
            for seq, item in enumerate(items[int(have) :], start=int(have) + 1):
                conn.execute(sa.insert(table).values({**item, "request_id": rid, "seq": seq}))
        store._append(
            conn,
            head,
            actor=actor,
            action=action,
            subject=f"{values['scorecard_id']}/changes/{rid}",
            details={**(details or {}), "revision": current + 1, "applied_version": applied},
        )
    return current + 1, applied


def read_change_request(
    store: Store, request_id: str
) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]:
    """The stored row, approvals and comments of one change request (plain data)."""
    with store.engine.connect() as conn:
        row = conn.execute(
            sa.select(change_requests).where(change_requests.c.id == request_id)
        ).one_or_none()
        if row is None:
            known = conn.execute(sa.select(change_requests.c.id)).scalars()
            raise StoreError(
                f"no change request {request_id!r} in store {store.url!r}."
                + did_you_mean(request_id, [str(k) for k in known])
            )
        out = []
        for table in (change_approvals, change_comments):
            rows = conn.execute(
                sa.select(table).where(table.c.request_id == request_id).order_by(table.c.seq)
            ).all()
            out.append([dict(r._mapping) for r in rows])
    return dict(row._mapping), out[0], out[1]


def change_request_frame(
    engine: sa.Engine, scorecard_id: str | None, state: str | None
) -> pd.DataFrame:
    """The stored change requests (all columns but ``body``), oldest first."""
    columns = [c.name for c in change_requests.columns if c.name != "body"]
    query = sa.select(*(change_requests.c[c] for c in columns)).order_by(
        change_requests.c.created_at, change_requests.c.id
    )
    if scorecard_id is not None:
        query = query.where(change_requests.c.scorecard_id == scorecard_id)
    if state is not None:
        query = query.where(change_requests.c.state == state)
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    frame = pd.DataFrame([tuple(r) for r in rows], columns=columns)
    for name in ("created_at", "updated_at"):
        frame[name] = utc(frame[name])
    frame["applied_version"] = frame["applied_version"].astype(object)
    return frame
