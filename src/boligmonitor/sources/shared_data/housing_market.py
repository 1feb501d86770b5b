"""SSB 06035: average price per m² of detached houses (eneboliger), a student's complete-case extract."""

from __future__ import annotations

import re

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
    write_cube,
    year_dimension,
)
from boligmonitor.sources.shared_data.names import RegionNames

SOURCE = "housing_market/hvl_student_ssb06035_kvmpris_enebolig_kommune_2008_2017.csv"
YEARS = tuple(range(2008, 2018))


def write_housing_market(workspace: Workspace, names: RegionNames) -> list[InputFile]:
    source = workspace.source(SOURCE)
    problems = Unexpected(source)
    rows: list[tuple[int, str, str, str]] = []
    labels: dict[str, str] = {}
    for line, row in csv_rows(source, ("knr", "knavn", "aar", "pm2")):
        if not re.fullmatch(r"\d{4}", row["knr"]):
            problems.add(f"unexpected code {row['knr']!r}", line, "knr")
            continue
        labels[row["knr"]] = row["knavn"].strip()
        rows.append((line, row["knr"], row["aar"], row["pm2"]))
    problems.raise_if_any()
    codes = sorted(labels)
    builder = CubeBuilder(
        (
            dimension("Region", "region", [(c, names.municipality(c, labels[c])) for c in codes], role="geo"),
            dimension("Boligtype", "boligtype", [("01", "Eneboliger")]),
            dimension(
                "ContentsCode",
                "statistikkvariabel",
                [("KvPris", "Gjennomsnittlig kvadratmeterpris (kr)")],
                role="metric",
                units={"KvPris": Unit(base="kr", decimals=0)},
            ),
            year_dimension(YEARS),
        )
    )
    for line, code, year, text in rows:
        try:
            builder.set((code, "01", "KvPris", year), parse_count(text))
        except (ValueError, KeyError) as exc:
            problems.add(str(exc), line, "pm2")
    problems.raise_if_any()
    gaps = builder.fill_unset(Status.MISSING)
    notes = [
        f"Complete-case subset: only the {len(codes)} municipalities with a price in every year 2008-2017, "
        "as "
        "chosen by a student (SSB does not publish municipalities with few sales); every other municipality "
        "is missing here although SSB may publish it for some years. Fetch SSB 06035 for current data.",
        "Codes are SSB's region codes of that time (e.g. 1601 Trondheim, 1201 Bergen): harmonise before use. "
        "Names had year suffixes stripped by the student.",
    ]
    if gaps:
        notes.append(f"{gaps} cells are not in the file: status '..'.")
    cube = builder.build(
        label="Selveierboliger: gjennomsnittlig kvadratmeterpris for eneboliger, etter kommune og år",
        source="Statistisk sentralbyrå (tabell 06035), hentet av en student (HVL) med PxWebApiData",
        notes=notes,
    )
    path = "ssb/06035_kvmpris_enebolig_2008_2017.json"
    write_cube(workspace, path, cube)
    return [
        Described(
            dataset="ssb:06035",
            publisher="SSB",
            title="Gjennomsnittlig kvadratmeterpris for eneboliger per kommune, 2008-2017 (utvalg)",
            table="06035",
            source_url="https://www.ssb.no/statbank/table/06035",
            licence="none stated (vilhau/ass4-h21-vilhau-jonchr); SSB data: NLOD / CC BY 4.0",
            provenance=(
                "vilhau/ass4-h21-vilhau-jonchr (a 2021 student assignment at Høgskulen på Vestlandet), "
                "data/pm2.csv, "
                "blob 997cd30a134598fca234f3dbaa0daf9705d69ff0; shared/data/" + SOURCE + " (columns knr, knavn, "
                "aar, pm2 of the student's file). pm2 (NOK per m², Boligtype 01, ContentsCode KvPris) as the "
                "value."
            ),
            notes=notes,
        ).entry(path, "jsonstat")
    ]
