"""Reconciliation: where two sources of the same indicators disagree.

When an old dashboard and a new source (or two systems) report the same indicators, the
evaluations of both are compared cell by cell: indicator, org unit and period, with the
absolute and relative difference and whether it is within tolerance.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING

import attrs
import numpy as np
import pandas as pd

from balanced_scorecard.exceptions import ObservationError

if TYPE_CHECKING:
    from balanced_scorecard.results import Evaluation

__all__ = ["Reconciliation", "reconcile"]


@attrs.frozen(kw_only=True, eq=False)
class Reconciliation:
    """The comparison of two evaluations.

    ``frame`` has one row per (indicator, org unit, period) where at least one side has a
    value: both values, ``difference`` (second minus first), ``relative`` (difference over
    the first's magnitude), ``agrees`` (within tolerance) and ``missing`` (which side has no
    value). ``definitions`` puts each side's unit, aggregation, formula and source (with the
    fact-mapping rule that computed the indicator from raw facts) side by side.
    """

    labels: tuple[str, str]
    frame: pd.DataFrame
    definitions: pd.DataFrame

    @property
    def discrepancies(self) -> pd.DataFrame:
        """Only the rows that disagree or are missing on one side, largest first."""
        bad = self.frame[~self.frame["agrees"]]
        order = bad["difference"].abs().fillna(np.inf)
        return (
            bad.assign(_size=order)
            .sort_values("_size", ascending=False)
            .drop(columns="_size")
            .reset_index(drop=True)
        )


def reconcile(
    first: Evaluation,
    second: Evaluation,
    *,
    labels: tuple[str, str] = ("first", "second"),
    indicators: Collection[str] | None = None,
    absolute_tolerance: float = 0.0,
    relative_tolerance: float = 1e-9,
) -> Reconciliation:
    """Compare the actual values of two evaluations of one scorecard.

    Parameters
    ----------
    first, second
        Evaluations over the same org units and periods (e.g. the same definition fed by
        two sources).
    labels
        Names of the two sides for the columns (``old_dashboard``, ``erp``).
    indicators
        Ids to compare (default: every indicator).
    absolute_tolerance, relative_tolerance
        A difference counts as agreement when it is within either tolerance.

    Examples
    --------
    >>> from balanced_scorecard.results import _demo
    >>> ev = _demo()
    >>> rec = reconcile(ev, ev, labels=("old", "new"))
    >>> rec.discrepancies.empty, list(rec.frame.columns[:5])
    (True, ['indicator', 'org_unit', 'period', 'old', 'new'])
    """
    if first.units != second.units or first.period_labels != second.period_labels:
        raise ObservationError(
            "the two evaluations cover different org units or periods; evaluate both with "
            "the same period=, start= and org_unit= before reconciling"
        )
    a_label, b_label = labels
    if a_label == b_label:
        raise ObservationError(f"the two sides need different labels, got {labels!r}")
    ids = list(first.indicators.ids)
    chosen = [i for i in ids if indicators is None or i in set(indicators)]
    unknown = sorted(set(indicators or ()) - set(ids))
    if unknown:
        raise ObservationError(f"unknown indicator(s) {unknown} to reconcile")
    rows = np.array([ids.index(i) for i in chosen], dtype=np.int64)
    a = first.indicators.actual[rows]
    b = second.indicators.actual[rows]
    has = ~np.isnan(a) | ~np.isnan(b)
    k, u, p = np.nonzero(has)
    va, vb = a[k, u, p], b[k, u, p]
    diff = vb - va
    with np.errstate(invalid="ignore", divide="ignore"):
        rel = np.where(va != 0, diff / np.abs(va), np.where(diff == 0, 0.0, np.inf))
    agrees = (np.abs(diff) <= absolute_tolerance) | (np.abs(rel) <= relative_tolerance)
    missing = np.where(np.isnan(va), a_label, np.where(np.isnan(vb), b_label, ""))
    frame = pd.DataFrame(
        {
            "indicator": np.asarray(chosen, dtype=object)[k],
            "org_unit": np.asarray(first.units, dtype=object)[u],
            "period": np.asarray(first.period_labels, dtype=object)[p],
            a_label: va,
            b_label: vb,
            "difference": diff,
            "relative": rel,
            "agrees": agrees & (missing == ""),
            "missing": missing,
        }
    )
    sc_a, sc_b = first.scorecard, second.scorecard
    definitions = pd.DataFrame(
        [
            {
                "indicator": i,
                f"{a_label}_unit": sc_a.indicator(i).unit,
                f"{b_label}_unit": sc_b.indicator(i).unit,
                f"{a_label}_time_aggregation": sc_a.indicator(i).time_aggregation.value,
                f"{b_label}_time_aggregation": sc_b.indicator(i).time_aggregation.value,
                f"{a_label}_formula": sc_a.indicator(i).formula or "",
                f"{b_label}_formula": sc_b.indicator(i).formula or "",
                f"{a_label}_source": _source_text(first, i),
                f"{b_label}_source": _source_text(second, i),
            }
            for i in chosen
        ]
    )
    return Reconciliation(labels=labels, frame=frame, definitions=definitions)


def _source_text(ev: Evaluation, indicator: str) -> str:
    """Where an evaluation took an indicator's values from: the sources that gave rows for
    it, each with the mapping rule that computed it from raw facts, if any."""
    obs = ev.observations
    if obs is None or not len(obs.indicator):
        return ""
    k = [i.id for i in ev.scorecard.indicators].index(indicator)
    codes = np.unique(obs.source[obs.indicator == k]).tolist()
    mappings = {s.id: s.mapping for s in ev.scorecard.sources if s.mapping is not None}
    out = []
    for code in codes:
        name = obs.source_names[code]
        rule = mappings[name].describe(indicator) if name in mappings else ""
        out.append(f"{name}: {rule}" if rule else name)
    return "; ".join(out)
