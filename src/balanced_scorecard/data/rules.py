"""Validation rules: checks on observation rows beyond "can it be read at all".

A rule looks at all valid rows at once (arrays, in the indicator's declared unit) and returns
a mask of the rows it objects to. Its severity decides what happens to them: ``error`` rows
are quarantined, ``warning`` and ``info`` rows are kept and reported. Built-in rules and
plugin rules (hook ``bsc_register_validation_rules``) are the same kind of object.
"""

from __future__ import annotations

from collections.abc import Callable

import attrs
import numpy as np

from balanced_scorecard.data.periods import period_labels
from balanced_scorecard.exceptions import ModelError
from balanced_scorecard.model.enums import Frequency, TimeAggregation
from balanced_scorecard.model.scorecard import Scorecard

__all__ = [
    "BUILTIN_RULES",
    "SEVERITIES",
    "ObservationRows",
    "ValidationRule",
    "declared_ranges",
    "describe_share",
    "describe_valid_range",
    "negative_parts",
    "numerator_above_denominator",
    "outside_share",
    "outside_valid_range",
    "robust_outliers",
]

SEVERITIES = ("error", "warning", "info")


@attrs.frozen(kw_only=True, eq=False)
class ObservationRows:
    """The rows a rule sees: equal-length arrays, ``indicator`` and ``org_unit`` as codes into
    ``scorecard.indicators`` and ``scorecard.org_chart.ids``, ``period`` as an ordinal."""

    scorecard: Scorecard
    indicator: np.ndarray
    org_unit: np.ndarray
    period: np.ndarray
    value: np.ndarray
    numerator: np.ndarray
    denominator: np.ndarray
    #: Per indicator (not per row): True when its unit is a share of a whole (a plain
    #: fraction, percent, per mille, ppm), so its numerator cannot exceed its denominator.
    proportion: np.ndarray = attrs.field(factory=lambda: np.zeros(0, dtype=bool))
    #: Per indicator: one whole in its unit (100 for ``percent``, 1000 for ``permille``) when
    #: the unit is a named share unit, NaN otherwise (a plain ``dimensionless`` unit also
    #: holds counts and indices, so it gets no implicit bound).
    whole: np.ndarray = attrs.field(factory=lambda: np.zeros(0))
    #: The frequency of ``period`` (default: the scorecard's review frequency), for messages.
    freq: Frequency | None = None

    def __len__(self) -> int:
        return int(self.value.shape[0])

    def labels(self, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Indicator ids, org unit ids and period labels of the rows in ``mask``, as object
        arrays; each distinct id or period is formatted once."""
        ids = np.array([i.id for i in self.scorecard.indicators] + ["?"], dtype=object)
        units = np.array([*self.scorecard.org_chart.ids, "?"], dtype=object)
        ind = np.minimum(self.indicator[mask], len(ids) - 1)
        org = np.minimum(self.org_unit[mask], len(units) - 1)
        uniq, inverse = np.unique(self.period[mask], return_inverse=True)
        freq = self.freq if self.freq is not None else self.scorecard.review_frequency
        texts = np.array(period_labels(uniq, freq, calendar=self.scorecard.calendar), dtype=object)
        return ids[ind], units[org], texts[inverse.reshape(-1)]


@attrs.frozen(kw_only=True)
class ValidationRule:
    """A named check with a severity and a message saying what is wrong and how to fix it.

    ``check(rows)`` returns a boolean array, True for the rows the rule objects to.
    """

    name: str
    check: Callable[[ObservationRows], np.ndarray]
    message: str
    severity: str = attrs.field(default="warning")
    #: Optional per-row messages: ``describe(rows, flagged)`` returns one message for each
    #: flagged row, in row order, naming what is wrong with that row (its value and the limit
    #: it broke). Without it every flagged row gets ``message``.
    describe: Callable[[ObservationRows, np.ndarray], np.ndarray] | None = None

    @severity.validator
    def _severity(self, _: object, value: str) -> None:
        if value not in SEVERITIES:
            raise ModelError(
                f"rule {self.name!r} has severity {value!r}; use one of {', '.join(SEVERITIES)}"
            )


def numerator_above_denominator(rows: ObservationRows) -> np.ndarray:
    """Ratio rows whose numerator exceeds their denominator (more on-time orders than orders).

    Examples
    --------
    >>> from balanced_scorecard.model import Scorecard
    >>> r = ObservationRows(scorecard=Scorecard(id="x"), indicator=np.zeros(2, int),
    ...     org_unit=np.zeros(2, int), period=np.zeros(2, int), value=np.ones(2),
    ...     numerator=np.array([3.0, 1.0]), denominator=np.array([2.0, 4.0]))
    >>> numerator_above_denominator(r).tolist()
    [True, False]
    """
    with np.errstate(invalid="ignore"):
        return np.asarray(rows.numerator > rows.denominator)


def negative_parts(rows: ObservationRows) -> np.ndarray:
    """Rows with a negative numerator or denominator: both count things."""
    with np.errstate(invalid="ignore"):
        return np.asarray((rows.numerator < 0) | (rows.denominator < 0))


def robust_outliers(rows: ObservationRows, *, threshold: float = 5.0) -> np.ndarray:
    """Values far from their series' median: robust z-score ``0.6745 (x - median) / MAD``
    above ``threshold``, per (indicator, org unit) series with at least 5 values. The rows are
    kept (a real jump is not an error); the report asks a person to look.

    Vectorised: when each series has at most one row per period (the usual case), the rows
    are laid out as a (series, period) panel and medians come from sorting each short row of
    it; otherwise the rows are sorted once by series and value.

    Examples
    --------
    >>> from balanced_scorecard.model import Scorecard
    >>> v = np.array([10.0, 11, 9, 10, 12, 10, 95])
    >>> r = ObservationRows(scorecard=Scorecard(id="x"), indicator=np.zeros(7, int),
    ...     org_unit=np.zeros(7, int), period=np.arange(7), value=v,
    ...     numerator=np.full(7, np.nan), denominator=np.full(7, np.nan))
    >>> robust_outliers(r).tolist()
    [False, False, False, False, False, False, True]
    """
    n = len(rows)
    if n == 0:
        return np.zeros(0, dtype=bool)
    n_units = max(len(rows.scorecard.org_chart), int(rows.org_unit.max(initial=0)) + 1)
    series = rows.indicator.astype(np.int64) * n_units + rows.org_unit
    # Compact the series codes to 0..k-1 without sorting (the codes are small integers).
    seen = np.zeros(int(series.max()) + 1, dtype=bool)
    seen[series] = True
    n_series = int(seen.sum())
    series = (np.cumsum(seen) - 1)[series]
    p0 = int(rows.period.min())
    n_periods = int(rows.period.max()) - p0 + 1
    cells = series * n_periods + (rows.period - p0)
    present = ~np.isnan(rows.value)
    small = n_series * n_periods <= 4 * n + 1_000_000
    used = cells if present.all() else cells[present]
    if small and np.bincount(used, minlength=n_series * n_periods).max() <= 1:
        return _outliers_panel(rows.value, present, cells, n_series, n_periods, threshold)
    return _outliers_sorted(rows.value, present, series, threshold)


def _row_medians(sorted_panel: np.ndarray, count: np.ndarray) -> np.ndarray:
    # Rows are sorted ascending with NaN last; the median sits at the middle present item(s).
    lo = np.maximum((count - 1) // 2, 0)[:, None]
    hi = np.maximum(count // 2, 0)[:, None]
    mid = (
        np.take_along_axis(sorted_panel, lo, axis=1) + np.take_along_axis(sorted_panel, hi, axis=1)
    ) / 2
    return np.where(count > 0, mid[:, 0], np.nan)


def _outliers_panel(
    value: np.ndarray,
    present: np.ndarray,
    cells: np.ndarray,
    n_series: int,
    n_periods: int,
    threshold: float,
) -> np.ndarray:
    flat = np.full(n_series * n_periods, np.nan)
    if present.all():
        flat[cells] = value
    else:
        flat[cells[present]] = value[present]
    panel = flat.reshape(n_series, n_periods)
    count = (~np.isnan(panel)).sum(axis=1)
    median = _row_medians(np.sort(panel, axis=1), count)
    dev = np.abs(panel - median[:, None])
    mad = _row_medians(np.sort(dev, axis=1), count)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        z = 0.6745 * dev / mad[:, None]
    flagged = (count[:, None] >= 5) & (mad[:, None] > 0) & (z > threshold)
    return np.asarray(flagged.reshape(-1)[cells] & present)


def _outliers_sorted(
    value: np.ndarray, present: np.ndarray, series: np.ndarray, threshold: float
) -> np.ndarray:
    out = np.zeros(len(value), dtype=bool)
    order = np.lexsort((value, series))
    order = order[present[order]]
    s, v = series[order], value[order]
    starts = np.flatnonzero(np.r_[True, s[1:] != s[:-1]])
    sizes = np.diff(np.r_[starts, len(s)])

    def segment_median(sorted_values: np.ndarray) -> np.ndarray:
        lo = starts + (sizes - 1) // 2
        hi = starts + sizes // 2
        return np.asarray((sorted_values[lo] + sorted_values[hi]) / 2)

    median = segment_median(v)
    seg = np.repeat(np.arange(len(starts)), sizes)
    dev = np.abs(v - median[seg])
    # Deviations must be sorted within each segment for their median too.
    mad = segment_median(dev[np.lexsort((dev, seg))])
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        z = 0.6745 * dev / mad[seg]
    flagged = (sizes[seg] >= 5) & (mad[seg] > 0) & (z > threshold)
    out[order[flagged]] = True
    return out


def _ratio_rows(
    rule: Callable[[ObservationRows], np.ndarray], *, shares_only: bool = False
) -> Callable[[ObservationRows], np.ndarray]:
    # Only ratio-of-sums indicators carry parts whose sizes mean something; only shares of
    # a whole (on-time orders of orders) bound the numerator by the denominator, unlike
    # cost per order or hours per employee.
    def check(rows: ObservationRows) -> np.ndarray:
        n = len(rows.scorecard.indicators)
        applies = np.zeros(max(n, 1), dtype=bool)
        applies[:n] = [
            i.time_aggregation is TimeAggregation.RATIO_OF_SUMS for i in rows.scorecard.indicators
        ]
        if shares_only:
            share = np.zeros(len(applies), dtype=bool)
            share[: min(n, len(rows.proportion))] = rows.proportion[:n]
            applies &= share
        if not applies.any():
            return np.zeros(len(rows), dtype=bool)  # no ratio indicator: nothing to check
        return np.asarray(rule(rows) & applies[np.minimum(rows.indicator, len(applies) - 1)])

    return check


def declared_ranges(scorecard: Scorecard) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per indicator, its declared ``valid_range`` as ``(low, high, declared)`` arrays: -inf
    and +inf stand for an open end, ``declared`` is False where no range is declared and
    for categorical indicators (their values are category codes). The arrays hold at
    least one entry, so they can be indexed even for a scorecard without indicators.

    Examples
    --------
    >>> from balanced_scorecard.model import Indicator, Objective
    >>> sc = Scorecard(id="x", objectives=[Objective(id="o", perspective="financial")],
    ...     indicators=[Indicator(id="a", objective="o", valid_range=(0, None)),
    ...                 Indicator(id="b", objective="o")])
    >>> low, high, declared = declared_ranges(sc)
    >>> low.tolist(), high.tolist(), declared.tolist()
    ([0.0, -inf], [inf, inf], [True, False])
    """
    n = max(len(scorecard.indicators), 1)
    low, high = np.full(n, -np.inf), np.full(n, np.inf)
    declared = np.zeros(n, dtype=bool)
    # A loop per indicator (not per row): the definition is small.
    for k, ind in enumerate(scorecard.indicators):
        if ind.valid_range is None or ind.scoring.method == "categorical":
            continue
        declared[k] = True
        lo, hi = ind.valid_range
        low[k] = -np.inf if lo is None else lo
        high[k] = np.inf if hi is None else hi
    return low, high, declared


def _codes(rows: ObservationRows, n: int) -> np.ndarray:
    # Invalid rows carry code 0 or a stale code; the caller masks them, but indexing must hold.
    return np.asarray(np.minimum(rows.indicator, n - 1))


def outside_valid_range(rows: ObservationRows) -> np.ndarray:
    """Rows whose value lies outside their indicator's declared ``valid_range`` (in the
    indicator's unit, after conversion). Empty values are not flagged.

    Examples
    --------
    >>> from balanced_scorecard.model import Indicator, Objective
    >>> sc = Scorecard(id="x", objectives=[Objective(id="o", perspective="financial")],
    ...     indicators=[Indicator(id="fte", objective="o", valid_range=(0, 500))])
    >>> r = ObservationRows(scorecard=sc, indicator=np.zeros(3, int),
    ...     org_unit=np.zeros(3, int), period=np.zeros(3, int),
    ...     value=np.array([-1.0, 120, 501]), numerator=np.full(3, np.nan),
    ...     denominator=np.full(3, np.nan))
    >>> outside_valid_range(r).tolist()
    [True, False, True]
    """
    low, high, declared = declared_ranges(rows.scorecard)
    k = _codes(rows, len(low))
    with np.errstate(invalid="ignore"):
        return np.asarray(declared[k] & ((rows.value < low[k]) | (rows.value > high[k])))


def _share_wholes(rows: ObservationRows) -> tuple[np.ndarray, np.ndarray]:
    _, _, declared = declared_ranges(rows.scorecard)
    whole = np.full(len(declared), np.nan)
    m = min(len(rows.whole), len(rows.scorecard.indicators))
    whole[:m] = rows.whole[:m]
    # A declared range replaces the implicit one (a growth rate in percent may be -20 or 250).
    applies = ~np.isnan(whole) & ~declared
    return whole, applies


def outside_share(rows: ObservationRows) -> np.ndarray:
    """Rows of an indicator in a share unit (``percent``, ``permille``, ``ppm``,
    ``basis_point``) without a declared ``valid_range`` whose value is below 0 or above one
    whole (100 %).

    Examples
    --------
    >>> from balanced_scorecard.model import Indicator, Objective
    >>> sc = Scorecard(id="x", objectives=[Objective(id="o", perspective="financial")],
    ...     indicators=[Indicator(id="otd", objective="o", unit="percent")])
    >>> r = ObservationRows(scorecard=sc, indicator=np.zeros(3, int),
    ...     org_unit=np.zeros(3, int), period=np.zeros(3, int),
    ...     value=np.array([95.0, 9500, -3]), numerator=np.full(3, np.nan),
    ...     denominator=np.full(3, np.nan), whole=np.array([100.0]))
    >>> outside_share(r).tolist()
    [False, True, True]
    """
    whole, applies = _share_wholes(rows)
    k = _codes(rows, len(whole))
    with np.errstate(invalid="ignore"):
        return np.asarray(applies[k] & ((rows.value < 0) | (rows.value > whole[k])))


def _number(x: float) -> str:
    return f"{x:.15g}"


def _where(rows: ObservationRows, flagged: np.ndarray) -> np.ndarray:
    """``value 120 of indicator 'otd' at org unit 'north' in 2025-03`` per flagged row."""
    ind, org, period = rows.labels(flagged)
    uniq, inverse = np.unique(rows.value[flagged], return_inverse=True)
    values = np.array([_number(float(v)) for v in uniq], dtype=object)[inverse.reshape(-1)]
    return np.asarray(
        "value " + values + " of indicator '" + ind + "' at org unit '" + org + "' in " + period
    )


def _bounds_text(low: float, high: float, unit: str) -> str:
    unit = "" if unit == "dimensionless" else f" ({unit})"
    if np.isinf(low) and np.isinf(high):
        return "any value"
    if np.isinf(high):
        return f"at least {_number(low)}{unit}"
    if np.isinf(low):
        return f"at most {_number(high)}{unit}"
    return f"{_number(low)} to {_number(high)}{unit}"


def describe_valid_range(rows: ObservationRows, flagged: np.ndarray) -> np.ndarray:
    """Messages for :func:`outside_valid_range`: the row, the range and the fix."""
    low, high, _ = declared_ranges(rows.scorecard)
    units = [i.unit for i in rows.scorecard.indicators] or ["dimensionless"]
    ranges = np.array(
        [_bounds_text(lo, hi, u) for lo, hi, u in zip(low, high, units, strict=False)],
        dtype=object,
    )
    k = _codes(rows, len(low))[flagged]
    return np.asarray(
        _where(rows, flagged)
        + " is outside its valid range, "
        + ranges[k]
        + "; fix the value in the source, or widen the indicator's valid_range if such "
        "values are real"
    )


def describe_share(rows: ObservationRows, flagged: np.ndarray) -> np.ndarray:
    """Messages for :func:`outside_share`: the row, the bounds of a share and the fix."""
    whole, _ = _share_wholes(rows)
    units = [i.unit for i in rows.scorecard.indicators] or ["dimensionless"]
    ranges = np.array(
        [
            _bounds_text(0.0, w, u) if not np.isnan(w) else ""
            for w, u in zip(whole, units, strict=False)
        ],
        dtype=object,
    )
    k = _codes(rows, len(whole))[flagged]
    return np.asarray(
        _where(rows, flagged)
        + " is outside "
        + ranges[k]
        + ", the range of a share of a whole; it is used as it is. If the indicator is a "
        "share, fix the source; if it can leave that range (a growth rate, a margin), "
        "declare its valid_range"
    )


#: The rules every engine applies, in this order.
BUILTIN_RULES: tuple[ValidationRule, ...] = (
    ValidationRule(
        name="negative-parts",
        check=_ratio_rows(negative_parts),
        message="numerator or denominator is negative; both count things, so fix the source",
        severity="error",
    ),
    ValidationRule(
        name="numerator-above-denominator",
        check=_ratio_rows(numerator_above_denominator, shares_only=True),
        message="numerator is larger than denominator, but the indicator is a share of a "
        "whole (more hits than attempts); check the source's definitions of the two counts",
        severity="error",
    ),
    ValidationRule(
        name="valid-range",
        check=outside_valid_range,
        message="value is outside the indicator's valid_range; fix the source, or widen the "
        "range if such values are real",
        severity="error",
        describe=describe_valid_range,
    ),
    ValidationRule(
        name="share-range",
        check=outside_share,
        message="value of a share (percent, per mille, ppm) is below 0 or above one whole; "
        "fix the source, or declare the indicator's valid_range",
        severity="warning",
        describe=describe_share,
    ),
    ValidationRule(
        name="outlier",
        check=robust_outliers,
        message="value is far from its series' median (robust z-score above 5); check it, it "
        "is used as it is",
        severity="warning",
    ),
)
