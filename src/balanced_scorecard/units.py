"""Units of measure: one pint registry per :class:`~balanced_scorecard.Engine`.

Currencies are dimensions of their own (``EUR`` never converts to ``USD`` by accident: money
in another currency needs an FX adjuster, which knows the date). Values are converted with
one vectorised call per distinct (from, to) unit pair, never per row.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

import numpy as np
import pint

from balanced_scorecard.exceptions import UnitError

if TYPE_CHECKING:
    from typing import Any, TypeAlias

    UnitRegistry: TypeAlias = pint.UnitRegistry[Any]
else:
    UnitRegistry = pint.UnitRegistry

__all__ = ["CURRENCIES", "convert", "make_registry", "parse_unit", "unit_problem"]

#: ISO 4217 codes defined as currency dimensions in every registry we make.
CURRENCIES = [
    "AED",
    "ARS",
    "AUD",
    "BRL",
    "CAD",
    "CHF",
    "CLP",
    "CNY",
    "COP",
    "CZK",
    "DKK",
    "EGP",
    "EUR",
    "GBP",
    "HKD",
    "HUF",
    "IDR",
    "ILS",
    "INR",
    "JPY",
    "KRW",
    "MXN",
    "MYR",
    "NGN",
    "NOK",
    "NZD",
    "PEN",
    "PHP",
    "PKR",
    "PLN",
    "RON",
    "SAR",
    "SEK",
    "SGD",
    "THB",
    "TRY",
    "TWD",
    "UAH",
    "USD",
    "VND",
    "ZAR",
]

_EXTRA_DEFINITIONS = (
    # Headcounts are counts of people; FTE is kept apart because 2 half-time people are 1 FTE.
    "person = count = people = employee = headcount",
    "FTE = [full_time_equivalent] = fte",
    # Survey points (NPS, CSAT) are plain numbers; pint's `point` is a typographic length.
    "score_point = count",
    # pint's `bp` is a typographic point and `bps` a baud, so basis points get no short alias.
    "basis_point = 0.0001",
    "ppb = 1e-9",
)


def make_registry() -> UnitRegistry:
    """A fresh registry with currencies and business units defined.

    Examples
    --------
    >>> ureg = make_registry()
    >>> str(ureg.parse_units("kEUR").dimensionality)
    '[currency_EUR]'
    """
    ureg: UnitRegistry = pint.UnitRegistry(autoconvert_offset_to_baseunit=True)
    for code in CURRENCIES:
        ureg.define(f"{code} = [currency_{code}]")
    for line in _EXTRA_DEFINITIONS:
        ureg.define(line)
    return ureg


@cache
def default_registry() -> UnitRegistry:
    """The library's own shared registry, for checks made outside an Engine (never pint's
    application registry)."""
    return make_registry()


def unit_problem(text: str, registry: UnitRegistry | None = None) -> str | None:
    """Why ``text`` is not a usable unit, or ``None`` when it is.

    Examples
    --------
    >>> unit_problem("EUR") is None
    True
    >>> print(unit_problem("eurr"))  # doctest: +NORMALIZE_WHITESPACE
    unknown unit 'eurr'; use a pint unit such as 'EUR', 'percent', 'day', 'count' or
    'dimensionless'
    """
    ureg = registry if registry is not None else default_registry()
    try:
        ureg.parse_units(text)
    except (
        pint.errors.UndefinedUnitError,
        pint.errors.DefinitionSyntaxError,
        ValueError,
        AttributeError,
        TypeError,
        AssertionError,
    ):
        return (
            f"unknown unit {text!r}; use a pint unit such as 'EUR', 'percent', 'day', "
            "'count' or 'dimensionless'"
        )
    return None


def parse_unit(text: str, registry: UnitRegistry) -> pint.Unit:
    """Parse a unit, raising :class:`~balanced_scorecard.exceptions.UnitError`."""
    problem = unit_problem(text, registry)
    if problem is not None:
        raise UnitError(problem)
    return registry.parse_units(text)


def convert(
    values: np.ndarray, from_unit: str, to_unit: str, registry: UnitRegistry, *, what: str = ""
) -> np.ndarray:
    """Convert an array of magnitudes from one unit to another, in one vectorised call.

    Examples
    --------
    >>> ureg = make_registry()
    >>> convert(np.array([1.5, 2.0]), "kEUR", "EUR", ureg).tolist()
    [1500.0, 2000.0]
    >>> convert(np.array([12.5]), "percent", "dimensionless", ureg).tolist()
    [0.125]
    """
    if from_unit == to_unit:
        return values
    src, dst = parse_unit(from_unit, registry), parse_unit(to_unit, registry)
    try:
        out = registry.Quantity(values, src).to(dst).magnitude
    except pint.errors.DimensionalityError:
        where = f" for {what}" if what else ""
        raise UnitError(
            f"cannot convert {from_unit!r} to {to_unit!r}{where}: the dimensions differ "
            f"({registry.Quantity(1, src).dimensionality} vs "
            f"{registry.Quantity(1, dst).dimensionality}); money in another currency needs an "
            "FX adjuster, other values the unit the indicator declares"
        ) from None
    return np.asarray(out, dtype=np.float64)
