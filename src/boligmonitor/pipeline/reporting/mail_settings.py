"""How notifications are sent by e-mail: an ordinary SMTP server, from the environment.

Nothing configured (no ``BOLIGMONITOR_SMTP_HOST``) means no e-mail is sent; the inbox page still shows every
message. The variables (docs/notifications.md)::

    BOLIGMONITOR_SMTP_HOST       the SMTP server's host name; unset: no e-mail
    BOLIGMONITOR_SMTP_PORT       default 587 (starttls), 465 (ssl) or 25 (none)
    BOLIGMONITOR_SMTP_SECURITY   starttls (default) | ssl | none
    BOLIGMONITOR_SMTP_USER       the user name to sign in with (AUTH); unset: no sign-in
    BOLIGMONITOR_SMTP_PASSWORD   its password (never on the command line)
    BOLIGMONITOR_SMTP_FROM       the sender address, e.g. "Boligmonitor <ikke-svar@husbanken.example>" (required)
    BOLIGMONITOR_SMTP_TIMEOUT    seconds to wait for the server; default 30
    BOLIGMONITOR_BASE_URL        the site's address for the links; default http://127.0.0.1:8000
                                 (the same variable as `boligmonitor user add`'s invitation links)

``none`` sends in clear text: it is refused together with a user name unless the server is on this machine
(loopback), so a password never travels unencrypted.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.headerregistry import Address
from email.utils import parseaddr
from enum import StrEnum
from typing import Final

PREFIX: Final = "BOLIGMONITOR_"
HOST_VARIABLE: Final = "BOLIGMONITOR_SMTP_HOST"
PORT_VARIABLE: Final = "BOLIGMONITOR_SMTP_PORT"
SECURITY_VARIABLE: Final = "BOLIGMONITOR_SMTP_SECURITY"
USER_VARIABLE: Final = "BOLIGMONITOR_SMTP_USER"
PASSWORD_VARIABLE: Final = "BOLIGMONITOR_SMTP_PASSWORD"  # noqa: S105 - the variable's name, not a password
SENDER_VARIABLE: Final = "BOLIGMONITOR_SMTP_FROM"
TIMEOUT_VARIABLE: Final = "BOLIGMONITOR_SMTP_TIMEOUT"
BASE_URL_VARIABLE: Final = "BOLIGMONITOR_BASE_URL"
DEFAULT_BASE_URL: Final = "http://127.0.0.1:8000"


class Security(StrEnum):
    STARTTLS = "starttls"  # plain connection, upgraded to TLS before anything else (submission, port 587)
    SSL = "ssl"  # TLS from the first byte (port 465)
    NONE = "none"  # clear text: a relay on this machine only


DEFAULT_PORTS: Final = {Security.STARTTLS: 587, Security.SSL: 465, Security.NONE: 25}


class MailSettingsError(ValueError):
    """A setting that cannot be used; the message names the variable."""


@dataclass(frozen=True, slots=True)
class MailSettings:
    host: str
    port: int
    security: Security
    sender: str  # as written: "Name <address>" or a bare address
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    timeout: float = 30.0
    base_url: str = DEFAULT_BASE_URL

    @property
    def sender_domain(self) -> str:
        """The domain of the sender address (for Message-IDs)."""
        return parseaddr(self.sender)[1].rpartition("@")[2] or "localhost"

    def link(self, path: str) -> str:
        """A full address on the site for a path of the outbox (``/rapportering/3/5001``)."""
        return self.base_url.rstrip("/") + path

    @classmethod
    def from_environment(cls, environment: Mapping[str, str] | None = None) -> MailSettings | None:
        """The settings, or None when no SMTP server is configured (no e-mail is sent)."""
        env = os.environ if environment is None else environment

        def setting(name: str) -> str | None:
            value = env.get(name, "").strip()
            return value or None

        host = setting(HOST_VARIABLE)
        if host is None:
            return None
        security_text = (setting(SECURITY_VARIABLE) or Security.STARTTLS.value).lower()
        try:
            security = Security(security_text)
        except ValueError:
            raise MailSettingsError(
                f"{SECURITY_VARIABLE} must be starttls, ssl or none, not {security_text!r}"
            ) from None
        port = _whole_number(setting(PORT_VARIABLE), PORT_VARIABLE, DEFAULT_PORTS[security], highest=65535)
        timeout = float(_whole_number(setting(TIMEOUT_VARIABLE), TIMEOUT_VARIABLE, 30, highest=3600))
        sender = setting(SENDER_VARIABLE)
        if sender is None:
            raise MailSettingsError(f"{HOST_VARIABLE} is set: {SENDER_VARIABLE} (the sender address) is needed too")
        _check_sender(sender)
        user, password = setting(USER_VARIABLE), env.get(PASSWORD_VARIABLE) or None
        if user is not None and password is None:
            raise MailSettingsError(f"{USER_VARIABLE} is set: {PASSWORD_VARIABLE} is needed too")
        if user is not None and security is Security.NONE and not _is_loopback(host):
            raise MailSettingsError(
                f"{SECURITY_VARIABLE}=none with {USER_VARIABLE}: the password would travel unencrypted to {host}; "
                "use starttls or ssl"
            )
        base_url = (setting(BASE_URL_VARIABLE) or DEFAULT_BASE_URL).rstrip("/")
        if not base_url.startswith(("https://", "http://")):
            raise MailSettingsError(f"{BASE_URL_VARIABLE} must start with https:// (or http://), not {base_url!r}")
        return cls(
            host=host,
            port=port,
            security=security,
            sender=sender,
            user=user,
            password=password,
            timeout=timeout,
            base_url=base_url,
        )


def _whole_number(text: str | None, name: str, default: int, *, highest: int) -> int:
    if text is None:
        return default
    if not text.isdigit() or not 1 <= int(text) <= highest:
        raise MailSettingsError(f"{name} must be a whole number from 1 to {highest}, not {text!r}")
    return int(text)


def _check_sender(sender: str) -> None:
    address = parseaddr(sender)[1]
    try:
        Address(addr_spec=address)
    except (ValueError, IndexError):
        address = ""
    if "@" not in address:
        raise MailSettingsError(f"{SENDER_VARIABLE} is not an e-mail address: {sender!r}")


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


__all__ = [
    "BASE_URL_VARIABLE",
    "DEFAULT_BASE_URL",
    "DEFAULT_PORTS",
    "HOST_VARIABLE",
    "PASSWORD_VARIABLE",
    "PORT_VARIABLE",
    "SECURITY_VARIABLE",
    "SENDER_VARIABLE",
    "TIMEOUT_VARIABLE",
    "USER_VARIABLE",
    "MailSettings",
    "MailSettingsError",
    "Security",
]
