"""How accounts and access behave on one server: session lifetimes, sign-in limits, cookies, OpenID Connect.

Everything has a safe default; OpenID Connect is off unless configured. From the environment
(:meth:`AuthSettings.from_environment`)::

    BOLIGMONITOR_OIDC_ISSUER         https://login.example.no   (the provider's issuer URL; enables OIDC)
    BOLIGMONITOR_OIDC_CLIENT_ID      the client id registered with the provider
    BOLIGMONITOR_OIDC_CLIENT_SECRET  its secret
    BOLIGMONITOR_OIDC_SCOPE          default "openid email"
    BOLIGMONITOR_OIDC_EMAIL_CLAIM    the ID token claim holding the account's e-mail address (default "email")
    BOLIGMONITOR_OIDC_NAME           the provider's name on the sign-in page (default "ID-porten / Entra ID")
    BOLIGMONITOR_OIDC_REDIRECT_URI   the callback URL as the provider knows it (default: built from the request)
    BOLIGMONITOR_SECURE_COOKIES      1 or 0; default: Secure cookies when the request came over https
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from boligmonitor.store.accounts import RateLimits, SessionPolicy

ENVIRONMENT_PREFIX = "BOLIGMONITOR_"


@dataclass(frozen=True, slots=True)
class OidcSettings:
    """One OpenID Connect provider (ID-porten, Entra ID, or any other) with the authorisation code flow + PKCE.

    Signing in through the provider never creates an account: the claim ``email_claim`` of the verified ID token
    must be the e-mail address of an active account an administrator made. Choose a claim the provider vouches
    for within your organisation (Entra ID, single tenant: ``email`` or ``preferred_username``). ID-porten
    identifies people by national identity number, not e-mail: it needs a mapping of its ``pid`` to accounts,
    which is not built yet (docs/accounts.md).
    """

    issuer: str
    client_id: str
    client_secret: str = field(repr=False)
    scope: str = "openid email"
    email_claim: str = "email"
    name: str = "ID-porten / Entra ID"
    redirect_uri: str | None = None

    @property
    def metadata_url(self) -> str:
        return self.issuer.rstrip("/") + "/.well-known/openid-configuration"


@dataclass(frozen=True, slots=True)
class AuthSettings:
    session_policy: SessionPolicy = field(default_factory=SessionPolicy)
    rate_limits: RateLimits = field(default_factory=RateLimits)
    secure_cookies: bool | None = None  # None: Secure (and __Host- cookie names) when the request came over https
    oidc: OidcSettings | None = None

    @classmethod
    def from_environment(cls, environment: Mapping[str, str] | None = None) -> AuthSettings:
        env = os.environ if environment is None else environment

        def setting(name: str) -> str | None:
            value = env.get(ENVIRONMENT_PREFIX + name, "").strip()
            return value or None

        oidc = None
        issuer = setting("OIDC_ISSUER")
        if issuer is not None:
            client_id, client_secret = setting("OIDC_CLIENT_ID"), setting("OIDC_CLIENT_SECRET")
            if client_id is None or client_secret is None:
                raise ValueError(
                    f"{ENVIRONMENT_PREFIX}OIDC_ISSUER is set: {ENVIRONMENT_PREFIX}OIDC_CLIENT_ID and "
                    f"{ENVIRONMENT_PREFIX}OIDC_CLIENT_SECRET are needed too"
                )
            oidc = OidcSettings(
                issuer=issuer,
                client_id=client_id,
                client_secret=client_secret,
                scope=setting("OIDC_SCOPE") or "openid email",
                email_claim=setting("OIDC_EMAIL_CLAIM") or "email",
                name=setting("OIDC_NAME") or "ID-porten / Entra ID",
                redirect_uri=setting("OIDC_REDIRECT_URI"),
            )
        secure = setting("SECURE_COOKIES")
        if secure not in (None, "0", "1"):
            raise ValueError(f"{ENVIRONMENT_PREFIX}SECURE_COOKIES must be 1 or 0, not {secure!r}")
        return cls(secure_cookies=None if secure is None else secure == "1", oidc=oidc)


__all__ = ["AuthSettings", "OidcSettings"]
