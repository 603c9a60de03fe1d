"""Plugin API versions and the deployment's allow-lists for sources and hosts."""

from __future__ import annotations

import importlib.metadata
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from balanced_scorecard import Engine, ObservationError, PluginError
from balanced_scorecard.plugins import PLUGIN_API_VERSION, PluginManager, hookimpl


class _Renderer:
    media_type = "text/plain"
    suffix = ".txt"

    def render(self, evaluation: Any, **options: Any) -> str:
        return "ok"


def _write_plugin(tmp_path: Path, name: str, api: str | None) -> None:
    declared = f"bsc_plugin_api = {api!r}\n" if api is not None else ""
    (tmp_path / f"{name}.py").write_text(
        "from balanced_scorecard.plugins import hookimpl\n"
        f"{declared}"
        "class R:\n    media_type = 'text/plain'\n    suffix = '.txt'\n"
        "    def render(self, evaluation, **options):\n        return 'x'\n"
        "@hookimpl\n"
        "def bsc_register_renderers(register):\n"
        f"    register({name!r}, R())\n",
        encoding="utf-8",
    )


def test_incompatible_plugin_is_refused_at_load_and_the_others_load(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _write_plugin(tmp_path, "bsc_old_plugin", "0.3")
    _write_plugin(tmp_path, "bsc_new_plugin", f"{PLUGIN_API_VERSION[0]}.7")
    _write_plugin(tmp_path, "bsc_plain_plugin", None)
    monkeypatch.syspath_prepend(str(tmp_path))
    fake = [
        importlib.metadata.EntryPoint(name=n, value=f"bsc_{n}_plugin", group="balanced_scorecard")
        for n in ("old", "new", "plain")
    ]
    monkeypatch.setattr(importlib.metadata, "entry_points", lambda group: fake)
    pm = PluginManager(entry_points=True)
    assert "bsc_new_plugin" in pm.renderers
    assert "bsc_plain_plugin" in pm.renderers
    assert "bsc_old_plugin" not in pm.renderers
    [failure] = pm.failures
    assert "plugin 'old' was written for plugin API 0.3, but balanced_scorecard offers 1.0" in (
        str(failure)
    )


def test_registering_an_incompatible_plugin_object_raises() -> None:
    class Future:
        bsc_plugin_api = "2.0"

        @hookimpl
        def bsc_register_renderers(self, register: Any) -> None:
            register("future", _Renderer())

    with pytest.raises(PluginError, match=r"written for plugin API 2\.0"):
        PluginManager(entry_points=False, plugins=[Future()])


def test_allow_lists_refuse_sources_and_hosts_before_connecting(tmp_path: Path) -> None:
    csv = tmp_path / "obs.csv"
    pd.DataFrame({"indicator": ["x"], "org_unit": ["all"], "period": ["2025-01"],
                  "value": [1.0]}).to_csv(csv, index=False)  # fmt: skip
    only_sql = Engine(entry_points=False, allowed_sources=["sql"])
    with pytest.raises(ObservationError, match=r"source 'csv' .* is not allowed here; allowed "
                       r"sources: sql"):  # fmt: skip
        only_sql.read(str(csv))
    inside = Engine(entry_points=False, allowed_hosts=["db.internal"])
    with pytest.raises(ObservationError, match=r"host 'evil\.example' .* is not allowed here"):
        inside.read("postgresql+psycopg://u:secret@evil.example/db", table="facts")
    # Files need no host, so a host allow-list does not block them.
    assert len(inside.read(str(csv))) == 1
    with pytest.raises(ObservationError) as info:
        inside.read("postgresql+psycopg://u:secret@evil.example/db", table="facts")
    assert "secret" not in str(info.value)
