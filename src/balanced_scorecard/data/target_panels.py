"""Target panels: target sets and indicator thresholds resolved to one value per cell.

Part of the evaluation pipeline, between org aggregation and scoring. Target rows are expanded
to cells with numpy (repeat and arithmetic, no loop per row or period), and the last writer of
a cell wins.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from balanced_scorecard.algorithms.aggregation import aggregate_tree
from balanced_scorecard.data.periods import parse_periods
from balanced_scorecard.model.enums import Frequency, OrgAggregation
from balanced_scorecard.model.scorecard import Scorecard
from balanced_scorecard.model.targets import THRESHOLD_FIELDS, TargetSet

__all__ = ["target_panels"]


def target_panels(
    scorecard: Scorecard,
    target_set: TargetSet | None,
    *,
    units: tuple[str, ...],
    periods: np.ndarray,
    freq: Frequency,
    parent: np.ndarray,
    depth: np.ndarray,
) -> dict[str, np.ndarray]:
    """Every threshold field as a panel ``(org unit, indicator, period)``.

    Precedence, lowest first: the indicator's own thresholds; for additive (``sum``)
    indicators, the sum of the children's targets where a unit has none of its own;
    company-wide target rows; rows for the unit. Within one kind of row, the later row wins.
    A field nobody sets comes back as a read-only NaN view that costs no memory.
    """
    n_u, n_i, n_p = len(units), len(scorecard.indicators), len(periods)
    p0 = int(periods[0])
    rows = target_set.targets if target_set is not None else ()
    defaults = {
        f: np.array(
            [
                np.nan if getattr(i.thresholds, f) is None else getattr(i.thresholds, f)
                for i in scorecard.indicators
            ]
        )
        for f in THRESHOLD_FIELDS
    }
    # A field nobody sets stays a zero-memory NaN view instead of a full panel.
    used = {
        f
        for f in THRESHOLD_FIELDS
        if any(getattr(t, f) is not None for t in rows) or not np.isnan(defaults[f]).all()
    }
    out = {f: np.full((n_u, n_i, n_p), np.nan) for f in used}
    if rows:
        ind_pos = {i.id: k for k, i in enumerate(scorecard.indicators)}
        unit_pos = {u: k for k, u in enumerate(units)}
        frame = pd.DataFrame(
            {
                "i": [ind_pos.get(t.indicator, -1) for t in rows],
                "u": [unit_pos.get(t.org_unit, -2) if t.org_unit else -1 for t in rows],
                "start": [t.start for t in rows],
                "end": [t.end for t in rows],
                **{f: [getattr(t, f) for t in rows] for f in THRESHOLD_FIELDS},
            }
        )
        # Rows for units outside the evaluated subtree (-2) or unknown indicators do not apply.
        frame = frame[(frame["i"] >= 0) & (frame["u"] >= -1)].reset_index(drop=True)
        start, bad_s = parse_periods(frame["start"].fillna(""), freq)
        end, bad_e = parse_periods(frame["end"].fillna(""), freq)
        s = np.where(frame["start"].isna() | bad_s, p0, start) - p0
        e = np.where(frame["end"].isna() | bad_e, p0 + n_p - 1, end) - p0
        s, e = np.clip(s, 0, n_p), np.clip(e, -1, n_p - 1)
        span = np.maximum(e - s + 1, 0)
        # Company-wide rows first, unit rows after, so unit rows win; file order within each.
        priority = np.lexsort((np.arange(len(frame)), frame["u"].to_numpy() >= 0))
        span, s = span[priority], s[priority]
        fr = frame.iloc[priority]
        n_units_row = np.where(fr["u"].to_numpy() >= 0, 1, n_u)
        cells = span * n_units_row
        r = np.repeat(np.arange(len(fr)), cells)
        within = np.arange(cells.sum()) - np.repeat(np.cumsum(cells) - cells, cells)
        row_span = np.maximum(span[r], 1)
        p_idx = s[r] + within % row_span
        u_idx = np.where(fr["u"].to_numpy()[r] >= 0, fr["u"].to_numpy()[r], within // row_span)
        i_idx = fr["i"].to_numpy()[r]
        flat = (u_idx * n_i + i_idx) * n_p + p_idx
        for f in sorted(used):
            vals = fr[f].to_numpy(dtype=np.float64)[r]
            have = ~np.isnan(vals)
            # Last writer wins: keep the final occurrence of every cell.
            rev_flat = flat[have][::-1]
            _, first = np.unique(rev_flat, return_index=True)
            out[f].reshape(-1)[rev_flat[first]] = vals[have][::-1][first]
    # Parents without a target of their own take their children's, for additive indicators.
    additive = np.array(
        [i.org_aggregation is OrgAggregation.SUM for i in scorecard.indicators], dtype=bool
    )
    if additive.any() and (parent >= 0).any():
        how = np.where(additive, "sum", "none")
        for f in ("baseline", "red_flag", "target", "stretch"):
            if f in used:
                out[f] = aggregate_tree(out[f], parent=parent, depth=depth, how=how, keep_own=True)[
                    0
                ]
    for f in used:
        missing = np.isnan(out[f])
        if missing.any():
            np.copyto(
                out[f], np.broadcast_to(defaults[f][None, :, None], out[f].shape), where=missing
            )
    nan = np.broadcast_to(np.float64(np.nan), (n_u, n_i, n_p))
    return {f: out.get(f, nan) for f in THRESHOLD_FIELDS}
