"""Speed of the report form (issue 14's target: form page p95 under 100 ms).

The monitor with the reporting pages runs under uvicorn on 127.0.0.1 (a thread of this process, one worker, as
the browser tests run it) over a fresh copy of a database: by default a new SQLite file holding only SYNTHETIC
statistics; with ``--database`` a copy of a built SQLite database (the real statistics prefill the form). A
SYNTHETIC reporter (reporter-5001@kommune.example) signs in through the account store and opens her report of
the package's 2018 form (the real 2018 preset from catalog/reporting: 21 quantitative and 24 qualitative result
indicators). Then, over one keep-alive connection:

1. GET the form page N times: median, p95, max (target: p95 < 100 ms).
2. POST save (the ordinary, no-JavaScript save of the whole form, 24 open answers and the numbers) N times,
   each followed by its 303 — the time of the POST alone: median, p95, max.
3. POST autosave (what reporting.js sends) N times: median, p95, max.

    uv run python benchmarks/bench_reporting_form.py [--requests 200] [--database var/boligmonitor.sqlite]

Figures, not a test: it prints them and says whether the target is met.
"""

from __future__ import annotations

import argparse
import re
import shutil
import socket
import statistics
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from boligmonitor.store import Store, create_engine_for, migrate
from boligmonitor.store.accounts import AccountStore, Actor, IssuedSession
from boligmonitor.store.reporting import ReportStore
from boligmonitor.web.auth import SESSION_COOKIE, AuthSettings

PROGRAMME = "bolig_for_velferd"
YEAR = 2018
MUNICIPALITY = "5001"
REPORTER = "reporter-5001@kommune.example"  # SYNTHETIC person
CLI = Actor("benchmark (synthetic)")
TARGET_P95_MS = 100.0
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
VERSION = re.compile(r'name="expected_version" value="([0-9]+)"')


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def describe(label: str, milliseconds: list[float]) -> str:
    return (
        f"  {label:34s} n={len(milliseconds):4d}  median {statistics.median(milliseconds):6.1f} ms"
        f"  p95 {percentile(milliseconds, 0.95):6.1f} ms  max {max(milliseconds):7.1f} ms"
    )


def prepare(url: str, synthetic: bool) -> tuple[int, str]:
    """Migrate, add SYNTHETIC statistics if the database is new, a round of the 2018 form open now, the
    SYNTHETIC reporter with her draft. Returns the round's id and her session token."""
    engine = create_engine_for(url)
    migrate(engine)
    if synthetic:
        from boligmonitor.core.observation import Observation
        from boligmonitor.core.status import Status
        from boligmonitor.store import DatasetRow

        dataset = DatasetRow(
            id="synthetic:benchmark",
            publisher="Synthetic publisher",
            title="SYNTHETIC statistics for the form benchmark",
            table=None,
            file="synthetic/benchmark.json",
            sha256="0" * 64,
            fetched_at=datetime(2025, 3, 1, tzinfo=UTC),
            updated=None,
            code_vintage="as-published",
            licence=None,
            provenance="made up for a benchmark",
        )
        store = Store(engine)
        with store.write("build", "SYNTHETIC statistics for the form benchmark") as writer:
            writer.put_datasets([dataset])
            writer.put_observations(
                [Observation("BL05", MUNICIPALITY, YEAR, 42.0, None, None, "count", Status.OK, dataset.id)]
            )
    accounts = AccountStore(engine)
    reports = ReportStore(engine)
    now = datetime.now(UTC)
    existing = [
        reporting for reporting in reports.rounds() if (reporting.programme_id, reporting.year) == (PROGRAMME, YEAR)
    ]
    reporting = (
        existing[0]
        if existing
        else reports.create_round(
            PROGRAMME, YEAR, opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=30), actor=CLI
        )
    )
    if accounts.account(REPORTER) is None:
        accounts.create_account(REPORTER, "municipal_reporter", municipality=MUNICIPALITY, actor=CLI)
    reports.open_draft(reporting.id, MUNICIPALITY, actor=CLI)
    issued = accounts.sign_in_verified(REPORTER, method="oidc", client_address="127.0.0.1")
    assert isinstance(issued, IssuedSession)
    engine.dispose()
    return reporting.id, issued.token


