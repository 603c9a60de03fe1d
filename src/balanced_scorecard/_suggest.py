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
    >>> did_you_mean("zzz", ["polarity"])
    ''
    """
    matches = difflib.get_close_matches(name, sorted(set(choices)), n=n, cutoff=0.6)
    if not matches:
        return ""
    quoted = " or ".join(f"'{m}'" for m in matches)
    return f" Did you mean {quoted}?"
