"""The hash-chained audit trail: pure verification and tamper tests on real databases."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterator

import attrs
import pandas as pd
import pytest
import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st

from balanced_scorecard.exceptions import ModelError
from balanced_scorecard.governance import GENESIS_HASH, AuditRecord, make_record, verify
from balanced_scorecard.governance.audit import canonical_json, record_hash
from balanced_scorecard.store import Store
from balanced_scorecard.store.schema import audit_head, audit_log

T0 = "2025-01-01T00:00:00.000000+00:00"


def chain(n: int) -> list[AuditRecord]:
    out: list[AuditRecord] = []
    for i in range(n):
        out.append(
            make_record(
                out[-1] if out else None,
                actor=f"user{i % 3}",
                action="definition.saved",
                subject="acme",
                details={"version": i + 1},
                at=T0,
            )
        )
    return out


# -- the hash itself ---------------------------------------------------------------------------


def test_hash_is_sha256_of_canonical_json() -> None:
    """Hand-computed: the hash is SHA-256 over the sorted, compact JSON of the fields."""
    r = make_record(None, actor="ann", action="x", subject="s", details={"b": 1, "a": "é"}, at=T0)
    text = (
        '{"action":"x","actor":"ann","at":"2025-01-01T00:00:00.000000+00:00",'
        '"details":{"a":"é","b":1},"prev_hash":"' + GENESIS_HASH + '","seq":1,"subject":"s"}'
    )
    assert r.hash == hashlib.sha256(text.encode("utf-8")).hexdigest()
    assert r.hash == record_hash(
        seq=1,
        at=T0,
        actor="ann",
        action="x",
        subject="s",
        details={"a": "é", "b": 1},
        prev_hash=GENESIS_HASH,
    )


def test_details_must_be_plain_json() -> None:
    with pytest.raises(ModelError, match="plain JSON"):
        make_record(None, actor="ann", action="x", subject="s", details={"v": float("nan")})
    with pytest.raises(ModelError, match="plain JSON"):
        canonical_json({"when": pd.Timestamp("2025-01-01")})
    with pytest.raises(ModelError, match="actor and an action"):
        make_record(None, actor="", action="x", subject="s")


# -- verify on sequences -------------------------------------------------------------------------


def test_intact_and_empty() -> None:
    assert verify([]).ok
    assert verify([]).checked == 0
    result = verify(chain(5))
    assert (result.ok, result.checked, result.first_bad_seq, bool(result)) == (True, 5, None, True)


def test_a_part_of_a_trail_verifies_from_where_it_starts() -> None:
    records = chain(6)
    assert verify(records[2:]).ok
    assert verify(records[2:], prev_hash=records[1].hash).ok
    bad = verify(records[2:], prev_hash=records[0].hash)
    assert (bad.reason, bad.first_bad_seq) == ("bad link", 3)


def test_edited() -> None:
    records = chain(5)
    records[2] = attrs.evolve(records[2], details={"version": 99})
    result = verify(records)
    assert (result.ok, result.first_bad_seq, result.reason, result.checked) == (
        False,
        3,
        "edited",
        2,
    )
    assert "record 3" in result.message


def test_deleted_in_the_middle_and_at_the_start() -> None:
    records = chain(6)
    result = verify(records[:2] + records[4:])
    assert (result.first_bad_seq, result.reason) == (3, "deleted")
    assert "3 to 4" in result.message
    assert verify(records[1:], first_seq=1).first_bad_seq == 1


def test_reordered_in_the_list() -> None:
    records = chain(5)
    records[1], records[3] = records[3], records[1]
    result = verify(records)
    assert (result.first_bad_seq, result.reason) == (4, "reordered")


def test_moved_to_another_seq() -> None:
    """Swapping the seq numbers of two records: each sits where it was not written."""
    records = chain(5)
    a, b = records[1], records[3]
    records[1], records[3] = attrs.evolve(b, seq=2), attrs.evolve(a, seq=4)
    result = verify(records)
    assert (result.first_bad_seq, result.reason) == (2, "reordered")
    assert "written as seq 4" in result.message


def test_bad_link() -> None:
    """A forged record with a valid hash of its own, but linked to the wrong predecessor."""
    records = chain(4)
    forged = make_record(
        attrs.evolve(records[1], hash="f" * 64),
        actor="mallory",
        action="definition.saved",
        subject="acme",
        at=T0,
    )
    result = verify([*records[:2], forged])
    assert (result.first_bad_seq, result.reason) == (3, "bad link")


@settings(max_examples=40, deadline=None)
@given(n=st.integers(2, 12), data=st.data())
def test_any_single_field_edit_is_detected(n: int, data: st.DataObject) -> None:
    """Property: changing any field of any record makes verify fail at that record or the
    next (a changed hash breaks the following link)."""
    records = chain(n)
    i = data.draw(st.integers(0, n - 1))
    field = data.draw(
        st.sampled_from(["at", "actor", "action", "subject", "details", "prev_hash", "hash"])
    )
    value = {"details": {"tampered": True}}.get(field, "tampered")
    records[i] = attrs.evolve(records[i], **{field: value})
    result = verify(records)
    assert not result.ok
    assert result.first_bad_seq in (i + 1, i + 2)


@settings(max_examples=30, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.text(min_size=1, max_size=5), st.dictionaries(st.text(max_size=4), st.integers())
        ),
        max_size=15,
    )
)
def test_any_honest_chain_verifies(events: list[tuple[str, dict[str, int]]]) -> None:
    records: list[AuditRecord] = []
    for actor, details in events:
        records.append(
            make_record(
                records[-1] if records else None,
                actor=actor,
                action="a",
                subject="s",
                details=details,
            )
        )
    assert verify(records).ok


# -- tampering with a real database ------------------------------------------------------------


@pytest.fixture(params=["sqlite", "postgresql"])
def store(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Store]:
    if request.param == "sqlite":
        with Store.open(f"sqlite:///{tmp_path_factory.mktemp('audit') / 'bsc.db'}") as s:
            yield s
        return
    server = request.getfixturevalue("postgres_server")
    name = f"bsc_t_{uuid.uuid4().hex[:16]}"
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        url = sa.make_url(server).set(database=name).render_as_string(hide_password=False)
        with Store.open(url) as s:
            yield s
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def fill(store: Store, n: int = 5) -> None:
    for i in range(n):
        store.save_targets("acme", "budget", pd.DataFrame({"target": [float(i)]}), author=f"u{i}")


def drop_guard(store: Store) -> None:
    """What a database administrator could do: remove the append-only triggers."""
    with store.engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("DROP TRIGGER bsc_audit_log_no_update")
            conn.exec_driver_sql("DROP TRIGGER bsc_audit_log_no_delete")
        else:
            conn.exec_driver_sql("DROP TRIGGER bsc_audit_log_append_only ON bsc_audit_log")


def test_every_write_is_audited_and_verifies(store: Store) -> None:
    fill(store, 3)
    store.save_snapshot("acme", "2025-03", pd.DataFrame({"value": [1.5]}), author="ann")
    frame = store.audit()
    assert frame["seq"].tolist() == [1, 2, 3, 4]
    assert frame["action"].tolist() == ["targets.saved"] * 3 + ["snapshot.saved"]
    assert frame["prev_hash"].iloc[0] == GENESIS_HASH
    assert (frame["prev_hash"].iloc[1:].to_numpy() == frame["hash"].iloc[:-1].to_numpy()).all()
    assert str(frame["at"].dt.tz) == "UTC"
    assert store.audit(actor="u1")["seq"].tolist() == [2]
    assert store.verify_audit().ok


def test_database_refuses_update_and_delete(store: Store) -> None:
    fill(store, 2)
    with pytest.raises(sa.exc.DatabaseError, match="append-only"), store.engine.begin() as conn:
        conn.execute(sa.update(audit_log).where(audit_log.c.seq == 1).values(actor="mallory"))
    with pytest.raises(sa.exc.DatabaseError, match="append-only"), store.engine.begin() as conn:
        conn.execute(sa.delete(audit_log).where(audit_log.c.seq == 1))
    assert store.verify_audit().ok


def test_edited_record_is_named(store: Store) -> None:
    fill(store)
    drop_guard(store)
    with store.engine.begin() as conn:
        conn.execute(
            sa.update(audit_log)
            .where(audit_log.c.seq == 3)
            .values(details=json.dumps({"rows": 1000}))
        )
    result = store.verify_audit()
    assert (result.ok, result.first_bad_seq, result.reason) == (False, 3, "edited")


def test_deleted_record_is_named(store: Store) -> None:
    fill(store)
    drop_guard(store)
    with store.engine.begin() as conn:
        conn.execute(sa.delete(audit_log).where(audit_log.c.seq == 2))
    result = store.verify_audit()
    assert (result.first_bad_seq, result.reason) == (2, "deleted")


def test_deleted_tail_is_named(store: Store) -> None:
    fill(store)
    drop_guard(store)
    with store.engine.begin() as conn:
        conn.execute(sa.delete(audit_log).where(audit_log.c.seq >= 4))
    result = store.verify_audit()
    assert (result.first_bad_seq, result.reason) == (4, "deleted")
    assert "head names record 5" in result.message


def test_swapped_records_are_named(store: Store) -> None:
    fill(store)
    drop_guard(store)
    with store.engine.begin() as conn:  # swap the positions of records 2 and 4
        conn.execute(sa.update(audit_log).where(audit_log.c.seq == 2).values(seq=-2))
        conn.execute(sa.update(audit_log).where(audit_log.c.seq == 4).values(seq=2))
        conn.execute(sa.update(audit_log).where(audit_log.c.seq == -2).values(seq=4))
    result = store.verify_audit()
    assert (result.first_bad_seq, result.reason) == (2, "reordered")


def test_edited_head_is_caught(store: Store) -> None:
    fill(store, 2)
    with store.engine.begin() as conn:
        conn.execute(sa.update(audit_head).values(seq=1))
    result = store.verify_audit()
    assert (result.first_bad_seq, result.reason) == (2, "bad link")
    assert "head was changed" in result.message
