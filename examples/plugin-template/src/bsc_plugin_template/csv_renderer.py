"""The ``csv`` renderer: the focus period of an evaluation as one CSV table."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from balanced_scorecard import Evaluation

__all__ = ["CsvRenderer"]

# A spreadsheet treats a cell that starts with one of these as a formula; a name such as
# "=HYPERLINK(...)" in a definition must arrive as text.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _as_text_cell(value: object) -> object:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


class CsvRenderer:
    """Render :meth:`Evaluation.to_frame` (the focus period, every node and org unit) as CSV.

    Follows :class:`balanced_scorecard.plugins.Renderer`: a ``render`` method plus
    ``media_type`` and ``suffix`` attributes (the suffix lets ``bsc evaluate --output x.csv``
    pick this renderer without ``--format``).

    Options
    -------
    period
        A period label to render instead of the focus period.
    org_unit
        Only this org unit (default: every unit evaluated).
    safe_for_spreadsheets
        Prefix text cells that a spreadsheet would run as a formula with ``'`` (default True).

    Other options (the CLI passes ``max_exceptions`` to every renderer) are ignored.
    """

    media_type = "text/csv"
    suffix = ".csv"

    def render(
        self,
        evaluation: Evaluation,
        *,
        period: str | None = None,
        org_unit: str | None = None,
        safe_for_spreadsheets: bool = True,
        **options: Any,
    ) -> str:
        """Return the CSV text, header first, one line per (node, org unit)."""
        frame: pd.DataFrame = evaluation.to_frame(period=period, org_unit=org_unit)
        if safe_for_spreadsheets:
            text_columns = [c for c in frame.columns if frame[c].dtype.kind not in "biufcmM"]
            frame = frame.astype(dict.fromkeys(text_columns, object))
            frame[text_columns] = frame[text_columns].map(_as_text_cell)
        return str(frame.to_csv(index=False, lineterminator="\n"))
