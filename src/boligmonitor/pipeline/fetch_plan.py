"""`boligmonitor fetch --plan`: the data requests a fetch of the catalogue's SSB tables would make.

For every SSB table the catalogue names (and, for KOSTRA ContentsCodes whose table id is not known, the table
found by searching SSB's table list), the plan reads the table's metadata, selects the catalogue's
ContentsCodes and every region and year, and splits the selection into the fewest requests under SSB's cell
limit (sources/ssb/requests.py). Only metadata and table-search calls are made; no data is requested.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field

from boligmonitor.catalog.models import Catalog
from boligmonitor.sources.ssb import HttpGetPost, SsbApiError, pxweb
from boligmonitor.sources.ssb.requests import DEFAULT_MAX_CELLS, PlannedRequest, plan_requests


@dataclass(frozen=True)
class TableNeed:
    """What the catalogue needs from one SSB table (table_id None: to be found by ContentsCode)."""

    table_id: str | None
    contents_codes: frozenset[str]
    indicators: frozenset[str]


@dataclass
class FetchPlan:
    requests: list[PlannedRequest] = field(default_factory=list)
    metadata_calls: int = 0
    resolved: dict[str, str] = field(default_factory=dict)  # ContentsCode -> table id found by search
    problems: list[str] = field(default_factory=list)

    @property
    def total_cells(self) -> int:
        return sum(request.cells for request in self.requests)

    def describe(self) -> list[str]:
        lines = [f"{r.table_id}: {_thousands(r.cells)} cells" for r in self.requests]
        lines.append(
            f"{len(self.requests)} data requests, {_thousands(self.total_cells)} cells; "
            f"{self.metadata_calls} metadata/search calls to make the plan"
        )
        lines.extend(f"problem: {problem}" for problem in self.problems)
        return lines


def _thousands(number: int) -> str:
    return f"{number:,}".replace(",", " ")


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


def plan_fetch(
    http: HttpGetPost, catalog: Catalog, only: Collection[str] | None = None, max_cells: int = DEFAULT_MAX_CELLS
) -> FetchPlan:
    plan = FetchPlan()
    needs = table_needs(catalog, only)
    plan.metadata_calls += sum(1 for need in needs if need.table_id is None)
    wanted_codes = resolve_needs(http, needs, plan.problems, plan.resolved)
    tables: dict[str, tuple[pxweb.TableMetadata, pxweb.Selection]] = {}
    for table_id, contents in wanted_codes.items():
        plan.metadata_calls += 1
        try:
            metadata = pxweb.table_metadata(http, table_id)
        except SsbApiError as error:
            plan.problems.append(f"table {table_id}: {error}")
            continue
        selection, missing = table_selection(metadata, contents)
        if missing:
            plan.problems.append(f"table {table_id} has no ContentsCode {', '.join(sorted(missing))}")
        tables[table_id] = (metadata, selection)
    plan.requests = plan_requests(tables, max_cells)
    return plan


def table_selection(metadata: pxweb.TableMetadata, contents: set[str]) -> tuple[pxweb.Selection, set[str]]:
    """Every code of every variable, except ContentsCode: only the catalogue's codes (all when none named)."""
    values: dict[str, list[str] | str] = {}
    missing: set[str] = set()
    for variable in metadata.variables:
        if variable.role == "metric" and contents:
            present = [code for code in variable.codes if code in contents]
            missing = contents - set(present)
            values[variable.id] = present or list(variable.codes)
        else:
            values[variable.id] = list(variable.codes)
    return pxweb.Selection.of(values), missing
