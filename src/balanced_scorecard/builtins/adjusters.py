"""Built-in adjusters: ``fx`` (currency translation), ``inflation`` (price-index deflation)
and ``one_time`` (one-time events).

Adjusters run on each source's raw observation frame, before validation, in the order given
to ``Engine.evaluate(..., adjust=[...])``. Each returns a new frame (the input is not
changed) and appends what it did to the row's ``adjustments`` text, so every adjusted value
can say where it came from. Rows an adjuster cannot judge (an unknown indicator, a period or
value that is not one) are left as they are for validation to report.

An option name an adjuster does not know raises, so a misspelling never passes silently;
a missing FX rate or index value raises a :class:`~balanced_scorecard.exceptions.UnitError`
naming the currency or period and the indicator, and is never taken as 1.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import attrs
import numpy as np
import pandas as pd

from balanced_scorecard._suggest import did_you_mean
from balanced_scorecard.data.adjustment_tables import EventTable, PriceIndex, RateTable
from balanced_scorecard.data.adjustments import (
    Table,
    check_options,
    currency_of,
    numeric_values,
    period_spans,
    positions,
    require_columns,
    unchanged,
    with_adjustments,
)
from balanced_scorecard.exceptions import ObservationError, UnitError, UnknownNodeError
from balanced_scorecard.model.enums import TimeAggregation
from balanced_scorecard.model.scorecard import Scorecard
from balanced_scorecard.plugins.hookspecs import hookimpl
from balanced_scorecard.plugins.registries import RegisterAdjuster
from balanced_scorecard.units import UnitRegistry

__all__ = ["FxAdjuster", "InflationAdjuster", "OneTimeAdjuster", "bsc_register_adjusters"]


def _is_stock(scorecard: Scorecard) -> np.ndarray:
    """Per indicator: translated at the closing rate (a balance) rather than the average."""
    tags = [{t.lower() for t in i.tags} for i in scorecard.indicators]
    return np.array(
        [
            (i.time_aggregation is TimeAggregation.LAST or "stock" in t) and "flow" not in t
            for i, t in zip(scorecard.indicators, tags, strict=True)
        ],
        dtype=bool,
    )


@attrs.frozen
class FxAdjuster:
    """Currency translation after IAS 21: flows at the average rate of their period, stocks
    (balances) at the closing rate.

    Options, given as ``adjust=[("fx", {...})]``:

    rates
        A frame (or CSV path) with columns ``date``, ``currency``, ``rate``: units of
        ``currency`` per one unit of ``base``.
    base
        The currency the rates are quoted against, e.g. ``"EUR"``.
    to
        The presentation currency. Default: each indicator's own declared currency.

    A row is translated when its ``unit`` is an amount of a currency (``USD``, ``kUSD``)
    other than the target's, its indicator is known and its value is a number. A flow uses
    the mean of the rates dated within the row's period (a month label or a date is its
    calendar month; a quarter or year label its span); a stock, an indicator with
    ``time_aggregation: last`` or tagged ``stock``, uses the last rate dated on or before the
    period's end (the tag ``flow`` forces the average). Other currencies cross through the
    base: USD→GBP is USD→EUR→GBP, from the averages (or the closings) of both legs. The
    row's unit becomes the target and its ``adjustments`` gain e.g.
    ``fx USD→EUR @ 0.869565 (average 2025-01)``. Only ``value`` is translated; numerators
    and denominators of ratio rows are left as they are.

    Examples
    --------
    >>> from balanced_scorecard.model import Scorecard, Objective, Indicator
    >>> from balanced_scorecard.units import make_registry
    >>> sc = Scorecard(id="s", objectives=[Objective(id="o", perspective="financial")],
    ...     indicators=[Indicator(id="revenue", objective="o", unit="EUR", time_aggregation="sum"),
    ...                 Indicator(id="cash", objective="o", unit="EUR", time_aggregation="last")])
    >>> rates = pd.DataFrame({"date": ["2025-01-15", "2025-01-31"], "currency": "USD",
    ...                       "rate": [1.10, 1.20]})
    >>> obs = pd.DataFrame({"indicator": ["revenue", "cash"], "org_unit": "all",
    ...                     "period": "2025-01", "value": [1.15, 1200.0], "unit": ["kUSD", "USD"]})
    >>> out = FxAdjuster().adjust(obs, scorecard=sc, registry=make_registry(), rates=rates,
    ...                           base="EUR")
    >>> out["value"].round(6).tolist(), out["unit"].tolist()
    ([1000.0, 1000.0], ['EUR', 'EUR'])
    >>> print("\\n".join(out["adjustments"]))
    fx USD→EUR @ 0.869565 (average 2025-01)
    fx USD→EUR @ 0.833333 (closing 2025-01-31)
    """

    def adjust(
        self,
        frame: pd.DataFrame,
        *,
        scorecard: Scorecard,
        registry: UnitRegistry,
        rates: Table | None = None,
        base: str | None = None,
        to: str | None = None,
        **unknown: Any,
    ) -> pd.DataFrame:
        """Return ``frame`` with currency amounts translated (see the class)."""
        check_options(
            "fx", unknown, ("rates", "base", "to"), {"rates": rates, "base": base}, UnitError
        )
        assert rates is not None  # checked above; for mypy
        assert base is not None
        table = RateTable.from_table(rates, base=base, registry=registry)
        presentation = currency_of(to, registry) if to is not None else None
        if to is not None and presentation is None:
            raise UnitError(f"the fx option to={to!r} is not a currency; pass a code like 'EUR'")
        require_columns(frame, ("indicator", "period", "value"), "fx")
        if "unit" not in frame.columns:
            return unchanged(frame)
        ids = [i.id for i in scorecard.indicators]
        if to is not None and presentation is not None:
            targets = [(to, *presentation)] * len(ids)
        else:
            targets = [
                (i.unit, *c) if (c := currency_of(i.unit, registry)) else ("", "", 1.0)
                for i in scorecard.indicators
            ]
        dst_unit = np.array([t[0] for t in targets] + [""], dtype=object)
        dst_code = np.array([t[1] for t in targets] + [""], dtype=object)
        dst_scale = np.array([t[2] for t in targets] + [1.0], dtype=np.float64)
        ind = positions(frame["indicator"], ids)  # -1 picks the blank entry at the end
        u_codes, u_uniques = pd.factorize(frame["unit"].to_numpy(dtype=object))
        found = [currency_of(u, registry) or ("", 1.0) for u in u_uniques] + [("", 1.0)]
        src_code = np.array([f[0] for f in found], dtype=object)[u_codes]
        src_scale = np.array([f[1] for f in found], dtype=np.float64)[u_codes]
        value = numeric_values(frame)
        spans = period_spans(frame["period"], calendar=scorecard.calendar)
        need = (src_code != "") & (dst_code[ind] != "") & (src_code != dst_code[ind])
        need &= ~np.isnan(value) & (spans.codes >= 0)
        if not need.any():
            return unchanged(frame)
        rows = np.flatnonzero(need)
        stock = np.append(_is_stock(scorecard), False)
        keys = ["src", "dst", "span", "stock"]
        wanted = pd.DataFrame(
            {
                "src": src_code[rows],
                "dst": dst_code[ind[rows]],
                "span": spans.codes[rows],
                "stock": stock[ind[rows]],
            }
        )
        # One rate lookup per (currency pair, period, flow/stock) group, merged back on rows.
        groups = wanted.drop_duplicates().reset_index(drop=True)
        groups["group"] = np.arange(len(groups))
        group = wanted.merge(groups, on=keys, how="left")["group"].to_numpy()
        g_stock = groups["stock"].to_numpy(dtype=bool)
        start = spans.start[groups["span"].to_numpy()]
        end = spans.end[groups["span"].to_numpy()]
        leg = {}
        for side in ("src", "dst"):
            r = np.full(len(groups), np.nan)
            for code in groups[side].unique():
                m = (groups[side] == code).to_numpy()
                r[m] = np.where(
                    g_stock[m],
                    table.closing(code, end[m]),
                    table.average(code, start[m], end[m]),
                )
            leg[side] = r
        factor = leg["dst"] / leg["src"]
        if np.isnan(factor).any():
            raise _missing_rate(frame, rows, group, groups, leg, start, end, table)
        labels = np.where(
            g_stock,
            "closing " + pd.Series(end).astype(str).to_numpy(dtype=object),
            "average " + spans.labels[groups["span"].to_numpy()],
        )
        notes = np.array(
            [
                f"fx {s}→{d} @ {f:.6g} ({lab})"
                for s, d, f, lab in zip(groups["src"], groups["dst"], factor, labels, strict=True)
            ],
            dtype=object,
        )
        target = ind[rows]
        new = value[rows] * src_scale[rows] * factor[group] / dst_scale[target]
        return with_adjustments(frame, rows, new, notes[group], units=dst_unit[target])


def _missing_rate(
    frame: pd.DataFrame,
    rows: np.ndarray,
    group: np.ndarray,
    groups: pd.DataFrame,
    leg: Mapping[str, np.ndarray],
    start: np.ndarray,
    end: np.ndarray,
    table: RateTable,
) -> UnitError:
    """The error for the first row whose group lacks a rate, naming pair, period, indicator."""
    bad = np.isnan(leg["src"]) | np.isnan(leg["dst"])
    k = int(np.flatnonzero(bad[group])[0])
    row, g = int(rows[k]), int(group[k])
    src, dst = str(groups["src"].iloc[g]), str(groups["dst"].iloc[g])
    stock = bool(groups["stock"].iloc[g])
    lacking = src if np.isnan(leg["src"][g]) else dst
    if stock:
        need = f"the closing rate needs a {lacking} rate dated on or before {end[g]}"
    else:
        need = f"the average rate needs {lacking} rates dated {start[g]} to {end[g]}"
    has = "none" if lacking in table.dates else f"no {lacking} rates at all"
    others = int(bad.sum()) - 1
    more = f"; {others} more (currency pair, period) group(s) lack rates too" if others else ""
    return UnitError(
        f"no FX rate to translate {src}→{dst} for indicator "
        f"{str(frame['indicator'].iloc[row]).strip()!r}, period "
        f"{str(frame['period'].iloc[row]).strip()!r} (row {row + 2}): {need}, and the rates "
        f"table (base {table.base}) has {has}{more}. Add the rates; a missing rate is never "
        "taken as 1"
    )


def _selected(
    scorecard: Scorecard, indicators: str | Iterable[str] | None, registry: UnitRegistry
) -> np.ndarray:
    """Per indicator (and a last entry for unknown ones): is it deflated?"""
    ids = [i.id for i in scorecard.indicators]
    if indicators is None:
        chosen = {i.id for i in scorecard.indicators if currency_of(i.unit, registry)}
    else:
        chosen = {indicators} if isinstance(indicators, str) else {str(i) for i in indicators}
        unknown = sorted(chosen - set(ids))
        if unknown:
            raise UnknownNodeError(
                f"the inflation option indicators names {unknown[0]!r}, which is not an "
                "indicator of the scorecard." + did_you_mean(unknown[0], ids)
            )
    return np.array([i in chosen for i in ids] + [False], dtype=bool)


def _index_span(price: PriceIndex, label: object, option: str) -> tuple[np.ndarray, np.ndarray]:
    """The span of an option's period label, checked to be covered by the index."""
    s = period_spans([str(label)])
    if s.codes[0] < 0 or np.isnan(price.at(s.start, s.end)[0]):
        raise UnitError(
            f"the inflation option {option}={label!r} is not a period the price index covers "
            f"(it has values for {price.coverage}); pick one of those or extend the index"
        )
    return s.start, s.end


