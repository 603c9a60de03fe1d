"""Views of an evaluation for one role: data above the role's clearance is withheld.

This is the last step before anything leaves the library. The engine scores and rolls up
on all the data; :func:`for_role` then makes a copy of the :class:`Evaluation` in which the
indicators whose values are more sensitive than the role may see (by the scorecard's
:class:`~balanced_scorecard.model.classification.OutputPolicy`) carry no actual, target,
score, trend or contribution, show the status ``withheld``, have no observations behind
them (so :meth:`~Evaluation.explain` shows no inputs or lineage rows), and the quality
report hides the cells that came from fields the role may not see. Objectives, perspectives
and the scorecard keep the scores rolled up from the full data.

Every renderer draws such a view (:func:`secure`): given no role, the policy's default
ceiling applies, so personal data is never rendered and confidential data only for roles
the policy lists.

A role with a :class:`~balanced_scorecard.model.classification.RoleView` (its org subtrees,
perspectives and tiers) gets a view from which everything outside them is *removed*, not
blanked: the view's scorecard, org chart, arrays, observations, quality report and notes hold
only what the role may see, so no public path of the :class:`Evaluation` (frames,
explanations, drill-downs, exceptions, signals, significance, root causes, link evidence,
renderers) can name a hidden node or unit. See :func:`restrict` for the rules.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np
import pandas as pd

from balanced_scorecard._uri import hide_password, split_scheme
from balanced_scorecard.exceptions import ModelError
from balanced_scorecard.formulas import parse_formula
from balanced_scorecard.model.classification import (
    UNDECLARED,
    OutputPolicy,
    RoleView,
    effective_classifications,
    source_classification,
)
from balanced_scorecard.model.enums import Classification
from balanced_scorecard.model.people import Role

if TYPE_CHECKING:
    from balanced_scorecard.data.observations import PreparedObservations
    from balanced_scorecard.model.scorecard import Scorecard
    from balanced_scorecard.model.sources import DataSource
    from balanced_scorecard.results import Evaluation, IndicatorLevel

__all__ = [
    "OUTSIDE_VIEW",
    "WITHHELD",
    "AccessView",
    "RoleName",
    "classify",
    "for_role",
    "restrict",
    "secure",
]

#: What a view shows instead of withheld data: the status of a withheld indicator and the
#: text of a withheld quality-report cell.
WITHHELD = "withheld"

#: Id of the org unit a view's org chart is rooted at when the role sees several separate
#: subtrees (it is in no evaluation; it stands for the units the role may not see).
OUTSIDE_VIEW = "(outside view)"

# Quality-report columns that carry a source field's content.
_QUALITY_FIELDS = ("indicator", "org_unit", "period", "value")

# A comparison as conditions describe themselves in lineage and messages:
# ``column op value`` with a quoted, listed or bare value.
_CONDITION = r"(?P<head>\b{field}\s*(?:==|=|!=|<=|>=|<|>|\bnot in\b|\bin\b)\s*)" + (
    r"(?P<value>'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|\[[^\]]*\]|[^\s,;)]+)"
)


class RoleName(str):
    """The name of a role that is not a governance :class:`Role` (``bu_north_manager``);
    like a :class:`Role`, it has a ``value``."""

    __slots__ = ()

    @property
    def value(self) -> str:
        """The name itself."""
        return str(self)


@attrs.frozen(kw_only=True)
class AccessView:
    """What a view of an evaluation was made for (``Evaluation.access``).

    ``classifications`` holds every indicator's effective classification (computed once,
    from the full evaluation); ``withheld`` the ids of the indicators the view withholds;
    ``hidden_fields`` the source fields above the ceiling, whose values are scrubbed from
    lineage and messages; ``scope`` the role's :class:`RoleView` when it restricts what the
    role sees (everything outside it is removed from the view, see :func:`restrict`).
    """

    role: Role | RoleName | None
    ceiling: Classification
    policy: OutputPolicy
    classifications: tuple[tuple[str, Classification], ...]
    withheld: tuple[str, ...]
    hidden_fields: tuple[str, ...] = ()
    scope: RoleView | None = None

    def classification(self, indicator: str) -> Classification:
        """The effective classification of one indicator's values."""
        return dict(self.classifications)[indicator]

    def reason(self, indicator: str) -> str:
        """Why ``indicator`` is withheld, for explanations."""
        who = f"role {str(self.role.value)!r}" if self.role is not None else "output without a role"
        cls = self.classification(indicator)
        if cls is Classification.PERSONAL:
            return "personal data is never shown"
        return f"{cls.value} data; {who} may see up to {self.ceiling.value}"

    def scrub(self, text: str) -> str:
        """``text`` with the values compared to hidden fields replaced by ``withheld``.

        Examples
        --------
        >>> view = AccessView(role=None, ceiling=Classification.INTERNAL,
        ...                   policy=OutputPolicy(), classifications=(), withheld=(),
        ...                   hidden_fields=("employee_name",))
        >>> view.scrub("hr: sum of salary where employee_name = 'Ann Lee' and team = 'ops'")
        "hr: sum of salary where employee_name = withheld and team = 'ops'"
        """
        for field in self.hidden_fields:
            text = re.sub(_CONDITION.format(field=re.escape(field)), rf"\g<head>{WITHHELD}", text)
        return text


