"""Process capability: how well a process fits its specification limits.

Used by the internal-process perspective next to the control charts of ``analytics.spc``:
a process that is in control can still be incapable. :func:`capability` takes the measured
values (individuals, labelled subgroups or an ``(m, n)`` array of subgroups) and the
specification limits and returns a frozen :class:`Capability` with

* the potential indices ``Cp``, ``Cpl``, ``Cpu``, ``Cpk`` from the **within** sigma
  (short-term variation: ``R̄/d2`` or ``S̄/c4`` over subgroups, ``MR̄/d2`` over individuals);
* the performance indices ``Pp``, ``Ppl``, ``Ppu``, ``Ppk`` and the Taguchi index ``Cpm`` from
  the **overall** sigma (the sample standard deviation of every observation);
* confidence intervals: chi-square for ``Cp`` and ``Pp``, Bissell's normal approximation for
  ``Cpk`` and ``Ppk``;
* the share outside the specification expected under a normal model (within and overall) and
  the share observed, each also as DPMO, yield and sigma level.

:func:`dpmo`, :func:`sigma_level` and :func:`dpmo_from_sigma_level` convert between defect
counts, defects per million opportunities and the Six Sigma "sigma level".

Conventions
-----------
* Sigma level is one-tailed by default: the whole share outside the specification is put in one
  normal tail, ``Z = Q⁻¹(share)``, and the 1.5 sigma shift is added (``shift=1.5``), so
  66,807 DPMO is 3 sigma and 3.4 DPMO is 6 sigma. ``tails="two"`` uses the two-tail table
  (the shifted mean leaves ``Q(Z - shift) + Q(Z + shift)`` outside). ``shift=0`` gives the
  unshifted level; :class:`OutOfSpec` reports both.
* Values equal to a specification limit are inside the specification.
* Confidence intervals use ``N - 1`` degrees of freedom, ``N`` the number of observations, for
  the within and the overall indices alike (Montgomery's textbook form; for the within sigma it
  is an approximation, since ``R̄/d2`` has fewer effective degrees of freedom).
"""

from __future__ import annotations

import math
from typing import Any, Literal

import attrs
import numpy as np
import numpy.typing as npt
import pandas as pd

from balanced_scorecard.analytics._distributions import (
    check_confidence,
    chi2_ppf,
    normal_ppf,
    normal_sf,
)
from balanced_scorecard.analytics._sigma_levels import (
    OutOfSpec,
    dpmo,
    dpmo_from_sigma_level,
    sigma_level,
)
from balanced_scorecard.analytics._spc_constants import d2 as spc_d2
from balanced_scorecard.analytics._spc_constants import per_size
from balanced_scorecard.exceptions import ModelError, ObservationError

__all__ = [
    "Capability",
    "OutOfSpec",
    "capability",
    "dpmo",
    "dpmo_from_sigma_level",
    "sigma_level",
]


FloatArray = npt.NDArray[np.float64]

SigmaMethod = Literal["auto", "rbar", "sbar", "moving_range"]


Constants = Literal["table", "qcc", "exact"]

_METHOD_NOTES = {
    "rbar": "R-bar/d2 (mean subgroup range)",
    "sbar": "S-bar/c4 (mean subgroup standard deviation)",
    "moving_range": "MR-bar/d2 (mean moving range of span 2, d2 for n=2)",
}


def _range_constants(
    n: npt.NDArray[np.int64], constants: Constants
) -> tuple[FloatArray, FloatArray]:
    if np.any(n > 10):
        raise ObservationError(
            f"R-bar/d2 needs subgroups of 2 to 10 observations; the largest has {int(n.max())}. "
            "Use sigma_within='sbar' for larger subgroups (ranges waste information there)."
        )
    return per_size("d2", n, constants=constants), per_size("d3", n, constants=constants)


def _interval(value: tuple[float, float]) -> tuple[float, float]:
    return (float(value[0]), float(value[1]))


