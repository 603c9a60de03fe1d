"""Findings: what a design check noticed about a scorecard, as objects and as a frame.

Every check of :mod:`balanced_scorecard.algorithms.structure`,
:mod:`~balanced_scorecard.algorithms.alignment`,
:mod:`~balanced_scorecard.algorithms.accountability` and
:mod:`~balanced_scorecard.algorithms.balance` returns :class:`Finding` objects.
"""

from __future__ import annotations

import html
from collections.abc import Collection, Iterable, Mapping
from enum import StrEnum

import attrs
import pandas as pd

from balanced_scorecard._suggest import did_you_mean
from balanced_scorecard.exceptions import UnknownMethodError
from balanced_scorecard.model._convert import str_tuple

__all__ = ["Finding", "Findings", "Severity", "findings_frame", "select_rules"]


class Severity(StrEnum):
    """How much a finding matters: errors first, information last."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


_RANK = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}
_FRAME_COLUMNS = ("severity", "rule", "nodes", "org_units", "message", "fix")


@attrs.frozen(kw_only=True)
class Finding:
    """One thing :func:`lint` noticed about a scorecard's design.

    Examples
    --------
    >>> f = Finding(rule="objective-without-owner", severity=Severity.WARNING,
    ...             message="objective 'grow' has no owner", nodes=("grow",),
    ...             fix="assign an owner to 'grow'")
    >>> print(f)
    warning [objective-without-owner] objective 'grow' has no owner (fix: assign an owner to 'grow')
    """

    rule: str
    severity: Severity = attrs.field(converter=Severity)
    message: str
    nodes: tuple[str, ...] = attrs.field(default=(), converter=str_tuple)
    org_units: tuple[str, ...] = attrs.field(default=(), converter=str_tuple)
    fix: str = ""

    def __str__(self) -> str:
        text = f"{self.severity} [{self.rule}] {self.message}"
        return f"{text} (fix: {self.fix})" if self.fix else text


def findings_frame(findings: Iterable[Finding]) -> pd.DataFrame:
    """Findings as a frame, errors first, then by rule name (ties keep their order).

    Columns are ``severity``, ``rule``, ``nodes`` and ``org_units`` (comma-joined ids),
    ``message`` and ``fix``; an empty input gives an empty frame with those columns.

    Examples
    --------
    >>> df = findings_frame([
    ...     Finding(rule="b-rule", severity="info", message="m1", nodes=("x", "y")),
    ...     Finding(rule="a-rule", severity="warning", message="m2")])
    >>> df[["severity", "rule", "nodes"]].to_numpy().tolist()
    [['warning', 'a-rule', ''], ['info', 'b-rule', 'x, y']]
    >>> list(findings_frame([]).columns)
    ['severity', 'rule', 'nodes', 'org_units', 'message', 'fix']
    """
    ordered = sorted(findings, key=lambda f: (_RANK[f.severity], f.rule))
    rows = [
        (f.severity.value, f.rule, ", ".join(f.nodes), ", ".join(f.org_units), f.message, f.fix)
        for f in ordered
    ]
    return pd.DataFrame(rows, columns=list(_FRAME_COLUMNS)).astype(str)


def select_rules(
    registry: Mapping[str, object], rules: Collection[str] | str | None, what: str
) -> list[str]:
    """The rule ids of ``registry`` that ``rules`` asks for (all when ``None``), in registry
    order; an unknown id is an error naming the choices.

    Examples
    --------
    >>> select_rules({"a-rule": 1, "b-rule": 2}, {"b-rule"}, "lint")
    ['b-rule']
    >>> select_rules({"a-rule": 1}, "a-rul", "lint")
    Traceback (most recent call last):
    ...
    balanced_scorecard.exceptions.UnknownMethodError: unknown lint rule 'a-rul'; ...
    """
    if rules is None:
        return list(registry)
    wanted = {rules} if isinstance(rules, str) else set(rules)
    for name in sorted(wanted):
        if name not in registry:
            raise UnknownMethodError(
                f"unknown {what} rule {name!r}; choose from {', '.join(registry)}."
                + did_you_mean(name, registry)
            )
    return [name for name in registry if name in wanted]


class Findings(list[Finding]):
    """The findings of a design check: a plain list of :class:`Finding` that also prints one
    per line, gives a frame and shows as a table in notebooks.

    Examples
    --------
    >>> fs = Findings([Finding(rule="r", severity="info", message="<b>x</b>", nodes=("n",))])
    >>> print(fs)
    info [r] <b>x</b>
    >>> "&lt;b&gt;x&lt;/b&gt;" in fs._repr_html_()
    True
    """

    @property
    def frame(self) -> pd.DataFrame:
        """The findings as :func:`findings_frame` lays them out."""
        return findings_frame(self)

    def __str__(self) -> str:
        return "\n".join(str(f) for f in self)

    def _repr_html_(self) -> str:
        if not self:
            return "<p>No findings.</p>"
        head = "".join(f"<th>{c}</th>" for c in ("severity", "rule", "nodes", "message", "fix"))
        rows = "".join(
            "<tr>"
            + "".join(
                f"<td>{html.escape(str(v))}</td>"
                for v in (f.severity.value, f.rule, ", ".join(f.nodes), f.message, f.fix)
            )
            + "</tr>"
            for f in self
        )
        return (
            f'<table class="bsc-findings"><thead><tr>{head}</tr></thead>'
            f"<tbody>{rows}</tbody></table>"
        )
