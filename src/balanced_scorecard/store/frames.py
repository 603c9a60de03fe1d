"""Frames as JSON text that reads back exactly: column order, dtypes and every value.

Floats are written with Python's shortest round-trip repr, so they read back bit for bit
(``-0.0`` included); NaN and the infinities, which JSON lacks, are kept as lists of row
positions. Supported columns: float, integer and bool numbers, text (``str`` or ``object``
columns of strings, missing as None), and datetimes (naive or with a time zone, NaT kept).
Anything else is refused with the column name and a fix, never stored approximately.

Examples
--------
>>> import numpy as np, pandas as pd
>>> frame = pd.DataFrame({"period": ["2025-01", "2025-02"], "value": [0.1 + 0.2, np.nan]})
>>> back = frame_from_json(frame_to_json(frame))
>>> bool(back["value"].iloc[0] == 0.1 + 0.2), bool(np.isnan(back["value"].iloc[1]))
(True, True)
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pandas as pd

from balanced_scorecard.exceptions import ObservationError
from balanced_scorecard.store.errors import StoreError

__all__ = ["frame_from_json", "frame_to_json"]

_FORMAT = 1


def _positions(mask: np.ndarray[Any, Any]) -> list[int]:
    return [int(i) for i in np.flatnonzero(mask)]


def _encode_column(name: str, col: pd.Series) -> dict[str, Any]:
    dtype = col.dtype
    out: dict[str, Any] = {"name": name, "dtype": str(dtype)}
    if isinstance(dtype, pd.DatetimeTZDtype) or (isinstance(dtype, np.dtype) and dtype.kind == "M"):
        stamps = pd.DatetimeIndex(col)
        ints = stamps.asi8  # epoch in the dtype's unit, UTC for zoned columns
        missing = np.asarray(stamps.isna())
        out["kind"] = "datetime"
        out["unit"] = stamps.unit
        out["tz"] = None if stamps.tz is None else str(stamps.tz)
        out["values"] = np.where(missing, 0, ints).tolist()
        out["missing"] = _positions(missing)
        return out
    if isinstance(dtype, np.dtype) and dtype.kind == "f":
        arr = col.to_numpy()
        bad = ~np.isfinite(arr)
        out["kind"] = "float"
        out["values"] = np.where(bad, 0.0, arr).tolist()
        out["nan"] = _positions(np.isnan(arr))
        # A NaN's sign bit survives arithmetic (e.g. -0.0 * inf); keep it, bit for bit.
        out["negnan"] = _positions(np.isnan(arr) & np.signbit(arr))
        out["posinf"] = _positions(np.isposinf(arr))
        out["neginf"] = _positions(np.isneginf(arr))
        return out
    if isinstance(dtype, np.dtype) and dtype.kind in "iub":
        out["kind"] = "number"
        out["values"] = col.to_numpy().tolist()
        return out
    if pd.api.types.is_string_dtype(dtype):
        values = col.to_numpy(dtype=object)
        missing = np.asarray(pd.isna(col))
        kinds = pd.Series(values[~missing]).map(type)
        if not kinds.isin([str]).all():
            odd = kinds[~kinds.isin([str])].iloc[0].__name__
            raise ObservationError(
                f"column {name!r} mixes text with {odd} values, which cannot be stored "
                "without changing them; convert it first, e.g. frame[col].astype(str)"
            )
        out["kind"] = "text"
        kept = values.copy()
        kept[missing] = None
        out["values"] = kept.tolist()
        return out
    raise ObservationError(
        f"column {name!r} has dtype {dtype}, which the store does not keep losslessly; "
        "convert it to float, integer, bool, text or datetime first (e.g. periods with "
        ".astype(str), categories with .astype(str))"
    )


def frame_to_json(frame: pd.DataFrame) -> str:
    """The JSON text of ``frame`` (see the module notes for what is supported).

    The frame must have a default index (0, 1, 2, ...): long-format frames carry everything
    in columns. Call ``frame.reset_index()`` to keep an index as a column, or
    ``reset_index(drop=True)`` to drop it.
    """
    if not isinstance(frame, pd.DataFrame):
        raise ObservationError(f"expected a pandas DataFrame, got {type(frame).__name__}")
    if not frame.index.equals(pd.RangeIndex(len(frame))):
        raise ObservationError(
            "the frame has an index other than 0, 1, 2, ...; the store keeps columns only. "
            "Call frame.reset_index() to keep the index as a column, or "
            "frame.reset_index(drop=True) to drop it"
        )
    names = list(frame.columns)
    if not all(isinstance(c, str) for c in names) or len(set(names)) != len(names):
        raise ObservationError(
            f"column names must be unique strings; got {names!r}. Rename the columns first"
        )
    columns = [_encode_column(n, frame[n]) for n in names]
    return json.dumps(
        {"format": _FORMAT, "rows": len(frame), "columns": columns},
        allow_nan=False,
        ensure_ascii=False,
        separators=(",", ":"),
    )


def _decode_column(spec: dict[str, Any], rows: int) -> pd.Series:
    kind = spec["kind"]
    if kind == "float":
        arr = np.asarray(spec["values"], dtype=spec["dtype"]).reshape(rows)
        arr[spec["nan"]] = np.nan
        arr[spec.get("negnan", [])] = np.copysign(np.nan, -1.0)
        arr[spec["posinf"]] = np.inf
        arr[spec["neginf"]] = -np.inf
        return pd.Series(arr, name=spec["name"])
    if kind == "number":
        return pd.Series(
            np.asarray(spec["values"], dtype=spec["dtype"]).reshape(rows), name=spec["name"]
        )
    if kind == "text":
        values = pd.Series(np.asarray(spec["values"], dtype=object).reshape(rows), dtype=object)
        return values.astype(spec["dtype"]).rename(spec["name"])
    if kind == "datetime":
        ints = np.asarray(spec["values"], dtype=np.int64).reshape(rows)
        stamps = ints.view(f"M8[{spec['unit']}]").copy()
        stamps[spec["missing"]] = np.datetime64("NaT")
        index = pd.DatetimeIndex(stamps)
        if spec["tz"] is not None:
            index = index.tz_localize("UTC").tz_convert(spec["tz"])
        return pd.Series(index, name=spec["name"])
    raise StoreError(f"unknown column kind {kind!r} in a stored frame; upgrade balanced_scorecard")


def frame_from_json(text: str) -> pd.DataFrame:
    """The frame :func:`frame_to_json` wrote, with the same columns, dtypes and values."""
    data = json.loads(text)
    if data.get("format") != _FORMAT:
        raise StoreError(
            f"stored frame format {data.get('format')!r} is not {_FORMAT}; this store was "
            "written by another version of balanced_scorecard, upgrade it"
        )
    rows = int(data["rows"])
    columns = {c["name"]: _decode_column(c, rows) for c in data["columns"]}
    return pd.DataFrame(columns, index=pd.RangeIndex(rows), columns=list(columns))
