"""Customer metrics: NPS, CSAT, customer effort, delivery, first-contact resolution, retention.

The customer perspective's indicators are computed from survey responses and event rows that
live in the organisation's systems. Every function here takes such rows as a pandas frame
(column names are keyword options), is segmentable with ``by=`` (one output row per segment,
computed with one ``groupby``, never a loop per segment) and returns a tidy frame whose
figures can be fed to the scorecard as observations.

Conventions
-----------
* Shares are in **percent** (0–100), NPS in points (−100 to +100); columns say so with
  ``_pct``.
* NPS: promoters score 9–10, passives 7–8, detractors 0–6 on the 0–10 scale. Its standard
  error comes from the multinomial variance, ``100 · sqrt((p + d − (p − d)²) / n)``, and the
  interval is the normal (Wald) interval, clipped to [−100, 100].
* Proportions (top-box, on-time, first-contact resolution) carry a Wilson score interval,
  which stays inside [0, 100] and behaves at 0 % and 100 %.
* Percent of maximum is the POMP score ``(mean − min) / (max − min) · 100``: 0 at the bottom
  of the scale, 100 at the top, whatever the scale's first point.
* Retention and churn are activity based: a customer is active in a period when it has at least
  one row there; its cohort is its first active period; its segment is the one on its earliest
  row.
* Bad input (no rows, missing columns, NaN, scores off the scale, negative counts) raises
  :class:`~balanced_scorecard.exceptions.ObservationError` naming the column and the fix;
  nothing is dropped silently.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
import pandas as pd

from balanced_scorecard.analytics._distributions import normal_ppf
from balanced_scorecard.analytics._segments import By, segment_columns
from balanced_scorecard.exceptions import ModelError, ObservationError

__all__ = [
    "churn",
    "csat",
    "customer_effort",
    "first_contact_resolution",
    "nps",
    "nps_from_counts",
    "on_time_delivery",
    "retention_matrix",
]

FloatArray = npt.NDArray[np.float64]


def _z(confidence: float) -> float:
    if not 0.0 < confidence < 1.0:
        raise ModelError(f"confidence must lie in (0, 1), e.g. 0.95; got {confidence}")
    return float(normal_ppf(0.5 + confidence / 2))


def _frame(data: pd.DataFrame | npt.ArrayLike, column: str, by: list[str]) -> pd.DataFrame:
    """The rows as a frame with ``column`` and the ``by`` columns checked to be there."""
    if not isinstance(data, pd.DataFrame):
        if by:
            raise ObservationError("by= needs a DataFrame with the segment columns")
        data = pd.DataFrame({column: np.asarray(data, dtype=np.float64).ravel()})
    missing = [c for c in [column, *by] if c not in data.columns]
    if missing:
        raise ObservationError(
            f"column(s) {missing} not found; the frame has {list(data.columns)}. Name the "
            "columns with the keyword options."
        )
    if data.empty:
        raise ObservationError("no rows: give at least one response or event")
    return data


def _scores(frame: pd.DataFrame, column: str, lo: float, hi: float, *, integer: bool) -> FloatArray:
    values = pd.to_numeric(frame[column], errors="coerce").to_numpy(
        dtype=np.float64, na_value=np.nan
    )
    bad = np.isnan(values) | (values < lo) | (values > hi)
    if integer:
        bad |= values != np.round(values)
    if bad.any():
        first = int(np.flatnonzero(bad)[0])
        kind = "whole numbers " if integer else ""
        raise ObservationError(
            f"{int(bad.sum())} value(s) of {column!r} are missing or not {kind}from {lo:g} to "
            f"{hi:g} (first at row {first}: {frame[column].iloc[first]!r}); drop the "
            "non-responses or fix the scale"
        )
    return values


def _grouped_sums(
    frame: pd.DataFrame, by: list[str], columns: dict[str, FloatArray]
) -> pd.DataFrame:
    """Sums of the given per-row arrays per segment (one row when ``by`` is empty)."""
    work = pd.DataFrame(columns, index=frame.index)
    if not by:
        return work.sum().to_frame().T
    for c in by:
        work[c] = frame[c].to_numpy()
    return work.groupby(by, sort=True, observed=True, dropna=False).sum().reset_index()


def _wilson(k: FloatArray, n: FloatArray, z: float) -> tuple[FloatArray, FloatArray]:
    """Wilson score interval of a proportion, in percent."""
    with np.errstate(invalid="ignore", divide="ignore"):
        p = k / n
        centre = (p + z * z / (2 * n)) / (1 + z * z / n)
        half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    # At 0 and n the bounds are 0 and 1 exactly; the formula gets there only up to rounding.
    lower = np.where(k == 0, 0.0, np.clip(centre - half, 0, 1))
    upper = np.where(k == n, 1.0, np.clip(centre + half, 0, 1))
    return 100 * lower, 100 * upper


def _nps_columns(
    promoters: FloatArray, passives: FloatArray, detractors: FloatArray, z: float
) -> dict[str, FloatArray]:
    n = promoters + passives + detractors
    p, d = promoters / n, detractors / n
    score = 100 * (p - d)
    se = 100 * np.sqrt(np.maximum(p + d - (p - d) ** 2, 0.0) / n)
    return {
        "n": n,
        "promoters": promoters,
        "passives": passives,
        "detractors": detractors,
        "nps": score,
        "se": se,
        "lower": np.clip(score - z * se, -100, 100),
        "upper": np.clip(score + z * se, -100, 100),
    }


def nps_from_counts(
    promoters: npt.ArrayLike,
    passives: npt.ArrayLike,
    detractors: npt.ArrayLike,
    *,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Net Promoter Score from counts, with its standard error and confidence interval.

    Parameters
    ----------
    promoters, passives, detractors
        Counts (scalars or equal-length arrays, one element per segment); non-negative, and at
        least one response per segment.
    confidence
        Level of the normal interval.

    Returns
    -------
    pandas.DataFrame
        ``n``, the three counts, ``nps`` (points), ``se`` and ``lower``/``upper``.

    Examples
    --------
    50 promoters, 30 passives and 20 detractors: NPS = 50 % − 20 % = +30; the multinomial
    variance is (0.5 + 0.2 − 0.3²) / 100 = 0.0061, so SE = 7.81 points:

    >>> row = nps_from_counts(50, 30, 20).iloc[0]
    >>> float(row.nps), round(float(row.se), 2), round(float(row.lower), 2)
    (30.0, 7.81, 14.69)
    """
    z = _z(confidence)
    arrays = [
        np.atleast_1d(np.asarray(a, dtype=np.float64)) for a in (promoters, passives, detractors)
    ]
    try:
        prom, pas, det = np.broadcast_arrays(*arrays)
    except ValueError:
        raise ObservationError(
            "promoters, passives and detractors must have the same length"
        ) from None
    stacked = np.stack([prom, pas, det])
    if stacked.size == 0:
        raise ObservationError("no counts given")
    if np.any(~np.isfinite(stacked)) or np.any(stacked < 0):
        raise ObservationError(
            f"counts must be finite and not negative; got promoters={prom.tolist()}, "
            f"passives={pas.tolist()}, detractors={det.tolist()}"
        )
    if np.any(stacked.sum(axis=0) == 0):
        raise ObservationError("every segment needs at least one response; a total is 0")
    return pd.DataFrame(_nps_columns(prom, pas, det, z))


