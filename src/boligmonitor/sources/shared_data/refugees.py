"""IMDi: settlement of refugees (bosetting) and immigrants by reason for immigration (innvandringsgrunn)."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Mapping

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from boligmonitor.core.errors import InputError
from boligmonitor.core.flags import Flag, Harmonisation
from boligmonitor.core.status import Status
from boligmonitor.sources.cube import Cube, Unit
from boligmonitor.sources.manifest import InputFile
from boligmonitor.sources.shared_data.common import (
    CubeBuilder,
    Described,
    Unexpected,
    Workspace,
    csv_rows,
    dimension,
    parse_count,
    write_cube,
    year_dimension,
)
from boligmonitor.sources.shared_data.names import KLASS_131_CHANGES, RegionNames

BOSETTING_SOURCE = "refugees/imdi_bosetting_anmodning_vedtak_faktisk_kommune_1995_2023.csv"
GRUNN_SOURCE = "refugees/imdi_innvandrere_etter_innvandringsgrunn_kommune_2006_2021.parquet"
IMDI_URL = "https://www.imdi.no/om-integrering-i-norge/statistikk/"
LICENCE = "none stated in the repository (evensrii/Telemark); public statistics, cite IMDi"

BOSETTING = {
    "Anmodning om bosetting": "anmodning",
    "Vedtak om bosetting": "vedtak",
    "Faktisk bosetting": "faktisk",
    "Opprinnelig anmodning": "opprinnelig_anmodning",
}
BOSETTING_SYMBOLS = {".": Status.NOT_APPLICABLE, ":": Status.CONFIDENTIAL, "": Status.MISSING}
PARTIAL_YEAR = 2023
DROPPED_CODES = frozenset({"9999", "2100", "2111", "2112", "2113", "2114", "2115", "2211"})

GRUNN = {
    "Alle": "alle",
    "Arbeidsinnvandrere": "arbeid",
    "Familieinnvandrede": "familie",
    "Flyktninger og deres familieinnvandrede": "flukt",
    "Utdanning (inkl. au pair) eller andre grunner": "utdanning",
    "Uoppgitt": "uoppgitt",
}
KJONN = {"Alle": "alle", "Kvinner": "kvinner", "Menn": "menn"}
GRUNN_YEARS = tuple(range(2006, 2022))


def write_refugees(workspace: Workspace, names: RegionNames) -> list[InputFile]:
    return [_bosetting(workspace, names), _innvandringsgrunn(workspace, names)]


# --- bosetting ----------------------------------------------------------------------------------------------


def _bosetting(workspace: Workspace, names: RegionNames) -> InputFile:
    source = workspace.source(BOSETTING_SOURCE)
    problems = Unexpected(source)
    kept: list[tuple[int, str, str, str, str]] = []  # line, year, code, bosetting, text
    labels: dict[str, str] = {}
    dropped: Counter[str] = Counter()
    percent_rows = 0
    required = ("Enhet", "År", "Kommunenummer", "Kommune", "Bosetting", "Antall")
    for line, row in csv_rows(source, required):
        if row["Enhet"] == "Prosent":
            percent_rows += 1
            continue
        if row["Enhet"] != "Personer":
            problems.add(f"unknown unit {row['Enhet']!r}", line, "Enhet")
            continue
        code, year = row["Kommunenummer"], row["År"]
        if code in DROPPED_CODES:
            dropped[code] += 1
            continue
        if not re.fullmatch(r"\d{4}", code) or not re.fullmatch(r"\d{4}", year):
            problems.add(f"unexpected code {code!r} or year {year!r}", line, "Kommunenummer")
            continue
        if row["Bosetting"] not in BOSETTING:
            problems.add(f"unknown category {row['Bosetting']!r}", line, "Bosetting")
            continue
        if row["Kommune"].strip():
            labels[code] = row["Kommune"].strip()
        kept.append((line, year, code, BOSETTING[row["Bosetting"]], row["Antall"].strip()))
    problems.raise_if_any()
    years = sorted({int(year) for _, year, _, _, _ in kept})
    if years != list(range(1995, 2024)):
        raise InputError.single(str(source), f"expected the years 1995-2023, found {years[0]}-{years[-1]}")
    codes = sorted({code for _, _, code, _, _ in kept})
    builder = CubeBuilder(
        (
            dimension("Region", "region", [(c, names.municipality(c, labels.get(c))) for c in codes], role="geo"),
            dimension(
                "Bosetting",
                "bosetting",
                [
                    ("anmodning", "Anmodning om bosetting"),
                    ("vedtak", "Vedtak om bosetting"),
                    ("faktisk", "Faktisk bosetting"),
                    ("opprinnelig_anmodning", "Opprinnelig anmodning"),
                ],
            ),
            dimension(
                "ContentsCode",
                "statistikkvariabel",
                [("Personer", "Personer")],
                role="metric",
                units={"Personer": Unit(base="personer", decimals=0)},
            ),
            year_dimension(years),
        )
    )
    statuses: Counter[str] = Counter()
    for line, year, code, category, text in kept:
        cell = (code, category, "Personer", year)
        try:
            if text in BOSETTING_SYMBOLS:
                statuses[text or "blank"] += 1
                builder.set(cell, None, BOSETTING_SYMBOLS[text])
            else:
                builder.set(cell, parse_count(text))
        except ValueError as exc:
            problems.add(str(exc), line, "Antall")
    problems.raise_if_any()
    absent = builder.fill_unset(Status.NOT_APPLICABLE)
    for code in codes:
        for category in BOSETTING.values():
            builder.add_flags(builder.flat((code, category, "Personer", str(PARTIAL_YEAR))), [Flag.PARTIAL_YEAR.value])
    dropped_text = ", ".join(f"{code} ({n})" for code, n in sorted(dropped.items()))
    cube_notes = [
        f"{PARTIAL_YEAR} is a partial year: the export was taken around September {PARTIAL_YEAR} (faktisk "
        "bosetting "
        f"{PARTIAL_YEAR} sums to 18 851); every {PARTIAL_YEAR} cell is flagged partial_year.",
        "Anmodning = refugees IMDi asked the municipality to settle; vedtak = the municipality's decision; "
        "faktisk = refugees actually settled (from 2012; earlier years are '.'); opprinnelig anmodning = the "
        "request before it was revised (2020 and 2022 only).",
        f"IMDi's symbols are kept as status: '.' not available ({statuses['.']} cells), ':' suppressed "
        f"({statuses[':']} cells), blank -> '..' ({statuses['blank']} cells); none is ever 0. {absent} cells "
        "that the export does not list at all (a code not used in a year, opprinnelig anmodning outside 2020 "
        "and 2022) have status '.'.",
        "Codes are IMDi's as published: for 1995-2013 IMDi lists one fixed set of 443 codes (codes of "
        "different periods; '.' where IMDi has nothing), 2014-2019 that year's municipalities, 2020-2023 the "
        "356 municipalities of 2020 (only 242 still valid in 2024). A few values sit under a code outside "
        "its "
        "validity (e.g. 1901 Harstad in 2013, 1154 Vindafjord in 2007); they were not moved.",
        f"Left out: IMDi's {percent_rows} Prosent rows (vedtak and faktisk as a percentage of anmodning, "
        f"including 24 'Inf'; a ratio computed from the counts) and {sum(dropped.values())} Personer rows "
        "for "
        f"codes that are not municipalities: {dropped_text} (9999 = unknown municipality: faktisk bosetting "
        "112 in 2014 and 74 in 2015; 21xx/2211 = Svalbard and Jan Mayen, 2023). Sums over municipalities can "
        "therefore differ from IMDi's national totals, as can suppressed cells.",
    ]
    cube = builder.build(
        label="Bosetting av flyktninger: anmodning, vedtak og faktisk bosetting, etter kommune og år",
        source="Integrerings- og mangfoldsdirektoratet (IMDi)",
        notes=cube_notes,
    )
    path = "imdi/bosetting_1995_2023.json"
    write_cube(workspace, path, cube)
    return Described(
        dataset="imdi:bosetting",
        publisher="IMDi",
        title="Bosetting av flyktninger: anmodning, vedtak og faktisk bosetting per kommune, 1995-2023",
        source_url=IMDI_URL,
        licence=LICENCE,
        provenance=(
            "evensrii/Telemark, 'Data/09_Innvandrere og inkludering/Bosetting av flyktninger/2023/"
            "Figur1_bosatt_anmodede.csv', commit 83541874fe640c1b444c4d08dc571e8de5706086 (IMDi's statistics "
            "download, Latin-1 re-encoded to UTF-8); shared/data/" + BOSETTING_SOURCE + ". Kept: Enhet = "
            "Personer; Bosetting recoded to anmodning/vedtak/faktisk/opprinnelig_anmodning; Antall as the "
            "value, its symbols as status."
        ),
        notes=cube_notes,
    ).entry(path, "jsonstat")


# --- innvandringsgrunn --------------------------------------------------------------------------------------


def _klass_lifetimes(workspace: Workspace) -> dict[str, tuple[int | None, int | None]]:
    """code -> (first year, last year) in use per the KLASS 131 changes 2011-2024 (None: not in the list)."""
    changes = [
        (int(row["changeOccurred"][:4]), row["oldCode"], row["newCode"])
        for _, row in csv_rows(workspace.source(KLASS_131_CHANGES), ("oldCode", "newCode", "changeOccurred"))
    ]
    old_in_year = {(year, old) for year, old, _ in changes}
    first: dict[str, int] = {}
    last: dict[str, int] = {}
    for year, old, new in changes:
        if old != new:
            last[old] = min(last.get(old, 9999), year - 1)
            if (year, new) not in old_in_year:  # a code continuing through a merger did not start then
                first[new] = min(first.get(new, 9999), year)
    return {code: (first.get(code), last.get(code)) for code in set(first) | set(last)}


def _imdi_validity(label: str) -> tuple[int | None, int | None]:
    """IMDi's own validity note in a name: "Moss (t.o.m. 2019)", "Trondheim (f.o.m. 2020)"."""
    start = re.search(r"f\.o\.m\. (\d{4})", label)
    end = re.search(r"t\.o\.m\. (\d{4})", label)
    return (int(start.group(1)) if start else None, int(end.group(1)) if end else None)


