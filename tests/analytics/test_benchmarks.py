"""Baselines from history and external benchmark tables (analytics/benchmarks.py).

Every expected number is hand-worked in the test from the data written there.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from balanced_scorecard import Engine, Indicator, Objective, Scorecard, targets_from_frame
from balanced_scorecard.analytics.benchmarks import (
    baseline_targets,
    benchmark_position,
    history_baselines,
)
from balanced_scorecard.exceptions import ObservationError


def _series(unit: str, values: list[float], start: int = 1) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "indicator": "cycle_time",
            "org_unit": unit,
            "period": [f"2025-{m:02d}" for m in range(start, start + len(values))],
            "value": values,
        }
    )


def test_window_keeps_the_latest_periods_and_the_median_resists_an_outlier() -> None:
    # north: 1..12; the last six are 7..12 -> median 9.5, p25 8.25, p75 10.75
    # (numpy's linear percentile: position 0.25*5 = 1.25 between 8 and 9).
    # south: five values of 4 and one of 40 -> median 4, MAD 0.
    obs = pd.concat(
        [_series("north", [float(v) for v in range(1, 13)]), _series("south", [4.0] * 5 + [40.0])]
    )
    b = history_baselines(obs, window=6).set_index("org_unit")
    assert b.loc["north", ["n", "median", "p25", "p75"]].tolist() == [6, 9.5, 8.25, 10.75]
    assert (b.loc["north", "first"], b.loc["north", "last"]) == ("2025-07", "2025-12")
    assert b.loc["south", "median"] == 4.0
    assert b.loc["south", "mad_sigma"] == 0.0
    # MAD of 1..6 around 3.5 is 1.5 -> sigma estimate 1.5 / 0.67449 = 2.2239.
    one = history_baselines(_series("x", [1.0, 2, 3, 4, 5, 6]), window=6)
    assert one["mad_sigma"].iloc[0] == pytest.approx(1.5 / 0.6744897501960817)


def test_short_series_get_no_baseline_but_are_listed() -> None:
    b = history_baselines(_series("x", [1.0, 2.0]), window=12, min_periods=3)
    assert b["n"].tolist() == [2]
    assert np.isnan(b["median"].iloc[0])


def test_missing_values_do_not_count() -> None:
    b = history_baselines(_series("x", [1.0, np.nan, 3.0, 5.0]), window=12)
    assert b[["n", "median"]].values.tolist() == [[3, 3.0]]


def test_bad_input() -> None:
    with pytest.raises(ObservationError, match="missing \\['value'\\]"):
        history_baselines(pd.DataFrame({"indicator": [], "org_unit": [], "period": []}))
    with pytest.raises(ObservationError, match="percentiles"):
        history_baselines(_series("x", [1.0]), percentiles=(50, 120))
    empty = history_baselines(_series("x", [1.0]).iloc[:0])
    assert empty.empty


def test_position_between_quartiles_and_outside_them() -> None:
    # Quartiles 85 / 90 / 95: 92.5 is halfway from p50 to p75 -> 62.5; 80 is below the
    # lowest point -> clamped to 25; 99 above the highest -> 75.
    table = pd.DataFrame({"indicator": ["otd"], "p25": [85.0], "p50": [90.0], "p75": [95.0]})
    vals = pd.DataFrame({"indicator": "otd", "org_unit": ["a", "b", "c"], "value": [92.5, 80, 99]})
    got = benchmark_position(vals, table)
    assert got["position"].tolist() == [62.5, 25.0, 75.0]
    assert got["gap"].tolist() == [-2.5, -15.0, 4.0]


def test_lower_better_positions_are_mirrored() -> None:
    # Defect rate quartiles 1 / 2 / 4 %: 1.5 % sits at the 37.5th percentile of the values
    # (halfway between p25 and p50), so the unit beats 62.5 % of its peers. Against p25, the
    # best quartile of a lower-better measure, it is 0.5 points short (gap -0.5).
    table = pd.DataFrame({"indicator": ["defects"], "p25": [1.0], "p50": [2.0], "p75": [4.0]})
    vals = pd.DataFrame({"indicator": ["defects"], "org_unit": ["a"], "value": [1.5]})
    got = benchmark_position(vals, table, polarity={"defects": "lower_better"}, against="p25")
    assert got["position"].tolist() == [62.5]
    assert got["gap"].tolist() == [-0.5]


def test_benchmark_table_errors() -> None:
    vals = pd.DataFrame({"indicator": ["otd"], "org_unit": ["a"], "value": [1.0]})
    with pytest.raises(ObservationError, match="at least two percentile columns"):
        benchmark_position(vals, pd.DataFrame({"indicator": ["otd"], "p50": [1.0]}))
    falling = pd.DataFrame({"indicator": ["otd"], "p25": [5.0], "p75": [1.0]})
    with pytest.raises(ObservationError, match=r"must not decrease.*otd"):
        benchmark_position(vals, falling, against="p75")
    other = pd.DataFrame({"indicator": ["x"], "p25": [1.0], "p75": [2.0]})
    with pytest.raises(ObservationError, match=r"no benchmark row.*otd"):
        benchmark_position(vals, other, against="p75")


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.floats(0, 100, allow_nan=False), min_size=3, max_size=3).map(sorted),
    st.floats(-50, 150, allow_nan=False),
    st.floats(0.01, 100, allow_nan=False),
)
def test_position_is_monotone_and_bounded(q: list[float], value: float, step: float) -> None:
    table = pd.DataFrame({"indicator": ["m"], "p25": [q[0]], "p50": [q[1]], "p75": [q[2]]})
    vals = pd.DataFrame({"indicator": "m", "org_unit": ["a", "b"], "value": [value, value + step]})
    pos = benchmark_position(vals, table)["position"].to_numpy()
    assert 25.0 <= pos[0] <= 75.0
    assert pos[1] >= pos[0]  # a better value never ranks lower


def test_position_on_a_subnormal_gap_is_clamped_without_warning() -> None:
    # Found by the property above: p50 = 0 and p75 = 5e-324 (the smallest subnormal). A value
    # of 1 is past p75, so it sits at the top, 75; the division 1 / 5e-324 overflows to inf
    # before the clamp and must not warn (warnings are errors in the suite).
    table = pd.DataFrame({"indicator": ["m"], "p25": [0.0], "p50": [0.0], "p75": [5e-324]})
    vals = pd.DataFrame({"indicator": "m", "org_unit": ["a", "b"], "value": [0.0, 1.0]})
    pos = benchmark_position(vals, table)["position"].to_numpy()
    assert pos.tolist() == [50.0, 75.0]


def test_baselines_become_targets_the_engine_scores() -> None:
    # North's last six cycle times 7..12: median 9.5 becomes the target, p75 10.75 the red
    # flag (lower is better). An actual of 9.5 meets the target: goal/red-flag scoring puts
    # the target at 2/3 of the scale.
    obs = _series("all", [float(v) for v in range(1, 13)])
    targets = baseline_targets(
        history_baselines(obs, window=6), polarity={"cycle_time": "lower_better"}
    )
    assert targets[["target", "red_flag"]].values.tolist() == [[9.5, 10.75]]
    sc = Scorecard(
        id="ops",
        objectives=[Objective(id="o", perspective="internal_process")],
        indicators=[Indicator(id="cycle_time", objective="o", polarity="lower_better")],
    )
    actual = pd.DataFrame(
        {"indicator": ["cycle_time"], "org_unit": "all", "period": ["2026-01"], "value": [9.5]}
    )
    ev = Engine(entry_points=False).evaluate(sc, actual, targets=targets_from_frame(targets))
    assert ev.score("cycle_time") == pytest.approx(2 / 3)
