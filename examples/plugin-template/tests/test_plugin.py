"""Tests of the template plugin, run against the *installed* package.

Install first (``pip install -e .`` in this folder): the discovery tests check that the
entry point in pyproject.toml works, which only an installed distribution can show.
"""

from __future__ import annotations

import csv
import io

import bsc_plugin_template
import pandas as pd
import pytest
from bsc_plugin_template import CsvRenderer

import balanced_scorecard as bsc
from balanced_scorecard.plugins import Renderer


@pytest.fixture
def scorecard() -> bsc.Scorecard:
    return bsc.Scorecard(
        id="demo",
        name="Demo",
        org_chart=bsc.OrgChart(
            units=[bsc.OrgUnit(id="group"), bsc.OrgUnit(id="north", parent="group")]
        ),
        objectives=[bsc.Objective(id="grow", name="Grow revenue", perspective="financial")],
        indicators=[
            bsc.Indicator(
                id="revenue",
                name="=Revenue",  # looks like a spreadsheet formula on purpose
                objective="grow",
                unit="EUR",
                time_aggregation="sum",
                thresholds=bsc.Thresholds(target=700, red_flag=500),
            )
        ],
    )


@pytest.fixture
def observations() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "indicator": "revenue",
            "org_unit": "north",
            "period": ["2025-01", "2025-02"],
            "value": [600.0, 650.0],
            "unit": "EUR",
        }
    )


# -- discovery through the entry point ------------------------------------------------------


def test_engine_finds_the_csv_renderer_of_plugin_template() -> None:
    engine = bsc.Engine()
    assert "csv" in engine.plugins.renderers
    assert engine.plugins.renderers.plugin_of("csv") == "template"
    assert "template" in engine.plugins.names
    assert engine.plugins.failures == []


def test_plugin_implements_exactly_its_two_hooks() -> None:
    hooks = bsc.Engine().plugins.hooks_of("template")
    assert hooks == ["bsc_on_evaluated", "bsc_register_renderers"]


def test_no_entry_points_means_no_plugin() -> None:
    assert "csv" not in bsc.Engine(entry_points=False).plugins.renderers


# -- the renderer ---------------------------------------------------------------------------


def test_renderer_follows_the_protocol() -> None:
    renderer = CsvRenderer()
    assert isinstance(renderer, Renderer)
    assert (renderer.media_type, renderer.suffix) == ("text/csv", ".csv")


def test_rendered_csv_is_the_focus_period_frame(
    scorecard: bsc.Scorecard, observations: pd.DataFrame
) -> None:
    engine = bsc.Engine()
    ev = engine.evaluate(scorecard, observations)
    text = engine.render(ev, "csv")
    assert isinstance(text, str)
    header = text.splitlines()[0].split(",")
    assert header[:2] == ["node", "kind"]
    assert header == list(ev.to_frame().columns)
    table = pd.read_csv(io.StringIO(text), dtype={"period": str})
    assert len(table) == len(ev.to_frame())
    assert set(table["period"]) == {ev.period}
    north = table[(table["node"] == "revenue") & (table["org_unit"] == "north")]
    assert north["actual"].tolist() == [650.0]
    assert north["status"].tolist() == ["amber"]


def test_evaluation_render_finds_the_plugin_format(
    scorecard: bsc.Scorecard, observations: pd.DataFrame
) -> None:
    ev = bsc.Engine().evaluate(scorecard, observations)
    assert ev.render("csv") == bsc.Engine().render(ev, "csv")


def test_options_select_period_and_org_unit(
    scorecard: bsc.Scorecard, observations: pd.DataFrame
) -> None:
    engine = bsc.Engine()
    ev = engine.evaluate(scorecard, observations)
    text = engine.render(ev, "csv", period="2025-01", org_unit="north", max_exceptions=5)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert {r["period"] for r in rows} == {"2025-01"}
    assert {r["org_unit"] for r in rows} == {"north"}


def test_text_that_a_spreadsheet_would_run_is_defused(
    scorecard: bsc.Scorecard, observations: pd.DataFrame
) -> None:
    engine = bsc.Engine()
    ev = engine.evaluate(scorecard, observations)
    rows = list(csv.DictReader(io.StringIO(engine.render(ev, "csv"))))
    names = {r["node"]: r["name"] for r in rows}
    assert names["revenue"] == "'=Revenue"
    raw = list(csv.DictReader(io.StringIO(engine.render(ev, "csv", safe_for_spreadsheets=False))))
    assert {r["node"]: r["name"] for r in raw}["revenue"] == "=Revenue"


# -- the event hook -------------------------------------------------------------------------


def test_counter_increments_after_an_evaluation(
    scorecard: bsc.Scorecard, observations: pd.DataFrame
) -> None:
    engine = bsc.Engine()
    before = bsc_plugin_template.evaluation_count()
    ev = engine.evaluate(scorecard, observations)
    assert bsc_plugin_template.evaluation_count() == before + 1
    assert ev.plugin_errors == ()


def test_registered_by_hand_without_installing(
    scorecard: bsc.Scorecard, observations: pd.DataFrame
) -> None:
    # How to unit-test hooks before the package is installed: hand the module to the Engine.
    engine = bsc.Engine(entry_points=False, plugins=[bsc_plugin_template])
    before = bsc_plugin_template.evaluation_count()
    engine.evaluate(scorecard, observations)
    assert bsc_plugin_template.evaluation_count() == before + 1
    assert "csv" in engine.plugins.renderers
