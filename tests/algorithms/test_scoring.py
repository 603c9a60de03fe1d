"""Tests of balanced_scorecard.algorithms.scoring.

Numbers marked "hand-worked" were computed on paper from the formulas in the docstrings,
not by running the code.
"""

from __future__ import annotations

import inspect
from typing import Any

import attrs
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from balanced_scorecard.algorithms.scoring import (
    BUILTIN_METHODS,
    DEFAULT_STATUS_BOUNDS,
    HIGHER_BETTER,
    IN_RANGE,
    LOWER_BETTER,
    Breakpoint,
    ScoreInputs,
    bracket,
    clamp_scores,
    encode_categories,
    score_band,
    score_categorical,
    score_expected_path,
    score_goal_red_flag,
    score_piecewise,
    score_progress,
    score_ratio,
    score_zscore,
    status_codes,
    validate_params,
)
from balanced_scorecard.exceptions import ModelError, ScorecardError

THIRD, TWO_THIRDS = 1 / 3, 2 / 3
NAN = float("nan")


def inputs(actual: Any, **kw: Any) -> ScoreInputs:
    return ScoreInputs.from_arrays(actual, **kw)


def approx(values: Any) -> Any:
    return pytest.approx(list(values), nan_ok=True)


# --- ScoreInputs --------------------------------------------------------------------------


def test_from_arrays_fills_defaults_and_broadcasts() -> None:
    inp = inputs([1.0, 2.0], target=5, polarity=[1, -1], period_end="2025-03-31")
    assert inp.target.tolist() == [5.0, 5.0]
    assert inp.polarity.dtype == np.int8
    assert inp.polarity.tolist() == [1, -1]
    assert np.isnan(inp.stretch).all()
    assert inp.period_end.dtype == np.dtype("datetime64[D]")
    assert inp.period_end[1] == np.datetime64("2025-03-31")
    assert len(inp) == 2


def test_from_arrays_scalar_actual_is_one_row() -> None:
    assert len(inputs(3.0)) == 1


def test_from_arrays_missing_dates_are_nat() -> None:
    assert np.isnat(inputs([1.0, 2.0]).period_end).all()


def test_from_arrays_unknown_field_suggests() -> None:
    with pytest.raises(ModelError, match=r"no field 'targt'\. Did you mean 'target'\?"):
        inputs([1.0], targt=3)


def test_from_arrays_bad_shape() -> None:
    with pytest.raises(ModelError, match="target has shape"):
        inputs([1.0, 2.0, 3.0], target=[1.0, 2.0])


def test_from_arrays_bad_polarity() -> None:
    with pytest.raises(ModelError, match=r"polarity code 2 is not"):
        inputs([1.0], polarity=2)


def test_direct_construction_checks_shapes() -> None:
    good = inputs([1.0, 2.0])
    fields = {f.name: getattr(good, f.name) for f in attrs.fields(ScoreInputs)}
    fields["target"] = np.zeros(3)
    with pytest.raises(ModelError, match="one length per row"):
        ScoreInputs(**fields)


def test_take_subsets_every_field() -> None:
    inp = inputs([1.0, 2.0, 3.0], target=[10.0, 20.0, 30.0], polarity=[1, -1, 0])
    sub = inp.take(np.array([True, False, True]))
    assert sub.actual.tolist() == [1.0, 3.0]
    assert sub.target.tolist() == [10.0, 30.0]
    assert sub.polarity.tolist() == [1, 0]
    assert len(sub.period_end) == 2


def test_errors_derive_from_scorecard_error() -> None:
    assert issubclass(ModelError, ScorecardError)


# --- goal_red_flag ------------------------------------------------------------------------


def test_goal_red_flag_spider_impact_example() -> None:
    # Spider Impact's documented goal/red-flag example: goal 700, red flag 500, higher-better.
    inp = inputs([300, 500, 700, 900, 1100], target=700, red_flag=500)
    raw = score_goal_red_flag(inp)
    assert raw.tolist() == approx([0.0, THIRD, TWO_THIRDS, 1.0, 4 / 3])
    score, clamped = clamp_scores(raw)
    assert score.tolist() == approx([0.0, THIRD, TWO_THIRDS, 1.0, 1.0])
    assert clamped.tolist() == [False, False, False, False, True]
    overflow, _ = clamp_scores(raw, allow_overflow=True)
    assert overflow[-1] == pytest.approx(4 / 3)


