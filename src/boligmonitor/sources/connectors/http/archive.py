"""A raw-response archive on disk: the audit trail of every fetch and the fixture format for tests.

Layout of ``directory`` (``docs/http.md``):

- ``<key>.body`` — the response body, byte-exact as received (after HTTP content decoding);
- ``<key>.json`` — metadata: the request, status, selected headers, body SHA-256 and size, fetch time (UTC),
  the table's ``updated`` stamp and, for a data request, the codelist used per variable (``"none"`` for
  plain codes), because SSB's response does not say which one produced its codes (ssb-api.md §5.1);
- ``index.jsonl`` — one JSON line appended per stored response, so any value can be traced to the response
  (and body hash) it came from, even after a later refetch replaced the files of the same key.

``<key>`` is :func:`request_key`, a SHA-256 of the canonical request. Files are written to a temporary file
and renamed, so a crash leaves either the old file or the new one. Entries whose body is missing or does not
match its recorded hash are skipped and reported in :attr:`ResponseArchive.warnings`, never returned.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

ARCHIVE_FORMAT = 1
INDEX_NAME = "index.jsonl"

# Only these headers are kept: enough to judge the response, nothing that identifies the client.
_KEPT_HEADERS = frozenset({"content-type", "date", "etag", "last-modified"})
_KEPT_HEADER_PREFIX = "x-ratelimit-"
_KEY_PATTERN = re.compile(r"^[0-9a-f]{64}$")
# PxWebApi v2 ``/tables/12134/...`` and legacy v0 ``/table/07221``.
_TABLE_IN_URL = re.compile(r"/tables?/([A-Za-z0-9_]+)(?:/|$|\?)")
_CODELIST_PARAM = re.compile(r"^codelist\[(.+)\]$", re.IGNORECASE)
NO_CODELIST = "none"

ParamValue = str | int | float | bool | None
Params = Mapping[str, ParamValue | Sequence[ParamValue]]


def canonical_params(params: Params | None) -> dict[str, list[str]]:
    """Query parameters as they go on the wire: every value a list of strings, in the order given.

    ``{"a": "1"}``, ``{"a": ["1"]}`` and ``{"a": 1}`` all send ``a=1`` and so are the same request.
    """
    canonical: dict[str, list[str]] = {}
    for name, value in (params or {}).items():
        values = list(value) if isinstance(value, (list, tuple)) else [value]
        canonical[str(name)] = [_param_text(v) for v in values]
    return canonical


def _param_text(value: object) -> str:
    # Mirrors httpx's rendering of query values.
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return ""
    return str(value)


def request_key(method: str, url: str, params: Params | None, body: Any) -> str:
    """SHA-256 (hex) of a canonical JSON of the request; independent of dict ordering in params and body."""
    canonical = {
        "method": method.upper(),
        "url": url,
        "params": canonical_params(params),
        "body": body,
    }
    text = json.dumps(canonical, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def table_id_from_url(url: str) -> str | None:
    """The statbank table id in a PxWebApi URL (``.../tables/12134/data`` → ``"12134"``), if any."""
    match = _TABLE_IN_URL.search(url)
    return match.group(1) if match else None


def request_codelists(request: ArchivedRequest) -> dict[str, str]:
    """Variable -> codelist a data request selected its codes from (``"none"``: the table's own codes).

    Read from a v2 POST body (``{"selection": [{"variableCode", "valueCodes", "codelist"}]}``; the member's
    spelling is unconfirmed, so ``codeList`` is read too), GET parameters ``codelist[VAR]`` with
    ``valueCodes[VAR]``, or a v0 query (``"filter": "agg:KommSummer"`` / ``"vs:..."``). Empty when the
    request selects nothing (metadata, search, KLASS).
    """
    found: dict[str, str] = {}
    body = request.body
    if isinstance(body, Mapping) and isinstance(body.get("selection"), list):
        for item in body["selection"]:
            if isinstance(item, Mapping) and "variableCode" in item:
                chosen = item.get("codelist") or item.get("codeList")
                found[str(item["variableCode"])] = str(chosen) if chosen else NO_CODELIST
    elif isinstance(body, Mapping) and isinstance(body.get("query"), list):
        for item in body["query"]:
            if isinstance(item, Mapping) and "code" in item:
                selection = item.get("selection")
                kind = str(selection.get("filter", "")) if isinstance(selection, Mapping) else ""
                prefix, _, name = kind.partition(":")
                found[str(item["code"])] = kind if prefix in ("agg", "vs") and name else NO_CODELIST
    else:
        for name, values in request.params.items():
            match = _CODELIST_PARAM.match(name)
            if match and values:
                found[match.group(1)] = values[0]
        for name in request.params:
            if name.lower().startswith("valuecodes["):
                found.setdefault(name[len("valuecodes[") : -1], NO_CODELIST)
    return found


def kept_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """The headers worth archiving, names lower-cased."""
    kept: dict[str, str] = {}
    for name, value in headers.items():
        lowered = name.lower()
        if lowered in _KEPT_HEADERS or lowered.startswith(_KEPT_HEADER_PREFIX):
            kept[lowered] = value
    return kept


@dataclass(frozen=True)
class ArchivedRequest:
    """What was asked: method, URL without query string, query parameters and JSON body (for POST)."""

    method: str
    url: str
    params: dict[str, list[str]] = field(default_factory=dict)
    body: Any = None

    @classmethod
    def of(cls, method: str, url: str, params: Params | None = None, body: Any = None) -> ArchivedRequest:
        return cls(method=method.upper(), url=url, params=canonical_params(params), body=body)

    @property
    def key(self) -> str:
        return request_key(self.method, self.url, self.params, self.body)

    def to_json(self) -> dict[str, Any]:
        return {"method": self.method, "url": self.url, "params": self.params, "body": self.body}


@dataclass(frozen=True)
class ArchivedResponse:
    """One archived response; ``body`` is byte-exact and verified against ``body_sha256``."""

    key: str
    request: ArchivedRequest
    status: int
    headers: dict[str, str]
    body: bytes
    body_sha256: str
    fetched_at: datetime
    table_id: str | None
    table_updated: str | None
    codelists: dict[str, str] = field(default_factory=dict)  # see request_codelists()

    def json(self) -> Any:
        return json.loads(self.body)


class ResponseArchive:
    """Stores and reads raw responses under ``directory`` (created if missing)."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.warnings: list[str] = []

    @property
    def index_path(self) -> Path:
        return self.directory / INDEX_NAME

    def store(
        self,
        key: str,
        request: ArchivedRequest,
        status: int,
        headers: Mapping[str, str],
        body: bytes,
        fetched_at: datetime,
        table_updated: str | None,
        *,
        table_id: str | None = None,
    ) -> ArchivedResponse:
        """Write body and metadata atomically and append a line to the index.

        ``fetched_at`` must be timezone-aware and is stored in UTC. ``table_id`` defaults to the id found in
        the request URL.
        """
        self._check_key(key)
        if fetched_at.utcoffset() is None:
            raise ValueError("fetched_at must be timezone-aware (UTC)")
        if fetched_at.utcoffset() != timedelta(0):
            raise ValueError(f"fetched_at must be in UTC, got offset {fetched_at.utcoffset()}")
        digest = hashlib.sha256(body).hexdigest()
        table = table_id if table_id is not None else table_id_from_url(request.url)
        archived = ArchivedResponse(
            key=key,
            request=request,
            status=status,
            headers=kept_headers(headers),
            body=bytes(body),
            body_sha256=digest,
            fetched_at=fetched_at,
            table_id=table,
            table_updated=table_updated,
            codelists=request_codelists(request),
        )
        metadata = {
            "format": ARCHIVE_FORMAT,
            "key": key,
            "request": request.to_json(),
            "status": status,
            "headers": archived.headers,
            "body_sha256": digest,
            "body_bytes": len(body),
            "fetched_at": fetched_at.isoformat(),
            "table_id": table,
            "table_updated": table_updated,
            "codelists": archived.codelists,
        }
        # Every body is also kept immutably under its SHA-256, so an older fetch of the same request (before
        # SSB published again) can still be read by the hash the index recorded for it.
        blob = self._blob_path(digest)
        if not blob.exists():
            blob.parent.mkdir(exist_ok=True)
            self._write_atomic(blob, bytes(body))
        # Body first: metadata without a body is detected as partial, a body without metadata is invisible.
        self._write_atomic(self._body_path(key), bytes(body))
        self._write_atomic(self._meta_path(key), _dump(metadata).encode("utf-8"))
        index_line = {k: metadata[k] for k in ("key", "status", "body_sha256", "fetched_at", "table_id")}
        index_line.update(method=request.method, url=request.url, table_updated=table_updated)
        if archived.codelists:
            index_line["codelists"] = archived.codelists
        with self.index_path.open("a", encoding="utf-8") as index:
            index.write(json.dumps(index_line, sort_keys=True, ensure_ascii=False) + "\n")
            index.flush()
            os.fsync(index.fileno())
        return archived

    def get(self, key: str) -> ArchivedResponse | None:
        """The verified response stored under ``key``, or ``None`` if absent or corrupt (see :attr:`warnings`)."""
        self._check_key(key)
        meta_path = self._meta_path(key)
        if not meta_path.exists():
            return None
        return self._load(meta_path)

    def body_by_hash(self, body_sha256: str) -> bytes | None:
        """The bytes of any body ever archived, by the SHA-256 the index recorded; None if absent or corrupt."""
        if not _KEY_PATTERN.match(body_sha256):
            raise ValueError(f"a body hash is 64 lower-case hex digits, got {body_sha256!r}")
        path = self._blob_path(body_sha256)
        if not path.exists():
            return None
        body = path.read_bytes()
        if hashlib.sha256(body).hexdigest() != body_sha256:
            self._skipped(body_sha256, "stored body does not match its SHA-256")
            return None
        return body

    def history(self, key: str) -> list[dict[str, Any]]:
        """Every fetch of the request ``key`` in the order they happened (from the index)."""
        self._check_key(key)
        if not self.index_path.exists():
            return []
        lines = self.index_path.read_text(encoding="utf-8").splitlines()
        return [entry for line in lines if line.strip() and (entry := json.loads(line)).get("key") == key]

    def entries(self) -> Iterator[ArchivedResponse]:
        """Every verified response, ordered by key. Corrupt entries are skipped with a warning."""
        for meta_path in sorted(self.directory.glob("*.json")):
            if not _KEY_PATTERN.match(meta_path.stem):
                continue
            loaded = self._load(meta_path)
            if loaded is not None:
                yield loaded

    def latest_for_table(self, table_id: str) -> ArchivedResponse | None:
        """The most recently fetched verified response for ``table_id``, or ``None``."""
        latest: ArchivedResponse | None = None
        for entry in self.entries():
            if entry.table_id == table_id and (latest is None or entry.fetched_at > latest.fetched_at):
                latest = entry
        return latest

    def _load(self, meta_path: Path) -> ArchivedResponse | None:
        key = meta_path.stem
        try:
            metadata = json.loads(meta_path.read_text(encoding="utf-8"))
            if metadata.get("format") != ARCHIVE_FORMAT:
                return self._skipped(key, f"unknown archive format {metadata.get('format')!r}")
            if metadata["key"] != key:
                return self._skipped(key, f"metadata names key {metadata['key']!r}")
            raw_request = metadata["request"]
            request = ArchivedRequest(
                method=str(raw_request["method"]),
                url=str(raw_request["url"]),
                params={str(k): [str(v) for v in vs] for k, vs in raw_request["params"].items()},
                body=raw_request["body"],
            )
            fetched_at = datetime.fromisoformat(metadata["fetched_at"])
            status = int(metadata["status"])
            headers = {str(k): str(v) for k, v in metadata["headers"].items()}
            expected_hash = str(metadata["body_sha256"])
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
            return self._skipped(key, f"unreadable metadata ({error.__class__.__name__}: {error})")
        body_path = self._body_path(key)
        try:
            body = body_path.read_bytes()
        except FileNotFoundError:
            return self._skipped(key, "metadata without body")
        except OSError as error:
            return self._skipped(key, f"unreadable body ({error})")
        if hashlib.sha256(body).hexdigest() != expected_hash:
            return self._skipped(key, "body does not match its recorded SHA-256")
        return ArchivedResponse(
            key=key,
            request=request,
            status=status,
            headers=headers,
            body=body,
            body_sha256=expected_hash,
            fetched_at=fetched_at,
            table_id=metadata.get("table_id"),
            table_updated=metadata.get("table_updated"),
            codelists={str(k): str(v) for k, v in (metadata.get("codelists") or {}).items()},
        )

    def _skipped(self, key: str, problem: str) -> ArchivedResponse | None:
        """Record why an entry is skipped; returns ``None`` so callers can ``return self._skipped(...)``."""
        message = f"{self.directory / key}: skipped archive entry: {problem}"
        if message not in self.warnings:
            self.warnings.append(message)
            logger.warning(message)
        return None

    def _blob_path(self, body_sha256: str) -> Path:
        return self.directory / "bodies" / f"{body_sha256}.body"

    def _check_key(self, key: str) -> None:
        # Keys become file names: refuse anything but a SHA-256 so no path can escape the directory.
        if not _KEY_PATTERN.match(key):
            raise ValueError(f"archive key must be 64 lower-case hex digits, got {key!r}")

    def _body_path(self, key: str) -> Path:
        return self.directory / f"{key}.body"

    def _meta_path(self, key: str) -> Path:
        return self.directory / f"{key}.json"

    def _write_atomic(self, target: Path, data: bytes) -> None:
        handle, temp_name = tempfile.mkstemp(dir=self.directory, prefix=f".{target.name}.", suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as temp:
                temp.write(data)
                temp.flush()
                os.fsync(temp.fileno())
            os.replace(temp_name, target)
        except BaseException:
            Path(temp_name).unlink(missing_ok=True)
            raise


def _dump(metadata: Mapping[str, Any]) -> str:
    return json.dumps(metadata, sort_keys=True, indent=1, ensure_ascii=False) + "\n"
