"""The HTML dashboard at the HTML level: content per view, escaping, access, determinism.

The numbers checked by hand come from ``results._demo()`` (revenue 1,100 then 1,200 EUR
against red flag 1,000 and target 1,200 under goal_red_flag: 1,100 lies halfway between
the red flag (1/3) and the goal (2/3), so it scores 0.5; 1,200 scores 2/3) and from the
generated ``sample_evaluation`` (seeded, see ``builtins/_dashboard_sample.py``).
"""

from __future__ import annotations

import json
import re
import sys
from datetime import UTC, datetime

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from balanced_scorecard.builtins._dashboard_sample import sample_evaluation
from balanced_scorecard.builtins.dashboard import (
    DashboardRenderer,
    build_dashboard,
    embed_json,
)
from balanced_scorecard.governance.annotations import Annotation
from balanced_scorecard.results import _demo

PAYLOAD = '<script>window.__xss=1</script>"><img src=x onerror="window.__xss=2"></script>'


@pytest.fixture(scope="module")
def ev():
    return sample_evaluation()


def _payload(page: str) -> dict:
    m = re.search(r'<script type="application/json" id="bsc-data">(.*?)</script>', page, re.S)
    assert m is not None
    return json.loads(m.group(1))


def note(node: str, unit: str, period: str, text: str, author: str = "cfo") -> Annotation:
    at = datetime(2026, 1, 5, tzinfo=UTC)
    return Annotation(
        id=f"{node}-{unit}-{period}-{text[:5]}",
        node=node,
        org_unit=unit,
        period=period,
        author=author,
        at=at,
        text=text,
    )


def test_demo_scores_by_hand():
    d = build_dashboard(_demo())
    cells = d["data"]["cells"]["all"]
    assert cells[-1] == [0.6667, "green", "1,200 EUR", "1,200 EUR", 1]
    series = d["data"]["detail"]["all"]["revenue"]["series"]
    assert [r[3] for r in series] == [0.5, 0.6667]
    assert d["data"]["detail"]["all"]["revenue"]["lineage"][0].startswith("Indicator revenue")


def test_page_is_self_contained_and_deterministic(ev):
    page = DashboardRenderer().render(ev)
    assert page == DashboardRenderer().render(ev)
    assert page.startswith("<!DOCTYPE html>")
    # no external resource of any kind
    assert not re.search(r'\b(src|href)="(?!#)', page)
    assert "@import" not in page
    assert "url(" not in page
    data = _payload(page)
    assert data["focus"] == "group"
    assert [u["id"] for u in data["units"]] == list(ev.units)


def test_manager_view_is_the_subtree(ev):
    data = _payload(DashboardRenderer().render(ev, view="manager", org_unit="bu2"))
    assert [u["id"] for u in data["units"]] == ["bu2", "bu2_d1", "bu2_d2"]
    assert data["units"][0]["children"] == ["bu2_d1", "bu2_d2"]
    # the departments' scores are embedded for drill-down
    score = round(ev.score(org_unit="bu2_d1"), 4)
    assert data["cells"]["bu2_d1"][0][0] == score


def test_executive_view_shows_the_strategic_tier_and_its_exceptions(ev):
    page = DashboardRenderer().render(ev, view="executive", max_exceptions=None)
    data = _payload(page)
    inds = [n["id"] for n in data["nodes"] if n["kind"] == "indicator"]
    assert inds == ["revenue", "nps", "retention"]
    assert "Executive exceptions" in page
    exc = ev.exceptions(audience="executive")
    for name in exc["name"].astype(str):
        assert name in page


def test_operational_view_has_control_charts_for_one_unit(ev):
    page = DashboardRenderer().render(ev, view="operational", org_unit="bu1_d1")
    data = _payload(page)
    assert [u["id"] for u in data["units"]] == ["bu1_d1"]
    assert page.count("<svg") == 5  # every visible indicator has 12 points
    assert "Control charts" in page


def test_operational_view_with_too_few_points():
    page = DashboardRenderer().render(_demo(), view="operational")
    charts = page.split('id="bsc-charts"')[1].split("</section>")[0]
    assert "<svg" not in charts
    assert "No indicator has 8 or more values" in page