@attrs.frozen(kw_only=True)
class Capability:
    """Capability indices of one process against its specification limits.

    A missing limit (one-sided specification) gives NaN for the indices that need both
    (``Cp``, ``Pp``, ``Cpm``) and for the side it lacks; ``Cpk`` is then the index of the side
    that exists. Intervals are ``(lower, upper)`` at :attr:`confidence`.
    """

    n: int
    n_subgroups: int
    mean: float
    lsl: float | None
    usl: float | None
    target: float | None
    sigma_within: float
    sigma_within_method: str
    sigma_overall: float
    cp: float
    cpl: float
    cpu: float
    cpk: float
    pp: float
    ppl: float
    ppu: float
    ppk: float
    cpm: float
    confidence: float
    cp_ci: tuple[float, float] = attrs.field(converter=_interval)
    cpk_ci: tuple[float, float] = attrs.field(converter=_interval)
    pp_ci: tuple[float, float] = attrs.field(converter=_interval)
    ppk_ci: tuple[float, float] = attrs.field(converter=_interval)
    expected_within: OutOfSpec
    expected_overall: OutOfSpec
    observed: OutOfSpec

    @property
    def sigma_within_note(self) -> str:
        """How the within sigma was estimated, in words."""
        return _METHOD_NOTES[self.sigma_within_method]

    @property
    def frame(self) -> pd.DataFrame:
        """One row per figure: ``statistic``, ``basis`` (within, overall, observed), ``value``
        and, for the indices with an interval, ``lower`` and ``upper``."""
        nan = (math.nan, math.nan)
        rows: list[tuple[str, str, float, float, float]] = [
            ("sigma", "within", self.sigma_within, *nan),
            ("sigma", "overall", self.sigma_overall, *nan),
            ("cp", "within", self.cp, *self.cp_ci),
            ("cpl", "within", self.cpl, *nan),
            ("cpu", "within", self.cpu, *nan),
            ("cpk", "within", self.cpk, *self.cpk_ci),
            ("pp", "overall", self.pp, *self.pp_ci),
            ("ppl", "overall", self.ppl, *nan),
            ("ppu", "overall", self.ppu, *nan),
            ("ppk", "overall", self.ppk, *self.ppk_ci),
            ("cpm", "overall", self.cpm, *nan),
        ]
        for oos in (self.expected_within, self.expected_overall, self.observed):
            d = oos.as_dict()
            for key in (
                "share_below",
                "share_above",
                "share_outside",
                "dpmo",
                "process_yield",
                "sigma_level",
                "sigma_level_unshifted",
            ):
                rows.append((key, oos.basis, float(d[key]), *nan))
        return pd.DataFrame(rows, columns=["statistic", "basis", "value", "lower", "upper"])

    def as_dict(self) -> dict[str, Any]:
        """Every field as plain Python values; the three :class:`OutOfSpec` become dicts."""
        out = attrs.asdict(self, recurse=False)
        for key in ("expected_within", "expected_overall", "observed"):
            out[key] = out[key].as_dict()
        out["sigma_within_note"] = self.sigma_within_note
        return out


def _prepare(
    data: npt.ArrayLike, subgroups: npt.ArrayLike | None
) -> tuple[FloatArray, npt.NDArray[np.int64]]:
    """Values ordered by subgroup (stable) and the subgroup code of each, or codes 0..N-1."""
    x = np.asarray(data, dtype=np.float64)
    if x.ndim == 2:
        if subgroups is not None:
            raise ObservationError(
                "pass either a 2-D array (one row per subgroup) or subgroups=labels, not both"
            )
        codes = np.repeat(np.arange(x.shape[0]), x.shape[1])
        x = x.ravel()
    elif x.ndim == 1:
        if subgroups is None:
            codes = np.arange(x.size)
        else:
            labels = np.asarray(subgroups)
            if labels.shape != x.shape:
                raise ObservationError(
                    f"subgroups has {labels.size} labels for {x.size} values; give one label "
                    "per value"
                )
            codes = pd.factorize(pd.Series(labels), sort=False)[0].astype(np.int64)
    else:
        raise ObservationError(
            f"data must be 1-D (values) or 2-D (subgroups as rows); got {x.ndim} dimensions"
        )
    if x.size < 2:
        raise ObservationError(
            f"capability needs at least 2 observations; got {x.size}. Collect more data."
        )
    bad = np.flatnonzero(~np.isfinite(x))
    if bad.size:
        raise ObservationError(
            f"{bad.size} value(s) are NaN or infinite (first at position {int(bad[0])}); drop "
            "or replace them before computing capability"
        )
    order = np.argsort(codes, kind="stable")
    return x[order], codes[order]


