from __future__ import annotations

from collections import Counter
from datetime import date

import pytest

from boligmonitor.core.errors import InputError
from boligmonitor.geo import ChangeHistory, ChangeKind, CodeChange

Y2017, Y2018, Y2020, Y2024 = date(2017, 1, 1), date(2018, 1, 1), date(2020, 1, 1), date(2024, 1, 1)


def _change(history: ChangeHistory, old: str, new: str, on: date) -> CodeChange:
    (found,) = [c for c in history.changes_on(on) if c.old_code == old and c.new_code == new]
    return found


def test_the_klass_change_list_has_516_rows_by_wave(history: ChangeHistory) -> None:
    by_year = Counter(change.changed_on.year for change in history.changes)
    assert len(history.changes) == 516
    assert (by_year[2018], by_year[2020], by_year[2024]) == (58, 317, 118)


def test_kinds_follow_the_pattern_of_rows_on_one_date(history: ChangeHistory) -> None:
    assert history.kind_of(_change(history, "1507", "1580", Y2024)) is ChangeKind.SPLIT
    assert history.kind_of(_change(history, "3002", "3103", Y2024)) is ChangeKind.RENUMBER
    assert history.kind_of(_change(history, "0104", "3002", Y2020)) is ChangeKind.MERGE
    assert history.kind_of(_change(history, "0136", "3002", Y2020)) is ChangeKind.MERGE
    assert history.kind_of(_change(history, "1736", "1736", date(2011, 1, 1))) is ChangeKind.RENAME
    # Snillfjord was divided between three municipalities that each also received other municipalities.
    assert history.kind_of(_change(history, "5012", "5055", Y2020)) is ChangeKind.SPLIT_MERGE
    # Tønsberg keeps its code while receiving part of Stokke: not a rename.
    assert history.kind_of(_change(history, "0704", "0704", Y2017)) is ChangeKind.SPLIT_MERGE


def test_2024_wave_is_renumberings_one_split_and_renames(history: ChangeHistory) -> None:
    kinds = Counter(change.kind for change in history.changes_on(Y2024))
    assert kinds == {ChangeKind.RENUMBER: 113, ChangeKind.SPLIT: 2, ChangeKind.RENAME: 3}


def test_predecessors_and_successors_are_dated(history: ChangeHistory) -> None:
    assert history.predecessors("1507", Y2020) == ["1504", "1523", "1529", "1534", "1546"]
    assert history.successors("1507", Y2024) == ["1508", "1580"]
    assert history.successors("0104", Y2020) == ["3002"]
    assert history.predecessors("3103", Y2024) == ["3002"]
    assert history.successors("1507", Y2020) == []


def test_splits_in_the_change_list(history: ChangeHistory) -> None:
    assert [(s.code, s.changed_on.year, s.successors) for s in history.splits()] == [
        ("0720", 2017, ("0704", "0710")),
        ("1850", 2020, ("1806", "1875")),
        ("5012", 2020, ("5055", "5056", "5059")),
        ("1507", 2024, ("1508", "1580")),
    ]


def test_validity_intervals(history: ChangeHistory) -> None:
    assert history.validity("0104") == [(None, Y2020)]
    assert history.validity("3002") == [(Y2020, Y2024)]
    assert history.validity("3103") == [(Y2024, None)]
    assert history.validity("1507") == [(Y2020, Y2024)]
    assert history.validity("1534") == [(None, Y2020)]
    assert history.validity("1580") == [(Y2024, None)]
    # Renamed in 2011 and renumbered in 2018 (Trøndelag): the rename does not end its use.
    assert history.validity("1736") == [(None, Y2018)]
    # Kept its code while receiving Klæbu in 2020.
    assert history.validity("5001") == [(Y2018, None)]
    # Never changed: valid throughout because it is a current code.
    assert history.validity("0301") == [(None, None)]
    assert history.validity("9998") == []


def test_codes_valid_on_a_date_match_the_known_structures(
    history: ChangeHistory, current_codes: frozenset[str]
) -> None:
    assert len(history.codes_valid_on(date(2014, 1, 1))) == 428
    assert len(history.codes_valid_on(Y2020)) == 356
    assert len(history.codes_valid_on(date(2023, 6, 1))) == 356
    assert history.codes_valid_on(Y2024) == current_codes
    assert history.is_valid("1507", date(2022, 1, 1))
    assert not history.is_valid("1507", Y2024)


def test_a_reused_code_has_two_intervals() -> None:
    # Synthetic: 9001 is merged away in 2015 and the code is given to another area in 2020.
    rows = [
        {
            "oldCode": "9001",
            "oldName": "A",
            "newCode": "9002",
            "newName": "B",
            "changeOccurred": "2015-01-01",
        },
        {
            "oldCode": "9003",
            "oldName": "C",
            "newCode": "9001",
            "newName": "A2",
            "changeOccurred": "2020-01-01",
        },
    ]
    history = ChangeHistory.from_rows(rows)
    assert history.validity("9001") == [(None, date(2015, 1, 1)), (date(2020, 1, 1), None)]
    assert history.is_valid("9001", date(2014, 1, 1))
    assert not history.is_valid("9001", date(2017, 1, 1))
    assert history.is_valid("9001", date(2021, 1, 1))


def test_bad_rows_are_all_reported_with_their_lines() -> None:
    rows = [
        {
            "oldCode": "0104",
            "oldName": "Moss",
            "newCode": "3002",
            "newName": "Moss",
            "changeOccurred": "2020-01-01",
        },
        {"oldCode": "104", "oldName": "x", "newCode": "3002", "newName": "x", "changeOccurred": "2020-01-01"},
        {
            "oldCode": "0136",
            "oldName": "Rygge",
            "newCode": "3002",
            "newName": "Moss",
            "changeOccurred": "1.1.2020",
        },
        {"oldCode": "", "oldName": "", "newCode": "3002", "newName": "", "changeOccurred": "2020-01-01"},
    ]
    with pytest.raises(InputError) as raised:
        ChangeHistory.from_rows(rows, file="changes.csv")
    assert [(p.line, p.field) for p in raised.value.problems] == [
        (3, "oldCode"),
        (4, "changeOccurred"),
        (5, "oldCode"),
    ]
