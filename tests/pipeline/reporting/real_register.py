"""The real municipal register for the member-code checks: today's municipalities (KLASS 131 codes at
2026-01-01) and KLASS 131's code changes 2011–2024, read at test time from ../shared/data/registry (never copied),
as a :class:`ChangeHistory` or written into a store as a build would."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Final

from boligmonitor.geo.changes import ChangeHistory
from boligmonitor.store import Store
from boligmonitor.store.rows import RegionChangeRow, RegionRow

CODES_FILE: Final = Path("registry") / "klass131_kommuner_codesAt_2026-01-01.csv"
CHANGES_FILE: Final = Path("registry") / "klass131_changes_2011_2024.csv"


def current_municipalities(shared_data: Path) -> dict[str, str]:
    """Today's municipality codes and names."""
    with (shared_data / CODES_FILE).open(encoding="utf-8", newline="") as handle:
        return {row["code"]: row["name"] for row in csv.DictReader(handle) if row["code"] != "9999"}


def change_items(shared_data: Path) -> list[dict[str, str]]:
    with (shared_data / CHANGES_FILE).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def real_register(shared_data: Path) -> ChangeHistory:
    return ChangeHistory.from_rows(change_items(shared_data), current_codes=current_municipalities(shared_data))


def put_real_register(store: Store, shared_data: Path) -> None:
    """Today's municipalities and the code changes, in the store's region tables (as a build puts them)."""
    history = real_register(shared_data)
    regions = [
        RegionRow(code=code, name=name, level="municipality", parent_code=code[:2])
        for code, name in current_municipalities(shared_data).items()
    ]
    changes = [
        RegionChangeRow(
            old_code=change.old_code,
            old_name=change.old_name,
            new_code=change.new_code,
            new_name=change.new_name,
            changed_on=change.changed_on,
            kind=change.kind.value,
        )
        for change in history.changes
    ]
    with store.write("import", "the real municipal register (KLASS 131) for the member-code tests") as writer:
        writer.put_regions(regions)
        writer.put_region_changes(changes)
