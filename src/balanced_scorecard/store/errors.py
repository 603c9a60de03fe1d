"""Errors of the store; they live in :mod:`balanced_scorecard.exceptions` with the rest of
the tree and are re-exported here."""

from __future__ import annotations

from balanced_scorecard.exceptions import StoreConflictError, StoreError

__all__ = ["StoreConflictError", "StoreError"]
