"""From fetched hypercubes to one :class:`~boligmonitor.sources.cube.Cube` per dataset (pure, no network).

Each cube has the dimensions Region, the dataset's own dimensions (Brukergruppe for bostøtte), ContentsCode and Tid,
as the development adapter writes ``husbanken:bostotte``, so the catalogue's recipes read either. What happens to the
rows (husbanken-qlik.md §6):

- the null-year bucket "-" is left out; a "-" row with a non-zero value is reported, never dropped silently;
- years before the definition's ``first_year`` (zeros before the app's data begin) are left out, likewise reported
  when not zero;
- regions follow :mod:`.regions`: Oslo's districts become SSB's ``0301xx``, Oslo is the sum of every Oslo code and is
  built only when all 15 districts are in the cube, Svalbard's all-zero pseudo-codes are left out (reported when not
  zero), codes that are not 4 digits are left out and listed as problems, and municipality codes outside
  ``current_municipality_codes`` are kept as published and listed, for the build's recoding and harmonisation;
- a month-grain measure becomes a year the way the adapter aggregates Husbanken's monthly series: payment measures
  (households paid: monthly mean; amount paid: sum) leave out the first month of the data, whose zero is an
  artefact; term measures (applications, refusals: sums) leave out the last month, whose term is not processed yet;
  months from the reload month on are incomplete and left out. A year with fewer months than it should have is
  flagged ``partial_year``.

A (region, year) without any row has no records in the app: its cells are missing (``..``), never zero. Within a year
that has rows, a month without a row has no records that month and counts as zero (qSuppressMissing drops empty
combinations, §6.8).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from boligmonitor.core.flags import Flag
from boligmonitor.core.status import Status
from boligmonitor.sources.connectors.husbanken import regions
from boligmonitor.sources.connectors.husbanken.definitions import (
    NORWAY_CODE,
    Annual,
    Contents,
    CubeDefinition,
    Dataset,
    Definitions,
    Role,
)
from boligmonitor.sources.connectors.husbanken.errors import QlikResponseError
from boligmonitor.sources.connectors.husbanken.parse import CubeRow, HypercubeData, parse_rows
from boligmonitor.sources.cube import Cube, Dimension, Unit

Month = tuple[int, int]
_PAYMENT = frozenset({Annual.MEAN_OF_PAYMENT_MONTHS, Annual.SUM_OF_PAYMENT_MONTHS})

SMALL_NUMBERS_NOTE = (
    "Custom hypercubes bypass Husbanken's own suppression of cells below 4 households (vGrenseverdiPrikking, "
    "husbanken-qlik.md §6.6): small counts come through as they are and must pass the monitor's small-number rule "
    "before they are published."
)
MISSING_NOTE = (
    "A region and year without any row in the hypercube has no records in the app and is missing ('..'), not zero. "
    "Within a year that has rows, a month without a row has no records that month and counts as zero."
)


@dataclass(frozen=True)
class BuiltCubes:
    cubes: dict[str, Cube]  # dataset key -> cube
    warnings: tuple[str, ...]  # values left out that were not zero, incomplete Oslo, …
    problems: tuple[str, ...]  # rows or codes that could not be placed: named, never dropped silently
    unlisted_codes: dict[str, tuple[int, ...]]  # codes outside current_municipality_codes -> years with values


@dataclass
class _Cell:
    value: float | None
    status: Status
    flags: tuple[str, ...]
    definition: str


@dataclass
class _Dataset:
    dataset: Dataset
    cells: dict[tuple[str, tuple[str, ...], str, int], _Cell] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    definitions: list[str] = field(default_factory=list)
    synthetic: list[str] = field(default_factory=list)

    def set(self, key: tuple[str, tuple[str, ...], str, int], cell: _Cell) -> None:
        if key in self.cells:
            other = self.cells[key].definition
            raise QlikResponseError(
                f"{self.dataset.key}: definitions {other} and {cell.definition} both give region {key[0]}, "
                f"{'/'.join(key[1]) or '-'}, {key[2]}, {key[3]}: the definitions overlap"
            )
        self.cells[key] = cell


@dataclass
class _Report:
    warnings: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    unlisted: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))


def build_cubes(
    definitions: Definitions,
    fetched: Mapping[str, HypercubeData],
    *,
    vintage: datetime | None = None,
    vintage_text: str | None = None,
    current_municipality_codes: Collection[str] | None = None,
) -> BuiltCubes:
    """One cube per dataset from the hypercubes in ``fetched`` (definition id -> data), in definitions order.

    ``vintage`` is the app's last reload (``qLastReloadTime``): it decides which year and months are incomplete.
    ``current_municipality_codes`` (e.g. the region register's) lists the codes that need no recoding.
    """
    report = _Report()
    accumulators: dict[str, _Dataset] = {}
    current = frozenset(current_municipality_codes) if current_municipality_codes is not None else None
    for definition in definitions.cubes:
        data = fetched.get(definition.id)
        if data is None:
            continue
        dataset = definitions.dataset(definition.dataset)
        accumulator = accumulators.setdefault(dataset.key, _Dataset(dataset))
        _contribute(definition, dataset, data, accumulator, report, vintage, current)
    source = f"Husbanken, Statistikkbank (Qlik app {definitions.app.id}); {definitions.app.attribution}"
    cubes = {key: _cube(acc, source, vintage_text) for key, acc in accumulators.items() if acc.cells}
    for key, acc in accumulators.items():
        if not acc.cells:
            report.warnings.append(f"{key}: the fetched hypercubes gave no value")
    unlisted = {code: tuple(sorted(years)) for code, years in sorted(report.unlisted.items())}
    if unlisted:
        listed = ", ".join(f"{code} ({_years_text(years)})" for code, years in unlisted.items())
        report.problems.append(
            f"{len(unlisted)} KommuneNr codes are not current municipality codes; kept as published for the build's "
            f"recoding and harmonisation (check that an old code and its successor do not both count the same "
            f"households in one year): {listed}"
        )
    return BuiltCubes(cubes, tuple(report.warnings), tuple(report.problems), unlisted)


def _years_text(years: Sequence[int]) -> str:
    if not years:
        return "no values"
    return str(years[0]) if len(years) == 1 else f"{years[0]}–{years[-1]}"


# -------------------------------------------------------------------------------------------- one definition


def _contribute(
    definition: CubeDefinition,
    dataset: Dataset,
    data: HypercubeData,
    accumulator: _Dataset,
    report: _Report,
    vintage: datetime | None,
    current: frozenset[str] | None,
) -> None:
    parsed = parse_rows(definition, dataset, data)
    report.problems.extend(parsed.problems)
    rows = _drop_out_of_range(definition, parsed.rows, report, accumulator)
    buckets = _regional_buckets(definition, rows, report, accumulator, current)
    category_order = _category_order(definition, dataset)
    if definition.has_month:
        annual = _annual_from_months(definition, buckets, vintage, accumulator)
    else:
        annual = _annual_from_years(buckets, vintage)
    for (region, categories, year), per_measure in annual.items():
        full_categories = category_order(categories)
        for measure, (value, status, flags) in zip(definition.measures, per_measure, strict=True):
            cell = _Cell(value, status, flags, definition.id)
            accumulator.set((region, full_categories, measure.contents_code, year), cell)
    accumulator.definitions.append(definition.id)
    if data.synthetic:
        accumulator.synthetic.append(f"{definition.id}: {data.synthetic}")
    state = "confirmed" if definition.confirmed else "NOT CONFIRMED (placeholder names, see to_confirm)"
    accumulator.notes.append(
        f"Hypercube {definition.id} ({state}): {definition.title}. Evidence: {definition.evidence}"
    )


def _drop_out_of_range(
    definition: CubeDefinition, rows: Iterable[CubeRow], report: _Report, accumulator: _Dataset
) -> list[CubeRow]:
    kept: list[CubeRow] = []
    null_rows = early_rows = 0
    null_values: list[str] = []
    early_values: list[str] = []
    for row in rows:
        if row.in_null_bucket or (definition.has_month and row.month is None):
            null_rows += 1
            if row.non_zero:
                null_values.append(f"{_where(row)}: {_values(definition, row)}")
            continue
        if row.year is not None and row.year < definition.first_year:
            early_rows += 1
            if row.non_zero:
                early_values.append(f"{_where(row)}: {_values(definition, row)}")
            continue
        kept.append(row)
    if null_values:
        report.warnings.append(
            f"{definition.id}: rows without a year or month ('-') have values; left out, as the app gives them no "
            f"period: {_listed(null_values)}"
        )
    if early_values:
        report.warnings.append(
            f"{definition.id}: rows before the first year of data ({definition.first_year}) have values; left out: "
            f"{_listed(early_values)}"
        )
    if null_rows or early_rows:
        accumulator.notes.append(
            f"{definition.id}: left out {null_rows} rows of the null period '-' and {early_rows} rows before "
            f"{definition.first_year} (years before the app's data; their zeros are not real zeros); any of them "
            "with a value other than zero is listed in the fetch's warnings."
        )
    return kept


def _listed(items: Sequence[str], limit: int = 5) -> str:
    """The first ``limit`` items and how many more: a warning must name the rows but stay readable."""
    shown = "; ".join(items[:limit])
    return shown + (f"; and {len(items) - limit} more rows" if len(items) > limit else "")


def _values(definition: CubeDefinition, row: CubeRow) -> str:
    return ", ".join(f"{m.label}={_number(v)}" for m, v in zip(definition.measures, row.values, strict=False))


def _number(value: float | None) -> str:
    if value is None:
        return "none"
    return str(int(value)) if value.is_integer() else str(value)


def _where(row: CubeRow) -> str:
    parts = [f"KommuneNr {row.region}"] if row.region is not None else []
    parts += list(row.categories)
    if row.year is not None:
        parts.append(str(row.year) if row.month is None else f"{row.year}-{row.month:02d}")
    parts.append(f"row {row.line}")
    return ", ".join(parts)


# ------------------------------------------------------------------------------------------------- regions

# (monitor region, category codes of the fields, year, month or 0) -> one summed value per measure
Buckets = dict[tuple[str, tuple[str, ...], int, int], list[float | None]]


def _regional_buckets(
    definition: CubeDefinition,
    rows: Sequence[CubeRow],
    report: _Report,
    accumulator: _Dataset,
    current: frozenset[str] | None,
) -> Buckets:
    buckets: Buckets = {}
    codes = {row.region for row in rows if row.region is not None}
    districts = {code for code in codes if regions.classify(code) is regions.CodeKind.OSLO_DISTRICT}
    oslo_codes = {code for code in codes if regions.is_oslo_code(code)}
    oslo_complete = districts == set(regions.OSLO_DISTRICTS)
    if oslo_codes and not oslo_complete:
        missing = sorted(set(regions.OSLO_DISTRICTS) - districts)
        report.warnings.append(
            f"{definition.id}: Oslo (0301) left out: the hypercube lacks Oslo's district codes {', '.join(missing)}; "
            "Husbanken's 0301 is a near-empty residual and never Oslo's total"
        )
    unknown: dict[str, int] = defaultdict(int)
    svalbard_values: list[str] = []
    old_district_values: list[str] = []
    for row in rows:
        if row.region is None:
            targets: tuple[str, ...] = (NORWAY_CODE,)
        else:
            kind = regions.classify(row.region)
            targets = regions.targets(row.region)
            if not oslo_complete:
                targets = tuple(t for t in targets if t != regions.OSLO)
            if kind is regions.CodeKind.UNKNOWN:
                unknown[row.region] += 1
            elif kind is regions.CodeKind.SVALBARD and row.non_zero:
                svalbard_values.append(f"{_where(row)}: {_values(definition, row)}")
            elif kind is regions.CodeKind.OSLO_DISCONTINUED_DISTRICT and row.non_zero:
                old_district_values.append(f"{_where(row)}: {_values(definition, row)}")
            elif kind is regions.CodeKind.MUNICIPALITY and current is not None and row.region not in current:
                if row.non_zero and row.year is not None:
                    report.unlisted[row.region].add(row.year)
                else:
                    report.unlisted.setdefault(row.region, set())
        for target in targets:
            key = (target, row.categories, row.year or 0, row.month or 0)
            _add(buckets, key, row.values)
    for code, count in sorted(unknown.items()):
        report.problems.append(f"{definition.id}: KommuneNr {code!r} is not a 4-digit code; {count} rows left out")
    if svalbard_values:
        report.warnings.append(
            f"{definition.id}: Svalbard's pseudo-codes, all zero so far (§6.2), have values; left out: "
            + _listed(svalbard_values)
        )
    if old_district_values:
        report.warnings.append(
            f"{definition.id}: 0326 Uranienborg-Majorstua (discontinued) has values; counted in Oslo only: "
            + _listed(old_district_values)
        )
    if oslo_complete:
        accumulator.notes.append(
            f"{definition.id}: Oslo's districts, Husbanken's KommuneNr 0311-0325, are SSB's 030101-030115 in the same "
            "order; Oslo (0301) is the sum of every Oslo code: the 15 districts, 0326 (Uranienborg-Majorstua, "
            "discontinued) and Husbanken's residual 0301 (households without a district). That is Husbanken's own "
            "Oslo total (Fylke = Oslo); the residual alone is never used as Oslo."
        )
    if any(regions.classify(code) is regions.CodeKind.SVALBARD for code in codes):
        accumulator.notes.append(
            f"{definition.id}: Husbanken's Svalbard pseudo-codes 2100 and 2111 are left out (no bostøtte is paid on "
            "Svalbard; their rows are zero)."
        )
    return buckets


def _add(buckets: Buckets, key: tuple[str, tuple[str, ...], int, int], values: Sequence[float | None]) -> None:
    total = buckets.get(key)
    if total is None:
        buckets[key] = list(values)
        return
    for index, value in enumerate(values):
        current = total[index]
        total[index] = None if current is None or value is None else current + value


def _category_order(definition: CubeDefinition, dataset: Dataset) -> _CategoryOrder:
    return _CategoryOrder(
        [f.dimension for f in definition.fields if f.role is Role.CATEGORY and f.dimension is not None],
        [d.id for d in dataset.dimensions],
        dict(definition.fixed),
    )


@dataclass(frozen=True)
class _CategoryOrder:
    """Puts a row's category codes (field order) and the definition's fixed ones into the dataset's order."""

    from_fields: list[str]
    dataset_order: list[str]
    fixed: dict[str, str]

    def __call__(self, categories: tuple[str, ...]) -> tuple[str, ...]:
        by_dimension = dict(zip(self.from_fields, categories, strict=True)) | self.fixed
        return tuple(by_dimension[dimension] for dimension in self.dataset_order)


# -------------------------------------------------------------------------------------------------- years

Annual3 = tuple[float | None, Status, tuple[str, ...]]
AnnualCells = dict[tuple[str, tuple[str, ...], int], list[Annual3]]


def _annual_from_years(buckets: Buckets, vintage: datetime | None) -> AnnualCells:
    cells: AnnualCells = {}
    for (region, categories, year, _), values in buckets.items():
        partial = vintage is not None and year >= vintage.year
        flags = (Flag.PARTIAL_YEAR.value,) if partial else ()
        cells[(region, categories, year)] = [_cell(value, flags) for value in values]
    return cells


def _cell(value: float | None, flags: tuple[str, ...]) -> Annual3:
    return (value, Status.OK if value is not None else Status.MISSING, flags)


def _annual_from_months(
    definition: CubeDefinition, buckets: Buckets, vintage: datetime | None, accumulator: _Dataset
) -> AnnualCells:
    months = sorted({(year, month) for (_, _, year, month) in buckets})
    if not months:
        return {}
    last = months[-1]
    if vintage is not None:
        incomplete_from = (vintage.year, vintage.month)
        last = min(last, _previous(incomplete_from))
        dropped = sorted({m for m in months if m >= incomplete_from})
        if dropped:
            accumulator.notes.append(
                f"{definition.id}: months from {_month_text(incomplete_from)} on are incomplete at the app's reload "
                f"and left out ({', '.join(_month_text(m) for m in dropped)})."
            )
    first = (definition.first_year, 1)
    by_year: dict[tuple[str, tuple[str, ...], int], dict[int, list[float | None]]] = defaultdict(dict)
    for (region, categories, year, month), values in buckets.items():
        if (year, month) <= last:
            by_year[(region, categories, year)][month] = values
    cells: AnnualCells = {}
    for (region, categories, year), per_month in by_year.items():
        cells[(region, categories, year)] = [
            _annual_value(measure.annual, index, year, per_month, first, last)
            for index, measure in enumerate(definition.measures)
        ]
    accumulator.notes.append(
        f"{definition.id}: months aggregated to calendar years ({_month_text(first)} to {_month_text(last)}): "
        "households paid = the mean over the year's payment months, amounts paid = their sum, leaving out "
        f"{_month_text(first)}, whose zero is an artefact (the term paid that month is before the data); "
        f"applications and refusals = sums over the term months, leaving out {_month_text(last)}, whose term is not "
        "processed yet. A sum over fewer than 12 months, and a mean of a year not yet over, is flagged partial_year."
    )
    return cells


def _annual_value(
    kind: Annual, index: int, year: int, per_month: Mapping[int, list[float | None]], first: Month, last: Month
) -> Annual3:
    if kind in _PAYMENT:
        allowed = [m for m in range(1, 13) if first < (year, m) <= last]
    else:
        allowed = [m for m in range(1, 13) if first <= (year, m) < last]
    if not allowed:
        return (None, Status.MISSING, ())
    values = [per_month[m][index] if m in per_month else 0.0 for m in allowed]
    if any(value is None for value in values):
        return (None, Status.MISSING, ())
    total = sum(value for value in values if value is not None)
    if kind is Annual.MEAN_OF_PAYMENT_MONTHS:
        partial = allowed[-1] < 12
        return (round(total / len(allowed), 1), Status.OK, (Flag.PARTIAL_YEAR.value,) if partial else ())
    partial = len(allowed) < 12
    return (total, Status.OK, (Flag.PARTIAL_YEAR.value,) if partial else ())


def _previous(month: Month) -> Month:
    year, number = month
    return (year - 1, 12) if number == 1 else (year, number - 1)


def _month_text(month: Month) -> str:
    return f"{month[0]}-{month[1]:02d}"


# --------------------------------------------------------------------------------------------------- cube


def _region_sort_key(code: str) -> tuple[int, str]:
    return (len(code), code)


def _cube(accumulator: _Dataset, source: str, vintage_text: str | None) -> Cube:
    dataset = accumulator.dataset
    cells = accumulator.cells
    region_codes = sorted({key[0] for key in cells}, key=_region_sort_key)
    produced = {key[2] for key in cells}
    contents = [c for c in dataset.contents if c.code in produced]
    years = sorted({key[3] for key in cells})
    dimensions: list[Dimension] = [
        Dimension("Region", "region", tuple(region_codes), tuple(region_codes), role="geo"),
        *(
            Dimension(d.id, d.label, tuple(c.code for c in d.categories), tuple(c.label for c in d.categories))
            for d in dataset.dimensions
        ),
        Dimension(
            "ContentsCode",
            "statistikkvariabel",
            tuple(c.code for c in contents),
            tuple(c.label for c in contents),
            role="metric",
            units={c.code: Unit(c.unit, c.decimals) for c in contents},
        ),
        Dimension("Tid", "år", tuple(str(y) for y in years), tuple(str(y) for y in years), role="time"),
    ]
    positions = [{code: i for i, code in enumerate(d.codes)} for d in dimensions]
    strides = _strides([d.size for d in dimensions])
    size = strides[0] * dimensions[0].size if dimensions else 0
    values: list[float | None] = [None] * size
    status: dict[int, Status] = {}
    flags: dict[int, tuple[str, ...]] = {}
    filled = [False] * size
    for (region, categories, code, year), cell in cells.items():
        codes = (region, *categories, code, str(year))
        flat = sum(positions[i][c] * strides[i] for i, c in enumerate(codes))
        values[flat] = cell.value
        filled[flat] = True
        if cell.status is not Status.OK:
            status[flat] = cell.status
        if cell.flags:
            flags[flat] = cell.flags
    for flat, was_set in enumerate(filled):
        if not was_set:
            status[flat] = Status.MISSING
    notes = _notes(accumulator, vintage_text, contents)
    return Cube(
        dimensions=dimensions,
        values=values,
        status=status,
        flags=flags,
        label=dataset.label,
        source=source,
        updated=vintage_text,
        notes=notes,
        extension={
            "husbanken": {
                "definitions": list(accumulator.definitions),
                "last_reload": vintage_text,
                "synthetic": list(accumulator.synthetic),
            }
        },
    )


def _strides(sizes: Sequence[int]) -> list[int]:
    strides = [1] * len(sizes)
    for index in range(len(sizes) - 2, -1, -1):
        strides[index] = strides[index + 1] * sizes[index + 1]
    return strides


def _notes(accumulator: _Dataset, vintage_text: str | None, contents: Sequence[Contents]) -> list[str]:
    notes: list[str] = []
    if accumulator.synthetic:
        notes.append("SYNTHETIC values from a fake Qlik engine, not Husbanken's: " + "; ".join(accumulator.synthetic))
    reload = f"as reloaded at {vintage_text} (qLastReloadTime)" if vintage_text else "reload time unknown"
    notes.append(f"Husbanken's Statistikkbank {reload}; Husbanken may revise earlier figures at any nightly reload.")
    notes.extend(accumulator.notes)
    for item in accumulator.dataset.contents:
        if item in contents and item.note:
            notes.append(f"{item.code}: {item.note}")
    notes.extend([MISSING_NOTE, SMALL_NUMBERS_NOTE])
    return notes
