"""Reading a reporting YAML file into nodes (with line numbers) and data, and naming where each problem is.

The same way as the catalogue (``catalog/loader.py``): one parse gives the node tree and the plain data; a
duplicate key is an error rather than PyYAML's silent "last one wins"; a problem's path is walked down the node
tree to its line (:mod:`boligmonitor.catalog.yaml_locations`). A problem inside a question or a member names
it (``question q07: …``, ``member 1601: …``), as the catalogue names the indicator.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import yaml
from pydantic import ValidationError

from boligmonitor.catalog.yaml_locations import locate, plain_message, without_echoes
from boligmonitor.core.errors import InputError, InputProblem
from boligmonitor.core.yaml_nodes import PathPart, format_path

# libyaml's loader where installed; both give the same nodes and marks.
_SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml_mapping(text: str, file: str, expected: str) -> tuple[yaml.MappingNode, dict[str, Any]]:
    """The root node and data of a YAML document that must be a mapping (``expected`` says of what keys)."""
    loader = _SafeLoader(text)
    try:
        root = loader.get_single_node()
        data = loader.construct_document(root) if root is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        raise InputError.single(file, f"not valid YAML: {exc.problem or exc}", line=line) from exc
    finally:
        loader.dispose()
    if not isinstance(root, yaml.MappingNode) or not isinstance(data, dict):
        raise InputError.single(file, f"the file must be a YAML mapping ({expected})", line=1)
    duplicates = _duplicate_keys(root, file)
    if duplicates:
        raise InputError(duplicates)
    return root, data


def validation_problems(exc: ValidationError, file: str, root: yaml.Node, data: Any) -> list[InputProblem]:
    """Each of pydantic's errors as a problem naming file, line and field."""
    errors = without_echoes(exc.errors())
    return [located(file, root, data, tuple(error["loc"]), plain_message(error["msg"])) for error in errors]


def located(file: str, root: yaml.Node, data: Any, loc: Sequence[PathPart], message: str) -> InputProblem:
    """The problem at ``loc`` with the line of the deepest YAML node along it. Parts of ``loc`` that are not in
    the file (pydantic's tag of a question type) are skipped."""
    where = locate(root, loc, skip_unmatched=True)
    subject = _subject(data, loc)
    text = f"{subject}: {message}" if subject else message
    return InputProblem(file=file, message=text, line=where.line, field=where.field)


def _subject(data: Any, loc: Sequence[PathPart]) -> str | None:
    """``question <id>`` or ``member <code>`` when ``loc`` points into one."""
    if len(loc) >= 4 and loc[0] == "sections" and loc[2] == "questions":
        question = _item(_item(_item(data, "sections"), loc[1]), "questions")
        question = _item(question, loc[3])
        question_id = _item(question, "id")
        return f"question {question_id}" if isinstance(question_id, str) else None
    if len(loc) >= 2 and loc[0] == "members":
        code = _item(_item(_item(data, "members"), loc[1]), "municipality")
        return f"member {code}" if isinstance(code, str) else None
    return None


def _item(container: Any, key: PathPart) -> Any:
    if isinstance(container, dict):
        return container.get(key)
    if isinstance(container, list) and isinstance(key, int) and 0 <= key < len(container):
        return container[key]
    return None


def _duplicate_keys(root: yaml.Node, file: str) -> list[InputProblem]:
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
                    field = format_path([*path, name])
                    problems.append(InputProblem(file, f"duplicate key {name!r}", key.start_mark.line + 1, field))
                keys.add(name)
                visit(value, [*path, name])
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                visit(item, [*path, index])

    visit(root, [])
    return problems
