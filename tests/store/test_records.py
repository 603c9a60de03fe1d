"""Annotations, overrides and review records in the store (SQLite file and PostgreSQL),
each written with its audit record."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from balanced_scorecard.exceptions import ModelError, StoreError
from balanced_scorecard.governance import Annotation, Override
from balanced_scorecard.store import Store
from balanced_scorecard.store.records import (
    ReviewRecord,
    load_annotations,
    load_overrides,
    load_reviews,
    save_annotation,
    save_override,
    save_review,
)


def _comment(i: str, **kw: object) -> Annotation:
    fields: dict[str, object] = {
        "id": i, "node": "revenue", "org_unit": "north", "period": "2025-02", "author": "ann",
        "text": f"comment {i}", "at": "2025-03-02T09:00:00Z",
    }  # fmt: skip
    fields.update(kw)
    return Annotation(**fields)  # type: ignore[arg-type]


def test_annotations_with_replies_round_trip(db_url: str) -> None:
    with Store.open(db_url) as store:
        save_annotation(store, "acme", _comment("c1", text="Late invoices <b>again</b>"))
        save_annotation(store, "acme", _comment("c2", reply_to="c1", author="bob"))
        save_annotation(store, "acme", _comment("c3", node="cost"))
        got = load_annotations(store, "acme", node="revenue")
        assert [(a.id, a.reply_to, a.author) for a in got] == [
            ("c1", None, "ann"),
            ("c2", "c1", "bob"),
        ]
        assert got[0].text == "Late invoices <b>again</b>"  # stored as given, escaped on output
        assert got[0].at.isoformat() == "2025-03-02T09:00:00+00:00"
        assert store.audit()["action"].tolist() == ["annotation.added"] * 3
        assert store.verify_audit().ok
        with pytest.raises(StoreError, match="already used"):
            save_annotation(store, "acme", _comment("c1"))
        with pytest.raises(StoreError, match="replies to 'c9'"):
            save_annotation(store, "acme", _comment("c4", reply_to="c9"))
        # The refused writes left nothing behind, not even an audit record.
        assert len(load_annotations(store, "acme")) == 3
        assert len(store.audit()) == 3


def test_overrides_round_trip_in_order(db_url: str) -> None:
    first = Override(
        node="revenue", org_unit="north", period="2025-02", status="amber", by="ann",
        justification="order slipped", at="2025-03-02T09:00:00Z",
    )  # fmt: skip
    later = Override(
        node="revenue", org_unit="north", period="2025-02", status="green", by="ann",
        justification="order landed", at="2025-03-05T09:00:00Z",
    )  # fmt: skip
    with Store.open(db_url) as store:
        save_override(store, "acme", first)
        save_override(store, "acme", later)
        assert load_overrides(store, "acme") == [first, later]
        assert store.audit()["action"].tolist() == ["override.recorded"] * 2


def test_review_records_are_kept_once(db_url: str) -> None:
    record = ReviewRecord(
        meeting="monthly operational",
        period="2025-02",
        held_on="2025-03-07",
        facilitator="pmo",
        attendees=["coo", "cfo"],
        decisions=["re-plan Q2 revenue"],
        actions=["north: recovery plan by 2025-03-21"],
    )
    with Store.open(db_url) as store:
        save_review(store, "acme", record)
        table = load_reviews(store, "acme")
        assert table.iloc[0].to_dict() == {
            "meeting": "monthly operational",
            "period": "2025-02",
            "held_on": "2025-03-07",
            "facilitator": "pmo",
            "attendees": "coo, cfo",
            "decisions": "re-plan Q2 revenue",
            "actions": "north: recovery plan by 2025-03-21",
            "notes": "",
        }
        with pytest.raises(StoreError, match="already recorded"):
            save_review(store, "acme", record)
        assert store.audit()["action"].tolist() == ["review.recorded"]


def test_bad_records_are_refused() -> None:
    with pytest.raises(ModelError, match="needs a facilitator"):
        ReviewRecord(meeting="m", period="2025-02", held_on="2025-03-07", facilitator=" ")
    with pytest.raises(ValueError, match="Invalid isoformat"):
        ReviewRecord(meeting="m", period="2025-02", held_on="07/03/2025", facilitator="pmo")


def test_a_crash_inside_the_write_leaves_nothing(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    with Store.open(tmp_path / "bsc.db") as store:
        real = sa.insert

        def broken(table):  # type: ignore[no-untyped-def]
            raise RuntimeError("disk on fire")

        monkeypatch.setattr("balanced_scorecard.store.records.sa.insert", broken)
        with pytest.raises(RuntimeError, match="disk on fire"):
            save_annotation(store, "acme", _comment("c1"))
        monkeypatch.setattr("balanced_scorecard.store.records.sa.insert", real)
        assert load_annotations(store, "acme") == []
        assert store.audit().empty
