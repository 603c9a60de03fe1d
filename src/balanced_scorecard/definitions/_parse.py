"""Text to plain data for each file format, with line numbers where the format gives them.

YAML is read with PyYAML's ``SafeLoader`` only. The composed node tree gives the line of every
key and list item, keyed by document path (``objectives[3].indicators[0].unit``), and shows
duplicate keys, which the loader would otherwise silently collapse to the last one.
"""

from __future__ import annotations

import json
import re
import tomllib
from typing import Any

import yaml

from balanced_scorecard.exceptions import DefinitionError, Problem

__all__ = ["FORMATS", "SUFFIXES", "normalise_format", "parse_text", "yaml_lines"]

#: Format names and the file suffixes that select them.
SUFFIXES = {".yaml": "yaml", ".yml": "yaml", ".toml": "toml", ".json": "json"}
FORMATS = ("yaml", "toml", "json")

_MERGE_TAG = "tag:yaml.org,2002:merge"


def normalise_format(fmt: str, *, source: str | None = None) -> str:
    """The canonical format name for ``fmt`` (``"yml"`` -> ``"yaml"``), or a DefinitionError.

    Examples
    --------
    >>> normalise_format(".YML")
    'yaml'
    """
    key = fmt.strip().lower().lstrip(".")
    key = "yaml" if key == "yml" else key
    if key not in FORMATS:
        raise DefinitionError(
            [
                Problem(
                    path="",
                    message=f"unknown definition format {fmt!r}; use one of: yaml (.yaml, .yml), "
                    "toml (.toml), json (.json)",
                    source=source,
                )
            ]
        )
    return key


def yaml_lines(node: yaml.Node | None) -> tuple[dict[str, int], list[Problem]]:
    """Map each document path to the 1-based line of its key or list item; flag duplicate keys.

    Examples
    --------
    >>> node = yaml.compose("id: x\\nobjectives:\\n  - id: a\\n    id: b\\n")
    >>> lines, dups = yaml_lines(node)
    >>> lines["objectives[0]"], lines["objectives[0].id"]
    (3, 4)
    >>> print(dups[0].path, dups[0].line)
    objectives[0].id 4
    """
    lines: dict[str, int] = {"": 1}
    problems: list[Problem] = []
    seen: set[int] = set()
    stack: list[tuple[yaml.Node, str]] = [] if node is None else [(node, "")]
    while stack:
        current, path = stack.pop()
        # Aliases share nodes: visiting each node once keeps "billion laughs" documents cheap.
        if id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, yaml.MappingNode):
            first: dict[str, int] = {}
            for key, value in current.value:
                if key.tag == _MERGE_TAG or not isinstance(key, yaml.ScalarNode):
                    continue
                name = str(key.value)
                child = f"{path}.{name}" if path else name
                line = key.start_mark.line + 1
                if name in first:
                    problems.append(
                        Problem(
                            path=child,
                            message=f"duplicate key {name!r} (first on line {first[name]}); YAML "
                            "would silently keep only the last value, so remove one",
                            line=line,
                        )
                    )
                else:
                    first[name] = line
                lines[child] = line
                stack.append((value, child))
        elif isinstance(current, yaml.SequenceNode):
            for i, item in enumerate(current.value):
                child = f"{path}[{i}]"
                lines[child] = item.start_mark.line + 1
                stack.append((item, child))
    return lines, problems


_SAFE_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _parse_yaml(text: str, source: str | None) -> tuple[Any, dict[str, int], list[Problem]]:
    # libyaml's safe loader when PyYAML was built with it: same marks, ten times faster.
    loader = _SAFE_LOADER(text)
    try:
        node = loader.get_single_node()
        data = None if node is None else loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        what = " ".join(x for x in (exc.context, exc.problem) if x) or "invalid YAML"
        line = None if mark is None else mark.line + 1
        where = "" if mark is None else f" (line {mark.line + 1}, column {mark.column + 1})"
        raise DefinitionError(
            [
                Problem(
                    path="",
                    message=f"YAML syntax error: {what}{where}",
                    source=source,
                    line=line,
                )
            ]
        ) from None
    except yaml.YAMLError as exc:
        raise DefinitionError(
            [
                Problem(
                    path="",
                    message=f"YAML syntax error: {exc}",
                    source=source,
                )
            ]
        ) from None
    finally:
        loader.dispose()
    lines, problems = yaml_lines(node)
    return (
        data,
        lines,
        [Problem(path=p.path, message=p.message, source=source, line=p.line) for p in problems],
    )


def _json_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            # json keeps the last silently; there is no position here, so the message says so.
            raise ValueError(f"duplicate key {key!r} in one JSON object; remove one")
        out[key] = value
    return out


def _parse_json(text: str, source: str | None) -> Any:
    try:
        return json.loads(text, object_pairs_hook=_json_pairs)
    except json.JSONDecodeError as exc:
        raise DefinitionError(
            [
                Problem(
                    path="",
                    message=f"JSON syntax error: {exc.msg} (line {exc.lineno}, column {exc.colno})",
                    source=source,
                    line=exc.lineno,
                )
            ]
        ) from None
    except ValueError as exc:
        raise DefinitionError([Problem(path="", message=str(exc), source=source)]) from None


_TOML_AT = re.compile(r"\(at line (\d+), column (\d+)\)")


def _parse_toml(text: str, source: str | None) -> Any:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        # Python 3.11 exposes the position only inside the message text.
        found = _TOML_AT.search(str(exc))
        raise DefinitionError(
            [
                Problem(
                    path="",
                    message=f"TOML syntax error: {exc}",
                    source=source,
                    line=int(found.group(1)) if found else None,
                )
            ]
        ) from None


def parse_text(
    text: str, fmt: str, *, source: str | None = None
) -> tuple[Any, dict[str, int] | None, list[Problem]]:
    """Parse ``text`` as ``fmt``: the data, the path -> line map (YAML only) and problems
    found while parsing that do not stop the reading (duplicate YAML keys).

    Syntax errors raise a :class:`DefinitionError` with the line the parser reports.

    Examples
    --------
    >>> parse_text('{"id": "x"}', "json")
    ({'id': 'x'}, None, [])
    >>> parse_text("id = 'x'\\nid = 'y'\\n", "toml")
    Traceback (most recent call last):
    ...
    balanced_scorecard.exceptions.DefinitionError: 1 problem in the scorecard definition:
      - <definition>, line 2: TOML syntax error: Cannot overwrite a value (at line 2, column 9)
    """
    fmt = normalise_format(fmt, source=source)
    if fmt == "yaml":
        return _parse_yaml(text, source)
    if fmt == "json":
        return _parse_json(text, source), None, []
    return _parse_toml(text, source), None, []
