"""Incentives against long-term outcomes: the ``incentive-undermines-outcome`` rule.

It follows the signed causal graph (causal links, and each indicator into its objective) from
every incentive indicator and reports the long-term outcomes (horizons from
:mod:`~balanced_scorecard.algorithms._balance_horizons`) that rewarding it pushes the wrong
way. Part of :mod:`~balanced_scorecard.algorithms.balance`, which re-exports the rule.
"""

from __future__ import annotations

import itertools
from collections import deque
from collections.abc import Mapping
from typing import TYPE_CHECKING

from balanced_scorecard.algorithms._balance_horizons import (
    horizon_table,
    indicator_horizons,
    objective_horizon,
)
from balanced_scorecard.algorithms._balance_tags import TagAliases, vocabulary
from balanced_scorecard.algorithms._finding_text import names
from balanced_scorecard.algorithms.findings import Finding, Severity

if TYPE_CHECKING:
    from balanced_scorecard.model.scorecard import Scorecard

__all__ = ["incentive_undermines_outcome"]


def _signed_edges(scorecard: Scorecard) -> dict[str, list[tuple[str, int]]]:
    """Signed causal graph: causal links, plus indicator -> its objective (sign = polarity:
    more of a lower-better indicator means less of the objective). In-range indicators have
    no direction and are left out."""
    out: dict[str, list[tuple[str, int]]] = {}
    for ind in scorecard.indicators:
        if ind.polarity.code:
            out.setdefault(ind.id, []).append((ind.objective, ind.polarity.code))
    for link in scorecard.links:
        out.setdefault(link.cause, []).append((link.effect, link.sign))
    return out


def _signed_reach(
    edges: Mapping[str, list[tuple[str, int]]], start: str
) -> dict[tuple[str, int], tuple[str, int] | None]:
    """Breadth-first over (node, sign of the path so far): shortest path predecessors."""
    parent: dict[tuple[str, int], tuple[str, int] | None] = {(start, 1): None}
    queue = deque([(start, 1)])
    while queue:
        node, sign = queue.popleft()
        for nxt, s in edges.get(node, ()):
            state = (nxt, sign * s)
            if state not in parent:
                parent[state] = (node, sign)
                queue.append(state)
    return parent


def _path(parent: Mapping[tuple[str, int], tuple[str, int] | None], end: tuple[str, int]) -> str:
    states = [end]
    while (before := parent[states[-1]]) is not None:
        states.append(before)
    states.reverse()
    text = states[0][0]
    for (_, s0), (node, s1) in itertools.pairwise(states):
        text += f" -[{'+' if s0 == s1 else '-'}]-> {node}"
    return text


def incentive_undermines_outcome(
    scorecard: Scorecard,
    *,
    tags: TagAliases | None = None,
    perspective_horizons: Mapping[str, str] | None = None,
    default_horizon: str = "short-term",
) -> list[Finding]:
    """Incentives that, along the strategy map, push a long-term outcome the wrong way.

    An incentive indicator (tagged ``incentive``) rewards moving it in its good direction
    (up when higher-better, down when lower-better; in-range incentives are skipped). The
    effect travels along causal links, multiplying their signs, and from an indicator to its
    objective (sign +1 for higher-better, -1 for lower-better). A long-term outcome is an
    objective or indicator whose horizon is long-term (:func:`indicator_horizons`; for an
    objective its own tags, then its perspective). The incentive undermines it when the
    rewarded move makes the outcome worse: rewarded direction × product of signs × the
    outcome's good direction is negative. For a higher-better incentive and outcome that is
    simply a negative product of link signs.

    One warning per incentive that undermines anything, naming the shortest such path (with
    each step's sign) and every long-term outcome it harms.

    Examples
    --------
    >>> from balanced_scorecard.model import CausalLink, Indicator, Objective, Scorecard
    >>> sc = Scorecard(id="demo",
    ...     objectives=[Objective(id="productive", perspective="internal_process"),
    ...                 Objective(id="loyal", perspective="customer", tags=["loyalty"])],
    ...     indicators=[Indicator(id="calls_per_hour", objective="productive",
    ...                           tags=["incentive"]),
    ...                 Indicator(id="first_contact_resolution", objective="productive")],
    ...     links=[CausalLink(cause="calls_per_hour", effect="first_contact_resolution",
    ...                       sign="-"),
    ...            CausalLink(cause="first_contact_resolution", effect="loyal")])
    >>> print(incentive_undermines_outcome(sc)[0].message)  # doctest: +NORMALIZE_WHITESPACE
    incentive 'calls_per_hour' rewards higher values, which works against long-term outcome
    'loyal' along calls_per_hour -[-]-> first_contact_resolution -[+]-> loyal (link signs
    multiply to -)
    """
    vocab = vocabulary(tags)
    table = horizon_table(perspective_horizons, default_horizon)
    per = indicator_horizons(
        scorecard, tags=tags, perspective_horizons=table, default_horizon=default_horizon
    )
    good: dict[str, int] = {}
    for o in scorecard.objectives:
        if objective_horizon(o, vocab, table, default_horizon)[0] == "long-term":
            good[o.id] = 1
    polarity = {i.id: i.polarity.code for i in scorecard.indicators}
    for ind_id, horizon in zip(per["indicator"], per["horizon"], strict=True):
        if horizon == "long-term" and polarity[ind_id]:
            good[str(ind_id)] = polarity[ind_id]
    edges = _signed_edges(scorecard)
    out: list[Finding] = []
    for ind in scorecard.indicators:
        rewarded = ind.polarity.code
        if not rewarded or not vocab.has(ind.tags, "incentive"):
            continue
        parent = _signed_reach(edges, ind.id)
        # Breadth-first insertion order: the first harmed state has the shortest path.
        harmed = [
            (node, sign)
            for node, sign in parent
            if node != ind.id and node in good and rewarded * sign * good[node] < 0
        ]
        if not harmed:
            continue
        outcomes = list(dict.fromkeys(node for node, _ in harmed))
        first = harmed[0]
        product = "+" if first[1] > 0 else "-"
        others = f"; it also works against {names(outcomes[1:])}" if outcomes[1:] else ""
        direction = "higher" if rewarded > 0 else "lower"
        out.append(
            Finding(
                rule="incentive-undermines-outcome",
                severity=Severity.WARNING,
                message=(
                    f"incentive {ind.id!r} rewards {direction} values, which works against "
                    f"long-term outcome {first[0]!r} along {_path(parent, first)} (link "
                    f"signs multiply to {product}){others}"
                ),
                nodes=(ind.id, *outcomes),
                fix=(
                    f"pair the incentive on {ind.id!r} with a guard-rail on {first[0]!r} (or "
                    "reward it too), change what it rewards, or check the signs of the links "
                    "on that path"
                ),
            )
        )
    return out
