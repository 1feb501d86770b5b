"""A coding store beside the reporting store of tests/store/reporting/conftest.py (SQLite and PostgreSQL), with a
SYNTHETIC submitted report for each of 5001, 5006 and 0301."""

from __future__ import annotations

import pytest

from boligmonitor.store import Store
from boligmonitor.store.reporting import ReportingRound, ReportStore
from boligmonitor.store.reporting.coding import CodingStore
from tests.store.accounts.synthetic import FakeClock
from tests.store.reporting.coding.synthetic_coding import TEXTS, submitted


@pytest.fixture
def coding(store: Store, clock: FakeClock) -> CodingStore:
    return CodingStore(store.engine, clock=clock)


@pytest.fixture
def answered(reports: ReportStore, synthetic_round: ReportingRound) -> dict[str, int]:
    """Each SYNTHETIC municipality's submitted report id."""
    return {code: submitted(reports, synthetic_round.id, code, text).id for code, text in TEXTS.items()}
