"""Values the store writes to and reads from its rows, checked and converted in one place:
required names (author, actor, labels), SHA-256 digests of stored JSON, and the UTC
timestamps of listed rows.
"""

from __future__ import annotations

import hashlib

import pandas as pd

from balanced_scorecard.exceptions import ModelError

__all__ = ["require_name", "sha256", "utc"]


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def require_name(value: object, what: str) -> str:
    """``value`` if it is a non-empty string, else a :class:`ModelError` naming ``what``."""
    if not isinstance(value, str) or not value.strip():
        raise ModelError(f"{what} must be a non-empty string; got {value!r}")
    return value


def utc(column: pd.Series) -> pd.Series:
    """ISO 8601 text as UTC timestamps."""
    return pd.to_datetime(column, utc=True, format="ISO8601")
