"""The live-connector parts together, over real HTTP on loopback: PoliteClient (rate limit, retries,
archive) → PxWebApi and KLASS clients → the fake SSB server injecting seeded faults.

One shared manual clock drives the client's rate limiter and the server's window, so waiting is simulated
and "never more than N requests in any 60 s" is checked on that clock.
"""

from __future__ import annotations

import random
from datetime import date
from pathlib import Path

import pytest

from boligmonitor.core.status import Status
from boligmonitor.sources.connectors.http import FetchError, PoliteClient, RateLimiter, ResponseArchive, RetryPolicy
from boligmonitor.sources.connectors.klass import MUNICIPALITIES, codes_at
from boligmonitor.sources.connectors.ssb import SsbApiError, pxweb
from boligmonitor.sources.readers.jsonstat import read_jsonstat
from tests.fakessb import FakeSsb, Fault, FaultKind, FaultPlan, ManualClock, TableCatalogue

SYNTHETIC_TABLE = "90001"  # the fake server's standard synthetic table (4 regions × 2 contents × 10 years)


def _client(server: FakeSsb, clock: ManualClock, archive: ResponseArchive, base: str, calls: int = 30) -> PoliteClient:
    limiter = RateLimiter(calls=calls, per_seconds=60.0, clock=clock, sleep=clock.advance, wall_clock=clock)
    retry = RetryPolicy(attempts=8, base_delay=1.0, max_delay=60.0, random=random.Random(1).random)
    return PoliteClient(base, limiter=limiter, retry=retry, archive=archive, timeout=1.0, sleep=clock.advance)


def _server(catalogue: TableCatalogue, clock: ManualClock) -> FakeSsb:
    return FakeSsb(catalogue, clock=clock, rate_limit=40, window_seconds=60.0)


def test_data_survive_every_kind_of_fault(fake_ssb_catalogue: TableCatalogue, tmp_path: Path) -> None:
    clock = ManualClock(1000.0)
    archive = ResponseArchive(tmp_path / "archive")
    faults = [
        Fault(FaultKind.RATE_LIMITED, retry_after=7),
        Fault(FaultKind.UNAVAILABLE),
        Fault(FaultKind.TRUNCATED),
        Fault(FaultKind.WRONG_CONTENT_TYPE),
        Fault(FaultKind.BAD_GATEWAY),
    ]
    with _server(fake_ssb_catalogue, clock) as server, _client(server, clock, archive, server.base_url) as http:
        metadata = pxweb.table_metadata(http, SYNTHETIC_TABLE)
        selection = pxweb.Selection.of({"KOKkommuneregion0000": "*", "ContentsCode": "*", "Tid": "*"})
        clean = pxweb.table_data(http, SYNTHETIC_TABLE, selection)
        for fault in faults:
            server.set_fault_plan(FaultPlan.sequence([fault], path_contains="/data"))
            if fault.kind is FaultKind.WRONG_CONTENT_TYPE:
                with pytest.raises(SsbApiError, match="html"):  # an HTML error page is never taken for data
                    pxweb.table_data(http, SYNTHETIC_TABLE, selection)
                continue
            again = pxweb.table_data(http, SYNTHETIC_TABLE, selection)
            assert list(again.cells()) == list(clean.cells())
        assert server.max_requests_in_any_window(60.0) <= 30
    assert metadata.updated
    statuses = {cell.status for cell in clean.cells()}
    assert {Status.MISSING, Status.CONFIDENTIAL} <= statuses  # the synthetic table's '..' and ':' cells
    archived = archive.latest_for_table(SYNTHETIC_TABLE)
    assert archived is not None
    assert list(read_jsonstat(archived.body).cells()) == list(clean.cells())


@pytest.mark.parametrize("seed", range(20))
def test_randomized_faults_either_complete_or_fail_cleanly_and_stay_under_the_rate_limit(
    fake_ssb_catalogue: TableCatalogue, tmp_path: Path, seed: int
) -> None:
    clock = ManualClock(1000.0)
    archive = ResponseArchive(tmp_path / "archive")
    probabilities = [
        (Fault(FaultKind.RATE_LIMITED, retry_after=3), 0.1),
        (Fault(FaultKind.UNAVAILABLE), 0.1),
        (Fault(FaultKind.TRUNCATED), 0.1),
        (Fault(FaultKind.SERVER_ERROR), 0.05),
    ]
    with _server(fake_ssb_catalogue, clock) as server, _client(server, clock, archive, server.base_url) as http:
        server.set_fault_plan(FaultPlan.seeded(seed, probabilities))
        selection = pxweb.Selection.of({"KOKkommuneregion0000": "*", "ContentsCode": "*", "Tid": "*"})
        outcomes = []
        for _ in range(10):
            try:
                cube = pxweb.table_data(http, SYNTHETIC_TABLE, selection)
            except (FetchError, SsbApiError):
                outcomes.append("gave up")
                continue
            assert len(list(cube.cells())) == 4 * 2 * 10
            outcomes.append("complete")
        assert server.max_requests_in_any_window(60.0) <= 30
    assert "complete" in outcomes
    assert archive.warnings == []


def test_klass_codes_through_the_polite_client(fake_ssb_catalogue: TableCatalogue, tmp_path: Path) -> None:
    clock = ManualClock(1000.0)
    archive = ResponseArchive(tmp_path / "archive")
    with _server(fake_ssb_catalogue, clock) as server, _client(server, clock, archive, server.klass_url) as http:
        server.set_fault_plan(FaultPlan.sequence([Fault(FaultKind.UNAVAILABLE)]))
        codes = codes_at(http, MUNICIPALITIES, date(2026, 1, 1))
    assert len(codes) == 358
    assert {code.code for code in codes} >= {"0301", "4601", "9999"}
