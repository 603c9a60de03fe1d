"""Raw facts aggregated inside the database (builtins/sql_facts.py, SqlSource.load_facts).

The reference for every push-down result is the in-memory aggregation of the same facts
(tests/data/test_raw_facts.py checks that one against hand-worked values); the time-zone
cases are hand-worked here. SQLite runs from files the tests write; PostgreSQL is a real
server (``.ci/run`` starts one; under CI=true these tests must run).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from balanced_scorecard import Engine
from balanced_scorecard.builtins.sql import SqlSource
from balanced_scorecard.data.raw_facts import aggregate_facts
from balanced_scorecard.exceptions import ObservationError
from balanced_scorecard.model import DataSource, Indicator, Objective, OrgChart, OrgUnit, Scorecard
from balanced_scorecard.model.mappings import FactMapping

RULES = [
    {"indicator": "deliveries", "transform": "count"},
    {"indicator": "on_time", "transform": "ratio", "numerator": {"late": 0}},
    {"indicator": "revenue", "transform": "sum", "value": "amount"},
    {"indicator": "avg_order", "transform": "mean", "value": "amount"},
    {"indicator": "biggest", "transform": "max", "value": "amount", "where": {"late": 1}},
    {"indicator": "smallest", "transform": "min", "value": "amount"},
    {"indicator": "customers", "transform": "distinct", "value": "customer"},
]
MAPPING = FactMapping(
    date="shipped",
    org_unit="plant",
    org_codes={"P1": "north", "P2": "south"},
    where={"status": {"ne": "void"}},
    rules=RULES,
)


def _facts(n: int = 1500, seed: int = 5) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    days = pd.Timestamp("2025-01-01") + pd.to_timedelta(rng.integers(0, 120 * 24, n), unit="h")
    facts = pd.DataFrame(
        {
            "shipped": days.strftime("%Y-%m-%d %H:%M:%S"),
            "plant": rng.choice(np.array(["P1", "P2", "P7", None], dtype=object), n),
            "late": (rng.random(n) < 0.25).astype(int),
            "amount": np.where(rng.random(n) < 0.05, np.nan, np.round(rng.random(n) * 1000, 2)),
            "customer": rng.choice([f"c{k}" for k in range(30)], n),
            "status": rng.choice(["ok", "void"], n, p=[0.9, 0.1]),
        }
    )
    facts.loc[3, "shipped"] = "03/02/2025"  # unreadable: reported, not guessed
    return facts


@pytest.fixture
def sqlite_facts(tmp_path: Path) -> tuple[str, pd.DataFrame]:
    facts = _facts()
    path = tmp_path / "facts.db"
    with sqlite3.connect(path) as db:
        facts.to_sql("order_lines", db, index=False)
    return f"sqlite:///{path}", facts


def test_sqlite_push_down_equals_the_in_memory_aggregation(
    sqlite_facts: tuple[str, pd.DataFrame],
) -> None:
    url, facts = sqlite_facts
    pushed = SqlSource().load_facts(url, mapping=MAPPING, table="order_lines", source="s")
    memory = aggregate_facts(facts, MAPPING, source="s")
    assert pushed.engine == "sql (sqlite)"
    pd.testing.assert_frame_equal(pushed.observations, memory.observations, check_dtype=False)
    pd.testing.assert_frame_equal(pushed.quality, memory.quality, check_dtype=False)
    assert pushed.facts == len(facts)
    checks = set(pushed.quality["check"])
    assert {"date-unreadable", "org-code-unknown", "org-code-missing", "filtered"} <= checks


def test_query_with_bound_parameters_and_the_in_memory_switch(
    sqlite_facts: tuple[str, pd.DataFrame],
) -> None:
    url, facts = sqlite_facts
    query = "select * from order_lines where amount > :least"
    pushed = SqlSource().load_facts(
        url, mapping=MAPPING, query=query, params={"least": 500}, source="s"
    )
    loaded = SqlSource().load_facts(
        url, mapping=MAPPING, query=query, params={"least": 500}, push_down=False, source="s"
    )
    expected = aggregate_facts(facts[facts["amount"] > 500], MAPPING, source="s")
    for got in (pushed, loaded):
        pd.testing.assert_frame_equal(got.observations, expected.observations, check_dtype=False)


def test_hostile_values_stay_data(sqlite_facts: tuple[str, pd.DataFrame]) -> None:
    url, _ = sqlite_facts
    hostile = FactMapping(
        date="shipped",
        org_unit="plant",
        where={"status": "ok'; drop table order_lines; --"},
        rules=[{"indicator": "n", "transform": "count"}],
    )
    result = SqlSource().load_facts(url, mapping=hostile, table="order_lines")
    assert result.observations.empty  # no status equals that text
    assert result.quality.query("check == 'filtered'")["rows"].tolist() == [1500]
    assert SqlSource().load_facts(url, mapping=MAPPING, table="order_lines").facts == 1500


def test_sqlite_cannot_apply_time_zones(sqlite_facts: tuple[str, pd.DataFrame]) -> None:
    url, _ = sqlite_facts
    zoned = FactMapping(date="shipped", org_unit="plant", timezone="Europe/Berlin", rules=RULES[:1])
    with pytest.raises(ObservationError, match="push_down: false"):
        SqlSource().load_facts(url, mapping=zoned, table="order_lines")


def test_bad_table_name_and_renames_are_refused(sqlite_facts: tuple[str, pd.DataFrame]) -> None:
    url, _ = sqlite_facts
    with pytest.raises(ObservationError, match="not a table name"):
        SqlSource().load_facts(url, mapping=MAPPING, table="x; drop table y")
    with pytest.raises(ObservationError, match="name the source's own columns"):
        SqlSource().load_facts(url, mapping=MAPPING, table="order_lines", columns={"a": "b"})


def test_a_definition_source_with_a_mapping_is_evaluated(
    sqlite_facts: tuple[str, pd.DataFrame],
) -> None:
    url, facts = sqlite_facts
    sc = Scorecard(
        id="ops",
        objectives=[Objective(id="deliver", perspective="internal_process")],
        indicators=[
            Indicator(id="deliveries", objective="deliver", time_aggregation="sum"),
            Indicator(id="revenue", objective="deliver", unit="EUR", time_aggregation="sum"),
        ],
        org_chart=OrgChart(
            units=[
                OrgUnit(id="all"),
                OrgUnit(id="north", parent="all"),
                OrgUnit(id="south", parent="all"),
            ]
        ),
        sources=[
            DataSource(
                id="erp",
                uri=url,
                options={"table": "order_lines"},
                mapping={
                    "date": "shipped",
                    "org_unit": "plant",
                    "org_codes": {"P1": "north", "P2": "south"},
                    "rules": RULES[:1] + RULES[2:3],
                },
            )
        ],
    )
    ev = Engine().evaluate(sc, period="2025-02", start="2025-02")
    frame = ev.frame.set_index(["node", "org_unit"])
    kept = facts[facts["plant"].isin(["P1", "P2"]) & facts["shipped"].str.startswith("2025-02")]
    assert frame.loc[("deliveries", "all"), "actual"] == len(kept)
    assert frame.loc[("revenue", "all"), "actual"] == pytest.approx(kept["amount"].sum())
    # The facts the mapping could not place are in the evaluation's quality report.
    unknown = ev.quality[ev.quality["rule"] == "org-code-unknown"]
    assert unknown["source"].tolist() == ["erp"]
    assert "'P7'" in unknown["message"].iloc[0]


# -- PostgreSQL -------------------------------------------------------------------------------


@pytest.fixture
def postgres_facts(postgres_server: str):  # type: ignore[no-untyped-def]
    import sqlalchemy as sa

    facts = _facts()
    facts = facts.drop(index=3)  # PostgreSQL refuses an unreadable timestamp at load time
    engine = sa.create_engine(postgres_server)
    with engine.begin() as conn:
        conn.execute(sa.text("drop table if exists bsc_order_lines"))
        conn.execute(
            sa.text(
                "create table bsc_order_lines (shipped timestamp, shipped_at timestamptz, "
                "plant text, late integer, amount double precision, customer text, status text)"
            )
        )
        rows = facts.assign(shipped_at=facts["shipped"] + "+00")
        rows = rows.astype(object).where(rows.notna(), None)
        conn.execute(
            sa.text(
                "insert into bsc_order_lines values (cast(:shipped as timestamp), "
                "cast(:shipped_at as timestamptz), :plant, :late, :amount, :customer, :status)"
            ),
            rows.to_dict("records"),
        )
    yield postgres_server, facts
    with engine.begin() as conn:
        conn.execute(sa.text("drop table bsc_order_lines"))
    engine.dispose()


def test_postgresql_push_down_equals_the_in_memory_aggregation(postgres_facts) -> None:  # type: ignore[no-untyped-def]
    url, facts = postgres_facts
    pushed = SqlSource().load_facts(url, mapping=MAPPING, table="bsc_order_lines", source="s")
    memory = aggregate_facts(facts, MAPPING, source="s")
    assert pushed.engine == "sql (postgresql)"
    pd.testing.assert_frame_equal(pushed.observations, memory.observations, check_dtype=False)
    pd.testing.assert_frame_equal(pushed.quality, memory.quality, check_dtype=False)


def test_postgresql_applies_time_zones_in_the_database(postgres_facts) -> None:  # type: ignore[no-untyped-def]
    url, facts = postgres_facts
    instants = facts.assign(shipped=pd.to_datetime(facts["shipped"]).dt.tz_localize("UTC"))
    aware = FactMapping(
        date="shipped_at",
        org_unit="plant",
        org_codes={"P1": "north", "P2": "south"},
        timezone="Asia/Tokyo",
        rules=RULES,
    )
    pushed = SqlSource().load_facts(url, mapping=aware, table="bsc_order_lines")
    memory = aggregate_facts(instants.rename(columns={"shipped": "shipped_at"}), aware)
    pd.testing.assert_frame_equal(pushed.observations, memory.observations, check_dtype=False)
    # Naive wall-clock times in UTC read with source_timezone give the same months.
    naive = FactMapping(
        date="shipped",
        org_unit="plant",
        org_codes={"P1": "north", "P2": "south"},
        timezone="Asia/Tokyo",
        source_timezone="UTC",
        rules=RULES,
    )
    again = SqlSource().load_facts(url, mapping=naive, table="bsc_order_lines")
    pd.testing.assert_frame_equal(
        again.observations.drop(columns="source"),
        pushed.observations.drop(columns="source"),
        check_dtype=False,
    )
    # Hand-worked: 2025-01-31 15:00 UTC is 2025-02-01 00:00 in Tokyo, so Tokyo's January
    # has fewer facts than UTC's.
    utc_jan = (pd.to_datetime(facts["shipped"]) < "2025-02-01").sum()
    tokyo_jan = (pd.to_datetime(facts["shipped"]) < "2025-01-31 15:00").sum()
    assert tokyo_jan < utc_jan
