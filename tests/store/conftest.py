"""Fixtures of the store tests: a store on a fresh SQLite file and on a fresh PostgreSQL
database (one throwaway database per test, dropped afterwards)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from balanced_scorecard.model import Scorecard
from balanced_scorecard.store import Store


def fresh_postgres_database(server_url: str) -> Iterator[str]:
    """Create a uniquely named database on the server, yield its URL, drop it afterwards."""
    name = f"bsc_t_{uuid.uuid4().hex[:16]}"  # our own name: letters, digits, underscores
    admin = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        yield sa.make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """URL of an empty database: a new SQLite file, or a new PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('store') / 'bsc.db'}"
    else:
        yield from fresh_postgres_database(request.getfixturevalue("postgres_server"))


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    with Store.open(db_url) as s:
        yield s


@pytest.fixture
def scorecard() -> Scorecard:
    """Two objectives, three indicators; revenue has a target of 100 (hand-made)."""
    return Scorecard.from_dict(
        {
            "id": "acme",
            "name": "Acme",
            "objectives": [
                {
                    "id": "grow",
                    "perspective": "financial",
                    "indicators": [
                        {
                            "id": "revenue",
                            "unit": "EUR",
                            "thresholds": {"target": 100, "red_flag": 80},
                        },
                        {"id": "margin", "unit": "percent"},
                    ],
                },
                {"id": "quality", "perspective": "internal_process"},
            ],
            "indicators": [{"id": "defects", "objective": "quality", "unit": "count"}],
        }
    )
