"""Benchmark: the store with a million observations and ten thousand audit records.

On a SQLite file in a temporary directory (or ``--url`` for PostgreSQL):

* save a snapshot of 1,000,000 observations (one write, with its audit record) and load it
  back, checking the values round-trip exactly;
* append 10,000 audit records, each in its own committed transaction (what a busy year of
  comments, overrides and approvals writes);
* verify the whole hash chain.

    python benchmarks/bench_store.py
    python benchmarks/bench_store.py --rows 100000 --records 1000
    python benchmarks/bench_store.py --url postgresql+psycopg://user@host/db
"""

from __future__ import annotations

import argparse
import platform
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import sqlalchemy as sa

from balanced_scorecard.store import Store

SEED = 2026


def observations(rows: int) -> pd.DataFrame:
    rng = np.random.default_rng(SEED)
    units = np.array([f"unit{k}" for k in range(100)], dtype=object)
    indicators = np.array([f"ind{k}" for k in range(100)], dtype=object)
    periods = pd.period_range("2016-01", periods=120, freq="M").astype(str).to_numpy()
    return pd.DataFrame(
        {
            "indicator": indicators[rng.integers(0, 100, rows)],
            "org_unit": units[rng.integers(0, 100, rows)],
            "period": periods[rng.integers(0, 120, rows)],
            "value": rng.normal(100.0, 15.0, rows),
        }
    )


def timed(label: str, func, *args, **kwargs):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    out = func(*args, **kwargs)
    print(f"  {label:<44} {time.perf_counter() - start:7.2f} s")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--url", help="a store URL (default: a new SQLite file)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.url or f"sqlite:///{Path(tmp) / 'bench.db'}"
        print(
            f"store: {args.rows:,} observations, {args.records:,} audit records on "
            f"{sa.make_url(url).get_backend_name()} (SQLAlchemy {sa.__version__}, "
            f"{platform.machine()})"
        )
        frame = observations(args.rows)
        with Store.open(url) as store:
            timed(
                f"save a snapshot of {args.rows:,} observations",
                store.save_snapshot,
                "bench",
                "2025-12",
                frame,
                author="bench",
            )
            back = timed("load it back", store.load_snapshot, "bench", "2025-12")
            if not back.equals(frame):
                raise SystemExit("the snapshot did not round-trip exactly")

            def append_all() -> None:
                for k in range(args.records):  # one committed write each, as users make them
                    store.append_audit(
                        actor="bench", action="note.added", subject=f"bench/{k}", details={}
                    )

            timed(f"append {args.records:,} audit records", append_all)
            result = timed("verify the hash chain", store.verify_audit)
            print(f"  {result.message}")
            if not result.ok:
                raise SystemExit("the audit chain did not verify")


if __name__ == "__main__":
    main()
