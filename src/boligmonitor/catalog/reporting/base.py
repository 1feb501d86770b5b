"""What programmes, forms and own goals share: ids, versions, texts, municipality codes and citations.

Every model builds on the catalogue's :class:`~boligmonitor.catalog.models.CatalogModel` (frozen, no unknown
keys, cross-field checks as ``own_problems`` returning ``(path, message)`` pairs), so a reporting file is
validated and reported exactly as ``catalog.yaml`` is.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from typing import Annotated, Final, Literal

from pydantic import BeforeValidator, Field

from boligmonitor.catalog.models import CatalogModel, FieldPath, NonEmptyStr, Problem
from boligmonitor.core.regions import RegionLevel, normalise_region_code, region_level

REPORTING_SCHEMA_VERSION: Final = 1

# The catalogue's version pattern: year, release in the year, patch (``2026.1.0``).
Version = Annotated[str, Field(pattern=r"^[0-9]{4}\.[0-9]{1,2}\.[0-9]+$")]
# Lower-case ids: programmes, levels, goals, questions, categories and document keys.
Slug = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]
ProgrammeId = Slug
DocumentKey = Slug

Language = Literal["nb", "nn", "en"]


class ReportingText(CatalogModel):
    """A text a municipality reads: bokmål and nynorsk (the municipality chooses), English optional."""

    nb: NonEmptyStr
    nn: NonEmptyStr
    en: NonEmptyStr | None = None

    def get(self, language: Language) -> str:
        """The text in ``language``; English falls back to bokmål where a form has no English."""
        if language == "en":
            return self.en if self.en is not None else self.nb
        return self.nb if language == "nb" else self.nn


def _municipality_code(value: object) -> str:
    """Any spelling :func:`normalise_region_code` knows (``K-0301``, ``0301``), as four digits.

    Only the form is checked here: this layer cannot see the region register (the geo layer), so whether the
    code exists in a given year is left to the pipeline, which has it.
    """
    if isinstance(value, bool) or not isinstance(value, str):
        raise ValueError(
            f"municipality code {value!r} must be text, e.g. '0301' in quotes: a number loses its leading zero"
        )
    code = normalise_region_code(value)
    if region_level(code) is not RegionLevel.MUNICIPALITY:
        hint = " (a leading zero lost?)" if code.isdigit() and len(code) == 3 else ""
        raise ValueError(f"{value.strip()!r} is not a municipality code{hint}: expected four digits, e.g. '0301'")
    return code


MunicipalityCode = Annotated[str, BeforeValidator(_municipality_code)]


class Document(CatalogModel):
    """A document that facts in a reporting file come from (a seed document, a register file)."""

    description: NonEmptyStr = Field(description="Who wrote it, when, and what it is")
    location: str | None = Field(
        default=None, description="Where a copy is, e.g. '../shared/docs/seeds/003_….txt', or a URL"
    )


class Citation(CatalogModel):
    """Where a fact comes from: a document (a key of the file's ``documents``) and the place in it."""

    document: DocumentKey
    place: NonEmptyStr = Field(description="Table, section or page, e.g. 'Tabell 2.1; avsnitt 3.7.1'")
    note: str | None = Field(default=None, description="What the document says and what is our reading (English)")


def citation_problems(citation: Citation | None, documents: Mapping[str, Document], path: FieldPath) -> list[Problem]:
    """A citation must name one of the file's documents."""
    if citation is None or citation.document in documents:
        return []
    near = did_you_mean(citation.document, documents)
    return [((*path, "document"), f"unknown document {citation.document!r}{near}")]


def duplicates(values: Sequence[object], path_of: Sequence[FieldPath], what: str) -> list[Problem]:
    """A problem at the second (third …) occurrence of each repeated value."""
    seen: dict[object, int] = {}
    problems: list[Problem] = []
    for index, value in enumerate(values):
        if value in seen:
            problems.append((path_of[index], f"duplicate {what} {value!r} (first at position {seen[value] + 1})"))
        else:
            seen[value] = index
    return problems


def number_text(value: float) -> str:
    """A bound as a user writes it: ``10000000``, ``55.5`` (no exponent)."""
    return str(int(value)) if float(value).is_integer() else f"{value:.10g}"


def did_you_mean(wanted: str, known: Sequence[str] | Mapping[str, object]) -> str:
    """``"; did you mean a, b?"`` for near matches of ``wanted`` among ``known``, else ``""``."""
    names = list(known)
    close = difflib.get_close_matches(wanted, names, n=3, cutoff=0.6)
    if not close:  # indicator ids such as BL99 share a prefix with their family (BL01, BL02 …)
        prefix = re.sub(r"[0-9]+$", "", wanted)
        close = [name for name in names if prefix and prefix != wanted and name.startswith(prefix)][:3]
    return f"; did you mean {', '.join(close)}?" if close else ""
