"""The normalised view beside the reported one: one-time events taken out, reported figures kept.

The reference case is worked by hand: a group with units ``uk`` and ``de``; revenue (goal at
1,200 EUR, red flag at 1,000 EUR, scored by ``goal_red_flag``: 1/3 at the red flag, 2/3 at the
goal, a straight line through them, clamped to [0, 1]) and margin = (revenue - cost) /
revenue x 100 (goal 50 %, red flag 30 %). In 2025-03 ``uk`` reports revenue 1,500 and cost
600, ``de`` 1,000 and 500. An event takes 500 EUR out of ``uk``'s 2025-03 revenue
(a property sale):

* ``uk`` revenue: reported 1,500 (raw score 1/3 + 500/200 x 1/3 = 7/6, clamped to 1, green),
  normalised 1,000 (exactly the red flag: 1/3, amber);
* group revenue: reported 2,500, normalised 2,000 (both above the goal: 1, green);
* ``uk`` margin: reported (1,500 - 600) / 1,500 = 60 % (2/3 + 10/20 x 1/3 = 5/6, green),
  normalised (1,000 - 600) / 1,000 = 40 % (1/3 + 10/20 x 1/3 = 1/2, amber);
* group margin: reported (2,500 - 1,100) / 2,500 = 56 % (2/3 + 6/20 x 1/3 = 23/30),
  normalised (2,000 - 1,100) / 2,000 = 45 % (1/3 + 15/20 x 1/3 = 7/12).
"""

from __future__ import annotations

import json
from typing import Any

import attrs
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from balanced_scorecard import (
    Engine,
    Evaluation,
    Indicator,
    Objective,
    OrgChart,
    OrgUnit,
    Scorecard,
    Thresholds,
)
from balanced_scorecard.data.normalisation import COMPARE_COLUMNS, normalising_notes

SC = Scorecard(
    id="s",
    objectives=[Objective(id="grow", perspective="financial")],
    org_chart=OrgChart(
        units=[
            OrgUnit(id="group"),
            OrgUnit(id="uk", parent="group"),
            OrgUnit(id="de", parent="group"),
        ]
    ),
    indicators=[
        Indicator(
            id="revenue",
            objective="grow",
            unit="EUR",
            time_aggregation="sum",
            org_aggregation="sum",
            thresholds=Thresholds(target=1200, red_flag=1000),
        ),
        Indicator(
            id="cost",
            objective="grow",
            unit="EUR",
            time_aggregation="sum",
            org_aggregation="sum",
            polarity="lower_better",
            weight=0,
            thresholds=Thresholds(target=500, red_flag=800),
        ),
        Indicator(
            id="margin",
            objective="grow",
            unit="percent",
            formula="(revenue - cost) / revenue * 100",
            thresholds=Thresholds(target=50, red_flag=30),
        ),
    ],
)

ENGINE = Engine(entry_points=False)  # one unit registry for the module: they take a moment

OBS = pd.DataFrame(
    {
        "indicator": ["revenue", "revenue", "cost", "cost", "revenue", "revenue"],
        "org_unit": ["uk", "de", "uk", "de", "uk", "de"],
        "period": ["2025-03"] * 4 + ["2025-02"] * 2,
        "value": [1500.0, 1000.0, 600.0, 500.0, 1100.0, 900.0],
    }
)


def _events(**columns: Any) -> pd.DataFrame:
    base = {
        "indicator": ["revenue"],
        "org_unit": ["uk"],
        "period": ["2025-03"],
        "amount": [500.0],
        "reason": ["property sale"],
    }
    return pd.DataFrame({**base, **columns})


def _evaluate(events: pd.DataFrame | None = None, **kw: Any) -> Evaluation:
    steps = kw.pop("adjust", [("one_time", {"events": _events() if events is None else events})])
    return ENGINE.evaluate(SC, OBS, adjust=steps, **kw)


@pytest.fixture(scope="module")
def ev() -> Evaluation:
    return _evaluate()


