#!/usr/bin/env python
"""Self-check of the Acme example files, without the library.

Checks that the committed files are exactly what generate.py writes (the CSV files byte for
byte, acme.db table by table: a SQLite file is not byte-stable), and that acme.yaml, the
observations (observations.csv and the HRIS table in acme.db), the FX rates, the one-time
events and the target CSVs agree with each other:

* every indicator and org unit named in a CSV or the database exists in the YAML;
* units are from the example's list, and a reported unit has the declared unit's dimension;
  an amount in another currency (the UK's GBP) has an fx adjustment with rates in its month;
* every one-time event meets exactly one observation, in the observation's unit;
* every source file exists, and SQL sources bind each :placeholder through params;
* threshold ordering matches polarity (inline thresholds and every target row), progress
  targets move away from their baseline, piecewise breakpoints increase;
* formulas only reference existing indicator ids; links reference objectives or indicators;
* no duplicate (indicator, org_unit, period) observation and no duplicate target span;
* ratio rows: value = numerator / denominator; categorical values are known labels;
* additive indicators: a parent's target equals the sum of its children's rows;
* the counts the example promises (objectives, indicators, links, owners, missing share).

Run:  python examples/acme/check_files.py   (exit status 1 on any problem)
"""

from __future__ import annotations

import ast
import csv
import math
import re
import sqlite3
import sys
import tempfile
from collections import Counter, defaultdict
from contextlib import closing
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
UNITS = {
    "EUR",
    "GBP",
    "kEUR",
    "percent",
    "day",
    "count",
    "hour",
    "person",
    "ppm",
    "dimensionless",
    "score_point",
}
DIMENSION = {
    "EUR": "money",
    "GBP": "money",
    "kEUR": "money",
    "day": "time",
    "hour": "time",
    "percent": "ratio",
    "dimensionless": "ratio",
    "ppm": "ratio",
    "count": "count",
    "person": "count",
    "score_point": "count",
}
PERSPECTIVES = ["financial", "customer", "internal_process", "learning_growth"]
FORMULA_FUNCTIONS = {"abs", "min", "max", "if_"}

PEOPLE_KEYS = {"owner", "data_steward", "review_facilitator", "executive_sponsor", "contributors"}
KEYS = {
    "scorecard": {
        "$schema",
        "id",
        "name",
        "description",
        "review_frequency",
        "rollup",
        "missing",
        "status_bands",
        "perspectives",
        "org_units",
        "objectives",
        "indicators",
        "links",
        "initiatives",
        "assignments",
        "targets",
        "target_sets",
        "sources",
        "adjustments",
    },
    "org_unit": {"id", "name", "parent", "weight", "tags", "children"},
    "objective": {
        "id",
        "name",
        "perspective",
        "weight",
        "rollup",
        "parent",
        "org_unit",
        "tier",
        "tags",
        "description",
        "indicators",
    }
    | PEOPLE_KEYS,
    "indicator": {
        "id",
        "name",
        "objective",
        "unit",
        "polarity",
        "lead_lag",
        "frequency",
        "time_aggregation",
        "org_aggregation",
        "formula",
        "scoring",
        "thresholds",
        "weight",
        "tier",
        "tags",
        "description",
    }
    | PEOPLE_KEYS,
    "thresholds": {"baseline", "red_flag", "target", "stretch", "lower", "upper"},
    "link": {"cause", "effect", "sign", "weight", "lag", "feedback", "description"},
    "initiative": {
        "id",
        "name",
        "objectives",
        "owner",
        "start",
        "end",
        "budget",
        "status",
        "description",
    },
    "target_set": {"name", "provenance", "file", "targets"},
    "source": {"id", "uri", "options", "description"},
    "adjustment": {"adjuster", "options", "description"},
}
# Currencies the indicators are declared in; any other currency needs the fx adjustment.
GROUP_CURRENCY = "EUR"
GENERATED = (
    "observations.csv",
    "fx_rates.csv",
    "one_time_events.csv",
    "targets_budget.csv",
    "targets_forecast.csv",
)

problems: list[str] = []


def check_keys(item: object, section: str, where: str) -> None:
    """Unknown keys are usually typos, or a comma inside an unquoted flow-style value."""
    if not isinstance(item, dict):
        problem(f"{where}: expected a mapping, got {item!r}")
        return
    for key in set(item) - KEYS[section]:
        problem(f"{where}: unknown key {key!r} (quote values that contain commas)")


