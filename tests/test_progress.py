"""Progress on long work: the engine's callback and the CLI's terminal bar."""

from __future__ import annotations

import io

import pandas as pd

from balanced_scorecard import Engine
from balanced_scorecard.cli import _Progress
from balanced_scorecard.results import _demo


def test_the_engine_reports_each_step() -> None:
    calls: list[tuple[str, int, int]] = []
    engine = Engine(entry_points=False, progress=lambda *a: calls.append(a))
    obs = pd.DataFrame(
        {"indicator": "revenue", "org_unit": "all", "period": ["2025-01"], "value": [1.0]}
    )
    engine.evaluate(_demo().scorecard, [obs, obs.assign(period="2025-02")])
    # One tick per source before it is read, one when all are read, then scoring.
    assert calls == [
        ("reading frame[0]", 0, 2),
        ("reading frame[1]", 1, 2),
        ("reading sources", 2, 2),
        ("scoring", 0, 1),
        ("scoring", 1, 1),
    ]


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_bar_draws_on_a_terminal_and_stays_silent_elsewhere() -> None:
    tty = _Terminal()
    bar = _Progress(tty)
    bar("reading erp", 1, 4)
    bar.close()
    text = tty.getvalue()
    assert "[######------------------] reading erp" in text
    assert "1/4" in text
    assert text.endswith("\r")  # the line is cleared at the end
    piped = io.StringIO()
    quiet = _Progress(piped)
    quiet("reading erp", 1, 4)
    quiet.close()
    assert piped.getvalue() == ""
