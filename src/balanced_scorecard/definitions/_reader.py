"""Plain data in the definition format to a :class:`Scorecard`, with every problem located.

Reading happens in two passes. The first checks each mapping against its field table and
builds the model objects one by one, so a bad value, an unknown key or a model validator's
complaint is reported at that object's path. The second hands the objects to
:func:`~balanced_scorecard.model.validation.structure_problems` with a ``locate`` callback
that maps each model object back to where it stands in the document.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any, TypeVar

import attrs

from balanced_scorecard._uri import split_scheme
from balanced_scorecard.algorithms.scoring import ScoringMethod
from balanced_scorecard.exceptions import DefinitionError, ModelError, Problem
from balanced_scorecard.model import (
    DEFAULT_PERSPECTIVES,
    DEFAULT_STATUS_BANDS,
    AdjustmentStep,
    Assignment,
    CausalLink,
    DataSource,
    Frequency,
    Indicator,
    Initiative,
    Objective,
    OutputPolicy,
    Perspective,
    Scorecard,
    StatusBand,
    Thresholds,
)
from balanced_scorecard.model.classification import to_role
from balanced_scorecard.model.enums import to_classification
from balanced_scorecard.model.mappings import FactMapping, FactRule
from balanced_scorecard.model.periods import FiscalCalendar, to_calendar
from balanced_scorecard.model.validation import structure_problems

from ._check import Checker, show
from ._spec import ROLE_SHORTCUTS, SECTIONS

__all__ = ["Loc", "Reader", "read_scorecard", "source_id"]

T = TypeVar("T")

# Prefix of the paths handed to structure_problems for CSV rows; rewritten afterwards, since
# those problems belong to another file.
_CSV_MARK = "\0csv:"


@dataclass(frozen=True)
class Loc:
    """Where a model object came from: its document path and the keys it was given, or, for a
    row of a CSV file, that file and the row's line."""

    path: str
    keys: frozenset[str] = frozenset()
    source: str | None = None
    line: int | None = None


def _fields(cls: type) -> set[str]:
    return {a.name for a in attrs.fields(cls)}


def source_id(uri: str) -> str:
    """The id of a source given as a bare path or URI: the file name without extension.

    Examples
    --------
    >>> source_id("csv:data/observations.csv"), source_id("obs.parquet")
    ('observations', 'obs')
    """
    path = split_scheme(uri)[1]
    return PurePosixPath(path.replace("\\", "/")).stem or uri


