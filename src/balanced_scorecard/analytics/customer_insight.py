"""Customer insight: journey coverage, perceived vs delivered gaps, survey sampling plans.

:mod:`balanced_scorecard.analytics.customer` computes the customer perspective's metrics;
this module answers the questions an insight analyst asks about them. Does some indicator
watch every stage of the customer journey (:func:`journey_coverage`)? Where do customers feel
worse, or better, than the service they get (:func:`perception_gap`)? How many customers of
each segment must be surveyed, and which ones may be asked without tiring them
(:func:`sample_size`, :func:`plan_survey`)?

Conventions
-----------
* Journey stages default to :data:`JOURNEY_STAGES`; a scorecard maps its indicators to them
  with tags ``journey:<stage>`` and, optionally, to segments with ``segment:<name>``. An
  indicator with no segment tag measures the whole customer base and covers every segment.
* Gaps compare standardised scores across segments: z-scores with the sample standard
  deviation (``ddof=1``) by default, or ranks scaled to [0, 1]. ``gap = perceived − delivered``
  on that scale; below ``−threshold`` is a *perception gap* (customers less happy than the
  delivery warrants), above ``+threshold`` a *delivery risk* (happier than the delivery
  justifies, which will not last).
* Sample sizes are for a proportion at the worst case ``p = 0.5`` with the finite population
  correction, rounded up: ``n0 = z² p (1 − p) / e²``, ``n = n0 / (1 + (n0 − 1) / N)``.
  Margins are fractions (0.05 is ±5 points).
* Survey fatigue: a customer may get at most ``max_surveys`` surveys in any ``window``; it is
  eligible on ``as_of`` when fewer than that were sent in ``(as_of − window, as_of]``, so with
  one per 90 days a customer surveyed exactly 90 days ago is eligible again.
* The draw is a simple random sample without replacement within each segment. A customer's
  draw key is a seeded hash of its id, so the same seed picks the same customers whatever the
  row order, and adding customers to the list does not reshuffle the others.
"""

from __future__ import annotations

# The tools live in private modules, one per topic; this module is their documented door.
from balanced_scorecard.analytics import _customer_journey
from balanced_scorecard.analytics._customer_journey import JourneyCoverage, journey_coverage
from balanced_scorecard.analytics._customer_perception import perception_gap
from balanced_scorecard.analytics._survey_sampling import (
    SurveyPlan,
    margin_of_error,
    plan_survey,
    sample_size,
)

__all__ = [
    "JOURNEY_STAGES",
    "JourneyCoverage",
    "SurveyPlan",
    "journey_coverage",
    "margin_of_error",
    "perception_gap",
    "plan_survey",
    "sample_size",
]

# Bound here, not only imported, so that the API reference finds the constant's doc comment.
#: The default customer journey, in order.
JOURNEY_STAGES: tuple[str, ...] = _customer_journey.JOURNEY_STAGES
