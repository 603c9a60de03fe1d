"""The dashboard in a real browser: the system Chromium driven by Playwright (never a
downloaded browser; see the ``chromium_executable`` fixture in ``tests/conftest.py``)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from balanced_scorecard.builtins._dashboard_sample import sample_evaluation
from balanced_scorecard.builtins.dashboard import DashboardRenderer

sync_api = pytest.importorskip("playwright.sync_api")

ARTIFACTS = Path(__file__).parent / "artifacts"
PAYLOAD = '<script>window.__xss=1</script>"><img src=x onerror="window.__xss=2"></script>'


@pytest.fixture(scope="module")
def browser(chromium_executable: str) -> Iterator[Any]:
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=chromium_executable, headless=True, args=["--no-sandbox"]
        )
        yield b
        b.close()


@pytest.fixture(scope="module")
def ev():
    return sample_evaluation()


class Watched:
    """A page with every console message, page error and request recorded."""

    def __init__(self, browser: Any, path: Path) -> None:
        self.console: list[str] = []
        self.errors: list[str] = []
        self.failed: list[str] = []
        self.requests: list[str] = []
        self.page = browser.new_page(viewport={"width": 1280, "height": 900})
        self.page.on("console", lambda m: self.console.append(f"{m.type}: {m.text}"))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("requestfailed", lambda r: self.failed.append(r.url))
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.url = path.resolve().as_uri()
        self.page.goto(self.url)
        self.page.wait_for_load_state("load")

    def clean(self) -> None:
        assert self.errors == []
        assert [c for c in self.console if c.startswith(("error", "warning"))] == []
        assert self.failed == []
        assert self.requests == [self.url]  # nothing but the file itself


def write(tmp_path: Path, page: str, name: str = "dashboard.html") -> Path:
    path = tmp_path / name
    path.write_text(page, encoding="utf-8")
    return path


def test_loads_cleanly_and_saves_a_screenshot(browser, ev, tmp_path):
    w = Watched(browser, write(tmp_path, DashboardRenderer().render(ev, view="executive")))
    assert w.page.title().startswith("Sample scorecard")
    assert w.page.locator("#bsc-tree tbody tr").count() == 4 + 4 + 3
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "dashboard-executive.png"
    w.page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 1000
    w.clean()
    w.page.close()


def test_drill_down_by_clicking(browser, ev, tmp_path):
    w = Watched(browser, write(tmp_path, DashboardRenderer().render(ev, view="manager")))
    page = w.page
    children = page.locator("#bsc-children tbody tr")
    assert children.count() == 2
    # enterprise -> business unit: its departments and their scores appear
    page.get_by_role("button", name="Business unit 1").click()
    assert page.locator("#bsc-unit-name").text_content() == "Business unit 1"
    rows = [r.strip() for r in children.all_inner_texts()]
    expected = [f"{ev.score(org_unit=u) * 10:.1f}" for u in ("bu1_d1", "bu1_d2")]
    assert [r.split("\t")[0] for r in rows] == ["Department 1.1", "Department 1.2"]
    assert [r.split("\t")[1] for r in rows] == expected
    # the scorecard table now shows the business unit's own scores
    total = page.locator("#bsc-total").inner_text().split("/")[0].strip()
    assert total == f"{ev.score(org_unit='bu1') * 10:.1f}"
    # business unit -> department, and back up by the breadcrumb
    page.get_by_role("button", name="Department 1.2").click()
    assert page.locator("#bsc-children tbody").inner_text().strip() == "No org units below."
    page.locator("#bsc-crumbs").get_by_role("button", name="Group").click()
    assert page.locator("#bsc-unit-name").text_content() == "Group"
    # perspective -> objective -> indicator: collapse and expand
    page.locator('[data-toggle="customer"]').click()
    assert page.locator('#bsc-tree tr[data-row="delight"]').count() == 0
    page.locator('[data-toggle="customer"]').click()
    assert page.locator('#bsc-tree tr[data-row="nps"]').count() == 1
    # indicator -> its observations and lineage
    assert page.locator("#bsc-detail").is_hidden()
    page.locator('[data-node="revenue"]').click()
    assert page.locator("#bsc-detail").is_visible()
    assert page.locator("#bsc-series tbody tr").count() == len(ev.period_labels)
    lineage = page.locator("#bsc-lineage").inner_text()
    assert lineage.startswith("Indicator revenue (Revenue) · org unit group")
    w.clean()
    page.close()


def test_hidden_node_never_appears_in_a_restricted_view(browser, ev, tmp_path):
    page_html = DashboardRenderer().render(ev, role="owner")
    w = Watched(browser, write(tmp_path, page_html))
    page = w.page
    for unit in ("bu1", "bu1_d1"):
        page.locator(f'#bsc-children [data-unit="{unit}"]').click()
        for node in page.locator("[data-node]").all():
            node.click()
        text = page.locator("body").inner_text().lower()
        dom = page.content().lower()
        assert "payroll" not in text
        assert "payroll" not in dom
    data = json.loads(page.locator("#bsc-data").text_content())
    assert "payroll" not in json.dumps(data).lower()
    w.clean()
    page.close()


def test_no_script_runs_from_user_strings(browser, tmp_path):
    ev = sample_evaluation(text=PAYLOAD)
    from datetime import UTC, datetime

    from balanced_scorecard.governance.annotations import Annotation

    note = Annotation(
        id="x",
        node="revenue",
        org_unit="bu1",
        period=ev.period,
        author=PAYLOAD,
        text=PAYLOAD,
        at=datetime(2026, 1, 5, tzinfo=UTC),
    )
    for view in ("executive", "manager", "operational"):
        html = DashboardRenderer().render(ev, view=view, annotations=[note])
        w = Watched(browser, write(tmp_path, html, f"{view}.html"))
        page = w.page
        if view != "operational":
            page.locator('#bsc-children [data-unit="bu1"]').click()
        page.locator('[data-node="revenue"]').click()
        assert page.evaluate("typeof window.__xss") == "undefined"
        assert page.locator("img").count() == 0
        assert PAYLOAD in page.locator("h1").inner_text()
        if view != "operational":
            assert PAYLOAD in page.locator("#bsc-detail-notes").inner_text()
        w.clean()
        page.close()
