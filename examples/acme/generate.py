#!/usr/bin/env python
"""Generate the Acme Components example data from ``acme.yaml``.

Writes, next to this file:

* ``observations.csv``      - 36 months (2023-01 .. 2025-12) of actuals, long format, from
  every system but the HRIS;
* ``acme.db``               - a SQLite database standing in for the HRIS: the people
  indicators (headcount, training hours, certified operators, turnover) in one table;
* ``fx_rates.csv``          - daily GBP rates against the euro (business days), for the UK unit;
* ``one_time_events.csv``   - the one-time events to take out of the reported figures;
* ``targets_budget.csv``    - the FY2023-2025 budgets;
* ``targets_forecast.csv``  - the 2025 rolling forecast (Q3 update).

Everything is deterministic (``numpy.random.default_rng(2026)``, and seeds 2027 and 2028 for
what the UK unit and the FX table added): running the script twice gives byte-identical CSV
files and a database with the same contents. Run it from anywhere::

    python examples/acme/generate.py            # writes next to this file
    python examples/acme/generate.py OUT_DIR    # writes into OUT_DIR (check_files.py does)

The story planted in the numbers (see README.md):

* **A lagged driver.** Training hours per employee (learning & growth) drive first-pass
  yield and the outgoing defect rate (internal process) with a lag of **two months**:
  ``fpy[t] = base + 1.3 * (training[t-2] - 2.8) - ...`` and
  ``ppm[t] = base * exp(-0.32 * (training[t-2] - 2.8)) * ...`` in each plant. The Industrial
  lean academy (2024-03 .. 2025-06) lifts training and, two months later, quality; the
  Automotive training freeze (2024-10 .. 2025-09) does the opposite, and the restart at
  three-quarter pace from 2025-10 shows up as a first quality recovery in 2025-12.
  Turnover (lag 1) also weighs on yield; defects drive complaints and NPS a month later.
* **A struggling business unit.** Automotive's demand falls from late 2024 (order intake
  first, revenue ~3 months later), margins, delivery, defects, complaints, NPS, turnover and
  engagement deteriorate through 2025, and its ISO 9001 surveillance audit of 2025-10 finds
  a major nonconformity ("no" from 2025-10). The Q3 forecast re-bases its targets.
* **Worsening trends elsewhere.** Industrial's ageing press line: unplanned downtime rises
  from late 2024 and OEE slips; Industrial's cost per order creeps up with logistics costs.
* **Unit conversion.** Automotive Sales reports revenue, order intake and gross profit in
  kEUR; Aerospace Operations reports scrap cost in kEUR and, before its 2024 MES upgrade,
  first-pass yield and OEE as fractions (dimensionless) instead of percent.
* **Data quality.** About 1 % of values are missing (empty cells). Aerospace Sales exports
  cost per order without the ``value`` column (numerator and denominator only).
* **A second currency.** Acme Components UK, the sales and service company in Birmingham,
  keeps its books in pounds: its revenue, order intake, gross profit and order backlog come
  in GBP and are translated into euros by the ``fx`` adjustment (flows at the month's average
  rate, the backlog, a stock, at the closing rate).
* **A one-time event.** In 2025-12 the UK booked the GBP 600,000 proceeds of selling its old
  Coventry warehouse as revenue (and so as gross profit). ``one_time_events.csv`` declares it,
  and the evaluation shows the normalised figures beside the reported ones.
"""

from __future__ import annotations

import csv
import math
import sqlite3
import sys
from collections import defaultdict
from contextlib import closing
from pathlib import Path

import numpy as np
import yaml

HERE = Path(__file__).resolve().parent
SEED = 2026
N = 36  # months 2023-01 .. 2025-12
PRE = 2  # months of history before 2023-01, for the lagged driver
YEARS = (2023, 2024, 2025)
PERIODS = [f"{2023 + t // 12}-{t % 12 + 1:02d}" for t in range(N)]
MONTH = np.arange(N) % 12
YEAR = 2023 + np.arange(N) // 12
TY = np.arange(N) / 12.0  # years since 2023-01

BUS = ("industrial", "automotive", "aerospace")
SALES = {bu: f"{bu}_sales" for bu in BUS}
OPS = {bu: f"{bu}_operations" for bu in BUS}
# Aerospace has no service department: its programme managers in sales do the service.
SERVICE = {
    "industrial": "industrial_service",
    "automotive": "automotive_service",
    "aerospace": "aerospace_sales",
}

OBS_COLUMNS = [
    "indicator",
    "org_unit",
    "period",
    "value",
    "unit",
    "numerator",
    "denominator",
    "source",
]
TARGET_COLUMNS = [
    "indicator",
    "org_unit",
    "start",
    "end",
    "baseline",
    "red_flag",
    "target",
    "stretch",
    "lower",
    "upper",
]

# System of record per indicator (the `source` column).
SOURCE = {
    "revenue": "erp",
    "order_intake": "erp",
    "gross_profit": "erp",
    "cost_per_order": "erp",
    "days_sales_outstanding": "erp",
    "inventory_days": "erp",
    "on_time_orders": "erp",
    "orders_shipped": "erp",
    "order_lead_time": "erp",
    "new_product_revenue_share": "erp",
    "net_promoter_score": "survey",
    "customer_satisfaction": "survey",
    "employee_engagement_score": "survey",
    "customer_complaints": "qms",
    "defect_rate_ppm": "qms",
    "iso9001_audit_passed": "qms",
    "key_account_share_of_wallet": "crm",
    "new_customers": "crm",
    "digital_order_share": "crm",
    "service_response_time": "crm",
    "first_contact_resolution": "crm",
    "first_pass_yield": "mes",
    "oee": "mes",
    "unplanned_downtime_hours": "mes",
    "scrap_cost": "mes",
    "lost_time_injury_frequency": "ehs",
    "near_miss_reports": "ehs",
    "pipeline_projects": "plm",
    "training_hours_per_employee": "hris",
    "certified_operators_pct": "hris",
    "employee_turnover_rate": "hris",
    "headcount": "hris",
    "it_system_availability": "itsm",
    "order_backlog": "erp",
}

# Decimals written per indicator (in its declared unit).
DECIMALS = {
    "revenue": 0,
    "order_intake": 0,
    "gross_profit": 0,
    "scrap_cost": 0,
    "cost_per_order": 2,
    "days_sales_outstanding": 1,
    "inventory_days": 1,
    "order_lead_time": 1,
    "net_promoter_score": 0,
    "customer_satisfaction": 2,
    "customer_complaints": 0,
    "key_account_share_of_wallet": 1,
    "new_customers": 0,
    "first_pass_yield": 2,
    "defect_rate_ppm": 0,
    "oee": 1,
    "unplanned_downtime_hours": 1,
    "new_product_revenue_share": 1,
    "pipeline_projects": 0,
    "service_response_time": 2,
    "first_contact_resolution": 1,
    "lost_time_injury_frequency": 2,
    "near_miss_reports": 0,
    "training_hours_per_employee": 2,
    "certified_operators_pct": 1,
    "employee_turnover_rate": 1,
    "employee_engagement_score": 1,
    "headcount": 0,
    "digital_order_share": 1,
    "it_system_availability": 2,
    "on_time_orders": 0,
    "orders_shipped": 0,
    "order_backlog": 0,
}

# Share of cells left empty, to exercise the missing-data handling.
MISSING_SHARE = 0.01

