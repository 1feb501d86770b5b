"""Faults the fake SSB server injects, chosen per request by a counter or a seeded random generator."""

from __future__ import annotations

import random
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Generic, TypeVar


class FaultKind(StrEnum):
    RATE_LIMITED = "rate_limited"  # HTTP 429 with Retry-After
    SERVER_ERROR = "server_error"  # HTTP 500
    BAD_GATEWAY = "bad_gateway"  # HTTP 502
    UNAVAILABLE = "unavailable"  # HTTP 503
    SLOW = "slow"  # the normal answer after `delay` seconds
    TIMEOUT = "timeout"  # no answer: the connection is held for `delay` seconds (or until the server stops)
    TRUNCATED = "truncated"  # full Content-Length announced, half the body sent, then the connection closed
    WRONG_CONTENT_TYPE = "wrong_content_type"  # HTTP 200 with a text/html error page
    CONNECTION_RESET = "connection_reset"  # the connection is reset (TCP RST) before any answer


@dataclass(frozen=True)
class Fault:
    """One fault. `delay` is the wait for SLOW and the hold time for TIMEOUT; `retry_after` is for 429."""

    kind: FaultKind
    delay: float = 0.0
    retry_after: int | None = 1

    @classmethod
    def rate_limited(cls, retry_after: int | None = 1) -> Fault:
        return cls(FaultKind.RATE_LIMITED, retry_after=retry_after)

    @classmethod
    def slow(cls, delay: float) -> Fault:
        return cls(FaultKind.SLOW, delay=delay)

    @classmethod
    def timeout(cls, hold: float = 5.0) -> Fault:
        return cls(FaultKind.TIMEOUT, delay=hold)


STATUS_FOR_KIND: Mapping[FaultKind, int] = {
    FaultKind.RATE_LIMITED: 429,
    FaultKind.SERVER_ERROR: 500,
    FaultKind.BAD_GATEWAY: 502,
    FaultKind.UNAVAILABLE: 503,
}


F = TypeVar("F")


class NumberedFaults(Generic[F]):
    """Which fault (if any) the n-th counted request gets, n counting from 1: fixed numbers first, else a draw
    that depends only on the seed and n, so a seeded run is reproducible. Shared by the fake SSB server's and
    the fake Qlik engine's fault plans, which differ only in which requests they count."""

    def __init__(
        self,
        *,
        by_number: Mapping[int, F] | None = None,
        seed: int | None = None,
        probabilities: Sequence[tuple[F, float]] = (),
    ) -> None:
        total = sum(probability for _, probability in probabilities)
        if total > 1.0 or any(probability < 0 for _, probability in probabilities):
            raise ValueError("fault probabilities must be non-negative and sum to at most 1")
        if probabilities and seed is None:
            raise ValueError("a random fault plan needs a seed")
        self._by_number = dict(by_number or {})
        self._seed = seed
        self._probabilities = list(probabilities)
        self._lock = threading.Lock()
        self._count = 0

    @property
    def counted(self) -> int:
        with self._lock:
            return self._count

    def count_next(self) -> F | None:
        """Count one more matching request and return its fault."""
        with self._lock:
            self._count += 1
            number = self._count
        return self.fault_for(number)

    def fault_for(self, number: int) -> F | None:
        """The fault of the n-th matching request; pure, so tests can predict a seeded plan."""
        if number in self._by_number:
            return self._by_number[number]
        if not self._probabilities:
            return None
        draw = random.Random(f"{self._seed}:{number}").random()
        cumulative = 0.0
        for fault, probability in self._probabilities:
            cumulative += probability
            if draw < cumulative:
                return fault
        return None


class FaultPlan(NumberedFaults[Fault]):
    """Which fault (if any) the n-th matching request gets (n counts from 1).

    Build one with `at` (fixed request numbers), `sequence` (the first requests in order) or `seeded`
    (independent draws with given probabilities). The draw for request n depends only on the seed and n,
    so a run is reproducible. `path_contains` restricts the plan (and its counter) to matching paths.
    """

    def __init__(
        self,
        *,
        by_number: Mapping[int, Fault] | None = None,
        seed: int | None = None,
        probabilities: Sequence[tuple[Fault, float]] = (),
        path_contains: str | None = None,
    ) -> None:
        super().__init__(by_number=by_number, seed=seed, probabilities=probabilities)
        self.path_contains = path_contains

    @classmethod
    def at(cls, faults: Mapping[int, Fault], path_contains: str | None = None) -> FaultPlan:
        return cls(by_number=faults, path_contains=path_contains)

    @classmethod
    def sequence(cls, faults: Sequence[Fault | None], path_contains: str | None = None) -> FaultPlan:
        numbered = {number: fault for number, fault in enumerate(faults, start=1) if fault is not None}
        return cls(by_number=numbered, path_contains=path_contains)

    @classmethod
    def seeded(
        cls, seed: int, probabilities: Sequence[tuple[Fault, float]], path_contains: str | None = None
    ) -> FaultPlan:
        return cls(seed=seed, probabilities=probabilities, path_contains=path_contains)

    @property
    def requests_seen(self) -> int:
        return self.counted

    def next_fault(self, path: str) -> Fault | None:
        """Count this request (if it matches) and return its fault."""
        if self.path_contains is not None and self.path_contains not in path:
            return None
        return self.count_next()
