"""Cascade alignment and target conflicts: each rule on small hand-worked definitions.

Every number asserted below is worked out by hand in the comment next to it; no reference
data is needed (the rules are arithmetic on the definition, not statistics).
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from balanced_scorecard.algorithms.alignment import (
    ALIGNMENT_RULES,
    alignment_findings,
    cascade_broken_chain,
    cascade_orphan,
    conflicting_polarity,
    measure_groups,
    ratio_target_unreachable,
    redundant_indicator,
    target_below_baseline,
    targets_do_not_add_up,
)
from balanced_scorecard.algorithms.findings import Finding, Severity, findings_frame
from balanced_scorecard.definitions import loads
from balanced_scorecard.exceptions import DefinitionError, ModelError, UnknownMethodError
from balanced_scorecard.model import Scorecard

# hq -> {north -> {north_sales}, south}
CHART = """
org_units:
  - id: hq
    children:
      - id: north
        children: [{id: north_sales}]
      - id: south
"""


def _sc(body: str) -> Scorecard:
    return loads("id: demo\n" + CHART + body, format="yaml")


def _rules(findings: list[Finding]) -> list[str]:
    return [f.rule for f in findings]


# -- cascade-orphan -----------------------------------------------------------------------------

CASCADE = """
objectives:
  - {id: grow, perspective: financial}
  - {id: grow_north, perspective: financial, org_unit: north, parent: grow}
  - {id: grow_north_sales, perspective: financial, org_unit: north_sales, parent: grow_north}
  - {id: grow_south, perspective: financial, org_unit: south, parent: grow}
"""


def test_a_well_formed_cascade_has_no_findings() -> None:
    assert alignment_findings(_sc(CASCADE)) == []


def test_a_unit_objective_without_parent_is_an_orphan_and_the_fix_names_candidates() -> None:
    sc = _sc(CASCADE + "  - {id: keep_costs, perspective: financial, org_unit: south}\n")
    [f] = cascade_orphan(sc)
    assert (f.rule, f.severity, f.nodes, f.org_units) == (
        "cascade-orphan",
        Severity.WARNING,
        ("keep_costs",),
        ("south",),
    )
    # Candidates: financial objectives in an ancestor of 'south' (only 'hq' holds 'grow').
    assert "e.g. 'grow'" in f.fix


def test_enterprise_objectives_and_root_unit_objectives_are_not_orphans() -> None:
    sc = _sc(
        "objectives:\n"
        "  - {id: grow, perspective: financial}\n"
        "  - {id: lead, perspective: customer, org_unit: hq}\n"
    )
    assert cascade_orphan(sc) == []


# -- cascade-broken-chain -----------------------------------------------------------------------


def test_a_sideways_step_is_reported_with_the_chain() -> None:
    # grow_south (south) cascades from grow_north (north): 'north' is a sibling of 'south'.
    sc = _sc(
        CASCADE.replace("org_unit: south, parent: grow", "org_unit: south, parent: grow_north")
    )
    [f] = cascade_broken_chain(sc)
    assert f.severity is Severity.ERROR
    assert f.nodes == ("grow_south", "grow_north")
    assert f.org_units == ("south", "north")
    assert "sideways" in f.message
    assert "'grow' (enterprise) → 'grow_north' (unit 'north') → 'grow_south' (unit 'south')" in (
        f.message
    )


def test_a_downward_step_is_reported() -> None:
    # grow_north (north) cascades from grow_north_sales (north_sales), a unit below it.
    sc = _sc(
        "objectives:\n"
        "  - {id: grow_north_sales, perspective: financial, org_unit: north_sales}\n"
        "  - {id: grow_north, perspective: financial, org_unit: north, "
        "parent: grow_north_sales}\n"
    )
    rules = [(f.rule, "downward" in f.message) for f in cascade_broken_chain(sc)]
    # The downward step, then the chain whose top ('grow_north_sales') is not the enterprise.
    assert rules == [("cascade-broken-chain", True), ("cascade-broken-chain", False)]


def test_a_chain_that_stops_at_a_unit_objective_is_reported_once_per_top() -> None:
    sc = _sc(
        "objectives:\n"
        "  - {id: grow_north, perspective: financial, org_unit: north}\n"
        "  - {id: a, perspective: financial, org_unit: north_sales, parent: grow_north}\n"
        "  - {id: b, perspective: customer, org_unit: north_sales, parent: grow_north}\n"
    )
    [f] = cascade_broken_chain(sc)
    assert f.nodes == ("a", "b", "grow_north")
    assert f.severity is Severity.WARNING
    assert "'grow_north' of unit 'north', which has no parent" in f.message
    # And the top itself is an orphan.
    assert [x.nodes for x in cascade_orphan(sc)] == [("grow_north",)]


def test_a_parent_cycle_is_reported_once() -> None:
    sc = _sc(
        "objectives:\n"
        "  - {id: a, perspective: financial, org_unit: north, parent: b}\n"
        "  - {id: b, perspective: financial, org_unit: north, parent: a}\n"
        "  - {id: c, perspective: financial, org_unit: north_sales, parent: a}\n"
    )
    [f] = cascade_broken_chain(sc)
    assert f.severity is Severity.ERROR
    assert f.nodes == ("a", "b")
    assert "cycle" in f.message


def test_a_self_parent_is_a_cycle() -> None:
    sc = _sc("objectives:\n  - {id: a, perspective: financial, parent: a}\n")
    [f] = cascade_broken_chain(sc)
    assert f.nodes == ("a",)
    assert "'a' → 'a'" in f.message


# -- redundant-indicator and conflicting-polarity -----------------------------------------------

MEASURES = """
objectives:
  - id: grow
    perspective: financial
    indicators:
      - {id: revenue, unit: EUR, time_aggregation: sum}
      - {id: cost, unit: EUR, time_aggregation: sum}
      - {id: margin, unit: percent, formula: "(revenue - cost) / revenue * 100"}
  - id: grow_north
    perspective: financial
    org_unit: north
    parent: grow
    indicators:
      - {id: margin_north, unit: percent, formula: "100 * ((revenue-cost) / revenue)"}
      - {id: sales_north, unit: EUR, time_aggregation: sum}
