"""Scoring: turn actuals and thresholds into scores in [0, 1], vectorised over rows.

Conventions follow Spider Impact: 0 is worst, the red flag scores 1/3, the target ("goal")
2/3 and 1 is the top, so the default status bands are red [0, 1/3), amber [1/3, 2/3) and
green [2/3, 1]. Scoring methods return the *raw* score, which may leave [0, 1];
:func:`clamp_scores` clips it centrally (unless the indicator allows overflow) and
:func:`status_codes` turns scores into band indices.

Built-in methods (see :data:`BUILTIN_METHODS`):

``goal_red_flag``
    Straight line through red flag (1/3) and target (2/3); Spider Impact's default.
``piecewise``
    Interpolate user ``[value, score]`` pairs.
``progress``
    Baseline (0) → target (2/3) → stretch (1).
``ratio``
    Actual relative to target, ratio 1 scoring 2/3.
``expected_path``
    Goal/red flag along a straight path from baseline to target over time.
``band``
    In-range best: 1 inside ``[lower, upper]``, amber just outside.
``categorical``
    Label → score lookup (text values encoded by :func:`encode_categories`).
``zscore``
    Standard deviations from target.
``control_limits``
    Position against the control limits of the indicator's own history (no target needed).

Examples
--------
>>> inp = ScoreInputs.from_arrays([300.0, 600.0, 1100.0], target=700, red_flag=500)
>>> raw = BUILTIN_METHODS["goal_red_flag"].func(inp)
>>> score, clamped = clamp_scores(raw)
>>> score.round(3).tolist(), clamped.tolist()
([0.0, 0.5, 1.0], [False, False, True])
>>> status_codes(score, DEFAULT_STATUS_BOUNDS).tolist()  # 0 red, 1 amber, 2 green
[0, 1, 2]
"""

from __future__ import annotations

import types
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from balanced_scorecard._suggest import did_you_mean
from balanced_scorecard.algorithms import _scoring_methods as _m
from balanced_scorecard.algorithms._scoring_methods import (
    HIGHER_BETTER,
    IN_RANGE,
    LOWER_BETTER,
    RED_FLAG_SCORE,
    TARGET_SCORE,
    Breakpoint,
    ScoreInputs,
    category_label,
    score_band,
    score_categorical,
    score_control_limits,
    score_expected_path,
    score_goal_red_flag,
    score_piecewise,
    score_progress,
    score_ratio,
    score_zscore,
)
from balanced_scorecard.exceptions import ModelError

__all__ = [
    "BUILTIN_METHODS",
    "DEFAULT_STATUS_BOUNDS",
    "HIGHER_BETTER",
    "IN_RANGE",
    "LOWER_BETTER",
    "RED_FLAG_SCORE",
    "TARGET_SCORE",
    "Breakpoint",
    "ScoreInputs",
    "ScoringMethod",
    "bracket",
    "category_label",
    "clamp_scores",
    "encode_categories",
    "score_band",
    "score_categorical",
    "score_control_limits",
    "score_expected_path",
    "score_goal_red_flag",
    "score_piecewise",
    "score_progress",
    "score_ratio",
    "score_zscore",
    "status_codes",
    "validate_params",
]

#: Lower bounds of the default red / amber / green status bands.
DEFAULT_STATUS_BOUNDS: tuple[float, ...] = (0.0, RED_FLAG_SCORE, TARGET_SCORE)

# A score that is mathematically on a band bound can land a rounding error below it
# (e.g. 0.6666666666666665); this slack keeps "exactly on target" green.
_BOUND_SLACK = 1e-12

# Text that means "no value" rather than "a label we do not know".
_MISSING_TEXT = ("", "nan", "none", "nat", "<na>", "null")


@attrs.frozen(kw_only=True)
class ScoringMethod:
    """A named scoring method.

    Parameters
    ----------
    name
        Registry name used in definition files.
    func
        ``func(inputs, **params) -> raw score`` (float64, shape ``(n,)``).
    requires
        :class:`ScoreInputs` fields that must be present (non-NaN) for a row to get a score.
    breakpoints
        ``breakpoints(row, **params) -> list[Breakpoint]``: the knots of one row's scoring
        line, sorted by actual value, for explanations. ``row`` maps field names to that
        row's values; it returns ``[]`` where the row cannot be scored.
    description
        One line for listings and docs.
    params
        Names of the params the method accepts.
    check
        ``check(params) -> list[str]``: problems with param *values*; ``None`` when any
        value of the allowed names is fine.
    """

    name: str
    func: Callable[..., np.ndarray[Any, Any]]
    requires: tuple[str, ...]
    breakpoints: Callable[..., list[Breakpoint]]
    description: str
    params: tuple[str, ...] = ()
    check: Callable[[Mapping[str, Any]], list[str]] | None = None