def test_goal_red_flag_lower_better_mirror() -> None:
    # Mirror of Spider Impact's example: goal 500, red flag 700, lower-better.
    inp = inputs([900, 700, 600, 500, 300], target=500, red_flag=700, polarity=LOWER_BETTER)
    assert score_goal_red_flag(inp).tolist() == approx([0.0, THIRD, 0.5, TWO_THIRDS, 1.0])


def test_goal_red_flag_hand_worked() -> None:
    # hand-worked: goal 10, red flag 4, actual 7 -> 1/3 + 3/6/3 = 1/2; actual 1 -> 1/3 - 1/6.
    inp = inputs([7.0, 1.0], target=10, red_flag=4)
    assert score_goal_red_flag(inp).tolist() == approx([0.5, 1 / 6])


@pytest.mark.parametrize(
    ("target", "red_flag", "polarity"),
    [
        (500, 500, HIGHER_BETTER),  # degenerate: no distance between the thresholds
        (700, 500, IN_RANGE),  # goal/red flag has no meaning for in-range
        (500, 700, HIGHER_BETTER),  # ordering contradicts polarity
        (700, 500, LOWER_BETTER),
        (NAN, 500, HIGHER_BETTER),
        (700, NAN, HIGHER_BETTER),
    ],
)
def test_goal_red_flag_nan(target: float, red_flag: float, polarity: int) -> None:
    inp = inputs([600.0], target=target, red_flag=red_flag, polarity=polarity)
    assert np.isnan(score_goal_red_flag(inp)).all()
    row = {"target": target, "red_flag": red_flag, "polarity": polarity}
    assert BUILTIN_METHODS["goal_red_flag"].breakpoints(row) == []


def test_goal_red_flag_nan_actual() -> None:
    assert np.isnan(score_goal_red_flag(inputs([NAN], target=700, red_flag=500))).all()


def test_goal_red_flag_breakpoints_both_polarities() -> None:
    bps = BUILTIN_METHODS["goal_red_flag"].breakpoints
    up = bps({"target": 700.0, "red_flag": 500.0, "polarity": HIGHER_BETTER})
    assert [(b.label, b.value) for b in up] == [
        ("zero", 300.0),
        ("red flag", 500.0),
        ("target", 700.0),
        ("max", 900.0),
    ]
    down = bps({"target": 500.0, "red_flag": 700.0, "polarity": LOWER_BETTER})
    assert [(b.label, b.value, b.score) for b in down] == [
        ("max", 300.0, 1.0),
        ("target", 500.0, TWO_THIRDS),
        ("red flag", 700.0, THIRD),
        ("zero", 900.0, 0.0),
    ]


# --- piecewise ----------------------------------------------------------------------------


def test_piecewise_hand_worked() -> None:
    # hand-worked: halfway 0..10 (0 -> 0.2) is 0.1; 15 is halfway 10..20 (0.2 -> 1.0) = 0.6.
    bps = [[0, 0.0], [10, 0.2], [20, 1.0]]
    inp = inputs([-5, 5, 10, 15, 25, NAN])
    assert score_piecewise(inp, breakpoints=bps).tolist() == approx([0.0, 0.1, 0.2, 0.6, 1.0, NAN])


def test_piecewise_decreasing_scores_mean_lower_is_better() -> None:
    inp = inputs([0, 50, 100])
    got = score_piecewise(inp, breakpoints=[(0, 1.0), (100, 0.0)])
    assert got.tolist() == approx([1.0, 0.5, 0.0])


def test_piecewise_bad_params_raise() -> None:
    with pytest.raises(ModelError, match="strictly increasing"):
        score_piecewise(inputs([1.0]), breakpoints=[[5, 0.0], [1, 1.0]])


def test_piecewise_breakpoints_are_the_pairs() -> None:
    got = BUILTIN_METHODS["piecewise"].breakpoints({}, breakpoints=[[0, 0.1], [5, 0.9]])
    assert got == [
        Breakpoint(label="point 1", value=0.0, score=0.1),
        Breakpoint(label="point 2", value=5.0, score=0.9),
    ]


# --- progress -----------------------------------------------------------------------------


