"""balanced_scorecard: the Balanced Scorecard as a library.

Define a scorecard as data, feed it observations, get back scored, rolled-up, explained
results. Importing the package does no work: plugins load when an :class:`Engine` is made.
"""

from os import PathLike

from balanced_scorecard._version import __version__
from balanced_scorecard.data.raw_facts import FactResult, aggregate_facts
from balanced_scorecard.data.reconcile import Reconciliation, reconcile
from balanced_scorecard.engine import Engine, targets_from_frame
from balanced_scorecard.exceptions import (
    DefinitionError,
    ExpressionError,
    ModelError,
    ObservationError,
    PluginError,
    Problem,
    ScorecardError,
    UnitError,
    UnknownMethodError,
    UnknownNodeError,
)
from balanced_scorecard.explain import Explanation
from balanced_scorecard.model import (
    DEFAULT_PERSPECTIVES,
    DEFAULT_STATUS_BANDS,
    AdjustmentStep,
    Assignment,
    CausalLink,
    Classification,
    DataSource,
    FactMapping,
    FactRule,
    FiscalCalendar,
    Frequency,
    Indicator,
    Initiative,
    LeadLag,
    Objective,
    OrgAggregation,
    OrgChart,
    OrgUnit,
    OutputPolicy,
    Perspective,
    Polarity,
    Role,
    Scorecard,
    Scoring,
    StatusBand,
    Target,
    TargetSet,
    Thresholds,
    Tier,
    TimeAggregation,
    Weight,
)
from balanced_scorecard.results import Evaluation
from balanced_scorecard.strategy_map import StrategyMap


def load(path: str | PathLike[str], *, engine: Engine | None = None) -> Scorecard:
    """Load a scorecard definition (YAML, TOML or JSON, chosen by the file suffix).

    Scoring and rollup method names are checked against ``engine``'s plugins (default: the
    shared default engine). Every problem in the file is reported at once in a
    :class:`DefinitionError` naming the file, line and path inside the document.
    """
    from balanced_scorecard.engine import default_engine

    return (engine if engine is not None else default_engine()).load(path)


__all__ = [
    "DEFAULT_PERSPECTIVES",
    "DEFAULT_STATUS_BANDS",
    "AdjustmentStep",
    "Assignment",
    "CausalLink",
    "Classification",
    "DataSource",
    "DefinitionError",
    "Engine",
    "Evaluation",
    "Explanation",
    "ExpressionError",
    "FactMapping",
    "FactResult",
    "FactRule",
    "FiscalCalendar",
    "Frequency",
    "Indicator",
    "Initiative",
    "LeadLag",
    "ModelError",
    "Objective",
    "ObservationError",
    "OrgAggregation",
    "OrgChart",
    "OrgUnit",
    "OutputPolicy",
    "Perspective",
    "PluginError",
    "Polarity",
    "Problem",
    "Reconciliation",
    "Role",
    "Scorecard",
    "ScorecardError",
    "Scoring",
    "StatusBand",
    "StrategyMap",
    "Target",
    "TargetSet",
    "Thresholds",
    "Tier",
    "TimeAggregation",
    "UnitError",
    "UnknownMethodError",
    "UnknownNodeError",
    "Weight",
    "__version__",
    "aggregate_facts",
    "load",
    "reconcile",
    "targets_from_frame",
]
