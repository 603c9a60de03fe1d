"""Data-quality measures of an evaluation: completeness and validity, per indicator and period.

They answer "how much of the data we expected did we get, and how much of what we got was
usable?", and come back as observations too, so a data-quality objective can be measured on
the scorecard itself.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from balanced_scorecard.data.observations import QUALITY_COLUMNS
from balanced_scorecard.data.periods import (
    bucket_labels,
    parse_periods,
    period_end_dates,
    period_labels,
)
from balanced_scorecard.model.enums import Frequency
from balanced_scorecard.model.periods import FiscalCalendar
from balanced_scorecard.model.scorecard import Scorecard

__all__ = [
    "COMPLETENESS_COLUMNS",
    "completeness",
    "completeness_findings",
    "overall_completeness",
    "validity_by_period",
]

COMPLETENESS_COLUMNS = (
    "indicator",
    "org_unit",
    "periods_expected",
    "periods_present",
    "completeness",
)


def completeness(
    count: np.ndarray, indicator_ids: tuple[str, ...], units: tuple[str, ...]
) -> pd.DataFrame:
    """Share of periods with data, per (indicator, org unit) that reported it at least once.

    ``count`` is the number of observations per cell, shaped ``(indicator, unit, period)``.
    A unit that never reports an indicator is not expected to (a BU-level measure has no
    department rows); one that reported it once is expected in every evaluated period.

    Examples
    --------
    >>> c = np.array([[[1, 0, 2, 1], [0, 0, 0, 0]]])
    >>> completeness(c, ("rev",), ("north", "south"))
      indicator org_unit  periods_expected  periods_present  completeness
    0       rev    north                 4                3          75.0
    """
    present = count > 0
    n_present = present.sum(axis=2)
    expected = n_present > 0
    i_idx, u_idx = np.nonzero(expected)
    n_periods = count.shape[2]
    return pd.DataFrame(
        {
            "indicator": np.asarray(indicator_ids, dtype=object)[i_idx],
            "org_unit": np.asarray(units, dtype=object)[u_idx],
            "periods_expected": np.full(len(i_idx), n_periods, dtype=np.int64),
            "periods_present": n_present[i_idx, u_idx].astype(np.int64),
            "completeness": 100.0 * n_present[i_idx, u_idx] / max(n_periods, 1),
        },
        columns=list(COMPLETENESS_COLUMNS),
    )


def overall_completeness(count: np.ndarray) -> np.ndarray:
    """Per period, the percentage of expected (indicator, unit) cells that have data."""
    present = np.asarray(count > 0)
    expected: np.ndarray = np.asarray(present.any(axis=2))
    n_expected = int(expected.sum())
    if n_expected == 0:
        return np.full(count.shape[2], np.nan)
    return np.asarray(100.0 * (present & expected[:, :, None]).sum(axis=(0, 1)) / n_expected)


def validity_by_period(
    used_periods: np.ndarray,
    quality: pd.DataFrame,
    periods: np.ndarray,
    freq: object,
    *,
    calendar: FiscalCalendar | None = None,
) -> np.ndarray:
    """Per evaluated period, the percentage of input rows that passed validation.

    ``used_periods`` holds the period ordinal of every row used; rejected rows are the
    quality report's ``error`` rows whose period could be read.
    """
    from balanced_scorecard.model.enums import Frequency

    p0, n = int(periods[0]), len(periods)
    in_window = (used_periods >= p0) & (used_periods < p0 + n)
    used = np.bincount(used_periods[in_window] - p0, minlength=n)[:n]
    errors = quality[quality["severity"] == "error"]
    rejected = np.zeros(n, dtype=np.int64)
    if len(errors):
        assert isinstance(freq, Frequency)
        ords, bad = parse_periods(
            errors["period"].astype(object).fillna(""), freq, calendar=calendar
        )
        ords = ords[~bad]
        inside = (ords >= p0) & (ords < p0 + n)
        rejected = np.bincount(ords[inside] - p0, minlength=n)[:n]
    total = used + rejected
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, 100.0 * used / total, np.nan)


def completeness_findings(
    count: np.ndarray,
    *,
    scorecard: Scorecard,
    units: Sequence[str],
    periods: np.ndarray,
    freq: Frequency,
    quality: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Absent rows as quality-report rows (rule ``completeness``, severity ``warning``).

    Two kinds, both about rows that are not there at all:

    * **gaps**: a series (indicator, org unit) that reported at least once in the evaluated
      periods has no row for a period. An indicator measured less often than the review
      (``frequency: quarterly`` on a monthly scorecard) is expected once per its own period,
      and only its periods that lie wholly inside the window count.
    * **missing org units**: an org unit with no row of an indicator in the window, for
      itself or below it, while a *peer* has some: a sibling (same parent) with the same
      tags. Either its extract is missing or the indicator does not apply to it. Tags keep
      unlike units apart: a sales and a plant department under one business unit (tagged
      ``sales`` and ``operations``) report different indicators, three untagged regions
      the same ones.

    Cells the quality report already names (a row quarantined, an empty value) are not
    reported again. Vectorised over the ``(indicator, unit, period)`` panel: loops run over
    the few distinct indicator frequencies and the levels of the org tree only.

    Parameters
    ----------
    count
        Observations used per cell, shaped ``(indicator, unit, period)``.
    scorecard
        Gives indicator ids and frequencies, the org tree and the fiscal calendar.
    units
        The evaluated org units (the axis 1 of ``count``), a subtree of the org chart.
    periods, freq
        The evaluated period ordinals (axis 2) and the review frequency.
    quality
        The quality report so far; cells it names are left out.

    Returns
    -------
    pandas.DataFrame
        The quality-report columns (``row``, ``source`` and ``value`` empty); ``period`` is
        empty for a missing org unit, whose message names the window.

    Examples
    --------
    >>> from balanced_scorecard.model import Indicator, Objective, OrgChart, OrgUnit
    >>> sc = Scorecard(id="x", objectives=[Objective(id="o", perspective="financial")],
    ...     indicators=[Indicator(id="rev", objective="o")],
    ...     org_chart=OrgChart(units=[OrgUnit(id="top"), OrgUnit(id="a", parent="top"),
    ...                               OrgUnit(id="b", parent="top")]))
    >>> from balanced_scorecard.data.periods import period_ordinal
    >>> p0 = period_ordinal("2025-01", Frequency.MONTHLY)
    >>> count = np.array([[[0, 0, 0], [1, 0, 1], [0, 0, 0]]])  # a reports Jan and Mar
    >>> found = completeness_findings(count, scorecard=sc, units=("top", "a", "b"),
    ...     periods=np.arange(p0, p0 + 3), freq=Frequency.MONTHLY)
    >>> found[["org_unit", "period"]].to_dict("records")
    [{'org_unit': 'a', 'period': '2025-02'}, {'org_unit': 'b', 'period': None}]
    >>> print(found["message"][0])  # doctest: +NORMALIZE_WHITESPACE
    indicator 'rev' has no row for org unit 'a' in 2025-02, though that unit reports it in
    2 of the 3 evaluated periods; add the missing row, or check the source's extract
    """
    n_ind, n_units, n_p = count.shape
    calendar = scorecard.calendar
    present = np.asarray(count > 0)
    named = _named_cells(quality, scorecard, units, periods, freq, calendar, count.shape)
    reported: np.ndarray = np.asarray(np.any(present, axis=2))
    ids = np.array([i.id for i in scorecard.indicators], dtype=object)
    unit_ids = np.asarray(units, dtype=object)
    labels = np.asarray(period_labels(periods, freq, calendar=calendar), dtype=object)
    parts: list[pd.DataFrame] = []

    # Gaps, per distinct effective frequency (the coarser of the indicator's and the review's).
    effective = np.array(
        [max(i.frequency.rank, freq.rank) for i in scorecard.indicators], dtype=np.int64
    )
    for rank in np.unique(effective[reported.any(axis=1)]) if n_ind else ():
        sel = np.flatnonzero((effective == rank) & reported.any(axis=1))
        bucket, bucket_text, whole = _buckets(periods, freq, Frequency("DWMQY"[rank]), calendar)
        starts = np.flatnonzero(np.r_[True, bucket[1:] != bucket[:-1]])
        # In-place steps: the panel may be large, so no more than two temporaries of its size.
        has = present if len(sel) == n_ind else present[sel]
        if len(starts) < n_p:
            has = np.logical_or.reduceat(has, starts, axis=2)
        gaps = ~has
        gaps &= reported[sel][:, :, None]
        gaps &= whole
        if named is not None:
            gaps &= ~np.logical_or.reduceat(named[sel], starts, axis=2)
        i, u, b = np.nonzero(gaps)
        del gaps
        if not len(i):
            continue
        k = has.sum(axis=2, where=whole)[i, u].astype(str).astype(object)
        n = str(int(whole.sum()))
        what = "evaluated periods" if rank == freq.rank else f"{_SPANS[rank]} inside the window"
        parts.append(
            _finding_rows(
                ids[sel[i]],
                unit_ids[u],
                bucket_text[b],
                "indicator '" + ids[sel[i]] + "' has no row for org unit '" + unit_ids[u]
                + "' in " + bucket_text[b] + ", though that unit reports it in " + k
                + f" of the {n} {what}; add the missing row, or check the source's extract",
            )
        )  # fmt: skip

    # Org units without a row of an indicator that a peer (sibling, same tags) reports.
    parent = _parents(scorecard, units)
    if n_units > 1 and n_ind:
        touched = _up_the_tree(reported if named is None else reported | named.any(axis=2), parent)
        sub_reported = _up_the_tree(reported, parent) > 0
        child = parent >= 0
        group = _peer_groups(scorecard, units, parent)
        peers_with = np.zeros((n_ind, n_units), dtype=np.int64)  # per group (index < n_units)
        np.add.at(peers_with.T, group[child], sub_reported.T[child])
        n_peers = np.bincount(group[child], minlength=n_units)
        missing = (touched == 0) & child[None, :] & (peers_with[:, group] > 0)
        i, u = np.nonzero(missing)
        if len(i):
            window = labels[0] if n_p == 1 else f"{labels[0]} to {labels[-1]}"
            with_it = peers_with[i, group[u]].astype(str).astype(object)
            others = (n_peers[group[u]] - 1).astype(str).astype(object)
            above = unit_ids[np.maximum(parent, 0)[u]]
            parts.append(
                _finding_rows(
                    ids[i],
                    unit_ids[u],
                    np.full(len(i), None, dtype=object),
                    "indicator '" + ids[i] + "' has no row for org unit '" + unit_ids[u]
                    + f"' or the units below it in {window}, though " + with_it + " of its "
                    + others + " peer(s) (units under '" + above + "' with the same tags) "
                    "report it; add its rows, or ignore this if the indicator does not apply "
                    "to '" + unit_ids[u] + "' (tag unlike units differently)",
                )
            )  # fmt: skip
    if not parts:
        return _finding_rows(*(np.zeros(0, dtype=object),) * 4)
    out = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
    order = pd.Index(ids.tolist()).get_indexer(out["indicator"])
    return out.iloc[np.argsort(order, kind="stable")].reset_index(drop=True)


