"""Observations: the long frame every source produces, validated into the core's shape.

This is the pandas edge of the pipeline. Rows that cannot be used (unknown indicator or org
unit, unparsable period, text where a number belongs, a unit that cannot convert, a duplicate)
are quarantined into a quality report with their reason; the evaluation runs on the rest.
Every check works on whole columns; messages are built once per distinct bad value.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import attrs
import numpy as np
import pandas as pd

from balanced_scorecard._suggest import did_you_mean
from balanced_scorecard.algorithms.scoring import encode_categories
from balanced_scorecard.data.cell_hints import number_message, period_message
from balanced_scorecard.data.periods import bad_period_messages, factorize, parse_period_codes
from balanced_scorecard.data.rules import BUILTIN_RULES, ObservationRows, ValidationRule
from balanced_scorecard.exceptions import ObservationError, PluginError, UnitError
from balanced_scorecard.model.enums import Frequency
from balanced_scorecard.model.scorecard import Scorecard
from balanced_scorecard.units import UnitRegistry, convert, unit_problem

__all__ = [
    "OPTIONAL_COLUMNS",
    "QUALITY_COLUMNS",
    "REQUIRED_COLUMNS",
    "PreparedObservations",
    "prepare_observations",
]

REQUIRED_COLUMNS = ("indicator", "org_unit", "period", "value")
OPTIONAL_COLUMNS = (
    "unit",
    "numerator",
    "denominator",
    "weight",
    "source",
    "as_of",
    "flags",
    "quarantine",
)
QUALITY_COLUMNS = (
    "row",
    "source",
    "indicator",
    "org_unit",
    "period",
    "value",
    "severity",
    "rule",
    "message",
)


@attrs.frozen(kw_only=True, eq=False)
class PreparedObservations:
    """Valid observations as arrays in the core's shape, plus the quality report.

    ``indicator`` and ``org_unit`` are int codes (scorecard order, org-chart order),
    ``period`` is the ordinal at the review frequency; ``order`` decides which row is the
    latest; ``row`` is the input row number as a spreadsheet shows it.
    """

    indicator: np.ndarray
    org_unit: np.ndarray
    period: np.ndarray
    value: np.ndarray
    numerator: np.ndarray
    denominator: np.ndarray
    weight: np.ndarray
    order: np.ndarray
    row: np.ndarray
    #: When each row was recorded (``datetime64[s]``, NaT without an ``as_of``).
    as_of: np.ndarray
    #: Lineage: each row's source (code into ``source_names``) and the unit it was given in
    #: (code into ``unit_names``, -1 when it gave none).
    source: np.ndarray
    given_unit: np.ndarray
    #: Lineage of values aggregated from raw facts: how many facts each row sums up (its
    #: ``facts`` column, NaN for an ordinary observation).
    facts: np.ndarray
    source_names: tuple[str, ...] = ()
    unit_names: tuple[str, ...] = ()
    quality: pd.DataFrame
    n_input: int
    #: Rows left out because they were recorded after the ``known_at`` date.
    n_later: int = 0
    #: The latest ``as_of`` among the rows used (None without an ``as_of`` column).
    latest_as_of: np.datetime64 | None = None
    #: Notes adjusters left on used rows: ``indicator``, ``org_unit`` (codes), ``period``
    #: (ordinal) and ``note``; empty when nothing was adjusted.
    adjustments: pd.DataFrame = attrs.field(
        factory=lambda: pd.DataFrame(columns=["indicator", "org_unit", "period", "note"])
    )

    @property
    def frame(self) -> pd.DataFrame:
        """The valid rows as a frame (built on demand; the core reads the arrays)."""
        return pd.DataFrame({f: getattr(self, f) for f in _ARRAY_FIELDS})

    def take(self, mask: np.ndarray) -> PreparedObservations:
        """Only the rows where ``mask`` is true."""
        return attrs.evolve(self, **{f: getattr(self, f)[mask] for f in _ARRAY_FIELDS})

    @classmethod
    def concat(cls, parts: Sequence[PreparedObservations]) -> PreparedObservations:
        """Rows of several sources, one after the other."""
        if len(parts) == 1:
            return parts[0]
        quality = [p.quality for p in parts if len(p.quality)] or [parts[0].quality]
        arrays = {f: np.concatenate([getattr(p, f) for p in parts]) for f in _ARRAY_FIELDS}
        # Codes of each part point into its own name list: shift them into the joined lists.
        for field, names in (("source", "source_names"), ("given_unit", "unit_names")):
            offsets = np.cumsum([0, *(len(getattr(p, names)) for p in parts[:-1])])
            arrays[field] = np.concatenate(
                [
                    np.where(getattr(p, field) >= 0, getattr(p, field) + off, -1)
                    for p, off in zip(parts, offsets, strict=True)
                ]
            )
        return cls(
            **arrays,
            source_names=tuple(n for p in parts for n in p.source_names),
            unit_names=tuple(n for p in parts for n in p.unit_names),
            quality=pd.concat(quality, ignore_index=True),
            n_input=sum(p.n_input for p in parts),
            n_later=sum(p.n_later for p in parts),
            latest_as_of=max(
                (p.latest_as_of for p in parts if p.latest_as_of is not None), default=None
            ),
            adjustments=pd.concat(
                [p.adjustments for p in parts if len(p.adjustments)] or [parts[0].adjustments],
                ignore_index=True,
            ),
        )


_ARRAY_FIELDS = (
    "indicator",
    "org_unit",
    "period",
    "value",
    "numerator",
    "denominator",
    "weight",
    "order",
    "row",
    "as_of",
    "source",
    "given_unit",
    "facts",
)


def _factor(col: pd.Series) -> tuple[np.ndarray, list[str]]:
    """Codes of a column's distinct values (-1 where missing) and those values as stripped
    text; every later check then works on the few distinct values, not on every row."""
    codes, uniques = factorize(col)
    return codes, [str(u).strip() for u in uniques]


def _lookup(codes: np.ndarray, uniques: list[str], known: Sequence[str]) -> np.ndarray:
    """Position of each row's value in ``known`` (-1 when unknown or missing)."""
    pos = pd.Index(list(known)).get_indexer(pd.Index(uniques)) if uniques else np.zeros(0, np.int64)
    return np.where(codes >= 0, pos[np.maximum(codes, 0)] if len(pos) else -1, -1)


