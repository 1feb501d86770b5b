"""SYNTHETIC tables generated from the catalogue's SSB recipes, so that a fetch of the whole catalogue against the
fake server finds every table and ContentsCode the recipes name, in SSB's v2 metadata and data shapes.

For every table a recipe part reads -- the source's table id, or, for a dataset whose table is found by its
ContentsCode, a made-up id from 91001 up (``12293`` when the source names it) -- one synthetic table with:

- the region variable by SSB's two conventions: ``KOKkommuneregion0000`` with ``EAK``, ``EAKUO``, ``EKA..``,
  ``EKG..`` and the municipalities for KOSTRA datasets (ssb-api.md §5.2), else ``Region`` with ``0``, the
  counties, the urban districts given and the municipalities, offering ``agg_KommSummer`` (§5.1);
- the ContentsCodes the recipes name, with units; every category the recipes select of their other dimensions
  (a numeric range filled in, one extra SYNTHETIC category where a part sums ``all`` of a listed dimension);
- years 2024–2025 (07459 from 2020, so that its denominators meet the offline input's IMDi and Oslo series); a
  table that a projected change reads as its projection runs on to 2025 + its horizon, so that every observed
  year of 07459 meets its projection year (EL09: 2024–2035 for 2020–2025);
- table 12362 also gets a dimension that cannot be eliminated but whose metadata marks a total (JSON-stat
  ``category.child``), as the query rules must handle;
- the tables by price area keep their real region variables (ssb-api.md §8.4-§8.5): 09895 ``Soner2`` (price zones,
  ``00`` Hele landet, without a role, as in the recorded response) and 07221 ``Region`` (price regions, ``TOTAL``
  Hele landet), whose national rows only are regions of the monitor; a table a part reads as the mean of its
  quarters (07221) has quarterly periods, 2024K1-2025K4.

Values are made up by :class:`SyntheticValues` so that the catalogue's domain rules hold: counts are whole and
proportional to a made-up population per region (Norway's the largest, so no part exceeds the whole), every
numerator of a share is below its denominator, published percentages lie in 5–45. Titles and sources say
SYNTHETIC. They are test data, never statistics.
"""

from __future__ import annotations

import json
import zlib
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from boligmonitor.catalog.models import Catalog, CodeRange
from boligmonitor.pipeline.fetch_plan import RecipePart, recipe_parts
from boligmonitor.sources.manifest import read_manifest
from boligmonitor.sources.readers.jsonstat import read_jsonstat
from tests.fakessb.catalogue import (
    COUNTIES_2024,
    CURRENT_BORDERS_CODELIST_ID,
    RECORDED_KLASS_131,
    JsonObject,
    SyntheticDimension,
    SyntheticTable,
    TableCatalogue,
)

FIRST_RESOLVED_TABLE_ID = 91001
YEARS = ("2024", "2025")
POPULATION_YEARS = ("2020", "2021", "2022", "2023", "2024", "2025")
POPULATION_TABLE = "07459"
TOTAL_MARKED_TABLE = "12362"  # gets a non-eliminable dimension with a total marked in its metadata
TOTAL_MARKED_DIMENSION = "KOKregnskapsomfa0000"
EXTRA_CATEGORY = "SYNT_X"
KOSTRA_TABLES = frozenset({"12008", "12210", "12293", "12362"})
UPDATED = datetime(2026, 6, 15, 6, 0, tzinfo=UTC)
# The region variables of the tables by price area: (variable, label, categories, role) as in the recorded responses
# (ssb-api.md §8.4-§8.5), the category lists shortened; only the national row is a region of the monitor.
PRICE_AREA_REGIONS: dict[str, tuple[str, str, dict[str, str], Literal["geo"] | None]] = {
    "09895": ("Soner2", "prissone", {"00": "Hele landet", "01": "Oslo og Bærum kommune"}, None),
    "07221": (
        "Region",
        "region",
        {"TOTAL": "Hele landet", "001": "Oslo med Bærum", "002": "Stavanger", "003": "Bergen", "011": "Nord-Norge"},
        "geo",
    ),
}

