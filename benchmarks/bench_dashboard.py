"""Time rendering a 1,000-org-unit evaluation to the HTML dashboard (issue 7: under 5 s).

Run: ``python benchmarks/bench_dashboard.py``. Builds the generated sample scorecard
(``builtins/_dashboard_sample.py``) with 1 enterprise, 37 business units and 26 departments
each (1,000 org units), six indicators over 12 months, evaluates it once (not timed), then
times :class:`~balanced_scorecard.builtins.dashboard.DashboardRenderer` for each view with
its default options (best of three).
"""

from __future__ import annotations

import time

from balanced_scorecard.builtins._dashboard_sample import sample_evaluation
from balanced_scorecard.builtins.dashboard import DashboardRenderer
from balanced_scorecard.visual.charts import status_heatmap


def main() -> None:
    t0 = time.perf_counter()
    ev = sample_evaluation(business_units=37, departments=26, periods=12)
    assert len(ev.units) == 1000, len(ev.units)
    print(f"evaluated {len(ev.units)} org units in {time.perf_counter() - t0:.2f} s")
    renderer = DashboardRenderer()
    for view in ("executive", "manager", "operational"):
        times = []
        for _ in range(3):
            t = time.perf_counter()
            page = renderer.render(ev, view=view)
            times.append(time.perf_counter() - t)
        print(f"{view:12s} {min(times):6.2f} s  ({len(page) / 1e6:.2f} MB)")
        if min(times) >= 5.0:
            raise SystemExit(f"too slow: the {view} view took {min(times):.2f} s; the bar is 5 s")
    t = time.perf_counter()
    chart = status_heatmap(ev)
    print(
        f"status heat map {len(ev.units)} units x {len(ev.indicators.ids)} indicators: "
        f"{time.perf_counter() - t:.2f} s ({len(chart.svg) / 1e6:.2f} MB)"
    )


if __name__ == "__main__":
    main()
