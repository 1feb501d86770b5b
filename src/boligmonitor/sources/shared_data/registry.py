"""Classifications and region registers: KLASS 131/104 codes and changes, region attributes, split weights."""

from __future__ import annotations

import csv
import re
import shutil
from collections import defaultdict
from pathlib import Path

from boligmonitor.core.errors import InputError
from boligmonitor.sources.manifest import InputFile
from boligmonitor.sources.shared_data.common import Described, Workspace, csv_rows, read_json, write_json

KLASS_URL = "https://data.ssb.no/api/klass/v1/classifications"
NLOD = "NLOD / CC BY 4.0 (SSB)"

KLASS_131_SOURCE = "api_fixtures/klass_131_codesAt_2026-01-01.json"
COUNTIES_SOURCE = "registry/aprestmo_counties_2025.json"
CHANGES_SOURCE = "registry/klass131_changes_2011_2024.csv"
ATTRIBUTES_SOURCE = "registry/samarbeidsdesken_kommune_attributes_2022_2024.csv"
KOSTRA_GROUPS_SOURCE = "registry/samarbeidsdesken_kostra_groups_description.csv"
REFERENCE_CODES_SOURCE = "registry/rogfk_geografiske_referansekoder_2024.csv"
REDISTRICTING_SOURCE = "registry/csdata_redistricting_b2024.csv"

ATTRIBUTE_COLUMNS = ("region", "attribute", "year", "value", "source")
# Extra columns (the `x_` prefix the region-attributes format allows) carrying the KOSTRA group descriptions.
KOSTRA_DESCRIPTION_COLUMNS = (
    "x_kostra_group_label",
    "x_population_band",
    "x_bound_costs",
    "x_free_disposable_income",
    "x_municipality_count",
)
SPLIT_WEIGHT_COLUMNS = ("old_code", "new_code", "valid_until_year", "weight", "source")
SPLIT_WEIGHT_SOURCE = "FHI csdata nor_locations_redistricting_b2024 (fixed shares)"

# csdata also spreads these pre-2020 predecessors of 1507 Ålesund 50/50 over 1508 and 1580; each lies wholly
# within one successor (former 1534 Haram = 1580 Haram), so those weights are left out.
LEFT_OUT_PREDECESSORS = ("1504", "1523", "1529", "1534", "1546")


def write_registry(workspace: Workspace) -> list[InputFile]:
    return [
        _klass_131(workspace),
        _klass_104(workspace),
        _klass_131_changes(workspace),
        _kostra_groups(workspace),
        _centrality_and_economic_regions(workspace),
        _split_weights(workspace),
    ]


# --- KLASS ------------------------------------------------------------------------------------------------


def _klass_131(workspace: Workspace) -> InputFile:
    source = workspace.source(KLASS_131_SOURCE)
    body = read_json(source)
    codes = body.get("codes") if isinstance(body, dict) else None
    if not isinstance(codes, list) or len(codes) != 358:
        raise InputError.single(str(source), "expected the KLASS codesAt body with 358 codes", field="codes")
    path = "klass/klass_131_codesAt_2026-01-01.json"
    shutil.copyfile(source, workspace.target(path))  # the response body, byte for byte
    return Described(
        dataset="klass:131",
        publisher="SSB (KLASS)",
        title="Standard for kommuneinndeling (KLASS 131), codes valid on 2026-01-01",
        table="131",
        code_vintage="2026",
        fetched_at="2026-04-25T10:35:12.819Z",
        source_url=f"{KLASS_URL}/131/codesAt?date=2026-01-01&language=nb",
        licence=NLOD,
        provenance=(
            "vegard1104/kommunebarometer, spike/results/2026-04-25T10-35-12-819Z.json (key klass.body), "
            "commit 0ff4e10b23b831b1b1b7e12040a63e376934c6a3 (fetched at the time the file name gives); "
            "shared/data/" + KLASS_131_SOURCE + ", copied unchanged"
        ),
        notes=[
            "357 municipalities plus 9999 Uoppgitt; the municipality set is the same in 2024, 2025 and 2026.",
            "Names are KLASS's official names including Sami and Kven forms (e.g. 'Oslo - Oslove').",
        ],
    ).entry(path, "klass-codes")


