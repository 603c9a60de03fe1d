"""Performance baselines: from an indicator's own history and from external benchmark tables.

A baseline says what "normal" is for a cycle time, a defect rate or a throughput, so that
targets and thresholds rest on evidence. Two sources:

- **history**: per (indicator, org unit), the median and chosen percentiles of the last
  ``window`` periods. Medians and percentiles are robust: one outlier month moves them
  little, unlike a mean; the median absolute deviation (scaled to a standard deviation for
  normal data) gives a robust spread.
- **external tables**: industry quartiles (or any set of percentile points) per indicator.
  Each org unit's value is placed on that scale (its percentile position, by linear
  interpolation between the published points) and its gap to a chosen point is reported,
  signed so that a positive gap is always "better than the benchmark" whatever the
  indicator's polarity.

Both come back as frames, and :func:`baseline_targets` turns either into a target table
(``indicator``, ``org_unit``, ``target``, ``red_flag``) for
:func:`~balanced_scorecard.targets_from_frame` or ``Engine.evaluate(targets=...)``.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from balanced_scorecard.exceptions import ObservationError

__all__ = ["baseline_targets", "benchmark_position", "history_baselines"]

# MAD of a normal sample is 0.6745 sigma; dividing by it estimates sigma robustly.
_MAD_TO_SIGMA = 1.0 / 0.6744897501960817


def history_baselines(
    observations: pd.DataFrame,
    *,
    window: int = 12,
    percentiles: Sequence[float] = (25, 50, 75),
    min_periods: int = 3,
) -> pd.DataFrame:
    """Per (indicator, org unit): median, percentiles and robust spread of the last
    ``window`` periods.

    Parameters
    ----------
    observations
        A long frame with ``indicator``, ``org_unit``, ``period`` (sortable labels such as
        ``2025-03``) and ``value``, e.g. ``evaluation.to_frame()`` filtered to indicators
        (rename ``node`` and ``actual``), or the raw observations.
    window
        How many of the latest periods of each series count.
    percentiles
        Percentile points to report (0-100), as columns ``p25``, ``p50``...
    min_periods
        Series with fewer values in the window get no baseline (``n`` says how many).

    Returns
    -------
    pandas.DataFrame
        ``indicator``, ``org_unit``, ``n``, ``median``, ``mad_sigma`` (median absolute
        deviation scaled to a normal sigma), one ``p<k>`` column per percentile, and
        ``first``/``last`` period of the window.

    Examples
    --------
    Hand-worked: twelve monthly cycle times of 10 with one outlier month of 90; the median
    stays 10, the mean would be 16.7.

    >>> obs = pd.DataFrame({"indicator": "cycle_time", "org_unit": "plant",
    ...     "period": [f"2025-{m:02d}" for m in range(1, 13)],
    ...     "value": [10.0] * 11 + [90.0]})
    >>> b = history_baselines(obs, window=12)
    >>> b[["n", "median", "mad_sigma", "p25", "p75"]].to_dict("records")
    [{'n': 12, 'median': 10.0, 'mad_sigma': 0.0, 'p25': 10.0, 'p75': 10.0}]
    """
    missing = {"indicator", "org_unit", "period", "value"} - set(observations.columns)
    if missing:
        raise ObservationError(
            f"history_baselines needs columns indicator, org_unit, period and value; "
            f"missing {sorted(missing)}"
        )
    if window < 1 or min_periods < 1:
        raise ObservationError(f"window ({window}) and min_periods ({min_periods}) must be >= 1")
    points = np.asarray(percentiles, dtype=float)
    if ((points < 0) | (points > 100)).any():
        raise ObservationError(f"percentiles must lie in [0, 100], got {list(percentiles)}")
    frame = observations[["indicator", "org_unit", "period", "value"]].copy()
    frame["value"] = pd.to_numeric(frame["value"], errors="coerce")
    frame = frame.dropna(subset=["value"]).sort_values(
        ["indicator", "org_unit", "period"], kind="stable"
    )
    # The latest `window` periods of each series: rank from the end, keep rank < window.
    frame["_back"] = frame.groupby(["indicator", "org_unit"], sort=False).cumcount(ascending=False)
    recent = frame[frame["_back"] < window]
    # A dense (series x position) panel: every statistic is one vectorised call over rows.
    keys = recent.groupby(["indicator", "org_unit"], sort=True).ngroup().to_numpy()
    n_series = int(keys.max()) + 1 if len(keys) else 0
    panel = np.full((n_series, window), np.nan)
    panel[keys, recent["_back"].to_numpy()] = recent["value"].to_numpy()
    counts = np.sum(~np.isnan(panel), axis=1)
    enough = counts >= min_periods
    with np.errstate(all="ignore"), warnings.catch_warnings():
        # All-NaN rows (series without enough values) are reported through `n`.
        warnings.simplefilter("ignore", RuntimeWarning)
        median = np.nanmedian(panel, axis=1)
        mad = np.nanmedian(np.abs(panel - median[:, None]), axis=1) * _MAD_TO_SIGMA
        quantiles = np.nanpercentile(panel, points, axis=1) if n_series else np.zeros((0, 0))
    index = recent.groupby(["indicator", "org_unit"], sort=True).agg(
        first=("period", "min"), last=("period", "max")
    )
    out = pd.DataFrame(
        {
            "indicator": index.index.get_level_values(0),
            "org_unit": index.index.get_level_values(1),
            "n": counts.astype(np.int64),
            "median": np.where(enough, median, np.nan),
            "mad_sigma": np.where(enough, mad, np.nan),
        }
    )
    for k, p in enumerate(points):
        out[f"p{p:g}"] = np.where(enough, quantiles[k], np.nan) if n_series else []
    out["first"] = index["first"].to_numpy()
    out["last"] = index["last"].to_numpy()
    return out


def benchmark_position(
    values: pd.DataFrame,
    table: pd.DataFrame,
    *,
    polarity: Mapping[str, str] | None = None,
    against: str = "p75",
) -> pd.DataFrame:
    """Place each value on an external benchmark scale.

    Parameters
    ----------
    values
        ``indicator``, ``org_unit`` and ``value`` (one row per unit, e.g. the focus period).
    table
        One row per indicator with percentile columns named ``p<k>`` (``p25``, ``p50``,
        ``p75``; any set of at least two points, in increasing percentile order), e.g.
        published industry quartiles. Values must not decrease with the percentile.
    polarity
        Per indicator ``higher_better`` (default) or ``lower_better``. The benchmark's
        percentiles describe the distribution of values; for a lower-better indicator the
        position is reported as the share of peers the unit beats (100 minus the value's
        percentile), so a higher position is always better.
    against
        The table column to measure the gap to (the top quartile by default).

    Returns
    -------
    pandas.DataFrame
        The input rows plus ``position`` (0-100, better than that share of peers; clamped at
        the table's lowest and highest points, whose percentiles bound it) and ``gap``
        (value minus the benchmark point, sign flipped for lower-better indicators so that a
        positive gap means better than the benchmark).

    Examples
    --------
    Hand-worked: industry on-time delivery quartiles 85 / 90 / 95 %. A unit at 92.5 % sits
    halfway between the median and the top quartile: position 62.5, 2.5 points short of it.

    >>> table = pd.DataFrame({"indicator": ["otd"], "p25": [85.0], "p50": [90.0], "p75": [95.0]})
    >>> vals = pd.DataFrame({"indicator": "otd", "org_unit": ["north"], "value": [92.5]})
    >>> benchmark_position(vals, table)[["position", "gap"]].to_dict("records")
    [{'position': 62.5, 'gap': -2.5}]
    """
    cols = [c for c in table.columns if c.startswith("p") and _is_number(c[1:])]
    if len(cols) < 2:
        raise ObservationError(
            "a benchmark table needs at least two percentile columns such as p25 and p75; "
            f"found {list(table.columns)}"
        )
    if against not in cols:
        raise ObservationError(f"against={against!r} is not a column of the table ({cols})")
    cols = sorted(cols, key=lambda c: float(c[1:]))
    pct = np.array([float(c[1:]) for c in cols])
    points = table.set_index("indicator")[cols].astype(float)
    falling = np.asarray((np.diff(points.to_numpy(), axis=1) < 0).any(axis=1), dtype=bool)
    if falling.any():
        bad = [str(i) for i, f in zip(points.index, falling, strict=True) if f]
        raise ObservationError(
            f"benchmark values must not decrease with the percentile; check the rows for {bad}"
        )
    unknown = sorted(set(values["indicator"]) - set(points.index))
    if unknown:
        raise ObservationError(f"no benchmark row for indicator(s) {unknown}")
    grid = points.loc[values["indicator"]].to_numpy()
    v = pd.to_numeric(values["value"], errors="coerce").to_numpy(dtype=float)
    position = _interp_rows(v, grid, pct)
    lower = np.array(
        [(polarity or {}).get(i, "higher_better") == "lower_better" for i in values["indicator"]]
    )
    position = np.where(lower, 100.0 - position, position)
    target = points.loc[values["indicator"], against].to_numpy()
    gap = np.where(lower, target - v, v - target)
    return values.assign(position=position, gap=gap).reset_index(drop=True)


def baseline_targets(
    baselines: pd.DataFrame,
    *,
    target: str = "p50",
    red_flag: str = "p25",
    polarity: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """A target table from baselines: one row per (indicator, org unit) with ``target``
    and ``red_flag`` taken from two baseline columns.

    A lower-better indicator's red flag lies above its target: for the indicators that
    ``polarity`` marks ``lower_better``, the red-flag column is mirrored around the median
    (``p25`` becomes ``p75``).

    Examples
    --------
    >>> b = pd.DataFrame({"indicator": ["otd", "defects"], "org_unit": ["all", "all"],
    ...                   "p25": [88.0, 1.0], "p50": [92.0, 2.0], "p75": [95.0, 4.0]})
    >>> print(baseline_targets(b, polarity={"defects": "lower_better"}).to_string(index=False))
    indicator org_unit  target  red_flag
          otd      all    92.0      88.0
      defects      all     2.0       4.0
    """
    for column in (target, red_flag):
        if column not in baselines.columns:
            raise ObservationError(f"no column {column!r} in the baselines")
    mirrored = _mirror(red_flag)
    lower = baselines["indicator"].map(lambda i: (polarity or {}).get(i) == "lower_better")
    flag = baselines[red_flag].to_numpy(dtype=float)
    if mirrored in baselines.columns:
        flag = np.where(lower, baselines[mirrored].to_numpy(dtype=float), flag)
    return pd.DataFrame(
        {
            "indicator": baselines["indicator"].to_numpy(),
            "org_unit": baselines["org_unit"].to_numpy(),
            "target": baselines[target].to_numpy(dtype=float),
            "red_flag": flag,
        }
    )


def _mirror(column: str) -> str:
    """``p25`` → ``p75``: the percentile mirrored around the median."""
    if column.startswith("p") and _is_number(column[1:]):
        return f"p{100 - float(column[1:]):g}"
    return column


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _interp_rows(v: np.ndarray, grid: np.ndarray, pct: np.ndarray) -> np.ndarray:
    """Row-wise linear interpolation of ``v`` on each row of ``grid`` (values at ``pct``),
    clamped to the ends; vectorised over rows."""
    # Index of the segment each value falls in: count of grid points at or below it.
    k = np.clip((grid <= v[:, None]).sum(axis=1) - 1, 0, len(pct) - 2)
    rows = np.arange(len(v))
    lo, hi = grid[rows, k], grid[rows, k + 1]
    # A gap of a subnormal width overflows to inf, which the clip below turns into 1.
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        frac = np.where(hi > lo, (v - lo) / (hi - lo), 0.0)
    frac = np.clip(frac, 0.0, 1.0)
    out = pct[k] + frac * (pct[k + 1] - pct[k])
    return np.where(np.isnan(v), np.nan, out)
