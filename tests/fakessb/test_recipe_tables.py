"""The SYNTHETIC tables the fake server generates from the catalogue's SSB recipes (recipe_tables.py)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from boligmonitor.catalog import load_catalog
from tests.fakessb.catalogue import TableCatalogue
from tests.fakessb.recipe_tables import FIRST_RESOLVED_TABLE_ID, Regions, add_recipe_tables, recipe_tables, residents


@pytest.fixture(scope="module")
def regions(api_fixtures: Path) -> Regions:
    return Regions.from_fixtures(api_fixtures, ["030101", "030102"])


def test_every_table_is_labelled_synthetic_and_named_as_the_recipes_need(regions: Regions) -> None:
    tables = recipe_tables(load_catalog(), regions)
    ids = [table.table_id for table in tables]
    assert len(ids) == len(set(ids))
    assert {"07459", "12008", "12293", "12362", "08764"} <= set(ids)  # the sources' own table ids
    made_up = sorted(int(table_id) for table_id in ids if int(table_id) >= FIRST_RESOLVED_TABLE_ID)
    assert made_up == list(range(FIRST_RESOLVED_TABLE_ID, FIRST_RESOLVED_TABLE_ID + len(made_up)))
    for table in tables:
        header = table.as_fake_table().header
        assert "SYNTHETIC" in header["label"] and "SYNTHETIC" in header["source"]
        # 09895's price zones (Soner2) have no role, as in the recorded response: the region by its name
        expected_roles = {"time", "metric"} if table.table_id == "09895" else {"geo", "time", "metric"}
        assert set(header["role"]) == expected_roles, table.table_id


def test_tables_by_price_area_keep_their_region_variables_and_quarters(regions: Regions) -> None:
    by_id = {table.table_id: table.as_fake_table() for table in recipe_tables(load_catalog(), regions)}
    rents, prices = by_id["09895"], by_id["07221"]
    assert rents.dimension_ids[0] == "Soner2" and rents.codes("Soner2") == ["00", "01"]
    assert rents.codes("AntRom") == ["2"] and rents.codes("Tid") == ["2024", "2025"]
    assert prices.codes("Region")[0] == "TOTAL" and prices.codes("Boligtype") == ["00"]
    assert prices.codes("Tid") == [f"{year}K{quarter}" for year in (2024, 2025) for quarter in (1, 2, 3, 4)]


def test_kostra_tables_use_kostra_region_codes_and_others_offer_the_municipal_codelist(regions: Regions) -> None:
    by_id = {table.table_id: table.as_fake_table() for table in recipe_tables(load_catalog(), regions)}
    kostra = by_id["12008"]
    assert kostra.dimension_ids[0] == "KOKkommuneregion0000"
    assert {"EAK", "EAKUO", "EKA03", "EKG13", "0301"} <= set(kostra.codes("KOKkommuneregion0000"))
    population = by_id["07459"]
    assert population.codelist_ids("Region") == ["agg_KommSummer"]
    assert {"0", "03", "030101", "0301"} <= set(population.codes("Region"))
    assert population.codes("Alder")[0] == "000" and population.codes("Alder")[-1] == "105"
    total = by_id["12362"].header["dimension"]["KOKregnskapsomfa0000"]
    assert total["category"]["child"] == {"SYNT_T": ["A", "B"]} and total["extension"]["elimination"] is False


def test_values_keep_the_catalogues_domain_rules(regions: Regions) -> None:
    by_id = {table.table_id: table.as_fake_table() for table in recipe_tables(load_catalog(), regions)}
    temporary = next(table for table in by_id.values() if "KOStotmidlbo0000" in table.codes("ContentsCode"))
    for region in temporary.codes("KOKkommuneregion0000"):
        for year in temporary.codes("Tid"):
            children, _ = temporary.cell((region, "KOSmidlbobarn0000", year))
            everybody, _ = temporary.cell((region, "KOStotmidlbo0000", year))
            share, _ = temporary.cell((region, "KOSandbarn3m0000", year))
            assert children is not None and everybody is not None and share is not None
            assert float(children).is_integer() and children < everybody  # a share's part below its whole
            assert 5 <= share <= 45
    assert residents("EAK") > max(residents(code) for code in regions.municipalities)


def test_the_search_finds_a_kostra_code_in_its_table(regions: Regions, api_fixtures: Path) -> None:
    catalogue = TableCatalogue.standard(api_fixtures)
    add_recipe_tables(catalogue, load_catalog(), regions)
    hits = catalogue.search("KOStotmidlbo0000", None, datetime.now(UTC))
    assert len(hits) == 1
    body = json.loads(catalogue.codelist("agg_KommSummer"))
    assert len(body["values"]) == len(regions.municipalities) == 357
