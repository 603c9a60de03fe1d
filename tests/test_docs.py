"""The documentation is part of the feature: its examples run and it builds without warnings."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[1] / "docs"


def test_every_documented_example_runs_and_prints_what_the_page_says() -> None:
    done = subprocess.run(
        [sys.executable, str(DOCS / "check_examples.py")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_docs_build_with_warnings_as_errors(tmp_path: Path) -> None:
    if importlib.util.find_spec("sphinx") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("Sphinx must be installed in CI (it is part of the test extra)")
        pytest.skip("Sphinx is not installed")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "sphinx",
            "-W",
            "--keep-going",
            "-q",
            "-b",
            "html",
            str(DOCS),
            str(tmp_path / "html"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert (tmp_path / "html" / "index.html").exists()