# --- Acme Components UK: sales and service in Birmingham, books kept in GBP. Its series
# and the FX table come from their own random streams, so adding them changed no number of
# the three original business units.
UK = "uk"
UK_SEED, FX_SEED = SEED + 1, SEED + 2
UK_REV_2023 = 15.0e6  # GBP a year
UK_GROWTH = 0.06
UK_BTB = 1.03
UK_MARGIN = 0.245
UK_HEADCOUNT_PLAN = (36, 38, 40)
# Amounts the UK ledger keeps in pounds (everything else is in the indicator's own unit).
UK_MONEY = ("revenue", "order_intake", "gross_profit", "order_backlog")
# Planning rates (GBP per EUR) the budgets translate the UK's plan at, set each December.
BUDGET_RATE = {2023: 0.88, 2024: 0.87, 2025: 0.86}
# The one-time event planted in the UK's December 2025 ledger.
EVENT_PERIOD = "2025-12"
EVENT_AMOUNT = 600_000.0  # GBP, in revenue and therefore in gross profit
EVENT_REASON = "Sale of the former Coventry warehouse, booked as revenue in the local ledger"
# Order backlog (a stock), in months of recent order intake, per reporting unit.
BACKLOG_COVER = {"industrial": 2.4, "automotive": 1.6, "aerospace": 8.5, UK: 1.1}
# Indicators the HRIS delivers: they go to acme.db, not observations.csv.
HRIS = tuple(sorted(ind for ind, system in SOURCE.items() if system == "hris"))
DB_TABLE = "people_metrics"
DB_COLUMNS = ("metric", "unit_code", "month", "value", "uom", "numerator", "denominator")
EVENT_COLUMNS = ["indicator", "org_unit", "period", "amount", "unit", "reason"]
FX_COLUMNS = ["date", "currency", "rate"]


# ---------------------------------------------------------------------------- definition


def load_definition(path: Path) -> tuple[dict[str, dict], dict[str, str | None]]:
    """Indicators by id (with their objective) and the org parent map, from the YAML."""
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    indicators: dict[str, dict] = {}
    for obj in doc.get("objectives", []):
        for ind in obj.get("indicators", []) or []:
            indicators[ind["id"]] = {**ind, "objective": obj["id"]}
    for ind in doc.get("indicators", []) or []:
        indicators[ind["id"]] = ind
    parent: dict[str, str | None] = {}

    def walk(units: list[dict], up: str | None) -> None:
        for u in units:
            parent[u["id"]] = u.get("parent", up)
            walk(u.get("children", []) or [], u["id"])

    walk(doc.get("org_units", []), None)
    return indicators, parent


# ---------------------------------------------------------------------------- time helpers


def idx(label: str) -> int:
    """Month index of a ``YYYY-MM`` label (2023-01 is 0)."""
    y, m = map(int, label.split("-"))
    return (y - 2023) * 12 + m - 1


def ramp(start: str, end: str, n: int = N, offset: int = 0) -> np.ndarray:
    """0 before ``start``, rising linearly to 1 at ``end``, 1 after."""
    t = np.arange(n) - offset
    a, b = idx(start), idx(end)
    return np.clip((t - a) / max(b - a, 1), 0.0, 1.0)


def window(start: str, end: str, n: int = N, offset: int = 0) -> np.ndarray:
    """1 from ``start`` to ``end`` inclusive, else 0."""
    t = np.arange(n) - offset
    return ((t >= idx(start)) & (t <= idx(end))).astype(float)


def lag(x: np.ndarray, k: int) -> np.ndarray:
    """``x`` shifted by ``k`` months (the first ``k`` months repeat the first value)."""
    return np.concatenate([np.repeat(x[:1], k), x[:-k]]) if k else x


def seasonal(factors: list[float]) -> np.ndarray:
    f = np.asarray(factors, dtype=float)
    return f / f.mean()


# Order/revenue seasonality: slow January, August holidays, strong autumn.
SEAS_MFG = seasonal([0.94, 0.97, 1.02, 1.01, 1.02, 1.05, 0.99, 0.88, 1.01, 1.04, 1.05, 1.02])
SEAS = {
    "industrial": SEAS_MFG,
    "automotive": SEAS_MFG,
    "aerospace": seasonal(0.5 + 0.5 * SEAS_MFG),  # long programmes: flatter
}
# Training calendar: busy in Q1 and autumn, little in the summer holidays and December.
SEAS_TRAINING = seasonal([1.05, 1.15, 1.15, 1.05, 1.0, 0.95, 0.75, 0.6, 1.1, 1.2, 1.15, 0.9])

# Business plan assumptions (annual revenue 2023 in EUR, underlying growth per year).
REV_2023 = {"industrial": 50.0e6, "automotive": 66.0e6, "aerospace": 32.0e6}
GROWTH = {"industrial": 0.045, "automotive": 0.03, "aerospace": 0.11}
ORDERS_2023 = {"industrial": 1750, "automotive": 920, "aerospace": 230}  # orders per month
BTB = {"industrial": 1.02, "automotive": 1.02, "aerospace": 1.06}  # book-to-bill
MARGIN = {"industrial": 0.325, "automotive": 0.272, "aerospace": 0.352}
# Budgets are set a little below the expected trend where the BU is healthy; Automotive's
# 2025 budget assumed growth that never came.
PLAN_FACTOR = {
    "industrial": {2023: 0.965, 2024: 0.965, 2025: 0.965},
    "automotive": {2023: 0.975, 2024: 0.975, 2025: 1.02},
    "aerospace": {2023: 0.96, 2024: 0.96, 2025: 0.96},
}
BUDGET_MARGIN = {"industrial": 0.32, "automotive": 0.27, "aerospace": 0.35}
HEADCOUNT_PLAN = {
    "industrial_sales": (44, 45, 46),
    "industrial_operations": (300, 305, 312),
    "industrial_service": (58, 60, 61),
    "automotive_sales": (31, 31, 32),
    "automotive_operations": (385, 390, 395),
    "automotive_service": (44, 45, 46),
    "aerospace_sales": (38, 41, 44),
    "aerospace_operations": (178, 192, 206),
}
TRAINING_BASE = {"sales": 2.3, "operations": 2.8, "service": 2.6}
TRAINING_REF = 2.8  # the reference level in the quality equations

# The Automotive downturn: 0 before 2024-11, fully hit from 2025-05 (revenue side); order
# intake turns three months earlier. Orders recover a little in late 2025.
CRISIS = ramp("2024-11", "2025-05")
CRISIS_ORDERS = ramp("2024-08", "2025-02") - 0.35 * ramp("2025-09", "2025-12")


def trend(bu: str) -> np.ndarray:
    """Expected monthly revenue of a BU (EUR), before shocks and noise."""
    return REV_2023[bu] / 12 * (1 + GROWTH[bu]) ** TY * SEAS[bu][MONTH]


# ---------------------------------------------------------------------------- simulation


