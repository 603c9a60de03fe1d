"""Tests of balanced_scorecard.analytics.finance (shared-cost allocation).

The reference case is the one quoted in issue 4: service departments Y (7,260) and Z (4,000),
producing departments A (12,000) and B (16,000); Y serves A/B/Z 40/40/20 %, Z serves A/B/Y
20/50/30 %. The reciprocal figures are the issue's; the direct and step-down figures are
hand-worked below (on paper, from the definitions in the module docstring, not by running the
code).
"""

from __future__ import annotations

import inspect

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from balanced_scorecard.analytics import finance
from balanced_scorecard.analytics.finance import (
    ActivityAllocation,
    Allocation,
    allocate_activity_based,
    allocate_costs,
    allocate_direct,
    allocate_reciprocal,
    allocate_step_down,
    step_down_order,
)
from balanced_scorecard.exceptions import ModelError, ScorecardError

COSTS = pd.Series({"Y": 7260.0, "Z": 4000.0, "A": 12000.0, "B": 16000.0})
SHARES = pd.DataFrame(
    {"A": [0.4, 0.2], "B": [0.4, 0.5], "Y": [0.0, 0.3], "Z": [0.2, 0.0]}, index=["Y", "Z"]
)
TOTAL = 7260.0 + 4000.0 + 12000.0 + 16000.0  # 39,260


def test_reciprocal_reference_case() -> None:
    # Hand check of the figures:
    #   Y = 7,260 + 0.3 Z,  Z = 4,000 + 0.2 Y
    #   Y = 7,260 + 0.3 (4,000 + 0.2 Y) = 8,460 + 0.06 Y  ->  Y = 8,460 / 0.94 = 9,000
    #   Z = 4,000 + 0.2 × 9,000 = 5,800
    #   A = 12,000 + 0.4 × 9,000 + 0.2 × 5,800 = 12,000 + 3,600 + 1,160 = 16,760
    #   B = 16,000 + 0.4 × 9,000 + 0.5 × 5,800 = 16,000 + 3,600 + 2,900 = 22,500
    r = allocate_reciprocal(COSTS, SHARES)
    assert r.method == "reciprocal"
    assert r.reciprocal_totals is not None
    np.testing.assert_allclose(r.reciprocal_totals.to_numpy(), [9000.0, 5800.0], rtol=1e-12)
    assert list(r.reciprocal_totals.index) == ["Y", "Z"]
    np.testing.assert_allclose(r.allocated[["A", "B"]].to_numpy(), [16760.0, 22500.0], rtol=1e-12)
    np.testing.assert_allclose(r.received[["A", "B"]].to_numpy(), [4760.0, 6500.0], rtol=1e-12)
    # Full from -> to matrix: each total spread by its row of shares.
    want = pd.DataFrame(
        [[0.0, 1800.0, 3600.0, 3600.0], [1740.0, 0.0, 1160.0, 2900.0]],
        index=["Y", "Z"],
        columns=["Y", "Z", "A", "B"],
    )
    pd.testing.assert_frame_equal(r.matrix, want, check_exact=False, rtol=1e-12)
    assert r.allocated.sum() == pytest.approx(TOTAL, rel=1e-12)
    assert r.order is None


def test_direct_reference_case() -> None:
    # Hand-worked: shares to service departments are ignored, the rest rescaled.
    #   Y: A/B 40/40 -> 50/50: 3,630 each.
    #   Z: A/B 20/50 -> 2/7, 5/7: A 4,000 × 2/7 = 1,142.857..., B 4,000 × 5/7 = 2,857.142...
    #   A = 12,000 + 3,630 + 1,142.857 = 16,772.857; B = 16,000 + 3,630 + 2,857.143 = 22,487.143
    r = allocate_direct(COSTS, SHARES)
    np.testing.assert_allclose(
        r.allocated.to_numpy(), [12000 + 3630 + 8000 / 7, 16000 + 3630 + 20000 / 7], rtol=1e-12
    )
    np.testing.assert_allclose(r.matrix[["Y", "Z"]].to_numpy(), 0.0)
    np.testing.assert_allclose(r.matrix.sum(axis=1).to_numpy(), [7260.0, 4000.0])
    assert r.reciprocal_totals is None
    assert r.order is None


