"""Running the monitor under uvicorn: one process, or several workers sharing one database.

With ``workers > 1`` uvicorn starts each worker process fresh and builds its app there through the factory
:func:`server_app` (:data:`SERVER_APP_FACTORY`), configured by environment variables: the database URL
(``BOLIGMONITOR_DATABASE_URL``) and :data:`WARM_VARIABLE`. Each worker loads the data itself and runs its own
watcher thread, so a new data version reaches every worker within a few seconds of its commit; the workers
load it one after another (:mod:`.worker_turns`).
"""

from __future__ import annotations

import os
import socket
from asyncio import Transport
from collections.abc import Callable
from contextlib import suppress
from typing import Any

from fastapi import FastAPI
from uvicorn.protocols.http.auto import AutoHTTPProtocol

from boligmonitor.catalog.loader import load_catalog
from boligmonitor.store import DATABASE_URL_VARIABLE, Store, database_url
from boligmonitor.web.app import create_app
from boligmonitor.web.monitor import Monitor
from boligmonitor.web.worker_turns import TURNS_VARIABLE, create_load_turns, load_turns_from_environment

WARM_VARIABLE = "BOLIGMONITOR_WARM"  # "0": the workers skip warming (`boligmonitor serve --no-warm`)
SERVER_APP_FACTORY = "boligmonitor.web.server:server_app"
HTTP_PROTOCOL = "boligmonitor.web.server:NoDelayHTTPProtocol"


def server_app() -> FastAPI:
    """The app factory uvicorn calls in each worker process: the database from BOLIGMONITOR_DATABASE_URL,
    warmed unless BOLIGMONITOR_WARM is "0"; it loads new data versions in turn with its sibling workers."""
    app = create_app(warm=os.environ.get(WARM_VARIABLE, "1") != "0")
    turns = load_turns_from_environment()
    monitor: Monitor = app.state.monitor
    if turns is not None:
        monitor.take_turns_with_siblings(turns)
    return app


class NoDelayHTTPProtocol(AutoHTTPProtocol):  # type: ignore[misc,valid-type]  # uvicorn's pick: httptools or h11
    """uvicorn's HTTP protocol with Nagle's algorithm off on every connection.

    With several workers uvicorn binds the listening socket itself (protocol number 0), so asyncio does not
    set TCP_NODELAY on accepted connections, and a response written as headers then body waits ~40 ms for
    the client's delayed ACK before the body leaves."""

    def connection_made(self, transport: Transport) -> None:
        connection = transport.get_extra_info("socket")
        if connection is not None and connection.family in (socket.AF_INET, socket.AF_INET6):
            with suppress(OSError):  # the connection is already gone
                connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().connection_made(transport)


def run_server(
    database: str | None, *, host: str, port: int, workers: int, warm: bool, announce: Callable[[str], None]
) -> None:
    """Serve until interrupted. ``announce`` is told where, once the app (or, with workers, the catalogue)
    has been checked; an :class:`InputError` from either is raised before anything listens."""
    import uvicorn

    # A database built by an older version lacks newer tables (accounts, reporting): bring it up to date
    # once here, before any worker opens it read-only.
    Store.open(database_url(database), upgrade=True).close()
    options: dict[str, Any] = {
        "host": host,
        "port": port,
        "log_level": "warning",
        "server_header": False,
        "access_log": False,  # even unlogged, each access line's arguments cost the fast path a few µs
        "proxy_headers": False,  # nothing reads the client's address or scheme: skip uvicorn's rewriting layer
        "http": HTTP_PROTOCOL,
    }
    where = f"http://{host}:{port}/ ({workers} worker{'s' if workers > 1 else ''}; Ctrl+C to stop)"
    if workers == 1:
        web_app = create_app(database, warm=warm)
        announce(where)
        uvicorn.run(web_app, **options)
        return
    load_catalog()  # a broken catalogue is reported once, here, rather than by every worker
    os.environ[DATABASE_URL_VARIABLE] = database_url(database)
    os.environ[WARM_VARIABLE] = "1" if warm else "0"
    turns = create_load_turns()
    if turns is not None:
        os.environ[TURNS_VARIABLE] = str(turns)
    announce(where)
    try:
        uvicorn.run(SERVER_APP_FACTORY, factory=True, workers=workers, **options)
    finally:
        if turns is not None:
            os.environ.pop(TURNS_VARIABLE, None)
            turns.unlink(missing_ok=True)


__all__ = ["HTTP_PROTOCOL", "SERVER_APP_FACTORY", "WARM_VARIABLE", "NoDelayHTTPProtocol", "run_server", "server_app"]
