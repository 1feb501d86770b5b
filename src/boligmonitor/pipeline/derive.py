"""Sum the cells of a cube that a catalogue selection names, per region and year.

A selection names one measure (ContentsCode) and, for every other dimension except region and time, the
categories to add up. The sum keeps SSB's status rules: if any contributing cell has no number (``..``,
``:`` …) the sum has no number either and carries the most restrictive status; it is never computed as if
the cell were 0.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import numpy.typing as npt

from boligmonitor.catalog.models import CodeRange, Selection
from boligmonitor.core.flags import Flag, Harmonisation
from boligmonitor.core.regions import normalise_region_code
from boligmonitor.core.status import Status
from boligmonitor.sources.connectors.ssb.kostra_regions import (
    PRICE_AREA_VARIABLES,
    monitor_region_code,
    price_area_regions,
)
from boligmonitor.sources.cube import Cube, Dimension, FlagRuns

# Status symbols ordered by restrictiveness; index = severity code used in the numpy arrays below.
_BY_SEVERITY: list[Status] = [
    Status.OK,
    Status.PRELIMINARY,
    Status.NOT_YET_AVAILABLE,
    Status.MISSING,
    Status.NOT_APPLICABLE,
    Status.CONFIDENTIAL,
]
_SEVERITY_OF: dict[Status, int] = {s: i for i, s in enumerate(_BY_SEVERITY)} | {Status.NIL: 0}
_HARMONISATION_NAMES = {h.value: h for h in Harmonisation}
_FLAG_NAMES = {f.value: f for f in Flag}


class RecipeError(ValueError):
    """A selection that does not fit the cube it is applied to (a catalogue or input problem)."""


@dataclass(frozen=True)
class Aggregate:
    """The sum of the selected cells for one region and year."""

    value: float | None
    status: Status
    harmonisation: Harmonisation
    flags: frozenset[Flag]


@dataclass(frozen=True)
class Derived:
    """Aggregates keyed by (canonical region code, year)."""

    dataset: str
    cells: dict[tuple[str, int], Aggregate]


def _selected_positions(dim: Dimension, choice: Sequence[str] | CodeRange | str, dataset: str) -> list[int]:
    if choice == "all":
        return list(range(dim.size))
    if isinstance(choice, CodeRange):
        positions = [i for i, code in enumerate(dim.codes) if choice.contains(code)]
        if not positions:
            raise RecipeError(f"{dataset}: no category of {dim.id!r} lies in {choice.from_code}–{choice.to_code}")
        return positions
    if isinstance(choice, str):
        raise RecipeError(f"{dataset}: selection for {dim.id!r} must be a list, a range or 'all'")
    missing = [code for code in choice if code not in dim.codes]
    if missing:
        raise RecipeError(f"{dataset}: {dim.id!r} has no categories {missing}; it has {list(dim.codes)[:20]}")
    return [dim.index_of(code) for code in choice]


def _year_of(code: str, dataset: str) -> int:
    if len(code) == 4 and code.isdigit():
        return int(code)
    raise RecipeError(
        f"{dataset}: time code {code!r} is not a year; a quarterly table needs the recipe's periods: mean_of_quarters"
    )


_QUARTER = re.compile(r"^(\d{4})K([1-4])$")


def _quarter_of(code: str, dataset: str) -> tuple[int, int]:
    """SSB's quarter code ``2024K1`` as (2024, 1)."""
    found = _QUARTER.match(code)
    if found is None:
        raise RecipeError(f"{dataset}: time code {code!r} is not a quarter (like 2024K1), as the recipe's periods say")
    return int(found.group(1)), int(found.group(2))


def _region_codes(geo: Dimension) -> list[str | None]:
    """The monitor's codes of the region dimension's categories: SSB's forms normalised, and a national row whose
    code has no known form but whose label says "Hele landet" (price regions' ``TOTAL``, price zones' ``00``) as
    Norway. The price areas of a price-area variable are None: known to be no region (the build reports any other
    unknown code)."""
    if geo.id in PRICE_AREA_VARIABLES:
        return list(price_area_regions(geo.labels))
    return [
        monitor_region_code(code, label) or normalise_region_code(code)
        for code, label in zip(geo.codes, geo.labels, strict=True)
    ]


