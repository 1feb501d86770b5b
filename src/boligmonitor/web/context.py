"""What every page view is given: the language, the data version, and the page's own URL state.

All state is in the URL (permalinks): the path names the page, the query its choices (``lang``, ``visning``,
``sammenlign``, ``ar``, filters). :meth:`PageContext.url` builds links that keep the language and drop
defaults, so a link is short and two links to the same view are the same string.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from urllib.parse import urlencode

from boligmonitor.analysis.peers import BenchmarkKind
from boligmonitor.web.i18n import DEFAULT_LANGUAGE, Language, Translator
from boligmonitor.web.monitor import MonitorData
from boligmonitor.web.request_params import parse_choice


class Display(StrEnum):
    """The antall / andel / forholdstall toggle."""

    SHARE = "andel"  # the indicator's own unit: share, rate, average …
    COUNT = "antall"  # the numerator: how many persons, households, dwellings
    RATIO = "forholdstall"  # the value relative to the benchmark, benchmark = 100


DEFAULT_DISPLAY = Display.SHARE

# URL words for the benchmark choice (Norwegian, like the rest of the URLs) and back.
BENCHMARK_WORDS: dict[BenchmarkKind, str] = {
    BenchmarkKind.NORWAY: "landet",
    BenchmarkKind.COUNTY: "fylket",
    BenchmarkKind.KOSTRA_GROUP: "kostragruppen",
    BenchmarkKind.SIZE_GROUP: "storrelse",
    BenchmarkKind.PEERS: "lignende",
}
BENCHMARK_BY_WORD = {word: kind for kind, word in BENCHMARK_WORDS.items()}


def parse_display(value: str | None, t: Translator) -> Display:
    """``visning``: andel (default), antall or forholdstall; any other word is a 400 naming it."""
    return parse_choice(value, "visning", {display.value: display for display in Display}, DEFAULT_DISPLAY, t)


def parse_benchmark(value: str | None, t: Translator) -> BenchmarkKind:
    """``sammenlign``: landet (default), fylket, kostragruppen, storrelse or lignende; anything else a 400."""
    return parse_choice(value, "sammenlign", BENCHMARK_BY_WORD, BenchmarkKind.NORWAY, t)


@dataclass
class PageContext:
    language: Language
    data: MonitorData
    path: str
    display: Display = DEFAULT_DISPLAY
    benchmark: BenchmarkKind = BenchmarkKind.NORWAY
    query: Mapping[str, str | list[str]] = field(default_factory=dict)

    @property
    def t(self) -> Translator:
        return Translator(self.language)

    def url(self, path: str, /, **params: str | int | list[str] | None) -> str:
        """A link to ``path`` in this language; parameters equal to their defaults or None are left out."""
        query: list[tuple[str, str]] = []
        if self.language != DEFAULT_LANGUAGE:
            query.append(("lang", self.language))
        for key, value in params.items():
            if value is None or value == "" or value == []:
                continue
            if key == "visning" and value == DEFAULT_DISPLAY.value:
                continue
            if key == "sammenlign" and value == BENCHMARK_WORDS[BenchmarkKind.NORWAY]:
                continue
            if isinstance(value, list):
                query.extend((key, str(item)) for item in value)
            else:
                query.append((key, str(value)))
        return path + ("?" + urlencode(query) if query else "")

    def here(self, **changes: str | int | list[str] | None) -> str:
        """This page's URL with some query parameters changed (toggles, language switch keeps the rest)."""
        params: dict[str, str | int | list[str] | None] = {
            key: value for key, value in self.query.items() if key != "lang"
        }
        params.update(changes)
        return self.url(self.path, **params)

    def in_language(self, language: Language) -> str:
        other = PageContext(language, self.data, self.path, self.display, self.benchmark, self.query)
        return other.here()

    def with_suffix(self, fmt: str) -> str:
        """The download sibling of this page: ``/region/0301.csv?…`` (datasette's pattern)."""
        params: dict[str, str | int | list[str] | None] = {
            key: value for key, value in self.query.items() if key != "lang"
        }
        path = self.path.rstrip("/") or "/index"
        return self.url(f"{path}.{fmt}", **params)


__all__ = [
    "BENCHMARK_BY_WORD",
    "BENCHMARK_WORDS",
    "DEFAULT_DISPLAY",
    "Display",
    "PageContext",
    "parse_benchmark",
    "parse_display",
]
