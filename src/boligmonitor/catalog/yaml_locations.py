"""Where a validation problem is in a YAML file: the line and field that a pydantic error location points to.

The YAML is composed into nodes (which carry line numbers); a location such as
``("indicators", 12, "recipe", "numerator")`` is walked down the node tree to the deepest node it reaches.
The catalogue and the indicator-model presets both report their problems this way.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import yaml
from pydantic_core import ErrorDetails

from boligmonitor.core.yaml_nodes import PathPart, format_path, yaml_child


@dataclass(frozen=True)
class YamlLocation:
    """The 1-based line of the deepest YAML node along a location, and the field to name (None for the root)."""

    line: int
    field: str | None


def locate(root: yaml.Node, loc: Sequence[PathPart], *, skip_unmatched: bool) -> YamlLocation:
    """The line and field that ``loc`` points to in the node tree under ``root``.

    A part of ``loc`` that is not in the YAML is either skipped, and the walk goes on below the node reached so
    far (``skip_unmatched=True``: pydantic's union tags such as ``range`` are not keys in the file), or ends the
    walk (``skip_unmatched=False``). Either way a missing key is still worth naming: the field ends with the
    last part of ``loc`` when skipping, and with the first part not found otherwise.
    """
    node = root
    consumed: list[PathPart] = []
    missing: PathPart | None = None
    for part in loc:
        child = yaml_child(node, part)
        if child is None:
            missing = part
            if not skip_unmatched:
                break
            continue
        node = child
        consumed.append(part)
        missing = None
    if missing is not None:
        consumed.append(loc[-1] if skip_unmatched else missing)
    return YamlLocation(line=node.start_mark.line + 1, field=format_path(consumed) or None)


def without_echoes(errors: Sequence[ErrorDetails]) -> list[ErrorDetails]:
    """Drop pydantic's "too short" echo on a list whose only items were rejected: the items say why."""
    locations = [tuple(error["loc"]) for error in errors]
    return [
        error
        for error, loc in zip(errors, locations, strict=True)
        if not (
            error["type"] == "too_short"
            and any(len(other) > len(loc) and other[: len(loc)] == loc for other in locations)
        )
    ]


def plain_message(pydantic_message: str) -> str:
    """A validator's own message without pydantic's "Value error, " in front."""
    return pydantic_message.removeprefix("Value error, ")


__all__ = ["YamlLocation", "locate", "plain_message", "without_echoes", "yaml_child"]
