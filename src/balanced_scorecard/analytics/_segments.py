"""Segments (``by=``) shared by the customer, people and innovation toolkits.

``by=`` names the segment columns, and every toolkit function returns one row per segment,
computed with one ``groupby`` (never a loop per segment). The helpers here build the per-row
work frame, group it and tidy the result; without segments the work frame carries a constant
key column, :data:`ALL_KEY`, which the result drops again.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from balanced_scorecard.analytics._frames import FloatArray

__all__ = [
    "ALL_KEY",
    "By",
    "finish_segments",
    "group_by_segment",
    "group_keys",
    "grouped_sums",
    "safe_ratio",
    "segment_columns",
    "segment_frame",
]

#: One column name, several, or None for no segmentation.
By = str | Sequence[str] | None

ALL_KEY = "__all__"  # the key column used when there is no segmentation


def segment_columns(by: By) -> list[str]:
    """``by=`` as a list of column names.

    Examples
    --------
    >>> segment_columns("market"), segment_columns(None), segment_columns(("a", "b"))
    (['market'], [], ['a', 'b'])
    """
    if by is None:
        return []
    return [by] if isinstance(by, str) else list(by)


def segment_frame(frame: pd.DataFrame, cols: list[str], columns: dict[str, Any]) -> pd.DataFrame:
    """A frame of the segment columns plus the given per-row arrays (a constant key if none)."""
    work = pd.DataFrame(columns, index=frame.index)
    if cols:
        for c in cols:
            work[c] = frame[c].to_numpy()
    else:
        work[ALL_KEY] = 0
    return work


def group_keys(cols: list[str]) -> list[str]:
    """The columns to group on: the segment columns, or the constant key without segments."""
    return cols or [ALL_KEY]


def group_by_segment(work: pd.DataFrame, cols: list[str]) -> Any:
    """``work`` (from :func:`segment_frame`) grouped by segment, segments sorted."""
    return work.groupby(group_keys(cols), sort=True, observed=True, dropna=False)


def finish_segments(out: pd.DataFrame, cols: list[str]) -> pd.DataFrame:
    """A per-segment result with the segments as columns again and the constant key dropped."""
    out = out.reset_index()
    if not cols:
        out = out.drop(columns=ALL_KEY)
    return out.reset_index(drop=True)


def safe_ratio(num: pd.Series, den: pd.Series) -> pd.Series:
    """``num / den`` per segment, NaN where there is nothing to divide by (never a silent 0)."""
    n = num.to_numpy(dtype=np.float64)
    d = den.to_numpy(dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        return pd.Series(np.where(d > 0, n / d, np.nan), index=num.index)


def grouped_sums(
    frame: pd.DataFrame, by: list[str], columns: dict[str, FloatArray]
) -> pd.DataFrame:
    """Sums of the given per-row arrays per segment (one row when ``by`` is empty)."""
    work = pd.DataFrame(columns, index=frame.index)
    if not by:
        return work.sum().to_frame().T
    for c in by:
        work[c] = frame[c].to_numpy()
    return work.groupby(by, sort=True, observed=True, dropna=False).sum().reset_index()
