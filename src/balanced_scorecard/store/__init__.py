"""The store: a real database for scorecard definitions and their versions, target sets,
observation snapshots and the audit trail (SQLAlchemy Core; a SQLite file by default,
PostgreSQL for shared deployments).

See :doc:`/howto/store-and-audit`.
"""

from __future__ import annotations

from balanced_scorecard.store.diff import diff_definitions
from balanced_scorecard.store.errors import StoreConflictError, StoreError
from balanced_scorecard.store.migrations import LATEST_VERSION, upgrade
from balanced_scorecard.store.store import DEFAULT_URL, Store

__all__ = [
    "DEFAULT_URL",
    "LATEST_VERSION",
    "Store",
    "StoreConflictError",
    "StoreError",
    "diff_definitions",
    "upgrade",
]