def simulate(rng: np.random.Generator) -> dict:
    """All series: ``sim[indicator][org_unit]`` -> array of N (or list of labels);
    ratio indicators also ``sim["<id>:num"]`` / ``sim["<id>:den"]``."""
    sim: dict[str, dict] = defaultdict(dict)

    def normal(sd: float, n: int = N) -> np.ndarray:
        return rng.normal(0.0, sd, n)

    # --- people: headcount (a stock), turnover, engagement
    n_all = N + PRE
    for dept, plan in HEADCOUNT_PLAN.items():
        bu = dept.split("_")[0]
        monthly_plan = np.interp(
            np.arange(N), [0, 12, 24, 35], [plan[0], plan[1], plan[2], plan[2] * 1.01]
        )
        drift = np.cumsum(normal(0.004))
        drift -= drift.mean()
        factor = 1 + drift
        if bu == "automotive":
            factor *= 1 - 0.055 * CRISIS  # hiring freeze, temporary contracts ended
        if dept == "industrial_operations":
            factor *= 1 + 0.035 * ramp("2024-10", "2025-06")  # extra crew for the old press line
        if dept == "aerospace_operations":
            factor *= 0.98  # hard to hire in Toulouse
        sim["headcount"][dept] = np.round(monthly_plan * factor)

    for bu in BUS:
        base = {"industrial": 7.4, "automotive": 7.8, "aerospace": 5.9}[bu]
        shock = 6.0 * CRISIS if bu == "automotive" else 0.0
        sim["employee_turnover_rate"][bu] = base + shock + np.cumsum(normal(0.08)) + normal(0.15)
        base = {"industrial": 71.0, "automotive": 70.0, "aerospace": 75.0}[bu]
        shock = -9.0 * CRISIS if bu == "automotive" else 0.0
        sim["employee_engagement_score"][bu] = base + shock + normal(1.2)

    # --- training hours per employee: the leading driver (generated with PRE months of
    # history so that the two-month lag is defined from 2023-01 on).
    training_full: dict[str, np.ndarray] = {}
    month_full = (np.arange(n_all) - PRE) % 12
    for dept in HEADCOUNT_PLAN:
        bu, kind = dept.split("_", 1)
        hours = TRAINING_BASE[kind] * SEAS_TRAINING[month_full] * rng.lognormal(0.0, 0.18, n_all)
        if bu == "industrial" and kind == "operations":
            hours += 0.9 * window("2024-03", "2025-06", n_all, PRE)  # lean academy
        if bu == "automotive":
            freeze = window("2024-10", "2025-09", n_all, PRE)  # "Fit for 2025" training freeze
            hours *= 1 - 0.65 * freeze
            # The quality recovery programme restarts training from 2025-10, at 3/4 pace.
            hours *= 1 - 0.25 * window("2025-10", "2025-12", n_all, PRE)
        if bu == "aerospace":
            hours *= 1.05
        training_full[dept] = hours
        hc = sim["headcount"][dept]
        num = np.round(hours[PRE:] * hc)
        sim["training_hours_per_employee:num"][dept] = num
        sim["training_hours_per_employee:den"][dept] = hc
        sim["training_hours_per_employee"][dept] = num / hc

    # --- quality: first-pass yield and defects follow training two months later
    ppm_rel: dict[str, np.ndarray] = {}
    for bu in BUS:
        ops = OPS[bu]
        t_lag2 = training_full[ops][PRE - 2 : PRE - 2 + N]  # training[t-2]
        turnover_prev = lag(sim["employee_turnover_rate"][bu], 1)
        base_fpy = {"industrial": 96.2, "automotive": 95.7, "aerospace": 97.3}[bu]
        fpy = base_fpy + 1.3 * (t_lag2 - TRAINING_REF) - 0.15 * (turnover_prev - 8.0) + normal(0.3)
        sim["first_pass_yield"][ops] = np.minimum(fpy, 99.6)
        base_ppm = {"industrial": 410.0, "automotive": 240.0, "aerospace": 130.0}[bu]
        ppm = (
            base_ppm
            * np.exp(-0.32 * (t_lag2 - TRAINING_REF))
            * (1 + 0.04 * (turnover_prev - 8.0))
            * rng.lognormal(0.0, 0.07, N)
        )
        sim["defect_rate_ppm"][ops] = ppm
        ppm_rel[bu] = ppm / base_ppm

    # --- sales and finance
    for bu in BUS:
        demand = 1 - 0.14 * CRISIS if bu == "automotive" else np.ones(N)
        demand_orders = 1 - 0.16 * CRISIS_ORDERS if bu == "automotive" else np.ones(N)
        revenue = trend(bu) * demand * (1 + normal(0.03))
        sim["revenue"][SALES[bu]] = revenue
        sim["order_intake"][SALES[bu]] = trend(bu) * demand_orders * (BTB[bu] + normal(0.06))
        margin = MARGIN[bu] + normal(0.008)
        if bu == "automotive":
            margin -= 0.055 * CRISIS  # under-absorbed fixed cost, price-downs
        sim["gross_profit"][SALES[bu]] = revenue * margin

        shipped = np.round(
            ORDERS_2023[bu] * (1 + GROWTH[bu]) ** TY * SEAS[bu][MONTH] * demand * (1 + normal(0.03))
        )
        sim["orders_shipped"][OPS[bu]] = shipped
        otd = {"industrial": 0.957, "automotive": 0.947, "aerospace": 0.962}[bu] + normal(0.008)
        if bu == "automotive":
            otd -= 0.06 * CRISIS
        if bu == "aerospace":
            otd -= 0.035 * window("2024-05", "2024-09")  # castings shortage
        otd = np.clip(otd, 0.5, 0.995)
        sim["on_time_orders"][OPS[bu]] = rng.binomial(shipped.astype(np.int64), otd).astype(float)

        processed = np.round(shipped * (1 + normal(0.02)))
        cpo = {
            "industrial": 46.0 * (1 + 0.075 * TY),  # logistics costs creeping up
            "automotive": 80.0 * (1 + 0.02 * TY) * (1 + 0.18 * CRISIS),
            "aerospace": 205.0 * (1 - 0.015 * TY),
        }[bu] * (1 + normal(0.03))
        num = np.round(cpo * processed)
        sim["cost_per_order:num"][SALES[bu]] = num
        sim["cost_per_order:den"][SALES[bu]] = processed
        sim["cost_per_order"][SALES[bu]] = num / processed

        sim["new_customers"][SALES[bu]] = rng.poisson(
            {
                "industrial": 5.5 + 0 * TY,
                "automotive": 1.6 - 0.6 * CRISIS,
                "aerospace": 1.2 + 0.2 * TY,
            }[bu]
        ).astype(float)
        sim["digital_order_share"][SALES[bu]] = {
            "industrial": 19 + 24 * ramp("2024-01", "2025-06") + normal(1.0),
            "automotive": 58 + 7 * TY / 3 + normal(0.8),
            "aerospace": 8 + 12 * ramp("2024-03", "2025-12") + normal(1.0),
        }[bu]
        sim["days_sales_outstanding"][bu] = {
            "industrial": 50.5 + normal(2.0),
            "automotive": 55.0 + 10.0 * CRISIS + normal(2.0),
            "aerospace": 61.0 + normal(2.5),
        }[bu]
        sim["inventory_days"][OPS[bu]] = {
            "industrial": 38.0 + 2.0 * np.sin(2 * np.pi * MONTH / 12) + normal(2.0),
            "automotive": 34.0 + 15.0 * CRISIS + normal(2.0),
            "aerospace": 42.5 + 1.5 * np.sin(2 * np.pi * (MONTH - 3) / 12) + normal(2.2),
        }[bu]
        sim["order_lead_time"][OPS[bu]] = {
            "industrial": 12.0 - 0.5 * TY + normal(0.7),
            "automotive": 6.8 + 2.0 * CRISIS + normal(0.4),
            "aerospace": 44.0 - 2.0 * TY + normal(2.0),
        }[bu]

    # --- operations
    for bu in BUS:
        ops = OPS[bu]
        downtime = {
            "industrial": 52.0 + 35.0 * ramp("2024-09", "2025-12") + normal(6.0),  # old press line
            "automotive": 46.0 + normal(7.0),
            "aerospace": 27.0 + normal(4.0),
        }[bu]
        sim["unplanned_downtime_hours"][ops] = np.maximum(downtime, 2.0)
        oee = {
            "industrial": 77.0 - 0.06 * (downtime - 52.0),
            "automotive": 74.5 - 6.0 * CRISIS,
            "aerospace": 70.5 + 3.0 * TY,
        }[bu] + normal(1.0)
        sim["oee"][ops] = oee
        fpy = sim["first_pass_yield"][ops]
        sim["scrap_cost"][ops] = (
            sim["revenue"][SALES[bu]] * (100.0 - fpy) / 100.0 * 0.32 * (1 + normal(0.05))
        )
        sim["certified_operators_pct"][ops] = {
            "industrial": 81.5 + 8.0 * ramp("2024-03", "2025-06"),
            "automotive": 86.5 - 3.0 * CRISIS,
            "aerospace": 91.0 + 0 * TY,
        }[bu] + normal(0.5)
        sim["lost_time_injury_frequency"][ops] = np.maximum(
            {
                "industrial": 4.6 - 0.6 * TY,
                "automotive": 3.0 + 1.0 * CRISIS,
                "aerospace": 1.6 + 0 * TY,
            }[bu]
            + normal(0.12),
            0.0,
        )
        sim["near_miss_reports"][ops] = rng.poisson(
            {
                "industrial": 24.0 + 4.0 * TY,
                "automotive": 18.0 - 7.0 * CRISIS,
                "aerospace": 11.0 + 0 * TY,
            }[bu]
        ).astype(float)

    # --- customers and service (complaints follow defects one month later)
    for bu in BUS:
        svc = SERVICE[bu]
        lam = {"industrial": 12.0, "automotive": 8.5, "aerospace": 2.5}[bu] * lag(ppm_rel[bu], 1)
        sim["customer_complaints"][svc] = rng.poisson(lam).astype(float)
        sim["customer_satisfaction"][svc] = {
            "industrial": 8.15,
            "automotive": 8.05 - 0.7 * CRISIS,
            "aerospace": 8.55,
        }[bu] + normal(0.12)
        sim["service_response_time"][svc] = np.maximum(
            {
                "industrial": 5.6 - 0.3 * TY,
                "automotive": 4.0 + 2.6 * CRISIS,
                "aerospace": 3.2 + 0 * TY,
            }[bu]
            + normal(0.4),
            0.5,
        )
        sim["first_contact_resolution"][svc] = {
            "industrial": 72.0 + 3.0 * TY,
            "automotive": 77.0 - 8.0 * CRISIS,
            "aerospace": 82.0 + 0 * TY,
        }[bu] + normal(1.5)
        nps_base = {
            "industrial": 32.0 + 2.0 * TY,
            "automotive": 30.0 + 0 * TY,
            "aerospace": 43.0 + 0 * TY,
        }[bu]
        sim["net_promoter_score"][bu] = nps_base - 15.0 * (lag(ppm_rel[bu], 1) - 1.0) + normal(4.0)
        sim["key_account_share_of_wallet"][bu] = {
            "industrial": 22.5 + 2.3 * TY,
            "automotive": 31.0 + 1.2 * TY - 4.5 * CRISIS,
            "aerospace": 18.0 + 3.2 * TY,
        }[bu] + normal(0.6)
        sim["new_product_revenue_share"][bu] = {
            "industrial": 12.5 + 2.1 * TY,
            "automotive": 15.5 + 1.0 * TY - 1.5 * CRISIS,
            "aerospace": 21.0 + 1.8 * TY,
        }[bu] + normal(0.5)
        start = {"industrial": 14, "automotive": 12, "aerospace": 8}[bu]
        walk = np.cumsum(rng.integers(-1, 2, N) * (rng.random(N) < 0.35))
        extra = {"industrial": 0 * TY, "automotive": -4.0 * CRISIS, "aerospace": 1.2 * TY}[bu]
        sim["pipeline_projects"][bu] = np.maximum(np.round(start + np.clip(walk, -2, 2) + extra), 1)
        labels = ["yes"] * N
        if bu == "automotive":
            for t in range(idx("2025-10"), N):
                labels[t] = "no"  # major nonconformity at the 2025-10 surveillance audit
        sim["iso9001_audit_passed"][bu] = labels

    avail = np.minimum(99.65 + normal(0.1), 99.99)
    avail[idx("2024-07")] = 99.21  # storage firmware incident
    avail[idx("2025-03")] = 98.74  # ERP upgrade overran by a weekend
    sim["it_system_availability"]["acme"] = avail
    return sim