class Reader(Checker):
    """A :class:`Checker` that also builds model objects and remembers where each came from."""

    def __init__(
        self,
        *,
        source: str | None,
        lines: Mapping[str, int] | None,
        base_dir: str | None,
        scoring_methods: Mapping[str, ScoringMethod],
        rollup_methods: Collection[str],
    ) -> None:
        super().__init__(
            source=source,
            lines=lines,
            scoring_methods=scoring_methods,
            rollup_methods=rollup_methods,
        )
        self.base_dir = base_dir
        self.locs: dict[str, list[Loc]] = {}
        self.assignments: list[Assignment] = []
        self._csv_paths: dict[str, tuple[str, Loc]] = {}

    # -- building -------------------------------------------------------------------------

    def build(
        self, cls: type[T], kwargs: dict[str, Any], path: str, minimal: tuple[str, ...]
    ) -> T | None:
        """``cls(**kwargs)``; on a model error, report it at ``path`` and return a stand-in
        built from the ``minimal`` keys so references to the object do not fail as well."""
        try:
            return cls(**kwargs)
        except (ModelError, ValueError, TypeError) as exc:
            self.add(path, str(exc))
        try:
            return cls(**{k: kwargs[k] for k in minimal if k in kwargs})
        except (ModelError, ValueError, TypeError):
            return None

    def keep(self, collection: str, items: list[T], item: T | None, loc: Loc) -> None:
        """Append a built object and remember its location (index-aligned with the list)."""
        if item is not None:
            items.append(item)
            self.locs.setdefault(collection, []).append(loc)

    def shortcuts(self, vals: Mapping[str, Any], node: str, path: str) -> None:
        """Assignments from the role keys (``owner: cfo``) of a perspective/objective/indicator."""
        for key, role in ROLE_SHORTCUTS.items():
            for person in vals.get(key, ()):
                self.keep(
                    "assignments",
                    self.assignments,
                    Assignment(role=role, person=person, node=node),
                    Loc(f"{path}.{key}"),
                )

    def locate(self, collection: str, index: int, field: str = "") -> tuple[str, int | None]:
        """The ``locate`` callback of ``structure_problems``."""
        loc = self.locs[collection][index]
        if loc.source is not None:
            mark = f"{_CSV_MARK}{len(self._csv_paths)}"
            self._csv_paths[mark] = (field, loc)
            return mark, loc.line
        head = field.split(".")[0].split("[")[0]
        path = f"{loc.path}.{field}" if field and head in loc.keys else loc.path
        line = self.line(path)
        return path, line if line is not None else self.line(loc.path)

    def relocate(self, problem: Problem) -> Problem:
        """Point a problem about a CSV row at that file and line."""
        if not problem.path.startswith(_CSV_MARK):
            return problem
        field, loc = self._csv_paths[problem.path]
        return Problem(path=field, message=problem.message, source=loc.source, line=loc.line)

    def classified(
        self, vals: Mapping[str, Any], key: str, path: str, check_key: Callable[[str], object]
    ) -> bool:
        """Check a ``{name: classification}`` mapping (source ``fields``, policy ``roles``),
        reporting each bad entry at its own path; False if any is bad."""
        ok = True
        for name, given in dict(vals.get(key) or {}).items():
            try:
                check_key(str(name))
                to_classification(given)
            except ModelError as exc:
                self.add(f"{path}.{key}.{name}", str(exc))
                ok = False
        return ok

    # -- sections -------------------------------------------------------------------------

    def status_bands(self, top: Mapping[str, Any]) -> tuple[StatusBand, ...]:
        if "status_bands" not in top:
            return DEFAULT_STATUS_BANDS
        bands: list[StatusBand] = []
        for path, item in self.items(top["status_bands"], "status_bands"):
            vals = self.mapping(item, SECTIONS["status_band"], path)
            if vals is not None and {"name", "lower"} <= vals.keys():
                self.keep(
                    "status_bands",
                    bands,
                    self.build(StatusBand, vals, path, ()),
                    Loc(path, frozenset(vals)),
                )
        names = [b.name for b in bands]
        for i, name in enumerate(names):
            if name in names[:i]:
                self.add(
                    f"{self.locs['status_bands'][i].path}.name",
                    f"status band {name!r} is defined twice; band names must be unique",
                )
        if not top["status_bands"]:
            self.add(
                "status_bands",
                "give at least one status band, or remove the key for the default red/amber/green",
            )
        elif len(bands) == len(top["status_bands"]) and min(b.lower for b in bands) != 0:
            self.add(
                "status_bands",
                "the lowest status band must start at 0 so that every score has a status",
            )
        return tuple(bands)

    def perspectives(self, top: Mapping[str, Any]) -> list[Perspective]:
        out: list[Perspective] = []
        if "perspectives" not in top:
            for i, p in enumerate(DEFAULT_PERSPECTIVES):
                self.keep("perspectives", out, p, Loc(f"perspectives[{i}] (default)"))
            return out
        keys = _fields(Perspective)
        for path, item in self.items(top["perspectives"], "perspectives"):
            vals = self.mapping(item, SECTIONS["perspective"], path)
            if vals is None:
                continue
            vals.setdefault("id", f"<{path}>")
            kwargs = {k: v for k, v in vals.items() if k in keys}
            self.keep(
                "perspectives",
                out,
                self.build(Perspective, kwargs, path, ("id",)),
                Loc(path, frozenset(vals)),
            )
            self.shortcuts(vals, vals["id"], path)
        return out

    def objectives(
        self, top: Mapping[str, Any], perspectives: list[Perspective]
    ) -> tuple[list[Objective], list[Indicator]]:
        objectives: list[Objective] = []
        indicators: list[Indicator] = []
        keys = _fields(Objective)
        for path, item in self.items(top.get("objectives", []), "objectives"):
            vals = self.mapping(item, SECTIONS["objective"], path)
            if vals is None:
                continue
            vals.setdefault("id", f"<{path}>")
            # A stand-in keeps a broken objective from also failing every reference to it.
            vals.setdefault("perspective", perspectives[0].id if perspectives else "")
            kwargs = {k: v for k, v in vals.items() if k in keys}
            self.keep(
                "objectives",
                objectives,
                self.build(Objective, kwargs, path, ("id", "perspective")),
                Loc(path, frozenset(vals)),
            )
            self.shortcuts(vals, vals["id"], path)
            for ipath, ind in self.items(vals.get("indicators", []), f"{path}.indicators"):
                self.indicator(ind, ipath, indicators, nested_in=vals["id"])
        fallback = objectives[0].id if objectives else ""
        for ipath, ind in self.items(top.get("indicators", []), "indicators"):
            self.indicator(ind, ipath, indicators, fallback=fallback)
        return objectives, indicators

    def indicator(
        self,
        item: Any,
        path: str,
        out: list[Indicator],
        *,
        nested_in: str | None = None,
        fallback: str = "",
    ) -> None:
        vals = self.mapping(item, SECTIONS["indicator"], path)
        if vals is None:
            return
        if "template" in vals:
            vals = self.from_template(vals, path)
        given = frozenset(vals)
        vals.setdefault("id", f"<{path}>")
        if nested_in is not None:
            if vals.setdefault("objective", nested_in) != nested_in:
                self.add(
                    f"{path}.objective",
                    f"this indicator is nested under objective {nested_in!r} but names "
                    f"objective {vals['objective']!r}; remove the key or move it",
                )
            vals["objective"] = nested_in
        elif "objective" not in vals:
            if isinstance(item, Mapping) and "objective" not in item:
                self.add(
                    path,
                    "missing required key 'objective': an indicator listed flat "
                    "names the objective it measures (or nest it under the objective)",
                )
            vals["objective"] = fallback
        if "thresholds" in vals:
            t = self.mapping(vals["thresholds"], SECTIONS["thresholds"], f"{path}.thresholds")
            vals["thresholds"] = Thresholds(**(t or {}))
        if "frequency" in vals:
            vals["frequency"] = Frequency.parse(vals["frequency"])
        if "valid_range" in vals:
            r = self.mapping(vals["valid_range"], SECTIONS["valid_range"], f"{path}.valid_range")
            vals["valid_range"] = None if r is None else (r.get("min"), r.get("max"))
        keys = _fields(Indicator)
        kwargs = {k: v for k, v in vals.items() if k in keys}
        self.keep(
            "indicators",
            out,
            self.build(Indicator, kwargs, path, ("id", "objective")),
            Loc(path, given),
        )
        self.shortcuts(vals, vals["id"], path)

    def links(self, top: Mapping[str, Any]) -> list[CausalLink]:
        out: list[CausalLink] = []
        for path, item in self.items(top.get("links", []), "links"):
            vals = self.mapping(item, SECTIONS["link"], path)
            if vals is not None and {"cause", "effect"} <= vals.keys():
                self.keep(
                    "links", out, self.build(CausalLink, vals, path, ()), Loc(path, frozenset(vals))
                )
        return out

    def initiatives(self, top: Mapping[str, Any]) -> list[Initiative]:
        out: list[Initiative] = []
        for path, item in self.items(top.get("initiatives", []), "initiatives"):
            vals = self.mapping(item, SECTIONS["initiative"], path)
            if vals is not None:
                given = frozenset(vals)
                vals.setdefault("id", f"<{path}>")
                self.keep(
                    "initiatives",
                    out,
                    self.build(Initiative, vals, path, ("id",)),
                    Loc(path, given),
                )
        return out

    def explicit_assignments(self, top: Mapping[str, Any]) -> None:
        for path, item in self.items(top.get("assignments", []), "assignments"):
            vals = self.mapping(item, SECTIONS["assignment"], path)
            if vals is not None and {"role", "person", "node"} <= vals.keys():
                self.keep(
                    "assignments",
                    self.assignments,
                    self.build(Assignment, vals, path, ()),
                    Loc(path, frozenset(vals)),
                )

    def from_template(self, vals: dict[str, Any], path: str) -> dict[str, Any]:
        """The indicator's keys over its catalogue template's (see ``bsc catalogue``)."""
        from balanced_scorecard.catalogue import template

        name = str(vals.pop("template"))
        try:
            entry = template(name)
        except ModelError as exc:
            self.add(f"{path}.template", str(exc))
            return vals
        entry = {"id": vals.get("id", name), **entry}
        base = self.mapping(entry, SECTIONS["indicator"], f"{path}.template") or {}
        return {**base, **vals}

    def fact_mapping(self, value: Any, path: str) -> FactMapping | None:
        """A source's fact mapping, each rule checked at its own path."""
        vals = self.mapping(value, SECTIONS["fact_mapping"], path)
        if vals is None:
            return None
        rules: list[FactRule] = []
        for rule_path, item in self.items(vals.get("rules", []), f"{path}.rules"):
            before = len(self.problems)
            rule = self.mapping(item, SECTIONS["fact_rule"], rule_path)
            # A rule with a bad key is reported once, not again for what the key left out.
            if rule is not None and "indicator" in rule and len(self.problems) == before:
                built = self.build(FactRule, rule, rule_path, ())
                if built is None:
                    return None
                rules.append(built)
        if "date" not in vals:
            return None
        return self.build(FactMapping, {**vals, "rules": rules}, path, ())

    def sources(self, top: Mapping[str, Any]) -> list[DataSource]:
        out: list[DataSource] = []
        for path, item in self.items(top.get("sources", []), "sources"):
            if isinstance(item, str):
                vals: dict[str, Any] | None = {"id": source_id(item), "uri": item}
            elif not isinstance(item, Mapping):
                self.add(
                    path,
                    f"expected a path or URI, or a mapping with keys id and uri; got {show(item)}",
                )
                continue
            else:
                vals = self.mapping(item, SECTIONS["source"], path)
            if vals is None or not {"id", "uri"} <= vals.keys():
                continue
            if not self.classified(vals, "fields", path, lambda k: None):
                continue
            if "mapping" in vals:
                vals["mapping"] = self.fact_mapping(vals["mapping"], f"{path}.mapping")
                if vals["mapping"] is None:
                    continue
            if any(s.id == vals["id"] for s in out):
                self.add(
                    path, f"source id {vals['id']!r} is used twice; give each source its own id"
                )
            self.keep(
                "sources", out, self.build(DataSource, vals, path, ()), Loc(path, frozenset(vals))
            )
        return out


