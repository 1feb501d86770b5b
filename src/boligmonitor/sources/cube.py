"""A statistical cube: dimensions with codes and labels, values with status symbols.

Every reader (JSON-stat, statbank CSV, a live API) produces a :class:`Cube`. Values are stored row-major
over ``dimensions`` (last dimension fastest), exactly as JSON-stat orders them.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from boligmonitor.core.status import Status

# Dimension ids that name the region dimension when a table has no `role.geo` (SSB v0 tables often do not).
# `Soner2` is the rental market survey's price zones (09895: `00` Hele landet, `01` Oslo og Bærum, ...; ssb-api.md
# §8.5): only its national row is a region of the monitor.
REGION_DIMENSION_NAMES = ("Region", "KOKkommuneregion0000", "KOKbydelsregion0000", "KOKfylkesregion0000", "Soner2")
TIME_DIMENSION_NAMES = ("Tid", "Time", "Year", "År")
METRIC_DIMENSION_NAMES = ("ContentsCode",)


class FlagRuns(Mapping[int, tuple[str, ...]]):
    """Per-cell flags stored as runs of consecutive cells that share the same flags.

    Flags usually apply to whole blocks of a cube (every age of one municipality and year), so a run
    ``(start, length, names)`` replaces thousands of per-cell entries. Behaves as a read-only mapping from
    flat index to flag names.
    """

    def __init__(self, runs: Iterable[tuple[int, int, tuple[str, ...]]]) -> None:
        ordered = sorted((start, length, tuple(names)) for start, length, names in runs if length > 0 and names)
        previous_end = 0
        for start, length, _ in ordered:
            if start < previous_end:
                raise ValueError(f"flag runs overlap at cell {start}")
            previous_end = start + length
        self.runs: tuple[tuple[int, int, tuple[str, ...]], ...] = tuple(ordered)
        self._starts = [start for start, _, _ in self.runs]

    @classmethod
    def from_mapping(cls, flags: Mapping[int, Sequence[str]]) -> FlagRuns:
        if isinstance(flags, FlagRuns):
            return flags
        runs: list[tuple[int, int, tuple[str, ...]]] = []
        for index in sorted(flags):
            names = tuple(flags[index])
            if not names:
                continue
            if runs and runs[-1][0] + runs[-1][1] == index and runs[-1][2] == names:
                start, length, _ = runs[-1]
                runs[-1] = (start, length + 1, names)
            else:
                runs.append((index, 1, names))
        return cls(runs)

    def __getitem__(self, index: int) -> tuple[str, ...]:
        position = bisect.bisect_right(self._starts, index) - 1
        if position >= 0:
            start, length, names = self.runs[position]
            if index < start + length:
                return names
        raise KeyError(index)

    def __iter__(self) -> Iterator[int]:
        for start, length, _ in self.runs:
            yield from range(start, start + length)

    def __len__(self) -> int:
        return sum(length for _, length, _ in self.runs)


@dataclass(frozen=True)
class Unit:
    base: str
    decimals: int | None = None


@dataclass(frozen=True)
class Dimension:
    id: str
    label: str
    codes: tuple[str, ...]
    labels: tuple[str, ...]
    role: str | None = None  # "time", "geo", "metric" or None
    units: Mapping[str, Unit] = field(default_factory=dict)  # per category code (metric dimension)
    extension: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if len(self.codes) != len(self.labels):
            raise ValueError(f"dimension {self.id!r}: {len(self.codes)} codes but {len(self.labels)} labels")
        if len(set(self.codes)) != len(self.codes):
            raise ValueError(f"dimension {self.id!r}: duplicate category codes")

    @property
    def size(self) -> int:
        return len(self.codes)

    def index_of(self, code: str) -> int:
        return self.codes.index(code)

    def label_of(self, code: str) -> str:
        return self.labels[self.codes.index(code)]


@dataclass(frozen=True)
class Cell:
    codes: tuple[str, ...]  # one category code per dimension, in dimension order
    value: float | None
    status: Status
    flags: tuple[str, ...] = ()


@dataclass
class Cube:
    """A whole dataset. ``values[i]`` is None exactly when the cell has no number.

    ``status`` and ``flags`` are sparse: flat index -> symbol / flag names, only for cells that have them.
    ``flags`` holds boligmonitor's own per-cell flags (see :mod:`boligmonitor.core.flags`), read from the
    JSON-stat extension ``extension.boligmonitor.flags`` when present.
    """

    dimensions: Sequence[Dimension]
    values: Sequence[float | None]
    status: Mapping[int, Status] = field(default_factory=dict)
    flags: Mapping[int, tuple[str, ...]] = field(default_factory=dict)
    label: str = ""
    source: str = ""
    updated: str | None = None
    notes: Sequence[str] = ()
    mandatory_notes: Sequence[int] = ()  # positions in `notes` that must be shown with the data
    extension: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        expected = 1
        for dim in self.dimensions:
            expected *= dim.size
        if len(self.values) != expected:
            raise ValueError(f"cube has {len(self.values)} values but its dimensions give {expected}")

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(d.id for d in self.dimensions)

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(d.size for d in self.dimensions)

    def dimension(self, dimension_id: str) -> Dimension:
        for dim in self.dimensions:
            if dim.id == dimension_id:
                return dim
        raise KeyError(dimension_id)

    def _by_role(self, role: str, names: tuple[str, ...]) -> Dimension | None:
        for dim in self.dimensions:
            if dim.role == role:
                return dim
        for dim in self.dimensions:
            if dim.id in names:
                return dim
        return None

    def geo_dimension(self) -> Dimension | None:
        """The region dimension: by `role.geo`, else by SSB's usual names."""
        return self._by_role("geo", REGION_DIMENSION_NAMES)

    def time_dimension(self) -> Dimension | None:
        return self._by_role("time", TIME_DIMENSION_NAMES)

    def metric_dimension(self) -> Dimension | None:
        return self._by_role("metric", METRIC_DIMENSION_NAMES)

    def status_at(self, flat_index: int) -> Status:
        return self.status.get(flat_index, Status.OK)

    def flat_index(self, indices: Sequence[int]) -> int:
        flat = 0
        for dim, i in zip(self.dimensions, indices, strict=True):
            flat = flat * dim.size + i
        return flat

    def cells(self) -> Iterator[Cell]:
        """Every cell in row-major order, with its category codes, value, status and flags."""
        sizes = self.shape
        n_dims = len(sizes)
        indices = [0] * n_dims
        code_lists = [d.codes for d in self.dimensions]
        for flat, value in enumerate(self.values):
            yield Cell(
                codes=tuple(code_lists[k][indices[k]] for k in range(n_dims)),
                value=value,
                status=self.status.get(flat, Status.OK),
                flags=self.flags.get(flat, ()),
            )
            for k in range(n_dims - 1, -1, -1):
                indices[k] += 1
                if indices[k] < sizes[k]:
                    break
                indices[k] = 0
