"""Run the indicator model on stored data: a county's (or a list of) municipalities, ranked by challenge.

Reads each model variable's values for the region's municipalities through an :class:`ObservationSource` (the
store, or the web's loaded data version), picks the year by the
model's year rule, scores with :func:`scoring.score` and adds the rank intervals of
:func:`scoring.sensitivity`. The result carries the year used per indicator, the names of
the municipalities and notes on missing data, so that a page, the CLI and a download say the same thing.
See docs/methods/indicator-model.md.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any, cast

import numpy as np

from boligmonitor.analysis.indicator_model.scoring import (
    DEFAULT_DRAWS,
    MIN_VALUES_TO_NORMALISE,
    NO_OBSERVATION,
    CoverageBasis,
    DataNote,
    ModelIndicator,
    ModelResult,
    ModelSpec,
    Normalisation,
    SampledValues,
    Shrinkage,
    YearRule,
    score,
    sensitivity,
)
from boligmonitor.analysis.reading import ObservationSource
from boligmonitor.analysis.shrinkage import Prior, PriorKind, fit_prior, shrink
from boligmonitor.catalog.model_presets import ModelPreset, parse_variable_key
from boligmonitor.catalog.models import RATE_UNITS, Catalog
from boligmonitor.core.errors import InputError, UnknownCodesError
from boligmonitor.core.regions import NORWAY, RegionCode, RegionLevel, normalise_region_code, region_level
from boligmonitor.core.status import Status


def spec_from_preset(
    preset: ModelPreset,
    *,
    normalisation: str | None = None,
    min_coverage: float | None = None,
    coverage_basis: str | None = None,
    year_rule: str | None = None,
    shrinkage: str | None = None,
) -> ModelSpec:
    """The preset as a :class:`ModelSpec`, with any of its settings overridden (validated by ModelSpec)."""
    indicators = tuple(
        ModelIndicator(key=item.key, weight=item.weight, direction=item.direction, domain=domain.id)
        for domain, item in preset.entries()
    )
    return ModelSpec(
        indicators=indicators,
        # Unchecked text from the user is fine here: ModelSpec validates every field and names the bad one.
        normalisation=cast(Normalisation, normalisation or preset.normalisation),
        min_coverage=preset.min_coverage if min_coverage is None else min_coverage,
        coverage_basis=cast(CoverageBasis, coverage_basis or preset.coverage_basis),
        year_rule=cast(YearRule, year_rule or preset.year_rule),
        name=preset.id,
        shrinkage=cast(Shrinkage, shrinkage or "empirical_bayes"),
    )


@dataclass(frozen=True)
class RegionChoice:
    """The municipalities a ranking covers, how to name the choice, and the municipalities' names."""

    label: str
    municipalities: tuple[str, ...]
    names: dict[str, str]


def region_municipalities(source: ObservationSource, region: str | Sequence[str]) -> RegionChoice:
    """A county code (``"46"``) -> its current municipalities; a list (or ``"4601,4602"``) -> those.

    Raises :class:`UnknownCodesError` for an unknown county or municipality code and :class:`InputError`
    for Norway or a single municipality (a ranking is within a region of at least two municipalities).
    """
    codes = _split_codes(region)
    current = {row.code: row for row in source.regions_of_level(RegionLevel.MUNICIPALITY) if row.valid_to is None}
    names = {code: row.name for code, row in current.items()}
    if len(codes) == 1 and region_level(codes[0]) is not RegionLevel.MUNICIPALITY:
        code = codes[0]
        if code == NORWAY:
            message = "rank within a county (e.g. 46) or a list of municipalities, not all of Norway"
            raise InputError.single("--region", message, field="region")
        counties = {row.code: row.name for row in source.regions_of_level(RegionLevel.COUNTY)}
        if code not in counties:
            raise UnknownCodesError("county", [code], file="--region")
        members = tuple(sorted(c for c, row in current.items() if row.parent_code == code))
        if len(members) < MIN_VALUES_TO_NORMALISE:
            message = f"county {code} {counties[code]} has {len(members)} municipality; a ranking needs at least 2"
            raise InputError.single("--region", message, field="region")
        return RegionChoice(f"{code} {counties[code]}", members, {c: names[c] for c in members})
    unknown = [code for code in codes if code not in current]
    if unknown:
        raise UnknownCodesError("municipality", unknown, file="--region")
    if len(codes) < MIN_VALUES_TO_NORMALISE:
        message = "a ranking needs a county code or at least 2 municipality codes"
        raise InputError.single("--region", message, field="region")
    if len(set(codes)) != len(codes):
        twice = sorted({code for code in codes if codes.count(code) > 1})
        raise InputError.single("--region", f"listed twice: {', '.join(twice)}", field="region")
    return RegionChoice(f"{len(codes)} municipalities", tuple(codes), {c: names[c] for c in codes})


