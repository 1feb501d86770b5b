"""The indicator model: rank the municipalities of a region by the size of their housing-social challenges.

A composite index in the OECD/JRC way (methods.md §9; docs/methods/indicator-model.md): every indicator is
turned so that a higher value means a larger challenge (``direction``), normalised across the chosen
region's municipalities (z-score, min–max or percentile rank), and averaged with the model's weights. Each
municipality gets its composite score, its rank, and each indicator's contribution (weight share ×
normalised value, summing to the score).

Missing values are never imputed silently. A municipality without a value for an indicator is scored on
the indicators it has, with the weights renormalised over them, **only** if its coverage (share of the
weight, or of the indicators, it has values for) reaches the model's minimum; the missing indicators are
listed for that municipality either way, and below the minimum it is not ranked and says why. An indicator
with values for fewer than two of the municipalities cannot be normalised within the region: it is left
out of the run and reported as unavailable.

:func:`sensitivity` varies the weights (each multiplied by an independent uniform factor in
[1 − spread, 1 + spread]) and the normalisation (all three, in turn) and reports each municipality's median
rank and 5–95 % rank interval. Pure functions on plain mappings and numpy arrays: no database, no I/O.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

import numpy as np
import numpy.typing as npt
from scipy import stats  # type: ignore[import-untyped, unused-ignore]

from boligmonitor.analysis.shrinkage import Prior, PriorKind, posterior_draws
from boligmonitor.core.errors import InputError, InputProblem

Normalisation = Literal["zscore", "minmax", "rank"]
NORMALISATIONS: tuple[Normalisation, ...] = ("zscore", "minmax", "rank")
CoverageBasis = Literal["weight", "count"]
COVERAGE_BASES: tuple[CoverageBasis, ...] = ("weight", "count")
YearRule = Literal["latest_per_indicator", "latest_common"]
YEAR_RULES: tuple[YearRule, ...] = ("latest_per_indicator", "latest_common")
# empirical_bayes: shares and rates with counts are shrunk towards all municipalities' distribution before
# normalising (analysis.shrinkage; applied by whoever collects the values), and the sensitivity analysis draws
# them from their posteriors; none: values are taken as published.
Shrinkage = Literal["empirical_bayes", "none"]
SHRINKAGES: tuple[Shrinkage, ...] = ("empirical_bayes", "none")
Direction = Literal[1, -1]

# Composite scores are rounded to this many decimals before ranking, so that sums which differ only by
# floating-point noise (the same numbers added in another order) count as a tie.
SCORE_DECIMALS = 12
# Sensitivity defaults: draws, and how far each weight may move (factor in [1 − spread, 1 + spread]).
DEFAULT_DRAWS = 1000
DEFAULT_SPREAD = 0.5
# At least this many municipalities need a value before an indicator can be normalised within the region.
MIN_VALUES_TO_NORMALISE = 2

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class ModelIndicator:
    """One indicator (or derived variable) of the model.

    ``direction`` +1: a higher value means a larger challenge; −1: a lower value does. ``weight`` is relative
    (the weights need not sum to 1); ``domain`` groups indicators for presentation only.
    """

    key: str
    weight: float
    direction: Direction = 1
    domain: str | None = None


@dataclass(frozen=True)
class ModelSpec:
    """What the model ranks with: indicators, normalisation, minimum coverage and the year rule.

    ``shrinkage`` says whether small-number shares and rates are shrunk (see :data:`Shrinkage`).

    ``min_coverage`` is a share (0–1) of the weight (``coverage_basis="weight"``) or of the number of
    indicators (``"count"``) that a municipality needs values for to be ranked; both are counted over the
    indicators available in the region. ``year_rule`` is applied by whoever collects the values
    (analysis.indicator_model.run): ``latest_per_indicator`` takes each indicator's latest year, ``latest_common`` the
    latest year that every available indicator has.

    Construction validates every field and raises :class:`InputError` listing all problems.
    """

    indicators: tuple[ModelIndicator, ...]
    normalisation: Normalisation = "zscore"
    min_coverage: float = 0.75
    coverage_basis: CoverageBasis = "weight"
    year_rule: YearRule = "latest_per_indicator"
    name: str = "custom"
    shrinkage: Shrinkage = "empirical_bayes"

    def __post_init__(self) -> None:
        problems = self._problems()
        if problems:
            raise InputError(problems)

    def _problems(self) -> list[InputProblem]:
        where = f"<indicator model {self.name}>"
        problems: list[InputProblem] = []
        if not self.indicators:
            problems.append(InputProblem(where, "the model needs at least one indicator", field="indicators"))
        keys = [indicator.key for indicator in self.indicators]
        for key in sorted({key for key in keys if keys.count(key) > 1}):
            problems.append(InputProblem(where, f"indicator {key} is listed twice", field="indicators"))
        for indicator in self.indicators:
            if not (math.isfinite(indicator.weight) and indicator.weight > 0):
                message = f"weight must be a positive number, got {indicator.weight!r}"
                problems.append(InputProblem(where, message, field=f"weights.{indicator.key}"))
            if indicator.direction not in (1, -1):
                message = f"direction must be +1 or -1, got {indicator.direction!r}"
                problems.append(InputProblem(where, message, field=f"direction.{indicator.key}"))
        if self.normalisation not in NORMALISATIONS:
            message = f"unknown normalisation {self.normalisation!r}; use {', '.join(NORMALISATIONS)}"
            problems.append(InputProblem(where, message, field="normalisation"))
        if not (math.isfinite(self.min_coverage) and 0 <= self.min_coverage <= 1):
            message = f"minimum coverage is a share between 0 and 1, got {self.min_coverage!r}"
            problems.append(InputProblem(where, message, field="min_coverage"))
        if self.coverage_basis not in COVERAGE_BASES:
            message = f"unknown coverage basis {self.coverage_basis!r}; use {', '.join(COVERAGE_BASES)}"
            problems.append(InputProblem(where, message, field="coverage_basis"))
        if self.year_rule not in YEAR_RULES:
            message = f"unknown year rule {self.year_rule!r}; use {', '.join(YEAR_RULES)}"
            problems.append(InputProblem(where, message, field="year_rule"))
        if self.shrinkage not in SHRINKAGES:
            message = f"unknown shrinkage {self.shrinkage!r}; use {', '.join(SHRINKAGES)}"
            problems.append(InputProblem(where, message, field="shrinkage"))
        return problems

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(indicator.key for indicator in self.indicators)

    def indicator(self, key: str) -> ModelIndicator:
        for indicator in self.indicators:
            if indicator.key == key:
                return indicator
        raise KeyError(f"no indicator {key!r} in model {self.name!r}")

    def with_weight(self, key: str, weight: float) -> ModelSpec:
        """The same model with one indicator's weight changed (KeyError for an unknown key)."""
        self.indicator(key)
        changed = tuple(replace(item, weight=weight) if item.key == key else item for item in self.indicators)
        return replace(self, indicators=changed)

    def with_direction(self, key: str, direction: Direction) -> ModelSpec:
        """The same model with one indicator's direction changed (KeyError for an unknown key)."""
        self.indicator(key)
        changed = tuple(replace(item, direction=direction) if item.key == key else item for item in self.indicators)
        return replace(self, indicators=changed)