def test_restricted_view_never_names_the_withheld_indicator(ev):
    full = DashboardRenderer().render(ev, role="executive_sponsor")
    assert "payroll" in full
    assert "Payroll" in full
    values = {r[1] for u in _payload(full)["detail"].values() for r in u["payroll"]["series"]}
    for role in (None, "owner", "contributor"):
        page = DashboardRenderer().render(
            ev, role=role, annotations=[note("payroll", "group", ev.period, "pay is up")]
        )
        assert "payroll" not in page.lower()
        assert "pay is up" not in page
        data = _payload(page)
        assert all("payroll" not in d for d in data["detail"].values())
        shown = {r[1] for u in data["detail"].values() for s in u.values() for r in s["series"]}
        assert not values & shown


def test_xss_payload_is_text_everywhere():
    ev = sample_evaluation(text=PAYLOAD)
    notes = [note("revenue", "group", ev.period, PAYLOAD, author=PAYLOAD)]
    for view in ("executive", "manager", "operational"):
        page = DashboardRenderer().render(ev, view=view, annotations=notes)
        assert "<script>window" not in page
        assert "<img" not in page
        assert page.count("<script") == 2  # the data block and our own script
        assert page.count("</script>") == 2
        assert "&lt;script&gt;window.__xss=1&lt;/script&gt;" in page
        data = _payload(page)  # the JSON still reads back the exact text
        assert data["nodes"][0]["name"] == f"Sample scorecard {PAYLOAD}"
    assert data["annotations"]["group"]["revenue"][0][1:] == [PAYLOAD, PAYLOAD]


def test_annotations_are_shown_beside_values(ev):
    notes = [
        note("revenue", "group", ev.period, "Price rise landed"),
        note("revenue", "group", ev.period_labels[0], "Old news"),
        note("nps", "bu1", ev.period, "Survey moved"),
        note("revenue", "elsewhere", ev.period, "not in the view"),
    ]
    page = DashboardRenderer().render(ev, annotations=notes)
    row = page.split('data-row="revenue"')[1].split("</tr>")[0]
    assert "cfo: Price rise landed" in row
    assert "Old news" not in row  # only the focus period beside the value
    data = _payload(page)
    assert [a[2] for a in data["annotations"]["group"]["revenue"]] == [
        "Old news",
        "Price rise landed",
    ]
    assert data["annotations"]["bu1"]["nps"][0][2] == "Survey moved"
    assert "elsewhere" not in data["annotations"]


def test_provisional_period_is_marked(ev):
    marked = attrs.evolve(ev, provisional=(ev.period,))
    page = DashboardRenderer().render(marked)
    assert 'class="bsc-provisional"' in page
    series = _payload(page)["detail"]["group"]["revenue"]["series"]
    assert series[-1][5] is True
    assert series[0][5] is False
    assert 'class="bsc-provisional"' not in DashboardRenderer().render(ev)


def test_focus_period_and_detail_units(ev):
    d = build_dashboard(ev, period="2025-06", detail_units=2)
    assert d["period"] == "2025-06"
    assert list(d["data"]["detail"]) == ["group", "bu1"]  # breadth first
    assert len(d["data"]["detail"]["group"]["revenue"]["series"]) == 6
    assert build_dashboard(ev, detail_units=0)["data"]["detail"] == {}


def test_strategy_map_placeholder_without_the_drawing_module(ev, monkeypatch):
    monkeypatch.setitem(sys.modules, "balanced_scorecard.visual.strategy_map", None)
    page = DashboardRenderer().render(ev)
    assert 'class="bsc-map-list"' in page
    assert "Delight customers" in page.split("bsc-map-list")[1].split("</ul>\n</section>")[0]


def test_bad_options(ev):
    with pytest.raises(ValueError, match="view 'board' is not one of"):
        DashboardRenderer().render(ev, view="board")
    with pytest.raises(TypeError, match="unknown option"):
        DashboardRenderer().render(ev, veiw="manager")
    with pytest.raises(ValueError, match="detail_units must be 0 or more"):
        build_dashboard(ev, detail_units=-1)
    with pytest.raises(ValueError, match="max_exceptions"):
        build_dashboard(ev, max_exceptions=-1)
    with pytest.raises(KeyError, match="org unit 'nowhere'"):
        build_dashboard(ev, org_unit="nowhere")


@given(st.text())
def test_embed_json_round_trips_and_cannot_close_the_script(text):
    out = str(embed_json({"t": text}))
    assert "<" not in out
    assert ">" not in out
    assert "&" not in out
    assert json.loads(out)["t"] == text
