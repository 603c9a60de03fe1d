"""Layout of the strategy map: bands in order, boxes inside their band and never
overlapping (60- and 200-objective generated maps, random maps), deterministic."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from balanced_scorecard.exceptions import ModelError
from balanced_scorecard.model import CausalLink, Objective, Perspective, Scorecard
from balanced_scorecard.strategy_map import StrategyMap
from balanced_scorecard.visual.layout import MapLayout, layout_map, wrap_label


def overlapping_pairs(layout: MapLayout) -> list[tuple[str, str]]:
    """Pairs of boxes whose interiors intersect (touching edges is allowed)."""
    b = layout.boxes
    x, y = np.array([q.x for q in b]), np.array([q.y for q in b])
    w, h = np.array([q.w for q in b]), np.array([q.h for q in b])
    hit = (
        (x[:, None] < (x + w)[None, :])
        & (x[None, :] < (x + w)[:, None])
        & (y[:, None] < (y + h)[None, :])
        & (y[None, :] < (y + h)[:, None])
    )
    np.fill_diagonal(hit, False)
    i, j = np.nonzero(np.triu(hit))
    return [(b[a].id, b[c].id) for a, c in zip(i, j, strict=True)]


def outside_band(layout: MapLayout) -> list[str]:
    bands = {band.id: band for band in layout.bands}
    bad = []
    for box in layout.boxes:
        band = bands[box.band]
        inside = (
            band.x <= box.x
            and box.x + box.w <= band.x + band.w
            and band.y + band.header <= box.y
            and box.y + box.h <= band.y + band.h
        )
        if not inside:
            bad.append(box.id)
    return bad


def check(layout: MapLayout, scorecard: Scorecard) -> None:
    assert overlapping_pairs(layout) == []
    assert outside_band(layout) == []
    assert sorted(b.id for b in layout.boxes) == sorted(o.id for o in scorecard.objectives)
    for box in layout.boxes:
        assert box.band == scorecard.objective(box.id).perspective
        assert box.x >= 0
        assert box.x + box.w <= layout.width
        assert box.y >= 0
        assert box.y + box.h <= layout.height
    # bands stack top to bottom in perspective order without overlapping
    order = [p.id for p in scorecard.perspectives]
    ids = [b.id for b in layout.bands]
    assert ids == sorted(ids, key=order.index)
    for upper, lower in zip(layout.bands, layout.bands[1:], strict=False):
        assert upper.y + upper.h <= lower.y


@pytest.mark.parametrize("n", [60, 200])
def test_generated_maps_have_no_overlaps(generated, n):
    sc = generated(n)
    layout = layout_map(sc)
    check(layout, sc)
    # that many objectives need several rows in some band: the band grew instead
    assert max(b.rows for b in layout.bands) > 1
    assert len(layout.edges) == len(sc.links)


def test_bands_run_from_financial_down_to_learning(small):
    layout = layout_map(small)
    assert [b.id for b in layout.bands] == [
        "financial",
        "customer",
        "internal_process",
        "learning_growth",
    ]
    ys = [layout.box(o).y for o in ("grow", "delight", "quality", "skills")]
    assert ys == sorted(ys)


def test_custom_perspective_order_is_honoured():
    sc = Scorecard(
        id="c",
        perspectives=[
            Perspective(id="mission"),
            Perspective(id="stakeholders"),
            Perspective(id="capacity"),
        ],
        objectives=[
            Objective(id="c1", perspective="capacity"),
            Objective(id="m1", perspective="mission"),
            Objective(id="s1", perspective="stakeholders"),
        ],
    )
    layout = layout_map(sc)
    assert [b.id for b in layout.bands] == ["mission", "stakeholders", "capacity"]
    assert layout.box("m1").y < layout.box("s1").y < layout.box("c1").y


def test_ordering_removes_a_crossing():
    # defined order: top [a, b], bottom [c, d]; links c -> b and d -> a cross.
    sc = Scorecard(
        id="x",
        objectives=[
            Objective(id=i, perspective=p)
            for i, p in (
                ("a", "financial"),
                ("b", "financial"),
                ("c", "customer"),
                ("d", "customer"),
            )
        ],
        links=[CausalLink(cause="c", effect="b"), CausalLink(cause="d", effect="a")],
    )
    layout = layout_map(sc)
    left_top = layout.box("a").x < layout.box("b").x
    left_bottom = layout.box("d").x < layout.box("c").x
    assert left_top == left_bottom  # a above d, b above c: no crossing


def test_indicator_links_count_for_their_objectives():
    from balanced_scorecard.model import Indicator

    sc = Scorecard(
        id="x",
        objectives=[
            Objective(id=i, perspective=p)
            for i, p in (
                ("a", "financial"),
                ("b", "financial"),
                ("c", "customer"),
                ("d", "customer"),
            )
        ],
        indicators=[Indicator(id=f"k{o}", objective=o, unit="") for o in "abcd"],
        links=[CausalLink(cause="kc", effect="kb"), CausalLink(cause="kd", effect="ka")],
    )
    layout = layout_map(sc)
    assert (layout.box("a").x < layout.box("b").x) == (layout.box("d").x < layout.box("c").x)
    edge = layout.edges[0]
    assert (edge.cause, edge.effect, edge.source, edge.target) == ("kc", "kb", "c", "b")


def test_box_size_follows_the_label():
    sc = Scorecard(
        id="x",
        objectives=[
            Objective(id="s", name="Cost", perspective="financial"),
            Objective(id="m", name="Improve operating margin", perspective="financial"),
            Objective(
                id="l",
                perspective="financial",
                name="Improve the operating margin of every business unit in "
                "every market we serve, now and for the years to come",
            ),
        ],
    )
    layout = layout_map(sc)
    s, m, long = layout.box("s"), layout.box("m"), layout.box("l")
    assert s.w < m.w
    assert len(m.lines) == 1
    assert len(long.lines) == 3
    assert long.lines[-1].endswith("…")
    assert long.h > m.h
    # a box is as wide as its longest line needs (7.2 px a character plus padding)
    assert m.w == pytest.approx(len("Improve operating margin") * 7.2 + 20, abs=1)


def test_edges_leave_and_enter_box_sides(small):
    layout = layout_map(small)
    by = {(e.cause, e.effect): e for e in layout.edges}
    up = by["skills", "quality"]
    assert up.points[0][1] == layout.box("skills").y  # top of the cause
    q = layout.box("quality")
    assert up.points[-1][1] == q.y + q.h  # bottom of the effect
    cascade = by["grow", "grow_north"]
    assert cascade.kind == "cascades"
    assert cascade.points[0][0] == pytest.approx(layout.box("grow").x + layout.box("grow").w)
    # two links into one side get separate ports
    ports = [e.points[-1] for e in layout.edges if e.target == "delight"]
    assert len(set(ports)) == len(ports) == 2


def test_layout_is_deterministic(generated):
    a, b = layout_map(generated(60)), layout_map(generated(60))
    assert a == b


def test_empty_map_and_empty_bands():
    empty = layout_map(StrategyMap())
    assert empty.boxes == ()
    assert empty.bands == ()
    assert empty.edges == ()
    sc = Scorecard(id="x", objectives=[Objective(id="a", perspective="customer")])
    assert [b.id for b in layout_map(sc).bands] == ["customer"]
    every = layout_map(sc, empty_bands=True)
    assert [b.id for b in every.bands] == [
        "financial",
        "customer",
        "internal_process",
        "learning_growth",
    ]
    assert all(b.h > b.header for b in every.bands)


def test_bad_input_is_refused(small):
    with pytest.raises(ValueError, match="max_width 100"):
        layout_map(small, max_width=100)
    with pytest.raises(TypeError, match="not dict"):
        layout_map({"objectives": []})
    stray = StrategyMap(
        perspectives=[Perspective(id="p")], objectives=[Objective(id="a", perspective="q")]
    )
    with pytest.raises(ModelError, match="'q'"):
        layout_map(stray)
    dangling = StrategyMap(
        perspectives=[Perspective(id="p")],
        objectives=[Objective(id="a", perspective="p")],
        links=[CausalLink(cause="ghost", effect="a")],
    )
    with pytest.raises(ModelError, match="'ghost'"):
        layout_map(dangling)


def test_wrap_label():
    assert wrap_label("Grow") == ["Grow"]
    assert wrap_label("x" * 30, max_chars=10) == ["x" * 10, "x" * 10, "x" * 10]
    assert wrap_label("x" * 40, max_chars=10) == ["x" * 10, "x" * 10, "x" * 9 + "…"]
    assert wrap_label("  spaced\n\tout  ") == ["spaced out"]
    with pytest.raises(ValueError, match="max_chars"):
        wrap_label("a", max_chars=1)


@st.composite
def random_maps(draw: st.DrawFn) -> Scorecard:
    n_persp = draw(st.integers(1, 5))
    persp = [Perspective(id=f"p{k}") for k in range(n_persp)]
    n = draw(st.integers(0, 70))
    bands = draw(st.lists(st.integers(0, n_persp - 1), min_size=n, max_size=n))
    names = draw(st.lists(st.text(min_size=0, max_size=90), min_size=n, max_size=n))
    objectives = [
        Objective(id=f"o{k}", name=names[k], perspective=f"p{bands[k]}") for k in range(n)
    ]
    links = []
    if n > 1:
        pairs = draw(
            st.lists(
                st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=3 * n, unique=True
            )
        )
        links = [
            CausalLink(cause=f"o{a}", effect=f"o{b}", feedback=True) for a, b in pairs if a != b
        ]
    return Scorecard(id="r", perspectives=persp, objectives=objectives, links=links)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sc=random_maps(), max_width=st.floats(320, 2400))
def test_random_maps_lay_out_without_overlaps(sc, max_width):
    layout = layout_map(sc, max_width=max_width)
    check(layout, sc)
    assert layout.width <= max_width
    assert layout_map(sc, max_width=max_width) == layout
