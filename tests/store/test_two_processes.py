"""Two processes writing the same definition at once: exactly one wins each round and no
update is lost (SQLite file and PostgreSQL server; spawn start method, own Store each)."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import pytest

from balanced_scorecard.model import Scorecard
from balanced_scorecard.store import Store


def test_two_processes_exactly_one_wins_each_round(
    db_url: str, scorecard: Scorecard, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.syspath_prepend(str(Path(__file__).parent))
    import _race_worker  # type: ignore[import-not-found]

    rounds = 3
    with Store.open(db_url) as s:
        assert s.save_definition(scorecard, author="ann", expected_version=0) == 1
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(2)
    out = ctx.Queue()
    procs = [
        ctx.Process(
            target=_race_worker.write_rounds, args=(db_url, name, target, rounds, barrier, out)
        )
        for name, target in (("p1", 1000.0), ("p2", 2000.0))
    ]
    for p in procs:
        p.start()
    results = [out.get(timeout=180) for _ in range(2 * rounds)]
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0
    assert not [r for r in results if r[2] == "error"], results
    with Store.open(db_url, upgrade=False) as s:
        versions = s.versions("acme")
        assert versions["version"].tolist() == list(range(1, rounds + 2))
        for r in range(rounds):
            this = [x for x in results if x[0] == r]
            won = [x for x in this if x[2] == "won"]
            lost = [x for x in this if x[2] == "lost"]
            assert len(won) == 1, this
            assert len(lost) == 1, this
            assert won[0][3] == r + 2
            assert (lost[0][3], lost[0][4]) == (r + 1, r + 2)
            # the stored version is the winner's whole change: nothing lost or mixed
            stored = s.load_definition("acme", r + 2).indicator("revenue").thresholds.target
            base = 1000.0 if won[0][1] == "p1" else 2000.0
            assert stored == base + r
            assert versions["author"].iloc[r + 1] == won[0][1]
        assert s.verify_audit().ok
        assert len(s.audit(action="definition.saved")) == rounds + 1
