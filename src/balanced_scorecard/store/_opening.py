"""Opening a store: the SQLAlchemy engine for a URL or a path, and the schema-version check
for a store opened without upgrading (see :meth:`Store.open
<balanced_scorecard.store.Store.open>`).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from balanced_scorecard._uri import hide_password
from balanced_scorecard.store import migrations
from balanced_scorecard.store.errors import StoreError

__all__ = ["check_schema", "create_engine"]


def create_engine(url: str | os.PathLike[str], engine_options: dict[str, Any]) -> sa.Engine:
    """The engine for ``url`` (a path means a SQLite file); a :class:`StoreError` with an
    example URL when SQLAlchemy cannot make one."""
    text = f"sqlite:///{Path(url)}" if isinstance(url, os.PathLike) else url
    try:
        return sa.create_engine(text, **engine_options)
    except (sa.exc.ArgumentError, sa.exc.NoSuchModuleError, ImportError) as exc:
        raise StoreError(
            f"cannot open store {hide_password(text)!r}: {exc}. Use a URL such as "
            "'sqlite:///bsc.db' or 'postgresql+psycopg://user@host/db' (PostgreSQL needs "
            "pip install 'balanced_scorecard[postgresql]')"
        ) from None


def check_schema(found: int, url: str) -> None:
    """Refuse schema version ``found`` of the store at ``url`` unless it is this library's."""
    if found < migrations.LATEST_VERSION:
        raise StoreError(
            f"store {url!r} has schema version {found}, this library needs "
            f"{migrations.LATEST_VERSION}; run `bsc db upgrade --url {url}` (or "
            "Store.open(url, upgrade=True))"
        )
    if found > migrations.LATEST_VERSION:
        raise StoreError(
            f"store {url!r} has schema version {found}, newer than this library "
            f"knows ({migrations.LATEST_VERSION}); upgrade balanced_scorecard"
        )
