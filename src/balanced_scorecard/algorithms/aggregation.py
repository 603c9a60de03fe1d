"""Time and org aggregation of indicator values, vectorised.

Two jobs, both on raw indicator *values* (scores are rolled up by
:mod:`balanced_scorecard.algorithms.rollup`):

* :func:`group_values` collapses observation rows into groups, e.g. all daily rows of one
  (series, reporting period) cell into one value, with a per-group method from
  :data:`TIME_AGGREGATIONS`.
* :func:`aggregate_tree` fills org units from their children, bottom-up, with a per-indicator
  method from :data:`ORG_AGGREGATIONS`.

Ratios are never averaged: ``ratio_of_sums`` keeps numerator and denominator sums so that the
next level can recompute ``sum(numerator) / sum(denominator)``. Grouping uses one stable sort
and ``ufunc.reduceat``; there is no Python loop over rows, groups, units or periods.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final, TypeVar

import attrs
import numpy as np
import numpy.typing as npt

from balanced_scorecard._suggest import did_you_mean
from balanced_scorecard.exceptions import ModelError, UnknownMethodError

__all__ = [
    "ORG_AGGREGATIONS",
    "TIME_AGGREGATIONS",
    "Grouped",
    "aggregate_tree",
    "group_values",
]

TIME_AGGREGATIONS: Final = ("sum", "mean", "last", "min", "max", "ratio_of_sums", "weighted_mean")
ORG_AGGREGATIONS: Final = ("sum", "mean", "weighted_mean", "min", "max", "ratio_of_sums", "none")

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
_S = TypeVar("_S", bound=np.generic)


# --------------------------------------------------------------------------- shared helpers
# rollup.py imports these too; they live here only because this module came first.


def _name_codes(names: object, choices: Sequence[str], what: str) -> IntArray:
    """Map one name or an array of names (or integer codes) to indices into ``choices``."""
    arr = np.asarray(names)
    if arr.dtype.kind in "iu":
        bad = (arr < 0) | (arr >= len(choices))
        if bad.any():
            raise ModelError(
                f"{what} code {int(arr[bad].flat[0])} is out of range; "
                f"use 0..{len(choices) - 1} for {', '.join(choices)}."
            )
        return arr.astype(np.int64)
    if arr.dtype.kind not in "OUS":
        raise ModelError(f"{what} must be names (strings), got an array of dtype {arr.dtype}.")
    uniq, inverse = np.unique(arr.astype(str).ravel(), return_inverse=True)
    lookup = {name: i for i, name in enumerate(choices)}
    for name in uniq.tolist():  # distinct names only: a handful
        if name not in lookup:
            raise UnknownMethodError(
                f"unknown {what} {name!r}; choose one of {', '.join(choices)}."
                + did_you_mean(name, choices)
            )
    table = np.array([lookup[name] for name in uniq.tolist()], dtype=np.int64)
    return table[inverse].reshape(arr.shape)


def _index(index: npt.ArrayLike, n_rows: int, n_groups: int, what: str) -> IntArray:
    """Validate an int index per row in ``[-1, n_groups)``; -1 means "belongs to no group"."""
    arr = np.asarray(index)
    if arr.shape != (n_rows,):
        raise ModelError(f"{what} must have shape ({n_rows},), one entry per row; got {arr.shape}.")
    if arr.size and arr.dtype.kind not in "iu":
        raise ModelError(f"{what} must hold integers, got dtype {arr.dtype}.")
    bad = (arr < -1) | (arr >= n_groups)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ModelError(
            f"{what}[{i}] = {int(arr[i])} is outside [0, {n_groups}); "
            "use -1 for rows that belong to no group."
        )
    return arr.astype(np.int64)


@attrs.frozen(kw_only=True, eq=False)
class _Segments:
    """Rows sorted by group once, so that every per-group reduction is one ``reduceat``."""

    order: IntArray  # original row of each sorted row; rows of group -1 are dropped
    group: IntArray  # group of each sorted row (ascending)
    n_groups: int
    nonempty: BoolArray  # (n_groups,)
    starts: IntArray  # first sorted row of each non-empty group

    @classmethod
    def build(cls, group: IntArray, n_groups: int) -> _Segments:
        kept = np.flatnonzero(group >= 0)
        order = kept[np.argsort(group[kept], kind="stable")]
        sorted_group = group[order]
        counts = np.bincount(sorted_group, minlength=n_groups)
        offsets = np.concatenate(([0], np.cumsum(counts)[:-1])).astype(np.int64)
        nonempty = counts > 0
        return cls(
            order=order,
            group=sorted_group,
            n_groups=n_groups,
            nonempty=nonempty,
            starts=offsets[nonempty],
        )

    @property
    def groups(self) -> IntArray:
        """Ids of the non-empty groups, the rows of :meth:`reduce_compact`."""
        return np.flatnonzero(self.nonempty)

    def reduce_compact(self, ufunc: np.ufunc, x: npt.NDArray[_S]) -> npt.NDArray[_S]:
        """Reduce sorted rows ``x`` per non-empty group along axis 0."""
        if self.starts.size == 0:
            return np.empty((0, *x.shape[1:]), dtype=x.dtype)
        # reduceat returns x[start] for an empty segment, so only non-empty starts are passed.
        result: npt.NDArray[_S] = ufunc.reduceat(x, self.starts, axis=0)
        return result

    def reduce(self, ufunc: np.ufunc, x: npt.NDArray[_S], fill: object) -> npt.NDArray[_S]:
        """Reduce sorted rows ``x`` per group; empty groups get ``fill``."""
        out = np.full((self.n_groups, *x.shape[1:]), fill, dtype=x.dtype)
        out[self.nonempty] = self.reduce_compact(ufunc, x)
        return out

    def sum(self, x: npt.NDArray[_S]) -> npt.NDArray[_S]:
        return self.reduce(np.add, x, 0)

    def any(self, x: BoolArray) -> BoolArray:
        return self.reduce(np.logical_or, x, False).astype(np.bool_)


def _divide(num: FloatArray, den: FloatArray, ok: BoolArray | None = None) -> FloatArray:
    """``num / den`` where ``den > 0`` (and ``ok``), NaN elsewhere, without warnings."""
    where = den > 0 if ok is None else (den > 0) & ok
    out = np.full(np.broadcast_shapes(num.shape, den.shape), np.nan)
    np.divide(num, den, out=out, where=where)
    return out


def _float_array(x: npt.ArrayLike, shape: tuple[int, ...], what: str) -> FloatArray:
    arr = np.asarray(x, dtype=np.float64)
    if arr.shape != shape:
        raise ModelError(f"{what} must have shape {shape}, got {arr.shape}.")
    return arr


def _weights(x: npt.ArrayLike, shape: tuple[int, ...], what: str) -> FloatArray:
    arr = _float_array(x, shape, what)
    bad = ~np.isfinite(arr) | (arr < 0)
    if bad.any():
        i = np.unravel_index(int(np.flatnonzero(bad)[0]), shape)
        raise ModelError(
            f"{what}{list(i)} = {arr[i]}; weights must be finite and >= 0 "
            "(use 0 to leave an entry out)."
        )
    return arr


# --------------------------------------------------------------------------- time grouping


@attrs.frozen(kw_only=True, eq=False)
class Grouped:
    """Result of :func:`group_values`, one entry per group.

    Attributes
    ----------
    value
        The aggregated value, NaN for groups without usable rows.
    numerator, denominator
        Sums of the numerator and denominator over the group's usable rows (for ``last``: the
        chosen row's, because a stock's numerator and denominator do not add up over time).
        NaN when not given or when no usable row has one. Carried for every method so that a
        later org level can recompute a ratio of sums.
    weight
        Sum of the row weights (1 per row by default) over the usable rows.
    count
        Number of usable rows: non-NaN value, or for ``ratio_of_sums`` non-NaN numerator and
        denominator.
    """

    value: FloatArray
    numerator: FloatArray
    denominator: FloatArray
    weight: FloatArray
    count: IntArray


def group_values(
    group: npt.ArrayLike,
    n_groups: int,
    value: npt.ArrayLike,
    *,
    how: npt.ArrayLike | str,
    order: npt.ArrayLike | None = None,
    numerator: npt.ArrayLike | None = None,
    denominator: npt.ArrayLike | None = None,
    weight: npt.ArrayLike | None = None,
) -> Grouped:
    """Aggregate observation rows into groups, each group with its own method.

    Parameters
    ----------
    group
        Int group per row in ``[0, n_groups)``, or -1 to drop the row.
    n_groups
        Number of groups; groups without rows come back NaN with count 0.
    value
        Float value per row; NaN rows are skipped.
    how
        A name from :data:`TIME_AGGREGATIONS` for all rows, or one name (or integer code into
        :data:`TIME_AGGREGATIONS`) per row. All rows of a group must share one method.
    order
        Sort key per row (dates, ordinals, as-of stamps) deciding ``last``: the usable row with
        the largest key wins; on ties the row that comes later in the input wins, so ``last``
        is the only method that depends on row order. Default: input order.
    numerator, denominator
        Per-row parts of a ratio; required when any row uses ``ratio_of_sums``, whose value is
        ``sum(numerator) / sum(denominator)`` (NaN, without a warning, if that sum is 0).
    weight
        Per-row weights ``>= 0`` for ``weighted_mean`` (``sum(v*w) / sum(w)``); default 1.

    Returns
    -------
    Grouped

    Raises
    ------
    ModelError
        On shape mismatches, negative weights, a group mixing methods, or ``ratio_of_sums``
        without numerator and denominator.
    UnknownMethodError
        On a name not in :data:`TIME_AGGREGATIONS`.

    Examples
    --------
    Two months of a ratio indicator (2 of 4, then 2 of 100) pool to 4/104, not 25.5 %:

    >>> g = group_values([0, 0], 1, [0.5, 0.02], how="ratio_of_sums",
    ...                  numerator=[2, 2], denominator=[4, 100])
    >>> print(np.round(g.value, 5), g.numerator, g.denominator, g.count)
    [0.03846] [4.] [104.] [2]

    ``last`` takes the row with the largest order key:

    >>> group_values([0, 0, 1], 2, [3.0, 5.0, 7.0], how="last", order=[2, 1, 1]).value
    array([3., 7.])
    """
    v = np.asarray(value, dtype=np.float64)
    if v.ndim != 1:
        raise ModelError(f"value must be one-dimensional (one entry per row), got shape {v.shape}.")
    n = v.shape[0]
    g = _index(group, n, n_groups, "group")
    codes_in = _name_codes(how, TIME_AGGREGATIONS, "time aggregation")
    if codes_in.ndim not in (0, 1) or (codes_in.ndim == 1 and codes_in.shape != (n,)):
        raise ModelError(f"how must be one name or one per row ({n}), got shape {codes_in.shape}.")
    codes = np.broadcast_to(codes_in, (n,))
    num = None if numerator is None else _float_array(numerator, (n,), "numerator")
    den = None if denominator is None else _float_array(denominator, (n,), "denominator")
    w = np.ones(n) if weight is None else _weights(weight, (n,), "weight")

    ratio = TIME_AGGREGATIONS.index("ratio_of_sums")
    is_ratio = codes == ratio
    if num is None or den is None:
        if is_ratio.any():
            raise ModelError(
                "how='ratio_of_sums' needs numerator= and denominator= arrays; "
                "pass both, or use 'mean' if averaging ratios is really meant."
            )
        used = ~np.isnan(v)
    else:
        used = np.where(is_ratio, ~np.isnan(num) & ~np.isnan(den), ~np.isnan(v))
    used &= g >= 0

    # Fast path: when no group has two usable rows (monthly data reviewed monthly), every
    # method returns the row itself, so a scatter replaces the sort-and-reduce.
    if not used.any() or np.bincount(g[used], minlength=n_groups).max() <= 1:
        return _scatter_single(g, n_groups, used, v, num, den, w, is_ratio)

    seg = _Segments.build(g, n_groups)
    rows = seg.order
    group_how = seg.reduce(np.minimum, codes[rows], -1)
    mixed = group_how != seg.reduce(np.maximum, codes[rows], -1)
    if mixed.any():
        i = int(np.flatnonzero(mixed)[0])
        raise ModelError(
            f"group {i} mixes time aggregations (one is {TIME_AGGREGATIONS[group_how[i]]!r}); "
            "give all rows of a group the same how."
        )

    u = used[rows]
    count = seg.sum(u.astype(np.int64)).astype(np.int64)
    has = count > 0
    vs = np.where(u, v[rows], 0.0)
    ws = np.where(u, w[rows], 0.0)
    weight_sum = seg.sum(ws).astype(np.float64)

    def part_sum(part: FloatArray | None) -> FloatArray:
        if part is None:
            return np.full(n_groups, np.nan)
        ok = u & ~np.isnan(part[rows])
        total = seg.sum(np.where(ok, part[rows], 0.0)).astype(np.float64)
        return np.where(seg.any(ok), total, np.nan)

    num_out, den_out = part_sum(num), part_sum(den)
    out = np.full(n_groups, np.nan)
    for code in np.unique(group_how[has]).tolist():  # distinct methods only
        name = TIME_AGGREGATIONS[code]
        mask = has & (group_how == code)
        if name == "sum":
            stat = seg.sum(vs).astype(np.float64)
        elif name == "mean":
            stat = seg.sum(vs).astype(np.float64) / np.maximum(count, 1)
        elif name == "weighted_mean":
            stat = _divide(seg.sum(vs * ws).astype(np.float64), weight_sum)
        elif name == "min":
            stat = seg.reduce(np.minimum, np.where(u, v[rows], np.inf), np.nan).astype(np.float64)
        elif name == "max":
            stat = seg.reduce(np.maximum, np.where(u, v[rows], -np.inf), np.nan).astype(np.float64)
        elif name == "ratio_of_sums":
            stat = _divide(num_out, den_out, ~np.isnan(num_out))
        else:  # last
            stat, last_num, last_den = _last(g, n_groups, used, v, num, den, order)
            num_out = np.where(mask, last_num, num_out)
            den_out = np.where(mask, last_den, den_out)
        out = np.where(mask, stat, out)
    return Grouped(
        value=out, numerator=num_out, denominator=den_out, weight=weight_sum, count=count
    )


def _scatter_single(
    g: IntArray,
    n_groups: int,
    used: BoolArray,
    v: FloatArray,
    num: FloatArray | None,
    den: FloatArray | None,
    w: FloatArray,
    is_ratio: BoolArray,
) -> Grouped:
    """:func:`group_values` when each group holds at most one usable row."""
    rows = np.flatnonzero(used)
    at = g[rows]

    def scatter(x: FloatArray | None) -> FloatArray:
        if x is None:
            # Read-only NaN view: an absent column costs no memory.
            return np.broadcast_to(np.float64(np.nan), (n_groups,))
        out = np.full(n_groups, np.nan)
        out[at] = x[rows]
        return out

    num_out, den_out = scatter(num), scatter(den)
    value = scatter(v)
    if num is not None and den is not None and is_ratio.any():
        ratio_rows = rows[is_ratio[rows]]
        value[g[ratio_rows]] = _divide(num[ratio_rows], den[ratio_rows])
    weight = np.zeros(n_groups)
    weight[at] = w[rows]
    count = np.zeros(n_groups, dtype=np.int64)
    count[at] = 1
    return Grouped(value=value, numerator=num_out, denominator=den_out, weight=weight, count=count)


def _last(
    g: IntArray,
    n_groups: int,
    used: BoolArray,
    v: FloatArray,
    num: FloatArray | None,
    den: FloatArray | None,
    order: npt.ArrayLike | None,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Value, numerator and denominator of the usable row with the largest order per group."""
    idx = np.flatnonzero(used)
    if order is None:
        key = idx
    else:
        ordv = np.asarray(order)
        if ordv.shape != v.shape:
            raise ModelError(f"order must have shape {v.shape}, one key per row; got {ordv.shape}.")
        key = ordv[idx]
    # Sorting by (group, order, input position) puts each group's winner at the end of its run.
    srt = idx[np.lexsort((idx, key, g[idx]))]
    gs = g[srt]
    is_last = np.ones(srt.size, dtype=np.bool_)
    is_last[:-1] = gs[1:] != gs[:-1]
    chosen, chosen_group = srt[is_last], gs[is_last]
    outs = []
    for arr in (v, num, den):
        out = np.full(n_groups, np.nan)
        if arr is not None:
            out[chosen_group] = arr[chosen]
        outs.append(out)
    return outs[0], outs[1], outs[2]