def test_progress_hand_worked_without_stretch() -> None:
    # hand-worked: baseline 20, target 80: 50 is half way -> 1/3; 110 is 1.5 steps -> 1.
    inp = inputs([20, 50, 80, 110, 0], baseline=20, target=80)
    assert score_progress(inp).tolist() == approx([0.0, THIRD, TWO_THIRDS, 1.0, -2 / 9])


def test_progress_hand_worked_with_stretch() -> None:
    # hand-worked: target 80 -> stretch 100: 90 is half way from 2/3 to 1 -> 5/6;
    # 120 is two target-to-stretch steps past the target -> 2/3 + 2/3.
    inp = inputs([50, 80, 90, 100, 120], baseline=20, target=80, stretch=100)
    assert score_progress(inp).tolist() == approx([THIRD, TWO_THIRDS, 5 / 6, 1.0, 4 / 3])


def test_progress_reduction_target() -> None:
    # Lower-better mirror: baseline 100 down to target 50 (stretch 25); 75 is half way.
    inp = inputs([100, 75, 50, 37.5, 120], baseline=100, target=50, stretch=25)
    assert score_progress(inp).tolist() == approx([0.0, THIRD, TWO_THIRDS, 5 / 6, -4 / 15])


def test_progress_degenerate() -> None:
    same = inputs([1.0, 2.0], baseline=5, target=5)
    assert np.isnan(score_progress(same)).all()
    wrong_stretch = inputs([1.0], baseline=0, target=10, stretch=5)
    assert np.isnan(score_progress(wrong_stretch)).all()
    missing = inputs([1.0], target=10)
    assert np.isnan(score_progress(missing)).all()
    bps = BUILTIN_METHODS["progress"].breakpoints
    assert bps({"baseline": 5.0, "target": 5.0}) == []
    assert bps({"baseline": 0.0, "target": 10.0, "stretch": 5.0}) == []


def test_progress_breakpoints() -> None:
    bps = BUILTIN_METHODS["progress"].breakpoints
    got = bps({"baseline": 100.0, "target": 50.0})
    assert [(b.label, b.value) for b in got] == [
        ("max", 25.0),
        ("target", 50.0),
        ("baseline", 100.0),
    ]
    got = bps({"baseline": 0.0, "target": 10.0, "stretch": 20.0})
    assert [b.label for b in got] == ["baseline", "target", "stretch"]


# --- ratio --------------------------------------------------------------------------------


def test_ratio_hand_worked() -> None:
    # hand-worked: target 200: 100 is ratio 0.5 -> 1/3; 300 is ratio 1.5 -> 1.
    inp = inputs([0, 100, 200, 300], target=200)
    assert score_ratio(inp).tolist() == approx([0.0, THIRD, TWO_THIRDS, 1.0])


def test_ratio_negative_target_is_sign_safe() -> None:
    # hand-worked: target -100 (e.g. a loss), higher-better: -50 beats it by half -> ratio 1.5.
    inp = inputs([-200, -100, -50], target=-100)
    assert score_ratio(inp).tolist() == approx([0.0, TWO_THIRDS, 1.0])


def test_ratio_lower_better() -> None:
    # hand-worked: target 100, lower-better: 50 is half under -> ratio 1.5 -> 1; 200 -> 0.
    inp = inputs([50, 100, 150, 200], target=100, polarity=LOWER_BETTER)
    assert score_ratio(inp).tolist() == approx([1.0, TWO_THIRDS, THIRD, 0.0])


def test_ratio_zero_target() -> None:
    up = inputs([-1.0, 0.0, 2.0, NAN], target=0)
    assert score_ratio(up).tolist() == approx([0.0, TWO_THIRDS, 1.0, NAN])
    down = inputs([-1.0, 0.0, 2.0], target=0, polarity=LOWER_BETTER)
    assert score_ratio(down).tolist() == approx([1.0, TWO_THIRDS, 0.0])
    bps = BUILTIN_METHODS["ratio"].breakpoints({"target": 0.0})
    assert [(b.label, b.value) for b in bps] == [("target", 0.0)]


def test_ratio_in_range_and_missing_are_nan() -> None:
    assert np.isnan(score_ratio(inputs([1.0], target=1, polarity=IN_RANGE))).all()
    assert np.isnan(score_ratio(inputs([1.0]))).all()
    assert BUILTIN_METHODS["ratio"].breakpoints({"target": 1.0, "polarity": IN_RANGE}) == []


# --- expected_path ------------------------------------------------------------------------

