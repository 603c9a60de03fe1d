"""Inputs and the built-in scoring formulas; the public face is :mod:`.scoring`.

Every formula maps a whole column of actuals at once and returns the *raw* score: 0 worst,
1/3 at the red flag, 2/3 at the target, 1 at the top. Raw scores may leave [0, 1];
:func:`balanced_scorecard.algorithms.scoring.clamp_scores` clips them centrally.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping, Sequence
from typing import Any, cast

import attrs
import numpy as np
import numpy.typing as npt

from balanced_scorecard._suggest import did_you_mean
from balanced_scorecard.exceptions import ModelError

HIGHER_BETTER = 1
LOWER_BETTER = -1
IN_RANGE = 0

RED_FLAG_SCORE = 1.0 / 3.0
TARGET_SCORE = 2.0 / 3.0

FloatArray = npt.NDArray[np.float64]

_FLOAT_FIELDS = (
    "actual",
    "target",
    "red_flag",
    "baseline",
    "stretch",
    "lower",
    "upper",
    "series_std",
    "series_center",
    "series_sigma",
)


@attrs.frozen(kw_only=True, eq=False)
class ScoreInputs:
    """Row-aligned arrays, all of shape ``(n,)``, NaN (NaT for dates) where absent.

    Build it with :meth:`from_arrays`, which fills missing fields and broadcasts scalars.

    Attributes
    ----------
    actual, target, red_flag, baseline, stretch, lower, upper, series_std
        float64. ``target`` is Spider Impact's "goal"; ``lower``/``upper`` bound an in-range
        band; ``series_std`` is the standard deviation of the row's series history.
    series_center, series_sigma
        float64: the individuals-chart center line and sigma (mean moving range / 1.128) of
        the row's series history (see
        :func:`~balanced_scorecard.analytics.signals.series_limits`).
    polarity
        int8 codes ``HIGHER_BETTER`` (1), ``LOWER_BETTER`` (-1) or ``IN_RANGE`` (0).
    period_end
        ``datetime64[D]``, last day of each row's period.

    Examples
    --------
    >>> inp = ScoreInputs.from_arrays([1.0, 2.0, 3.0], target=2.0)
    >>> inp.target.tolist(), inp.red_flag.tolist(), inp.polarity.tolist()
    ([2.0, 2.0, 2.0], [nan, nan, nan], [1, 1, 1])
    >>> inp.take([2]).actual.tolist()
    [3.0]
    """

    # eq=False: numpy arrays have no single truth value, so attrs' generated __eq__ would raise.
    actual: FloatArray
    polarity: npt.NDArray[np.int8]
    target: FloatArray
    red_flag: FloatArray
    baseline: FloatArray
    stretch: FloatArray
    lower: FloatArray
    upper: FloatArray
    period_end: npt.NDArray[np.datetime64]
    series_std: FloatArray
    series_center: FloatArray
    series_sigma: FloatArray

    def __attrs_post_init__(self) -> None:
        shape = self.actual.shape
        if len(shape) != 1:
            raise ModelError(f"ScoreInputs.actual must be 1-D, got shape {shape}; flatten it.")
        for field in attrs.fields(type(self)):
            arr = getattr(self, field.name)
            if arr.shape != shape:
                raise ModelError(
                    f"ScoreInputs.{field.name} has shape {arr.shape} but actual has {shape}; "
                    "pass arrays of one length per row (or a scalar to broadcast)."
                )

    @classmethod
    def from_arrays(cls, actual: npt.ArrayLike, **fields: Any) -> ScoreInputs:
        """Build inputs from array-likes; absent fields become NaN/NaT/``HIGHER_BETTER``.

        Raises
        ------
        ModelError
            For an unknown field name, an unbroadcastable shape or a bad polarity code.
        """
        names = {f.name for f in attrs.fields(cls)} - {"actual"}
        unknown = sorted(set(fields) - names)
        if unknown:
            hint = did_you_mean(unknown[0], names)
            raise ModelError(
                f"ScoreInputs has no field {unknown[0]!r}.{hint} Known fields: {sorted(names)}."
            )
        act = np.atleast_1d(np.asarray(actual, dtype=np.float64))
        n = act.shape

        def _bcast(name: str, value: Any, dtype: Any, fill: Any) -> np.ndarray[Any, Any]:
            arr = np.asarray(fill if value is None else value, dtype=dtype)
            try:
                # Read-only views, not copies: methods never write into their inputs, and a
                # copy of each field would cost as much memory as the whole panel.
                return np.broadcast_to(arr, n)
            except ValueError:
                raise ModelError(
                    f"ScoreInputs.{name} has shape {arr.shape}, which does not fit actual's "
                    f"shape {n}; pass one value per row or a scalar."
                ) from None

        out: dict[str, Any] = {"actual": act}
        for name in _FLOAT_FIELDS[1:]:
            out[name] = _bcast(name, fields.get(name), np.float64, np.nan)
        out["period_end"] = _bcast(
            "period_end", fields.get("period_end"), "datetime64[D]", np.datetime64("NaT", "D")
        )
        pol = _bcast("polarity", fields.get("polarity"), np.float64, HIGHER_BETTER)
        bad = ~np.isin(pol, (HIGHER_BETTER, LOWER_BETTER, IN_RANGE))
        if bad.any():
            raise ModelError(
                f"polarity code {pol[bad][0]:g} is not one of HIGHER_BETTER (1), "
                "LOWER_BETTER (-1) or IN_RANGE (0)."
            )
        out["polarity"] = pol.astype(np.int8)
        return cls(**out)

    def __len__(self) -> int:
        return int(self.actual.shape[0])

    def take(self, index: npt.ArrayLike) -> ScoreInputs:
        """Return the rows selected by ``index`` (integer positions or a boolean mask)."""
        idx = np.asarray(index)
        return type(self)(**{f.name: getattr(self, f.name)[idx] for f in attrs.fields(type(self))})


@attrs.frozen(kw_only=True)
class Breakpoint:
    """A knot of a scoring line: at actual ``value`` the score is ``score``."""

    label: str
    value: float
    score: float


def _f(x: Any) -> float:
    return float(np.nan if x is None else x)


def _knots(*items: tuple[str, float, float]) -> list[Breakpoint]:
    # Stable sort: equal values keep their construction order (band's step at an edge).
    pts = [Breakpoint(label=lab, value=float(v), score=float(s)) for lab, v, s in items]
    return sorted(pts, key=lambda b: b.value)


def _line_knots(goal: float, red: float, goal_label: str) -> list[Breakpoint]:
    d = goal - red
    if not np.isfinite(d) or d == 0:
        return []
    return _knots(
        ("zero", red - d, 0.0),
        ("red flag", red, RED_FLAG_SCORE),
        (goal_label, goal, TARGET_SCORE),
        ("max", goal + d, 1.0),
    )


def _raise_if(method: str, problems: list[str]) -> None:
    if problems:
        raise ModelError(f"scoring method {method!r}: " + " ".join(problems))


def _is_number(x: Any) -> bool:
    return isinstance(x, int | float | np.integer | np.floating) and not isinstance(x, bool)


def _positive(name: str, x: Any) -> list[str]:
    if x is None:
        return []
    if not _is_number(x) or not np.isfinite(x) or x <= 0:
        return [f"param {name!r} must be a positive number, got {x!r}."]
    return []


# --- goal_red_flag -----------------------------------------------------------------------


def score_goal_red_flag(inputs: ScoreInputs) -> FloatArray:
    """Spider Impact's default: straight line through red flag (1/3) and target (2/3).

    ``raw = 1/3 + (actual - red_flag) / (target - red_flag) / 3`` -- one formula for both
    polarities. NaN when target equals red flag, for ``IN_RANGE`` polarity, or when the order
    contradicts polarity (higher-better needs target > red flag, lower-better target < red flag).

    Examples
    --------
    Spider Impact's documented goal/red-flag example (goal 700, red flag 500):

    >>> inp = ScoreInputs.from_arrays([300, 500, 700, 900, 1100], target=700, red_flag=500)
    >>> score_goal_red_flag(inp).round(3).tolist()
    [0.0, 0.333, 0.667, 1.0, 1.333]
    """
    span = inputs.target - inputs.red_flag
    valid = inputs.polarity.astype(np.float64) * span > 0
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        raw = RED_FLAG_SCORE + (inputs.actual - inputs.red_flag) / span / 3.0
    return np.where(valid, raw, np.nan)


def goal_red_flag_breakpoints(row: Mapping[str, Any]) -> list[Breakpoint]:
    """Knots zero / red flag / target / max of one row's goal–red-flag line."""
    goal, red = _f(row.get("target")), _f(row.get("red_flag"))
    pol = int(row.get("polarity", HIGHER_BETTER))
    if pol * (goal - red) <= 0:
        return []
    return _line_knots(goal, red, "target")