def _num(frame: pd.DataFrame, name: str) -> pd.Series:
    if name not in frame.columns:
        return pd.Series(np.nan, index=frame.index, dtype=np.float64)
    return pd.to_numeric(frame[name], errors="coerce").astype(np.float64)


class _Quarantine:
    def __init__(self, raw: pd.DataFrame, rows: np.ndarray, source: str) -> None:
        self.raw = raw
        self.rows = rows
        self.source = source
        self.parts: list[pd.DataFrame] = []

    def add(self, mask: np.ndarray, rule: str, messages: np.ndarray | str, severity: str) -> None:
        if not mask.any():
            return
        sub = self.raw.iloc[np.flatnonzero(mask)]
        msg = messages if isinstance(messages, str) else np.asarray(messages)[mask]
        self.parts.append(
            pd.DataFrame(
                {
                    "row": self.rows[mask],
                    "source": sub["source"].astype("string").fillna(self.source).to_numpy()
                    if "source" in sub
                    else self.source,
                    "indicator": sub["indicator"].astype("string").to_numpy(),
                    "org_unit": sub["org_unit"].astype("string").to_numpy(),
                    "period": sub["period"].astype("string").to_numpy(),
                    "value": sub["value"].astype("string").to_numpy(),
                    "severity": severity,
                    "rule": rule,
                    "message": np.asarray(msg, dtype=object) if not isinstance(msg, str) else msg,
                }
            )
        )

    def frame(self) -> pd.DataFrame:
        if not self.parts:
            return pd.DataFrame({c: pd.Series(dtype=object) for c in QUALITY_COLUMNS})
        out = pd.concat(self.parts, ignore_index=True)
        return out.sort_values(["row", "rule"], kind="stable").reset_index(drop=True)


def _unknown_messages(
    codes: np.ndarray, uniques: list[str], known: Sequence[str], what: str, fix: str
) -> np.ndarray:
    # Suggestions are costly (difflib), so only the values that are actually unknown get one.
    known_set = set(known)
    text = np.array(
        [
            ""
            if v in known_set
            else f"unknown {what} {v!r}.{did_you_mean(v, known)} {fix}".replace(".  ", ". ")
            for v in uniques
        ]
        + [f"{what} is empty"],
        dtype=object,
    )
    return text[np.where(codes >= 0, codes, len(uniques))]