@attrs.frozen
class InflationAdjuster:
    """Deflation by a price index: nominal amounts to the money of one base period.

    Options, given as ``adjust=[("inflation", {...})]``:

    index
        A frame (or CSV path) with columns ``period`` and ``value``: a price index by year
        (``2024``), quarter (``2024Q1``) or month (``2024-01``).
    base
        The period whose money the result is expressed in, e.g. ``"2024"``.
    indicators
        Ids of the indicators to adjust. Default: every indicator whose unit is a currency.
    rebase
        A period whose index becomes 100 (only changes the index values the notes show).
    freq
        What the index is by (``Y``, ``Q``, ``M``), when its labels are dates.

    ``real = nominal × I(base) / I(t)``, where ``I(t)`` is the index of the period that
    contains the row's period (the year of a monthly row for an annual index), or the mean
    over the index periods the row's period covers (a year of a monthly index).

    Examples
    --------
    >>> from balanced_scorecard.model import Scorecard, Objective, Indicator
    >>> from balanced_scorecard.units import make_registry
    >>> sc = Scorecard(id="s", objectives=[Objective(id="o", perspective="financial")],
    ...     indicators=[Indicator(id="salary", objective="o", unit="USD")])
    >>> cpi = pd.DataFrame({"period": ["2019", "2024"], "value": [255.657, 313.689]})
    >>> obs = pd.DataFrame({"indicator": "salary", "org_unit": "all", "period": ["2019-06"],
    ...                     "value": [50_000.0]})
    >>> out = InflationAdjuster().adjust(obs, scorecard=sc, registry=make_registry(),
    ...                                  index=cpi, base="2024")
    >>> out["value"].round(2).tolist()
    [61349.58]
    >>> print(out.loc[0, "adjustments"])
    inflation to 2024 money ×1.22699 (index 2019 255.657 → 2024 313.689)
    """

    def adjust(
        self,
        frame: pd.DataFrame,
        *,
        scorecard: Scorecard,
        registry: UnitRegistry,
        index: Table | None = None,
        base: str | None = None,
        indicators: str | Iterable[str] | None = None,
        rebase: str | None = None,
        freq: str | None = None,
        **unknown: Any,
    ) -> pd.DataFrame:
        """Return ``frame`` with the chosen indicators' values deflated (see the class)."""
        accepted = ("index", "base", "indicators", "rebase", "freq")
        check_options("inflation", unknown, accepted, {"index": index, "base": base}, UnitError)
        assert index is not None  # checked above; for mypy
        assert base is not None
        price = PriceIndex.from_table(index, freq=freq)
        if rebase is not None:
            price = price.rebased(*_index_span(price, rebase, "rebase"))
        base_span = _index_span(price, base, "base")
        i_base, base_label = price.at(*base_span)[0], price.describe(*base_span)[0]
        require_columns(frame, ("indicator", "period", "value"), "inflation")
        chosen = _selected(scorecard, indicators, registry)
        ind = positions(frame["indicator"], [i.id for i in scorecard.indicators])
        value = numeric_values(frame)
        spans = period_spans(frame["period"], calendar=scorecard.calendar)
        need = chosen[ind] & ~np.isnan(value) & (spans.codes >= 0)
        if not need.any():
            return unchanged(frame)
        rows = np.flatnonzero(need)
        # One index lookup per distinct period of the rows.
        used, span_of_row = np.unique(spans.codes[rows], return_inverse=True)
        i_t = price.at(spans.start[used], spans.end[used])
        used_label = price.describe(spans.start[used], spans.end[used])
        if np.isnan(i_t).any():
            k = int(np.flatnonzero(np.isnan(i_t[span_of_row]))[0])
            row = rows[k]
            raise UnitError(
                f"the price index has no value for {used_label[span_of_row[k]]}, which indicator "
                f"{str(frame['indicator'].iloc[row]).strip()!r} needs for period "
                f"{str(frame['period'].iloc[row]).strip()!r} (row {row + 2}); the index has "
                f"values for {price.coverage}. Add the missing value, or leave the indicator "
                "out of the option 'indicators'"
            )
        factor = i_base / i_t
        notes = np.array(
            [
                f"inflation to {base_label} money ×{f:.6g} (index {lab} {i:.6g} → "
                f"{base_label} {i_base:.6g})"
                for lab, f, i in zip(used_label, factor, i_t, strict=True)
            ],
            dtype=object,
        )
        return with_adjustments(frame, rows, value[rows] * factor[span_of_row], notes[span_of_row])


