"""Escalation paths as rules: a status held for N consecutive periods goes to someone.

This is the last step of the analysis stage: it reads the status cube of an
:class:`~balanced_scorecard.Evaluation` (``(indicator, org_unit, period)``) and decides, at
one period, which (indicator, org unit) cells escalate, to whom, and by which rule.

Conventions
-----------
* **Run length** at a period: the number of consecutive periods, ending there, whose status
  is at or below the rule's band (``red`` counts for a rule on ``amber``; a rule on the
  lowest band counts only that band). A period without a status (no data) **breaks** the run:
  a run is only claimed where every period was measured. Runs are computed for the whole cube
  at once with a cumulative-sum trick (see :func:`run_lengths`).
* **Severity**: a rule asking for a longer run is more severe; between rules of equal length
  the later one in the list is. Of the rules that fire on a cell, only the most severe is
  reported; the others are listed in ``also_fired``.
* **Recipients**: ``to_role`` is a :class:`~balanced_scorecard.model.people.Role` value or
  :data:`MANAGER_OF_OWNER`. A role is looked up for the indicator in the unit (including
  company-wide assignments), then its objective, then its perspective; the first node that
  has someone wins. The *owner's manager* is the owner of the same indicator in the nearest
  parent unit with a different owner, else the owner of its objective when that is someone
  else. Who it resolved to and how is written in ``via``; nobody found leaves ``to`` empty
  and ``via`` says so, so an escalation never disappears for want of an address.

Examples
--------
>>> from balanced_scorecard.results import _demo
>>> evaluate_escalations(_demo(), default_escalation_rules()).empty
True
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np
import numpy.typing as npt
import pandas as pd

from balanced_scorecard._suggest import did_you_mean
from balanced_scorecard.exceptions import ModelError
from balanced_scorecard.governance.roles import parse_role
from balanced_scorecard.model.enums import Tier
from balanced_scorecard.model.people import Role

if TYPE_CHECKING:
    from balanced_scorecard.model.scorecard import Scorecard
    from balanced_scorecard.results import Evaluation

__all__ = [
    "ESCALATION_COLUMNS",
    "MANAGER_OF_OWNER",
    "EscalationRule",
    "default_escalation_rules",
    "escalation_events",
    "evaluate_escalations",
    "resolve_recipients",
    "run_lengths",
]

#: ``to_role`` of a rule that escalates to the owner's manager (see the module docstring).
MANAGER_OF_OWNER = "manager_of_owner"

#: Columns of :func:`evaluate_escalations`.
ESCALATION_COLUMNS = (
    "indicator",
    "name",
    "org_unit",
    "period",
    "status",
    "run_length",
    "since",
    "rule",
    "periods",
    "to_role",
    "to",
    "via",
    "owner",
    "tier",
    "reason",
    "also_fired",
)

_TARGETS = (*(r.value for r in Role), MANAGER_OF_OWNER)


def _to_target(value: object) -> str:
    text = str(value).strip().lower().replace(" ", "_").replace("-", "_").replace("'", "")
    if text in ("owners_manager", "manager", MANAGER_OF_OWNER):
        return MANAGER_OF_OWNER
    if text in ("executive_review", "executive"):
        return Role.EXECUTIVE_SPONSOR.value
    if text in _TARGETS:
        return text
    raise ModelError(
        f"unknown escalation target {value!r}; write a role ({', '.join(r.value for r in Role)}) "
        f"or {MANAGER_OF_OWNER!r}." + did_you_mean(text, _TARGETS)
    )


def _check_periods(_: object, __: attrs.Attribute[int], value: int) -> None:
    if value < 1:
        raise ModelError(
            f"an escalation rule needs at least 1 consecutive period, got {value}; write "
            "periods=2 for 'two periods in a row'"
        )


def _to_tier(value: object) -> Tier | None:
    if value is None or isinstance(value, Tier):
        return value
    try:
        return Tier(str(value).strip().lower())
    except ValueError:
        raise ModelError(
            f"unknown tier {value!r}; write 'strategic', 'operational' or None for every tier."
            + did_you_mean(str(value), [t.value for t in Tier])
        ) from None


@attrs.frozen(kw_only=True)
class EscalationRule:
    """Escalate an indicator in an org unit that held ``status`` (or worse) for ``periods``
    consecutive periods to ``to_role``.

    Parameters
    ----------
    name
        Short id recorded with every escalation (``"manager"``).
    periods
        Consecutive periods the status must have held, at least 1.
    to_role
        A role value (``"executive_sponsor"``, ``"data_steward"``...) or
        :data:`MANAGER_OF_OWNER`; ``"owner's manager"`` and ``"executive review"`` are read as
        those two.
    status
        The band name (``"red"``); ``None``, the default, is the lowest band of the scorecard.
    tier
        Only indicators of this tier (``"strategic"`` / ``"operational"``); ``None``: all.
    description
        Words for the agenda; a default is made from the other fields.

    Examples
    --------
    >>> r = EscalationRule(name="manager", periods=2, to_role="owner's manager")
    >>> r.to_role
    'manager_of_owner'
    >>> print(r.describe("red"))
    red for 2 consecutive periods: escalate to the owner's manager
    >>> EscalationRule(name="x", periods=2, to_role="ceo")
    Traceback (most recent call last):
    ...
    balanced_scorecard.exceptions.ModelError: unknown escalation target 'ceo'; ...
    """

    name: str
    periods: int = attrs.field(converter=int, validator=_check_periods)
    to_role: str = attrs.field(converter=_to_target)
    status: str | None = None
    tier: Tier | None = attrs.field(default=None, converter=_to_tier)
    description: str = ""

    def describe(self, status: str) -> str:
        """The rule in words, for a scorecard whose band is called ``status``."""
        if self.description:
            return self.description
        who = (
            "the owner's manager"
            if self.to_role == MANAGER_OF_OWNER
            else f"the {self.to_role.replace('_', ' ')}"
        )
        tier = f" ({self.tier.value} indicators)" if self.tier is not None else ""
        return f"{status} for {self.periods} consecutive periods{tier}: escalate to {who}"


def default_escalation_rules() -> tuple[EscalationRule, ...]:
    """The usual path: the lowest band for 2 periods goes to the owner's manager; for 3 to
    the executive sponsor, for the executive review.

    Examples
    --------
    >>> [(r.name, r.periods, r.to_role) for r in default_escalation_rules()]
    [('manager', 2, 'manager_of_owner'), ('executive-review', 3, 'executive_sponsor')]
    """
    return (
        EscalationRule(name="manager", periods=2, to_role=MANAGER_OF_OWNER),
        EscalationRule(
            name="executive-review",
            periods=3,
            to_role=Role.EXECUTIVE_SPONSOR.value,
        ),
    )


def run_lengths(hit: npt.NDArray[np.bool_]) -> npt.NDArray[np.int64]:
    """Length of the run of ``True`` ending at each position along the last axis.

    Vectorised over any leading axes: the cumulative count of hits, minus that count at the
    last miss (carried forward with a running maximum).

    Examples
    --------
    >>> run_lengths(np.array([[True, True, False, True, True, True]])).tolist()
    [[1, 2, 0, 1, 2, 3]]
    """
    hit = np.asarray(hit, dtype=bool)
    count = np.cumsum(hit, axis=-1, dtype=np.int64)
    at_miss = np.where(hit, 0, count)
    runs: npt.NDArray[np.int64] = count - np.maximum.accumulate(at_miss, axis=-1)
    return runs


def _node_chain(scorecard: Scorecard, indicator: str) -> tuple[str, ...]:
    ind = scorecard.indicator(indicator)
    chain = [indicator]
    objective: str | None = ind.objective
    while objective is not None:
        obj = scorecard.objective(objective)
        chain.append(obj.id)
        objective = obj.parent
    chain.append(scorecard.objective(ind.objective).perspective)
    return tuple(chain)


def _owners_in(scorecard: Scorecard, node: str, unit: str) -> tuple[str, ...]:
    """The owners for ``unit`` itself if it has its own, else the company-wide ones."""
    own = tuple(
        a.person
        for a in scorecard.assignments
        if a.node == node and a.role is Role.OWNER and a.org_unit == unit
    )
    return own or scorecard.people(node, Role.OWNER, None)


def resolve_recipients(
    scorecard: Scorecard, indicator: str, org_unit: str, to_role: str
) -> tuple[tuple[str, ...], str]:
    """Who an escalation of ``indicator`` in ``org_unit`` goes to, and how they were found.

    See the module docstring for the lookup order.

    Examples
    --------
    >>> from balanced_scorecard.model import (Assignment, Indicator, Objective, OrgChart,
    ...     OrgUnit, Scorecard)
    >>> sc = Scorecard(id="d",
    ...     org_chart=OrgChart(units=[OrgUnit(id="acme"), OrgUnit(id="north", parent="acme")]),
    ...     objectives=[Objective(id="grow", perspective="financial")],
    ...     indicators=[Indicator(id="revenue", objective="grow")],
    ...     assignments=[Assignment(role="owner", person="cfo", node="revenue"),
    ...                  Assignment(role="owner", person="ann", node="revenue",
    ...                             org_unit="north")])
    >>> resolve_recipients(sc, "revenue", "north", "manager_of_owner")
    (('cfo',), "owner of 'revenue' in parent unit 'acme'")
    >>> resolve_recipients(sc, "revenue", "north", "executive_sponsor")
    ((), "nobody holds executive_sponsor for 'revenue', 'grow' or 'financial' in 'north'")
    """
    target = _to_target(to_role)
    chart = scorecard.org_chart
    if target == MANAGER_OF_OWNER:
        own = _owners_in(scorecard, indicator, org_unit)
        ancestors = chart.ancestors(org_unit) if org_unit in chart else ()
        for parent in ancestors:
            boss = tuple(p for p in _owners_in(scorecard, indicator, parent) if p not in own)
            if boss:
                return boss, f"owner of {indicator!r} in parent unit {parent!r}"
        objective = scorecard.indicator(indicator).objective
        boss = tuple(p for p in _owners_in(scorecard, objective, org_unit) if p not in own)
        if boss:
            return boss, f"owner of objective {objective!r}"
        who = ", ".join(own) or "nobody"
        return (), f"no manager found above the owner ({who}) of {indicator!r} in {org_unit!r}"
    role = parse_role(target)
    chain = _node_chain(scorecard, indicator)
    for node in chain:
        people = scorecard.people(node, role, org_unit)
        if people:
            kind = "" if node == indicator else " (inherited)"
            return people, f"{role.value} of {node!r}{kind}"
    names = ", ".join(repr(n) for n in chain[:-1]) + f" or {chain[-1]!r}"
    return (), f"nobody holds {role.value} for {names} in {org_unit!r}"


def _status_code(evaluation: Evaluation, status: str | None) -> int:
    names = evaluation.status_names
    if status is None:
        return 0
    if status not in names:
        raise ModelError(
            f"escalation status {status!r} is not a status band of scorecard "
            f"{evaluation.scorecard.id!r} ({', '.join(names)})." + did_you_mean(status, names)
        )
    return names.index(status)


def evaluate_escalations(
    evaluation: Evaluation,
    rules: Sequence[EscalationRule] | None = None,
    *,
    period: str | None = None,
) -> pd.DataFrame:
    """The (indicator, org unit) cells that escalate at ``period``, with the rule that fired.

    Parameters
    ----------
    evaluation
        The evaluation to read statuses from.
    rules
        The escalation path (default :func:`default_escalation_rules`).
    period
        A period label; ``None`` (default) is the focus period.

    Returns
    -------
    DataFrame
        One row per firing cell, columns :data:`ESCALATION_COLUMNS`: ``run_length`` periods
        at or below the band ``since`` a period label, the winning ``rule`` and its required
        ``periods``, ``to_role``, ``to`` (people, comma-joined), ``via`` (how they were
        found), the ``owner``, the indicator ``tier``, ``reason`` (the rule in words) and
        ``also_fired`` (less severe rules that fired too). Most severe first, then by
        indicator and unit in evaluation order.

    Raises
    ------
    ModelError
        A rule names a status that is no band of the scorecard, or two rules share a name.
    UnknownNodeError
        ``period`` was not evaluated (with a did-you-mean).

    Examples
    --------
    >>> import pandas as pd
    >>> from balanced_scorecard.model import Indicator, Objective, Scorecard, Thresholds
    >>> sc = Scorecard(id="d", objectives=[Objective(id="g", perspective="financial")],
    ...     indicators=[Indicator(id="rev", objective="g",
    ...                           thresholds=Thresholds(target=100, red_flag=50))])
    >>> obs = pd.DataFrame({"indicator": "rev", "org_unit": "all",
    ...     "period": ["2025-01", "2025-02", "2025-03"], "value": [90.0, 10.0, 20.0]})
    >>> esc = evaluate_escalations(sc.evaluate(obs))
    >>> esc[["indicator", "run_length", "since", "rule", "to"]]
      indicator  run_length    since     rule to
    0       rev           2  2025-02  manager
    >>> esc.loc[0, "via"]
    "no manager found above the owner (nobody) of 'rev' in 'all'"
    """
    rules = tuple(default_escalation_rules() if rules is None else rules)
    names = [r.name for r in rules]
    if len(set(names)) != len(names):
        dup = sorted({n for n in names if names.count(n) > 1})
        raise ModelError(f"escalation rule names must be unique; {dup} used more than once")
    p = evaluation.period_index(period)
    level = evaluation.indicators
    status = np.asarray(level.status)[..., : p + 1]
    sc = evaluation.scorecard
    tiers = np.array([sc.indicator(i).tier.value for i in level.ids], dtype=object)
    k_n, u_n = status.shape[:2]
    # Severity order: longer runs first, later rules before earlier ones of the same length.
    order = sorted(range(len(rules)), key=lambda r: (-rules[r].periods, -r))
    winner = np.full((k_n, u_n), -1, dtype=np.int64)
    fired_any = np.zeros((k_n, u_n, len(rules)), dtype=bool)
    runs_by_code: dict[int, npt.NDArray[np.int64]] = {}
    for r in order:
        rule = rules[r]
        code = _status_code(evaluation, rule.status)
        if code not in runs_by_code:
            bad = (status >= 0) & (status <= code)
            runs_by_code[code] = run_lengths(bad)[..., -1]
        fires = runs_by_code[code] >= rule.periods
        if rule.tier is not None:
            fires &= (tiers == rule.tier.value)[:, None]
        fired_any[..., r] = fires
        winner = np.where((winner < 0) & fires, r, winner)
    k, u = np.nonzero(winner >= 0)
    if len(k) == 0:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in ESCALATION_COLUMNS})
    w = winner[k, u]
    codes = np.array([_status_code(evaluation, rules[i].status) for i in w], dtype=np.int64)
    runs = np.array([runs_by_code[c][a, b] for c, a, b in zip(codes, k, u, strict=True)])
    labels = np.asarray(evaluation.period_labels, dtype=object)
    ids = np.asarray(level.ids, dtype=object)
    units = np.asarray(evaluation.units, dtype=object)
    band = np.asarray(evaluation.status_names, dtype=object)
    # Per firing cell (few): the people behind the addresses and the words of the rule.
    resolved = [
        resolve_recipients(sc, str(ids[a]), str(units[b]), rules[i].to_role)
        for a, b, i in zip(k, u, w, strict=True)
    ]
    frame = pd.DataFrame(
        {
            "indicator": ids[k],
            "name": [sc.indicator(str(i)).label for i in ids[k]],
            "org_unit": units[u],
            "period": labels[p],
            "status": band[status[k, u, -1]],
            "run_length": runs,
            "since": labels[p - runs + 1],
            "rule": [rules[i].name for i in w],
            "periods": [rules[i].periods for i in w],
            "to_role": [rules[i].to_role for i in w],
            "to": [", ".join(people) for people, _ in resolved],
            "via": [via for _, via in resolved],
            "owner": [
                ", ".join(sc.people(str(ids[a]), Role.OWNER, str(units[b])))
                for a, b in zip(k, u, strict=True)
            ],
            "tier": tiers[k],
            "reason": [
                rules[i].describe(str(band[c])) + f" (held {n} periods, since {labels[p - n + 1]})"
                for i, c, n in zip(w, codes, runs, strict=True)
            ],
            "also_fired": [
                ", ".join(rules[j].name for j in np.nonzero(fired_any[a, b])[0] if j != i)
                for a, b, i in zip(k, u, w, strict=True)
            ],
        }
    )
    severity = np.array([order.index(int(i)) for i in w])
    frame = frame.iloc[np.argsort(severity, kind="stable")]
    return frame.reset_index(drop=True)[list(ESCALATION_COLUMNS)]


def escalation_events(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """One plain dict per escalation of :func:`evaluate_escalations`, for the
    ``bsc_on_escalation`` hook: text, ints and a tuple of recipients, nothing pandas.

    Keys: ``indicator``, ``name``, ``org_unit``, ``period``, ``status``, ``run_length``,
    ``since``, ``rule``, ``periods``, ``to_role``, ``to`` (tuple of people), ``via``,
    ``owner``, ``tier``, ``reason``, ``also_fired`` (tuple of rule names).

    Examples
    --------
    >>> escalation_events(pd.DataFrame(columns=list(ESCALATION_COLUMNS)))
    []
    """
    missing = [c for c in ESCALATION_COLUMNS if c not in frame.columns]
    if missing:
        raise ModelError(
            f"escalation frame lacks column(s) {missing}; pass the frame "
            "evaluate_escalations returned"
        )
    events: list[dict[str, Any]] = []
    for row in frame[list(ESCALATION_COLUMNS)].itertuples(index=False):
        event = dict(zip(ESCALATION_COLUMNS, row, strict=True))
        event["run_length"] = int(event["run_length"])
        event["periods"] = int(event["periods"])
        event["to"] = _split(event["to"])
        event["also_fired"] = _split(event["also_fired"])
        events.append({k: v if isinstance(v, int | tuple) else str(v) for k, v in event.items()})
    return events


def _split(text: object) -> tuple[str, ...]:
    return tuple(x for x in (s.strip() for s in str(text).split(",")) if x)