@dataclass(frozen=True)
class IndicatorPart:
    """One indicator's part in one municipality's score.

    ``weight_share`` is the weight this indicator carries in the municipality's score (the weights
    renormalised over the indicators it has values for) and ``contribution = weight_share × normalised``;
    both are None when the value is missing or the municipality is not ranked.
    """

    key: str
    value: float | None
    normalised: float | None
    weight_share: float | None
    contribution: float | None


@dataclass(frozen=True)
class MunicipalityResult:
    """A municipality's composite score, rank and indicator contributions, or why it is not ranked."""

    region: str
    score: float | None
    rank: int | None
    coverage: float
    missing: tuple[str, ...]
    parts: tuple[IndicatorPart, ...]
    reason: str | None = None  # why it is not ranked; None when ranked

    @property
    def ranked(self) -> bool:
        return self.rank is not None

    @property
    def renormalised(self) -> bool:
        """Ranked although some indicators are missing: the weights were spread over the present ones."""
        return self.ranked and bool(self.missing)

    def part(self, key: str) -> IndicatorPart:
        for part in self.parts:
            if part.key == key:
                return part
        raise KeyError(f"no indicator {key!r} in the result for {self.region}")

    def top_contributions(self, n: int = 3) -> list[IndicatorPart]:
        """The ``n`` parts that raise the score most (largest contribution first); empty when not ranked."""
        present = [part for part in self.parts if part.contribution is not None]
        return sorted(present, key=lambda part: (-(part.contribution or 0.0), part.key))[:n]


