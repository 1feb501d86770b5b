"""`boligmonitor fetch`: refresh SSB tables, the KLASS register and Husbanken's Statistikkbank into the build
input, then rebuild in one transaction: one data version for everything a refresh changed.

0. Outside SSB's morning publishing window only (05:00-08:15 Norwegian time, ssb-api.md §3.5) when SSB is
   refreshed: inside it the refresh refuses before any request, saying when to try again, or waits for the
   window to end when asked.
1. ``GET /config`` once: its ``maxDataCells`` (never above our 800 000 default) is the cell limit for
   splitting, and a rate limit it states tightens the client's limiter; if it fails, the defaults are used
   with a warning.
2. For each table (the catalogue's, or those asked for), read its metadata from PxWebApi v2 -- or from the
   legacy v0 API when only that one has the table -- and skip it when its ``updated`` equals the one stored
   with the dataset in the database (incremental refresh; a v0 table's ``updated`` is known only from its
   data).
3. Fetch the changed tables' data as :mod:`~boligmonitor.pipeline.fetch_plan` plans it: the query is built from
   the table's metadata and the recipe parts that read it (sources/connectors/ssb/query.py: the recipes'
   ContentsCodes and categories, every other variable eliminated or its marked total, municipality codes over
   ``agg_KommSummer`` when the table offers it with the table's own country and county codes in a separate
   request; a variable the recipes must settle is a problem and the table is not fetched), split under the cell
   limit, through the polite client (rate limit, retries, raw-response archive), and merge the answers into one
   cube per table. A request already in the archive for the same ``updated`` is taken from there, so an
   interrupted refresh resumes without asking SSB again. A catalogue dataset whose ContentsCodes were found by
   search (KOSTRA) is staged under its own key too, joined from the tables that hold them.
4. KLASS: the municipalities (131) and counties (104) valid today and the municipal changes since the last
   change the input knows; a register file is rewritten only when its content changed.
5. Husbanken (:mod:`~boligmonitor.pipeline.refresh_husbanken`): the app's reload time decides which datasets
   changed; their hypercubes come from the raw archive when it holds them complete for that reload, else from
   the engine; one JSON-stat cube per dataset (``husbanken:bostotte`` …) with the reload as its ``updated``.
6. Write everything fetched into a staged copy of the build input and swap it in with one rename; then build
   the database from it in one transaction: one data version for the whole refresh.

A failure before the swap leaves the input and the database as they were. If the process dies after the swap
but before the build commits, the database still holds the old ``updated``, so the next refresh sees the table
(or Husbanken dataset) as changed, takes its data from the archive and builds again.

Data a fake server serves (its table labels, KLASS records or Qlik app title say SYNTHETIC) are marked SYNTHETIC
in the manifest entry's title, provenance and notes, which the database copies to the dataset.
"""

from __future__ import annotations

import json
import math
import shutil
import time
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from boligmonitor.catalog.models import Catalog
from boligmonitor.core.errors import InputError
from boligmonitor.core.flags import Flag
from boligmonitor.core.progress import NoProgress, Progress
from boligmonitor.core.regions import normalise_region_code
from boligmonitor.pipeline.build import BuildSummary, build_database
from boligmonitor.pipeline.fetch_plan import (
    DatasetSupply,
    dataset_supplies,
    is_missing_table,
    locate_table,
    parts_by_table,
    query_problems,
    read_limits,
    recipe_parts,
    resolve_needs,
    table_needs,
    table_selection,
    v0_table_path,
)
from boligmonitor.pipeline.inputs import MUNICIPALITY_CLASSIFICATION
from boligmonitor.pipeline.refresh_husbanken import (
    SYNTHETIC,
    HusbankenRefresh,
    HusbankenSource,
    StagedDataset,
    refresh_husbanken,
)
from boligmonitor.pipeline.refresh_klass import (
    SSB_LICENCE,
    UNKNOWN_MUNICIPALITY,
    RegisterFile,
    register_updates,
)
from boligmonitor.pipeline.synthetic_marks import marked_synthetic
from boligmonitor.sources.connectors.http import PoliteClient, ResponseArchive
from boligmonitor.sources.connectors.http.archive import NO_CODELIST, ArchivedRequest
from boligmonitor.sources.connectors.ssb import SsbApiError, pxweb, pxweb_v0
from boligmonitor.sources.connectors.ssb.merge import join_contents, merge_cubes
from boligmonitor.sources.connectors.ssb.publishing import NORWAY, PublishingWindowError, publishing_window_at
from boligmonitor.sources.connectors.ssb.query import Codelists, TableQuery
from boligmonitor.sources.connectors.ssb.requests import DEFAULT_MAX_CELLS, split_selection
from boligmonitor.sources.cube import Cube, FlagRuns
from boligmonitor.sources.manifest import BuildManifest, InputFile, read_manifest
from boligmonitor.sources.readers.jsonstat import read_jsonstat, write_jsonstat
from boligmonitor.sources.readers.klass_files import read_klass_codes
from boligmonitor.store import Store

