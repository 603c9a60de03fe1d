"""Review cadence: when each review meets, and what is on its agenda.

A :class:`ReviewCalendar` describes one recurring review (monthly operational, quarterly
strategic...). :func:`review_meetings` lays its meetings out on the fiscal calendar: one per
fiscal period (or quarter), held ``offset_days`` after the period ends, when the books have
closed. :func:`agenda` assembles what a meeting must discuss from an evaluation: the
exceptions at the meeting's tier, the escalations due and the overdue commentary.

Conventions
-----------
* The **close**: a meeting reviewing a period is held ``offset_days`` calendar days after the
  period's last day (``business_days=True`` counts Monday to Friday instead; no holiday
  calendar).
* :func:`review_meetings` lists the meetings of the periods that **end** between ``start``
  and ``end`` (both inclusive), so a fiscal year's dates give that year's meetings even
  though the last one is held after the year has ended.
* A **strategic** meeting looks at strategic indicators only (and at every escalation to the
  executive sponsor, which is what an executive review is for); an **operational** meeting
  looks at every indicator.
* An agenda reads the evaluated period that ends when the meeting's period ends: a quarterly
  meeting on a monthly evaluation reads the quarter's last month.

Examples
--------
>>> monthly = ReviewCalendar(name="ops", tier="operational", frequency="monthly",
...                          offset_days=5)
>>> m = review_meetings(monthly, start="2025-04-01", end="2025-06-30",
...                     fiscal_calendar="fiscal:4")
>>> m[["period", "period_end", "date"]].astype(str)
       period  period_end        date
0  FY2026-P01  2025-04-30  2025-05-05
1  FY2026-P02  2025-05-31  2025-06-05
2  FY2026-P03  2025-06-30  2025-07-05
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping
from datetime import date
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np
import pandas as pd

from balanced_scorecard._suggest import did_you_mean
from balanced_scorecard.data.periods import bucket_labels, period_end_dates
from balanced_scorecard.exceptions import ModelError, UnknownNodeError
from balanced_scorecard.governance.annotations import Annotation, commentary_required
from balanced_scorecard.governance.escalation import evaluate_escalations
from balanced_scorecard.governance.roles import parse_role
from balanced_scorecard.model.enums import Frequency, Tier
from balanced_scorecard.model.people import Role
from balanced_scorecard.model.periods import FiscalCalendar, to_calendar
from balanced_scorecard.model.scorecard import Scorecard

if TYPE_CHECKING:
    from balanced_scorecard.results import Evaluation

__all__ = [
    "AGENDA_COLUMNS",
    "MEETING_COLUMNS",
    "Agenda",
    "Meeting",
    "ReviewCalendar",
    "agenda",
    "default_review_calendars",
    "review_meetings",
]

#: Columns of :func:`review_meetings`.
MEETING_COLUMNS = (
    "meeting",
    "tier",
    "frequency",
    "period",
    "period_start",
    "period_end",
    "date",
    "facilitator_role",
)

#: Columns of :meth:`Agenda.to_frame`.
AGENDA_COLUMNS = ("section", "node", "name", "org_unit", "status", "detail", "who")

_FREQS = {Frequency.MONTHLY: "P", Frequency.QUARTERLY: "Q", Frequency.YEARLY: "Y"}


def _to_frequency(value: object) -> Frequency:
    try:
        freq = Frequency.parse(value)
    except (ValueError, KeyError):
        freq = None
    if freq not in _FREQS:
        raise ModelError(
            f"a review meets monthly, quarterly or yearly, not {value!r}."
            + did_you_mean(str(value), ["monthly", "quarterly", "yearly"])
        )
    assert freq is not None  # narrowed by the check above
    return freq


def _to_tier(value: object) -> Tier:
    try:
        return Tier(str(value).strip().lower())
    except ValueError:
        raise ModelError(
            f"unknown review tier {value!r}; write 'operational' or 'strategic'."
            + did_you_mean(str(value), [t.value for t in Tier])
        ) from None


def _check_offset(_: object, __: attrs.Attribute[int], value: int) -> None:
    if value < 0:
        raise ModelError(
            f"offset_days={value} would meet before the period has ended; give the days "
            "after the period end when the books are closed (0 or more)"
        )


@attrs.frozen(kw_only=True)
class ReviewCalendar:
    """A recurring review: its tier, how often it meets and how long after the close.

    Parameters
    ----------
    name
        Name of the review (``"monthly operational review"``).
    tier
        ``"operational"`` (every indicator) or ``"strategic"`` (strategic indicators).
    frequency
        ``"monthly"``, ``"quarterly"`` or ``"yearly"`` (a :class:`Frequency` or its alias).
    offset_days
        Days after the period's last day the meeting is held (the close), 0 or more.
    facilitator
        The role that prepares the meeting (default ``review_facilitator``).
    business_days
        Count ``offset_days`` in Monday-to-Friday days.

    Examples
    --------
    >>> ReviewCalendar(name="qbr", tier="strategic", frequency="Q", offset_days=10).frequency
    <Frequency.QUARTERLY: 'Q'>
    >>> ReviewCalendar(name="x", tier="tactical", frequency="monthly")
    Traceback (most recent call last):
    ...
    balanced_scorecard.exceptions.ModelError: unknown review tier 'tactical'; ...
    """

    name: str
    tier: Tier = attrs.field(converter=_to_tier)
    frequency: Frequency = attrs.field(converter=_to_frequency)
    offset_days: int = attrs.field(default=0, converter=int, validator=_check_offset)
    facilitator: Role = attrs.field(default=Role.REVIEW_FACILITATOR, converter=parse_role)
    business_days: bool = False


def default_review_calendars(*, close_days: int = 5) -> tuple[ReviewCalendar, ReviewCalendar]:
    """A monthly operational review and a quarterly strategic review, ``close_days`` after
    each period ends.

    Examples
    --------
    >>> [(c.name, c.frequency.value) for c in default_review_calendars()]
    [('monthly operational review', 'M'), ('quarterly strategic review', 'Q')]
    """
    return (
        ReviewCalendar(
            name="monthly operational review",
            tier=Tier.OPERATIONAL,
            frequency=Frequency.MONTHLY,
            offset_days=close_days,
        ),
        ReviewCalendar(
            name="quarterly strategic review",
            tier=Tier.STRATEGIC,
            frequency=Frequency.QUARTERLY,
            offset_days=close_days,
        ),
    )


def _fiscal(value: FiscalCalendar | Scorecard | str | None) -> FiscalCalendar | None:
    if isinstance(value, Scorecard):
        return value.calendar
    return to_calendar(value)


def _day(value: date | str | np.datetime64 | pd.Timestamp, what: str) -> np.datetime64:
    try:
        day = np.datetime64(pd.Timestamp(value).date(), "D")
    except (ValueError, TypeError):
        raise ModelError(f"{what}={value!r} is not a date; write e.g. '2025-04-01'") from None
    if np.isnat(day):
        raise ModelError(f"{what} is missing (NaT); give a date such as '2025-04-01'")
    return day


def review_meetings(
    calendars: ReviewCalendar | Iterable[ReviewCalendar],
    *,
    start: date | str,
    end: date | str,
    fiscal_calendar: FiscalCalendar | Scorecard | str | None = None,
) -> pd.DataFrame:
    """The meetings of one or more reviews for the periods ending between ``start`` and
    ``end``.

    Parameters
    ----------
    calendars
        One :class:`ReviewCalendar` or several.
    start, end
        First and last day of the window (inclusive; dates or ISO text).
    fiscal_calendar
        The fiscal calendar periods follow: a
        :class:`~balanced_scorecard.model.periods.FiscalCalendar`, a spec such as
        ``"fiscal:4"``, a scorecard (its ``calendar``) or ``None`` for calendar months.
        Period labels are written as an evaluation with that calendar writes them.

    Returns
    -------
    DataFrame
        Columns :data:`MEETING_COLUMNS`, ordered by meeting date, strategic before
        operational on the same day, then by name.

    Raises
    ------
    ModelError
        ``end`` before ``start``, or unreadable dates.

    Examples
    --------
    >>> qbr = ReviewCalendar(name="qbr", tier="strategic", frequency="quarterly",
    ...                      offset_days=5)
    >>> review_meetings(qbr, start="2025-01-01", end="2025-12-31")[
    ...     ["period", "date"]].astype(str)
       period        date
    0  2025Q1  2025-04-05
    1  2025Q2  2025-07-05
    2  2025Q3  2025-10-05
    3  2025Q4  2026-01-05
    """
    first, last = _day(start, "start"), _day(end, "end")
    if last < first:
        raise ModelError(f"end {last} is before start {first}; swap them")
    cal = _fiscal(fiscal_calendar)
    grid = cal if cal is not None else FiscalCalendar()
    items = [calendars] if isinstance(calendars, ReviewCalendar) else list(calendars)
    parts: list[pd.DataFrame] = []
    for rc in items:  # one block of vectorised date arithmetic per review
        code = _FREQS[rc.frequency]
        lo, hi = grid.ordinals(np.array([first, last]), freq=code)
        per = grid.from_ordinals(np.arange(lo, hi + 1), freq=code)
        keep = (per.end >= first) & (per.end <= last)
        ends = per.end[keep]
        if rc.business_days:
            when = np.busday_offset(ends, rc.offset_days, roll="backward")
        else:
            when = ends + np.timedelta64(rc.offset_days, "D")
        parts.append(
            pd.DataFrame(
                {
                    "meeting": rc.name,
                    "tier": rc.tier.value,
                    "frequency": rc.frequency.name.lower(),
                    "period": bucket_labels(ends, rc.frequency, cal).astype(object),
                    "period_start": pd.to_datetime(per.start[keep]),
                    "period_end": pd.to_datetime(ends),
                    "date": pd.to_datetime(when),
                    "facilitator_role": rc.facilitator.value,
                }
            )
        )
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in MEETING_COLUMNS})
    out = pd.concat(parts, ignore_index=True)
    out["_tier"] = (out["tier"] != Tier.STRATEGIC.value).astype(int)
    out = out.sort_values(["date", "_tier", "meeting"], kind="stable")
    return out[list(MEETING_COLUMNS)].reset_index(drop=True)


@attrs.frozen(kw_only=True)
class Meeting:
    """One meeting of a review (a row of :func:`review_meetings`)."""

    meeting: str
    tier: Tier = attrs.field(converter=_to_tier)
    period: str
    period_end: date
    date: date
    frequency: str = ""
    facilitator_role: Role = attrs.field(default=Role.REVIEW_FACILITATOR, converter=parse_role)

    @classmethod
    def from_row(cls, row: Mapping[str, Any] | pd.Series[Any]) -> Meeting:
        """From a row of :func:`review_meetings` (a Series or a mapping).

        Examples
        --------
        >>> rc = ReviewCalendar(name="ops", tier="operational", frequency="monthly")
        >>> Meeting.from_row(review_meetings(rc, start="2025-01-01", end="2025-01-31").iloc[0])
        ... # doctest: +NORMALIZE_WHITESPACE +ELLIPSIS
        Meeting(meeting='ops', tier=<Tier.OPERATIONAL: 'operational'>, period='2025-01',
                period_end=datetime.date(2025, 1, 31), date=datetime.date(2025, 1, 31),
                frequency='monthly', facilitator_role=<Role.REVIEW_FACILITATOR: ...>)
        """
        missing = [c for c in ("meeting", "tier", "period", "period_end", "date") if c not in row]
        if missing:
            raise ModelError(f"a meeting row needs {missing}; pass a row of review_meetings(...)")
        return cls(
            meeting=str(row["meeting"]),
            tier=row["tier"],
            period=str(row["period"]),
            period_end=pd.Timestamp(row["period_end"]).date(),
            date=pd.Timestamp(row["date"]).date(),
            frequency=str(row.get("frequency", "")),
            facilitator_role=row.get("facilitator_role", Role.REVIEW_FACILITATOR),
        )


@attrs.frozen(kw_only=True, eq=False)
class Agenda:
    """What one meeting must discuss.

    Attributes
    ----------
    meeting
        The meeting.
    period
        The evaluated period the agenda reads.
    exceptions
        :meth:`Evaluation.exceptions` rows at the meeting's tier.
    escalations
        :func:`~balanced_scorecard.governance.escalation.evaluate_escalations` rows due.
    commentary
        :func:`~balanced_scorecard.governance.annotations.commentary_required` rows: red
        values nobody has explained yet.
    facilitators
        People holding the meeting's facilitator role anywhere in the scorecard.
    """

    meeting: Meeting
    period: str
    exceptions: pd.DataFrame
    escalations: pd.DataFrame
    commentary: pd.DataFrame
    facilitators: tuple[str, ...] = ()

    @property
    def title(self) -> str:
        """``name — period, meeting date``; names the evaluated period read when it differs
        from the meeting's (a quarter read through its last month)."""
        period = self.meeting.period
        if period != self.period:
            period += f" (read at {self.period})"
        return f"{self.meeting.meeting} — {period}, meeting {self.meeting.date.isoformat()}"

    def to_frame(self) -> pd.DataFrame:
        """Every item as one frame: columns :data:`AGENDA_COLUMNS`, ``section`` one of
        ``exception``, ``escalation``, ``commentary``, in that order."""
        ex, es, co = self.exceptions, self.escalations, self.commentary
        parts = [
            pd.DataFrame(
                {
                    "section": "exception",
                    "node": ex["node"].astype(str).to_numpy(),
                    "name": ex["name"].astype(str).to_numpy(),
                    "org_unit": ex["org_unit"].astype(str).to_numpy(),
                    "status": ex["status"].astype(str).to_numpy(),
                    "detail": [
                        _exception_detail(a, t, tr, s)
                        for a, t, tr, s in zip(
                            ex["actual"], ex["target"], ex["trend"], ex["signal"], strict=True
                        )
                    ],
                    "who": ex["owner"].astype(str).to_numpy(),
                }
            ),
            pd.DataFrame(
                {
                    "section": "escalation",
                    "node": es["indicator"].astype(str).to_numpy(),
                    "name": es["name"].astype(str).to_numpy(),
                    "org_unit": es["org_unit"].astype(str).to_numpy(),
                    "status": es["status"].astype(str).to_numpy(),
                    "detail": es["reason"].astype(str).to_numpy(),
                    "who": es["to"].astype(str).to_numpy(),
                }
            ),
            pd.DataFrame(
                {
                    "section": "commentary",
                    "node": co["node"].astype(str).to_numpy(),
                    "name": co["name"].astype(str).to_numpy(),
                    "org_unit": co["org_unit"].astype(str).to_numpy(),
                    "status": co["status"].astype(str).to_numpy(),
                    "detail": "comment overdue",
                    "who": co["owner"].astype(str).to_numpy(),
                }
            ),
        ]
        out = (
            pd.concat([p for p in parts if len(p)], ignore_index=True)
            if any(len(p) for p in parts)
            else pd.DataFrame({c: pd.Series(dtype=object) for c in AGENDA_COLUMNS})
        )
        return out[list(AGENDA_COLUMNS)].astype(object)

    def _sections(self) -> list[tuple[str, pd.DataFrame]]:
        items = self.to_frame()
        return [
            (title, items[items["section"] == key])
            for key, title in (
                ("exception", "Exceptions"),
                ("escalation", "Escalations due"),
                ("commentary", "Overdue commentary"),
            )
        ]

    def __str__(self) -> str:
        lines = [self.title]
        lines.append(f"facilitator: {', '.join(self.facilitators) or '(none assigned)'}")
        for title, rows in self._sections():
            lines.append(f"{title} ({len(rows)}):")
            if rows.empty:
                lines.append("  none")
            for r in rows.to_dict("records"):
                who = f" — {r['who']}" if r["who"] else ""
                lines.append(
                    f"  - {r['name']} @ {r['org_unit']}: {r['status']}; {r['detail']}{who}"
                )
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        esc = html.escape
        out = [f"<h3>{esc(self.title)}</h3>"]
        who = ", ".join(self.facilitators) or "(none assigned)"
        out.append(f"<p>Facilitator: {esc(who)}</p>")
        for title, rows in self._sections():
            out.append(f"<h4>{esc(title)} ({len(rows)})</h4>")
            if rows.empty:
                out.append("<p>none</p>")
                continue
            head = "".join(f"<th>{esc(c)}</th>" for c in AGENDA_COLUMNS[1:])
            body = "".join(
                "<tr>" + "".join(f"<td>{esc(str(v))}</td>" for v in r[1:]) + "</tr>"
                for r in rows.itertuples(index=False)
            )
            out.append(f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")
        return "\n".join(out)


def _exception_detail(actual: float, target: float, trend: object, signal: object) -> str:
    text = f"actual {actual:g}" if pd.notna(actual) else "no value"
    if pd.notna(target):
        text += f" vs target {target:g}"
    if str(trend):
        text += f", {trend}"
    if str(signal):
        text += f", signal {signal}"
    return text


def _evaluated_period(evaluation: Evaluation, meeting: Meeting) -> str:
    ends = period_end_dates(
        np.asarray(evaluation.periods), evaluation.freq, calendar=evaluation.scorecard.calendar
    )
    at = np.nonzero(ends == np.datetime64(meeting.period_end, "D"))[0]
    if len(at) == 0:
        raise UnknownNodeError(
            f"meeting {meeting.meeting!r} reviews {meeting.period} (ending "
            f"{meeting.period_end}), but no evaluated period ends then; the evaluation covers "
            f"{evaluation.period_labels[0]} to {evaluation.period_labels[-1]}. Evaluate up to "
            f"{meeting.period}." + did_you_mean(meeting.period, evaluation.period_labels)
        )
    return evaluation.period_labels[int(at[0])]


def agenda(
    evaluation: Evaluation,
    meeting: Meeting | Mapping[str, Any] | pd.Series[Any],
    *,
    annotations: Iterable[Annotation] | None = None,
    escalations: pd.DataFrame | None = None,
) -> Agenda:
    """The agenda of ``meeting``: exceptions at its tier, escalations due, overdue commentary.

    Parameters
    ----------
    evaluation
        An evaluation that includes the meeting's period.
    meeting
        A :class:`Meeting` or a row of :func:`review_meetings`.
    annotations
        The comments so far (default none: every red value needs one).
    escalations
        A frame of :func:`~balanced_scorecard.governance.escalation.evaluate_escalations`;
        default: evaluated here with the default rules at the meeting's period. Rows of
        other periods are left out.

    Raises
    ------
    UnknownNodeError
        When no evaluated period ends when the meeting's period ends.

    Examples
    --------
    >>> import pandas as pd
    >>> from balanced_scorecard.model import Indicator, Objective, Scorecard, Thresholds
    >>> sc = Scorecard(id="d", objectives=[Objective(id="g", perspective="financial")],
    ...     indicators=[Indicator(id="rev", objective="g", tier="strategic",
    ...                           thresholds=Thresholds(target=100, red_flag=50))])
    >>> ev = sc.evaluate(pd.DataFrame({"indicator": "rev", "org_unit": "all",
    ...     "period": ["2025-01", "2025-02", "2025-03"], "value": [10.0, 20.0, 30.0]}))
    >>> qbr = ReviewCalendar(name="qbr", tier="strategic", frequency="quarterly",
    ...                      offset_days=5)
    >>> row = review_meetings(qbr, start="2025-01-01", end="2025-03-31").iloc[0]
    >>> print(agenda(ev, row))  # doctest: +NORMALIZE_WHITESPACE
    qbr — 2025Q1 (read at 2025-03), meeting 2025-04-05
    facilitator: (none assigned)
    Exceptions (1):
      - rev @ all: red; actual 30 vs target 100, improving
    Escalations due (1):
      - rev @ all: red; red for 3 consecutive periods: escalate to the executive sponsor
        (held 3 periods, since 2025-01)
    Overdue commentary (1):
      - rev @ all: red; comment overdue
    """
    m = meeting if isinstance(meeting, Meeting) else Meeting.from_row(meeting)
    label = _evaluated_period(evaluation, m)
    sc = evaluation.scorecard
    strategic = {i.id for i in sc.indicators if i.tier is Tier.STRATEGIC}
    ex = evaluation.exceptions(period=label)
    co = commentary_required(evaluation, annotations or (), period=label)
    es = (
        evaluate_escalations(evaluation, period=label)
        if escalations is None
        else escalations[escalations["period"].astype(str) == label]
    )
    if m.tier is Tier.STRATEGIC:
        ex = ex[ex["node"].astype(str).isin(strategic)]
        co = co[co["node"].isin(strategic)]
        es = es[
            es["indicator"].astype(str).isin(strategic)
            | (es["to_role"] == Role.EXECUTIVE_SPONSOR.value)
        ]
    facilitators = tuple(
        dict.fromkeys(a.person for a in sc.assignments if a.role is m.facilitator_role)
    )
    return Agenda(
        meeting=m,
        period=label,
        exceptions=ex.reset_index(drop=True),
        escalations=es.reset_index(drop=True),
        commentary=co.reset_index(drop=True),
        facilitators=facilitators,
    )
