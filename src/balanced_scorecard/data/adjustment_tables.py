"""The tables adjusters read: FX rates, price indices and one-time events.

Each is read from a frame or a CSV file and checked as a whole when it is built, so a bad
table fails before any value changes, with the row at fault named. Lookups are vectorised
over the groups that need them (binary searches and cumulative sums per currency, integer
keys for events), never a Python loop per observation.
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
    numeric_values,
    period_spans,
    positions,
    read_table,
    require_columns,
    signed_change,
    text_column,
    unchanged,
    with_adjustments,
)
from balanced_scorecard.data.periods import period_labels
from balanced_scorecard.exceptions import ObservationError, UnitError
from balanced_scorecard.model.enums import Frequency
from balanced_scorecard.model.scorecard import Scorecard
from balanced_scorecard.units import CURRENCIES, UnitRegistry, convert

__all__ = ["EventTable", "PriceIndex", "RateTable"]


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
    >>> cpi.describe(s.start, s.end).tolist(), cpi.coverage
    (['2019', '2024', '2022'], '2019 to 2024')
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

    def describe(self, start: np.ndarray, end: np.ndarray) -> np.ndarray:
        """The index period(s) each span ``[start, end]`` uses, as labels."""
        lo, hi = self._ordinals(start), self._ordinals(end)
        freq = Frequency(self.freq)
        first = np.asarray(period_labels(lo, freq), dtype=object)
        last = np.asarray(period_labels(hi, freq), dtype=object)
        return np.where(lo == hi, first, first + " to " + last)

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


_KEYS = ("indicator", "org_unit", "period")


@attrs.frozen(kw_only=True, eq=False)
class EventTable:
    """One-time events: amounts to take out of the observations of one (indicator, org unit,
    period) cell, each with a reason.

    ``events`` holds the stripped keys, the amount's ``unit`` (the indicator's when the table
    gives none), ``amount`` and ``reason``; ``source`` is the table as given, for messages.

    Examples
    --------
    >>> from balanced_scorecard.model import Scorecard, Objective, Indicator
    >>> from balanced_scorecard.units import make_registry
    >>> sc = Scorecard(id="s", objectives=[Objective(id="o", perspective="financial")],
    ...     indicators=[Indicator(id="revenue", objective="o", unit="EUR")])
    >>> events = EventTable.from_table(pd.DataFrame({"indicator": ["revenue"],
    ...     "org_unit": ["all"], "period": ["2025-03"], "amount": [500.0], "reason": ["sale"]}),
    ...     scorecard=sc)
    >>> obs = pd.DataFrame({"indicator": "revenue", "org_unit": "all", "period": ["2025-03"],
    ...                     "value": [2.0], "unit": ["kEUR"]})
    >>> events.subtract(obs, registry=make_registry())["value"].tolist()
    [1.5]
    """

    events: pd.DataFrame
    source: pd.DataFrame

    @classmethod
    def from_table(cls, table: Table, *, scorecard: Scorecard) -> EventTable:
        """Read and check a table with columns ``indicator``, ``org_unit``, ``period``,
        ``amount``, ``reason`` and optionally ``unit``."""
        what = "one-time events"
        source = read_table(
            table,
            columns=(*_KEYS, "amount", "reason"),
            what=what,
            text=(*_KEYS, "reason", "unit"),
            error=ObservationError,
        ).reset_index(drop=True)
        amount = pd.to_numeric(source["amount"], errors="coerce").to_numpy(dtype=np.float64)
        if np.isnan(amount).any():
            raise ObservationError(
                bad_row(source, np.isnan(amount), what, "the amount is not a number")
            )
        ids = [i.id for i in scorecard.indicators]
        events = pd.DataFrame({k: text_column(source[k]) for k in _KEYS})
        ind = positions(events["indicator"], ids)
        if (ind < 0).any():
            name = str(events["indicator"].iloc[int(np.flatnonzero(ind < 0)[0])])
            raise ObservationError(
                bad_row(
                    source,
                    ind < 0,
                    what,
                    f"{name!r} is not an indicator of the scorecard." + did_you_mean(name, ids),
                )
            )
        declared = np.array([i.unit for i in scorecard.indicators], dtype=object)[ind]
        if "unit" in source.columns:
            given = text_column(source["unit"]).to_numpy(dtype=object)
            declared = np.where(given == "", declared, given)
        events["unit"], events["amount"] = declared, amount
        events["reason"] = text_column(source["reason"])
        events["declared"] = np.array([i.unit for i in scorecard.indicators], dtype=object)[ind]
        return cls(events=events, source=source)

    def subtract(
        self, frame: pd.DataFrame, *, registry: UnitRegistry, unmatched: str = "raise"
    ) -> pd.DataFrame:
        """``frame`` with each event's amount subtracted from the rows with the same
        indicator, org unit and period text, converted to the row's unit (rows without one
        are in the indicator's). ``unmatched="raise"`` makes an event that meets no row an
        :class:`~balanced_scorecard.exceptions.ObservationError`."""
        require_columns(frame, (*_KEYS, "value"), "one_time")
        ev = self.events
        # Match on integer keys: each row's position among the events' few distinct values
        # of each key column, so the observation columns are hashed once, never stripped.
        row_key = np.zeros(len(frame), dtype=np.int64)
        ev_key = np.zeros(len(ev), dtype=np.int64)
        candidate = np.ones(len(frame), dtype=bool)
        for column in _KEYS:
            known = sorted(set(ev[column]))
            pos = positions(frame[column], known)
            candidate &= pos >= 0
            row_key = row_key * len(known) + pos
            ev_key = ev_key * len(known) + pd.Index(known).get_indexer(ev[column])
        rows_in = np.flatnonzero(candidate)
        pairs = (
            pd.DataFrame({"key": ev_key, "event": np.arange(len(ev))})
            .merge(pd.DataFrame({"key": row_key[rows_in], "row": rows_in}), on="key")
            .sort_values(["row", "event"], kind="stable")
        )
        lonely = np.setdiff1d(np.arange(len(ev)), pairs["event"].to_numpy())
        if len(lonely) and unmatched == "raise":
            raise self._no_match(frame, int(lonely[0]), len(lonely))
        if pairs.empty:
            return unchanged(frame)
        row = pairs["row"].to_numpy()
        event = pairs["event"].to_numpy()
        target = ev["declared"].to_numpy(dtype=object)[event]
        if "unit" in frame.columns:
            row_unit = text_column(frame["unit"].iloc[row]).to_numpy(dtype=object)
            target = np.where(row_unit == "", target, row_unit)
        value = numeric_values(frame)
        if np.isnan(value[row]).any():
            k = int(np.flatnonzero(np.isnan(value[row]))[0])
            raise ObservationError(
                self._about(
                    np.arange(len(ev)) == event[k],
                    f"the event matches observation row {row[k] + 2}, whose value "
                    f"{frame['value'].iloc[row[k]]!r} is not a number; fix the value first",
                )
            )
        amount = ev["amount"].to_numpy(dtype=np.float64)[event]
        given = ev["unit"].to_numpy(dtype=object)[event]
        delta = amount.copy()
        # Amounts are in their own unit; rows may be in another of the same dimension (kEUR).
        for src, dst in {(str(a), str(b)) for a, b in zip(given, target, strict=True)}:
            m = (given == src) & (target == dst)
            try:
                delta[m] = convert(delta[m], src, dst, registry)
            except UnitError as exc:
                raise UnitError(
                    self._about(
                        np.isin(np.arange(len(ev)), event[m]),
                        f"{exc}. The amount is in {src} and the matching row in {dst}: list "
                        "the fx adjuster before one_time, or give the event a 'unit'",
                    )
                ) from None
        reasons = ev["reason"].to_numpy(dtype=object)
        notes = pd.Series(
            [
                f"one-time: {reasons[e]} ({signed_change(a)} {u})"
                for e, a, u in zip(event, amount, given, strict=True)
            ],
            dtype=object,
        )
        joined = notes.groupby(row, sort=True).agg("; ".join)
        rows = joined.index.to_numpy(dtype=np.int64)
        change = np.bincount(row, weights=delta, minlength=len(frame))
        new = value[rows] - change[rows]
        return with_adjustments(frame, rows, new, joined.to_numpy(dtype=object))

    def _about(self, mask: np.ndarray, problem: str) -> str:
        return bad_row(self.source, mask, "one-time events", problem)

    def _no_match(self, frame: pd.DataFrame, event: int, count: int) -> ObservationError:
        ind, org, period = (str(self.events[k].iloc[event]) for k in _KEYS)
        same_cell = (positions(frame["indicator"], [ind]) == 0) & (
            positions(frame["org_unit"], [org]) == 0
        )
        same = text_column(frame["period"][same_cell]).unique()
        seen = (
            f"the rows of {ind!r} for {org!r} have periods {', '.join(sorted(same)[:12])}"
            if len(same)
            else f"there are no rows of {ind!r} for {org!r}"
        )
        more = f" ({count - 1} more event(s) match nothing either)" if count > 1 else ""
        return ObservationError(
            f"the one-time event of row {event + 2} (indicator {ind!r}, org unit {org!r}, "
            f"period {period!r}, reason {self.events['reason'].iloc[event]!r}) matches no "
            f"observation: {seen}{more}. Fix the event's period as the rows write it, or pass "
            "unmatched='ignore' when the row comes from another source"
        )
