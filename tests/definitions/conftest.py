"""Shared definitions for the definitions tests: one small scorecard in all three formats."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

ACME_YAML = """\
id: acme
name: Acme Corporation
review_frequency: monthly
org_units:
  - id: acme
    name: Acme Group
    children:
      - {id: bu_north, name: North, tags: [north]}
      - {id: bu_south, name: South, weight: 2}
objectives:
  - id: grow_revenue
    name: Grow revenue
    perspective: financial
    weight: {value: 1, changes: {"2025-01": 2}}
    owner: cfo
    contributors: [ann, bob]
    indicators:
      - id: revenue
        name: Revenue
        unit: EUR
        time_aggregation: sum
        thresholds: {target: 1200, red_flag: 1000}
        data_steward: dave
      - id: margin
        unit: percent
        scoring: {method: piecewise, breakpoints: [[0, 0], [10, 1]]}
  - id: improve_quality
    perspective: internal_process
indicators:
  - id: defects
    objective: improve_quality
    unit: count
    polarity: lower_better
    thresholds: {target: 5, red_flag: 10}
links:
  - {cause: improve_quality, effect: grow_revenue, sign: "+", lag: 2}
targets:
  - {indicator: revenue, org_unit: bu_north, period: "2025-03", target: 100, red_flag: 80}
"""

ACME_TOML = """\
id = "acme"
name = "Acme Corporation"
review_frequency = "monthly"

[[org_units]]
id = "acme"
name = "Acme Group"
children = [
  { id = "bu_north", name = "North", tags = ["north"] },
  { id = "bu_south", name = "South", weight = 2 },
]

[[objectives]]
id = "grow_revenue"
name = "Grow revenue"
perspective = "financial"
weight = { value = 1, changes = { "2025-01" = 2 } }
owner = "cfo"
contributors = ["ann", "bob"]

[[objectives.indicators]]
id = "revenue"
name = "Revenue"
unit = "EUR"
time_aggregation = "sum"
thresholds = { target = 1200, red_flag = 1000 }
data_steward = "dave"

[[objectives.indicators]]
id = "margin"
unit = "percent"
scoring = { method = "piecewise", breakpoints = [[0, 0], [10, 1]] }

[[objectives]]
id = "improve_quality"
perspective = "internal_process"

[[indicators]]
id = "defects"
objective = "improve_quality"
unit = "count"
polarity = "lower_better"
thresholds = { target = 5, red_flag = 10 }

[[links]]
cause = "improve_quality"
effect = "grow_revenue"
sign = "+"
lag = 2

[[targets]]
indicator = "revenue"
org_unit = "bu_north"
period = "2025-03"
target = 100
red_flag = 80
"""


@pytest.fixture
def acme_yaml() -> str:
    """The ACME definition as YAML text."""
    return ACME_YAML


@pytest.fixture
def acme_toml() -> str:
    """The ACME definition as TOML text."""
    return ACME_TOML


@pytest.fixture
def acme() -> dict[str, Any]:
    """The ACME definition as plain data."""
    data: dict[str, Any] = yaml.safe_load(ACME_YAML)
    return data


@pytest.fixture
def write(tmp_path: Path) -> Callable[..., Path]:
    """``write(name, data_or_text)``: a definition file in ``tmp_path`` (dicts are dumped in
    the format of the suffix)."""

    def _write(name: str, content: str | dict[str, Any]) -> Path:
        path = tmp_path / name
        if not isinstance(content, str):
            content = (
                json.dumps(content, indent=2)
                if path.suffix == ".json"
                else yaml.safe_dump(content, sort_keys=False)
            )
        path.write_text(content, encoding="utf-8")
        return path

    return _write
