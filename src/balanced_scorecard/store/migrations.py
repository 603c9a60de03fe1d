"""Versioned schema migrations of the store.

The database records each applied step in ``bsc_schema_version``. :func:`upgrade` applies the
missing steps in order, all in one transaction (on SQLite and PostgreSQL DDL is
transactional, so a failed upgrade leaves the schema as it was), and does nothing when the
schema is current. A released step never changes; a new shape of a table is a new step.
Each step spells out its own DDL, so it creates the tables as they were at that step, not as
:mod:`balanced_scorecard.store.schema` describes them today.

Examples
--------
>>> import sqlalchemy as sa
>>> engine = sa.create_engine("sqlite://")
>>> upgrade(engine)
[1, 2, 3, 4, 5]
>>> upgrade(engine), current_version(engine) == LATEST_VERSION
([], True)
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import attrs
import sqlalchemy as sa

from balanced_scorecard.governance.audit import GENESIS_HASH, utc_now
from balanced_scorecard.store.schema import schema_version

__all__ = [
    "LATEST_VERSION",
    "MIGRATIONS",
    "WRITE_OPTION",
    "Migration",
    "current_version",
    "prepare",
    "upgrade",
    "write_transaction",
]

# An arbitrary constant: the key of the PostgreSQL advisory lock that serialises upgrades.
_PG_LOCK_KEY = 0x6273635F6462  # "bsc_db"


@attrs.frozen(kw_only=True)
class Migration:
    """One step of the schema: its number, a description and what it does on a connection."""

    version: int
    description: str
    apply: Callable[[sa.Connection], None]


def _v1_definitions_and_audit(conn: sa.Connection) -> None:
    md = sa.MetaData()
    sa.Table(
        "bsc_definitions",
        md,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("scorecard_id", sa.String(200), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("author", sa.String(200), nullable=False),
        sa.Column("message", sa.Text, nullable=False),
        sa.Column("saved_at", sa.String(40), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.UniqueConstraint("scorecard_id", "version", name="uq_bsc_definitions_version"),
    )
    sa.Table(
        "bsc_audit_log",
        md,
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("at", sa.String(40), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("action", sa.String(100), nullable=False),
        sa.Column("subject", sa.String(400), nullable=False),
        sa.Column("details", sa.Text, nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False, unique=True),
    )
    head = sa.Table(
        "bsc_audit_head",
        md,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    md.create_all(conn, checkfirst=False)
    conn.execute(sa.insert(head).values(id=1, seq=0, hash=GENESIS_HASH))


def _v2_targets_and_snapshots(conn: sa.Connection) -> None:
    md = sa.MetaData()
    for name, key in (("bsc_target_sets", "name"), ("bsc_snapshots", "close_label")):
        sa.Table(
            name,
            md,
            sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
            sa.Column("scorecard_id", sa.String(200), nullable=False),
            sa.Column(key, sa.String(200), nullable=False),
            sa.Column("revision", sa.Integer, nullable=False),
            sa.Column("author", sa.String(200), nullable=False),
            sa.Column("message", sa.Text, nullable=False),
            sa.Column("saved_at", sa.String(40), nullable=False),
            sa.Column("n_rows", sa.Integer, nullable=False),
            sa.Column("sha256", sa.String(64), nullable=False),
            sa.Column("body", sa.Text, nullable=False),
            sa.UniqueConstraint("scorecard_id", key, "revision", name=f"uq_{name}_revision"),
        )
    md.create_all(conn, checkfirst=False)


# Fixed DDL text (no values in it): the database refuses UPDATE and DELETE on the audit log.
_SQLITE_GUARD = [
    "CREATE TRIGGER bsc_audit_log_no_update BEFORE UPDATE ON bsc_audit_log "
    "BEGIN SELECT RAISE(ABORT, 'bsc_audit_log is append-only'); END",
    "CREATE TRIGGER bsc_audit_log_no_delete BEFORE DELETE ON bsc_audit_log "
    "BEGIN SELECT RAISE(ABORT, 'bsc_audit_log is append-only'); END",
]
_PG_GUARD = [
    "CREATE FUNCTION bsc_audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS "
    "$$ BEGIN RAISE EXCEPTION 'bsc_audit_log is append-only'; END $$",
    "CREATE TRIGGER bsc_audit_log_append_only BEFORE UPDATE OR DELETE ON bsc_audit_log "
    "FOR EACH ROW EXECUTE FUNCTION bsc_audit_log_append_only()",
]


def _v3_audit_guard(conn: sa.Connection) -> None:
    statements = {"sqlite": _SQLITE_GUARD, "postgresql": _PG_GUARD}.get(conn.dialect.name, [])
    for statement in statements:
        conn.exec_driver_sql(statement)


def _v4_effective_dates_and_change_control(conn: sa.Connection) -> None:
    conn.execute(sa.text("ALTER TABLE bsc_definitions ADD COLUMN effective_from VARCHAR(40)"))
    md = sa.MetaData()
    sa.Table(
        "bsc_change_requests",
        md,
        sa.Column("id", sa.String(100), primary_key=True, autoincrement=False),
        sa.Column("scorecard_id", sa.String(200), nullable=False),
        sa.Column("base_version", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("target", sa.String(20), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("author", sa.String(200), nullable=False),
        sa.Column("effective_from", sa.String(40), nullable=True),
        sa.Column("applied_version", sa.Integer, nullable=True),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.Column("updated_at", sa.String(40), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
    )
    sa.Table(
        "bsc_change_approvals",
        md,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("request_id", sa.String(100), nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("approver", sa.String(200), nullable=False),
        sa.Column("role", sa.String(100), nullable=False),
        sa.Column("at", sa.String(40), nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        sa.UniqueConstraint("request_id", "seq", name="uq_bsc_change_approvals_seq"),
    )
    sa.Table(
        "bsc_change_comments",
        md,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("request_id", sa.String(100), nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("author", sa.String(200), nullable=False),
        sa.Column("at", sa.String(40), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.UniqueConstraint("request_id", "seq", name="uq_bsc_change_comments_seq"),
    )
    md.create_all(conn, checkfirst=False)


def _v5_annotations_overrides_reviews(conn: sa.Connection) -> None:
    md = sa.MetaData()
    sa.Table(
        "bsc_annotations",
        md,
        sa.Column("pk", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("scorecard_id", sa.String(200), nullable=False),
        sa.Column("id", sa.String(200), nullable=False),
        sa.Column("node", sa.String(200), nullable=False),
        sa.Column("org_unit", sa.String(200), nullable=False),
        sa.Column("period", sa.String(40), nullable=False),
        sa.Column("author", sa.String(200), nullable=False),
        sa.Column("at", sa.String(40), nullable=False),
        sa.Column("reply_to", sa.String(200), nullable=True),
        sa.Column("text", sa.Text, nullable=False),
        sa.UniqueConstraint("scorecard_id", "id", name="uq_bsc_annotations_id"),
    )
    sa.Table(
        "bsc_overrides",
        md,
        sa.Column("pk", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("scorecard_id", sa.String(200), nullable=False),
        sa.Column("node", sa.String(200), nullable=False),
        sa.Column("org_unit", sa.String(200), nullable=False),
        sa.Column("period", sa.String(40), nullable=False),
        sa.Column("status", sa.String(100), nullable=False),
        sa.Column("by", sa.String(200), nullable=False),
        sa.Column("role", sa.String(100), nullable=False),
        sa.Column("at", sa.String(40), nullable=False),
        sa.Column("justification", sa.Text, nullable=False),
    )
    sa.Table(
        "bsc_reviews",
        md,
        sa.Column("pk", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("scorecard_id", sa.String(200), nullable=False),
        sa.Column("meeting", sa.String(200), nullable=False),
        sa.Column("period", sa.String(40), nullable=False),
        sa.Column("held_on", sa.String(40), nullable=False),
        sa.Column("facilitator", sa.String(200), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.UniqueConstraint("scorecard_id", "meeting", "period", name="uq_bsc_reviews_meeting"),
    )
    md.create_all(conn, checkfirst=False)


#: Every step, in order. Append new steps; never edit or reorder released ones.
MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        version=1, description="definitions and the audit trail", apply=_v1_definitions_and_audit
    ),
    Migration(
        version=2,
        description="target sets and observation snapshots",
        apply=_v2_targets_and_snapshots,
    ),
    Migration(version=3, description="audit log append-only guard", apply=_v3_audit_guard),
    Migration(
        version=4,
        description="effective dates of definitions; change requests, approvals, comments",
        apply=_v4_effective_dates_and_change_control,
    ),
    Migration(
        version=5,
        description="annotations, status overrides and review records",
        apply=_v5_annotations_overrides_reviews,
    ),
)

#: The schema version this library writes and reads.
LATEST_VERSION = MIGRATIONS[-1].version

_prepared: weakref.WeakSet[sa.Engine] = weakref.WeakSet()

#: Execution option that marks a connection whose transactions write.
WRITE_OPTION = "bsc_write"


@contextmanager
def write_transaction(engine: sa.Engine) -> Iterator[sa.Connection]:
    """A transaction that will write: it holds SQLite's write lock from its start."""
    with engine.connect().execution_options(**{WRITE_OPTION: True}) as conn, conn.begin():
        yield conn


