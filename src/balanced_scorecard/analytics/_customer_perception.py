"""Perceived against delivered service per segment, on standardised scales.

The public door is :mod:`balanced_scorecard.analytics.customer_insight`, whose docstring
states the conventions (z-scores or ranks, the threshold and the two flags).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd

from balanced_scorecard.analytics._frames import FloatArray, frame_with
from balanced_scorecard.analytics._segments import segment_columns
from balanced_scorecard.exceptions import ModelError, ObservationError

__all__ = ["perception_gap"]


def _standardise(values: FloatArray, method: str) -> FloatArray:
    if method == "zscore":
        sd = float(np.std(values, ddof=1))
        # No spread (up to rounding): every segment sits at the mean, so none stands out on
        # this side. Without the tolerance, rounding noise would be blown up to unit z-scores.
        if sd <= 1e-12 * float(np.max(np.abs(values))):
            return np.zeros_like(values)
        return np.asarray((values - values.mean()) / sd, dtype=np.float64)
    ranks = pd.Series(values).rank(method="average").to_numpy(np.float64)
    return np.asarray((ranks - 1.0) / (len(values) - 1.0), dtype=np.float64)


def perception_gap(
    data: pd.DataFrame,
    *,
    perceived: str,
    delivered: str,
    by: str | Sequence[str] = "segment",
    method: Literal["zscore", "rank"] = "zscore",
    threshold: float | None = None,
    perceived_higher_is_better: bool = True,
    delivered_higher_is_better: bool = True,
) -> pd.DataFrame:
    """Perceived vs delivered service per segment, with divergent segments flagged.

    Survey scores (``perceived``, e.g. CSAT top-2-box %) and delivery metrics (``delivered``,
    e.g. on-time %) are on different scales, so both are standardised across the segments
    first, then compared.

    Parameters
    ----------
    data
        One row per segment, e.g. :func:`~balanced_scorecard.analytics.customer.csat` and
        :func:`~balanced_scorecard.analytics.customer.on_time_delivery` results merged on
        the segment.
    perceived, delivered
        The two metric columns.
    by
        Segment column(s); each segment must appear once.
    method
        ``"zscore"``: ``(x − mean) / sd`` over segments, sample sd (``ddof=1``); a metric with
        no spread (sd within 1e-12 of its largest magnitude) standardises to 0 everywhere.
        ``"rank"``: average ranks scaled to [0, 1] (``(rank − 1) / (segments − 1)``), robust
        to one extreme segment.
    threshold
        Flag when ``|gap|`` exceeds it (strictly); default 1.0 (one sd) for z-scores and 0.5
        (half the ranking) for ranks.
    perceived_higher_is_better, delivered_higher_is_better
        Polarity; a lower-better metric (complaints, days late) is negated before
        standardising, so high standard scores always mean good.

    Returns
    -------
    pandas.DataFrame
        The segment columns, ``perceived``, ``delivered``, their standard scores
        ``perceived_std`` and ``delivered_std``, ``gap`` (perceived − delivered) and ``flag``:
        ``"perception gap"`` (gap < −threshold), ``"delivery risk"`` (gap > threshold) or
        ``"aligned"``.

    Examples
    --------
    >>> seg = pd.DataFrame({"segment": ["A", "B", "C", "D"],
    ...                     "csat_pct": [80.0, 60.0, 70.0, 70.0],
    ...                     "on_time_pct": [80.0, 95.0, 90.0, 70.0]})
    >>> out = perception_gap(seg, perceived="csat_pct", delivered="on_time_pct")
    >>> out[["segment", "gap", "flag"]].round(2)
      segment   gap            flag
    0       A  1.56   delivery risk
    1       B -2.24  perception gap
    2       C -0.56         aligned
    3       D  1.24   delivery risk
    """
    if method not in ("zscore", "rank"):
        raise ModelError(f"method must be 'zscore' or 'rank'; got {method!r}")
    limit = (1.0 if method == "zscore" else 0.5) if threshold is None else float(threshold)
    if not (math.isfinite(limit) and limit >= 0):
        raise ModelError(f"threshold must be a finite number >= 0; got {threshold}")
    cols = segment_columns(by)
    frame = frame_with(data, perceived, cols)
    frame_with(frame, delivered, [])
    if frame.duplicated(cols).any():
        dupes = frame.loc[frame.duplicated(cols, keep=False), cols].drop_duplicates()
        raise ObservationError(
            f"each segment must appear once; {dupes.to_dict('records')} repeat. Aggregate to "
            "one row per segment first."
        )
    if len(frame) < 2:
        raise ObservationError("a gap across segments needs at least two segments")
    values: dict[str, FloatArray] = {}
    for name, col, higher in (
        ("perceived", perceived, perceived_higher_is_better),
        ("delivered", delivered, delivered_higher_is_better),
    ):
        v = pd.to_numeric(frame[col], errors="coerce").to_numpy(np.float64, na_value=np.nan)
        if not np.isfinite(v).all():
            raise ObservationError(
                f"{int((~np.isfinite(v)).sum())} value(s) of {col!r} are missing or not "
                "finite numbers; drop those segments or fill them"
            )
        values[name] = v
        values[f"{name}_std"] = _standardise(v if higher else -v, method)
    gap = values["perceived_std"] - values["delivered_std"]
    flag = np.where(
        gap < -limit, "perception gap", np.where(gap > limit, "delivery risk", "aligned")
    )
    out = frame[cols].reset_index(drop=True)
    for name in ("perceived", "delivered", "perceived_std", "delivered_std"):
        out[name] = values[name]
    out["gap"] = gap
    out["flag"] = flag
    return out
