"""Review periods: parsing period labels and dates into integer period ordinals.

Everything in the core indexes periods by pandas' period ordinal at the review frequency, so a
period axis is ``np.arange(first, last + 1)`` and "the same month" is integer equality.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from balanced_scorecard.model.enums import Frequency

__all__ = [
    "factorize",
    "label_stamps",
    "parse_period_codes",
    "parse_periods",
    "period_end_dates",
    "period_labels",
    "period_ordinal",
]

_QUARTER = r"^\s*(\d{4})\s*-?\s*[Qq]([1-4])\s*$"
_YEAR = r"^\s*(\d{4})\s*$"


def parse_periods(
    values: pd.Series | np.ndarray | list[object], freq: Frequency
) -> tuple[np.ndarray, np.ndarray]:
    """Parse labels (``2025-03``, ``2025-03-31``, ``2025Q1``, ``2025``) or timestamps into
    period ordinals at ``freq``; returns ``(ordinals, bad)`` where ``bad`` marks what could not
    be parsed (its ordinal is 0).

    A date falls in the period that contains it; a quarter or year label stands for its first
    month when ``freq`` is finer (the start of the span).

    Examples
    --------
    >>> ords, bad = parse_periods(["2025-01", "2025-03-31", "2025Q2", "oops"], Frequency.QUARTERLY)
    >>> period_labels(ords[~bad], Frequency.QUARTERLY), bad.tolist()
    (['2025Q1', '2025Q1', '2025Q2'], [False, False, False, True])
    """
    ordinals, bad, _, _ = parse_period_codes(values, freq)
    return ordinals, bad


def factorize(column: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Codes (-1 where missing) and distinct values of a column.

    Text columns are hashed as plain Python objects: for pandas' ``str`` dtype that is two to
    three times faster than factorizing the extension array, and it is the cost that
    dominates reading millions of observation rows.
    """
    if isinstance(column.dtype, pd.StringDtype) or column.dtype == object:
        text_codes, text_uniques = pd.factorize(column.to_numpy(dtype=object))
        return np.asarray(text_codes), np.asarray(text_uniques, dtype=object)
    codes, uniques = pd.factorize(column, use_na_sentinel=True)
    return np.asarray(codes), np.asarray(uniques)


def label_stamps(uniques: pd.Series) -> tuple[pd.Series, pd.Series]:
    """The grammar of period labels, applied to distinct values: the first instant each
    stands for (NaT when it is not a period) and its span kind (``M`` for a month label or
    a date, ``Q`` for ``2025Q1``, ``Y`` for ``2025``).

    Examples
    --------
    >>> stamps, kinds = label_stamps(pd.Series(["2025-03-15", "2025-Q2", "2025", "March"]))
    >>> [str(s.date()) if pd.notna(s) else "NaT" for s in stamps], kinds.tolist()
    (['2025-03-15', '2025-04-01', '2025-01-01', 'NaT'], ['M', 'Q', 'Y', 'M'])
    """
    if pd.api.types.is_datetime64_any_dtype(uniques):
        stamps = pd.Series(pd.to_datetime(uniques), index=uniques.index)
        return stamps, pd.Series("M", index=uniques.index)
    texts = uniques.astype(object).astype(str)
    q = texts.str.extract(_QUARTER)
    y = texts.str.extract(_YEAR)
    # Quarter and bare-year labels become the first day of their span.
    month = ((q[1].astype(float) - 1) * 3 + 1).fillna(1).astype(int).astype(str).str.zfill(2)
    rewritten = texts.where(q[0].isna(), q[0] + "-" + month + "-01")
    rewritten = rewritten.where(y[0].isna(), y[0] + "-01-01")
    # Only text that starts with a year is a period: dateutil would read "Feb" as February
    # of the current year, which silently changes with the calendar.
    rewritten = rewritten.where(rewritten.str.match(r"^\s*\d{4}"), "")
    stamps = pd.Series(pd.to_datetime(rewritten, format="mixed", errors="coerce"))
    kinds = pd.Series("M", index=texts.index).mask(q[0].notna(), "Q").mask(y[0].notna(), "Y")
    return stamps, kinds


def parse_period_codes(
    values: pd.Series | np.ndarray | list[object], freq: Frequency
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Like :func:`parse_periods`, also returning each row's code among the distinct input
    values (-1 where missing), so callers can tell identical stamps apart cheaply, and the
    day each stamp stands for (a day ordinal), which orders stamps within one period.

    Examples
    --------
    >>> ords, bad, codes, days = parse_period_codes(["2025-03-31", "2025-03-02"],
    ...                                             Frequency.MONTHLY)
    >>> (ords[0] == ords[1], days[0] - days[1], codes.tolist())
    (np.True_, np.int64(29), [0, 1])
    """
    series = pd.Series(values)
    codes, uniques = factorize(series)
    u = pd.Series(uniques, dtype=object)
    out = np.zeros(len(u), dtype=np.int64)
    day = np.zeros(len(u), dtype=np.int64)
    ok = np.zeros(len(u), dtype=bool)
    if len(u):
        stamps, _ = label_stamps(
            pd.Series(uniques) if pd.api.types.is_datetime64_any_dtype(series) else u
        )
        good = stamps.notna().to_numpy()
        if good.any():
            index = pd.DatetimeIndex(stamps[good])
            out[good] = index.to_period(_alias(freq)).asi8
            day[good] = index.to_period("D").asi8
        ok = good
    safe = np.maximum(codes, 0)
    ordinals = np.where(codes >= 0, out[safe], 0) if len(u) else np.zeros(len(codes), np.int64)
    days = np.where(codes >= 0, day[safe], 0) if len(u) else np.zeros(len(codes), np.int64)
    bad = (codes < 0) | ~ok[safe] if len(u) else np.ones(len(codes), bool)
    return ordinals.astype(np.int64), np.asarray(bad, dtype=bool), codes, days


def period_ordinal(label: str, freq: Frequency) -> int:
    """One label to its ordinal; raises ``ValueError`` naming the label when it cannot parse.

    Examples
    --------
    >>> period_ordinal("2025-03", Frequency.MONTHLY) - period_ordinal("2025-01", Frequency.MONTHLY)
    2
    """
    ords, bad = parse_periods([label], freq)
    if bad[0]:
        raise ValueError(
            f"{label!r} is not a period; write a month as '2025-03', a quarter as '2025Q1', "
            "a year as '2025' or a date as '2025-03-31'"
        )
    return int(ords[0])


def _alias(freq: Frequency) -> str:
    return freq.value


def _period_index(ordinals: np.ndarray, freq: Frequency) -> pd.PeriodIndex:
    ords = np.asarray(ordinals, dtype=np.int64)
    # from_ordinals is missing from pandas-stubs, hence the getattr.
    build = getattr(pd.PeriodIndex, "from_ordinals")  # noqa: B009
    index: pd.PeriodIndex = build(ords, freq=_alias(freq))
    return index


def period_labels(ordinals: np.ndarray, freq: Frequency) -> list[str]:
    """Labels users know (``2025-03``, ``2025Q1``, ``2025``) for period ordinals."""
    idx = _period_index(ordinals, freq)
    return [str(p) for p in idx.astype(str)]


def period_end_dates(ordinals: np.ndarray, freq: Frequency) -> np.ndarray:
    """The last day of each period, as ``datetime64[D]``."""
    idx = _period_index(ordinals, freq)
    return np.asarray(idx.end_time.to_numpy().astype("datetime64[D]"))
