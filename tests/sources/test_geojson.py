"""GeoJSON boundaries: the real 2024 municipality and county files, and synthetic bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from boligmonitor.core.errors import InputError, InputProblem
from boligmonitor.sources.readers.geojson import RegionGeometry, read_geojson_regions

SQUARE = {"type": "Polygon", "coordinates": [[[10.0, 59.0], [10.1, 59.0], [10.1, 59.1], [10.0, 59.0]]]}


def feature(properties: dict[str, object], geometry: object = SQUARE) -> dict[str, object]:
    return {"type": "Feature", "properties": properties, "geometry": geometry}


def write(tmp_path: Path, body: object) -> Path:
    path = tmp_path / "synthetic.geojson"
    path.write_text(json.dumps(body), encoding="utf-8")
    return path


def collection(*features: object, **extra: object) -> dict[str, object]:
    return {"type": "FeatureCollection", "features": list(features), **extra}


def problems_of(path: Path, code_property: str = "code") -> tuple[InputProblem, ...]:
    with pytest.raises(InputError) as caught:
        read_geojson_regions(path, code_property)
    assert all(p.file == str(path) for p in caught.value.problems)
    return caught.value.problems


# --- real files --------------------------------------------------------------------------------------------


def test_real_municipality_boundaries(shared_data: Path) -> None:
    regions = read_geojson_regions(shared_data / "geo" / "kommuner_2024_robhop_S.geojson", "kommunenummer")
    assert len(regions) == 357
    assert all(len(r.code) == 4 and r.code.isdigit() for r in regions)
    by_code = {r.code: r for r in regions}
    assert by_code["0301"].name == "Oslo"
    assert json.loads(by_code["0301"].geometry_json)["type"] in ("Polygon", "MultiPolygon")
    assert " " not in by_code["0301"].geometry_json  # compact


def test_real_county_boundaries(shared_data: Path) -> None:
    regions = read_geojson_regions(shared_data / "geo" / "fylker_2024_robhop_S.geojson", "fylkesnummer")
    assert sorted(r.code for r in regions) == sorted(
        ["03", "11", "15", "18", "31", "32", "33", "34", "39", "40", "42", "46", "50", "55", "56"]
    )


def test_real_file_with_the_wrong_code_property(shared_data: Path) -> None:
    problems = problems_of(shared_data / "geo" / "fylker_2024_robhop_S.geojson", "code")
    assert len(problems) == 15
    assert problems[0].field == "features[0].properties.code"


# --- synthetic ----------------------------------------------------------------------------------------------


def test_synthetic_features(tmp_path: Path) -> None:
    path = write(tmp_path, collection(feature({"code": "K-0301", "name": "Oslo"}), feature({"code": 1103})))
    assert read_geojson_regions(path) == [
        RegionGeometry("0301", "Oslo", json.dumps(SQUARE, separators=(",", ":"))),
        RegionGeometry("1103", None, json.dumps(SQUARE, separators=(",", ":"))),
    ]


@pytest.mark.parametrize(
    "body",
    [
        {"type": "Feature", "properties": {"code": "0301"}, "geometry": SQUARE},
        [feature({"code": "0301"})],
        {"type": "FeatureCollection"},
        {"type": "FeatureCollection", "features": []},
    ],
)
def test_not_a_usable_feature_collection(tmp_path: Path, body: object) -> None:
    assert len(problems_of(write(tmp_path, body))) == 1


def test_projected_crs_is_refused(tmp_path: Path) -> None:
    crs = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::25833"}}
    [problem] = problems_of(write(tmp_path, collection(feature({"code": "0301"}), crs=crs)))
    assert problem.field == "crs"


def test_feature_problems_are_all_reported(tmp_path: Path) -> None:
    utm = {
        "type": "Polygon",
        "coordinates": [[[597000.0, 6643000.0], [598000.0, 6643000.0], [597000.0, 6643000.0]]],
    }
    path = write(
        tmp_path,
        collection(
            feature({"code": "0301"}),
            feature({"name": "no code"}),
            feature({"code": "0301"}),
            feature({"code": "1103"}, geometry={"type": "Point", "coordinates": [10.0, 59.0]}),
            feature({"code": "1106"}, geometry=utm),
            feature({"code": "301"}),
            feature({"code": "1108"}, geometry=None),
        ),
    )
    found = {p.field: p.message for p in problems_of(path)}
    assert set(found) == {
        "features[1].properties.code",
        "features[2].properties.code",
        "features[3].geometry",
        "features[4].geometry",
        "features[5].properties.code",
        "features[6].geometry",
    }
    assert "features[0]" in found["features[2].properties.code"]
    assert "EPSG:25833" in found["features[4].geometry"]
