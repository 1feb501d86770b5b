"""Presets of the indicator model as validated data (``catalog/data/model_presets.yaml``).

A preset names the indicators that rank a region's municipalities, each with a weight, a direction (+1: a
higher value means a larger challenge) and a one-line reason, grouped in domains, plus the normalisation,
the minimum coverage and the year rule (docs/methods/indicator-model.md). The maths lives in
``analysis.indicator_model``; this module only says what a preset is and checks it against the catalogue:
an unknown indicator id, an indicator without municipality data in its definition, or a direction that
contradicts the catalogue's polarity is an error naming file, line and field.

A model variable is an indicator's level (key ``BEF03``) or its change over N years (``change_years: 5``,
key ``BEF01_change5y``). ``--weights BEF03=6,FL01=2`` changes weights of a preset
(:func:`apply_weights`); ``KEY=0`` drops an indicator and ``KEY=W:+`` / ``KEY=W:-`` sets its direction,
which an indicator the preset does not have must be given.
"""

from __future__ import annotations

import difflib
import functools
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import Field, ValidationError

from boligmonitor.catalog.loader import load_catalog
from boligmonitor.catalog.models import (
    DEFER_CROSS_CHECKS,
    Catalog,
    CatalogModel,
    FieldPath,
    IndicatorId,
    Polarity,
    Problem,
    Text,
)
from boligmonitor.catalog.yaml_locations import locate, plain_message, without_echoes
from boligmonitor.core.errors import InputError, InputProblem
from boligmonitor.core.yaml_nodes import PathPart

PACKAGED_PRESETS = "data/model_presets.yaml"
WEIGHTS_SOURCE = "--weights"

# Kept equal to analysis.indicator_model's NORMALISATIONS, COVERAGE_BASES and YEAR_RULES (a test checks);
# the catalogue layer cannot import the analysis layer.
PresetNormalisation = Literal["zscore", "minmax", "rank"]
PresetCoverageBasis = Literal["weight", "count"]
PresetYearRule = Literal["latest_per_indicator", "latest_common"]
MAX_CHANGE_YEARS = 30

_VARIABLE_KEY = re.compile(r"^(?P<indicator>[A-Z]{2,3}[0-9]{2})(?:_change(?P<years>[0-9]{1,2})y)?$")
_SLUG = r"^[a-z][a-z0-9_]*$"


def variable_key(indicator_id: str, change_years: int | None = None) -> str:
    """``BEF03`` for a level, ``BEF01_change5y`` for the change over five years."""
    return indicator_id if change_years is None else f"{indicator_id}_change{change_years}y"


def parse_variable_key(key: str) -> tuple[str, int | None]:
    """``"BEF01_change5y"`` -> ``("BEF01", 5)``; ``"BEF03"`` -> ``("BEF03", None)``; ValueError otherwise."""
    match = _VARIABLE_KEY.match(key)
    if match is None:
        raise ValueError(f"{key!r} is not an indicator id (BEF03) or a change over years (BEF01_change5y)")
    years = match["years"]
    if years is not None and not 1 <= int(years) <= MAX_CHANGE_YEARS:
        raise ValueError(f"{key!r}: the change is over 1 to {MAX_CHANGE_YEARS} years")
    return match["indicator"], None if years is None else int(years)


class PresetIndicator(CatalogModel):
    indicator: IndicatorId
    change_years: Annotated[int, Field(ge=1, le=MAX_CHANGE_YEARS)] | None = Field(
        default=None, description="Score the change over this many years instead of the level"
    )
    weight: Annotated[float, Field(gt=0, allow_inf_nan=False)]
    direction: Literal[1, -1] = Field(description="+1: a higher value means a larger challenge; -1: a lower one")
    reason: Text = Field(description="Why the direction is what it is, in one line")

    @property
    def key(self) -> str:
        return variable_key(self.indicator, self.change_years)


class PresetDomain(CatalogModel):
    id: Annotated[str, Field(pattern=_SLUG)]
    name: Text
    indicators: tuple[PresetIndicator, ...] = Field(min_length=1)


