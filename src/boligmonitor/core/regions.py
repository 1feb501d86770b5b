"""Canonical region codes, whatever the publisher's spelling.

Canonical form: ``0`` Norway, 2 digits county (``03``), 4 digits municipality (``0301``), 6 digits urban
district (``030101``), ``EKG01``…``EKG17`` KOSTRA groups. Publishers write Norway as ``0``, ``EAK``,
``nation_nor`` or ``Hele landet``; counties as ``EKA03``, ``F-03`` or ``county_nor03``; municipalities as
``K-0301``, ``municip_nor0301`` or the integer 301.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import NewType

# A region code in canonical form: what normalise_region_code returns. Codes are normalised once, where they
# enter (a file reader, a CLI argument, an HTTP parameter); code that takes a RegionCode does not normalise again.
RegionCode = NewType("RegionCode", str)

NORWAY = RegionCode("0")


class RegionLevel(StrEnum):
    COUNTRY = "country"
    COUNTY = "county"
    MUNICIPALITY = "municipality"
    DISTRICT = "district"
    KOSTRA_GROUP = "kostra_group"


_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^(?:EAK|nation_nor|Hele landet|Landet|00|0000)$", re.IGNORECASE), NORWAY),
    (re.compile(r"^(?:EKA|F-|county_nor)(\d{2})$"), r"\1"),
    (re.compile(r"^(?:K-|municip_nor)(\d{4})$"), r"\1"),
    (re.compile(r"^(?:ward\w*?_?nor|B-)(\d{6})$"), r"\1"),
    (re.compile(r"^EKG(\d{2})$"), r"EKG\1"),
]


def normalise_region_code(raw: str | int) -> RegionCode:
    """Return the canonical form of a publisher's region code; unknown shapes are returned stripped.

    Integers are zero-padded to four digits (municipality codes in some GeoJSON/TopoJSON files are
    integers, e.g. 301 for Oslo).
    """
    if isinstance(raw, int):
        return NORWAY if raw == 0 else RegionCode(f"{raw:04d}")
    text = raw.strip()
    for pattern, replacement in _PATTERNS:
        if pattern.match(text):
            return RegionCode(pattern.sub(replacement, text))
    return RegionCode(text)


def region_level(code: str) -> RegionLevel | None:
    """The level a canonical code belongs to, or None if the code has no known shape."""
    if code == NORWAY:
        return RegionLevel.COUNTRY
    if code.startswith("EKG"):
        return RegionLevel.KOSTRA_GROUP
    if code.isdigit():
        return {2: RegionLevel.COUNTY, 4: RegionLevel.MUNICIPALITY, 6: RegionLevel.DISTRICT}.get(len(code))
    return None
