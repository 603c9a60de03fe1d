"""The built-in adjusters: fx (IAS 21), inflation (price index) and one-time events.

Reference figures are worked by hand (FX) or published (BLS CPI-U); each is checked on the
adjuster alone and end to end through ``Engine.evaluate(..., adjust=[...])``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from balanced_scorecard import (
    Engine,
    Indicator,
    Objective,
    ObservationError,
    Scorecard,
    Thresholds,
    UnitError,
    UnknownNodeError,
)
from balanced_scorecard.builtins.adjusters import FxAdjuster, InflationAdjuster, OneTimeAdjuster
from balanced_scorecard.units import make_registry

DATA = Path(__file__).resolve().parents[1] / "data"
CPI = DATA / "cpi_u_us_city_avg_annual_1982_84_base.csv"
REGISTRY = make_registry()


def _scorecard(*indicators: Indicator, freq: str = "M") -> Scorecard:
    return Scorecard(
        id="t",
        review_frequency=freq,
        objectives=[Objective(id="grow", perspective="financial")],
        indicators=list(indicators),
    )


def _ind(id: str, unit: str = "EUR", **kw: Any) -> Indicator:
    return Indicator(
        id=id, objective="grow", unit=unit, thresholds=Thresholds(target=2, red_flag=1), **kw
    )


FIN = _scorecard(
    _ind("revenue", time_aggregation="sum"),
    _ind("cash", time_aggregation="last"),
    _ind("revenue_gbp", "GBP", time_aggregation="sum"),
    _ind("cash_gbp", "GBP", time_aggregation="last"),
    _ind("deposits", time_aggregation="sum", tags=["stock"]),
    _ind("burn", time_aggregation="last", tags=["flow"]),
    _ind("lead_time", "day"),
)

# EUR base: USD 1.10 on 15 January and 1.20 on 31 January, so January's average is 1.15
# and its closing rate 1.20; GBP 0.84 and 0.86, average 0.85, closing 0.86.
RATES = pd.DataFrame(
    {
        "date": ["2025-01-15", "2025-01-31", "2025-01-15", "2025-01-31"],
        "currency": ["USD", "USD", "GBP", "GBP"],
        "rate": [1.10, 1.20, 0.84, 0.86],
    }
)


def _obs(**columns: Any) -> pd.DataFrame:
    n = max(len(v) for v in columns.values() if isinstance(v, list))
    base = {"indicator": "revenue", "org_unit": "all", "period": "2025-01"}
    return pd.DataFrame({**base, **columns}, index=range(n))


def _fx(frame: pd.DataFrame, scorecard: Scorecard = FIN, **options: Any) -> pd.DataFrame:
    options = {"rates": RATES, "base": "EUR", **options}
    return FxAdjuster().adjust(frame, scorecard=scorecard, registry=REGISTRY, **options)


def _actuals(ev: Any) -> dict[str, float]:
    rows = ev.to_frame().query("kind == 'indicator'")
    return dict(zip(rows["node"], rows["actual"].astype(float), strict=True))


# -- registration ---------------------------------------------------------------------------


def test_the_three_adjusters_are_registered_as_builtins() -> None:
    adjusters = Engine(entry_points=False).plugins.adjusters
    for name in ("fx", "inflation", "one_time"):
        assert adjusters.plugin_of(name) == "builtins.adjusters"


# -- fx ---------------------------------------------------------------------------------------


def test_fx_reference_flow_at_average_stock_at_closing() -> None:
    obs = _obs(indicator=["revenue", "cash"], value=[1150.0, 1200.0], unit="USD")
    out = _fx(obs)
    assert out["value"].tolist() == pytest.approx([1000.0, 1000.0], rel=1e-12)
    assert out["unit"].tolist() == ["EUR", "EUR"]
    assert out["adjustments"].tolist() == [
        "fx USD→EUR @ 0.869565 (average 2025-01)",
        "fx USD→EUR @ 0.833333 (closing 2025-01-31)",
    ]


def test_fx_reference_end_to_end_through_the_engine() -> None:
    obs = _obs(indicator=["revenue", "cash"], value=[1150.0, 1200.0], unit="USD")
    ev = Engine(entry_points=False).evaluate(
        FIN, obs, adjust=[("fx", {"rates": RATES, "base": "EUR"})]
    )
    actual = _actuals(ev)
    assert actual["revenue"] == pytest.approx(1000.0, rel=1e-12)
    assert actual["cash"] == pytest.approx(1000.0, rel=1e-12)
    assert ev.quality.empty
    # The evaluation keeps what was done to each value, and explain() shows it.
    assert list(ev.adjustments["note"]) == [
        "fx USD→EUR @ 0.869565 (average 2025-01)",
        "fx USD→EUR @ 0.833333 (closing 2025-01-31)",
    ]
    assert "adjusted: fx USD→EUR @ 0.869565 (average 2025-01)" in str(ev.explain("revenue"))


def test_fx_crosses_through_the_base() -> None:
    # USD→GBP = USD→EUR→GBP: 1,150 USD / 1.15 × 0.85 = 850 GBP at the averages; the balance
    # 1,200 USD / 1.20 × 0.86 = 860 GBP at the closing rates.
    obs = _obs(indicator=["revenue_gbp", "cash_gbp"], value=[1150.0, 1200.0], unit="USD")
    out = _fx(obs)
    assert out["value"].tolist() == pytest.approx([850.0, 860.0], rel=1e-12)
    assert out["unit"].tolist() == ["GBP", "GBP"]
    assert out["adjustments"][0] == "fx USD→GBP @ 0.73913 (average 2025-01)"


def test_fx_scales_prefixed_currencies_before_translating() -> None:
    out = _fx(_obs(value=[1.15], unit="kUSD"))
    assert out["value"].tolist() == pytest.approx([1000.0], rel=1e-12)
    assert out["unit"].tolist() == ["EUR"]


def test_fx_into_a_prefixed_declared_currency() -> None:
    sc = _scorecard(_ind("revenue", "kEUR", time_aggregation="sum"))
    out = _fx(_obs(value=[1150.0], unit="USD"), sc)
    assert out["value"].tolist() == pytest.approx([1.0], rel=1e-12)
    assert out["unit"].tolist() == ["kEUR"]


def test_fx_tags_override_the_time_aggregation() -> None:
    # deposits: sum but tagged stock -> closing; burn: last but tagged flow -> average.
    out = _fx(_obs(indicator=["deposits", "burn"], value=[1200.0, 1150.0], unit="USD"))
    assert out["value"].tolist() == pytest.approx([1000.0, 1000.0], rel=1e-12)


def test_fx_periods_as_dates_quarters_and_years() -> None:
    rates = pd.DataFrame(
        {
            "date": ["2025-01-31", "2025-02-14", "2025-02-28", "2025-03-31"],
            "currency": "USD",
            "rate": [1.20, 1.25, 1.35, 1.40],
        }
    )
    obs = _obs(
        indicator=["revenue", "cash", "revenue", "revenue"],
        period=["2025-02-10", "2025-02-10", "2025Q1", "2025"],
        value=[1300.0, 1350.0, 1300.0, 1300.0],
        unit="USD",
    )
    out = _fx(obs, rates=rates)
    # February's average is (1.25 + 1.35) / 2 = 1.30, its closing 1.35; the quarter's and
    # the year's average (1.20 + 1.25 + 1.35 + 1.40) / 4 = 1.30.
    assert out["value"].tolist() == pytest.approx([1000.0] * 4, rel=1e-12)
    assert out["adjustments"].tolist() == [
        "fx USD→EUR @ 0.769231 (average 2025-02)",
        "fx USD→EUR @ 0.740741 (closing 2025-02-28)",
        "fx USD→EUR @ 0.769231 (average 2025Q1)",
        "fx USD→EUR @ 0.769231 (average 2025)",
    ]


def test_fx_to_a_presentation_currency() -> None:
    out = _fx(_obs(value=[1000.0], unit="EUR"), to="USD")
    assert out["value"].tolist() == pytest.approx([1150.0], rel=1e-12)
    assert out["unit"].tolist() == ["USD"]


def test_fx_leaves_rows_it_has_no_business_with() -> None:
    obs = _obs(
        indicator=["revenue", "revenue", "revenue", "lead_time", "revenu", "revenue", "revenue"],
        period=["2025-01", "2025-01", "2025-01", "2025-01", "2025-01", "March", "2025-01"],
        value=[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, "n/a"],
        unit=[None, "EUR", "kEUR", "hour", "USD", "USD", "USD"],
    )
    out = _fx(obs)
    assert out["value"].tolist() == obs["value"].tolist()
    assert out["unit"].tolist() == obs["unit"].tolist()
    assert out["adjustments"].tolist() == [""] * 7


def test_fx_appends_to_existing_adjustments_and_leaves_the_input_alone() -> None:
    obs = _obs(value=[1150.0, 1150.0], unit="USD", adjustments=["restated", None])
    before = obs.copy()
    out = _fx(obs)
    assert out["adjustments"].tolist() == [
        "restated; fx USD→EUR @ 0.869565 (average 2025-01)",
        "fx USD→EUR @ 0.869565 (average 2025-01)",
    ]
    pd.testing.assert_frame_equal(obs, before)


def test_fx_reads_rates_from_csv(tmp_path: Path) -> None:
    path = tmp_path / "rates.csv"
    RATES.to_csv(path, index=False)
    out = _fx(_obs(value=[1150.0], unit="USD"), rates=str(path))
    assert out["value"].tolist() == pytest.approx([1000.0], rel=1e-12)


def test_fx_missing_average_rate_names_pair_period_and_indicator() -> None:
    obs = _obs(period=["2025-01", "2025-02"], value=[1150.0, 1.0], unit="USD")
    with pytest.raises(UnitError) as err:
        _fx(obs)
    message = str(err.value)
    assert "USD→EUR" in message
    assert "indicator 'revenue', period '2025-02' (row 3)" in message
    assert "USD rates dated 2025-02-01 to 2025-02-28" in message
    assert "never taken as 1" in message


def test_fx_missing_closing_rate_and_missing_currency() -> None:
    with pytest.raises(UnitError, match=r"GBP rate dated on or before 2024-12-31"):
        _fx(_obs(indicator=["cash_gbp"], period=["2024-12"], value=[1.0], unit="EUR"))
    with pytest.raises(UnitError, match=r"CHF→EUR .* has no CHF rates at all"):
        _fx(_obs(value=[1.0], unit="CHF"))


def test_fx_missing_rate_through_the_engine_is_the_same_error() -> None:
    with pytest.raises(UnitError, match="USD→EUR for indicator 'revenue', period '2025-02'"):
        Engine(entry_points=False).evaluate(
            FIN,
            _obs(period=["2025-02"], value=[1.0], unit="USD"),
            adjust=[("fx", {"rates": RATES, "base": "EUR"})],
        )


def test_fx_unknown_currency_in_rates() -> None:
    rates = pd.concat(
        [RATES, pd.DataFrame({"date": ["2025-01-31"], "currency": ["USX"], "rate": [2.0]})]
    )
    with pytest.raises(UnitError) as err:
        _fx(_obs(value=[1.0], unit="USD"), rates=rates)
    message = str(err.value)
    assert "row 6" in message
    assert "'USX' is not a currency code" in message
    assert "Did you mean 'USD'?" in message
    assert "registry.define('USX = [currency_USX]')" in message


@pytest.mark.parametrize(
    ("rates", "base", "match"),
    [
        (RATES.assign(rate=[1.1, 0.0, 0.84, 0.86]), "EUR", "row 3 .* not a positive number"),
        (RATES.assign(date=["2025-01-15", "soon", "x", "y"]), "EUR", "row 3 .* not a date"),
        (pd.concat([RATES, RATES.iloc[:1]]), "EUR", "two rates for the same currency and date"),
        (RATES.drop(columns="rate"), "EUR", r"lacks column\(s\) \['rate'\]"),
        (
            RATES,
            "EURO",
            "FX base 'EURO' is not a currency code this registry knows. Did you mean 'EUR'",
        ),
        (
            pd.DataFrame({"date": ["2025-01-31"], "currency": ["EUR"], "rate": [1.1]}),
            "EUR",
            "worth 1 EUR by definition",
        ),
    ],
)
def test_fx_bad_rate_tables(rates: pd.DataFrame, base: str, match: str) -> None:
    with pytest.raises(UnitError, match=match):
        _fx(_obs(value=[1.0], unit="USD"), rates=rates, base=base)


def test_fx_options_are_checked() -> None:
    with pytest.raises(UnitError, match=r"unknown option.*'rate'.*Did you mean 'rates'"):
        _fx(_obs(value=[1.0]), rate=RATES)
    with pytest.raises(UnitError, match=r"needs the option.*'base'"):
        FxAdjuster().adjust(_obs(value=[1.0]), scorecard=FIN, registry=REGISTRY, rates=RATES)
    with pytest.raises(UnitError, match="to='percent' is not a currency"):
        _fx(_obs(value=[1.0]), to="percent")


@settings(max_examples=40, deadline=None)
@given(
    rate=st.floats(min_value=1e-3, max_value=1e4),
    values=st.lists(st.floats(min_value=-1e9, max_value=1e9), min_size=1, max_size=6),
    stock=st.booleans(),
)
def test_fx_with_a_constant_rate_divides_by_it(
    rate: float, values: list[float], stock: bool
) -> None:
    rates = pd.DataFrame(
        {"date": ["2025-03-01", "2025-03-15", "2025-03-31"], "currency": "USD", "rate": rate}
    )
    obs = _obs(indicator="cash" if stock else "revenue", period="2025-03", value=values, unit="USD")
    out = _fx(obs, rates=rates)
    assert np.allclose(out["value"].to_numpy(float), np.array(values) / rate, rtol=1e-12)


# -- inflation --------------------------------------------------------------------------------

SALARY = _scorecard(_ind("salary", "USD", time_aggregation="sum"), _ind("nps", "dimensionless"))


def _deflate(frame: pd.DataFrame, scorecard: Scorecard = SALARY, **options: Any) -> pd.DataFrame:
    options = {"index": CPI, "base": "2024", **options}
    return InflationAdjuster().adjust(frame, scorecard=scorecard, registry=REGISTRY, **options)


def test_inflation_bls_reference_2019_to_2024_dollars() -> None:
    out = _deflate(_obs(indicator=["salary"], period=["2019"], value=[50_000.0]))
    assert round(float(out["value"][0]), 2) == 61_349.58
    assert out["adjustments"][0] == (
        "inflation to 2024 money ×1.22699 (index 2019 255.657 → 2024 313.689)"
    )


def test_inflation_bls_reference_end_to_end() -> None:
    sc = _scorecard(_ind("salary", "USD", time_aggregation="sum"), freq="Y")
    ev = Engine(entry_points=False).evaluate(
        sc,
        _obs(indicator=["salary"], period=["2019"], value=[50_000.0]),
        adjust=[("inflation", {"index": str(CPI), "base": "2024"})],
    )
    assert round(_actuals(ev)["salary"], 2) == 61_349.58


def test_inflation_monthly_rows_use_the_year_of_an_annual_index() -> None:
    obs = _obs(indicator="salary", period=["2019-03", "2019-11-30", "2024-06"], value=[1.0] * 3)
    out = _deflate(obs)
    assert out["value"].tolist() == pytest.approx([313.689 / 255.657] * 2 + [1.0], rel=1e-12)


def test_inflation_a_year_of_a_monthly_index_is_its_mean() -> None:
    index = pd.DataFrame(
        {
            "period": [f"2024-{m:02d}" for m in range(1, 13)] + ["2025-01"],
            "value": [100.0 + m for m in range(12)] + [120.0],
        }
    )
    out = _deflate(
        _obs(indicator=["salary"], period=["2024"], value=[105.5]), index=index, base="2025-01"
    )
    # The 2024 mean is 105.5; in January-2025 money 105.5 becomes 120.
    assert out["value"].tolist() == pytest.approx([120.0], rel=1e-12)
    assert "index 2024-01 to 2024-12 105.5 → 2025-01 120" in out["adjustments"][0]


def test_inflation_rebase_only_changes_the_notes() -> None:
    obs = _obs(indicator=["salary"], period=["2019"], value=[50_000.0])
    plain, rebased = _deflate(obs), _deflate(obs, rebase="2019")
    assert rebased["value"].tolist() == pytest.approx(plain["value"].tolist(), rel=1e-12)
    assert "(index 2019 100 → 2024 122.699)" in rebased["adjustments"][0]


def test_inflation_chooses_currency_indicators_unless_told() -> None:
    obs = _obs(indicator=["salary", "nps"], period=["2019", "2019"], value=[1.0, 1.0])
    assert _deflate(obs)["value"].tolist() == pytest.approx([1.22699, 1.0], rel=1e-5)
    only_nps = _deflate(obs, indicators=["nps"])["value"].tolist()
    assert only_nps == pytest.approx([1.0, 1.22699], rel=1e-5)
    with pytest.raises(UnknownNodeError, match=r"names 'salry'.*Did you mean 'salary'"):
        _deflate(obs, indicators="salry")


def test_inflation_missing_index_value_names_period_and_indicator() -> None:
    obs = _obs(indicator=["salary", "salary"], period=["2024-12", "2025-03"], value=[1.0, 2.0])
    with pytest.raises(UnitError) as err:
        _deflate(obs)
    assert str(err.value).startswith(
        "the price index has no value for 2025, which indicator 'salary' needs for period "
        "'2025-03' (row 3); the index has values for 2019 to 2024."
    )


@pytest.mark.parametrize(
    ("options", "match"),
    [
        ({"base": "2030"}, "option base='2030' is not a period the price index covers"),
        ({"rebase": "1990"}, "option rebase='1990'"),
        ({"index": pd.DataFrame({"period": ["2019", "2020"], "value": [1.0, -1.0]})}, "row 3"),
        ({"index": pd.DataFrame({"period": ["2019", "2019Q1"], "value": [1.0, 1.0]})}, "mixes"),
        ({"index": pd.DataFrame({"period": ["2019", "2019"], "value": [1.0, 2.0]})}, "same"),
        ({"index": "no/such/file.csv"}, "cannot read the price index from 'no/such/file.csv'"),
        ({"inde": CPI}, "Did you mean 'index'"),
    ],
)
def test_inflation_bad_input(options: dict[str, Any], match: str) -> None:
    with pytest.raises(UnitError, match=match):
        _deflate(_obs(indicator=["salary"], value=[1.0]), **options)


def test_inflation_index_by_dates_with_freq() -> None:
    index = pd.DataFrame({"period": ["2019-01-01", "2024-01-01"], "value": [255.657, 313.689]})
    out = _deflate(
        _obs(indicator=["salary"], period=["2019"], value=[50_000.0]), index=index, freq="Y"
    )
    assert round(float(out["value"][0]), 2) == 61_349.58


@settings(max_examples=40, deadline=None)
@given(
    index=st.lists(st.floats(min_value=1.0, max_value=1e4), min_size=1, max_size=8),
    pick=st.integers(min_value=0),
    value=st.floats(min_value=-1e12, max_value=1e12),
)
def test_inflation_with_the_row_period_as_base_is_the_identity(
    index: list[float], pick: int, value: float
) -> None:
    labels = [str(2000 + k) for k in range(len(index))]
    base = labels[pick % len(labels)]
    table = pd.DataFrame({"period": labels, "value": index})
    out = _deflate(_obs(indicator=["salary"], period=[base], value=[value]), index=table, base=base)
    assert out["value"].tolist() == [value]


# -- one-time events --------------------------------------------------------------------------

ONE = _scorecard(_ind("revenue", time_aggregation="sum"), _ind("nps", "dimensionless"))


def _events(**columns: Any) -> pd.DataFrame:
    base = {"indicator": "revenue", "org_unit": "all", "period": "2025-03", "reason": "plant sale"}
    n = max((len(v) for v in columns.values() if isinstance(v, list)), default=1)
    return pd.DataFrame({**base, **columns}, index=range(n))


def _one_time(frame: pd.DataFrame, events: Any, **options: Any) -> pd.DataFrame:
    return OneTimeAdjuster().adjust(
        frame, scorecard=ONE, registry=REGISTRY, events=events, **options
    )


def test_one_time_subtracts_and_records_the_reason() -> None:
    obs = _obs(period=["2025-02", "2025-03"], value=[90_000.0, 112_500.0])
    out = _one_time(obs, _events(amount=[12_500.0]))
    assert out["value"].tolist() == [90_000.0, 100_000.0]
    assert out["adjustments"].tolist() == ["", "one-time: plant sale (−12,500 EUR)"]


def test_one_time_end_to_end_after_fx() -> None:
    obs = _obs(period=["2025-01"], value=[1150.0], unit="USD")
    ev = Engine(entry_points=False).evaluate(
        ONE,
        obs,
        adjust=[
            ("fx", {"rates": RATES, "base": "EUR"}),
            ("one_time", {"events": _events(period="2025-01", amount=[100.0])}),
        ],
    )
    assert _actuals(ev)["revenue"] == pytest.approx(900.0, rel=1e-12)


def test_one_time_several_events_and_units() -> None:
    obs = _obs(value=[20.0], period=["2025-03"], unit="kEUR")
    events = _events(amount=[12_500.0, -500.0], reason=["plant sale", "flood"])
    out = _one_time(obs, events)
    assert out["value"].tolist() == pytest.approx([8.0])
    assert out["adjustments"][0] == (
        "one-time: plant sale (−12,500 EUR); one-time: flood (+500 EUR)"
    )
    in_k = _one_time(obs, _events(amount=[2.5], unit="kEUR"))
    assert in_k["value"].tolist() == pytest.approx([17.5])


def test_one_time_event_matching_nothing() -> None:
    obs = _obs(period=["2025-01", "2025-02"], value=[1.0, 2.0])
    with pytest.raises(ObservationError) as err:
        _one_time(obs, _events(amount=[5.0]))
    assert str(err.value) == (
        "the one-time event of row 2 (indicator 'revenue', org unit 'all', period '2025-03', "
        "reason 'plant sale') matches no observation: the rows of 'revenue' for 'all' have "
        "periods 2025-01, 2025-02. Fix the event's period as the rows write it, or pass "
        "unmatched='ignore' when the row comes from another source"
    )
    out = _one_time(obs, _events(amount=[5.0]), unmatched="ignore")
    assert out["value"].tolist() == [1.0, 2.0]


@pytest.mark.parametrize(
    ("events", "match", "error"),
    [
        (_events(indicator="revenu", amount=[1.0]), "Did you mean 'revenue'", ObservationError),
        (_events(amount=["lots"]), "row 2 .* the amount is not a number", ObservationError),
        (_events(amount=[1.0]).drop(columns="reason"), "lacks column", ObservationError),
        (_events(amount=[1.0], unit="day"), "list the fx adjuster before one_time", UnitError),
    ],
)
def test_one_time_bad_events(events: pd.DataFrame, match: str, error: type[Exception]) -> None:
    with pytest.raises(error, match=match):
        _one_time(_obs(period=["2025-03"], value=[10.0]), events)


def test_one_time_row_in_another_currency_asks_for_fx_first() -> None:
    with pytest.raises(UnitError, match="amount is in EUR and the matching row in USD"):
        _one_time(_obs(period=["2025-03"], value=[10.0], unit="USD"), _events(amount=[1.0]))


def test_one_time_reads_events_from_csv(tmp_path: Path) -> None:
    path = tmp_path / "events.csv"
    _events(amount=[2.0]).to_csv(path, index=False)
    assert _one_time(_obs(period=["2025-03"], value=[10.0]), path)["value"].tolist() == [8.0]


@settings(max_examples=40, deadline=None)
@given(
    value=st.floats(min_value=-1e9, max_value=1e9),
    amount=st.floats(min_value=-1e9, max_value=1e9),
)
def test_one_time_then_the_inverse_restores_the_value(value: float, amount: float) -> None:
    obs = _obs(period=["2025-03"], value=[value])
    there = _one_time(obs, _events(amount=[amount]))
    back = _one_time(there, _events(amount=[-amount]))
    assert float(back["value"][0]) == pytest.approx(value, rel=1e-12, abs=1e-6)
    assert back["adjustments"][0].count("one-time: plant sale") == 2
