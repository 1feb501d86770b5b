"""Peer groups of municipalities: size groups, KOSTRA groups (KLASS 112), centrality (KLASS 128) and
economic regions, as dated attributes of a region."""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from boligmonitor.core.errors import InputError, InputProblem
from boligmonitor.core.regions import normalise_region_code, region_level


class SizeGroup(StrEnum):
    """Municipality size by population (the bands used across the monitor's peer comparisons)."""

    SMALL = "small"
    MEDIUM = "medium"
    LARGE = "large"

    @property
    def labels(self) -> Mapping[str, str]:
        return _SIZE_LABELS[self]

    @property
    def label(self) -> str:
        return _SIZE_LABELS[self]["nb"]


_SIZE_LABELS: dict[SizeGroup, dict[str, str]] = {
    SizeGroup.SMALL: {"nb": "under 5 000", "nn": "under 5 000", "en": "under 5,000"},
    SizeGroup.MEDIUM: {"nb": "5 000–19 999", "nn": "5 000–19 999", "en": "5,000–19,999"},
    SizeGroup.LARGE: {"nb": "20 000 og flere", "nn": "20 000 og fleire", "en": "20,000 or more"},
}

SMALL_BELOW = 5_000
LARGE_FROM = 20_000


def size_group(population: float | None) -> SizeGroup | None:
    """The size group of a population count; None when the population is missing."""
    if population is None or math.isnan(population):
        return None
    if population < 0:
        raise ValueError(f"population cannot be negative: {population}")
    if population < SMALL_BELOW:
        return SizeGroup.SMALL
    if population < LARGE_FROM:
        return SizeGroup.MEDIUM
    return SizeGroup.LARGE


# --------------------------------------------------------------------------------------------------------
# KOSTRA groups


@dataclass(frozen=True, slots=True)
class KostraGroup:
    """One of SSB's 17 KOSTRA groups (2020 grouping: population, bound costs, free disposable income)."""

    code: str  # EKG01 … EKG17
    number: int
    label: str  # as published, e.g. "KOSTRA-gruppe 1"
    population_band: str
    bound_costs: str
    free_disposable_income: str
    municipality_count: int | None

    @property
    def description(self) -> str:
        parts = [f"folkemengde {self.population_band}"]
        if self.bound_costs:
            parts.append(f"bundne kostnader {self.bound_costs.lower()}")
        if self.free_disposable_income:
            parts.append(f"frie disponible inntekter {self.free_disposable_income.lower()}")
        return f"{self.label}: " + ", ".join(parts)


_GROUP_NUMBER = re.compile(r"(\d{1,2})\s*$")
_KOSTRA_COLUMNS = (
    "kostragruppe",
    "folkemengde",
    "bundekostnader",
    "frie_disponible_inntekter",
    "antall_kommuner",
)


def kostra_groups_from_rows(
    rows: Iterable[Mapping[str, str | None]], file: str = "<KOSTRA groups>"
) -> list[KostraGroup]:
    """Read KOSTRA group descriptions (columns kostragruppe, folkemengde, bundekostnader,
    frie_disponible_inntekter, antall_kommuner), sorted by number."""
    problems: list[InputProblem] = []
    groups: dict[int, KostraGroup] = {}
    for index, row in enumerate(rows):
        line = index + 2
        missing = [c for c in _KOSTRA_COLUMNS if c not in row]
        if missing:
            problems.append(InputProblem(file, f"missing columns: {', '.join(missing)}", line=line))
            continue
        label = (row["kostragruppe"] or "").strip()
        match = _GROUP_NUMBER.search(label)
        if match is None or not 1 <= int(match.group(1)) <= 99:
            problems.append(InputProblem(file, f"{label!r} has no group number", line=line, field="kostragruppe"))
            continue
        number = int(match.group(1))
        count_text = (row["antall_kommuner"] or "").strip().replace(" ", "")
        if count_text and not count_text.isdigit():
            problems.append(InputProblem(file, f"{count_text!r} is not a count", line=line, field="antall_kommuner"))
            continue
        if number in groups:
            problems.append(InputProblem(file, f"group {number} is listed twice", line=line, field="kostragruppe"))
            continue
        groups[number] = KostraGroup(
            code=f"EKG{number:02d}",
            number=number,
            label=label,
            population_band=(row["folkemengde"] or "").strip(),
            bound_costs=(row["bundekostnader"] or "").strip(),
            free_disposable_income=(row["frie_disponible_inntekter"] or "").strip(),
            municipality_count=int(count_text) if count_text else None,
        )
    if problems:
        raise InputError(problems)
    return [groups[n] for n in sorted(groups)]


# --------------------------------------------------------------------------------------------------------
# Dated attributes of regions


