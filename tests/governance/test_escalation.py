"""Escalation rules: run lengths, the most severe rule, recipients and events.

Every expected number below is worked by hand from the observations in ``_evaluation``:
thresholds target 100 / red flag 50, so a month at 10 is red and a month at 100 is green.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from balanced_scorecard.exceptions import ModelError, UnknownNodeError
from balanced_scorecard.governance.escalation import (
    ESCALATION_COLUMNS,
    MANAGER_OF_OWNER,
    EscalationRule,
    default_escalation_rules,
    escalation_events,
    evaluate_escalations,
    resolve_recipients,
    run_lengths,
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

MONTHS = [f"2025-{m:02d}" for m in range(4, 10)]  # FY2026-P01 .. P06 with fiscal:4


def _scorecard() -> Scorecard:
    limits = Thresholds(target=100, red_flag=50)
    return Scorecard(
        id="acme",
        calendar="fiscal:4",
        org_chart=OrgChart(
            units=[
                OrgUnit(id="acme"),
                OrgUnit(id="north", parent="acme"),
                OrgUnit(id="south", parent="acme"),
            ]
        ),
        objectives=[Objective(id="grow", perspective="financial")],
        indicators=[
            Indicator(
                id="revenue", objective="grow", unit="EUR", tier="strategic", thresholds=limits
            ),
            Indicator(
                id="calls",
                objective="grow",
                unit="1",
                thresholds=limits,
                time_aggregation="mean",
                org_aggregation="mean",
            ),
        ],
        assignments=[
            Assignment(role="owner", person="cfo", node="revenue"),
            Assignment(role="owner", person="ann", node="revenue", org_unit="north"),
            Assignment(role="owner", person="coo", node="calls"),
            Assignment(role="owner", person="bob", node="calls", org_unit="north"),
            Assignment(role="executive_sponsor", person="ceo", node="grow"),
        ],
    )


def _evaluation(north_revenue: list[float] | None = None):  # type: ignore[no-untyped-def]
    # north revenue red in months 4-6 (run 3); north calls red in months 5-6 (run 2);
    # south red only in month 6 (run 1). acme is the mean of both units: revenue 55 (amber)
    # in months 4-5 and 10 (red) in month 6, calls 55 (amber) in months 5-6.
    rows = {
        ("revenue", "north"): north_revenue or [100, 100, 100, 10, 10, 10],
        ("revenue", "south"): [100, 100, 100, 100, 100, 10],
        ("calls", "north"): [100, 100, 100, 100, 10, 10],
        ("calls", "south"): [100, 100, 100, 100, 100, 100],
    }
    frames = [
        pd.DataFrame({"indicator": i, "org_unit": u, "period": MONTHS, "value": v})
        for (i, u), v in rows.items()
    ]
    obs = pd.concat(frames, ignore_index=True).dropna(subset=["value"])
    return _scorecard().evaluate(obs)


# -- hand-worked -------------------------------------------------------------------------------


def test_three_red_months_fire_the_executive_rule() -> None:
    esc = evaluate_escalations(_evaluation(), default_escalation_rules())
    got = esc.set_index(["indicator", "org_unit"])
    assert sorted(got.index) == [("calls", "north"), ("revenue", "north")]
    rev = got.loc[("revenue", "north")]
    assert rev["run_length"] == 3
    assert rev["since"] == "FY2026-P04"
    assert rev["rule"] == "executive-review"
    assert rev["to"] == "ceo"  # executive sponsor of objective 'grow', inherited
    assert rev["also_fired"] == "manager"
    assert rev["owner"] == "cfo, ann"
    assert "red for 3 consecutive periods" in rev["reason"]
    # the most severe escalation comes first
    assert esc.loc[0, "rule"] == "executive-review"
    assert tuple(esc.columns) == ESCALATION_COLUMNS


def test_two_red_months_go_to_the_owners_manager() -> None:
    esc = evaluate_escalations(_evaluation()).set_index(["indicator", "org_unit"])
    calls = esc.loc[("calls", "north")]
    assert (calls["run_length"], calls["rule"], calls["to"]) == (2, "manager", "coo")
    assert calls["via"] == "owner of 'calls' in parent unit 'acme'"


def test_an_earlier_period_has_a_shorter_run() -> None:
    esc = evaluate_escalations(_evaluation(), period="FY2026-P05")
    rev = esc[esc["indicator"] == "revenue"].iloc[0]
    # months 4-5 red: two periods, the manager rule; the manager of ann in north is cfo
    assert (rev["run_length"], rev["rule"], rev["to"]) == (2, "manager", "cfo")


def test_tier_filter_and_custom_status() -> None:
    ev = _evaluation()
    only_strategic = [EscalationRule(name="s", periods=1, to_role="owner", tier="strategic")]
    esc = evaluate_escalations(ev, only_strategic)
    assert set(esc["indicator"]) == {"revenue"}
    # south revenue is red in month 6 only: a one-period rule catches it, to its owner
    south = esc[esc["org_unit"] == "south"].iloc[0]
    assert (south["run_length"], south["to"]) == (1, "cfo")
    # amber or worse: north red x3, and acme amber, amber, red: also 3 in a row
    amber = evaluate_escalations(
        ev, [EscalationRule(name="a", periods=3, to_role="owner", status="amber")]
    )
    cells = set(zip(amber["indicator"], amber["org_unit"], strict=True))
    assert cells == {("revenue", "north"), ("revenue", "acme")}


def test_a_missing_period_breaks_the_run() -> None:
    ev = _evaluation([100, 100, 100, 10, None, 10])  # type: ignore[list-item]
    esc = evaluate_escalations(ev)
    assert "revenue" not in set(esc["indicator"])  # run 1 at the focus period


def test_nothing_fires_gives_an_empty_frame_with_the_columns() -> None:
    esc = evaluate_escalations(_evaluation(), period="FY2026-P01")
    assert esc.empty
    assert tuple(esc.columns) == ESCALATION_COLUMNS
    assert escalation_events(esc) == []


def test_recipients_fall_back_and_say_so() -> None:
    sc = _scorecard()
    people, via = resolve_recipients(sc, "revenue", "acme", MANAGER_OF_OWNER)
    assert people == ()  # cfo owns revenue at the top; nobody above
    assert "no manager found" in via
    people, via = resolve_recipients(sc, "calls", "south", "executive review")
    assert people == ("ceo",)
    assert via == "executive_sponsor of 'grow' (inherited)"


def test_events_are_plain_python() -> None:
    events = escalation_events(evaluate_escalations(_evaluation()))
    assert len(events) == 2
    first = events[0]
    assert first["to"] == ("ceo",)
    assert first["also_fired"] == ("manager",)
    assert isinstance(first["run_length"], int)
    assert set(first) == set(ESCALATION_COLUMNS)


# -- properties of the run-length trick -------------------------------------------------------


def _loop_runs(row: list[bool]) -> list[int]:
    out, run = [], 0
    for hit in row:
        run = run + 1 if hit else 0
        out.append(run)
    return out


@settings(max_examples=80, deadline=None)
@given(st.lists(st.lists(st.booleans(), min_size=1, max_size=24), min_size=1, max_size=6))
def test_run_lengths_match_a_loop_and_never_exceed_the_periods(rows: list[list[bool]]) -> None:
    width = max(len(r) for r in rows)
    padded = [r + [False] * (width - len(r)) for r in rows]
    runs = run_lengths(np.array(padded))
    assert runs.tolist() == [_loop_runs(r) for r in padded]
    assert (runs <= np.arange(1, width + 1)).all()
    assert (runs >= 0).all()


@settings(max_examples=60, deadline=None)
@given(st.lists(st.booleans(), min_size=1, max_size=30))
def test_a_green_period_at_the_end_resets_the_run(row: list[bool]) -> None:
    runs = run_lengths(np.array([*row, False]))
    assert runs[-1] == 0
    longer = run_lengths(np.array([*row, True]))
    assert longer[-1] == run_lengths(np.array(row))[-1] + 1


# -- bad input --------------------------------------------------------------------------------


def test_unknown_role_is_refused_with_a_suggestion() -> None:
    with pytest.raises(ModelError, match="Did you mean 'data_steward'"):
        EscalationRule(name="x", periods=2, to_role="data_stewart")


@pytest.mark.parametrize("periods", [0, -1])
def test_periods_must_be_positive(periods: int) -> None:
    with pytest.raises(ModelError, match="at least 1"):
        EscalationRule(name="x", periods=periods, to_role="owner")


def test_unknown_status_and_tier_and_duplicates() -> None:
    ev = _evaluation()
    with pytest.raises(ModelError, match="Did you mean 'red'"):
        evaluate_escalations(
            ev, [EscalationRule(name="x", periods=1, to_role="owner", status="rd")]
        )
    with pytest.raises(ModelError, match="unknown tier"):
        EscalationRule(name="x", periods=1, to_role="owner", tier="tactical")
    rule = EscalationRule(name="x", periods=1, to_role="owner")
    with pytest.raises(ModelError, match="unique"):
        evaluate_escalations(ev, [rule, rule])


def test_unknown_period_suggests_the_label() -> None:
    with pytest.raises(UnknownNodeError, match="Did you mean 'FY2026-P05'"):
        evaluate_escalations(_evaluation(), period="FY2026-P5")


def test_events_need_the_escalation_frame() -> None:
    with pytest.raises(ModelError, match="lacks column"):
        escalation_events(pd.DataFrame({"indicator": ["x"]}))