@dataclass(frozen=True)
class IndicatorSummary:
    """How one indicator entered the run: its weight share, its values in the region, or why it is absent.

    ``mean``, ``sd`` (population SD), ``minimum`` and ``maximum`` describe the raw values across the region's
    municipalities that the normalisation used.
    """

    key: str
    domain: str | None
    weight: float
    direction: Direction
    weight_share: float  # of the available weight; 0 when unavailable
    n_values: int
    n_regions: int
    available: bool
    reason: str | None = None
    mean: float | None = None
    sd: float | None = None
    minimum: float | None = None
    maximum: float | None = None


@dataclass(frozen=True)
class RankInterval:
    """A municipality's ranks over the sensitivity draws: median, 5th–95th percentile and min–max.

    ``point_rank`` is the rank under the model as specified (it is also draw 0). ``share_top_fifth`` is the
    share of draws that put the municipality among the first ⌈N/5⌉ of the N ranked municipalities.
    """

    region: str
    point_rank: int
    median: float
    p05: int
    p95: int
    low: int
    high: int
    share_top_fifth: float
    draws: int


NoteKind = Literal["no_values", "too_few_values", "missing_values"]
NO_OBSERVATION = "no observation"  # the "symbol" of a municipality with no row at all for that year


@dataclass(frozen=True)
class DataNote:
    """What is missing behind a run, as data, so pages can word it in their language; ``str()`` is English.

    ``no_values``: no municipality of the region has a value in any year (up to ``cap``); ``too_few_values``: no
    year has values for at least :data:`MIN_VALUES_TO_NORMALISE` of them; ``missing_values``: in the year used,
    ``missing`` of ``total`` municipalities have no value, with the status symbols (or :data:`NO_OBSERVATION`)
    and how many of each.
    """

    key: str
    kind: NoteKind
    year: int | None = None
    cap: int | None = None
    missing: int = 0
    total: int = 0
    symbols: tuple[tuple[str, int], ...] = ()

    def __str__(self) -> str:
        capped = f" up to {self.cap}" if self.cap is not None else ""
        if self.kind == "no_values":
            return f"{self.key}: no values for these municipalities in the database{capped}; left out of the ranking"
        if self.kind == "too_few_values":
            return (
                f"{self.key}: no year{capped} has values for at least {MIN_VALUES_TO_NORMALISE} of these "
                "municipalities; left out of the ranking"
            )
        how = ", ".join(f"{count} {symbol}" for symbol, count in self.symbols)
        return f"{self.key} {self.year}: no value for {self.missing} of {self.total} municipalities ({how})"


@dataclass(frozen=True)
class SampledValues:
    """One model variable's counts, so the sensitivity analysis can draw its values from their posteriors.

    ``kind`` is ``beta`` for a share (numerator of denominator), ``gamma`` for a rate (events among people);
    ``scale`` turns a share or a rate per person into the variable's unit (100 for per cent, 1 000 for per
    1 000). ``prior`` is the fitted prior when the values were shrunk (None: Jeffreys posteriors).
    """

    kind: PriorKind
    scale: float
    numerators: Mapping[str, float]
    denominators: Mapping[str, float]
    prior: Prior | None = None


