"""Reconciling an old dashboard with a new source (hand-worked cases)."""

from __future__ import annotations

from pathlib import Path

import attrs
import pandas as pd
import pytest

from balanced_scorecard import DataSource, Engine, Indicator, Objective, ObservationError, Scorecard
from balanced_scorecard.data.reconcile import reconcile

SC = Scorecard(
    id="r",
    objectives=[Objective(id="o", perspective="financial")],
    indicators=[
        Indicator(id="rev", objective="o", time_aggregation="sum"),
        Indicator(id="otd", objective="o", unit="percent"),
    ],
)
ENGINE = Engine(entry_points=False)


def _obs(rows: list[tuple[str, str, float]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["indicator", "period", "value"]).assign(org_unit="all")


def test_discrepancies_by_period_with_absolute_and_relative_differences() -> None:
    # Hand-worked: January agrees; February revenue differs by 10 on 1,000 (1 %); the new
    # source has no March on-time rate.
    old = _obs([("rev", "2025-01", 1000), ("rev", "2025-02", 1000), ("otd", "2025-03", 95)])
    new = _obs([("rev", "2025-01", 1000), ("rev", "2025-02", 1010), ("rev", "2025-03", 5)])
    kw = {"start": "2025-01", "period": "2025-03"}
    rec = reconcile(ENGINE.evaluate(SC, old, **kw), ENGINE.evaluate(SC, new, **kw),
                    labels=("dashboard", "erp"))  # fmt: skip
    bad = rec.discrepancies.set_index(["indicator", "period"])
    assert bad.loc[("rev", "2025-02"), "difference"] == 10
    assert bad.loc[("rev", "2025-02"), "relative"] == pytest.approx(0.01)
    assert bad.loc[("otd", "2025-03"), "missing"] == "erp"
    assert bad.loc[("rev", "2025-03"), "missing"] == "dashboard"
    assert ("rev", "2025-01") not in bad.index
    assert list(rec.definitions.columns[:3]) == ["indicator", "dashboard_unit", "erp_unit"]
    # With a 2 % tolerance February agrees.
    loose = reconcile(ENGINE.evaluate(SC, old, **kw), ENGINE.evaluate(SC, new, **kw),
                      labels=("dashboard", "erp"), relative_tolerance=0.02)  # fmt: skip
    assert ("rev", "2025-02") not in set(
        zip(loose.discrepancies["indicator"], loose.discrepancies["period"], strict=True)
    )


def test_different_windows_are_refused() -> None:
    a = ENGINE.evaluate(SC, _obs([("rev", "2025-01", 1)]))
    b = ENGINE.evaluate(SC, _obs([("rev", "2025-02", 1)]))
    with pytest.raises(ObservationError, match="different org units or periods"):
        reconcile(a, b)


def test_an_old_dashboard_against_raw_facts_shows_both_definitions(tmp_path: Path) -> None:
    # Hand-worked: the ERP has three January orders (1,000 + 200 + 10), one of them void;
    # the old dashboard reported the gross 1,210, the mapping filters the void one out.
    (tmp_path / "orders.csv").write_text(
        "day,amount,status\n2025-01-03,1000,ok\n2025-01-09,200,ok\n2025-01-20,10,void\n",
        encoding="utf-8",
    )
    erp = attrs.evolve(
        SC,
        sources=[
            DataSource(
                id="erp",
                uri=f"csv:{tmp_path / 'orders.csv'}",
                mapping={
                    "date": "day",
                    "default_org_unit": "all",
                    "where": {"status": {"ne": "void"}},
                    "rules": [{"indicator": "rev", "transform": "sum", "value": "amount"}],
                },
            )
        ],
    )
    old = ENGINE.evaluate(SC, _obs([("rev", "2025-01", 1210)]))
    rec = reconcile(old, ENGINE.evaluate(erp), labels=("dashboard", "erp"), indicators=["rev"])
    row = rec.discrepancies.iloc[0]
    assert (row["dashboard"], row["erp"], row["difference"]) == (1210, 1200, -10)
    sources = rec.definitions.set_index("indicator").loc["rev"]
    assert sources["dashboard_source"] == "frame"
    assert sources["erp_source"] == "erp: sum of amount; facts where status != 'void'"
