"""Customer metrics: hand-worked cases, the issue's NPS reference, properties and bad input."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from balanced_scorecard.analytics.customer import (
    churn,
    csat,
    customer_effort,
    first_contact_resolution,
    nps,
    nps_from_counts,
    on_time_delivery,
    retention_matrix,
)
from balanced_scorecard.exceptions import ModelError, ObservationError

# -- NPS ---------------------------------------------------------------------------------------


def test_nps_reference_from_the_issue() -> None:
    # Issue 4: 50 promoters, 30 passives, 20 detractors is +30. Multinomial variance
    # (0.5 + 0.2 - 0.3^2) / 100 = 0.0061 -> SE 7.8102 points; 95 %: 30 -+ 1.959964 * 7.8102.
    row = nps_from_counts(50, 30, 20).iloc[0]
    assert row["nps"] == pytest.approx(30.0)
    assert row["se"] == pytest.approx(100 * math.sqrt(0.0061))
    assert row["lower"] == pytest.approx(30 - 1.959964 * 7.8102, abs=1e-3)
    assert row["upper"] == pytest.approx(30 + 1.959964 * 7.8102, abs=1e-3)


def test_nps_from_scores_equals_nps_from_counts() -> None:
    scores = [10] * 25 + [9] * 25 + [8] * 15 + [7] * 15 + [6] * 10 + [0] * 10
    got = nps(scores).iloc[0]
    assert (got["promoters"], got["passives"], got["detractors"]) == (50, 30, 20)
    assert got["nps"] == pytest.approx(30.0)
    assert got["se"] == pytest.approx(nps_from_counts(50, 30, 20)["se"].iloc[0])


def test_nps_by_segment_and_several_columns() -> None:
    df = pd.DataFrame(
        {
            "market": ["EU", "EU", "EU", "US", "US", "US"],
            "type": ["a", "a", "b", "a", "a", "a"],
            "ltr": [10, 6, 9, 8, 9, 2],
        }
    )
    one = nps(df, score="ltr", by="market").set_index("market")
    # EU: 2 promoters, 1 detractor of 3 -> +33.3; US: 1 promoter, 1 passive, 1 detractor -> 0.
    assert one.loc["EU", "nps"] == pytest.approx(100 / 3)
    assert one.loc["US", "nps"] == pytest.approx(0.0)
    two = nps(df, score="ltr", by=["market", "type"])
    assert list(two.columns[:2]) == ["market", "type"]
    assert len(two) == 3
    assert two["n"].sum() == 6


def test_nps_confidence_level_widens() -> None:
    narrow = nps_from_counts(50, 30, 20, confidence=0.8).iloc[0]
    wide = nps_from_counts(50, 30, 20, confidence=0.99).iloc[0]
    assert wide["lower"] < narrow["lower"] < 30 < narrow["upper"] < wide["upper"]


counts = st.integers(0, 500)


@given(counts, counts, counts, st.integers(1, 50))
def test_nps_properties(p: int, q: int, d: int, extra: int) -> None:
    if p + q + d == 0:
        return
    row = nps_from_counts(p, q, d).iloc[0]
    assert -100 <= row["nps"] <= 100
    assert row["lower"] <= row["nps"] <= row["upper"]
    assert row["lower"] >= -100
    assert row["upper"] <= 100
    # Adding promoters never lowers the NPS.
    assert nps_from_counts(p + extra, q, d)["nps"].iloc[0] >= row["nps"] - 1e-12


def test_nps_vectorised_counts() -> None:
    out = nps_from_counts([50, 10], [30, 0], [20, 10])
    np.testing.assert_allclose(out["nps"], [30.0, 0.0])


@pytest.mark.parametrize(
    ("scores", "match"),
    [
        ([], "no rows"),
        ([11], "0 to 10"),
        ([-1, 5], "0 to 10"),
        ([7.5], "whole numbers"),
        ([5, np.nan], "missing"),
    ],
)
def test_nps_bad_scores(scores: list[float], match: str) -> None:
    with pytest.raises(ObservationError, match=match):
        nps(scores)


def test_nps_bad_counts_and_options() -> None:
    with pytest.raises(ObservationError, match="negative"):
        nps_from_counts(-1, 3, 4)
    with pytest.raises(ObservationError, match="at least one response"):
        nps_from_counts(0, 0, 0)
    with pytest.raises(ObservationError, match="same length"):
        nps_from_counts([1, 2], [1, 2, 3], [1])
    with pytest.raises(ModelError, match="confidence"):
        nps_from_counts(1, 1, 1, confidence=95)
    with pytest.raises(ObservationError, match="not found"):
        nps(pd.DataFrame({"x": [1]}))
    with pytest.raises(ObservationError, match="by= needs a DataFrame"):
        nps([1, 2], by="market")


# -- CSAT and effort ---------------------------------------------------------------------------


def test_csat_three_forms_hand_worked() -> None:
    # 5, 4, 4, 2, 1 on 1-5: top-2-box 3/5 = 60 %, mean 3.2, POMP (3.2 - 1)/4 = 55 %,
    # sd sqrt(((1.8)^2 + 2 * 0.8^2 + 1.2^2 + 2.2^2) / 4) = sqrt(2.7).
    row = csat([5, 4, 4, 2, 1]).iloc[0]
    assert row["top_box_pct"] == 60.0
    assert row["mean"] == pytest.approx(3.2)
    assert row["percent_of_max"] == pytest.approx(55.0)
    assert row["sd"] == pytest.approx(math.sqrt(2.7))
    # Wilson interval for 3 of 5 at 95 %: 23.07 % to 88.24 % (standard worked example).
    assert row["top_box_lower"] == pytest.approx(23.07, abs=0.01)
    assert row["top_box_upper"] == pytest.approx(88.24, abs=0.01)
    # Top-3-box on a 0-10 scale counts 8, 9 and 10.
    assert csat([10, 8, 7, 0], scale=(0, 10), top_box=3)["top_box_pct"].iloc[0] == 50.0


def test_csat_by_segment() -> None:
    df = pd.DataFrame({"client": ["gov", "gov", "smb"], "score": [5, 3, 4]})
    out = csat(df, by="client").set_index("client")
    assert out.loc["gov", "top_box_pct"] == 50.0
    assert out.loc["smb", "mean"] == 4.0
    assert math.isnan(out.loc["smb", "sd"])  # one response has no spread


def test_customer_effort_both_scale_directions() -> None:
    row = customer_effort([7, 6, 5, 4, 2]).iloc[0]
    assert (row["mean"], row["easy_pct"]) == (4.8, 60.0)
    # 1-5 effort scale, lower is easier: 1 and 2 count as easy -> 2 of 4.
    low = customer_effort([1, 2, 3, 5], scale=(1, 5), easy_box=2, higher_is_easier=False)
    assert low["easy_pct"].iloc[0] == 50.0


def test_scale_bad_input() -> None:
    with pytest.raises(ObservationError, match="from 1 to 5"):
        csat([0, 3])
    with pytest.raises(ObservationError, match="no rows"):
        csat(pd.DataFrame({"score": []}))
    with pytest.raises(ModelError, match="scale"):
        csat([1], scale=(5, 1))
    with pytest.raises(ModelError, match="box"):
        csat([1], top_box=9)


@given(st.lists(st.integers(1, 5), min_size=1, max_size=50))
def test_csat_properties(scores: list[int]) -> None:
    row = csat(scores).iloc[0]
    assert 0 <= row["percent_of_max"] <= 100
    assert row["top_box_lower"] <= row["top_box_pct"] <= row["top_box_upper"]
    # More boxes never lower the share.
    assert csat(scores, top_box=3)["top_box_pct"].iloc[0] >= row["top_box_pct"]


# -- delivery and first-contact resolution -----------------------------------------------------


def test_on_time_delivery_with_tolerance_and_segments() -> None:
    ev = pd.DataFrame(
        {
            "region": ["N", "N", "N", "S", "S"],
            "due": pd.to_datetime(
                ["2025-01-10", "2025-01-10", "2025-01-12", "2025-01-01", "2025-01-01"]
            ),
            "done": pd.to_datetime(["2025-01-09", "2025-01-11", None, "2025-01-03", "2025-01-01"]),
        }
    )
    out = on_time_delivery(ev, promised="due", delivered="done", by="region").set_index("region")
    # N: two delivered, one on time (the 11th is a day late), one pending.
    assert out.loc["N", ["delivered", "on_time", "pending"]].tolist() == [2, 1, 1]
    assert out.loc["N", "on_time_pct"] == 50.0
    assert out.loc["S", "on_time_pct"] == 50.0
    lenient = on_time_delivery(ev, promised="due", delivered="done", tolerance="2D")
    assert lenient["on_time_pct"].iloc[0] == 100.0


def test_on_time_delivery_bad_input() -> None:
    ev = pd.DataFrame({"promised": pd.to_datetime([None]), "delivered": pd.to_datetime([None])})
    with pytest.raises(ObservationError, match="no 'promised' date"):
        on_time_delivery(ev)
    with pytest.raises(ObservationError, match="not found"):
        on_time_delivery(pd.DataFrame({"promised": [1]}))


def test_first_contact_resolution() -> None:
    rows = pd.DataFrame(
        {
            "ticket": [1, 2, 2, 3, 4, 5],
            "channel": ["phone", "phone", "phone", "chat", "chat", "chat"],
            "closed": [True, False, True, False, True, True],
        }
    )
    out = first_contact_resolution(rows, case="ticket", resolved="closed", by="channel")
    out = out.set_index("channel")
    # phone: case 1 single and closed, case 2 needed two contacts -> 1 of 2.
    # chat: case 3 single but not closed; 4 and 5 single and closed -> 2 of 3.
    assert out.loc["phone", ["cases", "fcr"]].tolist() == [2, 1]
    assert out.loc["chat", "fcr_pct"] == pytest.approx(200 / 3)
    # Without a resolved flag every single-contact case counts.
    assert first_contact_resolution(rows, case="ticket")["fcr"].iloc[0] == 4
    with pytest.raises(ObservationError, match="no 'closed' flag"):
        first_contact_resolution(
            rows.assign(closed=[True, None, True, True, True, True]),
            case="ticket",
            resolved="closed",
        )


# -- retention and churn -----------------------------------------------------------------------


def test_retention_matrix_hand_worked() -> None:
    # a: months 1, 2, 3; b: 1, 3; c: 2. Cohort 1 = {a, b}: month 2 -> a (50 %), month 3 ->
    # a and b (100 %). Cohort 2 = {c}: month 3 -> nobody (0 %); offset 2 not yet observed.
    rows = pd.DataFrame(
        {"customer_id": ["a", "a", "b", "b", "c", "a", "a"], "period": [1, 2, 1, 3, 2, 3, 3]}
    )
    m = retention_matrix(rows)
    assert m["cohort_size"].tolist() == [2, 1]
    assert m.loc[1, [0, 1, 2]].tolist() == [100.0, 50.0, 100.0]
    assert m.loc[2, 1] == 0.0
    assert math.isnan(m.loc[2, 2])


def test_retention_with_dates_and_segments() -> None:
    rows = pd.DataFrame(
        {
            "cust": ["a", "a", "b", "b", "c", "d"],
            "tier": ["gold", "silver", "gold", "gold", "silver", "silver"],
            "day": pd.to_datetime(
                ["2025-01-03", "2025-02-01", "2025-01-20", "2025-03-02", "2025-02-11", "2025-01-01"]
            ),
        }
    )
    m = retention_matrix(rows, customer="cust", period="day", by="tier")
    assert m.index.names == ["tier", "cohort"]
    # a's segment comes from its earliest row (gold), so gold's January cohort is {a, b}.
    gold = m.loc[("gold", pd.Period("2025-01", "M"))]
    assert gold["cohort_size"] == 2
    assert gold[[0, 1, 2]].tolist() == [100.0, 50.0, 50.0]
    quarterly = retention_matrix(rows, customer="cust", period="day", freq="Q")
    assert quarterly["cohort_size"].sum() == 4
    assert list(quarterly.columns) == ["cohort_size", 0]


def test_churn_hand_worked() -> None:
    # Period 1: a, b, c. Period 2: a, c, d (b churned, d new). Period 3: b (back), a/c/d gone.
    rows = pd.DataFrame(
        {"customer_id": ["a", "b", "c", "a", "c", "d", "b"], "period": [1, 1, 1, 2, 2, 2, 3]}
    )
    out = churn(rows).set_index("period")
    assert out.loc[2, ["active_start", "retained", "churned", "new", "reactivated"]].tolist() == [
        3,
        2,
        1,
        1,
        0,
    ]
    assert out.loc[2, "churn_pct"] == pytest.approx(100 / 3)
    assert out.loc[3, ["churned", "reactivated"]].tolist() == [3, 1]
    assert (out["churn_pct"] + out["retention_pct"]).eq(100).all()


def test_churn_lists_empty_periods_per_segment() -> None:
    rows = pd.DataFrame(
        {"customer_id": ["a", "a", "b"], "seg": ["x", "x", "y"], "period": [1, 3, 3]}
    )
    out = churn(rows, by="seg")
    x = out[out["seg"] == "x"].set_index("period")
    assert x.loc[2, ["active_start", "active", "churned"]].tolist() == [1, 0, 1]
    assert x.loc[3, "reactivated"] == 1
    y = out[out["seg"] == "y"].set_index("period")
    assert math.isnan(y.loc[2, "churn_pct"])  # nobody active in period 1 for y


activity = st.lists(
    st.tuples(st.sampled_from("abcdef"), st.integers(1, 6)), min_size=1, max_size=40
)


@given(activity)
def test_retention_and_churn_properties(rows: list[tuple[str, int]]) -> None:
    frame = pd.DataFrame(rows, columns=["customer_id", "period"])
    m = retention_matrix(frame)
    values = m.drop(columns="cohort_size").to_numpy()
    assert np.all(values[:, 0] == 100)
    assert np.all((values[~np.isnan(values)] >= 0) & (values[~np.isnan(values)] <= 100))
    assert m["cohort_size"].sum() == frame["customer_id"].nunique()
    c = churn(frame)
    assert (c["retained"] + c["churned"] == c["active_start"]).all()
    assert (c["retained"] + c["new"] + c["reactivated"] == c["active"]).all()
    assert (c[["retained", "churned", "new", "reactivated"]] >= 0).all().all()


def test_activity_bad_input() -> None:
    with pytest.raises(ObservationError, match="no rows"):
        churn(pd.DataFrame({"customer_id": [], "period": []}))
    with pytest.raises(ObservationError, match="dates, pandas periods or integer"):
        retention_matrix(pd.DataFrame({"customer_id": ["a"], "period": ["x"]}))
    with pytest.raises(ObservationError, match="without"):
        retention_matrix(pd.DataFrame({"customer_id": ["a", None], "period": [1, 2]}))
