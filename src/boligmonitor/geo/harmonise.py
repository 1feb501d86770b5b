"""Harmonise series published under each year's municipality codes to one target vintage of codes.

A value published for ``(code, year)`` follows the KLASS changes after 1 January of ``year`` up to the
target date: renumberings and merges pass the whole value on, splits divide it with explicit weights
(:mod:`boligmonitor.geo.weights`). Only counts (numerators and denominators) are summed or divided; a
published share or average passes only when its region maps 1:1. See ``docs/harmonisation.md``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from functools import lru_cache

from boligmonitor.core.errors import InputError, InputProblem, UnknownCodesError
from boligmonitor.core.flags import Flag, Harmonisation
from boligmonitor.core.regions import NORWAY, RegionLevel, normalise_region_code, region_level
from boligmonitor.core.status import Status
from boligmonitor.geo.changes import ChangeHistory, ChangeKind, CodeChange, Split
from boligmonitor.geo.region_register import UNSPECIFIED_CODES
from boligmonitor.geo.weights import Origin, SplitWeights

# The current municipality structure (357 municipalities) is valid from 2024; KLASS codesAt 2026-01-01.
DEFAULT_TARGET_DATE = date(2026, 1, 1)

_PUBLISHERS_OWN = (Harmonisation.ORIGINAL, Harmonisation.RECODED)


@lru_cache(maxsize=65_536)
def _canonical(code: str) -> str:
    """normalise_region_code, cached: the same few hundred codes recur in every series."""
    return normalise_region_code(code)


@dataclass(frozen=True, slots=True)
class TargetShare:
    """The part of a published value that belongs to one target code."""

    code: str
    weight: float
    harmonisation: Harmonisation
    weight_source: str


class MissingSplitWeightsError(InputError):
    """Values of a split municipality were to be divided, but no weights are known for the split."""

    def __init__(self, splits: Iterable[Split], file: str = "<split weights>") -> None:
        self.splits: tuple[Split, ...] = tuple(sorted(set(splits), key=lambda s: (s.changed_on, s.code)))
        super().__init__(
            [
                InputProblem(
                    file=file,
                    field="weight",
                    message=f"no weights for the split of {split.describe()}: supply explicit split weights "
                    f"or the successors' population on 1 January {split.changed_on.year}",
                )
                for split in self.splits
            ]
        )


@dataclass(frozen=True, slots=True)
class _Piece:
    """Part of a code's area on its way to the target structure."""

    code: str
    weight: float = 1.0
    estimated: bool = False
    lineage: tuple[Origin, ...] = ()
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class _Resolution:
    shares: tuple[TargetShare, ...] = ()
    unknown: bool = False
    missing_splits: tuple[Split, ...] = ()
    reason: str | None = None  # why a known code cannot be harmonised


