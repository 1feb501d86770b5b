"""An account store over each backend's fresh, migrated database (tests/store/conftest.py), with a cheap hasher
and a clock the test moves."""

from __future__ import annotations

import pytest

from boligmonitor.store import Store
from boligmonitor.store.accounts import AccountStore
from tests.store.accounts.synthetic import FakeClock, cheap_passwords


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def accounts(store: Store, clock: FakeClock) -> AccountStore:
    return AccountStore(store.engine, passwords=cheap_passwords(), clock=clock)
