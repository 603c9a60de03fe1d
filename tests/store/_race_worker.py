"""Worker of the two-process concurrency test (a module of its own, so a spawned process can
import it; test modules are imported by pytest's importlib mode and are not importable)."""

from __future__ import annotations

from typing import Any

from balanced_scorecard.model import Scorecard
from balanced_scorecard.store import Store, StoreConflictError


def write_rounds(url: str, name: str, target: float, rounds: int, barrier: Any, out: Any) -> None:
    """Each round: wait for the other writer, then save a change on version ``1 + round``."""
    with Store.open(url, upgrade=False) as store:
        for r in range(rounds):
            base = 1 + r
            data = store.load_definition("acme", 1).to_dict()
            data["objectives"][0]["indicators"][0]["thresholds"]["target"] = target + r
            changed = Scorecard.from_dict(data)
            barrier.wait(timeout=60)
            try:
                version = store.save_definition(changed, author=name, expected_version=base)
                out.put((r, name, "won", version, None))
            except StoreConflictError as exc:
                out.put((r, name, "lost", exc.expected, exc.actual))
            except BaseException as exc:  # reported to the parent, which fails the test
                out.put((r, name, "error", repr(exc), None))
            barrier.wait(timeout=60)
