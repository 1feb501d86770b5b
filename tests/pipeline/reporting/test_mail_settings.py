"""The SMTP settings from the environment: nothing configured means no e-mail; every bad value is named by its
variable. (Addresses and host names are made up.)"""

from __future__ import annotations

import pytest

from boligmonitor.pipeline.reporting.mail_settings import MailSettings, MailSettingsError, Security

BASE = {"BOLIGMONITOR_SMTP_HOST": "smtp.example.no", "BOLIGMONITOR_SMTP_FROM": "Boligmonitor <ikke-svar@example.no>"}


def test_no_host_means_no_mail() -> None:
    assert MailSettings.from_environment({}) is None
    assert MailSettings.from_environment({"BOLIGMONITOR_SMTP_HOST": "  ", "BOLIGMONITOR_SMTP_FROM": "x"}) is None


def test_defaults_are_starttls_on_the_submission_port() -> None:
    settings = MailSettings.from_environment(BASE)
    assert settings is not None
    assert (settings.security, settings.port, settings.user, settings.timeout) == (Security.STARTTLS, 587, None, 30.0)
    assert settings.link("/rapportering/3/5001") == "http://127.0.0.1:8000/rapportering/3/5001"
    assert settings.sender_domain == "example.no"


@pytest.mark.parametrize(("security", "port"), [("ssl", 465), ("none", 25), ("STARTTLS", 587)])
def test_each_security_has_its_port(security: str, port: int) -> None:
    settings = MailSettings.from_environment({**BASE, "BOLIGMONITOR_SMTP_SECURITY": security})
    assert settings is not None and settings.port == port


def test_a_full_configuration() -> None:
    settings = MailSettings.from_environment(
        {
            **BASE,
            "BOLIGMONITOR_SMTP_PORT": "2525",
            "BOLIGMONITOR_SMTP_SECURITY": "ssl",
            "BOLIGMONITOR_SMTP_USER": "monitor",
            "BOLIGMONITOR_SMTP_PASSWORD": "SYNTHETIC secret",
            "BOLIGMONITOR_SMTP_TIMEOUT": "10",
            "BOLIGMONITOR_BASE_URL": "https://boligmonitor.example.no/",
        }
    )
    assert settings is not None
    assert (settings.port, settings.user, settings.password, settings.timeout) == (
        2525,
        "monitor",
        "SYNTHETIC secret",
        10.0,
    )
    assert settings.link("/innboks") == "https://boligmonitor.example.no/innboks"
    assert "SYNTHETIC secret" not in repr(settings)


@pytest.mark.parametrize(
    ("extra", "named"),
    [
        ({"BOLIGMONITOR_SMTP_FROM": ""}, "BOLIGMONITOR_SMTP_FROM"),
        ({"BOLIGMONITOR_SMTP_FROM": "not an address"}, "BOLIGMONITOR_SMTP_FROM"),
        ({"BOLIGMONITOR_SMTP_SECURITY": "tls"}, "BOLIGMONITOR_SMTP_SECURITY"),
        ({"BOLIGMONITOR_SMTP_PORT": "0"}, "BOLIGMONITOR_SMTP_PORT"),
        ({"BOLIGMONITOR_SMTP_PORT": "smtp"}, "BOLIGMONITOR_SMTP_PORT"),
        ({"BOLIGMONITOR_SMTP_TIMEOUT": "-1"}, "BOLIGMONITOR_SMTP_TIMEOUT"),
        ({"BOLIGMONITOR_SMTP_USER": "monitor"}, "BOLIGMONITOR_SMTP_PASSWORD"),
        (
            {"BOLIGMONITOR_SMTP_USER": "m", "BOLIGMONITOR_SMTP_PASSWORD": "p", "BOLIGMONITOR_SMTP_SECURITY": "none"},
            "unencrypted",
        ),
        ({"BOLIGMONITOR_BASE_URL": "boligmonitor.example.no"}, "BOLIGMONITOR_BASE_URL"),
    ],
)
def test_bad_settings_name_their_variable(extra: dict[str, str], named: str) -> None:
    with pytest.raises(MailSettingsError, match=named):
        MailSettings.from_environment({**BASE, **extra})


def test_clear_text_with_a_password_is_allowed_to_this_machine_only() -> None:
    loopback = {
        "BOLIGMONITOR_SMTP_HOST": "127.0.0.1",
        "BOLIGMONITOR_SMTP_FROM": "ikke-svar@example.no",
        "BOLIGMONITOR_SMTP_SECURITY": "none",
        "BOLIGMONITOR_SMTP_USER": "m",
        "BOLIGMONITOR_SMTP_PASSWORD": "p",
    }
    settings = MailSettings.from_environment(loopback)
    assert settings is not None and settings.security is Security.NONE
