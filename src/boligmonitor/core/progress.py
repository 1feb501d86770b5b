"""A tiny progress interface, so long work can report progress without knowing about terminals."""

from __future__ import annotations

from typing import Protocol


class Progress(Protocol):
    def stage(self, description: str, total: int | None = None) -> None:
        """Start a new stage of work with an optional number of steps."""

    def advance(self, steps: int = 1) -> None:
        """Mark steps of the current stage as done."""


class NoProgress:
    """Progress that goes nowhere (tests, library use)."""

    def stage(self, description: str, total: int | None = None) -> None:
        return None

    def advance(self, steps: int = 1) -> None:
        return None
