"""Knowledge metrics: documentation completeness and reuse of knowledge assets.

The public door is :mod:`balanced_scorecard.analytics.people`, whose docstring states the
conventions.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from balanced_scorecard.analytics._frames import flag_column, number_column, require_columns
from balanced_scorecard.analytics._segments import (
    By,
    finish_segments,
    group_by_segment,
    safe_ratio,
    segment_columns,
    segment_frame,
)

__all__ = ["documentation_completeness", "reuse_rate"]


def documentation_completeness(
    documents: pd.DataFrame,
    *,
    present: str = "present",
    required: str | None = None,
    by: By = None,
) -> pd.DataFrame:
    """Share of required documents that are present, per segment.

    Parameters
    ----------
    documents
        One row per expected document (e.g. per process and document type).
    present
        Boolean column: the document exists (and is current, if that is what you check).
    required
        Optional boolean column; rows where it is False are not counted. Default: every row
        is required.
    by
        Segment column(s).

    Returns
    -------
    pandas.DataFrame
        ``required``, ``present`` and ``completeness`` (NaN when nothing is required).

    Examples
    --------
    >>> df = pd.DataFrame({"present": [True, True, False, True],
    ...                    "mandatory": [True, True, True, False]})
    >>> documentation_completeness(df, required="mandatory").round(3)
       required  present  completeness
    0         3        2         0.667
    """
    cols = segment_columns(by)
    extra = [required] if required is not None else []
    frame = require_columns(
        documents, [present, *extra, *cols], what="documents", options="present=, required=, by="
    )
    have = flag_column(frame, present)
    need = flag_column(frame, required) if required is not None else np.ones(len(frame), np.bool_)
    work = segment_frame(frame, cols, {"required": need, "present": have & need})
    out = group_by_segment(work, cols).sum().astype(np.int64)
    out["completeness"] = safe_ratio(out["present"], out["required"])
    return finish_segments(out, cols)


def reuse_rate(assets: pd.DataFrame, *, uses: str = "reuses", by: By = None) -> pd.DataFrame:
    """Share of knowledge assets (documents, components, templates) reused at least once.

    Parameters
    ----------
    assets
        One row per asset.
    uses
        Column of the number of reuses (non-negative; the original use is not a reuse).
    by
        Segment column(s).

    Returns
    -------
    pandas.DataFrame
        ``assets``, ``reused``, ``reuse_rate`` and ``mean_reuses`` (reuses per asset).

    Examples
    --------
    >>> reuse_rate(pd.DataFrame({"reuses": [0, 3, 1, 0]}))
       assets  reused  reuse_rate  mean_reuses
    0       4       2         0.5         1.0
    """
    cols = segment_columns(by)
    frame = require_columns(assets, [uses, *cols], what="assets", options="uses=, by=")
    n = number_column(frame, uses)
    work = segment_frame(
        frame, cols, {"assets": np.ones(len(frame), np.int64), "reused": n > 0, "_n": n}
    )
    out = group_by_segment(work, cols).sum()
    out["assets"] = out["assets"].astype(np.int64)
    out["reused"] = out["reused"].astype(np.int64)
    out["reuse_rate"] = safe_ratio(out["reused"], out["assets"])
    out["mean_reuses"] = out["_n"] / out["assets"]
    return finish_segments(out.drop(columns="_n"), cols)
