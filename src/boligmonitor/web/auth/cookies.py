"""The two cookies of accounts and access, both HttpOnly and SameSite=Lax, Secure with a ``__Host-`` name over
https (then no other site, not even a subdomain, can set them):

- the session cookie holds the random session token and nothing else (``sessions`` in the store has the rest);
- the sign-in cookie, for visitors who are not signed in, holds a random token that their sign-in and invitation
  forms must repeat (CSRF before there is a session) and that an OpenID Connect answer must come back to.

Both names start with ``boligmonitor``, so the page cache renders every request that carries one for that
visitor alone and never stores the answer (:func:`boligmonitor.web.page_cache.has_private_cookie`).
"""

from __future__ import annotations

from typing import Final

from starlette.requests import Request
from starlette.responses import Response

from boligmonitor.web.auth.settings import AuthSettings

SESSION_COOKIE: Final = "boligmonitor_session"
SIGN_IN_COOKIE: Final = "boligmonitor_signin"
SECURE_PREFIX: Final = "__Host-"
SIGN_IN_COOKIE_SECONDS: Final = 60 * 60  # a sign-in form left open for an hour still works


def is_secure(request: Request, settings: AuthSettings) -> bool:
    if settings.secure_cookies is not None:
        return settings.secure_cookies
    return request.url.scheme == "https"


def cookie_name(base: str, secure: bool) -> str:
    return SECURE_PREFIX + base if secure else base


def read_cookie(request: Request, base: str, settings: AuthSettings) -> str | None:
    value = request.cookies.get(cookie_name(base, is_secure(request, settings)))
    return value or None


def set_cookie(
    response: Response, request: Request, settings: AuthSettings, base: str, value: str, *, max_age: int
) -> None:
    secure = is_secure(request, settings)
    response.set_cookie(
        cookie_name(base, secure), value, max_age=max_age, path="/", secure=secure, httponly=True, samesite="lax"
    )


def clear_cookie(response: Response, request: Request, settings: AuthSettings, base: str) -> None:
    secure = is_secure(request, settings)
    response.delete_cookie(cookie_name(base, secure), path="/", secure=secure, httponly=True, samesite="lax")


__all__ = [
    "SESSION_COOKIE",
    "SIGN_IN_COOKIE",
    "clear_cookie",
    "cookie_name",
    "is_secure",
    "read_cookie",
    "set_cookie",
]