def nps(
    data: pd.DataFrame | npt.ArrayLike,
    *,
    score: str = "score",
    by: By = None,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Net Promoter Score from 0–10 "likelihood to recommend" responses, per segment.

    Parameters
    ----------
    data
        A frame with one response per row, or a plain array of scores (then no ``by``).
    score
        Column of the 0–10 scores (whole numbers).
    by
        Segment column(s): one output row per segment.
    confidence
        Level of the normal interval (see :func:`nps_from_counts`).

    Examples
    --------
    >>> df = pd.DataFrame({"market": ["EU"] * 4 + ["US"] * 2,
    ...                    "score": [10, 9, 7, 3, 6, 10]})
    >>> nps(df, by="market")[["market", "n", "nps"]]
      market    n   nps
    0     EU  4.0  25.0
    1     US  2.0   0.0
    """
    cols = segment_columns(by)
    frame = _frame(data, score, cols)
    s = _scores(frame, score, 0, 10, integer=True)
    counts = _grouped_sums(
        frame,
        cols,
        {
            "promoters": (s >= 9).astype(np.float64),
            "passives": ((s >= 7) & (s <= 8)).astype(np.float64),
            "detractors": (s <= 6).astype(np.float64),
        },
    )
    out = _nps_columns(
        counts["promoters"].to_numpy(np.float64),
        counts["passives"].to_numpy(np.float64),
        counts["detractors"].to_numpy(np.float64),
        _z(confidence),
    )
    return pd.concat([counts[cols], pd.DataFrame(out)], axis=1)


def _scale_summary(
    data: pd.DataFrame | npt.ArrayLike,
    *,
    score: str,
    by: By,
    scale: tuple[float, float],
    box: int,
    top: bool,
    confidence: float,
    box_name: str,
) -> pd.DataFrame:
    lo, hi = scale
    if not lo < hi:
        raise ModelError(f"scale must be (lowest, highest) with lowest < highest; got {scale}")
    if not 1 <= box <= hi - lo + 1:
        raise ModelError(f"box must count between 1 and {hi - lo + 1:g} scale points; got {box}")
    cols = segment_columns(by)
    frame = _frame(data, score, cols)
    s = _scores(frame, score, lo, hi, integer=False)
    in_box = s >= hi - box + 1 if top else s <= lo + box - 1
    sums = _grouped_sums(
        frame,
        cols,
        {"n": np.ones_like(s), "_sum": s, "_sq": s * s, "_box": in_box.astype(np.float64)},
    )
    n = sums["n"].to_numpy(np.float64)
    mean = sums["_sum"].to_numpy(np.float64) / n
    with np.errstate(invalid="ignore", divide="ignore"):
        var = (sums["_sq"].to_numpy(np.float64) - n * mean * mean) / (n - 1)
    k = sums["_box"].to_numpy(np.float64)
    lower, upper = _wilson(k, n, _z(confidence))
    out = pd.DataFrame(
        {
            "n": n,
            "mean": mean,
            "sd": np.sqrt(np.maximum(var, 0.0)),
            f"{box_name}_pct": 100 * k / n,
            f"{box_name}_lower": lower,
            f"{box_name}_upper": upper,
            "percent_of_max": 100 * (mean - lo) / (hi - lo),
        }
    )
    return pd.concat([sums[cols], out], axis=1)


def csat(
    data: pd.DataFrame | npt.ArrayLike,
    *,
    score: str = "score",
    by: By = None,
    scale: tuple[float, float] = (1, 5),
    top_box: int = 2,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Customer satisfaction in its three usual forms, per segment.

    Returns ``n``, ``mean`` and ``sd`` of the scores, ``top_box_pct`` (share of responses in
    the top ``top_box`` points of the scale: 4 and 5 on a 1–5 scale for top-2-box) with its
    Wilson interval, and ``percent_of_max`` (POMP, see the module conventions).

    Examples
    --------
    Scores 5, 4, 4, 2, 1 on 1–5: top-2-box 3/5 = 60 %, mean 3.2, POMP (3.2 − 1) / 4 = 55 %:

    >>> row = csat([5, 4, 4, 2, 1]).iloc[0]
    >>> float(row.top_box_pct), float(row["mean"]), float(row.percent_of_max)
    (60.0, 3.2, 55.0)
    """
    return _scale_summary(
        data,
        score=score,
        by=by,
        scale=scale,
        box=top_box,
        top=True,
        confidence=confidence,
        box_name="top_box",
    )


def customer_effort(
    data: pd.DataFrame | npt.ArrayLike,
    *,
    score: str = "score",
    by: By = None,
    scale: tuple[float, float] = (1, 7),
    easy_box: int = 3,
    higher_is_easier: bool = True,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Customer effort score (CES), per segment.

    The default reads the 1–7 agreement scale of "the company made it easy to handle my
    issue" (higher is easier): ``mean`` is the CES, ``easy_pct`` the share that agrees (5–7,
    the top ``easy_box`` points). For a 1–5 "how much effort" scale pass
    ``scale=(1, 5), higher_is_easier=False, easy_box=2``: the easy share is then the bottom two
    points, and ``mean`` stays on the scale as given (lower is better there).

    Examples
    --------
    >>> row = customer_effort([7, 6, 5, 4, 2]).iloc[0]
    >>> float(row["mean"]), float(row.easy_pct)
    (4.8, 60.0)
    """
    return _scale_summary(
        data,
        score=score,
        by=by,
        scale=scale,
        box=easy_box,
        top=higher_is_easier,
        confidence=confidence,
        box_name="easy",
    )


def _rate_frame(
    frame: pd.DataFrame,
    cols: list[str],
    hits: FloatArray,
    counted: FloatArray,
    extra: dict[str, FloatArray],
    names: tuple[str, str, str],
    confidence: float,
) -> pd.DataFrame:
    total_name, hit_name, pct_name = names
    sums = _grouped_sums(frame, cols, {total_name: counted, hit_name: hits, **extra})
    n = sums[total_name].to_numpy(np.float64)
    k = sums[hit_name].to_numpy(np.float64)
    lower, upper = _wilson(k, n, _z(confidence))
    with np.errstate(invalid="ignore", divide="ignore"):
        sums[pct_name] = 100 * k / n
    sums["lower"] = lower
    sums["upper"] = upper
    return sums


def on_time_delivery(
    events: pd.DataFrame,
    *,
    promised: str = "promised",
    delivered: str = "delivered",
    tolerance: str | pd.Timedelta = "0D",
    by: By = None,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """On-time delivery rate from delivery rows, per segment.

    A row is on time when it was delivered no later than ``promised + tolerance``. Rows with
    no delivery date yet are counted in ``pending`` and left out of the rate (their outcome is
    not known); a missing promised date is an error.

    Returns ``delivered``, ``on_time``, ``pending``, ``on_time_pct`` and its Wilson interval
    (``lower``, ``upper``; NaN for a segment with nothing delivered).

    Examples
    --------
    >>> ev = pd.DataFrame({
    ...     "promised": pd.to_datetime(["2025-01-10", "2025-01-10", "2025-01-12", "2025-01-15"]),
    ...     "delivered": pd.to_datetime(["2025-01-09", "2025-01-11", "2025-01-12", None])})
    >>> on_time_delivery(ev)[["delivered", "on_time", "pending", "on_time_pct"]].round(1)
       delivered  on_time  pending  on_time_pct
    0        3.0      2.0      1.0         66.7
    """
    cols = segment_columns(by)
    frame = _frame(events, promised, cols)
    _frame(frame, delivered, [])
    due = pd.to_datetime(frame[promised])
    done = pd.to_datetime(frame[delivered])
    if due.isna().any():
        first = int(np.flatnonzero(due.isna().to_numpy())[0])
        raise ObservationError(
            f"{int(due.isna().sum())} row(s) have no {promised!r} date (first at row {first}); "
            "an order without a promise cannot be on time or late"
        )
    pending = done.isna().to_numpy()
    on_time = ((done <= due + pd.Timedelta(tolerance)) & ~done.isna()).to_numpy()
    return _rate_frame(
        frame,
        cols,
        on_time.astype(np.float64),
        (~pending).astype(np.float64),
        {"pending": pending.astype(np.float64)},
        ("delivered", "on_time", "on_time_pct"),
        confidence,
    )


def first_contact_resolution(
    contacts: pd.DataFrame,
    *,
    case: str = "case_id",
    resolved: str | None = None,
    by: By = None,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """First-contact resolution rate from contact rows (one row per contact), per segment.

    A case is resolved at first contact when it has exactly one contact and, if a
    ``resolved`` column is named, that contact is marked resolved. The rate is over all cases.
    A case's segment is the one on its first row.

    Examples
    --------
    Case 1 had one resolved contact, case 2 needed two, case 3 one unresolved contact:

    >>> rows = pd.DataFrame({"case_id": [1, 2, 2, 3], "resolved": [True, False, True, False]})
    >>> first_contact_resolution(rows, resolved="resolved")[["cases", "fcr", "fcr_pct"]].round(1)
       cases  fcr  fcr_pct
    0    3.0  1.0     33.3
    """
    cols = segment_columns(by)
    frame = _frame(contacts, case, cols)
    if resolved is not None:
        _frame(frame, resolved, [])
    if frame[case].isna().any():
        raise ObservationError(f"{int(frame[case].isna().sum())} contact(s) have no {case!r}")
    work = frame[[case, *cols]].copy()
    work["_contacts"] = 1.0
    if resolved is None:
        work["_resolved"] = 1.0
    else:
        flags = frame[resolved]
        if flags.isna().any():
            raise ObservationError(f"{int(flags.isna().sum())} row(s) have no {resolved!r} flag")
        work["_resolved"] = flags.astype(bool).astype(np.float64).to_numpy()
    agg: dict[str, tuple[str, str]] = {
        "_contacts": ("_contacts", "sum"),
        "_resolved": ("_resolved", "max"),
    }
    agg.update({c: (c, "first") for c in cols})
    per_case = work.groupby(case, sort=False).agg(**agg).reset_index(drop=True)
    hit = np.asarray((per_case["_contacts"] == 1) & (per_case["_resolved"] > 0), dtype=np.float64)
    return _rate_frame(
        per_case,
        cols,
        hit,
        np.ones(len(per_case)),
        {},
        ("cases", "fcr", "fcr_pct"),
        confidence,
    )


def _activity(
    activity: pd.DataFrame, customer: str, period: str, freq: str, by: list[str]
) -> tuple[pd.DataFrame, str | None]:
    """Distinct (segment, customer, period code) rows and the period frequency (if any)."""
    frame = _frame(activity, customer, by)
    _frame(frame, period, [])
    if frame[[customer, period]].isna().any().any():
        raise ObservationError(f"rows without {customer!r} or {period!r}; drop or fill them")
    col = frame[period]
    kind: str | None = None
    if isinstance(col.dtype, pd.PeriodDtype):
        codes = pd.PeriodIndex(col).asi8
        kind = pd.PeriodIndex(col).freqstr
    elif pd.api.types.is_datetime64_any_dtype(col):
        p = col.dt.to_period(freq)
        codes = pd.PeriodIndex(p).asi8
        kind = pd.PeriodIndex(p).freqstr
    elif pd.api.types.is_integer_dtype(col):
        codes = col.to_numpy(np.int64)
    else:
        raise ObservationError(
            f"column {period!r} must hold dates, pandas periods or integer period numbers; "
            f"got {col.dtype}"
        )
    work = pd.DataFrame({"_customer": frame[customer].to_numpy(), "_code": codes})
    # The segment of a customer is taken from its earliest row, so a customer never sits in
    # two segments' cohorts.
    order = np.argsort(codes, kind="stable")
    for c in by:
        seg = pd.Series(frame[c].to_numpy()[order], index=work["_customer"].to_numpy()[order])
        first = seg[~seg.index.duplicated(keep="first")]
        work[c] = first.reindex(work["_customer"].to_numpy()).to_numpy()
    work = work.drop_duplicates(["_customer", "_code"])
    work["_cohort"] = work.groupby("_customer")["_code"].transform("min")
    return work, kind


def _labels(codes: npt.ArrayLike, kind: str | None) -> pd.Index:
    values = np.asarray(codes, dtype=np.int64)
    if kind is None:
        return pd.Index(values)
    # pandas-stubs lack PeriodIndex.from_ordinals (pandas >= 2.2 has it).
    labels: pd.Index = pd.PeriodIndex.from_ordinals(values, freq=kind)  # type: ignore[attr-defined]
    return labels


def retention_matrix(
    activity: pd.DataFrame,
    *,
    customer: str = "customer_id",
    period: str = "period",
    freq: str = "M",
    by: By = None,
) -> pd.DataFrame:
    """Cohort × period retention: the percent of each cohort active ``k`` periods after its
    first.

    Parameters
    ----------
    activity
        One row per customer activity (order, login, invoice); several rows of a customer in
        one period count once.
    customer, period
        Column names. ``period`` holds dates (binned with ``freq``), pandas periods, or integer
        period numbers.
    freq
        Period frequency for dates (``"M"`` months, ``"Q"`` quarters, ``"W"`` weeks...).
    by
        Segment column(s); a customer's segment is the one on its earliest row.

    Returns
    -------
    pandas.DataFrame
        Indexed by the segment columns and ``cohort``; a ``cohort_size`` column and one column
        per offset ``0, 1, 2...`` in percent (offset 0 is 100). Cells after the last period in
        the data are NaN (not yet observed), not 0.

    Examples
    --------
    >>> rows = pd.DataFrame({"customer_id": ["a", "a", "b", "b", "c", "a"],
    ...                      "period": [1, 2, 1, 3, 2, 3]})
    >>> retention_matrix(rows)
            cohort_size      0     1      2
    cohort
    1                 2  100.0  50.0  100.0
    2                 1  100.0   0.0    NaN
    """
    cols = segment_columns(by)
    work, kind = _activity(activity, customer, period, freq, cols)
    last = int(work["_code"].max())
    work["_offset"] = work["_code"] - work["_cohort"]
    counts = work.pivot_table(
        index=[*cols, "_cohort"],
        columns="_offset",
        values="_customer",
        aggfunc="size",
        fill_value=0,
    )
    span = last - int(work["_cohort"].min())
    counts = counts.reindex(columns=range(span + 1), fill_value=0)
    size = counts[0].to_numpy(np.float64)
    cohorts = counts.index.get_level_values("_cohort").to_numpy(np.int64)
    offsets = np.arange(span + 1)
    observed = cohorts[:, None] + offsets[None, :] <= last
    pct = np.where(observed, 100 * counts.to_numpy(np.float64) / size[:, None], np.nan)
    keys = counts.index.to_frame(index=False).drop(columns="_cohort")
    keys["cohort"] = _labels(cohorts, kind)
    index = pd.MultiIndex.from_frame(keys) if cols else pd.Index(keys["cohort"], name="cohort")
    out = pd.DataFrame(pct, index=index, columns=pd.Index(offsets.tolist()))
    out.insert(0, "cohort_size", counts[0].to_numpy(np.int64))
    return out


def churn(
    activity: pd.DataFrame,
    *,
    customer: str = "customer_id",
    period: str = "period",
    freq: str = "M",
    by: By = None,
) -> pd.DataFrame:
    """Churn and retention per period (and segment) from activity rows.

    For each period ``t`` after the first: ``active_start`` customers were active in ``t − 1``;
    ``retained`` of them are active in ``t``, ``churned`` are not; ``new`` customers have
    their first activity in ``t``; ``reactivated`` come back after a gap. ``churn_pct`` and
    ``retention_pct`` are over ``active_start`` (NaN when it is 0). Periods with no activity
    at all inside the data's span are listed with zeros.

    Examples
    --------
    >>> rows = pd.DataFrame({"customer_id": ["a", "b", "c", "a", "c", "d", "b"],
    ...                      "period": [1, 1, 1, 2, 2, 2, 3]})
    >>> churn(rows)[["period", "active_start", "retained", "churned", "new", "reactivated",
    ...              "churn_pct"]].round(1)
       period  active_start  retained  churned  new  reactivated  churn_pct
    0       2             3         2        1    1            0       33.3
    1       3             3         0        3    0            1      100.0
    """
    cols = segment_columns(by)
    work, kind = _activity(activity, customer, period, freq, cols)
    first, last = int(work["_code"].min()), int(work["_code"].max())
    prev = work[["_customer", "_code"]].assign(_code=work["_code"] + 1, _was=1)
    work = work.merge(prev, on=["_customer", "_code"], how="left")
    work["_retained"] = work["_was"].fillna(0).astype(np.int64)
    work["_new"] = (work["_code"] == work["_cohort"]).astype(np.int64)
    keys = [*cols, "_code"]
    agg = work.groupby(keys).agg(
        active=("_customer", "size"), retained=("_retained", "sum"), new=("_new", "sum")
    )
    # Every segment over every period of the data's span, so gaps show as zeros.
    codes = pd.Index(range(first, last + 1), name="_code")
    if cols:
        segments = agg.index.to_frame(index=False)[cols].drop_duplicates()
        grid = segments.merge(codes.to_frame(index=False), how="cross")
        full: pd.Index = pd.MultiIndex.from_frame(grid)
    else:
        full = codes
    agg = agg.reindex(full, fill_value=0)
    active = agg["active"]
    start = active.groupby(cols).shift(1) if cols else active.shift(1)
    out = agg.assign(active_start=start).dropna(subset=["active_start"]).reset_index()
    out["active_start"] = out["active_start"].astype(np.int64)
    out["churned"] = out["active_start"] - out["retained"]
    out["reactivated"] = out["active"] - out["retained"] - out["new"]
    denom = out["active_start"].to_numpy(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        out["churn_pct"] = np.where(denom > 0, 100 * out["churned"] / denom, math.nan)
        out["retention_pct"] = np.where(denom > 0, 100 * out["retained"] / denom, math.nan)
    out["period"] = _labels(out["_code"], kind)
    ordered = [*cols, "period", "active_start", "active", "retained", "churned", "new"]
    return out[[*ordered, "reactivated", "churn_pct", "retention_pct"]].reset_index(drop=True)
