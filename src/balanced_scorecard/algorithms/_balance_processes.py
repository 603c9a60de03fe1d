"""Process balance: efficiency vs effectiveness of core processes, and support processes on
the strategy map.

A core process (or a support process that is a strategic differentiator) should be measured
both for what its output costs (``efficiency``) and for how good it is (``effectiveness``);
other support processes belong on an operational dashboard. The rules read the tags of
:mod:`~balanced_scorecard.algorithms._balance_tags`. Part of
:mod:`~balanced_scorecard.algorithms.balance`, which re-exports everything public here.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING

from balanced_scorecard.algorithms._balance_tags import TagAliases, Vocabulary, vocabulary
from balanced_scorecard.algorithms._finding_text import names
from balanced_scorecard.algorithms.findings import Finding, Severity
from balanced_scorecard.model.enums import Tier

if TYPE_CHECKING:
    from balanced_scorecard.model.indicators import Indicator
    from balanced_scorecard.model.objectives import Objective
    from balanced_scorecard.model.scorecard import Scorecard

__all__ = [
    "process_coverage_missing",
    "process_effectiveness_only",
    "process_efficiency_only",
    "support_process_not_differentiating",
]


def _processes(
    scorecard: Scorecard, vocab: Vocabulary, process_perspectives: Collection[str]
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
    vocab = vocabulary(tags)
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
                f"{kind} process {o.id!r} is measured for efficiency ({names(eff)}) but not "
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
                f"{kind} process {o.id!r} is measured for effectiveness ({names(effective)}) "
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
    vocab = vocabulary(tags)
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
