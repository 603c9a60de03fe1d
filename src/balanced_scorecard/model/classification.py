"""Data classification: how sensitive each indicator's values are, and who may see what.

A source classifies its fields (:attr:`DataSource.classification` for all of them,
:attr:`DataSource.fields` per column). An indicator's values are as sensitive as the most
sensitive field whose content feeds them, and a calculated indicator as its most sensitive
input, unless the indicator sets :attr:`Indicator.classification` itself. An
:class:`OutputPolicy` says, per role, the most sensitive classification that may reach an
output; personal data never does. :mod:`balanced_scorecard.redaction` enforces the policy on
evaluations before anything is rendered.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import TYPE_CHECKING, Any

import attrs

from balanced_scorecard._suggest import did_you_mean
from balanced_scorecard.exceptions import ModelError
from balanced_scorecard.model.enums import Classification, to_classification
from balanced_scorecard.model.people import Role

if TYPE_CHECKING:
    from balanced_scorecard.model.scorecard import Scorecard
    from balanced_scorecard.model.sources import DataSource

__all__ = [
    "UNDECLARED",
    "OutputPolicy",
    "effective_classifications",
    "feeding_fields",
    "source_classification",
    "to_role",
]

#: The classification of data from a source the definition does not declare (a frame handed
#: to ``evaluate``), the same as a declared source's default.
UNDECLARED = Classification.INTERNAL

# Fact-mapping transforms whose result is made of the value column's content; ``count`` and
# ``distinct`` only count rows or different values.
_CONTENT_TRANSFORMS = ("sum", "mean", "min", "max", "ratio")


def to_role(value: object) -> Role:
    """A :class:`Role` from a member or its name, with a did-you-mean for a misspelling.

    Examples
    --------
    >>> to_role("executive_sponsor")
    <Role.EXECUTIVE_SPONSOR: 'executive_sponsor'>
    >>> to_role("exec_sponsor")
    Traceback (most recent call last):
    ...
    balanced_scorecard.exceptions.ModelError: unknown role 'exec_sponsor'. Did you mean ...
    """
    if isinstance(value, Role):
        return value
    text = str(value).strip().lower()
    try:
        return Role(text)
    except ValueError:
        names = [r.value for r in Role]
        raise ModelError(
            f"unknown role {value!r}.{did_you_mean(text, names)} Roles: {', '.join(names)}"
        ) from None


def _ceilings(value: Any) -> tuple[tuple[Role, Classification], ...]:
    if value is None:
        return ()
    items = value.items() if isinstance(value, Mapping) else value
    pairs = {to_role(k): to_classification(v) for k, v in items}
    order = list(Role)
    return tuple(sorted(pairs.items(), key=lambda kv: order.index(kv[0])))


@attrs.frozen(kw_only=True)
class OutputPolicy:
    """Which classifications of data may reach the output shown to each role.

    Parameters
    ----------
    default
        The most sensitive classification anyone may see, and the one that applies when no
        role is given: ``internal`` (public and internal data) unless set.
    roles
        Per role, its own ceiling instead of ``default`` (``{"executive_sponsor":
        "confidential"}``); a ceiling may also be lower (``{"contributor": "public"}``).

    Personal data is never shown to anyone: a ceiling of ``personal`` is refused.

    Examples
    --------
    >>> policy = OutputPolicy(roles={"executive_sponsor": "confidential"})
    >>> [policy.ceiling(role).value for role in ("executive_sponsor", "owner", None)]
    ['confidential', 'internal', 'internal']
    >>> policy.allows("confidential", "owner"), policy.allows("personal", "executive_sponsor")
    (False, False)
    >>> OutputPolicy(roles={"owner": "personal"})
    Traceback (most recent call last):
    ...
    balanced_scorecard.exceptions.ModelError: output policy: role 'owner' is given ceiling ...
    """

    default: Classification = attrs.field(
        default=Classification.INTERNAL, converter=to_classification
    )
    roles: tuple[tuple[Role, Classification], ...] = attrs.field(default=(), converter=_ceilings)

    def __attrs_post_init__(self) -> None:
        given = [("the default", self.default)] + [(f"role {r.value!r}", c) for r, c in self.roles]
        for who, ceiling in given:
            if ceiling is Classification.PERSONAL:
                raise ModelError(
                    f"output policy: {who} is given ceiling 'personal', but personal data is "
                    "never rendered; the highest ceiling is 'confidential'"
                )

    def ceiling(self, role: Role | str | None = None) -> Classification:
        """The most sensitive classification ``role`` may see (``None``: no role given)."""
        if role is None:
            return self.default
        return dict(self.roles).get(to_role(role), self.default)

    def allows(self, classification: Classification | str, role: Role | str | None = None) -> bool:
        """Whether data of ``classification`` may be shown to ``role``."""
        return to_classification(classification) <= self.ceiling(role)


def feeding_fields(source: DataSource, indicator: str | None = None) -> tuple[str, ...]:
    """The fields of ``source`` whose content becomes the values of ``indicator``.

    With a fact mapping: the ``value`` column of the indicator's rule (of every rule when
    ``indicator`` is ``None``) when the rule sums, averages or takes a minimum, maximum or
    ratio of it, and every column the rule or the mapping filters on (a sum filtered to one
    employee's name is about that employee); a count or distinct count reads no field's
    content. Otherwise (a long observation source): the column that becomes ``value``, and
    those that become ``numerator`` and ``denominator`` when the source's ``columns``
    option or ``fields`` names them.

    Examples
    --------
    >>> from balanced_scorecard.model import DataSource
    >>> feeding_fields(DataSource(id="obs", uri="obs.csv"))
    ('value',)
    >>> feeding_fields(DataSource(id="hr", uri="sqlite:///hr.db",
    ...                           options={"columns": {"salary": "value"}}))
    ('salary',)
    >>> hr = DataSource(id="hr", uri="hr.csv", mapping={"date": "month", "org_unit": "team",
    ...     "rules": [{"indicator": "ann_pay", "transform": "sum", "value": "salary",
    ...                "where": {"employee_name": "Ann Lee"}}]})
    >>> feeding_fields(hr, "ann_pay")
    ('salary', 'employee_name')
    """
    mapping = source.mapping
    if mapping is not None:
        rules = [r for r in mapping.rules if indicator is None or r.indicator == indicator]
        names = [str(r.value) for r in rules if r.value and r.transform in _CONTENT_TRANSFORMS]
        if rules:
            names += [c.column for r in rules for c in (*r.where, *r.numerator)]
            names += [c.column for c in mapping.where]
        return tuple(dict.fromkeys(names))
    renames = source.kwargs.get("columns") or {}
    named = dict(source.fields)
    out = []
    for column in ("value", "numerator", "denominator"):
        fed = [str(k) for k, v in renames.items() if v == column]
        if fed:
            out.extend(fed)
        elif column == "value" or column in named:
            out.append(column)
    return tuple(out)


def source_classification(source: DataSource, indicator: str | None = None) -> Classification:
    """How sensitive the values ``source`` gives ``indicator`` are: the most sensitive of
    its :func:`feeding_fields`, or the source's own classification when no field's content
    feeds them.

    Examples
    --------
    >>> from balanced_scorecard.model import DataSource
    >>> hr = DataSource(id="hr", uri="sqlite:///hr.db", fields={"salary": "confidential"},
    ...                 options={"columns": {"salary": "value"}})
    >>> source_classification(hr)
    <Classification.CONFIDENTIAL: 'confidential'>
    """
    fields = feeding_fields(source, indicator)
    if not fields:
        return source.classification
    return max(source.field_classification(f) for f in fields)


def effective_classifications(
    scorecard: Scorecard, *, fed_by: Mapping[str, Collection[str]] | None = None
) -> dict[str, Classification]:
    """The classification of every indicator's values, by indicator id.

    An indicator's own :attr:`~Indicator.classification` wins. Otherwise it is the most
    sensitive of what feeds it: the value fields of its sources and, for a calculated
    indicator, the effective classifications of its formula's inputs. Data from no declared
    source counts as :data:`UNDECLARED` (internal).

    Parameters
    ----------
    scorecard
        The definition.
    fed_by
        Per indicator id, the ids of the sources that gave it values (an evaluation knows
        them). Without it, every declared source is taken to feed every indicator, except
        that a source with a fact mapping feeds only the indicators it has rules for.

    Examples
    --------
    >>> from balanced_scorecard.model import DataSource, Indicator, Objective, Scorecard
    >>> sc = Scorecard(
    ...     id="hr",
    ...     objectives=[Objective(id="people", perspective="learning_growth")],
    ...     indicators=[
    ...         Indicator(id="payroll", objective="people"),
    ...         Indicator(id="headcount", objective="people"),
    ...         Indicator(id="avg_pay", objective="people", formula="payroll / headcount"),
    ...         Indicator(id="fte_share", objective="people", classification="public"),
    ...     ],
    ...     sources=[
    ...         DataSource(id="payroll", uri="payroll.csv", classification="confidential"),
    ...         DataSource(id="staff", uri="staff.csv"),
    ...     ],
    ... )
    >>> fed = {"payroll": ["payroll"], "headcount": ["staff"]}
    >>> for ind, cls in effective_classifications(sc, fed_by=fed).items():
    ...     print(ind, cls.value)
    payroll confidential
    headcount internal
    avg_pay confidential
    fte_share public
    """
    sources = {s.id: s for s in scorecard.sources}
    by_id = {i.id: i for i in scorecard.indicators}
    out: dict[str, Classification] = {}

    def feeding(ind_id: str) -> list[Classification]:
        if fed_by is not None:
            names = fed_by.get(ind_id, ())
            return [
                source_classification(sources[n], ind_id) if n in sources else UNDECLARED
                for n in names
            ]
        found = []
        for s in scorecard.sources:
            mapping = s.mapping
            if mapping is None or any(r.indicator == ind_id for r in mapping.rules):
                found.append(source_classification(s, ind_id))
        return found

    def resolve(ind_id: str) -> Classification:
        if ind_id in out:
            return out[ind_id]
        ind = by_id[ind_id]
        if ind.classification is not None:
            out[ind_id] = ind.classification
            return ind.classification
        found = feeding(ind_id)
        if ind.formula is not None:
            from balanced_scorecard.formulas import parse_formula

            # Formulas are acyclic (the Scorecard checks), so the recursion ends.
            found += [resolve(n) for n in parse_formula(ind.formula).names if n in by_id]
        out[ind_id] = max(found, default=UNDECLARED)
        return out[ind_id]

    for ind in scorecard.indicators:
        resolve(ind.id)
    return {i.id: out[i.id] for i in scorecard.indicators}
