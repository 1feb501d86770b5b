"""The monitor with accounts, the reporting pages and the report documents, over one migrated SQLite database per
test module holding only SYNTHETIC material: statistics (BL05 for five member municipalities of county 50,
2010–2019, falling by more than 30 % from 2014; six non-members with a flat BL05; a population, BEF01, that puts
the members in the large size group and the non-members in the medium (five) and small (one) groups), regions
named "SYNTHETIC kommune …", people (tests/store/reporting/synthetic.py:
Kari reports for 5001, Ola reads 5001, Per reports for 5006, Anne advises region Midt, Siri is an analyst), a
round of the SYNTHETIC form for 2019 with submitted reports from 5001 and 5006, a comment, an analyst's override,
and the programme with a SYNTHETIC member list (given to the app as web/views/programme reads it,
``app.state.programmes``).

The documents only read, so one site serves a whole module (PDFs take a second each to make)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Final

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from boligmonitor.catalog.reporting import Member, Programme, load_programme
from boligmonitor.core.observation import Observation
from boligmonitor.core.status import Status
from boligmonitor.store import RegionRow, Store, create_engine_for, migrate
from boligmonitor.store.accounts import AccountStore, IssuedSession
from boligmonitor.store.reporting import AnswerInput, ReportingRound, ReportStore
from boligmonitor.store.reporting.overrides import OverrideKey
from boligmonitor.web.auth import SESSION_COOKIE
from boligmonitor.web.context import PageContext
from boligmonitor.web.monitor import MonitorData
from boligmonitor.web.programme_report.routes import router as programme_report_router
from boligmonitor.web.views.reporting.routes import router as reporting_router
from tests.store.accounts.synthetic import FakeClock
from tests.store.conftest import module_postgres_url  # noqa: F401  (the module's PostgreSQL schema)
from tests.store.reporting.synthetic import (
    CLI,
    CLOSES_AT,
    OPENS_AT,
    PROGRAMME,
    SYNTHETIC_DATASET,
    SYNTHETIC_YEAR,
    actor,
    make_accounts,
    report_store,
)
from tests.web.auth.conftest import build_app

KARI: Final = "kari@kommune.example"  # reporter, 5001
OLA: Final = "ola@kommune.example"  # reader, 5001
PER: Final = "per@kommune.example"  # reporter, 5006
ANNE: Final = "anne@husbanken.example"  # adviser, region Midt (county 50)
SIRI: Final = "siri@husbanken.example"  # analyst
ADMIN: Final = "admin@husbanken.example"

MEMBERS: Final = ("5001", "5006", "5007", "5014", "5020")  # SYNTHETIC membership (the real list is not published)
# SYNTHETIC counts of BL05 per member: about 20 before the programme (2010–2013), 20 in 2014, then falling by 1.5 a
# year to 12.5 in 2019 (−37.5 %): a break in the trend at the programme's start.
SYNTHETIC_BL05: Final = {
    **{year: 20.2 if year % 2 else 19.8 for year in range(2010, 2014)},
    **{year: 20.0 - 1.5 * (year - 2014) for year in range(2014, 2020)},
}
# SYNTHETIC non-members of county 50: five medium-sized (8 000 inhabitants) and one small (3 000: a size group of one,
# withheld), with about 10 of BL05 every year (no break). The members are large (25 000).
NON_MEMBERS: Final = ("5021", "5022", "5025", "5026", "5027", "5028")
SMALL_NON_MEMBER: Final = "5028"
SYNTHETIC_YEARS: Final = tuple(range(2010, 2020))


def synthetic_population(code: str) -> float:
    return 25_000.0 if code in MEMBERS else 3_000.0 if code == SMALL_NON_MEMBER else 8_000.0


OPEN_ANSWER: Final = "SYNTHETIC: vi har et boligsosialt team"
COMMENT: Final = "SYNTHETIC: godt arbeid med planen"
# An analyst's colour for the share without housing (grey by the rule: no value in 2019).
OVERRIDE: Final = OverrideKey(
    PROGRAMME, SYNTHETIC_YEAR, "mal_01_overgangsfase", "kp_sosialhjelp_uten_bolig", "BL06", "programme"
)
OVERRIDE_REASON: Final = "SYNTHETIC: kommunenes egne tall viser bedring"


def include_programme_report(app: FastAPI) -> None:
    """What the lead adds to web/app.py's create_app."""
    app.include_router(programme_report_router)


@dataclass
class ReportSite:
    app: FastAPI
    accounts: AccountStore
    reports: ReportStore
    round: ReportingRound

    def browser(self, email: str | None) -> TestClient:
        """A fresh browser, signed in as ``email`` (or nobody)."""
        client = TestClient(self.app)
        if email is not None:
            issued = self.accounts.sign_in_verified(email, method="oidc", client_address="testclient")
            assert isinstance(issued, IssuedSession)
            client.cookies.set(SESSION_COOKIE, issued.token, domain="testserver.local")
        return client

    @property
    def data(self) -> MonitorData:
        data: MonitorData = self.app.state.monitor.data
        return data

    def context(self, language: str = "nb") -> PageContext:
        return PageContext(
            language="nn" if language == "nn" else "en" if language == "en" else "nb", data=self.data, path="/"
        )


