"""Registry CSV files about regions: attributes (KOSTRA group, centrality, ...) and split weights.

``region,attribute,year,value,source``: one attribute of one municipality in one year.
``old_code,new_code,valid_until_year,weight,source``: the share of a split region's data that goes to each
successor, for data up to and including ``valid_until_year``.

Both are checked as files here (columns, code shapes, values, sums); whether a code exists in the region
register is checked later by the pipeline, with the line numbers kept on each record.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from boligmonitor.core.errors import InputError
from boligmonitor.core.regions import RegionLevel
from boligmonitor.sources.readers.checked_csv import (
    FieldChecker,
    ProblemCollector,
    check_header,
    number_from_cell,
    parse_region,
    parse_year,
    read_csv_table,
    text_from_cell,
)
from boligmonitor.sources.readers.limits import printable_path

ATTRIBUTE_COLUMNS: tuple[str, ...] = ("region", "attribute", "year", "value", "source")
SPLIT_WEIGHT_COLUMNS: tuple[str, ...] = ("old_code", "new_code", "valid_until_year", "weight", "source")
EXTRA_COLUMN_PREFIX = "x_"

# Weights of one split must add up to 1 within rounding of a decimal written with ~15 significant digits.
WEIGHT_SUM_TOLERANCE = 1e-9

_SPLIT_LEVELS = (RegionLevel.COUNTY, RegionLevel.MUNICIPALITY, RegionLevel.DISTRICT)


@dataclass(frozen=True)
class RegionAttribute:
    line: int
    region: str  # canonical municipality code
    attribute: str
    year: int
    value: str  # canonical per attribute: EKG01…EKG17, "1"…"6", or the economic region code
    source: str | None


@dataclass(frozen=True)
class SplitWeight:
    line: int
    old_code: str  # canonical
    new_code: str  # canonical, same level as old_code
    valid_until_year: int  # the weight applies to data for this year and earlier
    weight: float  # 0 < weight ≤ 1; the weights of one old_code and valid_until_year sum to 1
    source: str | None


# --- attribute values --------------------------------------------------------------------------------------


def _kostra_group(text: str) -> str:
    match = re.fullmatch(r"EKG(\d{2})", text)
    if not match or not 1 <= int(match.group(1)) <= 17:
        raise ValueError(f"{text!r} is not a KOSTRA group: expected EKG01 … EKG17")
    return text


def _centrality(text: str) -> str:
    if not re.fullmatch(r"0?[1-6]", text):
        raise ValueError(f"{text!r} is not a centrality class: expected 1 … 6")
    return str(int(text))


def _economic_region(text: str) -> str:
    if not re.fullmatch(r"\d{4,5}", text):
        raise ValueError(f"{text!r} is not an economic region code: expected 4 or 5 digits as SSB writes them")
    return text


ATTRIBUTE_VALUE_PARSERS: Mapping[str, Callable[[str], str]] = {
    "kostra_group": _kostra_group,
    "centrality": _centrality,
    "economic_region": _economic_region,
}


def read_region_attributes(path: Path) -> list[RegionAttribute]:
    """Read ``region,attribute,year,value,source`` (UTF-8, ',' or ';'); InputError lists every problem."""
    problems = ProblemCollector(printable_path(path))
    records: list[RegionAttribute] = []
    first_line_of: dict[tuple[str, str, int], int] = {}
    for line, cells in _csv_rows(path, ATTRIBUTE_COLUMNS, problems):
        check = FieldChecker(line, cells, problems)
        region = check.convert("region", _municipality, "")
        attribute = check.convert("attribute", _attribute, "")
        year = check.convert("year", parse_year, 0)
        value = text_from_cell(cells.get("value"))
        if not value:
            check.fail("value", "the value is missing")
        elif attribute:
            try:
                value = ATTRIBUTE_VALUE_PARSERS[attribute](value)
            except ValueError as exc:
                check.fail("value", str(exc))
        if not check.ok:
            continue
        first = first_line_of.setdefault((region, attribute, year), line)
        if first != line:
            message = f"{attribute} of {region} in {year} is given twice: lines {first} and {line}"
            problems.add(message, line=line, field="region, attribute, year")
            continue
        source = text_from_cell(cells.get("source")) or None
        records.append(RegionAttribute(line, region, attribute, year, value, source))
    problems.raise_if_any()
    _require_rows(path, records)
    return records


def read_split_weights(path: Path) -> list[SplitWeight]:
    """Read ``old_code,new_code,valid_until_year,weight,source``; weights of a split must sum to 1."""
    problems = ProblemCollector(printable_path(path))
    weights: list[SplitWeight] = []
    first_line_of: dict[tuple[str, str, int], int] = {}
    for line, cells in _csv_rows(path, SPLIT_WEIGHT_COLUMNS, problems):
        check = FieldChecker(line, cells, problems)
        old_code = check.convert("old_code", _split_region, "")
        new_code = check.convert("new_code", _split_region, "")
        until = check.convert("valid_until_year", parse_year, 0)
        weight = check.convert("weight", _weight, 0.0)
        if old_code and new_code and len(old_code) != len(new_code):
            check.fail("new_code", f"{new_code} is not at the same level as {old_code}")
        if not check.ok:
            continue
        first = first_line_of.setdefault((old_code, new_code, until), line)
        if first != line:
            message = f"weight {old_code} → {new_code} up to {until} is given twice: lines {first} and {line}"
            problems.add(message, line=line, field="old_code, new_code, valid_until_year")
            continue
        source = text_from_cell(cells.get("source")) or None
        weights.append(SplitWeight(line, old_code, new_code, until, weight, source))
    _check_sums(weights, problems)
    problems.raise_if_any()
    _require_rows(path, weights)
    return weights


def _check_sums(weights: list[SplitWeight], problems: ProblemCollector) -> None:
    splits: dict[tuple[str, int], list[SplitWeight]] = defaultdict(list)
    for weight in weights:
        splits[(weight.old_code, weight.valid_until_year)].append(weight)
    for (old_code, until), parts in splits.items():
        total = sum(p.weight for p in parts)
        if abs(total - 1.0) > WEIGHT_SUM_TOLERANCE:
            lines = ", ".join(str(p.line) for p in parts)
            problems.add(
                f"the weights of {old_code} up to {until} sum to {total:.12g}, not 1 (lines {lines})",
                line=parts[0].line,
                field="weight",
            )


# --- helpers -----------------------------------------------------------------------------------------------


def _csv_rows(path: Path, columns: tuple[str, ...], problems: ProblemCollector) -> list[tuple[int, dict[str, str]]]:
    table = read_csv_table(path, problems)
    if table is None:
        problems.raise_if_any()
        return []
    required = columns[:-1]  # every column but `source`
    if not check_header(table.columns, problems, required, (columns[-1],), extra_prefix=EXTRA_COLUMN_PREFIX):
        problems.raise_if_any()
    return list(table.rows())


def _require_rows(path: Path, records: list[RegionAttribute] | list[SplitWeight]) -> None:
    if not records:
        raise InputError.single(printable_path(path), "no data rows: the file has a header but nothing else", line=2)


def _municipality(cell: object) -> str:
    return parse_region(cell, (RegionLevel.MUNICIPALITY,))


def _split_region(cell: object) -> str:
    return parse_region(cell, _SPLIT_LEVELS)


def _attribute(cell: object) -> str:
    name = text_from_cell(cell)
    if name not in ATTRIBUTE_VALUE_PARSERS:
        known = ", ".join(ATTRIBUTE_VALUE_PARSERS)
        raise ValueError(f"unknown attribute {name!r}: expected one of {known}")
    return name


def _weight(cell: object) -> float:
    weight = number_from_cell(cell)
    if weight is None:
        raise ValueError("the weight is missing")
    if not 0 < weight <= 1:
        raise ValueError(f"weight {weight:g} is outside (0, 1]")
    return weight
