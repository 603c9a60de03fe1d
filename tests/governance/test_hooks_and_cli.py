"""Governance wired into the library: the escalation hook, store plugins, `bsc db` and the
Evaluation methods (escalations, agenda)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from tests.governance.test_escalation import MONTHS, _scorecard

from balanced_scorecard import Engine
from balanced_scorecard.cli import main
from balanced_scorecard.plugins.hookspecs import hookimpl
from balanced_scorecard.store import Store


def _observations() -> pd.DataFrame:
    # As in test_escalation: north revenue red in months 4-6 (run 3), north calls in 5-6.
    rows = {
        ("revenue", "north"): [100, 100, 100, 10, 10, 10],
        ("revenue", "south"): [100, 100, 100, 100, 100, 10],
        ("calls", "north"): [100, 100, 100, 100, 10, 10],
        ("calls", "south"): [100, 100, 100, 100, 100, 100],
    }
    return pd.concat(
        [
            pd.DataFrame({"indicator": i, "org_unit": u, "period": MONTHS, "value": v})
            for (i, u), v in rows.items()
        ],
        ignore_index=True,
    )


class Notifier:
    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []

    @hookimpl
    def bsc_on_escalation(self, evaluation: Any, escalation: dict[str, Any]) -> None:
        self.events.append(escalation)


def test_escalations_reach_a_notifier_plugin() -> None:
    notifier = Notifier()
    engine = Engine(plugins=[notifier], entry_points=False)
    ev = engine.evaluate(_scorecard(), _observations())
    fired = {(e["indicator"], e["org_unit"], e["rule"]) for e in notifier.events}
    assert fired == {("revenue", "north", "executive-review"), ("calls", "north", "manager")}
    # The same rows as the Evaluation method gives.
    assert len(ev.escalations()) == len(notifier.events) == 2
    assert ev.plugin_errors == ()


class Broken:
    @hookimpl
    def bsc_on_escalation(self, evaluation: Any, escalation: dict[str, Any]) -> None:
        raise RuntimeError("mail server down")


def test_a_failing_notifier_is_reported_and_the_evaluation_kept() -> None:
    ev = Engine(plugins=[Broken()], entry_points=False).evaluate(_scorecard(), _observations())
    assert len(ev.plugin_errors) == 2
    assert "mail server down" in str(ev.plugin_errors[0])
    plain = Engine(entry_points=False).evaluate(_scorecard(), _observations())
    assert ev.score("revenue", org_unit="north") == plain.score("revenue", org_unit="north")


def test_a_store_plugin_serves_its_scheme(tmp_path: Path) -> None:
    opened: list[str] = []

    class MyStores:
        @hookimpl
        def bsc_register_stores(self, register: Any) -> None:
            def opener(url: str) -> Store:
                opened.append(url)
                return Store.open(f"sqlite:///{tmp_path / 'mine.db'}")

            register("mydb", opener)

    engine = Engine(plugins=[MyStores()], entry_points=False)
    with engine.open_store("mydb://somewhere") as store:
        assert store.schema_version() > 0
    assert opened == ["mydb://somewhere"]
    assert "mydb" in engine.plugins.stores


def test_bsc_db_import_export_verify(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from balanced_scorecard.definitions import dump, load

    definition = tmp_path / "acme.yaml"
    dump(_scorecard(), definition)
    url = f"sqlite:///{tmp_path / 'bsc.db'}"
    assert main(["db", "upgrade", "--url", url]) == 0
    assert "up to date" in capsys.readouterr().out
    assert main(["db", "import", str(definition), "--url", url, "--author", "ann"]) == 0
    assert "saved as version 1" in capsys.readouterr().out
    # A stale expected version is refused (exit 2) with the fix in the message.
    code = main(
        [
            "db",
            "import",
            str(definition),
            "--url",
            url,
            "--author",
            "bob",
            "--expected-version",
            "0",
        ]
    )
    assert code == 2
    assert "latest stored version is 1" in capsys.readouterr().err
    out = tmp_path / "back.yaml"
    assert main(["db", "export", "acme", "--url", url, "-o", str(out)]) == 0
    assert load(out) == _scorecard()
    assert main(["db", "verify", "--url", url]) == 0
    assert "intact" in capsys.readouterr().out
