"""Browser tests: the web monitor served by uvicorn on 127.0.0.1, driven by Debian's headless Chromium.

Needs /usr/bin/chromium (Debian package `chromium`; scripts/test installs it) and axe-core in node_modules
(scripts/setup runs `npm ci`). Playwright's own browser downloads (`playwright install`) are never used: its
driver starts the system Chromium. Without the prerequisites the tests are skipped locally but fail when
CI=true, so CI cannot pass by skipping them (as with the PostgreSQL tests in tests/store).

Every test here carries the `browser` marker, so `pytest -m "not browser"` leaves them out.
"""

from __future__ import annotations

import http.client
import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.browser import AXE_SCRIPT

BROWSER_TESTS_DIR = Path(__file__).resolve().parent
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # Without these Chromium tries to reach Google's hosts (updates, field trials, sync) on its own.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # Every host name fails to resolve except the loopback address the monitor listens on: the page can
    # reach nothing else even on a machine with internet access.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]
# Playwright's default is 30 s; a local page that takes longer is broken, and failing fast says so sooner.
DEFAULT_TIMEOUT_MS = 10_000
SERVER_START_TIMEOUT_S = 20.0


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # This hook sees the items of the whole session: mark only the ones in this directory.
    for item in items:
        if item.path.is_relative_to(BROWSER_TESTS_DIR):
            item.add_marker(pytest.mark.browser)


def missing_prerequisites() -> list[str]:
    missing = []
    if not CHROMIUM.is_file():
        missing.append(f"{CHROMIUM} is missing (apt-get install chromium; scripts/test does)")
    if not AXE_SCRIPT.is_file():
        missing.append(f"{AXE_SCRIPT} is missing (npm ci; scripts/setup does)")
    return missing


@pytest.fixture(scope="session", autouse=True)
def _browser_prerequisites() -> None:
    """Skip (fail under CI=true) before anything expensive starts when Chromium or axe-core is absent."""
    missing = missing_prerequisites()
    if missing:
        message = "browser tests cannot run: " + "; ".join(missing)
        if os.environ.get("CI") == "true":
            pytest.fail(f"browser tests must run in CI: {message}")
        pytest.skip(message)


def _wait_until_answering(base_url: str, host: str, port: int, server_thread: threading.Thread) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT_S
    while True:
        if not server_thread.is_alive():
            raise RuntimeError(f"the monitor server at {base_url} stopped during start-up (see the log above)")
        connection = http.client.HTTPConnection(host, port, timeout=2)
        try:
            connection.request("GET", "/")
            connection.getresponse().read()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)
        finally:
            connection.close()


@dataclass(frozen=True)
class LoopbackServer:
    base_url: str  # http://127.0.0.1:<port>, no trailing slash
    thread: threading.Thread


@contextmanager
def served_on_loopback(app: Any, name: str) -> Iterator[LoopbackServer]:
    """``app`` served by uvicorn in a background thread of the test process (it installs no signal handlers outside
    the main thread) on a socket bound here to a free loopback port, so no other process can take the port in
    between; answering when the block starts, stopped (10 s at most) when it ends. `log_config=None` leaves the
    test process's logging set-up alone (uvicorn's records reach pytest's capture)."""
    import uvicorn

    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    host, port = listener.getsockname()
    base_url = f"http://{host}:{port}"
    server = uvicorn.Server(uvicorn.Config(app, log_config=None, log_level="warning", access_log=False, lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, name=name, daemon=True)
    thread.start()
    try:
        _wait_until_answering(base_url, host, port, thread)
        yield LoopbackServer(base_url, thread)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        listener.close()


@pytest.fixture(scope="session")
def monitor_server(built_database: Path) -> Iterator[str]:
    """Base URL (``http://127.0.0.1:<port>``, no trailing slash) of the monitor serving the session's database
    (:func:`served_on_loopback`)."""
    from boligmonitor.web.app import create_app

    app = create_app(f"sqlite:///{built_database}")
    with served_on_loopback(app, "monitor-server") as served:
        yield served.base_url
    assert not served.thread.is_alive(), "the monitor server did not shut down within 10 s"


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One headless Debian Chromium for the session (Playwright's driver, never its downloaded browsers)."""
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh page in its own context (no cookies or storage shared between tests), Norwegian Bokmål locale."""
    context = browser.new_context(locale="nb-NO")
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    yield context.new_page()
    context.close()
