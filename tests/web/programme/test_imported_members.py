"""The analysis pages use a programme's imported members (store/reporting/members.py) in place of its own: on a
site of its own (a copy of the real database; the app's programme is conftest.py's with SYNTHETIC members), after
an import of two SYNTHETIC members the overview and goal attainment show those two only."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from boligmonitor.catalog.reporting import Member
from boligmonitor.store import Store, create_engine_for
from boligmonitor.web.views.programme.pages import PROGRAMMES_STATE
from tests.store.accounts.synthetic import FakeClock
from tests.store.reporting.synthetic import CLI, make_accounts, report_store
from tests.web.auth.conftest import build_app
from tests.web.programme.conftest import ADMIN, PROGRAMME_ID, SIRI, AnalysisSite, include_programme, synthetic_programme

BASE = f"/program/{PROGRAMME_ID}"
IMPORTED = [
    Member.model_validate(
        {"municipality": "1103", "name": "SYNTHETIC", "level": "storbyprogram", "from": 2014, "to": 2020}
    ),
    Member.model_validate(
        {"municipality": "1106", "name": "SYNTHETIC", "level": "by_og_tettstedsprogram", "from": 2014, "to": 2020}
    ),
]


@pytest.fixture(scope="module")
def own_site(built_database: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[AnalysisSite]:
    path = tmp_path_factory.mktemp("imported-members") / "site.sqlite"
    shutil.copyfile(built_database, path)
    url = f"sqlite:///{path}"
    engine = create_engine_for(url)
    clock = FakeClock()
    accounts = make_accounts(engine, clock)
    accounts.create_account(ADMIN, "administrator", actor=CLI)
    reports = report_store(engine, clock)
    programme = synthetic_programme(Store(engine))
    app = build_app(url, accounts)
    app.state.reporting = reports
    setattr(app.state, PROGRAMMES_STATE, {programme.id: programme})
    include_programme(app)
    with TestClient(app):
        yield AnalysisSite(app, accounts, reports, programme)
    engine.dispose()


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_overview_and_attainment_use_the_imported_members(own_site: AnalysisSite) -> None:
    browser = own_site.browser(SIRI)
    before = _text(browser.get(BASE).text)
    assert "Medlemskap (70) med nivå og datoer" in before
    assert "(0301)" in _text(browser.get(f"{BASE}/maloppnaelse", params={"ar": "2018"}).text)  # Oslo, of the 70

    own_site.reports.replace_members(PROGRAMME_ID, IMPORTED, source="SYNTHETIC_members.csv", actor=CLI)
    page = browser.get(BASE)
    assert page.status_code == 200
    text = _text(page.text)
    assert "SYNTHETIC" in text
    assert "Medlemskap (2) med nivå og datoer" in text
    # The file's name for a member (here "SYNTHETIC") shows in place of the register's.
    assert "SYNTHETIC (1103) Storbyprogram 1. januar 2014 31. desember 2020 Medlem" in text
    assert "SYNTHETIC (1106) By- og tettstedsprogram 1. januar 2014 31. desember 2020 Medlem" in text

    attainment = browser.get(f"{BASE}/maloppnaelse", params={"ar": "2018"})
    assert attainment.status_code == 200
    shown = _text(attainment.text)
    assert "(1103)" in shown and "(1106)" in shown
    assert "(0301)" not in shown
