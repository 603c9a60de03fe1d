"""Roles and assignments: who owns, stewards, facilitates or contributes to what."""

from __future__ import annotations

from enum import StrEnum

import attrs

from balanced_scorecard.exceptions import ModelError

__all__ = ["Assignment", "Role"]


class Role(StrEnum):
    """Governance roles a person can hold for a node of the scorecard."""

    OWNER = "owner"
    DATA_STEWARD = "data_steward"
    REVIEW_FACILITATOR = "review_facilitator"
    CONTRIBUTOR = "contributor"
    EXECUTIVE_SPONSOR = "executive_sponsor"


def _check_share(_: object, __: attrs.Attribute[float | None], value: float | None) -> None:
    if value is not None and not 0.0 <= value <= 1.0:
        raise ModelError(
            f"assignment share {value!r} is not a fraction in [0, 1]; write 40 % as 0.4"
        )


@attrs.frozen(kw_only=True)
class Assignment:
    """``person`` holds ``role`` for ``node`` (an objective, indicator, perspective or
    initiative id), in ``org_unit`` or, when ``None``, in every unit. ``share`` is the agreed
    part of the outcome a contributor answers for (a fraction in [0, 1]); the shares of a
    node's contributors should add up to 1.

    Examples
    --------
    >>> Assignment(role="owner", person="cfo", node="revenue").role
    <Role.OWNER: 'owner'>
    """

    role: Role = attrs.field(converter=Role)
    person: str
    node: str
    org_unit: str | None = None
    share: float | None = attrs.field(
        default=None, converter=attrs.converters.optional(float), validator=_check_share
    )
