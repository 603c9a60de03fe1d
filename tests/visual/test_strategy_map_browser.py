"""The strategy-map SVG in a real browser (the system Chromium through Playwright; see the
``chromium_executable`` fixture): it loads with no errors and no requests, the label width
estimate of the layout holds for the rendered text, and no rendered boxes overlap."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from balanced_scorecard.visual import map_svg

sync_api = pytest.importorskip("playwright.sync_api")

MEASURE = """() => [...document.querySelectorAll('g.bsc-objective')].map(g => {
  const r = g.querySelector('rect').getBBox();
  const texts = [...g.querySelectorAll('text')].map(t => t.getBBox());
  return {id: g.dataset.node, x: r.x, y: r.y, w: r.width, h: r.height,
          text: texts.map(t => [t.x, t.y, t.width, t.height])};
})"""


@pytest.fixture(scope="module")
def browser(chromium_executable: str) -> Iterator[Any]:
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=chromium_executable, headless=True, args=["--no-sandbox"]
        )
        yield b
        b.close()


@pytest.mark.parametrize("which", ["generated", "evil"])
def test_map_renders_cleanly(browser, tmp_path, generated, make_small, evaluate_small, which):
    if which == "generated":
        svg = map_svg(generated(60), show_indicators=False)
    else:
        evil = '<script>window.__xss=1</script>"><img src=x onerror="window.__xss=2">'
        svg = map_svg(evaluate_small(make_small(grow=evil, link=evil)), show_indicators=True)
    # inline in a page, as the HTML report and notebooks embed it
    path = tmp_path / "map.html"
    path.write_text(
        f'<!doctype html><html><head><meta charset="utf-8"><title>map</title></head>'
        f"<body>{svg}</body></html>",
        encoding="utf-8",
    )
    page = browser.new_page(viewport={"width": 1300, "height": 1000})
    errors: list[str] = []
    requests: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: requests.append(r.url))
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    boxes = page.evaluate(MEASURE)
    assert page.evaluate("() => window.__xss === undefined")
    page.screenshot(path=str(tmp_path / f"strategy_map_{which}.png"), full_page=True)
    page.close()
    assert errors == []
    assert requests == [path.as_uri()]
    assert boxes
    for b in boxes:
        for tx, ty, tw, th in b["text"]:
            # every rendered line fits inside its box (the 7.2 px a character estimate holds)
            assert b["x"] - 0.5 <= tx <= tx + tw <= b["x"] + b["w"] + 0.5, b["id"]
            assert b["y"] - 0.5 <= ty <= ty + th <= b["y"] + b["h"] + 0.5, b["id"]
    for i, a in enumerate(boxes):
        for c in boxes[i + 1 :]:
            apart = (
                a["x"] + a["w"] <= c["x"]
                or c["x"] + c["w"] <= a["x"]
                or a["y"] + a["h"] <= c["y"]
                or c["y"] + c["h"] <= a["y"]
            )
            assert apart, (a["id"], c["id"])
