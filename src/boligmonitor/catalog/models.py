"""The indicator catalogue as data: themes, indicators, their sources and recipes, and programme goals.

Every model is frozen and forbids unknown keys, so a typo in ``catalog.yaml`` is an error, not a silent
default. Checks that involve more than one field (a percentage needs a denominator text, a recipe may only
read datasets that the indicator lists as sources, ids must be unique and references must resolve) are
written as ``own_problems()`` methods that return ``(path, message)`` pairs:

* constructing a model directly runs them and raises (so an invalid catalogue cannot be built in code);
* the loader validates with :data:`DEFER_CROSS_CHECKS` in the validation context and then collects every
  problem with :meth:`Catalog.problems`, so that each one can be reported with its YAML line and field.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any, Final, Literal, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    PrivateAttr,
    Tag,
    ValidationInfo,
    model_validator,
)

from boligmonitor.core.yaml_nodes import PathPart, format_path
from boligmonitor.sources.cube import METRIC_DIMENSION_NAMES, REGION_DIMENSION_NAMES, TIME_DIMENSION_NAMES

SCHEMA_VERSION: Literal[1] = 1

# Validation-context key: when true, cross-field checks are collected by the caller instead of raised.
DEFER_CROSS_CHECKS = "boligmonitor.catalog.defer_cross_checks"

FieldPath = tuple[PathPart, ...]
Problem = tuple[FieldPath, str]


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be empty or blank")
    return value


NonEmptyStr = Annotated[str, AfterValidator(_not_blank)]
IndicatorId = Annotated[str, Field(pattern=r"^[A-Z]{2,3}[0-9]{2}$")]
ThemeId = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]
GoalId = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]
DatasetKey = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*:[A-Za-z0-9][A-Za-z0-9_.\-]*$")]


def _deferred(info: ValidationInfo) -> bool:
    return isinstance(info.context, dict) and bool(info.context.get(DEFER_CROSS_CHECKS))


class CatalogModel(BaseModel):
    """Base of every catalogue model: frozen, no unknown keys, cross-field checks via ``own_problems``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    def own_problems(self) -> list[Problem]:
        """Problems of this model alone (nested models report their own); paths are relative to it."""
        return []

    def problems(self) -> list[Problem]:
        """Problems of this model and every model nested in it, with paths relative to this model."""
        found = list(self.own_problems())
        for name in type(self).model_fields:
            for path, child in _children(getattr(self, name), (name,)):
                found.extend((path + sub, message) for sub, message in child.problems())
        return found

    @model_validator(mode="after")
    def _run_own_checks(self, info: ValidationInfo) -> Self:
        if not _deferred(info):
            problems = self.own_problems()
            if problems:
                raise ValueError("; ".join(_describe(path, message) for path, message in problems))
        return self


def _describe(path: FieldPath, message: str) -> str:
    return f"{format_path(path)}: {message}" if path else message


def _children(value: Any, path: FieldPath) -> Iterator[tuple[FieldPath, CatalogModel]]:
    if isinstance(value, CatalogModel):
        yield path, value
    elif isinstance(value, tuple | list):
        for index, item in enumerate(value):
            yield from _children(item, (*path, index))
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _children(item, (*path, str(key)))


# Marks of a maintainer's note ("[title inferred]", "`boligmonitor fetch`"): never in a text users read; such notes go
# in the developer fields (``maintainer_notes``, ``title_note``, ``note``, ``draft_notes``, a recipe's ``evidence``).
DEVELOPER_MARKS: Final = ("[", "]", "`")


def developer_marks(text: str) -> list[str]:
    """The :data:`DEVELOPER_MARKS` that ``text`` holds."""
    return [mark for mark in DEVELOPER_MARKS if mark in text]


class Text(CatalogModel):
    """A user-facing text in bokmål, nynorsk and English."""

    nb: NonEmptyStr
    nn: NonEmptyStr
    en: NonEmptyStr

    def get(self, language: Literal["nb", "nn", "en"]) -> str:
        return str(getattr(self, language))

    def own_problems(self) -> list[Problem]:
        return [
            ((language,), f"a text users read holds no maintainer's note (found {' '.join(marks)})")
            for language in ("nb", "nn", "en")
            if (marks := developer_marks(self.get(language)))
        ]


class Theme(CatalogModel):
    id: ThemeId
    order: int
    name: Text
    description: Text
    scope: Text = Field(description="What the theme covers and for whom")
    error_sources: Text = Field(
        description="Feilkilder: what can make the figures wrong or incomparable (reporting quality, "
        "definitions, small numbers, mergers, timing)"
    )
    related_programme_goals: tuple[GoalId, ...] = ()
    maintainer_notes: tuple[NonEmptyStr, ...] = Field(
        default=(), description="Notes for maintainers (English): what is unverified or to check; never on pages"
    )


class Polarity(StrEnum):
    HIGHER_IS_BETTER = "higher_is_better"
    LOWER_IS_BETTER = "lower_is_better"
    NEUTRAL = "neutral"  # context: not value-laden


