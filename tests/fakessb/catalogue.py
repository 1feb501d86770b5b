"""What the fake SSB server knows: recorded real responses and synthetic tables in the same JSON-stat 2.0 format.

Recorded bodies are read at run time from `../shared/data/api_fixtures` and never copied into the repository.
A recorded table only knows the categories present in its recording (12134 has three regions, not SSB's 891).
Synthetic tables are labelled SYNTHETIC in their title and source, and their values come from a deterministic
generator: they are test data, never statistics.
"""

from __future__ import annotations

import copy
import csv
import itertools
import json
import re
import threading
import zlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

JsonObject = dict[str, Any]
CellValue = float | int | None

JSON_CONTENT_TYPE = "application/json; charset=UTF-8"

RECORDED_V2_12134 = "ssb_pxwebapi_v2_12134_jsonstat2.json"
RECORDED_V0_07221 = "ssb_pxwebapi_v0_07221_jsonstat2_response.json"
RECORDED_V0_07221_QUERY = "ssb_pxwebapi_v0_07221_query.json"
RECORDED_V0_09895 = "ssb_pxwebapi_v0_09895_jsonstat2_leiemarked.json"
RECORDED_KLASS_131 = "klass_131_codesAt_2026-01-01.json"
RECORDED_KLASS_131_DATE = date(2026, 1, 1)

SYNTHETIC_TABLE_ID = "90001"
SYNTHETIC_POPULATION_TABLE_ID = "90002"
SYNTHETIC_TOTAL_TABLE_ID = "90003"  # a variable that cannot be eliminated, with a total marked in its metadata
SYNTHETIC_NO_TOTAL_TABLE_ID = "90004"  # a variable that cannot be eliminated and has no total
SYNTHETIC_CODELIST_ID = "agg_SyntheticSum"
CURRENT_BORDERS_CODELIST_ID = "agg_KommSummer"  # the real id (ssb-api.md §5.1); its values here are SYNTHETIC
DEFAULT_MAX_CELLS = 800_000
SYNTHETIC_APP_VERSION = "SYNTHETIC fake SSB (tests/fakessb)"
# KLASS 104 names as listed in ssb-api.md §5.1 (third-party list); served as a SYNTHETIC codesAt body.
COUNTIES_2024 = {
    "03": "Oslo",
    "11": "Rogaland",
    "15": "Møre og Romsdal",
    "18": "Nordland",
    "31": "Østfold",
    "32": "Akershus",
    "33": "Buskerud",
    "34": "Innlandet",
    "39": "Vestfold",
    "40": "Telemark",
    "42": "Agder",
    "46": "Vestland",
    "50": "Trøndelag",
    "55": "Troms",
    "56": "Finnmark",
}

# Titles of the real error bodies recorded in ssb_api_probe_2026-04-25_requests_and_errors.json (ssb-api.md §8.2).
NON_EXISTENT_TABLE = "Non-existent table"
NON_EXISTENT_VARIABLE = "Non-existent variable"
NON_EXISTENT_VALUE = "Non-existent value"
MISSING_MANDATORY = "Missing selection for mandantory variable"  # SSB's spelling
TOO_MANY_CELLS = "Too many cells selected"
# Not recorded: titles the fake uses where no real body is known (listed in docs/fake-ssb.md).
NON_EXISTENT_CODELIST = "Non-existent codelist"
UNSUPPORTED_SELECTION = "Unsupported selection"


@dataclass(frozen=True)
class Reply:
    """One HTTP answer: status, body bytes and content type."""

    status: int
    body: bytes
    content_type: str = JSON_CONTENT_TYPE


class ApiError(Exception):
    """An SSB-style error: `{"type":"Parameter error","title":…,"status":…}` answered with HTTP 400 as recorded."""

    def __init__(self, title: str, status_in_body: int = 400, http_status: int = 400) -> None:
        super().__init__(title)
        self.title = title
        self.status_in_body = status_in_body
        self.http_status = http_status

    def reply(self) -> Reply:
        body = {"type": "Parameter error", "title": self.title, "status": self.status_in_body}
        return Reply(self.http_status, compact_json(body))


class KlassError(Exception):
    """A KLASS error (the body shape is not recorded; see docs/fake-ssb.md)."""

    def __init__(self, http_status: int, message: str) -> None:
        super().__init__(message)
        self.http_status = http_status
        self.message = message

    def reply(self) -> Reply:
        body = {"status": self.http_status, "error": "Not Found" if self.http_status == 404 else "Bad Request"}
        body["message"] = self.message
        return Reply(self.http_status, compact_json(body))


