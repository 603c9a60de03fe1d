"""The stored audit trail: appending a record inside a write transaction, reading the trail
back, and verifying it together with the chain head (the row writers lock).

:class:`~balanced_scorecard.store.Store` calls these; a record is only ever appended inside
the transaction of the write it describes (see ``Store._transaction``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import pandas as pd
import sqlalchemy as sa

from balanced_scorecard.governance.audit import (
    AuditRecord,
    VerifyResult,
    canonical_json,
    make_record,
    verify,
)
from balanced_scorecard.store._row_values import utc
from balanced_scorecard.store.schema import audit_head, audit_log

__all__ = ["append_record", "audit_frame", "read_records", "verify_stored"]

_AUDIT_COLUMNS = ["seq", "at", "actor", "action", "subject", "details", "prev_hash", "hash"]


def append_record(
    conn: sa.Connection,
    head: tuple[int, str],
    *,
    actor: str,
    action: str,
    subject: str,
    details: Mapping[str, Any],
) -> AuditRecord:
    """Insert the record after ``head`` (seq, hash) and move the chain head to it, on the
    caller's connection (so in the caller's transaction)."""
    seq, last_hash = head
    previous = None
    if seq:
        previous = AuditRecord(
            seq=seq, at="", actor="-", action="-", subject="", prev_hash="", hash=last_hash
        )
    record = make_record(previous, actor=actor, action=action, subject=subject, details=details)
    conn.execute(
        sa.insert(audit_log).values(
            seq=record.seq,
            at=record.at,
            actor=record.actor,
            action=record.action,
            subject=record.subject,
            details=canonical_json(record.details),
            prev_hash=record.prev_hash,
            hash=record.hash,
        )
    )
    conn.execute(
        sa.update(audit_head).where(audit_head.c.id == 1).values(seq=record.seq, hash=record.hash)
    )
    return record


def read_records(engine: sa.Engine) -> list[AuditRecord]:
    """Every audit record, in seq order."""
    with engine.connect() as conn:
        rows = conn.execute(sa.select(audit_log).order_by(audit_log.c.seq)).all()
    return [
        AuditRecord(
            seq=int(r.seq),
            at=r.at,
            actor=r.actor,
            action=r.action,
            subject=r.subject,
            details=json.loads(r.details),
            prev_hash=r.prev_hash,
            hash=r.hash,
        )
        for r in rows
    ]


def audit_frame(
    engine: sa.Engine, *, subject: str | None, action: str | None, actor: str | None
) -> pd.DataFrame:
    """The trail as a frame, oldest first, only the records matching the given values."""
    query = sa.select(audit_log).order_by(audit_log.c.seq)
    for column, value in (("subject", subject), ("action", action), ("actor", actor)):
        if value is not None:
            query = query.where(audit_log.c[column] == value)
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    frame = pd.DataFrame([tuple(r) for r in rows], columns=_AUDIT_COLUMNS)
    frame["seq"] = frame["seq"].astype("int64")
    frame["at"] = utc(frame["at"])
    frame["details"] = frame["details"].map(json.loads).astype(object)
    return frame


def verify_stored(engine: sa.Engine, records: list[AuditRecord]) -> VerifyResult:
    """Verify ``records`` (the whole stored trail) as a chain, then against the stored chain
    head: a head behind the last record was changed, one ahead of it lost records."""
    result = verify(records, first_seq=1)
    if not result.ok:
        return result
    with engine.connect() as conn:
        head = conn.execute(
            sa.select(audit_head.c.seq, audit_head.c.hash).where(audit_head.c.id == 1)
        ).one_or_none()
    last_seq = records[-1].seq if records else 0
    last_hash = records[-1].hash if records else None
    head_seq = None if head is None else int(head.seq)
    if head_seq is not None and head_seq < last_seq:
        return VerifyResult(
            ok=False,
            checked=len(records),
            first_bad_seq=head_seq + 1,
            reason="bad link",
            message=(
                f"the audit chain head names record {head_seq}, but the trail goes on to "
                f"record {last_seq}: the head was changed"
            ),
        )
    if head is None or head_seq != last_seq or (records and head.hash != last_hash):
        return VerifyResult(
            ok=False,
            checked=len(records),
            first_bad_seq=last_seq + 1,
            reason="deleted",
            message=(
                f"the audit chain head names record {head_seq}, but the trail ends at "
                f"record {last_seq}: records after it were deleted"
            ),
        )
    return result
