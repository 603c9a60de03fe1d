"""Cascade alignment and target conflicts: checks a cascaded scorecard needs before go-live.

A cascaded scorecard gives every org unit its own objectives (``Objective.org_unit``), each
serving an objective one level up (``Objective.parent``): vision -> business unit ->
department. The rules here read that design and its targets and return
:class:`~balanced_scorecard.algorithms.structure.Finding` objects, like
:func:`~balanced_scorecard.algorithms.structure.lint`:

* ``cascade-orphan``: a unit's objective that cascades from nothing;
* ``cascade-broken-chain``: a ``parent`` chain that never reaches the enterprise, runs
  sideways or downwards in the org chart, or cycles;
* ``redundant-indicator``: one measure under several ids (see :func:`measure_groups`);
* ``conflicting-polarity``: one measure good when high in one place and when low in another;
* ``targets-do-not-add-up``: an additive indicator whose children's targets miss the parent's;
* ``ratio-target-unreachable``: an averaged or ratio indicator whose parent target lies
  outside every child's;
* ``target-below-baseline``: a target that asks for less than the baseline.

Targets are resolved exactly as an evaluation resolves them
(:func:`~balanced_scorecard.data.target_panels.target_panels`: unit rows over company-wide
rows over the children's sum over the indicator's thresholds), for every target set of the
scorecard, or the indicator thresholds alone when it has none. The checks are vectorised
over (org unit, indicator, period); Python loops run only over findings.

Examples
--------
>>> from balanced_scorecard.model import Objective, OrgChart, OrgUnit, Scorecard
>>> sc = Scorecard(
...     id="demo",
...     org_chart=OrgChart(units=[OrgUnit(id="hq"), OrgUnit(id="north", parent="hq")]),
...     objectives=[Objective(id="grow", perspective="financial"),
...                 Objective(id="grow_north", perspective="financial", org_unit="north")])
>>> for f in alignment_findings(sc):
...     print(f.rule, f.nodes, f.org_units)
cascade-orphan ('grow_north',) ('north',)
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from typing import TYPE_CHECKING

from balanced_scorecard.algorithms._cascade import cascade_broken_chain, cascade_orphan
from balanced_scorecard.algorithms._measures import (
    conflicting_polarity,
    measure_groups,
    redundant_indicator,
)
from balanced_scorecard.algorithms._target_conflicts import (
    DEFAULT_TOLERANCE,
    TargetView,
    adds_up,
    below_baseline,
    check_tolerance,
    ratio_target_unreachable,
    target_below_baseline,
    target_views,
    targets_do_not_add_up,
    unreachable,
)
from balanced_scorecard.algorithms.findings import Finding, select_rules

if TYPE_CHECKING:
    from balanced_scorecard.model.scorecard import Scorecard

__all__ = [
    "ALIGNMENT_RULES",
    "alignment_findings",
    "cascade_broken_chain",
    "cascade_orphan",
    "conflicting_polarity",
    "measure_groups",
    "ratio_target_unreachable",
    "redundant_indicator",
    "target_below_baseline",
    "targets_do_not_add_up",
]

#: Rule id -> checker, in the order :func:`alignment_findings` runs them. Each takes a
#: scorecard and returns its findings.
ALIGNMENT_RULES: Mapping[str, Callable[[Scorecard], list[Finding]]] = {
    "cascade-orphan": cascade_orphan,
    "cascade-broken-chain": cascade_broken_chain,
    "redundant-indicator": redundant_indicator,
    "conflicting-polarity": conflicting_polarity,
    "targets-do-not-add-up": targets_do_not_add_up,
    "ratio-target-unreachable": ratio_target_unreachable,
    "target-below-baseline": target_below_baseline,
}

_TARGET_RULES: Mapping[str, Callable[[Scorecard, Sequence[TargetView], float], list[Finding]]] = {
    "targets-do-not-add-up": adds_up,
    "ratio-target-unreachable": lambda sc, views, _: unreachable(sc, views),
    "target-below-baseline": lambda sc, views, _: below_baseline(sc, views),
}


def alignment_findings(
    scorecard: Scorecard,
    *,
    rules: Collection[str] | None = None,
    tolerance: float = DEFAULT_TOLERANCE,
) -> list[Finding]:
    """Check a cascaded scorecard against :data:`ALIGNMENT_RULES`.

    Parameters
    ----------
    scorecard
        The scorecard to check.
    rules
        Ids of the rules to run (default: all); they run in :data:`ALIGNMENT_RULES` order.
    tolerance
        Relative gap ``targets-do-not-add-up`` accepts (default 1e-9).

    Returns
    -------
    list of Finding
        In rule order; :func:`~balanced_scorecard.algorithms.structure.findings_frame` makes
        a frame of them.

    Raises
    ------
    UnknownMethodError
        When ``rules`` names a rule that does not exist.
    ModelError
        When ``tolerance`` is negative or not finite.

    Examples
    --------
    >>> from balanced_scorecard.model import Scorecard
    >>> alignment_findings(Scorecard(id="empty"))
    []
    >>> alignment_findings(Scorecard(id="empty"), rules=["cascade-orphans"])
    Traceback (most recent call last):
    ...
    balanced_scorecard.exceptions.UnknownMethodError: unknown alignment rule 'cascade-orphans'; ...
    """
    check_tolerance(tolerance)
    selected = select_rules(ALIGNMENT_RULES, rules, "alignment")
    # The target rules share one resolution of every target set.
    views = list(target_views(scorecard)) if any(n in _TARGET_RULES for n in selected) else []
    findings: list[Finding] = []
    for name in selected:
        if name in _TARGET_RULES:
            findings.extend(_TARGET_RULES[name](scorecard, views, float(tolerance)))
        else:
            findings.extend(ALIGNMENT_RULES[name](scorecard))
    return findings
