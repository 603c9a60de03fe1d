"""`weights_total` in a definition file reaches the model and the linter."""

from __future__ import annotations

from pathlib import Path

from balanced_scorecard import load
from balanced_scorecard.algorithms.structure import lint
from balanced_scorecard.definitions import scorecard_from_dict, scorecard_to_dict

DOC = """\
id: x
weights_total: 1
perspectives:
  - {id: financial, weight: 1}
objectives:
  - id: o
    perspective: financial
    indicators:
      - {id: a, weight: 0.5}
      - {id: b, weight: 0.4}
"""


def test_weights_total_is_read_checked_and_written_back(tmp_path: Path) -> None:
    path = tmp_path / "sc.yaml"
    path.write_text(DOC, encoding="utf-8")
    sc = load(path)
    assert sc.weights_total == 1.0
    findings = [f for f in lint(sc) if f.rule == "weights-not-declared-total"]
    # Hand-worked: 0.5 + 0.4 = 0.9 under objective 'o'; the single perspective sums to 1.
    assert len(findings) == 1
    assert "add up to 0.9, not the declared total 1" in findings[0].message
    assert scorecard_from_dict(scorecard_to_dict(sc)) == sc
