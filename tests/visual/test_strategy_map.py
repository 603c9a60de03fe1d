"""The strategy-map SVG and its DOT and Mermaid exports: snapshot, status colours, escaping
of every user string, structure of the text formats, determinism.

The snapshot ``snapshots/small_map.svg`` is the expected output for the hand-built map in
``conftest.small_evaluation``. After a deliberate change to the drawing, regenerate it with::

    BSC_UPDATE_SNAPSHOTS=1 python -m pytest tests/visual/test_strategy_map.py -k snapshot

and look at the new picture before keeping it.
"""

from __future__ import annotations

import math
import os
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from balanced_scorecard.exceptions import ModelError, UnknownNodeError
from balanced_scorecard.model import StatusBand
from balanced_scorecard.visual import (
    StrategyMapPicture,
    map_picture,
    map_svg,
    to_dot,
    to_mermaid,
)
from balanced_scorecard.visual._map_view import NO_SCORE_COLOR, hex_color, text_color
from balanced_scorecard.visual.exports import mermaid_ids, mermaid_text

SNAPSHOTS = Path(__file__).parent / "snapshots"
SVG = "{http://www.w3.org/2000/svg}"
EVIL = "<script>alert('x')</script> \"q\" & ]]> ok"


def objective_fills(svg: str) -> dict[str, str]:
    root = ET.fromstring(svg)
    out = {}
    for g in root.iter(f"{SVG}g"):
        if g.get("class") == "bsc-objective":
            out[g.get("data-node")] = g.find(f"{SVG}rect").get("fill")
    return out


# -- SVG --------------------------------------------------------------------------------------


def test_snapshot_of_a_small_map(small_ev):
    svg = map_svg(small_ev)
    path = SNAPSHOTS / "small_map.svg"
    if os.environ.get("BSC_UPDATE_SNAPSHOTS") == "1":
        path.write_bytes(svg.encode("utf-8"))
    assert path.read_bytes() == svg.encode("utf-8"), (
        "the SVG differs from the snapshot; if the change is deliberate, rerun with "
        "BSC_UPDATE_SNAPSHOTS=1 and review the picture"
    )


def test_svg_is_well_formed_and_accessible(small_ev):
    root = ET.fromstring(map_svg(small_ev))
    assert root.get("role") == "img"
    assert root[0].tag == f"{SVG}title"
    assert root[0].text == "Strategy map: Small map"
    desc = root[1].text
    assert root[1].tag == f"{SVG}desc"
    assert "5 objectives in 4 perspectives" in desc
    assert "1 red" in desc
    assert "2 green" in desc
    assert "1 no score" in desc
    # every box and every link carries a tooltip
    for g in root.iter(f"{SVG}g"):
        if g.get("class", "").startswith(("bsc-objective", "bsc-link")):
            assert g[0].tag == f"{SVG}title"
            assert g[0].text


def test_self_contained(small_ev):
    svg = map_svg(small_ev, show_indicators=True)
    for needle in ("<script", "href", "url(", "@import", "http://", "https://"):
        assert needle not in svg.replace('xmlns="http://www.w3.org/2000/svg"', "")


def test_red_objective_has_the_red_bands_colour(small_ev):
    fills = objective_fills(map_svg(small_ev))
    red = next(b.color for b in small_ev.scorecard.status_bands if b.name == "red")
    assert small_ev.status("grow") == "red"
    assert fills["grow"] == red
    assert fills["delight"] == "#3a9a5b"  # green band
    assert fills["quality"] == NO_SCORE_COLOR  # no data, no score: grey


def test_custom_band_colours_pass_through_safe_color(make_small, evaluate_small):
    import attrs

    sc = attrs.evolve(
        make_small(),
        status_bands=[
            StatusBand(name="red", lower=0, color="red;fill:url(http://evil)"),
            StatusBand(name="ok", lower=0.5, color="#00f", is_good=True),
        ],
    )
    ev = evaluate_small(sc)
    fills = objective_fills(map_svg(ev))
    assert fills["grow"] == "#999999"  # unsafe colour replaced
    assert fills["delight"] == "#00f"
    assert "evil" not in map_svg(ev)


def test_score_text_like_the_report(small_ev):
    svg = map_svg(small_ev)
    assert ">2.7 · red<" in svg  # revenue 40 between red flag 50 ... goal_red_flag: 0.267
    assert ">8.0 · green<" in svg
    assert ">—<" in svg  # quality has no score


