"""Reading and writing definition files and text: YAML, TOML (read only) and JSON."""

from __future__ import annotations

import json
import os
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any

import yaml

from balanced_scorecard.algorithms.scoring import BUILTIN_METHODS, ScoringMethod
from balanced_scorecard.exceptions import DefinitionError, Problem
from balanced_scorecard.model import Scorecard, Target, TargetSet

from ._parse import SUFFIXES, normalise_format, parse_text
from ._reader import read_scorecard
from ._writer import scorecard_to_dict

__all__ = ["dump", "dumps", "load", "loads", "read_target_csv", "scorecard_from_dict"]


def _rollup_names() -> tuple[str, ...]:
    from balanced_scorecard.algorithms.rollup import ROLLUP_METHODS

    return tuple(ROLLUP_METHODS)


def scorecard_from_dict(
    data: Mapping[str, Any],
    *,
    source: str | None = None,
    lines: Mapping[str, int] | None = None,
    base_dir: str | None = None,
    scoring_methods: Mapping[str, ScoringMethod] | None = None,
    rollup_methods: Collection[str] | None = None,
) -> Scorecard:
    """Build a :class:`~balanced_scorecard.model.Scorecard` from plain data in the definition
    format (see :doc:`/reference/format`).

    Parameters
    ----------
    data
        The parsed document: a mapping with ``id``, ``objectives`` and so on.
    source
        Where the data came from (a file name), named in every problem and kept as the
        scorecard's ``origin``.
    lines
        Document path -> 1-based line, to put line numbers on problems.
    base_dir
        Directory that relative paths (CSV target files) are relative to; default the
        current directory.
    scoring_methods, rollup_methods
        The scoring methods (name -> :class:`~balanced_scorecard.algorithms.scoring.
        ScoringMethod`) and rollup method names the definition may use; default the
        built-in ones. An Engine with plugins passes its own registries.

    Raises
    ------
    DefinitionError
        Listing every problem, each with its path in the document and line if known.

    Examples
    --------
    >>> sc = scorecard_from_dict({
    ...     "id": "demo",
    ...     "objectives": [{"id": "grow", "perspective": "financial", "indicators": [
    ...         {"id": "revenue", "unit": "EUR", "thresholds": {"target": 100, "red_flag": 80}}]}],
    ... })
    >>> sc.indicator("revenue").thresholds.target
    100.0
    >>> from balanced_scorecard.exceptions import DefinitionError
    >>> try:
    ...     scorecard_from_dict({"id": "demo", "objectives": [{"id": "grow", "perspectiv": "x"}]})
    ... except DefinitionError as err:
    ...     for p in err.problems:
    ...         print(p.path, "|", p.message)
    objectives[0].perspectiv | unknown key 'perspectiv' in objective. Did you mean 'perspective'?
    objectives[0] | missing required key 'perspective' (Id of its perspective.)
    """
    return read_scorecard(
        data,
        source=source,
        lines=lines,
        base_dir=base_dir,
        scoring_methods=BUILTIN_METHODS if scoring_methods is None else scoring_methods,
        rollup_methods=_rollup_names() if rollup_methods is None else rollup_methods,
    )


def loads(
    text: str,
    *,
    format: str,
    source: str | None = None,
    base_dir: str | None = None,
    scoring_methods: Mapping[str, ScoringMethod] | None = None,
    rollup_methods: Collection[str] | None = None,
) -> Scorecard:
    """Build a Scorecard from definition text in ``format`` (``"yaml"``, ``"toml"``, ``"json"``).

    Problems carry line numbers for YAML (every key) and for syntax errors of any format.
    The other arguments are those of :func:`scorecard_from_dict`.

    Examples
    --------
    >>> sc = loads('''
    ... id: demo
    ... objectives:
    ...   - id: grow
    ...     perspective: financial
    ...     indicators:
    ...       - {id: revenue, unit: EUR, polarity: higher_better}
    ... ''', format="yaml")
    >>> sc.indicator("revenue").objective
    'grow'
    >>> loads("id: demo\\nobjectives:\\n  - id: grow\\n    perspective: finance\\n", format="yaml",
    ...       source="demo.yaml")
    Traceback (most recent call last):
    ...
    balanced_scorecard.exceptions.DefinitionError: 1 problem in the scorecard definition:
      - demo.yaml, line 4 at objectives[0].perspective: 'finance' is not a known perspective. ...
    """
    data, lines, problems = parse_text(text, format, source=source)
    return read_scorecard(
        data,
        source=source,
        lines=lines,
        base_dir=base_dir,
        scoring_methods=BUILTIN_METHODS if scoring_methods is None else scoring_methods,
        rollup_methods=_rollup_names() if rollup_methods is None else rollup_methods,
        problems=problems,
    )


