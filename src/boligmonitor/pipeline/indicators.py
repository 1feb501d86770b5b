"""Compute every catalogue indicator from the cubes and tidy files of a build input.

For each indicator with a recipe: sum the selected cells of each part (numerator, denominator, published
value), harmonise parts published under each year's codes to today's municipalities, then compute values.
Every indicator ends with a state and a reason that the status report shows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from boligmonitor.catalog.models import Catalog, Indicator, Selection
from boligmonitor.core.errors import InputError, InputProblem, UnknownCodesError
from boligmonitor.core.flags import Flag, Harmonisation
from boligmonitor.core.observation import Observation
from boligmonitor.core.progress import NoProgress, Progress
from boligmonitor.core.regions import RegionLevel, region_level
from boligmonitor.core.status import Status
from boligmonitor.geo import CountRecord, harmonise
from boligmonitor.pipeline.compute import SourceInfo, compute_observations
from boligmonitor.pipeline.derive import Aggregate, Derived, RecipeError, derive
from boligmonitor.pipeline.geography import Geography, all_regions
from boligmonitor.pipeline.inputs import BuildInputs
from boligmonitor.pipeline.recoding import recode_outside_validity
from boligmonitor.sources.manifest import InputFile
from boligmonitor.sources.readers.tidy import TidyRow
from boligmonitor.store.rows import IndicatorStatusRow

AS_PUBLISHED = "as-published"


@dataclass
class IndicatorResults:
    observations: list[Observation] = field(default_factory=list)
    states: list[IndicatorStatusRow] = field(default_factory=list)
    problems: list[InputProblem] = field(default_factory=list)


@dataclass
class _Parts:
    numerator: Derived | None
    denominator: Derived | None
    published: Derived | None
    notes: dict[tuple[str, int], list[str]] = field(default_factory=lambda: defaultdict(list))
    dropped: list[str] = field(default_factory=list)
    # Values left out because of their code, grouped by reason: reason -> ["code year", ...]
    left_out: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))

    def summary(self) -> list[str]:
        texts = list(self.dropped)
        for reason, listed in sorted(self.left_out.items()):
            where = list(dict.fromkeys(listed))  # a value can be harmonised as numerator and denominator
            examples = ", ".join(where[:5]) + (" …" if len(where) > 5 else "")
            texts.append(f"{len(where)} values left out, {reason} ({examples})")
        return texts


class IndicatorBuilder:
    """Derives indicators; caches sums and harmonisations shared between indicators (e.g. population)."""

    def __init__(self, inputs: BuildInputs, geography: Geography) -> None:
        self.inputs = inputs
        self.geography = geography
        self.keep = {region.code for region in all_regions(geography.registry)}
        self._derived: dict[str, Derived] = {}

    def build(self, catalog: Catalog, progress: Progress | None = None) -> IndicatorResults:
        progress = progress or NoProgress()
        results = IndicatorResults()
        tidy = self._tidy_parts(catalog, results)
        progress.stage("Computing indicators", total=len(catalog.indicators))
        for indicator in catalog.indicators:
            if indicator.id in tidy:
                parts, source = tidy[indicator.id]
                self._finish(indicator, parts, source, results)
            else:
                self._from_recipe(indicator, results)
            progress.advance()
        return results

    # ---------------------------------------------------------------------------------------------------

    def _from_recipe(self, indicator: Indicator, results: IndicatorResults) -> None:
        recipe = indicator.recipe
        if recipe is None:
            results.states.append(_state(indicator, "no_source", _no_source_reason(indicator)))
            return
        selections = {
            "numerator": recipe.numerator,
            "denominator": recipe.denominator,
            "published": recipe.published_value,
        }
        missing = sorted({s.dataset for s in selections.values() if s and s.dataset not in self.inputs.cubes})
        if missing:
            reason = f"dataset {', '.join(missing)} is not in the build input; " + _no_source_reason(indicator)
            results.states.append(_state(indicator, "not_loaded", reason))
            return
        try:
            parts = self._parts(indicator, selections)
        except RecipeError as error:
            results.states.append(_state(indicator, "failed", f"recipe does not fit the data: {error}"))
            return
        except InputError as error:
            results.problems.extend(error.problems)
            results.states.append(_state(indicator, "failed", str(error).splitlines()[1]))
            return
        main = recipe.numerator or recipe.published_value
        assert main is not None  # the catalogue validates that one of them exists
        entry = self.inputs.file_of(main.dataset)
        self._finish(indicator, parts, _source_info(entry), results)

    def _parts(self, indicator: Indicator, selections: dict[str, Selection | None]) -> _Parts:
        derived = {name: self._derive(s) if s else None for name, s in selections.items()}
        multiplier = indicator.multiplier
        numerator, denominator, published = derived["numerator"], derived["denominator"], derived["published"]
        if multiplier and numerator and published and denominator is None:
            denominator = _implied_denominator(numerator, published, multiplier)
        parts = _Parts(numerator, denominator, published)
        for name in ("numerator", "denominator", "published"):
            selection = selections[name] or selections["numerator"] or selections["published"]
            assert selection is not None
            current = getattr(parts, name)
            if current is not None and self._vintage(selection.dataset) == AS_PUBLISHED:
                setattr(parts, name, self._harmonise(name, current, parts))
        return parts

    def _derive(self, selection: Selection) -> Derived:
        key = selection.model_dump_json()
        if key not in self._derived:
            self._derived[key] = derive(self.inputs.cubes[selection.dataset], selection)
        return self._derived[key]

    def _file_of(self, dataset: str) -> str:
        try:
            return str(self.inputs.directory / self.inputs.file_of(dataset).path)
        except KeyError:
            return f"<{dataset}>"

    def _vintage(self, dataset: str) -> str:
        return self.inputs.file_of(dataset).code_vintage

    def _harmonise(self, series: str, derived: Derived, parts: _Parts) -> Derived:
        published = series == "published"
        harmoniser = self.geography.harmoniser
        records: list[CountRecord] = []
        unknown: list[str] = []
        for (region, year), agg in derived.cells.items():
            code, harmonisation = region, agg.harmonisation
            is_municipality = region_level(region) is RegionLevel.MUNICIPALITY
            if is_municipality and not harmoniser.is_valid(region, year):
                if agg.value is None:
                    continue  # a cube is a full grid: empty cells outside a code's lifetime carry nothing
                recoding = recode_outside_validity(self.geography.history, region, year)
                if recoding.unknown:
                    unknown.append(f"{region} ({year})")
                    continue
                if recoding.code is None:
                    parts.left_out[recoding.category or recoding.reason].append(f"{region} {year}")
                    continue
                code, harmonisation = recoding.code, harmonisation.combine(Harmonisation.RECODED)
                parts.notes[(recoding.code, year)].append(recoding.reason)
            records.append(
                CountRecord(
                    series_key=series,
                    region_code=code,
                    year=year,
                    numerator=None if published else agg.value,
                    denominator=None,
                    status=agg.status,
                    harmonisation=harmonisation,
                    flags=agg.flags,
                    value=agg.value if published else None,
                )
            )
        if unknown:
            raise UnknownCodesError("municipality", unknown, file=self._file_of(derived.dataset))
        # An empty grid cell yields to a value recoded onto the same code and year; two values still clash.
        valued = {(r.region_code, r.year) for r in records if r.status.has_value}
        records = [r for r in records if r.status.has_value or (r.region_code, r.year) not in valued]
        result = harmonise(records, harmoniser)
        for _, code, year, reason in result.incomplete:
            parts.notes[(code, year)].append(reason)
        if result.not_harmonisable:
            parts.dropped.append(
                f"{len(result.not_harmonisable)} {series} values could not be harmonised to today's "
                f"municipalities (e.g. {result.not_harmonisable[0][1]} {result.not_harmonisable[0][2]}: "
                f"{result.not_harmonisable[0][3]})"
            )
        cells = {
            (r.region_code, r.year): Aggregate(
                value=r.value if published else r.numerator,
                status=r.status,
                harmonisation=r.harmonisation,
                flags=r.flags,
            )
            for r in result.records
        }
        return Derived(dataset=derived.dataset, cells=cells)

    def _finish(self, indicator: Indicator, parts: _Parts, source: SourceInfo, results: IndicatorResults) -> None:
        observations = compute_observations(
            indicator,
            numerator=parts.numerator,
            denominator=parts.denominator,
            published=parts.published,
            source=source,
            keep_region=self.keep,
        )
        observations = [_with_notes(o, parts.notes.get((o.region_code, o.year))) for o in observations]
        results.observations.extend(observations)
        results.states.append(self.state_of(indicator, observations, parts.summary()))

    def state_of(
        self, indicator: Indicator, observations: Sequence[Observation], dropped: Sequence[str] = ()
    ) -> IndicatorStatusRow:
        """Loaded, partial or not loaded, with the reason, from an indicator's observations."""
        municipalities = self.geography.registry.municipality_codes
        with_value = [o for o in observations if o.value is not None]
        regions = {o.region_code for o in with_value}
        covered = regions & municipalities
        years = sorted({o.year for o in with_value})
        wants_municipalities = "municipality" in indicator.geo_levels
        if not with_value:
            state, reason = "not_loaded", "the input has no values for this indicator (all missing)"
        elif wants_municipalities and len(covered) < len(municipalities):
            state = "partial"
            reason = f"values for {len(covered)} of {len(municipalities)} municipalities"
        else:
            state, reason = "loaded", ""
        symbols = sorted({o.status.value for o in observations if o.value is None and o.status.value})
        if symbols:
            reason = _join(reason, f"missing values have status {' '.join(symbols)}")
        for text in dropped:
            reason = _join(reason, text)
        return IndicatorStatusRow(
            indicator_id=indicator.id,
            state=state,
            reason=reason,
            n_values=len(with_value),
            n_regions=len(regions),
            n_municipalities=len(covered),
            first_year=years[0] if years else None,
            last_year=years[-1] if years else None,
        )

    # ---------------------------------------------------------------------------------------------------

    def _tidy_parts(self, catalog: Catalog, results: IndicatorResults) -> dict[str, tuple[_Parts, SourceInfo]]:
        """Indicator data given directly in tidy files, checked against the catalogue and the register."""
        known = {indicator.id for indicator in catalog.indicators}
        rows_by_indicator: dict[str, list[tuple[InputFile, TidyRow]]] = defaultdict(list)
        for entry, rows in self.inputs.tidy:
            path = str(self.inputs.directory / entry.path)
            for row in rows:
                if row.indicator not in known:
                    results.problems.append(
                        InputProblem(path, f"unknown indicator {row.indicator!r}", line=row.line, field="indicator")
                    )
                else:
                    rows_by_indicator[row.indicator].append((entry, row))
        parts: dict[str, tuple[_Parts, SourceInfo]] = {}
        for indicator_id, entries in rows_by_indicator.items():
            entry = entries[0][0]
            parts[indicator_id] = (
                tidy_parts(
                    catalog.indicator(indicator_id),
                    [row for _, row in entries],
                    entry.dataset,
                    self,
                    entry.code_vintage,
                ),
                _source_info(entry),
            )
        return parts


