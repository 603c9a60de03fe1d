"""Annotations, required commentary, threads and owner-only status overrides."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pandas as pd
import pytest

from balanced_scorecard.exceptions import ModelError, UnknownNodeError
from balanced_scorecard.governance.annotations import (
    COMMENTARY_COLUMNS,
    Annotation,
    Override,
    apply_overrides,
    check_annotations,
    check_override,
    commentary_required,
    thread,
    to_utc,
)
from balanced_scorecard.model import (
    Assignment,
    Indicator,
    Objective,
    OrgChart,
    OrgUnit,
    Scorecard,
    Thresholds,
)

T0 = "2025-10-01T09:00:00Z"


def _evaluation():  # type: ignore[no-untyped-def]
    limits = Thresholds(target=100, red_flag=50)
    sc = Scorecard(
        id="acme",
        org_chart=OrgChart(units=[OrgUnit(id="acme"), OrgUnit(id="north", parent="acme")]),
        objectives=[Objective(id="grow", perspective="financial")],
        indicators=[
            Indicator(id="revenue", objective="grow", tier="strategic", thresholds=limits),
            Indicator(id="calls", objective="grow", thresholds=limits),
        ],
        assignments=[
            Assignment(role="owner", person="cfo", node="revenue"),
            Assignment(role="owner", person="ann", node="revenue", org_unit="north"),
            Assignment(role="data_steward", person="dan", node="revenue"),
        ],
    )
    obs = pd.DataFrame(
        {
            "indicator": ["revenue", "revenue", "calls", "calls"],
            "org_unit": "north",
            "period": ["2025-08", "2025-09", "2025-08", "2025-09"],
            "value": [100.0, 10.0, 100.0, 80.0],  # revenue red in Sep; calls amber in Sep
        }
    )
    return sc.evaluate(obs)


def _note(note_id: str, **kw: object) -> Annotation:
    fields: dict[str, object] = {
        "id": note_id, "node": "revenue", "org_unit": "north", "period": "2025-09",
        "author": "ann", "text": "explained", "at": T0,
    }  # fmt: skip
    return Annotation(**{**fields, **kw})  # type: ignore[arg-type]


def _override(**kw: object) -> Override:
    fields: dict[str, object] = {
        "node": "revenue", "org_unit": "north", "period": "2025-09", "status": "amber",
        "by": "ann", "justification": "Invoices of 28-30 Sep booked on 1 Oct", "at": T0,
    }  # fmt: skip
    return Override(**{**fields, **kw})  # type: ignore[arg-type]


# -- times ------------------------------------------------------------------------------------


def test_times_are_utc() -> None:
    cet = timezone(timedelta(hours=2))
    assert to_utc(datetime(2025, 10, 1, 11, 0, tzinfo=cet)) == datetime(2025, 10, 1, 9, tzinfo=UTC)
    assert _note("a").at == datetime(2025, 10, 1, 9, tzinfo=UTC)
    with pytest.raises(ModelError, match="no time zone"):
        to_utc(datetime(2025, 10, 1, 9))  # a naive time: the point
    with pytest.raises(ModelError, match="not ISO 8601"):
        to_utc("yesterday")
    with pytest.raises(ModelError, match="datetime or ISO text"):
        to_utc(20251001)  # type: ignore[arg-type]
    assert Annotation(id="x", node="n", org_unit="u", period="p", author="a", text="t").at.tzinfo


# -- commentary -------------------------------------------------------------------------------


def test_red_cells_need_a_comment() -> None:
    ev = _evaluation()
    need = commentary_required(ev)
    assert tuple(need.columns) == COMMENTARY_COLUMNS
    # revenue is red in north and in acme (acme holds north's values)
    assert set(zip(need["node"], need["org_unit"], strict=True)) == {
        ("revenue", "acme"), ("revenue", "north")
    }  # fmt: skip
    north = need[need["org_unit"] == "north"].iloc[0]
    assert (north["period"], north["actual"], north["target"], north["owner"]) == (
        "2025-09", 10.0, 100.0, "cfo, ann"
    )  # fmt: skip
    done = commentary_required(ev, [_note("a"), _note("b", org_unit="acme", author="cfo")])
    assert done.empty


def test_comments_on_other_periods_or_cells_do_not_count() -> None:
    ev = _evaluation()
    others = [_note("a", period="2025-08"), _note("b", node="calls")]
    assert len(commentary_required(ev, others)) == 2


def test_commentary_for_other_statuses_and_periods() -> None:
    ev = _evaluation()
    amber = commentary_required(ev, statuses=("amber",))
    assert set(amber["node"]) == {"calls"}
    assert commentary_required(ev, period="2025-08").empty
    objectives = commentary_required(ev, kinds=("objective",), statuses=("red", "amber"))
    assert set(objectives["node"]) <= {"grow"}


def test_commentary_bad_input() -> None:
    ev = _evaluation()
    with pytest.raises(ModelError, match="Did you mean 'red'"):
        commentary_required(ev, statuses="Red")
    with pytest.raises(UnknownNodeError, match="Did you mean '2025-09'"):
        commentary_required(ev, period="2025-9")


# -- annotations and threads ------------------------------------------------------------------


def test_threads_in_time_order() -> None:
    notes = [
        _note("q", text="Why red?", at="2025-10-01T08:00:00Z"),
        _note("late", reply_to="q", text="second answer", at="2025-10-03T08:00:00Z"),
        _note("early", reply_to="q", text="first answer", at="2025-10-02T08:00:00Z"),
        _note("re", reply_to="early", text="thanks", at="2025-10-04T08:00:00Z"),
        _note("other", text="unrelated thread"),
    ]
    assert [a.id for a in thread(notes, "q")] == ["q", "early", "re", "late"]
    assert [a.id for a in thread(notes, "late")] == ["late"]


def test_thread_bad_input() -> None:
    notes = [_note("q"), _note("r", reply_to="qq")]
    with pytest.raises(ModelError, match="Did you mean 'q'"):
        thread(notes, "r")
    with pytest.raises(ModelError, match=r"no annotation 'x'"):
        thread([_note("q")], "x")
    with pytest.raises(ModelError, match="used twice"):
        thread([_note("q"), _note("q")], "q")
    with pytest.raises(ModelError, match="parent's cell"):
        thread([_note("q"), _note("r", reply_to="q", period="2025-08")], "q")
    with pytest.raises(ModelError, match="replies to itself"):
        _note("q", reply_to="q")


@pytest.mark.parametrize("field", ["text", "author", "id", "node"])
def test_blank_fields_are_refused(field: str) -> None:
    with pytest.raises(ModelError, match=f"annotation {field} is empty"):
        _note("a", **{field: "  "})


def test_check_annotations_names_unknown_cells() -> None:
    ev = _evaluation()
    check_annotations(ev, [_note("a"), _note("b", reply_to="a")])
    with pytest.raises(UnknownNodeError, match=r"annotation 'a'.*Did you mean 'revenue'"):
        check_annotations(ev, [_note("a", node="revenu")])
    with pytest.raises(UnknownNodeError, match="Did you mean 'north'"):
        check_annotations(ev, [_note("a", org_unit="nort")])
    with pytest.raises(UnknownNodeError, match="Did you mean '2025-09'"):
        check_annotations(ev, [_note("a", period="2025-9")])


# -- overrides --------------------------------------------------------------------------------


def test_owner_override_is_shown_never_silent() -> None:
    ev = _evaluation()
    frame = ev.to_frame()
    out = apply_overrides(frame, [_override()], scorecard=ev.scorecard)
    cell = out[(out["node"] == "revenue") & (out["org_unit"] == "north")].iloc[0]
    assert (cell["status"], cell["original_status"], cell["overridden_by"]) == (
        "amber", "red", "ann"
    )  # fmt: skip
    assert cell["override_justification"].startswith("Invoices")
    untouched = out[(out["node"] == "revenue") & (out["org_unit"] == "acme")].iloc[0]
    assert (untouched["status"], untouched["overridden_by"]) == ("red", "")
    assert out["original_status"].equals(frame["status"])
    assert frame.loc[frame.index[0], "status"] == out.loc[out.index[0], "original_status"]
    assert "overridden_by" not in frame.columns  # the input is not changed
    assert isinstance(out["status"].dtype, pd.CategoricalDtype)
    assert out["score"].equals(frame["score"])  # the score stays computed


def test_latest_override_wins_and_other_periods_are_ignored() -> None:
    ev = _evaluation()
    later = _override(status="green", at="2025-10-02T09:00:00Z", by="cfo")
    aug = _override(period="2025-08", status="red")
    out = apply_overrides(ev.to_frame(), [later, _override(), aug], scorecard=ev.scorecard)
    cell = out[(out["node"] == "revenue") & (out["org_unit"] == "north")].iloc[0]
    assert (cell["status"], cell["overridden_by"]) == ("green", "cfo")
    assert (out["overridden_by"] != "").sum() == 1


def test_only_the_owner_may_override() -> None:
    ev = _evaluation()
    with pytest.raises(ModelError, match="only its owner may: cfo, ann"):
        apply_overrides(ev.to_frame(), [_override(by="dan")], scorecard=ev.scorecard)
    with pytest.raises(ModelError, match="nobody owns it yet"):
        check_override(ev.scorecard, _override(node="calls"))
    with pytest.raises(ModelError, match="only the owner role may override"):
        _override(role="data_steward", by="dan")
    with pytest.raises(ModelError, match=r"unknown role 'ownr'.*Did you mean 'owner'"):
        _override(role="ownr")


@pytest.mark.parametrize("text", ["", "   "])
def test_override_needs_a_justification(text: str) -> None:
    with pytest.raises(ModelError, match="justification is empty"):
        _override(justification=text)


def test_override_of_unknown_things() -> None:
    ev = _evaluation()
    sc = ev.scorecard
    with pytest.raises(UnknownNodeError, match="Did you mean 'revenue'"):
        check_override(sc, _override(node="revenu"))
    with pytest.raises(UnknownNodeError, match="Did you mean 'north'"):
        check_override(sc, _override(org_unit="nort"))
    with pytest.raises(ModelError, match="Did you mean 'amber'"):
        check_override(sc, _override(status="ambr"))
    dup = pd.concat([ev.to_frame(), ev.to_frame()], ignore_index=True)
    with pytest.raises(ModelError, match="more than once"):
        apply_overrides(dup, [], scorecard=sc)


def test_no_overrides_still_adds_the_columns() -> None:
    ev = _evaluation()
    out = apply_overrides(ev.to_frame(period=False), [], scorecard=ev.scorecard)
    assert (out["overridden_by"] == "").all()
    assert {"original_status", "override_justification"} <= set(out.columns)
