"""Faults the fake Qlik engine injects, chosen per call by its number or by a seeded random draw."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from tests.fakessb.faults import NumberedFaults


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


class QlikFaultPlan(NumberedFaults[QlikFault]):
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
        super().__init__(by_number=by_number, seed=seed, probabilities=probabilities)
        self.method = method

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
        return self.counted

    def next_fault(self, method: str) -> QlikFault | None:
        if self.method is not None and method != self.method:
            return None
        return self.count_next()
