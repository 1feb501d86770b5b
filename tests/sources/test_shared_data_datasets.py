"""The datasets the development adapter writes, checked against facts about the real shared data: the
numbers PROVENANCE.md quotes, every symbol of a source carried as status (never 0), and the two repairs
of the population source stated in its notes."""

from __future__ import annotations

import csv
import functools
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow.parquet as pq
import pytest

from boligmonitor.sources.manifest import BuildManifest

AGES = [f"{a:03d}" for a in range(105)] + ["105"]


@dataclass(frozen=True, eq=False)
class Written:
    """A written JSON-stat document, read with the standard library (independently of our reader)."""

    document: dict[str, Any]

    @functools.cached_property
    def positions(self) -> list[dict[str, int]]:
        return [
            {code: i for i, code in enumerate(self.document["dimension"][d]["category"]["index"])}
            for d in self.document["id"]
        ]

    @functools.cached_property
    def array(self) -> np.ndarray[Any, Any]:
        """Every value in row-major order, -1 where a cell has no value (counts only)."""
        return np.array([-1 if v is None else v for v in self.document["value"]], dtype=np.int64)

    def codes(self, dimension: str) -> list[str]:
        codes: list[str] = self.document["dimension"][dimension]["category"]["index"]
        return codes

    def flat(self, *codes: str) -> int:
        flat = 0
        for size, position, code in zip(self.document["size"], self.positions, codes, strict=True):
            flat = flat * size + position[code]
        return flat

    def value(self, *codes: str) -> Any:
        return self.document["value"][self.flat(*codes)]

    def status(self, *codes: str) -> str:
        status: str = self.document.get("status", {}).get(str(self.flat(*codes)), "")
        return status

    def flags(self, *codes: str) -> set[str]:
        """Flag names of a cell, from ``flagRuns`` ([start, length, names]) or a ``flags`` object."""
        own = self.document.get("extension", {}).get("boligmonitor", {})
        flat = self.flat(*codes)
        for start, length, names in own.get("flagRuns", []):
            if start <= flat < start + length:
                return set(names)
        return set(own.get("flags", {}).get(str(flat), []))

    def notes(self) -> str:
        return " ".join(self.document.get("note", []))


@functools.cache
def _written(path: Path) -> Written:
    return Written(json.loads(path.read_text("utf-8")))


def written(build_input: Path, manifest: BuildManifest, dataset: str) -> Written:
    return _written(build_input / next(f.path for f in manifest.files if f.dataset == dataset))


def read_rows(path: Path, delimiter: str = ",") -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as stream:
        return list(csv.DictReader(stream, delimiter=delimiter))


# --- ssb:07459 population -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def population(build_input: Path, manifest: BuildManifest) -> Written:
    return written(build_input, manifest, "ssb:07459")


@pytest.fixture(scope="module")
def csdata(shared_data: Path) -> dict[tuple[str, int], np.ndarray[Any, Any]]:
    """The source's counts by (canonical code, year), ages 0-105, as published by csdata."""
    table = pq.ParquetFile(shared_data / "population/csdata_population_by_single_age_b2024_2005_2026.parquet").read()
    rows = zip(*(table.column(c).to_pylist() for c in ("location_code", "calyear", "age", "pop_jan1_n")), strict=True)
    found: dict[tuple[str, int], np.ndarray[Any, Any]] = {}
    for location, year, age, count in rows:
        code = "0" if location == "nation_nor" else location.split("_nor")[1]
        found.setdefault((code, year), np.zeros(106, dtype=np.int64))[age] = count
    return found


def ages(cube: Written, region: str, year: int) -> np.ndarray[Any, Any]:
    """One region's counts by age in one year (-1 where a cell has no value)."""
    grid: np.ndarray[Any, Any] = cube.array.reshape(-1, len(range(2005, 2027)), len(AGES))
    row: np.ndarray[Any, Any] = grid[cube.positions[0][region], year - 2005, :]
    return row


def test_357_municipalities_with_every_age_in_every_year(population: Written) -> None:
    municipalities = [c for c in population.codes("Region") if len(c) == 4]
    assert len(municipalities) == 357
    for year in range(2005, 2027):
        for code in municipalities:
            assert (ages(population, code, year) >= 0).all(), (code, year)


