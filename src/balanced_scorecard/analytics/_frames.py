"""Input checks for the rows the customer, people and innovation toolkits read.

Those toolkits take rows from the organisation's systems as a pandas frame and name its
columns with keyword options. Before any maths, the functions here check that the frame holds
the columns and rows asked for, and turn a column into a numpy array (numbers, yes/no flags,
dates as float days since the epoch). Bad input raises
:class:`~balanced_scorecard.exceptions.ObservationError` naming the column and the fix; a bad
date option raises :class:`~balanced_scorecard.exceptions.ModelError`.

Two frame checks exist because their messages differ: :func:`frame_with` (the customer
toolkits; it also takes a plain array of scores) and :func:`require_columns` (the people and
innovation toolkits; its message names the argument and the keyword options).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import pandas as pd

from balanced_scorecard.exceptions import ModelError, ObservationError

__all__ = [
    "BoolArray",
    "DateLike",
    "FloatArray",
    "check_date_order",
    "date_as_day",
    "dates_as_days",
    "flag_column",
    "frame_with",
    "number_column",
    "require_columns",
]

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
DateLike = str | pd.Timestamp | np.datetime64


def frame_with(data: pd.DataFrame | npt.ArrayLike, column: str, by: list[str]) -> pd.DataFrame:
    """The rows as a frame with ``column`` and the ``by`` columns checked to be there."""
    if not isinstance(data, pd.DataFrame):
        if by:
            raise ObservationError("by= needs a DataFrame with the segment columns")
        data = pd.DataFrame({column: np.asarray(data, dtype=np.float64).ravel()})
    missing = [c for c in [column, *by] if c not in data.columns]
    if missing:
        raise ObservationError(
            f"column(s) {missing} not found; the frame has {list(data.columns)}. Name the "
            "columns with the keyword options."
        )
    if data.empty:
        raise ObservationError("no rows: give at least one response or event")
    return data


def require_columns(
    frame: object, columns: Sequence[str], *, what: str, options: str
) -> pd.DataFrame:
    """``frame`` checked to be a non-empty DataFrame holding ``columns``."""
    if not isinstance(frame, pd.DataFrame):
        raise ObservationError(f"{what} must be a pandas DataFrame; got {type(frame).__name__}")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ObservationError(
            f"{what}: column(s) {missing} not found; the frame has {list(frame.columns)}. "
            f"Rename the columns or name them with the keyword options ({options})."
        )
    if frame.empty:
        raise ObservationError(f"{what}: no rows; give at least one row")
    return frame


def number_column(frame: pd.DataFrame, column: str, *, negative_ok: bool = False) -> FloatArray:
    """A numeric column as floats; missing, non-numeric or (unless allowed) negative is an error."""
    values = pd.to_numeric(frame[column], errors="coerce").to_numpy(
        dtype=np.float64, na_value=np.nan
    )
    bad = np.isnan(values) | (~negative_ok & (values < 0))
    if bad.any():
        first = int(np.flatnonzero(bad)[0])
        kind = "numbers" if negative_ok else "non-negative numbers"
        raise ObservationError(
            f"{int(bad.sum())} value(s) of {column!r} are missing or not {kind} (first at row "
            f"{first}: {frame[column].iloc[first]!r}); fix or drop those rows"
        )
    return values


def flag_column(frame: pd.DataFrame, column: str) -> BoolArray:
    """A yes/no column (bool, 0/1) as a bool array; anything else is an error."""
    raw = frame[column]
    values = pd.to_numeric(raw.astype("object"), errors="coerce").to_numpy(
        dtype=np.float64, na_value=np.nan
    )
    bad = ~np.isin(values, (0.0, 1.0))
    if bad.any():
        first = int(np.flatnonzero(bad)[0])
        raise ObservationError(
            f"{int(bad.sum())} value(s) of {column!r} are not True/False or 1/0 (first at row "
            f"{first}: {raw.iloc[first]!r}); give a boolean column"
        )
    return np.asarray(values == 1.0, dtype=np.bool_)


def dates_as_days(frame: pd.DataFrame, column: str, *, required: bool) -> FloatArray:
    """A date column as float days since the epoch (NaN where missing)."""
    raw = frame[column]
    # ISO 8601 for text (no guessing day-first or month-first); datetimes pass through.
    parsed = pd.to_datetime(raw, errors="coerce", format="ISO8601")
    unparsed = parsed.isna().to_numpy() & raw.notna().to_numpy()
    if unparsed.any():
        first = int(np.flatnonzero(unparsed)[0])
        raise ObservationError(
            f"{int(unparsed.sum())} value(s) of {column!r} are not dates (first at row "
            f"{first}: {raw.iloc[first]!r}); give ISO dates such as '2025-01-31'"
        )
    days = ((parsed - pd.Timestamp(0)) / pd.Timedelta(days=1)).to_numpy(
        dtype=np.float64, na_value=np.nan
    )
    if required and np.isnan(days).any():
        first = int(np.flatnonzero(np.isnan(days))[0])
        raise ObservationError(
            f"{int(np.isnan(days).sum())} value(s) of {column!r} are missing (first at row "
            f"{first}); every row needs a {column!r} date"
        )
    return np.asarray(days, dtype=np.float64)


def date_as_day(value: DateLike, name: str) -> float:
    """A date option (``as_of=``, ``period_start=``...) as float days since the epoch."""
    try:
        stamp = pd.Timestamp(value)
    except (TypeError, ValueError):
        raise ModelError(f"{name} must be a date such as '2025-12-31'; got {value!r}") from None
    if pd.isna(stamp):
        raise ModelError(f"{name} must be a date such as '2025-12-31'; got {value!r}")
    return float((stamp - pd.Timestamp(0)) / pd.Timedelta(days=1))


def check_date_order(
    frame: pd.DataFrame, early: FloatArray, late: FloatArray, names: tuple[str, str]
) -> None:
    """Raise when ``late`` comes before ``early`` on any row (NaN compares as fine)."""
    bad = late < early
    if bad.any():
        first = int(np.flatnonzero(bad)[0])
        raise ObservationError(
            f"{int(bad.sum())} row(s) have {names[1]!r} before {names[0]!r} (first at row "
            f"{first}: {frame[names[0]].iloc[first]!r} then {frame[names[1]].iloc[first]!r}); "
            "fix the dates or swap the columns"
        )
