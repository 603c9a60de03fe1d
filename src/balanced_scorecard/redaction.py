"""Views of an evaluation for one role: data above the role's clearance is withheld.

This is the last step before anything leaves the library. The engine scores and rolls up
on all the data; :func:`for_role` then makes a copy of the :class:`Evaluation` in which the
indicators whose values are more sensitive than the role may see (by the scorecard's
:class:`~balanced_scorecard.model.classification.OutputPolicy`) carry no actual, target,
score, trend or contribution, show the status ``withheld``, have no observations behind
them (so :meth:`~Evaluation.explain` shows no inputs or lineage rows), and the quality
report hides the cells that came from fields the role may not see. Objectives, perspectives
and the scorecard keep the scores rolled up from the full data.

Every renderer draws such a view (:func:`secure`): given no role, the policy's default
ceiling applies, so personal data is never rendered and confidential data only for roles
the policy lists.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

import attrs
import numpy as np
import pandas as pd

from balanced_scorecard._uri import hide_password, split_scheme
from balanced_scorecard.model.classification import (
    UNDECLARED,
    OutputPolicy,
    effective_classifications,
    source_classification,
    to_role,
)
from balanced_scorecard.model.enums import Classification
from balanced_scorecard.model.people import Role

if TYPE_CHECKING:
    from balanced_scorecard.model.scorecard import Scorecard
    from balanced_scorecard.model.sources import DataSource
    from balanced_scorecard.results import Evaluation, IndicatorLevel

__all__ = ["WITHHELD", "AccessView", "classify", "for_role", "secure"]

#: What a view shows instead of withheld data: the status of a withheld indicator and the
#: text of a withheld quality-report cell.
WITHHELD = "withheld"

# Quality-report columns that carry a source field's content.
_QUALITY_FIELDS = ("indicator", "org_unit", "period", "value")

# A comparison as conditions describe themselves in lineage and messages:
# ``column op value`` with a quoted, listed or bare value.
_CONDITION = r"(?P<head>\b{field}\s*(?:==|=|!=|<=|>=|<|>|\bnot in\b|\bin\b)\s*)" + (
    r"(?P<value>'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|\[[^\]]*\]|[^\s,;)]+)"
)


@attrs.frozen(kw_only=True)
class AccessView:
    """What a view of an evaluation was made for (``Evaluation.access``).

    ``classifications`` holds every indicator's effective classification (computed once,
    from the full evaluation); ``withheld`` the ids of the indicators the view withholds;
    ``hidden_fields`` the source fields above the ceiling, whose values are scrubbed from
    lineage and messages.
    """

    role: Role | None
    ceiling: Classification
    policy: OutputPolicy
    classifications: tuple[tuple[str, Classification], ...]
    withheld: tuple[str, ...]
    hidden_fields: tuple[str, ...] = ()

    def classification(self, indicator: str) -> Classification:
        """The effective classification of one indicator's values."""
        return dict(self.classifications)[indicator]

    def reason(self, indicator: str) -> str:
        """Why ``indicator`` is withheld, for explanations."""
        who = f"role {self.role.value!r}" if self.role is not None else "output without a role"
        cls = self.classification(indicator)
        if cls is Classification.PERSONAL:
            return "personal data is never shown"
        return f"{cls.value} data; {who} may see up to {self.ceiling.value}"

    def scrub(self, text: str) -> str:
        """``text`` with the values compared to hidden fields replaced by ``withheld``.

        Examples
        --------
        >>> view = AccessView(role=None, ceiling=Classification.INTERNAL,
        ...                   policy=OutputPolicy(), classifications=(), withheld=(),
        ...                   hidden_fields=("employee_name",))
        >>> view.scrub("hr: sum of salary where employee_name = 'Ann Lee' and team = 'ops'")
        "hr: sum of salary where employee_name = withheld and team = 'ops'"
        """
        for field in self.hidden_fields:
            text = re.sub(_CONDITION.format(field=re.escape(field)), rf"\g<head>{WITHHELD}", text)
        return text