def test_known_totals_on_1_january_2024(population: Written) -> None:
    assert ages(population, "0", 2024).sum() == 5_550_203
    assert ages(population, "0301", 2024).sum() == 717_710
    assert population.document["dimension"]["Alder"]["category"]["label"]["105"] == "105 år eller eldre"


def test_untouched_values_are_exactly_the_sources(
    population: Written, csdata: dict[tuple[str, int], np.ndarray[Any, Any]]
) -> None:
    for code in ("0", "03", "0301", "3101", "4601", "5001", "1806"):
        for year in (2005, 2013, 2020, 2026):
            assert np.array_equal(ages(population, code, year), csdata[(code, year)]), (code, year)


def test_alesund_haram_sum_is_kept_and_split_by_2024_shares(
    population: Written, csdata: dict[tuple[str, int], np.ndarray[Any, Any]]
) -> None:
    alesund_2024, haram_2024 = ages(population, "1508", 2024), ages(population, "1580", 2024)
    pair_2024 = alesund_2024 + haram_2024
    all_ages = haram_2024.sum() / pair_2024.sum()
    share = np.where(pair_2024 > 0, haram_2024 / np.where(pair_2024 > 0, pair_2024, 1), all_ages)
    for year in range(2005, 2024):
        alesund, haram = ages(population, "1508", year), ages(population, "1580", year)
        assert np.array_equal(csdata[("1508", year)], csdata[("1580", year)])  # the defect being repaired
        assert np.array_equal(alesund + haram, csdata[("1508", year)] + csdata[("1580", year)]), year
        assert np.all(np.abs(haram - share * (alesund + haram)) <= 0.5), year
        for code in ("1508", "1580"):
            assert "estimated" in population.flags(code, str(year), "000", "Personer1")
    assert 0.13 < all_ages < 0.15  # Haram is about 14 % of the pair
    assert population.flags("1580", "2024", "000", "Personer1") == set()


def test_2005_estimates_for_vindafjord_and_aure_are_flagged_and_fill_the_gap(
    population: Written, csdata: dict[tuple[str, int], np.ndarray[Any, Any]]
) -> None:
    assert ("1160", 2005) not in csdata
    assert ("1576", 2005) not in csdata
    others = sum(v for (code, year), v in csdata.items() if year == 2005 and len(code) == 4)
    residual = csdata[("0", 2005)] - others
    assert residual.sum() == 11_766
    estimates = ages(population, "1160", 2005) + ages(population, "1576", 2005)
    assert np.array_equal(estimates, np.maximum(residual, 0))
    assert ages(population, "1160", 2005).sum() > ages(population, "1576", 2005).sum() > 0
    for code in ("1160", "1576", "11", "15"):
        assert "estimated" in population.flags(code, "2005", "040", "Personer1"), code
    for county, municipality in (("11", "1160"), ("15", "1576")):
        added = ages(population, county, 2005) - csdata[(county, 2005)]
        assert np.array_equal(added, ages(population, municipality, 2005))
    assert "11766" in population.notes().replace(" ", "")


def test_municipalities_add_up_to_counties_and_counties_to_norway(population: Written) -> None:
    regions = population.codes("Region")
    counties = [c for c in regions if len(c) == 2]
    for year in range(2005, 2027):
        by_county = {c: ages(population, c, year) for c in counties}
        sums = {c: np.zeros(106, dtype=np.int64) for c in counties}
        for code in (c for c in regions if len(c) == 4):
            sums[code[:2]] += ages(population, code, year)
        assert all(np.array_equal(sums[c], by_county[c]) for c in counties), year
        # Norway is SSB's own figure; the counties differ only by csdata's rounding of split cells.
        difference = sum(by_county.values()) - ages(population, "0", year)
        assert np.abs(difference).max() <= 3, year


def test_publisher_harmonisation_flags(population: Written) -> None:
    def flags(code: str, year: int) -> set[str]:
        return population.flags(code, str(year), "030", "Personer1")

    assert flags("0301", 2010) == set()
    assert flags("3101", 2010) == {"harmonised_by_publisher", "recoded"}  # 0101 Halden renumbered
    assert flags("1806", 2010) == {
        "harmonised_by_publisher",
        "summed",
        "estimated",
    }  # Narvik + Tysfjord share
    assert flags("1108", 2010) == {"harmonised_by_publisher", "summed"}  # Sandnes + Forsand
    assert flags("15", 2010) == {"harmonised_by_publisher", "summed"}
    assert all(
        population.flags(code, "2024", "030", "Personer1") == set()
        for code in population.codes("Region")
        if len(code) <= 4
    )


