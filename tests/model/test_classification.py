"""Data classifications and output policies: the order, the derivation of an indicator's
classification, the policy's decisions, and their place in definition files."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from balanced_scorecard import (
    Classification,
    DataSource,
    DefinitionError,
    Indicator,
    Objective,
    OutputPolicy,
    Role,
    Scorecard,
)
from balanced_scorecard.definitions import dumps, loads, scorecard_from_dict, scorecard_to_dict
from balanced_scorecard.exceptions import ModelError
from balanced_scorecard.model.classification import (
    effective_classifications,
    feeding_fields,
    source_classification,
    to_role,
)

C = Classification
LEVELS = list(Classification)


def card(*indicators: Indicator, sources: tuple[DataSource, ...] = ()) -> Scorecard:
    return Scorecard(
        id="hr",
        objectives=[Objective(id="people", perspective="learning_growth")],
        indicators=list(indicators),
        sources=list(sources),
    )


def ind(id: str, **kw: Any) -> Indicator:
    return Indicator(id=id, objective="people", **kw)


# -- the vocabulary ---------------------------------------------------------------------------


def test_classifications_order_by_sensitivity_not_alphabet() -> None:
    # Alphabetically "confidential" < "internal" < "personal" < "public": exactly wrong.
    assert sorted([C.PERSONAL, C.PUBLIC, C.CONFIDENTIAL, C.INTERNAL]) == [
        C.PUBLIC,
        C.INTERNAL,
        C.CONFIDENTIAL,
        C.PERSONAL,
    ]
    assert max(C.INTERNAL, C.CONFIDENTIAL) is C.CONFIDENTIAL
    assert C.INTERNAL > "public"
    assert C.PERSONAL >= C.PERSONAL
    assert not C.CONFIDENTIAL <= C.INTERNAL


@given(st.sampled_from(LEVELS), st.sampled_from(LEVELS))
def test_comparison_agrees_with_rank(a: Classification, b: Classification) -> None:
    assert (a < b) == (a.rank < b.rank)
    assert (a <= b) == (a.rank <= b.rank)
    assert (a > b) == (a.rank > b.rank)
    assert (a >= b) == (a.rank >= b.rank)


def test_an_unknown_classification_names_the_choices() -> None:
    with pytest.raises(ModelError, match=r"'secret' is not a data classification. Use one of"):
        ind("x", classification="secret")
    with pytest.raises(ModelError, match=r"field 'salary': 'top' is not a data classification"):
        DataSource(id="hr", uri="hr.csv", fields={"salary": "top"})


# -- the policy -------------------------------------------------------------------------------

POLICY = OutputPolicy(roles={"executive_sponsor": "confidential", "contributor": "public"})

# (role, classification, may see?) under POLICY, written out by hand from its definition.
DECISIONS = [
    (None, C.PUBLIC, True),
    (None, C.INTERNAL, True),
    (None, C.CONFIDENTIAL, False),
    (None, C.PERSONAL, False),
    ("owner", C.INTERNAL, True),
    ("owner", C.CONFIDENTIAL, False),
    ("data_steward", C.CONFIDENTIAL, False),
    ("executive_sponsor", C.INTERNAL, True),
    ("executive_sponsor", C.CONFIDENTIAL, True),
    ("executive_sponsor", C.PERSONAL, False),
    ("contributor", C.PUBLIC, True),
    ("contributor", C.INTERNAL, False),
    ("contributor", C.CONFIDENTIAL, False),
    ("review_facilitator", C.PERSONAL, False),
]


@pytest.mark.parametrize(("role", "classification", "allowed"), DECISIONS)
def test_policy_decisions(role: str | None, classification: C, allowed: bool) -> None:
    assert POLICY.allows(classification, role) is allowed


def test_the_default_policy_shows_public_and_internal_to_everyone() -> None:
    policy = OutputPolicy()
    for role in [None, *Role]:
        assert policy.ceiling(role) is C.INTERNAL
        assert policy.allows("internal", role)
        assert not policy.allows("confidential", role)


@given(
    st.sampled_from(LEVELS[:3]),
    st.dictionaries(st.sampled_from(list(Role)), st.sampled_from(LEVELS[:3])),
    st.sampled_from([None, *Role]),
)
def test_personal_data_is_never_allowed_and_clearance_is_a_ceiling(
    default: C, roles: dict[Role, C], role: Role | None
) -> None:
    policy = OutputPolicy(default=default, roles=roles)
    assert not policy.allows(C.PERSONAL, role)
    seen = [policy.allows(c, role) for c in LEVELS]
    # Allowed levels are a prefix of the order: seeing one level means seeing all below it.
    assert seen == sorted(seen, reverse=True)


@pytest.mark.parametrize(
    "kwargs", [{"default": "personal"}, {"roles": {"executive_sponsor": "personal"}}]
)
def test_a_personal_ceiling_is_refused(kwargs: dict[str, Any]) -> None:
    with pytest.raises(ModelError, match="personal data is never rendered"):
        OutputPolicy(**kwargs)


def test_unknown_roles_are_refused_with_a_suggestion() -> None:
    with pytest.raises(ModelError, match=r"unknown role 'executive_sponser'.*'executive_sponsor'"):
        OutputPolicy(roles={"executive_sponser": "confidential"})
    with pytest.raises(ModelError, match="unknown role 'ceo'"):
        POLICY.ceiling("ceo")
    assert to_role("Data_Steward") is Role.DATA_STEWARD


# -- which fields feed an indicator -------------------------------------------------------------


def test_feeding_fields_of_long_sources() -> None:
    assert feeding_fields(DataSource(id="a", uri="a.csv")) == ("value",)
    renamed = DataSource(
        id="pay",
        uri="sqlite:///pay.db",
        options={"columns": {"salary": "value", "bonus": "numerator", "kpi": "indicator"}},
    )
    assert feeding_fields(renamed) == ("salary", "bonus")
    # numerator/denominator count when the source names them, so an absent column does not
    # drag the source's default in.
    named = DataSource(id="b", uri="b.csv", fields={"denominator": "public"})
    assert feeding_fields(named) == ("value", "denominator")


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (DataSource(id="s", uri="s.csv"), C.INTERNAL),  # the default
        (DataSource(id="s", uri="s.csv", classification="public"), C.PUBLIC),
        # A personal name column does not make the values personal: it does not feed them.
        (DataSource(id="s", uri="s.csv", fields={"employee_name": "personal"}), C.INTERNAL),
        (DataSource(id="s", uri="s.csv", fields={"value": "confidential"}), C.CONFIDENTIAL),
        # The field's own classification wins over the source's, both ways.
        (
            DataSource(id="s", uri="s.csv", classification="personal", fields={"value": "public"}),
            C.PUBLIC,
        ),
        (
            DataSource(
                id="s",
                uri="sqlite:///s.db",
                options={"columns": {"salary": "value"}},
                fields={"salary": "confidential", "value": "public"},
            ),
            C.CONFIDENTIAL,
        ),
    ],
)
def test_source_classification(source: DataSource, expected: C) -> None:
    assert source_classification(source) is expected


# -- effective classification ----------------------------------------------------------------

PAYROLL = DataSource(id="payroll", uri="payroll.csv", fields={"value": "confidential"})
STAFF = DataSource(id="staff", uri="staff.csv", fields={"employee_name": "personal"})
PUBLISHED = DataSource(id="published", uri="published.csv", classification="public")


def test_effective_classification_explicit_source_field_and_formula() -> None:
    sc = card(
        ind("pay"),
        ind("heads"),
        ind("report"),
        ind("pay_per_head", formula="pay / heads"),
        ind("share", formula="heads / report"),
        ind("published_pay", formula="pay", classification="public"),
        ind("nested", formula="pay_per_head * 2"),
        ind("orphan"),
        ind("flagged", classification="personal"),
        sources=(PAYROLL, STAFF, PUBLISHED),
    )
    fed = {"pay": ["payroll"], "heads": ["staff"], "report": ["published"], "flagged": ["staff"]}
    got = effective_classifications(sc, fed_by=fed)
    assert got == {
        "pay": C.CONFIDENTIAL,  # its source's value field
        "heads": C.INTERNAL,  # the staff source's default; employee_name does not feed it
        "report": C.PUBLIC,  # the source's default classification
        "pay_per_head": C.CONFIDENTIAL,  # the max of its inputs
        "share": C.INTERNAL,  # max(internal, public)
        "published_pay": C.PUBLIC,  # explicit wins, even below its input
        "nested": C.CONFIDENTIAL,  # through a calculated input
        "orphan": C.INTERNAL,  # no source gave it values: undeclared means internal
        "flagged": C.PERSONAL,  # explicit wins above its source too
    }


def test_indicators_fed_by_several_sources_take_the_most_sensitive() -> None:
    sc = card(ind("pay"), sources=(PUBLISHED, PAYROLL))
    assert effective_classifications(sc, fed_by={"pay": ["published", "payroll"]}) == {
        "pay": C.CONFIDENTIAL
    }
    # A frame handed to evaluate() is an undeclared source.
    assert effective_classifications(sc, fed_by={"pay": ["published", "frame"]}) == {
        "pay": C.INTERNAL
    }


def test_without_evaluation_every_declared_source_may_feed_every_indicator() -> None:
    sc = card(ind("a"), ind("b", classification="internal"), sources=(PUBLISHED, PAYROLL))
    assert effective_classifications(sc) == {"a": C.CONFIDENTIAL, "b": C.INTERNAL}
    assert effective_classifications(card(ind("a"))) == {"a": C.INTERNAL}


@given(
    st.lists(st.sampled_from(LEVELS), min_size=1, max_size=4),
    st.sampled_from([None, *LEVELS]),
)
def test_a_calculated_indicator_is_at_least_as_sensitive_as_each_input(
    levels: list[C], explicit: C | None
) -> None:
    names = [f"in{k}" for k in range(len(levels))]
    inputs = [ind(n, classification=c) for n, c in zip(names, levels, strict=True)]
    calc = ind("calc", formula=" + ".join(names), classification=explicit)
    got = effective_classifications(card(*inputs, calc), fed_by={})
    assert got["calc"] == (explicit if explicit is not None else max(levels))


# -- definition files ----------------------------------------------------------------------------

DEFINITION = """\
id: hr
objectives:
  - id: people
    perspective: learning_growth
    indicators:
      - {id: payroll, unit: EUR, classification: confidential}
      - {id: headcount}
