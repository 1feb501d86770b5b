"""The Husbanken step of `boligmonitor fetch`: Husbanken's Statistikkbank into the build input, incrementally.

1. **The reload.** A short session (``OpenDoc``, ``GetAppLayout``) reads the app's ``qLastReloadTime``: when
   Husbanken last reloaded its data, the publisher's ``updated`` of every Husbanken dataset. A dataset whose
   stored ``updated`` equals it, and that the input holds, is unchanged and not asked for again.
2. **The raw archive first.** Every answer of the connector is archived with the reload it belongs to
   (:func:`~boligmonitor.sources.connectors.husbanken.fetch_husbanken_cubes`). A hypercube whose answers are all
   in the archive for this reload -- the layout and every page, from the same hypercube definition -- is rebuilt
   from there (:func:`archived_hypercube`): an interrupted refresh resumes without asking Qlik again for cubes of
   the same reload.
3. **Fetch the rest.** The confirmed definitions in one session; with ``include_unconfirmed``, the unconfirmed
   ones (placeholder field names, ``definitions.yaml``) one dataset per session, so that a definition the live
   app cannot compute is a problem named in the summary, not the end of the refresh. A lost connection is never
   taken for that: it stops the refresh (nothing is changed; the next run resumes from the archive).
4. **One cube per dataset** (``husbanken:bostotte`` …, the keys and codes of the development adapter), written
   by the refresh into ``husbanken-live/`` as JSON-stat with its manifest entry: the fetch time, the reload time
   as the publisher's ``updated``, the app's Engine API URL, provenance naming the app, the hypercubes and which
   came from the archive.

If Husbanken reloads during the refresh, the step starts again at the new reload (at most twice), so no dataset
mixes two reloads. Everything a fake engine serves (its app title says SYNTHETIC) is marked SYNTHETIC in the
dataset's title, provenance and notes.
"""

from __future__ import annotations

import json
import time
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from boligmonitor.sources.connectors.http import RateLimiter, ResponseArchive
from boligmonitor.sources.connectors.husbanken import (
    CubeDefinition,
    Definitions,
    HusbankenFetch,
    HusbankenFetchError,
    HusbankenPlan,
    HypercubeData,
    QlikConnectionError,
    QlikError,
    QlikOptions,
    QlikResponseError,
    QlikSession,
    build_cubes,
    fetch_husbanken_cubes,
    load_definitions,
    plan_husbanken,
    read_layout,
)
from boligmonitor.sources.connectors.husbanken.hypercube import app_url, hypercube_properties
from boligmonitor.sources.connectors.husbanken.parse import (
    AppLayout,
    check_titles,
    read_app_layout,
    read_data_pages,
)
from boligmonitor.sources.cube import Cube
from boligmonitor.sources.manifest import InputFile

HUSBANKEN_DIRECTORY = "husbanken-live"
SYNTHETIC = "SYNTHETIC"
_GLOBAL_HANDLE = -1
_MAX_RELOADS = 2  # the app reloaded mid-refresh this many times: give up rather than chase it
_CHECK_CALLS = ("OpenDoc", "GetAppLayout")


@dataclass(frozen=True)
class HusbankenSource:
    """Where and how to refresh Husbanken: the proxy root, the raw-response archive, what to ask for.

    ``only`` names definition ids or dataset keys (None: every selected definition); ``definitions`` replaces the
    packaged ``definitions.yaml`` (tests).
    """

    base_url: str
    archive_dir: Path
    options: QlikOptions = field(default_factory=QlikOptions)
    include_unconfirmed: bool = False
    only: Sequence[str] | None = None
    definitions: Definitions | None = None

    def loaded_definitions(self) -> Definitions:
        return self.definitions if self.definitions is not None else load_definitions()

    def selected(self, definitions: Definitions) -> list[CubeDefinition]:
        """The definitions to refresh; raises ``KeyError`` naming an unknown ``only`` entry."""
        return definitions.selected(include_unconfirmed=self.include_unconfirmed, only=self.only)


@dataclass(frozen=True)
class StagedDataset:
    """A Husbanken dataset for the build input: its manifest entry and its cube."""

    entry: InputFile
    cube: Cube