def problem(msg: str) -> None:
    problems.append(msg)


def number(text: str) -> float | None:
    return None if text in ("", None) else float(text)


def order_problems(vals: dict[str, float | None], polarity: str, where: str) -> None:
    rf, tg, st = vals.get("red_flag"), vals.get("target"), vals.get("stretch")
    bl, lo, up = vals.get("baseline"), vals.get("lower"), vals.get("upper")
    if polarity == "in_range":
        if lo is not None and up is not None and not lo < up:
            problem(f"{where}: lower {lo} must be below upper {up}")
        return
    hb = polarity == "higher_better"
    if rf is not None and tg is not None and not (rf < tg if hb else rf > tg):
        problem(f"{where}: red_flag {rf} vs target {tg} contradicts {polarity}")
    if st is not None and tg is not None and not (st >= tg if hb else st <= tg):
        problem(f"{where}: stretch {st} vs target {tg} contradicts {polarity}")
    if bl is not None and tg is not None and not (bl < tg if hb else bl > tg):
        problem(f"{where}: baseline {bl} vs target {tg} contradicts {polarity}")


def db_tables(path: Path) -> dict[str, tuple[str, list[tuple]]]:
    """Each table of a SQLite file: its CREATE statement and its rows in key order."""
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
        tables = db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table'").fetchall()
        return {
            name: (sql, db.execute(f'SELECT * FROM "{name}" ORDER BY 1, 2, 3').fetchall())
            for name, sql in sorted(tables)
        }


def check_generated() -> None:
    """The committed files are what generate.py writes now (run it again when they are not)."""
    sys.path.insert(0, str(HERE))
    import generate  # next to this file; needs numpy and PyYAML

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        generate.build(out)
        for name in GENERATED:
            if (out / name).read_bytes() != (HERE / name).read_bytes():
                problem(f"{name} differs from what generate.py writes; run generate.py")
        if db_tables(out / "acme.db") != db_tables(HERE / "acme.db"):
            problem("acme.db's tables differ from what generate.py writes; run generate.py")


def read_db_observations(path: Path, source: dict) -> list[dict[str, str]]:
    """The rows the SQL source reads, as observation rows of text like the CSV's."""
    options = source.get("options", {}) or {}
    query, params = options.get("query", ""), options.get("params", {}) or {}
    for name in set(re.findall(r":([A-Za-z_]\w*)", query)) - set(params):
        problem(f"source {source['id']}: the query's :{name} has no value in params")
    renames = options.get("columns", {}) or {}
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
        cursor = db.execute(query, params)
        names = [renames.get(d[0], d[0]) for d in cursor.description]
        rows = cursor.fetchall()

    def text(v: object) -> str:
        if v is None:
            return ""
        return str(int(v)) if isinstance(v, float) and v.is_integer() else str(v)

    out = []
    for row in rows:
        rec = {
            "numerator": "",
            "denominator": "",
            "unit": "",
            **dict(zip(names, map(text, row), strict=True)),
        }
        out.append(rec)
    return out