@attrs.frozen
class OneTimeAdjuster:
    """One-time events: subtract an amount from the observations it distorts, so the
    scorecard shows the normalised, recurring figure.

    Options, given as ``adjust=[("one_time", {...})]``:

    events
        A frame (or CSV path) with columns ``indicator``, ``org_unit``, ``period``,
        ``amount`` and ``reason`` (and optionally ``unit``; default: the indicator's unit).
        ``amount`` is subtracted from the rows with the same indicator, org unit and period
        text; a negative amount adds back (a one-time loss).
    unmatched
        ``"raise"`` (default): an event that matches no row is an
        :class:`~balanced_scorecard.exceptions.ObservationError`. ``"ignore"`` when the
        observations come from several sources, each of which meets only its own events.

    The row's ``adjustments`` gain ``one-time: <reason> (−<amount> <unit>)``. Several events
    on one row all apply.

    It *normalises* (``normalises = True``): an evaluation that runs it also keeps the
    reported view, the same observations without it, as
    :attr:`~balanced_scorecard.Evaluation.reported`, and the reports mark the adjusted
    values. Currency translation and deflation only restate values in other money and do
    not normalise.

    Examples
    --------
    >>> from balanced_scorecard.model import Scorecard, Objective, Indicator
    >>> from balanced_scorecard.units import make_registry
    >>> sc = Scorecard(id="s", objectives=[Objective(id="o", perspective="financial")],
    ...     indicators=[Indicator(id="revenue", objective="o", unit="EUR")])
    >>> obs = pd.DataFrame({"indicator": "revenue", "org_unit": "all",
    ...                     "period": ["2025-02", "2025-03"], "value": [900.0, 20.0],
    ...                     "unit": ["EUR", "kEUR"]})
    >>> events = pd.DataFrame({"indicator": ["revenue"], "org_unit": ["all"],
    ...                        "period": ["2025-03"], "amount": [12_500.0],
    ...                        "reason": ["sale of a plant"]})
    >>> out = OneTimeAdjuster().adjust(obs, scorecard=sc, registry=make_registry(),
    ...                                events=events)
    >>> out["value"].tolist(), out["adjustments"].tolist()
    ([900.0, 7.5], ['', 'one-time: sale of a plant (−12,500 EUR)'])
    """

    #: Takes events out to show the recurring figure: the reported view is kept beside it.
    normalises = True

    def adjust(
        self,
        frame: pd.DataFrame,
        *,
        scorecard: Scorecard,
        registry: UnitRegistry,
        events: Table | None = None,
        unmatched: str = "raise",
        **unknown: Any,
    ) -> pd.DataFrame:
        """Return ``frame`` with the events' amounts taken out (see the class)."""
        check_options(
            "one_time", unknown, ("events", "unmatched"), {"events": events}, ObservationError
        )
        assert events is not None  # checked above; for mypy
        if unmatched not in ("raise", "ignore"):
            raise ObservationError(f"unmatched must be 'raise' or 'ignore', not {unmatched!r}")
        table = EventTable.from_table(events, scorecard=scorecard)
        return table.subtract(frame, registry=registry, unmatched=unmatched)


@hookimpl
def bsc_register_adjusters(register: RegisterAdjuster) -> None:
    """Register ``fx``, ``inflation`` and ``one_time``."""
    register("fx", FxAdjuster())
    register("inflation", InflationAdjuster())
    register("one_time", OneTimeAdjuster())