def bracket(
    breakpoints: Sequence[Breakpoint], actual: float
) -> tuple[Breakpoint | None, Breakpoint | None]:
    """The two knots around ``actual`` in a sorted list of breakpoints.

    Returns ``(below, above)``: the last knot with a smaller value and the first with a
    larger one, ``None`` beyond an end (or both ``None`` for a NaN actual). When ``actual``
    equals knot values it returns the first and last knot at that value -- the same knot
    twice, or both sides of a step such as a band's edge.

    Examples
    --------
    >>> knots = [Breakpoint(label="red flag", value=500.0, score=1 / 3),
    ...          Breakpoint(label="target", value=700.0, score=2 / 3)]
    >>> [k and k.label for k in bracket(knots, 600.0)]
    ['red flag', 'target']
    >>> [k and k.label for k in bracket(knots, 800.0)]
    ['target', None]
    >>> [k and k.label for k in bracket(knots, 700.0)]
    ['target', 'target']
    """
    if np.isnan(actual):
        return None, None
    values = np.array([b.value for b in breakpoints], dtype=np.float64)
    first = int(np.searchsorted(values, actual, side="left"))
    after = int(np.searchsorted(values, actual, side="right"))
    if after > first:
        return breakpoints[first], breakpoints[after - 1]
    below = breakpoints[first - 1] if first > 0 else None
    above = breakpoints[first] if first < len(breakpoints) else None
    return below, above


def clamp_scores(
    raw: npt.ArrayLike, *, allow_overflow: bool | npt.ArrayLike = False
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.bool_]]:
    """Clip raw scores into [0, 1]; where overflow is allowed only the floor of 0 applies.

    Parameters
    ----------
    raw
        Raw scores from a method.
    allow_overflow
        Scalar or per-row booleans; ``True`` keeps scores above 1 (they fall in the top
        status band). Scores never go below 0.

    Returns
    -------
    score, clamped
        The clipped scores (NaN stays NaN) and a mask of the rows that were changed.

    Examples
    --------
    >>> score, clamped = clamp_scores([-0.5, 0.5, 1.5, np.nan], allow_overflow=[0, 0, 1, 0])
    >>> score.tolist(), clamped.tolist()
    ([0.0, 0.5, 1.5, nan], [True, False, False, False])
    """
    arr = np.asarray(raw, dtype=np.float64)
    overflow = np.broadcast_to(np.asarray(allow_overflow, dtype=bool), arr.shape)
    score = np.where(overflow, np.maximum(arr, 0.0), np.clip(arr, 0.0, 1.0))
    return score, ~np.isnan(arr) & (score != arr)


def status_codes(
    score: npt.ArrayLike, lower_bounds: Sequence[float] = DEFAULT_STATUS_BOUNDS
) -> npt.NDArray[np.int8]:
    """Index of the status band each score falls in; -1 where the score is NaN.

    A score belongs to the last band whose lower bound it reaches, so a score exactly on a
    bound takes the upper band (1/3 is amber, 2/3 green). Overflow scores above 1 fall in
    the top band, scores below 0 in the bottom one.

    Parameters
    ----------
    score
        Scores, usually from :func:`clamp_scores`.
    lower_bounds
        Lower bound of each band, strictly increasing, the first one 0.

    Raises
    ------
    ModelError
        When the bounds do not start at 0 or are not strictly increasing.

    Examples
    --------
    >>> status_codes([0.0, 1 / 3, 0.5, 2 / 3, 1.2, np.nan]).tolist()
    [0, 1, 1, 2, 2, -1]
    """
    bounds = np.asarray(lower_bounds, dtype=np.float64)
    if bounds.ndim != 1 or bounds.size == 0 or bounds[0] != 0 or (np.diff(bounds) <= 0).any():
        raise ModelError(
            f"status band lower bounds {list(lower_bounds)} must start at 0 and increase "
            "strictly, e.g. [0, 1/3, 2/3]."
        )
    if bounds.size > np.iinfo(np.int8).max:
        raise ModelError(f"{bounds.size} status bands are too many; use at most 127.")
    arr = np.asarray(score, dtype=np.float64)
    if bounds.size <= 8:
        # A few comparisons in int8 beat a binary search per cell on large panels.
        lifted = arr + _BOUND_SLACK
        codes = np.zeros(arr.shape, dtype=np.int8)
        for b in bounds[1:]:  # one pass per band boundary, not per cell
            codes += lifted >= b
        codes[np.isnan(arr)] = -1
        return codes
    found = np.searchsorted(bounds, arr + _BOUND_SLACK, side="right") - 1
    return np.where(np.isnan(arr), -1, np.maximum(found, 0)).astype(np.int8)