def compact_json(value: object) -> bytes:
    """JSON the way SSB sends it: no spaces, UTF-8, non-ASCII letters kept."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


# --- selections -------------------------------------------------------------------------------------------------

_FUNCTION = re.compile(r"^(top|bottom|range|from|to)\((.*)\)$", re.IGNORECASE)


def split_value_codes(raw: str) -> list[str]:
    """Split a GET `valueCodes[VAR]` value on commas, keeping `[a,b]` values and a lone function whole."""
    if _FUNCTION.match(raw.strip()):
        return [raw.strip()]
    parts: list[str] = []
    current = ""
    depth = 0
    for char in raw:
        if char == "[":
            depth += 1
        elif char == "]":
            depth -= 1
        if char == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current)
    return [part[1:-1] if part.startswith("[") and part.endswith("]") else part for part in parts if part != ""]


def _wildcard_regex(pattern: str) -> re.Pattern[str]:
    return re.compile("^" + "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern) + "$")


def resolve_value_codes(requested: Sequence[str], available: Sequence[str]) -> list[str]:
    """The codes a selection list picks, in the table's order (ssb-api.md §2.2); unknown codes raise."""
    if len(requested) == 1 and (function := _FUNCTION.match(requested[0].strip())):
        return _resolve_function(function.group(1).lower(), function.group(2), available)
    picked: set[str] = set()
    for code in requested:
        if "*" in code or "?" in code:
            matcher = _wildcard_regex(code)
            matches = {candidate for candidate in available if matcher.match(candidate)}
            if not matches:
                raise ApiError(NON_EXISTENT_VALUE)
            picked |= matches
        elif code in available:
            picked.add(code)
        else:
            raise ApiError(NON_EXISTENT_VALUE)
    return [code for code in available if code in picked]


def _resolve_function(name: str, raw_arguments: str, available: Sequence[str]) -> list[str]:
    arguments = [argument.strip() for argument in raw_arguments.split(",")]
    if name in ("top", "bottom"):
        if not all(argument.isdigit() for argument in arguments) or len(arguments) > 2:
            raise ApiError(UNSUPPORTED_SELECTION)
        count = int(arguments[0])
        offset = int(arguments[1]) if len(arguments) == 2 else 0
        ordered = list(reversed(available)) if name == "top" else list(available)
        chosen = set(ordered[offset : offset + count])
        return [code for code in available if code in chosen]
    positions = {code: position for position, code in enumerate(available)}
    if any(argument not in positions for argument in arguments):
        raise ApiError(NON_EXISTENT_VALUE)
    if name == "range" and len(arguments) == 2:
        return list(available[positions[arguments[0]] : positions[arguments[1]] + 1])
    if name == "from" and len(arguments) == 1:
        return list(available[positions[arguments[0]] :])
    if name == "to" and len(arguments) == 1:
        return list(available[: positions[arguments[0]] + 1])
    raise ApiError(UNSUPPORTED_SELECTION)


# --- tables -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Axis:
    """What one dimension of an answer holds: its codes, and for an aggregation (or a dimension eliminated by
    summing, `dropped`) the table codes summed into each of them."""

    dimension_id: str
    codes: list[str]
    members: Mapping[str, list[str]] | None = None
    labels: Mapping[str, str] | None = None
    dropped: bool = False


