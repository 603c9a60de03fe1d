"""Shared-cost allocation: service departments to producing units, and activity-based costing.

Finance indicators such as "cost per unit served" or "full cost of a business unit" need the
costs of service departments (IT, HR, facilities) charged to the units that produce. This
module holds the four textbook methods as pure functions over small arrays; their results feed
the cost indicators of a scorecard before it is scored. Variance analysis lives in
:mod:`balanced_scorecard.analytics.variance`.

One linear system covers the three service-department methods. Let ``c`` be the direct costs
of the service departments and ``S`` the effective share matrix (row = the department that
serves, column = the department served, rows summing to 1). A service department's total cost
``t`` is its own cost plus what it receives from the other service departments::

    t = c + S_ss.T @ t        (solved with numpy.linalg.solve)

and then every total is spread by its row of ``S``. The methods differ only in ``S_ss``, the
service-to-service block:

``direct``
    ``S_ss = 0``: services between service departments are ignored; each row is rescaled
    over the producing departments alone.
``step_down``
    Service departments are closed one at a time in an order; a department only charges
    producing departments and the service departments *after* it, so ``S_ss`` is strictly
    triangular in that order (each row rescaled over those recipients).
``reciprocal``
    ``S_ss`` is the full service-to-service block: every department serves every other.

Self-service (a department's share of its own services) moves no cost and is dropped before
any method runs: the rest of that row is rescaled to 1. A department that serves only itself,
or a group of service departments that only serve one another, has nowhere to send its cost
(the system above is singular); that is an error naming them.

Examples
--------
The reference case of issue 4 (service departments Y and Z, producing A and B):

>>> import pandas as pd
>>> costs = pd.Series({"Y": 7260.0, "Z": 4000.0, "A": 12000.0, "B": 16000.0})
>>> shares = pd.DataFrame(
...     {"A": [0.4, 0.2], "B": [0.4, 0.5], "Y": [0.0, 0.3], "Z": [0.2, 0.0]}, index=["Y", "Z"]
... )
>>> result = allocate_reciprocal(costs, shares)
>>> result.reciprocal_totals.round(2).to_dict()
{'Y': 9000.0, 'Z': 5800.0}
>>> result.allocated.round(2).to_dict()
{'A': 16760.0, 'B': 22500.0}
"""

from __future__ import annotations

# The methods live in private modules, one per topic; this module is their documented door.
from balanced_scorecard.analytics import _cost_allocation
from balanced_scorecard.analytics._activity_costing import (
    ActivityAllocation,
    allocate_activity_based,
)
from balanced_scorecard.analytics._cost_allocation import (
    Allocation,
    allocate_costs,
    allocate_direct,
    allocate_reciprocal,
    allocate_step_down,
    step_down_order,
)

__all__ = [
    "ALLOCATION_METHODS",
    "ActivityAllocation",
    "Allocation",
    "allocate_activity_based",
    "allocate_costs",
    "allocate_direct",
    "allocate_reciprocal",
    "allocate_step_down",
    "step_down_order",
]

# Bound here, not only imported, so that the API reference finds the constant's doc comment.
#: Names accepted by :func:`allocate_costs`.
ALLOCATION_METHODS: tuple[str, ...] = _cost_allocation.ALLOCATION_METHODS