class Harmoniser:
    """Maps ``(code, year)`` pairs, each under the code list valid in its year, to ``target_codes``.

    ``target_codes`` are the municipality codes valid on ``target_date`` (e.g. the 357 of 2024– from
    KLASS codesAt 2026-01-01, or ``history.codes_valid_on(date(2020, 1, 1))`` for the 356 of 2020–2023).
    Country ``0``, ``9999`` (unspecified) and KOSTRA groups pass through unchanged; a county passes only
    when its area equals the target county of the same code; a district when its municipality is unchanged.
    """

    def __init__(
        self,
        history: ChangeHistory,
        target_codes: Collection[str],
        target_date: date = DEFAULT_TARGET_DATE,
        split_weights: SplitWeights | None = None,
    ) -> None:
        self.history = history
        self.target_date = target_date
        self.split_weights = split_weights if split_weights is not None else SplitWeights()
        self.target_codes = frozenset(code for code in map(_canonical, target_codes) if code not in UNSPECIFIED_CODES)
        self._check_targets()
        self._resolutions: dict[tuple[str, int], _Resolution] = {}
        self._structure: dict[tuple[str, int], tuple[_Piece, ...]] = {}
        self._contributors: dict[int, dict[str, frozenset[str]]] = {}

    # ----------------------------------------------------------------------------------------------------
    # Public API

    def targets(self, code: str, year: int) -> tuple[TargetShare, ...]:
        """Where the value published for ``(code, year)`` goes; empty when the code is known but cannot be
        harmonised (see :meth:`reason`). Raises UnknownCodesError or MissingSplitWeightsError."""
        resolution = self._resolve(_canonical(code), year)
        if resolution.unknown:
            raise UnknownCodesError("region", [f"{code} ({year})"])
        if resolution.missing_splits:
            raise MissingSplitWeightsError(resolution.missing_splits)
        return resolution.shares

    def reason(self, code: str, year: int) -> str | None:
        """Why a known ``(code, year)`` cannot be harmonised, or None."""
        return self._resolve(_canonical(code), year).reason

    def check(self, pairs: Iterable[tuple[str, int]]) -> None:
        """Raise UnknownCodesError listing every ``(code, year)`` not valid in its year, then
        MissingSplitWeightsError listing every split that would need weights nobody gave."""
        unknown: set[str] = set()
        missing: set[Split] = set()
        for code, year in set(pairs):
            resolution = self._resolve(_canonical(code), year)
            if resolution.unknown:
                unknown.add(f"{code} ({year})")
            missing.update(resolution.missing_splits)
        if unknown:
            raise UnknownCodesError("region", unknown)
        if missing:
            raise MissingSplitWeightsError(missing)

    def contributors(self, target: str, year: int) -> frozenset[str]:
        """The codes valid in ``year`` whose values (or a share of them) go to ``target``.

        A harmonised value for ``target`` in ``year`` is complete only when every one of them has a value.
        """
        target = _canonical(target)
        if region_level(target) is not RegionLevel.MUNICIPALITY or target in UNSPECIFIED_CODES:
            return frozenset({target})
        if year not in self._contributors:
            self._contributors[year] = self._index_contributors(year)
        return self._contributors[year].get(target, frozenset())

    def is_valid(self, code: str, year: int) -> bool:
        """Whether municipality ``code`` was in use on 1 January ``year``."""
        if self.history.involves(code):
            return self.history.is_valid(code, date(year, 1, 1))
        return code in self.target_codes or code in self.history.current_codes

    def valid_codes(self, year: int) -> frozenset[str]:
        """The municipality codes in use on 1 January ``year``."""
        untouched = {c for c in self.target_codes if not self.history.involves(c)}
        return self.history.codes_valid_on(date(year, 1, 1)) | untouched

    # ----------------------------------------------------------------------------------------------------
    # Resolution by level

    def _resolve(self, code: str, year: int) -> _Resolution:
        key = (code, year)
        if key not in self._resolutions:
            self._resolutions[key] = self._resolve_uncached(code, year)
        return self._resolutions[key]

    def _resolve_uncached(self, code: str, year: int) -> _Resolution:
        level = region_level(code)
        if code == NORWAY or code in UNSPECIFIED_CODES or level is RegionLevel.KOSTRA_GROUP:
            return _unchanged(code)
        if level is RegionLevel.MUNICIPALITY:
            return self._resolve_municipality(code, year)
        if level is RegionLevel.COUNTY:
            return self._resolve_county(code, year)
        if level is RegionLevel.DISTRICT:
            return self._resolve_district(code, year)
        return _Resolution(unknown=True)

    def _resolve_municipality(self, code: str, year: int) -> _Resolution:
        if not self.is_valid(code, year):
            return _Resolution(unknown=True)
        on = date(year, 1, 1)
        if on > self.target_date:
            if code in self.target_codes and not self._area_changed(code, self.target_date, on):
                return _unchanged(code)
            return _Resolution(
                reason=f"{code} in {year} is not the area of a code valid on {self.target_date.isoformat()}; "
                "mapping back to an earlier structure is not supported"
            )
        pieces, missing = self._pieces(code, year, strict=True)
        if missing:
            return _Resolution(missing_splits=tuple(missing))
        shares = []
        for piece in pieces:
            if piece.code not in self.target_codes:
                return _Resolution(unknown=True)  # the history does not lead to the target structure
            shares.append(
                TargetShare(
                    code=piece.code,
                    weight=piece.weight,
                    harmonisation=self._harmonisation(code, year, piece),
                    weight_source="; ".join(piece.notes) or "unchanged code",
                )
            )
        return _Resolution(shares=tuple(shares))

    def _resolve_county(self, county: str, year: int) -> _Resolution:
        members = {c for c in self.valid_codes(year) if c[:2] == county}
        if not members:
            return _Resolution(unknown=True)
        target_members = {c for c in self.target_codes if c[:2] == county}
        different = _Resolution(
            reason=f"county {county} in {year} does not cover the same area as county {county} on "
            f"{self.target_date.isoformat()}; sum its harmonised municipalities instead"
        )
        if not target_members:
            return _Resolution(
                reason=f"county {county} does not exist on {self.target_date.isoformat()}; "
                "sum its harmonised municipalities instead"
            )
        if date(year, 1, 1) > self.target_date:
            unchanged = members == target_members and not any(
                self._area_changed(c, self.target_date, date(year, 1, 1)) for c in members
            )
            return _unchanged(county) if unchanged else different
        reached: set[str] = set()
        for member in members:
            for piece in self._structure_of(member, year):
                if piece.code[:2] != county:
                    return different
                reached.add(piece.code)
        if reached != target_members:
            return different
        if any(c[:2] != county for t in target_members for c in self.contributors(t, year)):
            return different
        return _unchanged(county, f"unchanged county area: its municipalities of {year} make up the same county")

    def _resolve_district(self, district: str, year: int) -> _Resolution:
        municipality = district[:4]
        resolution = self._resolve_municipality(municipality, year)
        if resolution.unknown:
            return resolution
        shares = resolution.shares
        if len(shares) == 1 and shares[0].harmonisation is Harmonisation.ORIGINAL:
            return _unchanged(district)
        return _Resolution(
            reason=f"the municipality of district {district} ({municipality}) changed between {year} and "
            f"{self.target_date.isoformat()}; district codes are not harmonised"
        )

    # ----------------------------------------------------------------------------------------------------
    # Following the changes

    def _pieces(self, code: str, year: int, strict: bool) -> tuple[list[_Piece], list[Split]]:
        missing: list[Split] = []
        pieces = self._walk(_Piece(code), date(year, 1, 1), strict, missing)
        merged: dict[str, _Piece] = {}
        for piece in pieces:
            earlier = merged.get(piece.code)
            merged[piece.code] = (
                piece
                if earlier is None
                else replace(
                    earlier,
                    weight=earlier.weight + piece.weight,
                    estimated=earlier.estimated or piece.estimated,
                    notes=tuple(dict.fromkeys(earlier.notes + piece.notes)),
                )
            )
        return sorted(merged.values(), key=lambda p: p.code), missing

    def _walk(self, piece: _Piece, since: date, strict: bool, missing: list[Split]) -> list[_Piece]:
        departure = self.history.next_departure(piece.code, after=since, until=self.target_date)
        if departure is None:
            return [piece]
        rows = self.history.outgoing(piece.code, departure)
        successors = sorted({row.new_code for row in rows})
        if len(successors) == 1:
            return self._walk(_moved(piece, rows[0]), departure, strict, missing)
        allocation = self.split_weights.allocation(piece.code, departure, piece.lineage)
        if allocation is None:
            split = self.history.split_of(piece.code, departure)
            assert split is not None
            missing.append(split)
            if strict:
                return []
            # Structure only (who can receive what), used to know a target's contributors.
            shares = {s: piece.weight / len(successors) for s in successors}
            source, exact = "no weights", False
        else:
            shares = dict(allocation.weights)
            source, exact = allocation.source, allocation.kind.exact
        found: list[_Piece] = []
        for successor, weight in shares.items():
            if weight <= 0:
                continue
            note = f"{piece.code} → {successor} ({departure.year}, split, weight {weight:.4g}: {source})"
            found.extend(
                self._walk(
                    _Piece(
                        code=successor,
                        weight=piece.weight * weight,
                        estimated=piece.estimated or not exact,
                        lineage=piece.lineage,
                        notes=(*piece.notes, note),
                    ),
                    departure,
                    strict,
                    missing,
                )
            )
        return found

    def _structure_of(self, code: str, year: int) -> tuple[_Piece, ...]:
        """The pieces of ``code`` (valid in ``year``) in the target, splits without weights shared evenly."""
        key = (code, year)
        if key not in self._structure:
            self._structure[key] = tuple(self._pieces(code, year, strict=False)[0])
        return self._structure[key]

    def _index_contributors(self, year: int) -> dict[str, frozenset[str]]:
        found: dict[str, set[str]] = defaultdict(set)
        if date(year, 1, 1) > self.target_date:
            for code in self.valid_codes(year):
                found[code].add(code)
        else:
            for code in self.valid_codes(year):
                for piece in self._structure_of(code, year):
                    found[piece.code].add(code)
        return {target: frozenset(codes) for target, codes in found.items()}

    def _harmonisation(self, code: str, year: int, piece: _Piece) -> Harmonisation:
        if piece.estimated:
            return Harmonisation.ESTIMATED
        if len(self.contributors(piece.code, year)) > 1:
            return Harmonisation.SUMMED
        return Harmonisation.RECODED if piece.code != code else Harmonisation.ORIGINAL

    def _area_changed(self, code: str, after: date, until: date) -> bool:
        """Whether anything but a rename touched ``code`` in ``(after, until]``."""
        return any(
            after < on <= until
            and any(
                row.kind is not ChangeKind.RENAME
                for row in (*self.history.outgoing(code, on), *self.history.incoming(code, on))
            )
            for on in self.history.dates()
        )

    def _check_targets(self) -> None:
        problems: list[InputProblem] = []
        not_municipal = sorted(c for c in self.target_codes if region_level(c) is not RegionLevel.MUNICIPALITY)
        if not_municipal:
            problems.append(
                InputProblem("<target codes>", f"not municipality codes: {', '.join(not_municipal)}", field="code")
            )
        invalid = sorted(
            c for c in self.target_codes if self.history.involves(c) and not self.history.is_valid(c, self.target_date)
        )
        if invalid:
            problems.append(
                InputProblem(
                    "<target codes>",
                    f"not in use on {self.target_date.isoformat()} according to the changes: " + ", ".join(invalid),
                    field="code",
                )
            )
        absent = sorted(self.history.codes_valid_on(self.target_date) - self.target_codes)
        if absent:
            problems.append(
                InputProblem(
                    "<target codes>",
                    f"in use on {self.target_date.isoformat()} according to the changes but not among the "
                    f"target codes: {', '.join(absent)}",
                    field="code",
                )
            )
        if problems:
            raise InputError(problems)


