"""Time-horizon balance: each indicator's horizon, how weight, incentives and executive
reporting split between the short and the long term, and the ``short-term-heavy`` rule.

An indicator's horizon comes from its tags, then its objective's, then its perspective
(:func:`indicator_horizons`). Part of :mod:`~balanced_scorecard.algorithms.balance`, which
re-exports everything public here.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Final

import numpy as np
import pandas as pd

from balanced_scorecard.algorithms._balance_tags import TagAliases, Vocabulary, vocabulary
from balanced_scorecard.algorithms._balance_weights import (
    FloatArray,
    check_level,
    effective_arrays,
    share_of,
    sum_by,
)
from balanced_scorecard.algorithms._finding_text import names, pct
from balanced_scorecard.algorithms.findings import Finding, Severity
from balanced_scorecard.exceptions import ModelError
from balanced_scorecard.model.enums import Tier

if TYPE_CHECKING:
    from balanced_scorecard.model.objectives import Objective
    from balanced_scorecard.model.scorecard import Scorecard

__all__ = [
    "DEFAULT_PERSPECTIVE_HORIZONS",
    "DEFAULT_SHORT_TERM_WARNING",
    "HORIZONS",
    "HORIZON_COLUMNS",
    "horizon_balance",
    "horizon_table",
    "indicator_horizons",
    "objective_horizon",
    "short_term_heavy",
]

# The public constants are documented (#:) where balance.py re-binds them.
HORIZONS: Final = ("short-term", "long-term")
_TOPIC_HORIZON: Final[Mapping[str, str]] = {
    "revenue": "short-term",
    "cost": "short-term",
    "loyalty": "long-term",
    "retention": "long-term",
    "capability": "long-term",
    "innovation": "long-term",
}
DEFAULT_PERSPECTIVE_HORIZONS: Final[Mapping[str, str]] = {
    "financial": "short-term",
    "customer": "long-term",
    "internal_process": "short-term",
    "learning_growth": "long-term",
}
DEFAULT_SHORT_TERM_WARNING: Final = 0.6
HORIZON_COLUMNS: Final = (
    "horizon",
    "indicators",
    "indicator_share",
    "weight",
    "weight_share",
    "incentives",
    "incentive_share",
    "strategic",
    "strategic_share",
)


def _check_horizon(name: str, value: str) -> None:
    if value not in HORIZONS:
        raise ModelError(f"{name} {value!r} is not a horizon; use 'short-term' or 'long-term'")


def horizon_table(
    perspective_horizons: Mapping[str, str] | None, default_horizon: str
) -> Mapping[str, str]:
    """The perspective -> horizon table to use, with it and ``default_horizon`` checked."""
    _check_horizon("default_horizon", default_horizon)
    table = DEFAULT_PERSPECTIVE_HORIZONS if perspective_horizons is None else perspective_horizons
    for p, h in table.items():
        _check_horizon(f"perspective_horizons[{p!r}]", h)
    return table


def _tag_horizon(
    tags: Sequence[str], vocab: Vocabulary, where: str, node: str
) -> tuple[str, str] | None:
    explicit = [h for h in HORIZONS if vocab.has(tags, h)]
    if len(explicit) == 2:
        raise ModelError(
            f"{where} {node!r} is tagged both short-term and long-term; keep the one that applies"
        )
    if explicit:
        return explicit[0], f"tag {explicit[0]}"
    topic = vocab.first(tags, _TOPIC_HORIZON)
    if topic is not None:
        return _TOPIC_HORIZON[topic[0]], f"tag {topic[1]}"
    return None


def objective_horizon(
    o: Objective, vocab: Vocabulary, table: Mapping[str, str], default: str
) -> tuple[str, str]:
    found = _tag_horizon(o.tags, vocab, "objective", o.id)
    if found is not None:
        return found[0], f"objective {found[1]}"
    if o.perspective in table:
        return table[o.perspective], f"perspective {o.perspective}"
    return default, "default"


def indicator_horizons(
    scorecard: Scorecard,
    *,
    tags: TagAliases | None = None,
    perspective_horizons: Mapping[str, str] | None = None,
    default_horizon: str = "short-term",
) -> pd.DataFrame:
    """The time horizon of every indicator, and why.

    The first of these decides:

    1. the indicator's tag ``short-term`` or ``long-term``;
    2. its first topic tag: ``revenue`` or ``cost`` (short-term); ``loyalty``, ``retention``,
       ``capability`` or ``innovation`` (long-term);
    3. the same two steps on its objective's tags;
    4. its perspective, through ``perspective_horizons`` (default
       :data:`DEFAULT_PERSPECTIVE_HORIZONS`: financial and internal process short-term,
       customer and learning & growth long-term);
    5. ``default_horizon`` (short-term) for any other perspective.

    Returns
    -------
    pandas.DataFrame
        One row per indicator in document order: ``indicator``, ``objective``,
        ``perspective``, ``horizon``, ``reason`` (the rule that decided), ``weight``
        (effective weight, :func:`effective_weights`), ``incentive`` (tagged ``incentive``)
        and ``strategic`` (strategic tier).

    Raises
    ------
    ModelError
        When a node is tagged both short-term and long-term, a horizon is not one of
        :data:`HORIZONS`, or a ``tags`` alias key is unknown.

    Examples
    --------
    >>> from balanced_scorecard.model import Indicator, Objective, Scorecard
    >>> sc = Scorecard(id="demo",
    ...     objectives=[Objective(id="grow", perspective="financial"),
    ...                 Objective(id="keep", perspective="customer")],
    ...     indicators=[Indicator(id="revenue", objective="grow"),
    ...                 Indicator(id="clv", objective="grow", tags=["retention"]),
    ...                 Indicator(id="promo_uptake", objective="keep", tags=["revenue"]),
    ...                 Indicator(id="churn", objective="keep")])
    >>> indicator_horizons(sc)[["indicator", "horizon", "reason"]]
          indicator     horizon                reason
    0       revenue  short-term  perspective financial
    1           clv   long-term         tag retention
    2  promo_uptake  short-term           tag revenue
    3         churn   long-term   perspective customer
    """
    vocab = vocabulary(tags)
    table = horizon_table(perspective_horizons, default_horizon)
    objectives = {o.id: o for o in scorecard.objectives}
    eff, _, _ = effective_arrays(scorecard)
    rows = []
    for k, ind in enumerate(scorecard.indicators):
        o = objectives[ind.objective]
        found = _tag_horizon(ind.tags, vocab, "indicator", ind.id)
        horizon, reason = found or objective_horizon(o, vocab, table, default_horizon)
        rows.append(
            (
                ind.id,
                o.id,
                o.perspective,
                horizon,
                reason,
                float(eff[k]),
                vocab.has(ind.tags, "incentive"),
                ind.tier is Tier.STRATEGIC,
            )
        )
    columns = [
        "indicator",
        "objective",
        "perspective",
        "horizon",
        "reason",
        "weight",
        "incentive",
        "strategic",
    ]
    frame = pd.DataFrame(rows, columns=columns)
    texts = dict.fromkeys(columns[:5], str)
    return frame.astype(texts | {"weight": np.float64, "incentive": bool, "strategic": bool})


def horizon_balance(
    scorecard: Scorecard,
    *,
    tags: TagAliases | None = None,
    perspective_horizons: Mapping[str, str] | None = None,
    default_horizon: str = "short-term",
) -> pd.DataFrame:
    """How the scorecard's weight, incentives and executive reporting split over the two
    time horizons (each indicator's horizon from :func:`indicator_horizons`).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`HORIZON_COLUMNS`, one row per horizon (short-term, long-term):
        ``indicators`` and ``indicator_share`` (of the count), ``weight`` and ``weight_share``
        (effective weight), ``incentives`` and ``incentive_share`` (indicators tagged
        ``incentive``), ``strategic`` and ``strategic_share`` (strategic-tier indicators: the
        reporting emphasis of the executive review). Each share column adds up to 1 over the
        two rows, or is NaN when there is nothing to share (e.g. no incentives). No
        indicators: an empty frame.

    Examples
    --------
    >>> from balanced_scorecard.model import Indicator, Objective, Scorecard
    >>> sc = Scorecard(id="demo",
    ...     objectives=[Objective(id="grow", perspective="financial"),
    ...                 Objective(id="keep", perspective="customer")],
    ...     indicators=[Indicator(id="revenue", objective="grow", tags=["incentive"],
    ...                           tier="strategic"),
    ...                 Indicator(id="churn", objective="keep")])
    >>> horizon_balance(sc)[["horizon", "weight_share", "incentive_share", "strategic_share"]]
          horizon  weight_share  incentive_share  strategic_share
    0  short-term           0.5              1.0              1.0
    1   long-term           0.5              0.0              0.0
    """
    per = indicator_horizons(
        scorecard,
        tags=tags,
        perspective_horizons=perspective_horizons,
        default_horizon=default_horizon,
    )
    if per.empty:
        return pd.DataFrame({c: [] for c in HORIZON_COLUMNS}).astype(
            {"horizon": str} | dict.fromkeys(HORIZON_COLUMNS[1:], np.float64)
        )
    code = (per["horizon"].to_numpy() == HORIZONS[1]).astype(np.intp)

    def split(weights: FloatArray) -> tuple[FloatArray, FloatArray]:
        part = sum_by(code, 2, weights)
        return part, share_of(part, np.full(2, part.sum()))

    count, count_share = split(np.ones(len(per)))
    weight, weight_share = split(per["weight"].to_numpy(dtype=np.float64))
    incentives, incentive_share = split(per["incentive"].to_numpy(dtype=np.float64))
    strategic, strategic_share = split(per["strategic"].to_numpy(dtype=np.float64))
    return pd.DataFrame(
        {
            "horizon": pd.array(HORIZONS, dtype=str),
            "indicators": count.astype(np.intp),
            "indicator_share": count_share,
            "weight": weight,
            "weight_share": weight_share,
            "incentives": incentives.astype(np.intp),
            "incentive_share": incentive_share,
            "strategic": strategic.astype(np.intp),
            "strategic_share": strategic_share,
        }
    )


def short_term_heavy(
    scorecard: Scorecard,
    *,
    warning_level: float = DEFAULT_SHORT_TERM_WARNING,
    tags: TagAliases | None = None,
    perspective_horizons: Mapping[str, str] | None = None,
    default_horizon: str = "short-term",
) -> list[Finding]:
    """Scorecards that weight, reward or report the short term above ``warning_level``.

    Up to three warnings, one per dimension of :func:`horizon_balance` whose short-term
    share is above the level (default :data:`DEFAULT_SHORT_TERM_WARNING`, 0.6): the
    effective weight, the incentive indicators, and the strategic-tier indicators. A
    dimension with nothing in it (no incentives) is not judged.

    Raises
    ------
    ModelError
        When ``warning_level`` is not in (0, 1], or see :func:`indicator_horizons`.

    Examples
    --------
    >>> from balanced_scorecard.model import Indicator, Objective, Scorecard
    >>> sc = Scorecard(id="demo",
    ...     objectives=[Objective(id="grow", perspective="financial")],
    ...     indicators=[Indicator(id="revenue", objective="grow", tags=["incentive"])])
    >>> [f.message.split(";")[0] for f in short_term_heavy(sc)]  # doctest: +NORMALIZE_WHITESPACE
    ['short-term indicators carry 100% of the effective weight, above the warning level 60%',
     "short-term indicators make up 100% of the incentive indicators, above the warning level
     60% ('revenue')"]
    """
    check_level("warning_level", warning_level)
    per = indicator_horizons(
        scorecard,
        tags=tags,
        perspective_horizons=perspective_horizons,
        default_horizon=default_horizon,
    )
    if per.empty:
        return []
    short = per["horizon"].to_numpy() == HORIZONS[0]
    weight = per["weight"].to_numpy(dtype=np.float64)
    dimensions = (
        ("carry", "the effective weight", weight, np.ones(len(per), dtype=bool)),
        ("make up", "the incentive indicators", None, per["incentive"].to_numpy(dtype=bool)),
        ("make up", "the strategic-tier indicators", None, per["strategic"].to_numpy(dtype=bool)),
    )
    fixes = {
        "the effective weight": "weight up long-term measures (loyalty, retention, capability)",
        "the incentive indicators": (
            "balance the incentive scheme with long-term measures (retention, loyalty, capability)"
        ),
        "the strategic-tier indicators": (
            "report long-term measures to executives too (tier: strategic)"
        ),
    }
    ids = per["indicator"].to_numpy()
    out: list[Finding] = []
    for verb, what, weights, selected in dimensions:
        if not selected.any():
            continue
        values = weights if weights is not None else selected.astype(np.float64)
        total = float(values.sum())
        share = float(values[short].sum() / total) if total > 0 else math.nan
        if not share > warning_level:
            continue
        nodes = [str(i) for i in ids[short & selected]]
        listed = f" ({names(nodes)})" if weights is None else ""
        out.append(
            Finding(
                rule="short-term-heavy",
                severity=Severity.WARNING,
                message=(
                    f"short-term indicators {verb} {pct(share)} of {what}, above the warning "
                    f"level {pct(warning_level)}{listed}; today's results crowd out the "
                    "loyalty and capability that produce tomorrow's"
                ),
                nodes=nodes,
                fix=fixes[what],
            )
        )
    return out
