"""Workforce metrics: time to competency, high-performer retention, training, mobility.

Computed from HR rows (people with hire and leaving dates, ratings, training records, filled
positions). The public door is :mod:`balanced_scorecard.analytics.people`, whose docstring
states the conventions (fractions, who is employed on a day, closed periods).
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

import attrs
import numpy as np
import pandas as pd

from balanced_scorecard.analytics._frames import (
    BoolArray,
    DateLike,
    check_date_order,
    date_as_day,
    dates_as_days,
    flag_column,
    number_column,
    require_columns,
)
from balanced_scorecard.analytics._segments import (
    By,
    finish_segments,
    group_by_segment,
    safe_ratio,
    segment_columns,
    segment_frame,
)
from balanced_scorecard.exceptions import ModelError, ObservationError

__all__ = [
    "CompetencyTimes",
    "high_performer_retention",
    "internal_mobility_rate",
    "time_to_competency",
    "training_hours_per_employee",
]


@attrs.frozen(kw_only=True, eq=False)
class CompetencyTimes:
    """Result of :func:`time_to_competency`.

    Attributes
    ----------
    summary
        One row per segment: ``employees``, ``competent``, ``censored`` (not competent yet),
        ``share_competent``, ``median_days``, ``p25_days``, ``p75_days``, ``p90_days`` and
        ``mean_days`` over those who reached the level, and ``censored_median_elapsed_days``
        (how long the not-yet-competent have been on the way at ``as_of``).
    durations
        One row per input row (same index): the segment columns, ``days`` (to competency, or
        elapsed so far when censored) and ``competent``. Its histogram is the distribution.
    as_of
        The date the censored durations run to.
    """

    summary: pd.DataFrame
    durations: pd.DataFrame
    as_of: pd.Timestamp


def time_to_competency(
    records: pd.DataFrame,
    *,
    start: str = "start",
    reached: str = "reached",
    as_of: DateLike | None = None,
    by: By = None,
) -> CompetencyTimes:
    """Days from hire (or role start) to reaching a competency level, per segment.

    Parameters
    ----------
    records
        One row per person (and competency, if several are tracked: then segment by it).
    start
        Column of the hire or role-start date.
    reached
        Column of the date the level was reached; missing (NaT) while not reached yet.
    as_of
        The date of the data; people not competent by then are *censored*: they are counted
        and their elapsed time reported, but left out of the median, which describes those who
        got there. Default: the latest date in the two columns.
    by
        Segment column(s).

    Notes
    -----
    With many censored people the median over the competent understates the typical time
    (the slow ones are still on the way): read ``share_competent`` and
    ``censored_median_elapsed_days`` beside it.

    Examples
    --------
    Three hires reach the level after 30, 60 and 90 days; a fourth, hired 2025-03-01, is not
    there yet at 2025-04-30 (60 days on the way):

    >>> df = pd.DataFrame({
    ...     "start": pd.to_datetime(["2025-01-01", "2025-01-01", "2025-01-01", "2025-03-01"]),
    ...     "reached": pd.to_datetime(["2025-01-31", "2025-03-02", "2025-04-01", None])})
    >>> res = time_to_competency(df, as_of="2025-04-30")
    >>> res.summary[["employees", "competent", "censored", "median_days", "mean_days"]]
       employees  competent  censored  median_days  mean_days
    0          4          3         1         60.0       60.0
    >>> float(res.summary.censored_median_elapsed_days.iloc[0])
    60.0
    """
    cols = segment_columns(by)
    frame = require_columns(
        records, [start, reached, *cols], what="records", options="start=, reached=, by="
    )
    begin = dates_as_days(frame, start, required=True)
    done = dates_as_days(frame, reached, required=False)
    check_date_order(frame, begin, done, (start, reached))
    stop = (
        date_as_day(as_of, "as_of")
        if as_of is not None
        else float(np.nanmax(np.concatenate([begin, done])))
    )
    stamp = pd.Timestamp(0) + pd.Timedelta(days=stop)
    late = (begin > stop) | (done > stop)
    if late.any():
        first = int(np.flatnonzero(late)[0])
        raise ObservationError(
            f"{int(late.sum())} row(s) have dates after as_of={stamp.date()} "
            f"(first at row {first}); pass a later as_of or drop those rows"
        )
    competent = ~np.isnan(done)
    days = np.where(competent, done - begin, stop - begin)
    work = segment_frame(
        frame,
        cols,
        {
            "days": days,
            "competent": competent,
            "_reached_days": np.where(competent, days, np.nan),
            "_elapsed_days": np.where(competent, np.nan, days),
        },
    )
    g = group_by_segment(work, cols)
    reached_days = g["_reached_days"]
    summary = pd.DataFrame(
        {
            "employees": g.size(),
            "competent": g["competent"].sum().astype(np.int64),
        }
    )
    summary["censored"] = summary["employees"] - summary["competent"]
    summary["share_competent"] = summary["competent"] / summary["employees"]
    summary["median_days"] = reached_days.median()
    summary["p25_days"] = reached_days.quantile(0.25)
    summary["p75_days"] = reached_days.quantile(0.75)
    summary["p90_days"] = reached_days.quantile(0.9)
    summary["mean_days"] = reached_days.mean()
    summary["censored_median_elapsed_days"] = g["_elapsed_days"].median()
    durations = work[[*cols, "days", "competent"]]
    return CompetencyTimes(summary=finish_segments(summary, cols), durations=durations, as_of=stamp)


def _high_mask(frame: pd.DataFrame, rating: str, high: float | Collection[Any]) -> BoolArray:
    raw = frame[rating]
    if isinstance(high, int | float) and not isinstance(high, bool):
        values = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
        unparsed = np.isnan(values) & raw.notna().to_numpy()
        if unparsed.any():
            first = int(np.flatnonzero(unparsed)[0])
            raise ObservationError(
                f"{rating!r} holds non-numeric ratings (first at row {first}: "
                f"{raw.iloc[first]!r}) but high={high!r} is a threshold; pass the high labels "
                "as a list instead, e.g. high=['exceeds', 'outstanding']"
            )
        return np.asarray(values >= high, dtype=np.bool_)
    if isinstance(high, str) or not isinstance(high, Collection) or len(high) == 0:
        raise ModelError(
            f"high must be a rating threshold (e.g. 4) or a non-empty list of labels "
            f"(e.g. ['exceeds']); got {high!r}"
        )
    return raw.isin(list(high)).to_numpy(dtype=np.bool_)


def high_performer_retention(
    employees: pd.DataFrame,
    *,
    period_start: DateLike,
    period_end: DateLike,
    rating: str = "rating",
    high: float | Collection[Any] = 4,
    hired: str = "hired",
    left: str = "left",
    by: By = None,
) -> pd.DataFrame:
    """Share of high performers employed at the period start still employed at its end.

    Parameters
    ----------
    employees
        One row per employee, with the rating they held at ``period_start``.
    period_start, period_end
        The period (closed).
    rating
        Column of the performance rating. Missing ratings (new hires) count with the rest;
        ``unrated`` says how many.
    high
        A number (ratings ``>= high`` are high) or a collection of labels that are high.
    hired, left
        Columns of the hire date and the leaving date (missing while employed); the leaving
        date is the first day no longer employed.
    by
        Segment column(s).

    Returns
    -------
    pandas.DataFrame
        ``high_start``, ``high_retained``, ``high_retention``, ``rest_start``,
        ``rest_retained``, ``rest_retention``, ``unrated`` and ``gap`` (high minus rest
        retention; negative when the best leave more often).

    Examples
    --------
    Five employees on file; the one who left in 2024 was not there at the start. Of the four
    at 2025-01-01, two are rated high (>= 4) and one of them leaves in June: high retention
    1/2. Both others stay: 2/2. Gap 0.5 − 1.0 = −0.5.

    >>> df = pd.DataFrame({
    ...     "rating": [5, 4, 3, 2, 3],
    ...     "hired": pd.to_datetime(["2020-01-01"] * 5),
    ...     "left": pd.to_datetime([None, "2025-06-01", None, None, "2024-05-01"])})
    >>> out = high_performer_retention(df, period_start="2025-01-01", period_end="2025-12-31")
    >>> out[["high_start", "high_retention", "rest_start", "rest_retention", "gap"]]
       high_start  high_retention  rest_start  rest_retention  gap
    0           2             0.5           2             1.0 -0.5
    """
    cols = segment_columns(by)
    frame = require_columns(
        employees,
        [rating, hired, left, *cols],
        what="employees",
        options="rating=, hired=, left=, by=",
    )
    lo, hi = date_as_day(period_start, "period_start"), date_as_day(period_end, "period_end")
    if lo > hi:
        raise ModelError(f"period_start {period_start} is after period_end {period_end}")
    joined = dates_as_days(frame, hired, required=True)
    gone = dates_as_days(frame, left, required=False)
    check_date_order(frame, joined, gone, (hired, left))
    at_start = (joined <= lo) & ~(gone <= lo)
    at_end = at_start & ~(gone <= hi)
    is_high = _high_mask(frame, rating, high)
    work = segment_frame(
        frame,
        cols,
        {
            "high_start": at_start & is_high,
            "high_retained": at_end & is_high,
            "rest_start": at_start & ~is_high,
            "rest_retained": at_end & ~is_high,
            "unrated": at_start & frame[rating].isna().to_numpy(),
        },
    )
    out = group_by_segment(work, cols).sum().astype(np.int64)
    out["high_retention"] = safe_ratio(out["high_retained"], out["high_start"])
    out["rest_retention"] = safe_ratio(out["rest_retained"], out["rest_start"])
    out["gap"] = out["high_retention"] - out["rest_retention"]
    order = [
        "high_start",
        "high_retained",
        "high_retention",
        "rest_start",
        "rest_retained",
        "rest_retention",
        "unrated",
        "gap",
    ]
    return finish_segments(out[order], cols)


def training_hours_per_employee(
    training: pd.DataFrame,
    employees: pd.DataFrame,
    *,
    period_start: DateLike,
    period_end: DateLike,
    hours: str = "hours",
    date: str = "date",
    hired: str = "hired",
    left: str = "left",
    by: By = None,
) -> pd.DataFrame:
    """Training hours per employee: hours in the period / average headcount over it.

    Parameters
    ----------
    training
        One row per training record: ``hours`` (non-negative) on ``date``; rows outside the
        period are not counted.
    employees
        One row per employee with ``hired`` and ``left`` dates (``left`` missing while
        employed).
    period_start, period_end
        The period (closed).
    by
        Segment column(s); both frames must hold them.

    Returns
    -------
    pandas.DataFrame
        ``hours``, ``average_headcount`` (employee-days in the period / days in the period,
        so a joiner half-way counts one half) and ``hours_per_employee`` (NaN where the
        average headcount is 0).

    Examples
    --------
    A 10-day period; A is employed all through, B joins on day 6 (5 days): average headcount
    (10 + 5) / 10 = 1.5; 12 hours of training / 1.5 = 8 hours per employee:

    >>> emp = pd.DataFrame({"hired": pd.to_datetime(["2024-01-01", "2025-01-06"]),
    ...                     "left": pd.to_datetime([None, None])})
    >>> tr = pd.DataFrame({"hours": [4.0, 8.0, 3.0],
    ...                    "date": pd.to_datetime(["2025-01-02", "2025-01-08", "2025-02-01"])})
    >>> training_hours_per_employee(tr, emp, period_start="2025-01-01", period_end="2025-01-10")
       hours  average_headcount  hours_per_employee
    0   12.0                1.5                 8.0
    """
    cols = segment_columns(by)
    tr = require_columns(
        training, [hours, date, *cols], what="training", options="hours=, date=, by="
    )
    emp = require_columns(
        employees, [hired, left, *cols], what="employees", options="hired=, left=, by="
    )
    lo, hi = date_as_day(period_start, "period_start"), date_as_day(period_end, "period_end")
    if lo > hi:
        raise ModelError(f"period_start {period_start} is after period_end {period_end}")
    h = number_column(tr, hours)
    when = dates_as_days(tr, date, required=True)
    inside = (when >= lo) & (when <= hi)
    joined = dates_as_days(emp, hired, required=True)
    gone = dates_as_days(emp, left, required=False)
    check_date_order(emp, joined, gone, (hired, left))
    # Days employed inside [lo, hi]: from max(hired, lo) to the day before leaving, capped at hi.
    last = np.where(np.isnan(gone), hi, np.minimum(gone - 1, hi))
    employed = np.maximum(last - np.maximum(joined, lo) + 1, 0.0)
    span = hi - lo + 1
    hours_sum = group_by_segment(
        segment_frame(tr, cols, {"hours": np.where(inside, h, 0.0)}), cols
    )["hours"].sum()
    heads = group_by_segment(
        segment_frame(emp, cols, {"average_headcount": employed / span}), cols
    )["average_headcount"].sum()
    out = pd.concat([hours_sum, heads], axis=1).fillna({"hours": 0.0})
    out = out.sort_index()
    out["hours_per_employee"] = safe_ratio(out["hours"], out["average_headcount"].fillna(0.0))
    return finish_segments(out, cols)


def internal_mobility_rate(
    fills: pd.DataFrame, *, internal: str = "internal", by: By = None
) -> pd.DataFrame:
    """Share of filled positions filled by internal candidates, per segment.

    Parameters
    ----------
    fills
        One row per position filled in the period.
    internal
        Boolean column (or 1/0): True when the hire came from inside the organisation.
    by
        Segment column(s).

    Returns
    -------
    pandas.DataFrame
        ``filled``, ``internal`` and ``mobility_rate``.

    Examples
    --------
    >>> df = pd.DataFrame({"unit": ["ops", "ops", "ops", "it"],
    ...                    "internal": [True, False, True, False]})
    >>> internal_mobility_rate(df, by="unit").round(3)
      unit  filled  internal  mobility_rate
    0   it       1         0          0.000
    1  ops       3         2          0.667
    """
    cols = segment_columns(by)
    frame = require_columns(fills, [internal, *cols], what="fills", options="internal=, by=")
    flag = flag_column(frame, internal)
    work = segment_frame(
        frame, cols, {"filled": np.ones(len(frame), dtype=np.int64), "internal": flag}
    )
    out = group_by_segment(work, cols).sum().astype(np.int64)
    out["mobility_rate"] = safe_ratio(out["internal"], out["filled"])
    return finish_segments(out, cols)
