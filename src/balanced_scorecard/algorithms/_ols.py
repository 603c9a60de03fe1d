"""Least squares for the Granger test of :mod:`balanced_scorecard.algorithms.evidence`.

One QR factorisation of the unrestricted design per (pair of series, lag) gives both sums of
squared residuals of the nested regressions: with the restricted columns first, the squared
entries of ``Q'y`` past the restricted block are exactly ``SSR_r - SSR_u``, so the F
numerator never suffers from subtracting two nearly equal sums. The factorisations of many
pairs are stacked and done in one call (numpy's batched QR); a row with a missing value is
zeroed in the design and in the response, which removes it from the fit without changing
the shapes.
"""

from __future__ import annotations

import attrs
import numpy as np
import numpy.typing as npt

from balanced_scorecard.analytics._distributions import f_sf

__all__ = ["NestedF", "granger_batch", "lag_matrix"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

#: Problem codes of :class:`NestedF`.
OK, TOO_FEW, EFFECT_SINGULAR, CAUSE_SINGULAR = 0, 1, 2, 3

# A column whose distance from the span of the columns before it is below this share of its
# own length (after scaling every column to unit length) is taken as collinear with them.
_RANK_TOL = 1e-10
_EPS = float(np.finfo(np.float64).eps)


@attrs.frozen(kw_only=True, eq=False)
class NestedF:
    """The Granger F test for a batch of (effect, cause) pairs at one lag order.

    Every array has one entry per pair. ``problem`` is :data:`OK`, :data:`TOO_FEW` (fewer
    complete rows than ``2 * lags + 2``), :data:`EFFECT_SINGULAR` (the effect's own past is
    constant or collinear) or :data:`CAUSE_SINGULAR` (the cause's past is constant or
    collinear with the effect's past); ``f`` and ``p_value`` are ``NaN`` unless it is OK.
    """

    lags: int
    n: IntArray
    df_denom: IntArray
    ssr_restricted: FloatArray
    ssr_unrestricted: FloatArray
    f: FloatArray
    p_value: FloatArray
    problem: IntArray


def lag_matrix(x: FloatArray, lags: int) -> tuple[FloatArray, FloatArray]:
    """The response ``x[..., t]`` for ``t >= lags`` and its lags ``x[..., t - j]``,
    ``j = 1..lags``, as an array shaped ``(..., T - lags, lags)`` (column ``j - 1`` is lag
    ``j``).

    Examples
    --------
    >>> y, lagged = lag_matrix(np.array([1.0, 2.0, 3.0, 4.0]), 2)
    >>> y.tolist(), lagged.tolist()
    ([3.0, 4.0], [[2.0, 1.0], [3.0, 2.0]])
    """
    windows = np.lib.stride_tricks.sliding_window_view(x, lags + 1, axis=-1)
    return windows[..., lags], windows[..., :lags][..., ::-1]


def granger_batch(effect: FloatArray, cause: FloatArray, *, lags: int) -> NestedF:
    """F test of "the cause's past adds nothing to the effect's own past", for each row of
    ``effect`` and ``cause`` (both shaped ``(pairs, T)``) at lag order ``lags >= 1``.

    Restricted model: ``effect[t]`` on a constant and ``effect[t-1..t-lags]``; unrestricted:
    plus ``cause[t-1..t-lags]``. ``F = ((SSR_r - SSR_u) / lags) / (SSR_u / (n - 2 lags - 1))``
    with ``n`` the complete rows. An exact unrestricted fit (``SSR_u`` below machine
    epsilon times the total sum of squares) gives ``F = inf`` and ``p = 0`` when the cause
    improved the fit, ``NaN`` otherwise.

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> c = rng.normal(size=40)
    >>> e = np.r_[0.0, c[:-1]] + 0.1 * rng.normal(size=40)
    >>> res = granger_batch(e[None, :], c[None, :], lags=1)
    >>> int(res.n[0]), int(res.df_denom[0]), bool(res.p_value[0] < 1e-10)
    (39, 36, True)
    """
    y, own = lag_matrix(effect, lags)
    _, other = lag_matrix(cause, lags)
    pairs, m = y.shape
    design = np.concatenate([np.ones((pairs, m, 1)), own, other], axis=2)
    valid = np.isfinite(y) & np.isfinite(design).all(axis=2)
    n = valid.sum(axis=1).astype(np.int64)
    df_denom = n - 2 * lags - 1
    design = np.where(valid[..., None], design, 0.0)
    y = np.where(valid, y, 0.0)

    problem = np.where(df_denom < 1, TOO_FEW, OK).astype(np.int64)
    ssr_u = np.full(pairs, np.nan)
    ssr_diff = np.full(pairs, np.nan)
    tss = np.full(pairs, np.nan)
    fit = problem == OK
    if fit.any():
        x, yy = design[fit], y[fit]
        norms = np.sqrt((x * x).sum(axis=1, keepdims=True))
        x = x / np.where(norms > 0, norms, 1.0)
        q, r = np.linalg.qr(x)
        diag = np.abs(np.diagonal(r, axis1=1, axis2=2))
        weak = diag < _RANK_TOL
        code = np.where(
            weak[:, : 1 + lags].any(axis=1),
            EFFECT_SINGULAR,
            np.where(weak.any(axis=1), CAUSE_SINGULAR, OK),
        )
        z = np.einsum("pmk,pm->pk", q, yy)
        resid = yy - np.einsum("pmk,pk->pm", q, z)
        ok_rows = valid[fit]
        mean = yy.sum(axis=1) / ok_rows.sum(axis=1)
        total = (np.where(ok_rows, yy - mean[:, None], 0.0) ** 2).sum(axis=1)
        ssr_u[fit] = (resid * resid).sum(axis=1)
        ssr_diff[fit] = (z[:, 1 + lags :] ** 2).sum(axis=1)
        tss[fit] = total
        problem[fit] = code

    good = problem == OK
    ssr_u = np.where(good, ssr_u, np.nan)
    ssr_diff = np.where(good, ssr_diff, np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        f = (ssr_diff / lags) / (ssr_u / np.maximum(df_denom, 1))
    exact = good & (ssr_u <= _EPS * tss)
    f = np.where(exact, np.where(ssr_diff > _EPS * tss, np.inf, np.nan), f)
    p = np.full(pairs, np.nan)
    testable = good & ~np.isnan(f)
    if testable.any():
        p[testable] = f_sf(f[testable], lags, df_denom[testable])
    return NestedF(
        lags=lags,
        n=n,
        df_denom=df_denom,
        ssr_restricted=ssr_u + ssr_diff,
        ssr_unrestricted=ssr_u,
        f=f,
        p_value=p,
        problem=problem,
    )
