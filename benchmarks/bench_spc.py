"""Benchmark: control limits and run rules over 10,000 indicator series of 120 points each.

For every series, phase I individuals (I-MR) limits (mean, sigma = mean moving range / d2) and
all eight Nelson rules, in one vectorised pass over the (series, point) panel with
:func:`~balanced_scorecard.analytics.spc.imr_limits` and
:func:`~balanced_scorecard.analytics.spc.run_rules`. The issue's bar is under 2 s.

    python benchmarks/bench_spc.py                       # 10,000 x 120, best of 5
    python benchmarks/bench_spc.py --series 100000 --repeat 3
"""

from __future__ import annotations

import argparse
import platform
import time

import numpy as np

from balanced_scorecard.analytics.spc import imr_limits, run_rules

SEED = 2026


def run(series: int, points: int) -> tuple[float, int]:
    """Seconds for limits plus all Nelson rules, and the number of flagged points."""
    rng = np.random.default_rng(SEED)
    values = rng.normal(100.0, 5.0, size=(series, points))
    values[::50, 60:] += 15.0  # a sustained shift in every 50th series
    start = time.perf_counter()
    center, sigma = imr_limits(values)
    flags = run_rules(values, center[:, None], sigma[:, None], rules="nelson")
    elapsed = time.perf_counter() - start
    return elapsed, int(flags.any(axis=-1).sum())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", type=int, default=10_000)
    parser.add_argument("--points", type=int, default=120)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    run(10, args.points)  # warm up: constants and imports
    times = []
    for _ in range(args.repeat):
        elapsed, flagged = run(args.series, args.points)
        times.append(elapsed)
    best = min(times)
    print(
        f"spc: {args.series:,} series x {args.points} points, I-MR limits + 8 Nelson rules: "
        f"best {best:.3f} s, median {float(np.median(times)):.3f} s of {args.repeat} "
        f"({flagged:,} flagged points; numpy {np.__version__}, {platform.machine()})"
    )
    if best >= 2.0:
        raise SystemExit(f"too slow: {best:.3f} s, the bar is 2 s")


if __name__ == "__main__":
    main()
