"""Org units and the org chart (a tree) the scorecard is applied to."""

from __future__ import annotations

from collections.abc import Iterator
from functools import cached_property

import attrs

from balanced_scorecard._suggest import did_you_mean
from balanced_scorecard.exceptions import ModelError, UnknownNodeError
from balanced_scorecard.model._convert import str_tuple, to_tuple

__all__ = ["OrgChart", "OrgUnit"]


@attrs.frozen(kw_only=True)
class OrgUnit:
    """An org unit (enterprise, business unit, department); ``parent`` is ``None`` at the root.

    ``weight`` is the unit's weight where a parent averages its children with weights.
    """

    id: str
    name: str = ""
    parent: str | None = None
    weight: float = attrs.field(default=1.0, converter=float)
    tags: tuple[str, ...] = attrs.field(default=(), converter=str_tuple)

    @property
    def label(self) -> str:
        """The name, or the id when there is no name."""
        return self.name or self.id


@attrs.frozen(kw_only=True)
class OrgChart:
    """A tree of org units with one root.

    Examples
    --------
    >>> chart = OrgChart(units=[OrgUnit(id="acme"), OrgUnit(id="north", parent="acme"),
    ...                         OrgUnit(id="sales", parent="north")])
    >>> chart.root, chart.children("acme"), chart.ancestors("sales")
    ('acme', ('north',), ('north', 'acme'))
    >>> chart.depth("sales"), list(chart.descendants("acme"))
    (2, ['north', 'sales'])
    """

    units: tuple[OrgUnit, ...] = attrs.field(
        default=(OrgUnit(id="all", name="Organisation"),), converter=to_tuple
    )

    def __attrs_post_init__(self) -> None:
        problems: list[str] = []
        seen: set[str] = set()
        for u in self.units:
            if u.id in seen:
                problems.append(f"org unit id {u.id!r} is used twice; ids must be unique")
            seen.add(u.id)
        for u in self.units:
            if u.parent is not None and u.parent not in seen:
                problems.append(
                    f"org unit {u.id!r} has parent {u.parent!r}, which is not an org unit."
                    + did_you_mean(u.parent, seen)
                )
        roots = [u.id for u in self.units if u.parent is None]
        if len(roots) != 1:
            problems.append(
                f"the org chart needs exactly one root (a unit without parent); found {roots}"
            )
        if not problems:
            parent = {u.id: u.parent for u in self.units}
            for u in self.units:
                path, node = [u.id], u.parent
                while node is not None:
                    if node in path:
                        problems.append(f"org units form a cycle: {' -> '.join([*path, node])}")
                        break
                    path.append(node)
                    node = parent[node]
                if problems:
                    break
        if problems:
            raise ModelError("; ".join(problems))

    @cached_property
    def _by_id(self) -> dict[str, OrgUnit]:
        return {u.id: u for u in self.units}

    @cached_property
    def _children(self) -> dict[str, tuple[str, ...]]:
        kids: dict[str, list[str]] = {u.id: [] for u in self.units}
        for u in self.units:
            if u.parent is not None:
                kids[u.parent].append(u.id)
        return {k: tuple(v) for k, v in kids.items()}

    def __contains__(self, unit_id: object) -> bool:
        return unit_id in self._by_id

    def __iter__(self) -> Iterator[OrgUnit]:
        return iter(self.units)

    def __len__(self) -> int:
        return len(self.units)

    @cached_property
    def ids(self) -> tuple[str, ...]:
        """Unit ids in definition order."""
        return tuple(u.id for u in self.units)

    @property
    def root(self) -> str:
        """Id of the root unit."""
        return next(u.id for u in self.units if u.parent is None)

    def unit(self, unit_id: str) -> OrgUnit:
        """The unit with this id (an :class:`UnknownNodeError` names the near misses)."""
        try:
            return self._by_id[unit_id]
        except KeyError:
            raise UnknownNodeError(
                f"no org unit {unit_id!r} in the org chart." + did_you_mean(unit_id, self._by_id)
            ) from None

    def children(self, unit_id: str) -> tuple[str, ...]:
        """Ids of the direct children."""
        self.unit(unit_id)
        return self._children[unit_id]

    def ancestors(self, unit_id: str) -> tuple[str, ...]:
        """Ids from the parent up to the root."""
        out: list[str] = []
        node = self.unit(unit_id).parent
        while node is not None:
            out.append(node)
            node = self._by_id[node].parent
        return tuple(out)

    def depth(self, unit_id: str) -> int:
        """Distance from the root (the root is 0)."""
        return len(self.ancestors(unit_id))

    def descendants(self, unit_id: str) -> Iterator[str]:
        """Ids below ``unit_id``, depth first, in definition order."""
        for child in self.children(unit_id):
            yield child
            yield from self.descendants(child)

    def subtree(self, unit_id: str) -> tuple[str, ...]:
        """``unit_id`` and everything below it."""
        return (unit_id, *self.descendants(unit_id))

    def leaves(self) -> tuple[str, ...]:
        """Ids of units without children."""
        return tuple(u for u, kids in self._children.items() if not kids)
