"""SSB's region codes, in every form its tables use, mapped to the monitor's regions: the one place for them.

Forms (``shared/docs/ssb-api.md`` §5, evidence markers there):

==================  ==========================================================  =====================
SSB code            what it is                                                  the monitor's code
==================  ==========================================================  =====================
``0``               Hele landet in ordinary tables (``Region``) [T]             ``0`` (Norway)
``EAK``             Landet in KOSTRA tables (``KOKkommuneregion0000``) [T]      ``0``
``EAKUO``           Landet uten Oslo (KOSTRA) [T]                               none: not a region
``EKA03``           a county aggregate in KOSTRA tables [T]                     ``03``
``EKG13``           a KOSTRA group [I; EKG01-EKG17 in the registry file]        ``EKG13``
``K-0301``          a municipality summed to today's borders (agg_KommSummer)   ``0301``
``F-03``            a county summed to today's borders (agg_KommFylker) [T]     ``03``
``03``              a county (ordinary tables) [T]                              ``03``
``0301``            a municipality, historical codes kept [T, V for 12134]      ``0301``
``030101``          an urban district (bydel) in (B) tables [T]                 ``030101``
``9999`` / ``99``   Uoppgitt (unspecified) in KLASS [V]                         none: not a region
==================  ==========================================================  =====================

The spelling rules themselves are :func:`boligmonitor.core.regions.normalise_region_code`'s (every reader uses
them); this module adds what only SSB's region variables need: which codes are no region of the monitor, and a
national row whose code is not a known country code but whose label is "Hele landet" (price regions'
``TOTAL``, price zones' ``00``; ssb-api.md §8.4-§8.5).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Final

from boligmonitor.core.regions import NORWAY, RegionCode, RegionLevel, normalise_region_code, region_level

COUNTRY_WITHOUT_OSLO: Final = "EAKUO"
#: Codes SSB and KLASS use for "unspecified" (Uoppgitt): never a region of the monitor.
UNSPECIFIED: Final = frozenset({"9999", "99"})
#: The levels a fetch asks SSB for: the monitor keeps these (KOSTRA groups come from the region register).
FETCHED_LEVELS: Final = frozenset(
    {RegionLevel.COUNTRY, RegionLevel.COUNTY, RegionLevel.MUNICIPALITY, RegionLevel.DISTRICT}
)
#: Region variables of price areas (09895's price zones, ssb-api.md §8.5): their codes look like counties ("01" is
#: Oslo og Bærum, not Østfold) but are not; only the national row, by its label, is a region of the monitor.
PRICE_AREA_VARIABLES: Final = frozenset({"Soner2"})
_NATIONAL_LABEL = re.compile(r"^\s*(?:hele\s+landet|landet|norge|norway|the\s+whole\s+country)\s*$", re.IGNORECASE)


def monitor_region_code(code: str, label: str | None = None) -> RegionCode | None:
    """The monitor's region for one SSB region code, or None when it is no region of the monitor.

    ``label`` is the category's label in the table: a code of no known form whose label says "Hele landet"
    is Norway. A code whose form is unknown (a price region ``001``, a price zone) is None.
    """
    text = code.strip()
    if text.upper() == COUNTRY_WITHOUT_OSLO or text in UNSPECIFIED:
        return None
    canonical = normalise_region_code(text)
    if region_level(canonical) is not None:
        return canonical
    if label is not None and _NATIONAL_LABEL.match(label):
        return NORWAY
    return None


def monitor_region_level(code: str, label: str | None = None) -> RegionLevel | None:
    """The level of :func:`monitor_region_code`'s answer; None when the code is no region of the monitor."""
    canonical = monitor_region_code(code, label)
    return None if canonical is None else region_level(canonical)


def price_area_regions(labels: Sequence[str]) -> list[RegionCode | None]:
    """The monitor's region for each category of a price-area variable (:data:`PRICE_AREA_VARIABLES`): Norway for
    the national row, None for every price area."""
    return [NORWAY if _NATIONAL_LABEL.match(label) else None for label in labels]


def fetched_region_codes(
    codes: Sequence[str],
    labels: Sequence[str] | None = None,
    levels: Iterable[RegionLevel] = FETCHED_LEVELS,
    variable_id: str | None = None,
) -> list[str]:
    """The codes of a region variable to ask SSB for, in the table's order: those of the wanted ``levels``
    (country, counties, municipalities with their historical codes, districts). Left out: Norway without Oslo,
    KOSTRA groups, unspecified and unknown codes -- the monitor keeps none of them -- and the price areas of a
    price-area variable (``variable_id`` in :data:`PRICE_AREA_VARIABLES`), whose national row only is kept."""
    wanted = frozenset(levels)
    named = labels if labels is not None else [None] * len(codes)
    if variable_id in PRICE_AREA_VARIABLES:
        national = price_area_regions([label or "" for label in named])
        keep = RegionLevel.COUNTRY in wanted
        return [code for code, region in zip(codes, national, strict=True) if keep and region is not None]
    return [code for code, label in zip(codes, named, strict=True) if monitor_region_level(code, label) in wanted]


__all__ = [
    "COUNTRY_WITHOUT_OSLO",
    "FETCHED_LEVELS",
    "PRICE_AREA_VARIABLES",
    "UNSPECIFIED",
    "fetched_region_codes",
    "monitor_region_code",
    "monitor_region_level",
    "price_area_regions",
]
