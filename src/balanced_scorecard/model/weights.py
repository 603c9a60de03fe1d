"""Rollup weights that may change over time."""

from __future__ import annotations

import math
from typing import Any

import attrs

from balanced_scorecard.exceptions import ModelError

__all__ = ["Weight", "to_weight"]


def _changes(value: Any) -> tuple[tuple[str, float], ...]:
    if isinstance(value, dict):
        value = list(value.items())
    out = tuple((str(p), float(w)) for p, w in value)
    return tuple(sorted(out))


@attrs.frozen(kw_only=True)
class Weight:
    """A rollup weight: ``value`` from the start, then each ``(period, weight)`` change from
    that period on (periods as labels, e.g. ``"2025-01"``, compared as labels of one frequency).

    Examples
    --------
    >>> w = Weight(value=1.0, changes=(("2025-01", 2.0),))
    >>> w.at("2024-12"), w.at("2025-01"), w.at("2026-06")
    (1.0, 2.0, 2.0)
    >>> Weight(value=2).is_constant
    True
    """

    value: float = attrs.field(default=1.0, converter=float)
    changes: tuple[tuple[str, float], ...] = attrs.field(default=(), converter=_changes)

    def __attrs_post_init__(self) -> None:
        for w in (self.value, *(w for _, w in self.changes)):
            if not math.isfinite(w) or w < 0:
                raise ModelError(f"weight {w!r} is not allowed: weights must be finite and >= 0")

    @property
    def is_constant(self) -> bool:
        """True when the weight never changes."""
        return not self.changes

    def at(self, period: str) -> float:
        """The weight in force in ``period`` (a label comparable with the change labels)."""
        current = self.value
        for start, w in self.changes:
            if start <= period:
                current = w
        return current

    def values(self) -> tuple[float, ...]:
        """Every weight this schedule ever takes."""
        return (self.value, *(w for _, w in self.changes))


def to_weight(value: Any) -> Weight:
    """Converter: a number, a :class:`Weight`, or a mapping ``{"value": .., "changes": ..}``."""
    if isinstance(value, Weight):
        return value
    if isinstance(value, dict):
        return Weight(**value)
    return Weight(value=value)