class PreparedCube:
    """A cube turned into numpy arrays once, so that many selections can be summed quickly."""

    _FLAG_BITS: ClassVar[dict[Flag, int]] = {flag: 1 << i for i, flag in enumerate(Flag)}
    _HARMONISATION_ORDER: ClassVar[list[Harmonisation]] = list(Harmonisation)

    def __init__(self, cube: Cube, dataset: str) -> None:
        self.cube = cube
        self.dataset = dataset
        self._flags_of_bits: dict[int, frozenset[Flag]] = {}
        shape = cube.shape
        values = np.array([np.nan if v is None else v for v in cube.values], dtype=np.float64)
        severity = np.zeros(len(cube.values), dtype=np.int8)
        for index, status in cube.status.items():
            severity[index] = _SEVERITY_OF[status]
            if not status.has_value:
                values[index] = np.nan
        harmonisation = np.zeros(len(cube.values), dtype=np.int8)
        flag_bits = np.zeros(len(cube.values), dtype=np.int32)
        for start, length, names in FlagRuns.from_mapping(cube.flags).runs:
            rank, bits = self._encode(names)
            block = slice(start, start + length)
            np.maximum(harmonisation[block], rank, out=harmonisation[block])
            flag_bits[block] |= bits
        self.values = values.reshape(shape)
        self.severity = severity.reshape(shape)
        self.harmonisation = harmonisation.reshape(shape)
        self.flag_bits = flag_bits.reshape(shape)

    def _encode(self, names: Sequence[str]) -> tuple[int, int]:
        """Flag names as (harmonisation rank, flag bit mask)."""
        rank, bits = 0, 0
        for name in names:
            if name in _HARMONISATION_NAMES:
                rank = max(rank, self._HARMONISATION_ORDER.index(_HARMONISATION_NAMES[name]))
            elif name in _FLAG_NAMES:
                bits |= self._FLAG_BITS[_FLAG_NAMES[name]]
            else:
                raise RecipeError(f"{self.dataset}: unknown per-cell flag {name!r}")
        return rank, bits

    def flags_from_bits(self, bits: int) -> frozenset[Flag]:
        found = self._flags_of_bits.get(bits)
        if found is None:
            found = frozenset(flag for flag, bit in self._FLAG_BITS.items() if bits & bit)
            self._flags_of_bits[bits] = found
        return found


def selected_positions(cube: Cube, selection: Selection) -> list[list[int]]:
    """For each dimension of ``cube``, the positions of the categories ``selection`` sums (every region and
    time); raises RecipeError when the selection does not fit the cube."""
    dataset = selection.dataset
    geo, time, metric = cube.geo_dimension(), cube.time_dimension(), cube.metric_dimension()
    if geo is None or time is None:
        raise RecipeError(f"{dataset}: the cube has no region or no time dimension")
    unknown = set(selection.select) - {d.id for d in cube.dimensions}
    if unknown:
        raise RecipeError(f"{dataset}: the cube has no dimensions {sorted(unknown)}")
    positions: list[list[int]] = []
    for dim in cube.dimensions:
        if dim is geo or dim is time:
            positions.append(list(range(dim.size)))
        elif dim is metric:
            if selection.measure is None:
                if dim.size != 1:
                    raise RecipeError(f"{dataset}: the selection must name a measure of {list(dim.codes)}")
                positions.append([0])
            else:
                positions.append(_selected_positions(dim, [selection.measure], dataset))
        elif dim.id in selection.select:
            positions.append(_selected_positions(dim, selection.select[dim.id], dataset))
        elif dim.size == 1:
            positions.append([0])
        else:
            raise RecipeError(
                f"{dataset}: the selection does not say which categories of {dim.id!r} to use "
                f"({dim.size} categories); name them or use 'all'"
            )
    return positions


