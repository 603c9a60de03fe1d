"""Tests of balanced_scorecard.algorithms.rollup."""

from __future__ import annotations

import random

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from balanced_scorecard.algorithms.rollup import (
    MISSING_POLICIES,
    ROLLUP_METHODS,
    rollup,
    weights_sum_check,
)
from balanced_scorecard.exceptions import ModelError, UnknownMethodError

nan = np.nan


def col(*xs: float) -> npt.NDArray[np.float64]:
    """Children as rows, one org unit and one period: shape (n, 1, 1)."""
    return np.array(xs, dtype=np.float64).reshape(-1, 1, 1)


# --------------------------------------------------------------------------- hand-worked


def test_weighted_mean_hand_worked() -> None:
    # hand-worked: (1*0.2 + 3*0.6) / 4 = 0.5; parent 1: only 0.9
    res = rollup(col(0.2, 0.6, 0.9), parent=np.array([0, 0, 1]), n_parents=2, weights=[1, 3, 1])
    np.testing.assert_allclose(res.score.ravel(), [0.5, 0.9])
    np.testing.assert_allclose(res.weight.ravel(), [0.25, 0.75, 1.0])
    np.testing.assert_allclose(res.contribution.ravel(), [0.05, 0.45, 0.9])
    assert res.present.ravel().tolist() == [True, True]


@pytest.mark.parametrize(
    ("policy", "score", "present", "weight"),
    [
        # hand-worked: ignore renormalises over the two present children: (0.2 + 0.6) / 2
        ("ignore", 0.4, True, [0.5, 0.5, 0.0]),
        # hand-worked: propagate makes the parent missing
        ("propagate", nan, False, [0.0, 0.0, 0.0]),
        # hand-worked: zero counts the missing child as 0: (0.2 + 0.6 + 0) / 3
        ("zero", 0.8 / 3, True, [1 / 3, 1 / 3, 1 / 3]),
    ],
)
def test_missing_policies_hand_worked(
    policy: str, score: float, present: bool, weight: list[float]
) -> None:
    res = rollup(col(0.2, 0.6, nan), parent=np.array([0, 0, 0]), n_parents=1, missing=policy)
    np.testing.assert_allclose(res.score.ravel(), [score])
    assert res.present.ravel().tolist() == [present]
    np.testing.assert_allclose(res.weight.ravel(), weight)


def test_zero_policy_parent_present_with_only_missing_children() -> None:
    res = rollup(col(nan, nan), parent=np.array([0, 0]), n_parents=1, missing="zero")
    assert res.score.ravel().tolist() == [0.0]
    ign = rollup(col(nan, nan), parent=np.array([0, 0]), n_parents=1)
    assert not ign.present.any()
    assert np.isnan(ign.score).all()


def test_propagate_ignores_missing_weight_zero_child() -> None:
    res = rollup(
        col(0.4, nan), parent=np.array([0, 0]), n_parents=1, weights=[1, 0], missing="propagate"
    )
    assert res.score.ravel().tolist() == [0.4]


def test_geometric_mean_hand_worked() -> None:
    # hand-worked: sqrt(0.25 * 1) = 0.5; arithmetic 0.625, contributions scaled by 0.5 / 0.625
    res = rollup(col(0.25, 1.0), parent=np.array([0, 0]), n_parents=1, method=ROLLUP_METHODS[1])
    np.testing.assert_allclose(res.score.ravel(), [0.5])
    np.testing.assert_allclose(res.contribution.ravel(), [0.1, 0.4])
    # hand-worked: weights 1 and 3: 0.25**0.25 * 1**0.75 = sqrt(0.5)
    res = rollup(
        col(0.25, 1.0), parent=np.array([0, 0]), n_parents=1, weights=[1, 3],
        method="weighted_geometric_mean",
    )  # fmt: skip
    np.testing.assert_allclose(res.score.ravel(), [np.sqrt(0.5)])


