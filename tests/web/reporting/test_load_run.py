"""The issue's load target over the loopback: 70 municipalities saving 24 answers each at once, through the real
app under uvicorn, from 70 signed-in browsers (httpx sessions): 0 lost answers, 0 answers in another
municipality's report, no 5xx.

The form is the package's 2018 form (its 24 open questions); the people (reporter-50xx@kommune.example), the
municipality codes they report for and every answer are SYNTHETIC. Sessions are issued by the account store, as
an identity provider's sign-in issues them, and each browser takes its CSRF token and the report's version from
the form page it GETs. Every browser first saves the whole form by the ordinary POST (what works without
JavaScript), then once more through the autosave endpoint (what web/static/reporting.js posts).

On SQLite the app runs in a thread of this process; on PostgreSQL as ``boligmonitor serve --workers 2`` does it
(uvicorn's supervisor with two worker processes building the app through :data:`SERVER_APP_FACTORY`), so a
session issued here must be known to both workers through the database.
"""

from __future__ import annotations

import asyncio
import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Final

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from boligmonitor.store import DATABASE_URL_VARIABLE, Store, create_engine_for, migrate
from boligmonitor.store.accounts import AccountStore, Actor, IssuedSession
from boligmonitor.store.reporting import ReportStore
from boligmonitor.store.reporting.tables import answer
from boligmonitor.web.auth import SESSION_COOKIE, AuthSettings
from tests.event_loops import run_in_own_thread
from tests.store.accounts.synthetic import cheap_passwords
from tests.store.conftest import postgres_url  # noqa: F401  # the fixture, for the PostgreSQL run
from tests.store.reporting.synthetic import PROGRAMME, put_synthetic_statistics

MUNICIPALITIES: Final = 70
ANSWERS_EACH: Final = 24
FORM_YEAR: Final = 2018  # the package's real form: 24 open questions
CLI: Final = Actor("load run (synthetic)")
SERVER_START_SECONDS: Final = 60.0
CSRF: Final = re.compile(r'name="csrf_token" value="([^"]+)"')
VERSION: Final = re.compile(r'name="expected_version" value="([0-9]+)"')

# What `boligmonitor serve --workers 2` runs (web/server.py: run_server), on a socket bound first to a free port,
# whose number the launcher prints before the supervisor starts the workers.
WORKERS_LAUNCHER: Final = """
import socket, sys
import uvicorn
from uvicorn.supervisors import Multiprocess
from boligmonitor.web.server import HTTP_PROTOCOL, SERVER_APP_FACTORY

listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
listener.bind(("127.0.0.1", 0))
print(listener.getsockname()[1], flush=True)
config = uvicorn.Config(
    SERVER_APP_FACTORY, factory=True, workers=2, http=HTTP_PROTOCOL, log_level="warning", access_log=False
)
Multiprocess(config, sockets=[listener]).run()
"""


@dataclass(frozen=True)
class LoadSite:
    base_url: str
    reports: ReportStore
    round_id: int
    open_questions: list[str]
    tokens: dict[str, str]  # municipality code -> its reporter's session token
    workers: int


def codes() -> list[str]:
    return [f"50{index:02d}" for index in range(MUNICIPALITIES)]  # SYNTHETIC: any 4-digit code is a municipality


def reporter(code: str) -> str:
    return f"reporter-{code}@kommune.example"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path_factory.mktemp('load-run') / 'load.sqlite'}"
    url = request.getfixturevalue("postgres_url")
    assert isinstance(url, str)
    return url


@pytest.fixture
def load_site(database_url: str) -> Iterator[LoadSite]:
    engine = create_engine_for(database_url)
    migrate(engine)
    store = Store(engine)
    put_synthetic_statistics(store)
    accounts = AccountStore(engine, passwords=cheap_passwords())
    reports = ReportStore(engine)
    now = datetime.now(UTC)
    reporting = reports.create_round(
        PROGRAMME, FORM_YEAR, opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=30), actor=CLI
    )
    open_questions = [
        entry.question.id for entry in reports.form(reporting).entries() if entry.question.type == "open_text"
    ]
    assert len(open_questions) == ANSWERS_EACH
    tokens: dict[str, str] = {}
    for code in codes():
        accounts.create_account(reporter(code), "municipal_reporter", municipality=code, actor=CLI)
        reports.open_draft(reporting.id, code, actor=CLI)
        issued = accounts.sign_in_verified(reporter(code), method="oidc", client_address="127.0.0.1")
        assert isinstance(issued, IssuedSession)
        tokens[code] = issued.token
    sqlite = make_url(database_url).get_backend_name() == "sqlite"
    server = _in_thread(database_url) if sqlite else _two_workers(database_url)
    try:
        base_url = next(server)
        yield LoadSite(base_url, reports, reporting.id, open_questions, tokens, 1 if sqlite else 2)
    finally:
        next(server, None)
        store.close()
        engine.dispose()


