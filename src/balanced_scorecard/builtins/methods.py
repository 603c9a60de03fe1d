"""Built-in scoring and rollup methods, registered like any plugin's."""

from __future__ import annotations

from balanced_scorecard.algorithms.rollup import ROLLUP_METHODS
from balanced_scorecard.algorithms.scoring import BUILTIN_METHODS
from balanced_scorecard.plugins.hookspecs import hookimpl
from balanced_scorecard.plugins.registries import RegisterRollupMethod, RegisterScoringMethod


@hookimpl
def bsc_register_scoring_methods(register: RegisterScoringMethod) -> None:
    """goal_red_flag, piecewise, progress, ratio, expected_path, band, categorical, zscore."""
    for method in BUILTIN_METHODS.values():
        register(method)


@hookimpl
def bsc_register_rollup_methods(register: RegisterRollupMethod) -> None:
    """The vectorised built-ins.

    The engine calls :func:`~balanced_scorecard.algorithms.rollup.rollup` for them directly,
    so the registered value is just the name.
    """
    for name in ROLLUP_METHODS:
        register(name, name)  # type: ignore[arg-type]
