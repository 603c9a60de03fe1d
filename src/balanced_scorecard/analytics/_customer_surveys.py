"""Survey metrics of the customer perspective: NPS, CSAT and customer effort.

Turns 0–10 recommendation scores and scale responses into per-segment scores with their
intervals. The public door is :mod:`balanced_scorecard.analytics.customer`, whose docstring
states the conventions (NPS bands and standard error, Wilson intervals, POMP).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

from balanced_scorecard.analytics._distributions import two_sided_z, wilson_interval
from balanced_scorecard.analytics._frames import FloatArray, frame_with
from balanced_scorecard.analytics._segments import By, grouped_sums, segment_columns
from balanced_scorecard.exceptions import ModelError, ObservationError

__all__ = ["csat", "customer_effort", "nps", "nps_from_counts"]


def _scores(frame: pd.DataFrame, column: str, lo: float, hi: float, *, integer: bool) -> FloatArray:
    values = pd.to_numeric(frame[column], errors="coerce").to_numpy(
        dtype=np.float64, na_value=np.nan
    )
    bad = np.isnan(values) | (values < lo) | (values > hi)
    if integer:
        bad |= values != np.round(values)
    if bad.any():
        first = int(np.flatnonzero(bad)[0])
        kind = "whole numbers " if integer else ""
        raise ObservationError(
            f"{int(bad.sum())} value(s) of {column!r} are missing or not {kind}from {lo:g} to "
            f"{hi:g} (first at row {first}: {frame[column].iloc[first]!r}); drop the "
            "non-responses or fix the scale"
        )
    return values


def _nps_columns(
    promoters: FloatArray, passives: FloatArray, detractors: FloatArray, z: float
) -> dict[str, FloatArray]:
    n = promoters + passives + detractors
    p, d = promoters / n, detractors / n
    score = 100 * (p - d)
    se = 100 * np.sqrt(np.maximum(p + d - (p - d) ** 2, 0.0) / n)
    return {
        "n": n,
        "promoters": promoters,
        "passives": passives,
        "detractors": detractors,
        "nps": score,
        "se": se,
        "lower": np.clip(score - z * se, -100, 100),
        "upper": np.clip(score + z * se, -100, 100),
    }


def nps_from_counts(
    promoters: npt.ArrayLike,
    passives: npt.ArrayLike,
    detractors: npt.ArrayLike,
    *,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Net Promoter Score from counts, with its standard error and confidence interval.

    Parameters
    ----------
    promoters, passives, detractors
        Counts (scalars or equal-length arrays, one element per segment); non-negative, and at
        least one response per segment.
    confidence
        Level of the normal interval.

    Returns
    -------
    pandas.DataFrame
        ``n``, the three counts, ``nps`` (points), ``se`` and ``lower``/``upper``.

    Examples
    --------
    50 promoters, 30 passives and 20 detractors: NPS = 50 % − 20 % = +30; the multinomial
    variance is (0.5 + 0.2 − 0.3²) / 100 = 0.0061, so SE = 7.81 points:

    >>> row = nps_from_counts(50, 30, 20).iloc[0]
    >>> float(row.nps), round(float(row.se), 2), round(float(row.lower), 2)
    (30.0, 7.81, 14.69)
    """
    z = two_sided_z(confidence)
    arrays = [
        np.atleast_1d(np.asarray(a, dtype=np.float64)) for a in (promoters, passives, detractors)
    ]
    try:
        prom, pas, det = np.broadcast_arrays(*arrays)
    except ValueError:
        raise ObservationError(
            "promoters, passives and detractors must have the same length"
        ) from None
    stacked = np.stack([prom, pas, det])
    if stacked.size == 0:
        raise ObservationError("no counts given")
    if np.any(~np.isfinite(stacked)) or np.any(stacked < 0):
        raise ObservationError(
            f"counts must be finite and not negative; got promoters={prom.tolist()}, "
            f"passives={pas.tolist()}, detractors={det.tolist()}"
        )
    if np.any(stacked.sum(axis=0) == 0):
        raise ObservationError("every segment needs at least one response; a total is 0")
    return pd.DataFrame(_nps_columns(prom, pas, det, z))


