"""Balance checks of a scorecard's design: drivers vs outcomes, efficiency vs effectiveness,
core vs support processes, and short vs long time horizons.

A balanced scorecard is meant to balance *lagging* outcomes (financial results) with the
*leading* drivers that produce them, and today's results with tomorrow's capability. This
module measures that balance on the definition alone (no observations):

* :func:`balance_summary` — counts and shares of leading and lagging indicators per
  perspective and objective, and the share of financial and of lagging measures overall, by
  count and by effective weight (see :func:`effective_weights`);
* :func:`horizon_balance` — the share of weight, incentives and executive reporting that is
  short-term vs long-term (each indicator's horizon from :func:`indicator_horizons`);
* rules returning :class:`~balanced_scorecard.algorithms.structure.Finding` objects, listed in
  :data:`BALANCE_RULES` and run by :func:`check_balance`.

Tag conventions
---------------
Rules read the ``tags`` of objectives and indicators (compared case-insensitively):

``core``, ``support``, ``differentiator``
    On objectives of the internal-process perspective: a core process, a support process, and
    a support process that sets the company apart (only those belong on the strategy map).
``efficiency``, ``effectiveness``
    On indicators: efficiency (resources per output, e.g. cost per transaction) and
    effectiveness (how good the output is, e.g. first-time-right rate).
``short-term``, ``long-term``
    On indicators (or objectives): an explicit time horizon.
``revenue``, ``cost`` / ``loyalty``, ``retention``, ``capability``, ``innovation``
    Topics that imply a short-term / a long-term horizon when no explicit one is given.
``incentive``
    On indicators: the indicator is part of an incentive (bonus, commission) scheme.

Teams that use other words pass ``tags={"efficiency": ["productivity"], "core": "primary"}``:
each canonical tag (a key of :data:`TAG_MEANINGS`) then also matches the listed words.

Examples
--------
>>> from balanced_scorecard.model import Indicator, Objective, Scorecard
>>> sc = Scorecard(id="demo",
...     objectives=[Objective(id="grow", perspective="financial"),
...                 Objective(id="serve", perspective="customer")],
...     indicators=[Indicator(id="revenue", objective="grow"),
...                 Indicator(id="margin", objective="grow"),
...                 Indicator(id="csat", objective="serve")])
>>> [f.rule for f in check_balance(sc)]
['lagging-heavy', 'lagging-heavy']
"""

from __future__ import annotations

import itertools
import math
from collections import deque
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final, Protocol

import attrs
import numpy as np
import numpy.typing as npt
import pandas as pd

from balanced_scorecard._suggest import did_you_mean
from balanced_scorecard.algorithms.findings import Finding, Severity, select_rules
from balanced_scorecard.exceptions import ModelError
from balanced_scorecard.model.enums import LeadLag, Tier

if TYPE_CHECKING:
    from balanced_scorecard.model.indicators import Indicator
    from balanced_scorecard.model.objectives import Objective
    from balanced_scorecard.model.scorecard import Scorecard

__all__ = [
    "BALANCE_COLUMNS",
    "BALANCE_RULES",
    "DEFAULT_LAGGING_WARNING",
    "DEFAULT_PERSPECTIVE_HORIZONS",
    "DEFAULT_SHORT_TERM_WARNING",
    "HORIZONS",
    "HORIZON_COLUMNS",
    "TAG_MEANINGS",
    "TagAliases",
    "balance_summary",
    "check_balance",
    "effective_weights",
    "horizon_balance",
    "incentive_undermines_outcome",
    "indicator_horizons",
    "lagging_heavy",
    "objective_only_lagging",
    "process_coverage_missing",
    "process_effectiveness_only",
    "process_efficiency_only",
    "short_term_heavy",
    "support_process_not_differentiating",
]

#: The canonical tags the balance rules read, and what each means.
TAG_MEANINGS: Final[Mapping[str, str]] = {
    "core": "objective: a core (value-creating) process",
    "support": "objective: a support process",
    "differentiator": "objective: a support process that is a strategic differentiator",
    "efficiency": "indicator: efficiency of a process (e.g. cost per transaction)",
    "effectiveness": "indicator: effectiveness of a process (e.g. output quality)",
    "short-term": "explicit short-term horizon",
    "long-term": "explicit long-term horizon",
    "revenue": "topic with a short-term horizon",
    "cost": "topic with a short-term horizon",
    "loyalty": "topic with a long-term horizon",
    "retention": "topic with a long-term horizon",
    "capability": "topic with a long-term horizon",
    "innovation": "topic with a long-term horizon",
    "incentive": "indicator: part of an incentive scheme",
}

#: The two time horizons, short first.
HORIZONS: Final = ("short-term", "long-term")
_TOPIC_HORIZON: Final[Mapping[str, str]] = {
    "revenue": "short-term",
    "cost": "short-term",
    "loyalty": "long-term",
    "retention": "long-term",
    "capability": "long-term",
    "innovation": "long-term",
}

#: Horizon of an indicator that neither it nor its objective tags with a horizon or a topic.
#: Financial results and process efficiency pay off within the year; customer relationships
#: (satisfaction, loyalty, retention) and learning and growth pay off over years.
DEFAULT_PERSPECTIVE_HORIZONS: Final[Mapping[str, str]] = {
    "financial": "short-term",
    "customer": "long-term",
    "internal_process": "short-term",
    "learning_growth": "long-term",
}

