"""The query for one SSB table, built from its metadata at fetch time and from what the recipes need of it.

Nothing about a table's layout is assumed beforehand; the rules (docs/fetch.md, "Selection"):

- **ContentsCode** (role ``metric``): the wanted codes the table has. Codes it lacks are reported and never
  asked for: one unknown code fails the whole request (ssb-api.md §3.3 [V]).
- **Time** (role ``time``): every period.
- **Region** (role ``geo``, else by name: ``Region``, ``KOKkommuneregion0000``, …): the municipalities -- over
  ``agg_KommSummer`` when the metadata offers it and the codelist could be loaded, with the table's own country,
  county and district codes in a second selection without the codelist (the codelist holds municipalities
  only) -- else the table's own codes of those levels (:mod:`.kostra_regions`: ``EAK``, ``EKA..``, 4-digit
  municipalities with their historical codes, …; Norway without Oslo and KOSTRA groups are not asked for).
- **Every other variable**: the categories the recipes select of it. A variable no recipe selects is
  eliminated when the metadata allows it (SSB returns its total), else its total category when the metadata
  marks one (:attr:`~.pxweb.Variable.total_code`), else -- when it has more than one category -- the table
  cannot be queried: a problem names the table and the variable, which the recipe must settle. Nothing is
  ever picked silently.

A recipe part that does not name a variable which the query keeps with more than one category (because
another recipe selects it) is reported too: its sum would be ambiguous.

A table that no recipe reads (``fetch --tables`` of any table) is fetched whole, as before: every code of every
variable, the region over ``agg_KommSummer`` when offered.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final

from boligmonitor.core.regions import RegionLevel, normalise_region_code, region_level
from boligmonitor.sources.connectors.http.archive import NO_CODELIST
from boligmonitor.sources.connectors.ssb import HttpGetPost, SsbApiError, pxweb
from boligmonitor.sources.connectors.ssb.kostra_regions import fetched_region_codes, monitor_region_level

#: Levels fetched with the table's own codes beside a municipal codelist.
OWN_LEVELS: Final = frozenset({RegionLevel.COUNTRY, RegionLevel.COUNTY, RegionLevel.DISTRICT})
_ROLES: Final = ("geo", "time", "metric")


@dataclass(frozen=True)
class PartNeed:
    """What one recipe part needs of a table.

    ``who`` names it in problems (``"BL01 numerator"``); ``measure`` is its ContentsCode; ``selects`` maps each
    variable the part sums categories of to a function from the table's codes (in metadata order) to the codes
    the part sums -- listed codes come back as listed, even those the table lacks, so they can be reported.
    """

    who: str
    measure: str | None
    selects: Mapping[str, Callable[[Sequence[str]], Sequence[str]]] = field(default_factory=dict)


@dataclass(frozen=True)
class TableQuery:
    """What to ask a table for, what it lacks, and why it cannot be asked (``problems``: nothing is fetched).

    With a region codelist, ``selection`` asks for the municipalities over it and ``own_regions`` (when the
    table has any) for the table's own codes of the other levels without it, the other variables alike.
    """

    table_id: str
    selection: pxweb.Selection | None
    missing_contents: frozenset[str] = frozenset()
    eliminated: tuple[str, ...] = ()  # variables left out: SSB returns their totals
    totals: Mapping[str, str] = field(default_factory=dict)  # variable -> the total category asked for
    region_codelist: str = NO_CODELIST
    own_regions: pxweb.Selection | None = None
    own_region_levels: str = ""
    problems: tuple[str, ...] = ()  # the table cannot be queried as the recipes stand
    recipe_problems: tuple[str, ...] = ()  # a recipe part that does not fit the query (the others are fetched)
    notes: tuple[str, ...] = ()

    @property
    def selections(self) -> tuple[pxweb.Selection, ...]:
        """Every selection to fetch for the table; their answers together make one cube."""
        if self.selection is None:
            return ()
        return (self.selection,) if self.own_regions is None else (self.selection, self.own_regions)

    def region_provenance(self) -> str:
        """Which codelist the region codes came from, per part: SSB's response does not say (§5.1)."""
        if self.own_regions is None:
            return f"region codelist {self.region_codelist}"
        return f"region codelist {self.region_codelist} for municipalities; {NO_CODELIST} for {self.own_region_levels}"

    def settled(self) -> str:
        """How the variables besides region, time and contents were settled, in words (for provenance)."""
        texts = []
        if self.eliminated:
            texts.append(f"eliminated (totals from SSB): {', '.join(self.eliminated)}")
        if self.totals:
            texts.append("total category: " + ", ".join(f"{name} {code}" for name, code in self.totals.items()))
        return "; ".join(texts)