sources:
  - id: erp
    uri: csv:erp.csv
    mapping:
      date: booked
      org_unit: plant
      where: {status: {ne: void}}
      rules:
        - {indicator: revenue, transform: sum, value: amount}
        - {indicator: sales_north, transform: sum, value: amount}
        - {indicator: cost, transform: sum, value: cost}
"""


def test_same_formula_and_same_source_rule_make_one_measure() -> None:
    sc = _sc(MEASURES)
    # margin and margin_north: the same expression up to spacing, parentheses and the order
    # of the factors of '*'; revenue and sales_north: the same rule of source 'erp'.
    assert measure_groups(sc) == [("revenue", "sales_north"), ("margin", "margin_north")]


def test_redundant_across_levels_is_information_and_names_the_units() -> None:
    found = redundant_indicator(_sc(MEASURES))
    assert [(f.nodes, f.severity, f.org_units) for f in found] == [
        (("revenue", "sales_north"), Severity.INFO, ("hq", "north")),
        (("margin", "margin_north"), Severity.INFO, ("hq", "north")),
    ]
    assert "same source rule and unit 'EUR'" in found[0].message
    assert "same formula and unit 'percent'" in found[1].message


def test_measured_twice_at_one_level_is_a_warning() -> None:
    sc = _sc(MEASURES.replace("    org_unit: north\n    parent: grow\n", ""))
    [first, _] = redundant_indicator(sc)
    assert first.severity is Severity.WARNING
    assert first.org_units == ("hq",)
    assert "measured twice at one level in 'hq'" in first.message


def test_a_different_filter_or_unit_is_a_different_measure() -> None:
    other_filter = MEASURES.replace(
        "{indicator: sales_north, transform: sum, value: amount}",
        "{indicator: sales_north, transform: sum, value: amount, where: {region: N}}",
    )
    other_unit = MEASURES.replace(
        "margin_north, unit: percent", "margin_north, unit: dimensionless"
    )
    assert measure_groups(_sc(other_filter)) == [("margin", "margin_north")]
    assert measure_groups(_sc(other_unit)) == [("revenue", "sales_north")]


def test_a_different_formula_is_a_different_measure() -> None:
    # revenue - cost over cost is a markup, not a margin: '/' is not commutative.
    sc = _sc(MEASURES.replace("100 * ((revenue-cost) / revenue)", "100 * ((revenue-cost) / cost)"))
    assert measure_groups(sc) == [("revenue", "sales_north")]


def test_opposite_polarity_of_one_measure_is_an_error() -> None:
    sc = _sc(
        MEASURES.replace("sales_north, unit: EUR", "sales_north, polarity: lower_better, unit: EUR")
    )
    [f] = conflicting_polarity(sc)
    assert (f.severity, f.nodes, f.org_units) == (
        Severity.ERROR,
        ("revenue", "sales_north"),
        ("hq", "north"),
    )
    assert "'revenue' (hq) higher_better, 'sales_north' (north) lower_better" in f.message


def test_in_range_against_a_direction_is_a_warning_and_same_polarity_is_fine() -> None:
    assert conflicting_polarity(_sc(MEASURES)) == []
    sc = _sc(
        MEASURES.replace("sales_north, unit: EUR", "sales_north, polarity: in_range, unit: EUR")
    )
    assert [f.severity for f in conflicting_polarity(sc)] == [Severity.WARNING]


# -- targets ------------------------------------------------------------------------------------

REVENUE = """
objectives:
  - id: grow
    perspective: financial
    indicators:
      - id: revenue
        unit: EUR
        time_aggregation: sum
        thresholds: {baseline: 50, target: 100}
      - id: otd
        unit: percent
        thresholds: {target: 95}
      - id: defects
        unit: count
        polarity: lower_better
        time_aggregation: sum
        org_aggregation: none
