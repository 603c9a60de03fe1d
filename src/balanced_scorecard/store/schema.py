"""The tables of the store, as SQLAlchemy Core objects (the current shape of the schema).

:mod:`balanced_scorecard.store.migrations` creates and changes the tables in the database;
queries are built from the objects here. A test checks that a freshly upgraded database has
exactly these tables and columns.

Timestamps are UTC ISO 8601 text (what the audit hashes cover); definitions, frames and audit
details are JSON text.
"""

from __future__ import annotations

import sqlalchemy as sa

__all__ = [
    "annotation_rows",
    "audit_head",
    "audit_log",
    "change_approvals",
    "change_comments",
    "change_requests",
    "definitions",
    "metadata",
    "override_rows",
    "review_rows",
    "schema_version",
    "snapshots",
    "target_sets",
]

metadata = sa.MetaData()

#: One row per applied migration step.
schema_version = sa.Table(
    "bsc_schema_version",
    metadata,
    sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("description", sa.Text, nullable=False),
    sa.Column("applied_at", sa.String(40), nullable=False),
)

#: Every saved version of every scorecard definition (``Scorecard.to_dict()`` as JSON).
definitions = sa.Table(
    "bsc_definitions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("scorecard_id", sa.String(200), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("author", sa.String(200), nullable=False),
    sa.Column("message", sa.Text, nullable=False),
    sa.Column("saved_at", sa.String(40), nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    #: The first period the version is in force (a period label); None: the first period.
    sa.Column("effective_from", sa.String(40), nullable=True),
    sa.UniqueConstraint("scorecard_id", "version", name="uq_bsc_definitions_version"),
)


def _frame_table(name: str, key: str) -> sa.Table:
    return sa.Table(
        name,
        metadata,
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


#: Target sets per planning cycle (budget, reforecast, ...), each save a new revision.
target_sets = _frame_table("bsc_target_sets", "name")

#: Observation snapshots by close (``2025-03``), each save a new revision.
snapshots = _frame_table("bsc_snapshots", "close_label")

#: The hash-chained audit trail; rows are only ever inserted.
audit_log = sa.Table(
    "bsc_audit_log",
    metadata,
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("at", sa.String(40), nullable=False),
    sa.Column("actor", sa.String(200), nullable=False),
    sa.Column("action", sa.String(100), nullable=False),
    sa.Column("subject", sa.String(400), nullable=False),
    sa.Column("details", sa.Text, nullable=False),
    sa.Column("prev_hash", sa.String(64), nullable=False),
    sa.Column("hash", sa.String(64), nullable=False, unique=True),
)

#: One row (id 1): the seq and hash of the last audit record. Writers lock it, so audit
#: appends (and the writes they record) are serialised, and a deleted tail is detected.
audit_head = sa.Table(
    "bsc_audit_head",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("seq", sa.Integer, nullable=False),
    sa.Column("hash", sa.String(64), nullable=False),
)

#: Change requests (one row each; ``body`` is the whole request as JSON, ``revision`` the
#: optimistic-lock counter of the row).
change_requests = sa.Table(
    "bsc_change_requests",
    metadata,
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

#: Approvals of change requests, in the order given; rows are only ever inserted.
change_approvals = sa.Table(
    "bsc_change_approvals",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("request_id", sa.String(100), nullable=False),
    sa.Column("seq", sa.Integer, nullable=False),
    sa.Column("approver", sa.String(200), nullable=False),
    sa.Column("role", sa.String(100), nullable=False),
    sa.Column("at", sa.String(40), nullable=False),
    sa.Column("note", sa.Text, nullable=False),
    sa.UniqueConstraint("request_id", "seq", name="uq_bsc_change_approvals_seq"),
)

#: Comments on change requests (co-development), in order; rows are only ever inserted.
change_comments = sa.Table(
    "bsc_change_comments",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("request_id", sa.String(100), nullable=False),
    sa.Column("seq", sa.Integer, nullable=False),
    sa.Column("author", sa.String(200), nullable=False),
    sa.Column("at", sa.String(40), nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.UniqueConstraint("request_id", "seq", name="uq_bsc_change_comments_seq"),
)


#: Comments on (node, org unit, period) cells, with replies (``reply_to``); insert only.
annotation_rows = sa.Table(
    "bsc_annotations",
    metadata,
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

#: Owners' manual status overrides; insert only (the latest per cell wins when applied).
override_rows = sa.Table(
    "bsc_overrides",
    metadata,
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

#: Records of review meetings held (``body``: attendees, decisions, actions as JSON).
review_rows = sa.Table(
    "bsc_reviews",
    metadata,
    sa.Column("pk", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("scorecard_id", sa.String(200), nullable=False),
    sa.Column("meeting", sa.String(200), nullable=False),
    sa.Column("period", sa.String(40), nullable=False),
    sa.Column("held_on", sa.String(40), nullable=False),
    sa.Column("facilitator", sa.String(200), nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    sa.UniqueConstraint("scorecard_id", "meeting", "period", name="uq_bsc_reviews_meeting"),
)