def classify(ev: Evaluation) -> dict[str, Classification]:
    """Every indicator's effective classification in ``ev``: its own, else the most
    sensitive of the sources that gave it values in this evaluation and of its formula's
    inputs (see :func:`~balanced_scorecard.model.classification.effective_classifications`).

    Examples
    --------
    >>> from balanced_scorecard.results import _demo
    >>> classify(_demo())
    {'revenue': <Classification.INTERNAL: 'internal'>}
    """
    if ev.access is not None:
        return dict(ev.access.classifications)
    obs = ev.observations
    fed_by: dict[str, list[str]] | None = None
    if obs is not None:
        n_src = max(len(obs.source_names), 1)
        n_ind = len(ev.scorecard.indicators)
        # Which (indicator, source) pairs have rows: one bincount over every row.
        seen = np.bincount(
            obs.indicator.astype(np.int64) * n_src + obs.source.astype(np.int64),
            minlength=n_ind * n_src,
        ).reshape(n_ind, n_src)
        # A part is named by its source id, or by the path or URI it was read from.
        sources = ev.scorecard.sources
        ids = [
            next((d.id for d in sources if _matches(name, d)), name) for name in obs.source_names
        ]
        fed_by = {}
        for k, s in zip(*np.nonzero(seen), strict=True):
            ind_id = ev.scorecard.indicators[int(k)].id
            fed_by.setdefault(ind_id, []).append(ids[int(s)])
    return effective_classifications(ev.scorecard, fed_by=fed_by)


def for_role(
    ev: Evaluation, role: Role | str | None = None, *, policy: OutputPolicy | None = None
) -> Evaluation:
    """The view of ``ev`` that ``role`` may see (see the module docstring).

    The role's :class:`RoleView`, if the policy declares one, is applied first
    (:func:`restrict`), then its classification ceiling.

    Parameters
    ----------
    ev
        An evaluation, or a view of one: a view can only be narrowed further.
    role
        A :class:`~balanced_scorecard.model.people.Role` or its name; ``None`` applies the
        policy's default ceiling.
    policy
        The output policy (default: the scorecard's ``output_policy``).

    Examples
    --------
    >>> import attrs
    >>> from balanced_scorecard.results import _demo
    >>> ev = _demo()
    >>> secret = attrs.evolve(ev.scorecard, indicators=[attrs.evolve(
    ...     ev.scorecard.indicators[0], classification="confidential")])
    >>> ev = attrs.evolve(ev, scorecard=secret)
    >>> view = for_role(ev, "owner")
    >>> view.status("revenue"), view.score("revenue"), round(view.score("grow"), 4)
    ('withheld', nan, 0.6667)
    >>> policy = OutputPolicy(roles={"owner": "confidential"})
    >>> for_role(ev, "owner", policy=policy).status("revenue")
    'green'
    """
    policy = policy if policy is not None else ev.scorecard.output_policy
    named = None if role is None else policy.role(role)
    who = named if named is None or isinstance(named, Role) else RoleName(named)
    base = ev.access
    classes = classify(ev)
    ceiling = policy.ceiling(who)
    scope = policy.view(who)
    if scope is not None and scope.restricts:
        if base is None:
            policy.check(ev.scorecard)
        ev = restrict(ev, scope)
        # Other roles' views name units and perspectives this role may not know of.
        policy = ev.scorecard.output_policy
    elif base is not None:
        scope = base.scope
    if base is not None:
        ceiling = min(ceiling, base.ceiling)
    ids = ev.indicators.ids
    before = set(base.withheld) if base is not None else set()
    mask = np.array([i in before or classes[i] > ceiling for i in ids], dtype=bool)
    access = AccessView(
        role=who,
        ceiling=ceiling,
        policy=policy,
        classifications=tuple((i, classes[i]) for i in ids),
        withheld=tuple(i for i, m in zip(ids, mask, strict=True) if m),
        hidden_fields=_hidden_fields(ev.scorecard, ceiling),
        scope=scope if scope is not None and scope.restricts else None,
    )
    return _apply(ev, mask, access, classes)


