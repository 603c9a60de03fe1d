"""SVG charts of an evaluation: hand-worked geometry, threshold zones by polarity and period,
gaps, provisional marks, escaping, determinism and the status heat map."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import attrs
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from balanced_scorecard.analytics.spc import imr_chart
from balanced_scorecard.exceptions import ModelError, ObservationError, UnknownNodeError
from balanced_scorecard.model import (
    Indicator,
    Objective,
    OrgChart,
    OrgUnit,
    Scorecard,
    Scoring,
    StatusBand,
    Target,
    TargetSet,
    Thresholds,
)
from balanced_scorecard.results import Evaluation
from balanced_scorecard.visual.charts import (
    Chart,
    control_chart,
    score_history,
    sparkline,
    status_heatmap,
    trend_chart,
)

SVG = "{http://www.w3.org/2000/svg}"
RED, AMBER, GREEN = "#d64545", "#e8a33d", "#3a9a5b"  # DEFAULT_STATUS_BANDS colours


def scorecard(rev_name: str = "Revenue", unit: str = "EUR", **kw: object) -> Scorecard:
    """``rev``: higher-better, target 100 / red flag 80 by default and 120 / 90 from 2025-03
    (a target row); ``def``: lower-better, target 5 / red flag 10. Org units: ``all`` with
    ``north`` and ``south``."""
    return Scorecard(
        id="t",
        name="T",
        objectives=[Objective(id="o", name="Grow", perspective="financial")],
        indicators=[
            Indicator(
                id="rev",
                name=rev_name,
                objective="o",
                unit=unit,
                thresholds=Thresholds(target=100, red_flag=80),
            ),
            Indicator(
                id="def",
                name="Defects",
                objective="o",
                polarity="lower_better",
                thresholds=Thresholds(target=5, red_flag=10),
            ),
        ],
        target_sets=[
            TargetSet(targets=[Target(indicator="rev", start="2025-03", target=120, red_flag=90)])
        ],
        org_chart=OrgChart(
            units=[
                OrgUnit(id="all", name="Organisation"),
                OrgUnit(id="north", name="North", parent="all"),
                OrgUnit(id="south", name="South", parent="all"),
            ]
        ),
        **kw,  # type: ignore[arg-type]
    )


def observations() -> pd.DataFrame:
    """rev in north: 90, 110, (missing), 70; def in north: 4, 6, 12, 8; south reports
    rev 100 and def 10 in 2025-04 only. ``all`` is the mean of both (the default org
    aggregation)."""
    rows = [
        *(("rev", "north", p, v) for p, v in zip(PERIODS, (90, 110, None, 70), strict=True)),
        *(("def", "north", p, v) for p, v in zip(PERIODS, (4, 6, 12, 8), strict=True)),
        ("rev", "south", "2025-04", 100),
        ("def", "south", "2025-04", 10),
    ]
    frame = pd.DataFrame(rows, columns=["indicator", "org_unit", "period", "value"])
    return frame[frame["value"].notna()].reset_index(drop=True)


PERIODS = ("2025-01", "2025-02", "2025-03", "2025-04")


@pytest.fixture(scope="module")
def ev() -> Evaluation:
    return scorecard().evaluate(observations())


def parse(chart: Chart) -> ET.Element:
    """The SVG must be well-formed XML: that alone rules out unescaped markup."""
    return ET.fromstring(chart.svg)


def zones(root: ET.Element, name: str) -> dict[str, dict[str, float]]:
    out = {}
    for rect in root.iter(f"{SVG}rect"):
        if rect.get("class") == f"zone zone-{name}":
            out[rect.get("data-period", "")] = {
                k: float(rect.get(k, "nan")) for k in ("x", "y", "width", "height")
            } | {"fill": rect.get("fill")}
    return out


# --- trend chart ---------------------------------------------------------------------------


def test_trend_geometry_by_hand(ev: Evaluation) -> None:
    # Values in north: 90, 110, NaN, 70; targets 100, 100, 120, 120; red flags 80, 80, 90, 90.
    # y range: finite min 70, max 120, padded by 8% of 50 = 4 -> [66, 124]; plot area from
    # y=44 to y=240 (196 px), so y(v) = 44 + (124 - v) / 58 * 196.
    root = parse(trend_chart(ev, "rev", org_unit="north"))
    red = zones(root, "red")
    # higher-better: the red zone runs from the bottom of the plot (240) up to the red flag
    assert red["2025-01"]["y"] == pytest.approx(44 + 44 / 58 * 196, abs=0.05)  # red flag 80
    assert red["2025-01"]["y"] + red["2025-01"]["height"] == pytest.approx(240, abs=0.1)
    # the target row from 2025-03 moves the red flag to 90: the zone's top moves up
    assert red["2025-03"]["y"] == pytest.approx(44 + 34 / 58 * 196, abs=0.05)
    assert red["2025-03"]["height"] > red["2025-01"]["height"]
    assert {z["fill"] for z in red.values()} == {RED}
    green = zones(root, "green")
    # green from the target up to the top of the plot (y=44)
    assert green["2025-01"]["y"] == 44.0
    assert green["2025-01"]["height"] == pytest.approx(24 / 58 * 196, abs=0.1)  # target 100
    assert green["2025-03"]["height"] == pytest.approx(4 / 58 * 196, abs=0.1)  # target 120
    amber = zones(root, "amber")
    assert amber["2025-01"]["fill"] == AMBER
    assert amber["2025-01"]["height"] == pytest.approx(20 / 58 * 196, abs=0.1)  # 80 .. 100
    # four slots of 552/4 = 138 px from x=72
    assert [red[p]["x"] for p in PERIODS] == [72.0, 210.0, 348.0, 486.0]


def test_lower_better_red_zone_is_above_the_red_flag(ev: Evaluation) -> None:
    # def in north: 4, 6, 12, 8; target 5, red flag 10 -> y range [4 - 0.64, 12 + 0.64]
    # (padded by 8% of 8)
    root = parse(trend_chart(ev, "def", org_unit="north"))
    lo, hi = 3.36, 12.64
    red = zones(root, "red")["2025-01"]
    assert red["y"] == 44.0  # from the top of the plot ...
    assert red["height"] == pytest.approx((hi - 10) / (hi - lo) * 196, abs=0.1)  # ... to 10
    green = zones(root, "green")["2025-01"]
    assert green["y"] + green["height"] == pytest.approx(240.0, abs=0.1)  # down to the bottom
    assert green["y"] == pytest.approx(44 + (hi - 5) / (hi - lo) * 196, abs=0.1)


def test_higher_better_red_zone_is_below_the_red_flag(ev: Evaluation) -> None:
    root = parse(trend_chart(ev, "rev", org_unit="north"))
    red, green = zones(root, "red")["2025-01"], zones(root, "green")["2025-01"]
    assert red["y"] > green["y"]  # SVG y grows downwards: red is lower on the screen
    assert red["y"] + red["height"] == pytest.approx(240.0, abs=0.1)


def test_missing_value_is_a_gap(ev: Evaluation) -> None:
    root = parse(trend_chart(ev, "rev", org_unit="north"))
    path = next(e for e in root.iter(f"{SVG}path") if e.get("class") == "actual")
    d = path.get("d", "")
    # 2025-03 is missing: a new sub-path starts at 2025-04 (x = 72 + 3.5 * 138 = 555),
    # so no segment crosses the gap
    assert d.count("M") == 2
    assert d.startswith("M141.0,")
    assert "L279.0," in d
    assert "M555.0," in d
    assert "L555.0" not in d
    points = [c for c in root.iter(f"{SVG}circle") if "point" in (c.get("class") or "")]
    assert len(points) == 3


def test_points_take_their_status_colour_and_tooltips(ev: Evaluation) -> None:
    # 2025-01: 90 between red flag 80 and target 100 -> score 1/3 + 10/20/3 = 0.5 (amber);
    # 2025-02: 110 -> 1/3 + 30/60 = 0.833 (green); 2025-04: 70 < 90 -> 1/3 - 20/30/3 = 0.111.
    root = parse(trend_chart(ev, "rev", org_unit="north"))
    points = [c for c in root.iter(f"{SVG}circle") if "point" in (c.get("class") or "")]
    assert [p.get("fill") for p in points] == [AMBER, GREEN, RED]
    tips = [p.find(f"{SVG}title").text for p in points]  # type: ignore[union-attr]
    assert tips[0] == "2025-01: 90 EUR · target 100 EUR · score 5.0 (amber)"
    assert tips[2] == "2025-04: 70 EUR · target 120 EUR · score 1.1 (red)"


def test_target_is_a_step_per_period(ev: Evaluation) -> None:
    root = parse(trend_chart(ev, "rev", org_unit="north"))
    path = next(e for e in root.iter(f"{SVG}path") if e.get("class") == "target")
    steps = path.get("d", "").split("M")[1:]
    ys = [float(s.split(",")[1].split("h")[0]) for s in steps]
    assert ys[0] == ys[1] > ys[2] == ys[3]  # 100, 100, then 120 (higher on screen)


def test_provisional_periods_are_marked(ev: Evaluation) -> None:
    view = attrs.evolve(ev, provisional=("2025-04",))
    svg = trend_chart(view, "rev", org_unit="north").svg
    assert svg.count('class="point provisional"') == 1
    assert ">2025-04*</text>" in svg
    assert "provisional (books not closed)" in svg
    assert "provisional" not in trend_chart(ev, "rev", org_unit="north").svg


def test_periods_select_and_thin_labels(ev: Evaluation) -> None:
    root = parse(trend_chart(ev, "rev", org_unit="north", periods=2))
    assert sorted(zones(root, "red")) == ["2025-03", "2025-04"]
    root = parse(trend_chart(ev, "rev", org_unit="north", periods=["2025-04", "2025-01"]))
    assert sorted(zones(root, "red")) == ["2025-01", "2025-04"]
    with pytest.raises(UnknownNodeError, match="2024-12"):
        trend_chart(ev, "rev", periods=["2024-12"])
    with pytest.raises(ModelError, match="periods=0"):
        trend_chart(ev, "rev", periods=0)


def test_many_period_labels_are_thinned() -> None:
    sc = scorecard()
    months = pd.period_range("2020-01", periods=36, freq="M").strftime("%Y-%m")
    obs = pd.DataFrame({"indicator": "rev", "org_unit": "north", "period": months})
    obs["value"] = np.arange(36.0) + 80
    root = parse(trend_chart(sc.evaluate(obs), "rev"))
    labels = [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "period"]
    # 552 px / 56 px = 9 labels at most -> every 4th, anchored on the focus period
    assert len(labels) == 9
    assert labels[-1] == "2022-12"
    assert labels[-2] == "2022-08"


def test_in_range_shows_the_good_range() -> None:
    sc = Scorecard(
        id="r",
        objectives=[Objective(id="o", perspective="financial")],
        indicators=[
            Indicator(
                id="temp",
                objective="o",
                polarity="in_range",
                scoring=Scoring(method="band"),
                thresholds=Thresholds(lower=18, upper=22),
            )
        ],
    )
    obs = pd.DataFrame(
        {
            "indicator": "temp",
            "org_unit": "all",
            "period": ["2025-01", "2025-02"],
            "value": [17, 20],
        }
    )
    root = parse(trend_chart(sc.evaluate(obs), "temp"))
    assert not zones(root, "red")
    green = zones(root, "green")
    # y range [17 - 0.4, 22 + 0.4]: the band 18..22 spans 4 / 5.8 of 196 px
    assert green["2025-01"]["height"] == pytest.approx(4 / 5.8 * 196, abs=0.1)


def test_trend_rejects_non_indicators(ev: Evaluation) -> None:
    with pytest.raises(UnknownNodeError, match="objective, not an indicator"):
        trend_chart(ev, "o")
    with pytest.raises(UnknownNodeError, match="revenue"):
        trend_chart(ev, "revenue")
    with pytest.raises(UnknownNodeError, match="west"):
        trend_chart(ev, "rev", org_unit="west")


def test_all_missing_series_draws_zones_but_no_line(ev: Evaluation) -> None:
    root = parse(trend_chart(ev, "rev", org_unit="south", periods=["2025-01", "2025-02"]))
    assert not [e for e in root.iter(f"{SVG}path") if e.get("class") == "actual"]
    assert len(zones(root, "red")) == 2


# --- escaping, colours, determinism --------------------------------------------------------

MARKUP = '<script>alert("x")</script>&<b onload=1>'


def test_user_strings_are_escaped() -> None:
    sc = scorecard(rev_name=MARKUP, unit="<i>EUR</i>")
    sc = attrs.evolve(
        sc,
        org_chart=OrgChart(
            units=[
                OrgUnit(id="all", name=MARKUP),
                OrgUnit(id="north", name="N", parent="all"),
                OrgUnit(id="south", name="S", parent="all"),
            ]
        ),
    )
    ev = sc.evaluate(observations())
    charts = [
        trend_chart(ev, "rev"),
        score_history(ev, "rev"),
        sparkline(ev, "rev"),
        status_heatmap(ev),
        control_chart(ev, "def", org_unit="north"),
    ]
    for chart in charts:
        assert "<script" not in chart.svg
        assert "<b " not in chart.svg
        assert "<i>" not in chart.svg
        parse(chart)  # still well-formed XML
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;" in charts[0].svg
    assert "&lt;i&gt;EUR&lt;/i&gt;" in charts[0].svg  # the unit on the y axis


def test_band_colours_go_through_safe_color() -> None:
    bands = (
        StatusBand(name="red", lower=0, color="red;background:url(http://x)"),
        StatusBand(name="amber", lower=1 / 3, color="orange"),
        StatusBand(name="green", lower=2 / 3, color="rgb(0, 128, 0)"),
    )
    ev = scorecard(status_bands=bands).evaluate(observations())
    svg = trend_chart(ev, "rev", org_unit="north").svg + status_heatmap(ev).svg
    assert "url(" not in svg
    assert 'fill="#999999"' in svg
    assert 'fill="orange"' in svg
    assert 'fill="rgb(0, 128, 0)"' in svg


def test_output_is_deterministic(ev: Evaluation) -> None:
    again = scorecard().evaluate(observations())
    for make in (
        lambda e: trend_chart(e, "rev", org_unit="north"),
        lambda e: score_history(e, "o"),
        lambda e: sparkline(e, "def", "north"),
        lambda e: status_heatmap(e),
        lambda e: control_chart(e, "def", org_unit="north"),
    ):
        assert make(ev).svg == make(again).svg


def test_chart_object(ev: Evaluation, tmp_path: Path) -> None:
    chart = trend_chart(ev, "rev")
    assert chart.to_svg() == chart._repr_svg_() == chart.svg
    assert (chart.kind, chart.width, chart.height) == ("trend", 640.0, 280.0)
    out = chart.save(tmp_path / "trend.svg")
    assert out.read_text(encoding="utf-8") == chart.svg
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        chart.svg = ""  # type: ignore[misc]
    # self-contained: no scripts, no external references
    for c in (chart, status_heatmap(ev), sparkline([1, 2])):
        assert "<script" not in c.svg
        assert "href" not in c.svg
        assert "http://" not in c.svg.replace('xmlns="http://www.w3.org/2000/svg"', "")


# --- score history -------------------------------------------------------------------------


def test_score_history_by_hand(ev: Evaluation) -> None:
    # rev in north scores 0.5, 0.833, NaN, 0.111 (see the trend test) -> 5.0, 8.3, gap, 1.1
    root = parse(score_history(ev, "rev", org_unit="north"))
    points = list(root.iter(f"{SVG}circle"))
    tips = [p.find(f"{SVG}title").text for p in points]  # type: ignore[union-attr]
    assert tips == ["2025-01: 5.0 (amber)", "2025-02: 8.3 (green)", "2025-04: 1.1 (red)"]
    # the axis is 0..10 over 196 px: a score of 5 sits at 44 + 98
    assert float(points[0].get("cy", "nan")) == pytest.approx(142.0)
    # status bands as backgrounds: red 0..3.33, amber 3.33..6.67, green 6.67..10
    red, green = zones(root, "red")["2025-01"], zones(root, "green")["2025-01"]
    assert red["y"] == pytest.approx(44 + (10 - 10 / 3) / 10 * 196, abs=0.1)
    assert green["y"] == 44.0
    assert green["height"] == pytest.approx(196 / 3 * 1.0, abs=0.1)
    path = next(e for e in root.iter(f"{SVG}path") if e.get("class") == "actual")
    assert path.get("d", "").count("M") == 2  # the gap in 2025-03


def test_score_history_defaults_to_the_scorecard(ev: Evaluation) -> None:
    chart = score_history(ev)
    assert chart.title == "T · Organisation"
    assert chart.kind == "score"


# --- sparkline -----------------------------------------------------------------------------


def test_sparkline_by_hand() -> None:
    # values 1, 3, 2 in 80x20 with 2.5 px padding: x = 2.5, 40, 77.5; y = 17.5 - frac * 15
    svg = sparkline([1.0, 3.0, 2.0]).svg
    assert 'd="M2.5,17.5L40.0,2.5L77.5,10.0"' in svg
    assert '<circle class="last" cx="77.5" cy="10.0"' in svg


def test_sparkline_edge_cases() -> None:
    assert "<path" not in sparkline([]).svg  # empty: blank, documented
    assert "<path" not in sparkline([np.nan, np.nan]).svg
    flat = sparkline([5.0, 5.0, 5.0]).svg
    assert 'd="M2.5,10.0L40.0,10.0L77.5,10.0"' in flat  # constant: through the middle
    one = sparkline([7.0]).svg
    assert '<circle class="last" cx="40.0" cy="10.0"' in one
    # a missing last value: the last present point is marked, where it stands
    assert '<circle class="last" cx="40.0"' in sparkline([1.0, 2.0, np.nan]).svg
    assert len(sparkline(np.arange(30.0), last=5).svg.split("L")) == 5
    with pytest.raises(ObservationError, match="one-dimensional"):
        sparkline([[1.0, 2.0]])
    with pytest.raises(ModelError, match="last=0"):
        sparkline([1.0], last=0)


def test_sparkline_of_an_evaluation(ev: Evaluation) -> None:
    chart = sparkline(ev, "rev", "north")
    assert chart.title == "Revenue: 70 EUR (2025-04)"
    assert f'class="last" cx="77.5" cy="17.5" r="2" fill="{RED}"' in chart.svg
    with pytest.raises(ModelError, match="indicator id"):
        sparkline(ev)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(-1e6, 1e6) | st.just(float("nan")), max_size=30))
def test_sparkline_stays_inside_its_box(values: list[float]) -> None:
    root = ET.fromstring(sparkline(values, last=30).svg)
    for c in root.iter(f"{SVG}circle"):
        assert 0 <= float(c.get("cx", "nan")) <= 80
        assert 0 <= float(c.get("cy", "nan")) <= 20
    subpaths = sum((p.get("d") or "").count("M") for p in root.iter(f"{SVG}path"))
    finite = np.isfinite(np.asarray(values, dtype=float))
    runs = int(np.sum(finite & ~np.concatenate([[False], finite[:-1]]))) if values else 0
    assert subpaths == runs  # one piece per run of present values


# --- heat map --------------------------------------------------------------------------------


def test_heatmap_cells_and_colours(ev: Evaluation) -> None:
    # 2025-04, target 120 / red flag 90 for rev: north 70 (red, 0.11), south 100 (amber:
    # 1/3 + 10/30/3 = 0.44), all = mean 85 (red: 1/3 - 5/30/3 = 0.28); def (target 5, red
    # flag 10, lower-better): north 8 (amber: 1/3 + 2/5/3 = 0.47), south 10 (amber, exactly
    # the red flag: 1/3), all = mean 9 (amber: 0.4).
    chart = status_heatmap(ev)
    root = parse(chart)
    cells = [r for r in root.iter(f"{SVG}rect") if r.get("class") == "cell"]
    assert len(cells) == 3 * 2
    fills = [c.get("fill") for c in cells]
    # rows in org order (all, north, south), columns in chart order (rev, def)
    assert fills == [RED, AMBER, RED, AMBER, AMBER, AMBER]
    tips = [c.find(f"{SVG}title").text for c in cells]  # type: ignore[union-attr]
    assert tips[2] == "North · Revenue: 70 EUR · score 1.1 (red)"
    assert tips[5] == "South · Defects: 10 · score 3.3 (amber)"
    # visible label after the full-name tooltip
    rows = [t[0].tail for t in root.iter(f"{SVG}text") if t.get("class") == "row"]
    assert rows == ["Organisation", "North", "South"]


def test_heatmap_selection_and_missing(ev: Evaluation) -> None:
    chart = status_heatmap(ev, period="2025-01", org_units=["south", "north"], indicators=["rev"])
    root = parse(chart)
    cells = [r for r in root.iter(f"{SVG}rect") if r.get("class") == "cell"]
    # south has no data in 2025-01: light grey, "no score"; north 90 -> amber
    assert [c.get("fill") for c in cells] == [AMBER, "#eeeeee"]
    assert cells[1].find(f"{SVG}title").text == "South · Revenue: — · score — (no score)"  # type: ignore[union-attr]
    with pytest.raises(UnknownNodeError, match="objective"):
        status_heatmap(ev, indicators=["o"])
    with pytest.raises(ModelError, match="no row or no column"):
        status_heatmap(ev, indicators=[])


def big_evaluation(units: int = 1000, indicators: int = 40) -> Evaluation:
    """A 1,000-unit chart (root, 9 business units, 990 departments) × 40 indicators."""
    org = [OrgUnit(id="hq", name="HQ")]
    org += [OrgUnit(id=f"bu{i}", parent="hq") for i in range(9)]
    org += [OrgUnit(id=f"d{i}", parent=f"bu{i % 9}") for i in range(units - 10)]
    inds = [
        Indicator(id=f"i{j}", objective="o", thresholds=Thresholds(target=100, red_flag=80))
        for j in range(indicators)
    ]
    sc = Scorecard(
        id="big",
        objectives=[Objective(id="o", perspective="financial")],
        indicators=inds,
        org_chart=OrgChart(units=org),
    )
    leaves = [u.id for u in org[10:]]
    rng = np.random.default_rng(7)
    obs = pd.DataFrame(
        {
            "indicator": np.repeat([f"i{j}" for j in range(indicators)], len(leaves)),
            "org_unit": np.tile(leaves, indicators),
            "period": "2025-01",
            "value": rng.normal(95, 15, indicators * len(leaves)).round(1),
        }
    )
    return sc.evaluate(obs)


def test_heatmap_for_1000_units_by_40_indicators_has_every_cell() -> None:
    # Its speed is measured in benchmarks/bench_dashboard.py, not here.
    ev = big_evaluation()
    chart = status_heatmap(ev)
    assert chart.svg.count('class="cell"') == 40_000


# --- control chart -------------------------------------------------------------------------


def test_control_chart_matches_the_analytics_chart(ev: Evaluation) -> None:
    chart = control_chart(ev, "def", org_unit="north")
    pair = imr_chart([4.0, 6.0, 12.0, 8.0])
    # mean 7.5; moving ranges 2, 6, 4 -> mean 4 / d2 1.128 = sigma 3.546; UCL 7.5 + 10.64
    assert float(pair.location.ucl[0]) == pytest.approx(7.5 + 3 * 4 / 1.128, abs=1e-3)
    assert f"UCL {float(pair.location.ucl[0]):.4g}" in chart.svg
    assert chart.title == "Defects (north): individuals"
    assert chart.svg.count("<circle") == 4 + 3  # individuals and moving ranges
    assert ">2025-01: 4</title>" in chart.svg  # period labels in the tooltips


def test_control_chart_skips_gaps_and_needs_two_values(ev: Evaluation) -> None:
    chart = control_chart(ev, "rev", org_unit="north")  # 2025-03 missing: 3 points
    assert chart.svg.count("<circle") == 3 + 2
    assert "2025-03" not in chart.svg
    with pytest.raises(ObservationError, match="1 value"):
        control_chart(ev, "rev", org_unit="south")


def test_a_series_break_is_marked_and_not_bridged() -> None:
    # Hand-built: three months; the indicator is redefined from February. The chart draws
    # one dashed rule at February's slot and no line segment from January to February.
    import pandas as pd

    from balanced_scorecard.model import Indicator, Objective, Scorecard, Thresholds
    from balanced_scorecard.visual.charts import trend_chart

    sc = Scorecard(
        id="b",
        objectives=[Objective(id="g", perspective="financial")],
        indicators=[Indicator(id="r", objective="g", thresholds=Thresholds(target=10, red_flag=5))],
    )
    obs = pd.DataFrame(
        {"indicator": "r", "org_unit": "all", "period": ["2025-01", "2025-02", "2025-03"],
         "value": [8.0, 9.0, 11.0]}
    )  # fmt: skip
    ev = sc.evaluate(obs)
    svg = trend_chart(ev, "r", breaks=["2025-02"]).svg
    assert svg.count('class="series-break"') == 1
    assert "series break: redefined from 2025-02" in svg
    actual = svg.split('class="actual" d="', 1)[1].split('"', 1)[0]
    # Two subpaths: January alone (a single move) and February to March.
    assert actual.count("M") == 2
    plain = trend_chart(ev, "r").svg
    assert 'class="series-break"' not in plain
    with pytest.raises(UnknownNodeError, match="2024-12"):
        trend_chart(ev, "r", breaks=["2024-12"])