def test_step_down_by_share_reference_case() -> None:
    # Rule "share": Z gives 30 % of its services to Y, Y gives 20 % to Z -> Z closes first.
    #   Z 4,000 -> A 800, B 2,000, Y 1,200.
    #   Y 7,260 + 1,200 = 8,460; only A and B are left: 40/40 -> 50/50, 4,230 each.
    #   A = 12,000 + 800 + 4,230 = 17,030;  B = 16,000 + 2,000 + 4,230 = 22,230.
    r = allocate_step_down(COSTS, SHARES)
    assert r.order == ("Z", "Y")
    np.testing.assert_allclose(r.allocated.to_numpy(), [17030.0, 22230.0], rtol=1e-12)
    assert r.matrix.loc["Z", "Y"] == pytest.approx(1200.0)
    assert r.matrix.loc["Y", "Z"] == 0.0  # nothing flows back to a closed department
    assert r.matrix.loc["Y"].sum() == pytest.approx(8460.0)


def test_step_down_by_cost_reference_case() -> None:
    # Rule "cost": Y gives 7,260 × 20 % = 1,452 to Z, Z gives 4,000 × 30 % = 1,200 to Y
    # -> Y closes first.
    #   Y 7,260 -> A 2,904, B 2,904, Z 1,452.
    #   Z 4,000 + 1,452 = 5,452 over A/B 20/50 -> 2/7, 5/7: A 1,557.714..., B 3,894.286...
    #   A = 12,000 + 2,904 + 10,904/7 = 16,461.714; B = 16,000 + 2,904 + 27,260/7 = 22,798.286
    r = allocate_step_down(COSTS, SHARES, order="cost")
    assert r.order == ("Y", "Z")
    np.testing.assert_allclose(
        r.allocated.to_numpy(), [14904 + 10904 / 7, 18904 + 27260 / 7], rtol=1e-12
    )
    # An explicit order gives the same result as the rule that derives it.
    explicit = allocate_step_down(COSTS, SHARES, order=["Y", "Z"])
    pd.testing.assert_series_equal(explicit.allocated, r.allocated)
    assert step_down_order(COSTS, SHARES, rule="cost") == ("Y", "Z")
    assert step_down_order(COSTS, SHARES) == ("Z", "Y")


def test_step_down_order_ties_go_to_larger_cost() -> None:
    costs = pd.Series({"IT": 100.0, "HR": 300.0, "P": 0.0})
    shares = pd.DataFrame({"IT": [0.0, 0.5], "HR": [0.5, 0.0], "P": [0.5, 0.5]}, index=["IT", "HR"])
    assert step_down_order(costs, shares) == ("HR", "IT")


def test_arrays_and_frames_agree() -> None:
    shares = [[0, 0.2, 0.4, 0.4], [0.3, 0, 0.2, 0.5], [0, 0, 0, 0], [0, 0, 0, 0]]
    for method in finance.ALLOCATION_METHODS:
        from_arrays = allocate_costs(
            COSTS.to_numpy(), shares, method=method, departments=["Y", "Z", "A", "B"]
        )
        from_frames = allocate_costs(COSTS, SHARES, method=method)
        pd.testing.assert_series_equal(from_arrays.allocated, from_frames.allocated)
        pd.testing.assert_frame_equal(from_arrays.matrix, from_frames.matrix)
    unnamed = allocate_reciprocal(COSTS.to_numpy(), shares)
    assert list(unnamed.allocated.index) == [2, 3]


def test_kinds_agree_with_the_default_and_guard_missing_rows() -> None:
    kinds = pd.Series(["service", "service", "producing", "producing"], index=COSTS.index)
    pd.testing.assert_series_equal(
        allocate_reciprocal(COSTS, SHARES, kinds=kinds).allocated,
        allocate_reciprocal(COSTS, SHARES).allocated,
    )
    # Marking a department 'service' without giving its shares is an error naming it.
    costs = pd.Series({"IT": 100.0, "FAC": 0.0, "P": 10.0})
    shares = pd.DataFrame({"P": [1.0]}, index=["IT"])
    with pytest.raises(ModelError, match=r"'FAC' sum to 0.0, not 1"):
        allocate_direct(costs, shares, kinds={"IT": "service", "FAC": "service", "P": "producing"})


def test_self_service_is_dropped_and_the_row_rescaled() -> None:
    costs = pd.Series({"IT": 100.0, "A": 0.0, "B": 0.0})
    shares = pd.DataFrame({"IT": [0.5], "A": [0.25], "B": [0.25]}, index=["IT"])
    for method in finance.ALLOCATION_METHODS:
        r = allocate_costs(costs, shares, method=method)
        assert r.allocated.tolist() == [50.0, 50.0]


