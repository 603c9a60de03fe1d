"""Every hook, exercised through a plugin registered on an Engine."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from balanced_scorecard import (
    Engine,
    Indicator,
    Objective,
    PluginError,
    Scorecard,
    Scoring,
    Thresholds,
    UnknownMethodError,
)
from balanced_scorecard.algorithms.scoring import Breakpoint, ScoreInputs, ScoringMethod
from balanced_scorecard.plugins import PluginManager, hookimpl

ROWS = pd.DataFrame(
    {"indicator": "x", "org_unit": "all", "period": ["2025-01", "2025-02"], "value": [1.0, 3.0]}
)


def _scorecard(**indicator: Any) -> Scorecard:
    return Scorecard(
        id="t",
        objectives=[Objective(id="o", perspective="financial")],
        indicators=[
            Indicator(
                id="x", objective="o", thresholds=Thresholds(target=2, red_flag=1), **indicator
            )
        ],
    )


class MemorySource:
    """Serves frames from a dict: ``mem:NAME``."""

    def __init__(self) -> None:
        self.frames = {"demo": ROWS}

    def load(self, location: Any, **options: Any) -> pd.DataFrame:
        return self.frames[location].copy()


class Doubler:
    def __init__(self) -> None:
        self.seen: list[str] = []

    def adjust(
        self, frame: pd.DataFrame, *, scorecard: Any, registry: Any, **options: Any
    ) -> pd.DataFrame:
        self.seen.append(scorecard.id)
        factor = options.get("factor", 2)
        return frame.assign(value=frame["value"] * factor)


class Shout:
    media_type = "text/plain"
    suffix = ".txt"

    def render(self, evaluation: Any, **options: Any) -> str:
        return f"{evaluation.scorecard.id.upper()}!"


def _always_half(inputs: ScoreInputs) -> np.ndarray:
    return np.where(np.isnan(inputs.actual), np.nan, 0.5)


class Everything:
    """One plugin implementing every hook."""

    def __init__(self) -> None:
        self.evaluated: list[str] = []

    @hookimpl
    def bsc_register_sources(self, register: Any) -> None:
        register("memory", MemorySource(), schemes=("mem",))

    @hookimpl
    def bsc_resolve_source(self, uri: str) -> Any:
        return MemorySource() if uri.startswith("magic://") else None

    @hookimpl
    def bsc_register_adjusters(self, register: Any) -> None:
        register("double", Doubler())

    @hookimpl
    def bsc_register_renderers(self, register: Any) -> None:
        register("shout", Shout())

    @hookimpl
    def bsc_register_scoring_methods(self, register: Any) -> None:
        register(
            ScoringMethod(
                name="half",
                func=_always_half,
                requires=("actual",),
                breakpoints=lambda row: [Breakpoint(label="any", value=0.0, score=0.5)],
                description="Scores every value 0.5.",
            )
        )

    @hookimpl
    def bsc_register_rollup_methods(self, register: Any) -> None:
        def first(scores: np.ndarray, *, weights: Any, parent: Any, n_parents: int) -> Any:
            return scores[:n_parents]

        register("first", first)

    @hookimpl
    def bsc_on_evaluated(self, evaluation: Any) -> None:
        self.evaluated.append(evaluation.scorecard.id)


@pytest.fixture
def plugin() -> Everything:
    return Everything()


@pytest.fixture
def engine(plugin: Everything) -> Engine:
    return Engine(entry_points=False, plugins=[plugin])


def test_source_by_scheme_and_by_resolver(engine: Engine) -> None:
    assert engine.read("mem:demo")["value"].tolist() == [1.0, 3.0]
    source, location = engine.plugins.resolve_source("magic://demo")
    assert isinstance(source, MemorySource)
    assert location == "magic://demo"
    with pytest.raises(UnknownMethodError, match="no source can read 'nope:x'"):
        engine.plugins.resolve_source("nope:x")
    ev = engine.evaluate(_scorecard(), "mem:demo")
    assert ev.to_frame().set_index("node").loc["x", "actual"] == 3.0


def test_adjusters_apply_in_order_with_options(engine: Engine) -> None:
    ev = engine.evaluate(_scorecard(), ROWS, adjust=["double", ("double", {"factor": 10})])
    assert ev.to_frame().set_index("node").loc["x", "actual"] == 60.0
    doubler = engine.plugins.adjusters["double"]
    assert doubler.seen == ["t", "t"]  # type: ignore[attr-defined]
    with pytest.raises(UnknownMethodError, match="no adjuster named 'tripple'"):
        engine.evaluate(_scorecard(), ROWS, adjust=["tripple"])


def test_renderer_scoring_rollup_and_event(engine: Engine, plugin: Everything) -> None:
    sc = _scorecard(scoring=Scoring(method="half"))
    ev = engine.evaluate(sc, ROWS)
    assert ev.score("x") == 0.5
    assert engine.render(ev, "shout") == "T!"
    assert plugin.evaluated == ["t"]
    assert engine.plugins.renderers.plugin_of("shout") != "builtins.renderers"


def test_plugin_that_raises_at_registration_is_reported_by_name() -> None:
    class Broken:
        @hookimpl
        def bsc_register_renderers(self, register: Any) -> None:
            raise RuntimeError("template missing")

    pm = PluginManager(entry_points=False, plugins=[Broken()])
    assert "text" in pm.renderers  # the built-ins still load
    [failure] = pm.failures
    assert isinstance(failure, PluginError)
    assert "raised in bsc_register_renderers: RuntimeError: template missing" in str(failure)


def test_two_plugins_claiming_one_name_is_an_error() -> None:
    class Clash:
        @hookimpl
        def bsc_register_renderers(self, register: Any) -> None:
            register("text", Shout())

    pm = PluginManager(entry_points=False, plugins=[Clash()])
    assert "text" in pm.renderers
    assert "already registered" in str(pm.failures[0])


def test_failing_adjuster_names_its_plugin(engine: Engine) -> None:
    with pytest.raises(PluginError, match="adjuster 'double'"):
        engine.evaluate(_scorecard(), ROWS, adjust=[("double", {"factor": "x"})])


def test_nothing_loads_at_import() -> None:
    import subprocess
    import sys

    code = (
        "import sys, balanced_scorecard; "
        "print(any(m.startswith('bsc_plugin_template') for m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