@dataclass
class FakeTable:
    """One table as the server sees it: a JSON-stat header with every category, and a cell lookup."""

    table_id: str
    header: JsonObject  # the whole table as JSON-stat 2.0 without `value`/`status`
    cell: Callable[[tuple[str, ...]], tuple[CellValue, str | None]]
    recorded_body: bytes | None = None  # byte-identical answer when the whole recorded cube is asked for
    synthetic: bool = False

    @property
    def dimension_ids(self) -> list[str]:
        return list(self.header["id"])

    def codes(self, dimension_id: str) -> list[str]:
        index = self.header["dimension"][dimension_id]["category"]["index"]
        if isinstance(index, dict):
            return sorted(index, key=lambda code: int(index[code]))
        return [str(code) for code in index]

    def is_mandatory(self, dimension_id: str) -> bool:
        extension = self.header["dimension"][dimension_id].get("extension") or {}
        return not bool(extension.get("elimination", False))

    def elimination_code(self, dimension_id: str) -> str | None:
        extension = self.header["dimension"][dimension_id].get("extension") or {}
        code = extension.get("eliminationValueCode")
        return str(code) if code is not None else None

    def v0_metadata(self) -> JsonObject:
        """The legacy API's metadata shape, `{"title", "variables": [{"code", "text", "values", "valueTexts",
        "elimination", "time"}]}` [I: PxWeb v1 as third-party clients read it; no response is recorded]."""
        time_ids = set(self.header.get("role", {}).get("time") or [])
        variables = []
        for dimension_id in self.dimension_ids:
            dimension = self.header["dimension"][dimension_id]
            codes = self.codes(dimension_id)
            labels = dimension["category"].get("label") or {}
            variable: JsonObject = {
                "code": dimension_id,
                "text": dimension.get("label", dimension_id),
                "values": codes,
                "valueTexts": [str(labels.get(code, code)) for code in codes],
            }
            if not self.is_mandatory(dimension_id):
                variable["elimination"] = True
            if dimension_id in time_ids:
                variable["time"] = True
            variables.append(variable)
        return {"title": self.header.get("label", ""), "variables": variables}

    def codelist_ids(self, dimension_id: str) -> list[str]:
        """The codelists the metadata offers for a dimension (``extension.codeLists``)."""
        extension = self.header["dimension"][dimension_id].get("extension") or {}
        return [str(item["id"]) for item in extension.get("codeLists") or [] if isinstance(item, dict)]

    def resolve(
        self,
        selection: Mapping[str, Sequence[str]] | None,
        max_cells: int,
        codelists: Mapping[str, JsonObject] | None = None,
    ) -> list[Axis]:
        """What to answer per dimension; `None` (no selection at all) means the default selection: everything.

        `codelists` maps a selected variable to the codelist body its codes are chosen from (an aggregation:
        each of its codes is the sum of the table codes in its `valueMap`). A non-mandatory variable left out
        is answered with its `eliminationValueCode`; without one it is summed and left out of the answer.
        """
        if selection is None:
            return [Axis(dimension_id, self.codes(dimension_id)) for dimension_id in self.dimension_ids]
        by_lower = {dimension_id.lower(): dimension_id for dimension_id in self.dimension_ids}
        normalised: dict[str, Sequence[str]] = {}
        aggregations: dict[str, JsonObject] = {}
        for variable, requested in selection.items():
            if variable.lower() not in by_lower:
                raise ApiError(NON_EXISTENT_VARIABLE)
            normalised[by_lower[variable.lower()]] = requested
            if codelists and variable in codelists:
                aggregations[by_lower[variable.lower()]] = codelists[variable]
        axes: list[Axis] = []
        for dimension_id in self.dimension_ids:
            if dimension_id in aggregations:
                axes.append(self._aggregated_axis(dimension_id, normalised[dimension_id], aggregations[dimension_id]))
            elif dimension_id in normalised:
                axes.append(Axis(dimension_id, resolve_value_codes(normalised[dimension_id], self.codes(dimension_id))))
            elif self.is_mandatory(dimension_id):
                raise ApiError(MISSING_MANDATORY)
            else:
                fallback = self.elimination_code(dimension_id)
                if fallback is not None:
                    axes.append(Axis(dimension_id, [fallback]))
                else:
                    axes.append(Axis(dimension_id, ["*"], {"*": self.codes(dimension_id)}, dropped=True))
        cells = 1
        for axis in axes:
            cells *= len(axis.codes)
        if cells > max_cells:
            raise ApiError(TOO_MANY_CELLS)
        return axes

    def _aggregated_axis(self, dimension_id: str, requested: Sequence[str], codelist: JsonObject) -> Axis:
        if str(codelist.get("id")) not in self.codelist_ids(dimension_id):
            raise ApiError(NON_EXISTENT_CODELIST, status_in_body=404)
        values = [value for value in codelist.get("values") or [] if isinstance(value, dict)]
        available = [str(value["code"]) for value in values]
        chosen = resolve_value_codes(requested, available)
        by_code = {str(value["code"]): value for value in values}
        return Axis(
            dimension_id,
            chosen,
            {code: [str(member) for member in by_code[code].get("valueMap") or []] for code in chosen},
            {code: str(by_code[code].get("label") or code) for code in chosen},
        )

    def metadata(self) -> bytes:
        return compact_json(self.header)

    def data(self, axes: Sequence[Axis]) -> bytes:
        """JSON-stat 2.0 for exactly the chosen cells; the recorded bytes when the whole recording is asked for."""
        whole = [self.codes(dimension_id) for dimension_id in self.dimension_ids]
        plain = all(axis.members is None for axis in axes)
        if self.recorded_body is not None and plain and [axis.codes for axis in axes] == whole:
            return self.recorded_body
        return compact_json(self.dataset(axes))

    def dataset(self, axes: Sequence[Axis]) -> JsonObject:
        dataset = copy.deepcopy(self.header)
        shown = [axis for axis in axes if not axis.dropped]
        for axis in axes:
            if axis.dropped:
                del dataset["dimension"][axis.dimension_id]
            elif axis.labels is not None:
                _aggregate_dimension(dataset["dimension"][axis.dimension_id], axis.labels)
            else:
                codes = axis.codes
                _restrict_dimension(dataset["dimension"][axis.dimension_id], self.codes(axis.dimension_id), codes)
        dataset["id"] = [axis.dimension_id for axis in shown]
        dataset["size"] = [len(axis.codes) for axis in shown]
        for role, named in list((dataset.get("role") or {}).items()):
            dataset["role"][role] = [name for name in named if name in dataset["id"]]
        values: list[CellValue] = []
        status: dict[str, str] = {}
        known = [set(self.codes(axis.dimension_id)) for axis in axes]
        for position, combination in enumerate(itertools.product(*[axis.codes for axis in axes])):
            members = [
                [m for m in axis.members[code] if m in codes] if axis.members is not None else [code]
                for axis, code, codes in zip(axes, combination, known, strict=True)
            ]
            value, symbol = self._sum(members)
            values.append(value)
            if symbol is not None:
                status[str(position)] = symbol
        dataset["value"] = values
        if status:
            dataset["status"] = status
        return dataset

    def _sum(self, members: Sequence[Sequence[str]]) -> tuple[CellValue, str | None]:
        """One cell, or the sum over the members of aggregated / eliminated dimensions (no number if any lacks one)."""
        cells = [self.cell(tuple(codes)) for codes in itertools.product(*members)]
        if len(cells) == 1:
            return cells[0]
        if not cells:
            return None, ".."
        missing = [symbol or ".." for value, symbol in cells if value is None]
        if missing:
            return None, missing[0]
        return sum(value for value, _ in cells if value is not None), None

    def info(self) -> JsonObject:
        """A search hit / `GET /tables/{id}` body (field names from ssb-api.md §2.1)."""
        time_ids = self.header.get("role", {}).get("time") or [self.dimension_ids[-1]]
        periods = self.codes(time_ids[0])
        return {
            "type": "Table",
            "id": self.table_id,
            "label": self.header.get("label", ""),
            "description": "",
            "updated": self.header.get("updated"),
            "firstPeriod": periods[0] if periods else None,
            "lastPeriod": periods[-1] if periods else None,
            "variableNames": [self.header["dimension"][d].get("label", d) for d in self.dimension_ids],
            "discontinued": False,
            "source": self.header.get("source", ""),
        }

    def search_text(self) -> str:
        """What a search word may match: id, title, variable ids and names, category codes and labels. That SSB's
        search finds a table by a ContentsCode is assumed (ssb-api.md §7.1 [I]); the fetch relies on it."""
        parts = [self.table_id, str(self.header.get("label", ""))]
        for dimension_id in self.dimension_ids:
            dimension = self.header["dimension"][dimension_id]
            parts += [dimension_id, str(dimension.get("label", ""))]
            parts += self.codes(dimension_id)
            parts += [str(label) for label in dimension["category"].get("label", {}).values()]
        return " ".join(parts).lower()


