"""Validation rules: the built-ins, a plugin rule, and the vectorised median against a loop."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from balanced_scorecard import Engine, Indicator, Objective, Scorecard
from balanced_scorecard.data.rules import (
    ObservationRows,
    ValidationRule,
    outside_valid_range,
    robust_outliers,
)
from balanced_scorecard.exceptions import DefinitionError, ModelError
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
    rows = ev.quality[ev.quality["rule"] != "completeness"]
    rules = dict(zip(rows["row"], rows["rule"], strict=True))
    # Row 3: 120 on-time of 100 orders; row 5: a negative count. Cost per order (5000 EUR
    # over 40 orders) is a ratio but not a share, so it passes.
    assert rules == {3: "numerator-above-denominator", 5: "negative-parts"}
    assert set(rows["severity"]) == {"error"}
    # cpo reported January only: February and March are gaps. otd's quarantined months are
    # already in the report, so they are not reported again as gaps.
    gaps = ev.quality[ev.quality["rule"] == "completeness"]
    found = list(zip(gaps["indicator"], gaps["period"], strict=True))
    assert found == [("cpo", "2025-02"), ("cpo", "2025-03")]
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


# -- allowed ranges ---------------------------------------------------------------------------


def _ranged() -> Scorecard:
    return Scorecard(
        id="r",
        objectives=[Objective(id="o", perspective="financial")],
        indicators=[
            Indicator(id="fte", objective="o", unit="count", valid_range=(0, 500)),
            Indicator(id="rev", objective="o", unit="EUR", valid_range=(None, 500_000)),
            Indicator(id="otd", objective="o", unit="percent"),
            Indicator(id="growth", objective="o", unit="percent", valid_range=(-100, None)),
            Indicator(id="margin", objective="o", unit="percent", valid_range=(None, None)),
            Indicator(id="index", objective="o"),  # plain dimensionless: no implicit bound
        ],
    )


def _frame(rows: list[tuple[str, str, object]], **extra: list[object]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "indicator": [r[0] for r in rows],
            "org_unit": "all",
            "period": [r[1] for r in rows],
            "value": [r[2] for r in rows],
            **extra,
        }
    )


def test_declared_ranges_quarantine_with_a_message_naming_everything() -> None:
    obs = _frame(
        [
            ("fte", "2025-01", 120),
            ("fte", "2025-02", -3),  # row 3
            ("fte", "2025-03", 5000),  # row 4
            ("rev", "2025-01", 400),  # 400 kEUR = 400,000 EUR: inside
            ("rev", "2025-02", 600),  # 600 kEUR = 600,000 EUR: outside, row 6
            ("growth", "2025-01", 250),  # a declared range replaces the share bound
            ("growth", "2025-02", -120),  # row 8
            ("margin", "2025-01", -40),  # {} declared: anything goes
        ],
        unit=["count", "count", "count", "kEUR", "kEUR", "percent", "percent", "percent"],
    )
    ev = Engine(entry_points=False).evaluate(_ranged(), obs, start="2025-01", period="2025-03")
    q = ev.quality[ev.quality["rule"] == "valid-range"].set_index("row")
    assert q.index.tolist() == [3, 4, 6, 8]
    assert set(q["severity"]) == {"error"}
    assert q.loc[3, "message"] == (
        "value -3 of indicator 'fte' at org unit 'all' in 2025-02 is outside its valid range, "
        "0 to 500 (count); fix the value in the source, or widen the indicator's valid_range "
        "if such values are real"
    )
    # The range is in the indicator's unit: the kEUR row was converted before the check.
    assert "value 600000 of indicator 'rev'" in q.loc[6, "message"]
    assert "at most 500000 (EUR)" in q.loc[6, "message"]
    assert "at least -100 (percent)" in q.loc[8, "message"]
    frame = ev.to_frame(period=False).set_index(["node", "period"])["actual"]
    assert frame[("fte", "2025-01")] == 120  # the valid row of the same indicator is used
    assert np.isnan(frame[("fte", "2025-02")])  # the quarantined one is not
    assert frame[("rev", "2025-01")] == 400_000
    assert frame[("growth", "2025-01")] == 250
    assert frame[("margin", "2025-01")] == -40
    assert "share-range" not in set(ev.quality["rule"])


def test_shares_outside_0_to_100_percent_are_flagged_but_kept() -> None:
    obs = _frame(
        [
            ("otd", "2025-01", 95),
            ("otd", "2025-02", 9500),
            ("otd", "2025-03", -2),
            ("index", "2025-01", 140),
        ]
    )
    ev = Engine(entry_points=False).evaluate(_ranged(), obs)
    q = ev.quality[ev.quality["rule"] == "share-range"].set_index("row")
    assert q.index.tolist() == [3, 4]
    assert set(q["severity"]) == {"warning"}
    assert q.loc[3, "message"].startswith(
        "value 9500 of indicator 'otd' at org unit 'all' in 2025-02 is outside 0 to 100 "
        "(percent), the range of a share of a whole; it is used as it is."
    )
    assert "declare its valid_range" in q.loc[3, "message"]
    frame = ev.to_frame(period=False).set_index(["node", "period"])["actual"]
    assert frame[("otd", "2025-02")] == 9500  # a warning keeps the row
    assert frame[("index", "2025-01")] == 140  # dimensionless has no implicit bound


def test_a_share_ratio_above_its_whole_is_reported_once() -> None:
    # 120 on-time of 100 orders is caught by numerator-above-denominator (an error); the
    # share-range rule does not report the quarantined row again.
    sc = Scorecard(
        id="r",
        objectives=[Objective(id="o", perspective="financial")],
        indicators=[
            Indicator(id="otd", objective="o", unit="percent", time_aggregation="ratio_of_sums")
        ],
    )
    obs = _frame([("otd", "2025-01", None)], numerator=[120], denominator=[100])
    ev = Engine(entry_points=False).evaluate(sc, obs, period="2025-01")
    assert ev.quality["rule"].tolist() == ["numerator-above-denominator"]


def test_valid_range_in_a_definition_file_round_trips_and_checks() -> None:
    from balanced_scorecard.definitions import loads

    text = """