def test_geometric_mean_zero_child_gives_zero_without_warning() -> None:
    # warnings are errors in this suite, so log(0) must be silenced inside rollup
    res = rollup(
        col(0.0, 0.9), parent=np.array([0, 0]), n_parents=1, method="weighted_geometric_mean"
    )
    assert res.score.ravel().tolist() == [0.0]
    assert res.contribution.ravel().tolist() == [0.0, 0.0]


def test_worst_best_hand_worked_with_tie() -> None:
    scores = col(0.3, 0.7, 0.3, nan)
    par = np.array([0, 0, 0, 0])
    worst = rollup(scores, parent=par, n_parents=1, method="worst", weights=[1, 5, 2, 1])
    assert worst.score.ravel().tolist() == [0.3]
    # hand-worked: the two tied children share the decisive weight
    np.testing.assert_allclose(worst.weight.ravel(), [0.5, 0.0, 0.5, 0.0])
    np.testing.assert_allclose(worst.contribution.ravel().sum(), 0.3)
    best = rollup(scores, parent=par, n_parents=1, method="best")
    assert best.score.ravel().tolist() == [0.7]
    assert best.weight.ravel().tolist() == [0.0, 1.0, 0.0, 0.0]


def test_worst_excludes_weight_zero_child() -> None:
    res = rollup(
        col(0.1, 0.8), parent=np.array([0, 0]), n_parents=1, method="worst", weights=[0, 1]
    )
    assert res.score.ravel().tolist() == [0.8]


def test_most_frequent_status_hand_worked() -> None:
    scores = col(0.9, 0.7, 0.1)
    par = np.array([0, 0, 0])
    status = np.array([2, 2, 0]).reshape(-1, 1, 1)
    res = rollup(scores, parent=par, n_parents=1, method="most_frequent_status", status=status)
    # hand-worked: status 2 wins 2:1, score = mean(0.9, 0.7)
    np.testing.assert_allclose(res.score.ravel(), [0.8])
    np.testing.assert_allclose(res.weight.ravel(), [0.5, 0.5, 0.0])
    # hand-worked: weights 1, 1, 3 make status 0 win 3:2
    res = rollup(
        scores, parent=par, n_parents=1, method="most_frequent_status", status=status,
        weights=[1, 1, 3],
    )  # fmt: skip
    np.testing.assert_allclose(res.score.ravel(), [0.1])
    # hand-worked: weights 1, 1, 2 tie 2:2, the worse (lower) status wins
    res = rollup(
        scores, parent=par, n_parents=1, method="most_frequent_status", status=status,
        weights=[1, 1, 2],
    )  # fmt: skip
    np.testing.assert_allclose(res.score.ravel(), [0.1])


def test_most_frequent_status_float_tie() -> None:
    # 0.1 + 0.2 != 0.3 in floats, but it is a tie
    res = rollup(
        col(0.9, 0.8, 0.2), parent=np.array([0, 0, 0]), n_parents=1,
        method="most_frequent_status", status=np.array([2, 2, 1]), weights=[0.1, 0.2, 0.3],
    )  # fmt: skip
    np.testing.assert_allclose(res.score.ravel(), [0.2])


def test_share_green_hand_worked() -> None:
    scores = col(0.9, 0.5, 0.95, nan)
    par = np.array([0, 0, 0, 0])
    status = np.array([2, 1, 2, -1])
    kw = {"parent": par, "n_parents": 1, "method": "share_green", "status": status, "green": 2}
    # hand-worked: (1 + 2) / (1 + 1 + 2) with the missing child ignored
    res = rollup(scores, weights=[1, 1, 2, 1], **kw)  # type: ignore[arg-type]
    np.testing.assert_allclose(res.score.ravel(), [0.75])
    np.testing.assert_allclose(res.contribution.ravel(), [0.25, 0.0, 0.5, 0.0])
    # hand-worked: the missing child counts as red: 3 / 5
    res = rollup(scores, weights=[1, 1, 2, 1], missing="zero", **kw)  # type: ignore[arg-type]
    np.testing.assert_allclose(res.score.ravel(), [0.6])


