"""Customer journey coverage: which indicators watch each stage, and which stages nobody does.

The public door is :mod:`balanced_scorecard.analytics.customer_insight`, whose docstring
states the conventions (stages, ``journey:`` and ``segment:`` tags).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import attrs
import numpy as np
import pandas as pd

from balanced_scorecard._suggest import did_you_mean
from balanced_scorecard.exceptions import ModelError, ObservationError
from balanced_scorecard.model import Scorecard

__all__ = ["JOURNEY_STAGES", "JourneyCoverage", "JourneySource", "journey_coverage"]

#: The default customer journey, in order.
JOURNEY_STAGES: tuple[str, ...] = (
    "acquisition",
    "onboarding",
    "use",
    "support",
    "renewal",
    "advocacy",
)

JourneySource = Scorecard | Mapping[str, str | Iterable[str]] | pd.DataFrame


@attrs.frozen(kw_only=True, eq=False)
class JourneyCoverage:
    """Which indicators watch each journey stage, and which stages nobody watches.

    Attributes
    ----------
    stages
        The journey, in order.
    segments
        The segments asked for (empty when coverage is not per segment).
    frame
        One row per stage (per segment and stage when ``segments`` is set): ``segment``
        (per-segment only), ``stage``, ``position`` (1 = first stage), ``indicators`` (a
        sorted tuple of ids), ``n_indicators`` and ``covered``.
    uncovered
        Stages that no indicator covers, in journey order.
    gaps
        ``(segment, stage)`` pairs with no indicator (per-segment only).
    """

    stages: tuple[str, ...]
    segments: tuple[str, ...]
    frame: pd.DataFrame
    uncovered: tuple[str, ...]
    gaps: tuple[tuple[str, str], ...]

    @property
    def coverage_pct(self) -> float:
        """Percent of the stages that at least one indicator covers."""
        return 100.0 * (len(self.stages) - len(self.uncovered)) / len(self.stages)

    def uncovered_in(self, segment: str) -> tuple[str, ...]:
        """The stages with no indicator for one segment."""
        if segment not in self.segments:
            raise ModelError(
                f"no segment {segment!r} in this coverage report; it has {list(self.segments)}."
                + did_you_mean(segment, self.segments)
            )
        return tuple(stage for seg, stage in self.gaps if seg == segment)


def _check_names(kind: str, names: Sequence[str]) -> tuple[str, ...]:
    out = tuple(names)
    if not out:
        raise ModelError(f"{kind} must not be empty")
    bad = [n for n in out if not isinstance(n, str) or not n]
    if bad:
        raise ModelError(f"{kind} must be non-empty strings; got {bad}")
    dupes = sorted({n for n in out if out.count(n) > 1})
    if dupes:
        raise ModelError(f"{kind} must be unique; {dupes} appear more than once")
    return out


def _links(
    source: JourneySource, tag_prefix: str, segment_prefix: str, segment_column: str
) -> pd.DataFrame:
    """(stage, indicator, segment) rows; segment is None where an indicator covers them all."""
    rows: list[tuple[str, str, str | None]] = []
    if isinstance(source, Scorecard):
        for ind in source.indicators:
            stages = [t[len(tag_prefix) :] for t in ind.tags if t.startswith(tag_prefix)]
            segs: list[str | None] = [
                t[len(segment_prefix) :] for t in ind.tags if t.startswith(segment_prefix)
            ]
            rows += [(st, ind.id, sg) for st in stages for sg in (segs or [None])]
    elif isinstance(source, pd.DataFrame):
        missing = [c for c in ("stage", "indicator") if c not in source.columns]
        if missing:
            raise ObservationError(
                f"a journey frame needs columns 'stage' and 'indicator'; {missing} not found "
                f"in {list(source.columns)}"
            )
        if source[["stage", "indicator"]].isna().any().any():
            raise ObservationError("journey rows without a stage or indicator; drop or fill them")
        seg = (
            source[segment_column].astype(object).where(source[segment_column].notna(), None)
            if segment_column in source.columns
            else pd.Series([None] * len(source), index=source.index, dtype=object)
        )
        rows = list(
            zip(source["stage"].astype(str), source["indicator"].astype(str), seg, strict=True)
        )
    elif isinstance(source, Mapping):
        for stage, ids in source.items():
            for ind_id in [ids] if isinstance(ids, str) else list(ids):
                rows.append((str(stage), str(ind_id), None))
    else:
        raise ModelError(
            "journey_coverage needs a Scorecard, a mapping stage -> indicator ids, or a frame "
            f"with 'stage' and 'indicator' columns; got {type(source).__name__}"
        )
    return pd.DataFrame(rows, columns=["stage", "indicator", "segment"]).astype({"segment": object})


def journey_coverage(
    source: JourneySource,
    *,
    stages: Sequence[str] = JOURNEY_STAGES,
    segments: Sequence[str] | None = None,
    tag_prefix: str = "journey:",
    segment_prefix: str = "segment:",
    segment_column: str = "segment",
) -> JourneyCoverage:
    """Map the customer journey to indicators and report the stages left uncovered.

    Parameters
    ----------
    source
        Where the mapping comes from: a :class:`~balanced_scorecard.model.Scorecard` whose
        indicators carry tags such as ``journey:onboarding`` (and optionally
        ``segment:smb``); a mapping ``{stage: indicator id or ids}``; or a frame with columns
        ``stage``, ``indicator`` and optionally ``segment_column`` (missing: all segments).
    stages
        The journey, in order; default :data:`JOURNEY_STAGES`. A stage named by the source but
        not listed here is an error (a typo must not hide a gap).
    segments
        Report per segment: every listed segment gets every stage. An indicator with no
        segment covers all of them; a segment named by the source but not listed is an error.
    tag_prefix, segment_prefix
        Tag prefixes read from a scorecard's indicators.
    segment_column
        The segment column of a frame source.

    Returns
    -------
    JourneyCoverage
        ``.frame`` (every stage exactly once, per segment), ``.uncovered`` and ``.gaps``.

    Examples
    --------
    >>> cov = journey_coverage({"acquisition": ["leads", "win_rate"], "use": "active_users",
    ...                         "renewal": []})
    >>> cov.frame[["stage", "n_indicators", "covered"]]
             stage  n_indicators  covered
    0  acquisition             2     True
    1   onboarding             0    False
    2          use             1     True
    3      support             0    False
    4      renewal             0    False
    5     advocacy             0    False
    >>> cov.uncovered
    ('onboarding', 'support', 'renewal', 'advocacy')
    """
    stage_list = _check_names("stages", stages)
    links = _links(source, tag_prefix, segment_prefix, segment_column)
    unknown = sorted(set(links["stage"]) - set(stage_list))
    if unknown:
        hint = "".join(did_you_mean(u, stage_list) for u in unknown)
        raise ModelError(
            f"unknown journey stage(s) {unknown}; the stages are {list(stage_list)}.{hint} "
            "Fix the name or pass stages= with the full journey."
        )
    position = pd.Series(np.arange(1, len(stage_list) + 1), index=pd.Index(stage_list))
    if segments is None:
        seg_list: tuple[str, ...] = ()
        keys = ["stage"]
        grid = pd.DataFrame({"stage": list(stage_list)})
    else:
        seg_list = _check_names("segments", segments)
        named = links["segment"].dropna()
        strays = sorted(set(named.astype(str)) - set(seg_list))
        if strays:
            hint = "".join(did_you_mean(s, seg_list) for s in strays)
            raise ModelError(
                f"unknown segment(s) {strays}; segments= lists {list(seg_list)}.{hint} Add "
                "them to segments= or fix the tags."
            )
        everyone = links[links["segment"].isna()].drop(columns="segment")
        spread = everyone.merge(pd.DataFrame({"segment": list(seg_list)}), how="cross")
        links = pd.concat([links[links["segment"].notna()], spread], ignore_index=True)
        keys = ["segment", "stage"]
        grid = pd.MultiIndex.from_product([seg_list, stage_list], names=keys).to_frame(index=False)
    ids = (
        links.drop_duplicates([*keys, "indicator"])
        .sort_values([*keys, "indicator"])
        .groupby(keys, sort=False)["indicator"]
        .agg(tuple)
        .rename("indicators")
    )
    frame = grid.merge(ids, left_on=keys, right_index=True, how="left")
    frame["indicators"] = [t if isinstance(t, tuple) else () for t in frame["indicators"]]
    frame.insert(len(keys), "position", position.reindex(frame["stage"]).to_numpy())
    frame["n_indicators"] = frame["indicators"].map(len).astype(np.int64)
    frame["covered"] = frame["n_indicators"] > 0
    frame = frame.reset_index(drop=True)
    covered_any = frame.groupby("stage", sort=False)["covered"].any()
    uncovered = tuple(s for s in stage_list if not covered_any[s])
    gaps: tuple[tuple[str, str], ...] = ()
    if segments is not None:
        holes = frame.loc[~frame["covered"], ["segment", "stage"]]
        gaps = tuple(zip(holes["segment"].astype(str), holes["stage"].astype(str), strict=True))
    return JourneyCoverage(
        stages=stage_list, segments=seg_list, frame=frame, uncovered=uncovered, gaps=gaps
    )
