"""`boligmonitor fetch`: refresh SSB tables into the build input, then rebuild in one transaction.

1. For each table (the catalogue's, or those asked for), read its metadata; skip it when its ``updated`` equals
   the one stored with the dataset in the database (incremental refresh).
2. Fetch the changed tables' data, split under the cell limit, through the polite client (rate limit,
   retries, raw-response archive). A request already in the archive for the same ``updated`` is taken from
   there, so an interrupted refresh resumes without asking SSB again.
3. Write the fetched tables into a staged copy of the build input and swap it in with one rename; then build
   the database from it in one transaction: one data version for the whole refresh.

A failure in step 2 leaves the input and the database as they were. If the process dies after the swap but
before the build commits, the database still holds the old ``updated``, so the next refresh sees the table as
changed, takes its data from the archive and builds again.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from boligmonitor.catalog.models import Catalog
from boligmonitor.core.progress import NoProgress, Progress
from boligmonitor.pipeline.build import BuildSummary, build_database
from boligmonitor.pipeline.fetch_plan import resolve_needs, table_needs, table_selection
from boligmonitor.sources.http import PoliteClient, ResponseArchive
from boligmonitor.sources.http.archive import ArchivedRequest
from boligmonitor.sources.jsonstat import write_jsonstat
from boligmonitor.sources.manifest import BuildManifest, InputFile, read_manifest
from boligmonitor.sources.ssb import SsbApiError, pxweb
from boligmonitor.sources.ssb.merge import merge_cubes
from boligmonitor.sources.ssb.requests import DEFAULT_MAX_CELLS, split_selection
from boligmonitor.store import Store

FETCHED_DIRECTORY = "ssb-live"


@dataclass
class RefreshSummary:
    checked: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    requests_sent: int = 0
    requests_from_archive: int = 0
    build: BuildSummary | None = None
    resolved: dict[str, str] = field(default_factory=dict)  # KOSTRA ContentsCode -> table found by search
    problems: list[str] = field(default_factory=list)  # codes or tables that could not be fetched

    def describe(self) -> str:
        problems = "".join(f"\nproblem: {problem}" for problem in self.problems)
        if not self.changed:
            return f"Checked {len(self.checked)} tables: nothing changed; the database is as it was.{problems}"
        built = self.build.describe() if self.build else "not built"
        return (
            f"Checked {len(self.checked)} tables; changed: {', '.join(self.changed)}; "
            f"{self.requests_sent} data requests sent, {self.requests_from_archive} taken from the archive. {built}"
            + problems
        )


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


def refresh(
    client: PoliteClient,
    archive: ResponseArchive,
    store: Store,
    input_directory: Path,
    catalog: Catalog,
    only: Collection[str] | None = None,
    *,
    max_cells: int = DEFAULT_MAX_CELLS,
    progress: Progress | None = None,
    build: Callable[[Path, Store], BuildSummary] | None = None,
) -> RefreshSummary:
    """Fetch the changed tables and rebuild; ``build`` replaces the full build (tests of the fetch step)."""
    progress = progress or NoProgress()
    read_manifest(input_directory)  # a missing or broken build input fails before anything is fetched
    summary = RefreshSummary()
    stored = {row.id: row.updated for row in store.datasets()}
    wanted = resolve_needs(client, table_needs(catalog, only), summary.problems, summary.resolved)
    fetched: dict[str, tuple[pxweb.TableMetadata, Any]] = {}
    progress.stage("Checking SSB tables", total=len(wanted))
    for table_id, contents in wanted.items():
        try:
            metadata = pxweb.table_metadata(client, table_id)
        except SsbApiError as error:
            if error.api_status != 404 and error.http_status != 404:
                raise  # transient or unexpected: stop, nothing is changed, the next run resumes
            summary.problems.append(f"table {table_id}: {error}")  # renumbered or withdrawn by SSB
            continue
        summary.checked.append(table_id)
        progress.advance()
        if stored.get(f"ssb:{table_id}") == metadata.updated:
            continue
        selection, missing = table_selection(metadata, contents)
        if missing:
            summary.problems.append(f"table {table_id} has no ContentsCode {', '.join(sorted(missing))}")
        http = _ArchiveFirst(client, archive, metadata.updated)
        parts = [pxweb.table_data(http, table_id, part) for part in split_selection(selection, metadata, max_cells)]
        summary.requests_sent += http.sent
        summary.requests_from_archive += http.reused
        fetched[table_id] = (metadata, merge_cubes(parts, name=f"SSB table {table_id}"))
        summary.changed.append(table_id)
    if not fetched:
        return summary
    _swap_in(input_directory, _stage(input_directory, fetched, client.base_url))
    if build is None:
        summary.build = build_database(input_directory, store, progress=progress, catalog=catalog)
    else:
        summary.build = build(input_directory, store)
    return summary


def _stage(input_directory: Path, fetched: Mapping[str, tuple[pxweb.TableMetadata, Any]], base_url: str) -> Path:
    """A copy of the build input with the fetched tables written in and the manifest updated."""
    staging = input_directory.with_name(input_directory.name + ".staging")
    if staging.exists():
        shutil.rmtree(staging)
    shutil.copytree(input_directory, staging)
    manifest = read_manifest(staging)
    entries = {entry.dataset: entry for entry in manifest.files}
    now = datetime.now(UTC)
    (staging / FETCHED_DIRECTORY).mkdir(exist_ok=True)
    for table_id, (metadata, cube) in fetched.items():
        relative = f"{FETCHED_DIRECTORY}/{table_id}.json"
        (staging / relative).write_text(json.dumps(write_jsonstat(cube), ensure_ascii=False), encoding="utf-8")
        entries[f"ssb:{table_id}"] = InputFile(
            path=relative,
            format="jsonstat",
            dataset=f"ssb:{table_id}",
            publisher="SSB",
            title=metadata.label,
            table=table_id,
            code_vintage="as-published",
            fetched_at=now,
            source_url=f"{base_url}/tables/{table_id}",
            licence="NLOD / CC BY 4.0 (Statistisk sentralbyrå)",
            provenance=f"fetched by boligmonitor from {base_url}; table updated {metadata.updated}",
        )
    BuildManifest(created_at=now, created_by="boligmonitor fetch", files=list(entries.values())).write(staging)
    return staging


def _swap_in(input_directory: Path, staging: Path) -> None:
    """Replace the input directory by the staged one: readers of the input see old or new, never a mix."""
    retired = input_directory.with_name(input_directory.name + ".retired")
    if retired.exists():
        shutil.rmtree(retired)
    input_directory.rename(retired)
    staging.rename(input_directory)
    shutil.rmtree(retired)
