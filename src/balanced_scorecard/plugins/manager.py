"""The typed facade over pluggy that an :class:`~balanced_scorecard.Engine` owns.

Nothing is loaded at import time: a manager loads the built-ins and the entry points when it is
created. Each hook implementation is called on its own, so a plugin that raises is recorded as
a :class:`~balanced_scorecard.exceptions.PluginError` naming it and never stops the others.
"""

from __future__ import annotations

import importlib.metadata
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

import pluggy

from balanced_scorecard._uri import split_scheme
from balanced_scorecard.exceptions import PluginError, UnknownMethodError
from balanced_scorecard.plugins import hookspecs
from balanced_scorecard.plugins.registries import (
    Adjuster,
    Registry,
    Renderer,
    RollupFunction,
    Source,
    StoreOpener,
)

if TYPE_CHECKING:
    from balanced_scorecard.algorithms.scoring import ScoringMethod
    from balanced_scorecard.data.rules import ValidationRule
    from balanced_scorecard.results import Evaluation

__all__ = ["PluginManager"]


def _builtin_plugins() -> list[tuple[str, object]]:
    from balanced_scorecard.builtins import adjusters, methods, parquet, renderers, sources, sql

    return [
        ("builtins.sources", sources),
        ("builtins.sql", sql),
        ("builtins.parquet", parquet),
        ("builtins.renderers", renderers),
        ("builtins.methods", methods),
        ("builtins.adjusters", adjusters),
    ]


def api_problem(plugin: object, name: str) -> str | None:
    """Why ``plugin`` cannot be used with this plugin API, or ``None`` when it can.

    Examples
    --------
    >>> class Old:
    ...     bsc_plugin_api = "0.9"
    >>> print(api_problem(Old(), "old"))  # doctest: +NORMALIZE_WHITESPACE
    plugin 'old' was written for plugin API 0.9, but balanced_scorecard offers 1.0; upgrade
    the plugin (or pin an older balanced_scorecard)
    >>> api_problem(object(), "plain") is None
    True
    """
    declared = getattr(plugin, "bsc_plugin_api", None)
    if declared is None:
        return None
    ours = ".".join(map(str, hookspecs.PLUGIN_API_VERSION))
    try:
        major = int(str(declared).split(".")[0])
    except ValueError:
        return f"plugin {name!r} declares bsc_plugin_api = {declared!r}; write it as '{ours}'"
    if major != hookspecs.PLUGIN_API_VERSION[0]:
        return (
            f"plugin {name!r} was written for plugin API {declared}, but balanced_scorecard "
            f"offers {ours}; upgrade the plugin (or pin an older balanced_scorecard)"
        )
    return None