"""


def _targets(
    rows: list[dict[str, Any]], *sets: list[dict[str, Any]], scale: float = 1
) -> Scorecard:
    """The REVENUE definition (its thresholds times ``scale``) with target sets 'budget'
    (rows) and more ('reforecast', ...)."""
    body = REVENUE.replace(
        "{baseline: 50, target: 100}", f"{{baseline: {50 * scale}, target: {100 * scale}}}"
    ).replace("{target: 95}", f"{{target: {95 * scale}}}")
    data = loads("id: demo\n" + CHART + body, format="yaml").to_dict()
    names = ["budget", "reforecast", "stretch_plan"]
    data["target_sets"] = [
        {"name": n, "targets": r} for n, r in zip(names, [rows, *sets], strict=False)
    ]
    return Scorecard.from_dict(data)


def _row(unit: str | None, target: float, ind: str = "revenue", **more: Any) -> dict[str, Any]:
    row: dict[str, Any] = {"indicator": ind, "target": target, "start": "2025-01", "end": "2025-12"}
    if unit is not None:
        row["org_unit"] = unit
    return {**row, **more}


def test_children_targets_that_add_up_are_fine() -> None:
    # hq 1000 = north 600 + south 400; north 600 = north_sales 600.
    sc = _targets(
        [_row("hq", 1000), _row("north", 600), _row("north_sales", 600), _row("south", 400)]
    )
    assert targets_do_not_add_up(sc) == []


def test_children_targets_that_miss_the_parent_report_the_gap() -> None:
    # hq 1000 vs north 600 + south 300 = 900: gap 100, 10 % of the parent's 1000.
    # north 600 vs north_sales 600: adds up. The span is the whole of 2025.
    sc = _targets(
        [_row("hq", 1000), _row("north", 600), _row("north_sales", 600), _row("south", 300)]
    )
    [f] = targets_do_not_add_up(sc)
    assert f.nodes == ("revenue",)
    assert f.org_units == ("hq", "north", "south")
    assert f.message == (
        "target set 'budget', 2025-01 to 2025-12: the children's targets of additive "
        "indicator 'revenue' add up to 900 ('north' 600, 'south' 300), but 'hq' has target "
        "1,000; gap 100 (+10.0% of the parent's)"
    )
    assert "to 900" in f.fix
    # 10 % is within a tolerance of 0.1 (relative to max(1000, 900) = 1000), 9.9 % is not.
    assert targets_do_not_add_up(sc, tolerance=0.1) == []
    assert len(targets_do_not_add_up(sc, tolerance=0.099)) == 1


def test_each_target_set_and_each_span_is_checked_and_named() -> None:
    budget = [_row("hq", 1000), _row("north", 600), _row("south", 400)]
    # The reforecast lowers south to 350 from July: Jan-Jun add up, Jul-Dec miss by 50.
    reforecast = [
        _row("hq", 1000),
        _row("north", 600),
        _row("south", 400, end="2025-06"),
        _row("south", 350, start="2025-07"),
    ]
    [f] = targets_do_not_add_up(_targets(budget, reforecast))
    assert f.message.startswith("target set 'reforecast', 2025-07 to 2025-12:")
    assert "add up to 950" in f.message
    assert "gap 50 (+5.0% of the parent's)" in f.message


def test_a_parent_without_its_own_row_takes_the_sum_and_is_never_reported() -> None:
    # The engine gives hq the sum of its children, 600 + 300 = 900: consistent by construction.
    sc = _targets([_row("north", 600), _row("south", 300)])
    assert targets_do_not_add_up(sc) == []


def test_children_without_a_target_in_the_set_are_named_and_left_out() -> None:
    # south has no row (only the indicator's threshold of 100, which is not a target of the
    # set): hq 1000 vs north 600 alone, gap 400.
    [f] = targets_do_not_add_up(_targets([_row("hq", 1000), _row("north", 600)]))
    assert "add up to 600 ('north' 600)" in f.message
    assert "gap 400" in f.message
    assert "'south' has no target in the set and is not counted" in f.message


def test_a_company_wide_row_on_an_additive_indicator_does_not_add_up() -> None:
    # One row for every unit: hq 100, north 100 + south 100 = 200 (gap -100), and
    # north 100 = north_sales 100 (fine).
    [f] = targets_do_not_add_up(_targets([_row(None, 100)]))
    assert f.org_units == ("hq", "north", "south")
    assert "gap -100 (-100.0% of the parent's)" in f.message


def test_non_additive_indicators_are_left_to_the_ratio_rule() -> None:
    sc = _targets([_row("hq", 90, "otd"), _row("north", 10, "otd"), _row("south", 10, "otd")])
    assert targets_do_not_add_up(sc) == []


def test_a_ratio_target_above_every_child_is_a_warning() -> None:
    # otd is a mean across units: hq 98 > max(north 95, south 97) = 97; north 95 = north_sales
    # (the company-wide threshold 95 applies to north_sales): within [95, 95].
    sc = _targets([_row("hq", 98, "otd"), _row("north", 95, "otd"), _row("south", 97, "otd")])
    [f] = ratio_target_unreachable(sc)
    assert (f.severity, f.nodes, f.org_units) == (
        Severity.WARNING,
        ("otd",),
        ("hq", "north", "south"),
    )
    assert "above the highest of its children's targets ('north' 95, 'south' 97)" in f.message
    assert "between 95 and 97" in f.fix


def test_a_ratio_target_below_every_child_is_information_for_higher_better() -> None:
    # hq 90 < min(95, 97): met before any child meets its own; not a conflict, but slack.
    sc = _targets([_row("hq", 90, "otd"), _row("north", 95, "otd"), _row("south", 97, "otd")])
    assert [f.severity for f in ratio_target_unreachable(sc)] == [Severity.INFO]


def test_a_ratio_target_inside_the_children_range_is_fine() -> None:
    # 96 lies in [95, 97]: e.g. equal weights of north and south give (95 + 97) / 2 = 96.
    sc = _targets([_row("hq", 96, "otd"), _row("north", 95, "otd"), _row("south", 97, "otd")])
    assert ratio_target_unreachable(sc) == []


def test_a_target_below_the_baseline_is_reported_per_polarity() -> None:
    # revenue (higher_better): baseline 50 from the thresholds, target row 40 in south.
    # defects (lower_better): baseline 5, target 8 in every unit, reported once for all four.
    sc = _targets(
        [
            _row("south", 40),
            _row(None, 8, "defects", baseline=5),
            _row("north", 60),  # 60 > 50: fine
        ]
    )
    found = target_below_baseline(sc)
    assert [(f.nodes, f.org_units) for f in found] == [
        (("revenue",), ("south",)),
        (("defects",), ("hq", "north", "north_sales", "south")),
    ]
    assert "is 40, below its baseline 50, in 'south'" in found[0].message
    assert "is 8, above its baseline 5" in found[1].message


def test_a_target_equal_to_the_baseline_is_not_below_it() -> None:
    assert target_below_baseline(_targets([_row("south", 50)])) == []


def test_thresholds_alone_are_checked_without_target_sets() -> None:
    sc = _sc(REVENUE.replace("{baseline: 50, target: 100}", "{baseline: 150, target: 100}"))
    [f] = target_below_baseline(sc)
    assert f.message.startswith("the indicator thresholds, every period:")
    # Without a target set, indicator thresholds are not judged as adding up.
    assert targets_do_not_add_up(sc) == []


def test_target_rules_only_look_at_the_indicators_own_subtree() -> None:
    # 'revenue' moved to an objective of 'north': hq's row is outside its scope.
    body = REVENUE.replace(
        "    perspective: financial\n", "    perspective: financial\n    org_unit: north\n", 1
    )
    sc = loads("id: demo\n" + CHART + body, format="yaml").to_dict()
    sc["target_sets"] = [
        {"name": "budget", "targets": [_row("hq", 1000), _row("north", 600), _row("south", 1)]}
    ]
    # north 600 vs north_sales (no target): nothing to compare; hq vs children: out of scope.
    assert targets_do_not_add_up(Scorecard.from_dict(sc)) == []


# -- the runner ---------------------------------------------------------------------------------


def test_the_runner_on_an_empty_scorecard_returns_nothing() -> None:
    assert alignment_findings(Scorecard(id="empty")) == []
    assert list(findings_frame(alignment_findings(Scorecard(id="empty"))).columns) == [
        "severity",
        "rule",
        "nodes",
        "org_units",
        "message",
        "fix",
    ]


def test_the_runner_selects_rules_and_keeps_rule_order() -> None:
    sc = _targets([_row("hq", 1000), _row("north", 600), _row("south", 40)])
    every = alignment_findings(sc)
    assert _rules(every) == ["targets-do-not-add-up", "target-below-baseline"]
    assert _rules(alignment_findings(sc, rules={"target-below-baseline"})) == [
        "target-below-baseline"
    ]
    assert alignment_findings(sc, rules="cascade-orphan") == []
    # The runner and the rule functions agree.
    assert every == [f for name in ALIGNMENT_RULES for f in ALIGNMENT_RULES[name](sc)]


def test_unknown_rules_and_bad_tolerances_are_clear_errors() -> None:
    with pytest.raises(UnknownMethodError, match="Did you mean 'cascade-orphan'"):
        alignment_findings(Scorecard(id="x"), rules=["cascade-orphans"])
    for bad in (-0.1, float("nan"), float("inf")):
        with pytest.raises(ModelError, match="must be a finite relative gap >= 0"):
            targets_do_not_add_up(Scorecard(id="x"), tolerance=bad)


def test_an_unknown_org_unit_is_refused_by_the_model_before_any_check() -> None:
    with pytest.raises(DefinitionError, match=r"org_unit: 'nort'"):
        _sc("objectives:\n  - {id: a, perspective: financial, org_unit: nort}\n")


# -- properties ---------------------------------------------------------------------------------

_amounts = st.lists(st.integers(min_value=1, max_value=10**6), min_size=3, max_size=3)


@settings(max_examples=40, deadline=None)
@given(leaves=_amounts, factor=st.floats(min_value=0.01, max_value=100))
def test_targets_built_to_add_up_never_fire_at_any_scale(leaves: list[int], factor: float) -> None:
    # north_sales = a, north = a, south = b, hq = a + b: adds up exactly, at every scale.
    a, b, _ = leaves
    rows = [
        _row("hq", (a + b) * factor),
        _row("north", a * factor),
        _row("north_sales", a * factor),
        _row("south", b * factor),
    ]
    assert targets_do_not_add_up(_targets(rows)) == []


@settings(max_examples=15, deadline=None)
@given(
    values=st.lists(st.integers(min_value=1, max_value=1000), min_size=4, max_size=4),
    factor=st.sampled_from([0.5, 2.0, 3.0, 10.0]),
)
def test_scaling_every_target_keeps_the_same_findings(values: list[int], factor: float) -> None:
    # Relative tolerances and comparisons make every target rule scale-free: the rules and
    # the nodes fired do not change when every target and baseline is multiplied by a
    # positive factor (the indicator thresholds are scaled too).
    hq, north, south, base = values

    def rows(k: float) -> list[dict[str, Any]]:
        return [
            _row("hq", hq * k, baseline=base * k),
            _row("north", north * k),
            _row("north_sales", north * k),
            _row("south", south * k),
            _row("hq", hq * k, "otd"),
            _row("north", north * k, "otd"),
            _row("south", south * k, "otd"),
        ]

    def fired(k: float) -> list[tuple[str, tuple[str, ...], tuple[str, ...]]]:
        sc = _targets(rows(k), scale=k)
        return [(f.rule, f.nodes, f.org_units) for f in alignment_findings(sc)]

    assert fired(1.0) == fired(factor)