# --- piecewise ----------------------------------------------------------------------------


def check_piecewise(params: Mapping[str, Any]) -> list[str]:
    """Problems with ``breakpoints``: pairs of numbers, values increasing, scores in [0, 1]."""
    bps = params.get("breakpoints")
    if bps is None:
        return ["param 'breakpoints' is required: a list of [value, score] pairs."]
    try:
        arr = np.asarray(bps, dtype=np.float64)
    except (TypeError, ValueError):
        return [f"param 'breakpoints' must be a list of [value, score] pairs, got {bps!r}."]
    if arr.ndim != 2 or arr.shape[1] != 2 or arr.shape[0] < 2:
        return [f"param 'breakpoints' needs at least two [value, score] pairs, got {bps!r}."]
    problems = []
    if not np.isfinite(arr).all():
        problems.append("param 'breakpoints' must hold finite numbers only.")
    elif not (np.diff(arr[:, 0]) > 0).all():
        problems.append(
            f"breakpoint values {arr[:, 0].tolist()} must be strictly increasing; sort them."
        )
    if ((arr[:, 1] < 0) | (arr[:, 1] > 1)).any():
        problems.append(f"breakpoint scores {arr[:, 1].tolist()} must lie in [0, 1].")
    return problems


def score_piecewise(inputs: ScoreInputs, *, breakpoints: Sequence[Sequence[float]]) -> FloatArray:
    """Linear interpolation through ``[value, score]`` pairs; flat at the end scores beyond.

    Polarity is not consulted: the pairs themselves say which direction is better.

    Examples
    --------
    >>> inp = ScoreInputs.from_arrays([-5, 0, 5, 10, 20])
    >>> score_piecewise(inp, breakpoints=[[0, 0.0], [10, 1.0]]).tolist()
    [0.0, 0.0, 0.5, 1.0, 1.0]
    """
    _raise_if("piecewise", check_piecewise({"breakpoints": breakpoints}))
    arr = np.asarray(breakpoints, dtype=np.float64)
    xp, fp = arr[:, 0], arr[:, 1]
    # np.interp propagates NaN actuals, and is already flat beyond the ends.
    raw = np.interp(inputs.actual, xp, fp)
    # Rounding can overshoot a knot's score by an ulp just before it, which breaks
    # monotonicity; keep each value within its own segment's score range.
    j = np.clip(np.searchsorted(xp, inputs.actual, side="right") - 1, 0, xp.size - 2)
    lo, hi = np.minimum(fp[j], fp[j + 1]), np.maximum(fp[j], fp[j + 1])
    return np.clip(raw, lo, hi)


