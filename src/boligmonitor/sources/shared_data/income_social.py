"""IMDi's extracts from SSB: social assistance recipients 2013-2014 and persistent low income 2012-2014."""

from __future__ import annotations

import re
from collections import Counter

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

SOSIALHJELP_SOURCE = "income_social/imdi_sosialhjelpsmottakere_innvkat_kjonn_2013_2014.csv"
LAVINNTEKT_SOURCE = "income_social/imdi_vedvarende_lavinntekt_kommune_innvkat_2012_2014.csv"
REPOSITORY = "gardenberg/imdikator-munch"
COMMIT = "101c0826ec20e8322f515d2679b794f23d0097b0"
LICENCE = "none stated in the repository (gardenberg/imdikator-munch); public statistics, cite SSB/IMDi"

INNVANDRERKATEGORI = [
    ("alle", "Hele befolkningen"),
    ("innvandrere", "Innvandrere"),
    ("befolkningen_ellers", "Befolkningen ellers (alle unntatt innvandrere)"),
]
KJONN = {"alle": "alle", "1": "menn", "0": "kvinner"}  # per the repository's parameters/dimensions.json
LANDBAKGRUNN = [
    ("alle", "Alle"),
    ("1", "EU/EFTA, Nord-Amerika, Australia og New Zealand"),
    (
        "2",
        "Øst-Europa utenom EU, Asia inkl. Tyrkia, Afrika, Sør- og Mellom-Amerika, Oseania utenom Australia/NZ",
    ),
]
UNKNOWN_DISTRICT = "030199"


def write_income_social(workspace: Workspace, names: RegionNames) -> list[InputFile]:
    return [_sosialhjelp(workspace, names), _lavinntekt(workspace, names)]


def _level(row: dict[str, str]) -> tuple[str, str] | None:
    filled = [(column, row[column]) for column in ("kommune_nr", "fylke_nr", "bydel_nr", "naringsregion_nr")]
    given = [(column, value) for column, value in filled if value != "NULL"]
    return given[0] if len(given) == 1 else None