sources:
  - hr.csv
  - id: pay
    uri: "sqlite:///pay.db"
    classification: confidential
    fields: {employee_name: personal, team: internal}
output_policy:
  roles: {executive_sponsor: confidential, contributor: public}
"""


@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_classifications_and_policy_round_trip(fmt: str) -> None:
    sc = loads(DEFINITION, format="yaml")
    assert sc.indicator("payroll").classification is C.CONFIDENTIAL
    assert sc.indicator("headcount").classification is None
    hr, pay = sc.sources
    assert (hr.classification, hr.fields) == (C.INTERNAL, ())
    assert pay.field_classification("employee_name") is C.PERSONAL
    assert pay.field_classification("amount") is C.CONFIDENTIAL
    assert sc.output_policy == POLICY
    data = scorecard_to_dict(sc)
    assert data["sources"][0] == "hr.csv"  # nothing but the URI: the shorthand
    assert data["sources"][1]["fields"] == {"employee_name": "personal", "team": "internal"}
    assert data["output_policy"] == {
        "roles": {"contributor": "public", "executive_sponsor": "confidential"}
    }
    assert scorecard_from_dict(data) == sc
    assert loads(dumps(sc, format=fmt), format=fmt) == sc


def test_defaults_are_left_out_of_the_written_definition() -> None:
    sc = card(ind("a"), sources=(DataSource(id="obs", uri="obs.csv"),))
    data = scorecard_to_dict(sc)
    assert "output_policy" not in data
    assert data["sources"] == ["obs.csv"]
    assert "classification" not in data["objectives"][0]["indicators"][0]


def test_bad_classifications_are_reported_where_they_stand() -> None:
    text = """\
