"""Frozen value objects of a Balanced Scorecard: no I/O, no pandas, no unit registry here."""

from balanced_scorecard.model.adjustments import AdjustmentStep
from balanced_scorecard.model.classification import OutputPolicy
from balanced_scorecard.model.enums import (
    Classification,
    Frequency,
    LeadLag,
    OrgAggregation,
    Polarity,
    Tier,
    TimeAggregation,
)
from balanced_scorecard.model.indicators import Indicator, Scoring
from balanced_scorecard.model.initiatives import Initiative
from balanced_scorecard.model.links import CausalLink
from balanced_scorecard.model.mappings import Condition, FactMapping, FactRule
from balanced_scorecard.model.objectives import DEFAULT_PERSPECTIVES, Objective, Perspective
from balanced_scorecard.model.org import OrgChart, OrgUnit
from balanced_scorecard.model.people import Assignment, Role
from balanced_scorecard.model.periods import FiscalCalendar
from balanced_scorecard.model.scorecard import Scorecard
from balanced_scorecard.model.sources import DataSource
from balanced_scorecard.model.targets import (
    DEFAULT_STATUS_BANDS,
    StatusBand,
    Target,
    TargetSet,
    Thresholds,
)
from balanced_scorecard.model.weights import Weight

__all__ = [
    "DEFAULT_PERSPECTIVES",
    "DEFAULT_STATUS_BANDS",
    "AdjustmentStep",
    "Assignment",
    "CausalLink",
    "Classification",
    "Condition",
    "DataSource",
    "FactMapping",
    "FactRule",
    "FiscalCalendar",
    "Frequency",
    "Indicator",
    "Initiative",
    "LeadLag",
    "Objective",
    "OrgAggregation",
    "OrgChart",
    "OrgUnit",
    "OutputPolicy",
    "Perspective",
    "Polarity",
    "Role",
    "Scorecard",
    "Scoring",
    "StatusBand",
    "Target",
    "TargetSet",
    "Thresholds",
    "Tier",
    "TimeAggregation",
    "Weight",
]