def tidy_parts(
    indicator: Indicator, rows: Iterable[TidyRow], dataset: str, builder: IndicatorBuilder, vintage: str
) -> _Parts:
    """Numerator, denominator and published value of tidy rows, harmonised when codes are as published.

    For a count indicator the value is the count itself, so it is treated as the numerator (it can then be
    summed over merged municipalities); for shares and averages it stays the publisher's value.
    """
    is_count = indicator.multiplier is None and indicator.unit == "count"
    numerator: dict[tuple[str, int], Aggregate] = {}
    denominator: dict[tuple[str, int], Aggregate] = {}
    published: dict[tuple[str, int], Aggregate] = {}
    for row in rows:
        key = (row.region, row.year)
        count = row.numerator if row.numerator is not None or not is_count else row.value
        for target, number in ((numerator, count), (denominator, row.denominator), (published, row.value)):
            if number is not None or not row.status.has_value:
                target[key] = Aggregate(number, row.status, Harmonisation.ORIGINAL, row.flags)
    parts = _Parts(
        Derived(dataset, numerator) if numerator else None,
        Derived(dataset, denominator) if denominator else None,
        Derived(dataset, published) if published and not is_count else None,
    )
    if vintage == AS_PUBLISHED:
        for name in ("numerator", "denominator", "published"):
            current = getattr(parts, name)
            if current is not None:
                setattr(parts, name, builder._harmonise(name, current, parts))
    return parts


