"""Statistical process control: Shewhart control charts and run rules.

Tells common-cause from special-cause variation in an indicator's history. Each chart function
takes the raw data (individual values, subgroup measurements, or counts with their sizes),
estimates the process center and sigma (phase I, optionally from a ``trial`` subset) or takes
them from an earlier result (phase II, ``phase1=``), and returns a frozen
:class:`ControlChart` (or a :class:`ChartPair` for charts with a dispersion companion) whose
``.frame`` lists every point with its limits, zone and the run rules it violates, and which
renders itself as SVG. Conventions are on the docs page ``explanation/control-charts``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from balanced_scorecard.analytics._spc_constants import CONVENTIONS, c4, d2, d3, per_size
from balanced_scorecard.analytics._spc_results import (
    ChartPair,
    ControlChart,
    ProcessParameters,
    _chart,
    _dispersion,
    _phase2,
)
from balanced_scorecard.analytics._spc_rules import (
    RULE_SETS,
    RULES,
    RuleSpec,
    run_rules,
    zone_labels,
    zscores,
)
from balanced_scorecard.exceptions import ObservationError

__all__ = [
    "CONVENTIONS",
    "RULES",
    "RULE_SETS",
    "ChartPair",
    "ControlChart",
    "ProcessParameters",
    "c4",
    "c_chart",
    "d2",
    "d3",
    "imr_chart",
    "imr_limits",
    "np_chart",
    "p_chart",
    "run_rules",
    "u_chart",
    "xbar_r_chart",
    "xbar_s_chart",
    "zone_labels",
    "zscores",
]

Float = npt.NDArray[np.float64]


# --- input checks --------------------------------------------------------------------------


def _values(values: npt.ArrayLike, what: str) -> Float:
    x = np.asarray(values, dtype=np.float64)
    if x.ndim != 1:
        raise ObservationError(f"{what} must be one-dimensional, got shape {x.shape}")
    bad = np.flatnonzero(~np.isfinite(x))
    if bad.size:
        raise ObservationError(
            f"{what} has {bad.size} missing or infinite value(s), first at position {bad[0]}; "
            "drop or impute them before charting (a control chart needs every point)"
        )
    return x


def _trial_mask(trial: npt.ArrayLike | None, n: int) -> npt.NDArray[np.bool_]:
    if trial is None:
        return np.ones(n, dtype=np.bool_)
    t = np.asarray(trial)
    if t.dtype == np.bool_:
        if t.shape != (n,):
            raise ObservationError(f"trial mask has shape {t.shape}, expected ({n},)")
        mask = t.copy()
    else:
        mask = np.zeros(n, dtype=np.bool_)
        mask[np.asarray(t, dtype=np.int64)] = True
    if not mask.any():
        raise ObservationError("trial selects no point; give at least one point to estimate from")
    return mask


# --- variables charts ----------------------------------------------------------------------


def imr_limits(
    values: npt.ArrayLike, *, span: int = 2, constants: str = "table"
) -> tuple[Float, Float]:
    """Phase I mean and sigma (mean moving range / d2) of individuals, over the last axis.

    Vectorised over any leading axes, e.g. ``(series, point)``; no checks beyond shape, so
    this is the fast path for many series at once (use :func:`imr_chart` for one series).

    Examples
    --------
    >>> mean, sigma = imr_limits([[1.0, 3.0, 2.0], [5.0, 5.0, 5.0]])
    >>> mean.tolist(), sigma.round(6).tolist()
    ([2.0, 5.0], [1.329787, 0.0])
    """
    x = np.asarray(values, dtype=np.float64)
    if x.shape[-1] < span:
        raise ObservationError(
            f"an I-MR chart needs at least {span} values for a moving range, got {x.shape[-1]}"
        )
    win = np.lib.stride_tricks.sliding_window_view(x, span, axis=-1)
    mr = win.max(axis=-1) - win.min(axis=-1)
    return x.mean(axis=-1), mr.mean(axis=-1) / d2(span, constants=constants)


def imr_chart(
    values: npt.ArrayLike,
    *,
    rules: RuleSpec = "western_electric",
    dispersion_rules: RuleSpec = (),
    trial: npt.ArrayLike | None = None,
    phase1: ControlChart | ChartPair | ProcessParameters | None = None,
    span: int = 2,
    constants: str | None = None,
) -> ChartPair:
    """Individuals and moving-range (I-MR) chart.

    Sigma is the mean moving range (of ``span`` consecutive values) over d2(span); limits
    are the mean ± 3 sigma. In phase I the estimate comes from all values or the ``trial``
    points (their moving ranges taken within the trial subsequence); with ``phase1`` the
    values are judged against that earlier estimate.

    Examples
    --------
    >>> pair = imr_chart([10.0, 11.0, 9.5, 10.5, 10.0, 14.0])
    >>> round(float(pair.location.ucl[0]), 4), pair.location.signals.tolist()[-1]
    (15.0887, False)
    >>> pair.dispersion.frame["rules"].tolist()[-1]
    ''
    """
    x = _values(values, "values")
    params = _phase2(phase1, "imr", constants)
    mask = _trial_mask(trial, x.size) if params is None else np.zeros(x.size, dtype=np.bool_)
    if params is None:
        mean, sigma = imr_limits(x[mask], span=span, constants=constants or "table")
        params = ProcessParameters(
            family="imr", center=mean, sigma=sigma, constants=constants or "table", span=span
        )
    elif x.size == 0:
        raise ObservationError("values is empty; give at least one value to judge")
    s = float(params.sigma or 0.0)
    common: dict[str, Any] = {"labels": None, "trial": mask}
    loc = _chart(
        "I", "Individuals chart", x, np.asarray(params.center), np.asarray(s),
        np.asarray(params.center - 3 * s), np.asarray(params.center + 3 * s),
        size=np.ones(1), rules=rules, params=params, **common,
    )  # fmt: skip
    mr = np.full(x.size, np.nan)
    if x.size >= params.span:
        win = np.lib.stride_tricks.sliding_window_view(x, params.span)
        mr[params.span - 1 :] = win.max(axis=-1) - win.min(axis=-1)
    sizes = np.full(x.size, params.span, dtype=np.int64)
    disp = _dispersion(
        "MR", mr, sizes, params, size=sizes.astype(float), rules=dispersion_rules, **common
    )
    return ChartPair(location=loc, dispersion=disp)


def _subgroups(
    values: npt.ArrayLike, subgroups: npt.ArrayLike | int
) -> tuple[Float, npt.NDArray[np.int64], npt.NDArray[Any], npt.NDArray[np.int64]]:
    """Values sorted by subgroup (first-appearance order), codes, labels and sizes."""
    x = _values(values, "values")
    if isinstance(subgroups, int | np.integer):
        k = int(subgroups)
        if k < 1 or x.size % k:
            raise ObservationError(
                f"subgroup size {k} must be a positive divisor of the {x.size} values"
            )
        codes = np.arange(x.size) // k
        labels: npt.NDArray[Any] = np.arange(x.size // k)
    else:
        g = np.asarray(subgroups)
        if g.shape != x.shape:
            raise ObservationError(
                f"subgroups has shape {g.shape}, values {x.shape}; give one label per value"
            )
        codes_raw, uniques = pd.factorize(g, sort=False, use_na_sentinel=False)
        codes, labels = np.asarray(codes_raw, dtype=np.int64), np.asarray(uniques)
    if x.size == 0:
        raise ObservationError("values is empty; a chart needs at least one subgroup")
    order = np.argsort(codes, kind="stable")
    sizes = np.bincount(codes, minlength=labels.size).astype(np.int64)
    small = np.flatnonzero(sizes < 2)
    if small.size:
        raise ObservationError(
            f"subgroup {labels[small[0]].item()!r} has {sizes[small[0]]} value(s); X-bar "
            "charts need at least 2 per subgroup (use imr_chart for individual values)"
        )
    return x[order], codes[order], labels, sizes


def _xbar(
    values: npt.ArrayLike,
    subgroups: npt.ArrayLike | int,
    family: str,
    *,
    rules: RuleSpec,
    dispersion_rules: RuleSpec,
    trial: npt.ArrayLike | None,
    phase1: ControlChart | ChartPair | ProcessParameters | None,
    constants: str | None,
) -> ChartPair:
    x, codes, labels, sizes = _subgroups(values, subgroups)
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    means = np.add.reduceat(x, starts) / sizes
    ranges = np.maximum.reduceat(x, starts) - np.minimum.reduceat(x, starts)
    sds = np.sqrt(np.add.reduceat((x - means[codes]) ** 2, starts) / (sizes - 1))
    params = _phase2(phase1, family, constants)
    mask = _trial_mask(trial, sizes.size) if params is None else np.zeros(sizes.size, np.bool_)
    conv = constants or "table"
    if params is None:
        center = float(np.sum((sizes * means)[mask]) / np.sum(sizes[mask]))
        if family == "xbar_r":
            sigma = float(np.mean((ranges / per_size("d2", sizes, constants=conv))[mask]))
        else:
            sigma = float(np.mean((sds / per_size("c4", sizes))[mask]))
        params = ProcessParameters(family=family, center=center, sigma=sigma, constants=conv)
    s = float(params.sigma or 0.0) / np.sqrt(sizes)
    common: dict[str, Any] = {"labels": labels, "trial": mask, "size": sizes.astype(float)}
    loc = _chart(
        "xbar", "X-bar chart", means, np.asarray(params.center), s,
        params.center - 3 * s, params.center + 3 * s, rules=rules, params=params, **common,
    )  # fmt: skip
    which = "R" if family == "xbar_r" else "S"
    stat = ranges if which == "R" else sds
    disp = _dispersion(which, stat, sizes, params, rules=dispersion_rules, **common)
    return ChartPair(location=loc, dispersion=disp)


def xbar_r_chart(
    values: npt.ArrayLike,
    subgroups: npt.ArrayLike | int,
    *,
    rules: RuleSpec = "western_electric",
    dispersion_rules: RuleSpec = (),
    trial: npt.ArrayLike | None = None,
    phase1: ControlChart | ChartPair | ProcessParameters | None = None,
    constants: str | None = None,
) -> ChartPair:
    """X-bar and R charts for subgrouped measurements.

    Parameters
    ----------
    values
        All measurements, one-dimensional.
    subgroups
        A subgroup label per value (subgroups ordered by first appearance), or an int ``k``:
        consecutive groups of ``k`` values.
    rules, dispersion_rules
        Run rules for the X-bar chart and for the R chart (none by default: the R chart
        flags only points beyond its limits, see ``beyond_limits``).
    trial
        Boolean mask or positions of the subgroups that estimate the limits (phase I).
    phase1
        An earlier result or :class:`ProcessParameters`: judge the data against it (phase II).
    constants
        ``"table"`` (default: d2 rounded to three decimals, as the printed tables and qcc),
        ``"qcc"`` (also qcc's tabulated d3, to reproduce its R chart limits to the last digit)
        or ``"exact"``.

    Notes
    -----
    Center: mean of all trial values. Sigma: the mean over trial subgroups of R_i / d2(n_i)
    (R-bar / d2 for equal sizes). X-bar limits: center ± 3 sigma / sqrt(n_i); R chart center
    d2(n_i) sigma, limits ± 3 d3(n_i) sigma, the lower one floored at 0.

    Examples
    --------
    >>> pair = xbar_r_chart([1.0, 2.0, 3.0, 2.0, 3.0, 4.0], 3)
    >>> float(pair.location.center[0]), round(pair.parameters.sigma, 6)
    (2.5, 1.181335)
    """
    return _xbar(
        values, subgroups, "xbar_r", rules=rules, dispersion_rules=dispersion_rules,
        trial=trial, phase1=phase1, constants=constants,
    )  # fmt: skip


def xbar_s_chart(
    values: npt.ArrayLike,
    subgroups: npt.ArrayLike | int,
    *,
    rules: RuleSpec = "western_electric",
    dispersion_rules: RuleSpec = (),
    trial: npt.ArrayLike | None = None,
    phase1: ControlChart | ChartPair | ProcessParameters | None = None,
    constants: str | None = None,
) -> ChartPair:
    """X-bar and S charts: as :func:`xbar_r_chart` with sigma = mean of s_i / c4(n_i).

    The S chart has center c4(n_i) sigma and limits ± 3 sigma sqrt(1 - c4(n_i)^2), the lower
    one floored at 0.

    Examples
    --------
    >>> pair = xbar_s_chart([1.0, 2.0, 3.0, 2.0, 3.0, 4.0], 3)
    >>> round(float(pair.dispersion.center[0]), 6)
    1.0
    """
    return _xbar(
        values, subgroups, "xbar_s", rules=rules, dispersion_rules=dispersion_rules,
        trial=trial, phase1=phase1, constants=constants,
    )  # fmt: skip


# --- attribute charts ----------------------------------------------------------------------


def _counts(
    counts: npt.ArrayLike, sizes: npt.ArrayLike | None, *, defectives: bool
) -> tuple[Float, Float]:
    what = "defectives" if defectives else "counts"
    c = _values(counts, what)
    if c.size == 0:
        raise ObservationError(f"{what} is empty; a chart needs at least one sample")
    n = np.ones_like(c) if sizes is None else np.asarray(sizes, dtype=np.float64)
    if n.ndim == 0:
        n = np.full_like(c, float(n))
    n = _values(n, "sizes")
    if n.shape != c.shape:
        raise ObservationError(f"sizes has shape {n.shape}, {what} {c.shape}; give one per sample")
    for name, arr, bad, rule in (
        ("sizes", n, n <= 0, "positive"),
        (what, c, c < 0, "non-negative"),
        (what, c, (c > n) if defectives else np.zeros_like(c, np.bool_), "at most its size"),
    ):
        hit = np.flatnonzero(bad)
        if hit.size:
            raise ObservationError(
                f"{name} must be {rule}; sample {hit[0]} has {arr[hit[0]]:g} "
                f"(size {n[hit[0]]:g}); correct the data or drop the sample"
            )
    return c, n


def _attribute(
    chart: str,
    counts: npt.ArrayLike,
    sizes: npt.ArrayLike | None,
    *,
    rules: RuleSpec,
    trial: npt.ArrayLike | None,
    phase1: ControlChart | ChartPair | ProcessParameters | None,
) -> ControlChart:
    family = chart
    c, n = _counts(counts, sizes, defectives=chart in ("p", "np"))
    params = _phase2(phase1, family, None)
    mask = _trial_mask(trial, c.size) if params is None else np.zeros(c.size, np.bool_)
    if params is None:
        rate = float(np.sum(c[mask]) / np.sum(n[mask]))
        params = ProcessParameters(family=family, center=rate)
    r = params.center
    top: Float | float
    # (statistic, center, sigma of the statistic, upper bound the statistic cannot exceed)
    if chart == "p":
        stat, center, sigma, top = c / n, r * np.ones_like(n), np.sqrt(r * (1 - r) / n), 1.0
    elif chart == "np":
        stat, center, sigma, top = c, n * r, np.sqrt(n * r * (1 - r)), n
    elif chart == "u":
        stat, center, sigma, top = c / n, r * np.ones_like(n), np.sqrt(r / n), np.inf
    else:
        stat, center, sigma, top = c, r * n, np.sqrt(r * n), np.inf
    title = {"p": "p chart", "np": "np chart", "c": "c chart", "u": "u chart"}[chart]
    center_a = np.broadcast_to(np.asarray(center, dtype=np.float64), c.shape)
    sigma_a = np.broadcast_to(np.asarray(sigma, dtype=np.float64), c.shape)
    lcl = np.maximum(center_a - 3 * sigma_a, 0.0)
    ucl = np.minimum(center_a + 3 * sigma_a, top)
    return _chart(
        chart, title, stat, center_a, sigma_a, lcl, ucl,
        size=n, labels=None, trial=mask, rules=rules, params=params,
    )  # fmt: skip


def p_chart(
    defectives: npt.ArrayLike,
    sizes: npt.ArrayLike,
    *,
    rules: RuleSpec = "western_electric",
    trial: npt.ArrayLike | None = None,
    phase1: ControlChart | ChartPair | ProcessParameters | None = None,
) -> ControlChart:
    """Fraction nonconforming (p) chart; limits per point when sample sizes vary.

    p-bar is the pooled fraction (sum of defectives over sum of sizes) of the trial samples;
    limits p-bar ± 3 sqrt(p-bar (1 - p-bar) / n_i), clipped to [0, 1]. Zones use the
    unclipped sigma.

    Examples
    --------
    >>> ch = p_chart([2, 3, 10, 1], 20)
    >>> float(ch.center[0]), ch.frame["zone"].tolist(), ch.frame["beyond_limits"].tolist()
    (0.2, ['B', 'C', 'beyond', 'B'], [False, False, True, False])
    """
    return _attribute("p", defectives, sizes, rules=rules, trial=trial, phase1=phase1)


def np_chart(
    defectives: npt.ArrayLike,
    sizes: npt.ArrayLike,
    *,
    rules: RuleSpec = "western_electric",
    trial: npt.ArrayLike | None = None,
    phase1: ControlChart | ChartPair | ProcessParameters | None = None,
) -> ControlChart:
    """Number nonconforming (np) chart: center n_i p-bar, limits ± 3 sqrt(n_i p-bar (1 - p-bar)).

    Examples
    --------
    >>> np_chart([2, 3, 10, 1], 20).center.tolist()
    [4.0, 4.0, 4.0, 4.0]
    """
    return _attribute("np", defectives, sizes, rules=rules, trial=trial, phase1=phase1)


def c_chart(
    counts: npt.ArrayLike,
    *,
    rules: RuleSpec = "western_electric",
    trial: npt.ArrayLike | None = None,
    phase1: ControlChart | ChartPair | ProcessParameters | None = None,
) -> ControlChart:
    """Count of nonconformities (c) chart for a constant area of opportunity: c-bar ± 3 sqrt(c-bar).

    Examples
    --------
    >>> round(float(c_chart([4, 6, 5, 5]).ucl[0]), 4)
    11.7082
    """
    return _attribute("c", counts, None, rules=rules, trial=trial, phase1=phase1)


def u_chart(
    counts: npt.ArrayLike,
    sizes: npt.ArrayLike,
    *,
    rules: RuleSpec = "western_electric",
    trial: npt.ArrayLike | None = None,
    phase1: ControlChart | ChartPair | ProcessParameters | None = None,
) -> ControlChart:
    """Nonconformities per unit (u) chart: u-bar = sum c / sum n, limits ± 3 sqrt(u-bar / n_i).

    Examples
    --------
    >>> ch = u_chart([4, 12, 5], [1, 2, 1])
    >>> float(ch.center[0]), ch.ucl.round(4).tolist()
    (5.25, [12.1239, 10.1106, 12.1239])
    """
    return _attribute("u", counts, sizes, rules=rules, trial=trial, phase1=phase1)
