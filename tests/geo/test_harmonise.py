from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from boligmonitor.core.errors import InputError, UnknownCodesError
from boligmonitor.core.flags import Flag, Harmonisation
from boligmonitor.core.status import Status
from boligmonitor.geo import (
    ChangeHistory,
    CountRecord,
    Harmoniser,
    MissingSplitWeightsError,
    SplitWeights,
    TargetShare,
    WeightKind,
    harmonise,
    load_known_correspondences,
)

from .conftest import CSDATA_SOURCE, read_csv

IMDI_FILE = "income_social/imdi_vedvarende_lavinntekt_kommune_innvkat_2012_2014.csv"


def _only(shares: tuple[TargetShare, ...]) -> TargetShare:
    assert len(shares) == 1, shares
    return shares[0]


def _record(
    code: str, year: int, numerator: float | None, denominator: float | None = None, **kw: object
) -> CountRecord:
    status = kw.pop("status", Status.OK)
    assert isinstance(status, Status)
    value = kw.pop("value", None)
    assert value is None or isinstance(value, float)
    return CountRecord("series", code, year, numerator, denominator, status, value=value)


# ------------------------------------------------------------------------------------------------------------
# Concrete facts of the KLASS changes


def test_moss_2019_is_summed_into_3103(harmoniser: Harmoniser) -> None:
    share = _only(harmoniser.targets("0104", 2019))
    assert (share.code, share.weight, share.harmonisation) == ("3103", 1.0, Harmonisation.SUMMED)
    assert share.weight_source == "0104 → 3002 (2020, merge); 3002 → 3103 (2024, renumber)"
    assert harmoniser.contributors("3103", 2019) == {"0104", "0136"}
    # Moss 2020–2023 (3002) was renumbered only.
    assert _only(harmoniser.targets("3002", 2021)).harmonisation is Harmonisation.RECODED


def test_bamble_2023_is_recoded(harmoniser: Harmoniser) -> None:
    share = _only(harmoniser.targets("3813", 2023))
    assert (share.code, share.weight, share.harmonisation) == ("4012", 1.0, Harmonisation.RECODED)
    assert _only(harmoniser.targets("0814", 2019)) == TargetShare(
        "4012", 1.0, Harmonisation.RECODED, "0814 → 3813 (2020, renumber); 3813 → 4012 (2024, renumber)"
    )


def test_oslo_is_original(harmoniser: Harmoniser) -> None:
    assert _only(harmoniser.targets("0301", 2014)) == TargetShare("0301", 1.0, Harmonisation.ORIGINAL, "unchanged code")
    assert _only(harmoniser.targets("K-0301", 2026)).harmonisation is Harmonisation.ORIGINAL


def test_a_kept_code_that_received_a_merge_is_summed(harmoniser: Harmoniser) -> None:
    # Trondheim kept 5001 when Klæbu (5030) joined in 2020: Trondheim 2019 is not today's Trondheim.
    assert _only(harmoniser.targets("5001", 2019)).harmonisation is Harmonisation.SUMMED
    assert _only(harmoniser.targets("5001", 2020)).harmonisation is Harmonisation.ORIGINAL


def test_haram_2015_goes_wholly_to_1580_by_known_correspondence(harmoniser: Harmoniser) -> None:
    share = _only(harmoniser.targets("1534", 2015))
    assert (share.code, share.weight, share.harmonisation) == ("1580", 1.0, Harmonisation.RECODED)
    assert "re-established in 2024 with the borders of the former 1534 Haram" in share.weight_source
    assert harmoniser.contributors("1580", 2015) == {"1534"}
    assert harmoniser.contributors("1508", 2019) == {"1504", "1523", "1529", "1546"}
    old_alesund = _only(harmoniser.targets("1504", 2019))
    assert (old_alesund.code, old_alesund.weight, old_alesund.harmonisation) == (
        "1508",
        1.0,
        Harmonisation.SUMMED,
    )