class QuantityKind(StrEnum):
    """What kind of quantity an indicator is, which decides whether chance variation applies to it and so
    whether it gets a confidence interval (docs/catalog.md; docs/methods/intervals-and-comparisons.md §2)."""

    STOCK = "stock"  # a count of a whole population or stock at a date (residents, dwellings): no interval
    EVENT_COUNT = "event_count"  # persons, households or events counted in a period: exact/Byar (Poisson)
    RATE = "rate"  # an event count per population (per 1 000, per 10 000, per 100): exact/Byar × m/n
    SHARE = "share"  # a part of a group, x of the n in it (a register population, those counted): Wilson
    ADMINISTRATIVE = "administrative"  # set, decided or reported by an authority (IMDi's request): no interval
    PROJECTION = "projection"  # a model's projection (SSB's population projection): no interval
    SUMMARY = "summary"  # an amount of money, average, median, price, index or duration: no interval


# Which units each kind may have (a share is a percentage; a stock or an event count is a count; a summary is
# never a count or a rate). Administrative numbers and projections come in any unit.
KIND_UNITS: dict[QuantityKind, frozenset[str] | None] = {
    QuantityKind.STOCK: frozenset({"count"}),
    QuantityKind.EVENT_COUNT: frozenset({"count"}),
    QuantityKind.RATE: frozenset({"percent", "per_1000", "per_10000"}),
    QuantityKind.SHARE: frozenset({"percent"}),
    QuantityKind.ADMINISTRATIVE: None,
    QuantityKind.PROJECTION: None,
    QuantityKind.SUMMARY: frozenset({"nok", "nok_per_m2", "years", "ratio", "index", "months"}),
}


Unit = Literal["count", "percent", "per_1000", "per_10000", "nok", "nok_per_m2", "years", "ratio", "index", "months"]
UNIT_MULTIPLIER: dict[str, int | None] = {
    "count": None,
    "percent": 100,
    "per_1000": 1000,
    "per_10000": 10000,
    "nok": None,
    "nok_per_m2": None,
    "years": None,
    "ratio": None,
    "index": None,
    "months": None,
}
RATE_UNITS = frozenset({"percent", "per_1000", "per_10000"})

# No count of persons, households, dwellings, places or decisions in Norway reaches ten million: Norway has some
# 5.6 million residents and 2.7 million dwellings. The bound for a count unless the indicator sets its own `max`.
COUNT_CEILING: Final = 10_000_000


@dataclass(frozen=True)
class UnitRule:
    """What the unit alone says about possible values (docs/catalog.md, "Domain rules").

    ``lowest``/``highest`` bound the value (None: the unit does not bound it that way, and an indicator in this
    unit must give its own ``limits.max``); ``whole`` says that the value is a number of things.
    """

    lowest: float | None
    highest: float | None
    whole: bool
    about: str


UNIT_RULES: Final[dict[str, UnitRule]] = {
    "count": UnitRule(0, COUNT_CEILING, True, "a number of persons, households, dwellings …"),
    "percent": UnitRule(0, None, False, "per cent: a share is at most 100, a rate or a ratio may be more"),
    "per_1000": UnitRule(0, None, False, "a rate per 1 000"),
    "per_10000": UnitRule(0, None, False, "a rate per 10 000"),
    "nok": UnitRule(None, None, False, "an amount in NOK (a net amount may be negative)"),
    "nok_per_m2": UnitRule(0, None, False, "a price in NOK per square metre"),
    "years": UnitRule(0, None, False, "a duration in years"),
    "ratio": UnitRule(0, None, False, "a ratio of two amounts"),
    "index": UnitRule(None, None, False, "an index or a score"),
    "months": UnitRule(0, None, False, "a duration in months"),
}


class ValueLimits(CatalogModel):
    """What values one indicator can take where its unit and kind alone do not say (docs/catalog.md, "Domain
    rules"): ``min``/``max`` replace the unit's bounds (a share stays within 0–100, a count at or above 0)."""

    min: float | None = Field(default=None, description="The lowest possible value, in the indicator's unit")
    max: float | None = Field(default=None, description="The highest possible value, in the indicator's unit")
    counts_are_means: bool = Field(
        default=False,
        description="The counts (numerator, denominator, or the value of a count) are annual means of monthly "
        "counts, so not whole numbers",
    )
    numerator_within_denominator: bool | None = Field(
        default=None,
        description="The numerator is a part of the denominator (at most as large); default: true for a share, "
        "false otherwise",
    )
    basis: str | None = Field(
        default=None, description="Why these limits (English, for maintainers): the definition or the evidence"
    )

    def own_problems(self) -> list[Problem]:
        problems: list[Problem] = []
        if self.min is not None and self.max is not None and self.min >= self.max:
            problems.append((("max",), f"max {self.max:g} is not above min {self.min:g}"))
        for name in ("min", "max"):
            bound = getattr(self, name)
            if bound is not None and not math.isfinite(bound):
                problems.append(((name,), "must be a finite number"))
        if (self.min is not None or self.max is not None) and not (self.basis and self.basis.strip()):
            problems.append((("basis",), "say why: a bound needs its basis"))
        return problems