def piecewise_breakpoints(
    row: Mapping[str, Any], *, breakpoints: Sequence[Sequence[float]]
) -> list[Breakpoint]:
    """The user's pairs, labelled ``point 1``, ``point 2``, ..."""
    return _knots(*((f"point {i}", v, s) for i, (v, s) in enumerate(breakpoints, start=1)))


# --- progress -----------------------------------------------------------------------------


def score_progress(inputs: ScoreInputs) -> FloatArray:
    """Progress from baseline (0) to target (2/3), and on to stretch (1) when given.

    ``raw = 2/3 * (actual - baseline) / (target - baseline)`` up to the target; past the target
    ``raw = 2/3 + 1/3 * (actual - target) / (stretch - target)`` if a stretch is given, else the
    first line continues (reaching 1 half a baseline-to-target step past the target). The
    direction of improvement is baseline → target, so polarity is not consulted. NaN when
    target equals baseline or the stretch does not lie beyond the target.

    Examples
    --------
    >>> inp = ScoreInputs.from_arrays([0, 50, 100, 150], baseline=0, target=100, stretch=200)
    >>> score_progress(inp).round(3).tolist()
    [0.0, 0.333, 0.667, 0.833]
    """
    a, b, t, s = inputs.actual, inputs.baseline, inputs.target, inputs.stretch
    step = t - b
    direction = np.sign(step)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        to_target = TARGET_SCORE * (a - b) / step
        to_stretch = TARGET_SCORE + (1.0 - TARGET_SCORE) * (a - t) / (s - t)
    has_stretch = ~np.isnan(s)
    past_target = direction * (a - t) > 0
    raw = np.where(has_stretch & past_target, to_stretch, to_target)
    bad_stretch = has_stretch & ~(direction * (s - t) > 0)
    return np.where((step != 0) & ~bad_stretch, raw, np.nan)


