"""Raw facts → indicator values (data/raw_facts.py) on every engine.

Reference values are hand-worked from the small fact tables written in each test; the
cross-engine tests assert that pandas, Polars, DuckDB (frames and Parquet files) and Dask on
a real ``dask.distributed`` cluster (scheduler and two worker processes on loopback) give the
same frame as pandas, value for value.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from balanced_scorecard.data.raw_facts import aggregate_facts
from balanced_scorecard.exceptions import ModelError, ObservationError
from balanced_scorecard.model import Indicator, Objective, OrgChart, OrgUnit, Scorecard
from balanced_scorecard.model.mappings import FactMapping, FactRule, to_conditions

# narwhals announces that its Dask support moves to a separate package; not our concern here.
pytestmark = pytest.mark.filterwarnings("ignore:.*narwhals-dask:FutureWarning")


def _lines() -> pd.DataFrame:
    # Hand-made shipment lines: P1 → north, P2 → south, P9 is not in the code table.
    return pd.DataFrame(
        {
            "shipped": pd.to_datetime(
                [
                    "2025-01-03",
                    "2025-01-20",
                    "2025-01-31",
                    "2025-02-01",
                    "2025-02-10",
                    "2025-02-11",
                    "2025-02-12",
                ]
            ),
            "plant": ["P1", "P1", "P1", "P2", "P2", "P9", None],
            "late": [False, True, False, False, True, False, False],
            "amount": [100.0, 50.0, np.nan, 30.0, 20.0, 5.0, 7.0],
            "customer": ["a", "b", "a", "c", "c", "d", "e"],
            "status": ["ok", "ok", "ok", "ok", "void", "ok", "ok"],
        }
    )


def _mapping(**extra: object) -> FactMapping:
    fields: dict[str, object] = {
        "date": "shipped",
        "org_unit": "plant",
        "org_codes": {"P1": "north", "P2": "south"},
        "rules": [
            {"indicator": "deliveries", "transform": "count"},
            {"indicator": "on_time", "transform": "ratio", "numerator": {"late": False}},
            {"indicator": "revenue", "transform": "sum", "value": "amount"},
            {"indicator": "avg_order", "transform": "mean", "value": "amount"},
            {"indicator": "biggest", "transform": "max", "value": "amount"},
            {"indicator": "smallest", "transform": "min", "value": "amount"},
            {"indicator": "customers", "transform": "distinct", "value": "customer"},
        ],
    }
    fields.update(extra)
    return FactMapping(**fields)  # type: ignore[arg-type]


def _values(result_frame: pd.DataFrame) -> dict[tuple[str, str, str], object]:
    out: dict[tuple[str, str, str], object] = {}
    for row in result_frame.itertuples():
        key = (row.indicator, row.org_unit, row.period)
        out[key] = (row.numerator, row.denominator) if row.indicator == "on_time" else row.value
    return out


def test_every_transform_hand_worked() -> None:
    got = _values(aggregate_facts(_lines(), _mapping()).observations)
    # north January: three lines, one late, amounts 100, 50 and a missing one; customers a, b.
    assert got[("deliveries", "north", "2025-01")] == 3
    assert got[("on_time", "north", "2025-01")] == (2, 3)
    assert got[("revenue", "north", "2025-01")] == 150
    assert got[("avg_order", "north", "2025-01")] == 75
    assert got[("biggest", "north", "2025-01")] == 100
    assert got[("smallest", "north", "2025-01")] == 50
    assert got[("customers", "north", "2025-01")] == 2
    # south February: two lines of customer c, one late; amounts 30 and 20.
    assert got[("deliveries", "south", "2025-02")] == 2
    assert got[("on_time", "south", "2025-02")] == (1, 2)
    assert got[("revenue", "south", "2025-02")] == 50
    assert got[("customers", "south", "2025-02")] == 1
    assert {k[1] for k in got} == {"north", "south"}


def test_filter_applies_to_every_rule_and_is_reported() -> None:
    result = aggregate_facts(_lines(), _mapping(where={"status": {"ne": "void"}}))
    got = _values(result.observations)
    assert got[("deliveries", "south", "2025-02")] == 1  # the void line is out
    assert got[("revenue", "south", "2025-02")] == 30
    filtered = result.quality[result.quality["check"] == "filtered"]
    assert filtered["rows"].tolist() == [1]
    assert "status != 'void'" in filtered["message"].iloc[0]


def test_nothing_is_lost_unknown_and_missing_codes_are_counted() -> None:
    result = aggregate_facts(_lines(), _mapping(), source="shipments")
    q = result.quality.set_index("check")
    assert q.loc["org-code-unknown", "value"] == "P9"
    assert q.loc["org-code-unknown", "rows"] == 1
    assert "org_codes" in q.loc["org-code-unknown", "message"]
    assert q.loc["org-code-missing", "rows"] == 1
    counted = result.observations.query("indicator == 'deliveries'")["value"].sum()
    assert counted + q.loc["org-code-unknown", "rows"] + q.loc["org-code-missing", "rows"] == len(
        _lines()
    )
    assert result.facts == len(_lines())
    missing_amount = result.quality[result.quality["check"] == "value-missing"]
    assert set(missing_amount["rows"]) == {1}  # north's line without an amount


def test_unknown_code_suggests_the_close_one() -> None:
    facts = _lines().assign(plant=["P1", "P1", "P1", "P2", "P2", "p2", "P1"])
    result = aggregate_facts(facts, _mapping())
    message = result.quality.query("check == 'org-code-unknown'")["message"].iloc[0]
    assert "'p2'" in message
    assert "Did you mean 'P2'?" in message


def test_codes_without_a_table_are_checked_against_the_scorecard() -> None:
    sc = Scorecard(
        id="s",
        objectives=[Objective(id="o", perspective="customer")],
        indicators=[Indicator(id="deliveries", objective="o")],
        org_chart=OrgChart(units=[OrgUnit(id="all"), OrgUnit(id="north", parent="all")]),
    )
    facts = _lines().assign(plant=["north", "north", "nort", "north", "north", "north", "north"])
    mapping = FactMapping(
        date="shipped", org_unit="plant", rules=[{"indicator": "deliveries", "transform": "count"}]
    )
    result = aggregate_facts(facts, mapping, scorecard=sc)
    assert result.observations["org_unit"].unique().tolist() == ["north"]
    bad = result.quality.query("check == 'org-code-unknown'")
    assert bad["value"].tolist() == ["nort"]
    assert "Did you mean 'north'?" in bad["message"].iloc[0]


def test_time_zone_moves_a_late_utc_fact_into_the_next_local_month() -> None:
    # 2025-01-31 23:30 UTC is 2025-02-01 00:30 in Berlin (UTC+1 in winter).
    facts = pd.DataFrame(
        {
            "at": pd.to_datetime(["2025-01-31 23:30", "2025-01-31 22:30"]).tz_localize("UTC"),
            "unit": ["x", "x"],
        }
    )
    rules = [{"indicator": "n", "transform": "count"}]
    berlin = FactMapping(date="at", org_unit="unit", timezone="Europe/Berlin", rules=rules)
    got = _values(aggregate_facts(facts, berlin).observations)
    assert got == {("n", "x", "2025-01"): 1, ("n", "x", "2025-02"): 1}
    # The same instants read in their own zone (UTC) are both January.
    utc = FactMapping(date="at", org_unit="unit", rules=rules)
    assert _values(aggregate_facts(facts, utc).observations) == {("n", "x", "2025-01"): 2}
    # Naive wall-clock times from a New York system (UTC-5): 20:00 on Jan 31 there is
    # 02:00 on Feb 1 in Berlin.
    naive = facts.assign(at=pd.to_datetime(["2025-01-31 20:00", "2025-01-31 10:00"]))
    ny = FactMapping(
        date="at",
        org_unit="unit",
        timezone="Europe/Berlin",
        source_timezone="America/New_York",
        rules=rules,
    )
    assert _values(aggregate_facts(naive, ny).observations) == {
        ("n", "x", "2025-01"): 1,
        ("n", "x", "2025-02"): 1,
    }


def test_closing_stamps_and_reporting_lag() -> None:
    # Monthly totals stamped with the boundary that closes the month.
    facts = pd.DataFrame(
        {"month_end": pd.to_datetime(["2025-02-01", "2025-03-01"]), "v": [5.0, 7.0]}
    )
    mapping = FactMapping(
        date="month_end",
        default_org_unit="all",
        stamp="end",
        reporting_lag=4,
        rules=[{"indicator": "sales", "transform": "sum", "value": "v"}],
    )
    obs = aggregate_facts(facts, mapping).observations
    assert obs["period"].tolist() == ["2025-01", "2025-02"]
    # Known four days after each month's end.
    assert obs["as_of"].dt.strftime("%Y-%m-%d").tolist() == ["2025-02-04", "2025-03-04"]


def test_quarterly_indicator_is_bucketed_to_quarters() -> None:
    sc = Scorecard(
        id="s",
        objectives=[Objective(id="o", perspective="customer")],
        indicators=[Indicator(id="deliveries", objective="o", frequency="quarterly")],
        org_chart=OrgChart(units=[OrgUnit(id="north")]),
    )
    mapping = FactMapping(
        date="shipped",
        org_unit="plant",
        org_codes={"P1": "north"},
        rules=[{"indicator": "deliveries", "transform": "count"}],
    )
    obs = aggregate_facts(_lines().iloc[:3], mapping, scorecard=sc).observations
    assert obs[["period", "value"]].values.tolist() == [["2025Q1", 3.0]]


def test_text_dates_iso_read_others_reported() -> None:
    facts = pd.DataFrame(
        {
            "day": ["2025-01-05", "2025-01-06T10:00:00", "05/01/2025", None],
            "u": ["x", "x", "x", "x"],
        }
    )
    mapping = FactMapping(
        date="day", org_unit="u", rules=[{"indicator": "n", "transform": "count"}]
    )
    result = aggregate_facts(facts, mapping)
    assert _values(result.observations) == {("n", "x", "2025-01"): 2}
    bad = result.quality.query("check == 'date-unreadable'")
    assert bad["rows"].tolist() == [2]  # the European date and the missing one
    assert "'05/01/2025'" in bad["message"].iloc[0]


def test_missing_columns_are_named_with_a_suggestion() -> None:
    mapping = FactMapping(
        date="shiped", org_unit="plant", rules=[{"indicator": "n", "transform": "count"}]
    )
    with pytest.raises(ObservationError, match=r"'shiped' Did you mean 'shipped'\?"):
        aggregate_facts(_lines(), mapping, source="orders")


def test_text_dates_cannot_take_a_time_zone() -> None:
    facts = pd.DataFrame({"day": ["2025-01-05"], "u": ["x"]})
    mapping = FactMapping(
        date="day",
        org_unit="u",
        timezone="Europe/Berlin",
        rules=[{"indicator": "n", "transform": "count"}],
    )
    with pytest.raises(ObservationError, match="parse_dates"):
        aggregate_facts(facts, mapping)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"indicator": "x", "transform": "median"}, "unknown transform 'median'"),
        ({"indicator": "x", "transform": "sum"}, "needs `value: <column>`"),
        ({"indicator": "x", "transform": "ratio"}, "needs `numerator:`"),
        ({"indicator": "x", "transform": "count", "numerator": {"a": 1}}, "only applies"),
        ({"indicator": "x", "where": {"a": {"like": "%"}}}, "unknown operator 'like'"),
    ],
)
def test_bad_rules_are_refused(fields: dict[str, object], message: str) -> None:
    with pytest.raises(ModelError, match=message):
        FactRule(**fields)  # type: ignore[arg-type]


def test_bad_mappings_are_refused() -> None:
    rules = [{"indicator": "n", "transform": "count"}]
    with pytest.raises(ModelError, match="org_unit"):
        FactMapping(date="d", rules=rules)
    with pytest.raises(ModelError, match="unknown time zone 'Mars/Base'"):
        FactMapping(date="d", default_org_unit="x", timezone="Mars/Base", rules=rules)
    with pytest.raises(ModelError, match="two mapping rules"):
        FactMapping(date="d", default_org_unit="x", rules=rules * 2)


def test_condition_forms() -> None:
    text = [
        c.describe() for c in to_conditions([{"a": 1}, {"b": [1, 2]}, {"c": {"is_null": True}}])
    ]
    assert text == ["a = 1", "b in [1, 2]", "c is missing"]


# -- the same result on every engine ----------------------------------------------------------


def _random_facts(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    minutes = rng.integers(0, 100 * 24 * 60, n)
    return pd.DataFrame(
        {
            "at": (pd.Timestamp("2025-01-01") + pd.to_timedelta(minutes, unit="min")).tz_localize(
                "UTC"
            ),
            "plant": rng.choice(np.array(["P1", "P2", "P3", None], dtype=object), n),
            "amount": np.where(rng.random(n) < 0.05, np.nan, np.round(rng.random(n) * 100, 2)),
            "late": rng.random(n) < 0.2,
            "customer": rng.choice(list("abcdefghijkl"), n),
            "status": rng.choice(["ok", "void"], n, p=[0.9, 0.1]),
        }
    )


_ENGINE_MAPPING = _mapping(
    date="at",
    timezone="Europe/Berlin",
    where={"status": {"ne": "void"}},
    reporting_lag=5,
)


@pytest.fixture(scope="module")
def dask_client():  # type: ignore[no-untyped-def]
    distributed = pytest.importorskip("distributed")
    cluster = distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
    )
    client = distributed.Client(cluster)
    yield client
    client.close()
    cluster.close()


def _native(engine: str, facts: pd.DataFrame, tmp_path: object, request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    if engine == "pandas":
        return facts
    if engine == "polars":
        pl = pytest.importorskip("polars")
        return pl.from_pandas(facts)
    if engine == "polars-lazy":
        pl = pytest.importorskip("polars")
        return pl.from_pandas(facts).lazy()
    if engine == "duckdb":
        duckdb = pytest.importorskip("duckdb")
        return duckdb.from_df(facts)
    if engine == "duckdb-parquet":
        duckdb = pytest.importorskip("duckdb")
        path = f"{tmp_path}/facts.parquet"
        facts.to_parquet(path)
        return duckdb.read_parquet(path)
    if engine == "dask":
        dd = pytest.importorskip("dask.dataframe")
        client = request.getfixturevalue("dask_client")
        frame = dd.from_pandas(facts, npartitions=2)
        assert client.scheduler_info()["workers"], "the cluster has no workers"
        return frame
    raise AssertionError(engine)


@pytest.mark.parametrize("engine", ["polars", "polars-lazy", "duckdb", "duckdb-parquet", "dask"])
def test_engines_agree_with_pandas(
    engine: str, tmp_path: object, request: pytest.FixtureRequest
) -> None:
    facts = _random_facts(3000, seed=7)
    expected = aggregate_facts(facts, _ENGINE_MAPPING, source="s")
    native = _native(engine, facts, tmp_path, request)
    if engine == "dask":
        distributed = pytest.importorskip("distributed")
        client = request.getfixturevalue("dask_client")
        with distributed.get_task_stream(client) as stream:
            got = aggregate_facts(native, _ENGINE_MAPPING, source="s")
        # The work ran as tasks on the cluster's worker processes, not in this process.
        assert stream.data
        assert {task["worker"] for task in stream.data} <= set(client.scheduler_info()["workers"])
    else:
        got = aggregate_facts(native, _ENGINE_MAPPING, source="s")
    assert got.engine.startswith(engine.split("-")[0])
    pd.testing.assert_frame_equal(
        got.observations, expected.observations, check_dtype=False, rtol=1e-12
    )
    pd.testing.assert_frame_equal(got.quality, expected.quality, check_dtype=False)
    assert got.facts == expected.facts == 3000


@settings(max_examples=15, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(0, 59),  # day offset
            st.sampled_from(["P1", "P2", "P9"]),
            st.floats(-1e6, 1e6, allow_nan=False).map(lambda x: round(x, 2)),
        ),
        min_size=1,
        max_size=60,
    )
)
def test_sums_and_counts_match_a_pandas_groupby(rows: list[tuple[int, str, float]]) -> None:
    facts = pd.DataFrame(rows, columns=["day", "plant", "amount"])
    facts["day"] = pd.Timestamp("2025-01-01") + pd.to_timedelta(facts["day"], unit="D")
    mapping = FactMapping(
        date="day",
        org_unit="plant",
        org_codes={"P1": "a", "P2": "b"},
        rules=[
            {"indicator": "n", "transform": "count"},
            {"indicator": "total", "transform": "sum", "value": "amount"},
        ],
    )
    result = aggregate_facts(facts, mapping)
    known = facts[facts["plant"] != "P9"].assign(
        unit=lambda f: f["plant"].map({"P1": "a", "P2": "b"}),
        period=lambda f: f["day"].dt.strftime("%Y-%m"),
    )
    expected = known.groupby(["unit", "period"])["amount"].agg(["size", "sum"])
    got = result.observations.set_index(["org_unit", "period"])
    n = got[got["indicator"] == "n"]["value"]
    total = got[got["indicator"] == "total"]["value"]
    np.testing.assert_array_equal(n.sort_index().to_numpy(), expected["size"].to_numpy())
    np.testing.assert_allclose(total.sort_index().to_numpy(), expected["sum"].to_numpy())
    # Conservation: every fact is counted once, placed or reported.
    reported = int(result.quality.query("check == 'org-code-unknown'")["rows"].sum())
    assert int(n.sum()) + reported == len(facts)


def test_facts_are_bucketed_on_the_scorecards_fiscal_calendar() -> None:
    # Fiscal years starting in April, named after the year they end in (the calendar's
    # default): 2025-03-31 is the last day of FY2025, 2025-04-01 the first of FY2026-Q1.
    sc = Scorecard(
        id="s",
        calendar="fiscal year starting April",
        review_frequency="quarterly",
        objectives=[Objective(id="o", perspective="customer")],
        indicators=[Indicator(id="n", objective="o", frequency="quarterly")],
        org_chart=OrgChart(units=[OrgUnit(id="x")]),
    )
    facts = pd.DataFrame(
        {"day": pd.to_datetime(["2025-03-31", "2025-04-01", "2025-06-30"]), "u": ["x"] * 3}
    )
    mapping = FactMapping(
        date="day", org_unit="u", reporting_lag=10, rules=[{"indicator": "n", "transform": "count"}]
    )
    obs = aggregate_facts(facts, mapping, scorecard=sc).observations
    assert obs[["period", "value"]].values.tolist() == [["FY2025-Q4", 1.0], ["FY2026-Q1", 2.0]]
    # Known ten days after each fiscal quarter's end (2025-03-31 and 2025-06-30).
    assert obs["as_of"].dt.strftime("%Y-%m-%d").tolist() == ["2025-04-10", "2025-07-10"]
