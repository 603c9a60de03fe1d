"""Planning cycles side by side: actuals against every target set (budget, reforecast...).

A scorecard keeps one target set per planning cycle (``target_sets:`` in the definition, or
CSV files, or the store's revisions). :func:`compare_plans` evaluates the same actuals
against each of them and lays the results side by side, so a review can ask "red against
the budget, green against the reforecast?" in one table.

Examples
--------
>>> import pandas as pd
>>> from balanced_scorecard.model import Indicator, Objective, Scorecard, Target, TargetSet
>>> budget = TargetSet(name="budget", targets=[Target(indicator="revenue", target=120,
...                                                   red_flag=100)])
>>> forecast = TargetSet(name="forecast", targets=[Target(indicator="revenue", target=95,
...                                                       red_flag=80)])
>>> sc = Scorecard(id="s", objectives=[Objective(id="grow", perspective="financial")],
...     indicators=[Indicator(id="revenue", objective="grow")],
...     target_sets=[budget, forecast])
>>> obs = pd.DataFrame({"indicator": ["revenue"], "org_unit": "all", "period": ["2025-06"],
...                     "value": [98.0]})
>>> table = compare_plans(sc, obs)
>>> row = table.iloc[0]
>>> float(row["actual"]), row["status_budget"], row["status_forecast"]
(98.0, 'red', 'green')
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd

from balanced_scorecard._suggest import did_you_mean
from balanced_scorecard.exceptions import UnknownNodeError

if TYPE_CHECKING:
    from balanced_scorecard.engine import Engine, Observations
    from balanced_scorecard.model.scorecard import Scorecard

__all__ = ["compare_plans"]

_KEYS = ["node", "kind", "name", "org_unit", "period"]


def compare_plans(
    scorecard: Scorecard,
    observations: Observations | None = None,
    *,
    target_sets: Sequence[str] | None = None,
    period: str | bool | None = None,
    kinds: Sequence[str] = ("indicator",),
    engine: Engine | None = None,
    **options: Any,
) -> pd.DataFrame:
    """Evaluate the same actuals against each target set and join the results.

    Parameters
    ----------
    scorecard, observations
        As for :meth:`balanced_scorecard.Engine.evaluate` (``None``: the definition's own
        sources).
    target_sets
        Names of the scorecard's target sets to compare (default: all of them, in
        definition order).
    period
        The period to show (default: the focus period); ``False`` for every period.
    kinds
        Which rows: ``indicator`` (default), ``objective``, ``perspective``, ``scorecard``.
    engine
        The engine to evaluate with (default: the default engine, with its plugins).
    **options
        Passed to :meth:`~balanced_scorecard.Engine.evaluate` (``org_unit``, ``start``...).

    Returns
    -------
    pandas.DataFrame
        ``node``, ``kind``, ``name``, ``org_unit``, ``period``, ``actual``, then for each
        target set ``target_<name>``, ``score_<name>`` and ``status_<name>``.

    Raises
    ------
    UnknownNodeError
        For a target set the scorecard does not have (with a did-you-mean).
    """
    from balanced_scorecard.engine import default_engine

    names = [t.name for t in scorecard.target_sets]
    wanted = list(names if target_sets is None else target_sets)
    for name in wanted:
        if name not in names:
            raise UnknownNodeError(
                f"no target set {name!r} in scorecard {scorecard.id!r}; it has "
                f"{names or 'none'}." + did_you_mean(name, names)
            )
    eng = engine if engine is not None else default_engine()
    out: pd.DataFrame | None = None
    for name in wanted:
        ev = eng.evaluate(scorecard, observations, targets=name, **options)
        focus: str | bool = ev.period_labels[ev.period_index(None)] if period is None else period
        frame = ev.to_frame(period=focus, org_unit=False)
        frame = frame[frame["kind"].isin(list(kinds))]
        part = frame[[*_KEYS, "actual", "target", "score", "status"]].rename(
            columns={
                "target": f"target_{name}",
                "score": f"score_{name}",
                "status": f"status_{name}",
            }
        )
        part = part.astype({"status_" + name: object})
        out = part if out is None else out.merge(part.drop(columns="actual"), on=_KEYS)
    if out is None:
        return pd.DataFrame(columns=[*_KEYS, "actual"])
    return out.reset_index(drop=True)
