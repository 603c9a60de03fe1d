"""Tests of balanced_scorecard.algorithms.aggregation."""

from __future__ import annotations

import random

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import given
from hypothesis import strategies as st

from balanced_scorecard.algorithms.aggregation import (
    ORG_AGGREGATIONS,
    TIME_AGGREGATIONS,
    aggregate_tree,
    group_values,
)
from balanced_scorecard.exceptions import ModelError, UnknownMethodError

nan = np.nan


# --------------------------------------------------------------------------- group_values


def test_ratio_of_sums_reference() -> None:
    # hand-worked: 2/4 (50 %) and 2/100 (2 %) pool to 4/104 = 3.846 %, not the mean 25.5 %
    g = group_values(
        [0, 0], 1, [0.5, 0.02], how="ratio_of_sums", numerator=[2, 2], denominator=[4, 100]
    )
    np.testing.assert_allclose(g.value, [4 / 104])
    assert round(float(g.value[0]) * 100, 3) == 3.846
    assert g.numerator.tolist() == [4.0]
    assert g.denominator.tolist() == [104.0]
    assert g.count.tolist() == [2]
    mean = group_values([0, 0], 1, [0.5, 0.02], how="mean")
    np.testing.assert_allclose(mean.value, [0.26])


def test_ratio_of_sums_zero_denominator_is_nan_without_warning() -> None:
    g = group_values([0], 1, [nan], how="ratio_of_sums", numerator=[0.0], denominator=[0.0])
    assert np.isnan(g.value).all()
    assert g.count.tolist() == [1]
    assert g.denominator.tolist() == [0.0]


def test_last_picks_latest_date() -> None:
    dates = np.array(
        ["2024-03-31", "2024-01-31", "2024-02-29", "2024-05-31"], dtype="datetime64[D]"
    )
    g = group_values([0, 0, 0, 0], 1, [30.0, 10.0, 20.0, nan], how="last", order=dates)
    # hand-worked: the May row is NaN and skipped, so March wins
    assert g.value.tolist() == [30.0]


def test_last_ties_go_to_later_row_and_default_order_is_input() -> None:
    assert group_values([0, 0], 1, [1.0, 2.0], how="last", order=[5, 5]).value.tolist() == [2.0]
    assert group_values([0, 0, 0], 1, [1.0, 2.0, 3.0], how="last").value.tolist() == [3.0]


def test_last_carries_chosen_row_parts() -> None:
    g = group_values(
        [0, 0], 1, [0.5, 0.25], how="last", order=[2, 1], numerator=[1, 1], denominator=[2, 4]
    )
    assert (g.value.tolist(), g.numerator.tolist(), g.denominator.tolist()) == ([0.5], [1.0], [2.0])


@pytest.mark.parametrize(
    ("how", "expected"),
    [
        # hand-worked over group 0 = [1, 4, NaN, 7] (NaN skipped) and group 1 = [2]
        ("sum", [12.0, 2.0]),
        ("mean", [4.0, 2.0]),
        ("min", [1.0, 2.0]),
        ("max", [7.0, 2.0]),
        ("last", [7.0, 2.0]),
        # weights 1, 2, 9, 1 (the NaN row's weight is not used): (1 + 8 + 7) / 4
        ("weighted_mean", [4.0, 2.0]),
    ],
)
def test_group_values_hand_worked(how: str, expected: list[float]) -> None:
    g = group_values(
        [0, 0, 0, 0, 1, -1], 3, [1.0, 4.0, nan, 7.0, 2.0, 100.0], how=how, weight=[1, 2, 9, 1, 1, 1]
    )
    np.testing.assert_allclose(g.value[:2], expected)
    assert np.isnan(g.value[2])
    assert g.count.tolist() == [3, 1, 0]
    assert g.weight.tolist()[2] == 0.0


def test_per_row_how() -> None:
    how = np.array(["sum", "sum", "max", "max", "mean"])
    g = group_values([0, 0, 1, 1, 2], 3, [1.0, 2.0, 3.0, 5.0, 4.0], how=how)
    assert g.value.tolist() == [3.0, 5.0, 4.0]
    codes = np.array([TIME_AGGREGATIONS.index(h) for h in how])
    assert group_values(
        [0, 0, 1, 1, 2], 3, [1.0, 2.0, 3.0, 5.0, 4.0], how=codes
    ).value.tolist() == [
        3.0,
        5.0,
        4.0,
    ]


def test_numerator_carried_for_non_ratio_methods() -> None:
    g = group_values([0, 0], 1, [1.0, 2.0], how="sum", numerator=[1, 3], denominator=[2, 2])
    assert (g.numerator.tolist(), g.denominator.tolist()) == ([4.0], [4.0])
    assert np.isnan(group_values([0], 1, [1.0], how="sum").numerator).all()