GeoLevel = Literal["country", "county", "municipality", "district"]
# `quadrennial` and `irregular` cover the homelessness survey (every 4th year) and SSB's occasional
# deliveries on disadvantaged households; the other values are the usual publication rhythms.
Frequency = Literal["annual", "monthly", "quarterly", "biennial", "quadrennial", "irregular", "once"]
EvidenceStatus = Literal["verified", "third_party", "inferred", "unknown", "n_a"]


class SourceRef(CatalogModel):
    """Where an indicator's figures come from, with how sure we are of the table id and ContentsCode."""

    publisher: NonEmptyStr
    dataset: DatasetKey = Field(description="Our stable key for the dataset, e.g. 'ssb:07459'")
    table: str | None = Field(default=None, description="The publisher's table id, if known")
    table_title: str | None = Field(default=None, description="The table's title as users read it: no notes")
    title_note: str | None = Field(
        default=None, description="How sure the title or table id is (English, for maintainers; never on pages)"
    )
    contents_code: str | None = Field(
        default=None, description="The category code in the table's ContentsCode (statistikkvariabel)"
    )
    resolve_by_contents_code: bool = Field(
        default=False,
        description="The table id is unknown or unverified: at run time, use the table whose metadata "
        "holds this ContentsCode",
    )
    table_status: EvidenceStatus
    contents_code_status: EvidenceStatus
    url: str | None = None
    note: str | None = None
    evidence: tuple[str, ...] = Field(
        default=(), description="Evidence keys of the draft catalogue (shared/docs/indicators.md §17)"
    )

    def own_problems(self) -> list[Problem]:
        problems: list[Problem] = []
        if self.table_title is not None and (marks := developer_marks(self.table_title)):
            problems.append(
                (("table_title",), f"users read the title: its note ({' '.join(marks)}) goes in title_note")
            )
        if self.resolve_by_contents_code:
            if self.contents_code is None:
                problems.append((("resolve_by_contents_code",), "resolving the table needs a contents_code"))
            if self.table_status == "verified":
                problems.append(
                    (("resolve_by_contents_code",), "the table id is verified; there is nothing to resolve")
                )
        return problems


class CodeRange(CatalogModel):
    """Categories from ``from_code`` to ``to_code`` inclusive (numerically when both are digits)."""

    from_code: NonEmptyStr
    to_code: NonEmptyStr

    @property
    def numeric(self) -> bool:
        return self.from_code.isdigit() and self.to_code.isdigit()

    def contains(self, code: str) -> bool:
        if self.numeric:
            return code.isdigit() and int(self.from_code) <= int(code) <= int(self.to_code)
        return self.from_code <= code <= self.to_code

    def own_problems(self) -> list[Problem]:
        empty = int(self.from_code) > int(self.to_code) if self.numeric else self.from_code > self.to_code
        if empty:
            return [(("to_code",), f"range is empty: {self.from_code!r} comes after {self.to_code!r}")]
        return []


def _select_kind(value: Any) -> str:
    if isinstance(value, dict | CodeRange):
        return "range"
    if isinstance(value, str):
        return "all"
    return "codes"


SelectValue = Annotated[
    Annotated[list[NonEmptyStr], Tag("codes")]
    | Annotated[CodeRange, Tag("range")]
    | Annotated[Literal["all"], Tag("all")],
    Discriminator(_select_kind),
]
_RESERVED_DIMENSIONS = frozenset(REGION_DIMENSION_NAMES + TIME_DIMENSION_NAMES + METRIC_DIMENSION_NAMES)


# How sure a recipe part is of what it names (docs/catalog.md, "Recipe evidence"):
# verified -- seen in SSB's own material (a real response or metadata of the table, or SSB's variable pages);
# third_party -- seen in third-party code or documentation that calls the table; assumed -- seen nowhere.
Certainty = Literal["verified", "third_party", "assumed"]
# A table may also be `resolved`: it has no id in the catalogue and is found at fetch time by the ContentsCode.
TableCertainty = Literal["verified", "third_party", "assumed", "resolved"]
# A ContentsCode or category that nobody has seen yet is written with this prefix, so that it can never match
# a real code by chance; the first fetch against SSB reports it as missing and the recipe must be corrected.
PLACEHOLDER_PREFIX: Final = "TBD_"
_CERTAINTY_RANK: Final[dict[str, int]] = {
    "verified": 2,
    "third_party": 1,
    "inferred": 0,
    "unknown": 0,
    "n_a": 0,
    "assumed": 0,
}


