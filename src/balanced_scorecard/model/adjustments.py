"""Adjustment steps a scorecard definition asks for on every evaluation."""

from __future__ import annotations

from typing import Any

import attrs

from balanced_scorecard.model._convert import frozen_options, thaw

__all__ = ["AdjustmentStep"]


@attrs.frozen(kw_only=True)
class AdjustmentStep:
    """Apply the registered adjuster ``adjuster`` with ``options`` (currency translation,
    inflation, one-time events). Steps run in the order the definition lists them, before the
    ones an evaluation adds; relative CSV paths in the options are relative to the definition.

    Examples
    --------
    >>> step = AdjustmentStep(adjuster="fx", options={"base": "EUR", "rates": "rates.csv"})
    >>> step.kwargs
    {'base': 'EUR', 'rates': 'rates.csv'}
    """

    adjuster: str
    options: tuple[tuple[str, Any], ...] = attrs.field(default=(), converter=frozen_options)
    description: str = ""

    @property
    def kwargs(self) -> dict[str, Any]:
        """The options as keyword arguments for the adjuster."""
        return {k: thaw(v) for k, v in self.options}
