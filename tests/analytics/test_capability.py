"""Process capability against qcc's pistonrings figures, Six Sigma tables and hand-worked cases."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from balanced_scorecard.analytics._distributions import (
    chi2_cdf,
    chi2_ppf,
    normal_cdf,
    normal_isf,
    normal_ppf,
    normal_sf,
)
from balanced_scorecard.analytics._spc_constants import c4, d2, d3
from balanced_scorecard.analytics.capability import (
    capability,
    dpmo,
    dpmo_from_sigma_level,
    sigma_level,
)
from balanced_scorecard.exceptions import ModelError, ObservationError, ScorecardError

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def pistonrings() -> pd.DataFrame:
    frame = pd.read_csv(DATA / "qcc_pistonrings.csv", comment="#")
    return frame[frame["trial"]]


# -- published references -------------------------------------------------------------------


def test_pistonrings_matches_qcc(pistonrings: pd.DataFrame) -> None:
    # qcc: process.capability(qcc(pistonrings samples 1-25, "xbar"), spec.limits = c(73.95,
    # 74.05)) reports Cp 1.703 and Cp_k 1.663 with sigma = R-bar/d2 = 0.009785039 and center
    # 74.00118 (refdata README).
    cap = capability(pistonrings["diameter"], subgroups=pistonrings["sample"], lsl=73.95, usl=74.05)
    assert cap.sigma_within_method == "rbar"
    assert cap.n == 125
    assert cap.n_subgroups == 25
    assert cap.sigma_within == pytest.approx(0.009785039, rel=1e-6)
    assert cap.mean == pytest.approx(74.00118, abs=5e-6)
    assert round(cap.cp, 3) == 1.703
    assert round(cap.cpk, 3) == 1.663
    assert cap.cpk == cap.cpu  # the mean sits above the midpoint 74.00


def test_pistonrings_as_a_2d_array_gives_the_same(pistonrings: pd.DataFrame) -> None:
    grid = pistonrings["diameter"].to_numpy().reshape(25, 5)
    a = capability(grid, lsl=73.95, usl=74.05)
    b = capability(pistonrings["diameter"], subgroups=pistonrings["sample"], lsl=73.95, usl=74.05)
    assert a.cp == pytest.approx(b.cp)
    assert a.ppk == pytest.approx(b.ppk)


def test_constants_match_the_reference_table() -> None:
    table = pd.read_csv(DATA / "control_chart_constants_n2_10.csv", comment="#")
    # The constants capability uses are the control charts' (analytics._spc_constants).
    sizes = range(2, 11)
    np.testing.assert_array_equal([d2(n, constants="table") for n in sizes], table["d2"])
    np.testing.assert_array_equal([round(d3(n), 3) for n in sizes], table["d3"])
    np.testing.assert_array_equal([round(c4(n), 4) for n in sizes], table["c4"])
    np.testing.assert_allclose([d2(n) for n in sizes], table["d2_exact"], atol=1e-6)
    np.testing.assert_allclose([d3(n) for n in sizes], table["d3_exact"], atol=1e-6)
    np.testing.assert_allclose([c4(n) for n in sizes], table["c4_exact"], atol=1e-6)


def test_sigma_level_table() -> None:
    table = pd.read_csv(DATA / "six_sigma_sigma_level_dpmo.csv", comment="#")
    levels = table["sigma_level"].to_numpy()
    # The table prints four decimals, so agreement is to half a unit in the fourth decimal.
    np.testing.assert_allclose(
        dpmo_from_sigma_level(levels), table["dpmo_one_tail_shift1p5"], rtol=0, atol=5e-5
    )
    np.testing.assert_allclose(
        dpmo_from_sigma_level(levels, tails="two"),
        table["dpmo_two_tail_shift1p5"],
        rtol=0,
        atol=5e-5,
    )
    np.testing.assert_allclose(sigma_level(table["dpmo_one_tail_shift1p5"]), levels, atol=1e-5)
    np.testing.assert_allclose(
        sigma_level(table["dpmo_two_tail_shift1p5"], tails="two"), levels, atol=1e-5
    )
    # The headline figures: 3 sigma is 66,807 DPMO and 6 sigma is 3.4 DPMO.
    assert round(float(dpmo_from_sigma_level(3))) == 66_807
    assert round(float(dpmo_from_sigma_level(6)), 1) == 3.4
    assert float(sigma_level(3.4)) == pytest.approx(6.0, abs=1e-3)


def test_unshifted_sigma_level_is_the_plain_quantile() -> None:
    # 2,700 DPMO two-tailed is the familiar +-3 sigma of a centred normal (0.27 %).
    assert float(sigma_level(2699.796, shift=0, tails="two")) == pytest.approx(3.0, abs=1e-6)
    assert float(sigma_level(1349.898, shift=0)) == pytest.approx(3.0, abs=1e-6)


# -- distribution functions against printed tables --------------------------------------------


@pytest.mark.parametrize(
    ("p", "df", "table"),
    [
        # Chi-square table (e.g. Montgomery, appendix III), three decimals.
        (0.975, 1, 5.024),
        (0.025, 1, 0.001),
        (0.95, 10, 18.307),
        (0.05, 10, 3.940),
        (0.025, 30, 16.791),
        (0.975, 30, 46.979),
        (0.995, 2, 10.597),
        (0.975, 100, 129.561),
        (0.025, 100, 74.222),
    ],
)
def test_chi2_quantiles(p: float, df: int, table: float) -> None:
    assert round(chi2_ppf(p, df), 3) == table
    assert chi2_cdf(chi2_ppf(p, df), df) == pytest.approx(p, rel=1e-10)


@pytest.mark.parametrize(
    ("p", "table"), [(0.975, 1.959964), (0.995, 2.575829), (0.95, 1.644854), (0.5, 0.0)]
)
def test_normal_quantiles(p: float, table: float) -> None:
    assert float(normal_ppf(p)) == pytest.approx(table, abs=1e-6)


@given(st.floats(0, 8))
def test_normal_quantile_inverts_the_cdf(x: float) -> None:
    # Each tail is inverted from its own small probability (1 - tiny loses the digits).
    assert float(normal_ppf(normal_cdf(-x))) == pytest.approx(-x, abs=1e-9)
    assert float(normal_isf(normal_sf(x))) == pytest.approx(x, abs=1e-9)


def test_normal_isf_edges() -> None:
    assert float(normal_isf(0.0)) == math.inf
    assert float(normal_isf(1.0)) == -math.inf
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        normal_isf(1.5)


# -- hand-worked cases -------------------------------------------------------------------------


def test_individuals_use_the_moving_range() -> None:
    # Values 10, 12, 11, 13, 12: moving ranges 2, 1, 2, 1 -> MR-bar 1.5, /1.128 = 1.329787.
    # Mean 11.6; overall s = sqrt(1.3) = 1.140175. LSL 8, USL 16:
    # Cp = 8 / (6 * 1.329787) = 1.002667; Cpu = 4.4 / (3 * 1.329787) = 1.102933;
    # Cpl = 3.6 / (3 * 1.329787) = 0.902400 = Cpk. Pp = 8 / (6 * 1.140175) = 1.169411.
    cap = capability([10, 12, 11, 13, 12], lsl=8, usl=16)
    assert cap.sigma_within_method == "moving_range"
    assert cap.sigma_within == pytest.approx(1.5 / 1.128)
    assert cap.sigma_overall == pytest.approx(math.sqrt(1.3))
    assert cap.cp == pytest.approx(1.002667, abs=1e-6)
    assert cap.cpl == pytest.approx(0.902400, abs=1e-6)
    assert cap.cpu == pytest.approx(1.102933, abs=1e-6)
    assert cap.cpk == cap.cpl
    assert cap.pp == pytest.approx(1.169411, abs=1e-6)
    # Cpm with target = midpoint 12: 8 / (6 sqrt(1.3 + 0.16)) = 1.103460.
    assert cap.target == 12
    assert cap.cpm == pytest.approx(8 / (6 * math.sqrt(1.46)))
    assert "MR-bar" in cap.sigma_within_note


def test_sbar_and_exact_constants() -> None:
    # Two subgroups of 4: [1, 2, 3, 4] (s = 1.290994) and [2, 2, 4, 4] (s = 1.154701);
    # S-bar = 1.222848, c4(4) = 0.9213 -> 1.327307.
    x = np.array([[1, 2, 3, 4], [2, 2, 4, 4]], dtype=float)
    cap = capability(x, lsl=-3, usl=9, sigma_within="sbar")
    s_bar = (np.std([1, 2, 3, 4], ddof=1) + np.std([2, 2, 4, 4], ddof=1)) / 2
    assert cap.sigma_within == pytest.approx(s_bar / 0.9213)
    exact = capability(x, lsl=-3, usl=9, sigma_within="sbar", constants="exact")
    assert exact.sigma_within == pytest.approx(s_bar / 0.921318, rel=1e-6)
    # Ranges 3 and 2 -> R-bar 2.5 / d2(4) 2.059.
    assert capability(x, lsl=-3, usl=9).sigma_within == pytest.approx(2.5 / 2.059)


def test_unequal_subgroups_pool_with_weights() -> None:
    # Sizes 2 and 3: R/d2 = 1/1.128 and 2/1.693, weighted by (d2/d3)^2.
    values = [1.0, 2.0, 5.0, 6.0, 7.0]
    cap = capability(values, subgroups=["a", "a", "b", "b", "b"], lsl=0, usl=10)
    w = np.array([(1.128 / 0.853) ** 2, (1.693 / 0.888) ** 2])
    expected = (w[0] * 1 / 1.128 + w[1] * 2 / 1.693) / w.sum()
    assert cap.sigma_within == pytest.approx(expected)


def test_confidence_intervals_hand_worked() -> None:
    # N = 5, Cp = 1.002667; chi-square 0.025 and 0.975 with 4 df are 0.4844 and 11.1433:
    # Cp * sqrt(0.4844/4) = 0.348919 and Cp * sqrt(11.1433/4) = 1.673544.
    cap = capability([10, 12, 11, 13, 12], lsl=8, usl=16)
    assert cap.cp_ci == pytest.approx((0.348919, 1.673544), abs=2e-5)
    # Bissell: 0.9024 -+ 1.959964 * sqrt(1/45 + 0.9024^2/8) = 0.9024 -+ 0.670186.
    half = 1.959964 * math.sqrt(1 / 45 + 0.9024**2 / 8)
    assert cap.cpk_ci == pytest.approx((0.9024 - half, 0.9024 + half), abs=1e-5)
    wider = capability([10, 12, 11, 13, 12], lsl=8, usl=16, confidence=0.99)
    assert wider.cp_ci[0] < cap.cp_ci[0] < cap.cp < cap.cp_ci[1] < wider.cp_ci[1]


def test_expected_and_observed_shares() -> None:
    # Mean 11.6, within sigma 1.329787: below LSL 8 is Q(3.6/1.329787) = Q(2.707200).
    cap = capability([10, 12, 11, 13, 12], lsl=8, usl=16)
    z_low = 3.6 / (1.5 / 1.128)
    assert cap.expected_within.share_below == pytest.approx(0.5 * math.erfc(z_low / math.sqrt(2)))
    assert cap.expected_within.dpmo == pytest.approx(cap.expected_within.share_outside * 1e6)
    assert cap.expected_within.process_yield == pytest.approx(1 - cap.expected_within.share_outside)
    assert cap.expected_within.sigma_level == pytest.approx(
        cap.expected_within.sigma_level_unshifted + 1.5
    )
    # Observed: two of eight values outside (one below, one at the limit, one above).
    obs = capability([7, 8, 10, 11, 12, 13, 16, 17], lsl=8, usl=16).observed
    assert (obs.share_below, obs.share_above) == (1 / 8, 1 / 8)
    assert obs.dpmo == 250_000


def test_one_sided_specification() -> None:
    cap = capability([10, 12, 11, 13, 12], usl=16)
    assert math.isnan(cap.cp)
    assert math.isnan(cap.cpl)
    assert math.isnan(cap.cpm)
    assert cap.cpk == cap.cpu
    assert cap.expected_overall.share_below == 0.0


def test_frame_and_dict() -> None:
    cap = capability([10, 12, 11, 13, 12], lsl=8, usl=16)
    frame = cap.frame
    assert list(frame.columns) == ["statistic", "basis", "value", "lower", "upper"]
    cp_row = frame[frame["statistic"] == "cp"].iloc[0]
    assert (cp_row["value"], cp_row["lower"]) == (cap.cp, cap.cp_ci[0])
    assert set(frame["basis"]) == {"within", "overall", "observed"}
    d = cap.as_dict()
    assert d["cp"] == cap.cp
    assert d["observed"]["dpmo"] == 0.0
    assert d["sigma_within_method"] == "moving_range"
    with pytest.raises(AttributeError):
        cap.cp = 2.0  # type: ignore[misc]


def test_dpmo() -> None:
    # 34 defects in 10,000 units of 1,000 opportunities: 34 / 10^7 * 10^6 = 3.4.
    assert float(dpmo(34, 10_000, opportunities=1000)) == pytest.approx(3.4)
    np.testing.assert_allclose(dpmo([0, 5], [100, 100]), [0.0, 50_000.0])


# -- properties --------------------------------------------------------------------------------


@given(
    st.lists(st.floats(-100, 100), min_size=3, max_size=40).filter(
        lambda xs: np.std(xs) > 1e-3 and np.abs(np.diff(xs)).mean() > 1e-3
    ),
    st.floats(0.1, 100),
    st.floats(-50, 50),
)
def test_indices_are_invariant_to_location_and_scale(
    xs: list[float], scale: float, offset: float
) -> None:
    x = np.array(xs)
    lsl, usl = x.mean() - 3 * x.std(), x.mean() + 2 * x.std()
    a = capability(x, lsl=lsl, usl=usl)
    b = capability(x * scale + offset, lsl=lsl * scale + offset, usl=usl * scale + offset)
    for f in ("cp", "cpk", "pp", "ppk", "cpm"):
        assert getattr(b, f) == pytest.approx(getattr(a, f), rel=1e-6)
    assert a.cpk <= a.cp + 1e-12
    assert a.ppk <= a.pp + 1e-12
    assert a.cp_ci[0] <= a.cp <= a.cp_ci[1]
    assert a.cpk_ci[0] <= a.cpk <= a.cpk_ci[1]


@given(st.floats(0, 1e6))
def test_sigma_level_round_trips(d: float) -> None:
    for tails in ("one", "two"):
        level = sigma_level(d, tails=tails)
        if np.isfinite(level):
            assert float(dpmo_from_sigma_level(level, tails=tails)) == pytest.approx(
                d, rel=1e-6, abs=1e-6
            )


# -- bad input ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "kwargs", "error", "match"),
    [
        ([], {"lsl": 0, "usl": 1}, ObservationError, "at least 2"),
        ([1.0], {"lsl": 0, "usl": 1}, ObservationError, "at least 2"),
        ([1.0, np.nan, 2.0], {"lsl": 0, "usl": 3}, ObservationError, "NaN"),
        ([5.0, 5.0, 5.0], {"lsl": 0, "usl": 10}, ObservationError, "no variation"),
        ([1.0, 2.0], {"lsl": 3, "usl": 3}, ModelError, "below usl"),
        ([1.0, 2.0], {"lsl": 4, "usl": 3}, ModelError, "below usl"),
        ([1.0, 2.0], {}, ModelError, "at least one specification limit"),
        ([1.0, 2.0], {"lsl": 0, "usl": 3, "confidence": 1.0}, ModelError, "confidence"),
        ([1.0, 2.0, 3.0], {"lsl": 0, "usl": 4, "sigma_within": "rbar"}, ObservationError, "2"),
        ([1.0, 2.0], {"lsl": 0, "usl": 4, "sigma_within": "pooled"}, ModelError, "unknown"),
    ],
)
def test_bad_input(data: list[float], kwargs: dict, error: type, match: str) -> None:  # type: ignore[type-arg]
    with pytest.raises(error, match=match) as info:
        capability(data, **kwargs)
    assert isinstance(info.value, ScorecardError)


def test_bad_subgroups() -> None:
    with pytest.raises(ObservationError, match="one label per value"):
        capability([1.0, 2.0, 3.0], subgroups=[1, 1], lsl=0, usl=4)
    with pytest.raises(ObservationError, match="sbar"):
        capability(np.arange(22.0).reshape(2, 11), lsl=-5, usl=30)
    # Constant within subgroups but different between: within sigma 0.
    with pytest.raises(ObservationError, match="no variation"):
        capability([[1.0, 1.0], [2.0, 2.0]], lsl=0, usl=3)
    with pytest.raises(ObservationError, match="subgroup"):
        capability([1.0, 2.0, 3.0], subgroups=["a", "a", "b"], lsl=0, usl=4)


def test_bad_dpmo_input() -> None:
    with pytest.raises(ObservationError, match="negative"):
        dpmo(-1, 10)
    with pytest.raises(ObservationError, match="positive"):
        dpmo(1, 0)
    with pytest.raises(ObservationError, match="more defects"):
        dpmo(11, 10)
    with pytest.raises(ObservationError, match="DPMO"):
        sigma_level(-5)
    with pytest.raises(ModelError, match="tails"):
        sigma_level(5, tails="both")  # type: ignore[arg-type]