#: ``lagging-heavy`` warns when more than this share of the measures (by count or by effective
#: weight) is lagging, or financial: with more than 60 % outcomes the scorecard mostly reports
#: results after the fact, which is the imbalance the balanced scorecard was invented to fix.
DEFAULT_LAGGING_WARNING: Final = 0.6

#: ``short-term-heavy`` warns when more than this share of the effective weight, of the
#: incentive indicators or of the strategic (executive) indicators is short-term.
DEFAULT_SHORT_TERM_WARNING: Final = 0.6

#: Columns of :func:`balance_summary`.
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

#: Columns of :func:`horizon_balance`.
HORIZON_COLUMNS: Final = (
    "horizon",
    "indicators",
    "indicator_share",
    "weight",
    "weight_share",
    "incentives",
    "incentive_share",
    "strategic",
    "strategic_share",
)

#: Extra words per canonical tag, e.g. ``{"efficiency": ["productivity"], "core": "primary"}``.
TagAliases = Mapping[str, str | Iterable[str]]

FloatArray = npt.NDArray[np.float64]


class _ProcessRule(Protocol):
    def __call__(
        self,
        scorecard: Scorecard,
        *,
        tags: TagAliases | None = ...,
        process_perspectives: Collection[str] = ...,
    ) -> list[Finding]: ...


IntArray = npt.NDArray[np.intp]


# -- options -----------------------------------------------------------------------------------


@attrs.frozen
class _Vocabulary:
    """Which words mean each canonical tag (lower case)."""

    words: Mapping[str, frozenset[str]]

    def has(self, tags: Iterable[str], canonical: str) -> bool:
        mine = self.words[canonical]
        return any(t.lower() in mine for t in tags)

    def first(self, tags: Iterable[str], canonicals: Iterable[str]) -> tuple[str, str] | None:
        """The first tag (in the node's order) meaning one of ``canonicals``: (canonical, word)."""
        wanted = tuple(canonicals)
        for t in tags:
            for c in wanted:
                if t.lower() in self.words[c]:
                    return c, t
        return None


def _vocabulary(tags: TagAliases | None) -> _Vocabulary:
    words = {c: {c} for c in TAG_MEANINGS}
    for canonical, extra in (tags or {}).items():
        if canonical not in TAG_MEANINGS:
            raise ModelError(
                f"tags alias key {canonical!r} is not a tag the balance rules read; use one of "
                f"{', '.join(TAG_MEANINGS)}." + did_you_mean(canonical, TAG_MEANINGS)
            )
        listed = [extra] if isinstance(extra, str) else list(extra)
        words[canonical].update(str(w).lower() for w in listed)
    return _Vocabulary({c: frozenset(w) for c, w in words.items()})


def _check_level(name: str, level: float) -> None:
    if not (isinstance(level, int | float) and 0.0 < level <= 1.0):
        raise ModelError(f"{name}={level!r} must be a share in (0, 1], e.g. 0.6 for 60 %")


def _check_horizon(name: str, value: str) -> None:
    if value not in HORIZONS:
        raise ModelError(f"{name} {value!r} is not a horizon; use 'short-term' or 'long-term'")


def _perspective_horizons(
    perspective_horizons: Mapping[str, str] | None, default_horizon: str
) -> Mapping[str, str]:
    _check_horizon("default_horizon", default_horizon)
    table = DEFAULT_PERSPECTIVE_HORIZONS if perspective_horizons is None else perspective_horizons
    for p, h in table.items():
        _check_horizon(f"perspective_horizons[{p!r}]", h)
    return table


def _pct(x: float) -> str:
    return f"{x:.0%}" if math.isfinite(x) else "n/a"


def _names(ids: Iterable[str]) -> str:
    return ", ".join(repr(i) for i in ids)


# -- weights and leading/lagging shares --------------------------------------------------------


def _normalise(weights: FloatArray, group: IntArray, n_groups: int) -> FloatArray:
    """Each weight over its group's total; 0 where the group's total is 0."""
    total = np.bincount(group, weights=weights, minlength=n_groups)
    denominator = total[group]
    return np.divide(weights, denominator, out=np.zeros_like(weights), where=denominator > 0)


def _effective(scorecard: Scorecard) -> tuple[FloatArray, IntArray, IntArray]:
    """Effective weights of the indicators, and their objective and perspective indices."""
    o_index = {o.id: k for k, o in enumerate(scorecard.objectives)}
    p_index = {p.id: k for k, p in enumerate(scorecard.perspectives)}
    n_o, n_p = len(o_index), len(p_index)
    ind_obj = np.array([o_index[i.objective] for i in scorecard.indicators], dtype=np.intp)
    obj_persp = np.array([p_index[o.perspective] for o in scorecard.objectives], dtype=np.intp)
    ind_w = np.array([i.weight.value for i in scorecard.indicators], dtype=np.float64)
    obj_w = np.array([o.weight.value for o in scorecard.objectives], dtype=np.float64)
    p_w = np.array([p.weight.value for p in scorecard.perspectives], dtype=np.float64)
    # A parent counts for its own parent only when some child carries weight, as in the
    # rollup with the default missing policy (an unscorable part is renormalised away).
    obj_w = obj_w * (np.bincount(ind_obj, weights=ind_w, minlength=n_o) > 0)
    p_w = p_w * (np.bincount(obj_persp, weights=obj_w, minlength=n_p) > 0)
    obj_local = _normalise(obj_w, obj_persp, n_p)
    p_local = _normalise(p_w, np.zeros(n_p, dtype=np.intp), 1)
    ind_persp = obj_persp[ind_obj]
    eff = _normalise(ind_w, ind_obj, n_o) * obj_local[ind_obj] * p_local[ind_persp]
    return eff, ind_obj, ind_persp


