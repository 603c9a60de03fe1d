"""'Did you mean' suggestions for error messages about unknown names."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

__all__ = ["did_you_mean"]


def did_you_mean(name: str, choices: Iterable[str], *, n: int = 1) -> str:
    """Return ``" Did you mean 'x'?"`` for the closest choice, or ``""`` when none is close.

    Examples
    --------
    >>> did_you_mean("polarty", ["polarity", "unit"])
    " Did you mean 'polarity'?"
    >>> did_you_mean("p2", ["P2", "P3"])
    " Did you mean 'P2'?"
    >>> did_you_mean("zzz", ["polarity"])
    ''
    """
    options = sorted(set(choices))
    # A difference of case only is the likeliest slip of all, whatever difflib's ratio says.
    matches = [c for c in options if c.casefold() == name.casefold() and c != name][:n]
    matches = matches or difflib.get_close_matches(name, options, n=n, cutoff=0.6)
    if not matches:
        return ""
    quoted = " or ".join(f"'{m}'" for m in matches)
    return f" Did you mean {quoted}?"
