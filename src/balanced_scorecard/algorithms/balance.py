"""Balance checks of a scorecard's design: drivers vs outcomes, efficiency vs effectiveness,
core vs support processes, and short vs long time horizons.

A balanced scorecard is meant to balance *lagging* outcomes (financial results) with the
*leading* drivers that produce them, and today's results with tomorrow's capability. This
module measures that balance on the definition alone (no observations):

* :func:`balance_summary` — counts and shares of leading and lagging indicators per
  perspective and objective, and the share of financial and of lagging measures overall, by
  count and by effective weight (see :func:`effective_weights`);
* :func:`horizon_balance` — the share of weight, incentives and executive reporting that is
  short-term vs long-term (each indicator's horizon from :func:`indicator_horizons`);
* rules returning :class:`~balanced_scorecard.algorithms.structure.Finding` objects, listed in
  :data:`BALANCE_RULES` and run by :func:`check_balance`.

Tag conventions
---------------
Rules read the ``tags`` of objectives and indicators (compared case-insensitively):

``core``, ``support``, ``differentiator``
    On objectives of the internal-process perspective: a core process, a support process, and
    a support process that sets the company apart (only those belong on the strategy map).
``efficiency``, ``effectiveness``
    On indicators: efficiency (resources per output, e.g. cost per transaction) and
    effectiveness (how good the output is, e.g. first-time-right rate).
``short-term``, ``long-term``
    On indicators (or objectives): an explicit time horizon.
``revenue``, ``cost`` / ``loyalty``, ``retention``, ``capability``, ``innovation``
    Topics that imply a short-term / a long-term horizon when no explicit one is given.
``incentive``
    On indicators: the indicator is part of an incentive (bonus, commission) scheme.

Teams that use other words pass ``tags={"efficiency": ["productivity"], "core": "primary"}``:
each canonical tag (a key of :data:`TAG_MEANINGS`) then also matches the listed words.

Examples
--------
>>> from balanced_scorecard.model import Indicator, Objective, Scorecard
>>> sc = Scorecard(id="demo",
...     objectives=[Objective(id="grow", perspective="financial"),
...                 Objective(id="serve", perspective="customer")],
...     indicators=[Indicator(id="revenue", objective="grow"),
...                 Indicator(id="margin", objective="grow"),
...                 Indicator(id="csat", objective="serve")])
>>> [f.rule for f in check_balance(sc)]
['lagging-heavy', 'lagging-heavy']
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from typing import TYPE_CHECKING, Final, Protocol

from balanced_scorecard.algorithms import _balance_horizons, _balance_leading, _balance_tags
from balanced_scorecard.algorithms._balance_horizons import (
    horizon_balance,
    horizon_table,
    indicator_horizons,
    short_term_heavy,
)
from balanced_scorecard.algorithms._balance_incentives import incentive_undermines_outcome
from balanced_scorecard.algorithms._balance_leading import (
    balance_summary,
    lagging_heavy,
    objective_only_lagging,
)
from balanced_scorecard.algorithms._balance_processes import (
    process_coverage_missing,
    process_effectiveness_only,
    process_efficiency_only,
    support_process_not_differentiating,
)
from balanced_scorecard.algorithms._balance_tags import vocabulary
from balanced_scorecard.algorithms._balance_weights import check_level, effective_weights
from balanced_scorecard.algorithms.findings import Finding, select_rules

if TYPE_CHECKING:
    from balanced_scorecard.model.scorecard import Scorecard

__all__ = [
    "BALANCE_COLUMNS",
    "BALANCE_RULES",
    "DEFAULT_LAGGING_WARNING",
    "DEFAULT_PERSPECTIVE_HORIZONS",
    "DEFAULT_SHORT_TERM_WARNING",
    "HORIZONS",
    "HORIZON_COLUMNS",
    "TAG_MEANINGS",
    "TagAliases",
    "balance_summary",
    "check_balance",
    "effective_weights",
    "horizon_balance",
    "incentive_undermines_outcome",
    "indicator_horizons",
    "lagging_heavy",
    "objective_only_lagging",
    "process_coverage_missing",
    "process_effectiveness_only",
    "process_efficiency_only",
    "short_term_heavy",
    "support_process_not_differentiating",
]

# The constants are defined next to the code that reads them, in the private modules. They are
# bound again here because Sphinx documents a module's data only from ``#:`` comments in that
# module's own source (the API page documents this module); the objects are the same.

#: The canonical tags the balance rules read, and what each means.
TAG_MEANINGS: Final[Mapping[str, str]] = _balance_tags.TAG_MEANINGS

#: The two time horizons, short first.
HORIZONS: Final = _balance_horizons.HORIZONS

#: Horizon of an indicator that neither it nor its objective tags with a horizon or a topic.
#: Financial results and process efficiency pay off within the year; customer relationships
#: (satisfaction, loyalty, retention) and learning and growth pay off over years.
DEFAULT_PERSPECTIVE_HORIZONS: Final[Mapping[str, str]] = (
    _balance_horizons.DEFAULT_PERSPECTIVE_HORIZONS
)

#: ``lagging-heavy`` warns when more than this share of the measures (by count or by effective
#: weight) is lagging, or financial: with more than 60 % outcomes the scorecard mostly reports
#: results after the fact, which is the imbalance the balanced scorecard was invented to fix.
DEFAULT_LAGGING_WARNING: Final = _balance_leading.DEFAULT_LAGGING_WARNING

#: ``short-term-heavy`` warns when more than this share of the effective weight, of the
#: incentive indicators or of the strategic (executive) indicators is short-term.
DEFAULT_SHORT_TERM_WARNING: Final = _balance_horizons.DEFAULT_SHORT_TERM_WARNING

#: Columns of :func:`balance_summary`.
BALANCE_COLUMNS: Final = _balance_leading.BALANCE_COLUMNS

#: Columns of :func:`horizon_balance`.
HORIZON_COLUMNS: Final = _balance_horizons.HORIZON_COLUMNS

#: Extra words per canonical tag, e.g. ``{"efficiency": ["productivity"], "core": "primary"}``.
TagAliases = _balance_tags.TagAliases


class _ProcessRule(Protocol):
    def __call__(
        self,
        scorecard: Scorecard,
        *,
        tags: TagAliases | None = ...,
        process_perspectives: Collection[str] = ...,
    ) -> list[Finding]: ...


#: Rule name -> checker (with default options), in the order :func:`check_balance` runs them.
BALANCE_RULES: Mapping[str, Callable[[Scorecard], list[Finding]]] = {
    "lagging-heavy": lagging_heavy,
    "objective-only-lagging": objective_only_lagging,
    "process-efficiency-only": process_efficiency_only,
    "process-effectiveness-only": process_effectiveness_only,
    "process-coverage-missing": process_coverage_missing,
    "support-process-not-differentiating": support_process_not_differentiating,
    "short-term-heavy": short_term_heavy,
    "incentive-undermines-outcome": incentive_undermines_outcome,
}


def check_balance(
    scorecard: Scorecard,
    *,
    rules: Collection[str] | None = None,
    lagging_warning: float = DEFAULT_LAGGING_WARNING,
    short_term_warning: float = DEFAULT_SHORT_TERM_WARNING,
    tags: TagAliases | None = None,
    financial_perspectives: Collection[str] = ("financial",),
    process_perspectives: Collection[str] = ("internal_process",),
    perspective_horizons: Mapping[str, str] | None = None,
    default_horizon: str = "short-term",
) -> list[Finding]:
    """Run the rules of :data:`BALANCE_RULES` with one set of options.

    Parameters
    ----------
    scorecard
        The scorecard to check.
    rules
        Names of the rules to run (default: all), run in :data:`BALANCE_RULES` order.
    lagging_warning, short_term_warning
        The ``warning_level`` of :func:`lagging_heavy` and :func:`short_term_heavy`.
    tags
        Extra words for the canonical tags (see the module docstring).
    financial_perspectives, process_perspectives
        Perspectives counted as financial, and whose objectives are processes.
    perspective_horizons, default_horizon
        See :func:`indicator_horizons`.

    Returns
    -------
    list of Finding
        In rule order, then document order.

    Raises
    ------
    UnknownMethodError
        When ``rules`` names a rule that does not exist.
    ModelError
        When an option is out of range.

    Examples
    --------
    >>> from balanced_scorecard.model import Scorecard
    >>> check_balance(Scorecard(id="empty"))
    []
    """
    check_level("lagging_warning", lagging_warning)
    check_level("short_term_warning", short_term_warning)
    vocabulary(tags)
    horizon_table(perspective_horizons, default_horizon)
    wanted = select_rules(BALANCE_RULES, rules, "balance")

    def process(check: _ProcessRule) -> list[Finding]:
        return check(scorecard, tags=tags, process_perspectives=process_perspectives)

    runners: dict[str, Callable[[], list[Finding]]] = {
        "lagging-heavy": lambda: lagging_heavy(
            scorecard, warning_level=lagging_warning, financial_perspectives=financial_perspectives
        ),
        "objective-only-lagging": lambda: objective_only_lagging(scorecard),
        "process-efficiency-only": lambda: process(process_efficiency_only),
        "process-effectiveness-only": lambda: process(process_effectiveness_only),
        "process-coverage-missing": lambda: process(process_coverage_missing),
        "support-process-not-differentiating": lambda: process(support_process_not_differentiating),
        "short-term-heavy": lambda: short_term_heavy(
            scorecard,
            warning_level=short_term_warning,
            tags=tags,
            perspective_horizons=perspective_horizons,
            default_horizon=default_horizon,
        ),
        "incentive-undermines-outcome": lambda: incentive_undermines_outcome(
            scorecard,
            tags=tags,
            perspective_horizons=perspective_horizons,
            default_horizon=default_horizon,
        ),
    }
    findings: list[Finding] = []
    for name in BALANCE_RULES:
        if name in wanted:
            findings.extend(runners[name]())
    return findings
