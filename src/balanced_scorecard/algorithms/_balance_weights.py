"""Effective weights and the share arithmetic of the balance rules.

An indicator's effective weight is its share of the scorecard's total score (the rollup's
weights multiplied down the tree). The leading/lagging summary and the time-horizon balance
both sum weights and counts per group and divide them into shares; those helpers live here,
with the check of a share-valued option (a warning level).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
import pandas as pd

from balanced_scorecard.exceptions import ModelError

if TYPE_CHECKING:
    from balanced_scorecard.model.scorecard import Scorecard

__all__ = [
    "FloatArray",
    "IntArray",
    "check_level",
    "effective_arrays",
    "effective_weights",
    "share_of",
    "sum_by",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]


def check_level(name: str, level: float) -> None:
    """Reject a warning level that is not a share in (0, 1]."""
    if not (isinstance(level, int | float) and 0.0 < level <= 1.0):
        raise ModelError(f"{name}={level!r} must be a share in (0, 1], e.g. 0.6 for 60 %")


def _normalise(weights: FloatArray, group: IntArray, n_groups: int) -> FloatArray:
    """Each weight over its group's total; 0 where the group's total is 0."""
    total = np.bincount(group, weights=weights, minlength=n_groups)
    denominator = total[group]
    return np.divide(weights, denominator, out=np.zeros_like(weights), where=denominator > 0)


def effective_arrays(scorecard: Scorecard) -> tuple[FloatArray, IntArray, IntArray]:
    """Effective weights of the indicators, and their objective and perspective indices."""
    o_index = {o.id: k for k, o in enumerate(scorecard.objectives)}
    p_index = {p.id: k for k, p in enumerate(scorecard.perspectives)}
    n_o, n_p = len(o_index), len(p_index)
    ind_obj = np.array([o_index[i.objective] for i in scorecard.indicators], dtype=np.intp)
    obj_persp = np.array([p_index[o.perspective] for o in scorecard.objectives], dtype=np.intp)
    ind_w = np.array([i.weight.value for i in scorecard.indicators], dtype=np.float64)
    obj_w = np.array([o.weight.value for o in scorecard.objectives], dtype=np.float64)
    p_w = np.array([p.weight.value for p in scorecard.perspectives], dtype=np.float64)
    # A parent counts for its own parent only when some child carries weight, as in the
    # rollup with the default missing policy (an unscorable part is renormalised away).
    obj_w = obj_w * (np.bincount(ind_obj, weights=ind_w, minlength=n_o) > 0)
    p_w = p_w * (np.bincount(obj_persp, weights=obj_w, minlength=n_p) > 0)
    obj_local = _normalise(obj_w, obj_persp, n_p)
    p_local = _normalise(p_w, np.zeros(n_p, dtype=np.intp), 1)
    ind_persp = obj_persp[ind_obj]
    eff = _normalise(ind_w, ind_obj, n_o) * obj_local[ind_obj] * p_local[ind_persp]
    return eff, ind_obj, ind_persp


def effective_weights(scorecard: Scorecard) -> pd.Series:
    """Each indicator's share of the scorecard's total score: its weight within its objective,
    times its objective's within its perspective, times its perspective's within the scorecard.

    Initial weights (``weight.value``) are used. As in the rollup, an objective whose
    indicators all weigh 0 (or that has none) is left out of its perspective and the others
    are renormalised; the same for perspectives. The weights add up to 1 unless every weight
    is 0.

    Returns
    -------
    pandas.Series
        Float weights indexed by indicator id (named ``effective_weight``), in document order.

    Examples
    --------
    >>> from balanced_scorecard.model import Indicator, Objective, Perspective, Scorecard
    >>> sc = Scorecard(id="demo",
    ...     perspectives=[Perspective(id="financial", weight=3), Perspective(id="customer")],
    ...     objectives=[Objective(id="grow", perspective="financial"),
    ...                 Objective(id="serve", perspective="customer")],
    ...     indicators=[Indicator(id="revenue", objective="grow", weight=1),
    ...                 Indicator(id="margin", objective="grow", weight=3),
    ...                 Indicator(id="csat", objective="serve")])
    >>> effective_weights(sc).to_dict()  # 3/4 * 1/4, 3/4 * 3/4, 1/4
    {'revenue': 0.1875, 'margin': 0.5625, 'csat': 0.25}
    """
    eff, _, _ = effective_arrays(scorecard)
    index = pd.Index([i.id for i in scorecard.indicators], dtype=str, name="indicator")
    return pd.Series(eff, index=index, name="effective_weight")


def sum_by(group: IntArray, n: int, weights: FloatArray | None = None) -> FloatArray:
    """Per-group sums of ``weights`` (counts when None), as floats."""
    return np.asarray(np.bincount(group, weights=weights, minlength=n), dtype=np.float64)


def share_of(part: FloatArray, whole: FloatArray) -> FloatArray:
    """``part / whole`` clipped to [0, 1]; NaN where ``whole`` is 0."""
    out = np.full(part.shape, np.nan)
    np.divide(part, whole, out=out, where=whole > 0)
    return np.asarray(np.clip(out, 0.0, 1.0), dtype=np.float64)
