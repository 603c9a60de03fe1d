"""Schema migrations and crash safety: all or nothing."""

from __future__ import annotations

import pandas as pd
import pytest
import sqlalchemy as sa

from balanced_scorecard.model import Scorecard
from balanced_scorecard.store import LATEST_VERSION, Store, StoreError, migrations, upgrade
from balanced_scorecard.store.schema import (
    audit_head,
    audit_log,
    definitions,
    metadata,
    snapshots,
    target_sets,
)


def test_upgrade_is_idempotent(db_url: str) -> None:
    engine = sa.create_engine(db_url)
    assert migrations.current_version(engine) == 0
    assert upgrade(engine) == [1, 2, 3, 4, 5]
    assert upgrade(engine) == []
    with Store.open(db_url) as s:
        assert s.schema_version() == LATEST_VERSION == 5
        assert s.upgrade() == []
    engine.dispose()


def test_migrated_schema_matches_schema_module(db_url: str) -> None:
    """The migration steps build exactly the tables and columns schema.py queries."""
    engine = sa.create_engine(db_url)
    upgrade(engine)
    inspector = sa.inspect(engine)
    assert set(inspector.get_table_names()) == set(metadata.tables)
    for name, table in metadata.tables.items():
        assert [c["name"] for c in inspector.get_columns(name)] == [c.name for c in table.columns]
    engine.dispose()


def test_failed_migration_leaves_schema_unchanged(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(conn: sa.Connection) -> None:
        raise RuntimeError("disk full")

    steps = (
        *migrations.MIGRATIONS[:2],
        migrations.Migration(version=3, description="x", apply=boom),
    )
    monkeypatch.setattr(migrations, "MIGRATIONS", steps)
    engine = sa.create_engine(db_url)
    with pytest.raises(RuntimeError, match="disk full"):
        upgrade(engine)
    assert migrations.current_version(engine) == 0
    assert sa.inspect(engine).get_table_names() == []
    engine.dispose()


def test_open_without_upgrade_refuses_old_or_new_schema(db_url: str) -> None:
    with pytest.raises(
        StoreError,
        match=rf"schema version 0, this library needs {LATEST_VERSION}; run `bsc db upgrade --url",
    ):
        Store.open(db_url, upgrade=False)
    with Store.open(db_url) as s, migrations.write_transaction(s.engine) as conn:
        conn.execute(
            sa.insert(migrations.schema_version).values(
                version=99, description="future", applied_at=""
            )
        )
    with pytest.raises(StoreError, match="newer than this library"):
        Store.open(db_url, upgrade=False)


def test_open_bad_url() -> None:
    with pytest.raises(StoreError, match="cannot open store 'nosuch://u:\\*\\*\\*@h/db'"):
        Store.open("nosuch://u:secret@h/db")


def test_path_means_sqlite_file(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with Store.open(tmp_path / "x.db") as s:
        assert s.schema_version() == LATEST_VERSION
    assert (tmp_path / "x.db").exists()


def _counts(store: Store) -> tuple[int, ...]:
    with store.engine.connect() as conn:
        counts = tuple(
            conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one()
            for t in (definitions, target_sets, snapshots, audit_log)
        )
        head = conn.execute(sa.select(audit_head.c.seq)).scalar_one()
    return (*counts, head)


def test_crash_mid_write_leaves_nothing(
    store: Store, scorecard: Scorecard, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The definition row is inserted, then the audit append fails: both are rolled back."""
    store.save_definition(scorecard, author="ann")
    before = _counts(store)

    def crash(*args: object, **kwargs: object) -> None:
        raise OSError("power cut")

    monkeypatch.setattr(Store, "_append", crash)
    data = scorecard.to_dict()
    data["name"] = "changed"
    with pytest.raises(OSError, match="power cut"):
        store.save_definition(Scorecard.from_dict(data), author="bob")
    with pytest.raises(OSError, match="power cut"):
        store.save_targets("acme", "budget", pd.DataFrame({"a": [1.0]}), author="bob")
    with pytest.raises(OSError, match="power cut"):
        store.save_snapshot("acme", "2025-03", pd.DataFrame({"a": [1.0]}), author="bob")
    monkeypatch.undo()
    assert _counts(store) == before == (1, 0, 0, 1, 1)
    assert store.latest_version("acme") == 1
    assert store.verify_audit().ok
    # and the store keeps working afterwards
    assert store.save_definition(Scorecard.from_dict(data), author="bob", expected_version=1) == 2


def test_crash_inside_an_audited_write(store: Store) -> None:
    with (
        pytest.raises(ValueError, match="bad"),
        store.audited_write(actor="ann", action="x.y", subject="s"),
    ):
        raise ValueError("bad")
    assert store.audit().empty
    record = store.append_audit(actor="ann", action="review.held", subject="acme", details={"n": 1})
    assert record.seq == 1
    assert store.verify_audit().ok