def test_alesund_2022_is_split_by_population_on_1_january_2024(
    harmoniser: Harmoniser, population: dict[tuple[str, int], float]
) -> None:
    alesund, haram = population[("1508", 2024)], population[("1580", 2024)]
    assert (alesund, haram) == (58_509, 9_357)
    shares = {s.code: s for s in harmoniser.targets("1507", 2022)}
    assert set(shares) == {"1508", "1580"}
    assert shares["1508"].weight == pytest.approx(alesund / (alesund + haram))
    assert shares["1580"].weight == pytest.approx(haram / (alesund + haram))
    assert {s.harmonisation for s in shares.values()} == {Harmonisation.ESTIMATED}
    # Population weights take precedence over csdata's fixed 0.5/0.5 given as explicit rows.
    assert "population share on 1 January 2024" in shares["1580"].weight_source
    assert "1580 Haram 9 357" in shares["1580"].weight_source


def test_snillfjord_without_weights_is_an_error_naming_the_split(
    history: ChangeHistory, current_codes: frozenset[str]
) -> None:
    harmoniser = Harmoniser(history, current_codes, date(2026, 1, 1), SplitWeights.known(history))
    with pytest.raises(MissingSplitWeightsError) as raised:
        harmoniser.targets("5012", 2019)
    assert [s.code for s in raised.value.splits] == ["5012"]
    assert "5012 Snillfjord on 2020-01-01 into 5055, 5056, 5059" in str(raised.value)
    # Renumbered from 1613 in 2018: the same split is reached.
    with pytest.raises(MissingSplitWeightsError, match="5012 Snillfjord"):
        harmoniser.check([("1613", 2014), ("0301", 2014)])


def test_snillfjord_and_tysfjord_with_csdata_fixed_shares(harmoniser: Harmoniser) -> None:
    snillfjord = {s.code: s.weight for s in harmoniser.targets("1613", 2014)}
    assert snillfjord == {"5055": 0.35, "5056": 0.35, "5059": 0.3}
    tysfjord = harmoniser.targets("1850", 2019)
    assert {s.code: s.weight for s in tysfjord} == {"1806": 0.5, "1875": 0.5}
    assert all(s.harmonisation is Harmonisation.ESTIMATED for s in tysfjord)
    assert CSDATA_SOURCE in tysfjord[0].weight_source
    # Narvik 2019 receives all of old Narvik: the share is whole, summed with Ballangen and part of Tysfjord.
    narvik = _only(harmoniser.targets("1805", 2019))
    assert (narvik.code, narvik.weight, narvik.harmonisation) == ("1806", 1.0, Harmonisation.SUMMED)
    assert harmoniser.contributors("1806", 2019) == {"1805", "1850", "1854"}


def test_explicit_rows_may_name_todays_code_for_a_successor(harmoniser: Harmoniser) -> None:
    # csdata gives Stokke (split in 2017 between Tønsberg and Sandefjord) wholly to today's 3907 Sandefjord.
    share = _only(harmoniser.targets("0720", 2014))
    assert (share.code, share.weight, share.harmonisation) == ("3907", 1.0, Harmonisation.ESTIMATED)
    assert "0720" not in harmoniser.contributors("3905", 2014)


def test_target_2020_structure(history: ChangeHistory, split_weights: SplitWeights) -> None:
    targets_2020 = history.codes_valid_on(date(2020, 1, 1))
    harmoniser = Harmoniser(history, targets_2020, date(2020, 1, 1), split_weights)
    assert len(harmoniser.target_codes) == 356
    moss = _only(harmoniser.targets("0104", 2019))
    assert (moss.code, moss.harmonisation) == ("3002", Harmonisation.SUMMED)
    assert _only(harmoniser.targets("1534", 2015)).code == "1507"
    assert _only(harmoniser.targets("1507", 2022)).harmonisation is Harmonisation.ORIGINAL
    assert harmoniser.targets("3103", 2024) == ()
    assert "mapping back" in (harmoniser.reason("3103", 2024) or "")


