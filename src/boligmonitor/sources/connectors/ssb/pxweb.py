"""SSB PxWebApi v2: one thin, typed function per endpoint (ssb-api.md §2).

============================================  =================================================================
:func:`api_config`                            ``GET /config``
:func:`table_metadata`                        ``GET /tables/{id}/metadata?lang=..&outputFormat=json-stat2``
:func:`table_data`                            ``POST /tables/{id}/data?lang=..&outputFormat=json-stat2``
:func:`search_tables`                         ``GET /tables?query=..&lang=..&includeDiscontinued=..&pageSize=..``
:func:`codelist`                              ``GET /codelists/{id}?lang=..``
:func:`resolve_table_for_contents_code`       search, then metadata of each hit (ssb-api.md §7.1)
============================================  =================================================================

Data is always fetched with POST: GET URLs stop working at about 2 000-2 100 characters (§3.4, [T]) and a
municipality selection passes that quickly. Errors become :class:`~boligmonitor.sources.connectors.ssb.SsbApiError`
naming the table and SSB's ``title``.

Evidence: the endpoint paths and the ``{"selection": [{"variableCode", "valueCodes"}]}`` body are from
ssb-api.md §2.1/§2.4 and are third-party reports [T]; the response shapes of ``/tables`` and ``/codelists``
follow the PxApiSpecs OpenAPI description [I] (no real response of those is recorded yet); the metadata
parser reads the JSON-stat 2.0 form, whose dimensions have the same shape as the real data response
``ssb_pxwebapi_v2_12134_jsonstat2.json`` [V].
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from boligmonitor.sources.connectors.ssb import HttpGetPost, SsbApiError, get_json, post_checked
from boligmonitor.sources.cube import (
    METRIC_DIMENSION_NAMES,
    REGION_DIMENSION_NAMES,
    TIME_DIMENSION_NAMES,
    Cube,
    Unit,
)
from boligmonitor.sources.readers.jsonstat import read_jsonstat

OUTPUT_FORMAT: Final = "json-stat2"
WILDCARD: Final = "*"
CONTENTS_VARIABLE: Final = "ContentsCode"
#: Member name for a codelist inside a POST selection object. janbrus' codelists-and-filters.md shows
#: ``codelist`` [T]; the PxApiSpecs OpenAPI suggests ``codeList`` [I]. Unverified against the live server
#: (ssb-api.md §2.4): the first live fetch with a codelist must confirm it.
CODELIST_MEMBER: Final = "codelist"
#: The aggregation that sums every municipality's series to today's borders (``K-0301``, ``K-3103``, ...;
#: ssb-api.md §5.1, [T]). Fetches use it for the region variable whenever a table's metadata offers it.
CURRENT_BORDERS_CODELIST: Final = "agg_KommSummer"
SEARCH_PAGE_SIZE: Final = 100
MAX_SEARCH_PAGES: Final = 20


# --------------------------------------------------------------------------------------------- /config


@dataclass(frozen=True)
class ApiConfig:
    """What ``GET /config`` says about the API's limits (ssb-api.md §2.1, §3.1-§3.2; member names [T]).

    A limit the server gives as ``0``, leaves out or garbles is ``None``: since 2026 SSB reports
    ``maxCallsPerTimeWindow`` and ``timeWindow`` as ``0``, which means "unknown", not "unlimited" (§3.2).
    """

    max_data_cells: int | None
    max_calls_per_time_window: int | None
    time_window_seconds: int | None
    default_language: str | None = None
    languages: tuple[str, ...] = ()
    data_formats: tuple[str, ...] = ()
    source_references: Mapping[str, str] = field(default_factory=dict)  # language -> attribution text

    @property
    def rate_limit(self) -> tuple[int, int] | None:
        """(calls, seconds) when both are known positive numbers, else None."""
        if self.max_calls_per_time_window is None or self.time_window_seconds is None:
            return None
        return self.max_calls_per_time_window, self.time_window_seconds


def parse_config(document: Any) -> ApiConfig:
    """Read a ``/config`` body; raises :class:`SsbApiError` if it is not a JSON object."""
    if not isinstance(document, Mapping):
        raise SsbApiError("SSB /config", 200, detail="the response is not a JSON object")

    def positive(key: str) -> int | None:
        value = document.get(key)
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            return None
        return value

    languages = tuple(
        str(item.get("id")) if isinstance(item, Mapping) else str(item)
        for item in document.get("languages") or ()
        if isinstance(item, (Mapping, str))
    )
    references = {
        str(item.get("language")): str(item.get("text"))
        for item in document.get("sourceReferences") or ()
        if isinstance(item, Mapping) and isinstance(item.get("text"), str)
    }
    default_language = document.get("defaultLanguage")
    return ApiConfig(
        max_data_cells=positive("maxDataCells"),
        max_calls_per_time_window=positive("maxCallsPerTimeWindow"),
        time_window_seconds=positive("timeWindow"),
        default_language=default_language if isinstance(default_language, str) else None,
        languages=languages,
        data_formats=tuple(str(f) for f in document.get("dataFormats") or () if isinstance(f, str)),
        source_references=references,
    )


def api_config(http: HttpGetPost) -> ApiConfig:
    """``GET /config`` (§2.1, [T]): the cell limit, the rate limit if known, languages, formats, attribution."""
    return parse_config(get_json(http, "config", {}, "SSB /config"))


# --------------------------------------------------------------------------------------------- selection


@dataclass(frozen=True)
class VariableSelection:
    """What to fetch of one variable.

    ``values`` are codes, or SSB selection expressions kept as written: ``*`` (everything), a pattern such as
    ``46*`` or ``????``, or one function ``top(5)``, ``from(2015)``, ... (ssb-api.md §2.2).
    ``codelist`` is the valueset or aggregation the codes belong to (e.g. ``agg_KommSummer``). The response
    does not say which codelist was used (§5.1), so it is stored here and must be kept with the data.
    """

    variable: str
    values: tuple[str, ...]
    codelist: str | None = None

    def __post_init__(self) -> None:
        if not self.values:
            raise ValueError(f"selection for {self.variable!r} is empty: omit the variable to eliminate it")

    @property
    def is_explicit(self) -> bool:
        """True when every value is a plain code (no wildcard, pattern or function)."""
        return not any(_is_expression(value) for value in self.values)


@dataclass(frozen=True)
class Selection:
    """A query over one table: per variable a :class:`VariableSelection`, in the order given.

    A variable left out is eliminated, which the server allows only when its metadata says
    ``elimination: true``; ``ContentsCode`` and the time variable must always be selected (§2.2).
    """

    variables: tuple[VariableSelection, ...]

    def __post_init__(self) -> None:
        names = [v.variable for v in self.variables]
        if len(set(names)) != len(names):
            raise ValueError(f"a variable is selected twice: {names}")

    @classmethod
    def of(cls, values: Mapping[str, Sequence[str] | str], codelists: Mapping[str, str] | None = None) -> Selection:
        """Build from ``{"Region": ["0301", "4601"], "Tid": "top(5)"}`` and optional ``{"Region": "agg_X"}``."""
        codelists = codelists or {}
        unknown = set(codelists) - set(values)
        if unknown:
            raise ValueError(f"codelist given for variables that are not selected: {sorted(unknown)}")
        return cls(
            tuple(
                VariableSelection(name, (chosen,) if isinstance(chosen, str) else tuple(chosen), codelists.get(name))
                for name, chosen in values.items()
            )
        )

    def get(self, variable: str) -> VariableSelection | None:
        for chosen in self.variables:
            if chosen.variable == variable:
                return chosen
        return None

    def replace(self, chosen: VariableSelection) -> Selection:
        """A copy with ``chosen`` in place of the selection of the same variable."""
        return Selection(tuple(chosen if v.variable == chosen.variable else v for v in self.variables))

    def codelists(self) -> dict[str, str]:
        """Variable -> codelist used, to store with every observation fetched with this selection."""
        return {v.variable: v.codelist for v in self.variables if v.codelist is not None}

    def post_body(self) -> dict[str, Any]:
        """The v2 POST body: ``{"selection": [{"variableCode", "valueCodes"[, codelist]}]}`` (§2.4, [T])."""
        items: list[dict[str, Any]] = []
        for chosen in self.variables:
            item: dict[str, Any] = {"variableCode": chosen.variable, "valueCodes": list(chosen.values)}
            if chosen.codelist is not None:
                item[CODELIST_MEMBER] = chosen.codelist
            items.append(item)
        return {"selection": items}


def _is_expression(value: str) -> bool:
    return "*" in value or "?" in value or value.endswith(")")


# --------------------------------------------------------------------------------------------- metadata


@dataclass(frozen=True)
class CodelistRef:
    """A codelist offered for a variable in the table's metadata (``extension.codeLists``)."""

    id: str
    label: str
    type: str  # "Aggregation" or "Valueset" [I: PxApiSpecs]


