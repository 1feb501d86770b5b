"""Static assets (``/static/…``) served from memory under fingerprinted URLs that browsers keep for a year.

The package's ``static/`` files (the CSS, Designsystemet's vendored CSS, the script, the icon) are read once,
each with a fingerprint (a hash of its bytes) and its gzip form. Templates link them with
:func:`static_url`, ``/static/app.css?v=<fingerprint>``: a new release changes the fingerprint and so the URL,
which is why an answer to the current fingerprint is ``public, max-age=31536000, immutable``. A URL without
it, or with a stale one, gets the current file with ``no-cache``. :class:`StaticAssets`, a plain ASGI
middleware, answers them before the app's routing; other paths under ``/static/`` reach the app (a 404 page).
"""

from __future__ import annotations

import hashlib
import mimetypes
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from urllib.parse import parse_qs

from starlette.types import ASGIApp, Receive, Scope, Send

from boligmonitor.web.http_answers import Answer, accepts_gzip, build_answer

PREFIX = "/static/"
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
FINGERPRINT_LENGTH = 16


@dataclass(frozen=True, slots=True)
class StaticAsset:
    name: str  # path under static/, e.g. "vendor/designsystemet.css"
    fingerprint: str
    content: bytes
    media_type: str


def static_directory() -> Path:
    return Path(str(resources.files("boligmonitor.web").joinpath("static")))


@cache
def static_assets() -> dict[str, StaticAsset]:
    """Every file under the package's static directory by its name there, read once per process."""
    root = static_directory()
    assets = {}
    for path in sorted(root.rglob("*")):
        if not path.is_file():
            continue
        content = path.read_bytes()
        name = path.relative_to(root).as_posix()
        assets[name] = StaticAsset(
            name, hashlib.sha256(content).hexdigest()[:FINGERPRINT_LENGTH], content, _media(path)
        )
    return assets


def static_url(name: str) -> str:
    """The URL of a static file with its fingerprint (``/static/app.css?v=…``); without one if it is missing
    (an unvendored checkout: the browser gets a 404 for it, the page still renders)."""
    asset = static_assets().get(name)
    return f"{PREFIX}{name}" if asset is None else f"{PREFIX}{name}?v={asset.fingerprint}"


def _answer(asset: StaticAsset, cache_control: str, security_headers: Mapping[str, str] | None) -> Answer:
    headers = [(b"content-type", asset.media_type.encode()), (b"cache-control", cache_control.encode())]
    return build_answer(200, headers, asset.content, tagged=True, extra_headers=security_headers)


def _media(path: Path) -> str:
    media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return f"{media_type}; charset=utf-8" if media_type.startswith("text/") else media_type


class StaticAssets:
    """ASGI middleware answering GET and HEAD of the static files from memory (see the module)."""

    def __init__(self, app: ASGIApp, *, security_headers: Mapping[str, str] | None = None) -> None:
        self.app = app
        self._answers: dict[str, tuple[str, Answer, Answer]] = {
            PREFIX + name: (
                asset.fingerprint,
                _answer(asset, IMMUTABLE, security_headers),
                _answer(asset, REVALIDATE, security_headers),
            )
            for name, asset in static_assets().items()
        }

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        found = self._answers.get(scope["path"]) if scope["type"] == "http" else None
        if found is None or scope["method"] not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        fingerprint, immutable, revalidated = found
        query = scope["query_string"]
        current = query == b"v=" + fingerprint.encode() or (
            bool(query) and parse_qs(query.decode("latin-1")).get("v") == [fingerprint]
        )
        gzip_ok = False
        if_none_match = None
        for name, value in scope["headers"]:
            if name == b"accept-encoding":
                gzip_ok = accepts_gzip(value)
            elif name == b"if-none-match":
                if_none_match = value
        answer = immutable if current else revalidated
        await answer.send(send, accepts_gzip=gzip_ok, if_none_match=if_none_match, head=scope["method"] == "HEAD")


__all__ = ["IMMUTABLE", "StaticAsset", "StaticAssets", "static_assets", "static_directory", "static_url"]
