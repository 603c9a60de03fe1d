"""Review calendars, meeting dates and agendas.

Meeting dates are worked by hand: with a fiscal year starting in April (FY2026 = April 2025
to March 2026) and a 5-day close, the meeting reviewing a period is held 5 calendar days
after its last day.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from balanced_scorecard.exceptions import ModelError, UnknownNodeError
from balanced_scorecard.governance.annotations import Annotation
from balanced_scorecard.governance.cadence import (
    AGENDA_COLUMNS,
    MEETING_COLUMNS,
    Meeting,
    ReviewCalendar,
    agenda,
    default_review_calendars,
    review_meetings,
)
from balanced_scorecard.governance.escalation import EscalationRule, evaluate_escalations
from balanced_scorecard.model import (
    Assignment,
    Indicator,
    Objective,
    OrgChart,
    OrgUnit,
    Scorecard,
    Thresholds,
)

MONTHS = [f"2025-{m:02d}" for m in range(4, 10)]  # FY2026-P01 .. P06


def _evaluation(revenue_name: str = "Revenue"):  # type: ignore[no-untyped-def]
    limits = Thresholds(target=100, red_flag=50)
    sc = Scorecard(
        id="acme",
        calendar="fiscal:4",
        org_chart=OrgChart(units=[OrgUnit(id="acme"), OrgUnit(id="north", parent="acme")]),
        objectives=[Objective(id="grow", perspective="financial")],
        indicators=[
            Indicator(
                id="revenue",
                name=revenue_name,
                objective="grow",
                tier="strategic",
                thresholds=limits,
            ),
            Indicator(id="calls", objective="grow", thresholds=limits),
        ],
        assignments=[
            Assignment(role="owner", person="cfo", node="revenue"),
            Assignment(role="owner", person="ann", node="revenue", org_unit="north"),
            Assignment(role="owner", person="coo", node="calls"),
            Assignment(role="executive_sponsor", person="ceo", node="grow"),
            Assignment(role="review_facilitator", person="pmo", node="financial"),
        ],
    )
    values = {"revenue": [100, 100, 100, 10, 10, 10], "calls": [100, 100, 100, 100, 10, 10]}
    obs = pd.concat(
        [
            pd.DataFrame({"indicator": i, "org_unit": "north", "period": MONTHS, "value": v})
            for i, v in values.items()
        ],
        ignore_index=True,
    )
    return sc.evaluate(obs)


# -- meeting dates ------------------------------------------------------------------------------


def test_fiscal_year_from_april_with_a_five_day_close() -> None:
    monthly, quarterly = default_review_calendars(close_days=5)
    m = review_meetings(
        [monthly, quarterly], start="2025-04-01", end="2026-03-31", fiscal_calendar="fiscal:4"
    )
    assert tuple(m.columns) == MEETING_COLUMNS
    ops = m[m["tier"] == "operational"]
    # by hand: each month's last day + 5 days
    assert ops["period"].tolist() == [f"FY2026-P{n:02d}" for n in range(1, 13)]
    assert [d.date() for d in ops["date"]] == [
        date(2025, 5, 5), date(2025, 6, 5), date(2025, 7, 5), date(2025, 8, 5),
        date(2025, 9, 5), date(2025, 10, 5), date(2025, 11, 5), date(2025, 12, 5),
        date(2026, 1, 5), date(2026, 2, 5), date(2026, 3, 5), date(2026, 4, 5),
    ]  # fmt: skip
    strat = m[m["tier"] == "strategic"]
    assert strat["period"].tolist() == ["FY2026-Q1", "FY2026-Q2", "FY2026-Q3", "FY2026-Q4"]
    assert [d.date() for d in strat["period_end"]] == [
        date(2025, 6, 30), date(2025, 9, 30), date(2025, 12, 31), date(2026, 3, 31)
    ]  # fmt: skip
    assert [d.date() for d in strat["date"]] == [
        date(2025, 7, 5), date(2025, 10, 5), date(2026, 1, 5), date(2026, 4, 5)
    ]  # fmt: skip
    # the quarter's review is listed before the month's on the same day
    same_day = m[m["date"] == pd.Timestamp("2025-07-05")]
    assert same_day["tier"].tolist() == ["strategic", "operational"]
    assert m["date"].is_monotonic_increasing


def test_business_day_close() -> None:
    rc = ReviewCalendar(
        name="ops", tier="operational", frequency="monthly", offset_days=5, business_days=True
    )
    m = review_meetings(rc, start="2025-04-01", end="2025-05-31", fiscal_calendar="fiscal:4")
    # 30 Apr 2025 is a Wednesday: Thu 1, Fri 2, Mon 5, Tue 6, Wed 7 May.
    # 31 May 2025 is a Saturday: from Friday 30 May, the fifth weekday is Friday 6 June.
    assert [d.date() for d in m["date"]] == [date(2025, 5, 7), date(2025, 6, 6)]


def test_calendar_months_and_scorecard_calendar() -> None:
    rc = ReviewCalendar(name="ops", tier="operational", frequency="monthly")
    plain = review_meetings(rc, start="2025-01-15", end="2025-03-31")
    # January ends inside the window; its meeting is on the day it ends (no close)
    assert plain["period"].tolist() == ["2025-01", "2025-02", "2025-03"]
    ev = _evaluation()
    fiscal = review_meetings(rc, start="2025-04-01", end="2025-04-30", fiscal_calendar=ev.scorecard)
    assert fiscal["period"].tolist() == ["FY2026-P01"]


def test_no_calendars_and_a_window_without_period_ends() -> None:
    assert review_meetings([], start="2025-01-01", end="2025-12-31").empty
    rc = ReviewCalendar(name="q", tier="strategic", frequency="quarterly")
    assert review_meetings(rc, start="2025-01-01", end="2025-01-31").empty


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"tier": "tactical"}, "unknown review tier"),
        ({"frequency": "weekly"}, "monthly, quarterly or yearly"),
        ({"frequency": "fortnightly"}, "monthly, quarterly or yearly"),
        ({"offset_days": -1}, "before the period has ended"),
        ({"facilitator": "facilitatr"}, "unknown role"),
    ],
)
def test_bad_review_calendars(kwargs: dict[str, object], message: str) -> None:
    fields: dict[str, object] = {"name": "x", "tier": "operational", "frequency": "monthly"}
    with pytest.raises(ModelError, match=message):
        ReviewCalendar(**{**fields, **kwargs})  # type: ignore[arg-type]


def test_bad_windows() -> None:
    rc = ReviewCalendar(name="x", tier="operational", frequency="monthly")
    with pytest.raises(ModelError, match="before start"):
        review_meetings(rc, start="2025-05-01", end="2025-04-01")
    with pytest.raises(ModelError, match="not a date"):
        review_meetings(rc, start="someday", end="2025-04-01")


# -- agendas ------------------------------------------------------------------------------------


def _meetings():  # type: ignore[no-untyped-def]
    return review_meetings(
        default_review_calendars(close_days=5),
        start="2025-09-01",
        end="2025-09-30",
        fiscal_calendar="fiscal:4",
    )


def test_operational_agenda_has_every_tier() -> None:
    ev = _evaluation()
    ops = _meetings().query("tier == 'operational'").iloc[0]
    a = agenda(ev, ops)
    assert a.period == "FY2026-P06"
    assert set(zip(a.exceptions["node"], a.exceptions["org_unit"], strict=True)) >= {
        ("revenue", "north"), ("calls", "north")
    }  # fmt: skip
    assert set(a.escalations["rule"]) == {"executive-review", "manager"}
    assert set(a.commentary["node"]) == {"revenue", "calls"}
    assert a.facilitators == ("pmo",)


def test_strategic_agenda_reads_the_quarter_and_keeps_strategic_items() -> None:
    ev = _evaluation()
    qbr = Meeting.from_row(_meetings().query("tier == 'strategic'").iloc[0])
    assert qbr.period == "FY2026-Q2"
    a = agenda(ev, qbr)
    assert a.period == "FY2026-P06"  # the quarter's last month
    assert set(a.exceptions["node"].astype(str)) == {"revenue"}
    assert set(a.escalations["indicator"]) == {"revenue"}
    assert set(a.commentary["node"]) == {"revenue"}


def test_agenda_uses_given_escalations_and_annotations() -> None:
    ev = _evaluation()
    ops = _meetings().query("tier == 'operational'").iloc[0]
    note = Annotation(
        id="n1",
        node="revenue",
        org_unit="north",
        period="FY2026-P06",
        author="ann",
        text="Key customer lost",
        at="2025-10-02T08:00:00Z",
    )
    esc = evaluate_escalations(ev, [EscalationRule(name="any", periods=1, to_role="owner")])
    a = agenda(ev, ops, annotations=[note], escalations=esc)
    assert set(a.escalations["rule"]) == {"any"}
    assert ("revenue", "north") not in set(
        zip(a.commentary["node"], a.commentary["org_unit"], strict=True)
    )
    # escalations of another period are not due at this meeting
    old = evaluate_escalations(ev, period="FY2026-P05")
    assert agenda(ev, ops, escalations=old).escalations.empty


def test_agenda_frame_text_and_escaped_html() -> None:
    ev = _evaluation(revenue_name="<script>alert(1)</script> & more")
    a = agenda(ev, _meetings().query("tier == 'operational'").iloc[0])
    frame = a.to_frame()
    assert tuple(frame.columns) == AGENDA_COLUMNS
    assert list(dict.fromkeys(frame["section"])) == ["exception", "escalation", "commentary"]
    text = str(a)
    assert "Escalations due (" in text
    assert "facilitator: pmo" in text
    page = a._repr_html_()
    assert "<script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more" in page


def test_empty_agenda() -> None:
    ev = _evaluation()
    rc = ReviewCalendar(name="ops", tier="operational", frequency="monthly")
    first = review_meetings(rc, start="2025-04-01", end="2025-04-30", fiscal_calendar=ev.scorecard)
    a = agenda(ev, first.iloc[0])
    assert a.to_frame().empty
    assert "Exceptions (0):\n  none" in str(a)
    assert "<p>none</p>" in a._repr_html_()


def test_meeting_outside_the_evaluation_is_refused() -> None:
    ev = _evaluation()
    rc = ReviewCalendar(name="ops", tier="operational", frequency="monthly")
    later = review_meetings(rc, start="2025-12-01", end="2025-12-31", fiscal_calendar="fiscal:4")
    with pytest.raises(UnknownNodeError, match="no evaluated period ends then"):
        agenda(ev, later.iloc[0])
    with pytest.raises(ModelError, match="needs"):
        agenda(ev, {"meeting": "x"})
