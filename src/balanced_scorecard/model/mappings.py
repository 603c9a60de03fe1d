"""Fact mappings: how a source's raw fact rows (order lines, tickets, survey answers) become
indicator values.

A mapping is data, not code: which column holds the date, the org-unit code and the unit, a
code table from source codes to org units, filters, and one rule per indicator saying how
the facts of an (org unit, period) become its value (count, sum, distinct count, mean, min,
max, or the ratio of two filtered counts or sums). The same mapping runs on pandas, Polars,
DuckDB or Dask through narwhals, or inside a database as SQL (see
:mod:`balanced_scorecard.data.raw_facts`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from balanced_scorecard.exceptions import ModelError
from balanced_scorecard.model._convert import FrozenMap, freeze, thaw

__all__ = [
    "OPERATORS",
    "TRANSFORMS",
    "Condition",
    "FactMapping",
    "FactRule",
    "conditions_to_dict",
    "to_conditions",
]

#: Comparison operators a filter may use (``in`` and ``not_in`` take a list).
OPERATORS = ("eq", "ne", "lt", "le", "gt", "ge", "in", "not_in", "is_null", "not_null")

#: How the facts of one (org unit, period) become one value.
TRANSFORMS = ("count", "sum", "distinct", "mean", "min", "max", "ratio")

# Transforms that read a value column (``count`` and ``ratio`` may, ``distinct`` must).
_NEEDS_VALUE = ("sum", "distinct", "mean", "min", "max")


@attrs.frozen(kw_only=True)
class Condition:
    """One comparison of a fact column with a constant: ``column op value``.

    The constant is bound as data on every engine (a literal in a dataframe expression, a
    parameter in SQL), never pasted into code.

    Examples
    --------
    >>> Condition(column="status", op="ne", value="cancelled")
    Condition(column='status', op='ne', value='cancelled')
    >>> Condition(column="status", op="like", value="x")
    Traceback (most recent call last):
    ...
    balanced_scorecard.exceptions.ModelError: filter on column 'status': unknown operator 'like'...
    """

    column: str
    op: str = "eq"
    value: Any = attrs.field(default=None, converter=freeze)

    def __attrs_post_init__(self) -> None:
        if self.op not in OPERATORS:
            raise ModelError(
                f"filter on column {self.column!r}: unknown operator {self.op!r}; use one "
                f"of {', '.join(OPERATORS)}"
            )
        if self.op in ("in", "not_in") and not isinstance(self.value, tuple):
            raise ModelError(
                f"filter on column {self.column!r}: {self.op!r} needs a list of values, got "
                f"{thaw(self.value)!r}"
            )

    def describe(self) -> str:
        """The condition as short text, for lineage and messages."""
        if self.op == "is_null":
            return f"{self.column} is missing"
        if self.op == "not_null":
            return f"{self.column} is present"
        symbol = {"eq": "=", "ne": "!=", "lt": "<", "le": "<=", "gt": ">", "ge": ">="}
        if self.op in symbol:
            return f"{self.column} {symbol[self.op]} {self.value!r}"
        word = "in" if self.op == "in" else "not in"
        return f"{self.column} {word} {list(self.value)!r}"


def to_conditions(value: Any) -> tuple[Condition, ...]:
    """Filters as conditions, from the forms a definition file may use.

    A mapping ``{column: test}`` where a test is a constant (equality), a list (membership)
    or ``{operator: constant}``; or a list of such mappings / :class:`Condition` objects
    (all must hold).

    Examples
    --------
    >>> [c.describe() for c in to_conditions({"status": {"ne": "void"}, "region": ["N", "S"]})]
    ["status != 'void'", "region in ['N', 'S']"]
    >>> [c.describe() for c in to_conditions({"on_time": True})]
    ['on_time = True']
    """
    if value is None:
        return ()
    if isinstance(value, Condition):
        return (value,)
    if isinstance(value, Mapping | FrozenMap):
        items = thaw(value).items() if isinstance(value, FrozenMap) else value.items()
        out: list[Condition] = []
        for column, test in items:
            test = thaw(test)
            if isinstance(test, dict):
                if not test:
                    raise ModelError(f"filter on column {column!r} is empty; write {{ne: value}}")
                out.extend(
                    Condition(column=str(column), op=str(op), value=v) for op, v in test.items()
                )
            elif isinstance(test, list | tuple):
                out.append(Condition(column=str(column), op="in", value=list(test)))
            else:
                out.append(Condition(column=str(column), op="eq", value=test))
        return tuple(out)
    if isinstance(value, Iterable) and not isinstance(value, str):
        return tuple(c for item in value for c in to_conditions(item))
    raise ModelError(
        f"a filter must be a mapping of column to value or {{operator: value}}, got {value!r}"
    )


@attrs.frozen(kw_only=True)
class FactRule:
    """How the facts of one (org unit, period) become the value of ``indicator``.

    Parameters
    ----------
    indicator
        The indicator id the values are for.
    transform
        ``count`` (rows), ``sum``/``mean``/``min``/``max`` (of ``value``), ``distinct``
        (number of different ``value``\\ s, e.g. active customers), or ``ratio``: the rows
        (or sum of ``value``) meeting ``numerator`` over all rows (or sum) meeting ``where``,
        e.g. on-time deliveries / deliveries. A ratio keeps its numerator and denominator,
        so longer periods and parent units get the ratio of sums.
    value
        The column summed, averaged or counted distinct.
    where
        Only facts meeting these conditions count for this indicator.
    numerator
        For ``ratio``: the extra conditions of the numerator's rows.
    unit
        The unit of the values (default: the mapping's unit column, else the indicator's
        declared unit). A ratio's unit is its indicator's.

    Examples
    --------
    >>> FactRule(indicator="on_time", transform="ratio", numerator={"late": False}).describe()
    'rows where late = False / rows'
    >>> FactRule(indicator="revenue", transform="sum", value="amount").describe()
    'sum of amount'
    """

    indicator: str
    transform: str = "sum"
    value: str | None = None
    where: tuple[Condition, ...] = attrs.field(default=(), converter=to_conditions)
    numerator: tuple[Condition, ...] = attrs.field(default=(), converter=to_conditions)
    unit: str | None = None

    def __attrs_post_init__(self) -> None:
        where = f"mapping rule for indicator {self.indicator!r}"
        if self.transform not in TRANSFORMS:
            raise ModelError(
                f"{where}: unknown transform {self.transform!r}; use one of {', '.join(TRANSFORMS)}"
            )
        if self.transform in _NEEDS_VALUE and not self.value:
            raise ModelError(f"{where}: transform {self.transform!r} needs `value: <column>`")
        if self.transform == "ratio" and not self.numerator:
            raise ModelError(
                f"{where}: a ratio needs `numerator:` conditions (e.g. {{on_time: true}})"
            )
        if self.transform != "ratio" and self.numerator:
            raise ModelError(f"{where}: `numerator` only applies to transform 'ratio'")

    def describe(self) -> str:
        """The rule as short text (``sum of amount where status != 'void'``)."""
        what = "rows" if self.value is None else f"sum of {self.value}"
        if self.transform == "count":
            text = "count of rows"
        elif self.transform == "distinct":
            text = f"distinct {self.value}"
        elif self.transform == "ratio":
            num = " and ".join(c.describe() for c in self.numerator)
            text = f"{what} where {num} / {what}"
        else:
            text = f"{self.transform} of {self.value}"
        if self.where:
            text += " where " + " and ".join(c.describe() for c in self.where)
        return text


def conditions_to_dict(conditions: Iterable[Condition]) -> dict[str, Any]:
    """Conditions in the definition-file form ``{column: {operator: value}}``.

    Examples
    --------
    >>> conditions_to_dict(to_conditions({"status": {"ne": "void"}, "region": ["N"]}))
    {'status': {'ne': 'void'}, 'region': {'in': ['N']}}
    """
    out: dict[str, dict[str, Any]] = {}
    for c in conditions:
        out.setdefault(c.column, {})[c.op] = thaw(c.value)
    return out


def _to_rules(value: Any) -> tuple[FactRule, ...]:
    if isinstance(value, FactRule):
        return (value,)
    if isinstance(value, Mapping):
        return (FactRule(**{str(k): thaw(v) for k, v in value.items()}),)
    return tuple(r for item in value for r in _to_rules(item))


def _to_codes(value: Any) -> tuple[tuple[str, str], ...]:
    if value is None:
        return ()
    items = thaw(value).items() if isinstance(value, FrozenMap | Mapping) else value
    return tuple((str(k), str(v)) for k, v in items)


@attrs.frozen(kw_only=True)
class FactMapping:
    """Raw fact rows to indicator values: columns, code tables, filters and rules.

    Parameters
    ----------
    date
        The column with each fact's date or timestamp (date, datetime or ISO text).
    rules
        One :class:`FactRule` per indicator (``rules:`` in a definition file).
    org_unit
        The column with the org-unit code. Without one, every fact belongs to
        ``default_org_unit``.
    org_codes
        Code table from source codes to org-unit ids (``{"P01": "plant-north"}``). Without
        one, codes are taken as ids. Facts with a code that is neither are counted in the
        quality report with the code, never dropped silently.
    default_org_unit
        The org unit of facts without an ``org_unit`` column.
    unit
        The column with each fact's unit or currency (``EUR``); values in different units are
        kept apart and converted later like any observation.
    where
        Conditions every fact must meet (e.g. ``{status: {ne: cancelled}}``); the number of
        facts they leave out is reported.
    timezone
        The organisation's time zone: timestamps are placed in the day (and so the period)
        they fall on there. Time-zone-aware columns carry their own zone; naive timestamps
        are taken to be in ``source_timezone``.
    source_timezone
        The zone of naive timestamps (default: UTC when ``timezone`` is set; otherwise naive
        timestamps are already local).
    stamp
        ``event`` (default): the date is when the fact happened. ``end``: the date is the
        boundary that closes the fact's period (a month stamped ``2025-02-01 00:00`` is
        January), so it is moved back one day before bucketing.
    reporting_lag
        Days after a period's end until its facts are reported; sets each value's ``as_of``,
        so "as known at" evaluations leave out what was not known yet.

    Examples
    --------
    >>> m = FactMapping(
    ...     date="shipped",
    ...     org_unit="plant",
    ...     org_codes={"P1": "north"},
    ...     rules=[{"indicator": "deliveries", "transform": "count"}],
    ... )
    >>> m.org_code_table
    {'P1': 'north'}
    >>> m.rules[0].describe()
    'count of rows'
    """

    date: str
    rules: tuple[FactRule, ...] = attrs.field(converter=_to_rules)
    org_unit: str | None = None
    org_codes: tuple[tuple[str, str], ...] = attrs.field(default=(), converter=_to_codes)
    default_org_unit: str | None = None
    unit: str | None = None
    where: tuple[Condition, ...] = attrs.field(default=(), converter=to_conditions)
    timezone: str | None = None
    source_timezone: str | None = None
    stamp: str = "event"
    reporting_lag: int | None = None

    def __attrs_post_init__(self) -> None:
        if not self.rules:
            raise ModelError("a fact mapping needs at least one rule under `rules:`")
        if self.org_unit is None and self.default_org_unit is None:
            raise ModelError(
                "a fact mapping needs `org_unit: <column>` or `default_org_unit: <unit id>`"
            )
        if self.stamp not in ("event", "end"):
            raise ModelError(f"stamp must be 'event' or 'end', got {self.stamp!r}")
        if self.reporting_lag is not None and self.reporting_lag < 0:
            raise ModelError(f"reporting_lag must be zero or more days, got {self.reporting_lag}")
        for zone in (self.timezone, self.source_timezone):
            if zone is not None:
                _check_zone(zone)
        seen: set[str] = set()
        for rule in self.rules:
            if rule.indicator in seen:
                raise ModelError(
                    f"indicator {rule.indicator!r} has two mapping rules in one source; "
                    "combine their conditions or use two sources"
                )
            seen.add(rule.indicator)

    def to_dict(self) -> dict[str, Any]:
        """Plain data in the definition-file form (what differs from the defaults).

        Examples
        --------
        >>> FactMapping(date="d", default_org_unit="all",
        ...             rules=[{"indicator": "n", "transform": "count"}]).to_dict()
        ... # doctest: +NORMALIZE_WHITESPACE
        {'date': 'd', 'rules': [{'indicator': 'n', 'transform': 'count'}],
         'default_org_unit': 'all'}
        """
        out: dict[str, Any] = {}
        for a in attrs.fields(FactMapping):
            value = getattr(self, a.name)
            if a.name == "rules":
                out["rules"] = [_rule_dict(r) for r in value]
            elif value == a.default or value == ():
                continue
            elif a.name == "where":
                out["where"] = conditions_to_dict(value)
            elif a.name == "org_codes":
                out["org_codes"] = dict(value)
            else:
                out[a.name] = value
        return out

    def describe(self, indicator: str) -> str:
        """How the mapping computes ``indicator``, its own filter included ("" if it does
        not).

        Examples
        --------
        >>> m = FactMapping(date="d", default_org_unit="all", where={"status": {"ne": "void"}},
        ...                 rules=[{"indicator": "rev", "transform": "sum", "value": "amount"}])
        >>> m.describe("rev")
        "sum of amount; facts where status != 'void'"
        """
        for rule in self.rules:
            if rule.indicator == indicator:
                text = rule.describe()
                if self.where:
                    text += "; facts where " + " and ".join(c.describe() for c in self.where)
                return text
        return ""

    @property
    def org_code_table(self) -> dict[str, str]:
        """The org-unit code table as a dict."""
        return dict(self.org_codes)

    @property
    def columns(self) -> tuple[str, ...]:
        """Every source column the mapping reads, in a stable order."""
        names: list[str] = [self.date]
        names += [c for c in (self.org_unit, self.unit) if c]
        names += [c.column for c in self.where]
        for rule in self.rules:
            names += [c for c in (rule.value,) if c]
            names += [c.column for c in (*rule.where, *rule.numerator)]
        return tuple(dict.fromkeys(names))


def _rule_dict(rule: FactRule) -> dict[str, Any]:
    out: dict[str, Any] = {"indicator": rule.indicator, "transform": rule.transform}
    for name in ("value", "unit"):
        if getattr(rule, name) is not None:
            out[name] = getattr(rule, name)
    for name in ("where", "numerator"):
        if getattr(rule, name):
            out[name] = conditions_to_dict(getattr(rule, name))
    return out


def _to_mapping(value: Any) -> FactMapping | None:
    """Converter for :attr:`DataSource.mapping`: a mapping's plain data or the object."""
    if value is None or isinstance(value, FactMapping):
        return value
    return FactMapping(**{str(k): thaw(v) for k, v in dict(value).items()})


def _check_zone(zone: str) -> None:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ModelError(
            f"unknown time zone {zone!r}; use an IANA name such as 'Europe/Berlin' or 'UTC'"
        ) from exc
