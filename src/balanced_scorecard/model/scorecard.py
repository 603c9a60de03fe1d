"""The Scorecard: every part of a Balanced Scorecard in one frozen value."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import cached_property
from typing import TYPE_CHECKING, Any

import attrs

from balanced_scorecard._suggest import did_you_mean
from balanced_scorecard.exceptions import DefinitionError, ModelError, UnknownNodeError
from balanced_scorecard.model._convert import to_tuple
from balanced_scorecard.model.adjustments import AdjustmentStep
from balanced_scorecard.model.classification import OutputPolicy
from balanced_scorecard.model.enums import Frequency, to_frequency
from balanced_scorecard.model.indicators import Indicator
from balanced_scorecard.model.initiatives import Initiative
from balanced_scorecard.model.links import CausalLink
from balanced_scorecard.model.objectives import DEFAULT_PERSPECTIVES, Objective, Perspective
from balanced_scorecard.model.org import OrgChart
from balanced_scorecard.model.people import Assignment, Role
from balanced_scorecard.model.periods import FiscalCalendar, to_calendar
from balanced_scorecard.model.sources import DataSource
from balanced_scorecard.model.targets import DEFAULT_STATUS_BANDS, StatusBand, TargetSet
from balanced_scorecard.model.validation import structure_problems

if TYPE_CHECKING:
    import pandas as pd

    from balanced_scorecard.algorithms.findings import Findings
    from balanced_scorecard.algorithms.what_if import WhatIf
    from balanced_scorecard.engine import Engine
    from balanced_scorecard.results import Evaluation
    from balanced_scorecard.strategy_map import StrategyMap

__all__ = ["Scorecard"]


def _bands(value: Iterable[StatusBand | Mapping[str, Any]]) -> tuple[StatusBand, ...]:
    bands = tuple(b if isinstance(b, StatusBand) else StatusBand(**b) for b in value)
    bands = tuple(sorted(bands, key=lambda b: b.lower))
    names = [b.name for b in bands]
    if not bands or bands[0].lower != 0.0:
        raise ModelError(
            "status bands must start at score 0 (the lowest band's lower bound); got "
            f"{[(b.name, b.lower) for b in bands]}"
        )
    if len(set(names)) != len(names) or len({b.lower for b in bands}) != len(bands):
        raise ModelError(f"status band names and lower bounds must be unique; got {names}")
    return bands


def _check_calendar(
    instance: Scorecard, _: attrs.Attribute[FiscalCalendar | None], value: FiscalCalendar | None
) -> None:
    if value is not None and instance.review_frequency is Frequency.WEEKLY and not value.is_retail:
        raise ModelError(
            f"a weekly review needs a calendar of whole weeks, but {value.to_spec()!r} has "
            "calendar months; use a retail calendar such as 'retail:4-4-5:jan:sat:last', or "
            "review monthly"
        )


@attrs.frozen(kw_only=True)
class Scorecard:
    """A Balanced Scorecard: perspectives, objectives, indicators, the causal links between
    them, the org chart it applies to, who is responsible for what, and targets.

    Building one checks every cross-reference at once and raises a single
    :class:`~balanced_scorecard.exceptions.DefinitionError` listing every problem.

    Examples
    --------
    >>> from balanced_scorecard.model import Objective, Indicator
    >>> sc = Scorecard(id="demo", objectives=[Objective(id="grow", perspective="financial")],
    ...                indicators=[Indicator(id="revenue", objective="grow", unit="EUR")])
    >>> sc.indicator("revenue").unit, [p.id for p in sc.perspectives][:2]
    ('EUR', ['financial', 'customer'])
    >>> sc.strategy_map.graph.edges["revenue", "grow"]["kind"]
    'measures'
    """

    id: str
    name: str = ""
    description: str = ""
    review_frequency: Frequency = attrs.field(default=Frequency.MONTHLY, converter=to_frequency)
    #: The fiscal calendar review periods follow (a spec string such as ``"fiscal:4"`` is
    #: converted); None, the default, is plain calendar months.
    calendar: FiscalCalendar | None = attrs.field(
        default=None, converter=to_calendar, validator=_check_calendar
    )
    perspectives: tuple[Perspective, ...] = attrs.field(
        default=DEFAULT_PERSPECTIVES, converter=to_tuple
    )
    objectives: tuple[Objective, ...] = attrs.field(default=(), converter=to_tuple)
    indicators: tuple[Indicator, ...] = attrs.field(default=(), converter=to_tuple)
    links: tuple[CausalLink, ...] = attrs.field(default=(), converter=to_tuple)
    org_chart: OrgChart = attrs.field(factory=OrgChart)
    assignments: tuple[Assignment, ...] = attrs.field(default=(), converter=to_tuple)
    initiatives: tuple[Initiative, ...] = attrs.field(default=(), converter=to_tuple)
    target_sets: tuple[TargetSet, ...] = attrs.field(default=(), converter=to_tuple)
    status_bands: tuple[StatusBand, ...] = attrs.field(
        default=DEFAULT_STATUS_BANDS, converter=_bands
    )
    rollup: str = "weighted_mean"
    missing: str = "ignore"
    #: When set (e.g. 1 or 100), the weights of the children of every parent must add up to it.
    weights_total: float | None = attrs.field(
        default=None, converter=attrs.converters.optional(float)
    )
    sources: tuple[DataSource, ...] = attrs.field(default=(), converter=to_tuple)
    adjustments: tuple[AdjustmentStep, ...] = attrs.field(default=(), converter=to_tuple)
    #: Which classifications of data each role may see in outputs (see
    #: :meth:`Evaluation.for_role <balanced_scorecard.Evaluation.for_role>`).
    output_policy: OutputPolicy = attrs.field(factory=OutputPolicy)
    #: Where the definition was read from; relative paths of sources resolve against it.
    origin: str | None = attrs.field(default=None, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        problems = structure_problems(
            perspectives=self.perspectives,
            objectives=self.objectives,
            indicators=self.indicators,
            links=self.links,
            org_chart=self.org_chart,
            assignments=self.assignments,
            initiatives=self.initiatives,
            target_sets=self.target_sets,
            sources=self.sources,
        )
        if problems:
            raise DefinitionError(problems)

    # -- construction ---------------------------------------------------------------------

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, source: str | None = None) -> Scorecard:
        """Build from plain data in the definition-file format (see :doc:`/reference/format`).

        Every problem is collected into one
        :class:`~balanced_scorecard.exceptions.DefinitionError`.
        """
        from balanced_scorecard.definitions import scorecard_from_dict

        return scorecard_from_dict(data, source=source)

    def to_dict(self) -> dict[str, Any]:
        """Plain data in the definition-file format; ``Scorecard.from_dict`` reads it back."""
        from balanced_scorecard.definitions import scorecard_to_dict

        return scorecard_to_dict(self)

    # -- look-ups -------------------------------------------------------------------------

    @cached_property
    def _index(self) -> dict[str, Perspective | Objective | Indicator | Initiative]:
        out: dict[str, Perspective | Objective | Indicator | Initiative] = {}
        for coll in (self.perspectives, self.objectives, self.indicators, self.initiatives):
            out.update({x.id: x for x in coll})
        return out

    def node(self, node_id: str) -> Perspective | Objective | Indicator | Initiative:
        """The perspective, objective, indicator or initiative with this id."""
        try:
            return self._index[node_id]
        except KeyError:
            raise UnknownNodeError(
                f"no node {node_id!r} in scorecard {self.id!r}."
                + did_you_mean(node_id, self._index)
            ) from None

    @cached_property
    def home_units(self) -> dict[str, str | None]:
        """The org unit whose scorecard holds each objective and indicator (an indicator's is
        its objective's); ``None`` for the enterprise's own.

        Examples
        --------
        >>> from balanced_scorecard.model import Objective, Indicator
        >>> Scorecard(id="d", objectives=[Objective(id="g", perspective="financial")],
        ...           indicators=[Indicator(id="r", objective="g")]).home_units
        {'g': None, 'r': None}
        """
        home: dict[str, str | None] = {o.id: o.org_unit for o in self.objectives}
        home.update({i.id: home.get(i.objective) for i in self.indicators})
        return home

    def indicator(self, indicator_id: str) -> Indicator:
        """The indicator with this id."""
        node = self.node(indicator_id)
        if not isinstance(node, Indicator):
            raise UnknownNodeError(f"{indicator_id!r} is a {type(node).__name__}, not an indicator")
        return node

    def objective(self, objective_id: str) -> Objective:
        """The objective with this id."""
        node = self.node(objective_id)
        if not isinstance(node, Objective):
            raise UnknownNodeError(f"{objective_id!r} is a {type(node).__name__}, not an objective")
        return node

    def perspective(self, perspective_id: str) -> Perspective:
        """The perspective with this id."""
        node = self.node(perspective_id)
        if not isinstance(node, Perspective):
            raise UnknownNodeError(
                f"{perspective_id!r} is a {type(node).__name__}, not a perspective"
            )
        return node

    def indicators_of(self, objective_id: str) -> tuple[Indicator, ...]:
        """The indicators measuring one objective."""
        self.objective(objective_id)
        return tuple(i for i in self.indicators if i.objective == objective_id)

    def objectives_of(self, perspective_id: str) -> tuple[Objective, ...]:
        """The objectives within one perspective."""
        self.perspective(perspective_id)
        return tuple(o for o in self.objectives if o.perspective == perspective_id)

    def people(
        self, node_id: str, role: Role | str = Role.OWNER, org_unit: str | None = None
    ) -> tuple[str, ...]:
        """Who holds ``role`` for a node (in ``org_unit``, including company-wide assignments)."""
        role = Role(role)
        return tuple(
            a.person
            for a in self.assignments
            if a.node == node_id and a.role is role and a.org_unit in (None, org_unit)
        )

    def target_set(self, name: str) -> TargetSet:
        """The target set with this name."""
        for ts in self.target_sets:
            if ts.name == name:
                return ts
        raise UnknownNodeError(
            f"no target set {name!r} in scorecard {self.id!r}."
            + did_you_mean(name, [t.name for t in self.target_sets])
        )

    @cached_property
    def strategy_map(self) -> StrategyMap:
        """The strategy map (a cached value; its ``.graph`` is a frozen networkx DiGraph)."""
        from balanced_scorecard.strategy_map import StrategyMap

        return StrategyMap(
            perspectives=self.perspectives,
            objectives=self.objectives,
            indicators=self.indicators,
            links=self.links,
            initiatives=self.initiatives,
        )

    # -- doing things ---------------------------------------------------------------------

    def evaluate(
        self,
        observations: pd.DataFrame | str | Any = None,
        *,
        period: str | None = None,
        targets: TargetSet | str | pd.DataFrame | None = None,
        org_unit: str | None = None,
        engine: Engine | None = None,
        **options: Any,
    ) -> Evaluation:
        """Score and roll up this scorecard on ``observations`` (a long frame, a CSV path or
        URI, or ``None`` for the definition's own sources).

        A shortcut for ``default_engine().evaluate(self, observations, ...)``; the other
        keyword arguments (``start``, ``adjust``, ``as_known_at``, ``close_days``) are passed
        on: see :meth:`balanced_scorecard.Engine.evaluate`.
        """
        from balanced_scorecard.engine import default_engine

        eng = engine if engine is not None else default_engine()
        return eng.evaluate(
            self, observations, period=period, targets=targets, org_unit=org_unit, **options
        )

    def what_if(
        self,
        driver: str,
        change: float,
        *,
        horizon: int | None = None,
        elasticities: Mapping[tuple[str, str], float] | None = None,
    ) -> WhatIf:
        """Shift ``driver`` by ``change`` (a fraction) and follow it along the causal links:
        see :func:`balanced_scorecard.algorithms.what_if.what_if`."""
        from balanced_scorecard.algorithms.what_if import what_if

        return what_if(self, driver, change, horizon=horizon, elasticities=elasticities)

    def raci(self) -> pd.DataFrame:
        """Who is accountable, contributes (with shares), stewards and sponsors each node:
        see :func:`balanced_scorecard.algorithms.accountability.raci`."""
        from balanced_scorecard.algorithms.accountability import raci

        return raci(self)

    def balance(self) -> pd.DataFrame:
        """Leading against lagging indicators per perspective and objective, and the shares
        of financial and lagging measures: see
        :func:`balanced_scorecard.algorithms.balance.balance_summary`."""
        from balanced_scorecard.algorithms.balance import balance_summary

        return balance_summary(self)

    def _repr_svg_(self) -> str:
        # Notebooks show a scorecard as its strategy map.
        from balanced_scorecard.visual.strategy_map import map_svg

        return map_svg(self)

    def check(self) -> Findings:
        """Lint the design: see :func:`balanced_scorecard.algorithms.structure.lint`."""
        from balanced_scorecard.algorithms.structure import lint

        return lint(self)