def _klass_104(workspace: Workspace) -> InputFile:
    source = workspace.source(COUNTIES_SOURCE)
    body = read_json(source)
    if not isinstance(body, list) or len(body) != 15:
        raise InputError.single(str(source), "expected a list of the 15 counties of 2024")
    codes = []
    for index, item in enumerate(body):
        if not isinstance(item, dict) or not re.fullmatch(r"\d{2}", str(item.get("id", ""))):
            raise InputError.single(str(source), "expected {id: two digits, name}", field=f"[{index}]")
        codes.append(
            {
                "code": item["id"],
                "parentCode": None,
                "level": "1",
                "name": item["name"],
                "shortName": "",
                "presentationName": "",
                "validFrom": None,
                "validTo": None,
                "notes": "",
            }
        )
    path = "klass/klass_104_counties_2024.json"
    write_json(workspace.target(path), {"codes": sorted(codes, key=lambda c: c["code"])})
    return Described(
        dataset="klass:104",
        publisher="SSB (KLASS)",
        title="Standard for fylkesinndeling (KLASS 104): the 15 counties from 2024",
        table="104",
        code_vintage="2024",
        licence="MIT (aprestmo/norway-geodata); the classification itself: " + NLOD,
        provenance=(
            "aprestmo/norway-geodata, data/counties-2025.json, commit "
            "a1f370e8d6eacf78a679e8ee7fa1781a42ae385d; "
            "shared/data/" + COUNTIES_SOURCE + ". Converted to the KLASS codesAt shape: id -> code, name -> name, "
            "level '1'; parentCode, validFrom, validTo empty and shortName, presentationName, notes blank "
            "(the source has no such fields; its url field was dropped)."
        ),
        notes=[
            "Not a KLASS response: the county list of a third-party repository written in KLASS's shape. "
            "Names lack the Sami and Kven forms KLASS gives (e.g. KLASS: 'Troms - Romsa - Tromssa').",
        ],
    ).entry(path, "klass-codes")


def _klass_131_changes(workspace: Workspace) -> InputFile:
    source = workspace.source(CHANGES_SOURCE)
    columns = ("oldCode", "oldName", "oldShortName", "newCode", "newName", "newShortName", "changeOccurred")
    changes = [{column: row[column] for column in columns} for _, row in csv_rows(source, columns)]
    if len(changes) != 516:
        raise InputError.single(str(source), f"expected 516 changes, found {len(changes)}")
    path = "klass/klass_131_changes_2011_2024.json"
    write_json(workspace.target(path), {"codeChanges": changes})
    return Described(
        dataset="klass:131-changes",
        publisher="SSB (KLASS)",
        title="Changes in the municipality classification (KLASS 131), 2011-01-01 to 2024-01-01",
        table="131",
        source_url=f"{KLASS_URL}/131/changes",
        licence=NLOD,
        provenance=(
            "Samarbeidsdesken/ssb-kommunenummer, data.json (a Python literal of the KLASS changes list), "
            "commit "
            "424b33084713c7784e29e300a5fc87a4e8e03e8a; shared/data/" + CHANGES_SOURCE + " (parsed with "
            'ast.literal_eval, written to CSV). Written back as the KLASS body {"codeChanges": [...]}: all '
            "516 "
            "rows in file order, every value unchanged (text)."
        ),
        notes=[
            "Splits appear as several rows with the same oldCode (1507 Ålesund -> 1508, 1580; 5012 "
            "Snillfjord "
            "-> 5055, 5056, 5059; 1850 Tysfjord -> 1806, 1875; 0720 Stokke -> 0704, 0710). Name-only changes "
            "have oldCode == newCode. The list gives no population weights for splits.",
        ],
    ).entry(path, "klass-changes")