def test_grey_without_an_evaluation(small):
    fills = objective_fills(map_svg(small))
    assert set(fills.values()) == {NO_SCORE_COLOR}
    assert "· red" not in map_svg(small)
    with pytest.raises(TypeError, match="need an Evaluation"):
        map_svg(small, org_unit="all")


def test_sign_and_strength_are_visible(small_ev):
    root = ET.fromstring(map_svg(small_ev))
    links = {
        (g.get("data-cause"), g.get("data-effect")): g
        for g in root.iter(f"{SVG}g")
        if g.get("class", "").startswith("bsc-link")
    }
    neg = links["cost", "nps"].find(f"{SVG}path")
    pos = links["quality", "delight"].find(f"{SVG}path")
    strong = links["delight", "grow"].find(f"{SVG}path")
    assert neg.get("stroke-dasharray") == "6 4"
    assert pos.get("stroke-dasharray") is None
    # weight 2 is the largest: full width; weight 1: half the range
    assert float(strong.get("stroke-width")) == pytest.approx(3.2)
    assert float(pos.get("stroke-width")) == pytest.approx(2.0)
    badges = [
        t.text
        for g in root.iter(f"{SVG}g")
        if g.get("class") == "bsc-sign"
        for t in g.iter(f"{SVG}text")
    ]
    assert sorted(badges) == ["+", "+", "+", "−"]
    cascade = links["grow", "grow_north"]
    assert cascade.get("class") == "bsc-link bsc-cascades"
    assert cascade.find(f"{SVG}path").get("stroke-dasharray") == "2 3"


def test_evidence_strengths(small_ev):
    svg = map_svg(
        small_ev, strengths={("skills", "quality"): 1.0, ("quality", "delight"): float("nan")}
    )
    root = ET.fromstring(svg)
    widths = {
        (g.get("data-cause"), g.get("data-effect")): float(g.find(f"{SVG}path").get("stroke-width"))
        for g in root.iter(f"{SVG}g")
        if g.get("class", "") == "bsc-link bsc-causes"
    }
    assert widths["skills", "quality"] == pytest.approx(3.2)
    assert widths["quality", "delight"] == pytest.approx(0.8)
    assert widths["delight", "grow"] == pytest.approx(0.8)  # not given: no evidence
    assert "strength: no evidence" in svg
    assert "line width: evidence" in svg
    with pytest.raises(ModelError, match="outside"):
        map_svg(small_ev, strengths={("skills", "quality"): 1.5})
    with pytest.raises(UnknownNodeError, match="'grow' -> 'skills'"):
        map_svg(small_ev, strengths={("grow", "skills"): 0.5})


def test_strengths_from_link_evidence(small_ev):
    frame = small_ev.link_evidence()
    assert set(zip(frame["cause"], frame["effect"], strict=True)) == {
        (lk.cause, lk.effect) for lk in small_ev.scorecard.links
    }
    assert all(math.isnan(s) for s in frame["strength"])  # one month: no evidence yet
    assert "strength: no evidence" in map_svg(small_ev, strengths=frame)


def test_org_unit_and_period(small_ev):
    assert "period 2025-01" in map_svg(small_ev, period="2025-01", org_unit="all")
    with pytest.raises(UnknownNodeError, match="nowhere"):
        map_svg(small_ev, org_unit="nowhere")


def test_show_indicators_and_width(small_ev):
    svg = map_svg(small_ev, show_indicators=True)
    assert ">Revenue 2.7<" in svg
    assert ">NPS 8.0<" in svg
    root = ET.fromstring(map_svg(small_ev, width=400))
    assert root.get("width") == "400.0"
    natural = ET.fromstring(map_svg(small_ev))
    assert root.get("viewBox") == natural.get("viewBox")
    with pytest.raises(ValueError, match="width"):
        map_svg(small_ev, width=0)
    with pytest.raises(TypeError, match="Scorecard, an Evaluation or a StrategyMap"):
        map_svg("acme.yaml")


def test_empty_scorecard_draws_a_note():
    from balanced_scorecard.model import Scorecard

    svg = map_svg(Scorecard(id="empty"))
    ET.fromstring(svg)
    assert "no objectives to draw" in svg


