"""Municipality code changes (KLASS 131 ``changes``) as a dated, directed graph old code → new code.

Every row of the KLASS list is one edge ``oldCode → newCode`` on ``changeOccurred``. The pattern of rows on
one date tells what happened (ssb-api.md §6.3): several rows into one new code are a merge, one old code
into several new codes a split, a single row with a new code a renumbering and a single row with the same
code a rename. Rows that touch each other (share a code on that date) form one event, and the kind of every
row is the kind of its event, so the continuing row ``0704 → 0704`` of the 2017 Tønsberg/Stokke change is
part of a ``split_merge`` event, not a rename.

Codes are re-used over time, so a code's validity is a list of intervals and every lookup is by code and
date (or year).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from boligmonitor.core.errors import InputError, InputProblem
from boligmonitor.core.regions import RegionLevel, normalise_region_code, region_level

# Start (inclusive) and end (exclusive) of a period in which a code was in use; None is open-ended:
# in use since before the change list begins, or still in use.
Interval = tuple[date | None, date | None]

_REQUIRED_KEYS = ("oldCode", "newCode", "changeOccurred")


class ChangeKind(StrEnum):
    RENAME = "rename"  # same code, new name
    RENUMBER = "renumber"  # one code replaced by another for the same area
    MERGE = "merge"  # several codes into one
    SPLIT = "split"  # one code into several, none of which receives anything else
    SPLIT_MERGE = "split_merge"  # a code split between several new codes that also receive other codes


@dataclass(frozen=True, slots=True)
class CodeChange:
    """One row of the KLASS 131 change list."""

    old_code: str
    old_name: str
    new_code: str
    new_name: str
    changed_on: date
    kind: ChangeKind

    @property
    def continues_code(self) -> bool:
        """The code stays in use across this change (a rename, or the code a merge keeps)."""
        return self.old_code == self.new_code


@dataclass(frozen=True, slots=True)
class Split:
    """A code divided between several successors on one date."""

    code: str
    name: str
    changed_on: date
    successors: tuple[str, ...]

    def describe(self) -> str:
        into = ", ".join(self.successors)
        return f"{self.code} {self.name} on {self.changed_on.isoformat()} into {into}"


class ChangeHistory:
    """All code changes of a classification, queryable by code and date.

    ``current_codes`` (optional) are the codes valid today; codes in that list that never appear in a change
    are valid over the whole period, which the change list alone cannot tell.
    """

    def __init__(self, changes: Iterable[CodeChange], current_codes: Iterable[str] = ()) -> None:
        self._changes: tuple[CodeChange, ...] = tuple(
            sorted(set(changes), key=lambda c: (c.changed_on, c.old_code, c.new_code))
        )
        self._current_codes = frozenset(current_codes)
        self._by_date: dict[date, list[CodeChange]] = defaultdict(list)
        self._outgoing: dict[tuple[str, date], list[CodeChange]] = defaultdict(list)
        self._incoming: dict[tuple[str, date], list[CodeChange]] = defaultdict(list)
        self._departures: dict[str, list[date]] = defaultdict(list)
        for change in self._changes:
            self._by_date[change.changed_on].append(change)
            self._outgoing[(change.old_code, change.changed_on)].append(change)
            self._incoming[(change.new_code, change.changed_on)].append(change)
        for (code, on), rows in self._outgoing.items():
            if any(not row.continues_code for row in rows):
                self._departures[code].append(on)
        for dates in self._departures.values():
            dates.sort()
        self._involved = frozenset(c.old_code for c in self._changes) | {c.new_code for c in self._changes}
        self._validity = {code: self._derive_validity(code) for code in self._involved}

    @classmethod
    def from_rows(
        cls,
        rows: Iterable[Mapping[str, str | None]],
        current_codes: Iterable[str] = (),
        file: str = "<KLASS changes>",
    ) -> ChangeHistory:
        """Read KLASS ``changes`` items (keys oldCode, oldName, newCode, newName, changeOccurred).

        Raises InputError naming every bad row (line numbers count a CSV header as line 1).
        """
        problems: list[InputProblem] = []
        parsed: list[tuple[str, str, str, str, date]] = []
        for index, row in enumerate(rows):
            line = index + 2
            cells = {key: (value or "").strip() for key, value in row.items()}
            missing = [key for key in _REQUIRED_KEYS if not cells.get(key)]
            if missing:
                problems.extend(
                    InputProblem(file=file, line=line, field=key, message="value is missing") for key in missing
                )
                continue
            old_code = normalise_region_code(cells["oldCode"])
            new_code = normalise_region_code(cells["newCode"])
            bad_code = False
            for key, code in (("oldCode", old_code), ("newCode", new_code)):
                if region_level(code) is not RegionLevel.MUNICIPALITY:
                    problems.append(
                        InputProblem(
                            file=file,
                            line=line,
                            field=key,
                            message=f"{cells[key]!r} is not a four-digit municipality code",
                        )
                    )
                    bad_code = True
            try:
                changed_on = date.fromisoformat(cells["changeOccurred"])
            except ValueError:
                problems.append(
                    InputProblem(
                        file=file,
                        line=line,
                        field="changeOccurred",
                        message=f"{cells['changeOccurred']!r} is not a date (YYYY-MM-DD)",
                    )
                )
                continue
            if not bad_code:
                parsed.append(
                    (
                        old_code,
                        cells.get("oldName", ""),
                        new_code,
                        cells.get("newName", ""),
                        changed_on,
                    )
                )
        if problems:
            raise InputError(problems)
        return cls(_classify(parsed), current_codes)

    # ----------------------------------------------------------------------------------------------------
    # The graph

    @property
    def changes(self) -> tuple[CodeChange, ...]:
        return self._changes

    @property
    def current_codes(self) -> frozenset[str]:
        return self._current_codes

    def dates(self) -> list[date]:
        """The dates on which anything changed, in order."""
        return sorted(self._by_date)

    def changes_on(self, on: date) -> list[CodeChange]:
        return list(self._by_date.get(on, ()))

    def kind_of(self, change: CodeChange) -> ChangeKind:
        return change.kind

    def outgoing(self, code: str, on: date) -> list[CodeChange]:
        """Rows on ``on`` whose old code is ``code``."""
        return list(self._outgoing.get((code, on), ()))

    def incoming(self, code: str, on: date) -> list[CodeChange]:
        """Rows on ``on`` whose new code is ``code``."""
        return list(self._incoming.get((code, on), ()))

    def predecessors(self, code: str, on: date) -> list[str]:
        """The codes that became (part of) ``code`` on ``on``, including ``code`` itself if it continued."""
        return sorted({row.old_code for row in self._incoming.get((code, on), ())})

    def successors(self, code: str, on: date) -> list[str]:
        """The codes ``code`` became (part of) on ``on``, including ``code`` itself if it continued."""
        return sorted({row.new_code for row in self._outgoing.get((code, on), ())})

    def next_departure(self, code: str, after: date, until: date | None = None) -> date | None:
        """The first date in ``(after, until]`` on which ``code`` passed (some of) its area to other codes."""
        for on in self._departures.get(code, ()):
            if on > after and (until is None or on <= until):
                return on
        return None

    def splits(self) -> list[Split]:
        """Every code divided between several successors, in date order."""
        found: list[Split] = []
        for (code, on), rows in sorted(self._outgoing.items(), key=lambda item: (item[0][1], item[0][0])):
            if len({row.new_code for row in rows}) > 1:
                found.append(Split(code, rows[0].old_name, on, tuple(sorted({row.new_code for row in rows}))))
        return found

    def split_of(self, code: str, on: date) -> Split | None:
        rows = self._outgoing.get((code, on), [])
        successors = tuple(sorted({row.new_code for row in rows}))
        return Split(code, rows[0].old_name, on, successors) if len(successors) > 1 else None

    def name_of(self, code: str, on: date) -> str | None:
        """The name KLASS gives ``code`` as a new code on ``on`` (or as an old code just before)."""
        for row in self._incoming.get((code, on), ()):
            return row.new_name
        for row in self._outgoing.get((code, on), ()):
            return row.old_name
        return None

    # ----------------------------------------------------------------------------------------------------
    # Validity

    def involves(self, code: str) -> bool:
        """Whether ``code`` appears in any change."""
        return code in self._involved

    def validity(self, code: str) -> list[Interval]:
        """The periods in which ``code`` was in use, derived from the changes.

        A code used as an old code is valid until that change; a code appearing as a new code is valid from
        its change; a code in ``current_codes`` that never changed is valid throughout.
        """
        if code in self._validity:
            return list(self._validity[code])
        return [(None, None)] if code in self._current_codes else []

    def is_valid(self, code: str, on: date) -> bool:
        return any((start is None or start <= on) and (end is None or on < end) for start, end in self.validity(code))

    def codes_valid_on(self, on: date) -> frozenset[str]:
        """Every code in use on ``on`` (untouched codes are known only through ``current_codes``)."""
        candidates = self._involved | self._current_codes
        return frozenset(code for code in candidates if self.is_valid(code, on))

    def _derive_validity(self, code: str) -> list[Interval]:
        boundaries: list[tuple[date, bool, bool]] = []  # (date, ends here, starts here)
        dates = {on for (c, on) in self._outgoing if c == code} | {on for (c, on) in self._incoming if c == code}
        for on in sorted(dates):
            outgoing = self._outgoing.get((code, on), [])
            incoming = self._incoming.get((code, on), [])
            if any(row.continues_code for row in outgoing):
                continue  # the code stays in use (rename, or the code kept by a merge or split)
            boundaries.append((on, bool(outgoing), bool(incoming)))
        intervals: list[Interval] = []
        in_use = not boundaries or not boundaries[0][2] or boundaries[0][1]
        start: date | None = None
        for on, ends, starts in boundaries:
            if ends and in_use:
                intervals.append((start, on))
                in_use = False
            if starts and not in_use:
                start, in_use = on, True
        if in_use:
            intervals.append((start, None))
        return intervals


def _classify(rows: Iterable[tuple[str, str, str, str, date]]) -> list[CodeChange]:
    """Give every row the kind of the event it belongs to (rows on one date linked through shared codes)."""
    by_date: dict[date, list[tuple[str, str, str, str, date]]] = defaultdict(list)
    for row in set(rows):
        by_date[row[4]].append(row)
    changes: list[CodeChange] = []
    for on_date_rows in by_date.values():
        parent: dict[str, str] = {}

        def find(code: str, parent: dict[str, str] = parent) -> str:
            while parent.setdefault(code, code) != code:
                parent[code] = parent[parent[code]]
                code = parent[code]
            return code

        for old_code, _, new_code, _, _ in on_date_rows:
            parent[find(old_code)] = find(new_code)
        events: dict[str, list[tuple[str, str, str, str, date]]] = defaultdict(list)
        for row in on_date_rows:
            events[find(row[0])].append(row)
        for event in events.values():
            kind = _kind_of_event(event)
            changes.extend(CodeChange(o, on_, n, nn, d, kind) for o, on_, n, nn, d in event)
    return changes


def _kind_of_event(rows: list[tuple[str, str, str, str, date]]) -> ChangeKind:
    old_codes = {row[0] for row in rows}
    new_codes = {row[2] for row in rows}
    if len(rows) == 1:
        return ChangeKind.RENAME if rows[0][0] == rows[0][2] else ChangeKind.RENUMBER
    if len(new_codes) == 1:
        return ChangeKind.MERGE
    if len(old_codes) == 1:
        return ChangeKind.SPLIT
    return ChangeKind.SPLIT_MERGE