def ratio_scale(scorecard: Scorecard, registry: UnitRegistry) -> np.ndarray:
    """Per indicator, the factor from a plain fraction to its unit (100 for ``percent``; 1
    for units that are not dimensionless, whose ratios are taken as they come)."""
    out = np.ones(len(scorecard.indicators))
    for k, ind in enumerate(scorecard.indicators):
        try:
            out[k] = float(convert(np.array([1.0]), "dimensionless", ind.unit, registry)[0])
        except UnitError:
            out[k] = 1.0
    return out


#: Units that are a share of a whole: a ratio in one of them cannot exceed its whole.
_SHARE_UNITS = {"dimensionless", "percent", "permille", "ppm", "ppb", "basis_point"}


def proportion_units(scorecard: Scorecard, registry: UnitRegistry) -> np.ndarray:
    """Per indicator: is its unit a share of a whole (fraction, percent, per mille, ppm)?

    Counts are dimensionless too, but "orders per customer" may well exceed 1, so only the
    named share units count.
    """
    out = np.zeros(len(scorecard.indicators), dtype=bool)
    for k, ind in enumerate(scorecard.indicators):
        if unit_problem(ind.unit, registry) is None:
            out[k] = str(registry.parse_units(ind.unit)) in _SHARE_UNITS
    return out


def share_wholes(scorecard: Scorecard, registry: UnitRegistry) -> np.ndarray:
    """Per indicator in a named share unit (percent, per mille, ppm, basis point): one
    whole in that unit (100 for percent); NaN for every other unit, a plain
    ``dimensionless`` one included, since it also holds counts and indices."""
    named = proportion_units(scorecard, registry) & np.array(
        [
            unit_problem(i.unit, registry) is None
            and str(registry.parse_units(i.unit)) != "dimensionless"
            for i in scorecard.indicators
        ],
        dtype=bool,
    )
    return np.where(named, ratio_scale(scorecard, registry), np.nan)


def _hinted(codes: np.ndarray, uniques: list[str], mask: np.ndarray, hint: Any) -> np.ndarray:
    """One message per row in ``mask`` from ``hint(text)``, computed once per distinct text."""
    used = np.unique(codes[mask & (codes >= 0)])
    text = np.full(len(uniques) + 1, "", dtype=object)
    text[used] = [hint(uniques[c]) for c in used]
    return np.asarray(text[np.where(codes >= 0, codes, len(uniques))])