def _aggregate_dimension(dimension: JsonObject, labels: Mapping[str, str]) -> None:
    """A dimension whose categories are an aggregation's codes: labels from the codelist, no per-code extras."""
    dimension["category"] = {
        "index": {code: position for position, code in enumerate(labels)},
        "label": dict(labels),
    }
    extension = dimension.get("extension")
    if isinstance(extension, dict):
        extension.pop("codeLists", None)


def _restrict_dimension(dimension: JsonObject, all_codes: Sequence[str], codes: Sequence[str]) -> None:
    category = dimension["category"]
    category["index"] = {code: position for position, code in enumerate(codes)}
    for key in ("label", "unit", "child"):
        if isinstance(category.get(key), dict):
            category[key] = {code: category[key][code] for code in codes if code in category[key]}
    known = set(all_codes)
    extension = dimension.get("extension")
    if isinstance(extension, dict):
        for key, per_code in list(extension.items()):
            if isinstance(per_code, dict) and per_code and set(per_code) <= known:
                extension[key] = {code: per_code[code] for code in codes if code in per_code}


def recorded_table(body: bytes) -> FakeTable:
    """A table whose categories and values are exactly those of one recorded JSON-stat 2.0 response."""
    dataset: JsonObject = json.loads(body)
    header = {key: value for key, value in dataset.items() if key not in ("value", "status")}
    values: list[CellValue] = list(dataset["value"])
    raw_status = dataset.get("status") or {}
    if isinstance(raw_status, str):
        raw_status = {str(position): raw_status for position in range(len(values))}
    elif isinstance(raw_status, list):
        raw_status = {str(position): symbol for position, symbol in enumerate(raw_status) if symbol}
    status: dict[str, str] = {str(key): str(symbol) for key, symbol in raw_status.items()}
    table = FakeTable(str(dataset["extension"]["px"]["tableid"]), header, lambda codes: (None, None), body)
    positions = [{code: i for i, code in enumerate(table.codes(d))} for d in table.dimension_ids]
    sizes = [len(p) for p in positions]

    def cell(codes: tuple[str, ...]) -> tuple[CellValue, str | None]:
        flat = 0
        for lookup, size, code in zip(positions, sizes, codes, strict=True):
            flat = flat * size + lookup[code]
        return values[flat], status.get(str(flat))

    table.cell = cell
    return table


@dataclass(frozen=True)
class SyntheticDimension:
    """One dimension of a synthetic table. `units` (metric only) maps a code to (base, decimals)."""

    code: str
    label: str
    categories: Mapping[str, str]
    role: Literal["geo", "time", "metric"] | None = None
    elimination: bool = False
    elimination_code: str | None = None
    units: Mapping[str, tuple[str, int]] = field(default_factory=dict)
    codelists: Sequence[tuple[str, str, str]] = ()  # (id, label, type) offered in `extension.codeLists`
    children: Mapping[str, Sequence[str]] = field(default_factory=dict)  # JSON-stat `category.child`: a hierarchy


