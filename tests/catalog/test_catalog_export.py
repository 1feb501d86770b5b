"""The versioned JSON export of the catalogue."""

from __future__ import annotations

import io
import json

import pytest

from boligmonitor.catalog import (
    SCHEMA_VERSION,
    Catalog,
    catalog_from_json,
    catalog_to_json,
    load_catalog,
    write_catalog_json,
)


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


def test_export_carries_schema_and_catalogue_versions_in_a_stable_order(catalog: Catalog) -> None:
    exported = catalog_to_json(catalog)

    assert list(exported) == ["schema_version", "catalog_version", "themes", "indicators", "goals"]
    assert exported["schema_version"] == SCHEMA_VERSION == 1
    assert exported["catalog_version"] == catalog.version
    assert [theme["id"] for theme in exported["themes"]] == [theme.id for theme in catalog.themes]
    assert len(exported["indicators"]) == len(catalog.indicators)
    first = exported["indicators"][0]
    assert list(first)[:5] == ["id", "theme", "name", "short_name", "definition"]
    assert list(first["name"]) == ["nb", "nn", "en"]


def test_export_round_trips_through_json(catalog: Catalog) -> None:
    exported = catalog_to_json(catalog)

    reread = json.loads(json.dumps(exported))

    assert reread == exported
    assert catalog_from_json(reread) == catalog


def test_export_keeps_recipes_as_plain_json(catalog: Catalog) -> None:
    by_id = {item["id"]: item for item in catalog_to_json(catalog)["indicators"]}

    numerator = by_id["BEF03"]["recipe"]["numerator"]
    evidence = numerator.pop("evidence")
    assert numerator == {
        "dataset": "ssb:07459",
        "measure": "Personer1",
        "select": {"Alder": {"from_code": "080", "to_code": "105"}},
        "periods": "years",
    }
    assert {key: evidence[key] for key in ("table", "contents_code", "dimensions")} == {
        "table": "verified",
        "contents_code": "verified",
        "dimensions": "third_party",
    }
    assert by_id["BEF03"]["recipe"]["denominator"]["select"] == {"Alder": "all"}
    assert by_id["BU03"]["recipe"] is None  # no source we can read: stated, not omitted
    assert by_id["BL01"]["recipe"]["denominator"]["dataset"] == "ssb:07459"
    assert by_id["BL01"]["multiplier"] == 1000


def test_written_json_is_deterministic_utf8_with_a_final_newline(catalog: Catalog) -> None:
    first, second = io.StringIO(), io.StringIO()

    write_catalog_json(catalog, first)
    write_catalog_json(catalog, second)

    text = first.getvalue()
    assert text == second.getvalue()
    assert text.endswith("}\n")
    assert "Bostedsløse" in text  # letters kept, not \\u-escaped
    assert json.loads(text)["catalog_version"] == catalog.version
