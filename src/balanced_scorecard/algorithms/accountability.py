"""Ownership and accountability (RACI) checks of a scorecard's design.

The balanced scorecard rule is *exactly one accountable owner* per objective and per indicator
in each scope, with as many contributors as the work needs. When several contributors share
one outcome (customer satisfaction made by sales, service and delivery), they should have an
agreed split of it: each contributor assignment carries a ``share`` and the shares add up to 1.

Scopes
------
An ``owner`` assignment without an org unit makes a person accountable company-wide; one with
an org unit makes them accountable for that unit's result. Every (node, owner scope) is one
accountable outcome. Other assignments (contributors, stewards, sponsors) belong to the
outcome of the nearest owner scope at or above their org unit (walking up the org chart), and
to the company-wide outcome when there is none. So a company-wide customer-satisfaction owner
with contributors in ``sales``, ``service`` and ``delivery`` is one outcome with three
contributors, while an indicator owned separately in ``north`` and ``south`` has one outcome
(and one split) per business unit.

The rules here complement :mod:`~balanced_scorecard.algorithms.structure`, which already
reports objectives and indicators *without* an owner; their findings are the same
:class:`~balanced_scorecard.algorithms.structure.Finding` objects.

Examples
--------
>>> from balanced_scorecard.model import Assignment, Objective, Scorecard
>>> sc = Scorecard(id="demo", objectives=[Objective(id="grow", perspective="financial")],
...                assignments=[Assignment(role="owner", person="ann", node="grow"),
...                             Assignment(role="owner", person="bob", node="grow")])
>>> [f.rule for f in check_accountability(sc)]
['several-accountable-owners']
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Iterable, Mapping
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from balanced_scorecard.algorithms._finding_text import number
from balanced_scorecard.algorithms.findings import Finding, Severity, select_rules
from balanced_scorecard.exceptions import ModelError
from balanced_scorecard.model.people import Assignment, Role

if TYPE_CHECKING:
    from balanced_scorecard.model.scorecard import Scorecard

__all__ = [
    "ACCOUNTABILITY_RULES",
    "DEFAULT_SHARE_TOLERANCE",
    "RACI_COLUMNS",
    "check_accountability",
    "raci",
    "several_accountable_owners",
    "shared_outcome_without_split",
]

#: How far the contributor shares of one outcome may miss 1 before it is reported: half a
#: percentage point, so that 0.33 + 0.33 + 0.34 and 0.333 + 0.333 + 0.333 both pass.
DEFAULT_SHARE_TOLERANCE = 0.005

#: Columns of :func:`raci`.
RACI_COLUMNS = (
    "node",
    "kind",
    "org_unit",
    "accountable",
    "contributors",
    "share_total",
    "data_steward",
    "review_facilitator",
    "executive_sponsor",
)

_Outcome = tuple[str, str | None]  # (node, owner scope; None = company-wide)


# -- helpers -----------------------------------------------------------------------------------


def _check_tolerance(tolerance: float) -> None:
    if not (isinstance(tolerance, int | float) and 0.0 <= tolerance < 1.0):
        raise ModelError(
            f"tolerance={tolerance!r} must be a number in [0, 1), e.g. 0.005 for half a "
            "percentage point"
        )


def _kinds(scorecard: Scorecard) -> dict[str, str]:
    """Node id -> kind, in document order: objectives, indicators, perspectives, initiatives."""
    out: dict[str, str] = {}
    out.update((o.id, "objective") for o in scorecard.objectives)
    out.update((i.id, "indicator") for i in scorecard.indicators)
    out.update((p.id, "perspective") for p in scorecard.perspectives)
    out.update((x.id, "initiative") for x in scorecard.initiatives)
    return out


def _unit_chain(scorecard: Scorecard, unit: str) -> tuple[str, ...]:
    chart = scorecard.org_chart
    return (unit, *chart.ancestors(unit)) if unit in chart else (unit,)


def _outcomes(scorecard: Scorecard) -> dict[_Outcome, list[Assignment]]:
    """Assignments grouped by accountable outcome (see the module docstring), in the order
    nodes and scopes first appear."""
    scopes: dict[str, set[str | None]] = {}
    for a in scorecard.assignments:
        if a.role is Role.OWNER:
            scopes.setdefault(a.node, set()).add(a.org_unit)
    out: dict[_Outcome, list[Assignment]] = {}
    for a in scorecard.assignments:
        scope = a.org_unit
        if a.role is not Role.OWNER and scope is not None:
            owned = scopes.get(a.node, set())
            scope = next((u for u in _unit_chain(scorecard, scope) if u in owned), None)
        out.setdefault((a.node, scope), []).append(a)
    return out


def _where(scope: str | None) -> str:
    return "company-wide" if scope is None else f"in org unit {scope!r}"


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


def _person(a: Assignment, scope: str | None) -> str:
    return a.person if a.org_unit in (None, scope) else f"{a.person} ({a.org_unit})"


def _held(assigned: Iterable[Assignment], role: Role, scope: str | None) -> str:
    return ", ".join(_unique(_person(a, scope) for a in assigned if a.role is role))


# -- rules -------------------------------------------------------------------------------------


def several_accountable_owners(scorecard: Scorecard) -> list[Finding]:
    """Objectives and indicators with more than one owner in the same scope.

    A scope is company-wide (an owner assignment without org unit) or one org unit. A
    company-wide owner and a different owner for one unit is a cascade, not a clash: the unit
    owner answers for the unit's result, the company-wide owner for the whole. The same person
    assigned twice counts once.

    Parameters
    ----------
    scorecard
        The scorecard to check.

    Returns
    -------
    list of Finding
        One warning per (node, scope) with several owners, in assignment order.

    Examples
    --------
    >>> from balanced_scorecard.model import Assignment, Objective, Scorecard
    >>> sc = Scorecard(id="demo",
    ...     objectives=[Objective(id="delight", perspective="customer")],
    ...     assignments=[Assignment(role="owner", person="ann", node="delight"),
    ...                  Assignment(role="owner", person="bob", node="delight"),
    ...                  Assignment(role="contributor", person="cy", node="delight")])
    >>> print(several_accountable_owners(sc)[0].message)  # doctest: +NORMALIZE_WHITESPACE
    objective 'delight' has 2 accountable owners company-wide (ann, bob); with several
    owners nobody is accountable when it turns red
    """
    kinds = _kinds(scorecard)
    out: list[Finding] = []
    for (node, scope), assigned in _outcomes(scorecard).items():
        kind = kinds.get(node)
        owners = _unique(a.person for a in assigned if a.role is Role.OWNER)
        if kind not in ("objective", "indicator") or len(owners) < 2:
            continue
        out.append(
            Finding(
                rule="several-accountable-owners",
                severity=Severity.WARNING,
                message=(
                    f"{kind} {node!r} has {len(owners)} accountable owners {_where(scope)} "
                    f"({', '.join(owners)}); with several owners nobody is accountable when "
                    "it turns red"
                ),
                nodes=(node,),
                org_units=() if scope is None else (scope,),
                fix=(
                    f"keep one owner for {node!r} {_where(scope)} (e.g. {owners[0]}) and make "
                    f"the others contributors (role: contributor, with a share)"
                ),
            )
        )
    return out


def shared_outcome_without_split(
    scorecard: Scorecard, *, tolerance: float = DEFAULT_SHARE_TOLERANCE
) -> list[Finding]:
    """Shared outcomes whose contributors have no agreed split of responsibility.

    An outcome (an objective or indicator in one owner scope, see the module docstring) is
    reported when it has two or more contributor assignments and at least one has no
    ``share``, or when any shares are given and they do not add up to 1 within
    ``tolerance``. A single contributor without a share needs no split.

    Parameters
    ----------
    scorecard
        The scorecard to check.
    tolerance
        How far the shares may miss 1 (default :data:`DEFAULT_SHARE_TOLERANCE`, 0.005).

    Returns
    -------
    list of Finding
        One warning per outcome, naming each contributor with its unit and share, the total of
        the shares given and the gap to 1.

    Raises
    ------
    ModelError
        When ``tolerance`` is not in [0, 1).

    Examples
    --------
    >>> from balanced_scorecard.model import Assignment, Objective, OrgChart, OrgUnit, Scorecard
    >>> chart = OrgChart(units=[OrgUnit(id="acme"), OrgUnit(id="sales", parent="acme"),
    ...                         OrgUnit(id="service", parent="acme")])
    >>> sc = Scorecard(id="demo", org_chart=chart,
    ...     objectives=[Objective(id="csat", perspective="customer")],
    ...     assignments=[
    ...         Assignment(role="owner", person="cco", node="csat"),
    ...         Assignment(role="contributor", person="sam", node="csat", org_unit="sales",
    ...                    share=0.5),
    ...         Assignment(role="contributor", person="sue", node="csat", org_unit="service",
    ...                    share=0.3)])
    >>> print(shared_outcome_without_split(sc)[0].message)  # doctest: +NORMALIZE_WHITESPACE
    objective 'csat' company-wide is shared by 2 contributors (sam (sales) 0.5,
    sue (service) 0.3) whose shares add up to 0.8, 0.2 short of 1
    """
    _check_tolerance(tolerance)
    kinds = _kinds(scorecard)
    out: list[Finding] = []
    for (node, scope), assigned in _outcomes(scorecard).items():
        kind = kinds.get(node)
        contributors = [a for a in assigned if a.role is Role.CONTRIBUTOR]
        if kind not in ("objective", "indicator") or not contributors:
            continue
        given = [a.share for a in contributors if a.share is not None]
        missing = [a for a in contributors if a.share is None]
        total = math.fsum(given)
        gap = 1.0 - total
        off = bool(given) and abs(gap) > tolerance
        if not off and not (missing and len(contributors) > 1):
            continue
        listed = ", ".join(
            f"{_person(a, scope)} {'no share' if a.share is None else number(a.share)}"
            for a in contributors
        )
        head = (
            f"{kind} {node!r} {_where(scope)} is shared by {len(contributors)} "
            f"contributor{'s' if len(contributors) > 1 else ''} ({listed})"
        )
        if not given:
            message = f"{head} with no agreed split of responsibility"
            fix = "give each contributor assignment a share; the shares add up to 1"
        else:
            side = "short of" if gap > 0 else "over"
            message = (
                f"{head} whose shares add up to {number(total)}, {number(abs(gap))} {side} 1"
                + (f"; {len(missing)} without a share" if missing else "")
            )
            if len(missing) == 1 and 0 < gap <= 1:
                fix = f"give {missing[0].person} share {number(gap)}, or agree new shares"
            else:
                fix = f"agree shares for the contributors of {node!r} that add up to 1"
        units = _unique(u for u in (scope, *(a.org_unit for a in contributors)) if u is not None)
        out.append(
            Finding(
                rule="shared-outcome-without-split",
                severity=Severity.WARNING,
                message=message,
                nodes=(node,),
                org_units=units,
                fix=fix,
            )
        )
    return out


#: Rule name -> checker, in the order :func:`check_accountability` runs them.
ACCOUNTABILITY_RULES: Mapping[str, Callable[[Scorecard], list[Finding]]] = {
    "several-accountable-owners": several_accountable_owners,
    "shared-outcome-without-split": shared_outcome_without_split,
}


def check_accountability(
    scorecard: Scorecard,
    *,
    rules: Collection[str] | None = None,
    tolerance: float = DEFAULT_SHARE_TOLERANCE,
) -> list[Finding]:
    """Run the rules of :data:`ACCOUNTABILITY_RULES`.

    Parameters
    ----------
    scorecard
        The scorecard to check.
    rules
        Names of the rules to run (default: all), run in :data:`ACCOUNTABILITY_RULES` order.
    tolerance
        Passed to :func:`shared_outcome_without_split`.

    Returns
    -------
    list of Finding
        In rule order, then assignment order.

    Raises
    ------
    UnknownMethodError
        When ``rules`` names a rule that does not exist.

    Examples
    --------
    >>> from balanced_scorecard.model import Scorecard
    >>> check_accountability(Scorecard(id="empty"))
    []
    >>> check_accountability(Scorecard(id="empty"), rules=["several-owners"])
    Traceback (most recent call last):
    ...
    balanced_scorecard.exceptions.UnknownMethodError: unknown accountability rule ...
    """
    _check_tolerance(tolerance)
    wanted = select_rules(ACCOUNTABILITY_RULES, rules, "accountability")
    findings: list[Finding] = []
    if "several-accountable-owners" in wanted:
        findings.extend(several_accountable_owners(scorecard))
    if "shared-outcome-without-split" in wanted:
        findings.extend(shared_outcome_without_split(scorecard, tolerance=tolerance))
    return findings


# -- the RACI table ----------------------------------------------------------------------------


def raci(scorecard: Scorecard) -> pd.DataFrame:
    """Who is accountable, contributes, stewards and sponsors each outcome: a RACI table.

    One row per (node, owner scope) — see the module docstring — for every objective and
    indicator (with empty cells where nobody is assigned, so gaps show) and for the
    perspectives and initiatives that have assignments. Rows follow document order
    (objectives, indicators, perspectives, initiatives), the company-wide row of a node first,
    then its unit rows in the order their owners were assigned.

    Columns (see :data:`RACI_COLUMNS`): ``node``, ``kind``, ``org_unit`` (``""`` for
    company-wide), ``accountable`` (owners, comma-joined; more than one is a finding),
    ``contributors`` (``person (unit) share``, the unit shown when it differs from the row's,
    ``?`` for a missing share), ``share_total`` (the sum of the shares given, NaN when none),
    ``data_steward``, ``review_facilitator`` and ``executive_sponsor``.

    Examples
    --------
    >>> from balanced_scorecard.model import Assignment, Indicator, Objective, Scorecard
    >>> sc = Scorecard(id="demo",
    ...     objectives=[Objective(id="grow", perspective="financial")],
    ...     indicators=[Indicator(id="revenue", objective="grow")],
    ...     assignments=[Assignment(role="owner", person="cfo", node="grow"),
    ...                  Assignment(role="contributor", person="ann", node="grow", share=0.6),
    ...                  Assignment(role="contributor", person="bob", node="grow", share=0.4),
    ...                  Assignment(role="data_steward", person="dan", node="revenue")])
    >>> raci(sc)[["node", "accountable", "contributors", "share_total", "data_steward"]]
          node accountable        contributors  share_total data_steward
    0     grow         cfo  ann 0.6, bob 0.4          1.0
    1  revenue                                          NaN          dan
    """
    grouped = _outcomes(scorecard)
    by_node: dict[str, list[str | None]] = {}
    for node, scope in grouped:
        by_node.setdefault(node, []).append(scope)
    rows: list[tuple[object, ...]] = []
    for node, kind in _kinds(scorecard).items():
        scopes = by_node.get(node, [])
        if not scopes and kind not in ("objective", "indicator"):
            continue
        ordered = ([None] if None in scopes or not scopes else []) + [
            s for s in scopes if s is not None
        ]
        for scope in ordered:
            assigned = grouped.get((node, scope), [])

            contributors = [a for a in assigned if a.role is Role.CONTRIBUTOR]
            shares = [a.share for a in contributors if a.share is not None]
            rows.append(
                (
                    node,
                    kind,
                    "" if scope is None else scope,
                    _held(assigned, Role.OWNER, scope),
                    ", ".join(
                        f"{_person(a, scope)} {'?' if a.share is None else number(a.share)}"
                        for a in contributors
                    ),
                    math.fsum(shares) if shares else np.nan,
                    _held(assigned, Role.DATA_STEWARD, scope),
                    _held(assigned, Role.REVIEW_FACILITATOR, scope),
                    _held(assigned, Role.EXECUTIVE_SPONSOR, scope),
                )
            )
    frame = pd.DataFrame(rows, columns=list(RACI_COLUMNS))
    text = [c for c in RACI_COLUMNS if c != "share_total"]
    return frame.astype(dict.fromkeys(text, str) | {"share_total": float})