def _sigma_within(
    x: FloatArray,
    codes: npt.NDArray[np.int64],
    method: str,
    constants: Constants,
    individuals: bool,
) -> float:
    if method == "moving_range":
        mr = np.abs(np.diff(x))
        return float(mr.mean() / spc_d2(2, constants=constants))
    sizes = np.bincount(codes)
    starts = np.concatenate(([0], np.cumsum(sizes)[:-1]))
    if individuals or np.any(sizes < 2):
        raise ObservationError(
            f"sigma_within={method!r} needs subgroups of at least 2 observations; "
            f"{int(np.sum(sizes < 2))} subgroup(s) have one. Merge them, or use "
            "sigma_within='moving_range' for individual values."
        )
    if method == "rbar":
        r = np.maximum.reduceat(x, starts) - np.minimum.reduceat(x, starts)
        d2, d3 = _range_constants(sizes, constants)
        # Unequal sizes: each subgroup's R/d2 weighted by (d2/d3)², the inverse of its
        # relative variance; with equal sizes this is R-bar/d2 exactly.
        w = (d2 / d3) ** 2
        return float(np.sum(w * r / d2) / np.sum(w))
    means = np.add.reduceat(x, starts) / sizes
    ss = np.add.reduceat((x - np.repeat(means, sizes)) ** 2, starts)
    s = np.sqrt(ss / (sizes - 1))
    c4 = per_size("c4", sizes, constants=constants)
    # Same idea for S/c4: weights c4²/(1 - c4²); equal sizes give S-bar/c4.
    w = c4**2 / (1 - c4**2)
    return float(np.sum(w * s / c4) / np.sum(w))


def _indices(
    mean: float, sigma: float, lsl: float | None, usl: float | None
) -> tuple[float, float, float, float]:
    """(two-sided, lower, upper, k) index for one sigma."""
    low = (mean - lsl) / (3 * sigma) if lsl is not None else math.nan
    up = (usl - mean) / (3 * sigma) if usl is not None else math.nan
    both = (usl - lsl) / (6 * sigma) if lsl is not None and usl is not None else math.nan
    k = float(np.nanmin([low, up]))
    return both, low, up, k


def _expected(
    mean: float, sigma: float, lsl: float | None, usl: float | None
) -> tuple[float, float]:
    below = float(normal_sf((mean - lsl) / sigma)) if lsl is not None else 0.0
    above = float(normal_sf((usl - mean) / sigma)) if usl is not None else 0.0
    return below, above


