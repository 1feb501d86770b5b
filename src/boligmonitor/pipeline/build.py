"""`boligmonitor build --from DIR`: the whole database from a build-input directory, in one transaction.

Everything is read and computed first; only then is the database written, in one transaction that replaces
all data, after comparing the new values with those it replaces (pipeline/revisions.py: revised values are
flagged and the earlier ones kept). A bad file, an unknown code or an interrupted process leaves the previous
data as they were.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from boligmonitor.catalog import load_catalog
from boligmonitor.catalog.models import Catalog
from boligmonitor.core.errors import InputError
from boligmonitor.core.progress import NoProgress, Progress
from boligmonitor.pipeline.geography import Geography, all_regions, build_geography, size_groups
from boligmonitor.pipeline.indicators import IndicatorBuilder, IndicatorResults
from boligmonitor.pipeline.inputs import BuildInputs, input_fingerprint, read_build_inputs
from boligmonitor.pipeline.revisions import compare_with_stored
from boligmonitor.store import Store
from boligmonitor.store.rows import (
    DatasetRow,
    GeometryRow,
    RegionAttributeRow,
    RegionChangeRow,
    RegionRow,
)

SIZE_GROUP_SOURCE = "boligmonitor: from population 1 January (SSB 07459)"


@dataclass(frozen=True)
class BuildSummary:
    version_id: int
    observations: int
    regions: int
    states: dict[str, int]
    seconds: float

    def describe(self) -> str:
        states = ", ".join(f"{n} {state}" for state, n in sorted(self.states.items()))
        return (
            f"Built data version {self.version_id} in {self.seconds:.1f} s: {self.observations} observations, "
            f"{self.regions} regions; indicators: {states}"
        )


def build_database(
    directory: Path, store: Store, *, progress: Progress | None = None, catalog: Catalog | None = None
) -> BuildSummary:
    started = time.perf_counter()
    progress = progress or NoProgress()
    catalog = catalog or load_catalog()
    inputs = read_build_inputs(directory, progress)
    fingerprint = input_fingerprint(directory)
    progress.stage("Regions and harmonisation")
    geography = build_geography(inputs)
    results = IndicatorBuilder(inputs, geography).build(catalog, progress)
    if results.problems:
        raise InputError(results.problems)

    progress.stage("Writing the database", total=len(results.observations))
    description = f"build from {directory.resolve()} ({len(inputs.manifest.files)} files)"
    with store.write("build", description, catalog.version, input_fingerprint=fingerprint) as tx:
        revisions = compare_with_stored(results.observations, tx.reader.stored_values(), tx.version.id)
        tx.replace_everything()
        tx.put_regions(_region_rows(geography))
        tx.put_region_attributes(_attribute_rows(inputs, geography))
        tx.put_region_changes(_change_rows(geography))
        tx.put_datasets(_dataset_rows(inputs))
        tx.put_observations(revisions.observations)
        tx.put_observation_changes(revisions.changes)
        progress.advance(len(results.observations))
        tx.put_indicator_status(results.states)
        tx.put_geometries(_geometry_rows(inputs))
        version_id = tx.version.id
    return BuildSummary(
        version_id=version_id,
        observations=len(results.observations),
        regions=len(geography.registry),
        states=_count_states(results),
        seconds=time.perf_counter() - started,
    )


def _count_states(results: IndicatorResults) -> dict[str, int]:
    counts: dict[str, int] = {}
    for row in results.states:
        counts[row.state] = counts.get(row.state, 0) + 1
    return counts


def _region_rows(geography: Geography) -> list[RegionRow]:
    return [
        RegionRow(
            code=region.code,
            name=region.name,
            level=region.level.value,
            parent_code=region.parent_code,
            names=dict(region.names),
            valid_from=None,
            valid_to=None,
        )
        for region in all_regions(geography.registry)
    ]


def _attribute_rows(inputs: BuildInputs, geography: Geography) -> list[RegionAttributeRow]:
    rows = [
        RegionAttributeRow(
            region_code=a.region, attribute=a.attribute, year=a.year, value=a.value, source=a.source or ""
        )
        for a in inputs.attributes
    ]
    rows.extend(
        RegionAttributeRow(region_code=code, attribute="size_group", year=year, value=group, source=SIZE_GROUP_SOURCE)
        for code, year, group in size_groups(geography)
    )
    return rows


def _change_rows(geography: Geography) -> list[RegionChangeRow]:
    return [
        RegionChangeRow(
            old_code=change.old_code,
            old_name=change.old_name,
            new_code=change.new_code,
            new_name=change.new_name,
            changed_on=change.changed_on,
            kind=change.kind.value,
        )
        for change in geography.history.changes
    ]


def _dataset_rows(inputs: BuildInputs) -> list[DatasetRow]:
    rows = []
    for entry in inputs.manifest.files:
        cube = inputs.cubes.get(entry.dataset)
        rows.append(
            DatasetRow(
                id=entry.dataset,
                publisher=entry.publisher,
                title=entry.title,
                table=entry.table,
                file=entry.path,
                sha256=inputs.sha256[entry.path],
                fetched_at=entry.fetched_at,
                updated=cube.cube.updated if cube else None,
                code_vintage=entry.code_vintage,
                licence=entry.licence,
                provenance=entry.provenance,
                notes=tuple(entry.notes),
            )
        )
    return rows


def _geometry_rows(inputs: BuildInputs) -> list[GeometryRow]:
    return [
        GeometryRow(
            region_code=geometry.code,
            vintage=entry.dataset.rsplit("-", 1)[-1],
            geojson=geometry.geometry_json,
        )
        for entry, geometries in inputs.geometries
        for geometry in geometries
    ]