def encode_categories(
    values: npt.ArrayLike | Sequence[Any], labels: Sequence[Any]
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.bool_]]:
    """Encode text values as the position of their label in ``labels`` (case-insensitive).

    Matching strips whitespace and ignores case; ``True``/``False`` (as YAML reads yes/no)
    match the labels ``yes``/``no``. Missing values (None, NaN, empty text) give NaN and are
    not flagged unknown.

    Returns
    -------
    codes, unknown
        Float codes (NaN where missing or unknown) and a mask of values that are present
        but match no label.

    Raises
    ------
    ModelError
        When two labels are the same after normalising.

    Examples
    --------
    >>> codes, unknown = encode_categories(
    ...     ["Yes", "no ", None, "maybe", True], ["yes", "partly", "no"])
    >>> codes.tolist(), unknown.tolist()
    ([0.0, 2.0, nan, nan, 0.0], [False, False, False, True, False])
    """
    names = np.array([category_label(lab) for lab in labels], dtype=np.str_)
    order = np.argsort(names, kind="stable")
    ordered = names[order]
    if names.size == 0 or (ordered[1:] == ordered[:-1]).any():
        raise ModelError(
            f"category labels {list(labels)} must be non-empty and distinct "
            "(ignoring case and surrounding spaces)."
        )
    text = np.strings.lower(np.strings.strip(np.asarray(values).astype(np.str_)))
    # Booleans (YAML's yes/no) print as true/false; read them as yes/no unless those are labels.
    for spelled, label in (("true", "yes"), ("false", "no")):
        if spelled not in ordered:
            text = np.where(text == spelled, label, text)
    pos = np.minimum(np.searchsorted(ordered, text), ordered.size - 1)
    hit = ordered[pos] == text
    codes = np.where(hit, order[pos], np.nan).astype(np.float64)
    missing = np.isin(text, _MISSING_TEXT)
    return codes, ~hit & ~missing


def validate_params(method: ScoringMethod, params: Mapping[str, Any]) -> list[str]:
    """Problems with the params a definition gives a scoring method (empty when fine).

    Examples
    --------
    >>> validate_params(BUILTIN_METHODS["zscore"], {"sigam": 2})
    ["scoring method 'zscore' has no param 'sigam'. Did you mean 'sigma'? It takes: sigma."]
    >>> validate_params(BUILTIN_METHODS["piecewise"], {"breakpoints": [[10, 1], [0, 0]]})
    ['breakpoint values [10.0, 0.0] must be strictly increasing; sort them.']
    """
    takes = ", ".join(method.params) if method.params else "no params"
    problems = [
        f"scoring method {method.name!r} has no param {key!r}."
        f"{did_you_mean(key, method.params)} It takes: {takes}."
        for key in params
        if key not in method.params
    ]
    if method.check is not None:
        problems += method.check(params)
    return problems


BUILTIN_METHODS: Mapping[str, ScoringMethod] = types.MappingProxyType(
    {
        m.name: m
        for m in (
            ScoringMethod(
                name="goal_red_flag",
                func=score_goal_red_flag,
                requires=("actual", "target", "red_flag"),
                breakpoints=_m.goal_red_flag_breakpoints,
                description="Straight line: red flag scores 1/3, target 2/3 (Spider Impact).",
            ),
            ScoringMethod(
                name="piecewise",
                func=score_piecewise,
                requires=("actual",),
                breakpoints=_m.piecewise_breakpoints,
                description="Interpolate user [value, score] pairs; flat beyond the ends.",
                params=("breakpoints",),
                check=_m.check_piecewise,
            ),
            ScoringMethod(
                name="progress",
                func=score_progress,
                requires=("actual", "baseline", "target"),
                breakpoints=_m.progress_breakpoints,
                description="Progress baseline (0) → target (2/3) → stretch (1).",
            ),
            ScoringMethod(
                name="ratio",
                func=score_ratio,
                requires=("actual", "target"),
                breakpoints=_m.ratio_breakpoints,
                description="Actual relative to target; a ratio of 1 scores 2/3.",
            ),
            ScoringMethod(
                name="expected_path",
                func=score_expected_path,
                requires=("actual", "baseline", "target", "period_end"),
                breakpoints=_m.expected_path_breakpoints,
                description="Goal/red flag along a straight baseline → target path over time.",
                params=("start", "end", "tolerance"),
                check=_m.check_expected_path,
            ),
            ScoringMethod(
                name="band",
                func=score_band,
                # lower/upper may come from params instead; the engine checks them then.
                requires=("actual", "lower", "upper"),
                breakpoints=_m.band_breakpoints,
                description="In-range best: 1 inside [lower, upper], 2/3 at the edge outside.",
                params=("lower", "upper", "tolerance"),
                check=_m.check_band,
            ),
            ScoringMethod(
                name="categorical",
                func=score_categorical,
                requires=("actual",),
                breakpoints=_m.categorical_breakpoints,
                description="Look up a score per category label.",
                params=("scores",),
                check=_m.check_categorical,
            ),
            ScoringMethod(
                name="zscore",
                func=score_zscore,
                requires=("actual", "target"),
                breakpoints=_m.zscore_breakpoints,
                description="Standard deviations from target: 2 sigma short is the red flag.",
                params=("sigma",),
                check=_m.check_zscore,
            ),
            ScoringMethod(
                name="control_limits",
                func=score_control_limits,
                requires=("actual",),
                breakpoints=_m.control_limits_breakpoints,
                description="Against the control limits of its own history: beyond the "
                "unfavourable 3-sigma limit is red, 2 to 3 sigma amber.",
                params=("center", "sigma", "baseline", "min_points"),
                check=_m.check_control_limits,
            ),
        )
    }
)
