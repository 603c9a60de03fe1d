"""Service rates of the customer perspective: on-time delivery and first-contact resolution.

Turns delivery and contact rows into per-segment rates with Wilson intervals. The public door
is :mod:`balanced_scorecard.analytics.customer`, whose docstring states the conventions.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from balanced_scorecard.analytics._distributions import two_sided_z, wilson_interval
from balanced_scorecard.analytics._frames import FloatArray, frame_with
from balanced_scorecard.analytics._segments import By, grouped_sums, segment_columns
from balanced_scorecard.exceptions import ObservationError

__all__ = ["first_contact_resolution", "on_time_delivery"]


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
    sums = grouped_sums(frame, cols, {total_name: counted, hit_name: hits, **extra})
    n = sums[total_name].to_numpy(np.float64)
    k = sums[hit_name].to_numpy(np.float64)
    lower, upper = wilson_interval(k, n, two_sided_z(confidence))
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
    frame = frame_with(events, promised, cols)
    frame_with(frame, delivered, [])
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
    frame = frame_with(contacts, case, cols)
    if resolved is not None:
        frame_with(frame, resolved, [])
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
