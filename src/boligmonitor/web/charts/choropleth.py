"""Choropleth map: regions filled by value class (≤ 5 sequential classes), hatched where there is no value.

The regions' paths come from `project_regions`, so they share the fixed map frame; the legend sits in the
frame's lower right, east of southern Norway, where the map has no land. Each region's ``<title>`` names it
and its class, for hover; the page's table is the accessible equivalent of the map.
"""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup

from boligmonitor.web.charts.model import MapClass, MapRegion
from boligmonitor.web.charts.projection import MAP_HEIGHT, MAP_WIDTH
from boligmonitor.web.charts.svg import esc, link, num, svg_document, text, text_width, tooltip

MAX_CLASSES = 5
LEGEND_ROW = 16.0
SWATCH = 11.0
LEGEND_X = 262.0


def choropleth(
    chart_id: str,
    regions: Sequence[MapRegion],
    *,
    classes: Sequence[MapClass],
    title: str,
    description: str,
    no_data_label: str,
) -> Markup:
    """The map with its legend; highlighted regions are outlined and drawn last (on top of their neighbours)."""
    if not 1 <= len(classes) <= MAX_CLASSES:
        raise ValueError(f"a choropleth needs 1 to {MAX_CLASSES} classes, got {len(classes)}")
    for region in regions:
        if region.class_index is not None and not 0 <= region.class_index < len(classes):
            raise ValueError(f"region {region.code!r}: class_index {region.class_index} outside 0..{len(classes) - 1}")
    hatch = f"{chart_id}-hatch"

    parts: list[str] = [
        f'<defs><pattern id="{hatch}" width="4" height="4" patternUnits="userSpaceOnUse"'
        ' patternTransform="rotate(45)"><rect class="bm-map-hatch-bg" width="4" height="4"/>'
        '<path class="bm-map-hatch" d="M0 0V4"/></pattern></defs>'
    ]
    ordered = sorted((r for r in regions if r.path), key=lambda r: r.highlighted)
    parts.append('<g class="bm-map-regions">')
    for region in ordered:
        if region.class_index is None:
            fill_class, fill_attr, class_text = "bm-map-nodata", f' fill="url(#{hatch})"', no_data_label
        else:
            fill_class, fill_attr = f"bm-map-c{region.class_index}", ""
            class_text = classes[region.class_index].label
        css = f"bm-map-region {fill_class}" + (" bm-map-hl" if region.highlighted else "")
        shape = (
            f'<path class="{css}"{fill_attr} d="{esc(region.path)}">{tooltip(f"{region.label}: {class_text}")}</path>'
        )
        parts.append(link(region.href, shape))
    parts.append("</g>")

    entries = [(f'class="bm-map-swatch bm-map-c{i}"', c.label) for i, c in enumerate(classes)]
    entries.append((f'class="bm-map-swatch bm-map-nodata" fill="url(#{hatch})"', no_data_label))
    widest = max(text_width(label) for _, label in entries)
    legend_x = min(LEGEND_X, MAP_WIDTH - 6 - SWATCH - 6 - widest)
    legend_top = MAP_HEIGHT - 8 - LEGEND_ROW * len(entries)
    parts.append('<g class="bm-map-legend">')
    for row, (swatch_attrs, label) in enumerate(entries):
        y = legend_top + row * LEGEND_ROW
        parts.append(
            f'<rect {swatch_attrs} x="{num(legend_x)}" y="{num(y)}" width="{num(SWATCH)}" height="{num(SWATCH)}"/>'
        )
        parts.append(text(legend_x + SWATCH + 6, y + SWATCH - 1.5, label))
    parts.append("</g>")

    interactive = any(r.href is not None for r in regions)
    return svg_document(
        chart_id, "bm-chart-map", MAP_WIDTH, MAP_HEIGHT, title, description, "".join(parts), interactive=interactive
    )
