"""Evaluations on fiscal review periods: hand-worked cases on an April-to-March year and on
the NRF 4-5-4 retail calendar (fiscal 2023: 2023-01-29 to 2024-02-03, 53 weeks, its last
period 2023-12-31 to 2024-02-03; fiscal 2024 starts 2024-02-04)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from balanced_scorecard import (
    DefinitionError,
    Engine,
    Indicator,
    Objective,
    ObservationError,
    Scorecard,
    Thresholds,
)
from balanced_scorecard.definitions import dumps, loads
from balanced_scorecard.model import Weight

NRF = "retail:4-5-4:feb:sat:nearest:start"


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine(entry_points=False)


def revenue_card(**kw: object) -> Scorecard:
    return Scorecard(
        id="fy",
        objectives=[Objective(id="grow", perspective="financial")],
        indicators=[
            Indicator(
                id="revenue",
                objective="grow",
                unit="EUR",
                time_aggregation="sum",
                thresholds=Thresholds(red_flag=300, target=600),
            )
        ],
        **kw,  # type: ignore[arg-type]
    )


def obs(periods: list[object], values: list[float], **extra: list[object]) -> pd.DataFrame:
    frame = pd.DataFrame(
        {"indicator": "revenue", "org_unit": "all", "period": periods, "value": values}
    )
    for k, v in extra.items():
        frame[k] = v
    return frame


# April to March, named by the year it ends in: FY2026-Q1 is April-June 2025, Q2 July-
# September, Q3 October-December 2025. Inputs mix fiscal labels, dates and calendar months.
QUARTERLY_INPUT = obs(
    ["2025-04", "2025-05-10", "FY2026-P03", "FY2026-Q2", "2025-10-14", "2025-11", "2025-12-31"],
    [100, 100, 100, 450, 200, 200, 200],
)


def test_fiscal_quarters_with_sums_scores_and_trend(engine: Engine) -> None:
    sc = revenue_card(calendar="fiscal year starting April", review_frequency="quarterly")
    ev = engine.evaluate(sc, QUARTERLY_INPUT)
    assert ev.period_labels == ("FY2026-Q1", "FY2026-Q2", "FY2026-Q3")
    frame = ev.to_frame(period=False, org_unit="all")
    rev = frame[frame["node"] == "revenue"]
    assert rev["period"].astype(str).tolist() == list(ev.period_labels)
    # Hand-worked sums: 100 + 100 + 100, 450, 200 + 200 + 200.
    assert rev["actual"].tolist() == [300, 450, 600]
    # goal_red_flag: red flag 300 scores 1/3, target 600 scores 2/3, linear between.
    assert rev["score"].tolist() == pytest.approx([1 / 3, 0.5, 2 / 3])
    assert rev["trend"].astype(str).tolist()[-1] == "improving"
    assert ev.score("revenue", period="FY2026-Q2") == pytest.approx(0.5)
    assert len(ev.quality) == 0
    assert "FY2026-Q3" in str(ev.explain("revenue"))
    assert "FY2026-Q3" in str(engine.render(ev, "text"))
    assert ev.data_quality["period"].tolist() == list(ev.period_labels)


def test_start_and_period_arguments_on_the_fiscal_axis(engine: Engine) -> None:
    sc = revenue_card(calendar="fiscal:4", review_frequency="quarterly")
    ev = engine.evaluate(sc, QUARTERLY_INPUT, start="FY2026-Q2", period="2025-12-15")
    assert ev.period_labels == ("FY2026-Q2", "FY2026-Q3")
    # A calendar month names the fiscal quarter that holds it: November 2025 is in Q3.
    ev = engine.evaluate(sc, QUARTERLY_INPUT, start="2025-11", period="FY2026-Q3")
    assert ev.period_labels == ("FY2026-Q3",)
    with pytest.raises(ObservationError, match=r"'2026Q1' is ambiguous.*'FY2026-Q1'.*a date"):
        engine.evaluate(sc, QUARTERLY_INPUT, period="2026Q1")


def test_ambiguous_observation_labels_are_quarantined_not_guessed(engine: Engine) -> None:
    sc = revenue_card(calendar="fiscal:4", review_frequency="quarterly")
    frame = pd.concat([QUARTERLY_INPUT, obs(["2026Q1", "2026"], [5, 7])], ignore_index=True)
    ev = engine.evaluate(sc, frame)
    # Nothing was added to any quarter: the two rows are in the quality report instead.
    rev = ev.to_frame(period=False, org_unit="all").query("node == 'revenue'")
    assert rev["actual"].tolist() == [300, 450, 600]
    bad = ev.quality.set_index("period")
    assert set(bad["rule"]) == {"bad-period"}
    assert bad.loc["2026Q1", "row"] == 9  # spreadsheet numbering: header is line 1
    assert "Write 'FY2026-Q1' for the fiscal quarter" in bad.loc["2026Q1", "message"]
    assert "or a date such as" in bad.loc["2026Q1", "message"]
    assert "Write 'FY2026' for the fiscal year" in bad.loc["2026", "message"]


def test_provisional_periods_close_on_fiscal_period_ends(engine: Engine) -> None:
    sc = revenue_card(calendar="fiscal:4")
    frame = obs(["2025-08-15", "2025-09-15"], [400, 500], as_of=["2025-09-02", "2025-10-01"])
    # September 2025 is FY2026-P06 and ends 2025-09-30; with ten days to close it is still
    # provisional on 2025-10-05, while August (P05) closed on 2025-09-10.
    ev = engine.evaluate(sc, frame, as_known_at="2025-10-05", close_days=10)
    assert ev.period_labels == ("FY2026-P05", "FY2026-P06")
    assert ev.provisional == ("FY2026-P06",)
    ev = engine.evaluate(sc, frame, as_known_at="2025-10-11", close_days=10)
    assert ev.provisional == ()


def test_target_csv_with_fiscal_labels(engine: Engine, tmp_path: Path) -> None:
    plan = tmp_path / "plan.csv"
    plan.write_text(
        "indicator,start,end,red_flag,target\n"
        "revenue,FY2026-Q1,FY2026-Q2,200,400\n"
        "revenue,FY2026-Q3,,300,900\n",
        encoding="utf-8",
    )
    sc = revenue_card(calendar="fiscal:4", review_frequency="quarterly")
    ev = engine.evaluate(sc, QUARTERLY_INPUT, targets=str(plan))
    rev = ev.to_frame(period=False, org_unit="all").query("node == 'revenue'")
    assert rev["target"].tolist() == [400, 400, 900]
    assert rev["red_flag"].tolist() == [200, 200, 300]
    # A quarter as the end of a monthly range ends with the quarter's last month.
    monthly = revenue_card(calendar="fiscal:4")
    ev = engine.evaluate(monthly, QUARTERLY_INPUT, targets=str(plan))
    rev = ev.to_frame(period=False, org_unit="all").query("node == 'revenue'")
    assert ev.period_labels[:6] == tuple(f"FY2026-P0{k}" for k in range(1, 7))
    assert rev["target"].tolist() == [400] * 6 + [900] * 3


def test_ambiguous_target_labels_stop_the_evaluation(engine: Engine, tmp_path: Path) -> None:
    plan = tmp_path / "plan.csv"
    plan.write_text(
        "indicator,period,target\nrevenue,FY2026-Q1,400\nrevenue,2026Q1,500\n", encoding="utf-8"
    )
    sc = revenue_card(calendar="fiscal:4", review_frequency="quarterly")
    with pytest.raises(DefinitionError) as info:
        engine.evaluate(sc, QUARTERLY_INPUT, targets=str(plan))
    text = str(info.value)
    assert "plan.csv" in text
    assert "targets[1].start" in text
    assert "targets[1].end" in text
    assert "'2026Q1' is ambiguous" in text


def test_weight_changes_on_fiscal_labels(engine: Engine) -> None:
    def card(changes: dict[str, float]) -> Scorecard:
        return Scorecard(
            id="fy",
            calendar="fiscal:4",
            review_frequency="quarterly",
            objectives=[
                Objective(id="a", perspective="financial"),
                Objective(id="b", perspective="financial", weight=Weight(changes=changes)),
            ],
            indicators=[
                Indicator(id="x", objective="a", thresholds=Thresholds(red_flag=0, target=1)),
                Indicator(id="y", objective="b", thresholds=Thresholds(red_flag=0, target=1)),
            ],
        )

    frame = pd.DataFrame(
        {
            "indicator": ["x", "y"] * 2,
            "org_unit": "all",
            "period": ["FY2026-Q1", "FY2026-Q1", "FY2026-Q2", "FY2026-Q2"],
            "value": [0.0, 1.0, 0.0, 1.0],
        }
    )
    # x sits on its red flag (1/3) and y on its target (2/3): equal weights give 1/2; from
    # FY2026-Q2 on y weighs 3, so financial is (1/3 + 3 * 2/3) / 4 = 7/12.
    ev = engine.evaluate(card({"FY2026-Q2": 3}), frame)
    assert ev.score("financial", period="FY2026-Q1") == pytest.approx(1 / 2)
    assert ev.score("financial", period="FY2026-Q2") == pytest.approx(7 / 12)
    with pytest.raises(DefinitionError, match=r"'b'.*'2025Q3' is ambiguous"):
        engine.evaluate(card({"2025Q3": 3}), frame)


def test_nrf_periods_across_the_53_week_year(engine: Engine) -> None:
    # One unit a day from FY2023-P10 (starts 2023-10-29) to the end of FY2024-P01
    # (2024-03-02); the periods are 4, 5, 5 (4 plus the 53rd week) and 4 weeks long.
    days = pd.date_range("2023-10-29", "2024-03-02", freq="D")
    sc = revenue_card(calendar=NRF)
    ev = engine.evaluate(sc, obs(list(days), [1.0] * len(days)))
    assert ev.period_labels == ("FY2023-P10", "FY2023-P11", "FY2023-P12", "FY2024-P01")
    rev = ev.to_frame(period=False, org_unit="all").query("node == 'revenue'")
    assert rev["actual"].tolist() == [28, 35, 35, 28]


def test_nrf_weekly_review_runs_through_week_53(engine: Engine) -> None:
    sc = revenue_card(calendar=NRF, review_frequency="weekly")
    frame = obs(["2024-01-24", "FY2023-W53", "2024-02-04", "2024-02-14"], [1, 2, 3, 4])
    ev = engine.evaluate(sc, frame)
    assert ev.period_labels == ("FY2023-W52", "FY2023-W53", "FY2024-W01", "FY2024-W02")
    # 2024-01-24 is in W52 (2024-01-21 to 01-27), 2024-02-14 in W02 (02-11 to 02-17).
    rev = ev.to_frame(period=False, org_unit="all").query("node == 'revenue'")
    assert rev["actual"].tolist() == [1, 2, 3, 4]


def test_calendar_months_on_a_retail_calendar_are_refused(engine: Engine) -> None:
    sc = revenue_card(calendar=NRF)
    ev = engine.evaluate(sc, obs(["2024-01", "2024-01-15"], [5, 6]))
    assert ev.period_labels == ("FY2023-P12",)
    bad = ev.quality.iloc[0]
    assert bad["period"] == "2024-01"
    assert "does not line up with the weeks" in bad["message"]
    assert "'FY2023-P12' (2023-12-31 to 2024-02-03)" in bad["message"]


def test_a_scorecard_without_calendar_is_unchanged(engine: Engine) -> None:
    sc = revenue_card()
    frame = obs(["2025-04", "2025Q2", "2025-07-01"], [1, 2, 3])
    ev = engine.evaluate(sc, frame)
    assert ev.period_labels == ("2025-04", "2025-05", "2025-06", "2025-07")
    assert np.array_equal(ev.periods, np.arange(663, 667))  # pandas monthly ordinals
    same = engine.evaluate(revenue_card(calendar="calendar"), frame)
    assert same.period_labels == ev.period_labels
    assert same.to_frame(period=False).equals(ev.to_frame(period=False))


def test_the_calendar_key_in_definition_files(engine: Engine, tmp_path: Path) -> None:
    text = (
        "id: fy\n"
        "review_frequency: quarterly\n"
        "calendar: fiscal year starting April\n"
        "objectives:\n"
        "  - id: grow\n"
        "    perspective: financial\n"
        "    indicators:\n"
        "      - {id: revenue, unit: EUR, time_aggregation: sum,\n"
        "         thresholds: {red_flag: 300, target: 600}}\n"
        "targets:\n"
        "  - {indicator: revenue, period: FY2026-Q3, target: 900}\n"
    )
    sc = loads(text, format="yaml")
    assert sc.calendar is not None
    assert sc.calendar.to_spec() == "fiscal:4"
    written = sc.to_dict()
    assert written["calendar"] == "fiscal:4"
    assert Scorecard.from_dict(written) == sc
    assert loads(dumps(sc, "json"), format="json") == sc
    ev = engine.evaluate(sc, QUARTERLY_INPUT)
    assert ev.to_frame(org_unit="all").query("node == 'revenue'")["target"].tolist() == [900]
    with pytest.raises(DefinitionError, match=r"line 3 at calendar: .*'13' is not a month"):
        loads(text.replace("April", "13"), format="yaml", source="fy.yaml")


def test_fx_translates_a_fiscal_quarter_at_its_own_average_rate(engine: Engine) -> None:
    # FY2026-Q3 of an April year is October-December 2025: the average of the three rates
    # dated inside it is (1.0 + 1.2 + 1.4) / 3 = 1.2 USD per EUR; the rate dated in
    # September belongs to Q2 and is not used. 1200 USD / 1.2 = 1000 EUR.
    rates = pd.DataFrame(
        {
            "date": ["2025-09-30", "2025-10-31", "2025-11-30", "2025-12-31"],
            "currency": "USD",
            "rate": [9.0, 1.0, 1.2, 1.4],
        }
    )
    sc = revenue_card(calendar="fiscal:4", review_frequency="quarterly")
    frame = obs(["FY2026-Q3"], [1200.0], unit=["USD"])
    ev = engine.evaluate(sc, frame, adjust=[("fx", {"rates": rates, "base": "EUR"})])
    assert ev.to_frame(org_unit="all").query("node == 'revenue'")["actual"].tolist() == [
        pytest.approx(1000.0)
    ]
    assert "average FY2026-Q3" in ev.adjustments["note"].iloc[0]