def test_missing_status_counts_as_missing_child() -> None:
    res = rollup(
        col(0.9, 0.5), parent=np.array([0, 0]), n_parents=1, method="share_green",
        status=np.array([-1, 1]), green=2,
    )  # fmt: skip
    assert res.score.ravel().tolist() == [0.0]
    assert res.weight.ravel().tolist() == [0.0, 1.0]


def test_time_varying_weights() -> None:
    scores = np.array([[[0.0, 0.0, 0.0]], [[1.0, 1.0, 1.0]]])  # (2 children, 1 unit, 3 periods)
    weights = np.array([[[1.0, 1.0, 0.0]], [[0.0, 3.0, 1.0]]])  # (2, 1, 3)
    res = rollup(scores, parent=np.array([0, 0]), n_parents=1, weights=weights)
    np.testing.assert_allclose(res.score.ravel(), [0.0, 0.75, 1.0])
    np.testing.assert_allclose(res.weight[:, 0, :], [[1.0, 0.25, 0.0], [0.0, 0.75, 1.0]])


def test_per_parent_methods() -> None:
    scores = col(0.2, 0.8, 0.2, 0.8, 0.2, 0.8)
    par = np.array([0, 0, 1, 1, 2, 2])
    res = rollup(
        scores, parent=par, n_parents=3, method=np.array(["worst", "best", "weighted_mean"])
    )
    np.testing.assert_allclose(res.score.ravel(), [0.2, 0.8, 0.5])
    np.testing.assert_allclose(res.weight.ravel(), [1, 0, 0, 1, 0.5, 0.5])


def test_per_parent_methods_with_status_only_where_needed() -> None:
    res = rollup(
        col(0.2, 0.8, 0.4), parent=np.array([0, 0, 1]), n_parents=2,
        method=["share_green", "weighted_mean"], status=np.array([0, 2, -1]), green=2,
    )  # fmt: skip
    # status -1 only makes a child missing for the status methods
    np.testing.assert_allclose(res.score.ravel(), [0.5, 0.4])


def test_multi_dimensional_rest() -> None:
    rng = np.random.default_rng(0)
    scores = rng.random((5, 3, 4))
    scores[1, 2, 3] = nan
    par = np.array([0, 1, 0, 1, -1])
    res = rollup(scores, parent=par, n_parents=2)
    assert res.score.shape == (2, 3, 4)
    assert res.weight.shape == (5, 3, 4)
    np.testing.assert_allclose(res.score[0], (scores[0] + scores[2]) / 2)
    np.testing.assert_allclose(res.score[1, 2, 3], scores[3, 2, 3])
    assert (res.weight[4] == 0).all()  # no parent: ignored


def test_parent_without_children_is_missing() -> None:
    res = rollup(col(0.5), parent=np.array([1]), n_parents=3)
    assert res.present.ravel().tolist() == [False, True, False]
    assert np.isnan(res.score.ravel()[[0, 2]]).all()


def test_no_children_at_all() -> None:
    res = rollup(np.empty((0, 2)), parent=np.empty(0, dtype=int), n_parents=2, method="worst")
    assert res.score.shape == (2, 2)
    assert not res.present.any()


def test_all_zero_weights_parent_missing_without_warning() -> None:
    res = rollup(col(0.5, 0.7), parent=np.array([0, 0]), n_parents=1, weights=0.0)
    assert not res.present.any()
    assert res.weight.ravel().tolist() == [0.0, 0.0]


def test_weight_zero_child_is_ignored_in_mean() -> None:
    res = rollup(col(0.0, 0.6), parent=np.array([0, 0]), n_parents=1, weights=[0, 2])
    assert res.score.ravel().tolist() == [0.6]


def test_weights_sum_check() -> None:
    assert weights_sum_check([0.5, 0.5, 0.3, 0.6], [0, 0, 1, 1], 3).tolist() == [True, False, False]
    w = np.array([[0.5, 0.2], [0.5, 0.8], [1.0, 1.0]])  # weights per period
    assert weights_sum_check(w, [0, 0, -1], 1).tolist() == [[True, True]]
    assert weights_sum_check([40, 60], [0, 0], 1, expected=100).tolist() == [True]


