"""`boligmonitor import FILE`: add or replace indicator data from one file, in one transaction.

Accepted files: the tidy format (CSV or XLSX, docs/tidy-format.md), an SSB statbank CSV download or a
JSON-stat 2.0 file. Cube files are turned into indicators by the catalogue recipes that read their dataset.
Codes are checked against the register and change history already in the database; historical codes are
harmonised to today's municipalities exactly as in a build. Any problem rejects the whole file.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from boligmonitor.catalog import load_catalog
from boligmonitor.catalog.models import Catalog
from boligmonitor.core.errors import InputError, InputProblem
from boligmonitor.core.regions import RegionLevel
from boligmonitor.geo import (
    Region,
    RegionRegistry,
)
from boligmonitor.pipeline.derive import PreparedCube
from boligmonitor.pipeline.geography import Geography, assemble_geography
from boligmonitor.pipeline.indicators import IndicatorBuilder
from boligmonitor.pipeline.inputs import BuildInputs, file_sha256
from boligmonitor.pipeline.recoding import recode_outside_validity
from boligmonitor.pipeline.status_report import POPULATION_INDICATOR
from boligmonitor.sources.cube import Cube
from boligmonitor.sources.manifest import BuildManifest, FileFormat, InputFile
from boligmonitor.sources.readers.limits import printable_path
from boligmonitor.sources.readers.registry import (
    IMPORT_SNIFFING,
    CubeFile,
    read_file,
    read_head,
    sniff_format,
)
from boligmonitor.sources.readers.tidy import TIDY_COLUMNS, TidyRow, read_tidy_table
from boligmonitor.store import DatasetRow, Store, Writer
from boligmonitor.store.rows import IndicatorStatusRow


@dataclass(frozen=True)
class ImportSummary:
    version_id: int
    file: Path
    dataset: str
    indicators: tuple[str, ...]
    observations: int

    def describe(self) -> str:
        return (
            f"Imported {self.observations} observations of {len(self.indicators)} indicators "
            f"({', '.join(self.indicators)}) from {printable_path(self.file)} as data version {self.version_id}"
        )


def detect_format(path: Path) -> FileFormat:
    """Tidy CSV/XLSX, statbank CSV or JSON-stat, from the name and the first line (an unreadable file raises
    OSError; a file in an encoding no reader reads, InputError)."""
    return sniff_format(path, read_head(path), IMPORT_SNIFFING)


@dataclass(frozen=True)
class _Batch:
    """Inputs built and written together: one tidy file's rows of one indicator, or one cube."""

    inputs: BuildInputs
    indicators: tuple[str, ...]


def import_file(
    path: Path, store: Store, *, dataset: str | None = None, catalog: Catalog | None = None
) -> ImportSummary:
    """Import one file in one transaction; any problem raises InputError and nothing is written.

    A tidy file is built and written one indicator at a time inside the transaction, so that memory holds
    the compact rows of the file and the observations of one indicator, not of all (docs/tidy-format.md).
    """
    catalog = catalog or load_catalog()
    file = printable_path(path)  # a name that is not UTF-8 can be neither printed nor stored as it is
    if not path.is_file():
        raise InputError.single(file, "no such file")
    if store.current_version() is None:
        raise InputError.single(file, "the database is empty: build it first (`boligmonitor build --from DIR`)")
    file_format = detect_format(path)
    name = printable_path(path.name)
    entry = InputFile(
        path=name,
        format=file_format,
        dataset=dataset or f"import:{name}",
        publisher="import",
        title=f"Imported file {name}",
        fetched_at=datetime.now(UTC),
        provenance=f"imported by boligmonitor from {printable_path(path.resolve())}",
    )
    inputs = BuildInputs(
        directory=path.parent,
        manifest=BuildManifest(created_at=datetime.now(UTC), created_by="boligmonitor import", files=[entry]),
        sha256={entry.path: file_sha256(path)},
    )
    if file_format in TIDY_FORMATS:
        table = read_tidy_table(path)
        touched = sorted(table.indicators)
        geography = geography_from_store(store)
        _check_codes(table, geography, catalog, file)
        batches: Iterable[_Batch] = (
            _Batch(replace(inputs, tidy=[(entry, table.take(indicator_id))]), (indicator_id,))
            for indicator_id in touched
        )
    else:
        content = read_file(path, file_format)
        assert isinstance(content, CubeFile), f"import sniffs only tidy and cube formats, not {file_format!r}"
        cube = content.cube
        key = dataset or _dataset_of(cube, path)
        entry = entry.model_copy(update={"dataset": key, "publisher": "SSB" if key.startswith("ssb:") else "import"})
        inputs.manifest = inputs.manifest.model_copy(update={"files": [entry]})
        inputs.cubes[key] = PreparedCube(cube, key)
        touched = [indicator.id for indicator in catalog.by_dataset(key)]
        if not touched:
            raise InputError.single(
                file,
                f"no catalogue indicator reads dataset {key!r}; give --dataset or add a recipe",
                field="dataset",
            )
        geography = geography_from_store(store)
        batches = [_Batch(inputs, tuple(touched))]
    untouched = [s for s in store.indicator_status() if s.indicator_id not in touched]

    with store.write("import", f"import of {printable_path(path.resolve())}", catalog.version) as tx:
        tx.put_datasets([_dataset_row(entry, inputs)])
        written, states = _build_and_write(batches, geography, catalog, tx, file)
        tx.put_indicator_status([*untouched, *(states[indicator_id] for indicator_id in touched)])
        version_id = tx.version.id
    return ImportSummary(version_id, path, entry.dataset, tuple(touched), written)


