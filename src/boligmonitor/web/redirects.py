"""The one redirect the app makes on its own: between ``/path`` and ``/path/`` when only the other one exists.

Starlette's router does this with an absolute URL built from the request's ``Host`` header, so a request
with a forged host would be sent to that host. This answer is relative (RFC 9110 §10.2.2 allows it): the
path and query as they arrived, with the slash added or removed, and never a network-path reference
(``//host``) that a browser would read as another host.
"""

from __future__ import annotations

from fastapi import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Match


def slash_redirect(request: Request) -> Response | None:
    """A 307 to the same URL with the trailing slash added or removed when a route takes that path; None
    otherwise (the request stays a 404)."""
    scope = request.scope
    path: str = scope["path"]
    raw: bytes = scope.get("raw_path") or path.encode()
    if path == "/" or not path.startswith("/"):
        return None
    other_path = path.rstrip("/") if path.endswith("/") else path + "/"
    other_raw = raw.rstrip(b"/") if raw.endswith(b"/") else raw + b"/"
    if not other_path or other_path.startswith("//") or other_raw.startswith(b"//"):
        return None
    other_scope = {**scope, "path": other_path, "raw_path": other_raw}
    if not any(route.matches(other_scope)[0] is not Match.NONE for route in request.app.router.routes):
        return None
    location = other_raw.decode("latin-1")
    query = scope.get("query_string", b"")
    if query:
        location += "?" + query.decode("latin-1")
    # RedirectResponse percent-encodes what is not already (keeping "%"), so the header is plain ASCII.
    return RedirectResponse(location, status_code=307)


__all__ = ["slash_redirect"]