def derive(prepared: PreparedCube, selection: Selection) -> Derived:
    """Apply ``selection`` to a prepared cube: one aggregate per region and year."""
    cube = prepared.cube
    dataset = selection.dataset
    positions = selected_positions(cube, selection)
    geo, time = cube.geo_dimension(), cube.time_dimension()
    assert geo is not None  # selected_positions checked both
    assert time is not None
    grid = np.ix_(*[np.asarray(p, dtype=np.intp) for p in positions])
    axes = (cube.dimensions.index(geo), cube.dimensions.index(time))

    def per_region_year(array: npt.NDArray[Any]) -> npt.NDArray[Any]:
        return np.moveaxis(array[grid], axes, (0, 1)).reshape(geo.size, time.size, -1)

    sums = per_region_year(prepared.values).sum(axis=2)  # NaN wherever a contributing cell has no number
    worst = per_region_year(prepared.severity).max(axis=2)
    harmonisation = per_region_year(prepared.harmonisation).max(axis=2)
    flag_bits = np.bitwise_or.reduce(per_region_year(prepared.flag_bits), axis=2)

    regions = _region_codes(geo)
    if selection.periods == "mean_of_quarters":
        sums, worst, harmonisation, flag_bits, years = _mean_of_quarters(
            sums, worst, harmonisation, flag_bits, time.codes, dataset
        )
    else:
        years = [_year_of(code, dataset) for code in time.codes]
    order = PreparedCube._HARMONISATION_ORDER
    # Plain Python lists: indexing numpy arrays element by element is slow.
    sums_list, worst_list = sums.tolist(), worst.tolist()
    harmonisation_list, bits_list = harmonisation.tolist(), flag_bits.tolist()
    cells: dict[tuple[str, int], Aggregate] = {}
    for g, region in enumerate(regions):
        if region is None:
            continue
        for t, year in enumerate(years):
            total = sums_list[g][t]
            status = _BY_SEVERITY[worst_list[g][t]]
            has_number = total == total and status.has_value  # NaN != NaN
            if not has_number and status.has_value:
                status = Status.MISSING  # a null value without a symbol is missing, never 0
            cells[(region, year)] = Aggregate(
                value=total if has_number else None,
                status=status,
                harmonisation=order[harmonisation_list[g][t]],
                flags=prepared.flags_from_bits(bits_list[g][t]),
            )
    return Derived(dataset=dataset, cells=cells)


def _mean_of_quarters(
    sums: npt.NDArray[Any],
    worst: npt.NDArray[Any],
    harmonisation: npt.NDArray[Any],
    flag_bits: npt.NDArray[Any],
    time_codes: Sequence[str],
    dataset: str,
) -> tuple[npt.NDArray[Any], npt.NDArray[Any], npt.NDArray[Any], npt.NDArray[Any], list[int]]:
    """Per region, each year's mean of its four quarters (arrays region x year). A year the table does not have all
    four quarters of is left out: its mean would describe part of the year. A quarter without a number leaves the
    year without one, with the quarter's status (never a mean of three)."""
    quarters_of: dict[int, list[int]] = {}
    for position, code in enumerate(time_codes):
        year, _ = _quarter_of(code, dataset)
        quarters_of.setdefault(year, []).append(position)
    years = sorted(year for year, positions in quarters_of.items() if len(positions) == 4)
    columns = [np.asarray(quarters_of[year], dtype=np.intp) for year in years]
    if not columns:
        empty = np.zeros((sums.shape[0], 0))
        return empty, empty.astype(np.int8), empty.astype(np.int8), empty.astype(np.int32), []
    means = np.stack([sums[:, c].mean(axis=1) for c in columns], axis=1)  # NaN if any quarter has no number
    worst_per_year = np.stack([worst[:, c].max(axis=1) for c in columns], axis=1)
    harmonisation_per_year = np.stack([harmonisation[:, c].max(axis=1) for c in columns], axis=1)
    bits_per_year = np.stack([np.bitwise_or.reduce(flag_bits[:, c], axis=1) for c in columns], axis=1)
    return means, worst_per_year, harmonisation_per_year, bits_per_year, years