@dataclass
class HusbankenRefresh:
    """What the Husbanken step did."""

    reload: str | None = None  # qLastReloadTime the datasets belong to
    app_title: str | None = None
    checked: list[str] = field(default_factory=list)  # dataset keys looked at
    unchanged: list[str] = field(default_factory=list)  # stored with this reload already
    staged: list[StagedDataset] = field(default_factory=list)  # changed: to write into the input
    fetched: list[str] = field(default_factory=list)  # definition ids asked of the engine
    from_archive: list[str] = field(default_factory=list)  # definition ids rebuilt from the raw archive
    calls: int = 0  # JSON-RPC calls sent, the reload check's included
    synthetic: bool = False
    warnings: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def changed(self) -> list[str]:
        return [dataset.entry.dataset for dataset in self.staged]

    def describe(self) -> str:
        reload = self.reload or "unknown"
        if not self.staged:
            return f"Husbanken (reload {reload}): {len(self.checked)} datasets checked, none changed."
        archive = f", {len(self.from_archive)} taken from the archive" if self.from_archive else ""
        return (
            f"Husbanken (reload {reload}): changed {', '.join(self.changed)}; {len(self.fetched)} hypercubes "
            f"fetched{archive}; {self.calls} JSON-RPC calls."
        )


def refresh_husbanken(
    source: HusbankenSource,
    stored: Mapping[str, str | None],
    present: Collection[str],
    moment: datetime,
    current_municipality_codes: Collection[str] | None = None,
) -> HusbankenRefresh:
    """Bring the selected Husbanken datasets up to the app's current reload (see the module docstring).

    ``stored`` maps dataset keys to the ``updated`` the database holds, ``present`` lists the dataset keys the
    input holds. Raises :class:`~boligmonitor.sources.connectors.husbanken.HusbankenFetchError` when a confirmed
    hypercube cannot be fetched or the connection fails; nothing is staged then.
    """
    definitions = source.loaded_definitions()
    selected = source.selected(definitions)
    archive = ResponseArchive(source.archive_dir)
    result = HusbankenRefresh()
    for _ in range(_MAX_RELOADS + 1):
        layout, calls = app_layout(source, definitions)
        result.calls += calls
        attempt = _Attempt(source, definitions, selected, archive, layout, current_municipality_codes)
        try:
            attempt.run(stored, present, moment)
        except _ReloadedDuringRefresh as reloaded:
            result.calls += attempt.calls
            result.warnings.append(str(reloaded))
            continue
        attempt.report_into(result)
        return result
    raise HusbankenFetchError(f"Husbanken reloaded its app {_MAX_RELOADS + 1} times during the refresh; gave up")


def app_layout(source: HusbankenSource, definitions: Definitions) -> tuple[AppLayout, int]:
    """The app's title and last reload from a short session of its own, retried like the fetch; the calls sent."""
    options = source.options
    identity = options.identity if options.identity is not None else f"boligmonitor-{time.time_ns() // 1_000_000}"
    origin = options.origin if options.origin is not None else definitions.app.origin
    limiter = (
        RateLimiter(1, options.pause_seconds, clock=options.clock, sleep=options.sleep)
        if options.pause_seconds > 0
        else None
    )
    failures = calls = 0
    while True:
        session = QlikSession(
            app_url(source.base_url, definitions.app.id, identity or None),
            origin=origin or None,
            user_agent=options.user_agent,
            open_timeout=options.open_timeout,
            call_timeout=options.call_timeout,
            limiter=limiter,
            max_message_bytes=options.max_message_bytes,
            proxy=options.proxy,
            clock=options.clock,
        )
        try:
            layout = _read_app_layout(session, definitions.app.id)
        except QlikConnectionError as error:
            failures += 1
            if failures >= options.retry.attempts:
                raise HusbankenFetchError(
                    f"the app's reload time: gave up after {failures} failed attempts; last problem: {error}"
                ) from error
            options.sleep(options.retry.delay(failures, None))
            continue
        except QlikError as error:
            raise HusbankenFetchError(f"the app's reload time: {error}") from error
        finally:
            calls += session.calls
            session.close()
        return layout, calls