class Attribute(StrEnum):
    KOSTRA_GROUP = "kostra_group"  # EKG01 … EKG17 (KLASS 112)
    CENTRALITY = "centrality"  # SSB sentralitetsindeks class 1 (most central) … 6 (KLASS 128)
    ECONOMIC_REGION = "economic_region"  # SSB økonomisk region, e.g. 11001


@dataclass(frozen=True, slots=True)
class AttributeValue:
    value: str
    year: int  # the year the assignment was published for
    source: str


_ROW_COLUMNS = ("region", "attribute", "year", "value", "source")


class RegionAttributes:
    """Which KOSTRA group, centrality class and economic region each region belongs to, by year.

    A lookup for a year uses the latest assignment published for that year or earlier.
    """

    def __init__(self, entries: Mapping[tuple[str, Attribute], Mapping[int, AttributeValue]]) -> None:
        self._entries = {key: dict(sorted(years.items())) for key, years in entries.items()}

    @classmethod
    def from_rows(cls, rows: Iterable[Mapping[str, str | None]], file: str = "<region attributes>") -> RegionAttributes:
        """Read rows {region, attribute, year, value, source}; raises InputError naming every bad row."""
        problems: list[InputProblem] = []
        entries: dict[tuple[str, Attribute], dict[int, AttributeValue]] = defaultdict(dict)
        for index, row in enumerate(rows):
            line = index + 2
            cells = {key: (value or "").strip() for key, value in row.items()}
            missing = [c for c in _ROW_COLUMNS if c != "source" and not cells.get(c)]
            if missing:
                problems.extend(InputProblem(file, "value is missing", line=line, field=c) for c in missing)
                continue
            region = normalise_region_code(cells["region"])
            if region_level(region) is None:
                problems.append(InputProblem(file, f"{cells['region']!r} is not a region code", line, "region"))
                continue
            try:
                attribute = Attribute(cells["attribute"])
            except ValueError:
                allowed = ", ".join(a.value for a in Attribute)
                problems.append(
                    InputProblem(file, f"unknown attribute {cells['attribute']!r} (use {allowed})", line, "attribute")
                )
                continue
            year_text = cells["year"]
            if not year_text.isdigit():
                problems.append(InputProblem(file, f"{year_text!r} is not a year", line, "year"))
                continue
            value, problem = _normalise_value(attribute, cells["value"])
            if problem:
                problems.append(InputProblem(file, problem, line, "value"))
                continue
            year = int(year_text)
            earlier = entries[(region, attribute)].get(year)
            if earlier is not None and earlier.value != value:
                problems.append(
                    InputProblem(
                        file,
                        f"{region} {attribute.value} {year} is given twice ({earlier.value!r} and {value!r})",
                        line,
                        "value",
                    )
                )
                continue
            entries[(region, attribute)][year] = AttributeValue(value, year, cells.get("source", ""))
        if problems:
            raise InputError(problems)
        return cls(entries)

    def entry(self, region: str, attribute: str, year: int) -> AttributeValue | None:
        """The assignment valid in ``year``: the latest one published for that year or earlier."""
        years = self._entries.get((normalise_region_code(region), Attribute(attribute)))
        if not years:
            return None
        found: AttributeValue | None = None
        for published_year, entry in years.items():
            if published_year > year:
                break
            found = entry
        return found

    def value(self, region: str, attribute: str, year: int) -> str | None:
        entry = self.entry(region, attribute, year)
        return entry.value if entry else None

    def members(self, attribute: str, value: str, year: int) -> list[str]:
        """The regions whose ``attribute`` in ``year`` is ``value``, sorted by code."""
        wanted_attribute = Attribute(attribute)
        wanted, _ = _normalise_value(wanted_attribute, value)
        return sorted(
            region
            for (region, attr) in self._entries
            if attr is wanted_attribute and self.value(region, attr, year) == wanted
        )

    def regions(self) -> list[str]:
        return sorted({region for region, _ in self._entries})


_KOSTRA_VALUE = re.compile(r"^(?:EKG|KOSTRA-gruppe\s*)?(\d{1,2})$", re.IGNORECASE)


def _normalise_value(attribute: Attribute, text: str) -> tuple[str, str | None]:
    """The canonical form of an attribute value, or a problem message."""
    if attribute is Attribute.KOSTRA_GROUP:
        match = _KOSTRA_VALUE.match(text)
        if match is None or not 1 <= int(match.group(1)) <= 99:
            return text, f"{text!r} is not a KOSTRA group (EKG01 … EKG17)"
        return f"EKG{int(match.group(1)):02d}", None
    if attribute is Attribute.CENTRALITY:
        if not text.isdigit() or not 1 <= int(text) <= 6:
            return text, f"{text!r} is not a centrality class (1 … 6)"
        return str(int(text)), None
    if not text.isdigit():
        return text, f"{text!r} is not an economic region code (digits)"
    return text, None