PATH: dict[str, Any] = {"start": "2024-01-01", "end": "2025-01-01"}


def test_expected_path_hand_worked() -> None:
    # hand-worked: 2024 has 366 days; 2024-07-02 is day 183 -> half way -> expected 50;
    # tolerance 0.1 * 100 = 10, so the red flag is 40 and 60 scores 1.
    inp = inputs([30, 40, 50, 60], baseline=0, target=100, period_end="2024-07-02")
    assert score_expected_path(inp, **PATH).tolist() == approx([0.0, THIRD, TWO_THIRDS, 1.0])


def test_expected_path_clips_before_start_and_after_end() -> None:
    # hand-worked: before start expected = baseline 0; after end expected = target 100;
    # tolerance 0.2 * 100 = 20.
    inp = inputs(
        [0.0, 100.0, 80.0],
        baseline=0,
        target=100,
        period_end=["2023-06-30", "2026-06-30", "2026-06-30"],
    )
    got = score_expected_path(inp, tolerance=0.2, **PATH)
    assert got.tolist() == approx([TWO_THIRDS, TWO_THIRDS, THIRD])


def test_expected_path_decreasing() -> None:
    # Lower-better mirror: 100 down to 0; half way expected is 50, red flag trails at 60.
    inp = inputs([70, 60, 50, 40], baseline=100, target=0, period_end="2024-07-02")
    assert score_expected_path(inp, **PATH).tolist() == approx([0.0, THIRD, TWO_THIRDS, 1.0])


def test_expected_path_nan() -> None:
    inp = inputs([1.0, 1.0], baseline=5, target=[5, 10], period_end=["2024-07-02", "NaT"])
    assert np.isnan(score_expected_path(inp, **PATH)).all()


def test_expected_path_breakpoints() -> None:
    row = {"baseline": 0.0, "target": 100.0, "period_end": np.datetime64("2024-07-02")}
    got = BUILTIN_METHODS["expected_path"].breakpoints(row, **PATH)
    assert [(b.label, b.value) for b in got] == [
        ("zero", 30.0),
        ("red flag", 40.0),
        ("expected", 50.0),
        ("max", 60.0),
    ]
    row["period_end"] = np.datetime64("NaT")
    assert BUILTIN_METHODS["expected_path"].breakpoints(row, **PATH) == []


def test_expected_path_bad_params_raise() -> None:
    with pytest.raises(ModelError, match="must come after 'start'"):
        score_expected_path(inputs([1.0]), start="2025-01-01", end="2024-01-01")


# --- band ---------------------------------------------------------------------------------


def test_band_hand_worked() -> None:
    # hand-worked: band [10, 20], default tolerance 5: 7.5 is half way out -> 1/3; 25 -> 0.
    inp = inputs([5, 7.5, 10, 15, 20, 22.5, 25], lower=10, upper=20)
    assert score_band(inp).tolist() == approx([0.0, THIRD, 1.0, 1.0, 1.0, THIRD, 0.0])


def test_band_edges_inclusive_and_just_outside_amber() -> None:
    inp = inputs([10.0, 9.99, 20.0, 20.01], lower=10, upper=20)
    score = score_band(inp)
    assert score[[0, 2]].tolist() == [1.0, 1.0]
    assert status_codes(score).tolist() == [2, 1, 2, 1]


def test_band_params_override_inputs() -> None:
    # hand-worked: params band [0, 2] with tolerance 1: 2.5 -> 2/3 * 0.5 = 1/3.
    inp = inputs([1.0, 2.5], lower=100, upper=200)
    got = score_band(inp, lower=0, upper=2, tolerance=1)
    assert got.tolist() == approx([1.0, THIRD])


def test_band_degenerate() -> None:
    # A point band has zero default tolerance: a value on the point is inside (1), a value
    # off it cannot be scored (NaN) until an explicit tolerance says how fast to fall.
    point = inputs([5.0, 6.0], lower=5, upper=5)
    assert score_band(point)[0] == 1.0
    assert np.isnan(score_band(point)[1])
    assert score_band(point, tolerance=2).tolist() == approx([1.0, THIRD])
    assert np.isnan(score_band(inputs([5.0], lower=6, upper=4))).all()
    assert np.isnan(score_band(inputs([5.0], lower=4))).all()
    assert np.isnan(score_band(inputs([NAN], lower=4, upper=6))).all()


