"""The examples run as documented: the quick start, the Acme evaluation and plugin discovery."""

from __future__ import annotations

import importlib.util
import os
import runpy
import subprocess
import sys
from pathlib import Path

import pytest

import balanced_scorecard as bsc
from balanced_scorecard.cli import main

ROOT = Path(__file__).resolve().parents[1]
ACME = ROOT / "examples" / "acme" / "acme.yaml"


def test_quickstart_prints_what_the_readme_says(capsys: pytest.CaptureFixture[str]) -> None:
    runpy.run_path(str(ROOT / "examples" / "quickstart.py"), run_name="__main__")
    first = capsys.readouterr().out.splitlines()[0]
    # Hand-worked: 600 with red flag 500 and goal 700 is halfway between 1/3 and 2/3.
    assert first == "0.5 amber"


def test_acme_files_are_consistent() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "acme" / "check_files.py")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.fixture(scope="module")
def acme() -> bsc.Evaluation:
    sc = bsc.load(ACME)
    return sc.evaluate(None, period="2025-12")


def test_acme_is_as_big_as_promised(acme: bsc.Evaluation) -> None:
    sc = acme.scorecard
    assert len(sc.objectives) >= 12
    assert len(sc.indicators) >= 30
    assert {p.id for p in sc.perspectives} == {
        "financial",
        "customer",
        "internal_process",
        "learning_growth",
    }
    assert len(sc.org_chart.children(sc.org_chart.root)) == 3
    assert acme.period_labels[0] == "2023-01"
    assert len(acme.period_labels) == 36
    assert any(i.is_calculated for i in sc.indicators)
    assert any(i.polarity.value == "lower_better" for i in sc.indicators)
    assert {i.lead_lag.value for i in sc.indicators} == {"leading", "lagging"}


def test_acme_struggling_business_unit_is_the_worst(acme: bsc.Evaluation) -> None:
    # The generator plants a struggling automotive unit in 2025 (examples/acme/README.md).
    bus = acme.scorecard.org_chart.children("acme")
    scores = {bu: acme.score(org_unit=bu) for bu in bus}
    assert min(scores, key=scores.__getitem__) == "automotive"
    assert acme.status(org_unit="automotive") == "red"


def test_acme_units_convert_and_nothing_valid_is_lost(acme: bsc.Evaluation) -> None:
    # Only warnings: the deliberately empty cells, and the outlier rule pointing at the
    # planted jump in automotive's staff turnover. kEUR rows were converted, not dropped.
    assert set(acme.quality["severity"]) == {"warning"}
    assert set(acme.quality["rule"]) == {"missing-value", "outlier"}
    outliers = acme.quality[acme.quality["rule"] == "outlier"]
    assert set(outliers["org_unit"]) <= {"automotive", "acme"}
    frame = acme.to_frame(org_unit="automotive_sales").set_index("node")
    assert frame.loc["revenue", "actual"] > 100_000  # EUR, not kEUR


def test_main_job_writes_the_html_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "acme-report.html"
    assert main(["evaluate", str(ACME), "--output", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "Acme Components" in printed
    assert "Revenue" in printed  # the full evaluation, not only a headline
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert "Acme Components" in page


def test_plugin_template_is_discovered_through_its_entry_point() -> None:
    if importlib.util.find_spec("bsc_plugin_template") is None:
        if os.environ.get("CI") == "true":
            pytest.fail(
                "the plugin template must be installed in CI: "
                "pip install -e examples/plugin-template (the README's test command does it)"
            )
        pytest.skip("examples/plugin-template is not installed")
    engine = bsc.Engine()
    assert "template" in engine.plugins.names
    assert engine.plugins.renderers.plugin_of("csv") == "template"