# ---------------------------------------------------------------------------- extensions


def fx_rates(rng: np.random.Generator) -> tuple[list[dict[str, str]], dict[str, float]]:
    """Made-up daily GBP per EUR on business days 2023-01-02 .. 2025-12-31 (not market
    data), and each month's mean."""
    days = np.arange(np.datetime64("2023-01-01"), np.datetime64("2026-01-01"))
    days = days[np.is_busday(days)]
    t = (days - days[0]).astype(float) / 365.25
    # Sterling firms through 2024 and softens from spring 2025; day to day it wanders
    # around that level and is pulled back to it.
    level = 0.872 - 0.018 * np.clip(t - 0.5, 0.0, 1.2) + 0.022 * np.clip(t - 2.3, 0.0, 0.7)
    shocks = rng.normal(0.0, 0.0022, len(days))
    noise = np.zeros(len(days))
    for k in range(1, len(days)):
        noise[k] = 0.97 * noise[k - 1] + shocks[k]
    rate = np.round(level + noise, 4)
    rows = [
        {"date": str(d), "currency": "GBP", "rate": f"{r:.4f}"}
        for d, r in zip(days, rate, strict=True)
    ]
    months = days.astype("datetime64[M]").astype(str)
    average = {m: float(rate[months == m].mean()) for m in PERIODS}
    return rows, average


def backlog(intake: np.ndarray, cover: float) -> np.ndarray:
    """Open orders at month end: ``cover`` months of the last three months' order intake
    (the order book follows intake, so Automotive's shrinks from late 2024)."""
    recent = np.convolve(np.concatenate([intake[:2], intake]), np.ones(3) / 3, mode="valid")
    return cover * recent


def simulate_extensions(rng: np.random.Generator, sim: dict) -> dict:
    """What the second-currency unit and the order backlog added, in the layout of
    :func:`simulate`: the UK unit's series (money in GBP) and every unit's backlog."""
    ext: dict[str, dict] = defaultdict(dict)

    def normal(sd: float) -> np.ndarray:
        return rng.normal(0.0, sd, N)

    for bu in BUS:
        ext["order_backlog"][SALES[bu]] = backlog(sim["order_intake"][SALES[bu]], BACKLOG_COVER[bu])

    trend_gbp = UK_REV_2023 / 12 * (1 + UK_GROWTH) ** TY * SEAS_MFG[MONTH]
    revenue = trend_gbp * (1 + normal(0.03))
    intake = trend_gbp * (UK_BTB + normal(0.06))
    gross = revenue * (UK_MARGIN + normal(0.008))
    ext["order_backlog"][UK] = backlog(intake, BACKLOG_COVER[UK])
    # The planted one-time event: the warehouse proceeds went into revenue, so into gross
    # profit too (the backlog, orders not yet invoiced, is not touched).
    t = idx(EVENT_PERIOD)
    revenue[t] += EVENT_AMOUNT
    gross[t] += EVENT_AMOUNT
    ext["revenue"][UK], ext["order_intake"][UK], ext["gross_profit"][UK] = revenue, intake, gross
    ext["new_customers"][UK] = rng.poisson(0.9, N).astype(float)
    ext["digital_order_share"][UK] = 28.0 + 9.0 * ramp("2024-01", "2025-06") + normal(1.0)
    ext["days_sales_outstanding"][UK] = 47.0 + normal(2.0)
    ext["net_promoter_score"][UK] = 36.0 + 1.5 * TY + normal(4.0)
    ext["customer_satisfaction"][UK] = 8.3 + normal(0.12)
    ext["customer_complaints"][UK] = rng.poisson(1.6, N).astype(float)
    ext["service_response_time"][UK] = np.maximum(4.3 - 0.25 * TY + normal(0.4), 0.5)
    ext["first_contact_resolution"][UK] = 79.0 + 2.0 * TY + normal(1.5)
    ext["key_account_share_of_wallet"][UK] = 14.5 + 1.6 * TY + normal(0.6)

    plan = np.interp(
        np.arange(N), [0, 12, 24, 35], [*UK_HEADCOUNT_PLAN, UK_HEADCOUNT_PLAN[-1] * 1.01]
    )
    drift = np.cumsum(normal(0.004))
    heads = np.round(plan * (1 + drift - drift.mean()))
    ext["headcount"][UK] = heads
    hours = TRAINING_BASE["sales"] * SEAS_TRAINING[MONTH] * rng.lognormal(0.0, 0.18, N)
    num = np.round(hours * heads)
    ext["training_hours_per_employee:num"][UK] = num
    ext["training_hours_per_employee:den"][UK] = heads
    ext["training_hours_per_employee"][UK] = num / heads
    ext["employee_turnover_rate"][UK] = 8.6 + np.cumsum(normal(0.05)) + normal(0.15)
    ext["employee_engagement_score"][UK] = 73.0 + normal(1.2)
    return ext


