"""Loading programmes and forms from the package (or from a file) with every check, naming file, line and field.

Packaged files: ``catalog/reporting/data/<programme>.yaml`` and
``catalog/reporting/data/forms/<programme>_<year>.yaml``. Each is validated in three steps, all problems of a
step reported at once: the schema (pydantic), the checks within the file (unique ids, known goals and levels,
member dates, citations), and the checks against the programme and the catalogue (unknown indicator and goal
ids, units, prefilled statistics that are not in the catalogue; :mod:`~.cross_checks`).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import TypeVar

from pydantic import ValidationError

from boligmonitor.catalog.loader import load_catalog
from boligmonitor.catalog.models import DEFER_CROSS_CHECKS, Catalog, CatalogModel, Problem
from boligmonitor.catalog.reporting.cross_checks import form_problems, programme_problems
from boligmonitor.catalog.reporting.forms import Form
from boligmonitor.catalog.reporting.programme import Programme
from boligmonitor.catalog.reporting.yaml_documents import located, read_yaml_mapping, validation_problems
from boligmonitor.core.errors import InputError

_PACKAGE = "boligmonitor.catalog.reporting"
_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_FORM_NAME = re.compile(r"^(?P<programme>[a-z][a-z0-9_]*)_(?P<year>[0-9]{4})\.yaml$")

_Model = TypeVar("_Model", bound=CatalogModel)


def _data_dir() -> Traversable:
    return files(_PACKAGE).joinpath("data")


def _forms_dir() -> Traversable:
    return _data_dir().joinpath("forms")


def programme_ids() -> tuple[str, ...]:
    """The programmes shipped in the package."""
    names = (entry.name for entry in _data_dir().iterdir() if entry.is_file())
    return tuple(sorted(name.removesuffix(".yaml") for name in names if name.endswith(".yaml")))


def form_years(programme_id: str) -> tuple[int, ...]:
    """The years for which the package has a form of ``programme_id``."""
    years: list[int] = []
    for entry in _forms_dir().iterdir():
        match = _FORM_NAME.match(entry.name)
        if match is not None and match["programme"] == programme_id:
            years.append(int(match["year"]))
    return tuple(sorted(years))


def load_programme(programme_id: str, *, catalog: Catalog | None = None) -> Programme:
    """The packaged programme ``programme_id``, checked against ``catalog`` (default: the packaged catalogue;
    then the result is cached). Raises :class:`InputError` naming file, line and field of every problem."""
    if catalog is None:
        return _packaged_programme(programme_id)
    return _load_packaged_programme(programme_id, catalog)


def load_form(programme_id: str, year: int, *, catalog: Catalog | None = None) -> Form:
    """The packaged form of ``programme_id`` for ``year``, checked against its programme and ``catalog``
    (default: the packaged catalogue; then the result is cached). Raises :class:`InputError`."""
    if catalog is None:
        return _packaged_form(programme_id, year)
    return _load_packaged_form(programme_id, year, catalog)


def load_programme_file(path: Path, *, catalog: Catalog | None = None) -> Programme:
    """A programme from a file of one's own (e.g. a new programme before it is added to the package)."""
    return parse_programme(_read(path), str(path), catalog or load_catalog())


def load_form_file(path: Path, programme: Programme, *, catalog: Catalog | None = None) -> Form:
    """A form from a file of one's own (a new year's form while it is written), checked against ``programme``."""
    return parse_form(_read(path), str(path), programme, catalog or load_catalog())


def parse_programme(text: str, file: str, catalog: Catalog) -> Programme:
    """Validate programme YAML ``text``; ``file`` names it in problems."""
    expected = "schema_version, version, id, name, period, …"
    return _parse(Programme, text, file, expected, lambda programme: programme_problems(programme, catalog))


def parse_form(text: str, file: str, programme: Programme, catalog: Catalog) -> Form:
    """Validate form YAML ``text`` against ``programme`` and ``catalog``; ``file`` names it in problems."""
    expected = "schema_version, version, programme, year, title, sections, …"
    return _parse(Form, text, file, expected, lambda form: form_problems(form, programme, catalog))


@functools.cache
def _packaged_programme(programme_id: str) -> Programme:
    return _load_packaged_programme(programme_id, load_catalog())


@functools.cache
def _packaged_form(programme_id: str, year: int) -> Form:
    return _load_packaged_form(programme_id, year, load_catalog())


def _load_packaged_programme(programme_id: str, catalog: Catalog) -> Programme:
    resource = _packaged(_data_dir(), programme_id, f"{programme_id}.yaml", "programme", programme_ids())
    programme = parse_programme(resource.read_text(encoding="utf-8"), str(resource), catalog)
    if programme.id != programme_id:
        raise InputError.single(str(resource), f"the file {resource.name} holds programme {programme.id!r}", field="id")
    return programme


def _load_packaged_form(programme_id: str, year: int, catalog: Catalog) -> Form:
    programme = load_programme(programme_id, catalog=catalog)
    years = [str(known) for known in form_years(programme_id)]
    name = f"{programme_id}_{year}.yaml"
    resource = _packaged(_forms_dir(), programme_id, name, f"form of {programme_id} for {year}", years)
    form = parse_form(resource.read_text(encoding="utf-8"), str(resource), programme, catalog)
    if form.year != year:
        raise InputError.single(str(resource), f"the file {name} holds the form for {form.year}", field="year")
    return form


def _packaged(directory: Traversable, programme_id: str, name: str, what: str, known: Sequence[str]) -> Traversable:
    resource = directory.joinpath(name)
    if not _ID.match(programme_id) or not resource.is_file():
        listed = ", ".join(known) or "none"
        raise InputError.single(str(directory), f"no {what} in the package ({name}); there are: {listed}")
    return resource


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError.single(str(path), "file not found") from None
    except UnicodeDecodeError as exc:
        raise InputError.single(str(path), f"not UTF-8 text: {exc}") from exc


def _parse(
    model: type[_Model], text: str, file: str, expected: str, cross_checks: Callable[[_Model], list[Problem]]
) -> _Model:
    root, data = read_yaml_mapping(text, file, expected)
    try:
        document = model.model_validate(data, context={DEFER_CROSS_CHECKS: True})
    except ValidationError as exc:
        raise InputError(validation_problems(exc, file, root, data)) from exc
    found = [*document.problems(), *cross_checks(document)]
    if found:
        raise InputError([located(file, root, data, path, message) for path, message in found])
    return document