class RecipeEvidence(CatalogModel):
    """What one recipe part rests on: its table, its ContentsCode and its other dimensions, each verified,
    reported by a third party or assumed, and the grounds (docs/catalog.md, "Recipe evidence")."""

    table: TableCertainty = Field(
        description="The table id: 'resolved' when the catalogue has none and the fetch finds the table whose "
        "metadata holds the ContentsCode"
    )
    contents_code: Certainty = Field(description="The part's ContentsCode (`measure`)")
    dimensions: Certainty = Field(
        description="The other dimensions: the names and codes in `select`, and that every dimension not named "
        "can be eliminated or has a total (else the fetch reports it)"
    )
    basis: NonEmptyStr = Field(description="On what grounds (English, for maintainers)")

    @property
    def summary(self) -> Certainty:
        """The weakest of the three: ``verified`` only when nothing is third-party or assumed."""
        parts = [self.contents_code, self.dimensions]
        if self.table != "resolved":
            parts.append(self.table)
        return min(parts, key=lambda certainty: _CERTAINTY_RANK[certainty])


# How a part reads the table's time dimension: annual periods as they are, or the mean of a year's four quarters
# (an index or a price level published per quarter, such as SSB 07221's house price index).
Periods = Literal["years", "mean_of_quarters"]


class Selection(CatalogModel):
    """Which cells of a dataset's cube to sum for each region and year.

    ``select`` names, for every dimension other than region, time and the metric (ContentsCode), the
    categories to sum: a list of codes, a :class:`CodeRange`, or ``"all"``. The pipeline refuses a
    recipe that leaves a dimension with more than one category unspecified. ``evidence`` says what the part
    rests on; an SSB part must have it.
    """

    dataset: DatasetKey
    measure: str | None = Field(default=None, description="Category code in the cube's metric dimension")
    select: dict[str, SelectValue] = Field(default_factory=dict)
    periods: Periods = Field(
        default="years",
        description="The table's periods: 'years', or 'mean_of_quarters' for a quarterly table whose year is the "
        "mean of its four quarters (a year with a quarter not yet published is left out)",
    )
    evidence: RecipeEvidence | None = Field(
        default=None, description="What is verified and what is assumed (required for an SSB dataset)"
    )

    @property
    def placeholders(self) -> list[str]:
        """The codes this part names that nobody has seen yet (:data:`PLACEHOLDER_PREFIX`)."""
        codes = [self.measure] if self.measure else []
        for chosen in self.select.values():
            if isinstance(chosen, list):
                codes.extend(chosen)
            elif isinstance(chosen, CodeRange):
                codes.extend((chosen.from_code, chosen.to_code))
        return [code for code in codes if code.startswith(PLACEHOLDER_PREFIX)]

    def categories(self, dimension_id: str, available: Sequence[str]) -> list[str]:
        """The codes of ``dimension_id`` to sum, given the codes the cube has (in the cube's order).

        Listed codes are returned as listed, even when the cube lacks them, so that the caller can report
        them; a dimension not named in ``select`` raises KeyError.
        """
        chosen = self.select[dimension_id]
        if chosen == "all":
            return list(available)
        if isinstance(chosen, CodeRange):
            return [code for code in available if chosen.contains(code)]
        return list(chosen)

    def own_problems(self) -> list[Problem]:
        problems: list[Problem] = []
        for dimension, chosen in self.select.items():
            if dimension in _RESERVED_DIMENSIONS:
                problems.append(
                    (
                        ("select", dimension),
                        "region, time and metric dimensions are not selected here (use `measure` for the metric)",
                    )
                )
            if isinstance(chosen, list):
                if not chosen:
                    problems.append((("select", dimension), "empty list of categories"))
                elif len(set(chosen)) != len(chosen):
                    problems.append((("select", dimension), "a category is listed twice"))
        return problems


# SSB projects to 2100 at most, some 75 years ahead; a longer horizon is a typo.
MAX_HORIZON_YEARS: Final = 80


