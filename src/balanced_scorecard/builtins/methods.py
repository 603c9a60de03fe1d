"""Built-in scoring methods, rollup methods and validation rules, registered like any plugin's."""

from __future__ import annotations

from balanced_scorecard.algorithms.rollup import ROLLUP_METHODS
from balanced_scorecard.algorithms.scoring import BUILTIN_METHODS
from balanced_scorecard.data.rules import BUILTIN_RULES
from balanced_scorecard.plugins.hookspecs import hookimpl
from balanced_scorecard.plugins.registries import (
    RegisterRollupMethod,
    RegisterScoringMethod,
    RegisterValidationRule,
)


@hookimpl
def bsc_register_scoring_methods(register: RegisterScoringMethod) -> None:
    """goal_red_flag, piecewise, progress, ratio, expected_path, band, categorical, zscore."""
    for method in BUILTIN_METHODS.values():
        register(method)


@hookimpl
def bsc_register_validation_rules(register: RegisterValidationRule) -> None:
    """negative-parts, numerator-above-denominator, valid-range, share-range, outlier."""
    for rule in BUILTIN_RULES:
        register(rule)


@hookimpl
def bsc_register_rollup_methods(register: RegisterRollupMethod) -> None:
    """The vectorised built-ins.

    The engine calls :func:`~balanced_scorecard.algorithms.rollup.rollup` for them directly,
    so the registered value is just the name.
    """
    for name in ROLLUP_METHODS:
        register(name, name)  # type: ignore[arg-type]
