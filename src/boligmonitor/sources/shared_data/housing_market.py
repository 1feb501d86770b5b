"""SSB 06035: average price per m² of detached houses (eneboliger), a student's complete-case extract; and SSB 09895:
average rents from the rental market survey, a real recorded API answer."""

from __future__ import annotations

import re

from boligmonitor.core.errors import InputError
from boligmonitor.core.status import Status
from boligmonitor.sources.cube import Unit
from boligmonitor.sources.manifest import InputFile
from boligmonitor.sources.readers.jsonstat import read_jsonstat
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


RENTAL_SURVEY = "api_fixtures/ssb_pxwebapi_v0_09895_jsonstat2_leiemarked.json"
RENTAL_SURVEY_PATH = "ssb/09895_leiemarked_2012_2025.json"


def write_rental_survey(workspace: Workspace) -> list[InputFile]:
    """SSB 09895 (the rental market survey) as SSB answered it: a real recorded v0 response, written unchanged as a
    cube (the price zones 00 Hele landet and 01 Oslo og Bærum, rooms 1-5+, monthly rent and yearly rent per m²,
    2012-2025); BEF12 reads its national row for two rooms."""
    source = workspace.source(RENTAL_SURVEY)
    cube = read_jsonstat(source)  # an InputError naming the file if it is not JSON-stat
    if cube.geo_dimension() is None or cube.time_dimension() is None or cube.metric_dimension() is None:
        raise InputError.single(str(source), "expected the recorded 09895 response: price zone, time and measures")
    write_cube(workspace, RENTAL_SURVEY_PATH, cube)
    notes = [
        "Price zones, not municipalities: 00 is the whole country, 01 Oslo og Bærum kommune; the monitor reads the "
        "whole country only (a zone is no region of the monitor).",
        "Rooms (AntRom) 1, 2, 3, 4, 5+ without a total: an indicator must choose the size it reads (BEF12: two).",
    ]
    return [
        Described(
            dataset="ssb:09895",
            publisher="SSB",
            title="Gjennomsnittlig leie etter prissone, antall rom og år (leiemarkedsundersøkelsen), 2012-2025",
            table="09895",
            source_url="https://www.ssb.no/statbank/table/09895/",
            licence="none stated (Torcode/bostotte-oslo); SSB data: NLOD / CC BY 4.0",
            provenance=(
                "Torcode/bostotte-oslo, data/raw/ssb_09895_leiemarked.json, commit "
                "d0d1a406567c166f45b0cf136147f11b429fdbe7: SSB's PxWebApi v0 JSON-stat 2.0 answer for table 09895 "
                f"(updated {cube.updated or 'not stated'}); shared/data/{RENTAL_SURVEY}. Written unchanged as a cube."
            ),
            notes=notes,
        ).entry(RENTAL_SURVEY_PATH, "jsonstat")
    ]
