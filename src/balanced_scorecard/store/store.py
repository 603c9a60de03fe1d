"""The store: scorecard definitions and their versions, target sets, observation snapshots and
the audit trail, in a SQLite file or a PostgreSQL database (SQLAlchemy Core).

Every write runs in one transaction together with the audit record that describes it: both
are kept or neither is. Writers queue on one lock (the audit chain head), so versions and
audit records are numbered without gaps or races; an optimistic ``expected_version`` check
stops a writer from overwriting a definition it has not seen, and a unique constraint on
(scorecard, version) backs the check.

All SQL is built from SQLAlchemy Core constructs with values bound as parameters; stored
documents are JSON (``json.dumps``), never pickled.

:class:`Store` owns the connections, the write transaction and the audit chain head; each
kind of record is read and written by a private module: ``_definitions_io``, ``_frames_io``
(target sets and snapshots), ``_change_requests_io`` and ``_audit_io``.

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

import json
import os
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import pandas as pd
import sqlalchemy as sa

from balanced_scorecard._uri import hide_password
from balanced_scorecard.governance.audit import AuditRecord, VerifyResult
from balanced_scorecard.model.scorecard import Scorecard
from balanced_scorecard.store import (
    _audit_io,
    _change_requests_io,
    _definitions_io,
    _frames_io,
    _opening,
    migrations,
)
from balanced_scorecard.store._row_values import require_name
from balanced_scorecard.store.diff import diff_definitions
from balanced_scorecard.store.errors import StoreError
from balanced_scorecard.store.schema import audit_head

__all__ = ["DEFAULT_URL", "Store"]

#: Where :meth:`Store.open` keeps data by default: the file ``bsc.db`` in the working directory.
DEFAULT_URL = "sqlite:///bsc.db"


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
        engine = _opening.create_engine(url, engine_options)
        store = cls(engine)
        try:
            if upgrade:
                store.upgrade()
            else:
                _opening.check_schema(store.schema_version(), store.url)
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
        """Append an audit record after ``head`` on ``conn``, in the write's transaction.

        Every write appends through this method (the one seam tests replace to crash a write
        half-way)."""
        return _audit_io.append_record(
            conn, head, actor=actor, action=action, subject=subject, details=details
        )

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
        require_name(actor, "actor")
        require_name(action, "action")
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
        require_name(actor, "actor")
        require_name(action, "action")
        with self._transaction() as (conn, head):
            return self._append(
                conn, head, actor=actor, action=action, subject=subject, details=details or {}
            )

    # -- definitions --------------------------------------------------------------------------

    @staticmethod
    def _latest(conn: sa.Connection, scorecard_id: str) -> int:
        return _definitions_io.latest_version(conn, scorecard_id)

    def latest_version(self, scorecard_id: str) -> int:
        """The latest stored version of a scorecard's definition; 0 when none is stored."""
        with self._engine.connect() as conn:
            return self._latest(conn, scorecard_id)

    def scorecards(self) -> list[str]:
        """Ids of the scorecards with a stored definition, sorted."""
        return _definitions_io.scorecard_ids(self._engine)

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
            version, _ = _definitions_io.insert_definition(
                self,
                conn,
                head,
                scorecard,
                author=author,
                message=message,
                expected_version=expected_version,
                effective_from=effective_from,
            )
        return version

    def load_definition(self, scorecard_id: str, version: int | None = None) -> Scorecard:
        """The scorecard as saved in ``version`` (the latest when None).

        Relative file paths inside the definition (sources, target files) have no directory
        to resolve against; keep such files next to where the scorecard is used.
        """
        row = _definitions_io.definition_row(self, scorecard_id, version)
        return Scorecard.from_dict(
            json.loads(row.body), source=f"{scorecard_id}@{row.version} in {self.url}"
        )

    def load_definition_data(self, scorecard_id: str, version: int | None = None) -> dict[str, Any]:
        """The stored ``to_dict()`` data of a version (the latest when None), unparsed."""
        row = _definitions_io.definition_row(self, scorecard_id, version)
        data: dict[str, Any] = json.loads(row.body)
        return data

    def versions(self, scorecard_id: str) -> pd.DataFrame:
        """The stored versions of a definition, oldest first.

        Columns ``version``, ``author``, ``message``, ``saved_at`` (UTC timestamps),
        ``sha256`` (of the stored JSON) and ``effective_from`` (the first period the version
        is in force; None: the first period). Empty for an unknown scorecard.
        """
        return _definitions_io.versions_frame(self._engine, scorecard_id)

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
        return _change_requests_io.write_change_request(
            self,
            row,
            approvals=approvals,
            comments=comments,
            actor=actor,
            action=action,
            expected_revision=expected_revision,
            details=details,
            apply=apply,
            message=message,
        )

    def read_change_request(
        self, request_id: str
    ) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]:
        """The stored row, approvals and comments of one change request (plain data)."""
        return _change_requests_io.read_change_request(self, request_id)

    def change_request_list(
        self, scorecard_id: str | None = None, *, state: str | None = None
    ) -> pd.DataFrame:
        """The stored change requests, oldest first: ``id``, ``scorecard_id``,
        ``base_version``, ``kind``, ``target``, ``state``, ``author``, ``effective_from``,
        ``applied_version``, ``revision``, ``created_at``, ``updated_at``."""
        return _change_requests_io.change_request_frame(self._engine, scorecard_id, state)

    # -- target sets and snapshots ----------------------------------------------------------

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
        return _frames_io.save_frame(
            self, _frames_io.TARGETS, scorecard_id, name, frame, author=author, message=message
        )

    def load_targets(
        self, scorecard_id: str, name: str, *, revision: int | None = None
    ) -> pd.DataFrame:
        """A stored target set (the latest revision when ``revision`` is None)."""
        return _frames_io.load_frame(self._engine, _frames_io.TARGETS, scorecard_id, name, revision)

    def target_sets(self, scorecard_id: str) -> pd.DataFrame:
        """The stored target sets of a scorecard: ``name``, ``revision``, ``author``,
        ``message``, ``saved_at``, ``n_rows``, ``sha256``."""
        return _frames_io.list_frames(self._engine, _frames_io.TARGETS, scorecard_id)

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
        kind = _frames_io.SNAPSHOTS
        return _frames_io.save_frame(
            self, kind, scorecard_id, close_label, observations, author=author, message=message
        )

    def load_snapshot(
        self, scorecard_id: str, close_label: str, *, revision: int | None = None
    ) -> pd.DataFrame:
        """A stored observations snapshot (the latest revision when ``revision`` is None)."""
        kind = _frames_io.SNAPSHOTS
        return _frames_io.load_frame(self._engine, kind, scorecard_id, close_label, revision)

    def snapshots(self, scorecard_id: str) -> pd.DataFrame:
        """The stored snapshots of a scorecard: ``close_label``, ``revision``, ``author``,
        ``message``, ``saved_at``, ``n_rows``, ``sha256``."""
        return _frames_io.list_frames(self._engine, _frames_io.SNAPSHOTS, scorecard_id)

    # -- the audit trail ----------------------------------------------------------------------

    def audit_records(self) -> list[AuditRecord]:
        """Every audit record, in seq order."""
        return _audit_io.read_records(self._engine)

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
        return _audit_io.audit_frame(self._engine, subject=subject, action=action, actor=actor)

    def verify_audit(self) -> VerifyResult:
        """Check the whole stored audit trail (see :func:`~balanced_scorecard.governance.verify`).

        Besides the chain itself, the stored chain head must name the last record: records
        deleted from the end are reported as ``deleted``.
        """
        return _audit_io.verify_stored(self._engine, self.audit_records())
