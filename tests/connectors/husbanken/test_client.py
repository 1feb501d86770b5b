"""The connector against the fake Qlik engine (loopback only): call sequence, paging, archive, faults, retries."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from boligmonitor.core.flags import Flag
from boligmonitor.sources.connectors.http import ResponseArchive
from boligmonitor.sources.connectors.husbanken import (
    Definitions,
    HusbankenFetch,
    HusbankenFetchError,
    QlikEngineError,
    QlikOptions,
    QlikSession,
    QlikTimeoutError,
    fetch_husbanken_cubes,
)
from boligmonitor.sources.cube import Cube
from tests.connectors.husbanken.conftest import quick_options
from tests.fakeqlik.engine import DEFAULT_RELOAD_TIME
from tests.fakeqlik.faults import QlikFault, QlikFaultPlan
from tests.fakeqlik.hypercubes import RECORDED_FIXTURE, RecordedHypercube
from tests.fakeqlik.server import FakeQlik

COUNTERS = "bostotte_tellere_kommune"
NATIONAL = "bostotte_husstander_norge"
MONTHLY = "bostotte_husstander_kommune"
APP = "ee185fe5-e94d-463e-bff8-cd1c5f2f566f"
SMALL_PAGES = 70  # 10 rows of 7 columns: the 69 recorded rows come in 7 pages
ARENDAL_2010 = [14733, 13870, 12655, 863, 77105035]
COUNTER_CODES = ("soknad_teller", "vedtak_teller", "utbetaling_teller", "avslag_teller", "beregnet_bostotte_sum")


def _fetch(fake: FakeQlik, tmp_path: Path | None, options: QlikOptions, **kwargs: Any) -> HusbankenFetch:
    only = kwargs.pop("only", [COUNTERS])
    return fetch_husbanken_cubes(fake.base_url, tmp_path, only=only, options=options, **kwargs)


def _arendal_2010(cube: Cube) -> list[float | None]:
    values = []
    for code in COUNTER_CODES:
        keys = (("Region", "4203"), ("Brukergruppe", "alle"), ("ContentsCode", code), ("Tid", "2010"))
        values.append(cube.values[cube.flat_index([cube.dimension(d).index_of(c) for d, c in keys])])
    return values


def _page_tops(fake: FakeQlik) -> list[int]:
    return [call.params["qPages"][0]["qTop"] for call in fake.calls if call.method == "GetHyperCubeData"]


# ---------------------------------------------------------------------------------------------- the happy path


def test_fetches_the_recorded_cube_in_one_session(
    fake_qlik: FakeQlik, tmp_path: Path, fast_options: QlikOptions, api_fixtures: Path
) -> None:
    result = _fetch(fake_qlik, tmp_path, fast_options)
    assert fake_qlik.methods() == [
        "OpenDoc",
        "GetAppLayout",
        "CreateSessionObject",
        "GetLayout",
        "DestroySessionObject",
    ]
    assert fake_qlik.paths == [f"/public/app/{APP}/identity/test-run"]
    headers = fake_qlik.handshake_headers[0]
    assert headers["Origin"] == "https://statistikk.husbanken.no"
    assert headers["User-Agent"].startswith("boligmonitor/")
    create = next(c for c in fake_qlik.calls if c.method == "CreateSessionObject").params["qProp"]
    assert create["qHyperCubeDef"]["qInitialDataFetch"] == [{"qTop": 0, "qLeft": 0, "qWidth": 7, "qHeight": 1357}]
    assert [m["qDef"]["qLabel"] for m in create["qHyperCubeDef"]["qMeasures"]] == [
        "soknad",
        "vedtak",
        "utbetaling",
        "avslag",
        "belop",
    ]
    assert _arendal_2010(result.cubes["husbanken:bostotte"]) == ARENDAL_2010
    assert result.vintage_text == DEFAULT_RELOAD_TIME
    assert result.vintage is not None and result.vintage.isoformat() == "2026-10-02T05:33:12.345000+00:00"
    assert result.synthetic  # the fake says so in its app title
    assert (result.calls, result.retries, result.fetched) == (5, 0, (COUNTERS,))
    # The raw answers are archived byte-exact: the GetLayout answer carries the recorded response's bytes.
    archive = ResponseArchive(tmp_path)
    bodies = [archive.get(key) for key in result.archive_keys]
    assert [b.request.body["method"] for b in bodies if b] == [
        "OpenDoc",
        "GetAppLayout",
        "CreateSessionObject",
        "GetLayout",
    ]
    layout = next(b for b in bodies if b and b.request.body["method"] == "GetLayout")
    recorded = (api_fixtures / RECORDED_FIXTURE).read_bytes()
    assert layout.body.startswith(b'{"jsonrpc":"2.0","id":4,"result":') and layout.body[33:-1] == recorded
    assert layout.table_id == COUNTERS and layout.table_updated == DEFAULT_RELOAD_TIME


def test_pages_through_the_rows(fake_qlik: FakeQlik, tmp_path: Path) -> None:
    result = _fetch(fake_qlik, tmp_path, quick_options(page_cells=SMALL_PAGES))
    assert _page_tops(fake_qlik) == [10, 20, 30, 40, 50, 60]  # the first 10 rows come with GetLayout
    heights = [c.params["qPages"][0]["qHeight"] for c in fake_qlik.calls if c.method == "GetHyperCubeData"]
    assert heights == [10, 10, 10, 10, 10, 9]
    assert _arendal_2010(result.cubes["husbanken:bostotte"]) == ARENDAL_2010


def test_the_archive_key_does_not_depend_on_the_session(fake_qlik: FakeQlik, tmp_path: Path) -> None:
    first = _fetch(fake_qlik, tmp_path, quick_options(identity="run-1"))
    second = _fetch(fake_qlik, tmp_path, quick_options(identity="run-2"))
    assert first.archive_keys == second.archive_keys
    archive = ResponseArchive(tmp_path)
    assert len(archive.history(first.archive_keys[3])) == 2


def test_synthetic_monthly_cube_with_oslo_and_an_old_code(fake_qlik: FakeQlik) -> None:
    result = _fetch(
        fake_qlik, None, quick_options(), only=[MONTHLY, NATIONAL], current_municipality_codes={"4203", "5043"}
    )
    cube = result.cubes["husbanken:bostotte"]
    regions = cube.dimension("Region").codes
    assert regions[:2] == ("0", "0301") and "030115" in regions and "1601" in regions
    assert not {"2100", "2111", "0326", "0311"} & set(regions)
    assert cube.dimension("ContentsCode").codes == ("husstander", "soknader", "avslag", "utbetalt")
    assert result.unlisted_codes == {"1601": tuple(range(2010, 2027))}
    assert cube.notes[0].startswith("SYNTHETIC values from a fake Qlik engine")
    # the fake's last month is 2026-09 and the reload is 2026-10-02: 2026 is partial
    keys = (("Region", "0"), ("Brukergruppe", "alle"), ("ContentsCode", "husstander"), ("Tid", "2026"))
    assert cube.flags[cube.flat_index([cube.dimension(d).index_of(c) for d, c in keys])] == (Flag.PARTIAL_YEAR.value,)


def test_unconfirmed_definitions_are_left_out_unless_asked(fake_qlik: FakeQlik, definitions: Definitions) -> None:
    left_out = _fetch(fake_qlik, None, quick_options(), only=["husbanken:startlan"])
    assert left_out.cubes == {} and left_out.fetched == ()
    assert left_out.skipped[0].startswith(
        "startlan_kommune: not confirmed against the live app (to confirm: the DimSts*"
    )
    asked = _fetch(fake_qlik, None, quick_options(), only=["husbanken:startlan"], include_unconfirmed=True)
    cube = asked.cubes["husbanken:startlan"]
    assert cube.ids == ("Region", "ContentsCode", "Tid")
    assert [c.code for c in definitions.dataset("husbanken:startlan").contents] == list(
        cube.dimension("ContentsCode").codes
    )
    assert any("NOT CONFIRMED" in note for note in cube.notes) and asked.synthetic


# ----------------------------------------------------------------------------------------------- the session


def test_the_session_skips_pushes_and_matches_answers_by_id(fake_qlik: FakeQlik) -> None:
    with QlikSession(f"{fake_qlik.app_url}/identity/x", proxy=None, call_timeout=2) as session:
        opened = session.call("OpenDoc", -1, {"qDocName": APP})
        assert opened.result["qReturn"]["qHandle"] == 1
        assert session.pushes == ["OnAuthenticationInformation", "OnConnected"]
        with pytest.raises(QlikEngineError) as caught:
            session.call("NoSuchMethod", 1, {})
        assert caught.value.code == -32601 and "NoSuchMethod" in str(caught.value)
        layout = session.call("GetAppLayout", 1, {})  # the session goes on after an engine error
        assert layout.result["qLayout"]["qLastReloadTime"] == DEFAULT_RELOAD_TIME
        assert json.loads(layout.raw)["id"] == layout.request_id == 3


def test_a_call_times_out(fake_qlik: FakeQlik) -> None:
    fake_qlik.set_fault_plan(QlikFaultPlan.at({1: QlikFault.slow(1.0)}, method="OpenDoc"))
    session = QlikSession(fake_qlik.app_url, proxy=None, call_timeout=0.2)
    with session, pytest.raises(QlikTimeoutError, match=r"no answer within 0\.2 s"):
        session.call("OpenDoc", -1, {"qDocName": APP})


def test_politeness_pause_between_calls(fake_qlik: FakeQlik) -> None:
    now = [0.0]
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        now[0] += seconds

    result = _fetch(fake_qlik, None, quick_options(pause_seconds=0.5, sleep=sleep, clock=lambda: now[0]))
    assert result.calls == 5
    assert waits == [pytest.approx(0.5)] * 4  # no two calls less than 0.5 s apart


# ---------------------------------------------------------------------------------------------------- faults


def test_a_disconnect_mid_page_resumes_on_a_new_session(fake_qlik: FakeQlik) -> None:
    fake_qlik.set_fault_plan(QlikFaultPlan.at({3: QlikFault.disconnect()}, method="GetHyperCubeData"))
    result = _fetch(fake_qlik, None, quick_options(page_cells=SMALL_PAGES))
    assert _page_tops(fake_qlik) == [10, 20, 30, 30, 40, 50, 60]  # row 30 again, not from the start
    assert fake_qlik.connections == 2 and result.retries == 1
    second = [c.method for c in fake_qlik.calls if c.connection == 2][:4]
    assert second == ["OpenDoc", "GetAppLayout", "CreateSessionObject", "GetLayout"]
    assert _arendal_2010(result.cubes["husbanken:bostotte"]) == ARENDAL_2010


@pytest.mark.parametrize(
    ("fault", "method"),
    [
        (QlikFault.malformed(), "GetLayout"),
        (QlikFault.malformed(), "GetHyperCubeData"),
        (QlikFault.disconnect(), "OpenDoc"),
        (QlikFault.slow(1.0), "GetHyperCubeData"),
    ],
)
def test_a_broken_answer_is_retried(fake_qlik: FakeQlik, fault: QlikFault, method: str) -> None:
    fake_qlik.set_fault_plan(QlikFaultPlan.at({1: fault}, method=method))
    result = _fetch(fake_qlik, None, quick_options(page_cells=SMALL_PAGES, call_timeout=0.3))
    assert result.retries == 1
    assert _arendal_2010(result.cubes["husbanken:bostotte"]) == ARENDAL_2010


def test_a_slow_answer_within_the_time_out_is_waited_for(fake_qlik: FakeQlik) -> None:
    fake_qlik.set_fault_plan(QlikFaultPlan.at({1: QlikFault.slow(0.1)}, method="GetLayout"))
    assert _fetch(fake_qlik, None, quick_options(call_timeout=2.0)).retries == 0


def test_error_7009_on_a_page_halves_the_page(fake_qlik: FakeQlik) -> None:
    fake_qlik.set_fault_plan(QlikFaultPlan.at({2: QlikFault.too_large()}, method="GetHyperCubeData"))
    result = _fetch(fake_qlik, None, quick_options(page_cells=SMALL_PAGES))
    heights = [c.params["qPages"][0]["qHeight"] for c in fake_qlik.calls if c.method == "GetHyperCubeData"]
    assert heights == [10, 10] + [5] * 9 + [4]  # refused at row 20; rows 20-68 in pages of 5
    assert any("error 7009" in w and "5 rows per page" in w for w in result.warnings)
    assert _arendal_2010(result.cubes["husbanken:bostotte"]) == ARENDAL_2010


@pytest.fixture
def small_engine(recorded_hypercube: RecordedHypercube) -> Iterator[FakeQlik]:
    """An engine whose pages hold at most 100 cells, so the client's first page (1 357 rows) is refused."""
    with FakeQlik(recorded=recorded_hypercube, max_page_cells=100) as server:
        yield server


