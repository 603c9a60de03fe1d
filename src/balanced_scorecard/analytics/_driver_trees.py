"""Driver trees: a change in a result attributed to the drivers it is built from.

A product of drivers (ROIC = NOPAT margin × capital turnover), operating margin (one minus the
cost ratios) or any formula: each driver's share of the change, by Shapley values or LMDI. The
public door is :mod:`balanced_scorecard.analytics.variance`.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence

import numpy as np
import numpy.typing as npt
import pandas as pd

from balanced_scorecard.exceptions import ModelError

__all__ = [
    "ATTRIBUTION_METHODS",
    "ROIC_COLUMNS",
    "attribute_formula_change",
    "attribute_operating_margin_change",
    "attribute_product_change",
    "attribute_roic_change",
    "operating_margin_drivers",
    "roic_drivers",
]


#: Columns :func:`roic_drivers` and :func:`attribute_roic_change` read.
ROIC_COLUMNS: tuple[str, ...] = ("nopat", "revenue", "invested_capital")

#: Names accepted by :func:`attribute_product_change`.
ATTRIBUTION_METHODS: tuple[str, ...] = ("shapley", "lmdi")

FloatArray = npt.NDArray[np.float64]


def attribute_product_change(
    before: pd.DataFrame | pd.Series,
    after: pd.DataFrame | pd.Series,
    *,
    method: str = "shapley",
) -> pd.DataFrame:
    """Attribute the change in a product of drivers ``y = x_1 × … × x_k`` to each driver.

    The parts add up exactly to ``y_after − y_before`` in each row, by either method:

    ``shapley`` (default)
        Each driver gets its Shapley value: its marginal effect (switch it from before to
        after) averaged over every order in which the drivers could switch. For two drivers
        this is ``Δx_1 × (x_2 + x_2') / 2`` and ``Δx_2 × (x_1 + x_1') / 2``. Works for any
        signs; cost grows as 2^k in the number of drivers (fine for a driver tree).
    ``lmdi``
        Logarithmic mean Divisia index: ``L(y', y) × ln(x_i' / x_i)`` with the logarithmic
        mean ``L(a, b) = (a − b) / (ln a − ln b)``. Needs every driver positive in both
        periods.

    Parameters
    ----------
    before, after
        Driver values (columns) per row (business unit, product); a Series is one row. Same
        shape and labels.
    method
        ``"shapley"`` or ``"lmdi"``.

    Returns
    -------
    pandas.DataFrame
        The contribution of each driver (same columns as the input) plus ``before``,
        ``after`` and ``change`` of the product.

    Examples
    --------
    >>> import pandas as pd
    >>> parts = attribute_product_change(pd.Series({"price": 10.0, "volume": 100.0}),
    ...                                  pd.Series({"price": 12.0, "volume": 90.0}))
    >>> parts.round(2).iloc[0].to_dict()
    {'price': 190.0, 'volume': -110.0, 'before': 1000.0, 'after': 1080.0, 'change': 80.0}
    """
    x0, x1 = _as_frame(before), _as_frame(after)
    if not (x0.index.equals(x1.index) and x0.columns.equals(x1.columns)):
        raise ModelError("before and after must have the same rows and drivers (columns).")
    if x0.shape[1] == 0:
        raise ModelError("attribute_product_change needs at least one driver column.")
    a = x0.to_numpy(dtype=np.float64, na_value=np.nan)
    b = x1.to_numpy(dtype=np.float64, na_value=np.nan)
    for arr, when in ((a, "before"), (b, "after")):
        bad = ~np.isfinite(arr)
        if bad.any():
            row, col = (int(i[0]) for i in np.nonzero(bad))
            raise ModelError(
                f"driver {x0.columns[col]!r} of row {x0.index[row]!r} is {float(arr[row, col])!r} "
                f"{when}; drivers must be finite."
            )
    y0, y1 = a.prod(axis=1), b.prod(axis=1)
    if method == "shapley":
        parts = _shapley(a, b)
    elif method == "lmdi":
        if (a <= 0).any() or (b <= 0).any():
            raise ModelError(
                "the lmdi method needs every driver positive in both periods; use "
                "method='shapley' for drivers that are zero or negative."
            )
        with np.errstate(divide="ignore", invalid="ignore"):
            log_mean = np.where(
                np.isclose(y0, y1, rtol=1e-14, atol=0.0), y0, (y1 - y0) / np.log(y1 / y0)
            )
        parts = log_mean[:, None] * np.log(b / a)
    else:
        raise ModelError(
            f"unknown attribution method {method!r}; use one of {', '.join(ATTRIBUTION_METHODS)}."
        )
    out = pd.DataFrame(parts, index=x0.index, columns=x0.columns)
    out["before"], out["after"], out["change"] = y0, y1, y1 - y0
    return out


def roic_drivers(financials: pd.DataFrame) -> pd.DataFrame:
    """The DuPont-style driver tree of return on invested capital, per row.

    ``roic = nopat / invested_capital = nopat_margin × capital_turnover`` with
    ``nopat_margin = nopat / revenue`` and ``capital_turnover = revenue / invested_capital``.

    Parameters
    ----------
    financials
        Columns of :data:`ROIC_COLUMNS`; revenue and invested capital must be positive.

    Examples
    --------
    >>> import pandas as pd
    >>> f = pd.DataFrame({"nopat": [80.0], "revenue": [1000.0], "invested_capital": [500.0]})
    >>> roic_drivers(f).round(3).iloc[0].to_dict()
    {'nopat_margin': 0.08, 'capital_turnover': 2.0, 'roic': 0.16}
    """
    missing = [c for c in ROIC_COLUMNS if c not in financials.columns]
    if missing:
        raise ModelError(f"roic_drivers needs the columns {list(ROIC_COLUMNS)}; missing {missing}.")
    v = financials[list(ROIC_COLUMNS)].to_numpy(dtype=np.float64, na_value=np.nan)
    bad = ~np.isfinite(v) | ((v <= 0) & np.array([False, True, True]))
    if bad.any():
        row, col = (int(i[0]) for i in np.nonzero(bad))
        raise ModelError(
            f"{ROIC_COLUMNS[col]} of row {financials.index[row]!r} is {float(v[row, col])!r}; "
            "nopat must be finite, revenue and invested capital finite and > 0."
        )
    nopat, revenue, capital = v.T
    margin, turnover = nopat / revenue, revenue / capital
    return pd.DataFrame(
        {"nopat_margin": margin, "capital_turnover": turnover, "roic": margin * turnover},
        index=financials.index,
    )


def attribute_roic_change(
    before: pd.DataFrame, after: pd.DataFrame, *, method: str = "shapley"
) -> pd.DataFrame:
    """Attribute the change in ROIC between two periods to NOPAT margin and capital turnover.

    Builds :func:`roic_drivers` for both periods and hands the two drivers to
    :func:`attribute_product_change`; the parts add up exactly to the change in ROIC.

    Examples
    --------
    >>> import pandas as pd
    >>> y1 = pd.DataFrame({"nopat": [80.0], "revenue": [1000.0], "invested_capital": [500.0]})
    >>> y2 = pd.DataFrame({"nopat": [99.0], "revenue": [1100.0], "invested_capital": [440.0]})
    >>> attribute_roic_change(y1, y2).round(4)
       nopat_margin  capital_turnover  before  after  change
    0        0.0225            0.0425    0.16  0.225   0.065
    """
    drivers = ["nopat_margin", "capital_turnover"]
    return attribute_product_change(
        roic_drivers(before)[drivers], roic_drivers(after)[drivers], method=method
    )


def _cost_lines(financials: pd.DataFrame, costs: Sequence[str] | None) -> list[str]:
    if "revenue" not in financials.columns:
        raise ModelError(
            "an operating-margin driver tree needs a 'revenue' column; got "
            f"{list(financials.columns)}."
        )
    lines = [c for c in financials.columns if c != "revenue"] if costs is None else list(costs)
    missing = [c for c in lines if c not in financials.columns]
    if missing or not lines:
        raise ModelError(
            f"cost lines {missing or lines} are not columns of the frame "
            f"({list(financials.columns)}); name the cost columns with costs=[...]."
        )
    v = financials[["revenue", *lines]].to_numpy(dtype=np.float64, na_value=np.nan)
    bad = ~np.isfinite(v) | ((v <= 0) & (np.arange(v.shape[1]) == 0))
    if bad.any():
        row, col = (int(i[0]) for i in np.nonzero(bad))
        name = ["revenue", *lines][col]
        raise ModelError(
            f"{name} of row {financials.index[row]!r} is {float(v[row, col])!r}; revenue "
            "must be finite and > 0, cost lines finite."
        )
    return lines


def operating_margin_drivers(
    financials: pd.DataFrame, *, costs: Sequence[str] | None = None
) -> pd.DataFrame:
    """The driver tree of operating margin: each cost line as a share of revenue.

    ``operating_margin = 1 − Σ cost_i / revenue``; with a ``cogs`` line the tree also shows
    ``gross_margin = 1 − cogs / revenue``, so ``operating_margin = gross_margin − Σ
    opex_i / revenue``.

    Parameters
    ----------
    financials
        A ``revenue`` column (> 0) and one column per cost line (costs as positive amounts).
    costs
        The cost columns, in order (default: every column but ``revenue``).

    Returns
    -------
    pandas.DataFrame
        ``<line>_ratio`` per cost line, ``gross_margin`` (when there is a ``cogs`` line) and
        ``operating_margin``, per row.

    Examples
    --------
    >>> import pandas as pd
    >>> f = pd.DataFrame({"revenue": [1000.0], "cogs": [600.0], "sga": [250.0]})
    >>> operating_margin_drivers(f).round(3).iloc[0].to_dict()
    {'cogs_ratio': 0.6, 'sga_ratio': 0.25, 'gross_margin': 0.4, 'operating_margin': 0.15}
    """
    lines = _cost_lines(financials, costs)
    revenue = financials["revenue"].to_numpy(dtype=np.float64)
    ratios = financials[lines].to_numpy(dtype=np.float64) / revenue[:, None]
    out = pd.DataFrame(ratios, index=financials.index, columns=[f"{c}_ratio" for c in lines])
    if "cogs" in lines:
        out["gross_margin"] = 1.0 - out["cogs_ratio"]
    out["operating_margin"] = 1.0 - ratios.sum(axis=1)
    return out


def attribute_operating_margin_change(
    before: pd.DataFrame, after: pd.DataFrame, *, costs: Sequence[str] | None = None
) -> pd.DataFrame:
    """Attribute the change in operating margin between two periods to its drivers.

    Each cost ratio ``cost_i × (1 / revenue)`` is a product of two drivers, split by
    Shapley values: the *cost* effect ``−Δcost_i × (1/R + 1/R') / 2`` (spending more lowers
    the margin) goes to the line, the *revenue* effect ``−Δ(1/R) × (cost_i + cost_i') / 2``
    (operating leverage: growth spreads the same costs thinner) is summed over the lines
    into ``revenue``. The parts add up exactly to the change in margin.

    Returns
    -------
    pandas.DataFrame
        One column per cost line and ``revenue`` (contributions in margin points as
        fractions), plus ``before``, ``after`` and ``change`` of the operating margin.

    Examples
    --------
    Hand-worked: revenue 1000 → 1250, COGS 600 → 700, SG&A 250 → 250. Margin 0.15 → 0.24.
    COGS: −100 × (1/1000 + 1/1250) / 2 = −0.09; SG&A: 0; revenue: −(1/1250 − 1/1000) ×
    ((600 + 700) / 2 + 250) = 0.18; −0.09 + 0.18 = 0.09.

    >>> import pandas as pd
    >>> y1 = pd.DataFrame({"revenue": [1000.0], "cogs": [600.0], "sga": [250.0]})
    >>> y2 = pd.DataFrame({"revenue": [1250.0], "cogs": [700.0], "sga": [250.0]})
    >>> attribute_operating_margin_change(y1, y2).round(4).iloc[0].to_dict()
    {'cogs': -0.09, 'sga': 0.0, 'revenue': 0.18, 'before': 0.15, 'after': 0.24, 'change': 0.09}
    """
    lines = _cost_lines(before, costs)
    _cost_lines(after, lines)
    if not before.index.equals(after.index):
        raise ModelError("before and after must have the same rows (business units, products).")
    r0 = 1.0 / before["revenue"].to_numpy(dtype=np.float64)
    r1 = 1.0 / after["revenue"].to_numpy(dtype=np.float64)
    c0 = before[lines].to_numpy(dtype=np.float64)
    c1 = after[lines].to_numpy(dtype=np.float64)
    cost_effect = (c0 - c1) * ((r0 + r1) / 2.0)[:, None]
    revenue_effect = ((r0 - r1)[:, None] * (c0 + c1) / 2.0).sum(axis=1)
    out = pd.DataFrame(cost_effect, index=before.index, columns=lines)
    out["revenue"] = revenue_effect
    m0, m1 = 1.0 - (c0 * r0[:, None]).sum(axis=1), 1.0 - (c1 * r1[:, None]).sum(axis=1)
    out["before"], out["after"], out["change"] = m0, m1, m1 - m0
    return out


def attribute_formula_change(
    formula: str, before: Mapping[str, float], after: Mapping[str, float]
) -> pd.Series:
    """Attribute the change in any formula's value to each of its inputs (Shapley values).

    Each input gets its marginal effect (switch it from ``before`` to ``after``) averaged over
    every order in which the inputs could switch, so the parts add up exactly to the change
    for any formula, not only a product: a driver tree written as a calculated indicator
    (``(revenue - cost) / revenue * 100``) is attributed as it is written. The formula is
    evaluated once, vectorised over all 2^k combinations of k inputs.

    Parameters
    ----------
    formula
        A formula of :mod:`balanced_scorecard.formulas` (the language of calculated
        indicators).
    before, after
        A value for every input name of the formula.

    Returns
    -------
    pandas.Series
        One contribution per input, then ``before``, ``after`` and ``change``.

    Examples
    --------
    Margin (revenue − cost) / revenue × 100 from 1000/800 (20 %) to 1250/900 (28 %). Revenue:
    ((36 − 20) + (28 − 10)) / 2 = 17 points; cost: ((10 − 20) + (28 − 36)) / 2 = −9 (inputs
    in the formula's name order):

    >>> parts = attribute_formula_change("(revenue - cost) / revenue * 100",
    ...                                  {"revenue": 1000, "cost": 800},
    ...                                  {"revenue": 1250, "cost": 900})
    >>> parts.round(2).to_dict()
    {'cost': -9.0, 'revenue': 17.0, 'before': 20.0, 'after': 28.0, 'change': 8.0}
    """
    from balanced_scorecard.formulas import parse_formula

    f = parse_formula(formula)
    names = list(f.names)
    missing = [n for n in names if n not in before or n not in after]
    if missing:
        raise ModelError(
            f"formula {formula!r} needs a before and an after value for {missing}; "
            "give every input of the formula."
        )
    k = len(names)
    if k > 16:
        raise ModelError(f"formula {formula!r} has {k} inputs; attribution handles up to 16.")
    codes = np.arange(2**k)
    switched = (codes[:, None] >> np.arange(k)[None, :]) & 1  # 1: input at its after value
    a = np.array([float(before[n]) for n in names])
    b = np.array([float(after[n]) for n in names])
    grid = np.where(switched == 1, b[None, :], a[None, :])
    values = np.asarray(
        f.evaluate({n: grid[:, i] for i, n in enumerate(names)}).value, dtype=np.float64
    )
    size = switched.sum(axis=1)
    weight = np.array(
        [math.factorial(s) * math.factorial(k - s - 1) / math.factorial(k) for s in range(k)]
    )
    parts = np.empty(k)
    for i in range(k):  # one pass per input (a handful), each over all subsets at once
        without = switched[:, i] == 0
        gain = values[codes[without] | (1 << i)] - values[without]
        parts[i] = float(np.sum(weight[size[without]] * gain))
    out = pd.Series(parts, index=names, dtype=np.float64)
    y0, y1 = float(values[0]), float(values[-1])
    return pd.concat([out, pd.Series({"before": y0, "after": y1, "change": y1 - y0})])


def _as_frame(x: pd.DataFrame | pd.Series) -> pd.DataFrame:
    return x.to_frame().T if isinstance(x, pd.Series) else x


def _shapley(a: FloatArray, b: FloatArray) -> FloatArray:
    """Shapley value of each driver (column) of a product, vectorised over rows."""
    k = a.shape[1]
    parts = np.zeros_like(a)
    # Loop over the 2^k coalitions of drivers (not over rows): drivers in the coalition
    # take their 'after' value.
    for mask in itertools.product((False, True), repeat=k):
        m = np.array(mask)
        size = int(m.sum())
        value = np.where(m, b, a).prod(axis=1)
        for i in range(k):
            if m[i]:
                continue
            weight = math.factorial(size) * math.factorial(k - size - 1) / math.factorial(k)
            with_i = m.copy()
            with_i[i] = True
            parts[:, i] += weight * (np.where(with_i, b, a).prod(axis=1) - value)
    return parts
