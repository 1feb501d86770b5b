"""OpenID Connect sign-ins on their way: sent to the provider, not yet back.

The provider's answer must bring back the ``state`` that was sent (kept as a digest) to the same browser (a digest
of its sign-in cookie), within a few minutes, once. The nonce and the PKCE verifier are kept to check the ID token
and to redeem the code.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from sqlalchemy import Connection, delete, insert, select

from boligmonitor.store.accounts.tables import oidc_sign_in
from boligmonitor.store.accounts.tokens import same_secret, token_digest

PENDING_FOR: Final = timedelta(minutes=10)


@dataclass(frozen=True, slots=True)
class PendingSignIn:
    nonce: str
    code_verifier: str
    next_path: str

    def __repr__(self) -> str:
        return f"PendingSignIn(next_path={self.next_path!r})"


def begin(
    connection: Connection,
    *,
    state: str,
    browser_token: str,
    nonce: str,
    code_verifier: str,
    next_path: str,
    at: datetime,
) -> None:
    connection.execute(delete(oidc_sign_in).where(oidc_sign_in.c.expires_at <= at))
    connection.execute(
        insert(oidc_sign_in).values(
            state_hash=token_digest(state),
            browser_hash=token_digest(browser_token),
            nonce=nonce,
            code_verifier=code_verifier,
            next_path=next_path,
            created_at=at,
            expires_at=at + PENDING_FOR,
        )
    )


def finish(connection: Connection, *, state: str, browser_token: str, at: datetime) -> PendingSignIn | None:
    """The pending sign-in of ``state`` if it is this browser's and not expired; used up either way."""
    digest = token_digest(state)
    row = connection.execute(select(oidc_sign_in).where(oidc_sign_in.c.state_hash == digest)).first()
    if row is None:
        return None
    connection.execute(delete(oidc_sign_in).where(oidc_sign_in.c.state_hash == digest))
    if row.expires_at <= at or not same_secret(token_digest(browser_token), row.browser_hash):
        return None
    return PendingSignIn(row.nonce, row.code_verifier, row.next_path)


__all__ = ["PENDING_FOR", "PendingSignIn", "begin", "finish"]