@dataclass(frozen=True)
class ModelResult:
    """The model run over a region's municipalities: rows in rank order, then the unranked ones.

    ``available_weight_share`` is the share of the model's total weight carried by indicators with enough
    values in the region. ``years`` (indicator key → year used), ``names`` (code → name), ``label`` (e.g.
    "county 46"), ``intervals`` (from :func:`sensitivity`), ``notes``, ``observed`` (the values as published,
    where shrinkage changed them) and ``priors`` are filled by the caller that collected the values
    (analysis.indicator_model.run); :func:`score` leaves them empty.
    """

    spec: ModelSpec
    regions: tuple[str, ...]
    rows: tuple[MunicipalityResult, ...]
    indicators: tuple[IndicatorSummary, ...]
    available_weight_share: float
    years: Mapping[str, int] = field(default_factory=dict)
    names: Mapping[str, str] = field(default_factory=dict)
    label: str = ""
    intervals: Mapping[str, RankInterval] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    observed: Mapping[str, Mapping[str, float | None]] = field(default_factory=dict)  # before shrinkage
    priors: Mapping[str, Prior] = field(default_factory=dict)  # the prior each shrunk variable used
    method_notes: tuple[str, ...] = ()  # how the values were treated (shrinkage), beside the missing-data notes
    data_notes: tuple[DataNote, ...] = ()  # ``notes`` as data, for pages in other languages

    @property
    def ranked(self) -> tuple[MunicipalityResult, ...]:
        return tuple(row for row in self.rows if row.ranked)

    @property
    def not_ranked(self) -> tuple[MunicipalityResult, ...]:
        return tuple(row for row in self.rows if not row.ranked)

    @property
    def available(self) -> tuple[IndicatorSummary, ...]:
        return tuple(summary for summary in self.indicators if summary.available)

    @property
    def unavailable(self) -> tuple[IndicatorSummary, ...]:
        return tuple(summary for summary in self.indicators if not summary.available)

    @property
    def data_share(self) -> float:
        """The share of the model that has data in the region, on the model's coverage basis: of its weight
        (``available_weight_share``) or of its indicators."""
        if self.spec.coverage_basis == "weight":
            return self.available_weight_share
        return len(self.available) / len(self.indicators) if self.indicators else 0.0

    @property
    def partial(self) -> bool:
        """Less of the model has data in the region than the model's minimum coverage: the ranking is partial.

        The same minimum a municipality must reach to be ranked applies to the run as a whole, so that a
        ranking resting on a fraction of the model is never presented as the model's answer (no "largest
        challenges"); pages show the table as partial and say which domains and indicators are missing.
        The tolerance is the one :func:`score` uses for a municipality's coverage.
        """
        return self.data_share < self.spec.min_coverage - 1e-12

    @property
    def missing_by_domain(self) -> dict[str | None, tuple[str, ...]]:
        """The keys of the indicators without enough data in the region, by domain (model order)."""
        missing: dict[str | None, list[str]] = {}
        for summary in self.unavailable:
            missing.setdefault(summary.domain, []).append(summary.key)
        return {domain: tuple(keys) for domain, keys in missing.items()}

    @property
    def missing_domains(self) -> tuple[str | None, ...]:
        """The domains none of whose indicators has enough data in the region (model order)."""
        with_data = {summary.domain for summary in self.available}
        return tuple(domain for domain in self.missing_by_domain if domain not in with_data)

    def row(self, region: str) -> MunicipalityResult:
        for row in self.rows:
            if row.region == region:
                return row
        raise KeyError(f"{region} is not among the model's municipalities")


def normalise(values: FloatArray, method: Normalisation) -> FloatArray:
    """Normalise one indicator across municipalities; NaN (missing) stays NaN and is left out of the fit.

    * ``zscore``: (x − mean) / SD with the population SD (the region's municipalities are all there is);
    * ``minmax``: (x − min) / (max − min), in [0, 1];
    * ``rank``: (average rank − 1) / (n − 1), the percentile rank in [0, 1]; ties share their average rank.

    Values that do not vary give the centre of the scale (0 for z-scores, 0.5 otherwise): the indicator
    then does not separate the municipalities. Needs at least one finite value.
    """
    result = np.full(values.shape, np.nan)
    present = np.isfinite(values)
    x = values[present]
    if x.size == 0:
        raise ValueError("nothing to normalise: every value is missing")
    if np.ptp(x) == 0:
        result[present] = 0.0 if method == "zscore" else 0.5
        return result
    if method == "zscore":
        result[present] = stats.zscore(x, ddof=0)
    elif method == "minmax":
        result[present] = (x - x.min()) / (x.max() - x.min())
    elif method == "rank":
        result[present] = (stats.rankdata(x, method="average") - 1.0) / (x.size - 1.0)
    else:
        raise ValueError(f"unknown normalisation {method!r}; use {', '.join(NORMALISATIONS)}")
    return result


