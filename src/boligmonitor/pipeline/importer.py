"""`boligmonitor import FILE`: add or replace indicator data from one file, in one transaction.

Accepted files: the tidy format (CSV or XLSX, docs/tidy-format.md), an SSB statbank CSV download or a
JSON-stat 2.0 file. Cube files are turned into indicators by the catalogue recipes that read their dataset.
Codes are checked against the register and change history already in the database; historical codes are
harmonised to today's municipalities exactly as in a build. Any problem rejects the whole file.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from boligmonitor.catalog import load_catalog
from boligmonitor.catalog.models import Catalog
from boligmonitor.core.errors import InputError, InputProblem
from boligmonitor.core.observation import Observation
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
from boligmonitor.sources.readers.registry import (
    IMPORT_SNIFFING,
    CubeFile,
    TidyFile,
    read_file,
    read_head,
    sniff_format,
)
from boligmonitor.sources.readers.tidy import TIDY_COLUMNS
from boligmonitor.store import DatasetRow, Store
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
            f"({', '.join(self.indicators)}) from {self.file} as data version {self.version_id}"
        )


def detect_format(path: Path) -> FileFormat:
    """Tidy CSV/XLSX, statbank CSV or JSON-stat, from the name and the first line (an unreadable file raises
    OSError)."""
    return sniff_format(path, read_head(path), IMPORT_SNIFFING)


def import_file(
    path: Path, store: Store, *, dataset: str | None = None, catalog: Catalog | None = None
) -> ImportSummary:
    catalog = catalog or load_catalog()
    if not path.is_file():
        raise InputError.single(str(path), "no such file")
    if store.current_version() is None:
        raise InputError.single(str(path), "the database is empty: build it first (`boligmonitor build --from DIR`)")
    file_format = detect_format(path)
    entry = InputFile(
        path=path.name,
        format=file_format,
        dataset=dataset or f"import:{path.name}",
        publisher="import",
        title=f"Imported file {path.name}",
        fetched_at=datetime.now(UTC),
        provenance=f"imported by boligmonitor from {path.resolve()}",
    )
    inputs = BuildInputs(
        directory=path.parent,
        manifest=BuildManifest(created_at=datetime.now(UTC), created_by="boligmonitor import", files=[entry]),
        sha256={entry.path: file_sha256(path)},
    )
    content = read_file(path, file_format)
    if isinstance(content, TidyFile):
        inputs.tidy.append((entry, content.rows))
        touched = sorted({row.indicator for row in content.rows})
    else:
        assert isinstance(content, CubeFile), f"import sniffs only tidy and cube formats, not {file_format!r}"
        cube = content.cube
        key = dataset or _dataset_of(cube, path)
        entry = entry.model_copy(update={"dataset": key, "publisher": "SSB" if key.startswith("ssb:") else "import"})
        inputs.manifest = inputs.manifest.model_copy(update={"files": [entry]})
        inputs.cubes[key] = PreparedCube(cube, key)
        touched = [indicator.id for indicator in catalog.by_dataset(key)]
        if not touched:
            raise InputError.single(
                str(path),
                f"no catalogue indicator reads dataset {key!r}; give --dataset or add a recipe",
                field="dataset",
            )
    geography = geography_from_store(store)
    _check_codes(inputs, geography, catalog, path)

    builder = IndicatorBuilder(inputs, geography)
    results = builder.build(catalog)
    if results.problems:
        raise InputError(results.problems)
    new = [o for o in results.observations if o.indicator_id in touched]
    failed = [s for s in results.states if s.indicator_id in touched and s.state == "failed"]
    if failed:
        raise InputError([InputProblem(str(path), f"{s.indicator_id}: {s.reason}") for s in failed])
    states = _states_after(store, new, touched, builder)

    with store.write("import", f"import of {path.resolve()}", catalog.version) as tx:
        tx.put_datasets([_dataset_row(entry, inputs)])
        written = tx.put_observations(new)
        tx.put_indicator_status(states)
        version_id = tx.version.id
    return ImportSummary(version_id, path, entry.dataset, tuple(touched), written)


def _dataset_of(cube: Cube, path: Path) -> str:
    px = cube.extension.get("px")
    table = px.get("tableid") if isinstance(px, dict) else None
    if isinstance(table, str) and table:
        return f"ssb:{table}"
    raise InputError.single(str(path), "the file does not name its SSB table; give --dataset", field="dataset")


def _check_codes(inputs: BuildInputs, geography: Geography, catalog: Catalog, path: Path) -> None:
    """Every indicator must be in the catalogue, every region known for its year: else nothing is written."""
    known_indicators = {indicator.id for indicator in catalog.indicators}
    registry, harmoniser = geography.registry, geography.harmoniser
    problems: list[InputProblem] = []
    for _, rows in inputs.tidy:
        for row in rows:
            if row.indicator not in known_indicators:
                problems.append(
                    InputProblem(str(path), f"unknown indicator {row.indicator!r}", line=row.line, field="indicator")
                )
            if row.region in registry or harmoniser.is_valid(row.region, row.year):
                continue
            recoding = recode_outside_validity(geography.history, row.region, row.year)
            if recoding.code is None:
                problems.append(
                    InputProblem(
                        str(path),
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


def _states_after(
    store: Store, new: list[Observation], touched: list[str], builder: IndicatorBuilder
) -> list[IndicatorStatusRow]:
    """Every indicator's state after the import: touched ones recomputed over old and new values."""
    keep = {s.indicator_id: s for s in store.indicator_status() if s.indicator_id not in touched}
    catalog = load_catalog()
    for indicator_id in touched:
        merged = {o.key(): o for o in store.observations(indicator_id=indicator_id)}
        merged.update({o.key(): o for o in new if o.indicator_id == indicator_id})
        keep[indicator_id] = builder.state_of(catalog.indicator(indicator_id), list(merged.values()))
    return list(keep.values())


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


__all__ = ["TIDY_COLUMNS", "ImportSummary", "detect_format", "geography_from_store", "import_file"]
