"""The stage-gate innovation pipeline: gate conversion, time in stage, time to market, value.

R&D and product teams record when each project entered each stage of their stage-gate
process (idea → scoping → business case → development → testing → launch, or their own),
when it was killed, and what it is worth. This module turns those event rows into the
learning-and-growth indicators of the innovation pipeline. Every function takes the rows as
a pandas frame (column names are keyword options), the ordered stage names as ``stages=``,
and is segmentable with ``by=``; the project × stage table is built once with numpy and
summed with one ``groupby``, never a loop per project.

Conventions
-----------
* Input: one row per project and stage entered: ``project``, ``stage``, ``entered`` and
  optionally ``exited`` (left the stage), ``killed`` (the date the project was stopped, on
  the row of the stage it was stopped in) and ``value``. Two rows for the same project and
  stage are an error (keep the first entry).
* A project *reaches* stage k when it has a row for stage k or any later stage (a fast-tracked
  project that skipped a stage has passed its gate).
* A project's segment (``by``) is taken from its first stage's row.
* ``as_of`` defaults to the latest date in the data. Rates are fractions in [0, 1]; times
  are calendar days.
* Bad input (no rows, missing columns, unknown stages, dates out of order, a stage entered
  after the kill) raises :class:`~balanced_scorecard.exceptions.ObservationError` naming the
  project and the fix.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from balanced_scorecard.analytics._frames import DateLike, date_as_day
from balanced_scorecard.analytics._segments import ALL_KEY, By
from balanced_scorecard.analytics._stage_gate_table import (
    finish_by_stage,
    later_entry,
    long_by_stage,
    stage_table,
)
from balanced_scorecard.exceptions import ModelError

__all__ = ["gate_conversion", "pipeline_value", "time_in_stage", "time_to_market"]


def gate_conversion(
    events: pd.DataFrame,
    *,
    stages: Sequence[str],
    project: str = "project",
    stage: str = "stage",
    entered: str = "entered",
    exited: str | None = None,
    killed: str | None = "killed",
    window_days: float | None = None,
    as_of: DateLike | None = None,
    by: By = None,
) -> pd.DataFrame:
    """Conversion per gate: the share of projects entering stage k that reach stage k + 1.

    Only projects that *had time to* pass the gate are counted:

    * by default (``window_days=None``) those whose gate is **decided**: they reached a later
      stage, were killed in stage k, or left it (``exited``) without going further; projects
      still waiting in stage k are ``pending``;
    * with ``window_days=W``, a cohort view: those that entered stage k at least W days
      before ``as_of``, converted when they reached a later stage within W days.

    Parameters
    ----------
    events
        Stage rows (see the module conventions).
    stages
        The stage names in pipeline order.
    project, stage, entered, exited, killed
        Column names; ``exited`` and ``killed`` may be None when the data has no such column.
    window_days
        See above.
    as_of
        Date of the data (default: the latest date in it).
    by
        Segment column(s).

    Returns
    -------
    pandas.DataFrame
        One row per segment and gate (``stage`` is the gate's from-stage, ``next_stage`` the
        to-stage): ``entered``, ``pending``, ``eligible``, ``converted``, ``killed`` (in
        stage k) and ``conversion`` (converted / eligible; NaN when nobody is eligible).

    Examples
    --------
    Four ideas: P1 and P2 go on to scoping, P3 is killed as an idea, P4 is still an idea.
    Idea gate: 2 converted of 3 decided (P4 pending) = 0.667. Scoping gate: P1 goes on, P2
    waits: 1 of 1.

    >>> ev = pd.DataFrame({
    ...     "project": ["P1", "P1", "P1", "P2", "P2", "P3", "P4"],
    ...     "stage": ["idea", "scoping", "build", "idea", "scoping", "idea", "idea"],
    ...     "entered": pd.to_datetime(["2025-01-01", "2025-02-01", "2025-04-01", "2025-01-05",
    ...                                "2025-03-01", "2025-01-10", "2025-05-01"]),
    ...     "killed": pd.to_datetime([None, None, None, None, None, "2025-02-10", None])})
    >>> out = gate_conversion(ev, stages=["idea", "scoping", "build"])
    >>> out[["stage", "entered", "pending", "eligible", "converted", "conversion"]].round(3)
         stage  entered  pending  eligible  converted  conversion
    0     idea        4        1         3          2       0.667
    1  scoping        2        1         1          1       1.000
    """
    if window_days is not None and not window_days > 0:
        raise ModelError(f"window_days must be positive, e.g. 90; got {window_days}")
    p = stage_table(
        events,
        stages=stages,
        project=project,
        stage=stage,
        entered=entered,
        exited=exited,
        killed=killed,
        value=None,
        by=by,
        as_of=as_of,
    )
    m = len(p.stages)
    ent = p.entered
    was_in = ~np.isnan(ent)
    later = later_entry(p)
    reached = ~np.isnan(later)
    killed_here = p.kill_stage[:, None] == np.arange(m)[None, :]
    if window_days is None:
        left_here = ~np.isnan(p.exited)
        eligible = was_in & (reached | killed_here | left_here)
        converted = was_in & reached
    else:
        eligible = was_in & (p.as_of - ent >= window_days)
        converted = eligible & (later - ent <= window_days)
    work = long_by_stage(
        p,
        {
            "entered": was_in,
            "pending": was_in & ~eligible,
            "eligible": eligible,
            "converted": converted,
            "killed": was_in & killed_here,
        },
    )
    work = work[work["_k"] < m - 1]
    out = work.groupby([*p.keys, "_k"], sort=True, observed=True, dropna=False).sum()
    out = out.astype(np.int64)
    eligible_n = out["eligible"].to_numpy(dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        out["conversion"] = np.where(
            eligible_n > 0, out["converted"].to_numpy(dtype=np.float64) / eligible_n, np.nan
        )
    res = finish_by_stage(out, p)
    following = dict(zip(p.stages[:-1], p.stages[1:], strict=True))
    res.insert(list(res.columns).index("stage") + 1, "next_stage", res["stage"].map(following))
    return res


def time_in_stage(
    events: pd.DataFrame,
    *,
    stages: Sequence[str],
    project: str = "project",
    stage: str = "stage",
    entered: str = "entered",
    exited: str | None = None,
    killed: str | None = "killed",
    as_of: DateLike | None = None,
    by: By = None,
) -> pd.DataFrame:
    """Days spent in each stage (median over completed stays), with those still in it.

    A stay ends at ``exited`` when given, else on entry to the next stage reached, else at
    the kill. Projects still in the stage at ``as_of`` are censored: counted in ``in_stage``
    with their median elapsed days, and left out of the median. The last stage (launch) is
    an end state and not reported.

    Returns
    -------
    pandas.DataFrame
        One row per segment and stage: ``completed``, ``median_days``, ``p25_days``,
        ``p75_days``, ``mean_days``, ``in_stage`` and ``in_stage_median_elapsed_days``.

    Examples
    --------
    P1 spends 31 days as an idea (Jan 1 → Feb 1), P2 55 (Jan 5 → Mar 1), P3 31 until its kill
    (Jan 10 → Feb 10): median 31. P4 has been an idea for 0 days at as_of = May 1:

    >>> ev = pd.DataFrame({
    ...     "project": ["P1", "P1", "P2", "P2", "P3", "P4"],
    ...     "stage": ["idea", "build", "idea", "build", "idea", "idea"],
    ...     "entered": pd.to_datetime(["2025-01-01", "2025-02-01", "2025-01-05", "2025-03-01",
    ...                                "2025-01-10", "2025-05-01"]),
    ...     "killed": pd.to_datetime([None, None, None, None, "2025-02-10", None])})
    >>> time_in_stage(ev, stages=["idea", "build"])[["stage", "completed", "median_days",
    ...                                               "mean_days", "in_stage"]]
      stage  completed  median_days  mean_days  in_stage
    0  idea          3         31.0       39.0         1
    """
    p = stage_table(
        events,
        stages=stages,
        project=project,
        stage=stage,
        entered=entered,
        exited=exited,
        killed=killed,
        value=None,
        by=by,
        as_of=as_of,
    )
    m = len(p.stages)
    ent = p.entered
    killed_here = p.kill_stage[:, None] == np.arange(m)[None, :]
    # A stay ends at its exit, else at the kill in that stage, else on entering a later stage.
    end = np.where(
        ~np.isnan(p.exited),
        p.exited,
        np.where(killed_here, p.killed[:, None], later_entry(p)),
    )
    was_in = ~np.isnan(ent)
    done = was_in & ~np.isnan(end)
    waiting = was_in & ~done
    work = long_by_stage(
        p,
        {
            "_done_days": np.where(done, end - ent, np.nan),
            "_wait_days": np.where(waiting, p.as_of - ent, np.nan),
            "completed": done,
            "in_stage": waiting,
            "_was_in": was_in,
        },
    )
    work = work[(work["_k"] < m - 1) & work["_was_in"]]
    g = work.groupby([*p.keys, "_k"], sort=True, observed=True, dropna=False)
    out = pd.DataFrame(
        {
            "completed": g["completed"].sum().astype(np.int64),
            "median_days": g["_done_days"].median(),
            "p25_days": g["_done_days"].quantile(0.25),
            "p75_days": g["_done_days"].quantile(0.75),
            "mean_days": g["_done_days"].mean(),
            "in_stage": g["in_stage"].sum().astype(np.int64),
            "in_stage_median_elapsed_days": g["_wait_days"].median(),
        }
    )
    return finish_by_stage(out, p)


def time_to_market(
    events: pd.DataFrame,
    *,
    stages: Sequence[str],
    project: str = "project",
    stage: str = "stage",
    entered: str = "entered",
    killed: str | None = "killed",
    start: str | None = None,
    launch: str | None = None,
    as_of: DateLike | None = None,
    by: By = None,
) -> pd.DataFrame:
    """Days from idea to launch, median over launched projects, per segment.

    Parameters
    ----------
    start, launch
        The stages that start and end the clock; default the first and the last of
        ``stages``.

    Returns
    -------
    pandas.DataFrame
        ``projects`` (that entered ``start``), ``launched``, ``median_days``, ``p25_days``,
        ``p75_days``, ``mean_days``, ``in_pipeline`` (neither launched nor killed),
        ``killed`` and ``no_start`` (launched without a ``start`` row: not in the median).

    Examples
    --------
    P1 launches after 90 days, P2 after 120, P3 is killed, P4 is still in the pipeline:

    >>> ev = pd.DataFrame({
    ...     "project": ["P1", "P1", "P2", "P2", "P3", "P4"],
    ...     "stage": ["idea", "launch", "idea", "launch", "idea", "idea"],
    ...     "entered": pd.to_datetime(["2025-01-01", "2025-04-01", "2025-01-01", "2025-05-01",
    ...                                "2025-01-01", "2025-02-01"]),
    ...     "killed": pd.to_datetime([None, None, None, None, "2025-03-01", None])})
    >>> time_to_market(ev, stages=["idea", "launch"])[["projects", "launched", "median_days",
    ...                                                 "in_pipeline", "killed"]]
       projects  launched  median_days  in_pipeline  killed
    0         4         2        105.0            1       1
    """
    p = stage_table(
        events,
        stages=stages,
        project=project,
        stage=stage,
        entered=entered,
        exited=None,
        killed=killed,
        value=None,
        by=by,
        as_of=as_of,
    )
    index = pd.Index(p.stages)
    first = 0 if start is None else int(index.get_indexer(pd.Index([start]))[0])
    last = len(p.stages) - 1 if launch is None else int(index.get_indexer(pd.Index([launch]))[0])
    if first < 0 or last < 0 or first >= last:
        raise ModelError(
            f"start={start!r} and launch={launch!r} must be stages of {list(p.stages)}, start "
            "before launch"
        )
    began = p.entered[:, first]
    ended = p.entered[:, last]
    launched = ~np.isnan(ended)
    counted = launched & ~np.isnan(began)
    killed_flag = ~np.isnan(p.killed)
    work = p.segments.copy()
    work["projects"] = ~np.isnan(began)
    work["launched"] = counted
    work["_days"] = np.where(counted, ended - began, np.nan)
    work["in_pipeline"] = ~launched & ~killed_flag
    work["killed"] = killed_flag
    work["no_start"] = launched & np.isnan(began)
    g = work.groupby(p.keys, sort=True, observed=True, dropna=False)
    sums = g[["projects", "launched", "in_pipeline", "killed", "no_start"]].sum().astype(np.int64)
    out = pd.DataFrame(
        {
            "projects": sums["projects"],
            "launched": sums["launched"],
            "median_days": g["_days"].median(),
            "p25_days": g["_days"].quantile(0.25),
            "p75_days": g["_days"].quantile(0.75),
            "mean_days": g["_days"].mean(),
            "in_pipeline": sums["in_pipeline"],
            "killed": sums["killed"],
            "no_start": sums["no_start"],
        }
    )
    out = out.reset_index()
    return out.drop(columns=[ALL_KEY] if ALL_KEY in out.columns else []).reset_index(drop=True)


def pipeline_value(
    events: pd.DataFrame,
    *,
    stages: Sequence[str],
    at: DateLike,
    value: str = "value",
    project: str = "project",
    stage: str = "stage",
    entered: str = "entered",
    killed: str | None = "killed",
    killed_since: DateLike | None = None,
    by: By = None,
) -> pd.DataFrame:
    """Pipeline value by stage at a date: each live project counted in its current stage.

    A project's current stage at ``at`` is the last stage it entered on or before ``at``,
    and its value is the one on that stage's row (the latest estimate). Projects killed on
    or before ``at`` (after ``killed_since``, if given) are reported in ``killed_projects``
    and ``killed_value`` of the stage they were killed in, with the value of that stage.
    Every stage appears, with zeros where nothing is.

    Returns
    -------
    pandas.DataFrame
        One row per segment and stage: ``projects``, ``value``, ``killed_projects``,
        ``killed_value``.

    Examples
    --------
    At 2025-03-15: P1 is in build (value 5), P2 in scoping (3), P3 was killed as an idea (1):

    >>> ev = pd.DataFrame({
    ...     "project": ["P1", "P1", "P2", "P2", "P3"],
    ...     "stage": ["idea", "build", "idea", "scoping", "idea"],
    ...     "entered": pd.to_datetime(["2025-01-01", "2025-03-01", "2025-01-05", "2025-03-01",
    ...                                "2025-01-10"]),
    ...     "killed": pd.to_datetime([None, None, None, None, "2025-02-10"]),
    ...     "value": [2.0, 5.0, 1.0, 3.0, 1.0]})
    >>> pipeline_value(ev, stages=["idea", "scoping", "build"], at="2025-03-15")
         stage  projects  value  killed_projects  killed_value
    0     idea         0    0.0                1           1.0
    1  scoping         1    3.0                0           0.0
    2    build         1    5.0                0           0.0
    """
    day = date_as_day(at, "at")
    p = stage_table(
        events,
        stages=stages,
        project=project,
        stage=stage,
        entered=entered,
        exited=None,
        killed=killed,
        value=value,
        by=by,
        as_of=None,
    )
    m = len(p.stages)
    since = -np.inf if killed_since is None else date_as_day(killed_since, "killed_since")
    started = p.entered <= day
    any_started = started.any(axis=1)
    current = np.where(any_started, m - 1 - np.argmax(started[:, ::-1], axis=1), -1)
    dead = p.killed <= day
    live = any_started & ~dead
    killed_in_window = dead & (p.killed > since)
    at_stage = np.arange(m)[None, :]
    is_current = (current[:, None] == at_stage) & live[:, None]
    is_kill = (p.kill_stage[:, None] == at_stage) & killed_in_window[:, None]
    work = long_by_stage(
        p,
        {
            "projects": is_current,
            "value": np.where(is_current, p.value, 0.0),
            "killed_projects": is_kill,
            "killed_value": np.where(is_kill, p.value, 0.0),
        },
    )
    out = work.groupby([*p.keys, "_k"], sort=True, observed=True, dropna=False).sum()
    for c in ("projects", "killed_projects"):
        out[c] = out[c].astype(np.int64)
    return finish_by_stage(out, p)
