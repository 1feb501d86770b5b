"""`/endringer`: the figures the last build or refresh changed, with the earlier and the new value."""

from __future__ import annotations

import csv
import dataclasses
import io
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from boligmonitor.core.flags import Flag
from boligmonitor.core.status import Status
from boligmonitor.store import ObservationChangeRow, Store, create_engine_for
from boligmonitor.web.app import create_app


def test_after_one_build_there_is_nothing_to_compare(web_client: TestClient) -> None:
    page = web_client.get("/endringer")
    assert page.status_code == 200
    assert "bare bygd én gang" in page.text
    table = web_client.get("/endringer.csv")
    assert table.status_code == 200
    header = next(csv.reader(io.StringIO(table.content.decode("utf-8-sig"))))
    assert header[:6] == ["indicator", "indicator_name", "region", "region_name", "year", "change"]


@pytest.fixture(scope="module")
def revised_client(built_database: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """The built database plus a second build that revised Oslo's BEF03 for 2024 and withdrew Bergen's
    (SYNTHETIC changes written as a build would write them)."""
    path = tmp_path_factory.mktemp("revised") / "db.sqlite"
    shutil.copy(built_database, path)
    store = Store(create_engine_for(f"sqlite:///{path}"))
    [oslo] = store.observations(indicator_id="BEF03", region_code="0301", year=2024)
    [bergen] = store.observations(indicator_id="BEF03", region_code="4601", year=2024)
    previous = store.current_version()
    assert previous is not None and oslo.value is not None
    with store.write("build", "SYNTHETIC second build") as writer:
        version = writer.version.id
        writer.put_observations(
            [
                dataclasses.replace(oslo, value=oslo.value + 1.5, flags=oslo.flags | {Flag.REVISED}),
                dataclasses.replace(bergen, value=None, numerator=None, denominator=None, status=Status.CONFIDENTIAL),
            ]
        )
        writer.put_observation_changes(
            [
                ObservationChangeRow(
                    version, "BEF03", "0301", 2024, "revised", oslo.value, "", previous.id, oslo.value + 1.5, ""
                ),
                ObservationChangeRow(
                    version, "BEF03", "4601", 2024, "withdrawn", bergen.value, "", previous.id, None, ":"
                ),
            ]
        )
    store.close()
    with TestClient(create_app(f"sqlite:///{path}")) as client:
        yield client


def test_the_page_lists_each_change_with_both_values_and_both_versions(revised_client: TestClient) -> None:
    page = revised_client.get("/endringer")
    assert page.status_code == 200
    text = page.text
    assert "sammenlignet med dataversjon" in text
    assert "Revidert" in text and "Trukket tilbake" in text
    assert "Skjult av personvernhensyn" in text  # a withdrawn figure says why, never 0
    assert "Oslo" in text and "Bergen" in text
    nynorsk = revised_client.get("/endringer?lang=nn")
    assert "samanlikna med dataversjon" in nynorsk.text


def test_the_downloads_hold_every_change(revised_client: TestClient) -> None:
    rows = list(csv.DictReader(io.StringIO(revised_client.get("/endringer.csv").content.decode("utf-8-sig"))))
    assert [(row["region"], row["change"]) for row in rows] == [("0301", "revised"), ("4601", "withdrawn")]
    assert rows[1]["new_value"] == "" and rows[1]["new_status"] == ":"
    assert float(rows[0]["new_value"]) == pytest.approx(float(rows[0]["previous_value"]) + 1.5)


def test_one_indicator_can_be_chosen_and_an_unknown_one_is_a_400(revised_client: TestClient) -> None:
    assert "Trukket tilbake" in revised_client.get("/endringer?indikator=BEF03").text
    assert "Trukket tilbake" not in revised_client.get("/endringer?indikator=BEF01").text
    refused = revised_client.get("/endringer?indikator=NOPE")
    assert refused.status_code == 400
    assert "indikator" in refused.text
