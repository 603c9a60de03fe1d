"""Leading vs lagging balance: the summary per perspective and objective, and the rules that
warn when a scorecard mostly reports outcomes after the fact.

:func:`balance_summary` counts leading and lagging (and financial) indicators and their
effective weight; ``lagging-heavy`` reads it, ``objective-only-lagging`` reads the causal links.
Part of :mod:`~balanced_scorecard.algorithms.balance`, which re-exports everything public here.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING, Any, Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from balanced_scorecard.algorithms._balance_weights import (
    FloatArray,
    IntArray,
    check_level,
    effective_arrays,
    share_of,
    sum_by,
)
from balanced_scorecard.algorithms._finding_text import names, pct
from balanced_scorecard.algorithms.findings import Finding, Severity
from balanced_scorecard.model.enums import LeadLag

if TYPE_CHECKING:
    from balanced_scorecard.model.indicators import Indicator
    from balanced_scorecard.model.scorecard import Scorecard

__all__ = [
    "BALANCE_COLUMNS",
    "DEFAULT_LAGGING_WARNING",
    "balance_summary",
    "lagging_heavy",
    "objective_only_lagging",
]

# The constants are documented (#:) where balance.py re-binds them.
DEFAULT_LAGGING_WARNING: Final = 0.6

BALANCE_COLUMNS: Final = (
    "level",
    "id",
    "perspective",
    "indicators",
    "leading",
    "lagging",
    "leading_share",
    "lagging_share",
    "weight",
    "leading_weight_share",
    "lagging_weight_share",
    "financial_share",
    "financial_weight_share",
)


def _group_shares(
    group: IntArray, n: int, leading: FloatArray, financial: FloatArray, eff: FloatArray
) -> dict[str, npt.NDArray[np.float64] | IntArray]:
    count = sum_by(group, n)
    lead = sum_by(group, n, leading)
    fin = sum_by(group, n, financial)
    weight = sum_by(group, n, eff)
    lead_w = sum_by(group, n, eff * leading)
    lag_w = sum_by(group, n, eff * (1.0 - leading))
    fin_w = sum_by(group, n, eff * financial)
    return {
        "indicators": count.astype(np.intp),
        "leading": lead.astype(np.intp),
        "lagging": (count - lead).astype(np.intp),
        "leading_share": share_of(lead, count),
        "lagging_share": share_of(count - lead, count),
        "weight": weight,
        "leading_weight_share": share_of(lead_w, weight),
        "lagging_weight_share": share_of(lag_w, weight),
        "financial_share": share_of(fin, count),
        "financial_weight_share": share_of(fin_w, weight),
    }


def balance_summary(
    scorecard: Scorecard, *, financial_perspectives: Collection[str] = ("financial",)
) -> pd.DataFrame:
    """Leading vs lagging indicators per perspective and objective, and overall.

    Parameters
    ----------
    scorecard
        The scorecard to summarise.
    financial_perspectives
        Ids of the perspectives whose indicators count as financial.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`BALANCE_COLUMNS`. The first row (``level`` ``"scorecard"``) is the
        whole scorecard; then each perspective that has objectives (``level``
        ``"perspective"``), followed by its objectives (``"objective"``). ``indicators``,
        ``leading`` and ``lagging`` are counts; ``*_share`` columns are shares of the count,
        ``*_weight_share`` shares of the effective weight (:func:`effective_weights`) and
        ``weight`` is the row's part of the total effective weight. A share is NaN when there
        is nothing to divide by (no indicators, or no weight). A scorecard without objectives
        gives an empty frame.

    Examples
    --------
    >>> from balanced_scorecard.model import Indicator, Objective, Scorecard
    >>> sc = Scorecard(id="demo",
    ...     objectives=[Objective(id="grow", perspective="financial"),
    ...                 Objective(id="serve", perspective="customer")],
    ...     indicators=[Indicator(id="revenue", objective="grow"),
    ...                 Indicator(id="csat", objective="serve"),
    ...                 Indicator(id="response_time", objective="serve", lead_lag="leading")])
    >>> df = balance_summary(sc)
    >>> df[["level", "id", "indicators", "lagging_share", "lagging_weight_share"]]
             level     id  indicators  lagging_share  lagging_weight_share
    0    scorecard   demo           3       0.666667                  0.75
    1  perspective  financial       1       1.000000                  1.00
    2    objective   grow           1       1.000000                  1.00
    3  perspective  customer        2       0.500000                  0.50
    4    objective  serve           2       0.500000                  0.50
    """
    eff, ind_obj, ind_persp = effective_arrays(scorecard)
    inds = scorecard.indicators
    leading = np.array([i.lead_lag is LeadLag.LEADING for i in inds], dtype=np.float64)
    fin_p = np.array(
        [p.id in financial_perspectives for p in scorecard.perspectives], dtype=np.float64
    )
    financial = fin_p[ind_persp] if len(inds) else np.zeros(0)
    n_o, n_p = len(scorecard.objectives), len(scorecard.perspectives)
    by_obj = _group_shares(ind_obj, n_o, leading, financial, eff)
    by_p = _group_shares(ind_persp, n_p, leading, financial, eff)
    overall = _group_shares(np.zeros(len(inds), dtype=np.intp), 1, leading, financial, eff)
    stats = [c for c in BALANCE_COLUMNS if c not in ("level", "id", "perspective")]
    rows: list[list[object]] = []
    if scorecard.objectives:
        rows.append(["scorecard", scorecard.id, "", *(overall[c][0] for c in stats)])
    for kp, p in enumerate(scorecard.perspectives):
        objectives = [(ko, o) for ko, o in enumerate(scorecard.objectives) if o.perspective == p.id]
        if not objectives:
            continue
        rows.append(["perspective", p.id, p.id, *(by_p[c][kp] for c in stats)])
        rows.extend(
            ["objective", o.id, p.id, *(by_obj[c][ko] for c in stats)] for ko, o in objectives
        )
    frame = pd.DataFrame(rows, columns=list(BALANCE_COLUMNS))
    counts: dict[str, Any] = dict.fromkeys(("indicators", "leading", "lagging"), np.intp)
    texts = dict.fromkeys(("level", "id", "perspective"), str)
    floats = {c: np.float64 for c in stats if c not in counts}
    return frame.astype(texts | counts | floats)


def lagging_heavy(
    scorecard: Scorecard,
    *,
    warning_level: float = DEFAULT_LAGGING_WARNING,
    financial_perspectives: Collection[str] = ("financial",),
) -> list[Finding]:
    """Scorecards whose measures are mostly lagging, or mostly financial.

    One warning when the overall share of lagging indicators, by count or by effective weight,
    is above ``warning_level`` (default :data:`DEFAULT_LAGGING_WARNING`, 0.6); another when
    the share of financial indicators is. Each names the perspectives whose own share is above
    the level, where adding drivers (or other measures) helps most.

    Raises
    ------
    ModelError
        When ``warning_level`` is not in (0, 1].

    Examples
    --------
    >>> from balanced_scorecard.model import Indicator, Objective, Scorecard
    >>> sc = Scorecard(id="demo",
    ...     objectives=[Objective(id="grow", perspective="financial"),
    ...                 Objective(id="serve", perspective="customer")],
    ...     indicators=[Indicator(id="revenue", objective="grow"),
    ...                 Indicator(id="csat", objective="serve"),
    ...                 Indicator(id="response_time", objective="serve", lead_lag="leading")])
    >>> # 2 of 3 lagging (67 %) and 3/4 of the weight: above 60 %.
    >>> print(lagging_heavy(sc)[0].message)  # doctest: +NORMALIZE_WHITESPACE
    2 of 3 indicators (67%) and 75% of the effective weight are lagging, above the warning
    level 60%; the scorecard mostly reports results after the fact
    >>> lagging_heavy(sc, warning_level=0.8)
    []
    """
    check_level("warning_level", warning_level)
    frame = balance_summary(scorecard, financial_perspectives=financial_perspectives)
    if frame.empty or frame["indicators"].iloc[0] == 0:
        return []
    top, perspectives = frame.iloc[0], frame[frame["level"] == "perspective"]
    out: list[Finding] = []
    checks = (
        ("lagging", "lagging_share", "lagging_weight_share", int(top["lagging"])),
        ("financial", "financial_share", "financial_weight_share", None),
    )
    for what, by_count, by_weight, n in checks:
        count_share, weight_share = float(top[by_count]), float(top[by_weight])
        if not max(np.nan_to_num(count_share), np.nan_to_num(weight_share)) > warning_level:
            continue
        total = int(top["indicators"])
        n = round(count_share * total) if n is None else n
        heavy = [
            str(r.id)
            for r in perspectives.itertuples()
            if max(np.nan_to_num(getattr(r, by_count)), np.nan_to_num(getattr(r, by_weight)))
            > warning_level
        ]
        if what == "lagging":
            why = "the scorecard mostly reports results after the fact"
            fix = "add leading indicators (lead_lag: leading) that drive the outcomes"
        else:
            why = "customers, processes and capabilities that drive them are underweighted"
            fix = "add or weight up customer, process and learning-and-growth measures"
        if heavy:
            fix += f", first in {names(heavy)}"
        out.append(
            Finding(
                rule="lagging-heavy",
                severity=Severity.WARNING,
                message=(
                    f"{n} of {total} indicators ({pct(count_share)}) and {pct(weight_share)} "
                    f"of the effective weight are {what}, above the warning level "
                    f"{pct(warning_level)}; {why}"
                ),
                nodes=heavy,
                fix=fix,
            )
        )
    return out


def _driven(scorecard: Scorecard) -> set[str]:
    """Objectives with a causal driver: a link into them or into one of their indicators."""
    objective_of = {i.id: i.objective for i in scorecard.indicators}
    return {objective_of.get(link.effect, link.effect) for link in scorecard.links}


def objective_only_lagging(scorecard: Scorecard) -> list[Finding]:
    """Objectives measured only by lagging indicators and driven by nothing on the map.

    An outcome objective is fine when the map names its drivers (a causal link into it or
    into one of its indicators). Without one, nothing on the scorecard warns before it misses.
    Objectives in a perspective that has no leading indicator at all are left to
    ``perspective-only-lagging`` in :mod:`~balanced_scorecard.algorithms.structure`.

    Examples
    --------
    >>> from balanced_scorecard.model import Indicator, Objective, Scorecard
    >>> sc = Scorecard(id="demo",
    ...     objectives=[Objective(id="serve", perspective="customer"),
    ...                 Objective(id="keep", perspective="customer")],
    ...     indicators=[Indicator(id="response_time", objective="serve", lead_lag="leading"),
    ...                 Indicator(id="churn", objective="keep")])
    >>> [f.nodes for f in objective_only_lagging(sc)]
    [('keep', 'churn')]
    """
    perspective_of = {o.id: o.perspective for o in scorecard.objectives}
    leading_perspectives = {
        perspective_of[i.objective] for i in scorecard.indicators if i.lead_lag is LeadLag.LEADING
    }
    by_objective: dict[str, list[Indicator]] = {}
    for ind in scorecard.indicators:
        by_objective.setdefault(ind.objective, []).append(ind)
    driven = _driven(scorecard)
    out: list[Finding] = []
    for o in scorecard.objectives:
        inds = by_objective.get(o.id, [])
        if (
            not inds
            or o.perspective not in leading_perspectives
            or o.id in driven
            or any(i.lead_lag is LeadLag.LEADING for i in inds)
        ):
            continue
        ids = [i.id for i in inds]
        out.append(
            Finding(
                rule="objective-only-lagging",
                severity=Severity.INFO,
                message=(
                    f"objective {o.id!r} is measured only by lagging indicators ({names(ids)}) "
                    "and no causal link names its drivers; nothing warns before it misses"
                ),
                nodes=(o.id, *ids),
                fix=(
                    f"add a leading indicator to {o.id!r}, or a causal link from the objective "
                    "that drives it"
                ),
            )
        )
    return out
