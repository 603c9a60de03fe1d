"""Variance analysis and driver trees: explain why a financial result differs from plan.

Where :mod:`balanced_scorecard.analytics.finance` decides *how much* cost a unit carries, this
module explains *why* a result moved: budget against actual per line, the flexible-budget split
into price, volume, mix and quantity variances, and the attribution of a change in a product of
drivers (ROIC = NOPAT margin × capital turnover) or in operating margin (one minus the cost
ratios) to each driver. All functions are vectorised
over lines (products, cost lines, business units) with numpy and return pandas frames.

Sign convention: a variance is always *actual minus reference*; whether that is good is a
separate column decided by the line's polarity (``higher_better`` for revenue and margin,
``lower_better`` for cost), as in a scorecard.

Examples
--------
>>> import pandas as pd
>>> report = budget_variance(
...     pd.Series({"revenue": 1050.0, "travel": 130.0}),
...     pd.Series({"revenue": 1000.0, "travel": 100.0}),
...     polarity=["higher_better", "lower_better"],
... )
>>> report[["variance", "variance_pct", "status"]]
         variance  variance_pct        status
revenue      50.0           5.0    favourable
travel       30.0          30.0  unfavourable
"""

from __future__ import annotations

# The functions live in private modules, one per topic; this module is their documented door.
from balanced_scorecard.analytics import _budget_variance, _driver_trees
from balanced_scorecard.analytics._budget_variance import (
    budget_variance,
    favourability,
    flexible_budget,
)
from balanced_scorecard.analytics._driver_trees import (
    attribute_formula_change,
    attribute_operating_margin_change,
    attribute_product_change,
    attribute_roic_change,
    operating_margin_drivers,
    roic_drivers,
)

__all__ = [
    "ATTRIBUTION_METHODS",
    "FLEXIBLE_BUDGET_COLUMNS",
    "ROIC_COLUMNS",
    "attribute_formula_change",
    "attribute_operating_margin_change",
    "attribute_product_change",
    "attribute_roic_change",
    "budget_variance",
    "favourability",
    "flexible_budget",
    "operating_margin_drivers",
    "roic_drivers",
]

# The constants are bound here, not only imported, so that the API reference finds their doc
# comments.

#: Columns :func:`flexible_budget` reads from its ``lines`` frame.
FLEXIBLE_BUDGET_COLUMNS: tuple[str, ...] = _budget_variance.FLEXIBLE_BUDGET_COLUMNS

#: Columns :func:`roic_drivers` and :func:`attribute_roic_change` read.
ROIC_COLUMNS: tuple[str, ...] = _driver_trees.ROIC_COLUMNS

#: Names accepted by :func:`attribute_product_change`.
ATTRIBUTION_METHODS: tuple[str, ...] = _driver_trees.ATTRIBUTION_METHODS