class ModelPreset(CatalogModel):
    id: Annotated[str, Field(pattern=_SLUG)]
    name: Text
    description: Text
    normalisation: PresetNormalisation = "zscore"
    min_coverage: Annotated[float, Field(ge=0, le=1)] = 0.75
    coverage_basis: PresetCoverageBasis = "weight"
    year_rule: PresetYearRule = "latest_per_indicator"
    domains: tuple[PresetDomain, ...] = Field(min_length=1)

    def entries(self) -> list[tuple[PresetDomain, PresetIndicator]]:
        """Every indicator with its domain, in file order."""
        return [(domain, item) for domain in self.domains for item in domain.indicators]

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(item.key for _, item in self.entries())

    def entry(self, key: str) -> tuple[PresetDomain, PresetIndicator]:
        for domain, item in self.entries():
            if item.key == key:
                return domain, item
        raise KeyError(f"no indicator {key!r} in preset {self.id!r}")

    def own_problems(self) -> list[Problem]:
        problems: list[Problem] = []
        seen_domains: set[str] = set()
        seen_keys: set[str] = set()
        for d, domain in enumerate(self.domains):
            if domain.id in seen_domains:
                problems.append((("domains", d, "id"), f"duplicate domain id {domain.id!r}"))
            seen_domains.add(domain.id)
            for i, item in enumerate(domain.indicators):
                if item.key in seen_keys:
                    problems.append((("domains", d, "indicators", i, "indicator"), f"{item.key} is listed twice"))
                seen_keys.add(item.key)
        return problems


class ModelPresets(CatalogModel):
    schema_version: Literal[1] = 1
    presets: tuple[ModelPreset, ...] = Field(min_length=1)

    def own_problems(self) -> list[Problem]:
        ids = [preset.id for preset in self.presets]
        return [
            (("presets", p, "id"), f"duplicate preset id {preset_id!r}")
            for p, preset_id in enumerate(ids)
            if preset_id in ids[:p]
        ]

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(preset.id for preset in self.presets)

    def preset(self, preset_id: str) -> ModelPreset:
        """The preset ``preset_id``; an unknown id is an :class:`InputError` listing the known ones."""
        for preset in self.presets:
            if preset.id == preset_id:
                return preset
        message = f"unknown preset {preset_id!r}; known: {', '.join(self.ids)}"
        raise InputError.single("--preset", message, field="preset")


def load_model_presets(path: Path | None = None, catalog: Catalog | None = None) -> ModelPresets:
    """The presets in ``path``, or the packaged ones (cached) when ``path`` is None, checked against
    ``catalog`` (default: the packaged catalogue). Raises :class:`InputError` naming file, line and field."""
    if path is None and catalog is None:
        return _packaged_models()
    checked_against = catalog if catalog is not None else load_catalog()
    if path is None:
        resource = files("boligmonitor.catalog").joinpath(PACKAGED_PRESETS)
        return parse_model_presets(resource.read_text(encoding="utf-8"), str(resource), checked_against)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError.single(str(path), "indicator-model file not found") from None
    except UnicodeDecodeError as exc:
        raise InputError.single(str(path), f"not UTF-8 text: {exc}") from exc
    return parse_model_presets(text, str(path), checked_against)


@functools.cache
def _packaged_models() -> ModelPresets:
    resource = files("boligmonitor.catalog").joinpath(PACKAGED_PRESETS)
    return parse_model_presets(resource.read_text(encoding="utf-8"), str(resource), load_catalog())


