"""Views of an evaluation for a role: what is withheld, what stays, and that no renderer, the
command line included, ever shows personal data.

The scorecard below has three sources: ``finance`` (internal by default), ``hr`` whose
``value`` column is confidential (``employee_name`` is personal but feeds no value) and
``board``, personal as a whole. The planted personal value 98765.4321 (the CEO's pay, a
duplicate row of it and a row for an unknown indicator) must never be rendered.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import attrs
import numpy as np
import pandas as pd
import pytest

from balanced_scorecard import Classification, Engine, Evaluation, OutputPolicy, Role
from balanced_scorecard.cli import main
from balanced_scorecard.exceptions import ModelError
from balanced_scorecard.plugins import hookimpl
from balanced_scorecard.redaction import WITHHELD, classify, secure

DEFINITION = """\
id: people
name: People scorecard
objectives:
  - id: grow
    perspective: financial
    indicators:
      - {id: revenue, unit: EUR, time_aggregation: sum, thresholds: {target: 100, red_flag: 50}}
  - id: staff
    perspective: learning_growth
    indicators:
      - id: payroll
        name: Payroll
        unit: EUR
        time_aggregation: sum
        polarity: lower_better
        thresholds: {target: 500, red_flag: 700}
      - {id: headcount, unit: count, time_aggregation: last, thresholds: {target: 10, red_flag: 5}}
      - id: pay_per_head
        unit: EUR
        formula: payroll / headcount
        polarity: lower_better
        thresholds: {target: 50, red_flag: 80}
      - id: ceo_pay
        name: CEO pay
        unit: EUR
        time_aggregation: sum
        thresholds: {target: 100000, red_flag: 50000}
sources:
  - {id: finance, uri: finance.csv}
  - id: hr
    uri: hr.csv
    fields: {value: confidential, employee_name: personal}
  - {id: board, uri: board.csv, classification: personal}
output_policy:
  roles: {executive_sponsor: confidential, contributor: public}
