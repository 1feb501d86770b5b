"""The one authorisation check: ``require(action, municipality=…)``, a FastAPI dependency on every route.

It finds who is asking (:func:`identify`: the session of the cookie, or nobody), asks the permission table
(:func:`boligmonitor.store.accounts.roles.permits`) whether that role may do the action for the municipality
named by the route's parameter, and on every unsafe method (POST, PUT, PATCH, DELETE) checks the CSRF token.
Refusals are exceptions that :func:`~boligmonitor.web.auth.install.install_auth` turns into answers: nobody signed
in -> the sign-in page (401 under /api/), signed in but not allowed -> 403, a missing or wrong CSRF token -> 403.

    @router.get("/kommune/{knr}/rapport")
    def report(principal: Annotated[Principal, Depends(require(Action.REPORT_READ, municipality="knr"))]): ...
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from boligmonitor.core.regions import RegionLevel, normalise_region_code, region_level
from boligmonitor.store.accounts import Account, AccountStore, Action, ActiveSession, Actor, Holder, Role, permits
from boligmonitor.store.accounts.roles import reaches
from boligmonitor.store.accounts.tokens import new_token, same_secret
from boligmonitor.web.auth.cookies import (
    SESSION_COOKIE,
    SIGN_IN_COOKIE,
    SIGN_IN_COOKIE_SECONDS,
    read_cookie,
    set_cookie,
)
from boligmonitor.web.auth.settings import AuthSettings
from boligmonitor.web.monitor import UnknownPageError

SAFE_METHODS: Final = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_FIELD: Final = "csrf_token"  # the hidden field of every form
CSRF_HEADER: Final = "x-csrf-token"  # or this header, for scripts


@dataclass(frozen=True, slots=True)
class AuthState:
    """What :func:`install_auth` leaves on ``app.state.auth``."""

    accounts: AccountStore
    settings: AuthSettings


def auth_state(request: Request) -> AuthState:
    state = getattr(request.app.state, "auth", None)
    if not isinstance(state, AuthState):
        raise RuntimeError("accounts and access are not installed: call boligmonitor.web.auth.install_auth(app)")
    return state


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is asking: a signed-in account (with her session) or the public (``account`` None)."""

    account: Account | None
    session: ActiveSession | None = field(repr=False)
    session_token: str | None = field(repr=False)
    # The sign-in cookie's token (new if the browser had none): what forms repeat as CSRF token before sign-in,
    # and what an OpenID Connect answer must come back to.
    browser_token: str = field(repr=False)
    browser_token_is_new: bool
    region_areas: frozenset[str]
    client_address: str | None

    @property
    def role(self) -> Role:
        return Role.PUBLIC if self.account is None else self.account.role

    @property
    def holder(self) -> Holder:
        if self.account is None:
            return Holder(Role.PUBLIC)
        return Holder(self.account.role, self.account.municipality_code, self.region_areas)

    @property
    def csrf_token(self) -> str:
        """The token a form of this page must carry (a hidden field named ``csrf_token``)."""
        return self.session.csrf_secret if self.session is not None else self.browser_token

    def may(self, action: Action, municipality: str | None = None) -> bool:
        return permits(self.holder, action, municipality)

    def municipalities(self, action: Action, among: frozenset[str]) -> frozenset[str]:
        """Which of ``among`` this person may do ``action`` for (a list page shows only those)."""
        return reaches(self.holder, action, among)

    def actor(self) -> Actor:
        if self.account is None:
            return Actor.anonymous(self.client_address)
        return Actor.signed_in(self.account.id, self.account.email, self.client_address)

    def keep_browser_token(self, response: Response, request: Request, *, signed_in_too: bool = False) -> None:
        """Set the sign-in cookie on a response that shows a form to a visitor who had none (or, with
        ``signed_in_too``, that starts an OpenID Connect sign-in while signed in)."""
        if self.browser_token_is_new and (self.session is None or signed_in_too):
            set_cookie(
                response,
                request,
                auth_state(request).settings,
                SIGN_IN_COOKIE,
                self.browser_token,
                max_age=SIGN_IN_COOKIE_SECONDS,
            )


class SignInRequiredError(Exception):
    """Nobody is signed in, and the public may not do this."""

    def __init__(self, action: Action) -> None:
        super().__init__(f"sign in to {action}")
        self.action = action


