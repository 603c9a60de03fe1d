"""People metrics for the learning-and-growth perspective.

Competency, retention, training, mobility, engagement and knowledge reuse are computed from
HR rows that live in the organisation's systems. Every function here takes such rows as a
pandas frame (column names are keyword options), is segmentable with ``by=`` (one output row
per segment, computed with one ``groupby``, never a loop per employee) and returns a tidy
frame whose figures can be fed to the scorecard as observations.

Conventions
-----------
* Rates and shares are **fractions in [0, 1]**; day counts are calendar days (floats).
* A person is employed on day ``d`` when ``hired <= d`` and ``left`` is missing or
  ``left > d``: the leaving date is the first day no longer employed.
* Periods are closed: ``period_start`` and ``period_end`` are both inside.
* A segment with nothing to divide by gets NaN for its rate, never a silent zero, and the
  counts beside it say why.
* Bad input (no rows, missing columns, unparseable or out-of-order dates, negative hours or
  counts) raises :class:`~balanced_scorecard.exceptions.ObservationError` naming the column
  and the fix; a bad option raises :class:`~balanced_scorecard.exceptions.ModelError`.
"""

from __future__ import annotations

# The metrics live in private modules, one per topic; this module is their documented door.
from balanced_scorecard.analytics._people_engagement import Engagement, engagement_index
from balanced_scorecard.analytics._people_knowledge import documentation_completeness, reuse_rate
from balanced_scorecard.analytics._people_workforce import (
    CompetencyTimes,
    high_performer_retention,
    internal_mobility_rate,
    time_to_competency,
    training_hours_per_employee,
)

__all__ = [
    "CompetencyTimes",
    "Engagement",
    "documentation_completeness",
    "engagement_index",
    "high_performer_retention",
    "internal_mobility_rate",
    "reuse_rate",
    "time_to_competency",
    "training_hours_per_employee",
]
