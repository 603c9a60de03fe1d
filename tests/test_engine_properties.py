"""Laws of a whole evaluation, checked with generated scorecards and data (hypothesis)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from balanced_scorecard import (
    DefinitionError,
    Engine,
    Indicator,
    Objective,
    OrgChart,
    OrgUnit,
    Scorecard,
    Scoring,
    Thresholds,
)

ENGINE = Engine(entry_points=False)
UNITS = OrgChart(
    units=[OrgUnit(id="top"), OrgUnit(id="a", parent="top"), OrgUnit(id="b", parent="top")]
)
MONTHS = ["2025-01", "2025-02", "2025-03", "2025-04"]


def _scorecard(weights: list[float], lower: list[bool]) -> Scorecard:
    return Scorecard(
        id="p",
        org_chart=UNITS,
        objectives=[
            Objective(id="o1", perspective="financial"),
            Objective(id="o2", perspective="customer"),
        ],
        indicators=[
            Indicator(
                id=f"i{k}",
                objective=f"o{1 + k % 2}",
                weight=w,
                time_aggregation="sum",
                polarity="lower_better" if low else "higher_better",
                thresholds=Thresholds(target=40, red_flag=60)
                if low
                else Thresholds(target=60, red_flag=40),
            )
            for k, (w, low) in enumerate(zip(weights, lower, strict=True))
        ],
    )


cases = st.integers(2, 5).flatmap(
    lambda n: st.tuples(
        st.lists(st.floats(0.1, 10), min_size=n, max_size=n),
        st.lists(st.booleans(), min_size=n, max_size=n),
        st.lists(
            st.tuples(
                st.integers(0, n - 1),
                st.sampled_from(["a", "b"]),
                st.sampled_from(MONTHS),
                st.floats(0, 100, allow_nan=False),
            ),
            min_size=1,
            max_size=30,
            unique_by=lambda r: (r[0], r[1], r[2]),
        ),
    )
)


def _frame(rows: list[tuple[int, str, str, float]]) -> pd.DataFrame:
    return pd.DataFrame(
        [(f"i{i}", u, p, v) for i, u, p, v in rows],
        columns=["indicator", "org_unit", "period", "value"],
    )


def _scores(sc: Scorecard, obs: pd.DataFrame) -> pd.DataFrame:
    frame = ENGINE.evaluate(sc, obs, start=MONTHS[0], period=MONTHS[-1]).frame
    return frame.set_index(["node", "org_unit", "period"])[["actual", "score", "status"]]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases, st.randoms(use_true_random=False))
def test_row_order_never_changes_a_result(case: tuple, rnd: object) -> None:
    weights, lower, rows = case
    sc = _scorecard(weights, lower)
    shuffled = list(rows)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    pd.testing.assert_frame_equal(_scores(sc, _frame(rows)), _scores(sc, _frame(shuffled)))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases, st.floats(0.01, 100))
def test_scaling_every_weight_leaves_scores_unchanged(case: tuple, factor: float) -> None:
    weights, lower, rows = case
    a = _scores(_scorecard(weights, lower), _frame(rows))
    b = _scores(_scorecard([w * factor for w in weights], lower), _frame(rows))
    np.testing.assert_allclose(a["score"], b["score"], atol=1e-9)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases)
def test_scores_in_range_and_parents_within_children(case: tuple) -> None:
    weights, lower, rows = case
    ev = ENGINE.evaluate(_scorecard(weights, lower), _frame(rows), start=MONTHS[0])
    for level in (ev.indicators, ev.objectives, ev.perspectives, ev.total):
        s = level.score[~np.isnan(level.score)]
        assert ((s >= 0) & (s <= 1)).all()
    # A weighted mean lies between its smallest and largest child (objective level).
    kids = ev.indicators.score
    for o in range(len(ev.objectives.ids)):
        mine = np.ma.masked_invalid(kids[ev.indicators.parent == o])
        lo, hi = mine.min(axis=0), mine.max(axis=0)
        got = ev.objectives.score[o]
        ok = ~np.isnan(got)
        assert (got[ok] >= lo[ok].filled(np.nan) - 1e-12).all()
        assert (got[ok] <= hi[ok].filled(np.nan) + 1e-12).all()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases)
def test_additive_parents_are_the_sum_of_their_children(case: tuple) -> None:
    weights, lower, rows = case
    ev = ENGINE.evaluate(_scorecard(weights, lower), _frame(rows), start=MONTHS[0])
    actual = ev.indicators.actual  # (indicator, unit, period); units are top, a, b
    both = np.nansum(actual[:, 1:, :], axis=1)
    none = np.isnan(actual[:, 1:, :]).all(axis=1)
    np.testing.assert_allclose(np.where(none, np.nan, both), actual[:, 0, :])


def test_unknown_unit_and_methods_of_a_python_built_scorecard_are_reported_together() -> None:
    sc = Scorecard(
        id="x",
        objectives=[Objective(id="o", perspective="financial", rollup="wieghted_mean")],
        indicators=[
            Indicator(id="i", objective="o", unit="eurr", scoring=Scoring(method="goal_redflag"))
        ],
    )
    obs = pd.DataFrame(
        {"indicator": ["i"], "org_unit": ["all"], "period": ["2025-01"], "value": [1.0]}
    )
    with pytest.raises(DefinitionError) as info:
        ENGINE.evaluate(sc, obs)
    text = str(info.value)
    assert "3 problems" in text
    assert "indicators[0].unit: unknown unit 'eurr'" in text
    assert "Did you mean 'goal_red_flag'?" in text
    assert "objectives[0].rollup: unknown rollup method 'wieghted_mean'" in text
