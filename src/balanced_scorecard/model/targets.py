"""Targets, thresholds and status bands: what an indicator's actual value is compared with."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import attrs

from balanced_scorecard.exceptions import ModelError
from balanced_scorecard.model._convert import to_tuple
from balanced_scorecard.model.enums import Polarity

__all__ = [
    "DEFAULT_STATUS_BANDS",
    "THRESHOLD_FIELDS",
    "StatusBand",
    "Target",
    "TargetSet",
    "Thresholds",
    "threshold_order_problems",
]

#: The value fields a target or threshold row may carry.
THRESHOLD_FIELDS = ("baseline", "red_flag", "target", "stretch", "lower", "upper")


def _opt_float(value: Any) -> float | None:
    if value is None:
        return None
    out = float(value)
    if math.isnan(out):
        return None
    return out


def threshold_order_problems(values: dict[str, float | None], polarity: Polarity) -> list[str]:
    """Explain every ordering rule the threshold values break, for the given polarity.

    Higher-better needs ``red_flag < target <= stretch``; lower-better the mirror
    ``red_flag > target >= stretch``; in-range needs ``lower < upper``.

    Examples
    --------
    >>> for p in threshold_order_problems({"red_flag": 700, "target": 500},
    ...                                   Polarity.HIGHER_BETTER):
    ...     print(p)  # doctest: +NORMALIZE_WHITESPACE
    red_flag (700.0) must be below target (500.0) for a higher_better indicator; swap them or
    set polarity: lower_better
    >>> threshold_order_problems({"red_flag": 700, "target": 500}, Polarity.LOWER_BETTER)
    []
    """
    v = {k: (None if x is None else float(x)) for k, x in values.items()}
    out: list[str] = []
    rf, tg, st = v.get("red_flag"), v.get("target"), v.get("stretch")
    if polarity is Polarity.IN_RANGE:
        lo, up = v.get("lower"), v.get("upper")
        if lo is not None and up is not None and not lo < up:
            out.append(f"lower ({lo}) must be below upper ({up}) for an in_range indicator")
        return out
    higher = polarity is Polarity.HIGHER_BETTER
    word, fix = ("below", "lower_better") if higher else ("above", "higher_better")
    if rf is not None and tg is not None and (rf >= tg if higher else rf <= tg):
        out.append(
            f"red_flag ({rf}) must be {word} target ({tg}) for a {polarity.value} indicator; "
            f"swap them or set polarity: {fix}"
        )
    if st is not None and tg is not None and (st < tg if higher else st > tg):
        out.append(
            f"stretch ({st}) must not be {word} target ({tg}) for a {polarity.value} indicator"
        )
    return out


@attrs.frozen(kw_only=True)
class Thresholds:
    """Default comparison values of an indicator, used where no period target applies.

    ``target`` is Spider Impact's "goal". ``lower``/``upper`` bound the good range of an
    in-range indicator.

    Examples
    --------
    >>> Thresholds(target=700, red_flag=500).as_dict()["target"]
    700.0
    """

    baseline: float | None = attrs.field(default=None, converter=_opt_float)
    red_flag: float | None = attrs.field(default=None, converter=_opt_float)
    target: float | None = attrs.field(default=None, converter=_opt_float)
    stretch: float | None = attrs.field(default=None, converter=_opt_float)
    lower: float | None = attrs.field(default=None, converter=_opt_float)
    upper: float | None = attrs.field(default=None, converter=_opt_float)

    def as_dict(self) -> dict[str, float | None]:
        """The six fields as a plain dict."""
        return {f: getattr(self, f) for f in THRESHOLD_FIELDS}

    @property
    def is_empty(self) -> bool:
        """True when no value is set."""
        return all(v is None for v in self.as_dict().values())


@attrs.frozen(kw_only=True)
class Target:
    """A target row: thresholds for one indicator, optionally limited to an org unit and a
    span of periods (labels, inclusive). ``None`` means "every org unit" / "open-ended".

    Examples
    --------
    >>> t = Target(indicator="revenue", org_unit="bu_north", start="2025-01", target=1200)
    >>> t.target, t.end
    (1200.0, None)
    """

    indicator: str
    org_unit: str | None = None
    start: str | None = attrs.field(default=None, converter=attrs.converters.optional(str))
    end: str | None = attrs.field(default=None, converter=attrs.converters.optional(str))
    baseline: float | None = attrs.field(default=None, converter=_opt_float)
    red_flag: float | None = attrs.field(default=None, converter=_opt_float)
    target: float | None = attrs.field(default=None, converter=_opt_float)
    stretch: float | None = attrs.field(default=None, converter=_opt_float)
    lower: float | None = attrs.field(default=None, converter=_opt_float)
    upper: float | None = attrs.field(default=None, converter=_opt_float)

    def thresholds(self) -> Thresholds:
        """The value part of this row."""
        return Thresholds(**{f: getattr(self, f) for f in THRESHOLD_FIELDS})


@attrs.frozen(kw_only=True)
class TargetSet:
    """A named set of targets, e.g. ``budget`` or ``forecast``, with where it came from.

    Examples
    --------
    >>> ts = TargetSet(name="budget", targets=[Target(indicator="revenue", target=10)])
    >>> len(ts), ts.indicators()
    (1, {'revenue'})
    """

    name: str = "default"
    provenance: str = ""
    targets: tuple[Target, ...] = attrs.field(default=(), converter=to_tuple)

    def __len__(self) -> int:
        return len(self.targets)

    def indicators(self) -> set[str]:
        """Ids of the indicators that have at least one target row."""
        return {t.indicator for t in self.targets}

    def merge(self, rows: Iterable[Target]) -> TargetSet:
        """A new set with ``rows`` appended (later rows win where they overlap)."""
        return attrs.evolve(self, targets=(*self.targets, *rows))


@attrs.frozen(kw_only=True)
class StatusBand:
    """A status: a name, the lowest score (inclusive) that earns it, and a display colour.

    Examples
    --------
    >>> [b.name for b in DEFAULT_STATUS_BANDS]
    ['red', 'amber', 'green']
    """

    name: str
    lower: float = attrs.field(converter=float)
    color: str = "#999999"
    is_good: bool = False

    def __attrs_post_init__(self) -> None:
        if not 0.0 <= self.lower <= 1.0:
            raise ModelError(
                f"status band {self.name!r} starts at score {self.lower}; "
                "band lower bounds must lie in [0, 1]"
            )


#: Spider Impact's convention: red below the red flag (1/3), green from the goal (2/3).
DEFAULT_STATUS_BANDS: tuple[StatusBand, ...] = (
    StatusBand(name="red", lower=0.0, color="#d64545"),
    StatusBand(name="amber", lower=1 / 3, color="#e8a33d"),
    StatusBand(name="green", lower=2 / 3, color="#3a9a5b", is_good=True),
)
