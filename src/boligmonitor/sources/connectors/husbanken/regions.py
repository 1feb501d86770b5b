"""Husbanken's ``KommuneNr`` codes and the regions they stand for (husbanken-qlik.md §6.1, §6.2, §6.9).

- ``0311``–``0325`` are Oslo's 15 districts, numbered in SSB's order: ``0311`` Gamle Oslo is SSB's ``030101``
  … ``0325`` Søndre Nordstrand is ``030115``. The development adapter checked every one of them by name against
  Husbanken's district file (:mod:`boligmonitor.sources.shared_data.husbanken`).
- ``0326`` is the district Uranienborg-Majorstua, discontinued before 2004: no district of today.
- ``0301`` is a near-empty residual (households with no district), never Oslo's total.
- ``2100`` and ``2111`` are Svalbard pseudo-codes, always zero: Husbanken pays no bostøtte on Svalbard.
- Every other 4-digit code is a municipality code as Husbanken publishes it: today's code back-cast to earlier
  years, or a historical code. The build's recoding and harmonisation (KLASS changes) decide what each means.

Oslo (``0301``) is built as the sum of every Oslo code: the 15 districts, ``0326`` and the residual. That is
Husbanken's own Oslo total (``Fylke`` = ``Oslo`` selects the same codes; the adapter found districts plus residual
equal to Husbanken's Oslo series), so a household without a district is still counted in Oslo.
"""

from __future__ import annotations

import re
from enum import StrEnum

OSLO = "0301"
OSLO_RESIDUAL = "0301"
#: Husbanken's district code -> SSB's (the monitor's) district code.
OSLO_DISTRICTS: dict[str, str] = {f"0{number}": f"0301{number - 310:02d}" for number in range(311, 326)}
DISCONTINUED_OSLO_DISTRICTS: dict[str, str] = {"0326": "Uranienborg-Majorstua (discontinued before 2004)"}
SVALBARD: dict[str, str] = {"2100": "Svalbard", "2111": "Svalbard (Longyearbyen)"}

_FOUR_DIGITS = re.compile(r"^\d{4}$")


class CodeKind(StrEnum):
    MUNICIPALITY = "municipality"
    OSLO_DISTRICT = "oslo_district"
    OSLO_DISCONTINUED_DISTRICT = "oslo_discontinued_district"
    OSLO_RESIDUAL = "oslo_residual"
    SVALBARD = "svalbard"
    UNKNOWN = "unknown"  # not a 4-digit code: nothing to map it to


def classify(code: str) -> CodeKind:
    if code in OSLO_DISTRICTS:
        return CodeKind.OSLO_DISTRICT
    if code in DISCONTINUED_OSLO_DISTRICTS:
        return CodeKind.OSLO_DISCONTINUED_DISTRICT
    if code == OSLO_RESIDUAL:
        return CodeKind.OSLO_RESIDUAL
    if code in SVALBARD:
        return CodeKind.SVALBARD
    if _FOUR_DIGITS.match(code) and code != "0000":
        return CodeKind.MUNICIPALITY
    return CodeKind.UNKNOWN


def targets(code: str) -> tuple[str, ...]:
    """The monitor's region codes a value published for Husbanken's ``code`` is added to (empty: none)."""
    kind = classify(code)
    if kind is CodeKind.OSLO_DISTRICT:
        return (OSLO_DISTRICTS[code], OSLO)
    if kind in (CodeKind.OSLO_DISCONTINUED_DISTRICT, CodeKind.OSLO_RESIDUAL):
        return (OSLO,)
    if kind is CodeKind.MUNICIPALITY:
        return (code,)
    return ()


def is_oslo_code(code: str) -> bool:
    return classify(code) in (CodeKind.OSLO_DISTRICT, CodeKind.OSLO_DISCONTINUED_DISTRICT, CodeKind.OSLO_RESIDUAL)
