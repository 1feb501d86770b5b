"""Husbanken's Statistikkbank hypercubes as data: ``definitions.yaml``, validated on load.

Every hypercube the connector asks Qlik for is a *definition*: its Qlik fields (each with a role: region, year,
month or a category of the dataset), its measures (label, Qlik expression, the ContentsCode it fills and how
months become a year), and its evidence. A definition with ``confirmed: false`` uses names nobody has seen
work against the live app; its ``to_confirm`` list says what a first live session must check, and the fetch
leaves it out unless asked (``../shared/docs/husbanken-qlik.md`` §5).

The *datasets* say what the connector returns: one cube per dataset key (``husbanken:bostotte`` …) with the
dimensions Region, the dataset's own dimensions (e.g. Brukergruppe), ContentsCode and Tid, the order the
development adapter (:mod:`boligmonitor.sources.shared_data.husbanken`) uses.

:func:`load_definitions` raises :class:`~boligmonitor.core.errors.InputError` naming the line and field of every
problem.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Sequence
from enum import StrEnum
from importlib.resources import files
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from boligmonitor.core.errors import InputError, InputProblem
from boligmonitor.core.yaml_nodes import PathPart, deepest_line, format_path

PACKAGED_DEFINITIONS = "definitions.yaml"
#: Qlik's Engine caps one data page at 10 000 cells [I]; pages stay under this many (husbanken-qlik.md §3).
PAGE_CELLS = 9500
#: Marks a name in an unconfirmed expression that nobody has seen in the live app.
TO_CONFIRM_MARKER = "TO_CONFIRM"
NORWAY_CODE = "0"

_SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_IDENTIFIER = r"^[a-z][a-z0-9_]*$"


class Role(StrEnum):
    """What a Qlik field is to the cube."""

    REGION = "region"  # KommuneNr: Husbanken's 4-digit codes, mapped by boligmonitor.sources...husbanken.regions
    YEAR = "year"  # År
    MONTH = "month"  # Månedsnr
    CATEGORY = "category"  # a dimension of the dataset, e.g. Brukergruppe; qText matched to qlik_text


class Annual(StrEnum):
    """How a measure becomes one value per calendar year (see :mod:`.cubes`)."""

    YEAR_VALUE = "year_value"  # the cube has no month: Qlik's value for the year as it is
    MEAN_OF_PAYMENT_MONTHS = "mean_of_payment_months"  # households paid, a monthly mean over the payment months
    SUM_OF_PAYMENT_MONTHS = "sum_of_payment_months"  # amounts paid, summed over the payment months
    SUM_OF_TERM_MONTHS = "sum_of_term_months"  # applications, refusals: summed over the processed term months


_MONTHLY = frozenset({Annual.MEAN_OF_PAYMENT_MONTHS, Annual.SUM_OF_PAYMENT_MONTHS, Annual.SUM_OF_TERM_MONTHS})


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class App(_Model):
    id: str = Field(pattern=r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
    title: str
    origin: str = Field(description="Origin header sent on connect, as Husbanken's own front end does")
    url: str = Field(description="The public Engine API root, /public being the anonymous virtual proxy")
    source_url: str
    licence: str
    attribution: str


class Category(_Model):
    code: str = Field(pattern=_IDENTIFIER)
    label: str
    qlik_text: str | None = Field(default=None, description="The field value in Qlik, when the cube has the field")


class DatasetDimension(_Model):
    id: str = Field(pattern=r"^[A-Za-z][A-Za-z0-9_]*$")
    label: str
    categories: list[Category] = Field(min_length=1)


class Contents(_Model):
    code: str = Field(pattern=_IDENTIFIER)
    label: str
    unit: str
    decimals: int | None = Field(default=0, ge=0)
    note: str = ""


class Dataset(_Model):
    key: str = Field(pattern=r"^husbanken:[a-z][a-z0-9_]*$")
    label: str
    title: str
    source_url: str
    dimensions: list[DatasetDimension] = Field(default_factory=list)
    contents: list[Contents] = Field(min_length=1)

    def contents_of(self, code: str) -> Contents:
        return next(c for c in self.contents if c.code == code)


class CubeField(_Model):
    field: str = Field(min_length=1)
    role: Role
    dimension: str | None = Field(default=None, description="For role category: the dataset dimension it fills")


class Measure(_Model):
    label: str = Field(pattern=_IDENTIFIER, description="qLabel: the name Qlik gives the column back")
    expression: str = Field(min_length=1, description="qDef: the Qlik expression")
    contents_code: str
    annual: Annual


class CubeDefinition(_Model):
    id: str = Field(pattern=_IDENTIFIER)
    dataset: str
    title: str
    confirmed: bool
    evidence: str = Field(min_length=1)
    to_confirm: list[str] = Field(default_factory=list)
    region: str | None = Field(default=None, description="The fixed region code when no field has role region")
    fixed: dict[str, str] = Field(default_factory=dict, description="Dataset dimension -> category for all rows")
    first_year: int = Field(ge=2000, le=2100, description="Years before it are left out (no data in the app)")
    expected_rows: int | None = Field(default=None, ge=1, description="Rows expected (qcy), for the plan")
    expected_rows_basis: str = ""
    fields: list[CubeField] = Field(min_length=1)
    measures: list[Measure] = Field(min_length=1)

    @property
    def width(self) -> int:
        """Columns of the hypercube: its fields, then its measures (qcx)."""
        return len(self.fields) + len(self.measures)

    def page_height(self, page_cells: int = PAGE_CELLS) -> int:
        """Rows per page: floor(page_cells / width), so no page exceeds ``page_cells`` cells (§3)."""
        return max(1, page_cells // self.width)

    def field_of(self, role: Role) -> CubeField | None:
        return next((f for f in self.fields if f.role is role), None)

    @property
    def has_month(self) -> bool:
        return self.field_of(Role.MONTH) is not None


class Definitions(_Model):
    """The whole file: the app, the datasets the connector returns and the hypercubes it asks for."""

    format_version: Literal[1]
    app: App
    datasets: list[Dataset] = Field(min_length=1)
    cubes: list[CubeDefinition] = Field(min_length=1)

    def dataset(self, key: str) -> Dataset:
        for dataset in self.datasets:
            if dataset.key == key:
                return dataset
        raise KeyError(key)

    def cube(self, cube_id: str) -> CubeDefinition:
        for cube in self.cubes:
            if cube.id == cube_id:
                return cube
        raise KeyError(cube_id)

    def selected(self, *, include_unconfirmed: bool = False, only: Sequence[str] | None = None) -> list[CubeDefinition]:
        """The definitions a fetch asks for: confirmed ones (and unconfirmed when asked), optionally only some.

        ``only`` names definition ids or dataset keys; an unknown name raises ``KeyError`` naming it.
        """
        if only is not None:
            known = {c.id for c in self.cubes} | {d.key for d in self.datasets}
            unknown = sorted(set(only) - known)
            if unknown:
                raise KeyError(f"unknown Husbanken definitions or datasets: {', '.join(unknown)}")
        return [
            cube
            for cube in self.cubes
            if (cube.confirmed or include_unconfirmed) and (only is None or cube.id in only or cube.dataset in only)
        ]

    def problems(self) -> Iterator[tuple[tuple[PathPart, ...], str]]:
        """Cross-field problems pydantic cannot see: (location, message)."""
        yield from _duplicates(("datasets",), [d.key for d in self.datasets], "key")
        yield from _duplicates(("cubes",), [c.id for c in self.cubes], "id")
        for index, dataset in enumerate(self.datasets):
            where = ("datasets", index)
            yield from _duplicates((*where, "contents"), [c.code for c in dataset.contents], "code")
            yield from _duplicates((*where, "dimensions"), [d.id for d in dataset.dimensions], "id")
            for d_index, dimension in enumerate(dataset.dimensions):
                place = (*where, "dimensions", d_index, "categories")
                yield from _duplicates(place, [c.code for c in dimension.categories], "code")
                texts = [c.qlik_text for c in dimension.categories if c.qlik_text is not None]
                yield from _duplicates(place, texts, "qlik_text")
        datasets = {d.key: d for d in self.datasets}
        for index, cube in enumerate(self.cubes):
            yield from _cube_problems(("cubes", index), cube, datasets.get(cube.dataset))


def _duplicates(
    where: tuple[PathPart, ...], values: Sequence[str], name: str
) -> Iterator[tuple[tuple[PathPart, ...], str]]:
    seen: set[str] = set()
    for index, value in enumerate(values):
        if value in seen:
            yield (*where, index, name), f"duplicate {name} {value!r}"
        seen.add(value)


def _cube_problems(
    where: tuple[PathPart, ...], cube: CubeDefinition, dataset: Dataset | None
) -> Iterator[tuple[tuple[PathPart, ...], str]]:
    if dataset is None:
        yield (*where, "dataset"), f"no dataset {cube.dataset!r} in datasets"
        return
    yield from _field_problems(where, cube, dataset)
    yield from _measure_problems(where, cube, dataset)
    yield from _fixed_problems(where, cube, dataset)
    yield from _evidence_problems(where, cube)


def _field_problems(
    where: tuple[PathPart, ...], cube: CubeDefinition, dataset: Dataset
) -> Iterator[tuple[tuple[PathPart, ...], str]]:
    yield from _duplicates((*where, "fields"), [f.field for f in cube.fields], "field")
    roles = [f.role for f in cube.fields]
    for role in (Role.REGION, Role.YEAR, Role.MONTH):
        if roles.count(role) > 1:
            yield (*where, "fields"), f"more than one field with role {role.value}"
    if Role.YEAR not in roles:
        yield (*where, "fields"), "no field with role year (År)"
    # Time last, year before month: the fake engine and the paging rely on nothing else, but a reader of the
    # definition sees the cube's shape at once, and Qlik sorts by the fields in this order.
    time_roles = [r for r in roles if r in (Role.YEAR, Role.MONTH)]
    if roles[len(roles) - len(time_roles) :] != time_roles or time_roles not in ([Role.YEAR], [Role.YEAR, Role.MONTH]):
        yield (*where, "fields"), "the year field, then the month field if any, must come last"
    has_region_field = Role.REGION in roles
    if has_region_field and cube.region is not None:
        yield (*where, "region"), "give either a field with role region or a fixed region, not both"
    if not has_region_field and cube.region is None:
        yield (*where, "region"), 'no field with role region: give the fixed region ("0" for Norway)'
    if cube.region is not None and cube.region != NORWAY_CODE:
        yield (*where, "region"), f"a fixed region is Norway ({NORWAY_CODE!r}) only, got {cube.region!r}"
    dimension_ids = {d.id for d in dataset.dimensions}
    for index, field in enumerate(cube.fields):
        place = (*where, "fields", index)
        if field.role is Role.CATEGORY:
            if field.dimension is None:
                yield (*place, "dimension"), "a category field names the dataset dimension it fills"
            elif field.dimension not in dimension_ids:
                yield (*place, "dimension"), f"dataset {dataset.key} has no dimension {field.dimension!r}"
            else:
                categories = next(d for d in dataset.dimensions if d.id == field.dimension).categories
                if not any(c.qlik_text is not None for c in categories):
                    yield (*place, "dimension"), f"no category of {field.dimension!r} has a qlik_text to match"
        elif field.dimension is not None:
            yield (*place, "dimension"), f"only a category field names a dimension, not role {field.role.value}"


def _measure_problems(
    where: tuple[PathPart, ...], cube: CubeDefinition, dataset: Dataset
) -> Iterator[tuple[tuple[PathPart, ...], str]]:
    yield from _duplicates((*where, "measures"), [m.label for m in cube.measures], "label")
    yield from _duplicates((*where, "measures"), [m.contents_code for m in cube.measures], "contents_code")
    codes = {c.code for c in dataset.contents}
    for index, measure in enumerate(cube.measures):
        place = (*where, "measures", index)
        if measure.contents_code not in codes:
            yield (*place, "contents_code"), f"dataset {dataset.key} has no contents code {measure.contents_code!r}"
        if cube.has_month and measure.annual is Annual.YEAR_VALUE:
            yield (*place, "annual"), "a cube with a month field says how months make a year, not year_value"
        if not cube.has_month and measure.annual in _MONTHLY:
            yield (*place, "annual"), f"{measure.annual.value} needs a month field; use year_value"
    if cube.width > PAGE_CELLS:
        yield (*where, "measures"), f"{cube.width} columns: one row would exceed a page of {PAGE_CELLS} cells"


def _fixed_problems(
    where: tuple[PathPart, ...], cube: CubeDefinition, dataset: Dataset
) -> Iterator[tuple[tuple[PathPart, ...], str]]:
    from_fields = {f.dimension for f in cube.fields if f.role is Role.CATEGORY}
    for dimension in dataset.dimensions:
        if dimension.id in from_fields:
            if dimension.id in cube.fixed:
                yield (*where, "fixed", dimension.id), f"{dimension.id} comes from a field; do not also fix it"
            continue
        if dimension.id not in cube.fixed:
            yield (*where, "fixed"), f"dimension {dimension.id} needs a fixed category (no field gives it)"
            continue
        codes = [c.code for c in dimension.categories]
        if cube.fixed[dimension.id] not in codes:
            yield (*where, "fixed", dimension.id), f"{cube.fixed[dimension.id]!r} is not a category of {dimension.id}"
    for name in sorted(set(cube.fixed) - {d.id for d in dataset.dimensions}):
        yield (*where, "fixed", name), f"dataset {dataset.key} has no dimension {name!r}"


def _evidence_problems(where: tuple[PathPart, ...], cube: CubeDefinition) -> Iterator[tuple[tuple[PathPart, ...], str]]:
    marked = [
        (*where, "measures", i, "expression") for i, m in enumerate(cube.measures) if TO_CONFIRM_MARKER in m.expression
    ] + [(*where, "fields", i, "field") for i, f in enumerate(cube.fields) if TO_CONFIRM_MARKER in f.field]
    if cube.confirmed:
        if cube.to_confirm:
            yield (*where, "to_confirm"), "a confirmed definition has nothing left to confirm"
        for place in marked:
            yield place, f"a confirmed definition cannot use a {TO_CONFIRM_MARKER} placeholder"
    elif not cube.to_confirm:
        yield (*where, "to_confirm"), "an unconfirmed definition lists what must be confirmed online"


# ------------------------------------------------------------------------------------------------ loading


def load_definitions(path: Path | None = None) -> Definitions:
    """The definitions in ``path``, or the packaged ``definitions.yaml`` (cached) when ``path`` is None."""
    if path is None:
        return _packaged()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError.single(str(path), "Husbanken definitions file not found") from None
    except UnicodeDecodeError as exc:
        raise InputError.single(str(path), f"not UTF-8 text: {exc}") from exc
    return parse_definitions(text, str(path))


@functools.cache
def _packaged() -> Definitions:
    resource = files("boligmonitor.sources.connectors.husbanken").joinpath(PACKAGED_DEFINITIONS)
    return parse_definitions(resource.read_text(encoding="utf-8"), str(resource))


def parse_definitions(text: str, file: str = "<husbanken definitions>") -> Definitions:
    """Validate definitions YAML ``text``; ``file`` names it in every problem."""
    loader = _SafeLoader(text)
    try:
        root = loader.get_single_node()
        data = loader.construct_document(root) if root is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise InputError.single(file, f"not valid YAML: {exc.problem or exc}", mark.line + 1 if mark else None) from exc
    finally:
        loader.dispose()
    if root is None or not isinstance(data, dict):
        raise InputError.single(file, "expected a mapping (format_version, app, datasets, cubes)", line=1)
    try:
        definitions = Definitions.model_validate(data)
    except ValidationError as exc:
        problems = [_problem(file, root, tuple(error["loc"]), error["msg"]) for error in exc.errors()]
        raise InputError(problems) from exc
    cross = [_problem(file, root, loc, message) for loc, message in definitions.problems()]
    if cross:
        raise InputError(cross)
    return definitions


def _problem(file: str, root: yaml.Node, loc: tuple[Any, ...], message: str) -> InputProblem:
    path = tuple(part for part in loc if isinstance(part, (str, int)))
    return InputProblem(file=file, line=deepest_line(root, path), field=format_path(path) or None, message=message)
