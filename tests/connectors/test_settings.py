"""Where the live sources are (sources/settings.py): options over environment over the publishers' own services."""

from __future__ import annotations

import pytest

from boligmonitor.sources.connectors.husbanken import DEFAULT_URL
from boligmonitor.sources.connectors.ssb import KLASS_BASE_URL, PXWEB_V0_BASE_URL, PXWEB_V2_BASE_URL
from boligmonitor.sources.settings import (
    HUSBANKEN_BASE_URL,
    HUSBANKEN_UNCONFIRMED_VARIABLE,
    HUSBANKEN_URL_VARIABLE,
    KLASS_URL_VARIABLE,
    SSB_URL_VARIABLE,
    SettingsError,
    SourceSettings,
    is_local,
)

FAKE = "http://127.0.0.1:8780"


def test_without_settings_the_publishers_own_services() -> None:
    settings = SourceSettings.resolve({})
    assert settings == SourceSettings(
        ssb_url=PXWEB_V2_BASE_URL,
        ssb_v0_url=PXWEB_V0_BASE_URL,
        klass_url=KLASS_BASE_URL,
        husbanken_url=DEFAULT_URL,
        husbanken_unconfirmed=False,
    )
    assert HUSBANKEN_BASE_URL == DEFAULT_URL  # repeated so that reading settings does not load the Qlik client
    assert not settings.ssb_is_local and not settings.husbanken_is_local


def test_the_environment_names_each_source_and_klass_and_v0_lie_beside_ssb() -> None:
    environment = {
        SSB_URL_VARIABLE: f"{FAKE}/api/pxwebapi/v2/",
        HUSBANKEN_URL_VARIABLE: "ws://127.0.0.1:8781/public",
        HUSBANKEN_UNCONFIRMED_VARIABLE: "1",
    }
    settings = SourceSettings.resolve(environment)
    assert settings.ssb_url == f"{FAKE}/api/pxwebapi/v2"
    assert settings.klass_url == f"{FAKE}/api/klass/v1" and settings.ssb_v0_url == f"{FAKE}/api/v0"
    assert settings.husbanken_url == "ws://127.0.0.1:8781/public" and settings.husbanken_unconfirmed
    assert settings.ssb_is_local and settings.husbanken_is_local
    own_klass = SourceSettings.resolve({**environment, KLASS_URL_VARIABLE: "https://klass.example/api/klass/v1"})
    assert own_klass.klass_url == "https://klass.example/api/klass/v1" and not own_klass.ssb_is_local
    elsewhere = SourceSettings.resolve({SSB_URL_VARIABLE: "https://mirror.example/pxweb"})
    assert elsewhere.klass_url == KLASS_BASE_URL and elsewhere.ssb_v0_url == PXWEB_V0_BASE_URL


def test_options_win_over_the_environment() -> None:
    environment = {SSB_URL_VARIABLE: "https://mirror.example/api/pxwebapi/v2", HUSBANKEN_UNCONFIRMED_VARIABLE: "yes"}
    settings = SourceSettings.resolve(
        environment,
        ssb_url=f"{FAKE}/api/pxwebapi/v2",
        v0_url=f"{FAKE}/legacy/",
        husbanken_url="ws://[::1]:9/public",
        husbanken_unconfirmed=False,
    )
    assert settings.ssb_url == f"{FAKE}/api/pxwebapi/v2" and settings.klass_url == f"{FAKE}/api/klass/v1"
    assert settings.ssb_v0_url == f"{FAKE}/legacy"
    assert settings.husbanken_url == "ws://[::1]:9/public" and not settings.husbanken_unconfirmed
    assert any("without unconfirmed" in line for line in settings.describe())


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        (SSB_URL_VARIABLE, "data.ssb.no/api/pxwebapi/v2", "not an http"),
        (HUSBANKEN_URL_VARIABLE, "ftp://qlik.husbanken.no/public", "not an http"),
        (HUSBANKEN_UNCONFIRMED_VARIABLE, "maybe", "use 1 or 0"),
    ],
)
def test_a_setting_that_cannot_be_used_names_its_variable(variable: str, value: str, message: str) -> None:
    with pytest.raises(SettingsError, match=message) as refused:
        SourceSettings.resolve({variable: value})
    assert variable in str(refused.value)


def test_only_loopback_hosts_are_local() -> None:
    assert is_local("http://127.0.0.1:8780/api") and is_local("ws://[::1]:1/public") and is_local("http://localhost")
    assert not is_local("https://data.ssb.no/api/pxwebapi/v2") and not is_local("http://10.0.0.1/")
    assert not is_local("not a url")
