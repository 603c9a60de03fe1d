"""The definition format as data: one table of fields per section.

The loader checks keys, types and choices against these tables, :func:`json_schema` is
generated from them and the format reference documents them, so the three cannot drift.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from balanced_scorecard.algorithms.rollup import MISSING_POLICIES
from balanced_scorecard.model.enums import (
    Classification,
    LeadLag,
    OrgAggregation,
    Polarity,
    Tier,
    TimeAggregation,
)
from balanced_scorecard.model.people import Role

__all__ = ["ROLE_SHORTCUTS", "SECTIONS", "Field", "Section"]

Kind = Literal[
    "string",  # text
    "number",  # finite int or float, not a boolean
    "integer",
    "boolean",
    "strings",  # one string or a list of strings
    "period",  # a period label: "2025-03", 2025, or a date
    "weight",  # a number, or a mapping {value, changes}
    "scoring",  # a method name, or a mapping {method, allow_overflow, <params>}
    "mapping",  # free-form key/value options
    "sign",  # "+", "-", "positive", "negative", 1, -1
    "section",  # one nested mapping of another section
    "sections",  # a list of mappings of another section
]

#: Accepted spellings of a frequency; aliases are the pandas period codes.
FREQUENCIES = ("daily", "weekly", "monthly", "quarterly", "yearly", "D", "W", "M", "Q", "Y")
SIGNS: tuple[str | int, ...] = ("+", "-", "positive", "negative", 1, -1)
_CLASSIFICATIONS = tuple(c.value for c in Classification)


@dataclass(frozen=True)
class Field:
    """One key of a section: what it holds, whether it must be there, what it may be."""

    name: str
    kind: Kind
    description: str
    required: bool = False
    nullable: bool = False
    choices: tuple[str | int, ...] = ()
    #: Choices that come from a registry an Engine may extend: ``"rollup"`` or ``"scoring"``.
    registry: Literal["rollup", "scoring"] | None = None
    #: For kinds ``section`` and ``sections``: the section of the nested mappings.
    section: str | None = None
    minimum: float | None = None
    maximum: float | None = None
    #: The default, for the reference docs (the model's own default is what applies).
    default: Any = None


@dataclass(frozen=True)
class Section:
    """A kind of mapping in the document (the scorecard itself, an objective, a link...)."""

    name: str
    title: str
    description: str
    fields: tuple[Field, ...]
    #: What a bare string means where a mapping of this section is expected, if allowed.
    shorthand: str | None = None

    @property
    def names(self) -> tuple[str, ...]:
        """The keys this section accepts, in documentation order."""
        return tuple(f.name for f in self.fields)

    def field(self, name: str) -> Field:
        """The field called ``name``."""
        return next(f for f in self.fields if f.name == name)


def _values(enum: Any) -> tuple[str, ...]:
    return tuple(m.value for m in enum)


def _list(name: str, section: str, description: str) -> Field:
    return Field(name, "sections", description, section=section)


def _enum(name: str, choices: tuple[str, ...], description: str, default: str | None) -> Field:
    return Field(name, "string", description, choices=choices, default=default)


def _rollup(description: str) -> Field:
    return Field("rollup", "string", description, registry="rollup", default="weighted_mean")


def _opt(name: str, kind: Kind, description: str) -> Field:
    return Field(name, kind, description, nullable=True)


_ID = Field("id", "string", "Unique id; ids are shared by perspectives, objectives, "
            "indicators and initiatives.", required=True)  # fmt: skip
_NAME = Field("name", "string", "Display name.", default="")
_DESCRIPTION = Field("description", "string", "Free text.", default="")
_TAGS = Field("tags", "strings", "Labels for filtering and grouping.", default=[])
_WEIGHT = Field("weight", "weight", "Weight in its parent's rollup (>= 0): a number, or "
                "{value, changes: {period: weight}} for a weight that changes over time.",
                default=1)  # fmt: skip
_TIER = "Who it is for: the executive (strategic) or the operation (operational)."

#: Keys that assign people to the node they sit on, and the role each gives.
ROLE_SHORTCUTS: dict[str, Role] = {
    "owner": Role.OWNER,
    "data_steward": Role.DATA_STEWARD,
    "review_facilitator": Role.REVIEW_FACILITATOR,
    "executive_sponsor": Role.EXECUTIVE_SPONSOR,
    "contributors": Role.CONTRIBUTOR,
}
_PEOPLE = tuple(
    Field(
        key,
        "strings",
        f"Shortcut: one {role.value} assignment for this node per person "
        "(a person or a list of people).",
    )
    for key, role in ROLE_SHORTCUTS.items()
)

_THRESHOLD_FIELDS = (
    _opt("baseline", "number", "Where the indicator started."),
    _opt("red_flag", "number", "The value that scores 1/3 (boundary of red)."),
    _opt("target", "number", "The goal, which scores 2/3 (boundary of green)."),
    _opt("stretch", "number", "An ambitious value that scores 1."),
    _opt("lower", "number", "Lower bound of the good range (in_range)."),
    _opt("upper", "number", "Upper bound of the good range (in_range)."),
)

# fmt: off
_SECTIONS: tuple[Section, ...] = (
    Section("scorecard", "Scorecard", "The top level of a definition document.", (
        Field("$schema", "string", "URL or path of the JSON Schema, for editors; ignored."),
        _ID, _NAME, _DESCRIPTION,
        _enum("review_frequency", FREQUENCIES, "How often the scorecard is reviewed.",
              "monthly"),
        _opt("calendar", "string", "The fiscal calendar review periods follow: `fiscal:4` "
             "or `fiscal year starting April` (April to March), "
             "`retail:4-5-4:feb:sat:nearest:start` (52/53-week years); absent or `calendar` "
             "means calendar months. Periods are then labelled FY2026-Q3, FY2026-P07."),
        _rollup("How perspective scores combine into the scorecard score."),
        _enum("missing", MISSING_POLICIES, "What a missing child score does to its parent: "
              "ignore it and renormalise the weights, propagate (parent missing), or count it "
              "as zero.", "ignore"),
        Field("weights_total", "number", "When set (e.g. 1 or 100), the weights of the "
              "children of every parent must add up to it; `bsc check` reports the parents "
              "whose weights do not.", nullable=True, minimum=0),
        _list("status_bands", "status_band", "Ordered statuses; default red, amber, green."),
        _list("perspectives", "perspective", "Perspectives, top of the strategy map first; "
              "default Financial, Customer, Internal Process, Learning & Growth."),
        _list("org_units", "org_unit", "The org tree: nested with `children`, flat with "
              "`parent`, or both; default one unit `all`."),
        _list("objectives", "objective", "Strategic objectives with their indicators."),
        _list("indicators", "indicator", "Indicators listed flat, each naming its `objective`."),
        _list("links", "link", "Cause-and-effect links of the strategy map."),
        _list("initiatives", "initiative", "Projects meant to move objectives."),
        _list("assignments", "assignment", "Who holds which role for which node."),
        _list("targets", "target", "Inline target rows: the target set `default`."),
        _list("target_sets", "target_set", "Named target sets (budget, forecast), inline or "
              "from a CSV file."),
        _list("sources", "source", "Where observations come from."),
        _list("adjustments", "adjustment", "Adjusters applied to every evaluation's "
              "observations, in this order (fx, inflation, one_time or a plugin's)."),
        Field("output_policy", "section", "Which data classifications each role may see in "
              "outputs; default: public and internal for everyone.", section="output_policy"),
    )),
    Section("status_band", "Status band", "A status and the lowest score that earns it.", (
        Field("name", "string", "Status name, e.g. red.", required=True),
        Field("lower", "number", "Lowest score (inclusive) of the band, in [0, 1].",
              required=True, minimum=0, maximum=1),
        Field("color", "string", "Display colour (quote hex colours in YAML).",
              default="#999999"),
        Field("is_good", "boolean", "Whether the status counts as good (share_green).",
              default=False),
    )),
    Section("perspective", "Perspective", "A perspective of the scorecard.", (
        _ID, _NAME, _WEIGHT, _rollup("How the perspective's objective scores combine."),
        _DESCRIPTION, *_PEOPLE,
    )),
    Section("org_unit", "Org unit", "A unit of the org tree.", (
        Field("id", "string", "Unique org unit id.", required=True),
        _NAME,
        _opt("parent", "string", "Id of the parent unit; null or absent at the root. Units "
             "nested under `children` get their parent from the nesting."),
        Field("weight", "number", "Weight where a parent averages its children.", minimum=0,
              default=1),
        _TAGS,
        _list("children", "org_unit", "Units below this one."),
    )),
    Section("objective", "Objective", "A strategic objective within a perspective.", (
        _ID, _NAME,
        Field("perspective", "string", "Id of its perspective.", required=True),
        _WEIGHT, _rollup("How the objective's indicator scores combine."),
        _opt("parent", "string", "Id of the objective it cascades from."),
        _opt("org_unit", "string", "Org unit whose scorecard holds it; absent means the "
             "enterprise. `bsc check` follows `parent` up to an enterprise objective."),
        _enum("tier", _values(Tier), _TIER, "strategic"),
        _TAGS, _DESCRIPTION,
        _list("indicators", "indicator", "Indicators measuring this objective."),
        *_PEOPLE,
    )),
    Section("indicator", "Indicator", "A measure (KPI) of an objective.", (
        _ID, _NAME,
        Field("objective", "string", "Id of the objective it measures; required for "
              "indicators listed flat, implied by nesting under an objective."),
        Field("unit", "string", "A unit: EUR, percent, day, count, dimensionless, ...",
              default="dimensionless"),
        _enum("polarity", _values(Polarity), "Which direction is good.", "higher_better"),
        _enum("lead_lag", _values(LeadLag), "Leading (driver) or lagging (outcome).",
              "lagging"),
        _enum("frequency", FREQUENCIES, "How often it is measured.", "monthly"),
        _enum("time_aggregation", _values(TimeAggregation), "How observations within a "
              "period combine.", "mean"),
        _enum("org_aggregation", _values(OrgAggregation), "How child org units combine; "
              "default sum for sum and last, ratio_of_sums and weighted_mean as in time, "
              "otherwise mean.", None),
        _opt("formula", "string", "Expression over other indicator ids for a calculated "
             "indicator, e.g. `on_time / deliveries * 100`."),
        Field("scoring", "scoring", "A scoring method name, or a mapping of method, "
              "allow_overflow and the method's params.", registry="scoring",
              default="goal_red_flag"),
        Field("thresholds", "section", "Default comparison values.", section="thresholds"),
        _WEIGHT,
        _enum("tier", _values(Tier), _TIER, "operational"),
        _TAGS, _DESCRIPTION,
        _opt("max_age", "string", "Acceptable refresh interval: how old (by `as_of`) the "
             "latest value may be before it is flagged stale, e.g. '1 day', '36h', '35 days'."),
        Field("valid_range", "section", "Plausible values in the indicator's unit; rows "
              "outside are quarantined. `{}` declares any value plausible.",
              section="valid_range"),
        Field("classification", "string", "How sensitive its values are; absent: the most "
              "sensitive of the source fields that feed it (or of a formula's inputs).",
              nullable=True, choices=_CLASSIFICATIONS),
        Field("template", "string", "A catalogue entry (`bsc catalogue`) whose name, unit, "
              "polarity, lead/lag, aggregations, formula and description fill the keys this "
              "indicator does not set."),
        *_PEOPLE,
    )),
    Section("thresholds", "Thresholds", "Default comparison values of an indicator.",
            _THRESHOLD_FIELDS),
    Section("valid_range", "Valid range", "The plausible values of an indicator; an absent "
            "end is open.", (
        _opt("min", "number", "Smallest plausible value."),
        _opt("max", "number", "Largest plausible value."),
    )),
    Section("weight", "Weight", "A weight that changes over time.", (
        Field("value", "number", "Weight from the start.", minimum=0, default=1),
        Field("changes", "mapping", "Period label -> weight from that period on.", default={}),
    )),
    Section("scoring", "Scoring", "A scoring method and its params (as further keys).", (
        Field("method", "string", "Scoring method name.", required=True, registry="scoring"),
        Field("allow_overflow", "boolean", "Keep scores outside [0, 1] instead of clamping.",
              default=False),
    )),
    Section("link", "Causal link", "A hypothesis of the strategy map: cause drives effect.", (
        Field("cause", "string", "Objective or indicator id.", required=True),
        Field("effect", "string", "Objective or indicator id.", required=True),
        Field("sign", "sign", "+ when more cause means more effect, - for the opposite.",
              choices=SIGNS, default="+"),
        Field("weight", "number", "Strength of the link (>= 0).", minimum=0, default=1),
        Field("lag", "integer", "Delay in review periods.", minimum=0, default=0),
        Field("feedback", "boolean", "Part of a deliberate loop (a cycle needs it on every "
              "link).", default=False),
        _DESCRIPTION,
    )),
    Section("initiative", "Initiative", "A project supporting objectives.", (
        _ID, _NAME,
        Field("objectives", "strings", "Ids of the objectives it supports.", default=[]),
        _opt("owner", "string", "Who runs it."),
        _opt("start", "period", "First period."),
        _opt("end", "period", "Last period."),
        _opt("budget", "number", "Budget amount."),
        Field("status", "string", "E.g. planned, active, done.", default="planned"),
        _DESCRIPTION,
    )),
    Section("assignment", "Assignment", "A person holding a role for a node.", (
        Field("role", "string", "The role.", required=True, choices=_values(Role)),
        Field("person", "string", "Who.", required=True),
        Field("node", "string", "Perspective, objective, indicator or initiative id.",
              required=True),
        _opt("org_unit", "string", "Org unit it applies in; absent means every unit."),
        Field("share", "number", "For a contributor: the agreed fraction of the outcome it "
              "answers for; a node's contributor shares add up to 1.", minimum=0, maximum=1),
    )),
    Section("target", "Target row", "Thresholds for one indicator, optionally per org unit "
            "and span of periods.", (
        Field("indicator", "string", "Indicator id.", required=True),
        _opt("org_unit", "string", "Org unit id; absent means every unit."),
        Field("period", "period", "One period: sets start and end."),
        _opt("start", "period", "First period (inclusive); absent means open."),
        _opt("end", "period", "Last period (inclusive); absent means open."),
        *_THRESHOLD_FIELDS,
    )),
    Section("target_set", "Target set", "A named set of targets.", (
        Field("name", "string", "Set name, e.g. budget.", required=True),
        Field("provenance", "string", "Where the numbers come from; default the file name.",
              default=""),
        Field("file", "string", "CSV file of target rows (columns as a target row), "
              "relative to the definition file."),
        _list("targets", "target", "Inline target rows."),
    )),
    Section("adjustment", "Adjustment", "An adjuster and its options.", (
        Field("adjuster", "string", "Name of a registered adjuster.", required=True),
        Field("options", "mapping", "Its options; relative CSV paths are relative to the "
              "definition file.", default={}),
        _DESCRIPTION,
    )),
    Section("source", "Data source", "Where observations come from.", (
        Field("id", "string", "Source id.", required=True),
        Field("uri", "string", "URI (csv:obs.csv, sqlite:///x.db) or a path.", required=True),
        Field("options", "mapping", "Options for the source plugin.", default={}),
        _DESCRIPTION,
        _enum("classification", _CLASSIFICATIONS, "Classification of the source's fields "
              "not listed in `fields`.", "internal"),
        Field("fields", "mapping", "Classification per field (column), e.g. "
              "{salary: confidential, employee_name: personal}.", default={}),
        Field("mapping", "section", "When the source holds raw facts (order lines, "
              "tickets): how they become indicator values.", section="fact_mapping"),
    ), shorthand="a bare path or URI; the id is the file name without extension"),
    Section("fact_mapping", "Fact mapping", "Raw fact rows to indicator values: columns, code "
            "tables, filters and one rule per indicator; runs where the facts live (pandas, "
            "Polars, DuckDB, Dask, or SQL in the database).", (
        Field("date", "string", "Column with each fact's date or timestamp.", required=True),
        _list("rules", "fact_rule", "One rule per indicator."),
        _opt("org_unit", "string", "Column with the org-unit code."),
        Field("org_codes", "mapping", "Code table: source code -> org-unit id.", default={}),
        _opt("default_org_unit", "string", "Org unit of facts without an org_unit column."),
        _opt("unit", "string", "Column with each fact's unit or currency."),
        Field("where", "mapping", "Conditions every fact must meet: {column: value}, "
              "{column: [values]} or {column: {op: value}} with op one of eq, ne, lt, le, gt, "
              "ge, in, not_in, is_null, not_null.", default={}),
        _opt("timezone", "string", "The organisation's IANA time zone; timestamps fall in the "
             "day they are there."),
        _opt("source_timezone", "string", "Zone of naive timestamps (default UTC when "
             "timezone is set)."),
        _enum("stamp", ("event", "end"), "event: the date is when the fact happened; end: "
              "the boundary closing its period (moved back a day).", "event"),
        Field("reporting_lag", "integer", "Days after a period's end until its facts are "
              "known; sets as_of.", nullable=True, minimum=0),
    )),
    Section("fact_rule", "Fact rule", "How the facts of an (org unit, period) become one "
            "indicator's value.", (
        Field("indicator", "string", "Indicator id.", required=True),
        _enum("transform", ("count", "sum", "distinct", "mean", "min", "max", "ratio"),
              "count rows, sum/mean/min/max of value, distinct values, or the ratio of the "
              "numerator's rows (or sum) to all rows (or sum).", "sum"),
        _opt("value", "string", "Column summed, averaged or counted distinct."),
        Field("where", "mapping", "Conditions of this rule's facts (as the mapping's).",
              default={}),
        Field("numerator", "mapping", "For ratio: conditions of the numerator's facts.",
              default={}),
        _opt("unit", "string", "Unit of the values (default: the unit column, else the "
             "indicator's)."),
    )),
    Section("output_policy", "Output policy", "The most sensitive data classification each "
            "role may see in outputs; personal data is never shown.", (
        _enum("default", _CLASSIFICATIONS[:3], "Ceiling for every role not listed, and when no "
              "role is given.", "internal"),
        Field("roles", "mapping", "Role -> its own ceiling, e.g. {executive_sponsor: "
              "confidential, contributor: public}.", default={}),
        Field("views", "mapping", "Role (a governance role or your own, e.g. "
              "bu_north_manager) -> what it may see: {org_units, perspectives, tiers, ceiling, "
              "disclose_hidden} (see role views).", default={}),
    )),
)
# fmt: on

#: Every section by name.
SECTIONS: dict[str, Section] = {s.name: s for s in _SECTIONS}
