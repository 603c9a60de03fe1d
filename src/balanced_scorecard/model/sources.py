"""Data sources named in a scorecard definition."""

from __future__ import annotations

from typing import Any

import attrs

from balanced_scorecard._uri import split_scheme
from balanced_scorecard.exceptions import ModelError
from balanced_scorecard.model._convert import frozen_options, thaw
from balanced_scorecard.model.enums import Classification, to_classification
from balanced_scorecard.model.mappings import FactMapping, _to_mapping

__all__ = ["DataSource"]


def _field_classifications(value: Any) -> tuple[tuple[str, Classification], ...]:
    """``{column: classification}`` (or pairs) as sorted frozen pairs."""
    if value is None:
        return ()
    items = value.items() if hasattr(value, "items") else value
    out = []
    for column, given in items:
        try:
            out.append((str(column), to_classification(given)))
        except ModelError as exc:
            raise ModelError(f"field {str(column)!r}: {exc}") from None
    return tuple(sorted(out))


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
    #: Classification of every field (column) not listed in ``fields``.
    classification: Classification = attrs.field(
        default=Classification.INTERNAL, converter=to_classification
    )
    #: Classification per field (column) of the source, e.g. ``{"salary": "confidential"}``.
    fields: tuple[tuple[str, Classification], ...] = attrs.field(
        default=(), converter=_field_classifications
    )
    #: When the source holds raw facts (order lines, tickets) rather than observations: how
    #: they become indicator values (see :class:`~balanced_scorecard.model.FactMapping`).
    mapping: FactMapping | None = attrs.field(default=None, converter=_to_mapping)

    def field_classification(self, column: str) -> Classification:
        """The classification of one field: its own from ``fields``, else the source's.

        Examples
        --------
        >>> hr = DataSource(id="hr", uri="hr.csv", fields={"employee_name": "personal"})
        >>> hr.field_classification("employee_name"), hr.field_classification("team")
        (<Classification.PERSONAL: 'personal'>, <Classification.INTERNAL: 'internal'>)
        """
        return dict(self.fields).get(column, self.classification)

    @property
    def scheme(self) -> str:
        """The URI scheme (``csv``, ``sqlite``), or ``""`` for a bare path."""
        return split_scheme(self.uri)[0]

    @property
    def kwargs(self) -> dict[str, Any]:
        """The options as keyword arguments for the source plugin."""
        return {k: thaw(v) for k, v in self.options}
