"""Activity-based costing: each activity's cost pool charged to units by its driver.

The public door is :mod:`balanced_scorecard.analytics.finance`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs
import numpy as np
import pandas as pd

from balanced_scorecard.analytics._allocation_inputs import check_non_negative
from balanced_scorecard.exceptions import ModelError

__all__ = ["ActivityAllocation", "allocate_activity_based"]


@attrs.frozen(kw_only=True, eq=False)
class ActivityAllocation:
    """The result of activity-based costing.

    Attributes
    ----------
    rates
        Cost per unit of driver for each activity (pool ÷ total driver quantity).
    matrix
        Cost moved from each activity (rows) to each unit (columns): quantity × rate.
    allocated
        Cost of each unit: the activity costs it drew plus its direct cost, if one was given.
        Sums to the total of the pools plus the direct costs.
    """

    rates: pd.Series
    matrix: pd.DataFrame
    allocated: pd.Series


def allocate_activity_based(
    pools: pd.Series | Mapping[Any, float],
    drivers: pd.DataFrame,
    *,
    direct_costs: pd.Series | Mapping[Any, float] | None = None,
) -> ActivityAllocation:
    """Activity-based costing: charge each activity's cost pool by its driver quantities.

    The rate of an activity is its pool divided by the total driver quantity over all units
    (e.g. purchasing 12,000 over 300 purchase orders is 40 per order); a unit is charged its
    quantity × rate, so every pool is spread in full.

    Parameters
    ----------
    pools
        Cost of each activity, indexed by activity. Finite and non-negative.
    drivers
        Driver quantity per unit (rows) and activity (columns). Finite and non-negative;
        every activity with a pool needs a column, and a positive pool a positive total.
    direct_costs
        Optional direct cost per unit, added to :attr:`ActivityAllocation.allocated`.

    Raises
    ------
    ModelError
        Naming the activity or unit: a negative or NaN value, an activity without a driver
        column, or a positive pool with zero total driver quantity.

    Examples
    --------
    >>> import pandas as pd
    >>> drivers = pd.DataFrame({"orders": [100, 200], "setups": [10, 30]}, index=["P", "Q"])
    >>> r = allocate_activity_based({"orders": 12000.0, "setups": 8000.0}, drivers)
    >>> r.rates.to_dict()
    {'orders': 40.0, 'setups': 200.0}
    >>> r.allocated.to_dict()
    {'P': 6000.0, 'Q': 14000.0}
    """
    pool = pd.Series(pools, dtype="float64")
    if pool.empty or drivers.shape[0] == 0:
        raise ModelError("activity-based costing needs at least one cost pool and one unit.")
    check_non_negative(pool.to_numpy(), pool.index, "cost pool of activity")
    missing = pool.index.difference(drivers.columns)
    if len(missing):
        raise ModelError(
            f"activity {missing[0]!r} has a cost pool but no driver column; "
            "add its driver quantities per unit."
        )
    quantity = drivers[pool.index].astype("float64")
    q = quantity.to_numpy()
    bad = ~np.isfinite(q) | (q < 0)
    if bad.any():
        row, col = (int(i[0]) for i in np.nonzero(bad))
        raise ModelError(
            f"driver quantity of unit {quantity.index[row]!r} for activity "
            f"{quantity.columns[col]!r} is {float(q[row, col])!r}; quantities must be finite "
            "and >= 0."
        )
    total = q.sum(axis=0)
    stranded = (total == 0) & (pool.to_numpy() > 0)
    if stranded.any():
        name = pool.index[int(np.argmax(stranded))]
        raise ModelError(
            f"activity {name!r} has a cost pool of {float(pool[name])!r} but no driver quantity "
            "in any unit; its cost cannot be allocated. Give it driver quantities or drop the pool."
        )
    rate = np.divide(pool.to_numpy(), total, out=np.zeros_like(total), where=total > 0)
    matrix = pd.DataFrame((q * rate).T, index=pool.index, columns=quantity.index)
    allocated = matrix.sum(axis=0)
    if direct_costs is not None:
        direct = pd.Series(direct_costs, dtype="float64").reindex(quantity.index)
        check_non_negative(direct.to_numpy(), direct.index, "direct cost of unit")
        allocated = allocated + direct
    return ActivityAllocation(
        rates=pd.Series(rate, index=pool.index, name="rate"),
        matrix=matrix,
        allocated=allocated.rename("allocated"),
    )
