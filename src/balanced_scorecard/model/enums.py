"""Closed vocabularies of the model: polarity, leading/lagging, tiers, frequencies, aggregations."""

from __future__ import annotations

from enum import StrEnum

__all__ = [
    "Frequency",
    "LeadLag",
    "OrgAggregation",
    "Polarity",
    "Tier",
    "TimeAggregation",
    "to_frequency",
]


class Polarity(StrEnum):
    """Which direction of an indicator is good."""

    HIGHER_BETTER = "higher_better"
    LOWER_BETTER = "lower_better"
    IN_RANGE = "in_range"

    @property
    def code(self) -> int:
        """Integer code used by the vectorised scoring functions (1, -1, 0)."""
        return {"higher_better": 1, "lower_better": -1, "in_range": 0}[self.value]


class LeadLag(StrEnum):
    """Whether an indicator drives outcomes (leading) or reports them (lagging)."""

    LEADING = "leading"
    LAGGING = "lagging"


class Tier(StrEnum):
    """Who the indicator is for: the executive (strategic) or the operation (operational)."""

    STRATEGIC = "strategic"
    OPERATIONAL = "operational"


class Frequency(StrEnum):
    """How often an indicator is measured, or a scorecard reviewed.

    Values are the pandas period aliases the data layer uses.
    """

    DAILY = "D"
    WEEKLY = "W"
    MONTHLY = "M"
    QUARTERLY = "Q"
    YEARLY = "Y"

    @classmethod
    def parse(cls, value: object) -> Frequency:
        """Accept a member, its alias (``"M"``) or its name (``"monthly"``)."""
        if isinstance(value, Frequency):
            return value
        text = str(value).strip()
        by_name = {
            "daily": cls.DAILY,
            "day": cls.DAILY,
            "weekly": cls.WEEKLY,
            "week": cls.WEEKLY,
            "monthly": cls.MONTHLY,
            "month": cls.MONTHLY,
            "quarterly": cls.QUARTERLY,
            "quarter": cls.QUARTERLY,
            "yearly": cls.YEARLY,
            "annual": cls.YEARLY,
            "year": cls.YEARLY,
        }
        if text.lower() in by_name:
            return by_name[text.lower()]
        return cls(text.upper())

    @property
    def rank(self) -> int:
        """Coarseness: a period of a higher rank contains whole periods of lower ranks."""
        return "DWMQY".index(self.value)


def to_frequency(value: object) -> Frequency:
    """Converter: a :class:`Frequency`, its alias (``"M"``) or name (``"monthly"``)."""
    return Frequency.parse(value)


class TimeAggregation(StrEnum):
    """How an indicator's observations within one review period combine."""

    SUM = "sum"
    MEAN = "mean"
    LAST = "last"
    MIN = "min"
    MAX = "max"
    RATIO_OF_SUMS = "ratio_of_sums"
    WEIGHTED_MEAN = "weighted_mean"


class OrgAggregation(StrEnum):
    """How an indicator's values of child org units combine into their parent's value."""

    SUM = "sum"
    MEAN = "mean"
    WEIGHTED_MEAN = "weighted_mean"
    MIN = "min"
    MAX = "max"
    RATIO_OF_SUMS = "ratio_of_sums"
    NONE = "none"