def classify(ev: Evaluation) -> dict[str, Classification]:
    """Every indicator's effective classification in ``ev``: its own, else the most
    sensitive of the sources that gave it values in this evaluation and of its formula's
    inputs (see :func:`~balanced_scorecard.model.classification.effective_classifications`).

    Examples
    --------
    >>> from balanced_scorecard.results import _demo
    >>> classify(_demo())
    {'revenue': <Classification.INTERNAL: 'internal'>}
    """
    if ev.access is not None:
        return dict(ev.access.classifications)
    obs = ev.observations
    fed_by: dict[str, list[str]] | None = None
    if obs is not None:
        n_src = max(len(obs.source_names), 1)
        n_ind = len(ev.scorecard.indicators)
        # Which (indicator, source) pairs have rows: one bincount over every row.
        seen = np.bincount(
            obs.indicator.astype(np.int64) * n_src + obs.source.astype(np.int64),
            minlength=n_ind * n_src,
        ).reshape(n_ind, n_src)
        # A part is named by its source id, or by the path or URI it was read from.
        sources = ev.scorecard.sources
        ids = [
            next((d.id for d in sources if _matches(name, d)), name) for name in obs.source_names
        ]
        fed_by = {}
        for k, s in zip(*np.nonzero(seen), strict=True):
            ind_id = ev.scorecard.indicators[int(k)].id
            fed_by.setdefault(ind_id, []).append(ids[int(s)])
    return effective_classifications(ev.scorecard, fed_by=fed_by)


def for_role(
    ev: Evaluation, role: Role | str | None = None, *, policy: OutputPolicy | None = None
) -> Evaluation:
    """The view of ``ev`` that ``role`` may see (see the module docstring).

    Parameters
    ----------
    ev
        An evaluation, or a view of one: a view can only be narrowed further.
    role
        A :class:`~balanced_scorecard.model.people.Role` or its name; ``None`` applies the
        policy's default ceiling.
    policy
        The output policy (default: the scorecard's ``output_policy``).

    Examples
    --------
    >>> import attrs
    >>> from balanced_scorecard.results import _demo
    >>> ev = _demo()
    >>> secret = attrs.evolve(ev.scorecard, indicators=[attrs.evolve(
    ...     ev.scorecard.indicators[0], classification="confidential")])
    >>> ev = attrs.evolve(ev, scorecard=secret)
    >>> view = for_role(ev, "owner")
    >>> view.status("revenue"), view.score("revenue"), round(view.score("grow"), 4)
    ('withheld', nan, 0.6667)
    >>> policy = OutputPolicy(roles={"owner": "confidential"})
    >>> for_role(ev, "owner", policy=policy).status("revenue")
    'green'
    """
    policy = policy if policy is not None else ev.scorecard.output_policy
    who = None if role is None else to_role(role)
    base = ev.access
    classes = classify(ev)
    ceiling = policy.ceiling(who)
    if base is not None:
        ceiling = min(ceiling, base.ceiling)
    ids = ev.indicators.ids
    before = set(base.withheld) if base is not None else set()
    mask = np.array([i in before or classes[i] > ceiling for i in ids], dtype=bool)
    access = AccessView(
        role=who,
        ceiling=ceiling,
        policy=policy,
        classifications=tuple((i, classes[i]) for i in ids),
        withheld=tuple(i for i, m in zip(ids, mask, strict=True) if m),
        hidden_fields=_hidden_fields(ev.scorecard, ceiling),
    )
    return _apply(ev, mask, access, classes)


def secure(ev: Evaluation, role: Role | str | None = None) -> Evaluation:
    """What a renderer may draw: ``ev`` itself when it is already a view and no other role
    is asked for, otherwise :func:`for_role` with the scorecard's policy.

    Examples
    --------
    >>> from balanced_scorecard.results import _demo
    >>> view = secure(_demo())
    >>> view.access.role is None, secure(view) is view
    (True, True)
    """
    if ev.access is not None and (role is None or to_role(role) == ev.access.role):
        return ev
    return for_role(ev, role)


# -- building the view ------------------------------------------------------------------


def _hidden_fields(sc: Scorecard, ceiling: Classification) -> tuple[str, ...]:
    """The source columns above ``ceiling``: those listed in ``fields`` and, by the source's
    own classification, the other columns its fact mapping reads."""
    names = set()
    for s in sc.sources:
        columns = {c for c, _ in s.fields} | set(s.mapping.columns if s.mapping else ())
        names |= {c for c in columns if s.field_classification(c) > ceiling}
    return tuple(sorted(names))


