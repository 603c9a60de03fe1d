"""Data sources named in a scorecard definition."""

from __future__ import annotations

from typing import Any

import attrs

from balanced_scorecard._uri import split_scheme
from balanced_scorecard.model._convert import frozen_options, thaw

__all__ = ["DataSource"]


@attrs.frozen(kw_only=True)
class DataSource:
    """Where observations come from: a URI (``csv:data/obs.csv``, ``sqlite:///x.db``) or a
    bare path, resolved by a source plugin; relative paths are relative to the definition file.

    Examples
    --------
    >>> DataSource(id="actuals", uri="csv:observations.csv").scheme
    'csv'
    >>> DataSource(id="x", uri="data/obs.csv").scheme
    ''
    """

    id: str
    uri: str
    options: tuple[tuple[str, Any], ...] = attrs.field(default=(), converter=frozen_options)
    description: str = ""

    @property
    def scheme(self) -> str:
        """The URI scheme (``csv``, ``sqlite``), or ``""`` for a bare path."""
        return split_scheme(self.uri)[0]

    @property
    def kwargs(self) -> dict[str, Any]:
        """The options as keyword arguments for the source plugin."""
        return {k: thaw(v) for k, v in self.options}