def default_synthetic_value(codes: tuple[str, ...], revision: int) -> float:
    """A deterministic made-up number per cell and revision (so a new publication changes the values)."""
    return float(zlib.crc32(("|".join(codes) + f"#{revision}").encode()) % 100_000) / 10


@dataclass
class SyntheticTable:
    """A made-up table: metadata plus a generator answering any selection as JSON-stat 2.0.

    `missing` maps a cell (codes in dimension order) to its status symbol; such cells have value null.
    `revision` and `updated` change when the catalogue publishes the table again.
    """

    table_id: str
    title: str
    dimensions: Sequence[SyntheticDimension]
    updated: datetime = datetime(2026, 3, 16, 7, 0, tzinfo=UTC)
    missing: Mapping[tuple[str, ...], str] = field(default_factory=dict)
    value_for: Callable[[tuple[str, ...], int], float] = default_synthetic_value
    revision: int = 0

    def as_fake_table(self) -> FakeTable:
        header: JsonObject = {
            "version": "2.0",
            "class": "dataset",
            "label": f"{self.table_id}: SYNTHETIC {self.title}",
            "source": "SYNTHETIC test data (tests/fakessb), not Statistisk sentralbyrå",
            "updated": self.updated.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "note": ["SYNTHETIC table for tests: the values are generated and are not statistics."],
            "role": {
                role: [d.code for d in self.dimensions if d.role == role]
                for role in ("time", "geo", "metric")
                if any(d.role == role for d in self.dimensions)
            },
            "id": [d.code for d in self.dimensions],
            "size": [len(d.categories) for d in self.dimensions],
            "dimension": {d.code: _synthetic_dimension_json(d) for d in self.dimensions},
            "extension": {"px": {"tableid": self.table_id, "decimals": 1, "language": "no"}},
        }
        revision = self.revision
        missing = dict(self.missing)
        generate = self.value_for

        def cell(codes: tuple[str, ...]) -> tuple[CellValue, str | None]:
            if codes in missing:
                return None, missing[codes]
            return generate(codes, revision), None

        return FakeTable(self.table_id, header, cell, synthetic=True)


def _synthetic_dimension_json(dimension: SyntheticDimension) -> JsonObject:
    category: JsonObject = {
        "index": {code: position for position, code in enumerate(dimension.categories)},
        "label": dict(dimension.categories),
    }
    if dimension.children:
        category["child"] = {parent: list(children) for parent, children in dimension.children.items()}
    if dimension.units:
        category["unit"] = {
            code: {"base": base, "decimals": decimals} for code, (base, decimals) in dimension.units.items()
        }
    extension: JsonObject = {"elimination": dimension.elimination}
    if dimension.elimination_code is not None:
        extension["eliminationValueCode"] = dimension.elimination_code
    if dimension.codelists:
        extension["codeLists"] = [
            {"id": codelist_id, "label": label, "type": kind} for codelist_id, label, kind in dimension.codelists
        ]
    return {"label": dimension.label, "category": category, "extension": extension}


def standard_synthetic_table() -> SyntheticTable:
    """A small KOSTRA-shaped synthetic table: 4 regions × 2 contents × 10 years, with two missing cells."""
    years = {str(year): str(year) for year in range(2015, 2025)}
    return SyntheticTable(
        table_id=SYNTHETIC_TABLE_ID,
        title="Synthetic housing indicators, by region and year",
        dimensions=[
            SyntheticDimension(
                "KOKkommuneregion0000",
                "region",
                {"0301": "Oslo - Oslove", "4601": "Bergen", "5001": "Trondheim - Tråante", "EAK": "Landet"},
                role="geo",
            ),
            SyntheticDimension(
                "ContentsCode",
                "statistikkvariabel",
                {"SYNT01": "Synthetic amount (kr)", "SYNT02": "Synthetic share (prosent)"},
                role="metric",
                units={"SYNT01": ("kr", 0), "SYNT02": ("prosent", 1)},
            ),
            SyntheticDimension("Tid", "år", years, role="time"),
        ],
        missing={("5001", "SYNT02", "2015"): "..", ("EAK", "SYNT01", "2024"): ":"},
    )


def synthetic_population_value(codes: tuple[str, ...], revision: int) -> float:
    """Whole made-up counts below 1000, so sums over sexes, ages and merged codes stay exact."""
    return float(zlib.crc32(("|".join(codes) + f"#{revision}").encode()) % 1000)