id: hr
objectives:
  - id: people
    perspective: learning_growth
    indicators:
      - {id: payroll, classification: secret}
sources:
  - id: pay
    uri: pay.csv
    classification: private
    fields: {salary: confidental}
output_policy:
  default: personal
  roles: {exec_sponsor: confidential}
"""
    with pytest.raises(DefinitionError) as info:
        loads(text, format="yaml", source="hr.yaml")
    where = {(p.path, p.line) for p in info.value.problems}
    assert where == {
        ("objectives[0].indicators[0].classification", 6),
        ("sources[0].classification", 10),
        ("sources[0].fields.salary", 11),
        ("output_policy.default", 13),
        ("output_policy.roles.exec_sponsor", 14),
    }
    text_of = {p.path: p.message for p in info.value.problems}
    assert "Did you mean 'confidential'?" in text_of["sources[0].fields.salary"]
    assert "Did you mean 'executive_sponsor'" in text_of["output_policy.roles.exec_sponsor"]


# -- sources with a fact mapping ---------------------------------------------------------------

HR_FACTS = DataSource(
    id="hr_facts",
    uri="hr_facts.csv",
    classification="internal",
    fields={"salary": "confidential", "employee_name": "personal"},
    mapping={
        "date": "month",
        "org_unit": "team",
        "rules": [
            {"indicator": "payroll", "transform": "sum", "value": "salary"},
            {"indicator": "headcount", "transform": "distinct", "value": "employee_name"},
            {"indicator": "leavers", "transform": "count", "where": {"left": True}},
            {
                "indicator": "ann_pay",
                "transform": "sum",
                "value": "salary",
                "where": {"employee_name": "Ann Lee"},
            },
        ],
    },
)


def test_mapped_sources_classify_by_the_rule_of_each_indicator() -> None:
    assert feeding_fields(HR_FACTS, "payroll") == ("salary",)
    # Counting distinct names or rows carries no name: the source's own classification.
    assert feeding_fields(HR_FACTS, "headcount") == ()
    # A filter decides which rows count, so its column feeds the value too.
    assert feeding_fields(HR_FACTS, "leavers") == ("left",)
    assert source_classification(HR_FACTS, "payroll") is C.CONFIDENTIAL
    assert source_classification(HR_FACTS, "headcount") is C.INTERNAL
    assert source_classification(HR_FACTS, "leavers") is C.INTERNAL
    # One employee's pay: filtered on a personal field, so personal.
    assert source_classification(HR_FACTS, "ann_pay") is C.PERSONAL
    # Of the whole source: the most sensitive field any rule reads.
    assert source_classification(HR_FACTS) is C.PERSONAL


def test_a_mapped_source_feeds_only_the_indicators_it_has_rules_for() -> None:
    ids = ("payroll", "headcount", "leavers", "ann_pay", "revenue")
    sc = card(*(ind(i) for i in ids), sources=(HR_FACTS,))
    assert effective_classifications(sc) == {
        "payroll": C.CONFIDENTIAL,
        "headcount": C.INTERNAL,
        "leavers": C.INTERNAL,
        "ann_pay": C.PERSONAL,
        "revenue": C.INTERNAL,  # no rule: no source feeds it
    }
