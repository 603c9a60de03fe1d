"""Review triggers for financial variances, and the balance of short- and long-term spending.

A variance against budget is not yet a strategy problem. :func:`classify_variances` sorts
each (indicator, org unit, period) variance into

- ``operational``: inside the tolerance, or beyond it only briefly; the line manager deals
  with it in the monthly review;
- ``strategic``: beyond the tolerance for ``persistence`` consecutive periods in the same
  direction, or beyond it in the same period on at least ``linked_min`` indicators of one
  group of linked objectives; it goes to the strategy review.

Each row says which rule fired. :func:`investment_balance` measures whether cost cutting
is eating the investment that long-term objectives need (R&D, training).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from balanced_scorecard.exceptions import ObservationError

__all__ = ["classify_variances", "investment_balance"]


def classify_variances(
    variances: pd.DataFrame,
    *,
    tolerance: float = 5.0,
    persistence: int = 3,
    groups: Mapping[str, str] | None = None,
    linked_min: int = 2,
    column: str = "variance_pct",
) -> pd.DataFrame:
    """Operational or strategic: classify variances with the rule that fired.

    Parameters
    ----------
    variances
        ``indicator``, ``org_unit``, ``period`` (sortable labels) and ``column``, the
        variance in percent of budget (signed; e.g. from
        :func:`~balanced_scorecard.analytics.variance.budget_variance`).
    tolerance
        Variances within ± this many percent are operational.
    persistence
        Consecutive periods beyond the tolerance, in the same direction, that make a
        variance strategic.
    groups
        Indicator → group of linked objectives (e.g. the objectives one causal chain of
        the strategy map connects). Indicators of one group beyond the tolerance in the
        same period and unit on ``linked_min`` or more indicators are strategic.
    linked_min
        How many indicators of a group must be beyond tolerance together.
    column
        The variance column.

    Returns
    -------
    pandas.DataFrame
        The input plus ``run`` (consecutive periods beyond tolerance in the same direction,
        up to this one), ``level`` (``operational`` / ``strategic``) and ``rule``.

    Examples
    --------
    Hand-worked: revenue misses budget by 8 % three months running (tolerance 5 %): the
    third month is strategic; a single 9 % miss of cost is operational (short-lived).

    >>> v = pd.DataFrame({
    ...     "indicator": ["revenue"] * 3 + ["cost"] * 3,
    ...     "org_unit": "all",
    ...     "period": ["2025-01", "2025-02", "2025-03"] * 2,
    ...     "variance_pct": [-8.0, -8.5, -9.0, 2.0, 9.0, 1.0],
    ... })
    >>> out = classify_variances(v)
    >>> print(out[["indicator", "period", "run", "level", "rule"]].to_string(index=False))
    indicator  period  run       level                 rule
      revenue 2025-01    1 operational          short-lived
      revenue 2025-02    2 operational          short-lived
      revenue 2025-03    3   strategic persistent: 3 periods
         cost 2025-01    0 operational     within tolerance
         cost 2025-02    1 operational          short-lived
         cost 2025-03    0 operational     within tolerance
    """
    need = {"indicator", "org_unit", "period", column}
    missing = need - set(variances.columns)
    if missing:
        raise ObservationError(
            f"classify_variances needs columns {sorted(need)}; missing {sorted(missing)}"
        )
    if tolerance < 0 or persistence < 1 or linked_min < 1:
        raise ObservationError(
            f"tolerance ({tolerance}) must be >= 0, persistence ({persistence}) and "
            f"linked_min ({linked_min}) >= 1"
        )
    out = variances.reset_index(drop=True).copy()
    v = pd.to_numeric(out[column], errors="coerce").to_numpy(dtype=float)
    beyond = np.abs(v) > tolerance
    sign = np.where(beyond, np.sign(v), 0.0)
    order = out.sort_values(["indicator", "org_unit", "period"], kind="stable").index.to_numpy()
    key = out.loc[order, ["indicator", "org_unit"]].astype(str).agg("\x1f".join, axis=1)
    s = sign[order]
    # A run restarts where the series changes, the direction changes or a point is inside.
    new_series = np.r_[True, key.to_numpy()[1:] != key.to_numpy()[:-1]]
    restart = new_series | np.r_[True, s[1:] != s[:-1]]
    block = np.cumsum(restart)
    counter = pd.Series(np.ones(len(s))).groupby(block).cumsum().to_numpy()
    run = np.zeros(len(out), dtype=np.int64)
    run[order] = np.where(s != 0, counter, 0).astype(np.int64)
    persistent = run >= persistence
    linked = np.zeros(len(out), dtype=bool)
    if groups:
        group = out["indicator"].map(dict(groups))
        flagged = out.assign(_g=group, _b=beyond)
        counts = flagged[flagged["_g"].notna()].groupby(["_g", "org_unit", "period"])["_b"].sum()
        n_linked = (
            pd.MultiIndex.from_arrays([group, out["org_unit"], out["period"]])
            .map(counts.to_dict())
            .to_numpy(dtype=float)
        )
        linked = beyond & (np.nan_to_num(n_linked) >= linked_min)
    out["run"] = run
    out["level"] = np.where(persistent | linked, "strategic", "operational")
    out["rule"] = np.select(
        [~beyond, persistent, linked],
        [
            "within tolerance",
            [f"persistent: {r} periods" for r in run],
            [f"linked: {(groups or {}).get(i, '')}" for i in out["indicator"]],
        ],
        default="short-lived",
    )
    return out


def investment_balance(
    spend: pd.DataFrame,
    *,
    long_term: Sequence[str],
    short_term: Sequence[str] = (),
    floor: float | None = None,
) -> pd.DataFrame:
    """Per period: long-term investment (R&D, training) as a share of the spend that
    competes with it, and whether it fell below ``floor``.

    Parameters
    ----------
    spend
        ``indicator``, ``period`` and ``value`` (amounts in one currency), any org units.
    long_term
        Indicators that build future capability (R&D spend, training budget).
    short_term
        Indicators of short-term cost or cost reduction to compare with; default all
        others in the frame.
    floor
        Minimum acceptable long-term share in percent; periods below it are flagged.

    Returns
    -------
    pandas.DataFrame
        ``period``, ``long_term``, ``short_term``, ``share`` (%), ``change`` (points from
        the previous period) and ``below_floor``.

    Examples
    --------
    Hand-worked: R&D and training 30 of 130 in Q1 (23.1 %), 20 of 120 in Q2 (16.7 %).

    >>> s = pd.DataFrame({"indicator": ["rnd", "training", "opex"] * 2,
    ...                   "period": ["2025Q1"] * 3 + ["2025Q2"] * 3,
    ...                   "value": [20.0, 10.0, 100.0, 12.0, 8.0, 100.0]})
    >>> out = investment_balance(s, long_term=["rnd", "training"], floor=20)
    >>> print(out.round(1).to_string(index=False))
    period  long_term  short_term  share  change  below_floor
    2025Q1       30.0       100.0   23.1     NaN        False
    2025Q2       20.0       100.0   16.7    -6.4         True
    """
    missing = {"indicator", "period", "value"} - set(spend.columns)
    if missing:
        raise ObservationError(
            f"investment_balance needs indicator, period, value; missing {sorted(missing)}"
        )
    if not long_term:
        raise ObservationError("name at least one long-term indicator (e.g. R&D spend)")
    value = pd.to_numeric(spend["value"], errors="coerce")
    if (value < 0).any():
        raise ObservationError("spend must not be negative; check the value column")
    is_long = spend["indicator"].isin(list(long_term))
    is_short = spend["indicator"].isin(list(short_term)) if short_term else ~is_long
    frame = pd.DataFrame(
        {
            "period": spend["period"],
            "long_term": value.where(is_long, 0.0),
            "short_term": value.where(is_short & ~is_long, 0.0),
        }
    )
    out = frame.groupby("period", sort=True).sum().reset_index()
    total = out["long_term"] + out["short_term"]
    out["share"] = 100.0 * out["long_term"] / total.where(total > 0)
    out["change"] = out["share"].diff()
    out["below_floor"] = (out["share"] < floor) if floor is not None else False
    return out