# Made-up counts per resident of a region (see residents()).
# Chosen so that a share's numerator stays below its denominator and rates look like rates.
COUNTS_PER_RESIDENT: dict[str, float] = {
    "Personer1": 1 / 106,  # per single year of age: the ages add up to the population
    "Personer": 1 / 106,
    "KOStotmidlbo0000": 0.003,
    "KOSmidlbobarn0000": 0.0008,
    "TBD_BL02_husstander_over_3_mnd": 0.001,
    "KOStotnatt0000": 0.0002,
    "TBD_BL05_mottakere_uten_bolig": 0.001,
    "TBD_BL06_mottakere_uten_bolig": 0.001,
    "TBD_BL06_mottakere_i_alt": 0.03,
    "KOSbialthelsum0000": 0.004,
    "TBD_NF05_beboere_0-66": 0.002,
    "Beboere": 0.01,
    "TBD_NF02_tilgjengelige_boliger": 0.008,
    "TBD_KB01_boliger_i_alt": 0.02,
    "KOSboligpkommuna0000": 0.003,
    "KOSantnyinnflytt0000": 0.002,
    "KOSnyinnflyttfly0000": 0.0005,
    "TBD_NF04_nyinnflyttede_tilrettelagt": 0.0004,
    "KOSventelistetil0000": 0.0005,
    "KOSventelistepsy0001": 0.0004,
    "TBD_RP02_nye_husstander_venteliste": 0.002,
    "KOSbelop0000": 3.0,  # 1000 kr per resident and function
    "Husholdninger": 0.05,
    "TBD_BEF09_boliger": 0.1,
    "TBD_BEF10_igangsatte_boliger": 0.0005,
}
DEFAULT_COUNT_PER_RESIDENT = 0.001
PUBLISHED_RANGES: dict[str, tuple[float, float]] = {
    "percent": (5.0, 45.0),
    "per_1000": (2.0, 30.0),
    "per_10000": (20.0, 300.0),
    "nok": (400_000.0, 700_000.0),
    "nok_per_m2": (20_000.0, 60_000.0),
}
# Published figures whose unit's range would not be plausible for them.
PUBLISHED_RANGES_BY_CODE: dict[str, tuple[float, float]] = {
    "Husleie": (8_000.0, 16_000.0),  # kroner a month
    "Boligindeks": (100.0, 200.0),  # index points
}
UNIT_BASES = {"count": "antall", "percent": "prosent", "per_1000": "per 1000", "nok": "kr", "nok_per_m2": "kr"}


@dataclass(frozen=True)
class Regions:
    """The regions of the synthetic tables: today's municipalities (from the recorded KLASS 131 answer), the
    counties and the urban districts given (as in the offline input's population)."""

    municipalities: Mapping[str, str]
    districts: Sequence[str] = ()

    @staticmethod
    def districts_of_input(build_input: Path) -> set[str]:
        """The urban districts (6-digit codes) the offline input's Oslo and Husbanken datasets have data for: the
        synthetic population must give those districts a denominator too."""
        districts: set[str] = set()
        for entry in read_manifest(build_input).files:
            if entry.format == "jsonstat" and entry.dataset.startswith(("oslo:", "husbanken:")):
                geo = read_jsonstat(build_input / entry.path).geo_dimension()
                districts |= {code for code in geo.codes if len(code) == 6} if geo is not None else set()
        return districts

    @classmethod
    def from_fixtures(cls, api_fixtures: Path, districts: Iterable[str] = ()) -> Regions:
        codes = json.loads((api_fixtures / RECORDED_KLASS_131).read_bytes())["codes"]
        municipalities = {item["code"]: item["name"] for item in codes if item["code"] != "9999"}
        return cls(municipalities, tuple(sorted(set(districts))))

    def kostra(self) -> dict[str, str]:
        regions = {"EAK": "Landet", "EAKUO": "Landet uten Oslo"}
        regions |= {f"EKA{code}": name for code, name in COUNTIES_2024.items()}
        regions |= {f"EKG{number:02d}": f"KOSTRA-gruppe {number}" for number in range(1, 18)}
        return regions | dict(self.municipalities)

    def ordinary(self) -> dict[str, str]:
        regions = {"0": "Hele landet"} | dict(COUNTIES_2024)
        regions |= {code: f"SYNTHETIC bydel {code}" for code in self.districts}
        return regions | dict(self.municipalities)

    def current_borders_codelist(self) -> JsonObject:
        """``agg_KommSummer`` with one K-code per municipality (SYNTHETIC valueMaps: each its own code)."""
        values = [
            {"code": f"K-{code}", "label": name, "valueMap": [code]} for code, name in self.municipalities.items()
        ]
        return {
            "id": CURRENT_BORDERS_CODELIST_ID,
            "label": "SYNTHETIC Kommuner summert til dagens grenser",
            "language": "no",
            "type": "Aggregation",
            "elimination": False,
            "values": values,
        }


