"""Built-in data sources: a pandas DataFrame and CSV files."""

from __future__ import annotations

from typing import Any

import pandas as pd

from balanced_scorecard.builtins._csv import read_observation_csv
from balanced_scorecard.plugins.hookspecs import hookimpl
from balanced_scorecard.plugins.registries import RegisterSource

__all__ = ["CsvSource", "DataFrameSource"]

# Ids, units and periods are text even when they look like numbers ("2025", "001").
_TEXT_COLUMNS = {"indicator": str, "org_unit": str, "period": str, "unit": str, "source": str}


class CsvSource:
    """Reads a long observation CSV (``csv:path/to/file.csv`` or a bare ``.csv`` path).

    Options are passed to :func:`pandas.read_csv` (``sep``, ``encoding``, ``decimal``,
    ``thousands``...). A line with more fields than the header, or one that opens a quote it
    never closes, is left out and reported in the quality report with its line number (rule
    ``unreadable-row``); the other lines are read. A byte the encoding cannot decode raises an
    :class:`~balanced_scorecard.exceptions.ObservationError` naming the file, the offset and
    line of the byte, and the ``encoding`` option to try.
    """

    def load(self, location: Any, **options: Any) -> pd.DataFrame:
        """Read the file. Without a ``source`` column, its rows are named after the source
        (its id in a definition, else the path) in lineage and the quality report."""
        kwargs: dict[str, Any] = {"dtype": _TEXT_COLUMNS, "keep_default_na": True}
        kwargs.update(options)
        return read_observation_csv(location, kwargs)


class DataFrameSource:
    """Hands over a frame that is already in memory (``location`` is the frame)."""

    def load(self, location: Any, **options: Any) -> pd.DataFrame:
        """Return a copy of the frame."""
        if not isinstance(location, pd.DataFrame):
            raise TypeError(f"the dataframe source needs a pandas DataFrame, got {type(location)}")
        return location.copy()


@hookimpl
def bsc_register_sources(register: RegisterSource) -> None:
    """Register ``csv`` and ``dataframe``."""
    register("csv", CsvSource(), schemes=("csv",))
    register("dataframe", DataFrameSource())