@dataclass(frozen=True)
class Variable:
    """One variable (dimension) of a table as its metadata describes it."""

    id: str
    label: str
    codes: tuple[str, ...]
    labels: tuple[str, ...]
    role: str | None = None  # "time", "geo", "metric" from the JSON-stat roles, else by SSB's usual names
    elimination: bool = False
    elimination_code: str | None = None
    codelists: tuple[CodelistRef, ...] = ()
    units: Mapping[str, Unit] = field(default_factory=dict)
    children: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # JSON-stat ``category.child``

    @property
    def size(self) -> int:
        return len(self.codes)

    @property
    def total_code(self) -> str | None:
        """The category the metadata marks as the total of all the others, or None.

        Marked either by ``extension.eliminationValueCode`` (the value an elimination gives, e.g. ``TOTAL``
        in 07221, ssb-api.md §8.4 [V]) or by a JSON-stat ``category.child`` hierarchy whose root covers every
        other code [I: JSON-stat 2.0 specification]. A label such as "I alt" is not read as a mark: that would
        be a guess.
        """
        if self.elimination_code is not None and self.elimination_code in self.codes:
            return self.elimination_code
        others = set(self.codes)
        for parent in self.children:
            if parent in others and self._descendants(parent) == others - {parent}:
                return parent
        return None

    def _descendants(self, parent: str) -> set[str]:
        found: set[str] = set()
        waiting = list(self.children.get(parent, ()))
        while waiting:
            code = waiting.pop()
            if code not in found:
                found.add(code)
                waiting.extend(self.children.get(code, ()))
        return found

    def label_of(self, code: str) -> str:
        return self.labels[self.codes.index(code)]


