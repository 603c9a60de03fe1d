"""The Engine: owns a unit registry and a plugin manager, and runs evaluations."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import attrs
import numpy as np
import pandas as pd

from balanced_scorecard._suggest import did_you_mean
from balanced_scorecard._uri import hide_password
from balanced_scorecard.data.data_quality import (
    completeness,
    completeness_findings,
    overall_completeness,
    validity_by_period,
)
from balanced_scorecard.data.observations import PreparedObservations, prepare_observations
from balanced_scorecard.data.periods import period_end_dates, period_labels, period_ordinal
from balanced_scorecard.data.raw_facts import FactResult, aggregate_facts
from balanced_scorecard.data.source_quality import (
    on_time,
    quality_by_source,
    timeliness_by_period,
)
from balanced_scorecard.exceptions import (
    DefinitionError,
    ObservationError,
    PluginError,
    Problem,
    ScorecardError,
    UnknownNodeError,
)
from balanced_scorecard.model.mappings import FactMapping
from balanced_scorecard.model.periods import FiscalCalendar
from balanced_scorecard.model.scorecard import Scorecard
from balanced_scorecard.model.targets import Target, TargetSet
from balanced_scorecard.plugins.manager import PluginManager

if TYPE_CHECKING:
    from balanced_scorecard.store import Store
from balanced_scorecard.plugins.registries import Source
from balanced_scorecard.results import Evaluation
from balanced_scorecard.units import UnitRegistry, make_registry, unit_problem

__all__ = ["Engine", "default_engine", "targets_from_frame"]

Observations = pd.DataFrame | str | os.PathLike[str] | Sequence[pd.DataFrame | str]


class Engine:
    """Evaluates scorecards. One engine owns one pint registry and one plugin manager.

    Parameters
    ----------
    plugins
        Extra plugin objects to register (modules or instances with ``bsc_*`` hooks).
    entry_points
        Also load the plugins installed under the ``balanced_scorecard`` entry-point group.
    registry
        A pint registry to use instead of a fresh one (it must define the currencies, see
        :func:`balanced_scorecard.units.make_registry`).
    trend_window
        Periods in the window of the trend slope.
    allowed_sources, allowed_hosts
        A deployment's allow-lists: the source names (``csv``, ``sql``, a plugin's) and the
        network hosts observations may come from. Anything else is refused with a message
        naming it, before any connection is made.

    Examples
    --------
    >>> import pandas as pd
    >>> from balanced_scorecard.model import Scorecard, Objective, Indicator, Thresholds
    >>> sc = Scorecard(id="demo", objectives=[Objective(id="grow", perspective="financial")],
    ...     indicators=[Indicator(id="revenue", objective="grow", unit="EUR",
    ...                           thresholds=Thresholds(target=700, red_flag=500))])
    >>> obs = pd.DataFrame({"indicator": "revenue", "org_unit": "all",
    ...                     "period": "2025-01", "value": [600.0]})
    >>> ev = Engine(entry_points=False).evaluate(sc, obs)
    >>> round(ev.score("revenue"), 4), ev.status("revenue")
    (0.5, 'amber')
    """

    def __init__(
        self,
        *,
        plugins: Iterable[object] = (),
        entry_points: bool = True,
        registry: UnitRegistry | None = None,
        trend_window: int = 3,
        allowed_sources: Iterable[str] | None = None,
        allowed_hosts: Iterable[str] | None = None,
        progress: Callable[[str, int, int], None] | None = None,
    ) -> None:
        self.registry = registry if registry is not None else make_registry()
        self.plugins = PluginManager(entry_points=entry_points, plugins=plugins)
        self.trend_window = trend_window
        #: Names of the source plugins this engine may use (None: any registered source).
        self.allowed_sources = None if allowed_sources is None else frozenset(allowed_sources)
        #: Hosts network sources may reach (None: any); files and SQLite need no host.
        self.allowed_hosts = (
            None if allowed_hosts is None else frozenset(h.lower() for h in allowed_hosts)
        )
        #: Called as ``progress(step, done, total)`` while evaluating (reading each source,
        #: validating, scoring); ``None`` is silent. ``bsc`` draws a bar with it on a terminal.
        self.progress = progress

    def _tick(self, step: str, done: int, total: int) -> None:
        if self.progress is not None:
            self.progress(step, done, total)

    # -- the store ------------------------------------------------------------------------

    def open_store(self, url: str | os.PathLike[str], **options: Any) -> Store:
        """Open the store at ``url``: a store plugin registered for the URL's scheme (see
        ``bsc_register_stores``), else the built-in SQLAlchemy store (SQLite, PostgreSQL);
        ``options`` go to :meth:`balanced_scorecard.store.Store.open`.

        Examples
        --------
        >>> import tempfile, pathlib
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "bsc.db"
        >>> with Engine(entry_points=False).open_store(f"sqlite:///{path}") as store:
        ...     store.schema_version() > 0
        True
        """
        from balanced_scorecard.store import Store

        text = os.fspath(url)
        scheme = text.split(":", 1)[0].split("+", 1)[0].lower() if ":" in text else ""
        openers = self.plugins.stores
        if scheme in openers:
            store: Store = openers[scheme](text)
            return store
        return Store.open(text, **options)

    # -- definitions ----------------------------------------------------------------------

    def load(self, path: str | os.PathLike[str]) -> Scorecard:
        """Load a definition file, checking methods against this engine's plugins."""
        from balanced_scorecard.definitions import load

        return load(
            path,
            scoring_methods=dict(self.plugins.scoring_methods),
            rollup_methods=list(self.plugins.rollup_methods),
        )

    # -- observations ---------------------------------------------------------------------

    def read(
        self, uri: str | os.PathLike[str], *, base_dir: str | None = None, **options: Any
    ) -> pd.DataFrame:
        """Read observations from a URI or path through the registered sources."""
        text, source, location = self._locate(uri, base_dir)
        try:
            frame: pd.DataFrame = source.load(location, **options)
            return frame
        except ScorecardError:
            raise  # already names the source (and hides its password)
        except (OSError, ValueError) as exc:
            raise ObservationError(
                f"cannot read observations from {hide_password(text)!r}: {exc}"
            ) from exc

    def _locate(self, uri: str | os.PathLike[str], base_dir: str | None) -> tuple[str, Source, Any]:
        """The URI as text, the source plugin that reads it (checked against the allow-lists)
        and the location handed to that plugin."""
        text = os.fspath(uri)
        if base_dir and text.startswith("sqlite:///") and not text.startswith("sqlite:////"):
            # A relative SQLite file, like a relative CSV, is relative to the definition.
            text = "sqlite:///" + str(Path(base_dir) / text[len("sqlite:///") :])
        source, location = self.plugins.resolve_source(text)
        self._check_allowed(source, text)
        if base_dir and not Path(location).is_absolute() and "://" not in text:
            location = str(Path(base_dir) / location)
        return text, source, location

    def read_facts(
        self,
        uri: Any,
        mapping: FactMapping,
        *,
        scorecard: Scorecard | None = None,
        base_dir: str | None = None,
        source: str = "facts",
        **options: Any,
    ) -> FactResult:
        """Read raw facts and aggregate them to indicator values with ``mapping``.

        A source plugin with a ``load_facts`` method (the SQL source) aggregates in its own
        engine, so only indicator values leave the database; any other source's
        ``load_native`` (if it has one) or ``load`` result (a pandas, Polars, DuckDB or Dask
        frame) is aggregated where it lives by
        :func:`~balanced_scorecard.data.raw_facts.aggregate_facts`. ``uri`` may also be a
        frame itself.
        """
        if not isinstance(uri, str | os.PathLike):
            return aggregate_facts(uri, mapping, scorecard=scorecard, source=source)
        text, plugin, location = self._locate(uri, base_dir)
        try:
            load_facts = getattr(plugin, "load_facts", None)
            if load_facts is not None:
                result: FactResult = load_facts(
                    location, mapping=mapping, scorecard=scorecard, source=source, **options
                )
                return result
            # A source that can hand over its engine's own lazy frame (Parquet as a DuckDB
            # relation) keeps the facts out of memory; otherwise its pandas frame is used.
            native = getattr(plugin, "load_native", plugin.load)(location, **options)
            return aggregate_facts(native, mapping, scorecard=scorecard, source=source)
        except ScorecardError:
            raise
        except (OSError, ValueError) as exc:
            raise ObservationError(
                f"cannot read raw facts from {hide_password(text)!r}: {exc}"
            ) from exc

    def _check_allowed(self, source: object, uri: str) -> None:
        if self.allowed_sources is not None:
            names = [n for n, s in self.plugins.sources.items() if s is source]
            if not set(names) & self.allowed_sources:
                raise ObservationError(
                    f"source {names[0] if names else type(source).__name__!r} for "
                    f"{hide_password(uri)!r} is not allowed here; allowed sources: "
                    f"{', '.join(sorted(self.allowed_sources)) or 'none'}"
                )
        if self.allowed_hosts is not None and "://" in uri:
            host = (urlsplit(uri).hostname or "").lower()
            if host and host not in self.allowed_hosts:
                raise ObservationError(
                    f"host {host!r} of {hide_password(uri)!r} is not allowed here; allowed "
                    f"hosts: {', '.join(sorted(self.allowed_hosts)) or 'none'}"
                )

    def _observations(
        self, scorecard: Scorecard, observations: Observations | None
    ) -> tuple[list[tuple[str, pd.DataFrame]], list[tuple[str, str, str, str]]]:
        """Each source's frame, and (source, message, severity, rule) for the sources that
        failed and for the raw facts a mapping could not use."""
        base: str | None = None
        if observations is None:
            if not scorecard.sources:
                raise ObservationError(
                    f"no observations given and scorecard {scorecard.id!r} names no sources; "
                    "pass a frame or a CSV path, or add `sources:` to the definition"
                )
            base = str(Path(scorecard.origin).parent) if scorecard.origin else None
            items: list[tuple[str, Any, dict[str, Any]]] = [
                (s.id, s.uri, s.kwargs) for s in scorecard.sources
            ]
            mappings = {s.id: s.mapping for s in scorecard.sources if s.mapping is not None}
        else:
            mappings = {}
            given = (
                [observations]
                if isinstance(observations, pd.DataFrame | str | os.PathLike)
                else list(observations)
            )
            items = [
                (
                    (f"frame[{k}]" if len(given) > 1 else "frame")
                    if isinstance(item, pd.DataFrame)
                    else os.fspath(item),
                    item,
                    {},
                )
                for k, item in enumerate(given)
            ]
        frames: list[tuple[str, pd.DataFrame]] = []
        # (source, message, severity, rule): failed sources and the problems of raw facts.
        failures: list[tuple[str, str, str, str]] = []
        # One failing source must not hide the others: it is reported, the rest still load.
        for k, (name, item, options) in enumerate(items):
            self._tick(f"reading {name}", k, len(items))
            if isinstance(item, pd.DataFrame):
                frames.append((name, item))
                continue
            try:
                if name in mappings:
                    facts = self.read_facts(
                        item,
                        mappings[name],
                        scorecard=scorecard,
                        base_dir=base,
                        source=name,
                        **options,
                    )
                    frames.append((name, facts.observations))
                    failures.extend(
                        (name, str(p.message), str(p.severity), str(p.check))
                        for p in facts.quality.itertuples()
                    )
                else:
                    frames.append((name, self.read(item, base_dir=base, **options)))
            except ObservationError as exc:
                failures.append((name, str(exc), "error", "source-failed"))
        self._tick("reading sources", len(items), len(items))
        if not frames:
            raise ObservationError(
                "no source could be read: "
                + "; ".join(f"{name}: {reason}" for name, reason, *_ in failures)
            )
        return frames, failures

    # -- targets --------------------------------------------------------------------------

    def _target_set(
        self, scorecard: Scorecard, targets: TargetSet | str | pd.DataFrame | None
    ) -> TargetSet | None:
        if targets is None:
            return scorecard.target_sets[0] if scorecard.target_sets else None
        if isinstance(targets, TargetSet):
            return targets
        if isinstance(targets, pd.DataFrame):
            return targets_from_frame(targets, name="frame")
        names = [t.name for t in scorecard.target_sets]
        if targets in names:
            return scorecard.target_set(targets)
        path = Path(targets)
        if path.suffix.lower() == ".csv" and path.exists():
            from balanced_scorecard.definitions import read_target_csv

            return read_target_csv(path)
        raise UnknownNodeError(
            f"no target set {targets!r}: the scorecard has {names or 'none'}, and it is not a "
            "CSV file." + did_you_mean(str(targets), names)
        )

    # -- evaluation -----------------------------------------------------------------------

    def evaluate(
        self,
        scorecard: Scorecard,
        observations: Observations | None = None,
        *,
        period: str | None = None,
        start: str | None = None,
        targets: TargetSet | str | pd.DataFrame | None = None,
        org_unit: str | None = None,
        adjust: Sequence[str | tuple[str, Mapping[str, Any]]] = (),
        as_known_at: str | datetime | None = None,
        close_days: int = 0,
    ) -> Evaluation:
        """Score and roll up ``scorecard``.

        Parameters
        ----------
        scorecard
            The definition.
        observations
            A long frame, a CSV path or URI, or a list of them; ``None`` reads the
            scorecard's own ``sources``.
        period
            The focus period (label such as ``2025-12``): the last period evaluated. Default:
            the latest period with data.
        start
            The first period evaluated (default: the earliest with data). Trends need history.
        targets
            A :class:`TargetSet`, the name of one of the scorecard's sets, a frame, or a CSV
            path. Default: the scorecard's first target set (indicator thresholds fill gaps).
        org_unit
            Evaluate this unit and its subtree (default: the whole org chart).
        adjust
            Registered adjusters to apply to the observations before validation, in this
            order: names, or ``(name, options)`` pairs. When a step normalises (``one_time``
            takes one-time events out), the evaluation shows the normalised values and keeps
            the reported ones, evaluated without the normalising steps, as
            :attr:`Evaluation.reported` (see :meth:`Evaluation.compare_reported`).
        as_known_at
            Evaluate with what was known at this moment (a date or timestamp): rows whose
            ``as_of`` is later are left out and counted in a note, so the preliminary and
            the closed version of a month are both reproducible.
        close_days
            Days after a period's end until its books close. A period is *provisional*
            (listed in :attr:`Evaluation.provisional`) while the knowledge date, the
            ``as_known_at`` or else the latest ``as_of`` seen, is before its end plus
            ``close_days``.
        """
        self._check_definition(scorecard)
        known_at = None
        if as_known_at is not None:
            try:
                known_at = pd.Timestamp(as_known_at).to_datetime64().astype("datetime64[s]")
            except (ValueError, TypeError) as exc:
                raise ObservationError(
                    f"as_known_at={as_known_at!r} is not a date or timestamp; write "
                    "'2025-02-03' or '2025-02-03T18:00'"
                ) from exc
        units = (
            scorecard.org_chart.subtree(scorecard.org_chart.unit(org_unit).id)
            if org_unit is not None
            else scorecard.org_chart.subtree(scorecard.org_chart.root)
        )
        raw, failures = self._observations(scorecard, observations)
        steps = [*_definition_steps(scorecard), *adjust]
        options: dict[str, Any] = {
            "units": units,
            "targets": targets,
            "known_at": known_at,
            "close_days": close_days,
        }
        ev = self._evaluate_frames(
            scorecard, raw, failures, steps, start=start, period=period, **options
        )
        reporting = [s for s in steps if not self._normalises(s)]
        if len(reporting) < len(steps):
            # The reported view stays beside the normalised one: the same observations
            # without the normalising steps, over the same periods.
            reported = self._evaluate_frames(
                scorecard,
                raw,
                failures,
                reporting,
                start=ev.period_labels[0],
                period=ev.period_labels[-1],
                **options,
            )
            ev = attrs.evolve(ev, reported=reported)
        errors = self.plugins.notify_evaluated(ev)
        if errors:
            ev = attrs.evolve(ev, plugin_errors=tuple(errors))
        return ev

    def _normalises(self, step: str | tuple[str, Mapping[str, Any]]) -> bool:
        """Whether an adjustment step normalises (takes one-time events out) rather than
        converts for presentation; see :attr:`Evaluation.reported`."""
        name = step if isinstance(step, str) else step[0]
        return getattr(self.plugins.adjusters[name], "normalises", False) is True

    def _evaluate_frames(
        self,
        scorecard: Scorecard,
        raw: list[tuple[str, pd.DataFrame]],
        failures: list[tuple[str, str, str, str]],
        steps: Sequence[str | tuple[str, Mapping[str, Any]]],
        *,
        units: tuple[str, ...],
        start: str | None,
        period: str | None,
        targets: TargetSet | str | pd.DataFrame | None,
        known_at: np.datetime64 | None,
        close_days: int,
    ) -> Evaluation:
        """Adjust, validate, score and roll up the sources' frames (see :meth:`evaluate`)."""
        freq = scorecard.review_frequency
        frames = [(name, self._adjust(f, steps, scorecard)) for name, f in raw]
        prepared_parts = [
            prepare_observations(
                f,
                scorecard,
                registry=self.registry,
                freq=freq,
                source=name,
                rules=list(self.plugins.validation_rules.values()),
                known_at=known_at,
            )
            for name, f in frames
        ]
        if failures:
            prepared_parts.append(_failed_sources(failures, prepared_parts[0]))
        position = {u: k for k, u in enumerate(scorecard.org_chart.ids)}
        unit_codes = [position[u] for u in units]
        # Keep the evaluated subtree and re-code its units to positions within it.
        remap = np.full(len(scorecard.org_chart), -1)
        remap[unit_codes] = np.arange(len(unit_codes))
        prepared = PreparedObservations.concat(prepared_parts)
        if len(units) < len(scorecard.org_chart):
            prepared = prepared.take(remap[prepared.org_unit] >= 0)
        prepared = attrs.evolve(
            prepared,
            org_unit=remap[prepared.org_unit],
            adjustments=prepared.adjustments.assign(
                org_unit=remap[prepared.adjustments["org_unit"].to_numpy(np.int64)]
            ),
        )
        periods = self._periods(
            prepared.period, start=start, period=period, freq=freq, calendar=scorecard.calendar
        )
        from balanced_scorecard.evaluation import run_pipeline

        self._tick("scoring", 0, 1)
        ev = run_pipeline(
            scorecard,
            prepared,
            registry=self.registry,
            scoring_methods=self.plugins.scoring_methods,
            rollup_methods=self.plugins.rollup_methods,
            target_set=self._target_set(scorecard, targets),
            units=units,
            periods=periods,
            freq=freq,
            trend_window=self.trend_window,
        )
        self._tick("scoring", 1, 1)
        ev = _with_knowledge(ev, prepared, known_at, close_days)
        return attrs.evolve(ev, engine=self, observations=prepared)

    def _check_definition(self, scorecard: Scorecard) -> None:
        """What the frozen model cannot check alone: units against this engine's registry and
        method names against its plugins (a definition file gets the same checks on load)."""
        problems = []
        scoring, rollups = self.plugins.scoring_methods, self.plugins.rollup_methods
        for k, ind in enumerate(scorecard.indicators):
            unit = unit_problem(ind.unit, self.registry)
            if unit is not None:
                problems.append(Problem(path=f"indicators[{k}].unit", message=unit))
            if ind.max_age is not None and _max_age(ind.max_age) is None:
                problems.append(
                    Problem(
                        path=f"indicators[{k}].max_age",
                        message=f"max_age {ind.max_age!r} is not a duration; write e.g. "
                        "'1 day', '36h' or '35 days'",
                    )
                )
            if ind.scoring.method not in scoring:
                problems.append(
                    Problem(
                        path=f"indicators[{k}].scoring.method",
                        message=f"unknown scoring method {ind.scoring.method!r}; registered: "
                        f"{', '.join(scoring)}." + did_you_mean(ind.scoring.method, scoring),
                    )
                )
        adjusters = self.plugins.adjusters
        for k, step in enumerate(scorecard.adjustments):
            if step.adjuster not in adjusters:
                problems.append(
                    Problem(
                        path=f"adjustments[{k}].adjuster",
                        message=f"unknown adjuster {step.adjuster!r}; registered: "
                        f"{', '.join(adjusters)}." + did_you_mean(step.adjuster, adjusters),
                    )
                )
        named: list[tuple[str, str]] = [
            *((f"objectives[{k}].rollup", o.rollup) for k, o in enumerate(scorecard.objectives)),
            *(
                (f"perspectives[{k}].rollup", p.rollup)
                for k, p in enumerate(scorecard.perspectives)
            ),
            ("rollup", scorecard.rollup),
        ]
        for path, rollup in named:
            if rollup not in rollups:
                problems.append(
                    Problem(
                        path=path,
                        message=f"unknown rollup method {rollup!r}; registered: "
                        f"{', '.join(rollups)}." + did_you_mean(rollup, rollups),
                    )
                )
        if problems:
            raise DefinitionError(problems)

    def _adjust(
        self,
        frame: pd.DataFrame,
        steps: Sequence[str | tuple[str, Mapping[str, Any]]],
        scorecard: Scorecard,
    ) -> pd.DataFrame:
        for step in steps:
            name, options = (step, {}) if isinstance(step, str) else step
            adjuster = self.plugins.adjusters[name]
            try:
                frame = adjuster.adjust(
                    frame, scorecard=scorecard, registry=self.registry, **options
                )
            except ScorecardError:
                raise  # our own errors already name the value and the fix
            except Exception as exc:
                plugin = self.plugins.adjusters.plugin_of(name)
                raise PluginError(
                    f"adjuster {name!r} of plugin {plugin!r} failed: {type(exc).__name__}: {exc}"
                ) from exc
        return frame

    @staticmethod
    def _periods(
        observed: np.ndarray,
        *,
        start: str | None,
        period: str | None,
        freq: Any,
        calendar: FiscalCalendar | None = None,
    ) -> np.ndarray:
        try:
            first = period_ordinal(start, freq, calendar=calendar) if start else None
            last = period_ordinal(period, freq, calendar=calendar) if period else None
        except ValueError as exc:
            raise ObservationError(str(exc)) from None
        if first is None:
            first = int(observed.min()) if len(observed) else last
        if last is None:
            last = int(observed.max()) if len(observed) else first
        if first is None or last is None:
            raise ObservationError(
                "there are no valid observations, so no period to evaluate; check the quality "
                "report, or pass period='2025-12'"
            )
        if last < first:
            raise ObservationError(f"period {period!r} comes before start {start!r}")
        return np.arange(first, last + 1, dtype=np.int64)

    # -- output ---------------------------------------------------------------------------

    def render(self, evaluation: Evaluation, format: str = "text", **options: Any) -> str | bytes:
        """Render an evaluation with one of this engine's renderers.

        Every renderer, a plugin's too, gets the view of the evaluation that option ``role``
        (default: none) may see under the scorecard's output policy, so personal data is
        never rendered (see :meth:`Evaluation.for_role`).
        """
        from balanced_scorecard.redaction import secure

        renderer = self.plugins.renderers[format]
        view = secure(evaluation, options.pop("role", None))
        try:
            return renderer.render(view, **options)
        except Exception as exc:
            plugin = self.plugins.renderers.plugin_of(format)
            if plugin.startswith("builtins"):
                raise
            raise PluginError(f"renderer {format!r} of plugin {plugin!r} failed: {exc}") from exc