class Codelists:
    """Codelists loaded from ``/codelists/{id}`` once per fetch, so a selection over one can be split."""

    def __init__(self, http: HttpGetPost) -> None:
        self.http = http
        self.loaded: dict[str, pxweb.Codelist] = {}
        self.failed: dict[str, str] = {}
        self.calls = 0

    def get(self, codelist_id: str) -> pxweb.Codelist | None:
        if codelist_id not in self.loaded and codelist_id not in self.failed:
            self.calls += 1
            try:
                self.loaded[codelist_id] = pxweb.codelist(self.http, codelist_id)
            except SsbApiError as error:
                self.failed[codelist_id] = str(error)
        return self.loaded.get(codelist_id)


def build_query(
    metadata: pxweb.TableMetadata,
    contents: Iterable[str],
    needs: Sequence[PartNeed] | None,
    codelists: Codelists | None = None,
) -> TableQuery:
    """The query for ``metadata``'s table: ``contents`` are the ContentsCodes wanted besides the parts' measures;
    ``needs`` the recipe parts that read the table (None: no recipe reads it, fetch it whole); ``codelists``
    loads ``agg_KommSummer`` when the table offers it (None: codes as published, e.g. the legacy API)."""
    builder = _Builder(metadata, needs, codelists)
    return builder.build(set(contents) | {need.measure for need in needs or () if need.measure})


