"""A reporting store over each backend's fresh, migrated database (tests/store/conftest.py), with SYNTHETIC
statistics, people, a round of the SYNTHETIC form, and a clock the test moves."""

from __future__ import annotations

import pytest

from boligmonitor.store import Store
from boligmonitor.store.accounts import AccountStore
from boligmonitor.store.reporting import ReportingRound, ReportStore
from tests.store.accounts.synthetic import FakeClock
from tests.store.reporting.synthetic import (
    CLI,
    CLOSES_AT,
    OPENS_AT,
    PROGRAMME,
    SYNTHETIC_YEAR,
    make_accounts,
    put_synthetic_statistics,
    report_store,
)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def accounts(store: Store, clock: FakeClock) -> AccountStore:
    return make_accounts(store.engine, clock)


@pytest.fixture
def data_version(store: Store) -> int:
    return put_synthetic_statistics(store)


@pytest.fixture
def reports(store: Store, clock: FakeClock, accounts: AccountStore, data_version: int) -> ReportStore:
    return report_store(store.engine, clock)


@pytest.fixture
def synthetic_round(reports: ReportStore) -> ReportingRound:
    return reports.create_round(PROGRAMME, SYNTHETIC_YEAR, opens_at=OPENS_AT, closes_at=CLOSES_AT, actor=CLI)
