"""Built-in source for Parquet files: a DuckDB relation when DuckDB is installed, so raw
facts larger than memory are aggregated by DuckDB's out-of-core engine and never loaded."""

from __future__ import annotations

from typing import Any

import pandas as pd

from balanced_scorecard.exceptions import ObservationError
from balanced_scorecard.plugins.hookspecs import hookimpl
from balanced_scorecard.plugins.registries import RegisterSource

__all__ = ["ParquetSource"]


class ParquetSource:
    """Reads Parquet files (``parquet:facts/*.parquet``; a glob reads many as one).

    For a source with a fact mapping, :meth:`load_native` hands over a lazy DuckDB
    relation (``pip install balanced_scorecard[duckdb]``), which the mapping aggregates
    inside DuckDB. As an observation source, :meth:`load` reads the file into pandas.
    """

    def load(self, location: Any, **options: Any) -> pd.DataFrame:
        """Read the file(s) into a pandas frame (options go to :func:`pandas.read_parquet`)."""
        try:
            return pd.read_parquet(location, **options)
        except ImportError as exc:
            raise ObservationError(
                "reading Parquet needs pyarrow: pip install balanced_scorecard[duckdb]"
            ) from exc

    def load_native(self, location: Any, **options: Any) -> Any:
        """The file(s) as a DuckDB relation, read lazily; pandas when DuckDB is missing."""
        try:
            import duckdb
        except ImportError:
            return self.load(location, **options)
        return duckdb.read_parquet(str(location), **options)


@hookimpl
def bsc_register_sources(register: RegisterSource) -> None:
    """Register ``parquet`` (``parquet:`` URIs and ``.parquet`` paths)."""
    register("parquet", ParquetSource(), schemes=("parquet",))
