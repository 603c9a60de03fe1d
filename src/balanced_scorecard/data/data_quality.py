"""Data-quality measures of an evaluation: completeness and validity, per indicator and period.

They answer "how much of the data we expected did we get, and how much of what we got was
usable?", and come back as observations too, so a data-quality objective can be measured on
the scorecard itself.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from balanced_scorecard.data.periods import parse_periods

__all__ = [
    "COMPLETENESS_COLUMNS",
    "completeness",
    "overall_completeness",
    "validity_by_period",
]

COMPLETENESS_COLUMNS = (
    "indicator",
    "org_unit",
    "periods_expected",
    "periods_present",
    "completeness",
)


def completeness(
    count: np.ndarray, indicator_ids: tuple[str, ...], units: tuple[str, ...]
) -> pd.DataFrame:
    """Share of periods with data, per (indicator, org unit) that reported it at least once.

    ``count`` is the number of observations per cell, shaped ``(indicator, unit, period)``.
    A unit that never reports an indicator is not expected to (a BU-level measure has no
    department rows); one that reported it once is expected in every evaluated period.

    Examples
    --------
    >>> c = np.array([[[1, 0, 2, 1], [0, 0, 0, 0]]])
    >>> completeness(c, ("rev",), ("north", "south"))
      indicator org_unit  periods_expected  periods_present  completeness
    0       rev    north                 4                3          75.0
    """
    present = count > 0
    n_present = present.sum(axis=2)
    expected = n_present > 0
    i_idx, u_idx = np.nonzero(expected)
    n_periods = count.shape[2]
    return pd.DataFrame(
        {
            "indicator": np.asarray(indicator_ids, dtype=object)[i_idx],
            "org_unit": np.asarray(units, dtype=object)[u_idx],
            "periods_expected": np.full(len(i_idx), n_periods, dtype=np.int64),
            "periods_present": n_present[i_idx, u_idx].astype(np.int64),
            "completeness": 100.0 * n_present[i_idx, u_idx] / max(n_periods, 1),
        },
        columns=list(COMPLETENESS_COLUMNS),
    )


def overall_completeness(count: np.ndarray) -> np.ndarray:
    """Per period, the percentage of expected (indicator, unit) cells that have data."""
    present = np.asarray(count > 0)
    expected: np.ndarray = np.asarray(present.any(axis=2))
    n_expected = int(expected.sum())
    if n_expected == 0:
        return np.full(count.shape[2], np.nan)
    return np.asarray(100.0 * (present & expected[:, :, None]).sum(axis=(0, 1)) / n_expected)


def validity_by_period(
    used_periods: np.ndarray, quality: pd.DataFrame, periods: np.ndarray, freq: object
) -> np.ndarray:
    """Per evaluated period, the percentage of input rows that passed validation.

    ``used_periods`` holds the period ordinal of every row used; rejected rows are the
    quality report's ``error`` rows whose period could be read.
    """
    from balanced_scorecard.model.enums import Frequency

    p0, n = int(periods[0]), len(periods)
    in_window = (used_periods >= p0) & (used_periods < p0 + n)
    used = np.bincount(used_periods[in_window] - p0, minlength=n)[:n]
    errors = quality[quality["severity"] == "error"]
    rejected = np.zeros(n, dtype=np.int64)
    if len(errors):
        assert isinstance(freq, Frequency)
        ords, bad = parse_periods(errors["period"].astype(object).fillna(""), freq)
        ords = ords[~bad]
        inside = (ords >= p0) & (ords < p0 + n)
        rejected = np.bincount(ords[inside] - p0, minlength=n)[:n]
    total = used + rejected
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, 100.0 * used / total, np.nan)
