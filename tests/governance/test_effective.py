"""Effective-dated definitions: the version in force per period, history re-scored with it,
series breaks, and bad effective dates."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd
import pytest

from balanced_scorecard.exceptions import ModelError, ObservationError
from balanced_scorecard.governance.effective import (
    definition_in_force,
    effective_versions,
    evaluate_history,
    indicator_signature,
    version_in_force,
)
from balanced_scorecard.model import Scorecard
from balanced_scorecard.store import Store

BASE: dict[str, Any] = {
    "id": "acme",
    "objectives": [
        {
            "id": "grow",
            "perspective": "financial",
            "indicators": [
                {"id": "revenue", "unit": "EUR", "thresholds": {"target": 100, "red_flag": 50}},
                {"id": "visits", "unit": "count", "thresholds": {"target": 10, "red_flag": 5}},
            ],
        }
    ],
}
PERIODS = [f"2025-{m:02d}" for m in range(1, 13)]


def variant(target: float = 100, visits_unit: str = "count") -> Scorecard:
    data: dict[str, Any] = {**BASE, "objectives": [dict(BASE["objectives"][0])]}
    inds = [dict(i) for i in BASE["objectives"][0]["indicators"]]
    inds[0]["thresholds"] = {"target": target, "red_flag": 50}
    inds[1]["unit"] = visits_unit
    data["objectives"][0]["indicators"] = inds
    return Scorecard.from_dict(data)


@pytest.fixture
def obs() -> pd.DataFrame:
    # revenue 60, 70, ..., 170 over 2025; visits 8 every month (hand-made)
    rev = pd.DataFrame(
        {
            "indicator": "revenue",
            "org_unit": "all",
            "period": PERIODS,
            "value": np.arange(60.0, 180.0, 10.0),
        }
    )
    vis = pd.DataFrame({"indicator": "visits", "org_unit": "all", "period": PERIODS, "value": 8.0})
    return pd.concat([rev, vis], ignore_index=True)


@pytest.fixture
def store() -> Iterator[Store]:
    with Store.open("sqlite://") as s:
        yield s


def scores(frame: pd.DataFrame, node: str = "revenue") -> pd.Series:
    rows = frame[frame["node"] == node]
    return pd.Series(rows["score"].to_numpy(), index=rows["period"].astype(str).to_numpy())


def test_threshold_change_rescores_only_from_july(store: Store, obs: pd.DataFrame) -> None:
    store.save_definition(variant(100), author="ann")
    store.save_definition(variant(200), author="ann", effective_from="2025-07")
    h = evaluate_history(store, "acme", obs)
    assert h["version"].tolist().count(1) == h["version"].tolist().count(2)
    old = scores(variant(100).evaluate(obs).to_frame(period=False))
    new = scores(variant(200).evaluate(obs).to_frame(period=False))
    got = scores(h)
    assert list(got.index) == PERIODS
    # January to June exactly as version 1 scores them; July on exactly as version 2
    np.testing.assert_array_equal(got[PERIODS[:6]].to_numpy(), old[PERIODS[:6]].to_numpy())
    np.testing.assert_array_equal(got[PERIODS[6:]].to_numpy(), new[PERIODS[6:]].to_numpy())
    # and July on is really different: revenue 120 vs target 100 (green, capped) or 200
    assert (got[PERIODS[6:]].to_numpy() < old[PERIODS[6:]].to_numpy()).all()
    target = h[h["node"] == "revenue"].set_index("period")["target"]
    assert target["2025-06"] == 100.0
    assert target["2025-07"] == 200.0
    assert not h["series_break"].any()  # a threshold change is no redefinition
    assert definition_in_force(store, "acme", "2025-06")[0] == 1
    version, sc = definition_in_force(store, "acme", "2025-07")
    assert version == 2
    assert sc.indicator("revenue").thresholds.target == 200


def test_named_version_reproduces_old_scores_exactly(store: Store, obs: pd.DataFrame) -> None:
    store.save_definition(variant(100), author="ann")
    store.save_definition(variant(200), author="ann", effective_from="2025-07")
    h = evaluate_history(store, "acme", obs, version=1)
    direct = variant(100).evaluate(obs).to_frame(period=False)
    pd.testing.assert_frame_equal(h.drop(columns=["version", "series_break"]), direct)
    assert set(h["version"]) == {1}
    again = evaluate_history(store, "acme", obs)
    pd.testing.assert_frame_equal(again, evaluate_history(store, "acme", obs))  # deterministic


def test_series_break_on_unit_change(store: Store, obs: pd.DataFrame) -> None:
    store.save_definition(variant(100), author="ann")
    store.save_definition(variant(200), author="ann", effective_from="2025-04")
    store.save_definition(variant(200, "dimensionless"), author="ann", effective_from="2025-10")
    h = evaluate_history(store, "acme", obs)
    breaks = h[h["series_break"]]
    assert breaks[["node", "period", "version"]].values.tolist() == [["visits", "2025-10", 3]]
    assert h.loc[h["period"] == "2025-04", "version"].unique().tolist() == [2]
    only = evaluate_history(store, "acme", obs, periods=["2025-10", "2025-11"])
    assert sorted(set(only["period"].astype(str))) == ["2025-10", "2025-11"]
    assert only["series_break"].sum() == 1


def test_signature_fields() -> None:
    a, b = variant(100), variant(200)
    assert indicator_signature(a, "revenue") == indicator_signature(b, "revenue")
    assert indicator_signature(a, "visits") != indicator_signature(
        variant(100, "dimensionless"), "visits"
    )


def test_effective_date_before_first_period(store: Store, obs: pd.DataFrame) -> None:
    store.save_definition(variant(100), author="ann")
    store.save_definition(variant(200), author="ann", effective_from="2024-06")
    with pytest.raises(ModelError) as info:
        evaluate_history(store, "acme", obs)
    text = str(info.value)
    assert "'2024-06'" in text
    assert "'2025-01'" in text
    assert "version=2" in text


def test_first_version_in_force_later(store: Store, obs: pd.DataFrame) -> None:
    store.save_definition(variant(100), author="ann", effective_from="2025-03")
    with pytest.raises(ModelError, match="no version of scorecard 'acme' is in force in '2025-01'"):
        evaluate_history(store, "acme", obs)
    with pytest.raises(ModelError, match="in force in '2025-02'"):
        definition_in_force(store, "acme", "2025-02")


def test_out_of_order_effective_dates_refused(store: Store) -> None:
    store.save_definition(variant(100), author="ann")
    store.save_definition(variant(200), author="ann", effective_from="2025-07")
    with pytest.raises(ModelError, match=r"from 2025-03, before version 2, which is in force"):
        store.save_definition(variant(300), author="ann", effective_from="2025-03")
    with pytest.raises(ModelError, match="from the first period, before version 2"):
        store.save_definition(variant(300), author="ann")
    assert store.latest_version("acme") == 2
    # same period: a correction that supersedes version 2
    assert store.save_definition(variant(250), author="ann", effective_from="2025-07") == 3
    v = effective_versions(store, "acme")
    assert version_in_force(v, ["2025-06", "2025-07"]).tolist() == [1, 3]


def test_unknown_scorecard_and_periods(store: Store, obs: pd.DataFrame) -> None:
    with pytest.raises(Exception, match="no definition of scorecard 'nope'"):
        evaluate_history(store, "nope", obs)
    store.save_definition(variant(100), author="ann")
    with pytest.raises(ModelError, match=r"periods \['2030-01'\] were not evaluated"):
        evaluate_history(store, "acme", obs, periods=["2030-01"])


def test_empty_observations(store: Store) -> None:
    store.save_definition(variant(100), author="ann")
    empty = pd.DataFrame({"indicator": [], "org_unit": [], "period": [], "value": []})
    with pytest.raises(ObservationError, match="no valid observations"):
        evaluate_history(store, "acme", empty)