class AccessDeniedError(Exception):
    """Signed in, but her role does not reach this action (for this municipality)."""

    def __init__(self, action: Action, municipality: str | None) -> None:
        where = f" for {municipality}" if municipality else ""
        super().__init__(f"not allowed: {action}{where}")
        self.action = action
        self.municipality = municipality


class CsrfRefusedError(Exception):
    """An unsafe request without this session's (or this browser's) CSRF token, or sent from another site."""


def client_address(request: Request) -> str | None:
    return request.client.host if request.client is not None else None


async def identify(request: Request) -> Principal:
    """Who sent the request: the account of a live session cookie, or the public. Once per request."""
    cached = getattr(request.state, "principal", None)
    if isinstance(cached, Principal):
        return cached
    state = auth_state(request)
    token = read_cookie(request, SESSION_COOKIE, state.settings)
    found, areas = await run_in_threadpool(_session_and_areas, state.accounts, token)
    browser_token = read_cookie(request, SIGN_IN_COOKIE, state.settings)
    principal = Principal(
        account=found.account if found is not None else None,
        session=found,
        session_token=token if found is not None else None,
        browser_token=browser_token or new_token(),
        browser_token_is_new=browser_token is None,
        region_areas=areas,
        client_address=client_address(request),
    )
    request.state.principal = principal
    return principal


def _session_and_areas(accounts: AccountStore, token: str | None) -> tuple[ActiveSession | None, frozenset[str]]:
    found = accounts.session(token) if token else None
    region = found.account.adviser_region if found is not None else None
    return found, accounts.region_areas(region) if region is not None else frozenset()


class Requirement:
    """The dependency :func:`require` returns; the authorisation matrix test finds it on every route."""

    def __init__(self, action: Action, municipality: str | None) -> None:
        self.action = action
        self.municipality_parameter = municipality

    def __repr__(self) -> str:
        where = f", municipality={self.municipality_parameter!r}" if self.municipality_parameter else ""
        return f"require({self.action.value!r}{where})"

    async def __call__(self, request: Request) -> Principal:
        principal = await identify(request)
        municipality = self._municipality(request)
        if not principal.may(self.action, municipality):
            if principal.account is None:
                raise SignInRequiredError(self.action)
            raise AccessDeniedError(self.action, municipality)
        if request.method not in SAFE_METHODS:
            await check_csrf(request, principal)
        return principal

    def _municipality(self, request: Request) -> str | None:
        """The municipality the route is about: its path parameter, else its query parameter, of that name."""
        if self.municipality_parameter is None:
            return None
        raw = request.path_params.get(self.municipality_parameter)
        if raw is None:
            raw = request.query_params.get(self.municipality_parameter)
        if raw is None or raw == "":
            return None
        code = normalise_region_code(str(raw))
        if region_level(code) is not RegionLevel.MUNICIPALITY:
            raise UnknownPageError("region", str(raw))
        return code


def require(action: Action, *, municipality: str | None = None) -> Requirement:
    """The dependency that admits a request only if its sender may do ``action`` — for the municipality in the
    route's path or query parameter named ``municipality``, when given — and, on unsafe methods, only with the
    CSRF token. Returns the :class:`Principal`."""
    return Requirement(action, municipality)


async def check_csrf(request: Request, principal: Principal) -> None:
    """Refuse an unsafe request unless it carries the CSRF token of this session (or, before sign-in, of this
    browser's sign-in cookie) in the form field ``csrf_token`` or the header ``X-CSRF-Token``. A browser that
    says the request comes from another site (``Sec-Fetch-Site: cross-site``) is refused whatever it carries."""
    if request.headers.get("sec-fetch-site") == "cross-site":
        raise CsrfRefusedError("sent from another site")
    given = request.headers.get(CSRF_HEADER)
    if given is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        value = (await request.form()).get(CSRF_FIELD)
        given = value if isinstance(value, str) else None
    expected = principal.csrf_token if principal.session is not None or not principal.browser_token_is_new else None
    if not given or not expected or not same_secret(given, expected):
        raise CsrfRefusedError("missing or wrong CSRF token")


__all__ = [
    "CSRF_FIELD",
    "CSRF_HEADER",
    "SAFE_METHODS",
    "AccessDeniedError",
    "AuthState",
    "CsrfRefusedError",
    "Principal",
    "Requirement",
    "SignInRequiredError",
    "auth_state",
    "check_csrf",
    "client_address",
    "identify",
    "require",
]