def _sosialhjelp(workspace: Workspace, names: RegionNames) -> InputFile:
    source = workspace.source(SOSIALHJELP_SOURCE)
    problems = Unexpected(source)
    required = (
        "aar",
        "kommune_nr",
        "fylke_nr",
        "bydel_nr",
        "naringsregion_nr",
        "innvkat_3",
        "kjonn",
        "enhet",
        "tabellvariabel",
    )
    kept: list[tuple[int, str, str, str, str, str, str]] = []
    left_out: Counter[str] = Counter()
    for line, row in csv_rows(source, required):
        level = _level(row)
        if level is None:
            problems.add("expected exactly one of kommune_nr, fylke_nr, bydel_nr, naringsregion_nr", line)
            continue
        column, code = level
        if column == "fylke_nr" and code == "00":
            region = "0"
        elif (column == "kommune_nr" and re.fullmatch(r"\d{4}", code)) or (
            column == "bydel_nr" and code in names.districts
        ):
            region = code
        else:
            left_out[f"{column} {code}" if code == UNKNOWN_DISTRICT else column] += 1
            continue
        if row["innvkat_3"] not in dict(INNVANDRERKATEGORI) or row["kjonn"] not in KJONN:
            problems.add(f"unknown category {row['innvkat_3']!r}/{row['kjonn']!r}", line)
            continue
        if row["enhet"] not in ("personer", "prosent"):
            problems.add(f"unknown unit {row['enhet']!r}", line, "enhet")
            continue
        kept.append(
            (
                line,
                region,
                row["innvkat_3"],
                KJONN[row["kjonn"]],
                row["enhet"].capitalize(),
                row["aar"],
                row["tabellvariabel"].strip(),
            )
        )
    problems.raise_if_any()
    regions = sorted({r for _, r, *_ in kept}, key=lambda c: (len(c), c))
    builder = CubeBuilder(
        (
            dimension("Region", "region", [(code, names.label(code)) for code in regions], role="geo"),
            dimension("Innvandrerkategori", "innvandrerkategori", INNVANDRERKATEGORI),
            dimension("Kjonn", "kjønn", [("alle", "Begge kjønn"), ("menn", "Menn"), ("kvinner", "Kvinner")]),
            dimension(
                "ContentsCode",
                "statistikkvariabel",
                [
                    ("Personer", "Sosialhjelpsmottakere"),
                    ("Prosent", "Sosialhjelpsmottakere i prosent av gruppen"),
                ],
                role="metric",
                units={
                    "Personer": Unit(base="personer", decimals=0),
                    "Prosent": Unit(base="prosent", decimals=2),
                },
            ),
            year_dimension([2013, 2014]),
        )
    )
    suppressed = 0
    for line, region, category, sex, unit, year, text in kept:
        cell = (region, category, sex, unit, year)
        try:
            if text == ":":
                suppressed += 1
                builder.set(cell, None, Status.CONFIDENTIAL)
            else:
                builder.set(cell, parse_count(text) if unit == "Personer" else parse_decimal(text))
        except (ValueError, KeyError) as exc:
            problems.add(str(exc), line, "tabellvariabel")
    problems.raise_if_any()
    unset = builder.fill_unset(Status.MISSING)
    districts = [code for code in regions if len(code) == 6]
    cube_notes = [
        "Recipients = persons who received økonomisk sosialhjelp at least once during the year. 'Prosent' is "
        "recipients as a share of the group's population; the denominator is not documented in the file "
        "(2.96 % nationally in 2013 implies about 4 million, i.e. roughly residents aged 18 and over).",
        f"Suppressed by IMDi/SSB: {suppressed} cells with ':' (status ':', never 0).",
        "Municipality codes of 2013/2014 (the 428 municipalities before the 2017-2020 reforms); harmonise "
        "before joining to today's municipalities.",
        f"Oslo's districts are included ({', '.join(districts)}: SSB's district codes as the file writes "
        "them, "
        f"030116 Sentrum and 030117 Marka included); left out: {left_out.get('bydel_nr 030199', 0)} rows for "
        f"030199 (unknown district), {left_out.get('fylke_nr', 0)} rows for the counties of 2014 and "
        f"{left_out.get('naringsregion_nr', 0)} rows for IMDi's næringsregioner.",
        "Kjønn: the file's codes 1 = menn and 0 = kvinner, as the source repository's "
        "parameters/dimensions.json "
        "defines them.",
    ]
    if unset:
        cube_notes.append(f"{unset} cells are not in the file: status '..'.")
    cube = builder.build(
        label="Sosialhjelpsmottakere etter innvandrerkategori og kjønn, 2013-2014",
        source="Statistisk sentralbyrå (spesialuttak for IMDi), bearbeidet av IMDi",
        notes=cube_notes,
    )
    path = "imdi/sosialhjelp_2013_2014.json"
    write_cube(workspace, path, cube)
    return Described(
        dataset="imdi:sosialhjelp",
        publisher="IMDi (special extract from SSB)",
        title="Mottakere av økonomisk sosialhjelp etter innvandrerkategori og kjønn, 2013-2014",
        licence=LICENCE,
        provenance=(
            f"{REPOSITORY}, data_flat_output/sosialhjelp-alle-2013_2014.csv, commit {COMMIT}; shared/data/"
            + SOSIALHJELP_SOURCE
            + " (byte-identical). Kept: municipality rows, fylke_nr 00 as Norway (0) and "
            "Oslo district rows (bydel_nr = SSB district code); kjonn 1/0 recoded to menn/kvinner; enhet "
            "personer/prosent to Personer/Prosent; tabellvariabel as the value, ':' as status."
        ),
        notes=cube_notes,
    ).entry(path, "jsonstat")