def main() -> int:
    doc = yaml.safe_load((HERE / "acme.yaml").read_text(encoding="utf-8"))
    check_generated()

    # --- keys of every section
    check_keys(doc, "scorecard", "acme.yaml")
    for sec, key in (
        ("link", "links"),
        ("initiative", "initiatives"),
        ("target_set", "target_sets"),
        ("source", "sources"),
        ("adjustment", "adjustments"),
    ):
        for k, item in enumerate(doc.get(key, []) or []):
            check_keys(item, sec, f"{key}[{k}]")
    for obj in doc.get("objectives", []):
        check_keys(obj, "objective", f"objective {obj.get('id')}")
        for ind in obj.get("indicators", []) or []:
            check_keys(ind, "indicator", f"indicator {ind.get('id')}")
            if "thresholds" in ind:
                check_keys(ind["thresholds"], "thresholds", f"indicator {ind.get('id')} thresholds")

    def check_units(units: list[dict]) -> None:
        for u in units:
            check_keys(u, "org_unit", f"org unit {u.get('id')}")
            check_units(u.get("children", []) or [])

    check_units(doc.get("org_units", []))

    # --- org chart
    parent: dict[str, str | None] = {}

    def walk(units: list[dict], up: str | None) -> None:
        for u in units:
            if u["id"] in parent:
                problem(f"org unit {u['id']!r} defined twice")
            parent[u["id"]] = up
            walk(u.get("children", []) or [], u["id"])

    walk(doc["org_units"], None)
    children: dict[str, list[str]] = defaultdict(list)
    for org, up in parent.items():
        if up is not None:
            children[up].append(org)
    roots = [o for o, p in parent.items() if p is None]
    if len(roots) != 1:
        problem(f"org chart needs one root, found {roots}")

    # --- objectives and indicators
    objectives = {o["id"]: o for o in doc["objectives"]}
    indicators: dict[str, dict] = {}
    for obj in doc["objectives"]:
        if obj["perspective"] not in PERSPECTIVES:
            problem(f"objective {obj['id']}: unknown perspective {obj['perspective']!r}")
        if not obj.get("owner"):
            problem(f"objective {obj['id']} has no owner")
        inds = obj.get("indicators", [])
        if inds and all(float(i.get("weight", 1)) == 0 for i in inds):
            problem(f"objective {obj['id']}: all indicator weights are zero")
        for ind in inds:
            if ind["id"] in indicators or ind["id"] in objectives:
                problem(f"id {ind['id']!r} used twice")
            indicators[ind["id"]] = {**ind, "objective": obj["id"]}
    for p in PERSPECTIVES:
        ws = [float(o.get("weight", 1)) for o in doc["objectives"] if o["perspective"] == p]
        if not ws or sum(ws) == 0:
            problem(f"perspective {p}: no objective with a positive weight")

    for iid, ind in indicators.items():
        unit = ind.get("unit", "dimensionless")
        if unit not in UNITS:
            problem(f"indicator {iid}: unit {unit!r} not in {sorted(UNITS)}")
        polarity = ind.get("polarity", "higher_better")
        order_problems(ind.get("thresholds", {}) or {}, polarity, f"indicator {iid} thresholds")
        scoring = ind.get("scoring", "goal_red_flag")
        method = scoring["method"] if isinstance(scoring, dict) else scoring
        if method == "band" and polarity != "in_range":
            problem(f"indicator {iid}: band scoring on a {polarity} indicator")
        if polarity == "in_range" and method != "band":
            problem(f"indicator {iid}: in_range indicator not scored with band")
        if method == "piecewise":
            bps = scoring["breakpoints"]
            xs, ss = [b[0] for b in bps], [b[1] for b in bps]
            if xs != sorted(xs) or len(set(xs)) != len(xs):
                problem(f"indicator {iid}: piecewise values must increase: {xs}")
            if not all(0 <= s <= 1 for s in ss):
                problem(f"indicator {iid}: piecewise scores outside [0, 1]")
            if (ss != sorted(ss)) if polarity == "higher_better" else (ss != sorted(ss)[::-1]):
                problem(f"indicator {iid}: piecewise scores do not follow polarity {polarity}")
        if ind.get("formula"):
            tree = ast.parse(ind["formula"], mode="eval")
            names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
            for name in names - FORMULA_FUNCTIONS:
                if name not in indicators and name not in {
                    i["id"] for o in doc["objectives"] for i in o.get("indicators", [])
                }:
                    problem(f"indicator {iid}: formula references unknown id {name!r}")

    # --- links and initiatives
    order = {p: k for k, p in enumerate(PERSPECTIVES)}

    def perspective_of(node: str) -> str | None:
        if node in objectives:
            return objectives[node]["perspective"]
        if node in indicators:
            return objectives[indicators[node]["objective"]]["perspective"]
        return None

    for k, link in enumerate(doc.get("links", [])):
        pc, pe = perspective_of(link["cause"]), perspective_of(link["effect"])
        if pc is None or pe is None:
            problem(f"link {k}: unknown cause/effect {link['cause']!r} -> {link['effect']!r}")
            continue
        if order[pc] < order[pe]:
            problem(
                f"link {k}: {link['cause']} ({pc}) -> {link['effect']} ({pe}) runs down the map"
            )
        if not 0 <= int(link.get("lag", 0)) <= 3:
            problem(f"link {k}: lag {link.get('lag')} outside 0..3")
        if str(link.get("sign", "+")) not in {"+", "-"}:
            problem(f"link {k}: sign {link.get('sign')!r}")
    for ini in doc.get("initiatives", []):
        for o in ini.get("objectives", []):
            if o not in objectives:
                problem(f"initiative {ini['id']}: unknown objective {o!r}")

    # --- observations: every source of the definition (a CSV file, the SQLite HRIS)
    obs_path = HERE / "observations.csv"
    obs: list[dict[str, str]] = []
    db_rows = 0
    for source in doc.get("sources", []):
        uri = source["uri"]
        scheme, _, rest = uri.partition(":")
        if scheme == "csv":
            with (HERE / rest).open(newline="", encoding="utf-8") as fh:
                obs.extend(csv.DictReader(fh))
        elif scheme == "sqlite":
            path = HERE / rest.removeprefix("///")
            if not path.exists():
                problem(f"source {source['id']}: {path.name} does not exist")
                continue
            rows = read_db_observations(path, source)
            db_rows += len(rows)
            obs.extend(rows)
        else:
            problem(f"source {source['id']}: unexpected URI scheme in {uri!r}")
    keys = Counter((r["indicator"], r["org_unit"], r["period"]) for r in obs)
    for key, n in keys.items():
        if n > 1:
            problem(f"duplicate observation {key} ({n} rows)")
    missing = 0
    periods = set()
    for i, r in enumerate(obs, start=2):
        where = f"observations.csv line {i}"
        ind = indicators.get(r["indicator"])
        if ind is None:
            problem(f"{where}: unknown indicator {r['indicator']!r}")
            continue
        if r["org_unit"] not in parent:
            problem(f"{where}: unknown org unit {r['org_unit']!r}")
        if ind.get("formula"):
            problem(f"{where}: observation of calculated indicator {r['indicator']}")
        periods.add(r["period"])
        scoring = ind.get("scoring")
        if isinstance(scoring, dict) and scoring.get("method") == "categorical":
            if r["value"] not in {str(k) for k in scoring["scores"]}:
                problem(f"{where}: category {r['value']!r} not in {list(scoring['scores'])}")
            continue
        unit = r["unit"]
        if unit and unit not in UNITS:
            problem(f"{where}: unit {unit!r} not in the list")
        elif unit and DIMENSION[unit] != DIMENSION[ind.get("unit", "dimensionless")]:
            problem(f"{where}: unit {unit!r} cannot convert to {ind['unit']!r}")
        value, num, den = number(r["value"]), number(r["numerator"]), number(r["denominator"])
        if ind.get("time_aggregation") == "ratio_of_sums":
            if den is None:
                problem(f"{where}: ratio row without denominator")
            if (
                value is not None
                and num is not None
                and den
                and not math.isclose(value, num / den, rel_tol=0, abs_tol=0.006)
            ):
                problem(f"{where}: value {value} != {num}/{den}")
            if value is None and num is None:
                missing += 1
        elif value is None:
            missing += 1
    expected = {f"{y}-{m:02d}" for y in (2023, 2024, 2025) for m in range(1, 13)}
    if periods != expected:
        problem(
            f"periods in observations: {sorted(periods ^ expected)[:5]} differ from "
            "2023-01..2025-12"
        )
    share = missing / len(obs)
    if not 0.005 <= share <= 0.02:
        problem(f"missing share {share:.1%} is not about 1 %")
    observed = {r["indicator"] for r in obs}
    for iid, ind in indicators.items():
        if not ind.get("formula") and iid not in observed:
            problem(f"indicator {iid} has no observations")

    # --- adjustments: other currencies need FX rates in their months; events need a row
    steps = {a["adjuster"]: a.get("options", {}) or {} for a in doc.get("adjustments", [])}
    foreign = {
        (r["unit"], r["period"])
        for r in obs
        if r["unit"] and DIMENSION.get(r["unit"]) == "money" and r["unit"] not in ("EUR", "kEUR")
    }
    if foreign and "fx" not in steps:
        problem(f"amounts in {sorted({u for u, _ in foreign})} but no fx adjustment declared")
    if "fx" in steps:
        if steps["fx"].get("base") != GROUP_CURRENCY:
            problem(f"the fx adjustment's base should be {GROUP_CURRENCY}")
        with (HERE / steps["fx"]["rates"]).open(newline="", encoding="utf-8") as fh:
            rated = {(r["currency"], r["date"][:7]) for r in csv.DictReader(fh)}
        for unit, period in sorted(foreign - rated):
            problem(f"{unit} amounts in {period} but fx_rates.csv has no {unit} rate that month")
    if "one_time" in steps:
        cells = Counter((r["indicator"], r["org_unit"], r["period"]) for r in obs)
        units = {(r["indicator"], r["org_unit"], r["period"]): r["unit"] for r in obs}
        with (HERE / steps["one_time"]["events"]).open(newline="", encoding="utf-8") as fh:
            for i, e in enumerate(csv.DictReader(fh), start=2):
                key = (e["indicator"], e["org_unit"], e["period"])
                where = f"{steps['one_time']['events']} line {i}"
                if cells[key] != 1:
                    problem(f"{where}: event {key} meets {cells[key]} observation(s), not one")
                elif e["unit"] and e["unit"] != units[key]:
                    problem(f"{where}: amount in {e['unit']}, the observation in {units[key]}")
                if number(e["amount"]) is None or not e["reason"].strip():
                    problem(f"{where}: an event needs an amount and a reason")

    # --- targets
    polarity = {iid: ind.get("polarity", "higher_better") for iid, ind in indicators.items()}
    for ts in doc.get("target_sets", []):
        path = HERE / ts["file"]
        with path.open(newline="", encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
        spans = Counter((r["indicator"], r["org_unit"], r["start"], r["end"]) for r in rows)
        for key, n in spans.items():
            if n > 1:
                problem(f"{path.name}: duplicate target row {key}")
        values: dict[tuple[str, str, str, str], dict[str, float | None]] = {}
        for i, r in enumerate(rows, start=2):
            where = f"{path.name} line {i}"
            if r["indicator"] not in indicators:
                problem(f"{where}: unknown indicator {r['indicator']!r}")
                continue
            if r["org_unit"] and r["org_unit"] not in parent:
                problem(f"{where}: unknown org unit {r['org_unit']!r}")
            if not (r["start"] <= r["end"]):
                problem(f"{where}: start {r['start']} after end {r['end']}")
            vals = {
                f: number(r[f])
                for f in ("baseline", "red_flag", "target", "stretch", "lower", "upper")
            }
            order_problems(vals, polarity[r["indicator"]], where)
            values[(r["indicator"], r["org_unit"], r["start"], r["end"])] = vals
        # Additive indicators: parent = sum of the children that have a row.
        for (iid, org, start, end), vals in values.items():
            ind = indicators[iid]
            if ind.get("org_aggregation") != "sum" or not org or org not in children:
                continue
            kids = [values.get((iid, c, start, end)) for c in children[org]]
            kids = [k for k in kids if k is not None]
            if not kids:
                continue
            for f, v in vals.items():
                if v is None:
                    continue
                total = sum(k[f] or 0.0 for k in kids)
                if not math.isclose(v, total, rel_tol=1e-9, abs_tol=1e-6):
                    problem(
                        f"{path.name}: {iid} {org} {start}..{end} {f} {v} != children's sum {total}"
                    )

    # --- the counts the example promises
    n_obj, n_ind, n_links = len(objectives), len(indicators), len(doc.get("links", []))
    unowned = [i for i, ind in indicators.items() if not ind.get("owner")]
    if not 13 <= n_obj <= 16:
        problem(f"{n_obj} objectives; the example promises 13-16")
    if not 32 <= n_ind <= 40:
        problem(f"{n_ind} indicators; the example promises 32-40")
    if n_links < 12:
        problem(f"{n_links} links; the example promises 12+")
    if not 1 <= len(unowned) <= 2:
        problem(f"indicators without owner: {unowned}; the example leaves exactly one or two")

    size = obs_path.stat().st_size
    if size > 3_000_000:
        problem(f"observations.csv is {size} bytes; keep it under ~3 MB")

    print(
        f"acme.yaml: {n_obj} objectives, {n_ind} indicators, {n_links} links, "
        f"{len(parent)} org units; without owner: {', '.join(unowned)}"
    )
    print(
        f"observations: {len(obs)} rows ({db_rows} from acme.db), {missing} missing "
        f"({share:.1%}); observations.csv {size} bytes"
    )
    if problems:
        print(f"{len(problems)} problem(s):")
        for p in problems:
            print(f"  - {p}")
        return 1
    print("all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