def test_districts_are_not_back_cast(population: Written) -> None:
    districts = [c for c in population.codes("Region") if len(c) == 6]
    assert len(districts) == 38
    assert {"030116", "030117", "460102"} <= set(districts)
    label = population.document["dimension"]["Region"]["category"]["label"]
    assert label["460102"] == "Bergenhus"
    for year in range(2005, 2020):
        assert population.status("110308", str(year), "030", "Personer1") == "."
        assert population.value("110309", str(year), "030", "Personer1") is None
    assert population.value("110308", "2020", "030", "Personer1") is not None
    assert "series_break" in population.flags("500104", "2020", "030", "Personer1")
    assert population.flags("460101", "2019", "030", "Personer1") == {"harmonised_by_publisher", "recoded"}


# --- imdi:bosetting -----------------------------------------------------------------------------------------


def test_bosetting_known_values_and_partial_year(build_input: Path, manifest: BuildManifest) -> None:
    cube = written(build_input, manifest, "imdi:bosetting")

    def persons(code: str, what: str, year: int) -> Any:
        return cube.value(code, what, "Personer", str(year))

    assert [persons("0301", w, 2016) for w in ("anmodning", "vedtak", "faktisk")] == [1000, 1000, 913]
    assert [persons("0301", w, 2022) for w in ("anmodning", "vedtak", "faktisk")] == [2000, 2000, 1924]
    assert [persons("0301", w, 2023) for w in ("anmodning", "vedtak", "faktisk")] == [2170, 2000, 1130]
    assert sum(v for c in cube.codes("Region") if (v := persons(c, "anmodning", 2022)) is not None) == 35_000
    assert cube.flags("0301", "faktisk", "Personer", "2023") == {"partial_year"}
    assert cube.flags("0301", "faktisk", "Personer", "2022") == set()
    assert not {"9999", "2100", "2111", "2211"} & set(cube.codes("Region"))
    assert cube.status("0301", "opprinnelig_anmodning", "Personer", "2021") == "."


def test_bosetting_every_symbol_is_a_status(build_input: Path, manifest: BuildManifest, shared_data: Path) -> None:
    cube = written(build_input, manifest, "imdi:bosetting")
    categories = {
        "Anmodning om bosetting": "anmodning",
        "Vedtak om bosetting": "vedtak",
        "Faktisk bosetting": "faktisk",
        "Opprinnelig anmodning": "opprinnelig_anmodning",
    }
    symbols = {".": ".", ":": ":", "": ".."}
    checked = 0
    for row in read_rows(shared_data / "refugees/imdi_bosetting_anmodning_vedtak_faktisk_kommune_1995_2023.csv", ";"):
        if row["Enhet"] != "Personer" or row["Kommunenummer"] not in cube.positions[0]:
            continue
        cell = (row["Kommunenummer"], categories[row["Bosetting"]], "Personer", row["År"])
        if row["Antall"] in symbols:
            assert cube.value(*cell) is None, cell
            assert cube.status(*cell) == symbols[row["Antall"]], cell
            checked += 1
        else:
            assert cube.value(*cell) == int(row["Antall"]), cell
            assert cube.status(*cell) == "", cell
    assert checked > 16_000


# --- imdi:innvandringsgrunn ---------------------------------------------------------------------------------