def secure(ev: Evaluation, role: Role | str | None = None) -> Evaluation:
    """What a renderer may draw: ``ev`` itself when it is already a view and no other role
    is asked for, otherwise :func:`for_role` with the scorecard's policy.

    Examples
    --------
    >>> from balanced_scorecard.results import _demo
    >>> view = secure(_demo())
    >>> view.access.role is None, secure(view) is view
    (True, True)
    """
    if ev.access is not None and (
        role is None or ev.scorecard.output_policy.role(role) == ev.access.role
    ):
        return ev
    return for_role(ev, role)


# -- removing what a role may not see ---------------------------------------------------


def restrict(ev: Evaluation, scope: RoleView) -> Evaluation:
    """``ev`` without the nodes and org units outside ``scope``: removed, not blanked.

    What the role sees:

    - **Org units**: every unit in the subtrees of ``scope.org_units`` (a unit and all
      below it). The view's org chart holds only those; a visible unit whose parent is
      hidden becomes a root, and when there are several roots they hang below a stand-in
      root :data:`OUTSIDE_VIEW` that is in no evaluation. Observations, quality rows and
      notes of hidden units are dropped.
    - **Perspectives**: those listed. **Indicators**: those of a visible perspective whose
      ``tier`` is listed. **Objectives**: those of a visible perspective with a visible
      indicator (an objective without indicators: when its own ``tier`` is listed). The
      scorecard node itself always stays.
    - **Scores** of visible parents (the scorecard, perspectives, objectives) are shown as
      computed, from all the children, and so are the children's effective weights and
      contributions: re-scoring without the hidden children would show a number the
      organisation never reported. A parent's explanation lists only visible children, so
      contributions may add up to less than its score. Only when ``scope.disclose_hidden``
      is set do the view's ``notes`` say, per parent, ``score includes N item(s) outside
      your view`` (rule ``outside-view``); otherwise not even the number is disclosed.
    - **Calculated indicators** keep their values, but when a formula input is hidden the
      formula is removed from the view (its explanation shows no inputs).
    - **Strategy map**: links with a hidden end are removed, so root causes, link evidence,
      candidate links, significance (reach) and what-if work on the visible map only: a
      hidden driver is not named, scored or counted.
    - Assignments, initiatives, target sets, source mapping rules and other roles' views
      that mention hidden nodes or units are dropped; quality, notes, adjustments and
      plugin-error rows whose text names a hidden id or name are dropped too.

    Examples
    --------
    >>> from balanced_scorecard.results import _demo
    >>> view = restrict(_demo(), RoleView(role="x", perspectives=["customer"]))
    >>> view.frame["node"].unique().tolist(), round(view.score(), 4)
    (['demo', 'customer'], 0.6667)
    """
    sc = ev.scorecard
    chart = sc.org_chart
    if scope.org_units is None:
        units_ok = set(chart.ids)
    else:
        units_ok = {x for u in scope.org_units if u in chart for x in chart.subtree(u)}
    if not any(u in units_ok for u in ev.units):
        raise ModelError(
            f"role {scope.role!r} may see none of the org units of this evaluation; evaluate "
            f"one of its units: {', '.join(scope.org_units or ())}"
        )

    def tier_ok(tier: object) -> bool:
        return scope.tiers is None or tier in scope.tiers

    persp_ok = {
        p.id for p in sc.perspectives if scope.perspectives is None or p.id in scope.perspectives
    }
    obj_persp = {o.id: o.perspective for o in sc.objectives}
    inds_ok = {
        i.id for i in sc.indicators if tier_ok(i.tier) and obj_persp.get(i.objective) in persp_ok
    }
    has_inds = {i.objective for i in sc.indicators}
    measured_ok = {i.objective for i in sc.indicators if i.id in inds_ok}
    objs_ok = {
        o.id
        for o in sc.objectives
        if o.perspective in persp_ok
        and (o.id in measured_ok or (o.id not in has_inds and tier_ok(o.tier)))
    }
    visible = {sc.id} | persp_ok | objs_ok | inds_ok
    nodes: list[Any] = [*sc.perspectives, *sc.objectives, *sc.indicators]
    hidden_nodes = [n for n in nodes if n.id not in visible]
    hidden_units = [u for u in chart.units if u.id not in units_ok]
    hidden_inits = [i for i in sc.initiatives if not set(i.objectives) <= objs_ok]
    terms = _terms([*hidden_nodes, *hidden_units, *hidden_inits])

    view_sc = _restricted_scorecard(sc, scope, units_ok, visible, inds_ok, objs_ok)
    keep_ind = np.array([i in inds_ok for i in ev.indicators.ids], dtype=bool)
    keep_obj = np.array([o in objs_ok for o in ev.objectives.ids], dtype=bool)
    keep_per = np.array([p in persp_ok for p in ev.perspectives.ids], dtype=bool)
    keep_u = np.array([u in units_ok for u in ev.units], dtype=bool)
    obj_new = _new_codes(keep_obj)
    per_new = _new_codes(keep_per)
    stripped = {i.id for i in sc.indicators if i.id in inds_ok and i.formula} - {
        i.id for i in view_sc.indicators if i.formula
    }
    ind_new = _new_codes(keep_ind)
    level = ev.indicators
    formulas = {
        int(ind_new[k]): f
        for k, f in level.formulas.items()
        if keep_ind[k] and level.ids[k] not in stripped
    }
    indicators = attrs.evolve(
        _slice(level, keep_ind, keep_u),
        parent=obj_new[level.parent[keep_ind]],
        formulas=formulas,
    )
    objectives = attrs.evolve(
        _slice(ev.objectives, keep_obj, keep_u),
        parent=per_new[ev.objectives.parent[keep_obj]],
    )
    perspectives = _slice(ev.perspectives, keep_per, keep_u)
    total = _slice(ev.total, np.ones(len(ev.total.ids), dtype=bool), keep_u)

    hidden_ind = {n.id for n in sc.indicators if n.id not in visible}
    hidden_unit_ids = {u.id for u in hidden_units}

    def clean(frame: pd.DataFrame) -> pd.DataFrame:
        return _drop_hidden(frame, hidden_ind, hidden_unit_ids, terms)

    notes = clean(ev.notes)
    if scope.disclose_hidden:
        notes = _disclose(notes, sc, visible)
    obs = ev.observations
    if obs is not None:
        obs = _restricted_observations(obs, sc, view_sc, clean)
    reported = ev.reported
    if reported is not None:
        reported = restrict(reported, scope)
    errors = tuple(e for e in ev.plugin_errors if terms is None or not terms.search(str(e)))
    return attrs.evolve(
        ev,
        scorecard=view_sc,
        units=tuple(u for u in ev.units if u in units_ok),
        indicators=indicators,
        objectives=objectives,
        perspectives=perspectives,
        total=total,
        quality=clean(ev.quality),
        notes=notes,
        adjustments=clean(ev.adjustments),
        completeness=clean(ev.completeness),
        source_quality=clean(ev.source_quality),
        freshness=clean(ev.freshness),
        plugin_errors=errors,
        observations=obs,
        reported=reported,
    )


