"""``scorecard_from_dict(scorecard_to_dict(sc)) == sc``, also through YAML and JSON text."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import attrs
import hypothesis.strategies as st
from hypothesis import HealthCheck, given, settings

from balanced_scorecard.algorithms.rollup import MISSING_POLICIES, ROLLUP_METHODS
from balanced_scorecard.definitions import (
    dump,
    dumps,
    load,
    loads,
    scorecard_from_dict,
    scorecard_to_dict,
)
from balanced_scorecard.model import (
    Assignment,
    CausalLink,
    Classification,
    DataSource,
    Frequency,
    Indicator,
    Initiative,
    LeadLag,
    Objective,
    OrgAggregation,
    OrgChart,
    OrgUnit,
    OutputPolicy,
    Perspective,
    Polarity,
    Role,
    Scorecard,
    Scoring,
    StatusBand,
    Target,
    TargetSet,
    Thresholds,
    Tier,
    TimeAggregation,
    Weight,
)

NAMES = st.from_regex(r"[a-z][a-z0-9_]{0,7}", fullmatch=True)
TEXT = st.text(st.characters(codec="utf-8", categories=("L", "N", "P", "S", "Zs")), max_size=12)
UNITS = st.sampled_from(["EUR", "percent", "day", "count", "dimensionless", "hour", "kEUR"])
PERIODS = st.sampled_from(["2024-12", "2025-01", "2025-06", "2025", "2025-Q3"])
NUMBER = st.floats(-1e9, 1e9, allow_nan=False, allow_infinity=False)
SCORINGS = st.sampled_from(
    [
        Scoring(),
        Scoring(method="ratio", allow_overflow=True),
        Scoring(method="progress"),
        Scoring(method="piecewise", params={"breakpoints": [[0, 0], [5.5, 0.5], [10, 1]]}),
        Scoring(method="zscore", params={"sigma": 2.5}),
        Scoring(method="categorical", params={"scores": {"yes": 1.0, "partly": 0.5, "no": 0}}),
        Scoring(method="expected_path", params={"start": "2025-01-01", "end": "2025-12-31"}),
    ]
)


@st.composite
def weights(draw: st.DrawFn) -> Weight:
    value = draw(st.sampled_from([0.5, 1.0, 2.0, 3.25]))
    changes = draw(st.dictionaries(PERIODS, st.sampled_from([0.0, 1.0, 4.5]), max_size=2))
    return Weight(value=value, changes=changes)


@st.composite
def thresholds(draw: st.DrawFn, polarity: Polarity) -> dict[str, float | None]:
    a, b, c = sorted(draw(st.lists(NUMBER, min_size=3, max_size=3, unique=True)))
    if polarity is Polarity.IN_RANGE:
        values: dict[str, float | None] = {"lower": a, "upper": c, "target": b}
    elif polarity is Polarity.HIGHER_BETTER:
        values = {"red_flag": a, "target": b, "stretch": c}
    else:
        values = {"red_flag": c, "target": b, "stretch": a}
    values["baseline"] = draw(st.none() | NUMBER)
    keep = draw(st.sets(st.sampled_from(sorted(values))))
    return {k: (v if k in keep else None) for k, v in values.items()}


@st.composite
def org_charts(draw: st.DrawFn) -> OrgChart:
    n = draw(st.integers(1, 6))
    parents = [None, *(f"u{draw(st.integers(0, i - 1))}" for i in range(1, n))]
    units = [
        OrgUnit(
            id=f"u{i}",
            name=draw(TEXT),
            parent=parent,
            weight=draw(st.sampled_from([1.0, 0.5, 2.0])),
            tags=draw(st.lists(NAMES, max_size=2)),
        )
        for i, parent in enumerate(parents)
    ]
    return OrgChart(units=draw(st.permutations(units)) if draw(st.booleans()) else units)


@st.composite
def scorecards(draw: st.DrawFn) -> Scorecard:
    perspectives: Any = ()
    if draw(st.booleans()):
        perspectives = [
            Perspective(
                id=f"p{i}",
                name=draw(TEXT),
                weight=draw(weights()),
                rollup=draw(st.sampled_from(ROLLUP_METHODS)),
                description=draw(TEXT),
            )
            for i in range(draw(st.integers(1, 4)))
        ]
    p_ids = [p.id for p in perspectives] or ["financial", "customer"]
    objectives = [
        Objective(
            id=f"o{i}",
            name=draw(TEXT),
            perspective=draw(st.sampled_from(p_ids)),
            weight=draw(weights()),
            rollup=draw(st.sampled_from(ROLLUP_METHODS)),
            parent=draw(st.none() | st.sampled_from([f"o{j}" for j in range(i)] or [None])),
            tier=draw(st.sampled_from(Tier)),
            tags=draw(st.lists(NAMES, max_size=2)),
        )
        for i in range(draw(st.integers(0, 4)))
    ]
    indicators = []
    for i in range(draw(st.integers(0, 6)) if objectives else 0):
        polarity = draw(st.sampled_from(Polarity))
        plain = [ind.id for ind in indicators if ind.formula is None]
        formula = f"{plain[0]} * 2 + 1" if plain and draw(st.booleans()) else None
        time_aggregation = draw(st.sampled_from(TimeAggregation))
        extra: dict[str, Any] = {}
        if draw(st.booleans()):
            extra["org_aggregation"] = draw(st.sampled_from(OrgAggregation))
        indicators.append(
            Indicator(
                id=f"i{i}",
                name=draw(TEXT),
                objective=draw(st.sampled_from([o.id for o in objectives])),
                unit=draw(UNITS),
                polarity=polarity,
                lead_lag=draw(st.sampled_from(LeadLag)),
                frequency=draw(st.sampled_from(Frequency)),
                time_aggregation=time_aggregation,
                formula=formula,
                scoring=draw(SCORINGS),
                thresholds=Thresholds(**draw(thresholds(polarity))),
                weight=draw(weights()),
                tier=draw(st.sampled_from(Tier)),
                tags=draw(st.lists(NAMES, max_size=2)),
                description=draw(TEXT),
                classification=draw(st.none() | st.sampled_from(Classification)),
                **extra,
            )
        )
    if draw(st.booleans()):  # grouped by objective, so they can be nested
        order = {o.id: k for k, o in enumerate(objectives)}
        indicators.sort(key=lambda ind: order[ind.objective])
    chart = draw(org_charts()) if draw(st.booleans()) else OrgChart()
    measurable = [o.id for o in objectives] + [ind.id for ind in indicators]
    links = []
    for _ in range(draw(st.integers(0, 4)) if len(measurable) > 1 else 0):
        a, b = sorted(
            draw(
                st.lists(
                    st.sampled_from(range(len(measurable))), min_size=2, max_size=2, unique=True
                )
            )
        )
        feedback = draw(st.booleans())
        cause, effect = (
            (measurable[b], measurable[a]) if feedback else (measurable[a], measurable[b])
        )
        links.append(
            CausalLink(
                cause=cause,
                effect=effect,
                sign=draw(st.sampled_from(["+", "-"])),
                weight=draw(st.sampled_from([0.0, 0.5, 1.0])),
                lag=draw(st.integers(0, 3)),
                feedback=feedback,
                description=draw(TEXT),
            )
        )
    initiatives = [
        Initiative(
            id=f"x{i}",
            name=draw(TEXT),
            objectives=draw(st.lists(st.sampled_from([o.id for o in objectives]), max_size=2))
            if objectives
            else (),
            owner=draw(st.none() | NAMES),
            start=draw(st.none() | PERIODS),
            end=draw(st.none() | PERIODS),
            budget=draw(st.none() | NUMBER),
            status=draw(st.sampled_from(["planned", "active", "done"])),
        )
        for i in range(draw(st.integers(0, 2)))
    ]
    nodes = [*p_ids[: len(perspectives)], *measurable, *(x.id for x in initiatives)]
    assignments = [
        Assignment(
            role=draw(st.sampled_from(Role)),
            person=draw(NAMES),
            node=draw(st.sampled_from(nodes)),
            org_unit=draw(st.none() | st.sampled_from(chart.ids)),
        )
        for _ in range(draw(st.integers(0, 5)) if nodes else 0)
    ]
    if assignments and draw(st.booleans()):  # in reading order, so shortcuts can be used
        order = {n: k for k, n in enumerate(measurable)}
        roles = list(Role)
        assignments.sort(
            key=lambda a: (
                a.org_unit is not None or a.node not in order,
                order.get(a.node, 0),
                roles.index(a.role),
            )
        )
    target_sets = []
    names = draw(st.lists(NAMES, unique=True, max_size=2))
    if draw(st.booleans()):
        names = ["default", *(n for n in names if n != "default")]
    for k, name in enumerate(names):
        rows = []
        for _ in range(draw(st.integers(0, 3)) if indicators else 0):
            ind = draw(st.sampled_from(indicators))
            start = draw(st.none() | PERIODS)
            rows.append(
                Target(
                    indicator=ind.id,
                    org_unit=draw(st.none() | st.sampled_from(chart.ids)),
                    start=start,
                    end=start if draw(st.booleans()) else draw(st.none() | PERIODS),
                    **draw(thresholds(ind.polarity)),
                )
            )
        provenance = "inline" if k == 0 and name == "default" else draw(TEXT)
        target_sets.append(TargetSet(name=name, provenance=provenance, targets=rows))
    bands: Any = ()
    if draw(st.booleans()):
        lowers = draw(st.lists(st.floats(0.01, 1), unique=True, max_size=3))
        bands = [
            StatusBand(name=f"s{j}", lower=lower, color=draw(TEXT), is_good=draw(st.booleans()))
            for j, lower in enumerate([0.0, *lowers])
        ]
    sources = [
        DataSource(
            id=f"d{j}",
            uri=draw(st.sampled_from([f"d{j}.csv", f"csv:data/d{j}.csv", "sqlite:///x.db"])),
            options=draw(
                st.dictionaries(NAMES, st.integers() | TEXT | st.lists(NAMES), max_size=2)
            ),
            description=draw(TEXT),
            classification=draw(st.sampled_from(Classification)),
            fields=draw(st.dictionaries(NAMES, st.sampled_from(Classification), max_size=2)),
        )
        for j in range(draw(st.integers(0, 2)))
    ]
    ceilings = st.sampled_from(list(Classification)[:3])
    output_policy = OutputPolicy(
        default=draw(ceilings), roles=draw(st.dictionaries(st.sampled_from(Role), ceilings))
    )
    kwargs: dict[str, Any] = {"perspectives": perspectives} if perspectives else {}
    if bands:
        kwargs["status_bands"] = bands
    frequency = draw(st.sampled_from(Frequency))
    # Weeks need a retail calendar; calendar months fit every other review frequency.
    specs = [None, "retail:4-4-5:jan:sat:last", "retail:4-5-4:feb:sat:nearest:start"]
    if frequency is not Frequency.WEEKLY:
        specs += ["fiscal:4", "fiscal:7:start"]
    return Scorecard(
        id=draw(NAMES),
        name=draw(TEXT),
        description=draw(TEXT),
        review_frequency=frequency,
        calendar=draw(st.sampled_from(specs)),
        objectives=objectives,
        indicators=indicators,
        links=links,
        org_chart=chart,
        assignments=assignments,
        initiatives=initiatives,
        target_sets=target_sets,
        rollup=draw(st.sampled_from(ROLLUP_METHODS)),
        missing=draw(st.sampled_from(MISSING_POLICIES)),
        sources=sources,
        output_policy=output_policy,
        **kwargs,
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scorecards())
def test_round_trip_through_a_dict(sc: Scorecard) -> None:
    assert scorecard_from_dict(scorecard_to_dict(sc)) == sc


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scorecards(), st.sampled_from(["yaml", "json"]))
def test_round_trip_through_text(sc: Scorecard, fmt: str) -> None:
    assert loads(dumps(sc, fmt), format=fmt) == sc


def test_acme_round_trip_through_files(tmp_path: Path, acme: dict[str, Any]) -> None:
    sc = scorecard_from_dict(acme)
    for name in ("acme.yaml", "acme.json"):
        dump(sc, tmp_path / name)
        assert load(tmp_path / name) == sc


def test_output_is_tidy(acme: dict[str, Any]) -> None:
    out = scorecard_to_dict(scorecard_from_dict(acme))
    assert "perspectives" not in out  # the defaults
    assert "status_bands" not in out
    grow = out["objectives"][0]
    assert grow["owner"] == "cfo"
    assert grow["contributors"] == ["ann", "bob"]
    revenue = grow["indicators"][0]
    assert revenue == {
        "id": "revenue",
        "name": "Revenue",
        "unit": "EUR",
        "time_aggregation": "sum",
        "thresholds": {"red_flag": 1000, "target": 1200},
        "data_steward": "dave",
    }
    assert out["org_units"][0]["children"][1] == {"id": "bu_south", "name": "South", "weight": 2}
    assert out["targets"] == [
        {
            "indicator": "revenue",
            "org_unit": "bu_north",
            "period": "2025-03",
            "red_flag": 80,
            "target": 100,
        }
    ]


def test_flat_forms_when_nesting_would_reorder() -> None:
    objectives = [
        Objective(id="a", perspective="financial"),
        Objective(id="b", perspective="customer"),
    ]
    sc = Scorecard(
        id="x",
        objectives=objectives,
        indicators=[Indicator(id="ib", objective="b"), Indicator(id="ia", objective="a")],
        org_chart=OrgChart(units=[OrgUnit(id="n", parent="hq"), OrgUnit(id="hq")]),
        assignments=[
            Assignment(role="owner", person="p", node="b"),
            Assignment(role="owner", person="q", node="a"),
        ],
    )
    out = scorecard_to_dict(sc)
    assert "indicators" not in out["objectives"][0]
    assert [i["objective"] for i in out["indicators"]] == ["b", "a"]
    assert out["org_units"] == [{"id": "n", "parent": "hq"}, {"id": "hq"}]
    assert len(out["assignments"]) == 2
    assert scorecard_from_dict(out) == sc
    nested = attrs.evolve(sc, indicators=sc.indicators[::-1], assignments=sc.assignments[::-1])
    out = scorecard_to_dict(nested)
    assert [i["id"] for i in out["objectives"][0]["indicators"]] == ["ia"]
    assert out["objectives"][0]["owner"] == "q"
    assert scorecard_from_dict(out) == nested


def test_yaml_text_reads_well(acme: dict[str, Any]) -> None:
    text = dumps(scorecard_from_dict(acme))
    assert text.startswith("id: acme\nname: Acme Corporation\n")
    assert "breakpoints: [[0, 0], [10, 1]]" in text
    assert "contributors: [ann, bob]" in text