def nps(
    data: pd.DataFrame | npt.ArrayLike,
    *,
    score: str = "score",
    by: By = None,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Net Promoter Score from 0–10 "likelihood to recommend" responses, per segment.

    Parameters
    ----------
    data
        A frame with one response per row, or a plain array of scores (then no ``by``).
    score
        Column of the 0–10 scores (whole numbers).
    by
        Segment column(s): one output row per segment.
    confidence
        Level of the normal interval (see :func:`nps_from_counts`).

    Examples
    --------
    >>> df = pd.DataFrame({"market": ["EU"] * 4 + ["US"] * 2,
    ...                    "score": [10, 9, 7, 3, 6, 10]})
    >>> nps(df, by="market")[["market", "n", "nps"]]
      market    n   nps
    0     EU  4.0  25.0
    1     US  2.0   0.0
    """
    cols = segment_columns(by)
    frame = frame_with(data, score, cols)
    s = _scores(frame, score, 0, 10, integer=True)
    counts = grouped_sums(
        frame,
        cols,
        {
            "promoters": (s >= 9).astype(np.float64),
            "passives": ((s >= 7) & (s <= 8)).astype(np.float64),
            "detractors": (s <= 6).astype(np.float64),
        },
    )
    out = _nps_columns(
        counts["promoters"].to_numpy(np.float64),
        counts["passives"].to_numpy(np.float64),
        counts["detractors"].to_numpy(np.float64),
        two_sided_z(confidence),
    )
    return pd.concat([counts[cols], pd.DataFrame(out)], axis=1)


def _scale_summary(
    data: pd.DataFrame | npt.ArrayLike,
    *,
    score: str,
    by: By,
    scale: tuple[float, float],
    box: int,
    top: bool,
    confidence: float,
    box_name: str,
) -> pd.DataFrame:
    lo, hi = scale
    if not lo < hi:
        raise ModelError(f"scale must be (lowest, highest) with lowest < highest; got {scale}")
    if not 1 <= box <= hi - lo + 1:
        raise ModelError(f"box must count between 1 and {hi - lo + 1:g} scale points; got {box}")
    cols = segment_columns(by)
    frame = frame_with(data, score, cols)
    s = _scores(frame, score, lo, hi, integer=False)
    in_box = s >= hi - box + 1 if top else s <= lo + box - 1
    sums = grouped_sums(
        frame,
        cols,
        {"n": np.ones_like(s), "_sum": s, "_sq": s * s, "_box": in_box.astype(np.float64)},
    )
    n = sums["n"].to_numpy(np.float64)
    mean = sums["_sum"].to_numpy(np.float64) / n
    with np.errstate(invalid="ignore", divide="ignore"):
        var = (sums["_sq"].to_numpy(np.float64) - n * mean * mean) / (n - 1)
    k = sums["_box"].to_numpy(np.float64)
    lower, upper = wilson_interval(k, n, two_sided_z(confidence))
    out = pd.DataFrame(
        {
            "n": n,
            "mean": mean,
            "sd": np.sqrt(np.maximum(var, 0.0)),
            f"{box_name}_pct": 100 * k / n,
            f"{box_name}_lower": lower,
            f"{box_name}_upper": upper,
            "percent_of_max": 100 * (mean - lo) / (hi - lo),
        }
    )
    return pd.concat([sums[cols], out], axis=1)


def csat(
    data: pd.DataFrame | npt.ArrayLike,
    *,
    score: str = "score",
    by: By = None,
    scale: tuple[float, float] = (1, 5),
    top_box: int = 2,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Customer satisfaction in its three usual forms, per segment.

    Returns ``n``, ``mean`` and ``sd`` of the scores, ``top_box_pct`` (share of responses in
    the top ``top_box`` points of the scale: 4 and 5 on a 1–5 scale for top-2-box) with its
    Wilson interval, and ``percent_of_max`` (POMP, see the module conventions).

    Examples
    --------
    Scores 5, 4, 4, 2, 1 on 1–5: top-2-box 3/5 = 60 %, mean 3.2, POMP (3.2 − 1) / 4 = 55 %:

    >>> row = csat([5, 4, 4, 2, 1]).iloc[0]
    >>> float(row.top_box_pct), float(row["mean"]), float(row.percent_of_max)
    (60.0, 3.2, 55.0)
    """
    return _scale_summary(
        data,
        score=score,
        by=by,
        scale=scale,
        box=top_box,
        top=True,
        confidence=confidence,
        box_name="top_box",
    )


def customer_effort(
    data: pd.DataFrame | npt.ArrayLike,
    *,
    score: str = "score",
    by: By = None,
    scale: tuple[float, float] = (1, 7),
    easy_box: int = 3,
    higher_is_easier: bool = True,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Customer effort score (CES), per segment.

    The default reads the 1–7 agreement scale of "the company made it easy to handle my
    issue" (higher is easier): ``mean`` is the CES, ``easy_pct`` the share that agrees (5–7,
    the top ``easy_box`` points). For a 1–5 "how much effort" scale pass
    ``scale=(1, 5), higher_is_easier=False, easy_box=2``: the easy share is then the bottom two
    points, and ``mean`` stays on the scale as given (lower is better there).

    Examples
    --------
    >>> row = customer_effort([7, 6, 5, 4, 2]).iloc[0]
    >>> float(row["mean"]), float(row.easy_pct)
    (4.8, 60.0)
    """
    return _scale_summary(
        data,
        score=score,
        by=by,
        scale=scale,
        box=easy_box,
        top=higher_is_easier,
        confidence=confidence,
        box_name="easy",
    )