def test_target_codes_must_fit_the_history(history: ChangeHistory, current_codes: frozenset[str]) -> None:
    with pytest.raises(InputError, match="not among the target codes: 1580"):
        Harmoniser(history, current_codes - {"1580"}, date(2026, 1, 1))
    with pytest.raises(InputError, match="not in use on 2026-01-01 according to the changes: 1507"):
        Harmoniser(history, current_codes | {"1507"}, date(2026, 1, 1))


def test_unknown_code_year_pairs_are_all_listed(harmoniser: Harmoniser) -> None:
    with pytest.raises(UnknownCodesError) as raised:
        harmoniser.check([("0104", 2020), ("9998", 2014), ("3103", 2019), ("0301", 2014), ("30", 2019)])
    assert raised.value.codes == ("0104 (2020)", "30 (2019)", "3103 (2019)", "9998 (2014)")
    with pytest.raises(UnknownCodesError):
        harmoniser.targets("1507", 2024)


def test_country_unspecified_and_kostra_groups_pass_through(harmoniser: Harmoniser) -> None:
    for code in ("0", "9999", "EKG13"):
        assert _only(harmoniser.targets(code, 2015)).harmonisation is Harmonisation.ORIGINAL


def test_counties_pass_only_when_their_area_is_unchanged(harmoniser: Harmoniser) -> None:
    assert _only(harmoniser.targets("03", 2014)).code == "03"
    assert _only(harmoniser.targets("46", 2024)).harmonisation is Harmonisation.ORIGINAL
    # Møre og Romsdal lost Rindal (2019) and Halsa (2020) to Trøndelag.
    assert harmoniser.targets("15", 2018) == ()
    assert "does not cover the same area" in (harmoniser.reason("15", 2018) or "")
    assert harmoniser.targets("15", 2020) != ()
    # Vestfold og Telemark (2020–2023) no longer exists.
    assert harmoniser.targets("38", 2022) == ()
    assert "does not exist on 2026-01-01" in (harmoniser.reason("38", 2022) or "")


def test_districts_pass_when_their_municipality_is_unchanged(harmoniser: Harmoniser) -> None:
    assert _only(harmoniser.targets("030101", 2015)).code == "030101"
    assert harmoniser.targets("500101", 2019) == ()


def test_imdi_2014_codes_map_to_current_codes(harmoniser: Harmoniser, shared_data: Path) -> None:
    codes = {row["kommune_nr"] for row in read_csv(shared_data / IMDI_FILE) if row["aar"] == "2014"}
    assert len(codes) == 428
    # The file publishes Harstad under 1901, which KLASS ended on 2013-01-01 (merged with Bjarkøy into 1903).
    with pytest.raises(UnknownCodesError) as raised:
        harmoniser.check((code, 2014) for code in codes)
    assert raised.value.codes == ("1901 (2014)",)
    valid = codes - {"1901"}
    harmoniser.check((code, 2014) for code in valid)
    reached = {share.code for code in valid for share in harmoniser.targets(code, 2014)}
    assert reached <= harmoniser.target_codes
    assert harmoniser.target_codes - reached == {"5503"}  # today's Harstad, whose 2014 code is 1903


def test_known_correspondences_file_matches_the_changes(history: ChangeHistory) -> None:
    known = load_known_correspondences()
    assert {(k.from_code, k.to_code) for k in known} == {
        ("1534", "1580"),
        ("1504", "1508"),
        ("1523", "1508"),
        ("1529", "1508"),
        ("1546", "1508"),
    }
    allocations = SplitWeights.known(history).allocations()
    assert {a.kind for a in allocations} == {WeightKind.KNOWN_CORRESPONDENCE}
    assert len(allocations) == 5


