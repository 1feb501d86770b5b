"""SSB's region codes in every form ssb-api.md §5 lists, mapped to the monitor's codes in one place."""

from __future__ import annotations

from pathlib import Path

import pytest

from boligmonitor.core.regions import RegionLevel
from boligmonitor.sources.connectors.ssb.kostra_regions import (
    fetched_region_codes,
    monitor_region_code,
    monitor_region_level,
)

# (SSB code, label or None, the monitor's code or None, level) -- one row per form in ssb-api.md §5 and §8.
FORMS = [
    ("0", "Hele landet", "0", RegionLevel.COUNTRY),  # §5.1: national in Region
    ("EAK", "Landet", "0", RegionLevel.COUNTRY),  # §5.2: national in KOKkommuneregion0000
    ("EAKUO", "Landet uten Oslo", None, None),  # §5.2: no region of the monitor
    ("EKA40", None, "40", RegionLevel.COUNTY),  # §5.2: county aggregate
    ("EKA03", "Oslo", "03", RegionLevel.COUNTY),
    ("EKG13", "KOSTRA-gruppe 13", "EKG13", RegionLevel.KOSTRA_GROUP),  # §5.2 [I]: KOSTRA group
    ("EKG01", None, "EKG01", RegionLevel.KOSTRA_GROUP),
    ("K-0301", "Oslo - Oslove", "0301", RegionLevel.MUNICIPALITY),  # §5.1: agg_KommSummer
    ("K-3103", "Moss", "3103", RegionLevel.MUNICIPALITY),
    ("F-03", None, "03", RegionLevel.COUNTY),  # §5.1: agg_KommFylker
    ("46", "Vestland", "46", RegionLevel.COUNTY),  # §5.1: two-digit county
    ("0301", "Oslo - Oslove", "0301", RegionLevel.MUNICIPALITY),  # four-digit municipality
    ("0814", "Bamble (-2019)", "0814", RegionLevel.MUNICIPALITY),  # historical codes stay separate values
    ("030101", "Gamle Oslo", "030101", RegionLevel.DISTRICT),  # §5.1: urban district in (B) tables
    ("9999", "Uoppgitt", None, None),  # §6.3: unspecified
    ("TOTAL", "Hele landet", "0", RegionLevel.COUNTRY),  # §8.4: 07221's national price region
    ("00", "Hele landet", "0", RegionLevel.COUNTRY),  # §8.5: 09895's national price zone
    ("001", "Oslo med Bærum", None, None),  # §8.4: a price region is no region of the monitor
]


@pytest.mark.parametrize(("code", "label", "expected", "level"), FORMS)
def test_every_form_maps_to_the_monitors_code(
    code: str, label: str | None, expected: str | None, level: RegionLevel | None
) -> None:
    assert monitor_region_code(code, label) == expected
    assert monitor_region_level(code, label) == level


def test_every_form_in_the_reference_is_covered(shared_data: Path) -> None:
    """The forms the reference names (§5: EAK, EAKUO, EKAxx, EKGxx, K-xxxx, F-xx) are all in the table above."""
    reference = (shared_data.parent / "docs" / "ssb-api.md").read_text(encoding="utf-8")
    covered = {code for code, *_ in FORMS}
    for form, example in (("EAK", "EAK"), ("EAKUO", "EAKUO"), ("EKA", "EKA40"), ("EKG", "EKG13")):
        assert form in reference
        assert example in covered
    for form, example in (("K-0301", "K-0301"), ("F-03", "F-03"), ("`030101`", "030101")):
        assert form in reference
        assert example in covered


def test_a_label_alone_does_not_make_a_region() -> None:
    assert monitor_region_code("ABC", "Oslo") is None
    assert monitor_region_code("ABC", None) is None
    assert monitor_region_code(" EAK ") == "0"


def test_the_fetch_asks_for_country_counties_municipalities_and_districts_only() -> None:
    codes = ["EAK", "EAKUO", "EKA03", "EKA46", "EKG01", "EKG17", "0301", "4601", "1201", "030101", "9999"]
    assert fetched_region_codes(codes) == ["EAK", "EKA03", "EKA46", "0301", "4601", "1201", "030101"]
    national = fetched_region_codes(["TOTAL", "001", "002"], ["Hele landet", "Oslo med Bærum", "Stavanger"])
    assert national == ["TOTAL"]
    only_counties = fetched_region_codes(["0", "03", "0301"], levels=[RegionLevel.COUNTY])
    assert only_counties == ["03"]
    # 09895's price zones (§8.5): "01" is Oslo og Bærum, not the county 01; only the national row is a region.
    zones = fetched_region_codes(["00", "01"], ["Hele landet", "Oslo og Bærum kommune"], variable_id="Soner2")
    assert zones == ["00"]
    assert fetched_region_codes(["00", "01"], ["Hele landet", "Oslo og Bærum kommune"]) == ["00", "01"]
