"""The fake engine's answers, without sockets: one :class:`FakeApp` (shared state) and one :class:`FakeSession`
per WebSocket, which turns a JSON-RPC call into the answer Qlik's Engine API gives (husbanken-qlik.md §2, §3).

Shapes follow what the two public clients read and what the recorded response shows: ``OpenDoc`` →
``qReturn.qHandle``; ``GetAppLayout`` → ``qLayout.qLastReloadTime``; ``CreateSessionObject`` → ``qReturn.qHandle``;
``GetLayout`` → ``qLayout.qHyperCube`` (with ``qError.qErrorCode`` 7009 and no pages when the initial fetch exceeds
``max_page_cells``); ``GetHyperCubeData`` → ``qDataPages`` (a JSON-RPC error 7009 for an oversized page [I]).
Error codes other than 7009 are this fake's own choice, not Qlik's documented ones.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from boligmonitor.sources.connectors.husbanken.definitions import CubeDefinition, Definitions
from tests.fakeqlik.hypercubes import (
    RECORDED_DEFINITION,
    HypercubeSource,
    RecordedHypercube,
    SyntheticDomains,
    SyntheticHypercube,
)

DEFAULT_RELOAD_TIME = "2026-10-02T05:33:12.345Z"
FAKE_TITLE = "Statistikkbank (SYNTHETIC: boligmonitor's fake Qlik engine, tests/fakeqlik)"
MAX_PAGE_CELLS = 10_000  # Qlik's cap on one page [I]
TOO_LARGE = 7009
UNKNOWN_COLUMN = 7005  # this fake's code for a field or expression no definition uses
APP_NOT_FOUND = 1002
METHOD_NOT_FOUND = -32601
INVALID_PARAMS = -32602
PARSE_ERROR = -32700
DOC_HANDLE = 1
SYNTHETIC_MARKER = "boligmonitorSynthetic"
_POSITIONAL = {
    "OpenDoc": ("qDocName",),
    "CreateSessionObject": ("qProp",),
    "GetHyperCubeData": ("qPath", "qPages"),
    "DestroySessionObject": ("qId",),
}


def signature_of(definition: CubeDefinition) -> tuple[tuple[str, ...], tuple[tuple[str, str], ...]]:
    return tuple(f.field for f in definition.fields), tuple((m.expression, m.label) for m in definition.measures)


@dataclass
class FakeApp:
    """What every session of the fake shares: the app, its definitions and hypercube sources, the reload time."""

    definitions: Definitions
    recorded: RecordedHypercube | None
    domains: SyntheticDomains
    seed: int = 0
    reload_time: str = DEFAULT_RELOAD_TIME
    title: str = FAKE_TITLE
    max_page_cells: int = MAX_PAGE_CELLS
    must_authenticate: bool = False  # True: the app is not open to anonymous users (as /public is, §1)
    _sources: dict[str, HypercubeSource] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def app_id(self) -> str:
        return self.definitions.app.id

    def definition_for(self, prop: Mapping[str, Any]) -> CubeDefinition | None:
        wanted = _signature_of_prop(prop)
        return next((d for d in self.definitions.cubes if signature_of(d) == wanted), None)

    def source_for(self, definition: CubeDefinition) -> HypercubeSource:
        with self._lock:
            source = self._sources.get(definition.id)
            if source is None:
                if definition.id == RECORDED_DEFINITION and self.recorded is not None:
                    source = self.recorded
                else:
                    dataset = self.definitions.dataset(definition.dataset)
                    source = SyntheticHypercube(definition, dataset, self.domains, self.seed)
                self._sources[definition.id] = source
            return source

    def known_fields(self) -> set[str]:
        return {f.field for d in self.definitions.cubes for f in d.fields}

    def known_expressions(self) -> set[str]:
        return {m.expression for d in self.definitions.cubes for m in d.measures}


def _signature_of_prop(prop: Mapping[str, Any]) -> tuple[tuple[str, ...], tuple[tuple[str, str], ...]]:
    cube = prop.get("qHyperCubeDef", {})
    fields = tuple(str(d.get("qDef", {}).get("qFieldDefs", [""])[0]) for d in cube.get("qDimensions", []))
    measures = tuple(
        (str(m.get("qDef", {}).get("qDef", "")), str(m.get("qDef", {}).get("qLabel", "")))
        for m in cube.get("qMeasures", [])
    )
    return fields, measures


@dataclass
class _Object:
    handle: int
    qid: str
    qtype: str
    prop: Mapping[str, Any]
    definition: CubeDefinition | None


class CallError(Exception):
    def __init__(self, code: int, message: str, parameter: str = "") -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.parameter = parameter


class FakeSession:
    """One WebSocket's state: the open document and the session objects."""

    def __init__(self, app: FakeApp) -> None:
        self.app = app
        self.doc_open = False
        self.objects: dict[int, _Object] = {}
        self._next_handle = DOC_HANDLE + 1

    def greetings(self) -> list[str]:
        """The id-less messages the engine pushes on connect (§2 step 1)."""
        return [
            _dump(
                {
                    "jsonrpc": "2.0",
                    "method": "OnAuthenticationInformation",
                    "params": {
                        "userId": "anonymous",
                        "userDirectory": "FAKE",
                        "mustAuthenticate": self.app.must_authenticate,
                    },
                }
            ),
            _dump({"jsonrpc": "2.0", "method": "OnConnected", "params": {"qSessionState": "SESSION_CREATED"}}),
        ]

    def answer(self, call: Mapping[str, Any], *, too_large: bool = False) -> str:
        """The text of the answer to ``call``; ``too_large`` forces error 7009 on a layout or page (a seeded fault;
        other calls are answered as usual)."""
        request_id = call.get("id")
        method = str(call.get("method", ""))
        try:
            params = _named(method, call.get("params", {}))
            handle = call.get("handle", -1)
            if not isinstance(handle, int):
                raise CallError(INVALID_PARAMS, "handle is not an integer")
            if too_large and method == "GetLayout":
                return _reply(request_id, self._get_layout(handle, force_error=TOO_LARGE))
            if too_large and method == "GetHyperCubeData":
                raise CallError(TOO_LARGE, "Calculation too large (SYNTHETIC fault)")
            if method == "GetLayout" and handle in self.objects:
                recorded = self._recorded_layout_bytes(self.objects[handle])
                if recorded is not None:
                    return '{"jsonrpc":"2.0","id":' + json.dumps(request_id) + ',"result":' + recorded + "}"
            return _reply(request_id, self._dispatch(method, handle, params))
        except CallError as error:
            body = {"code": error.code, "parameter": error.parameter, "message": error.message}
            return _dump({"jsonrpc": "2.0", "id": request_id, "error": body})

    def _dispatch(self, method: str, handle: int, params: Mapping[str, Any]) -> dict[str, Any]:
        if method == "OpenDoc":
            return self._open_doc(handle, params)
        if method == "GetAppLayout":
            self._need_doc(handle)
            return {"qLayout": self._app_layout()}
        if method == "CreateSessionObject":
            self._need_doc(handle)
            return self._create(params)
        if method == "GetLayout":
            return self._get_layout(handle)
        if method == "GetHyperCubeData":
            return self._data(handle, params)
        if method == "DestroySessionObject":
            self._need_doc(handle)
            return self._destroy(params)
        raise CallError(METHOD_NOT_FOUND, f"Method not found: {method}")

    def _need_doc(self, handle: int) -> None:
        if not self.doc_open or handle != DOC_HANDLE:
            raise CallError(INVALID_PARAMS, f"no document with handle {handle}")

    def _open_doc(self, handle: int, params: Mapping[str, Any]) -> dict[str, Any]:
        name = str(params.get("qDocName", ""))
        if handle != -1:
            raise CallError(INVALID_PARAMS, "OpenDoc is a call on the global handle -1")
        if name != self.app.app_id:
            raise CallError(APP_NOT_FOUND, "App not found", name)
        self.doc_open = True
        return {"qReturn": {"qType": "Doc", "qHandle": DOC_HANDLE, "qGenericId": name}}

    def _app_layout(self) -> dict[str, Any]:
        return {
            "qTitle": self.app.title,
            "qFileName": self.app.app_id,
            "qLastReloadTime": self.app.reload_time,
            "qModified": False,
            "qHasScript": True,
            "qHasData": True,
            "qReadOnly": True,
            "qIsOpenedWithoutData": False,
            "qStateNames": [],
            "qMeta": {},
        }

    def _create(self, params: Mapping[str, Any]) -> dict[str, Any]:
        prop = params.get("qProp")
        if not isinstance(prop, Mapping) or not isinstance(prop.get("qHyperCubeDef"), Mapping):
            raise CallError(INVALID_PARAMS, "qProp.qHyperCubeDef is missing")
        info = prop.get("qInfo", {})
        qtype = str(info.get("qType", "")) if isinstance(info, Mapping) else ""
        qid = str(info.get("qId") or f"fake-object-{self._next_handle}") if isinstance(info, Mapping) else ""
        if not qtype:
            raise CallError(INVALID_PARAMS, "qProp.qInfo.qType is missing")
        if any(o.qid == qid for o in self.objects.values()):
            raise CallError(INVALID_PARAMS, f"an object with qId {qid!r} exists in this session", qid)
        handle = self._next_handle
        self._next_handle += 1
        self.objects[handle] = _Object(handle, qid, qtype, prop, self.app.definition_for(prop))
        return {"qReturn": {"qType": "GenericObject", "qHandle": handle, "qGenericType": qtype, "qGenericId": qid}}

    def _destroy(self, params: Mapping[str, Any]) -> dict[str, Any]:
        qid = str(params.get("qId", ""))
        for handle, item in list(self.objects.items()):
            if item.qid == qid:
                del self.objects[handle]
                return {"qSuccess": True}
        return {"qSuccess": False}

    def _object(self, handle: int) -> _Object:
        item = self.objects.get(handle)
        if item is None:
            raise CallError(INVALID_PARAMS, f"no object with handle {handle}")
        return item

    def _initial_fetch(self, item: _Object) -> list[Mapping[str, Any]]:
        fetch = item.prop["qHyperCubeDef"].get("qInitialDataFetch", [])
        return [page for page in fetch if isinstance(page, Mapping)]

    def _recorded_layout_bytes(self, item: _Object) -> str | None:
        """The fixture's bytes, when the object is the recorded definition and its initial fetch covers them."""
        recorded = self.app.recorded
        if item.definition is None or item.definition.id != RECORDED_DEFINITION or recorded is None:
            return None
        pages = self._initial_fetch(item)
        if len(pages) != 1:
            return None
        page = pages[0]
        area = [int(page.get(key, 0)) for key in ("qTop", "qLeft", "qWidth", "qHeight")]
        if area[2] * area[3] > self.app.max_page_cells or not recorded.replays_whole(*area):
            return None
        return recorded.body.decode("utf-8")

    def _get_layout(self, handle: int, force_error: int | None = None) -> dict[str, Any]:
        item = self._object(handle)
        cube: dict[str, Any]
        if item.definition is None:
            cube = self._unknown_cube(item)
            return {"qLayout": {"qInfo": {"qId": item.qid, "qType": item.qtype}, "qHyperCube": cube}}
        source = self.app.source_for(item.definition)
        width = item.definition.width
        cube = {
            "qSize": {"qcx": width, "qcy": source.rows},
            "qDimensionInfo": [{"qFallbackTitle": t, "qCardinal": 0} for t in source.dimension_titles()],
            "qMeasureInfo": [{"qFallbackTitle": t} for t in source.measure_titles()],
            "qMode": "S",
            "qDataPages": [],
        }
        pages = self._initial_fetch(item)
        too_big = any(int(p.get("qWidth", 0)) * int(p.get("qHeight", 0)) > self.app.max_page_cells for p in pages)
        if force_error is not None or too_big:
            cube["qError"] = {"qErrorCode": force_error or TOO_LARGE}
        else:
            cube["qDataPages"] = [self._page(source, width, page) for page in pages]
        layout: dict[str, Any] = {"qInfo": {"qId": item.qid, "qType": item.qtype}, "qHyperCube": cube}
        if source.synthetic:
            layout[SYNTHETIC_MARKER] = source.synthetic
        return {"qLayout": layout}

    def _unknown_cube(self, item: _Object) -> dict[str, Any]:
        """A hypercube no definition asks for: Qlik computes it; here every unknown name gets a column error."""
        cube = item.prop["qHyperCubeDef"]
        fields, measures = _signature_of_prop(item.prop)
        known_fields, known_expressions = self.app.known_fields(), self.app.known_expressions()

        def info(title: str, known: bool) -> dict[str, Any]:
            return {"qFallbackTitle": title} | ({} if known else {"qError": {"qErrorCode": UNKNOWN_COLUMN}})

        return {
            "qSize": {"qcx": len(fields) + len(measures), "qcy": 0},
            "qDimensionInfo": [info(f, f in known_fields) for f in fields],
            "qMeasureInfo": [info(label or expr, expr in known_expressions) for expr, label in measures],
            "qDataPages": [],
            "qMode": str(cube.get("qMode", "S")),
        }

    def _data(self, handle: int, params: Mapping[str, Any]) -> dict[str, Any]:
        item = self._object(handle)
        if params.get("qPath") != "/qHyperCubeDef":
            raise CallError(INVALID_PARAMS, f"unknown qPath {params.get('qPath')!r}", str(params.get("qPath")))
        pages = params.get("qPages")
        if not isinstance(pages, list) or not pages:
            raise CallError(INVALID_PARAMS, "qPages is not a list of pages")
        if item.definition is None:
            return {"qDataPages": []}
        source = self.app.source_for(item.definition)
        for page in pages:
            if int(page.get("qWidth", 0)) * int(page.get("qHeight", 0)) > self.app.max_page_cells:
                raise CallError(TOO_LARGE, "Calculation too large: the page exceeds the cell limit")
        return {"qDataPages": [self._page(source, item.definition.width, page) for page in pages]}

    @staticmethod
    def _page(source: HypercubeSource, width: int, page: Mapping[str, Any]) -> dict[str, Any]:
        top, left = int(page.get("qTop", 0)), int(page.get("qLeft", 0))
        asked_width, height = int(page.get("qWidth", 0)), int(page.get("qHeight", 0))
        right = min(width, left + asked_width)
        rows = [row[left:right] for row in source.cells(top, max(0, height))]
        return {
            "qMatrix": rows,
            "qTails": [{"qAbove": 0, "qBelow": 0}],
            "qArea": {"qLeft": left, "qTop": top, "qWidth": max(0, right - left), "qHeight": len(rows)},
        }


def _named(method: str, params: Any) -> Mapping[str, Any]:
    """Qlik accepts parameters by name (atlas) or by position (Torcode); the fake accepts both."""
    if isinstance(params, Mapping):
        return params
    if isinstance(params, Sequence) and not isinstance(params, str):
        return dict(zip(_POSITIONAL.get(method, ()), params, strict=False))
    raise CallError(INVALID_PARAMS, "params must be an object or a list")


def _reply(request_id: Any, result: Mapping[str, Any]) -> str:
    return _dump({"jsonrpc": "2.0", "id": request_id, "result": result})


def _dump(message: Mapping[str, Any]) -> str:
    return json.dumps(message, ensure_ascii=False, separators=(",", ":"))


def parse_call(text: str | bytes) -> Mapping[str, Any] | None:
    """The JSON-RPC call in ``text``, or None when it is not a JSON object."""
    try:
        call = json.loads(text)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
    return call if isinstance(call, Mapping) else None


def parse_error(text: str | bytes) -> str:
    del text
    return _dump({"jsonrpc": "2.0", "id": None, "error": {"code": PARSE_ERROR, "message": "Parse error"}})