def _implied_denominator(numerator: Derived, published: Derived, multiplier: int) -> Derived:
    """numerator / share × multiplier for each cell that has both (flagged estimated)."""
    cells: dict[tuple[str, int], Aggregate] = {}
    for key, n in numerator.cells.items():
        p = published.cells.get(key)
        if p is None:
            continue
        if n.value is not None and p.value:
            cells[key] = Aggregate(
                n.value / p.value * multiplier,
                n.status.combine(p.status),
                n.harmonisation.combine(p.harmonisation),
                n.flags | p.flags | {Flag.ESTIMATED},
            )
        else:
            cells[key] = Aggregate(None, n.status.combine(p.status).combine(Status.MISSING), n.harmonisation, n.flags)
    return Derived(dataset=numerator.dataset, cells=cells)


def _with_notes(observation: Observation, notes: list[str] | None) -> Observation:
    if not notes:
        return observation
    return replace(observation, note=_join(observation.note or "", "; ".join(notes)))


def _join(first: str, second: str) -> str:
    return f"{first}; {second}" if first else second


def _source_info(entry: InputFile) -> SourceInfo:
    table = f"{entry.publisher} {entry.table}" if entry.table else entry.publisher
    return SourceInfo(dataset_id=entry.dataset, source_table=table, fetched_at=entry.fetched_at)


def _state(indicator: Indicator, state: str, reason: str) -> IndicatorStatusRow:
    return IndicatorStatusRow(
        indicator_id=indicator.id,
        state=state,
        reason=reason,
        n_values=0,
        n_regions=0,
        n_municipalities=0,
        first_year=None,
        last_year=None,
    )


def _no_source_reason(indicator: Indicator) -> str:
    """Why an indicator has no data here, from its catalogue sources."""
    described = []
    for source in indicator.sources:
        if source.publisher == "SSB":
            table = f"table {source.table}" if source.table else "table not yet identified"
            code = f", ContentsCode {source.contents_code}" if source.contents_code else ""
            described.append(f"SSB {table}{code}: needs the live SSB connector (`boligmonitor fetch`)")
        else:
            described.append(f"{source.publisher}: no machine-readable per-municipality file in the input")
    return "; ".join(described) or "no source known"
