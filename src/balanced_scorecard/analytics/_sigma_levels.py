"""Defect rates: the share outside a specification as DPMO, yield and Six Sigma sigma level.

The public door is :mod:`balanced_scorecard.analytics.capability`, whose docstring states the
conventions (one-tailed sigma level with the 1.5 sigma shift by default, ``tails="two"``).
"""

from __future__ import annotations

from typing import Literal

import attrs
import numpy as np
import numpy.typing as npt

from balanced_scorecard.analytics._distributions import FloatArray, normal_isf, normal_sf
from balanced_scorecard.exceptions import ModelError, ObservationError

__all__ = ["OutOfSpec", "Tails", "dpmo", "dpmo_from_sigma_level", "sigma_level"]

Tails = Literal["one", "two"]


@attrs.frozen(kw_only=True)
class OutOfSpec:
    """Share of output outside the specification, and the same as DPMO, yield and sigma level.

    ``sigma_level`` carries the shift of the :class:`Capability` it belongs to;
    ``sigma_level_unshifted`` is the plain normal quantile of the share (one tail).
    """

    basis: str
    share_below: float
    share_above: float
    shift: float

    @property
    def share_outside(self) -> float:
        """Share below the lower plus share above the upper limit."""
        return self.share_below + self.share_above

    @property
    def dpmo(self) -> float:
        """Defects per million opportunities: ``share_outside × 10⁶``."""
        return self.share_outside * 1e6

    @property
    def process_yield(self) -> float:
        """Share inside the specification."""
        return 1.0 - self.share_outside

    @property
    def sigma_level(self) -> float:
        """One-tail sigma level with the shift added (``inf`` when nothing is outside)."""
        return self.sigma_level_unshifted + self.shift

    @property
    def sigma_level_unshifted(self) -> float:
        """``Q⁻¹(share_outside)``: the one-tail normal quantile of the share, no shift."""
        return float(normal_isf(min(1.0, self.share_outside)))

    def as_dict(self) -> dict[str, float | str]:
        """Fields and derived figures as a plain dict."""
        return {
            "basis": self.basis,
            "share_below": self.share_below,
            "share_above": self.share_above,
            "share_outside": self.share_outside,
            "dpmo": self.dpmo,
            "process_yield": self.process_yield,
            "sigma_level": self.sigma_level,
            "sigma_level_unshifted": self.sigma_level_unshifted,
            "shift": self.shift,
        }


def _check_tails(tails: str) -> None:
    if tails not in ("one", "two"):
        raise ModelError(f"tails={tails!r} is unknown; use 'one' or 'two'")


def dpmo(
    defects: npt.ArrayLike, units: npt.ArrayLike, *, opportunities: npt.ArrayLike = 1
) -> FloatArray:
    """Defects per million opportunities: ``defects / (units × opportunities) × 10⁶``.

    Examples
    --------
    >>> float(dpmo(34, 10_000, opportunities=1000))
    3.4
    """
    d = np.asarray(defects, dtype=np.float64)
    u = np.asarray(units, dtype=np.float64)
    o = np.asarray(opportunities, dtype=np.float64)
    if np.any(np.isnan(d) | np.isnan(u) | np.isnan(o)):
        raise ObservationError("defects, units and opportunities must not be NaN")
    if np.any(d < 0):
        raise ObservationError(f"defect counts must not be negative; got {d.tolist()}")
    if np.any(u <= 0) or np.any(o <= 0):
        raise ObservationError("units and opportunities must be positive")
    if np.any(d > u * o):
        raise ObservationError("there cannot be more defects than units × opportunities")
    return np.asarray(d / (u * o) * 1e6, dtype=np.float64)


def _two_tail_share(z: FloatArray, shift: float) -> FloatArray:
    return normal_sf(z - shift) + normal_sf(z + shift)


def sigma_level(dpmo: npt.ArrayLike, *, shift: float = 1.5, tails: Tails = "one") -> FloatArray:
    """Sigma level of a defect rate given in DPMO.

    One tail (default): ``Q⁻¹(dpmo / 10⁶) + shift``. Two tails: the ``Z`` at which a mean
    shifted by ``shift`` leaves ``Q(Z - shift) + Q(Z + shift)`` outside (bisection).

    Examples
    --------
    >>> round(float(sigma_level(66_807.2013)), 4)
    3.0
    >>> round(float(sigma_level(66_807.2013, shift=0)), 4)
    1.5
    """
    _check_tails(tails)
    p = np.asarray(dpmo, dtype=np.float64) / 1e6
    if np.any(np.isnan(p) | (p < 0) | (p > 1)):
        raise ObservationError(f"DPMO must lie in [0, 1,000,000]; got {(p * 1e6).tolist()}")
    if tails == "one":
        return normal_isf(p) + shift
    lo = np.full(p.shape, -40.0)
    hi = np.full(p.shape, 40.0)
    for _ in range(80):
        mid = 0.5 * (lo + hi)
        right = _two_tail_share(mid, shift) > p
        lo = np.where(right, mid, lo)
        hi = np.where(right, hi, mid)
    return np.where(p == 0, np.inf, 0.5 * (lo + hi))


def dpmo_from_sigma_level(
    level: npt.ArrayLike, *, shift: float = 1.5, tails: Tails = "one"
) -> FloatArray:
    """DPMO of a sigma level, the inverse of :func:`sigma_level`.

    Examples
    --------
    >>> round(float(dpmo_from_sigma_level(6)), 4)
    3.3977
    >>> round(float(dpmo_from_sigma_level(3, tails="two")), 1)
    66810.6
    """
    _check_tails(tails)
    z = np.asarray(level, dtype=np.float64)
    if np.any(np.isnan(z)):
        raise ObservationError("sigma levels must not be NaN")
    share = normal_sf(z - shift) if tails == "one" else _two_tail_share(z, shift)
    return np.asarray(share * 1e6, dtype=np.float64)