def test_weighted_mean_all_zero_weights_is_nan() -> None:
    g = group_values([0, 0], 1, [1.0, 2.0], how="weighted_mean", weight=[0, 0])
    assert np.isnan(g.value).all()


def test_group_values_errors() -> None:
    with pytest.raises(ModelError, match="numerator"):
        group_values([0], 1, [1.0], how="ratio_of_sums")
    with pytest.raises(UnknownMethodError, match="Did you mean 'mean'"):
        group_values([0], 1, [1.0], how="maen")
    with pytest.raises(ModelError, match="mixes"):
        group_values([0, 0], 1, [1.0, 2.0], how=["sum", "mean"])
    with pytest.raises(ModelError, match="outside"):
        group_values([0, 3], 2, [1.0, 2.0], how="sum")
    with pytest.raises(ModelError, match="weight"):
        group_values([0], 1, [1.0], how="weighted_mean", weight=[-1.0])


# --------------------------------------------------------------------------- aggregate_tree

#        0 (company)
#       /          \
#    1 (north)    2 (south)
#     /    \          |
#   3       4         5
PARENT = np.array([-1, 0, 0, 1, 1, 2])
DEPTH = np.array([0, 1, 1, 2, 2, 2])
HOW = np.array(["sum", "mean", "ratio_of_sums", "none"])


def tree_data() -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """(6 units, 4 indicators, 2 periods): the stores 3-5 report, and unit 2 for 'none'."""
    values = np.full((6, 4, 2), nan)
    num = np.full((6, 4, 2), nan)
    den = np.full((6, 4, 2), nan)
    values[3:, 0] = [[1.0, 2.0], [3.0, nan], [5.0, 6.0]]  # sum
    values[3:, 1] = [[10.0, 10.0], [20.0, nan], [40.0, 30.0]]  # mean
    num[3:, 2] = [[2.0, 1.0], [2.0, 1.0], [1.0, 0.0]]  # ratio_of_sums
    den[3:, 2] = [[4.0, 2.0], [100.0, 2.0], [10.0, 0.0]]
    values[3:, 2] = num[3:, 2] / np.where(den[3:, 2] == 0, nan, den[3:, 2])
    values[:, 3] = [[nan, nan], [nan, nan], [7.0, 8.0], [1.0, 1.0], [1.0, 1.0], [1.0, 1.0]]
    return values, num, den


def test_org_tree_three_levels_hand_worked() -> None:
    values, num, den = tree_data()
    v, n, d, c = aggregate_tree(
        values, parent=PARENT, depth=DEPTH, how=HOW, numerator=num, denominator=den
    )
    # hand-worked sums: north = 1 + 3, 2; south = 5, 6; company = 9, 8
    np.testing.assert_allclose(v[[1, 2, 0], 0], [[4.0, 2.0], [5.0, 6.0], [9.0, 8.0]])
    # hand-worked means: north = 15, 10; company = mean(north, south) = (15 + 40) / 2, (10 + 30) / 2
    np.testing.assert_allclose(v[[1, 2, 0], 1], [[15.0, 10.0], [40.0, 30.0], [27.5, 20.0]])
    # hand-worked ratio: north = 4/104, 2/4; company = 5/114, 2/4 (south's 0/0 adds nothing)
    np.testing.assert_allclose(v[1, 2], [4 / 104, 0.5])
    np.testing.assert_allclose(v[0, 2], [5 / 114, 0.5])
    assert (n[0, 2].tolist(), d[0, 2].tolist()) == ([5.0, 2.0], [114.0, 4.0])
    assert np.isnan(v[2, 2, 1])  # 0/0 is missing, but its parts are carried
    assert d[2, 2, 1] == 0.0
    # 'none' keeps own values and aggregates nothing
    np.testing.assert_array_equal(v[:, 3], values[:, 3])
    # source counts: leaves that fed each value
    assert c[0, 0].tolist() == [3, 2]
    assert c[1, 1].tolist() == [2, 1]
    assert c[:, 3, 0].tolist() == [0, 0, 1, 1, 1, 1]
    # the input is not modified
    assert np.isnan(values[0]).all()


def test_keep_own() -> None:
    values, num, den = tree_data()
    values[1, 0] = [100.0, nan]  # north reports its own total for period 0 only
    kept, *_, c = aggregate_tree(
        values, parent=PARENT, depth=DEPTH, how=HOW, numerator=num, denominator=den
    )
    assert kept[1, 0].tolist() == [100.0, 2.0]
    assert kept[0, 0].tolist() == [105.0, 8.0]  # the company builds on north's own figure
    assert c[0, 0].tolist() == [2, 2]
    replaced, *_ = aggregate_tree(
        values, parent=PARENT, depth=DEPTH, how=HOW, numerator=num, denominator=den, keep_own=False
    )
    assert replaced[1, 0].tolist() == [4.0, 2.0]


