"""The development adapter that turns the project's reference files in ``../shared/data`` into a build input.

Used by ``boligmonitor prepare-input``.

``prepare_build_input(shared, out)`` writes ``out/manifest.json`` and one file per dataset in the formats of
:mod:`boligmonitor.sources.manifest`; ``boligmonitor build --from out`` then builds the database offline.
Values are never edited: every transformation (aggregation, recoding, estimation) is stated in the
manifest entry's ``provenance``/``notes`` and, where it affects single values, in per-cell flags. The
dataset keys and what each comes from are listed in ``docs/build-input.md``.

The directory is written next to ``out`` under a temporary name and renamed into place at the end, so an
interrupted run leaves either the previous input or none, never a half-written one.
"""

from __future__ import annotations

import filecmp
import os
import shutil
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from boligmonitor.core.errors import InputError
from boligmonitor.sources.manifest import MANIFEST_NAME, BuildManifest, InputFile, read_manifest
from boligmonitor.sources.shared_data.common import Workspace
from boligmonitor.sources.shared_data.geo import write_geo
from boligmonitor.sources.shared_data.housing_market import write_housing_market, write_rental_survey
from boligmonitor.sources.shared_data.husbanken import write_husbanken
from boligmonitor.sources.shared_data.income_social import write_income_social
from boligmonitor.sources.shared_data.names import RegionNames, load_names
from boligmonitor.sources.shared_data.oslo import write_oslo
from boligmonitor.sources.shared_data.population import write_population
from boligmonitor.sources.shared_data.refugees import write_refugees
from boligmonitor.sources.shared_data.registry import write_registry

__all__ = ["CREATED_BY", "prepare_build_input"]

# Written into every manifest and compared on re-runs (see _same_as_previous): it keeps the module's old
# name so that existing build inputs stay byte-identical and are still recognised as up to date.
CREATED_BY = "boligmonitor.sources.devdata (development adapter for shared/data)"

Writer = Callable[[Workspace, RegionNames], list[InputFile]]

# (what the progress callback says, writer) in the order the manifest lists the datasets.
STEPS: tuple[tuple[str, Writer], ...] = (
    ("KLASS codes and changes, region attributes, split weights", lambda w, _: write_registry(w)),
    ("boundaries (GeoJSON)", lambda w, _: write_geo(w)),
    ("SSB 07459 population by single age", write_population),
    ("IMDi settlement of refugees and immigration reasons", write_refugees),
    ("IMDi social assistance and persistent low income", write_income_social),
    ("SSB 06035 price per m² of detached houses", write_housing_market),
    ("SSB 09895 rents (rental market survey)", lambda w, _: write_rental_survey(w)),
    ("Husbanken bostøtte", write_husbanken),
    ("Oslo kommune district statistics", write_oslo),
)


def prepare_build_input(
    shared_data: Path, out: Path, *, progress: Callable[[str], None] | None = None
) -> BuildManifest:
    """Write a complete build-input directory at ``out`` from ``shared_data``; returns its manifest.

    An existing ``out`` is replaced only when the new directory is complete. Raises InputError (nothing
    written, ``out`` untouched) when a shared file is missing or does not look as PROVENANCE.md describes.
    """
    shared_data = Path(shared_data)
    out = Path(out)
    if not shared_data.is_dir():
        raise InputError.single(str(shared_data), "the shared data directory does not exist")
    if out.exists() and not out.is_dir():
        raise InputError.single(str(out), "the output path exists and is not a directory")
    out.parent.mkdir(parents=True, exist_ok=True)
    report = progress or (lambda _: None)
    staging = _sibling(out, "partial")
    staging.mkdir()
    try:
        workspace = Workspace(shared=shared_data, out=staging)
        names = load_names(workspace)
        files: list[InputFile] = []
        for description, writer in STEPS:
            report(description)
            files.extend(writer(workspace, names))
        previous = _same_as_previous(staging, out, files)
        if previous is not None:
            shutil.rmtree(staging)
            report(f"{out} is up to date ({len(files)} files, unchanged)")
            return previous
        manifest = BuildManifest(created_at=datetime.now(UTC), created_by=CREATED_BY, files=files)
        manifest.write(staging)
        _replace_directory(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    report(f"wrote {len(files)} files to {out}")
    return manifest


def _same_as_previous(staging: Path, out: Path, files: list[InputFile]) -> BuildManifest | None:
    """The manifest already at ``out`` if it lists the same entries and every file is byte-identical.

    Keeping the previous directory then (with its ``created_at``) makes a re-run on unchanged shared data
    leave the input exactly as it was, so that a build can skip an input it has already built.
    """
    try:
        previous = read_manifest(out)
    except InputError:
        return None
    if previous.created_by != CREATED_BY or [f.model_dump() for f in previous.files] != [f.model_dump() for f in files]:
        return None
    on_disk = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    if on_disk != {f.path for f in files} | {MANIFEST_NAME}:
        return None
    same = all(filecmp.cmp(staging / f.path, out / f.path, shallow=False) for f in files)
    return previous if same else None


def _replace_directory(new: Path, out: Path) -> None:
    """Move ``new`` to ``out``; a previous ``out`` is moved aside first and removed only afterwards."""
    if not out.exists():
        new.rename(out)
        return
    previous = _sibling(out, "previous")
    out.rename(previous)
    try:
        new.rename(out)
    except BaseException:
        previous.rename(out)
        raise
    shutil.rmtree(previous, ignore_errors=True)


def _sibling(out: Path, purpose: str) -> Path:
    """A fresh hidden name next to ``out`` (same file system, so renames are atomic)."""
    return out.parent / f".{out.name}.{purpose}-{os.getpid()}-{uuid.uuid4().hex[:8]}"
