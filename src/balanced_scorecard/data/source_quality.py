"""Timeliness, and data quality per source and indicator.

Completeness and validity (:mod:`balanced_scorecard.data.data_quality`) say how much of the
expected data came and how much of it was usable. Timeliness says whether it came in time:
a row is on time when it was recorded (``as_of``) before its period's close, the end of the
period's last day plus the evaluation's ``close_days``. Validity and timeliness are also
measured per source and indicator, so a data-quality initiative can see which feed lets the
scorecard down.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

__all__ = ["SOURCE_QUALITY_COLUMNS", "on_time", "quality_by_source", "timeliness_by_period"]

#: Columns of :func:`quality_by_source`.
SOURCE_QUALITY_COLUMNS = (
    "source",
    "indicator",
    "rows",
    "quarantined",
    "validity",
    "dated",
    "on_time",
    "timeliness",
)


def on_time(as_of: np.ndarray, period: np.ndarray, closes: np.ndarray, first: int) -> np.ndarray:
    """Per row: 1.0 when recorded before its period's close, 0.0 when later, NaN without an
    ``as_of`` or outside the window.

    ``closes`` holds each evaluated period's close (``datetime64``: the first moment after
    its last day plus the close days), ``first`` the ordinal of the first evaluated period.

    Examples
    --------
    >>> closes = np.array(["2025-02-05", "2025-03-05"], dtype="datetime64[s]")
    >>> stamps = np.array(["2025-02-01", "2025-02-10", "NaT"], dtype="datetime64[s]")
    >>> on_time(stamps, np.array([0, 0, 1]), closes, 0).tolist()
    [1.0, 0.0, nan]
    """
    n = len(closes)
    stamps = np.asarray(as_of).astype("datetime64[s]")
    if np.isnat(stamps).all():
        # The common case of sources without as_of: nothing is dated.
        return np.full(len(stamps), np.nan)
    slot = np.asarray(period, dtype=np.int64) - first
    inside = (slot >= 0) & (slot < n)
    close = np.asarray(closes).astype("datetime64[s]")[np.clip(slot, 0, max(n - 1, 0))]
    out = np.where(stamps < close, 1.0, 0.0)
    return np.where(inside & ~np.isnat(stamps), out, np.nan)


def timeliness_by_period(flags: np.ndarray, period: np.ndarray, first: int, n: int) -> np.ndarray:
    """Per evaluated period, the percentage of dated rows recorded on time (NaN when no row
    of the period carries an ``as_of``).

    Examples
    --------
    >>> timeliness_by_period(np.array([1.0, 0.0, np.nan, 1.0]), np.array([0, 0, 0, 1]), 0, 3)
    array([ 50., 100.,  nan])
    """
    dated = ~np.isnan(flags)
    slot = np.asarray(period, dtype=np.int64)[dated] - first
    counted = np.bincount(slot, minlength=n)[:n]
    timely = np.bincount(slot, weights=flags[dated], minlength=n)[:n]
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(counted > 0, 100.0 * timely / np.maximum(counted, 1), np.nan)


def quality_by_source(
    *,
    source: np.ndarray,
    source_names: Sequence[str],
    indicator: np.ndarray,
    indicator_ids: Sequence[str],
    flags: np.ndarray,
    quality: pd.DataFrame,
) -> pd.DataFrame:
    """Per (source, indicator): rows used, rows quarantined, validity (% usable), rows with
    an ``as_of`` and how many of them were on time (timeliness, %).

    ``source`` and ``indicator`` are the codes of the rows used; ``flags`` their
    :func:`on_time` values; quarantined rows are the quality report's ``error`` rows that
    came from an input row.

    Examples
    --------
    >>> q = pd.DataFrame({"source": ["erp"], "indicator": ["rev"], "severity": ["error"],
    ...                   "row": pd.array([7], dtype="Int64")})
    >>> print(quality_by_source(source=np.array([0, 0, 0]), source_names=["erp"],
    ...                   indicator=np.array([0, 0, 0]), indicator_ids=["rev"],
    ...                   flags=np.array([1.0, 0.0, np.nan]), quality=q).to_string(index=False))
    source indicator  rows  quarantined  validity  dated  on_time  timeliness
       erp       rev     3            1      75.0      2        1        50.0
    """
    # Count on integer codes (source x indicator) with bincount: one pass over the rows,
    # no strings built per row.
    n_ind = max(len(indicator_ids), 1)
    cell = np.asarray(source, dtype=np.int64) * n_ind + np.asarray(indicator, dtype=np.int64)
    size = len(source_names) * n_ind
    dated = ~np.isnan(flags)
    rows = np.bincount(cell, minlength=size)
    n_dated = np.bincount(cell, weights=dated, minlength=size)
    n_on_time = np.bincount(cell, weights=np.where(dated, flags, 0.0), minlength=size)
    seen = np.flatnonzero(rows)
    grouped = pd.DataFrame(
        {
            "rows": rows[seen],
            "dated": n_dated[seen],
            "on_time": n_on_time[seen],
        },
        index=pd.MultiIndex.from_arrays(
            [
                np.asarray(source_names, dtype=object)[seen // n_ind],
                np.asarray(indicator_ids, dtype=object)[seen % n_ind],
            ],
            names=["source", "indicator"],
        ),
    )
    # Several parts of an evaluation may carry the same source name.
    grouped = grouped.groupby(level=[0, 1], sort=True).sum()
    errors = quality[(quality["severity"] == "error") & quality["row"].notna()]
    bad = (
        errors.assign(indicator=errors["indicator"].astype(object).fillna(""))
        .groupby(["source", "indicator"], sort=True)
        .size()
        .rename("quarantined")
    )
    out = grouped.join(bad, how="outer").fillna(0)
    out = out.astype({"rows": np.int64, "dated": np.int64, "on_time": np.int64})
    out["quarantined"] = out["quarantined"].astype(np.int64)
    total = out["rows"] + out["quarantined"]
    with np.errstate(invalid="ignore", divide="ignore"):
        out["validity"] = np.where(total > 0, 100.0 * out["rows"] / total, np.nan)
        out["timeliness"] = np.where(
            out["dated"] > 0, 100.0 * out["on_time"] / out["dated"].clip(lower=1), np.nan
        )
    return out.reset_index()[list(SOURCE_QUALITY_COLUMNS)]