def test_hand_worked_reported_and_normalised_values_and_scores(ev: Evaluation) -> None:
    assert ev.reported is not None
    rep = ev.reported
    assert ev.to_frame(org_unit="uk").set_index("node").loc["revenue", "actual"] == 1000.0
    assert rep.to_frame(org_unit="uk").set_index("node").loc["revenue", "actual"] == 1500.0
    assert ev.score("revenue", org_unit="uk") == pytest.approx(1 / 3)
    assert ev.status("revenue", org_unit="uk") == "amber"
    assert rep.score("revenue", org_unit="uk") == pytest.approx(1.0)
    assert rep.status("revenue", org_unit="uk") == "green"
    assert ev.score("margin", org_unit="uk") == pytest.approx(0.5)
    assert rep.score("margin", org_unit="uk") == pytest.approx(5 / 6)
    assert ev.score("margin") == pytest.approx(7 / 12)
    assert rep.score("margin") == pytest.approx(23 / 30)
    # Both views cover the same units and periods; February was not touched.
    assert rep.units == ev.units
    assert rep.period_labels == ev.period_labels
    assert ev.score("revenue", period="2025-02") == rep.score("revenue", period="2025-02")


def test_compare_reported_lists_every_changed_cell(ev: Evaluation) -> None:
    frame = ev.compare_reported()
    assert tuple(frame.columns) == COMPARE_COLUMNS
    got = frame.set_index(["indicator", "org_unit"])
    assert list(got.index) == [
        ("revenue", "group"),
        ("revenue", "uk"),
        ("margin", "group"),
        ("margin", "uk"),
    ]
    assert set(frame["period"]) == {"2025-03"}
    uk = got.loc[("revenue", "uk")]
    assert (uk["reported"], uk["normalised"], uk["difference"]) == (1500.0, 1000.0, -500.0)
    assert uk["reported_score"] == pytest.approx(1.0)
    assert uk["normalised_score"] == pytest.approx(1 / 3)
    assert (uk["reported_status"], uk["normalised_status"]) == ("green", "amber")
    assert (uk["via"], uk["events"]) == ("event", "one-time: property sale (−500 EUR)")
    group = got.loc[("revenue", "group")]
    assert (group["reported"], group["normalised"]) == (2500.0, 2000.0)
    assert group["via"] == "org units below"
    assert group["events"] == "uk: one-time: property sale (−500 EUR)"
    margin = got.loc[("margin", "group")]
    assert (margin["reported"], margin["normalised"]) == pytest.approx((56.0, 45.0))
    assert margin["unit"] == "percent"
    assert margin["via"] == "formula inputs"
    assert margin["events"] == "revenue: uk: one-time: property sale (−500 EUR)"


def test_period_selection(ev: Evaluation) -> None:
    assert len(ev.compare_reported(period=None)) == 4  # the focus period, 2025-03
    assert ev.compare_reported(period="2025-02").empty


def test_without_a_normalising_step_there_is_no_second_view() -> None:
    plain = _evaluate(adjust=[])
    assert plain.reported is None
    assert plain.compare_reported().empty
    assert tuple(plain.compare_reported().columns) == COMPARE_COLUMNS
    # FX translation is a presentation conversion, not a normalisation.
    rates = pd.DataFrame({"date": ["2025-03-31"], "currency": ["USD"], "rate": [1.0]})
    assert _evaluate(adjust=[("fx", {"rates": rates, "base": "EUR"})]).reported is None


def test_the_reported_view_keeps_presentation_conversions() -> None:
    # uk reports in USD at a rate of 1.25 USD per EUR: 1,875 USD is 1,500 EUR; then a price
    # index of 100 in 2024 and 125 in 2025 restates it in 2024 money (x 0.8). The reported
    # view is translated and deflated too (1,200); only the event is left out of it, and
    # the event, taken out between the two, is deflated with the rest (500 x 0.8 = 400).
    obs = OBS.assign(unit=np.where(OBS["org_unit"] == "uk", "USD", "EUR"))
    obs.loc[obs["org_unit"] == "uk", "value"] *= 1.25
    rates = pd.DataFrame({"date": ["2025-02-28", "2025-03-31"], "currency": "USD", "rate": 1.25})
    index = pd.DataFrame({"period": ["2024", "2025"], "value": [100.0, 125.0]})
    steps = [
        ("fx", {"rates": rates, "base": "EUR"}),
        ("one_time", {"events": _events()}),
        ("inflation", {"index": index, "base": "2024", "indicators": ["revenue"]}),
    ]
    ev = ENGINE.evaluate(SC, obs, adjust=steps)
    row = ev.compare_reported().set_index(["indicator", "org_unit"]).loc[("revenue", "uk")]
    assert (row["reported"], row["normalised"]) == pytest.approx((1200.0, 800.0))
    assert row["events"] == "one-time: property sale (−500 EUR)"


