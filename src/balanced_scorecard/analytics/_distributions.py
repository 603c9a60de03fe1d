"""Normal, chi-square and F distribution functions for the analytics toolkits, and the
normal-theory intervals built on them (the z of a confidence level, the Wilson interval).

SciPy is not a dependency, so the few distribution functions the capability and customer
modules need are built here on :func:`math.erfc` and :func:`math.lgamma`, which are exact to
double precision. Quantiles are found by bisection: slower than a rational approximation but
correct to the last few bits over the whole range, tails included, which matters for the
3.4-per-million tails of Six Sigma tables. They are applied to a handful of summary numbers
(a confidence level, a defect share), never to every observation.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from balanced_scorecard.exceptions import ModelError

__all__ = [
    "beta_inc",
    "check_confidence",
    "chi2_cdf",
    "chi2_ppf",
    "f_sf",
    "normal_cdf",
    "normal_isf",
    "normal_ppf",
    "normal_sf",
    "two_sided_z",
    "wilson_interval",
]

FloatArray = npt.NDArray[np.float64]

_erfc = np.frompyfunc(math.erfc, 1, 1)
_SQRT2 = math.sqrt(2.0)
_lgamma = np.frompyfunc(math.lgamma, 1, 1)


def normal_sf(x: npt.ArrayLike) -> FloatArray:
    """Upper tail ``Q(x) = P(Z > x)`` of the standard normal, accurate in the far tails.

    Examples
    --------
    >>> round(float(normal_sf(4.5)) * 1e6, 10)
    3.3976731247
    """
    z = np.asarray(x, dtype=np.float64)
    return np.asarray(0.5 * _erfc(z / _SQRT2), dtype=np.float64)


def normal_cdf(x: npt.ArrayLike) -> FloatArray:
    """Lower tail ``Φ(x) = P(Z <= x)`` of the standard normal.

    Examples
    --------
    >>> float(normal_cdf(1.959963984540054))
    0.975
    """
    return normal_sf(-np.asarray(x, dtype=np.float64))


def normal_isf(q: npt.ArrayLike) -> FloatArray:
    """The ``x`` with ``Q(x) = q``: ``inf`` for ``q = 0``, ``-inf`` for ``q = 1``.

    Bisection on ``[-40, 40]`` (beyond that the tail underflows), vectorised over ``q``.

    Examples
    --------
    >>> round(float(normal_isf(3.3976731247300535e-06)), 10)
    4.5
    """
    p = np.asarray(q, dtype=np.float64)
    if np.any(np.isnan(p) | (p < 0) | (p > 1)):
        raise ValueError(f"tail probabilities must lie in [0, 1]; got {p.tolist()}")
    lo = np.full(p.shape, -40.0)
    hi = np.full(p.shape, 40.0)
    # Q is decreasing: where Q(mid) > q the root lies to the right of mid. 80 halvings of a
    # width of 80 reach below 1e-22, i.e. the float spacing near any root.
    for _ in range(80):
        mid = 0.5 * (lo + hi)
        right = normal_sf(mid) > p
        lo = np.where(right, mid, lo)
        hi = np.where(right, hi, mid)
    x = 0.5 * (lo + hi)
    return np.where(p == 0, np.inf, np.where(p == 1, -np.inf, x))


def normal_ppf(p: npt.ArrayLike) -> FloatArray:
    """Quantile ``Φ⁻¹(p)`` of the standard normal.

    Examples
    --------
    >>> round(float(normal_ppf(0.975)), 6)
    1.959964
    """
    return -normal_isf(p)


def _gamma_p(a: float, x: float) -> float:
    """Regularised lower incomplete gamma ``P(a, x)``: a power series below ``a + 1``, the
    continued fraction of ``Q = 1 - P`` (modified Lentz) above, where each converges fast."""
    if x <= 0.0:
        return 0.0
    log_front = -x + a * math.log(x) - math.lgamma(a)
    if x < a + 1.0:
        term = total = 1.0 / a
        denom = a
        while abs(term) > abs(total) * 1e-17:
            denom += 1.0
            term *= x / denom
            total += term
        return min(1.0, total * math.exp(log_front))
    tiny = 1e-300
    b = x + 1.0 - a
    c = 1.0 / tiny
    d = 1.0 / b
    h = d
    i = 0
    while True:
        i += 1
        an = -i * (i - a)
        b += 2.0
        d = an * d + b
        d = tiny if abs(d) < tiny else d
        c = b + an / c
        c = tiny if abs(c) < tiny else c
        d = 1.0 / d
        step = d * c
        h *= step
        if abs(step - 1.0) < 1e-16 or i > 10_000:
            break
    return max(0.0, 1.0 - math.exp(log_front) * h)


def chi2_cdf(x: float, df: float) -> float:
    """``P(X <= x)`` for a chi-square variable with ``df`` degrees of freedom.

    Examples
    --------
    >>> round(chi2_cdf(18.307, 10), 4)
    0.95
    """
    if df <= 0:
        raise ValueError(f"degrees of freedom must be positive; got {df}")
    return _gamma_p(0.5 * df, 0.5 * x)


def chi2_ppf(p: float, df: float) -> float:
    """Quantile of the chi-square distribution with ``df`` degrees of freedom, by bisection on
    :func:`chi2_cdf`.

    Examples
    --------
    >>> round(chi2_ppf(0.95, 10), 3)
    18.307
    """
    if not 0.0 < p < 1.0:
        raise ValueError(f"probability must lie strictly between 0 and 1; got {p}")
    if df <= 0:
        raise ValueError(f"degrees of freedom must be positive; got {df}")
    lo, hi = 0.0, max(1.0, 2.0 * df)
    while chi2_cdf(hi, df) < p:
        lo, hi = hi, 2.0 * hi
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if chi2_cdf(mid, df) < p:
            lo = mid
        else:
            hi = mid
        if hi - lo <= 1e-13 * hi:
            break
    return 0.5 * (lo + hi)


def _beta_cf(a: FloatArray, b: FloatArray, x: FloatArray) -> FloatArray:
    """Continued fraction of the incomplete beta (modified Lentz), vectorised; it converges
    fast for ``x < (a + 1) / (a + b + 2)``, which the caller arranges by symmetry."""
    tiny = 1e-300
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c = np.ones_like(x)
    d = 1.0 - qab * x / qap
    d = np.where(np.abs(d) < tiny, tiny, d)
    d = 1.0 / d
    h = d.copy()
    active = np.ones(x.shape, dtype=bool)
    m = 0
    # The number of terms grows like sqrt(max(a, b)); 20,000 covers any df seen in practice.
    while active.any() and m < 20_000:
        m += 1
        two_m = 2.0 * m
        for num in (
            m * (b - m) * x / ((qam + two_m) * (a + two_m)),
            -(a + m) * (qab + m) * x / ((a + two_m) * (qap + two_m)),
        ):
            d = 1.0 + num * d
            d = np.where(np.abs(d) < tiny, tiny, d)
            c = 1.0 + num / c
            c = np.where(np.abs(c) < tiny, tiny, c)
            d = 1.0 / d
            step = d * c
            h = np.where(active, h * step, h)
        active &= np.abs(step - 1.0) > 1e-16
    return h


def beta_inc(a: npt.ArrayLike, b: npt.ArrayLike, x: npt.ArrayLike) -> FloatArray:
    """Regularised incomplete beta function ``I_x(a, b)``, vectorised over its arguments.

    The continued fraction is evaluated directly where it converges fast and through the
    symmetry ``I_x(a, b) = 1 - I_{1-x}(b, a)`` elsewhere, so small tails keep their relative
    accuracy. ``NaN`` in any argument gives ``NaN``.

    Examples
    --------
    >>> float(beta_inc(1.0, 1.0, 0.25))  # the uniform distribution
    0.25
    >>> round(float(beta_inc(2.0, 3.0, 0.4)), 6)  # 0.6 * 0.6**3 + ... = 0.5248
    0.5248
    """
    av, bv, xv = np.broadcast_arrays(
        np.asarray(a, dtype=np.float64),
        np.asarray(b, dtype=np.float64),
        np.asarray(x, dtype=np.float64),
    )
    if np.any((av <= 0) | (bv <= 0)):
        raise ValueError("beta_inc needs shape parameters a, b > 0")
    if np.any((xv < 0) | (xv > 1)):
        raise ValueError("beta_inc needs 0 <= x <= 1")
    out = np.full(xv.shape, np.nan)
    out[xv == 0] = 0.0
    out[xv == 1] = 1.0
    inner = (xv > 0) & (xv < 1)
    if inner.any():
        ai, bi, xi = av[inner], bv[inner], xv[inner]
        swap = xi >= (ai + 1.0) / (ai + bi + 2.0)
        # Evaluate I_x(a, b) or, swapped, I_{1-x}(b, a) and take the complement.
        pa, pb = np.where(swap, bi, ai), np.where(swap, ai, bi)
        px = np.where(swap, 1.0 - xi, xi)
        log_front = (
            np.asarray(_lgamma(pa + pb) - _lgamma(pa) - _lgamma(pb), dtype=np.float64)
            + pa * np.log(px)
            + pb * np.log1p(-px)
        )
        value = np.exp(log_front) * _beta_cf(pa, pb, px) / pa
        out[inner] = np.where(swap, 1.0 - value, value)
    return np.asarray(np.clip(out, 0.0, 1.0), dtype=np.float64)


def f_sf(x: npt.ArrayLike, dfn: npt.ArrayLike, dfd: npt.ArrayLike) -> FloatArray:
    """Upper tail ``P(F > x)`` of the F distribution with ``dfn`` and ``dfd`` degrees of
    freedom: ``I_{dfd / (dfd + dfn x)}(dfd / 2, dfn / 2)``. ``x = inf`` gives 0, ``x <= 0``
    gives 1 and ``NaN`` stays ``NaN``.

    Examples
    --------
    >>> round(float(f_sf(3.0, 2, 10)), 6)  # (1 + 2 * 3 / 10) ** -5
    0.095367
    >>> round(float(f_sf(161.4476, 1, 1)), 4)  # the 5 % point of F(1, 1)
    0.05
    """
    xv, n1, n2 = np.broadcast_arrays(
        np.asarray(x, dtype=np.float64),
        np.asarray(dfn, dtype=np.float64),
        np.asarray(dfd, dtype=np.float64),
    )
    if np.any((n1 <= 0) | (n2 <= 0)):
        raise ValueError(f"degrees of freedom must be positive; got {n1.tolist()}, {n2.tolist()}")
    out = np.full(xv.shape, np.nan)
    out[xv <= 0] = 1.0
    out[np.isposinf(xv)] = 0.0
    finite = np.isfinite(xv) & (xv > 0)
    if finite.any():
        xf, a, b = xv[finite], n2[finite], n1[finite]
        # Write the argument as dfd / (dfd + dfn x) without forming 1 - something small.
        out[finite] = beta_inc(0.5 * a, 0.5 * b, a / (a + b * xf))
    return out


# -- intervals ------------------------------------------------------------------------------------


def check_confidence(confidence: float) -> None:
    """Raise :class:`~balanced_scorecard.exceptions.ModelError` unless ``0 < confidence < 1``.

    Examples
    --------
    >>> check_confidence(95)
    Traceback (most recent call last):
    ...
    balanced_scorecard.exceptions.ModelError: confidence must lie in (0, 1), e.g. 0.95; got 95
    """
    if not 0.0 < confidence < 1.0:
        raise ModelError(f"confidence must lie in (0, 1), e.g. 0.95; got {confidence}")


def two_sided_z(confidence: float) -> float:
    """The normal quantile of a two-sided interval at ``confidence``.

    Examples
    --------
    >>> round(two_sided_z(0.95), 6)
    1.959964
    """
    check_confidence(confidence)
    return float(normal_ppf(0.5 + confidence / 2))


def wilson_interval(k: FloatArray, n: FloatArray, z: float) -> tuple[FloatArray, FloatArray]:
    """Wilson score interval of a proportion ``k / n``, in percent.

    Examples
    --------
    >>> lower, upper = wilson_interval(np.array([0.0, 5.0]), np.array([10.0, 10.0]), 1.96)
    >>> lower.round(2).tolist(), upper.round(2).tolist()
    ([0.0, 23.66], [27.75, 76.34])
    """
    with np.errstate(invalid="ignore", divide="ignore"):
        p = k / n
        centre = (p + z * z / (2 * n)) / (1 + z * z / n)
        half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    # At 0 and n the bounds are 0 and 1 exactly; the formula gets there only up to rounding.
    lower = np.where(k == 0, 0.0, np.clip(centre - half, 0, 1))
    upper = np.where(k == n, 1.0, np.clip(centre + half, 0, 1))
    return 100 * lower, 100 * upper
