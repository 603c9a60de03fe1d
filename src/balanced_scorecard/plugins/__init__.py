"""The plugin API: hook markers, the manager facade and the protocols plugins implement."""

from balanced_scorecard.plugins.hookspecs import (
    PLUGIN_API_VERSION,
    PROJECT_NAME,
    hookimpl,
    hookspec,
)
from balanced_scorecard.plugins.manager import PluginManager
from balanced_scorecard.plugins.registries import (
    Adjuster,
    Registry,
    Renderer,
    RollupFunction,
    Source,
)

__all__ = [
    "PLUGIN_API_VERSION",
    "PROJECT_NAME",
    "Adjuster",
    "PluginManager",
    "Registry",
    "Renderer",
    "RollupFunction",
    "Source",
    "hookimpl",
    "hookspec",
]
