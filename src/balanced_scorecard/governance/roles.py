"""Governance roles: who owns, stewards, facilitates and sponsors each part of a scorecard.

The roles themselves are :class:`~balanced_scorecard.model.people.Role` values held through
the scorecard's ``assignments``. This module checks their *coverage* (the rules of
:data:`GOVERNANCE_RULES`, returning the same
:class:`~balanced_scorecard.algorithms.findings.Finding` objects as the design linter) and
lays the assignments out as one table, :func:`role_matrix`.

Owner coverage is the linter's business (``indicator-without-owner`` and
``objective-without-owner`` in :mod:`~balanced_scorecard.algorithms.structure`); the rules
here add what governance needs on top: a data steward for every strategic indicator and a
review facilitator for every objective.

A role held company-wide (an assignment without ``org_unit``) covers every unit; a node of an
org unit's own scorecard (its objective has an ``org_unit``) is also covered by an assignment
in that unit.

Examples
--------
>>> from balanced_scorecard.model import Assignment, Indicator, Objective, Scorecard
>>> sc = Scorecard(id="demo",
...     objectives=[Objective(id="grow", perspective="financial")],
...     indicators=[Indicator(id="revenue", objective="grow", tier="strategic")],
...     assignments=[Assignment(role="owner", person="cfo", node="revenue")])
>>> [f.rule for f in check_governance(sc)]
['strategic-indicator-without-steward', 'objective-without-facilitator']
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from typing import TYPE_CHECKING

import pandas as pd

from balanced_scorecard._suggest import did_you_mean
from balanced_scorecard.algorithms.findings import Finding, Severity, select_rules
from balanced_scorecard.exceptions import ModelError
from balanced_scorecard.model.enums import Tier
from balanced_scorecard.model.people import Role

if TYPE_CHECKING:
    from balanced_scorecard.model.scorecard import Scorecard

__all__ = [
    "GOVERNANCE_RULES",
    "ROLE_MATRIX_COLUMNS",
    "check_governance",
    "objective_without_facilitator",
    "parse_role",
    "role_matrix",
    "strategic_indicator_without_steward",
]

#: Columns of :func:`role_matrix`: the node, its kind and tier, the scope, then one column per
#: :class:`~balanced_scorecard.model.people.Role` (people comma-joined).
ROLE_MATRIX_COLUMNS = ("node", "kind", "tier", "org_unit", *(r.value for r in Role))


def parse_role(value: Role | str) -> Role:
    """A :class:`~balanced_scorecard.model.people.Role` from its value (``"data_steward"``),
    with a did-you-mean error for anything else.

    Raises
    ------
    ModelError
        When ``value`` names no role; the message lists the roles.

    Examples
    --------
    >>> parse_role("owner")
    <Role.OWNER: 'owner'>
    >>> parse_role("data steward")
    <Role.DATA_STEWARD: 'data_steward'>
    >>> parse_role("ownr")
    Traceback (most recent call last):
    ...
    balanced_scorecard.exceptions.ModelError: unknown role 'ownr'; ... Did you mean 'owner'?
    """
    if isinstance(value, Role):
        return value
    text = str(value).strip().lower().replace(" ", "_").replace("-", "_")
    try:
        return Role(text)
    except ValueError:
        choices = [r.value for r in Role]
        raise ModelError(
            f"unknown role {value!r}; choose one of {', '.join(choices)}."
            + did_you_mean(text, choices)
        ) from None


def _covered(scorecard: Scorecard, role: Role) -> set[str]:
    """Nodes that have ``role`` company-wide or in the org unit whose scorecard holds them."""
    home = scorecard.home_units
    return {
        a.node
        for a in scorecard.assignments
        if a.role is role and (a.org_unit is None or a.org_unit == home.get(a.node))
    }


def _partial(scorecard: Scorecard, node: str, role: Role) -> tuple[str, ...]:
    return tuple(
        dict.fromkeys(
            a.org_unit
            for a in scorecard.assignments
            if a.node == node and a.role is role and a.org_unit is not None
        )
    )


def strategic_indicator_without_steward(scorecard: Scorecard) -> list[Finding]:
    """Strategic indicators (``tier: strategic``) without a data steward, on the indicator
    or on its objective (an objective's steward answers for its indicators' data unless
    they name their own).

    The steward answers for the data behind a number the executive team steers by: its
    source, its definition and its quality. Severity ``warning``.

    Examples
    --------
    >>> from balanced_scorecard.model import Indicator, Objective, Scorecard
    >>> sc = Scorecard(id="d", objectives=[Objective(id="g", perspective="financial")],
    ...                indicators=[Indicator(id="rev", objective="g", tier="strategic"),
    ...                            Indicator(id="calls", objective="g")])
    >>> [f.nodes for f in strategic_indicator_without_steward(sc)]
    [('rev',)]
    """
    covered = _covered(scorecard, Role.DATA_STEWARD)
    out: list[Finding] = []
    for ind in scorecard.indicators:
        if ind.tier is not Tier.STRATEGIC or ind.id in covered or ind.objective in covered:
            continue
        units = _partial(scorecard, ind.id, Role.DATA_STEWARD)
        where = f" (it has stewards only in org unit(s) {', '.join(units)})" if units else ""
        owners = scorecard.people(ind.id, Role.OWNER)
        fix = f"assign a data_steward to {ind.id!r}"
        if owners:
            fix += f"; its owner {owners[0]} can name one"
        out.append(
            Finding(
                rule="strategic-indicator-without-steward",
                severity=Severity.WARNING,
                message=f"strategic indicator {ind.id!r} has no data steward{where}; nobody "
                "answers for the source, definition and quality of its data",
                nodes=(ind.id,),
                org_units=units,
                fix=fix,
            )
        )
    return out


def objective_without_facilitator(scorecard: Scorecard) -> list[Finding]:
    """Objectives whose review nobody facilitates: no ``review_facilitator`` on the objective
    nor on its perspective. Severity ``info``.

    Examples
    --------
    >>> from balanced_scorecard.model import Assignment, Objective, Scorecard
    >>> sc = Scorecard(id="d",
    ...     objectives=[Objective(id="grow", perspective="financial"),
    ...                 Objective(id="loyal", perspective="customer")],
    ...     assignments=[Assignment(role="review_facilitator", person="pmo",
    ...                             node="financial")])
    >>> [f.nodes for f in objective_without_facilitator(sc)]
    [('loyal',)]
    """
    covered = _covered(scorecard, Role.REVIEW_FACILITATOR)
    covered |= {
        a.node
        for a in scorecard.assignments
        if a.role is Role.REVIEW_FACILITATOR and a.org_unit is None
    }
    return [
        Finding(
            rule="objective-without-facilitator",
            severity=Severity.INFO,
            message=f"objective {o.id!r} has no review facilitator (neither it nor its "
            f"perspective {o.perspective!r}); nobody prepares its review or chases the "
            "commentary",
            nodes=(o.id,),
            fix=f"assign a review_facilitator to {o.id!r} or to perspective {o.perspective!r}",
        )
        for o in scorecard.objectives
        if o.id not in covered and o.perspective not in covered
    ]


#: The governance coverage rules by name, in the order :func:`check_governance` runs them.
GOVERNANCE_RULES: Mapping[str, Callable[[Scorecard], list[Finding]]] = {
    "strategic-indicator-without-steward": strategic_indicator_without_steward,
    "objective-without-facilitator": objective_without_facilitator,
}


def check_governance(
    scorecard: Scorecard, *, rules: Collection[str] | str | None = None
) -> list[Finding]:
    """Run the rules of :data:`GOVERNANCE_RULES`.

    Parameters
    ----------
    scorecard
        The scorecard to check.
    rules
        Names of the rules to run (default: all), run in :data:`GOVERNANCE_RULES` order.

    Returns
    -------
    list of Finding
        In rule order, then document order.

    Raises
    ------
    UnknownMethodError
        When ``rules`` names a rule that does not exist.

    Examples
    --------
    >>> from balanced_scorecard.model import Scorecard
    >>> check_governance(Scorecard(id="empty"))
    []
    >>> check_governance(Scorecard(id="empty"), rules=["objective-without-facilitators"])
    Traceback (most recent call last):
    ...
    balanced_scorecard.exceptions.UnknownMethodError: unknown governance rule ...
    """
    findings: list[Finding] = []
    for name in select_rules(GOVERNANCE_RULES, rules, "governance"):
        findings.extend(GOVERNANCE_RULES[name](scorecard))
    return findings


def _nodes(scorecard: Scorecard) -> pd.DataFrame:
    """Every node in document order with its kind and tier."""
    rows: list[tuple[str, str, str]] = [(p.id, "perspective", "") for p in scorecard.perspectives]
    rows += [(o.id, "objective", o.tier.value) for o in scorecard.objectives]
    rows += [(i.id, "indicator", i.tier.value) for i in scorecard.indicators]
    rows += [(x.id, "initiative", "") for x in scorecard.initiatives]
    return pd.DataFrame(rows, columns=["node", "kind", "tier"])


def role_matrix(scorecard: Scorecard) -> pd.DataFrame:
    """Who holds which governance role for each node: node × role → people.

    One row per node and scope: the company-wide row (``org_unit`` empty) of every objective
    and indicator, present even when nobody is assigned so gaps show, and one row per org unit
    that has an assignment of its own; perspectives and initiatives only where someone is
    assigned. Rows follow document order (perspectives, objectives, indicators, initiatives),
    company-wide first. Each role column holds the people, comma-joined, in assignment order.

    Returns
    -------
    DataFrame
        Columns :data:`ROLE_MATRIX_COLUMNS`, all text.

    Examples
    --------
    >>> from balanced_scorecard.model import Assignment, Indicator, Objective, Scorecard
    >>> sc = Scorecard(id="d",
    ...     objectives=[Objective(id="grow", perspective="financial")],
    ...     indicators=[Indicator(id="revenue", objective="grow", tier="strategic")],
    ...     assignments=[Assignment(role="owner", person="cfo", node="revenue"),
    ...                  Assignment(role="data_steward", person="dan", node="revenue"),
    ...                  Assignment(role="owner", person="ann", node="revenue",
    ...                             org_unit="all")])
    >>> role_matrix(sc)[["node", "tier", "org_unit", "owner", "data_steward"]]
          node       tier org_unit owner data_steward
    0     grow  strategic
    1  revenue  strategic            cfo          dan
    2  revenue  strategic      all   ann
    """
    nodes = _nodes(scorecard)
    held = pd.DataFrame(
        [
            (a.node, "" if a.org_unit is None else a.org_unit, a.role.value, a.person)
            for a in scorecard.assignments
        ],
        columns=["node", "org_unit", "role", "person"],
    )
    base = nodes[nodes["kind"].isin(["objective", "indicator"])].assign(org_unit="")
    scopes = held[["node", "org_unit"]].drop_duplicates().merge(nodes, on="node", how="inner")
    rows = pd.concat([base, scopes], ignore_index=True).drop_duplicates(["node", "org_unit"])
    order = {n: k for k, n in enumerate(nodes["node"])}
    rows = rows.assign(
        _doc=rows["node"].map(order), _scope=(rows["org_unit"] != "").astype(int)
    ).sort_values(["_doc", "_scope"], kind="stable")
    people = held.pivot_table(
        index=["node", "org_unit"],
        columns="role",
        values="person",
        aggfunc=lambda s: ", ".join(dict.fromkeys(s)),
        fill_value="",
        sort=False,
    ).reindex(columns=[r.value for r in Role], fill_value="")
    out = rows[["node", "kind", "tier", "org_unit"]].merge(
        people, left_on=["node", "org_unit"], right_index=True, how="left"
    )
    out = out[list(ROLE_MATRIX_COLUMNS)].astype(object)
    # Rows of nodes nobody is assigned to come out of the merge empty.
    return out.where(out.notna(), "").astype(str).reset_index(drop=True)
