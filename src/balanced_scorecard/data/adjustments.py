"""Adjustment maths: the spans period labels stand for, FX rate tables and price indices.

The pure half of the built-in adjusters (:mod:`balanced_scorecard.builtins.adjusters`). Every
function works on the distinct values of a column (periods, currencies), with numpy searches
and cumulative sums, never a Python loop per observation.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence

import attrs
import numpy as np
import pandas as pd

from balanced_scorecard._suggest import did_you_mean
from balanced_scorecard.data.periods import factorize, period_labels
from balanced_scorecard.exceptions import ScorecardError, UnitError
from balanced_scorecard.model.enums import Frequency
from balanced_scorecard.units import CURRENCIES, UnitRegistry, unit_problem

__all__ = [
    "PeriodSpans",
    "PriceIndex",
    "RateTable",
    "Table",
    "currency_of",
    "period_spans",
    "positions",
    "read_table",
]

#: A table option: a frame, or the path of a CSV file with the same columns.
Table = pd.DataFrame | str | os.PathLike[str]

_QUARTER = r"^\s*(\d{4})\s*-?\s*[Qq]([1-4])\s*$"
_YEAR = r"^\s*(\d{4})\s*$"
# Spans a price index may be indexed by, finest first.
_INDEX_FREQS = ("M", "Q", "Y")


def read_table(
    table: Table,
    *,
    columns: Sequence[str],
    what: str,
    text: Sequence[str] = (),
    error: type[ScorecardError] = UnitError,
) -> pd.DataFrame:
    """A frame given as a frame or a CSV path, checked for ``columns``.

    ``text`` columns are read as text from CSV (``001`` stays ``001``); ``what`` names the
    table in the messages, and ``error`` is the exception raised.

    Examples
    --------
    >>> read_table(pd.DataFrame({"period": ["2024"]}), columns=["period", "value"],
    ...            what="price index")
    Traceback (most recent call last):
    ...
    balanced_scorecard.exceptions.UnitError: the price index lacks column(s) ['value']; ...
    """
    if isinstance(table, pd.DataFrame):
        frame = table
    elif isinstance(table, str | os.PathLike):
        try:
            frame = pd.read_csv(table, dtype=dict.fromkeys(text, str))
        except (OSError, ValueError) as exc:
            raise error(f"cannot read the {what} from {os.fspath(table)!r}: {exc}") from exc
    else:
        raise error(
            f"the {what} must be a pandas DataFrame or the path of a CSV file, "
            f"not {type(table).__name__}"
        )
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise error(
            f"the {what} lacks column(s) {missing}; found {list(frame.columns)}. It needs "
            f"the columns {list(columns)}: rename them"
        )
    return frame


def positions(column: pd.Series, known: Sequence[str]) -> np.ndarray:
    """Position of each row's (stripped) text in ``known``; -1 when missing or unknown.

    Examples
    --------
    >>> positions(pd.Series(["b", " a", None, "z"]), ["a", "b"]).tolist()
    [1, 0, -1, -1]
    """
    codes, uniques = factorize(column)
    if not len(uniques):
        return np.full(len(column), -1, dtype=np.int64)
    pos = pd.Index(list(known)).get_indexer(pd.Index([str(u).strip() for u in uniques]))
    return np.where(codes >= 0, pos[np.maximum(codes, 0)], -1).astype(np.int64)


def currency_of(unit: object, registry: UnitRegistry) -> tuple[str, float] | None:
    """The ISO code of a currency unit and its size in that currency, or ``None`` for
    anything that is not an amount of one currency (a blank, ``percent``, ``EUR/person``).

    Examples
    --------
    >>> from balanced_scorecard.units import make_registry
    >>> ureg = make_registry()
    >>> currency_of("kUSD", ureg), currency_of("percent", ureg), currency_of("EUR/day", ureg)
    (('USD', 1000.0), None, None)
    """
    if not isinstance(unit, str) or not unit.strip() or unit_problem(unit.strip(), registry):
        return None
    parsed = registry.parse_units(unit.strip())
    dims = dict(parsed.dimensionality)
    if len(dims) != 1:
        return None
    ((dim, power),) = dims.items()
    if power != 1 or not dim.startswith("[currency_"):
        return None
    code = dim[len("[currency_") : -1]
    return code, float(registry.Quantity(1.0, parsed).to(code).magnitude)


@attrs.frozen(kw_only=True, eq=False)
class PeriodSpans:
    """The calendar span each distinct period value of a column stands for.

    ``codes`` gives each row's distinct value (-1 when missing or not a period); ``start``
    and ``end`` are the first and last day of each distinct value's span (``datetime64[D]``),
    ``labels`` its canonical label and ``kinds`` its length (``M``, ``Q`` or ``Y``).
    """

    codes: np.ndarray
    start: np.ndarray
    end: np.ndarray
    labels: np.ndarray
    kinds: np.ndarray


def period_spans(values: pd.Series | Sequence[object]) -> PeriodSpans:
    """The span of each period as given: a month label or a date is its calendar month, a
    quarter or year label its quarter or year.

    Examples
    --------
    >>> s = period_spans(["2025-03", "2025-03-15", "2025Q1", "2025", "March"])
    >>> s.codes.tolist(), s.labels.tolist(), s.kinds.tolist()
    ([0, 1, 2, 3, -1], ['2025-03', '2025-03', '2025Q1', '2025', ''], ['M', 'M', 'Q', 'Y', ''])
    >>> [str(d) for d in s.end[:3]]
    ['2025-03-31', '2025-03-31', '2025-03-31']
    """
    series = values if isinstance(values, pd.Series) else pd.Series(list(values), dtype=object)
    codes, uniques = factorize(series)
    n = len(uniques)
    start = np.zeros(n, dtype="datetime64[D]")
    end = np.zeros(n, dtype="datetime64[D]")
    labels = np.full(n, "", dtype=object)
    kinds = np.full(n, "", dtype=object)
    if n:
        if pd.api.types.is_datetime64_any_dtype(series):
            stamps = pd.Series(pd.to_datetime(pd.Series(uniques)))
            kind = pd.Series("M", index=stamps.index)
        else:
            texts = pd.Series(uniques, dtype=object).astype(str)
            q = texts.str.extract(_QUARTER)
            y = texts.str.extract(_YEAR)
            month = ((q[1].astype(float) - 1) * 3 + 1).fillna(1).astype(int).astype(str)
            # Each label becomes a day inside its span; only text that starts with a year is a
            # period, as in the observation validation.
            day = texts.where(texts.str.match(r"^\s*\d{4}"), "")
            day = day.where(q[0].isna(), q[0] + "-" + month.str.zfill(2) + "-01")
            day = day.where(y[0].isna(), y[0] + "-01-01")
            stamps = pd.Series(pd.to_datetime(day, format="mixed", errors="coerce"))
            kind = pd.Series("M", index=texts.index).mask(q[0].notna(), "Q")
            kind = kind.mask(y[0].notna(), "Y")
        good = stamps.notna().to_numpy()
        for k in _INDEX_FREQS:
            m = good & (kind == k).to_numpy()
            if not m.any():
                continue
            spans = pd.DatetimeIndex(stamps[m]).to_period(k)
            start[m] = spans.start_time.to_numpy().astype("datetime64[D]")
            end[m] = spans.end_time.to_numpy().astype("datetime64[D]")
            labels[m] = np.asarray(spans.astype(str), dtype=object)
            kinds[m] = k
        codes = np.where((codes >= 0) & good[np.maximum(codes, 0)], codes, -1)
    return PeriodSpans(codes=codes, start=start, end=end, labels=labels, kinds=kinds)


def _bad_row(frame: pd.DataFrame, mask: np.ndarray | pd.Series, what: str, problem: str) -> str:
    """Message naming the first offending row (numbered as a spreadsheet shows it)."""
    k = int(np.flatnonzero(np.asarray(mask))[0])
    record = ", ".join(f"{c} {frame[c].iloc[k]!r}" for c in frame.columns[:4])
    more = int(np.asarray(mask).sum()) - 1
    extra = f" (and {more} more row{'s' if more != 1 else ''})" if more else ""
    return f"the {what}, row {k + 2} ({record}){extra}: {problem}"


@attrs.frozen(kw_only=True, eq=False)
class RateTable:
    """FX rates quoted against one ``base`` currency: units of each currency per one unit of
    the base, by date. ``dates[code]`` is sorted and ``rates[code]`` follows it.

    Examples
    --------
    >>> from balanced_scorecard.units import make_registry
    >>> rates = pd.DataFrame({"date": ["2025-01-15", "2025-01-31"], "currency": "USD",
    ...                       "rate": [1.10, 1.20]})
    >>> t = RateTable.from_table(rates, base="EUR", registry=make_registry())
    >>> jan = np.array(["2025-01-01"], "datetime64[D]"), np.array(["2025-01-31"], "datetime64[D]")
    >>> t.average("USD", *jan).round(4).tolist(), t.closing("USD", jan[1]).tolist()
    ([1.15], [1.2])
    >>> t.average("GBP", *jan).tolist(), t.average("EUR", *jan).tolist()
    ([nan], [1.0])
    """

    base: str
    dates: Mapping[str, np.ndarray]
    rates: Mapping[str, np.ndarray]

    @classmethod
    def from_table(cls, table: Table, *, base: str, registry: UnitRegistry) -> RateTable:
        """Read and check a table with columns ``date``, ``currency``, ``rate``."""
        if currency_of(base, registry) != (base, 1.0):
            raise UnitError(
                f"the FX base {base!r} is not a currency code this registry knows."
                + did_you_mean(str(base), CURRENCIES)
                + " Pass the code of the currency the rates are quoted against, e.g. 'EUR'"
            )
        what = f"FX rates (base {base})"
        frame = read_table(table, columns=("date", "currency", "rate"), what=what)
        frame = frame[["date", "currency", "rate"]].reset_index(drop=True)
        date = pd.Series(pd.to_datetime(frame["date"], errors="coerce", format="mixed"))
        rate = pd.to_numeric(frame["rate"], errors="coerce")
        code = frame["currency"].astype(object).where(frame["currency"].notna(), "")
        code = code.astype(str).str.strip()
        for mask, problem in (
            (date.isna(), "the date is not a date; write it as 2025-03-31"),
            (rate.isna() | ~(rate > 0), "the rate is not a positive number"),
        ):
            if mask.any():
                raise UnitError(_bad_row(frame, mask, what, problem))
        for c in code.unique():
            if currency_of(c, registry) != (c, 1.0):
                raise UnitError(
                    _bad_row(
                        frame,
                        code == c,
                        what,
                        f"{c!r} is not a currency code this registry knows."
                        + did_you_mean(c, CURRENCIES)
                        + f" Fix the code, or define it: registry.define('{c} = [currency_{c}]')",
                    )
                )
        if ((code == base) & (rate != 1.0)).any():
            raise UnitError(
                _bad_row(
                    frame,
                    (code == base) & (rate != 1.0),
                    what,
                    f"the base currency {base} is worth 1 {base} by definition; drop the row "
                    "or fix the base",
                )
            )
        day = date.to_numpy().astype("datetime64[D]")
        sorted_frame = pd.DataFrame({"code": code, "day": day, "rate": rate.to_numpy()})
        dup = sorted_frame.duplicated(["code", "day"], keep=False).to_numpy()
        if dup.any():
            raise UnitError(
                _bad_row(
                    frame,
                    dup,
                    what,
                    "two rates for the same currency and date; keep one (an average would "
                    "count the day twice)",
                )
            )
        sorted_frame = sorted_frame.sort_values(["code", "day"], kind="stable")
        dates, rates = {}, {}
        for c, part in sorted_frame.groupby("code", sort=True):
            dates[str(c)] = part["day"].to_numpy().astype("datetime64[D]")
            rates[str(c)] = part["rate"].to_numpy(dtype=np.float64)
        return cls(base=base, dates=dates, rates=rates)

    def average(self, code: str, start: np.ndarray, end: np.ndarray) -> np.ndarray:
        """The mean rate of ``code`` over the rates dated within ``[start, end]`` (IAS 21's
        average rate for flows); NaN where no rate is dated in the span."""
        if code == self.base:
            return np.ones(len(start))
        if code not in self.dates:
            return np.full(len(start), np.nan)
        d, r = self.dates[code], self.rates[code]
        lo = np.searchsorted(d, start, side="left")
        hi = np.searchsorted(d, end, side="right")
        total = np.concatenate([[0.0], np.cumsum(r)])
        n = hi - lo
        return np.where(n > 0, (total[hi] - total[lo]) / np.maximum(n, 1), np.nan)

    def closing(self, code: str, end: np.ndarray) -> np.ndarray:
        """The last rate of ``code`` dated on or before ``end`` (IAS 21's closing rate for
        stocks); NaN where there is none."""
        if code == self.base:
            return np.ones(len(end))
        if code not in self.dates:
            return np.full(len(end), np.nan)
        d, r = self.dates[code], self.rates[code]
        i = np.searchsorted(d, end, side="right") - 1
        return np.where(i >= 0, r[np.maximum(i, 0)], np.nan)


@attrs.frozen(kw_only=True, eq=False)
class PriceIndex:
    """A price index by month, quarter or year: ``values[k]`` is the index of period ordinal
    ``first + k`` at ``freq`` (NaN where the table has no value).

    Examples
    --------
    >>> cpi = PriceIndex.from_table(pd.DataFrame({"period": ["2019", "2024"],
    ...                                           "value": [255.657, 313.689]}))
    >>> s = period_spans(["2019-06", "2024", "2022"])
    >>> cpi.freq, cpi.at(s.start, s.end).tolist()
    ('Y', [255.657, 313.689, nan])
    >>> cpi.describe(s.start[:1], s.end[:1]), cpi.coverage
    ('2019', '2019 to 2024')
    """

    freq: str
    first: int
    values: np.ndarray

    @classmethod
    def from_table(cls, table: Table, *, freq: str | None = None) -> PriceIndex:
        """Read and check a table with columns ``period`` and ``value``.

        ``freq`` (``M``, ``Q``, ``Y`` or ``monthly``...) says what the index is by; by default
        the labels tell (``2024``, ``2024Q1``, ``2024-01``). With ``freq``, a date label such
        as ``2024-01-01`` stands for the period containing it.
        """
        what = "price index"
        frame = read_table(table, columns=("period", "value"), what=what, text=("period",))
        frame = frame[["period", "value"]].reset_index(drop=True)
        spans = period_spans(frame["period"])
        bad = spans.codes < 0
        if bad.any():
            raise UnitError(_bad_row(frame, bad, what, "the period is not a label like 2024"))
        value = pd.to_numeric(frame["value"], errors="coerce")
        if (value.isna() | ~(value > 0)).any():
            raise UnitError(
                _bad_row(frame, value.isna() | ~(value > 0), what, "the value is not positive")
            )
        kinds = spans.kinds[spans.codes]
        if freq is None:
            found = [k for k in _INDEX_FREQS if (kinds == k).any()]
            if len(found) > 1:
                raise UnitError(
                    f"the {what} mixes periods of different lengths ({', '.join(found)}); give "
                    "one label kind throughout, or pass freq='Y' (or 'Q', 'M')"
                )
            freq = found[0] if found else "Y"
        else:
            freq = Frequency.parse(freq).value
            if freq not in _INDEX_FREQS:
                raise UnitError(f"a {what} is by month, quarter or year ('M', 'Q', 'Y'), not {freq!r}")
            coarse = np.array([_INDEX_FREQS.index(k) for k in kinds]) > _INDEX_FREQS.index(freq)
            if coarse.any():
                raise UnitError(
                    _bad_row(frame, coarse, what, f"the period is longer than the freq {freq!r}")
                )
        ords = pd.DatetimeIndex(spans.start[spans.codes]).to_period(freq).asi8
        dup = pd.Series(ords).duplicated(keep=False).to_numpy()
        if dup.any():
            raise UnitError(_bad_row(frame, dup, what, "two values for the same period"))
        first = int(ords.min()) if len(ords) else 0
        values = np.full(int(ords.max()) - first + 1 if len(ords) else 0, np.nan)
        values[ords - first] = value.to_numpy(dtype=np.float64)
        return cls(freq=freq, first=first, values=values)

    def _ordinals(self, days: np.ndarray) -> np.ndarray:
        return np.asarray(pd.DatetimeIndex(days).to_period(self.freq).asi8, dtype=np.int64)

    def at(self, start: np.ndarray, end: np.ndarray) -> np.ndarray:
        """The index of each span ``[start, end]``: the value of the index period containing
        it, or the mean over the index periods it covers (a year of a monthly index); NaN
        when any of them has no value."""
        lo = self._ordinals(start) - self.first
        hi = self._ordinals(end) - self.first
        n = len(self.values)
        inside = (lo >= 0) & (hi < n)
        lo, hi = np.clip(lo, 0, n), np.clip(hi + 1, 0, n)
        present = ~np.isnan(self.values)
        total = np.concatenate([[0.0], np.cumsum(np.where(present, self.values, 0.0))])
        count = np.concatenate([[0], np.cumsum(present)])
        width = hi - lo
        full = inside & (width > 0) & (count[hi] - count[lo] == width)
        return np.where(full, (total[hi] - total[lo]) / np.maximum(width, 1), np.nan)

    def describe(self, start: np.ndarray, end: np.ndarray) -> str:
        """The index period(s) the first span ``[start, end]`` uses, as labels."""
        lo, hi = self._ordinals(start[:1])[0], self._ordinals(end[:1])[0]
        first, last = period_labels(np.array([lo, hi]), Frequency(self.freq))
        return first if lo == hi else f"{first} to {last}"

    @property
    def coverage(self) -> str:
        """The first and last period with a value."""
        if not len(self.values):
            return "nothing"
        idx = np.flatnonzero(~np.isnan(self.values)) + self.first
        first, last = period_labels(idx[[0, -1]], Frequency(self.freq))
        return f"{first} to {last}"

    def rebased(self, start: np.ndarray, end: np.ndarray) -> PriceIndex:
        """The index divided by its value over the span ``[start, end]``, times 100."""
        return attrs.evolve(self, values=self.values / self.at(start, end)[0] * 100.0)