# --- region attributes -----------------------------------------------------------------------------------


def _kostra_descriptions(workspace: Workspace) -> dict[str, dict[str, str]]:
    source = workspace.source(KOSTRA_GROUPS_SOURCE)
    columns = (
        "kostragruppe",
        "folkemengde",
        "bundekostnader",
        "frie_disponible_inntekter",
        "antall_kommuner",
    )
    descriptions: dict[str, dict[str, str]] = {}
    for line, row in csv_rows(source, columns):
        match = re.fullmatch(r"KOSTRA-gruppe (\d{1,2})", row["kostragruppe"].strip())
        if match is None:
            raise InputError.single(str(source), "expected 'KOSTRA-gruppe N'", line=line, field="kostragruppe")
        code = f"EKG{int(match.group(1)):02d}"
        descriptions[code] = dict(zip(KOSTRA_DESCRIPTION_COLUMNS, (row[c].strip() for c in columns), strict=True))
    if sorted(descriptions) != [f"EKG{n:02d}" for n in range(1, 18)]:
        raise InputError.single(str(source), "expected the 17 KOSTRA groups 1-17")
    return descriptions


def _kostra_groups(workspace: Workspace) -> InputFile:
    source = workspace.source(ATTRIBUTES_SOURCE)
    descriptions = _kostra_descriptions(workspace)
    origin = (
        "SSB KOSTRA grouping (2020 grouping, KLASS 112) as assigned to 2024 municipality codes by "
        "Samarbeidsdesken (newsroom, not an official file)"
    )
    rows: list[list[str]] = []
    for line, row in csv_rows(source, ("year", "kommunenummer", "kostranr", "kostranavn")):
        group = row["kostranr"].strip()
        if group not in descriptions or descriptions[group]["x_kostra_group_label"] != row["kostranavn"].strip():
            raise InputError.single(str(source), f"unknown KOSTRA group {group!r}", line=line, field="kostranr")
        description = descriptions[group]
        rows.append(
            [row["kommunenummer"], "kostra_group", row["year"], group, origin]
            + [description[c] for c in KOSTRA_DESCRIPTION_COLUMNS]
        )
    if len(rows) != 1071:
        raise InputError.single(str(source), f"expected 1 071 rows (357 x 3 years), found {len(rows)}")
    path = "registry/kostra_group_2022_2024.csv"
    _write_csv(workspace.target(path), (*ATTRIBUTE_COLUMNS, *KOSTRA_DESCRIPTION_COLUMNS), rows)
    return Described(
        dataset="registry:kostra-group",
        publisher="SSB (KOSTRA grouping, via Samarbeidsdesken)",
        title="KOSTRA group (EKG01-EKG17) of each municipality, 2022-2024, with the group descriptions",
        table="112",
        code_vintage="2024",
        licence="none stated (Samarbeidsdesken/p02-ukraina); the grouping itself: " + NLOD,
        provenance=(
            "Samarbeidsdesken/p02-ukraina, data/app_flyktninger_oppsummert.xlsx, commit "
            "24fd4f5c276d104fee65c5a4654efc48dc528f59 (shared/data/" + ATTRIBUTES_SOURCE + ": columns year, "
            "kommunenummer, kostranr) and data/kostra_description.xlsx, commit "
            "acd52c71b8fd1824b76317f97c54ff8924891cd6 (shared/data/" + KOSTRA_GROUPS_SOURCE + "). One row per "
            "municipality and year; the group descriptions are joined on the group label ('KOSTRA-gruppe N') "
            "into the extra columns x_kostra_group_label (kostragruppe), x_population_band (folkemengde), "
            "x_bound_costs (bundekostnader), x_free_disposable_income (frie_disponible_inntekter) and "
            "x_municipality_count (antall_kommuner), text unchanged."
        ),
        notes=[
            "Newsroom-derived, not an official SSB file: the group is the same in all three years and looks "
            "like SSB's 2020 grouping mapped to 2024 municipality codes; not verified against KLASS 112.",
            "The descriptions are those of the 2020 grouping (x_municipality_count counts the 356 "
            "municipalities "
            "of 2020, e.g. 39 in group 1 where 40 of the 2024 municipalities are assigned to it). Group 13 "
            "(Oslo) has no free-disposable-income level in the source: x_free_disposable_income is empty.",
        ],
    ).entry(path, "region-attributes")


