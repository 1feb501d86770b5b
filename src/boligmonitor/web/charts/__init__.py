"""Server-side SVG charts: hand-written, accessible, CSP-safe ``<svg>`` strings for pages and PDF fact sheets.

Every chart function returns one ``<svg>`` (as ``markupsafe.Markup``) with ``role="img"`` (``"group"`` when it
contains links) named by its own ``<title>``/``<desc>``; the template wraps it in a ``<figure>``. Texts come
translated and numbers formatted by the caller; colours and line styles are CSS classes from
``static/charts.css``; comparison categories are told apart by marker shape as well as colour.
"""

from boligmonitor.web.charts.bars import UNCATEGORISED, ranked_bars
from boligmonitor.web.charts.choropleth import choropleth
from boligmonitor.web.charts.classes import class_breaks, class_index
from boligmonitor.web.charts.funnel import format_count, funnel_plot
from boligmonitor.web.charts.lines import line_chart, sparkline
from boligmonitor.web.charts.markers import (
    COMPARISON_CATEGORIES,
    NO_VALUE,
    comparison_icon,
    comparison_legend_items,
    comparison_marker,
)
from boligmonitor.web.charts.model import (
    Bar,
    FunnelCurve,
    FunnelPoint,
    LinePoint,
    LineSeries,
    MapClass,
    MapRegion,
    SeriesBreak,
    SpineLabels,
    SpineRow,
)
from boligmonitor.web.charts.projection import MAP_HEIGHT, MAP_WIDTH, project_geojson, project_regions
from boligmonitor.web.charts.spine import spine_chart

__all__ = [
    "COMPARISON_CATEGORIES",
    "MAP_HEIGHT",
    "MAP_WIDTH",
    "NO_VALUE",
    "UNCATEGORISED",
    "Bar",
    "FunnelCurve",
    "FunnelPoint",
    "LinePoint",
    "LineSeries",
    "MapClass",
    "MapRegion",
    "SeriesBreak",
    "SpineLabels",
    "SpineRow",
    "choropleth",
    "class_breaks",
    "class_index",
    "comparison_icon",
    "comparison_legend_items",
    "comparison_marker",
    "format_count",
    "funnel_plot",
    "line_chart",
    "project_geojson",
    "project_regions",
    "ranked_bars",
    "sparkline",
    "spine_chart",
]