def competition_ranks(scores: FloatArray) -> npt.NDArray[np.int64]:
    """Rank 1 = the highest score (the largest challenge); ties share the best rank and the next is skipped.

    Works on the last axis, so a (draws × municipalities) matrix is ranked row by row.
    """
    rounded = np.round(scores, SCORE_DECIMALS)
    return np.asarray(stats.rankdata(-rounded, method="min", axis=-1), dtype=np.int64)


@dataclass(frozen=True)
class _Prepared:
    """The run's matrices: municipalities × available indicators."""

    regions: tuple[str, ...]
    available: tuple[ModelIndicator, ...]
    raw: FloatArray  # values as given, NaN = missing
    present: BoolArray
    weights: FloatArray
    summaries: tuple[IndicatorSummary, ...]
    available_weight_share: float
    coverage: FloatArray
    ranked: BoolArray

    def normalised(self, method: Normalisation) -> FloatArray:
        directions = np.array([item.direction for item in self.available], dtype=float)
        aligned: FloatArray = self.raw * directions  # higher = larger challenge for every column
        normalised = np.empty_like(aligned)
        for k in range(aligned.shape[1]):
            normalised[:, k] = normalise(aligned[:, k], method)
        return normalised

    def normalised_draws(self, draws: FloatArray, method: Normalisation) -> FloatArray:
        """:meth:`normalised` for (draws × municipalities × variables) values."""
        directions = np.array([item.direction for item in self.available], dtype=float)
        aligned: FloatArray = draws * directions
        normalised = np.empty_like(aligned)
        for k in range(aligned.shape[2]):
            normalised[:, :, k] = normalise_rows(aligned[:, :, k], method)
        return normalised


def _value_draws(
    prepared: _Prepared, sampling: Mapping[str, SampledValues], n: int, rng: np.random.Generator
) -> FloatArray | None:
    """(draws × municipalities × available variables) values: draw 0 as given, later draws from the posteriors
    of the sampled variables; None when no available variable is sampled (the values never change)."""
    sampled = [(k, item) for k, item in enumerate(prepared.available) if item.key in sampling]
    if not sampled or n < 2:
        return None
    draws = np.broadcast_to(prepared.raw, (n, *prepared.raw.shape)).copy()
    for k, item in sampled:
        counts = sampling[item.key]
        numerators = np.array([counts.numerators.get(code, math.nan) for code in prepared.regions], dtype=float)
        denominators = np.array([counts.denominators.get(code, math.nan) for code in prepared.regions], dtype=float)
        posterior = posterior_draws(numerators, denominators, counts.kind, counts.prior, n - 1, rng) * counts.scale
        replace_at = prepared.present[:, k] & np.isfinite(posterior[0])
        draws[1:, replace_at, k] = posterior[:, replace_at]
    return draws


def _weighted_draw_scores(normalised: FloatArray, present: BoolArray, weights: FloatArray) -> FloatArray:
    """:func:`_weighted_scores` for values that differ per draw: ``normalised`` (D, R, K), ``weights`` (D, K)."""
    filled = np.where(present, normalised, 0.0)
    numerator = np.einsum("drk,dk->dr", filled, weights)
    denominator = weights @ present.T.astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.asarray(numerator / denominator, dtype=float)


