"""Read ``catalog.yaml`` into a validated :class:`Catalog`; every problem names its YAML line and field.

The YAML is composed into nodes (which carry line numbers) and the nodes are constructed into plain data
for pydantic, in one parse. A validation error's location (``indicators → 12 → recipe → numerator``) is
walked down the node tree to find the line of the offending item (:mod:`boligmonitor.catalog.yaml_locations`).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from importlib.resources import files
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from boligmonitor.catalog.models import DEFER_CROSS_CHECKS, Catalog
from boligmonitor.catalog.yaml_locations import locate, plain_message, without_echoes
from boligmonitor.core.errors import InputError, InputProblem
from boligmonitor.core.yaml_nodes import PathPart, format_path

PACKAGED_CATALOG = "data/catalog.yaml"

# libyaml's loader is about five times faster on the 8 000-line catalogue; both give the same nodes and marks.
_SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_catalog(path: Path | None = None) -> Catalog:
    """The catalogue in ``path``, or the one shipped in the package (cached) when ``path`` is None.

    Raises :class:`InputError` listing every problem with file, line and field.
    """
    if path is None:
        return _packaged_catalog()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError.single(str(path), "catalogue file not found") from None
    except UnicodeDecodeError as exc:
        raise InputError.single(str(path), f"not UTF-8 text: {exc}") from exc
    return parse_catalog(text, str(path))


@functools.cache
def _packaged_catalog() -> Catalog:
    resource = files("boligmonitor.catalog").joinpath(PACKAGED_CATALOG)
    return parse_catalog(resource.read_text(encoding="utf-8"), str(resource))


def parse_catalog(text: str, file: str = "<catalog>") -> Catalog:
    """Validate catalogue YAML ``text``; ``file`` names it in error messages."""
    try:
        root, data = _compose_and_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        raise InputError.single(file, f"not valid YAML: {exc.problem or exc}", line=line) from exc
    if root is None or not isinstance(root, yaml.MappingNode) or not isinstance(data, dict):
        message = "the catalogue must be a YAML mapping (schema_version, version, themes, …)"
        raise InputError.single(file, message, line=1)
    duplicates = _duplicate_keys(root, file)
    if duplicates:
        raise InputError(duplicates)
    try:
        catalog = Catalog.model_validate(data, context={DEFER_CROSS_CHECKS: True})
    except ValidationError as exc:
        errors = without_echoes(exc.errors())
        problems = [_problem(file, root, data, tuple(error["loc"]), plain_message(error["msg"])) for error in errors]
        raise InputError(problems) from exc
    cross = [_problem(file, root, data, path, message) for path, message in catalog.problems()]
    if cross:
        raise InputError(cross)
    return catalog


def _compose_and_load(text: str) -> tuple[yaml.Node | None, Any]:
    """The node tree (for line numbers) and the plain data, from one parse (libyaml when available)."""
    loader = _SafeLoader(text)
    try:
        root = loader.get_single_node()
        data = loader.construct_document(root) if root is not None else None
    finally:
        loader.dispose()
    return root, data


def _problem(file: str, root: yaml.Node, data: Any, loc: Sequence[PathPart], message: str) -> InputProblem:
    # Union tags such as ``range`` are in pydantic's location but not in the YAML: skip them.
    where = locate(root, loc, skip_unmatched=True)
    indicator = _indicator_id(data, loc)
    if indicator is not None:
        message = f"indicator {indicator}: {message}"
    return InputProblem(file=file, line=where.line, field=where.field, message=message)


def _indicator_id(data: Any, loc: Sequence[PathPart]) -> str | None:
    if len(loc) < 2 or loc[0] != "indicators" or not isinstance(loc[1], int):
        return None
    indicators = data.get("indicators") if isinstance(data, dict) else None
    if not isinstance(indicators, list) or not 0 <= loc[1] < len(indicators):
        return None
    item = indicators[loc[1]]
    indicator_id = item.get("id") if isinstance(item, dict) else None
    return str(indicator_id) if indicator_id is not None else None


def _duplicate_keys(root: yaml.Node, file: str) -> list[InputProblem]:
    """PyYAML keeps the last of two equal keys silently; a catalogue must not depend on that."""
    problems: list[InputProblem] = []
    seen_nodes: set[int] = set()

    def visit(node: yaml.Node, path: list[PathPart]) -> None:
        if id(node) in seen_nodes:  # aliases share nodes
            return
        seen_nodes.add(id(node))
        if isinstance(node, yaml.MappingNode):
            keys: set[str] = set()
            for key, value in node.value:
                name = str(key.value)
                if name in keys:
                    problems.append(
                        InputProblem(
                            file=file,
                            line=key.start_mark.line + 1,
                            field=format_path([*path, name]),
                            message=f"duplicate key {name!r}",
                        )
                    )
                keys.add(name)
                visit(value, [*path, name])
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                visit(item, [*path, index])

    visit(root, [])
    return problems