def test_own_value_used_when_no_child_present() -> None:
    values = np.array([[[9.0]], [[nan]]])
    for keep in (True, False):
        v, *_ = aggregate_tree(values, parent=[-1, 0], depth=[0, 1], how="sum", keep_own=keep)
        assert v.ravel().tolist()[0] == 9.0


def test_org_weighted_mean_and_min_max() -> None:
    values = np.array([[[nan, nan, nan]], [[1.0, 1.0, 1.0]], [[4.0, 4.0, 4.0]]]).transpose(0, 2, 1)
    how = ["weighted_mean", "min", "max"]
    v, *_ = aggregate_tree(
        values, parent=[-1, 0, 0], depth=[0, 1, 1], how=how, unit_weight=[0, 1, 2]
    )
    # hand-worked: (1*1 + 2*4) / 3 = 3
    assert v[0, :, 0].tolist() == [3.0, 1.0, 4.0]


def test_forest_and_no_levels() -> None:
    values = np.array([[[1.0]], [[2.0]]])
    v, _, _, c = aggregate_tree(values, parent=[-1, -1], depth=[0, 0], how=["sum"])
    assert v.ravel().tolist() == [1.0, 2.0]
    assert c.ravel().tolist() == [1, 1]


def test_aggregate_tree_errors() -> None:
    values = np.ones((2, 1, 1))
    with pytest.raises(ModelError, match="depth"):
        aggregate_tree(values, parent=[-1, 0], depth=[0, 2], how=["sum"])
    with pytest.raises(ModelError, match="depth"):  # a cycle cannot have consistent depths
        aggregate_tree(values, parent=[1, 0], depth=[1, 1], how=["sum"])
    with pytest.raises(ModelError, match="numerator"):
        aggregate_tree(values, parent=[-1, 0], depth=[0, 1], how=["ratio_of_sums"])
    with pytest.raises(ModelError, match="unit_weight"):
        aggregate_tree(values, parent=[-1, 0], depth=[0, 1], how=["weighted_mean"])
    with pytest.raises(UnknownMethodError, match="Did you mean 'none'"):
        aggregate_tree(values, parent=[-1, 0], depth=[0, 1], how=["nonr"])
    with pytest.raises(ModelError, match="one per indicator"):
        aggregate_tree(values, parent=[-1, 0], depth=[0, 1], how=["sum", "sum"])
    assert "none" in ORG_AGGREGATIONS


# --------------------------------------------------------------------------- properties

Rows = tuple[npt.NDArray[np.int64], int, npt.NDArray[np.float64]]


@st.composite
def rows(draw: st.DrawFn) -> Rows:
    n_groups = draw(st.integers(1, 5))
    n = draw(st.integers(0, 30))
    group = np.array(
        draw(st.lists(st.integers(0, n_groups - 1), min_size=n, max_size=n)), dtype=np.int64
    )
    value = st.one_of(st.just(nan), st.floats(-1e6, 1e6))
    return (
        group,
        n_groups,
        np.array(draw(st.lists(value, min_size=n, max_size=n)), dtype=np.float64),
    )


@given(rows())
def test_sum_conserves_total(data: Rows) -> None:
    group, n_groups, value = data
    g = group_values(group, n_groups, value, how="sum")
    np.testing.assert_allclose(np.nansum(g.value), np.nansum(value), atol=1e-6)
    assert g.count.sum() == (~np.isnan(value)).sum()
    assert (np.isnan(g.value) == (g.count == 0)).all()


@given(rows())
def test_mean_within_min_max(data: Rows) -> None:
    group, n_groups, value = data
    mean = group_values(group, n_groups, value, how="mean").value
    lo = group_values(group, n_groups, value, how="min").value
    hi = group_values(group, n_groups, value, how="max").value
    ok = ~np.isnan(mean)
    assert (np.isnan(lo) == ~ok).all()
    assert (lo[ok] <= mean[ok] + 1e-6).all()
    assert (mean[ok] <= hi[ok] + 1e-6).all()


@given(rows(), st.randoms(use_true_random=False))
def test_row_permutation_invariance(data: Rows, rnd: random.Random) -> None:
    group, n_groups, value = data
    perm = np.array(rnd.sample(range(len(group)), len(group)), dtype=np.int64)
    # distinct order keys: with ties, 'last' depends on input order (documented)
    order = np.arange(len(group))
    den = np.abs(value) + 1.0
    for how in TIME_AGGREGATIONS:
        a = group_values(
            group, n_groups, value, order=order, numerator=value, denominator=den, how=how
        )
        b = group_values(
            group[perm], n_groups, value[perm], order=order[perm], numerator=value[perm],
            denominator=den[perm], how=how,
        )  # fmt: skip
        for field in ("value", "numerator", "denominator", "weight", "count"):
            np.testing.assert_allclose(getattr(b, field), getattr(a, field), rtol=1e-9, atol=1e-6)
