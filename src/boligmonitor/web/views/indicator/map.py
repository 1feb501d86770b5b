"""The indicator page's choropleth: the shown municipalities filled by value class, boundaries from the data
platform (``MonitorData.geometries``: region code -> GeoJSON geometry text, the latest vintage).

Projecting 357 boundaries takes a few hundred milliseconds, so the paths are made once per data version.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import Markup

from boligmonitor.core.regions import RegionLevel, region_level
from boligmonitor.web.charts import MapClass, MapRegion, choropleth, class_breaks, class_index, project_regions
from boligmonitor.web.context import PageContext
from boligmonitor.web.monitor import MonitorData
from boligmonitor.web.views.indicator.cache import cached

MAP_CLASSES = 5


def municipality_paths(data: MonitorData) -> dict[str, str]:
    """municipality code -> SVG path in the shared map frame, for every municipality with a boundary."""

    def compute() -> dict[str, str]:
        geometries = {
            code: json.loads(text)
            for code, text in data.geometries.items()
            if region_level(code) is RegionLevel.MUNICIPALITY
        }
        return project_regions(geometries)

    return cached(data, "municipality_paths", compute)


@dataclass(frozen=True)
class MapArea:
    code: str
    name: str
    value: float | None
    highlighted: bool


@dataclass(frozen=True)
class MapFigure:
    svg: Markup
    summary: str
    n_classes: int


def map_figure(
    ctx: PageContext,
    chart_id: str,
    areas: Sequence[MapArea],
    *,
    title: str,
    format_value: Callable[[float], str],
) -> MapFigure | None:
    """The choropleth of ``areas`` (quantile classes of their values), or None when no area has a value."""
    t = ctx.t
    breaks = class_breaks([area.value for area in areas], MAP_CLASSES)
    if not breaks:
        return None
    if len(breaks) == 1:
        classes = [MapClass(format_value(breaks[0]))]
    else:
        classes = [
            MapClass(t("value.interval", low=format_value(low), high=format_value(high)))
            for low, high in itertools.pairwise(breaks)
        ]
    paths = municipality_paths(ctx.data)
    regions = [
        MapRegion(
            code=area.code,
            label=area.name,
            path=paths.get(area.code, ""),
            class_index=class_index(area.value, breaks),
            highlighted=area.highlighted,
        )
        for area in areas
    ]
    with_value = [area for area in areas if area.value is not None]
    without_boundary = sum(1 for area in areas if area.code not in paths)
    summary = t(
        "indicator.map.summary",
        n=len(with_value),
        classes=len(classes),
        low=format_value(breaks[0]),
        high=format_value(breaks[-1]),
    )
    if len(with_value) < len(areas):
        summary += " " + t("indicator.map.missing", n=len(areas) - len(with_value))
    if without_boundary:
        summary += " " + t("indicator.map.no_boundary", n=without_boundary)
    svg = choropleth(
        chart_id,
        regions,
        classes=classes,
        title=title,
        description=summary,
        no_data_label=t("indicator.map.no_value"),
    )
    return MapFigure(svg, summary, len(classes))


__all__ = ["MapArea", "MapFigure", "map_figure", "municipality_paths"]