def normalise_rows(values: FloatArray, method: Normalisation) -> FloatArray:
    """:func:`normalise` applied to every row of a (draws × municipalities) matrix at once."""
    present = np.isfinite(values)
    with np.errstate(invalid="ignore", divide="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # rows that are all missing give NaN, as they should
        low, high = np.nanmin(values, axis=1, keepdims=True), np.nanmax(values, axis=1, keepdims=True)
        flat = (high - low) == 0
        if method == "zscore":
            result = (values - np.nanmean(values, axis=1, keepdims=True)) / np.nanstd(values, axis=1, keepdims=True)
            centre = 0.0
        elif method == "minmax":
            result = (values - low) / (high - low)
            centre = 0.5
        elif method == "rank":
            ranks = stats.rankdata(np.where(present, values, np.inf), method="average", axis=1)
            counts = present.sum(axis=1, keepdims=True)
            result = (ranks - 1.0) / (counts - 1.0)
            centre = 0.5
        else:
            raise ValueError(f"unknown normalisation {method!r}; use {', '.join(NORMALISATIONS)}")
    result = np.where(flat, centre, result)
    return np.asarray(np.where(present, result, np.nan), dtype=float)


def _prepare(spec: ModelSpec, values: Mapping[str, Mapping[str, float | None]], regions: Sequence[str]) -> _Prepared:
    where = f"<indicator model {spec.name}>"
    codes = tuple(regions)
    if len(set(codes)) != len(codes):
        twice = sorted({code for code in codes if codes.count(code) > 1})
        raise InputError.single(where, f"municipalities listed twice: {', '.join(twice)}", field="regions")
    if len(codes) < MIN_VALUES_TO_NORMALISE:
        message = f"ranking needs at least {MIN_VALUES_TO_NORMALISE} municipalities, got {len(codes)}"
        raise InputError.single(where, message, field="regions")
    columns: list[FloatArray] = []
    available: list[ModelIndicator] = []
    summaries: list[IndicatorSummary] = []
    total_weight = sum(item.weight for item in spec.indicators)
    problems: list[InputProblem] = []
    for item in spec.indicators:
        given = values.get(item.key, {})
        column = np.array([_as_float(given.get(code)) for code in codes], dtype=float)
        infinite = [code for code, x in zip(codes, column, strict=True) if np.isinf(x)]
        if infinite:
            message = f"infinite values for {', '.join(infinite)}; give a number or nothing (missing)"
            problems.append(InputProblem(where, message, field=f"values.{item.key}"))
            continue
        summary = _summarise(item, column)
        summaries.append(summary)
        if summary.available:
            available.append(item)
            columns.append(column)
    if problems:
        raise InputError(problems)
    if not available:
        message = (
            f"none of the model's indicators ({', '.join(spec.keys)}) has values for at least "
            f"{MIN_VALUES_TO_NORMALISE} of the {len(codes)} municipalities"
        )
        raise InputError.single(where, message, field="indicators")
    weights = np.array([item.weight for item in available], dtype=float)
    available_weight = float(weights.sum())
    shares = {item.key: item.weight / available_weight for item in available}
    summaries = [replace(s, weight_share=shares[s.key]) if s.available else s for s in summaries]
    raw = np.column_stack(columns)
    present = np.isfinite(raw)
    if spec.coverage_basis == "weight":
        coverage = (present * weights).sum(axis=1) / available_weight
    else:
        coverage = present.sum(axis=1) / len(available)
    # A tolerance, so that a coverage that rounding in the sum and division leaves a hair below the minimum
    # (0.7499999999999999 for a true 0.75) still meets it.
    ranked = (coverage >= spec.min_coverage - 1e-12) & present.any(axis=1)
    return _Prepared(
        regions=codes,
        available=tuple(available),
        raw=raw,
        present=present,
        weights=weights,
        summaries=tuple(summaries),
        available_weight_share=available_weight / total_weight,
        coverage=coverage,
        ranked=ranked,
    )


def _summarise(item: ModelIndicator, column: FloatArray) -> IndicatorSummary:
    """The indicator's values across the region, or why it cannot be used (too few values to normalise)."""
    present = column[np.isfinite(column)]
    if present.size < MIN_VALUES_TO_NORMALISE:
        reason = (
            f"values for {present.size} of {column.size} municipalities; at least {MIN_VALUES_TO_NORMALISE} "
            "are needed to normalise within the region, so it is left out of this run"
        )
        return IndicatorSummary(
            item.key, item.domain, item.weight, item.direction, 0.0, int(present.size), column.size, False, reason
        )
    return IndicatorSummary(
        key=item.key,
        domain=item.domain,
        weight=item.weight,
        direction=item.direction,
        weight_share=0.0,  # set by the caller, once the available weight is known
        n_values=int(present.size),
        n_regions=column.size,
        available=True,
        mean=float(present.mean()),
        sd=float(present.std(ddof=0)),
        minimum=float(present.min()),
        maximum=float(present.max()),
    )


def _as_float(value: float | None) -> float:
    return math.nan if value is None else float(value)


def _weighted_scores(normalised: FloatArray, present: BoolArray, weights: FloatArray) -> FloatArray:
    """Σ w·I / Σ w over each municipality's present indicators, for one weight vector or a matrix of them.

    ``weights`` of shape (K,) gives (R,); of shape (D, K) gives (D, R).
    """
    filled = np.where(present, normalised, 0.0)
    numerator = weights @ filled.T
    denominator = weights @ present.T.astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.asarray(numerator / denominator, dtype=float)


def score(spec: ModelSpec, values: Mapping[str, Mapping[str, float | None]], regions: Sequence[str]) -> ModelResult:
    """Score and rank ``regions`` (municipality codes) with ``spec`` on ``values[indicator key][region]``.

    Values for regions not in ``regions`` are ignored; None or NaN is missing. Normalisation is within
    ``regions`` (each indicator over the municipalities that have a value for it). Raises
    :class:`InputError` for fewer than two or duplicated regions, infinite values, or a model none of
    whose indicators has enough values.
    """
    prepared = _prepare(spec, values, regions)
    normalised = prepared.normalised(spec.normalisation)
    scores = _weighted_scores(normalised, prepared.present, prepared.weights)
    ranked_index = np.flatnonzero(prepared.ranked)
    ranks = np.zeros(len(prepared.regions), dtype=np.int64)
    if ranked_index.size:
        ranks[ranked_index] = competition_ranks(scores[ranked_index])
    rows: list[MunicipalityResult] = []
    for i, code in enumerate(prepared.regions):
        rows.append(_municipality_row(spec, prepared, normalised, i, code, float(scores[i]), int(ranks[i])))
    ranked_rows = sorted((row for row in rows if row.ranked), key=lambda row: (row.rank or 0, row.region))
    unranked_rows = sorted((row for row in rows if not row.ranked), key=lambda row: (-row.coverage, row.region))
    return ModelResult(
        spec=spec,
        regions=prepared.regions,
        rows=(*ranked_rows, *unranked_rows),
        indicators=prepared.summaries,
        available_weight_share=prepared.available_weight_share,
    )


def _municipality_row(
    spec: ModelSpec, prepared: _Prepared, normalised: FloatArray, i: int, code: str, composite: float, rank: int
) -> MunicipalityResult:
    present = prepared.present[i]
    is_ranked = bool(prepared.ranked[i])
    own_weight = float((prepared.weights * present).sum())
    parts: list[IndicatorPart] = []
    for k, item in enumerate(prepared.available):
        if not present[k]:
            parts.append(IndicatorPart(item.key, None, None, None, None))
            continue
        value = float(prepared.raw[i, k])
        level = float(normalised[i, k])
        if is_ranked:
            share = float(prepared.weights[k]) / own_weight
            parts.append(IndicatorPart(item.key, value, level, share, share * level))
        else:
            parts.append(IndicatorPart(item.key, value, level, None, None))
    missing = tuple(item.key for k, item in enumerate(prepared.available) if not present[k])
    coverage = float(prepared.coverage[i])
    if is_ranked:
        return MunicipalityResult(code, composite, rank, coverage, missing, tuple(parts))
    basis = "of the weight" if spec.coverage_basis == "weight" else "of the indicators"
    reason = (
        f"coverage {coverage:.0%} {basis} is below the minimum {spec.min_coverage:.0%}; "
        f"missing: {', '.join(missing) or 'none'}"
    )
    return MunicipalityResult(code, None, None, coverage, missing, tuple(parts), reason)


def sensitivity(
    spec: ModelSpec,
    values: Mapping[str, Mapping[str, float | None]],
    regions: Sequence[str],
    *,
    n: int = DEFAULT_DRAWS,
    seed: int = 0,
    spread: float = DEFAULT_SPREAD,
    normalisations: Sequence[Normalisation] = NORMALISATIONS,
    sampling: Mapping[str, SampledValues] | None = None,
) -> dict[str, RankInterval]:
    """Each ranked municipality's rank interval when the weights, the normalisation and (with ``sampling``) the
    values themselves vary.

    Draw 0 is the model as specified. Every further draw ``d`` uses ``normalisations[d % len]`` (so each
    method gets an equal share of the draws) and multiplies every weight by an independent factor from
    Uniform(1 − ``spread``, 1 + ``spread``): with the default 0.5 a weight may become anything from half to
    one and a half times itself. For the variables in ``sampling`` every further draw also replaces each
    municipality's value by a draw from its posterior (methods.md §9.7: the sampling noise of each share),
    where the municipality has a value and counts. The set of ranked municipalities is the one :func:`score`
    ranks (coverage is judged on the specified weights) and stays fixed. Deterministic for a given ``seed``.

    Percentiles are taken with the inverted empirical CDF, so p05 and p95 are ranks that occurred.
    """
    if n < 1:
        raise InputError.single(f"<indicator model {spec.name}>", f"draws must be at least 1, got {n}", field="draws")
    if not 0 <= spread < 1:
        message = f"spread must be at least 0 and below 1 (weights stay positive), got {spread}"
        raise InputError.single(f"<indicator model {spec.name}>", message, field="spread")
    unknown = [method for method in normalisations if method not in NORMALISATIONS]
    if unknown or not normalisations:
        message = f"normalisations must be some of {', '.join(NORMALISATIONS)}, got {list(normalisations)}"
        raise InputError.single(f"<indicator model {spec.name}>", message, field="normalisations")
    prepared = _prepare(spec, values, regions)
    columns = np.flatnonzero(prepared.ranked)
    if columns.size == 0:
        return {}
    present = prepared.present[columns]
    rng = np.random.default_rng(seed)
    factors = rng.uniform(1.0 - spread, 1.0 + spread, size=(n, prepared.weights.size))
    factors[0] = 1.0
    weights = factors * prepared.weights
    methods = [spec.normalisation] + [normalisations[d % len(normalisations)] for d in range(1, n)]
    raw_draws = _value_draws(prepared, sampling or {}, n, rng)
    scores = np.empty((n, columns.size))
    for method in dict.fromkeys(methods):
        rows = np.array([d for d, used in enumerate(methods) if used == method])
        if raw_draws is None:
            normalised = prepared.normalised(method)[columns]
            scores[rows] = _weighted_scores(normalised, present, weights[rows])
        else:
            # Normalised within each draw over all the region's municipalities, as score() does, then scored
            # for the ranked ones.
            drawn = prepared.normalised_draws(raw_draws[rows], method)[:, columns, :]
            scores[rows] = _weighted_draw_scores(drawn, present, weights[rows])
    ranks = competition_ranks(scores)
    p05, p95 = np.quantile(ranks, [0.05, 0.95], axis=0, method="inverted_cdf")
    medians = np.median(ranks, axis=0)
    top_fifth = math.ceil(columns.size / 5)
    in_top = (ranks <= top_fifth).mean(axis=0)
    return {
        prepared.regions[column]: RankInterval(
            region=prepared.regions[column],
            point_rank=int(ranks[0, j]),
            median=float(medians[j]),
            p05=int(p05[j]),
            p95=int(p95[j]),
            low=int(ranks[:, j].min()),
            high=int(ranks[:, j].max()),
            share_top_fifth=float(in_top[j]),
            draws=n,
        )
        for j, column in enumerate(columns)
    }