def _restricted_scorecard(
    sc: Scorecard,
    scope: RoleView,
    units_ok: set[str],
    visible: set[str],
    inds_ok: set[str],
    objs_ok: set[str],
) -> Scorecard:
    """The definition as the role may see it (see :func:`restrict`)."""
    chart = sc.org_chart
    units = []
    for u in chart.units:
        if u.id in units_ok:
            parent = next((a for a in chart.ancestors(u.id) if a in units_ok), None)
            units.append(attrs.evolve(u, parent=parent))
    roots = [u for u in units if u.parent is None]
    if len(roots) > 1:
        from balanced_scorecard.model.org import OrgUnit

        units = [attrs.evolve(u, parent=OUTSIDE_VIEW) if u.parent is None else u for u in units]
        units.append(OrgUnit(id=OUTSIDE_VIEW, name="Outside this view"))
    indicators = []
    for ind in sc.indicators:
        if ind.id not in inds_ok:
            continue
        if ind.formula and not set(parse_formula(ind.formula).names) <= inds_ok:
            ind = attrs.evolve(ind, formula=None)
        indicators.append(ind)
    sources = []
    for s in sc.sources:
        if s.mapping is not None:
            rules = tuple(r for r in s.mapping.rules if r.indicator in inds_ok)
            if not rules:
                continue
            s = attrs.evolve(s, mapping=attrs.evolve(s.mapping, rules=rules))
        sources.append(s)
    policy = sc.output_policy
    views = [v for v in policy.views if not v.restricts or v.role == scope.role]
    return attrs.evolve(
        sc,
        perspectives=[p for p in sc.perspectives if p.id in visible],
        objectives=[o for o in sc.objectives if o.id in objs_ok],
        indicators=indicators,
        links=[lk for lk in sc.links if lk.cause in visible and lk.effect in visible],
        org_chart=type(chart)(units=units),
        assignments=[
            a
            for a in sc.assignments
            if (a.node in visible or a.node in {i.id for i in sc.initiatives})
            and (a.org_unit is None or a.org_unit in units_ok)
            and _initiative_ok(sc, a.node, objs_ok)
        ],
        initiatives=[i for i in sc.initiatives if set(i.objectives) <= objs_ok],
        target_sets=[
            attrs.evolve(
                ts,
                targets=[
                    t
                    for t in ts.targets
                    if t.indicator in inds_ok and (t.org_unit is None or t.org_unit in units_ok)
                ],
            )
            for ts in sc.target_sets
        ],
        sources=sources,
        weights_total=None,
        output_policy=attrs.evolve(policy, views=views),
    )


