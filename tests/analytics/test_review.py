"""Review triggers and the short/long-term investment balance (hand-worked cases)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from balanced_scorecard.analytics.review import classify_variances, investment_balance
from balanced_scorecard.exceptions import ObservationError


def _frame(indicator: str, values: list[float], unit: str = "all") -> pd.DataFrame:
    return pd.DataFrame(
        {
            "indicator": indicator,
            "org_unit": unit,
            "period": [f"2025-{m:02d}" for m in range(1, len(values) + 1)],
            "variance_pct": values,
        }
    )


def test_a_change_of_direction_restarts_the_run() -> None:
    # -8, -8, +8, +8, +8: two misses, then three beats; only the fifth month has a run of 3.
    out = classify_variances(_frame("revenue", [-8, -8, 8, 8, 8]))
    assert out["run"].tolist() == [1, 2, 1, 2, 3]
    assert out["level"].tolist() == ["operational"] * 4 + ["strategic"]


def test_linked_objectives_beyond_tolerance_together_are_strategic() -> None:
    # March: on-time delivery and satisfaction (one causal chain) both miss by > 5 %;
    # revenue, in another group, misses alone. Only the linked pair is strategic.
    v = pd.concat(
        [
            _frame("on_time", [1, 2, -7]),
            _frame("satisfaction", [0, -1, -6]),
            _frame("revenue", [0, 0, -9]),
        ]
    )
    groups = {"on_time": "customer-chain", "satisfaction": "customer-chain", "revenue": "growth"}
    out = classify_variances(v, groups=groups).set_index(["indicator", "period"])
    assert out.loc[("on_time", "2025-03"), "rule"] == "linked: customer-chain"
    assert out.loc[("satisfaction", "2025-03"), "level"] == "strategic"
    assert out.loc[("revenue", "2025-03"), ["level", "rule"]].tolist() == [
        "operational",
        "short-lived",
    ]


def test_units_are_separate_series() -> None:
    v = pd.concat([_frame("cost", [9, 9], unit="a"), _frame("cost", [9], unit="b")])
    out = classify_variances(v, persistence=2)
    assert out["level"].tolist() == ["operational", "strategic", "operational"]


def test_bad_input() -> None:
    with pytest.raises(ObservationError, match="missing \\['variance_pct'\\]"):
        classify_variances(_frame("x", [1]).drop(columns="variance_pct"))
    with pytest.raises(ObservationError, match="persistence"):
        classify_variances(_frame("x", [1]), persistence=0)
    with pytest.raises(ObservationError, match="negative"):
        investment_balance(
            pd.DataFrame({"indicator": ["rnd"], "period": ["q1"], "value": [-1.0]}),
            long_term=["rnd"],
        )
    with pytest.raises(ObservationError, match="long-term"):
        investment_balance(pd.DataFrame({"indicator": [], "period": [], "value": []}), long_term=[])


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(-20, 20, allow_nan=False), min_size=1, max_size=15), st.randoms())
def test_row_order_does_not_matter(values: list[float], rnd: object) -> None:
    v = pd.concat([_frame("a", values), _frame("b", values[::-1])], ignore_index=True)
    base = classify_variances(v).sort_values(["indicator", "period"]).reset_index(drop=True)
    shuffled = v.sample(frac=1.0, random_state=rnd.randint(0, 2**31))  # type: ignore[attr-defined]
    got = classify_variances(shuffled).sort_values(["indicator", "period"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(base, got)
    # A run can never be longer than the number of periods seen so far.
    assert (base["run"].to_numpy() <= np.tile(np.arange(1, len(values) + 1), 2)).all()


def test_investment_share_with_explicit_short_term_lines() -> None:
    # Q1: R&D 20 against cost savings programme 80 (other lines ignored) -> 20 %.
    s = pd.DataFrame(
        {"indicator": ["rnd", "savings", "other"], "period": "q1", "value": [20.0, 80.0, 999.0]}
    )
    out = investment_balance(s, long_term=["rnd"], short_term=["savings"])
    assert out["share"].tolist() == [20.0]
