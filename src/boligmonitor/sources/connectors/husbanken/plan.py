"""What a fetch would ask the engine, without connecting (for ``boligmonitor fetch --plan``).

The number of ``GetHyperCubeData`` pages is known only after ``GetLayout`` reports ``qcy``; the plan estimates it
from a definition's ``expected_rows`` (documented or estimated in ``definitions.yaml``) and says so.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from boligmonitor.sources.connectors.husbanken.definitions import (
    PAGE_CELLS,
    CubeDefinition,
    Definitions,
    load_definitions,
)
from boligmonitor.sources.connectors.husbanken.hypercube import app_url


@dataclass(frozen=True)
class PlannedCall:
    """``count`` calls of ``method`` (an estimate when ``estimated``); ``definition`` None for the session's own."""

    definition: str | None
    method: str
    count: int
    estimated: bool = False
    note: str = ""


@dataclass(frozen=True)
class HusbankenPlan:
    url: str
    calls: tuple[PlannedCall, ...]
    skipped: tuple[str, ...]  # definitions left out, with why
    unknown_pages: tuple[str, ...]  # definitions whose page count cannot be estimated

    @property
    def request_count(self) -> int:
        """JSON-RPC calls planned (page counts estimated where the size is not known before GetLayout)."""
        return sum(call.count for call in self.calls)

    def describe(self) -> list[str]:
        lines = [f"Husbanken Statistikkbank (Qlik Engine API) at {self.url}: one WebSocket session"]
        for call in self.calls:
            who = f"{call.definition}: " if call.definition else ""
            about = "about " if call.estimated else ""
            note = f" ({call.note})" if call.note else ""
            lines.append(f"  {who}{about}{call.count} x {call.method}{note}")
        estimated = any(call.estimated for call in self.calls)
        lines.append(f"{self.request_count} JSON-RPC calls" + (" (page counts estimated)" if estimated else ""))
        lines.extend(f"  pages unknown until GetLayout: {name}" for name in self.unknown_pages)
        lines.extend(f"  not fetched: {reason}" for reason in self.skipped)
        return lines


def plan_husbanken(
    base_url: str,
    *,
    definitions: Definitions | None = None,
    include_unconfirmed: bool = False,
    only: Sequence[str] | None = None,
    page_cells: int = PAGE_CELLS,
) -> HusbankenPlan:
    """The calls :func:`~boligmonitor.sources.connectors.husbanken.fetch.fetch_husbanken_cubes` would make."""
    definitions = definitions if definitions is not None else load_definitions()
    selected = definitions.selected(include_unconfirmed=include_unconfirmed, only=only)
    skipped = tuple(
        f"{cube.id} (not confirmed against the live app)"
        for cube in definitions.selected(include_unconfirmed=True, only=only)
        if cube not in selected
    )
    calls = [
        PlannedCall(None, "OpenDoc", 1, note=definitions.app.id),
        PlannedCall(None, "GetAppLayout", 1, note="qLastReloadTime, the data vintage"),
    ]
    unknown: list[str] = []
    for cube in selected:
        calls.extend(_cube_calls(cube, page_cells))
        if cube.expected_rows is None:
            unknown.append(cube.id)
    return HusbankenPlan(app_url(base_url, definitions.app.id), tuple(calls), skipped, tuple(unknown))


def _cube_calls(cube: CubeDefinition, page_cells: int) -> list[PlannedCall]:
    height = cube.page_height(page_cells)
    calls = [
        PlannedCall(cube.id, "CreateSessionObject", 1, note=f"{cube.width} columns, pages of {height} rows"),
        PlannedCall(cube.id, "GetLayout", 1, note="qSize and the first page"),
    ]
    if cube.expected_rows is not None:
        pages = max(0, math.ceil(cube.expected_rows / height) - 1)
        basis = cube.expected_rows_basis or "expected_rows"
        calls.append(
            PlannedCall(cube.id, "GetHyperCubeData", pages, estimated=True, note=f"{cube.expected_rows} rows: {basis}")
        )
    calls.append(PlannedCall(cube.id, "DestroySessionObject", 1))
    return calls