def test_event_before_fx_keeps_only_its_own_note() -> None:
    # One-time first, in the row's unit (USD), then translation: the reported note is the
    # translation alone, and the normalising part is what comes before it.
    obs = OBS.assign(unit="USD")
    rates = pd.DataFrame({"date": ["2025-02-28", "2025-03-31"], "currency": "USD", "rate": 1.0})
    steps = [
        ("one_time", {"events": _events(unit=["USD"])}),
        ("fx", {"rates": rates, "base": "EUR"}),
    ]
    ev = ENGINE.evaluate(SC, obs, adjust=steps)
    row = ev.compare_reported().set_index(["indicator", "org_unit"]).loc[("revenue", "uk")]
    assert row["events"] == "one-time: property sale (−500 USD)"
    assert row["difference"] == pytest.approx(-500.0)


def test_normalising_notes_are_what_the_reported_note_lacks(ev: Evaluation) -> None:
    cols = ["indicator", "org_unit", "period", "note"]
    norm = pd.DataFrame(
        [
            ["revenue", "uk", "2025-03", "fx A; one-time: x"],
            ["revenue", "de", "2025-03", "one-time: y; fx B"],
            ["cost", "uk", "2025-03", "fx C"],
            ["cost", "de", "2025-03", "one-time: z"],
            ["margin", "uk", "2025-03", "fx D; one-time: w; x (−1 EUR); inflation E"],
        ],
        columns=cols,
    )
    rep = pd.DataFrame(
        [
            ["revenue", "uk", "2025-03", "fx A"],
            ["revenue", "de", "2025-03", "fx B"],
            ["cost", "uk", "2025-03", "fx C"],
            ["margin", "uk", "2025-03", "fx D; inflation E"],
        ],
        columns=cols,
    )
    out = normalising_notes(attrs.evolve(ev, adjustments=norm), attrs.evolve(ev, adjustments=rep))
    assert out.values.tolist() == [
        ["revenue", "uk", "2025-03", "one-time: x"],
        ["revenue", "de", "2025-03", "one-time: y"],
        ["cost", "de", "2025-03", "one-time: z"],
        # Between two presentation steps, and a reason that holds the separator itself.
        ["margin", "uk", "2025-03", "one-time: w; x (−1 EUR)"],
    ]


def test_a_plugin_adjuster_that_normalises_gets_a_reported_view() -> None:
    class Halve:
        normalises = True

        def adjust(self, frame: pd.DataFrame, **_: Any) -> pd.DataFrame:
            from balanced_scorecard.data.adjustments import with_adjustments

            rows = np.flatnonzero(frame["indicator"] == "cost")
            values = frame["value"].to_numpy(dtype=float)[rows] / 2
            notes = np.full(len(rows), "halved", dtype=object)
            return with_adjustments(frame, rows, values, notes)

    class Plugin:
        from balanced_scorecard.plugins.hookspecs import hookimpl

        @hookimpl
        def bsc_register_adjusters(self, register: Any) -> None:
            register("halve", Halve())

    ev = Engine(entry_points=False, plugins=[Plugin()]).evaluate(SC, OBS, adjust=["halve"])
    assert ev.reported is not None
    frame = ev.compare_reported(period=None).set_index(["indicator", "org_unit"])
    assert frame.loc[("cost", "de"), "reported"] == 500.0
    assert frame.loc[("cost", "de"), "normalised"] == 250.0
    assert frame.loc[("cost", "de"), "events"] == "halved"


def test_a_sub_tree_evaluation_without_events_in_it() -> None:
    ev = _evaluate(org_unit="de")
    assert ev.reported is not None
    assert ev.compare_reported().empty