def test_an_initial_fetch_too_large_is_asked_again_smaller(small_engine: FakeQlik) -> None:
    result = _fetch(small_engine, None, quick_options())
    heights = [
        c.params["qProp"]["qHyperCubeDef"]["qInitialDataFetch"][0]["qHeight"]
        for c in small_engine.calls
        if c.method == "CreateSessionObject"
    ]
    assert heights == [1357, 678, 339, 169, 84, 42, 21, 10]  # 10 x 7 = 70 cells fit
    assert small_engine.methods().count("DestroySessionObject") == len(heights)  # each refused object removed
    assert _arendal_2010(result.cubes["husbanken:bostotte"]) == ARENDAL_2010


def test_an_engine_that_always_refuses_is_a_clear_error(fake_qlik: FakeQlik) -> None:
    fake_qlik.set_fault_plan(QlikFaultPlan.always(QlikFault.too_large(), method="GetLayout"))
    with pytest.raises(HusbankenFetchError, match=r"bostotte_tellere_kommune at row 0 of \?.*error 7009.*too large"):
        _fetch(fake_qlik, None, quick_options())


def test_giving_up_names_the_cube_the_row_and_the_attempts(fake_qlik: FakeQlik) -> None:
    fake_qlik.set_fault_plan(QlikFaultPlan.always(QlikFault.disconnect(), method="GetHyperCubeData"))
    with pytest.raises(HusbankenFetchError, match=r"bostotte_tellere_kommune at row 10 of 69: gave up after 4 failed"):
        _fetch(fake_qlik, None, quick_options(page_cells=SMALL_PAGES))
    assert fake_qlik.connections == 4


