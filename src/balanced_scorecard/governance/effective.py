"""Effective-dated definitions: which stored version is in force in a period, and history
re-scored with the definition in force then.

Each stored version of a definition carries ``effective_from``, the first period (a label
such as ``2025-07``) it is in force; None means from the first period. Labels of one
frequency compare as text (``2025-06`` < ``2025-07``), as weight changes do. Version ``v`` is
in force in period ``p`` when it has the latest ``effective_from <= p``; of versions with the
same ``effective_from`` the later one supersedes the earlier (a correction made before the
change took effect). The store refuses a version that takes effect before the latest one.

:func:`evaluate_history` evaluates every version that is in force somewhere over the whole
observation history (so trends and changes look back across a span boundary with the
version's own rules), keeps each version's rows for the periods it is in force, and marks
``series_break`` on the first period of a span where an indicator was redefined (unit,
formula, scoring method, polarity or source mapping; a threshold or target change is not a
break). The same store and observations give the same frame every time.

Examples
--------
>>> import pandas as pd
>>> from balanced_scorecard.model import Scorecard
>>> from balanced_scorecard.store import Store
>>> sc = Scorecard.from_dict({"id": "acme", "objectives": [{"id": "grow",
...     "perspective": "financial", "indicators": [{"id": "revenue", "unit": "EUR",
...     "thresholds": {"target": 100, "red_flag": 50}}]}]})
>>> store = Store.open("sqlite://")
>>> store.save_definition(sc, author="ann")
1
>>> data = sc.to_dict()
>>> data["objectives"][0]["indicators"][0]["thresholds"]["target"] = 200
>>> store.save_definition(Scorecard.from_dict(data), author="ann", effective_from="2025-03")
2
>>> obs = pd.DataFrame({"indicator": "revenue", "org_unit": "all",
...                     "period": ["2025-01", "2025-02", "2025-03"], "value": 100.0})
>>> h = evaluate_history(store, "acme", obs)
>>> rows = h[h["node"] == "revenue"][["period", "version", "target", "status"]]
>>> print(rows.to_string(index=False))
 period  version  target status
2025-01        1   100.0  green
2025-02        1   100.0  green
2025-03        2   200.0  amber
>>> definition_in_force(store, "acme", "2025-02")[0]
1
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from balanced_scorecard.exceptions import ModelError
from balanced_scorecard.model.scorecard import Scorecard
from balanced_scorecard.store.errors import StoreError

if TYPE_CHECKING:
    from balanced_scorecard.store import Store

__all__ = [
    "definition_in_force",
    "effective_versions",
    "evaluate_history",
    "indicator_signature",
    "version_in_force",
]


def effective_versions(store: Store, scorecard_id: str) -> pd.DataFrame:
    """The stored versions with their ``effective_from``, checked to be in order.

    Returns the ``version`` and ``effective_from`` columns of :meth:`Store.versions`. A
    version that takes effect before an earlier one (possible only in a store written by
    other means) raises :class:`~balanced_scorecard.exceptions.ModelError` naming both.
    """
    frame = store.versions(scorecard_id)
    if frame.empty:
        raise StoreError(
            f"no definition of scorecard {scorecard_id!r} in store {store.url!r}; save one "
            "with Store.save_definition"
        )
    out = frame[["version", "effective_from"]].reset_index(drop=True)
    out["effective_from"] = pd.Series(
        [e if isinstance(e, str) else None for e in out["effective_from"]], dtype=object
    )
    last: str | None = None
    last_version = 0
    for version, eff in zip(out["version"], out["effective_from"], strict=True):
        if last is not None and (eff is None or eff < last):
            raise ModelError(
                f"version {version} of scorecard {scorecard_id!r} takes effect from "
                f"{eff or 'the first period'}, before version {last_version} ({last}): "
                "effective dates are out of order. Save a new version with a later "
                "effective_from"
            )
        if eff is not None:
            last, last_version = eff, int(version)
    return out


def version_in_force(versions: pd.DataFrame, periods: Sequence[str]) -> np.ndarray:
    """The version in force in each period (0 where none is), vectorised over periods.

    ``versions`` has columns ``version`` and ``effective_from`` (None: from the start), in
    version order, as from :func:`effective_versions`.

    Examples
    --------
    >>> v = pd.DataFrame({"version": [1, 2, 3],
    ...                   "effective_from": [None, "2025-07", "2025-07"]})
    >>> version_in_force(v, ["2025-06", "2025-07", "2025-12"]).tolist()
    [1, 3, 3]
    """
    eff = versions["effective_from"].to_numpy(dtype=object)
    start = np.array([e if isinstance(e, str) else "" for e in eff], dtype=str)
    labels = np.asarray([str(p) for p in periods], dtype=str)
    # Effective dates never decrease, so the last start <= p is found by a sorted search.
    pos = np.searchsorted(start, labels, side="right") - 1
    ids = versions["version"].to_numpy(dtype=np.int64)
    return np.where(pos >= 0, ids[np.clip(pos, 0, None)], 0)


def definition_in_force(store: Store, scorecard_id: str, period: str) -> tuple[int, Scorecard]:
    """The version in force in ``period`` and its definition.

    Raises :class:`~balanced_scorecard.exceptions.ModelError` when no version is in force
    yet (the first takes effect later), naming the period and the first effective date.
    """
    versions = effective_versions(store, scorecard_id)
    version = int(version_in_force(versions, [period])[0])
    if version == 0:
        raise ModelError(
            f"no version of scorecard {scorecard_id!r} is in force in {period!r}: the first "
            f"takes effect from {versions['effective_from'].iloc[0]!r}. Evaluate a later "
            "period, or name a version"
        )
    return version, store.load_definition(scorecard_id, version)


def indicator_signature(scorecard: Scorecard, indicator: str) -> tuple[Any, ...]:
    """What defines an indicator's series: unit, formula, scoring, polarity and the source
    mapping rules for it. Two versions with different signatures break the series.

    Examples
    --------
    >>> sc = Scorecard.from_dict({"id": "a", "objectives": [{"id": "o",
    ...     "perspective": "financial", "indicators": [{"id": "x", "unit": "EUR"}]}]})
    >>> indicator_signature(sc, "x")[0]
    'EUR'
    """
    ind = scorecard.indicator(indicator)
    mapping = []
    for src in scorecard.sources:
        if src.mapping is None:
            continue
        data = src.mapping.to_dict()
        rules = [r for r in data.get("rules", []) if r.get("indicator") == indicator]
        if rules:
            data["rules"] = rules
            mapping.append((src.id, src.uri, repr(sorted(data.items(), key=lambda kv: kv[0]))))
    return (ind.unit, ind.formula, ind.scoring, ind.polarity.value, tuple(mapping))


def evaluate_history(
    store: Store,
    scorecard_id: str,
    observations: pd.DataFrame,
    *,
    periods: Sequence[str] | None = None,
    version: int | None = None,
    **evaluate_options: Any,
) -> pd.DataFrame:
    """Score history with the definition in force in each period (or one named version).

    Parameters
    ----------
    store, scorecard_id
        Where the versions are.
    observations
        The long observation frame (as for :meth:`Scorecard.evaluate`).
    periods
        Only these period labels in the result (default: every evaluated period).
    version
        Evaluate every period with this version instead (reproduces what it scored).
    **evaluate_options
        Passed to :meth:`Scorecard.evaluate` (``targets``, ``org_unit``, ``adjust``...).

    Returns
    -------
    pandas.DataFrame
        The rows of ``Evaluation.to_frame(period=False)`` for each span with the version in
        force, span by span, plus ``version`` (int) and ``series_break`` (bool).

    Raises
    ------
    ModelError
        A version effective before the first period of the observations (naming both), a
        period no version is in force in, or effective dates out of order.
    """
    if version is not None:
        sc = store.load_definition(scorecard_id, version)
        frame = sc.evaluate(observations, **evaluate_options).to_frame(period=False)
        frame["version"] = np.int64(version)
        frame["series_break"] = False
        return _only(frame, periods)
    versions = effective_versions(store, scorecard_id)
    latest = int(versions["version"].iloc[-1])
    evaluations = {latest: store.load_definition(scorecard_id, latest)}
    first = evaluations[latest].evaluate(observations, **evaluate_options)
    labels = list(first.period_labels)
    dated = np.array([isinstance(e, str) and e < labels[0] for e in versions["effective_from"]])
    early = versions[dated]
    if not early.empty:
        row = early.iloc[0]
        raise ModelError(
            f"version {row['version']} of scorecard {scorecard_id!r} takes effect from "
            f"{row['effective_from']!r}, before the first period of the observations "
            f"({labels[0]!r}): its earlier periods cannot be re-scored. Pass observations "
            f"from {row['effective_from']!r} on, or evaluate with version={row['version']}"
        )
    in_force = version_in_force(versions, labels)
    if (in_force == 0).any():
        gap = labels[int(np.flatnonzero(in_force == 0)[0])]
        raise ModelError(
            f"no version of scorecard {scorecard_id!r} is in force in {gap!r}: the first "
            f"takes effect from {versions['effective_from'].iloc[0]!r}. Evaluate from then "
            "on (start=...), or name a version"
        )
    parts: list[pd.DataFrame] = []
    previous: Scorecard | None = None
    # Spans: runs of equal versions along the periods (versions never go back in time).
    starts = np.flatnonzero(np.r_[True, in_force[1:] != in_force[:-1]])
    ends = np.r_[starts[1:], len(labels)]
    for s, e in zip(starts, ends, strict=True):
        v = int(in_force[s])
        if v == latest:
            sc, ev = evaluations[latest], first
        else:
            sc = store.load_definition(scorecard_id, v)
            ev = sc.evaluate(observations, **evaluate_options)
        frame = ev.to_frame(period=False)
        span = labels[s:e]
        frame = frame[frame["period"].astype(str).isin(span)].reset_index(drop=True)
        frame["version"] = np.int64(v)
        broken = np.zeros(len(frame), dtype=bool)
        if previous is not None:
            old = {i.id for i in previous.indicators}
            changed = [
                i.id
                for i in sc.indicators
                if i.id in old
                and indicator_signature(sc, i.id) != indicator_signature(previous, i.id)
            ]
            broken = (
                (frame["kind"].astype(str) == "indicator")
                & frame["node"].isin(changed)
                & (frame["period"].astype(str) == span[0])
            ).to_numpy()
        frame["series_break"] = broken
        parts.append(frame)
        previous = sc
    return _only(pd.concat(parts, ignore_index=True), periods)


def _only(frame: pd.DataFrame, periods: Sequence[str] | None) -> pd.DataFrame:
    if periods is None:
        return frame
    wanted = [str(p) for p in periods]
    unknown = sorted(set(wanted) - set(frame["period"].astype(str)))
    if unknown:
        raise ModelError(
            f"periods {unknown} were not evaluated; the evaluated periods are "
            f"{sorted(set(frame['period'].astype(str)))}"
        )
    return frame[frame["period"].astype(str).isin(wanted)].reset_index(drop=True)
