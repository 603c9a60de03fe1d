"""Evidence for the strategy map: do the data bear out its cause-and-effect links?

A strategy map says "more training now means better quality two quarters later". These
functions confront such links with the history of the series involved:

* :func:`lagged_correlation` - Pearson correlation of ``effect[t]`` with ``cause[t - lag]``
  for a range of lags;
* :func:`granger_test` - does the cause's past improve the prediction of the effect beyond
  the effect's own past (an F test on two nested least-squares fits)?
* :func:`link_evidence` - both, for every declared link, with a verdict (supported, weak,
  contradicted, insufficient-data), the reason in words and a strength in [0, 1];
* :func:`candidate_links` - strong relationships between series that the map does not link;
* :func:`evaluation_series` - the wide (period x node) frame of an evaluation, the input of
  the two functions above.

All of it is correlational: a supported link is consistent with the data, not proven causal.
The maths, the conventions and the decision rules are in the docs page
``explanation/evidence-for-the-map``.

Examples
--------
>>> import pandas as pd
>>> from balanced_scorecard.model import CausalLink
>>> training = [3.0, 5, 4, 6, 8, 7, 9, 8, 10, 12, 11, 13]
>>> quality = [0.0, 0, *training[:-2]]  # follows training two periods later
>>> frame = pd.DataFrame({"training": training, "quality": quality})
>>> row = link_evidence(frame, [CausalLink(cause="training", effect="quality", lag=2)])
>>> row[["best_lag", "r_at_best_lag", "sign_agrees", "verdict"]]
   best_lag  r_at_best_lag  sign_agrees    verdict
0         2            1.0         True  supported
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from balanced_scorecard.algorithms._ols import (
    CAUSE_SINGULAR,
    EFFECT_SINGULAR,
    OK,
    TOO_FEW,
    NestedF,
    granger_batch,
)
from balanced_scorecard.analytics._distributions import f_sf
from balanced_scorecard.exceptions import ModelError, ObservationError

if TYPE_CHECKING:
    from balanced_scorecard.model.links import CausalLink
    from balanced_scorecard.results import Evaluation

__all__ = [
    "CANDIDATE_COLUMNS",
    "EVIDENCE_COLUMNS",
    "GRANGER_COLUMNS",
    "LAGGED_CORRELATION_COLUMNS",
    "VERDICTS",
    "candidate_links",
    "evaluation_series",
    "granger_test",
    "lagged_correlation",
    "learning_growth_correlations",
    "link_evidence",
]

FloatArray = npt.NDArray[np.float64]

#: Verdicts of :func:`link_evidence`, strongest support first.
VERDICTS = ("supported", "weak", "contradicted", "insufficient-data")
#: Columns of :func:`lagged_correlation`.
LAGGED_CORRELATION_COLUMNS = ("lag", "r", "n", "reason")
#: Columns of :func:`granger_test`.
GRANGER_COLUMNS = ("lag", "f", "p_value", "df_num", "df_denom", "n")
#: Columns of :func:`link_evidence`.
EVIDENCE_COLUMNS = (
    "cause",
    "effect",
    "declared_sign",
    "declared_lag",
    "n",
    "r_at_declared_lag",
    "best_lag",
    "r_at_best_lag",
    "correlation_p",
    "sign_agrees",
    "granger_lags",
    "granger_f",
    "granger_p",
    "strength",
    "verdict",
    "reason",
)
#: Columns of :func:`candidate_links`.
CANDIDATE_COLUMNS = ("cause", "effect", "best_lag", "r", "n", "correlation_p", "granger_p", "label")

# Pairs of standardised values whose centred sum of squares falls below this share of the
# pair count are constant up to rounding.
_CONSTANT_TOL = 1e-10
# Bounds the memory of the pairwise search: about this many floats per intermediate block.
_BLOCK_FLOATS = 4_000_000


# -- input checks --------------------------------------------------------------------------


def _vector(x: Any, name: str) -> FloatArray:
    try:
        if isinstance(x, (pd.Series, pd.Index)):
            v = x.to_numpy(dtype=np.float64, na_value=np.nan)
        else:
            v = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError):
        raise ObservationError(
            f"{name} must be numbers (one value per period, oldest first); got {x!r:.80}"
        ) from None
    if v.ndim != 1:
        raise ObservationError(f"{name} must be one series (1-D); got shape {v.shape}")
    return np.where(np.isfinite(v), v, np.nan)


def _pair(cause: Any, effect: Any) -> tuple[FloatArray, FloatArray]:
    c, e = _vector(cause, "cause"), _vector(effect, "effect")
    if c.shape != e.shape:
        raise ObservationError(
            f"cause has {c.size} periods and effect {e.size}; pass two series over the same "
            "periods (use NaN for a missing value)"
        )
    return c, e


def _nonnegative_int(value: Any, name: str, *, minimum: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ModelError(f"{name} must be an integer >= {minimum}; got {value!r}")
    return int(value)


def _alpha(alpha: Any) -> float:
    a = float(alpha)
    if not 0.0 < a < 1.0:
        raise ModelError(f"alpha must lie strictly between 0 and 1 (e.g. 0.05); got {alpha!r}")
    return a


def _frame(series: Any) -> tuple[FloatArray, list[str]]:
    """The values (period, node) of a wide frame and its column ids, checked."""
    if not isinstance(series, pd.DataFrame):
        raise ObservationError(
            "series must be a wide DataFrame (index: periods in order; columns: node ids); "
            f"got {type(series).__name__}. evaluation_series(evaluation) builds one."
        )
    columns = [str(c) for c in series.columns]
    if len(set(columns)) != len(columns):
        twice = sorted({c for c in columns if columns.count(c) > 1})
        raise ObservationError(f"series has duplicate columns {twice}; give each node one column")
    try:
        values = series.to_numpy(dtype=np.float64, na_value=np.nan)
    except (TypeError, ValueError):
        bad = [str(c) for c in series.columns if not pd.api.types.is_numeric_dtype(series[c])]
        raise ObservationError(
            f"series columns {bad} are not numeric; convert them or drop them"
        ) from None
    return np.where(np.isfinite(values), values, np.nan), columns


# -- correlation ---------------------------------------------------------------------------


def _shift_stack(x: FloatArray, max_lag: int) -> FloatArray:
    """``out[lag, ..., t] = x[..., t - lag]`` (NaN before the start), lags ``0..max_lag``."""
    t = x.shape[-1]
    out = np.full((max_lag + 1, *x.shape), np.nan)
    for lag in range(min(max_lag, t - 1) + 1):
        # A loop over a handful of lags; each step moves every series at once.
        out[lag, ..., lag:] = x[..., : t - lag]
    return out


def _correlate(c: FloatArray, e: FloatArray) -> tuple[FloatArray, FloatArray, Any]:
    """Pairwise-complete Pearson r over the last axis (two-pass), its pair count, and a code
    0 ok / 1 fewer than 2 pairs / 2 cause constant / 3 effect constant."""
    mask = ~np.isnan(c) & ~np.isnan(e)
    n = mask.sum(axis=-1)
    safe_n = np.maximum(n, 1)
    mc = np.where(mask, c, 0.0).sum(axis=-1) / safe_n
    me = np.where(mask, e, 0.0).sum(axis=-1) / safe_n
    dc = np.where(mask, c - mc[..., None], 0.0)
    de = np.where(mask, e - me[..., None], 0.0)
    sxy = (dc * de).sum(axis=-1)
    sxx = (dc * dc).sum(axis=-1)
    syy = (de * de).sum(axis=-1)
    # Exact test for a constant: equal maximum and minimum over the pairs used.
    c_const = np.where(mask, c, -np.inf).max(axis=-1, initial=-np.inf) == np.where(
        mask, c, np.inf
    ).min(axis=-1, initial=np.inf)
    e_const = np.where(mask, e, -np.inf).max(axis=-1, initial=-np.inf) == np.where(
        mask, e, np.inf
    ).min(axis=-1, initial=np.inf)
    code = np.select([n < 2, c_const, e_const], [1, 2, 3], 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.clip(sxy / (np.sqrt(sxx) * np.sqrt(syy)), -1.0, 1.0)
    return np.where(code == 0, r, np.nan), n, code


def _correlation_p(r: FloatArray, n: Any) -> FloatArray:
    """Two-sided p-value of H0: rho = 0 (t test with n - 2 df, as F(1, n - 2) = t^2)."""
    r = np.asarray(r, dtype=np.float64)
    n = np.asarray(n, dtype=np.float64)
    out = np.full(np.broadcast(r, n).shape, np.nan)
    ok = np.isfinite(r) & (n >= 3)
    if ok.any():
        rr, df = np.broadcast_to(r, out.shape)[ok], np.broadcast_to(n, out.shape)[ok] - 2.0
        with np.errstate(divide="ignore"):
            t2 = np.where(np.abs(rr) >= 1.0, np.inf, rr * rr * df / (1.0 - rr * rr))
        out[ok] = f_sf(t2, 1.0, df)
    return out


_CORRELATION_REASONS = (
    "",
    "fewer than 2 periods with both values",
    "cause is constant over the paired periods",
    "effect is constant over the paired periods",
)


def lagged_correlation(cause: Any, effect: Any, *, max_lag: int = 4) -> pd.DataFrame:
    """Pearson correlation of ``effect[t]`` with ``cause[t - lag]`` for ``lag = 0..max_lag``.

    A positive lag means the cause leads. Pairs with a missing value (NaN) on either side are
    dropped, lag by lag; ``n`` says how many pairs each ``r`` used. Where ``r`` cannot be
    computed (fewer than two pairs, or a side that is constant over its pairs) it is ``NaN``
    and ``reason`` says why; otherwise ``reason`` is empty.

    Parameters
    ----------
    cause, effect
        Two series over the same periods, oldest first (array-like of numbers; positions,
        not index labels, define the periods).
    max_lag
        Largest lag, in periods (>= 0).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`LAGGED_CORRELATION_COLUMNS`: ``lag``, ``r``, ``n``, ``reason``.

    Examples
    --------
    >>> cause = [1.0, 3.0, 2.0, 5.0, 4.0, 6.0]
    >>> effect = [0.0, 0.0, 1.0, 3.0, 2.0, 5.0]  # the cause, two periods later
    >>> lagged_correlation(cause, effect, max_lag=3).round(3)
       lag      r  n reason
    0    0  0.909  6
    1    1  0.493  5
    2    2  1.000  4
    3    3 -0.327  3
    """
    c, e = _pair(cause, effect)
    max_lag = _nonnegative_int(max_lag, "max_lag")
    shifted = _shift_stack(c, max_lag)
    r, n, code = _correlate(shifted, np.broadcast_to(e, shifted.shape))
    return pd.DataFrame(
        {
            "lag": np.arange(max_lag + 1),
            "r": r,
            "n": n.astype(np.int64),
            "reason": pd.array([_CORRELATION_REASONS[k] for k in code], dtype="str"),
        }
    )


# -- Granger -------------------------------------------------------------------------------


def _granger_problem(res: NestedF, k: int, total: int) -> str:
    code = int(res.problem[k])
    lags, n = res.lags, int(res.n[k])
    if code == TOO_FEW:
        return (
            f"lags={lags} needs at least {2 * lags + 2} complete rows (so at least "
            f"{3 * lags + 2} periods without gaps); {total} periods gave {n}"
        )
    if code == EFFECT_SINGULAR:
        return f"the effect's own past is constant or collinear over the {n} rows (lags={lags})"
    if code == CAUSE_SINGULAR:
        return (
            f"the cause's past is constant or collinear with the effect's past over the {n} "
            f"rows (lags={lags})"
        )
    return ""


def granger_test(cause: Any, effect: Any, *, lags: int | Sequence[int] = 4) -> pd.DataFrame:
    """Granger-causality F test: does the cause's past help predict the effect beyond the
    effect's own past?

    For each lag order ``L`` the effect is regressed by least squares on a constant and its
    own lags ``1..L`` (restricted) and then also on the cause's lags ``1..L`` (unrestricted);
    ``F = ((SSR_r - SSR_u) / L) / (SSR_u / (n - 2L - 1))`` with ``n`` the rows of the lagged
    design, and the p-value is the upper tail of ``F(L, n - 2L - 1)``. This is statsmodels'
    ``grangercausalitytests(np.column_stack([effect, cause]), maxlag)["ssr_ftest"]`` (note
    the order: statsmodels asks whether the *second* column causes the *first*).

    Rows with a missing value anywhere in the lagged design are dropped and ``n`` counts the
    rows kept. An exact fit with the cause gives ``f = inf`` and ``p_value = 0``.

    Parameters
    ----------
    cause, effect
        Two series over the same periods, oldest first.
    lags
        An integer ``L`` tests every lag order ``1..L``; a sequence tests just those.

    Returns
    -------
    pandas.DataFrame
        One row per lag order; columns :data:`GRANGER_COLUMNS`.

    Raises
    ------
    ModelError
        A lag order below 1.
    ObservationError
        Too few periods for a lag order (the message gives ``n``, the lags and the minimum),
        or a design that is singular because a series (or its past) is constant.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(7)
    >>> driver = rng.normal(size=60)
    >>> outcome = np.r_[0.0, 0.8 * driver[:-1]] + 0.5 * rng.normal(size=60)
    >>> res = granger_test(driver, outcome, lags=2)
    >>> res[["lag", "df_num", "df_denom", "n"]]
       lag  df_num  df_denom   n
    0    1       1        56  59
    1    2       2        53  58
    >>> bool((res["p_value"] < 1e-6).all())
    True
    >>> granger_test(driver[:7], outcome[:7], lags=2)
    Traceback (most recent call last):
    ...
    balanced_scorecard.exceptions.ObservationError: granger_test: lags=2 needs at least ...
    """
    c, e = _pair(cause, effect)
    if isinstance(lags, (int, np.integer)):  # bool is refused by the check
        orders = list(range(1, _nonnegative_int(lags, "lags", minimum=1) + 1))
    else:
        orders = [_nonnegative_int(v, "each of lags", minimum=1) for v in lags]
        if not orders:
            raise ModelError("lags must be a positive integer or a non-empty list of them")
    top = max(orders)
    if c.size < 3 * top + 2:
        raise ObservationError(
            f"granger_test: lags={top} needs at least {3 * top + 2} periods; got n={c.size}. "
            "Use fewer lags or a longer history."
        )
    rows = []
    for order in orders:  # a handful of lag orders; each fit is vectorised
        res = granger_batch(e[None, :], c[None, :], lags=order)
        if res.problem[0] != OK:
            raise ObservationError(f"granger_test: {_granger_problem(res, 0, c.size)}")
        rows.append((order, res.f[0], res.p_value[0], order, int(res.df_denom[0]), int(res.n[0])))
    frame = pd.DataFrame(rows, columns=list(GRANGER_COLUMNS))
    return frame.astype({"lag": "int64", "df_num": "int64", "df_denom": "int64", "n": "int64"})


# -- link evidence -------------------------------------------------------------------------


def _granger_groups(
    values: FloatArray,
    cause_idx: npt.NDArray[np.int64],
    effect_idx: npt.NDArray[np.int64],
    lag_orders: npt.ArrayLike,
) -> tuple[FloatArray, FloatArray, list[str]]:
    """Granger F and p for many (cause column, effect column, lag order) triples, one batched
    fit per distinct lag order; problems come back as sentences."""
    orders = np.asarray(lag_orders, dtype=np.int64)
    f = np.full(len(orders), np.nan)
    p = np.full(len(orders), np.nan)
    notes = [""] * len(orders)
    periods = values.shape[0]
    for order in np.unique(orders).tolist():  # a handful of lag orders, each one batch
        rows = np.flatnonzero(orders == order)
        if order >= periods:
            for k in rows:
                notes[k] = (
                    f"lags={order} needs at least {3 * order + 2} periods; the series have "
                    f"{periods}"
                )
            continue
        res = granger_batch(values[:, effect_idx[rows]].T, values[:, cause_idx[rows]].T, lags=order)
        f[rows], p[rows] = res.f, res.p_value
        for j in np.flatnonzero(res.problem != OK):
            notes[rows[j]] = _granger_problem(res, int(j), periods)
    return f, p, notes


def _fmt(x: float) -> str:
    return format(float(x), ".3g")


def link_evidence(
    series: pd.DataFrame,
    links: Iterable[CausalLink],
    *,
    max_lag: int = 4,
    alpha: float = 0.05,
    min_points: int = 8,
) -> pd.DataFrame:
    """Test each causal link of the strategy map against the history of its two nodes.

    For every link, the cause's and the effect's series are correlated at lags ``0..max_lag``
    (and at the declared lag if it is larger); the **best lag** is the one with the largest
    ``|r|`` among those with at least ``min_points`` pairs (ties: the shorter lag). A
    Granger F test then uses lags ``1..g`` with ``g = max(1, declared lag, best lag)``, so
    the test covers both the hypothesis and the lag the data prefer.

    Verdicts, in order:

    * ``insufficient-data`` - a node has no column, or no lag has ``min_points`` pairs with
      a cause and an effect that vary;
    * ``contradicted`` - ``r`` at the best lag is significant (``correlation_p < alpha``)
      with the opposite sign to the declared one;
    * ``supported`` - significant with the declared sign and, for a declared lag of one or
      more periods, a Granger ``p < alpha`` as well (a same-period link cannot be judged
      by a test of the past);
    * ``weak`` - everything else: the data neither confirm nor refute the link.

    ``correlation_p`` is the two-sided t-test p-value of ``r`` at the best lag, multiplied
    by the number of lags searched (Bonferroni, capped at 1), because the best of several
    lags looks stronger than any one of them. ``strength`` is ``|r|`` at the best lag when
    the sign agrees and 0 when it does not - a number in [0, 1] for ranking root causes -
    and ``NaN`` when the data are insufficient (no evidence either way: the caller chooses
    the prior).

    Parameters
    ----------
    series
        Wide frame: index the periods in order (oldest first), columns node ids (objective or
        indicator ids), values numbers with NaN for gaps. See :func:`evaluation_series`.
    links
        :class:`~balanced_scorecard.model.links.CausalLink` objects. Links whose nodes have
        no column are kept with verdict ``insufficient-data``.
    max_lag
        Largest lag searched, in periods.
    alpha
        Significance level of both tests.
    min_points
        Fewest (cause, effect) pairs a lag needs to count (>= 3).

    Returns
    -------
    pandas.DataFrame
        One row per link, in the order given; columns :data:`EVIDENCE_COLUMNS`.

    Examples
    --------
    >>> import numpy as np
    >>> from balanced_scorecard.model import CausalLink
    >>> rng = np.random.default_rng(3)
    >>> spend = rng.normal(size=40)
    >>> frame = pd.DataFrame({
    ...     "spend": spend,
    ...     "churn": np.r_[0.0, -spend[:-1]] + 0.3 * rng.normal(size=40),
    ...     "noise": rng.normal(size=40),
    ... })
    >>> links = [CausalLink(cause="spend", effect="churn", sign="-", lag=1),
    ...          CausalLink(cause="spend", effect="churn", sign="+", lag=1),
    ...          CausalLink(cause="noise", effect="churn", lag=1),
    ...          CausalLink(cause="spend", effect="nps", lag=1)]
    >>> link_evidence(frame, links)[["cause", "effect", "best_lag", "verdict"]]
       cause effect  best_lag            verdict
    0  spend  churn         1          supported
    1  spend  churn         1       contradicted
    2  noise  churn         2               weak
    3  spend    nps      <NA>  insufficient-data
    """
    values, columns = _frame(series)
    # An all-NaN column at the end stands in for nodes without a series.
    values = np.column_stack([values, np.full(values.shape[0], np.nan)])
    link_list = list(links)
    max_lag = _nonnegative_int(max_lag, "max_lag")
    alpha = _alpha(alpha)
    min_points = _nonnegative_int(min_points, "min_points", minimum=3)
    position = {c: k for k, c in enumerate(columns)}
    count = len(link_list)

    declared_lag = np.array([int(lk.lag) for lk in link_list], dtype=np.int64)
    declared_sign = np.array([int(lk.sign) for lk in link_list], dtype=np.int64)
    missing = [[node for node in (lk.cause, lk.effect) if node not in position] for lk in link_list]
    have = np.array([not m for m in missing], dtype=bool)
    blank = len(columns)
    ci = np.array([position.get(lk.cause, blank) for lk in link_list], dtype=np.int64)
    ei = np.array([position.get(lk.effect, blank) for lk in link_list], dtype=np.int64)

    top = max([max_lag, *declared_lag.tolist()]) if count else max_lag
    cause_rows = values[:, ci].T
    effect_rows = values[:, ei].T
    shifted = _shift_stack(cause_rows, top)  # (lag, link, period)
    r, n, code = _correlate(shifted, np.broadcast_to(effect_rows, shifted.shape))
    lag_axis = np.arange(top + 1)[:, None]
    searched = lag_axis <= np.maximum(max_lag, declared_lag)[None, :]
    eligible = searched & (n >= min_points) & np.isfinite(r)
    any_eligible = eligible.any(axis=0) & have
    best = np.argmax(np.where(eligible, np.abs(r), -1.0), axis=0)
    cols = np.arange(count)
    r_best = np.where(any_eligible, r[best, cols], np.nan)
    n_best = np.where(any_eligible, n[best, cols], n[np.minimum(declared_lag, top), cols])
    r_declared = np.where(have, r[np.minimum(declared_lag, top), cols], np.nan)
    tries = searched.sum(axis=0)
    p_corr = np.minimum(1.0, _correlation_p(r_best, n_best) * tries)
    agrees = np.sign(r_best) == declared_sign

    orders = np.maximum(1, np.maximum(declared_lag, np.where(any_eligible, best, 0)))
    g_f = np.full(count, np.nan)
    g_p = np.full(count, np.nan)
    g_notes = [""] * count
    todo = np.flatnonzero(any_eligible)
    if todo.size:
        f_, p_, notes_ = _granger_groups(values, ci[todo], ei[todo], orders[todo])
        g_f[todo], g_p[todo] = f_, p_
        for j, k in enumerate(todo.tolist()):
            g_notes[k] = notes_[j]

    verdicts: list[str] = []
    reasons: list[str] = []
    for k, lk in enumerate(link_list):  # one sentence per link: text, not maths
        verdict, reason = _judge(
            lk,
            missing=missing[k],
            eligible=bool(any_eligible[k]),
            n_max=int(n[:, k][searched[:, k]].max()) if count and have[k] else 0,
            codes=code[:, k][searched[:, k]],
            min_points=min_points,
            best_lag=int(best[k]),
            r_best=float(r_best[k]),
            p_corr=float(p_corr[k]),
            agrees=bool(agrees[k]),
            granger=(int(orders[k]), float(g_f[k]), float(g_p[k]), g_notes[k]),
            alpha=alpha,
        )
        verdicts.append(verdict)
        reasons.append(reason)

    strength = np.where(any_eligible, np.where(agrees, np.abs(r_best), 0.0), np.nan)
    frame = pd.DataFrame(
        {
            "cause": pd.array([lk.cause for lk in link_list], dtype="str"),
            "effect": pd.array([lk.effect for lk in link_list], dtype="str"),
            "declared_sign": declared_sign,
            "declared_lag": declared_lag,
            "n": np.where(have, n_best, 0).astype(np.int64),
            "r_at_declared_lag": r_declared,
            "best_lag": pd.array(np.where(any_eligible, best, 0), dtype="Int64"),
            "r_at_best_lag": r_best,
            "correlation_p": p_corr,
            "sign_agrees": pd.array(agrees, dtype="boolean"),
            "granger_lags": pd.array(orders, dtype="Int64"),
            "granger_f": g_f,
            "granger_p": g_p,
            "strength": strength,
            "verdict": pd.array(verdicts, dtype="str"),
            "reason": pd.array(reasons, dtype="str"),
        }
    )
    for name in ("best_lag", "sign_agrees", "granger_lags"):
        frame.loc[~any_eligible, name] = pd.NA
    return frame


def _judge(
    link: CausalLink,
    *,
    missing: list[str],
    eligible: bool,
    n_max: int,
    codes: Any,
    min_points: int,
    best_lag: int,
    r_best: float,
    p_corr: float,
    agrees: bool,
    granger: tuple[int, float, float, str],
    alpha: float,
) -> tuple[str, str]:
    """The verdict of one link and the sentence that explains it."""
    if missing:
        return "insufficient-data", "no series for " + " and ".join(repr(m) for m in missing)
    if not eligible:
        if n_max < min_points:
            return (
                "insufficient-data",
                f"only {n_max} periods with both values; min_points is {min_points}",
            )
        constant = [
            name
            for flag, name in ((2, f"cause {link.cause!r}"), (3, f"effect {link.effect!r}"))
            if (codes == flag).any()
        ]
        return "insufficient-data", " and ".join(constant or ["the series"]) + " is constant"
    order, g_f, g_p, note = granger
    declared = "+" if link.sign > 0 else "-"
    corr = f"r = {_fmt(r_best)} at lag {best_lag} (p = {_fmt(p_corr)})"
    if note:
        gtext = f"Granger test not computable: {note}"
    else:
        gtext = f"Granger F = {_fmt(g_f)} with lags 1..{order} (p = {_fmt(g_p)})"
    significant = p_corr < alpha
    if significant and not agrees:
        return "contradicted", f"{corr} has the opposite sign to the declared '{declared}'"
    if significant and (link.lag == 0 or (not note and g_p < alpha)):
        return "supported", f"{corr} agrees with the declared '{declared}'; {gtext}"
    if not significant:
        return "weak", f"{corr} is not significant at {alpha:g}; {gtext}"
    return "weak", f"{corr} agrees with the declared '{declared}', but {gtext}" + (
        "" if note else f" is not significant at {alpha:g}"
    )


# -- candidate links -----------------------------------------------------------------------


def _standardise(values: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Each column centred and scaled over its own values (zeros where missing), and the
    presence mask; the one-pass pairwise sums below stay accurate on such data."""
    mask = ~np.isnan(values)
    count = np.maximum(mask.sum(axis=0), 1)
    mean = np.where(mask, values, 0.0).sum(axis=0) / count
    centred = np.where(mask, values - mean, 0.0)
    scale = np.sqrt((centred * centred).sum(axis=0) / count)
    return centred / np.where(scale > 0, scale, 1.0), mask.astype(np.float64)


