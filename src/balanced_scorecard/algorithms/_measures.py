"""Measure identity: which indicators are one measure under different ids, and the
``redundant-indicator`` and ``conflicting-polarity`` rules that read it.

Two indicators are one measure when they share a unit and a normalised formula or a fact
mapping rule (:func:`measure_groups`). Part of :mod:`~balanced_scorecard.algorithms.alignment`,
which re-exports everything public here.
"""

from __future__ import annotations

import ast
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from balanced_scorecard.algorithms._cascade import indicator_units
from balanced_scorecard.algorithms._finding_text import finding, names
from balanced_scorecard.algorithms.findings import Finding, Severity
from balanced_scorecard.model.enums import Polarity

if TYPE_CHECKING:
    from balanced_scorecard.model.scorecard import Scorecard

__all__ = ["conflicting_polarity", "measure_groups", "redundant_indicator"]


class _Canonical(ast.NodeTransformer):
    """Sort the operands of ``+`` and ``*`` chains and write every number as a float, so
    ``b + a`` and ``a+b`` and ``(a + b) * 100.0`` and ``100 * (b + a)`` compare equal."""

    def visit_Constant(self, node: ast.Constant) -> ast.AST:
        if isinstance(node.value, int | float) and not isinstance(node.value, bool):
            return ast.Constant(value=float(node.value))
        return node

    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
        self.generic_visit(node)
        if not isinstance(node.op, ast.Add | ast.Mult):
            return node
        terms: list[ast.expr] = []

        def flatten(n: ast.expr) -> None:
            if isinstance(n, ast.BinOp) and type(n.op) is type(node.op):
                flatten(n.left)
                flatten(n.right)
            else:
                terms.append(n)

        flatten(node)
        terms.sort(key=ast.dump)
        out = terms[0]
        for t in terms[1:]:
            out = ast.BinOp(left=out, op=type(node.op)(), right=t)
        return out


def _formula_key(formula: str) -> str:
    tree = ast.parse(formula.strip(), mode="eval")
    return ast.dump(_Canonical().visit(tree))


def _conditions_key(conditions: Sequence[Any]) -> tuple[tuple[str, str, str], ...]:
    return tuple(sorted((c.column, c.op, repr(c.value)) for c in conditions))


def _identity_keys(scorecard: Scorecard) -> dict[str, list[tuple[Any, ...]]]:
    """Every indicator's measure identities: its normalised formula, its source rules."""
    keys: dict[str, list[tuple[Any, ...]]] = {i.id: [] for i in scorecard.indicators}
    unit = {i.id: i.unit for i in scorecard.indicators}
    for ind in scorecard.indicators:
        if ind.formula is not None:
            keys[ind.id].append(("formula", _formula_key(ind.formula), ind.unit))
    for src in scorecard.sources:
        if src.mapping is None:
            continue
        common = _conditions_key(src.mapping.where)
        for rule in src.mapping.rules:
            if rule.indicator not in keys:
                continue
            keys[rule.indicator].append(
                (
                    "mapping",
                    src.id,
                    rule.transform,
                    rule.value,
                    _conditions_key(rule.where),
                    _conditions_key(rule.numerator),
                    common,
                    rule.unit,
                    unit[rule.indicator],
                )
            )
    return keys


def measure_groups(scorecard: Scorecard) -> list[tuple[str, ...]]:
    """Indicators that are one measure under different ids, each group in document order.

    Two indicators are the same measure when they have the same unit and either the same
    formula (compared as parsed expressions: spacing, redundant parentheses, the order of
    ``+`` and ``*`` operands and ``100`` vs ``100.0`` do not matter) or the same rule in the
    same source's fact mapping (transform, value column, filters, numerator and the
    source-wide filter). Sameness is transitive: groups are the connected components.
    Indicators built from one catalogue ``template:`` with a formula are found through it;
    the template's name itself is not kept by the model.

    Examples
    --------
    >>> from balanced_scorecard.model import Indicator, Objective, Scorecard
    >>> sc = Scorecard(id="demo", objectives=[Objective(id="o", perspective="financial")],
    ...     indicators=[Indicator(id="a", objective="o"), Indicator(id="b", objective="o"),
    ...                 Indicator(id="m1", objective="o", formula="(a+b) * 100"),
    ...                 Indicator(id="m2", objective="o", formula="100 * (b + a)")])
    >>> measure_groups(sc)
    [('m1', 'm2')]
    """
    first: dict[tuple[Any, ...], str] = {}
    parent: dict[str, str] = {i.id: i.id for i in scorecard.indicators}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for ind_id, keys in _identity_keys(scorecard).items():
        for key in keys:
            other = first.setdefault(key, ind_id)
            a, b = find(other), find(ind_id)
            if a != b:
                parent[b] = a
    groups: dict[str, list[str]] = {}
    for ind in scorecard.indicators:
        groups.setdefault(find(ind.id), []).append(ind.id)
    return [tuple(g) for g in groups.values() if len(g) > 1]


