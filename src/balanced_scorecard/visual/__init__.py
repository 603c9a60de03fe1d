"""Pictures of a scorecard: the strategy map as SVG (coloured by status), its layout and
exports to Graphviz DOT and Mermaid; charts as SVG (trend with target bands, sparkline, score
history, status heat map, control chart); matplotlib figures (``plot``, the ``plot`` extra).

Everything here is self-contained (no scripts, fonts or network at view time), escapes every
user string and is deterministic, so the same scorecard or evaluation gives byte-identical
output.
"""

from balanced_scorecard.visual.charts import (
    Chart,
    control_chart,
    score_history,
    sparkline,
    status_heatmap,
    trend_chart,
)
from balanced_scorecard.visual.exports import to_dot, to_mermaid
from balanced_scorecard.visual.layout import Band, Box, Edge, MapLayout, layout_map
from balanced_scorecard.visual.plot import plot
from balanced_scorecard.visual.strategy_map import StrategyMapPicture, map_picture, map_svg

__all__ = [
    "Band",
    "Box",
    "Chart",
    "Edge",
    "MapLayout",
    "StrategyMapPicture",
    "control_chart",
    "layout_map",
    "map_picture",
    "map_svg",
    "plot",
    "score_history",
    "sparkline",
    "status_heatmap",
    "to_dot",
    "to_mermaid",
    "trend_chart",
]
