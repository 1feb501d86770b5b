"""Compute every catalogue indicator from the cubes and tidy files of a build input.

For each indicator with a recipe: sum the selected cells of each part (numerator, denominator, published
value), harmonise parts published under each year's codes to today's municipalities, then compute values.
Every indicator ends with a state and a reason that the status report shows. Every value read and computed is
checked against the catalogue's domain rules (pipeline/value_checks.py): one bad value rejects the input. Values
that pass but lie far outside their series or their peers are flagged ``outlier`` (pipeline/outliers.py).
A projected change (EL09) sums its projection and its observation as numerator and denominator, harmonises each in
its own years and then meets every observed year with the projection ``horizon_years`` later
(:func:`projected_change`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Final

from boligmonitor.catalog.models import Catalog, CodeRange, Indicator, Selection
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
from boligmonitor.pipeline.outliers import flag_outliers
from boligmonitor.pipeline.recoding import recode_outside_validity
from boligmonitor.pipeline.value_checks import (
    Locate,
    RuleBook,
    Where,
    check_cells,
    check_observations,
    check_parts_within_whole,
    check_tidy_row,
)
from boligmonitor.sources.cube import Cube
from boligmonitor.sources.manifest import InputFile
from boligmonitor.sources.readers.tidy import TidyRow
from boligmonitor.store.rows import IndicatorStatusRow

AS_PUBLISHED = "as-published"

# A tidy input's rows of one indicator, by file (a build may have several tidy files).
FileRows = list[tuple[str, list[TidyRow]]]

# The observations of one indicator already in the database (for an import): reference for outliers and for
# "a part is not larger than the whole".
StoredObservations = Callable[[str], Sequence[Observation]]


@dataclass(frozen=True, slots=True)
class RowFate:
    """Where one tidy row went: the observations (today's region codes, same year) its numbers are part of,
    or why it was left out (``skipped``)."""

    file: str
    line: int
    region: str
    year: int
    targets: tuple[str, ...]
    had_number: bool  # a value or numerator was given (not only a status)
    skipped: str | None = None
    note: str | None = None  # the row's own note (to tell it from the pipeline's in the observation's note)


@dataclass
class IndicatorResults:
    observations: list[Observation] = field(default_factory=list)
    states: list[IndicatorStatusRow] = field(default_factory=list)
    problems: list[InputProblem] = field(default_factory=list)
    row_fates: dict[str, list[RowFate]] = field(default_factory=dict)  # tidy rows, by indicator


@dataclass
class _Parts:
    numerator: Derived | None
    denominator: Derived | None
    published: Derived | None
    notes: dict[tuple[str, int], list[str]] = field(default_factory=lambda: defaultdict(list))
    dropped: list[str] = field(default_factory=list)
    # Values left out because of their code, grouped by reason: reason -> ["code year", ...]
    left_out: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    # Where each (region, year) read went: today's codes, or why it was left out (the import's report).
    destinations: dict[tuple[str, int], tuple[str, ...]] = field(default_factory=dict)
    skipped: dict[tuple[str, int], str] = field(default_factory=dict)
    # Tidy rows only, by the (today's code, year) they went to: the rows' own notes and sources ("; " between
    # those of several rows summed into one value).
    row_notes: dict[tuple[str, int], str] = field(default_factory=dict)
    sources: dict[tuple[str, int], str] = field(default_factory=dict)
    _shared: dict[tuple[str, ...], tuple[str, ...]] = field(default_factory=dict)

    def annotations(self, region: str, year: int) -> tuple[list[str], list[str], str | None]:
        """A value's notes (a tidy row's own, then how it was harmonised) and a tidy row's source."""
        key = (region, year)
        own = self.row_notes.get(key)
        return ([own] if own else [], self.notes.get(key, []), self.sources.get(key))

    def send(self, origin: tuple[str, int], targets: Iterable[str]) -> None:
        """Record that the value read for ``origin`` went to today's ``targets`` (same year)."""
        codes = tuple(sorted({*self.destinations.get(origin, ()), *targets}))
        self.destinations[origin] = self._shared.setdefault(codes, codes)  # a few hundred distinct tuples

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
        self.rules = RuleBook()
        self._derived: dict[str, Derived] = {}
        self._cells_checked: set[tuple[str, bool]] = set()
        self._stored: StoredObservations | None = None

    def build(
        self, catalog: Catalog, progress: Progress | None = None, *, stored: StoredObservations | None = None
    ) -> IndicatorResults:
        """Every indicator of the catalogue that the inputs give data for. ``stored``: an import's access to the
        database's observations of an indicator, so that new values are judged with those already there."""
        progress = progress or NoProgress()
        self._stored = stored
        results = IndicatorResults()
        tidy = self._tidy_parts(catalog, results)
        progress.stage("Computing indicators", total=len(catalog.indicators))
        for indicator in catalog.indicators:
            if indicator.id in tidy:
                parts, source, rows = tidy[indicator.id]
                self._finish(indicator, parts, source, results, _tidy_locate(parts, rows))
                results.row_fates[indicator.id] = _row_fates(rows, parts, self.keep)
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
            "addend": recipe.published_addend,
        }
        if recipe.is_projected_change:  # the projection and the observation are summed and checked as counts
            selections = {"numerator": recipe.projected, "denominator": recipe.observed, "published": None}
        missing = sorted({s.dataset for s in selections.values() if s and s.dataset not in self.inputs.cubes})
        if missing:
            reason = f"dataset {', '.join(missing)} is not in the build input; " + _no_source_reason(indicator)
            results.states.append(_state(indicator, "not_loaded", reason))
            return
        if lacking := self._measures_not_in_input(selections):
            # The dataset is there, but this version of it lacks the measure: the offline bostøtte input has no
            # households with children, which only a fetch that includes unconfirmed Husbanken fields gives.
            reason = f"not in the build input: {lacking} (only a fetch from the publisher brings it)"
            results.states.append(_state(indicator, "not_loaded", reason))
            return
        try:
            parts = self._parts(indicator, selections)
            problems = self._check_cells(indicator, selections)
        except RecipeError as error:
            results.states.append(_state(indicator, "failed", f"recipe does not fit the data: {error}"))
            return
        except InputError as error:
            results.problems.extend(error.problems)
            results.states.append(_state(indicator, "failed", str(error).splitlines()[1]))
            return
        if problems:
            results.problems.extend(problems)
            results.states.append(_state(indicator, "failed", str(problems[0])))
            return
        main = recipe.numerator or recipe.published_value or recipe.projected
        assert main is not None  # the catalogue validates that one of them exists
        entry = self.inputs.file_of(main.dataset)
        locate = self._cube_locate(selections, recipe.horizon_years)
        self._finish(indicator, parts, _source_info(entry), results, locate)

    def _measures_not_in_input(self, selections: dict[str, Selection | None]) -> str:
        """The parts' measures that their dataset's cube does not have, in words ("" when every one is there)."""
        lacking = []
        for selection in selections.values():
            if selection is None or selection.measure is None:
                continue
            metric = self.inputs.cubes[selection.dataset].cube.metric_dimension()
            if metric is not None and selection.measure not in metric.codes:
                lacking.append(f"{selection.dataset} {selection.measure}")
        return ", ".join(sorted(set(lacking)))

    def _check_cells(self, indicator: Indicator, selections: dict[str, Selection | None]) -> list[InputProblem]:
        """The cells a numerator or denominator sums are counts (each selection checked once per build)."""
        rules = self.rules[indicator]
        if not rules.counts:
            return []
        problems: list[InputProblem] = []
        for part in ("numerator", "denominator"):
            selection = selections[part]
            key = (selection.model_dump_json(), rules.whole_counts) if selection else None
            if selection is None or key is None or key in self._cells_checked:
                continue
            self._cells_checked.add(key)
            cube = self.inputs.cubes[selection.dataset]
            problems.extend(check_cells(rules, cube, selection, part, self._file_of(selection.dataset)))
        return problems

    def _cube_locate(self, selections: dict[str, Selection | None], horizon_years: int | None = None) -> Locate:
        """An observation's cells, by their codes, in the file its numerator, denominator or value came from (a
        projected change's numerator: the projection's cells ``horizon_years`` later)."""

        def locate(observation: Observation, name: str) -> Where:
            main = selections["published"] or selections["numerator"]
            selection = (selections.get(name) or main) if name in ("numerator", "denominator") else main
            assert selection is not None
            if horizon_years is not None and selection is selections["numerator"]:
                observation = replace(observation, year=observation.year + horizon_years)
            cube = self.inputs.cubes[selection.dataset].cube
            return Where(self._file_of(selection.dataset), cell=_cell_codes(cube, selection, observation))

        return locate

    def _parts(self, indicator: Indicator, selections: dict[str, Selection | None]) -> _Parts:
        derived = {name: self._derive(s) if s else None for name, s in selections.items()}
        multiplier = indicator.multiplier
        numerator, denominator, published = derived["numerator"], derived["denominator"], derived["published"]
        addend = derived.get("addend")
        if published is not None and addend is not None:
            published = _sum_published(published, addend)
        if multiplier and numerator and published and denominator is None:
            denominator = _implied_denominator(numerator, published, multiplier)
        parts = _Parts(numerator, denominator, published)
        for name in ("numerator", "denominator", "published"):
            selection = selections[name] or selections["numerator"] or selections["published"]
            assert selection is not None
            current = getattr(parts, name)
            if current is not None and self._vintage(selection.dataset) == AS_PUBLISHED:
                setattr(parts, name, self._harmonise(name, current, parts))
        recipe = indicator.recipe
        if recipe is not None and recipe.horizon_years is not None and parts.numerator and parts.denominator:
            # Each harmonised in its own years, then the projection meets the observation it starts from.
            parts.numerator = projected_change(parts.numerator, parts.denominator, recipe.horizon_years)
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

    def _harmonise(self, series: str, derived: Derived, parts: _Parts, *, grid: bool = True) -> Derived:
        """``derived`` under today's codes. ``grid``: it comes from a cube, whose empty cells outside a code's
        lifetime carry nothing; a tidy row's status (``:``) is recoded like a number."""
        published = series == "published"
        harmoniser = self.geography.harmoniser
        records: list[CountRecord] = []
        unknown: list[str] = []
        read_as: list[tuple[str, int]] = []  # each record's (region, year) as read, for the import's report
        for cell, agg in derived.cells.items():
            region, year = cell
            code, harmonisation = region, agg.harmonisation
            is_municipality = region_level(region) is RegionLevel.MUNICIPALITY
            if is_municipality and not harmoniser.is_valid(region, year):
                if agg.value is None and grid:
                    parts.skipped.setdefault((region, year), f"no value under {region}, not in use in {year}")
                    continue
                recoding = recode_outside_validity(self.geography.history, region, year)
                if recoding.unknown:
                    unknown.append(f"{region} ({year})")
                    continue
                if recoding.code is None:
                    parts.left_out[recoding.category or recoding.reason].append(f"{region} {year}")
                    parts.skipped.setdefault((region, year), recoding.reason)
                    continue
                code, harmonisation = recoding.code, harmonisation.combine(Harmonisation.RECODED)
                parts.notes[(recoding.code, year)].append(recoding.reason)
            read_as.append(cell)
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
        kept = [r.status.has_value or (r.region_code, r.year) not in valued for r in records]
        for keep, origin in zip(kept, read_as, strict=True):
            if not keep:
                parts.skipped.setdefault(origin, "no value, and a value is given for the same region and year")
        records = [record for record, keep in zip(records, kept, strict=True) if keep]
        read_as = [origin for origin, keep in zip(read_as, kept, strict=True) if keep]
        result = harmonise(records, harmoniser)
        for _, code, year, reason in result.incomplete:
            parts.notes[(code, year)].append(reason)
        self._record_destinations(parts, records, read_as, result.not_harmonisable)
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

    def _record_destinations(
        self,
        parts: _Parts,
        records: Sequence[CountRecord],
        read_as: Sequence[tuple[str, int]],
        not_harmonisable: Sequence[tuple[str, str, int, str]],
    ) -> None:
        """Where each (region, year) read (``read_as``, one for each record) went: today's codes, or why it was
        left out."""
        failed = {(code, year): reason for _, code, year, reason in not_harmonisable}
        for record, origin in zip(records, read_as, strict=True):
            reason = failed.get((record.region_code, record.year))
            if reason is not None:
                parts.skipped.setdefault(origin, reason)
            else:
                targets = self.geography.harmoniser.targets(record.region_code, record.year)
                parts.send(origin, (share.code for share in targets))

    def _finish(
        self, indicator: Indicator, parts: _Parts, source: SourceInfo, results: IndicatorResults, locate: Locate
    ) -> None:
        observations = compute_observations(
            indicator,
            numerator=parts.numerator,
            denominator=parts.denominator,
            published=parts.published,
            source=source,
            keep_region=self.keep,
            annotate=parts.annotations,
        )
        rules = self.rules[indicator]
        stored = self._stored(indicator.id) if self._stored is not None else ()
        problems = check_observations(rules, observations, locate)
        problems += check_parts_within_whole(rules, observations, locate, stored)
        if problems:
            results.problems.extend(problems)
            results.states.append(_state(indicator, "failed", str(problems[0])))
            return
        observations = flag_outliers(indicator, observations, stored)
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

    def _tidy_parts(
        self, catalog: Catalog, results: IndicatorResults
    ) -> dict[str, tuple[_Parts, SourceInfo, FileRows]]:
        """Indicator data given directly in tidy files, checked against the catalogue, its domain rules and the
        register. A row with a problem goes no further (the input is rejected anyway)."""
        known = {indicator.id for indicator in catalog.indicators}
        rows_by_indicator: dict[str, dict[str, list[TidyRow]]] = defaultdict(dict)  # indicator -> file -> rows
        entry_of: dict[str, InputFile] = {}
        for entry, rows in self.inputs.tidy:
            path = str(self.inputs.directory / entry.path)
            for row in rows:
                if row.indicator not in known:
                    results.problems.append(
                        InputProblem(path, f"unknown indicator {row.indicator!r}", line=row.line, field="indicator")
                    )
                    continue
                problems = check_tidy_row(self.rules[catalog.indicator(row.indicator)], row, path)
                if problems:
                    results.problems.extend(problems)
                else:
                    rows_by_indicator[row.indicator].setdefault(path, []).append(row)
                    entry_of.setdefault(row.indicator, entry)
        parts: dict[str, tuple[_Parts, SourceInfo, FileRows]] = {}
        for indicator_id, by_file in rows_by_indicator.items():
            entry = entry_of[indicator_id]
            files = list(by_file.items())
            parts[indicator_id] = (
                tidy_parts(catalog.indicator(indicator_id), files, entry.dataset, self, entry.code_vintage),
                _source_info(entry),
                files,
            )
        return parts


