"""The programme analysis pages over a copy of the session's real database (built from ../shared/data), once per
package: the statistics are real; the programme is Bolig for velferd with a SYNTHETIC member list (the
kommuneprogram's 70 members are not published), named "SYNTHETIC" wherever it shows — the 40 largest municipalities
of 2015, every fourth medium-sized one (26) and the four largest small ones, as tests/analysis/reporting does.
One app for the package's tests (they leave no overrides behind). People are SYNTHETIC
(tests/store/reporting/synthetic.py): Kari reports for 5001, Ola reads 5001, Per reports for
5006, Anne advises region Midt (county 50), Siri is an analyst. The router is included as the lead includes it in
web/app.py.

The authorisation matrix runs instead on ``site_on_each_database``: the same app over SQLite and over a fresh,
migrated PostgreSQL schema, each holding only SYNTHETIC statistics (regions named "SYNTHETIC kommune …", population
and BL05 for 2010–2019) and a programme whose SYNTHETIC member list is chosen from those municipalities: 5001, 5006
and 5007 of region Midt and 0301 of region Øst (the suite does not load the real database into PostgreSQL)."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from boligmonitor.catalog.models import Text
from boligmonitor.catalog.reporting import Programme, load_programme
from boligmonitor.core.observation import Observation
from boligmonitor.core.status import Status
from boligmonitor.store import RegionRow, Store, create_engine_for, migrate
from boligmonitor.store.accounts import AccountStore, IssuedSession
from boligmonitor.store.reporting import ReportStore
from boligmonitor.web.api.reporting.routes import router as programme_api_router
from boligmonitor.web.auth import SESSION_COOKIE
from boligmonitor.web.views.programme.pages import PROGRAMMES_STATE
from boligmonitor.web.views.programme.routes import router as programme_router
from tests.analysis.reporting.synthetic import member, with_members
from tests.store.accounts.synthetic import FakeClock
from tests.store.conftest import module_postgres_url  # noqa: F401  (the module's PostgreSQL schema)
from tests.store.reporting.synthetic import CLI, SYNTHETIC_DATASET, make_accounts, report_store
from tests.web.auth.conftest import build_app

PROGRAMME_ID: Final = "bolig_for_velferd"
KARI: Final = "kari@kommune.example"
OLA: Final = "ola@kommune.example"
ANNE: Final = "anne@husbanken.example"
SIRI: Final = "siri@husbanken.example"
ADMIN: Final = "admin@husbanken.example"
CSRF_PATTERN: Final = re.compile(r'name="csrf_token" value="([^"]+)"')

# The matrix's SYNTHETIC statistics: members (large: 25 000 inhabitants) of region Midt (county 50) and of region
# Øst (0301), non-members (medium: 8 000) of both; BL05 falling for the members from 2014, flat for the others.
MATRIX_MEMBERS: Final = ("0301", "5001", "5006", "5007")
MATRIX_NON_MEMBERS: Final = ("3201", "3203", "5021", "5022", "5025", "5026")
MATRIX_YEARS: Final = tuple(range(2010, 2020))


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
    return with_synthetic_members(large[:40] + medium[::4][:26] + small[:4])


def with_synthetic_members(codes: Sequence[str]) -> Programme:
    """The package's programme with the SYNTHETIC member list ``codes`` (2014–2020), named SYNTHETIC."""
    real = load_programme(PROGRAMME_ID)
    name = Text(
        nb=f"{real.name.nb} (SYNTHETIC medlemmer)",
        nn=f"{real.name.nn} (SYNTHETIC medlemmer)",
        en=f"{real.name.en} (SYNTHETIC members)",
    )
    programme = with_members(real, [member(code, 2014, 2020) for code in codes])
    return programme.model_copy(update={"name": name})


def put_matrix_statistics(store: Store) -> None:
    """The matrix site's SYNTHETIC regions (Norway, the counties and municipalities named "SYNTHETIC …"),
    population (BEF01) and BL05."""
    municipalities = (*MATRIX_MEMBERS, *MATRIX_NON_MEMBERS)
    counties = sorted({code[:2] for code in municipalities})
    regions = [RegionRow("0", "SYNTHETIC Norge", "country")]
    regions += [RegionRow(county, f"SYNTHETIC fylke {county}", "county", parent_code="0") for county in counties]
    regions += [
        RegionRow(code, f"SYNTHETIC kommune {code}", "municipality", parent_code=code[:2]) for code in municipalities
    ]

    def observation(indicator_id: str, code: str, year: int, value: float) -> Observation:
        return Observation(indicator_id, code, year, value, None, None, "count", Status.OK, SYNTHETIC_DATASET.id)

    observations = [
        observation("BEF01", code, year, 25_000.0 if code in MATRIX_MEMBERS else 8_000.0)
        for code in municipalities
        for year in MATRIX_YEARS
    ]
    observations += [
        observation("BL05", code, year, 20.0 - 1.5 * max(0, year - 2014) if code in MATRIX_MEMBERS else 10.0)
        for code in municipalities
        for year in MATRIX_YEARS
    ]
    with store.write("build", "SYNTHETIC statistics for the programme authorisation matrix") as writer:
        writer.put_regions(regions)
        writer.put_datasets([SYNTHETIC_DATASET])
        writer.put_observations(observations)


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


@contextmanager
def site_over(url: str, programme_of: Callable[[Store], Programme]) -> Iterator[AnalysisSite]:
    """The site over the statistics at ``url``, with SYNTHETIC people and the programme ``programme_of`` makes."""
    engine = create_engine_for(url)
    store = Store(engine)
    clock = FakeClock()
    accounts = make_accounts(engine, clock)
    accounts.create_account(ADMIN, "administrator", actor=CLI)
    reports = report_store(engine, clock)
    programme = programme_of(store)
    app = build_app(url, accounts)
    app.state.reporting = reports
    setattr(app.state, PROGRAMMES_STATE, {programme.id: programme})
    include_programme(app)
    with TestClient(app):
        yield AnalysisSite(app, accounts, reports, programme)
    engine.dispose()


@pytest.fixture(scope="package")
def analysis_site(built_database: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[AnalysisSite]:
    path = tmp_path_factory.mktemp("programme-analysis") / "site.sqlite"
    shutil.copyfile(built_database, path)
    with site_over(f"sqlite:///{path}", synthetic_programme) as site:
        yield site


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def site_on_each_database(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[AnalysisSite]:
    """The matrix's site on SQLite and on PostgreSQL (a fresh, migrated database with the SYNTHETIC statistics),
    once per module: the authorisation matrix, which issue 14 asks of both databases, changes nothing."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('programme-matrix') / 'site.sqlite'}"
    else:
        url = request.getfixturevalue("module_postgres_url")
    engine = create_engine_for(url)
    migrate(engine)
    put_matrix_statistics(Store(engine))
    engine.dispose()
    with site_over(url, lambda _store: with_synthetic_members(MATRIX_MEMBERS)) as site:
        yield site
