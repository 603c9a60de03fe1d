"""Tests of balanced_scorecard.analytics.spc: qcc references, hand-worked rules, laws, bad input."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from balanced_scorecard.analytics import spc
from balanced_scorecard.exceptions import ModelError, ObservationError

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def pistonrings() -> pd.DataFrame:
    return pd.read_csv(DATA / "qcc_pistonrings.csv", comment="#")


@pytest.fixture(scope="module")
def orangejuice() -> pd.DataFrame:
    return pd.read_csv(DATA / "qcc_orangejuice.csv", comment="#")


# --- constants ----------------------------------------------------------------------------

# Exact columns of ASTM E2587 / Montgomery appendix VI as given in the shared reference table
# (control_chart_constants_n2_10.csv: d2_exact, d3_exact, c4_exact), six decimals.
EXACT = {2: (1.128379, 0.852502, 0.797885), 5: (2.325929, 0.864082, 0.939986),
         10: (3.077505, 0.797051, 0.972659)}  # fmt: skip
# Three-decimal d2 column of the same table.
TABLE_D2 = {2: 1.128, 3: 1.693, 4: 2.059, 5: 2.326, 6: 2.534, 7: 2.704, 8: 2.847, 9: 2.970,
            10: 3.078}  # fmt: skip


@pytest.mark.parametrize("n", sorted(EXACT))
def test_constants_match_the_exact_table(n: int) -> None:
    d2, d3, c4 = EXACT[n]
    assert spc.d2(n) == pytest.approx(d2, abs=6e-7)
    assert spc.d3(n) == pytest.approx(d3, abs=6e-7)
    assert spc.c4(n) == pytest.approx(c4, abs=6e-7)


def test_constants_closed_forms() -> None:
    # X1 - X2 is normal with variance 2, so its absolute value has mean 2 / sqrt(pi) = d2(2)
    # and variance 2 - 4 / pi = d3(2)^2; c4(2) = sqrt(2 / pi) from the gamma function.
    assert spc.d2(2) == pytest.approx(2 / math.sqrt(math.pi), rel=1e-12)
    assert spc.d3(2) == pytest.approx(math.sqrt(2 - 4 / math.pi), rel=1e-8)
    assert spc.c4(2) == pytest.approx(math.sqrt(2 / math.pi), rel=1e-12)


def test_table_convention_is_the_printed_three_decimal_d2() -> None:
    assert {n: spc.d2(n, constants="table") for n in TABLE_D2} == TABLE_D2


def test_constants_reject_bad_sizes_and_conventions() -> None:
    with pytest.raises(ModelError, match="at least 2"):
        spc.d2(1)
    with pytest.raises(ModelError, match="unknown constants convention"):
        spc.d2(5, constants="astm")


# --- published references (R package qcc) -------------------------------------------------


def test_pistonrings_xbar_r_matches_qcc(pistonrings: pd.DataFrame) -> None:
    trial = pistonrings[pistonrings["trial"]]
    pair = spc.xbar_r_chart(trial["diameter"], trial["sample"])
    xbar, r = pair.location, pair.dispersion
    # qcc: qcc(diameter[trial], type = "xbar"), published in its documentation and vignette.
    assert xbar.center[0] == pytest.approx(74.00118, rel=1e-6)
    assert pair.parameters.sigma == pytest.approx(0.009785039, rel=1e-6)
    assert xbar.lcl[0] == pytest.approx(73.98805, rel=1e-6)
    assert xbar.ucl[0] == pytest.approx(74.0143, rel=1e-6)
    assert not xbar.beyond_limits.any()
    assert r.center[0] == pytest.approx(0.02276, rel=1e-6)
    assert r.lcl[0] == 0.0
    # The R chart UCL is R-bar + 3 d3 sigma. With the exact d3(5) = 0.8640819 it is 0.04812523;
    # qcc prints 0.04812533 because its d3 table has 0.8640855 for n = 5 (off in the 6th digit),
    # a 2.2e-6 relative difference. The default keeps the exact d3; constants="qcc" takes
    # qcc's table and matches the published figure to 1e-6.
    rbar, sigma = 0.02276, 0.02276 / 2.326
    assert r.ucl[0] == pytest.approx(rbar + 3 * spc.d3(5) * sigma, rel=1e-12)
    assert r.ucl[0] == pytest.approx(0.04812533, rel=2.5e-6)
    as_qcc = spc.xbar_r_chart(trial["diameter"], trial["sample"], constants="qcc")
    assert as_qcc.dispersion.ucl[0] == pytest.approx(0.04812533, rel=1e-6)
    assert as_qcc.dispersion.center[0] == pytest.approx(0.02276, rel=1e-6)
    assert as_qcc.location.ucl[0] == pytest.approx(74.0143, rel=1e-6)


def test_pistonrings_trial_mask_and_phase2(pistonrings: pd.DataFrame) -> None:
    per_sample = pistonrings.groupby("sample", sort=False)["trial"].first().to_numpy()
    pair = spc.xbar_r_chart(pistonrings["diameter"], pistonrings["sample"], trial=per_sample)
    assert pair.location.ucl[0] == pytest.approx(74.0143, rel=1e-6)
    assert pair.location.frame["trial"].sum() == 25
    assert pair.location.frame["label"].tolist() == list(range(1, 41))
    # phase II: the last 15 samples against the phase I limits give the same limits
    first = spc.xbar_r_chart(pistonrings["diameter"][:125], pistonrings["sample"][:125])
    new = spc.xbar_r_chart(pistonrings["diameter"][125:], pistonrings["sample"][125:], phase1=first)
    np.testing.assert_allclose(new.location.ucl, first.location.ucl[0])
    np.testing.assert_allclose(new.location.statistic, pair.location.statistic[25:])
    assert not new.location.trial.any()


def test_orangejuice_p_chart_matches_qcc(orangejuice: pd.DataFrame) -> None:
    trial = orangejuice[orangejuice["trial"]]
    chart = spc.p_chart(trial["D"], trial["size"])
    # qcc: qcc(D[trial], sizes = size[trial], type = "p")
    assert chart.center[0] == pytest.approx(0.2313333, rel=1e-6)
    assert chart.lcl[0] == pytest.approx(0.05242755, rel=1e-6)
    assert chart.ucl[0] == pytest.approx(0.4102391, rel=1e-6)
    beyond = chart.frame.loc[chart.frame["beyond_limits"], "point"] + 1  # qcc numbers from 1
    assert beyond.tolist() == [15, 23]
    same = spc.p_chart(orangejuice["D"], orangejuice["size"], trial=orangejuice["trial"].to_numpy())
    assert same.ucl[0] == pytest.approx(0.4102391, rel=1e-6)


# --- run rules: hand-worked series with center 0 and sigma 1 -------------------------------

ALL = [*spc.RULE_SETS["nelson"], *spc.RULE_SETS["western_electric"]]
CASES = {
    # one point at 3.5 sigma
    "N1": ([0.5, -0.5, 0.5, 3.5, -0.5, 0.5], {(3, "N1"), (3, "WE1")}),
    # nine positive points (WE4 fires at the eighth and ninth)
    "N2": ([0.5, 0.3, 0.6, 0.2, 0.5, 0.4, 0.7, 0.3, 0.5], {(8, "N2"), (7, "WE4"), (8, "WE4")}),
    # -0.8 ... 0.7: six points rising, completed at index 6
    "N3": ([0.2, -0.8, -0.5, -0.2, 0.1, 0.4, 0.7, 0.3], {(6, "N3")}),
    # fourteen points alternating, completed at index 13
    "N4": ([0.5, -0.5] * 7, {(13, "N4")}),
    # 2.5, 0.5, 2.5: two of three beyond 2 sigma, completed at index 4
    "N5": ([0.5, -0.5, 2.5, 0.5, 2.5, -0.3], {(4, "N5"), (4, "WE2")}),
    # four of the five points 2..6 beyond 1 sigma
    "N6": ([0.5, -0.5, 1.5, 1.5, 0.5, 1.5, 1.5, -0.5], {(6, "N6"), (6, "WE3")}),
    # fifteen points inside zone C, neither trending nor alternating for long
    "N7": (
        [0.5, 0.3, -0.2, -0.4, 0.1, 0.6, -0.3, -0.1, 0.2, 0.4, -0.5, -0.2, 0.3, 0.1, -0.4],
        {(14, "N7")},
    ),
    # eight points outside zone C on both sides, indices 1..8
    "N8": ([0.5, 1.5, -1.5, 1.2, -1.2, 1.5, -1.5, 1.2, -1.2], {(8, "N8")}),
    # eight positive points: Western Electric rule 4 only
    "WE4": ([0.5, 0.3, 0.6, 0.2, 0.5, 0.4, 0.7, 0.3], {(7, "WE4")}),
}


@pytest.mark.parametrize("rule", sorted(CASES))
def test_each_rule_fires_alone_at_the_known_point(rule: str) -> None:
    series, expected = CASES[rule]
    flags = spc.run_rules(series, 0.0, 1.0, rules=ALL)
    found = {(int(i), ALL[r]) for i, r in zip(*np.nonzero(flags), strict=True)}
    assert found == expected


def test_rule_sets_and_unknown_rules() -> None:
    assert spc.run_rules([0.0] * 3, 0.0, 1.0, rules="nelson").shape == (3, 8)
    assert spc.run_rules([0.0] * 3, 0.0, 1.0).shape == (3, 4)
    with pytest.raises(ModelError, match="unknown rule id 'N9'"):
        spc.run_rules([0.0], 0.0, 1.0, rules=["N9"])
    with pytest.raises(ModelError, match="unknown rule set"):
        spc.run_rules([0.0], 0.0, 1.0, rules="westinghouse")


def test_boundaries_are_inclusive_of_the_inner_zone() -> None:
    # exactly on 3 sigma is not beyond; on 2 sigma is not zone A; on the center breaks a run
    assert not spc.run_rules([3.0], 0.0, 1.0, rules=["N1"]).any()
    assert not spc.run_rules([2.0, 2.0], 0.0, 1.0, rules=["N5"]).any()
    on_center = [0.5] * 4 + [0.0] + [0.5] * 4
    assert not spc.run_rules(on_center, 0.0, 1.0, rules=["WE4"]).any()
    ties = [-1.0, -0.5, 0.0, 0.0, 0.5, 1.0, 1.5]  # a tie breaks the rise
    assert not spc.run_rules(ties, 0.0, 1.0, rules=["N3"]).any()
    # a value equal to the UCL up to rounding (0.1 + 3 * 0.7) is still on the limit
    assert not spc.run_rules([0.1 + 3 * 0.7], 0.1, 0.7, rules=["N1"]).any()


def test_long_run_flags_every_point_from_the_completing_one() -> None:
    flags = spc.run_rules([0.5] * 11, 0.0, 1.0, rules=["N2"])[:, 0]
    assert np.flatnonzero(flags).tolist() == [8, 9, 10]


def test_nan_is_never_flagged_and_breaks_runs() -> None:
    x = [0.5] * 5 + [np.nan] + [0.5] * 5 + [5.0, np.nan]
    flags = spc.run_rules(x, 0.0, 1.0, rules=["N1", "N2"])
    assert np.flatnonzero(flags[:, 0]).tolist() == [11]
    assert not flags[:, 1].any()


def test_zero_sigma() -> None:
    flags = spc.run_rules([1.0, 1.0, 1.2], 1.0, 0.0, rules=["N1"])[:, 0]
    assert flags.tolist() == [False, False, True]


def test_two_dimensional_form_equals_row_by_row() -> None:
    rng = np.random.default_rng(7)
    x = rng.normal(size=(50, 60))
    x[3, 20] = 4.0
    both = spc.run_rules(x, 0.0, 1.0, rules="nelson")
    rows = np.stack([spc.run_rules(row, 0.0, 1.0, rules="nelson") for row in x])
    np.testing.assert_array_equal(both, rows)
    assert both[3, 20, 0]


def test_run_rules_with_per_point_sigma() -> None:
    # the same value is beyond 3 sigma of a small subgroup's statistic and inside a large one's
    flags = spc.run_rules([0.5, 0.5], 0.0, [0.1, 0.5], rules=["N1"])[:, 0]
    assert flags.tolist() == [True, False]


# --- charts: hand-worked -------------------------------------------------------------------


def test_imr_chart_by_hand() -> None:
    # mean 10.8333; moving ranges 1, 1.5, 1, 0.5, 4 -> MR-bar 1.6; sigma 1.6 / 1.128
    pair = spc.imr_chart([10.0, 11.0, 9.5, 10.5, 10.0, 14.0])
    sigma = 1.6 / 1.128
    assert pair.parameters.sigma == pytest.approx(sigma)
    assert pair.location.ucl[0] == pytest.approx(65 / 6 + 3 * sigma)
    assert math.isnan(pair.dispersion.statistic[0])
    assert pair.dispersion.center[-1] == pytest.approx(1.6)
    assert pair.dispersion.ucl[-1] == pytest.approx(1.6 + 3 * spc.d3(2) * sigma)
    frame = pair.frame
    assert list(frame["chart"].unique()) == ["I", "MR"]
    assert frame.loc[frame["chart"] == "MR", "zone"].iloc[0] == ""


def test_imr_phase2_and_known_standards() -> None:
    first = spc.imr_chart([10.0, 11.0, 9.5, 10.5, 10.0, 11.0])
    later = spc.imr_chart([10.0, 20.0], phase1=first, rules="nelson")
    assert later.location.frame["rules"].tolist() == ["", "N1"]
    known = spc.ProcessParameters(family="imr", center=0.0, sigma=1.0)
    assert spc.imr_chart([0.0, 3.5], phase1=known).location.beyond_limits.tolist() == [False, True]
    with pytest.raises(ModelError, match="cannot judge"):
        spc.p_chart([1], [10], phase1=first)
    with pytest.raises(ModelError, match="differs from phase I"):
        spc.imr_chart([1.0, 2.0], phase1=first, constants="exact")


def test_xbar_s_and_variable_sizes() -> None:
    values = [1.0, 2.0, 3.0, 2.0, 4.0, 6.0, 1.0, 3.0]
    groups = ["a", "a", "a", "b", "b", "b", "c", "c"]
    pair = spc.xbar_s_chart(values, groups)
    # subgroup sds 1, 2, sqrt(2); sigma = mean(s_i / c4(n_i))
    s = np.array([1.0, 2.0, math.sqrt(2)])
    c4 = np.array([spc.c4(3), spc.c4(3), spc.c4(2)])
    sigma = float(np.mean(s / c4))
    assert pair.parameters.sigma == pytest.approx(sigma)
    assert pair.location.center[0] == pytest.approx(22 / 8)
    half = pair.location.ucl - pair.location.center
    np.testing.assert_allclose(half, 3 * sigma / np.sqrt([3, 3, 2]))
    np.testing.assert_allclose(pair.dispersion.center, c4 * sigma)
    assert pair.frame["label"].tolist()[:3] == ["a", "b", "c"]


def test_attribute_charts_by_hand() -> None:
    # np: p-bar = 16 / 80 = 0.2, n = 20 -> center 4, sigma sqrt(20 * 0.2 * 0.8) = 1.7889
    ch = spc.np_chart([2, 3, 10, 1], 20)
    assert ch.ucl[0] == pytest.approx(4 + 3 * math.sqrt(3.2))
    assert ch.lcl[0] == 0.0
    # c: c-bar 5 -> limits 5 ± 3 sqrt(5), lower one clipped at 0
    c = spc.c_chart([4, 6, 5, 5])
    assert (c.lcl[0], c.ucl[0]) == (0.0, pytest.approx(5 + 3 * math.sqrt(5)))
    # u with varying sizes: u-bar = 21 / 4; limits per point
    u = spc.u_chart([4, 12, 5], [1, 2, 1])
    np.testing.assert_allclose(u.ucl, 5.25 + 3 * np.sqrt(5.25 / np.array([1, 2, 1])))
    # p with varying sizes: limits per point
    p = spc.p_chart([5, 10], [50, 100])
    np.testing.assert_allclose(p.ucl, 0.1 + 3 * np.sqrt(0.09 / np.array([50, 100])))


def test_frame_columns_and_rule_strings() -> None:
    x = [0.5, 0.3, 0.6, 0.2, 0.5, 0.4, 0.7, 0.3, 0.5, 4.0]
    known = spc.ProcessParameters(family="imr", center=0.0, sigma=1.0)
    frame = spc.imr_chart(x, phase1=known, rules="nelson").location.frame
    assert list(frame.columns) == [
        "point", "label", "size", "statistic", "center", "lcl", "ucl", "z", "zone", "trial",
        "beyond_limits", "rules", "signal",
    ]  # fmt: skip
    assert frame["rules"].tolist()[-2:] == ["N2", "N1,N2"]
    assert frame["zone"].tolist()[-1] == "beyond"


# --- SVG -----------------------------------------------------------------------------------


def test_svg_is_well_formed_self_contained_and_escaped() -> None:
    pair = spc.xbar_r_chart([1.0, 2.0, 3.0, 2.0, 9.0, 4.0], ["<b>&", "<b>&", "<b>&", "x", "x", "x"])
    svg = pair.to_svg()
    root = ET.fromstring(svg)
    assert root.tag.endswith("svg")
    assert "<b>" not in svg
    assert "http" not in svg.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "<script" not in svg
    chart = spc.p_chart([5, 10, 30], [50, 100, 60])
    assert chart._repr_svg_() == chart.to_svg()
    ET.fromstring(chart.to_svg())
    assert 'fill="#d62728"' in chart.to_svg()  # the point beyond the limits is marked


# --- laws ----------------------------------------------------------------------------------

values_st = st.lists(st.integers(-500, 500), min_size=3, max_size=40).map(
    lambda v: np.asarray(v, dtype=float) / 10
)


@settings(max_examples=60, deadline=None)
@given(x=values_st, k=st.floats(0.01, 100), b=st.floats(-1000, 1000))
def test_imr_limits_follow_an_affine_map_and_flags_do_not_change(
    x: np.ndarray, k: float, b: float
) -> None:
    assume(np.ptp(x) > 0)
    one = spc.imr_chart(x, rules="nelson").location
    two = spc.imr_chart(k * x + b, rules="nelson").location
    assert two.center[0] == pytest.approx(k * one.center[0] + b, rel=1e-9, abs=1e-9)
    np.testing.assert_allclose(two.ucl, k * one.ucl + b, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(two.lcl, k * one.lcl + b, rtol=1e-9, atol=1e-9)
    np.testing.assert_array_equal(two.violations, one.violations)
    np.testing.assert_array_equal(two.beyond_limits, one.beyond_limits)


@settings(max_examples=40, deadline=None)
@given(x=values_st, k=st.floats(0.01, 100), b=st.floats(-1000, 1000), n=st.sampled_from([2, 3]))
def test_xbar_limits_follow_an_affine_map(x: np.ndarray, k: float, b: float, n: int) -> None:
    x = x[: len(x) // n * n]
    assume(x.size >= n and np.ptp(x) > 0)
    one = spc.xbar_r_chart(x, n, rules="nelson")
    two = spc.xbar_r_chart(k * x + b, n, rules="nelson")
    np.testing.assert_allclose(two.location.ucl, k * one.location.ucl + b, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(two.dispersion.ucl, k * one.dispersion.ucl, rtol=1e-9, atol=1e-12)
    np.testing.assert_array_equal(two.location.violations, one.location.violations)
    np.testing.assert_array_equal(two.location.signals, one.location.signals)


@settings(max_examples=60, deadline=None)
@given(d=st.lists(st.integers(0, 50), min_size=1, max_size=30))
def test_p_chart_limits_stay_within_zero_and_one(d: list[int]) -> None:
    chart = spc.p_chart(d, 50)
    assert ((chart.lcl >= 0) & (chart.lcl <= chart.center) & (chart.ucl <= 1)).all()


# --- bad input -----------------------------------------------------------------------------


def test_empty_and_one_point() -> None:
    with pytest.raises(ObservationError, match="at least 2 values"):
        spc.imr_chart([])
    with pytest.raises(ObservationError, match="at least 2 values"):
        spc.imr_chart([1.0])
    with pytest.raises(ObservationError, match="empty"):
        spc.p_chart([], [])
    with pytest.raises(ObservationError, match="empty"):
        spc.xbar_r_chart([], [])
    # documented: one sample is enough for attribute charts and one subgroup for X-bar
    assert spc.c_chart([4]).center[0] == 4.0
    assert spc.xbar_r_chart([1.0, 2.0], 2).location.center[0] == 1.5


def test_constant_series_gives_zero_sigma() -> None:
    # documented: limits collapse onto the center; nothing is beyond them; only N7 (fifteen
    # points hugging the center: no variation to see) fires, from the fifteenth point on
    pair = spc.imr_chart([5.0] * 20, rules="nelson")
    assert pair.parameters.sigma == 0.0
    assert (pair.location.ucl == 5.0).all()
    assert not pair.location.beyond_limits.any()
    assert (pair.location.frame["zone"] == "C").all()
    assert set(pair.location.frame["rules"]) == {"", "N7"}
    assert pair.location.frame["rules"].tolist().index("N7") == 14
    assert not spc.imr_chart([5.0] * 20).location.signals.any()  # Western Electric rules
    # a later value off a zero-sigma process is infinitely far out
    later = spc.imr_chart([5.0, 5.1], phase1=pair)
    assert later.location.beyond_limits.tolist() == [False, True]


def test_bad_values_and_counts() -> None:
    with pytest.raises(ObservationError, match="first at position 2"):
        spc.imr_chart([1.0, 2.0, np.nan])
    with pytest.raises(ObservationError, match="sizes must be positive; sample 1"):
        spc.p_chart([1, 2], [10, 0])
    with pytest.raises(ObservationError, match="defectives must be non-negative; sample 0"):
        spc.p_chart([-1, 2], [10, 10])
    with pytest.raises(ObservationError, match="at most its size"):
        spc.np_chart([11], [10])
    with pytest.raises(ObservationError, match="counts must be non-negative"):
        spc.c_chart([3, -1])
    with pytest.raises(ObservationError, match="positive divisor"):
        spc.xbar_r_chart([1.0, 2.0, 3.0], 0)
    with pytest.raises(ObservationError, match="subgroup 'b' has 1 value"):
        spc.xbar_r_chart([1.0, 2.0, 3.0], ["a", "a", "b"])
    with pytest.raises(ObservationError, match="trial selects no point"):
        spc.c_chart([1, 2], trial=[False, False])
    with pytest.raises(ModelError, match="needs a finite process sigma"):
        spc.ProcessParameters(family="imr", center=0.0)
