"""Validation rules: the built-ins, a plugin rule, and the vectorised median against a loop."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from balanced_scorecard import Engine, Indicator, Objective, Scorecard
from balanced_scorecard.data.rules import ObservationRows, ValidationRule, robust_outliers
from balanced_scorecard.exceptions import ModelError
from balanced_scorecard.plugins import hookimpl


def _sc() -> Scorecard:
    return Scorecard(
        id="r",
        objectives=[Objective(id="o", perspective="financial")],
        indicators=[
            Indicator(id="otd", objective="o", unit="percent", time_aggregation="ratio_of_sums"),
            Indicator(id="cpo", objective="o", unit="EUR", time_aggregation="ratio_of_sums"),
            Indicator(id="rev", objective="o", unit="EUR", time_aggregation="sum"),
        ],
    )


def test_shares_cannot_exceed_their_whole_but_other_ratios_can() -> None:
    obs = pd.DataFrame(
        {
            "indicator": ["otd", "otd", "cpo", "otd"],
            "org_unit": "all",
            "period": ["2025-01", "2025-02", "2025-01", "2025-03"],
            "value": None,
            "numerator": [95, 120, 5000, -1],
            "denominator": [100, 100, 40, 10],
        }
    )
    ev = Engine(entry_points=False).evaluate(_sc(), obs, period="2025-03")
    rules = dict(zip(ev.quality["row"], ev.quality["rule"], strict=True))
    # Row 3: 120 on-time of 100 orders; row 5: a negative count. Cost per order (5000 EUR
    # over 40 orders) is a ratio but not a share, so it passes.
    assert rules == {3: "numerator-above-denominator", 5: "negative-parts"}
    assert set(ev.quality["severity"]) == {"error"}
    frame = ev.to_frame(period=False).set_index(["node", "period"])
    assert frame.loc[("otd", "2025-01"), "actual"] == pytest.approx(95.0)
    assert np.isnan(frame.loc[("otd", "2025-02"), "actual"])  # quarantined, not used


def test_outliers_are_kept_and_reported() -> None:
    values = [100, 102, 98, 101, 99, 100, 400]
    obs = pd.DataFrame(
        {
            "indicator": "rev",
            "org_unit": "all",
            "period": [f"2025-{m:02d}" for m in range(1, 8)],
            "value": values,
        }
    )
    ev = Engine(entry_points=False).evaluate(_sc(), obs)
    assert list(ev.quality["rule"]) == ["outlier"]
    assert ev.quality.loc[0, "period"] == "2025-07"
    assert ev.to_frame().set_index("node").loc["rev", "actual"] == 400  # still used


class _NoRoundRevenue:
    @hookimpl
    def bsc_register_validation_rules(self, register: Any) -> None:
        register(
            ValidationRule(
                name="round-revenue",
                check=lambda rows: (rows.value % 1000 == 0) & (rows.indicator == 2),
                message="revenue is a round thousand: an estimate, not an actual",
                severity="error",
            )
        )


def test_a_plugin_rule_quarantines_rows() -> None:
    engine = Engine(entry_points=False, plugins=[_NoRoundRevenue()])
    assert engine.plugins.validation_rules.plugin_of("round-revenue") != "builtins.methods"
    obs = pd.DataFrame(
        {
            "indicator": "rev",
            "org_unit": "all",
            "period": ["2025-01", "2025-02"],
            "value": [5000.0, 5123.0],
        }
    )
    ev = engine.evaluate(_sc(), obs)
    assert list(ev.quality["rule"]) == ["round-revenue"]
    assert ev.to_frame().set_index("node").loc["rev", "actual"] == 5123.0


def test_bad_severity_is_refused() -> None:
    with pytest.raises(ModelError, match="use one of error, warning, info"):
        ValidationRule(name="x", check=lambda r: r.value > 0, message="m", severity="fatal")


@given(
    st.lists(
        st.tuples(st.integers(0, 3), st.floats(-1e3, 1e3, allow_nan=False)),
        min_size=1,
        max_size=60,
    ),
    st.floats(1, 10),
    st.booleans(),
)
def test_robust_outliers_match_a_loop_per_series(
    rows: list[tuple[int, float]], t: float, crowded: bool
) -> None:
    # Unique periods take the panel path; crowded periods (several rows of a series in one
    # period) take the sorted path. Both must agree with the loop.
    series = np.array([s for s, _ in rows])
    values = np.array([v for _, v in rows])
    periods = np.arange(len(rows)) // 3 if crowded else np.arange(len(rows))
    obs = ObservationRows(
        scorecard=_sc(), indicator=series, org_unit=np.zeros(len(rows), int),
        period=periods, value=values, numerator=np.full(len(rows), np.nan),
        denominator=np.full(len(rows), np.nan),
    )  # fmt: skip
    got = robust_outliers(obs, threshold=t)
    expected = np.zeros(len(rows), dtype=bool)
    for s in np.unique(series):  # the reference: one series at a time
        idx = np.flatnonzero(series == s)
        v = values[idx]
        med = np.median(v)
        mad = np.median(np.abs(v - med))
        if len(v) >= 5 and mad > 0:
            expected[idx] = 0.6745 * np.abs(v - med) / mad > t
    np.testing.assert_array_equal(got, expected)
