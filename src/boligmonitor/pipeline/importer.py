"""`boligmonitor import FILE`: add or replace indicator data from one file, in one transaction.

Accepted files: the tidy format (CSV or XLSX, docs/tidy-format.md), an SSB statbank CSV download or a
JSON-stat 2.0 file. Cube files are turned into indicators by the catalogue recipes that read their dataset.
Codes are checked against the register and change history already in the database; historical codes are
harmonised to today's municipalities exactly as in a build. Any problem rejects the whole file.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

from sqlalchemy import func, select

from boligmonitor.catalog import load_catalog
from boligmonitor.catalog.models import Catalog
from boligmonitor.core.errors import InputError, InputProblem
from boligmonitor.core.flags import Flag
from boligmonitor.core.observation import Observation
from boligmonitor.core.regions import RegionLevel
from boligmonitor.geo import (
    Region,
    RegionRegistry,
)
from boligmonitor.pipeline.derive import PreparedCube
from boligmonitor.pipeline.geography import Geography, assemble_geography
from boligmonitor.pipeline.indicators import IndicatorBuilder, RowFate
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
from boligmonitor.store import DatasetRow, Store, Writer, schema
from boligmonitor.store.rows import IndicatorStatusRow


@dataclass(frozen=True)
class SkippedRows:
    """Rows of one kind left out, with why and a few of them (``line 4: 0104 2019``)."""

    reason: str
    rows: int
    examples: tuple[str, ...]


@dataclass(frozen=True)
class ImportSummary:
    """What an import did, to the row: what was read, written (new or in place of a stored value), combined
    with other rows into one value of today's municipalities, and skipped, each kind with its reason."""

    version_id: int
    file: Path
    dataset: str
    indicators: tuple[str, ...]
    observations: int  # written
    read: int = 0  # a tidy file's rows, or a cube's cells
    read_unit: str = "rows"
    new: int = 0
    replaced: int = 0
    without_value: dict[str, int] = field(default_factory=dict)  # status symbol -> written observations
    recoded: int = 0  # rows under a former code, each stored alone under today's code
    combined_rows: int = 0  # rows summed with others (merged municipalities) …
    combined_into: int = 0  # … into this many observations
    split_rows: int = 0  # rows divided between several of today's municipalities (split weights)
    skipped: tuple[SkippedRows, ...] = ()
    numbers_not_shown: tuple[SkippedRows, ...] = ()  # rows whose number went into a value that has none
    outliers: int = 0
    # Cube imports: observations written per indicator, and why an indicator got none or left values out.
    by_indicator: dict[str, int] = field(default_factory=dict)
    indicator_notes: tuple[str, ...] = ()
    dataset_note: str | None = None

    def describe(self) -> str:
        lines = [
            f"Imported {self.observations} observations of {len(self.indicators)} indicators "
            f"({', '.join(self.indicators)}) from {printable_path(self.file)} as data version {self.version_id}, "
            f"dataset {self.dataset}"
        ]
        if self.dataset_note:
            lines.append(f"  note      {self.dataset_note}")
        lines.append(f"  read      {_count(self.read, self.read_unit[:-1], self.read_unit)}")
        missing = ", ".join(f"{n} {_symbol(s)}" for s, n in sorted(self.without_value.items()))
        lines.append(
            f"  written   {_count(self.observations, 'observation', 'observations')}: {self.new} new, "
            f"{self.replaced} in place of stored ones"
            + (f"; {sum(self.without_value.values())} without a value ({missing})" if missing else "")
        )
        if self.read_unit == "rows":
            lines.append(
                f"  combined  {_count(self.recoded, 'row', 'rows')} under a former code stored under today's; "
                f"{_count(self.combined_rows, 'row', 'rows')} summed into {self.combined_into} observations of merged "
                f"municipalities; {_count(self.split_rows, 'row', 'rows')} divided between successors"
            )
            skipped = sum(s.rows for s in self.skipped)
            lines.append(f"  skipped   {_count(skipped, 'row', 'rows')}" + (":" if skipped else ""))
            lines.extend(f"    {s.rows} {s.reason} ({', '.join(s.examples)})" for s in self.skipped)
            if self.numbers_not_shown:
                lines.append("  no value  rows whose number went into an observation without a value:")
                lines.extend(f"    {s.rows} {s.reason} ({', '.join(s.examples)})" for s in self.numbers_not_shown)
        if self.read_unit == "cells":
            counts = ", ".join(f"{indicator} {n}" for indicator, n in self.by_indicator.items())
            lines.append(f"  by indicator  {counts}")
            lines.extend(f"    {note}" for note in self.indicator_notes)
        lines.append(f"  outliers  {_count(self.outliers, 'observation', 'observations')} flagged 'outlier' (kept)")
        return "\n".join(lines)

    def as_dict(self) -> dict[str, object]:
        """The report as JSON values (`boligmonitor import --json`)."""
        data = asdict(self)
        data["file"] = printable_path(self.file)
        return data


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _symbol(status: str) -> str:
    return f"status {status!r}" if status else "no status"


