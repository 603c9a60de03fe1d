"""Target sets and observation snapshots: lossless round trips, revisions, bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from balanced_scorecard.exceptions import ObservationError
from balanced_scorecard.store import Store, StoreError
from balanced_scorecard.store.frames import frame_from_json, frame_to_json


def observations() -> pd.DataFrame:
    """Hand-made: awkward floats (0.1 + 0.2, -0.0, subnormal, NaN, ±inf) and text periods."""
    return pd.DataFrame(
        {
            "indicator": ["revenue", "revenue", "nps", "nps", "defects", "defects", "x"],
            "org_unit": ["north", "south", "north", None, "north", "south", "north"],
            "period": ["2025-01", "2025Q1", "2025-W07", "FY2025", "2025-03", "2025-03", "2025"],
            "value": [0.1 + 0.2, -0.0, 5e-324, np.nan, np.inf, -np.inf, 1.7976931348623157e308],
            "count": np.arange(7, dtype="int64"),
            "ok": [True, False, True, True, False, True, True],
            "as_of": pd.to_datetime(["2025-02-01"] * 6 + [None]),
        }
    )


def assert_identical(a: pd.DataFrame, b: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(a, b, check_exact=True)
    # the sign of zero too, which == cannot see
    fa, fb = a["value"].to_numpy(), b["value"].to_numpy()
    assert np.array_equal(np.signbit(fa), np.signbit(fb))
    assert np.array_equal(fa, fb, equal_nan=True)


def test_snapshot_round_trip(store: Store) -> None:
    frame = observations()
    assert store.save_snapshot("acme", "2025-03", frame, author="ann", message="March close") == 1
    assert_identical(store.load_snapshot("acme", "2025-03"), frame)
    listing = store.snapshots("acme")
    assert listing[["close_label", "revision", "n_rows"]].values.tolist() == [["2025-03", 1, 7]]
    audit = store.audit(action="snapshot.saved")
    assert audit["subject"].tolist() == ["acme/snapshots/2025-03"]
    assert audit["details"].iloc[0]["rows"] == 7
    assert audit["details"].iloc[0]["sha256"] == listing["sha256"].iloc[0]


def test_targets_revisions_side_by_side(store: Store) -> None:
    budget = pd.DataFrame(
        {
            "indicator": ["revenue"],
            "org_unit": ["north"],
            "start": ["2025-01"],
            "end": ["2025-12"],
            "target": [120000.0],
            "red_flag": [100000.0],
        }
    )
    forecast = budget.assign(target=[110000.0])
    assert store.save_targets("acme", "budget", budget, author="cfo") == 1
    assert store.save_targets("acme", "forecast", forecast, author="fpa") == 1
    assert (
        store.save_targets("acme", "forecast", forecast.assign(target=[105000.0]), author="fpa")
        == 2
    )
    pd.testing.assert_frame_equal(store.load_targets("acme", "budget"), budget)
    assert store.load_targets("acme", "forecast")["target"].iloc[0] == 105000.0
    assert store.load_targets("acme", "forecast", revision=1)["target"].iloc[0] == 110000.0
    assert store.target_sets("acme")[["name", "revision"]].values.tolist() == [
        ["budget", 1],
        ["forecast", 1],
        ["forecast", 2],
    ]
    assert store.audit(action="targets.saved")["actor"].tolist() == ["cfo", "fpa", "fpa"]
    assert store.verify_audit().ok


def test_empty_frame_round_trips(store: Store) -> None:
    empty = pd.DataFrame(
        {"period": pd.Series([], dtype="str"), "value": pd.Series([], dtype=float)}
    )
    store.save_snapshot("acme", "2025-01", empty, author="ann")
    pd.testing.assert_frame_equal(store.load_snapshot("acme", "2025-01"), empty)


def test_unknown_names(store: Store) -> None:
    store.save_targets("acme", "budget", pd.DataFrame({"a": [1.0]}), author="ann")
    with pytest.raises(StoreError, match=r"no name 'budgett' stored for scorecard 'acme'.*budget"):
        store.load_targets("acme", "budgett")
    with pytest.raises(StoreError, match="no revision 3; stored revisions are 1 to 1"):
        store.load_targets("acme", "budget", revision=3)
    with pytest.raises(StoreError, match="close label '2025-02'"):
        store.load_snapshot("acme", "2025-02")


@pytest.mark.parametrize(
    ("frame", "match"),
    [
        (pd.DataFrame({"a": [1.0, 2.0]}, index=[5, 6]), "reset_index"),
        (pd.DataFrame({"a": pd.Series(["x", 1], dtype=object)}), "mixes text with int"),
        (pd.DataFrame({"a": pd.Categorical(["x"])}), "dtype category"),
        (pd.DataFrame({0: [1.0]}), "unique strings"),
        (pd.DataFrame({"a": pd.period_range("2025-01", periods=2, freq="M")}), "astype"),
    ],
)
def test_frames_that_cannot_be_kept_exactly_are_refused(
    store: Store, frame: pd.DataFrame, match: str
) -> None:
    with pytest.raises(ObservationError, match=match):
        store.save_snapshot("acme", "2025-03", frame, author="ann")
    assert store.snapshots("acme").empty
    assert store.audit().empty


def test_not_a_frame() -> None:
    with pytest.raises(ObservationError, match="expected a pandas DataFrame"):
        frame_to_json([1, 2])  # type: ignore[arg-type]


def test_timezones_and_nat_round_trip() -> None:
    frame = pd.DataFrame(
        {"t": pd.date_range("2025-03-30", periods=3, freq="h", tz="Europe/Berlin")}
    )
    frame.loc[1, "t"] = pd.NaT
    pd.testing.assert_frame_equal(frame_from_json(frame_to_json(frame)), frame)


@settings(max_examples=60, deadline=None)
@given(
    values=st.lists(st.floats(allow_nan=True, allow_infinity=True), max_size=30),
    texts=st.lists(st.one_of(st.none(), st.text(max_size=8)), max_size=30),
)
def test_any_floats_and_text_round_trip(values: list[float], texts: list[str | None]) -> None:
    """Property: the codec is the identity on float and text columns (bits and missing)."""
    n = min(len(values), len(texts))
    frame = pd.DataFrame(
        {"value": np.asarray(values[:n], dtype=float), "label": pd.Series(texts[:n], dtype=object)}
    )
    back = frame_from_json(frame_to_json(frame))
    pd.testing.assert_frame_equal(back, frame, check_exact=True)
    assert np.array_equal(np.signbit(back["value"]), np.signbit(frame["value"]))