def test_a_reload_during_the_fetch_starts_again(fake_qlik: FakeQlik) -> None:
    class ReloadThenCut(QlikFaultPlan):
        def next_fault(self, method: str) -> QlikFault | None:
            fault = super().next_fault(method)
            if fault is not None:
                fake_qlik.set_reload_time("2026-10-03T05:31:00.000Z")
            return fault

    fake_qlik.set_fault_plan(ReloadThenCut(by_number={2: QlikFault.disconnect()}, method="GetHyperCubeData"))
    result = _fetch(fake_qlik, None, quick_options(page_cells=SMALL_PAGES))
    assert result.vintage_text == "2026-10-03T05:31:00.000Z"
    assert any("reloaded during the fetch" in w for w in result.warnings)
    assert _page_tops(fake_qlik) == [10, 20, 10, 20, 30, 40, 50, 60]  # from the first row again
    assert _arendal_2010(result.cubes["husbanken:bostotte"]) == ARENDAL_2010


def test_a_field_the_app_does_not_have_is_named(fake_qlik: FakeQlik, definitions: Definitions) -> None:
    cube = definitions.cube(COUNTERS)
    wrong = cube.model_copy(
        update={"fields": [cube.fields[0].model_copy(update={"field": "KommuneNummer"}), cube.fields[1]]}
    )
    changed = definitions.model_copy(update={"cubes": [wrong]})
    with pytest.raises(HusbankenFetchError, match="could not compute 'KommuneNummer'"):
        fetch_husbanken_cubes(fake_qlik.base_url, None, definitions=changed, options=quick_options())


