"""Reading the org tree and the target sets (inline rows and CSV files) of a definition."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from balanced_scorecard._suggest import did_you_mean
from balanced_scorecard.exceptions import ModelError, Problem
from balanced_scorecard.model import OrgChart, OrgUnit, Target, TargetSet
from balanced_scorecard.model.targets import THRESHOLD_FIELDS

from ._reader import Loc, Reader
from ._spec import SECTIONS

__all__ = ["TARGET_COLUMNS", "read_org_chart", "read_target_sets"]

#: Columns a CSV target file may have.
TARGET_COLUMNS = ("indicator", "org_unit", "period", "start", "end", *THRESHOLD_FIELDS)


# The model's `converter=to_tuple` fields take Iterable[_T_co], which mypy cannot match; these
# builders pass their lists untyped.
def _chart(units: list[OrgUnit]) -> OrgChart:
    kwargs: dict[str, Any] = {"units": units}
    return OrgChart(**kwargs)


def _target_set(name: str, provenance: str, rows: list[Target]) -> TargetSet:
    kwargs: dict[str, Any] = {"targets": rows}
    return TargetSet(name=name, provenance=provenance, **kwargs)


def _org_units(
    r: Reader, items: Any, path: str, parent: str | None, out: list[tuple[OrgUnit, str]]
) -> None:
    for upath, item in r.items(items, path):
        vals = r.mapping(item, SECTIONS["org_unit"], upath)
        if vals is None:
            continue
        vals.setdefault("id", f"<{upath}>")
        if parent is not None:
            if vals.setdefault("parent", parent) != parent:
                r.add(
                    f"{upath}.parent",
                    f"org unit {vals['id']!r} is nested under {parent!r} but names parent "
                    f"{vals['parent']!r}; remove the key or move the unit",
                )
            vals["parent"] = parent
        children = vals.pop("children", [])
        unit = r.build(OrgUnit, vals, upath, ("id", "parent"))
        if unit is not None:
            out.append((unit, upath))
        _org_units(r, children, f"{upath}.children", vals["id"], out)


def read_org_chart(r: Reader, top: Mapping[str, Any]) -> OrgChart:
    """The org chart, with duplicate ids, unknown parents, roots and cycles located."""
    if "org_units" not in top:
        return OrgChart()
    units: list[tuple[OrgUnit, str]] = []
    _org_units(r, top["org_units"], "org_units", None, units)
    before = len(r.problems)
    first: dict[str, str] = {}
    for unit, path in units:
        if unit.id in first:
            r.add(
                f"{path}.id",
                f"duplicate org unit id {unit.id!r}: already used at "
                f"{first[unit.id]}; org unit ids must be unique",
            )
        first.setdefault(unit.id, path)
    roots = [(u, p) for u, p in units if u.parent is None]
    for unit, path in units:
        if unit.parent is not None and unit.parent not in first:
            r.add(
                f"{path}.parent",
                f"{unit.parent!r} is not a known org unit." + did_you_mean(unit.parent, first),
            )
    if not roots:
        r.add("org_units", "the org tree has no root: exactly one org unit must have no parent")
    for unit, path in roots[1:]:
        r.add(
            path,
            f"org unit {unit.id!r} has no parent, but {roots[0][0].id!r} at "
            f"{roots[0][1]} is already the root; give it a parent (exactly one unit may have "
            "none)",
        )
    if len(r.problems) == before:
        try:
            return _chart([u for u, _ in units])
        except ModelError as exc:  # a cycle of parents: the one check not made above
            r.add("org_units", str(exc))
    # A star of every id lets references to org units still be checked.
    ids = list(dict.fromkeys(u.id for u, _ in units)) or ["all"]
    return _chart([OrgUnit(id=ids[0]), *(OrgUnit(id=u, parent=ids[0]) for u in ids[1:])])


def _row(r: Reader, item: Any, path: str, rows: list[Target], locs: list[Loc]) -> None:
    vals = r.mapping(item, SECTIONS["target"], path)
    if vals is None or "indicator" not in vals:
        return
    given = frozenset(vals)
    if "period" in vals:
        if "start" in vals or "end" in vals:
            r.add(f"{path}.period", "give either period or start/end, not both")
        period = vals.pop("period")
        vals["start"] = vals["end"] = period
    row = r.build(Target, vals, path, ("indicator",))
    if row is not None:
        rows.append(row)
        locs.append(Loc(path, given))


def _csv_rows(r: Reader, file: str, spath: str, rows: list[Target], locs: list[Loc]) -> None:
    import pandas as pd  # the pandas edge: only definitions with CSV targets pay for it

    path = Path(file)
    if not path.is_absolute() and r.base_dir is not None:
        path = Path(r.base_dir) / path
    where = f"{spath}.file"
    try:
        frame = pd.read_csv(
            path, dtype=str, keep_default_na=False, skip_blank_lines=False, encoding="utf-8-sig"
        )
    except FileNotFoundError:
        r.add(
            where,
            f"target file not found: {path} (relative paths are relative to the definition file)",
        )
        return
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        r.add(where, f"cannot read target file {path}: {exc}")
        return
    frame.columns = [str(c).strip() for c in frame.columns]
    unknown = [c for c in frame.columns if c not in TARGET_COLUMNS]
    for c in unknown:
        r.add(
            where,
            f"{path}: unknown column {c!r}."
            + (did_you_mean(c, TARGET_COLUMNS) or f" Allowed: {', '.join(TARGET_COLUMNS)}."),
        )
    if "indicator" not in frame.columns:
        r.add(where, f"{path}: the column 'indicator' is missing")
    if unknown or "indicator" not in frame.columns:
        return
    csv = str(path)
    # Rows are few (one per indicator, unit and span), so a loop here costs nothing.
    for i, record in enumerate(frame.to_dict("records")):
        line = i + 2  # the header is line 1
        cells = {k: str(v).strip() for k, v in record.items() if str(v).strip()}
        if not cells:
            continue

        def bad(column: str, message: str, line: int = line) -> None:
            r.problems.append(Problem(path=column, message=message, source=csv, line=line))

        values: dict[str, Any] = {
            k: cells.get(k) for k in ("indicator", "org_unit", "start", "end")
        }
        if "period" in cells:
            if "start" in cells or "end" in cells:
                bad("period", "give either period or start/end, not both")
            values["start"] = values["end"] = cells["period"]
        if not values["indicator"]:
            bad("indicator", "the indicator id is empty")
            continue
        for name in THRESHOLD_FIELDS:
            if name in cells:
                try:
                    values[name] = float(cells[name])
                except ValueError:
                    bad(name, f"expected a number, got {cells[name]!r}")
        rows.append(Target(**values))
        locs.append(Loc(spath, source=csv, line=line))


def read_target_sets(r: Reader, top: Mapping[str, Any]) -> list[TargetSet]:
    """Inline ``targets`` (the set ``default``) first, then each of ``target_sets``."""
    sets: list[TargetSet] = []

    def keep(ts: TargetSet, locs: list[Loc], path: str) -> None:
        if any(s.name == ts.name for s in sets):
            r.add(
                path,
                f"target set name {ts.name!r} is used twice; names must be unique"
                + (" (inline `targets` are the set 'default')" if ts.name == "default" else ""),
            )
        r.locs[f"target_sets[{len(sets)}].targets"] = locs
        sets.append(ts)

    if "targets" in top:
        rows: list[Target] = []
        locs: list[Loc] = []
        for path, item in r.items(top["targets"], "targets"):
            _row(r, item, path, rows, locs)
        keep(_target_set("default", "inline", rows), locs, "targets")
    for spath, item in r.items(top.get("target_sets", []), "target_sets"):
        vals = r.mapping(item, SECTIONS["target_set"], spath)
        if vals is None or "name" not in vals:
            continue
        rows, locs = [], []
        if "file" in vals:
            _csv_rows(r, vals["file"], spath, rows, locs)
        for path, row in r.items(vals.get("targets", []), f"{spath}.targets"):
            _row(r, row, path, rows, locs)
        provenance = vals.get("provenance", vals.get("file", ""))
        keep(_target_set(vals["name"], provenance, rows), locs, f"{spath}.name")
    return sets