def synthetic_population_table() -> SyntheticTable:
    """A small 07459-shaped synthetic table: the region variable offers `agg_KommSummer`, `Kjonn` can be
    eliminated (summed), and old municipality codes sit beside today's, after the country and three counties,
    as in SSB's population table. The country and county values are made up like the rest, not sums of the
    municipalities: a test can tell SSB's own national row from one summed by the client."""
    return SyntheticTable(
        table_id=SYNTHETIC_POPULATION_TABLE_ID,
        title="Synthetic population on 1 January, by region, sex, age and year",
        updated=datetime(2026, 2, 20, 7, 0, tzinfo=UTC),
        dimensions=[
            SyntheticDimension(
                "Region",
                "region",
                {
                    "0": "Hele landet",
                    "03": "Oslo - Oslove (fylke)",
                    "31": "Østfold",
                    "46": "Vestland",
                    "0301": "Oslo - Oslove",
                    "0104": "Moss (-2019)",
                    "0136": "Rygge (-2019)",
                    "3002": "Moss (2020-2023)",
                    "3103": "Moss",
                    "4601": "Bergen",
                },
                role="geo",
                elimination=True,
                codelists=[
                    (CURRENT_BORDERS_CODELIST_ID, "SYNTHETIC Kommuner summert til dagens grenser", "Aggregation"),
                    (SYNTHETIC_CODELIST_ID, "SYNTHETIC aggregation for tests", "Aggregation"),
                ],
            ),
            SyntheticDimension("Kjonn", "kjønn", {"1": "Menn", "2": "Kvinner"}, elimination=True),
            SyntheticDimension("Alder", "alder", {"000": "0 år", "001": "1 år", "002": "2 år"}, elimination=True),
            SyntheticDimension(
                "ContentsCode",
                "statistikkvariabel",
                {"Personer1": "Personer"},
                role="metric",
                units={"Personer1": ("personer", 0)},
            ),
            SyntheticDimension("Tid", "år", {str(year): str(year) for year in range(2018, 2025)}, role="time"),
        ],
        missing={("4601", "2", "002", "Personer1", "2018"): ".."},
        value_for=synthetic_population_value,
    )


def synthetic_settlement_tables() -> list[SyntheticTable]:
    """Two small KOSTRA-shaped tables whose third variable cannot be eliminated: in 90003 the metadata marks a
    total (a JSON-stat ``category.child`` root over the other categories), in 90004 it marks none, so a query
    for a recipe that does not name the variable must stop with a problem (ssb-api.md §2.2; docs/fetch.md)."""
    regions = {"EAK": "Landet", "EAKUO": "Landet uten Oslo", "EKA03": "Oslo", "0301": "Oslo - Oslove", "4601": "Bergen"}
    years = {"2023": "2023", "2024": "2024"}
    updated = datetime(2026, 5, 4, 6, 0, tzinfo=UTC)
    total = SyntheticTable(
        table_id=SYNTHETIC_TOTAL_TABLE_ID,
        title="Synthetic dwellings by type of owner (a total marked), region and year",
        updated=updated,
        dimensions=[
            SyntheticDimension("KOKkommuneregion0000", "region", regions, role="geo"),
            SyntheticDimension(
                "Eierform",
                "eierform",
                {"SYNT_T": "SYNTHETIC i alt", "1": "SYNTHETIC kommunal", "2": "SYNTHETIC privat"},
                children={"SYNT_T": ("1", "2")},
            ),
            SyntheticDimension(
                "ContentsCode",
                "statistikkvariabel",
                {"SYNT03": "Synthetic dwellings"},
                role="metric",
                units={"SYNT03": ("boliger", 0)},
            ),
            SyntheticDimension("Tid", "år", years, role="time"),
        ],
    )
    no_total = SyntheticTable(
        table_id=SYNTHETIC_NO_TOTAL_TABLE_ID,
        title="Synthetic average rent by number of rooms (no total), region and year",
        updated=updated,
        dimensions=[
            SyntheticDimension("KOKkommuneregion0000", "region", regions, role="geo"),
            SyntheticDimension("AntRom", "antall rom", {"1": "1 rom", "2": "2 rom", "3+": "3 rom eller flere"}),
            SyntheticDimension(
                "ContentsCode",
                "statistikkvariabel",
                {"SYNT04": "Synthetic average rent"},
                role="metric",
                units={"SYNT04": ("kr", 0)},
            ),
            SyntheticDimension("Tid", "år", years, role="time"),
        ],
    )
    return [total, no_total]


def synthetic_current_borders_codelist() -> JsonObject:
    """An `agg_KommSummer` body in the documented shape (id, label, type, values with valueMap), SYNTHETIC."""
    return {
        "id": CURRENT_BORDERS_CODELIST_ID,
        "label": "SYNTHETIC Kommuner summert til dagens grenser",
        "language": "no",
        "type": "Aggregation",
        "elimination": False,
        "values": [
            {"code": "K-0301", "label": "Oslo - Oslove", "valueMap": ["0301"]},
            {"code": "K-3103", "label": "Moss", "valueMap": ["0104", "0136", "3002", "3103"]},
            {"code": "K-4601", "label": "Bergen", "valueMap": ["4601"]},
        ],
    }


def synthetic_counties_body() -> bytes:
    """KLASS 104 codesAt in the recorded 131 response's shape; SYNTHETIC (names from ssb-api.md §5.1)."""
    codes = [
        {
            "code": code,
            "parentCode": None,
            "level": "1",
            "name": name,
            "shortName": "",
            "presentationName": "",
            "validFrom": None,
            "validTo": None,
            "notes": "SYNTHETIC test record (tests/fakessb), not a recorded KLASS answer",
        }
        for code, name in COUNTIES_2024.items()
    ]
    return compact_json({"codes": codes})