def progress_breakpoints(row: Mapping[str, Any]) -> list[Breakpoint]:
    """Knots baseline (0) / target (2/3) / stretch or max (1)."""
    b, t, s = _f(row.get("baseline")), _f(row.get("target")), _f(row.get("stretch"))
    step = t - b
    if not np.isfinite(step) or step == 0:
        return []
    if np.isnan(s):
        return _knots(("baseline", b, 0.0), ("target", t, TARGET_SCORE), ("max", t + step / 2, 1))
    if np.sign(step) * (s - t) <= 0:
        return []
    return _knots(("baseline", b, 0.0), ("target", t, TARGET_SCORE), ("stretch", s, 1.0))


# --- ratio --------------------------------------------------------------------------------


def score_ratio(inputs: ScoreInputs) -> FloatArray:
    """Actual relative to target, with a ratio of 1 scoring 2/3.

    ``ratio = 1 + p * (actual - target) / |target|`` (p = +1 higher-better, -1 lower-better;
    equals ``actual / target`` for a positive target, higher-better) and ``raw = 2/3 * ratio``.
    A zero target has no ratio: an actual of exactly 0 scores 2/3, the better side 1 and the
    worse side 0. NaN for ``IN_RANGE`` polarity.

    Examples
    --------
    >>> inp = ScoreInputs.from_arrays([0, 50, 100, 150], target=100)
    >>> score_ratio(inp).round(3).tolist()
    [0.0, 0.333, 0.667, 1.0]
    >>> score_ratio(ScoreInputs.from_arrays([-1, 0, 1], target=0, polarity=-1)).tolist()
    [1.0, 0.666..., 0.0]
    """
    a, t = inputs.actual, inputs.target
    p = inputs.polarity.astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        raw = TARGET_SCORE * (1.0 + p * (a - t) / np.abs(t))
    at_zero = np.select([p * a > 0, p * a < 0], [1.0, 0.0], TARGET_SCORE)
    raw = np.where(t == 0, np.where(np.isnan(a), np.nan, at_zero), raw)
    return np.where(p != IN_RANGE, raw, np.nan)


def ratio_breakpoints(row: Mapping[str, Any]) -> list[Breakpoint]:
    """Knots zero (ratio 0) / target (ratio 1) / max (ratio 1.5)."""
    t = _f(row.get("target"))
    p = int(row.get("polarity", HIGHER_BETTER))
    if p == IN_RANGE or not np.isfinite(t):
        return []
    if t == 0:
        return _knots(("target", 0.0, TARGET_SCORE))
    return _knots(
        ("zero", t - p * abs(t), 0.0), ("target", t, TARGET_SCORE), ("max", t + p * abs(t) / 2, 1.0)
    )


# --- expected_path ------------------------------------------------------------------------


def _day(x: Any) -> np.datetime64:
    if isinstance(x, np.datetime64 | _dt.date | str):
        return cast(np.datetime64, np.asarray(x, dtype="datetime64[D]")[()])
    raise TypeError(x)


def check_expected_path(params: Mapping[str, Any]) -> list[str]:
    """Problems with ``start``/``end`` (ISO dates, end after start) and ``tolerance``."""
    problems: list[str] = []
    days: dict[str, np.datetime64] = {}
    for key in ("start", "end"):
        if params.get(key) is None:
            problems.append(f"param {key!r} is required: an ISO date such as '2025-01-01'.")
            continue
        try:
            days[key] = _day(params[key])
        except (TypeError, ValueError):
            problems.append(
                f"param {key!r} must be an ISO date such as '2025-01-01', got {params[key]!r}."
            )
    if len(days) == 2 and not days["end"] > days["start"]:
        problems.append(f"param 'end' ({days['end']}) must come after 'start' ({days['start']}).")
    return problems + _positive("tolerance", params.get("tolerance"))


