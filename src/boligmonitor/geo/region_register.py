"""The regions the monitor knows: Norway, counties (KLASS 104), municipalities (KLASS 131) and districts.

Built from already-parsed KLASS ``codesAt`` items (the readers in :mod:`boligmonitor.sources` parse the
files); names are KLASS's official names, including Sami and Kven forms ("Oslo - Oslove").
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any

from boligmonitor.core.errors import InputError, InputProblem, UnknownCodesError
from boligmonitor.core.regions import NORWAY, RegionLevel, normalise_region_code, region_level

# KLASS 131 lists "9999 Uoppgitt" (unspecified municipality); KLASS 104 may list "99" the same way.
UNSPECIFIED_CODES = frozenset({"9999", "99"})

COUNTRY_NAMES: Mapping[str, str] = MappingProxyType({"nb": "Norge", "nn": "Noreg", "en": "Norway"})


@dataclass(frozen=True)
class Region:
    """One region. ``parent_code`` is the county of a municipality, the municipality of a district,
    ``"0"`` for a county and None for the country."""

    code: str
    name: str
    level: RegionLevel
    parent_code: str | None
    names: Mapping[str, str] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        # Read-only, so that a shared Region cannot be changed through its names.
        object.__setattr__(self, "names", MappingProxyType(dict(self.names)))

    def name_in(self, language: str) -> str:
        """The name in ``language`` (nb, nn, en) where known, else the official name."""
        return self.names.get(language, self.name)


class RegionRegistry:
    """Country, counties, municipalities and districts valid at one date, looked up by canonical code."""

    def __init__(self, regions: Iterable[Region], unspecified: Iterable[str] = ()) -> None:
        self._regions: dict[str, Region] = {}
        for region in regions:
            if region.code in self._regions:
                raise ValueError(f"region {region.code} given twice")
            self._regions[region.code] = region
        if NORWAY not in self._regions:
            self._regions[NORWAY] = _country()
        self.unspecified: frozenset[str] = frozenset(unspecified)
        self._districts_of: dict[str, list[Region]] = defaultdict(list)
        for region in self._regions.values():
            if region.level is RegionLevel.DISTRICT and region.parent_code is not None:
                self._districts_of[region.parent_code].append(region)

    @classmethod
    def from_klass(
        cls,
        municipality_codes: Iterable[Mapping[str, Any]],
        county_codes: Iterable[Mapping[str, Any]],
        districts: Iterable[Region] = (),
        language: str = "nb",
        file: str = "<KLASS codes>",
    ) -> RegionRegistry:
        """Build the registry from KLASS ``codesAt`` items (``code``, ``name``, ...) for 131 and 104.

        A municipality's county is the first two digits of its code and must be in the county list.
        Raises InputError listing every problem.
        """
        problems: list[InputProblem] = []
        unspecified: set[str] = set()
        counties = _read_level(county_codes, RegionLevel.COUNTY, "two-digit county", language, file, problems)
        municipalities = _read_level(
            municipality_codes, RegionLevel.MUNICIPALITY, "four-digit municipality", language, file, problems
        )
        regions: list[Region] = []
        for region in counties:
            if region.code in UNSPECIFIED_CODES:
                unspecified.add(region.code)
            else:
                regions.append(region)
        county_set = {r.code for r in regions}
        for region in municipalities:
            if region.code in UNSPECIFIED_CODES:
                unspecified.add(region.code)
                continue
            county = region.code[:2]
            if county not in county_set:
                problems.append(
                    InputProblem(
                        file=file,
                        field="code",
                        message=f"municipality {region.code} {region.name}: county {county} is not in the county list",
                    )
                )
                continue
            regions.append(Region(region.code, region.name, RegionLevel.MUNICIPALITY, county, names=region.names))
        municipality_set = {r.code for r in regions if r.level is RegionLevel.MUNICIPALITY}
        for district in districts:
            if district.level is not RegionLevel.DISTRICT or district.parent_code not in municipality_set:
                problems.append(
                    InputProblem(
                        file=file,
                        field="code",
                        message=f"district {district.code} {district.name}: municipality "
                        f"{district.parent_code} is not in the municipality list",
                    )
                )
                continue
            regions.append(district)
        if problems:
            raise InputError(problems)
        return cls(regions, unspecified)

    # ----------------------------------------------------------------------------------------------------

    def get(self, code: str) -> Region:
        """The region with this code (any publisher spelling); raises UnknownCodesError."""
        canonical = normalise_region_code(code)
        try:
            return self._regions[canonical]
        except KeyError:
            raise UnknownCodesError("region", [code]) from None

    def __contains__(self, code: object) -> bool:
        return isinstance(code, str) and normalise_region_code(code) in self._regions

    def __len__(self) -> int:
        return len(self._regions)

    def country(self) -> Region:
        return self._regions[NORWAY]

    def counties(self) -> list[Region]:
        return self._of_level(RegionLevel.COUNTY)

    def municipalities(self, county: str | None = None) -> list[Region]:
        """Municipalities sorted by code, optionally only those of one county."""
        found = self._of_level(RegionLevel.MUNICIPALITY)
        return found if county is None else [r for r in found if r.parent_code == county]

    def districts(self, municipality: str | None = None) -> list[Region]:
        if municipality is None:
            return self._of_level(RegionLevel.DISTRICT)
        return sorted(self._districts_of.get(municipality, []), key=lambda r: r.code)

    def with_names(self, language: str, items: Iterable[Mapping[str, Any]]) -> RegionRegistry:
        """A copy with names in ``language`` added from KLASS items (``codesAt`` with ``language=nn``/``en``).

        Codes not in the registry are ignored: a name list does not add regions.
        """
        extra: dict[str, str] = {}
        for item in items:
            code, name = item.get("code"), item.get("name")
            if isinstance(code, str | int) and isinstance(name, str) and name.strip():
                extra[normalise_region_code(code)] = name.strip()
        regions = [
            replace(r, names={**r.names, language: extra[r.code]}) if r.code in extra else r
            for r in self._regions.values()
        ]
        return RegionRegistry(regions, self.unspecified)

    @property
    def municipality_codes(self) -> frozenset[str]:
        return frozenset(r.code for r in self._of_level(RegionLevel.MUNICIPALITY))

    def check_known(self, codes: Iterable[str], kind: str = "region", file: str = "<input>") -> None:
        """Raise UnknownCodesError listing every code (canonical form) that is not in the registry."""
        unknown = {
            code
            for code in (normalise_region_code(c) for c in codes)
            if code not in self._regions and code not in self.unspecified
        }
        if unknown:
            raise UnknownCodesError(kind, unknown, file=file)

    def _of_level(self, level: RegionLevel) -> list[Region]:
        return sorted((r for r in self._regions.values() if r.level is level), key=lambda r: r.code)


def _country() -> Region:
    return Region(NORWAY, COUNTRY_NAMES["nb"], RegionLevel.COUNTRY, None, names=COUNTRY_NAMES)


def _read_level(
    items: Iterable[Mapping[str, Any]],
    level: RegionLevel,
    shape: str,
    language: str,
    file: str,
    problems: list[InputProblem],
) -> list[Region]:
    regions: list[Region] = []
    seen: set[str] = set()
    for index, item in enumerate(items, start=1):
        raw_code, name = item.get("code"), item.get("name")
        where = f"{level.value} item {index}"
        if not isinstance(raw_code, str | int) or not str(raw_code).strip():
            problems.append(InputProblem(file=file, field="code", message=f"{where}: code is missing"))
            continue
        code = normalise_region_code(raw_code)
        if code not in UNSPECIFIED_CODES and region_level(code) is not level:
            problems.append(
                InputProblem(file=file, field="code", message=f"{where}: {raw_code!r} is not a {shape} code")
            )
            continue
        if not isinstance(name, str) or not name.strip():
            problems.append(InputProblem(file=file, field="name", message=f"{where} ({code}): name is missing"))
            continue
        if code in seen:
            problems.append(InputProblem(file=file, field="code", message=f"{where}: {code} is listed twice"))
            continue
        seen.add(code)
        parent = NORWAY if level is RegionLevel.COUNTY else None
        regions.append(Region(code, name.strip(), level, parent, names={language: name.strip()}))
    return regions