def synthetic_programme() -> Programme:
    """The package's programme with a SYNTHETIC member list (the real one is not published): five municipalities
    of county 50 from 2016."""
    members = tuple(
        Member(municipality=code, level="storbyprogram", start=date(2016, 1, 1), end=date(2020, 12, 31))
        for code in MEMBERS
    )
    return load_programme(PROGRAMME).model_copy(update={"members": members})


def put_statistics(store: Store) -> None:
    regions = [RegionRow("50", "SYNTHETIC fylke 50", "county")] + [
        RegionRow(code, f"SYNTHETIC kommune {code}", "municipality", parent_code="50")
        for code in (*MEMBERS, *NON_MEMBERS)
    ]
    observations = [
        Observation("BL05", code, year, value, None, None, "count", Status.OK, SYNTHETIC_DATASET.id)
        for code in MEMBERS
        for year, value in SYNTHETIC_BL05.items()
    ]
    observations += [
        Observation("BL05", code, year, 10.2 if year % 2 else 9.8, None, None, "count", Status.OK, SYNTHETIC_DATASET.id)
        for code in NON_MEMBERS
        for year in SYNTHETIC_YEARS
    ]
    observations += [
        Observation(
            "BEF01", code, year, synthetic_population(code), None, None, "count", Status.OK, SYNTHETIC_DATASET.id
        )
        for code in (*MEMBERS, *NON_MEMBERS)
        for year in SYNTHETIC_YEARS
    ]
    with store.write("build", "SYNTHETIC statistics for report tests") as writer:
        writer.put_regions(regions)
        writer.put_datasets([SYNTHETIC_DATASET])
        writer.put_observations(observations)


def submit_reports(reports: ReportStore, accounts: AccountStore, reporting: ReportingRound) -> None:
    answers = {
        "5001": {
            "antall_boliger": AnswerInput(number=3),
            "har_plan": AnswerInput(yes_no=True),
            "tiltak": AnswerInput(choices=("a",)),
            "samarbeid": AnswerInput(choices=("x", "y")),
            "aktiviteter": AnswerInput(text=OPEN_ANSWER),
        },
        "5006": {
            "antall_boliger": AnswerInput(number=1),
            "har_plan": AnswerInput(yes_no=False),
            "tiltak": AnswerInput(choices=("a",)),
            "samarbeid": AnswerInput(choices=("y",)),
        },
    }
    for code, given in answers.items():
        draft = reports.open_draft(reporting.id, code, actor=CLI)
        saved = reports.autosave(draft.id, draft.version, given, actor=CLI)
        reports.submit(saved.id, saved.version, actor=CLI)
    report = reports.report_for(reporting.id, "5001")
    assert report is not None
    reports.comment(report.id, COMMENT, actor=actor(accounts, ANNE))
    reports.save_override(OVERRIDE, "yellow", OVERRIDE_REASON, actor=actor(accounts, SIRI))


@contextmanager
def built_site(url: str) -> Iterator[ReportSite]:
    """The SYNTHETIC site on the empty database at ``url``."""
    engine = create_engine_for(url)
    migrate(engine)
    put_statistics(Store(engine))
    clock = FakeClock()
    accounts = make_accounts(engine, clock)
    accounts.create_account(ADMIN, "administrator", actor=CLI)
    reports = report_store(engine, clock)
    reporting = reports.create_round(PROGRAMME, SYNTHETIC_YEAR, opens_at=OPENS_AT, closes_at=CLOSES_AT, actor=CLI)
    submit_reports(reports, accounts, reporting)
    app = build_app(url, accounts)
    app.state.reporting = reports
    app.state.programmes = {PROGRAMME: synthetic_programme()}  # web/views/programme reads it (PROGRAMMES_STATE)
    app.include_router(reporting_router)
    include_programme_report(app)
    with TestClient(app):  # the app's lifespan (the monitor's data) for the browsers made per test
        yield ReportSite(app, accounts, reports, reporting)
    engine.dispose()


@pytest.fixture(scope="module")
def report_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ReportSite]:
    path: Path = tmp_path_factory.mktemp("programme-report") / "site.sqlite"
    with built_site(f"sqlite:///{path}") as site:
        yield site


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def site_on_each_database(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ReportSite]:
    """The same SYNTHETIC site on SQLite and on PostgreSQL, once per module: for the authorisation matrix, which
    issue 14 asks of both databases."""
    if request.param == "sqlite":
        path: Path = tmp_path_factory.mktemp("programme-report-matrix") / "site.sqlite"
        url = f"sqlite:///{path}"
    else:
        url = request.getfixturevalue("module_postgres_url")
    with built_site(url) as site:
        yield site
