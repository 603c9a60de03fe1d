"""Bad definitions: every problem is reported at once, with file, line, path and a fix."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from balanced_scorecard.definitions import dump, dumps, load, loads, scorecard_from_dict
from balanced_scorecard.exceptions import DefinitionError, Problem, ScorecardError
from balanced_scorecard.model import Scorecard

Write = Callable[..., Path]

HEAD = """\
id: acme
objectives:
  - id: grow
    perspective: financial
    indicators:
      - id: revenue
        unit: EUR
"""


def problems_of(text: str, fmt: str = "yaml", **kwargs: Any) -> list[Problem]:
    with pytest.raises(DefinitionError) as info:
        loads(text, format=fmt, source=f"def.{fmt}", **kwargs)
    return list(info.value.problems)


def at(problems: list[Problem], path: str) -> Problem:
    found = [p for p in problems if p.path == path]
    assert found, f"no problem at {path!r}; got {[str(p) for p in problems]}"
    return found[0]


def test_unknown_key_suggests_the_close_one() -> None:
    (p,) = problems_of(HEAD + "        polarty: lower_better\n")
    assert p.path == "objectives[0].indicators[0].polarty"
    assert p.line == 8
    assert p.source == "def.yaml"
    assert "unknown key 'polarty'" in p.message
    assert "Did you mean 'polarity'?" in p.message


def test_unknown_key_without_close_match_lists_the_allowed_keys() -> None:
    (p,) = problems_of(HEAD + "links:\n  - {cause: grow, effect: revenue, zzz: 1}\n")
    assert p.path == "links[0].zzz"
    assert p.line == 9
    assert "Allowed keys: cause, effect, sign, weight, lag, feedback, description." in p.message


def test_wrong_type_names_the_value() -> None:
    (p,) = problems_of(HEAD + "        thresholds: {target: abc, red_flag: 1}\n")
    assert p.path == "objectives[0].indicators[0].thresholds.target"
    assert p.line == 8
    assert p.message == "expected a number, got 'abc'"


def test_number_where_text_is_expected_says_quote_it() -> None:
    (p,) = problems_of(HEAD + "        name: 2025\n")
    assert p.message == "expected a string, got 2025; quote it: '2025'"


def test_null_from_an_unquoted_hex_colour() -> None:
    text = "id: x\nstatus_bands:\n  - name: red\n    lower: 0\n    color: #d64545\n"
    (p,) = problems_of(text)
    assert (p.path, p.line) == ("status_bands[0].color", 5)
    assert "got null" in p.message
    assert "'#' starts a comment" in p.message


def test_missing_required_key() -> None:
    (p,) = problems_of("id: x\nobjectives:\n  - id: grow\n")
    assert (p.path, p.line) == ("objectives[0]", 3)
    assert "missing required key 'perspective'" in p.message


def test_missing_id_of_the_scorecard() -> None:
    (p,) = problems_of("name: Acme\n")
    assert p.path == ""
    assert "missing required key 'id'" in p.message


def test_flat_indicator_without_objective() -> None:
    (p,) = problems_of(HEAD + "indicators:\n  - {id: cost}\n")
    assert (p.path, p.line) == ("indicators[0]", 9)
    assert "missing required key 'objective'" in p.message


def test_bad_enum_value_lists_the_allowed_values() -> None:
    (p,) = problems_of(HEAD + "        polarity: higer_better\n")
    assert p.path == "objectives[0].indicators[0].polarity"
    assert "'higer_better' is not a known polarity" in p.message
    assert "Did you mean 'higher_better'?" in p.message
    assert "Allowed values: higher_better, lower_better, in_range." in p.message


def test_unknown_unit() -> None:
    (p,) = problems_of(HEAD.replace("unit: EUR", "unit: eurr"))
    assert (p.path, p.line) == ("objectives[0].indicators[0].unit", 7)
    assert "unknown unit 'eurr'" in p.message


def test_unknown_scoring_method() -> None:
    (p,) = problems_of(HEAD + "        scoring: piecwise\n")
    assert p.path == "objectives[0].indicators[0].scoring"
    assert "'piecwise' is not a known scoring method. Did you mean 'piecewise'?" in p.message


def test_unknown_scoring_method_in_a_mapping_reports_only_the_method() -> None:
    (p,) = problems_of(HEAD + "        scoring: {method: zscor, sigma: 2}\n")
    assert p.path == "objectives[0].indicators[0].scoring.method"
    assert "Did you mean 'zscore'?" in p.message


def test_unknown_scoring_param() -> None:
    (p,) = problems_of(HEAD + "        scoring: {method: zscore, sigam: 2}\n")
    assert p.path == "objectives[0].indicators[0].scoring.sigam"
    assert "Did you mean 'sigma'?" in p.message


def test_bad_scoring_param_value() -> None:
    (p,) = problems_of(
        HEAD + "        scoring: {method: piecewise, breakpoints: [[10, 1], [0, 0]]}\n"
    )
    assert p.path == "objectives[0].indicators[0].scoring"
    assert "strictly increasing" in p.message


def test_unknown_rollup_method() -> None:
    (p,) = problems_of(
        HEAD.replace("perspective: financial", "perspective: financial\n    rollup: wrost")
    )
    assert (p.path, p.line) == ("objectives[0].rollup", 5)
    assert "'wrost' is not a known rollup method. Did you mean 'worst'?" in p.message


def test_negative_weight() -> None:
    (p,) = problems_of(HEAD + "        weight: -1\n")
    assert p.path == "objectives[0].indicators[0].weight"
    assert p.message == "weight must be >= 0, got -1"


def test_bad_link_sign_and_model_errors_at_the_object() -> None:
    text = HEAD + (
        "links:\n"
        "  - {cause: grow, effect: revenue, sign: '*'}\n"
        "  - {cause: revenue, effect: revenue}\n"
    )
    problems = problems_of(text)
    sign = at(problems, "links[0].sign")
    assert sign.line == 9
    assert "'*' is not a known link sign" in sign.message
    itself = at(problems, "links[1]")
    assert itself.line == 10
    assert "points at itself" in itself.message


def test_duplicate_ids_carry_the_nested_path() -> None:
    (p,) = problems_of(HEAD + "      - id: grow\n")
    assert (p.path, p.line) == ("objectives[0].indicators[1].id", 8)
    assert "duplicate id 'grow': already used at objectives[0].id" in p.message


def test_dangling_reference_suggests_the_id() -> None:
    (p,) = problems_of(HEAD + "links:\n  - {cause: grow, effect: revenu}\n")
    assert (p.path, p.line) == ("links[0].effect", 9)
    assert "'revenu' is not a known objective or indicator. Did you mean 'revenue'?" in p.message


def test_cycle_of_links() -> None:
    text = HEAD + (
        "  - {id: keep, perspective: customer}\n"
        "links:\n"
        "  - {cause: grow, effect: keep}\n"
        "  - {cause: keep, effect: grow}\n"
    )
    (p,) = problems_of(text)
    assert p.path.startswith("links[")
    assert p.line in (10, 11)
    assert "cycle" in p.message
    assert "feedback: true" in p.message


def test_thresholds_out_of_order() -> None:
    (p,) = problems_of(HEAD + "        thresholds: {target: 100, red_flag: 120}\n")
    assert (p.path, p.line) == ("objectives[0].indicators[0].thresholds", 8)
    assert "red_flag (120.0) must be below target (100.0)" in p.message


def test_all_zero_weights() -> None:
    (p,) = problems_of(HEAD + "        weight: 0\n")
    assert (p.path, p.line) == ("objectives[0].indicators[0].weight", 8)
    assert "has weight 0" in p.message


def test_formula_with_unknown_id() -> None:
    (p,) = problems_of(HEAD + "      - {id: double, formula: revenu * 2}\n")
    assert (p.path, p.line) == ("objectives[0].indicators[1].formula", 8)
    assert "unknown indicator id 'revenu'" in p.message


def test_org_unit_problems_carry_nested_paths() -> None:
    text = (
        "id: x\n"
        "org_units:\n"
        "  - id: hq\n"
        "    children:\n"
        "      - {id: north}\n"
        "      - {id: north}\n"
        "      - {id: south, parent: nrth}\n"
        "  - {id: other}\n"
    )
    problems = problems_of(text)
    assert at(problems, "org_units[0].children[1].id").line == 6
    assert "duplicate org unit id 'north'" in at(problems, "org_units[0].children[1].id").message
    parent = at(problems, "org_units[0].children[2].parent")
    assert "nested under 'hq' but names parent 'nrth'" in parent.message
    root = at(problems, "org_units[1]")
    assert root.line == 8
    assert "'hq' at org_units[0] is already the root" in root.message


def test_org_unit_unknown_parent_and_cycle() -> None:
    unknown = problems_of("id: x\norg_units:\n  - {id: hq}\n  - {id: north, parent: hqq}\n")
    assert (
        "'hqq' is not a known org unit. Did you mean 'hq'?"
        in at(unknown, "org_units[1].parent").message
    )
    cycle = problems_of(
        "id: x\norg_units:\n  - {id: hq}\n  - {id: a, parent: b}\n  - {id: b, parent: a}\n"
    )
    assert any("cycle" in p.message for p in cycle)


def test_references_to_org_units_in_targets_and_assignments() -> None:
    text = HEAD + (
        "org_units: [{id: hq}, {id: north, parent: hq}]\n"
        "assignments: [{role: owner, person: ann, node: revenue, org_unit: nrth}]\n"
        "targets:\n"
        "  - {indicator: revenue, org_unit: north, period: '2025-01', start: '2025-01'}\n"
        "  - {indicator: revnue, target: 1}\n"
    )
    problems = problems_of(text)
    assert "Did you mean 'north'?" in at(problems, "assignments[0].org_unit").message
    assert at(problems, "targets[0].period").line == 11
    assert "either period or start/end" in at(problems, "targets[0].period").message
    assert "Did you mean 'revenue'?" in at(problems, "targets[1].indicator").message


def test_csv_target_rows_point_at_the_csv_file(tmp_path: Path, write: Write) -> None:
    csv = tmp_path / "budget.csv"
    csv.write_text(
        "indicator,org_unit,period,target,red_flag\n"
        "revenue,,2025-01,100,80\n"
        "revenue,nrth,2025-02,100,80\n"
        "revenue,,2025-03,abc,\n"
        "revenue,,2025-04,100,120\n",
        encoding="utf-8",
    )
    path = write(
        "acme.yaml",
        HEAD + "org_units: [{id: hq}, {id: north, parent: hq}]\n"
        "target_sets:\n  - {name: budget, file: budget.csv}\n",
    )
    with pytest.raises(DefinitionError) as info:
        load(path)
    problems = info.value.problems
    assert {p.source for p in problems} == {str(csv)}
    unit = at(list(problems), "org_unit")
    assert unit.line == 3
    assert "Did you mean 'north'?" in unit.message
    number = at(list(problems), "target")
    assert (number.line, number.message) == (4, "expected a number, got 'abc'")
    order = at(list(problems), "")
    assert order.line == 5
    assert "red_flag (120.0) must be below target (100.0)" in order.message


def test_csv_target_file_problems(tmp_path: Path, write: Write) -> None:
    (tmp_path / "t.csv").write_text("indicator,red_flg\nrevenue,1\n", encoding="utf-8")
    path = write(
        "acme.yaml",
        HEAD + "target_sets:\n  - {name: a, file: t.csv}\n  - {name: b, file: nope.csv}\n",
    )
    with pytest.raises(DefinitionError) as info:
        load(path)
    column = at(list(info.value.problems), "target_sets[0].file")
    assert column.line == 9
    assert "unknown column 'red_flg'. Did you mean 'red_flag'?" in column.message
    missing = at(list(info.value.problems), "target_sets[1].file")
    assert "target file not found" in missing.message
    assert "nope.csv" in missing.message


def test_duplicate_yaml_keys() -> None:
    (p,) = problems_of(HEAD + "        unit: USD\n")
    assert (p.path, p.line) == ("objectives[0].indicators[0].unit", 8)
    assert "duplicate key 'unit' (first on line 7)" in p.message


def test_yaml_syntax_error_has_line_and_column() -> None:
    (p,) = problems_of("id: x\nobjectives:\n  - id: [grow\n    perspective: financial\n")
    assert p.line is not None
    assert p.message.startswith("YAML syntax error")
    assert f"line {p.line}, column" in p.message


def test_json_syntax_error_has_the_line() -> None:
    (p,) = problems_of('{\n  "id": "x",\n  "name": \n}\n', "json")
    assert p.line == 4
    assert "JSON syntax error" in p.message


def test_json_duplicate_key() -> None:
    (p,) = problems_of('{"id": "x", "id": "y"}', "json")
    assert "duplicate key 'id'" in p.message


def test_toml_syntax_error_has_the_line() -> None:
    (p,) = problems_of('id = "x"\nname = \n', "toml")
    assert p.line == 2
    assert "TOML syntax error" in p.message


def test_json_and_toml_problems_carry_paths_but_no_lines() -> None:
    doc = {"id": "x", "objectives": [{"id": "o", "perspective": "financal"}]}
    (p,) = problems_of(json.dumps(doc), "json")
    assert (p.path, p.line, p.source) == ("objectives[0].perspective", None, "def.json")
    assert "Did you mean 'financial'?" in p.message


@pytest.mark.parametrize(
    ("text", "expected"),
    [("- a\n- b\n", "got a list"), ("", "got an empty document"), ("42\n", "got int 42")],
)
def test_a_document_that_is_not_a_mapping(text: str, expected: str) -> None:
    (p,) = problems_of(text)
    assert "a scorecard definition must be a mapping" in p.message
    assert expected in p.message


def test_several_problems_at_once_in_document_order() -> None:
    text = (
        "id: acme\n"
        "review_frequency: monthy\n"
        "objectives:\n"
        "  - id: grow\n"
        "    perspective: finance\n"
        "    indicators:\n"
        "      - id: revenue\n"
        "        unit: eurr\n"
        "        polarty: higher_better\n"
        "links:\n"
        "  - {cause: grow, effect: revenu}\n"
    )
    with pytest.raises(DefinitionError) as info:
        loads(text, format="yaml", source="acme.yaml")
    problems = info.value.problems
    assert [(p.line, p.path) for p in problems] == [
        (2, "review_frequency"),
        (5, "objectives[0].perspective"),
        (8, "objectives[0].indicators[0].unit"),
        (9, "objectives[0].indicators[0].polarty"),
        (11, "links[0].effect"),
    ]
    message = str(info.value)
    assert message.startswith("5 problems in the scorecard definition:\n")
    assert "  - acme.yaml, line 5 at objectives[0].perspective: 'finance' is not" in message


def test_file_errors(tmp_path: Path) -> None:
    with pytest.raises(DefinitionError, match=r"definition file not found: .*nope\.yaml"):
        load(tmp_path / "nope.yaml")
    (tmp_path / "acme.ini").write_text("id = x", encoding="utf-8")
    with pytest.raises(DefinitionError, match=r"\.yaml or \.yml .*\.toml .*\.json"):
        load(tmp_path / "acme.ini")
    with pytest.raises(DefinitionError, match="unknown definition format 'xml'"):
        loads("id: x", format="xml")


def test_definition_error_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="problem"):
        scorecard_from_dict({"id": 5})
    assert issubclass(DefinitionError, ScorecardError)


def test_writing_toml_is_refused_with_the_alternatives(tmp_path: Path) -> None:
    with pytest.raises(DefinitionError, match="format='yaml' or format='json'"):
        dumps(Scorecard(id="x"), "toml")
    with pytest.raises(DefinitionError, match="TOML"):
        dump(Scorecard(id="x"), tmp_path / "x.toml")
    assert not (tmp_path / "x.toml").exists()


def test_bad_sections_do_not_cascade() -> None:
    # The objective is broken (no perspective, bad weight) but still counts for references.
    text = HEAD.replace("perspective: financial", "weight: -3") + (
        "links:\n  - {cause: grow, effect: revenue}\n"
    )
    problems = problems_of(text)
    assert [p.path for p in problems] == ["objectives[0]", "objectives[0].weight"]


def test_status_band_checks() -> None:
    (high,) = problems_of("id: x\nstatus_bands:\n  - {name: red, lower: 1.5}\n")
    assert (high.path, high.message) == ("status_bands[0].lower", "lower must be <= 1, got 1.5")
    (gap,) = problems_of("id: x\nstatus_bands:\n  - {name: red, lower: 0.2}\n")
    assert (gap.path, gap.line) == ("status_bands", 2)
    assert "start at 0" in gap.message
    (empty,) = problems_of("id: x\nstatus_bands: []\n")
    assert "at least one status band" in empty.message
    duplicate = problems_of(
        "id: x\nstatus_bands:\n  - {name: a, lower: 0}\n  - {name: a, lower: 0.5}\n"
    )
    assert "defined twice" in at(duplicate, "status_bands[1].name").message