def parse_model_presets(text: str, file: str, catalog: Catalog) -> ModelPresets:
    """Validate preset YAML ``text`` against ``catalog``; ``file`` names it in error messages."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise InputError.single(
            file, f"not valid YAML: {exc.problem or exc}", line=mark.line + 1 if mark else None
        ) from exc
    if root is None or not isinstance(data, dict):
        raise InputError.single(file, "the file must be a YAML mapping (schema_version, presets)", line=1)
    try:
        models = ModelPresets.model_validate(data, context={DEFER_CROSS_CHECKS: True})
    except ValidationError as exc:
        errors = without_echoes(exc.errors())
        problems = [_located(file, root, tuple(error["loc"]), plain_message(error["msg"])) for error in errors]
        raise InputError(problems) from exc
    found = [*models.problems(), *catalog_problems(models, catalog)]
    if found:
        raise InputError([_located(file, root, path, message) for path, message in found])
    return models


def catalog_problems(models: ModelPresets, catalog: Catalog) -> list[Problem]:
    """Indicators the catalogue does not know, lacks at municipality level, or whose polarity contradicts
    the preset's direction (a lower_is_better indicator is a challenge when high: direction +1)."""
    known = [indicator.id for indicator in catalog.indicators]
    problems: list[Problem] = []
    for p, preset in enumerate(models.presets):
        for d, domain in enumerate(preset.domains):
            for i, item in enumerate(domain.indicators):
                where: FieldPath = ("presets", p, "domains", d, "indicators", i)
                problems.extend((where + path, message) for path, message in _item_problems(item, catalog, known))
    return problems


def _item_problems(item: PresetIndicator, catalog: Catalog, known: Sequence[str]) -> list[Problem]:
    if item.indicator not in known:
        return [(("indicator",), f"unknown indicator {item.indicator!r}{_did_you_mean(item.indicator, known)}")]
    indicator = catalog.indicator(item.indicator)
    problems: list[Problem] = []
    if "municipality" not in indicator.geo_levels:
        problems.append((("indicator",), f"{item.indicator} is not defined for municipalities"))
    expected = {Polarity.LOWER_IS_BETTER: 1, Polarity.HIGHER_IS_BETTER: -1}.get(indicator.polarity)
    if item.change_years is None and expected is not None and item.direction != expected:
        problems.append(
            (
                ("direction",),
                f"{item.indicator} is {indicator.polarity.value} in the catalogue, so a larger challenge is "
                f"direction {expected:+d}, not {item.direction:+d}",
            )
        )
    return problems


def _did_you_mean(wanted: str, known: Sequence[str]) -> str:
    close = difflib.get_close_matches(wanted, known, n=5, cutoff=0.6)
    return f"; did you mean {', '.join(close)}?" if close else ""


def _located(file: str, root: yaml.Node, loc: Sequence[PathPart], message: str) -> InputProblem:
    """The problem at ``loc`` with the line of the deepest YAML node along it; the walk stops at the first part
    not in the file, which is the field named."""
    where = locate(root, loc, skip_unmatched=False)
    return InputProblem(file=file, message=message, line=where.line, field=where.field)


@dataclass(frozen=True)
class WeightChange:
    """One ``KEY=WEIGHT[:+|:-]`` item of ``--weights``; weight 0 drops the indicator."""

    key: str
    weight: float
    direction: Literal[1, -1] | None = None


_OWN_CHOICES = Text(nb="Egne valg", nn="Eigne val", en="Own choices")
_ADDED_REASON = Text(
    nb="Lagt til med --weights; retningen er brukerens valg.",
    nn="Lagt til med --weights; retninga er valet til brukaren.",
    en="Added with --weights; the direction is the user's choice.",
)