def _format_of(path: Path, fmt: str | None) -> str:
    if fmt is not None:
        return normalise_format(fmt, source=str(path))
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        message = (
            f"cannot tell the format of {path.name!r} from its suffix {suffix or '(none)'!r}; "
            "use .yaml or .yml (YAML), .toml (TOML) or .json (JSON), or pass format="
        )
        raise DefinitionError([Problem(path="", message=message, source=str(path))])
    return SUFFIXES[suffix]


def load(
    path: str | os.PathLike[str],
    *,
    format: str | None = None,
    scoring_methods: Mapping[str, ScoringMethod] | None = None,
    rollup_methods: Collection[str] | None = None,
) -> Scorecard:
    """Read a definition file; the format follows the suffix (``.yaml``/``.yml``, ``.toml``,
    ``.json``) unless ``format`` is given.

    The scorecard's ``origin`` is set to ``path``; relative paths in the file (CSV target
    files, sources) are relative to its directory.

    Raises
    ------
    DefinitionError
        When the file cannot be read, has an unknown suffix, or has problems (all listed).

    Examples
    --------
    >>> import pathlib, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "acme.toml").write_text('id = "acme"\\nname = "Acme"\\n')
    >>> sc = load(folder / "acme.toml")
    >>> sc.name, sc.origin.endswith("acme.toml")
    ('Acme', True)
    """
    p = Path(path)
    fmt = _format_of(p, format)
    try:
        text = p.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        message = f"definition file not found: {p}"
        raise DefinitionError([Problem(path="", message=message, source=str(p))]) from None
    except (OSError, UnicodeDecodeError) as exc:
        message = f"cannot read definition file {p}: {exc}"
        raise DefinitionError([Problem(path="", message=message, source=str(p))]) from None
    return loads(
        text,
        format=fmt,
        source=str(p),
        base_dir=str(p.parent),
        scoring_methods=scoring_methods,
        rollup_methods=rollup_methods,
    )


def _scalar(x: Any) -> bool:
    return x is None or isinstance(x, str | int | float | bool)


class _Dumper(yaml.SafeDumper):
    """Block style, except short leaf lists (tags, breakpoint pairs) on one line."""


def _represent_list(dumper: yaml.SafeDumper, data: list[Any]) -> yaml.Node:
    flow = all(_scalar(x) for x in data) or all(
        isinstance(x, list) and all(_scalar(y) for y in x) for x in data
    )
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flow)


_Dumper.add_representer(list, _represent_list)


def dumps(sc: Scorecard, format: str = "yaml") -> str:
    """The definition text of ``sc`` in ``"yaml"`` or ``"json"``; :func:`loads` reads it back.

    Examples
    --------
    >>> from balanced_scorecard.model import Scorecard, Target, TargetSet
    >>> print(dumps(Scorecard(id="demo", name="Demo", review_frequency="quarterly")), end="")
    id: demo
    name: Demo
    review_frequency: quarterly
    """
    fmt = normalise_format(format)
    data = scorecard_to_dict(sc)
    if fmt == "yaml":
        return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
    if fmt == "json":
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    raise DefinitionError(
        [
            Problem(
                path="",
                message="writing TOML is not supported (the standard library only reads it); "
                "use format='yaml' or format='json', which load() reads as well",
            )
        ]
    )


def dump(sc: Scorecard, path: str | os.PathLike[str], *, format: str | None = None) -> None:
    """Write ``sc`` to ``path`` as YAML or JSON (by suffix unless ``format`` is given)."""
    p = Path(path)
    p.write_text(dumps(sc, _format_of(p, format)), encoding="utf-8")


def read_target_csv(
    path: str | os.PathLike[str], *, name: str | None = None, provenance: str | None = None
) -> TargetSet:
    """A :class:`~balanced_scorecard.model.TargetSet` from a CSV file of target rows.

    Columns as in a definition's ``target_sets[].file`` (see :doc:`/reference/format`);
    every bad cell is reported at once, with the file and line, in a
    :class:`~balanced_scorecard.exceptions.DefinitionError`.
    """
    from ._org_targets import _csv_rows
    from ._reader import Reader

    reader = Reader(
        source=os.fspath(path),
        lines=None,
        base_dir=None,
        scoring_methods=BUILTIN_METHODS,
        rollup_methods=_rollup_names(),
    )
    rows: list[Target] = []
    _csv_rows(reader, os.fspath(path), "targets", rows, [])
    if reader.problems:
        raise DefinitionError(reader.problems)
    return TargetSet(
        name=name or Path(path).stem,
        provenance=provenance if provenance is not None else os.fspath(path),
        targets=rows,
    )