def _unchanged(code: str, source: str = "unchanged code") -> _Resolution:
    return _Resolution(shares=(TargetShare(code, 1.0, Harmonisation.ORIGINAL, source),))


def _moved(piece: _Piece, row: CodeChange) -> _Piece:
    """The piece after a change that passes its whole area to one code."""
    if row.continues_code:
        return piece
    return replace(
        piece,
        code=row.new_code,
        lineage=(*piece.lineage, (row.old_code, row.changed_on)),
        notes=(*piece.notes, f"{row.old_code} → {row.new_code} ({row.changed_on.year}, {row.kind.value})"),
    )


# --------------------------------------------------------------------------------------------------------
# Harmonising records


@dataclass(frozen=True, slots=True)
class CountRecord:
    """One published cell of a series, under the code valid in its year.

    ``numerator``/``denominator`` are counts (a count series has no denominator); ``value`` is a published
    value such as a share or an average, for series without counts.
    """

    series_key: str
    region_code: str
    year: int
    numerator: float | None
    denominator: float | None
    status: Status
    harmonisation: Harmonisation = Harmonisation.ORIGINAL
    flags: frozenset[Flag] = field(default_factory=frozenset)
    value: float | None = None

    @property
    def value_only(self) -> bool:
        """A published value (a share, an average) without counts: it cannot be summed or divided."""
        return self.numerator is None and self.denominator is None and self.value is not None