def _lavinntekt(workspace: Workspace, names: RegionNames) -> InputFile:
    source = workspace.source(LAVINNTEKT_SOURCE)
    problems = Unexpected(source)
    required = ("kommune_nr", "aar", "innvkat_3", "vreg_3", "enhet", "tabellvariabel")
    kept: list[tuple[int, str, str, str, str, str]] = []
    for line, row in csv_rows(source, required):
        if not re.fullmatch(r"\d{4}", row["kommune_nr"]) or row["enhet"] != "prosent":
            problems.add(f"unexpected code {row['kommune_nr']!r} or unit {row['enhet']!r}", line)
            continue
        kept.append((line, row["kommune_nr"], row["innvkat_3"], row["vreg_3"], row["aar"], row["tabellvariabel"]))
    problems.raise_if_any()
    regions = sorted({code for _, code, *_ in kept})
    builder = CubeBuilder(
        (
            dimension("Region", "region", [(code, names.municipality(code)) for code in regions], role="geo"),
            dimension("Innvandrerkategori", "innvandrerkategori", INNVANDRERKATEGORI),
            dimension("Landbakgrunn", "landbakgrunn", LANDBAKGRUNN),
            dimension(
                "ContentsCode",
                "statistikkvariabel",
                [("Prosent", "Andel personer i husholdninger med vedvarende lavinntekt")],
                role="metric",
                units={"Prosent": Unit(base="prosent", decimals=1)},
            ),
            year_dimension([2012, 2013, 2014]),
        )
    )
    suppressed = 0
    for line, code, category, background, year, text in kept:
        cell = (code, category, background, "Prosent", year)
        try:
            if text.strip() == ":":
                suppressed += 1
                builder.set(cell, None, Status.CONFIDENTIAL)
            else:
                builder.set(cell, parse_decimal(text))
        except (ValueError, KeyError) as exc:
            problems.add(str(exc), line, "tabellvariabel")
    problems.raise_if_any()
    not_published = builder.fill_unset(Status.NOT_APPLICABLE)
    cube_notes = [
        "Share of persons (all ages, not only children) living in households with persistent low income: "
        "average household income after tax over a three-year period below 60 % of the median (EU scale). "
        "The year is presumably the last year of the three-year period.",
        f"Suppressed: {suppressed} cells with ':' (status ':', never 0).",
        "Landbakgrunn is published for immigrants only: the combinations of 'alle' and 'befolkningen_ellers' "
        f"with country background 1 or 2 do not exist ({not_published} cells, status '.').",
        "Municipality codes of 2013/2014, except that Harstad appears as 1901 (its code until 2012) in all "
        "three "
        "years and Bjarkøy (1915, merged into Harstad 1.1.2013) not at all; the codes were not changed.",
        "Oslo 2012 has two decimals (12.87) where every other cell has one, probably an IMDi processing "
        "artefact; kept as published.",
    ]
    cube = builder.build(
        label="Personer i husholdninger med vedvarende lavinntekt (EU-skala 60 %), etter innvandrerkategori",
        source="Statistisk sentralbyrå (spesialuttak for IMDi), bearbeidet av IMDi",
        notes=cube_notes,
    )
    path = "imdi/vedvarende_lavinntekt_2012_2014.json"
    write_cube(workspace, path, cube)
    return Described(
        dataset="imdi:lavinntekt",
        publisher="IMDi (special extract from SSB)",
        title="Vedvarende lavinntekt etter innvandrerkategori og landbakgrunn per kommune, 2012-2014",
        licence=LICENCE,
        provenance=(
            f"{REPOSITORY}, commit {COMMIT}: data_flat_output/vedvarende_lavinntekt-kommune-2012.csv, "
            "data_flat_output/vedvarende_lavinntekt-kommune-2014.csv and "
            "data_flat_input/vedvarende_lavinntekt.csv "
            "(2013, municipality rows); concatenated in shared/data/" + LAVINNTEKT_SOURCE + ". Kept: "
            "innvkat_3, vreg_3 (as Landbakgrunn), tabellvariabel as the value and ':' as status; the "
            "source_path "
            "and tabell_navn columns were dropped."
        ),
        notes=cube_notes,
    ).entry(path, "jsonstat")
