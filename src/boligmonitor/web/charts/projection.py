"""GeoJSON boundaries (WGS 84 lon/lat) to compact SVG paths in one fixed map frame.

Projection: spherical transverse Mercator about 15° E (the central meridian of UTM zone 33, which Norwegian
maps use), so Norway keeps its familiar shape from Lindesnes to Finnmark. The frame is fixed — the projected
extent of the 2024 municipalities plus a small margin, fitted to ``MAP_WIDTH`` × ``MAP_HEIGHT`` — so that paths
projected separately (municipalities, counties) line up, and the same region always gets the same path.

Compaction: coordinates are rounded to 0.1 user units and written relative ("l") to the previous point;
points closer than ``tolerance`` (default 0.7 units ≈ 2 km) to the last kept point are dropped, and rings
left with fewer than three points (islets under a pixel) disappear. A region never ends up empty: if every
ring vanished, its largest ring is kept unsimplified.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

MAP_WIDTH = 400
MAP_HEIGHT = 500
CENTRAL_MERIDIAN = 15.0
# Projected extent in degrees of arc on the unit sphere: x east of the central meridian, y along it.
# The 2024 municipalities span x -5.165…5.511 and y 58.194…71.561; the frame adds a margin and has the
# aspect MAP_WIDTH : MAP_HEIGHT.
FRAME_WEST = -5.2
FRAME_EAST = 5.55
FRAME_NORTH = 71.5975
_SCALE = MAP_WIDTH / math.radians(FRAME_EAST - FRAME_WEST)  # user units per radian
DEFAULT_TOLERANCE = 0.7

Ring = list[tuple[float, float]]


def project_point(lon: float, lat: float) -> tuple[float, float]:
    """WGS 84 degrees to map-frame user units (x right, y down)."""
    lam = math.radians(lon - CENTRAL_MERIDIAN)
    phi = math.radians(lat)
    b = math.cos(phi) * math.sin(lam)
    east = math.atanh(b)
    north = math.atan2(math.tan(phi), math.cos(lam))
    return (east - math.radians(FRAME_WEST)) * _SCALE, (math.radians(FRAME_NORTH) - north) * _SCALE


def _polygons(geometry: Mapping[str, Any]) -> list[list[Sequence[Sequence[float]]]]:
    kind = geometry.get("type")
    if kind == "Feature":
        inner = geometry.get("geometry")
        if not isinstance(inner, Mapping):
            raise ValueError("GeoJSON Feature without a geometry")
        return _polygons(inner)
    coordinates = geometry.get("coordinates")
    if kind == "Polygon":
        return [list(coordinates or [])]
    if kind == "MultiPolygon":
        return [list(polygon) for polygon in coordinates or []]
    raise ValueError(f"expected a GeoJSON Polygon or MultiPolygon, got {kind!r}")


def _project_ring(ring: Sequence[Sequence[float]]) -> Ring:
    return [project_point(float(point[0]), float(point[1])) for point in ring]


def _simplify(ring: Ring, tolerance: float) -> Ring:
    """Drop points within ``tolerance`` of the last kept point (radial distance); the ring stays closed."""
    if not ring:
        return []
    kept = [ring[0]]
    limit = tolerance * tolerance
    last_x, last_y = ring[0]
    for x, y in ring[1:-1]:
        if (x - last_x) ** 2 + (y - last_y) ** 2 >= limit:
            kept.append((x, y))
            last_x, last_y = x, y
    return kept


def _tenths(ring: Ring) -> list[tuple[int, int]]:
    """Coordinates in whole tenths of a unit, without consecutive repeats (or a repeated closing point)."""
    points: list[tuple[int, int]] = []
    for x, y in ring:
        point = (round(x * 10), round(y * 10))
        if not points or point != points[-1]:
            points.append(point)
    if len(points) > 1 and points[-1] == points[0]:
        points.pop()
    return points


def _number(tenths: int) -> str:
    # 12 -> "1.2", -5 -> "-.5", 30 -> "3": the shortest SVG number for a value in tenths.
    sign = "-" if tenths < 0 else ""
    whole, fraction = divmod(abs(tenths), 10)
    if fraction == 0:
        return f"{sign}{whole}"
    return f"{sign}{whole}.{fraction}" if whole else f"{sign}.{fraction}"


def _join(numbers: Iterable[str]) -> str:
    # A minus sign separates numbers by itself; anything else needs a space.
    out: list[str] = []
    for item in numbers:
        if out and not item.startswith("-"):
            out.append(" ")
        out.append(item)
    return "".join(out)


def _ring_path(points: list[tuple[int, int]]) -> str:
    x0, y0 = points[0]
    numbers: list[str] = []
    px, py = x0, y0
    for x, y in points[1:]:
        numbers.append(_number(x - px))
        numbers.append(_number(y - py))
        px, py = x, y
    return f"M{_join((_number(x0), _number(y0)))}l{_join(numbers)}z"


def project_geojson(geometry: Mapping[str, Any], *, tolerance: float = DEFAULT_TOLERANCE) -> str:
    """An SVG path ``d`` for a GeoJSON Polygon or MultiPolygon (or a Feature holding one) in the map frame.

    Holes are kept (fill with the default nonzero rule works because GeoJSON rings wind oppositely; charts
    also set ``fill-rule: evenodd`` in CSS). Returns "" only for an empty geometry.
    """
    rings = [_project_ring(ring) for polygon in _polygons(geometry) for ring in polygon if len(ring) >= 3]
    kept = [points for points in (_tenths(_simplify(ring, tolerance)) for ring in rings) if len(points) >= 3]
    if not kept and rings:
        largest = max(rings, key=_ring_extent)
        fallback = _tenths(largest)
        kept = [fallback if len(fallback) >= 3 else _minimal_ring(fallback[0])]
    return "".join(_ring_path(points) for points in kept)


def _ring_extent(ring: Ring) -> float:
    xs, ys = [x for x, _ in ring], [y for _, y in ring]
    return (max(xs) - min(xs)) + (max(ys) - min(ys))


def _minimal_ring(point: tuple[int, int]) -> list[tuple[int, int]]:
    # An area smaller than a tenth of a unit still gets a visible speck (three tenths across).
    x, y = point
    return [(x - 1, y - 1), (x + 2, y - 1), (x - 1, y + 2)]


_PATH_TOKEN = re.compile(r"[MLlz]|-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")


def path_bounds(paths: Iterable[str]) -> tuple[float, float, float, float] | None:
    """The box (west, north, east, south) in map-frame units around paths made by :func:`project_geojson`
    (absolute ``M``, relative ``l``, ``z``); None when there is no point at all."""
    xs: list[float] = []
    ys: list[float] = []
    for d in paths:
        tokens = _PATH_TOKEN.findall(d)
        command, x, y, start = "M", 0.0, 0.0, (0.0, 0.0)
        numbers: list[float] = []
        for item in tokens:
            if item in ("M", "L", "l", "z"):
                command, numbers = item, []
                if command == "z":
                    x, y = start
                continue
            numbers.append(float(item))
            if len(numbers) < 2:
                continue
            dx, dy = numbers
            numbers = []
            if command == "l":
                x, y = x + dx, y + dy
            else:
                x, y = dx, dy
                if command == "M":
                    start = (x, y)
            xs.append(x)
            ys.append(y)
    if not xs:
        return None
    return min(xs), min(ys), max(xs), max(ys)


def project_regions(
    features: Mapping[str, Mapping[str, Any]], *, tolerance: float = DEFAULT_TOLERANCE
) -> dict[str, str]:
    """``code -> path d`` for geometries (or Features) keyed by region code, all in the shared map frame.

    Deterministic: the same input gives the same strings, in the input's key order.
    """
    return {code: project_geojson(geometry, tolerance=tolerance) for code, geometry in features.items()}


__all__ = ["MAP_HEIGHT", "MAP_WIDTH", "path_bounds", "project_geojson", "project_point", "project_regions"]