def capability(
    data: npt.ArrayLike,
    *,
    lsl: float | None = None,
    usl: float | None = None,
    target: float | None = None,
    subgroups: npt.ArrayLike | None = None,
    sigma_within: SigmaMethod = "auto",
    constants: Constants = "table",
    confidence: float = 0.95,
    shift: float = 1.5,
) -> Capability:
    """Capability indices, intervals and out-of-specification shares of a process.

    Parameters
    ----------
    data
        Measurements: a 1-D array (individual values, or grouped by ``subgroups``) or a 2-D
        ``(m, n)`` array with one subgroup per row. NaN is an error.
    lsl, usl
        Lower and upper specification limits; at least one. ``lsl < usl`` when both are given.
    target
        Target value for ``Cpm``; defaults to the midpoint of the limits. ``Cpm`` needs both
        limits and is NaN for a one-sided specification.
    subgroups
        One subgroup label per value of a 1-D ``data`` (e.g. the sample number).
    sigma_within
        ``"rbar"`` (R̄/d2, subgroups of 2..10), ``"sbar"`` (S̄/c4), ``"moving_range"`` (MR̄/d2
        over the values in order) or ``"auto"``: ``"rbar"`` for subgroups, ``"moving_range"``
        for individuals. Unequal subgroup sizes are pooled with the usual unbiasing weights.
    constants
        ``"table"`` for the published three-decimal d2/d3 and four-decimal c4 (matches R's qcc
        and hand calculation), ``"qcc"`` for qcc's own tabulated d3, ``"exact"`` for the exact
        values.
    confidence
        Level of the confidence intervals, in (0, 1).
    shift
        Sigma shift added to the sigma levels (1.5 by the Six Sigma convention; 0 for none).

    Returns
    -------
    Capability
        Frozen result; ``.frame`` for a table, ``.as_dict()`` for plain values.

    Raises
    ------
    ObservationError
        Fewer than 2 values, NaN or infinite values, subgroups of one under ``rbar``/``sbar``,
        subgroups above 10 under ``rbar``, or zero variation (constant data: the indices would
        be infinite or undefined, which says more about the gauge than about the process).
    ModelError
        No limit, ``lsl >= usl``, or a confidence level outside (0, 1).

    Examples
    --------
    Five subgroups of three (hand-worked: ranges 0.2, 0.3, 0.2, 0.1, 0.2, R̄ = 0.2,
    d2(3) = 1.693, sigma within 0.11813; Cp = 1.2 / (6 × 0.11813) = 1.693; the mean is
    10.0533, so Cpk = Cpu = 0.5467 / (3 × 0.11813) = 1.543):

    >>> x = [[10.0, 10.1, 10.2], [9.9, 10.2, 10.0], [10.1, 10.0, 10.2],
    ...      [10.0, 10.1, 10.0], [9.9, 10.1, 10.0]]
    >>> cap = capability(x, lsl=9.4, usl=10.6)
    >>> round(cap.sigma_within, 5), cap.sigma_within_method
    (0.11813, 'rbar')
    >>> round(cap.cp, 3), round(cap.cpk, 3)
    (1.693, 1.543)
    """
    if lsl is None and usl is None:
        raise ModelError("give at least one specification limit (lsl=..., usl=...)")
    if lsl is not None and usl is not None and not lsl < usl:
        raise ModelError(f"lsl ({lsl}) must be below usl ({usl}); swap or correct the limits")
    check_confidence(confidence)
    if sigma_within not in ("auto", "rbar", "sbar", "moving_range"):
        raise ModelError(
            f"sigma_within={sigma_within!r} is unknown; use 'auto', 'rbar', 'sbar' or "
            "'moving_range'"
        )
    individuals = subgroups is None and np.ndim(data) == 1
    x, codes = _prepare(data, subgroups)
    method = sigma_within
    if method == "auto":
        method = "moving_range" if individuals else "rbar"
    n = int(x.size)
    mean = float(x.mean())
    s_overall = float(x.std(ddof=1))
    s_within = _sigma_within(x, codes, method, constants, individuals)
    if s_overall == 0.0 or s_within == 0.0:
        raise ObservationError(
            f"the data show no variation (overall sigma {s_overall}, within sigma {s_within}); "
            "capability indices are undefined. Check the gauge resolution or collect more data."
        )
    cp, cpl, cpu, cpk = _indices(mean, s_within, lsl, usl)
    pp, ppl, ppu, ppk = _indices(mean, s_overall, lsl, usl)
    if target is None and lsl is not None and usl is not None:
        target = 0.5 * (lsl + usl)
    cpm = math.nan
    if lsl is not None and usl is not None and target is not None:
        cpm = (usl - lsl) / (6 * math.sqrt(s_overall**2 + (mean - target) ** 2))

    alpha = 1.0 - confidence
    nu = n - 1
    chi = (math.sqrt(chi2_ppf(alpha / 2, nu) / nu), math.sqrt(chi2_ppf(1 - alpha / 2, nu) / nu))
    z = float(normal_ppf(1 - alpha / 2))

    def bissell(k: float) -> tuple[float, float]:
        half = z * math.sqrt(1 / (9 * n) + k**2 / (2 * (n - 1)))
        return (k - half, k + half)

    def observed() -> OutOfSpec:
        below = float(np.mean(x < lsl)) if lsl is not None else 0.0
        above = float(np.mean(x > usl)) if usl is not None else 0.0
        return OutOfSpec(basis="observed", share_below=below, share_above=above, shift=shift)

    bw, aw = _expected(mean, s_within, lsl, usl)
    bo, ao = _expected(mean, s_overall, lsl, usl)
    return Capability(
        n=n,
        n_subgroups=int(codes.max()) + 1 if not individuals else n,
        mean=mean,
        lsl=lsl,
        usl=usl,
        target=target,
        sigma_within=s_within,
        sigma_within_method=method,
        sigma_overall=s_overall,
        cp=cp,
        cpl=cpl,
        cpu=cpu,
        cpk=cpk,
        pp=pp,
        ppl=ppl,
        ppu=ppu,
        ppk=ppk,
        cpm=cpm,
        confidence=confidence,
        cp_ci=(cp * chi[0], cp * chi[1]),
        cpk_ci=bissell(cpk),
        pp_ci=(pp * chi[0], pp * chi[1]),
        ppk_ci=bissell(ppk),
        expected_within=OutOfSpec(basis="within", share_below=bw, share_above=aw, shift=shift),
        expected_overall=OutOfSpec(basis="overall", share_below=bo, share_above=ao, shift=shift),
        observed=observed(),
    )
