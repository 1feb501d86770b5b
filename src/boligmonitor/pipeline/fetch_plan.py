"""`boligmonitor fetch --plan`: the data requests a fetch of the catalogue's SSB tables would make.

For every SSB table the catalogue names (and, for KOSTRA ContentsCodes whose table id is not known, the table
found by searching SSB's table list), the plan reads the table's metadata, selects what the catalogue needs
(:func:`table_selection`: one selection, or two when the municipalities come over a codelist and the country
and counties with the table's own codes) and splits each selection into the fewest requests under SSB's cell limit
(sources/connectors/ssb/requests.py), using ``maxDataCells`` from ``GET /config`` when SSB states it (never above
our own default). A table that PxWebApi v2 does not know is looked up in the legacy v0 API. Only ``/config``,
metadata, codelist and table-search calls are made; no data is requested. The refresh
(:mod:`boligmonitor.pipeline.refresh`) fetches exactly these requests.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field

from boligmonitor.catalog.models import Catalog
from boligmonitor.core.regions import RegionLevel, normalise_region_code, region_level
from boligmonitor.sources.connectors.http import PoliteClient, WindowLimit
from boligmonitor.sources.connectors.http.archive import NO_CODELIST
from boligmonitor.sources.connectors.ssb import HttpGetPost, SsbApiError, pxweb, pxweb_v0
from boligmonitor.sources.connectors.ssb.requests import (
    CURRENT_API,
    DEFAULT_MAX_CELLS,
    LEGACY_API,
    PlannedRequest,
    effective_max_cells,
    plan_requests,
)

logger = logging.getLogger(__name__)

V0_LANGUAGE = "no"


@dataclass(frozen=True)
class TableNeed:
    """What the catalogue needs from one SSB table (table_id None: to be found by ContentsCode)."""

    table_id: str | None
    contents_codes: frozenset[str]
    indicators: frozenset[str]


@dataclass(frozen=True)
class FetchLimits:
    """The cell limit to split under and the ``/config`` it came from (None: /config could not be read)."""

    max_cells: int
    config: pxweb.ApiConfig | None
    warning: str | None = None


@dataclass(frozen=True)
class LocatedTable:
    """A table's metadata and the API that has it: ``"v2"``, or ``"v0"`` for a table only the legacy API has."""

    metadata: pxweb.TableMetadata
    api: str

    @property
    def is_legacy(self) -> bool:
        return self.api == LEGACY_API


@dataclass
class FetchPlan:
    requests: list[PlannedRequest] = field(default_factory=list)
    metadata_calls: int = 0
    max_cells: int = DEFAULT_MAX_CELLS
    config: pxweb.ApiConfig | None = None
    resolved: dict[str, str] = field(default_factory=dict)  # ContentsCode -> table id found by search
    codelists: dict[str, str] = field(default_factory=dict)  # table id -> region codelist used ("none")
    # table id -> the levels fetched with the table's own codes beside a codelist ("country and counties")
    own_regions: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def total_cells(self) -> int:
        return sum(request.cells for request in self.requests)

    def describe(self) -> list[str]:
        lines = [_config_line(self.config, self.max_cells)]
        for r in self.requests:
            api = " via the legacy v0 API" if r.api == LEGACY_API else ""
            lines.append(f"{r.table_id}: {_thousands(r.cells)} cells{api}{self._region_note(r)}")
        lines.append(
            f"{len(self.requests)} data requests, {_thousands(self.total_cells)} cells; "
            f"{self.metadata_calls} /config, metadata, codelist and search calls to make the plan"
        )
        lines.extend(f"warning: {warning}" for warning in self.warnings)
        lines.extend(f"problem: {problem}" for problem in self.problems)
        return lines

    def _region_note(self, request: PlannedRequest) -> str:
        codelist = self.codelists.get(request.table_id, NO_CODELIST)
        if codelist == NO_CODELIST:
            return ""
        own = self.own_regions.get(request.table_id)
        if own is None:
            return f", region codelist {codelist}"
        if codelist in request.selection.codelists().values():
            return f", region codelist {codelist} for municipalities"
        return f", region codelist {NO_CODELIST} for {own}"


def _config_line(config: pxweb.ApiConfig | None, max_cells: int) -> str:
    if config is None:
        return f"cell limit {_thousands(max_cells)} (default; SSB /config not read)"
    announced = _thousands(config.max_data_cells) if config.max_data_cells else "not stated"
    rate = config.rate_limit
    calls = f"{rate[0]} calls per {rate[1]} s" if rate else "rate limit not stated (0 = unknown)"
    return f"cell limit {_thousands(max_cells)} (SSB /config: maxDataCells {announced}; {calls})"


