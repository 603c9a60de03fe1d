"""Special-cause signals on every indicator series of an evaluation.

Each (indicator, org unit) series of actuals is treated as an individuals chart: its center
is the mean of the evaluated periods, its sigma the mean moving range over d2(2) = 1.128 (the
tabled constant, as for :func:`~balanced_scorecard.analytics.spc.imr_chart`; phase I on the
evaluated history), and the run rules of :mod:`balanced_scorecard.analytics.spc` flag
the points that signal a special cause. All series are judged at once, as one
``(series, period)`` array. A missing period breaks a run and has no moving range; series
with fewer than ``min_points`` values are not judged.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from balanced_scorecard.analytics._spc_constants import d2
from balanced_scorecard.analytics._spc_rules import RuleSpec, resolve_rules, run_rules

__all__ = ["series_limits", "special_causes"]


def special_causes(
    actual: npt.ArrayLike,
    *,
    rules: RuleSpec = "western_electric",
    min_points: int = 8,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, tuple[str, ...]]:
    """Run-rule flags for a panel of series (time on the last axis).

    Parameters
    ----------
    actual
        Values shaped ``(..., period)``; NaN where a period has no value.
    rules
        ``"western_electric"``, ``"nelson"`` or a list of rule ids.
    min_points
        Series with fewer values are not judged (all their flags are False, center and
        sigma NaN).

    Returns
    -------
    flags, center, sigma, rule_ids
        ``flags`` has shape ``actual.shape + (len(rule_ids),)``; ``center`` and ``sigma``
        the leading shape of ``actual``.

    Examples
    --------
    Hand-worked: eleven months alternating 10 and 11, then 16. Center 131 / 12 = 10.9167;
    ten moving ranges of 1 and one of 6 give a mean moving range of 16 / 11 = 1.4545 and
    sigma 1.4545 / 1.128 = 1.2895 (the tabled d2), so the upper limit is 14.785 and the
    twelfth month is beyond it.

    >>> flags, center, sigma, ids = special_causes([[10, 11] * 5 + [10, 16]])
    >>> round(float(center[0]), 4), round(float(sigma[0]), 4)
    (10.9167, 1.2895)
    >>> [int(i) for i in np.flatnonzero(flags[0, :, ids.index("WE1")])]
    [11]
    """
    x = np.asarray(actual, dtype=np.float64)
    ids = tuple(resolve_rules(rules))
    present = ~np.isnan(x)
    center, sigma = series_limits(x, min_points=min_points)
    judged = ~np.isnan(sigma)
    # Unjudged series get a harmless center and sigma; their flags are cleared below.
    safe_center = np.where(judged, center, 0.0)
    safe_sigma = np.where(judged, sigma, 1.0)
    flags = run_rules(
        np.where(present, x, np.nan), safe_center[..., None], safe_sigma[..., None], rules=ids
    )
    flags &= (judged[..., None] & present)[..., None]
    return flags, center, sigma, ids


def series_limits(
    actual: npt.ArrayLike, *, baseline: int | None = None, min_points: int = 8
) -> tuple[np.ndarray, np.ndarray]:
    """Individuals-chart center and sigma of every series of a panel (time on the last axis).

    The center is the mean of the values, sigma the mean moving range over d2(2) = 1.128,
    both over the first ``baseline`` periods (phase I; default: all of them). A missing
    period has no moving range. Series with fewer than ``min_points`` values in the
    baseline, no moving range or a zero one get NaN for both.

    Examples
    --------
    Hand-worked: 10, 12, 11, 13 has mean 11.5 and moving ranges 2, 1, 2, so sigma is
    (5 / 3) / 1.128 = 1.4775; on the first three periods only, mean 11 and sigma 1.5 / 1.128.

    >>> center, sigma = series_limits([[10, 12, 11, 13]], min_points=2)
    >>> round(float(center[0]), 4), round(float(sigma[0]), 4)
    (11.5, 1.4775)
    >>> [round(float(a[0]), 4) for a in series_limits([[10, 12, 11, 13]], baseline=3, min_points=2)]
    [11.0, 1.3298]
    """
    x = np.asarray(actual, dtype=np.float64)
    if baseline is not None:
        x = x[..., : int(baseline)]
    n = (~np.isnan(x)).sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        center = np.where(n > 0, np.nansum(x, axis=-1) / np.maximum(n, 1), np.nan)
        mr = np.abs(np.diff(x, axis=-1))
        n_mr = (~np.isnan(mr)).sum(axis=-1)
        mean_mr = np.where(n_mr > 0, np.nansum(mr, axis=-1) / np.maximum(n_mr, 1), np.nan)
        sigma = mean_mr / d2(2, constants="table")
    judged = (n >= min_points) & (n_mr > 0) & (sigma > 0)
    return np.where(judged, center, np.nan), np.where(judged, sigma, np.nan)