def detect_format(path: Path) -> FileFormat:
    """Tidy CSV/XLSX, statbank CSV or JSON-stat, from the name and the first line (an unreadable file raises
    OSError; a file in an encoding no reader reads, InputError)."""
    return sniff_format(path, read_head(path), IMPORT_SNIFFING)


@dataclass(frozen=True)
class _Batch:
    """Inputs built and written together: one tidy file's rows of one indicator, or one cube."""

    inputs: BuildInputs
    indicators: tuple[str, ...]


@dataclass
class _Tally:
    """The import's counts, added up batch by batch (a batch's rows and observations are freed after it)."""

    written: int = 0
    new: int = 0
    without_value: Counter[str] = field(default_factory=Counter)
    recoded: int = 0
    combined_rows: int = 0
    combined_into: int = 0
    split_rows: int = 0
    # reason -> [rows, up to EXAMPLES of them]: a count and a few lines, however many rows
    skipped: dict[str, list[Any]] = field(default_factory=dict)
    not_shown: dict[str, list[Any]] = field(default_factory=dict)
    outliers: int = 0
    by_indicator: Counter[str] = field(default_factory=Counter)
    reasons: dict[str, str] = field(default_factory=dict)  # an indicator's values left out, or why it has none

    def add_rows(self, fates: Sequence[RowFate], written: Mapping[tuple[str, int], Observation]) -> None:
        """Each row's fate: one observation of its own, recoded, summed with others, divided, or skipped."""
        rows_into: Counter[tuple[str, int]] = Counter()
        for fate in fates:
            rows_into.update((code, fate.year) for code in fate.targets)
        combined_targets: set[tuple[str, int]] = set()
        for fate in fates:
            where = f"line {fate.line}: {fate.region} {fate.year}"
            if fate.skipped is not None:
                _note(self.skipped, fate.skipped, where)
                continue
            if len(fate.targets) > 1:
                self.split_rows += 1
            elif rows_into[(fate.targets[0], fate.year)] > 1:
                self.combined_rows += 1
                combined_targets.add((fate.targets[0], fate.year))
            elif fate.targets[0] != fate.region:
                self.recoded += 1
            for code in fate.targets:
                observation = written.get((code, fate.year))
                if observation is None:  # not expected: every target of a row is computed
                    _note(self.not_shown, "no observation was computed", f"{where} → {code}")
                elif fate.had_number and observation.value is None:
                    own = {fate.note} if fate.note else set()
                    why = "; ".join(n for n in (observation.note or "").split("; ") if n and n not in own)
                    _note(self.not_shown, why or f"status {observation.status.value!r}", f"{where} → {code}")
        self.combined_into += len(combined_targets)