def _initiative_ok(sc: Scorecard, node: str, objs_ok: set[str]) -> bool:
    init = next((i for i in sc.initiatives if i.id == node), None)
    return init is None or set(init.objectives) <= objs_ok


def _new_codes(keep: np.ndarray) -> np.ndarray:
    """Old position -> new position among the kept rows (-1 for a dropped one); one spare
    slot at the end maps a missing code (-1) to -1."""
    out = np.full(len(keep) + 1, -1, dtype=np.int64)
    out[np.flatnonzero(keep)] = np.arange(int(keep.sum()))
    return out


def _slice(level: Any, rows: np.ndarray, units: np.ndarray) -> Any:
    """Every ``(node, org_unit, period)`` array of a level cut to the kept rows and units."""

    def cut(a: Any) -> Any:
        if isinstance(a, np.ndarray) and a.ndim == 3:
            return a[rows][:, units]
        return a

    changes: dict[str, Any] = {}
    for f in attrs.fields(type(level)):
        value = getattr(level, f.name)
        if f.name == "ids":
            changes["ids"] = tuple(i for i, k in zip(value, rows, strict=True) if k)
        elif isinstance(value, np.ndarray) and value.ndim == 3:
            changes[f.name] = cut(value)
        elif isinstance(value, np.ndarray) and value.ndim == 1 and len(value) == len(rows):
            changes[f.name] = value[rows]
        elif isinstance(value, dict) and f.name == "targets":
            changes[f.name] = {k: cut(v) for k, v in value.items()}
        elif attrs.has(type(value)):
            changes[f.name] = attrs.evolve(
                value, **{g.name: cut(getattr(value, g.name)) for g in attrs.fields(type(value))}
            )
    return attrs.evolve(level, **changes)


def _terms(hidden: Sequence[Any]) -> re.Pattern[str] | None:
    """One pattern matching any hidden id or name as a whole word."""
    words = {str(x.id) for x in hidden} | {str(getattr(x, "name", "") or "") for x in hidden}
    words = {w for w in words if w.strip()}
    if not words:
        return None
    alternatives = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    return re.compile(rf"(?<![\w])(?:{alternatives})(?![\w])")


