"""Customer insight: journey coverage, perception gaps and survey sampling plans.

Every expected number is worked by hand in the comment next to it (z = 1.959964 for 95 %).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from balanced_scorecard.analytics.customer_insight import (
    JOURNEY_STAGES,
    journey_coverage,
    margin_of_error,
    perception_gap,
    plan_survey,
    sample_size,
)
from balanced_scorecard.exceptions import ModelError, ObservationError, ScorecardError
from balanced_scorecard.model import Indicator, Objective, Scorecard

# -- journey coverage --------------------------------------------------------------------------


def _scorecard() -> Scorecard:
    return Scorecard(
        id="cx",
        objectives=[Objective(id="delight", perspective="customer")],
        indicators=[
            Indicator(id="leads", objective="delight", tags=["journey:acquisition"]),
            Indicator(
                id="time_to_value",
                objective="delight",
                tags=["journey:onboarding", "segment:smb"],
            ),
            Indicator(
                id="csat",
                objective="delight",
                tags=["journey:support", "journey:use", "quarterly"],
            ),
            Indicator(id="revenue", objective="delight"),
        ],
    )


def test_coverage_from_a_mapping() -> None:
    cov = journey_coverage({"use": ["b", "a", "a"], "acquisition": "leads", "renewal": []})
    f = cov.frame.set_index("stage")
    assert list(cov.frame["stage"]) == list(JOURNEY_STAGES)
    assert list(cov.frame["position"]) == [1, 2, 3, 4, 5, 6]
    # Duplicates collapse and ids are sorted.
    assert f.loc["use", "indicators"] == ("a", "b")
    assert f.loc["acquisition", "indicators"] == ("leads",)
    assert f.loc["renewal", "indicators"] == ()
    assert cov.uncovered == ("onboarding", "support", "renewal", "advocacy")
    # 2 of 6 stages covered.
    assert cov.coverage_pct == pytest.approx(100 * 2 / 6)
    assert cov.gaps == ()
    assert cov.segments == ()


def test_coverage_from_scorecard_tags() -> None:
    cov = journey_coverage(_scorecard())
    f = cov.frame.set_index("stage")
    assert f.loc["support", "indicators"] == ("csat",)
    assert f.loc["use", "indicators"] == ("csat",)
    # A segment tag does not matter when coverage is not per segment.
    assert f.loc["onboarding", "indicators"] == ("time_to_value",)
    assert cov.uncovered == ("renewal", "advocacy")


def test_coverage_per_segment_from_tags() -> None:
    cov = journey_coverage(_scorecard(), segments=["smb", "enterprise"])
    assert len(cov.frame) == 2 * 6
    assert list(cov.frame["segment"][:6]) == ["smb"] * 6
    # time_to_value is tagged smb only, so enterprise has no onboarding indicator; untagged
    # indicators (leads, csat) cover both segments.
    assert cov.uncovered_in("smb") == ("renewal", "advocacy")
    assert cov.uncovered_in("enterprise") == ("onboarding", "renewal", "advocacy")
    assert cov.uncovered == ("renewal", "advocacy")
    assert ("enterprise", "onboarding") in cov.gaps
    with pytest.raises(ModelError, match=r"no segment 'SMB'.*Did you mean 'smb'"):
        cov.uncovered_in("SMB")


def test_coverage_per_segment_from_a_frame_with_custom_stages() -> None:
    links = pd.DataFrame(
        {
            "stage": ["buy", "buy", "pay"],
            "indicator": ["win_rate", "win_rate_eu", "dso"],
            "market": [None, "EU", None],
        }
    )
    cov = journey_coverage(
        links, stages=["buy", "pay", "leave"], segments=["EU", "US"], segment_column="market"
    )
    f = cov.frame.set_index(["segment", "stage"])
    assert f.loc[("EU", "buy"), "indicators"] == ("win_rate", "win_rate_eu")
    assert f.loc[("US", "buy"), "indicators"] == ("win_rate",)
    assert f.loc[("US", "pay"), "n_indicators"] == 1
    assert cov.gaps == (("EU", "leave"), ("US", "leave"))
    assert cov.uncovered == ("leave",)


def test_coverage_with_no_links_is_all_uncovered() -> None:
    cov = journey_coverage({})
    assert cov.uncovered == JOURNEY_STAGES
    assert cov.coverage_pct == 0.0


@pytest.mark.parametrize(
    ("source", "match"),
    [
        ({"onbaording": ["x"]}, r"unknown journey stage\(s\) \['onbaording'\].*'onboarding'"),
        (
            Scorecard(
                id="s",
                objectives=[Objective(id="o", perspective="customer")],
                indicators=[Indicator(id="i", objective="o", tags=["journey:renew"])],
            ),
            "unknown journey stage.*'renew'",
        ),
    ],
)
def test_coverage_unknown_stage_is_an_error(source: object, match: str) -> None:
    with pytest.raises(ModelError, match=match):
        journey_coverage(source)  # type: ignore[arg-type]


def test_coverage_bad_input() -> None:
    with pytest.raises(ModelError, match="stages must not be empty"):
        journey_coverage({}, stages=[])
    with pytest.raises(ModelError, match="unique"):
        journey_coverage({}, stages=["use", "use"])
    with pytest.raises(ModelError, match="segments must not be empty"):
        journey_coverage({}, segments=[])
    with pytest.raises(ModelError, match=r"unknown segment\(s\) \['smb'\]"):
        journey_coverage(_scorecard(), segments=["enterprise"])
    with pytest.raises(ModelError, match="needs a Scorecard"):
        journey_coverage(["use"])  # type: ignore[arg-type]
    with pytest.raises(ObservationError, match="'stage' and 'indicator'"):
        journey_coverage(pd.DataFrame({"stage": ["use"]}))
    with pytest.raises(ObservationError, match="without a stage or indicator"):
        journey_coverage(pd.DataFrame({"stage": ["use", None], "indicator": ["a", "b"]}))


@given(
    st.dictionaries(
        st.sampled_from(JOURNEY_STAGES),
        st.lists(st.sampled_from(["a", "b", "c", "d"]), max_size=4),
    ),
    st.one_of(st.none(), st.lists(st.sampled_from(["x", "y", "z"]), min_size=1, unique=True)),
)
def test_coverage_lists_every_stage_exactly_once(
    mapping: dict[str, list[str]], segments: list[str] | None
) -> None:
    cov = journey_coverage(mapping, segments=segments)
    per_segment = [None] if segments is None else segments
    for seg in per_segment:
        rows = cov.frame if seg is None else cov.frame[cov.frame["segment"] == seg]
        assert list(rows["stage"]) == list(JOURNEY_STAGES)
    expected = tuple(s for s in JOURNEY_STAGES if not mapping.get(s))
    assert cov.uncovered == expected
    assert (cov.frame["n_indicators"] > 0).sum() == (6 - len(expected)) * len(per_segment)


# -- perceived vs delivered --------------------------------------------------------------------


def _segments() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "segment": ["A", "B", "C", "D"],
            "csat_pct": [80.0, 60.0, 70.0, 70.0],
            "on_time_pct": [80.0, 95.0, 90.0, 70.0],
        }
    )


def test_gap_zscores_by_hand() -> None:
    # CSAT: mean 70, sample sd sqrt(200 / 3) = 8.1650 -> z 1.2247, -1.2247, 0, 0.
    # On-time: mean 83.75, deviations -3.75, 11.25, 6.25, -13.75; sum of squares 368.75,
    # sd sqrt(368.75 / 3) = 11.0868 -> z -0.3382, 1.0147, 0.5637, -1.2402.
    out = perception_gap(_segments(), perceived="csat_pct", delivered="on_time_pct")
    z_p = np.array([1, -1, 0, 0]) * 10 / math.sqrt(200 / 3)
    z_d = np.array([-3.75, 11.25, 6.25, -13.75]) / math.sqrt(368.75 / 3)
    np.testing.assert_allclose(out["perceived_std"], z_p)
    np.testing.assert_allclose(out["delivered_std"], z_d)
    np.testing.assert_allclose(out["gap"], z_p - z_d)
    # Gaps 1.563, -2.239, -0.564, 1.240 against the default threshold 1.
    assert list(out["flag"]) == ["delivery risk", "perception gap", "aligned", "delivery risk"]
    assert list(out["perceived"]) == [80.0, 60.0, 70.0, 70.0]


def test_gap_ranks_by_hand_and_strict_threshold() -> None:
    # CSAT ranks 4, 1, 2.5, 2.5 -> (r - 1) / 3 = 1, 0, 0.5, 0.5; on-time ranks 2, 4, 3, 1 ->
    # 1/3, 1, 2/3, 0. Gaps 2/3, -1, -1/6, 1/2: D sits exactly on the threshold 0.5, not beyond.
    out = perception_gap(_segments(), perceived="csat_pct", delivered="on_time_pct", method="rank")
    np.testing.assert_allclose(out["gap"], [2 / 3, -1, -1 / 6, 1 / 2])
    assert list(out["flag"]) == ["delivery risk", "perception gap", "aligned", "aligned"]


def test_gap_lower_better_delivery_metric() -> None:
    # Days late = 100 - on-time here, lower is better: the same standard scores.
    seg = _segments().assign(days_late=lambda d: 100 - d["on_time_pct"])
    a = perception_gap(seg, perceived="csat_pct", delivered="on_time_pct")
    b = perception_gap(
        seg, perceived="csat_pct", delivered="days_late", delivered_higher_is_better=False
    )
    np.testing.assert_allclose(a["gap"], b["gap"])


def test_gap_constant_delivery_standardises_to_zero() -> None:
    seg = _segments().assign(on_time_pct=90.0)
    out = perception_gap(seg, perceived="csat_pct", delivered="on_time_pct")
    assert (out["delivered_std"] == 0).all()
    np.testing.assert_allclose(out["gap"], out["perceived_std"])


def test_gap_two_segment_columns() -> None:
    seg = _segments().assign(region=["N", "N", "S", "S"], segment=["x", "y", "x", "y"])
    out = perception_gap(
        seg, perceived="csat_pct", delivered="on_time_pct", by=["region", "segment"]
    )
    assert list(out.columns[:2]) == ["region", "segment"]


def test_gap_bad_input() -> None:
    seg = _segments()
    with pytest.raises(ObservationError, match="at least two segments"):
        perception_gap(seg.head(1), perceived="csat_pct", delivered="on_time_pct")
    with pytest.raises(ObservationError, match="no rows"):
        perception_gap(seg.head(0), perceived="csat_pct", delivered="on_time_pct")
    with pytest.raises(ObservationError, match="appear once"):
        perception_gap(pd.concat([seg, seg.head(1)]), perceived="csat_pct", delivered="on_time_pct")
    with pytest.raises(ObservationError, match=r"1 value.*'csat_pct'"):
        perception_gap(
            seg.assign(csat_pct=[80, np.nan, 70, 70]), perceived="csat_pct", delivered="on_time_pct"
        )
    with pytest.raises(ObservationError, match="not found"):
        perception_gap(seg, perceived="nps", delivered="on_time_pct")
    with pytest.raises(ModelError, match="method"):
        perception_gap(seg, perceived="csat_pct", delivered="on_time_pct", method="iqr")  # type: ignore[arg-type]
    with pytest.raises(ModelError, match="threshold"):
        perception_gap(seg, perceived="csat_pct", delivered="on_time_pct", threshold=-1)


finite = st.floats(-1e3, 1e3, allow_nan=False).map(lambda x: round(x, 3))


@given(
    st.lists(st.tuples(finite, finite), min_size=2, max_size=12),
    st.floats(0.1, 10),
    st.floats(-50, 50),
)
def test_gap_laws(pairs: list[tuple[float, float]], scale: float, shift: float) -> None:
    df = pd.DataFrame(pairs, columns=["p", "d"]).assign(segment=range(len(pairs)))
    out = perception_gap(df, perceived="p", delivered="d")
    # Swapping the two sides negates the gap.
    swapped = perception_gap(df, perceived="d", delivered="p")
    np.testing.assert_allclose(swapped["gap"], -out["gap"], atol=1e-9)
    # z-scores ignore the unit and origin of either metric.
    moved = perception_gap(df.assign(d=df["d"] * scale + shift), perceived="p", delivered="d")
    np.testing.assert_allclose(moved["gap"], out["gap"], atol=1e-6)
    assert set(out["flag"]) <= {"perception gap", "delivery risk", "aligned"}


# -- sample size -------------------------------------------------------------------------------


def test_sample_size_hand_worked() -> None:
    # n0 = 1.959964^2 * 0.25 / 0.05^2 = 384.146; N = 10,000: 384.146 / (1 + 383.146 / 10,000)
    # = 369.97 -> 370 (the figure in the brief); N = 500: 384.146 / 1.76629 = 217.49 -> 218;
    # N infinite: 385; N = 1: 1.
    assert sample_size([10_000, 500, np.inf, 1], margin=0.05).tolist() == [370, 218, 385, 1]
    assert int(sample_size(10_000, margin=0.05)) == 370
    # ±10 %: 96.04 -> 97; ±3 %: 1067.07 -> 1068.
    assert sample_size(np.inf, margin=[0.1, 0.03]).tolist() == [97, 1068]
    # 99 %: z = 2.575829, 2.575829^2 * 0.25 / 0.0025 = 663.49 -> 664.
    assert int(sample_size(np.inf, margin=0.05, confidence=0.99)) == 664
    # p = 0.2: 3.841459 * 0.16 / 0.0025 = 245.85 -> 246.
    assert int(sample_size(np.inf, margin=0.05, proportion=0.2)) == 246


def test_margin_of_error_inverts_sample_size() -> None:
    # n = 370 of 10,000: 1.959964 * sqrt(0.25 / 370 * 9,630 / 9,999) = 0.049996.
    e = margin_of_error(370, population=10_000)
    assert float(e) == pytest.approx(1.959964 * math.sqrt(0.25 / 370 * 9630 / 9999), rel=1e-6)
    assert float(margin_of_error(0, population=10)) == math.inf
    assert float(margin_of_error(10, population=10)) == 0.0
    with pytest.raises(ModelError, match="between 0 and the population"):
        margin_of_error(11, population=10)


@pytest.mark.parametrize("margin", [0, -0.1, 1, 1.5, np.nan])
def test_sample_size_bad_margin(margin: float) -> None:
    with pytest.raises(ModelError, match="margin must lie strictly between 0 and 1"):
        sample_size(100, margin=margin)


@pytest.mark.parametrize("population", [0, -5, 0.5, 10.5, np.nan, []])
def test_sample_size_bad_population(population: object) -> None:
    with pytest.raises(ModelError, match="population must be whole numbers >= 1"):
        sample_size(population, margin=0.05)  # type: ignore[arg-type]


def test_sample_size_bad_options() -> None:
    with pytest.raises(ModelError, match="confidence"):
        sample_size(100, margin=0.05, confidence=1.0)
    with pytest.raises(ModelError, match="proportion"):
        sample_size(100, margin=0.05, proportion=0.0)


@given(
    st.integers(1, 10**7),
    st.floats(0.001, 0.999),
    st.floats(0.001, 0.999),
    st.sampled_from([0.8, 0.9, 0.95, 0.99]),
)
def test_sample_size_laws(population: int, e1: float, e2: float, confidence: float) -> None:
    lo, hi = sorted((e1, e2))
    n_lo, n_hi = sample_size(population, margin=[lo, hi], confidence=confidence).tolist()
    assert n_hi <= n_lo  # a wider margin never needs more responses
    assert n_hi >= 1  # at least one response
    assert n_lo <= population  # and never more than the population
    # The margin the planned sample achieves meets the target.
    assert float(margin_of_error(n_lo, population=population, confidence=confidence)) <= lo * (
        1 + 1e-9
    )


# -- survey plan -------------------------------------------------------------------------------


def _customers() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "customer_id": ["a", "b", "c", "d", "e", "f"],
            "segment": ["smb", "smb", "key", "key", "key", "key"],
            "last_surveyed": pd.to_datetime(
                pd.Series(["2025-05-01", None, "2025-03-03", "2025-03-04", None, None])
            ),
        }
    )


def test_plan_hand_worked() -> None:
    plan = plan_survey(
        _customers(), margin=0.3, as_of="2025-06-01", population={"smb": 10_000, "key": 5}
    )
    seg = plan.segments.set_index("segment")
    # 2025-06-01 - 90 days = 2025-03-03: c (surveyed that very day) is eligible again, d (one
    # day later) and a (May) are not.
    cust = plan.customers.set_index("customer_id")
    assert cust["eligible"].to_dict() == {
        "c": True, "d": False, "e": True, "f": True, "a": False, "b": True,
    }  # fmt: skip
    assert seg["eligible"].to_dict() == {"key": 3, "smb": 1}
    assert seg["fatigued"].to_dict() == {"key": 1, "smb": 1}
    # n0 = 3.841459 * 0.25 / 0.09 = 10.671; key: 10.671 / (1 + 9.671 / 5) = 3.64 -> 4;
    # smb: 10.671 / (1 + 9.671 / 10,000) = 10.66 -> 11.
    assert seg["target"].to_dict() == {"key": 4, "smb": 11}
    assert seg["shortfall"].to_dict() == {"key": 1, "smb": 10}
    assert not plan.reachable
    # Everyone eligible is drawn when the target cannot be met.
    assert set(plan.selected["customer_id"]) == {"b", "c", "e", "f"}
    assert sorted(cust.loc[["c", "e", "f"], "draw_order"]) == [1, 2, 3]
    assert cust.loc["d", "draw_order"] == 0
    # 3 responses of 5: 1.959964 * sqrt(0.25 / 3 * 2 / 4) = 0.4001.
    assert seg.loc["key", "expected_margin"] == pytest.approx(
        1.959964 * math.sqrt(0.25 / 3 * 2 / 4), rel=1e-6
    )


def test_plan_default_population_and_reachable_target() -> None:
    # 1,000 customers in one segment, none surveyed: N = 1,000 at ±10 %:
    # 96.04 / (1 + 95.04 / 1,000) = 87.70 -> 88 of them.
    cust = pd.DataFrame({"customer_id": range(1000), "segment": "all", "last_surveyed": pd.NaT})
    plan = plan_survey(cust, margin=0.1, as_of="2025-01-01", seed=3)
    row = plan.segments.iloc[0]
    assert (row["population"], row["target"], row["selected"]) == (1000, 88, 88)
    assert plan.reachable
    assert len(plan.selected) == 88
    assert plan.selected["draw_order"].tolist() == list(range(1, 89))


def test_plan_response_rate_scales_invitations() -> None:
    cust = pd.DataFrame({"customer_id": range(1000), "segment": "all", "last_surveyed": pd.NaT})
    plan = plan_survey(cust, margin=0.1, as_of="2025-01-01", response_rate=0.3)
    row = plan.segments.iloc[0]
    # 88 responses at 30 %: 88 / 0.3 = 293.3 -> 294 invitations.
    assert (row["target"], row["invitations"], row["selected"]) == (88, 294, 294)
    # Expected responses 294 * 0.3 = 88.2 give a margin just under 10 %.
    assert row["expected_margin"] <= 0.1


def test_plan_is_deterministic_and_ignores_row_order() -> None:
    rng = np.random.default_rng(1)
    cust = pd.DataFrame(
        {
            "customer_id": [f"c{i}" for i in range(500)],
            "segment": rng.choice(["x", "y"], 500),
            "last_surveyed": pd.NaT,
        }
    )
    kw: dict[str, Any] = {"margin": 0.2, "as_of": "2025-01-01", "seed": 7}
    one = set(plan_survey(cust, **kw).selected["customer_id"])
    shuffled = cust.sample(frac=1, random_state=2)
    assert set(plan_survey(shuffled, **kw).selected["customer_id"]) == one
    other = set(plan_survey(cust, **{**kw, "seed": 8}).selected["customer_id"])
    assert other != one
    # Adding customers keeps the relative draw order of those already there.
    more = pd.concat(
        [
            cust,
            pd.DataFrame(
                {"customer_id": ["new1", "new2"], "segment": "x", "last_surveyed": pd.NaT}
            ),
        ]
    )
    before = plan_survey(cust, **kw).customers
    after = plan_survey(more, **kw).customers
    after = after[after["customer_id"].isin(before["customer_id"])]
    assert list(after["customer_id"]) == list(before["customer_id"])


def test_plan_history_with_two_surveys_per_window() -> None:
    cust = pd.DataFrame({"customer_id": [1, 2, 3], "segment": ["s", "s", "s"]})
    history = pd.DataFrame(
        {
            "customer_id": [1, 1, 2, 2, 9],
            "surveyed": pd.to_datetime(
                ["2025-05-01", "2025-05-20", "2025-01-01", "2025-05-20", "2025-05-30"]
            ),
        }
    )
    plan = plan_survey(
        cust, margin=0.5, as_of="2025-06-01", window="180D", max_surveys=2, history=history
    )
    c = plan.customers.set_index("customer_id")
    # 180 days back is 2024-12-03: customer 1 had 2 surveys (full), 2 had 2, 3 none; the rows
    # of customer 9 (not on the list) do not matter.
    assert c["surveys_in_window"].to_dict() == {1: 2, 2: 2, 3: 0}
    assert c["eligible"].to_dict() == {1: False, 2: False, 3: True}
    plan90 = plan_survey(
        cust, margin=0.5, as_of="2025-06-01", window="90D", max_surveys=2, history=history
    )
    # 90 days back is 2025-03-03: customer 2's January survey has dropped out.
    assert plan90.customers.set_index("customer_id")["surveys_in_window"].to_dict() == {
        1: 2, 2: 1, 3: 0,
    }  # fmt: skip


def test_plan_margin_per_segment() -> None:
    plan = plan_survey(
        _customers(), margin={"smb": 0.05, "key": 0.5}, as_of="2025-06-01",
        population={"smb": 10_000, "key": 5},
    )  # fmt: skip
    # key at ±50 %: n0 = 3.8415 -> 3.8415 / (1 + 2.8415 / 5) = 2.45 -> 3; smb 370 as above.
    assert plan.segments.set_index("segment")["target"].to_dict() == {"key": 3, "smb": 370}


def test_plan_segment_only_in_population_has_nobody_eligible() -> None:
    plan = plan_survey(
        _customers(), margin=0.3, as_of="2025-06-01",
        population={"smb": 100, "key": 10, "public": 50},
    )  # fmt: skip
    row = plan.segments.set_index("segment").loc["public"]
    assert (row["listed"], row["eligible"], row["selected"], row["reachable"]) == (0, 0, 0, False)
    assert row["expected_margin"] == math.inf


def test_plan_bad_input() -> None:
    cust = _customers()
    kw: dict[str, Any] = {"margin": 0.1, "as_of": "2025-06-01"}
    with pytest.raises(ObservationError, match="no rows"):
        plan_survey(cust.head(0), **kw)
    with pytest.raises(ModelError, match="margin must lie strictly between 0 and 1"):
        plan_survey(cust, margin=0, as_of="2025-06-01")
    with pytest.raises(ModelError, match="margin must lie strictly between 0 and 1"):
        plan_survey(cust, margin=1.0, as_of="2025-06-01")
    with pytest.raises(ModelError, match="population must be whole numbers >= 1"):
        plan_survey(cust, population={"smb": 0, "key": 10}, **kw)
    with pytest.raises(ModelError, match=r"no population given for segment\(s\) \['smb'\]"):
        plan_survey(cust, population={"key": 10}, **kw)
    with pytest.raises(ObservationError, match="more customers than their population"):
        plan_survey(cust, population={"smb": 1, "key": 10}, **kw)
    with pytest.raises(ModelError, match="no margin given"):
        plan_survey(cust, margin={"smb": 0.1}, as_of="2025-06-01")
    with pytest.raises(ObservationError, match="after as_of"):
        plan_survey(cust, margin=0.1, as_of="2025-04-01")
    with pytest.raises(ObservationError, match="appear once"):
        plan_survey(pd.concat([cust, cust.head(1)]), **kw)
    with pytest.raises(ObservationError, match="without 'customer_id' or 'segment'"):
        plan_survey(cust.assign(segment=pd.Series([None, "smb", "key", "key", "key", "key"])), **kw)
    with pytest.raises(ModelError, match="needs the survey history"):
        plan_survey(cust, max_surveys=2, **kw)
    with pytest.raises(ModelError, match="max_surveys must be a whole number"):
        plan_survey(
            cust, max_surveys=0, history=cust.rename(columns={"last_surveyed": "surveyed"}), **kw
        )
    with pytest.raises(ModelError, match="response_rate"):
        plan_survey(cust, response_rate=0, **kw)
    with pytest.raises(ModelError, match="window must be a positive duration"):
        plan_survey(cust, window="-1D", **kw)
    with pytest.raises(ObservationError, match="not found"):
        plan_survey(cust.drop(columns="last_surveyed"), **kw)
    with pytest.raises(ObservationError, match="have no date"):
        plan_survey(
            cust,
            history=pd.DataFrame({"customer_id": ["a"], "surveyed": [pd.NaT]}),
            **kw,
        )
    # Every error is also a ScorecardError and a ValueError.
    with pytest.raises(ScorecardError):
        plan_survey(cust, margin=2, as_of="2025-06-01")


@settings(max_examples=30, deadline=None)
@given(
    st.lists(st.sampled_from(["x", "y", "z"]), min_size=1, max_size=60),
    st.lists(st.one_of(st.none(), st.integers(0, 200)), min_size=60, max_size=60),
    st.floats(0.05, 0.9),
    st.integers(0, 2**31),
)
def test_plan_laws(segs: list[str], ages: list[int | None], margin: float, seed: int) -> None:
    as_of = pd.Timestamp("2025-06-01")
    cust = pd.DataFrame(
        {
            "customer_id": range(len(segs)),
            "segment": segs,
            "last_surveyed": [
                None if a is None else as_of - pd.Timedelta(days=a) for a in ages[: len(segs)]
            ],
        }
    )
    plan = plan_survey(cust, margin=margin, as_of=as_of, seed=seed)
    seg = plan.segments.set_index("segment")
    picked = plan.selected.groupby("segment").size().reindex(seg.index, fill_value=0)
    # Only eligible customers are drawn, never more than the target or the eligible ones.
    assert plan.selected["eligible"].all()
    assert (picked == seg["selected"]).all()
    assert (seg["selected"] == np.minimum(seg["target"], seg["eligible"])).all()
    assert (seg["target"] <= seg["population"]).all()
    assert (seg["eligible"] + seg["fatigued"] == seg["listed"]).all()
    assert seg["reachable"].tolist() == (seg["eligible"] >= seg["target"]).tolist()
