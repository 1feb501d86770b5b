"""The build input: a directory of raw source files described by ``manifest.json``.

``boligmonitor build --from DIR`` reads only this; it never touches the network. The development adapter
(:mod:`boligmonitor.sources.shared_data`) writes such a directory from ``../shared/data``; the live connectors
write the same formats into their archive. See ``docs/build-input.md``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError

from boligmonitor.core.errors import InputError, InputProblem

MANIFEST_NAME = "manifest.json"

FileFormat = Literal[
    "jsonstat",  # JSON-stat 2.0 dataset (SSB PxWebApi v0/v2 response or our own writer)
    "statbank-csv",  # SSB statbank CSV download (semicolon, decimal comma, `..`)
    "tidy-csv",  # indicator observations in the documented tidy format (docs/tidy-format.md)
    "tidy-xlsx",  # the same tidy format as an Excel sheet
    "klass-codes",  # KLASS `codesAt` response body ({"codes": [...]})
    "klass-changes",  # KLASS `changes` response body ({"codeChanges": [...]})
    "region-attributes",  # CSV: region,attribute,year,value,source (KOSTRA group, centrality, ...)
    "split-weights",  # CSV: old_code,new_code,valid_until_year,weight,source (weights for split municipalities)
    "geojson",  # region boundaries; features carry the region code in `properties.code`
]


class InputFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    path: str = Field(description="Path relative to the manifest's directory")
    format: FileFormat
    dataset: str = Field(description="Stable dataset key, e.g. 'ssb:07459', 'imdi:bosetting', 'klass:131'")
    publisher: str
    title: str
    table: str | None = Field(default=None, description="The publisher's table id, e.g. '07459'")
    code_vintage: str = Field(
        default="as-published",
        description="'as-published': region codes are those valid in each observation's year; "
        "a year such as '2024': every code is valid in that year (already harmonised by the publisher)",
    )
    fetched_at: AwareDatetime | None = None
    source_url: str | None = None
    licence: str | None = None
    provenance: str = ""
    notes: list[str] = Field(default_factory=list)


class BuildManifest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    format_version: Literal[1] = 1
    created_at: AwareDatetime
    created_by: str
    files: list[InputFile]

    def write(self, directory: Path) -> Path:
        path = directory / MANIFEST_NAME
        path.write_text(self.model_dump_json(indent=2) + "\n", encoding="utf-8")
        return path


def read_manifest(directory: Path) -> BuildManifest:
    """Read and validate ``DIR/manifest.json``; every listed file must exist."""
    path = directory / MANIFEST_NAME
    if not path.is_file():
        raise InputError.single(str(path), "no manifest.json: not a boligmonitor build input directory")
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        line = getattr(exc, "lineno", None)
        raise InputError.single(str(path), f"not valid UTF-8 JSON: {exc}", line=line) from exc
    try:
        manifest = BuildManifest.model_validate(raw)
    except ValidationError as exc:
        problems = [
            InputProblem(file=str(path), field=".".join(str(p) for p in err["loc"]), message=err["msg"])
            for err in exc.errors()
        ]
        raise InputError(problems) from exc
    missing = [
        InputProblem(file=str(path), field=f"files[{i}].path", message=f"listed file {f.path!r} does not exist")
        for i, f in enumerate(manifest.files)
        if not (directory / f.path).is_file()
    ]
    if missing:
        raise InputError(missing)
    return manifest
