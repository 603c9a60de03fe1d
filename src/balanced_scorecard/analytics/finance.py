"""Shared-cost allocation: service departments to producing units, and activity-based costing.

Finance indicators such as "cost per unit served" or "full cost of a business unit" need the
costs of service departments (IT, HR, facilities) charged to the units that produce. This
module holds the four textbook methods as pure functions over small arrays; their results feed
the cost indicators of a scorecard before it is scored. Variance analysis lives in
:mod:`balanced_scorecard.analytics.variance`.

One linear system covers the three service-department methods. Let ``c`` be the direct costs
of the service departments and ``S`` the effective share matrix (row = the department that
serves, column = the department served, rows summing to 1). A service department's total cost
``t`` is its own cost plus what it receives from the other service departments::

    t = c + S_ss.T @ t        (solved with numpy.linalg.solve)

and then every total is spread by its row of ``S``. The methods differ only in ``S_ss``, the
service-to-service block:

``direct``
    ``S_ss = 0``: services between service departments are ignored; each row is rescaled
    over the producing departments alone.
``step_down``
    Service departments are closed one at a time in an order; a department only charges
    producing departments and the service departments *after* it, so ``S_ss`` is strictly
    triangular in that order (each row rescaled over those recipients).
``reciprocal``
    ``S_ss`` is the full service-to-service block: every department serves every other.

Self-service (a department's share of its own services) moves no cost and is dropped before
any method runs: the rest of that row is rescaled to 1. A department that serves only itself,
or a group of service departments that only serve one another, has nowhere to send its cost
(the system above is singular); that is an error naming them.

Examples
--------
The reference case of issue 4 (service departments Y and Z, producing A and B):

>>> import pandas as pd
>>> costs = pd.Series({"Y": 7260.0, "Z": 4000.0, "A": 12000.0, "B": 16000.0})
>>> shares = pd.DataFrame(
...     {"A": [0.4, 0.2], "B": [0.4, 0.5], "Y": [0.0, 0.3], "Z": [0.2, 0.0]}, index=["Y", "Z"]
... )
>>> result = allocate_reciprocal(costs, shares)
>>> result.reciprocal_totals.round(2).to_dict()
{'Y': 9000.0, 'Z': 5800.0}
>>> result.allocated.round(2).to_dict()
{'A': 16760.0, 'B': 22500.0}
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

import attrs
import numpy as np
import numpy.typing as npt
import pandas as pd

from balanced_scorecard._suggest import did_you_mean
from balanced_scorecard.exceptions import ModelError

__all__ = [
    "ALLOCATION_METHODS",
    "ActivityAllocation",
    "Allocation",
    "allocate_activity_based",
    "allocate_costs",
    "allocate_direct",
    "allocate_reciprocal",
    "allocate_step_down",
    "step_down_order",
]

#: Names accepted by :func:`allocate_costs`.
ALLOCATION_METHODS: tuple[str, ...] = ("direct", "step_down", "reciprocal")

#: How far a row of shares may be from summing to 1 (shares typed as rounded percentages, e.g.
#: thirds, are accepted; a typo such as 0.4 + 0.4 + 0.3 is not).
_SHARE_TOLERANCE = 1e-6

Labels = Sequence[Any] | pd.Index
Kinds = Mapping[Any, str] | pd.Series | Sequence[str]
Order = Literal["share", "cost"] | Sequence[Any]
FloatArray = npt.NDArray[np.float64]


@attrs.frozen(kw_only=True, eq=False)
class Allocation:
    """The result of allocating service-department costs to producing departments.

    Attributes
    ----------
    method
        ``"direct"``, ``"step_down"`` or ``"reciprocal"``.
    allocated
        Full cost of each producing department: its own direct cost plus the service cost it
        received. Sums to the total direct cost of all departments.
    received
        Service cost each producing department received (``allocated`` minus direct cost).
    matrix
        Cost moved from each service department (rows) to each department (columns, service
        departments first, then producing ones, in input order). A row sums to the cost that
        department charged out: its direct cost plus what it received from other service
        departments (for ``reciprocal``, its reciprocal total).
    reciprocal_totals
        For ``reciprocal``: each service department's total, own cost plus the shares received
        from the others (the solution of the simultaneous equations); ``None`` otherwise.
    order
        For ``step_down``: the order in which service departments were closed; ``None``
        otherwise.
    """

    method: str
    allocated: pd.Series
    received: pd.Series
    matrix: pd.DataFrame
    reciprocal_totals: pd.Series | None = None
    order: tuple[Any, ...] | None = None


@attrs.frozen(kw_only=True, eq=False)
class ActivityAllocation:
    """The result of activity-based costing.

    Attributes
    ----------
    rates
        Cost per unit of driver for each activity (pool ÷ total driver quantity).
    matrix
        Cost moved from each activity (rows) to each unit (columns): quantity × rate.
    allocated
        Cost of each unit: the activity costs it drew plus its direct cost, if one was given.
        Sums to the total of the pools plus the direct costs.
    """

    rates: pd.Series
    matrix: pd.DataFrame
    allocated: pd.Series


@attrs.frozen(kw_only=True, eq=False)
class _Problem:
    """Validated inputs: departments in input order, split into service and producing."""

    names: pd.Index
    costs: FloatArray  # (n,)
    shares: FloatArray  # (n_service, n), self-service removed, rows summing to 1
    service: npt.NDArray[np.bool_]  # (n,)


def allocate_direct(
    costs: pd.Series | npt.ArrayLike,
    shares: pd.DataFrame | npt.ArrayLike,
    *,
    kinds: Kinds | None = None,
    departments: Labels | None = None,
) -> Allocation:
    """Allocate service costs straight to producing departments, ignoring mutual services.

    Each service department's row of shares is rescaled over the producing departments alone
    (a department that gives 40 % to A, 40 % to B and 20 % to another service department
    charges A and B half each).

    Parameters
    ----------
    costs
        Direct cost of every department: a Series indexed by department, or a 1-D array
        named by ``departments`` (default ``0 .. n-1``). Must be finite and non-negative.
    shares
        Share of each service department's services (rows) taken by each department
        (columns); rows sum to 1. A DataFrame (missing columns count as 0) or an ``n × n``
        array over the departments of ``costs``.
    kinds
        ``"service"`` or ``"producing"`` per department (mapping, Series or a sequence in the
        order of ``costs``). Default: a department is a service department when it has a
        row with a positive share.
    departments
        Names for array ``costs``.

    Returns
    -------
    Allocation

    Raises
    ------
    ModelError
        Negative or missing costs, a row not summing to 1 (named), an unknown department, or
        a service department that serves no producing department.

    Examples
    --------
    >>> r = allocate_direct([7260.0, 4000.0, 12000.0, 16000.0],
    ...                     [[0, 0.2, 0.4, 0.4], [0.3, 0, 0.2, 0.5], [0, 0, 0, 0], [0, 0, 0, 0]],
    ...                     departments=["Y", "Z", "A", "B"])
    >>> r.allocated.round(3).to_dict()
    {'A': 16772.857, 'B': 22487.143}
    """
    problem = _validate(costs, shares, kinds=kinds, departments=departments)
    n_service = int(problem.service.sum())
    return _solve(problem, "direct", _restrict(problem, np.zeros((n_service, n_service), bool)))


def allocate_step_down(
    costs: pd.Series | npt.ArrayLike,
    shares: pd.DataFrame | npt.ArrayLike,
    *,
    order: Order = "share",
    kinds: Kinds | None = None,
    departments: Labels | None = None,
) -> Allocation:
    """Allocate service costs one department at a time (the step-down or sequential method).

    The first department in ``order`` spreads its cost over every department it serves; each
    later one spreads its direct cost plus what it received, but only over producing
    departments and the service departments still to come (its row rescaled over those).
    Nothing flows back to a department already closed.

    Parameters
    ----------
    costs, shares, kinds, departments
        As for :func:`allocate_direct`.
    order
        The service departments in closing order, or a rule to derive it (see
        :func:`step_down_order`): ``"share"`` (default) closes first the department that gives
        the largest share of its services to other service departments; ``"cost"`` the one
        that gives them the largest cost (direct cost × that share).

    Returns
    -------
    Allocation
        With :attr:`Allocation.order` set.

    Raises
    ------
    ModelError
        As for :func:`allocate_direct`; also when ``order`` is not a permutation of the
        service departments, or a department in it has no recipient left.

    Examples
    --------
    >>> import pandas as pd
    >>> costs = pd.Series({"Y": 7260.0, "Z": 4000.0, "A": 12000.0, "B": 16000.0})
    >>> shares = pd.DataFrame({"A": [0.4, 0.2], "B": [0.4, 0.5], "Y": [0, 0.3], "Z": [0.2, 0]},
    ...                       index=["Y", "Z"])
    >>> r = allocate_step_down(costs, shares)
    >>> r.order, r.allocated.round(2).to_dict()
    (('Z', 'Y'), {'A': 17030.0, 'B': 22230.0})
    """
    problem = _validate(costs, shares, kinds=kinds, departments=departments)
    service_names = list(problem.names[problem.service])
    chosen = _order_of(problem, order)
    rank = np.empty(len(chosen), dtype=np.intp)
    rank[[service_names.index(name) for name in chosen]] = np.arange(len(chosen))
    # A department may only charge service departments closed after it.
    allowed = rank[:, None] < rank[None, :]
    return attrs.evolve(_solve(problem, "step_down", _restrict(problem, allowed)), order=chosen)


def allocate_reciprocal(
    costs: pd.Series | npt.ArrayLike,
    shares: pd.DataFrame | npt.ArrayLike,
    *,
    kinds: Kinds | None = None,
    departments: Labels | None = None,
) -> Allocation:
    """Allocate service costs with the reciprocal (simultaneous equations) method.

    Each service department's total is its own cost plus its shares of the other service
    departments' totals, ``t_i = c_i + Σ_j s_ji t_j``; the system is solved with
    :func:`numpy.linalg.solve` and each total is then spread by its full row of shares.

    Parameters
    ----------
    costs, shares, kinds, departments
        As for :func:`allocate_direct`.

    Returns
    -------
    Allocation
        With :attr:`Allocation.reciprocal_totals` set.

    Raises
    ------
    ModelError
        As for :func:`allocate_direct`; a service department (or group) that serves only
        itself makes the system singular and is named.

    Examples
    --------
    >>> shares = [[0, 0.2, 0.4, 0.4], [0.3, 0, 0.2, 0.5], [0, 0, 0, 0], [0, 0, 0, 0]]
    >>> r = allocate_reciprocal([7260.0, 4000.0, 12000.0, 16000.0], shares,
    ...                         departments=["Y", "Z", "A", "B"])
    >>> r.reciprocal_totals.round(2).tolist(), r.allocated.round(2).tolist()
    ([9000.0, 5800.0], [16760.0, 22500.0])
    """
    problem = _validate(costs, shares, kinds=kinds, departments=departments)
    n_service = int(problem.service.sum())
    everything = ~np.eye(n_service, dtype=bool)
    result = _solve(problem, "reciprocal", _restrict(problem, everything))
    totals = result.matrix.sum(axis=1)
    return attrs.evolve(result, reciprocal_totals=totals.rename("reciprocal_total"))


def allocate_costs(
    costs: pd.Series | npt.ArrayLike,
    shares: pd.DataFrame | npt.ArrayLike,
    *,
    method: str = "reciprocal",
    order: Order = "share",
    kinds: Kinds | None = None,
    departments: Labels | None = None,
) -> Allocation:
    """Allocate service costs with the method named by ``method`` (see :data:`ALLOCATION_METHODS`).

    ``order`` is used by ``"step_down"`` only; the other arguments are those of
    :func:`allocate_direct`.

    Examples
    --------
    >>> allocate_costs([100.0, 50.0], [[0, 1], [0, 0]], method="direct").allocated.tolist()
    [150.0]
    >>> allocate_costs([100.0, 50.0], [[0, 1], [0, 0]], method="fifo")
    Traceback (most recent call last):
    ...
    balanced_scorecard.exceptions.ModelError: unknown allocation method 'fifo'; use one of ...
    """
    if method == "direct":
        return allocate_direct(costs, shares, kinds=kinds, departments=departments)
    if method == "step_down":
        return allocate_step_down(costs, shares, order=order, kinds=kinds, departments=departments)
    if method == "reciprocal":
        return allocate_reciprocal(costs, shares, kinds=kinds, departments=departments)
    raise ModelError(
        f"unknown allocation method {method!r}; use one of {', '.join(ALLOCATION_METHODS)}."
        + did_you_mean(method, ALLOCATION_METHODS)
    )


def step_down_order(
    costs: pd.Series | npt.ArrayLike,
    shares: pd.DataFrame | npt.ArrayLike,
    *,
    rule: Literal["share", "cost"] = "share",
    kinds: Kinds | None = None,
    departments: Labels | None = None,
) -> tuple[Any, ...]:
    """The closing order the step-down method derives from the data.

    ``rule="share"`` ranks service departments by the share of their services that goes to
    other service departments (the usual textbook rule); ``rule="cost"`` by the cost that goes
    to them (direct cost × that share). Highest first; ties go to the larger direct cost, then
    to input order. Self-service is ignored.

    Examples
    --------
    >>> shares = [[0, 0.2, 0.4, 0.4], [0.3, 0, 0.2, 0.5], [0, 0, 0, 0], [0, 0, 0, 0]]
    >>> step_down_order([7260, 4000, 12000, 16000], shares, departments=list("YZAB"))
    ('Z', 'Y')
    >>> step_down_order([7260, 4000, 12000, 16000], shares, rule="cost", departments=list("YZAB"))
    ('Y', 'Z')
    """
    problem = _validate(costs, shares, kinds=kinds, departments=departments)
    return _order_of(problem, rule)


def allocate_activity_based(
    pools: pd.Series | Mapping[Any, float],
    drivers: pd.DataFrame,
    *,
    direct_costs: pd.Series | Mapping[Any, float] | None = None,
) -> ActivityAllocation:
    """Activity-based costing: charge each activity's cost pool by its driver quantities.

    The rate of an activity is its pool divided by the total driver quantity over all units
    (e.g. purchasing 12,000 over 300 purchase orders is 40 per order); a unit is charged its
    quantity × rate, so every pool is spread in full.

    Parameters
    ----------
    pools
        Cost of each activity, indexed by activity. Finite and non-negative.
    drivers
        Driver quantity per unit (rows) and activity (columns). Finite and non-negative;
        every activity with a pool needs a column, and a positive pool a positive total.
    direct_costs
        Optional direct cost per unit, added to :attr:`ActivityAllocation.allocated`.

    Raises
    ------
    ModelError
        Naming the activity or unit: a negative or NaN value, an activity without a driver
        column, or a positive pool with zero total driver quantity.

    Examples
    --------
    >>> import pandas as pd
    >>> drivers = pd.DataFrame({"orders": [100, 200], "setups": [10, 30]}, index=["P", "Q"])
    >>> r = allocate_activity_based({"orders": 12000.0, "setups": 8000.0}, drivers)
    >>> r.rates.to_dict()
    {'orders': 40.0, 'setups': 200.0}
    >>> r.allocated.to_dict()
    {'P': 6000.0, 'Q': 14000.0}
    """
    pool = pd.Series(pools, dtype="float64")
    if pool.empty or drivers.shape[0] == 0:
        raise ModelError("activity-based costing needs at least one cost pool and one unit.")
    _check_values(pool.to_numpy(), pool.index, "cost pool of activity")
    missing = pool.index.difference(drivers.columns)
    if len(missing):
        raise ModelError(
            f"activity {missing[0]!r} has a cost pool but no driver column; "
            "add its driver quantities per unit."
        )
    quantity = drivers[pool.index].astype("float64")
    q = quantity.to_numpy()
    bad = ~np.isfinite(q) | (q < 0)
    if bad.any():
        row, col = (int(i[0]) for i in np.nonzero(bad))
        raise ModelError(
            f"driver quantity of unit {quantity.index[row]!r} for activity "
            f"{quantity.columns[col]!r} is {float(q[row, col])!r}; quantities must be finite "
            "and >= 0."
        )
    total = q.sum(axis=0)
    stranded = (total == 0) & (pool.to_numpy() > 0)
    if stranded.any():
        name = pool.index[int(np.argmax(stranded))]
        raise ModelError(
            f"activity {name!r} has a cost pool of {float(pool[name])!r} but no driver quantity "
            "in any unit; its cost cannot be allocated. Give it driver quantities or drop the pool."
        )
    rate = np.divide(pool.to_numpy(), total, out=np.zeros_like(total), where=total > 0)
    matrix = pd.DataFrame((q * rate).T, index=pool.index, columns=quantity.index)
    allocated = matrix.sum(axis=0)
    if direct_costs is not None:
        direct = pd.Series(direct_costs, dtype="float64").reindex(quantity.index)
        _check_values(direct.to_numpy(), direct.index, "direct cost of unit")
        allocated = allocated + direct
    return ActivityAllocation(
        rates=pd.Series(rate, index=pool.index, name="rate"),
        matrix=matrix,
        allocated=allocated.rename("allocated"),
    )


# -- internals ---------------------------------------------------------------------------------


def _check_values(values: FloatArray, names: pd.Index, what: str) -> None:
    bad = ~np.isfinite(values) | (values < 0)
    if bad.any():
        i = int(np.argmax(bad))
        value = float(values[i])
        raise ModelError(f"{what} {names[i]!r} is {value!r}; it must be finite and >= 0.")


def _validate(
    costs: pd.Series | npt.ArrayLike,
    shares: pd.DataFrame | npt.ArrayLike,
    *,
    kinds: Kinds | None,
    departments: Labels | None,
) -> _Problem:
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
    _check_values(cost_values, names, "direct cost of department")

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
    problem = _Problem(names=names, costs=cost_values, shares=rows, service=service)
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


def _check_reaches_producing(problem: _Problem) -> None:
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


def _order_of(problem: _Problem, order: Order) -> tuple[Any, ...]:
    service_names = list(problem.names[problem.service])
    if isinstance(order, str):
        if order not in ("share", "cost"):
            raise ModelError(
                f"unknown step-down rule {order!r}; use 'share', 'cost' or a list of the "
                "service departments in closing order."
            )
        to_others = problem.shares[:, problem.service].sum(axis=1)
        cost = problem.costs[problem.service]
        key = to_others if order == "share" else to_others * cost
        # lexsort: last key is primary; ties → larger direct cost → input order.
        ranked = np.lexsort((np.arange(len(key)), -cost, -key))
        return tuple(service_names[i] for i in ranked)
    chosen = tuple(order)
    if len(chosen) != len(service_names) or set(chosen) != set(service_names):
        raise ModelError(
            f"step-down order {list(chosen)!r} must list each service department once: "
            f"{service_names!r}."
        )
    return chosen


def _restrict(problem: _Problem, allowed: npt.NDArray[np.bool_]) -> FloatArray:
    """Effective shares: service-to-service flows kept only where allowed, rows rescaled."""
    eff = problem.shares.copy()
    block = eff[:, problem.service]
    block[~allowed] = 0.0
    eff[:, problem.service] = block
    sums = eff.sum(axis=1)
    empty = sums <= 0
    if empty.any():
        name = problem.names[problem.service][int(np.argmax(empty))]
        raise ModelError(
            f"service department {name!r} has no department left to charge under this "
            "method (it serves only service departments closed before it); choose another "
            "step-down order or the reciprocal method."
        )
    eff /= sums[:, None]
    return eff


def _solve(problem: _Problem, method: str, eff: FloatArray) -> Allocation:
    service = problem.service
    s_ss = eff[:, service]
    n_service = s_ss.shape[0]
    try:
        totals = np.linalg.solve(np.eye(n_service) - s_ss.T, problem.costs[service])
    except np.linalg.LinAlgError as exc:  # pragma: no cover - ruled out by the reach check
        raise ModelError("the allocation equations are singular.") from exc
    flows = totals[:, None] * eff
    names = problem.names
    columns = names[service].append(names[~service])
    matrix = pd.DataFrame(
        np.concatenate([flows[:, service], flows[:, ~service]], axis=1),
        index=names[service],
        columns=columns,
    )
    producing = names[~service]
    received = pd.Series(flows[:, ~service].sum(axis=0), index=producing, name="received")
    direct = pd.Series(problem.costs[~service], index=producing)
    return Allocation(
        method=method,
        allocated=(direct + received).rename("allocated"),
        received=received,
        matrix=matrix,
    )
