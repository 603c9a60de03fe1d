"""Result objects of the control charts and the helpers that assemble them.

:class:`ProcessParameters` is what phase I estimates and phase II reuses; :class:`ControlChart`
holds one chart's per-point arrays and exposes them as a frame and as SVG; :class:`ChartPair`
joins a location chart with its dispersion companion. Public through
:mod:`balanced_scorecard.analytics.spc`.
"""

from __future__ import annotations

from functools import reduce
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt
import pandas as pd

from balanced_scorecard.analytics import _spc_svg
from balanced_scorecard.analytics._spc_constants import CONVENTIONS, per_size
from balanced_scorecard.analytics._spc_rules import (
    RuleSpec,
    resolve_rules,
    run_rules,
    zone_labels,
    zscores,
)
from balanced_scorecard.exceptions import ModelError

__all__ = ["ChartPair", "ControlChart", "ProcessParameters"]

Float = npt.NDArray[np.float64]
_VARIABLE = ("imr", "xbar_r", "xbar_s")
_FAMILIES = (*_VARIABLE, "p", "np", "c", "u")
_COMPATIBLE = {"xbar_r": {"xbar_r", "xbar_s"}, "xbar_s": {"xbar_r", "xbar_s"}, "p": {"p", "np"}}
_TOL = 1e-9


def _check_constants(_: object, __: object, value: str) -> None:
    if value not in CONVENTIONS:
        raise ModelError(f"unknown constants convention {value!r}; use one of {CONVENTIONS}")


@attrs.frozen(kw_only=True)
class ProcessParameters:
    """Center and sigma of a process: what a phase I chart estimates and phase II reuses.

    Parameters
    ----------
    family
        Chart family: ``imr``, ``xbar_r``, ``xbar_s``, ``p``, ``np``, ``c`` or ``u``.
    center
        Process mean (variable charts), fraction defective p-bar (p, np), mean count c-bar (c)
        or mean count per unit u-bar (u).
    sigma
        Process standard deviation of one observation; required for variable charts, ignored
        (derived from ``center``) for attribute charts.
    constants
        d2/d3 convention used for the dispersion chart: ``"table"``, ``"qcc"`` or ``"exact"``.
    span
        Moving-range span of an I-MR chart.

    Examples
    --------
    >>> ProcessParameters(family="imr", center=10.0, sigma=0.5).center
    10.0
    """

    family: str = attrs.field(validator=attrs.validators.in_(_FAMILIES))
    center: float = attrs.field(converter=float)
    sigma: float | None = attrs.field(default=None, converter=attrs.converters.optional(float))
    constants: str = attrs.field(default="table", validator=_check_constants)
    span: int = 2

    def __attrs_post_init__(self) -> None:
        if not np.isfinite(self.center):
            raise ModelError(f"process center must be finite, got {self.center}")
        if self.family in _VARIABLE and (
            self.sigma is None or not np.isfinite(self.sigma) or self.sigma < 0
        ):
            raise ModelError(
                f"a {self.family} chart needs a finite process sigma >= 0, got {self.sigma}"
            )
        if self.family in ("p", "np") and not 0 <= self.center <= 1:
            raise ModelError(f"p-bar must lie in [0, 1], got {self.center}")
        if self.family in ("c", "u") and self.center < 0:
            raise ModelError(f"a mean count cannot be negative, got {self.center}")


@attrs.frozen(kw_only=True, eq=False)
class ControlChart:
    """One control chart: the plotted statistic with its center, limits and rule violations.

    Attributes
    ----------
    chart
        ``I``, ``MR``, ``xbar``, ``R``, ``S``, ``p``, ``np``, ``c`` or ``u``.
    statistic, center, lcl, ucl, sigma
        Per point; ``sigma`` is the sigma of the plotted statistic (zones are in its units).
    size
        Subgroup size or area of opportunity per point (1 for individuals).
    labels
        Subgroup label per point (the point's position when there are no labels).
    trial
        True for the points whose data estimated the limits (all False in phase II).
    rules, violations
        Rule ids and the boolean ``(point, rule)`` matrix of :func:`run_rules`.
    parameters
        The process estimate; pass the chart as ``phase1=`` to judge new data against it.
    """

    chart: str
    title: str
    statistic: Float
    center: Float
    lcl: Float
    ucl: Float
    sigma: Float
    size: Float
    labels: npt.NDArray[Any]
    trial: npt.NDArray[np.bool_]
    rules: tuple[str, ...]
    violations: npt.NDArray[np.bool_]
    parameters: ProcessParameters

    @property
    def z(self) -> Float:
        """Signed distance from the center in sigma of the statistic."""
        return zscores(self.statistic, self.center, self.sigma)

    @property
    def beyond_limits(self) -> npt.NDArray[np.bool_]:
        """Points strictly outside the control limits (a point on a limit is inside)."""
        slack = _TOL * self.sigma
        return np.asarray((self.statistic > self.ucl + slack) | (self.statistic < self.lcl - slack))

    @property
    def signals(self) -> npt.NDArray[np.bool_]:
        """Points beyond the limits or completing any selected run rule."""
        return np.asarray(self.beyond_limits | self.violations.any(axis=1))

    @property
    def flagged_rules(self) -> npt.NDArray[np.str_]:
        """Comma-separated ids of the rules each point violates (empty string when none)."""
        n = self.statistic.size
        if not self.rules:
            return np.full(n, "", dtype=np.str_)
        parts = [
            np.where(self.violations[:, r], rule + ",", "") for r, rule in enumerate(self.rules)
        ]
        joined = reduce(np.char.add, parts)
        return np.asarray(np.char.rstrip(joined, ","), dtype=np.str_)

    @property
    def frame(self) -> pd.DataFrame:
        """One row per point: statistic, center, limits, zone, rules violated, signal."""
        return pd.DataFrame(
            {
                "point": np.arange(self.statistic.size),
                "label": self.labels,
                "size": self.size,
                "statistic": self.statistic,
                "center": self.center,
                "lcl": self.lcl,
                "ucl": self.ucl,
                "z": self.z,
                "zone": zone_labels(self.z),
                "trial": self.trial,
                "beyond_limits": self.beyond_limits,
                "rules": self.flagged_rules,
                "signal": self.signals,
            }
        )

    def to_svg(self) -> str:
        """The chart as a self-contained SVG document (text escaped, no external resources)."""
        return _spc_svg.render([self])

    def _repr_svg_(self) -> str:
        return self.to_svg()