def _thousands(number: int) -> str:
    return f"{number:,}".replace(",", " ")


# --------------------------------------------------------------------------------------------- limits


def read_limits(http: HttpGetPost, ceiling: int = DEFAULT_MAX_CELLS) -> FetchLimits:
    """``GET /config`` once: its ``maxDataCells`` (never above ``ceiling``); the defaults with a warning if
    the call fails. A rate limit it states is added to the polite client's limiter (only ever stricter)."""
    try:
        config = pxweb.api_config(http)
    except SsbApiError as error:
        warning = f"SSB /config could not be read ({error}); using the default cell limit {_thousands(ceiling)}"
        logger.warning(warning)
        return FetchLimits(ceiling, None, warning)
    rate = config.rate_limit
    if rate is not None and isinstance(http, PoliteClient):
        http.limiter.add_limit(WindowLimit(rate[0], float(rate[1])))
    return FetchLimits(effective_max_cells(config.max_data_cells, ceiling), config)


# --------------------------------------------------------------------------------------------- needs


def table_needs(catalog: Catalog, only: Collection[str] | None = None) -> list[TableNeed]:
    """SSB sources of the catalogue grouped by table; ContentsCodes without a known table stay separate."""
    codes: dict[str | None, set[str]] = defaultdict(set)
    indicators: dict[str | None, set[str]] = defaultdict(set)
    unresolved: dict[str, set[str]] = defaultdict(set)
    for indicator in catalog.indicators:
        for source in indicator.sources:
            if source.publisher != "SSB":
                continue
            if source.table and not source.resolve_by_contents_code:
                indicators[source.table].add(indicator.id)
                if source.contents_code:
                    codes[source.table].add(source.contents_code)
            elif source.contents_code:
                unresolved[source.contents_code].add(indicator.id)
    needs = [
        TableNeed(table, frozenset(codes[table]), frozenset(indicators[table]))
        for table in sorted(t for t in indicators if t is not None)
        if only is None or table in only
    ]
    if only is None:
        needs.extend(TableNeed(None, frozenset({code}), frozenset(ids)) for code, ids in sorted(unresolved.items()))
    else:
        needs.extend(TableNeed(table, frozenset(), frozenset()) for table in sorted(only) if table not in indicators)
    return needs


def recipe_dimensions(catalog: Catalog) -> dict[str, frozenset[str]]:
    """Dataset key (``ssb:07459``) -> the dimensions the catalogue's recipes select categories of.

    A dataset no recipe uses is absent: nothing is known about which of its categories matter.
    """
    selected: dict[str, set[str]] = defaultdict(set)
    for indicator in catalog.indicators:
        if indicator.recipe is None:
            continue
        for _, selection in indicator.recipe.selections():
            selected[selection.dataset] |= set(selection.select)
    return {dataset: frozenset(dimensions) for dataset, dimensions in selected.items()}


def resolve_needs(
    http: HttpGetPost, needs: list[TableNeed], problems: list[str], resolved: dict[str, str]
) -> dict[str, set[str]]:
    """Table id -> the ContentsCodes wanted from it; KOSTRA codes without a table id are found by search
    (SSB renumbers tables; the ContentsCode is the stable key). Codes that cannot be placed go to ``problems``."""
    wanted: dict[str, set[str]] = defaultdict(set)
    for need in needs:
        table_id = need.table_id
        if table_id is None:
            [code] = need.contents_codes
            try:
                table_id = pxweb.resolve_table_for_contents_code(http, code, [code])
            except SsbApiError as error:
                problems.append(f"ContentsCode {code}: {error}")
                continue
            if table_id is None:
                problems.append(f"ContentsCode {code} ({', '.join(sorted(need.indicators))}): no table found")
                continue
            resolved[code] = table_id
        wanted[table_id] |= need.contents_codes
    return wanted


def v0_table_path(table_id: str) -> str:
    """The legacy API's path for a table, relative to :data:`~boligmonitor.sources.connectors.ssb.PXWEB_V0_BASE_URL`."""
    return f"{V0_LANGUAGE}/table/{table_id}"


def locate_table(http: HttpGetPost, v0: HttpGetPost | None, table_id: str) -> LocatedTable:
    """The table's v2 metadata; if v2 answers "Non-existent table" and ``v0`` is given, its v0 metadata.

    Raises the v2 :class:`SsbApiError` when neither API has the table (or for any other failure).
    """
    try:
        return LocatedTable(pxweb.table_metadata(http, table_id), CURRENT_API)
    except SsbApiError as error:
        if v0 is None or not is_missing_table(error):
            raise
        try:
            return LocatedTable(pxweb_v0.v0_table_metadata(v0, v0_table_path(table_id), table_id), LEGACY_API)
        except SsbApiError:
            raise error from None