# ---------------------------------------------------------------------------- observations


def fmt(x: float | None, decimals: int) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return ""
    if decimals <= 0:
        return str(round(x))
    return f"{round(float(x), decimals):.{decimals}f}"


def reported_unit(ind: str, org: str, t: int, declared: str) -> tuple[str, float, int]:
    """The unit a unit reports in, the factor from the declared unit, and the decimals."""
    if org == "automotive_sales" and ind in ("revenue", "order_intake", "gross_profit"):
        return "kEUR", 1e-3, 1  # their ERP company code reports in thousands
    if org == "aerospace_operations" and ind == "scrap_cost":
        return "kEUR", 1e-3, 2
    if org == "aerospace_operations" and ind in ("first_pass_yield", "oee") and t < 12:
        return "dimensionless", 1e-2, 4  # fractions before the 2024 MES upgrade
    if org == UK and ind in UK_MONEY:
        return "GBP", 1.0, 0  # the UK ledger is in pounds (its series are simulated in GBP)
    return declared, 1.0, DECIMALS[ind]


def series_rows(sim: dict, indicators: dict[str, dict]) -> list[dict[str, str]]:
    """One row per simulated series and month, in the definition's indicator order."""
    rows: list[dict[str, str]] = []
    for ind, spec in indicators.items():
        if spec.get("formula") or ind not in sim:
            continue  # calculated from its inputs, or simulated by the other part
        categorical = (
            isinstance(spec.get("scoring"), dict) and spec["scoring"].get("method") == "categorical"
        )
        ratio = spec.get("time_aggregation") == "ratio_of_sums"
        for org, series in sim[ind].items():
            for t, period in enumerate(PERIODS):
                row = {
                    "indicator": ind,
                    "org_unit": org,
                    "period": period,
                    "value": "",
                    "unit": "",
                    "numerator": "",
                    "denominator": "",
                    "source": SOURCE[ind],
                }
                if categorical:
                    row["value"] = series[t]
                else:
                    unit, factor, dec = reported_unit(ind, org, t, spec["unit"])
                    row["unit"] = unit
                    if ratio:
                        num = sim[f"{ind}:num"][org][t]
                        den = sim[f"{ind}:den"][org][t]
                        row["numerator"], row["denominator"] = fmt(num, 0), fmt(den, 0)
                        # Aerospace Sales' export has no value column for this ratio.
                        if not (ind == "cost_per_order" and org == "aerospace_sales"):
                            row["value"] = fmt(num / den, dec)
                    else:
                        row["value"] = fmt(series[t] * factor, dec)
                rows.append(row)
    return rows


def blank_some(
    rows: list[dict[str, str]],
    rng: np.random.Generator,
    late: tuple[str, str, str] | None = None,
    keep: tuple[tuple[str, str, str], ...] = (),
) -> None:
    """Empty about 1 % of the cells: at random before the last month (never the categorical
    audit status nor a ``keep`` cell), plus the ``late`` cell of the last month."""
    candidates = [
        i
        for i, r in enumerate(rows)
        if r["indicator"] != "iso9001_audit_passed"
        and r["period"] != PERIODS[-1]
        and (r["indicator"], r["org_unit"], r["period"]) not in keep
    ]
    k = round(MISSING_SHARE * len(rows))
    chosen = [i for i, r in enumerate(rows) if (r["indicator"], r["org_unit"], r["period"]) == late]
    for i in sorted(rng.choice(candidates, size=k - len(chosen), replace=False)) + chosen:
        r = rows[i]
        r["value"] = ""
        if r["numerator"]:
            r["numerator"] = ""  # a ratio row without its numerator cannot be recomputed


def observation_rows(
    sim: dict,
    ext: dict,
    indicators: dict[str, dict],
    rng: np.random.Generator,
    rng_ext: np.random.Generator,
) -> list[dict[str, str]]:
    """Every observation row, both parts, sorted by period, indicator and org unit."""
    for ind, spec in indicators.items():
        if not spec.get("formula") and ind not in sim and ind not in ext:
            raise SystemExit(f"generate.py has no series for indicator {ind!r}; add one")
    # The three original units first, with their own draws (so their cells are as before):
    # in 2025-12 only one late HR extract is missing.
    rows = series_rows(sim, indicators)
    blank_some(rows, rng, late=("employee_turnover_rate", "aerospace", PERIODS[-1]))
    # Then the UK unit and the order backlog; the one-time event's cells stay filled.
    extra = series_rows(ext, indicators)
    event = tuple((ind, UK, EVENT_PERIOD) for ind in ("revenue", "gross_profit"))
    blank_some(extra, rng_ext, keep=event)
    rows += extra
    rows.sort(key=lambda r: (r["period"], r["indicator"], r["org_unit"]))
    return rows


# ---------------------------------------------------------------------------- targets


def quarters(year: int) -> list[tuple[str, str, list[int]]]:
    out = []
    for q in range(4):
        months = [idx(f"{year}-{3 * q + m + 1:02d}") for m in range(3)]
        out.append((f"{year}-{3 * q + 1:02d}", f"{year}-{3 * q + 3:02d}", months))
    return out


def year_span(year: int) -> tuple[str, str, list[int]]:
    return f"{year}-01", f"{year}-12", [idx(f"{year}-{m:02d}") for m in range(1, 13)]