def _definition_steps(scorecard: Scorecard) -> list[tuple[str, dict[str, Any]]]:
    """The definition's adjustment steps, with relative CSV paths made relative to it."""
    base = Path(scorecard.origin).parent if scorecard.origin else None
    steps = []
    for step in scorecard.adjustments:
        options = step.kwargs
        if base is not None:
            options = {
                k: str(base / v)
                if isinstance(v, str) and v.lower().endswith(".csv") and not Path(v).is_absolute()
                else v
                for k, v in options.items()
            }
        steps.append((step.adjuster, options))
    return steps


def _with_knowledge(
    ev: Evaluation,
    prepared: PreparedObservations,
    known_at: np.datetime64 | None,
    close_days: int,
) -> Evaluation:
    """Mark provisional periods and say how many rows the knowledge date left out."""
    knowledge = known_at if known_at is not None else prepared.latest_as_of
    provisional: tuple[str, ...] = ()
    if knowledge is not None:
        ends = period_end_dates(ev.periods, ev.freq, calendar=ev.scorecard.calendar)
        ends = ends + np.timedelta64(close_days, "D")
        closed_by = ends.astype("datetime64[s]") + np.timedelta64(1, "D")
        provisional = tuple(
            label for label, end in zip(ev.period_labels, closed_by, strict=True) if knowledge < end
        )
    notes = ev.notes
    if prepared.n_later:
        extra = pd.DataFrame(
            [
                {
                    "indicator": "",
                    "rule": "as-known-at",
                    "severity": "info",
                    "count": prepared.n_later,
                    "message": f"{prepared.n_later} row(s) recorded after {known_at} were left "
                    "out: the evaluation shows what was known then",
                }
            ]
        )
        notes = pd.concat([notes, extra], ignore_index=True) if len(notes) else extra
    freshness = _freshness(ev, prepared, known_at)
    adj = prepared.adjustments
    if len(adj):
        inside = adj["org_unit"].to_numpy() >= 0
        adj = adj[inside]
        adjustments = pd.DataFrame(
            {
                "indicator": [ev.scorecard.indicators[k].id for k in adj["indicator"]],
                "org_unit": [ev.units[u] for u in adj["org_unit"]],
                "period": period_labels(
                    adj["period"].to_numpy(np.int64), ev.freq, calendar=ev.scorecard.calendar
                ),
                "note": adj["note"].to_numpy(),
            }
        )
    else:
        adjustments = ev.adjustments
    stale = freshness[freshness["stale"]]
    if len(stale):
        counts = stale.groupby("indicator", sort=False).size()
        extra = pd.DataFrame(
            [
                {
                    "indicator": ind,
                    "rule": "stale",
                    "severity": "warning",
                    "count": int(c),
                    "message": f"{int(c)} org unit(s) of {ind!r} were last refreshed more than "
                    f"{ev.scorecard.indicator(str(ind)).max_age} before "
                    f"{'the as_known_at date' if known_at is not None else 'now'}; "
                    "see evaluation.freshness",
                }
                for ind, c in counts.items()
            ]
        )
        notes = pd.concat([notes, extra], ignore_index=True) if len(notes) else extra
    count = ev.indicators.count
    validity = validity_by_period(
        prepared.period, ev.quality, ev.periods, ev.freq, calendar=ev.scorecard.calendar
    )
    # Timeliness: was each row recorded before its period closed?
    closes = period_end_dates(ev.periods, ev.freq, calendar=ev.scorecard.calendar)
    closes = closes.astype("datetime64[s]") + np.timedelta64(close_days + 1, "D")
    first = int(ev.periods[0])
    flags = on_time(prepared.as_of, prepared.period, closes, first)
    data_quality = pd.DataFrame(
        {
            "period": list(ev.period_labels),
            "completeness": overall_completeness(count),
            "validity": validity,
            "timeliness": timeliness_by_period(flags, prepared.period, first, len(ev.periods)),
        }
    )
    source_quality = quality_by_source(
        source=prepared.source,
        source_names=prepared.source_names,
        indicator=prepared.indicator,
        indicator_ids=ev.indicators.ids,
        flags=flags,
        quality=ev.quality,
    )
    # Absent rows (gaps in a series, org units whose siblings report) join the quality report.
    findings = completeness_findings(
        count,
        scorecard=ev.scorecard,
        units=ev.units,
        periods=ev.periods,
        freq=ev.freq,
        quality=ev.quality,
    )
    if len(findings):
        quality = (
            pd.concat([ev.quality, findings], ignore_index=True) if len(ev.quality) else findings
        )
        ev = attrs.evolve(ev, quality=quality)
    return attrs.evolve(
        ev,
        notes=notes,
        completeness=completeness(count, ev.indicators.ids, ev.units),
        data_quality=data_quality,
        source_quality=source_quality,
        provisional=provisional,
        as_known_at=None if known_at is None else str(known_at),
        freshness=freshness,
        adjustments=adjustments,
    )


