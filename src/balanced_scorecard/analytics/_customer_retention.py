"""Retention and churn of the customer perspective, from activity rows.

A customer is active in a period when it has at least one row there; its cohort is its first
active period. The public door is :mod:`balanced_scorecard.analytics.customer`, whose
docstring states the conventions.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
import pandas as pd

from balanced_scorecard.analytics._frames import frame_with
from balanced_scorecard.analytics._segments import By, segment_columns
from balanced_scorecard.exceptions import ObservationError

__all__ = ["churn", "retention_matrix"]


def _activity(
    activity: pd.DataFrame, customer: str, period: str, freq: str, by: list[str]
) -> tuple[pd.DataFrame, str | None]:
    """Distinct (segment, customer, period code) rows and the period frequency (if any)."""
    frame = frame_with(activity, customer, by)
    frame_with(frame, period, [])
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
