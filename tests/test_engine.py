"""End-to-end evaluation through the Engine: published and hand-worked reference cases."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import balanced_scorecard as bsc
from balanced_scorecard import (
    Assignment,
    Engine,
    Indicator,
    Objective,
    ObservationError,
    OrgChart,
    OrgUnit,
    Scorecard,
    Scoring,
    Target,
    TargetSet,
    Thresholds,
    UnknownNodeError,
)
from balanced_scorecard.plugins import hookimpl


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine(entry_points=False)


def _obs(rows: list[tuple[str, str, str, object]], **extra: list[object]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["indicator", "org_unit", "period", "value"])
    for k, v in extra.items():
        frame[k] = v
    return frame


def _one(indicator: Indicator, **kw: object) -> Scorecard:
    return Scorecard(
        id="t",
        objectives=[Objective(id="o", perspective="financial")],
        indicators=[indicator],
        **kw,  # type: ignore[arg-type]
    )


def test_spider_impact_goal_red_flag_published_case(engine: Engine) -> None:
    # Spider Impact's documented goal/red-flag example: goal 700, red flag 500,
    # higher is better -> 300 scores 0, 500 scores 1/3, 700 scores 2/3, 900 scores 1.
    sc = _one(Indicator(id="x", objective="o", thresholds=Thresholds(target=700, red_flag=500)))
    obs = _obs([("x", "all", f"2025-0{k + 1}", v) for k, v in enumerate([300, 500, 700, 900])])
    ev = engine.evaluate(sc, obs)
    got = [ev.score("x", period=p) for p in ("2025-01", "2025-02", "2025-03", "2025-04")]
    assert got == pytest.approx([0, 1 / 3, 2 / 3, 1])
    assert [ev.status("x", period=p) for p in ("2025-01", "2025-02", "2025-03")] == [
        "red",
        "amber",
        "green",
    ]


def test_ratio_of_sums_over_two_months_is_4_over_104(engine: Engine) -> None:
    # Hand-worked reference from the issue: 2/4 in January and 2/100 in February give
    # (2 + 2) / (4 + 100) = 3.846 % for the quarter, not the mean of the ratios (25.5 %).
    sc = _one(
        Indicator(id="r", objective="o", unit="percent", time_aggregation="ratio_of_sums"),
        review_frequency="quarterly",
    )
    obs = _obs(
        [("r", "all", "2025-01", None), ("r", "all", "2025-02", None)],
        numerator=[2, 2],
        denominator=[4, 100],
    )
    ev = engine.evaluate(sc, obs)
    actual = ev.to_frame().set_index("node").loc["r", "actual"]
    assert actual == pytest.approx(400 / 104)
    assert ev.period == "2025Q1"


def test_calculated_indicator_aggregates_inputs_first(engine: Engine) -> None:
    # Same reference with a formula: inputs sum over the quarter, then 4 / 104 * 100.
    sc = Scorecard(
        id="t",
        review_frequency="Q",
        objectives=[Objective(id="o", perspective="financial")],
        indicators=[
            Indicator(id="ok", objective="o", time_aggregation="sum", weight=0),
            Indicator(id="n", objective="o", time_aggregation="sum", weight=0),
            Indicator(id="rate", objective="o", unit="percent", formula="ok / n * 100"),
        ],
    )
    obs = _obs(
        [
            ("ok", "all", "2025-01", 2),
            ("n", "all", "2025-01", 4),
            ("ok", "all", "2025-02", 2),
            ("n", "all", "2025-02", 100),
        ]
    )
    ev = engine.evaluate(sc, obs)
    frame = ev.to_frame().set_index("node")
    assert frame.loc["rate", "actual"] == pytest.approx(400 / 104)
    assert ev.explain("rate").inputs == {"n": 104.0, "ok": 4.0}


def test_division_by_zero_gives_missing_value_and_a_note(engine: Engine) -> None:
    sc = Scorecard(
        id="t",
        objectives=[Objective(id="o", perspective="financial")],
        indicators=[
            Indicator(id="a", objective="o", time_aggregation="sum", weight=0),
            Indicator(id="b", objective="o", time_aggregation="sum", weight=0),
            Indicator(id="q", objective="o", formula="a / b"),
        ],
    )
    ev = engine.evaluate(sc, _obs([("a", "all", "2025-01", 1), ("b", "all", "2025-01", 0)]))
    assert math.isnan(ev.to_frame().set_index("node").loc["q", "actual"])
    assert "division-by-zero" in set(ev.notes["rule"])


def test_units_are_converted_to_the_declared_unit(engine: Engine) -> None:
    sc = _one(Indicator(id="rev", objective="o", unit="EUR", time_aggregation="sum"))
    obs = _obs(
        [("rev", "all", "2025-01", 1.5), ("rev", "all", "2025-01-15", 500)],
        unit=["kEUR", "EUR"],
    )
    # The two rows have different period stamps, so both count: 1,500 + 500.
    ev = engine.evaluate(sc, obs)
    assert ev.to_frame().set_index("node").loc["rev", "actual"] == pytest.approx(2000)
    # Lineage: explain names the source, the input rows and the conversion.
    assert ev.explain("rev").lineage == ("frame, row(s) 2, 3; converted from kEUR to EUR",)


def test_incompatible_unit_is_quarantined_not_dropped(engine: Engine) -> None:
    sc = _one(Indicator(id="rev", objective="o", unit="EUR", time_aggregation="sum"))
    obs = _obs([("rev", "all", "2025-01", 10), ("rev", "all", "2025-02", 3)], unit=["EUR", "USD"])
    ev = engine.evaluate(sc, obs)
    q = ev.quality
    assert list(q["rule"]) == ["unit"]
    assert "cannot convert 'USD' to 'EUR'" in q.loc[0, "message"]
    assert q.loc[0, "row"] == 3  # the spreadsheet row of the second data line


def test_bad_rows_are_reported_with_reasons(engine: Engine) -> None:
    sc = _one(Indicator(id="rev", objective="o", time_aggregation="sum"))
    obs = _obs(
        [
            ("rev", "all", "2025-01", 1),
            ("revv", "all", "2025-01", 1),
            ("rev", "nowhere", "2025-01", 1),
            ("rev", "all", "someday", 1),
            ("rev", "all", "2025-02", "abc"),
            ("rev", "all", "2025-03", None),
        ]
    )
    ev = engine.evaluate(sc, obs)
    rules = dict(zip(ev.quality["row"], ev.quality["rule"], strict=True))
    assert rules == {
        3: "unknown-indicator",
        4: "unknown-org-unit",
        5: "bad-period",
        6: "not-a-number",
        7: "missing-value",
    }
    assert "Did you mean 'rev'?" in ev.quality.loc[0, "message"]
    # Nothing lost: every input row is either used or reported.
    assert 1 + len(ev.quality) == len(obs)


def test_duplicates_keep_the_latest_as_of(engine: Engine) -> None:
    sc = _one(Indicator(id="rev", objective="o", time_aggregation="sum"))
    obs = _obs(
        [("rev", "all", "2025-01", 10), ("rev", "all", "2025-01", 12)],
        as_of=["2025-02-03", "2025-02-01"],
    )
    ev = engine.evaluate(sc, obs)
    assert ev.to_frame().set_index("node").loc["rev", "actual"] == 10
    assert list(ev.quality["rule"]) == ["duplicate"]


def _org_scorecard(**kw: object) -> Scorecard:
    return Scorecard(
        id="t",
        org_chart=OrgChart(
            units=[
                OrgUnit(id="top"),
                OrgUnit(id="a", parent="top"),
                OrgUnit(id="b", parent="top"),
                OrgUnit(id="a1", parent="a"),
                OrgUnit(id="a2", parent="a"),
            ]
        ),
        objectives=[Objective(id="o", perspective="financial")],
        indicators=[
            Indicator(id="rev", objective="o", time_aggregation="sum"),
            Indicator(id="csat", objective="o", time_aggregation="mean"),
        ],
        **kw,  # type: ignore[arg-type]
    )


def test_org_aggregation_sums_and_averages_up_the_tree(engine: Engine) -> None:
    obs = _obs(
        [
            ("rev", "a1", "2025-01", 10),
            ("rev", "a2", "2025-01", 20),
            ("rev", "b", "2025-01", 5),
            ("csat", "a1", "2025-01", 8),
            ("csat", "a2", "2025-01", 6),
            ("csat", "b", "2025-01", 9),
        ]
    )
    frame = engine.evaluate(_org_scorecard(), obs).to_frame().set_index(["node", "org_unit"])
    assert frame.loc[("rev", "a"), "actual"] == 30
    assert frame.loc[("rev", "top"), "actual"] == 35
    assert frame.loc[("csat", "a"), "actual"] == 7
    # The mean of the children's values (a = 7, b = 9), not of the leaves.
    assert frame.loc[("csat", "top"), "actual"] == 8


def test_evaluating_a_subtree_only_sees_its_units(engine: Engine) -> None:
    obs = _obs([("rev", "a1", "2025-01", 10), ("rev", "b", "2025-01", 5)])
    ev = engine.evaluate(_org_scorecard(), obs, org_unit="a")
    assert ev.units == ("a", "a1", "a2")
    assert ev.to_frame(org_unit="a").set_index("node").loc["rev", "actual"] == 10
    with pytest.raises(UnknownNodeError, match="Did you mean 'a'"):
        ev.unit_index("aa")


def test_targets_by_unit_and_period_with_parent_from_children(engine: Engine) -> None:
    targets = TargetSet(
        name="budget",
        targets=[
            Target(indicator="rev", org_unit="a1", start="2025-01", target=10, red_flag=5),
            Target(indicator="rev", org_unit="a2", start="2025-01", target=30, red_flag=20),
            Target(indicator="rev", org_unit="b", target=8, red_flag=4),
            Target(
                indicator="rev",
                org_unit="b",
                start="2025-02",
                end="2025-02",
                target=20,
                red_flag=10,
            ),
        ],
    )
    obs = _obs(
        [
            ("rev", "a1", "2025-01", 10),
            ("rev", "a2", "2025-01", 20),
            ("rev", "b", "2025-01", 8),
            ("rev", "b", "2025-02", 10),
        ]
    )
    ev = engine.evaluate(_org_scorecard(), obs, targets=targets)
    f = ev.to_frame(period=False).set_index(["node", "org_unit", "period"])
    # The parent's target of an additive indicator is the sum of its children's.
    assert f.loc[("rev", "a", "2025-01"), "target"] == 40
    assert f.loc[("rev", "a", "2025-01"), "red_flag"] == 25
    # A later, narrower row wins over the open-ended one.
    assert f.loc[("rev", "b", "2025-02"), "target"] == 20
    assert f.loc[("rev", "b", "2025-01"), "target"] == 8
    # a2: 20 is its red flag -> 1/3.
    assert f.loc[("rev", "a2", "2025-01"), "score"] == pytest.approx(1 / 3)


def test_rollup_weights_contributions_and_explain(engine: Engine) -> None:
    sc = Scorecard(
        id="t",
        objectives=[Objective(id="o", perspective="financial")],
        indicators=[
            Indicator(id="x", objective="o", weight=3, thresholds=Thresholds(target=2, red_flag=1)),
            Indicator(id="y", objective="o", weight=1, thresholds=Thresholds(target=2, red_flag=1)),
        ],
    )
    # Hand-worked: x = 2 -> 2/3; y = -1 -> raw 1/3 + (-1 - 1) / (2 - 1) / 3 = -1/3, clamped
    # to 0. Weighted mean (3 * 2/3 + 1 * 0) / 4 = 0.5.
    ev = engine.evaluate(sc, _obs([("x", "all", "2025-01", 2), ("y", "all", "2025-01", -1)]))
    assert ev.score("o") == pytest.approx(0.5)
    ex = ev.explain("o")
    assert [(c.node, c.weight) for c in ex.children] == [("x", 0.75), ("y", 0.25)]
    assert sum(c.contribution for c in ex.children) == pytest.approx(0.5)
    ey = ev.explain("y")
    assert ey.clamped
    assert ey.raw_score == pytest.approx(-1 / 3)
    assert "clamped" in str(ey)
    # Only the financial perspective has data; the others are ignored and renormalised.
    assert ev.score() == pytest.approx(0.5)


def test_weights_that_change_over_time(engine: Engine) -> None:
    sc = Scorecard(
        id="t",
        objectives=[Objective(id="o", perspective="financial")],
        indicators=[
            Indicator(id="x", objective="o", thresholds=Thresholds(target=2, red_flag=1)),
            Indicator(
                id="y",
                objective="o",
                weight={"value": 1, "changes": {"2025-02": 3}},
                thresholds=Thresholds(target=2, red_flag=1),
            ),
        ],
    )
    rows = [(i, "all", p, v) for p in ("2025-01", "2025-02") for i, v in (("x", 2), ("y", 0))]
    ev = engine.evaluate(sc, _obs(rows))
    assert ev.score("o", period="2025-01") == pytest.approx((2 / 3) / 2)
    assert ev.score("o", period="2025-02") == pytest.approx((2 / 3) / 4)


def test_missing_policy_zero_counts_missing_children_as_zero(engine: Engine) -> None:
    sc = Scorecard(
        id="t",
        missing="zero",
        objectives=[Objective(id="o", perspective="financial")],
        indicators=[
            Indicator(id="x", objective="o", thresholds=Thresholds(target=2, red_flag=1)),
            Indicator(id="y", objective="o", thresholds=Thresholds(target=2, red_flag=1)),
        ],
    )
    ev = engine.evaluate(sc, _obs([("x", "all", "2025-01", 2)]))
    assert ev.score("o") == pytest.approx(1 / 3)


def test_trend_and_exceptions_rank_red_first(engine: Engine) -> None:
    sc = Scorecard(
        id="t",
        objectives=[Objective(id="o", perspective="financial")],
        indicators=[
            Indicator(id="good", objective="o", thresholds=Thresholds(target=10, red_flag=5)),
            Indicator(id="bad", objective="o", thresholds=Thresholds(target=10, red_flag=5)),
            Indicator(id="sliding", objective="o", thresholds=Thresholds(target=10, red_flag=5)),
        ],
        assignments=[Assignment(role="owner", person="kim", node="bad")],
    )
    months = ["2025-01", "2025-02", "2025-03"]
    rows = [("good", "all", m, 10) for m in months]
    rows += [("bad", "all", m, 1) for m in months]
    rows += [("sliding", "all", m, v) for m, v in zip(months, [14, 12, 10], strict=True)]
    ev = engine.evaluate(sc, _obs(rows))
    exc = ev.exceptions()
    assert list(exc["node"]) == ["bad", "sliding"]
    assert exc.loc[0, "owner"] == "kim"
    assert exc.loc[1, "trend"] == "worsening"


def test_drill_down_lists_children_and_child_units(engine: Engine) -> None:
    obs = _obs([("rev", "a1", "2025-01", 10), ("rev", "a2", "2025-01", 20)])
    ev = engine.evaluate(_org_scorecard(), obs)
    assert list(ev.drill_down("o")["node"]) == ["rev", "csat"]
    units = ev.drill_down("rev", org_unit="a")
    assert list(units["org_unit"]) == ["a1", "a2"]
    assert list(units["actual"]) == [10, 20]


def test_categorical_yes_no_values(engine: Engine) -> None:
    sc = _one(
        Indicator(
            id="audit",
            objective="o",
            time_aggregation="last",
            scoring=Scoring(method="categorical", params={"scores": {"yes": 1.0, "no": 0.0}}),
        )
    )
    ev = engine.evaluate(
        sc, _obs([("audit", "all", "2025-01", "no"), ("audit", "all", "2025-02", "Yes")])
    )
    assert ev.score("audit", period="2025-01") == 0.0
    assert ev.score("audit") == 1.0


def test_period_argument_cuts_the_evaluation(engine: Engine) -> None:
    sc = _one(Indicator(id="x", objective="o", thresholds=Thresholds(target=2, red_flag=1)))
    obs = _obs([("x", "all", m, 1) for m in ("2025-01", "2025-02", "2025-03")])
    ev = engine.evaluate(sc, obs, period="2025-02")
    assert ev.period_labels == ("2025-01", "2025-02")
    with pytest.raises(ObservationError, match="not a period"):
        engine.evaluate(sc, obs, period="Feb")


def test_missing_required_column_is_a_clear_error(engine: Engine) -> None:
    sc = _one(Indicator(id="x", objective="o"))
    with pytest.raises(ObservationError, match=r"lack column\(s\) \['value'\]"):
        engine.evaluate(
            sc, pd.DataFrame({"indicator": ["x"], "org_unit": ["all"], "period": ["2025-01"]})
        )


class _Plugins:
    """A plugin object registering a scoring method and a rollup, and one that fails."""

    @hookimpl
    def bsc_register_rollup_methods(self, register):  # type: ignore[no-untyped-def]
        def median(scores, *, weights, parent, n_parents):  # type: ignore[no-untyped-def]
            out = np.full((n_parents, *scores.shape[1:]), np.nan)
            for k in range(n_parents):  # tiny test plugin; real ones vectorise
                out[k] = np.nanmedian(scores[parent == k], axis=0)
            return out

        register("median", median)

    @hookimpl
    def bsc_on_evaluated(self, evaluation):  # type: ignore[no-untyped-def]
        raise RuntimeError("notifier is down")


def test_plugin_rollup_and_failing_event_hook() -> None:
    engine = Engine(entry_points=False, plugins=[_Plugins()])
    sc = Scorecard(
        id="t",
        objectives=[Objective(id="o", perspective="financial", rollup="median")],
        indicators=[
            Indicator(id=i, objective="o", thresholds=Thresholds(target=2, red_flag=1))
            for i in ("x", "y", "z")
        ],
    )
    obs = _obs([("x", "all", "2025-01", 2), ("y", "all", "2025-01", 1), ("z", "all", "2025-01", 0)])
    ev = engine.evaluate(sc, obs)
    assert ev.score("o") == pytest.approx(1 / 3)  # median of 2/3, 1/3, 0
    assert len(ev.plugin_errors) == 1
    assert "notifier is down" in str(ev.plugin_errors[0])
    assert "_Plugins" in str(ev.plugin_errors[0]) or "raised in bsc_on_evaluated" in str(
        ev.plugin_errors[0]
    )


def test_public_api_is_curated() -> None:
    # A snapshot: changing the public API must be a deliberate edit of this list.
    assert sorted(bsc.__all__) == sorted(
        [
            "DEFAULT_PERSPECTIVES",
            "DEFAULT_STATUS_BANDS",
            "AdjustmentStep",
            "Assignment",
            "CausalLink",
            "Classification",
            "DataSource",
            "DefinitionError",
            "Engine",
            "Evaluation",
            "Explanation",
            "ExpressionError",
            "FactMapping",
            "FactResult",
            "FactRule",
            "FiscalCalendar",
            "Frequency",
            "Indicator",
            "Initiative",
            "LeadLag",
            "ModelError",
            "Objective",
            "ObservationError",
            "OrgAggregation",
            "OrgChart",
            "OrgUnit",
            "OutputPolicy",
            "Perspective",
            "PluginError",
            "Polarity",
            "Problem",
            "Reconciliation",
            "Role",
            "Scorecard",
            "ScorecardError",
            "Scoring",
            "StatusBand",
            "StrategyMap",
            "Target",
            "TargetSet",
            "Thresholds",
            "Tier",
            "TimeAggregation",
            "UnitError",
            "UnknownMethodError",
            "UnknownNodeError",
            "Weight",
            "__version__",
            "aggregate_facts",
            "load",
            "reconcile",
            "targets_from_frame",
        ]
    )
    for name in bsc.__all__:
        assert hasattr(bsc, name)


def test_targets_from_a_csv_file_and_its_errors(engine: Engine, tmp_path: Path) -> None:
    sc = _one(Indicator(id="x", objective="o", time_aggregation="sum"))
    good = tmp_path / "plan.csv"
    good.write_text("indicator,period,target,red_flag\nx,2025-01,10,5\n", encoding="utf-8")
    ev = engine.evaluate(sc, _obs([("x", "all", "2025-01", 10)]), targets=str(good))
    assert ev.target_set == "plan"
    assert ev.score("x") == pytest.approx(2 / 3)
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "indicator,period,target,red_flag\nx,2025-01,ten,5\nx,2025-02,10,lots\n", encoding="utf-8"
    )
    with pytest.raises(bsc.DefinitionError) as info:
        engine.evaluate(sc, _obs([("x", "all", "2025-01", 10)]), targets=str(bad))
    text = str(info.value)
    assert "2 problems" in text
    assert "bad.csv, line 2 at target: expected a number, got 'ten'" in text
    assert "bad.csv, line 3 at red_flag: expected a number, got 'lots'" in text


def test_targets_from_a_frame_with_a_bad_number(engine: Engine) -> None:
    sc = _one(Indicator(id="x", objective="o"))
    frame = pd.DataFrame({"indicator": ["x"], "period": ["2025-01"], "target": ["high"]})
    with pytest.raises(bsc.DefinitionError, match="row 0"):
        engine.evaluate(sc, _obs([("x", "all", "2025-01", 1)]), targets=frame)


def test_categorical_explanation_names_the_category(engine: Engine) -> None:
    sc = _one(
        Indicator(
            id="audit",
            objective="o",
            time_aggregation="last",
            scoring=Scoring(method="categorical", params={"scores": {"yes": 1.0, "no": 0.0}}),
        )
    )
    ev = engine.evaluate(sc, _obs([("audit", "all", "2025-01", "no")]))
    ex = ev.explain("audit")
    assert ex.category == "no"
    assert "actual no" in str(ex)


def test_last_takes_the_latest_day_of_the_period_whatever_the_row_order(engine: Engine) -> None:
    # Hand-worked: daily headcounts in January, listed out of order; the month's `last`
    # is the count of 31 January (130), not the last row of the file (110).
    sc = _one(Indicator(id="heads", objective="o", time_aggregation="last", unit="person"))
    obs = _obs(
        [
            ("heads", "all", "2025-01-31", 130),
            ("heads", "all", "2025-01-02", 100),
            ("heads", "all", "2025-01-15", 110),
        ]
    )
    assert engine.evaluate(sc, obs).to_frame().set_index("node").loc["heads", "actual"] == 130


def test_as_known_at_reproduces_the_preliminary_and_the_closed_month(engine: Engine) -> None:
    # Hand-worked: January revenue first released on 3 February (90), restated on
    # 12 February after the close (100). February's books close 10 days after month end.
    sc = _one(Indicator(id="rev", objective="o", time_aggregation="sum"))
    obs = _obs(
        [("rev", "all", "2025-01", 90), ("rev", "all", "2025-01", 100)],
        as_of=["2025-02-03", "2025-02-12"],
    )
    early = engine.evaluate(sc, obs, as_known_at="2025-02-05", close_days=10)
    late = engine.evaluate(sc, obs, as_known_at="2025-02-20", close_days=10)
    assert early.to_frame().set_index("node").loc["rev", "actual"] == 90
    assert late.to_frame().set_index("node").loc["rev", "actual"] == 100
    assert early.provisional == ("2025-01",)  # Jan closes on 10 Feb
    assert late.provisional == ()
    assert "period 2025-01 (provisional)" in str(early.render("text"))
    assert "(provisional)" not in str(late.render("text"))
    note = early.notes[early.notes["rule"] == "as-known-at"].iloc[0]
    assert "1 row(s) recorded after 2025-02-05" in note["message"]
    # Without as_known_at the latest as_of decides: 12 Feb is after the close of January.
    assert engine.evaluate(sc, obs, close_days=10).provisional == ()
    with pytest.raises(ObservationError, match="as_known_at='soon'"):
        engine.evaluate(sc, obs, as_known_at="soon")


def test_stale_values_are_flagged_with_their_age(engine: Engine) -> None:
    # Hand-worked: a daily indicator (max age 1 day) last recorded on 2 March at 06:00 is
    # 2 days 18 hours old on 5 March at 00:00; the other unit's value is 12 hours old.
    sc = Scorecard(
        id="t",
        org_chart=OrgChart(
            units=[OrgUnit(id="top"), OrgUnit(id="a", parent="top"), OrgUnit(id="b", parent="top")]
        ),
        objectives=[Objective(id="o", perspective="financial")],
        indicators=[
            Indicator(id="backlog", objective="o", time_aggregation="last", max_age="1 day"),
            Indicator(id="rev", objective="o", time_aggregation="sum"),
        ],
    )
    obs = _obs(
        [
            ("backlog", "a", "2025-03", 5),
            ("backlog", "b", "2025-03", 7),
            ("rev", "a", "2025-03", 1),
        ],
        as_of=["2025-03-02T06:00", "2025-03-04T12:00", "2025-01-01"],
    )
    ev = engine.evaluate(sc, obs, as_known_at="2025-03-05")
    fresh = ev.freshness.set_index("org_unit")
    assert list(ev.freshness["indicator"].unique()) == ["backlog"]  # rev declares no max_age
    assert fresh.loc["a", "age"] == pd.Timedelta(days=2, hours=18)
    assert bool(fresh.loc["a", "stale"]) is True
    assert bool(fresh.loc["b", "stale"]) is False
    note = ev.notes[ev.notes["rule"] == "stale"].iloc[0]
    assert note["indicator"] == "backlog"
    assert note["count"] == 1


def test_a_bad_max_age_is_a_definition_error(engine: Engine) -> None:
    sc = _one(Indicator(id="x", objective="o", max_age="fortnightly"))
    with pytest.raises(bsc.DefinitionError, match="max_age 'fortnightly' is not a duration"):
        engine.evaluate(sc, _obs([("x", "all", "2025-01", 1)]))


def test_completeness_and_validity_come_back_as_observations(engine: Engine) -> None:
    # Hand-worked: unit a reports every month, unit b misses March: 5 of 6 expected cells,
    # so January and February are 100 % complete and March 50 %. In February one row of
    # three is not a number: validity 2/3 (the good row of b and a's row are used).
    obs = _obs(
        [
            ("rev", "a1", "2025-01", 1), ("rev", "b", "2025-01", 1),
            ("rev", "a1", "2025-02", 1), ("rev", "b", "2025-02", 1),
            ("rev", "b", "2025-02-15", "n/a"),
            ("rev", "a1", "2025-03", 1),
        ]
    )  # fmt: skip
    ev = engine.evaluate(_org_scorecard(), obs)
    dq = ev.data_quality.set_index("period")
    assert dq["completeness"].tolist()[2] == pytest.approx(50.0)
    assert dq.loc["2025-02", "validity"] == pytest.approx(200 / 3)
    leaf = ev.completeness.set_index(["indicator", "org_unit"])
    assert leaf.loc[("rev", "b"), "periods_present"] == 2
    back = ev.quality_observations()
    assert set(back["indicator"]) == {"dq_completeness", "dq_validity"}
    assert (back["org_unit"] == "top").all()