def test_band_breakpoints_show_the_step() -> None:
    got = BUILTIN_METHODS["band"].breakpoints({"lower": 10.0, "upper": 20.0})
    assert [(b.label, b.value, b.score) for b in got] == [
        ("zero below", 5.0, 0.0),
        ("below lower", 10.0, TWO_THIRDS),
        ("lower", 10.0, 1.0),
        ("upper", 20.0, 1.0),
        ("above upper", 20.0, TWO_THIRDS),
        ("zero above", 25.0, 0.0),
    ]
    assert BUILTIN_METHODS["band"].breakpoints({"lower": 5.0, "upper": 5.0}) == []


# --- categorical --------------------------------------------------------------------------


def test_categorical_end_to_end() -> None:
    scores = {"Green": 1.0, "Amber": 0.5, "Red": 0.0}
    codes, unknown = encode_categories(["red", " GREEN", "purple", None, "amber"], list(scores))
    assert unknown.tolist() == [False, False, True, False, False]
    got = score_categorical(inputs(codes), scores=scores)
    assert got.tolist() == approx([0.0, 1.0, NAN, NAN, 0.5])


def test_categorical_yes_no_from_yaml_booleans() -> None:
    # YAML 1.1 reads `yes:`/`no:` keys and values as booleans.
    scores = {True: 1.0, False: 0.0}
    codes, unknown = encode_categories(
        np.array([True, "No", "yes", False], dtype=object), list(scores)
    )
    assert codes.tolist() == [0.0, 1.0, 0.0, 1.0]
    assert not unknown.any()
    assert score_categorical(inputs(codes), scores=scores).tolist() == [1.0, 0.0, 1.0, 0.0]
    labels = [b.label for b in BUILTIN_METHODS["categorical"].breakpoints({}, scores=scores)]
    assert labels == ["yes", "no"]


def test_encode_categories_true_as_its_own_label() -> None:
    codes, _ = encode_categories(["True", "yes"], ["true", "yes"])
    assert codes.tolist() == [0.0, 1.0]


def test_encode_categories_missing_and_label_called_none() -> None:
    codes, unknown = encode_categories(["", NAN, "none"], ["none", "some"])
    assert codes.tolist() == approx([NAN, NAN, 0.0])
    assert not unknown.any()


def test_encode_categories_duplicate_labels() -> None:
    with pytest.raises(ModelError, match="distinct"):
        encode_categories(["a"], ["Yes", "yes "])


def test_categorical_bad_codes_are_nan() -> None:
    got = score_categorical(inputs([-1.0, 0.5, 2.0, 0.0]), scores={"a": 0.25, "b": 1.0})
    assert got.tolist() == approx([NAN, NAN, NAN, 0.25])


# --- zscore -------------------------------------------------------------------------------


def test_zscore_hand_worked() -> None:
    # hand-worked: target 50, sigma 5: 40 is 2 sigma short -> 1/3; 55 is 1 sigma up -> 5/6.
    inp = inputs([30, 40, 50, 55, 60], target=50)
    got = score_zscore(inp, sigma=5)
    assert got.tolist() == approx([0.0, THIRD, TWO_THIRDS, 5 / 6, 1.0])


def test_zscore_uses_series_std_and_polarity() -> None:
    # hand-worked: lower-better, std 10: 70 is 2 sigma worse -> 1/3; in-range 70 -> also 1/3.
    inp = inputs(
        [70.0, 30.0, 70.0, 30.0],
        target=50,
        series_std=10,
        polarity=[LOWER_BETTER, LOWER_BETTER, IN_RANGE, IN_RANGE],
    )
    assert score_zscore(inp).tolist() == approx([THIRD, 1.0, THIRD, THIRD])


def test_zscore_nan_sigma() -> None:
    inp = inputs([1.0, 1.0, 1.0], target=0, series_std=[0.0, NAN, -1.0])
    assert np.isnan(score_zscore(inp)).all()
    with pytest.raises(ModelError, match="'sigma' must be a positive number"):
        score_zscore(inp, sigma=0)


