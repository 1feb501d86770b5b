"""Husbanken's bostøtte (housing allowance), monthly series for Norway, Oslo and Oslo's districts, per year.

The monthly series are aggregated to calendar years here; how, exactly, is in the manifest notes. Husbanken
writes Oslo's districts as pseudo municipality numbers 0311-0325; they are matched to SSB's district codes by
name and checked against the order of the pseudo numbers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from boligmonitor.core.errors import InputError
from boligmonitor.core.flags import Flag
from boligmonitor.core.months import ENGLISH_MONTHS
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

NATIONAL = "husbanken/husbanken_bostotte_nasjonalt_manedlig.csv"
NATIONAL_GROUPS = "husbanken/husbanken_bostotte_nasjonalt_brukergruppe_manedlig.csv"
OSLO = "husbanken/husbanken_bostotte_oslo_manedlig.csv"
OSLO_GROUPS = "husbanken/husbanken_bostotte_oslo_brukergruppe_manedlig.csv"
DISTRICTS = "sub_municipal/husbanken_bostotte_oslo_bydel_manedlig.csv"
ANNUAL_REPORT = "husbanken/husbanken_arsrapport_nokkeltall_2021_2025.csv"  # used only as a check
OSLO_RESIDUAL = "0301"  # Husbanken's near-empty residual row in the district file, not Oslo's total

GROUPS = [
    ("alle", "Alle husstander"),
    ("eldre", "Eldre"),
    ("midlertidige_trygdeytelser", "Husstander med midlertidige trygdeytelser"),
    ("uten_trygdeytelser", "Husstander uten trygdeytelser"),
    ("ufore_ovrig", "Uføre forøvrig"),
    ("unge_ufore", "Unge uføre"),
]
GROUP_OF_LABEL = {label: code for code, label in GROUPS}
MEASURES = [
    ("husstander", "Husstander med utbetalt bostøtte (gjennomsnitt per måned)", Unit("husstander", 1)),
    ("soknader", "Søknader om bostøtte", Unit("søknader", 0)),
    ("avslag", "Avslag på søknad om bostøtte", Unit("avslag", 0)),
    ("utbetalt", "Utbetalt bostøtte", Unit("kroner", 0)),
]
COUNT_COLUMNS = (
    "ant_husstander_utbetaling",
    "ant_husstander_termin",
    "ant_soknader",
    "ant_avslag",
    "utbetalt_belop",
)
SUPPRESSION_SYMBOLS = ("", ":")


@dataclass
class Series:
    """One monthly series: (year, month) -> counts (None where Husbanken suppressed the cell)."""

    file: str
    months: dict[tuple[int, int], dict[str, int | None]] = field(default_factory=dict)


def write_husbanken(workspace: Workspace, names: RegionNames) -> list[InputFile]:
    series: dict[tuple[str, str], Series] = {}
    _read_file(workspace, NATIONAL, series, region="0")
    _read_file(workspace, NATIONAL_GROUPS, series, region="0", grouped=True)
    _read_file(workspace, OSLO, series, region="0301")
    _read_file(workspace, OSLO_GROUPS, series, region="0301", grouped=True)
    residual_rows = _read_districts(workspace, names, series)
    years = sorted({year for s in series.values() for year, _ in s.months})
    first = min(min(s.months) for s in series.values())
    last = max(max(s.months) for s in series.values())
    regions = ["0", "0301", *sorted({region for region, _ in series if len(region) == 6})]
    builder = CubeBuilder(
        (
            dimension("Region", "region", [(code, names.label(code)) for code in regions], role="geo"),
            dimension("Brukergruppe", "brukergruppe", GROUPS),
            dimension(
                "ContentsCode",
                "statistikkvariabel",
                [(c, label) for c, label, _ in MEASURES],
                role="metric",
                units={c: unit for c, _, unit in MEASURES},
            ),
            year_dimension(years),
        )
    )
    for (region, group), one in sorted(series.items()):
        _check_edges(one, first, last)
        for year in years:
            for measure, value, status, flags in _annual(one, year, first, last):
                builder.set((region, group, measure, str(year)), value, status, flags)
    builder.fill_unset(Status.MISSING)
    notes = [*_notes(first, last, residual_rows), _annual_report_check(workspace, builder, years)]
    cube = builder.build(
        label="Bostøtte: husstander med utbetaling, søknader, avslag og utbetalt beløp etter brukergruppe",
        source="Husbanken, statistikkbanken (statistikk.husbanken.no/bostotte)",
        notes=notes,
    )
    path = "husbanken/bostotte_2010_2026.json"
    write_cube(workspace, path, cube)
    return [
        Described(
            dataset="husbanken:bostotte",
            publisher="Husbanken",
            title="Bostøtte per år: Norge, Oslo og bydelene i Oslo, etter brukergruppe, 2010-2026",
            fetched_at="2026-08-04T00:00:00Z",
            source_url="https://statistikk.husbanken.no/bostotte",
            licence="none stated (Torcode/bostotte-oslo); public statistics, cite Husbanken",
            provenance=(
                "Torcode/bostotte-oslo, data/raw/husbanken_bostotte_{nasjonalt,oslo}_{manedlig,brukergruppe_"
                "manedlig}.csv and data/raw/husbanken_bostotte_oslo_bydel_manedlig.csv, commit "
                "d0d1a406567c166f45b0cf136147f11b429fdbe7 (extracted 2026-08-04 from Husbanken's "
                "statistikkbank, per the repository's "
                "data/docs/datakilder.md; fetched_at gives that date, the time of day is unknown; "
                "the repository is a private learning project); shared/data/"
                + NATIONAL
                + ", "
                + NATIONAL_GROUPS
                + ", "
                + OSLO
                + ", "
                + OSLO_GROUPS
                + ", "
                + DISTRICTS
                + ". Monthly values aggregated to calendar "
                "years as described in the notes; districts 0311-0325 mapped by name to 030101-030115; "
                "brukergruppe recoded to short codes."
            ),
            notes=notes,
        ).entry(path, "jsonstat")
    ]


def _parse_month(
    problems: Unexpected, line: int, row: dict[str, str]
) -> tuple[tuple[int, int], dict[str, int | None]] | None:
    try:
        year, month = parse_count(row["aar"]), parse_count(row["manedsnr"])
    except ValueError as exc:
        problems.add(str(exc), line, "aar/manedsnr")
        return None
    if not 1 <= month <= 12:
        problems.add(f"month {month} is not 1-12", line, "manedsnr")
        return None
    counts: dict[str, int | None] = {}
    for column in COUNT_COLUMNS:
        text = row[column].strip()
        if text in SUPPRESSION_SYMBOLS:
            counts[column] = None
            continue
        try:
            counts[column] = parse_count(text)
        except ValueError as exc:
            problems.add(str(exc), line, column)
    return (year, month), counts


def _read_file(
    workspace: Workspace,
    relative: str,
    series: dict[tuple[str, str], Series],
    region: str,
    grouped: bool = False,
) -> None:
    path = workspace.source(relative)
    problems = Unexpected(path)
    required = ("aar", "manedsnr", *COUNT_COLUMNS, *(("brukergruppe",) if grouped else ()))
    for line, row in csv_rows(path, required):
        group = GROUP_OF_LABEL.get(row["brukergruppe"]) if grouped else "alle"
        if group is None or (grouped and group == "alle"):
            problems.add(f"unknown brukergruppe {row.get('brukergruppe')!r}", line, "brukergruppe")
            continue
        parsed = _parse_month(problems, line, row)
        if parsed is not None:
            _add(series, (region, group), relative, parsed, problems, line)
    problems.raise_if_any()


def _read_districts(workspace: Workspace, names: RegionNames, series: dict[tuple[str, str], Series]) -> int:
    path = workspace.source(DISTRICTS)
    problems = Unexpected(path)
    residual_rows = 0
    for line, row in csv_rows(path, ("kommunenr", "bydel", "aar", "manedsnr", *COUNT_COLUMNS)):
        pseudo = row["kommunenr"]
        if pseudo == OSLO_RESIDUAL:
            residual_rows += 1
            continue
        code = names.district_code(row["bydel"])
        # Husbanken numbers the districts 0311-0325 in SSB's order 030101-030115: the name must agree.
        expected = f"0301{int(pseudo) - 310:02d}" if pseudo.isdigit() and 311 <= int(pseudo) <= 325 else None
        if code is None or code != expected:
            problems.add(f"district {pseudo} {row['bydel']!r} does not match SSB's {expected}", line, "bydel")
            continue
        parsed = _parse_month(problems, line, row)
        if parsed is not None:
            _add(series, (code, "alle"), DISTRICTS, parsed, problems, line)
    problems.raise_if_any()
    return residual_rows


def _add(
    series: dict[tuple[str, str], Series],
    key: tuple[str, str],
    file: str,
    parsed: tuple[tuple[int, int], dict[str, int | None]],
    problems: Unexpected,
    line: int,
) -> None:
    one = series.setdefault(key, Series(file))
    month, counts = parsed
    if month in one.months:
        problems.add(f"{key} {month} is given twice", line)
        return
    one.months[month] = counts


def _check_edges(one: Series, first: tuple[int, int], last: tuple[int, int]) -> None:
    """Every series covers first..last without gaps; the documented calendar-edge zeros are where expected."""
    expected = [(y, m) for y in range(first[0], last[0] + 1) for m in range(1, 13) if first <= (y, m) <= last]
    if sorted(one.months) != expected:
        raise InputError.single(one.file, f"a series does not cover {first}-{last} month by month")
    if one.months[first]["ant_husstander_utbetaling"] != 0 or one.months[last]["ant_husstander_termin"] != 0:
        raise InputError.single(
            one.file,
            "expected the calendar-edge zeros: utbetaling 0 in the first month, termin 0 in the last",
        )


def _annual(
    one: Series, year: int, first: tuple[int, int], last: tuple[int, int]
) -> list[tuple[str, float | None, Status, Sequence[str]]]:
    """(measure, value, status, flags) for one year of one series."""
    # Payment-month measures leave out the first month (nothing paid yet: the term before it is not in the
    # extract); term-month measures leave out the last month (its term is not processed yet).
    by_payment = [c for (y, m), c in one.months.items() if y == year and (y, m) != first]
    by_term = [c for (y, m), c in one.months.items() if y == year and (y, m) != last]
    partial = year == last[0] and last[1] < 12
    results: list[tuple[str, float | None, Status, Sequence[str]]] = []
    for measure, months, column, how in (
        ("husstander", by_payment, "ant_husstander_utbetaling", "mean"),
        ("soknader", by_term, "ant_soknader", "sum"),
        ("avslag", by_term, "ant_avslag", "sum"),
        ("utbetalt", by_payment, "utbetalt_belop", "sum"),
    ):
        values = [m[column] for m in months]
        flags = [Flag.PARTIAL_YEAR.value] if partial or (measure == "utbetalt" and year == first[0]) else []
        if not values:
            results.append((measure, None, Status.MISSING, flags))
        elif any(v is None for v in values):
            results.append((measure, None, Status.CONFIDENTIAL, flags))
        else:
            counted = [v for v in values if v is not None]
            total = sum(counted)
            value = round(total / len(counted), 1) if how == "mean" else total
            results.append((measure, value, Status.OK, flags))
    return results


def _notes(first: tuple[int, int], last: tuple[int, int], residual_rows: int) -> list[str]:
    start = f"{first[0]}-{first[1]:02d}"
    end = f"{last[0]}-{last[1]:02d}"
    return [
        f"Aggregated from Husbanken's monthly series ({start} to {end}) to calendar years. husstander = the "
        "mean "
        "over the year's payment months of ant_husstander_utbetaling (households paid bostøtte, by payment "
        f"month), rounded to 1 decimal, leaving out {start}, whose 0 is a calendar-edge artefact (the term "
        "paid that month is not in the extract); utbetalt = the sum of utbetalt_belop (NOK) over the payment "
        "months; soknader and avslag = the sums of ant_soknader and ant_avslag over the term months, leaving "
        f"out {end}, whose term is not processed yet (its 0 is an artefact).",
        f"{first[0]}: husstander is the mean of {12 - first[1]} payment months ({_month_name(first[1] + 1)}-"
        f"December) and utbetalt the sum of the same months, so utbetalt {first[0]} is not a full year (flag "
        "partial_year).",
        f"{last[0]} is a partial year (extract of 2026-08-04; flag partial_year on every cell): husstander "
        "and "
        f"utbetalt cover payment months January-{_month_name(last[1])}, soknader and avslag term months "
        f"January-{_month_name(last[1] - 1)}.",
        "Districts: Husbanken's pseudo municipality numbers 0311 Gamle Oslo ... 0325 Søndre Nordstrand, "
        "matched by name to SSB's 030101 ... 030115 (the order agrees). Only 'alle' is available for "
        f"districts: the other user groups have status '..'. Husbanken's residual 0301 row ({residual_rows} "
        "months with 0-3 households) is left out: the districts plus that residual equal Oslo's series, "
        "which "
        "is used for Oslo (0301).",
        "No cell of this extract is suppressed: small counts (1-3) occur and there are no blanks or symbols, "
        "so "
        "no ':' status was needed (a suppressed month would make its year ':'). Figures can be revised by "
        "Husbanken (daily reload).",
    ]


def _month_name(month: int) -> str:
    return ENGLISH_MONTHS[month - 1]


def _annual_report_check(workspace: Workspace, builder: CubeBuilder, years: Sequence[int]) -> str:
    """Norway's utbetalt against the national figures of Husbanken's annual report (a plausibility check)."""
    path = workspace.source(ANNUAL_REPORT)
    pairs = []
    for line, row in csv_rows(path, ("aar", "utbetalt_bostotte_mill")):
        year = parse_count(row["aar"])
        if year not in years:
            continue
        ours = builder.values[builder.flat(("0", "alle", "utbetalt", str(year)))]
        if ours is None:
            raise InputError.single(str(path), f"no national utbetalt for {year}", line=line)
        pairs.append(f"{year}: {ours / 1e6:,.0f} vs {parse_count(row['utbetalt_bostotte_mill']):,}".replace(",", " "))
    return (
        "Check: utbetalt for Norway (NOK million) against Husbanken's annual report 2025, table 3.1, as "
        "hand-copied in the source repository (" + "; ".join(pairs) + "); the monthly extract gives up to "
        "a few per cent less than the report in later years."
    )
