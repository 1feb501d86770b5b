"""Finished HTTP answers, encoded once and sent by plain ASGI: what the page cache and the static assets share.

An :class:`Answer` holds a response's body as identity and, when it is worth it, gzip-compressed, each with
its header list already encoded for ASGI and a strong ETag (a hash of the bytes as sent), so sending it is
two ``send`` calls: no Starlette request or response objects, no compression, no hashing per request.
"""

from __future__ import annotations

import gzip
import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

from starlette.types import Send

GZIP_MINIMUM_BYTES = 1000  # smaller bodies gain little and cost a header
GZIP_LEVEL = 6  # level 9 costs ~5x the time on the large indicator page for 2 % smaller output

Headers = list[tuple[bytes, bytes]]

# Headers the answer sets itself from its body: the ones a response arrives with are dropped.
_OWN_HEADERS = frozenset({b"content-length", b"content-encoding", b"etag", b"vary", b"transfer-encoding"})
# Headers a 304 repeats from the 200 it stands for (RFC 9110 §15.4.5), besides the security headers.
_NOT_MODIFIED_HEADERS = frozenset({b"cache-control", b"etag", b"vary", b"expires", b"content-location"})


@dataclass(frozen=True, slots=True)
class Representation:
    """One encoding of an answer's body, with its headers and its strong ETag (None: untagged)."""

    body: bytes
    headers: Headers
    etag: bytes | None
    not_modified_headers: Headers


@dataclass(frozen=True, slots=True)
class Answer:
    status: int
    identity: Representation
    gzipped: Representation | None

    @property
    def size(self) -> int:
        """Bytes held, for the cache's memory bound (bodies dominate; headers are counted roughly)."""
        size = len(self.identity.body) + 64 * len(self.identity.headers)
        if self.gzipped is not None:
            size += len(self.gzipped.body) + 64 * len(self.gzipped.headers)
        return size

    def representation(self, accepts_gzip: bool) -> Representation:
        return self.gzipped if accepts_gzip and self.gzipped is not None else self.identity

    def matching(self, if_none_match: bytes | None, accepts_gzip: bool) -> Representation | None:
        """The representation an If-None-Match header names (weak comparison, RFC 9110 §13.1.2), if any:
        the one this request would get, else the other encoding of the same body, which the client holds."""
        if not if_none_match or self.status != 200:
            return None
        wanted = {tag.strip().removeprefix(b"W/") for tag in if_none_match.split(b",")}
        chosen = self.representation(accepts_gzip)
        if chosen.etag is not None and (b"*" in wanted or chosen.etag in wanted):
            return chosen
        for other in (self.identity, self.gzipped):
            if other is not None and other.etag is not None and other.etag in wanted:
                return other
        return None

    async def send(self, send: Send, *, accepts_gzip: bool, if_none_match: bytes | None, head: bool) -> None:
        matched = self.matching(if_none_match, accepts_gzip)
        if matched is not None:
            await send({"type": "http.response.start", "status": 304, "headers": matched.not_modified_headers})
            await send({"type": "http.response.body", "body": b""})
            return
        representation = self.representation(accepts_gzip)
        await send({"type": "http.response.start", "status": self.status, "headers": representation.headers})
        await send({"type": "http.response.body", "body": b"" if head else representation.body})


def build_answer(
    status: int,
    headers: Iterable[tuple[bytes, bytes]],
    body: bytes,
    *,
    tagged: bool,
    extra_headers: Mapping[str, str] | None = None,
) -> Answer:
    """An answer from a response's status, headers and identity body: gzip beside it when the body is large
    enough and compresses, ``Vary: Accept-Encoding``, a strong ETag per representation when ``tagged``, and
    ``extra_headers`` (the security headers) where the response lacks them; a 304 repeats those too.

    CPU-bound (compression, hashing): call it in a worker thread for anything large."""
    headers = [(name.lower(), value) for name, value in headers]
    encoding = next((value for name, value in headers if name == b"content-encoding"), None)
    kept = [(name, value) for name, value in headers if name not in _OWN_HEADERS]
    present = {name for name, _ in kept}
    extra = [(name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in (extra_headers or {}).items()]
    kept += [(name, value) for name, value in extra if name not in present]
    repeated = _NOT_MODIFIED_HEADERS | {name for name, _ in extra}
    identity = _representation(body, kept, encoding, tagged, repeated)
    gzipped = None
    if encoding is None and len(body) >= GZIP_MINIMUM_BYTES:
        compressed = gzip.compress(body, compresslevel=GZIP_LEVEL, mtime=0)
        if len(compressed) < len(body):
            gzipped = _representation(compressed, kept, b"gzip", tagged, repeated)
    return Answer(status, identity, gzipped)


def _representation(
    body: bytes, headers: Headers, encoding: bytes | None, tagged: bool, repeated: frozenset[bytes]
) -> Representation:
    etag = b'"' + hashlib.sha256(body).hexdigest()[:32].encode() + b'"' if tagged else None
    full = [*headers, (b"content-length", str(len(body)).encode()), (b"vary", b"Accept-Encoding")]
    if encoding is not None:
        full.append((b"content-encoding", encoding))
    if etag is not None:
        full.append((b"etag", etag))
    return Representation(body, full, etag, [(name, value) for name, value in full if name in repeated])


@lru_cache(maxsize=256)  # browsers send a handful of distinct headers; parsing each request costs µs
def accepts_gzip(accept_encoding: bytes) -> bool:
    """Whether an Accept-Encoding header allows gzip (``gzip``, ``x-gzip`` or ``*`` with a q above 0)."""
    star = False
    for item in accept_encoding.lower().split(b","):
        coding, _, parameters = item.partition(b";")
        coding = coding.strip()
        allowed = _quality(parameters) > 0
        if coding in (b"gzip", b"x-gzip"):
            return allowed
        if coding == b"*":
            star = allowed
    return star


def _quality(parameters: bytes) -> float:
    for parameter in parameters.split(b";"):
        name, _, value = parameter.partition(b"=")
        if name.strip() == b"q":
            try:
                return float(value.strip())
            except ValueError:
                return 0.0
    return 1.0


__all__ = ["GZIP_LEVEL", "GZIP_MINIMUM_BYTES", "Answer", "Headers", "Representation", "accepts_gzip", "build_answer"]