def _adjustments(r: Reader, top: Mapping[str, Any]) -> list[AdjustmentStep]:
    out: list[AdjustmentStep] = []
    for path, item in r.items(top.get("adjustments", []), "adjustments"):
        vals = r.mapping(item, SECTIONS["adjustment"], path)
        if vals is None or "adjuster" not in vals:
            continue
        step = r.build(AdjustmentStep, vals, path, ())
        if step is not None:
            out.append(step)
    return out


def _output_policy(r: Reader, top: Mapping[str, Any]) -> OutputPolicy:
    if "output_policy" not in top:
        return OutputPolicy()
    vals = r.mapping(top["output_policy"], SECTIONS["output_policy"], "output_policy")
    if vals is None or not r.classified(vals, "roles", "output_policy", to_role):
        return OutputPolicy()
    views = vals.get("views") or {}
    if not isinstance(views, Mapping):
        r.add("output_policy.views", f"views must map role -> its view; got {views!r}")
        return OutputPolicy()
    bad = False
    for name, spec in views.items():
        try:
            OutputPolicy(views={name: spec})
        except ModelError as exc:
            r.add(f"output_policy.views.{name}", str(exc))
            bad = True
    if bad:
        return OutputPolicy()
    return r.build(OutputPolicy, vals or {}, "output_policy", ()) or OutputPolicy()


