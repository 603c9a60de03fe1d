"""How the design checks word their findings: one implementation of each small phrasing helper
that :mod:`~balanced_scorecard.algorithms.structure`, the accountability, alignment and balance
rules share, so their messages read alike.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from balanced_scorecard.algorithms.findings import Finding, Severity

__all__ = ["finding", "names", "number", "pct"]


def names(ids: Iterable[str]) -> str:
    """``'a', 'b'``: ids quoted and comma-separated, as messages list them."""
    return ", ".join(repr(i) for i in ids)


def number(x: float) -> str:
    """A number as messages show it: up to 10 significant digits, no grouping."""
    # Rounding hides float noise (0.1 + 0.2) without hiding a real miss of 1e-7.
    return format(round(x, 9), ".10g")


def pct(x: float) -> str:
    """A share as a whole percentage, ``n/a`` when it is NaN or infinite."""
    return f"{x:.0%}" if math.isfinite(x) else "n/a"


def finding(
    rule: str,
    message: str,
    nodes: Iterable[str],
    fix: str,
    *,
    org_units: Iterable[str] = (),
    severity: Severity = Severity.WARNING,
) -> Finding:
    """A :class:`~balanced_scorecard.algorithms.findings.Finding`, warning by default."""
    return Finding(
        rule=rule, severity=severity, message=message, nodes=nodes, org_units=org_units, fix=fix
    )
