"""Definitions and their versions: round trip, optimistic concurrency, diff."""

from __future__ import annotations

import threading
from typing import Any

import pandas as pd
import pytest
import sqlalchemy as sa

from balanced_scorecard.exceptions import ModelError, ScorecardError
from balanced_scorecard.model import Scorecard
from balanced_scorecard.store import Store, StoreConflictError, StoreError
from balanced_scorecard.store.schema import definitions


def changed(scorecard: Scorecard, target: float = 120) -> Scorecard:
    data = scorecard.to_dict()
    data["objectives"][0]["indicators"][0]["thresholds"]["target"] = target
    return Scorecard.from_dict(data)


def test_save_and_load_round_trip(store: Store, scorecard: Scorecard) -> None:
    assert store.save_definition(scorecard, author="ann", message="first", expected_version=0) == 1
    assert store.save_definition(changed(scorecard), author="bob", message="raise target") == 2
    assert store.load_definition("acme", 1) == scorecard
    assert store.load_definition("acme") == changed(scorecard)
    assert store.latest_version("acme") == 2
    assert store.scorecards() == ["acme"]
    v = store.versions("acme")
    assert list(v.columns) == [
        "version",
        "author",
        "message",
        "saved_at",
        "sha256",
        "effective_from",
    ]
    assert v["version"].tolist() == [1, 2]
    assert v["author"].tolist() == ["ann", "bob"]
    assert str(v["saved_at"].dt.tz) == "UTC"


def test_identical_definition_is_not_stored_again(store: Store, scorecard: Scorecard) -> None:
    store.save_definition(scorecard, author="ann")
    assert store.save_definition(scorecard, author="ann", expected_version=1) == 1
    assert len(store.versions("acme")) == 1
    assert len(store.audit()) == 1


def test_conflict_names_scorecard_versions_and_fix(store: Store, scorecard: Scorecard) -> None:
    store.save_definition(scorecard, author="ann", expected_version=0)
    store.save_definition(changed(scorecard), author="bob", expected_version=1)
    with pytest.raises(StoreConflictError) as info:
        store.save_definition(changed(scorecard, 130), author="ann", expected_version=1)
    err = info.value
    assert isinstance(err, ScorecardError)
    assert (err.scorecard_id, err.expected, err.actual) == ("acme", 1, 2)
    text = str(err)
    for part in ("'acme'", "version 1", "version is 2", "Reload", "expected_version=2"):
        assert part in text
    assert store.latest_version("acme") == 2  # nothing written
    assert len(store.audit()) == 2


def test_expected_version_zero_refuses_an_existing_scorecard(
    store: Store, scorecard: Scorecard
) -> None:
    store.save_definition(scorecard, author="ann")
    with pytest.raises(StoreConflictError, match="latest stored version is 1"):
        store.save_definition(changed(scorecard), author="bob", expected_version=0)


