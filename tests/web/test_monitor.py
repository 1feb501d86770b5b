"""The web's data: one version loaded whole; a newer committed version replaces it for later requests."""

from __future__ import annotations

import dataclasses
import gc
import shutil
import weakref
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from boligmonitor.catalog import load_catalog
from boligmonitor.store import Store, create_engine_for
from boligmonitor.web.app import create_app
from boligmonitor.web.monitor import MissingReason, Monitor, UnknownPageError


def test_a_new_data_version_replaces_the_old_one_whole(built_database: Path, tmp_path: Path) -> None:
    database = tmp_path / "copy.sqlite"
    shutil.copy(built_database, database)
    url = f"sqlite:///{database}"
    app = create_app(url)
    monitor: Monitor = app.state.monitor
    before = monitor.data
    old = before.row("BEF03", "4601")
    assert old.measure.value is not None and old.year is not None

    store = Store(create_engine_for(url))
    observation = before.tables.observations("BEF03")[("4601", old.year)]
    changed = dataclasses.replace(observation, value=99.9, numerator=None, denominator=None)
    with store.write("import", "SYNTHETIC test change") as writer:
        writer.put_observations([changed])
    store.close()

    assert monitor.data is before  # until the next check, requests keep the version they started with
    after = monitor.reload()
    assert after is not before
    assert after.version is not None and before.version is not None and after.version.id > before.version.id
    assert after.row("BEF03", "4601").measure.value == 99.9
    assert before.row("BEF03", "4601").measure.value == old.measure.value  # the old version is untouched
    with TestClient(app) as client:
        assert "99,9" in client.get("/region/4601/tema/befolkning_boligmarked").text


def test_lookups_raise_unknown_page_errors(built_database: Path) -> None:
    monitor = Monitor(Store(create_engine_for(f"sqlite:///{built_database}")), load_catalog())
    data = monitor.data
    with pytest.raises(UnknownPageError, match="region"):
        data.region("9999")
    with pytest.raises(UnknownPageError, match="theme"):
        data.theme("x")
    with pytest.raises(UnknownPageError, match="indicator"):
        data.indicator("NOPE")
    # every region in the database has its pages (issue 12), urban districts too; Norway also as SSB writes it
    district = next(code for code, region in data.regions.items() if region.level == "district")
    assert data.region(district).code == district
    assert data.region("0000").code == data.region("0").code == data.region("Hele landet").code == "0"


def test_missing_reasons(built_database: Path) -> None:
    from boligmonitor.core.status import Status

    monitor = Monitor(Store(create_engine_for(f"sqlite:///{built_database}")), load_catalog())
    data = monitor.data
    no_source = next(i.id for i in data.catalog.indicators if not data.has_data(i.id))
    assert data.missing_reason(no_source, Status.MISSING) is MissingReason.NOT_LOADED
    assert data.missing_reason("BEF03", Status.CONFIDENTIAL) is MissingReason.SUPPRESSED
    assert data.missing_reason("BEF03", Status.MISSING) is MissingReason.NOT_REPORTED
    assert data.missing_reason("BEF03", Status.NOT_APPLICABLE) is MissingReason.NOT_APPLICABLE


def test_a_server_keeps_its_data_out_of_full_collections_and_lets_an_old_version_go(
    built_database: Path, tmp_path: Path
) -> None:
    database = tmp_path / "copy.sqlite"
    shutil.copy(built_database, database)
    url = f"sqlite:///{database}"
    try:
        monitor = Monitor(Store(create_engine_for(url)), load_catalog(), freeze_heap=True)
        frozen = gc.get_freeze_count()
        assert frozen > 100_000  # the loaded version is exempt from collections
        old_version = weakref.ref(monitor.data)

        store = Store(create_engine_for(url))
        observation = monitor.data.tables.observations("BEF03")[("4601", 2024)]
        with store.write("import", "SYNTHETIC test change") as writer:
            writer.put_observations([dataclasses.replace(observation, value=99.9, numerator=None, denominator=None)])
        store.close()
        monitor.reload()

        gc.collect()
        assert old_version() is None  # the replaced version was freed
        # the new version is frozen in its place, the old one is not kept beside it
        assert 0.9 * frozen < gc.get_freeze_count() < 1.5 * frozen
    finally:
        gc.unfreeze()
