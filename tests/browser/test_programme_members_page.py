"""The members page (``/program/{id}/medlemmer``) in Chromium at 390 px: the analyst sees the list, uploads a file
with a code that was not in use in its membership years and reads the problem in the summary and beside the
field, then uploads a good list and sees it in effect. axe-core finds no WCAG 2.1 A/AA violation on any of these
states; nothing scrolls sideways.

The server is the whole app (create_app: every router) over a migrated database with the SYNTHETIC statistics and
people of the reporting tests and the real municipal register (KLASS 131 codes and changes from ../shared/data).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import pytest
from playwright.sync_api import Browser, Page, ViewportSize, expect

from boligmonitor.store import create_engine_for
from boligmonitor.store.accounts import AccountStore, IssuedSession
from boligmonitor.web.app import create_app
from boligmonitor.web.auth import SESSION_COOKIE, AuthSettings
from tests.browser import assert_no_axe_violations
from tests.browser.conftest import DEFAULT_TIMEOUT_MS, served_on_loopback
from tests.store.accounts.synthetic import FakeClock
from tests.store.reporting.synthetic import make_accounts, report_store
from tests.web.programme_members.conftest import MEMBERS, SIRI, members_template  # noqa: F401

PHONE: Final = ViewportSize(width=390, height=844)
HEADER: Final = "municipality;from;to;status;name\n"


@dataclass(frozen=True)
class MembersServer:
    base_url: str
    accounts: AccountStore


@pytest.fixture(scope="module")
def members_server(
    tmp_path_factory: pytest.TempPathFactory,
    members_template: Path,  # noqa: F811
) -> Iterator[MembersServer]:
    path = tmp_path_factory.mktemp("members-browser") / "site.sqlite"
    shutil.copyfile(members_template, path)
    url = f"sqlite:///{path}"
    engine = create_engine_for(url)
    clock = FakeClock()
    accounts = make_accounts(engine, clock)
    app = create_app(url, auth_settings=AuthSettings(), accounts=accounts)
    app.state.reporting = report_store(engine, clock)
    try:
        with served_on_loopback(app, "members-server") as served:
            yield MembersServer(served.base_url, accounts)
    finally:
        engine.dispose()


def _analysts_page(browser: Browser, server: MembersServer) -> Page:
    issued = server.accounts.sign_in_verified(SIRI, method="oidc", client_address="127.0.0.1")
    assert isinstance(issued, IssuedSession)
    context = browser.new_context(locale="nb-NO", viewport=PHONE)
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    context.add_cookies([{"name": SESSION_COOKIE, "value": issued.token, "url": server.base_url}])
    return context.new_page()


def _fits_a_phone(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], page.url


def _upload(page: Page, tmp_path: Path, name: str, text: str) -> None:
    file = tmp_path / name
    file.write_text(text, encoding="utf-8")
    page.locator("input[type='file']").set_input_files(file)
    page.locator("form[enctype='multipart/form-data'] button[type='submit']").click()


def test_the_analyst_uploads_a_refused_and_a_good_member_list(
    browser: Browser, members_server: MembersServer, tmp_path: Path
) -> None:
    page = _analysts_page(browser, members_server)
    page.goto(members_server.base_url + MEMBERS)
    expect(page.get_by_role("heading", level=1)).to_have_text("Programmets medlemmer")
    expect(page.get_by_role("rowheader", name="Trondheim (1601)").first).to_be_visible()
    assert_no_axe_violations(page)
    _fits_a_phone(page)

    # Trondheim's code from 2018 used for 2013-2016: refused, named by line and field, nothing written
    _upload(page, tmp_path, "synthetic_members.csv", HEADER + "5001;2013;2016;member;SYNTHETIC Trondheim\n")
    summary = page.locator("#error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("5001")
    expect(page.get_by_role("rowheader", name="Trondheim (1601)").first).to_be_visible()  # the old list stands
    assert_no_axe_violations(page)
    _fits_a_phone(page)

    _upload(page, tmp_path, "synthetic_members_good.csv", HEADER + "1601;2013;2016;member;SYNTHETIC Trondheim\n")
    expect(page.get_by_role("status")).to_be_visible()
    expect(page.locator("table tbody tr")).to_have_count(1)
    assert_no_axe_violations(page)
    _fits_a_phone(page)
    page.context.close()
