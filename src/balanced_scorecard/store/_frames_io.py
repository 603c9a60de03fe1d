"""Target sets and observation snapshots: frames stored by (scorecard, label) in revisions
that are only ever added, kept as the exact JSON of :mod:`~balanced_scorecard.store.frames`.

One implementation serves both kinds (:data:`TARGETS` in ``bsc_target_sets`` keyed by
``name``, :data:`SNAPSHOTS` in ``bsc_snapshots`` keyed by ``close_label``);
:class:`~balanced_scorecard.store.Store` passes the kind. A save runs in the store's write
transaction with its audit record.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs
import pandas as pd
import sqlalchemy as sa

from balanced_scorecard._suggest import did_you_mean
from balanced_scorecard.governance.audit import utc_now
from balanced_scorecard.store._row_values import require_name, sha256, utc
from balanced_scorecard.store.errors import StoreError
from balanced_scorecard.store.frames import frame_from_json, frame_to_json
from balanced_scorecard.store.schema import snapshots, target_sets

if TYPE_CHECKING:
    from balanced_scorecard.store.store import Store

__all__ = ["SNAPSHOTS", "TARGETS", "FrameKind", "list_frames", "load_frame", "save_frame"]


@attrs.frozen(kw_only=True)
class FrameKind:
    """Where one kind of frame is stored and how its saves are audited."""

    table: sa.Table
    #: The label column (``name``, ``close_label``).
    key: str
    #: The audit action of a save.
    action: str
    #: The audit subject of a save is ``{scorecard_id}/{folder}/{label}``.
    folder: str


TARGETS = FrameKind(table=target_sets, key="name", action="targets.saved", folder="targets")
SNAPSHOTS = FrameKind(
    table=snapshots, key="close_label", action="snapshot.saved", folder="snapshots"
)


def save_frame(
    store: Store,
    kind: FrameKind,
    scorecard_id: str,
    label: str,
    frame: pd.DataFrame,
    *,
    author: str,
    message: str,
) -> int:
    """Store ``frame`` as the next revision of ``label``, audited; return the revision."""
    table, key = kind.table, kind.key
    require_name(scorecard_id, "scorecard_id")
    require_name(label, key)
    require_name(author, "author")
    body = frame_to_json(frame)
    digest = sha256(body)
    with store._transaction() as (conn, head):
        latest = conn.execute(
            sa.select(sa.func.max(table.c.revision)).where(
                table.c.scorecard_id == scorecard_id, table.c[key] == label
            )
        ).scalar_one()
        revision = int(latest or 0) + 1
        conn.execute(
            sa.insert(table).values(
                {
                    "scorecard_id": scorecard_id,
                    key: label,
                    "revision": revision,
                    "author": author,
                    "message": message,
                    "saved_at": utc_now(),
                    "n_rows": len(frame),
                    "sha256": digest,
                    "body": body,
                }
            )
        )
        store._append(
            conn,
            head,
            actor=author,
            action=kind.action,
            subject=f"{scorecard_id}/{kind.folder}/{label}",
            details={
                "scorecard": scorecard_id,
                key: label,
                "revision": revision,
                "rows": len(frame),
                "sha256": digest,
                "message": message,
            },
        )
    return revision


def load_frame(
    engine: sa.Engine, kind: FrameKind, scorecard_id: str, label: str, revision: int | None
) -> pd.DataFrame:
    """A stored revision of ``label`` (the latest when None)."""
    table, key = kind.table, kind.key
    with engine.connect() as conn:
        where = (table.c.scorecard_id == scorecard_id, table.c[key] == label)
        latest = conn.execute(sa.select(sa.func.max(table.c.revision)).where(*where))
        last = int(latest.scalar_one() or 0)
        if last == 0:
            known = conn.execute(
                sa.select(table.c[key]).distinct().where(table.c.scorecard_id == scorecard_id)
            ).scalars()
            raise StoreError(
                f"no {key.replace('_', ' ')} {label!r} stored for scorecard "
                f"{scorecard_id!r}." + did_you_mean(label, [str(k) for k in known])
            )
        wanted = last if revision is None else revision
        body = conn.execute(
            sa.select(table.c.body).where(*where, table.c.revision == wanted)
        ).scalar_one_or_none()
    if body is None:
        raise StoreError(
            f"{label!r} of scorecard {scorecard_id!r} has no revision {revision!r}; stored "
            f"revisions are 1 to {last}"
        )
    return frame_from_json(str(body))


def list_frames(engine: sa.Engine, kind: FrameKind, scorecard_id: str) -> pd.DataFrame:
    """Every stored revision of a scorecard's frames of ``kind``, by label and revision."""
    table, key = kind.table, kind.key
    columns = [key, "revision", "author", "message", "saved_at", "n_rows", "sha256"]
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(*(table.c[c] for c in columns))
            .where(table.c.scorecard_id == scorecard_id)
            .order_by(table.c[key], table.c.revision)
        ).all()
    frame = pd.DataFrame([tuple(r) for r in rows], columns=columns)
    frame["revision"] = frame["revision"].astype("int64")
    frame["n_rows"] = frame["n_rows"].astype("int64")
    frame["saved_at"] = utc(frame["saved_at"])
    return frame