def effective_weights(scorecard: Scorecard) -> pd.Series:
    """Each indicator's share of the scorecard's total score: its weight within its objective,
    times its objective's within its perspective, times its perspective's within the scorecard.

    Initial weights (``weight.value``) are used. As in the rollup, an objective whose
    indicators all weigh 0 (or that has none) is left out of its perspective and the others
    are renormalised; the same for perspectives. The weights add up to 1 unless every weight
    is 0.

    Returns
    -------
    pandas.Series
        Float weights indexed by indicator id (named ``effective_weight``), in document order.

    Examples
    --------
    >>> from balanced_scorecard.model import Indicator, Objective, Perspective, Scorecard
    >>> sc = Scorecard(id="demo",
    ...     perspectives=[Perspective(id="financial", weight=3), Perspective(id="customer")],
    ...     objectives=[Objective(id="grow", perspective="financial"),
    ...                 Objective(id="serve", perspective="customer")],
    ...     indicators=[Indicator(id="revenue", objective="grow", weight=1),
    ...                 Indicator(id="margin", objective="grow", weight=3),
    ...                 Indicator(id="csat", objective="serve")])
    >>> effective_weights(sc).to_dict()  # 3/4 * 1/4, 3/4 * 3/4, 1/4
    {'revenue': 0.1875, 'margin': 0.5625, 'csat': 0.25}
    """
    eff, _, _ = _effective(scorecard)
    index = pd.Index([i.id for i in scorecard.indicators], dtype=str, name="indicator")
    return pd.Series(eff, index=index, name="effective_weight")


def _sum_by(group: IntArray, n: int, weights: FloatArray | None = None) -> FloatArray:
    """Per-group sums of ``weights`` (counts when None), as floats."""
    return np.asarray(np.bincount(group, weights=weights, minlength=n), dtype=np.float64)


def _share(part: FloatArray, whole: FloatArray) -> FloatArray:
    out = np.full(part.shape, np.nan)
    np.divide(part, whole, out=out, where=whole > 0)
    return np.asarray(np.clip(out, 0.0, 1.0), dtype=np.float64)