def test_explicit_weight_rows_are_checked(history: ChangeHistory) -> None:
    def row(old: str, new: str, until: str, weight: str) -> dict[str, str]:
        return {"old_code": old, "new_code": new, "valid_until": until, "weight": weight, "source": "test"}

    rows = [
        row("5012", "5055", "2019", "0.5"),
        row("5012", "5056", "2019", "0.4"),  # sums to 0.9
        row("0301", "0301", "2019", "1"),  # never split
        row("1850", "5055", "2019", "1"),  # not a successor of Tysfjord
        row("0104", "3103", "2018", "1"),  # 0104 was in use until 2019
        row("1507", "1508", "2023", "1.5"),
    ]
    with pytest.raises(InputError) as raised:
        SplitWeights.from_rows(history, rows, file="weights.csv")
    problems = [(p.line, p.field, p.message) for p in raised.value.problems]
    assert [(line, field) for line, field, _ in problems] == [
        (2, "weight"),
        (4, "old_code"),
        (5, "new_code"),
        (6, "old_code"),
        (7, "weight"),
    ]
    messages = [message for _, _, message in problems]
    assert "sum to 0.9" in messages[0]
    assert "0301 did not cease to be used after 2019" in messages[1]
    assert "5055 is not a successor of 1850" in messages[2]
    assert "0104 did not cease to be used after 2018" in messages[3]
    assert "not between 0 and 1" in messages[4]


# ------------------------------------------------------------------------------------------------------------
# Harmonising records


def test_counts_are_summed_and_statuses_combined(harmoniser: Harmoniser) -> None:
    result = harmonise(
        [
            _record("0104", 2019, 10, 100),
            _record("0136", 2019, 5, 50),
            _record("3813", 2023, 7, 70, value=0.1),
            _record("1534", 2015, 3, 30),
        ],
        harmoniser,
    )
    by_code = {(r.region_code, r.year): r for r in result.records}
    moss = by_code[("3103", 2019)]
    assert (moss.numerator, moss.denominator, moss.status, moss.harmonisation) == (
        15,
        150,
        Status.OK,
        Harmonisation.SUMMED,
    )
    assert moss.value is None
    bamble = by_code[("4012", 2023)]
    assert (bamble.numerator, bamble.value, bamble.harmonisation) == (7, 0.1, Harmonisation.RECODED)
    assert by_code[("1580", 2015)].harmonisation is Harmonisation.RECODED
    assert result.not_harmonisable == []
    assert result.incomplete == []


def test_a_confidential_cell_makes_its_merged_target_confidential(harmoniser: Harmoniser) -> None:
    result = harmonise(
        [_record("0104", 2019, 10, 100), _record("0136", 2019, None, None, status=Status.CONFIDENTIAL)],
        harmoniser,
    )
    (moss,) = result.records
    assert (moss.region_code, moss.status, moss.numerator, moss.denominator) == (
        "3103",
        Status.CONFIDENTIAL,
        None,
        None,
    )
    # A confidential cell with a number attached is still never summed.
    result = harmonise(
        [_record("0104", 2019, 10), _record("0136", 2019, 4, status=Status.MISSING)],
        harmoniser,
    )
    assert (result.records[0].status, result.records[0].numerator) == (Status.MISSING, None)


def test_missing_predecessor_marks_the_target_missing(harmoniser: Harmoniser) -> None:
    result = harmonise([_record("0104", 2019, 10, 100), _record("0301", 2019, 1, 2)], harmoniser)
    moss = next(r for r in result.records if r.region_code == "3103")
    assert (moss.status, moss.numerator, moss.denominator) == (Status.MISSING, None, None)
    assert result.incomplete == [("series", "3103", 2019, "no value for 0136, which also map to 3103")]


