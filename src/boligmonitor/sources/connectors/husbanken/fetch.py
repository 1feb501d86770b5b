"""Fetching Husbanken's hypercubes: one session, paging, retries that resume, the raw-response archive.

The call sequence (husbanken-qlik.md §2): connect → ``OpenDoc`` → ``GetAppLayout`` (``qLastReloadTime``, the
vintage) → per definition ``CreateSessionObject`` (with one initial page) → ``GetLayout`` (``qError`` checked) →
``GetHyperCubeData`` pages of floor(9 500 / width) rows until ``qcy`` rows are in → ``DestroySessionObject``.

Politeness: one call at a time, at least ``pause_seconds`` apart (the shared
:class:`~boligmonitor.sources.connectors.http.RateLimiter`). A broken connection, time-out or malformed message
closes the session; after a back-off (:class:`~boligmonitor.sources.connectors.http.RetryPolicy`) a new session
recreates the hypercube and continues from the first row not yet fetched. If the app was reloaded meanwhile
(another ``qLastReloadTime``), everything is fetched again so no cube mixes two reloads. Error 7009 (page too large)
halves the page height and asks again. Every answer is archived byte-exact like the SSB client's
(:class:`~boligmonitor.sources.connectors.http.ResponseArchive`), keyed on the call without its session-specific id.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from boligmonitor.sources.connectors.http import (
    DEFAULT_USER_AGENT,
    ArchivedRequest,
    RateLimiter,
    ResponseArchive,
    RetryPolicy,
)
from boligmonitor.sources.connectors.husbanken.cubes import build_cubes
from boligmonitor.sources.connectors.husbanken.definitions import (
    PAGE_CELLS,
    CubeDefinition,
    Definitions,
    load_definitions,
)
from boligmonitor.sources.connectors.husbanken.engine import GLOBAL_HANDLE, QlikReply, QlikSession
from boligmonitor.sources.connectors.husbanken.errors import (
    HusbankenFetchError,
    QlikConnectionError,
    QlikEngineError,
    QlikError,
    QlikResponseError,
)
from boligmonitor.sources.connectors.husbanken.hypercube import (
    app_url,
    hypercube_properties,
    object_id,
    page_request,
)
from boligmonitor.sources.connectors.husbanken.parse import (
    AppLayout,
    HypercubeData,
    QlikCell,
    check_titles,
    read_app_layout,
    read_data_pages,
    read_layout,
)
from boligmonitor.sources.cube import Cube

logger = logging.getLogger(__name__)

DEFAULT_URL = "wss://qlik.husbanken.no/public"
ARCHIVE_METHOD = "QLIK"
#: The calls whose error 7009 means "this page is too large": a smaller page may pass.
_PAGED = frozenset({"GetLayout", "GetHyperCubeData"})
SYNTHETIC_TITLE_MARK = "SYNTHETIC"


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _default_retry() -> RetryPolicy:
    return RetryPolicy(attempts=5, base_delay=2.0, max_delay=60.0)


@dataclass(frozen=True)
class QlikOptions:
    """How to talk to the engine. The defaults are for Husbanken; tests shorten the waits.

    ``identity``: the ``/identity/<id>`` segment (None: a fresh one per run, ``""``: none). ``origin``: the
    ``Origin`` header (None: the app's, from the definitions; ``""``: none). ``pause_seconds``: the least time
    between two calls. ``retry``: attempts and back-off after a failed connection, counted per hypercube and
    reset whenever a page arrives. ``max_restarts``: how often the app may be reloaded mid-fetch before giving up.
    """

    identity: str | None = None
    origin: str | None = None
    user_agent: str = DEFAULT_USER_AGENT
    open_timeout: float = 10.0
    call_timeout: float = 60.0
    pause_seconds: float = 0.5
    retry: RetryPolicy = field(default_factory=_default_retry)
    page_cells: int = PAGE_CELLS
    max_restarts: int = 2
    max_message_bytes: int = 64 * 1024 * 1024
    proxy: str | Literal[True] | None = True
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    now: Callable[[], datetime] = _utc_now


@dataclass(frozen=True)
class HusbankenFetch:
    """The result of :func:`fetch_husbanken_cubes`."""

    cubes: dict[str, Cube]  # dataset key ("husbanken:bostotte", …) -> cube
    vintage: datetime | None  # the app's qLastReloadTime: when Husbanken last reloaded the data (UTC)
    vintage_text: str | None  # qLastReloadTime as the engine wrote it
    app_title: str | None
    fetched_at: datetime
    fetched: tuple[str, ...]  # definition ids fetched
    skipped: tuple[str, ...]  # definitions left out, each with why
    warnings: tuple[str, ...]
    problems: tuple[str, ...]
    unlisted_codes: dict[str, tuple[int, ...]]  # KommuneNr not in current_municipality_codes -> years with values
    archive_keys: tuple[str, ...]  # the raw answers in the archive, in the order received
    calls: int  # JSON-RPC calls sent, retries included
    retries: int  # new sessions after a failure
    synthetic: bool  # the engine said it is a fake (app title), or a hypercube was marked synthetic


def fetch_husbanken_cubes(
    base_url: str,
    archive_dir: Path | None,
    *,
    definitions: Definitions | None = None,
    include_unconfirmed: bool = False,
    only: Sequence[str] | None = None,
    current_municipality_codes: Collection[str] | None = None,
    options: QlikOptions | None = None,
) -> HusbankenFetch:
    """Fetch the selected hypercubes from the engine at ``base_url`` and build one cube per dataset.

    ``base_url`` is the virtual proxy root (:data:`DEFAULT_URL`, or a fake's ``ws://127.0.0.1:PORT/public``).
    ``archive_dir`` receives every raw answer (None: no archive). Unconfirmed definitions are fetched only with
    ``include_unconfirmed``; ``only`` limits the fetch to definition ids or dataset keys.
    Raises :class:`HusbankenFetchError` when a hypercube cannot be fetched; nothing partial is returned.
    """
    definitions = definitions if definitions is not None else load_definitions()
    options = options if options is not None else QlikOptions()
    selected = definitions.selected(include_unconfirmed=include_unconfirmed, only=only)
    skipped = tuple(
        f"{cube.id}: not confirmed against the live app (to confirm: {'; '.join(cube.to_confirm)})"
        for cube in definitions.selected(include_unconfirmed=True, only=only)
        if cube not in selected
    )
    archive = ResponseArchive(archive_dir) if archive_dir is not None else None
    fetcher = _Fetcher(base_url, definitions, archive, options)
    fetched_at = options.now().astimezone(UTC)
    try:
        data = fetcher.fetch_all(selected)
    finally:
        fetcher.close()
    layout = fetcher.app_layout
    built = build_cubes(
        definitions,
        data,
        vintage=layout.last_reload if layout else None,
        vintage_text=layout.last_reload_text if layout else None,
        current_municipality_codes=current_municipality_codes,
    )
    warnings = list(fetcher.warnings) + list(built.warnings)
    if layout is not None and layout.last_reload is None:
        warnings.append("GetAppLayout gave no readable qLastReloadTime: the data vintage is unknown")
    title = layout.title if layout else None
    synthetic = (title is not None and SYNTHETIC_TITLE_MARK in title) or any(d.synthetic for d in data.values())
    return HusbankenFetch(
        cubes=built.cubes,
        vintage=layout.last_reload if layout else None,
        vintage_text=layout.last_reload_text if layout else None,
        app_title=title,
        fetched_at=fetched_at,
        fetched=tuple(d.id for d in selected),
        skipped=skipped,
        warnings=tuple(warnings),
        problems=built.problems,
        unlisted_codes=built.unlisted_codes,
        archive_keys=tuple(fetcher.archive_keys),
        calls=fetcher.calls,
        retries=fetcher.retries,
        synthetic=synthetic,
    )


# ------------------------------------------------------------------------------------------------ internals


class _Reloaded(Exception):  # noqa: N818 -- control flow, not an error the caller sees
    def __init__(self, before: str | None, after: str | None) -> None:
        self.before = before
        self.after = after
        super().__init__(f"qLastReloadTime changed from {before} to {after}")


@dataclass
class _Progress:
    """How far one hypercube has come; survives a lost session so paging resumes where it stopped."""

    definition: CubeDefinition
    page_height: int
    data: HypercubeData | None = None  # from the first layout on
    total: int | None = None
    handle: int | None = None
    epoch: int = -1  # the session the handle belongs to

    @property
    def fetched(self) -> int:
        return len(self.data.rows) if self.data is not None else 0

    def where(self) -> str:
        total = "?" if self.total is None else str(self.total)
        return f"{self.definition.id} at row {self.fetched} of {total}"


class _Fetcher:
    def __init__(
        self, base_url: str, definitions: Definitions, archive: ResponseArchive | None, options: QlikOptions
    ) -> None:
        self.definitions = definitions
        self.archive = archive
        self.options = options
        identity = options.identity if options.identity is not None else f"boligmonitor-{time.time_ns() // 1_000_000}"
        self.archive_url = app_url(base_url, definitions.app.id)
        self.session_url = app_url(base_url, definitions.app.id, identity or None)
        origin = options.origin if options.origin is not None else definitions.app.origin
        self.origin = origin or None
        self.limiter = (
            RateLimiter(1, options.pause_seconds, clock=options.clock, sleep=options.sleep)
            if options.pause_seconds > 0
            else None
        )
        self.session: QlikSession | None = None
        self.epoch = 0
        self.doc_handle = GLOBAL_HANDLE
        self.app_layout: AppLayout | None = None
        self.archive_keys: list[str] = []
        self.warnings: list[str] = []
        self.calls = 0
        self.retries = 0

    # --- the whole fetch ---

    def fetch_all(self, selected: Sequence[CubeDefinition]) -> dict[str, HypercubeData]:
        restarts = 0
        while True:
            try:
                return {definition.id: self._fetch_cube(definition) for definition in selected}
            except _Reloaded as reload:
                restarts += 1
                self.warnings.append(
                    f"the app was reloaded during the fetch ({reload}); every hypercube was fetched again"
                )
                if restarts > self.options.max_restarts:
                    raise HusbankenFetchError(
                        f"the app was reloaded {restarts} times during the fetch; gave up ({reload})"
                    ) from None

    def close(self) -> None:
        if self.session is not None:
            self.calls += self.session.calls
            self.session.close()
            self.session = None

    # --- one hypercube ---

    def _fetch_cube(self, definition: CubeDefinition) -> HypercubeData:
        progress = _Progress(definition, definition.page_height(self.options.page_cells))
        failures = 0
        while True:
            rows_before = progress.fetched
            try:
                return self._advance(progress)
            except QlikConnectionError as error:
                self.close()
                failures = 1 if progress.fetched > rows_before else failures + 1
                if failures >= self.options.retry.attempts:
                    raise HusbankenFetchError(
                        f"{progress.where()}: gave up after {failures} failed attempts in a row; last problem: {error}"
                    ) from error
                self.retries += 1
                wait = self.options.retry.delay(failures, None)
                logger.warning("Husbanken %s: %s; new session in %.1f s", progress.where(), error, wait)
                self.options.sleep(wait)
            except QlikEngineError as error:
                if error.method not in _PAGED or not error.too_large or progress.page_height <= 1:
                    raise HusbankenFetchError(f"{progress.where()}: {error}") from error
                progress.page_height = max(1, progress.page_height // 2)
                self.warnings.append(
                    f"{definition.id}: the engine refused a page as too large (error 7009); asked again with "
                    f"{progress.page_height} rows per page"
                )
            except HusbankenFetchError:
                raise
            except QlikError as error:  # a wrong answer, a refused handshake, a demand to authenticate
                raise HusbankenFetchError(f"{progress.where()}: {error}") from error

    def _advance(self, progress: _Progress) -> HypercubeData:
        self._open_session()
        if progress.handle is None or progress.epoch != self.epoch:
            self._create_object(progress)
        data = progress.data
        if data is None or progress.total is None:
            raise QlikResponseError(f"{progress.definition.id}: no layout")
        width = progress.definition.width
        while len(data.rows) < progress.total:
            top = len(data.rows)
            height = min(progress.page_height, progress.total - top)
            params = page_request(top, width, height)
            reply = self._call("GetHyperCubeData", self._handle(progress), params, progress.definition.id)
            matrix = _page_rows(read_data_pages(reply.result), top, width, height, progress.definition.id)
            self._archive(reply, f"cube:{progress.definition.id}", params, progress.definition.id)
            data.add_matrix(matrix)
        if len(data.rows) != progress.total:
            raise QlikResponseError(f"{progress.definition.id}: fetched {len(data.rows)} rows, qcy is {progress.total}")
        self._destroy(progress)
        return data

    @staticmethod
    def _handle(progress: _Progress) -> int:
        if progress.handle is None:
            raise QlikResponseError(f"{progress.definition.id}: no hypercube object")
        return progress.handle

    def _create_object(self, progress: _Progress) -> None:
        definition = progress.definition
        params = {"qProp": hypercube_properties(definition, progress.page_height)}
        created = self._call("CreateSessionObject", self.doc_handle, params, definition.id)
        self._archive(created, f"cube:{definition.id}", params, definition.id)
        handle = _returned_handle(created.result, f"{definition.id}: CreateSessionObject")
        progress.handle, progress.epoch = handle, self.epoch
        reply = self._call("GetLayout", handle, {}, definition.id)
        self._archive(reply, f"cube:{definition.id}", {}, definition.id)
        layout = read_layout(reply.result)
        if layout.column_errors:
            listed = ", ".join(f"{title!r} (error {code})" for title, code in layout.column_errors)
            raise QlikResponseError(
                f"{definition.id}: the engine could not compute {listed}; check the field names and expressions"
            )
        if layout.error_code is not None:
            self._destroy(progress)
            raise QlikEngineError("GetLayout", layout.error_code, "the hypercube reports qError", what=definition.id)
        check_titles(definition, layout.dimension_titles, layout.measure_titles)
        if layout.columns != definition.width:
            raise QlikResponseError(f"{definition.id}: {layout.columns} columns (qcx), expected {definition.width}")
        if progress.total is not None and layout.rows != progress.total:
            self.warnings.append(
                f"{definition.id}: the hypercube has {layout.rows} rows now, {progress.total} before the session was "
                "lost; fetched again from the first row"
            )
            progress.data = None
        progress.total = layout.rows
        if progress.data is not None:
            return  # resuming: the rows before the break are in, paging continues after them
        data = HypercubeData(definition.id, layout.dimension_titles, layout.measure_titles, synthetic=layout.synthetic)
        progress.data = data
        for page in sorted(layout.pages, key=lambda p: p.top):
            if page.top == len(data.rows) and page.left == 0 and page.width == definition.width:
                data.add_matrix(page.matrix[: max(0, layout.rows - len(data.rows))])

    def _destroy(self, progress: _Progress) -> None:
        if progress.handle is None or progress.epoch != self.epoch:
            progress.handle = None
            return
        progress.handle = None
        try:
            self._call("DestroySessionObject", self.doc_handle, {"qId": object_id(progress.definition)}, "")
        except QlikEngineError as error:  # the object goes with the session anyway
            logger.info("DestroySessionObject %s: %s", object_id(progress.definition), error)
        except QlikConnectionError as error:  # the rows are in; the next hypercube opens a new session
            logger.info("DestroySessionObject %s: %s", object_id(progress.definition), error)
            self.close()

    # --- the session ---

    def _open_session(self) -> None:
        if self.session is not None and self.session.is_open:
            return
        session = QlikSession(
            self.session_url,
            origin=self.origin,
            user_agent=self.options.user_agent,
            open_timeout=self.options.open_timeout,
            call_timeout=self.options.call_timeout,
            limiter=self.limiter,
            max_message_bytes=self.options.max_message_bytes,
            proxy=self.options.proxy,
            clock=self.options.clock,
        )
        session.open()
        self.session = session
        self.epoch += 1
        try:
            layout = self._open_document()
        except BaseException:
            self.close()  # a session without its document is no use: the next attempt starts afresh
            raise
        previous, self.app_layout = self.app_layout, layout
        if previous is not None and previous.last_reload_text != layout.last_reload_text:
            raise _Reloaded(previous.last_reload_text, layout.last_reload_text)

    def _open_document(self) -> AppLayout:
        params = {"qDocName": self.definitions.app.id}
        opened = self._call("OpenDoc", GLOBAL_HANDLE, params, "")
        self._archive(opened, "global", params, None)
        self.doc_handle = _returned_handle(opened.result, f"OpenDoc {self.definitions.app.id}")
        reply = self._call("GetAppLayout", self.doc_handle, {}, "")
        layout = read_app_layout(reply.result)
        self._archive(reply, "doc", {}, None, updated=layout.last_reload_text)
        return layout

    def _call(self, method: str, handle: int, params: Mapping[str, Any], what: str) -> QlikReply:
        if self.session is None:
            raise QlikConnectionError(f"{method}: no session")
        return self.session.call(method, handle, params, what=what)

    def _archive(
        self,
        reply: QlikReply,
        target: str,
        params: Mapping[str, Any],
        table: str | None,
        *,
        updated: str | None = None,
    ) -> None:
        if self.archive is None:
            return
        # The key leaves out the JSON-RPC id and handles: they change with every session, the question does not.
        request = ArchivedRequest.of(
            ARCHIVE_METHOD, self.archive_url, None, {"method": reply.method, "target": target, "params": params}
        )
        if updated is None and self.app_layout is not None:
            updated = self.app_layout.last_reload_text
        moment = self.options.now().astimezone(UTC)
        self.archive.store(request.key, request, 200, {}, reply.raw, moment, updated, table_id=table)
        self.archive_keys.append(request.key)


def _returned_handle(result: Mapping[str, Any], what: str) -> int:
    returned = result.get("qReturn")
    handle = returned.get("qHandle") if isinstance(returned, Mapping) else None
    if isinstance(handle, bool) or not isinstance(handle, int):
        raise QlikResponseError(f"{what}: the answer has no qReturn.qHandle")
    return handle


def _page_rows(pages: Sequence[Any], top: int, width: int, height: int, what: str) -> list[list[QlikCell]]:
    if len(pages) != 1:
        raise QlikResponseError(f"{what}: asked for one page at row {top}, got {len(pages)}")
    page = pages[0]
    if page.top != top or page.left != 0 or page.width != width:
        raise QlikResponseError(
            f"{what}: asked for rows from {top} ({width} columns), got a page at row {page.top}, column {page.left} "
            f"({page.width} columns)"
        )
    if len(page.matrix) != height:
        raise QlikResponseError(f"{what}: asked for {height} rows from row {top}, got {len(page.matrix)}")
    return list(page.matrix)