def test_activity_based_hand_worked() -> None:
    # Hand-worked: purchasing pool 12,000 over 100 + 200 = 300 orders -> 40 per order;
    # set-up pool 8,000 over 10 + 30 = 40 set-ups -> 200 per set-up.
    #   P = 100 × 40 + 10 × 200 = 4,000 + 2,000 = 6,000 (+ direct 1,000 = 7,000)
    #   Q = 200 × 40 + 30 × 200 = 8,000 + 6,000 = 14,000 (+ direct 3,000 = 17,000)
    drivers = pd.DataFrame({"orders": [100, 200], "setups": [10, 30]}, index=["P", "Q"])
    pools = pd.Series({"orders": 12000.0, "setups": 8000.0})
    r = allocate_activity_based(pools, drivers, direct_costs={"P": 1000.0, "Q": 3000.0})
    assert isinstance(r, ActivityAllocation)
    assert r.rates.to_dict() == {"orders": 40.0, "setups": 200.0}
    assert r.allocated.to_dict() == {"P": 7000.0, "Q": 17000.0}
    assert r.matrix.loc["setups", "Q"] == 6000.0
    pd.testing.assert_series_equal(r.matrix.sum(axis=1), pools, check_names=False)


def test_activity_based_zero_pool_without_drivers_is_fine() -> None:
    drivers = pd.DataFrame({"a": [1.0, 3.0], "b": [0.0, 0.0]}, index=["P", "Q"])
    r = allocate_activity_based({"a": 40.0, "b": 0.0}, drivers)
    assert r.allocated.tolist() == [10.0, 30.0]


@st.composite
def _allocation_case(draw: st.DrawFn) -> tuple[pd.Series, pd.DataFrame]:
    n_service = draw(st.integers(1, 4))
    n_producing = draw(st.integers(1, 4))
    n = n_service + n_producing
    names = [f"S{i}" for i in range(n_service)] + [f"P{i}" for i in range(n_producing)]
    cost = st.floats(0.0, 1e7, allow_nan=False)
    costs = pd.Series(draw(st.lists(cost, min_size=n, max_size=n)), index=names)
    weight = st.floats(0.0, 1.0, allow_nan=False)
    raw = np.array(draw(st.lists(weight, min_size=n_service * n, max_size=n_service * n)))
    raw = raw.reshape(n_service, n)
    raw[:, n_service] += 0.01  # every service department serves a producing department
    shares = pd.DataFrame(raw / raw.sum(axis=1, keepdims=True), index=names[:n_service])
    shares.columns = pd.Index(names)
    return costs, shares


@settings(max_examples=150, deadline=None)
@given(_allocation_case(), st.sampled_from(["direct", "step_down", "reciprocal", "cost"]))
def test_allocation_conserves_total_cost(case: tuple[pd.Series, pd.DataFrame], how: str) -> None:
    costs, shares = case
    if how == "cost":
        r = allocate_step_down(costs, shares, order="cost")
    else:
        r = allocate_costs(costs, shares, method=how)
    assert r.allocated.sum() == pytest.approx(costs.sum(), rel=1e-9, abs=1e-6)
    assert (r.matrix.to_numpy() >= 0).all()
    # What the producing departments received is exactly what left the service departments
    # towards them.
    producing = r.allocated.index
    np.testing.assert_allclose(
        r.matrix[producing].sum(axis=0).to_numpy(), r.received.to_numpy(), rtol=1e-12, atol=1e-6
    )


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.floats(0, 1e6, allow_nan=False), min_size=2, max_size=2),
    st.lists(st.integers(1, 500), min_size=6, max_size=6),
)
def test_activity_based_conserves_pools(pool: list[float], qty: list[int]) -> None:
    drivers = pd.DataFrame(np.array(qty).reshape(3, 2), columns=["a", "b"])
    r = allocate_activity_based(pd.Series(pool, index=["a", "b"]), drivers)
    assert r.allocated.sum() == pytest.approx(sum(pool), rel=1e-9, abs=1e-6)


# -- bad input ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("costs", "shares", "match"),
    [
        (COSTS, SHARES.assign(A=[0.3, 0.2]), r"'Y' sum to 0\.9"),
        (COSTS.mul([1, -1, 1, 1]), SHARES, r"department 'Z' is -4000\.0"),
        (COSTS.mul([1, np.nan, 1, 1]), SHARES, r"department 'Z' is nan"),
        (COSTS, SHARES.assign(B=[0.4, np.nan]), r"'Z' to 'B' is nan"),
        (COSTS, SHARES.assign(B=[0.6, 0.5], A=[0.2, 0.2], Z=[0.2, -0.0 - 0.1]), "'Z'.*-0.1"),
        (COSTS, SHARES.rename(columns={"B": "Bee"}), r"column 'Bee' is not a department"),
        (pd.Series(dtype=float), SHARES, "costs is empty"),
        (COSTS.iloc[[0, 0, 1, 2, 3]], SHARES, "'Y' appears twice"),
    ],
)
def test_bad_input_is_named(costs: pd.Series, shares: pd.DataFrame, match: str) -> None:
    with pytest.raises(ModelError, match=match):
        allocate_reciprocal(costs, shares)


