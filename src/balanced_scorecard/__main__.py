"""``python -m balanced_scorecard``: the ``bsc`` command line."""

from __future__ import annotations

from balanced_scorecard.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