class Recipe(CatalogModel):
    """How the pipeline computes an indicator: ``numerator / denominator × multiplier``, a count
    (numerator only), or the publisher's own value (``published_value``) when it cannot be recomputed.

    ``published_addend`` is a second published value added to the first (two shares of one denominator, EL04).
    ``factor`` is the multiplier of a ratio whose unit has none: ``numerator / denominator × factor`` (1000 kr
    per person in kroner: 1000; default 1).

    A *projected change* (EL09) is a kind of its own: ``projected`` (a count in a projection table),
    ``observed`` (the same count as observed) and ``horizon_years``. For each observed year Y the value is the
    change from Y to Y + horizon in per cent: (projected[Y + h] − observed[Y]) / observed[Y] × 100, stored for
    year Y with that change as numerator and observed[Y] as denominator (docs/catalog.md, "Recipes")."""

    numerator: Selection | None = None
    denominator: Selection | None = None
    published_value: Selection | None = None
    published_addend: Selection | None = None
    factor: int | None = Field(default=None, gt=0)
    projected: Selection | None = Field(
        default=None, description="A projected change: the count in the projection table, for year Y + horizon"
    )
    observed: Selection | None = Field(default=None, description="A projected change: the observed count in year Y")
    horizon_years: int | None = Field(
        default=None, gt=0, le=MAX_HORIZON_YEARS, description="A projected change: years from Y to the projection"
    )

    @property
    def is_projected_change(self) -> bool:
        return self.projected is not None or self.observed is not None or self.horizon_years is not None

    def selections(self) -> Iterator[tuple[str, Selection]]:
        for part in RECIPE_PARTS:
            selection = getattr(self, part)
            if selection is not None:
                yield part, selection

    @property
    def datasets(self) -> frozenset[str]:
        return frozenset(selection.dataset for _, selection in self.selections())

    def own_problems(self) -> list[Problem]:
        if self.is_projected_change:
            return self._projected_change_problems()
        problems: list[Problem] = []
        if self.numerator is None and self.published_value is None:
            problems.append(((), "a recipe needs a numerator or a published_value"))
        if self.denominator is not None and self.numerator is None:
            problems.append((("denominator",), "a denominator needs a numerator"))
        if self.published_addend is not None and self.published_value is None:
            problems.append((("published_addend",), "an addend needs a published_value to add to"))
        if self.factor is not None and self.denominator is None:
            problems.append((("factor",), "a factor multiplies numerator / denominator: it needs a denominator"))
        return problems

    def _projected_change_problems(self) -> list[Problem]:
        problems: list[Problem] = [
            ((), f"a projected change needs {name}") for name in PROJECTED_CHANGE_FIELDS if getattr(self, name) is None
        ]
        problems.extend(
            ((name,), "a projected change has only projected, observed and horizon_years")
            for name in ("numerator", "denominator", "published_value", "published_addend", "factor")
            if getattr(self, name) is not None
        )
        return problems


RECIPE_PARTS: Final = ("numerator", "denominator", "published_value", "published_addend", "projected", "observed")
PROJECTED_CHANGE_FIELDS: Final = ("projected", "observed", "horizon_years")


Programme = Literal["bolig_for_velferd"]


class ProgrammeLink(CatalogModel):
    programme: Programme
    goal_id: GoalId
    result_indicator: bool = Field(description="Whether the programme uses it as a result indicator")
    ambition: Text | None = Field(default=None, description="The ambition as the draft states it")


class AmbitionKind(StrEnum):
    """How a numeric goal is read (see docs/catalog.md):

    * ``relative_change``: change from ``baseline_year`` in per cent; met when the change is at least
      ``target`` (target ≥ 0) or at most ``target`` (target < 0);
    * ``at_least`` / ``at_most``: the indicator's value compared with ``target`` in the indicator's unit;
    * ``reach_share``: at least ``target`` per cent of the municipalities answer yes.
    """

    RELATIVE_CHANGE = "relative_change"
    AT_LEAST = "at_least"
    AT_MOST = "at_most"
    REACH_SHARE = "reach_share"


class Goal(CatalogModel):
    """A programme goal. Qualitative goals (the strategy's main and result goals) have no kind/target."""

    id: GoalId
    programme: Programme
    name: Text
    description: Text
    kind: AmbitionKind | None = None
    target: float | None = None
    baseline_year: int | None = None
    target_year: int | None = None
    applies_to: Literal["municipality", "programme_aggregate"] = Field(
        default="municipality",
        description="'programme_aggregate': a target for all programme municipalities together, "
        "not a norm for each municipality",
    )
    indicator_ids: tuple[IndicatorId, ...] = ()
    evidence: tuple[str, ...] = ()

    def own_problems(self) -> list[Problem]:
        problems: list[Problem] = []
        if (self.kind is None) != (self.target is None):
            problems.append((("target",), "kind and target are given together or not at all"))
        if self.baseline_year is not None and self.kind is not AmbitionKind.RELATIVE_CHANGE:
            problems.append((("baseline_year",), "a baseline year belongs to a relative_change goal"))
        if self.kind is AmbitionKind.REACH_SHARE and self.target is not None and not 0 <= self.target <= 100:
            problems.append((("target",), "reach_share is a percentage between 0 and 100"))
        if len(set(self.indicator_ids)) != len(self.indicator_ids):
            problems.append((("indicator_ids",), "an indicator is listed twice"))
        return problems


