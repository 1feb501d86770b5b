"""Read every file of a build-input directory, checking each one; nothing is written here."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from boligmonitor.core.errors import InputError, InputProblem
from boligmonitor.core.progress import NoProgress, Progress
from boligmonitor.pipeline.derive import PreparedCube
from boligmonitor.sources.geojson_files import RegionGeometry, read_geojson_regions
from boligmonitor.sources.jsonstat import read_jsonstat
from boligmonitor.sources.klass_files import KlassChange, KlassCode, read_klass_changes, read_klass_codes
from boligmonitor.sources.manifest import BuildManifest, InputFile, read_manifest
from boligmonitor.sources.region_files import (
    RegionAttribute,
    SplitWeight,
    read_region_attributes,
    read_split_weights,
)
from boligmonitor.sources.statbank_csv import read_statbank_csv
from boligmonitor.sources.tidy import TidyRow, read_tidy

MUNICIPALITY_CLASSIFICATION = "klass:131"
COUNTY_CLASSIFICATION = "klass:104"


@dataclass
class BuildInputs:
    """Everything a build input holds, parsed."""

    directory: Path
    manifest: BuildManifest
    sha256: dict[str, str] = field(default_factory=dict)  # file path -> hash
    municipality_codes: list[KlassCode] = field(default_factory=list)
    county_codes: list[KlassCode] = field(default_factory=list)
    changes: list[KlassChange] = field(default_factory=list)
    attributes: list[RegionAttribute] = field(default_factory=list)
    split_weights: list[SplitWeight] = field(default_factory=list)
    cubes: dict[str, PreparedCube] = field(default_factory=dict)  # dataset key -> cube
    tidy: list[tuple[InputFile, list[TidyRow]]] = field(default_factory=list)
    geometries: list[tuple[InputFile, list[RegionGeometry]]] = field(default_factory=list)

    def file_of(self, dataset: str) -> InputFile:
        for entry in self.manifest.files:
            if entry.dataset == dataset:
                return entry
        raise KeyError(dataset)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def input_fingerprint(directory: Path) -> str:
    """A hash of the manifest and every file it lists: equal fingerprints mean an identical input."""
    manifest = read_manifest(directory)
    digest = hashlib.sha256((directory / "manifest.json").read_bytes())
    for entry in sorted(manifest.files, key=lambda f: f.path):
        digest.update(entry.path.encode())
        digest.update(file_sha256(directory / entry.path).encode())
    return digest.hexdigest()


def read_build_inputs(directory: Path, progress: Progress | None = None) -> BuildInputs:
    """Parse every listed file; collect the problems of all files before failing."""
    progress = progress or NoProgress()
    manifest = read_manifest(directory)
    inputs = BuildInputs(directory=directory, manifest=manifest)
    problems: list[InputProblem] = []
    seen_datasets: dict[str, str] = {}
    progress.stage("Reading build input", total=len(manifest.files))
    for entry in manifest.files:
        path = directory / entry.path
        if entry.dataset in seen_datasets:
            problems.append(
                InputProblem(
                    file=str(directory / "manifest.json"),
                    field="dataset",
                    message=f"dataset {entry.dataset!r} is listed twice ({seen_datasets[entry.dataset]}, {entry.path})",
                )
            )
        seen_datasets[entry.dataset] = entry.path
        try:
            inputs.sha256[entry.path] = file_sha256(path)
            _read_one(inputs, entry, path)
        except InputError as error:
            problems.extend(error.problems)
        progress.advance()
    if not inputs.municipality_codes:
        problems.append(
            InputProblem(
                file=str(directory / "manifest.json"),
                message=f"no municipality register: a klass-codes file with dataset {MUNICIPALITY_CLASSIFICATION!r}",
            )
        )
    if problems:
        raise InputError(problems)
    return inputs


def _read_one(inputs: BuildInputs, entry: InputFile, path: Path) -> None:
    match entry.format:
        case "klass-codes":
            codes = read_klass_codes(path)
            if entry.dataset == MUNICIPALITY_CLASSIFICATION:
                inputs.municipality_codes = codes
            elif entry.dataset == COUNTY_CLASSIFICATION:
                inputs.county_codes = codes
            else:
                raise InputError.single(str(path), f"unsupported classification {entry.dataset!r}", field="dataset")
        case "klass-changes":
            inputs.changes.extend(read_klass_changes(path))
        case "region-attributes":
            inputs.attributes.extend(read_region_attributes(path))
        case "split-weights":
            inputs.split_weights.extend(read_split_weights(path))
        case "jsonstat":
            inputs.cubes[entry.dataset] = PreparedCube(read_jsonstat(path), entry.dataset)
        case "statbank-csv":
            inputs.cubes[entry.dataset] = PreparedCube(read_statbank_csv(path), entry.dataset)
        case "tidy-csv" | "tidy-xlsx":
            inputs.tidy.append((entry, read_tidy(path)))
        case "geojson":
            inputs.geometries.append((entry, read_geojson_regions(path)))