def _drop_hidden(
    frame: pd.DataFrame,
    hidden_ind: set[str],
    hidden_units: set[str],
    terms: re.Pattern[str] | None,
) -> pd.DataFrame:
    """``frame`` without the rows of hidden indicators or units, or whose text names a
    hidden id or name (each distinct text is searched once)."""
    if frame.empty:
        return frame
    drop = np.zeros(len(frame), dtype=bool)
    for column, hidden in (
        ("indicator", hidden_ind),
        ("node", hidden_ind),
        ("org_unit", hidden_units),
    ):
        if column in frame.columns and hidden:
            drop |= frame[column].astype(object).isin(hidden).to_numpy()
    if terms is not None:
        for column in frame.columns:
            values = frame[column]
            if values.dtype.kind not in "OSU" and not isinstance(values.dtype, pd.StringDtype):
                continue
            codes, uniques = pd.factorize(values.astype(object).to_numpy(), use_na_sentinel=True)
            hit = np.array([bool(terms.search(str(u))) for u in uniques] + [False], dtype=bool)
            drop |= hit[np.where(codes >= 0, codes, len(uniques))]
    if not drop.any():
        return frame
    return frame[~drop].reset_index(drop=True)


def _disclose(notes: pd.DataFrame, sc: Scorecard, visible: set[str]) -> pd.DataFrame:
    """Notes saying how many hidden items each visible parent's score includes (direct
    children that carry a score: indicators, measured objectives, their perspectives)."""
    children: dict[str, list[str]] = {sc.id: [p.id for p in sc.perspectives]}
    for o in sc.objectives:
        children.setdefault(o.perspective, []).append(o.id)
    for i in sc.indicators:
        children.setdefault(i.objective, []).append(i.id)
    # Only children that can carry a score count: an empty perspective adds nothing.
    measured = {i.objective for i in sc.indicators}
    carrying = {i.id for i in sc.indicators} | measured
    carrying |= {o.perspective for o in sc.objectives if o.id in measured}
    rows = []
    for parent, kids in children.items():
        n = sum(k not in visible and k in carrying for k in kids)
        if parent in visible and n:
            rows.append(
                {
                    "indicator": parent,
                    "rule": "outside-view",
                    "severity": "info",
                    "count": n,
                    "message": f"{parent}: score includes {n} item(s) outside your view",
                }
            )
    if not rows:
        return notes
    extra = pd.DataFrame(rows, columns=list(notes.columns) if len(notes.columns) else None)
    return pd.concat([notes, extra], ignore_index=True) if len(notes) else extra


def _restricted_observations(
    obs: PreparedObservations,
    sc: Scorecard,
    view_sc: Scorecard,
    clean: Callable[[pd.DataFrame], pd.DataFrame],
) -> PreparedObservations:
    """The observations of visible indicators and units, their codes renumbered into the
    view's scorecard and org chart."""
    ind_pos = {i.id: k for k, i in enumerate(view_sc.indicators)}
    unit_pos = {u: k for k, u in enumerate(view_sc.org_chart.ids)}
    ind_map = np.array([ind_pos.get(i.id, -1) for i in sc.indicators] + [-1], dtype=np.int64)
    unit_map = np.array([unit_pos.get(u, -1) for u in sc.org_chart.ids] + [-1], dtype=np.int64)
    new_ind = ind_map[obs.indicator.astype(np.int64)]
    new_unit = unit_map[obs.org_unit.astype(np.int64)]
    keep = (new_ind >= 0) & (new_unit >= 0)
    out = obs.take(keep)
    out = attrs.evolve(
        out,
        indicator=new_ind[keep].astype(obs.indicator.dtype),
        org_unit=new_unit[keep].astype(obs.org_unit.dtype),
        quality=clean(obs.quality),
    )
    adj = obs.adjustments
    if len(adj):
        a_ind = ind_map[adj["indicator"].to_numpy(np.int64)]
        a_unit = unit_map[adj["org_unit"].to_numpy(np.int64)]
        ok = (a_ind >= 0) & (a_unit >= 0)
        adj = adj[ok].assign(indicator=a_ind[ok], org_unit=a_unit[ok]).reset_index(drop=True)
        out = attrs.evolve(out, adjustments=adj)
    return out


# -- building the view ------------------------------------------------------------------


