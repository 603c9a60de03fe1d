"""Benchmark: 10 million raw fact rows to monthly indicators, pushed down versus loaded.

Order lines (3 years, 50 plants, 100,000 customers, 10 % void) in a SQLite file are mapped
to four monthly indicators per plant: deliveries (count), on-time rate (ratio of counts),
revenue (sum) and active customers (distinct count), with a filter and a code table.

- ``pushed``: ``SqlSource.load_facts`` runs the mapping as SQL inside SQLite (one GROUP BY
  joined with a calendar table); only 1,800 rows come back.
- ``loaded``: the same source with ``push_down: false``: every fact row is fetched into
  pandas, then aggregated there with the same mapping.
- ``duckdb_parquet``: the same facts as a Parquet file, aggregated by DuckDB through the
  narwhals layer (the route for files larger than memory).
- ``pushed_postgres`` (when ``BSC_BENCH_POSTGRES_URL`` names a server): the same facts
  copied once into a PostgreSQL table, aggregated there.

Each runs in a fresh subprocess, so its peak memory (max RSS) is its own. The data are
generated once (same seed) into ``benchmarks/.cache/`` and reused.

    python benchmarks/bench_facts.py                 # 10 M rows, all three
    python benchmarks/bench_facts.py --rows 1000000 --only pushed

Run by ``nox -s benchmarks``; the figures in docs/explanation/performance.md come from here.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

SEED = 2026
CACHE = Path(__file__).parent / ".cache"
N_PLANTS = 50
CHUNK = 1_000_000


def mapping() -> object:
    """The fact mapping all three runners use."""
    from balanced_scorecard.model.mappings import FactMapping

    return FactMapping(
        date="shipped",
        org_unit="plant",
        org_codes={f"P{k:03d}": f"plant-{k}" for k in range(N_PLANTS)},
        where={"status": {"ne": "void"}},
        rules=[
            {"indicator": "deliveries", "transform": "count"},
            {"indicator": "on_time", "transform": "ratio", "numerator": {"late": 0}},
            {"indicator": "revenue", "transform": "sum", "value": "amount"},
            {"indicator": "customers", "transform": "distinct", "value": "customer"},
        ],
    )


def _chunk(rng: np.random.Generator, n: int) -> pd.DataFrame:
    seconds = rng.integers(0, 3 * 365 * 86_400, n)
    shipped = np.datetime64("2023-01-01T00:00:00") + seconds.astype("timedelta64[s]")
    return pd.DataFrame(
        {
            "shipped": np.datetime_as_string(shipped, unit="s"),
            "plant": np.char.add("P", np.char.zfill(rng.integers(0, N_PLANTS, n).astype(str), 3)),
            "late": (rng.random(n) < 0.15).astype(np.int64),
            "amount": np.round(rng.gamma(2.0, 60.0, n), 2),
            "customer": np.char.add("C", rng.integers(0, 100_000, n).astype(str)),
            "status": np.where(rng.random(n) < 0.1, "void", "ok"),
        }
    )


def data_files(rows: int) -> tuple[Path, Path]:
    """The SQLite and Parquet files with ``rows`` fact rows (made once, then reused)."""
    CACHE.mkdir(exist_ok=True)
    db, parquet = CACHE / f"facts_{rows}.db", CACHE / f"facts_{rows}.parquet"
    if db.exists() and parquet.exists():
        return db, parquet
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = np.random.default_rng(SEED)
    db.unlink(missing_ok=True)
    writer = None
    with sqlite3.connect(db) as conn:
        conn.execute(
            "create table order_lines (shipped text, plant text, late integer, amount real, "
            "customer text, status text)"
        )
        for start in range(0, rows, CHUNK):
            part = _chunk(rng, min(CHUNK, rows - start))
            conn.executemany(
                "insert into order_lines values (?, ?, ?, ?, ?, ?)",
                part.itertuples(index=False, name=None),
            )
            table = pa.Table.from_pandas(
                part.assign(shipped=pd.to_datetime(part["shipped"])), preserve_index=False
            )
            writer = writer or pq.ParquetWriter(parquet, table.schema)
            writer.write_table(table)
    if writer is not None:
        writer.close()
    return db, parquet


def run_pushed(db: Path, parquet: Path) -> object:
    from balanced_scorecard.builtins.sql import SqlSource

    return SqlSource().load_facts(f"sqlite:///{db}", mapping=mapping(), table="order_lines")


def run_loaded(db: Path, parquet: Path) -> object:
    from balanced_scorecard.builtins.sql import SqlSource

    return SqlSource().load_facts(
        f"sqlite:///{db}", mapping=mapping(), table="order_lines", push_down=False
    )


def run_duckdb_parquet(db: Path, parquet: Path) -> object:
    from balanced_scorecard.builtins.parquet import ParquetSource
    from balanced_scorecard.data.raw_facts import aggregate_facts

    return aggregate_facts(ParquetSource().load_native(parquet), mapping())


def run_pushed_postgres(db: Path, parquet: Path) -> object:
    from balanced_scorecard.builtins.sql import SqlSource

    return SqlSource().load_facts(
        os.environ["BSC_BENCH_POSTGRES_URL"], mapping=mapping(), table="bsc_bench_facts"
    )


def postgres_table(url: str, parquet: Path, rows: int) -> None:
    """Copy the facts into table ``bsc_bench_facts`` of a PostgreSQL server (once)."""
    import io

    import pyarrow.parquet as pq
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    with engine.begin() as conn:
        have = conn.execute(
            sa.text("select count(*) from pg_tables where tablename = 'bsc_bench_facts'")
        ).scalar()
        if have and conn.execute(sa.text("select count(*) from bsc_bench_facts")).scalar() == rows:
            return
        conn.execute(sa.text("drop table if exists bsc_bench_facts"))
        conn.execute(
            sa.text(
                "create table bsc_bench_facts (shipped timestamp, plant text, late integer, "
                "amount double precision, customer text, status text)"
            )
        )
        cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        for batch in pq.ParquetFile(parquet).iter_batches(batch_size=CHUNK):
            buffer = io.StringIO()
            batch.to_pandas().to_csv(buffer, index=False, header=False)
            with cursor.copy("copy bsc_bench_facts from stdin with (format csv)") as copy:
                copy.write(buffer.getvalue())
        conn.execute(sa.text("analyze bsc_bench_facts"))
    engine.dispose()


RUNNERS = {
    "pushed": run_pushed,
    "loaded": run_loaded,
    "duckdb_parquet": run_duckdb_parquet,
    "pushed_postgres": run_pushed_postgres,
}


def _peak_mb() -> float:
    """This process's peak resident memory in MB. Linux keeps ``ru_maxrss`` across
    ``exec``, so a child would inherit its parent's peak; ``VmHWM`` starts afresh."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _child(name: str, rows: int) -> None:
    db, parquet = data_files(rows)
    import duckdb  # noqa: F401
    import sqlalchemy  # noqa: F401

    import balanced_scorecard  # noqa: F401  (imports are not part of the timing)

    base = _peak_mb()
    start = time.perf_counter()
    result = RUNNERS[name](db, parquet)
    total = time.perf_counter() - start
    peak = _peak_mb()
    obs = result.observations  # type: ignore[attr-defined]
    print(
        json.dumps(
            {
                "total_s": total,
                "facts": result.facts,  # type: ignore[attr-defined]
                "values": len(obs),
                "deliveries": float(obs.loc[obs["indicator"] == "deliveries", "value"].sum()),
                "peak_rss_mb": peak,
                "peak_over_start_mb": peak - base,
            }
        )
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=10_000_000)
    ap.add_argument("--only", choices=sorted(RUNNERS), action="append")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--child", choices=sorted(RUNNERS), help=argparse.SUPPRESS)
    ap.add_argument("--output", default="benchmarks/results/facts.json")
    args = ap.parse_args()
    if args.child:
        _child(args.child, args.rows)
        return
    _, parquet = data_files(args.rows)
    names = args.only or [n for n in RUNNERS if n != "pushed_postgres"]
    if os.environ.get("BSC_BENCH_POSTGRES_URL"):
        postgres_table(os.environ["BSC_BENCH_POSTGRES_URL"], parquet, args.rows)
        names = [*names, "pushed_postgres"] if "pushed_postgres" not in names else names
    results = {}
    for name in names:
        runs = []
        # Loading ten million rows into pandas takes minutes; one run of it says enough.
        for _ in range(1 if name == "loaded" else args.repeat):
            proc = subprocess.run(
                [sys.executable, __file__, "--child", name, "--rows", str(args.rows)],
                capture_output=True,
                text=True,
                check=True,
            )
            runs.append(json.loads(proc.stdout.strip().splitlines()[-1]))
            print(f"{name}: {runs[-1]}", file=sys.stderr)
        runs.sort(key=lambda r: r["total_s"])
        results[name] = {
            **runs[len(runs) // 2],
            "runs": [r["total_s"] for r in runs],
            "peak_rss_mb": max(r["peak_rss_mb"] for r in runs),
        }
    # Same facts, same mapping: every route must count the same deliveries.
    counted = {r["deliveries"] for r in results.values()}
    assert len(counted) == 1, f"the routes disagree: {results}"
    machine = (
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, pandas {pd.__version__}, "
        f"SQLite {sqlite3.sqlite_version}"
    )
    print(f"\n{args.rows:,} fact rows -> monthly indicators; {machine}\n")
    print("| route | wall time (s) | peak RSS (MB) | RSS added by the run (MB) |")
    print("| --- | ---: | ---: | ---: |")
    for name, r in results.items():
        print(
            f"| {name} | {r['total_s']:.2f} | {r['peak_rss_mb']:.0f} | "
            f"{r['peak_over_start_mb']:.0f} |"
        )
    out = Path(args.output)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(
        json.dumps({"machine": machine, "rows": args.rows, "results": results}, indent=2)
    )


if __name__ == "__main__":
    main()