class Indicator(CatalogModel):
    id: IndicatorId
    theme: ThemeId
    name: Text
    short_name: Text
    definition: Text
    numerator_text: Text | None = None
    denominator_text: Text | None = None
    unit: Unit
    multiplier: int | None = Field(
        default=None, description="100 for percent, 1000 for per_1000, 10000 for per_10000, else None"
    )
    kind: QuantityKind = Field(
        description="What kind of quantity it is (stock, event_count, rate, share, administrative, projection, "
        "summary): decides whether it has a confidence interval"
    )
    decimals: int = Field(ge=0, le=6)
    limits: ValueLimits | None = Field(
        default=None, description="Possible values where the unit and kind alone do not bound them"
    )
    count_unit: Text = Field(description="What is counted: personer, husstander, boliger …")
    polarity: Polarity
    geo_levels: tuple[GeoLevel, ...] = Field(min_length=1)
    frequency: Frequency
    reference_time: Text = Field(description="e.g. 'per 1.1.', '31.12.', 'kalenderåret'")
    sources: tuple[SourceRef, ...] = Field(min_length=1)
    recipe: Recipe | None = Field(
        default=None, description="None: no data in any build input we know of (the status report says so)"
    )
    caveats: tuple[Text, ...] = ()
    programme_links: tuple[ProgrammeLink, ...] = ()
    related: tuple[IndicatorId, ...] = ()
    also_in_themes: tuple[ThemeId, ...] = Field(
        default=(),
        description="Other themes whose pages also show the indicator (the share 80+ in 'Eldre og bolig'); "
        "``theme`` stays its home (downloads, the status report)",
    )
    draft_notes: str | None = None
    maintainer_notes: tuple[NonEmptyStr, ...] = Field(
        default=(), description="Notes for maintainers (English): what is unverified or to check; never on pages"
    )

    @model_validator(mode="before")
    @classmethod
    def _default_multiplier(cls, data: Any) -> Any:
        """The multiplier follows from the unit; YAML may omit it."""
        if isinstance(data, dict) and "multiplier" not in data and isinstance(data.get("unit"), str):
            return {**data, "multiplier": UNIT_MULTIPLIER.get(data["unit"])}
        return data

    @property
    def themes(self) -> tuple[str, ...]:
        """Its home theme, then the others that show it."""
        return (self.theme, *self.also_in_themes)

    @property
    def source_datasets(self) -> frozenset[str]:
        return frozenset(source.dataset for source in self.sources)

    @property
    def computable(self) -> bool:
        """Whether some build input we know of can give this indicator a value."""
        return self.recipe is not None

    def own_problems(self) -> list[Problem]:
        problems: list[Problem] = []
        expected = UNIT_MULTIPLIER[self.unit]
        if self.multiplier != expected:
            problems.append((("multiplier",), f"unit {self.unit!r} needs multiplier {expected}, not {self.multiplier}"))
        allowed_units = KIND_UNITS[self.kind]
        if allowed_units is not None and self.unit not in allowed_units:
            problems.append(
                (("kind",), f"a {self.kind.value} has unit {', '.join(sorted(allowed_units))}, not {self.unit!r}")
            )
        if self.unit in RATE_UNITS and self.denominator_text is None:
            problems.append((("denominator_text",), f"a {self.unit} indicator needs a denominator_text"))
        problems.extend(self._limit_problems())
        if self.theme in self.also_in_themes:
            problems.append((("also_in_themes",), f"{self.theme!r} is the indicator's own theme"))
        if len(set(self.also_in_themes)) != len(self.also_in_themes):
            problems.append((("also_in_themes",), "a theme is listed twice"))
        if len(set(self.geo_levels)) != len(self.geo_levels):
            problems.append((("geo_levels",), "a level is listed twice"))
        if self.id in self.related:
            problems.append((("related",), "an indicator is not related to itself"))
        goal_ids = [link.goal_id for link in self.programme_links]
        if len(set(goal_ids)) != len(goal_ids):
            problems.append((("programme_links",), "a goal is linked twice"))
        if self.recipe is not None:
            problems.extend(self._recipe_problems(self.recipe))
        return problems

    def _unit_fits_kind(self) -> bool:
        allowed_units = KIND_UNITS[self.kind]
        return allowed_units is None or self.unit in allowed_units

    def _limit_problems(self) -> list[Problem]:
        """A share stays within 0–100 and a count at or above 0; every indicator has a finite upper bound."""
        limits = self.limits or ValueLimits()
        rule = UNIT_RULES[self.unit]
        problems: list[Problem] = []
        if self.kind is QuantityKind.SHARE:
            if (limits.min is not None and limits.min < 0) or (limits.max is not None and limits.max > 100):
                problems.append((("limits",), "a share lies within 0–100 %: its limits cannot widen that"))
            if limits.numerator_within_denominator is False:
                problems.append((("limits", "numerator_within_denominator"), "a share is a part of its denominator"))
        elif limits.max is None and rule.highest is None and self._unit_fits_kind():
            problems.append(
                (("limits", "max"), f"unit {self.unit!r} ({rule.about}) does not bound the value: give limits.max")
            )
        if self.unit == "count" and limits.min is not None and limits.min < 0:
            problems.append((("limits", "min"), "a count is never negative"))
        if limits.numerator_within_denominator and self.multiplier is None:
            problems.append((("limits", "numerator_within_denominator"), f"unit {self.unit!r} has no denominator"))
        if limits.counts_are_means and self.unit not in RATE_UNITS and self.unit != "count":
            problems.append((("limits", "counts_are_means"), f"unit {self.unit!r} has no counts"))
        return problems

    def _recipe_problems(self, recipe: Recipe) -> list[Problem]:
        problems: list[Problem] = []
        known = self.source_datasets
        for part, selection in recipe.selections():
            if selection.dataset not in known:
                problems.append(
                    (
                        ("recipe", part, "dataset"),
                        f"dataset {selection.dataset!r} is not among the indicator's sources "
                        f"({', '.join(sorted(known))})",
                    )
                )
            problems.extend((("recipe", part, *path), message) for path, message in self._evidence_problems(selection))
        if recipe.factor is not None and self.multiplier is not None:
            problems.append(
                (
                    ("recipe", "factor"),
                    f"unit {self.unit!r} has multiplier {self.multiplier}: a factor is for units without",
                )
            )
        if recipe.is_projected_change:
            if self.unit != "percent" or self.kind is not QuantityKind.PROJECTION:
                problems.append(
                    (
                        ("recipe",),
                        f"a projected change is a projection in per cent, not a {self.kind.value} in {self.unit!r}",
                    )
                )
            return problems
        if self.unit == "count" and recipe.denominator is not None:
            problems.append((("recipe", "denominator"), "a count indicator has no denominator"))
        if self.unit in RATE_UNITS and recipe.denominator is None and recipe.published_value is None:
            problems.append((("recipe",), f"a {self.unit} indicator needs a denominator or a published_value"))
        return problems

    def _evidence_problems(self, selection: Selection) -> list[Problem]:
        """An SSB part names its ContentsCode and its evidence, which cannot claim more than the source does."""
        sources = [s for s in self.sources if s.dataset == selection.dataset and s.publisher == "SSB"]
        evidence = selection.evidence
        problems: list[Problem] = []
        if sources and selection.measure is None:
            problems.append((("measure",), "an SSB part names its ContentsCode"))
        if sources and evidence is None:
            problems.append((("evidence",), "an SSB part says what is verified and what is assumed"))
        if evidence is None:
            return problems
        placeholder = selection.measure is not None and selection.measure.startswith(PLACEHOLDER_PREFIX)
        if placeholder and evidence.contents_code != "assumed":
            problems.append((("evidence", "contents_code"), "a placeholder ContentsCode is assumed"))
        if any(code != selection.measure for code in selection.placeholders) and evidence.dimensions != "assumed":
            problems.append((("evidence", "dimensions"), "placeholder categories are assumed"))
        if not sources:
            return problems
        source = sources[0]
        fixed = source.table is not None and not source.resolve_by_contents_code
        if fixed and evidence.table == "resolved":
            problems.append(
                (("evidence", "table"), f"the source names table {source.table}: it is not resolved at fetch time")
            )
        elif not fixed and evidence.table != "resolved":
            problems.append(
                (
                    ("evidence", "table"),
                    "the source has no fixed table id: the fetch finds the table by the ContentsCode ('resolved')",
                )
            )
        elif fixed and _CERTAINTY_RANK[evidence.table] > _CERTAINTY_RANK[source.table_status]:
            problems.append(
                (
                    ("evidence", "table"),
                    f"{evidence.table!r} claims more than the source's table_status {source.table_status!r}",
                )
            )
        for ref in sources:
            if ref.contents_code == selection.measure and (
                _CERTAINTY_RANK[evidence.contents_code] > _CERTAINTY_RANK[ref.contents_code_status]
            ):
                problems.append(
                    (
                        ("evidence", "contents_code"),
                        f"{evidence.contents_code!r} claims more than the source's contents_code_status "
                        f"{ref.contents_code_status!r}",
                    )
                )
        return problems


