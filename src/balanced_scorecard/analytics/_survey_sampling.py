"""Survey sampling: sample sizes, margins of error and a fatigue-aware survey plan.

The public door is :mod:`balanced_scorecard.analytics.customer_insight`, whose docstring
states the conventions (finite population correction, the fatigue window, the seeded draw).
"""

from __future__ import annotations

from collections.abc import Mapping

import attrs
import numpy as np
import numpy.typing as npt
import pandas as pd

from balanced_scorecard.analytics._distributions import two_sided_z
from balanced_scorecard.analytics._frames import FloatArray, frame_with
from balanced_scorecard.exceptions import ModelError, ObservationError

__all__ = ["SurveyPlan", "margin_of_error", "plan_survey", "sample_size"]

IntArray = npt.NDArray[np.int64]


def _check_fraction(name: str, value: npt.ArrayLike) -> FloatArray:
    v = np.asarray(value, dtype=np.float64)
    if v.size == 0 or np.any(~(v > 0) | ~(v < 1)):
        raise ModelError(
            f"{name} must lie strictly between 0 and 1 (0.05 for ±5 points); got {v.tolist()}"
        )
    return v


def _check_population(population: npt.ArrayLike) -> FloatArray:
    n = np.asarray(population, dtype=np.float64)
    bad = np.isnan(n) | (n < 1) | (np.isfinite(n) & (n != np.floor(n)))
    if n.size == 0 or bad.any():
        raise ModelError(
            f"population must be whole numbers >= 1 (inf for an unknown, large one); got "
            f"{n.tolist()}. A segment with no customers cannot be surveyed: leave it out."
        )
    return n


def sample_size(
    population: npt.ArrayLike,
    *,
    margin: npt.ArrayLike,
    confidence: float = 0.95,
    proportion: float = 0.5,
) -> IntArray:
    """Responses needed to estimate a proportion within ``±margin``, per segment.

    ``n0 = z² p (1 − p) / e²`` for an infinite population, then the finite population
    correction ``n = n0 / (1 + (n0 − 1) / N)``, rounded up. ``n`` never exceeds ``N``.

    Parameters
    ----------
    population
        Segment sizes ``N`` (whole numbers >= 1; ``inf`` gives ``n0``).
    margin
        Target margin of error ``e`` as a fraction in (0, 1); broadcast against
        ``population``.
    confidence
        Two-sided confidence level (``z`` is its normal quantile).
    proportion
        The expected proportion ``p``; 0.5, the default, is the worst case.

    Returns
    -------
    numpy.ndarray
        Integer sample sizes, shaped like the broadcast inputs.

    Examples
    --------
    N = 10,000 at ±5 % and 95 %: n0 = 1.96² · 0.25 / 0.0025 = 384.1, and the correction
    gives 384.1 / (1 + 383.1 / 10,000) = 369.97, so 370:

    >>> sample_size([10_000, 500, np.inf], margin=0.05)
    array([370, 218, 385])
    """
    n = _check_population(population)
    e = _check_fraction("margin", margin)
    p = float(_check_fraction("proportion", proportion))
    z = two_sided_z(confidence)
    n0 = z * z * p * (1 - p) / (e * e)
    with np.errstate(invalid="ignore"):
        size = n0 / (1 + (n0 - 1) / n)
    # Round before the ceiling so that 370.0000000001 from floating point stays 370.
    return np.asarray(np.minimum(np.ceil(np.round(size, 9)), n), dtype=np.int64)