def test_an_app_that_asks_to_authenticate_is_a_clear_error(fake_qlik: FakeQlik) -> None:
    fake_qlik.app.must_authenticate = True
    with pytest.raises(HusbankenFetchError, match="asks to authenticate"):
        _fetch(fake_qlik, None, quick_options())
    assert fake_qlik.connections == 1  # not retried


def test_a_wrong_address_is_not_retried(fake_qlik: FakeQlik) -> None:
    with pytest.raises(HusbankenFetchError, match="HTTP 404"):
        fetch_husbanken_cubes(fake_qlik.base_url + "/elsewhere", None, only=[COUNTERS], options=quick_options())
    assert fake_qlik.connections == 0


def test_no_engine_at_all_is_retried_then_reported() -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(HusbankenFetchError, match=r"gave up after 4 failed attempts.*could not connect"):
        fetch_husbanken_cubes(f"ws://127.0.0.1:{port}/public", None, only=[COUNTERS], options=quick_options())


def test_seeded_random_faults_either_complete_or_fail_clearly(fake_qlik: FakeQlik) -> None:
    faults = [  # per call, over every method
        (QlikFault.disconnect(), 0.05),
        (QlikFault.malformed(), 0.05),
        (QlikFault.too_large(), 0.04),
        (QlikFault.slow(0.3), 0.02),
    ]
    outcomes: list[str] = []
    for seed in range(10):
        fake_qlik.set_fault_plan(QlikFaultPlan.seeded(seed, faults))
        try:
            result = _fetch(fake_qlik, None, quick_options(page_cells=SMALL_PAGES, call_timeout=0.2))
        except HusbankenFetchError as error:
            outcomes.append(str(error))  # a clear error names the hypercube and where it stopped
        else:
            assert _arendal_2010(result.cubes["husbanken:bostotte"]) == ARENDAL_2010
            outcomes.append("complete")
    failures = [outcome for outcome in outcomes if outcome != "complete"]
    assert all(failure.startswith("bostotte_tellere_kommune at row ") for failure in failures), failures
    assert len(failures) <= 5, outcomes


def test_a_disconnect_after_the_last_page_keeps_the_rows(fake_qlik: FakeQlik) -> None:
    fake_qlik.set_fault_plan(QlikFaultPlan.at({1: QlikFault.disconnect()}, method="DestroySessionObject"))
    result = _fetch(fake_qlik, None, quick_options(), only=[COUNTERS, NATIONAL])
    assert result.retries == 0 and fake_qlik.connections == 2  # the next hypercube needed a new session
    assert fake_qlik.methods().count("GetLayout") == 2
    assert _arendal_2010(result.cubes["husbanken:bostotte"]) == ARENDAL_2010
