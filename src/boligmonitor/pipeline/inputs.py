"""Read every file of a build-input directory, checking each one; nothing is written here."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from boligmonitor.core.errors import InputError, InputProblem
from boligmonitor.core.progress import NoProgress, Progress
from boligmonitor.pipeline.derive import PreparedCube
from boligmonitor.sources.manifest import BuildManifest, InputFile, read_manifest
from boligmonitor.sources.readers.geojson import RegionGeometry
from boligmonitor.sources.readers.klass_records import KlassChange, KlassCode
from boligmonitor.sources.readers.region_files import RegionAttribute, SplitWeight
from boligmonitor.sources.readers.registry import (
    CubeFile,
    GeometryFile,
    KlassChangesFile,
    KlassCodesFile,
    RegionAttributesFile,
    SplitWeightsFile,
    TidyFile,
    read_file,
)
from boligmonitor.sources.readers.tidy import TidyRow

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
    match read_file(path, entry.format):
        case KlassCodesFile(codes):
            if entry.dataset == MUNICIPALITY_CLASSIFICATION:
                inputs.municipality_codes = codes
            elif entry.dataset == COUNTY_CLASSIFICATION:
                inputs.county_codes = codes
            else:
                raise InputError.single(str(path), f"unsupported classification {entry.dataset!r}", field="dataset")
        case KlassChangesFile(changes):
            inputs.changes.extend(changes)
        case RegionAttributesFile(attributes):
            inputs.attributes.extend(attributes)
        case SplitWeightsFile(weights):
            inputs.split_weights.extend(weights)
        case CubeFile(cube):
            inputs.cubes[entry.dataset] = PreparedCube(cube, entry.dataset)
        case TidyFile(rows):
            inputs.tidy.append((entry, rows))
        case GeometryFile(regions):
            inputs.geometries.append((entry, regions))
