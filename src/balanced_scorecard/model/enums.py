"""Closed vocabularies of the model: polarity, leading/lagging, tiers, frequencies, aggregations,
data classifications."""

from __future__ import annotations

from enum import StrEnum

from balanced_scorecard._suggest import did_you_mean
from balanced_scorecard.exceptions import ModelError

__all__ = [
    "Classification",
    "Frequency",
    "LeadLag",
    "OrgAggregation",
    "Polarity",
    "Tier",
    "TimeAggregation",
    "to_classification",
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


class Classification(StrEnum):
    """How sensitive data is, least sensitive first: public < internal < confidential <
    personal.

    Members compare by sensitivity, not alphabetically, so ``max()`` gives the most
    sensitive of several. ``personal`` data (about identifiable people) is never rendered.

    Examples
    --------
    >>> Classification.CONFIDENTIAL < Classification.INTERNAL
    False
    >>> max(Classification("internal"), Classification("confidential"))
    <Classification.CONFIDENTIAL: 'confidential'>
    >>> Classification.PUBLIC.rank
    0
    """

    PUBLIC = "public"
    INTERNAL = "internal"
    CONFIDENTIAL = "confidential"
    PERSONAL = "personal"

    @property
    def rank(self) -> int:
        """Position in the order of sensitivity (0 for ``public``)."""
        return _CLASSIFICATION_RANKS[self.value]

    # A str's own comparison is alphabetical (confidential < internal): order by rank.
    def __lt__(self, other: str) -> bool:
        return self.rank < Classification(other).rank

    def __le__(self, other: str) -> bool:
        return self.rank <= Classification(other).rank

    def __gt__(self, other: str) -> bool:
        return self.rank > Classification(other).rank

    def __ge__(self, other: str) -> bool:
        return self.rank >= Classification(other).rank


_CLASSIFICATION_RANKS = {"public": 0, "internal": 1, "confidential": 2, "personal": 3}


def to_classification(value: object) -> Classification:
    """Converter: a :class:`Classification` or its name, case-insensitive.

    Examples
    --------
    >>> to_classification("Confidential")
    <Classification.CONFIDENTIAL: 'confidential'>
    >>> to_classification("secret")
    Traceback (most recent call last):
    ...
    balanced_scorecard.exceptions.ModelError: 'secret' is not a data classification. Use one of ...
    """
    if isinstance(value, Classification):
        return value
    text = str(value).strip().lower()
    try:
        return Classification(text)
    except ValueError:
        names = [c.value for c in Classification]
        raise ModelError(
            f"{value!r} is not a data classification.{did_you_mean(text, names)} Use one of "
            f"{', '.join(names)}."
        ) from None
