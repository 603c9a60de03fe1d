"""Tests of balanced_scorecard.analytics.variance (budget variances, flexible budget, drivers).

Every number here is from our own worked examples, computed on paper from the definitions in
the docstrings (the standard textbook definitions of Horngren's *Cost Accounting* for the
flexible budget), not by running the code; the arithmetic is in the comments.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from balanced_scorecard.analytics import variance
from balanced_scorecard.analytics.variance import (
    attribute_operating_margin_change,
    attribute_product_change,
    attribute_roic_change,
    budget_variance,
    favourability,
    flexible_budget,
    operating_margin_drivers,
    roic_drivers,
)
from balanced_scorecard.exceptions import ModelError

# -- budget against actual ---------------------------------------------------------------------


def test_budget_variance_hand_worked() -> None:
    # revenue  1,000 -> 1,050: +50,  +5 %, higher-better -> favourable
    # travel     100 ->   130: +30, +30 %, lower-better  -> unfavourable
    # salaries   500 ->   480: -20,  -4 %, lower-better  -> favourable
    # grants       0 ->    10: +10, no % of a zero budget, higher-better -> favourable
    # bonus      200 ->   NaN: not closed yet -> missing, the row is kept
    lines = ["revenue", "travel", "salaries", "grants", "bonus"]
    actual = pd.Series([1050.0, 130.0, 480.0, 10.0, np.nan], index=lines)
    budget = pd.Series([1000.0, 100.0, 500.0, 0.0, 200.0], index=lines)
    polarity = ["higher_better", "lower_better", "lower_better", "higher_better", "lower_better"]
    r = budget_variance(actual, budget, polarity=polarity)
    assert list(r.index) == lines
    np.testing.assert_allclose(r["variance"], [50.0, 30.0, -20.0, 10.0, np.nan])
    np.testing.assert_allclose(r["variance_pct"], [5.0, 30.0, -4.0, np.nan, np.nan])
    np.testing.assert_allclose(r["effect"], [50.0, -30.0, 20.0, 10.0, np.nan])
    assert r["status"].tolist() == [
        "favourable",
        "unfavourable",
        "favourable",
        "favourable",
        "missing",
    ]


def test_budget_variance_percent_uses_the_size_of_a_negative_budget() -> None:
    # A planned loss of -200 that came in at -150 is 50 better, +25 % of the budget's size.
    r = budget_variance([-150.0], [-200.0])
    assert r["variance_pct"].tolist() == [25.0]
    assert r["status"].tolist() == ["favourable"]


def test_budget_variance_empty_and_one_line() -> None:
    assert budget_variance([], []).empty
    assert budget_variance([1.0], [1.0])["status"].tolist() == ["on budget"]


def test_favourability_accepts_the_model_enum() -> None:
    from balanced_scorecard.model import Polarity

    assert favourability([1.0, -1.0], polarity=Polarity.LOWER_BETTER).tolist() == [
        "unfavourable",
        "favourable",
    ]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"polarity": "in_range"}, "'in_range' has no favourable direction"),
        ({"polarity": "up"}, "'up' has no favourable direction"),
        ({"polarity": ["higher_better"]}, "1 polarities for 2 lines"),
    ],
)
def test_budget_variance_bad_polarity(kwargs: dict[str, object], match: str) -> None:
    with pytest.raises(ModelError, match=match):
        budget_variance([1.0, 2.0], [1.0, 1.0], **kwargs)  # type: ignore[arg-type]


def test_budget_variance_misaligned_lines() -> None:
    with pytest.raises(ModelError, match="line 'b' is in only one"):
        budget_variance(pd.Series({"a": 1.0, "c": 1.0}), pd.Series({"a": 1.0, "b": 1.0}))
    with pytest.raises(ModelError, match="one value per line"):
        budget_variance([1.0, 2.0], [1.0])


# -- flexible budget ---------------------------------------------------------------------------

# Two products sold in one unit of volume (our own example):
#   Standard: budget 600 @ 20, actual 770 @ 19;  Deluxe: budget 400 @ 50, actual 330 @ 52.
#   ΣBQ = 1,000 (budget mix 0.6 / 0.4), ΣAQ = 1,100.
LINES = pd.DataFrame(
    {
        "actual_quantity": [770.0, 330.0],
        "actual_price": [19.0, 52.0],
        "budget_quantity": [600.0, 400.0],
        "budget_price": [20.0, 50.0],
    },
    index=["standard", "deluxe"],
)


def test_flexible_budget_hand_worked_two_products() -> None:
    # static   = BQ × BP: 600 × 20 = 12,000;  400 × 50 = 20,000
    # flexible = AQ × BP: 770 × 20 = 15,400;  330 × 50 = 16,500
    # actual   = AQ × AP: 770 × 19 = 14,630;  330 × 52 = 17,160
    # price    = (AP - BP) × AQ: -1 × 770 = -770;  +2 × 330 = +660
    # volume   = (AQ - BQ) × BP: +170 × 20 = +3,400;  -70 × 50 = -3,500
    # mix      = (AQ - ΣAQ × BM) × BP: (770 - 660) × 20 = +2,200;  (330 - 440) × 50 = -5,500
    # quantity = (ΣAQ - ΣBQ) × BM × BP: 100 × 0.6 × 20 = +1,200;  100 × 0.4 × 50 = +2,000
    # total    = actual - static: +2,630;  -2,840  (= price + volume)
    r = flexible_budget(LINES)
    want = pd.DataFrame(
        {
            "static_budget": [12000.0, 20000.0],
            "flexible_budget": [15400.0, 16500.0],
            "actual": [14630.0, 17160.0],
            "price_variance": [-770.0, 660.0],
            "volume_variance": [3400.0, -3500.0],
            "mix_variance": [2200.0, -5500.0],
            "quantity_variance": [1200.0, 2000.0],
            "total_variance": [2630.0, -2840.0],
        },
        index=LINES.index,
    )
    pd.testing.assert_frame_equal(r, want, check_exact=False, rtol=1e-12)
    # Revenue lines: higher is better.
    assert favourability(r["price_variance"]).tolist() == ["unfavourable", "favourable"]
    assert favourability(r["volume_variance"]).tolist() == ["favourable", "unfavourable"]


def test_flexible_budget_cost_line_is_labelled_by_polarity() -> None:
    # A cost line: budget 1,000 units at 4.00 each, actual 1,100 units at 4.20.
    # price = 0.20 × 1,100 = 220 (paid more per unit: unfavourable for a cost)
    # volume = 100 × 4 = 400 (more output, more cost: reported unfavourable, as textbooks do)
    cost = pd.DataFrame(
        {
            "actual_quantity": [1100.0],
            "actual_price": [4.2],
            "budget_quantity": [1000.0],
            "budget_price": [4.0],
        },
        index=["materials"],
    )
    r = flexible_budget(cost)
    assert r["price_variance"].iloc[0] == pytest.approx(220.0)
    assert r["volume_variance"].iloc[0] == pytest.approx(400.0)
    assert r["mix_variance"].iloc[0] == 0.0  # one line, no mix
    assert favourability(r["price_variance"], polarity="lower_better").tolist() == ["unfavourable"]


def test_flexible_budget_mix_within_groups() -> None:
    other = LINES.rename(index=lambda s: s + "_b").assign(actual_quantity=[500.0, 500.0])
    both = pd.concat([LINES.assign(family="a"), other.assign(family="b")])
    r = flexible_budget(both, group="family")
    pd.testing.assert_frame_equal(r.iloc[:2], flexible_budget(LINES))
    pd.testing.assert_frame_equal(r.iloc[2:], flexible_budget(other))


_qty = st.floats(0.0, 1e5, allow_nan=False)
_price = st.floats(-1e3, 1e3, allow_nan=False)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(_qty, _price, st.floats(1.0, 1e5), _price), min_size=1, max_size=6))
def test_flexible_budget_variances_add_up(rows: list[tuple[float, float, float, float]]) -> None:
    lines = pd.DataFrame(rows, columns=list(variance.FLEXIBLE_BUDGET_COLUMNS))
    r = flexible_budget(lines)
    scale = 1e-9 * (1.0 + r[["static_budget", "flexible_budget", "actual"]].abs().to_numpy().max())
    np.testing.assert_allclose(
        r["price_variance"] + r["volume_variance"], r["total_variance"], atol=scale
    )
    np.testing.assert_allclose(
        r["mix_variance"] + r["quantity_variance"], r["volume_variance"], atol=scale * 1e3
    )
    # Across lines, the mix variance vanishes when actual quantities keep the budget mix.
    same_mix = lines.assign(actual_quantity=lines["budget_quantity"] * 1.7)
    np.testing.assert_allclose(flexible_budget(same_mix)["mix_variance"], 0.0, atol=scale * 1e3)


@pytest.mark.parametrize(
    ("lines", "match"),
    [
        (LINES.drop(columns="actual_price"), r"missing \['actual_price'\]"),
        (LINES.assign(actual_quantity=[-1.0, 1.0]), "actual_quantity of line 'standard' is -1.0"),
        (LINES.assign(budget_price=[np.nan, 1.0]), "budget_price of line 'standard' is nan"),
        (LINES.assign(budget_quantity=[0.0, 0.0]), "budget quantities of the lines are all zero"),
    ],
)
def test_flexible_budget_bad_input(lines: pd.DataFrame, match: str) -> None:
    with pytest.raises(ModelError, match=match):
        flexible_budget(lines)


def test_flexible_budget_empty_and_missing_group() -> None:
    assert flexible_budget(LINES.iloc[:0]).empty
    with pytest.raises(ModelError, match="group column 'family' is missing for line 'deluxe'"):
        flexible_budget(LINES.assign(family=["a", None]), group="family")


# -- driver trees ------------------------------------------------------------------------------


def test_roic_drivers_and_shapley_attribution_hand_worked() -> None:
    # Year 1: NOPAT 80, revenue 1,000, capital 500 -> margin 0.08, turnover 2.0, ROIC 0.16.
    # Year 2: NOPAT 99, revenue 1,100, capital 440 -> margin 0.09, turnover 2.5, ROIC 0.225.
    # Shapley for two factors: margin part = 0.01 × (2.0 + 2.5) / 2 = 0.0225,
    #                          turnover part = 0.5 × (0.08 + 0.09) / 2 = 0.0425; sum 0.065.
    y1 = pd.DataFrame({"nopat": [80.0], "revenue": [1000.0], "invested_capital": [500.0]})
    y2 = pd.DataFrame({"nopat": [99.0], "revenue": [1100.0], "invested_capital": [440.0]})
    d = roic_drivers(y2).iloc[0]
    assert (d["nopat_margin"], d["capital_turnover"], d["roic"]) == pytest.approx(
        (0.09, 2.5, 0.225)
    )
    parts = attribute_roic_change(y1, y2).iloc[0]
    assert parts["nopat_margin"] == pytest.approx(0.0225)
    assert parts["capital_turnover"] == pytest.approx(0.0425)
    assert parts["change"] == pytest.approx(0.065)


def test_lmdi_attribution_hand_worked() -> None:
    # L(0.225, 0.16) = 0.065 / ln(0.225 / 0.16) = 0.065 / 0.340927 = 0.190657
    # margin part = 0.190657 × ln(0.09 / 0.08) = 0.190657 × 0.117783 = 0.022456
    # turnover part = 0.190657 × ln(2.5 / 2.0) = 0.190657 × 0.223144 = 0.042544
    y1 = pd.DataFrame({"nopat": [80.0], "revenue": [1000.0], "invested_capital": [500.0]})
    y2 = pd.DataFrame({"nopat": [99.0], "revenue": [1100.0], "invested_capital": [440.0]})
    parts = attribute_roic_change(y1, y2, method="lmdi").iloc[0]
    assert parts["nopat_margin"] == pytest.approx(0.022456, rel=1e-4)
    assert parts["capital_turnover"] == pytest.approx(0.042544, rel=1e-4)
    assert parts["nopat_margin"] + parts["capital_turnover"] == pytest.approx(0.065, rel=1e-12)


def test_shapley_three_symmetric_drivers_share_equally() -> None:
    # 1 × 1 × 1 -> 2 × 2 × 2: change 7, the drivers are symmetric, so 7/3 each.
    before = pd.Series({"a": 1.0, "b": 1.0, "c": 1.0})
    parts = attribute_product_change(before, before * 2).iloc[0]
    assert parts[["a", "b", "c"]].tolist() == pytest.approx([7 / 3] * 3)


def test_lmdi_unchanged_product() -> None:
    # Margin up 25 %, turnover down 20 %: ROIC unchanged, parts are equal and opposite.
    before = pd.Series({"m": 0.08, "t": 2.5})
    parts = attribute_product_change(before, pd.Series({"m": 0.1, "t": 2.0}), method="lmdi")
    assert parts["change"].iloc[0] == pytest.approx(0.0, abs=1e-15)
    assert parts["m"].iloc[0] == pytest.approx(0.2 * math.log(1.25))
    assert parts["m"].iloc[0] == pytest.approx(-parts["t"].iloc[0])


_driver = st.floats(-100.0, 100.0, allow_nan=False)
_positive = st.floats(0.01, 100.0, allow_nan=False)


@settings(max_examples=100, deadline=None)
@given(st.integers(1, 4), st.integers(1, 5), st.data())
def test_attribution_parts_add_up(k: int, n: int, data: st.DataObject) -> None:
    for method, value in (("shapley", _driver), ("lmdi", _positive)):
        cells = st.lists(value, min_size=n * k, max_size=n * k)
        a = pd.DataFrame(np.array(data.draw(cells)).reshape(n, k))
        b = pd.DataFrame(np.array(data.draw(cells)).reshape(n, k))
        parts = attribute_product_change(a, b, method=method)
        # Shapley sums mixed products of before and after drivers: round-off scales with the
        # largest such product, even when before and after are both 0 (one zero driver).
        largest = np.maximum(a.abs().to_numpy(), b.abs().to_numpy()).prod(axis=1).max()
        scale = 1e-9 * (1.0 + largest)
        np.testing.assert_allclose(parts[a.columns].sum(axis=1), parts["change"], atol=scale)


def test_attribution_bad_input() -> None:
    a = pd.Series({"m": 0.1, "t": 2.0})
    with pytest.raises(ModelError, match="same rows and drivers"):
        attribute_product_change(a, a.rename({"t": "x"}))
    with pytest.raises(ModelError, match="driver 't' of row 0 is nan after"):
        attribute_product_change(a, a.mul([1, np.nan]))
    with pytest.raises(ModelError, match="lmdi method needs every driver positive"):
        attribute_product_change(a, a.mul([-1, 1]), method="lmdi")
    with pytest.raises(ModelError, match="unknown attribution method 'log'"):
        attribute_product_change(a, a, method="log")
    with pytest.raises(ModelError, match="at least one driver"):
        attribute_product_change(pd.DataFrame(index=[0]), pd.DataFrame(index=[0]))
    bad = pd.DataFrame({"nopat": [1.0], "revenue": [1.0], "invested_capital": [0.0]})
    with pytest.raises(ModelError, match=r"invested_capital of row 0 is 0\.0"):
        roic_drivers(bad)
    with pytest.raises(ModelError, match=r"missing \['nopat'\]"):
        roic_drivers(bad.drop(columns="nopat"))


def test_api_is_curated() -> None:
    assert sorted(variance.__all__) == variance.__all__
    assert all(hasattr(variance, name) for name in variance.__all__)


# -- operating-margin driver tree -------------------------------------------------------------


def test_operating_margin_tree_and_attribution_hand_worked() -> None:
    # Hand-worked: revenue 2000, COGS 1200, SG&A 400, R&D 200 -> ratios 0.6 / 0.2 / 0.1,
    # gross margin 0.4, operating margin 0.1.
    y1 = pd.DataFrame(
        {"revenue": [2000.0], "cogs": [1200.0], "sga": [400.0], "rnd": [200.0]}, index=["bu"]
    )
    tree = operating_margin_drivers(y1).iloc[0]
    assert tree.to_dict() == pytest.approx(
        {
            "cogs_ratio": 0.6,
            "sga_ratio": 0.2,
            "rnd_ratio": 0.1,
            "gross_margin": 0.4,
            "operating_margin": 0.1,
        }
    )
    # Year 2: revenue 2500, COGS 1400, SG&A 400, R&D 300 -> margin 1 - 2100/2500 = 0.16.
    # 1/R: 0.0005 -> 0.0004, mean 0.00045. Cost effects: COGS -200 * 0.00045 = -0.09,
    # SG&A 0, R&D -100 * 0.00045 = -0.045. Revenue effect: 0.0001 * (1300 + 400 + 250)
    # = 0.195. Sum -0.09 - 0.045 + 0.195 = 0.06 = 0.16 - 0.10.
    y2 = pd.DataFrame(
        {"revenue": [2500.0], "cogs": [1400.0], "sga": [400.0], "rnd": [300.0]}, index=["bu"]
    )
    parts = attribute_operating_margin_change(y1, y2).iloc[0]
    assert parts.to_dict() == pytest.approx(
        {
            "cogs": -0.09,
            "sga": 0.0,
            "rnd": -0.045,
            "revenue": 0.195,
            "before": 0.1,
            "after": 0.16,
            "change": 0.06,
        }
    )


@given(st.lists(st.tuples(*(st.floats(1.0, 1e6) for _ in range(6))), min_size=1, max_size=5))
def test_operating_margin_parts_add_up_to_the_change(rows: list[tuple[float, ...]]) -> None:
    # Law: the contributions add up exactly to the change in operating margin, per row.
    data = np.array(rows)
    before = pd.DataFrame(data[:, :3], columns=["revenue", "cogs", "opex"])
    after = pd.DataFrame(data[:, 3:], columns=["revenue", "cogs", "opex"])
    parts = attribute_operating_margin_change(before, after)
    total = parts[["cogs", "opex", "revenue"]].sum(axis=1)
    assert np.allclose(total, parts["change"], rtol=1e-9, atol=1e-9)
    margin = operating_margin_drivers(after)["operating_margin"]
    assert np.allclose(parts["after"], margin)


def test_operating_margin_bad_input_is_named() -> None:
    good = pd.DataFrame({"revenue": [100.0], "cogs": [50.0]})
    with pytest.raises(ModelError, match="needs a 'revenue' column"):
        operating_margin_drivers(good.drop(columns="revenue"))
    with pytest.raises(ModelError, match=r"revenue of row 0 is 0\.0"):
        operating_margin_drivers(good.assign(revenue=0.0))
    with pytest.raises(ModelError, match="cogs of row 0 is nan"):
        operating_margin_drivers(good.assign(cogs=np.nan))
    with pytest.raises(ModelError, match=r"cost lines \['opex'\] are not columns"):
        operating_margin_drivers(good, costs=["opex"])
    with pytest.raises(ModelError, match="same rows"):
        attribute_operating_margin_change(good, good.set_axis(["x"]))


# -- any formula ------------------------------------------------------------------------------


def test_formula_attribution_matches_the_product_attribution() -> None:
    # ROIC as a formula over its two drivers gives the same Shapley parts as the product
    # attribution (hand-worked in test_roic_drivers_and_shapley_attribution_hand_worked).
    parts = variance.attribute_formula_change(
        "margin * turnover", {"margin": 0.08, "turnover": 2.0}, {"margin": 0.09, "turnover": 2.5}
    )
    assert parts["margin"] == pytest.approx(0.0225)
    assert parts["turnover"] == pytest.approx(0.0425)
    assert parts["change"] == pytest.approx(0.065)


@given(
    st.lists(st.floats(1.0, 1e4), min_size=8, max_size=8),
)
def test_formula_attribution_adds_up_to_the_change(x: list[float]) -> None:
    # Law (efficiency of Shapley values): the parts add up to the change, for any formula.
    f = "(a - b - c) / a * 100 + d"
    before = dict(zip("abcd", x[:4], strict=True))
    after = dict(zip("abcd", x[4:], strict=True))
    parts = variance.attribute_formula_change(f, before, after)
    assert parts[list("abcd")].sum() == pytest.approx(parts["change"], rel=1e-9, abs=1e-9)


def test_formula_attribution_needs_every_input() -> None:
    with pytest.raises(ModelError, match=r"needs a before and an after value for \['b'\]"):
        variance.attribute_formula_change("a + b", {"a": 1.0, "b": 2.0}, {"a": 1.0})