def _read_app_layout(session: QlikSession, app_id: str) -> AppLayout:
    session.open()
    opened = session.call("OpenDoc", _GLOBAL_HANDLE, {"qDocName": app_id}, what="OpenDoc")
    returned = opened.result.get("qReturn")
    handle = returned.get("qHandle") if isinstance(returned, Mapping) else None
    if not isinstance(handle, int) or isinstance(handle, bool):
        raise QlikResponseError(f"OpenDoc {app_id}: the answer has no qReturn.qHandle")
    reply = session.call("GetAppLayout", handle, {}, what="GetAppLayout")
    return read_app_layout(reply.result)


# --------------------------------------------------------------------------------------------- one attempt


class _ReloadedDuringRefresh(Exception):  # noqa: N818 -- control flow: start again at the new reload
    def __init__(self, before: str | None, after: str | None) -> None:
        super().__init__(
            f"Husbanken reloaded its app during the refresh ({before} → {after}); started again at the new reload"
        )


@dataclass
class _Fetched:
    """One fetch call: its definitions and result."""

    ids: tuple[str, ...]
    result: HusbankenFetch


class _Attempt:
    """The refresh at one reload of the app."""

    def __init__(
        self,
        source: HusbankenSource,
        definitions: Definitions,
        selected: Sequence[CubeDefinition],
        archive: ResponseArchive,
        layout: AppLayout,
        current_municipality_codes: Collection[str] | None,
    ) -> None:
        self.source = source
        self.definitions = definitions
        self.selected = list(selected)
        self.archive = archive
        self.layout = layout
        self.codes = current_municipality_codes
        self.app_url = app_url(source.base_url, definitions.app.id)
        self.calls = 0
        self.staged: list[StagedDataset] = []
        self.unchanged: list[str] = []
        self.fetched: list[str] = []
        self.from_archive: list[str] = []
        self.synthetic = SYNTHETIC in (layout.title or "")
        self.warnings: list[str] = []
        self.problems: list[str] = []
        self.failed: set[str] = set()  # unconfirmed definitions the engine could not compute

    @property
    def reload(self) -> str | None:
        return self.layout.last_reload_text

    def run(self, stored: Mapping[str, str | None], present: Collection[str], moment: datetime) -> None:
        by_dataset = _by_dataset(self.selected)
        changed = {
            key: cubes
            for key, cubes in by_dataset.items()
            if self.reload is None or stored.get(key) != self.reload or key not in present
        }
        self.unchanged = [key for key in by_dataset if key not in changed]
        archived: dict[str, HypercubeData] = {}
        if self.reload is not None:  # without a reload time, nothing tells an archived answer is current
            for definitions in changed.values():
                for definition in definitions:
                    data = archived_hypercube(self.archive, self.app_url, definition, self.reload)
                    if data is not None:
                        archived[definition.id] = data
        missing = [d for definitions in changed.values() for d in definitions if d.id not in archived]
        calls = self._fetch(missing)
        for key, definitions in changed.items():
            ids = tuple(definition.id for definition in definitions)
            if self.failed & set(ids):
                self.problems.append(f"{key}: not refreshed, its hypercube could not be fetched")
                continue
            cube = self._dataset_cube(key, ids, calls, archived)
            if cube is not None:
                self.staged.append(StagedDataset(self._entry(key, cube, ids, archived, moment), cube))
        self.from_archive = list(archived)

    def report_into(self, result: HusbankenRefresh) -> None:
        result.reload = self.reload
        result.app_title = self.layout.title
        result.checked = list(_by_dataset(self.selected))
        result.unchanged = self.unchanged
        result.staged = self.staged
        result.fetched = self.fetched
        result.from_archive = self.from_archive
        result.calls += self.calls
        result.synthetic = self.synthetic
        result.warnings.extend(self.warnings)
        result.problems.extend(self.problems)

    # --- fetching ---

    def _fetch(self, missing: Sequence[CubeDefinition]) -> list[_Fetched]:
        """Fetch the definitions not in the archive: confirmed ones together, unconfirmed ones per dataset."""
        done: list[_Fetched] = []
        for group, confirmed in fetch_groups(missing):
            ids = tuple(cube.id for cube in group)
            try:
                result = fetch_husbanken_cubes(
                    self.source.base_url,
                    self.source.archive_dir,
                    definitions=self.definitions,
                    include_unconfirmed=True,  # the selection is made: these are the ones asked for
                    only=list(ids),
                    current_municipality_codes=self.codes,
                    options=self.source.options,
                )
            except HusbankenFetchError as error:
                if confirmed or isinstance(error.__cause__, QlikConnectionError):
                    raise  # a confirmed cube, or a lost connection: stop; nothing is changed, the next run resumes
                self.failed.update(ids)
                self.problems.append(
                    f"{', '.join(ids)} (not confirmed against the live app) could not be fetched: {error}"
                )
                continue
            self.calls += result.calls
            if result.vintage_text != self.reload:
                raise _ReloadedDuringRefresh(self.reload, result.vintage_text)
            self.fetched.extend(ids)
            self.synthetic = self.synthetic or result.synthetic
            self.warnings.extend(result.warnings)
            self.problems.extend(result.problems)
            done.append(_Fetched(ids, result))
        return done

    def _dataset_cube(
        self, key: str, ids: tuple[str, ...], calls: Sequence[_Fetched], archived: Mapping[str, HypercubeData]
    ) -> Cube | None:
        """The dataset's cube: as one fetch built it when that fetch asked for all its hypercubes, else built
        from the raw archive (the hypercubes taken from it and those just fetched into it)."""
        whole = next((call for call in calls if set(ids) <= set(call.ids)), None)
        if whole is not None:
            cube = whole.result.cubes.get(key)
            if cube is None:
                self.warnings.append(f"{key}: the hypercubes gave no value; the input keeps what it had")
            return cube
        assert self.reload is not None  # a cube comes from the archive only when the reload is known
        data: dict[str, HypercubeData] = {}
        for cube_id in ids:
            found = archived.get(cube_id) or archived_hypercube(
                self.archive, self.app_url, self.definitions.cube(cube_id), self.reload
            )
            if found is None:
                raise HusbankenFetchError(f"{cube_id}: fetched, but its answers are not complete in the raw archive")
            data[cube_id] = found
            self.synthetic = self.synthetic or found.synthetic is not None
        built = build_cubes(
            self.definitions,
            data,
            vintage=self.layout.last_reload,
            vintage_text=self.reload,
            current_municipality_codes=self.codes,
        )
        self.warnings.extend(built.warnings)
        self.problems.extend(built.problems)
        cube = built.cubes.get(key)
        if cube is None:
            self.warnings.append(f"{key}: the hypercubes gave no value; the input keeps what it had")
        return cube

    # --- the manifest entry ---

    def _entry(
        self,
        key: str,
        cube: Cube,
        ids: Sequence[str],
        archived: Mapping[str, HypercubeData],
        moment: datetime,
    ) -> InputFile:
        dataset = self.definitions.dataset(key)
        app = self.definitions.app
        synthetic = self.synthetic or any(SYNTHETIC in note for note in cube.notes)
        from_archive = [cube_id for cube_id in ids if cube_id in archived]
        provenance = (
            f"fetched by boligmonitor from Husbanken's Statistikkbank (Qlik app {app.id}, {app.title}) at "
            f"{self.source.base_url}: hypercubes {', '.join(ids)}"
            + (f" ({', '.join(from_archive)} from the raw archive of the same reload)" if from_archive else "")
            + f"; app reloaded {self.reload or 'at an unknown time'} (qLastReloadTime, the dataset's `updated`)"
        )
        title = dataset.title
        notes = list(cube.notes)
        if synthetic:
            engine = self.layout.title or "a fake Qlik engine"
            title = f"{SYNTHETIC}: {title}"
            provenance = f"{SYNTHETIC} data from a fake Qlik engine ({engine}), not Husbanken's; {provenance}"
            notes.insert(0, synthetic_note(f"a fake Qlik engine ({engine})"))
        return InputFile(
            path=f"{HUSBANKEN_DIRECTORY}/{key.removeprefix('husbanken:')}.json",
            format="jsonstat",
            dataset=key,
            publisher="Husbanken",
            title=title,
            table=None,
            code_vintage="as-published",
            fetched_at=moment.astimezone(UTC),
            source_url=self.app_url,  # where it was fetched, as for SSB (the public page: the catalogue's source)
            licence=app.licence,
            provenance=provenance,
            notes=notes,
        )