def redundant_indicator(scorecard: Scorecard) -> list[Finding]:
    """The same measure defined under several ids (see :func:`measure_groups`), once per group.

    When two of a group sit on objectives of the same org unit the measure is counted twice
    in that unit's rollup: a warning naming the unit. Otherwise (one id per unit, e.g. each
    level of a cascade defining its own copy) the same numbers are kept twice: information.

    Examples
    --------
    >>> from balanced_scorecard.model import Indicator, Objective, Scorecard
    >>> sc = Scorecard(id="demo", objectives=[Objective(id="o", perspective="financial")],
    ...     indicators=[Indicator(id="a", objective="o"), Indicator(id="b", objective="o"),
    ...                 Indicator(id="m1", objective="o", formula="a / b"),
    ...                 Indicator(id="m2", objective="o", formula="a/b")])
    >>> f = redundant_indicator(sc)[0]
    >>> f.severity, f.nodes, f.org_units
    (<Severity.WARNING: 'warning'>, ('m1', 'm2'), ('all',))
    """
    unit_of = indicator_units(scorecard)
    keys = _identity_keys(scorecard)
    out: list[Finding] = []
    for group in measure_groups(scorecard):
        by_unit: dict[str, list[str]] = {}
        for ind in group:
            by_unit.setdefault(unit_of[ind], []).append(ind)
        twice = {u: ids for u, ids in by_unit.items() if len(ids) > 1}
        kinds = {k[0] for x in group for k in keys[x]}
        how = " or ".join(sorted(kind.replace("mapping", "source rule") for kind in kinds))
        where = "; ".join(f"{names(ids)} in {u!r}" for u, ids in by_unit.items())
        message = (
            f"indicators {names(group)} are one measure (same {how} and unit "
            f"{scorecard.indicator(group[0]).unit!r}) defined under {len(group)} ids: {where}"
        )
        if twice:
            message += "; measured twice at one level in " + names(list(twice))
            fix = (
                f"keep one of {names(group)} per org unit and remove the others, or change "
                "their definitions if they are meant to measure different things"
            )
        else:
            fix = (
                f"measure it once with {group[0]!r} (its values come per org unit from the data), "
                "or give each copy the filter that makes it different"
            )
        out.append(
            finding(
                "redundant-indicator",
                message,
                group,
                fix,
                org_units=list(twice) if twice else list(by_unit),
                severity=Severity.WARNING if twice else Severity.INFO,
            )
        )
    return out


def conflicting_polarity(scorecard: Scorecard) -> list[Finding]:
    """One measure (see :func:`measure_groups`) judged good in opposite directions.

    An error when one id is ``higher_better`` and another ``lower_better``: one unit is
    rewarded for what another is penalised for. A warning when one is ``in_range`` and
    another directional. One finding per group.

    Examples
    --------
    >>> from balanced_scorecard.model import Indicator, Objective, Scorecard
    >>> sc = Scorecard(id="demo", objectives=[Objective(id="o", perspective="financial")],
    ...     indicators=[Indicator(id="a", objective="o"), Indicator(id="b", objective="o"),
    ...                 Indicator(id="m1", objective="o", formula="a - b"),
    ...                 Indicator(id="m2", objective="o", formula="a - b",
    ...                           polarity="lower_better")])
    >>> conflicting_polarity(sc)[0].severity
    <Severity.ERROR: 'error'>
    """
    unit_of = indicator_units(scorecard)
    out: list[Finding] = []
    for group in measure_groups(scorecard):
        inds = [scorecard.indicator(x) for x in group]
        polarities = {i.polarity for i in inds}
        if len(polarities) < 2:
            continue
        opposite = {Polarity.HIGHER_BETTER, Polarity.LOWER_BETTER} <= polarities
        listing = ", ".join(f"{i.id!r} ({unit_of[i.id]}) {i.polarity.value}" for i in inds)
        out.append(
            finding(
                "conflicting-polarity",
                f"indicators {names(group)} are one measure but disagree on which direction "
                f"is good: {listing}"
                + ("; one unit is rewarded for what another is penalised for" if opposite else ""),
                group,
                "agree on one polarity for the measure and set it on every id",
                org_units=list(dict.fromkeys(unit_of[x] for x in group)),
                severity=Severity.ERROR if opposite else Severity.WARNING,
            )
        )
    return out
