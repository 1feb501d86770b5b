"""SSB 07459 population on 1 January by single year of age, on 2024 borders (FHI csdata), with districts.

csdata recomputed every year to the 2024 municipalities; its redistricting table says which original codes,
with which weights, make each current code in each year, and per-cell flags are derived from it. Two known
defects of csdata are repaired as estimates (flag ``estimated``), with the method in the manifest notes:
the 50/50 split of Ålesund/Haram before 2024, and the missing 2005 rows of 1160 Vindafjord and 1576 Aure.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import pyarrow.parquet as pq

from boligmonitor.core.errors import InputError
from boligmonitor.core.flags import Flag, Harmonisation
from boligmonitor.core.status import Status
from boligmonitor.sources.cube import Cube, FlagRuns, Unit
from boligmonitor.sources.manifest import InputFile
from boligmonitor.sources.shared_data.common import Described, Workspace, dimension, write_cube, year_dimension
from boligmonitor.sources.shared_data.names import RegionNames

MUNICIPAL_SOURCE = "population/csdata_population_by_single_age_b2024_2005_2026.parquet"
WARD_SOURCE = "sub_municipal/csdata_ward_population_by_single_age_b2024_2005_2026.parquet"
REDISTRICTING_SOURCE = "registry/csdata_redistricting_b2024.csv"

FIRST_YEAR, LAST_YEAR = 2005, 2026
YEARS = tuple(range(FIRST_YEAR, LAST_YEAR + 1))
AGES = tuple(range(106))  # 105 = 105 years or older
MISSING = -1

ALESUND, HARAM = "1508", "1580"
SPLIT_YEAR = 2024  # 1507 Ålesund was split into 1508 Ålesund and 1580 Haram on 1 January 2024
VINDAFJORD, AURE = "1160", "1576"
FORMED_YEAR = 2006  # both formed on 1 January 2006
# Districts whose values before a year are not on today's borders or codes (see _district_flags).
BERGEN, STAVANGER, TRONDHEIM = "4601", "1103", "5001"
NEW_DISTRICTS_2020 = ("110308", "110309")  # Finnøy and Rennesøy: municipalities 1141/1142 until 2019
HEIMDAL = "500104"  # received Klæbu (5030) on 1 January 2020

SUMMED = Harmonisation.SUMMED.value
ESTIMATED = Harmonisation.ESTIMATED.value
RECODED = Harmonisation.RECODED.value
BY_PUBLISHER = Flag.HARMONISED_BY_PUBLISHER.value


@dataclass
class Population:
    """Counts by (region, age, year); MISSING where the source has no row."""

    regions: list[str]
    counts: npt.NDArray[np.int64]  # shape (regions, ages, years)
    flags: dict[tuple[int, int], set[str]] = field(default_factory=dict)  # (region, year) -> flags
    not_applicable: set[tuple[int, int]] = field(default_factory=set)  # (region, year) without a value
    index: dict[str, int] = field(init=False)

    def __post_init__(self) -> None:
        self.index = {code: i for i, code in enumerate(self.regions)}

    def series(self, code: str, year: int) -> npt.NDArray[np.int64]:
        return self.counts[self.index[code], :, year - FIRST_YEAR]

    def flag(self, code: str, year: int, *names: str) -> None:
        self.flags.setdefault((self.index[code], year - FIRST_YEAR), set()).update(names)

    def level(self, digits: int) -> list[str]:
        return [code for code in self.regions if len(code) == digits]


@dataclass(frozen=True)
class Repairs:
    """What the two repairs did, for the notes and the tests."""

    haram_shares: npt.NDArray[np.float64]  # 1580's share of the pair per age on 1.1.2024
    haram_share_all_ages: float
    vindafjord_shares: npt.NDArray[np.float64]  # 1160's share of the pair per age on 1.1.2006
    vindafjord_share_all_ages: float
    residual_2005: npt.NDArray[np.int64]  # Norway minus the municipalities, per age, before the estimates
    negative_residual_ages: tuple[int, ...]


def write_population(workspace: Workspace, names: RegionNames) -> list[InputFile]:
    population = read_population(workspace)
    origins = read_origins(workspace)
    apply_publisher_flags(population, origins)
    repairs = repair(population)
    apply_district_flags(population)
    consistency = check_consistency(population)
    cube = population_cube(population, names, notes(population, repairs, consistency))
    path = "ssb/07459_population_single_age_b2024.json"
    write_cube(workspace, path, cube)
    return [
        Described(
            dataset="ssb:07459",
            publisher="SSB (harmonised to 2024 borders by FHI csdata)",
            title="Befolkning 1. januar etter alder (ettårig), 2005-2026, kommuneinndeling 2024, med bydeler",
            table="07459",
            code_vintage="2024",
            source_url="https://www.ssb.no/statbank/table/07459",
            licence="MIT (csdata, Folkehelseinstituttet); SSB data: NLOD / CC BY 4.0",
            provenance=(
                "niphr/csdata, R/sysdata.rda, object nor_population_by_age_b2024 (built by FHI from SSB "
                "table "
                "07459), commit 55a0dbccdf0738946ce9cdf30fa54ec164212b36; shared/data/" + MUNICIPAL_SOURCE + " "
                "(nation, counties, municipalities) and shared/data/" + WARD_SOURCE + " (districts), both "
                "sex = total, imputed = False; flags from shared/data/" + REDISTRICTING_SOURCE + ". Codes "
                "canonicalised (nation_nor -> 0, county_nor03 -> 03, municip_nor0301 -> 0301, "
                "wardoslo_nor030101 -> 030101); two repairs of csdata as estimates, see the notes."
            ),
            notes=list(cube.notes),
        ).entry(path, "jsonstat")
    ]


# --- reading ------------------------------------------------------------------------------------------------


def _canonical(location_code: str) -> str | None:
    if location_code == "nation_nor":
        return "0"
    match = re.fullmatch(r"(?:county|municip|[a-z]*ward[a-z]*)_nor(\d{2}|\d{4}|\d{6})", location_code)
    return match.group(1) if match else None


# One source's rows: its canonical codes, and per row the code's index, the year, the age and the count.
_Part = tuple[list[str], npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64]]


def read_population(workspace: Workspace) -> Population:
    tables = [pq.ParquetFile(workspace.source(s)).read() for s in (MUNICIPAL_SOURCE, WARD_SOURCE)]
    columns = ("location_code", "calyear", "age", "pop_jan1_n")
    parts: list[_Part] = []
    all_codes: set[str] = set()
    for source, table in zip((MUNICIPAL_SOURCE, WARD_SOURCE), tables, strict=True):
        missing = [c for c in columns if c not in table.column_names]
        if missing:
            raise InputError.single(str(workspace.shared / source), f"missing columns: {', '.join(missing)}")
        encoded = table.column("location_code").combine_chunks().dictionary_encode()
        raw_codes = encoded.dictionary.to_pylist()
        maybe_codes = [_canonical(code) for code in raw_codes]
        unknown = [raw for raw, code in zip(raw_codes, maybe_codes, strict=True) if code is None]
        if unknown:
            raise InputError.single(str(workspace.shared / source), f"unknown location codes: {unknown[:5]}")
        codes = [c for c in maybe_codes if c is not None]
        all_codes.update(codes)
        parts.append(
            (
                codes,
                encoded.indices.to_numpy().astype(np.int64),
                table.column("calyear").to_numpy().astype(np.int64),
                table.column("age").to_numpy().astype(np.int64),
                table.column("pop_jan1_n").to_numpy().astype(np.int64),
            )
        )
    regions = sorted(all_codes, key=lambda c: (len(c) if c != "0" else 0, c))
    population = Population(regions=regions, counts=np.full((len(regions), len(AGES), len(YEARS)), MISSING))
    seen = np.zeros(population.counts.size, dtype=np.int64)
    for source, (codes, code_index, years, ages, counts) in zip((MUNICIPAL_SOURCE, WARD_SOURCE), parts, strict=True):
        if years.min() < FIRST_YEAR or years.max() > LAST_YEAR or ages.min() < 0 or ages.max() > AGES[-1]:
            raise InputError.single(str(workspace.shared / source), "calyear or age outside 2005-2026 / 0-105")
        if counts.min() < 0:
            raise InputError.single(str(workspace.shared / source), "negative population counts")
        region_of = np.array([population.index[c] for c in codes], dtype=np.int64)[code_index]
        target = (region_of, ages, years - FIRST_YEAR)
        seen += np.bincount(np.ravel_multi_index(target, population.counts.shape), minlength=seen.size)
        population.counts[target] = counts
    if seen.max() > 1:
        raise InputError.single(str(workspace.shared / MUNICIPAL_SOURCE), "a (location, year, age) appears twice")
    _check_shape(workspace, population)
    return population


def _check_shape(workspace: Workspace, population: Population) -> None:
    file = str(workspace.shared / MUNICIPAL_SOURCE)
    if len(population.level(2)) != 15 or len(population.level(4)) != 357:
        raise InputError.single(file, "expected 15 counties and 357 municipalities (2024 borders)")
    # Rows are complete for every (region, year) or absent for the whole (region, year).
    present = population.counts != MISSING
    partial = present.any(axis=1) & ~present.all(axis=1)
    if partial.any():
        raise InputError.single(file, "some (location, year) has rows for some ages only")
    absent = {(population.regions[r], YEARS[t]) for r, t in zip(*np.nonzero(~present.any(axis=1)), strict=True)}
    if absent != {(VINDAFJORD, FIRST_YEAR), (AURE, FIRST_YEAR)}:
        raise InputError.single(file, f"expected only 1160 and 1576 to lack 2005, found {sorted(absent)}")


@dataclass(frozen=True)
class Origin:
    code: str
    weight: float


def read_origins(workspace: Workspace) -> dict[tuple[str, int], list[Origin]]:
    """(current code, year) -> the original codes and weights csdata summed into it (2005-2026)."""
    path = workspace.source(REDISTRICTING_SOURCE)
    origins: dict[tuple[str, int], list[Origin]] = defaultdict(list)
    with path.open(encoding="utf-8", newline="") as stream:
        reader = csv.DictReader(stream)
        for row in reader:
            year = int(row["calyear"])
            if not FIRST_YEAR <= year <= LAST_YEAR:
                continue
            current = _canonical(row["location_code_current"])
            original = _canonical(row["location_code_original"])
            if current is None or original is None:
                raise InputError.single(str(path), "unknown location code", line=reader.line_num)
            origins[(current, year)].append(Origin(original, float(row["weighting"])))
    return dict(origins)


# --- flags from the publisher's harmonisation ---------------------------------------------------------------


def apply_publisher_flags(population: Population, origins: Mapping[tuple[str, int], list[Origin]]) -> None:
    """harmonised_by_publisher where a current code's originals differ from itself, plus recoded / summed /
    estimated (a fractional weight) for municipalities; counties only get estimated when a fractional split
    crosses county borders (never in this source: county values are sums of whole municipalities)."""
    for code in population.regions:
        if len(code) == 6:
            continue
        for year in YEARS:
            found = origins.get((code, year))
            if found is None:
                continue
            if [(o.code, o.weight) for o in found] == [(code, 1.0)]:
                continue
            flags = {BY_PUBLISHER}
            if len(found) > 1:
                flags.add(SUMMED)
            elif found[0].weight == 1.0:
                flags.add(RECODED)
            if len(code) == 4 and any(o.weight < 1.0 for o in found):
                flags.add(ESTIMATED)
            population.flag(code, year, *flags)
    for year, county in _counties_with_cross_border_splits(origins):
        population.flag(county, year, ESTIMATED)


def _counties_with_cross_border_splits(
    origins: Mapping[tuple[str, int], list[Origin]],
) -> Iterable[tuple[int, str]]:
    successors: dict[tuple[str, int], set[str]] = defaultdict(set)
    for (current, year), found in origins.items():
        if len(current) == 4:
            for origin in found:
                if origin.weight < 1.0:
                    successors[(origin.code, year)].add(current)
    for (_, year), currents in successors.items():
        counties = {code[:2] for code in currents}
        if len(counties) > 1:
            yield from ((year, county) for county in sorted(counties))


# --- the two repairs ----------------------------------------------------------------------------------------


def _shares(part: npt.NDArray[np.int64], whole: npt.NDArray[np.int64]) -> tuple[npt.NDArray[np.float64], float]:
    """part/whole per age; ages where the whole is 0 take the all-ages share."""
    all_ages = float(part.sum()) / float(whole.sum())
    with np.errstate(invalid="ignore", divide="ignore"):
        shares = np.where(whole > 0, part / np.where(whole > 0, whole, 1), all_ages)
    return shares.astype(np.float64), all_ages


def repair(population: Population) -> Repairs:
    haram_shares, haram_all = _repair_alesund_haram(population)
    vindafjord_shares, vindafjord_all, residual, negative = _estimate_2005(population)
    return Repairs(haram_shares, haram_all, vindafjord_shares, vindafjord_all, residual, negative)


def _repair_alesund_haram(population: Population) -> tuple[npt.NDArray[np.float64], float]:
    """Re-allocate csdata's 50/50 Ålesund/Haram before 2024 with each one's share of the pair on 1.1.2024."""
    alesund_2024 = population.series(ALESUND, SPLIT_YEAR)
    haram_2024 = population.series(HARAM, SPLIT_YEAR)
    shares, all_ages = _shares(haram_2024, alesund_2024 + haram_2024)
    for year in range(FIRST_YEAR, SPLIT_YEAR):
        alesund = population.series(ALESUND, year)
        haram = population.series(HARAM, year)
        if not np.array_equal(alesund, haram):
            raise InputError.single(
                MUNICIPAL_SOURCE,
                f"1508 and 1580 are no longer equal in {year}: csdata's 50/50 split changed, review the repair",
            )
        pair = alesund + haram
        new_haram = np.rint(pair * shares).astype(np.int64)
        alesund[:] = pair - new_haram
        haram[:] = new_haram
        population.flag(ALESUND, year, ESTIMATED)
        population.flag(HARAM, year, ESTIMATED)
    return shares, all_ages


def _estimate_2005(
    population: Population,
) -> tuple[npt.NDArray[np.float64], float, npt.NDArray[np.int64], tuple[int, ...]]:
    """Estimate 1160 and 1576 for 2005 from Norway minus the municipalities, split by their 2006 shares."""
    municipalities = [population.index[c] for c in population.level(4) if c not in (VINDAFJORD, AURE)]
    t = FIRST_YEAR - FIRST_YEAR
    residual = population.series("0", FIRST_YEAR) - population.counts[municipalities, :, t].sum(axis=0)
    negative = tuple(int(a) for a in np.nonzero(residual < 0)[0])
    to_allocate = np.maximum(residual, 0)
    vindafjord_2006 = population.series(VINDAFJORD, FORMED_YEAR)
    aure_2006 = population.series(AURE, FORMED_YEAR)
    shares, all_ages = _shares(vindafjord_2006, vindafjord_2006 + aure_2006)
    aure = np.rint(to_allocate * (1.0 - shares)).astype(np.int64)
    population.series(VINDAFJORD, FIRST_YEAR)[:] = to_allocate - aure
    population.series(AURE, FIRST_YEAR)[:] = aure
    for code in (VINDAFJORD, AURE):
        population.flag(code, FIRST_YEAR, ESTIMATED)
        county = code[:2]
        population.series(county, FIRST_YEAR)[:] += population.series(code, FIRST_YEAR)
        population.flag(county, FIRST_YEAR, ESTIMATED)
    return shares, all_ages, residual.copy(), negative


# --- districts ----------------------------------------------------------------------------------------------


def apply_district_flags(population: Population) -> None:
    """Districts are SSB's values of each year, not recomputed to 2024 borders (csdata's ward rows carry no
    redistricting); only the codes of Bergen (1201xx until 2019) and Trondheim (1601xx until 2017) were
    renumbered by the publisher."""
    for code in population.level(6):
        municipality = code[:4]
        for year in YEARS:
            if (municipality == BERGEN and year < 2020) or (municipality == TRONDHEIM and year < 2018):
                population.flag(code, year, BY_PUBLISHER, RECODED)
            if code in NEW_DISTRICTS_2020 and year < 2020:
                values = population.series(code, year)
                if values.any():
                    raise InputError.single(WARD_SOURCE, f"{code} has people before 2020: review the districts")
                values[:] = MISSING  # csdata writes 0 for a district that did not exist yet
                population.not_applicable.add((population.index[code], year - FIRST_YEAR))
    population.flag(HEIMDAL, 2020, Flag.SERIES_BREAK.value)


# --- checks and the cube ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Consistency:
    """Largest absolute difference per year, over single ages and for all ages together."""

    municipalities_vs_counties: dict[int, tuple[int, int]]  # year -> (per age, all ages)
    counties_vs_norway: dict[int, tuple[int, int]]
    districts_short_of_municipality: dict[int, int]  # year -> largest all-ages gap of a city's districts


def check_consistency(population: Population) -> Consistency:
    counties = population.level(2)
    municipalities = population.level(4)
    by_county: dict[str, list[int]] = defaultdict(list)
    for code in municipalities:
        by_county[code[:2]].append(population.index[code])
    county_rows = [population.index[c] for c in counties]
    mun_vs_county: dict[int, tuple[int, int]] = {}
    county_vs_norway: dict[int, tuple[int, int]] = {}
    districts_gap: dict[int, int] = {}
    cities = sorted({code[:4] for code in population.level(6)})
    for t, year in enumerate(YEARS):
        counts = population.counts[:, :, t]
        diffs = np.stack([counts[by_county[c]].sum(axis=0) - counts[population.index[c]] for c in counties])
        mun_vs_county[year] = (int(np.abs(diffs).max()), int(np.abs(diffs.sum(axis=1)).max()))
        diff = counts[county_rows].sum(axis=0) - counts[population.index["0"]]
        county_vs_norway[year] = (int(np.abs(diff).max()), int(abs(diff.sum())))
        gaps = []
        for city in cities:
            rows = [population.index[c] for c in population.level(6) if c.startswith(city)]
            district_sum = np.where(counts[rows] == MISSING, 0, counts[rows]).sum()
            gaps.append(int(counts[population.index[city]].sum() - district_sum))
        districts_gap[year] = max(gaps)
    return Consistency(mun_vs_county, county_vs_norway, districts_gap)


def population_cube(population: Population, names: RegionNames, cube_notes: Sequence[str]) -> Cube:
    """The cube, dimensions Region, Tid, Alder, ContentsCode: all ages of one region and year are one block,
    so that the flags of that block are one run of cells."""
    regions = population.regions
    dimensions = (
        dimension("Region", "region", [(code, names.label(code)) for code in regions], role="geo"),
        year_dimension(YEARS),
        dimension(
            "Alder",
            "alder",
            [(f"{age:03d}", f"{age} år") for age in AGES[:-1]] + [("105", "105 år eller eldre")],
        ),
        dimension(
            "ContentsCode",
            "statistikkvariabel",
            [("Personer1", "Personer")],
            role="metric",
            units={"Personer1": Unit(base="personer", decimals=0)},
        ),
    )
    n_ages, n_years = len(AGES), len(YEARS)
    by_region_year = population.counts.transpose(0, 2, 1)  # (region, year, age)
    values: list[float | None] = list(by_region_year.reshape(-1).tolist())
    status: dict[int, Status] = {}
    for r, t in sorted(population.not_applicable):
        block = (r * n_years + t) * n_ages
        values[block : block + n_ages] = [None] * n_ages
        status.update(dict.fromkeys(range(block, block + n_ages), Status.NOT_APPLICABLE))
    if any(v == MISSING for v in values):
        raise ValueError("population cells without a value remain")
    runs: list[tuple[int, int, tuple[str, ...]]] = []
    for (r, t), names_of_flags in sorted(population.flags.items()):
        start, names_here = (r * n_years + t) * n_ages, tuple(sorted(names_of_flags))
        if runs and runs[-1][0] + runs[-1][1] == start and runs[-1][2] == names_here:
            runs[-1] = (runs[-1][0], runs[-1][1] + n_ages, names_here)  # the same flags in the next year
        else:
            runs.append((start, n_ages, names_here))
    return Cube(
        dimensions=dimensions,
        values=values,
        status=status,
        flags=FlagRuns(runs),
        label="Befolkning 1. januar etter region, år og alder (kommuneinndeling 2024)",
        source="Statistisk sentralbyrå (tabell 07459), harmonisert til 2024-inndeling av FHI (csdata)",
        notes=tuple(cube_notes),
        mandatory_notes=tuple(range(len(cube_notes))),
    )


def _percent(share: float) -> str:
    return f"{100 * share:.2f} %"


def notes(population: Population, repairs: Repairs, consistency: Consistency) -> list[str]:
    residual_total = int(repairs.residual_2005.sum())
    negative = ", ".join(str(a) for a in repairs.negative_residual_ages) or "none"
    haram_first_ages = ", ".join(f"{a}: {_percent(s)}" for a, s in enumerate(repairs.haram_shares[:3]))
    mun_county = max(per_age for per_age, _ in consistency.municipalities_vs_counties.values())
    county_norway = dict(consistency.counties_vs_norway)
    largest = "; ".join(f"{year}: {a} per age, {b} all ages" for year, (a, b) in county_norway.items())
    return [
        "Population on 1 January, both sexes, by single year of age (105 = 105 years or older), recomputed "
        "by "
        "FHI (csdata) from SSB table 07459 to the municipalities and counties of 2024 for every year. Values "
        "the publisher recomputed (a current code made of other codes that year) carry the flag "
        "harmonised_by_publisher, plus recoded (one earlier code, renumbered), summed (several earlier codes "
        "added) or estimated (a fractional weight used), from csdata's redistricting table.",
        "csdata splits municipalities with fixed shares, not population: 1850 Tysfjord -> 1806 Narvik / 1875 "
        "Hamarøy 0.5/0.5 and 5012 (1613) Snillfjord -> 5055 Heim / 5056 Hitra / 5059 Orkland 0.35/0.35/0.30 "
        "for 2005-2019 (flag estimated). Where only part of a former municipality moved, csdata assigns it "
        "wholly to one successor without a weight (e.g. 0720 Stokke wholly to 3907 Sandefjord, although part "
        "of it went to 0704 Tønsberg in 2017); such values are flagged summed, not estimated.",
        "Repair (a), Ålesund/Haram: csdata gives 1508 Ålesund and 1580 Haram equal halves of the former "
        f"Ålesund for every year 2005-{SPLIT_YEAR - 1} (1508 = 1580 in every cell). The pair's sum was kept "
        "and "
        "re-allocated per single age with each successor's share of the pair's population on 1.1.2024 "
        f"(1580 Haram: {_percent(repairs.haram_share_all_ages)} of all ages; per age e.g. "
        f"{haram_first_ages}; "
        "an age with nobody in the pair in 2024 takes the all-ages share); 1580 = the share times the sum, "
        "rounded half to even, 1508 = the rest. Flag estimated. The sum itself is csdata's: its rounding of "
        "halves can put it 1 person off SSB's figure for the former municipality in a single-age cell. For "
        "2005-2019 the former 1534 Haram corresponds exactly to today's 1580 (re-established with its old "
        "borders), so SSB's published figures for 1534 would replace this estimate.",
        "Repair (b), 2005: 1160 Vindafjord and 1576 Aure (both formed 1.1.2006) have no 2005 rows in "
        "csdata, "
        "but Norway 2005 includes them: Norway minus the sum of the other municipalities is "
        f"{residual_total} "
        "persons. Per single age that residual was split with each one's share of the pair's population on "
        f"1.1.2006 (1160 Vindafjord: {_percent(repairs.vindafjord_share_all_ages)} of all ages; an age with "
        "nobody in the pair in 2006 takes the all-ages share); 1576 = the share times the residual, rounded "
        "half to even, 1160 = the rest. The residual also holds csdata's rounding of split cells (a few "
        f"persons); ages with a negative residual were set to 0 ({negative}). The estimates were added to "
        "their 2024 counties 11 Rogaland and 15 Møre og Romsdal for 2005. Flag estimated on all of these.",
        "Sums: municipalities add up to their county in every year (largest difference per single age: "
        f"{mun_county}). Counties differ from Norway (as published by SSB) only by csdata's rounding of "
        "split "
        f"cells; largest differences per year: {largest}.",
        "Districts (six digits, Oslo, Bergen, Stavanger, Trondheim) are SSB's figures of each year, NOT "
        "recomputed to 2024 borders: 500104 Heimdal includes the former Klæbu only from 2020 (flag "
        "series_break on 2020); 110308 Finnøy and 110309 Rennesøy are districts from 2020 (before: the "
        "former "
        "municipalities 1141 and 1142; status '.'); Bergen's (1201xx until 2019) and Trondheim's (1601xx "
        "until "
        "2017) district codes were renumbered by the publisher (flag harmonised_by_publisher, recoded). "
        "030116 Sentrum and 030117 Marka are SSB's statistical districts of Oslo without a district "
        "administration. Persons with an unknown district (SSB's xxxx99 codes) are not in the source, so "
        "a city's districts add up to less than the city (from 2020 by at most "
        f"{max(gap for year, gap in consistency.districts_short_of_municipality.items() if year >= 2020)} "
        "persons; before 2020 the gap also holds the areas Stavanger and Trondheim gained in 2020, up to "
        f"{max(consistency.districts_short_of_municipality.values())} persons).",
    ]