def serve(url: str) -> tuple[str, object, threading.Thread, socket.socket]:
    import uvicorn

    from boligmonitor.web.app import create_app

    app = create_app(url, auth_settings=AuthSettings())
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    host, port = listener.getsockname()
    server = uvicorn.Server(uvicorn.Config(app, log_config=None, log_level="warning", access_log=False, lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    base = f"http://{host}:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            httpx.get(base + "/om", timeout=2)
            break
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)
    return base, server, thread, listener


def filled_form(page: str, round_number: int) -> dict[str, str]:
    """Every open text field of the page answered, every own number given (SYNTHETIC)."""
    form = {"csrf_token": CSRF.findall(page)[0], "expected_version": VERSION.findall(page)[0]}
    for name in re.findall(r'<textarea class="ds-input" id="field-([a-z0-9_]+)" name="([a-z0-9_]+)"', page):
        if not name[1].endswith("__kommentar"):
            form[name[1]] = f"SYNTHETIC answer {round_number} to {name[1]}"
    return form


def timed_requests(client: httpx.Client, path: str, count: int) -> tuple[list[float], list[float], list[float]]:
    pages: list[float] = []
    posts: list[float] = []
    autosaves: list[float] = []
    for _ in range(count):
        start = time.perf_counter()
        response = client.get(path)
        pages.append((time.perf_counter() - start) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"GET {path}: HTTP {response.status_code}")
    page = client.get(path).text
    for index in range(count):
        form = filled_form(page, index)
        start = time.perf_counter()
        response = client.post(path, data=form)
        posts.append((time.perf_counter() - start) * 1000)
        if response.status_code != 303:
            raise SystemExit(f"POST {path}: HTTP {response.status_code}\n{response.text[:2000]}")
        page = client.get(response.headers["location"]).text
    csrf = CSRF.findall(page)[0]
    version = int(VERSION.findall(page)[0])
    for index in range(count):
        form = filled_form(page, count + index)
        form["expected_version"] = str(version)
        start = time.perf_counter()
        response = client.post(path + "/autolagre", data=form, headers={"X-CSRF-Token": csrf})
        autosaves.append((time.perf_counter() - start) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"POST autosave: HTTP {response.status_code}\n{response.text[:2000]}")
        version = int(response.json()["version"])
    return pages, posts, autosaves


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--database", type=Path, help="a built SQLite database to copy (default: SYNTHETIC only)")
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-reporting-") as folder:
        path = Path(folder) / "bench.sqlite"
        if arguments.database is not None:
            shutil.copyfile(arguments.database, path)
        url = f"sqlite:///{path}"
        round_id, token = prepare(url, synthetic=arguments.database is None)
        base, server, thread, listener = serve(url)
        path_of_form = f"/rapportering/{round_id}/{MUNICIPALITY}"
        try:
            with httpx.Client(base_url=base, timeout=30) as client:
                client.cookies.set(SESSION_COOKIE, token)
                for _ in range(10):  # warm-up: templates compiled, caches filled
                    client.get(path_of_form)
                pages, posts, autosaves = timed_requests(client, path_of_form, arguments.requests)
                size = len(client.get(path_of_form).content)
        finally:
            server.should_exit = True  # type: ignore[attr-defined]
            thread.join(timeout=10)
            listener.close()
    source = "a copy of " + str(arguments.database) if arguments.database else "SYNTHETIC statistics only"
    print(f"report form of {PROGRAMME} {YEAR} over loopback ({source}); page {size / 1024:.0f} KB")
    print(describe("GET form page", pages))
    print(describe("POST save (then 303)", posts))
    print(describe("POST autosave (JSON)", autosaves))
    p95 = percentile(pages, 0.95)
    verdict = "met" if p95 < TARGET_P95_MS else "NOT met"
    print(f"  target form page p95 < {TARGET_P95_MS:.0f} ms: {verdict} ({p95:.1f} ms)")


if __name__ == "__main__":
    main()