def _apply(
    ev: Evaluation,
    mask: np.ndarray,
    access: AccessView,
    classes: Mapping[str, Classification],
) -> Evaluation:
    reported = ev.reported
    if reported is not None:
        reported = _apply(reported, mask, access, classes)
    obs = ev.observations
    adjustments = ev.adjustments
    if mask.any():
        hidden_ids = set(access.withheld)
        if len(adjustments):
            adjustments = adjustments[~adjustments["indicator"].isin(hidden_ids)]
            adjustments = adjustments.reset_index(drop=True)
        if obs is not None:
            obs = obs.take(~mask[obs.indicator])
            if len(obs.adjustments):
                codes = obs.adjustments["indicator"].to_numpy(np.int64)
                obs = attrs.evolve(obs, adjustments=obs.adjustments[~mask[codes]])
    quality = _redact_quality(ev.quality, ev.scorecard, classes, access)
    if obs is not None:
        obs = attrs.evolve(obs, quality=_redact_quality(obs.quality, ev.scorecard, classes, access))
    return attrs.evolve(
        ev,
        indicators=_withhold(ev.indicators, mask, len(ev.scorecard.status_bands)),
        quality=quality,
        adjustments=adjustments,
        observations=obs,
        reported=reported,
        access=access,
    )


def _withhold(level: IndicatorLevel, mask: np.ndarray, status_code: int) -> IndicatorLevel:
    """The indicator arrays with every cell of the masked indicators blanked."""
    if not mask.any():
        return level

    def blank(a: np.ndarray, fill: float | int | bool) -> np.ndarray:
        out = np.array(a, copy=True)
        out[mask] = fill
        return out

    nan = np.nan
    trend = attrs.evolve(
        level.trend,
        slope=blank(level.trend.slope, nan),
        change=blank(level.trend.change, nan),
        direction=blank(level.trend.direction, -2),
    )
    return attrs.evolve(
        level,
        actual=blank(level.actual, nan),
        numerator=blank(level.numerator, nan),
        denominator=blank(level.denominator, nan),
        targets={name: blank(a, nan) for name, a in level.targets.items()},
        score=blank(level.score, nan),
        raw_score=blank(level.raw_score, nan),
        clamped=blank(level.clamped, False),
        status=blank(level.status, status_code),
        trend=trend,
        contribution=blank(level.contribution, nan),
    )


def _matches(text: str, source: DataSource) -> bool:
    """Whether a quality row's ``source`` text names ``source``: its id (alone or before a
    mapping rule), its URI, or the file its URI points at."""
    if text == source.id or text.startswith(f"{source.id}: "):
        return True
    if text in (source.uri, hide_password(source.uri)):
        return True
    location = split_scheme(source.uri)[1].replace("\\", "/").lstrip("./")
    shown = text.replace("\\", "/")
    return bool(location) and (shown == location or shown.endswith("/" + location))


def _field_of(source: DataSource, column: str) -> str | None:
    """The source field that became an observation column (``None``: none did)."""
    mapping = source.mapping
    if mapping is not None:
        return {"org_unit": mapping.org_unit, "period": mapping.date}.get(column)
    renames = source.kwargs.get("columns") or {}
    fed = [str(k) for k, v in renames.items() if v == column]
    return fed[0] if fed else column


