"""Data classification: how sensitive each indicator's values are, and who may see what.

A source classifies its fields (:attr:`DataSource.classification` for all of them,
:attr:`DataSource.fields` per column). An indicator's values are as sensitive as the most
sensitive field whose content feeds them, and a calculated indicator as its most sensitive
input, unless the indicator sets :attr:`Indicator.classification` itself. An
:class:`OutputPolicy` says, per role, the most sensitive classification that may reach an
output; personal data never does. A :class:`RoleView` in the policy's ``views`` narrows what
one role sees further: which org subtrees, perspectives and tiers.
:mod:`balanced_scorecard.redaction` enforces the policy on evaluations before anything is
rendered.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from typing import TYPE_CHECKING, Any

import attrs

from balanced_scorecard._suggest import did_you_mean
from balanced_scorecard.exceptions import DefinitionError, ModelError, Problem
from balanced_scorecard.model.enums import Classification, Tier, to_classification
from balanced_scorecard.model.people import Role

if TYPE_CHECKING:
    from balanced_scorecard.model.scorecard import Scorecard
    from balanced_scorecard.model.sources import DataSource

__all__ = [
    "UNDECLARED",
    "OutputPolicy",
    "RoleView",
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


def _ids(value: Any, what: str) -> tuple[str, ...] | None:
    """A tuple of distinct ids (``None`` stays ``None``: no restriction)."""
    if value is None:
        return None
    items = [value] if isinstance(value, str) else list(value)
    if not all(isinstance(v, str) and v.strip() for v in items):
        raise ModelError(f"{what} must be a list of ids; got {value!r}")
    return tuple(dict.fromkeys(v.strip() for v in items))


def _unit_ids(value: Any) -> tuple[str, ...] | None:
    return _ids(value, "org_units")


def _perspective_ids(value: Any) -> tuple[str, ...] | None:
    return _ids(value, "perspectives")


def _role_name(value: Any) -> str:
    return str(getattr(value, "value", value)).strip().lower()


def _tiers(value: Any) -> tuple[Tier, ...] | None:
    names = _ids(value, "tiers")
    if names is None:
        return None
    out = []
    for name in names:
        try:
            out.append(Tier(name.lower()))
        except ValueError:
            known = [t.value for t in Tier]
            raise ModelError(
                f"unknown tier {name!r}.{did_you_mean(name, known)} Tiers: {', '.join(known)}"
            ) from None
    return tuple(dict.fromkeys(out))


def _ceiling_or_none(value: Any) -> Classification | None:
    return None if value is None else to_classification(value)


@attrs.frozen(kw_only=True)
class RoleView:
    """What one role may see of a scorecard: org subtrees, perspectives and tiers.

    Parameters
    ----------
    role
        The role's name: a governance role (``owner``) or one of the organisation's own
        (``bu_north_manager``).
    org_units
        Unit ids; each means the unit and every unit below it. ``None`` (default): all.
    perspectives
        Perspective ids. ``None``: all.
    tiers
        ``strategic`` and/or ``operational``: the tiers of the indicators shown. ``None``:
        both.
    ceiling
        The most sensitive classification the role may see (``None``: the ceiling the
        policy's ``roles`` give a governance role of this name, else the default).
    disclose_hidden
        Whether the role may know that a score it sees includes items it cannot see: then
        the view's ``notes`` say, per parent, "includes N items outside your view". Off by
        default, so that not even the number of hidden items is disclosed.

    Examples
    --------
    >>> view = RoleView(role="bu_north_manager", org_units=["north"], tiers=["operational"])
    >>> view.org_units, [t.value for t in view.tiers], view.restricts
    (('north',), ['operational'], True)
    >>> RoleView(role="x", tiers=["tactical"])
    Traceback (most recent call last):
    ...
    balanced_scorecard.exceptions.ModelError: unknown tier 'tactical'. ...
    """

    role: str = attrs.field(converter=_role_name)
    org_units: tuple[str, ...] | None = attrs.field(default=None, converter=_unit_ids)
    perspectives: tuple[str, ...] | None = attrs.field(default=None, converter=_perspective_ids)
    tiers: tuple[Tier, ...] | None = attrs.field(default=None, converter=_tiers)
    ceiling: Classification | None = attrs.field(default=None, converter=_ceiling_or_none)
    disclose_hidden: bool = attrs.field(default=False, converter=bool)

    def __attrs_post_init__(self) -> None:
        if not self.role:
            raise ModelError("a role view needs a role name")
        if self.ceiling is Classification.PERSONAL:
            raise ModelError(
                f"role view {self.role!r}: ceiling 'personal' is refused, personal data is "
                "never rendered; the highest ceiling is 'confidential'"
            )
        for what in ("org_units", "perspectives", "tiers"):
            if getattr(self, what) == ():
                raise ModelError(
                    f"role view {self.role!r}: {what} is empty, so the role would see nothing; "
                    f"list what it may see, or leave {what} out for all"
                )

    @property
    def restricts(self) -> bool:
        """Whether the view hides any unit, perspective or tier."""
        return any(x is not None for x in (self.org_units, self.perspectives, self.tiers))

    def to_dict(self) -> dict[str, Any]:
        """The entry as a definition file holds it (under ``output_policy.views``)."""
        out: dict[str, Any] = {}
        for what in ("org_units", "perspectives"):
            if getattr(self, what) is not None:
                out[what] = list(getattr(self, what))
        if self.tiers is not None:
            out["tiers"] = [t.value for t in self.tiers]
        if self.ceiling is not None:
            out["ceiling"] = self.ceiling.value
        if self.disclose_hidden:
            out["disclose_hidden"] = True
        return out


def _views(value: Any) -> tuple[RoleView, ...]:
    if value is None:
        return ()
    if isinstance(value, Mapping):
        items: Iterable[Any] = []
        built = []
        for name, spec in value.items():
            if isinstance(spec, RoleView):
                built.append(attrs.evolve(spec, role=name))
            elif isinstance(spec, Mapping):
                unknown = sorted(set(spec) - _VIEW_KEYS)
                if unknown:
                    raise ModelError(
                        f"role view {name!r}: unknown key {unknown[0]!r}."
                        f"{did_you_mean(unknown[0], _VIEW_KEYS)} "
                        f"Keys: {', '.join(sorted(_VIEW_KEYS))}"
                    )
                try:
                    built.append(RoleView(role=name, **spec))
                except ModelError as exc:
                    msg = str(exc)
                    raise ModelError(
                        msg if msg.startswith("role view") else f"role view {name!r}: {msg}"
                    ) from None
            else:
                raise ModelError(
                    f"role view {name!r} must be a mapping such as {{org_units: [north], "
                    f"perspectives: [customer], tiers: [operational]}}; got {spec!r}"
                )
        items = built
    else:
        items = [v if isinstance(v, RoleView) else RoleView(**v) for v in value]
    views = tuple(items)
    names = [v.role for v in views]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise ModelError(f"role view {twice[0]!r} is declared twice; one entry per role")
    return views


_VIEW_KEYS = frozenset({"org_units", "perspectives", "tiers", "ceiling", "disclose_hidden"})


@attrs.frozen(kw_only=True)
class OutputPolicy:
    """Which data may reach the output shown to each role.

    Parameters
    ----------
    default
        The most sensitive classification anyone may see, and the one that applies when no
        role is given: ``internal`` (public and internal data) unless set.
    roles
        Per governance role, its own ceiling instead of ``default`` (``{"executive_sponsor":
        "confidential"}``); a ceiling may also be lower (``{"contributor": "public"}``).
    views
        Per role (a governance role or the organisation's own, such as
        ``bu_north_manager``), a :class:`RoleView`: the org subtrees, perspectives and tiers
        it may see, and optionally its own ceiling. Given as a mapping ``{role: {org_units:
        [...], perspectives: [...], tiers: [...]}}`` or as :class:`RoleView` objects.

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
    >>> policy = OutputPolicy(views={"bu_north_manager": {"org_units": ["north"]}})
    >>> policy.view("bu_north_manager").org_units, policy.view("owner")
    (('north',), None)
    >>> policy.view("bu_nort_manager")
    Traceback (most recent call last):
    ...
    balanced_scorecard.exceptions.ModelError: unknown role 'bu_nort_manager'. Did you mean ...
    """

    default: Classification = attrs.field(
        default=Classification.INTERNAL, converter=to_classification
    )
    roles: tuple[tuple[Role, Classification], ...] = attrs.field(default=(), converter=_ceilings)
    views: tuple[RoleView, ...] = attrs.field(default=(), converter=_views)

    def __attrs_post_init__(self) -> None:
        given = [("the default", self.default)] + [(f"role {r.value!r}", c) for r, c in self.roles]
        for who, ceiling in given:
            if ceiling is Classification.PERSONAL:
                raise ModelError(
                    f"output policy: {who} is given ceiling 'personal', but personal data is "
                    "never rendered; the highest ceiling is 'confidential'"
                )

    @property
    def role_names(self) -> tuple[str, ...]:
        """Every role this policy knows: the governance roles, then those with a view."""
        names = [r.value for r in Role]
        return (*names, *(v.role for v in self.views if v.role not in names))

    def role(self, role: Role | str) -> Role | str:
        """``role`` as this policy names it: a :class:`Role` for a governance role, else the
        name of a declared view; an unknown name is a :class:`ModelError` listing the roles.
        """
        if isinstance(role, Role):
            return role
        text = str(role).strip().lower()
        if any(v.role == text for v in self.views) and text not in {r.value for r in Role}:
            return text
        try:
            return Role(text)
        except ValueError:
            names = self.role_names
            raise ModelError(
                f"unknown role {role!r}.{did_you_mean(text, names)} Roles: {', '.join(names)}"
            ) from None

    def view(self, role: Role | str | None) -> RoleView | None:
        """The :class:`RoleView` declared for ``role`` (``None``: it sees every unit,
        perspective and tier)."""
        if role is None:
            return None
        name = str(getattr(self.role(role), "value", self.role(role)))
        return next((v for v in self.views if v.role == name), None)

    def ceiling(self, role: Role | str | None = None) -> Classification:
        """The most sensitive classification ``role`` may see (``None``: no role given)."""
        if role is None:
            return self.default
        view = self.view(role)
        if view is not None and view.ceiling is not None:
            return view.ceiling
        who = self.role(role)
        if not isinstance(who, Role):
            return self.default
        return dict(self.roles).get(who, self.default)

    def allows(self, classification: Classification | str, role: Role | str | None = None) -> bool:
        """Whether data of ``classification`` may be shown to ``role``."""
        return to_classification(classification) <= self.ceiling(role)

    def problems(
        self,
        *,
        org_units: Collection[str],
        perspectives: Collection[str],
        path: str = "output_policy",
        source: str | None = None,
    ) -> list[Problem]:
        """Views naming an org unit or perspective the scorecard does not have, each at its
        path (``output_policy.views.bu_north.org_units[0]``) with a did-you-mean.

        Examples
        --------
        >>> policy = OutputPolicy(views={"bu": {"org_units": ["nort"]}})
        >>> for p in policy.problems(org_units=["acme", "north"], perspectives=[]):
        ...     print(p.path, "|", p.message)
        output_policy.views.bu.org_units[0] | unknown org unit 'nort'. Did you mean 'north'?
        """
        out = []
        for view in self.views:
            for what, known in (("org_units", org_units), ("perspectives", perspectives)):
                noun = "org unit" if what == "org_units" else "perspective"
                for i, name in enumerate(getattr(view, what) or ()):
                    if name not in known:
                        out.append(
                            Problem(
                                path=f"{path}.views.{view.role}.{what}[{i}]",
                                message=f"unknown {noun} {name!r}.{did_you_mean(name, known)}",
                                source=source,
                            )
                        )
        return out

    def check(self, scorecard: Scorecard) -> None:
        """Raise a :class:`DefinitionError` listing every :meth:`problems` in ``scorecard``."""
        found = self.problems(
            org_units=scorecard.org_chart.ids,
            perspectives=[p.id for p in scorecard.perspectives],
            source=scorecard.origin,
        )
        if found:
            raise DefinitionError(found)


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
