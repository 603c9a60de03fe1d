"""Completeness findings: gaps in reported series and org units missing beside their peers.

The expected findings are worked out by hand from the small panels below, and a property
test checks the vectorised function against a plain loop over series, periods and units.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from balanced_scorecard import (
    Engine,
    Evaluation,
    Indicator,
    Objective,
    OrgChart,
    OrgUnit,
    Scorecard,
)
from balanced_scorecard.data.data_quality import completeness_findings
from balanced_scorecard.data.periods import period_ordinal
from balanced_scorecard.model.enums import Frequency

ENGINE = Engine(entry_points=False)
M = Frequency.MONTHLY


def _sc(*indicators: Indicator, units: list[OrgUnit] | None = None, **kw: object) -> Scorecard:
    return Scorecard(
        id="dq",
        objectives=[Objective(id="o", perspective="financial")],
        indicators=indicators or [Indicator(id="rev", objective="o", time_aggregation="sum")],
        org_chart=OrgChart(
            units=units
            or [
                OrgUnit(id="top"),
                OrgUnit(id="north", parent="top"),
                OrgUnit(id="south", parent="top"),
            ]
        ),
        **kw,  # type: ignore[arg-type]
    )


def _obs(rows: list[tuple[str, str, str, object]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["indicator", "org_unit", "period", "value"])


def _findings(ev: Evaluation) -> list[tuple[str, str, str | None]]:
    q = ev.quality[ev.quality["rule"] == "completeness"]
    assert set(q["severity"]) <= {"warning"}
    return list(zip(q["indicator"], q["org_unit"], q["period"], strict=True))


def test_gaps_in_a_reported_series_are_reported_once() -> None:
    # north: Jan, Mar, Apr and an empty Feb cell (already a missing-value warning); south:
    # Jan and Apr, with March quarantined (not a number). Window Jan-Apr.
    obs = _obs(
        [
            ("rev", "north", "2025-01", 1),
            ("rev", "north", "2025-02", None),
            ("rev", "north", "2025-03", 3),
            ("rev", "north", "2025-04", 4),
            ("rev", "south", "2025-01", 1),
            ("rev", "south", "2025-03", "lots"),
            ("rev", "south", "2025-04", 4),
        ]
    )
    ev = ENGINE.evaluate(_sc(), obs)
    # By hand: north's only gap is explained; south's March is explained, February is not.
    assert _findings(ev) == [("rev", "south", "2025-02")]
    message = ev.quality.loc[ev.quality["rule"] == "completeness", "message"].iloc[0]
    assert message == (
        "indicator 'rev' has no row for org unit 'south' in 2025-02, though that unit reports "
        "it in 2 of the 4 evaluated periods; add the missing row, or check the source's extract"
    )
    # The finding is no input row: no row number, no value, nothing excluded by it.
    finding = ev.quality[ev.quality["rule"] == "completeness"].iloc[0]
    assert pd.isna(finding["row"])
    assert finding["value"] is None
    assert ev.to_frame(period="2025-04", org_unit="south").set_index("node").loc[
        "rev", "actual"
    ] == pytest.approx(4)


def test_an_indicator_measured_quarterly_is_expected_once_a_quarter() -> None:
    capex = Indicator(id="capex", objective="o", time_aggregation="sum", frequency="quarterly")
    sc = _sc(capex)
    # Window February to November 2025: Q1 and Q4 are cut by it, Q2 and Q3 lie inside.
    obs = _obs(
        [
            ("capex", "north", "2025-03-31", 5),  # Q1 (cut): counts as reported, no gap
            ("capex", "north", "2025-06-30", 5),  # Q2
            ("capex", "south", "2025-05-15", 5),  # Q2; Q3 missing
        ]
    )
    ev = ENGINE.evaluate(sc, obs, start="2025-02", period="2025-11")
    # By hand: north has Q2, lacks Q3; south has Q2, lacks Q3. Q1 and Q4 are not whole.
    assert _findings(ev) == [("capex", "north", "2025Q3"), ("capex", "south", "2025Q3")]
    message = ev.quality.loc[ev.quality["rule"] == "completeness", "message"].iloc[0]
    assert "in 2025Q3, though that unit reports it in 1 of the 2 quarters inside the window" in (
        message
    )


def test_a_unit_missing_beside_its_peers_is_reported_with_the_window() -> None:
    units = [
        OrgUnit(id="top"),
        OrgUnit(id="bu", parent="top"),
        OrgUnit(id="east", parent="bu"),
        OrgUnit(id="west", parent="bu"),
        OrgUnit(id="mid", parent="bu"),
        OrgUnit(id="mid_a", parent="mid"),
        OrgUnit(id="plant", parent="bu", tags=("operations",)),
    ]
    obs = _obs(
        [
            ("rev", "east", "2025-01", 1),
            ("rev", "east", "2025-02", 1),
            ("rev", "mid_a", "2025-01", 1),  # mid reports through its child
            ("rev", "mid_a", "2025-02", 1),
        ]
    )
    ev = ENGINE.evaluate(_sc(units=units), obs)
    # By hand: west (untagged like east and mid) has nothing; the plant is tagged apart, so
    # it is not compared; mid is covered by mid_a.
    assert _findings(ev) == [("rev", "west", None)]
    message = ev.quality.loc[ev.quality["rule"] == "completeness", "message"].iloc[0]
    assert message == (
        "indicator 'rev' has no row for org unit 'west' or the units below it in 2025-01 to "
        "2025-02, though 2 of its 2 peer(s) (units under 'bu' with the same tags) report it; "
        "add its rows, or ignore this if the indicator does not apply to 'west' (tag unlike "
        "units differently)"
    )
    # Evaluating the subtree of 'east' alone has no peers to compare with.
    assert _findings(ENGINE.evaluate(_sc(units=units), obs, org_unit="east")) == []


def test_a_unit_whose_rows_were_all_quarantined_is_not_called_missing() -> None:
    obs = _obs([("rev", "north", "2025-01", 1), ("rev", "south", "2025-01", "n.a.")])
    ev = ENGINE.evaluate(_sc(), obs)
    assert _findings(ev) == []
    assert ev.quality["rule"].tolist() == ["not-a-number"]


def test_fiscal_calendar_labels_the_gaps() -> None:
    sc = _sc(calendar="fiscal:4")
    obs = _obs([("rev", "north", "2025-04-15", 1), ("rev", "north", "2025-06-15", 1)])
    ev = ENGINE.evaluate(sc, obs)
    assert _findings(ev) == [("rev", "north", "FY2026-P02"), ("rev", "south", None)]


def test_findings_appear_in_the_rendered_quality_summary() -> None:
    obs = _obs([("rev", "north", "2025-01", 1), ("rev", "north", "2025-03", 1)])
    text = str(ENGINE.render(ENGINE.evaluate(_sc(), obs), "text"))
    assert "completeness" in text


# -- the vectorised function against a loop ---------------------------------------------------

# top -> a, b, c (c tagged apart); a -> a1, a2
_UNITS = ("top", "a", "b", "c", "a1", "a2")
_TREE = [
    OrgUnit(id="top"),
    OrgUnit(id="a", parent="top"),
    OrgUnit(id="b", parent="top"),
    OrgUnit(id="c", parent="top", tags=("x",)),
    OrgUnit(id="a1", parent="a"),
    OrgUnit(id="a2", parent="a"),
]


def _loop_findings(count: np.ndarray, sc: Scorecard, labels: list[str]) -> set[tuple]:
    """The definition, one series, period and unit at a time."""
    chart = sc.org_chart
    out = set()
    for i, ind in enumerate(sc.indicators):
        for u, unit in enumerate(_UNITS):
            series = count[i, u]
            if series.sum() > 0:
                out |= {(ind.id, unit, labels[p]) for p in range(len(labels)) if series[p] == 0}
        for unit in _UNITS:
            parent = chart.unit(unit).parent
            if parent is None:
                continue

            def has(x: str, i: int = i) -> bool:
                return bool(count[i, [_UNITS.index(s) for s in chart.subtree(x)]].sum() > 0)

            peers = [
                s
                for s in chart.children(parent)
                if s != unit and chart.unit(s).tags == chart.unit(unit).tags
            ]
            if not has(unit) and any(has(s) for s in peers):
                out.add((ind.id, unit, None))
    return out


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 1), min_size=2 * 6 * 4, max_size=2 * 6 * 4))
def test_findings_match_a_loop(cells: list[int]) -> None:
    sc = _sc(
        Indicator(id="x", objective="o"),
        Indicator(id="y", objective="o"),
        units=_TREE,
    )
    count = np.array(cells, dtype=np.int64).reshape(2, 6, 4)
    p0 = period_ordinal("2025-01", M)
    found = completeness_findings(
        count, scorecard=sc, units=_UNITS, periods=np.arange(p0, p0 + 4), freq=M
    )
    got = set(zip(found["indicator"], found["org_unit"], found["period"], strict=True))
    assert got == _loop_findings(count, sc, ["2025-01", "2025-02", "2025-03", "2025-04"])
