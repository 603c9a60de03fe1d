"""The tag vocabulary of the balance rules: the canonical tags they read and a team's own words
for them.

The rules of :mod:`~balanced_scorecard.algorithms.balance` compare the ``tags`` of objectives
and indicators with the canonical tags of :data:`TAG_MEANINGS` (case-insensitively); a
``tags=`` option adds aliases. :func:`vocabulary` turns that option into the lookup the rules
use.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Final

import attrs

from balanced_scorecard._suggest import did_you_mean
from balanced_scorecard.exceptions import ModelError

__all__ = ["TAG_MEANINGS", "TagAliases", "Vocabulary", "vocabulary"]

# Canonical tag -> meaning; documented (#:) where balance.py re-binds it.
TAG_MEANINGS: Final[Mapping[str, str]] = {
    "core": "objective: a core (value-creating) process",
    "support": "objective: a support process",
    "differentiator": "objective: a support process that is a strategic differentiator",
    "efficiency": "indicator: efficiency of a process (e.g. cost per transaction)",
    "effectiveness": "indicator: effectiveness of a process (e.g. output quality)",
    "short-term": "explicit short-term horizon",
    "long-term": "explicit long-term horizon",
    "revenue": "topic with a short-term horizon",
    "cost": "topic with a short-term horizon",
    "loyalty": "topic with a long-term horizon",
    "retention": "topic with a long-term horizon",
    "capability": "topic with a long-term horizon",
    "innovation": "topic with a long-term horizon",
    "incentive": "indicator: part of an incentive scheme",
}

# Extra words per canonical tag; documented (#:) where balance.py re-binds it.
TagAliases = Mapping[str, str | Iterable[str]]


@attrs.frozen
class Vocabulary:
    """Which words mean each canonical tag (lower case)."""

    words: Mapping[str, frozenset[str]]

    def has(self, tags: Iterable[str], canonical: str) -> bool:
        mine = self.words[canonical]
        return any(t.lower() in mine for t in tags)

    def first(self, tags: Iterable[str], canonicals: Iterable[str]) -> tuple[str, str] | None:
        """The first tag (in the node's order) meaning one of ``canonicals``: (canonical, word)."""
        wanted = tuple(canonicals)
        for t in tags:
            for c in wanted:
                if t.lower() in self.words[c]:
                    return c, t
        return None


def vocabulary(tags: TagAliases | None) -> Vocabulary:
    words = {c: {c} for c in TAG_MEANINGS}
    for canonical, extra in (tags or {}).items():
        if canonical not in TAG_MEANINGS:
            raise ModelError(
                f"tags alias key {canonical!r} is not a tag the balance rules read; use one of "
                f"{', '.join(TAG_MEANINGS)}." + did_you_mean(canonical, TAG_MEANINGS)
            )
        listed = [extra] if isinstance(extra, str) else list(extra)
        words[canonical].update(str(w).lower() for w in listed)
    return Vocabulary({c: frozenset(w) for c, w in words.items()})