def _race(url: str, scorecard: Scorecard) -> tuple[list[int], list[BaseException]]:
    """Two writers, each with its own store (own connections), both editing version 1."""
    barrier = threading.Barrier(2)
    won: list[int] = []
    lost: list[BaseException] = []

    def writer(target: float) -> None:
        with Store.open(url, upgrade=False) as s:
            barrier.wait()
            try:
                won.append(
                    s.save_definition(
                        changed(scorecard, target), author=f"w{target}", expected_version=1
                    )
                )
            except BaseException as exc:
                lost.append(exc)

    threads = [threading.Thread(target=writer, args=(t,)) for t in (120, 130)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return won, lost


@pytest.mark.parametrize("rounds", [5])
def test_two_concurrent_writers_exactly_one_wins(
    db_url: str, scorecard: Scorecard, rounds: int
) -> None:
    with Store.open(db_url) as s:
        s.save_definition(scorecard, author="ann")
    for _ in range(rounds):
        with Store.open(db_url) as s:
            s.engine.dispose()
        won, lost = _race(db_url, scorecard)
        assert won == [2]
        assert len(lost) == 1, lost
        assert isinstance(lost[0], StoreConflictError), lost
        assert (lost[0].expected, lost[0].actual) == (1, 2)
        with Store.open(db_url) as s:
            winner = s.load_definition("acme")
            # the stored version 2 is the winner's whole change: no update lost or mixed
            target = winner.indicator("revenue").thresholds.target
            assert s.versions("acme")["author"].iloc[1] == f"w{int(target)}"
            assert s.verify_audit().ok
            with s.engine.begin() as conn:  # reset for the next round
                conn.execute(sa.delete(definitions).where(definitions.c.version == 2))


def test_unique_constraint_backs_the_check(
    store: Store, scorecard: Scorecard, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Even if the version check read a stale latest version, the insert cannot win twice."""
    store.save_definition(scorecard, author="ann")
    store.save_definition(changed(scorecard), author="bob")
    real = Store._latest
    calls: list[int] = []

    def stale_once(conn: sa.Connection, sid: str) -> int:
        calls.append(1)
        return 1 if len(calls) == 1 else real(conn, sid)

    monkeypatch.setattr(Store, "_latest", staticmethod(stale_once))
    with pytest.raises(StoreConflictError) as info:
        store.save_definition(changed(scorecard, 140), author="eve", expected_version=1)
    monkeypatch.undo()
    assert info.value.actual == 2
    assert store.versions("acme")["author"].tolist() == ["ann", "bob"]
    assert store.verify_audit().ok


def test_unique_constraint_exists(store: Store, scorecard: Scorecard) -> None:
    store.save_definition(scorecard, author="ann")
    row: dict[str, Any] = {
        "scorecard_id": "acme",
        "version": 1,
        "author": "x",
        "message": "",
        "saved_at": "",
        "sha256": "",
        "body": "{}",
    }
    with pytest.raises(sa.exc.IntegrityError), store.engine.begin() as conn:
        conn.execute(sa.insert(definitions).values(row))


def test_diff_field_by_field(store: Store, scorecard: Scorecard) -> None:
    store.save_definition(scorecard, author="ann")
    data = changed(scorecard).to_dict()
    data["objectives"][0]["indicators"].pop(1)  # retire margin
    data["objectives"][1]["indicators"].append({"id": "returns", "unit": "count"})
    data["name"] = "Acme Group"
    store.save_definition(Scorecard.from_dict(data), author="bob")
    d = store.diff("acme", 1, 2)
    assert list(d.columns) == ["path", "before", "after", "change"]
    rows = {r.path: (r.before, r.after, r.change) for r in d.itertuples()}
    # hand-worked from the two definitions above
    assert rows["name"] == ("Acme", "Acme Group", "modified")
    assert rows["objectives[grow].indicators[revenue].thresholds.target"] == (100, 120, "modified")
    assert rows["objectives[grow].indicators[margin]"][2] == "removed"
    assert rows["objectives[quality].indicators[returns]"][1]["id"] == "returns"
    assert rows["objectives[quality].indicators[returns]"][2] == "added"
    assert len(d) == 4
    back = store.diff("acme", 2, 1)
    assert set(back["change"]) == {"modified", "added", "removed"}
    assert store.diff("acme", 1, 1).empty


def test_unknown_scorecard_and_version(store: Store, scorecard: Scorecard) -> None:
    store.save_definition(scorecard, author="ann")
    with pytest.raises(StoreError, match=r"no definition of scorecard 'acmee'.*acme"):
        store.load_definition("acmee")
    with pytest.raises(StoreError, match="no version 7; stored versions are 1 to 1"):
        store.load_definition("acme", 7)
    assert store.versions("nope").empty


@pytest.mark.parametrize("bad", [-1, 1.5, True, "1"])
def test_bad_expected_version(store: Store, scorecard: Scorecard, bad: Any) -> None:
    with pytest.raises(ModelError, match="expected_version"):
        store.save_definition(scorecard, author="ann", expected_version=bad)


@pytest.mark.parametrize("author", ["", "  ", None])
def test_author_is_required(store: Store, scorecard: Scorecard, author: Any) -> None:
    with pytest.raises(ModelError, match="author"):
        store.save_definition(scorecard, author=author)


def test_not_a_scorecard(store: Store) -> None:
    with pytest.raises(ModelError, match="needs a Scorecard"):
        store.save_definition({"id": "x"}, author="ann")  # type: ignore[arg-type]


def test_versions_frame_is_a_dataframe(store: Store) -> None:
    assert isinstance(store.versions("acme"), pd.DataFrame)
