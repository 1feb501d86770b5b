"""SYNTHETIC test material for accounts and access: made-up people (e-mail addresses under .example), made-up
adviser regions, a clock the tests move, and a cheap argon2id hasher (the real parameters cost 64 MiB and tens of
milliseconds per hash). Shared by tests/store/accounts and tests/web/auth."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Final

from argon2 import PasswordHasher, profiles

from boligmonitor.store.accounts import Passwords

SYNTHETIC_START: Final = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
SYNTHETIC_PASSWORD: Final = "synthetic correct horse battery staple"

# Made-up adviser regions: Midt holds county 50 (so 5001 and 5006), Øst holds Oslo (0301). Not Husbanken's own.
SYNTHETIC_REGIONS: Final = {"Midt (synthetic)": frozenset({"50"}), "Øst (synthetic)": frozenset({"0301", "32"})}
OWN_MUNICIPALITY: Final = "5001"  # the municipal roles' own municipality, in region Midt
OTHER_MUNICIPALITY: Final = "5006"  # another municipality of region Midt
OTHER_REGION_MUNICIPALITY: Final = "0301"  # a municipality of region Øst


class FakeClock:
    """Time that stands still until a test moves it on."""

    def __init__(self, start: datetime = SYNTHETIC_START) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


def cheap_passwords() -> Passwords:
    """argon2id with the cheapest parameters: the same code path, a thousandth of the cost."""
    return Passwords(PasswordHasher.from_parameters(profiles.CHEAPEST))