"""

FINANCE = """\
indicator,org_unit,period,value
revenue,all,2025-01,90
revenue,all,2025-02,120
revenue,nowhere,2025-02,5
"""
HR = """\
indicator,org_unit,period,value,employee_name
payroll,all,2025-01,480,Ann Lee
payroll,all,2025-02,520,Ann Lee
headcount,all,2025-01,10,Ann Lee
headcount,all,2025-02,11,Ann Lee
payrol,all,2025-02,777.5,Bob Stone
"""
BOARD = """\
indicator,org_unit,period,value
ceo_pay,all,2025-01,98765.4321
ceo_pay,all,2025-02,98765.4321
ceo_pay,all,2025-02,98765.4321
ceo_bonus,all,2025-02,98765.4321
"""
#: How the planted personal value could appear in any format.
PLANTED = ("98765", "98,765", "9.877e+04", "9.8765e+04")
ROLES: list[str | None] = [None, *(r.value for r in Role)]
FORMATS = ("text", "json", "markdown", "html")


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine(entry_points=False)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("people")
    (root / "people.yaml").write_text(DEFINITION, encoding="utf-8")
    for name, text in (("finance.csv", FINANCE), ("hr.csv", HR), ("board.csv", BOARD)):
        (root / name).write_text(text, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def ev(engine: Engine, folder: Path) -> Evaluation:
    return engine.evaluate(engine.load(folder / "people.yaml"))


def _same(a: np.ndarray, b: np.ndarray) -> bool:
    return bool(np.array_equal(a, b, equal_nan=True))


# -- classification -------------------------------------------------------------------------


def test_each_indicator_is_classified_by_the_sources_that_fed_it(ev: Evaluation) -> None:
    assert {k: v.value for k, v in classify(ev).items()} == {
        "revenue": "internal",
        "payroll": "confidential",
        "headcount": "confidential",  # hr's value column is confidential for every row
        "pay_per_head": "confidential",  # the max of its inputs
        "ceo_pay": "personal",
    }


def test_frames_handed_over_directly_are_an_undeclared_internal_source(
    engine: Engine, ev: Evaluation
) -> None:
    frame = pd.read_csv(pd.io.common.StringIO(BOARD))
    direct = engine.evaluate(ev.scorecard, frame)
    assert classify(direct)["ceo_pay"] is Classification.INTERNAL
    # ...unless the indicator says what it is.
    sc = attrs.evolve(
        ev.scorecard,
        indicators=[
            attrs.evolve(i, classification="personal") if i.id == "ceo_pay" else i
            for i in ev.scorecard.indicators
        ],
    )
    assert classify(engine.evaluate(sc, frame))["ceo_pay"] is Classification.PERSONAL


# -- the view -------------------------------------------------------------------------------


def test_the_default_view_withholds_confidential_and_personal(ev: Evaluation) -> None:
    view = ev.for_role()
    assert view.access is not None
    assert view.access.role is None
    assert view.access.ceiling is Classification.INTERNAL
    assert set(view.access.withheld) == {"payroll", "headcount", "pay_per_head", "ceo_pay"}
    lv, full = view.indicators, ev.indicators
    for node in view.access.withheld:
        k = lv.ids.index(node)
        for arr in (lv.actual[k], lv.score[k], lv.contribution[k], lv.trend.change[k]):
            assert np.isnan(arr).all()
        for targets in lv.targets.values():
            assert np.isnan(targets[k]).all()
        assert (lv.trend.direction[k] == -2).all()
        # Every cell, with or without data, says withheld: no presence leaks through.
        assert {view.status(node, period=p) for p in view.period_labels} == {WITHHELD}
    k = lv.ids.index("revenue")
    assert _same(lv.actual[k], full.actual[k])
    assert view.status("revenue") == ev.status("revenue") == "green"
    # Rollups keep the scores computed from all the data.
    for level in ("objectives", "perspectives", "total"):
        assert _same(getattr(view, level).score, getattr(ev, level).score)
    assert view.score("staff") == pytest.approx(ev.score("staff"))
    # The full evaluation is untouched.
    assert ev.access is None
    assert ev.status("payroll") != WITHHELD


def test_the_frame_and_exceptions_of_a_view(ev: Evaluation) -> None:
    view = ev.for_role("owner")
    frame = view.to_frame()
    rows = frame[frame["node"].isin(["payroll", "ceo_pay"])]
    assert rows["actual"].isna().all()
    assert rows["target"].isna().all()
    assert (rows["status"] == WITHHELD).all()
    assert "withheld" in list(frame["status"].cat.categories)
    # payroll is amber and worsening in the full data: an exception there, not in the view.
    assert "payroll" in set(ev.exceptions()["node"])
    assert "payroll" not in set(view.exceptions()["node"])


def test_roles_see_up_to_their_ceiling(ev: Evaluation) -> None:
    sponsor = ev.for_role("executive_sponsor")
    assert sponsor.access is not None
    assert set(sponsor.access.withheld) == {"ceo_pay"}
    assert sponsor.to_frame().set_index("node").loc["payroll", "actual"] == 520
    contributor = ev.for_role(Role.CONTRIBUTOR)
    assert contributor.access is not None
    assert "revenue" in contributor.access.withheld  # internal is above public
    # Another policy given explicitly replaces the scorecard's.
    assert ev.for_role("executive_sponsor", policy=OutputPolicy()).access.withheld == (  # type: ignore[union-attr]
        "payroll",
        "headcount",
        "pay_per_head",
        "ceo_pay",
    )


def test_a_view_can_only_narrow(ev: Evaluation) -> None:
    sponsor = ev.for_role("executive_sponsor")
    narrowed = sponsor.for_role("contributor")
    assert narrowed.access is not None
    assert set(narrowed.access.withheld) == set(ev.indicators.ids)
    widened = narrowed.for_role("executive_sponsor")
    assert widened.access is not None
    assert set(widened.access.withheld) == set(ev.indicators.ids)
    assert np.isnan(widened.indicators.actual).all()


def test_secure_keeps_a_view_and_makes_one_otherwise(ev: Evaluation) -> None:
    view = ev.for_role("executive_sponsor")
    assert secure(view) is view
    assert secure(view, "executive_sponsor") is view
    assert secure(ev).access is not None
    with pytest.raises(ModelError, match="unknown role 'ceo'"):
        ev.for_role("ceo")


def test_the_reported_evaluation_is_withheld_too(ev: Evaluation) -> None:
    both = attrs.evolve(ev, reported=ev)
    view = both.for_role()
    assert view.reported is not None
    k = view.indicators.ids.index("ceo_pay")
    assert np.isnan(view.reported.indicators.actual[k]).all()


# -- explanations ---------------------------------------------------------------------------


def test_explaining_a_withheld_indicator_reveals_no_inputs_or_lineage(ev: Evaluation) -> None:
    full = ev.explain("pay_per_head")
    assert full.inputs == {"payroll": 520.0, "headcount": 11.0}
    assert ev.explain("payroll").lineage  # the full evaluation names hr.csv's rows
    view = ev.for_role("owner")
    for node in ("pay_per_head", "payroll", "ceo_pay"):
        e = view.explain(node)
        assert e.inputs == {}
        assert e.lineage == ()
        assert e.adjustments == ()
        assert e.actual is None
        assert e.status == WITHHELD
        assert e.withheld
        text = str(e)
        assert "values withheld" in text
        assert "520" not in text
        assert "row" not in text
    assert view.explain("ceo_pay").withheld == "personal data is never shown"
    assert "role 'owner' may see up to internal" in view.explain("payroll").withheld


def test_explaining_a_parent_in_a_view_hides_withheld_children(ev: Evaluation) -> None:
    children = {c.node: c for c in ev.for_role().explain("staff").children}
    assert np.isnan(children["payroll"].score)
    assert np.isnan(children["payroll"].contribution)
    assert children["payroll"].status == WITHHELD


def test_a_visible_indicator_explains_as_usual(ev: Evaluation) -> None:
    e = ev.for_role("executive_sponsor").explain("pay_per_head")
    assert e.inputs == {"payroll": 520.0, "headcount": 11.0}
    assert not e.withheld


# -- the quality report ---------------------------------------------------------------------


def test_quality_cells_from_fields_above_the_ceiling_are_withheld(ev: Evaluation) -> None:
    full = ev.quality.set_index("rule")
    assert "98765.4321" in set(ev.quality["value"].astype(str))
    view = ev.for_role()
    q = view.quality
    board = q[q["source"].astype(str) == "board"]
    assert len(board) == 2  # the duplicate and the unknown indicator
    for column in ("indicator", "org_unit", "period", "value"):
        assert (board[column] == WITHHELD).all()
    assert board["message"].str.contains("details withheld").all()
    hr = q[q["source"].astype(str) == "hr"]
    assert hr["value"].tolist() == [WITHHELD]  # hr's value column is confidential
    assert hr["indicator"].tolist() == ["payrol"]  # its indicator column is internal
    finance = q[q["source"].astype(str) == "finance"]
    assert finance["value"].tolist() == ["5"]  # internal: shown as it was
    assert finance["message"].tolist() == [full.loc["unknown-org-unit", "message"]]
    # Row numbers stay, so a data steward can still find and fix the rows.
    assert q["row"].tolist() == ev.quality["row"].tolist()
    # The sponsor sees hr's confidential value, never board's personal one.
    sponsor = ev.for_role("executive_sponsor").quality
    assert "777.5" in set(sponsor["value"].astype(str))
    assert "98765.4321" not in set(sponsor["value"].astype(str))


def test_conditions_on_hidden_fields_are_scrubbed_from_sources_and_messages(
    engine: Engine, ev: Evaluation
) -> None:
    # Rows handed over with a source column that names the hr source and a rule on a
    # personal field, as a fact mapping describes its rows.
    label = "hr: sum of value where employee_name = 'Ann Lee'"
    frame = pd.DataFrame(
        {
            "indicator": ["headcount", "headcount"],
            "org_unit": "all",
            "period": "2025-02",
            "value": [3.0, 4.0],
            "source": label,
        }
    )
    view = engine.evaluate(ev.scorecard, frame).for_role("executive_sponsor")
    texts = " ".join(view.quality["source"].astype(str)) + " ".join(view.quality["message"])
    assert "Ann Lee" not in texts
    assert "employee_name = withheld" in texts


# -- every output -----------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("role", ROLES)
def test_no_renderer_ever_shows_personal_data(ev: Evaluation, fmt: str, role: str | None) -> None:
    options: dict[str, Any] = {"max_exceptions": None}
    if role is not None:
        options["role"] = role
    if fmt == "json":
        options["all_periods"] = True
    outputs = [str(ev.render(fmt, **options))]
    # Renderers called directly, and handed a view, must not leak either.
    renderer = ev.engine.plugins.renderers[fmt]  # type: ignore[union-attr]
    outputs.append(str(renderer.render(ev, **options)))
    outputs.append(str(renderer.render(ev.for_role(role), **options)))
    for out in outputs:
        for planted in PLANTED:
            assert planted not in out, (fmt, role, planted)
    assert "ceo_pay" in outputs[0] or "CEO pay" in outputs[0]  # the node itself is listed


def test_str_and_notebook_html_show_a_view(ev: Evaluation) -> None:
    for out in (str(ev), ev._repr_html_()):
        for planted in PLANTED:
            assert planted not in out
        assert "520" not in out  # confidential payroll, with no role given


def test_json_names_the_role_and_what_it_withholds(ev: Evaluation) -> None:
    doc = json.loads(str(ev.render("json", role="executive_sponsor")))
    assert doc["access"] == {
        "role": "executive_sponsor",
        "ceiling": "confidential",
        "withheld": ["ceo_pay"],
    }
    nodes = {n["node"]: n for n in doc["nodes"]}
    assert nodes["payroll"]["actual"] == 520
    assert nodes["ceo_pay"]["actual"] is None
    assert nodes["ceo_pay"]["status"] == WITHHELD
    anonymous = json.loads(str(ev.render("json")))
    assert anonymous["access"]["role"] is None
    assert {n["node"]: n["actual"] for n in anonymous["nodes"]}["payroll"] is None


def test_plugin_renderers_get_the_view(folder: Path) -> None:
    seen: list[Evaluation] = []

    class Spy:
        media_type = "text/plain"
        suffix = ".txt"

        def render(self, evaluation: Evaluation, **options: Any) -> str:
            seen.append(evaluation)
            return str(sorted(options))

    class Plugin:
        @hookimpl
        def bsc_register_renderers(self, register: Any) -> None:
            register("spy", Spy())

    engine = Engine(entry_points=False, plugins=[Plugin()])
    ev = engine.evaluate(engine.load(folder / "people.yaml"))
    # ``role`` is taken by the engine: the plugin never sees an option it does not know.
    assert ev.render("spy", role="executive_sponsor") == "[]"
    assert ev.render("spy") == "[]"
    sponsor, anonymous = seen
    assert sponsor.access is not None
    assert sponsor.access.withheld == ("ceo_pay",)
    assert anonymous.access is not None
    assert np.isnan(anonymous.indicators.actual[anonymous.indicators.ids.index("ceo_pay")]).all()


def test_html_of_a_view_escapes_user_strings(engine: Engine, ev: Evaluation) -> None:
    evil = "<script>alert(1)</script>"
    sc = attrs.evolve(
        ev.scorecard,
        indicators=[
            attrs.evolve(i, name=evil) if i.id == "payroll" else i for i in ev.scorecard.indicators
        ],
    )
    frame = pd.DataFrame(
        {
            "indicator": ["payroll", "<img src=x onerror=alert(2)>"],
            "org_unit": "all",
            "period": "2025-02",
            "value": [520.0, 1.0],
            "source": ["hr", "hr: where employee_name = '<b>x</b>'"],
        }
    )
    page = str(engine.evaluate(sc, frame).render("html", role="owner"))
    assert evil not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<img src=x" not in page
    assert "<b>x</b>" not in page


# -- the command line -----------------------------------------------------------------------


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_role_flag(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    definition = str(folder / "people.yaml")
    code, out, _ = run(
        capsys, "evaluate", definition, "--format", "json", "--role", "executive_sponsor"
    )
    assert code == 0
    doc = json.loads(out)
    assert doc["access"]["withheld"] == ["ceo_pay"]
    assert {n["node"]: n["actual"] for n in doc["nodes"]}["payroll"] == 520
    code, out, _ = run(capsys, "evaluate", definition)
    assert code == 0
    assert WITHHELD in out
    for planted in PLANTED:
        assert planted not in out
    code, _, err = run(capsys, "evaluate", definition, "--role", "exec")
    assert code == 2
    assert "unknown role 'exec'" in err
    assert "executive_sponsor" in err


def test_cli_writes_files_and_fails_on_all_the_data(
    folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = tmp_path / "report.html"
    definition = str(folder / "people.yaml")
    code, out, err = run(
        capsys, "evaluate", definition, "--role", "contributor", "-o", str(report),
        "--fail-on", "exceptions",
    )  # fmt: skip
    page = report.read_text(encoding="utf-8")
    for planted in PLANTED:
        assert planted not in page
        assert planted not in out
    assert "520" not in page
    # The gate judges all the data: payroll is an exception the contributor does not see.
    assert code == 1
    assert "exception(s)" in err


# -- raw facts through a fact mapping ---------------------------------------------------------

FACTS_DEFINITION = """\
id: hr
objectives:
  - id: people
    perspective: learning_growth
    indicators:
      - {id: payroll, unit: EUR, time_aggregation: sum, polarity: lower_better,
         thresholds: {target: 9000, red_flag: 12000}}
      - {id: headcount, unit: count, time_aggregation: last, thresholds: {target: 2, red_flag: 1}}
      - {id: ann_pay, unit: EUR, time_aggregation: sum}
      - {id: ann_months, unit: count, time_aggregation: sum, classification: internal}