def test_innvandringsgrunn_known_values_statuses_and_codes(build_input: Path, manifest: BuildManifest) -> None:
    cube = written(build_input, manifest, "imdi:innvandringsgrunn")
    oslo_2021 = {g: cube.value("0301", g, "alle", "Personer", "2021") for g in cube.codes("Innvandringsgrunn")}
    assert oslo_2021 == {
        "alle": 176_994,
        "flukt": 51_226,
        "arbeid": 39_759,
        "familie": 39_832,
        "utdanning": 11_496,
        "uoppgitt": 34_681,
    }
    assert cube.value("3001", "alle", "kvinner", "Personer", "2006") == 992  # Halden, IMDi's code for the unit
    assert cube.flags("3001", "alle", "alle", "Personer", "2010") == {"harmonised_by_publisher", "recoded"}
    assert cube.flags("3001", "alle", "alle", "Personer", "2021") == set()
    # Empty cells: years the unit did not exist, never 0.
    assert cube.status("0104", "alle", "alle", "Personer", "2020") == "."
    assert cube.status("5001", "alle", "alle", "Personer", "2019") == "."
    statuses = set(cube.document["status"].values())
    assert statuses == {"."}
    assert len(cube.document["status"]) == 16_380  # the empty Personer cells of the source


# --- income_social ------------------------------------------------------------------------------------------


def test_sosialhjelp_known_values_and_suppression(
    build_input: Path, manifest: BuildManifest, shared_data: Path
) -> None:
    cube = written(build_input, manifest, "imdi:sosialhjelp")
    assert cube.value("0", "alle", "alle", "Personer", "2013") == 117_988
    assert cube.value("0", "alle", "alle", "Prosent", "2013") == 2.96
    assert cube.value("0", "alle", "alle", "Personer", "2014") == 122_763
    assert cube.value("0301", "alle", "alle", "Prosent", "2014") == 3.45
    assert cube.value("1201", "alle", "alle", "Personer", "2013") == 6_270
    assert cube.value("0301", "innvandrere", "alle", "Personer", "2013") == 9_882
    assert "030104" in cube.codes("Region")
    assert "030199" not in cube.codes("Region")
    suppressed = 0
    for row in read_rows(shared_data / "income_social/imdi_sosialhjelpsmottakere_innvkat_kjonn_2013_2014.csv"):
        region = "0" if row["fylke_nr"] == "00" else row["kommune_nr"] if row["kommune_nr"] != "NULL" else None
        if region is None or row["tabellvariabel"] != ":":
            continue
        sex = {"alle": "alle", "1": "menn", "0": "kvinner"}[row["kjonn"]]
        cell = (region, row["innvkat_3"], sex, row["enhet"].capitalize(), row["aar"])
        assert cube.value(*cell) is None
        assert cube.status(*cell) == ":"
        suppressed += 1
    assert suppressed > 1000


def test_lavinntekt_known_values_and_structural_cells(build_input: Path, manifest: BuildManifest) -> None:
    cube = written(build_input, manifest, "imdi:lavinntekt")
    assert [cube.value("0301", "alle", "alle", "Prosent", str(y)) for y in (2012, 2013, 2014)] == [
        12.87,
        13.7,
        13.9,
    ]
    assert cube.value("0301", "innvandrere", "alle", "Prosent", "2014") == 28.1
    assert cube.value("0301", "befolkningen_ellers", "alle", "Prosent", "2014") == 9.9
    assert cube.status("0301", "alle", "1", "Prosent", "2014") == "."
    assert set(cube.document["status"].values()) == {".", ":"}


def test_06035_is_the_students_complete_case_subset(build_input: Path, manifest: BuildManifest) -> None:
    cube = written(build_input, manifest, "ssb:06035")
    assert len(cube.codes("Region")) == 214
    assert cube.value("0301", "01", "KvPris", "2008") == 31_603
    assert cube.value("0301", "01", "KvPris", "2017") == 57_525
    assert cube.value("1201", "01", "KvPris", "2017") == 32_860
    assert "status" not in cube.document
    assert "214" in cube.notes()


# --- husbanken:bostotte -------------------------------------------------------------------------------------


def _monthly(shared_data: Path, name: str) -> dict[tuple[int, int], dict[str, int]]:
    return {
        (int(r["aar"]), int(r["manedsnr"])): {k: int(v) for k, v in r.items() if k.startswith(("ant_", "utbetalt"))}
        for r in read_rows(shared_data / name)
    }


