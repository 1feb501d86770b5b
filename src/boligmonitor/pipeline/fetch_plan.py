"""`boligmonitor fetch --plan`: the requests a fetch would make, per source (SSB, KLASS, Husbanken) and in total.

:func:`plan_sources` puts the three together (:class:`SourcesPlan`); the SSB part is :func:`plan_fetch`, the
Husbanken part :func:`~boligmonitor.pipeline.refresh_husbanken.plan_husbanken_refresh`, and KLASS always asks
the same three questions (:data:`KLASS_REQUESTS`).

For every SSB table the catalogue's recipes read (and, for ContentsCodes whose table id is not known, the table
found by searching SSB's table list), the plan reads the table's metadata, builds the query from it and from
the recipe parts that read the table (:func:`table_selection`, :mod:`~boligmonitor.sources.connectors.ssb.query`:
one selection, or two when the municipalities come over a codelist and the country and counties with the table's
own codes; a variable no recipe settles that cannot be eliminated and has no total is a problem, and the table
is not asked for) and splits each selection into the fewest requests under SSB's cell limit
(sources/connectors/ssb/requests.py), using ``maxDataCells`` from ``GET /config`` when SSB states it (never above
our own default). A table that PxWebApi v2 does not know is looked up in the legacy v0 API. Only ``/config``,
metadata, codelist and table-search calls are made; no data is requested. The refresh
(:mod:`boligmonitor.pipeline.refresh`) fetches exactly these requests.
"""

from __future__ import annotations

import functools
import logging
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from boligmonitor.catalog.models import Catalog, Selection
from boligmonitor.pipeline.refresh_husbanken import HusbankenRefreshPlan, HusbankenSource, plan_husbanken_refresh
from boligmonitor.sources.connectors.http import PoliteClient, WindowLimit
from boligmonitor.sources.connectors.http.archive import NO_CODELIST
from boligmonitor.sources.connectors.ssb import HttpGetPost, SsbApiError, pxweb, pxweb_v0
from boligmonitor.sources.connectors.ssb.query import (
    Codelists,
    PartNeed,
    TableQuery,
    build_query,
    describe_region_levels,
)
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
    queries: dict[str, TableQuery] = field(default_factory=dict)  # table id -> the query built from its metadata
    supplies: list[DatasetSupply] = field(default_factory=list)  # catalogue datasets staged from found tables
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
        lines.extend(f"dataset {supply.describe()}" for supply in self.supplies)
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


@dataclass(frozen=True)
class RecipePart:
    """One recipe part that reads an SSB dataset: which indicator and part, its selection, and the table the
    source names (None: the table is found at fetch time by the part's ContentsCode)."""

    indicator: str
    part: str
    selection: Selection
    table: str | None

    @property
    def who(self) -> str:
        return f"{self.indicator} {self.part}"

    def need(self) -> PartNeed:
        """What the part needs of its table, for the query builder."""
        selection = self.selection
        chooses = {name: functools.partial(selection.categories, name) for name in selection.select}
        return PartNeed(self.who, selection.measure, chooses)


def recipe_parts(catalog: Catalog) -> list[RecipePart]:
    """Every recipe part of the catalogue whose dataset is an SSB source of its indicator, in catalogue order."""
    parts: list[RecipePart] = []
    for indicator in catalog.indicators:
        if indicator.recipe is None:
            continue
        for part, selection in indicator.recipe.selections():
            sources = [s for s in indicator.sources if s.dataset == selection.dataset and s.publisher == "SSB"]
            if not sources:
                continue
            source = sources[0]
            fixed = source.table if source.table is not None and not source.resolve_by_contents_code else None
            parts.append(RecipePart(indicator.id, part, selection, fixed))
    return parts