def prepare_observations(
    observations: pd.DataFrame,
    scorecard: Scorecard,
    *,
    registry: UnitRegistry,
    freq: Frequency | None = None,
    source: str = "observations",
    rules: Sequence[ValidationRule] = BUILTIN_RULES,
    known_at: np.datetime64 | None = None,
) -> PreparedObservations:
    """Validate a long observation frame against ``scorecard``.

    Parameters
    ----------
    observations
        Columns ``indicator``, ``org_unit``, ``period``, ``value`` and optionally ``unit``
        (converted to the indicator's unit), ``numerator``/``denominator`` (for ratio-of-sums
        indicators; ``value`` may then be empty), ``weight`` (for weighted means), ``source``,
        ``as_of`` (the later record of a duplicate wins), ``quarantine`` (set by a source on
        a row it could not read: the reason, reported under ``unreadable-row``).
    scorecard
        Gives the known indicators, units, org units and categorical scorings.
    registry
        The unit registry of the engine.
    freq
        Review frequency (default: the scorecard's).
    source
        Name used in the quality report for rows without a ``source`` column.
    rules
        Validation rules run on the rows that could be read, in order (see
        :mod:`balanced_scorecard.data.rules`); ``error`` rules quarantine, the others report.
    known_at
        Evaluate as known at this moment: rows whose ``as_of`` is later are left out (and
        counted in ``n_later``), so a preliminary month can be reproduced after its close.
        Rows without ``as_of`` always count.

    Raises
    ------
    ObservationError
        When a required column is missing (the frame as a whole is unusable).

    Examples
    --------
    >>> from balanced_scorecard.model import Scorecard, Objective, Indicator
    >>> from balanced_scorecard.units import make_registry
    >>> sc = Scorecard(id="x", objectives=[Objective(id="o", perspective="financial")],
    ...                indicators=[Indicator(id="revenue", objective="o", unit="EUR")])
    >>> obs = pd.DataFrame({"indicator": ["revenue", "revenu"], "org_unit": ["all", "all"],
    ...                     "period": ["2025-01", "2025-01"], "value": [1.5, 2],
    ...                     "unit": ["kEUR", "EUR"]})
    >>> prep = prepare_observations(obs, sc, registry=make_registry())
    >>> prep.value.tolist()
    [1500.0]
    >>> print(prep.quality.loc[0, "message"])
    unknown indicator 'revenu'. Did you mean 'revenue'? Add it to the definition or fix the id.
    """
    freq = freq if freq is not None else scorecard.review_frequency
    missing = [c for c in REQUIRED_COLUMNS if c not in observations.columns]
    if missing:
        raise ObservationError(
            f"observations from {source!r} lack column(s) {missing}; found "
            f"{list(observations.columns)}. Rename the columns or map them in the source"
        )
    raw = observations
    # Row numbers as a spreadsheet shows them: the first data line under the header is 2.
    row_numbers = np.arange(2, len(raw) + 2)
    q = _Quarantine(raw, row_numbers, source)
    n = len(raw)
    # A source may hand over rows it could not read (a ragged CSV line) with the reason in a
    # `quarantine` column, so they are reported here with the others and nothing is lost.
    pre = np.zeros(n, dtype=bool)
    if "quarantine" in raw.columns:
        reason = raw["quarantine"].astype("string").fillna("").to_numpy(dtype=object)
        pre = reason != ""
        q.add(pre, "unreadable-row", reason, "error")

    ind_ids = [i.id for i in scorecard.indicators]
    unit_ids = list(scorecard.org_chart.ids)
    ind_raw, ind_uniques = _factor(raw["indicator"])
    org_raw, org_uniques = _factor(raw["org_unit"])
    ind_code = _lookup(ind_raw, ind_uniques, ind_ids)
    org_code = _lookup(org_raw, org_uniques, unit_ids)
    bad_ind = (ind_code < 0) & ~pre
    if bad_ind.any():
        q.add(
            bad_ind,
            "unknown-indicator",
            _unknown_messages(
                ind_raw,
                ind_uniques,
                ind_ids,
                "indicator",
                "Add it to the definition or fix the id.",
            ),
            "error",
        )
    bad_org = (org_code < 0) & ~bad_ind & ~pre
    if bad_org.any():
        q.add(
            bad_org,
            "unknown-org-unit",
            _unknown_messages(
                org_raw,
                org_uniques,
                unit_ids,
                "org unit",
                "Add it to the org chart or map the code.",
            ),
            "error",
        )
    # With a fiscal calendar, labels are fiscal and ambiguous ones (2026Q1) are refused.
    calendar = scorecard.calendar
    period, bad_period, period_codes, stamp_day = parse_period_codes(
        raw["period"], freq, calendar=calendar
    )
    bad_period &= ~bad_ind & ~bad_org & ~pre
    period_messages = bad_period_messages(raw["period"], bad_period, freq, calendar=calendar)
    if isinstance(period_messages, str) and bad_period.any():
        # Calendar-month labels: nothing is guessed, the message says how to write each text.
        p_codes, p_uniques = _factor(raw["period"])
        period_messages = _hinted(p_codes, p_uniques, bad_period, period_message)
    q.add(bad_period, "bad-period", period_messages, "error")
    ok = ~(bad_ind | bad_org | bad_period | pre)

    safe_ind = np.maximum(ind_code, 0)
    value = _num(raw, "value")
    # Absent ratio columns cost nothing: one shared NaN view stands in for both.
    nan_column = pd.Series(np.broadcast_to(np.float64(np.nan), n), index=raw.index, copy=False)
    numerator = _num(raw, "numerator") if "numerator" in raw.columns else nan_column
    denominator = _num(raw, "denominator") if "denominator" in raw.columns else nan_column
    # Text values of categorical indicators become category codes.
    categorical = np.array(
        [i.scoring.method == "categorical" for i in scorecard.indicators], dtype=bool
    )
    is_cat = categorical[safe_ind] & ok
    if is_cat.any():
        for k in np.flatnonzero(categorical):
            rows = is_cat & (ind_code == k)
            if not rows.any():
                continue
            labels = list(scorecard.indicators[k].scoring.kwargs.get("scores", {}))
            codes, unknown = encode_categories(raw.loc[rows, "value"].to_numpy(), labels)
            value[rows] = codes
            bad = np.zeros(n, dtype=bool)
            bad[np.flatnonzero(rows)[unknown]] = True
            q.add(
                bad,
                "unknown-category",
                f"value is not one of the categories {labels} of indicator "
                f"{scorecard.indicators[k].id!r}",
                "error",
            )
            ok &= ~bad
    # A ratio row may give only numerator and denominator.
    if "numerator" in raw.columns and "denominator" in raw.columns:
        from_ratio = value.isna() & numerator.notna() & denominator.notna() & (denominator != 0)
        scale = ratio_scale(scorecard, registry)[safe_ind]
        value = value.where(~from_ratio, numerator / denominator.where(denominator != 0) * scale)
    v_codes, v_uniques = np.full(n, -1), list[str]()
    if pd.api.types.is_numeric_dtype(raw["value"]):
        given = raw["value"].notna()
    else:
        v_codes, v_uniques = _factor(raw["value"])
        nonblank = np.array([u != "" for u in v_uniques] + [False])
        given = pd.Series(nonblank[np.where(v_codes >= 0, v_codes, len(v_uniques))])
    not_number = ok & ~is_cat & given.to_numpy() & value.isna().to_numpy()
    if not_number.any():
        q.add(
            not_number,
            "not-a-number",
            _hinted(v_codes, v_uniques, not_number, number_message),
            "error",
        )
    empty = ok & ~is_cat & ~given.to_numpy() & value.isna().to_numpy()
    q.add(empty, "missing-value", "value is empty; the period counts as missing", "warning")
    ok &= ~not_number & ~empty

    calculated = np.array([i.is_calculated for i in scorecard.indicators], dtype=bool)
    calc_rows = ok & calculated[safe_ind]
    q.add(
        calc_rows,
        "calculated-indicator",
        "the indicator is calculated by its formula, so this observation is not used",
        "info",
    )
    ok &= ~calc_rows

    given_unit = np.broadcast_to(np.int32(-1), (n,))
    unit_names: tuple[str, ...] = ()
    # Units: one vectorised conversion per distinct (given, declared) pair.
    if "unit" in raw.columns:
        u_codes, u_uniques = _factor(raw["unit"])
        given_unit, unit_names = u_codes.astype(np.int32), tuple(u_uniques)
        declared_units = [i.unit for i in scorecard.indicators]
        named = (u_codes >= 0) & np.array([u != "" for u in u_uniques] + [False])[
            np.where(u_codes >= 0, u_codes, len(u_uniques))
        ]
        need = ok & named
        if need.any():
            pair_key = u_codes * len(declared_units) + safe_ind
            for key in np.unique(pair_key[need]):
                g, d = (
                    u_uniques[key // len(declared_units)],
                    declared_units[key % len(declared_units)],
                )
                rows = need & (pair_key == key)
                if g == d:
                    continue
                idx = np.flatnonzero(rows)
                try:
                    value.iloc[idx] = convert(value.iloc[idx].to_numpy(), g, d, registry)
                except UnitError as exc:
                    q.add(rows, "unit", f"{exc}", "error")
                    ok &= ~rows

    # "Later" means a later day within the period first (the month-end headcount is the
    # `last` of a month), then a later as_of (a restatement replaces the first release),
    # then a later row of the file. The order key packs the three into one float: the day
    # ordinal plus a rank in [0, 1).
    n_later = 0
    latest: np.datetime64 | None = None
    # Without an as_of column one read-only NaT view stands in for the whole column.
    stamps = np.broadcast_to(np.datetime64("NaT", "s"), (n,))
    if "as_of" in raw.columns:
        as_of = pd.to_datetime(raw["as_of"], errors="coerce", format="mixed")
        stamps = as_of.to_numpy().astype("datetime64[s]")
        if known_at is not None:
            later = ok & ~np.isnat(stamps) & (stamps > known_at)
            n_later = int(later.sum())
            ok &= ~later
        used = stamps[ok & ~np.isnat(stamps)]
        latest = used.max() if len(used) else None
        seconds = np.where(as_of.notna(), as_of.astype("int64").to_numpy(), np.iinfo(np.int64).min)
        rank = np.empty(n, dtype=np.float64)
        rank[np.lexsort((np.arange(n), seconds))] = np.arange(n)
    else:
        rank = np.arange(n, dtype=np.float64)
    order = stamp_day + rank / (n + 1)
    if rules and ok.any():
        rows = ObservationRows(
            scorecard=scorecard,
            indicator=safe_ind,
            org_unit=np.maximum(org_code, 0),
            period=period,
            value=value.to_numpy(),
            numerator=numerator.to_numpy(),
            denominator=denominator.to_numpy(),
            proportion=proportion_units(scorecard, registry),
            whole=share_wholes(scorecard, registry),
            freq=freq,
        )
        for rule in rules:
            messages: np.ndarray | str = rule.message
            try:
                flagged = np.asarray(rule.check(rows), dtype=bool) & ok
                if rule.describe is not None and flagged.any():
                    messages = np.full(n, rule.message, dtype=object)
                    messages[flagged] = rule.describe(rows, flagged)
            except Exception as exc:
                raise PluginError(
                    f"validation rule {rule.name!r} failed: {type(exc).__name__}: {exc}"
                ) from exc
            q.add(flagged, rule.name, messages, rule.severity)
            if rule.severity == "error":
                ok &= ~flagged

    # A duplicate is the same indicator, unit and period stamp; the later record wins.
    if ok.any():
        n_stamps = int(period_codes.max()) + 2
        # Invalid rows share one extra key past the end, left out of the count below.
        key = np.where(ok, (ind_code * len(unit_ids) + org_code) * n_stamps + period_codes, -1)
        sentinel = len(ind_ids) * len(unit_ids) * n_stamps
        key[~ok] = sentinel
        dup_rows = np.zeros(n, dtype=bool)
        # Counting keys is linear; the sort below only runs when there are duplicates.
        if np.bincount(key, minlength=sentinel + 1)[:sentinel].max() > 1:
            valid_idx = np.flatnonzero(ok)
            key = key[valid_idx]
            by = np.lexsort((order[valid_idx], key))
            # In each run of equal keys (sorted by order) every row but the last is superseded.
            superseded = np.zeros(len(by), dtype=bool)
            superseded[:-1] = key[by][:-1] == key[by][1:]
            dup_rows[valid_idx[by[superseded]]] = True
        q.add(
            dup_rows,
            "duplicate",
            "another row has the same indicator, org unit and period; the later one "
            "(by as_of, then file order) is used",
            "warning",
        )
        ok &= ~dup_rows

    # A frame may name each row's system in a ``source`` column; rows without one belong
    # to the source the frame came from.
    source_codes: np.ndarray = np.broadcast_to(np.int16(0), (n,))
    source_names: tuple[str, ...] = (source,)
    if "source" in raw.columns:
        named = raw["source"].astype("string").fillna(source).astype(object)
        codes, uniques = factorize(named)
        source_codes = codes.astype(np.int16)
        source_names = tuple(str(u) for u in uniques)
    weight = _num(raw, "weight").to_numpy()
    weight = np.where(np.isnan(weight), 1.0, weight)
    columns: dict[str, Any] = {
        "indicator": ind_code,
        "org_unit": org_code,
        "period": period,
        "value": value.to_numpy(),
        "numerator": numerator.to_numpy(),
        "denominator": denominator.to_numpy(),
        "weight": weight,
        "order": order,
        "row": row_numbers,
        "as_of": stamps,
        "source": source_codes,
        "given_unit": given_unit,
        "facts": _num(raw, "facts").to_numpy(),
    }
    adjustments = None
    if "adjustments" in raw.columns:
        notes = raw["adjustments"].astype("string").fillna("").to_numpy(dtype=object)
        noted = ok & (notes != "")
        adjustments = pd.DataFrame(
            {
                "indicator": ind_code[noted],
                "org_unit": org_code[noted],
                "period": period[noted],
                "note": notes[noted],
            }
        )
    # Slicing copies every column, so skip it when every row is valid.
    keep = ok.all()
    prepared = PreparedObservations(
        **{k: (v if keep else v[ok]) for k, v in columns.items()},
        quality=q.frame(),
        n_input=n,
        n_later=n_later,
        latest_as_of=latest,
        source_names=source_names,
        unit_names=unit_names,
    )
    if adjustments is not None:
        prepared = attrs.evolve(prepared, adjustments=adjustments)
    return prepared