def margin_of_error(
    sample: npt.ArrayLike,
    *,
    population: npt.ArrayLike = np.inf,
    confidence: float = 0.95,
    proportion: float = 0.5,
) -> FloatArray:
    """The margin of error a sample of ``n`` responses gives; the inverse of
    :func:`sample_size`: ``e = z · sqrt(p (1 − p) / n · (N − n) / (N − 1))``.

    ``inf`` for ``n = 0``; 0 when the whole population answered.

    Examples
    --------
    >>> margin_of_error([370, 0, 10], population=[10_000, 50, 10]).round(4)
    array([0.05,  inf, 0.  ])
    """
    n = np.asarray(sample, dtype=np.float64)
    big_n = _check_population(population)
    if np.any(np.isnan(n) | (n < 0)) or np.any(n > big_n):
        raise ModelError(
            f"sample sizes must be between 0 and the population; got {n.tolist()} of "
            f"{big_n.tolist()}"
        )
    p = float(_check_fraction("proportion", proportion))
    z = two_sided_z(confidence)
    with np.errstate(invalid="ignore", divide="ignore"):
        fpc = np.where(np.isinf(big_n), 1.0, (big_n - n) / (big_n - 1))
        e = z * np.sqrt(p * (1 - p) / n * fpc)
    e = np.where(n >= big_n, 0.0, e)
    return np.asarray(np.where(n == 0, np.inf, e), dtype=np.float64)


@attrs.frozen(kw_only=True, eq=False)
class SurveyPlan:
    """A survey sampling plan: per-segment targets and the customers drawn.

    Attributes
    ----------
    segments
        One row per segment: ``population`` (N), ``listed`` (customers on the list),
        ``fatigued`` (excluded by the fatigue rule), ``eligible``, ``margin`` (target),
        ``target`` (responses needed), ``invitations`` (target / response rate, rounded up),
        ``selected`` (drawn: the invitations, or every eligible customer if fewer),
        ``shortfall``, ``reachable`` and ``expected_margin`` (the margin the expected
        responses of the selection give).
    customers
        One row per listed customer: its id and segment, ``surveys_in_window``,
        ``eligible``, ``selected`` and ``draw_order`` (1, 2... within its segment among the
        eligible; 0 for the ineligible).
    """

    segments: pd.DataFrame
    customers: pd.DataFrame
    as_of: pd.Timestamp
    window: pd.Timedelta
    max_surveys: int
    confidence: float
    proportion: float
    response_rate: float
    seed: int

    @property
    def reachable(self) -> bool:
        """True when every segment can meet its target."""
        return bool(self.segments["reachable"].all())

    @property
    def selected(self) -> pd.DataFrame:
        """The customers to survey, by segment and draw order."""
        return self.customers.loc[self.customers["selected"]].reset_index(drop=True)


def _fatigue_counts(
    ids: pd.Series,
    *,
    last: pd.Series | None,
    history: pd.DataFrame | None,
    customer: str,
    surveyed: str,
    as_of: pd.Timestamp,
    window: pd.Timedelta,
) -> IntArray:
    """Surveys each customer got in ``(as_of − window, as_of]``."""
    if history is not None:
        hist = frame_with(history, customer, [])
        frame_with(hist, surveyed, [])
        dates = pd.to_datetime(hist[surveyed])
        if dates.isna().any():
            raise ObservationError(f"{int(dates.isna().sum())} survey row(s) have no date")
        owners = hist[customer]
    else:
        assert last is not None
        dates = pd.to_datetime(last)
        owners = ids
    if (dates > as_of).any():
        raise ObservationError(
            f"{int((dates > as_of).sum())} survey date(s) fall after as_of={as_of.date()}; "
            "set as_of to the day the new survey goes out"
        )
    recent = (dates > as_of - window).to_numpy(dtype=bool, na_value=False)
    counts = pd.Series(owners.to_numpy()[recent]).value_counts()
    return np.asarray(ids.map(counts).fillna(0).to_numpy(np.int64), dtype=np.int64)