def test_share_only_records_pass_only_when_one_to_one(harmoniser: Harmoniser) -> None:
    result = harmonise(
        [
            _record("0104", 2019, None, value=12.5),
            _record("0136", 2019, None, value=10.0),
            _record("3813", 2023, None, value=9.0),
            _record("1507", 2022, None, value=11.0),
        ],
        harmoniser,
    )
    assert [(code, year) for _, code, year, _ in result.not_harmonisable] == [
        ("0104", 2019),
        ("0136", 2019),
        ("1507", 2022),
    ]
    assert "cannot be summed or divided" in result.not_harmonisable[0][3]
    (bamble,) = result.records
    assert (bamble.region_code, bamble.value, bamble.harmonisation) == ("4012", 9.0, Harmonisation.RECODED)


def test_split_counts_are_weighted_and_estimated(harmoniser: Harmoniser) -> None:
    result = harmonise([_record("1507", 2022, 1000, 2000)], harmoniser)
    by_code = {r.region_code: r for r in result.records}
    assert by_code["1508"].numerator == pytest.approx(1000 * 58_509 / 67_866)
    assert by_code["1580"].denominator == pytest.approx(2000 * 9_357 / 67_866)
    assert {r.harmonisation for r in result.records} == {Harmonisation.ESTIMATED}


def test_nil_and_flags(harmoniser: Harmoniser) -> None:
    records = [
        CountRecord("s", "0104", 2019, 0, None, Status.NIL, flags=frozenset({Flag.PRELIMINARY})),
        CountRecord("s", "0136", 2019, 4, None, Status.OK, flags=frozenset({Flag.SERIES_BREAK})),
        CountRecord("s", "1504", 2019, None, None, Status.NIL),
        CountRecord("s", "1523", 2019, 0, None, Status.NIL),
        CountRecord("s", "1529", 2019, 0, None, Status.NIL),
        CountRecord("s", "1546", 2019, 0, None, Status.NIL),
    ]
    by_code = {r.region_code: r for r in harmonise(records, harmoniser).records}
    assert (by_code["3103"].status, by_code["3103"].numerator) == (Status.OK, 4)
    assert by_code["3103"].flags == {Flag.PRELIMINARY, Flag.SERIES_BREAK}
    assert (by_code["1508"].status, by_code["1508"].numerator) == (Status.NIL, 0)


def test_county_records_that_changed_are_not_harmonisable(harmoniser: Harmoniser) -> None:
    result = harmonise([_record("15", 2018, 10), _record("03", 2018, 5)], harmoniser)
    assert [r.region_code for r in result.records] == ["03"]
    assert [(code, year) for _, code, year, _ in result.not_harmonisable] == [("15", 2018)]


def test_duplicates_and_unknown_codes_are_rejected(harmoniser: Harmoniser) -> None:
    with pytest.raises(InputError, match="0301 2019 is given more than once"):
        harmonise([_record("0301", 2019, 1), _record("0301", 2019, 2)], harmoniser)
    with pytest.raises(UnknownCodesError, match="0104 \\(2021\\)"):
        harmonise([_record("0104", 2021, 1)], harmoniser)


@pytest.fixture(scope="module")
def codes_2014(harmoniser: Harmoniser) -> list[str]:
    return sorted(harmoniser.valid_codes(2014))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_mass_is_conserved(harmoniser: Harmoniser, codes_2014: list[str], data: st.DataObject) -> None:
    counts = data.draw(
        st.lists(st.integers(min_value=0, max_value=1_000_000), min_size=len(codes_2014), max_size=len(codes_2014))
    )
    records = [
        _record(code, 2014, float(count), float(count) * 3) for code, count in zip(codes_2014, counts, strict=True)
    ]
    result = harmonise(records, harmoniser)
    assert len(codes_2014) == 428
    assert {r.region_code for r in result.records} == harmoniser.target_codes
    assert result.not_harmonisable == []
    assert result.incomplete == []
    assert sum(r.numerator or 0 for r in result.records) == pytest.approx(sum(counts), rel=1e-12, abs=1e-6)
    assert sum(r.denominator or 0 for r in result.records) == pytest.approx(3 * sum(counts), rel=1e-12, abs=1e-6)
