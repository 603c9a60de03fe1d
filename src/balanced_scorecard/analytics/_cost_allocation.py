"""Service-department cost allocation: the direct, step-down and reciprocal methods.

One linear system serves the three methods, which differ only in the service-to-service
shares they keep (see :mod:`balanced_scorecard.analytics.finance`, the public door, for the
equations). The inputs are checked by :mod:`~balanced_scorecard.analytics._allocation_inputs`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import attrs
import numpy as np
import numpy.typing as npt
import pandas as pd

from balanced_scorecard._suggest import did_you_mean
from balanced_scorecard.analytics._allocation_inputs import (
    AllocationProblem,
    Kinds,
    Labels,
    validate_allocation,
)
from balanced_scorecard.exceptions import ModelError

__all__ = [
    "ALLOCATION_METHODS",
    "Allocation",
    "allocate_costs",
    "allocate_direct",
    "allocate_reciprocal",
    "allocate_step_down",
    "step_down_order",
]


#: Names accepted by :func:`allocate_costs`.
ALLOCATION_METHODS: tuple[str, ...] = ("direct", "step_down", "reciprocal")

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
    problem = validate_allocation(costs, shares, kinds=kinds, departments=departments)
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
    problem = validate_allocation(costs, shares, kinds=kinds, departments=departments)
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
    problem = validate_allocation(costs, shares, kinds=kinds, departments=departments)
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
    problem = validate_allocation(costs, shares, kinds=kinds, departments=departments)
    return _order_of(problem, rule)


def _order_of(problem: AllocationProblem, order: Order) -> tuple[Any, ...]:
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


def _restrict(problem: AllocationProblem, allowed: npt.NDArray[np.bool_]) -> FloatArray:
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


def _solve(problem: AllocationProblem, method: str, eff: FloatArray) -> Allocation:
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