def _centrality_and_economic_regions(workspace: Workspace) -> InputFile:
    source = workspace.source(REFERENCE_CODES_SOURCE)
    columns = ("kommune_kode", "oekonomiskregion_kode", "oekonomiskregion_navn", "sentralitetsklasse")
    origin = "SSB {} (KLASS {}) as extracted by Rogaland fylkeskommune (geografiske_referansekoder_2024.xlsx)"
    rows: list[list[str]] = []
    for line, row in csv_rows(source, columns):
        code = row["kommune_kode"]
        if not re.fullmatch(r"\d{4}", code) or not re.fullmatch(r"0[1-6]", row["sentralitetsklasse"]):
            raise InputError.single(str(source), "unexpected code or centrality class", line=line)
        rows.append([code, "centrality", "2024", row["sentralitetsklasse"], origin.format("sentralitet", 128), ""])
        rows.append(
            [
                code,
                "economic_region",
                "2024",
                row["oekonomiskregion_kode"],
                origin.format("økonomiske regioner", 108),
                row["oekonomiskregion_navn"],
            ]
        )
    if len(rows) != 2 * 357:
        raise InputError.single(str(source), f"expected 357 municipalities, found {len(rows) // 2}")
    path = "registry/centrality_economic_region_2024.csv"
    _write_csv(workspace.target(path), (*ATTRIBUTE_COLUMNS, "x_economic_region_name"), rows)
    return Described(
        dataset="registry:centrality-economic-region",
        publisher="SSB (via Rogaland fylkeskommune)",
        title="Centrality class (1-6) and economic region of each municipality, 2024",
        code_vintage="2024",
        licence="none stated (rogfk-stat-og-analyse/Boligbehov); the classifications themselves: " + NLOD,
        provenance=(
            "rogfk-stat-og-analyse/Boligbehov, Data/Aux_data/geografiske_referansekoder_2024.xlsx, commit "
            "79fd30af170863666396136cafe97b472f2a6954; shared/data/" + REFERENCE_CODES_SOURCE + " (xlsx -> CSV, "
            "all text). Two rows per municipality: centrality = sentralitetsklasse as written ('01'-'06'), "
            "economic_region = oekonomiskregion_kode as written (5 digits, e.g. 03001) with "
            "oekonomiskregion_navn in the extra column x_economic_region_name."
        ),
        notes=[
            "Which revision of SSB's centrality index (2020 or 2024) the classes come from is not stated; "
            "they "
            "agree for all 357 municipalities with the classes in Samarbeidsdesken's 2024 attribute file.",
        ],
    ).entry(path, "region-attributes")


# --- split weights ----------------------------------------------------------------------------------------


