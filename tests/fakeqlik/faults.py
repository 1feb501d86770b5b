"""Faults the fake Qlik engine injects, chosen per call by its number or by a seeded random draw."""

from __future__ import annotations

import random
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum


class QlikFaultKind(StrEnum):
    DISCONNECT = "disconnect"  # the TCP connection is cut instead of an answer (e.g. in the middle of paging)
    TOO_LARGE = "too_large"  # error 7009: a JSON-RPC error for a page, qHyperCube.qError for a layout
    SLOW = "slow"  # the normal answer after `delay` seconds
    MALFORMED = "malformed"  # half a JSON message, then the connection stays open


@dataclass(frozen=True)
class QlikFault:
    kind: QlikFaultKind
    delay: float = 0.0

    @classmethod
    def disconnect(cls) -> QlikFault:
        return cls(QlikFaultKind.DISCONNECT)

    @classmethod
    def too_large(cls) -> QlikFault:
        return cls(QlikFaultKind.TOO_LARGE)

    @classmethod
    def slow(cls, delay: float) -> QlikFault:
        return cls(QlikFaultKind.SLOW, delay=delay)

    @classmethod
    def malformed(cls) -> QlikFault:
        return cls(QlikFaultKind.MALFORMED)


class QlikFaultPlan:
    """Which fault (if any) the n-th matching call gets (n counts from 1, over all connections).

    ``method`` restricts the plan (and its counter) to one JSON-RPC method, e.g. ``GetHyperCubeData``. A seeded
    plan draws each call's fault from the seed and n alone, so a run is reproducible.
    """

    def __init__(
        self,
        *,
        by_number: Mapping[int, QlikFault] | None = None,
        seed: int | None = None,
        probabilities: Sequence[tuple[QlikFault, float]] = (),
        method: str | None = None,
    ) -> None:
        if sum(p for _, p in probabilities) > 1.0 or any(p < 0 for _, p in probabilities):
            raise ValueError("fault probabilities must be non-negative and sum to at most 1")
        if probabilities and seed is None:
            raise ValueError("a random fault plan needs a seed")
        self._by_number = dict(by_number or {})
        self._seed = seed
        self._probabilities = list(probabilities)
        self.method = method
        self._lock = threading.Lock()
        self._count = 0

    @classmethod
    def at(cls, faults: Mapping[int, QlikFault], method: str | None = None) -> QlikFaultPlan:
        return cls(by_number=faults, method=method)

    @classmethod
    def always(cls, fault: QlikFault, method: str | None = None) -> QlikFaultPlan:
        return cls(seed=0, probabilities=[(fault, 1.0)], method=method)

    @classmethod
    def seeded(
        cls, seed: int, probabilities: Sequence[tuple[QlikFault, float]], method: str | None = None
    ) -> QlikFaultPlan:
        return cls(seed=seed, probabilities=probabilities, method=method)

    @property
    def calls_seen(self) -> int:
        with self._lock:
            return self._count

    def next_fault(self, method: str) -> QlikFault | None:
        if self.method is not None and method != self.method:
            return None
        with self._lock:
            self._count += 1
            number = self._count
        return self.fault_for(number)

    def fault_for(self, number: int) -> QlikFault | None:
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