class _Builder:
    def __init__(self, metadata: pxweb.TableMetadata, needs: Sequence[PartNeed] | None, codelists: Codelists | None):
        self.metadata = metadata
        self.table = metadata.table_id
        self.needs = needs
        self.codelists = codelists
        self.values: dict[str, list[str]] = {}
        self.chosen_codelists: dict[str, str] = {}
        self.problems: list[str] = []
        self.recipe_problems: list[str] = []
        self.notes: list[str] = []
        self.eliminated: list[str] = []
        self.totals: dict[str, str] = {}
        self.missing: frozenset[str] = frozenset()
        self.region_codelist = NO_CODELIST
        self.own_codes: tuple[str, list[str]] | None = None

    def build(self, wanted: set[str]) -> TableQuery:
        metadata = self.metadata
        for role in _ROLES:
            if self.needs is not None and metadata.by_role(role) is None:
                what = {"geo": "region", "time": "time", "metric": "ContentsCode"}[role]
                self.problems.append(f"table {self.table} has no {what} variable (by role or by name)")
        self._check_stray_dimensions()
        for variable in metadata.variables:
            if variable.role == "metric":
                self._contents(variable, wanted)
            elif variable.role == "geo":
                self._region(variable)
            elif variable.role == "time" or self.needs is None:
                self.values[variable.id] = list(variable.codes)
            else:
                self._other(variable)
        if self.problems:
            return TableQuery(self.table, None, self.missing, problems=tuple(self.problems), notes=tuple(self.notes))
        return self._query()

    # --- per role -------------------------------------------------------------------------------------

    def _contents(self, variable: pxweb.Variable, wanted: set[str]) -> None:
        if not wanted:
            self.values[variable.id] = list(variable.codes)
            return
        present = [code for code in variable.codes if code in wanted]
        self.missing = frozenset(wanted - set(present))
        if not present and self.needs is None:  # a table no recipe reads: as before, every code
            self.values[variable.id] = list(variable.codes)
            return
        if not present:
            self.problems.append(
                f"table {self.table} has none of the ContentsCodes wanted ({', '.join(sorted(wanted))})"
            )
            return
        self.values[variable.id] = present

    def _region(self, variable: pxweb.Variable) -> None:
        offers = any(ref.id == pxweb.CURRENT_BORDERS_CODELIST for ref in variable.codelists)
        if offers and self.codelists is not None:
            loaded = self.codelists.get(pxweb.CURRENT_BORDERS_CODELIST)
            if loaded is not None and loaded.values:
                self.values[variable.id] = [value.code for value in loaded.values]
                self.chosen_codelists[variable.id] = loaded.id
                self.region_codelist = loaded.id
                self.own_codes = (variable.id, self._own_level_codes(variable))
                return
            reason = self.codelists.failed.get(pxweb.CURRENT_BORDERS_CODELIST, "it has no values")
            self.notes.append(f"codelist {pxweb.CURRENT_BORDERS_CODELIST} not used ({reason}): codes as published")
        if self.needs is None:
            self.values[variable.id] = list(variable.codes)
            return
        codes = fetched_region_codes(variable.codes, variable.labels, variable_id=variable.id)
        if not codes:
            self.problems.append(
                f"table {self.table}: no code of its region variable {variable.id} is a country, county, "
                "municipality or district of the monitor"
            )
            return
        self.values[variable.id] = codes

    def _own_level_codes(self, variable: pxweb.Variable) -> list[str]:
        if self.needs is None:  # as before: every code that is not a municipality
            return [code for code in variable.codes if not _is_municipality(code)]
        return [
            code
            for code, label in zip(variable.codes, variable.labels, strict=True)
            if monitor_region_level(code, label) in OWN_LEVELS
        ]

    def _other(self, variable: pxweb.Variable) -> None:
        needs = self.needs or ()
        selecting = [need for need in needs if variable.id in need.selects]
        if selecting:
            self._selected(variable, selecting)
        elif variable.size == 1:
            self.values[variable.id] = list(variable.codes)
        elif variable.elimination:
            self.eliminated.append(variable.id)
        elif variable.total_code is not None:
            self.values[variable.id] = [variable.total_code]
            self.totals[variable.id] = variable.total_code
        else:
            readers = ", ".join(sorted({need.who.split()[0] for need in needs})) or "none"
            self.problems.append(
                f"table {self.table}: variable {variable.id} ({variable.label}, {variable.size} categories) "
                "cannot be eliminated and its metadata marks no total category: the recipe must settle which "
                f"categories to use (recipes reading the table: {readers})"
            )

    def _selected(self, variable: pxweb.Variable, selecting: Sequence[PartNeed]) -> None:
        chosen: set[str] = set()
        for need in selecting:
            codes = list(need.selects[variable.id](variable.codes))
            lacking = [code for code in codes if code not in variable.codes]
            if lacking:
                self.recipe_problems.append(
                    f"{need.who}: table {self.table} has no {variable.id} categories {', '.join(lacking)}"
                )
            if not codes:
                self.recipe_problems.append(f"{need.who}: selects no category of {variable.id} in table {self.table}")
            chosen.update(code for code in codes if code in variable.codes)
        codes = [code for code in variable.codes if code in chosen]
        if not codes:
            self.problems.append(f"table {self.table}: the recipes select no category of {variable.id}")
            return
        self.values[variable.id] = codes
        if variable.size > 1:
            # A part that names no category of a variable the others restrict would sum whatever they chose.
            shown = ", ".join(codes[:5]) + (" …" if len(codes) > 5 else "")
            for need in self.needs or ():
                if variable.id not in need.selects:
                    self.recipe_problems.append(
                        f"{need.who}: table {self.table} is fetched with the {variable.id} categories other "
                        f"recipes select ({shown}): name the categories to sum, or 'all'"
                    )

    def _check_stray_dimensions(self) -> None:
        known = {variable.id for variable in self.metadata.variables}
        reserved = {v.id for v in self.metadata.variables if v.role in _ROLES}
        for need in self.needs or ():
            for name in need.selects:
                if name not in known:
                    self.recipe_problems.append(f"{need.who}: table {self.table} has no variable {name}")
                elif name in reserved:
                    self.recipe_problems.append(
                        f"{need.who}: {name} is the region, time or contents variable of table {self.table}"
                    )

    # --- the result -----------------------------------------------------------------------------------

    def _query(self) -> TableQuery:
        own_regions: pxweb.Selection | None = None
        own_levels = ""
        if self.own_codes is not None and self.own_codes[1]:
            region, codes = self.own_codes
            others = {name: codelist for name, codelist in self.chosen_codelists.items() if name != region}
            own_regions = pxweb.Selection.of({**self.values, region: codes}, others)
            own_levels = describe_region_levels(codes)
        return TableQuery(
            self.table,
            pxweb.Selection.of(self.values, self.chosen_codelists),
            self.missing,
            eliminated=tuple(self.eliminated),
            totals=dict(self.totals),
            region_codelist=self.region_codelist,
            own_regions=own_regions,
            own_region_levels=own_levels,
            recipe_problems=tuple(self.recipe_problems),
            notes=tuple(self.notes),
        )


def _is_municipality(code: str) -> bool:
    return region_level(normalise_region_code(code)) is RegionLevel.MUNICIPALITY


_LEVEL_NAMES: dict[RegionLevel | None, str] = {
    RegionLevel.COUNTRY: "country",
    RegionLevel.COUNTY: "counties",
    RegionLevel.DISTRICT: "districts",
    RegionLevel.KOSTRA_GROUP: "KOSTRA groups",
    None: "other region codes",
}


def describe_region_levels(codes: Iterable[str]) -> str:
    """The levels of ``codes`` in words, largest first: ``"country and counties"``."""
    present = {region_level(normalise_region_code(code)) for code in codes}
    names = [name for level, name in _LEVEL_NAMES.items() if level in present]
    if not names:
        return "no regions"
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


__all__ = ["OWN_LEVELS", "Codelists", "PartNeed", "TableQuery", "build_query", "describe_region_levels"]
