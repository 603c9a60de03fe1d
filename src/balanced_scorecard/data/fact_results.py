"""Grouped raw-fact tables to observations and a quality report.

Every engine that aggregates raw facts (narwhals over pandas, Polars, DuckDB or Dask; SQL in
a database) ends with the same grouped table per frequency; :func:`summarise_groups` turns it
into the observation frame the core reads and the quality report, so every engine gives the
same values, the same lineage and the same problems.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import attrs
import numpy as np
import pandas as pd

from balanced_scorecard._suggest import did_you_mean
from balanced_scorecard.data.fact_calendar import period_column
from balanced_scorecard.data.periods import parse_periods, period_end_dates
from balanced_scorecard.model.enums import Frequency
from balanced_scorecard.model.mappings import FactMapping, FactRule
from balanced_scorecard.model.scorecard import Scorecard

__all__ = ["FACT_QUALITY_COLUMNS", "FactResult", "summarise_groups"]

#: Columns of :attr:`FactResult.quality`.
FACT_QUALITY_COLUMNS = ("source", "check", "severity", "column", "value", "rows", "message")

#: Group columns of the grouped tables: the org-unit id (null when the code is missing or
#: unknown), the unknown code, and the fact's own unit when the mapping has a unit column.
UNIT_KEY = "_bsc_unit"
BADCODE_KEY = "_bsc_badcode"
FACTUNIT_KEY = "_bsc_factunit"

_OBS_COLUMNS = (
    "indicator",
    "org_unit",
    "period",
    "value",
    "unit",
    "numerator",
    "denominator",
    "as_of",
    "source",
    "facts",
)


@attrs.frozen(kw_only=True, eq=False)
class FactResult:
    """Indicator values aggregated from raw facts, and what could not be used.

    Attributes
    ----------
    observations
        A long observation frame (``indicator``, ``org_unit``, ``period``, ``value``,
        ``unit``, ``numerator``, ``denominator``, ``as_of``, ``source``, ``facts``), ready for
        :meth:`~balanced_scorecard.Engine.evaluate`; ``facts`` is the number of facts
        behind each value (those meeting its rule's conditions).
    quality
        One row per problem (columns :data:`FACT_QUALITY_COLUMNS`): facts without a date, with
        an unreadable date, without an org code or with an unknown one (per code, with a
        suggestion), left out by the mapping's filter, and rule values that were missing.
    facts
        Number of fact rows read.
    engine
        The engine that did the work (``pandas``, ``polars``, ``duckdb``, ``dask``...).
    """

    observations: pd.DataFrame
    quality: pd.DataFrame
    facts: int
    engine: str


def summarise_groups(
    groups: Sequence[tuple[Frequency, Sequence[FactRule], pd.DataFrame]],
    mapping: FactMapping,
    *,
    scorecard: Scorecard | None,
    source: str,
    unreadable: Sequence[str] = (),
    engine: str = "pandas",
) -> FactResult:
    """Turn grouped fact tables into observations and a quality report.

    This is the contract a push-down source (the SQL source, or a plugin for another
    engine) fulfils: per frequency, one table with a row per (``_bsc_unit`` org-unit id or
    null, ``_bsc_badcode`` unknown code or null, period label column
    :func:`period_column` or null, optional ``_bsc_factunit``), the number of facts
    ``_rows``, ``_filtered`` when the mapping has a filter, and per rule ``i`` of that
    frequency ``_m{i}`` (facts meeting its conditions), ``_a{i}``/``_b{i}`` (sum or
    numerator / value count or denominator; min or max for those transforms), ``_x{i}``
    (facts without a value) and, for distinct counts, ``_d{i}``.
    """
    quality: list[dict[str, Any]] = []
    parts: list[pd.DataFrame] = []
    n_facts = 0
    for k, (freq, rules, got) in enumerate(groups):
        period = period_column(freq)
        if k == 0:
            # Every frequency sees every fact once: count and report them from the first.
            n_facts = int(got["_rows"].sum())
            quality += _placement_problems(got, mapping, period, unreadable, source)
        placed = got[got[period].notna() & got[UNIT_KEY].notna()]
        for i, rule in enumerate(rules):
            parts.append(_rule_frame(placed, rule, i, period, mapping, freq, scorecard, source))
            quality += _missing_values(placed, rule, i, source)
    observations = (
        pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=list(_OBS_COLUMNS))
    )
    observations = _known_units(observations, scorecard, quality, source)
    observations = observations.sort_values(
        ["indicator", "org_unit", "period"], kind="stable"
    ).reset_index(drop=True)
    return FactResult(
        observations=observations,
        quality=pd.DataFrame(quality, columns=list(FACT_QUALITY_COLUMNS)),
        facts=n_facts,
        engine=engine,
    )


def _rule_frame(
    placed: pd.DataFrame,
    rule: FactRule,
    i: int,
    period: str,
    mapping: FactMapping,
    freq: Frequency,
    scorecard: Scorecard | None,
    source: str,
) -> pd.DataFrame:
    """One observation row per placed group for ``rule``."""
    m = placed[f"_m{i}"].to_numpy(np.float64)
    nan = np.full(len(placed), np.nan)
    numerator = denominator = nan
    if rule.transform == "count":
        value = m
    elif rule.transform == "distinct":
        value = placed[f"_d{i}"].to_numpy(np.float64)
    elif rule.transform == "ratio":
        numerator = placed[f"_a{i}"].to_numpy(np.float64)
        denominator = placed[f"_b{i}"].to_numpy(np.float64)
        value = nan
    elif rule.transform == "sum":
        value = placed[f"_a{i}"].to_numpy(np.float64)
    else:
        a = pd.to_numeric(placed[f"_a{i}"], errors="coerce").to_numpy(np.float64)
        b = placed[f"_b{i}"].to_numpy(np.float64)
        with np.errstate(invalid="ignore", divide="ignore"):
            value = a / b if rule.transform == "mean" else np.where(b > 0, a, np.nan)
    # No value when nothing was there to average, compare or divide: a zero count or sum
    # is a real zero, an empty mean or an empty ratio is not a number.
    keep = np.ones(len(placed), dtype=bool)
    if "_filtered" in placed:
        # A group whose every fact the mapping's filter left out is no group at all.
        keep = (placed["_rows"] - placed["_filtered"]).to_numpy() > 0
    if rule.transform in ("mean", "min", "max"):
        keep &= placed[f"_b{i}"].to_numpy() > 0
    elif rule.transform == "ratio":
        keep &= denominator != 0
    unit: Any = rule.unit
    if unit is None and rule.transform != "ratio":
        if mapping.unit:
            unit = placed[FACTUNIT_KEY].to_numpy(dtype=object)
        elif scorecard is not None and rule.indicator in {i.id for i in scorecard.indicators}:
            unit = scorecard.indicator(rule.indicator).unit
    out = pd.DataFrame(
        {
            "indicator": rule.indicator,
            "org_unit": placed[UNIT_KEY].astype(str).to_numpy(),
            "period": placed[period].astype(str).to_numpy(),
            "value": value,
            "unit": unit,
            "numerator": numerator,
            "denominator": denominator,
            "as_of": _as_of(placed[period], mapping, freq, scorecard),
            "source": source,
            "facts": m.astype(np.int64),
        }
    )
    return out[keep].reset_index(drop=True)


def _as_of(
    labels: pd.Series, mapping: FactMapping, freq: Frequency, scorecard: Scorecard | None
) -> Any:
    if mapping.reporting_lag is None:
        return pd.NaT
    fiscal = scorecard.calendar if scorecard is not None else None
    ordinals, _ = parse_periods(labels.astype(str).to_numpy(), freq, calendar=fiscal)
    ends = period_end_dates(ordinals, freq, calendar=fiscal).astype("datetime64[ns]")
    return ends + np.timedelta64(mapping.reporting_lag, "D")


# -- quality ----------------------------------------------------------------------------------


def _placement_problems(
    got: pd.DataFrame,
    mapping: FactMapping,
    period: str,
    unreadable: Sequence[str],
    source: str,
) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    rows = got["_rows"].to_numpy(np.int64)
    undated = got[period].isna().to_numpy()
    if undated.any():
        n = int(rows[undated].sum())
        shown = ", ".join(repr(u) for u in unreadable[:5])
        what = f"without a readable date (e.g. {shown})" if unreadable else "without a date"
        out.append(
            _problem(
                source,
                "date-unreadable" if unreadable else "date-missing",
                "error",
                mapping.date,
                shown or None,
                n,
                f"{n} fact(s) {what} in column {mapping.date!r} were not counted; write "
                "dates as 2025-01-31 (ISO) or give the source timestamps",
            )
        )
    if mapping.org_unit is not None:
        dated = ~undated
        nocode = dated & got[UNIT_KEY].isna().to_numpy() & got[BADCODE_KEY].isna().to_numpy()
        if nocode.any():
            n = int(rows[nocode].sum())
            out.append(
                _problem(
                    source,
                    "org-code-missing",
                    "error",
                    mapping.org_unit,
                    None,
                    n,
                    f"{n} fact(s) have no org-unit code in column {mapping.org_unit!r} and were "
                    "not counted; fill the code or set `default_org_unit:`",
                )
            )
        bad = dated & got[BADCODE_KEY].notna().to_numpy()
        if bad.any():
            per_code = (
                pd.Series(rows[bad]).groupby(got.loc[bad, BADCODE_KEY].astype(str).to_numpy()).sum()
            )
            known = [u for _, u in mapping.org_codes]
            candidates = list(dict.fromkeys([c for c, _ in mapping.org_codes]))
            for code, n in per_code.items():
                out.append(
                    _problem(
                        source,
                        "org-code-unknown",
                        "error",
                        mapping.org_unit,
                        str(code),
                        int(n),
                        f"org-unit code {code!r} in column {mapping.org_unit!r} is not in the "
                        f"code table{did_you_mean(str(code), candidates)}; {int(n)} fact(s) were "
                        "not counted; add the code to `org_codes:`"
                        + (f" (it maps codes to {', '.join(sorted(set(known)))})" if known else ""),
                    )
                )
    if mapping.where and "_filtered" in got:
        n = int(got["_filtered"].sum())
        if n:
            conditions = " and ".join(c.describe() for c in mapping.where)
            out.append(
                _problem(
                    source,
                    "filtered",
                    "info",
                    None,
                    None,
                    n,
                    f"{n} fact(s) did not meet the mapping's filter ({conditions})",
                )
            )
    return out


def _missing_values(
    placed: pd.DataFrame, rule: FactRule, i: int, source: str
) -> list[dict[str, Any]]:
    col = f"_x{i}"
    if col not in placed:
        return []
    n = int(placed[col].sum())
    if not n:
        return []
    return [
        _problem(
            source,
            "value-missing",
            "warning",
            rule.value,
            None,
            n,
            f"{n} fact(s) for indicator {rule.indicator!r} have no {rule.value!r}; they were left "
            f"out of its {rule.transform}",
        )
    ]


def _known_units(
    observations: pd.DataFrame,
    scorecard: Scorecard | None,
    quality: list[dict[str, Any]],
    source: str,
) -> pd.DataFrame:
    """Without a code table, codes must be org-unit ids: report the others per code."""
    if scorecard is None or observations.empty:
        return observations
    ids = list(scorecard.org_chart.ids)
    unknown = ~observations["org_unit"].isin(ids)
    if not unknown.any():
        return observations
    per_code = observations.loc[unknown].groupby("org_unit")["facts"].max()
    for code, n in per_code.items():
        quality.append(
            _problem(
                source,
                "org-code-unknown",
                "error",
                "org_unit",
                str(code),
                int(n),
                f"org-unit code {code!r} is not an org unit of scorecard "
                f"{scorecard.id!r}{did_you_mean(str(code), ids)}; its facts were not counted; "
                "map it with `org_codes:`",
            )
        )
    return observations.loc[~unknown]


def _problem(
    source: str,
    check: str,
    severity: str,
    column: str | None,
    value: str | None,
    rows: int,
    message: str,
) -> dict[str, Any]:
    return {
        "source": source,
        "check": check,
        "severity": severity,
        "column": column,
        "value": value,
        "rows": rows,
        "message": message,
    }
