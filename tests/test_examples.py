"""The examples run as documented: the quick start, the Acme evaluation and plugin discovery."""

from __future__ import annotations

import importlib.util
import os
import runpy
import subprocess
import sys
from pathlib import Path

import pandas as pd
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
    # Three business units and the UK sales company, which keeps its books in GBP.
    assert sc.org_chart.children(sc.org_chart.root) == (
        "industrial",
        "automotive",
        "aerospace",
        "uk",
    )
    assert [s.id for s in sc.sources] == ["actuals", "hris"]
    assert [a.adjuster for a in sc.adjustments] == ["one_time", "fx"]
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


ACME_DIR = ACME.parent


def _uk_rows(indicator: str, period: str) -> tuple[float, list[float], list[str]]:
    """The UK's GBP value of one month, and that month's GBP rates with their dates."""
    obs = pd.read_csv(ACME_DIR / "observations.csv", dtype=str)
    row = obs[(obs["indicator"] == indicator) & (obs["org_unit"] == "uk")]
    row = row[row["period"] == period]
    assert row["unit"].tolist() == ["GBP"]
    rates = pd.read_csv(ACME_DIR / "fx_rates.csv", dtype={"date": str})
    month = rates[rates["date"].str.startswith(period)]
    return float(row["value"].iloc[0]), month["rate"].tolist(), month["date"].tolist()


def test_acme_uk_flows_translate_at_the_average_rate_and_stocks_at_closing(
    acme: bsc.Evaluation,
) -> None:
    # Worked from the files: EUR = GBP / (GBP per EUR); a flow at the mean of the month's
    # rates, the backlog (a stock) at the last rate of the month. The reported view has the
    # translation too; the normalised one also lacks the GBP 600,000 warehouse sale.
    assert acme.reported is not None
    gbp, rates, _ = _uk_rows("revenue", "2025-12")
    average = sum(rates) / len(rates)
    reported = acme.reported.to_frame(org_unit="uk").set_index("node")
    normalised = acme.to_frame(org_unit="uk").set_index("node")
    assert reported.loc["revenue", "actual"] == pytest.approx(gbp / average, rel=1e-12)
    assert normalised.loc["revenue", "actual"] == pytest.approx(
        (gbp - 600_000) / average, rel=1e-12
    )
    backlog, rates, dates = _uk_rows("order_backlog", "2025-12")
    assert dates[-1] == "2025-12-31"
    assert normalised.loc["order_backlog", "actual"] == pytest.approx(
        backlog / rates[-1], rel=1e-12
    )
    assert "(closing 2025-12-31)" in str(acme.explain("order_backlog", "uk"))


def test_acme_people_indicators_come_from_the_sqlite_hris(acme: bsc.Evaluation) -> None:
    assert acme.observations is not None
    # The actuals file names each row's system in its source column; the HRIS rows come
    # from the SQLite source, named by its id.
    names = set(acme.observations.source_names)
    assert "hris" in names
    assert {"erp", "crm", "mes"} <= names
    assert "actuals" not in names
    lineage = acme.explain("headcount", "uk").lineage
    assert len(lineage) == 1
    # The source, its database and the query that read the rows.
    assert lineage[0].startswith("hris (sqlite:///acme.db, query 'SELECT metric")
    assert "FROM people_metrics" in lineage[0]
    assert ", row(s) " in lineage[0]
    csv_ids = set(pd.read_csv(ACME_DIR / "observations.csv", usecols=["indicator"])["indicator"])
    assert not csv_ids & {"headcount", "training_hours_per_employee", "employee_turnover_rate"}


def test_acme_one_time_event_shows_beside_the_reported_figures(acme: bsc.Evaluation) -> None:
    side = acme.compare_reported(period=None).set_index(["indicator", "org_unit"])
    assert set(side.index) == {
        (ind, unit)
        for ind in ("revenue", "gross_profit", "gross_margin_pct", "book_to_bill")
        for unit in ("uk", "acme")
    }
    assert set(side["period"]) == {"2025-12"}
    uk = side.loc[("revenue", "uk")]
    _, rates, _ = _uk_rows("revenue", "2025-12")
    assert uk["difference"] == pytest.approx(-600_000 / (sum(rates) / len(rates)), rel=1e-12)
    assert (uk["reported_status"], uk["normalised_status"]) == ("green", "amber")
    assert "Sale of the former Coventry warehouse" in uk["events"]
    assert side.loc[("revenue", "acme"), "via"] == "org units below"
    # The planted stories hold in both views: the event is the UK's alone.
    assert acme.reported is not None
    assert acme.reported.status(org_unit="automotive") == "red"


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
    # The UK's warehouse sale: the normalised value is marked, the reported one beside it.
    assert "<h2>Normalised values</h2>" in page
    assert 'class="bsc-adjusted" title="uk: one-time: Sale of the former Coventry' in page


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


# -- what the design checks and the evidence find in Acme (planted, see its README) ----------


def test_acme_planted_misalignment_and_conflicting_target(acme: bsc.Evaluation) -> None:
    found = acme.scorecard.check()
    orphans = [f for f in found if f.rule == "cascade-orphan"]
    assert [f.nodes for f in orphans] == [("innovate_products",)]
    # Industrial's DSO target is 52 days while its departments are held to 55: no mix of
    # departments meeting their targets gives the business unit its own.
    dso = [
        f
        for f in found
        if f.rule == "ratio-target-unreachable"
        and "days_sales_outstanding" in f.nodes
        and "industrial" in f.org_units
    ]
    assert dso
    assert "52" in dso[0].message
    assert "55" in dso[0].message


def test_acme_planted_link_evidence(acme: bsc.Evaluation) -> None:
    group = acme.link_evidence().set_index(["cause", "effect"])
    unsupported = group.loc[("it_system_availability", "order_lead_time")]
    assert unsupported["verdict"] == "weak"
    assert unsupported["correlation_p"] > 0.05
    plant = acme.link_evidence(org_unit="industrial_operations").set_index(["cause", "effect"])
    lagged = plant.loc[("training_hours_per_employee", "defect_rate_ppm")]
    # The generator makes the defect rate follow training two months later.
    assert (lagged["best_lag"], lagged["verdict"]) == (2, "supported")
    assert lagged["r_at_best_lag"] < -0.9