class PluginManager:
    """Loads plugins and keeps what they register.

    Parameters
    ----------
    entry_points
        Load third-party plugins from the ``balanced_scorecard`` entry-point group.
    plugins
        Extra plugin objects (modules or instances) to register, e.g. in tests.

    Examples
    --------
    >>> pm = PluginManager(entry_points=False)
    >>> sorted(pm.renderers)[-4:]
    ['html', 'json', 'markdown', 'text']
    >>> "dashboard" in pm.renderers and "briefing-pdf" in pm.renderers
    True
    >>> "goal_red_flag" in pm.scoring_methods
    True
    """

    def __init__(self, *, entry_points: bool = True, plugins: Iterable[object] = ()) -> None:
        self._pm = pluggy.PluginManager(hookspecs.PROJECT_NAME)
        self._pm.add_hookspecs(hookspecs)
        #: Every plugin failure seen so far (at load or in a hook), in order.
        self.failures: list[PluginError] = []
        self._registries: dict[str, Registry[Any]] = {}
        for name, plugin in _builtin_plugins():
            self._pm.register(plugin, name=name)
        if entry_points:
            self._load_entry_points()
        for plugin in plugins:
            self.register(plugin)

    def _load_entry_points(self) -> None:
        for ep in importlib.metadata.entry_points(group=hookspecs.PROJECT_NAME):
            if self._pm.get_plugin(ep.name) is not None:
                continue
            try:
                plugin = ep.load()
                problem = api_problem(plugin, ep.name)
                if problem is not None:
                    self.failures.append(PluginError(problem))
                    continue
                self._pm.register(plugin, name=ep.name)
            except Exception as exc:  # a broken plugin must not take the others down
                self.failures.append(
                    PluginError(
                        f"plugin {ep.name!r} (entry point {ep.value!r}) failed to load: "
                        f"{type(exc).__name__}: {exc}; fix or uninstall it"
                    )
                )

    def register(self, plugin: object, name: str | None = None) -> str:
        """Register a plugin object; returns the name it is known by.

        Raises
        ------
        PluginError
            When the plugin declares an incompatible ``bsc_plugin_api`` or pluggy refuses it.
        """
        problem = api_problem(plugin, name or str(getattr(plugin, "__name__", None) or plugin))
        if problem is not None:
            raise PluginError(problem)
        try:
            registered = self._pm.register(plugin, name=name)
        except (ValueError, pluggy.PluginValidationError) as exc:
            raise PluginError(f"cannot register plugin {name or plugin!r}: {exc}") from exc
        self._registries.clear()
        return str(registered)

    @property
    def names(self) -> list[str]:
        """Names of the registered plugins, built-ins first."""
        return [name for name, plugin in self._pm.list_name_plugin() if plugin is not None]

    def hooks_of(self, name: str) -> list[str]:
        """The hook names a registered plugin implements."""
        plugin = self._pm.get_plugin(name)
        if plugin is None:
            raise UnknownMethodError(f"no plugin named {name!r}; registered: {self.names}")
        callers = self._pm.get_hookcallers(plugin) or []
        return sorted(c.name for c in callers)

    def _call_each(self, hook_name: str, **kwargs: Any) -> list[tuple[str, Any]]:
        """Call every implementation of a hook separately, recording failures by plugin."""
        caller = getattr(self._pm.hook, hook_name)
        results: list[tuple[str, Any]] = []
        # pluggy calls the last registered first; we want built-ins first, as registered.
        for impl in caller.get_hookimpls():
            args = [kwargs[a] for a in impl.argnames]
            try:
                results.append((impl.plugin_name, impl.function(*args)))
            except Exception as exc:
                self.failures.append(
                    PluginError(
                        f"plugin {impl.plugin_name!r} raised in {hook_name}: "
                        f"{type(exc).__name__}: {exc}"
                    )
                )
        return results

    def _registry(self, hook_name: str, kind: str, adder: Callable[..., Any]) -> Registry[Any]:
        if hook_name in self._registries:
            return self._registries[hook_name]
        reg: Registry[Any] = Registry(kind)
        caller = getattr(self._pm.hook, hook_name)
        for impl in caller.get_hookimpls():
            register = adder(reg, impl.plugin_name)
            try:
                impl.function(*[register for _ in impl.argnames])
            except Exception as exc:
                self.failures.append(
                    PluginError(
                        f"plugin {impl.plugin_name!r} raised in {hook_name}: "
                        f"{type(exc).__name__}: {exc}"
                    )
                )
        self._registries[hook_name] = reg
        return reg

    @property
    def sources(self) -> Registry[Source]:
        """Registered data sources by name."""

        def adder(reg: Registry[Any], plugin: str) -> Callable[..., None]:
            def register(name: str, source: Source, *, schemes: Iterable[str] = ()) -> None:
                reg.add(name, source, plugin=plugin)
                for scheme in schemes:
                    self._schemes[scheme.lower()] = name

            return register

        if "bsc_register_sources" not in self._registries:
            self._schemes: dict[str, str] = {}
        return self._registry("bsc_register_sources", "source", adder)

    @property
    def renderers(self) -> Registry[Renderer]:
        """Registered renderers by format name."""
        return self._registry(
            "bsc_register_renderers",
            "renderer",
            lambda reg, plugin: lambda name, r: reg.add(name, r, plugin=plugin),
        )

    @property
    def adjusters(self) -> Registry[Adjuster]:
        """Registered value adjusters by name."""
        return self._registry(
            "bsc_register_adjusters",
            "adjuster",
            lambda reg, plugin: lambda name, a: reg.add(name, a, plugin=plugin),
        )

    @property
    def scoring_methods(self) -> Registry[ScoringMethod]:
        """Registered scoring methods by name."""
        return self._registry(
            "bsc_register_scoring_methods",
            "scoring method",
            lambda reg, plugin: lambda m: reg.add(m.name, m, plugin=plugin),
        )

    @property
    def rollup_methods(self) -> Registry[RollupFunction | str]:
        """Registered rollup methods by name (built-ins map to their own name)."""
        return self._registry(
            "bsc_register_rollup_methods",
            "rollup method",
            lambda reg, plugin: lambda name, f: reg.add(name, f, plugin=plugin),
        )

    @property
    def validation_rules(self) -> Registry[ValidationRule]:
        """Registered validation rules by name, built-ins first."""
        return self._registry(
            "bsc_register_validation_rules",
            "validation rule",
            lambda reg, plugin: lambda rule: reg.add(rule.name, rule, plugin=plugin),
        )

    def resolve_source(self, uri: str) -> tuple[Source, str]:
        """The source for ``uri`` and the location to hand it (the URI without its scheme).

        A bare path is read by the source registered for its suffix (``.csv`` -> ``csv``).
        """
        registry = self.sources
        scheme, rest = split_scheme(uri)
        if scheme and scheme in self._schemes:
            source = registry[self._schemes[scheme]]
            # Database sources need the whole URL (its scheme names the dialect).
            return source, uri if getattr(source, "wants_uri", False) else rest
        if not scheme:
            suffix = uri.rsplit(".", 1)[-1].lower() if "." in uri else ""
            if suffix in self._schemes:
                return registry[self._schemes[suffix]], uri
        answer = self._pm.hook.bsc_resolve_source(uri=uri)
        if answer is not None:
            return answer, uri
        raise UnknownMethodError(
            f"no source can read {uri!r}; known schemes: {', '.join(sorted(self._schemes))}. "
            "Write 'csv:path/to/file.csv', or install a source plugin for this kind of URI"
        )

    def notify_evaluated(self, evaluation: Evaluation) -> list[PluginError]:
        """Fire ``bsc_on_evaluated``, then ``bsc_on_escalation`` once per escalation that
        fires (computed only when a plugin listens); returns the failures they caused."""
        before = len(self.failures)
        self._call_each("bsc_on_evaluated", evaluation=evaluation)
        if self._pm.hook.bsc_on_escalation.get_hookimpls():
            from balanced_scorecard.governance.escalation import (
                escalation_events,
                evaluate_escalations,
            )

            try:
                events = escalation_events(evaluate_escalations(evaluation))
            except Exception as exc:  # a broken scorecard must not lose the evaluation
                self.failures.append(
                    PluginError(f"escalations could not be evaluated: {type(exc).__name__}: {exc}")
                )
                events = []
            for event in events:
                self._call_each("bsc_on_escalation", evaluation=evaluation, escalation=event)
        return self.failures[before:]

    @property
    def stores(self) -> Registry[StoreOpener]:
        """Registered store openers by URL scheme."""
        return self._registry(
            "bsc_register_stores",
            "store",
            lambda reg, plugin: lambda scheme, opener: reg.add(scheme, opener, plugin=plugin),
        )