def _near(wanted: str, known: Sequence[str]) -> str:
    close = difflib.get_close_matches(wanted, known, n=5, cutoff=0.5)
    if not close:  # ids like BEF03 share a prefix; offer the same family
        prefix = re.sub(r"[0-9]+$", "", wanted)
        close = [key for key in known if prefix and key.startswith(prefix)][:5]
    return f"; did you mean {', '.join(close)}?" if close else ""


class Catalog(CatalogModel):
    schema_version: Literal[1] = SCHEMA_VERSION
    version: Annotated[str, Field(pattern=r"^[0-9]{4}\.[0-9]{1,2}\.[0-9]+$")]
    themes: tuple[Theme, ...] = Field(min_length=1)
    indicators: tuple[Indicator, ...] = Field(min_length=1)
    goals: tuple[Goal, ...] = ()

    _indicators_by_id: dict[str, Indicator] = PrivateAttr(default_factory=dict)
    _themes_by_id: dict[str, Theme] = PrivateAttr(default_factory=dict)
    _goals_by_id: dict[str, Goal] = PrivateAttr(default_factory=dict)

    def model_post_init(self, context: Any, /) -> None:
        self._indicators_by_id = {indicator.id: indicator for indicator in self.indicators}
        self._themes_by_id = {theme.id: theme for theme in self.themes}
        self._goals_by_id = {goal.id: goal for goal in self.goals}

    def indicator(self, indicator_id: str) -> Indicator:
        try:
            return self._indicators_by_id[indicator_id]
        except KeyError:
            known = list(self._indicators_by_id)
            message = f"no indicator {indicator_id!r} in the catalogue{_near(indicator_id, known)}"
            raise KeyError(message) from None

    def theme(self, theme_id: str) -> Theme:
        try:
            return self._themes_by_id[theme_id]
        except KeyError:
            known = list(self._themes_by_id)
            raise KeyError(f"no theme {theme_id!r} in the catalogue{_near(theme_id, known)}") from None

    def goal(self, goal_id: str) -> Goal:
        try:
            return self._goals_by_id[goal_id]
        except KeyError:
            known = list(self._goals_by_id)
            raise KeyError(f"no goal {goal_id!r} in the catalogue{_near(goal_id, known)}") from None

    def indicators_in(self, theme_id: str) -> list[Indicator]:
        """The theme's indicators in catalogue order; KeyError for an unknown theme."""
        self.theme(theme_id)
        return [indicator for indicator in self.indicators if theme_id in indicator.themes]

    def by_dataset(self, dataset: str) -> list[Indicator]:
        """Indicators whose recipe reads ``dataset`` (as numerator, denominator or published value)."""
        return [
            indicator
            for indicator in self.indicators
            if indicator.recipe is not None and dataset in indicator.recipe.datasets
        ]

    def own_problems(self) -> list[Problem]:
        problems: list[Problem] = []
        problems.extend(_duplicates([theme.id for theme in self.themes], "themes", "id", "theme id"))
        problems.extend(_duplicates([theme.order for theme in self.themes], "themes", "order", "theme order"))
        problems.extend(
            _duplicates([indicator.id for indicator in self.indicators], "indicators", "id", "indicator id")
        )
        problems.extend(_duplicates([goal.id for goal in self.goals], "goals", "id", "goal id"))
        theme_ids = [theme.id for theme in self.themes]
        indicator_ids = [indicator.id for indicator in self.indicators]
        goals = {goal.id: goal for goal in self.goals}
        for t, theme in enumerate(self.themes):
            for g, goal_id in enumerate(theme.related_programme_goals):
                if goal_id not in goals:
                    where: FieldPath = ("themes", t, "related_programme_goals", g)
                    problems.append((where, f"unknown goal {goal_id!r}{_near(goal_id, list(goals))}"))
        for i, indicator in enumerate(self.indicators):
            problems.extend(self._indicator_reference_problems(i, indicator, theme_ids, indicator_ids, goals))
        for g, goal in enumerate(self.goals):
            for k, indicator_id in enumerate(goal.indicator_ids):
                if indicator_id not in self._indicators_by_id:
                    problems.append(
                        (
                            ("goals", g, "indicator_ids", k),
                            f"unknown indicator {indicator_id!r}{_near(indicator_id, indicator_ids)}",
                        )
                    )
                elif goal.id not in {link.goal_id for link in self._indicators_by_id[indicator_id].programme_links}:
                    problems.append(
                        (
                            ("goals", g, "indicator_ids", k),
                            f"indicator {indicator_id} has no programme_link to goal {goal.id!r}",
                        )
                    )
        return problems

    @staticmethod
    def _indicator_reference_problems(
        i: int, indicator: Indicator, theme_ids: list[str], indicator_ids: list[str], goals: dict[str, Goal]
    ) -> list[Problem]:
        problems: list[Problem] = []
        if indicator.theme not in theme_ids:
            message = f"unknown theme {indicator.theme!r}{_near(indicator.theme, theme_ids)}"
            problems.append((("indicators", i, "theme"), message))
        for k, other in enumerate(indicator.also_in_themes):
            if other not in theme_ids:
                message = f"unknown theme {other!r}{_near(other, theme_ids)}"
                problems.append((("indicators", i, "also_in_themes", k), message))
        for r, related_id in enumerate(indicator.related):
            if related_id not in indicator_ids:
                problems.append(
                    (
                        ("indicators", i, "related", r),
                        f"unknown indicator {related_id!r}{_near(related_id, indicator_ids)}",
                    )
                )
        for k, link in enumerate(indicator.programme_links):
            goal = goals.get(link.goal_id)
            where: FieldPath = ("indicators", i, "programme_links", k, "goal_id")
            if goal is None:
                problems.append((where, f"unknown goal {link.goal_id!r}{_near(link.goal_id, list(goals))}"))
            elif indicator.id not in goal.indicator_ids:
                problems.append((where, f"goal {goal.id!r} does not list indicator {indicator.id}"))
            elif goal.programme != link.programme:
                problems.append((where, f"goal {goal.id!r} belongs to programme {goal.programme!r}"))
        return problems


def _duplicates(values: Sequence[object], collection: str, field: str, what: str) -> list[Problem]:
    seen: set[object] = set()
    problems: list[Problem] = []
    for index, value in enumerate(values):
        if value in seen:
            problems.append(((collection, index, field), f"duplicate {what} {value!r}"))
        seen.add(value)
    return problems