def _dictionary_column(table: pa.Table, name: str, file: str) -> tuple[npt.NDArray[np.int64], list[str]]:
    """(index per row, distinct texts) of a text column, without converting every row to Python."""
    column = table.column(name).combine_chunks()
    if not pa.types.is_dictionary(column.type):
        column = column.dictionary_encode()
    if column.null_count:
        raise InputError.single(file, f"{column.null_count} empty cells", field=name)
    return column.indices.to_numpy(zero_copy_only=False).astype(np.int64), [
        str(v) for v in column.dictionary.to_pylist()
    ]


def _positions(
    texts: list[str], mapping: Mapping[str, str], order: list[str], file: str, field: str
) -> npt.NDArray[np.int64]:
    """For each distinct text, the position of its code in ``order``; InputError names unknown texts."""
    unknown = [t for t in texts if t not in mapping]
    if unknown:
        raise InputError.single(file, f"unknown categories {unknown}", field=field)
    return np.array([order.index(mapping[t]) for t in texts], dtype=np.int64)


def _innvandringsgrunn(workspace: Workspace, names: RegionNames) -> InputFile:
    source = workspace.source(GRUNN_SOURCE)
    file = str(source)
    table = pq.ParquetFile(source).read(
        columns=["region", "navn", "innvandringsgrunn", "kjonn", "enhet", "aar", "verdi_raw"]
    )
    units = set(table.column("enhet").combine_chunks().dictionary_encode().dictionary.to_pylist())
    if units != {"Personer", "Prosent"}:
        raise InputError.single(file, f"unexpected units {sorted(units)}", field="enhet")
    table = table.filter(pc.equal(table.column("enhet").cast(pa.string()), "Personer"))
    region_index, region_texts = _dictionary_column(table, "region", file)
    region_codes = [re.fullmatch(r"K(\d{4})", text) for text in region_texts]
    if not all(region_codes):
        raise InputError.single(file, "a region is not 'K' + four digits", field="region")
    codes = sorted({m.group(1) for m in region_codes if m})
    region_position = np.array([codes.index(m.group(1)) for m in region_codes if m], dtype=np.int64)[region_index]
    navn_index, navn_texts = _dictionary_column(table, "navn", file)
    labels: dict[str, str] = {}
    for r, n in set(zip(region_position.tolist(), navn_index.tolist(), strict=True)):
        if labels.setdefault(codes[r], navn_texts[n]) != navn_texts[n]:
            raise InputError.single(file, f"region {codes[r]} has several names", field="navn")
    grunn_index, grunn_texts = _dictionary_column(table, "innvandringsgrunn", file)
    grunn = _positions(grunn_texts, GRUNN, list(GRUNN.values()), file, "innvandringsgrunn")[grunn_index]
    kjonn_index, kjonn_texts = _dictionary_column(table, "kjonn", file)
    kjonn = _positions(kjonn_texts, KJONN, list(KJONN.values()), file, "kjonn")[kjonn_index]
    years = table.column("aar").to_numpy().astype(np.int64) - GRUNN_YEARS[0]
    if years.min() < 0 or years.max() >= len(GRUNN_YEARS):
        raise InputError.single(file, "a year outside 2006-2021", field="aar")
    text = table.column("verdi_raw").combine_chunks()
    empty = pc.equal(text, "").to_numpy(zero_copy_only=False)
    digits = pc.match_substring_regex(text, r"^\d+$").to_numpy(zero_copy_only=False)
    if (~empty & ~digits).any():
        raise InputError.single(file, "a cell is neither empty nor a whole number", field="verdi_raw")
    numbers = pc.cast(pc.if_else(pa.array(empty), pa.scalar(None, pa.string()), text), pa.int64()).to_pylist()
    n_grunn, n_kjonn, n_years = len(GRUNN), len(KJONN), len(GRUNN_YEARS)
    flat = ((region_position * n_grunn + grunn) * n_kjonn + kjonn) * n_years + years
    n_cells = len(codes) * n_grunn * n_kjonn * n_years
    if len(flat) != n_cells or not np.array_equal(np.sort(flat), np.arange(n_cells)):
        raise InputError.single(file, "the long table is not one full grid of region x reason x sex x year")
    order = np.argsort(flat)
    values: list[float | None] = [numbers[i] for i in order.tolist()]
    empty_years: dict[str, set[int]] = defaultdict(set)
    filled_years: dict[str, set[int]] = defaultdict(set)
    for r, t, is_empty in set(zip(region_position.tolist(), years.tolist(), empty.tolist(), strict=True)):
        (empty_years if is_empty else filled_years)[codes[r]].add(GRUNN_YEARS[0] + t)
    lifetimes = _klass_lifetimes(workspace)
    empty_status = _empty_status(codes, labels, empty_years, filled_years, lifetimes)
    recoded = _outside_klass_lifetime(codes, filled_years, lifetimes)
    status: dict[int, Status] = {}
    statuses: Counter[Status] = Counter()
    for f, r, t in zip(flat[empty].tolist(), region_position[empty].tolist(), years[empty].tolist(), strict=True):
        status[f] = empty_status[(codes[r], GRUNN_YEARS[0] + t)]
        statuses[status[f]] += 1
    recoded_matrix = np.zeros((len(codes), n_years), dtype=bool)
    for code, year in recoded:
        recoded_matrix[codes.index(code), year - GRUNN_YEARS[0]] = True
    recoded_flags = (Flag.HARMONISED_BY_PUBLISHER.value, Harmonisation.RECODED.value)
    recoded_cells = flat[recoded_matrix[region_position, years] & ~empty]
    flags = dict.fromkeys(sorted(recoded_cells.tolist()), recoded_flags)
    dimensions = (
        dimension("Region", "region", [(c, labels[c]) for c in codes], role="geo"),
        dimension("Innvandringsgrunn", "innvandringsgrunn", [(v, k) for k, v in GRUNN.items()]),
        dimension("Kjonn", "kjønn", [(v, k) for k, v in KJONN.items()]),
        dimension(
            "ContentsCode",
            "statistikkvariabel",
            [("Personer", "Personer")],
            role="metric",
            units={"Personer": Unit(base="personer", decimals=0)},
        ),
        year_dimension(GRUNN_YEARS),
    )
    recoded_codes = sorted({code for code, _ in recoded})
    cube_notes = [
        "Immigrants living in the municipality on 1 January (not their Norwegian-born children), by reason "
        "for "
        "the first immigration. 'uoppgitt' includes Nordic citizens and immigrants who arrived before 1990 "
        "(no registered reason).",
        "Codes follow IMDi's convention, not 'the code valid that year': a municipality whose area did not "
        "change carries one code for the whole series (e.g. 3001 Halden from 2006, although 3001 was used "
        "only "
        "2020-2023), and IMDi names the units whose area changed with their validity ('Moss (t.o.m. 2019)', "
        "'Trondheim (f.o.m. 2020)'; Trondheim 2018-2019 is under 1601). Values under a code outside its "
        "validity in KLASS 131 changes carry the flags harmonised_by_publisher and recoded "
        f"({len(recoded)} code-years, {len(recoded_codes)} codes). Codes mix pre-2020 and 2020-2023 "
        "municipalities; there are no 2024 codes.",
        "Empty cells are years in which IMDi's unit did not exist; checked against the unit's validity "
        "(IMDi's "
        f"own f.o.m./t.o.m. note, else KLASS 131 changes): {statuses[Status.NOT_APPLICABLE]} cells outside "
        "it "
        f"have status '.', {statuses[Status.MISSING]} inside it '..'.",
        "IMDi's Prosent rows (share of the municipality's immigrants) were left out: a ratio of the counts kept.",
    ]
    cube = Cube(
        dimensions=dimensions,
        values=values,
        status=status,
        flags=flags,
        label="Innvandrere etter innvandringsgrunn og kjønn, kommune, 1. januar",
        source="Integrerings- og mangfoldsdirektoratet (IMDi), på grunnlag av SSB (jf. tabell 07113)",
        notes=tuple(cube_notes),
        mandatory_notes=tuple(range(len(cube_notes))),
    )
    path = "imdi/innvandringsgrunn_2006_2021.json"
    write_cube(workspace, path, cube)
    return Described(
        dataset="imdi:innvandringsgrunn",
        publisher="IMDi (based on SSB)",
        title="Innvandrere etter innvandringsgrunn og kjønn per kommune, 2006-2021",
        source_url=IMDI_URL,
        licence=LICENCE,
        provenance=(
            "evensrii/Telemark, 'Data/09_Innvandrere og inkludering/befolkning_innvandringsgrunn alle "
            "kommuner."
            "csv', commit ffacbc49b9199a3731094111934aa4f6f7558907 (IMDi's wide export, reshaped to long "
            "form "
            "and saved as parquet, cell text kept); shared/data/" + GRUNN_SOURCE + ". Kept: enhet = Personer; "
            "region 'K0301' -> '0301'; innvandringsgrunn and kjønn recoded to short codes; labels = IMDi's "
            "names with their validity notes."
        ),
        notes=cube_notes,
    ).entry(path, "jsonstat")


