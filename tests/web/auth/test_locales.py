"""The texts of accounts and access (locales/auth.yaml): every one the templates, the views and the store's
problems use exists, in bokmål, nynorsk and English."""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

import boligmonitor.store.accounts
import boligmonitor.web.auth
from boligmonitor.store.accounts import Role
from boligmonitor.web.i18n import LANGUAGES, messages

TEMPLATE_KEY = re.compile(r"""\bt\(\s*["']([a-z0-9_.]+)["']""")
CODE_KEY = re.compile(r"""\bt\(\s*f?["']([a-z0-9_.{}]+)["']""")
PROBLEM_CODE = re.compile(r"""AccountError\(\s*"[a-z_]+",\s*"([a-z_]+)\"""")


def auth_messages() -> dict[str, dict[str, str]]:
    return {key: dict(texts) for key, texts in messages().items() if key.startswith("auth.")}


def test_every_text_has_three_languages() -> None:
    texts = auth_messages()
    assert len(texts) > 50
    assert {key: sorted(t) for key, t in texts.items() if set(t) != set(LANGUAGES)} == {}


def test_every_key_in_the_templates_exists() -> None:
    folder = resources.files("boligmonitor.web").joinpath("templates").joinpath("auth")
    used = {key for entry in folder.iterdir() for key in TEMPLATE_KEY.findall(entry.read_text(encoding="utf-8"))}
    assert "auth.sign_in.title" in used
    prefixes = {key for key in used if key.endswith(".")}  # t("auth.role." ~ account.role.value)
    assert prefixes == {"auth.role."}
    assert sorted(used - prefixes - set(messages())) == []
    assert all(f"auth.role.{role.value}" in messages() for role in Role)


def test_every_key_in_the_views_exists() -> None:
    folder = Path(boligmonitor.web.auth.__file__).parent
    used = {key for path in folder.glob("*.py") for key in CODE_KEY.findall(path.read_text(encoding="utf-8"))}
    expanded = {
        key.replace("{outcome.by}", by) for key in used for by in ("account", "address")
    }  # f"auth.error.throttled_{outcome.by}"
    assert "auth.error.wrong_credentials" in expanded
    assert sorted(key for key in expanded - set(messages()) if "{" not in key) == []


def test_every_problem_the_store_names_can_be_shown_in_every_language() -> None:
    folder = Path(boligmonitor.store.accounts.__file__).parent
    codes = {code for path in folder.glob("*.py") for code in PROBLEM_CODE.findall(path.read_text(encoding="utf-8"))}
    assert {"email_invalid", "password_too_short", "invitation_invalid", "region_unknown"} <= codes
    assert sorted(code for code in codes if f"auth.problem.{code}" not in messages()) == []
