"""Strategy maps for the picture tests: a small hand-built one with known statuses, and
generated ones of any size."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest

from balanced_scorecard.model import (
    CausalLink,
    Indicator,
    Objective,
    Perspective,
    Scorecard,
    Thresholds,
)
from balanced_scorecard.results import Evaluation

WORDS = (
    "grow",
    "customer",
    "loyalty",
    "digital",
    "quality",
    "people",
    "lean",
    "safety",
    "innovate",
    "partner",
    "cost",
    "service",
    "skills",
    "culture",
    "data",
    "brand",
)


def small_scorecard(**names: str) -> Scorecard:
    """Four objectives over the default perspectives: ``grow`` (financial) is red,
    ``delight`` (customer) green, ``quality`` (internal process) has no data, and
    ``skills`` (learning & growth) is amber. Links: skills -+-> quality (lag 2),
    quality -+-> delight, delight -+-> grow (weight 2), a negative indicator-level link
    cost -> nps and a cascade grow -> grow_north. ``names`` override objective names."""
    limits = Thresholds(target=100, red_flag=50)
    objectives = [
        Objective(
            id="grow",
            name=names.get("grow", "Grow profitable revenue"),
            perspective="financial",
            description="Top line and margin",
        ),
        Objective(
            id="grow_north", name="Grow in the north", perspective="financial", parent="grow"
        ),
        Objective(
            id="delight", name=names.get("delight", "Delight customers"), perspective="customer"
        ),
        Objective(id="quality", name="Build right first time", perspective="internal_process"),
        Objective(id="skills", name="Develop skills", perspective="learning_growth"),
    ]
    indicators = [
        Indicator(id="revenue", name="Revenue", objective="grow", unit="EUR", thresholds=limits),
        Indicator(id="north_rev", objective="grow_north", unit="EUR", thresholds=limits),
        Indicator(id="nps", name="NPS", objective="delight", unit="", thresholds=limits),
        Indicator(id="cost", name="Cost", objective="quality", unit="EUR", thresholds=limits),
        Indicator(id="training", objective="skills", unit="h", thresholds=limits),
    ]
    links = [
        CausalLink(cause="skills", effect="quality", lag=2),
        CausalLink(cause="quality", effect="delight"),
        CausalLink(
            cause="delight",
            effect="grow",
            weight=2.0,
            description=names.get("link", "Happy customers buy more"),
        ),
        CausalLink(cause="cost", effect="nps", sign="-"),
    ]
    return Scorecard(
        id="small",
        name=names.get("scorecard", "Small map"),
        objectives=objectives,
        indicators=indicators,
        links=links,
    )


def small_evaluation(scorecard: Scorecard | None = None) -> Evaluation:
    """``small_scorecard`` scored on one month: revenue 40 (red), north 110 (green), NPS 120
    (green), training 70 (amber); cost has no data."""
    sc = scorecard or small_scorecard()
    obs = pd.DataFrame(
        {
            "indicator": ["revenue", "north_rev", "nps", "training"],
            "org_unit": "all",
            "period": "2025-01",
            "value": [40.0, 110.0, 120.0, 70.0],
        }
    )
    return sc.evaluate(obs)


def generated_scorecard(n: int, *, seed: int = 7, perspectives: int = 4) -> Scorecard:
    """``n`` objectives spread over ``perspectives`` bands with names of 1-9 words, one
    indicator each, and about 1.5 links per objective (objective- and indicator-level,
    some negative), drawn from a seeded generator."""
    rng = np.random.default_rng(seed)
    persp = [Perspective(id=f"p{k}", name=f"Perspective {k}") for k in range(perspectives)]
    band = rng.integers(0, perspectives, size=n)
    objectives = [
        Objective(
            id=f"o{k}",
            name=" ".join(rng.choice(WORDS, size=int(rng.integers(1, 10)))),
            perspective=f"p{band[k]}",
        )
        for k in range(n)
    ]
    indicators = [Indicator(id=f"i{k}", objective=f"o{k}", unit="") for k in range(n)]
    links: dict[tuple[str, str], CausalLink] = {}
    for _ in range(int(1.5 * n)):
        a, b = (int(x) for x in rng.integers(0, n, size=2))
        if band[a] <= band[b] or a == b:
            continue  # causes sit in a lower band than their effects
        prefix = "i" if rng.random() < 0.3 else "o"
        cause, effect = f"{prefix}{a}", f"{prefix}{b}"
        links[cause, effect] = CausalLink(
            cause=cause,
            effect=effect,
            sign="-" if rng.random() < 0.2 else "+",
            weight=float(rng.uniform(0.2, 3.0)),
        )
    return Scorecard(
        id=f"gen{n}",
        perspectives=persp,
        objectives=objectives,
        indicators=indicators,
        links=list(links.values()),
    )


@pytest.fixture
def small() -> Scorecard:
    return small_scorecard()


@pytest.fixture
def small_ev() -> Evaluation:
    return small_evaluation()


@pytest.fixture
def generated() -> Callable[..., Scorecard]:
    return generated_scorecard


@pytest.fixture
def make_small() -> Callable[..., Scorecard]:
    return small_scorecard


@pytest.fixture
def evaluate_small() -> Callable[..., Evaluation]:
    return small_evaluation
