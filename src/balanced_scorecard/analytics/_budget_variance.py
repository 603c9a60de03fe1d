"""Budget against actual: variances per line, their favourability and the flexible budget.

The public door is :mod:`balanced_scorecard.analytics.variance`, whose docstring states the
sign convention (actual minus reference; favourability by polarity).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from balanced_scorecard.exceptions import ModelError
from balanced_scorecard.model.enums import Polarity

__all__ = ["FLEXIBLE_BUDGET_COLUMNS", "budget_variance", "favourability", "flexible_budget"]

#: Columns :func:`flexible_budget` reads from its ``lines`` frame.
FLEXIBLE_BUDGET_COLUMNS: tuple[str, ...] = (
    "actual_quantity",
    "actual_price",
    "budget_quantity",
    "budget_price",
)

FloatArray = npt.NDArray[np.float64]


PolarityLike = str | Polarity | Sequence[str | Polarity] | pd.Series


def favourability(
    variance: pd.Series | npt.ArrayLike, *, polarity: PolarityLike = "higher_better"
) -> npt.NDArray[np.str_]:
    """Label each variance ``favourable``, ``unfavourable``, ``on budget`` or ``missing``.

    A positive variance (actual above the reference) is favourable for a ``higher_better``
    line (revenue) and unfavourable for a ``lower_better`` one (cost). A zero variance is
    ``on budget``; NaN is ``missing``.

    Parameters
    ----------
    variance
        Actual minus reference, one value per line.
    polarity
        ``"higher_better"`` or ``"lower_better"``, for all lines or one per line. ``in_range``
        has no favourable direction and is refused.

    Examples
    --------
    >>> favourability([5.0, 5.0, 0.0, float("nan")],
    ...               polarity=["higher_better", "lower_better", "lower_better", "higher_better"])
    array(['favourable', 'unfavourable', 'on budget', 'missing'], dtype='<U12')
    """
    v = np.asarray(variance, dtype=np.float64)
    effect = v * _polarity_codes(polarity, len(v))
    return np.select(
        [np.isnan(effect), effect > 0, effect < 0],
        ["missing", "favourable", "unfavourable"],
        default="on budget",
    )


def budget_variance(
    actual: pd.Series | npt.ArrayLike,
    budget: pd.Series | npt.ArrayLike,
    *,
    polarity: PolarityLike = "higher_better",
) -> pd.DataFrame:
    """Budget against actual per line: absolute and relative variance, favourable or not.

    Parameters
    ----------
    actual, budget
        One value per line. Two Series must have the same index (the lines); arrays are
        matched by position.
    polarity
        ``"higher_better"`` or ``"lower_better"``, for all lines or one per line.

    Returns
    -------
    pandas.DataFrame
        One row per line with ``budget``, ``actual``, ``variance`` (actual − budget),
        ``variance_pct`` (variance ÷ ``abs(budget)`` × 100; NaN where the budget is 0, since no
        percentage of nothing exists), ``effect`` (the variance signed so that positive is
        good, for ranking) and ``status`` (see :func:`favourability`). A line with a NaN
        actual or budget keeps its row with NaN variances and status ``missing``. Empty in,
        empty out.

    Examples
    --------
    >>> budget_variance([90.0, 0.0], [100.0, 0.0], polarity="lower_better")
       budget  actual  variance  variance_pct  effect     status
    0   100.0    90.0     -10.0         -10.0    10.0 favourable
    1     0.0     0.0       0.0           NaN    -0.0  on budget
    """
    a, b, index = _aligned(actual, budget)
    variance = a - b
    with np.errstate(divide="ignore", invalid="ignore"):
        pct = np.where(b != 0, variance / np.abs(b) * 100.0, np.nan)
    codes = _polarity_codes(polarity, len(a))
    return pd.DataFrame(
        {
            "budget": b,
            "actual": a,
            "variance": variance,
            "variance_pct": pct,
            "effect": variance * codes,
            "status": favourability(variance, polarity=polarity),
        },
        index=index,
    )


def flexible_budget(lines: pd.DataFrame, *, group: str | None = None) -> pd.DataFrame:
    """Split each line's total variance into price, volume, mix and quantity variances.

    Standard textbook (Horngren) definitions, with AQ/BQ the actual/budget quantity, AP/BP
    the actual/budget price (or unit cost, or unit contribution margin) of a line:

    * static budget ``BQ × BP``; flexible budget ``AQ × BP``; actual ``AQ × AP``;
    * price (flexible-budget) variance ``= actual − flexible = (AP − BP) × AQ``;
    * volume (sales-volume) variance ``= flexible − static = (AQ − BQ) × BP``;
    * with several products sold in one unit of volume, the volume variance splits into
      mix variance ``= (AQ − ΣAQ × BM) × BP`` and quantity variance
      ``= (ΣAQ − ΣBQ) × BM × BP``, where ``BM = BQ ÷ ΣBQ`` is the budget mix and the sums
      run over the line's ``group`` (all lines by default). Mix and quantity add up to the
      volume variance of each line; a group of one line has no mix variance;
    * total (static-budget) variance ``= actual − static = price + volume``.

    Parameters
    ----------
    lines
        One row per line with the columns of :data:`FLEXIBLE_BUDGET_COLUMNS`. Quantities must
        be finite and non-negative, prices finite (a unit margin may be negative).
    group
        Column naming the group each line's mix is computed within (e.g. a product family);
        lines of different groups are not substitutes. Every group needs a positive budget
        quantity.

    Returns
    -------
    pandas.DataFrame
        Indexed like ``lines``: ``static_budget``, ``flexible_budget``, ``actual``,
        ``price_variance``, ``volume_variance``, ``mix_variance``, ``quantity_variance``,
        ``total_variance``. Label them with :func:`favourability`.

    Raises
    ------
    ModelError
        A missing column, a NaN or negative quantity (the line is named), or a group whose
        budget quantities are all zero.

    Examples
    --------
    >>> import pandas as pd
    >>> lines = pd.DataFrame({"actual_quantity": [1100.0], "actual_price": [9.5],
    ...                       "budget_quantity": [1000.0], "budget_price": [10.0]}, index=["P"])
    >>> flexible_budget(lines)[["price_variance", "volume_variance", "total_variance"]]
       price_variance  volume_variance  total_variance
    P          -550.0           1000.0           450.0
    """
    missing = [c for c in FLEXIBLE_BUDGET_COLUMNS if c not in lines.columns]
    if missing:
        raise ModelError(
            f"flexible_budget needs the columns {list(FLEXIBLE_BUDGET_COLUMNS)}; missing {missing}."
        )
    values = lines[list(FLEXIBLE_BUDGET_COLUMNS)].to_numpy(dtype=np.float64, na_value=np.nan)
    bad = ~np.isfinite(values) | ((values < 0) & np.array([True, False, True, False]))
    if bad.any():
        row, col = (int(i[0]) for i in np.nonzero(bad))
        raise ModelError(
            f"{FLEXIBLE_BUDGET_COLUMNS[col]} of line {lines.index[row]!r} is "
            f"{float(values[row, col])!r}; quantities must be finite and >= 0, prices finite."
        )
    aq, ap, bq, bp = values.T
    keys = (
        np.zeros(len(lines), dtype=np.intp)
        if group is None
        else pd.factorize(lines[group].to_numpy())[0]
    )
    if group is not None and (keys < 0).any():
        raise ModelError(
            f"group column {group!r} is missing for line {lines.index[keys < 0][0]!r}."
        )
    n_groups = int(keys.max()) + 1 if len(keys) else 0
    total_aq = np.bincount(keys, weights=aq, minlength=n_groups)[keys]
    total_bq = np.bincount(keys, weights=bq, minlength=n_groups)[keys]
    if (total_bq <= 0).any():
        where = lines.index[int(np.argmax(total_bq <= 0))]
        label = "the lines" if group is None else f"the group of line {where!r}"
        raise ModelError(
            f"budget quantities of {label} are all zero, so there is no budget mix; give a "
            "budget quantity or analyse those lines without a mix (one group per line)."
        )
    budget_mix = bq / total_bq
    static, flexible, actual = bq * bp, aq * bp, aq * ap
    return pd.DataFrame(
        {
            "static_budget": static,
            "flexible_budget": flexible,
            "actual": actual,
            "price_variance": actual - flexible,
            "volume_variance": flexible - static,
            "mix_variance": (aq - total_aq * budget_mix) * bp,
            "quantity_variance": (total_aq - total_bq) * budget_mix * bp,
            "total_variance": actual - static,
        },
        index=lines.index,
    )


def _polarity_codes(polarity: PolarityLike, n: int) -> FloatArray:
    """+1 for higher-better, -1 for lower-better, one per line."""
    if isinstance(polarity, str | Polarity):
        values: list[Any] = [polarity] * n
    else:
        values = list(polarity)
        if len(values) != n:
            raise ModelError(f"{len(values)} polarities for {n} lines; give one or one per line.")
    codes = np.empty(n, dtype=np.float64)
    for value in set(values):
        try:
            code = Polarity(value).code
        except ValueError:
            code = 0
        if code == 0:
            raise ModelError(
                f"polarity {value!r} has no favourable direction; use 'higher_better' "
                "(revenue, margin) or 'lower_better' (cost)."
            )
        codes[[v == value for v in values]] = code
    return codes


def _aligned(
    actual: pd.Series | npt.ArrayLike, budget: pd.Series | npt.ArrayLike
) -> tuple[FloatArray, FloatArray, pd.Index]:
    if isinstance(actual, pd.Series) and isinstance(budget, pd.Series):
        if not actual.index.equals(budget.index):
            extra = actual.index.symmetric_difference(budget.index)
            raise ModelError(
                "actual and budget must list the same lines in the same order"
                + (f"; line {extra[0]!r} is in only one of them." if len(extra) else ".")
            )
        index = actual.index
    a = np.asarray(actual, dtype=np.float64)
    b = np.asarray(budget, dtype=np.float64)
    if a.ndim != 1 or a.shape != b.shape:
        raise ModelError(
            f"actual (shape {a.shape}) and budget (shape {b.shape}) must be one value per line."
        )
    if not isinstance(actual, pd.Series) or not isinstance(budget, pd.Series):
        index = actual.index if isinstance(actual, pd.Series) else pd.RangeIndex(len(a))
    return a, b, index