def test_deterministic(make_small, evaluate_small, generated):
    assert map_svg(evaluate_small()) == map_svg(evaluate_small(make_small()))
    assert map_svg(generated(60)) == map_svg(generated(60))
    assert to_dot(evaluate_small()) == to_dot(evaluate_small())
    assert to_mermaid(generated(60)) == to_mermaid(generated(60))


def test_picture(small_ev, tmp_path):
    pic = map_picture(small_ev, show_indicators=True)
    assert isinstance(pic, StrategyMapPicture)
    assert pic.title == "Small map"
    assert pic._repr_svg_() == pic.to_svg() == map_svg(small_ev, show_indicators=True)
    out = pic.save(tmp_path / "map.svg")
    assert out.read_text(encoding="utf-8") == pic.svg
    with pytest.raises(ValueError, match=r"\.svg"):
        pic.save(tmp_path / "map.png")


# -- escaping ---------------------------------------------------------------------------------


@pytest.fixture
def evil_ev(make_small, evaluate_small):
    import attrs

    sc = make_small(grow=EVIL, delight="a\\N & b\nline", link=EVIL, scorecard=EVIL)
    persp = tuple(attrs.evolve(p, name=EVIL) if p.id == "customer" else p for p in sc.perspectives)
    sc = attrs.evolve(
        sc,
        perspectives=persp,
        objectives=[attrs.evolve(o, description=EVIL) for o in sc.objectives],
    )
    return evaluate_small(sc)


def test_svg_escapes_every_user_string(evil_ev):
    svg = map_svg(evil_ev, show_indicators=True)
    assert "<script" not in svg
    assert "]]>" not in svg
    assert "&lt;script&gt;" in svg
    assert "&amp;" in svg
    assert "&quot;q&quot;" in svg
    root = ET.fromstring(svg)  # still well-formed XML
    texts = "".join(root.itertext())
    assert "<script>alert('x')</script>" in texts  # shown as text, not markup
    # the name is wrapped onto lines, each one plain text
    assert EVIL in root[0].text


def test_svg_drops_characters_xml_cannot_carry(make_small, evaluate_small):
    svg = map_svg(evaluate_small(make_small(grow="Grow\x00\x1b now")))
    ET.fromstring(svg)
    assert "Grow now" in svg


def dot_tokens(dot: str) -> list[str]:
    """Tokenise DOT: quoted strings (with their escapes) and the bare text between them."""
    tokens = re.findall(r'"(?:\\.|[^"\\])*"|[^"\s]+', dot)
    assert "".join(re.findall(r'"(?:\\.|[^"\\])*"|[^"]', dot)) == dot  # no stray quote
    return tokens


def unquote(token: str) -> str:
    return re.sub(r"\\(.)", lambda m: {"n": "\n"}.get(m[1], m[1]), token[1:-1])


def test_dot_escapes_every_user_string(evil_ev):
    dot = to_dot(evil_ev, show_indicators=True)
    tokens = dot_tokens(dot)
    bare = [t for t in tokens if not t.startswith('"')]
    assert not any("script" in t or "&" in t for t in bare)  # nothing leaks out of quotes
    strings = [unquote(t) for t in tokens if t.startswith('"')]
    assert any(EVIL in s for s in strings)  # round trip: shown verbatim
    assert any("a\\N & b" in s for s in strings)  # a backslash never forms \N


def test_mermaid_escapes_every_user_string(evil_ev):
    text = to_mermaid(evil_ev, show_indicators=True)
    labels = re.findall(r'"([^"]*)"', text)
    assert labels
    for label in labels:
        assert not re.search(r"[<>&`|\[\]{}()]", label.replace("<br/>", ""))
    assert "#60;script#62;" in text
    assert "#38;" in text
    assert "#34;q#34;" in text
    assert "]]>" not in text
    assert mermaid_text("a\nb") == "a b"


# -- structure of the text formats ------------------------------------------------------------


def check_dot(dot: str) -> tuple[set[str], list[tuple[str, str]]]:
    tokens = dot_tokens(dot)
    bare = "".join(t for t in tokens if not t.startswith('"'))
    assert bare.count("{") == bare.count("}")
    assert bare.count("[") == bare.count("]")
    declared: list[str] = []
    edges: list[tuple[str, str]] = []
    for line in dot.splitlines():
        t = dot_tokens(line)
        if len(t) >= 3 and t[1] == "->":
            edges.append((unquote(t[0]), unquote(t[2])))
        elif t and t[0].startswith('"') and len(t) > 1 and t[1].startswith("["):
            declared.append(unquote(t[0]))
    assert len(declared) == len(set(declared)), "a node is declared twice"
    assert {n for e in edges for n in e} <= set(declared)
    return set(declared), edges


