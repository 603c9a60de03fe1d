"""The calendar table that places raw facts in periods.

Raw facts are bucketed by a join, not by an engine's own date functions: the distinct days
(or day and quarter-hour, when time zones matter) found in the facts are turned, here in
pandas, into a table key → period label at every frequency the mapping's rules need. The
table is small (a few thousand rows for years of facts), and every engine, a database
included, can join it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from balanced_scorecard.data.periods import bucket_labels
from balanced_scorecard.model.enums import Frequency
from balanced_scorecard.model.mappings import FactMapping
from balanced_scorecard.model.periods import FiscalCalendar
from balanced_scorecard.model.scorecard import Scorecard

__all__ = ["calendar_table", "fact_frequencies", "period_column"]

#: Key columns of the calendar table: the day, and the quarter-hour of the day (0-95) for
#: instants. Time zones in use today are offset from UTC by multiples of 15 minutes, so a
#: quarter-hour always falls on one local day.
DAY_KEY = "_bsc_day"
QUARTER_KEY = "_bsc_quarter_hour"


def fact_frequencies(mapping: FactMapping, scorecard: Scorecard | None) -> dict[str, Frequency]:
    """The frequency each rule's indicator is measured at (monthly when it is unknown)."""
    out: dict[str, Frequency] = {}
    for rule in mapping.rules:
        if scorecard is not None and rule.indicator in _indicator_ids(scorecard):
            out[rule.indicator] = scorecard.indicator(rule.indicator).frequency
        else:
            out[rule.indicator] = Frequency.MONTHLY
    return out


def _indicator_ids(scorecard: Scorecard) -> set[str]:
    return {i.id for i in scorecard.indicators}


def period_column(freq: Frequency) -> str:
    """Name of the calendar table's period-label column for ``freq``."""
    return f"_bsc_p_{freq.value}"


def calendar_table(
    keys: pd.DataFrame,
    mode: str,
    mapping: FactMapping,
    freqs: Sequence[Frequency],
    dtype: Any = None,
    *,
    calendar: FiscalCalendar | None = None,
) -> tuple[pd.DataFrame, list[str]]:
    """The calendar table joined to the facts, and the keys that are not dates.

    ``keys`` holds the distinct keys found in the facts: column ``_bsc_day`` (a date, or ISO
    text when ``mode`` is ``"text"``) and, in ``"slot"`` mode, ``_bsc_quarter_hour`` (UTC or
    source wall-clock quarter-hour of the day, for time zones; ``dtype`` is the date
    column's narwhals type, which says whether it carried a zone). Each key gets its period
    label at every frequency in ``freqs`` (columns named by :func:`period_column`), after
    the mapping's time zone and closing-stamp shift, on the scorecard's fiscal ``calendar``
    when it has one (``FY2026-Q3``).
    """
    keys = keys.dropna().reset_index(drop=True)
    unreadable: list[str] = []
    if mode == "slot":
        day = pd.to_datetime(keys[DAY_KEY]).to_numpy().astype("datetime64[m]")
        utc = day + keys[QUARTER_KEY].to_numpy(np.int64).astype("timedelta64[m]") * 15
        zone = getattr(dtype, "time_zone", None)
        if zone is None:
            # Naive wall-clock times in the source's zone: the slot is that wall clock.
            origin = mapping.source_timezone or "UTC"
            local = pd.DatetimeIndex(utc).tz_localize(
                origin, ambiguous=np.zeros(len(utc), dtype=bool), nonexistent="shift_forward"
            )
        else:
            local = pd.DatetimeIndex(utc).tz_localize("UTC")
        local = local.tz_convert(mapping.timezone or zone)
        days = local.tz_localize(None).normalize().to_numpy().astype("datetime64[D]")
    elif mode == "text":
        text = keys[DAY_KEY].astype(str)
        parsed = pd.to_datetime(text, format="%Y-%m-%d", errors="coerce")
        unreadable = sorted(text[parsed.isna()].tolist())
        keys = keys[parsed.notna().to_numpy()].reset_index(drop=True)
        days = parsed.dropna().to_numpy().astype("datetime64[D]")
    else:
        days = pd.to_datetime(keys[DAY_KEY]).to_numpy().astype("datetime64[D]")
    table = keys.copy()
    if mode != "text":
        table[DAY_KEY] = pd.to_datetime(keys[DAY_KEY]).to_numpy().astype("datetime64[ns]")
    if mapping.stamp == "end":
        days = days - np.timedelta64(1, "D")
    for freq in freqs:
        table[period_column(freq)] = np.asarray(bucket_labels(days, freq, calendar), dtype=object)
    return table, unreadable
