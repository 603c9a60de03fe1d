"""Evidence for the strategy map: lagged correlation, the Granger F test (against
statsmodels), link verdicts, candidate links and the series of an evaluation.

Reference numbers come from three places: hand-worked series (a shifted copy correlates
exactly), statsmodels' ``grangercausalitytests`` (a test-only dependency) on the statsmodels
macrodata set copied to ``tests/data`` (provenance in tests/data/README.md) and on random
series, and scipy's F distribution (installed with statsmodels).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from balanced_scorecard.algorithms.evidence import (
    CANDIDATE_COLUMNS,
    EVIDENCE_COLUMNS,
    GRANGER_COLUMNS,
    VERDICTS,
    candidate_links,
    evaluation_series,
    granger_test,
    lagged_correlation,
    link_evidence,
)
from balanced_scorecard.analytics._distributions import beta_inc, f_sf
from balanced_scorecard.exceptions import ModelError, ObservationError, UnknownNodeError
from balanced_scorecard.model import CausalLink, Indicator, Objective, Scorecard, Thresholds

stattools = pytest.importorskip("statsmodels.tsa.stattools")
scipy_stats = pytest.importorskip("scipy.stats")

MACRO = Path(__file__).resolve().parents[1] / "data" / "statsmodels_macrodata_realgdp_realcons.csv"


def _statsmodels_ssr_f(cause: np.ndarray, effect: np.ndarray, maxlag: int) -> pd.DataFrame:
    """statsmodels' ssr F test of "cause Granger-causes effect": it tests whether the SECOND
    column causes the FIRST, so the effect goes first."""
    res = stattools.grangercausalitytests(np.column_stack([effect, cause]), maxlag)
    rows = [(lag, *res[lag][0]["ssr_ftest"]) for lag in range(1, maxlag + 1)]
    return pd.DataFrame(rows, columns=["lag", "f", "p_value", "df_denom", "df_num"])


def _assert_matches_statsmodels(cause: np.ndarray, effect: np.ndarray, maxlag: int) -> None:
    ours = granger_test(cause, effect, lags=maxlag)
    ref = _statsmodels_ssr_f(cause, effect, maxlag)
    np.testing.assert_array_equal(ours["lag"], ref["lag"])
    np.testing.assert_allclose(ours["f"], ref["f"], rtol=1e-6)
    np.testing.assert_allclose(ours["p_value"], ref["p_value"], rtol=1e-6, atol=1e-300)
    np.testing.assert_array_equal(ours["df_num"], ref["df_num"])
    np.testing.assert_array_equal(ours["df_denom"], ref["df_denom"])


# -- F distribution ------------------------------------------------------------------------


def test_f_sf_hand_worked() -> None:
    # F(2, d) has the closed form (1 + 2x/d) ** (-d/2); F(1, 1) has its 5 % point at 161.4476
    # (printed F tables).
    assert f_sf(3.0, 2, 10) == pytest.approx(1.6**-5, rel=1e-12)
    assert f_sf(161.4476, 1, 1) == pytest.approx(0.05, rel=1e-5)
    assert f_sf(0.0, 3, 7) == 1.0
    assert f_sf(np.inf, 3, 7) == 0.0
    assert np.isnan(f_sf(np.nan, 3, 7))
    with pytest.raises(ValueError, match="degrees of freedom"):
        f_sf(1.0, 0, 7)


def test_f_sf_matches_scipy_over_a_grid() -> None:
    rng = np.random.default_rng(11)
    x = np.exp(rng.uniform(-8, 5, 3000))
    d1 = rng.integers(1, 40, 3000)
    d2 = rng.integers(1, 2000, 3000)
    ref = scipy_stats.f.sf(x, d1, d2)
    # Below 1e-250 both sides lose digits to underflow; no decision hangs on such p-values.
    np.testing.assert_allclose(f_sf(x, d1, d2), ref, rtol=1e-9, atol=1e-250)


@given(
    st.floats(0.05, 200),
    st.floats(0.05, 200),
    st.floats(0.001, 0.999),
)
def test_beta_inc_symmetry(a: float, b: float, x: float) -> None:
    # x away from 0 and 1, where 1 - x is exact enough for the identity to hold in floats.
    assert beta_inc(a, b, x) + beta_inc(b, a, 1.0 - x) == pytest.approx(1.0, abs=1e-10)


# -- lagged correlation --------------------------------------------------------------------


def test_shifted_copy_correlates_exactly_at_its_lag() -> None:
    # Hand-worked: effect[t] = cause[t - 2], so the pairs at lag 2 are identical values.
    cause = np.array([3.0, 5, 4, 6, 8, 7, 9, 8, 10, 12])
    effect = np.r_[np.nan, np.nan, cause[:-2]]
    res = lagged_correlation(cause, effect, max_lag=4)
    assert res.columns.tolist() == ["lag", "r", "n", "reason"]
    assert res["lag"].tolist() == [0, 1, 2, 3, 4]
    assert res.loc[2, "r"] == pytest.approx(1.0, abs=1e-12)
    assert int(res["r"].abs().idxmax()) == 2
    # NaN pairs are dropped: 8 complete pairs at lags 0..2, then one fewer per lag.
    assert res["n"].tolist() == [8, 8, 8, 7, 6]


def test_negated_series_has_r_minus_one() -> None:
    cause = np.array([1.0, 4, 2, 8, 5, 7])
    res = lagged_correlation(cause, -cause, max_lag=0)
    assert res.loc[0, "r"] == pytest.approx(-1.0, abs=1e-12)


def test_pairwise_nan_matches_pandas() -> None:
    rng = np.random.default_rng(2)
    c, e = rng.normal(size=30), rng.normal(size=30)
    c[[3, 10]] = np.nan
    e[[5, 20, 21]] = np.nan
    res = lagged_correlation(c, e, max_lag=3)
    for lag in range(4):
        ref = pd.Series(e).corr(pd.Series(c).shift(lag))
        pairs = (pd.Series(e).notna() & pd.Series(c).shift(lag).notna()).sum()
        assert res.loc[lag, "r"] == pytest.approx(ref, abs=1e-12)
        assert res.loc[lag, "n"] == pairs


def test_constant_empty_and_short_series_are_documented_nan() -> None:
    const = lagged_correlation([2.0, 2.0, 2.0, 2.0], [1.0, 3.0, 2.0, 5.0], max_lag=1)
    assert const["r"].isna().all()
    assert const["reason"].str.contains("cause is constant").all()
    flat = lagged_correlation([1.0, 3.0, 2.0, 5.0], [7.0, 7.0, 7.0, 7.0], max_lag=0)
    assert flat.loc[0, "reason"] == "effect is constant over the paired periods"
    empty = lagged_correlation([], [], max_lag=2)
    assert empty["n"].tolist() == [0, 0, 0]
    assert empty["reason"].str.startswith("fewer than 2").all()
    one = lagged_correlation([1.0], [2.0], max_lag=1)
    assert one["n"].tolist() == [1, 0]
    assert one["r"].isna().all()
    ok = lagged_correlation([1.0, 2.0, 4.0], [1.0, 3.0, 2.0], max_lag=0)
    assert ok.loc[0, "reason"] == ""


def test_lagged_correlation_bad_input() -> None:
    with pytest.raises(ModelError, match="max_lag must be an integer >= 0; got -1"):
        lagged_correlation([1.0, 2.0], [1.0, 2.0], max_lag=-1)
    with pytest.raises(ObservationError, match="cause has 3 periods and effect 2"):
        lagged_correlation([1.0, 2.0, 3.0], [1.0, 2.0])
    with pytest.raises(ObservationError, match="1-D"):
        lagged_correlation([[1.0, 2.0]], [[1.0, 2.0]])
    with pytest.raises(ObservationError, match="must be numbers"):
        lagged_correlation(["a", "b"], [1.0, 2.0])


series_values = st.lists(
    st.floats(-1e3, 1e3, allow_nan=False).map(lambda v: round(v, 3)), min_size=4, max_size=25
)


@given(series_values, st.data())
def test_correlation_laws(x: list[float], data: st.DataObject) -> None:
    y = data.draw(
        st.lists(st.floats(-1e3, 1e3).map(lambda v: round(v, 3)), min_size=len(x), max_size=len(x))
    )
    scale = data.draw(st.floats(0.01, 100))
    shift = data.draw(st.floats(-100, 100))
    forward = lagged_correlation(x, y, max_lag=2)
    r = forward["r"].dropna()
    assert ((r >= -1.0) & (r <= 1.0)).all()
    # Symmetric at lag 0.
    backward = lagged_correlation(y, x, max_lag=0)
    np.testing.assert_allclose(backward.loc[0, "r"], forward.loc[0, "r"], atol=1e-12)
    # Invariant to a positive affine rescaling of either series (up to rounding; skip
    # near-constant series where the rescaling decides whether the values are equal).
    moved = lagged_correlation(np.asarray(x) * scale + shift, y, max_lag=2)
    both = forward["r"].notna() & moved["r"].notna()
    assume(both.any())
    np.testing.assert_allclose(moved["r"][both], forward["r"][both], atol=1e-7)


# -- Granger -------------------------------------------------------------------------------


def _macro() -> tuple[np.ndarray, np.ndarray]:
    data = pd.read_csv(MACRO)
    gdp = np.diff(np.log(data["realgdp"].to_numpy()))
    cons = np.diff(np.log(data["realcons"].to_numpy()))
    return gdp, cons


@pytest.mark.parametrize("direction", ["cons->gdp", "gdp->cons"])
def test_granger_matches_statsmodels_on_macrodata(direction: str) -> None:
    gdp, cons = _macro()
    cause, effect = (cons, gdp) if direction == "cons->gdp" else (gdp, cons)
    _assert_matches_statsmodels(cause, effect, 6)


def test_granger_on_macrodata_growth_known_values() -> None:
    # statsmodels 0.14/0.15, x = [dlog realgdp, dlog realcons], maxlag 1: consumption growth
    # Granger-causes GDP growth, F = 28.99697 on (1, 198) degrees of freedom.
    gdp, cons = _macro()
    res = granger_test(cons, gdp, lags=1)
    assert res.loc[0, "f"] == pytest.approx(28.99697086415685, rel=1e-9)
    assert res.loc[0, "p_value"] == pytest.approx(2.0418103098396752e-07, rel=1e-7)
    assert (res.loc[0, "df_num"], res.loc[0, "df_denom"], res.loc[0, "n"]) == (1, 198, 201)


@settings(max_examples=60, deadline=None)
@given(
    st.integers(0, 2**32 - 1),
    st.integers(1, 4),
    st.integers(0, 40),
    st.floats(-2.0, 2.0),
)
def test_granger_matches_statsmodels_on_random_series(
    seed: int, maxlag: int, extra: int, coupling: float
) -> None:
    rng = np.random.default_rng(seed)
    n = 3 * maxlag + 2 + extra
    cause = rng.normal(size=n)
    effect = rng.normal(size=n) + coupling * np.r_[0.0, cause[:-1]]
    _assert_matches_statsmodels(cause, effect, maxlag)


def test_granger_columns_and_lag_selection() -> None:
    gdp, cons = _macro()
    res = granger_test(cons, gdp, lags=[2, 4])
    assert res.columns.tolist() == list(GRANGER_COLUMNS)
    assert res["lag"].tolist() == [2, 4]
    full = granger_test(cons, gdp, lags=4)
    np.testing.assert_allclose(res["f"], full["f"].iloc[[1, 3]], rtol=1e-12)


def test_granger_drops_rows_with_missing_values() -> None:
    # Missing values at the start only remove the first rows, so the result equals
    # statsmodels run on the shortened series.
    gdp, cons = _macro()
    cause, effect = cons[:60].copy(), gdp[:60].copy()
    cause[:3] = np.nan
    effect[1] = np.nan
    ours = granger_test(cause, effect, lags=2)
    ref = _statsmodels_ssr_f(cause[3:], effect[3:], 2)
    np.testing.assert_allclose(ours["f"], ref["f"], rtol=1e-9)
    # Lag 2 needs rows t with t, t-1, t-2 present: t = 5..59, 55 rows.
    assert ours["n"].tolist() == [56, 55]


def test_granger_gap_in_the_middle_against_lstsq() -> None:
    rng = np.random.default_rng(4)
    cause = rng.normal(size=40)
    effect = rng.normal(size=40) + 0.5 * np.r_[0.0, cause[:-1]]
    effect[20] = np.nan
    res = granger_test(cause, effect, lags=1)
    # Hand-built design: rows t = 1..39 whose effect[t], effect[t-1] and cause[t-1] exist.
    t = np.array([k for k in range(1, 40) if k not in (20, 21)])
    y = effect[t]
    restricted = np.column_stack([np.ones(t.size), effect[t - 1]])
    unrestricted = np.column_stack([restricted, cause[t - 1]])
    ssr = [
        float(np.sum((y - x @ np.linalg.lstsq(x, y, rcond=None)[0]) ** 2))
        for x in (restricted, unrestricted)
    ]
    expected = (ssr[0] - ssr[1]) / (ssr[1] / (t.size - 3))
    assert res.loc[0, "n"] == t.size == 37
    assert res.loc[0, "f"] == pytest.approx(expected, rel=1e-10)


def test_granger_too_few_points_names_n_lags_and_minimum() -> None:
    with pytest.raises(ObservationError, match=r"lags=3 needs at least 11 periods; got n=3"):
        granger_test([1.0, 2.0, 3.0], [2.0, 1.0, 3.0], lags=3)
    # Ten periods would do for lags=2, but a gap in the effect removes rows t = 5, 6, 7.
    gappy = np.arange(10.0) ** 2
    gappy[5] = np.nan
    with pytest.raises(ObservationError, match=r"lags=2 needs at least 6 complete rows.*gave 5"):
        granger_test(np.sin(np.arange(10.0)), gappy, lags=2)
    with pytest.raises(ModelError, match="lags must be an integer >= 1; got 0"):
        granger_test([1.0, 2.0], [1.0, 2.0], lags=0)
    with pytest.raises(ModelError, match="lags must be an integer >= 1; got -2"):
        granger_test([1.0, 2.0], [1.0, 2.0], lags=-2)
    with pytest.raises(ModelError, match="non-empty"):
        granger_test([1.0, 2.0], [1.0, 2.0], lags=[])


def test_granger_singular_designs_are_clear_errors() -> None:
    rng = np.random.default_rng(9)
    noise = rng.normal(size=30)
    with pytest.raises(ObservationError, match="the cause's past is constant"):
        granger_test(np.full(30, 4.0), noise, lags=2)
    with pytest.raises(ObservationError, match="the effect's own past is constant"):
        granger_test(noise, np.full(30, 4.0), lags=2)


def test_granger_exact_fit_gives_infinite_f() -> None:
    cause = np.random.default_rng(1).normal(size=20)
    effect = np.r_[0.0, cause[:-1]]  # the cause one period later, exactly
    res = granger_test(cause, effect, lags=1)
    assert res.loc[0, "f"] == np.inf
    assert res.loc[0, "p_value"] == 0.0


# -- link evidence -------------------------------------------------------------------------


def _frame(periods: int = 40, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    driver = rng.normal(size=periods).cumsum() * 0.3 + rng.normal(size=periods)
    return pd.DataFrame(
        {
            "driver": driver,
            "lagged2": np.r_[np.nan, np.nan, driver[:-2]],  # the driver two periods later
            "opposite": -driver,
            "noise": np.random.default_rng(seed + 100).normal(size=periods),
            "flat": np.full(periods, 3.0),
        },
        index=pd.Index([f"2020-{k:02d}" for k in range(periods)], name="period"),
    )


def test_link_evidence_hand_worked_cases() -> None:
    links = [
        CausalLink(cause="driver", effect="lagged2", sign="+", lag=2),
        CausalLink(cause="driver", effect="opposite", sign="+", lag=0),
        CausalLink(cause="noise", effect="driver", sign="+", lag=1),
        CausalLink(cause="driver", effect="missing_node", lag=1),
        CausalLink(cause="flat", effect="driver", lag=1),
        CausalLink(cause="driver", effect="opposite", sign="-", lag=0),
    ]
    res = link_evidence(_frame(), links)
    assert res.columns.tolist() == list(EVIDENCE_COLUMNS)
    assert len(res) == len(links)
    shifted, opposite, noise, missing, flat, negative = (res.iloc[k] for k in range(6))

    assert shifted["best_lag"] == 2
    assert shifted["r_at_best_lag"] == pytest.approx(1.0, abs=1e-12)
    assert shifted["r_at_declared_lag"] == pytest.approx(1.0, abs=1e-12)
    assert shifted["verdict"] == "supported"
    assert shifted["granger_lags"] == 2
    assert shifted["strength"] == pytest.approx(1.0)
    assert shifted["n"] == 38

    assert opposite["verdict"] == "contradicted"
    assert not opposite["sign_agrees"]
    assert opposite["strength"] == 0.0
    assert "opposite sign to the declared '+'" in opposite["reason"]
    # The same pair declared with '-' is supported on the same-period correlation alone.
    assert negative["verdict"] == "supported"
    assert negative["strength"] == pytest.approx(1.0)

    assert noise["verdict"] == "weak"
    assert "not significant" in noise["reason"]

    assert missing["verdict"] == "insufficient-data"
    assert missing["reason"] == "no series for 'missing_node'"
    assert pd.isna(missing["best_lag"])
    assert np.isnan(missing["strength"])
    assert missing["n"] == 0

    assert flat["verdict"] == "insufficient-data"
    assert flat["reason"] == "cause 'flat' is constant"


def test_link_evidence_granger_columns_equal_granger_test() -> None:
    frame = _frame(seed=3)
    frame["follower"] = 0.6 * frame["driver"].shift(1) + frame["noise"]
    res = link_evidence(frame, [CausalLink(cause="driver", effect="follower", lag=1)])
    g = int(res.loc[0, "granger_lags"])
    ref = granger_test(frame["driver"], frame["follower"], lags=[g])
    assert res.loc[0, "granger_f"] == pytest.approx(ref.loc[0, "f"], rel=1e-12)
    assert res.loc[0, "granger_p"] == pytest.approx(ref.loc[0, "p_value"], rel=1e-12)
    corr = lagged_correlation(frame["driver"], frame["follower"], max_lag=4)
    best = int(res.loc[0, "best_lag"])
    assert best == int(corr["r"].abs().idxmax())
    assert res.loc[0, "r_at_best_lag"] == pytest.approx(corr.loc[best, "r"], abs=1e-12)
    assert res.loc[0, "verdict"] == "supported"


def test_independent_noise_is_never_supported_with_the_declared_sign_at_chance() -> None:
    # Seeded: 20 independent pairs; a supported verdict at this alpha would be a false alarm.
    rng = np.random.default_rng(2024)
    frame = pd.DataFrame(rng.normal(size=(36, 40)), columns=[f"s{k}" for k in range(40)])
    links = [CausalLink(cause=f"s{2 * k}", effect=f"s{2 * k + 1}", lag=1) for k in range(20)]
    res = link_evidence(frame, links, alpha=0.01)
    assert (res["verdict"] != "supported").all()
    assert set(res["verdict"]) <= set(VERDICTS)


def test_link_evidence_too_few_points() -> None:
    frame = _frame(periods=6)
    res = link_evidence(frame, [CausalLink(cause="driver", effect="noise", lag=1)], min_points=8)
    assert res.loc[0, "verdict"] == "insufficient-data"
    assert res.loc[0, "reason"] == "only 6 periods with both values; min_points is 8"


def test_link_evidence_granger_not_computable_is_weak_with_reason() -> None:
    # 9 periods are enough pairs (min_points=5) but not for a Granger test with lags 1..3.
    frame = _frame(periods=9)
    res = link_evidence(frame, [CausalLink(cause="driver", effect="lagged2", lag=3)], min_points=5)
    assert res.loc[0, "verdict"] == "weak"
    assert "Granger test not computable" in res.loc[0, "reason"]
    assert np.isnan(res.loc[0, "granger_p"])


def test_link_evidence_empty_and_bad_input() -> None:
    empty = link_evidence(_frame(), [])
    assert empty.empty
    assert empty.columns.tolist() == list(EVIDENCE_COLUMNS)
    nothing = link_evidence(pd.DataFrame(), [CausalLink(cause="a", effect="b")])
    assert nothing.loc[0, "reason"] == "no series for 'a' and 'b'"
    with pytest.raises(ObservationError, match="wide DataFrame"):
        link_evidence(np.zeros((3, 3)), [])  # type: ignore[arg-type]
    with pytest.raises(ObservationError, match=r"columns \['label'\] are not numeric"):
        link_evidence(pd.DataFrame({"x": [1.0, 2.0], "label": ["a", "b"]}), [])
    with pytest.raises(ObservationError, match="duplicate columns"):
        link_evidence(pd.DataFrame([[1.0, 2.0]], columns=["x", "x"]), [])
    with pytest.raises(ModelError, match="alpha"):
        link_evidence(_frame(), [], alpha=1.5)
    with pytest.raises(ModelError, match="min_points must be an integer >= 3; got 2"):
        link_evidence(_frame(), [], min_points=2)


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(0, 3), st.sampled_from(["+", "-"]))
def test_strength_is_in_unit_interval_and_verdicts_are_known(
    seed: int, lag: int, sign: str
) -> None:
    rng = np.random.default_rng(seed)
    values = rng.normal(size=(25, 3))
    values[rng.random(size=values.shape) < 0.1] = np.nan
    frame = pd.DataFrame(values, columns=["a", "b", "c"])
    res = link_evidence(frame, [CausalLink(cause="a", effect="b", sign=sign, lag=lag)])
    s = res.loc[0, "strength"]
    assert np.isnan(s) or 0.0 <= s <= 1.0
    assert res.loc[0, "verdict"] in VERDICTS


# -- candidate links -----------------------------------------------------------------------


def test_candidate_links_finds_the_planted_unlinked_driver() -> None:
    rng = np.random.default_rng(5)
    periods = 60
    frame = pd.DataFrame(rng.normal(size=(periods, 6)), columns=list("abcdef"))
    frame["leader"] = rng.normal(size=periods)
    frame["follower"] = frame["leader"].shift(3) + 0.2 * rng.normal(size=periods)
    res = candidate_links(frame, [])
    assert res.columns.tolist() == list(CANDIDATE_COLUMNS)
    top = res.iloc[0]
    assert (top["cause"], top["effect"], top["best_lag"]) == ("leader", "follower", 3)
    assert top["label"] == "correlational"
    assert top["granger_p"] < 1e-6
    ref = lagged_correlation(frame["leader"], frame["follower"], max_lag=4)
    assert top["r"] == pytest.approx(ref.loc[3, "r"], abs=1e-10)
    assert top["n"] == ref.loc[3, "n"]
    # Declared in either direction, the pair is no longer a candidate.
    for link in (
        CausalLink(cause="leader", effect="follower"),
        CausalLink(cause="follower", effect="leader"),
    ):
        assert not (candidate_links(frame, [link])["cause"] == "leader").any()


def test_candidate_links_orients_same_period_pairs_by_granger() -> None:
    # y follows x within the period and also one period later; the lag-0 correlation is the
    # strongest, and the Granger test says x drives y, not the reverse.
    rng = np.random.default_rng(8)
    x = rng.normal(size=80)
    y = x + 0.8 * np.r_[0.0, x[:-1]] + 0.1 * rng.normal(size=80)
    res = candidate_links(pd.DataFrame({"y": y, "x": x}), min_abs_r=0.5)
    assert len(res) == 1
    assert (res.loc[0, "cause"], res.loc[0, "effect"], res.loc[0, "best_lag"]) == ("x", "y", 0)


def test_candidate_links_none_for_noise_and_trivial_frames() -> None:
    rng = np.random.default_rng(6)
    noise = pd.DataFrame(rng.normal(size=(50, 10)), columns=[f"n{k}" for k in range(10)])
    assert candidate_links(noise).empty
    assert candidate_links(pd.DataFrame({"a": [1.0, 2.0, 3.0]})).empty
    assert candidate_links(pd.DataFrame({"a": [], "b": []})).empty
    with pytest.raises(ModelError, match="min_abs_r"):
        candidate_links(noise, min_abs_r=1.5)


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_candidate_r_equals_the_pairwise_lagged_correlation(seed: int) -> None:
    rng = np.random.default_rng(seed)
    base = rng.normal(size=30)
    values = np.column_stack(
        [base, np.r_[np.nan, base[:-1]] + 0.3 * rng.normal(size=30), rng.normal(size=(30, 3))]
    )
    values[rng.random(size=values.shape) < 0.08] = np.nan
    frame = pd.DataFrame(values, columns=["p", "q", "r", "s", "t"])
    res = candidate_links(frame, min_abs_r=0.3, alpha=0.5)
    for row in res.itertuples():
        ref = lagged_correlation(frame[row.cause], frame[row.effect], max_lag=4)
        assert row.r == pytest.approx(ref.loc[row.best_lag, "r"], abs=1e-9)
        assert row.n == ref.loc[row.best_lag, "n"]


# -- from an evaluation --------------------------------------------------------------------


def _evaluation():  # type: ignore[no-untyped-def]
    sc = Scorecard(
        id="evidence",
        objectives=[
            Objective(id="people", perspective="learning_growth"),
            Objective(id="grow", perspective="financial"),
        ],
        indicators=[
            Indicator(
                id="training",
                objective="people",
                unit="h",
                thresholds=Thresholds(target=20, red_flag=5),
            ),
            Indicator(
                id="revenue",
                objective="grow",
                unit="EUR",
                time_aggregation="sum",
                thresholds=Thresholds(target=1200, red_flag=1000),
            ),
        ],
        links=[CausalLink(cause="people", effect="grow", lag=2)],
    )
    months = [f"2024-{m:02d}" for m in range(1, 13)]
    training = [6.0, 9, 14, 8, 12, 18, 11, 16, 20, 13, 17, 19]
    revenue = [1000.0, 1010, *(1000 + 10 * np.array(training[:-2]))]
    obs = pd.DataFrame(
        {
            "indicator": ["training"] * 12 + ["revenue"] * 12,
            "org_unit": "all",
            "period": months * 2,
            "value": training + revenue,
        }
    )
    return sc, sc.evaluate(obs)


def test_evaluation_series_reads_actuals_and_scores() -> None:
    sc, ev = _evaluation()
    frame = evaluation_series(ev)
    assert frame.columns.tolist() == ["training", "revenue", "people", "grow"]
    assert frame.index.tolist() == list(ev.period_labels)
    np.testing.assert_array_equal(frame["training"], ev.indicators.actual[0, 0, :])
    np.testing.assert_array_equal(frame["grow"], ev.objectives.score[1, 0, :])
    scores = evaluation_series(ev, value="score", org_unit="all")
    np.testing.assert_array_equal(scores["revenue"], ev.indicators.score[1, 0, :])
    with pytest.raises(ModelError, match="'actual' or 'score'"):
        evaluation_series(ev, value="target")
    with pytest.raises(UnknownNodeError, match="nowhere"):
        evaluation_series(ev, org_unit="nowhere")
    # End to end: revenue follows training two months later in the planted data.
    res = link_evidence(frame, sc.links, max_lag=3, min_points=6)
    assert res.loc[0, "cause"] == "people"
    assert res.loc[0, "effect"] == "grow"
    direct = link_evidence(frame, [CausalLink(cause="training", effect="revenue", lag=2)])
    assert direct.loc[0, "best_lag"] == 2
    assert direct.loc[0, "r_at_best_lag"] == pytest.approx(1.0, abs=1e-12)


def test_evaluation_link_evidence_and_candidates_end_to_end() -> None:
    # Hand-built: 24 months; quality follows training two months later, exactly (+ link,
    # declared lag 2), and complaints mirror training at lag 0 but no link is declared.
    from balanced_scorecard.model import CausalLink, Indicator, Objective, Scorecard

    rng = np.random.default_rng(7)
    training = rng.normal(50.0, 5.0, 24)
    quality = np.r_[np.full(2, np.nan), training[:-2] + 30.0]
    complaints = 200.0 - 2.0 * training
    sc = Scorecard(
        id="lg",
        objectives=[
            Objective(id="skills", perspective="learning_growth"),
            Objective(id="processes", perspective="internal_process"),
        ],
        indicators=[
            Indicator(id="training", objective="skills"),
            Indicator(id="quality", objective="processes"),
            Indicator(id="complaints", objective="processes", polarity="lower_better"),
        ],
        links=[CausalLink(cause="training", effect="quality", sign="+", lag=2)],
    )
    periods = pd.period_range("2024-01", periods=24, freq="M").astype(str)
    obs = pd.concat(
        pd.DataFrame({"indicator": k, "org_unit": "all", "period": periods, "value": v})
        for k, v in (("training", training), ("quality", quality), ("complaints", complaints))
    ).dropna()
    ev = sc.evaluate(obs)
    found = ev.link_evidence().iloc[0]
    assert (found["cause"], found["effect"], found["best_lag"]) == ("training", "quality", 2)
    assert found["r_at_best_lag"] == pytest.approx(1.0)
    assert found["verdict"] == "supported"
    cands = ev.candidate_links()
    pair = cands[
        (
            cands[["cause", "effect"]].apply(frozenset, axis=1)
            == frozenset({"training", "complaints"})
        )
    ]
    assert len(pair) == 1
    assert pair["r"].iloc[0] == pytest.approx(-1.0)
    assert set(cands["label"]) == {"correlational"}
    # The declared link is never suggested again.
    declared = cands[(cands["cause"] == "training") & (cands["effect"] == "quality")]
    assert declared.empty