def test_zscore_breakpoints() -> None:
    bps = BUILTIN_METHODS["zscore"].breakpoints
    got = bps({"target": 50.0, "polarity": LOWER_BETTER}, sigma=5)
    assert [(b.label, b.value) for b in got] == [
        ("max", 40.0),
        ("target", 50.0),
        ("red flag", 60.0),
        ("zero", 70.0),
    ]
    got = bps({"target": 50.0, "series_std": 5.0, "polarity": IN_RANGE})
    assert [b.value for b in got] == [30.0, 40.0, 50.0, 60.0, 70.0]
    assert bps({"target": 50.0, "series_std": 0.0}) == []


# --- clamp_scores, status_codes, bracket ----------------------------------------------------


def test_clamp_scores_per_row_overflow() -> None:
    score, clamped = clamp_scores(
        np.array([-0.2, 1.4, 1.4, NAN]), allow_overflow=np.array([True, True, False, True])
    )
    assert score.tolist() == approx([0.0, 1.4, 1.0, NAN])
    assert clamped.tolist() == [True, False, True, False]


def test_status_codes_boundaries() -> None:
    score = np.array([0.0, THIRD - 1e-9, THIRD, 0.5, TWO_THIRDS - 1e-9, TWO_THIRDS, 1.0, 1.3])
    assert status_codes(score, DEFAULT_STATUS_BOUNDS).tolist() == [0, 0, 1, 1, 1, 2, 2, 2]


def test_status_codes_rounding_slack_keeps_on_target_green() -> None:
    assert status_codes([np.nextafter(TWO_THIRDS, 0.0)]).tolist() == [2]


def test_status_codes_nan_and_custom_bands() -> None:
    got = status_codes([NAN, 0.2, 0.5, 0.95, -0.1], [0.0, 0.5, 0.9])
    assert got.dtype == np.int8
    assert got.tolist() == [-1, 0, 1, 2, 0]


@pytest.mark.parametrize("bounds", [[0.1, 0.5], [0.0, 0.5, 0.5], [], [0.0, 0.7, 0.3]])
def test_status_codes_bad_bounds(bounds: list[float]) -> None:
    with pytest.raises(ModelError, match="must start at 0 and increase"):
        status_codes([0.5], bounds)


KNOTS = [
    Breakpoint(label="a", value=0.0, score=0.0),
    Breakpoint(label="b-", value=10.0, score=TWO_THIRDS),
    Breakpoint(label="b+", value=10.0, score=1.0),
    Breakpoint(label="c", value=20.0, score=1.0),
]


@pytest.mark.parametrize(
    ("actual", "expected"),
    [
        (-1.0, (None, "a")),
        (0.0, ("a", "a")),
        (5.0, ("a", "b-")),
        (10.0, ("b-", "b+")),
        (15.0, ("b+", "c")),
        (20.0, ("c", "c")),
        (21.0, ("c", None)),
        (NAN, (None, None)),
    ],
)
def test_bracket(actual: float, expected: tuple[str | None, str | None]) -> None:
    lo, hi = bracket(KNOTS, actual)
    assert (lo and lo.label, hi and hi.label) == expected


def test_bracket_empty() -> None:
    assert bracket([], 1.0) == (None, None)


# --- validate_params and the registry -------------------------------------------------------


def test_validate_params_unknown_name_did_you_mean() -> None:
    problems = validate_params(BUILTIN_METHODS["expected_path"], {"strat": "2024-01-01"})
    assert problems[0] == (
        "scoring method 'expected_path' has no param 'strat'. Did you mean 'start'? "
        "It takes: start, end, tolerance."
    )
    # The missing required params are reported too.
    assert any("param 'start' is required" in p for p in problems)


def test_validate_params_method_without_params() -> None:
    assert validate_params(BUILTIN_METHODS["goal_red_flag"], {"x": 1}) == [
        "scoring method 'goal_red_flag' has no param 'x'. It takes: no params."
    ]
    assert validate_params(BUILTIN_METHODS["goal_red_flag"], {}) == []