def _path(
    start: Any, end: Any, baseline: FloatArray, target: FloatArray, period_end: Any
) -> FloatArray:
    s, e = _day(start), _day(end)
    pe = np.asarray(period_end, dtype="datetime64[D]")
    elapsed = (pe - s).astype(np.float64)  # NaT turns into a huge negative number here ...
    frac = np.clip(elapsed / float((e - s).astype(np.float64)), 0.0, 1.0)
    frac = np.where(np.isnat(pe), np.nan, frac)  # ... so restore the missing dates afterwards.
    return baseline + (target - baseline) * frac


def score_expected_path(
    inputs: ScoreInputs, *, start: Any, end: Any, tolerance: float = 0.1
) -> FloatArray:
    """Score against where a straight baseline → target path should be at the period's end.

    The expected value at ``period_end`` is ``baseline + (target - baseline) * f`` with
    ``f = clip((period_end - start) / (end - start), 0, 1)``. It is scored like
    :func:`score_goal_red_flag` with the expected value as goal and a red flag trailing it by
    ``tolerance * |target - baseline|``. Direction comes from baseline → target (polarity is not
    consulted). NaN when target equals baseline or the period end is missing.

    Examples
    --------
    Halfway through 2024 (183 of 366 days) the path is at 50; the red flag trails by 10:

    >>> inp = ScoreInputs.from_arrays([40, 50, 60], baseline=0, target=100,
    ...                               period_end=np.datetime64("2024-07-02"))
    >>> score_expected_path(inp, start="2024-01-01", end="2025-01-01").round(3).tolist()
    [0.333, 0.667, 1.0]
    """
    _raise_if(
        "expected_path", check_expected_path({"start": start, "end": end, "tolerance": tolerance})
    )
    b, t = inputs.baseline, inputs.target
    expected = _path(start, end, b, t, inputs.period_end)
    gap = tolerance * np.abs(t - b)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        raw = TARGET_SCORE + np.sign(t - b) * (inputs.actual - expected) / gap / 3.0
    return np.where(t != b, raw, np.nan)


def expected_path_breakpoints(
    row: Mapping[str, Any], *, start: Any, end: Any, tolerance: float = 0.1
) -> list[Breakpoint]:
    """Knots of the goal–red-flag line around this row's expected value."""
    b, t = _f(row.get("baseline")), _f(row.get("target"))
    pe = row.get("period_end")
    if pe is None or not np.isfinite(t - b) or t == b:
        return []
    expected = float(_path(start, end, np.array(b), np.array(t), pe))
    red = expected - np.sign(t - b) * tolerance * abs(t - b)
    return _line_knots(expected, red, "expected")


# --- band ---------------------------------------------------------------------------------


def check_band(params: Mapping[str, Any]) -> list[str]:
    """Problems with the optional ``lower``, ``upper`` and ``tolerance`` params."""
    problems = [
        f"param {k!r} must be a number, got {params[k]!r}."
        for k in ("lower", "upper")
        if params.get(k) is not None and not _is_number(params[k])
    ]
    lo, hi = params.get("lower"), params.get("upper")
    if not problems and lo is not None and hi is not None and lo > hi:
        problems.append(f"param 'lower' ({lo}) must not exceed 'upper' ({hi}); swap them.")
    return problems + _positive("tolerance", params.get("tolerance"))