def test_dot_structure(small_ev, generated):
    declared, edges = check_dot(to_dot(small_ev))
    assert declared == {o.id for o in small_ev.scorecard.objectives}
    assert ("quality", "delight") in edges  # cost -> nps drawn between their objectives
    declared, edges = check_dot(to_dot(small_ev, show_indicators=True))
    assert {"cost", "nps", "revenue"} <= declared
    assert ("cost", "nps") in edges
    check_dot(to_dot(generated(60)))
    dot = to_dot(small_ev)
    assert '"cost" -> "nps"' not in dot
    assert '[label="−", style="dashed"' in dot
    assert 'subgraph "cluster_financial"' in dot
    assert "{ rank=same; " in dot
    red = next(b.color for b in small_ev.scorecard.status_bands if b.name == "red")
    assert f'"grow" [label="Grow profitable revenue\\n2.7 · red", fillcolor="{red}"' in dot
    assert 'arrowhead="onormal"' in dot  # the cascade


def check_mermaid(text: str) -> tuple[set[str], list[tuple[str, str]]]:
    lines = text.splitlines()
    assert lines[0] == "flowchart BT"
    ident = r"[A-Za-z0-9_]+"
    defined: list[str] = []
    edges: list[tuple[str, str]] = []
    depth = 0
    for line in lines[1:]:
        s = line.strip()
        if m := re.fullmatch(rf'subgraph ({ident})\["[^"]*"\]', s):
            depth += 1
            defined.append(m[1])
        elif s == "end":
            depth -= 1
        elif m := re.fullmatch(rf'({ident})(?:\["[^"]*"\]|\(\["[^"]*"\]\))', s):
            defined.append(m[1])
        elif m := re.fullmatch(rf'({ident}) (?:-->|-\.->|---)(?:\|"[^"]*"\|)? ({ident})', s):
            edges.append((m[1], m[2]))
        else:
            assert re.fullmatch(
                r"direction LR|classDef \w+ [^ ]+|class [\w,]+ \w+|linkStyle \d+ .+", s
            ), f"unexpected Mermaid line: {s!r}"
    assert depth == 0
    assert len(defined) == len(set(defined))
    assert {n for e in edges for n in e} <= set(defined), "an edge names an undefined node"
    styled = [int(x) for x in re.findall(r"linkStyle (\d+)", text)]
    assert styled == list(range(len(edges)))
    return set(defined), edges


def test_mermaid_structure(small_ev, evil_ev, generated):
    defined, edges = check_mermaid(to_mermaid(small_ev))
    assert ("o_quality", "o_delight") in edges
    assert "o_grow" in defined
    check_mermaid(to_mermaid(small_ev, show_indicators=True))
    check_mermaid(to_mermaid(evil_ev, show_indicators=True))
    check_mermaid(to_mermaid(generated(60)))
    text = to_mermaid(small_ev)
    assert 'o_quality -.->|"−"| o_delight' in text
    assert "class o_grow st_red" in text
    assert "class o_quality no_score" in text
    assert "classDef st_red fill:#d64545" in text


def test_mermaid_ids_are_safe_stable_and_unique():
    from balanced_scorecard.model import Objective, Scorecard
    from balanced_scorecard.visual._map_view import map_view

    sc = Scorecard(
        id="x",
        objectives=[
            Objective(id=i, perspective="financial") for i in ("a-b", "a_b", "end", "ä b", "a.b")
        ],
    )
    ids = mermaid_ids(map_view(sc))
    objective_ids = [ids[o] for o in ("a-b", "a_b", "end", "ä b", "a.b")]
    assert objective_ids == ["o_a_b", "o_a_b_2", "o_end", "o___b", "o_a_b_3"]
    assert mermaid_ids(map_view(sc)) == ids
    check_mermaid(to_mermaid(sc))


def test_colour_helpers():
    assert hex_color("#ABC") == "#aabbcc"
    assert hex_color("#11223344") == "#112233"
    assert hex_color("rgb(100%, 0%, 50%)") == "#ff0080"
    assert hex_color("expression(alert(1))") == "#999999"
    assert text_color("#000000") == "#ffffff"
    assert text_color("#ffffff") == "#1a1a1a"
