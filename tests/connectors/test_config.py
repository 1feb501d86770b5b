"""`GET /config` drives the cell limit of the plan and the refresh (never above 800 000); failures fall back.

The fake server answers `/config` in the documented shape with SYNTHETIC values: its `maxDataCells` is the
catalogue's `max_cells`, which it also enforces. The synthetic table 90001 has 4 regions × 2 contents × 10 years
= 80 cells.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from boligmonitor.catalog import load_catalog
from boligmonitor.pipeline.fetch_plan import plan_fetch, read_limits
from boligmonitor.pipeline.refresh import refresh
from boligmonitor.sources.connectors.http import RateLimiter, ResponseArchive, WindowLimit
from boligmonitor.sources.connectors.ssb import SsbApiError, pxweb
from boligmonitor.sources.connectors.ssb.requests import DEFAULT_MAX_CELLS, effective_max_cells
from boligmonitor.store import Store
from tests.connectors.support import OUTSIDE_WINDOW, at, linked_input, no_build, polite_client
from tests.fakessb import FakeSsb, Fault, FaultKind, FaultPlan, ManualClock, TableCatalogue

TABLE = "90001"
CELLS = 4 * 2 * 10


def test_config_is_read_with_zero_rate_limits_as_unknown(fake_ssb: FakeSsb) -> None:
    with polite_client(fake_ssb.base_url, ManualClock(), None) as http:
        config = pxweb.api_config(http)
    assert config.max_data_cells == 800_000
    assert config.max_calls_per_time_window is None and config.time_window_seconds is None  # 0 = unknown
    assert config.rate_limit is None
    assert config.source_references["no"] == "Kilde: Statistisk sentralbyrå"
    assert "json-stat2" in config.data_formats
    assert config.languages == ("no", "en")


def test_a_malformed_config_is_an_error() -> None:
    with pytest.raises(SsbApiError, match="not a JSON object"):
        pxweb.parse_config(["maxDataCells", 800_000])
    assert pxweb.parse_config({"maxDataCells": "800000", "timeWindow": True}).max_data_cells is None


@pytest.mark.parametrize(
    ("announced", "ceiling", "used"),
    [(None, 800_000, 800_000), (0, 800_000, 800_000), (150_000, 800_000, 150_000), (2_000_000, 800_000, 800_000)],
)
def test_the_announced_limit_is_obeyed_but_never_above_the_ceiling(
    announced: int | None, ceiling: int, used: int
) -> None:
    assert effective_max_cells(announced, ceiling) == used


@pytest.mark.parametrize("limit", [8, 16, 20, 40, 80])
def test_a_lower_max_data_cells_gives_more_requests(
    fake_ssb_catalogue: TableCatalogue, tmp_path: Path, limit: int
) -> None:
    """With each of these limits one variable of 90001 can be cut evenly, so the plan meets ceil(cells / limit)."""
    fake_ssb_catalogue.max_cells = limit
    with FakeSsb(fake_ssb_catalogue) as server, polite_client(server.base_url, ManualClock(), None) as http:
        plan = plan_fetch(http, load_catalog(), only=[TABLE])
    assert plan.max_cells == limit
    assert len(plan.requests) == math.ceil(CELLS / limit)
    assert sum(r.cells for r in plan.requests) == CELLS and all(r.cells <= limit for r in plan.requests)
    assert f"cell limit {limit} (SSB /config: maxDataCells {limit}" in plan.describe()[0]


def test_a_server_announcing_more_than_our_default_is_held_to_it(fake_ssb_catalogue: TableCatalogue) -> None:
    fake_ssb_catalogue.max_cells = 2_000_000
    with FakeSsb(fake_ssb_catalogue) as server, polite_client(server.base_url, ManualClock(), None) as http:
        limits = read_limits(http)
        stricter = read_limits(http, ceiling=25)
    assert limits.max_cells == DEFAULT_MAX_CELLS
    assert stricter.max_cells == 25


def test_a_failing_config_falls_back_to_the_defaults_with_a_warning(fake_ssb: FakeSsb) -> None:
    fake_ssb.set_fault_plan(FaultPlan.sequence([Fault(FaultKind.UNAVAILABLE)], path_contains="/config"))
    with polite_client(fake_ssb.base_url, ManualClock(), None, attempts=1) as http:
        plan = plan_fetch(http, load_catalog(), only=[TABLE])
    assert plan.max_cells == DEFAULT_MAX_CELLS and plan.config is None
    assert len(plan.requests) == 1
    [warning] = plan.warnings
    assert "SSB /config could not be read" in warning and "503" in warning
    assert any(line.startswith("warning: SSB /config") for line in plan.describe())


def test_a_stated_rate_limit_tightens_the_client(fake_ssb_catalogue: TableCatalogue) -> None:
    fake_ssb_catalogue.config_calls, fake_ssb_catalogue.config_window = 20, 60
    with FakeSsb(fake_ssb_catalogue) as server, polite_client(server.base_url, ManualClock(), None) as http:
        limits = read_limits(http)
        assert limits.config is not None and limits.config.rate_limit == (20, 60)
        assert WindowLimit(20, 60.0) in http.limiter.limits
        assert http.limiter.limits[0] == WindowLimit(30, 60.0)  # the configured default stays


def test_the_refresh_splits_under_the_announced_limit(
    fake_ssb_catalogue: TableCatalogue, build_input: Path, tmp_path: Path
) -> None:
    fake_ssb_catalogue.max_cells = 16
    input_directory = linked_input(build_input, tmp_path / "input")
    clock = ManualClock(1000.0)
    archive = ResponseArchive(tmp_path / "archive")
    store = Store.open(f"sqlite:///{tmp_path / 'empty.sqlite'}")
    with FakeSsb(fake_ssb_catalogue, clock=clock) as server, polite_client(server.base_url, clock, archive) as client:
        summary = refresh(
            client, archive, store, input_directory, load_catalog(), [TABLE], build=no_build, now=at(OUTSIDE_WINDOW)
        )
        data = [r for r in server.requests if r.path.endswith("/data")]
        configs = [r for r in server.requests if r.path.endswith("/config")]
    store.close()
    assert summary.max_cells == 16
    assert summary.requests_sent == len(data) == 5  # ceil(80 / 16)
    assert len(configs) == 1  # read once per refresh
    assert "at most 16 cells each" in summary.describe()


def test_an_added_limit_is_enforced_and_never_loosens() -> None:
    clock = ManualClock(0.0)
    limiter = RateLimiter(calls=30, per_seconds=60.0, clock=clock, sleep=clock.advance)
    limiter.add_limit(WindowLimit(2, 60.0))
    limiter.add_limit(WindowLimit(2, 60.0))  # twice is once
    limiter.add_limit(WindowLimit(100, 1.0))  # looser than the default: changes nothing
    waits = [limiter.acquire() for _ in range(3)]
    assert waits == [0.0, 0.0, 60.0]
    assert limiter.limits.count(WindowLimit(2, 60.0)) == 1
    with pytest.raises(ValueError, match="at least 1 call"):
        limiter.add_limit(WindowLimit(0, 60.0))
