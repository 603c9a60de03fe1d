"""Causal links of the strategy map: cause -> effect with a sign, a weight and a lag."""

from __future__ import annotations

from typing import Any

import attrs

from balanced_scorecard.exceptions import ModelError

__all__ = ["CausalLink"]

_SIGNS = {"+": 1, "positive": 1, "1": 1, "+1": 1, "-": -1, "negative": -1, "-1": -1}


def _sign(value: Any) -> int:
    key = str(value).strip().lower()
    if key not in _SIGNS:
        raise ModelError(f"link sign {value!r} is not one of '+', '-', 1, -1")
    return _SIGNS[key]


@attrs.frozen(kw_only=True)
class CausalLink:
    """A hypothesis of the strategy map: ``cause`` drives ``effect``.

    ``cause`` and ``effect`` are objective or indicator ids. ``sign`` is +1 when more of the
    cause means more of the effect; ``lag`` is in review periods. A cycle of links is only
    allowed when every link in it is marked ``feedback``.

    Examples
    --------
    >>> CausalLink(cause="training", effect="quality", sign="+", lag=2).sign
    1
    """

    cause: str
    effect: str
    sign: int = attrs.field(default=1, converter=_sign)
    weight: float = attrs.field(default=1.0, converter=float)
    lag: int = attrs.field(default=0, converter=int)
    feedback: bool = False
    description: str = ""

    def __attrs_post_init__(self) -> None:
        if self.cause == self.effect:
            raise ModelError(f"link {self.cause!r} -> {self.effect!r} points at itself")
        if self.lag < 0:
            raise ModelError(
                f"link {self.cause!r} -> {self.effect!r} has lag {self.lag}; lags are >= 0 periods"
            )
        if self.weight < 0:
            raise ModelError(
                f"link {self.cause!r} -> {self.effect!r} has weight {self.weight}; "
                "use sign: '-' for a negative effect and a weight >= 0"
            )
