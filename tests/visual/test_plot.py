"""matplotlib figures: the same data and colours as the SVG charts, and a clear message when
matplotlib is missing."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import attrs
import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.collections import PathCollection, PolyCollection  # noqa: E402
from matplotlib.colors import to_rgba  # noqa: E402

from balanced_scorecard.exceptions import ModelError, ScorecardError  # noqa: E402
from balanced_scorecard.results import Evaluation  # noqa: E402
from balanced_scorecard.visual.plot import PlotDependencyError, _rgba, plot  # noqa: E402

sys.path.insert(0, str(Path(__file__).parent))
from test_charts import AMBER, GREEN, RED, observations, scorecard  # noqa: E402


@pytest.fixture(scope="module")
def ev() -> Evaluation:
    return scorecard().evaluate(observations())


@pytest.fixture(autouse=True)
def _close_figures() -> Iterator[None]:
    yield
    plt.close("all")


def line(ax: object, label: str) -> np.ndarray:
    found = [ln for ln in ax.lines if ln.get_label() == label]  # type: ignore[attr-defined]
    assert len(found) == 1, label
    return np.asarray(found[0].get_ydata(), dtype=float)


def test_trend_figure_mirrors_the_svg(ev: Evaluation) -> None:
    fig = plot(ev, "trend", "rev", org_unit="north")
    ax = fig.axes[0]
    # actuals 90, 110, missing, 70: NaN keeps the gap in the line
    np.testing.assert_array_equal(line(ax, "actual"), [90.0, 110.0, np.nan, 70.0])
    # targets 100 then 120 from 2025-03 (the target row), drawn as steps
    np.testing.assert_array_equal(line(ax, "target"), [100.0, 100.0, 120.0, 120.0])
    zones = {c.get_label(): c for c in ax.collections if isinstance(c, PolyCollection)}
    assert set(zones) == {"red zone", "amber zone", "green zone"}
    assert tuple(zones["red zone"].get_facecolor()[0][:3]) == pytest.approx(to_rgba(RED)[:3])
    # higher-better: the red zone of 2025-01 lies below the red flag 80; of 2025-03 below 90
    verts = zones["red zone"].get_paths()
    assert verts[0].vertices[:, 1].max() == 80.0
    assert verts[2].vertices[:, 1].max() == 90.0
    # points coloured by status: amber, green, red (see test_charts for the scores)
    points = next(c for c in ax.collections if isinstance(c, PathCollection))
    np.testing.assert_allclose(
        points.get_facecolors()[:, :3], [to_rgba(c)[:3] for c in (AMBER, GREEN, RED)]
    )
    assert ax.get_ylabel() == "EUR"
    assert [t.get_text() for t in ax.get_xticklabels()] == [
        "2025-01",
        "2025-02",
        "2025-03",
        "2025-04",
    ]


def test_lower_better_red_zone_is_above(ev: Evaluation) -> None:
    ax = plot(ev, "trend", "def", org_unit="north").axes[0]
    zones = {c.get_label(): c for c in ax.collections if isinstance(c, PolyCollection)}
    red = zones["red zone"].get_paths()[0].vertices[:, 1]
    assert red.min() == 10.0  # from the red flag upwards
    green = zones["green zone"].get_paths()[0].vertices[:, 1]
    assert green.max() == 5.0  # from the target downwards


def test_provisional_points_are_hollow(ev: Evaluation) -> None:
    view = attrs.evolve(ev, provisional=("2025-04",))
    ax = plot(view, "trend", "rev", org_unit="north").axes[0]
    points = next(c for c in ax.collections if isinstance(c, PathCollection))
    assert tuple(points.get_facecolors()[-1]) == (1.0, 1.0, 1.0, 1.0)
    assert tuple(points.get_edgecolors()[-1][:3]) == pytest.approx(to_rgba(RED)[:3])
    assert ax.get_xticklabels()[-1].get_text() == "2025-04*"


def test_score_figure(ev: Evaluation) -> None:
    ax = plot(ev, "score", "rev", org_unit="north").axes[0]
    np.testing.assert_allclose(line(ax, "actual"), [5.0, 25 / 3, np.nan, 10 / 9], equal_nan=True)
    labels = {c.get_label() for c in ax.collections if isinstance(c, PolyCollection)}
    assert labels == {"red zone", "amber zone", "green zone"}
    assert ax.get_ylim() == (0.0, 10.0)


def test_heatmap_figure(ev: Evaluation) -> None:
    ax = plot(ev, "heatmap").axes[0]
    image = np.asarray(ax.images[0].get_array())
    assert image.shape == (3, 2, 4)  # org units x indicators x RGBA
    # same cells as the SVG heat map test: red, amber / red, amber / amber, amber
    expected = [[RED, AMBER], [RED, AMBER], [AMBER, AMBER]]
    np.testing.assert_allclose(image, [[to_rgba(c) for c in row] for row in expected])
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Organisation", "  North", "  South"]


def test_control_figure(ev: Evaluation) -> None:
    fig = plot(ev, "control", "def", org_unit="north")
    individuals, ranges = fig.axes
    np.testing.assert_array_equal(line(individuals, "I"), [4.0, 6.0, 12.0, 8.0])
    np.testing.assert_array_equal(line(ranges, "MR")[1:], [2.0, 6.0, 4.0])
    assert line(individuals, "UCL")[0] == pytest.approx(7.5 + 3 * 4 / 1.128, abs=1e-3)
    with pytest.raises(ModelError, match="drop ax"):
        plot(ev, "control", "def", ax=individuals)


def test_draws_into_a_given_axes(ev: Evaluation) -> None:
    fig, (a, b) = plt.subplots(1, 2)
    assert plot(ev, "trend", "rev", ax=a) is fig
    assert plot(ev, "score", ax=b) is fig
    assert a.lines
    assert b.lines


def test_bad_arguments(ev: Evaluation) -> None:
    with pytest.raises(ModelError, match="unknown plot kind 'pie'"):
        plot(ev, "pie")
    with pytest.raises(ModelError, match="pass its id as node"):
        plot(ev, "trend")


def test_css_colours_become_rgba() -> None:
    assert _rgba("rgb(255, 0, 0)") == (1.0, 0.0, 0.0, 1.0)
    assert _rgba("rgba(0, 100%, 0, 0.5)") == (0.0, 1.0, 0.0, 0.5)
    assert _rgba("#3a9a5b") == pytest.approx(to_rgba("#3a9a5b"))
    assert _rgba("notacolour") == pytest.approx(to_rgba("#eeeeee"))


def test_missing_matplotlib_says_how_to_install(
    ev: Evaluation, monkeypatch: pytest.MonkeyPatch
) -> None:
    # None in sys.modules makes ``import matplotlib.pyplot`` raise ImportError
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(PlotDependencyError, match=r"pip install 'balanced_scorecard\[plot\]'"):
        plot(ev, "trend", "rev")
    assert issubclass(PlotDependencyError, ImportError)
    assert issubclass(PlotDependencyError, ScorecardError)
