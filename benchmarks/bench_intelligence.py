"""Benchmark: design checks and link evidence on a large strategy map.

A generated map of 2,000 objectives (500 per perspective) and 10,000 indicators (five per
objective) with 120 monthly periods each, one org unit; 3,000 causal links between objectives
and indicators, each one step up the perspectives with a lag of 0-3. Timed separately:

* the evaluation itself (for scale; it is benchmarked on its own in bench_evaluate.py);
* every design check of ``bsc check`` (``Scorecard.check``: structure, cascade alignment and
  target conflicts, ownership, balance);
* the evidence for every link (``Evaluation.link_evidence``: lagged correlations and a
  Granger F test per link);
* significance tiers for the focus period and one root-cause walk from a top objective.

The issue's bar: checks and link evidence within 30 s.

    python benchmarks/bench_intelligence.py
    python benchmarks/bench_intelligence.py --objectives 500 --indicators-per-objective 5
"""

from __future__ import annotations

import argparse
import platform
import time

import numpy as np
import pandas as pd

from balanced_scorecard.model import (
    Assignment,
    CausalLink,
    Indicator,
    Objective,
    Scorecard,
    Thresholds,
)

SEED = 2026
PERSPECTIVES = ("financial", "customer", "internal_process", "learning_growth")


def build(objectives: int, per_objective: int, periods: int) -> tuple[Scorecard, pd.DataFrame]:
    """A layered map and its observations (one value per indicator and period)."""
    rng = np.random.default_rng(SEED)
    per_perspective = objectives // len(PERSPECTIVES)
    objs, inds, links, people = [], [], [], []
    for p, perspective in enumerate(PERSPECTIVES):
        for k in range(per_perspective):
            oid = f"o{p}_{k}"
            objs.append(Objective(id=oid, perspective=perspective))
            people.append(Assignment(role="owner", person=f"owner{k % 50}", node=oid))
            for j in range(per_objective):
                iid = f"{oid}_i{j}"
                inds.append(
                    Indicator(
                        id=iid,
                        objective=oid,
                        lead_lag="leading" if j % 2 else "lagging",
                        thresholds=Thresholds(target=100.0, red_flag=90.0),
                    )
                )
                people.append(Assignment(role="owner", person=f"owner{k % 50}", node=iid))
            if p > 0:
                # Each objective drives one objective of the perspective above, and one of
                # its indicators drives an indicator there.
                up = f"o{p - 1}_{int(rng.integers(per_perspective))}"
                lag = int(rng.integers(4))
                links.append(CausalLink(cause=oid, effect=up, lag=lag))
                links.append(CausalLink(cause=f"{oid}_i0", effect=f"{up}_i1", lag=lag))
    sc = Scorecard(id="big", objectives=objs, indicators=inds, links=links, assignments=people)
    labels = pd.period_range("2016-01", periods=periods, freq="M").astype(str)
    values = rng.normal(100.0, 5.0, size=(len(inds), periods))
    obs = pd.DataFrame(
        {
            "indicator": np.repeat([i.id for i in inds], periods),
            "org_unit": "all",
            "period": np.tile(np.asarray(labels), len(inds)),
            "value": values.reshape(-1),
        }
    )
    return sc, obs


def timed(label: str, func, *args, **kwargs):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    out = func(*args, **kwargs)
    elapsed = time.perf_counter() - start
    print(f"  {label:<34} {elapsed:7.2f} s")
    return out, elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--objectives", type=int, default=2_000)
    parser.add_argument("--indicators-per-objective", type=int, default=5)
    parser.add_argument("--periods", type=int, default=120)
    args = parser.parse_args()
    start = time.perf_counter()
    sc, obs = build(args.objectives, args.indicators_per_objective, args.periods)
    print(
        f"intelligence: {len(sc.objectives):,} objectives, {len(sc.indicators):,} indicators, "
        f"{len(sc.links):,} links, {args.periods} periods ({len(obs):,} observations; "
        f"built in {time.perf_counter() - start:.1f} s; numpy {np.__version__}, "
        f"{platform.machine()})"
    )
    ev, _ = timed("evaluate", sc.evaluate, obs)
    findings, t_check = timed("design checks (bsc check)", sc.check)
    evidence, t_evidence = timed("link evidence (every link)", ev.link_evidence)
    _, t_sig = timed("significance (focus period)", ev.significance)
    _, t_root = timed("root causes from o0_0", ev.root_causes, "o0_0", max_depth=3)
    verdicts = evidence["verdict"].value_counts().to_dict()
    print(
        f"  {len(findings):,} findings; link verdicts {verdicts}; checks + evidence "
        f"{t_check + t_evidence:.2f} s (significance {t_sig:.2f} s, root causes {t_root:.2f} s)"
    )
    if t_check + t_evidence >= 30.0:
        raise SystemExit(f"too slow: {t_check + t_evidence:.2f} s, the bar is 30 s")


if __name__ == "__main__":
    main()