def test_an_event_of_zero_is_still_shown() -> None:
    ev = _evaluate(_events(amount=[0.0], reason=["audit fee, nil"]))
    frame = ev.compare_reported()
    assert frame[["indicator", "org_unit", "difference"]].values.tolist() == [
        ["revenue", "group", 0.0],
        ["revenue", "uk", 0.0],
        ["margin", "group", 0.0],
        ["margin", "uk", 0.0],
    ]
    assert set(frame["via"]) == {"event", "org units below", "formula inputs"}


@settings(max_examples=10, deadline=None)
@given(amount=st.floats(min_value=-1e6, max_value=1e6, allow_nan=False).filter(bool))
def test_difference_is_minus_the_event_amount_at_the_unit_and_its_parent(amount: float) -> None:
    # Law: taking an amount out of a summed indicator lowers the unit and every ancestor by
    # exactly that amount, and the reported view never moves.
    ev = _evaluate(_events(amount=[amount]))
    frame = ev.compare_reported().set_index(["indicator", "org_unit"])
    for unit in ("uk", "group"):
        assert frame.loc[("revenue", unit), "difference"] == pytest.approx(-amount, abs=1e-6)
    assert ev.reported is not None
    assert ev.reported.to_frame(org_unit="uk").set_index("node").loc["revenue", "actual"] == 1500


# -- explain and renderers ------------------------------------------------------------------


def test_explain_shows_the_reported_value(ev: Evaluation) -> None:
    text = str(ev.explain("revenue"))
    assert "normalised: reported 2,500 EUR, score 1 (green); uk: one-time: property sale" in text


def test_text_report_marks_the_value_and_shows_the_reported_one(ev: Evaluation) -> None:
    text = str(ev.render("text", org_unit="uk"))
    tree = next(line for line in text.splitlines() if line.strip().startswith("revenue"))
    assert "1,000 EUR †" in tree
    assert "1,500 EUR" in tree
    assert "Normalised for one-time events (†)" in text
    assert "10.0 green → 3.3 amber" in text
    assert "one-time: property sale (−500 EUR)" in text


def test_markdown_report_marks_the_value(ev: Evaluation) -> None:
    md = str(ev.render("markdown"))
    assert "| Objective / indicator | Actual | Reported | Target |" in md
    assert "|   ↳ revenue | 2,000 EUR † | 2,500 EUR | 1,200 EUR |" in md
    assert "## Normalised values" in md
    assert "| revenue | uk | 1,500 EUR | 1,000 EUR | -500 EUR | 10.0 green → 3.3 amber |" in md


def test_html_report_marks_the_value_with_its_reason(ev: Evaluation) -> None:
    html = str(ev.render("html", fragment=True))
    assert (
        '2,000 EUR <span class="bsc-adjusted" title="uk: one-time: property sale (−500 EUR)">'
        "†</span>"
    ) in html
    assert '<td class="bsc-num bsc-reported">2,500 EUR</td>' in html
    assert "<h2>Normalised values</h2>" in html


def test_json_report_lists_the_normalised_values(ev: Evaluation) -> None:
    doc = json.loads(str(ev.render("json", org_unit="uk")))
    assert [(r["indicator"], r["reported"], r["normalised"]) for r in doc["normalised"]] == [
        ("revenue", 1500.0, 1000.0),
        ("margin", 60.0, 40.0),
    ]


def test_reports_without_normalisation_have_no_mark() -> None:
    plain = _evaluate(adjust=[])
    for fmt in ("text", "markdown", "html"):
        out = str(plain.render(fmt))
        assert "†" not in out
        assert "Reported" not in out


EVIL = '<script>alert("x")</script>" onmouseover="steal() | *bold* \x1b[2J'


def test_the_reason_text_is_escaped_in_every_format() -> None:
    ev = _evaluate(_events(reason=[EVIL]))
    html = str(ev.render("html"))
    assert "<script>alert" not in html
    assert 'onmouseover="steal' not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&#34; onmouseover=&#34;steal()" in html
    md = str(ev.render("markdown"))
    assert "<script>" not in md
    assert "&lt;script&gt;" in md
    assert "\\| \\*bold\\*" in md
    text = str(ev.render("text"))
    assert "\x1b" not in text