def _max_age(text: str) -> pd.Timedelta | None:
    try:
        age = pd.Timedelta(text)
    except (ValueError, TypeError):
        return None
    return None if pd.isna(age) or age <= pd.Timedelta(0) else age


FRESHNESS_COLUMNS = ("indicator", "org_unit", "last_as_of", "age", "max_age", "stale")


def _freshness(
    ev: Evaluation, prepared: PreparedObservations, known_at: np.datetime64 | None
) -> pd.DataFrame:
    """Age of the latest value of every indicator that declares a ``max_age``, per org unit
    that reported it; reference time ``known_at``, else now."""
    sc = ev.scorecard
    watched = np.array([i.max_age is not None for i in sc.indicators], dtype=bool)
    rows = watched[prepared.indicator] & ~np.isnat(prepared.as_of)
    if not rows.any():
        return pd.DataFrame({c: pd.Series(dtype=object) for c in FRESHNESS_COLUMNS})
    n_units = len(ev.units)
    group = prepared.indicator[rows] * n_units + prepared.org_unit[rows]
    stamps = prepared.as_of[rows].astype(np.int64)
    latest = np.full(len(sc.indicators) * n_units, np.iinfo(np.int64).min)
    np.maximum.at(latest, group, stamps)
    cells = np.flatnonzero(latest > np.iinfo(np.int64).min)
    now = (
        known_at
        if known_at is not None
        else np.datetime64(pd.Timestamp.now(tz="UTC").tz_localize(None), "s")
    )
    last = latest[cells].astype("datetime64[s]")
    ind = cells // n_units
    limits = np.array(
        [_max_age(i.max_age) if i.max_age else pd.NaT for i in sc.indicators], dtype=object
    )
    frame = pd.DataFrame(
        {
            "indicator": [sc.indicators[k].id for k in ind],
            "org_unit": [ev.units[u] for u in cells % n_units],
            "last_as_of": last,
            "age": pd.to_timedelta(now - last),
            "max_age": pd.to_timedelta(list(limits[ind])),
        }
    )
    frame["stale"] = frame["age"] > frame["max_age"]
    return frame