@pytest.mark.parametrize(
    ("method", "params", "fragment"),
    [
        ("piecewise", {}, "'breakpoints' is required"),
        ("piecewise", {"breakpoints": "steep"}, "list of [value, score] pairs"),
        ("piecewise", {"breakpoints": [[0, 0.5]]}, "at least two"),
        ("piecewise", {"breakpoints": [[0, 0], [1, 1.5]]}, "must lie in [0, 1]"),
        ("piecewise", {"breakpoints": [[0, 0], [0, 1]]}, "strictly increasing"),
        ("piecewise", {"breakpoints": [[0, 0], [NAN, 1]]}, "finite numbers"),
        ("categorical", {"scores": ["a", "b"]}, "non-empty mapping"),
        ("categorical", {"scores": {"a": 2}}, "score 2 of category 'a'"),
        ("categorical", {"scores": {"A": 1, "a": 0}}, "appear twice"),
        ("categorical", {"scores": {3: 1}}, "must be text"),
        ("expected_path", {"start": "soon", "end": "2025-01-01"}, "ISO date"),
        ("expected_path", {"start": "2025-01-01", "end": 2026}, "ISO date"),
        ("expected_path", {"start": "2025-01-01", "end": "2025-01-01"}, "must come after"),
        (
            "expected_path",
            {"start": "2024-01-01", "end": "2025-01-01", "tolerance": -1},
            "positive",
        ),
        ("band", {"lower": "low"}, "'lower' must be a number"),
        ("band", {"lower": 5, "upper": 1}, "must not exceed 'upper'"),
        ("band", {"tolerance": 0}, "'tolerance' must be a positive"),
        ("zscore", {"sigma": True}, "'sigma' must be a positive"),
    ],
)
def test_validate_params_values(method: str, params: dict[str, Any], fragment: str) -> None:
    problems = validate_params(BUILTIN_METHODS[method], params)
    assert any(fragment in p for p in problems), problems


@pytest.mark.parametrize(
    ("method", "params"),
    [
        ("piecewise", {"breakpoints": [[0, 0], [1, 1]]}),
        ("categorical", {"scores": {"yes": 1, "no": 0.0}}),
        ("expected_path", {"start": "2024-01-01", "end": np.datetime64("2025-01-01")}),
        ("band", {"lower": 1, "upper": 2.5, "tolerance": 1}),
        ("zscore", {"sigma": 2.5}),
        ("zscore", {}),
    ],
)
def test_validate_params_accepts_good_values(method: str, params: dict[str, Any]) -> None:
    assert validate_params(BUILTIN_METHODS[method], params) == []


def test_registry_is_consistent() -> None:
    assert set(BUILTIN_METHODS) == {
        "goal_red_flag",
        "piecewise",
        "progress",
        "ratio",
        "expected_path",
        "band",
        "categorical",
        "zscore",
        "control_limits",
    }
    fields = {f.name for f in attrs.fields(ScoreInputs)}
    for name, method in BUILTIN_METHODS.items():
        assert method.name == name
        assert set(method.requires) <= fields
        assert method.description
        # Declared params are exactly the keyword params of the function and of breakpoints.
        for fn in (method.func, method.breakpoints):
            kw = [p for p in inspect.signature(fn).parameters.values() if p.kind == p.KEYWORD_ONLY]
            assert tuple(p.name for p in kw) == method.params


def test_registry_is_read_only() -> None:
    with pytest.raises(TypeError):
        BUILTIN_METHODS["mine"] = BUILTIN_METHODS["ratio"]  # type: ignore[index]


@pytest.mark.parametrize("name", ["goal_red_flag", "progress", "ratio"])
def test_missing_required_field_gives_nan(name: str) -> None:
    method = BUILTIN_METHODS[name]
    full = {"target": 100.0, "red_flag": 50.0, "baseline": 0.0}
    for field in method.requires:
        kw = {k: v for k, v in full.items() if k != field}
        actual = NAN if field == "actual" else 75.0
        assert np.isnan(method.func(inputs([actual], **kw))).all(), field


# --- properties ---------------------------------------------------------------------------

finite = st.floats(-1e6, 1e6, allow_nan=False, allow_subnormal=False)
positive = st.floats(1e-3, 1e6, allow_nan=False)
actuals = st.lists(finite, min_size=1, max_size=30).map(lambda xs: np.sort(np.array(xs)))
polarities = st.sampled_from([HIGHER_BETTER, LOWER_BETTER])


def assert_monotone(raw: np.ndarray, polarity: int) -> None:
    assert not np.isnan(raw).any()
    # Compare rather than subtract: raw may hold inf (tiny denominators), and inf - inf is NaN.
    before, after = raw[:-1], raw[1:]
    ok = after >= before if polarity == HIGHER_BETTER else after <= before
    assert ok.all(), raw