# --- the catalogue ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class KlassCodesAt:
    valid_from: date
    valid_to: date | None  # exclusive
    body: bytes


class TableCatalogue:
    """Everything the fake server can answer. Thread-safe: tests change it while the server reads it."""

    def __init__(self, max_cells: int = DEFAULT_MAX_CELLS) -> None:
        self.max_cells = max_cells  # enforced on data requests and announced as /config maxDataCells
        self.config_calls = 0  # /config maxCallsPerTimeWindow; 0 as SSB reports since 2026 (ssb-api.md §3.2)
        self.config_window = 0  # /config timeWindow (seconds)
        self._v0_only: set[str] = set()
        self._lock = threading.Lock()
        self._tables: dict[str, FakeTable] = {}
        self._synthetic: dict[str, SyntheticTable] = {}
        self._codelists: dict[str, bytes] = {}
        self._klass_codes_at: dict[str, list[KlassCodesAt]] = {}
        self._klass_changes: dict[str, list[JsonObject]] = {}
        self._v0_recorded_queries: dict[str, list[tuple[JsonObject, bytes]]] = {}

    @classmethod
    def from_recordings(cls, api_fixtures: Path, klass_changes_csv: Path | None = None) -> TableCatalogue:
        """The real recorded responses (12134 v2, 07221 and 09895 v0, KLASS 131 codesAt) read from disk."""
        catalogue = cls()
        for name in (RECORDED_V2_12134, RECORDED_V0_07221, RECORDED_V0_09895):
            catalogue.add_recorded_table((api_fixtures / name).read_bytes())
        query = json.loads((api_fixtures / RECORDED_V0_07221_QUERY).read_bytes())
        catalogue.add_v0_recorded_query("07221", query, (api_fixtures / RECORDED_V0_07221).read_bytes())
        klass_body = (api_fixtures / RECORDED_KLASS_131).read_bytes()
        catalogue.add_klass_codes_at("131", RECORDED_KLASS_131_DATE, klass_body)
        if klass_changes_csv is not None:
            with klass_changes_csv.open(encoding="utf-8", newline="") as handle:
                catalogue.add_klass_changes("131", list(csv.DictReader(handle)))
        return catalogue

    @classmethod
    def standard(cls, api_fixtures: Path, klass_changes_csv: Path | None = None) -> TableCatalogue:
        """The recordings plus the standard synthetic tables, codelists and KLASS 104 counties."""
        catalogue = cls.from_recordings(api_fixtures, klass_changes_csv)
        catalogue.add_synthetic(standard_synthetic_table())
        catalogue.add_synthetic(synthetic_population_table())
        for table in synthetic_settlement_tables():
            catalogue.add_synthetic(table)
        catalogue.add_codelist(CURRENT_BORDERS_CODELIST_ID, synthetic_current_borders_codelist())
        catalogue.add_klass_codes_at("104", date(2024, 1, 1), synthetic_counties_body(), valid_to=date(2100, 1, 1))
        catalogue.add_codelist(
            SYNTHETIC_CODELIST_ID,
            {
                "id": SYNTHETIC_CODELIST_ID,
                "label": "SYNTHETIC aggregation for tests",
                "language": "no",
                "type": "Aggregation",
                "elimination": False,
                "values": [{"code": "K-SYNT", "label": "SYNTHETIC sum", "valueMap": ["0301", "4601"]}],
            },
        )
        return catalogue

    def add_recorded_table(self, body: bytes) -> FakeTable:
        table = recorded_table(body)
        with self._lock:
            self._tables[table.table_id] = table
        return table

    def add_v0_recorded_query(self, table_id: str, query: JsonObject, body: bytes) -> None:
        """A v0 POST body that, sent again unchanged, is answered with the recorded bytes."""
        with self._lock:
            self._v0_recorded_queries.setdefault(table_id, []).append((query, body))

    def v0_recorded_answer(self, table_id: str, query: JsonObject) -> bytes | None:
        with self._lock:
            for recorded_query, body in self._v0_recorded_queries.get(table_id, []):
                if recorded_query == query:
                    return body
        return None

    def add_synthetic(self, table: SyntheticTable) -> None:
        with self._lock:
            self._synthetic[table.table_id] = table
            self._tables[table.table_id] = table.as_fake_table()

    def publish(self, table_id: str, updated: datetime | None = None) -> datetime:
        """Simulate a new publication of a synthetic table: new `updated` (default +1 day) and new values."""
        with self._lock:
            table = self._synthetic.get(table_id)
            if table is None:
                raise KeyError(f"{table_id} is not a synthetic table; recorded tables cannot be republished")
            table.updated = updated if updated is not None else table.updated + timedelta(days=1)
            table.revision += 1
            self._tables[table_id] = table.as_fake_table()
            return table.updated

    def table(self, table_id: str) -> FakeTable:
        with self._lock:
            table = self._tables.get(table_id)
        if table is None:
            raise ApiError(NON_EXISTENT_TABLE, status_in_body=404)
        return table

    def v2_table(self, table_id: str) -> FakeTable:
        """The table as PxWebApi v2 sees it: a table marked v0-only is a "Non-existent table" there."""
        with self._lock:
            legacy_only = table_id in self._v0_only
        if legacy_only:
            raise ApiError(NON_EXISTENT_TABLE, status_in_body=404)
        return self.table(table_id)

    def mark_v0_only(self, table_id: str) -> None:
        """Serve `table_id` through the legacy v0 API only (as a table SSB has not moved to v2)."""
        self.table(table_id)
        with self._lock:
            self._v0_only.add(table_id)

    def config(self) -> bytes:
        """A `/config` body in the documented shape (ssb-api.md §2.1; member names [T]) with SYNTHETIC values."""
        document = {
            "apiVersion": "2.0.0",
            "appVersion": SYNTHETIC_APP_VERSION,
            "languages": [{"id": "no", "label": "Norsk"}, {"id": "en", "label": "English"}],
            "defaultLanguage": "no",
            "maxDataCells": self.max_cells,
            "maxCallsPerTimeWindow": self.config_calls,
            "timeWindow": self.config_window,
            "sourceReferences": [
                {"language": "en", "text": "Source: Statistics Norway"},
                {"language": "no", "text": "Kilde: Statistisk sentralbyrå"},
            ],
            "defaultDataFormat": "json-stat2",
            "dataFormats": ["json-stat2", "csv", "px", "xlsx", "html", "json-px", "parquet"],
        }
        return compact_json(document)

    def table_ids(self) -> list[str]:
        with self._lock:
            return sorted(self._tables)

    def search(self, query: str, past_days: int | None, now: datetime) -> list[JsonObject]:
        """Tables whose id, title, variables or value labels contain every word; `updated:YYYYMMDD*` filters dates."""
        with self._lock:
            tables = [table for table in self._tables.values() if table.table_id not in self._v0_only]
        words = [word.lower() for word in query.split()]
        hits: list[JsonObject] = []
        for table in sorted(tables, key=lambda t: t.table_id):
            updated = str(table.header.get("updated", ""))
            compact_updated = updated[:10].replace("-", "")
            text = table.search_text()
            if not all(_search_word_matches(word, text, compact_updated) for word in words):
                continue
            if past_days is not None and updated:
                published = datetime.fromisoformat(updated.replace("Z", "+00:00"))
                if published < now - timedelta(days=past_days):
                    continue
            hits.append(table.info())
        return hits

    def add_codelist(self, codelist_id: str, body: JsonObject) -> None:
        with self._lock:
            self._codelists[codelist_id] = compact_json(body)

    def codelist(self, codelist_id: str) -> bytes:
        with self._lock:
            body = self._codelists.get(codelist_id)
        if body is None:
            raise ApiError(NON_EXISTENT_CODELIST, status_in_body=404)
        return body

    def codelist_json(self, codelist_id: str) -> JsonObject:
        document: JsonObject = json.loads(self.codelist(codelist_id))
        return document

    def add_klass_codes_at(
        self, classification_id: str, valid_from: date, body: bytes, valid_to: date | None = None
    ) -> None:
        """Serve `body` for codesAt dates in [valid_from, valid_to); by default only for `valid_from` itself."""
        until = valid_to if valid_to is not None else valid_from + timedelta(days=1)
        with self._lock:
            self._klass_codes_at.setdefault(classification_id, []).append(KlassCodesAt(valid_from, until, body))

    def klass_codes_at(self, classification_id: str, at: date) -> bytes:
        with self._lock:
            versions = list(self._klass_codes_at.get(classification_id, []))
        for version in versions:
            if version.valid_from <= at and (version.valid_to is None or at < version.valid_to):
                return version.body
        raise KlassError(404, f"no codes recorded for classification {classification_id} at {at.isoformat()}")

    def add_klass_changes(self, classification_id: str, changes: Iterable[Mapping[str, str]]) -> None:
        with self._lock:
            self._klass_changes.setdefault(classification_id, []).extend(dict(change) for change in changes)

    def klass_changes(self, classification_id: str, start: date, end: date | None) -> bytes:
        with self._lock:
            if classification_id not in self._klass_changes:
                raise KlassError(404, f"no changes known for classification {classification_id}")
            changes = list(self._klass_changes[classification_id])
        chosen = [
            change
            for change in changes
            if start <= date.fromisoformat(change["changeOccurred"])
            and (end is None or date.fromisoformat(change["changeOccurred"]) <= end)
        ]
        return compact_json({"codeChanges": chosen})


def _search_word_matches(word: str, text: str, compact_updated: str) -> bool:
    if word.startswith("updated:"):
        pattern = word.removeprefix("updated:")
        return _wildcard_regex(pattern).match(compact_updated) is not None
    return word in text
