"""Status symbols and flags: parsing, combination rules and the canonical text form."""

import pytest

from boligmonitor.core.flags import Flag, Harmonisation, format_flags, parse_flags
from boligmonitor.core.status import Status


def test_combine_keeps_the_most_restrictive_status_in_either_order() -> None:
    for a in Status:
        for b in Status:
            assert a.combine(b) == b.combine(a)
    assert Status.OK.combine(Status.CONFIDENTIAL) is Status.CONFIDENTIAL
    assert Status.MISSING.combine(Status.CONFIDENTIAL) is Status.CONFIDENTIAL
    assert Status.PRELIMINARY.combine(Status.OK) is Status.PRELIMINARY


def test_nil_plus_ordinary_is_ordinary() -> None:
    assert Status.NIL.combine(Status.OK) is Status.OK
    assert Status.NIL.combine(Status.NIL) is Status.NIL


def test_only_ordinary_nil_and_preliminary_carry_numbers() -> None:
    assert {s for s in Status if s.has_value} == {Status.OK, Status.NIL, Status.PRELIMINARY}


def test_parse_rejects_symbols_ssb_does_not_use() -> None:
    assert Status.parse(" .. ") is Status.MISSING
    assert Status.parse(None) is Status.OK
    with pytest.raises(ValueError, match="'x'"):
        Status.parse("x")


def test_harmonisation_combines_towards_the_least_exact() -> None:
    assert Harmonisation.ORIGINAL.combine(Harmonisation.SUMMED) is Harmonisation.SUMMED
    assert Harmonisation.ESTIMATED.combine(Harmonisation.RECODED) is Harmonisation.ESTIMATED


def test_flags_round_trip_through_their_text_form() -> None:
    flags = frozenset({Flag.SERIES_BREAK, Flag.ESTIMATED})
    assert format_flags(flags) == "estimated,series_break"
    assert parse_flags(format_flags(flags)) == flags
    assert parse_flags("") == frozenset()
    with pytest.raises(ValueError, match="bogus"):
        parse_flags("bogus")