sources:
  - id: hr
    uri: facts.csv
    fields: {salary: confidential, employee_name: personal}
    mapping:
      date: month
      org_unit: team
      rules:
        - {indicator: payroll, transform: sum, value: salary}
        - {indicator: headcount, transform: distinct, value: employee_name}
        - {indicator: ann_pay, transform: sum, value: salary, where: {employee_name: Ann Lee}}
        - {indicator: ann_months, transform: count, where: {employee_name: Ann Lee}}
output_policy:
  roles: {executive_sponsor: confidential}
"""
FACTS = """\
month,team,employee_name,salary
2025-01-15,all,Ann Lee,4000
2025-01-15,all,Bob Stone,5000
2025-02-15,all,Ann Lee,4100
2025-02-15,all,Bob Stone,5000
2025-02-15,zz,Cy Doe,3000
"""


def test_raw_facts_filtered_on_a_personal_field_are_personal(
    engine: Engine, tmp_path: Path
) -> None:
    (tmp_path / "hr.yaml").write_text(FACTS_DEFINITION, encoding="utf-8")
    (tmp_path / "facts.csv").write_text(FACTS, encoding="utf-8")
    ev = engine.evaluate(engine.load(tmp_path / "hr.yaml"))
    assert {k: v.value for k, v in classify(ev).items()} == {
        "payroll": "confidential",  # a sum of salaries
        "headcount": "internal",  # a distinct count of names carries no name
        "ann_pay": "personal",  # one employee's salary
        "ann_months": "internal",  # said so explicitly, though its filter is personal
    }
    sponsor = ev.for_role("executive_sponsor")
    assert sponsor.access is not None
    assert sponsor.access.withheld == ("ann_pay",)
    assert sponsor.to_frame().set_index("node").loc["payroll", "actual"] == 9100
    # The lineage of a visible value never shows a personal field's value.
    assert any("Ann Lee" in line for line in ev.explain("ann_months").lineage)
    lineage = " ".join(ev.for_role("owner").explain("ann_months").lineage)
    assert "employee_name = withheld" in lineage
    assert "Ann Lee" not in lineage
    # The unknown team code is internal: the steward's message keeps its detail.
    [message] = sponsor.quality["message"].tolist()
    assert "'zz'" in message
    for fmt in FORMATS:
        for role in (None, "executive_sponsor"):
            out = str(ev.render(fmt, role=role))
            for name in ("Ann Lee", "Bob Stone", "Cy Doe", "4,100", "4100"):
                assert name not in out, (fmt, role, name)