@dataclass(frozen=True)
class TableMetadata:
    """A table's variables, codes, units, eliminations, codelists, notes and ``updated`` timestamp."""

    table_id: str
    label: str
    updated: str | None
    variables: tuple[Variable, ...]
    notes: tuple[str, ...] = ()
    mandatory_notes: tuple[int, ...] = ()  # positions in ``notes`` that must be shown with the data
    source: str = ""

    def variable(self, variable_id: str) -> Variable:
        for variable in self.variables:
            if variable.id == variable_id:
                return variable
        raise KeyError(f"table {self.table_id} has no variable {variable_id!r}")

    def has_variable(self, variable_id: str) -> bool:
        return any(v.id == variable_id for v in self.variables)

    def by_role(self, role: str) -> Variable | None:
        return next((v for v in self.variables if v.role == role), None)

    @property
    def contents_codes(self) -> tuple[str, ...]:
        metric = self.by_role("metric")
        return metric.codes if metric is not None else ()

    def unit_of(self, contents_code: str) -> Unit | None:
        metric = self.by_role("metric")
        return None if metric is None else metric.units.get(contents_code)


def parse_metadata(document: Any, table_id: str) -> TableMetadata:
    """Read the JSON-stat 2.0 form of ``/tables/{id}/metadata``; raises :class:`SsbApiError` if malformed."""
    what = f"metadata of SSB table {table_id}"
    if not isinstance(document, Mapping) or not isinstance(document.get("dimension"), Mapping):
        raise SsbApiError(what, 200, detail="not a JSON-stat 2.0 metadata document (no 'dimension' object)")
    dimensions: Mapping[str, Any] = document["dimension"]
    ids: list[Any] = document["id"] if isinstance(document.get("id"), list) else list(dimensions)
    roles = _roles(document.get("role"))
    variables = tuple(_variable(str(variable_id), dimensions.get(variable_id), roles, what) for variable_id in ids)
    notes = tuple(note for note in document.get("note") or () if isinstance(note, str))
    mandatory = _mapping(_mapping(document.get("extension")).get("noteMandatory"))
    mandatory_notes = tuple(
        sorted(int(k) for k, shown in mandatory.items() if shown and str(k).isdigit() and int(k) < len(notes))
    )
    return TableMetadata(
        table_id=table_id,
        label=str(document.get("label") or ""),
        updated=document.get("updated") if isinstance(document.get("updated"), str) else None,
        variables=variables,
        notes=notes,
        mandatory_notes=mandatory_notes,
        source=str(document.get("source") or ""),
    )


def _mapping(value: Any) -> Mapping[str, Any]:
    """``value`` if it is a JSON object, else an empty one: optional members are read leniently."""
    return value if isinstance(value, Mapping) else {}


