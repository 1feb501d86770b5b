"""The offline build from ../shared/data: what the database holds, checked against the real files."""

from __future__ import annotations

import csv
from pathlib import Path

from boligmonitor.catalog import load_catalog
from boligmonitor.core.flags import Harmonisation
from boligmonitor.core.status import Status
from boligmonitor.pipeline.status_report import status_report
from boligmonitor.store import Store


def test_status_reports_every_municipality_and_full_population_series(built_store: Store) -> None:
    report = status_report(built_store, load_catalog())
    assert report["municipalities"] == 357
    assert report["regions"]["county"] == 15
    population = report["population"]
    assert (population["first_year"], population["last_year"]) == (2005, 2026)
    assert population["municipalities_with_every_year"] == 357
    assert population["municipalities_incomplete"] == []


def test_every_indicator_has_a_state_and_missing_ones_say_why(built_store: Store) -> None:
    catalog = load_catalog()
    report = status_report(built_store, catalog)
    by_id = {item["id"]: item for item in report["indicators"]}
    assert set(by_id) == {indicator.id for indicator in catalog.indicators}
    assert sum(v for k, v in report["summary"].items() if k != "indicators") == len(catalog.indicators)
    for item in by_id.values():
        assert item["state"] in {"loaded", "partial", "not_loaded", "no_source"}, item
        if item["state"] != "loaded":
            assert item["reason"], item
        if item["state"] in {"loaded", "partial"}:
            assert item["n_values"] > 0
    assert by_id["BEF01"]["state"] == "loaded"
    assert by_id["BEF01"]["municipality_coverage"] == "357/357"
    assert "SSB" in by_id["BU01"]["reason"]  # a KOSTRA indicator: needs the live connector
    # The offline bostøtte input has the dataset BU10 reads but not its households with children: not loaded, and
    # why -- not a recipe that failed.
    assert by_id["BU10"]["state"] == "not_loaded"
    assert "husbanken:bostotte husstander_barnefamilier" in by_id["BU10"]["reason"]


def test_population_matches_ssb_figures(built_store: Store) -> None:
    values = {(o.region_code, o.year): o for o in built_store.observations(indicator_id="BEF01", year=2024)}
    assert values[("0", 2024)].value == 5_550_203
    assert values[("0301", 2024)].value == 717_710
    assert values[("0301", 2024)].harmonisation is Harmonisation.ORIGINAL
    source_table = values[("0301", 2024)].source_table
    assert source_table is not None
    assert source_table.startswith("SSB")
    assert source_table.endswith("07459")


def test_share_aged_80_and_over_keeps_numerator_denominator_and_unit(built_store: Store) -> None:
    [oslo] = built_store.observations(indicator_id="BEF03", region_code="0301", year=2024)
    assert oslo.denominator == 717_710
    assert oslo.numerator is not None and oslo.value is not None
    assert abs(oslo.value - oslo.numerator / oslo.denominator * 100) < 1e-9
    assert oslo.unit == "percent"


def test_estimated_population_is_flagged(built_store: Store) -> None:
    [vindafjord] = built_store.observations(indicator_id="BEF01", region_code="1160", year=2005)
    assert vindafjord.value is not None
    assert vindafjord.harmonisation is Harmonisation.ESTIMATED
    [haram] = built_store.observations(indicator_id="BEF01", region_code="1580", year=2015)
    assert haram.harmonisation is Harmonisation.ESTIMATED


def test_missing_is_never_zero(built_store: Store) -> None:
    for observation in built_store.observations():
        if observation.value is None:
            assert not observation.status.has_value, observation
        else:
            assert observation.status.has_value, observation


def test_merged_municipality_sums_the_published_counts(built_store: Store, shared_data: Path) -> None:
    """IMDi's 2019 requests for Moss (0104) and Rygge (0136) become 3103 Moss (2024 code), summed."""
    path = shared_data / "refugees" / "imdi_bosetting_anmodning_vedtak_faktisk_kommune_1995_2023.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = [
            r
            for r in csv.DictReader(handle, delimiter=";")
            if r["Enhet"] == "Personer"
            and r["År"] == "2019"
            and r["Kommunenummer"] in ("0104", "0136")
            and r["Bosetting"] == "Anmodning om bosetting"
        ]
    assert len(rows) == 2
    expected = sum(float(r["Antall"]) for r in rows)
    catalog = load_catalog()
    [indicator] = [
        i
        for i in catalog.by_dataset("imdi:bosetting")
        if i.recipe
        and i.recipe.numerator
        and i.recipe.numerator.select.get("Bosetting") == ["anmodning"]
        and i.unit == "count"
    ]
    [moss] = built_store.observations(indicator_id=indicator.id, region_code="3103", year=2019)
    assert moss.value == expected
    assert moss.harmonisation is Harmonisation.SUMMED


def test_suppressed_cells_stay_suppressed(built_store: Store) -> None:
    confidential = [o for o in built_store.observations(indicator_id="BEF17") if o.status is Status.CONFIDENTIAL]
    assert confidential, "IMDi suppresses small municipalities with ':'"
    assert all(o.value is None and o.numerator is None for o in confidential)


def test_datasets_keep_their_provenance(built_store: Store) -> None:
    datasets = {d.id: d for d in built_store.datasets()}
    population = datasets["ssb:07459"]
    assert population.publisher.startswith("SSB")
    assert population.provenance
    assert len(population.sha256) == 64
    assert datasets["imdi:bosetting"].code_vintage == "as-published"
