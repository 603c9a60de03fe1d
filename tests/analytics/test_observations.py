"""Analytics results turned into observations a scorecard evaluates (as_observations).

Every number is hand-worked in the comments.
"""

from __future__ import annotations

import importlib
import inspect

import numpy as np
import pandas as pd
import pytest

from balanced_scorecard.analytics.customer import csat, on_time_delivery
from balanced_scorecard.analytics.observations import as_observations
from balanced_scorecard.catalogue import catalogue
from balanced_scorecard.definitions import loads
from balanced_scorecard.exceptions import ModelError, ObservationError


def _deliveries() -> pd.DataFrame:
    # North: 3 deliveries in January, 2 on time; South: 1 delivery, on time.
    return pd.DataFrame(
        {
            "promised": pd.to_datetime(["2025-01-10"] * 4),
            "delivered": pd.to_datetime(["2025-01-09", "2025-01-10", "2025-01-12", "2025-01-08"]),
            "month": "2025-01",
            "unit": ["north", "north", "north", "south"],
        }
    )


def test_rates_keep_their_counts_so_parents_get_the_ratio_of_sums() -> None:
    otd = on_time_delivery(_deliveries(), by=["month", "unit"])
    obs = as_observations(
        otd, indicator="otd", period="month", org_unit="unit", template="on_time_delivery_rate"
    )
    assert obs[["org_unit", "value", "numerator", "denominator"]].to_numpy().tolist() == [
        ["north", pytest.approx(200 / 3), 2.0, 3.0],
        ["south", 100.0, 1.0, 1.0],
    ]
    assert set(obs["unit"]) == {"percent"}
    sc = loads(
        """
id: s
org_units: [{id: all, children: [{id: north}, {id: south}]}]
objectives:
  - id: deliver
    perspective: customer
    indicators:
      - {id: otd, template: on_time_delivery_rate, thresholds: {red_flag: 80, target: 95}}
""",
        format="yaml",
    )
    ev = sc.evaluate(obs)
    # The company: 3 of 4 deliveries on time = 75 %, not the mean of 66.7 % and 100 %.
    frame = ev.to_frame(org_unit="all")
    actual = frame.loc[frame["node"] == "otd", "actual"].iloc[0]
    assert actual == pytest.approx(75.0)


def test_a_percentage_with_a_count_gets_its_numerator_derived() -> None:
    # Top-2-box of 5, 4, 2, 1 on 1-5 is 2 of 4 = 50 %: numerator 50 / 100 * 4 = 2.
    res = csat(pd.DataFrame({"score": [5, 4, 2, 1], "month": "2025-03"}), by="month")
    obs = as_observations(res, indicator="csat", period="month", template="customer_satisfaction")
    row = obs.iloc[0]
    assert (row["org_unit"], row["value"], row["numerator"], row["denominator"]) == (
        "all",
        50.0,
        2.0,
        4.0,
    )


def test_explicit_columns_and_labels_and_missing_values_stay() -> None:
    res = pd.DataFrame({"median_days": [120.0, np.nan]}, index=["a", "b"])
    obs = as_observations(
        res, indicator="ttm", period="2025-Q1", org_unit="rnd", value="median_days", unit="day"
    )
    assert obs["period"].tolist() == ["2025-Q1", "2025-Q1"]
    assert obs["org_unit"].tolist() == ["rnd", "rnd"]
    # Nothing is dropped: the missing median stays, for the evaluation's quality report.
    assert obs["value"].isna().tolist() == [False, True]
    assert "numerator" not in obs.columns


def test_a_zero_denominator_gives_a_missing_value() -> None:
    res = pd.DataFrame({"converted": [0.0, 1.0], "eligible": [0.0, 2.0], "p": "2025-01"})
    obs = as_observations(
        res,
        indicator="g",
        period="p",
        numerator="converted",
        denominator="eligible",
        unit="percent",
    )
    assert np.isnan(obs["value"].iloc[0])
    assert obs["value"].iloc[1] == 50.0


def test_bad_input_names_the_fix() -> None:
    res = pd.DataFrame({"n": [1.0], "month": ["2025-01"]})
    with pytest.raises(ObservationError, match=r"value column 'nps' is not in the result"):
        as_observations(res, indicator="nps", period="month", template="net_promoter_score")
    with pytest.raises(ObservationError, match="'revenue' has no analytics columns"):
        as_observations(res, indicator="r", period="month", template="revenue")
    with pytest.raises(ModelError, match="no indicator template 'net_promoter'"):
        as_observations(res, indicator="r", period="month", template="net_promoter")
    with pytest.raises(ObservationError, match="needs a denominator"):
        as_observations(res, indicator="r", period="month", numerator="n")
    with pytest.raises(ObservationError, match="needs a DataFrame"):
        as_observations([1, 2], indicator="r", period="month")  # type: ignore[arg-type]


@pytest.mark.parametrize("entry", [k for k, v in catalogue().items() if v.get("analytics")])
def test_every_catalogue_mapping_names_a_function_and_its_columns(entry: str) -> None:
    spec = catalogue()[entry]["analytics"]
    module, name = spec["function"].split(".")
    func = getattr(importlib.import_module(f"balanced_scorecard.analytics.{module}"), name)
    doc = inspect.getdoc(func) or ""
    for role in ("value", "numerator", "denominator"):
        if role in spec:
            # Each column the mapping reads is one the function documents returning.
            assert f"``{spec[role]}``" in doc or f"{spec[role]}" in doc.split("Examples")[-1], (
                entry,
                role,
                spec[role],
            )
