"""Rolling child scores up to parent scores: indicator → objective → perspective → scorecard.

One call of :func:`rollup` handles one level of the hierarchy for every org unit and period
at once: ``scores`` is ``(n_children, *rest)`` (``rest`` typically
``(n_org_units, n_periods)``) and the result is ``(n_parents, *rest)``. Children are sorted by
parent once and every per-parent quantity is one ``ufunc.reduceat``; the only Python loop is
over the distinct method names in use.

Scores lie in ``[0, 1]``; NaN means missing. A child *counts* for its parent when it is
present (under the missing policy) and its weight is positive. A parent is present when at
least one child counts (and, under ``missing="propagate"``, no counting-weight child is
missing). In particular a parent whose present children all have weight 0 is missing rather
than a 0/0.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

import attrs
import numpy as np
import numpy.typing as npt

from balanced_scorecard.algorithms.aggregation import (
    BoolArray,
    FloatArray,
    IntArray,
    _divide,
    _index,
    _name_codes,
    _Segments,
)
from balanced_scorecard.exceptions import ModelError

__all__ = [
    "MISSING_POLICIES",
    "ROLLUP_METHODS",
    "RollupResult",
    "rollup",
    "weights_sum_check",
]

ROLLUP_METHODS: Final = (
    "weighted_mean",
    "weighted_geometric_mean",
    "worst",
    "best",
    "most_frequent_status",
    "share_green",
)
MISSING_POLICIES: Final = ("ignore", "propagate", "zero")
_STATUS_METHODS: Final = (
    ROLLUP_METHODS.index("most_frequent_status"),
    ROLLUP_METHODS.index("share_green"),
)


@attrs.frozen(kw_only=True, eq=False)
class RollupResult:
    """Parent scores of one rollup level plus how each child got there.

    Attributes
    ----------
    score
        ``(n_parents, *rest)`` float64, NaN where the parent is not present.
    present
        ``(n_parents, *rest)`` bool.
    weight
        ``(n_children, *rest)``: the child's effective weight in its parent; 0 for children
        that do not count (missing under ``ignore``, weight 0, no parent, parent missing).
        For ``weighted_mean``, ``weighted_geometric_mean`` and ``share_green`` these are the
        declared weights renormalised over the counting children. For ``worst`` / ``best`` it
        is 1 for the decisive child (``1/k`` when ``k`` children tie). For
        ``most_frequent_status`` the weights are renormalised over the children having the
        winning status, 0 for the others.
    contribution
        ``(n_children, *rest)``: the share of the parent score owed to the child. For every
        method the contributions of a present parent's children add up to its score:

        * ``weighted_mean``, ``worst``, ``best``, ``most_frequent_status``:
          ``weight * score``.
        * ``weighted_geometric_mean``: the arithmetic contributions ``weight * score`` scaled
          by ``geometric / arithmetic`` mean, so a child scoring 0 contributes 0 and better
          children contribute more.
        * ``share_green``: ``weight`` for children in the green band, 0 otherwise.

    Equality is identity (arrays have no single truth value).
    """

    score: FloatArray
    present: BoolArray
    weight: FloatArray
    contribution: FloatArray


# A method sees the sorted children, which of them count for it, and returns
# (parent score, child weight, child contribution); only counting children need be right.
_Method = Callable[
    [_Segments, FloatArray, FloatArray, BoolArray, IntArray | None, int | None],
    tuple[FloatArray, FloatArray, FloatArray],
]


def rollup(
    scores: npt.ArrayLike,
    *,
    parent: npt.ArrayLike,
    n_parents: int,
    weights: npt.ArrayLike | float = 1.0,
    method: str | npt.ArrayLike = "weighted_mean",
    missing: str = "ignore",
    status: npt.ArrayLike | None = None,
    green: int | None = None,
) -> RollupResult:
    """Combine child scores into parent scores for all org units and periods at once.

    Parameters
    ----------
    scores
        ``(n_children, *rest)`` floats in ``[0, 1]``, NaN for missing.
    parent
        ``(n_children,)`` int parent index in ``[0, n_parents)``, or -1 for "no parent".
    n_parents
        Number of parents; parents without children come back missing.
    weights
        Broadcastable to ``scores``, e.g. ``(n_children, 1, 1)`` or, for weights that change
        over time, ``(n_children, 1, n_periods)``. A one-dimensional array of length
        ``n_children`` is read as one weight per child. Must be finite and ``>= 0``; children
        with weight 0 never count.
    method
        A name from :data:`ROLLUP_METHODS` for every parent, or an array of names of shape
        ``(n_parents,)``, one per parent.
    missing
        ``"ignore"`` (default): missing children are dropped and the weights renormalised over
        the present ones. ``"propagate"``: a parent is missing if any child with positive
        weight is missing. ``"zero"``: a missing child counts as score 0 (and, for the status
        methods, as status 0, the lowest band).
    status
        Int status code per child, broadcastable like ``weights``, -1 for missing; higher is
        better. Required for ``most_frequent_status`` and ``share_green``, for which a child
        is missing when its score or its status is.
    green
        Status code of the green band; required for ``share_green``.

    Returns
    -------
    RollupResult

    Raises
    ------
    ModelError
        On shapes that do not fit, scores outside ``[0, 1]``, negative or non-finite weights,
        parent indices out of range, or a status method without ``status`` / ``green``.
    UnknownMethodError
        On an unknown method or missing-policy name.

    Notes
    -----
    ``weighted_geometric_mean`` is ``exp(sum(w log s) / sum(w))``; a child scoring 0 makes
    the parent 0. ``worst`` / ``best`` take the minimum / maximum over counting children.
    ``most_frequent_status`` finds the status with the largest total weight among counting
    children (ties go to the lower, worse status) and scores the parent with the weighted mean
    of the children in that status, so the parent lands in that band. ``share_green`` is the
    weighted share of counting children whose status is ``>= green``.

    Examples
    --------
    Three indicators under two objectives, one org unit, two periods:

    >>> scores = np.array([[[0.2, 0.4]], [[0.8, np.nan]], [[0.5, 0.5]]])
    >>> res = rollup(scores, parent=np.array([0, 0, 1]), n_parents=2,
    ...              weights=np.array([1.0, 3.0, 1.0]))
    >>> res.score
    array([[[0.65, 0.4 ]],
    <BLANKLINE>
           [[0.5 , 0.5 ]]])
    >>> res.weight[:, 0, 1].tolist()
    [1.0, 0.0, 1.0]
    >>> rollup(scores, parent=np.array([0, 0, 1]), n_parents=2, missing="propagate").present
    array([[[ True, False]],
    <BLANKLINE>
           [[ True,  True]]])
    >>> rollup(scores, parent=np.array([0, 0, 1]), n_parents=2, method="worst").score[0]
    array([[0.2, 0.4]])
    """
    s = np.asarray(scores, dtype=np.float64)
    if s.ndim < 1:
        raise ModelError("scores must have shape (n_children, ...), got a scalar.")
    bad = ~np.isnan(s) & ~((s >= 0.0) & (s <= 1.0))
    if bad.any():
        i = np.unravel_index(int(np.flatnonzero(bad)[0]), s.shape)
        raise ModelError(
            f"scores{list(i)} = {s[i]} is outside [0, 1]; scores must lie in [0, 1] "
            "(NaN for missing): clip or rescale them before rolling up."
        )
    n_children = s.shape[0]
    n_parents = _n_parents(n_parents)
    par = _index(parent, n_children, n_parents, "parent")
    w = _child_array(weights, s.shape, "weights").astype(np.float64)
    nonneg = np.isfinite(w) & (w >= 0)
    if not nonneg.all():
        i = np.unravel_index(int(np.flatnonzero(~nonneg)[0]), s.shape)
        raise ModelError(
            f"weights{list(i)} = {w[i]}; weights must be finite and >= 0 "
            "(use 0 to leave a child out)."
        )
    policy = MISSING_POLICIES[int(_name_codes(missing, MISSING_POLICIES, "missing policy"))]
    pm = _name_codes(method, ROLLUP_METHODS, "rollup method")
    if pm.ndim == 0:
        pm = np.full(n_parents, int(pm), dtype=np.int64)
    if pm.shape != (n_parents,):
        raise ModelError(
            f"method must be one name or an array of shape ({n_parents},), one per parent; "
            f"got shape {pm.shape}."
        )
    uses_status = np.isin(pm, _STATUS_METHODS)
    st: IntArray | None = None
    if uses_status.any():
        if status is None:
            name = ROLLUP_METHODS[int(pm[uses_status][0])]
            raise ModelError(f"method {name!r} needs status= (int status code per child).")
        st = _child_array(status, s.shape, "status").astype(np.int64)
        if (st < -1).any():
            raise ModelError(f"status codes must be >= 0, or -1 for missing; got {st.min()}.")
    if (pm == ROLLUP_METHODS.index("share_green")).any() and green is None:
        raise ModelError(
            "method 'share_green' needs green= (the status code of the green band, e.g. 2)."
        )

    if (pm == _WEIGHTED_MEAN).all() and n_parents * n_children <= _DENSE_LIMIT:
        return _weighted_mean_dense(s, w, par, n_parents, policy)

    seg = _Segments.build(par, n_parents)
    rows = seg.order
    expand = (-1,) + (1,) * (s.ndim - 1)
    cm = pm[seg.group].reshape(expand)  # each sorted child's method
    ss, ws = s[rows], w[rows]
    sts = None if st is None else st[rows]
    miss = np.isnan(ss)
    if sts is not None:
        miss |= np.isin(cm, _STATUS_METHODS) & (sts < 0)
    live = ws > 0
    if policy == "zero":
        ss = np.where(miss, 0.0, ss)
        sts = None if sts is None else np.where(miss, 0, sts)
        counting = live
    else:
        counting = live & ~miss
    present = seg.any(counting)
    if policy == "propagate":
        present &= ~seg.any(live & miss)
    counting = counting & present[seg.group]

    score = np.full(present.shape, np.nan)
    weight = np.zeros(ss.shape)
    contribution = np.zeros(ss.shape)
    for code in np.unique(pm[seg.group]).tolist():  # distinct method names only
        # Each method sees only its own parents' children (still sorted by parent), so the
        # total work stays proportional to the number of children, not to methods x children.
        idx = np.flatnonzero(pm[seg.group] == code)
        sub = _Segments.build(seg.group[idx], n_parents)
        sel = counting[idx]
        p_score, c_weight, c_contrib = _METHODS[ROLLUP_METHODS[code]](
            sub, ss[idx], ws[idx], sel, None if sts is None else sts[idx], green
        )
        score = np.where(present & (pm == code).reshape(expand), p_score, score)
        weight[idx] = np.where(sel, c_weight, 0.0)
        contribution[idx] = np.where(sel, c_contrib, 0.0)

    weight_out = np.zeros(s.shape)
    contribution_out = np.zeros(s.shape)
    weight_out[rows] = weight
    contribution_out[rows] = contribution
    return RollupResult(
        score=score, present=present, weight=weight_out, contribution=contribution_out
    )


_WEIGHTED_MEAN: Final = ROLLUP_METHODS.index("weighted_mean")
#: Largest parents x children membership matrix for the matrix-product path of
#: weighted_mean (8 MB); bigger hierarchies take the sort-and-reduce path.
_DENSE_LIMIT: Final = 1_000_000


def _weighted_mean_dense(
    s: FloatArray, w: FloatArray, par: IntArray, n_parents: int, policy: str
) -> RollupResult:
    """weighted_mean as two products with a 0/1 parent-by-child membership matrix.

    Same results as the general path; BLAS reads each child panel once, where sorting by
    parent would copy it.
    """
    n_children = s.shape[0]
    rest = s.shape[1:]
    member = np.zeros((n_parents, n_children))
    has_parent = par >= 0
    member[par[has_parent], np.flatnonzero(has_parent)] = 1.0
    miss = np.isnan(s)
    live = w > 0
    counting = live if policy == "zero" else live & ~miss
    wc = np.where(counting, w, 0.0)
    sv = np.where(miss, 0.0, s)

    def total(x: FloatArray) -> FloatArray:
        cells = int(np.prod(rest))
        out: FloatArray = (member @ x.reshape(n_children, cells)).reshape((n_parents, *rest))
        return out

    den = total(wc)
    num = total(wc * sv)
    present = den > 0
    if policy == "propagate":
        present &= total((live & miss).astype(np.float64)) == 0
    with np.errstate(invalid="ignore", divide="ignore"):
        score = np.where(present, num / np.where(present, den, 1.0), np.nan)
    safe = np.maximum(par, 0)
    counts = counting & has_parent.reshape((-1,) + (1,) * len(rest)) & present[safe]
    with np.errstate(invalid="ignore", divide="ignore"):
        weight = np.where(counts, wc / np.where(counts, den[safe], 1.0), 0.0)
    return RollupResult(score=score, present=present, weight=weight, contribution=weight * sv)


def weights_sum_check(
    weights: npt.ArrayLike,
    parent: npt.ArrayLike,
    n_parents: int,
    *,
    expected: float = 1.0,
    atol: float = 1e-9,
) -> BoolArray:
    """Tell, per parent, whether the declared child weights add up to ``expected``.

    Parameters
    ----------
    weights
        ``(n_children, *rest)`` declared weights (``rest`` e.g. periods for time-varying ones).
    parent
        ``(n_children,)`` parent index, -1 for children to leave out.
    n_parents
        Number of parents.
    expected, atol
        Target sum and absolute tolerance.

    Returns
    -------
    ndarray
        ``(n_parents, *rest)`` bool. A parent without children sums to 0, so it passes only
        when ``expected`` is 0; a NaN weight makes its parent fail.

    Examples
    --------
    >>> weights_sum_check([0.5, 0.5, 0.3, 0.6], [0, 0, 1, 1], 3).tolist()
    [True, False, False]
    """
    w = np.asarray(weights, dtype=np.float64)
    if w.ndim < 1:
        raise ModelError("weights must have shape (n_children, ...), got a scalar.")
    n_parents = _n_parents(n_parents)
    seg = _Segments.build(_index(parent, w.shape[0], n_parents, "parent"), n_parents)
    total = seg.sum(w[seg.order])
    return np.isclose(total, expected, rtol=0.0, atol=atol)


# --------------------------------------------------------------------------- helpers


def _n_parents(n: int) -> int:
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 0:
        raise ModelError(f"n_parents must be a non-negative int, got {n!r}.")
    return int(n)


def _child_array(x: npt.ArrayLike, shape: tuple[int, ...], what: str) -> npt.NDArray[Any]:
    """Broadcast ``x`` to the scores' shape; a 1-D array of length n_children is per child."""
    arr = np.asarray(x)
    if what == "status" and arr.size and arr.dtype.kind not in "iu":
        raise ModelError(f"status must hold integer codes, got dtype {arr.dtype}.")
    if arr.ndim == 1 and len(shape) > 1 and arr.shape[0] == shape[0]:
        # Plain broadcasting would align a per-child vector with the *last* axis.
        arr = arr.reshape((-1,) + (1,) * (len(shape) - 1))
    try:
        return np.broadcast_to(arr, shape)
    except ValueError:
        raise ModelError(
            f"{what} of shape {arr.shape} cannot broadcast to the scores' shape {shape}; use "
            "(n_children, 1, ...) for per-child values."
        ) from None


