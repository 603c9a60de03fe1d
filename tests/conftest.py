"""Fixtures shared across the suite."""

from __future__ import annotations

import os

import pytest
from hypothesis import settings

# Speed is measured in benchmarks, never in tests: no per-example deadline, so a loaded CI
# machine cannot fail a property test for being slow.
settings.register_profile("bsc", deadline=None)
settings.load_profile("bsc")


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


@pytest.fixture(scope="session")
def chromium_executable() -> str:
    """Path of the system Chromium the browser tests drive through Playwright (``.ci/run``
    installs the distribution package and exports ``BSC_CHROMIUM``; no browser is ever
    downloaded). Under ``CI=true`` its absence is a failure, elsewhere the test is skipped."""
    import shutil

    path = (
        os.environ.get("BSC_CHROMIUM")
        or shutil.which("chromium")
        or shutil.which("chromium-browser")
    )
    if not path:
        if os.environ.get("CI") == "true":
            pytest.fail("CI must provide Chromium: .ci/run installs it (BSC_CHROMIUM)")
        pytest.skip("no system Chromium (apt-get install chromium, or run .ci/run)")
    return path
