"""The programme analysis pages over a copy of the session's real database (built from ../shared/data), once per
package: the statistics are real; the programme is Bolig for velferd with a SYNTHETIC member list (the
kommuneprogram's 70 members are not published), named "SYNTHETIC" wherever it shows — the 40 largest municipalities
of 2015, every fourth medium-sized one (26) and the four largest small ones, as tests/analysis/reporting does.
One app for the package's tests (they leave no overrides behind). People are SYNTHETIC
(tests/store/reporting/synthetic.py): Kari reports for 5001, Ola reads 5001, Per reports for
5006, Anne advises region Midt (county 50), Siri is an analyst. The router is included as the lead includes it in
web/app.py."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from boligmonitor.catalog.models import Text
from boligmonitor.catalog.reporting import Programme, load_programme
from boligmonitor.store import Store, create_engine_for
from boligmonitor.store.accounts import AccountStore, IssuedSession
from boligmonitor.store.reporting import ReportStore
from boligmonitor.web.api.reporting.routes import router as programme_api_router
from boligmonitor.web.auth import SESSION_COOKIE
from boligmonitor.web.views.programme.pages import PROGRAMMES_STATE
from boligmonitor.web.views.programme.routes import router as programme_router
from tests.analysis.reporting.synthetic import member, with_members
from tests.store.accounts.synthetic import FakeClock
from tests.store.reporting.synthetic import CLI, make_accounts, report_store
from tests.web.auth.conftest import build_app

PROGRAMME_ID: Final = "bolig_for_velferd"
KARI: Final = "kari@kommune.example"
OLA: Final = "ola@kommune.example"
ANNE: Final = "anne@husbanken.example"
SIRI: Final = "siri@husbanken.example"
ADMIN: Final = "admin@husbanken.example"
CSRF_PATTERN: Final = re.compile(r'name="csrf_token" value="([^"]+)"')


def include_programme(app: FastAPI) -> None:
    """What the lead adds to web/app.py's site_routers (a no-op once the app has them)."""
    names = {getattr(route, "name", "") for route in app.routes}
    if "programme.overview" not in names:
        app.include_router(programme_router)
    if "api.programme.attainment" not in names:
        app.include_router(programme_api_router)


def synthetic_programme(store: Store) -> Programme:
    with store.snapshot() as reader:
        population = {
            o.region_code: o.value
            for o in reader.indicator_observations("BEF01", year=2015)
            if len(o.region_code) == 4 and o.value is not None
        }
    ranked = sorted(population, key=lambda code: (-population[code], code))
    large = [code for code in ranked if population[code] >= 20_000]
    medium = [code for code in ranked if 5_000 <= population[code] < 20_000]
    small = [code for code in ranked if population[code] < 5_000]
    chosen = large[:40] + medium[::4][:26] + small[:4]
    real = load_programme(PROGRAMME_ID)
    name = Text(
        nb=f"{real.name.nb} (SYNTHETIC medlemmer)",
        nn=f"{real.name.nn} (SYNTHETIC medlemmer)",
        en=f"{real.name.en} (SYNTHETIC members)",
    )
    programme = with_members(real, [member(code, 2014, 2020) for code in chosen])
    return programme.model_copy(update={"name": name})


@dataclass
class AnalysisSite:
    app: FastAPI
    accounts: AccountStore
    reports: ReportStore
    programme: Programme

    def browser(self, email: str | None) -> TestClient:
        client = TestClient(self.app, follow_redirects=False)
        if email is not None:
            issued = self.accounts.sign_in_verified(email, method="oidc", client_address="testclient")
            assert isinstance(issued, IssuedSession)
            client.cookies.set(SESSION_COOKIE, issued.token, domain="testserver.local")
        return client


def csrf_from(response: httpx.Response) -> str:
    found = CSRF_PATTERN.search(response.text)
    assert found is not None, "the page has no form with a CSRF token"
    return found.group(1)


@pytest.fixture(scope="package")
def analysis_site(built_database: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[AnalysisSite]:
    path = tmp_path_factory.mktemp("programme-analysis") / "site.sqlite"
    shutil.copyfile(built_database, path)
    url = f"sqlite:///{path}"
    engine = create_engine_for(url)
    store = Store(engine)
    clock = FakeClock()
    accounts = make_accounts(engine, clock)
    accounts.create_account(ADMIN, "administrator", actor=CLI)
    reports = report_store(engine, clock)
    programme = synthetic_programme(store)
    app = build_app(url, accounts)
    app.state.reporting = reports
    setattr(app.state, PROGRAMMES_STATE, {programme.id: programme})
    include_programme(app)
    with TestClient(app):
        yield AnalysisSite(app, accounts, reports, programme)
    engine.dispose()