def _hidden_fields(sc: Scorecard, ceiling: Classification) -> tuple[str, ...]:
    """The source columns above ``ceiling``: those listed in ``fields`` and, by the source's
    own classification, the other columns its fact mapping reads."""
    names = set()
    for s in sc.sources:
        columns = {c for c, _ in s.fields} | set(s.mapping.columns if s.mapping else ())
        names |= {c for c in columns if s.field_classification(c) > ceiling}
    return tuple(sorted(names))


def _apply(
    ev: Evaluation,
    mask: np.ndarray,
    access: AccessView,
    classes: Mapping[str, Classification],
) -> Evaluation:
    reported = ev.reported
    if reported is not None:
        reported = _apply(reported, mask, access, classes)
    obs = ev.observations
    adjustments = ev.adjustments
    if mask.any():
        hidden_ids = set(access.withheld)
        if len(adjustments):
            adjustments = adjustments[~adjustments["indicator"].isin(hidden_ids)]
            adjustments = adjustments.reset_index(drop=True)
        if obs is not None:
            obs = obs.take(~mask[obs.indicator])
            if len(obs.adjustments):
                codes = obs.adjustments["indicator"].to_numpy(np.int64)
                obs = attrs.evolve(obs, adjustments=obs.adjustments[~mask[codes]])
    quality = _redact_quality(ev.quality, ev.scorecard, classes, access)
    if obs is not None:
        obs = attrs.evolve(obs, quality=_redact_quality(obs.quality, ev.scorecard, classes, access))
    return attrs.evolve(
        ev,
        indicators=_withhold(ev.indicators, mask, len(ev.scorecard.status_bands)),
        quality=quality,
        adjustments=adjustments,
        observations=obs,
        reported=reported,
        access=access,
    )


def _withhold(level: IndicatorLevel, mask: np.ndarray, status_code: int) -> IndicatorLevel:
    """The indicator arrays with every cell of the masked indicators blanked."""
    if not mask.any():
        return level

    def blank(a: np.ndarray, fill: float | int | bool) -> np.ndarray:
        out = np.array(a, copy=True)
        out[mask] = fill
        return out

    nan = np.nan
    trend = attrs.evolve(
        level.trend,
        slope=blank(level.trend.slope, nan),
        change=blank(level.trend.change, nan),
        direction=blank(level.trend.direction, -2),
    )
    return attrs.evolve(
        level,
        actual=blank(level.actual, nan),
        numerator=blank(level.numerator, nan),
        denominator=blank(level.denominator, nan),
        targets={name: blank(a, nan) for name, a in level.targets.items()},
        score=blank(level.score, nan),
        raw_score=blank(level.raw_score, nan),
        clamped=blank(level.clamped, False),
        status=blank(level.status, status_code),
        trend=trend,
        contribution=blank(level.contribution, nan),
    )


def _matches(text: str, source: DataSource) -> bool:
    """Whether a quality row's ``source`` text names ``source``: its id (alone or before a
    mapping rule), its URI, or the file its URI points at."""
    if text == source.id or text.startswith(f"{source.id}: "):
        return True
    if text in (source.uri, hide_password(source.uri)):
        return True
    location = split_scheme(source.uri)[1].replace("\\", "/").lstrip("./")
    shown = text.replace("\\", "/")
    return bool(location) and (shown == location or shown.endswith("/" + location))


def _field_of(source: DataSource, column: str) -> str | None:
    """The source field that became an observation column (``None``: none did)."""
    mapping = source.mapping
    if mapping is not None:
        return {"org_unit": mapping.org_unit, "period": mapping.date}.get(column)
    renames = source.kwargs.get("columns") or {}
    fed = [str(k) for k, v in renames.items() if v == column]
    return fed[0] if fed else column


