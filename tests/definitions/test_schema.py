"""The JSON Schema is generated from the loader's field tables and matches what it accepts."""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest

from balanced_scorecard.algorithms.rollup import MISSING_POLICIES, ROLLUP_METHODS
from balanced_scorecard.algorithms.scoring import BUILTIN_METHODS
from balanced_scorecard.definitions import json_schema, loads
from balanced_scorecard.definitions._spec import SECTIONS
from balanced_scorecard.exceptions import DefinitionError
from balanced_scorecard.model import (
    CausalLink,
    DataSource,
    Indicator,
    Initiative,
    Objective,
    OrgUnit,
    Perspective,
    StatusBand,
    Target,
    Thresholds,
)


def objects(schema: Any, where: str = "#") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every sub-schema that declares properties, with where it is."""
    if isinstance(schema, dict):
        if "properties" in schema:
            yield where, schema
        for key, value in schema.items():
            yield from objects(value, f"{where}/{key}")
    elif isinstance(schema, list):
        for i, value in enumerate(schema):
            yield from objects(value, f"{where}/{i}")


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    return json_schema()


def test_draft_and_top_level(schema: dict[str, Any]) -> None:
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["type"] == "object"
    assert schema["required"] == ["id"]
    json.dumps(schema)  # plain JSON data throughout


def test_additional_properties_false_everywhere(schema: dict[str, Any]) -> None:
    found = list(objects(schema))
    assert len(found) > len(SECTIONS)
    for where, sub in found:
        if sub.get("type") == "object" or "additionalProperties" in sub:
            assert sub["additionalProperties"] is False, where


def test_every_loader_key_is_in_the_schema(schema: dict[str, Any]) -> None:
    defs = schema["$defs"]
    for name, section in SECTIONS.items():
        if name == "scorecard":
            props = schema["properties"]
        elif name == "scoring":
            props = defs["scoring"]["oneOf"][0]["properties"]
        else:
            sub = defs[name]
            sub = next((s for s in sub.get("anyOf", [sub]) if "properties" in s), sub)
            props = sub["properties"]
        assert set(props) == set(section.names), name
        for f in section.fields:
            assert props[f.name]["description"] == f.description or f.name == "method"


def test_required_keys(schema: dict[str, Any]) -> None:
    defs = schema["$defs"]
    assert defs["objective"]["required"] == ["id", "perspective"]
    assert defs["link"]["required"] == ["cause", "effect"]
    assert defs["assignment"]["required"] == ["role", "person", "node"]
    assert defs["status_band"]["required"] == ["name", "lower"]
    flat = schema["properties"]["indicators"]["items"]["allOf"]
    assert {"required": ["objective"]} in flat


def test_enums(schema: dict[str, Any]) -> None:
    ind = schema["$defs"]["indicator"]["properties"]
    assert ind["polarity"]["enum"] == ["higher_better", "lower_better", "in_range"]
    assert ind["lead_lag"]["enum"] == ["leading", "lagging"]
    assert "ratio_of_sums" in ind["time_aggregation"]["enum"]
    assert "none" in ind["org_aggregation"]["enum"]
    assert schema["properties"]["missing"]["enum"] == list(MISSING_POLICIES)
    assert schema["properties"]["rollup"]["enum"] == list(ROLLUP_METHODS)
    assert schema["$defs"]["scoring_method"]["enum"] == list(BUILTIN_METHODS)
    assert "monthly" in schema["properties"]["review_frequency"]["enum"]
    assert schema["$defs"]["link"]["properties"]["sign"]["enum"][:2] == ["+", "-"]


def test_scoring_variants_list_each_methods_params(schema: dict[str, Any]) -> None:
    variants = {v["properties"]["method"]["const"]: v for v in schema["$defs"]["scoring"]["oneOf"]}
    assert set(variants) == set(BUILTIN_METHODS)
    assert "breakpoints" in variants["piecewise"]["properties"]
    assert "sigma" in variants["zscore"]["properties"]
    assert "sigma" not in variants["piecewise"]["properties"]


def test_registries_extend_the_schema() -> None:
    custom = attrs.evolve(BUILTIN_METHODS["zscore"], name="mine", params=("k",))
    schema = json_schema(scoring_methods={"mine": custom}, rollup_methods=["median"])
    assert schema["$defs"]["scoring_method"]["enum"] == ["mine"]
    assert schema["properties"]["rollup"]["enum"] == ["median"]


@pytest.mark.parametrize(
    ("cls", "section"),
    [
        (Perspective, "perspective"),
        (Objective, "objective"),
        (Indicator, "indicator"),
        (OrgUnit, "org_unit"),
        (CausalLink, "link"),
        (Initiative, "initiative"),
        (Target, "target"),
        (Thresholds, "thresholds"),
        (StatusBand, "status_band"),
        (DataSource, "source"),
    ],
)
def test_documented_defaults_match_the_model(cls: type, section: str) -> None:
    for f in SECTIONS[section].fields:
        model_field = getattr(attrs.fields(cls), f.name, None)
        if f.default is None or model_field is None or f.name in ("weight", "scoring"):
            continue
        default = model_field.default
        if isinstance(default, attrs.Factory):  # type: ignore[arg-type]
            continue
        value = getattr(default, "value", default)  # enum members hold their text
        expected = f.default if not isinstance(f.default, list) else tuple(f.default)
        if f.name in ("frequency", "sign"):
            continue  # documented as written ("monthly", "+"), stored as "M" and 1
        assert value == expected or (isinstance(value, tuple) and value == ()), (section, f.name)


jsonschema_missing = importlib.util.find_spec("jsonschema") is None


@pytest.mark.skipif(jsonschema_missing, reason="jsonschema is not installed")
def test_validates_good_and_rejects_unknown_keys(acme: dict[str, Any]) -> None:
    import jsonschema

    validator = jsonschema.Draft202012Validator(json_schema())
    validator.validate(acme)
    acme["objectives"][0]["indicators"][0]["polarty"] = "lower_better"
    with pytest.raises(jsonschema.ValidationError):
        validator.validate(acme)


REFERENCE = Path(__file__).parents[2] / "docs" / "reference" / "format.md"


def captioned(text: str, name: str) -> str:
    """The body of the ```{code-block} with ``:caption: name``."""
    return text.split(f":caption: {name}\n", 1)[1].split("```", 1)[0]


@pytest.mark.skipif(not REFERENCE.exists(), reason="docs are not part of this checkout")
def test_the_format_reference_documents_every_key() -> None:
    text = REFERENCE.read_text(encoding="utf-8")
    for name, section in SECTIONS.items():
        label = f"(format-{name.replace('_', '-')})="
        assert label in text, name
        table = text.split(label, 1)[1].split("\n(format-", 1)[0]
        for f in section.fields:
            assert f"| `{f.name}` |" in table, (name, f.name)


@pytest.mark.skipif(not REFERENCE.exists(), reason="docs are not part of this checkout")
def test_the_format_reference_examples_are_true() -> None:
    text = REFERENCE.read_text(encoding="utf-8")
    sc = loads(captioned(text, "acme.yaml"), format="yaml")
    assert sc.indicator("on_time_rate").is_calculated
    with pytest.raises(DefinitionError) as info:
        loads(captioned(text, "broken.yaml"), format="yaml", source="broken.yaml")
    shown = text.split("    print(err)\n```\n\n```text\n", 1)[1].split("```", 1)[0]
    assert str(info.value) == shown.rstrip("\n")