FETCHED_DIRECTORY = "ssb-live"
FAKE_SSB = "a fake SSB server (the table's label says SYNTHETIC)"
_MAX_WAITS = 3  # a clock that does not move on sleep must not keep the refresh waiting for ever

WindowPolicy = Literal["refuse", "wait"]


def current_time() -> datetime:
    """Now, timezone-aware. Looked up at call time, so tests of the command line can replace it."""
    return datetime.now(UTC)


@dataclass
class RefreshSummary:
    checked: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    requests_sent: int = 0
    requests_from_archive: int = 0
    max_cells: int = DEFAULT_MAX_CELLS
    build: BuildSummary | None = None
    resolved: dict[str, str] = field(default_factory=dict)  # KOSTRA ContentsCode -> table found by search
    codelists: dict[str, str] = field(default_factory=dict)  # table id -> region codelist used, "none"
    legacy: list[str] = field(default_factory=list)  # tables fetched through the legacy v0 API
    register: list[str] = field(default_factory=list)  # KLASS datasets rewritten
    register_checked: bool = False
    waited_seconds: float = 0.0
    problems: list[str] = field(default_factory=list)  # codes or tables that could not be fetched
    warnings: list[str] = field(default_factory=list)
    ssb_checked: bool = True
    husbanken: HusbankenRefresh | None = None

    @property
    def changed_anything(self) -> bool:
        return bool(self.changed or self.register or (self.husbanken and self.husbanken.staged))

    def describe(self) -> str:
        notes = "".join(f"\nwarning: {warning}" for warning in self.warnings)
        notes += "".join(f"\nproblem: {problem}" for problem in self.problems)
        if self.register_checked:
            register = f"KLASS register updated: {', '.join(self.register)}. " if self.register else ""
            register = register or "KLASS register unchanged. "
        else:
            register = ""
        husbanken = f"{self.husbanken.describe()} " if self.husbanken is not None else ""
        if not self.ssb_checked:
            tables = ""
        elif not self.changed:
            tables = f"Checked {len(self.checked)} SSB tables: none changed. "
        else:
            limit = f"{self.max_cells:,}".replace(",", " ")
            tables = (
                f"Checked {len(self.checked)} SSB tables; changed: {', '.join(self.changed)}; "
                f"{self.requests_sent} data requests sent, {self.requests_from_archive} taken from the archive "
                f"(at most {limit} cells each). "
            )
        if not self.changed_anything:
            return f"{tables}{register}{husbanken}Nothing changed: the database is as it was.{notes}"
        built = self.build.describe() if self.build else "not built"
        return f"{tables}{register}{husbanken}{built}{notes}"


class _ArchiveFirst:
    """Answers a data request from the archive when the same request was archived for the same ``updated``."""

    def __init__(self, client: PoliteClient, archive: ResponseArchive, updated: str | None) -> None:
        self.client, self.archive, self.updated = client, archive, updated
        self.sent = self.reused = 0

    def get(self, path: str, params: Mapping[str, str], /) -> Any:
        return self.client.get(path, params)

    def post(self, path: str, json_body: Any, params: Mapping[str, str], /) -> Any:
        key = ArchivedRequest.of("POST", self.client.url_for(path), params, json_body).key  # as the client stores it
        archived = self.archive.get(key)
        if archived is not None and archived.table_updated == self.updated and self.updated is not None:
            self.reused += 1
            return archived
        self.sent += 1
        return self.client.post(path, json_body, params)


@dataclass(frozen=True)
class _FetchedTable:
    label: str
    cube: Cube
    chosen: TableQuery
    source_url: str

    @property
    def synthetic(self) -> bool:
        """The table says it is made up (the fake SSB server's labels and source do)."""
        return any(SYNTHETIC in text for text in (self.label, self.cube.label, self.cube.source))


