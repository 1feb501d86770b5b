from __future__ import annotations

import math
from collections import Counter
from pathlib import Path

import pytest

from boligmonitor.core.errors import InputError
from boligmonitor.geo import KostraGroup, RegionAttributes, SizeGroup, kostra_groups_from_rows, size_group

from .conftest import read_csv

ATTRIBUTES_FILE = "registry/samarbeidsdesken_kommune_attributes_2022_2024.csv"


@pytest.mark.parametrize(
    ("population", "expected"),
    [
        (0, SizeGroup.SMALL),
        (4_999, SizeGroup.SMALL),
        (4_999.5, SizeGroup.SMALL),
        (5_000, SizeGroup.MEDIUM),
        (19_999, SizeGroup.MEDIUM),
        (20_000, SizeGroup.LARGE),
        (717_710, SizeGroup.LARGE),
    ],
)
def test_size_group_boundaries(population: float, expected: SizeGroup) -> None:
    assert size_group(population) is expected


def test_size_group_of_missing_population_is_none() -> None:
    assert size_group(None) is None
    assert size_group(math.nan) is None
    with pytest.raises(ValueError, match="negative"):
        size_group(-1)


def test_size_group_labels() -> None:
    assert [g.label for g in SizeGroup] == ["under 5 000", "5 000–19 999", "20 000 og flere"]
    assert SizeGroup.LARGE.labels["nn"] == "20 000 og fleire"
    assert SizeGroup.MEDIUM.labels["en"] == "5,000–19,999"


@pytest.fixture(scope="module")
def kostra_groups(shared_data: Path) -> list[KostraGroup]:
    return kostra_groups_from_rows(read_csv(shared_data / "registry/samarbeidsdesken_kostra_groups_description.csv"))


def test_kostra_group_descriptions(kostra_groups: list[KostraGroup]) -> None:
    assert [g.code for g in kostra_groups] == [f"EKG{n:02d}" for n in range(1, 18)]
    first, oslo = kostra_groups[0], kostra_groups[12]
    assert (first.number, first.label, first.population_band, first.municipality_count) == (
        1,
        "KOSTRA-gruppe 1",
        "2 000 - 9 999",
        39,
    )
    assert first.description == (
        "KOSTRA-gruppe 1: folkemengde 2 000 - 9 999, bundne kostnader lave, frie disponible inntekter lave"
    )
    assert (oslo.population_band, oslo.free_disposable_income, oslo.municipality_count) == (
        "Oslo kommune",
        "",
        1,
    )
    assert sum(g.municipality_count or 0 for g in kostra_groups) == 356  # the 2020 structure


def test_kostra_group_rows_with_problems() -> None:
    # Synthetic rows: a label without a number, and a row with missing columns.
    complete = {
        "folkemengde": "",
        "bundekostnader": "",
        "frie_disponible_inntekter": "",
        "antall_kommuner": "3",
    }
    rows = [
        {"kostragruppe": "KOSTRA-gruppe x", **complete},
        {"kostragruppe": "KOSTRA-gruppe 2", "folkemengde": "", "bundekostnader": ""},
    ]
    with pytest.raises(InputError) as raised:
        kostra_groups_from_rows(rows, file="groups.csv")
    assert [(p.line, p.field) for p in raised.value.problems] == [(2, "kostragruppe"), (3, None)]


@pytest.fixture(scope="module")
def attributes(shared_data: Path) -> RegionAttributes:
    """KOSTRA group and centrality (Samarbeidsdesken, 2022–2024) and economic regions (Rogaland fylkeskommune,
    2024), converted to the documented rows {region, attribute, year, value, source}."""
    rows: list[dict[str, str]] = []
    for row in read_csv(shared_data / ATTRIBUTES_FILE):
        for attribute, column in (("kostra_group", "kostranr"), ("centrality", "sentralitet")):
            rows.append(
                {
                    "region": row["kommunenummer"],
                    "attribute": attribute,
                    "year": row["year"],
                    "value": row[column],
                    "source": "Samarbeidsdesken/p02-ukraina",
                }
            )
    for row in read_csv(shared_data / "registry/rogfk_geografiske_referansekoder_2024.csv"):
        rows.append(
            {
                "region": row["kommune_kode"],
                "attribute": "economic_region",
                "year": "2024",
                "value": row["oekonomiskregion_kode"],
                "source": "Rogaland fylkeskommune",
            }
        )
        rows.append(
            {
                "region": row["kommune_kode"],
                "attribute": "centrality",
                "year": "2024",
                "value": row["sentralitetsklasse"],  # written "01" … "06"
                "source": "Rogaland fylkeskommune",
            }
        )
    return RegionAttributes.from_rows(rows)


def test_attribute_lookups(attributes: RegionAttributes) -> None:
    assert attributes.value("0301", "kostra_group", 2024) == "EKG13"
    assert attributes.value("K-0301", "centrality", 2024) == "1"
    assert attributes.value("0301", "economic_region", 2024) == "03001"
    assert attributes.members("kostra_group", "EKG13", 2024) == ["0301"]
    assert attributes.members("kostra_group", "13", 2024) == ["0301"]
    assert len(attributes.regions()) == 357


def test_latest_assignment_at_or_before_the_year(attributes: RegionAttributes) -> None:
    assert attributes.value("0301", "kostra_group", 2021) is None
    assert attributes.value("0301", "economic_region", 2023) is None
    assert attributes.value("0301", "economic_region", 2030) == "03001"
    entry = attributes.entry("1580", "kostra_group", 2030)
    assert entry is not None
    assert (entry.value, entry.year, entry.source) == ("EKG01", 2024, "Samarbeidsdesken/p02-ukraina")


def test_kostra_group_sizes_match_the_description_except_for_haram(
    attributes: RegionAttributes, kostra_groups: list[KostraGroup]
) -> None:
    sizes = Counter(attributes.value(r, "kostra_group", 2024) for r in attributes.regions())
    different = {g.code for g in kostra_groups if sizes[g.code] != g.municipality_count}
    # The description counts the 356 municipalities of 2020; 1580 Haram (re-established 2024) is in group 1.
    assert different == {"EKG01"}
    assert sizes["EKG01"] == 40


def test_centrality_classes_are_one_to_six(attributes: RegionAttributes) -> None:
    classes = Counter(attributes.value(r, "centrality", 2024) for r in attributes.regions())
    assert set(classes) == {"1", "2", "3", "4", "5", "6"}
    assert sum(classes.values()) == 357


def test_bad_attribute_rows_are_all_reported() -> None:
    # Synthetic rows, one problem each.
    rows = [
        {"region": "0301", "attribute": "kostra_group", "year": "2024", "value": "EKG13", "source": "s"},
        {"region": "0301", "attribute": "robek", "year": "2024", "value": "x", "source": "s"},
        {"region": "0301", "attribute": "centrality", "year": "2024", "value": "7", "source": "s"},
        {"region": "0301", "attribute": "centrality", "year": "24a", "value": "1", "source": "s"},
        {"region": "0301", "attribute": "kostra_group", "year": "2024", "value": "EKG12", "source": "s"},
        {"region": "", "attribute": "centrality", "year": "2024", "value": "1", "source": "s"},
    ]
    with pytest.raises(InputError) as raised:
        RegionAttributes.from_rows(rows, file="attributes.csv")
    assert [(p.line, p.field) for p in raised.value.problems] == [
        (3, "attribute"),
        (4, "value"),
        (5, "year"),
        (6, "value"),
        (7, "region"),
    ]