def test_bostotte_annual_values_follow_the_documented_aggregation(
    build_input: Path, manifest: BuildManifest, shared_data: Path
) -> None:
    cube = written(build_input, manifest, "husbanken:bostotte")
    norway = _monthly(shared_data, "husbanken/husbanken_bostotte_nasjonalt_manedlig.csv")

    def months(year: int, *, drop: Sequence[tuple[int, int]] = ()) -> list[dict[str, int]]:
        return [v for k, v in norway.items() if k[0] == year and k not in drop]

    for year in (2011, 2024):
        paid = [m["ant_husstander_utbetaling"] for m in months(year)]
        assert cube.value("0", "alle", "husstander", str(year)) == round(sum(paid) / 12, 1)
        assert cube.value("0", "alle", "soknader", str(year)) == sum(m["ant_soknader"] for m in months(year))
        assert cube.value("0", "alle", "utbetalt", str(year)) == sum(m["utbetalt_belop"] for m in months(year))
    first_paid = [m["ant_husstander_utbetaling"] for m in months(2010, drop=[(2010, 1)])]
    assert cube.value("0", "alle", "husstander", "2010") == round(sum(first_paid) / 11, 1)
    assert cube.flags("0", "alle", "utbetalt", "2010") == {"partial_year"}
    assert cube.flags("0", "alle", "husstander", "2010") == set()
    assert all(cube.flags("0301", "alle", m, "2026") == {"partial_year"} for m in cube.codes("ContentsCode"))
    assert cube.value("0", "alle", "avslag", "2026") == sum(m["ant_avslag"] for m in months(2026))
    assert cube.status("030101", "eldre", "husstander", "2015") == ".."
    assert cube.value("030101", "alle", "husstander", "2015") is not None
    assert "status" in cube.document
    assert set(cube.document["status"].values()) == {".."}


def test_bostotte_districts_add_up_to_oslo_with_the_residual(
    build_input: Path, manifest: BuildManifest, shared_data: Path
) -> None:
    cube = written(build_input, manifest, "husbanken:bostotte")
    rows = read_rows(shared_data / "sub_municipal/husbanken_bostotte_oslo_bydel_manedlig.csv")
    residual = sum(int(r["ant_soknader"]) for r in rows if r["kommunenr"] == "0301" and r["aar"] == "2017")
    districts = [c for c in cube.codes("Region") if len(c) == 6]
    total = sum(cube.value(c, "alle", "soknader", "2017") for c in districts)
    assert total + residual == cube.value("0301", "alle", "soknader", "2017")
    gamle_oslo = sum(int(r["ant_soknader"]) for r in rows if r["kommunenr"] == "0311" and r["aar"] == "2017")
    assert cube.value("030101", "alle", "soknader", "2017") == gamle_oslo


# --- Oslo statistikkbank ------------------------------------------------------------------------------------


def test_oslo_tables_known_values_and_district_names(build_input: Path, manifest: BuildManifest) -> None:
    sto013 = written(build_input, manifest, "oslo:sto013")
    assert sto013.value("0301", "mottakere", "2005") == 18_788
    assert sto013.value("0301", "berorte", "2005") == 32_078
    labels = sto013.document["dimension"]["Region"]["category"]["label"]
    assert labels["030104"] == "St. Hanshaugen"  # "Bydel St.Hanshaugen" in the source
    sto020 = written(build_input, manifest, "oslo:sto020")
    assert sto020.value("0301", "alle", "antall", "2007") == 17_020
    assert sto020.value("0301", "alle", "andel", "2007") == 3.8
    sos006 = written(build_input, manifest, "oslo:sos006")
    assert sos006.value("0301", "alle", "alle", "Personer", "2004") == 26_583
    assert sos006.value("0301", "alle", "18-29", "Personer", "2004") == 587
    sos001 = written(build_input, manifest, "oslo:sos001")
    assert sos001.value("0301", "alle", "alle", "Personer", "2012") == 21_087
    assert sos001.value("0301", "alle", "under30", "Personer", "2012") == 2_901


def test_oslo_empty_cells_are_suppressed_never_zero(build_input: Path, manifest: BuildManifest) -> None:
    sos001 = written(build_input, manifest, "oslo:sos001")
    assert set(sos001.document["status"].values()) == {":"}
    assert len(sos001.document["status"]) == 365
    suppressed_regions = {sos001.codes("Region")[int(k) // (3 * 6 * 1 * 13)] for k in sos001.document["status"]}
    assert suppressed_regions == {"030116", "030117"}  # Sentrum and Marka
    assert sos001.value("030116", "alle", "60+", "Personer", "2024") == 0  # a published zero stays 0
