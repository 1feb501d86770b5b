"""Fixtures for the reporting tests: the packaged catalogue, programmes and the 2018 form, and the packaged YAML
texts that the error tests change one thing in."""

from __future__ import annotations

import re
from importlib.resources import files
from pathlib import Path

import pytest

from boligmonitor.catalog import Catalog, load_catalog
from boligmonitor.catalog.reporting import Form, Programme, load_form, load_programme
from boligmonitor.core.errors import InputError, InputProblem


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return load_catalog()


@pytest.fixture(scope="session")
def programme(catalog: Catalog) -> Programme:
    return load_programme("bolig_for_velferd", catalog=catalog)


@pytest.fixture(scope="session")
def form_2018(catalog: Catalog) -> Form:
    return load_form("bolig_for_velferd", 2018, catalog=catalog)


@pytest.fixture(scope="session")
def seed_report(shared_data: Path) -> str:
    """The evaluation of the kommuneprogram's reporting (../shared/docs/seeds): words hyphenated at a line end
    joined, whitespace collapsed."""
    path = shared_data.parent / "docs" / "seeds" / "003_7846c36b04d971bd.txt"
    text = re.sub(r"(?<=[a-zæøå])- *\n\s*(?=[a-zæøå])", "", path.read_text(encoding="utf-8"))
    return " ".join(text.split())


def packaged_text(name: str) -> str:
    """A packaged reporting file, e.g. ``bolig_for_velferd.yaml`` or ``forms/bolig_for_velferd_2018.yaml``."""
    return files("boligmonitor.catalog.reporting").joinpath("data", name).read_text(encoding="utf-8")


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    """The 1-based line of the ``occurrence``-th line containing ``needle``."""
    found = [number for number, line in enumerate(text.splitlines(), start=1) if needle in line]
    assert len(found) >= occurrence, f"{needle!r} is not in the text {occurrence} time(s)"
    return found[occurrence - 1]


def only_problem(error: pytest.ExceptionInfo[InputError]) -> InputProblem:
    problems = error.value.problems
    assert len(problems) == 1, "\n".join(str(problem) for problem in problems)
    return problems[0]
