"""Oslo kommune's statistikkbank: social assistance (STØ013, STØ020), disability (SOS006) and work assessment
allowance (SOS001) recipients per district.

Oslo's PxWeb codes are index-like and differ between tables, so every dimension is read by its *name*
column; district names ("Bydel St.Hanshaugen", "St. Hanshaugen") are matched to SSB's district codes.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from boligmonitor.core.errors import InputError
from boligmonitor.core.status import Status
from boligmonitor.sources.cube import Unit
from boligmonitor.sources.manifest import InputFile
from boligmonitor.sources.shared_data.common import (
    CubeBuilder,
    Described,
    Unexpected,
    Workspace,
    csv_rows,
    dimension,
    parse_count,
    parse_decimal,
    write_cube,
    year_dimension,
)
from boligmonitor.sources.shared_data.names import RegionNames

REPOSITORY = "Torcode/bostotte-oslo"
COMMIT = "d0d1a406567c166f45b0cf136147f11b429fdbe7"
LICENCE = "none stated in the repository (Torcode/bostotte-oslo); public statistics, cite Oslo kommune"
OSLO_TOTAL = "Oslo i alt"
PERSONS = Unit("personer", 0)
KJONN_LABELS = {"alle": "Begge kjønn", "kvinner": "Kvinner", "menn": "Menn"}


@dataclass(frozen=True)
class Category:
    """A dimension read from one ``<column>_navn`` column: source name -> (code, label)."""

    column: str
    dimension_id: str
    label: str
    categories: Mapping[str, tuple[str, str]]
    role: str | None = None
    units: Mapping[str, Unit] | None = None


@dataclass(frozen=True)
class Table:
    source: str
    dataset: str
    table: str
    title: str
    label: str
    region_column: str
    categories: Sequence[Category]  # in cube order, between Region and Tid; one of them has role "metric"
    left_out_regions: Sequence[str]  # names of residual geographies that are not districts
    notes: Sequence[str]


def _kjonn(total: str) -> Category:
    names = {total: "alle", "Kvinner": "kvinner", "Menn": "menn"}
    return Category("kjønn_navn", "Kjonn", "kjønn", {k: (v, KJONN_LABELS[v]) for k, v in names.items()})


def _ages(column: str, names: Sequence[tuple[str, str]]) -> Category:
    return Category(column, "Alder", "alder", {name: (code, name) for code, name in names})


def _persons(label: str) -> Category:
    return Category(
        "",
        "ContentsCode",
        "statistikkvariabel",
        {"": ("Personer", label)},
        role="metric",
        units={"Personer": PERSONS},
    )


TABLES = (
    Table(
        source="sub_municipal/oslo_sto013_sosialhjelp_bydel.csv",
        dataset="oslo:sto013",
        table="STØ013",
        title="Sosialhjelpsmottakere og berørte (herav barn) per bydel i Oslo, 2005-2023",
        label="Sosialhjelpsmottakere og berørte etter bydel",
        region_column="bydel_navn",
        categories=(
            Category(
                "sosialhjelpsmottakere og berørte_navn",
                "ContentsCode",
                "statistikkvariabel",
                {
                    "Sosialhjelpsmottakere i alt": ("mottakere", "Sosialhjelpsmottakere i alt"),
                    "Berørte av sosialhjelp": ("berorte", "Berørte av sosialhjelp"),
                    "Berørte ektefeller/samboere": ("berorte_ektefeller", "Berørte ektefeller/samboere"),
                    "Berørte barn i alt": ("berorte_barn", "Berørte barn i alt"),
                    "Barn av par": ("berorte_barn_par", "Barn av par"),
                    "Barn av enslig forsørger": ("berorte_barn_enslig", "Barn av enslig forsørger"),
                },
                role="metric",
                units=dict.fromkeys(
                    (
                        "mottakere",
                        "berorte",
                        "berorte_ektefeller",
                        "berorte_barn",
                        "berorte_barn_par",
                        "berorte_barn_enslig",
                    ),
                    PERSONS,
                ),
            ),
        ),
        left_out_regions=("Sum bydeler",),
        notes=(
            "Berørte = recipients plus their spouses/partners and children. A person who received social "
            "assistance in several districts during the year is counted in each: 'Sum bydeler' (left out) "
            "exceeds 'Oslo i alt' (e.g. 20 114 vs 18 788 recipients in 2005), so districts do not add up to "
            "Oslo.",
        ),
    ),
    Table(
        source="sub_municipal/oslo_sto020_sosialhjelp_andel_bydel.csv",
        dataset="oslo:sto020",
        table="STØ020",
        title="Antall og andel sosialhjelpsmottakere i befolkningen per bydel i Oslo og alder, 2007-2023",
        label="Antall og andel sosialhjelpsmottakere i befolkningen etter bydel og alder",
        region_column="geografi_navn",
        categories=(
            _ages(
                "alder_navn",
                [
                    ("alle", "I alt"),
                    ("under20", "Under 20 år"),
                    ("20-24", "20-24 år"),
                    ("25-29", "25-29 år"),
                    ("30-39", "30-39 år"),
                    ("40-49", "40-49 år"),
                    ("50-66", "50-66 år"),
                    ("67+", "67 år og over"),
                ],
            ),
            Category(
                "statistikkvariabel_navn",
                "ContentsCode",
                "statistikkvariabel",
                {
                    "Antall sosialhjelpsmottakere": ("antall", "Antall sosialhjelpsmottakere"),
                    "Andel sosialhjelpsmottakere i befolkningen": (
                        "andel",
                        "Andel sosialhjelpsmottakere i befolkningen",
                    ),
                },
                role="metric",
                units={"antall": PERSONS, "andel": Unit("prosent", 1)},
            ),
        ),
        left_out_regions=("Sum bydeler",),
        notes=(
            "andel = recipients as a percentage of the population in the age group (Oslo's own population "
            "figures; the exact denominator is not documented in the extract). As in STØ013, a person can be "
            "counted in several districts; 'Sum bydeler' is left out.",
        ),
    ),
    Table(
        source="sub_municipal/oslo_sos006_uforetrygd_bydel.csv",
        dataset="oslo:sos006",
        table="SOS006",
        title="Mottakere av uføretrygd per bydel i Oslo etter kjønn og alder, 2004-2024",
        label="Mottakere av uføretrygd etter bydel, kjønn og alder",
        region_column="bosted_navn",
        categories=(
            _kjonn("I alt"),
            _ages(
                "aldersgruppe_navn",
                [
                    ("alle", "I alt"),
                    ("18-29", "18-29"),
                    ("30-39", "30-39"),
                    ("40-49", "40-49"),
                    ("50-59", "50-59"),
                    ("60-67", "60-67"),
                ],
            ),
            _persons("Mottakere av uføretrygd"),
        ),
        left_out_regions=("Uten registrert adresse", "Ukjent bydel"),
        notes=(),
    ),
    Table(
        source="sub_municipal/oslo_sos001_aap_bydel.csv",
        dataset="oslo:sos001",
        table="SOS001",
        title="Mottakere av arbeidsavklaringspenger (AAP) per bydel i Oslo etter kjønn og alder, 2012-2024",
        label="Mottakere av arbeidsavklaringspenger etter bydel, kjønn og alder",
        region_column="geografi_navn",
        categories=(
            _kjonn("Begge kjønn"),
            _ages(
                "aldersgruppe_navn",
                [
                    ("alle", "Alder i alt"),
                    ("under30", "Under 30"),
                    ("30-39", "30-39"),
                    ("40-49", "40-49"),
                    ("50-59", "50-59"),
                    ("60+", "60+"),
                ],
            ),
            _persons("Mottakere av arbeidsavklaringspenger"),
        ),
        left_out_regions=(),
        notes=(),
    ),
)


def write_oslo(workspace: Workspace, names: RegionNames) -> list[InputFile]:
    return [_write_table(workspace, names, table) for table in TABLES]


def _region_code(name: str, names: RegionNames) -> str | None:
    return "0301" if name.strip() == OSLO_TOTAL else names.district_code(name)


def _write_table(workspace: Workspace, names: RegionNames, table: Table) -> InputFile:
    source = workspace.source(table.source)
    problems = Unexpected(source)
    required = [table.region_column, "år_navn", "verdi", *(c.column for c in table.categories if c.column)]
    cells: list[tuple[int, tuple[str, ...], str]] = []  # line, category codes, verdi
    left_out: Counter[str] = Counter()
    region_names: dict[str, set[str]] = {}
    for line, row in csv_rows(source, required):
        region_name = row[table.region_column].strip()
        if region_name in table.left_out_regions:
            left_out[region_name] += 1
            continue
        region = _region_code(region_name, names)
        if region is None:
            problems.add(f"unknown district {region_name!r}", line, table.region_column)
            continue
        region_names.setdefault(region, set()).add(region_name)
        row_codes = [region]
        for category in table.categories:
            found = category.categories.get(row[category.column].strip() if category.column else "")
            if found is None:
                problems.add(f"unknown category {row[category.column]!r}", line, category.column)
                break
            row_codes.append(found[0])
        else:
            row_codes.append(row["år_navn"].strip())
            cells.append((line, tuple(row_codes), row["verdi"].strip()))
    problems.raise_if_any()
    ambiguous = {code: sorted(n) for code, n in region_names.items() if len(n) > 1}
    if ambiguous:
        raise InputError.single(str(source), f"several names for one district: {ambiguous}")
    regions = sorted(region_names, key=lambda c: (len(c), c))
    years = sorted({int(codes[-1]) for _, codes, _ in cells})
    if years != list(range(years[0], years[-1] + 1)):
        raise InputError.single(str(source), "the years are not consecutive")
    metric = next(c for c in table.categories if c.role == "metric")
    builder = CubeBuilder(
        (
            dimension("Region", "region", [(code, names.label(code)) for code in regions], role="geo"),
            *(
                dimension(
                    c.dimension_id,
                    c.label,
                    list(c.categories.values()),
                    role=c.role,
                    **({"units": dict(c.units)} if c.units else {}),
                )
                for c in table.categories
            ),
            year_dimension(years),
        )
    )
    metric_position = 1 + list(table.categories).index(metric)
    suppressed = 0
    for line, codes, text in cells:
        try:
            if text == "":
                suppressed += 1
                builder.set(codes, None, Status.CONFIDENTIAL)
            elif metric.units and metric.units[codes[metric_position]].decimals == 0:
                builder.set(codes, parse_count(text))
            else:
                builder.set(codes, parse_decimal(text))
        except ValueError as exc:
            problems.add(str(exc), line, "verdi")
    problems.raise_if_any()
    absent = builder.fill_unset(Status.MISSING)
    left_text = ", ".join(f"'{name}' ({n} rows)" for name, n in sorted(left_out.items())) or "nothing"
    district_names = ", ".join(f"{code} {sorted(region_names[code])[0]}" for code in regions if len(code) == 6)
    cube_notes = [
        *table.notes,
        f"Regions: 'Oslo i alt' as 0301 and the districts matched by name to SSB's codes ({district_names}). "
        f"Left out, not districts: {left_text}.",
        f"Oslo kommune suppresses small cells (< 4); the extract shows them as empty cells: {suppressed} "
        "cells with status ':' (never 0)."
        + (" No published value in this table lies between 1 and 3." if table.dataset == "oslo:sos001" else ""),
        _reconciliation(builder, regions, years),
    ]
    if absent:
        cube_notes.append(f"{absent} cells are not in the extract: status '..'.")
    cube = builder.build(
        label=table.label,
        source="Oslo kommune, statistikkbanken (statistikkbanken.oslo.kommune.no)",
        notes=cube_notes,
    )
    path = f"oslo/{table.table.lower().replace('ø', 'o')}_bydel.json"
    write_cube(workspace, path, cube)
    return Described(
        dataset=table.dataset,
        publisher="Oslo kommune",
        title=table.title,
        table=table.table,
        source_url="https://statistikkbanken.oslo.kommune.no",
        licence=LICENCE,
        provenance=(
            f"{REPOSITORY}, data/clean/{table.source.split('/')[-1]}, commit {COMMIT} (extracted by the "
            "repository's script from Oslo kommune's PxWeb API, db1, and flattened to one row per cell); "
            f"shared/data/{table.source}. Every dimension read by its *_navn column and recoded to short "
            "codes; "
            "verdi as the value, an empty verdi as status ':'."
        ),
        notes=cube_notes,
    ).entry(path, "jsonstat")


def _reconciliation(builder: CubeBuilder, regions: Sequence[str], years: Sequence[int]) -> str:
    """How 'Oslo i alt' compares with the sum of the districts, for the first category of every dimension."""
    first = [dim.codes[0] for dim in builder.dimensions[1:-1]]
    gaps = []
    for year in years:
        oslo = builder.values[builder.flat(("0301", *first, str(year)))]
        parts = [builder.values[builder.flat((code, *first, str(year)))] for code in regions if len(code) == 6]
        if oslo is not None:
            gaps.append(oslo - sum(p for p in parts if p is not None))
    labels = ", ".join(f"{dim.id} {dim.codes[0]}" for dim in builder.dimensions[1:-1])
    return (
        f"'Oslo i alt' minus the sum of the districts ({labels}; suppressed districts counted as nothing) "
        f"ranges from {min(gaps):g} to {max(gaps):g} over the years: Oslo's total also holds any residual "
        "geographies left out here, and in counts over a year a person who moved can be counted in more "
        "than one district."
    )