id: r
objectives:
  - id: o
    perspective: financial
    indicators:
      - {id: fte, unit: count, valid_range: {min: 0, max: 500}}
      - {id: growth, unit: percent, valid_range: {min: -100}}
      - {id: margin, unit: percent, valid_range: {}}
"""
    sc = loads(text, format="yaml")
    assert [i.valid_range for i in sc.indicators] == [(0.0, 500.0), (-100.0, None), (None, None)]
    written = sc.to_dict()["objectives"][0]["indicators"]
    assert [i.get("valid_range") for i in written] == [{"min": 0, "max": 500}, {"min": -100}, {}]
    assert Scorecard.from_dict(sc.to_dict()) == sc
    bad = text.replace("{min: 0, max: 500}", "{min: 500, max: 0}").replace("{}", "[0, 1]")
    with pytest.raises(DefinitionError) as err:
        loads(bad, format="yaml", source="r.yaml")
    message = str(err.value)
    assert "line 7 at objectives[0].indicators[0]: indicator 'fte' has valid_range min 500 " in (
        message
    )
    assert "line 9 at objectives[0].indicators[2].valid_range: expected a mapping" in message


@pytest.mark.parametrize(
    ("value", "match"),
    [
        ((1, 2, 3), "must be a .min, max. pair"),
        ("0-100", "must be a .min, max. pair"),
        ((0, float("nan")), "finite numbers or None"),
        ((True, 1), "finite numbers or None"),
        ({"low": 0}, "unknown key"),
    ],
)
def test_bad_valid_ranges_are_refused(value: object, match: str) -> None:
    with pytest.raises(ModelError, match=match):
        Indicator(id="x", objective="o", valid_range=value)


@given(
    st.lists(st.floats(-1e6, 1e6, allow_nan=False) | st.just(float("nan")), max_size=40),
    st.one_of(st.none(), st.floats(-1e3, 1e3)),
    st.one_of(st.none(), st.floats(-1e3, 1e3)),
)
def test_outside_valid_range_matches_the_definition(
    values: list[float], low: float | None, high: float | None
) -> None:
    if low is not None and high is not None and low > high:
        low, high = high, low
    sc = Scorecard(
        id="r",
        objectives=[Objective(id="o", perspective="financial")],
        indicators=[Indicator(id="x", objective="o", valid_range=(low, high))],
    )
    n = len(values)
    rows = ObservationRows(
        scorecard=sc, indicator=np.zeros(n, int), org_unit=np.zeros(n, int),
        period=np.zeros(n, int), value=np.array(values, dtype=float),
        numerator=np.full(n, np.nan), denominator=np.full(n, np.nan),
    )  # fmt: skip
    expected = [
        v == v and ((low is not None and v < low) or (high is not None and v > high))
        for v in values
    ]
    assert outside_valid_range(rows).tolist() == expected


def test_a_subnormal_spread_flags_without_a_floating_point_warning() -> None:
    # Found by the root-cause property test: values a few 1e-320 apart give a MAD so small
    # that dev / MAD overflows. The jump to 5 is an outlier; the run must not warn (pytest
    # turns warnings into errors).
    tiny = 5e-324
    v = np.array([0.0, tiny, 0.0, tiny, 0.0, tiny, 5.0])
    rows = ObservationRows(
        scorecard=Scorecard(id="x"),
        indicator=np.zeros(7, int),
        org_unit=np.zeros(7, int),
        period=np.arange(7),
        value=v,
        numerator=np.full(7, np.nan),
        denominator=np.full(7, np.nan),
    )
    assert robust_outliers(rows).tolist()[-1] is True