@dataclass(frozen=True)
class _SuppliedDataset:
    """A catalogue dataset staged from the cubes of the tables that hold its ContentsCodes."""

    supply: DatasetSupply
    cube: Cube
    source_url: str
    code_vintage: str
    synthetic: bool = False


def refresh(
    client: PoliteClient | None,
    archive: ResponseArchive,
    store: Store,
    input_directory: Path,
    catalog: Catalog,
    only: Collection[str] | None = None,
    *,
    max_cells: int = DEFAULT_MAX_CELLS,
    progress: Progress | None = None,
    build: Callable[[Path, Store], BuildSummary] | None = None,
    klass: PoliteClient | None = None,
    v0: PoliteClient | None = None,
    husbanken: HusbankenSource | None = None,
    publishing_window: WindowPolicy = "refuse",
    now: Callable[[], datetime] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> RefreshSummary:
    """Fetch what changed and rebuild; ``build`` replaces the full build (tests of the fetch step).

    ``client`` is bound to PxWebApi v2 (None: SSB's tables are not refreshed); ``klass`` (KLASS), ``v0`` (the
    legacy API) and ``husbanken`` (Husbanken's Statistikkbank) are optional: without ``klass`` the register is
    not refreshed, without ``v0`` a table v2 lacks is reported as a problem, without ``husbanken`` its datasets
    stay as they are. ``only`` names SSB tables (Husbanken's choice is ``husbanken.only``).
    ``publishing_window`` says what to do inside SSB's morning window: ``"refuse"`` raises
    :class:`~boligmonitor.sources.connectors.ssb.publishing.PublishingWindowError`, ``"wait"`` sleeps until it ends.
    ``now`` (timezone-aware) and ``sleep`` are injectable; ``now`` defaults to :func:`current_time`.
    A failure of any source raises before the input is touched: nothing is changed, and the next run resumes
    from the archives.
    """
    progress = progress or NoProgress()
    clock = now or current_time
    manifest = read_manifest(input_directory)  # a missing or broken build input fails before anything is fetched
    summary = RefreshSummary(ssb_checked=client is not None)
    stored = {row.id: row.updated for row in store.datasets()}
    fetched: dict[str, _FetchedTable] = {}
    supplied: list[_SuppliedDataset] = []
    if client is not None:
        summary.waited_seconds = _outside_publishing_window(publishing_window, clock, sleep, progress)
        fetched = _refresh_tables(client, archive, catalog, only, max_cells, stored, summary, progress, v0)
        if only is None:
            supplied = _supplied_datasets(
                dataset_supplies(recipe_parts(catalog), summary.resolved), fetched, input_directory, summary.problems
            )
    register: list[RegisterFile] = []
    if klass is not None:
        progress.stage("Checking the KLASS register")
        register = register_updates(klass, input_directory, clock())
        summary.register_checked = True
        summary.register = [file.entry.dataset for file in register]
    staged: list[StagedDataset] = []
    if husbanken is not None:
        progress.stage("Checking Husbanken's Statistikkbank")
        present = {entry.dataset for entry in manifest.files}
        summary.husbanken = refresh_husbanken(
            husbanken, stored, present, clock(), _current_municipalities(input_directory, manifest)
        )
        staged = summary.husbanken.staged
        summary.warnings.extend(f"Husbanken: {warning}" for warning in summary.husbanken.warnings)
        summary.problems.extend(f"Husbanken: {problem}" for problem in summary.husbanken.problems)
    if not summary.changed_anything:
        return summary
    _swap_in(input_directory, _stage(input_directory, fetched, supplied, register, staged, clock()))
    if build is None:
        summary.build = build_database(input_directory, store, progress=progress, catalog=catalog)
    else:
        summary.build = build(input_directory, store)
    return summary


def _refresh_tables(
    client: PoliteClient,
    archive: ResponseArchive,
    catalog: Catalog,
    only: Collection[str] | None,
    max_cells: int,
    stored: Mapping[str, str | None],
    summary: RefreshSummary,
    progress: Progress,
    v0: PoliteClient | None,
) -> dict[str, _FetchedTable]:
    """SSB: the tables whose ``updated`` changed, fetched (or taken from the archive) and merged, by table id."""
    limits = read_limits(client, max_cells)
    summary.max_cells = limits.max_cells
    if limits.warning:
        summary.warnings.append(limits.warning)
    wanted = resolve_needs(client, table_needs(catalog, only), summary.problems, summary.resolved)
    by_table = parts_by_table(recipe_parts(catalog), summary.resolved)
    codelists = Codelists(client)
    fetched: dict[str, _FetchedTable] = {}
    progress.stage("Checking SSB tables", total=len(wanted))
    for table_id, contents in wanted.items():
        try:
            located = locate_table(client, v0, table_id)
        except SsbApiError as error:
            if not is_missing_table(error):
                raise  # transient or unexpected: stop, nothing is changed, the next run resumes
            summary.problems.append(f"table {table_id}: {error}")  # renumbered or withdrawn by SSB
            continue
        summary.checked.append(table_id)
        progress.advance()
        metadata = located.metadata
        dataset = f"ssb:{table_id}"
        if not located.is_legacy and stored.get(dataset) == metadata.updated:
            continue
        chosen = table_selection(metadata, contents, by_table.get(table_id), None if located.is_legacy else codelists)
        summary.problems.extend(query_problems(chosen))
        summary.warnings.extend(f"table {table_id}: {note}" for note in chosen.notes)
        if not chosen.selections:
            continue  # a variable the recipes must settle: nothing is picked silently, nothing fetched
        # One list of parts per selection (municipalities over a codelist; the table's own codes of the other
        # levels), each split under the cell limit and archived request by request, so a rerun resumes.
        split = [split_selection(each, metadata, limits.max_cells, codelists.loaded) for each in chosen.selections]
        if located.is_legacy:
            assert v0 is not None  # locate_table only finds legacy tables through v0
            http = _ArchiveFirst(v0, archive, None)  # v0 metadata has no `updated`: always ask
            path = v0_table_path(table_id)
            answers = [[pxweb_v0.v0_table_data(http, path, pxweb_v0.v0_query(p)) for p in parts] for parts in split]
            source_url = v0.url_for(path)
        else:
            http = _ArchiveFirst(client, archive, metadata.updated)
            answers = [[pxweb.table_data(http, table_id, p) for p in parts] for parts in split]
            source_url = f"{client.base_url}/tables/{table_id}"
        summary.requests_sent += http.sent
        summary.requests_from_archive += http.reused
        cube = merge_cubes(_regions_in_ssb_order(answers), name=f"SSB table {table_id}")
        if located.is_legacy:
            summary.legacy.append(table_id)
            if stored.get(dataset) == cube.updated:
                continue
        if chosen.region_codelist != NO_CODELIST:
            cube = _flag_harmonised_by_publisher(cube, codelists.loaded.get(chosen.region_codelist))
        summary.codelists[table_id] = chosen.region_codelist
        fetched[table_id] = _FetchedTable(metadata.label or cube.label, cube, chosen, source_url)
        summary.changed.append(table_id)
    return fetched


def _current_municipalities(input_directory: Path, manifest: BuildManifest) -> list[str] | None:
    """The municipality codes of the input's KLASS 131 register (None without one): Husbanken codes outside
    it are reported for the build's recoding."""
    entry = next((e for e in manifest.files if e.dataset == MUNICIPALITY_CLASSIFICATION), None)
    if entry is None:
        return None
    return [code.code for code in read_klass_codes(input_directory / entry.path) if code.code != UNKNOWN_MUNICIPALITY]


# --------------------------------------------------------------------------------------------- the window


def _outside_publishing_window(
    policy: WindowPolicy, clock: Callable[[], datetime], sleep: Callable[[float], None], progress: Progress
) -> float:
    """Return once it is safe to fetch (seconds waited); raise inside the window unless told to wait."""
    waited = 0.0
    moment = clock()
    window = publishing_window_at(moment)
    waits = 0
    while window is not None:
        if policy != "wait" or waits == _MAX_WAITS:
            raise PublishingWindowError(moment, window)
        seconds = window.seconds_left(moment)
        progress.stage(f"Waiting until {window.end:%H:%M} Norwegian time: SSB is publishing")
        sleep(seconds)
        waited += seconds
        waits += 1
        moment = clock()
        window = publishing_window_at(moment)
    return waited


# --------------------------------------------------------------------------------------------- tables


def _regions_in_ssb_order(answers: Sequence[Sequence[Cube]]) -> list[Cube]:
    """The cubes to merge, the table's own codes (country, counties) before the municipalities over a codelist,
    as SSB lists its regions: the merged cube keeps the order in which it first sees each code."""
    municipal, *own = answers
    return [cube for group in own for cube in group] + list(municipal)


def _flag_harmonised_by_publisher(cube: Cube, codelist: pxweb.Codelist | None) -> Cube:
    """Flag ``harmonised_by_publisher`` on the rows of K-codes that SSB sums from other codes (``valueMap``).

    The whole series of such a code is flagged: the response does not say in which years a sum was needed.
    A freshly fetched cube has no flags of its own, so the flags are written as one run per region block.
    """
    geo = cube.geo_dimension()
    if codelist is None or geo is None or cube.flags:
        return cube
    value_map = codelist.value_map()
    summed = [
        position
        for position, code in enumerate(geo.codes)
        if set(value_map.get(code, ())) - {normalise_region_code(code)}
    ]
    if not summed:
        return cube
    axis = cube.dimensions.index(geo)
    inner = math.prod(d.size for d in cube.dimensions[axis + 1 :])
    outer = math.prod(d.size for d in cube.dimensions[:axis])
    names = (Flag.HARMONISED_BY_PUBLISHER.value,)
    runs = [((o * geo.size + g) * inner, inner, names) for o in range(outer) for g in summed]
    return replace(cube, flags=FlagRuns(runs))


def _table_entry(table_id: str, fetched: _FetchedTable, moment: datetime) -> InputFile:
    today = moment.astimezone(NORWAY).date()
    chosen = fetched.chosen
    codelist = chosen.region_codelist
    # The codelist is named here because SSB's response does not say which one produced its codes (§5.1).
    provenance = (
        f"fetched by boligmonitor from {fetched.source_url}; table updated {fetched.cube.updated}; "
        f"{chosen.region_provenance()}"
    )
    if chosen.settled():
        provenance += f"; {chosen.settled()}"
    notes = []
    if codelist != NO_CODELIST:
        notes.append(
            f"Municipality codes come from SSB's codelist {codelist}: each series is summed by SSB to the "
            f"municipal borders of the fetch date ({today.isoformat()})."
        )
    if chosen.own_regions is not None:
        notes.append(
            f"The {chosen.own_region_levels} rows are SSB's own published rows, fetched without a codelist in a "
            "separate request (not summed from the municipalities); their codes are those SSB publishes for "
            "each year."
        )
    entry = InputFile(
        path=f"{FETCHED_DIRECTORY}/{table_id}.json",
        format="jsonstat",
        dataset=f"ssb:{table_id}",
        publisher="SSB",
        title=fetched.label,
        table=table_id,
        # K-codes are today's municipalities whatever the year; plain codes are those valid each year.
        code_vintage=str(today.year) if codelist != NO_CODELIST else "as-published",
        fetched_at=moment.astimezone(UTC),
        source_url=fetched.source_url,
        licence=SSB_LICENCE,
        provenance=provenance,
        notes=notes,
    )
    return marked_synthetic(entry, FAKE_SSB) if fetched.synthetic else entry


def _says_synthetic(cube: Cube) -> bool:
    return SYNTHETIC in cube.label or SYNTHETIC in cube.source


# --------------------------------------------------------------------------------------------- datasets


def _supplied_datasets(
    supplies: Sequence[DatasetSupply], fetched: Mapping[str, _FetchedTable], input_directory: Path, problems: list[str]
) -> list[_SuppliedDataset]:
    """The catalogue datasets whose ContentsCodes were found in tables by search (KOSTRA), joined from those
    tables' cubes -- freshly fetched, or staged by an earlier refresh when unchanged -- under the catalogue's own
    dataset key, which the recipes read. Only datasets with a changed table are written again."""
    entries = {entry.dataset: entry for entry in read_manifest(input_directory).files}
    found: list[_SuppliedDataset] = []
    for supply in supplies:
        if not set(supply.tables) & set(fetched):
            continue
        if any(f"ssb:{table}" == supply.dataset for table in fetched):
            problems.append(f"dataset {supply.dataset}: its key is also a fetched table's; not staged twice")
            continue
        parts: list[tuple[Cube, tuple[str, ...]]] = []
        for table, codes in supply.tables.items():
            cube = _table_cube(table, fetched, entries, input_directory)
            if cube is None:
                problems.append(f"dataset {supply.dataset}: table {table} is neither fetched nor in the input")
                break
            parts.append((cube, codes))
        else:
            name = f"{supply.dataset}: SSB ContentsCodes from {supply.describe().split(' from ', 1)[1]}"
            try:
                cube = join_contents(parts, name=name)
            except InputError as error:
                problems.append(f"dataset {supply.dataset}: {error.problems[0].message}")
                continue
            first = next(table for table in supply.tables if table in fetched)
            vintage = "as-published" if fetched[first].chosen.region_codelist == NO_CODELIST else ""
            synthetic = any(_says_synthetic(part) for part, _ in parts)
            found.append(_SuppliedDataset(supply, cube, fetched[first].source_url, vintage, synthetic))
    return found


def _table_cube(
    table: str, fetched: Mapping[str, _FetchedTable], entries: Mapping[str, InputFile], input_directory: Path
) -> Cube | None:
    if table in fetched:
        return fetched[table].cube
    entry = entries.get(f"ssb:{table}")
    if entry is None:
        return None
    return read_jsonstat(input_directory / entry.path, name=f"SSB table {table}")


def _supplied_entry(dataset: _SuppliedDataset, moment: datetime) -> InputFile:
    supply = dataset.supply
    key = supply.dataset.removeprefix("ssb:")
    tables = ", ".join(supply.tables)
    today = moment.astimezone(NORWAY).date()
    entry = InputFile(
        path=f"{FETCHED_DIRECTORY}/{key}.json",
        format="jsonstat",
        dataset=supply.dataset,
        publisher="SSB",
        title=f"{supply.dataset}: ContentsCodes of SSB table{'s' if len(supply.tables) > 1 else ''} {tables}",
        table=tables,
        code_vintage=dataset.code_vintage or str(today.year),
        fetched_at=moment.astimezone(UTC),
        source_url=dataset.source_url,
        licence=SSB_LICENCE,
        provenance=(
            f"fetched by boligmonitor: {supply.describe()} (each ContentsCode found by searching SSB's table list "
            f"for it); newest table updated {dataset.cube.updated}"
        ),
        notes=[
            "The catalogue names these ContentsCodes without a table id; the fetch found the tables whose metadata "
            "hold them. A region or year that one table lacks has no number here (status ..)."
        ],
    )
    return marked_synthetic(entry, FAKE_SSB) if dataset.synthetic else entry


# --------------------------------------------------------------------------------------------- staging


def _stage(
    input_directory: Path,
    fetched: Mapping[str, _FetchedTable],
    supplied: Sequence[_SuppliedDataset],
    register: Sequence[RegisterFile],
    husbanken: Sequence[StagedDataset],
    moment: datetime,
) -> Path:
    """A copy of the build input with the fetched tables, the catalogue datasets staged from them, the
    register files and the Husbanken datasets written in, the manifest updated."""
    staging = input_directory.with_name(input_directory.name + ".staging")
    if staging.exists():
        shutil.rmtree(staging)
    shutil.copytree(input_directory, staging)
    manifest = read_manifest(staging)
    entries = {entry.dataset: entry for entry in manifest.files}
    written = [(_table_entry(table_id, table, moment), table.cube) for table_id, table in fetched.items()]
    written += [(_supplied_entry(dataset, moment), dataset.cube) for dataset in supplied]
    written += [(dataset.entry, dataset.cube) for dataset in husbanken]
    for entry, cube in written:
        target = staging / entry.path
        target.parent.mkdir(exist_ok=True)
        target.write_text(json.dumps(write_jsonstat(cube), ensure_ascii=False), encoding="utf-8")
        entries[entry.dataset] = entry
    for file in register:
        target = staging / file.entry.path
        target.parent.mkdir(exist_ok=True)
        target.write_text(json.dumps(file.document, ensure_ascii=False, indent=1), encoding="utf-8")
        entries[file.entry.dataset] = file.entry
    created = moment.astimezone(UTC)
    BuildManifest(created_at=created, created_by="boligmonitor fetch", files=list(entries.values())).write(staging)
    return staging


def _swap_in(input_directory: Path, staging: Path) -> None:
    """Replace the input directory by the staged one: readers of the input see old or new, never a mix."""
    retired = input_directory.with_name(input_directory.name + ".retired")
    if retired.exists():
        shutil.rmtree(retired)
    input_directory.rename(retired)
    staging.rename(input_directory)
    shutil.rmtree(retired)