def synthetic_note(server: str) -> str:
    """The note every dataset a fake server made up carries first."""
    return f"{SYNTHETIC}: made-up test data from {server}, never statistics; do not use or publish these numbers."


def fetch_groups(cubes: Sequence[CubeDefinition]) -> list[tuple[list[CubeDefinition], bool]]:
    """The fetch calls for ``cubes``: the confirmed ones in one, the unconfirmed ones one dataset per call
    (each flagged confirmed or not)."""
    confirmed = [cube for cube in cubes if cube.confirmed]
    groups: list[tuple[list[CubeDefinition], bool]] = [(confirmed, True)] if confirmed else []
    for cubes_of_dataset in _by_dataset([cube for cube in cubes if not cube.confirmed]).values():
        groups.append((cubes_of_dataset, False))
    return groups


def _by_dataset(cubes: Sequence[CubeDefinition]) -> dict[str, list[CubeDefinition]]:
    grouped: dict[str, list[CubeDefinition]] = {}
    for cube in cubes:
        grouped.setdefault(cube.dataset, []).append(cube)
    return grouped


# --------------------------------------------------------------------------------------------- the archive


@dataclass(frozen=True)
class _Answer:
    method: str
    params: Mapping[str, Any]
    result: Any
    fetched_at: datetime