def _weight_sums(
    seg: _Segments, w: FloatArray, sel: BoolArray
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Masked weights, their per-parent sums, and the renormalised weight per child."""
    wz = np.where(sel, w, 0.0)
    den = seg.sum(wz)
    return wz, den, np.where(sel, _divide(wz, den[seg.group]), 0.0)


def _weighted_mean(
    seg: _Segments, s: FloatArray, w: FloatArray, sel: BoolArray, st: IntArray | None, g: int | None
) -> tuple[FloatArray, FloatArray, FloatArray]:
    wz, den, eff = _weight_sums(seg, w, sel)
    num = seg.sum(np.where(sel, wz * s, 0.0))
    return _divide(num, den), eff, np.where(sel, eff * s, 0.0)


def _geometric(
    seg: _Segments, s: FloatArray, w: FloatArray, sel: BoolArray, st: IntArray | None, g: int | None
) -> tuple[FloatArray, FloatArray, FloatArray]:
    wz, den, eff = _weight_sums(seg, w, sel)
    with np.errstate(divide="ignore"):  # log(0) = -inf is wanted: it makes the parent 0
        logs = np.log(np.where(sel, s, 1.0))
    # Non-counting children have log 1 = 0, so no 0 * -inf arises.
    geo = np.exp(_divide(seg.sum(wz * logs), den))
    arith = _divide(seg.sum(np.where(sel, wz * s, 0.0)), den)
    scale = np.where(arith > 0, _divide(geo, arith), 0.0)
    return geo, eff, np.where(sel, eff * s * scale[seg.group], 0.0)


def _extreme(worst: bool) -> _Method:
    ufunc, fill = (np.minimum, np.inf) if worst else (np.maximum, -np.inf)

    def method(
        seg: _Segments,
        s: FloatArray,
        w: FloatArray,
        sel: BoolArray,
        st: IntArray | None,
        g: int | None,
    ) -> tuple[FloatArray, FloatArray, FloatArray]:
        ext = seg.reduce(ufunc, np.where(sel, s, fill), fill)
        decisive = sel & (s == ext[seg.group])
        k = seg.sum(decisive.astype(np.float64))
        eff = np.where(decisive, _divide(np.ones_like(s), k[seg.group]), 0.0)
        return np.where(np.isfinite(ext), ext, np.nan), eff, eff * np.where(sel, s, 0.0)

    return method


def _most_frequent_status(
    seg: _Segments, s: FloatArray, w: FloatArray, sel: BoolArray, st: IntArray | None, g: int | None
) -> tuple[FloatArray, FloatArray, FloatArray]:
    assert st is not None  # checked by rollup
    codes = np.unique(st[sel])
    if codes.size == 0:
        return np.full((seg.n_groups, *s.shape[1:]), np.nan), np.zeros(s.shape), np.zeros(s.shape)
    # One-hot over the few status codes keeps everything in one reduceat.
    hot = np.where(sel[..., None] & (st[..., None] == codes), w[..., None], 0.0)
    tally = seg.sum(hot)
    top = tally.max(axis=-1, keepdims=True)
    # Weights like 0.1 + 0.2 vs 0.3 must tie; argmax picks the first, i.e. lowest, status.
    is_top = (tally > 0) & np.isclose(tally, top, rtol=1e-9, atol=0.0)
    mode = codes[np.argmax(is_top, axis=-1)]
    return _weighted_mean(seg, s, w, sel & (st == mode[seg.group]), st, g)


def _share_green(
    seg: _Segments, s: FloatArray, w: FloatArray, sel: BoolArray, st: IntArray | None, g: int | None
) -> tuple[FloatArray, FloatArray, FloatArray]:
    assert st is not None  # checked by rollup
    assert g is not None
    wz, den, eff = _weight_sums(seg, w, sel)
    is_green = sel & (st >= g)
    share = _divide(seg.sum(np.where(is_green, wz, 0.0)), den)
    return share, eff, np.where(is_green, eff, 0.0)


_METHODS: Final[dict[str, _Method]] = {
    "weighted_mean": _weighted_mean,
    "weighted_geometric_mean": _geometric,
    "worst": _extreme(worst=True),
    "best": _extreme(worst=False),
    "most_frequent_status": _most_frequent_status,
    "share_green": _share_green,
}
