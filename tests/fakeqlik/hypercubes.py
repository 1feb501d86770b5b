"""The hypercubes the fake engine serves: the real recorded one, and SYNTHETIC ones for every other definition.

A source answers two questions: how many rows (``qcy``) and what the cells of rows ``top`` … ``top+height-1`` are,
as the engine's JSON cell objects. Synthetic rows are made on demand from their index, so a large cube costs only
the pages asked for, and the same seed always gives the same values.

Synthetic values keep the catalogue's domain rules (:func:`synthetic_values`), so that a monitor built from them
shows no impossible number: a region has a made-up number of households per month (Norway far more than any
municipality, or Oslo's districts together), the same in every hypercube; a user group's count is a fixed share
of it (the shares sum to less than one); each further count measure is a fraction of the one before (refusals
below applications), and amounts are a few thousand kroner per household.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, Protocol

from boligmonitor.sources.connectors.husbanken.definitions import NORWAY_CODE, CubeDefinition, Dataset, Role

RECORDED_FIXTURE = "husbanken_qlik_statistikkbank_bostotte_hypercube_sample.json"
#: The definition whose hypercube the fixture recorded (terchris/atlas's cube: KommuneNr x År, five measures).
RECORDED_DEFINITION = "bostotte_tellere_kommune"
SYNTHETIC_LABEL = "SYNTHETIC hypercube made up by tests/fakeqlik (seed {seed}); not Husbanken's data"
#: A cube whose first measure counts a subgroup of all households (no cube of all households beside it) gets this
#: share of the region's households, so that the subgroup stays below the whole the recipes divide it by.
SUBGROUP_SHARES: dict[str, float] = {"husstander_barnefamilier": 0.35}
NULL_CELL: dict[str, Any] = {"qText": "-", "qNum": "NaN", "qElemNumber": -2, "qState": "L", "qIsNull": True}
#: Codes that are all zero in Husbanken's app (Svalbard, §6.2) or are assumed so here (0326, a district gone in 2004).
ZERO_CODES = frozenset({"2100", "2111", "0326"})
DEFAULT_YEARS = tuple(range(2008, 2027))
#: Norway's made-up households per month: more than any municipality's (at most 880) or Oslo's 17 codes together.
NATIONAL_HOUSEHOLDS = 120_000


class HypercubeSource(Protocol):
    @property
    def rows(self) -> int: ...

    @property
    def synthetic(self) -> str | None: ...

    def dimension_titles(self) -> list[str]: ...

    def measure_titles(self) -> list[str]: ...

    def cells(self, top: int, height: int) -> list[list[dict[str, Any]]]: ...


class RecordedHypercube:
    """The real GetLayout result of ``shared/data/api_fixtures`` (terchris/atlas), replayed byte-exact when it fits."""

    synthetic: str | None = None

    def __init__(self, path: Path) -> None:
        self.path = path
        self.body = path.read_bytes()
        layout = json.loads(self.body)["qLayout"]["qHyperCube"]
        self._layout = layout
        self._matrix: list[list[dict[str, Any]]] = [row for page in layout["qDataPages"] for row in page["qMatrix"]]

    @classmethod
    def from_fixtures(cls, api_fixtures: Path) -> RecordedHypercube:
        return cls(api_fixtures / RECORDED_FIXTURE)

    @property
    def rows(self) -> int:
        return int(self._layout["qSize"]["qcy"])

    @property
    def columns(self) -> int:
        return int(self._layout["qSize"]["qcx"])

    def dimension_titles(self) -> list[str]:
        return [info["qFallbackTitle"] for info in self._layout["qDimensionInfo"]]

    def measure_titles(self) -> list[str]:
        return [info["qFallbackTitle"] for info in self._layout["qMeasureInfo"]]

    def cells(self, top: int, height: int) -> list[list[dict[str, Any]]]:
        return self._matrix[top : top + height]

    def replays_whole(self, top: int, left: int, width: int, height: int) -> bool:
        """Whether an initial fetch asks for exactly what the recorded layout holds (so its bytes can be sent)."""
        return top == 0 and left == 0 and width == self.columns and height >= self.rows


@dataclass(frozen=True)
class SyntheticDomains:
    """The values the synthetic fields take. ``last_month``: how far the last year has come."""

    municipality_codes: tuple[str, ...]
    years: tuple[int, ...] = DEFAULT_YEARS
    last_month: int = 9


class SyntheticHypercube:
    """Made-up rows for one definition: every combination of its fields, time last, plus the null period '-'."""

    def __init__(self, definition: CubeDefinition, dataset: Dataset, domains: SyntheticDomains, seed: int) -> None:
        self.definition = definition
        self.dataset = dataset
        self.domains = domains
        self.seed = seed
        self.synthetic: str | None = SYNTHETIC_LABEL.format(seed=seed)
        self._others: list[list[str]] = [self._values_of(f.role, f.dimension) for f in self._other_fields]
        self._units = [dataset.contents_of(m.contents_code).unit for m in definition.measures]
        self._share = SUBGROUP_SHARES.get(definition.measures[0].contents_code, 1.0)

    @cached_property
    def _other_fields(self) -> list[Any]:
        return [f for f in self.definition.fields if f.role not in (Role.YEAR, Role.MONTH)]

    @cached_property
    def _periods(self) -> list[tuple[int, ...] | None]:
        """(year,) or (year, month) per period, last year up to last_month; None is the null period '-'."""
        years = self.domains.years
        periods: list[tuple[int, ...] | None]
        if self.definition.has_month:
            periods = [
                (year, month)
                for year in years
                for month in range(1, 13)
                if year < years[-1] or month <= self.domains.last_month
            ]
        else:
            periods = [(year,) for year in years]
        return [*periods, None]

    def _values_of(self, role: Role, dimension: str | None) -> list[str]:
        if role is Role.REGION:
            return list(self.domains.municipality_codes)
        categories = next(d for d in self.dataset.dimensions if d.id == dimension).categories
        return [c.qlik_text for c in categories if c.qlik_text is not None]

    @property
    def rows(self) -> int:
        size = len(self._periods)
        for values in self._others:
            size *= len(values)
        return size

    def dimension_titles(self) -> list[str]:
        return [f.field for f in self.definition.fields]

    def measure_titles(self) -> list[str]:
        return [m.label for m in self.definition.measures]

    def cells(self, top: int, height: int) -> list[list[dict[str, Any]]]:
        return [self._row(index) for index in range(top, min(top + height, self.rows))]

    def _row(self, index: int) -> list[dict[str, Any]]:
        block = len(self._periods)
        period = self._periods[index % block]
        rest = index // block
        keys: list[tuple[int, str]] = []
        for values in reversed(self._others):
            keys.append((rest % len(values), values[rest % len(values)]))
            rest //= len(values)
        keys.reverse()
        cells = [_text_cell(position, text) for position, text in keys]
        if period is None:
            cells.extend(dict(NULL_CELL) for _ in period_fields(self.definition))
        else:
            cells.extend(_number_cell(position, value) for position, value in _period_cells(period, self.domains))
        region = next(
            (text for f, (_, text) in zip(self._other_fields, keys, strict=True) if f.role is Role.REGION),
            self.definition.region or NORWAY_CODE,
        )
        group = next(
            (
                (position, len(options))
                for f, (position, _), options in zip(self._other_fields, keys, self._others, strict=True)
                if f.role is Role.CATEGORY
            ),
            None,
        )
        empty = period is None or period[0] < self.definition.first_year or region in ZERO_CODES
        measures = (
            [0] * len(self._units)
            if empty
            else synthetic_values(self.seed, region, period, group, self._units, self._share)
        )
        for value in measures:
            cells.append({"qText": str(value), "qNum": value, "qElemNumber": 0, "qState": "L"})
        return cells


def synthetic_values(
    seed: int,
    region: str,
    period: Sequence[int] | None,
    group: tuple[int, int] | None,
    units: Sequence[str],
    share: float = 1.0,
) -> list[int]:
    """One row's made-up measures (see the module docstring). ``group`` is (position, count) of the row's category
    among its field's values, None for a cube of all households; ``share`` the part of the households the first
    measure counts (:data:`SUBGROUP_SHARES`)."""
    households = NATIONAL_HOUSEHOLDS if region == NORWAY_CODE else 200 + _spread(seed, "region", region) * 600
    base = share * households * (0.9 + 0.2 * _spread(seed, "period", region, *(period or ())))
    if group is not None:
        position, count = group
        base *= 0.9 * (position + 1) / (count * (count + 1) / 2)  # shares 1:2:…:count of nine tenths
    values: list[int] = []
    count_value = int(base)
    for index, unit in enumerate(units):
        if unit == "kroner":
            values.append(int(int(base) * (2500 + 1000 * _spread(seed, "amount", region, index))))
            continue
        if values:
            count_value = int(count_value * (0.3 + 0.3 * _spread(seed, "fraction", index)))
        values.append(count_value)
    return values


def _spread(seed: int, *parts: object) -> float:
    """A number in [0, 1) fixed by ``seed`` and ``parts``."""
    return zlib.crc32(":".join(str(part) for part in (seed, *parts)).encode()) / 2**32


def period_fields(definition: CubeDefinition) -> Sequence[Any]:
    return [f for f in definition.fields if f.role in (Role.YEAR, Role.MONTH)]


def _period_cells(period: tuple[int, ...], domains: SyntheticDomains) -> list[tuple[int, int]]:
    year_position = domains.years.index(period[0])
    cells = [(year_position, period[0])]
    if len(period) > 1:
        cells.append((period[1] - 1, period[1]))
    return cells


def _text_cell(position: int, text: str) -> dict[str, Any]:
    number: Any = int(text) if text.isdigit() else "NaN"
    return {"qText": text, "qNum": number, "qElemNumber": position, "qState": "O"}


def _number_cell(position: int, value: int) -> dict[str, Any]:
    return {"qText": str(value), "qNum": value, "qElemNumber": position, "qState": "O"}