def prepare(engine: sa.Engine) -> sa.Engine:
    """Make ``engine`` run every transaction as a real one and return it.

    On SQLite, Python's driver does not open a transaction before DDL and defers the write
    lock to the first write; here every transaction is explicit, and write transactions
    (connections with the execution option ``bsc_write=True``, see :func:`write_transaction`)
    start with ``BEGIN IMMEDIATE``, so migrations are atomic and two writers queue instead of
    both reading the same latest version. Other dialects are returned unchanged. Calling it
    twice is harmless.
    """
    if engine.dialect.name != "sqlite" or engine in _prepared:
        return engine

    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # the driver leaves transactions to us

    def _on_begin(conn: sa.Connection) -> None:
        write = conn.get_execution_options().get(WRITE_OPTION, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    sa.event.listen(engine, "connect", _on_connect)
    sa.event.listen(engine, "begin", _on_begin)
    engine.dispose()  # pooled connections made before the listener would lack it
    _prepared.add(engine)
    return engine


def current_version(engine: sa.Engine) -> int:
    """The highest applied migration step; 0 for a database without the store's tables."""
    with engine.connect() as conn:
        if not sa.inspect(conn).has_table(schema_version.name):
            return 0
        value = conn.execute(sa.select(sa.func.max(schema_version.c.version))).scalar_one()
    return int(value or 0)


def upgrade(engine: sa.Engine) -> list[int]:
    """Apply the missing migration steps in one transaction; return the versions applied.

    Idempotent: on a current schema it applies nothing and returns ``[]``. Concurrent
    upgrades queue (SQLite write lock, PostgreSQL advisory lock).
    """
    prepare(engine)
    with write_transaction(engine) as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(sa.select(sa.func.pg_advisory_xact_lock(_PG_LOCK_KEY)))
        schema_version.create(conn, checkfirst=True)
        done = set(conn.execute(sa.select(schema_version.c.version)).scalars())
        applied: list[int] = []
        for step in MIGRATIONS:
            if step.version in done:
                continue
            step.apply(conn)
            conn.execute(
                sa.insert(schema_version).values(
                    version=step.version, description=step.description, applied_at=utc_now()
                )
            )
            applied.append(step.version)
    return applied