def _pairwise_block(
    xa: FloatArray, ma: FloatArray, y: FloatArray, my: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Pairwise-complete correlation of every column of ``xa`` (lag, period, cause) with every
    column of ``y`` (period, effect) by six matrix products; NaN where a side is constant."""
    lags, periods, causes = xa.shape

    def products(left: FloatArray, right: FloatArray) -> FloatArray:
        # One 2-D product per pair of operands (lags stacked into rows) keeps it in BLAS.
        flat = np.ascontiguousarray(left.transpose(0, 2, 1)).reshape(lags * causes, periods)
        return (flat @ right).reshape(lags, causes, right.shape[1])

    n = products(ma, my)
    sx = products(xa, my)
    sy = products(ma, y)
    sxx = products(xa * xa, my)
    syy = products(ma, y * y)
    sxy = products(xa, y)
    with np.errstate(divide="ignore", invalid="ignore"):
        vx = sxx - sx * sx / n
        vy = syy - sy * sy / n
        r = (sxy - sx * sy / n) / np.sqrt(vx * vy)
    flat = (vx <= _CONSTANT_TOL * n) | (vy <= _CONSTANT_TOL * n) | (n < 2)
    return np.where(flat, np.nan, np.clip(r, -1.0, 1.0)), n


def candidate_links(
    series: pd.DataFrame,
    links: Iterable[CausalLink] = (),
    *,
    max_lag: int = 4,
    min_abs_r: float = 0.7,
    alpha: float = 0.05,
    min_points: int = 8,
) -> pd.DataFrame:
    """Strong relationships between series that the strategy map does not link.

    Every ordered pair of columns (cause, effect) is correlated at lags ``0..max_lag`` by
    matrix products over all columns at once (pairs with a missing value dropped, pair by
    pair). Each unordered pair is reported at most once, in the direction and at the lag with
    the largest ``|r|`` (ties: the shorter lag). At lag 0 the correlation has no direction;
    the pair is then oriented by the Granger test (lags 1..1, the smaller p-value names the
    cause), else kept in column order. A pair qualifies with ``|r| >= min_abs_r``, at least
    ``min_points`` pairs and ``correlation_p < alpha`` (t test times the ``2 max_lag + 1``
    (direction, lag) combinations searched); pairs already linked in either direction are
    skipped. ``granger_p`` is the Granger p-value in the reported direction with lags
    ``1..max(1, best_lag)``.

    Every row is labelled ``correlational``: among many series some pairs correlate by
    chance or through a common driver (a shared trend, above all - consider passing
    period-to-period changes, ``series.diff()``).

    Parameters
    ----------
    series
        Wide frame, as for :func:`link_evidence`.
    links
        The declared links; their pairs are not suggested again.
    max_lag, alpha, min_points
        As for :func:`link_evidence`.
    min_abs_r
        Smallest ``|r|`` worth suggesting, in [0, 1].

    Returns
    -------
    pandas.DataFrame
        Columns :data:`CANDIDATE_COLUMNS`, ranked by ``|r|`` (largest first).

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(5)
    >>> staff = rng.normal(size=30)
    >>> frame = pd.DataFrame({"staff": staff, "noise": rng.normal(size=30),
    ...                       "output": np.r_[0.0, staff[:-1]] + 0.2 * rng.normal(size=30)})
    >>> candidate_links(frame)[["cause", "effect", "best_lag", "label"]]
       cause  effect  best_lag          label
    0  staff  output         1  correlational
    """
    values, columns = _frame(series)
    max_lag = _nonnegative_int(max_lag, "max_lag")
    alpha = _alpha(alpha)
    min_points = _nonnegative_int(min_points, "min_points", minimum=3)
    if not 0.0 <= float(min_abs_r) <= 1.0:
        raise ModelError(f"min_abs_r must lie in [0, 1]; got {min_abs_r!r}")
    position = {c: k for k, c in enumerate(columns)}
    declared = [
        (position[lk.cause], position[lk.effect])
        for lk in links
        if lk.cause in position and lk.effect in position
    ]
    periods, width = values.shape
    empty = pd.DataFrame({c: [] for c in CANDIDATE_COLUMNS})
    if width < 2 or periods < 2:
        return empty.astype({"best_lag": "int64", "n": "int64", "r": "float64"})

    y, my = _standardise(values)
    xa = _shift_stack(y.T, max_lag).transpose(0, 2, 1)  # (lag, period, column)
    ma = _shift_stack(my.T, max_lag).transpose(0, 2, 1)
    xa, ma = np.nan_to_num(xa), np.nan_to_num(ma)
    linked = np.zeros((width, width), dtype=bool)
    for a, b in declared:
        linked[a, b] = linked[b, a] = True
    np.fill_diagonal(linked, True)

    found: list[FloatArray] = []
    block = max(1, _BLOCK_FLOATS // ((max_lag + 1) * width))
    for start in range(0, width, block):  # blocks of causes bound the memory, not pairs
        stop = min(width, start + block)
        r, n = _pairwise_block(xa[:, :, start:stop], ma[:, :, start:stop], y, my)
        ok = np.isfinite(r) & (n >= min_points) & ~linked[None, start:stop, :]
        score = np.where(ok, np.abs(r), -1.0)
        lag = np.argmax(score, axis=0)
        rows, cols = np.nonzero(np.take_along_axis(score, lag[None], 0)[0] >= min_abs_r)
        best_r = r[lag[rows, cols], rows, cols]
        best_n = n[lag[rows, cols], rows, cols]
        found.append(np.column_stack([rows + start, cols, lag[rows, cols], best_r, best_n]))
    hits = np.concatenate(found) if found else np.empty((0, 5))
    if not hits.size:
        return empty.astype({"best_lag": "int64", "n": "int64", "r": "float64"})

    table = pd.DataFrame(hits, columns=["i", "j", "best_lag", "r", "n"])
    table = table.astype({"i": "int64", "j": "int64", "best_lag": "int64", "n": "int64"})
    table["abs_r"] = table["r"].abs()
    table["lo"] = table[["i", "j"]].min(axis=1)
    table["hi"] = table[["i", "j"]].max(axis=1)
    table = table.sort_values(["abs_r", "best_lag", "i"], ascending=[False, True, True])
    table = table.drop_duplicates(["lo", "hi"]).reset_index(drop=True)
    tries = 2 * max_lag + 1
    table["correlation_p"] = np.minimum(
        1.0, _correlation_p(table["r"].to_numpy(), table["n"].to_numpy()) * tries
    )
    table = table[table["correlation_p"] < alpha].reset_index(drop=True)

    # Orient same-period pairs by the Granger test, then test every pair as reported.
    i, j = table["i"].to_numpy().copy(), table["j"].to_numpy().copy()
    same = np.flatnonzero(table["best_lag"].to_numpy() == 0)
    if same.size:
        lo, hi = np.minimum(i[same], j[same]), np.maximum(i[same], j[same])
        both = np.concatenate([lo, hi])
        _, p, _ = _granger_groups(values, both, np.concatenate([hi, lo]), np.ones(2 * same.size))
        forward, backward = p[: same.size], p[same.size :]
        flip = backward < forward  # NaN compares False: keep column order
        i[same], j[same] = np.where(flip, hi, lo), np.where(flip, lo, hi)
    orders = np.maximum(1, table["best_lag"].to_numpy())
    _, granger_p, _ = _granger_groups(values, i, j, orders)
    names = np.asarray(columns, dtype=object)
    out = pd.DataFrame(
        {
            "cause": pd.array(names[i].tolist(), dtype="str"),
            "effect": pd.array(names[j].tolist(), dtype="str"),
            "best_lag": table["best_lag"].to_numpy(),
            "r": table["r"].to_numpy(),
            "n": table["n"].to_numpy(),
            "correlation_p": table["correlation_p"].to_numpy(),
            "granger_p": granger_p,
            "label": pd.array(["correlational"] * len(table), dtype="str"),
        }
    )
    order = np.lexsort(
        (out["effect"].to_numpy(), out["cause"].to_numpy(), -np.abs(out["r"].to_numpy()))
    )
    return out.iloc[order].reset_index(drop=True)


# -- from an evaluation ----------------------------------------------------------------------


def evaluation_series(
    evaluation: Evaluation, *, org_unit: str | None = None, value: str = "actual"
) -> pd.DataFrame:
    """The wide (period x node) frame of one org unit of an evaluation, ready for
    :func:`link_evidence` and :func:`candidate_links`.

    Columns are the indicator ids (their ``actual`` values, or their scores with
    ``value="score"``) followed by the objective ids (their scores); the index holds the
    period labels, oldest first. Missing values are NaN. The evaluation is only read.

    Parameters
    ----------
    evaluation
        A :class:`~balanced_scorecard.results.Evaluation`.
    org_unit
        The org unit (default: the evaluation's top unit).
    value
        ``"actual"`` or ``"score"`` for the indicator columns.

    Examples
    --------
    >>> from balanced_scorecard.results import _demo
    >>> evaluation_series(_demo()).round(3)
    node     revenue   grow
    period
    2025-01   1100.0  0.500
    2025-02   1200.0  0.667
    """
    if value not in ("actual", "score"):
        raise ModelError(f"value must be 'actual' or 'score'; got {value!r}")
    k = evaluation.unit_index(org_unit)
    indicators = evaluation.indicators
    first = indicators.actual if value == "actual" else indicators.score
    data = np.concatenate(
        [
            np.asarray(first[:, k, :], dtype=np.float64),
            np.asarray(evaluation.objectives.score[:, k, :], dtype=np.float64),
        ]
    )
    return pd.DataFrame(
        data.T,
        index=pd.Index(list(evaluation.period_labels), name="period"),
        columns=pd.Index([*indicators.ids, *evaluation.objectives.ids], name="node"),
    )


def learning_growth_correlations(
    evaluation: Evaluation,
    *,
    org_unit: str | None = None,
    drivers: Iterable[str] | None = None,
    outcomes: Iterable[str] | None = None,
    max_lag: int = 4,
    alpha: float = 0.05,
    min_points: int = 8,
) -> pd.DataFrame:
    """Which workforce and other learning-and-growth indicators move with the performance
    outcomes, at which lag.

    Every pair (driver, outcome) is judged as a hypothetical link by :func:`link_evidence`
    (lagged correlation, best lag, its Bonferroni-adjusted p-value and a Granger test); the
    sign is read from the data, not declared. Drivers default to the indicators of the
    ``learning_growth`` perspective, outcomes to the objectives and indicators of the
    ``financial`` and ``customer`` perspectives.

    Returns
    -------
    pandas.DataFrame
        ``driver``, ``outcome``, ``best_lag``, ``r``, ``n``, ``correlation_p``,
        ``granger_p``, ``significant`` (``correlation_p < alpha``) and ``reason`` for pairs
        that could not be judged; significant pairs first, then by ``|r|``. Correlational
        evidence, not proof of cause.
    """
    from balanced_scorecard.model.links import CausalLink

    sc = evaluation.scorecard
    perspective_of = {o.id: o.perspective for o in sc.objectives}
    if drivers is None:
        drivers = [
            i.id for i in sc.indicators if perspective_of.get(i.objective) == "learning_growth"
        ]
    if outcomes is None:
        top = {"financial", "customer"}
        outcomes = [o.id for o in sc.objectives if o.perspective in top] + [
            i.id for i in sc.indicators if perspective_of.get(i.objective) in top
        ]
    pairs = [
        CausalLink(cause=d, effect=o)
        for d in dict.fromkeys(drivers)
        for o in dict.fromkeys(outcomes)
        if d != o
    ]
    columns = [
        "driver", "outcome", "best_lag", "r", "n", "correlation_p", "granger_p",
        "significant", "reason",
    ]  # fmt: skip
    if not pairs:
        return pd.DataFrame(columns=columns)
    series = evaluation_series(evaluation, org_unit=org_unit)
    found = link_evidence(series, pairs, max_lag=max_lag, alpha=alpha, min_points=min_points)
    out = pd.DataFrame(
        {
            "driver": found["cause"],
            "outcome": found["effect"],
            "best_lag": found["best_lag"],
            "r": found["r_at_best_lag"],
            "n": found["n"],
            "correlation_p": found["correlation_p"],
            "granger_p": found["granger_p"],
            "significant": found["correlation_p"] < _alpha(alpha),
            "reason": found["reason"].where(found["verdict"] == "insufficient-data", ""),
        }
    )
    order = out.assign(_abs=out["r"].abs()).sort_values(
        ["significant", "_abs"], ascending=[False, False], kind="stable", na_position="last"
    )
    return out.loc[order.index].reset_index(drop=True)
