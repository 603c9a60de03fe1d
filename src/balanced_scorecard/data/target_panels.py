"""Target panels: target sets and indicator thresholds resolved to one value per cell.

Part of the evaluation pipeline, between org aggregation and scoring. Target rows are expanded
to cells with numpy (repeat and arithmetic, no loop per row or period), and the last writer of
a cell wins.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from balanced_scorecard.algorithms.aggregation import aggregate_tree
from balanced_scorecard.data.periods import bad_period_messages, parse_periods
from balanced_scorecard.exceptions import DefinitionError, Problem
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
                "row": np.arange(len(rows)),
                "i": [ind_pos.get(t.indicator, -1) for t in rows],
                "u": [unit_pos.get(t.org_unit, -2) if t.org_unit else -1 for t in rows],
                "start": [t.start for t in rows],
                "end": [t.end for t in rows],
                **{f: [getattr(t, f) for t in rows] for f in THRESHOLD_FIELDS},
            }
        )
        # Rows for units outside the evaluated subtree (-2) or unknown indicators do not apply.
        frame = frame[(frame["i"] >= 0) & (frame["u"] >= -1)].reset_index(drop=True)
        calendar = scorecard.calendar
        start, bad_s = parse_periods(frame["start"].fillna(""), freq, calendar=calendar)
        # An end label stands for the last period of its span (FY2026-Q3 ends with P09).
        end, bad_e = parse_periods(frame["end"].fillna(""), freq, calendar=calendar, span_end=True)
        if calendar is not None and target_set is not None:
            _refuse_bad_labels(frame, {"start": bad_s, "end": bad_e}, scorecard, freq, target_set)
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


def _refuse_bad_labels(
    frame: pd.DataFrame,
    bad: dict[str, np.ndarray],
    scorecard: Scorecard,
    freq: Frequency,
    target_set: TargetSet,
) -> None:
    """With a fiscal calendar a target label that is no period (``2026Q1`` is ambiguous) must
    not quietly become an open end: report every such row with its set, row and label."""
    problems = []
    for column, rows in bad.items():
        given = rows & frame[column].notna().to_numpy()
        if not given.any():
            continue
        messages = bad_period_messages(frame[column], given, freq, calendar=scorecard.calendar)
        # Only the rows in error: a loop over problems to report, not over targets.
        for k in np.flatnonzero(given):
            indicator = scorecard.indicators[int(frame["i"].iloc[k])].id
            problems.append(
                Problem(
                    path=f"targets[{int(frame['row'].iloc[k])}].{column}",
                    source=f"target set {target_set.name!r}"
                    + (f" ({target_set.provenance})" if target_set.provenance else ""),
                    message=f"target of {indicator!r}: {messages[k]}",
                )
            )
    if problems:
        raise DefinitionError(problems)