def archived_hypercube(
    archive: ResponseArchive, app: str, definition: CubeDefinition, reload: str
) -> HypercubeData | None:
    """``definition``'s hypercube rebuilt from the raw answers archived for ``reload`` by the app at ``app``, or
    None when they are incomplete: no layout, a layout with an error, a page missing, or a hypercube object
    created from another version of the definition."""
    answers = _answers(archive, app, definition.id, reload)
    creates = [answer for answer in answers if answer.method == "CreateSessionObject"]
    wanted = _without_initial_page(hypercube_properties(definition, 1))
    if not creates or any(_without_initial_page(answer.params.get("qProp")) != wanted for answer in creates):
        return None
    layouts = [answer for answer in answers if answer.method == "GetLayout"]
    if len(layouts) != 1:
        return None
    width = definition.width
    pages: dict[int, tuple[int, Any]] = {}  # top -> (height, result): the tallest page archived at each top
    for answer in answers:
        if answer.method != "GetHyperCubeData":
            continue
        asked = _asked_page(answer.params)
        if asked is not None and asked[1] == width and asked[2] > pages.get(asked[0], (0, None))[0]:
            pages[asked[0]] = (asked[2], answer.result)
    try:
        layout = read_layout(layouts[0].result)
        if layout.error_code is not None or layout.column_errors or layout.columns != width:
            return None
        check_titles(definition, layout.dimension_titles, layout.measure_titles)
        data = HypercubeData(definition.id, layout.dimension_titles, layout.measure_titles, synthetic=layout.synthetic)
        for page in sorted(layout.pages, key=lambda p: p.top):
            if page.top == len(data.rows) and page.left == 0 and page.width == width:
                data.add_matrix(page.matrix[: max(0, layout.rows - len(data.rows))])
        while len(data.rows) < layout.rows:
            top = len(data.rows)
            if top not in pages:
                return None
            [page] = read_data_pages(pages[top][1])
            if page.top != top or page.left != 0 or page.width != width or not page.matrix:
                return None
            data.add_matrix(page.matrix[: layout.rows - top])
    except (QlikError, ValueError):
        return None
    return data


