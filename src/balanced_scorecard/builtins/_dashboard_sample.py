"""A generated evaluation with an org tree, for the dashboard's examples, tests and benchmark.

An enterprise (``group``) with ``business_units`` business units (``bu1`` ...), each with
``departments`` departments (``bu1_d1`` ...); observations come in at the departments and
are summed or averaged up the tree. Four objectives, one per perspective, with six
indicators; ``payroll`` is ``confidential``: only ``executive_sponsor`` may see it, a role
whose ceiling is ``internal`` (every other role, and no role) never. ``text``, when
given, is put into every name (XSS tests).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from balanced_scorecard.results import Evaluation

__all__ = ["sample_evaluation"]


def sample_evaluation(
    *,
    business_units: int = 2,
    departments: int = 2,
    periods: int = 12,
    text: str = "",
    seed: int = 7,
) -> Evaluation:
    """Evaluate the generated scorecard on seeded random data (see the module docstring).

    Examples
    --------
    >>> ev = sample_evaluation()
    >>> ev.units
    ('group', 'bu1', 'bu1_d1', 'bu1_d2', 'bu2', 'bu2_d1', 'bu2_d2')
    >>> ev.period_labels[0], ev.period_labels[-1]
    ('2025-01', '2025-12')
    """
    from balanced_scorecard.model import (
        Assignment,
        CausalLink,
        Indicator,
        Objective,
        OrgChart,
        OrgUnit,
        Scorecard,
        Thresholds,
    )
    from balanced_scorecard.model.classification import OutputPolicy

    def name(x: str) -> str:
        return f"{x} {text}".strip()

    units = [OrgUnit(id="group", name=name("Group"))]
    leaves: list[str] = []
    for b in range(1, business_units + 1):
        units.append(OrgUnit(id=f"bu{b}", name=name(f"Business unit {b}"), parent="group"))
        for d in range(1, departments + 1):
            leaf = f"bu{b}_d{d}"
            units.append(OrgUnit(id=leaf, name=name(f"Department {b}.{d}"), parent=f"bu{b}"))
            leaves.append(leaf)
    # (id, objective, target, red flag, extra options, mean, spread)
    spec: list[tuple[str, str, float, float, dict[str, object], float, float]] = [
        ("revenue", "grow", 100, 80, {"tier": "strategic", "org_aggregation": "mean"}, 95, 12),
        (
            "payroll",
            "grow",
            40,
            50,
            {
                "polarity": "lower_better",
                "classification": "confidential",
                "org_aggregation": "mean",
            },
            42,
            4,
        ),
        ("nps", "delight", 50, 20, {"tier": "strategic", "org_aggregation": "mean"}, 40, 10),
        (
            "defects",
            "quality",
            5,
            10,
            {"polarity": "lower_better", "org_aggregation": "mean"},
            7,
            2.5,
        ),
        ("training", "skills", 10, 5, {"org_aggregation": "mean"}, 8, 2),
        ("retention", "skills", 90, 80, {"tier": "strategic", "org_aggregation": "mean"}, 88, 3),
    ]
    sc = Scorecard(
        id="sample",
        name=name("Sample scorecard"),
        description=name("Generated for the dashboard"),
        objectives=[
            Objective(id="grow", name=name("Grow profitably"), perspective="financial"),
            Objective(id="delight", name=name("Delight customers"), perspective="customer"),
            Objective(id="quality", name=name("Build it right"), perspective="internal_process"),
            Objective(id="skills", name=name("Grow skills"), perspective="learning_growth"),
        ],
        indicators=[
            Indicator(
                id=i,
                name=name(i.replace("_", " ").capitalize()),
                objective=o,
                thresholds=Thresholds(target=t, red_flag=r),
                **kw,  # type: ignore[arg-type]
            )
            for i, o, t, r, kw, _, _ in spec
        ],
        links=[
            CausalLink(cause="delight", effect="grow", weight=2, lag=1),
            CausalLink(cause="quality", effect="delight"),
            CausalLink(cause="skills", effect="quality", lag=1),
        ],
        assignments=[Assignment(node="revenue", person=name("Ruth"), role="owner")],
        org_chart=OrgChart(units=units),
        output_policy=OutputPolicy(roles={"executive_sponsor": "confidential"}),
    )
    rng = np.random.default_rng(seed)
    labels = pd.period_range("2025-01", periods=periods, freq="M").strftime("%Y-%m")
    n_ind, n_leaf, n_per = len(spec), len(leaves), len(labels)
    mean = np.array([s[5] for s in spec])[:, None, None]
    spread = np.array([s[6] for s in spec])[:, None, None]
    values = mean + spread * rng.standard_normal((n_ind, n_leaf, n_per))
    shape = (n_ind, n_leaf, n_per)
    obs = pd.DataFrame(
        {
            "indicator": np.array([s[0] for s in spec], dtype=object)[np.indices(shape)[0].ravel()],
            "org_unit": np.array(leaves, dtype=object)[np.indices(shape)[1].ravel()],
            "period": np.asarray(labels, dtype=object)[np.indices(shape)[2].ravel()],
            "value": np.round(values.ravel(), 2),
        }
    )
    return sc.evaluate(obs)
