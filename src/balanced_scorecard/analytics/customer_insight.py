"""Customer insight: journey coverage, perceived vs delivered gaps, survey sampling plans.

:mod:`balanced_scorecard.analytics.customer` computes the customer perspective's metrics;
this module answers the questions an insight analyst asks about them. Does some indicator
watch every stage of the customer journey (:func:`journey_coverage`)? Where do customers feel
worse, or better, than the service they get (:func:`perception_gap`)? How many customers of
each segment must be surveyed, and which ones may be asked without tiring them
(:func:`sample_size`, :func:`plan_survey`)?

Conventions
-----------
* Journey stages default to :data:`JOURNEY_STAGES`; a scorecard maps its indicators to them
  with tags ``journey:<stage>`` and, optionally, to segments with ``segment:<name>``. An
  indicator with no segment tag measures the whole customer base and covers every segment.
* Gaps compare standardised scores across segments: z-scores with the sample standard
  deviation (``ddof=1``) by default, or ranks scaled to [0, 1]. ``gap = perceived − delivered``
  on that scale; below ``−threshold`` is a *perception gap* (customers less happy than the
  delivery warrants), above ``+threshold`` a *delivery risk* (happier than the delivery
  justifies, which will not last).
* Sample sizes are for a proportion at the worst case ``p = 0.5`` with the finite population
  correction, rounded up: ``n0 = z² p (1 − p) / e²``, ``n = n0 / (1 + (n0 − 1) / N)``.
  Margins are fractions (0.05 is ±5 points).
* Survey fatigue: a customer may get at most ``max_surveys`` surveys in any ``window``; it is
  eligible on ``as_of`` when fewer than that were sent in ``(as_of − window, as_of]``, so with
  one per 90 days a customer surveyed exactly 90 days ago is eligible again.
* The draw is a simple random sample without replacement within each segment. A customer's
  draw key is a seeded hash of its id, so the same seed picks the same customers whatever the
  row order, and adding customers to the list does not reshuffle the others.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Literal

import attrs
import numpy as np
import numpy.typing as npt
import pandas as pd

from balanced_scorecard._suggest import did_you_mean
from balanced_scorecard.analytics._segments import segment_columns
from balanced_scorecard.analytics.customer import _frame, _z
from balanced_scorecard.exceptions import ModelError, ObservationError
from balanced_scorecard.model import Scorecard

__all__ = [
    "JOURNEY_STAGES",
    "JourneyCoverage",
    "SurveyPlan",
    "journey_coverage",
    "margin_of_error",
    "perception_gap",
    "plan_survey",
    "sample_size",
]

#: The default customer journey, in order.
JOURNEY_STAGES: tuple[str, ...] = (
    "acquisition",
    "onboarding",
    "use",
    "support",
    "renewal",
    "advocacy",
)

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
JourneySource = Scorecard | Mapping[str, str | Iterable[str]] | pd.DataFrame

# -- journey coverage ---------------------------------------------------------------------------


@attrs.frozen(kw_only=True, eq=False)
class JourneyCoverage:
    """Which indicators watch each journey stage, and which stages nobody watches.

    Attributes
    ----------
    stages
        The journey, in order.
    segments
        The segments asked for (empty when coverage is not per segment).
    frame
        One row per stage (per segment and stage when ``segments`` is set): ``segment``
        (per-segment only), ``stage``, ``position`` (1 = first stage), ``indicators`` (a
        sorted tuple of ids), ``n_indicators`` and ``covered``.
    uncovered
        Stages that no indicator covers, in journey order.
    gaps
        ``(segment, stage)`` pairs with no indicator (per-segment only).
    """

    stages: tuple[str, ...]
    segments: tuple[str, ...]
    frame: pd.DataFrame
    uncovered: tuple[str, ...]
    gaps: tuple[tuple[str, str], ...]

    @property
    def coverage_pct(self) -> float:
        """Percent of the stages that at least one indicator covers."""
        return 100.0 * (len(self.stages) - len(self.uncovered)) / len(self.stages)

    def uncovered_in(self, segment: str) -> tuple[str, ...]:
        """The stages with no indicator for one segment."""
        if segment not in self.segments:
            raise ModelError(
                f"no segment {segment!r} in this coverage report; it has {list(self.segments)}."
                + did_you_mean(segment, self.segments)
            )
        return tuple(stage for seg, stage in self.gaps if seg == segment)


def _check_names(kind: str, names: Sequence[str]) -> tuple[str, ...]:
    out = tuple(names)
    if not out:
        raise ModelError(f"{kind} must not be empty")
    bad = [n for n in out if not isinstance(n, str) or not n]
    if bad:
        raise ModelError(f"{kind} must be non-empty strings; got {bad}")
    dupes = sorted({n for n in out if out.count(n) > 1})
    if dupes:
        raise ModelError(f"{kind} must be unique; {dupes} appear more than once")
    return out


def _links(
    source: JourneySource, tag_prefix: str, segment_prefix: str, segment_column: str
) -> pd.DataFrame:
    """(stage, indicator, segment) rows; segment is None where an indicator covers them all."""
    rows: list[tuple[str, str, str | None]] = []
    if isinstance(source, Scorecard):
        for ind in source.indicators:
            stages = [t[len(tag_prefix) :] for t in ind.tags if t.startswith(tag_prefix)]
            segs: list[str | None] = [
                t[len(segment_prefix) :] for t in ind.tags if t.startswith(segment_prefix)
            ]
            rows += [(st, ind.id, sg) for st in stages for sg in (segs or [None])]
    elif isinstance(source, pd.DataFrame):
        missing = [c for c in ("stage", "indicator") if c not in source.columns]
        if missing:
            raise ObservationError(
                f"a journey frame needs columns 'stage' and 'indicator'; {missing} not found "
                f"in {list(source.columns)}"
            )
        if source[["stage", "indicator"]].isna().any().any():
            raise ObservationError("journey rows without a stage or indicator; drop or fill them")
        seg = (
            source[segment_column].astype(object).where(source[segment_column].notna(), None)
            if segment_column in source.columns
            else pd.Series([None] * len(source), index=source.index, dtype=object)
        )
        rows = list(
            zip(source["stage"].astype(str), source["indicator"].astype(str), seg, strict=True)
        )
    elif isinstance(source, Mapping):
        for stage, ids in source.items():
            for ind_id in [ids] if isinstance(ids, str) else list(ids):
                rows.append((str(stage), str(ind_id), None))
    else:
        raise ModelError(
            "journey_coverage needs a Scorecard, a mapping stage -> indicator ids, or a frame "
            f"with 'stage' and 'indicator' columns; got {type(source).__name__}"
        )
    return pd.DataFrame(rows, columns=["stage", "indicator", "segment"]).astype({"segment": object})


def journey_coverage(
    source: JourneySource,
    *,
    stages: Sequence[str] = JOURNEY_STAGES,
    segments: Sequence[str] | None = None,
    tag_prefix: str = "journey:",
    segment_prefix: str = "segment:",
    segment_column: str = "segment",
) -> JourneyCoverage:
    """Map the customer journey to indicators and report the stages left uncovered.

    Parameters
    ----------
    source
        Where the mapping comes from: a :class:`~balanced_scorecard.model.Scorecard` whose
        indicators carry tags such as ``journey:onboarding`` (and optionally
        ``segment:smb``); a mapping ``{stage: indicator id or ids}``; or a frame with columns
        ``stage``, ``indicator`` and optionally ``segment_column`` (missing: all segments).
    stages
        The journey, in order; default :data:`JOURNEY_STAGES`. A stage named by the source but
        not listed here is an error (a typo must not hide a gap).
    segments
        Report per segment: every listed segment gets every stage. An indicator with no
        segment covers all of them; a segment named by the source but not listed is an error.
    tag_prefix, segment_prefix
        Tag prefixes read from a scorecard's indicators.
    segment_column
        The segment column of a frame source.

    Returns
    -------
    JourneyCoverage
        ``.frame`` (every stage exactly once, per segment), ``.uncovered`` and ``.gaps``.

    Examples
    --------
    >>> cov = journey_coverage({"acquisition": ["leads", "win_rate"], "use": "active_users",
    ...                         "renewal": []})
    >>> cov.frame[["stage", "n_indicators", "covered"]]
             stage  n_indicators  covered
    0  acquisition             2     True
    1   onboarding             0    False
    2          use             1     True
    3      support             0    False
    4      renewal             0    False
    5     advocacy             0    False
    >>> cov.uncovered
    ('onboarding', 'support', 'renewal', 'advocacy')
    """
    stage_list = _check_names("stages", stages)
    links = _links(source, tag_prefix, segment_prefix, segment_column)
    unknown = sorted(set(links["stage"]) - set(stage_list))
    if unknown:
        hint = "".join(did_you_mean(u, stage_list) for u in unknown)
        raise ModelError(
            f"unknown journey stage(s) {unknown}; the stages are {list(stage_list)}.{hint} "
            "Fix the name or pass stages= with the full journey."
        )
    position = pd.Series(np.arange(1, len(stage_list) + 1), index=pd.Index(stage_list))
    if segments is None:
        seg_list: tuple[str, ...] = ()
        keys = ["stage"]
        grid = pd.DataFrame({"stage": list(stage_list)})
    else:
        seg_list = _check_names("segments", segments)
        named = links["segment"].dropna()
        strays = sorted(set(named.astype(str)) - set(seg_list))
        if strays:
            hint = "".join(did_you_mean(s, seg_list) for s in strays)
            raise ModelError(
                f"unknown segment(s) {strays}; segments= lists {list(seg_list)}.{hint} Add "
                "them to segments= or fix the tags."
            )
        everyone = links[links["segment"].isna()].drop(columns="segment")
        spread = everyone.merge(pd.DataFrame({"segment": list(seg_list)}), how="cross")
        links = pd.concat([links[links["segment"].notna()], spread], ignore_index=True)
        keys = ["segment", "stage"]
        grid = pd.MultiIndex.from_product([seg_list, stage_list], names=keys).to_frame(index=False)
    ids = (
        links.drop_duplicates([*keys, "indicator"])
        .sort_values([*keys, "indicator"])
        .groupby(keys, sort=False)["indicator"]
        .agg(tuple)
        .rename("indicators")
    )
    frame = grid.merge(ids, left_on=keys, right_index=True, how="left")
    frame["indicators"] = [t if isinstance(t, tuple) else () for t in frame["indicators"]]
    frame.insert(len(keys), "position", position.reindex(frame["stage"]).to_numpy())
    frame["n_indicators"] = frame["indicators"].map(len).astype(np.int64)
    frame["covered"] = frame["n_indicators"] > 0
    frame = frame.reset_index(drop=True)
    covered_any = frame.groupby("stage", sort=False)["covered"].any()
    uncovered = tuple(s for s in stage_list if not covered_any[s])
    gaps: tuple[tuple[str, str], ...] = ()
    if segments is not None:
        holes = frame.loc[~frame["covered"], ["segment", "stage"]]
        gaps = tuple(zip(holes["segment"].astype(str), holes["stage"].astype(str), strict=True))
    return JourneyCoverage(
        stages=stage_list, segments=seg_list, frame=frame, uncovered=uncovered, gaps=gaps
    )


# -- perceived vs delivered ----------------------------------------------------------------------


def _standardise(values: FloatArray, method: str) -> FloatArray:
    if method == "zscore":
        sd = float(np.std(values, ddof=1))
        # No spread (up to rounding): every segment sits at the mean, so none stands out on
        # this side. Without the tolerance, rounding noise would be blown up to unit z-scores.
        if sd <= 1e-12 * float(np.max(np.abs(values))):
            return np.zeros_like(values)
        return np.asarray((values - values.mean()) / sd, dtype=np.float64)
    ranks = pd.Series(values).rank(method="average").to_numpy(np.float64)
    return np.asarray((ranks - 1.0) / (len(values) - 1.0), dtype=np.float64)


def perception_gap(
    data: pd.DataFrame,
    *,
    perceived: str,
    delivered: str,
    by: str | Sequence[str] = "segment",
    method: Literal["zscore", "rank"] = "zscore",
    threshold: float | None = None,
    perceived_higher_is_better: bool = True,
    delivered_higher_is_better: bool = True,
) -> pd.DataFrame:
    """Perceived vs delivered service per segment, with divergent segments flagged.

    Survey scores (``perceived``, e.g. CSAT top-2-box %) and delivery metrics (``delivered``,
    e.g. on-time %) are on different scales, so both are standardised across the segments
    first, then compared.

    Parameters
    ----------
    data
        One row per segment, e.g. :func:`~balanced_scorecard.analytics.customer.csat` and
        :func:`~balanced_scorecard.analytics.customer.on_time_delivery` results merged on
        the segment.
    perceived, delivered
        The two metric columns.
    by
        Segment column(s); each segment must appear once.
    method
        ``"zscore"``: ``(x − mean) / sd`` over segments, sample sd (``ddof=1``); a metric with
        no spread (sd within 1e-12 of its largest magnitude) standardises to 0 everywhere.
        ``"rank"``: average ranks scaled to [0, 1] (``(rank − 1) / (segments − 1)``), robust
        to one extreme segment.
    threshold
        Flag when ``|gap|`` exceeds it (strictly); default 1.0 (one sd) for z-scores and 0.5
        (half the ranking) for ranks.
    perceived_higher_is_better, delivered_higher_is_better
        Polarity; a lower-better metric (complaints, days late) is negated before
        standardising, so high standard scores always mean good.

    Returns
    -------
    pandas.DataFrame
        The segment columns, ``perceived``, ``delivered``, their standard scores
        ``perceived_std`` and ``delivered_std``, ``gap`` (perceived − delivered) and ``flag``:
        ``"perception gap"`` (gap < −threshold), ``"delivery risk"`` (gap > threshold) or
        ``"aligned"``.

    Examples
    --------
    >>> seg = pd.DataFrame({"segment": ["A", "B", "C", "D"],
    ...                     "csat_pct": [80.0, 60.0, 70.0, 70.0],
    ...                     "on_time_pct": [80.0, 95.0, 90.0, 70.0]})
    >>> out = perception_gap(seg, perceived="csat_pct", delivered="on_time_pct")
    >>> out[["segment", "gap", "flag"]].round(2)
      segment   gap            flag
    0       A  1.56   delivery risk
    1       B -2.24  perception gap
    2       C -0.56         aligned
    3       D  1.24   delivery risk
    """
    if method not in ("zscore", "rank"):
        raise ModelError(f"method must be 'zscore' or 'rank'; got {method!r}")
    limit = (1.0 if method == "zscore" else 0.5) if threshold is None else float(threshold)
    if not (math.isfinite(limit) and limit >= 0):
        raise ModelError(f"threshold must be a finite number >= 0; got {threshold}")
    cols = segment_columns(by)
    frame = _frame(data, perceived, cols)
    _frame(frame, delivered, [])
    if frame.duplicated(cols).any():
        dupes = frame.loc[frame.duplicated(cols, keep=False), cols].drop_duplicates()
        raise ObservationError(
            f"each segment must appear once; {dupes.to_dict('records')} repeat. Aggregate to "
            "one row per segment first."
        )
    if len(frame) < 2:
        raise ObservationError("a gap across segments needs at least two segments")
    values: dict[str, FloatArray] = {}
    for name, col, higher in (
        ("perceived", perceived, perceived_higher_is_better),
        ("delivered", delivered, delivered_higher_is_better),
    ):
        v = pd.to_numeric(frame[col], errors="coerce").to_numpy(np.float64, na_value=np.nan)
        if not np.isfinite(v).all():
            raise ObservationError(
                f"{int((~np.isfinite(v)).sum())} value(s) of {col!r} are missing or not "
                "finite numbers; drop those segments or fill them"
            )
        values[name] = v
        values[f"{name}_std"] = _standardise(v if higher else -v, method)
    gap = values["perceived_std"] - values["delivered_std"]
    flag = np.where(
        gap < -limit, "perception gap", np.where(gap > limit, "delivery risk", "aligned")
    )
    out = frame[cols].reset_index(drop=True)
    for name in ("perceived", "delivered", "perceived_std", "delivered_std"):
        out[name] = values[name]
    out["gap"] = gap
    out["flag"] = flag
    return out


# -- survey sampling -----------------------------------------------------------------------------


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
    z = _z(confidence)
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
    z = _z(confidence)
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
        hist = _frame(history, customer, [])
        _frame(hist, surveyed, [])
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
    listing = _frame(customers, customer, [segment])
    if history is None:
        if max_surveys != 1:
            raise ModelError(
                f"max_surveys={max_surveys} needs the survey history= (one row per survey); "
                "a last-surveyed date can only enforce one survey per window"
            )
        _frame(listing, last_surveyed, [])
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