def _build_and_write(
    batches: Iterable[_Batch], geography: Geography, catalog: Catalog, tx: Writer, file: str
) -> tuple[int, dict[str, IndicatorStatusRow]]:
    """Build each batch and write its observations. Every problem of every batch is collected first; if
    there is any, InputError rolls the transaction back. Returns the number of observations written and
    the touched indicators' states over old and new values."""
    problems: list[InputProblem] = []
    failed: list[IndicatorStatusRow] = []
    states: dict[str, IndicatorStatusRow] = {}
    written = sum(_build_and_write_one(batch, geography, catalog, tx, problems, failed, states) for batch in batches)
    if problems:
        raise InputError(problems)
    if failed:
        raise InputError([InputProblem(file, f"{s.indicator_id}: {s.reason}") for s in failed])
    return written, states


def _build_and_write_one(
    batch: _Batch,
    geography: Geography,
    catalog: Catalog,
    tx: Writer,
    problems: list[InputProblem],
    failed: list[IndicatorStatusRow],
    states: dict[str, IndicatorStatusRow],
) -> int:
    """One batch: its problems and failed indicators are added to the lists; once there is any, nothing
    more is written (the rest is built for its problems only). Its objects are freed on return."""
    builder = IndicatorBuilder(batch.inputs, geography)
    results = builder.build(catalog)
    problems.extend(results.problems)
    failed.extend(s for s in results.states if s.indicator_id in batch.indicators and s.state == "failed")
    if problems or failed:
        return 0
    written = tx.put_observations(o for o in results.observations if o.indicator_id in batch.indicators)
    del results
    for indicator_id in batch.indicators:
        # What is stored now: the new observations in place of the old ones with the same key.
        merged = tx.reader.observations(indicator_id=indicator_id)
        states[indicator_id] = builder.state_of(catalog.indicator(indicator_id), merged)
    return written


def _dataset_of(cube: Cube, path: Path) -> str:
    px = cube.extension.get("px")
    table = px.get("tableid") if isinstance(px, dict) else None
    if isinstance(table, str) and table:
        return f"ssb:{table}"
    raise InputError.single(
        printable_path(path), "the file does not name its SSB table; give --dataset", field="dataset"
    )


def _check_codes(rows: Iterable[TidyRow], geography: Geography, catalog: Catalog, file: str) -> None:
    """Every indicator must be in the catalogue, every region known for its year: else nothing is written."""
    known_indicators = {indicator.id for indicator in catalog.indicators}
    registry, harmoniser = geography.registry, geography.harmoniser
    problems: list[InputProblem] = []
    for row in rows:
        if row.indicator not in known_indicators:
            problems.append(
                InputProblem(file, f"unknown indicator {row.indicator!r}", line=row.line, field="indicator")
            )
        if row.region in registry or harmoniser.is_valid(row.region, row.year):
            continue
        recoding = recode_outside_validity(geography.history, row.region, row.year)
        if recoding.code is None:
            problems.append(
                InputProblem(
                    file,
                    f"unknown region {row.region!r} for {row.year}: {recoding.reason}",
                    line=row.line,
                    field="region",
                )
            )
    if problems:
        raise InputError(problems)


def geography_from_store(store: Store) -> Geography:
    """The register, change history and harmoniser of the current database (split weights: known
    correspondences and population shares; explicit weights come only with a build input)."""
    regions = [
        Region(row.code, row.name, RegionLevel(row.level), row.parent_code, names=dict(row.names))
        for row in store.regions()
    ]
    return assemble_geography(
        RegionRegistry(regions),
        changes=[
            {
                "oldCode": c.old_code,
                "oldName": c.old_name,
                "newCode": c.new_code,
                "newName": c.new_name,
                "changeOccurred": c.changed_on.isoformat(),
            }
            for c in store.region_changes()
        ],
        population={
            (o.region_code, o.year): o.value
            for o in store.observations(indicator_id=POPULATION_INDICATOR)
            if o.value is not None
        },
        attributes=[
            (a.region_code, a.attribute, a.year, a.value, a.source)
            for a in store.region_attributes()
            if a.attribute != "size_group"  # derived at build time, not an input attribute
        ],
    )


def _dataset_row(entry: InputFile, inputs: BuildInputs) -> DatasetRow:
    return DatasetRow(
        id=entry.dataset,
        publisher=entry.publisher,
        title=entry.title,
        table=entry.table,
        file=entry.path,
        sha256=inputs.sha256[next(iter(inputs.sha256))],
        fetched_at=entry.fetched_at,
        updated=None,
        code_vintage=entry.code_vintage,
        licence=entry.licence,
        provenance=entry.provenance,
        notes=tuple(entry.notes),
    )


TIDY_FORMATS: tuple[FileFormat, ...] = ("tidy-csv", "tidy-xlsx")

__all__ = ["TIDY_COLUMNS", "ImportSummary", "detect_format", "geography_from_store", "import_file"]
