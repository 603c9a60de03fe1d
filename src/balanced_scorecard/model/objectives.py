"""Perspectives and the objectives inside them."""

from __future__ import annotations

import attrs

from balanced_scorecard.model._convert import str_tuple
from balanced_scorecard.model.enums import Tier
from balanced_scorecard.model.weights import Weight, to_weight

__all__ = ["DEFAULT_PERSPECTIVES", "Objective", "Perspective"]


@attrs.frozen(kw_only=True)
class Perspective:
    """A perspective of the scorecard. Perspectives are listed top first (Financial on top of a
    strategy map); ``rollup`` combines its objectives' scores.

    Examples
    --------
    >>> [p.id for p in DEFAULT_PERSPECTIVES]
    ['financial', 'customer', 'internal_process', 'learning_growth']
    """

    id: str
    name: str = ""
    weight: Weight = attrs.field(factory=Weight, converter=to_weight)
    rollup: str = "weighted_mean"
    description: str = ""

    @property
    def label(self) -> str:
        """The name, or the id when there is no name."""
        return self.name or self.id


DEFAULT_PERSPECTIVES: tuple[Perspective, ...] = (
    Perspective(id="financial", name="Financial"),
    Perspective(id="customer", name="Customer"),
    Perspective(id="internal_process", name="Internal Process"),
    Perspective(id="learning_growth", name="Learning & Growth"),
)


@attrs.frozen(kw_only=True)
class Objective:
    """A strategic objective within a perspective; ``rollup`` combines its indicators' scores.

    ``parent`` names an objective it cascades from (a higher-level objective it serves);
    ``org_unit`` names the org unit whose scorecard holds it (``None``: the enterprise). A
    department's objective cascades from one of its business unit's or the enterprise's.

    Examples
    --------
    >>> Objective(id="grow", name="Grow revenue", perspective="financial").rollup
    'weighted_mean'
    """

    id: str
    name: str = ""
    perspective: str
    weight: Weight = attrs.field(factory=Weight, converter=to_weight)
    rollup: str = "weighted_mean"
    parent: str | None = None
    org_unit: str | None = None
    tier: Tier = attrs.field(default=Tier.STRATEGIC, converter=Tier)
    tags: tuple[str, ...] = attrs.field(default=(), converter=str_tuple)
    description: str = ""

    @property
    def label(self) -> str:
        """The name, or the id when there is no name."""
        return self.name or self.id
