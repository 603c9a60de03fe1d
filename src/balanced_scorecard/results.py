"""The result of an evaluation: dense arrays inside, tidy frames and explanations outside.

An :class:`Evaluation` holds every score of every node, org unit and period as numpy arrays
(``(node, org_unit, period)``); the tidy frame is built on first use and cached, so an
evaluation that is only rendered for one period never pays for the full frame.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np
import pandas as pd

from balanced_scorecard._suggest import did_you_mean
from balanced_scorecard.algorithms.trend import Trend
from balanced_scorecard.exceptions import UnknownNodeError
from balanced_scorecard.explain import Explanation, explain_node
from balanced_scorecard.model.enums import Frequency
from balanced_scorecard.model.people import Role
from balanced_scorecard.model.scorecard import Scorecard

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from balanced_scorecard.algorithms.root_cause import CauseTree
    from balanced_scorecard.algorithms.significance import SignificanceThresholds
    from balanced_scorecard.data.observations import PreparedObservations
    from balanced_scorecard.engine import Engine
    from balanced_scorecard.exceptions import PluginError
    from balanced_scorecard.governance.annotations import Annotation, Override
    from balanced_scorecard.governance.cadence import Agenda, Meeting
    from balanced_scorecard.governance.escalation import EscalationRule
    from balanced_scorecard.model.classification import OutputPolicy
    from balanced_scorecard.redaction import AccessView
    from balanced_scorecard.visual.strategy_map import StrategyMapPicture

__all__ = ["FRAME_COLUMNS", "Evaluation", "IndicatorLevel", "NodeLevel"]

#: Columns of :attr:`Evaluation.frame`, in order.
FRAME_COLUMNS = (
    "node",
    "kind",
    "name",
    "parent",
    "org_unit",
    "period",
    "actual",
    "unit",
    "target",
    "red_flag",
    "score",
    "status",
    "trend",
    "change",
    "weight",
    "contribution",
)


@attrs.frozen(kw_only=True, eq=False)
class NodeLevel:
    """Scores of one rollup level (objectives, perspectives or the scorecard), each array
    shaped ``(node, org_unit, period)``; ``weight``/``contribution`` are the node's effective
    weight and contribution in its parent."""

    kind: str
    ids: tuple[str, ...]
    parent: np.ndarray
    score: np.ndarray
    status: np.ndarray
    trend: Trend
    weight: np.ndarray
    contribution: np.ndarray


@attrs.frozen(kw_only=True, eq=False)
class IndicatorLevel:
    """Values and scores of the indicators, each array shaped ``(indicator, org_unit,
    period)``."""

    ids: tuple[str, ...]
    parent: np.ndarray
    actual: np.ndarray
    numerator: np.ndarray
    denominator: np.ndarray
    count: np.ndarray
    sources: np.ndarray
    targets: dict[str, np.ndarray]
    score: np.ndarray
    raw_score: np.ndarray
    clamped: np.ndarray
    status: np.ndarray
    trend: Trend
    weight: np.ndarray
    contribution: np.ndarray
    formulas: dict[int, str]

    @property
    def kind(self) -> str:
        """Always ``"indicator"``."""
        return "indicator"


@attrs.frozen(kw_only=True, eq=False)
class Evaluation:
    """A scored, rolled-up, explainable result. Build one with
    :meth:`balanced_scorecard.Engine.evaluate` or :meth:`Scorecard.evaluate`.

    Attributes
    ----------
    scorecard
        The definition that was evaluated.
    periods, period_labels
        Period ordinals and their labels (``2025-03``), oldest first.
    period
        The label of the focus period (the latest evaluated).
    units
        The org units evaluated (the requested unit and its subtree), chart order.
    quality
        Quarantined or noteworthy input rows: ``row``, ``source``, ``indicator``,
        ``org_unit``, ``period``, ``value``, ``severity``, ``rule``, ``message``; also,
        without a ``row``, sources that failed (rule ``source-failed``) and rows that never
        came (rule ``completeness``: gaps in a series, org units missing beside their peers).
    notes
        Problems found during the evaluation itself (division by zero, unscored values).
    """

    scorecard: Scorecard
    freq: Frequency
    periods: np.ndarray
    period_labels: tuple[str, ...]
    units: tuple[str, ...]
    indicators: IndicatorLevel
    objectives: NodeLevel
    perspectives: NodeLevel
    total: NodeLevel
    quality: pd.DataFrame
    notes: pd.DataFrame
    target_set: str | None = None
    plugin_errors: tuple[PluginError, ...] = ()
    #: Labels of the periods whose books were not closed at the knowledge date.
    provisional: tuple[str, ...] = ()
    #: The ``as_known_at`` moment the evaluation was made for, if any (ISO text).
    as_known_at: str | None = None
    #: What adjusters did to the values used: ``indicator``, ``org_unit``, ``period``,
    #: ``note`` (one row per adjusted observation).
    adjustments: pd.DataFrame = attrs.field(
        factory=lambda: pd.DataFrame(columns=["indicator", "org_unit", "period", "note"])
    )
    #: Share of periods with data per (indicator, org unit) expected to report it:
    #: ``periods_expected``, ``periods_present``, ``completeness`` (%).
    completeness: pd.DataFrame = attrs.field(factory=pd.DataFrame)
    #: Per period: ``completeness`` (% of expected cells with data), ``validity`` (% of
    #: input rows that passed validation) and ``timeliness`` (% of rows with an ``as_of``
    #: recorded before the period closed). See :meth:`quality_observations`.
    data_quality: pd.DataFrame = attrs.field(factory=pd.DataFrame)
    #: Per (source, indicator): rows used and quarantined, validity, rows with an ``as_of``
    #: and the share recorded before the period closed (timeliness); see
    #: :func:`~balanced_scorecard.data.source_quality.quality_by_source`.
    source_quality: pd.DataFrame = attrs.field(factory=pd.DataFrame)
    #: Per indicator with a ``max_age`` and org unit: ``last_as_of``, ``age``, ``max_age``
    #: and ``stale`` (older than allowed at the knowledge date).
    freshness: pd.DataFrame = attrs.field(factory=pd.DataFrame)
    #: The reported view when a normalising adjuster (``one_time``) ran: the same
    #: observations evaluated without the normalising steps, over the same org units and
    #: periods. ``None`` when nothing was normalised (the values are the reported ones).
    #: :meth:`compare_reported` puts the two side by side.
    reported: Evaluation | None = attrs.field(default=None, eq=False, repr=False)
    #: The validated observations the evaluation used (for lineage in :meth:`explain`).
    observations: PreparedObservations | None = attrs.field(default=None, eq=False, repr=False)
    #: For a view made by :meth:`for_role`: the role, its ceiling and what is withheld.
    access: AccessView | None = attrs.field(default=None, eq=False, repr=False)
    #: The engine that produced the evaluation; its renderers serve :meth:`render`.
    engine: Engine | None = attrs.field(default=None, eq=False, repr=False)
    #: Owners' status overrides (see :meth:`with_overrides`): the status arrays carry them,
    #: so every output shows them, and :meth:`to_frame` marks them.
    overrides: tuple[Override, ...] = attrs.field(default=(), eq=False, repr=False)
    #: The computed status of each overridden (node, org unit, period) cell.
    overridden_from: Mapping[tuple[str, str, str], str | None] = attrs.field(
        factory=dict, eq=False, repr=False
    )

    # -- navigation -----------------------------------------------------------------------

    @property
    def period(self) -> str:
        """Label of the focus period (the last one evaluated)."""
        return self.period_labels[-1]

    @property
    def org_unit(self) -> str:
        """The top org unit of this evaluation."""
        return self.units[0]

    @property
    def status_names(self) -> tuple[str, ...]:
        """Status band names, lowest first; a status code indexes this tuple. A view that
        withholds indicators adds ``withheld`` at the end (see :meth:`for_role`)."""
        names = tuple(b.name for b in self.scorecard.status_bands)
        return (*names, "withheld") if self.access is not None and self.access.withheld else names

    @cached_property
    def _levels(self) -> dict[str, IndicatorLevel | NodeLevel]:
        return {
            "indicator": self.indicators,
            "objective": self.objectives,
            "perspective": self.perspectives,
            "scorecard": self.total,
        }

    @cached_property
    def _node_pos(self) -> dict[str, tuple[str, int]]:
        out: dict[str, tuple[str, int]] = {}
        for kind, level in self._levels.items():
            out.update({n: (kind, k) for k, n in enumerate(level.ids)})
        return out

    def locate(self, node: str) -> tuple[IndicatorLevel | NodeLevel, int]:
        """The level holding ``node`` and its row in that level's arrays."""
        try:
            kind, k = self._node_pos[node]
        except KeyError:
            raise UnknownNodeError(
                f"no node {node!r} in this evaluation." + did_you_mean(node, self._node_pos)
            ) from None
        return self._levels[kind], k

    def unit_index(self, org_unit: str | None) -> int:
        """Position of ``org_unit`` (default: the top unit) in :attr:`units`."""
        if org_unit is None:
            return 0
        try:
            return self.units.index(org_unit)
        except ValueError:
            raise UnknownNodeError(
                f"org unit {org_unit!r} is not part of this evaluation (units: "
                f"{', '.join(self.units[:8])}{'...' if len(self.units) > 8 else ''})."
                + did_you_mean(org_unit, self.units)
            ) from None

    def period_index(self, period: str | None) -> int:
        """Position of a period label (default: the focus period)."""
        if period is None:
            return len(self.period_labels) - 1
        try:
            return self.period_labels.index(str(period))
        except ValueError:
            raise UnknownNodeError(
                f"period {period!r} was not evaluated; evaluated {self.period_labels[0]} to "
                f"{self.period_labels[-1]}." + did_you_mean(str(period), self.period_labels)
            ) from None

    # -- frames ---------------------------------------------------------------------------

    def to_frame(
        self, *, period: str | bool | None = None, org_unit: str | bool | None = None
    ) -> pd.DataFrame:
        """The tidy frame, one row per (node, org unit, period).

        Parameters
        ----------
        period
            A period label, ``None`` for the focus period, or ``False`` for every period.
        org_unit
            An org unit id, ``None`` for every unit, or ``False`` for every unit too.

        Returns
        -------
        DataFrame
            Columns :data:`FRAME_COLUMNS`. ``status`` and ``kind`` are categoricals;
            ``trend`` is ``improving``, ``flat``, ``worsening`` or empty.
        """
        p_sel = (
            np.arange(len(self.period_labels))
            if period is False
            else np.array([self.period_index(period if isinstance(period, str) else None)])
        )
        u_sel = (
            np.arange(len(self.units))
            if org_unit is None or org_unit is False
            else np.array([self.unit_index(str(org_unit))])
        )
        parts = [self._level_frame(level, u_sel, p_sel) for level in self._levels.values()]
        # Top of the hierarchy first, as people read a scorecard.
        out = pd.concat(parts[::-1], ignore_index=True)
        if self.overrides:
            from balanced_scorecard.governance.annotations import apply_overrides

            # The arrays hold the overriding statuses; put the computed ones back so that
            # apply_overrides marks each cell with what it replaced.
            keys = list(zip(out["node"], out["org_unit"], out["period"], strict=True))
            computed = [
                self.overridden_from.get(k, s) for k, s in zip(keys, out["status"], strict=True)
            ]
            out["status"] = pd.Categorical(computed, categories=out["status"].cat.categories)
            out = apply_overrides(out, self.overrides, scorecard=self.scorecard)
        return out

    def with_overrides(self, overrides: Iterable[Override]) -> Evaluation:
        """This evaluation with owners' manual status overrides.

        Each override is checked first (only an owner of the node in that org unit may
        override, with a justification, to a known status; see
        :func:`~balanced_scorecard.governance.annotations.check_override`). The scores stay
        as computed; the statuses (and so every report, exception list, escalation, chart and
        renderer) take the overriding one, :meth:`to_frame` adds ``original_status``,
        ``overridden_by`` and ``override_justification`` columns, and the renderers mark it.

        Examples
        --------
        >>> from balanced_scorecard.governance import Override
        >>> from balanced_scorecard.model import Assignment
        >>> ev = _demo()
        >>> ev = attrs.evolve(ev, scorecard=attrs.evolve(ev.scorecard,
        ...     assignments=[Assignment(role="owner", person="ann", node="revenue")]))
        >>> o = Override(node="revenue", org_unit="all", period="2025-02", status="amber",
        ...              by="ann", justification="a large order slipped into March",
        ...              at="2025-03-02T09:00:00Z")
        >>> row = ev.with_overrides([o]).to_frame().query("node == 'revenue'").iloc[0]
        >>> row["status"], row["original_status"], row["overridden_by"]
        ('amber', 'green', 'ann')
        """
        from balanced_scorecard.governance.annotations import check_override

        given = (*self.overrides, *overrides)
        names = list(self.status_names)
        for o in given:
            check_override(self.scorecard, o, status_names=names)
        # The latest override of a cell wins; cells outside the evaluation are ignored.
        latest = {o.cell: o for o in sorted(given, key=lambda o: o.at)}
        levels = self._levels  # keyed by each level's kind
        status = {kind: lvl.status.copy() for kind, lvl in levels.items()}
        originals = dict(self.overridden_from)
        for (node, unit, period), o in latest.items():
            if unit not in self.units or period not in self.period_labels:
                continue
            level, k = self.locate(node)
            u, p = self.units.index(unit), self.period_labels.index(period)
            code = int(status[level.kind][k, u, p])
            originals.setdefault((node, unit, period), names[code] if code >= 0 else None)
            status[level.kind][k, u, p] = names.index(o.status)
        return attrs.evolve(
            self,
            indicators=attrs.evolve(self.indicators, status=status["indicator"]),
            objectives=attrs.evolve(self.objectives, status=status["objective"]),
            perspectives=attrs.evolve(self.perspectives, status=status["perspective"]),
            total=attrs.evolve(self.total, status=status["scorecard"]),
            overrides=given,
            overridden_from=originals,
        )

    @cached_property
    def frame(self) -> pd.DataFrame:
        """Every node, org unit and period (see :meth:`to_frame`); built once, on first use."""
        return self.to_frame(period=False, org_unit=None)

    def _level_frame(
        self, level: IndicatorLevel | NodeLevel, u_sel: np.ndarray, p_sel: np.ndarray
    ) -> pd.DataFrame:
        n, nu, np_ = len(level.ids), len(u_sel), len(p_sel)
        ix = np.ix_(np.arange(n), u_sel, p_sel)
        node_codes = np.repeat(np.arange(n), nu * np_)
        unit_codes = np.tile(np.repeat(u_sel, np_), n)
        period_codes = np.tile(p_sel, n * nu)
        sc = self.scorecard
        if isinstance(level, IndicatorLevel):
            names = [sc.indicator(i).label for i in level.ids]
            parents = [sc.indicator(i).objective for i in level.ids]
            units = [sc.indicator(i).unit for i in level.ids]
            actual = level.actual[ix].reshape(-1)
            target = level.targets["target"][ix].reshape(-1)
            red = level.targets["red_flag"][ix].reshape(-1)
        else:
            if level.kind == "scorecard":
                names, parents = [sc.name or sc.id], [""]
            elif level.kind == "perspective":
                names = [p.label for p in sc.perspectives]
                parents = [sc.id] * n
            else:
                names = [o.label for o in sc.objectives]
                parents = [o.perspective for o in sc.objectives]
            units = [""] * n
            actual = target = red = np.full(n * nu * np_, np.nan)
        status = level.status[ix].reshape(-1)
        direction = level.trend.direction[ix].reshape(-1)
        kinds = ("scorecard", "perspective", "objective", "indicator")
        # Text columns are categoricals: one label per distinct value, not one string per row.
        return pd.DataFrame(
            {
                "node": _categorical(node_codes, level.ids),
                "kind": _categorical(np.full(len(node_codes), kinds.index(level.kind)), kinds),
                "name": _per_node(names, node_codes),
                "parent": _per_node(parents, node_codes),
                "org_unit": _categorical(unit_codes, self.units),
                "period": _categorical(period_codes, self.period_labels),
                "actual": actual,
                "unit": _per_node(units, node_codes),
                "target": target,
                "red_flag": red,
                "score": level.score[ix].reshape(-1),
                "status": _categorical(status, self.status_names),
                "trend": _categorical(
                    np.where(direction == -2, 0, direction + 2), TREND_CATEGORIES
                ),
                "change": level.trend.change[ix].reshape(-1),
                "weight": level.weight[ix].reshape(-1),
                "contribution": level.contribution[ix].reshape(-1),
            }
        )

    # -- questions ------------------------------------------------------------------------

    def score(
        self, node: str | None = None, *, org_unit: str | None = None, period: str | None = None
    ) -> float:
        """One score (default: the whole scorecard, top unit, focus period).

        Examples
        --------
        >>> ev = _demo()
        >>> round(ev.score("revenue"), 4), round(ev.score(), 4)
        (0.6667, 0.6667)
        """
        level, k = self.locate(node or self.scorecard.id)
        return float(level.score[k, self.unit_index(org_unit), self.period_index(period)])

    def status(
        self, node: str | None = None, *, org_unit: str | None = None, period: str | None = None
    ) -> str | None:
        """One status name, or ``None`` when the node has no score there."""
        level, k = self.locate(node or self.scorecard.id)
        code = int(level.status[k, self.unit_index(org_unit), self.period_index(period)])
        return None if code < 0 else self.status_names[code]

    def explain(
        self, node: str | None = None, org_unit: str | None = None, period: str | None = None
    ) -> Explanation:
        """Why a node scored what it scored.

        For an indicator: the observations aggregated, the time and org aggregation, the
        formula and its inputs, the scoring method, the thresholds that bracketed the value,
        clamping and polarity. For an objective, perspective or the scorecard: the rollup
        method and each child's score, weight and contribution.

        Examples
        --------
        >>> print(_demo().explain("revenue"))  # doctest: +ELLIPSIS
        Indicator revenue (Revenue) · org unit all · period 2025-02
          actual 1,200 EUR ...
        """
        return explain_node(
            self, node or self.scorecard.id, self.unit_index(org_unit), self.period_index(period)
        )

    def drill_down(
        self, node: str | None = None, org_unit: str | None = None, period: str | None = None
    ) -> pd.DataFrame:
        """The rows one level below ``node``: the children of an objective, perspective or
        the scorecard; for an indicator, its value in each child org unit.

        Examples
        --------
        >>> _demo().drill_down("grow")[["node", "score", "weight"]].round(3)
              node  score  weight
        0  revenue  0.667     1.0
        """
        level, k = self.locate(node or self.scorecard.id)
        u, p = self.unit_index(org_unit), self.period_index(period)
        frame = self.to_frame(period=self.period_labels[p], org_unit=self.units[u])
        if isinstance(level, IndicatorLevel):
            kids = list(self.scorecard.org_chart.children(self.units[u]))
            kids = [c for c in kids if c in self.units]
            all_units = self.to_frame(period=self.period_labels[p], org_unit=False)
            out = all_units[(all_units["node"] == level.ids[k]) & all_units["org_unit"].isin(kids)]
        else:
            out = frame[frame["parent"] == level.ids[k]]
            out = (
                out[out["kind"] != level.kind]
                if level.kind != "scorecard"
                else out[out["kind"] == "perspective"]
            )
        return out.reset_index(drop=True)

    def signals(
        self,
        *,
        period: str | bool | None = False,
        rules: str | Sequence[str] = "western_electric",
        min_points: int = 8,
    ) -> pd.DataFrame:
        """Special-cause signals: points of an indicator's series that the control-chart run
        rules flag.

        Every (indicator, org unit) series with at least ``min_points`` values is read as an
        individuals chart over the evaluated periods (see
        :func:`~balanced_scorecard.analytics.signals.special_causes`).

        Parameters
        ----------
        period
            ``False`` (default): every evaluated period; ``None``: the focus period; or a
            period label.
        rules
            ``"western_electric"``, ``"nelson"`` or a list of rule ids (``WE1``, ``N3``...).
        min_points
            Shorter series are not judged.

        Returns
        -------
        pandas.DataFrame
            One row per flagged point: ``indicator``, ``org_unit``, ``period``, ``actual``,
            ``center``, ``sigma`` and ``rules`` (the ids that fired, comma-separated).

        Examples
        --------
        >>> _demo().signals().empty  # two months are too few to judge
        True
        """
        from balanced_scorecard.analytics.signals import special_causes

        level = self.indicators
        flags, center, sigma, ids = special_causes(level.actual, rules=rules, min_points=min_points)
        hit = flags.any(axis=-1)
        if period is not False:
            keep = np.zeros(hit.shape[-1], dtype=bool)
            keep[self.period_index(period if isinstance(period, str) else None)] = True
            hit &= keep
        k, u, p = np.nonzero(hit)
        fired = flags[k, u, p]
        names = np.array(ids, dtype=object)
        return pd.DataFrame(
            {
                "indicator": np.asarray(level.ids, dtype=object)[k],
                "org_unit": np.asarray(self.units, dtype=object)[u],
                "period": np.asarray(self.period_labels, dtype=object)[p],
                "actual": level.actual[k, u, p],
                "center": center[k, u],
                "sigma": sigma[k, u],
                # Rule names per flagged point: few points, so joining them is cheap.
                "rules": [",".join(names[row]) for row in fired],
            }
        )

    def significance(
        self,
        *,
        period: str | bool | None = None,
        org_unit: str | None = None,
        thresholds: SignificanceThresholds | None = None,
    ) -> pd.DataFrame:
        """Significance tier (``executive`` or ``operational``) per indicator, org unit and
        period, with the rules that fired and a one-line ``why``.

        The tier follows from the indicator's declared tier, its reach in the strategy map,
        the size and persistence of its deviation and control-chart signals; see
        :func:`~balanced_scorecard.algorithms.significance.significance`.

        Parameters
        ----------
        period
            ``None`` (default): the focus period; ``False``: every evaluated period; or a
            label.
        org_unit
            One org unit (default: all evaluated).
        thresholds
            :class:`~balanced_scorecard.algorithms.significance.SignificanceThresholds`.

        Examples
        --------
        >>> _demo().significance()[["indicator", "period", "tier"]]
          indicator   period         tier
        0   revenue  2025-02  operational
        """
        from balanced_scorecard.algorithms.significance import significance

        return significance(self, period=period, org_unit=org_unit, thresholds=thresholds)

    def root_causes(
        self,
        node: str,
        *,
        org_unit: str | None = None,
        period: str | None = None,
        evidence: bool | pd.DataFrame | Mapping[tuple[str, str], float] | None = None,
        max_depth: int = 4,
    ) -> CauseTree:
        """Walk upstream from ``node`` along the map and rank its likely causes.

        Drivers are judged at their lagged periods and ranked by link weight × shortfall ×
        evidence strength; a calculated indicator at the root also gets its change since
        the previous period attributed to its formula's inputs. See
        :func:`~balanced_scorecard.algorithms.root_cause.root_causes`.

        Parameters
        ----------
        evidence
            Link strengths in [0, 1]: ``True`` computes them from the data
            (:meth:`link_evidence` in the same org unit), or pass its frame or a mapping
            ``{(cause, effect): strength}``; ``None`` (default) counts every link fully.

        Examples
        --------
        >>> print(_demo().root_causes("grow"))  # doctest: +ELLIPSIS
        Root causes of grow (Grow) · org unit all · period 2025-02 · score 0.67 (green)
          - revenue (Revenue) [measures] · 2025-02 · score 0.67 (green) · ...
        """
        from balanced_scorecard.algorithms.root_cause import root_causes

        strengths = self.link_evidence(org_unit=org_unit) if evidence is True else evidence
        return root_causes(
            self,
            node,
            org_unit=org_unit,
            period=period,
            evidence=None if strengths is False else strengths,
            max_depth=max_depth,
        )

    def escalations(
        self,
        rules: Sequence[EscalationRule] | None = None,
        *,
        period: str | None = None,
    ) -> pd.DataFrame:
        """The escalations that fire at ``period`` (default: the focus period): one row per
        (indicator, org unit) whose run of red periods meets a rule, with the rule, the run
        length and whom to tell. Default rules: red two periods running goes to the owner's
        manager, three to the executive sponsor; see
        :func:`~balanced_scorecard.governance.escalation.evaluate_escalations`.

        Examples
        --------
        >>> _demo().escalations().empty
        True
        """
        from balanced_scorecard.governance.escalation import evaluate_escalations

        return evaluate_escalations(self, rules, period=period)

    def agenda(
        self,
        meeting: Meeting | Mapping[str, Any] | pd.Series,
        *,
        annotations: Iterable[Annotation] | None = None,
        escalations: pd.DataFrame | None = None,
    ) -> Agenda:
        """A review meeting's agenda: the exceptions at the meeting's tier, the escalations
        due and the overdue commentary; see
        :func:`~balanced_scorecard.governance.cadence.agenda` and
        :func:`~balanced_scorecard.governance.cadence.review_meetings` for the meetings."""
        from balanced_scorecard.governance.cadence import agenda

        return agenda(self, meeting, annotations=annotations, escalations=escalations)

    def link_evidence(
        self,
        *,
        org_unit: str | None = None,
        value: str = "actual",
        max_lag: int = 4,
        alpha: float = 0.05,
        min_points: int = 8,
    ) -> pd.DataFrame:
        """What the data say about every causal link of the strategy map, in one org unit.

        Lagged correlation, best lag, sign agreement and a Granger-causality F test per link,
        with a verdict (``supported``, ``weak``, ``contradicted``, ``insufficient-data``) and
        a ``strength`` in [0, 1] (NaN without data); see
        :func:`~balanced_scorecard.algorithms.evidence.link_evidence`. Indicators are read
        by their actuals (or scores with ``value="score"``), objectives by their scores.

        Examples
        --------
        >>> _demo().link_evidence().empty  # the demo map has no causal links
        True
        """
        from balanced_scorecard.algorithms.evidence import evaluation_series, link_evidence

        series = evaluation_series(self, org_unit=org_unit, value=value)
        return link_evidence(
            series, self.scorecard.links, max_lag=max_lag, alpha=alpha, min_points=min_points
        )

    def learning_growth_correlations(
        self,
        *,
        org_unit: str | None = None,
        max_lag: int = 4,
        alpha: float = 0.05,
        min_points: int = 8,
    ) -> pd.DataFrame:
        """Which learning-and-growth indicators correlate with the financial and customer
        outcomes, at which lag; see
        :func:`~balanced_scorecard.algorithms.evidence.learning_growth_correlations`.

        Examples
        --------
        >>> _demo().learning_growth_correlations().empty  # no learning & growth indicator
        True
        """
        from balanced_scorecard.algorithms.evidence import learning_growth_correlations

        return learning_growth_correlations(
            self, org_unit=org_unit, max_lag=max_lag, alpha=alpha, min_points=min_points
        )

    def candidate_links(
        self,
        *,
        org_unit: str | None = None,
        value: str = "actual",
        max_lag: int = 4,
        min_abs_r: float = 0.7,
        alpha: float = 0.05,
        min_points: int = 8,
    ) -> pd.DataFrame:
        """Strong relationships in the data that the strategy map does not declare.

        Correlational suggestions, not causal claims (the ``label`` column says so); see
        :func:`~balanced_scorecard.algorithms.evidence.candidate_links`.

        Examples
        --------
        >>> _demo().candidate_links().empty  # two months are too few
        True
        """
        from balanced_scorecard.algorithms.evidence import candidate_links, evaluation_series

        series = evaluation_series(self, org_unit=org_unit, value=value)
        return candidate_links(
            series,
            self.scorecard.links,
            max_lag=max_lag,
            min_abs_r=min_abs_r,
            alpha=alpha,
            min_points=min_points,
        )

    def exceptions(
        self,
        *,
        period: str | None = None,
        org_unit: str | None = None,
        include_worsening: bool = True,
        audience: str | None = None,
        thresholds: SignificanceThresholds | None = None,
    ) -> pd.DataFrame:
        """Indicators that are red (the lowest status) or worsening, most serious first.

        Ranked by status (lowest first), then by how much score the item costs the
        scorecard (effective weight times the shortfall from the top of its band), then by
        trend. Each row names the owner and, in ``signal``, the control-chart rules the
        value breaks (see :meth:`signals`; empty when it is common-cause variation or the
        series is too short to judge).

        With ``audience="executive"`` (or ``"operational"``, ``"all"``) only the deviations
        significant for that audience stay, ranked by status, then reach × deviation, then
        persistence, each with its tier, persistence and a one-line ``why`` (see
        :meth:`significance` and
        :func:`~balanced_scorecard.algorithms.significance.executive_exceptions`).

        Examples
        --------
        >>> _demo().exceptions().empty
        True
        >>> _demo().exceptions(audience="executive").empty
        True
        """
        if audience is not None:
            from balanced_scorecard.algorithms.significance import executive_exceptions

            return executive_exceptions(
                self,
                audience=audience,
                period=period,
                org_unit=org_unit,
                thresholds=thresholds,
                include_worsening=include_worsening,
            )
        p = self.period_index(period)
        units = [org_unit] if org_unit else list(self.units)
        rows = self.to_frame(period=self.period_labels[p], org_unit=False)
        rows = rows[(rows["kind"] == "indicator") & rows["org_unit"].isin(units)]
        lowest = self.status_names[0]
        is_red = rows["status"] == lowest
        worse = rows["trend"] == "worsening"
        sel = rows[is_red | (worse if include_worsening else False)].copy()
        sel["severity"] = np.where(sel["status"] == lowest, 0, 1)
        sel["impact"] = sel["weight"].fillna(0) * (1 - sel["score"].fillna(0))
        sel["owner"] = [
            ", ".join(self.scorecard.people(str(n), Role.OWNER, str(u))) or ""
            for n, u in zip(sel["node"], sel["org_unit"], strict=True)
        ]
        sel = sel.sort_values(
            ["severity", "impact", "change"], ascending=[True, False, True], kind="stable"
        )
        cols = [
            "node",
            "name",
            "org_unit",
            "period",
            "actual",
            "unit",
            "target",
            "score",
            "status",
            "trend",
            "change",
            "owner",
            "impact",
        ]
        # Control-chart signals at this period say whether a red value is a special cause.
        sig = self.signals(period=self.period_labels[p])
        cells = zip(sig["indicator"], sig["org_unit"], strict=True)
        fired = dict(zip(cells, sig["rules"], strict=True))
        sel["signal"] = [
            fired.get((str(n), str(u)), "")
            for n, u in zip(sel["node"], sel["org_unit"], strict=True)
        ]
        return sel[[*cols, "signal"]].reset_index(drop=True)

    def compare_reported(self, *, period: str | bool | None = False) -> pd.DataFrame:
        """The normalised values beside the reported ones, for every indicator cell that a
        normalising adjuster changed (directly, through the org units below, or through a
        formula's inputs).

        Parameters
        ----------
        period
            ``False`` (default) for every period, ``None`` for the focus period, or a label.

        Returns
        -------
        DataFrame
            One row per changed (indicator, org unit, period): ``indicator``, ``org_unit``,
            ``period``, ``unit``, ``reported``, ``normalised``, ``difference`` (normalised
            minus reported), ``reported_score``, ``normalised_score``, ``reported_status``,
            ``normalised_status``, ``via`` (``event``, ``org units below`` or ``formula
            inputs``: how the events reached the value) and ``events`` (their notes, with
            the reasons). Empty when nothing was normalised.

        Examples
        --------
        >>> _demo().compare_reported().empty  # no one-time events: nothing normalised
        True
        """
        if period is False:
            return self._compared.copy()
        label = self.period_labels[self.period_index(period if isinstance(period, str) else None)]
        rows = self._compared[self._compared["period"] == label]
        return rows.reset_index(drop=True)

    @cached_property
    def _compared(self) -> pd.DataFrame:
        # Built once: reports ask for it per indicator (explain) and per period.
        from balanced_scorecard.data.normalisation import compare_reported

        return compare_reported(self)

    def quality_observations(
        self,
        *,
        completeness: str = "dq_completeness",
        validity: str = "dq_validity",
        timeliness: str = "dq_timeliness",
        by_source: str | None = None,
    ) -> pd.DataFrame:
        """The data-quality measures as observations of the top org unit, in percent, so a
        data-quality objective can carry indicators with these ids and be scored with the
        next evaluation.

        Per period: completeness, validity and timeliness (periods without dated rows give
        no timeliness row). With ``by_source``, a format string such as
        ``"dq_{measure}_{source}"``, validity and timeliness are also given per source (over
        the evaluated window, stamped with the focus period), one indicator id per source.

        Examples
        --------
        >>> _demo().quality_observations()[["indicator", "period", "value"]]
                 indicator   period  value
        0  dq_completeness  2025-01  100.0
        1  dq_completeness  2025-02  100.0
        2      dq_validity  2025-01  100.0
        3      dq_validity  2025-02  100.0
        """
        dq = self.data_quality
        parts = [
            pd.DataFrame(
                {
                    "indicator": name,
                    "org_unit": self.org_unit,
                    "period": dq["period"],
                    "value": dq[column],
                    "unit": "percent",
                    "source": "data quality",
                }
            )
            for name, column in (
                (completeness, "completeness"),
                (validity, "validity"),
                (timeliness, "timeliness"),
            )
            if column in dq
        ]
        if by_source is not None and len(self.source_quality):
            per = self.source_quality.groupby("source", sort=True)[
                ["rows", "quarantined", "dated", "on_time"]
            ].sum()
            total = per["rows"] + per["quarantined"]
            measures = {
                "validity": 100.0 * per["rows"] / total.where(total > 0),
                "timeliness": 100.0 * per["on_time"] / per["dated"].where(per["dated"] > 0),
            }
            for measure, values in measures.items():
                parts.append(
                    pd.DataFrame(
                        {
                            "indicator": [
                                by_source.format(measure=measure, source=src)
                                for src in values.index
                            ],
                            "org_unit": self.org_unit,
                            "period": self.period,
                            "value": values.to_numpy(),
                            "unit": "percent",
                            "source": "data quality",
                        }
                    )
                )
        out = pd.concat(parts, ignore_index=True)
        return out[out["value"].notna()].reset_index(drop=True)

    # -- output ---------------------------------------------------------------------------

    def for_role(
        self, role: Role | str | None = None, *, policy: OutputPolicy | None = None
    ) -> Evaluation:
        """What ``role`` may see of this evaluation, by the scorecard's ``output_policy``
        (or ``policy``): indicators whose data is more sensitive than the role's ceiling are
        withheld (no actual, target, score, trend or contribution; status ``withheld``; no
        inputs or lineage in :meth:`explain`), quality-report cells from such fields too.
        Rollups keep the scores computed from all the data. Renderers always draw a view;
        without a role, the policy's default ceiling applies. A role with a view in
        ``output_policy.views`` first gets an evaluation from which the org units,
        perspectives and tiers outside its view are removed (not blanked: their names,
        values and comments never leave the library); see
        :func:`balanced_scorecard.redaction.restrict` and :mod:`balanced_scorecard.redaction`.

        Examples
        --------
        >>> view = _demo().for_role("contributor")
        >>> view.access.ceiling.value, view.access.withheld
        ('internal', ())
        """
        from balanced_scorecard.redaction import for_role

        return for_role(self, role, policy=policy)

    def strategy_map_picture(self, **options: Any) -> StrategyMapPicture:
        """The strategy map coloured by this evaluation's statuses, as a picture (SVG in
        notebooks, ``save("map.svg")``); see :func:`balanced_scorecard.visual.map_picture`
        for ``org_unit``, ``period``, ``show_indicators`` and ``strengths``."""
        from balanced_scorecard.visual.strategy_map import map_picture

        return map_picture(self, **options)

    def plot(self, kind: str = "trend", node: str | None = None, **options: Any) -> Figure:
        """A matplotlib figure of the evaluation, for people who customise their charts
        (needs the ``plot`` extra): ``kind`` is ``trend``, ``score``, ``heatmap`` or
        ``control``; see :func:`balanced_scorecard.visual.plot.plot` for the options."""
        from balanced_scorecard.visual.plot import plot

        return plot(self, kind, node, **options)

    def render(self, format: str = "text", **options: Any) -> str | bytes:
        """Render with a renderer of the engine that made this evaluation (``text``,
        ``json``, ``markdown``, ``html`` or a plugin's format)."""
        if self.engine is not None:
            return self.engine.render(self, format, **options)
        from balanced_scorecard.engine import default_engine

        return default_engine().render(self, format, **options)

    def __str__(self) -> str:
        return str(self.render("text"))

    def _repr_html_(self) -> str:
        return str(self.render("html", fragment=True))


