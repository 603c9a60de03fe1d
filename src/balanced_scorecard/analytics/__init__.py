"""Domain analytics behind the scorecard's indicators: pure numpy/pandas functions, each
usable alone in a notebook (``from balanced_scorecard.analytics import spc``).

Modules: :mod:`~balanced_scorecard.analytics.spc` (control charts and run rules),
:mod:`~balanced_scorecard.analytics.capability` (process capability),
:mod:`~balanced_scorecard.analytics.customer` (NPS, CSAT),
:mod:`~balanced_scorecard.analytics.finance` (cost allocation, variances).
Nothing is imported here, so importing the package stays cheap.
"""