@attrs.frozen(kw_only=True, eq=False)
class ChartPair:
    """A location chart with its dispersion companion (I-MR, X-bar & R, X-bar & S)."""

    location: ControlChart
    dispersion: ControlChart

    @property
    def parameters(self) -> ProcessParameters:
        """The process estimate shared by both charts."""
        return self.location.parameters

    @property
    def frame(self) -> pd.DataFrame:
        """Both charts' frames stacked, with a ``chart`` column naming each."""
        frames = [c.frame.assign(chart=c.chart) for c in (self.location, self.dispersion)]
        out = pd.concat(frames, ignore_index=True)
        return out[["chart", *[c for c in out.columns if c != "chart"]]]

    def to_svg(self) -> str:
        """Both charts stacked in one self-contained SVG document."""
        return _spc_svg.render([self.location, self.dispersion])

    def _repr_svg_(self) -> str:
        return self.to_svg()


def _phase2(phase1: object, family: str, constants: str | None) -> ProcessParameters | None:
    if phase1 is None:
        return None
    params = phase1.parameters if isinstance(phase1, ControlChart | ChartPair) else phase1
    if not isinstance(params, ProcessParameters):
        raise ModelError(
            f"phase1 must be a chart result or ProcessParameters, got {type(phase1).__name__}"
        )
    if params.family not in _COMPATIBLE.get(family, {family}):
        raise ModelError(
            f"phase1 limits come from a {params.family} chart and cannot judge a {family} chart"
        )
    if constants is not None and constants != params.constants:
        raise ModelError(
            f"constants={constants!r} differs from phase I's {params.constants!r}; "
            "omit it in phase II so the limits stay those of phase I"
        )
    return params


def _chart(
    chart: str,
    title: str,
    stat: Float,
    center: Float,
    sigma: Float,
    lcl: Float,
    ucl: Float,
    *,
    size: Float,
    labels: npt.NDArray[Any] | None,
    trial: npt.NDArray[np.bool_],
    rules: RuleSpec,
    params: ProcessParameters,
) -> ControlChart:
    n = stat.size
    ids = resolve_rules(rules)
    bc = [np.broadcast_to(np.asarray(a, dtype=np.float64), (n,)).copy() for a in (center, sigma)]
    return ControlChart(
        chart=chart,
        title=title,
        statistic=stat,
        center=bc[0],
        sigma=bc[1],
        lcl=np.broadcast_to(lcl, (n,)).astype(np.float64),
        ucl=np.broadcast_to(ucl, (n,)).astype(np.float64),
        size=np.broadcast_to(size, (n,)).astype(np.float64),
        labels=np.arange(n) if labels is None else labels,
        trial=trial,
        rules=ids,
        violations=run_rules(stat, bc[0], bc[1], rules=ids),
        parameters=params,
    )


def _dispersion(
    chart: str, stat: Float, sizes: npt.NDArray[np.int64], params: ProcessParameters, **kw: Any
) -> ControlChart:
    sigma = float(params.sigma or 0.0)
    if chart == "S":
        k = per_size("c4", sizes)
        center, spread = k * sigma, np.sqrt(1.0 - k**2) * sigma
    else:  # R and MR: the range of `sizes` values
        center = per_size("d2", sizes, constants=params.constants) * sigma
        # Only the "qcc" convention changes d3; the printed tables' rounded d3 is not used.
        d3_convention = "qcc" if params.constants == "qcc" else "exact"
        spread = per_size("d3", sizes, constants=d3_convention) * sigma
    title = {"S": "S chart", "R": "R chart", "MR": "Moving range chart"}[chart]
    lcl = np.maximum(center - 3 * spread, 0.0)
    return _chart(chart, title, stat, center, spread, lcl, center + 3 * spread, params=params, **kw)