def _split_codes(region: str | Sequence[str]) -> list[RegionCode]:
    """The codes of a ranking's region as users give them (``--region`` of ``boligmonitor rank``, the ranking
    page's ``kommune``/``fylke``): comma-separated or a list, in any spelling; normalised here, where they enter."""
    raw = region.split(",") if isinstance(region, str) else list(region)
    codes = [normalise_region_code(code.strip()) for code in raw if code.strip()]
    if not codes:
        raise InputError.single("--region", "no region given: a county code (46) or municipality codes", field="region")
    return codes


@dataclass(frozen=True)
class ModelInput:
    """The values a run scores, per model variable and municipality, with the year each variable uses.

    ``values`` are shrunk where the model asks for it; ``observed`` holds the published values of the variables
    shrinkage changed, ``priors`` the prior each used, and ``sampling`` the counts of every share or rate, for
    the sensitivity analysis' draws.
    """

    choice: RegionChoice
    values: dict[str, dict[str, float | None]]
    years: dict[str, int]
    notes: tuple[str, ...]
    observed: dict[str, dict[str, float | None]] = field(default_factory=dict)
    priors: dict[str, Prior] = field(default_factory=dict)
    sampling: dict[str, SampledValues] = field(default_factory=dict)
    method_notes: tuple[str, ...] = ()
    data_notes: tuple[DataNote, ...] = ()  # ``notes`` as data


def model_input(
    source: ObservationSource, catalog: Catalog, spec: ModelSpec, region: str | Sequence[str], year: int | None = None
) -> ModelInput:
    """Each model variable's values for the region's municipalities in the year the year rule picks.

    ``year`` caps the years considered (no data later than it is used). A year is usable for a variable
    when at least two of the municipalities have a value. Missing values stay missing (None).
    """
    choice = region_municipalities(source, region)
    by_key: dict[str, dict[int, dict[str, float | None]]] = {}
    status_by_key: dict[str, dict[int, dict[str, Status]]] = {}
    counted: dict[str, tuple[str, PriorKind, float]] = {}  # key -> indicator, prior kind, multiplier
    problems: list[str] = []
    for key in spec.keys:
        try:
            indicator_id, change_years = parse_variable_key(key)
            indicator = catalog.indicator(indicator_id)
        except (ValueError, KeyError) as exc:
            problems.append(str(exc).strip('"'))
            continue
        levels, statuses = _levels(source, indicator_id, choice.municipalities, year)
        if change_years is not None:
            levels = _changes(levels, change_years, relative=indicator.unit not in RATE_UNITS)
        elif indicator.unit in RATE_UNITS and indicator.multiplier:
            counted[key] = (indicator_id, "beta" if indicator.unit == "percent" else "gamma", indicator.multiplier)
        by_key[key] = levels
        status_by_key[key] = statuses
    if problems:
        raise InputError.single(f"<indicator model {spec.name}>", "; ".join(problems), field="indicators")
    usable = {
        key: sorted(y for y, row in rows.items() if _n_values(row) >= MIN_VALUES_TO_NORMALISE)
        for key, rows in by_key.items()
    }
    years = _chosen_years(spec, usable, year)
    values: dict[str, dict[str, float | None]] = {}
    notes: list[DataNote] = []
    for key in spec.keys:
        chosen = years.get(key)
        if chosen is None:
            values[key] = {}
            notes.append(_no_data_note(key, by_key[key], year))
            continue
        values[key] = by_key[key][chosen]
        note = _missing_note(key, chosen, values[key], status_by_key[key].get(chosen, {}), choice.municipalities)
        if note:
            notes.append(note)
    observed: dict[str, dict[str, float | None]] = {}
    priors: dict[str, Prior] = {}
    sampling: dict[str, SampledValues] = {}
    method_notes: list[str] = []
    for key, (indicator_id, kind, multiplier) in counted.items():
        if key not in years:
            continue
        counts = _municipal_counts(source, indicator_id, years[key])
        prior = fit_prior(*_count_arrays(counts), kind) if spec.shrinkage == "empirical_bayes" else None
        own = {code: counts[code] for code in choice.municipalities if code in counts}
        sampling[key] = SampledValues(
            kind, float(multiplier), {c: x for c, (x, _) in own.items()}, {c: n for c, (_, n) in own.items()}, prior
        )
        if prior is None:
            if spec.shrinkage == "empirical_bayes":
                method_notes.append(f"{key} {years[key]}: too few municipalities with counts to shrink; as published")
            continue
        shrunk = _shrunk(values[key], own, prior, float(multiplier))
        observed[key], values[key] = values[key], shrunk
        priors[key] = prior
        method_notes.append(_shrinkage_note(key, years[key], prior))
    return ModelInput(
        choice,
        values,
        years,
        tuple(str(note) for note in notes),
        observed,
        priors,
        sampling,
        tuple(method_notes),
        tuple(notes),
    )


