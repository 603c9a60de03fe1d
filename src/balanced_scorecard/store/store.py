"""The store: scorecard definitions and their versions, target sets, observation snapshots and
the audit trail, in a SQLite file or a PostgreSQL database (SQLAlchemy Core).

Every write runs in one transaction together with the audit record that describes it: both
are kept or neither is. Writers queue on one lock (the audit chain head), so versions and
audit records are numbered without gaps or races; an optimistic ``expected_version`` check
stops a writer from overwriting a definition it has not seen, and a unique constraint on
(scorecard, version) backs the check.

All SQL is built from SQLAlchemy Core constructs with values bound as parameters; stored
documents are JSON (``json.dumps``), never pickled.

Examples
--------
>>> from balanced_scorecard.model import Scorecard, Objective, Indicator
>>> sc = Scorecard(id="demo", objectives=[Objective(id="grow", perspective="financial")],
...                indicators=[Indicator(id="revenue", objective="grow", unit="EUR")])
>>> store = Store.open("sqlite://")          # in memory here; the default is the file bsc.db
>>> store.save_definition(sc, author="ann", message="first draft", expected_version=0)
1
>>> store.load_definition("demo") == sc
True
>>> store.verify_audit().ok, store.audit()["action"].tolist()
(True, ['definition.saved'])
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd
import sqlalchemy as sa

from balanced_scorecard._suggest import did_you_mean
from balanced_scorecard._uri import hide_password
from balanced_scorecard.exceptions import ModelError
from balanced_scorecard.governance.audit import (
    AuditRecord,
    VerifyResult,
    canonical_json,
    make_record,
    utc_now,
    verify,
)
from balanced_scorecard.model.scorecard import Scorecard
from balanced_scorecard.store import migrations
from balanced_scorecard.store.diff import diff_definitions
from balanced_scorecard.store.errors import StoreConflictError, StoreError
from balanced_scorecard.store.frames import frame_from_json, frame_to_json
from balanced_scorecard.store.schema import (
    audit_head,
    audit_log,
    change_approvals,
    change_comments,
    change_requests,
    definitions,
    snapshots,
    target_sets,
)

__all__ = ["DEFAULT_URL", "Store"]

#: Where :meth:`Store.open` keeps data by default: the file ``bsc.db`` in the working directory.
DEFAULT_URL = "sqlite:///bsc.db"

_AUDIT_COLUMNS = ["seq", "at", "actor", "action", "subject", "details", "prev_hash", "hash"]


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _name(value: object, what: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ModelError(f"{what} must be a non-empty string; got {value!r}")
    return value


def _utc(column: pd.Series) -> pd.Series:
    return pd.to_datetime(column, utc=True, format="ISO8601")


class Store:
    """A scorecard store on one database.

    Build it with :meth:`open` (a URL) or from an existing SQLAlchemy engine. Use it as a
    context manager, or call :meth:`close`, to release the database connections.

    Parameters
    ----------
    engine
        A SQLAlchemy engine. SQLite engines are prepared so that every transaction takes the
        write lock at its start (``BEGIN IMMEDIATE``).
    """

    def __init__(self, engine: sa.Engine) -> None:
        self._engine = migrations.prepare(engine)

    # -- opening ----------------------------------------------------------------------------

    @classmethod
    def open(
        cls,
        url: str | os.PathLike[str] = DEFAULT_URL,
        *,
        upgrade: bool = True,
        **engine_options: Any,
    ) -> Store:
        """Open (and by default create or upgrade) the store at ``url``.

        Parameters
        ----------
        url
            A SQLAlchemy URL: ``sqlite:///bsc.db`` (the default, a file in the working
            directory), ``sqlite:////abs/path.db``, ``sqlite://`` (in memory), or
            ``postgresql+psycopg://user:password@host/db`` (needs the ``postgresql`` extra).
            A path (``pathlib.Path``) means a SQLite file.
        upgrade
            Create the tables or apply missing migrations on opening (zero set-up). Pass
            False for shared databases whose schema an administrator upgrades with
            ``bsc db upgrade``; the store then refuses a schema older or newer than this
            library.
        **engine_options
            Passed to :func:`sqlalchemy.create_engine`.
        """
        text = f"sqlite:///{Path(url)}" if isinstance(url, os.PathLike) else url
        try:
            engine = sa.create_engine(text, **engine_options)
        except (sa.exc.ArgumentError, sa.exc.NoSuchModuleError, ImportError) as exc:
            raise StoreError(
                f"cannot open store {hide_password(text)!r}: {exc}. Use a URL such as "
                "'sqlite:///bsc.db' or 'postgresql+psycopg://user@host/db' (PostgreSQL needs "
                "pip install 'balanced_scorecard[postgresql]')"
            ) from None
        store = cls(engine)
        try:
            if upgrade:
                store.upgrade()
            else:
                store._check_schema()
        except BaseException:
            engine.dispose()
            raise
        return store

    @property
    def engine(self) -> sa.Engine:
        """The SQLAlchemy engine (for tools; write through the store's methods)."""
        return self._engine

    @property
    def url(self) -> str:
        """The database URL with any password hidden."""
        return hide_password(self._engine.url.render_as_string(hide_password=False))

    def __repr__(self) -> str:
        return f"Store({self.url!r})"

    def close(self) -> None:
        """Close the store's database connections."""
        self._engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def upgrade(self) -> list[int]:
        """Apply missing schema migrations in one transaction; return the versions applied."""
        return migrations.upgrade(self._engine)

    def schema_version(self) -> int:
        """The schema version of the database (0 before the first upgrade)."""
        return migrations.current_version(self._engine)

    def _check_schema(self) -> None:
        found = self.schema_version()
        if found < migrations.LATEST_VERSION:
            raise StoreError(
                f"store {self.url!r} has schema version {found}, this library needs "
                f"{migrations.LATEST_VERSION}; run `bsc db upgrade --url {self.url}` (or "
                "Store.open(url, upgrade=True))"
            )
        if found > migrations.LATEST_VERSION:
            raise StoreError(
                f"store {self.url!r} has schema version {found}, newer than this library "
                f"knows ({migrations.LATEST_VERSION}); upgrade balanced_scorecard"
            )

    # -- transactions and the audit chain -----------------------------------------------------

    @contextmanager
    def _transaction(self) -> Iterator[tuple[sa.Connection, tuple[int, str]]]:
        """A write transaction holding the audit head lock; yields (connection, head)."""
        with migrations.write_transaction(self._engine) as conn:
            head = conn.execute(
                sa.select(audit_head.c.seq, audit_head.c.hash)
                .where(audit_head.c.id == 1)
                .with_for_update()
            ).one_or_none()
            if head is None:
                raise StoreError(
                    f"store {self.url!r} has no audit chain head; run `bsc db upgrade` on it"
                )
            yield conn, (int(head.seq), str(head.hash))

    def _append(
        self,
        conn: sa.Connection,
        head: tuple[int, str],
        *,
        actor: str,
        action: str,
        subject: str,
        details: Mapping[str, Any],
    ) -> AuditRecord:
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
            sa.update(audit_head)
            .where(audit_head.c.id == 1)
            .values(seq=record.seq, hash=record.hash)
        )
        return record

    @contextmanager
    def audited_write(
        self,
        *,
        actor: str,
        action: str,
        subject: str,
        details: Mapping[str, Any] | None = None,
    ) -> Iterator[sa.Connection]:
        """A transaction for a write of one's own, recorded in the audit trail with it.

        The block's statements and the audit record commit together, or neither does (an
        exception in the block rolls both back). For governance modules that keep their own
        tables (annotations, approvals, overrides).

        Examples
        --------
        >>> store = Store.open("sqlite://")
        >>> with store.audited_write(actor="ann", action="annotation.added", subject="acme",
        ...                          details={"text": "late data"}) as conn:
        ...     pass   # conn.execute(sa.insert(my_table).values(...))
        >>> store.audit()["action"].tolist()
        ['annotation.added']
        """
        _name(actor, "actor")
        _name(action, "action")
        with self._transaction() as (conn, head):
            yield conn
            self._append(
                conn, head, actor=actor, action=action, subject=subject, details=details or {}
            )

    def append_audit(
        self,
        *,
        actor: str,
        action: str,
        subject: str,
        details: Mapping[str, Any] | None = None,
    ) -> AuditRecord:
        """Append one audit record on its own (an event with no other write) and return it."""
        _name(actor, "actor")
        _name(action, "action")
        with self._transaction() as (conn, head):
            return self._append(
                conn, head, actor=actor, action=action, subject=subject, details=details or {}
            )

    # -- definitions --------------------------------------------------------------------------

    @staticmethod
    def _latest(conn: sa.Connection, scorecard_id: str) -> int:
        value = conn.execute(
            sa.select(sa.func.max(definitions.c.version)).where(
                definitions.c.scorecard_id == scorecard_id
            )
        ).scalar_one()
        return int(value or 0)

    def latest_version(self, scorecard_id: str) -> int:
        """The latest stored version of a scorecard's definition; 0 when none is stored."""
        with self._engine.connect() as conn:
            return self._latest(conn, scorecard_id)

    def scorecards(self) -> list[str]:
        """Ids of the scorecards with a stored definition, sorted."""
        with self._engine.connect() as conn:
            rows = conn.execute(
                sa.select(definitions.c.scorecard_id)
                .distinct()
                .order_by(definitions.c.scorecard_id)
            )
            return [str(r) for r in rows.scalars()]

    def save_definition(
        self,
        scorecard: Scorecard,
        *,
        author: str,
        message: str = "",
        expected_version: int | None = None,
        effective_from: str | None = None,
    ) -> int:
        """Store ``scorecard`` as the next version of its definition; return that version.

        Parameters
        ----------
        scorecard
            The scorecard; kept as the JSON of ``scorecard.to_dict()``.
        author
            Who saves it (recorded with the version and in the audit trail).
        message
            Why, like a commit message.
        expected_version
            The version this change was made on (0 for a scorecard not stored yet). When
            given and the latest stored version differs, nothing is written and
            :class:`StoreConflictError` is raised. None skips the check (last writer wins,
            but still gets a new version: nothing is overwritten).
        effective_from
            The first period (a label such as ``"2025-07"``) from which this version is in
            force; None, the default, means from the first period. Labels of one frequency
            compare as text. A version may not take effect before the latest stored one
            (:class:`~balanced_scorecard.exceptions.ModelError` naming both); one effective
            from the same period supersedes it (a correction).
            See :doc:`/howto/change-control`.

        Returns
        -------
        int
            The new version number (1, 2, ... per scorecard). A definition identical to the
            latest version (and with the same ``effective_from``) is not stored again: its
            version is returned and nothing is written.
        """
        with self._transaction() as (conn, head):
            version, _ = self._insert_definition(
                conn,
                head,
                scorecard,
                author=author,
                message=message,
                expected_version=expected_version,
                effective_from=effective_from,
            )
        return version

    def _insert_definition(
        self,
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
        _name(author, "author")
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
            _name(effective_from, "effective_from")
        body = canonical_json(scorecard.to_dict())
        digest = _sha256(body)
        sid = scorecard.id
        latest = self._latest(conn, sid)
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
            actual = self._latest(conn, sid)
            raise StoreConflictError(
                sid, latest if expected_version is None else expected_version, actual
            ) from None
        record = self._append(
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

    def _definition_row(self, scorecard_id: str, version: int | None) -> sa.Row[Any]:
        with self._engine.connect() as conn:
            latest = self._latest(conn, scorecard_id)
            if latest == 0:
                known = conn.execute(sa.select(definitions.c.scorecard_id).distinct())
                raise StoreError(
                    f"no definition of scorecard {scorecard_id!r} in store {self.url!r}."
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

    def load_definition(self, scorecard_id: str, version: int | None = None) -> Scorecard:
        """The scorecard as saved in ``version`` (the latest when None).

        Relative file paths inside the definition (sources, target files) have no directory
        to resolve against; keep such files next to where the scorecard is used.
        """
        row = self._definition_row(scorecard_id, version)
        return Scorecard.from_dict(
            json.loads(row.body), source=f"{scorecard_id}@{row.version} in {self.url}"
        )

    def load_definition_data(self, scorecard_id: str, version: int | None = None) -> dict[str, Any]:
        """The stored ``to_dict()`` data of a version (the latest when None), unparsed."""
        data: dict[str, Any] = json.loads(self._definition_row(scorecard_id, version).body)
        return data

    def versions(self, scorecard_id: str) -> pd.DataFrame:
        """The stored versions of a definition, oldest first.

        Columns ``version``, ``author``, ``message``, ``saved_at`` (UTC timestamps),
        ``sha256`` (of the stored JSON) and ``effective_from`` (the first period the version
        is in force; None: the first period). Empty for an unknown scorecard.
        """
        with self._engine.connect() as conn:
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
        frame["saved_at"] = _utc(frame["saved_at"])
        return frame

    def diff(self, scorecard_id: str, version_a: int, version_b: int) -> pd.DataFrame:
        """What changed from ``version_a`` to ``version_b``, field by field.

        See :func:`~balanced_scorecard.store.diff.diff_definitions` for the paths; columns
        ``path``, ``before``, ``after``, ``change``.
        """
        return diff_definitions(
            self.load_definition_data(scorecard_id, version_a),
            self.load_definition_data(scorecard_id, version_b),
        )

    # -- change requests -----------------------------------------------------------------------

    def write_change_request(
        self,
        row: Mapping[str, Any],
        *,
        approvals: Sequence[Mapping[str, Any]] = (),
        comments: Sequence[Mapping[str, Any]] = (),
        actor: str,
        action: str,
        expected_revision: int,
        details: Mapping[str, Any] | None = None,
        apply: Scorecard | None = None,
        message: str = "",
    ) -> tuple[int, int | None]:
        """Insert or update one change request, in one audited transaction.

        The plain-data layer under :mod:`balanced_scorecard.governance.change_control`, which
        builds the arguments; call that module instead.

        Parameters
        ----------
        row
            The columns of ``bsc_change_requests`` except ``revision``, ``created_at`` and
            ``updated_at`` (``body`` is the request as JSON text).
        approvals, comments
            Every approval (``approver``, ``role``, ``at``, ``note``) and comment
            (``author``, ``at``, ``text``) of the request, in order; those not stored yet
            are appended (stored ones are never changed).
        actor, action, details
            The audit record written with the change.
        expected_revision
            The revision of the stored row this write replaces (0 for a new request); another
            one raises :class:`StoreConflictError` and writes nothing.
        apply
            A scorecard to save as the next definition version in the same transaction, with
            ``expected_version`` = ``row["base_version"]`` and ``effective_from`` =
            ``row["effective_from"]``; the new version is stored as ``applied_version``.
        message
            The message of that definition version.

        Returns
        -------
        tuple
            The new revision of the row and the applied version (None without ``apply``).
        """
        _name(actor, "actor")
        _name(action, "action")
        rid = _name(row.get("id"), "change request id")
        with self._transaction() as (conn, head):
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
                applied, head = self._insert_definition(
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
            self._append(
                conn,
                head,
                actor=actor,
                action=action,
                subject=f"{values['scorecard_id']}/changes/{rid}",
                details={**(details or {}), "revision": current + 1, "applied_version": applied},
            )
        return current + 1, applied

    def read_change_request(
        self, request_id: str
    ) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]:
        """The stored row, approvals and comments of one change request (plain data)."""
        with self._engine.connect() as conn:
            row = conn.execute(
                sa.select(change_requests).where(change_requests.c.id == request_id)
            ).one_or_none()
            if row is None:
                known = conn.execute(sa.select(change_requests.c.id)).scalars()
                raise StoreError(
                    f"no change request {request_id!r} in store {self.url!r}."
                    + did_you_mean(request_id, [str(k) for k in known])
                )
            out = []
            for table in (change_approvals, change_comments):
                rows = conn.execute(
                    sa.select(table).where(table.c.request_id == request_id).order_by(table.c.seq)
                ).all()
                out.append([dict(r._mapping) for r in rows])
        return dict(row._mapping), out[0], out[1]

    def change_request_list(
        self, scorecard_id: str | None = None, *, state: str | None = None
    ) -> pd.DataFrame:
        """The stored change requests, oldest first: ``id``, ``scorecard_id``,
        ``base_version``, ``kind``, ``target``, ``state``, ``author``, ``effective_from``,
        ``applied_version``, ``revision``, ``created_at``, ``updated_at``."""
        columns = [c.name for c in change_requests.columns if c.name != "body"]
        query = sa.select(*(change_requests.c[c] for c in columns)).order_by(
            change_requests.c.created_at, change_requests.c.id
        )
        if scorecard_id is not None:
            query = query.where(change_requests.c.scorecard_id == scorecard_id)
        if state is not None:
            query = query.where(change_requests.c.state == state)
        with self._engine.connect() as conn:
            rows = conn.execute(query).all()
        frame = pd.DataFrame([tuple(r) for r in rows], columns=columns)
        for name in ("created_at", "updated_at"):
            frame[name] = _utc(frame[name])
        frame["applied_version"] = frame["applied_version"].astype(object)
        return frame

    # -- target sets and snapshots ----------------------------------------------------------

    def _save_frame(
        self,
        table: sa.Table,
        key: str,
        scorecard_id: str,
        label: str,
        frame: pd.DataFrame,
        *,
        author: str,
        message: str,
        action: str,
        subject: str,
    ) -> int:
        _name(scorecard_id, "scorecard_id")
        _name(label, key)
        _name(author, "author")
        body = frame_to_json(frame)
        digest = _sha256(body)
        with self._transaction() as (conn, head):
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
            self._append(
                conn,
                head,
                actor=author,
                action=action,
                subject=subject,
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

    def _load_frame(
        self, table: sa.Table, key: str, scorecard_id: str, label: str, revision: int | None
    ) -> pd.DataFrame:
        with self._engine.connect() as conn:
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

    def _list_frames(self, table: sa.Table, key: str, scorecard_id: str) -> pd.DataFrame:
        columns = [key, "revision", "author", "message", "saved_at", "n_rows", "sha256"]
        with self._engine.connect() as conn:
            rows = conn.execute(
                sa.select(*(table.c[c] for c in columns))
                .where(table.c.scorecard_id == scorecard_id)
                .order_by(table.c[key], table.c.revision)
            ).all()
        frame = pd.DataFrame([tuple(r) for r in rows], columns=columns)
        frame["revision"] = frame["revision"].astype("int64")
        frame["n_rows"] = frame["n_rows"].astype("int64")
        frame["saved_at"] = _utc(frame["saved_at"])
        return frame

    def save_targets(
        self,
        scorecard_id: str,
        name: str,
        frame: pd.DataFrame,
        *,
        author: str,
        message: str = "",
    ) -> int:
        """Store a target set of a planning cycle (``budget``, ``reforecast_q2``).

        ``frame`` is kept exactly as given (any columns; usually the target rows of
        :doc:`/howto/targets`). Saving the same name again adds a revision; earlier ones stay
        readable. Returns the revision (1, 2, ...).
        """
        return self._save_frame(
            target_sets,
            "name",
            scorecard_id,
            name,
            frame,
            author=author,
            message=message,
            action="targets.saved",
            subject=f"{scorecard_id}/targets/{name}",
        )

    def load_targets(
        self, scorecard_id: str, name: str, *, revision: int | None = None
    ) -> pd.DataFrame:
        """A stored target set (the latest revision when ``revision`` is None)."""
        return self._load_frame(target_sets, "name", scorecard_id, name, revision)

    def target_sets(self, scorecard_id: str) -> pd.DataFrame:
        """The stored target sets of a scorecard: ``name``, ``revision``, ``author``,
        ``message``, ``saved_at``, ``n_rows``, ``sha256``."""
        return self._list_frames(target_sets, "name", scorecard_id)

    def save_snapshot(
        self,
        scorecard_id: str,
        close_label: str,
        observations: pd.DataFrame,
        *,
        author: str,
        message: str = "",
    ) -> int:
        """Store the observations as they stood at a close (``2025-03``, ``FY2025``).

        The frame is kept exactly (values, dtypes, column order). Saving the same close
        again (a reopened close) adds a revision; earlier ones stay readable. Returns the
        revision (1, 2, ...).
        """
        return self._save_frame(
            snapshots,
            "close_label",
            scorecard_id,
            close_label,
            observations,
            author=author,
            message=message,
            action="snapshot.saved",
            subject=f"{scorecard_id}/snapshots/{close_label}",
        )

    def load_snapshot(
        self, scorecard_id: str, close_label: str, *, revision: int | None = None
    ) -> pd.DataFrame:
        """A stored observations snapshot (the latest revision when ``revision`` is None)."""
        return self._load_frame(snapshots, "close_label", scorecard_id, close_label, revision)

    def snapshots(self, scorecard_id: str) -> pd.DataFrame:
        """The stored snapshots of a scorecard: ``close_label``, ``revision``, ``author``,
        ``message``, ``saved_at``, ``n_rows``, ``sha256``."""
        return self._list_frames(snapshots, "close_label", scorecard_id)

    # -- the audit trail ----------------------------------------------------------------------

    def audit_records(self) -> list[AuditRecord]:
        """Every audit record, in seq order."""
        with self._engine.connect() as conn:
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

    def audit(
        self,
        *,
        subject: str | None = None,
        action: str | None = None,
        actor: str | None = None,
    ) -> pd.DataFrame:
        """The audit trail as a frame, oldest first, optionally only matching records.

        Columns ``seq``, ``at`` (UTC timestamps), ``actor``, ``action``, ``subject``,
        ``details`` (dicts), ``prev_hash``, ``hash``.
        """
        query = sa.select(audit_log).order_by(audit_log.c.seq)
        for column, value in (("subject", subject), ("action", action), ("actor", actor)):
            if value is not None:
                query = query.where(audit_log.c[column] == value)
        with self._engine.connect() as conn:
            rows = conn.execute(query).all()
        frame = pd.DataFrame([tuple(r) for r in rows], columns=_AUDIT_COLUMNS)
        frame["seq"] = frame["seq"].astype("int64")
        frame["at"] = _utc(frame["at"])
        frame["details"] = frame["details"].map(json.loads).astype(object)
        return frame

    def verify_audit(self) -> VerifyResult:
        """Check the whole stored audit trail (see :func:`~balanced_scorecard.governance.verify`).

        Besides the chain itself, the stored chain head must name the last record: records
        deleted from the end are reported as ``deleted``.
        """
        records = self.audit_records()
        result = verify(records, first_seq=1)
        if not result.ok:
            return result
        with self._engine.connect() as conn:
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