# --------------------------------------------------------------------------- org tree


def aggregate_tree(
    values: npt.ArrayLike,
    *,
    parent: npt.ArrayLike,
    depth: npt.ArrayLike,
    how: npt.ArrayLike | str,
    numerator: npt.ArrayLike | None = None,
    denominator: npt.ArrayLike | None = None,
    unit_weight: npt.ArrayLike | None = None,
    keep_own: bool = True,
) -> tuple[FloatArray, FloatArray, FloatArray, npt.NDArray[np.int32]]:
    """Fill org units from their children, bottom-up, one method per indicator.

    Parameters
    ----------
    values
        ``(n_units, n_indicators, n_periods)`` floats, NaN where a unit has no value.
    parent
        ``(n_units,)`` parent unit index, -1 for a root (several roots make a forest).
    depth
        ``(n_units,)`` depth, 0 for roots and ``depth[parent] + 1`` for everyone else.
    how
        ``(n_indicators,)`` names from :data:`ORG_AGGREGATIONS` (or one name for all).
        ``none`` never aggregates: a unit keeps only its own value.
    numerator, denominator
        Same shape as ``values``; required when an indicator uses ``ratio_of_sums``, which
        recomputes ``sum(numerator) / sum(denominator)`` over the present children. For such
        indicators a unit counts as present when it has both a numerator and a denominator.
    unit_weight
        ``(n_units,)`` weights ``>= 0``; required for ``weighted_mean``.
    keep_own
        If True (default) a unit that has its own observed value keeps it, together with its
        own numerator and denominator: reported data win over a computed aggregate (e.g. a
        region reporting its audited total). If False, the aggregate of the children replaces
        it wherever at least one child is present.

    Returns
    -------
    values, numerator, denominator : ndarray
        Float arrays shaped like ``values``; numerator and denominator are NaN when not given.
    source_count : ndarray
        int64, shaped like ``values``: how many own observations (a unit's own value, or the
        leaves and own values below it) the value rests on; 0 where the value is missing.

    Notes
    -----
    Children whose value is missing are skipped; a parent with no present child keeps its own
    value, or stays NaN. Levels are processed deepest first, so a parent sees its children's
    already aggregated values.

    Examples
    --------
    A root (0) with two children (1, 2); indicator 0 sums, indicator 1 keeps own values only:

    >>> vals = np.array([[[np.nan], [9.0]], [[2.0], [1.0]], [[3.0], [np.nan]]])
    >>> v, _, _, n = aggregate_tree(vals, parent=[-1, 0, 0], depth=[0, 1, 1],
    ...                             how=["sum", "none"])
    >>> v[0].ravel().tolist(), n[0].ravel().tolist()
    ([5.0, 9.0], [2, 1])
    """
    v = np.array(values, dtype=np.float64)  # a copy: levels are written in place
    if v.ndim != 3:
        raise ModelError(
            f"values must have shape (n_units, n_indicators, n_periods), got {v.shape}."
        )
    n_units, n_ind, _ = v.shape
    par = _index(parent, n_units, n_units, "parent")
    dep = np.asarray(depth)
    if dep.shape != (n_units,) or (dep.size and dep.dtype.kind not in "iu"):
        raise ModelError(f"depth must be ({n_units},) integers, got {dep.shape} {dep.dtype}.")
    expected = np.where(par < 0, 0, dep[np.maximum(par, 0)] + 1)
    bad = dep != expected
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ModelError(
            f"unit {i} has depth {int(dep[i])} but its parent {int(par[i])} implies "
            f"{int(expected[i])}; roots have depth 0 and children depth[parent] + 1 "
            "(a cycle in parent also shows up here)."
        )

    codes_in = _name_codes(how, ORG_AGGREGATIONS, "org aggregation")
    codes = np.broadcast_to(codes_in, (n_ind,)) if codes_in.ndim == 0 else codes_in
    if codes.shape != (n_ind,):
        raise ModelError(f"how must have shape ({n_ind},), one per indicator; got {codes.shape}.")
    used_names = {ORG_AGGREGATIONS[c] for c in np.unique(codes).tolist()}
    if "ratio_of_sums" in used_names and (numerator is None or denominator is None):
        raise ModelError(
            "an indicator aggregates by 'ratio_of_sums'; pass numerator= and denominator= "
            "arrays shaped like values."
        )
    # Without ratio parts there is nothing to carry up: skip them instead of summing NaN.
    has_parts = numerator is not None or denominator is not None

    def part_array(x: npt.ArrayLike | None, what: str) -> FloatArray:
        if x is not None:
            return _float_array(x, v.shape, what).copy()
        if has_parts:
            return np.full(v.shape, np.nan)
        # With no parts at all nothing is ever written: one read-only NaN view, no memory.
        return np.broadcast_to(np.float64(np.nan), v.shape)

    num = part_array(numerator, "numerator")
    den = part_array(denominator, "denominator")
    if "weighted_mean" in used_names and unit_weight is None:
        raise ModelError("an indicator aggregates by 'weighted_mean'; pass unit_weight=.")
    uw = (
        np.ones(n_units)
        if unit_weight is None
        else _weights(unit_weight, (n_units,), "unit_weight")
    )

    code3 = codes[None, :, None]
    is_ratio = code3 == ORG_AGGREGATIONS.index("ratio_of_sums")
    if has_parts:
        own = np.where(is_ratio, ~np.isnan(num) & ~np.isnan(den), ~np.isnan(v))
    else:
        own = ~np.isnan(v)
    count = own.astype(np.int32)

    for d in range(int(dep.max(initial=0)), 0, -1):  # depth levels only, never units
        kids = np.flatnonzero(dep == d)
        seg = _Segments.build(par[kids], n_units)
        rows = kids[seg.order]
        cv = v[rows]
        if has_parts:
            cn, cd = num[rows], den[rows]
            present = np.where(is_ratio, ~np.isnan(cn) & ~np.isnan(cd), ~np.isnan(cv))
        else:
            present = ~np.isnan(cv)
        n_present = seg.reduce_compact(np.add, present.astype(np.int32))
        any_child = n_present > 0

        def csum(x: FloatArray, seg: _Segments = seg) -> FloatArray:
            return seg.reduce_compact(np.add, x).astype(np.float64)

        def part(arr: FloatArray, present: BoolArray = present) -> FloatArray:
            ok = present & ~np.isnan(arr)
            return np.where(csum(ok.astype(np.float64)) > 0, csum(np.where(ok, arr, 0.0)), np.nan)

        if has_parts:
            n_agg, d_agg = part(cn), part(cd)
        else:
            n_agg = d_agg = np.full(n_present.shape, np.nan)
        sums: FloatArray | None = None
        agg = np.full(n_present.shape, np.nan)
        has = np.zeros(n_present.shape, dtype=np.bool_)
        for name in used_names - {"none"}:  # a handful of method names
            if name in ("sum", "mean"):
                if sums is None:
                    sums = csum(np.where(present, cv, 0.0))
                stat = sums if name == "sum" else sums / np.maximum(n_present, 1)
                ok = any_child
            elif name == "weighted_mean":
                wk = np.broadcast_to(uw[rows][:, None, None], cv.shape)
                wsum = csum(np.where(present, wk, 0.0))
                stat = _divide(csum(np.where(present, cv * wk, 0.0)), wsum)
                ok = wsum > 0
            elif name in ("min", "max"):
                ufunc, fill = (np.minimum, np.inf) if name == "min" else (np.maximum, -np.inf)
                stat = seg.reduce_compact(ufunc, np.where(present, cv, fill)).astype(np.float64)
                ok = any_child
            else:  # ratio_of_sums: NaN value if the denominators add up to 0, parts still carried
                stat = _divide(n_agg, d_agg, ~np.isnan(n_agg))
                ok = any_child
            mask = code3 == ORG_AGGREGATIONS.index(name)
            agg = np.where(mask & ok, stat, agg)
            has |= mask & ok

        pids = seg.groups
        take = has & ~own[pids] if keep_own else has
        v[pids] = np.where(take, agg, v[pids])
        if has_parts:
            num[pids] = np.where(take, n_agg, num[pids])
            den[pids] = np.where(take, d_agg, den[pids])
        sources = seg.reduce_compact(np.add, np.where(present, count[rows], 0))
        count[pids] = np.where(take, sources, count[pids])
    return v, num, den, count
