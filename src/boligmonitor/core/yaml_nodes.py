"""Where a problem is in a YAML file: walking a composed node tree (nodes carry line numbers) down a location of
keys and list indexes, and writing that location as a field name. The catalogue, the indicator-model presets, the
programme forms and Husbanken's hypercube definitions all report problems by line and field this way."""

from __future__ import annotations

from collections.abc import Sequence

import yaml

PathPart = str | int


def format_path(path: Sequence[PathPart]) -> str:
    """``("indicators", 3, "recipe")`` -> ``"indicators[3].recipe"``."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text


def yaml_child(node: yaml.Node, part: PathPart) -> yaml.Node | None:
    """The value of key ``part`` in a mapping node, or item ``part`` of a sequence node; None when there is none."""
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode) and key.value == str(part):
                return value  # type: ignore[no-any-return]
    if isinstance(node, yaml.SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
        return node.value[part]  # type: ignore[no-any-return]
    return None


def deepest_line(root: yaml.Node, path: Sequence[PathPart]) -> int:
    """The 1-based line of the deepest node ``path`` reaches from ``root`` (a missing key: its parent's line)."""
    node = root
    for part in path:
        child = yaml_child(node, part)
        if child is None:
            break
        node = child
    return int(node.start_mark.line) + 1


__all__ = ["PathPart", "deepest_line", "format_path", "yaml_child"]