def read_scorecard(
    data: Any,
    *,
    source: str | None,
    lines: Mapping[str, int] | None,
    base_dir: str | None,
    scoring_methods: Mapping[str, ScoringMethod],
    rollup_methods: Collection[str],
    problems: Collection[Problem] = (),
) -> Scorecard:
    """Build a Scorecard from plain data or raise one DefinitionError with every problem."""
    from ._org_targets import read_org_chart, read_target_sets

    r = Reader(
        source=source,
        lines=lines,
        base_dir=base_dir,
        scoring_methods=scoring_methods,
        rollup_methods=rollup_methods,
    )
    r.problems.extend(problems)
    if not isinstance(data, Mapping):
        r.add(
            "",
            "a scorecard definition must be a mapping with keys such as id, name, "
            f"perspectives and objectives; got {_kind(data)}",
        )
        raise DefinitionError(r.problems)
    top = r.mapping(data, SECTIONS["scorecard"], "") or {}
    bands = r.status_bands(top)
    perspectives = r.perspectives(top)
    objectives, indicators = r.objectives(top, perspectives)
    chart = read_org_chart(r, top)
    links = r.links(top)
    initiatives = r.initiatives(top)
    r.explicit_assignments(top)
    target_sets = read_target_sets(r, top)
    sources = r.sources(top)
    adjustments = _adjustments(r, top)
    output_policy = _output_policy(r, top)
    calendar = _calendar(r, top)
    found = structure_problems(
        perspectives=perspectives,
        objectives=objectives,
        indicators=indicators,
        links=links,
        org_chart=chart,
        assignments=r.assignments,
        initiatives=initiatives,
        target_sets=target_sets,
        sources=sources,
        locate=r.locate,
        source=source,
    )
    r.problems.extend(r.relocate(p) for p in found)
    r.problems.extend(
        output_policy.problems(
            org_units=chart.ids, perspectives=[p.id for p in perspectives], source=source
        )
    )
    if r.problems:
        raise DefinitionError(_in_document_order(r.problems, source, lines))
    # Passed as Any: mypy cannot type the model's `converter=to_tuple` fields (see the report).
    parts: dict[str, Any] = {
        "perspectives": perspectives,
        "objectives": objectives,
        "indicators": indicators,
        "links": links,
        "assignments": r.assignments,
        "initiatives": initiatives,
        "target_sets": target_sets,
        "sources": sources,
        "adjustments": adjustments,
        "output_policy": output_policy,
    }
    return Scorecard(
        id=top["id"],
        name=top.get("name", ""),
        description=top.get("description", ""),
        review_frequency=Frequency.parse(top.get("review_frequency", "M")),
        org_chart=chart,
        status_bands=bands,
        rollup=top.get("rollup", "weighted_mean"),
        missing=top.get("missing", "ignore"),
        weights_total=top.get("weights_total"),
        calendar=calendar,
        origin=source,
        **parts,
    )


def _calendar(r: Reader, top: Mapping[str, Any]) -> FiscalCalendar | None:
    """The fiscal calendar of a ``calendar:`` spec, with a bad spec reported at its key."""
    try:
        calendar = to_calendar(top.get("calendar"))
    except ModelError as exc:
        r.add("calendar", str(exc))
        return None
    weekly = str(top.get("review_frequency", "")).strip().lower() in ("w", "weekly")
    if calendar is not None and weekly and not calendar.is_retail:
        r.add(
            "calendar",
            f"a weekly review needs a calendar of whole weeks, but {calendar.to_spec()!r} has "
            "calendar months; use a retail calendar such as 'retail:4-4-5:jan:sat:last', or "
            "review monthly",
        )
    return calendar


def _kind(data: Any) -> str:
    if data is None:
        return "an empty document"
    if isinstance(data, list | tuple):
        return "a list"
    return f"{type(data).__name__} {data!r}"[:80]


def _in_document_order(
    problems: list[Problem], source: str | None, lines: Mapping[str, int] | None
) -> list[Problem]:
    if not lines:
        return problems
    # Problems of the document by line, then those of other files (CSV targets); stable.
    return sorted(problems, key=lambda p: (p.source != source, p.source or "", p.line or 0))
