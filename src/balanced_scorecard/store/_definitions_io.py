"""Stored scorecard definitions: inserting the next version (with the ``expected_version``
check, the effective-date order and the unique-constraint backstop), reading one version
back, and listing scorecards and versions.

:class:`~balanced_scorecard.store.Store` calls these. The insert runs on a connection inside
the store's write transaction and appends its audit record there; it reads the latest version
through ``Store._latest`` and appends through ``Store._append``, the store's two seams.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd
import sqlalchemy as sa

from balanced_scorecard._suggest import did_you_mean
from balanced_scorecard.exceptions import ModelError
from balanced_scorecard.governance.audit import canonical_json, utc_now
from balanced_scorecard.model.scorecard import Scorecard
from balanced_scorecard.store._row_values import require_name, sha256, utc
from balanced_scorecard.store.errors import StoreConflictError, StoreError
from balanced_scorecard.store.schema import definitions

if TYPE_CHECKING:
    from balanced_scorecard.store.store import Store

__all__ = [
    "definition_row",
    "insert_definition",
    "latest_version",
    "scorecard_ids",
    "versions_frame",
]


def latest_version(conn: sa.Connection, scorecard_id: str) -> int:
    """The latest stored version of a definition, 0 when none is stored."""
    value = conn.execute(
        sa.select(sa.func.max(definitions.c.version)).where(
            definitions.c.scorecard_id == scorecard_id
        )
    ).scalar_one()
    return int(value or 0)


def scorecard_ids(engine: sa.Engine) -> list[str]:
    """Ids of the scorecards with a stored definition, sorted."""
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(definitions.c.scorecard_id).distinct().order_by(definitions.c.scorecard_id)
        )
        return [str(r) for r in rows.scalars()]


def insert_definition(
    store: Store,
    conn: sa.Connection,
    head: tuple[int, str],
    scorecard: Scorecard,
    *,
    author: str,
    message: str,
    expected_version: int | None,
    effective_from: str | None,
) -> tuple[int, tuple[int, str]]:
    """Insert the next version inside an open write transaction; return the version and
    the new audit chain head."""
    if not isinstance(scorecard, Scorecard):
        raise ModelError(f"save_definition needs a Scorecard, got {type(scorecard).__name__}")
    require_name(author, "author")
    if expected_version is not None and (
        not isinstance(expected_version, int)
        or isinstance(expected_version, bool)
        or expected_version < 0
    ):
        raise ModelError(
            f"expected_version must be a version number >= 0 (0: not stored yet); got "
            f"{expected_version!r}"
        )
    if effective_from is not None:
        require_name(effective_from, "effective_from")
    body = canonical_json(scorecard.to_dict())
    digest = sha256(body)
    sid = scorecard.id
    latest = store._latest(conn, sid)
    if expected_version is not None and expected_version != latest:
        raise StoreConflictError(sid, expected_version, latest)
    if latest:
        last = conn.execute(
            sa.select(definitions.c.sha256, definitions.c.effective_from).where(
                definitions.c.scorecard_id == sid, definitions.c.version == latest
            )
        ).one()
        if last.sha256 == digest and last.effective_from == effective_from:
            return latest, head
        before = last.effective_from
        if before is not None and (effective_from is None or effective_from < before):
            raise ModelError(
                f"version {latest + 1} of scorecard {sid!r} would take effect from "
                f"{effective_from or 'the first period'}, before version {latest}, which "
                f"is in force from {before}: effective dates must not go back in time. "
                f"Use effective_from >= {before!r}"
            )
    version = latest + 1
    try:
        with conn.begin_nested():
            conn.execute(
                sa.insert(definitions).values(
                    scorecard_id=sid,
                    version=version,
                    author=author,
                    message=message,
                    saved_at=utc_now(),
                    sha256=digest,
                    body=body,
                    effective_from=effective_from,
                )
            )
    except sa.exc.IntegrityError:
        # The unique (scorecard, version) constraint: another writer won the race.
        actual = store._latest(conn, sid)
        raise StoreConflictError(
            sid, latest if expected_version is None else expected_version, actual
        ) from None
    record = store._append(
        conn,
        head,
        actor=author,
        action="definition.saved",
        subject=sid,
        details={
            "version": version,
            "sha256": digest,
            "message": message,
            "effective_from": effective_from,
        },
    )
    return version, (record.seq, record.hash)


def definition_row(store: Store, scorecard_id: str, version: int | None) -> sa.Row[Any]:
    """The stored row of ``version`` (the latest when None); a :class:`StoreError` naming
    the stored scorecards or versions when there is none."""
    with store.engine.connect() as conn:
        latest = store._latest(conn, scorecard_id)
        if latest == 0:
            known = conn.execute(sa.select(definitions.c.scorecard_id).distinct())
            raise StoreError(
                f"no definition of scorecard {scorecard_id!r} in store {store.url!r}."
                + did_you_mean(scorecard_id, [str(k) for k in known.scalars()])
                + " Save one with Store.save_definition"
            )
        wanted = latest if version is None else version
        row = conn.execute(
            sa.select(definitions).where(
                definitions.c.scorecard_id == scorecard_id, definitions.c.version == wanted
            )
        ).one_or_none()
    if row is None:
        raise StoreError(
            f"scorecard {scorecard_id!r} has no version {version!r}; stored versions are "
            f"1 to {latest}"
        )
    return row


def versions_frame(engine: sa.Engine, scorecard_id: str) -> pd.DataFrame:
    """The stored versions of a definition, oldest first (see ``Store.versions``)."""
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(
                definitions.c.version,
                definitions.c.author,
                definitions.c.message,
                definitions.c.saved_at,
                definitions.c.sha256,
                definitions.c.effective_from,
            )
            .where(definitions.c.scorecard_id == scorecard_id)
            .order_by(definitions.c.version)
        ).all()
    frame = pd.DataFrame(
        [tuple(r) for r in rows],
        columns=["version", "author", "message", "saved_at", "sha256", "effective_from"],
    )
    frame["effective_from"] = pd.Series(
        [e if isinstance(e, str) else None for e in frame["effective_from"]], dtype=object
    )
    frame["version"] = frame["version"].astype("int64")
    frame["saved_at"] = utc(frame["saved_at"])
    return frame
