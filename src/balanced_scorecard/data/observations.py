"""Observations: the long frame every source produces, validated into the core's shape.

This is the pandas edge of the pipeline. Rows that cannot be used (unknown indicator or org
unit, unparsable period, text where a number belongs, a unit that cannot convert, a duplicate)
are quarantined into a quality report with their reason; the evaluation runs on the rest.
Every check works on whole columns; messages are built once per distinct bad value.
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs
import numpy as np
import pandas as pd
import pint

from balanced_scorecard._suggest import did_you_mean
from balanced_scorecard.algorithms.scoring import encode_categories
from balanced_scorecard.data.periods import parse_periods
from balanced_scorecard.exceptions import ObservationError, UnitError
from balanced_scorecard.model.enums import Frequency
from balanced_scorecard.model.scorecard import Scorecard
from balanced_scorecard.units import convert

__all__ = [
    "OPTIONAL_COLUMNS",
    "QUALITY_COLUMNS",
    "REQUIRED_COLUMNS",
    "PreparedObservations",
    "prepare_observations",
]

REQUIRED_COLUMNS = ("indicator", "org_unit", "period", "value")
OPTIONAL_COLUMNS = ("unit", "numerator", "denominator", "weight", "source", "as_of", "flags")
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
    """Valid observations in the core's shape, plus the quality report.

    ``frame`` columns: ``indicator`` (int code in scorecard order), ``org_unit`` (int code in
    org-chart order), ``period`` (ordinal at the review frequency), ``value``, ``numerator``,
    ``denominator``, ``weight`` (float64), ``order`` (later wins for ``last``), ``row``.
    """

    frame: pd.DataFrame
    quality: pd.DataFrame
    n_input: int


def _text(col: pd.Series) -> pd.Series:
    return col.astype("string").str.strip()


def _num(frame: pd.DataFrame, name: str) -> pd.Series:
    if name not in frame.columns:
        return pd.Series(np.nan, index=frame.index, dtype=np.float64)
    return pd.to_numeric(frame[name], errors="coerce").astype(np.float64)


class _Quarantine:
    def __init__(self, raw: pd.DataFrame, source: str) -> None:
        self.raw = raw
        self.source = source
        self.parts: list[pd.DataFrame] = []

    def add(self, mask: np.ndarray, rule: str, messages: pd.Series | str, severity: str) -> None:
        if not mask.any():
            return
        sub = self.raw.loc[mask]
        msg = messages[mask] if isinstance(messages, pd.Series) else messages
        self.parts.append(
            pd.DataFrame(
                {
                    "row": sub["__row"].to_numpy(),
                    "source": sub["source"].astype("string").fillna(self.source).to_numpy()
                    if "source" in sub
                    else self.source,
                    "indicator": sub["indicator"].astype("string").to_numpy(),
                    "org_unit": sub["org_unit"].astype("string").to_numpy(),
                    "period": sub["period"].astype("string").to_numpy(),
                    "value": sub["value"].astype("string").to_numpy(),
                    "severity": severity,
                    "rule": rule,
                    "message": np.asarray(msg, dtype=object)
                    if not isinstance(msg, str)
                    else msg,
                }
            )
        )

    def frame(self) -> pd.DataFrame:
        if not self.parts:
            return pd.DataFrame({c: pd.Series(dtype=object) for c in QUALITY_COLUMNS})
        out = pd.concat(self.parts, ignore_index=True)
        return out.sort_values(["row", "rule"], kind="stable").reset_index(drop=True)


def _unknown_messages(values: pd.Series, known: Sequence[str], what: str, fix: str) -> pd.Series:
    uniques = values.dropna().unique()
    text = {
        v: f"unknown {what} {v!r}.{did_you_mean(str(v), known)} {fix}".replace(".  ", ". ")
        for v in uniques
    }
    return values.map(text).fillna(f"{what} is empty")


def prepare_observations(
    observations: pd.DataFrame,
    scorecard: Scorecard,
    *,
    registry: pint.UnitRegistry,
    freq: Frequency | None = None,
    source: str = "observations",
) -> PreparedObservations:
    """Validate a long observation frame against ``scorecard``.

    Parameters
    ----------
    observations
        Columns ``indicator``, ``org_unit``, ``period``, ``value`` and optionally ``unit``
        (converted to the indicator's unit), ``numerator``/``denominator`` (for ratio-of-sums
        indicators; ``value`` may then be empty), ``weight`` (for weighted means), ``source``,
        ``as_of`` (the later record of a duplicate wins).
    scorecard
        Gives the known indicators, units, org units and categorical scorings.
    registry
        The unit registry of the engine.
    freq
        Review frequency (default: the scorecard's).
    source
        Name used in the quality report for rows without a ``source`` column.

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
    >>> prep.frame["value"].tolist()
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
    raw = observations.reset_index(drop=True).copy()
    # 1-based data-row numbers as a spreadsheet shows them after a header line.
    raw["__row"] = np.arange(2, len(raw) + 2) if "__row" not in observations else raw["__row"]
    q = _Quarantine(raw, source)
    n = len(raw)

    ind_ids = [i.id for i in scorecard.indicators]
    unit_ids = list(scorecard.org_chart.ids)
    ind_text, org_text = _text(raw["indicator"]), _text(raw["org_unit"])
    ind_code = pd.Index(ind_ids).get_indexer(ind_text.fillna("\0"))
    org_code = pd.Index(unit_ids).get_indexer(org_text.fillna("\0"))
    bad_ind = ind_code < 0
    q.add(
        bad_ind,
        "unknown-indicator",
        _unknown_messages(ind_text, ind_ids, "indicator", "Add it to the definition or fix the id."),
        "error",
    )
    bad_org = (org_code < 0) & ~bad_ind
    q.add(
        bad_org,
        "unknown-org-unit",
        _unknown_messages(org_text, unit_ids, "org unit", "Add it to the org chart or map the code."),
        "error",
    )
    period, bad_period = parse_periods(raw["period"], freq)
    bad_period &= ~bad_ind & ~bad_org
    q.add(
        bad_period,
        "bad-period",
        "period is not a date or a label like '2025-03', '2025Q1' or '2025'",
        "error",
    )
    ok = ~(bad_ind | bad_org | bad_period)

    safe_ind = np.maximum(ind_code, 0)
    value = _num(raw, "value")
    numerator, denominator = _num(raw, "numerator"), _num(raw, "denominator")
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
    from_ratio = value.isna() & numerator.notna() & denominator.notna() & (denominator != 0)
    value = value.where(~from_ratio, numerator / denominator.where(denominator != 0))
    given = raw["value"].notna() & (_text(raw["value"]).fillna("") != "")
    not_number = ok & ~is_cat & given.to_numpy() & value.isna().to_numpy()
    q.add(not_number, "not-a-number", "value is not a number; fix the cell or leave it empty", "error")
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

    # Units: one vectorised conversion per distinct (given, declared) pair.
    if "unit" in raw.columns:
        given_unit = _text(raw["unit"]).fillna("")
        declared = pd.Series([i.unit for i in scorecard.indicators])[safe_ind].to_numpy()
        need = ok & (given_unit.to_numpy() != "") & (given_unit.to_numpy() != declared)
        if need.any():
            pairs = pd.DataFrame({"g": given_unit[need], "d": declared[need]}).drop_duplicates()
            for g, d in pairs.itertuples(index=False):
                rows = need & (given_unit.to_numpy() == g) & (declared == d)
                idx = np.flatnonzero(rows)
                try:
                    value.iloc[idx] = convert(value.iloc[idx].to_numpy(), g, d, registry)
                except UnitError as exc:
                    q.add(rows, "unit", f"{exc}", "error")
                    ok &= ~rows

    order = np.arange(n, dtype=np.float64)
    if "as_of" in raw.columns:
        as_of = pd.to_datetime(raw["as_of"], errors="coerce", format="mixed")
        order = np.where(as_of.notna(), as_of.astype("int64").to_numpy() / 1e9, -np.inf) + (
            np.arange(n) / (n + 1)
        )
    # A duplicate is the same indicator, unit and period stamp; the later record wins.
    stamp = _text(raw["period"]).fillna("")
    key = pd.DataFrame({"i": ind_code, "o": org_code, "p": stamp})
    valid_idx = np.flatnonzero(ok)
    if len(valid_idx):
        sub = key.iloc[valid_idx].assign(order=order[valid_idx])
        sub = sub.sort_values("order", kind="stable")
        dup = sub.duplicated(["i", "o", "p"], keep="last")
        dup_rows = np.zeros(n, dtype=bool)
        dup_rows[sub.index[dup.to_numpy()]] = True
        q.add(
            dup_rows,
            "duplicate",
            "another row has the same indicator, org unit and period; the later one "
            "(by as_of, then file order) is used",
            "warning",
        )
        ok &= ~dup_rows

    frame = pd.DataFrame(
        {
            "indicator": ind_code[ok].astype(np.int64),
            "org_unit": org_code[ok].astype(np.int64),
            "period": period[ok],
            "value": value.to_numpy()[ok],
            "numerator": numerator.to_numpy()[ok],
            "denominator": denominator.to_numpy()[ok],
            "weight": _num(raw, "weight").fillna(1.0).to_numpy()[ok],
            "order": order[ok],
            "row": raw["__row"].to_numpy()[ok],
        }
    )
    return PreparedObservations(frame=frame, quality=q.frame(), n_input=n)