def _roles(role_member: Any) -> dict[str, str]:
    roles: dict[str, str] = {}
    if isinstance(role_member, Mapping):
        for role, named in role_member.items():
            for variable_id in named if isinstance(named, list) else ():
                roles.setdefault(str(variable_id), str(role))
    return roles


def role_by_name(variable_id: str) -> str | None:
    # v0 responses lack role.geo (ssb-api.md §4.2); metadata may too.
    if variable_id in METRIC_DIMENSION_NAMES:
        return "metric"
    if variable_id in TIME_DIMENSION_NAMES:
        return "time"
    if variable_id in REGION_DIMENSION_NAMES:
        return "geo"
    return None


def _variable(variable_id: str, member: Any, roles: Mapping[str, str], what: str) -> Variable:
    if not isinstance(member, Mapping) or not isinstance(member.get("category"), Mapping):
        raise SsbApiError(what, 200, detail=f"dimension {variable_id!r} has no category object")
    category: Mapping[str, Any] = member["category"]
    index = category.get("index")
    labels_member = _mapping(category.get("label"))
    if isinstance(index, Mapping):
        codes = tuple(str(code) for code, _ in sorted(index.items(), key=lambda item: item[1]))
    elif isinstance(index, list):
        codes = tuple(str(code) for code in index)
    else:
        codes = tuple(str(code) for code in labels_member)
    extension = _mapping(member.get("extension"))
    units = {
        str(code): Unit(base=str(unit.get("base") or ""), decimals=unit.get("decimals"))
        for code, unit in _mapping(category.get("unit")).items()
        if isinstance(unit, Mapping)
    }
    children = {
        str(parent): tuple(str(child) for child in kids)
        for parent, kids in _mapping(category.get("child")).items()
        if isinstance(kids, list)
    }
    elimination_code = extension.get("eliminationValueCode")
    return Variable(
        id=variable_id,
        label=str(member.get("label") or variable_id),
        codes=codes,
        labels=tuple(str(labels_member.get(code, code)) for code in codes),
        role=roles.get(variable_id) or role_by_name(variable_id),
        elimination=bool(extension.get("elimination", False)),
        elimination_code=str(elimination_code) if elimination_code is not None else None,
        codelists=tuple(_codelist_refs(extension.get("codeLists") or extension.get("codelists"))),
        units=units,
        children=children,
    )


def _codelist_refs(raw: Any) -> Iterable[CodelistRef]:
    for item in raw if isinstance(raw, list) else ():
        if isinstance(item, Mapping) and isinstance(item.get("id"), str):
            yield CodelistRef(id=item["id"], label=str(item.get("label") or ""), type=str(item.get("type") or ""))


def table_metadata(http: HttpGetPost, table_id: str, lang: str = "no") -> TableMetadata:
    """``GET /tables/{table_id}/metadata?lang=..&outputFormat=json-stat2`` (§2.1, path [T])."""
    params = {"lang": lang, "outputFormat": OUTPUT_FORMAT}
    document = get_json(http, f"tables/{table_id}/metadata", params, f"metadata of SSB table {table_id}")
    return parse_metadata(document, table_id)


# --------------------------------------------------------------------------------------------- data


def table_data(http: HttpGetPost, table_id: str, selection: Selection, lang: str = "no") -> Cube:
    """``POST /tables/{table_id}/data?lang=..&outputFormat=json-stat2`` with ``selection.post_body()``.

    Ask only for codes that are in the table's metadata: one unknown or retired code fails the whole request
    with "Non-existent value" (§3.3, [V]). The returned cube does not record the codelists used; take them
    from ``selection.codelists()``.
    """
    what = f"data from SSB table {table_id}"
    params = {"lang": lang, "outputFormat": OUTPUT_FORMAT}
    response = post_checked(http, f"tables/{table_id}/data", selection.post_body(), params, what)
    return read_jsonstat(response.body, name=f"SSB table {table_id}")


# --------------------------------------------------------------------------------------------- search


@dataclass(frozen=True)
class TableSummary:
    """One hit of ``/tables``: enough to choose a table before reading its metadata."""

    id: str
    label: str
    updated: str | None
    first_period: str | None
    last_period: str | None
    variable_names: tuple[str, ...]
    discontinued: bool | None


