"""Region names and district codes for the cubes the adapter writes.

Names only label categories; no value depends on them. Municipality names come from KLASS 131 (current
codes), the KLASS 131 change list (codes in use 2011–2023) and, for older codes, the Rogaland county
council's list of historic codes (names such as "Ølen (2002-2005)", validity kept). District codes are
SSB's six-digit bydel codes as csdata lists them; publishers that write district *names* are matched to
them by name only.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property

from boligmonitor.core.errors import InputError
from boligmonitor.sources.shared_data.common import Workspace, csv_rows, read_json

KLASS_131_CODES = "api_fixtures/klass_131_codesAt_2026-01-01.json"
KLASS_131_CHANGES = "registry/klass131_changes_2011_2024.csv"
HISTORIC_CODES = "registry/rogfk_kommune_sentralitet_1994_2024.csv"
COUNTIES = "registry/aprestmo_counties_2025.json"
LOCATION_NAMES = "registry/csdata_location_names_b2024.csv"

NORWAY_LABEL = "Hele landet"

# csdata's name for 460102 is a text-substitution artefact ("bergen_norhus"); SSB's name is Bergenhus.
_DISTRICT_NAME_FIXES = {"460102": "Bergenhus"}
_WARD_GRANULARITIES = ("wardoslo", "wardbergen", "wardstavanger", "wardtrondheim", "extrawardoslo")


@dataclass(frozen=True)
class District:
    code: str  # SSB's six-digit bydel code
    name: str
    municipality: str


@dataclass(frozen=True)
class RegionNames:  # not slotted: cached_property needs the instance __dict__
    municipalities: Mapping[str, str]  # every 4-digit code we have a name for (current and historic)
    counties: Mapping[str, str]  # the 15 counties of 2024
    districts: Mapping[str, District]  # by code

    def municipality(self, code: str, fallback: str | None = None) -> str:
        """The label of a municipality code: a name published with the data (``fallback``) wins."""
        if fallback:
            return fallback
        return self.municipalities.get(code, code)

    def label(self, code: str) -> str:
        if code == "0":
            return NORWAY_LABEL
        if len(code) == 2:
            return self.counties.get(code, code)
        if len(code) == 6:
            district = self.districts.get(code)
            return district.name if district else code
        return self.municipality(code)

    def district_code(self, name: str, municipality: str = "0301") -> str | None:
        """SSB's code of a district given by name ("Bydel St.Hanshaugen", "Grunerløkka"); None if unknown."""
        return self._district_keys.get((municipality, district_key(name)))

    @cached_property
    def _district_keys(self) -> dict[tuple[str, str], str]:
        return {(d.municipality, district_key(d.name)): d.code for d in self.districts.values()}


def district_key(name: str) -> str:
    """A district name reduced to what publishers agree on: no "Bydel", accents, case, spaces or dots."""
    text = re.sub(r"^\s*bydel\s+", "", name, flags=re.IGNORECASE)
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    # Drop combining accents (ü -> u) but keep the Norwegian letters æ, ø and å, which are not accents.
    kept = "".join(ch for ch in decomposed if not unicodedata.combining(ch) or ch == "\u030a")
    kept = unicodedata.normalize("NFC", kept)
    return re.sub(r"[^a-zæøå0-9]", "", kept)


def load_names(workspace: Workspace) -> RegionNames:
    municipalities: dict[str, str] = {}
    _historic_names(workspace, municipalities)
    _changed_names(workspace, municipalities)
    _current_names(workspace, municipalities)
    return RegionNames(
        municipalities=municipalities, counties=_county_names(workspace), districts=_districts(workspace)
    )


def _current_names(workspace: Workspace, names: dict[str, str]) -> None:
    path = workspace.source(KLASS_131_CODES)
    body = read_json(path)
    codes = body.get("codes") if isinstance(body, dict) else None
    if not isinstance(codes, list):
        raise InputError.single(str(path), 'expected a KLASS codesAt body {"codes": [...]}', field="codes")
    for item in codes:
        if isinstance(item, dict) and isinstance(item.get("code"), str) and isinstance(item.get("name"), str):
            names[item["code"]] = item["name"]


def _changed_names(workspace: Workspace, names: dict[str, str]) -> None:
    """The latest name KLASS gives each code in its change list (later rows overwrite earlier ones)."""
    rows = csv_rows(workspace.source(KLASS_131_CHANGES), ("oldCode", "oldName", "newCode", "newName"))
    for _, row in sorted(rows, key=lambda item: item[1].get("changeOccurred", "")):
        names[row["oldCode"]] = row["oldName"]
        names[row["newCode"]] = row["newName"]


def _historic_names(workspace: Workspace, names: dict[str, str]) -> None:
    for _, row in csv_rows(workspace.source(HISTORIC_CODES), ("kommune_kode", "kommune_navn")):
        names.setdefault(row["kommune_kode"], row["kommune_navn"])


def _county_names(workspace: Workspace) -> dict[str, str]:
    path = workspace.source(COUNTIES)
    body = read_json(path)
    if not isinstance(body, list):
        raise InputError.single(str(path), "expected a list of counties")
    counties: dict[str, str] = {}
    for index, item in enumerate(body):
        if not (isinstance(item, dict) and isinstance(item.get("id"), str) and isinstance(item.get("name"), str)):
            raise InputError.single(str(path), "expected {id, name}", field=f"[{index}]")
        counties[item["id"]] = item["name"]
    return counties


def _districts(workspace: Workspace) -> dict[str, District]:
    districts: dict[str, District] = {}
    path = workspace.source(LOCATION_NAMES)
    for line, row in csv_rows(path, ("location_code", "location_name", "granularity_geo")):
        if row["granularity_geo"] not in _WARD_GRANULARITIES:
            continue
        match = re.fullmatch(r"[a-z]+_nor(\d{6})", row["location_code"])
        if match is None:
            raise InputError.single(str(path), "unexpected ward code", line=line, field="location_code")
        code = match.group(1)
        name = _DISTRICT_NAME_FIXES.get(code, row["location_name"])
        districts[code] = District(code=code, name=name, municipality=code[:4])
    return dict(sorted(districts.items()))