class Targets:
    """Collects target rows; additive indicators get parent rows summed from their children."""

    def __init__(self, parent: dict[str, str | None]) -> None:
        self.parent = parent
        self.rows: list[dict[str, object]] = []

    def add(self, ind: str, org: str | None, start: str, end: str, **values: float | None) -> None:
        row: dict[str, object] = {
            "indicator": ind,
            "org_unit": org or "",
            "start": start,
            "end": end,
        }
        for f in TARGET_COLUMNS[4:]:
            v = values.get(f)
            row[f] = "" if v is None else v
        self.rows.append(row)

    def additive(
        self, ind: str, leaf_rows: dict[str, list[tuple[str, str, dict]]], decimals: int = 0
    ) -> None:
        """Rows per reporting leaf, then every ancestor's row as the sum of its children's."""
        totals: dict[tuple[str, str, str], dict[str, float]] = {}
        for leaf, spans in leaf_rows.items():
            for start, end, vals in spans:
                vals = {k: round(v, decimals) for k, v in vals.items() if v is not None}
                self.add(ind, leaf, start, end, **{k: num(v, decimals) for k, v in vals.items()})
                up = self.parent[leaf]
                while up is not None:
                    acc = totals.setdefault((up, start, end), {})
                    for k, v in vals.items():
                        acc[k] = acc.get(k, 0.0) + v
                    up = self.parent[up]
        for (org, start, end), vals in totals.items():
            self.add(ind, org, start, end, **{k: num(v, decimals) for k, v in vals.items()})

    def csv_rows(self) -> list[dict[str, object]]:
        """Rows by indicator, then span, then org chart order (all-units rows first)."""
        order = {org: k for k, org in enumerate(self.parent)}
        return sorted(
            self.rows,
            key=lambda r: (str(r["indicator"]), str(r["start"]), order.get(str(r["org_unit"]), -1)),
        )


def num(v: float, decimals: int) -> float | int:
    return round(v) if decimals <= 0 else round(float(v), decimals)


# Non-additive per-unit targets: (red_flag, target, stretch) per org unit and year.
PER_UNIT = {
    "days_sales_outstanding": {
        "industrial": (60, 52, 48),
        "automotive": (65, 55, 50),
        "aerospace": (70, 62, 58),
        UK: (58, 48, 44),
    },
    "order_lead_time": {
        "industrial_operations": (15, 12, 10),
        "automotive_operations": (9, 7, 6),
        "aerospace_operations": (55, 45, 40),
    },
    "defect_rate_ppm": {
        "industrial_operations": (600, 400, 300),
        "automotive_operations": (400, 250, 180),
        "aerospace_operations": (250, 150, 100),
    },
    "service_response_time": {
        "industrial_service": (8, 6, 4.5),
        "automotive_service": (6.5, 4.5, 3.5),
        "aerospace_sales": (6, 4, 3),
        UK: (6.5, 4.5, 3.5),
    },
    "cost_per_order": {
        "industrial_sales": {2023: (52, 47, 43), 2024: (52, 47, 43), 2025: (53, 48, 44)},
        "automotive_sales": (90, 80, 75),
        "aerospace_sales": (235, 210, 195),
    },
}
# Additive per-unit targets (red_flag, target, stretch) per reporting leaf, per month.
ADDITIVE = {
    "customer_complaints": {
        "industrial_service": {2023: (19, 13, 10), 2024: (18, 12, 9), 2025: (18, 12, 9)},
        "automotive_service": (14, 9, 7),
        "aerospace_sales": (5, 3, 2),
        UK: (4, 2, 1),
    },
    "unplanned_downtime_hours": {
        "industrial_operations": (80, 60, 45),
        "automotive_operations": (70, 50, 40),
        "aerospace_operations": (40, 30, 22),
    },
    "near_miss_reports": {
        "industrial_operations": (15, 22, 30),
        "automotive_operations": (12, 18, 24),
        "aerospace_operations": (6, 10, 14),
    },
}
PIPELINE = {
    "industrial": {2023: (11, 14, 17), 2024: (11, 14, 17), 2025: (11, 14, 17)},
    "automotive": {2023: (9, 12, 15), 2024: (9, 12, 15), 2025: (9, 12, 15)},
    "aerospace": {2023: (7, 9, 11), 2024: (8, 10, 12), 2025: (8, 11, 13)},
}
NEW_CUSTOMERS = {
    "industrial_sales": 5.0,
    "automotive_sales": 1.5,
    "aerospace_sales": 1.0,
    UK: 0.8,
}
# Progress-scored: baseline (2022 actual) and (target, stretch) per year.
PROGRESS = {
    "key_account_share_of_wallet": {
        "industrial": (22, {2023: 24, 2024: 26, 2025: 28}, 3),
        "automotive": (31, {2023: 32, 2024: 33, 2025: 35}, 3),
        "aerospace": (18, {2023: 20, 2024: 23, 2025: 26}, 3),
        UK: (14, {2023: 15.5, 2024: 17, 2025: 18.5}, 2),
    },
    "new_product_revenue_share": {
        "industrial": (12, {2023: 13.5, 2024: 15.5, 2025: 18}, 3),
        "automotive": (15, {2023: 16, 2024: 17.5, 2025: 19}, 3),
        "aerospace": (20, {2023: 21, 2024: 22.5, 2025: 24}, 3),
    },
    "digital_order_share": {
        "industrial_sales": (18, {2023: 24, 2024: 32, 2025: 40}, 5),
        "automotive_sales": (58, {2023: 60, 2024: 63, 2025: 66}, 3),
        "aerospace_sales": (8, {2023: 10, 2024: 14, 2025: 18}, 4),
        UK: (27, {2023: 29, 2024: 32, 2025: 35}, 3),
    },
}
# Scale-free: one row for every org unit per year: (red_flag, target, stretch).
UNIVERSAL = {
    "book_to_bill": (0.9, 1.0, 1.1),
    "on_time_delivery_rate": (90, 95, 98),
    "net_promoter_score": (10, 30, 50),
    "customer_satisfaction": (7.5, 8.0, 8.5),
    "first_pass_yield": (90, 95, 98),
    "oee": (65, 75, 85),
    "first_contact_resolution": (68, 75, 85),
    "lost_time_injury_frequency": (5.0, 3.0, 2.0),
    "training_hours_per_employee": (1.5, 2.5, 3.5),
    "certified_operators_pct": (78, 85, 92),
    "employee_turnover_rate": (12, 8, 6),
    "employee_engagement_score": (62, 70, 78),
    "it_system_availability": (99.0, 99.5, 99.8),
}


def by_year(spec, year: int):
    return spec[year] if isinstance(spec, dict) else spec


def plan_revenue(bu: str, months: list[int], year: int) -> float:
    """Budgeted revenue per month over ``months``: the expected trend times the plan factor."""
    return float(trend(bu)[months].mean() * PLAN_FACTOR[bu][year])


def uk_plan_gbp(months: list[int]) -> float:
    """The UK's budgeted revenue per month over ``months``, in GBP (a little below trend)."""
    return float(
        np.mean(UK_REV_2023 / 12 * (1 + UK_GROWTH) ** TY[months] * SEAS_MFG[MONTH[months]]) * 0.97
    )


def uk_actual_eur(series: np.ndarray, months: list[int], fx_avg: dict[str, float]) -> float:
    """Mean of a UK GBP series over ``months``, each month at its average rate, in EUR."""
    return float(np.mean([series[m] / fx_avg[PERIODS[m]] for m in months]))


