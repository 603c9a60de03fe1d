"""The exception tree of balanced_scorecard.

Every error the library raises on purpose derives from :class:`ScorecardError` and also from
the closest built-in exception, so callers can catch either ``ScorecardError`` (everything of
ours) or the built-in they already handle (``ValueError``, ``KeyError``, ``TypeError``).
Messages name the offending id, value and location and say how to fix it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import attrs

__all__ = [
    "DefinitionError",
    "ExpressionError",
    "MissingDependencyError",
    "ModelError",
    "ObservationError",
    "PdfEngineError",
    "PlotDependencyError",
    "PluginError",
    "Problem",
    "ScorecardError",
    "StoreConflictError",
    "StoreError",
    "UnitError",
    "UnknownMethodError",
    "UnknownNodeError",
]


class ScorecardError(Exception):
    """Root of every error raised by balanced_scorecard."""


class ModelError(ScorecardError, ValueError):
    """A model object was built with values that cannot go together."""


class UnknownNodeError(ScorecardError, KeyError):
    """An id names no objective, indicator, perspective or org unit of the scorecard."""

    def __str__(self) -> str:
        # KeyError quotes its argument; our messages are sentences.
        return str(self.args[0]) if self.args else ""


class UnknownMethodError(ScorecardError, KeyError):
    """A scoring, rollup, aggregation, source or renderer name is not registered."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class UnitError(ScorecardError, ValueError):
    """A unit is unknown, or a value cannot be converted to the unit its indicator declares."""


class ExpressionError(ScorecardError, ValueError):
    """A formula of a calculated indicator cannot be parsed or uses something not allowed."""


class ObservationError(ScorecardError, ValueError):
    """Observations are unusable as a whole (missing columns, wrong types)."""


class PluginError(ScorecardError, RuntimeError):
    """A plugin failed; the message names the plugin and the hook."""


class MissingDependencyError(ScorecardError, ImportError):
    """An optional dependency a feature needs is not installed; the message names the extra
    to install (``pip install 'balanced_scorecard[plot]'``) or the system package."""


class PlotDependencyError(MissingDependencyError):
    """matplotlib, needed for figures, is not installed (the ``plot`` extra)."""


class PdfEngineError(MissingDependencyError, RuntimeError):
    """No PDF engine: Playwright (the ``pdf`` extra) or the system Chromium is missing."""


class StoreError(ScorecardError, RuntimeError):
    """The store cannot do what was asked: unknown scorecard or version, a schema that is
    older or newer than this library, a value it cannot keep losslessly."""


class StoreConflictError(StoreError):
    """Someone saved a newer version of a definition since it was read (optimistic
    concurrency): reload it, apply the change again and save with the new version.

    Attributes
    ----------
    scorecard_id, expected, actual
        The scorecard (or, with ``what``, the record, e.g. ``"change request cr-1"``), the
        version (or revision) the writer expected to replace, and the latest stored one.
    """

    def __init__(self, scorecard_id: str, expected: int, actual: int, *, what: str = "") -> None:
        self.scorecard_id = scorecard_id
        self.expected = expected
        self.actual = actual
        if what:
            super().__init__(
                f"{scorecard_id} was changed by someone else: you expected to replace "
                f"{what} {expected}, but the stored {what} is {actual}. Reload it, apply your "
                f"change again and save with expected_{what}={actual}"
            )
            return
        super().__init__(
            f"scorecard {scorecard_id!r} was changed by someone else: you expected to replace "
            f"version {expected}, but the latest stored version is {actual}. Reload version "
            f"{actual} (Store.load_definition), apply your change again and save with "
            f"expected_version={actual}"
        )


@attrs.frozen(kw_only=True)
class Problem:
    """One problem found in a definition document.

    Parameters
    ----------
    path
        Where inside the document, e.g. ``objectives[3].indicators[0].unit``.
    message
        What is wrong and what was expected.
    source
        The file the document came from, if any.
    line
        1-based line in ``source`` where the format gives one.
    """

    path: str
    message: str
    source: str | None = None
    line: int | None = None

    def __str__(self) -> str:
        where = self.source or "<definition>"
        if self.line is not None:
            where += f", line {self.line}"
        loc = f" at {self.path}" if self.path else ""
        return f"{where}{loc}: {self.message}"


class DefinitionError(ScorecardError, ValueError):
    """A scorecard definition has one or more problems; all are collected in :attr:`problems`.

    Examples
    --------
    >>> err = DefinitionError([Problem(path="objectives[0].id", message="id is missing")])
    >>> print(err)
    1 problem in the scorecard definition:
      - <definition> at objectives[0].id: id is missing
    """

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__(self._message(self.problems))

    @staticmethod
    def _message(problems: Sequence[Problem]) -> str:
        n = len(problems)
        head = f"{n} problem{'s' if n != 1 else ''} in the scorecard definition:"
        return "\n".join([head, *(f"  - {p}" for p in problems)])