# --------------------------------------------------------------------------- errors


def test_errors() -> None:
    par = np.array([0, 0])
    with pytest.raises(ModelError, match="weights"):
        rollup(col(0.5, 0.5), parent=par, n_parents=1, weights=[1, -1])
    with pytest.raises(UnknownMethodError, match="Did you mean 'worst'"):
        rollup(col(0.5, 0.5), parent=par, n_parents=1, method="wrost")
    with pytest.raises(UnknownMethodError, match="Did you mean 'ignore'"):
        rollup(col(0.5, 0.5), parent=par, n_parents=1, missing="ignor")
    with pytest.raises(ModelError, match="green="):
        rollup(col(0.5, 0.5), parent=par, n_parents=1, method="share_green", status=[1, 1])
    with pytest.raises(ModelError, match="status="):
        rollup(col(0.5, 0.5), parent=par, n_parents=1, method="most_frequent_status")
    with pytest.raises(ModelError, match="outside"):
        rollup(col(0.5, 0.5), parent=np.array([0, 2]), n_parents=2)
    with pytest.raises(ModelError, match=r"\[0, 1\]"):
        rollup(col(0.5, 1.5), parent=par, n_parents=1)
    with pytest.raises(ModelError, match="broadcast"):
        rollup(col(0.5, 0.5), parent=par, n_parents=1, weights=np.ones((3, 1, 1)))
    with pytest.raises(ModelError, match="one per parent"):
        rollup(col(0.5, 0.5), parent=par, n_parents=1, method=["worst", "best"])
    assert issubclass(UnknownMethodError, KeyError)


# --------------------------------------------------------------------------- properties

N_REST = 3


Tree = tuple[npt.NDArray[np.float64], npt.NDArray[np.int64], int, npt.NDArray[np.float64]]


@st.composite
def trees(draw: st.DrawFn) -> Tree:
    """Random children (with NaN), parents (with -1) and positive, possibly per-period weights."""
    n_parents = draw(st.integers(1, 4))
    n_children = draw(st.integers(0, 10))
    parent = np.array(
        draw(st.lists(st.integers(-1, n_parents - 1), min_size=n_children, max_size=n_children)),
        dtype=np.int64,
    )
    score = st.one_of(st.just(nan), st.floats(0.0, 1.0))
    scores = np.array(
        draw(st.lists(score, min_size=n_children * N_REST, max_size=n_children * N_REST))
    ).reshape(n_children, N_REST)
    per_period = draw(st.booleans())
    n_w = n_children * (N_REST if per_period else 1)
    weights = np.array(draw(st.lists(st.floats(0.01, 100.0), min_size=n_w, max_size=n_w))).reshape(
        n_children, N_REST if per_period else 1
    )
    return scores, parent, n_parents, weights


TOL = 1e-9


@given(trees())
def test_weighted_mean_between_min_and_max(tree: Tree) -> None:
    scores, parent, n_parents, weights = tree
    mean = rollup(scores, parent=parent, n_parents=n_parents, weights=weights)
    worst = rollup(scores, parent=parent, n_parents=n_parents, method="worst")
    best = rollup(scores, parent=parent, n_parents=n_parents, method="best")
    geo = rollup(
        scores,
        parent=parent,
        n_parents=n_parents,
        weights=weights,
        method="weighted_geometric_mean",
    )
    p = mean.present
    assert (p == worst.present).all()
    assert (p == geo.present).all()
    assert (worst.score[p] <= mean.score[p] + TOL).all()
    assert (mean.score[p] <= best.score[p] + TOL).all()
    assert (geo.score[p] <= mean.score[p] + TOL).all()