def is_missing_table(error: SsbApiError) -> bool:
    """SSB's "Non-existent table": HTTP 400 with body status 404 (ssb-api.md §3.3), or a plain 404."""
    return error.api_status == 404 or error.http_status == 404


# --------------------------------------------------------------------------------------------- selection


class Codelists:
    """Codelists loaded from ``/codelists/{id}`` once per fetch, so a selection over one can be split."""

    def __init__(self, http: HttpGetPost) -> None:
        self.http = http
        self.loaded: dict[str, pxweb.Codelist] = {}
        self.failed: dict[str, str] = {}
        self.calls = 0

    def get(self, codelist_id: str) -> pxweb.Codelist | None:
        if codelist_id not in self.loaded and codelist_id not in self.failed:
            self.calls += 1
            try:
                self.loaded[codelist_id] = pxweb.codelist(self.http, codelist_id)
            except SsbApiError as error:
                self.failed[codelist_id] = str(error)
        return self.loaded.get(codelist_id)


@dataclass(frozen=True)
class TableSelection:
    """What to ask a table for, and what the catalogue wanted that it lacks.

    With a region codelist, ``selection`` asks for the municipalities over it and ``own_regions`` (when the
    table has any) for the table's own codes of the other levels -- country, counties, ... -- without it: an
    aggregation such as ``agg_KommSummer`` returns municipalities only, and the build never sums
    municipalities into Norway or a county, whose published values are the benchmarks.
    """

    selection: pxweb.Selection
    missing_contents: frozenset[str]
    eliminated: tuple[str, ...] = ()  # variables left out so that the server sums them
    region_codelist: str = NO_CODELIST  # the codelist the region codes come from, "none" for the table's own
    notes: tuple[str, ...] = ()
    own_regions: pxweb.Selection | None = None  # the other levels with the table's own codes, no codelist
    own_region_levels: str = ""  # what ``own_regions`` holds, in words: "country and counties"

    @property
    def selections(self) -> tuple[pxweb.Selection, ...]:
        """Every selection to fetch for the table; their answers together make one cube."""
        return (self.selection,) if self.own_regions is None else (self.selection, self.own_regions)

    def region_provenance(self) -> str:
        """Which codelist the region codes came from, per part: SSB's response does not say (§5.1)."""
        if self.own_regions is None:
            return f"region codelist {self.region_codelist}"
        return f"region codelist {self.region_codelist} for municipalities; {NO_CODELIST} for {self.own_region_levels}"


def table_selection(
    metadata: pxweb.TableMetadata,
    contents: Iterable[str],
    selected_dimensions: frozenset[str] | None = None,
    codelists: Codelists | None = None,
) -> TableSelection:
    """Every code of every variable, except:

    - ContentsCode: only the catalogue's codes (all when none are named);
    - the region variable: when the metadata offers ``agg_KommSummer`` (series summed to today's borders,
      ssb-api.md §5.1) and ``codelists`` can load it, all its K-codes instead of the table's own municipality
      codes; the table's own codes of every other level (country, counties, ...) are then selected without
      the codelist in a second selection, ``own_regions``, with the same codes of the other variables;
    - when the catalogue's recipes use this table (``selected_dimensions`` is not None): a variable the recipes
      do not select and the table allows to eliminate is left out, so SSB returns its total (ssb-api.md §2.2,
      §2.5). A live 07459 then has no ``Kjonn`` dimension, like the recipes expect (both sexes together).
    """
    wanted = set(contents)
    values: dict[str, list[str] | str] = {}
    chosen_codelists: dict[str, str] = {}
    missing: set[str] = set()
    eliminated: list[str] = []
    notes: list[str] = []
    region_codelist = NO_CODELIST
    own_codes: tuple[str, list[str]] | None = None  # region variable, its own codes that are not municipalities
    for variable in metadata.variables:
        if variable.role == "metric" and wanted:
            present = [code for code in variable.codes if code in wanted]
            missing = wanted - set(present)
            values[variable.id] = present or list(variable.codes)
        elif variable.role == "geo" and _offers_current_borders(variable) and codelists is not None:
            loaded = codelists.get(pxweb.CURRENT_BORDERS_CODELIST)
            if loaded is not None and loaded.values:
                values[variable.id] = [value.code for value in loaded.values]
                chosen_codelists[variable.id] = loaded.id
                region_codelist = loaded.id
                own_codes = (variable.id, [code for code in variable.codes if not _is_municipality(code)])
            else:
                reason = codelists.failed.get(pxweb.CURRENT_BORDERS_CODELIST, "it has no values")
                notes.append(f"codelist {pxweb.CURRENT_BORDERS_CODELIST} not used ({reason}): codes as published")
                values[variable.id] = list(variable.codes)
        elif (
            selected_dimensions is not None
            and variable.role not in ("geo", "time", "metric")
            and variable.elimination
            and variable.id not in selected_dimensions
            and variable.size > 1
        ):
            eliminated.append(variable.id)
        else:
            values[variable.id] = list(variable.codes)
    own_regions: pxweb.Selection | None = None
    own_levels = ""
    if own_codes is not None and own_codes[1]:
        region, codes = own_codes
        others = {name: codelist for name, codelist in chosen_codelists.items() if name != region}
        own_regions = pxweb.Selection.of({**values, region: codes}, others)
        own_levels = describe_region_levels(codes)
    return TableSelection(
        selection=pxweb.Selection.of(values, chosen_codelists),
        missing_contents=frozenset(missing),
        eliminated=tuple(eliminated),
        region_codelist=region_codelist,
        notes=tuple(notes),
        own_regions=own_regions,
        own_region_levels=own_levels,
    )


