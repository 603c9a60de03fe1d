"""Automation: tests, lint, typecheck, docs, examples, benchmarks (``nox -s NAME``)."""

from __future__ import annotations

import nox

nox.options.default_venv_backend = "venv"
nox.options.sessions = ["tests", "lint", "typecheck", "docs", "examples"]
PYTHON = "3.11"


@nox.session(python=PYTHON)
def tests(session: nox.Session) -> None:
    """The whole test suite, with the plugin template installed so discovery is tested."""
    session.install("-e", ".[test]", "-e", "examples/plugin-template")
    session.run("python", "-m", "pytest", *session.posargs)


@nox.session(python=PYTHON)
def lint(session: nox.Session) -> None:
    """ruff check and ruff format --check."""
    session.install("ruff>=0.8")
    session.run("ruff", "check", "src", "tests", "benchmarks", "examples", "noxfile.py")
    session.run("ruff", "format", "--check", "src", "tests", "benchmarks", "examples", "noxfile.py")


@nox.session(python=PYTHON)
def typecheck(session: nox.Session) -> None:
    """mypy --strict on the package."""
    session.install("-e", ".[dev]")
    session.run("mypy", "src/balanced_scorecard")


@nox.session(python=PYTHON)
def docs(session: nox.Session) -> None:
    """Build the docs with warnings as errors."""
    session.install("-e", ".[docs]")
    session.run("python", "docs/check_examples.py")
    session.run(
        "python", "-m", "sphinx", "-W", "--keep-going", "-b", "html", "docs", "docs/_build/html"
    )


@nox.session(python=PYTHON)
def examples(session: nox.Session) -> None:
    """Run every example: the Acme evaluation and the plugin template's tests."""
    session.install("-e", ".[test]", "-e", "examples/plugin-template")
    session.run("python", "examples/acme/check_files.py")
    session.run("bsc", "evaluate", "examples/acme/acme.yaml", "--output", "acme-report.html")
    session.run("python", "examples/quickstart.py")
    session.run(
        "python", "-m", "pytest", "examples/plugin-template/tests", "-p", "no:cacheprovider"
    )


@nox.session(python=PYTHON)
def benchmarks(session: nox.Session) -> None:
    """Time the core against two pandas implementations, and raw facts pushed down to
    SQLite against loaded into pandas (figures go into docs/)."""
    session.install("-e", ".[duckdb]")
    session.run("python", "benchmarks/bench_evaluate.py", *session.posargs)
    session.run("python", "benchmarks/bench_facts.py")
    session.run("python", "benchmarks/bench_spc.py")
    session.run("python", "benchmarks/bench_intelligence.py")
    session.run("python", "benchmarks/bench_dashboard.py")
    session.run("python", "benchmarks/bench_store.py")