def table_needs(catalog: Catalog, only: Collection[str] | None = None) -> list[TableNeed]:
    """What the recipes read from SSB, grouped by table; ContentsCodes without a known table stay separate (they
    are found by search). With ``only``, just those tables (a table no recipe reads is fetched whole)."""
    codes: dict[str, set[str]] = defaultdict(set)
    indicators: dict[str, set[str]] = defaultdict(set)
    unresolved: dict[str, set[str]] = defaultdict(set)
    for part in recipe_parts(catalog):
        measure = part.selection.measure
        if measure is None:
            continue  # the catalogue refuses an SSB part without a ContentsCode
        if part.table is not None:
            codes[part.table].add(measure)
            indicators[part.table].add(part.indicator)
        else:
            unresolved[measure].add(part.indicator)
    needs = [
        TableNeed(table, frozenset(codes[table]), frozenset(indicators[table]))
        for table in sorted(codes)
        if only is None or table in only
    ]
    if only is None:
        needs.extend(TableNeed(None, frozenset({code}), frozenset(ids)) for code, ids in sorted(unresolved.items()))
    else:
        needs.extend(TableNeed(table, frozenset(), frozenset()) for table in sorted(only) if table not in codes)
    return needs


def parts_by_table(parts: Iterable[RecipePart], resolved: Mapping[str, str]) -> dict[str, list[RecipePart]]:
    """Table id -> the recipe parts it serves: the source's table, or the table found for the part's code."""
    by_table: dict[str, list[RecipePart]] = defaultdict(list)
    for part in parts:
        table = part.table or resolved.get(part.selection.measure or "")
        if table is not None:
            by_table[table].append(part)
    return dict(by_table)


@dataclass(frozen=True)
class DatasetSupply:
    """A catalogue dataset whose ContentsCodes come from tables found by search (or from more than one table):
    the fetch stages it under the catalogue's key, from those tables' cubes (``table -> codes``)."""

    dataset: str
    tables: Mapping[str, tuple[str, ...]]

    def describe(self) -> str:
        listed = "; ".join(f"{table}: {', '.join(codes)}" for table, codes in self.tables.items())
        return f"{self.dataset} from SSB table{'s' if len(self.tables) > 1 else ''} {listed}"


def dataset_supplies(parts: Iterable[RecipePart], resolved: Mapping[str, str]) -> list[DatasetSupply]:
    """The catalogue datasets that are not simply one fetched table's own dataset (``ssb:{table}``)."""
    by_dataset: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for part in parts:
        measure = part.selection.measure
        table = part.table or resolved.get(measure or "")
        if table is not None and measure is not None:
            by_dataset[part.selection.dataset][table].add(measure)
    supplies = []
    for dataset, tables in sorted(by_dataset.items()):
        if len(tables) == 1 and dataset == f"ssb:{next(iter(tables))}":
            continue
        listed = {table: tuple(sorted(codes)) for table, codes in sorted(tables.items())}
        supplies.append(DatasetSupply(dataset, listed))
    return supplies


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


def table_selection(
    metadata: pxweb.TableMetadata,
    contents: Iterable[str],
    parts: Sequence[RecipePart] | None = None,
    codelists: Codelists | None = None,
) -> TableQuery:
    """The query for a table (:func:`~boligmonitor.sources.connectors.ssb.query.build_query`): ``contents`` are
    ContentsCodes wanted besides the parts' own, ``parts`` the recipe parts that read the table (None or empty:
    no recipe reads it, so it is fetched whole), ``codelists`` loads ``agg_KommSummer`` (None: codes as
    published, e.g. through the legacy API)."""
    needs = [part.need() for part in parts] if parts else None
    return build_query(metadata, contents, needs, codelists)


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
    parts = recipe_parts(catalog)
    by_table = parts_by_table(parts, plan.resolved)
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
        loader = None if located.is_legacy else codelists
        chosen = table_selection(located.metadata, contents, by_table.get(table_id), loader)
        plan.queries[table_id] = chosen
        plan.problems.extend(query_problems(chosen))
        plan.warnings.extend(f"table {table_id}: {note}" for note in chosen.notes)
        if not chosen.selections:
            continue
        plan.codelists[table_id] = chosen.region_codelist
        if chosen.own_regions is not None:
            plan.own_regions[table_id] = chosen.own_region_levels
        tables[table_id] = (located.metadata, chosen.selections)
    if only is None:
        plan.supplies = dataset_supplies(parts, plan.resolved)
    plan.metadata_calls += codelists.calls
    plan.requests = plan_requests(tables, plan.max_cells, codelists.loaded, legacy)
    return plan