def import_file(
    path: Path, store: Store, *, dataset: str | None = None, catalog: Catalog | None = None
) -> ImportSummary:
    """Import one file in one transaction; any problem raises InputError and nothing is written.

    A tidy file is built and written one indicator at a time inside the transaction, so that memory holds
    the compact rows of the file and the observations of one indicator, not of all (docs/tidy-format.md).
    ``dataset`` names a new local dataset for the file's values; it is refused (:class:`DatasetConflictError`) when
    a dataset of that id exists with other provenance. Without it, the default id (``import:NAME``, or the SSB
    table ``ssb:TABLE`` of a cube) gets a suffix ``@2``, ``@3`` … when it exists with other provenance: an
    import never changes the provenance that other values cite.
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
        read, read_unit = len(table), "rows"
        touched = sorted(table.indicators)
        geography = geography_from_store(store)
        _check_codes(table, geography, catalog, file)
        stored_id, dataset_note = choose_dataset_id(store, _dataset_row(entry, inputs), explicit=dataset is not None)
        tidy_entry = entry = entry.model_copy(update={"dataset": stored_id})  # the values cite it from the start
        batches: Iterable[_Batch] = (
            _Batch(replace(inputs, tidy=[(tidy_entry, table.take(indicator_id))]), (indicator_id,))
            for indicator_id in touched
        )
    else:
        content = read_file(path, file_format)
        assert isinstance(content, CubeFile), f"import sniffs only tidy and cube formats, not {file_format!r}"
        cube = content.cube
        read, read_unit = len(cube.values), "cells"
        # The recipes that read the cube: those of --dataset when some read it, else of the file's SSB table.
        key = dataset if dataset and catalog.by_dataset(dataset) else _dataset_of(cube, path, dataset)
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
        # The recipes read the cube under its catalogue key; the values cite the dataset chosen for the file.
        wanted = replace(_dataset_row(entry, inputs), id=dataset or key)
        stored_id, dataset_note = choose_dataset_id(store, wanted, explicit=dataset is not None)
    row = replace(_dataset_row(entry, inputs), id=stored_id)
    untouched = [s for s in store.indicator_status() if s.indicator_id not in touched]

    with store.write("import", f"import of {printable_path(path.resolve())}", catalog.version) as tx:
        if stored_id not in {d.id for d in tx.reader.datasets()}:
            tx.put_datasets([row])
        tally = _Tally()
        states = _build_and_write(batches, geography, catalog, tx, file, stored_id, tally)
        tx.put_indicator_status([*untouched, *(states[indicator_id] for indicator_id in touched)])
        version_id = tx.version.id
    notes = () if read_unit == "rows" else tuple(f"{i}: {tally.reasons[i]}" for i in touched if tally.reasons.get(i))
    return ImportSummary(
        version_id=version_id,
        file=path,
        dataset=stored_id,
        indicators=tuple(touched),
        observations=tally.written,
        read=read,
        read_unit=read_unit,
        new=tally.new,
        replaced=tally.written - tally.new,
        without_value=dict(tally.without_value),
        recoded=tally.recoded,
        combined_rows=tally.combined_rows,
        combined_into=tally.combined_into,
        split_rows=tally.split_rows,
        skipped=_listed(tally.skipped),
        numbers_not_shown=_listed(tally.not_shown),
        outliers=tally.outliers,
        by_indicator={indicator_id: tally.by_indicator.get(indicator_id, 0) for indicator_id in touched},
        indicator_notes=notes,
        dataset_note=dataset_note,
    )


def _what_was_left_out(state: IndicatorStatusRow, written: int) -> str:
    """From the state of an indicator built from the file alone: why none of its values came from the file
    (another dataset it needs is not in it), or which values were left out in harmonisation."""
    if not written:
        why = state.reason.split("; ")[0].replace(
            "is not in the build input", "is needed too; an import reads one file"
        )
        return f"none: {why}" if why else "none"
    left_out = [part for part in state.reason.split("; ") if "left out" in part or "could not be harmonised" in part]
    return "; ".join(left_out)


EXAMPLES: Final = 3  # rows named per reason in the report


def _note(reasons: dict[str, list[Any]], reason: str, where: str) -> None:
    counted = reasons.setdefault(reason, [0])
    counted[0] += 1
    if len(counted) <= EXAMPLES:
        counted.append(where)


def _listed(reasons: Mapping[str, list[Any]]) -> tuple[SkippedRows, ...]:
    return tuple(
        SkippedRows(reason, n, tuple(where) + (("…",) if n > len(where) else ()))
        for reason, (n, *where) in sorted(reasons.items(), key=lambda item: (-item[1][0], item[0]))
    )


class DatasetConflictError(InputError):
    """``--dataset`` names a dataset that exists with other provenance, which an import may not change."""


def choose_dataset_id(store: Store, row: DatasetRow, *, explicit: bool) -> tuple[str, str | None]:
    """The id the imported values cite, and a note when it is not the one asked for.

    The id asked for is used when no dataset has it, or when the one that has it is this very file (same
    publisher, title, table, file name, checksum, code vintage, licence: a repeated import). Otherwise an
    explicit ``--dataset`` is refused (exit 2), and a default id gets the first free suffix ``@2``, ``@3`` …
    """
    existing = {d.id: d for d in store.datasets()}
    wanted = row.id
    current = existing.get(wanted)
    if current is None or _same_provenance(current, row):
        return wanted, None
    if explicit:
        cited = _citing(store, wanted)
        raise DatasetConflictError(
            [
                InputProblem(
                    row.file,
                    f"dataset {wanted!r} already exists with other provenance ({current.publisher}, "
                    f"{current.title!r}, file {current.file}, sha256 {current.sha256[:12]}…), cited by {cited} "
                    "observations; an import cannot change it. Give --dataset a new id for this file "
                    "(e.g. local:my-table), or leave --dataset out",
                    field="dataset",
                )
            ]
        )
    suffix = 2
    while True:
        candidate = f"{wanted}@{suffix}"
        other = existing.get(candidate)
        if other is None or _same_provenance(other, row):
            note = (
                f"dataset {wanted} exists with other provenance ({current.publisher}, {current.title!r}, "
                f"sha256 {current.sha256[:12]}…); this file's values cite {candidate}"
            )
            return candidate, note
        suffix += 1


def _same_provenance(stored: DatasetRow, new: DatasetRow) -> bool:
    def key(row: DatasetRow) -> tuple[object, ...]:
        return (row.publisher, row.title, row.table, row.file, row.sha256, row.code_vintage, row.licence)

    return key(stored) == key(new)


def _citing(store: Store, dataset_id: str) -> int:
    table = schema.observation
    query = select(func.count()).select_from(table).where(table.c.dataset_id == dataset_id)
    with store.engine.connect() as connection:
        return int(connection.execute(query).scalar_one())


def _build_and_write(
    batches: Iterable[_Batch],
    geography: Geography,
    catalog: Catalog,
    tx: Writer,
    file: str,
    dataset_id: str,
    tally: _Tally,
) -> dict[str, IndicatorStatusRow]:
    """Build each batch and write its observations. Every problem of every batch is collected first; if
    there is any, InputError rolls the transaction back. Returns the touched indicators' states over old and
    new values; ``tally`` counts what was done."""
    problems: list[InputProblem] = []
    failed: list[IndicatorStatusRow] = []
    states: dict[str, IndicatorStatusRow] = {}
    for batch in batches:
        _build_and_write_one(batch, geography, catalog, tx, problems, failed, states, dataset_id, tally)
    if problems:
        raise InputError(sorted(problems, key=lambda p: (p.file, p.line or 0)))
    if failed:
        raise InputError([InputProblem(file, f"{s.indicator_id}: {s.reason}") for s in failed])
    return states


def _build_and_write_one(
    batch: _Batch,
    geography: Geography,
    catalog: Catalog,
    tx: Writer,
    problems: list[InputProblem],
    failed: list[IndicatorStatusRow],
    states: dict[str, IndicatorStatusRow],
    dataset_id: str,
    tally: _Tally,
) -> None:
    """One batch: its problems and failed indicators are added to the lists; once there is any, nothing
    more is written (the rest is built for its problems only). Its objects are freed on return."""
    builder = IndicatorBuilder(batch.inputs, geography)
    stored: dict[str, list[Observation]] = {}

    def stored_of(indicator_id: str) -> list[Observation]:
        if indicator_id not in stored:
            stored[indicator_id] = tx.reader.observations(indicator_id=indicator_id)
        return stored[indicator_id]

    results = builder.build(catalog, stored=stored_of)
    problems.extend(results.problems)
    failed.extend(s for s in results.states if s.indicator_id in batch.indicators and s.state == "failed")
    if problems or failed:
        return
    new = [
        o if o.dataset_id == dataset_id else replace(o, dataset_id=dataset_id)
        for o in results.observations
        if o.indicator_id in batch.indicators
    ]
    results.observations.clear()
    for indicator_id in batch.indicators:
        existing = {o.key() for o in stored_of(indicator_id)}
        written = {(o.region_code, o.year): o for o in new if o.indicator_id == indicator_id}
        tally.new += sum(1 for o in written.values() if o.key() not in existing)
        tally.add_rows(results.row_fates.get(indicator_id, ()), written)
    tally.written += tx.put_observations(new)
    tally.by_indicator.update(o.indicator_id for o in new)
    for state in results.states:
        if state.indicator_id in batch.indicators:
            tally.reasons[state.indicator_id] = _what_was_left_out(state, tally.by_indicator[state.indicator_id])
    tally.without_value.update(o.status.value for o in new if o.value is None)
    tally.outliers += sum(1 for o in new if Flag.OUTLIER in o.flags)
    del results, new
    stored.clear()
    for indicator_id in batch.indicators:
        # What is stored now: the new observations in place of the old ones with the same key.
        merged = tx.reader.observations(indicator_id=indicator_id)
        states[indicator_id] = builder.state_of(catalog.indicator(indicator_id), merged)


def _dataset_of(cube: Cube, path: Path, dataset: str | None) -> str:
    """The catalogue dataset of the file's own SSB table (``ssb:07459``)."""
    px = cube.extension.get("px")
    table = px.get("tableid") if isinstance(px, dict) else None
    if isinstance(table, str) and table:
        return f"ssb:{table}"
    message = (
        f"no catalogue indicator reads dataset {dataset!r}, and the file does not name its SSB table"
        if dataset
        else "the file does not name its SSB table; give --dataset with the catalogue dataset it holds"
    )
    raise InputError.single(printable_path(path), message, field="dataset")


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

__all__ = [
    "TIDY_COLUMNS",
    "DatasetConflictError",
    "ImportSummary",
    "SkippedRows",
    "choose_dataset_id",
    "detect_format",
    "geography_from_store",
    "import_file",
]