@given(st.lists(st.one_of(st.floats(allow_nan=True), finite), max_size=30), st.booleans())
def test_clamped_scores_are_in_unit_interval(raw: list[float], overflow: bool) -> None:
    arr = np.array(raw, dtype=np.float64)
    score, clamped = clamp_scores(arr)
    ok = score[~np.isnan(score)]
    assert ((ok >= 0) & (ok <= 1)).all()
    assert (np.isnan(score) == np.isnan(arr)).all()
    assert (clamped == (~np.isnan(arr) & ((arr < 0) | (arr > 1)))).all()
    # With overflow allowed only the floor applies; untouched scores pass through.
    free, _ = clamp_scores(arr, allow_overflow=overflow)
    keep = arr >= 0 if overflow else (arr >= 0) & (arr <= 1)
    assert (free[keep] == arr[keep]).all()


@given(actuals, finite, positive, polarities)
def test_goal_red_flag_monotone(a: np.ndarray, goal: float, gap: float, pol: int) -> None:
    inp = inputs(a, target=goal, red_flag=goal - pol * gap, polarity=pol)
    assert_monotone(score_goal_red_flag(inp), pol)


@given(actuals, finite, positive, st.one_of(st.none(), positive), polarities)
def test_progress_monotone(
    a: np.ndarray, base: float, step: float, extra: float | None, pol: int
) -> None:
    target = base + pol * step
    stretch = NAN if extra is None else target + pol * extra
    inp = inputs(a, baseline=base, target=target, stretch=stretch, polarity=pol)
    assert_monotone(score_progress(inp), pol)


@given(actuals, st.one_of(st.just(0.0), finite), polarities)
def test_ratio_monotone(a: np.ndarray, target: float, pol: int) -> None:
    assert_monotone(score_ratio(inputs(a, target=target, polarity=pol)), pol)


@given(actuals, finite, positive, polarities)
def test_zscore_monotone(a: np.ndarray, target: float, sigma: float, pol: int) -> None:
    inp = inputs(a, target=target, series_std=sigma, polarity=pol)
    assert_monotone(score_zscore(inp), pol)


@given(
    actuals,
    st.lists(finite, min_size=2, max_size=8, unique=True),
    st.lists(st.floats(0, 1), min_size=8, max_size=8),
)
def test_piecewise_monotone(a: np.ndarray, values: list[float], scores: list[float]) -> None:
    bps = list(zip(sorted(values), sorted(scores), strict=False))
    assert_monotone(score_piecewise(inputs(a), breakpoints=bps), HIGHER_BETTER)


@given(
    actuals,
    finite,
    positive,
    polarities,
    st.integers(-400, 800),
    st.floats(0.01, 1.0),
)
def test_expected_path_monotone(
    a: np.ndarray, base: float, step: float, pol: int, day: int, tol: float
) -> None:
    when = np.datetime64("2024-01-01") + np.timedelta64(day, "D")
    inp = inputs(a, baseline=base, target=base + pol * step, period_end=when)
    assert_monotone(score_expected_path(inp, tolerance=tol, **PATH), pol)


@given(actuals, finite, st.floats(0, 1e5), st.one_of(st.none(), positive))
def test_band_is_maximal_inside(
    a: np.ndarray, lower: float, width: float, tol: float | None
) -> None:
    upper = lower + width
    # A point band, or one so narrow that half its width underflows to 0, has no default
    # tolerance (values outside score NaN, as documented): give it one.
    if tol is None and (upper - lower) / 2 == 0:
        tol = 1.0
    inside = np.concatenate([a, [lower, upper, (lower + upper) / 2]])
    score = score_band(inputs(inside, lower=lower, upper=upper), tolerance=tol)
    is_in = (inside >= lower) & (inside <= upper)
    assert (score[is_in] == 1.0).all()
    assert (score[~is_in] <= TWO_THIRDS).all()


@given(finite, positive, polarities, st.sampled_from(["goal_red_flag", "zscore", "ratio"]))
def test_breakpoints_agree_with_scores(goal: float, gap: float, pol: int, name: str) -> None:
    row = {"target": goal, "red_flag": goal - pol * gap, "series_std": gap, "polarity": pol}
    method = BUILTIN_METHODS[name]
    knots = method.breakpoints(row)
    values = np.array([k.value for k in knots])
    assert (np.diff(values) >= 0).all()
    got = method.func(inputs(values, **row))
    assert got.tolist() == pytest.approx([k.score for k in knots], abs=1e-6)