def _answers(archive: ResponseArchive, app: str, definition_id: str, reload: str) -> list[_Answer]:
    """The archived answers for one definition and reload: the newest of each request, verified."""
    if not archive.index_path.exists():
        return []
    latest: dict[str, Mapping[str, Any]] = {}
    with archive.index_path.open(encoding="utf-8") as index:
        for line in index:
            try:
                item = json.loads(line)
            except json.JSONDecodeError:
                continue  # a line cut short by a crash while appending
            if isinstance(item, Mapping) and isinstance(item.get("key"), str):
                latest[item["key"]] = item
    answers = []
    for key, item in latest.items():
        if item.get("table_id") != definition_id or item.get("url") != app or item.get("table_updated") != reload:
            continue
        archived = archive.get(key)
        if archived is None or archived.table_updated != reload or not isinstance(archived.request.body, Mapping):
            continue
        body = archived.request.body
        try:
            result = json.loads(archived.body)["result"]
        except (ValueError, KeyError, TypeError):
            continue
        params = body.get("params")
        answers.append(
            _Answer(str(body.get("method")), params if isinstance(params, Mapping) else {}, result, archived.fetched_at)
        )
    return answers


def _without_initial_page(prop: Any) -> Any:
    """``qProp`` without ``qInitialDataFetch``: the initial page's height changes when the engine refuses it."""
    if not isinstance(prop, Mapping) or not isinstance(prop.get("qHyperCubeDef"), Mapping):
        return None
    cube = {name: value for name, value in prop["qHyperCubeDef"].items() if name != "qInitialDataFetch"}
    return {**prop, "qHyperCubeDef": cube}


def _asked_page(params: Mapping[str, Any]) -> tuple[int, int, int] | None:
    """(top, width, height) of a ``GetHyperCubeData`` request for one page from the first column."""
    pages = params.get("qPages")
    if not isinstance(pages, list) or len(pages) != 1 or not isinstance(pages[0], Mapping):
        return None
    numbers: list[int] = []
    for name in ("qTop", "qLeft", "qWidth", "qHeight"):
        number = pages[0].get(name)
        if not isinstance(number, int) or isinstance(number, bool):
            return None
        numbers.append(number)
    top, left, width, height = numbers
    return (top, width, height) if left == 0 else None


# --------------------------------------------------------------------------------------------- the plan


@dataclass(frozen=True)
class HusbankenRefreshPlan:
    """The calls the Husbanken step would make when every dataset has changed and the archive holds nothing: the
    reload check, then one session per fetch group (:func:`fetch_groups`)."""

    url: str
    sessions: tuple[HusbankenPlan, ...]

    @property
    def request_count(self) -> int:
        return len(_CHECK_CALLS) + sum(session.request_count for session in self.sessions)

    @property
    def estimated(self) -> bool:
        return any(call.estimated for session in self.sessions for call in session.calls)

    def describe(self) -> list[str]:
        lines = [f"Husbanken: reload check at {self.url}: 1 x OpenDoc, 1 x GetAppLayout (qLastReloadTime)"]
        for session in self.sessions:
            lines.extend(session.describe())
        about = "about " if self.estimated else ""
        lines.append(
            f"Husbanken: {about}{self.request_count} JSON-RPC calls in {len(self.sessions) + 1} sessions"
            + (" (page counts estimated from the documented sizes)" if self.estimated else "")
        )
        return lines


def plan_husbanken_refresh(source: HusbankenSource) -> HusbankenRefreshPlan:
    """What :func:`refresh_husbanken` would ask (no connection is made)."""
    definitions = source.loaded_definitions()
    sessions = tuple(
        plan_husbanken(
            source.base_url,
            definitions=definitions,
            include_unconfirmed=True,
            only=[cube.id for cube in group],
            page_cells=source.options.page_cells,
        )
        for group, _ in fetch_groups(source.selected(definitions))
    )
    return HusbankenRefreshPlan(app_url(source.base_url, definitions.app.id), sessions)


__all__ = [
    "HUSBANKEN_DIRECTORY",
    "SYNTHETIC",
    "HusbankenRefresh",
    "HusbankenRefreshPlan",
    "HusbankenSource",
    "StagedDataset",
    "app_layout",
    "archived_hypercube",
    "fetch_groups",
    "plan_husbanken_refresh",
    "refresh_husbanken",
    "synthetic_note",
]