def tidy_parts(
    indicator: Indicator,
    files: FileRows,
    dataset: str,
    builder: IndicatorBuilder,
    vintage: str,
) -> _Parts:
    """Numerator, denominator and published value of tidy rows (with their files), harmonised when codes are
    as published; each row's note, source and line follow its numbers to today's region codes.

    For a count indicator the value is the count itself, so it is treated as the numerator (it can then be
    summed over merged municipalities); for shares and averages it stays the publisher's value.
    """
    is_count = indicator.multiplier is None and indicator.unit == "count"
    numerator: dict[tuple[str, int], Aggregate] = {}
    denominator: dict[tuple[str, int], Aggregate] = {}
    published: dict[tuple[str, int], Aggregate] = {}
    rows = [row for _, file_rows in files for row in file_rows]
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
                setattr(parts, name, builder._harmonise(name, current, parts, grid=False))
    else:  # the publisher's codes are today's
        for row in rows:
            parts.send((row.region, row.year), (row.region,))
    for row in rows:
        if not (row.note or row.source):
            continue
        for code in parts.destinations.get((row.region, row.year), ()):
            today = (code, row.year)
            if row.note:
                parts.row_notes[today] = _join_new(parts.row_notes.get(today, ""), row.note)
            if row.source:
                parts.sources[today] = _join_new(parts.sources.get(today, ""), row.source)
    return parts


