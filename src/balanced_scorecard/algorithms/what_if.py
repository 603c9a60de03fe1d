"""What-if: shift a driver and follow the effect along the strategy map's causal links.

A change of ``x`` (a fraction: 0.10 is +10 %) in one driver travels along every causal link
``cause -> effect`` with an **elasticity** ``e`` (the effect's relative change per relative
change of the cause) and the link's **lag** in review periods:

.. math::

    \\Delta_{effect}(t) = \\sum_{links} e \\cdot \\Delta_{cause}(t - lag)

The driver's change is a step from period 0 on. Elasticities are the ones given
(``elasticities={(cause, effect): e}``, for example estimated from the data) or, by default,
derived from the declared map: ``sign × weight / (sum of the weights of the links into the
effect)``, so an effect driven by several causes moves by the weighted mean of their
changes. An objective also moves with its indicators along the ``measures`` edges, by the
indicator's share of the objective's weights (an indicator's value moving against its
polarity counts negative). Links with zero lag are solved together each period (they must
not form a cycle); lagged links, feedback loops included, carry the change forward in time.

Examples
--------
>>> from balanced_scorecard.model import CausalLink, Indicator, Objective, Scorecard
>>> sc = Scorecard(id="m",
...     objectives=[Objective(id="grow", perspective="financial"),
...                 Objective(id="delight", perspective="customer")],
...     indicators=[Indicator(id="training", objective="delight")],
...     links=[CausalLink(cause="training", effect="delight", lag=1),
...            CausalLink(cause="delight", effect="grow", lag=2)])
>>> result = what_if(sc, "training", 0.10, horizon=4)
>>> result.changes.loc["grow"].round(3).tolist()  # +10 % arrives after 1 + 2 periods
[0.0, 0.0, 0.0, 0.1, 0.1]
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import attrs
import numpy as np
import pandas as pd

from balanced_scorecard._suggest import did_you_mean
from balanced_scorecard.exceptions import ModelError, UnknownNodeError
from balanced_scorecard.model.enums import Polarity

if TYPE_CHECKING:
    from balanced_scorecard.model.scorecard import Scorecard

__all__ = ["LINK_COLUMNS", "WhatIf", "what_if"]

#: Columns of :attr:`WhatIf.links`.
LINK_COLUMNS = ("cause", "effect", "kind", "lag", "elasticity", "source", "carried")


@attrs.frozen(kw_only=True, eq=False)
class WhatIf:
    """The result of :func:`what_if`.

    Attributes
    ----------
    driver, change, horizon
        What was shifted, by how much (a fraction) and over how many periods.
    changes
        Relative change of every reached node (rows) per period after the shift
        (columns ``0..horizon``); unreached nodes are left out.
    links
        One row per edge that carried part of the change: ``cause``, ``effect``, ``kind``
        (``causes`` or ``measures``), ``lag``, ``elasticity``, ``source`` (``given``,
        ``declared`` or ``weights``) and ``carried`` (the change it brought to its effect
        at the horizon), largest first.
    """

    driver: str
    change: float
    horizon: int
    changes: pd.DataFrame
    links: pd.DataFrame

    def outcome(self, node: str) -> float:
        """The relative change of ``node`` at the horizon (0.0 when it is not reached)."""
        if node not in self.changes.index:
            return 0.0
        row = self.changes.index.get_loc(node)
        return float(self.changes.to_numpy()[row, -1])

    def __str__(self) -> str:
        head = f"What if {self.driver} changes by {self.change:+.1%}: at period {self.horizon}"
        rows = [
            f"  {node}: {float(series.iloc[-1]):+.2%}"
            for node, series in self.changes.iterrows()
            if node != self.driver
        ]
        carried = [
            f"  {r.cause} -> {r.effect} (lag {r.lag}, elasticity {r.elasticity:.3g}): "
            f"{r.carried:+.2%}"
            for r in self.links.itertuples()
        ]
        return "\n".join([head, *rows, "carried by:", *carried])


def _edges(
    scorecard: Scorecard, elasticities: Mapping[tuple[str, str], float]
) -> list[tuple[str, str, str, int, float, str]]:
    """(cause, effect, kind, lag, elasticity, source) of every edge the change can take."""
    links = list(scorecard.links)
    into: dict[str, float] = {}
    for x in links:
        into[x.effect] = into.get(x.effect, 0.0) + x.weight
    out = []
    for x in links:
        key = (x.cause, x.effect)
        if key in elasticities:
            out.append((x.cause, x.effect, "causes", x.lag, float(elasticities[key]), "given"))
        else:
            share = x.weight / into[x.effect] if into[x.effect] > 0 else 0.0
            out.append((x.cause, x.effect, "causes", x.lag, x.sign * share, "declared"))
    for obj in scorecard.objectives:
        inds = scorecard.indicators_of(obj.id)
        total = sum(i.weight.value for i in inds)
        for i in inds:
            if total <= 0 or i.polarity is Polarity.IN_RANGE:
                continue
            sign = 1.0 if i.polarity is Polarity.HIGHER_BETTER else -1.0
            out.append((i.id, obj.id, "measures", 0, sign * i.weight.value / total, "weights"))
    return out


def what_if(
    scorecard: Scorecard,
    driver: str,
    change: float,
    *,
    horizon: int | None = None,
    elasticities: Mapping[tuple[str, str], float] | None = None,
) -> WhatIf:
    """Shift ``driver`` by ``change`` (a fraction) and propagate it along the map.

    Parameters
    ----------
    scorecard
        The scorecard whose map carries the change.
    driver
        An objective or indicator id.
    change
        The relative change of the driver, e.g. ``0.10`` for +10 %.
    horizon
        Periods to follow (default: the longest chain of lags from the driver, at least 1).
    elasticities
        ``{(cause, effect): elasticity}`` for links whose elasticity is known (for example
        estimated from the data); the others use the declared weights and signs.

    Returns
    -------
    WhatIf
        Changes per node and period, and the links that carried them.

    Raises
    ------
    UnknownNodeError
        For a driver that is not an objective or indicator.
    ModelError
        For a non-finite change, a negative horizon, an elasticity for a link the map does
        not declare, or a cycle of zero-lag links.
    """
    nodes = [o.id for o in scorecard.objectives] + [i.id for i in scorecard.indicators]
    if driver not in nodes:
        raise UnknownNodeError(
            f"what-if needs an objective or indicator as driver, not {driver!r}."
            + did_you_mean(driver, nodes)
        )
    if not np.isfinite(change):
        raise ModelError(f"change={change!r} must be a finite fraction, e.g. 0.1 for +10 %")
    given = dict(elasticities or {})
    declared = {(x.cause, x.effect) for x in scorecard.links}
    unknown = sorted(set(given) - declared)
    if unknown:
        raise ModelError(
            f"elasticities given for {unknown}, which are not causal links of the map; "
            "declare the link first or drop the elasticity"
        )
    edges = _edges(scorecard, given)
    index = {n: k for k, n in enumerate(nodes)}
    lags = sorted({e[3] for e in edges})
    if horizon is None:
        horizon = max(1, sum(lag for lag in lags))
    if horizon < 0:
        raise ModelError(f"horizon={horizon} must be 0 or more periods")
    n = len(nodes)
    # One matrix per lag: m[lag][effect, cause] = elasticity.
    mats = {lag: np.zeros((n, n)) for lag in lags or [0]}
    for cause, effect, _, lag, e, _ in edges:
        mats[lag][index[effect], index[cause]] += e
    zero = mats.get(0, np.zeros((n, n)))
    # Zero-lag links act within a period: x = zero @ x + rest, solved once as (I - zero)^-1.
    nilpotent = np.linalg.matrix_power(zero, n) if n else zero
    if np.abs(nilpotent).max(initial=0.0) > 1e-12:
        raise ModelError(
            "the zero-lag links form a cycle, so a change would feed back on itself within "
            "one period; give one link of the loop a lag (feedback: true, lag: 1)"
        )
    solve = np.linalg.inv(np.eye(n) - zero)
    shock = np.zeros(n)
    shock[index[driver]] = change
    x = np.zeros((horizon + 1, n))
    for t in range(horizon + 1):  # a recurrence in time: each period needs the earlier ones
        rest = shock.copy()
        for lag, m in mats.items():
            if lag > 0 and t - lag >= 0:
                rest += m @ x[t - lag]
        x[t] = solve @ rest
        x[t, index[driver]] = change  # the driver is held at its shifted value
    reached = np.flatnonzero(np.abs(x).max(axis=0) > 1e-15)
    changes = pd.DataFrame(
        x[:, reached].T, index=[nodes[k] for k in reached], columns=range(horizon + 1)
    )
    rows = []
    for cause, effect, kind, lag, e, source in edges:
        before = x[horizon - lag, index[cause]] if horizon - lag >= 0 else 0.0
        carried = e * before
        if abs(carried) > 1e-15 and effect != driver:
            rows.append((cause, effect, kind, lag, e, source, carried))
    links = pd.DataFrame(rows, columns=list(LINK_COLUMNS))
    links = links.reindex(links["carried"].abs().sort_values(ascending=False).index)
    return WhatIf(
        driver=driver,
        change=float(change),
        horizon=int(horizon),
        changes=changes,
        links=links.reset_index(drop=True),
    )
