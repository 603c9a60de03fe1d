"""The ``bsc`` command line."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from balanced_scorecard import __version__
from balanced_scorecard.cli import main

DEFINITION = """\
id: shop
name: Corner Shop
org_units:
  - id: shop
    name: The Shop
objectives:
  - id: grow
    name: Grow sales
    perspective: financial
    owner: cfo
    indicators:
      - id: revenue
        name: Revenue
        unit: EUR
        time_aggregation: sum
        thresholds: {target: 1000, red_flag: 800}
        owner: cfo
sources:
  - id: actuals
    uri: "csv:obs.csv"
"""

GOOD = "indicator,org_unit,period,value\nrevenue,shop,2025-01,900\nrevenue,shop,2025-02,1000\n"
BAD = "indicator,org_unit,period,value\nrevenue,shop,2025-01,700\nrevenue,shop,2025-02,500\n"


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    (tmp_path / "obs.csv").write_text(GOOD)
    (tmp_path / "bad.csv").write_text(BAD)
    path = tmp_path / "shop.yaml"
    path.write_text(DEFINITION)
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# -- evaluate -------------------------------------------------------------------------------


def test_evaluate_prints_the_text_report(shop: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "evaluate", str(shop))
    assert code == 0, err
    assert out.startswith("Corner Shop · org unit The Shop · period 2025-02")
    revenue = next(line for line in out.splitlines() if line.strip().startswith("Revenue"))
    assert "1,000 EUR" in revenue
    assert "6.7" in revenue
    assert "green" in revenue
    assert "\x1b[" not in out  # capsys is no terminal


def test_evaluate_with_data_period_and_format(
    shop: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(
        capsys,
        "evaluate",
        str(shop),
        "--data",
        str(shop.parent / "bad.csv"),
        "--period",
        "2025-01",
        "--format",
        "json",
    )
    assert code == 0
    doc = json.loads(out)
    assert doc["period"] == "2025-01"
    rev = next(n for n in doc["nodes"] if n["node"] == "revenue")
    assert rev["actual"] == 700.0
    assert rev["status"] == "red"


@pytest.mark.parametrize("fmt", ["markdown", "html"])
def test_evaluate_other_formats(shop: Path, capsys: pytest.CaptureFixture[str], fmt: str) -> None:
    code, out, _ = run(capsys, "evaluate", str(shop), "--format", fmt)
    assert code == 0
    assert out.startswith("# Corner Shop" if fmt == "markdown" else "<!DOCTYPE html>")


def test_output_writes_the_file_and_prints_a_summary(
    shop: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = shop.parent / "report.html"
    code, out, _ = run(capsys, "evaluate", str(shop), "--output", str(target))
    assert code == 0
    page = target.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert "Corner Shop" in page
    assert f"wrote report to {target}" in out
    assert "Score 6.7 / 10" in out
    assert "<html" not in out


@pytest.mark.parametrize(
    ("suffix", "start"), [(".json", "{"), (".md", "# Corner"), (".txt", "Corner Shop")]
)
def test_output_format_follows_the_suffix(
    shop: Path, capsys: pytest.CaptureFixture[str], suffix: str, start: str
) -> None:
    target = shop.parent / f"report{suffix}"
    assert main(["evaluate", str(shop), "-o", str(target)]) == 0
    assert target.read_text(encoding="utf-8").startswith(start)


@pytest.mark.parametrize("fail_on", ["red", "exceptions"])
def test_fail_on_exits_1(shop: Path, capsys: pytest.CaptureFixture[str], fail_on: str) -> None:
    good = run(capsys, "evaluate", str(shop), "--fail-on", fail_on)
    assert good[0] == 0
    code, out, err = run(
        capsys, "evaluate", str(shop), "--data", str(shop.parent / "bad.csv"), "--fail-on", fail_on
    )
    assert code == 1
    assert "Revenue" in out  # the report is still printed
    assert "--fail-on" in err


def test_fail_on_quality(shop: Path, capsys: pytest.CaptureFixture[str]) -> None:
    messy = shop.parent / "messy.csv"
    messy.write_text(GOOD + "revenue,shop,2025-02,lots\n")
    code, out, err = run(
        capsys, "evaluate", str(shop), "--data", str(messy), "--fail-on", "quality"
    )
    assert code == 1
    assert "not-a-number" in out
    assert "failed validation" in err


def test_colour_only_on_a_terminal_without_no_color(
    shop: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setattr(sys, "stdout", Tty())
    assert main(["evaluate", str(shop)]) == 0
    assert "\x1b[38;2;" in sys.stdout.getvalue()

    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setattr(sys, "stdout", Tty())
    assert main(["evaluate", str(shop)]) == 0
    assert "\x1b[" not in sys.stdout.getvalue()


# -- bad input: exit 2, a message, no traceback -------------------------------------------------


def test_definition_errors_exit_2_without_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(DEFINITION.replace("time_aggregation: sum", "polarty: higher_better"))
    code, out, err = run(capsys, "evaluate", str(bad))
    assert code == 2
    assert out == ""
    assert "Traceback" not in err
    assert "polarty" in err
    assert "Did you mean 'polarity'?" in err
    assert "objectives[0].indicators[0]" in err
    assert "bad.yaml" in err


@pytest.mark.parametrize(
    "argv",
    [
        ["evaluate", "{tmp}/nope.yaml"],
        ["check", "{tmp}/nope.yaml"],
        ["evaluate", "{shop}", "--data", "{tmp}/nope.csv"],
        ["evaluate", "{shop}", "--format", "pdf"],
        ["evaluate", "{shop}", "--org-unit", "atlantis"],
        ["evaluate", "{shop}", "--targets", "wishful"],
        ["evaluate", "{shop}", "--max-exceptions", "-1"],
        ["evaluate"],
        ["frobnicate"],
    ],
)
def test_bad_input_exits_2(shop: Path, capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    args = [a.format(tmp=shop.parent, shop=shop) for a in argv]
    code, _, err = run(capsys, *args)
    assert code == 2
    assert "Traceback" not in err
    assert err.strip()


def test_missing_file_names_it(shop: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "evaluate", str(shop.parent / "nope.yaml"))
    assert code == 2
    assert "nope.yaml" in err


# -- check, schema, plugins, version ----------------------------------------------------------


def test_check_lists_findings_and_strict_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "unowned.yaml"
    path.write_text(DEFINITION.replace("        owner: cfo\n", ""))
    code, out, _ = run(capsys, "check", str(path))
    assert code == 0
    assert "warning [" in out
    assert "revenue" in out
    assert "shop:" in out.splitlines()[-1]
    code, _, _ = run(capsys, "check", str(path), "--strict")
    assert code == 1


def test_schema_is_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "schema")
    assert code == 0
    schema = json.loads(out)
    assert "properties" in schema
    assert "objectives" in schema["properties"]


def test_plugins_lists_the_renderers(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "plugins")
    assert code == 0
    renderers = out.split("renderers:")[1].split("scoring methods:")[0]
    for name in ("text", "json", "markdown", "html"):
        assert f"  {name} " in renderers
    assert "builtins.renderers" in out
    assert "goal_red_flag" in out
    assert "weighted_mean" in out
    assert "load failures" in out


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--version")
    assert code == 0
    assert out.strip() == f"bsc {__version__}"


# -- a real process ---------------------------------------------------------------------------


def test_subprocess(shop: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "balanced_scorecard.cli", "evaluate", str(shop), "--format", "json"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["scorecard"]["id"] == "shop"

    proc = subprocess.run(
        [sys.executable, "-m", "balanced_scorecard", "evaluate", str(shop.parent / "x.yaml")],
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
        timeout=120,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert "x.yaml" in proc.stderr


def test_unencodable_output_is_replaced_not_a_crash(
    shop: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    raw = io.BytesIO()
    stream = io.TextIOWrapper(raw, encoding="ascii")
    monkeypatch.setattr(sys, "stdout", stream)
    assert main(["evaluate", str(shop)]) == 0
    stream.flush()
    assert b"Corner Shop ? org unit" in raw.getvalue()


def test_evaluate_as_known_at_marks_the_period_provisional(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    definition = tmp_path / "sc.yaml"
    definition.write_text(
        "id: t\nobjectives:\n  - id: o\n    perspective: financial\n    indicators:\n"
        "      - {id: rev, time_aggregation: sum, thresholds: {target: 100, red_flag: 50}}\n",
        encoding="utf-8",
    )
    data = tmp_path / "obs.csv"
    data.write_text(
        "indicator,org_unit,period,value,as_of\n"
        "rev,all,2025-01,90,2025-02-03\nrev,all,2025-01,100,2025-02-12\n",
        encoding="utf-8",
    )
    code = main(["evaluate", str(definition), "--data", str(data),
                 "--as-known-at", "2025-02-05", "--close-days", "10"])  # fmt: skip
    out = capsys.readouterr().out
    assert code == 0
    assert "period 2025-01 (provisional)" in out
    assert "90" in out


def test_adjustments_declared_in_the_definition_apply_on_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Hand-worked: 1,150 USD of January revenue at the January average rate of 1.15 USD per
    # EUR (rates 1.10 and 1.20) is 1,000 EUR, exactly the target: score 2/3, shown as 6.7.
    (tmp_path / "fx_rates.csv").write_text(
        "date,currency,rate\n2025-01-15,USD,1.10\n2025-01-31,USD,1.20\n", encoding="utf-8"
    )
    (tmp_path / "obs.csv").write_text(
        "indicator,org_unit,period,value,unit\nrev,all,2025-01,1150,USD\n", encoding="utf-8"
    )
    definition = tmp_path / "sc.yaml"
    definition.write_text(
        "id: t\n"
        "adjustments:\n  - {adjuster: fx, options: {rates: fx_rates.csv, base: EUR}}\n"
        "sources: [obs.csv]\n"
        "objectives:\n  - id: o\n    perspective: financial\n    indicators:\n"
        "      - {id: rev, unit: EUR, time_aggregation: sum,"
        " thresholds: {target: 1000, red_flag: 800}}\n",
        encoding="utf-8",
    )
    # Run from another folder: the rates file is found next to the definition.
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    monkeypatch.chdir(outside)
    assert main(["evaluate", str(definition), "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    rev = next(n for n in doc["nodes"] if n["node"] == "rev")
    assert rev["actual"] == pytest.approx(1000.0)
    assert rev["score"] == pytest.approx(2 / 3)


def test_unknown_adjuster_in_a_definition_is_bad_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    definition = tmp_path / "sc.yaml"
    definition.write_text(
        "id: t\nadjustments: [{adjuster: fxx}]\nobjectives:\n  - id: o\n"
        "    perspective: financial\n    indicators: [{id: rev}]\n",
        encoding="utf-8",
    )
    data = tmp_path / "obs.csv"
    data.write_text("indicator,org_unit,period,value\nrev,all,2025-01,1\n", encoding="utf-8")
    assert main(["evaluate", str(definition), "--data", str(data)]) == 2
    err = capsys.readouterr().err
    assert "adjustments[0].adjuster: unknown adjuster 'fxx'" in err
    assert "Did you mean 'fx'?" in err


# -- report and map -----------------------------------------------------------------------------


def test_report_writes_a_dashboard_and_a_briefing_book(
    shop: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = shop.parent / "dash.html"
    code, out, _ = run(capsys, "report", str(shop), "--view", "manager", "-o", str(page))
    assert code == 0
    assert "wrote manager dashboard" in out
    html = page.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert "Grow sales" in html
    book = shop.parent / "book.md"
    code, out, _ = run(capsys, "report", str(shop), "--book", "-o", str(book))
    assert code == 0
    assert book.read_text(encoding="utf-8").startswith("# Briefing book: Corner Shop")
    code, _, err = run(capsys, "report", str(shop), "-o", str(shop.parent / "dash.txt"))
    assert code == 2
    assert "write it to a .html file" in err


@pytest.mark.parametrize(
    ("fmt", "start"), [("svg", "<svg"), ("dot", "digraph"), ("mermaid", "flowchart")]
)
def test_map_in_every_format(
    shop: Path, capsys: pytest.CaptureFixture[str], fmt: str, start: str
) -> None:
    code, out, _ = run(capsys, "map", str(shop), "--format", fmt)
    assert code == 0
    assert out.lstrip().startswith(start)
    assert "Grow sales" in out


def test_map_without_status_needs_no_data(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "design.yaml"
    path.write_text(DEFINITION.split("sources:")[0])
    target = tmp_path / "map.svg"
    code, out, _ = run(capsys, "map", str(path), "--no-status", "-o", str(target))
    assert code == 0
    assert "wrote svg strategy map" in out
    assert "Grow sales" in target.read_text(encoding="utf-8")