def _band_limits(
    inputs_lower: Any,
    inputs_upper: Any,
    lower: float | None,
    upper: float | None,
    tolerance: float | None,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    lo = np.asarray(inputs_lower if lower is None else lower, dtype=np.float64)
    hi = np.asarray(inputs_upper if upper is None else upper, dtype=np.float64)
    tol = (hi - lo) / 2.0 if tolerance is None else np.asarray(tolerance, dtype=np.float64)
    return lo, hi, tol


def score_band(
    inputs: ScoreInputs,
    *,
    lower: float | None = None,
    upper: float | None = None,
    tolerance: float | None = None,
) -> FloatArray:
    """In-range best: 1 inside ``[lower, upper]`` (edges included), falling off outside.

    Outside the band the score jumps to 2/3 at the edge and falls linearly to 0 at
    ``tolerance`` beyond it (default half the band's width), so "just outside" is amber.
    ``lower``/``upper`` params override the inputs' columns. Polarity is not consulted.
    NaN when lower > upper, and outside the band when the tolerance is not positive (e.g. a
    zero-width band without an explicit tolerance).

    Examples
    --------
    >>> inp = ScoreInputs.from_arrays([5, 10, 15, 20, 25, 30], lower=10, upper=20)
    >>> score_band(inp).round(3).tolist()
    [0.0, 1.0, 1.0, 1.0, 0.0, -0.667]
    >>> score_band(inp, tolerance=10).round(3).tolist()
    [0.333, 1.0, 1.0, 1.0, 0.333, 0.0]
    """
    _raise_if("band", check_band({"lower": lower, "upper": upper, "tolerance": tolerance}))
    lo, hi, tol = _band_limits(inputs.lower, inputs.upper, lower, upper, tolerance)
    a = inputs.actual
    dist = np.maximum(lo - a, a - hi)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        outside = TARGET_SCORE * (1.0 - dist / tol)
    inside = dist <= 0
    raw = np.where(inside, 1.0, outside)
    # Inside the band the tolerance plays no part, so only values outside need a positive one.
    return np.where((lo <= hi) & (inside | (tol > 0)) & ~np.isnan(a), raw, np.nan)


def band_breakpoints(
    row: Mapping[str, Any],
    *,
    lower: float | None = None,
    upper: float | None = None,
    tolerance: float | None = None,
) -> list[Breakpoint]:
    """Knots of the band; each edge appears twice (2/3 outside, 1 inside) for the step."""
    lo_a, hi_a, tol_a = _band_limits(row.get("lower"), row.get("upper"), lower, upper, tolerance)
    lo, hi, tol = float(lo_a), float(hi_a), float(tol_a)
    if not (np.isfinite([lo, hi, tol]).all() and lo <= hi and tol > 0):
        return []
    return _knots(
        ("zero below", lo - tol, 0.0),
        ("below lower", lo, TARGET_SCORE),
        ("lower", lo, 1.0),
        ("upper", hi, 1.0),
        ("above upper", hi, TARGET_SCORE),
        ("zero above", hi + tol, 0.0),
    )


# --- categorical --------------------------------------------------------------------------


def category_label(label: Any) -> str:
    """Normalised category label: stripped, lower-case; YAML's booleans read as yes/no.

    Examples
    --------
    >>> category_label(" Partly "), category_label(True), category_label(False)
    ('partly', 'yes', 'no')
    """
    if isinstance(label, bool | np.bool_):
        return "yes" if label else "no"
    return str(label).strip().lower()


def check_categorical(params: Mapping[str, Any]) -> list[str]:
    """Problems with ``scores``: a non-empty mapping label → number in [0, 1]."""
    scores = params.get("scores")
    if not isinstance(scores, Mapping) or not scores:
        return [f"param 'scores' must be a non-empty mapping label → score, got {scores!r}."]
    problems = [
        f"category label {k!r} must be text (or yes/no)."
        for k in scores
        if not isinstance(k, str | bool | np.bool_)
    ]
    labels = [category_label(k) for k in scores]
    dupes = sorted({lab for lab in labels if labels.count(lab) > 1})
    if dupes:
        problems.append(f"category labels {dupes} appear twice (labels ignore case); merge them.")
    return problems + [
        f"score {v!r} of category {k!r} must be a number in [0, 1]."
        for k, v in scores.items()
        if not _is_number(v) or not 0 <= v <= 1
    ]


def score_categorical(inputs: ScoreInputs, *, scores: Mapping[Any, float]) -> FloatArray:
    """Look up the score of each category code (see ``encode_categories``).

    ``actual`` holds the position of the label in the key order of ``scores``; NaN or
    unknown codes score NaN. Polarity is not consulted.

    Examples
    --------
    >>> inp = ScoreInputs.from_arrays([0, 1, 2, np.nan, 7])
    >>> score_categorical(inp, scores={"yes": 1.0, "partly": 0.5, "no": 0.0}).tolist()
    [1.0, 0.5, 0.0, nan, nan]
    """
    _raise_if("categorical", check_categorical({"scores": scores}))
    table = np.asarray(list(scores.values()), dtype=np.float64)
    code = inputs.actual
    valid = (code >= 0) & (code < table.size) & (code == np.floor(code))
    idx = np.where(valid, code, 0).astype(np.intp)
    return np.where(valid, np.take(table, idx), np.nan)


def categorical_breakpoints(
    row: Mapping[str, Any], *, scores: Mapping[Any, float]
) -> list[Breakpoint]:
    """One knot per category: label, its code, its score."""
    return [
        Breakpoint(label=category_label(k), value=float(i), score=float(v))
        for i, (k, v) in enumerate(scores.items())
    ]


# --- zscore -------------------------------------------------------------------------------


def check_zscore(params: Mapping[str, Any]) -> list[str]:
    """Problems with the optional ``sigma`` param (a positive number)."""
    return _positive("sigma", params.get("sigma"))


def score_zscore(inputs: ScoreInputs, *, sigma: float | None = None) -> FloatArray:
    """Distance from target in standard deviations: ``raw = 2/3 + z / 6``.

    ``z = p * (actual - target) / sigma`` with ``sigma`` from the param or else the row's
    ``series_std``; two sigma short of target is the red flag (1/3), four sigma short is 0, two
    sigma better is 1. For ``IN_RANGE`` polarity ``z = -|actual - target| / sigma`` (best, 2/3,
    at the target). NaN when sigma is 0, negative or missing.

    Examples
    --------
    >>> inp = ScoreInputs.from_arrays([60, 80, 100, 120], target=100)
    >>> score_zscore(inp, sigma=10).round(3).tolist()
    [0.0, 0.333, 0.667, 1.0]
    """
    _raise_if("zscore", check_zscore({"sigma": sigma}))
    sd = inputs.series_std if sigma is None else np.full_like(inputs.actual, sigma)
    diff = inputs.actual - inputs.target
    signed = np.where(
        inputs.polarity == IN_RANGE, -np.abs(diff), inputs.polarity.astype(np.float64) * diff
    )
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        raw = TARGET_SCORE + signed / sd / 6.0
    return np.where(sd > 0, raw, np.nan)


def zscore_breakpoints(row: Mapping[str, Any], *, sigma: float | None = None) -> list[Breakpoint]:
    """Knots at 4 and 2 sigma short, the target and 2 sigma better (both sides for in-range)."""
    t = _f(row.get("target"))
    sd = _f(row.get("series_std") if sigma is None else sigma)
    p = int(row.get("polarity", HIGHER_BETTER))
    if not (np.isfinite(t) and np.isfinite(sd) and sd > 0):
        return []
    if p == IN_RANGE:
        return _knots(
            ("zero below", t - 4 * sd, 0.0),
            ("red flag below", t - 2 * sd, RED_FLAG_SCORE),
            ("target", t, TARGET_SCORE),
            ("red flag above", t + 2 * sd, RED_FLAG_SCORE),
            ("zero above", t + 4 * sd, 0.0),
        )
    return _line_knots(t, t - p * 2 * sd, "target")


# --- control_limits -------------------------------------------------------------------------

# Score knots in sigma units of the favourable direction: beyond the unfavourable control
# limit is red, the unfavourable warning zone (2 to 3 sigma, zone A) amber, common-cause
# variation green; beyond the favourable limit is a special cause for the better.
_CL_Z = (-4.0, -3.0, -2.0, 3.0)
_CL_SCORE = (0.0, RED_FLAG_SCORE, TARGET_SCORE, 1.0)
_CL_IN_RANGE_Z = (-4.0, -3.0, -2.0, 0.0)


def check_control_limits(params: Mapping[str, Any]) -> list[str]:
    """Problems with ``center`` (a number), ``sigma`` (positive), ``baseline`` (periods, a
    positive whole number) and ``min_points`` (a whole number of at least 2)."""
    problems = _positive("sigma", params.get("sigma"))
    center = params.get("center")
    if center is not None and not _is_number(center):
        problems.append(f"param 'center' must be a number, got {center!r}")
    for name, least in (("baseline", 1), ("min_points", 2)):
        value = params.get(name)
        if value is not None and (
            not _is_number(value) or float(value) != int(value) or int(value) < least
        ):
            problems.append(f"param {name!r} must be a whole number >= {least}, got {value!r}")
    return problems


def _interp_extended(z: FloatArray, knots: Sequence[float], scores: Sequence[float]) -> FloatArray:
    """Piecewise-linear through the knots, continued past the ends with the end slopes."""
    raw = np.interp(z, knots, scores)
    lo = (scores[1] - scores[0]) / (knots[1] - knots[0])
    hi = (scores[-1] - scores[-2]) / (knots[-1] - knots[-2])
    raw = np.where(z < knots[0], scores[0] + lo * (z - knots[0]), raw)
    return np.where(z > knots[-1], scores[-1] + hi * (z - knots[-1]), raw)


def score_control_limits(
    inputs: ScoreInputs,
    *,
    center: float | None = None,
    sigma: float | None = None,
    baseline: int | None = None,
    min_points: int = 8,
) -> FloatArray:
    """Where the value sits against the control limits of its own history.

    ``z = p * (actual - center) / sigma`` with the center line and sigma of an individuals
    chart on the row's series (``series_center``, ``series_sigma``: phase I over the first
    ``baseline`` evaluated periods, or all, when the series has ``min_points`` values), or
    the fixed ``center`` and ``sigma`` of an earlier study (phase II). Beyond the
    unfavourable 3-sigma limit scores below the red flag (0 at 4 sigma), the 2-to-3-sigma
    warning zone is amber, common-cause variation from -2 sigma up is green (2/3), and the
    favourable limit (+3 sigma) scores 1. For ``IN_RANGE`` polarity ``z = -|actual -
    center| / sigma`` and the center scores 1. No target is needed; NaN when the series is
    too short or flat to have limits.

    Examples
    --------
    Center 100 and sigma 10: 60 is 4 sigma short (0), 70 on the lower control limit (1/3),
    80 on the warning line (2/3) and 130 on the upper control limit (1).

    >>> inp = ScoreInputs.from_arrays([60, 70, 80, 130])
    >>> score_control_limits(inp, center=100, sigma=10).round(3).tolist()
    [0.0, 0.333, 0.667, 1.0]
    """
    _raise_if(
        "control_limits",
        check_control_limits(
            {"center": center, "sigma": sigma, "baseline": baseline, "min_points": min_points}
        ),
    )
    c = inputs.series_center if center is None else np.full_like(inputs.actual, float(center))
    sd = inputs.series_sigma if sigma is None else np.full_like(inputs.actual, float(sigma))
    diff = inputs.actual - c
    in_range = inputs.polarity == IN_RANGE
    signed = np.where(in_range, -np.abs(diff), inputs.polarity.astype(np.float64) * diff)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        z = signed / sd
        raw = np.where(
            in_range,
            _interp_extended(z, _CL_IN_RANGE_Z, _CL_SCORE),
            _interp_extended(z, _CL_Z, _CL_SCORE),
        )
    return np.where((sd > 0) & np.isfinite(z), raw, np.nan)


def control_limits_breakpoints(
    row: Mapping[str, Any],
    *,
    center: float | None = None,
    sigma: float | None = None,
    baseline: int | None = None,
    min_points: int = 8,
) -> list[Breakpoint]:
    """Knots at the control limits and the warning line (both sides for in-range)."""
    del baseline, min_points  # they shaped the series' limits, already in the row
    c = _f(row.get("series_center") if center is None else center)
    sd = _f(row.get("series_sigma") if sigma is None else sigma)
    p = int(row.get("polarity", HIGHER_BETTER))
    if not (np.isfinite(c) and np.isfinite(sd) and sd > 0):
        return []
    if p == IN_RANGE:
        return _knots(
            ("4 sigma below", c - 4 * sd, 0.0),
            ("lower control limit", c - 3 * sd, RED_FLAG_SCORE),
            ("lower warning line", c - 2 * sd, TARGET_SCORE),
            ("center line", c, 1.0),
            ("upper warning line", c + 2 * sd, TARGET_SCORE),
            ("upper control limit", c + 3 * sd, RED_FLAG_SCORE),
            ("4 sigma above", c + 4 * sd, 0.0),
        )
    names = ("4 sigma short", "unfavourable control limit", "warning line", "favourable limit")
    items = [(n, c + p * z * sd, sc) for n, z, sc in zip(names, _CL_Z, _CL_SCORE, strict=True)]
    return _knots(*items)