def _split_weights(workspace: Workspace) -> InputFile:
    source = workspace.source(REDISTRICTING_SOURCE)
    columns = ("location_code_current", "location_code_original", "calyear", "weighting", "granularity_geo")
    # (old, new) -> {weight text} and the last calendar year the weight applies to
    weights: dict[tuple[str, str], set[str]] = defaultdict(set)
    last_year: dict[tuple[str, str], int] = {}
    split_codes = _split_codes(workspace)
    for line, row in csv_rows(source, columns):
        if row["granularity_geo"] != "municip":
            continue
        old = row["location_code_original"].removeprefix("municip_nor")
        new = row["location_code_current"].removeprefix("municip_nor")
        if old not in split_codes:
            continue
        if not (re.fullmatch(r"\d{4}", old) and re.fullmatch(r"\d{4}", new)):
            raise InputError.single(str(source), "unexpected municipality code", line=line)
        weights[(old, new)].add(row["weighting"])
        last_year[(old, new)] = max(last_year.get((old, new), 0), int(row["calyear"]))
    rows: list[list[str]] = []
    for (old, new), texts in sorted(weights.items()):
        if len(texts) != 1:
            raise InputError.single(str(source), f"the weight {old} -> {new} changes between years: {sorted(texts)}")
        rows.append([old, new, str(last_year[(old, new)]), texts.pop(), SPLIT_WEIGHT_SOURCE])
    missing = sorted(split_codes - {row[0] for row in rows})
    if missing:
        raise InputError.single(str(source), f"csdata gives no weights for the split codes {', '.join(missing)}")
    path = "registry/split_weights_csdata_b2024.csv"
    _write_csv(workspace.target(path), SPLIT_WEIGHT_COLUMNS, rows)
    return Described(
        dataset="registry:split-weights",
        publisher="FHI (csdata)",
        title="Fixed shares for municipalities split between several successors (FHI csdata, 2024 borders)",
        licence="MIT (Folkehelseinstituttet)",
        provenance=(
            "niphr/csdata, R/sysdata.rda, object nor_locations_redistricting_b2024, commit "
            "55a0dbccdf0738946ce9cdf30fa54ec164212b36; shared/data/" + REDISTRICTING_SOURCE + " (converted "
            "with pyreadr). Kept: the municipality rows whose original code is a split in KLASS 131 changes "
            f"and codes renumbered one-to-one into such a split ({', '.join(sorted(split_codes))}); one row per "
            "(original, successor) with the weight as written "
            "(constant over the years) and valid_until_year = the last calendar year csdata applies it to."
        ),
        notes=[
            "Crude fixed shares, not population based: 1507 Ålesund -> 1508/1580 0.5/0.5; 1850 Tysfjord -> "
            "1806/1875 0.5/0.5; 1613 and 5012 Snillfjord -> 5055/5056/5059 0.35/0.35/0.30; 0720 Stokke -> "
            "3907 Sandefjord 1.0 (today's code of 0710 Sandefjord): csdata puts all of Stokke in Sandefjord "
            "although part of it went to 0704 Tønsberg in 2017, so Tønsberg gets nothing of Stokke's values. "
            "Values allocated with these weights are estimates.",
            "Left out: csdata also spreads the pre-2020 predecessors of 1507 ("
            + ", ".join(LEFT_OUT_PREDECESSORS)
            + ") 50/50 over 1508 and 1580 although each lies wholly within one successor (the former 1534 "
            "Haram is today's 1580 Haram).",
        ],
    ).entry(path, "split-weights")


def _split_codes(workspace: Workspace) -> set[str]:
    """Codes split between several new codes in KLASS 131 changes, and codes renumbered one-to-one into such a
    code before its split (1613 Snillfjord -> 5012); codes merged into a split code are not included."""
    changes = [
        (row["changeOccurred"], row["oldCode"], row["newCode"])
        for _, row in csv_rows(workspace.source(CHANGES_SOURCE), ("oldCode", "newCode", "changeOccurred"))
    ]
    successors: dict[tuple[str, str], set[str]] = defaultdict(set)
    predecessors: dict[tuple[str, str], set[str]] = defaultdict(set)
    for day, old, new in changes:
        if old != new:
            successors[(day, old)].add(new)
            predecessors[(day, new)].add(old)
    splits = {old for (_, old), new in successors.items() if len(new) > 1}
    renumbered = {
        old
        for (day, old), new in successors.items()
        if len(new) == 1 and next(iter(new)) in splits and predecessors[(day, next(iter(new)))] == {old}
    }
    return splits | renumbered


def _write_csv(path: Path, header: tuple[str, ...], rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
