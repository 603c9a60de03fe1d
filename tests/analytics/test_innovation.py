"""Stage-gate pipeline: hand-worked cases, properties and bad input.

The expected numbers come from the small pipeline below, worked by hand (day counts in
2025, not a leap year: Jan 31, Feb 28, Mar 31, Apr 30, May 31 days).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from balanced_scorecard.analytics.innovation import (
    gate_conversion,
    pipeline_value,
    time_in_stage,
    time_to_market,
)
from balanced_scorecard.exceptions import ModelError, ObservationError

STAGES = ["idea", "scoping", "case", "build", "launch"]


def _events() -> pd.DataFrame:
    # P1 goes all the way; P2 is killed in scoping; P3 is killed as an idea; P4 skips the
    # business case and sits in build; P5 is a fresh idea. P1-P3 belong to unit a, P4-P5 to b.
    rows = [
        ("P1", "a", "idea", "2025-01-01", None, 1.0),
        ("P1", "a", "scoping", "2025-01-11", None, 2.0),
        ("P1", "a", "case", "2025-02-10", None, 4.0),
        ("P1", "a", "build", "2025-03-12", None, 8.0),
        ("P1", "a", "launch", "2025-06-10", None, 10.0),
        ("P2", "a", "idea", "2025-01-01", None, 1.0),
        ("P2", "a", "scoping", "2025-01-31", "2025-03-02", 3.0),
        ("P3", "a", "idea", "2025-02-01", "2025-02-11", 1.0),
        ("P4", "b", "idea", "2025-03-01", None, 1.0),
        ("P4", "b", "scoping", "2025-04-01", None, 2.0),
        ("P4", "b", "build", "2025-05-01", None, 6.0),
        ("P5", "b", "idea", "2025-06-01", None, 1.0),
    ]
    df = pd.DataFrame(rows, columns=["project", "unit", "stage", "entered", "killed", "value"])
    df["entered"] = pd.to_datetime(df["entered"])
    df["killed"] = pd.to_datetime(df["killed"])
    return df


# -- conversion --------------------------------------------------------------------------------


def test_gate_conversion_decided_projects() -> None:
    out = gate_conversion(_events(), stages=STAGES).set_index("stage")
    assert list(out.index) == ["idea", "scoping", "case", "build"]
    assert out.loc["idea", "next_stage"] == "scoping"
    # Idea gate: 5 entered; P1, P2, P4 went on, P3 was killed (decided: 4), P5 waits.
    assert out.loc["idea", ["entered", "pending", "eligible", "converted", "killed"]].tolist() == [
        5,
        1,
        4,
        3,
        1,
    ]
    assert out.loc["idea", "conversion"] == pytest.approx(3 / 4)
    # Scoping gate: P1 and P4 (fast-tracked to build) went on, P2 was killed: 2/3.
    assert out.loc["scoping", "conversion"] == pytest.approx(2 / 3)
    # Business case: only P1 entered it (P4 skipped it) and went on: 1/1.
    assert out.loc["case", ["entered", "converted"]].tolist() == [1, 1]
    # Build: P1 launched, P4 still in build (pending): 1/1.
    assert out.loc["build", ["entered", "pending", "eligible"]].tolist() == [2, 1, 1]
    assert out.loc["build", "conversion"] == pytest.approx(1.0)


def test_gate_conversion_window_cohort() -> None:
    out = gate_conversion(_events(), stages=STAGES, window_days=60).set_index("stage")
    # as_of = latest date = Jun 10. Idea entries at least 60 days old: P1, P2 (160 days),
    # P3 (129), P4 (101); P5 (9) is too young. Within 60 days P1 (10), P2 (30) and P4
    # (Mar 1 -> Apr 1 = 31) reached scoping; P3 never did: 3/4.
    assert out.loc["idea", ["eligible", "converted", "pending"]].tolist() == [4, 3, 1]
    # Scoping: P1 30 days, P4 30 days (Apr 1 -> May 1, 70 days old), P2 never: 2/3.
    assert out.loc["scoping", "conversion"] == pytest.approx(2 / 3)
    # Build: P1 needed 90 days (Mar 12 -> Jun 10) > 60: 0/1; P4 is 40 days in, not eligible.
    assert out.loc["build", ["eligible", "converted"]].tolist() == [1, 0]
    assert out.loc["build", "conversion"] == 0.0


def test_gate_conversion_by_unit_and_nobody_eligible_is_nan() -> None:
    out = gate_conversion(_events(), stages=STAGES, by="unit").set_index(["unit", "stage"])
    # Unit b: P4 passed idea and scoping; P5 pending; nobody in case; P4 pending in build.
    assert out.loc[("b", "idea"), "conversion"] == pytest.approx(1.0)
    assert out.loc[("b", "idea"), "pending"] == 1
    assert out.loc[("b", "case"), "entered"] == 0
    assert math.isnan(out.loc[("b", "case"), "conversion"])
    assert math.isnan(out.loc[("b", "build"), "conversion"])
    # Unit a idea gate: P1, P2 went on, P3 killed: 2/3.
    assert out.loc[("a", "idea"), "conversion"] == pytest.approx(2 / 3)


def test_gate_conversion_exited_counts_as_decided() -> None:
    ev = pd.DataFrame(
        {
            "project": ["Q1", "Q2"],
            "stage": ["idea", "idea"],
            "entered": pd.to_datetime(["2025-01-01", "2025-01-01"]),
            "exited": pd.to_datetime(["2025-02-01", None]),
        }
    )
    out = gate_conversion(ev, stages=["idea", "launch"], exited="exited", killed=None)
    # Q1 left the idea stage without going on (parked): decided, not converted; Q2 waits.
    assert out[["eligible", "converted", "pending"]].iloc[0].tolist() == [1, 0, 1]


# -- time in stage -----------------------------------------------------------------------------


def test_time_in_stage_hand_worked() -> None:
    out = time_in_stage(_events(), stages=STAGES).set_index("stage")
    assert list(out.index) == ["idea", "scoping", "case", "build"]
    # Idea: P1 10 days, P2 30, P3 10 (to its kill), P4 31 -> sorted 10, 10, 30, 31, median 20,
    # mean 81/4; P5 has waited 9 days at Jun 10.
    assert out.loc["idea", "completed"] == 4
    assert out.loc["idea", "median_days"] == pytest.approx(20.0)
    assert out.loc["idea", "mean_days"] == pytest.approx(81 / 4)
    assert out.loc["idea", "in_stage"] == 1
    assert out.loc["idea", "in_stage_median_elapsed_days"] == pytest.approx(9.0)
    # Scoping: P1 Jan 11 -> Feb 10 = 30, P2 Jan 31 -> kill Mar 2 = 30, P4 Apr 1 -> May 1 = 30.
    assert out.loc["scoping", "median_days"] == pytest.approx(30.0)
    # Build: P1 Mar 12 -> Jun 10 = 90; P4 in build since May 1: 40 days.
    assert out.loc["build", "median_days"] == pytest.approx(90.0)
    assert out.loc["build", "in_stage_median_elapsed_days"] == pytest.approx(40.0)


def test_time_in_stage_uses_exit_dates_when_given() -> None:
    ev = pd.DataFrame(
        {
            "project": ["Q1", "Q1"],
            "stage": ["idea", "launch"],
            "entered": pd.to_datetime(["2025-01-01", "2025-03-01"]),
            "exited": pd.to_datetime(["2025-01-21", None]),
        }
    )
    out = time_in_stage(ev, stages=["idea", "launch"], exited="exited", killed=None)
    # The exit (20 days) wins over the next entry (59 days): the gap is gate waiting time.
    assert out["median_days"].iloc[0] == pytest.approx(20.0)


# -- time to market ----------------------------------------------------------------------------


def test_time_to_market_by_unit() -> None:
    out = time_to_market(_events(), stages=STAGES, by="unit").set_index("unit")
    # Unit a: P1 launched after Jan 1 -> Jun 10 = 160 days; P2 and P3 were killed.
    assert out.loc["a", ["projects", "launched", "killed", "in_pipeline"]].tolist() == [3, 1, 2, 0]
    assert out.loc["a", "median_days"] == pytest.approx(160.0)
    # Unit b: nothing launched yet, both in the pipeline.
    assert out.loc["b", "launched"] == 0
    assert out.loc["b", "in_pipeline"] == 2
    assert math.isnan(out.loc["b", "median_days"])


def test_time_to_market_custom_clock_and_missing_start() -> None:
    # From scoping to build: P1 Jan 11 -> Mar 12 = 60, P4 Apr 1 -> May 1 = 30: median 45.
    out = time_to_market(_events(), stages=STAGES, start="scoping", launch="build").iloc[0]
    assert out["launched"] == 2
    assert out["median_days"] == pytest.approx(45.0)
    # Drop P1's scoping row: it reached build without a start row -> counted in no_start.
    ev = _events()
    ev = ev[~((ev["project"] == "P1") & (ev["stage"] == "scoping"))]
    out = time_to_market(ev, stages=STAGES, start="scoping", launch="build").iloc[0]
    assert (out["launched"], out["no_start"]) == (1, 1)
    assert out["median_days"] == pytest.approx(30.0)


# -- pipeline value ----------------------------------------------------------------------------


def test_pipeline_value_at_a_date() -> None:
    out = pipeline_value(_events(), stages=STAGES, at="2025-04-15").set_index("stage")
    # At Apr 15: P1 in build (value 8), P4 in scoping (2), P5 not started. P2 was killed in
    # scoping (value 3), P3 as an idea (1).
    assert out["projects"].tolist() == [0, 1, 0, 1, 0]
    assert out["value"].tolist() == [0.0, 2.0, 0.0, 8.0, 0.0]
    assert out["killed_projects"].tolist() == [1, 1, 0, 0, 0]
    assert out["killed_value"].tolist() == [1.0, 3.0, 0.0, 0.0, 0.0]
    # Only kills after Mar 1: P2's (Mar 2), not P3's (Feb 11).
    recent = pipeline_value(
        _events(), stages=STAGES, at="2025-04-15", killed_since="2025-03-01"
    ).set_index("stage")
    assert recent["killed_projects"].tolist() == [0, 1, 0, 0, 0]


def test_pipeline_value_by_unit() -> None:
    out = pipeline_value(_events(), stages=STAGES, at="2025-06-30", by="unit")
    b = out[out["unit"] == "b"].set_index("stage")
    # Unit b at Jun 30: P4 in build (6), P5 an idea (1).
    assert b.loc["build", "value"] == 6.0
    assert b.loc["idea", "projects"] == 1
    assert len(out) == 2 * len(STAGES)


# -- bad input ---------------------------------------------------------------------------------


def test_bad_input() -> None:
    ev = _events()
    with pytest.raises(ObservationError, match="no rows"):
        gate_conversion(ev.iloc[:0], stages=STAGES)
    with pytest.raises(ObservationError, match=r"\['entered'\].*entered="):
        gate_conversion(ev.drop(columns="entered"), stages=STAGES)
    with pytest.raises(ObservationError, match=r"\['killed'\]"):
        gate_conversion(ev.drop(columns="killed"), stages=STAGES)
    with pytest.raises(ObservationError, match=r"\['case'\] are not in stages"):
        gate_conversion(ev, stages=["idea", "scoping", "build", "launch"])
    with pytest.raises(ObservationError, match="more than one row"):
        gate_conversion(pd.concat([ev, ev.iloc[[0]]]), stages=STAGES)
    backwards = ev.copy()
    backwards.loc[1, "entered"] = pd.Timestamp("2024-12-01")  # P1 scoping before its idea
    with pytest.raises(ObservationError, match="later stage before an earlier"):
        time_in_stage(backwards, stages=STAGES)
    kill_first = ev.copy()
    kill_first.loc[7, "killed"] = pd.Timestamp("2025-01-01")  # P3 killed before it began
    with pytest.raises(ObservationError, match="'killed' before 'entered'"):
        time_to_market(kill_first, stages=STAGES)
    zombie = ev.copy()
    zombie.loc[0, "killed"] = pd.Timestamp("2025-01-05")  # P1 killed, then went on
    with pytest.raises(ObservationError, match="after being killed"):
        gate_conversion(zombie, stages=STAGES)
    with pytest.raises(ModelError, match="window_days"):
        gate_conversion(ev, stages=STAGES, window_days=0)
    with pytest.raises(ModelError, match="two distinct"):
        gate_conversion(ev, stages=["idea"])
    with pytest.raises(ModelError, match="start before launch"):
        time_to_market(ev, stages=STAGES, start="build", launch="idea")
    with pytest.raises(ObservationError, match="after as_of"):
        gate_conversion(ev, stages=STAGES, as_of="2025-03-01")
    with pytest.raises(ObservationError, match="'value'"):
        pipeline_value(ev.assign(value=np.nan), stages=STAGES, at="2025-04-15")


def test_exit_before_entry_is_an_error() -> None:
    ev = pd.DataFrame(
        {
            "project": ["Q1"],
            "stage": ["idea"],
            "entered": pd.to_datetime(["2025-02-01"]),
            "exited": pd.to_datetime(["2025-01-01"]),
        }
    )
    with pytest.raises(ObservationError, match="'exited' before 'entered'"):
        time_in_stage(ev, stages=["idea", "launch"], exited="exited", killed=None)


# -- properties --------------------------------------------------------------------------------

projects = st.lists(
    st.tuples(
        st.integers(0, 100),  # start day
        st.lists(st.integers(0, 40), min_size=1, max_size=4),  # gaps between stages
        st.booleans(),  # killed in its last stage
        st.sampled_from("xy"),  # unit
    ),
    min_size=1,
    max_size=20,
)


def _random_events(spec: list[tuple[int, list[int], bool, str]]) -> pd.DataFrame:
    day0 = pd.Timestamp("2025-01-01")
    rows = []
    for i, (begin, gaps, dead, unit) in enumerate(spec):
        days = np.cumsum([begin, *gaps[:-1]])
        for k, d in enumerate(days):
            last = k == len(days) - 1
            kill = day0 + pd.Timedelta(days=int(d) + gaps[-1]) if dead and last else pd.NaT
            rows.append((f"P{i}", unit, STAGES[k], day0 + pd.Timedelta(days=int(d)), kill, 1.0))
    return pd.DataFrame(rows, columns=["project", "unit", "stage", "entered", "killed", "value"])


@settings(max_examples=60, deadline=None)
@given(spec=projects, window=st.one_of(st.none(), st.integers(1, 60)))
def test_conversion_never_exceeds_one(
    spec: list[tuple[int, list[int], bool, str]], window: int | None
) -> None:
    out = gate_conversion(_random_events(spec), stages=STAGES, window_days=window, by="unit")
    rate = out["conversion"].dropna()
    assert rate.between(0.0, 1.0).all()
    assert (out["converted"] <= out["eligible"]).all()
    assert (out["eligible"] + out["pending"] == out["entered"]).all()


@settings(max_examples=60, deadline=None)
@given(spec=projects)
def test_every_started_project_is_live_or_killed(
    spec: list[tuple[int, list[int], bool, str]],
) -> None:
    ev = _random_events(spec)
    out = pipeline_value(ev, stages=STAGES, at="2026-12-31")
    # Long after every event, each project sits in exactly one stage or among the kills.
    assert out["projects"].sum() + out["killed_projects"].sum() == len(spec)
    stay = time_in_stage(ev, stages=STAGES)
    assert (stay["median_days"].dropna() >= 0).all()