def parse_weights(text: str) -> list[WeightChange]:
    """``"BEF03=6, FL01=2:-"`` -> weight changes; bad syntax is an :class:`InputError` naming the item."""
    problems: list[InputProblem] = []
    changes: list[WeightChange] = []
    items = [item.strip() for item in text.split(",")]
    if not any(items):
        raise InputError.single(WEIGHTS_SOURCE, "no weights given; write KEY=WEIGHT,KEY=WEIGHT", field="weights")
    seen: set[str] = set()
    for position, item in enumerate(items, start=1):
        label = item or f"item {position}"
        if not item:
            problems.append(InputProblem(WEIGHTS_SOURCE, "empty item (two commas in a row?)", field=label))
            continue
        key, sign, rest = (part.strip() for part in item.partition("="))
        if not sign or not key or not rest:
            problems.append(InputProblem(WEIGHTS_SOURCE, f"{item!r} is not KEY=WEIGHT (e.g. BEF03=2)", field=label))
            continue
        number, colon, direction_text = (part.strip() for part in rest.partition(":"))
        try:
            parse_variable_key(key)
        except ValueError as exc:
            problems.append(InputProblem(WEIGHTS_SOURCE, str(exc), field=key))
            continue
        weight = _number(number)
        if weight is None or weight < 0:
            message = f"weight {number!r} is not a number of at least 0"
            problems.append(InputProblem(WEIGHTS_SOURCE, message, field=key))
            continue
        direction: Literal[1, -1] | None = None
        if colon:
            if direction_text not in ("+", "-", "+1", "-1"):
                message = f"direction {direction_text!r} is not + (higher = larger challenge) or -"
                problems.append(InputProblem(WEIGHTS_SOURCE, message, field=key))
                continue
            direction = 1 if direction_text.startswith("+") else -1
        if key in seen:
            problems.append(InputProblem(WEIGHTS_SOURCE, f"{key} is given twice", field=key))
            continue
        seen.add(key)
        changes.append(WeightChange(key, weight, direction))
    if problems:
        raise InputError(problems)
    return changes


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def apply_weights(preset: ModelPreset, text: str, catalog: Catalog) -> ModelPreset:
    """``preset`` with the weights (and directions) of ``--weights`` ``text`` applied.

    Named indicators get the new weight (0 removes them); others keep theirs. An indicator the preset does
    not have is added to a domain "egne_valg" and needs a direction (``KEY=W:+``). Unknown ids, indicators
    without municipality data, and a result without any indicator are :class:`InputError`\\ s.
    """
    changes = parse_weights(text)
    known = [indicator.id for indicator in catalog.indicators]
    problems: list[InputProblem] = []
    updated: dict[str, WeightChange] = {}
    added: list[PresetIndicator] = []
    for change in changes:
        indicator_id, change_years = parse_variable_key(change.key)
        if indicator_id not in known:
            message = f"unknown indicator {indicator_id!r}{_did_you_mean(indicator_id, known)}"
            problems.append(InputProblem(WEIGHTS_SOURCE, message, field=change.key))
            continue
        if "municipality" not in catalog.indicator(indicator_id).geo_levels:
            message = f"{indicator_id} is not defined for municipalities"
            problems.append(InputProblem(WEIGHTS_SOURCE, message, field=change.key))
            continue
        if change.key in preset.keys:
            updated[change.key] = change
        elif change.weight > 0:
            if change.direction is None:
                message = (
                    f"{change.key} is not in preset {preset.id!r}: give its direction, {change.key}="
                    f"{change.weight:g}:+ (a higher value means a larger challenge) or :-"
                )
                problems.append(InputProblem(WEIGHTS_SOURCE, message, field=change.key))
                continue
            added.append(
                PresetIndicator(
                    indicator=indicator_id,
                    change_years=change_years,
                    weight=change.weight,
                    direction=change.direction,
                    reason=_ADDED_REASON,
                )
            )
    if problems:
        raise InputError(problems)
    domains: list[PresetDomain] = []
    for domain in preset.domains:
        kept = [_changed(item, updated.get(item.key)) for item in domain.indicators]
        remaining = tuple(item for item in kept if item is not None)
        if remaining:
            domains.append(domain.model_copy(update={"indicators": remaining}))
    if added:
        domains.append(PresetDomain(id="egne_valg", name=_OWN_CHOICES, indicators=tuple(added)))
    if not domains:
        raise InputError.single(WEIGHTS_SOURCE, "every indicator has weight 0: nothing is left to rank with")
    return preset.model_copy(update={"domains": tuple(domains)})


def _changed(item: PresetIndicator, change: WeightChange | None) -> PresetIndicator | None:
    if change is None:
        return item
    if change.weight == 0:
        return None
    update: dict[str, Any] = {"weight": change.weight}
    if change.direction is not None:
        update["direction"] = change.direction
    return item.model_copy(update=update)
