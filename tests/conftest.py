"""Fixtures shared across the suite."""

from __future__ import annotations

import os

import pytest


@pytest.fixture(scope="session")
def postgres_server() -> str:
    """URL of a real PostgreSQL server (``.ci/run`` starts one and exports it); under
    ``CI=true`` its absence is a failure, elsewhere the test is skipped."""
    url = os.environ.get("BSC_TEST_POSTGRES_URL")
    if not url:
        if os.environ.get("CI") == "true":
            pytest.fail("CI must provide PostgreSQL: .ci/run starts one (BSC_TEST_POSTGRES_URL)")
        pytest.skip("no PostgreSQL server (set BSC_TEST_POSTGRES_URL, or run .ci/run)")
    return url