def _join_new(texts: str, text: str) -> str:
    return texts if text in texts.split("; ") else _join(texts, text)


def _row_fates(files: FileRows, parts: _Parts, shown: set[str]) -> list[RowFate]:
    """Each row's observations (one for each of today's codes its numbers went to, where the monitor shows that
    region), or why it has none."""
    fates = []
    for path, row in ((path, row) for path, rows in files for row in rows):
        key = (row.region, row.year)
        destinations = parts.destinations.get(key, ())
        targets = (
            destinations
            if all(code in shown for code in destinations)
            else tuple(code for code in destinations if code in shown)
        )
        reason = None
        if not targets:
            reason = parts.skipped.get(key) or (
                f"{row.region} {row.year} belongs to {', '.join(destinations)}, which the monitor does not show"
                if destinations
                else "left out in harmonisation to today's municipalities"
            )
        had_number = row.value is not None or row.numerator is not None
        fates.append(RowFate(path, row.line, row.region, row.year, targets, had_number, reason, row.note))
    return fates


def _tidy_locate(parts: _Parts, files: FileRows) -> Locate:
    """An observation's rows: the line of the first, and the others in the message."""
    lines_of: dict[tuple[str, int], list[tuple[str, int]]] = {}

    def locate(observation: Observation, name: str) -> Where:
        if not lines_of:  # only when there is a problem to place
            for path, rows in files:
                for row in rows:
                    for code in parts.destinations.get((row.region, row.year), ()):
                        lines_of.setdefault((code, row.year), []).append((path, row.line))
        lines = lines_of.get((observation.region_code, observation.year)) or [("<tidy>", 0)]
        file, line = lines[0]
        also = [str(number) for _, number in lines[1:]]
        detail = f"summed with lines {', '.join(also)}" if also else None
        return Where(file, line=line or None, detail=detail)

    return locate


