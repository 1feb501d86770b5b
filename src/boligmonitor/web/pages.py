"""A page as data: which template shows it, its title, its context, and the table its downloads contain."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from boligmonitor.web.downloads import Download


@dataclass
class Page:
    template: str
    title: str
    context: dict[str, Any] = field(default_factory=dict)
    download: Download | None = None
    status_code: int = 200
    # Breadcrumb trail as (label, url) pairs, the page itself last with url None.
    breadcrumbs: list[tuple[str, str | None]] = field(default_factory=list)


class BadRequestError(ValueError):
    """A query parameter that cannot be read (e.g. ``ar=abc``): a 400 page that names the parameter."""

    def __init__(self, parameter: str, value: str, expected: str) -> None:
        super().__init__(f"{parameter}={value!r}: {expected}")
        self.parameter = parameter
        self.value = value
        self.expected = expected


__all__ = ["BadRequestError", "Page"]
