"""Initiatives: the projects that are meant to move objectives."""

from __future__ import annotations

import attrs

from balanced_scorecard.model._convert import str_tuple

__all__ = ["Initiative"]


@attrs.frozen(kw_only=True)
class Initiative:
    """A project supporting one or more objectives.

    Examples
    --------
    >>> Initiative(id="crm", name="New CRM", objectives="retain").objectives
    ('retain',)
    """

    id: str
    name: str = ""
    objectives: tuple[str, ...] = attrs.field(default=(), converter=str_tuple)
    owner: str | None = None
    start: str | None = None
    end: str | None = None
    budget: float | None = attrs.field(default=None, converter=attrs.converters.optional(float))
    status: str = "planned"
    description: str = ""

    @property
    def label(self) -> str:
        """The name, or the id when there is no name."""
        return self.name or self.id