def _cell_codes(cube: Cube, selection: Selection, observation: Observation) -> str:
    """The cells of an observation, by their codes: region and time, the measure, and the categories summed."""
    codes = []
    for dimension in cube.dimensions:
        if dimension is cube.geo_dimension():
            codes.append(f"{dimension.id}={observation.region_code}")
        elif dimension is cube.time_dimension():
            codes.append(f"{dimension.id}={observation.year}")
        elif dimension is cube.metric_dimension():
            codes.append(f"{dimension.id}={selection.measure or dimension.codes[0]}")
        elif dimension.id in selection.select:
            chosen = selection.select[dimension.id]
            if isinstance(chosen, list):
                text = "+".join(chosen)
            elif isinstance(chosen, CodeRange):
                text = f"{chosen.from_code}–{chosen.to_code}"
            else:
                text = "all"
            codes.append(f"{dimension.id}={text}")
        elif dimension.size == 1:
            codes.append(f"{dimension.id}={dimension.codes[0]}")
    return ", ".join(codes)


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


def projected_change(projected: Derived, observed: Derived, horizon_years: int) -> Derived:
    """The change from each observed year Y to the projection for Y + ``horizon_years``, in persons, stored for
    year Y: projected[Y + h] − observed[Y]. Only the years whose target year the projection covers have one; a
    region without either number there has no number, with the more restrictive status (never 0)."""
    projection_years = {year for _, year in projected.cells}
    observed_years = {year for _, year in observed.cells}
    years = {year for year in observed_years if year + horizon_years in projection_years}
    regions = {region for region, _ in projected.cells} | {region for region, _ in observed.cells}
    cells: dict[tuple[str, int], Aggregate] = {}
    for region in regions:
        for year in years:
            target = projected.cells.get((region, year + horizon_years))
            start = observed.cells.get((region, year))
            if target is None and start is None:
                continue
            parts = [part for part in (target, start) if part is not None]
            status, harmonisation, flags = Status.OK, Harmonisation.ORIGINAL, frozenset[Flag]()
            for part in parts:
                status = status.combine(part.status)
                harmonisation = harmonisation.combine(part.harmonisation)
                flags = flags | part.flags
            change: float | None = None
            if target is not None and start is not None and target.value is not None and start.value is not None:
                change = target.value - start.value
            else:
                status = status.combine(Status.MISSING)
            cells[(region, year)] = Aggregate(change, status, harmonisation, flags)
    return Derived(dataset=projected.dataset, cells=cells)


