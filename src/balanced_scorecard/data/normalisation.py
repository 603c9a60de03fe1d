"""The normalised view beside the reported one.

A *normalising* adjuster, such as the built-in ``one_time`` (declared one-time events: a
plant sale, a flood, a licence refund), turns what happened into what recurs. The figures
as reported must not disappear behind it: like an "adjusted EBITDA" reconciled to the
reported one, both stay available and every difference is traced to its reason.

When an evaluation runs a normalising step, the engine evaluates the same observations a
second time without it (:attr:`~balanced_scorecard.Evaluation.reported`). This module puts
the two side by side, cell by cell: which (indicator, org unit, period) changed, by how
much, what it did to the score and status, and which events caused it, directly, through
the org units below or through a formula's inputs. Currency translation and deflation are
not normalisation: they restate every value in another unit of money (the group's
currency, the money of a base year) without changing what happened, so both views get them.

Everything works on the evaluation's arrays at once; only the few event notes are joined
as text.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from balanced_scorecard.formulas import Formula

if TYPE_CHECKING:
    from balanced_scorecard.results import Evaluation

__all__ = ["COMPARE_COLUMNS", "VIA", "compare_reported", "normalising_notes"]

#: Columns of :func:`compare_reported`, in order.
COMPARE_COLUMNS = (
    "indicator",
    "org_unit",
    "period",
    "unit",
    "reported",
    "normalised",
    "difference",
    "reported_score",
    "normalised_score",
    "reported_status",
    "normalised_status",
    "via",
    "events",
)

#: How a cell came to be normalised, most direct first: an event on its own observations,
#: events of the org units below it (aggregated into it), or events of a formula's inputs.
VIA = ("event", "org units below", "formula inputs")

_KEYS = ["indicator", "org_unit", "period"]


def normalising_notes(normalised: Evaluation, reported: Evaluation) -> pd.DataFrame:
    """Per adjusted observation, the part of its adjustment note that the normalising steps
    added: columns ``indicator``, ``org_unit``, ``period`` and ``note``.

    Each observation's notes in the normalised evaluation are paired with the same
    observation's notes in the reported one; what the reported note lacks (appended after
    it, or put before it when the normalising step ran first) is the normalisation.

    Examples
    --------
    >>> import attrs
    >>> from balanced_scorecard.results import _demo
    >>> ev = _demo()
    >>> cols = ["indicator", "org_unit", "period", "note"]
    >>> n = attrs.evolve(ev, adjustments=pd.DataFrame(
    ...     [["revenue", "all", "2025-02", "fx USD→EUR @ 0.9 (average 2025-02); one-time: sale"]],
    ...     columns=cols))
    >>> r = attrs.evolve(ev, adjustments=pd.DataFrame(
    ...     [["revenue", "all", "2025-02", "fx USD→EUR @ 0.9 (average 2025-02)"]], columns=cols))
    >>> normalising_notes(n, r)["note"].tolist()
    ['one-time: sale']
    """
    empty = pd.DataFrame({k: pd.Series(dtype=object) for k in (*_KEYS, "note")})
    n = normalised.adjustments
    if not len(n):
        return empty
    r = reported.adjustments
    # The k-th noted observation of a cell in one view is the k-th in the other: both views
    # validate the same rows in the same order.
    n = n.assign(k=n.groupby(_KEYS, sort=False).cumcount())
    if len(r):
        r = r.assign(k=r.groupby(_KEYS, sort=False).cumcount()).rename(columns={"note": "before"})
        n = n.merge(r, on=[*_KEYS, "k"], how="left")
    else:
        n = n.assign(before="")
    note = n["note"].astype(object).fillna("").astype(str).to_numpy(dtype=object)
    before = n["before"].astype(object).fillna("").astype(str).to_numpy(dtype=object)
    rows = np.flatnonzero(note != before)
    extra = _added_steps(note[rows], before[rows])
    keep = extra != ""
    out = n.iloc[rows[keep]][_KEYS].reset_index(drop=True)
    out["note"] = extra[keep]
    return out if len(out) else empty


def _steps(text: np.ndarray) -> pd.DataFrame:
    """The ``"; "``-separated steps of each note: ``row``, ``pos`` from the start, ``back``
    from the end, and ``step``."""
    parts = pd.Series(text, dtype=object).str.split("; ", regex=False).explode()
    parts = parts[parts.notna() & (parts != "")]
    row = parts.index.to_numpy(dtype=np.int64)
    pos = pd.Series(row).groupby(row).cumcount().to_numpy()
    back = np.bincount(row, minlength=len(text))[row] - 1 - pos
    return pd.DataFrame(
        {"row": row, "pos": pos, "back": back, "step": parts.to_numpy(dtype=object)}
    )


def _added_steps(note: np.ndarray, before: np.ndarray) -> np.ndarray:
    """What ``note`` has beyond ``before``: the steps between their longest common start and
    end, whatever the position the normalising step ran at (first, last or between)."""
    mine, theirs = _steps(note), _steps(before)
    n_mine = np.bincount(mine["row"], minlength=len(note))
    n_theirs = np.bincount(theirs["row"], minlength=len(note))

    def run(on: str) -> np.ndarray:
        # Length of the leading run of equal steps, counted from the start or the end.
        same = mine.merge(theirs, on=["row", on], how="left", suffixes=("", "_t"))
        same = same.sort_values(["row", on], kind="stable")
        equal = (same["step"] == same["step_t"]).astype(np.int64)
        lead = equal.groupby(same["row"].to_numpy()).cumprod()
        return np.bincount(same["row"], weights=lead, minlength=len(note)).astype(np.int64)

    head = run("pos")
    tail = np.minimum(run("back"), np.minimum(n_theirs, n_mine) - head)
    added = mine[
        (mine["pos"].to_numpy() >= head[mine["row"]])
        & (mine["back"].to_numpy() >= tail[mine["row"]])
    ]
    out = np.full(len(note), "", dtype=object)
    joined = added.groupby("row", sort=True)["step"].agg("; ".join)
    out[joined.index.to_numpy(dtype=np.int64)] = joined.to_numpy(dtype=object)
    return out


def _empty() -> pd.DataFrame:
    frame = pd.DataFrame({c: pd.Series(dtype=object) for c in COMPARE_COLUMNS})
    numeric = ("reported", "normalised", "difference", "reported_score", "normalised_score")
    return frame.astype(dict.fromkeys(numeric, np.float64))


def _ancestor_pairs(ev: Evaluation) -> tuple[np.ndarray, np.ndarray]:
    """Every (unit, ancestor) pair among the evaluated units, as positions in ``ev.units``."""
    chart = ev.scorecard.org_chart
    parents = [chart.unit(u).parent for u in ev.units]
    up = pd.Index(list(ev.units)).get_indexer(
        pd.Index([p if p is not None else "" for p in parents])
    )
    below, above = [], []
    unit, anc = np.arange(len(ev.units)), up
    # One step up the tree per pass: as many passes as the tree is deep.
    while (anc >= 0).any():
        ok = anc >= 0
        below.append(unit[ok])
        above.append(anc[ok])
        unit, anc = unit[ok], up[anc[ok]]
    if not below:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    return np.concatenate(below), np.concatenate(above)


def _formula_inputs(ev: Evaluation) -> tuple[np.ndarray, np.ndarray]:
    """Every (input, calculated indicator) pair, inputs of inputs included, as positions."""
    ids = list(ev.indicators.ids)
    pos = {i: k for k, i in enumerate(ids)}
    direct = {
        pos[i.id]: {pos[n] for n in Formula(text=i.formula).names if n in pos}
        for i in ev.scorecard.indicators
        if i.formula is not None and i.id in pos
    }
    inputs, targets = [], []
    # A loop over the few calculated indicators, never over cells.
    for k in direct:
        seen: set[int] = set()
        todo = list(direct[k])
        while todo:
            d = todo.pop()
            if d not in seen:
                seen.add(d)
                todo.extend(direct.get(d, ()))
        inputs.extend(sorted(seen))
        targets.extend([k] * len(seen))
    return np.asarray(inputs, dtype=np.int64), np.asarray(targets, dtype=np.int64)


def _cell_events(ev: Evaluation, notes: pd.DataFrame) -> pd.DataFrame:
    """Event notes per cell: ``cell`` (flat position), ``via`` (code into :data:`VIA`),
    ``text``; own events, then those of the units below, then those of formula inputs."""
    n_u, n_p = len(ev.units), len(ev.period_labels)
    ind = pd.Index(list(ev.indicators.ids)).get_indexer(pd.Index(notes["indicator"]))
    unit = pd.Index(list(ev.units)).get_indexer(pd.Index(notes["org_unit"]))
    per = pd.Index(list(ev.period_labels)).get_indexer(pd.Index(notes["period"]))
    ok = (ind >= 0) & (unit >= 0) & (per >= 0)
    ind, unit, per = ind[ok], unit[ok], per[ok]
    text = notes["note"].to_numpy(dtype=object)[ok]
    own = pd.DataFrame({"ind": ind, "unit": unit, "per": per, "via": 0, "text": text})
    below, above = _ancestor_pairs(ev)
    up = own.merge(pd.DataFrame({"unit": below, "above": above}), on="unit")
    labels = np.asarray(ev.units, dtype=object)
    rolled = pd.DataFrame(
        {
            "ind": up["ind"].to_numpy(),
            "unit": up["above"].to_numpy(),
            "per": up["per"].to_numpy(),
            "via": 1,
            "text": labels[up["unit"].to_numpy()] + ": " + up["text"].to_numpy(dtype=object),
        }
    )
    both = pd.concat([own, rolled], ignore_index=True)
    src, dst = _formula_inputs(ev)
    fed = both.merge(pd.DataFrame({"ind": src, "target": dst}), on="ind")
    ids = np.asarray(ev.indicators.ids, dtype=object)
    via_inputs = pd.DataFrame(
        {
            "ind": fed["target"].to_numpy(),
            "unit": fed["unit"].to_numpy(),
            "per": fed["per"].to_numpy(),
            "via": 2,
            "text": ids[fed["ind"].to_numpy()] + ": " + fed["text"].to_numpy(dtype=object),
        }
    )
    out = pd.concat([both, via_inputs], ignore_index=True)
    cell = (out["ind"].to_numpy() * n_u + out["unit"].to_numpy()) * n_p + out["per"].to_numpy()
    return pd.DataFrame({"cell": cell, "via": out["via"].to_numpy(), "text": out["text"]})


def compare_reported(ev: Evaluation, *, period: str | bool | None = False) -> pd.DataFrame:
    """The normalised evaluation ``ev`` beside its reported view, one row per indicator
    cell that normalisation changed (see :meth:`Evaluation.compare_reported
    <balanced_scorecard.Evaluation.compare_reported>`).

    A cell is listed when its value differs between the views or when an event note
    reaches it (an event of amount 0 is still shown). ``difference`` is normalised minus
    reported; ``via`` says how the events reached the cell (the most direct way when
    several did), and ``events`` joins their notes with ``"; "``, prefixed by the org unit
    below or the formula input they came through.

    Examples
    --------
    >>> from balanced_scorecard.results import _demo
    >>> list(compare_reported(_demo()).columns[:6])
    ['indicator', 'org_unit', 'period', 'unit', 'reported', 'normalised']
    """
    rep = ev.reported
    if rep is None:
        return _empty()
    p_sel = (
        np.arange(len(ev.period_labels))
        if period is False
        else np.array([ev.period_index(period if isinstance(period, str) else None)])
    )
    n_i, n_u, n_p = ev.indicators.actual.shape
    a, b = rep.indicators.actual, ev.indicators.actual
    differs = ~((a == b) | (np.isnan(a) & np.isnan(b)))
    events = _cell_events(ev, normalising_notes(ev, rep))
    flat = np.zeros(n_i * n_u * n_p, dtype=bool)
    flat[np.flatnonzero(differs)] = True
    flat[events["cell"].to_numpy(dtype=np.int64)] = True
    in_period = np.zeros(n_p, dtype=bool)
    in_period[p_sel] = True
    cells = np.flatnonzero(flat & np.tile(in_period, n_i * n_u))
    if not len(cells):
        return _empty()
    events = events[np.isin(events["cell"].to_numpy(), cells)]
    grouped = events.sort_values(["cell", "via"], kind="stable").groupby("cell", sort=True)
    joined = grouped["text"].agg("; ".join)
    via_code = np.full(len(cells), -1, dtype=np.int64)
    text = np.full(len(cells), "", dtype=object)
    where = np.searchsorted(cells, joined.index.to_numpy(dtype=np.int64))
    via_code[where] = grouped["via"].min().to_numpy()
    text[where] = joined.to_numpy(dtype=object)
    i, rest = np.divmod(cells, n_u * n_p)
    u, p = np.divmod(rest, n_p)
    names = np.asarray(ev.status_names, dtype=object)

    def status(codes: np.ndarray) -> np.ndarray:
        return np.asarray(np.where(codes >= 0, names[np.maximum(codes, 0)], None))

    units = np.array([ind.unit for ind in ev.scorecard.indicators], dtype=object)
    by_id = pd.Index([ind.id for ind in ev.scorecard.indicators])
    reported, normalised = a[i, u, p], b[i, u, p]
    return pd.DataFrame(
        {
            "indicator": np.asarray(ev.indicators.ids, dtype=object)[i],
            "org_unit": np.asarray(ev.units, dtype=object)[u],
            "period": np.asarray(ev.period_labels, dtype=object)[p],
            "unit": units[by_id.get_indexer(pd.Index(list(ev.indicators.ids)))][i],
            "reported": reported,
            "normalised": normalised,
            "difference": normalised - reported,
            "reported_score": rep.indicators.score[i, u, p],
            "normalised_score": ev.indicators.score[i, u, p],
            "reported_status": status(rep.indicators.status[i, u, p].astype(np.int64)),
            "normalised_status": status(ev.indicators.status[i, u, p].astype(np.int64)),
            "via": np.where(via_code >= 0, np.asarray(VIA, dtype=object)[via_code], ""),
            "events": text,
        }
    )
