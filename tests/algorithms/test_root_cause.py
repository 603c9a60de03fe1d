"""Root causes: hand-worked trees, signs, lags, loops, evidence, laws and bad input."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from balanced_scorecard.algorithms.root_cause import CAUSE_COLUMNS, CauseTree, root_causes
from balanced_scorecard.algorithms.significance import _example_evaluation
from balanced_scorecard.exceptions import ModelError, UnknownNodeError
from balanced_scorecard.model import CausalLink, Indicator, Objective, Scorecard, Thresholds
from balanced_scorecard.results import Evaluation

PERIODS = ["2025-01", "2025-02", "2025-03"]


@pytest.fixture(scope="module")
def ev() -> Evaluation:
    return _example_evaluation()


def _ind(i: str, objective: str, **kw: object) -> Indicator:
    # goal_red_flag: red flag 0 scores 1/3, target 30 scores 2/3, so value v scores
    # 1/3 + v / 90 (clamped to [0, 1]): 0 -> 1/3, 30 -> 2/3, 60 -> 1, -30 -> 0.
    return Indicator(id=i, objective=objective, thresholds=Thresholds(target=30, red_flag=0), **kw)  # type: ignore[arg-type]


def _three_levels(links: list[CausalLink], values: dict[str, list[float]]) -> Evaluation:
    """Objectives a (financial), b (customer), c (process), one indicator each (ia, ib,
    ic), over three months."""
    sc = Scorecard(
        id="t",
        objectives=[
            Objective(id="a", perspective="financial", name="Grow <fast>"),
            Objective(id="b", perspective="customer"),
            Objective(id="c", perspective="internal_process"),
        ],
        indicators=[_ind("ia", "a"), _ind("ib", "b"), _ind("ic", "c")],
        links=links,
    )
    obs = pd.DataFrame(
        [(i, "all", PERIODS[p], float(v)) for i, vs in values.items() for p, v in enumerate(vs)],
        columns=["indicator", "org_unit", "period", "value"],
    )
    return sc.evaluate(obs)


def _by_path(tree: CauseTree) -> pd.DataFrame:
    return tree.to_frame().set_index("path")


# -- hand-worked -----------------------------------------------------------------------------


def test_hand_worked_contributions_on_the_example(ev: Evaluation) -> None:
    tree = root_causes(ev, "grow")
    # grow in April: revenue scores 0 and margin 0.65 (weight 1/2 each) -> 0.325.
    assert tree.score == pytest.approx(0.325)
    assert tree.contribution == pytest.approx(1 - 0.325)
    rows = _by_path(tree)
    # revenue: share 0.5 x shortfall 1 x strength 1 = 0.5.
    assert rows.loc["grow <- revenue", "contribution"] == pytest.approx(0.5)
    # delight (lag 1, judged in March, score 4/9 = nps alone): share 3/4 x 5/9 = 5/12.
    d = rows.loc["grow <- delight"]
    assert (d["period"], d["lag"], d["share"]) == ("2025-03", 1, 0.75)
    assert d["contribution"] == pytest.approx(0.75 * 5 / 9)
    # quality drives delight (share 1, lag 0: March): defects 12 scores 0.2 -> 0.8;
    # its impact on grow is 0.75 x 1 x 0.8 = 0.6, the largest of the tree.
    q = rows.loc["grow <- delight <- quality"]
    assert q["contribution"] == pytest.approx(0.8)
    assert q["impact"] == pytest.approx(0.6)
    # skills drives quality with lag 1: judged in February, 2 periods before April.
    s = rows.loc["grow <- delight <- quality <- skills"]
    assert s["period"] == "2025-02"
    # training weight 3 of 4 in skills; Feb training 6 scores 0.4 -> 0.75 x 0.6 = 0.45.
    assert rows.loc["grow <- delight <- quality <- skills <- training", "contribution"] == (
        pytest.approx(0.45)
    )
    # Children are ranked by contribution: revenue 0.5, delight 0.417, margin 0.175,
    # efficiency 0.25 x 0.3667 = 0.0917.
    assert [c.node for c in tree.children] == ["revenue", "delight", "margin", "efficiency"]
    by_impact = tree.to_frame().sort_values("impact", ascending=False, kind="stable")
    assert by_impact["cause"].iloc[0] == "quality"  # tied with defects below it, listed first


def test_tree_shapes_text_html_frame_and_dict(ev: Evaluation) -> None:
    tree = root_causes(ev, "grow", max_depth=2)
    frame = tree.to_frame()
    assert tuple(frame.columns) == CAUSE_COLUMNS
    assert len(frame) == len(tree.walk()) == 8
    assert frame["depth"].max() == 2
    assert "depth limit 2 reached" in frame.set_index("cause").loc["quality", "note"]
    text = str(tree)
    assert text.splitlines()[0].startswith("Root causes of grow · org unit all · period 2025-04")
    assert text.splitlines()[1].startswith("  - revenue [measures]")
    data = tree.as_dict()
    assert data["children"][1]["link"] == {
        "kind": "causes",
        "sign": 1,
        "lag": 1,
        "weight": 3.0,
        "share": 0.75,
        "strength": 1.0,
    }
    assert tree._repr_html_().count("<ul>") == 3  # the root, delight and efficiency


def test_html_escapes_user_strings() -> None:
    ev = _three_levels([CausalLink(cause="b", effect="a")], {"ia": [0] * 3, "ib": [0] * 3})
    page = root_causes(ev, "a")._repr_html_()
    assert "Grow &lt;fast&gt;" in page
    assert "<fast>" not in page


def test_negative_link_blames_a_driver_above_target() -> None:
    # b drives a with sign -1: more of b, less of a. ib = 60 scores 1 (far above target),
    # so b's pressure on a is its score, 1, and its contribution is share 1 x 1 = 1.
    ev = _three_levels(
        [CausalLink(cause="b", effect="a", sign="-"), CausalLink(cause="c", effect="b")],
        {"ia": [0] * 3, "ib": [60] * 3, "ic": [60] * 3},
    )
    rows = _by_path(root_causes(ev, "a"))
    assert rows.loc["a <- b", "pressure"] == pytest.approx(1.0)
    assert rows.loc["a <- b", "contribution"] == pytest.approx(1.0)
    # Below a negative link the signs multiply: b is explained by what makes it high, so
    # c (positive link into b, score 1) presses with its score, and so does ib.
    assert rows.loc["a <- b <- c", "pressure"] == pytest.approx(1.0)
    assert rows.loc["a <- b <- ib", "pressure"] == pytest.approx(1.0)
    # The same driver at target (30 -> 2/3) presses with 2/3; at 0 (score 1/3) with 1/3.
    low = _three_levels(
        [CausalLink(cause="b", effect="a", sign="-")], {"ia": [0] * 3, "ib": [0] * 3}
    )
    assert _by_path(root_causes(low, "a")).loc["a <- b", "pressure"] == pytest.approx(1 / 3)


def test_lags_before_the_first_period_are_named() -> None:
    ev = _three_levels(
        [CausalLink(cause="b", effect="a", lag=1), CausalLink(cause="c", effect="b", lag=2)],
        {"ia": [0, 0, 0], "ib": [0, 15, 30], "ic": [30, 30, 30]},
    )
    tree = root_causes(ev, "a")  # March
    rows = _by_path(tree)
    assert rows.loc["a <- b", "period"] == "2025-02"
    # b at lag 1 is February; c at lag 1 + 2 = 3 from March falls before January.
    c = rows.loc["a <- b <- c"]
    assert pd.isna(c["period"])
    assert math.isnan(c["contribution"])
    assert (
        c["note"]
        == "lag 3 from 2025-03 reaches before 2025-01, the first evaluated period: not judged"
    )
    assert "not evaluated" in str(tree)


def test_feedback_loops_terminate() -> None:
    ev = _three_levels(
        [
            CausalLink(cause="b", effect="a"),
            CausalLink(cause="c", effect="b"),
            CausalLink(cause="a", effect="c", feedback=True),
            CausalLink(cause="b", effect="c", feedback=True),
        ],
        {"ia": [0] * 3, "ib": [10] * 3, "ic": [20] * 3},
    )
    frame = root_causes(ev, "a", max_depth=10).to_frame()
    loops = frame[frame["note"].str.startswith("feedback loop")]
    assert set(loops["path"]) == {"a <- b <- c <- a", "a <- b <- c <- b"}
    assert frame["depth"].max() == 3


def test_evidence_mapping_and_frame() -> None:
    ev = _three_levels(
        [CausalLink(cause="b", effect="a"), CausalLink(cause="c", effect="a")],
        {"ia": [0] * 3, "ib": [0] * 3, "ic": [0] * 3},
    )
    # b and c are equal drivers (share 1/2, shortfall 2/3): evidence 0.2 for b puts c first.
    tree = root_causes(ev, "a", evidence={("b", "a"): 0.2, ("c", "a"): float("nan")})
    causal = [c for c in tree.children if c.link is not None and c.link.kind == "causes"]
    assert [c.node for c in causal] == ["c", "b"]
    assert causal[1].contribution == pytest.approx(0.5 * 2 / 3 * 0.2)
    assert causal[0].link is not None
    assert causal[0].link.strength == 1.0  # NaN: untested
    frame = pd.DataFrame({"cause": ["b"], "effect": ["a"], "strength": [0.2], "lag": [0]})
    assert root_causes(ev, "a", evidence=frame).as_dict() == tree.as_dict()
    with pytest.raises(ModelError, match=r"outside \[0, 1\]"):
        root_causes(ev, "a", evidence={("b", "a"): 1.5})
    with pytest.raises(ModelError, match="lacks column"):
        root_causes(ev, "a", evidence=pd.DataFrame({"cause": ["b"]}))


def test_one_period_and_missing_scores() -> None:
    ev = _three_levels(
        [CausalLink(cause="b", effect="a", lag=1), CausalLink(cause="c", effect="a")],
        {"ia": [0, 0, 0], "ic": [np.nan, np.nan, 10]},
    )
    rows = _by_path(root_causes(ev, "a", period="2025-01"))
    assert pd.isna(rows.loc["a <- b", "period"])
    assert rows.loc["a <- c", "note"] == "no score in all at 2025-01"
    assert math.isnan(rows.loc["a <- c", "contribution"])
    sc = ev.scorecard
    single = sc.evaluate(
        pd.DataFrame({"indicator": ["ia"], "org_unit": "all", "period": "2025-01", "value": [0.0]})
    )
    tree = root_causes(single, "a")
    assert tree.period == "2025-01"
    assert {c.node for c in tree.children} == {"ia", "b", "c"}


def test_bad_input(ev: Evaluation) -> None:
    with pytest.raises(UnknownNodeError, match="Did you mean 'grow'"):
        root_causes(ev, "grwo")
    with pytest.raises(UnknownNodeError, match="org unit 'al'"):
        root_causes(ev, "grow", org_unit="al")
    with pytest.raises(UnknownNodeError, match="was not evaluated"):
        root_causes(ev, "grow", period="2030-01")
    with pytest.raises(ModelError, match="'financial' is a perspective: start from one of grow"):
        root_causes(ev, "financial")
    with pytest.raises(ModelError, match="is a scorecard"):
        root_causes(ev, "acme")
    with pytest.raises(ModelError, match="max_depth=0"):
        root_causes(ev, "grow", max_depth=0)


# -- laws ------------------------------------------------------------------------------------


@st.composite
def _cases(draw: st.DrawFn) -> tuple[list[Objective], list[Indicator], list[CausalLink], dict]:
    """Random maps over four objectives: links from a later objective to an earlier one
    (plus, sometimes, a feedback link back), random weights, signs, lags and values; one
    objective (``lonely``) never linked."""
    persp = ["financial", "customer", "internal_process", "learning_growth"]
    objectives = [Objective(id=f"o{j}", perspective=persp[j]) for j in range(4)]
    objectives.append(Objective(id="lonely", perspective="customer"))
    indicators = [_ind(f"i{j}", f"o{j}", weight=draw(st.floats(0.5, 3))) for j in range(4)]
    indicators.append(_ind("i_lonely", "lonely"))
    pairs = [(j, i) for j in range(4) for i in range(j)]
    chosen = draw(st.lists(st.sampled_from(pairs), unique=True, min_size=1))
    links = [
        CausalLink(
            cause=f"o{j}",
            effect=f"o{i}",
            weight=draw(st.floats(0.1, 10)),
            sign=draw(st.sampled_from(["+", "-"])),
            lag=draw(st.integers(0, 2)),
        )
        for j, i in chosen
    ]
    if draw(st.booleans()):
        links.append(CausalLink(cause="o0", effect="o3", feedback=True))
    values = {i.id: [draw(st.floats(-30, 60)) for _ in PERIODS] for i in indicators}
    return objectives, indicators, links, values


def _evaluate(objectives: list, indicators: list, links: list, values: dict) -> Evaluation:
    sc = Scorecard(id="law", objectives=objectives, indicators=indicators, links=links)
    obs = pd.DataFrame(
        [(i, "all", PERIODS[p], v) for i, vs in values.items() for p, v in enumerate(vs)],
        columns=["indicator", "org_unit", "period", "value"],
    )
    return sc.evaluate(obs)


def _ranking(tree: CauseTree) -> list[tuple[str, float]]:
    frame = tree.to_frame()
    # NaN (not judged) as -1, so that equal rankings compare equal.
    contribution = frame["contribution"].round(9).fillna(-1.0)
    return list(zip(frame["path"], contribution, strict=True))


@given(_cases(), st.floats(0.01, 100))
@settings(max_examples=25, deadline=None)
def test_laws_of_the_walk(case: tuple, k: float) -> None:
    objectives, indicators, links, values = case
    ev = _evaluate(objectives, indicators, links, values)
    tree = root_causes(ev, "o0", max_depth=6)
    frame = tree.to_frame()
    # Contributions and impacts are never negative (NaN only where not judged).
    judged = frame["contribution"].notna()
    assert (frame.loc[judged, "contribution"] >= 0).all()
    assert (frame.loc[judged, "impact"] >= 0).all()
    assert frame.loc[~judged, "note"].str.len().gt(0).all()
    # A node that no link reaches never appears as a cause.
    assert not frame["cause"].isin(["lonely", "i_lonely"]).any()
    # Scaling every link weight by one constant changes no ranking.
    scaled = [
        CausalLink(
            cause=x.cause,
            effect=x.effect,
            weight=x.weight * k,
            sign=x.sign,
            lag=x.lag,
            feedback=x.feedback,
        )
        for x in links
    ]
    assert _ranking(
        root_causes(_evaluate(objectives, indicators, scaled, values), "o0", max_depth=6)
    ) == _ranking(tree)
    # The order the definition lists objectives, indicators and links in changes nothing.
    shuffled = _evaluate(objectives[::-1], indicators[::-1], links[::-1], values)
    assert _ranking(root_causes(shuffled, "o0", max_depth=6)) == _ranking(tree)
