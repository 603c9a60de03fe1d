"""From an analytics result to observations a scorecard evaluates.

The analytics functions return one row per segment (market, client type, org unit, month);
a scorecard reads observations in the long format ``indicator``, ``org_unit``, ``period``,
``value``, ``unit`` (and, for rates, ``numerator`` and ``denominator``, so that periods and
parent units get the ratio of sums rather than a mean of rates). :func:`as_observations`
turns one into the other, and the indicator catalogue says which columns of which function
feed each of its entries, so ``template="on_time_delivery_rate"`` is all it needs to know.

Examples
--------
>>> import pandas as pd
>>> from balanced_scorecard.analytics.customer import on_time_delivery
>>> deliveries = pd.DataFrame({
...     "promised": pd.to_datetime(["2025-01-10", "2025-01-10", "2025-02-03", "2025-02-05"]),
...     "delivered": pd.to_datetime(["2025-01-09", "2025-01-12", "2025-02-03", "2025-02-04"]),
...     "month": ["2025-01", "2025-01", "2025-02", "2025-02"]})
>>> otd = on_time_delivery(deliveries, by="month")
>>> as_observations(otd, indicator="otd", period="month", template="on_time_delivery_rate")
  indicator org_unit   period  value     unit  numerator  denominator
0       otd      all  2025-01   50.0  percent        1.0          2.0
1       otd      all  2025-02  100.0  percent        2.0          2.0
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from balanced_scorecard.catalogue import catalogue
from balanced_scorecard.exceptions import ObservationError

__all__ = ["as_observations"]

# A rate given in one of these units is its fraction times the factor; any other unit takes
# the ratio as it comes (hours per employee, days).
_SCALE = {"percent": 100.0, "permille": 1000.0, "dimensionless": 1.0}


def _column_or_label(result: pd.DataFrame, name: str, what: str) -> pd.Series:
    if name in result.columns:
        return result[name].astype(str)
    return pd.Series(name, index=result.index, dtype=object)


def _numbers(result: pd.DataFrame, name: str, role: str) -> np.ndarray:
    if name not in result.columns:
        raise ObservationError(
            f"the {role} column {name!r} is not in the result, whose columns are "
            f"{list(result.columns)}; name the right one with {role}=..."
        )
    return pd.to_numeric(result[name], errors="coerce").to_numpy(dtype=np.float64)


def as_observations(
    result: pd.DataFrame,
    *,
    indicator: str,
    period: str,
    org_unit: str = "all",
    template: str | None = None,
    value: str | None = None,
    numerator: str | None = None,
    denominator: str | None = None,
    unit: str | None = None,
) -> pd.DataFrame:
    """Observations of ``indicator`` from an analytics result, one per row.

    Parameters
    ----------
    result
        A frame returned by an analytics function (one row per segment).
    indicator
        The indicator id the values are for.
    period, org_unit
        Each a column of ``result`` (the segment column holding period labels or org-unit
        ids) or, when no column has that name, the one label or id of every row.
    template
        A catalogue entry; its ``analytics`` key supplies ``value``, ``numerator``,
        ``denominator`` and its ``unit`` the unit, unless given here.
    value
        The column holding the indicator's value.
    numerator, denominator
        Columns of the rate's counts. With both, ``value`` is ``numerator / denominator``
        in ``unit`` (× 100 for percent); with ``value`` and ``denominator`` only, the
        numerator is derived (``value`` / 100 × ``denominator`` for percent), so a rate
        reported as a percentage still aggregates as a ratio of sums.
    unit
        The unit of the values (default: the template's, else ``dimensionless``).

    Returns
    -------
    pandas.DataFrame
        ``indicator``, ``org_unit``, ``period``, ``value``, ``unit`` and, for rates,
        ``numerator`` and ``denominator``. Rows whose value is missing stay, with NaN, so
        the evaluation's quality report counts them; nothing is dropped.

    Raises
    ------
    ObservationError
        When a named column is missing, or neither a value nor a numerator is known.
    """
    if not isinstance(result, pd.DataFrame):
        raise ObservationError(
            f"as_observations needs a DataFrame from an analytics function, got "
            f"{type(result).__name__}"
        )
    spec: dict[str, Any] = {}
    if template is not None:
        entry = catalogue().get(template)
        if entry is None:
            from balanced_scorecard.catalogue import template as lookup

            lookup(template)  # raises with the did-you-mean hint
        assert entry is not None
        spec = dict(entry.get("analytics") or {})
        unit = unit or entry.get("unit")
    value = value or spec.get("value")
    numerator = numerator or spec.get("numerator")
    denominator = denominator or spec.get("denominator")
    unit = unit or "dimensionless"
    if value is None and numerator is None:
        where = f"catalogue entry {template!r} has no analytics columns; " if template else ""
        raise ObservationError(
            f"{where}say which column holds the value of {indicator!r}: value=... or "
            "numerator=... and denominator=..."
        )
    if numerator is not None and denominator is None:
        raise ObservationError(
            f"numerator {numerator!r} of {indicator!r} needs a denominator=... column"
        )
    scale = _SCALE.get(unit, 1.0)
    out = pd.DataFrame(
        {
            "indicator": indicator,
            "org_unit": _column_or_label(result, org_unit, "org_unit").to_numpy(),
            "period": _column_or_label(result, period, "period").to_numpy(),
        }
    )
    den = None if denominator is None else _numbers(result, denominator, "denominator")
    num: np.ndarray | None
    if numerator is not None and den is not None:
        num = _numbers(result, numerator, "numerator")
        with np.errstate(divide="ignore", invalid="ignore"):
            val = np.where(den != 0, num / den * scale, np.nan)
    else:
        assert value is not None
        val = _numbers(result, value, "value")
        num = None if den is None else val / scale * den
    out["value"] = val
    out["unit"] = unit
    if num is not None and den is not None:
        out["numerator"], out["denominator"] = num, den
    return out
