"""Revisions: a build that changes values an earlier version held flags them and keeps the earlier ones."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from boligmonitor.catalog import load_catalog
from boligmonitor.core.flags import Flag, format_flags
from boligmonitor.core.observation import Observation
from boligmonitor.core.status import Status
from boligmonitor.pipeline.build import build_database
from boligmonitor.pipeline.revisions import compare_with_stored
from boligmonitor.pipeline.status_report import status_report
from boligmonitor.store import ObservationChangeRow, Store, StoredValue


def observation(
    value: float | None, *, region: str = "0301", year: int = 2022, status: Status = Status.OK
) -> Observation:
    return Observation(
        indicator_id="FL02",
        region_code=region,
        year=year,
        value=value,
        numerator=None,
        denominator=None,
        unit="count",
        status=status,
        dataset_id="imdi:bosetting",
    )


def stored(value: float | None, *, status: str = "", flags: frozenset[Flag] = frozenset()) -> StoredValue:
    return StoredValue(value=value, status=status, flags=format_flags(flags), data_version=3)


def test_a_first_build_changes_nothing_and_counts_its_values() -> None:
    revisions = compare_with_stored(
        [observation(10.0), observation(None, status=Status.CONFIDENTIAL, year=2023)], {}, 4
    )
    assert revisions.changes == [] and revisions.new_values == 1
    assert all(Flag.REVISED not in o.flags for o in revisions.observations)


def test_a_changed_value_is_flagged_revised_and_the_earlier_one_kept() -> None:
    revisions = compare_with_stored([observation(12.0)], {("FL02", "0301", 2022): stored(10.0)}, 4)
    [revised] = revisions.observations
    assert Flag.REVISED in revised.flags and revised.value == 12.0
    assert revisions.changes == [
        ObservationChangeRow(
            data_version=4,
            indicator_id="FL02",
            region_code="0301",
            year=2022,
            kind="revised",
            previous_value=10.0,
            previous_status="",
            previous_data_version=3,
            value=12.0,
            status="",
        )
    ]


def test_an_unchanged_value_is_no_change_and_keeps_an_earlier_revision_flag() -> None:
    key = ("FL02", "0301", 2022)
    plain = compare_with_stored([observation(10.0 + 1e-12)], {key: stored(10.0)}, 4)
    assert plain.changes == [] and Flag.REVISED not in plain.observations[0].flags
    carried = compare_with_stored([observation(10.0)], {key: stored(10.0, flags=frozenset({Flag.REVISED}))}, 4)
    assert carried.changes == [] and Flag.REVISED in carried.observations[0].flags


@pytest.mark.parametrize(
    ("before", "after", "kind"),
    [
        (stored(10.0), observation(None, status=Status.CONFIDENTIAL), "withdrawn"),
        (stored(None, status=".."), observation(7.0), "filled"),
    ],
)
def test_values_withdrawn_and_filled_are_changes_but_not_revisions(
    before: StoredValue, after: Observation, kind: str
) -> None:
    revisions = compare_with_stored([after], {("FL02", "0301", 2022): before}, 4)
    [change] = revisions.changes
    assert change.kind == kind and change.previous_value == before.value and change.value == after.value
    assert change.status == after.status.value
    assert Flag.REVISED not in revisions.observations[0].flags


def test_a_value_the_new_build_no_longer_has_is_withdrawn() -> None:
    revisions = compare_with_stored([], {("FL02", "0301", 2022): stored(10.0), ("FL02", "0301", 2021): stored(None)}, 4)
    [change] = revisions.changes
    assert (change.year, change.kind, change.value, change.status) == (2022, "withdrawn", None, None)


def _double_one_cell(document: dict[str, Any], region: str, year: str, measure: str) -> None:
    """Double the value of one cell of a JSON-stat 2.0 dataset in place (a SYNTHETIC revision)."""
    wanted = {"Region": region, "Tid": year}
    position = 0
    for dimension_id, size in zip(document["id"], document["size"], strict=True):
        index = document["dimension"][dimension_id]["category"]["index"]
        codes: list[str] = index if isinstance(index, list) else sorted(index, key=index.__getitem__)
        code = wanted.get(dimension_id, measure if measure in codes else codes[0])
        position = position * size + codes.index(code)
    document["value"][position] *= 2


def test_a_rebuild_with_a_revised_input_flags_the_values_and_keeps_the_earlier_ones(
    store_copy: Store, build_input: Path, tmp_path: Path
) -> None:
    revised_input = tmp_path / "input"
    shutil.copytree(build_input, revised_input)
    path = revised_input / "imdi" / "bosetting_1995_2023.json"
    document = json.loads(path.read_text(encoding="utf-8"))
    _double_one_cell(document, "0301", "2022", "faktisk")
    path.write_text(json.dumps(document), encoding="utf-8")
    before = {o.key(): o for o in store_copy.observations(region_code="0301", year=2022)}

    summary = build_database(revised_input, store_copy)

    changes = store_copy.observation_changes()
    assert changes, "doubling a settled-refugees cell changes at least one indicator"
    assert {(c.region_code, c.year, c.kind, c.data_version) for c in changes} == {
        ("0301", 2022, "revised", summary.version_id)
    }
    for change in changes:
        earlier = before[(change.indicator_id, "0301", 2022)]
        assert change.previous_value == earlier.value and change.previous_data_version is not None
        [now] = store_copy.observations(indicator_id=change.indicator_id, region_code="0301", year=2022)
        assert now.value == change.value != earlier.value
        assert Flag.REVISED in now.flags
    report = status_report(store_copy, load_catalog())["last_changes"]
    assert report["data_version"] == summary.version_id
    assert report["counts"] == {"revised": len(changes)}
    assert sorted(report["indicators"]) == sorted({c.indicator_id for c in changes})
    assert report["changes"][0]["previous_value"] == changes[0].previous_value
    unchanged = store_copy.observations(indicator_id=changes[0].indicator_id, region_code="0301", year=2021)
    assert unchanged and all(Flag.REVISED not in o.flags for o in unchanged)


def test_status_has_no_changes_before_a_second_build(store_copy: Store) -> None:
    assert status_report(store_copy, load_catalog())["last_changes"] is None
