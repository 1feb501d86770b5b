"""The SYNTHETIC mark on the build-input entry of data a fake server made up (its table label, KLASS records or Qlik
app title say SYNTHETIC): in the title, the provenance and the first note, which the database copies to the dataset
that every value read from it names."""

from __future__ import annotations

from boligmonitor.pipeline.refresh_husbanken import SYNTHETIC, synthetic_note
from boligmonitor.sources.manifest import InputFile


def marked_synthetic(entry: InputFile, server: str) -> InputFile:
    """The entry of data a fake server made up: SYNTHETIC in its title, provenance and first note, which the
    database copies to the dataset that every value read from it names."""
    return entry.model_copy(
        update={
            "title": entry.title if SYNTHETIC in entry.title else f"{SYNTHETIC}: {entry.title}",
            "provenance": f"{SYNTHETIC} data from {server}; {entry.provenance}",
            "notes": [synthetic_note(server), *entry.notes],
        }
    )


__all__ = ["marked_synthetic"]
