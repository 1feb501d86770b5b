"""OpenID Connect sign-in (ID-porten, Entra ID, …) as configuration: authlib's client, code flow with PKCE.

The client discovers the provider from its issuer URL, sends the browser there with a fresh ``state``, ``nonce``
and PKCE verifier (kept server-side with a digest of the browser's sign-in cookie: :mod:`~boligmonitor.store.
accounts.oidc_pending`), redeems the code it gets back, and verifies the ID token's signature (the provider's
JWKS), issuer, audience, expiry and nonce (authlib's ``parse_id_token``). The claim named in the settings must then
be the e-mail address of an active account.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from boligmonitor.store.accounts import PendingSignIn
from boligmonitor.web.auth.settings import OidcSettings

with warnings.catch_warnings():
    # authlib's httpx integration prefers the "httpx2" package and says so once at import; httpx works. authlib
    # turns its own deprecation warnings to "always" when imported, so its module comes first, then the filter.
    import authlib.deprecate  # type: ignore[import-untyped]  # noqa: F401

    warnings.filterwarnings("ignore", message="The httpx module is deprecated")
    from authlib.integrations.starlette_client import OAuth  # type: ignore[import-untyped]


class OidcError(Exception):
    """The provider's answer cannot be used: refused, malformed, or its ID token does not verify."""


@dataclass(frozen=True, slots=True)
class Authorisation:
    """Where to send the browser, and what its answer must match."""

    url: str
    state: str
    nonce: str
    code_verifier: str

    def __repr__(self) -> str:
        return "Authorisation(…)"


class OidcClient:
    def __init__(self, settings: OidcSettings) -> None:
        self.settings = settings
        registry = OAuth()
        self._client: Any = registry.register(
            name="boligmonitor",
            client_id=settings.client_id,
            client_secret=settings.client_secret,
            server_metadata_url=settings.metadata_url,
            client_kwargs={"scope": settings.scope, "code_challenge_method": "S256"},
        )

    async def authorisation(self, redirect_uri: str) -> Authorisation:
        await self._checked_metadata()
        created: Mapping[str, Any] = await self._client.create_authorization_url(redirect_uri)
        return Authorisation(
            url=str(created["url"]),
            state=str(created["state"]),
            nonce=str(created["nonce"]),
            code_verifier=str(created["code_verifier"]),
        )

    async def verified_claims(self, redirect_uri: str, code: str, pending: PendingSignIn) -> Mapping[str, Any]:
        """Redeem the code and return the verified ID token's claims."""
        try:
            token = await self._client.fetch_access_token(
                redirect_uri=redirect_uri, code=code, code_verifier=pending.code_verifier
            )
            claims = await self._client.parse_id_token(token, nonce=pending.nonce)
        except OidcError:
            raise
        except Exception as error:  # authlib's, httpx's and joserfc's errors alike: the answer is not usable
            raise OidcError(f"{type(error).__name__}: {error}") from error
        if claims is None:
            raise OidcError("the provider sent no ID token")
        return dict(claims)

    def email_of(self, claims: Mapping[str, Any]) -> str | None:
        value = claims.get(self.settings.email_claim)
        return value if isinstance(value, str) and value.strip() else None

    async def _checked_metadata(self) -> None:
        try:
            metadata: Mapping[str, Any] = await self._client.load_server_metadata()
        except Exception as error:
            raise OidcError(f"the provider's discovery document cannot be read: {error}") from error
        issuer = str(metadata.get("issuer", ""))
        if issuer.rstrip("/") != self.settings.issuer.rstrip("/"):
            # OpenID Connect Discovery 1.0, section 4.3: the issuer must be the one configured.
            raise OidcError(f"the provider says its issuer is {issuer!r}, not {self.settings.issuer!r}")


__all__ = ["Authorisation", "OidcClient", "OidcError"]