def _sum_published(first: Derived, second: Derived) -> Derived:
    """Two published values added per region and year (two shares of one denominator); a value that lacks either
    part has no number, with the more restrictive status."""
    cells: dict[tuple[str, int], Aggregate] = {}
    for key in first.cells.keys() & second.cells.keys():
        a, b = first.cells[key], second.cells[key]
        status = a.status.combine(b.status)
        total = a.value + b.value if a.value is not None and b.value is not None else None
        if total is None and status.has_value:
            status = Status.MISSING
        cells[key] = Aggregate(
            value=total,
            status=status,
            harmonisation=a.harmonisation.combine(b.harmonisation),
            flags=a.flags | b.flags,
        )
    return Derived(dataset=first.dataset, cells=cells)


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


# Maintainer notes that say why an indicator has no recipe at all: status gives that reason, not "needs fetch".
NO_RECIPE_NOTES: Final = ("No source dataset:", "No recipe:")


def _no_source_reason(indicator: Indicator) -> str:
    """Why an indicator has no data here: the catalogue's stated reason when it has no recipe, else from its
    sources."""
    if indicator.recipe is None:
        stated = next((note for note in indicator.maintainer_notes if note.startswith(NO_RECIPE_NOTES)), None)
        if stated is not None:
            return stated
    described = []
    for source in indicator.sources:
        if source.publisher == "SSB":
            table = f"table {source.table}" if source.table else "table not yet identified"
            code = f", ContentsCode {source.contents_code}" if source.contents_code else ""
            described.append(f"SSB {table}{code}: needs the live SSB connector (`boligmonitor fetch`)")
        else:
            described.append(f"{source.publisher}: no machine-readable per-municipality file in the input")
    return "; ".join(described) or "no source known"