def _categorical(codes: np.ndarray, categories: Sequence[str]) -> pd.Categorical:
    """Codes (-1 for missing) into a categorical without copying the labels per row."""
    return pd.Categorical.from_codes(
        np.asarray(codes, dtype=np.int64), categories=pd.Index(list(categories), dtype=object)
    )


#: Categories of the ``trend`` column, indexed by direction code + 2 (unknown first).
TREND_CATEGORIES = ("", "worsening", "flat", "improving")


def _per_node(values: Sequence[str], node_codes: np.ndarray) -> pd.Categorical:
    """A node attribute (name, parent, unit) repeated for each of the node's rows."""
    distinct, inverse = np.unique(np.asarray(values, dtype=object), return_inverse=True)
    return _categorical(np.asarray(inverse)[node_codes], list(distinct))


def _demo() -> Evaluation:
    """A two-month evaluation for the examples in this module."""
    from balanced_scorecard.model import Indicator, Objective, Scorecard, Thresholds

    sc = Scorecard(
        id="demo",
        objectives=[Objective(id="grow", name="Grow", perspective="financial")],
        indicators=[
            Indicator(
                id="revenue",
                name="Revenue",
                objective="grow",
                unit="EUR",
                time_aggregation="sum",
                thresholds=Thresholds(target=1200, red_flag=1000),
            )
        ],
    )
    obs = pd.DataFrame(
        {
            "indicator": "revenue",
            "org_unit": "all",
            "period": ["2025-01", "2025-02"],
            "value": [1100.0, 1200.0],
        }
    )
    return sc.evaluate(obs)
