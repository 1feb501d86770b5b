"""Fixtures for the geography tests: the real KLASS files and population parsed with the standard library
(the readers in boligmonitor.sources are tested on their own)."""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from boligmonitor.geo import ChangeHistory, Harmoniser, SplitWeights

CHANGES_FILE = "registry/klass131_changes_2011_2024.csv"
CSDATA_SOURCE = "FHI csdata nor_locations_redistricting_b2024 (fixed shares)"


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="session")
def change_rows(shared_data: Path) -> list[dict[str, str]]:
    return read_csv(shared_data / CHANGES_FILE)


@pytest.fixture(scope="session")
def klass_municipality_items(api_fixtures: Path) -> list[dict[str, Any]]:
    document = json.loads((api_fixtures / "klass_131_codesAt_2026-01-01.json").read_text(encoding="utf-8"))
    items: list[dict[str, Any]] = document["codes"]
    return items


@pytest.fixture(scope="session")
def current_codes(klass_municipality_items: list[dict[str, Any]]) -> frozenset[str]:
    """The 357 municipality codes valid on 2026-01-01 (without 9999 Uoppgitt)."""
    return frozenset(str(item["code"]) for item in klass_municipality_items if item["code"] != "9999")


@pytest.fixture(scope="session")
def history(change_rows: list[dict[str, str]], current_codes: frozenset[str]) -> ChangeHistory:
    return ChangeHistory.from_rows(change_rows, current_codes=current_codes, file=CHANGES_FILE)


@pytest.fixture(scope="session")
def population(shared_data: Path) -> dict[tuple[str, int], float]:
    """Real population on 1 January (SSB via FHI csdata), keyed by (municipality code, year), 2024 borders."""
    rows = read_csv(shared_data / "population/DERIVED_population_age_groups_b2024_2015_2026.csv")
    return {
        (row["location_code"].removeprefix("municip_nor"), int(row["calyear"])): float(row["total"])
        for row in rows
        if row["granularity_geo"] == "municip"
    }


@pytest.fixture(scope="session")
def csdata_split_rows(shared_data: Path, history: ChangeHistory) -> list[dict[str, str]]:
    """FHI csdata's fixed shares for every split in the KLASS changes, in the last year of the split code."""
    splits = {(split.code, split.changed_on.year - 1) for split in history.splits()}
    return [
        {
            "old_code": row["location_code_original"],
            "new_code": row["location_code_current"],
            "valid_until_year": row["calyear"],
            "weight": row["weighting"],
            "source": CSDATA_SOURCE,
        }
        for row in read_csv(shared_data / "registry/csdata_redistricting_b2024.csv")
        if row["granularity_geo"] == "municip"
        and (row["location_code_original"].removeprefix("municip_nor"), int(row["calyear"])) in splits
    ]


@pytest.fixture(scope="session")
def split_weights(
    history: ChangeHistory,
    population: dict[tuple[str, int], float],
    csdata_split_rows: list[dict[str, str]],
) -> SplitWeights:
    return SplitWeights.standard(history, population=population, explicit_rows=csdata_split_rows)


@pytest.fixture(scope="session")
def harmoniser(history: ChangeHistory, current_codes: frozenset[str], split_weights: SplitWeights) -> Harmoniser:
    return Harmoniser(history, current_codes, date(2026, 1, 1), split_weights)
