"""A catalogue of ready indicator definitions for the four perspectives.

Each entry gives what a well-made indicator needs beyond its id: a name, its perspective,
unit, polarity, whether it leads or lags, and the time and org aggregation that suit it (or
a formula over other entries). A definition file uses an entry with ``template:`` on an
indicator; keys the indicator sets itself win::

    indicators:
      - {id: otd, template: on_time_delivery_rate, thresholds: {red_flag: 90, target: 97}}

``bsc catalogue`` lists the entries. An entry's ``analytics`` key names the analytics
function that computes the measure and the columns of its result that hold the value (or the
numerator and denominator of a rate);
:func:`~balanced_scorecard.analytics.observations.as_observations` reads it.
"""

from __future__ import annotations

import functools
from importlib import resources
from typing import Any

import pandas as pd
import yaml

from balanced_scorecard._suggest import did_you_mean
from balanced_scorecard.exceptions import ModelError

__all__ = ["catalogue", "catalogue_frame", "template"]

#: Keys an entry may give an indicator (``perspective`` only describes the entry).
TEMPLATE_KEYS = (
    "name",
    "unit",
    "polarity",
    "lead_lag",
    "time_aggregation",
    "org_aggregation",
    "formula",
    "description",
)


@functools.cache
def _load() -> dict[str, dict[str, Any]]:
    text = resources.files("balanced_scorecard").joinpath("catalogue.yaml").read_text("utf-8")
    data: dict[str, dict[str, Any]] = yaml.safe_load(text)
    return data


def catalogue() -> dict[str, dict[str, Any]]:
    """Every entry by id (a copy: changing it changes nothing).

    Examples
    --------
    >>> catalogue()["on_time_delivery_rate"]["unit"]
    'percent'
    """
    return {k: dict(v) for k, v in _load().items()}


def template(name: str) -> dict[str, Any]:
    """The indicator keys entry ``name`` provides.

    Examples
    --------
    >>> template("gross_margin")["formula"]
    '(revenue - cost_of_goods_sold) / revenue * 100'
    >>> template("on_time_delivery")
    Traceback (most recent call last):
    ...
    balanced_scorecard.exceptions.ModelError: no indicator template 'on_time_delivery' in ...
    """
    entries = _load()
    if name not in entries:
        raise ModelError(
            f"no indicator template {name!r} in the catalogue."
            + did_you_mean(name, entries)
            + " (bsc catalogue lists them)"
        )
    return {k: v for k, v in entries[name].items() if k in TEMPLATE_KEYS}


def catalogue_frame(perspective: str | None = None) -> pd.DataFrame:
    """The catalogue as a frame, one row per entry, optionally for one perspective.

    ``analytics`` names the function of :mod:`balanced_scorecard.analytics` that computes the
    measure from raw rows (see :func:`~balanced_scorecard.analytics.observations.as_observations`),
    or is empty.

    Examples
    --------
    >>> catalogue_frame("customer")["id"].tolist()[:3]
    ['net_promoter_score', 'customer_satisfaction', 'customer_retention_rate']
    """
    rows = [
        {"id": k, **v, "analytics": (v.get("analytics") or {}).get("function", "")}
        for k, v in _load().items()
    ]
    frame = pd.DataFrame(rows).reindex(columns=["id", "perspective", *TEMPLATE_KEYS, "analytics"])
    if perspective is not None:
        frame = frame[frame["perspective"] == perspective]
    return frame.fillna("").reset_index(drop=True)