def _is_municipality(code: str) -> bool:
    return region_level(normalise_region_code(code)) is RegionLevel.MUNICIPALITY


_LEVEL_NAMES: dict[RegionLevel | None, str] = {
    RegionLevel.COUNTRY: "country",
    RegionLevel.COUNTY: "counties",
    RegionLevel.DISTRICT: "districts",
    RegionLevel.KOSTRA_GROUP: "KOSTRA groups",
    None: "other region codes",
}


def describe_region_levels(codes: Iterable[str]) -> str:
    """The levels of ``codes`` in words, largest first: ``"country and counties"``."""
    present = {region_level(normalise_region_code(code)) for code in codes}
    names = [name for level, name in _LEVEL_NAMES.items() if level in present]
    if not names:
        return "no regions"
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _offers_current_borders(variable: pxweb.Variable) -> bool:
    return any(ref.id == pxweb.CURRENT_BORDERS_CODELIST for ref in variable.codelists)


# --------------------------------------------------------------------------------------------- the plan


def plan_fetch(
    http: HttpGetPost,
    catalog: Catalog,
    only: Collection[str] | None = None,
    max_cells: int = DEFAULT_MAX_CELLS,
    v0: HttpGetPost | None = None,
) -> FetchPlan:
    """The requests a fetch would make. ``max_cells`` is the ceiling for ``/config``'s ``maxDataCells``;
    ``v0`` (bound to the legacy API) lets tables that v2 lacks be planned through the legacy API."""
    plan = FetchPlan()
    limits = read_limits(http, max_cells)
    plan.metadata_calls += 1
    plan.max_cells, plan.config = limits.max_cells, limits.config
    if limits.warning:
        plan.warnings.append(limits.warning)
    needs = table_needs(catalog, only)
    plan.metadata_calls += sum(1 for need in needs if need.table_id is None)
    wanted_codes = resolve_needs(http, needs, plan.problems, plan.resolved)
    dimensions = recipe_dimensions(catalog)
    codelists = Codelists(http)
    tables: dict[str, tuple[pxweb.TableMetadata, Sequence[pxweb.Selection]]] = {}
    legacy: set[str] = set()
    for table_id, contents in wanted_codes.items():
        plan.metadata_calls += 1
        try:
            located = locate_table(http, v0, table_id)
        except SsbApiError as error:
            plan.problems.append(f"table {table_id}: {error}")
            continue
        if located.is_legacy:
            legacy.add(table_id)
            chosen = table_selection(located.metadata, contents, dimensions.get(f"ssb:{table_id}"))
        else:
            chosen = table_selection(located.metadata, contents, dimensions.get(f"ssb:{table_id}"), codelists)
        if chosen.missing_contents:
            plan.problems.append(f"table {table_id} has no ContentsCode {', '.join(sorted(chosen.missing_contents))}")
        plan.warnings.extend(f"table {table_id}: {note}" for note in chosen.notes)
        plan.codelists[table_id] = chosen.region_codelist
        if chosen.own_regions is not None:
            plan.own_regions[table_id] = chosen.own_region_levels
        tables[table_id] = (located.metadata, chosen.selections)
    plan.metadata_calls += codelists.calls
    plan.requests = plan_requests(tables, plan.max_cells, codelists.loaded, legacy)
    return plan
