"""Accounts and access in the web layer: the one authorisation check on every route, sessions in cookies, CSRF,
the sign-in, sign-out, invitation, account and audit-log pages, and OpenID Connect sign-in.

    app = create_app(url)
    install_auth(app)                 # settings from the environment (see .settings)

    @router.get("/kommune/{knr}/rapport")
    def report(principal: Annotated[Principal, Depends(require(Action.REPORT_READ, municipality="knr"))]): ...

The policy itself (roles, actions, the permission table) is in :mod:`boligmonitor.store.accounts.roles`;
see docs/accounts.md.
"""

from boligmonitor.store.accounts import Action, Role
from boligmonitor.web.auth.access import (
    CSRF_FIELD,
    CSRF_HEADER,
    AccessDeniedError,
    CsrfRefusedError,
    Principal,
    Requirement,
    SignInRequiredError,
    identify,
    require,
)
from boligmonitor.web.auth.cookies import SESSION_COOKIE, SIGN_IN_COOKIE
from boligmonitor.web.auth.install import install_auth
from boligmonitor.web.auth.settings import AuthSettings, OidcSettings

__all__ = [
    "CSRF_FIELD",
    "CSRF_HEADER",
    "SESSION_COOKIE",
    "SIGN_IN_COOKIE",
    "AccessDeniedError",
    "Action",
    "AuthSettings",
    "CsrfRefusedError",
    "OidcSettings",
    "Principal",
    "Requirement",
    "Role",
    "SignInRequiredError",
    "identify",
    "install_auth",
    "require",
]
