"""The stage-gate events as one project × stage table, checked once for every pipeline metric.

:func:`stage_table` reads the event rows of :mod:`balanced_scorecard.analytics.innovation`
(see its conventions), checks them and lays them out as numpy arrays with one row per project
and one column per stage; the metrics there work on those arrays and turn them back into a
long frame per segment and stage with :func:`long_by_stage` and :func:`finish_by_stage`.
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs
import numpy as np
import numpy.typing as npt
import pandas as pd

from balanced_scorecard.analytics._frames import (
    DateLike,
    FloatArray,
    check_date_order,
    date_as_day,
    dates_as_days,
    number_column,
    require_columns,
)
from balanced_scorecard.analytics._segments import ALL_KEY, By, segment_columns
from balanced_scorecard.exceptions import ModelError, ObservationError

__all__ = ["StageTable", "finish_by_stage", "later_entry", "long_by_stage", "stage_table"]


@attrs.frozen(kw_only=True, eq=False)
class StageTable:
    """The events as a project × stage table (days since the epoch, NaN where absent)."""

    segments: pd.DataFrame  # one row per project, the by columns (or a constant key)
    keys: list[str]
    stages: tuple[str, ...]
    entered: FloatArray  # (projects, stages)
    exited: FloatArray  # (projects, stages)
    value: FloatArray  # (projects, stages)
    killed: FloatArray  # (projects,) kill day
    kill_stage: npt.NDArray[np.int64]  # (projects,) stage index killed in, -1 if alive
    as_of: float


def stage_table(
    events: pd.DataFrame,
    *,
    stages: Sequence[str],
    project: str,
    stage: str,
    entered: str,
    exited: str | None,
    killed: str | None,
    value: str | None,
    by: By,
    as_of: DateLike | None,
) -> StageTable:
    """The event rows checked (stages, duplicates, date order, kills, ``as_of``) and tabled."""
    cols = segment_columns(by)
    order = tuple(stages)
    if len(order) < 2 or len(set(order)) != len(order):
        raise ModelError(f"stages must name at least two distinct stages, in order; got {order}")
    optional = [c for c in (exited, killed, value) if c is not None]
    frame = require_columns(
        events,
        [project, stage, entered, *optional, *cols],
        what="events",
        options="project=, stage=, entered=, exited=, killed=, value=, by=",
    )
    names = frame[stage].astype("object").to_numpy()
    code = pd.Index(order).get_indexer(pd.Index(names))
    if (code < 0).any():
        unknown = sorted({str(s) for s in names[code < 0]})
        raise ObservationError(
            f"stage(s) {unknown} are not in stages={list(order)}; add them in their place "
            "or fix the stage names"
        )
    dupes = frame.duplicated([project, stage], keep=False).to_numpy()
    if dupes.any():
        first = int(np.flatnonzero(dupes)[0])
        raise ObservationError(
            f"project {frame[project].iloc[first]!r} has more than one row for stage "
            f"{names[first]!r}; keep one row per project and stage (the first entry)"
        )
    e = dates_as_days(frame, entered, required=True)
    x = dates_as_days(frame, exited, required=False) if exited else np.full(len(frame), np.nan)
    k = dates_as_days(frame, killed, required=False) if killed else np.full(len(frame), np.nan)
    v = number_column(frame, value, negative_ok=True) if value else np.full(len(frame), np.nan)
    check_date_order(frame, e, x, (entered, exited or ""))
    if killed:
        check_date_order(frame, e, k, (entered, killed))

    ids, row = np.unique(frame[project].astype("object").to_numpy(), return_inverse=True)
    n, m = len(ids), len(order)
    ent = np.full((n, m), np.nan)
    ext = np.full((n, m), np.nan)
    val = np.full((n, m), np.nan)
    ent[row, code] = e
    ext[row, code] = x
    val[row, code] = v
    kill_day = np.full(n, np.nan)
    np.fmin.at(kill_day, row, k)
    # Kill stage: the last stage entered on or before the kill.
    reached_by_kill = ent <= kill_day[:, None]
    kill_stage = np.where(
        np.isnan(kill_day), -1, m - 1 - np.argmax(reached_by_kill[:, ::-1], axis=1)
    ).astype(np.int64)
    after_kill = (ent > kill_day[:, None]).any(axis=1)
    if after_kill.any():
        raise ObservationError(
            f"project(s) {ids[after_kill].tolist()[:5]} entered a stage after being killed; "
            "fix the kill date or drop the later rows"
        )
    # Stage order must match date order: a later stage entered before an earlier one.
    running = np.fmax.accumulate(np.where(np.isnan(ent), -np.inf, ent), axis=1)
    backwards = (ent[:, 1:] < running[:, :-1]).any(axis=1)
    if backwards.any():
        raise ObservationError(
            f"project(s) {ids[backwards].tolist()[:5]} entered a later stage before an earlier "
            f"one (stages in order: {list(order)}); fix the dates or the stage order"
        )

    keys = cols or [ALL_KEY]
    first_row = np.lexsort((code, e, row))  # by project, then date, then stage
    firsts = first_row[np.r_[True, row[first_row][1:] != row[first_row][:-1]]]
    seg = (
        frame[cols].iloc[firsts].reset_index(drop=True)
        if cols
        else pd.DataFrame({ALL_KEY: np.zeros(n, np.int64)})
    )
    everything = np.concatenate([e, x[~np.isnan(x)], k[~np.isnan(k)]])
    stop = date_as_day(as_of, "as_of") if as_of is not None else float(everything.max())
    if (everything > stop).any():
        raise ObservationError(
            f"events have dates after as_of={pd.Timestamp(0) + pd.Timedelta(days=stop)}; "
            "pass a later as_of or drop the future rows"
        )
    return StageTable(
        segments=seg,
        keys=keys,
        stages=order,
        entered=ent,
        exited=ext,
        value=val,
        killed=kill_day,
        kill_stage=kill_stage,
        as_of=stop,
    )


def later_entry(p: StageTable) -> FloatArray:
    """(projects, stages): the first day a project entered any stage after stage k."""
    later = np.full_like(p.entered, np.nan)
    # fmin accumulated from the right; column k holds the minimum over stages > k.
    rev = np.fmin.accumulate(p.entered[:, ::-1], axis=1)[:, ::-1]
    later[:, :-1] = rev[:, 1:]
    return later


def long_by_stage(p: StageTable, columns: dict[str, npt.NDArray[np.generic]]) -> pd.DataFrame:
    """Project × stage arrays as a long frame with the segment keys and a stage column."""
    n, m = p.entered.shape
    out = pd.DataFrame({name: a.ravel() for name, a in columns.items()})
    for c in p.keys:
        out[c] = np.repeat(p.segments[c].to_numpy(), m)
    out["_k"] = np.tile(np.arange(m), n)
    return out


def finish_by_stage(out: pd.DataFrame, p: StageTable) -> pd.DataFrame:
    """A result grouped by segment and stage index with the stage named and the keys tidied."""
    out = out.reset_index()
    out.insert(len(p.keys), "stage", np.asarray(p.stages, dtype=object)[out["_k"].to_numpy()])
    out = out.drop(columns=[c for c in ("_k", ALL_KEY) if c in out.columns])
    return out.reset_index(drop=True)
