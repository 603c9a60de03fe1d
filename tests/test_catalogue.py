"""The indicator catalogue and `template:` in definition files."""

from __future__ import annotations

import json

import pytest

from balanced_scorecard import Engine
from balanced_scorecard.catalogue import catalogue, catalogue_frame, template
from balanced_scorecard.cli import main
from balanced_scorecard.definitions import dumps, loads
from balanced_scorecard.exceptions import DefinitionError


def _every_entry_yaml() -> str:
    lines = ["id: all", "objectives:"]
    for perspective in ("financial", "customer", "internal_process", "learning_growth"):
        lines += [f"  - id: o_{perspective}", f"    perspective: {perspective}", "    indicators:"]
        for k, v in catalogue().items():
            if v["perspective"] == perspective:
                lines.append(f"      - {{id: {k}, template: {k}}}")
    return "\n".join(lines) + "\n"


def test_every_entry_makes_a_valid_indicator_the_engine_accepts() -> None:
    sc = loads(_every_entry_yaml(), format="yaml")
    assert len(sc.indicators) == len(catalogue()) == 32
    # Units known to the unit registry, formulas over other entries: the engine's own
    # definition check (run by evaluate) passes.
    Engine(entry_points=False)._check_definition(sc)
    gm = sc.indicator("gross_margin")
    assert gm.formula == "(revenue - cost_of_goods_sold) / revenue * 100"
    assert sc.indicator("cycle_time").polarity.value == "lower_better"


def test_keys_of_the_indicator_win_over_the_template() -> None:
    text = """
id: s
objectives:
  - id: o
    perspective: customer
    indicators:
      - id: otd
        template: on_time_delivery_rate
        name: OTD
        thresholds: {red_flag: 90, target: 97}
"""
    ind = loads(text, format="yaml").indicator("otd")
    assert ind.name == "OTD"
    assert ind.unit == "percent"  # from the template
    assert ind.time_aggregation.value == "ratio_of_sums"
    assert ind.thresholds.target == 97
    # Writing it out keeps every key explicitly; it loads back equal.
    sc = loads(text, format="yaml")
    assert loads(dumps(sc), format="yaml") == sc


def test_unknown_template_is_reported_at_its_line_with_a_suggestion() -> None:
    text = """id: s
objectives:
  - id: o
    perspective: customer
    indicators:
      - {id: otd, template: on_time_delivery}
"""
    with pytest.raises(DefinitionError) as info:
        loads(text, format="yaml", source="s.yaml")
    message = str(info.value)
    assert "s.yaml, line 6 at objectives[0].indicators[0].template" in message
    assert "Did you mean 'on_time_delivery_rate'?" in message


def test_template_gives_only_indicator_keys() -> None:
    assert "perspective" not in template("revenue")
    assert set(template("gross_margin")) <= {
        "name", "unit", "polarity", "lead_lag", "time_aggregation", "org_aggregation",
        "formula", "description",
    }  # fmt: skip


def test_cli_lists_the_catalogue(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["catalogue", "--perspective", "learning_growth"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "learning_growth:"
    assert "voluntary_turnover" in out
    assert "revenue" not in out
    assert main(["catalogue", "--json"]) == 0
    entries = json.loads(capsys.readouterr().out)
    assert [e["id"] for e in entries] == catalogue_frame()["id"].tolist()
