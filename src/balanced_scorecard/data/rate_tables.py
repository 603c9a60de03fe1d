"""FX rate tables and price indices, read from a frame or CSV and checked.

The lookups are vectorised over the groups that need a rate or an index value: binary
searches and cumulative sums per currency, never a Python loop per observation.
"""

from __future__ import annotations

from collections.abc import Mapping

import attrs
import numpy as np
import pandas as pd

from balanced_scorecard._suggest import did_you_mean
from balanced_scorecard.data.adjustments import (
    INDEX_FREQS,
    Table,
    bad_row,
    currency_of,
    period_spans,
    read_table,
)
from balanced_scorecard.data.periods import period_labels
from balanced_scorecard.exceptions import UnitError
from balanced_scorecard.model.enums import Frequency
from balanced_scorecard.units import CURRENCIES, UnitRegistry

__all__ = ["PriceIndex", "RateTable"]


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
                raise UnitError(bad_row(frame, mask, what, problem))
        for c in code.unique():
            if currency_of(c, registry) != (c, 1.0):
                raise UnitError(
                    bad_row(
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
                bad_row(
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
                bad_row(
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
            raise UnitError(bad_row(frame, bad, what, "the period is not a label like 2024"))
        value = pd.to_numeric(frame["value"], errors="coerce")
        if (value.isna() | ~(value > 0)).any():
            raise UnitError(
                bad_row(frame, value.isna() | ~(value > 0), what, "the value is not positive")
            )
        kinds = spans.kinds[spans.codes]
        if freq is None:
            found = [k for k in INDEX_FREQS if (kinds == k).any()]
            if len(found) > 1:
                raise UnitError(
                    f"the {what} mixes periods of different lengths ({', '.join(found)}); give "
                    "one label kind throughout, or pass freq='Y' (or 'Q', 'M')"
                )
            freq = found[0] if found else "Y"
        else:
            freq = Frequency.parse(freq).value
            if freq not in INDEX_FREQS:
                raise UnitError(
                    f"a {what} is by month, quarter or year ('M', 'Q', 'Y'), not {freq!r}"
                )
            coarse = np.array([INDEX_FREQS.index(k) for k in kinds]) > INDEX_FREQS.index(freq)
            if coarse.any():
                raise UnitError(
                    bad_row(frame, coarse, what, f"the period is longer than the freq {freq!r}")
                )
        ords = pd.DatetimeIndex(spans.start[spans.codes]).to_period(freq).asi8
        dup = pd.Series(ords).duplicated(keep=False).to_numpy()
        if dup.any():
            raise UnitError(bad_row(frame, dup, what, "two values for the same period"))
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
