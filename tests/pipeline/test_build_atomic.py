"""A failed or interrupted build leaves the previous data intact."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from boligmonitor.core.errors import InputError
from boligmonitor.pipeline.build import build_database
from boligmonitor.store import Store, create_engine_for


def _snapshot(store: Store) -> tuple[int | None, int, float | None]:
    version = store.current_version()
    observations = store.observations(indicator_id="BEF01", region_code="0301", year=2024)
    return (version.id if version else None, len(store.observations(indicator_id="BEF03")), observations[0].value)


def _copy_input(build_input: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "input"
    shutil.copytree(build_input, copy)
    return copy


def test_bad_file_in_build_input_is_rejected_and_nothing_written(
    store_copy: Store, build_input: Path, tmp_path: Path
) -> None:
    before = _snapshot(store_copy)
    broken = _copy_input(build_input, tmp_path)
    manifest = json.loads((broken / "manifest.json").read_text(encoding="utf-8"))
    [population] = [f for f in manifest["files"] if f["dataset"] == "ssb:07459"]
    path = broken / population["path"]
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])  # a truncated download

    with pytest.raises(InputError) as error:
        build_database(broken, store_copy)
    assert population["path"].split("/")[-1] in str(error.value)
    assert "line" in str(error.value)
    assert _snapshot(store_copy) == before


def test_unknown_municipality_code_is_rejected_with_the_code_listed(
    store_copy: Store, build_input: Path, tmp_path: Path
) -> None:
    before = _snapshot(store_copy)
    broken = _copy_input(build_input, tmp_path)
    manifest = json.loads((broken / "manifest.json").read_text(encoding="utf-8"))
    [entry] = [f for f in manifest["files"] if f["dataset"] == "imdi:bosetting"]
    path = broken / entry["path"]
    document = json.loads(path.read_text(encoding="utf-8"))
    region = document["dimension"]["Region"]["category"]
    codes = region["index"] if isinstance(region["index"], list) else sorted(region["index"], key=region["index"].get)
    position = codes.index("0301")
    codes[position] = "0399"  # synthetic: a code KLASS never had, carrying Oslo's real numbers
    region["index"] = codes
    region.setdefault("label", {})["0399"] = region.get("label", {}).pop("0301", "synthetic")
    path.write_text(json.dumps(document), encoding="utf-8")

    with pytest.raises(InputError, match="0399"):
        build_database(broken, store_copy)
    assert _snapshot(store_copy) == before


def test_build_killed_before_commit_leaves_previous_data(database_copy: Path, build_input: Path) -> None:
    engine = create_engine_for(f"sqlite:///{database_copy}")
    before = _snapshot(Store(engine))
    engine.dispose()
    # The child process builds for real, but dies abruptly after writing every observation, before commit.
    script = (
        "import os, sys\n"
        "from pathlib import Path\n"
        "from boligmonitor.store import writer\n"
        "def die(self, rows):\n"
        "    os._exit(9)\n"
        "writer.Writer.put_indicator_status = die\n"
        "from boligmonitor.pipeline.build import build_database\n"
        "from boligmonitor.store import Store, create_engine_for\n"
        "build_database(Path(sys.argv[2]), Store(create_engine_for(sys.argv[1])))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, f"sqlite:///{database_copy}", str(build_input)], check=False, timeout=300
    )
    assert result.returncode == 9
    engine = create_engine_for(f"sqlite:///{database_copy}")
    assert _snapshot(Store(engine)) == before
    engine.dispose()


def test_rebuild_from_the_same_input_gives_the_same_data(store_copy: Store, build_input: Path) -> None:
    before = {o.key(): (o.value, o.status, o.harmonisation) for o in store_copy.observations(indicator_id="FL05")}
    summary = build_database(build_input, store_copy)
    after = {o.key(): (o.value, o.status, o.harmonisation) for o in store_copy.observations(indicator_id="FL05")}
    assert after == before
    version = store_copy.current_version()
    assert version is not None and version.id == summary.version_id