def test_department_serving_only_itself_is_named() -> None:
    shares = pd.DataFrame({"Y": [1.0, 0.3], "A": [0.0, 0.2], "B": [0.0, 0.5]}, index=["Y", "Z"])
    for method in finance.ALLOCATION_METHODS:
        with pytest.raises(ModelError, match="'Y' serves only itself"):
            allocate_costs(COSTS, shares, method=method)


def test_closed_group_of_service_departments_is_named() -> None:
    costs = pd.Series({"IT": 1.0, "HR": 1.0, "FAC": 1.0, "A": 1.0})
    shares = pd.DataFrame(
        {"IT": [0.0, 1.0, 0.0], "HR": [1.0, 0.0, 0.0], "A": [0.0, 0.0, 1.0]},
        index=["IT", "HR", "FAC"],
    )
    with pytest.raises(ModelError, match=r"'IT', 'HR' serve only themselves or each other"):
        allocate_reciprocal(costs, shares)


def test_step_down_order_that_strands_a_department() -> None:
    # Y serves only Z; closing Z first leaves Y nobody to charge.
    costs = pd.Series({"Y": 1.0, "Z": 1.0, "A": 1.0})
    shares = pd.DataFrame({"Z": [1.0, 0.0], "A": [0.0, 1.0]}, index=["Y", "Z"])
    with pytest.raises(ModelError, match="'Y' has no department left"):
        allocate_step_down(costs, shares, order=["Z", "Y"])
    assert allocate_step_down(costs, shares).allocated.tolist() == [3.0]  # derived: Y first


@pytest.mark.parametrize("order", [["Y"], ["Y", "Y"], ["Y", "Q"], "largest"])
def test_bad_step_down_order(order: object) -> None:
    with pytest.raises(ModelError, match=r"order|rule"):
        allocate_step_down(COSTS, SHARES, order=order)  # type: ignore[arg-type]


def test_other_structural_errors() -> None:
    with pytest.raises(ModelError, match="no service department"):
        allocate_direct([1.0, 2.0], np.zeros((2, 2)))
    with pytest.raises(ModelError, match="no producing department"):
        allocate_direct([1.0, 2.0], [[0, 1], [1, 0]])
    with pytest.raises(ModelError, match="shape"):
        allocate_direct([1.0, 2.0], [[0, 1]])
    with pytest.raises(ModelError, match="'Y' is a producing department but has a row"):
        allocate_direct(COSTS, SHARES, kinds=["producing", "service", "producing", "producing"])
    with pytest.raises(ModelError, match="kind of department 'A' is 'sales'"):
        allocate_direct(COSTS, SHARES, kinds={"Y": "service", "Z": "service", "A": "sales"})
    with pytest.raises(ModelError, match="Did you mean 'step_down'"):
        allocate_costs(COSTS, SHARES, method="step-down")


def test_activity_based_bad_input() -> None:
    drivers = pd.DataFrame({"a": [1.0, 2.0]}, index=["P", "Q"])
    with pytest.raises(ModelError, match="activity 'b' has a cost pool but no driver"):
        allocate_activity_based({"a": 1.0, "b": 1.0}, drivers)
    with pytest.raises(ModelError, match=r"unit 'Q' for activity 'a' is -2.0"):
        allocate_activity_based({"a": 1.0}, drivers.mul([1, -1], axis=0))
    with pytest.raises(ModelError, match=r"activity 'a' has a cost pool of 5.0 but no driver"):
        allocate_activity_based({"a": 5.0}, drivers * 0)
    with pytest.raises(ModelError, match="cost pool of activity 'a' is nan"):
        allocate_activity_based({"a": np.nan}, drivers)
    with pytest.raises(ModelError, match="at least one"):
        allocate_activity_based({}, drivers)


def test_errors_are_scorecard_and_value_errors() -> None:
    with pytest.raises(ScorecardError):
        allocate_direct([-1.0, 1.0], [[0, 1], [0, 0]])
    with pytest.raises(ValueError, match="must be finite"):
        allocate_direct([-1.0, 1.0], [[0, 1], [0, 0]])


def test_api_shape() -> None:
    assert sorted(finance.__all__) == finance.__all__
    for name in ("allocate_direct", "allocate_step_down", "allocate_reciprocal"):
        params = list(inspect.signature(getattr(finance, name)).parameters.values())
        assert [p.kind for p in params[:2]] == [inspect.Parameter.POSITIONAL_OR_KEYWORD] * 2
        assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in params[2:])
    r = allocate_direct(COSTS, SHARES)
    assert isinstance(r, Allocation)
    with pytest.raises(AttributeError):
        r.method = "x"  # type: ignore[misc]
