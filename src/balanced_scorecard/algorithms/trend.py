"""Trends of score series: slope over the last periods and change from the previous one.

Vectorised over every (node, org unit) series at once with cumulative sums along the period
axis, so a window slope costs the same whatever the number of series.
"""

from __future__ import annotations

import attrs
import numpy as np

__all__ = ["TREND_LABELS", "Trend", "trend"]

#: Labels of the direction codes -1, 0, 1 (and of a series too short to tell).
TREND_LABELS = {-1: "worsening", 0: "flat", 1: "improving", -2: ""}


@attrs.frozen(kw_only=True, eq=False)
class Trend:
    """Per cell: least-squares ``slope`` of the score over the window ending there, the
    ``change`` from the previous period, and ``direction`` (1 improving, 0 flat, -1 worsening,
    -2 unknown: fewer than two scores in the window)."""

    slope: np.ndarray
    change: np.ndarray
    direction: np.ndarray
    window: int
    tolerance: float

    def labels(self) -> np.ndarray:
        """Direction as text (``improving``, ``flat``, ``worsening`` or empty)."""
        table = np.array(["", "worsening", "flat", "improving"], dtype=object)
        return table[np.where(self.direction == -2, 0, self.direction + 2)]


def trend(scores: np.ndarray, *, window: int = 3, tolerance: float = 0.01) -> Trend:
    """Trend of score series along the last axis.

    Parameters
    ----------
    scores
        ``(..., n_periods)`` scores, NaN where missing (missing periods are skipped).
    window
        Number of periods in the slope's window (the current one included).
    tolerance
        Slopes within ``±tolerance`` score per period count as flat.

    Examples
    --------
    >>> t = trend(np.array([[0.2, 0.4, 0.6, np.nan], [0.9, 0.9, 0.5, 0.5]]), window=3)
    >>> t.slope.round(2).tolist()
    [[nan, 0.2, 0.2, 0.2], [nan, 0.0, -0.2, -0.2]]
    >>> t.labels().tolist()
    [['', 'improving', 'improving', 'improving'], ['', 'flat', 'worsening', 'worsening']]
    """
    s = np.asarray(scores, dtype=np.float64)
    present = ~np.isnan(s)
    # Window sums are accumulated one offset at a time (a loop over the few offsets of the
    # window, not over periods); x is the position relative to the window's last period.
    # The x sums depend only on which points are present, so they are small integers; the y
    # sums need no more than single precision. Both choices cut the memory traffic.
    y = np.where(present, s, 0.0).astype(np.float32)
    ints = np.int16 if window <= 30 else np.int64
    n, sx, sxx = (np.zeros(s.shape, dtype=ints) for _ in range(3))
    sy, sxy = (np.zeros(s.shape, dtype=np.float32) for _ in range(2))
    last = s.shape[-1]
    for k in range(min(window, last)):
        mk, yk = present[..., : last - k], y[..., : last - k]
        n[..., k:] += mk
        sy[..., k:] += yk
        if k:
            sx[..., k:] -= mk * ints(k)
            sxx[..., k:] += mk * ints(k * k)
            sxy[..., k:] -= np.float32(k) * yk
    del y
    den = n.astype(np.int32) * sxx - sx.astype(np.int32) * sx
    with np.errstate(invalid="ignore", divide="ignore"):
        slope = np.where(
            (n >= 2) & (den > 0),
            (n * sxy - sx * sy) / den.astype(np.float32),
            np.float32(np.nan),
        ).astype(np.float32)
    del n, sx, sxx, sy, sxy, den
    change = np.empty_like(s)
    change[..., :1] = np.nan
    np.subtract(s[..., 1:], s[..., :-1], out=change[..., 1:])
    direction = np.where(
        np.isnan(slope), -2, np.where(slope > tolerance, 1, np.where(slope < -tolerance, -1, 0))
    ).astype(np.int8)
    return Trend(
        slope=slope, change=change, direction=direction, window=window, tolerance=tolerance
    )
