"""The README's quick start, run by `nox -s examples` and by the test suite."""

import pandas as pd

import balanced_scorecard as bsc

sc = bsc.Scorecard(
    id="shop",
    objectives=[bsc.Objective(id="grow", name="Grow revenue", perspective="financial")],
    indicators=[
        bsc.Indicator(
            id="revenue",
            name="Revenue",
            objective="grow",
            unit="EUR",
            time_aggregation="sum",
            thresholds=bsc.Thresholds(target=700, red_flag=500),
        ),
    ],
)
obs = pd.DataFrame(
    {
        "indicator": "revenue",
        "org_unit": "all",
        "period": ["2025-01", "2025-02"],
        "value": [450.0, 600.0],
    }
)
ev = sc.evaluate(obs)
print(ev.score("revenue"), ev.status("revenue"))
print(ev.explain("revenue"))
print(ev.to_frame().head())
