"""`adjustments` in a definition: read, checked, written back."""

from __future__ import annotations

import pytest

from balanced_scorecard import AdjustmentStep, DefinitionError
from balanced_scorecard.definitions import loads, scorecard_from_dict, scorecard_to_dict

DOC = """\
id: x
adjustments:
  - adjuster: fx
    options: {rates: fx.csv, base: EUR}
    description: translate to euros
  - {adjuster: inflation, options: {index: cpi.csv, base: "2024"}}
"""


def test_adjustments_round_trip() -> None:
    sc = loads(DOC, format="yaml")
    assert sc.adjustments == (
        AdjustmentStep(adjuster="fx", options={"rates": "fx.csv", "base": "EUR"},
                       description="translate to euros"),
        AdjustmentStep(adjuster="inflation", options={"index": "cpi.csv", "base": "2024"}),
    )  # fmt: skip
    data = scorecard_to_dict(sc)
    assert [a["adjuster"] for a in data["adjustments"]] == ["fx", "inflation"]
    assert scorecard_from_dict(data) == sc


def test_adjustment_without_adjuster_is_reported_with_its_line() -> None:
    with pytest.raises(DefinitionError) as info:
        loads("id: x\nadjustments:\n  - {options: {base: EUR}}\n", format="yaml")
    assert "line 3 at adjustments[0]" in str(info.value)
    assert "adjuster" in str(info.value)