_SPANS = {0: "days", 1: "weeks", 2: "months", 3: "quarters", 4: "years"}


def _buckets(
    periods: np.ndarray, freq: Frequency, span: Frequency, calendar: FiscalCalendar | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per review period, its bucket at ``span`` (a code), the buckets' labels, and per
    bucket whether it lies wholly inside the window."""
    if span is freq:
        n = len(periods)
        labels = np.asarray(period_labels(periods, freq, calendar=calendar), dtype=object)
        return np.arange(n), labels, np.ones(n, dtype=bool)
    # A review period belongs to the span holding its last day; one period either side of
    # the window tells whether the first and last spans are cut by it.
    around = np.arange(int(periods[0]) - 1, int(periods[-1]) + 2)
    text = bucket_labels(period_end_dates(around, freq, calendar=calendar), span, calendar)
    inner = text[1:-1]
    first = np.r_[True, inner[1:] != inner[:-1]]
    bucket = np.cumsum(first) - 1
    labels = inner[first].astype(object)
    whole = np.ones(len(labels), dtype=bool)
    whole[0] &= text[0] != text[1]
    whole[-1] &= text[-1] != text[-2]
    return bucket, labels, whole


def _parents(scorecard: Scorecard, units: Sequence[str]) -> np.ndarray:
    """Position of each unit's parent within ``units`` (-1 at the top of the subtree)."""
    chart = scorecard.org_chart
    pos = {u: k for k, u in enumerate(units)}
    return np.array([pos.get(chart.unit(u).parent or "", -1) for u in units], dtype=np.int64)


def _peer_groups(scorecard: Scorecard, units: Sequence[str], parent: np.ndarray) -> np.ndarray:
    """A code per unit, equal for units with the same parent and the same set of tags."""
    chart = scorecard.org_chart
    tags = pd.factorize(
        pd.Series([",".join(sorted(chart.unit(u).tags)) for u in units], dtype=object)
    )[0]
    return np.asarray(pd.factorize(pd.Series(parent * (int(tags.max(initial=0)) + 1) + tags))[0])


def _up_the_tree(cells: np.ndarray, parent: np.ndarray) -> np.ndarray:
    """Per (indicator, unit): how many cells are set in the unit's subtree; one tree level
    at a time, deepest first."""
    depth = np.zeros(len(parent), dtype=np.int64)
    frontier = parent.copy()
    while (frontier >= 0).any():
        depth += frontier >= 0
        frontier = np.where(frontier >= 0, parent[np.maximum(frontier, 0)], -1)
    total = np.asarray(cells, dtype=np.int64).T.copy()  # (unit, indicator)
    for level in range(int(depth.max(initial=0)), 0, -1):
        nodes = np.flatnonzero(depth == level)
        np.add.at(total, parent[nodes], total[nodes])
    return np.asarray(total.T)


def _named_cells(
    quality: pd.DataFrame | None,
    scorecard: Scorecard,
    units: Sequence[str],
    periods: np.ndarray,
    freq: Frequency,
    calendar: FiscalCalendar | None,
    shape: tuple[int, ...],
) -> np.ndarray | None:
    """The ``(indicator, unit, period)`` cells some quality-report row names (None when
    it names none)."""
    if quality is None or not len(quality):
        return None
    ind = pd.Index([i.id for i in scorecard.indicators]).get_indexer(
        pd.Index(quality["indicator"].astype(object))
    )
    org = pd.Index(list(units)).get_indexer(pd.Index(quality["org_unit"].astype(object)))
    ords, bad = parse_periods(quality["period"].astype(object).fillna(""), freq, calendar=calendar)
    p = ords - int(periods[0])
    ok = (ind >= 0) & (org >= 0) & ~bad & (p >= 0) & (p < len(periods))
    if not ok.any():
        return None
    named = np.zeros(shape, dtype=bool)
    named[ind[ok], org[ok], p[ok]] = True
    return named


def _finding_rows(
    indicator: np.ndarray, org_unit: np.ndarray, period: np.ndarray, message: np.ndarray
) -> pd.DataFrame:
    n = len(indicator)
    return pd.DataFrame(
        {
            "row": pd.array([pd.NA] * n, dtype="Int64"),
            "source": np.full(n, None, dtype=object),
            "indicator": np.asarray(indicator, dtype=object),
            "org_unit": np.asarray(org_unit, dtype=object),
            "period": np.asarray(period, dtype=object),
            "value": np.full(n, None, dtype=object),
            "severity": "warning",
            "rule": "completeness",
            "message": np.asarray(message, dtype=object),
        },
        columns=list(QUALITY_COLUMNS),
    )
