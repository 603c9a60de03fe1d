"""Scoring an indicator by the control limits of its own history (``control_limits``)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from balanced_scorecard.algorithms.scoring import (
    BUILTIN_METHODS,
    HIGHER_BETTER,
    IN_RANGE,
    LOWER_BETTER,
    ScoreInputs,
    score_control_limits,
    validate_params,
)
from balanced_scorecard.exceptions import DefinitionError, ModelError
from balanced_scorecard.model import Indicator, Objective, Scorecard
from balanced_scorecard.model.indicators import Scoring

THIRD, TWO_THIRDS = 1 / 3, 2 / 3


def test_knots_hand_worked() -> None:
    # Hand-worked, center 100 and sigma 10 (higher better): 4 sigma short scores 0, the lower
    # control limit (70) 1/3, the warning line (80) 2/3, the center 2/3 + 2 * (1/3) / 5 = 0.8
    # (the green segment runs from -2 to +3 sigma), the upper limit (130) 1.
    inp = ScoreInputs.from_arrays([60, 70, 80, 100, 130])
    got = score_control_limits(inp, center=100, sigma=10)
    assert got.tolist() == pytest.approx([0.0, THIRD, TWO_THIRDS, 0.8, 1.0])


def test_polarity_flips_and_in_range_is_symmetric() -> None:
    # Lower-better: 130 is 3 sigma on the bad side -> 1/3. In range: 70 and 130 are both 3
    # sigma away -> 1/3, the center 1.
    inp = ScoreInputs.from_arrays(
        [130.0, 70.0, 130.0, 100.0], polarity=[LOWER_BETTER, IN_RANGE, IN_RANGE, IN_RANGE]
    )
    got = score_control_limits(inp, center=100, sigma=10)
    assert got.tolist() == pytest.approx([THIRD, THIRD, THIRD, 1.0])


def test_beyond_the_ends_continues_the_end_slopes() -> None:
    # 5 sigma short: 0 - 1/3 = -1/3 (clamped later); 6 sigma better: 1 + 3 / 15 = 1.2.
    inp = ScoreInputs.from_arrays([50.0, 160.0])
    got = score_control_limits(inp, center=100, sigma=10)
    assert got.tolist() == pytest.approx([-THIRD, 1.2])


def test_series_limits_come_from_the_inputs_and_flat_series_are_unscored() -> None:
    inp = ScoreInputs.from_arrays(
        [70.0, 5.0, 5.0], series_center=[100.0, 5.0, np.nan], series_sigma=[10.0, 0.0, np.nan]
    )
    got = score_control_limits(inp)
    assert got[0] == pytest.approx(THIRD)
    assert np.isnan(got[1:]).all()


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"sigma": 0}, "'sigma' must be a positive number"),
        ({"center": "high"}, "'center' must be a number"),
        ({"baseline": 0}, "'baseline' must be a whole number >= 1"),
        ({"min_points": 1.5}, "'min_points' must be a whole number >= 2"),
    ],
)
def test_bad_params_are_named(params: dict[str, object], message: str) -> None:
    assert any(message in p for p in validate_params(BUILTIN_METHODS["control_limits"], params))
    with pytest.raises(ModelError, match=message):
        score_control_limits(ScoreInputs.from_arrays([1.0]), **params)  # type: ignore[arg-type]


@given(
    center=st.floats(-1e3, 1e3),
    sigma=st.floats(0.01, 1e3),
    z=st.floats(-6, 6),
    scale=st.floats(0.1, 100),
)
def test_score_depends_only_on_z(center: float, sigma: float, z: float, scale: float) -> None:
    # Law: rescaling the data (values, center and sigma alike) leaves the score unchanged.
    one = score_control_limits(
        ScoreInputs.from_arrays([center + z * sigma]), center=center, sigma=sigma
    )
    two = score_control_limits(
        ScoreInputs.from_arrays([scale * (center + z * sigma)]),
        center=scale * center,
        sigma=scale * sigma,
    )
    assert two[0] == pytest.approx(one[0], abs=1e-9)


def test_breakpoints_name_the_limits() -> None:
    bps = BUILTIN_METHODS["control_limits"].breakpoints
    got = bps({"series_center": 100.0, "series_sigma": 10.0, "polarity": HIGHER_BETTER})
    assert [(b.label, b.value) for b in got] == [
        ("4 sigma short", 60.0),
        ("unfavourable control limit", 70.0),
        ("warning line", 80.0),
        ("favourable limit", 130.0),
    ]
    low = bps({"polarity": LOWER_BETTER}, center=100.0, sigma=10.0)
    assert [b.value for b in low] == [70.0, 120.0, 130.0, 140.0]
    assert bps({"series_center": 1.0, "series_sigma": np.nan}) == []


def _scorecard(**params: object) -> Scorecard:
    return Scorecard(
        id="spc",
        objectives=[Objective(id="quality", perspective="internal_process")],
        indicators=[
            Indicator(
                id="defects",
                objective="quality",
                polarity="lower_better",
                scoring=Scoring(method="control_limits", params=params),
            )
        ],
    )


def _observations(values: list[float]) -> pd.DataFrame:
    periods = pd.period_range("2025-01", periods=len(values), freq="M").astype(str)
    return pd.DataFrame(
        {"indicator": "defects", "org_unit": "all", "period": periods, "value": values}
    )


def test_an_evaluation_scores_by_the_series_limits() -> None:
    # Hand-worked: eleven months alternating 10 and 11, then 16 (lower is better). Center
    # 131 / 12 = 10.9167, sigma (16 / 11) / 1.128 = 1.2895; 16 is (16 - 10.9167) / 1.2895 =
    # 3.942 sigma on the bad side: score 1/3 - 0.942 / 3 = 0.0193, red.
    values = [10.0, 11.0] * 5 + [10.0, 16.0]
    ev = _scorecard().evaluate(_observations(values))
    z = (16 - 131 / 12) / ((16 / 11) / 1.128)
    assert ev.score("defects") == pytest.approx(THIRD - (z - 3) / 3)
    assert ev.status("defects") == "red"
    text = str(ev.explain("defects"))
    assert "unfavourable control limit" in text
    # The eleventh month (10) is common-cause variation: green.
    assert ev.score("defects", period="2025-11") > TWO_THIRDS


def test_a_baseline_window_and_a_minimum_history() -> None:
    # Phase I on the first 4 months only (10, 11, 10, 11: center 10.5, sigma 1 / 1.128):
    # 16 is 6.2 sigma worse, scored below 0 and clamped to 0.
    values = [10.0, 11.0, 10.0, 11.0, 12.0, 16.0]
    ev = _scorecard(baseline=4, min_points=4).evaluate(_observations(values))
    assert ev.score("defects") == 0.0
    # With the default minimum of 8 values, six months are too few: unscored, with a note.
    short = _scorecard().evaluate(_observations(values))
    assert np.isnan(short.score("defects"))
    assert "unscored" in set(short.notes["rule"])


def test_a_bad_param_in_a_definition_is_a_definition_error() -> None:
    with pytest.raises(DefinitionError, match="'baseline' must be a whole number"):
        Scorecard.from_dict(
            {
                "id": "x",
                "objectives": [
                    {
                        "id": "q",
                        "perspective": "internal_process",
                        "indicators": [
                            {"id": "d", "scoring": {"method": "control_limits", "baseline": 0}}
                        ],
                    }
                ],
            }
        ).evaluate(_observations([1.0]))