@given(trees(), st.floats(0.001, 1000.0))
def test_renormalisation_invariance(tree: Tree, c: float) -> None:
    scores, parent, n_parents, weights = tree
    base = rollup(scores, parent=parent, n_parents=n_parents, weights=weights)
    scaled = rollup(scores, parent=parent, n_parents=n_parents, weights=weights * c)
    np.testing.assert_allclose(scaled.score, base.score, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(scaled.weight, base.weight, rtol=1e-9, atol=1e-12)


@settings(max_examples=50)
@given(trees(), st.sampled_from(ROLLUP_METHODS), st.sampled_from(MISSING_POLICIES))
def test_contributions_sum_to_parent_score(tree: Tree, method: str, policy: str) -> None:
    scores, parent, n_parents, weights = tree
    # status from the score's band, so the status methods have something consistent to use
    band = np.minimum(np.floor(np.nan_to_num(scores) * 3), 2)
    status = np.where(np.isnan(scores), -1, band).astype(np.int64)
    res = rollup(
        scores, parent=parent, n_parents=n_parents, weights=weights, method=method,
        missing=policy, status=status, green=2,
    )  # fmt: skip
    total = np.zeros_like(res.score)
    np.add.at(total, parent[parent >= 0], res.contribution[parent >= 0])
    np.testing.assert_allclose(total[res.present], res.score[res.present], atol=1e-9)
    assert (
        res.contribution[~res.present[np.maximum(parent, 0)] | (parent < 0)[:, None]] == 0
    ).all()
    assert ((res.score[res.present] >= 0) & (res.score[res.present] <= 1 + TOL)).all()


@given(trees(), st.randoms(use_true_random=False))
def test_permutation_invariance(tree: Tree, rnd: random.Random) -> None:
    scores, parent, n_parents, weights = tree
    perm = np.array(rnd.sample(range(len(parent)), len(parent)), dtype=np.int64)
    for method in ("weighted_mean", "weighted_geometric_mean", "worst", "best"):
        a = rollup(scores, parent=parent, n_parents=n_parents, weights=weights, method=method)
        b = rollup(
            scores[perm], parent=parent[perm], n_parents=n_parents, weights=weights[perm],
            method=method,
        )  # fmt: skip
        np.testing.assert_allclose(b.score, a.score, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(b.weight, a.weight[perm], rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(b.contribution, a.contribution[perm], rtol=1e-9, atol=1e-12)


@given(trees())
def test_present_iff_present_child(tree: Tree) -> None:
    scores, parent, n_parents, weights = tree
    res = rollup(scores, parent=parent, n_parents=n_parents, weights=weights)
    has_child = np.zeros((n_parents, N_REST), dtype=bool)
    ok = parent >= 0
    np.logical_or.at(has_child, parent[ok], ~np.isnan(scores[ok]))
    assert (res.present == has_child).all()
    assert np.isnan(res.score[~res.present]).all()
    assert not np.isnan(res.score[res.present]).any()


@given(trees(), st.sampled_from(MISSING_POLICIES))
def test_matrix_path_matches_the_sorted_path(tree: Tree, policy: str) -> None:
    # weighted_mean has two implementations: membership-matrix products for small
    # hierarchies and sort-and-reduce for large ones. Both must agree everywhere.
    import balanced_scorecard.algorithms.rollup as mod

    scores, parent, n_parents, weights = tree
    dense = rollup(scores, parent=parent, n_parents=n_parents, weights=weights, missing=policy)
    limit = mod._DENSE_LIMIT
    mod._DENSE_LIMIT = -1  # type: ignore[misc]
    try:
        general = rollup(
            scores, parent=parent, n_parents=n_parents, weights=weights, missing=policy
        )
    finally:
        mod._DENSE_LIMIT = limit  # type: ignore[misc]
    np.testing.assert_array_equal(dense.present, general.present)
    np.testing.assert_allclose(dense.score, general.score, atol=1e-12)
    np.testing.assert_allclose(dense.weight, general.weight, atol=1e-12)
    np.testing.assert_allclose(dense.contribution, general.contribution, atol=1e-12)
