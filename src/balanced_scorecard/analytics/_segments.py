"""Segment columns (``by=``) shared by the customer, people and innovation toolkits."""

from __future__ import annotations

from collections.abc import Sequence

#: One column name, several, or None for no segmentation.
By = str | Sequence[str] | None


def segment_columns(by: By) -> list[str]:
    """``by=`` as a list of column names.

    Examples
    --------
    >>> segment_columns("market"), segment_columns(None), segment_columns(("a", "b"))
    (['market'], [], ['a', 'b'])
    """
    if by is None:
        return []
    return [by] if isinstance(by, str) else list(by)