def build_targets(
    sim: dict, ext: dict, parent: dict[str, str | None], scenario: str, fx_avg: dict[str, float]
) -> list[dict]:
    tg = Targets(parent)
    years = YEARS if scenario == "budget" else (2025,)
    bu_of = {d: d.split("_")[0] for d in HEADCOUNT_PLAN}

    def leaf_bu(org: str) -> list[str]:
        """A leaf-level per-unit target also applies to its BU when it is the only reporter."""
        return [org, bu_of[org]] if org in bu_of else [org]

    # --- sales: quarterly phased, at the sales departments; parents are sums
    for ind in ("revenue", "order_intake", "gross_profit"):
        leaf_rows: dict[str, list] = defaultdict(list)
        for bu in BUS:
            for year in years:
                for start, end, months in quarters(year):
                    rev = plan_revenue(bu, months, year)
                    margin = BUDGET_MARGIN[bu]
                    if scenario == "forecast":  # H2 re-forecast on the current trend
                        rev = float(
                            trend(bu)[months].mean()
                            * {"industrial": 0.99, "automotive": 0.865, "aerospace": 0.985}[bu]
                        )
                        margin = 0.225 if bu == "automotive" else margin
                    value = {
                        "revenue": rev,
                        "order_intake": rev * BTB[bu],
                        "gross_profit": rev * margin,
                    }[ind]
                    if scenario == "forecast" and start < "2025-07":  # H1 at actuals
                        value = float(np.mean(sim[ind][SALES[bu]][months]))
                    t = round(value, -3)
                    leaf_rows[SALES[bu]].append(
                        (
                            start,
                            end,
                            {
                                "red_flag": round(0.9 * t, -3),
                                "target": t,
                                "stretch": round(1.08 * t, -3),
                            },
                        )
                    )
        # The UK plans in GBP; the budget translates it at the year's planning rate.
        for year in years:
            for start, end, months in quarters(year):
                gbp = uk_plan_gbp(months)
                value = {"revenue": gbp, "order_intake": gbp * UK_BTB, "gross_profit": gbp * 0.24}[
                    ind
                ] / BUDGET_RATE[year]
                if scenario == "forecast" and start < "2025-07":  # H1 at actuals
                    value = uk_actual_eur(ext[ind][UK], months, fx_avg)
                t = round(value, -3)
                leaf_rows[UK].append(
                    (
                        start,
                        end,
                        {
                            "red_flag": round(0.9 * t, -3),
                            "target": t,
                            "stretch": round(1.08 * t, -3),
                        },
                    )
                )
        tg.additive(ind, leaf_rows)

    # --- gross margin: per BU (and its sales department) plus a group row
    for year in years:
        start, end, months = year_span(year)
        rev_sum = gp_sum = 0.0
        for bu in BUS:
            margin = BUDGET_MARGIN[bu] * 100
            if scenario == "forecast" and bu == "automotive":
                margin = 22.5
            rev = plan_revenue(bu, months, year)
            rev_sum, gp_sum = rev_sum + rev, gp_sum + rev * margin / 100
            for org in (SALES[bu], bu):
                tg.add(
                    "gross_margin_pct",
                    org,
                    start,
                    end,
                    red_flag=round(margin - 4, 1),
                    target=round(margin, 1),
                    stretch=round(margin + 3, 1),
                )
        rev = uk_plan_gbp(months) / BUDGET_RATE[year]
        rev_sum, gp_sum = rev_sum + rev, gp_sum + rev * 0.24
        tg.add("gross_margin_pct", UK, start, end, red_flag=20.0, target=24.0, stretch=27.0)
        group = gp_sum / rev_sum * 100
        tg.add(
            "gross_margin_pct",
            "acme",
            start,
            end,
            red_flag=round(group - 4, 1),
            target=round(group, 1),
            stretch=round(group + 3, 1),
        )

    # --- order volumes (formula inputs), yearly at the operations departments
    for ind in ("orders_shipped", "on_time_orders"):
        leaf_rows = defaultdict(list)
        for bu in BUS:
            for year in years:
                start, end, months = year_span(year)
                plan = (
                    float(
                        np.mean(
                            ORDERS_2023[bu]
                            * (1 + GROWTH[bu]) ** TY[months]
                            * SEAS[bu][MONTH[months]]
                        )
                    )
                    * PLAN_FACTOR[bu][year]
                )
                if scenario == "forecast" and bu == "automotive":
                    plan *= 0.88
                plan = round(plan)
                if ind == "orders_shipped":
                    vals = {
                        "red_flag": round(0.9 * plan),
                        "target": plan,
                        "stretch": round(1.05 * plan),
                    }
                else:
                    vals = {
                        "red_flag": round(0.9 * plan),
                        "target": round(0.95 * plan),
                        "stretch": round(0.98 * plan),
                    }
                leaf_rows[OPS[bu]].append((start, end, vals))
        tg.additive(ind, leaf_rows)

    # --- cost per order: per sales department and BU; the group row weights by order plan
    for year in years:
        start, end, months = year_span(year)
        acc = np.zeros(3)
        weight = 0.0
        for bu in BUS:
            org = SALES[bu]
            red, target, stretch = by_year(PER_UNIT["cost_per_order"][org], year)
            if scenario == "forecast" and bu == "automotive":
                red, target, stretch = 100, 92, 85
            orders = ORDERS_2023[bu] * (1 + GROWTH[bu]) ** (year - 2023)
            acc += orders * np.array([red, target, stretch], dtype=float)
            weight += orders
            for o in leaf_bu(org):
                tg.add(
                    "cost_per_order", o, start, end, red_flag=red, target=target, stretch=stretch
                )
        red, target, stretch = acc / weight
        tg.add(
            "cost_per_order",
            "acme",
            start,
            end,
            red_flag=round(red, 1),
            target=round(target, 1),
            stretch=round(stretch, 1),
        )

    # --- other non-additive per-unit targets; the group row is the mean of the units
    forecast_override = {
        ("days_sales_outstanding", "automotive"): (70, 62, 55),
        ("defect_rate_ppm", "automotive_operations"): (500, 350, 250),
        ("service_response_time", "automotive_service"): (8, 6, 4.5),
    }
    for ind in (
        "days_sales_outstanding",
        "order_lead_time",
        "defect_rate_ppm",
        "service_response_time",
    ):
        for year in years:
            start, end, _ = year_span(year)
            acc = np.zeros(3)
            for org, spec in PER_UNIT[ind].items():
                red, target, stretch = by_year(spec, year)
                if scenario == "forecast":
                    red, target, stretch = forecast_override.get((ind, org), (red, target, stretch))
                acc += np.array([red, target, stretch], dtype=float)
                for o in leaf_bu(org):
                    tg.add(ind, o, start, end, red_flag=red, target=target, stretch=stretch)
            red, target, stretch = acc / len(PER_UNIT[ind])
            tg.add(
                ind,
                "acme",
                start,
                end,
                red_flag=round(red, 1),
                target=round(target, 1),
                stretch=round(stretch, 1),
            )

    # --- additive per-unit targets (monthly values); parents are sums
    for ind, spec in ADDITIVE.items():
        leaf_rows = defaultdict(list)
        for org, s in spec.items():
            for year in years:
                start, end, _ = year_span(year)
                red, target, stretch = by_year(s, year)
                if (
                    scenario == "forecast"
                    and org == "automotive_service"
                    and ind == "customer_complaints"
                ):
                    red, target, stretch = 20, 14, 10
                leaf_rows[org].append(
                    (start, end, {"red_flag": red, "target": target, "stretch": stretch})
                )
        tg.additive(ind, leaf_rows)

    leaf_rows = defaultdict(list)
    for org, t in NEW_CUSTOMERS.items():
        for year in years:
            start, end, _ = year_span(year)
            if scenario == "forecast" and org == "automotive_sales":
                t = 1.0
            leaf_rows[org].append((start, end, {"target": t}))
    tg.additive("new_customers", leaf_rows, decimals=1)

    # Scrap cost: planned revenue x (1 - planned yield) x material share.
    leaf_rows = defaultdict(list)
    for bu in BUS:
        fpy = {"industrial": 96.2, "automotive": 95.7, "aerospace": 97.3}[bu]
        for year in years:
            start, end, months = year_span(year)
            t = round(plan_revenue(bu, months, year) * (100 - fpy) / 100 * 0.32, -2)
            if scenario == "forecast" and bu == "automotive":
                t = 95000.0
            leaf_rows[OPS[bu]].append(
                (
                    start,
                    end,
                    {"red_flag": round(1.3 * t, -2), "target": t, "stretch": round(0.8 * t, -2)},
                )
            )
    tg.additive("scrap_cost", leaf_rows)

    # Headcount: the budgeted headcount; red above plan + 5 %. BU-level stock: BU-level plans.
    leaf_rows = defaultdict(list)
    for dept, plan in HEADCOUNT_PLAN.items():
        for k, year in enumerate(YEARS):
            if year not in years:
                continue
            start, end, _ = year_span(year)
            p = plan[k]
            if scenario == "forecast" and dept.startswith("automotive"):
                p = round(p * 0.95)
            leaf_rows[dept].append((start, end, {"red_flag": round(p * 1.05), "target": p}))
    for k, year in enumerate(YEARS):
        if year in years:
            start, end, _ = year_span(year)
            p = UK_HEADCOUNT_PLAN[k]
            leaf_rows[UK].append((start, end, {"red_flag": round(p * 1.05), "target": p}))
    tg.additive("headcount", leaf_rows)

    # Order backlog (context): the planned revenue times each unit's usual cover.
    leaf_rows = defaultdict(list)
    for year in years:
        start, end, months = year_span(year)
        plans = {SALES[bu]: (plan_revenue(bu, months, year), BACKLOG_COVER[bu]) for bu in BUS}
        plans[UK] = (uk_plan_gbp(months) / BUDGET_RATE[year], BACKLOG_COVER[UK])
        for org, (rev, cover) in plans.items():
            t = round(rev * cover, -4)
            if scenario == "forecast" and org == "automotive_sales":
                t = round(0.85 * t, -4)
            leaf_rows[org].append(
                (
                    start,
                    end,
                    {"red_flag": round(0.8 * t, -4), "target": t, "stretch": round(1.15 * t, -4)},
                )
            )
    tg.additive("order_backlog", leaf_rows)

    leaf_rows = defaultdict(list)
    for bu, spec in PIPELINE.items():
        for year in years:
            start, end, _ = year_span(year)
            red, target, stretch = spec[year]
            if scenario == "forecast" and bu == "automotive":
                red, target, stretch = 6, 8, 10
            leaf_rows[bu].append(
                (start, end, {"red_flag": red, "target": target, "stretch": stretch})
            )
    tg.additive("pipeline_projects", leaf_rows)

    # --- progress-scored: baseline -> target -> stretch per unit, group row = mean
    for ind, spec in PROGRESS.items():
        for year in years:
            start, end, _ = year_span(year)
            acc = np.zeros(3)
            for org, (baseline, targets, step) in spec.items():
                target = targets[year]
                acc += np.array([baseline, target, target + step], dtype=float)
                for o in leaf_bu(org):
                    tg.add(
                        ind, o, start, end, baseline=baseline, target=target, stretch=target + step
                    )
            b, t, s = acc / len(spec)
            tg.add(
                ind,
                "acme",
                start,
                end,
                baseline=round(b, 1),
                target=round(t, 1),
                stretch=round(s, 1),
            )

    # --- scale-free: one row for all units
    for ind, (red, target, stretch) in UNIVERSAL.items():
        for year in years:
            start, end, _ = year_span(year)
            tg.add(ind, None, start, end, red_flag=red, target=target, stretch=stretch)
    for year in years:
        start, end, _ = year_span(year)
        tg.add("inventory_days", None, start, end, lower=30, upper=45)

    return tg.csv_rows()