def _failed_sources(
    failures: list[tuple[str, str, str, str]], like: PreparedObservations
) -> PreparedObservations:
    """Failed sources and unusable raw facts as quality-report rows, in a part without
    observations."""
    quality = pd.DataFrame(
        {
            "row": pd.array([pd.NA] * len(failures), dtype="Int64"),
            "source": [f[0] for f in failures],
            "indicator": None,
            "org_unit": None,
            "period": None,
            "value": None,
            "severity": [f[2] for f in failures],
            "rule": [f[3] for f in failures],
            "message": [f[1] for f in failures],
        }
    )
    return attrs.evolve(
        like.take(np.zeros(len(like.value), dtype=bool)), quality=quality, n_input=0
    )


@functools.cache
def default_engine() -> Engine:
    """The engine behind :meth:`Scorecard.evaluate` and :func:`balanced_scorecard.load` when
    none is given: made on first use (entry-point plugins loaded), then shared, because a unit
    registry takes a moment to build."""
    return Engine()


def targets_from_frame(
    frame: pd.DataFrame, *, name: str = "frame", provenance: str = ""
) -> TargetSet:
    """A :class:`TargetSet` from a frame with ``indicator``, optional ``org_unit``,
    ``period`` or ``start``/``end``, and threshold columns.

    Examples
    --------
    >>> ts = targets_from_frame(pd.DataFrame({"indicator": ["revenue"], "period": ["2025-01"],
    ...                                       "target": [100.0]}))
    >>> ts.targets[0].start, ts.targets[0].end, ts.targets[0].target
    ('2025-01', '2025-01', 100.0)
    """
    if "indicator" not in frame.columns:
        raise DefinitionError(
            [
                Problem(
                    path="",
                    source=provenance or name,
                    message=f"target table lacks an 'indicator' column; found "
                    f"{list(frame.columns)}",
                )
            ]
        )
    from balanced_scorecard.model.targets import THRESHOLD_FIELDS

    f = frame.astype(object).where(frame.notna(), None)
    rows = []
    problems = []
    # Target tables are small (a row per indicator, unit and span): a loop is fine here.
    for k, rec in enumerate(f.to_dict("records")):
        start = rec.get("start") or rec.get("period")
        end = rec.get("end") or rec.get("period")
        try:
            rows.append(
                Target(
                    indicator=str(rec["indicator"]),
                    org_unit=str(rec["org_unit"]) if rec.get("org_unit") else None,
                    start=start,
                    end=end,
                    **{key: rec.get(key) for key in THRESHOLD_FIELDS},
                )
            )
        except (TypeError, ValueError) as exc:
            problems.append(
                Problem(
                    path=f"row {k}",
                    source=provenance or name,
                    message=f"{exc}; thresholds must be numbers (got {rec!r})",
                )
            )
    if problems:
        raise DefinitionError(problems)
    return TargetSet(name=name, provenance=provenance, targets=rows)
