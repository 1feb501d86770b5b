"""Choropleth map: regions filled by value class (≤ 5 sequential classes), hatched where there is no value.

The regions' paths come from `project_regions`, so they share the fixed map frame; the legend sits in the
frame's lower right, east of southern Norway, where the map has no land. Each region's ``<title>`` names it
and its class, for hover; the page's table is the accessible equivalent of the map.

A map of part of the country (a county, a chosen list) is zoomed to the regions drawn: they fill the map's
width (or height), outlines keep their width (``vector-effect`` in charts.css), and the legend goes below.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup

from boligmonitor.web.charts.model import MapClass, MapRegion
from boligmonitor.web.charts.projection import MAP_HEIGHT, MAP_WIDTH, path_bounds
from boligmonitor.web.charts.svg import esc, link, num, svg_document, text, text_width, tooltip

MAX_CLASSES = 5
LEGEND_ROW = 16.0
SWATCH = 11.0
LEGEND_X = 262.0
# Zoom when the regions drawn cover less than this share of the frame's width and height; never more than
# MAX_ZOOM times (one small municipality would otherwise fill the map with a few simplified corners).
ZOOM_WHEN_BELOW = 0.7
MAX_ZOOM = 12.0
ZOOM_MARGIN = 8.0


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
    zoom = _zoom([r.path for r in ordered])
    map_height = MAP_HEIGHT if zoom is None else zoom.height
    if zoom is not None:
        parts[0] = parts[0].replace(
            'patternTransform="rotate(45)"', f'patternTransform="scale({1 / zoom.scale:.4g}) rotate(45)"'
        )
        parts.append(f'<g class="bm-map-regions" transform="{zoom.transform}">')
    else:
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
    if zoom is None:
        legend_x = min(LEGEND_X, MAP_WIDTH - 6 - SWATCH - 6 - widest)
        legend_top = MAP_HEIGHT - 8 - LEGEND_ROW * len(entries)
        height = float(MAP_HEIGHT)
    else:  # below the zoomed map, where it covers nothing
        legend_x = ZOOM_MARGIN
        legend_top = map_height + ZOOM_MARGIN
        height = legend_top + LEGEND_ROW * len(entries) + ZOOM_MARGIN
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
        chart_id, "bm-chart-map", MAP_WIDTH, height, title, description, "".join(parts), interactive=interactive
    )


@dataclass(frozen=True)
class _Zoom:
    scale: float
    dx: float
    dy: float
    height: float  # of the zoomed map, above the legend

    @property
    def transform(self) -> str:
        return f"translate({num(self.dx)} {num(self.dy)}) scale({self.scale:.4g})"


def _zoom(paths: Sequence[str]) -> _Zoom | None:
    """How to fit the regions' box into the map's width (and at most its height), or None when they already
    fill most of the frame (the whole country) or there is nothing to draw."""
    bounds = path_bounds(paths)
    if bounds is None:
        return None
    west, north, east, south = bounds
    width, height = max(east - west, 1.0), max(south - north, 1.0)
    if width >= ZOOM_WHEN_BELOW * MAP_WIDTH and height >= ZOOM_WHEN_BELOW * MAP_HEIGHT:
        return None
    room_x, room_y = MAP_WIDTH - 2 * ZOOM_MARGIN, MAP_HEIGHT - 2 * ZOOM_MARGIN
    scale = min(room_x / width, room_y / height, MAX_ZOOM)
    if scale <= 1.0:
        return None
    dx = (MAP_WIDTH - width * scale) / 2 - west * scale
    dy = ZOOM_MARGIN - north * scale
    return _Zoom(scale, dx, dy, ZOOM_MARGIN + height * scale)
