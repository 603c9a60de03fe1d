"""Timeliness and data quality per source and indicator (hand-worked cases)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from balanced_scorecard import Engine, Indicator, Objective, Scorecard
from balanced_scorecard.data.source_quality import on_time, timeliness_by_period

ENGINE = Engine(entry_points=False)
SC = Scorecard(
    id="dq",
    objectives=[Objective(id="o", perspective="financial")],
    indicators=[
        Indicator(id="rev", objective="o", time_aggregation="sum"),
        Indicator(id="cost", objective="o", time_aggregation="sum"),
    ],
)


def _evaluate() -> object:
    # ERP rows carry as_of. With books closing 5 days after month end, January closes at
    # the end of 2025-02-05: rev's January row of 02-03 is on time, cost's of 02-10 late;
    # February's row of 03-01 is on time. The HR sheet has no as_of (not dated) and one
    # row with text for a number (quarantined).
    erp = pd.DataFrame(
        {
            "indicator": ["rev", "cost", "rev"],
            "org_unit": "all",
            "period": ["2025-01", "2025-01", "2025-02"],
            "value": [10.0, 4.0, 12.0],
            "as_of": ["2025-02-03", "2025-02-10", "2025-03-01"],
            "source": "erp",
        }
    )
    sheet = pd.DataFrame(
        {
            "indicator": ["cost", "cost"],
            "org_unit": "all",
            "period": ["2025-02", "2025-02"],
            "value": ["5", "five"],
            "source": "sheet",
        }
    )
    return ENGINE.evaluate(SC, [erp, sheet], close_days=5)


def test_timeliness_per_period_and_per_source_and_indicator() -> None:
    ev = _evaluate()
    dq = ev.data_quality.set_index("period")  # type: ignore[attr-defined]
    assert dq.loc["2025-01", "timeliness"] == pytest.approx(50.0)  # one of two on time
    assert dq.loc["2025-02", "timeliness"] == pytest.approx(100.0)  # the sheet is undated
    by = ev.source_quality.set_index(["source", "indicator"])  # type: ignore[attr-defined]
    assert by.loc[("erp", "rev"), ["rows", "dated", "on_time"]].tolist() == [2, 2, 2]
    assert by.loc[("erp", "cost"), "timeliness"] == pytest.approx(0.0)
    assert by.loc[("sheet", "cost"), ["rows", "quarantined"]].tolist() == [1, 1]
    assert by.loc[("sheet", "cost"), "validity"] == pytest.approx(50.0)
    assert np.isnan(by.loc[("sheet", "cost"), "timeliness"])


def test_quality_measures_come_back_as_observations_per_source() -> None:
    ev = _evaluate()
    obs = ev.quality_observations(by_source="dq_{measure}_{source}")  # type: ignore[attr-defined]
    got = obs.set_index(["indicator", "period"])["value"]
    assert got[("dq_timeliness", "2025-01")] == pytest.approx(50.0)
    assert got[("dq_validity_sheet", "2025-02")] == pytest.approx(50.0)
    assert got[("dq_timeliness_erp", "2025-02")] == pytest.approx(200 / 3)  # 2 of 3 on time
    assert ("dq_timeliness_sheet", "2025-02") not in got.index  # undated: no measure
    assert set(obs["unit"]) == {"percent"}


@settings(max_examples=50, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 3), st.integers(-40, 40) | st.none()), min_size=1, max_size=40
    )
)
def test_timeliness_matches_a_plain_count(rows: list[tuple[int, int | None]]) -> None:
    # Four monthly periods closing on day 10 of the next month; a row is recorded
    # `offset` days after its period's close (negative: before), or undated.
    closes = np.array(["2025-02-10", "2025-03-10", "2025-04-10", "2025-05-10"], "datetime64[s]")
    period = np.array([p for p, _ in rows])
    stamps = np.array(
        [
            closes[p] + np.timedelta64(o, "D") if o is not None else np.datetime64("NaT")
            for p, o in rows
        ],
        dtype="datetime64[s]",
    )
    flags = on_time(stamps, period, closes, 0)
    got = timeliness_by_period(flags, period, 0, 4)
    for p in range(4):
        dated = [o for q, o in rows if q == p and o is not None]
        if not dated:
            assert np.isnan(got[p])
        else:
            assert got[p] == pytest.approx(100.0 * sum(o < 0 for o in dated) / len(dated))
