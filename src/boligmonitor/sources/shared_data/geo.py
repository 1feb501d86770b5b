"""Boundaries of the 2024 municipalities and counties (Kartverket data, simplified by robhop)."""

from __future__ import annotations

from dataclasses import dataclass

from boligmonitor.core.errors import InputError
from boligmonitor.sources.manifest import InputFile
from boligmonitor.sources.shared_data.common import Described, Workspace, read_json, write_json

REPOSITORY = "robhop/fylker-og-kommuner"
LICENCE = "CC BY 4.0 (Kartverket); no licence file in the repository"


@dataclass(frozen=True)
class _Layer:
    source: str
    path: str
    dataset: str
    title: str
    code_property: str
    name_property: str
    count: int
    repo_path: str
    commit: str


_LAYERS = (
    _Layer(
        source="geo/kommuner_2024_robhop_S.geojson",
        path="geo/kommuner_2024.geojson",
        dataset="geo:kommuner-2024",
        title="Municipality boundaries, 2024 (357 municipalities, most simplified 'S' version)",
        code_property="kommunenummer",
        name_property="kommunenavn",
        count=357,
        repo_path="Kommuner-S.geojson",
        commit="77f1e665a1037e171154bd7d5a8d62284c6c9219",
    ),
    _Layer(
        source="geo/fylker_2024_robhop_S.geojson",
        path="geo/fylker_2024.geojson",
        dataset="geo:fylker-2024",
        title="County boundaries, 2024 (15 counties, most simplified 'S' version)",
        code_property="fylkesnummer",
        name_property="fylkesnavn",
        count=15,
        repo_path="Fylker-S.geojson",
        commit="22834b17dd4049ef5b4a8599dc3489ae5464c381",
    ),
)


def write_geo(workspace: Workspace) -> list[InputFile]:
    return [_write_layer(workspace, layer) for layer in _LAYERS]


def _write_layer(workspace: Workspace, layer: _Layer) -> InputFile:
    source = workspace.source(layer.source)
    body = read_json(source)
    features = body.get("features") if isinstance(body, dict) else None
    if not isinstance(features, list) or len(features) != layer.count:
        raise InputError.single(str(source), f"expected a FeatureCollection of {layer.count} features")
    written = []
    for index, feature in enumerate(features):
        properties = feature.get("properties") if isinstance(feature, dict) else None
        code = properties.get(layer.code_property) if isinstance(properties, dict) else None
        name = properties.get(layer.name_property) if isinstance(properties, dict) else None
        if not isinstance(code, str) or not isinstance(name, str):
            raise InputError.single(
                str(source),
                f"feature without {layer.code_property}/{layer.name_property}",
                field=f"features[{index}]",
            )
        # Same geometry object, re-serialised: Python writes every coordinate back exactly as read.
        written.append({"type": "Feature", "properties": {"code": code, "name": name}, "geometry": feature["geometry"]})
    write_json(workspace.target(layer.path), {"type": "FeatureCollection", "features": written})
    return Described(
        dataset=layer.dataset,
        publisher="Kartverket (simplified by robhop)",
        title=layer.title,
        code_vintage="2024",
        licence=LICENCE,
        provenance=(
            f"{REPOSITORY}, {layer.repo_path}, commit {layer.commit}; shared/data/{layer.source}. Properties "
            f"rewritten to code (from {layer.code_property}) and name (from {layer.name_property}); the "
            "other "
            "properties (id, name) were dropped; geometries unchanged."
        ),
        notes=[
            "Based on Kartverket's data under CC BY 4.0, simplified and clipped to the coastline by the "
            "repository author; WGS 84 longitude/latitude (no crs member). For maps, not for area "
            "computations.",
        ],
    ).entry(layer.path, "geojson")
