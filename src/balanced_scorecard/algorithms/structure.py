"""Structure checks of a scorecard's design: a linter for the strategy, not for the data.

:func:`lint` runs the rules of :data:`LINT_RULES` and returns :class:`Finding` objects that
name the ids involved, say why each matters and suggest a fix. A finding is advice, never an
error that stops an evaluation: the model's own validation already rejects broken references.

Examples
--------
>>> from balanced_scorecard.model import Indicator, Objective, Scorecard
>>> sc = Scorecard(id="demo",
...                objectives=[Objective(id="grow", perspective="financial")],
...                indicators=[Indicator(id="revenue", objective="grow")])
>>> for f in lint(sc, rules=["indicator-without-owner", "empty-perspective"]):
...     print(f.severity, f.rule, f.nodes)
warning indicator-without-owner ('revenue',)
info empty-perspective ('customer',)
info empty-perspective ('internal_process',)
info empty-perspective ('learning_growth',)
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import networkx as nx

from balanced_scorecard._suggest import did_you_mean
from balanced_scorecard.algorithms import accountability, alignment, balance
from balanced_scorecard.algorithms._finding_text import finding, names, number
from balanced_scorecard.algorithms.findings import Finding, Findings, Severity, select_rules
from balanced_scorecard.exceptions import ModelError
from balanced_scorecard.governance.roles import GOVERNANCE_RULES
from balanced_scorecard.model.enums import LeadLag
from balanced_scorecard.model.people import Role

if TYPE_CHECKING:
    from balanced_scorecard.model.indicators import Indicator
    from balanced_scorecard.model.scorecard import Scorecard
    from balanced_scorecard.model.weights import Weight

__all__ = [
    "LINT_RULES",
    "empty_perspective",
    "indicator_without_owner",
    "initiative_without_objective",
    "lint",
    "objective_without_indicators",
    "objective_without_owner",
    "orphan_objective",
    "perspective_only_lagging",
    "weights_not_declared_total",
]


_TOLERANCE = 1e-9


# -- helpers -----------------------------------------------------------------------------------


def _owners(scorecard: Scorecard) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """Company-wide owners per node, and the org units that have a unit-level owner."""
    everywhere: dict[str, list[str]] = {}
    units: dict[str, list[str]] = {}
    for a in scorecard.assignments:
        if a.role is not Role.OWNER:
            continue
        if a.org_unit is None:
            everywhere.setdefault(a.node, []).append(a.person)
        elif a.org_unit not in units.setdefault(a.node, []):
            units[a.node].append(a.org_unit)
    return everywhere, units


def _check_share(share: float) -> None:
    if not 0.0 < share <= 1.0:
        raise ModelError(
            f"lagging_share_warning={share!r} must be in (0, 1]; "
            "1.0 warns only for perspectives without a leading indicator"
        )


def _partial_owners(node: str, units: Mapping[str, list[str]]) -> str:
    if node not in units:
        return ""
    return f" (it has owners only in org unit(s) {names(units[node])})"


# -- rules -------------------------------------------------------------------------------------


def objective_without_indicators(scorecard: Scorecard) -> list[Finding]:
    """Objectives that nothing measures: no indicator, and no child objective.

    A parent objective measured through the objectives that cascade from it (``parent``) is
    fine: its score rolls up from theirs, and each child is checked on its own.
    """
    measured = {i.objective for i in scorecard.indicators}
    measured.update(o.parent for o in scorecard.objectives if o.parent is not None)
    return [
        finding(
            "objective-without-indicators",
            f"objective {o.id!r} has no indicator and no child objective, so it can never "
            "be scored and its perspective rolls up without it",
            (o.id,),
            f"add an indicator with objective: {o.id}, or cascade a child objective into it",
        )
        for o in scorecard.objectives
        if o.id not in measured
    ]


def _owned(
    node: str,
    owners: Mapping[str, list[str]],
    unit_owners: Mapping[str, list[str]],
    home: Mapping[str, str | None],
) -> bool:
    # A node of a unit's own scorecard is owned by an owner in that unit.
    unit = home.get(node)
    return node in owners or (unit is not None and unit in unit_owners.get(node, ()))


def indicator_without_owner(scorecard: Scorecard) -> list[Finding]:
    """Indicators without a company-wide owner (an ``owner`` assignment with no org unit), or,
    for an indicator of an org unit's objective, without an owner in that unit.

    When the indicator's objective has an owner, the message names them as the likely candidate.
    """
    owners, unit_owners = _owners(scorecard)
    home = scorecard.home_units
    out: list[Finding] = []
    for ind in (i for i in scorecard.indicators if not _owned(i.id, owners, unit_owners, home)):
        message = f"indicator {ind.id!r} has no owner{_partial_owners(ind.id, unit_owners)}"
        fix = f"assign an owner to {ind.id!r}"
        if candidates := owners.get(ind.objective, []):
            who = ", ".join(candidates)
            message += (
                f"; objective {ind.objective!r} is owned by {who}; "
                f"assign an owner or make {who} the owner"
            )
            fix += f", e.g. {candidates[0]}"
        else:
            message += "; nobody answers for its data or acts when it turns red"
        units = unit_owners.get(ind.id, ())
        out.append(finding("indicator-without-owner", message, (ind.id,), fix, org_units=units))
    return out


def objective_without_owner(scorecard: Scorecard) -> list[Finding]:
    """Objectives without a company-wide owner (or, for an org unit's objective, an owner in
    that unit): nobody is accountable for the result."""
    owners, unit_owners = _owners(scorecard)
    home = scorecard.home_units
    return [
        finding(
            "objective-without-owner",
            f"objective {o.id!r} has no owner{_partial_owners(o.id, unit_owners)}; "
            "nobody is accountable for it or receives its escalations",
            (o.id,),
            f"assign an owner to {o.id!r}",
            org_units=unit_owners.get(o.id, ()),
        )
        for o in scorecard.objectives
        if not _owned(o.id, owners, unit_owners, home)
    ]


def perspective_only_lagging(
    scorecard: Scorecard, *, lagging_share_warning: float = 1.0
) -> list[Finding]:
    """Perspectives whose indicators are (mostly) lagging: outcomes without drivers.

    A perspective warns when its share of lagging indicators is at least
    ``lagging_share_warning`` (the default 1.0 warns only when none leads). Perspectives
    without indicators are left to the other rules.
    """
    _check_share(lagging_share_warning)
    perspective_of = {o.id: o.perspective for o in scorecard.objectives}
    by_perspective: dict[str, list[Indicator]] = {}
    for ind in scorecard.indicators:
        by_perspective.setdefault(perspective_of[ind.objective], []).append(ind)
    out: list[Finding] = []
    for p in scorecard.perspectives:
        inds = by_perspective.get(p.id, [])
        lagging = [i.id for i in inds if i.lead_lag is LeadLag.LAGGING]
        if not inds or len(lagging) / len(inds) < lagging_share_warning - _TOLERANCE:
            continue
        share = f"{len(lagging)} of {len(inds)} indicators ({len(lagging) / len(inds):.0%})"
        out.append(
            finding(
                "perspective-only-lagging",
                f"perspective {p.id!r}: {share} are lagging ({names(lagging)}); "
                "outcomes alone report problems too late to act on them",
                (p.id, *lagging),
                f"add a leading indicator (lead_lag: leading) that drives {p.id!r}",
            )
        )
    return out


def orphan_objective(scorecard: Scorecard) -> list[Finding]:
    """Objectives with no causal path up to a top objective.

    The top objectives are those of the first perspective that has objectives (Financial
    by default; a public-sector map that puts its mission first gets the mission); they are
    exempt. A path runs along causal links, from cause to effect, through objectives and
    their indicators (an indicator's link counts for its objective). An objective that
    cascades from a connected parent is connected through it.
    """
    g = scorecard.strategy_map.graph
    objective_of = {i.id: i.objective for i in scorecard.indicators}
    used = {o.perspective for o in scorecard.objectives}
    top = next((p.id for p in scorecard.perspectives if p.id in used), None)
    reach = nx.DiGraph()
    reach.add_nodes_from(o.id for o in scorecard.objectives)
    for u, v, kind in g.edges(data="kind"):
        if kind == "causes":
            cause, effect = objective_of.get(u, u), objective_of.get(v, v)
            if cause != effect:
                reach.add_edge(cause, effect)
        elif kind == "cascades":
            # A child serves its parent, so it reaches the top wherever the parent does.
            reach.add_edge(v, u)
    connected = {o.id for o in scorecard.objectives if o.perspective == top}
    for target in tuple(connected):
        connected.update(nx.ancestors(reach, target))
    return [
        finding(
            "orphan-objective",
            f"objective {o.id!r} ({o.perspective}) has no causal path to an objective of "
            f"{top!r}, so the strategy map does not say what it is for",
            (o.id,),
            f"add a causal link from {o.id!r} (or one of its indicators) to an objective it "
            "drives, or set its parent, or remove it",
        )
        for o in scorecard.objectives
        if o.id not in connected
    ]


def _weight_finding(
    parent: str, what: str, children: Sequence[tuple[str, Weight]], total: float
) -> Finding | None:
    dates = sorted({d for _, w in children for d, _ in w.changes})
    misses: list[str] = []
    initial = math.fsum(w.value for _, w in children)
    if not math.isclose(initial, total, rel_tol=_TOLERANCE, abs_tol=_TOLERANCE):
        misses.append(f"add up to {number(initial)}")
    for date in dates:
        s = math.fsum(w.at(date) for _, w in children)
        if not math.isclose(s, total, rel_tol=_TOLERANCE, abs_tol=_TOLERANCE):
            misses.append(f"add up to {number(s)} from {date}")
    if not children or not misses:
        return None
    return finding(
        "weights-not-declared-total",
        f"the weights of the {what} of {parent} {'; '.join(misses)}, "
        f"not the declared total {number(total)}",
        (c for c, _ in children),
        f"change the weights so they add up to {number(total)}, or unset weights_total",
    )


def weights_not_declared_total(scorecard: Scorecard) -> list[Finding]:
    """When ``weights_total`` is set, sibling weights that do not add up to it.

    Checks the indicators of each objective, the objectives of each perspective and the
    perspectives, at their initial weights and at every date on which one of them changes
    (within a tolerance of 1e-9).
    """
    total = scorecard.weights_total
    if total is None:
        return []
    # Parents in document order: objectives, then perspectives, then the scorecard.
    groups: dict[tuple[str, str], list[tuple[str, Weight]]] = {}
    for o in scorecard.objectives:
        groups[f"objective {o.id!r}", "indicators"] = []
    for p in scorecard.perspectives:
        groups[f"perspective {p.id!r}", "objectives"] = []
    for ind in scorecard.indicators:
        groups[f"objective {ind.objective!r}", "indicators"].append((ind.id, ind.weight))
    for o in scorecard.objectives:
        groups[f"perspective {o.perspective!r}", "objectives"].append((o.id, o.weight))
    groups[f"scorecard {scorecard.id!r}", "perspectives"] = [
        (p.id, p.weight) for p in scorecard.perspectives
    ]
    found = (_weight_finding(parent, what, kids, total) for (parent, what), kids in groups.items())
    return [f for f in found if f is not None]


def empty_perspective(scorecard: Scorecard) -> list[Finding]:
    """Perspectives without objectives (e.g. a default perspective the strategy does not use)."""
    used = {o.perspective for o in scorecard.objectives}
    return [
        finding(
            "empty-perspective",
            f"perspective {p.id!r} has no objectives; it adds nothing to the rollup",
            (p.id,),
            f"add objectives to {p.id!r} or remove it from perspectives",
            severity=Severity.INFO,
        )
        for p in scorecard.perspectives
        if p.id not in used
    ]


def initiative_without_objective(scorecard: Scorecard) -> list[Finding]:
    """Initiatives that support no objective: spending the strategy cannot account for."""
    return [
        finding(
            "initiative-without-objective",
            f"initiative {x.id!r} supports no objective, so its progress and budget are not "
            "tied to the strategy",
            (x.id,),
            f"list the objectives {x.id!r} is meant to move",
            severity=Severity.INFO,
        )
        for x in scorecard.initiatives
        if not x.objectives
    ]


#: Rule name -> checker, in the order :func:`lint` runs them: the structure rules of this
#: module, then cascade alignment and target conflicts
#: (:mod:`~balanced_scorecard.algorithms.alignment`), ownership
#: (:mod:`~balanced_scorecard.algorithms.accountability`), balance
#: (:mod:`~balanced_scorecard.algorithms.balance`) and governance-role coverage
#: (:mod:`~balanced_scorecard.governance.roles`). Each checker takes a scorecard (and
#: keyword-only options with defaults) and returns its findings in document order.
LINT_RULES: Mapping[str, Callable[..., list[Finding]]] = {
    "objective-without-indicators": objective_without_indicators,
    "indicator-without-owner": indicator_without_owner,
    "objective-without-owner": objective_without_owner,
    "perspective-only-lagging": perspective_only_lagging,
    "orphan-objective": orphan_objective,
    "weights-not-declared-total": weights_not_declared_total,
    "empty-perspective": empty_perspective,
    "initiative-without-objective": initiative_without_objective,
    **alignment.ALIGNMENT_RULES,
    **accountability.ACCOUNTABILITY_RULES,
    **balance.BALANCE_RULES,
    **GOVERNANCE_RULES,
}


def _options_of(name: str, check: Callable[..., list[Finding]]) -> list[str]:
    return [
        p.name
        for p in inspect.signature(check).parameters.values()
        if p.kind is inspect.Parameter.KEYWORD_ONLY
    ]


def lint(
    scorecard: Scorecard,
    *,
    rules: Collection[str] | None = None,
    lagging_share_warning: float = 1.0,
    options: Mapping[str, Mapping[str, Any]] | None = None,
) -> Findings:
    """Check a scorecard's design against :data:`LINT_RULES`.

    Parameters
    ----------
    scorecard
        The scorecard to check.
    rules
        Names of the rules to run (default: all); they run in :data:`LINT_RULES` order.
    lagging_share_warning
        ``perspective-only-lagging`` warns when a perspective's share of lagging indicators
        is at least this (default 1.0: only when none leads).
    options
        Options per rule, e.g. ``{"lagging-heavy": {"warning_level": 0.5},
        "targets-do-not-add-up": {"tolerance": 0.01}}``: the keyword options of the rule's
        function.

    Returns
    -------
    Findings
        A list of :class:`~balanced_scorecard.algorithms.findings.Finding`, in rule order,
        then document order (``.frame`` for a table).

    Raises
    ------
    UnknownMethodError
        When ``rules`` or ``options`` names a rule that does not exist.
    ModelError
        When ``options`` gives a rule an option it does not take.

    Examples
    --------
    >>> from balanced_scorecard.model import Initiative, Scorecard
    >>> sc = Scorecard(id="demo", initiatives=[Initiative(id="crm")])
    >>> [str(f) for f in lint(sc, rules={"initiative-without-objective"})]  # doctest: +ELLIPSIS
    ["info [initiative-without-objective] initiative 'crm' supports no objective, ..."]
    >>> lint(sc, rules=["orphan-objectives"])
    Traceback (most recent call last):
    ...
    balanced_scorecard.exceptions.UnknownMethodError: unknown lint rule 'orphan-objectives'; ...
    >>> lint(sc, options={"lagging-heavy": {"level": 0.5}})
    Traceback (most recent call last):
    ...
    balanced_scorecard.exceptions.ModelError: lint rule 'lagging-heavy' has no option 'level'; ...
    """
    _check_share(lagging_share_warning)
    per_rule = {k: dict(v) for k, v in (options or {}).items()}
    select_rules(LINT_RULES, list(per_rule), "lint")
    for name, given in per_rule.items():
        takes = _options_of(name, LINT_RULES[name])
        for key in given:
            if key not in takes:
                raise ModelError(
                    f"lint rule {name!r} has no option {key!r}; it takes "
                    f"{', '.join(takes) or 'no options'}." + did_you_mean(key, takes)
                )
    per_rule.setdefault("perspective-only-lagging", {}).setdefault(
        "lagging_share_warning", lagging_share_warning
    )
    selected = select_rules(LINT_RULES, rules, "lint")
    findings = Findings()
    for name in selected:
        findings.extend(LINT_RULES[name](scorecard, **per_rule.get(name, {})))
    return findings
