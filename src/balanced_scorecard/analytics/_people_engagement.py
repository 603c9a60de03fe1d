"""Engagement index from survey items: favourable shares and Cronbach's alpha.

The public door is :mod:`balanced_scorecard.analytics.people`, whose docstring states the
conventions.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

import attrs
import numpy as np
import pandas as pd

from balanced_scorecard.analytics._frames import require_columns
from balanced_scorecard.analytics._segments import (
    By,
    finish_segments,
    group_by_segment,
    group_keys,
    safe_ratio,
    segment_columns,
    segment_frame,
)
from balanced_scorecard.exceptions import ModelError, ObservationError

__all__ = ["Engagement", "engagement_index"]


@attrs.frozen(kw_only=True, eq=False)
class Engagement:
    """Result of :func:`engagement_index`.

    Attributes
    ----------
    summary
        One row per segment: ``respondents``, ``complete`` (answered every item),
        ``engagement`` (mean over items of the favourable share, in [0, 1]) and ``alpha``
        (Cronbach's alpha over the complete responses; NaN with fewer than two items, fewer
        than two complete responses, or no variation in the total).
    items
        One row per segment and item: ``answered``, ``favourable``, ``favourable_share`` and
        ``mean`` (after reverse scoring) and whether the item was ``reversed``.
    """

    summary: pd.DataFrame
    items: pd.DataFrame


def engagement_index(
    responses: pd.DataFrame,
    *,
    items: Sequence[str],
    reverse: Collection[str] = (),
    scale: tuple[float, float] = (1, 5),
    favourable: float = 4,
    by: By = None,
) -> Engagement:
    """Engagement index from survey items: the mean favourable share, with Cronbach's alpha.

    Parameters
    ----------
    responses
        One row per respondent, one column per item (missing answers as NaN).
    items
        The item columns making up the index.
    reverse
        Items worded negatively ("I often think of leaving"): scored ``lo + hi - answer``
        before anything else.
    scale
        Lowest and highest answer.
    favourable
        An answer (after reverse scoring) at or above this is favourable: 4 and 5 on 1–5.
    by
        Segment column(s).

    Notes
    -----
    Each item's favourable share is taken over those who answered it, and the index is the
    plain mean of the item shares, so every item weighs the same whatever its response count.
    Cronbach's alpha is ``k / (k − 1) · (1 − Σ var(item) / var(total))`` over the responses
    that answered all ``k`` items (sample variances).

    Examples
    --------
    Two items on 1–5, the second reverse-scored (6 − answer). Reversed, the answers are
    q1 = 5, 4, 2 and q2 = 5, 4, 1: favourable shares 2/3 and 2/3, index 2/3. Totals 10, 8, 3
    (variance 13); item variances 7/3 and 13/3: alpha = 2 · (1 − (20/3) / 13) = 0.974.

    >>> df = pd.DataFrame({"q1": [5, 4, 2], "q2": [1, 2, 5]})
    >>> res = engagement_index(df, items=["q1", "q2"], reverse=["q2"])
    >>> res.summary.round(3)
       respondents  complete  engagement  alpha
    0            3         3       0.667  0.974
    """
    cols = segment_columns(by)
    item_list = list(items)
    if not item_list or len(set(item_list)) != len(item_list):
        raise ModelError(f"items must name at least one column, each once; got {item_list}")
    unknown = sorted(set(reverse) - set(item_list))
    if unknown:
        raise ModelError(f"reverse names {unknown}, which are not among items {item_list}")
    lo, hi = scale
    if not lo < hi:
        raise ModelError(f"scale must be (lowest, highest) with lowest < highest; got {scale}")
    if not lo < favourable <= hi:
        raise ModelError(f"favourable must lie in ({lo:g}, {hi:g}]; got {favourable}")
    frame = require_columns(responses, [*item_list, *cols], what="responses", options="items=, by=")
    answers = (
        frame[item_list]
        .apply(pd.to_numeric, errors="coerce")
        .to_numpy(dtype=np.float64, na_value=np.nan)
    )
    given = frame[item_list].notna().to_numpy()
    off = (np.isnan(answers) & given) | (answers < lo) | (answers > hi)
    if off.any():
        row, col = (int(i[0]) for i in np.nonzero(off))
        raise ObservationError(
            f"{int(off.sum())} answer(s) are not numbers from {lo:g} to {hi:g} (first: item "
            f"{item_list[col]!r}, row {row}: {frame[item_list[col]].iloc[row]!r}); fix the "
            "scale= option or the data"
        )
    flip = np.isin(np.asarray(item_list, dtype=object), list(reverse))
    scored = np.where(flip, lo + hi - answers, answers)
    answered = ~np.isnan(scored)
    if not answered.any(axis=1).all():
        first = int(np.flatnonzero(~answered.any(axis=1))[0])
        raise ObservationError(
            f"{int((~answered.any(axis=1)).sum())} respondent(s) answered no item (first at "
            f"row {first}); drop the empty responses"
        )
    complete = answered.all(axis=1)
    k = len(item_list)
    fav = np.where(answered, scored >= favourable, False)

    # Per item, long form: one groupby over (segment, item).
    long = pd.DataFrame(
        {
            "item": np.tile(np.asarray(item_list, dtype=object), len(frame)),
            "answered": answered.ravel(),
            "favourable": fav.ravel(),
            "_score": scored.ravel(),
        }
    )
    keys = group_keys(cols)
    seg = segment_frame(frame, cols, {})
    for c in keys:
        long[c] = np.repeat(seg[c].to_numpy(), k)
    gi = long.groupby([*keys, "item"], sort=False, observed=True, dropna=False)
    per_item = pd.DataFrame(
        {
            "answered": gi["answered"].sum().astype(np.int64),
            "favourable": gi["favourable"].sum().astype(np.int64),
            "mean": gi["_score"].mean(),
        }
    )
    per_item["favourable_share"] = safe_ratio(per_item["favourable"], per_item["answered"])
    per_item = per_item.reset_index()
    per_item["reversed"] = per_item["item"].isin(list(reverse))

    # Cronbach's alpha over the complete responses, per segment.
    full = pd.DataFrame(scored[complete], columns=[f"_i{j}" for j in range(k)])
    full["_total"] = scored[complete].sum(axis=1)
    for c in keys:
        full[c] = seg[c].to_numpy()[complete]
    variances = full.groupby(keys, sort=True, observed=True, dropna=False).var(ddof=1)
    item_var = variances[[f"_i{j}" for j in range(k)]].sum(axis=1).to_numpy(dtype=np.float64)
    total_var = variances["_total"].to_numpy(dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        alpha_values = (
            np.where(total_var > 0, k / (k - 1) * (1 - item_var / total_var), np.nan)
            if k > 1
            else np.full(len(variances), np.nan)
        )
    alpha = pd.Series(alpha_values, index=variances.index, dtype=np.float64)

    counts = group_by_segment(
        segment_frame(
            frame, cols, {"respondents": np.ones(len(frame), np.int64), "complete": complete}
        ),
        cols,
    ).sum()
    share_by_seg = per_item.groupby(keys, sort=True, observed=True, dropna=False)[
        "favourable_share"
    ].mean()
    summary = pd.DataFrame(
        {
            "respondents": counts["respondents"].astype(np.int64),
            "complete": counts["complete"].astype(np.int64),
            "engagement": share_by_seg,
        }
    )
    summary["alpha"] = alpha.reindex(summary.index)
    item_cols = [*cols, "item", "answered", "favourable", "favourable_share", "mean", "reversed"]
    per_item = per_item.sort_values(keys, kind="stable")[item_cols].reset_index(drop=True)
    return Engagement(summary=finish_segments(summary, cols), items=per_item)