def _group_shares(
    group: IntArray, n: int, leading: FloatArray, financial: FloatArray, eff: FloatArray
) -> dict[str, npt.NDArray[np.float64] | IntArray]:
    count = _sum_by(group, n)
    lead = _sum_by(group, n, leading)
    fin = _sum_by(group, n, financial)
    weight = _sum_by(group, n, eff)
    lead_w = _sum_by(group, n, eff * leading)
    lag_w = _sum_by(group, n, eff * (1.0 - leading))
    fin_w = _sum_by(group, n, eff * financial)
    return {
        "indicators": count.astype(np.intp),
        "leading": lead.astype(np.intp),
        "lagging": (count - lead).astype(np.intp),
        "leading_share": _share(lead, count),
        "lagging_share": _share(count - lead, count),
        "weight": weight,
        "leading_weight_share": _share(lead_w, weight),
        "lagging_weight_share": _share(lag_w, weight),
        "financial_share": _share(fin, count),
        "financial_weight_share": _share(fin_w, weight),
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
    eff, ind_obj, ind_persp = _effective(scorecard)
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
    _check_level("warning_level", warning_level)
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
            fix += f", first in {_names(heavy)}"
        out.append(
            Finding(
                rule="lagging-heavy",
                severity=Severity.WARNING,
                message=(
                    f"{n} of {total} indicators ({_pct(count_share)}) and {_pct(weight_share)} "
                    f"of the effective weight are {what}, above the warning level "
                    f"{_pct(warning_level)}; {why}"
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
                    f"objective {o.id!r} is measured only by lagging indicators ({_names(ids)}) "
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


# -- efficiency vs effectiveness, core vs support processes ------------------------------------


def _processes(
    scorecard: Scorecard, vocab: _Vocabulary, process_perspectives: Collection[str]
) -> list[tuple[Objective, str]]:
    """(objective, "core" or "support") for the processes that should be measured both ways."""
    out: list[tuple[Objective, str]] = []
    for o in scorecard.objectives:
        if o.perspective not in process_perspectives:
            continue
        if vocab.has(o.tags, "core"):
            out.append((o, "core"))
        elif vocab.has(o.tags, "support") and vocab.has(o.tags, "differentiator"):
            out.append((o, "differentiating support"))
    return out


def _coverage(
    scorecard: Scorecard,
    *,
    tags: TagAliases | None,
    process_perspectives: Collection[str],
) -> list[tuple[Objective, str, list[str], list[str]]]:
    vocab = _vocabulary(tags)
    by_objective: dict[str, list[Indicator]] = {}
    for ind in scorecard.indicators:
        by_objective.setdefault(ind.objective, []).append(ind)
    out = []
    for o, kind in _processes(scorecard, vocab, process_perspectives):
        inds = by_objective.get(o.id, [])
        efficiency = [i.id for i in inds if vocab.has(i.tags, "efficiency")]
        effectiveness = [i.id for i in inds if vocab.has(i.tags, "effectiveness")]
        out.append((o, kind, efficiency, effectiveness))
    return out


def process_efficiency_only(
    scorecard: Scorecard,
    *,
    tags: TagAliases | None = None,
    process_perspectives: Collection[str] = ("internal_process",),
) -> list[Finding]:
    """Core (or differentiating support) processes measured for efficiency but not
    effectiveness: cheaper output nobody checks the quality of.

    A process objective is one in ``process_perspectives`` tagged ``core``, or tagged both
    ``support`` and ``differentiator``; its own indicators tagged ``efficiency`` and
    ``effectiveness`` are counted (see the module docstring for ``tags`` aliases).

    Examples
    --------
    >>> from balanced_scorecard.model import Indicator, Objective, Scorecard
    >>> sc = Scorecard(id="demo",
    ...     objectives=[Objective(id="fulfil", perspective="internal_process", tags=["core"])],
    ...     indicators=[Indicator(id="cost_per_order", objective="fulfil",
    ...                           tags=["efficiency"])])
    >>> [f.nodes for f in process_efficiency_only(sc)]
    [('fulfil', 'cost_per_order')]
    """
    return [
        Finding(
            rule="process-efficiency-only",
            severity=Severity.WARNING,
            message=(
                f"{kind} process {o.id!r} is measured for efficiency ({_names(eff)}) but not "
                "for effectiveness; pushing cost down can erode the quality of its output "
                "unseen"
            ),
            nodes=(o.id, *eff),
            fix=(
                f"add an indicator tagged 'effectiveness' to {o.id!r} (e.g. first-time-right "
                "rate, defect rate, on-time delivery)"
            ),
        )
        for o, kind, eff, effective in _coverage(
            scorecard, tags=tags, process_perspectives=process_perspectives
        )
        if eff and not effective
    ]


def process_effectiveness_only(
    scorecard: Scorecard,
    *,
    tags: TagAliases | None = None,
    process_perspectives: Collection[str] = ("internal_process",),
) -> list[Finding]:
    """Core (or differentiating support) processes measured for effectiveness but not
    efficiency: good output at a cost nobody watches. See :func:`process_efficiency_only`.

    Examples
    --------
    >>> from balanced_scorecard.model import Indicator, Objective, Scorecard
    >>> sc = Scorecard(id="demo",
    ...     objectives=[Objective(id="fulfil", perspective="internal_process",
    ...                           tags=["primary"])],
    ...     indicators=[Indicator(id="perfect_orders", objective="fulfil",
    ...                           tags=["Quality"])])
    >>> aliases = {"core": "primary", "effectiveness": ["quality"]}
    >>> [f.rule for f in process_effectiveness_only(sc, tags=aliases)]
    ['process-effectiveness-only']
    """
    return [
        Finding(
            rule="process-effectiveness-only",
            severity=Severity.WARNING,
            message=(
                f"{kind} process {o.id!r} is measured for effectiveness ({_names(effective)}) "
                "but not for efficiency; nothing shows what its output costs"
            ),
            nodes=(o.id, *effective),
            fix=(
                f"add an indicator tagged 'efficiency' to {o.id!r} (e.g. cost per "
                "transaction, cycle time, output per employee)"
            ),
        )
        for o, kind, eff, effective in _coverage(
            scorecard, tags=tags, process_perspectives=process_perspectives
        )
        if effective and not eff
    ]


def process_coverage_missing(
    scorecard: Scorecard,
    *,
    tags: TagAliases | None = None,
    process_perspectives: Collection[str] = ("internal_process",),
) -> list[Finding]:
    """Core (or differentiating support) processes with no indicator tagged ``efficiency``
    or ``effectiveness``: the balance cannot be judged. See :func:`process_efficiency_only`.

    Examples
    --------
    >>> from balanced_scorecard.model import Indicator, Objective, Scorecard
    >>> sc = Scorecard(id="demo",
    ...     objectives=[Objective(id="fulfil", perspective="internal_process", tags=["core"])],
    ...     indicators=[Indicator(id="orders", objective="fulfil")])
    >>> [(f.severity, f.nodes) for f in process_coverage_missing(sc)]
    [(<Severity.INFO: 'info'>, ('fulfil',))]
    """
    return [
        Finding(
            rule="process-coverage-missing",
            severity=Severity.INFO,
            message=(
                f"{kind} process {o.id!r} has no indicator tagged 'efficiency' or "
                "'effectiveness', so its balance of cost and quality cannot be checked"
            ),
            nodes=(o.id,),
            fix=(
                f"tag the indicators of {o.id!r} 'efficiency' (cost, time, productivity) or "
                "'effectiveness' (quality of the output), or map your own words with tags="
            ),
        )
        for o, kind, eff, effective in _coverage(
            scorecard, tags=tags, process_perspectives=process_perspectives
        )
        if not eff and not effective
    ]


def support_process_not_differentiating(
    scorecard: Scorecard,
    *,
    tags: TagAliases | None = None,
    process_perspectives: Collection[str] = ("internal_process",),
) -> list[Finding]:
    """Support-process objectives on the strategy map that are not strategic differentiators.

    A strategic-tier objective in ``process_perspectives`` tagged ``support`` (and not
    ``core``) belongs on the strategy map only when tagged ``differentiator``; otherwise it
    dilutes the map and belongs on an operational dashboard (``tier: operational``).

    Examples
    --------
    >>> from balanced_scorecard.model import Objective, Scorecard
    >>> sc = Scorecard(id="demo", objectives=[
    ...     Objective(id="payroll", perspective="internal_process", tags=["support"]),
    ...     Objective(id="it_platform", perspective="internal_process",
    ...               tags=["support", "differentiator"]),
    ...     Objective(id="facilities", perspective="internal_process", tags=["support"],
    ...               tier="operational")])
    >>> [f.nodes for f in support_process_not_differentiating(sc)]
    [('payroll',)]
    """
    vocab = _vocabulary(tags)
    return [
        Finding(
            rule="support-process-not-differentiating",
            severity=Severity.WARNING,
            message=(
                f"support process {o.id!r} is on the strategy map (tier strategic) but not "
                "tagged as a strategic differentiator; support processes there dilute the "
                "executives' attention"
            ),
            nodes=(o.id,),
            fix=(
                f"tag {o.id!r} 'differentiator' if it sets the company apart, otherwise set "
                "tier: operational and follow it on an operational dashboard"
            ),
        )
        for o in scorecard.objectives
        if o.perspective in process_perspectives
        and o.tier is Tier.STRATEGIC
        and vocab.has(o.tags, "support")
        and not vocab.has(o.tags, "core")
        and not vocab.has(o.tags, "differentiator")
    ]


# -- time horizons -----------------------------------------------------------------------------


def _tag_horizon(
    tags: Sequence[str], vocab: _Vocabulary, where: str, node: str
) -> tuple[str, str] | None:
    explicit = [h for h in HORIZONS if vocab.has(tags, h)]
    if len(explicit) == 2:
        raise ModelError(
            f"{where} {node!r} is tagged both short-term and long-term; keep the one that applies"
        )
    if explicit:
        return explicit[0], f"tag {explicit[0]}"
    topic = vocab.first(tags, _TOPIC_HORIZON)
    if topic is not None:
        return _TOPIC_HORIZON[topic[0]], f"tag {topic[1]}"
    return None


def _objective_horizon(
    o: Objective, vocab: _Vocabulary, table: Mapping[str, str], default: str
) -> tuple[str, str]:
    found = _tag_horizon(o.tags, vocab, "objective", o.id)
    if found is not None:
        return found[0], f"objective {found[1]}"
    if o.perspective in table:
        return table[o.perspective], f"perspective {o.perspective}"
    return default, "default"


def indicator_horizons(
    scorecard: Scorecard,
    *,
    tags: TagAliases | None = None,
    perspective_horizons: Mapping[str, str] | None = None,
    default_horizon: str = "short-term",
) -> pd.DataFrame:
    """The time horizon of every indicator, and why.

    The first of these decides:

    1. the indicator's tag ``short-term`` or ``long-term``;
    2. its first topic tag: ``revenue`` or ``cost`` (short-term); ``loyalty``, ``retention``,
       ``capability`` or ``innovation`` (long-term);
    3. the same two steps on its objective's tags;
    4. its perspective, through ``perspective_horizons`` (default
       :data:`DEFAULT_PERSPECTIVE_HORIZONS`: financial and internal process short-term,
       customer and learning & growth long-term);
    5. ``default_horizon`` (short-term) for any other perspective.

    Returns
    -------
    pandas.DataFrame
        One row per indicator in document order: ``indicator``, ``objective``,
        ``perspective``, ``horizon``, ``reason`` (the rule that decided), ``weight``
        (effective weight, :func:`effective_weights`), ``incentive`` (tagged ``incentive``)
        and ``strategic`` (strategic tier).

    Raises
    ------
    ModelError
        When a node is tagged both short-term and long-term, a horizon is not one of
        :data:`HORIZONS`, or a ``tags`` alias key is unknown.

    Examples
    --------
    >>> from balanced_scorecard.model import Indicator, Objective, Scorecard
    >>> sc = Scorecard(id="demo",
    ...     objectives=[Objective(id="grow", perspective="financial"),
    ...                 Objective(id="keep", perspective="customer")],
    ...     indicators=[Indicator(id="revenue", objective="grow"),
    ...                 Indicator(id="clv", objective="grow", tags=["retention"]),
    ...                 Indicator(id="promo_uptake", objective="keep", tags=["revenue"]),
    ...                 Indicator(id="churn", objective="keep")])
    >>> indicator_horizons(sc)[["indicator", "horizon", "reason"]]
          indicator     horizon                reason
    0       revenue  short-term  perspective financial
    1           clv   long-term         tag retention
    2  promo_uptake  short-term           tag revenue
    3         churn   long-term   perspective customer
    """
    vocab = _vocabulary(tags)
    table = _perspective_horizons(perspective_horizons, default_horizon)
    objectives = {o.id: o for o in scorecard.objectives}
    eff, _, _ = _effective(scorecard)
    rows = []
    for k, ind in enumerate(scorecard.indicators):
        o = objectives[ind.objective]
        found = _tag_horizon(ind.tags, vocab, "indicator", ind.id)
        horizon, reason = found or _objective_horizon(o, vocab, table, default_horizon)
        rows.append(
            (
                ind.id,
                o.id,
                o.perspective,
                horizon,
                reason,
                float(eff[k]),
                vocab.has(ind.tags, "incentive"),
                ind.tier is Tier.STRATEGIC,
            )
        )
    columns = [
        "indicator",
        "objective",
        "perspective",
        "horizon",
        "reason",
        "weight",
        "incentive",
        "strategic",
    ]
    frame = pd.DataFrame(rows, columns=columns)
    texts = dict.fromkeys(columns[:5], str)
    return frame.astype(texts | {"weight": np.float64, "incentive": bool, "strategic": bool})


def horizon_balance(
    scorecard: Scorecard,
    *,
    tags: TagAliases | None = None,
    perspective_horizons: Mapping[str, str] | None = None,
    default_horizon: str = "short-term",
) -> pd.DataFrame:
    """How the scorecard's weight, incentives and executive reporting split over the two
    time horizons (each indicator's horizon from :func:`indicator_horizons`).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`HORIZON_COLUMNS`, one row per horizon (short-term, long-term):
        ``indicators`` and ``indicator_share`` (of the count), ``weight`` and ``weight_share``
        (effective weight), ``incentives`` and ``incentive_share`` (indicators tagged
        ``incentive``), ``strategic`` and ``strategic_share`` (strategic-tier indicators: the
        reporting emphasis of the executive review). Each share column adds up to 1 over the
        two rows, or is NaN when there is nothing to share (e.g. no incentives). No
        indicators: an empty frame.

    Examples
    --------
    >>> from balanced_scorecard.model import Indicator, Objective, Scorecard
    >>> sc = Scorecard(id="demo",
    ...     objectives=[Objective(id="grow", perspective="financial"),
    ...                 Objective(id="keep", perspective="customer")],
    ...     indicators=[Indicator(id="revenue", objective="grow", tags=["incentive"],
    ...                           tier="strategic"),
    ...                 Indicator(id="churn", objective="keep")])
    >>> horizon_balance(sc)[["horizon", "weight_share", "incentive_share", "strategic_share"]]
          horizon  weight_share  incentive_share  strategic_share
    0  short-term           0.5              1.0              1.0
    1   long-term           0.5              0.0              0.0
    """
    per = indicator_horizons(
        scorecard,
        tags=tags,
        perspective_horizons=perspective_horizons,
        default_horizon=default_horizon,
    )
    if per.empty:
        return pd.DataFrame({c: [] for c in HORIZON_COLUMNS}).astype(
            {"horizon": str} | dict.fromkeys(HORIZON_COLUMNS[1:], np.float64)
        )
    code = (per["horizon"].to_numpy() == HORIZONS[1]).astype(np.intp)

    def split(weights: FloatArray) -> tuple[FloatArray, FloatArray]:
        part = _sum_by(code, 2, weights)
        return part, _share(part, np.full(2, part.sum()))

    count, count_share = split(np.ones(len(per)))
    weight, weight_share = split(per["weight"].to_numpy(dtype=np.float64))
    incentives, incentive_share = split(per["incentive"].to_numpy(dtype=np.float64))
    strategic, strategic_share = split(per["strategic"].to_numpy(dtype=np.float64))
    return pd.DataFrame(
        {
            "horizon": pd.array(HORIZONS, dtype=str),
            "indicators": count.astype(np.intp),
            "indicator_share": count_share,
            "weight": weight,
            "weight_share": weight_share,
            "incentives": incentives.astype(np.intp),
            "incentive_share": incentive_share,
            "strategic": strategic.astype(np.intp),
            "strategic_share": strategic_share,
        }
    )


def short_term_heavy(
    scorecard: Scorecard,
    *,
    warning_level: float = DEFAULT_SHORT_TERM_WARNING,
    tags: TagAliases | None = None,
    perspective_horizons: Mapping[str, str] | None = None,
    default_horizon: str = "short-term",
) -> list[Finding]:
    """Scorecards that weight, reward or report the short term above ``warning_level``.

    Up to three warnings, one per dimension of :func:`horizon_balance` whose short-term
    share is above the level (default :data:`DEFAULT_SHORT_TERM_WARNING`, 0.6): the
    effective weight, the incentive indicators, and the strategic-tier indicators. A
    dimension with nothing in it (no incentives) is not judged.

    Raises
    ------
    ModelError
        When ``warning_level`` is not in (0, 1], or see :func:`indicator_horizons`.

    Examples
    --------
    >>> from balanced_scorecard.model import Indicator, Objective, Scorecard
    >>> sc = Scorecard(id="demo",
    ...     objectives=[Objective(id="grow", perspective="financial")],
    ...     indicators=[Indicator(id="revenue", objective="grow", tags=["incentive"])])
    >>> [f.message.split(";")[0] for f in short_term_heavy(sc)]  # doctest: +NORMALIZE_WHITESPACE
    ['short-term indicators carry 100% of the effective weight, above the warning level 60%',
     "short-term indicators make up 100% of the incentive indicators, above the warning level
     60% ('revenue')"]
    """
    _check_level("warning_level", warning_level)
    per = indicator_horizons(
        scorecard,
        tags=tags,
        perspective_horizons=perspective_horizons,
        default_horizon=default_horizon,
    )
    if per.empty:
        return []
    short = per["horizon"].to_numpy() == HORIZONS[0]
    weight = per["weight"].to_numpy(dtype=np.float64)
    dimensions = (
        ("carry", "the effective weight", weight, np.ones(len(per), dtype=bool)),
        ("make up", "the incentive indicators", None, per["incentive"].to_numpy(dtype=bool)),
        ("make up", "the strategic-tier indicators", None, per["strategic"].to_numpy(dtype=bool)),
    )
    fixes = {
        "the effective weight": "weight up long-term measures (loyalty, retention, capability)",
        "the incentive indicators": (
            "balance the incentive scheme with long-term measures (retention, loyalty, capability)"
        ),
        "the strategic-tier indicators": (
            "report long-term measures to executives too (tier: strategic)"
        ),
    }
    ids = per["indicator"].to_numpy()
    out: list[Finding] = []
    for verb, what, weights, selected in dimensions:
        if not selected.any():
            continue
        values = weights if weights is not None else selected.astype(np.float64)
        total = float(values.sum())
        share = float(values[short].sum() / total) if total > 0 else math.nan
        if not share > warning_level:
            continue
        nodes = [str(i) for i in ids[short & selected]]
        listed = f" ({_names(nodes)})" if weights is None else ""
        out.append(
            Finding(
                rule="short-term-heavy",
                severity=Severity.WARNING,
                message=(
                    f"short-term indicators {verb} {_pct(share)} of {what}, above the warning "
                    f"level {_pct(warning_level)}{listed}; today's results crowd out the "
                    "loyalty and capability that produce tomorrow's"
                ),
                nodes=nodes,
                fix=fixes[what],
            )
        )
    return out


# -- incentives against long-term outcomes -----------------------------------------------------


def _signed_edges(scorecard: Scorecard) -> dict[str, list[tuple[str, int]]]:
    """Signed causal graph: causal links, plus indicator -> its objective (sign = polarity:
    more of a lower-better indicator means less of the objective). In-range indicators have
    no direction and are left out."""
    out: dict[str, list[tuple[str, int]]] = {}
    for ind in scorecard.indicators:
        if ind.polarity.code:
            out.setdefault(ind.id, []).append((ind.objective, ind.polarity.code))
    for link in scorecard.links:
        out.setdefault(link.cause, []).append((link.effect, link.sign))
    return out


def _signed_reach(
    edges: Mapping[str, list[tuple[str, int]]], start: str
) -> dict[tuple[str, int], tuple[str, int] | None]:
    """Breadth-first over (node, sign of the path so far): shortest path predecessors."""
    parent: dict[tuple[str, int], tuple[str, int] | None] = {(start, 1): None}
    queue = deque([(start, 1)])
    while queue:
        node, sign = queue.popleft()
        for nxt, s in edges.get(node, ()):
            state = (nxt, sign * s)
            if state not in parent:
                parent[state] = (node, sign)
                queue.append(state)
    return parent


def _path(parent: Mapping[tuple[str, int], tuple[str, int] | None], end: tuple[str, int]) -> str:
    states = [end]
    while (before := parent[states[-1]]) is not None:
        states.append(before)
    states.reverse()
    text = states[0][0]
    for (_, s0), (node, s1) in itertools.pairwise(states):
        text += f" -[{'+' if s0 == s1 else '-'}]-> {node}"
    return text


def incentive_undermines_outcome(
    scorecard: Scorecard,
    *,
    tags: TagAliases | None = None,
    perspective_horizons: Mapping[str, str] | None = None,
    default_horizon: str = "short-term",
) -> list[Finding]:
    """Incentives that, along the strategy map, push a long-term outcome the wrong way.

    An incentive indicator (tagged ``incentive``) rewards moving it in its good direction
    (up when higher-better, down when lower-better; in-range incentives are skipped). The
    effect travels along causal links, multiplying their signs, and from an indicator to its
    objective (sign +1 for higher-better, -1 for lower-better). A long-term outcome is an
    objective or indicator whose horizon is long-term (:func:`indicator_horizons`; for an
    objective its own tags, then its perspective). The incentive undermines it when the
    rewarded move makes the outcome worse: rewarded direction × product of signs × the
    outcome's good direction is negative. For a higher-better incentive and outcome that is
    simply a negative product of link signs.

    One warning per incentive that undermines anything, naming the shortest such path (with
    each step's sign) and every long-term outcome it harms.

    Examples
    --------
    >>> from balanced_scorecard.model import CausalLink, Indicator, Objective, Scorecard
    >>> sc = Scorecard(id="demo",
    ...     objectives=[Objective(id="productive", perspective="internal_process"),
    ...                 Objective(id="loyal", perspective="customer", tags=["loyalty"])],
    ...     indicators=[Indicator(id="calls_per_hour", objective="productive",
    ...                           tags=["incentive"]),
    ...                 Indicator(id="first_contact_resolution", objective="productive")],
    ...     links=[CausalLink(cause="calls_per_hour", effect="first_contact_resolution",
    ...                       sign="-"),
    ...            CausalLink(cause="first_contact_resolution", effect="loyal")])
    >>> print(incentive_undermines_outcome(sc)[0].message)  # doctest: +NORMALIZE_WHITESPACE
    incentive 'calls_per_hour' rewards higher values, which works against long-term outcome
    'loyal' along calls_per_hour -[-]-> first_contact_resolution -[+]-> loyal (link signs
    multiply to -)
    """
    vocab = _vocabulary(tags)
    table = _perspective_horizons(perspective_horizons, default_horizon)
    per = indicator_horizons(
        scorecard, tags=tags, perspective_horizons=table, default_horizon=default_horizon
    )
    good: dict[str, int] = {}
    for o in scorecard.objectives:
        if _objective_horizon(o, vocab, table, default_horizon)[0] == "long-term":
            good[o.id] = 1
    polarity = {i.id: i.polarity.code for i in scorecard.indicators}
    for ind_id, horizon in zip(per["indicator"], per["horizon"], strict=True):
        if horizon == "long-term" and polarity[ind_id]:
            good[str(ind_id)] = polarity[ind_id]
    edges = _signed_edges(scorecard)
    out: list[Finding] = []
    for ind in scorecard.indicators:
        rewarded = ind.polarity.code
        if not rewarded or not vocab.has(ind.tags, "incentive"):
            continue
        parent = _signed_reach(edges, ind.id)
        # Breadth-first insertion order: the first harmed state has the shortest path.
        harmed = [
            (node, sign)
            for node, sign in parent
            if node != ind.id and node in good and rewarded * sign * good[node] < 0
        ]
        if not harmed:
            continue
        outcomes = list(dict.fromkeys(node for node, _ in harmed))
        first = harmed[0]
        product = "+" if first[1] > 0 else "-"
        others = f"; it also works against {_names(outcomes[1:])}" if outcomes[1:] else ""
        direction = "higher" if rewarded > 0 else "lower"
        out.append(
            Finding(
                rule="incentive-undermines-outcome",
                severity=Severity.WARNING,
                message=(
                    f"incentive {ind.id!r} rewards {direction} values, which works against "
                    f"long-term outcome {first[0]!r} along {_path(parent, first)} (link "
                    f"signs multiply to {product}){others}"
                ),
                nodes=(ind.id, *outcomes),
                fix=(
                    f"pair the incentive on {ind.id!r} with a guard-rail on {first[0]!r} (or "
                    "reward it too), change what it rewards, or check the signs of the links "
                    "on that path"
                ),
            )
        )
    return out


# -- the runner --------------------------------------------------------------------------------

#: Rule name -> checker (with default options), in the order :func:`check_balance` runs them.
BALANCE_RULES: Mapping[str, Callable[[Scorecard], list[Finding]]] = {
    "lagging-heavy": lagging_heavy,
    "objective-only-lagging": objective_only_lagging,
    "process-efficiency-only": process_efficiency_only,
    "process-effectiveness-only": process_effectiveness_only,
    "process-coverage-missing": process_coverage_missing,
    "support-process-not-differentiating": support_process_not_differentiating,
    "short-term-heavy": short_term_heavy,
    "incentive-undermines-outcome": incentive_undermines_outcome,
}


def check_balance(
    scorecard: Scorecard,
    *,
    rules: Collection[str] | None = None,
    lagging_warning: float = DEFAULT_LAGGING_WARNING,
    short_term_warning: float = DEFAULT_SHORT_TERM_WARNING,
    tags: TagAliases | None = None,
    financial_perspectives: Collection[str] = ("financial",),
    process_perspectives: Collection[str] = ("internal_process",),
    perspective_horizons: Mapping[str, str] | None = None,
    default_horizon: str = "short-term",
) -> list[Finding]:
    """Run the rules of :data:`BALANCE_RULES` with one set of options.

    Parameters
    ----------
    scorecard
        The scorecard to check.
    rules
        Names of the rules to run (default: all), run in :data:`BALANCE_RULES` order.
    lagging_warning, short_term_warning
        The ``warning_level`` of :func:`lagging_heavy` and :func:`short_term_heavy`.
    tags
        Extra words for the canonical tags (see the module docstring).
    financial_perspectives, process_perspectives
        Perspectives counted as financial, and whose objectives are processes.
    perspective_horizons, default_horizon
        See :func:`indicator_horizons`.

    Returns
    -------
    list of Finding
        In rule order, then document order.

    Raises
    ------
    UnknownMethodError
        When ``rules`` names a rule that does not exist.
    ModelError
        When an option is out of range.

    Examples
    --------
    >>> from balanced_scorecard.model import Scorecard
    >>> check_balance(Scorecard(id="empty"))
    []
    """
    _check_level("lagging_warning", lagging_warning)
    _check_level("short_term_warning", short_term_warning)
    _vocabulary(tags)
    _perspective_horizons(perspective_horizons, default_horizon)
    wanted = select_rules(BALANCE_RULES, rules, "balance")

    def process(check: _ProcessRule) -> list[Finding]:
        return check(scorecard, tags=tags, process_perspectives=process_perspectives)

    runners: dict[str, Callable[[], list[Finding]]] = {
        "lagging-heavy": lambda: lagging_heavy(
            scorecard, warning_level=lagging_warning, financial_perspectives=financial_perspectives
        ),
        "objective-only-lagging": lambda: objective_only_lagging(scorecard),
        "process-efficiency-only": lambda: process(process_efficiency_only),
        "process-effectiveness-only": lambda: process(process_effectiveness_only),
        "process-coverage-missing": lambda: process(process_coverage_missing),
        "support-process-not-differentiating": lambda: process(support_process_not_differentiating),
        "short-term-heavy": lambda: short_term_heavy(
            scorecard,
            warning_level=short_term_warning,
            tags=tags,
            perspective_horizons=perspective_horizons,
            default_horizon=default_horizon,
        ),
        "incentive-undermines-outcome": lambda: incentive_undermines_outcome(
            scorecard,
            tags=tags,
            perspective_horizons=perspective_horizons,
            default_horizon=default_horizon,
        ),
    }
    findings: list[Finding] = []
    for name in BALANCE_RULES:
        if name in wanted:
            findings.extend(runners[name]())
    return findings
