"""Trend slopes against a least-squares fit done point by point."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from balanced_scorecard.algorithms.trend import trend

scores = st.lists(
    st.one_of(st.none(), st.floats(0, 1, allow_nan=False)), min_size=1, max_size=12
).map(lambda xs: np.array([np.nan if x is None else x for x in xs]))


@given(scores, st.integers(2, 5))
def test_slope_is_the_least_squares_fit_over_the_window(s: np.ndarray, window: int) -> None:
    got = trend(s[None, :], window=window).slope[0]
    for t in range(len(s)):
        xs = np.arange(max(0, t - window + 1), t + 1)
        xs = xs[~np.isnan(s[xs])]
        if len(xs) < 2:
            assert np.isnan(got[t])
        else:
            expected = np.polyfit(xs.astype(float), s[xs], 1)[0]
            assert abs(got[t] - expected) < 1e-5


def test_direction_and_change_hand_worked() -> None:
    # Hand-worked: 0.2, 0.5, 0.5 has slope 0.15 over three periods (improving);
    # 0.5 to 0.5 is no change.
    t = trend(np.array([[0.2, 0.5, 0.5]]), window=3, tolerance=0.01)
    assert abs(t.slope[0, 2] - 0.15) < 1e-6
    assert t.labels()[0].tolist() == ["", "improving", "improving"]
    np.testing.assert_allclose(t.change[0, 1:], [0.3, 0.0])
