"""The build applies the same domain rules as every import: a bad value in the build input rejects the build,
naming the file and the cell's codes, and the previous data stay. The real input builds (the session's database
is built from it) with its outliers flagged, not dropped.

The bad values are SYNTHETIC changes to a copy of the real build input.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from boligmonitor.core.errors import InputError
from boligmonitor.core.flags import Flag
from boligmonitor.pipeline.build import build_database
from boligmonitor.store import Store


def _copy_with_changed_cube(build_input: Path, tmp_path: Path, dataset: str) -> tuple[Path, Path, dict[str, Any]]:
    copy = tmp_path / "input"
    shutil.copytree(build_input, copy)
    manifest = json.loads((copy / "manifest.json").read_text(encoding="utf-8"))
    [entry] = [f for f in manifest["files"] if f["dataset"] == dataset]
    path = copy / entry["path"]
    return copy, path, json.loads(path.read_text(encoding="utf-8"))


def _cell(document: dict[str, Any], codes: dict[str, str]) -> int:
    """The flat index of the cell with these codes (row-major, last dimension fastest)."""
    flat = 0
    for dimension, size in zip(document["id"], document["size"], strict=True):
        index = document["dimension"][dimension]["category"]["index"]
        position = index.index(codes[dimension]) if isinstance(index, list) else index[codes[dimension]]
        flat = flat * size + position
    return flat


def test_a_negative_count_in_the_build_input_rejects_the_build(
    store_copy: Store, build_input: Path, tmp_path: Path
) -> None:
    before = store_copy.current_version()
    directory, path, document = _copy_with_changed_cube(build_input, tmp_path, "imdi:bosetting")
    codes = {"Region": "0301", "Bosetting": "faktisk", "ContentsCode": "Personer", "Tid": "2022"}
    document["value"][_cell(document, codes)] = -7  # SYNTHETIC: refugees settled cannot be negative
    path.write_text(json.dumps(document), encoding="utf-8")

    with pytest.raises(InputError) as caught:
        build_database(directory, store_copy)
    problems = caught.value.problems
    assert all(p.file == str(path) for p in problems)
    assert any(
        p.field == "Region=0301, Bosetting=faktisk, ContentsCode=Personer, Tid=2022 (numerator)"
        and "negative" in p.message
        for p in problems
    ), problems
    assert store_copy.current_version() == before


def test_a_published_share_above_100_rejects_the_build(store_copy: Store, build_input: Path, tmp_path: Path) -> None:
    directory, path, document = _copy_with_changed_cube(build_input, tmp_path, "imdi:lavinntekt")
    codes = {"Region": "0301", "Innvandrerkategori": "alle", "Landbakgrunn": "alle", "ContentsCode": "Prosent"}
    codes["Tid"] = "2014"
    document["value"][_cell(document, codes)] = 140.0  # SYNTHETIC: a share of 140 %
    path.write_text(json.dumps(document), encoding="utf-8")

    with pytest.raises(InputError) as caught:
        build_database(directory, store_copy)
    [problem] = caught.value.problems
    assert problem.file == str(path) and problem.field is not None
    assert problem.field.startswith("Region=0301") and "Tid=2014" in problem.field
    assert "BEF19" in problem.message and "above 100" in problem.message


def test_the_real_input_builds_with_its_outliers_flagged(built_store: Store) -> None:
    flagged = [o for o in built_store.observations() if Flag.OUTLIER in o.flags]
    assert flagged, "the real refugee series have values far outside their own history (2022)"
    assert {o.indicator_id[:2] for o in flagged} == {"FL"}
    assert all(o.value is not None for o in flagged)
