from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from boligmonitor.core.errors import InputError, UnknownCodesError
from boligmonitor.core.regions import RegionLevel, normalise_region_code
from boligmonitor.geo import Region, RegionRegistry

from .conftest import read_csv

# ssb-api.md §8.3: municipalities per county prefix in KLASS 131 on 2026-01-01.
MUNICIPALITIES_PER_COUNTY = {
    "03": 1, "11": 23, "15": 27, "18": 41, "31": 12, "32": 21, "33": 18, "34": 46,
    "39": 6, "40": 17, "42": 25, "46": 43, "50": 38, "55": 21, "56": 18,
}  # fmt: skip


@pytest.fixture(scope="module")
def county_items(shared_data: Path) -> list[dict[str, Any]]:
    """The 15 counties (aprestmo/norway-geodata, names as KLASS 104) in the shape of KLASS codesAt items."""
    counties = json.loads((shared_data / "registry/aprestmo_counties_2025.json").read_text(encoding="utf-8"))
    return [{"code": county["id"], "name": county["name"]} for county in counties]


@pytest.fixture(scope="module")
def oslo_districts(shared_data: Path) -> list[Region]:
    """Oslo's 15 bydeler from FHI csdata's location hierarchy (2024 borders)."""
    rows = read_csv(shared_data / "registry/csdata_locations_hierarchy_b2024.csv")
    return [
        Region(
            normalise_region_code(row["ward_code"]),
            row["ward_name"],
            RegionLevel.DISTRICT,
            normalise_region_code(row["municip_code"]),
        )
        for row in rows
        if row["ward_code"].startswith("wardoslo_nor")
    ]


@pytest.fixture(scope="module")
def registry(
    klass_municipality_items: list[dict[str, Any]],
    county_items: list[dict[str, Any]],
    oslo_districts: list[Region],
) -> RegionRegistry:
    return RegionRegistry.from_klass(klass_municipality_items, county_items, oslo_districts)


def test_klass_codes_give_357_municipalities_and_unspecified(registry: RegionRegistry) -> None:
    assert len(registry.municipalities()) == 357
    assert registry.unspecified == {"9999"}
    assert "9999" not in registry
    codes = [m.code for m in registry.municipalities()]
    assert codes == sorted(codes)


def test_counties_by_prefix(registry: RegionRegistry) -> None:
    assert [c.code for c in registry.counties()] == sorted(MUNICIPALITIES_PER_COUNTY)
    per_county = {c.code: len(registry.municipalities(county=c.code)) for c in registry.counties()}
    assert per_county == MUNICIPALITIES_PER_COUNTY
    assert all(c.parent_code == "0" for c in registry.counties())


def test_lookup_by_any_spelling_and_klass_names(registry: RegionRegistry) -> None:
    oslo = registry.get("K-0301")
    assert (oslo.code, oslo.name, oslo.level, oslo.parent_code) == (
        "0301",
        "Oslo - Oslove",
        "municipality",
        "03",
    )
    assert oslo.names == {"nb": "Oslo - Oslove"}
    assert registry.get("municip_nor1580").name == "Haram"
    assert "EKA03" in registry
    assert registry.get("F-46").name == "Vestland"


def test_country(registry: RegionRegistry) -> None:
    country = registry.country()
    assert (country.code, country.level, country.parent_code) == ("0", RegionLevel.COUNTRY, None)
    assert dict(country.names) == {"nb": "Norge", "nn": "Noreg", "en": "Norway"}
    assert registry.get("Hele landet") == country


def test_districts(registry: RegionRegistry) -> None:
    oslo = registry.districts("0301")
    assert len(oslo) == 15
    assert oslo[0].code == "030101"
    assert registry.get("030101").name == "Gamle Oslo"
    assert registry.districts("4601") == []


def test_get_unknown_code_raises(registry: RegionRegistry) -> None:
    with pytest.raises(UnknownCodesError) as raised:
        registry.get("0104")
    assert raised.value.codes == ("0104",)


def test_check_known_lists_every_unknown_code(registry: RegionRegistry) -> None:
    registry.check_known(["0301", "K-3103", "9999", "03", "0"])
    with pytest.raises(UnknownCodesError) as raised:
        registry.check_known(["0301", "0104", "1507", "30", "0104"], file="upload.csv")
    assert raised.value.codes == ("0104", "1507", "30")
    assert raised.value.problems[0].file == "upload.csv"


def test_municipality_of_an_unknown_county_is_an_error(
    klass_municipality_items: list[dict[str, Any]], county_items: list[dict[str, Any]]
) -> None:
    without_oslo = [c for c in county_items if c["code"] != "03"]
    with pytest.raises(InputError, match="0301 Oslo - Oslove: county 03 is not in the county list"):
        RegionRegistry.from_klass(klass_municipality_items, without_oslo)


def test_bad_items_are_all_reported() -> None:
    # Synthetic items with a bad code, a missing name and a duplicate.
    municipalities = [
        {"code": "0301", "name": "Oslo"},
        {"code": "301x", "name": "Bad"},
        {"code": "1101", "name": ""},
        {"code": "0301", "name": "Oslo again"},
    ]
    with pytest.raises(InputError) as raised:
        RegionRegistry.from_klass(municipalities, [{"code": "03", "name": "Oslo"}, {"code": "11", "name": "R"}])
    assert len(raised.value.problems) == 3


def test_names_in_other_languages_are_added(registry: RegionRegistry) -> None:
    # Synthetic nynorsk name list (only the mechanism is tested here).
    with_nn = registry.with_names("nn", [{"code": "0301", "name": "Oslo - Oslove (nn)"}, {"code": "9998"}])
    assert with_nn.get("0301").name_in("nn") == "Oslo - Oslove (nn)"
    assert with_nn.get("0301").name_in("en") == "Oslo - Oslove"
    assert "9998" not in with_nn
    assert len(with_nn) == len(registry)