CodeKind = Literal["count", "published"]
COUNT_PARTS = frozenset({"numerator", "denominator", "projected", "observed"})


@dataclass
class _Table:
    table_id: str
    kostra: bool
    contents: dict[str, tuple[CodeKind, str]] = field(default_factory=dict)  # code -> (kind, unit)
    dimensions: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    sums_all: set[str] = field(default_factory=set)
    ranged: set[str] = field(default_factory=set)
    datasets: set[str] = field(default_factory=set)
    horizons: set[int] = field(default_factory=set)  # a projected change's horizons, where it is the projection
    quarterly: bool = False  # a part reads the table as the mean of its quarters


class SyntheticValues:
    """Made-up values for one table: whole counts proportional to a region's made-up population, published
    figures within a plausible range; deterministic per cell (and per publication)."""

    def __init__(self, region_position: int, metric_position: int, kinds: Mapping[str, tuple[CodeKind, str]]):
        self.region_position = region_position
        self.metric_position = metric_position
        self.kinds = dict(kinds)

    def __call__(self, codes: tuple[str, ...], revision: int) -> float:
        code = codes[self.metric_position]
        kind, unit = self.kinds[code]
        spread = zlib.crc32(("|".join(codes) + f"#{revision}").encode()) / 2**32
        if kind == "count":
            rate = COUNTS_PER_RESIDENT.get(code, DEFAULT_COUNT_PER_RESIDENT)
            return float(round(rate * residents(codes[self.region_position]) * (0.9 + 0.1 * spread)))
        low, high = PUBLISHED_RANGES_BY_CODE.get(code) or PUBLISHED_RANGES.get(unit, (5.0, 45.0))
        return round(low + (high - low) * spread, 1)


def residents(region: str) -> int:
    """A made-up population: Norway 5.5 million, a county 1 million, any other region 200 000–800 000.

    Large on purpose: the offline input's real counts (Oslo's districts, IMDi's refugees) are divided by these,
    and a real part must not exceed a made-up whole."""
    if region in ("0", "EAK"):
        return 5_500_000
    if (len(region) == 2 and region.isdigit()) or region.startswith("EKA"):
        return 1_000_000
    return 200_000 + zlib.crc32(region.encode()) % 600_000


def recipe_tables(catalog: Catalog, regions: Regions) -> list[SyntheticTable]:
    """One SYNTHETIC table per SSB table the catalogue's recipes read (see the module docstring)."""
    tables: dict[str, _Table] = {}
    resolved_ids: dict[str, str] = {}
    for part in recipe_parts(catalog):
        table_id = part.table or _resolved_table_id(part.selection.dataset, resolved_ids)
        table = tables.setdefault(table_id, _Table(table_id, _is_kostra(part, table_id)))
        _add_part(table, part, catalog)
    return [_synthetic(table, regions) for table in tables.values()]


def add_recipe_tables(catalogue: TableCatalogue, catalog: Catalog, regions: Regions) -> list[str]:
    """Serve the recipe tables from ``catalogue`` with a full ``agg_KommSummer``; the table ids, in order."""
    tables = recipe_tables(catalog, regions)
    for table in tables:
        catalogue.add_synthetic(table)
    catalogue.add_codelist(CURRENT_BORDERS_CODELIST_ID, regions.current_borders_codelist())
    return [table.table_id for table in tables]


def _resolved_table_id(dataset: str, assigned: dict[str, str]) -> str:
    if dataset not in assigned:
        named = dataset.removeprefix("ssb:")
        made_up = sum(1 for table in assigned.values() if int(table) >= FIRST_RESOLVED_TABLE_ID)
        assigned[dataset] = named if named.isdigit() else str(FIRST_RESOLVED_TABLE_ID + made_up)
    return assigned[dataset]