@dataclass
class HarmonisationResult:
    records: list[CountRecord]
    # (series_key, code, year, reason) for records that could not be mapped to the target structure.
    not_harmonisable: list[tuple[str, str, int, str]]
    # (series_key, target code, year, reason) for harmonised records marked missing because not every
    # predecessor had a value, or a predecessor lacked a count the others had.
    incomplete: list[tuple[str, str, int, str]]


def harmonise(records: Iterable[CountRecord], harmoniser: Harmoniser) -> HarmonisationResult:
    """Map records to the target structure, summing weighted counts per (series, target code, year).

    Raises InputError for duplicate (series, code, year) records, UnknownCodesError for codes not valid in
    their year, MissingSplitWeightsError for splits without weights; nothing is returned then.
    """
    records = list(records)
    _check_duplicates(records)
    harmoniser.check((r.region_code, r.year) for r in records)
    out: list[CountRecord] = []
    not_harmonisable: list[tuple[str, str, int, str]] = []
    incomplete: list[tuple[str, str, int, str]] = []
    groups: dict[tuple[str, str, int], list[tuple[CountRecord, TargetShare]]] = defaultdict(list)
    for record in records:
        shares = harmoniser.targets(record.region_code, record.year)
        if not shares:
            reason = harmoniser.reason(record.region_code, record.year) or "cannot be harmonised"
            not_harmonisable.append((record.series_key, record.region_code, record.year, reason))
            continue
        if record.value_only and not _passes_as_published(shares):
            not_harmonisable.append(
                (
                    record.series_key,
                    record.region_code,
                    record.year,
                    f"only a published value; the area is {_describe(shares)} and a share or average "
                    "cannot be summed or divided (numerator and denominator are needed)",
                )
            )
            continue
        for share in shares:
            groups[(record.series_key, share.code, record.year)].append((record, share))
    for (series_key, target, year), parts in groups.items():
        out.append(_combine(series_key, target, year, parts, harmoniser, incomplete))
    out.sort(key=lambda r: (r.series_key, r.region_code, r.year))
    not_harmonisable.sort()
    incomplete.sort()
    return HarmonisationResult(records=out, not_harmonisable=not_harmonisable, incomplete=incomplete)


