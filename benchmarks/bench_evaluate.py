"""Benchmark: the evaluation core against two pandas implementations of the same maths.

1,000 org units x 30 indicators x 120 monthly periods (3.6 million indicator-periods, 2 %
missing), goal/red-flag scoring, weighted rollups indicator -> objective -> perspective ->
scorecard. Each implementation runs in a fresh subprocess so its peak memory (max RSS) is its
own; the data are generated the same way (same seed) in each, before the clock starts.

    python benchmarks/bench_evaluate.py            # all three, prints a Markdown table
    python benchmarks/bench_evaluate.py --only engine --units 100

Run by ``nox -s benchmarks``. The figures in docs/explanation/performance.md come from here.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

N_IND, N_OBJ, N_PERSP = 30, 12, 4
SEED = 2026


def make_case(n_units: int, n_periods: int) -> tuple[object, pd.DataFrame]:
    """The scorecard and its long observation frame (2 % of rows missing)."""
    import balanced_scorecard as bsc

    rng = np.random.default_rng(SEED)
    persp = [p.id for p in bsc.DEFAULT_PERSPECTIVES]
    objectives = [
        bsc.Objective(id=f"o{k}", perspective=persp[k % N_PERSP], weight=1 + k % 3)
        for k in range(N_OBJ)
    ]
    indicators = []
    for k in range(N_IND):
        lower = k % 5 == 0
        target, red = (80.0, 100.0) if lower else (100.0, 80.0)
        indicators.append(
            bsc.Indicator(
                id=f"i{k}",
                objective=f"o{k % N_OBJ}",
                polarity="lower_better" if lower else "higher_better",
                time_aggregation="mean",
                weight=1 + k % 4,
                thresholds=bsc.Thresholds(target=target, red_flag=red),
            )
        )
    # An enterprise, 9 business units and departments under them: 1,000 units in all.
    units = [bsc.OrgUnit(id="u0")]
    n_bu = min(9, n_units - 1)
    units += [bsc.OrgUnit(id=f"u{k}", parent="u0") for k in range(1, n_bu + 1)]
    units += [
        bsc.OrgUnit(id=f"u{k}", parent=f"u{1 + (k % n_bu)}") for k in range(n_bu + 1, n_units)
    ]
    sc = bsc.Scorecard(
        id="bench",
        objectives=objectives,
        indicators=indicators,
        org_chart=bsc.OrgChart(units=units),
    )
    periods = pd.period_range("2016-01", periods=n_periods, freq="M").astype(str)
    n = n_units * N_IND * n_periods
    frame = pd.DataFrame(
        {
            "indicator": np.tile(np.repeat([f"i{k}" for k in range(N_IND)], n_periods), n_units),
            "org_unit": np.repeat([u.id for u in units], N_IND * n_periods),
            "period": np.tile(np.asarray(periods), n_units * N_IND),
            "value": rng.normal(95, 12, n).round(2),
        }
    )
    keep = rng.random(n) >= 0.02
    return sc, frame.loc[keep].reset_index(drop=True)


def run_engine(sc: object, frame: pd.DataFrame) -> dict[str, float]:
    """The library: validation, alignment, org aggregation, scoring, rollups, trends."""
    import balanced_scorecard as bsc

    engine = bsc.Engine(entry_points=False)
    t0 = time.perf_counter()
    ev = engine.evaluate(sc, frame)  # type: ignore[arg-type]
    t1 = time.perf_counter()
    ev.explain("i3", org_unit="u5")
    ev.exceptions()
    t2 = time.perf_counter()
    return {
        "evaluate_s": t1 - t0,
        "explain_and_exceptions_s": t2 - t1,
        "total_s": t2 - t0,
        "check": float(np.nanmean(ev.total.score)),
    }


def run_engine_frame(sc: object, frame: pd.DataFrame) -> dict[str, float]:
    """The library, then the tidy frame of every node, org unit and period."""
    import balanced_scorecard as bsc

    engine = bsc.Engine(entry_points=False)
    t0 = time.perf_counter()
    ev = engine.evaluate(sc, frame)  # type: ignore[arg-type]
    t1 = time.perf_counter()
    tidy = ev.frame
    t2 = time.perf_counter()
    return {
        "evaluate_s": t1 - t0,
        "frame_s": t2 - t1,
        "frame_rows": float(len(tidy)),
        "total_s": t2 - t0,
        "check": float(np.nanmean(ev.total.score)),
    }


def _tables(sc: object) -> tuple[pd.DataFrame, pd.DataFrame]:
    ind = pd.DataFrame(
        {
            "indicator": [i.id for i in sc.indicators],  # type: ignore[attr-defined]
            "objective": [i.objective for i in sc.indicators],  # type: ignore[attr-defined]
            "w_ind": [i.weight.value for i in sc.indicators],  # type: ignore[attr-defined]
            "goal": [i.thresholds.target for i in sc.indicators],  # type: ignore[attr-defined]
            "red": [i.thresholds.red_flag for i in sc.indicators],  # type: ignore[attr-defined]
        }
    )
    obj = pd.DataFrame(
        {
            "objective": [o.id for o in sc.objectives],  # type: ignore[attr-defined]
            "perspective": [o.perspective for o in sc.objectives],  # type: ignore[attr-defined]
            "w_obj": [o.weight.value for o in sc.objectives],  # type: ignore[attr-defined]
        }
    )
    return ind, obj


def _status(score: pd.Series) -> pd.Series:
    return pd.cut(
        score, [-np.inf, 1 / 3, 2 / 3, np.inf], right=False, labels=["red", "amber", "green"]
    )


def run_pandas_careful(sc: object, frame: pd.DataFrame) -> dict[str, float]:
    """Vectorised columns and groupby-sums of weight x score over weight."""
    ind, obj = _tables(sc)
    t0 = time.perf_counter()
    df = frame.merge(ind, on="indicator", how="left")
    s = 1 / 3 + (df["value"] - df["red"]) / (df["goal"] - df["red"]) / 3
    df["score"] = s.clip(0, 1)
    df["status"] = _status(df["score"])
    df["ws"] = df["w_ind"] * df["score"]
    keys = ["org_unit", "period", "objective"]
    o = df.groupby(keys, observed=True)[["ws", "w_ind"]].sum().reset_index()
    o["score"] = o["ws"] / o["w_ind"]
    o = o.merge(obj, on="objective")
    o["ws"] = o["w_obj"] * o["score"]
    p = o.groupby(["org_unit", "period", "perspective"], observed=True)[["ws", "w_obj"]].sum()
    p = p.reset_index()
    p["score"] = p["ws"] / p["w_obj"]
    total = p.groupby(["org_unit", "period"], observed=True)["score"].mean()
    for level in (o, p):
        level["status"] = _status(level["score"])
    t1 = time.perf_counter()
    return {"evaluate_s": t1 - t0, "total_s": t1 - t0, "check": float(total.mean())}


def run_pandas_naive(sc: object, frame: pd.DataFrame) -> dict[str, float]:
    """What a notebook user writes first: groupby(...).apply with a function per group."""
    ind, obj = _tables(sc)
    goal = dict(zip(ind["indicator"], ind["goal"], strict=True))
    red = dict(zip(ind["indicator"], ind["red"], strict=True))
    w_ind = dict(zip(ind["indicator"], ind["w_ind"], strict=True))
    parent = dict(zip(ind["indicator"], ind["objective"], strict=True))
    persp = dict(zip(obj["objective"], obj["perspective"], strict=True))
    w_obj = dict(zip(obj["objective"], obj["w_obj"], strict=True))
    t0 = time.perf_counter()

    def score_group(g: pd.DataFrame) -> pd.DataFrame:
        i = g.name
        s = (1 / 3 + (g["value"] - red[i]) / (goal[i] - red[i]) / 3).clip(0, 1)
        return g.assign(score=s, status=_status(s), objective=parent[i], w=w_ind[i])

    df = frame.groupby("indicator", group_keys=False).apply(score_group, include_groups=False)
    df["indicator"] = frame["indicator"]

    def wmean(g: pd.DataFrame) -> float:
        return float(np.average(g["score"], weights=g["w"]))

    o = df.groupby(["org_unit", "period", "objective"]).apply(wmean, include_groups=False)
    o = o.rename("score").reset_index()
    o["perspective"] = o["objective"].map(persp)
    o["w"] = o["objective"].map(w_obj)
    p = o.groupby(["org_unit", "period", "perspective"]).apply(wmean, include_groups=False)
    total = p.groupby(level=[0, 1]).mean()
    t1 = time.perf_counter()
    return {"evaluate_s": t1 - t0, "total_s": t1 - t0, "check": float(total.mean())}


RUNNERS = {
    "engine": run_engine,
    "engine_frame": run_engine_frame,
    "pandas_careful": run_pandas_careful,
    "pandas_naive": run_pandas_naive,
}


def _child(name: str, n_units: int, n_periods: int) -> None:
    sc, frame = make_case(n_units, n_periods)
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    out = RUNNERS[name](sc, frame)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    out.update(
        rows=float(len(frame)),
        peak_rss_mb=peak / 1024,
        peak_over_inputs_mb=(peak - base) / 1024,
    )
    print(json.dumps(out))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--units", type=int, default=1000)
    ap.add_argument("--periods", type=int, default=120)
    ap.add_argument("--only", choices=sorted(RUNNERS), action="append")
    ap.add_argument("--child", choices=sorted(RUNNERS), help=argparse.SUPPRESS)
    ap.add_argument("--output", default="benchmarks/results/evaluate.json")
    ap.add_argument(
        "--repeat", type=int, default=3, help="runs per implementation; the median is reported"
    )
    args = ap.parse_args()
    if args.child:
        _child(args.child, args.units, args.periods)
        return
    results = {}
    for name in args.only or ["engine", "engine_frame", "pandas_careful", "pandas_naive"]:
        runs = []
        # The naive version takes minutes; one run of it says enough.
        for _ in range(1 if name == "pandas_naive" else args.repeat):
            proc = subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--child",
                    name,
                    "--units",
                    str(args.units),
                    "--periods",
                    str(args.periods),
                ],
                capture_output=True,
                text=True,
                check=True,
                env={**os.environ, "PYTHONHASHSEED": "0"},
            )
            runs.append(json.loads(proc.stdout.strip().splitlines()[-1]))
            print(f"{name}: {runs[-1]}", file=sys.stderr)
        # Median run by total time; memory is the largest seen.
        runs.sort(key=lambda r: r["total_s"])
        results[name] = {
            **runs[len(runs) // 2],
            "runs": [r["total_s"] for r in runs],
            "peak_rss_mb": max(r["peak_rss_mb"] for r in runs),
            "peak_over_inputs_mb": max(r["peak_over_inputs_mb"] for r in runs),
        }
    machine = (
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, numpy {np.__version__}, "
        f"pandas {pd.__version__}"
    )
    print(f"\n{args.units} org units x {N_IND} indicators x {args.periods} periods; {machine}\n")
    print("| implementation | wall time (s) | peak RSS (MB) | RSS added by the run (MB) |")
    print("| --- | ---: | ---: | ---: |")
    for name, r in results.items():
        print(
            f"| {name} | {r['total_s']:.2f} | {r['peak_rss_mb']:.0f} | "
            f"{r['peak_over_inputs_mb']:.0f} |"
        )
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    Path(args.output).write_text(
        json.dumps(
            {"machine": machine, "units": args.units, "periods": args.periods, "results": results},
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