def _redact_quality(
    quality: pd.DataFrame,
    sc: Scorecard,
    classes: Mapping[str, Classification],
    access: AccessView,
) -> pd.DataFrame:
    """The quality report with each cell from a field above the ceiling withheld.

    A cell's classification is that of the source field it came from; a ``value`` is as
    sensitive as what its source gives its indicator, and as the indicator itself. A row
    with a withheld cell gets a message without details (messages quote the values), and
    so does a row of a fact mapping whose date or org-unit column is above the ceiling (its
    messages quote those columns). Conditions on hidden fields are scrubbed from every
    row's ``source`` and ``message``.
    """
    if quality.empty or "source" not in quality.columns:
        return quality
    ceiling = access.ceiling.rank
    texts = quality["source"].astype("string").fillna("").to_numpy(dtype=object)
    src_codes, src_uniques = pd.factorize(texts)
    matched = [next((s for s in sc.sources if _matches(str(t), s)), None) for t in src_uniques]
    row_source = np.where(src_codes >= 0, src_codes, len(matched))

    def per_source(rank_of: Callable[[DataSource], int]) -> np.ndarray:
        table = [UNDECLARED.rank if s is None else rank_of(s) for s in matched]
        return np.asarray([*table, UNDECLARED.rank], dtype=np.int64)[row_source]

    out = quality.copy()
    hidden_any = np.zeros(len(out), dtype=bool)

    def hide(column: str, rank: np.ndarray) -> None:
        nonlocal hidden_any
        cells = (rank > ceiling) & out[column].notna().to_numpy()
        if cells.any():
            out[column] = out[column].astype(object).where(~cells, WITHHELD)
            hidden_any |= cells

    for column in ("indicator", "org_unit", "period"):
        if column in out.columns:
            hide(column, per_source(functools.partial(_rank_of_field, column=column)))
    if "value" in out.columns:
        # The indicator as reported (before its own cell may have been withheld above).
        given = (
            quality["indicator"]
            if "indicator" in quality.columns
            else pd.Series("", index=out.index)
        )
        ind_codes, ind_uniques = pd.factorize(given.astype("string").fillna("").to_numpy(object))
        n_ind = len(ind_uniques) + 1
        # One code per distinct (source, indicator) pair; each pair is judged once.
        pairs, pair_rows = np.unique(row_source * n_ind + (ind_codes + 1), return_inverse=True)
        ranks = np.array(
            [
                _value_rank(
                    matched[p // n_ind] if p // n_ind < len(matched) else None,
                    str(ind_uniques[p % n_ind - 1]) if p % n_ind else "",
                    classes,
                )
                for p in pairs.tolist()
            ],
            dtype=np.int64,
        )
        hide("value", ranks[pair_rows])
    if "message" in out.columns:
        quoted = per_source(_quoted_rank) > ceiling
        secret = (hidden_any | quoted) & out["message"].notna().to_numpy()
        if secret.any():
            rules = (
                out["rule"].astype(str)
                if "rule" in out.columns
                else pd.Series("input row", index=out.index)
            )
            details = rules + f": details {WITHHELD} (data above the output's clearance)"
            out["message"] = out["message"].astype(object).where(~secret, details)
        if access.hidden_fields:
            out["message"] = _scrubbed(out["message"], access)
    if access.hidden_fields:
        out["source"] = _scrubbed(out["source"], access)
    return out


def _value_rank(
    source: DataSource | None, indicator: str, classes: Mapping[str, Classification]
) -> int:
    """Rank of a quality row's ``value``, given its source and reported indicator id."""
    known = indicator in classes
    if source is None:
        base = UNDECLARED
    else:
        # An unknown indicator may be any rule's: take the most sensitive value of all.
        base = source_classification(source, indicator if known else None)
    return max(base, classes[indicator]).rank if known else base.rank


def _quoted_rank(source: DataSource) -> int:
    """Rank of the fields a fact mapping's messages quote (its date, org-unit and unit
    columns); -1 for a long source, whose messages only quote cells of the row."""
    mapping = source.mapping
    if mapping is None:
        return -1
    quoted = [c for c in (mapping.date, mapping.org_unit, mapping.unit) if c]
    return max((source.field_classification(c).rank for c in quoted), default=-1)


def _scrubbed(column: pd.Series, access: AccessView) -> np.ndarray:
    """:meth:`AccessView.scrub` on each distinct text of a column (not on every row)."""
    codes, uniques = pd.factorize(column.astype(object).to_numpy(), use_na_sentinel=True)
    clean = np.array([access.scrub(str(u)) for u in uniques] + [None], dtype=object)
    return clean[np.where(codes >= 0, codes, len(uniques))]


def _rank_of_field(source: DataSource, column: str) -> int:
    field = _field_of(source, column)
    if field is None:
        return Classification.PUBLIC.rank
    return source.field_classification(field).rank