# ---------------------------------------------------------------------------- main


def write_csv(path: Path, columns: list[str], rows: list[dict]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def lag_correlations(sim: dict) -> str:
    """Pooled within-plant correlation of training hours with first-pass yield by lag."""
    out = []
    for k in range(5):
        xs, ys = [], []
        for bu in BUS:
            x = sim["training_hours_per_employee"][OPS[bu]]
            y = sim["first_pass_yield"][OPS[bu]]
            x, y = x[: N - k] - x.mean(), y[k:] - y.mean()
            xs.append(x)
            ys.append(y)
        out.append(f"lag {k}: {np.corrcoef(np.concatenate(xs), np.concatenate(ys))[0, 1]:+.2f}")
    return ", ".join(out)


def write_db(path: Path, rows: list[dict[str, str]]) -> None:
    """The HRIS stand-in: one table of people metrics, written afresh (same rows, same order)."""
    path.unlink(missing_ok=True)

    def number(text: str) -> float | None:
        return float(text) if text != "" else None

    with closing(sqlite3.connect(path)) as db:
        db.execute(
            f"CREATE TABLE {DB_TABLE} (metric TEXT NOT NULL, unit_code TEXT NOT NULL, "
            "month TEXT NOT NULL, value REAL, uom TEXT, numerator REAL, denominator REAL, "
            "PRIMARY KEY (metric, unit_code, month))"
        )
        db.executemany(
            f"INSERT INTO {DB_TABLE} VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    r["indicator"],
                    r["org_unit"],
                    r["period"],
                    number(r["value"]),
                    r["unit"] or None,
                    number(r["numerator"]),
                    number(r["denominator"]),
                )
                for r in rows
            ],
        )
        db.commit()


def event_rows() -> list[dict[str, object]]:
    """The one-time events the evaluation takes out, in the UK ledger's currency."""
    return [
        {
            "indicator": ind,
            "org_unit": UK,
            "period": EVENT_PERIOD,
            "amount": round(EVENT_AMOUNT),
            "unit": "GBP",
            "reason": EVENT_REASON,
        }
        for ind in ("revenue", "gross_profit")
    ]


def build(out: Path) -> dict[str, object]:
    """Write every generated file into ``out``; return a few facts to print."""
    indicators, parent = load_definition(HERE / "acme.yaml")
    rng = np.random.default_rng(SEED)
    sim = simulate(rng)
    fx_rows, fx_avg = fx_rates(np.random.default_rng(FX_SEED))
    rng_ext = np.random.default_rng(UK_SEED)
    ext = simulate_extensions(rng_ext, sim)
    for part in (sim, ext):
        for ind, by_org in part.items():
            if ":" in ind:
                continue
            if ind not in indicators:
                raise SystemExit(f"simulated {ind!r} is not an indicator of acme.yaml")
            for org in by_org:
                if org not in parent:
                    raise SystemExit(f"simulated org unit {org!r} is not in acme.yaml")
    rows = observation_rows(sim, ext, indicators, rng, rng_ext)
    write_csv(
        out / "observations.csv", OBS_COLUMNS, [r for r in rows if r["indicator"] not in HRIS]
    )
    write_db(out / "acme.db", [r for r in rows if r["indicator"] in HRIS])
    write_csv(out / "fx_rates.csv", FX_COLUMNS, fx_rows)
    write_csv(out / "one_time_events.csv", EVENT_COLUMNS, event_rows())
    for scenario in ("budget", "forecast"):
        write_csv(
            out / f"targets_{scenario}.csv",
            TARGET_COLUMNS,
            build_targets(sim, ext, parent, scenario, fx_avg),
        )
    return {
        "rows": len(rows),
        "hris": sum(1 for r in rows if r["indicator"] in HRIS),
        "missing": sum(1 for r in rows if r["value"] == "" and r["numerator"] == ""),
        "lags": lag_correlations(sim),
    }


def main(argv: list[str]) -> None:
    out = Path(argv[0]) if argv else HERE
    facts = build(out)
    print(
        f"{facts['rows']} observations ({facts['hris']} of them in acme.db), "
        f"{facts['missing']} missing values"
    )
    print(f"training hours -> first-pass yield, correlation by lag: {facts['lags']}")


if __name__ == "__main__":
    main(sys.argv[1:])
