"""JSON Schema (draft 2020-12) of the definition format, generated from the field tables."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from balanced_scorecard.algorithms.scoring import BUILTIN_METHODS, ScoringMethod

from ._spec import SECTIONS, Field, Section

__all__ = ["json_schema"]

_ID = "urn:balanced_scorecard:definition"

_PERIOD: dict[str, Any] = {
    "anyOf": [{"type": "string", "minLength": 1}, {"type": "integer"}],
    "description": "A period label such as '2025-03', '2025-Q1' or 2025.",
}


def _ref(section: str) -> dict[str, Any]:
    return {"$ref": f"#/$defs/{section}"}


def _field_schema(f: Field, rollups: Collection[str]) -> dict[str, Any]:
    out: dict[str, Any]
    if f.kind in ("string", "number", "integer", "boolean"):
        out = {"type": f.kind}
    elif f.kind == "strings":
        out = {"anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]}
    elif f.kind == "period":
        out = dict(_PERIOD)
    elif f.kind == "weight":
        out = {"anyOf": [{"type": "number", "minimum": 0}, _ref("weight")]}
    elif f.kind == "scoring":
        out = {"anyOf": [{"$ref": "#/$defs/scoring_method"}, _ref("scoring")]}
    elif f.kind == "mapping":
        out = {"type": "object"}
    elif f.kind == "sign":
        out = {}
    elif f.kind == "section":
        out = _ref(str(f.section))
    else:
        out = {"type": "array", "items": _ref(str(f.section))}
    if f.choices:
        out["enum"] = list(f.choices)
    if f.registry == "rollup":
        out["enum"] = list(rollups)
    if f.registry == "scoring" and f.kind == "string":
        out = {"$ref": "#/$defs/scoring_method"}
    if f.minimum is not None:
        out["minimum"] = f.minimum
    if f.maximum is not None:
        out["maximum"] = f.maximum
    if f.nullable:
        out = {"anyOf": [out, {"type": "null"}]}
    out["description"] = f.description
    if f.default is not None:
        out["default"] = f.default
    return out


def _section_schema(s: Section, rollups: Collection[str]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "title": s.title,
        "description": s.description,
        "type": "object",
        "properties": {f.name: _field_schema(f, rollups) for f in s.fields},
        "additionalProperties": False,
    }
    required = [f.name for f in s.fields if f.required]
    if required:
        out["required"] = required
    if s.shorthand is not None:
        out = {"anyOf": [{"type": "string", "description": s.shorthand}, out]}
    return out


def _scoring_schema(
    methods: Mapping[str, ScoringMethod], rollups: Collection[str]
) -> dict[str, Any]:
    base = SECTIONS["scoring"]
    variants = []
    for name, method in methods.items():
        props = {f.name: _field_schema(f, rollups) for f in base.fields}
        props["method"] = {"const": name, "description": method.description}
        props.update({p: {"description": f"Param of {name}."} for p in method.params})
        variants.append(
            {
                "type": "object",
                "properties": props,
                "required": ["method"],
                "additionalProperties": False,
            }
        )
    return {"title": base.title, "description": base.description, "oneOf": variants}


def json_schema(
    *,
    scoring_methods: Mapping[str, ScoringMethod] | None = None,
    rollup_methods: Collection[str] | None = None,
) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a definition document.

    It is generated from the same field tables the loader checks keys against. Scoring and
    rollup method names are enums of the given registries (default the built-ins); the
    loader's own checks go further (units, cross-references, threshold order).

    Examples
    --------
    >>> schema = json_schema()
    >>> schema["required"], schema["additionalProperties"]
    (['id'], False)
    >>> schema["$defs"]["indicator"]["properties"]["polarity"]["enum"]
    ['higher_better', 'lower_better', 'in_range']
    """
    from balanced_scorecard.algorithms.rollup import ROLLUP_METHODS

    methods = BUILTIN_METHODS if scoring_methods is None else scoring_methods
    rollups = tuple(ROLLUP_METHODS if rollup_methods is None else rollup_methods)
    top = _section_schema(SECTIONS["scorecard"], rollups)
    defs = {
        name: _section_schema(s, rollups)
        for name, s in SECTIONS.items()
        if name not in ("scorecard", "scoring")
    }
    defs["scoring"] = _scoring_schema(methods, rollups)
    defs["scoring_method"] = {"enum": list(methods), "description": "A scoring method name."}
    # A flat indicator must name its objective; a nested one takes it from the nesting.
    top["properties"]["indicators"]["items"] = {
        "allOf": [_ref("indicator"), {"required": ["objective"]}]
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": _ID,
        **top,
        "$defs": defs,
    }
