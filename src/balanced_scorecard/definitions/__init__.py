"""Scorecard definitions as files and plain data: YAML, TOML and JSON in, YAML and JSON out.

Every problem of a definition is collected into one
:class:`~balanced_scorecard.exceptions.DefinitionError`; each names the file, the line (YAML,
and syntax errors of every format) and the path inside the document, such as
``objectives[3].indicators[0].unit``. The format is described in :doc:`/reference/format`
and, for editors and validators, by :func:`json_schema`.

Examples
--------
>>> from balanced_scorecard.definitions import dumps, loads
>>> sc = loads("id: demo\\nname: Demo\\n", format="yaml")
>>> loads(dumps(sc, "json"), format="json") == sc
True
"""

from balanced_scorecard.definitions._io import (
    dump,
    dumps,
    load,
    loads,
    read_target_csv,
    scorecard_from_dict,
)
from balanced_scorecard.definitions._schema import json_schema
from balanced_scorecard.definitions._writer import scorecard_to_dict

__all__ = [
    "dump",
    "dumps",
    "json_schema",
    "load",
    "loads",
    "read_target_csv",
    "scorecard_from_dict",
    "scorecard_to_dict",
]
