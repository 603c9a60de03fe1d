"""A balanced_scorecard plugin: a ``csv`` renderer and a counter of evaluations.

The module itself is the plugin. The entry point in ``pyproject.toml`` names it, and every
:class:`balanced_scorecard.Engine` created with ``entry_points=True`` (the default) registers
it. Only functions decorated with :data:`~balanced_scorecard.plugins.hookimpl` and named
after a hook count; everything else in the module is ignored by the plugin manager.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from balanced_scorecard.plugins import hookimpl
from bsc_plugin_template.csv_renderer import CsvRenderer

if TYPE_CHECKING:
    from balanced_scorecard import Evaluation
    from balanced_scorecard.plugins.registries import RegisterRenderer

__all__ = ["CsvRenderer", "bsc_on_evaluated", "bsc_register_renderers", "evaluation_count"]

__version__ = "0.1.0"

# Module state is shared by every Engine in the process, so guard it with a lock: engines may
# evaluate in several threads at once.
_lock = threading.Lock()
_evaluations = 0


@hookimpl
def bsc_register_renderers(register: RegisterRenderer) -> None:
    """Make ``csv`` a format: ``engine.render(ev, "csv")``, ``bsc evaluate --format csv``."""
    register("csv", CsvRenderer())


@hookimpl
def bsc_on_evaluated(evaluation: Evaluation) -> None:
    """Count finished evaluations (a stand-in for notifying, exporting or logging)."""
    global _evaluations
    with _lock:
        _evaluations += 1


def evaluation_count() -> int:
    """How many evaluations this plugin has seen in this process."""
    return _evaluations
