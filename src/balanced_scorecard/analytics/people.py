"""People metrics for the learning-and-growth perspective.

Competency, retention, training, mobility, engagement and knowledge reuse are computed from
HR rows that live in the organisation's systems. Every function here takes such rows as a
pandas frame (column names are keyword options), is segmentable with ``by=`` (one output row
per segment, computed with one ``groupby``, never a loop per employee) and returns a tidy
frame whose figures can be fed to the scorecard as observations.

Conventions
-----------
* Rates and shares are **fractions in [0, 1]**; day counts are calendar days (floats).
* A person is employed on day ``d`` when ``hired <= d`` and ``left`` is missing or
  ``left > d``: the leaving date is the first day no longer employed.
* Periods are closed: ``period_start`` and ``period_end`` are both inside.
* A segment with nothing to divide by gets NaN for its rate, never a silent zero, and the
  counts beside it say why.
* Bad input (no rows, missing columns, unparseable or out-of-order dates, negative hours or
  counts) raises :class:`~balanced_scorecard.exceptions.ObservationError` naming the column
  and the fix; a bad option raises :class:`~balanced_scorecard.exceptions.ModelError`.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt
import pandas as pd

from balanced_scorecard.analytics._segments import By, segment_columns
from balanced_scorecard.exceptions import ModelError, ObservationError

__all__ = [
    "CompetencyTimes",
    "Engagement",
    "documentation_completeness",
    "engagement_index",
    "high_performer_retention",
    "internal_mobility_rate",
    "reuse_rate",
    "time_to_competency",
    "training_hours_per_employee",
]

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
DateLike = str | pd.Timestamp | np.datetime64

_ALL = "__all__"  # the key column used when there is no segmentation


# -- shared helpers (also used by analytics.innovation) ------------------------------------------


def _require(frame: object, columns: Sequence[str], *, what: str, options: str) -> pd.DataFrame:
    """``frame`` checked to be a non-empty DataFrame holding ``columns``."""
    if not isinstance(frame, pd.DataFrame):
        raise ObservationError(f"{what} must be a pandas DataFrame; got {type(frame).__name__}")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ObservationError(
            f"{what}: column(s) {missing} not found; the frame has {list(frame.columns)}. "
            f"Rename the columns or name them with the keyword options ({options})."
        )
    if frame.empty:
        raise ObservationError(f"{what}: no rows; give at least one row")
    return frame


def _days(frame: pd.DataFrame, column: str, *, required: bool) -> FloatArray:
    """A date column as float days since the epoch (NaN where missing)."""
    raw = frame[column]
    # ISO 8601 for text (no guessing day-first or month-first); datetimes pass through.
    parsed = pd.to_datetime(raw, errors="coerce", format="ISO8601")
    unparsed = parsed.isna().to_numpy() & raw.notna().to_numpy()
    if unparsed.any():
        first = int(np.flatnonzero(unparsed)[0])
        raise ObservationError(
            f"{int(unparsed.sum())} value(s) of {column!r} are not dates (first at row "
            f"{first}: {raw.iloc[first]!r}); give ISO dates such as '2025-01-31'"
        )
    days = ((parsed - pd.Timestamp(0)) / pd.Timedelta(days=1)).to_numpy(
        dtype=np.float64, na_value=np.nan
    )
    if required and np.isnan(days).any():
        first = int(np.flatnonzero(np.isnan(days))[0])
        raise ObservationError(
            f"{int(np.isnan(days).sum())} value(s) of {column!r} are missing (first at row "
            f"{first}); every row needs a {column!r} date"
        )
    return np.asarray(days, dtype=np.float64)


def _day(value: DateLike, name: str) -> float:
    try:
        stamp = pd.Timestamp(value)
    except (TypeError, ValueError):
        raise ModelError(f"{name} must be a date such as '2025-12-31'; got {value!r}") from None
    if pd.isna(stamp):
        raise ModelError(f"{name} must be a date such as '2025-12-31'; got {value!r}")
    return float((stamp - pd.Timestamp(0)) / pd.Timedelta(days=1))


def _order(
    frame: pd.DataFrame, early: FloatArray, late: FloatArray, names: tuple[str, str]
) -> None:
    """Raise when ``late`` comes before ``early`` on any row (NaN compares as fine)."""
    bad = late < early
    if bad.any():
        first = int(np.flatnonzero(bad)[0])
        raise ObservationError(
            f"{int(bad.sum())} row(s) have {names[1]!r} before {names[0]!r} (first at row "
            f"{first}: {frame[names[0]].iloc[first]!r} then {frame[names[1]].iloc[first]!r}); "
            "fix the dates or swap the columns"
        )


def _numbers(frame: pd.DataFrame, column: str, *, negative_ok: bool = False) -> FloatArray:
    values = pd.to_numeric(frame[column], errors="coerce").to_numpy(
        dtype=np.float64, na_value=np.nan
    )
    bad = np.isnan(values) | (~negative_ok & (values < 0))
    if bad.any():
        first = int(np.flatnonzero(bad)[0])
        kind = "numbers" if negative_ok else "non-negative numbers"
        raise ObservationError(
            f"{int(bad.sum())} value(s) of {column!r} are missing or not {kind} (first at row "
            f"{first}: {frame[column].iloc[first]!r}); fix or drop those rows"
        )
    return values


def _flags(frame: pd.DataFrame, column: str) -> BoolArray:
    """A yes/no column (bool, 0/1) as a bool array; anything else is an error."""
    raw = frame[column]
    values = pd.to_numeric(raw.astype("object"), errors="coerce").to_numpy(
        dtype=np.float64, na_value=np.nan
    )
    bad = ~np.isin(values, (0.0, 1.0))
    if bad.any():
        first = int(np.flatnonzero(bad)[0])
        raise ObservationError(
            f"{int(bad.sum())} value(s) of {column!r} are not True/False or 1/0 (first at row "
            f"{first}: {raw.iloc[first]!r}); give a boolean column"
        )
    return np.asarray(values == 1.0, dtype=np.bool_)


def _work(frame: pd.DataFrame, cols: list[str], columns: dict[str, Any]) -> pd.DataFrame:
    """A frame of the segment columns plus the given per-row arrays (a constant key if none)."""
    work = pd.DataFrame(columns, index=frame.index)
    if cols:
        for c in cols:
            work[c] = frame[c].to_numpy()
    else:
        work[_ALL] = 0
    return work


def _keys(cols: list[str]) -> list[str]:
    return cols or [_ALL]


def _finish(out: pd.DataFrame, cols: list[str]) -> pd.DataFrame:
    out = out.reset_index()
    if not cols:
        out = out.drop(columns=_ALL)
    return out.reset_index(drop=True)


def _group(work: pd.DataFrame, cols: list[str]) -> Any:
    return work.groupby(_keys(cols), sort=True, observed=True, dropna=False)


def _ratio(num: pd.Series, den: pd.Series) -> pd.Series:
    n = num.to_numpy(dtype=np.float64)
    d = den.to_numpy(dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        return pd.Series(np.where(d > 0, n / d, np.nan), index=num.index)


# -- time to competency --------------------------------------------------------------------------


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
    frame = _require(
        records, [start, reached, *cols], what="records", options="start=, reached=, by="
    )
    begin = _days(frame, start, required=True)
    done = _days(frame, reached, required=False)
    _order(frame, begin, done, (start, reached))
    stop = (
        _day(as_of, "as_of")
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
    work = _work(
        frame,
        cols,
        {
            "days": days,
            "competent": competent,
            "_reached_days": np.where(competent, days, np.nan),
            "_elapsed_days": np.where(competent, np.nan, days),
        },
    )
    g = _group(work, cols)
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
    return CompetencyTimes(summary=_finish(summary, cols), durations=durations, as_of=stamp)


# -- retention of high performers ----------------------------------------------------------------


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
    frame = _require(
        employees,
        [rating, hired, left, *cols],
        what="employees",
        options="rating=, hired=, left=, by=",
    )
    lo, hi = _day(period_start, "period_start"), _day(period_end, "period_end")
    if lo > hi:
        raise ModelError(f"period_start {period_start} is after period_end {period_end}")
    joined = _days(frame, hired, required=True)
    gone = _days(frame, left, required=False)
    _order(frame, joined, gone, (hired, left))
    at_start = (joined <= lo) & ~(gone <= lo)
    at_end = at_start & ~(gone <= hi)
    is_high = _high_mask(frame, rating, high)
    work = _work(
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
    out = _group(work, cols).sum().astype(np.int64)
    out["high_retention"] = _ratio(out["high_retained"], out["high_start"])
    out["rest_retention"] = _ratio(out["rest_retained"], out["rest_start"])
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
    return _finish(out[order], cols)


# -- training hours ------------------------------------------------------------------------------


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
    tr = _require(training, [hours, date, *cols], what="training", options="hours=, date=, by=")
    emp = _require(employees, [hired, left, *cols], what="employees", options="hired=, left=, by=")
    lo, hi = _day(period_start, "period_start"), _day(period_end, "period_end")
    if lo > hi:
        raise ModelError(f"period_start {period_start} is after period_end {period_end}")
    h = _numbers(tr, hours)
    when = _days(tr, date, required=True)
    inside = (when >= lo) & (when <= hi)
    joined = _days(emp, hired, required=True)
    gone = _days(emp, left, required=False)
    _order(emp, joined, gone, (hired, left))
    # Days employed inside [lo, hi]: from max(hired, lo) to the day before leaving, capped at hi.
    last = np.where(np.isnan(gone), hi, np.minimum(gone - 1, hi))
    employed = np.maximum(last - np.maximum(joined, lo) + 1, 0.0)
    span = hi - lo + 1
    hours_sum = _group(_work(tr, cols, {"hours": np.where(inside, h, 0.0)}), cols)["hours"].sum()
    heads = _group(_work(emp, cols, {"average_headcount": employed / span}), cols)[
        "average_headcount"
    ].sum()
    out = pd.concat([hours_sum, heads], axis=1).fillna({"hours": 0.0})
    out = out.sort_index()
    out["hours_per_employee"] = _ratio(out["hours"], out["average_headcount"].fillna(0.0))
    return _finish(out, cols)


# -- internal mobility ---------------------------------------------------------------------------


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
    frame = _require(fills, [internal, *cols], what="fills", options="internal=, by=")
    flag = _flags(frame, internal)
    work = _work(frame, cols, {"filled": np.ones(len(frame), dtype=np.int64), "internal": flag})
    out = _group(work, cols).sum().astype(np.int64)
    out["mobility_rate"] = _ratio(out["internal"], out["filled"])
    return _finish(out, cols)


# -- engagement ----------------------------------------------------------------------------------


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
    frame = _require(responses, [*item_list, *cols], what="responses", options="items=, by=")
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
    keys = _keys(cols)
    seg = _work(frame, cols, {})
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
    per_item["favourable_share"] = _ratio(per_item["favourable"], per_item["answered"])
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

    counts = _group(
        _work(frame, cols, {"respondents": np.ones(len(frame), np.int64), "complete": complete}),
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
    return Engagement(summary=_finish(summary, cols), items=per_item)


# -- documentation and reuse ---------------------------------------------------------------------


def documentation_completeness(
    documents: pd.DataFrame,
    *,
    present: str = "present",
    required: str | None = None,
    by: By = None,
) -> pd.DataFrame:
    """Share of required documents that are present, per segment.

    Parameters
    ----------
    documents
        One row per expected document (e.g. per process and document type).
    present
        Boolean column: the document exists (and is current, if that is what you check).
    required
        Optional boolean column; rows where it is False are not counted. Default: every row
        is required.
    by
        Segment column(s).

    Returns
    -------
    pandas.DataFrame
        ``required``, ``present`` and ``completeness`` (NaN when nothing is required).

    Examples
    --------
    >>> df = pd.DataFrame({"present": [True, True, False, True],
    ...                    "mandatory": [True, True, True, False]})
    >>> documentation_completeness(df, required="mandatory").round(3)
       required  present  completeness
    0         3        2         0.667
    """
    cols = segment_columns(by)
    extra = [required] if required is not None else []
    frame = _require(
        documents, [present, *extra, *cols], what="documents", options="present=, required=, by="
    )
    have = _flags(frame, present)
    need = _flags(frame, required) if required is not None else np.ones(len(frame), np.bool_)
    work = _work(frame, cols, {"required": need, "present": have & need})
    out = _group(work, cols).sum().astype(np.int64)
    out["completeness"] = _ratio(out["present"], out["required"])
    return _finish(out, cols)


def reuse_rate(assets: pd.DataFrame, *, uses: str = "reuses", by: By = None) -> pd.DataFrame:
    """Share of knowledge assets (documents, components, templates) reused at least once.

    Parameters
    ----------
    assets
        One row per asset.
    uses
        Column of the number of reuses (non-negative; the original use is not a reuse).
    by
        Segment column(s).

    Returns
    -------
    pandas.DataFrame
        ``assets``, ``reused``, ``reuse_rate`` and ``mean_reuses`` (reuses per asset).

    Examples
    --------
    >>> reuse_rate(pd.DataFrame({"reuses": [0, 3, 1, 0]}))
       assets  reused  reuse_rate  mean_reuses
    0       4       2         0.5         1.0
    """
    cols = segment_columns(by)
    frame = _require(assets, [uses, *cols], what="assets", options="uses=, by=")
    n = _numbers(frame, uses)
    work = _work(frame, cols, {"assets": np.ones(len(frame), np.int64), "reused": n > 0, "_n": n})
    out = _group(work, cols).sum()
    out["assets"] = out["assets"].astype(np.int64)
    out["reused"] = out["reused"].astype(np.int64)
    out["reuse_rate"] = _ratio(out["reused"], out["assets"])
    out["mean_reuses"] = out["_n"] / out["assets"]
    return _finish(out.drop(columns="_n"), cols)