def _passes_as_published(shares: Sequence[TargetShare]) -> bool:
    return len(shares) == 1 and shares[0].weight == 1 and shares[0].harmonisation in _PUBLISHERS_OWN


def _describe(shares: Sequence[TargetShare]) -> str:
    return ", ".join(f"{s.harmonisation.value} into {s.code} (weight {s.weight:.4g})" for s in shares)


def _combine(
    series_key: str,
    target: str,
    year: int,
    parts: list[tuple[CountRecord, TargetShare]],
    harmoniser: Harmoniser,
    incomplete: list[tuple[str, str, int, str]],
) -> CountRecord:
    status = _combined_status([record.status for record, _ in parts])
    harmonisation = Harmonisation.ORIGINAL
    flags: frozenset[Flag] = frozenset()
    for record, share in parts:
        harmonisation = harmonisation.combine(record.harmonisation).combine(share.harmonisation)
        flags |= record.flags
    got = {_canonical(record.region_code) for record, _ in parts}
    absent = sorted(harmoniser.contributors(target, year) - got)
    if absent:
        status = status.combine(Status.MISSING)
        incomplete.append((series_key, target, year, f"no value for {', '.join(absent)}, which also map to {target}"))
    numerator = denominator = value = None
    if status.has_value:
        numerator, numerator_partial = _weighted_sum(parts, "numerator")
        denominator, denominator_partial = _weighted_sum(parts, "denominator")
        if numerator_partial or denominator_partial:
            status, numerator, denominator = Status.MISSING, None, None
            incomplete.append((series_key, target, year, "some predecessors have counts and others do not; not summed"))
        elif len(parts) == 1 and _passes_as_published([parts[0][1]]):
            value = parts[0][0].value
    return CountRecord(
        series_key=series_key,
        region_code=target,
        year=year,
        numerator=numerator,
        denominator=denominator,
        status=status,
        harmonisation=harmonisation,
        flags=flags,
        value=value,
    )


def _combined_status(statuses: Sequence[Status]) -> Status:
    """Status.combine over all parts; a sum of nil and ordinary values is ordinary, of nils only nil."""
    combined = statuses[0]
    for status in statuses[1:]:
        combined = combined.combine(status)
    if combined in (Status.OK, Status.NIL):
        return Status.NIL if all(s is Status.NIL for s in statuses) else Status.OK
    return combined


def _weighted_sum(parts: Sequence[tuple[CountRecord, TargetShare]], name: str) -> tuple[float | None, bool]:
    """The weighted sum of one count over the parts, and whether only some parts had it."""
    values: list[float | None] = []
    for record, share in parts:
        number: float | None = getattr(record, name)
        if number is None and name == "numerator" and record.status is Status.NIL:
            number = 0.0  # nil is a real zero
        values.append(None if number is None else number * share.weight)
    present = [v for v in values if v is not None]
    if not present:
        return None, False
    if len(present) < len(values):
        return None, True
    return sum(present), False


def _check_duplicates(records: Sequence[CountRecord]) -> None:
    seen: set[tuple[str, str, int]] = set()
    duplicates: list[InputProblem] = []
    for record in records:
        key = (record.series_key, _canonical(record.region_code), record.year)
        if key in seen:
            duplicates.append(
                InputProblem(
                    "<records>",
                    f"{record.series_key}: {record.region_code} {record.year} is given more than once",
                    field="region",
                )
            )
        seen.add(key)
    if duplicates:
        raise InputError(duplicates)
