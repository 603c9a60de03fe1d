"""Loading good definitions from files, text and dicts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs
import pytest

from balanced_scorecard.algorithms.scoring import BUILTIN_METHODS
from balanced_scorecard.definitions import load, loads, scorecard_from_dict
from balanced_scorecard.exceptions import DefinitionError
from balanced_scorecard.model import (
    DEFAULT_PERSPECTIVES,
    DEFAULT_STATUS_BANDS,
    Frequency,
    OrgAggregation,
    OrgChart,
    Polarity,
    Role,
    Scorecard,
    Weight,
)

Write = Callable[..., Path]


def test_the_three_formats_give_the_same_scorecard(
    write: Write, acme: dict[str, Any], acme_yaml: str, acme_toml: str
) -> None:
    from_yaml = load(write("acme.yaml", acme_yaml))
    from_yml = load(write("acme.yml", acme_yaml))
    from_toml = load(write("acme.toml", acme_toml))
    from_json = load(write("acme.json", acme))
    assert from_yaml == from_yml == from_toml == from_json
    assert from_yaml.id == "acme"
    assert len(from_yaml.indicators) == 3


def test_load_sets_origin(write: Write, acme_yaml: str) -> None:
    path = write("acme.yaml", acme_yaml)
    assert load(path).origin == str(path)
    assert load(str(path)).origin == str(path)


def test_format_argument_overrides_the_suffix(write: Write, acme_toml: str) -> None:
    path = write("acme.txt", acme_toml)
    assert load(path, format="toml").name == "Acme Corporation"
    assert loads(acme_toml, format="TOML").name == "Acme Corporation"


def test_acme_content(acme: dict[str, Any]) -> None:
    sc = scorecard_from_dict(acme)
    assert sc.perspectives == DEFAULT_PERSPECTIVES
    assert sc.status_bands == DEFAULT_STATUS_BANDS
    assert sc.review_frequency is Frequency.MONTHLY
    # Nested indicators come first, in objective order, then the flat ones.
    assert [i.id for i in sc.indicators] == ["revenue", "margin", "defects"]
    assert sc.indicator("revenue").objective == "grow_revenue"
    assert sc.indicator("revenue").org_aggregation is OrgAggregation.SUM
    assert sc.indicator("defects").polarity is Polarity.LOWER_BETTER
    assert sc.indicator("margin").scoring.kwargs == {"breakpoints": [[0, 0], [10, 1]]}
    assert sc.objective("grow_revenue").weight == Weight(value=1, changes={"2025-01": 2})
    assert sc.org_chart.root == "acme"
    assert sc.org_chart.children("acme") == ("bu_north", "bu_south")
    assert sc.org_chart.unit("bu_south").weight == 2.0
    assert sc.links[0].lag == 2
    (default,) = sc.target_sets
    assert (default.name, default.provenance) == ("default", "inline")
    assert default.targets[0].start == default.targets[0].end == "2025-03"


def test_role_shortcuts_become_assignments(acme: dict[str, Any]) -> None:
    sc = scorecard_from_dict(acme)
    assert sc.people("grow_revenue") == ("cfo",)
    assert sc.people("grow_revenue", Role.CONTRIBUTOR) == ("ann", "bob")
    assert sc.people("revenue", "data_steward") == ("dave",)


def test_explicit_assignments_and_perspective_shortcuts() -> None:
    sc = scorecard_from_dict(
        {
            "id": "x",
            "perspectives": [{"id": "money", "executive_sponsor": "ceo"}],
            "objectives": [{"id": "grow", "perspective": "money"}],
            "org_units": [{"id": "hq"}, {"id": "north", "parent": "hq"}],
            "assignments": [
                {"role": "owner", "person": "jane", "node": "grow", "org_unit": "north"}
            ],
        }
    )
    assert sc.people("money", Role.EXECUTIVE_SPONSOR) == ("ceo",)
    assert sc.people("grow", org_unit="north") == ("jane",)
    assert sc.people("grow") == ()


def test_org_units_flat_nested_and_mixed() -> None:
    flat = scorecard_from_dict(
        {
            "id": "x",
            "org_units": [
                {"id": "hq"},
                {"id": "north", "parent": "hq"},
                {"id": "sales", "parent": "north"},
            ],
        }
    )
    mixed = scorecard_from_dict(
        {
            "id": "x",
            "org_units": [
                {"id": "hq", "children": [{"id": "north"}]},
                {"id": "sales", "parent": "north"},
            ],
        }
    )
    assert flat.org_chart == mixed.org_chart
    assert flat.org_chart.ancestors("sales") == ("north", "hq")


def test_defaults_when_sections_are_absent() -> None:
    sc = scorecard_from_dict({"id": "bare"})
    assert sc == Scorecard(id="bare")
    assert sc.org_chart == OrgChart()


def test_custom_perspectives_and_status_bands() -> None:
    sc = scorecard_from_dict(
        {
            "id": "x",
            "rollup": "worst",
            "missing": "zero",
            "review_frequency": "Q",
            "perspectives": [{"id": "money", "name": "Money", "weight": 3, "rollup": "best"}],
            "status_bands": [
                {"name": "red", "lower": 0},
                {"name": "blue", "lower": 0.9, "color": "#0000ff", "is_good": True},
                {"name": "green", "lower": 0.5, "is_good": True},
            ],
        }
    )
    assert [p.id for p in sc.perspectives] == ["money"]
    assert sc.perspective("money").weight.value == 3
    assert [b.name for b in sc.status_bands] == ["red", "green", "blue"]
    assert (sc.rollup, sc.missing, sc.review_frequency) == ("worst", "zero", Frequency.QUARTERLY)


def test_initiatives_links_and_sources() -> None:
    sc = scorecard_from_dict(
        {
            "id": "x",
            "objectives": [
                {"id": "a", "perspective": "customer"},
                {"id": "b", "perspective": "financial"},
            ],
            "links": [
                {"cause": "a", "effect": "b", "sign": "-", "weight": 0.5, "feedback": True},
                {"cause": "b", "effect": "a", "sign": -1, "feedback": True},
            ],
            "initiatives": [
                {
                    "id": "crm",
                    "objectives": "a",
                    "start": dt.date(2025, 1, 1),
                    "end": 2026,
                    "budget": 1e5,
                    "status": "active",
                }
            ],
            "sources": [
                "data/observations.csv",
                {"id": "erp", "uri": "sqlite:///erp.db", "options": {"table": "facts"}},
            ],
        }
    )
    assert [link.sign for link in sc.links] == [-1, -1]
    crm = sc.initiatives[0]
    assert (crm.objectives, crm.start, crm.end, crm.budget) == (("a",), "2025-01-01", "2026", 1e5)
    assert [(s.id, s.uri) for s in sc.sources] == [
        ("observations", "data/observations.csv"),
        ("erp", "sqlite:///erp.db"),
    ]
    assert sc.sources[1].kwargs == {"table": "facts"}


def test_yaml_dates_become_period_labels() -> None:
    sc = loads(
        "id: x\nobjectives: [{id: o, perspective: financial, indicators: [{id: i}]}]\n"
        "targets:\n  - {indicator: i, start: 2025-01-01, end: 2025-12-31, target: 1}\n"
        "  - {indicator: i, period: 2026, target: 2}\n",
        format="yaml",
    )
    first, second = sc.target_sets[0].targets
    assert (first.start, first.end) == ("2025-01-01", "2025-12-31")
    assert (second.start, second.end) == ("2026", "2026")


def test_target_sets_from_csv_relative_to_the_definition(
    tmp_path: Path, write: Write, monkeypatch: pytest.MonkeyPatch, acme_yaml: str
) -> None:
    (tmp_path / "budget.csv").write_text(
        "indicator,org_unit,period,start,end,target,red_flag\n"
        "revenue,bu_north,2025-01,,,100,80\n"
        "\n"
        "revenue,,,2025-02,2025-12,110,\n",
        encoding="utf-8",
    )
    doc = acme_yaml + "target_sets:\n  - {name: budget, provenance: FY2025, file: budget.csv}\n"
    path = write("acme.yaml", doc)
    monkeypatch.chdir(tmp_path.parent)  # relative to the file, not the working directory
    sc = load(path)
    budget = sc.target_set("budget")
    assert budget.provenance == "FY2025"
    first, second = budget.targets
    assert (first.org_unit, first.start, first.end, first.target) == (
        "bu_north",
        "2025-01",
        "2025-01",
        100,
    )
    assert (second.org_unit, second.start, second.end, second.red_flag) == (
        None,
        "2025-02",
        "2025-12",
        None,
    )


def test_target_set_with_inline_rows_and_default_provenance(tmp_path: Path) -> None:
    (tmp_path / "t.csv").write_text("indicator,target\nrevenue,5\n", encoding="utf-8")
    data = scorecard_from_dict(
        {
            "id": "x",
            "objectives": [
                {"id": "o", "perspective": "financial", "indicators": [{"id": "revenue"}]}
            ],
            "target_sets": [
                {"name": "fc", "file": "t.csv", "targets": [{"indicator": "revenue", "target": 6}]}
            ],
        },
        base_dir=str(tmp_path),
    )
    fc = data.target_set("fc")
    assert fc.provenance == "t.csv"
    assert [t.target for t in fc.targets] == [5, 6]


def test_from_dict_on_the_model(acme: dict[str, Any]) -> None:
    assert Scorecard.from_dict(acme, source="acme.yaml") == scorecard_from_dict(acme)
    assert Scorecard.from_dict(acme, source="acme.yaml").origin == "acme.yaml"


def test_registries_can_be_extended() -> None:
    custom = attrs.evolve(BUILTIN_METHODS["zscore"], name="mine", params=("k",), check=None)
    data = {
        "id": "x",
        "rollup": "median",
        "objectives": [
            {
                "id": "o",
                "perspective": "financial",
                "indicators": [{"id": "i", "scoring": {"method": "mine", "k": 3}}],
            }
        ],
    }
    with pytest.raises(DefinitionError):
        scorecard_from_dict(data)
    sc = scorecard_from_dict(
        data,
        scoring_methods={**BUILTIN_METHODS, "mine": custom},
        rollup_methods=["weighted_mean", "median"],
    )
    assert sc.rollup == "median"
    assert sc.indicator("i").scoring.kwargs == {"k": 3}


def test_frequency_spellings() -> None:
    for spelled in ("monthly", "M"):
        sc = scorecard_from_dict({"id": "x", "review_frequency": spelled})
        assert sc.review_frequency is Frequency.MONTHLY


def test_schema_key_is_ignored() -> None:
    sc = scorecard_from_dict({"$schema": "./definition.schema.json", "id": "x"})
    assert sc == Scorecard(id="x")
