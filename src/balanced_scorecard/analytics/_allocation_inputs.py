"""Checked inputs of the service-department allocation methods.

:func:`validate_allocation` reads the direct costs and the share matrix (Series, DataFrame or
arrays), decides which departments serve and which produce, drops self-service and checks
that every service department's cost can reach a producing department; the methods of
:mod:`balanced_scorecard.analytics.finance` then work on the :class:`AllocationProblem` it
returns. Every problem raises :class:`~balanced_scorecard.exceptions.ModelError` naming the
department and the fix.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt
import pandas as pd

from balanced_scorecard._suggest import did_you_mean
from balanced_scorecard.exceptions import ModelError

__all__ = ["AllocationProblem", "Kinds", "Labels", "check_non_negative", "validate_allocation"]

#: How far a row of shares may be from summing to 1 (shares typed as rounded percentages, e.g.
#: thirds, are accepted; a typo such as 0.4 + 0.4 + 0.3 is not).
_SHARE_TOLERANCE = 1e-6

Labels = Sequence[Any] | pd.Index


Kinds = Mapping[Any, str] | pd.Series | Sequence[str]

FloatArray = npt.NDArray[np.float64]


@attrs.frozen(kw_only=True, eq=False)
class AllocationProblem:
    """Validated inputs: departments in input order, split into service and producing."""

    names: pd.Index
    costs: FloatArray  # (n,)
    shares: FloatArray  # (n_service, n), self-service removed, rows summing to 1
    service: npt.NDArray[np.bool_]  # (n,)


def check_non_negative(values: FloatArray, names: pd.Index, what: str) -> None:
    bad = ~np.isfinite(values) | (values < 0)
    if bad.any():
        i = int(np.argmax(bad))
        value = float(values[i])
        raise ModelError(f"{what} {names[i]!r} is {value!r}; it must be finite and >= 0.")


def validate_allocation(
    costs: pd.Series | npt.ArrayLike,
    shares: pd.DataFrame | npt.ArrayLike,
    *,
    kinds: Kinds | None,
    departments: Labels | None,
) -> AllocationProblem:
    if isinstance(costs, pd.Series):
        cost = costs.astype("float64")
    else:
        values = np.asarray(costs, dtype=np.float64)
        if values.ndim != 1:
            raise ModelError(f"costs must be one-dimensional, got shape {values.shape}.")
        index = pd.Index(range(len(values)) if departments is None else departments)
        if len(index) != len(values):
            raise ModelError(f"{len(index)} department names for {len(values)} costs.")
        cost = pd.Series(values, index=index)
    names = cost.index
    if names.empty:
        raise ModelError("no departments: costs is empty.")
    if names.has_duplicates:
        raise ModelError(f"department {names[names.duplicated()][0]!r} appears twice in costs.")
    cost_values: FloatArray = np.asarray(cost, dtype=np.float64)
    check_non_negative(cost_values, names, "direct cost of department")

    if isinstance(shares, pd.DataFrame):
        for axis, labels in (("row", shares.index), ("column", shares.columns)):
            unknown = labels.difference(names)
            if len(unknown):
                raise ModelError(
                    f"shares {axis} {unknown[0]!r} is not a department of costs."
                    + did_you_mean(str(unknown[0]), map(str, names))
                )
        matrix = shares.reindex(index=names, columns=names, fill_value=0.0)
        s = matrix.to_numpy(dtype=np.float64, na_value=np.nan)
    else:
        s = np.asarray(shares, dtype=np.float64)
        if s.shape != (len(names), len(names)):
            raise ModelError(
                f"shares has shape {s.shape}; an array must be {len(names)} × {len(names)} "
                "(one row and one column per department of costs)."
            )
    bad = ~np.isfinite(s) | (s < 0)
    if bad.any():
        row, col = (int(i[0]) for i in np.nonzero(bad))
        raise ModelError(
            f"share of department {names[row]!r} to {names[col]!r} is {float(s[row, col])!r}; "
            "shares must be finite and >= 0."
        )
    has_row = s.sum(axis=1) > 0
    service = _service_mask(kinds, names, has_row)
    producing_rows = has_row & ~service
    if producing_rows.any():
        name = names[int(np.argmax(producing_rows))]
        raise ModelError(
            f"department {name!r} is a producing department but has a row of shares; only "
            "service departments serve others. Mark it 'service' in kinds or drop the row."
        )
    if not service.any():
        raise ModelError("no service department: give shares rows for IT, HR, facilities, ….")
    if service.all():
        raise ModelError("no producing department: every department is a service department.")

    rows = s[service]
    sums = rows.sum(axis=1)
    off = np.abs(sums - 1.0) > _SHARE_TOLERANCE
    if off.any():
        i = int(np.argmax(off))
        raise ModelError(
            f"shares of service department {names[service][i]!r} sum to {float(sums[i])!r}, not 1; "
            "each row gives the fraction of that department's services each department takes."
        )
    # Self-service moves no cost: drop it and rescale the rest of the row to 1.
    self_share = s[np.flatnonzero(service), np.flatnonzero(service)]
    only_self = self_share >= 1.0 - _SHARE_TOLERANCE
    if only_self.any():
        name = names[service][int(np.argmax(only_self))]
        raise ModelError(
            f"service department {name!r} serves only itself, so its cost has nowhere to go "
            "(the allocation equations are singular). Give it shares to other departments."
        )
    rows[np.arange(len(rows)), np.flatnonzero(service)] = 0.0
    rows /= rows.sum(axis=1, keepdims=True)
    problem = AllocationProblem(names=names, costs=cost_values, shares=rows, service=service)
    _check_reaches_producing(problem)
    return problem


def _service_mask(
    kinds: Kinds | None, names: pd.Index, has_row: npt.NDArray[np.bool_]
) -> npt.NDArray[np.bool_]:
    if kinds is None:
        return has_row
    if isinstance(kinds, pd.Series | Mapping):
        kind = pd.Series(kinds).reindex(names)
    elif len(kinds) == len(names):
        kind = pd.Series(list(kinds), index=names)
    else:
        raise ModelError(f"{len(kinds)} kinds for {len(names)} departments.")
    allowed = {"service", "producing"}
    for name, value in kind.items():
        if value not in allowed:
            raise ModelError(
                f"kind of department {name!r} is {value!r}; use 'service' or 'producing'."
            )
    return np.asarray(kind.to_numpy() == "service", dtype=bool)


def _check_reaches_producing(problem: AllocationProblem) -> None:
    """Every service department must pass its cost, directly or via others, to producing ones."""
    service = problem.service
    to_service = problem.shares[:, service] > 0
    reaches = problem.shares[:, ~service].sum(axis=1) > 0
    # Reachability grows by one hop per pass; n passes settle it (n = service departments).
    for _ in range(len(reaches)):
        reaches = reaches | (to_service & reaches[None, :]).any(axis=1)
    if not reaches.all():
        stuck = [str(n) for n in problem.names[service][~reaches]]
        raise ModelError(
            f"service department{'s' if len(stuck) > 1 else ''} {', '.join(map(repr, stuck))} "
            "serve only themselves or each other, so their cost never reaches a producing "
            "department (the allocation equations are singular). Give them shares to a "
            "producing department."
        )
