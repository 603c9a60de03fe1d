"""Customer metrics: NPS, CSAT, customer effort, delivery, first-contact resolution, retention.

The customer perspective's indicators are computed from survey responses and event rows that
live in the organisation's systems. Every function here takes such rows as a pandas frame
(column names are keyword options), is segmentable with ``by=`` (one output row per segment,
computed with one ``groupby``, never a loop per segment) and returns a tidy frame whose
figures can be fed to the scorecard as observations.

Conventions
-----------
* Shares are in **percent** (0–100), NPS in points (−100 to +100); columns say so with
  ``_pct``.
* NPS: promoters score 9–10, passives 7–8, detractors 0–6 on the 0–10 scale. Its standard
  error comes from the multinomial variance, ``100 · sqrt((p + d − (p − d)²) / n)``, and the
  interval is the normal (Wald) interval, clipped to [−100, 100].
* Proportions (top-box, on-time, first-contact resolution) carry a Wilson score interval,
  which stays inside [0, 100] and behaves at 0 % and 100 %.
* Percent of maximum is the POMP score ``(mean − min) / (max − min) · 100``: 0 at the bottom
  of the scale, 100 at the top, whatever the scale's first point.
* Retention and churn are activity based: a customer is active in a period when it has at least
  one row there; its cohort is its first active period; its segment is the one on its earliest
  row.
* Bad input (no rows, missing columns, NaN, scores off the scale, negative counts) raises
  :class:`~balanced_scorecard.exceptions.ObservationError` naming the column and the fix;
  nothing is dropped silently.
"""

from __future__ import annotations

# The metrics live in private modules, one per topic; this module is their documented door.
from balanced_scorecard.analytics._customer_retention import churn, retention_matrix
from balanced_scorecard.analytics._customer_service import (
    first_contact_resolution,
    on_time_delivery,
)
from balanced_scorecard.analytics._customer_surveys import (
    csat,
    customer_effort,
    nps,
    nps_from_counts,
)

__all__ = [
    "churn",
    "csat",
    "customer_effort",
    "first_contact_resolution",
    "nps",
    "nps_from_counts",
    "on_time_delivery",
    "retention_matrix",
]