# --------------------------------------------------------------------------------------------- every source

# What the refresh asks KLASS (pipeline/refresh.py, _register_updates): the same three requests every time.
KLASS_REQUESTS = (
    "GET classifications/131/codesAt.json?date=TODAY (municipalities valid today)",
    "GET classifications/104/codesAt.json?date=TODAY (counties valid today)",
    "GET classifications/131/changes.json?from=LATEST&to=TODAY (municipal changes since the input's latest)",
)


@dataclass
class SourcesPlan:
    """The plan for every source asked for (None: the source is left out)."""

    ssb: FetchPlan | None = None
    klass_url: str | None = None
    husbanken: HusbankenRefreshPlan | None = None

    @property
    def ssb_requests(self) -> int:
        """Data requests and the /config, metadata, codelist and search calls that find them."""
        return len(self.ssb.requests) + self.ssb.metadata_calls if self.ssb is not None else 0

    @property
    def klass_requests(self) -> int:
        return len(KLASS_REQUESTS) if self.klass_url is not None else 0

    @property
    def husbanken_requests(self) -> int:
        return self.husbanken.request_count if self.husbanken is not None else 0

    @property
    def request_count(self) -> int:
        return self.ssb_requests + self.klass_requests + self.husbanken_requests

    def describe(self) -> list[str]:
        lines: list[str] = []
        parts: list[str] = []
        if self.ssb is not None:
            lines.extend(self.ssb.describe())
            parts.append(
                f"SSB {len(self.ssb.requests)} data requests + {self.ssb.metadata_calls} /config, metadata, "
                "codelist and search calls"
            )
        if self.klass_url is not None:
            lines.append(f"KLASS at {self.klass_url}: {len(KLASS_REQUESTS)} requests")
            lines.extend(f"  {request}" for request in KLASS_REQUESTS)
            parts.append(f"KLASS {len(KLASS_REQUESTS)}")
        if self.husbanken is not None:
            lines.extend(self.husbanken.describe())
            about = "about " if self.husbanken.estimated else ""
            parts.append(f"Husbanken {about}{self.husbanken.request_count} JSON-RPC calls")
        about = "about " if self.husbanken is not None and self.husbanken.estimated else ""
        lines.append(f"All sources: {about}{self.request_count} requests ({'; '.join(parts) or 'no source'})")
        return lines


def plan_sources(
    http: HttpGetPost | None,
    catalog: Catalog,
    only: Collection[str] | None = None,
    max_cells: int = DEFAULT_MAX_CELLS,
    v0: HttpGetPost | None = None,
    *,
    klass_url: str | None = None,
    husbanken: HusbankenSource | None = None,
) -> SourcesPlan:
    """The requests a fetch of the sources given would make: SSB through ``http`` (None: SSB left out; metadata
    calls only), KLASS at ``klass_url`` and Husbanken (neither is contacted for the plan)."""
    return SourcesPlan(
        ssb=plan_fetch(http, catalog, only, max_cells, v0) if http is not None else None,
        klass_url=klass_url,
        husbanken=plan_husbanken_refresh(husbanken) if husbanken is not None else None,
    )


def query_problems(query: TableQuery) -> list[str]:
    """What a query says the fetch cannot do, in the order a reader needs: codes the table lacks, a variable
    the recipe must settle (the table is then not fetched), recipe parts that do not fit."""
    problems = []
    if query.missing_contents:
        problems.append(f"table {query.table_id} has no ContentsCode {', '.join(sorted(query.missing_contents))}")
    problems.extend(query.problems)
    problems.extend(query.recipe_problems)
    return problems


__all__ = [
    "KLASS_REQUESTS",
    "Codelists",
    "DatasetSupply",
    "FetchLimits",
    "FetchPlan",
    "LocatedTable",
    "RecipePart",
    "SourcesPlan",
    "TableNeed",
    "TableQuery",
    "dataset_supplies",
    "describe_region_levels",
    "is_missing_table",
    "locate_table",
    "parts_by_table",
    "plan_fetch",
    "plan_sources",
    "query_problems",
    "read_limits",
    "recipe_parts",
    "resolve_needs",
    "table_needs",
    "table_selection",
    "v0_table_path",
]