def _is_kostra(part: RecipePart, table_id: str) -> bool:
    measure = part.selection.measure or ""
    return table_id in KOSTRA_TABLES or part.selection.dataset.startswith("ssb:kostra_") or measure.startswith("KOS")


def _add_part(table: _Table, part: RecipePart, catalog: Catalog) -> None:
    selection = part.selection
    indicator = catalog.indicator(part.indicator)
    table.datasets.add(selection.dataset)
    table.quarterly |= selection.periods == "mean_of_quarters"
    recipe = indicator.recipe
    if part.part == "projected" and recipe is not None and recipe.horizon_years is not None:
        table.horizons.add(recipe.horizon_years)
    if selection.measure is not None:
        kind: CodeKind = "count" if part.part in COUNT_PARTS else "published"
        unit = indicator.unit if kind == "published" else "count"
        table.contents.setdefault(selection.measure, (kind, unit))
    for dimension, chosen in selection.select.items():
        categories = table.dimensions[dimension]
        if chosen == "all":
            table.sums_all.add(dimension)
        elif isinstance(chosen, CodeRange):
            table.ranged.add(dimension)
            categories.update(_range_codes(chosen))
        else:
            categories.update(chosen)


def _range_codes(chosen: CodeRange) -> list[str]:
    if not chosen.numeric:
        return [chosen.from_code, chosen.to_code]
    width = len(chosen.from_code)
    return [f"{number:0{width}d}" for number in range(int(chosen.from_code), int(chosen.to_code) + 1)]


def _synthetic(table: _Table, regions: Regions) -> SyntheticTable:
    years: tuple[str, ...] = POPULATION_YEARS if table.table_id == POPULATION_TABLE else YEARS
    if table.horizons:
        last = int(YEARS[-1]) + max(table.horizons)
        years = tuple(str(year) for year in range(int(YEARS[0]), last + 1))
    if table.table_id in PRICE_AREA_REGIONS:
        name, label, categories, role = PRICE_AREA_REGIONS[table.table_id]
        region = SyntheticDimension(name, label, categories, role=role, elimination=True)
    elif table.kostra:
        region = SyntheticDimension("KOKkommuneregion0000", "region", regions.kostra(), role="geo")
    else:
        region = SyntheticDimension(
            "Region",
            "region",
            regions.ordinary(),
            role="geo",
            elimination=True,
            codelists=[(CURRENT_BORDERS_CODELIST_ID, "SYNTHETIC Kommuner summert til dagens grenser", "Aggregation")],
        )
    others = []
    for name, codes in sorted(table.dimensions.items()):
        categories = {code: f"SYNTHETIC {name} {code}" for code in sorted(codes)}
        if name in table.sums_all and name not in table.ranged:
            categories[EXTRA_CATEGORY] = "SYNTHETIC other category"
        others.append(SyntheticDimension(name, name.lower(), categories))
    if table.table_id == TOTAL_MARKED_TABLE:
        others.append(
            SyntheticDimension(
                TOTAL_MARKED_DIMENSION,
                "regnskapsomfang",
                {"SYNT_T": "SYNTHETIC i alt", "A": "SYNTHETIC del A", "B": "SYNTHETIC del B"},
                children={"SYNT_T": ("A", "B")},
            )
        )
    units = {
        code: (UNIT_BASES.get(unit, unit), 0 if kind == "count" else 1) for code, (kind, unit) in table.contents.items()
    }
    contents = SyntheticDimension(
        "ContentsCode",
        "statistikkvariabel",
        {code: f"SYNTHETIC {code}" for code in table.contents},
        role="metric",
        units=units,
    )
    periods = [f"{year}K{quarter}" for year in years for quarter in range(1, 5)] if table.quarterly else years
    time = SyntheticDimension("Tid", "kvartal" if table.quarterly else "år", {p: p for p in periods}, role="time")
    dimensions = [region, *others, contents, time]
    values = SyntheticValues(0, len(dimensions) - 2, table.contents)
    return SyntheticTable(
        table_id=table.table_id,
        title=f"recipe table for {', '.join(sorted(table.datasets))}, by region and year",
        dimensions=dimensions,
        updated=UPDATED,
        value_for=values,
    )


__all__ = [
    "FIRST_RESOLVED_TABLE_ID",
    "Regions",
    "SyntheticValues",
    "add_recipe_tables",
    "recipe_tables",
    "residents",
]