def _in_thread(url: str) -> Iterator[str]:
    import uvicorn

    from boligmonitor.web.app import create_app

    app = create_app(url, auth_settings=AuthSettings())
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    host, port = listener.getsockname()
    server = uvicorn.Server(uvicorn.Config(app, log_config=None, log_level="warning", access_log=False, lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, name="load-run-server", daemon=True)
    thread.start()
    try:
        _wait_until_answering(host, port, lambda: thread.is_alive())
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        listener.close()


def _two_workers(url: str) -> Iterator[str]:
    environment = {**os.environ, DATABASE_URL_VARIABLE: url, "BOLIGMONITOR_WARM": "0"}
    environment.pop("BOLIGMONITOR_SECURE_COOKIES", None)
    process = subprocess.Popen(
        [sys.executable, "-c", WORKERS_LAUNCHER], env=environment, stdout=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None
        port = int(process.stdout.readline().strip())
        _wait_until_answering("127.0.0.1", port, lambda: process.poll() is None)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.send_signal(signal.SIGINT)  # the supervisor stops its workers, then itself
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


def _wait_until_answering(host: str, port: int, alive: object) -> None:
    assert callable(alive)
    deadline = time.monotonic() + SERVER_START_SECONDS
    while True:
        if not alive():
            raise RuntimeError("the server stopped during start-up")
        connection = http.client.HTTPConnection(host, port, timeout=2)
        try:
            connection.request("GET", "/om")
            connection.getresponse().read()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)
        finally:
            connection.close()


def answer_text(code: str, question_id: str, round_name: str) -> str:
    return f"SYNTHETIC {round_name} answer of {code} to {question_id}: æøå «sitat» & <b>"


@dataclass
class Browser:
    """One reporter's signed-in browser, with what her form page gave her."""

    code: str
    client: httpx.AsyncClient
    path: str
    csrf: str = ""
    version: int = 0


async def open_form(browser: Browser, statuses: list[int]) -> None:
    page = await browser.client.get(browser.path)
    statuses.append(page.status_code)
    assert page.status_code == 200, page.text[:500]
    browser.csrf = _found(CSRF, page.text)
    browser.version = int(_found(VERSION, page.text))


async def save_by_post(browser: Browser, questions: list[str], statuses: list[int]) -> None:
    """The ordinary save (what works without JavaScript), then the page it leads to."""
    form = {"csrf_token": browser.csrf, "expected_version": str(browser.version)}
    form |= {qid: answer_text(browser.code, qid, "posted") for qid in questions}
    saved = await browser.client.post(browser.path, data=form)
    statuses.append(saved.status_code)
    assert saved.status_code == 303, saved.text[:2000]
    assert saved.headers["location"].endswith("melding=lagret")
    again = await browser.client.get(saved.headers["location"])
    statuses.append(again.status_code)
    assert again.status_code == 200
    version = int(_found(VERSION, again.text))
    assert version == browser.version + 1
    browser.version = version


async def save_by_autosave(browser: Browser, questions: list[str], statuses: list[int]) -> None:
    """What web/static/reporting.js posts while she types (the CSRF token in the header, as the script sends)."""
    form = {"expected_version": str(browser.version)}
    form |= {qid: answer_text(browser.code, qid, "autosaved") for qid in questions}
    saved = await browser.client.post(browser.path + "/autolagre", data=form, headers={"X-CSRF-Token": browser.csrf})
    statuses.append(saved.status_code)
    assert saved.status_code == 200, saved.text[:2000]
    assert saved.json()["version"] == browser.version + 1


def _found(pattern: re.Pattern[str], text: str) -> str:
    found = pattern.search(text)
    assert found is not None, text[:2000]
    return found.group(1)


async def everyone_at_once(site: LoadSite, statuses: list[int]) -> dict[str, float]:
    """Every browser opens its form; then all save by POST at once; then all autosave at once. The seconds of
    each step."""
    browsers = [
        Browser(code, httpx.AsyncClient(base_url=site.base_url, timeout=60.0), f"/rapportering/{site.round_id}/{code}")
        for code in codes()
    ]
    for browser in browsers:
        browser.client.cookies.set(SESSION_COOKIE, site.tokens[browser.code])
    timings: dict[str, float] = {}
    questions = site.open_questions
    try:
        began = time.monotonic()
        await asyncio.gather(*(open_form(browser, statuses) for browser in browsers))
        timings["open"] = time.monotonic() - began
        began = time.monotonic()
        await asyncio.gather(*(save_by_post(browser, questions, statuses) for browser in browsers))
        timings["post"] = time.monotonic() - began
        began = time.monotonic()
        await asyncio.gather(*(save_by_autosave(browser, questions, statuses) for browser in browsers))
        timings["autosave"] = time.monotonic() - began
    finally:
        await asyncio.gather(*(browser.client.aclose() for browser in browsers))
    return timings


def test_seventy_signed_in_municipalities_save_twenty_four_answers_each_at_once(load_site: LoadSite) -> None:
    statuses: list[int] = []
    timings = run_in_own_thread(everyone_at_once(load_site, statuses))

    assert len(statuses) == MUNICIPALITIES * 4
    assert not [status for status in statuses if status >= 500]
    reports = load_site.reports
    stored_reports = reports.every_report(round_id=load_site.round_id)
    assert sorted(summary.municipality_code for summary in stored_reports) == codes()
    lost = mixed = 0
    for summary in stored_reports:
        stored = reports.report(summary.id)
        code = summary.municipality_code
        for qid in load_site.open_questions:
            found = stored.answers.get(qid)
            if found is None or found.text is None:
                lost += 1
            elif found.text != answer_text(code, qid, "autosaved") or found.updated_by != reporter(code):
                mixed += 1
        assert stored.version == 3  # opened, saved by POST, autosaved: nothing else wrote in between
    assert (lost, mixed) == (0, 0)
    with reports.engine.connect() as connection:
        texts = connection.scalar(select(func.count()).select_from(answer).where(answer.c.text.is_not(None)))
    assert texts == MUNICIPALITIES * ANSWERS_EACH
    steps = ", ".join(f"{step} {seconds:.2f} s" for step, seconds in timings.items())
    print(
        f"load run ({load_site.workers} worker(s)): {MUNICIPALITIES} sessions x {ANSWERS_EACH} answers at once; "
        f"{steps}; lost {lost}, mixed {mixed}, 5xx 0"
    )