def _redact_quality(
    quality: pd.DataFrame,
    sc: Scorecard,
    classes: Mapping[str, Classification],
    access: AccessView,
) -> pd.DataFrame:
    """The quality report with each cell from a field above the ceiling withheld.

    A cell's classification is that of the source field it came from; a ``value`` is as
    sensitive as what its source gives its indicator, and as the indicator itself. A row
    with a withheld cell gets a message without details (messages quote the values), and
    so does a row of a fact mapping whose date or org-unit column is above the ceiling (its
    messages quote those columns). Conditions on hidden fields are scrubbed from every
    row's ``source`` and ``message``.
    """
    if quality.empty or "source" not in quality.columns:
        return quality
    ceiling = access.ceiling.rank
    texts = quality["source"].astype("string").fillna("").to_numpy(dtype=object)
    src_codes, src_uniques = pd.factorize(texts)
    matched = [next((s for s in sc.sources if _matches(str(t), s)), None) for t in src_uniques]
    row_source = np.where(src_codes >= 0, src_codes, len(matched))

    def per_source(rank_of: Callable[[DataSource], int]) -> np.ndarray:
        table = [UNDECLARED.rank if s is None else rank_of(s) for s in matched]
        return np.asarray([*table, UNDECLARED.rank], dtype=np.int64)[row_source]

    out = quality.copy()
    hidden_any = np.zeros(len(out), dtype=bool)

    def hide(column: str, rank: np.ndarray) -> None:
        nonlocal hidden_any
        cells = (rank > ceiling) & out[column].notna().to_numpy()
        if cells.any():
            out[column] = out[column].astype(object).where(~cells, WITHHELD)
            hidden_any |= cells

    for column in ("indicator", "org_unit", "period"):
        if column in out.columns:
            hide(column, per_source(functools.partial(_rank_of_field, column=column)))
    if "value" in out.columns:
        # The indicator as reported (before its own cell may have been withheld above).
        given = (
            quality["indicator"]
            if "indicator" in quality.columns
            else pd.Series("", index=out.index)
        )
        ind_codes, ind_uniques = pd.factorize(given.astype("string").fillna("").to_numpy(object))
        n_ind = len(ind_uniques) + 1
        # One code per distinct (source, indicator) pair; each pair is judged once.
        pairs, pair_rows = np.unique(row_source * n_ind + (ind_codes + 1), return_inverse=True)
        ranks = np.array(
            [
                _value_rank(
                    matched[p // n_ind] if p // n_ind < len(matched) else None,
                    str(ind_uniques[p % n_ind - 1]) if p % n_ind else "",
                    classes,
                )
                for p in pairs.tolist()
            ],
            dtype=np.int64,
        )
        hide("value", ranks[pair_rows])
    if "message" in out.columns:
        quoted = per_source(_quoted_rank) > ceiling
        secret = (hidden_any | quoted) & out["message"].notna().to_numpy()
        if secret.any():
            rules = (
                out["rule"].astype(str)
                if "rule" in out.columns
                else pd.Series("input row", index=out.index)
            )
            details = rules + f": details {WITHHELD} (data above the output's clearance)"
            out["message"] = out["message"].astype(object).where(~secret, details)
        if access.hidden_fields:
            out["message"] = _scrubbed(out["message"], access)
    if access.hidden_fields:
        out["source"] = _scrubbed(out["source"], access)
    return out


def _value_rank(
    source: DataSource | None, indicator: str, classes: Mapping[str, Classification]
) -> int:
    """Rank of a quality row's ``value``, given its source and reported indicator id."""
    known = indicator in classes
    if source is None:
        base = UNDECLARED
    else:
        # An unknown indicator may be any rule's: take the most sensitive value of all.
        base = source_classification(source, indicator if known else None)
    return max(base, classes[indicator]).rank if known else base.rank


def _quoted_rank(source: DataSource) -> int:
    """Rank of the fields a fact mapping's messages quote (its date, org-unit and unit
    columns); -1 for a long source, whose messages only quote cells of the row."""
    mapping = source.mapping
    if mapping is None:
        return -1
    quoted = [c for c in (mapping.date, mapping.org_unit, mapping.unit) if c]
    return max((source.field_classification(c).rank for c in quoted), default=-1)


def _scrubbed(column: pd.Series, access: AccessView) -> np.ndarray:
    """:meth:`AccessView.scrub` on each distinct text of a column (not on every row)."""
    codes, uniques = pd.factorize(column.astype(object).to_numpy(), use_na_sentinel=True)
    clean = np.array([access.scrub(str(u)) for u in uniques] + [None], dtype=object)
    return clean[np.where(codes >= 0, codes, len(uniques))]


def _rank_of_field(source: DataSource, column: str) -> int:
    field = _field_of(source, column)
    if field is None:
        return Classification.PUBLIC.rank
    return source.field_classification(field).rank