def _municipal_counts(source: ObservationSource, indicator_id: str, year: int) -> dict[str, tuple[float, float]]:
    """Numerator and denominator of every current municipality in Norway with both (the prior's sample)."""
    current = {row.code for row in source.regions_of_level(RegionLevel.MUNICIPALITY) if row.valid_to is None}
    return {
        obs.region_code: (obs.numerator, obs.denominator)
        for obs in source.indicator_observations(indicator_id, year=year, region_codes=current)
        if obs.numerator is not None and obs.denominator is not None and obs.value is not None
    }


def _count_arrays(
    counts: dict[str, tuple[float, float]],
) -> tuple[np.ndarray[Any, np.dtype[np.float64]], np.ndarray[Any, np.dtype[np.float64]]]:
    pairs = list(counts.values())
    return np.array([x for x, _ in pairs], dtype=float), np.array([n for _, n in pairs], dtype=float)


def _shrunk(
    values: dict[str, float | None], counts: dict[str, tuple[float, float]], prior: Prior, multiplier: float
) -> dict[str, float | None]:
    """The region's values shrunk towards the prior; a value without usable counts stays as published."""
    codes = [code for code, value in values.items() if value is not None and code in counts]
    x = np.array([counts[code][0] for code in codes], dtype=float)
    n = np.array([counts[code][1] for code in codes], dtype=float)
    shrunk = dict(values)
    for code, estimate in zip(codes, shrink(x, n, prior), strict=True):
        if np.isfinite(estimate):
            shrunk[code] = float(estimate) * multiplier
    return shrunk


def _shrinkage_note(key: str, year: int, prior: Prior) -> str:
    if prior.strength == 0:
        return f"{key} {year}: the municipalities differ more than a beta or gamma prior allows; as published"
    if prior.between_variance == 0:
        return (
            f"{key} {year}: the {prior.n_regions} municipalities differ no more than chance makes them; every "
            "value is shrunk to their mean, so the indicator does not separate them"
        )
    return (
        f"{key} {year}: shrunk towards all {prior.n_regions} municipalities (empirical Bayes, {prior.kind} prior worth "
        f"{prior.strength:,.0f} people): a municipality of that size is pulled half way"
    )