def _empty_status(
    codes: list[str],
    labels: Mapping[str, str],
    empty_years: Mapping[str, set[int]],
    filled_years: Mapping[str, set[int]],
    lifetimes: Mapping[str, tuple[int | None, int | None]],
) -> dict[tuple[str, int], Status]:
    """'.' for an empty year outside the unit's validity, '..' inside it."""
    statuses: dict[tuple[str, int], Status] = {}
    for code in codes:
        imdi_start, imdi_end = _imdi_validity(labels[code])
        klass_start, klass_end = lifetimes.get(code, (None, None))
        start = imdi_start if imdi_start is not None else klass_start
        end = imdi_end if imdi_end is not None else klass_end
        for year in empty_years.get(code, set()):
            outside = (start is not None and year < start) or (end is not None and year > end)
            # A year with some cells filled existed for the unit: its empty cells are missing ('..')
            applicable = not outside or year in filled_years.get(code, set())
            statuses[(code, year)] = Status.MISSING if applicable else Status.NOT_APPLICABLE
    return statuses


def _outside_klass_lifetime(
    codes: list[str],
    filled_years: Mapping[str, set[int]],
    lifetimes: Mapping[str, tuple[int | None, int | None]],
) -> set[tuple[str, int]]:
    outside: set[tuple[str, int]] = set()
    for code in codes:
        start, end = lifetimes.get(code, (None, None))
        for year in filled_years.get(code, set()):
            if (start is not None and year < start) or (end is not None and year > end):
                outside.add((code, year))
    return outside
