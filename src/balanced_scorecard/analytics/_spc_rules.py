"""Run rules (Western Electric and Nelson) for control charts, vectorised over points and series.

The rules look at the plotted statistic in units of its own sigma, ``z = (x - center) / sigma``,
and flag the point that *completes* a pattern. Every rule is computed for all points (and for
all series of a 2-D ``(series, point)`` array) at once with cumulative sums over boolean
masks: the count of qualifying points in the window of the last ``k`` points is
``cumsum[i] - cumsum[i - k]``. Conventions (also on the control-charts docs page):

- a point exactly on a zone line (within ``tolerance`` sigma of it) belongs to the inner
  zone, so a point on a control limit is *not* beyond it;
- a point exactly on the center line is on neither side and breaks a same-side run;
- equal consecutive values break a trend (rule N3) and an alternation (rule N4);
- a missing statistic (NaN) is never flagged and breaks every run and window it falls in;
- zero sigma: a point equal to the center has ``z = 0``; any other point is infinitely far.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import numpy.typing as npt

from balanced_scorecard.exceptions import ModelError

__all__ = ["RULES", "RULE_SETS", "resolve_rules", "run_rules", "zone_labels", "zscores"]

#: What each rule id means (the pattern; the flagged point is the last one of it).
RULES: dict[str, str] = {
    "WE1": "one point beyond the 3-sigma limits",
    "WE2": "two of three consecutive points beyond 2 sigma on the same side",
    "WE3": "four of five consecutive points beyond 1 sigma on the same side",
    "WE4": "eight consecutive points on the same side of the center line",
    "N1": "one point beyond the 3-sigma limits",
    "N2": "nine points in a row on the same side of the center line",
    "N3": "six points in a row steadily increasing or steadily decreasing",
    "N4": "fourteen points in a row alternating up and down",
    "N5": "two of three consecutive points beyond 2 sigma on the same side",
    "N6": "four of five consecutive points beyond 1 sigma on the same side",
    "N7": "fifteen points in a row within 1 sigma of the center line (either side)",
    "N8": "eight points in a row beyond 1 sigma, on either side, none within 1 sigma",
}

#: Named rule sets accepted by ``rules=``.
RULE_SETS: dict[str, tuple[str, ...]] = {
    "western_electric": ("WE1", "WE2", "WE3", "WE4"),
    "nelson": ("N1", "N2", "N3", "N4", "N5", "N6", "N7", "N8"),
    "beyond_limits": ("N1",),
}

RuleSpec = str | Iterable[str]

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


def resolve_rules(rules: RuleSpec) -> tuple[str, ...]:
    """Rule ids selected by a set name or a list of ids, in the order given, without repeats.

    Examples
    --------
    >>> resolve_rules("western_electric")
    ('WE1', 'WE2', 'WE3', 'WE4')
    >>> resolve_rules(["N1", "N2", "N1"])
    ('N1', 'N2')
    """
    if isinstance(rules, str):
        if rules in RULE_SETS:
            return RULE_SETS[rules]
        if rules in RULES:
            return (rules,)
        raise ModelError(
            f"unknown rule set {rules!r}; use one of {sorted(RULE_SETS)} "
            f"or a list of rule ids from {list(RULES)}"
        )
    out: list[str] = []
    for rule in rules:
        if rule not in RULES:
            raise ModelError(f"unknown rule id {rule!r}; the rule ids are {list(RULES)}")
        if rule not in out:
            out.append(rule)
    return tuple(out)


def zscores(statistic: npt.ArrayLike, center: npt.ArrayLike, sigma: npt.ArrayLike) -> FloatArray:
    """Signed distance of each point from the center, in sigma of the plotted statistic.

    Zero sigma gives 0 for a point on the center and ±inf for any other point; NaN stays NaN.

    Examples
    --------
    >>> zscores([1.0, 4.0, 2.0], 2.0, [1.0, 1.0, 0.0]).tolist()
    [-1.0, 2.0, 0.0]
    """
    x = np.asarray(statistic, dtype=np.float64)
    c = np.asarray(center, dtype=np.float64)
    s = np.asarray(sigma, dtype=np.float64)
    d = x - c
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(s > 0, d / np.where(s > 0, s, 1.0), np.sign(d) * np.inf)
    z = np.where(d == 0, 0.0, z)
    return np.asarray(np.where(np.isnan(d), np.nan, z), dtype=np.float64)


def zone_labels(z: npt.ArrayLike, *, tolerance: float = 1e-9) -> npt.NDArray[np.str_]:
    """Zone of each point: ``C`` (within 1 sigma), ``B`` (1–2), ``A`` (2–3), ``beyond`` or ``""``.

    A point on a zone line belongs to the inner zone; NaN gives the empty string.

    Examples
    --------
    >>> zone_labels([0.5, -1.0, 1.5, 2.5, -3.5, float("nan")]).tolist()
    ['C', 'C', 'B', 'A', 'beyond', '']
    """
    a = np.abs(np.asarray(z, dtype=np.float64))
    return np.select(
        [np.isnan(a), a > 3 + tolerance, a > 2 + tolerance, a > 1 + tolerance],
        ["", "beyond", "A", "B"],
        default="C",
    )


def _window_count(mask: BoolArray, k: int) -> npt.NDArray[np.int32]:
    """How many of the last ``k`` points up to each point are True (fewer at the start)."""
    c = np.cumsum(mask, axis=-1, dtype=np.int32)
    n = mask.shape[-1]
    if k >= n:
        return c
    lagged = np.concatenate([np.zeros((*mask.shape[:-1], k), dtype=np.int32), c[..., : n - k]], -1)
    return np.asarray(c - lagged, dtype=np.int32)


def _run(mask: BoolArray, k: int) -> BoolArray:
    """True where the point ends a run of at least ``k`` consecutive True values."""
    return np.asarray(_window_count(mask, k) >= k, dtype=np.bool_)


def _shifted(mask: BoolArray, shift: int) -> BoolArray:
    """``mask`` of a derived sequence (differences) aligned back onto the points."""
    pad = np.zeros((*mask.shape[:-1], shift), dtype=np.bool_)
    return np.concatenate([pad, mask], axis=-1)


def run_rules(
    statistic: npt.ArrayLike,
    center: npt.ArrayLike,
    sigma: npt.ArrayLike,
    *,
    rules: RuleSpec = "western_electric",
    tolerance: float = 1e-9,
) -> BoolArray:
    """Flag the points that complete each run-rule pattern.

    Parameters
    ----------
    statistic
        The plotted statistic, shape ``(points,)`` or ``(series, points)`` (any leading axes);
        the last axis is time.
    center, sigma
        Center line and sigma *of the plotted statistic*, broadcastable to ``statistic``
        (per point when limits vary with the subgroup size).
    rules
        ``"western_electric"`` (WE1–WE4), ``"nelson"`` (N1–N8), ``"beyond_limits"`` (N1) or a
        list of rule ids from :data:`RULES`.
    tolerance
        How close to a zone line (in sigma) still counts as on it, i.e. in the inner zone.

    Returns
    -------
    numpy.ndarray
        Boolean array of shape ``statistic.shape + (len(rules),)``: ``[..., i, r]`` is True
        when point ``i`` completes the pattern of rule ``r``.

    Examples
    --------
    >>> x = [0, 0.5, -0.5, 3.5, 0]
    >>> run_rules(x, 0.0, 1.0, rules=["N1", "N2"])[:, 0].tolist()
    [False, False, False, True, False]
    >>> import numpy as np
    >>> run_rules(np.zeros((10_000, 120)), 0.0, 1.0, rules="nelson").shape
    (10000, 120, 8)
    """
    ids = resolve_rules(rules)
    x = np.asarray(statistic, dtype=np.float64)
    if x.ndim == 0:
        raise ModelError("run_rules needs a series of points, got a scalar statistic")
    z = zscores(x, center, sigma)
    z = np.broadcast_to(z, np.broadcast_shapes(z.shape, x.shape))
    x = np.broadcast_to(x, z.shape)
    t = tolerance

    def compute(rule: str) -> BoolArray:
        up = z > t
        down = z < -t
        if rule in ("WE1", "N1"):
            return np.asarray(np.abs(z) > 3 + t)
        if rule in ("WE2", "N5"):
            hi, lo = z > 2 + t, z < -(2 + t)
            return (hi & (_window_count(hi, 3) >= 2)) | (lo & (_window_count(lo, 3) >= 2))
        if rule in ("WE3", "N6"):
            hi, lo = z > 1 + t, z < -(1 + t)
            return (hi & (_window_count(hi, 5) >= 4)) | (lo & (_window_count(lo, 5) >= 4))
        if rule == "WE4":
            return _run(up, 8) | _run(down, 8)
        if rule == "N2":
            return _run(up, 9) | _run(down, 9)
        if rule == "N3":
            d = np.diff(x, axis=-1)
            return _shifted(_run(d > 0, 5) | _run(d < 0, 5), 1)
        if rule == "N4":
            d = np.diff(x, axis=-1)
            alternate = d[..., 1:] * d[..., :-1] < 0
            return _shifted(_run(alternate, 12), 2)
        if rule == "N7":
            return _run(np.abs(z) <= 1 + t, 15)
        # N8: eight in a row outside zone C, either side
        return _run(np.abs(z) > 1 + t, 8)

    out = np.zeros((*z.shape, len(ids)), dtype=np.bool_)
    for r, rule in enumerate(ids):  # a loop over (at most 12) rules, never over points
        out[..., r] = np.asarray(compute(rule), dtype=np.bool_)[..., : z.shape[-1]]
    return out
