"""Checking one mapping of the document against its section's field table.

A :class:`Checker` collects every problem instead of stopping at the first, and returns the
values it could convert, so one run reports all that is wrong with a document.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Collection, Mapping
from typing import Any, Final

from balanced_scorecard._suggest import did_you_mean
from balanced_scorecard.algorithms.scoring import ScoringMethod, validate_params
from balanced_scorecard.exceptions import ModelError, Problem
from balanced_scorecard.model.indicators import Scoring
from balanced_scorecard.model.weights import Weight
from balanced_scorecard.units import unit_problem

from ._spec import SECTIONS, Field, Section

__all__ = ["INVALID", "Checker", "show"]

#: Returned for a value that could not be converted (a problem has been recorded).
INVALID: Final = object()

_EXPECTED = {
    "string": "a string",
    "number": "a number",
    "integer": "an integer",
    "boolean": "true or false",
    "strings": "a string or a list of strings",
    "period": "a period label such as '2025-03'",
    "weight": "a number or a mapping {value, changes}",
    "scoring": "a scoring method name or a mapping {method: ..., <params>}",
    "mapping": "a mapping",
    "sign": "'+' or '-'",
    "section": "a mapping",
    "sections": "a list",
}


def show(value: Any) -> str:
    """A value as the document author wrote it, for messages.

    Examples
    --------
    >>> show("abc"), show(None), show(True), show([1]), show(2.5)
    ("'abc'", 'null', 'true', 'a list', '2.5')
    """
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return repr(value if len(value) <= 60 else value[:57] + "...")
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, dt.date):
        return f"the date {value.isoformat()}"
    return repr(value)


def _dates_as_text(value: Any) -> Any:
    # YAML and TOML read 2025-01-01 as a date; params and options keep ISO text instead, so
    # they compare equal across formats and can be written as JSON.
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {k: _dates_as_text(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_dates_as_text(v) for v in value]
    return value


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


class Checker:
    """Collects problems while converting document values; see :meth:`mapping`."""

    def __init__(
        self,
        *,
        source: str | None,
        lines: Mapping[str, int] | None,
        scoring_methods: Mapping[str, ScoringMethod],
        rollup_methods: Collection[str],
    ) -> None:
        self.source = source
        self.lines = lines or {}
        self.scoring_methods = scoring_methods
        self.rollup_methods = tuple(rollup_methods)
        self.problems: list[Problem] = []

    def line(self, path: str) -> int | None:
        """Line of ``path``, or of its nearest ancestor that has one."""
        while True:
            if path in self.lines:
                return self.lines[path]
            if not path:
                return None
            cut = max(path.rfind("."), path.rfind("["))
            path = path[: max(cut, 0)]

    def add(self, path: str, message: str) -> None:
        """Record a problem at ``path`` of the document."""
        self.problems.append(
            Problem(path=path, message=message, source=self.source, line=self.line(path))
        )

    def expected(self, path: str, kind: str, value: Any) -> object:
        """Record a wrong-type problem and return :data:`INVALID`."""
        hint = ""
        if kind == "string" and _is_number(value):
            hint = f"; quote it: '{value}'"
        elif value is None:
            hint = "; give a value or remove the key"
            if kind == "string":
                hint += " (in YAML, '#' starts a comment: quote a value that holds one)"
        self.add(path, f"expected {_EXPECTED[kind]}, got {show(value)}{hint}")
        return INVALID

    # -- mappings -------------------------------------------------------------------------

    def mapping(
        self, value: Any, section: Section, path: str, *, extra: Collection[str] = ()
    ) -> dict[str, Any] | None:
        """Check a mapping against ``section``: unknown and missing keys, each value's type.

        Returns the converted values of the valid keys (absent keys stay absent), or ``None``
        when ``value`` is not a mapping. Keys in ``extra`` are allowed and passed through.
        """
        if not isinstance(value, Mapping):
            keys = ", ".join(f.name for f in section.fields if f.required) or "..."
            self.add(
                path,
                f"expected a mapping ({section.title.lower()} with keys such as "
                f"{keys}), got {show(value)}",
            )
            return None
        out: dict[str, Any] = {}
        allowed = (*section.names, *extra)
        for raw_key, raw in value.items():
            key = str(raw_key)
            child = f"{path}.{key}" if path else key
            if key in extra:
                out[key] = raw
            elif key not in section.names:
                hint = did_you_mean(key, allowed) or f" Allowed keys: {', '.join(allowed)}."
                self.add(child, f"unknown key {key!r} in {section.title.lower()}.{hint}")
            else:
                converted = self.value(section.field(key), raw, child)
                if converted is not INVALID:
                    out[key] = converted
        for f in section.fields:
            if f.required and f.name not in {str(k) for k in value}:
                self.add(path, f"missing required key {f.name!r} ({f.description})")
        return out

    def items(self, value: Any, path: str) -> list[tuple[str, Any]]:
        """``(path, item)`` for each item of a list (a problem if ``value`` is no list)."""
        if not isinstance(value, list | tuple):
            self.expected(path, "sections", value)
            return []
        return [(f"{path}[{i}]", item) for i, item in enumerate(value)]

    # -- values ---------------------------------------------------------------------------

    def value(self, f: Field, value: Any, path: str) -> Any:
        """The converted value of field ``f``, or :data:`INVALID` after recording why not."""
        if value is None:
            return None if f.nullable else self.expected(path, f.kind, value)
        if f.choices and f.kind == "string" and not isinstance(value, str):
            return self._not_allowed(path, f.name, value, [str(c) for c in f.choices])
        out = self._convert(f, value, path)
        if out is INVALID:
            return out
        if f.choices and out not in f.choices:
            return self._not_allowed(path, f.name, value, [str(c) for c in f.choices])
        if f.registry == "rollup" and out not in self.rollup_methods:
            return self._not_allowed(path, "rollup method", value, self.rollup_methods)
        number = out.value if isinstance(out, Weight) else out
        if _is_number(number) and not self._in_range(f, number, path):
            return INVALID
        if f.name == "unit" and f.kind == "string":
            problem = unit_problem(out)
            if problem is not None:
                self.add(path, problem)
                return INVALID
        return out

    def _not_allowed(self, path: str, what: str, value: Any, allowed: Collection[str]) -> object:
        self.add(
            path,
            f"{show(value)} is not a known {what}.{did_you_mean(str(value), allowed)}"
            f" Allowed values: {', '.join(allowed)}.",
        )
        return INVALID

    def _in_range(self, f: Field, number: float, path: str) -> bool:
        if f.minimum is not None and number < f.minimum:
            self.add(path, f"{f.name} must be >= {f.minimum:g}, got {number!r}")
            return False
        if f.maximum is not None and number > f.maximum:
            self.add(path, f"{f.name} must be <= {f.maximum:g}, got {number!r}")
            return False
        return True

    def _convert(self, f: Field, value: Any, path: str) -> Any:
        kind = f.kind
        if kind == "string":
            return value if isinstance(value, str) else self.expected(path, kind, value)
        if kind == "number":
            return self.number(value, path)
        if kind == "integer":
            if _is_number(value) and float(value).is_integer():
                return int(value)
            return self.expected(path, kind, value)
        if kind == "boolean":
            return value if isinstance(value, bool) else self.expected(path, kind, value)
        if kind == "strings":
            return self.strings(value, path)
        if kind == "period":
            return self.period(value, path)
        if kind == "weight":
            return self.weight(value, path)
        if kind == "scoring":
            return self.scoring(value, path)
        if kind == "sign":
            # 1 == True in Python, so a boolean must not pass as a sign.
            if isinstance(value, bool) or value not in f.choices:
                return self._not_allowed(path, "link sign", value, [str(c) for c in f.choices])
            return value
        if kind in ("mapping", "section"):
            if not isinstance(value, Mapping):
                return self.expected(path, kind, value)
            return _dates_as_text(value) if kind == "mapping" else value
        if not isinstance(value, list | tuple):
            return self.expected(path, kind, value)
        return list(value)

    def number(self, value: Any, path: str) -> Any:
        """A finite number."""
        if not _is_number(value):
            return self.expected(path, "number", value)
        if not math.isfinite(value):
            self.add(path, f"expected a finite number, got {value!r}")
            return INVALID
        return value

    def strings(self, value: Any, path: str) -> Any:
        """One string or a list of strings, as a tuple."""
        if isinstance(value, str):
            return (value,)
        if not isinstance(value, list | tuple):
            return self.expected(path, "strings", value)
        bad = [i for i, v in enumerate(value) if not isinstance(v, str)]
        for i in bad:
            self.expected(f"{path}[{i}]", "string", value[i])
        return INVALID if bad else tuple(value)

    def period(self, value: Any, path: str) -> Any:
        """A period label; YAML and TOML dates become ISO text, whole numbers a year label."""
        if isinstance(value, dt.datetime):
            return value.date().isoformat()
        if isinstance(value, dt.date):
            return value.isoformat()
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        if isinstance(value, str) and value.strip():
            return value.strip()
        return self.expected(path, "period", value)

    def weight(self, value: Any, path: str) -> Any:
        """A :class:`Weight` from a number or ``{value, changes}``."""
        if _is_number(value):
            number = self.number(value, path)
            if number is INVALID:
                return INVALID
            if number < 0:
                self.add(path, f"weight must be >= 0, got {number!r}")
                return INVALID
            return Weight(value=number)
        if not isinstance(value, Mapping):
            return self.expected(path, "weight", value)
        vals = self.mapping(value, SECTIONS["weight"], path)
        if vals is None or len(vals) != len(value):
            return INVALID
        changes: list[tuple[str, float]] = []
        ok = True
        for key, w in vals.get("changes", {}).items():
            at = f"{path}.changes.{key}"
            label, number = self.period(key, at), self.number(w, at)
            if label is INVALID or number is INVALID:
                ok = False
            elif number < 0:
                self.add(at, f"weight must be >= 0, got {number!r}")
                ok = False
            else:
                changes.append((label, number))
        if not ok:
            return INVALID
        try:
            return Weight(value=vals.get("value", 1.0), changes=changes)
        except ModelError as exc:
            self.add(path, str(exc))
            return INVALID

    def scoring(self, value: Any, path: str) -> Any:
        """A :class:`Scoring` from a method name or ``{method, allow_overflow, <params>}``."""
        if isinstance(value, str):
            name, params, overflow = value, {}, False
        elif isinstance(value, Mapping):
            method = self.scoring_methods.get(str(value.get("method")))
            # With an unknown method its params cannot be judged: only the method is reported.
            section = SECTIONS["scoring"]
            extra = (
                [str(k) for k in value if str(k) not in section.names]
                if method is None
                else method.params
            )
            vals = self.mapping(value, section, path, extra=extra)
            if vals is None or "method" not in vals:
                return INVALID
            name, overflow = vals["method"], vals.get("allow_overflow", False)
            params = {
                k: _dates_as_text(v)
                for k, v in vals.items()
                if k not in ("method", "allow_overflow")
            }
            if len(vals) != len(value):
                return INVALID
        else:
            return self.expected(path, "scoring", value)
        method = self.scoring_methods.get(name)
        if method is None:
            at = f"{path}.method" if isinstance(value, Mapping) else path
            return self._not_allowed(at, "scoring method", name, list(self.scoring_methods))
        messages = validate_params(method, params)
        for message in messages:
            self.add(path, message)
        if messages:
            return INVALID
        return Scoring(method=name, params=params, allow_overflow=overflow)
