"""Indicators (measures, KPIs) and how each is scored."""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from balanced_scorecard.exceptions import ModelError
from balanced_scorecard.model._convert import frozen_options, str_tuple, thaw
from balanced_scorecard.model.enums import (
    Classification,
    Frequency,
    LeadLag,
    OrgAggregation,
    Polarity,
    Tier,
    TimeAggregation,
    to_classification,
    to_frequency,
)
from balanced_scorecard.model.targets import Thresholds
from balanced_scorecard.model.weights import Weight, to_weight

__all__ = ["Indicator", "Scoring"]


@attrs.frozen(kw_only=True)
class Scoring:
    """How an indicator's actual value becomes a score in [0, 1].

    ``method`` names a registered scoring method; ``params`` are its options (stored frozen so
    the object can be hashed; read them back with :attr:`kwargs`). ``allow_overflow`` keeps
    scores above 1 (or below 0) instead of clamping them.

    Examples
    --------
    >>> s = Scoring(method="piecewise", params={"breakpoints": [[0, 0], [10, 1]]})
    >>> s.kwargs
    {'breakpoints': [[0, 0], [10, 1]]}
    """

    method: str = "goal_red_flag"
    params: tuple[tuple[str, Any], ...] = attrs.field(default=(), converter=frozen_options)
    allow_overflow: bool = False

    @property
    def kwargs(self) -> dict[str, Any]:
        """The params as keyword arguments for the scoring function."""
        return {k: thaw(v) for k, v in self.params}


def _default_org_aggregation(time_aggregation: TimeAggregation) -> OrgAggregation:
    if time_aggregation is TimeAggregation.RATIO_OF_SUMS:
        return OrgAggregation.RATIO_OF_SUMS
    if time_aggregation in (TimeAggregation.SUM, TimeAggregation.LAST):
        return OrgAggregation.SUM
    if time_aggregation is TimeAggregation.WEIGHTED_MEAN:
        return OrgAggregation.WEIGHTED_MEAN
    return OrgAggregation.MEAN


ValidRange = tuple[float | None, float | None]


def to_valid_range(value: Any) -> ValidRange | None:
    """A ``(min, max)`` pair (either may be None for an open end) or a mapping with keys
    ``min`` and ``max``, as a pair of floats; None stays None (no range declared).

    Examples
    --------
    >>> to_valid_range([0, None]), to_valid_range({"max": 100})
    ((0.0, None), (None, 100.0))
    """
    if value is None:
        return None
    if isinstance(value, Mapping):
        extra = set(value) - {"min", "max"}
        if extra:
            raise ModelError(
                f"valid_range has unknown key(s) {sorted(map(str, extra))}; use min and max"
            )
        pair = [value.get("min"), value.get("max")]
    elif isinstance(value, str) or not isinstance(value, Iterable):
        raise ModelError(f"valid_range must be a (min, max) pair, got {value!r}")
    else:
        pair = list(value)
    if len(pair) != 2:
        raise ModelError(f"valid_range must be a (min, max) pair, got {value!r}")
    out: list[float | None] = []
    for end in pair:
        if end is None:
            out.append(None)
            continue
        if isinstance(end, bool) or not isinstance(end, numbers.Real) or not math.isfinite(end):
            raise ModelError(
                f"valid_range ends must be finite numbers or None (open end), got {end!r}"
            )
        out.append(float(end))
    return out[0], out[1]


@attrs.frozen(kw_only=True)
class Indicator:
    """A measure of an objective.

    Parameters
    ----------
    id, name
        Identity and display name.
    objective
        Id of the objective it measures.
    unit
        A pint unit string (``"EUR"``, ``"percent"``, ``"day"``, ``"count"``).
    polarity
        Which direction is good.
    lead_lag
        Leading (driver) or lagging (outcome).
    frequency
        How often it is measured.
    time_aggregation
        How observations within a review period combine.
    org_aggregation
        How child org units combine; defaults from ``time_aggregation`` (sums and stocks add,
        ratios recompute, everything else averages).
    formula
        For a calculated indicator: an expression over other indicator ids.
    scoring, thresholds
        The scoring method and the default thresholds (targets may override per period).
    weight
        Weight within its objective.
    tier, tags, description
        Classification and documentation.
    max_age
        The acceptable refresh interval: how old (by its ``as_of``) the latest value may be
        before the evaluation flags it as stale, e.g. ``"1 day"`` or ``"35 days"``.
    valid_range
        The plausible values, ``(min, max)`` in the indicator's unit, either end None for
        open: rows outside are quarantined by the ``valid-range`` rule. Without one, an
        indicator in a share unit (percent, per mille, ppm) is checked against 0 to one
        whole as a warning; ``(None, None)`` declares that any value is plausible.
    classification
        How sensitive its values are, set explicitly. ``None`` (default) derives it: the
        most sensitive of the source fields that feed it, and of the inputs of a formula
        (see :func:`~balanced_scorecard.model.classification.effective_classifications`).

    Examples
    --------
    >>> ind = Indicator(id="revenue", name="Revenue", objective="grow", unit="EUR",
    ...                 time_aggregation="sum")
    >>> ind.org_aggregation, ind.is_calculated
    (<OrgAggregation.SUM: 'sum'>, False)
    """

    id: str
    name: str = ""
    objective: str
    unit: str = "dimensionless"
    polarity: Polarity = attrs.field(default=Polarity.HIGHER_BETTER, converter=Polarity)
    lead_lag: LeadLag = attrs.field(default=LeadLag.LAGGING, converter=LeadLag)
    frequency: Frequency = attrs.field(default=Frequency.MONTHLY, converter=to_frequency)
    time_aggregation: TimeAggregation = attrs.field(
        default=TimeAggregation.MEAN, converter=TimeAggregation
    )
    org_aggregation: OrgAggregation = attrs.field(
        converter=OrgAggregation,
    )
    formula: str | None = None
    scoring: Scoring = attrs.field(factory=Scoring)
    thresholds: Thresholds = attrs.field(factory=Thresholds)
    weight: Weight = attrs.field(factory=Weight, converter=to_weight)
    tier: Tier = attrs.field(default=Tier.OPERATIONAL, converter=Tier)
    tags: tuple[str, ...] = attrs.field(default=(), converter=str_tuple)
    description: str = ""
    #: How old the latest value may be before it is stale ("1 day", "36h", "35 days").
    max_age: str | None = None
    #: Plausible values (min, max) in its unit, None for an open end; None: not declared.
    valid_range: ValidRange | None = attrs.field(default=None, converter=to_valid_range)
    #: How sensitive its values are; None derives it from its sources or formula inputs.
    classification: Classification | None = attrs.field(
        default=None, converter=attrs.converters.optional(to_classification)
    )

    @org_aggregation.default
    def _org_aggregation_default(self) -> OrgAggregation:
        return _default_org_aggregation(self.time_aggregation)

    def __attrs_post_init__(self) -> None:
        if not self.id:
            raise ModelError("an indicator needs a non-empty id")
        if self.formula is not None and not self.formula.strip():
            raise ModelError(f"indicator {self.id!r} has an empty formula; remove it or fill it")
        if self.valid_range is not None:
            low, high = self.valid_range
            if low is not None and high is not None and low > high:
                raise ModelError(
                    f"indicator {self.id!r} has valid_range min {low:g} above max {high:g}; "
                    "write (min, max)"
                )

    @property
    def is_calculated(self) -> bool:
        """True for an indicator computed by a formula from other indicators."""
        return self.formula is not None

    @property
    def label(self) -> str:
        """The name, or the id when there is no name."""
        return self.name or self.id
