"""An owner's status override shows, marked, in every output."""

from __future__ import annotations

import json

import attrs
import pytest

from balanced_scorecard.exceptions import ScorecardError
from balanced_scorecard.governance import Override
from balanced_scorecard.model import Assignment
from balanced_scorecard.results import Evaluation, _demo


def _overridden() -> Evaluation:
    ev = _demo()
    sc = attrs.evolve(
        ev.scorecard, assignments=[Assignment(role="owner", person="ann", node="revenue")]
    )
    o = Override(
        node="revenue",
        org_unit="all",
        period="2025-02",
        status="amber",
        by="ann",
        justification="a <b>large</b> order slipped into March",
        at="2025-03-02T09:00:00Z",
    )
    return attrs.evolve(ev, scorecard=sc).with_overrides([o])


def test_every_renderer_marks_the_override() -> None:
    ev = _overridden()
    row = ev.to_frame().query("node == 'revenue'").iloc[0]
    assert (row["status"], row["original_status"], row["overridden_by"]) == (
        "amber",
        "green",
        "ann",
    )
    text = ev.render("text")
    assert "amber ‡" in text
    assert "‡ Revenue: status overridden by ann (computed: green)" in text
    md = ev.render("markdown")
    assert "## Overridden statuses" in md
    assert "amber ‡" in md
    page = ev.render("html")
    assert "‡ overridden" in page
    # The justification is user text: escaped in the HTML title attribute.
    assert "&lt;b&gt;large&lt;/b&gt;" in page
    assert "<b>large</b>" not in page
    data = json.loads(ev.render("json"))
    assert "amber" in json.dumps(data)


def test_only_an_owner_may_override() -> None:
    o = Override(
        node="revenue",
        org_unit="all",
        period="2025-02",
        status="red",
        by="mallory",
        justification="because",
        at="2025-03-02T09:00:00Z",
    )
    with pytest.raises(ScorecardError, match=r"ann|owner"):
        _overridden().with_overrides([o])


def test_the_dashboard_shows_the_override_and_why() -> None:
    page = _overridden().render("dashboard", view="manager")
    assert "status overridden to amber (computed green)" in page
    # The justification is user text: escaped wherever it appears.
    assert "<b>large</b>" not in page


def test_the_override_reaches_every_path_that_reads_statuses() -> None:
    ev = _overridden()
    # Not only the frame: the status arrays carry it, so status(), the exception list and
    # the pictures agree with the table.
    assert ev.status("revenue") == "amber"
    assert ev.overridden_from[("revenue", "all", "2025-02")] == "green"
    assert "amber" in ev.strategy_map_picture(show_indicators=True).svg
    # The first month is not overridden: it keeps its computed status.
    assert ev.status("revenue", period="2025-01") == _demo().status("revenue", period="2025-01")