def _levels(
    source: ObservationSource, indicator_id: str, municipalities: Sequence[str], cap: int | None
) -> tuple[dict[int, dict[str, float | None]], dict[int, dict[str, Status]]]:
    levels: dict[int, dict[str, float | None]] = {}
    statuses: dict[int, dict[str, Status]] = {}
    for obs in source.indicator_observations(indicator_id, region_codes=municipalities):
        if cap is not None and obs.year > cap:
            continue
        levels.setdefault(obs.year, {})[obs.region_code] = obs.value
        if obs.value is None:
            statuses.setdefault(obs.year, {})[obs.region_code] = obs.status
    return levels, statuses


def _changes(
    levels: dict[int, dict[str, float | None]], years: int, *, relative: bool
) -> dict[int, dict[str, float | None]]:
    """Change over ``years``: per cent for counts and amounts, percentage points (a difference) for rates."""
    changes: dict[int, dict[str, float | None]] = {}
    for year, row in levels.items():
        before = levels.get(year - years)
        if before is None:
            continue
        changed: dict[str, float | None] = {}
        for code, now in row.items():
            then = before.get(code)
            if now is None or then is None or (relative and then <= 0):
                changed[code] = None
            else:
                changed[code] = (now / then - 1.0) * 100.0 if relative else now - then
        changes[year] = changed
    return changes


def _n_values(row: dict[str, float | None]) -> int:
    return sum(value is not None for value in row.values())


def _chosen_years(spec: ModelSpec, usable: dict[str, list[int]], cap: int | None) -> dict[str, int]:
    with_data = {key: years for key, years in usable.items() if years}
    if spec.year_rule == "latest_per_indicator" or not with_data:
        return {key: years[-1] for key, years in with_data.items()}
    common = set.intersection(*(set(years) for years in with_data.values()))
    if not common:
        ranges = ", ".join(f"{key} {years[0]}–{years[-1]}" for key, years in with_data.items())
        capped = f" up to {cap}" if cap is not None else ""
        message = f"no year{capped} has values for every indicator with data ({ranges}); use latest_per_indicator"
        raise InputError.single(f"<indicator model {spec.name}>", message, field="year_rule")
    latest = max(common)
    return dict.fromkeys(with_data, latest)


def _no_data_note(key: str, rows: dict[int, dict[str, float | None]], cap: int | None) -> DataNote:
    if not rows or all(_n_values(row) == 0 for row in rows.values()):
        return DataNote(key, "no_values", cap=cap)
    return DataNote(key, "too_few_values", cap=cap)


def _missing_note(
    key: str, year: int, row: dict[str, float | None], statuses: dict[str, Status], municipalities: Sequence[str]
) -> DataNote | None:
    missing = [code for code in municipalities if row.get(code) is None]
    if not missing:
        return None
    symbols = Counter(statuses[code].value if code in statuses else NO_OBSERVATION for code in missing)
    return DataNote(
        key, "missing_values", year, None, len(missing), len(municipalities), tuple(sorted(symbols.items()))
    )


def ranking_for_region(
    source: ObservationSource,
    catalog: Catalog,
    spec: ModelSpec,
    region: str | Sequence[str],
    year: int | None = None,
    *,
    draws: int = DEFAULT_DRAWS,
    seed: int = 0,
) -> ModelResult:
    """Rank a county's municipalities (``"46"``) or a list of them with ``spec`` on the stored data.

    The result holds every municipality (ranked ones first), the year used per indicator, the names, notes
    on missing data and, with ``draws`` > 0, each ranked municipality's rank interval over ``draws``
    sensitivity draws (weights ±50 %, all three normalisations; deterministic for ``seed``).
    """
    given = model_input(source, catalog, spec, region, year)
    codes = given.choice.municipalities
    result = score(spec, given.values, codes)
    intervals = sensitivity(spec, given.values, codes, n=draws, seed=seed, sampling=given.sampling) if draws > 0 else {}
    return replace(
        result,
        years={key: given.years[key] for key in spec.keys if key in given.years},
        names=given.choice.names,
        label=given.choice.label,
        intervals=intervals,
        notes=given.notes,
        observed=given.observed,
        priors=given.priors,
        method_notes=given.method_notes,
        data_notes=given.data_notes,
    )
