"""Where the live sources are: one place for the base URLs of SSB, KLASS and Husbanken.

Each comes from the command line if given, else from the environment, else the publisher's own service:

=====================================  =================================================================
``BOLIGMONITOR_SSB_URL``               PxWebApi v2 root (default ``https://data.ssb.no/api/pxwebapi/v2``)
``BOLIGMONITOR_KLASS_URL``             KLASS API root (default: beside the SSB URL when that ends in
                                       ``/api/pxwebapi/v2``, a mirror or a fake; else SSB's own)
``BOLIGMONITOR_HUSBANKEN_URL``         Qlik virtual proxy root (default ``wss://qlik.husbanken.no/public``)
``BOLIGMONITOR_HUSBANKEN_UNCONFIRMED`` ``1``: also ask for the Husbanken hypercubes whose field names are not
                                       confirmed against the live app (default ``0``)
=====================================  =================================================================

The legacy PxWebApi v0 root is not a setting of its own: it lies beside the SSB URL in the same way as KLASS.

A source on this machine (a loopback host, such as the fakes ``scripts/fake-sources`` starts) is ``local``: the
politeness limits that protect SSB's and Husbanken's servers (30 calls a minute, half a second between Qlik
calls) are not needed there, and the command line lifts them. Retries, time-outs and the archive stay.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final
from urllib.parse import urlsplit

from boligmonitor.sources.connectors.ssb import KLASS_BASE_URL, PXWEB_V0_BASE_URL, PXWEB_V2_BASE_URL

SSB_URL_VARIABLE: Final = "BOLIGMONITOR_SSB_URL"
KLASS_URL_VARIABLE: Final = "BOLIGMONITOR_KLASS_URL"
HUSBANKEN_URL_VARIABLE: Final = "BOLIGMONITOR_HUSBANKEN_URL"
HUSBANKEN_UNCONFIRMED_VARIABLE: Final = "BOLIGMONITOR_HUSBANKEN_UNCONFIRMED"
# The Husbanken connector's default (sources/connectors/husbanken/fetch.py), repeated here so that reading the
# settings does not load the WebSocket client; tests/connectors/test_settings.py checks the two agree.
HUSBANKEN_BASE_URL: Final = "wss://qlik.husbanken.no/public"

_SSB_V2_SUFFIX = "/api/pxwebapi/v2"
_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"", "0", "false", "no", "off"})


class SettingsError(ValueError):
    """A setting that cannot be used, naming the variable and the value."""


@dataclass(frozen=True)
class SourceSettings:
    ssb_url: str
    ssb_v0_url: str
    klass_url: str
    husbanken_url: str
    husbanken_unconfirmed: bool = False

    @classmethod
    def resolve(
        cls,
        environment: Mapping[str, str] | None = None,
        *,
        ssb_url: str | None = None,
        klass_url: str | None = None,
        v0_url: str | None = None,
        husbanken_url: str | None = None,
        husbanken_unconfirmed: bool | None = None,
    ) -> SourceSettings:
        """The settings: the arguments given (the command line's options) over ``environment`` (default
        ``os.environ``) over the publishers' own services."""
        env = os.environ if environment is None else environment
        ssb = _url(ssb_url, env, SSB_URL_VARIABLE) or PXWEB_V2_BASE_URL
        klass = _url(klass_url, env, KLASS_URL_VARIABLE) or _beside(ssb, "/api/klass/v1", KLASS_BASE_URL)
        husbanken = _url(husbanken_url, env, HUSBANKEN_URL_VARIABLE) or HUSBANKEN_BASE_URL
        unconfirmed = (
            husbanken_unconfirmed
            if husbanken_unconfirmed is not None
            else _flag(env.get(HUSBANKEN_UNCONFIRMED_VARIABLE, ""), HUSBANKEN_UNCONFIRMED_VARIABLE)
        )
        return cls(
            ssb_url=ssb,
            ssb_v0_url=(v0_url or "").strip().rstrip("/") or _beside(ssb, "/api/v0", PXWEB_V0_BASE_URL),
            klass_url=klass,
            husbanken_url=husbanken,
            husbanken_unconfirmed=unconfirmed,
        )

    @property
    def ssb_is_local(self) -> bool:
        """SSB, its legacy API and KLASS all on this machine (they share one rate limit)."""
        return all(is_local(url) for url in (self.ssb_url, self.ssb_v0_url, self.klass_url))

    @property
    def husbanken_is_local(self) -> bool:
        return is_local(self.husbanken_url)

    def describe(self) -> list[str]:
        unconfirmed = "with" if self.husbanken_unconfirmed else "without"
        return [
            f"SSB PxWebApi v2: {self.ssb_url} (legacy v0: {self.ssb_v0_url})",
            f"KLASS: {self.klass_url}",
            f"Husbanken Statistikkbank: {self.husbanken_url} ({unconfirmed} unconfirmed hypercubes)",
        ]


def is_local(url: str) -> bool:
    """Whether ``url`` names a loopback address (``127.x.y.z``, ``::1``) or ``localhost``."""
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _url(given: str | None, env: Mapping[str, str], variable: str) -> str | None:
    if given is not None and given.strip():
        return given.strip().rstrip("/")
    configured = env.get(variable, "").strip()
    if not configured:
        return None
    if urlsplit(configured).scheme not in ("http", "https", "ws", "wss"):
        raise SettingsError(f"{variable}={configured!r} is not an http(s) or ws(s) URL")
    return configured.rstrip("/")


def _beside(ssb_url: str, path: str, default: str) -> str:
    """A sibling API on the same host as a PxWebApi v2 root ending in ``/api/pxwebapi/v2``, else SSB's own."""
    if ssb_url.endswith(_SSB_V2_SUFFIX):
        return ssb_url[: -len(_SSB_V2_SUFFIX)] + path
    return default


def _flag(text: str, variable: str) -> bool:
    value = text.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise SettingsError(f"{variable}={text!r}: use 1 or 0")


__all__ = [
    "HUSBANKEN_BASE_URL",
    "HUSBANKEN_UNCONFIRMED_VARIABLE",
    "HUSBANKEN_URL_VARIABLE",
    "KLASS_URL_VARIABLE",
    "SSB_URL_VARIABLE",
    "SettingsError",
    "SourceSettings",
    "is_local",
]
