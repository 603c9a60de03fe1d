"""Roles and assignments: who owns, stewards, facilitates or contributes to what."""

from __future__ import annotations

from enum import StrEnum

import attrs

__all__ = ["Assignment", "Role"]


class Role(StrEnum):
    """Governance roles a person can hold for a node of the scorecard."""

    OWNER = "owner"
    DATA_STEWARD = "data_steward"
    REVIEW_FACILITATOR = "review_facilitator"
    CONTRIBUTOR = "contributor"
    EXECUTIVE_SPONSOR = "executive_sponsor"


@attrs.frozen(kw_only=True)
class Assignment:
    """``person`` holds ``role`` for ``node`` (an objective, indicator, perspective or
    initiative id), in ``org_unit`` or, when ``None``, in every unit.

    Examples
    --------
    >>> Assignment(role="owner", person="cfo", node="revenue").role
    <Role.OWNER: 'owner'>
    """

    role: Role = attrs.field(converter=Role)
    person: str
    node: str
    org_unit: str | None = None
