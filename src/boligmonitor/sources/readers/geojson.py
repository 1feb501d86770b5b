"""Region boundaries from a GeoJSON FeatureCollection (RFC 7946: WGS 84 longitude/latitude).

Each feature must carry its region code in a property (``code`` by default; Kartverket-derived files use
``kommunenummer`` or ``fylkesnummer``) and have a Polygon or MultiPolygon geometry. The geometry is passed on
as compact JSON text, untouched; the geo layer decides what to simplify or draw.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from boligmonitor.core.errors import InputError
from boligmonitor.core.regions import RegionLevel
from boligmonitor.sources.readers.checked_csv import ProblemCollector, parse_region, read_text
from boligmonitor.sources.readers.limits import loads_json, printable_path

AREA_GEOMETRY_TYPES = ("Polygon", "MultiPolygon")
# Old-style (pre-RFC 7946) `crs` members that still mean WGS 84 longitude/latitude.
_WGS84_CRS_NAMES = ("urn:ogc:def:crs:OGC:1.3:CRS84", "urn:ogc:def:crs:OGC::CRS84", "EPSG:4326")
_REGION_LEVELS = (RegionLevel.COUNTRY, RegionLevel.COUNTY, RegionLevel.MUNICIPALITY, RegionLevel.DISTRICT)


@dataclass(frozen=True)
class RegionGeometry:
    code: str  # canonical region code
    name: str | None
    geometry_json: str  # the feature's geometry object as compact JSON text


def read_geojson_regions(path: Path, code_property: str = "code", name_property: str = "name") -> list[RegionGeometry]:
    """One RegionGeometry per feature; InputError lists every problem, each with its ``features[i]`` field."""
    file = printable_path(path)
    body = loads_json(read_text(path), file)
    features = _features(body, file)
    problems = ProblemCollector(file)
    regions: list[RegionGeometry] = []
    first_index_of: dict[str, int] = {}
    for index, feature in enumerate(features):
        if problems.full:
            break
        region = _region_geometry(feature, f"features[{index}]", code_property, name_property, problems)
        if region is None:
            continue
        first = first_index_of.setdefault(region.code, index)
        if first != index:
            problems.add(
                f"region {region.code} has two features: features[{first}] and features[{index}]",
                field=f"features[{index}].properties.{code_property}",
            )
            continue
        regions.append(region)
    problems.raise_if_any()
    return regions


def _features(body: object, file: str) -> list[object]:
    if not isinstance(body, dict) or body.get("type") != "FeatureCollection":
        found = body.get("type") if isinstance(body, dict) else type(body).__name__
        raise InputError.single(file, f"not a GeoJSON FeatureCollection (type is {found!r})", field="type")
    crs = body.get("crs")
    if crs is not None:
        crs_name = crs.get("properties", {}).get("name") if isinstance(crs, dict) else None
        if crs_name not in _WGS84_CRS_NAMES:
            raise InputError.single(
                file,
                f"coordinates are in {crs_name or crs!r}: GeoJSON must be WGS 84 longitude/latitude "
                "(RFC 7946); reproject the file, e.g. from UTM 33 (EPSG:25833)",
                field="crs",
            )
    features = body.get("features")
    if not isinstance(features, list):
        raise InputError.single(file, "a FeatureCollection needs a 'features' list", field="features")
    if not features:
        raise InputError.single(file, "the FeatureCollection has no features", field="features")
    return features


def _region_geometry(
    feature: object, where: str, code_property: str, name_property: str, problems: ProblemCollector
) -> RegionGeometry | None:
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        problems.add("not a GeoJSON Feature", field=where)
        return None
    properties = feature.get("properties")
    if not isinstance(properties, dict) or properties.get(code_property) in (None, ""):
        problems.add(f"the feature has no {code_property!r} property", field=f"{where}.properties.{code_property}")
        return None
    ok = True
    try:
        code = parse_region(properties[code_property], _REGION_LEVELS)
    except ValueError as exc:
        problems.add(str(exc), field=f"{where}.properties.{code_property}")
        ok = False
    geometry = feature.get("geometry")
    geometry_problem = _geometry_problem(geometry)
    if geometry_problem:
        problems.add(geometry_problem, field=f"{where}.geometry")
        ok = False
    if not ok:
        return None
    name = properties.get(name_property)
    return RegionGeometry(
        code=code,
        name=(name.strip() or None) if isinstance(name, str) else None,
        geometry_json=json.dumps(geometry, separators=(",", ":"), ensure_ascii=False),
    )


def _geometry_problem(geometry: object) -> str | None:
    """Why ``geometry`` is not a usable area in longitude/latitude, or None if it is."""
    if not isinstance(geometry, dict) or geometry.get("type") not in AREA_GEOMETRY_TYPES:
        found = geometry.get("type") if isinstance(geometry, dict) else geometry
        return f"expected a Polygon or MultiPolygon geometry, found {found!r}"
    coordinates = geometry.get("coordinates")
    if not isinstance(coordinates, list) or not coordinates:
        return "the geometry has no coordinates"
    for position in _positions(coordinates):
        if position is None:
            return "malformed coordinates: each position must be [longitude, latitude]"
        lon, lat = position
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            return (
                f"position ({lon:g}, {lat:g}) is not longitude/latitude: GeoJSON must be WGS 84 (RFC 7946); "
                "reproject the file, e.g. from UTM 33 (EPSG:25833)"
            )
    return None


def _positions(nested: list[object]) -> Iterator[tuple[float, float] | None]:
    """Every [lon, lat, ...] position in nested coordinate arrays; None for anything malformed."""
    for item in nested:
        if isinstance(item, list) and item and isinstance(item[0], list):
            yield from _positions(item)
        elif isinstance(item, list) and len(item) >= 2 and all(_is_number(x) for x in item[:2]):
            yield float(item[0]), float(item[1])
        else:
            yield None


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