def plan_survey(
    customers: pd.DataFrame,
    *,
    margin: float | Mapping[str, float],
    as_of: str | pd.Timestamp,
    window: str | pd.Timedelta = "90D",
    max_surveys: int = 1,
    history: pd.DataFrame | None = None,
    population: Mapping[str, float] | pd.Series | None = None,
    customer: str = "customer_id",
    segment: str = "segment",
    last_surveyed: str = "last_surveyed",
    surveyed: str = "surveyed",
    confidence: float = 0.95,
    proportion: float = 0.5,
    response_rate: float = 1.0,
    seed: int = 0,
) -> SurveyPlan:
    """Plan a survey per segment: how many to ask, who is eligible, and whom to ask.

    Parameters
    ----------
    customers
        One row per customer with ``customer`` and ``segment`` columns and, unless
        ``history`` is given, the ``last_surveyed`` date (empty when never surveyed).
    margin
        Target margin of error, one fraction for all segments or one per segment.
    as_of
        The day the survey goes out; survey dates after it are an error.
    window, max_surveys
        The fatigue rule: at most ``max_surveys`` surveys per customer in any ``window``.
        More than one per window needs the full ``history``.
    history
        Past surveys, one row per survey sent (``customer`` and ``surveyed`` date columns);
        rows of customers not on the list do not matter.
    population
        Segment sizes ``N`` when the list is a subset of the customer base; default: the
        customers listed per segment. A segment listed here but not on the list has nobody
        eligible.
    customer, segment, last_surveyed, surveyed
        Column names.
    confidence, proportion
        As in :func:`sample_size`.
    response_rate
        Expected share of invitations answered, in (0, 1]; invitations are
        ``ceil(target / response_rate)``.
    seed
        Seed of the draw.

    Returns
    -------
    SurveyPlan
        ``.segments`` (targets, eligibility, reachability), ``.customers`` and
        ``.selected``.

    Examples
    --------
    Six customers in two segments of a base of 10,000 and 5, at ±30 points; one survey per
    90 days. ``a`` was surveyed 31 days ago and rests; ``c`` and ``d`` were surveyed more than
    90 days ago and may be asked again. n0 = 1.96² · 0.25 / 0.09 = 10.67, so the key accounts
    need 10.67 / (1 + 9.67 / 5) = 3.6 → 4 and the small businesses 11:

    >>> cust = pd.DataFrame({
    ...     "customer_id": ["a", "b", "c", "d", "e", "f"],
    ...     "segment": ["smb", "smb", "key", "key", "key", "key"],
    ...     "last_surveyed": pd.to_datetime(
    ...         ["2025-05-01", None, "2025-01-02", "2025-03-01", None, None])})
    >>> plan = plan_survey(cust, margin=0.3, as_of="2025-06-01",
    ...                    population={"smb": 10_000, "key": 5})
    >>> plan.segments[["segment", "population", "eligible", "target", "reachable"]]
      segment  population  eligible  target  reachable
    0     key           5         4       4       True
    1     smb       10000         1      11      False
    >>> plan.selected[["customer_id", "segment", "draw_order"]].shape
    (5, 3)
    """
    listing = frame_with(customers, customer, [segment])
    if history is None:
        if max_surveys != 1:
            raise ModelError(
                f"max_surveys={max_surveys} needs the survey history= (one row per survey); "
                "a last-surveyed date can only enforce one survey per window"
            )
        frame_with(listing, last_surveyed, [])
    if isinstance(max_surveys, bool) or not isinstance(max_surveys, int) or max_surveys < 1:
        raise ModelError(f"max_surveys must be a whole number >= 1; got {max_surveys!r}")
    if not 0 < response_rate <= 1:
        raise ModelError(f"response_rate must lie in (0, 1]; got {response_rate}")
    when = pd.Timestamp(as_of)
    span = pd.Timedelta(window)
    if not span > pd.Timedelta(0):
        raise ModelError(f"window must be a positive duration such as '90D'; got {window!r}")
    ids, segs = listing[customer], listing[segment]
    if ids.isna().any() or segs.isna().any():
        raise ObservationError(f"customers without {customer!r} or {segment!r}; fill or drop")
    if ids.duplicated().any():
        dupes = ids[ids.duplicated()].unique().tolist()[:5]
        raise ObservationError(f"customers must appear once on the list; {dupes} repeat")

    counts = _fatigue_counts(
        ids,
        last=None if history is not None else listing[last_surveyed],
        history=history,
        customer=customer,
        surveyed=surveyed,
        as_of=when,
        window=span,
    )
    table = pd.DataFrame(
        {customer: ids.to_numpy(), segment: segs.to_numpy(), "surveys_in_window": counts}
    )
    table["eligible"] = table["surveys_in_window"] < max_surveys
    # The key of a customer depends only on the seed and its id (SipHash of the id).
    table["_key"] = pd.util.hash_pandas_object(
        table[customer], index=False, hash_key=f"{seed % 10**16:016d}"
    ).to_numpy()

    listed = table.groupby(segment, sort=True).agg(
        listed=("eligible", "size"), eligible=("eligible", "sum")
    )
    if population is None:
        sizes = listed["listed"].astype(np.float64)
    else:
        sizes = pd.Series(dict(population), dtype=np.float64)
        unsized = sorted(set(listed.index) - set(sizes.index))
        if unsized:
            raise ModelError(
                f"no population given for segment(s) {unsized}; add them to population="
            )
    seg = pd.DataFrame({"population": sizes})
    seg.index.name = segment
    seg = seg.join(listed, how="left").fillna({"listed": 0, "eligible": 0}).sort_index()
    big_n = _check_population(seg["population"].to_numpy(np.float64))
    over = seg.index[seg["listed"].to_numpy() > big_n].tolist()
    if over:
        raise ObservationError(
            f"segment(s) {over} list more customers than their population; fix population="
        )
    if isinstance(margin, Mapping):
        lacking = sorted(set(seg.index) - set(margin))
        if lacking:
            raise ModelError(f"no margin given for segment(s) {lacking}; add them to margin=")
        e = seg.index.map(dict(margin)).to_numpy(np.float64)
    else:
        e = np.full(len(seg), float(margin))
    seg["margin"] = e
    seg["target"] = sample_size(big_n, margin=e, confidence=confidence, proportion=proportion)
    seg["invitations"] = np.ceil(np.round(seg["target"] / response_rate, 9)).astype(np.int64)
    eligible = seg["eligible"].to_numpy(np.int64)
    seg["selected"] = np.minimum(seg["invitations"].to_numpy(np.int64), eligible)
    seg["shortfall"] = np.maximum(seg["invitations"].to_numpy(np.int64) - eligible, 0)
    seg["reachable"] = seg["shortfall"] == 0
    seg["expected_margin"] = margin_of_error(
        np.minimum(seg["selected"] * response_rate, big_n),
        population=big_n,
        confidence=confidence,
        proportion=proportion,
    )
    seg = seg.astype({"population": np.float64, "listed": np.int64, "eligible": np.int64})
    seg.insert(2, "fatigued", seg["listed"] - seg["eligible"])
    if np.isfinite(big_n).all():
        seg["population"] = seg["population"].astype(np.int64)

    # Draw: within each segment, the eligible customers in key order; the first
    # `invitations` of them are selected.
    table = table.sort_values(
        [segment, "eligible", "_key", customer], ascending=[True, False, True, True]
    )
    order = table.groupby(segment, sort=False).cumcount().to_numpy() + 1
    table["draw_order"] = np.where(table["eligible"], order, 0)
    quota = table[segment].map(seg["selected"]).to_numpy(np.int64)
    table["selected"] = table["eligible"].to_numpy() & (table["draw_order"].to_numpy() <= quota)
    return SurveyPlan(
        segments=seg.reset_index(),
        customers=table.drop(columns="_key").reset_index(drop=True),
        as_of=when,
        window=span,
        max_surveys=max_surveys,
        confidence=confidence,
        proportion=proportion,
        response_rate=response_rate,
        seed=seed,
    )