def search_tables(
    http: HttpGetPost, query: str, include_discontinued: bool = True, lang: str = "no"
) -> list[TableSummary]:
    """``GET /tables?query=..&lang=..&includeDiscontinued=..&pageSize=100&pageNumber=n``, all pages (§2.1, [T]).

    Pages are followed while ``page.totalPages`` says there are more, at most :data:`MAX_SEARCH_PAGES`.
    """
    found: list[TableSummary] = []
    for page_number in range(1, MAX_SEARCH_PAGES + 1):
        params = {
            "query": query,
            "lang": lang,
            "includeDiscontinued": "true" if include_discontinued else "false",
            "pageSize": str(SEARCH_PAGE_SIZE),
            "pageNumber": str(page_number),
        }
        body = get_json(http, "tables", params, f"SSB table search {query!r}")
        tables = body.get("tables") if isinstance(body, Mapping) else None
        if not isinstance(tables, list):
            raise SsbApiError(f"SSB table search {query!r}", 200, detail="the response has no 'tables' list")
        found.extend(_table_summary(item) for item in tables if isinstance(item, Mapping) and "id" in item)
        total_pages = _mapping(body.get("page")).get("totalPages")
        if not isinstance(total_pages, int) or page_number >= total_pages:
            break
    return found


def _table_summary(item: Mapping[str, Any]) -> TableSummary:
    def text(key: str) -> str | None:
        value = item.get(key)
        return value if isinstance(value, str) else None

    discontinued = item.get("discontinued")
    return TableSummary(
        id=str(item["id"]),
        label=text("label") or "",
        updated=text("updated"),
        first_period=text("firstPeriod"),
        last_period=text("lastPeriod"),
        variable_names=tuple(str(n) for n in item.get("variableNames") or ()),
        discontinued=discontinued if isinstance(discontinued, bool) else None,
    )


# --------------------------------------------------------------------------------------------- codelists


@dataclass(frozen=True)
class CodelistValue:
    """One value of a codelist; ``value_map`` lists the table codes it stands for (K-3103 -> 0104, 0136, ...)."""

    code: str
    label: str
    value_map: tuple[str, ...]


@dataclass(frozen=True)
class Codelist:
    """A valueset or aggregation from ``/codelists/{id}`` (e.g. ``agg_KommSummer``)."""

    id: str
    label: str
    type: str
    values: tuple[CodelistValue, ...]

    def value_map(self) -> dict[str, tuple[str, ...]]:
        return {value.code: value.value_map for value in self.values}


def codelist(http: HttpGetPost, codelist_id: str, lang: str = "no") -> Codelist:
    """``GET /codelists/{codelist_id}?lang=..`` (§2.1, [T]; response shape per PxApiSpecs [I])."""
    what = f"SSB codelist {codelist_id}"
    body = get_json(http, f"codelists/{codelist_id}", {"lang": lang}, what)
    values = body.get("values") if isinstance(body, Mapping) else None
    if not isinstance(values, list):
        raise SsbApiError(what, 200, detail="the response has no 'values' list")
    return Codelist(
        id=str(body.get("id") or codelist_id),
        label=str(body.get("label") or ""),
        type=str(body.get("type") or ""),
        values=tuple(
            CodelistValue(
                code=str(value["code"]),
                label=str(value.get("label") or value["code"]),
                value_map=tuple(str(code) for code in value.get("valueMap") or ()),
            )
            for value in values
            if isinstance(value, Mapping) and "code" in value
        ),
    )


# --------------------------------------------------------------------------------------------- resolving


def resolve_table_for_contents_code(http: HttpGetPost, contents_code: str, query_words: Sequence[str]) -> str | None:
    """The id of a table whose ``ContentsCode`` holds ``contents_code``, or None (ssb-api.md §7.1, [I]).

    Searches ``/tables`` for ``query_words`` (discontinued tables included), then reads the metadata of each
    hit until one has the code. Tables that are not discontinued are tried first, newest ``updated`` first,
    so a re-published table wins over its discontinued predecessor; among equals SSB's order is kept.
    One metadata call per hit tried: the caller should cache the result (contents code -> table id).
    """
    hits = search_tables(http, " ".join(query_words), include_discontinued=True)
    # Two stable sorts: newest `updated` first, then current tables before discontinued ones.
    ranked = sorted(hits, key=lambda hit: hit.updated or "", reverse=True)
    ranked.sort(key=lambda hit: hit.discontinued is True)
    for hit in ranked:
        metadata = table_metadata(http, hit.id)
        if contents_code in metadata.contents_codes:
            return hit.id
    return None
