"""The KLASS part of `boligmonitor fetch`: the municipalities (131) and counties (104) valid today and the municipal
changes since the last change the input knows, each as a build-input file whose entry says where it came from; a
register file is rewritten only when its content changed (pipeline/refresh.py stages and builds them)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Literal

from boligmonitor.pipeline.inputs import COUNTY_CLASSIFICATION, MUNICIPALITY_CLASSIFICATION
from boligmonitor.pipeline.refresh_husbanken import SYNTHETIC
from boligmonitor.pipeline.synthetic_marks import marked_synthetic
from boligmonitor.sources.connectors import klass as klass_api
from boligmonitor.sources.connectors.http import PoliteClient
from boligmonitor.sources.connectors.ssb.publishing import NORWAY
from boligmonitor.sources.manifest import InputFile, read_manifest
from boligmonitor.sources.readers.klass_files import read_klass_changes, read_klass_codes
from boligmonitor.sources.readers.klass_records import KlassChange, KlassCode

KLASS_DIRECTORY = "klass-live"
LIVE_CHANGES_DATASET = "klass:131-changes-live"
EARLIEST_CHANGES = date(2000, 1, 1)  # KLASS 131 changes start earlier than any series the monitor shows
SSB_LICENCE = "NLOD / CC BY 4.0 (Statistisk sentralbyrå)"
UNKNOWN_MUNICIPALITY = "9999"  # KLASS 131's "unknown municipality", not a place
FAKE_KLASS = "a fake KLASS service (its records' notes say SYNTHETIC)"


@dataclass(frozen=True)
class RegisterFile:
    """A KLASS file to stage: its manifest entry and the JSON document to write."""

    entry: InputFile
    document: dict[str, Any]


def register_updates(klass: PoliteClient, input_directory: Path, moment: datetime) -> list[RegisterFile]:
    """The KLASS files whose content changed: codes valid today (131, 104) and municipal changes since the
    latest change the input's other change files know (those files are kept; this one holds only what is new)."""
    today = moment.astimezone(NORWAY).date()
    manifest = read_manifest(input_directory)
    entries = {entry.dataset: entry for entry in manifest.files}
    updates: list[RegisterFile] = []
    for dataset, classification, title in (
        (MUNICIPALITY_CLASSIFICATION, klass_api.MUNICIPALITIES, "Standard for kommuneinndeling"),
        (COUNTY_CLASSIFICATION, klass_api.COUNTIES, "Standard for fylkesinndeling"),
    ):
        codes = klass_api.codes_at(klass, classification, today)
        current = entries.get(dataset)
        if current is not None and _same_register(input_directory / current.path, codes):
            continue
        path = f"codesAt.json?date={today.isoformat()}&language=nb"
        entry = _klass_entry(
            f"{KLASS_DIRECTORY}/klass_{classification}_codesAt_{today.isoformat()}.json",
            "klass-codes",
            dataset,
            f"KLASS {classification} {title}: codes valid on {today.isoformat()}",
            classification,
            str(today.year),
            moment,
            klass.url_for(f"classifications/{classification}/{path}"),
        )
        if any(SYNTHETIC in code.notes for code in codes):
            entry = marked_synthetic(entry, FAKE_KLASS)
        updates.append(RegisterFile(entry, klass_api.codes_document(codes)))
    changes = _changes_update(klass, input_directory, manifest.files, entries.get(LIVE_CHANGES_DATASET), moment)
    if changes is not None:
        updates.append(changes)
    return updates


def _same_register(path: Path, fetched: Sequence[KlassCode]) -> bool:
    try:
        return klass_api.same_codes(read_klass_codes(path), fetched)
    except OSError:
        return False


def _changes_update(
    klass: PoliteClient, input_directory: Path, files: Sequence[InputFile], live: InputFile | None, moment: datetime
) -> RegisterFile | None:
    today = moment.astimezone(NORWAY).date()
    known: list[KlassChange] = []
    for entry in files:
        if entry.format == "klass-changes" and entry.dataset != LIVE_CHANGES_DATASET:
            known.extend(read_klass_changes(input_directory / entry.path))
    since = max((change.change_occurred for change in known), default=EARLIEST_CHANGES)
    fetched = klass_api.changes(klass, klass_api.MUNICIPALITIES, since, today)
    new = klass_api.unseen_changes(fetched, known)
    previous = read_klass_changes(input_directory / live.path) if live is not None else []
    if set(new) == set(previous):
        return None
    path = f"classifications/{klass_api.MUNICIPALITIES}/changes.json?from={since.isoformat()}&to={today.isoformat()}"
    return RegisterFile(
        _klass_entry(
            f"{KLASS_DIRECTORY}/klass_131_changes_{since.isoformat()}_{today.isoformat()}.json",
            "klass-changes",
            LIVE_CHANGES_DATASET,
            f"KLASS 131 changes to municipalities from {since.isoformat()} to {today.isoformat()}",
            klass_api.MUNICIPALITIES,
            "as-published",
            moment,
            klass.url_for(path),
            notes=[
                f"Only changes that the input's other change lists lack (they end on {since.isoformat()}); "
                "a change is the same when its old code, new code and date are."
            ],
        ),
        klass_api.changes_document(new),
    )


def _klass_entry(
    path: str,
    file_format: Literal["klass-codes", "klass-changes"],
    dataset: str,
    title: str,
    classification: int,
    vintage: str,
    moment: datetime,
    source_url: str,
    notes: list[str] | None = None,
) -> InputFile:
    return InputFile(
        path=path,
        format=file_format,
        dataset=dataset,
        publisher="SSB",
        title=title,
        table=str(classification),
        code_vintage=vintage,
        fetched_at=moment.astimezone(UTC),
        source_url=source_url,
        licence=SSB_LICENCE,
        provenance=f"fetched by boligmonitor from the KLASS API ({source_url})",
        notes=notes or [],
    )


__all__ = [
    "EARLIEST_CHANGES",
    "KLASS_DIRECTORY",
    "LIVE_CHANGES_DATASET",
    "SSB_LICENCE",
    "UNKNOWN_MUNICIPALITY",
    "RegisterFile",
    "register_updates",
]
