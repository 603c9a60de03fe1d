"""Hook specifications: the contract between balanced_scorecard and its plugins.

Every hook is prefixed ``bsc_``. A plugin is any module or object with functions named like the
hooks below and marked with :data:`hookimpl`; it is found through the ``balanced_scorecard``
entry-point group or registered with :meth:`PluginManager.register`. The docstrings here are
the reference: they say when each hook fires and what it receives. Specs may gain arguments in
later versions, never lose or rename them, so implement only the arguments you use.

Register-style hooks hand the plugin a ``register`` callable. Built-in sources, renderers and
methods are registered through the same hooks as any third-party plugin.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    from balanced_scorecard.plugins.registries import (
        RegisterAdjuster,
        RegisterRenderer,
        RegisterRollupMethod,
        RegisterScoringMethod,
        RegisterSource,
        RegisterStore,
        RegisterValidationRule,
    )
    from balanced_scorecard.results import Evaluation

__all__ = ["PLUGIN_API_VERSION", "PROJECT_NAME", "hookimpl", "hookspec"]

#: The plugin API this version of balanced_scorecard offers, as (major, minor). A plugin may
#: declare the version it was written for as a module or object attribute
#: ``bsc_plugin_api = "1.0"``; a different major version is refused at load (hooks may gain
#: arguments within a major version, never lose or rename them).
PLUGIN_API_VERSION = (1, 0)

#: The pluggy project name and entry-point group.
PROJECT_NAME = "balanced_scorecard"

hookspec = pluggy.HookspecMarker(PROJECT_NAME)
#: Decorate plugin functions with this marker: ``@hookimpl def bsc_register_renderers(...)``.
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)


@hookspec
def bsc_register_sources(register: RegisterSource) -> None:
    """Register data sources.

    Called once per :class:`~balanced_scorecard.Engine`, the first time it needs a source.
    Call ``register(name, source, schemes=(...))`` for each source, where ``source`` follows
    :class:`~balanced_scorecard.plugins.Source` (a ``load(location, **options)`` method that
    returns a long observation frame) and ``schemes`` are the URI schemes it answers
    (``csv`` answers ``csv:path/to/file.csv``).
    """


@hookspec(firstresult=True)
def bsc_resolve_source(uri: str) -> Any | None:
    """Return a source object for ``uri`` when this plugin can read it, else ``None``.

    Asked only when no registered scheme matches the URI; the first non-``None`` answer wins.
    Use it for URIs whose scheme alone does not decide the reader (``https://.../x.parquet``).
    """


@hookspec
def bsc_register_adjusters(register: RegisterAdjuster) -> None:
    """Register value adjusters (currency, inflation, one-time events).

    Call ``register(name, adjuster)`` where ``adjuster`` follows
    :class:`~balanced_scorecard.plugins.Adjuster`: ``adjust(frame, *, scorecard, registry,
    **options)`` returns the observation frame with adjusted values. The engine passes the
    scorecard being evaluated and its unit registry, then the options the user gave in
    ``Engine.evaluate(..., adjust=[(name, options)])``. Adjusters run on each source's raw
    frame, before validation, in the order the user lists them.
    """


@hookspec
def bsc_register_renderers(register: RegisterRenderer) -> None:
    """Register output formats for evaluations.

    Call ``register(name, renderer)`` where ``renderer`` follows
    :class:`~balanced_scorecard.plugins.Renderer`: ``render(evaluation, **options)`` returns
    ``str`` (or ``bytes``), with ``media_type`` and ``suffix`` attributes. The name is what
    ``bsc evaluate --format`` and :meth:`Evaluation.render` accept. Renderers must escape every
    user-supplied string for their format.
    """


@hookspec
def bsc_register_scoring_methods(register: RegisterScoringMethod) -> None:
    """Register scoring methods.

    Call ``register(method)`` with a
    :class:`~balanced_scorecard.algorithms.scoring.ScoringMethod`: a name, a vectorised
    ``func(inputs, **params)`` returning raw scores, the inputs it requires, its parameter
    names and a ``breakpoints`` function used by ``explain``. Definition files name it in
    ``scoring: {method: NAME, ...}``.
    """


@hookspec
def bsc_register_rollup_methods(register: RegisterRollupMethod) -> None:
    """Register rollup methods.

    Call ``register(name, func)`` where ``func(scores, *, weights, parent, n_parents)``
    combines child scores (shape ``(n_children, ...)``, NaN where missing) into parent scores
    (shape ``(n_parents, ...)``) with numpy, without a Python loop per node. Objectives and
    perspectives name it in ``rollup: NAME``.
    """


@hookspec
def bsc_register_validation_rules(register: RegisterValidationRule) -> None:
    """Register validation rules for observations.

    Call ``register(rule)`` with a :class:`~balanced_scorecard.data.rules.ValidationRule`:
    a name, a severity (``error`` quarantines the rows, ``warning`` and ``info`` keep and
    report them), a message that says how to fix the data, and a vectorised
    ``check(rows)`` returning True for the rows it objects to; optionally
    ``describe(rows, flagged)`` returning one message per flagged row that names its value.
    Rules run on every source's rows after units are converted, in registration order
    (built-ins first).
    """


@hookspec
def bsc_on_evaluated(evaluation: Evaluation) -> None:
    """Called after every evaluation, with the finished, frozen
    :class:`~balanced_scorecard.Evaluation`.

    Use it to notify, export or log. An exception raised here is reported as a
    :class:`~balanced_scorecard.exceptions.PluginError` naming the plugin in
    ``evaluation.plugin_errors``; the evaluation itself is returned unharmed.
    """


@hookspec
def bsc_on_escalation(evaluation: Evaluation, escalation: dict[str, Any]) -> None:
    """Called after an evaluation once per escalation that fires at its focus period (see
    :func:`~balanced_scorecard.governance.escalation.evaluate_escalations`), with the
    evaluation and the event: ``indicator``, ``org_unit``, ``period``, ``rule``,
    ``run_length``, ``to`` (the people to notify), ``via`` and the rule in words.

    A notifier plugin sends the message; the rule that fired is in the event. Escalations are
    only computed when some plugin implements this hook. Failures are reported like those of
    :func:`bsc_on_evaluated`.
    """


@hookspec
def bsc_register_stores(register: RegisterStore) -> None:
    """Register store back ends by URL scheme: ``register("mydb", opener)`` where
    ``opener(url)`` returns a :class:`~balanced_scorecard.store.Store`.

    The built-in SQLAlchemy store serves ``sqlite`` and ``postgresql`` URLs;
    :meth:`balanced_scorecard.Engine.open_store` asks the registered openers first.
    """
