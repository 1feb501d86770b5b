"""Benchmark members, pooled benchmarks and similar municipalities (methods.md §4.1, §9).

Municipality codes are real; every value below is synthetic unless it is read from shared data.
"""

from __future__ import annotations

import csv
import itertools
import math
from pathlib import Path

import pytest

from boligmonitor.analysis.peers import (
    MAX_MISSING_SHARE,
    BenchmarkKind,
    Characteristic,
    benchmark_members,
    pooled_total,
    pooled_value,
    similar_municipalities,
    similarity,
)
from boligmonitor.core.errors import UnknownCodesError
from boligmonitor.core.flags import Flag, Harmonisation
from boligmonitor.core.observation import Observation
from boligmonitor.core.status import Status
from boligmonitor.geo.groups import RegionAttributes

# Oslo, Bergen, Stavanger, Eigersund, Sokndal, Utsira (Rogaland 11xx), Trondheim.
MUNICIPALITIES = ("0301", "4601", "1103", "1101", "1111", "1151", "5001")

SYNTHETIC_ATTRIBUTES = RegionAttributes.from_rows(
    [
        {"region": "0301", "attribute": "kostra_group", "year": "2020", "value": "EKG13", "source": "synthetic"},
        {"region": "4601", "attribute": "kostra_group", "year": "2020", "value": "EKG13", "source": "synthetic"},
        {"region": "1103", "attribute": "kostra_group", "year": "2020", "value": "EKG13", "source": "synthetic"},
        {"region": "5001", "attribute": "kostra_group", "year": "2020", "value": "EKG12", "source": "synthetic"},
        # Trondheim moves into Oslo's group from 2023: a later assignment applies from its year on.
        {"region": "5001", "attribute": "kostra_group", "year": "2023", "value": "EKG13", "source": "synthetic"},
        {"region": "1101", "attribute": "kostra_group", "year": "2020", "value": "EKG07", "source": "synthetic"},
        {"region": "1111", "attribute": "kostra_group", "year": "2020", "value": "EKG02", "source": "synthetic"},
    ]
)

# Synthetic populations chosen to sit on the size-group boundaries (5 000 and 20 000).
SYNTHETIC_POPULATION = {
    ("0301", 2024): 700_000.0,
    ("4601", 2024): 290_000.0,
    ("1103", 2024): 20_000.0,  # exactly 20 000: large
    ("1101", 2024): 19_999.0,  # medium
    ("1111", 2024): 5_000.0,  # exactly 5 000: medium
    ("1151", 2024): 4_999.0,  # small
    ("5001", 2024): 215_000.0,
}


def members(kind: BenchmarkKind | str, region: str, year: int = 2024, **kwargs: list[str]) -> tuple[str, ...]:
    return benchmark_members(kind, region, year, MUNICIPALITIES, SYNTHETIC_ATTRIBUTES, SYNTHETIC_POPULATION, **kwargs)


def test_norway_and_county_include_the_municipality_itself() -> None:
    assert members(BenchmarkKind.NORWAY, "0301") == tuple(sorted(MUNICIPALITIES))
    assert members("county", "1103") == ("1101", "1103", "1111", "1151")


def test_group_benchmarks_exclude_the_municipality_itself() -> None:
    assert members(BenchmarkKind.KOSTRA_GROUP, "0301", 2022) == ("1103", "4601")
    assert members(BenchmarkKind.SIZE_GROUP, "0301") == ("1103", "4601", "5001")
    assert members(BenchmarkKind.CUSTOM, "0301", custom=["0301", "4601", "5001"]) == ("4601", "5001")
    assert members(BenchmarkKind.PEERS, "0301", peers=["4601", "0301"]) == ("4601",)


def test_kostra_group_uses_the_latest_assignment_up_to_the_year() -> None:
    assert "5001" not in members(BenchmarkKind.KOSTRA_GROUP, "0301", 2022)
    assert "5001" in members(BenchmarkKind.KOSTRA_GROUP, "0301", 2023)
    assert members(BenchmarkKind.KOSTRA_GROUP, "5001", 2022) == ()  # alone in EKG12 that year


def test_size_group_boundaries() -> None:
    assert members(BenchmarkKind.SIZE_GROUP, "1101") == ("1111",)  # 19 999 and 5 000 are both medium
    assert "1103" in members(BenchmarkKind.SIZE_GROUP, "4601")  # 20 000 is large
    assert members(BenchmarkKind.SIZE_GROUP, "1151") == ()  # 4 999 is small, and alone


def test_no_benchmark_without_group_or_population() -> None:
    assert members(BenchmarkKind.KOSTRA_GROUP, "1151") == ()  # no KOSTRA group assigned
    assert members(BenchmarkKind.SIZE_GROUP, "0301", 2019) == ()  # no population that year


def test_unknown_codes_are_rejected_with_every_code_named() -> None:
    with pytest.raises(UnknownCodesError) as caught:
        members(BenchmarkKind.CUSTOM, "0301", custom=["4601", "9999", "1234"])
    assert caught.value.codes == ("1234", "9999")
    with pytest.raises(UnknownCodesError):
        members(BenchmarkKind.NORWAY, "0999")


def test_kostra_members_from_the_shared_attribute_file(shared_data: Path) -> None:
    """Real KOSTRA groups 2024: every member shares the group, and the group minus itself is complete."""
    with (shared_data / "registry" / "samarbeidsdesken_kommune_attributes_2022_2024.csv").open(encoding="utf-8") as f:
        rows = [row for row in csv.DictReader(f) if row["year"] == "2024"]
    groups = {row["kommunenummer"]: row["kostranr"] for row in rows}
    population = {(row["kommunenummer"], 2024): float(row["pop_source_unspecified"]) for row in rows}
    attributes = RegionAttributes.from_rows(
        {"region": code, "attribute": "kostra_group", "year": "2024", "value": group, "source": "samarbeidsdesken"}
        for code, group in groups.items()
    )
    codes = sorted(groups)
    assert len(codes) == 357
    for region in ("0301", "4601", "1151", "5001"):
        found = benchmark_members(BenchmarkKind.KOSTRA_GROUP, region, 2024, codes, attributes, population)
        expected = tuple(sorted(c for c, g in groups.items() if g == groups[region] and c != region))
        assert found == expected
    small = benchmark_members(BenchmarkKind.SIZE_GROUP, "1151", 2024, codes, attributes, population)
    assert "1151" not in small
    assert all(population[(code, 2024)] < 5_000 for code in small)
    assert len(small) > 100  # Norway has well over a hundred municipalities under 5 000


# --------------------------------------------------------------------------------------------------------
# Pooled values


def observation(
    region: str,
    numerator: float | None,
    denominator: float | None,
    status: Status = Status.OK,
    flags: frozenset[Flag] = frozenset(),
    harmonisation: Harmonisation = Harmonisation.ORIGINAL,
) -> Observation:
    value = None if numerator is None or denominator is None or denominator == 0 else numerator / denominator * 100
    return Observation(
        "synthetic_share",
        region,
        2024,
        value,
        numerator,
        denominator,
        "percent",
        status,
        "synthetic",
        flags=flags,
        harmonisation=harmonisation,
    )


def test_pooled_value_is_not_the_average_of_shares() -> None:
    # Synthetic: a large municipality at 10 % and a small one at 50 %.
    observations = [observation("0301", 100, 1000), observation("1151", 5, 10)]
    pooled = pooled_value(observations, ["0301", "1151"], 100.0)
    assert pooled.value == pytest.approx(105 / 1010 * 100)  # 10.4 %
    average = (10.0 + 50.0) / 2
    assert pooled.value != pytest.approx(average)
    assert (pooled.numerator, pooled.denominator, pooled.n_members, pooled.n_missing) == (105, 1010, 2, 0)
    assert pooled.status is Status.OK
    assert not pooled.partial


def test_observations_outside_the_members_are_ignored() -> None:
    observations = [observation("0301", 100, 1000), observation("4601", 1, 2), observation("1151", 5, 10)]
    pooled = pooled_value(observations, ["4601", "1151"], 100.0)
    assert pooled.numerator == 6
    assert pooled.denominator == 12


def test_a_missing_member_makes_the_pooled_value_missing() -> None:
    observations = [observation("0301", 100, 1000), observation("1151", None, None, Status.CONFIDENTIAL)]
    pooled = pooled_value(observations, ["0301", "1151", "4601"], 100.0)
    assert pooled.value is None
    assert pooled.status is Status.CONFIDENTIAL  # a confidential member is never counted as 0
    assert pooled.n_missing == 2
    assert pooled.missing_members == ("1151", "4601")


def test_allow_partial_pools_complete_members_and_says_so() -> None:
    observations = [
        observation("0301", 100, 1000, flags=frozenset({Flag.PRELIMINARY})),
        observation("4601", 30, 100, harmonisation=Harmonisation.SUMMED),
        observation("1151", None, 10, Status.MISSING),
    ]
    pooled = pooled_value(observations, ["0301", "1151", "4601"], 100.0, allow_partial=True)
    assert pooled.value == pytest.approx(130 / 1100 * 100)
    assert pooled.partial
    assert pooled.n_missing == 1
    assert pooled.missing_members == ("1151",)
    assert pooled.flags == frozenset({Flag.PRELIMINARY})
    assert pooled.harmonisation is Harmonisation.SUMMED
    assert pooled.note is not None
    assert "2 of 3" in pooled.note


def test_pooled_status_and_zero_denominator() -> None:
    preliminary = pooled_value([observation("0301", 1, 10, Status.PRELIMINARY)], ["0301"], 100.0)
    assert preliminary.status is Status.PRELIMINARY
    zero = pooled_value([observation("0301", 0, 0)], ["0301"], 100.0)
    assert zero.value is None
    assert zero.status is Status.NOT_APPLICABLE
    empty = pooled_value([observation("0301", 1, 10)], [], 100.0)
    assert empty.value is None
    assert empty.n_members == 0


# An area's total (Norway, a county) pooled from its municipalities: the 5 % rule (synthetic counts).
AREA = ("0301", "4601", "1151")
NO_POPULATION: dict[str, float | None] = {}


def test_a_complete_area_is_pooled_as_before() -> None:
    observations = [observation("0301", 100, 1000), observation("4601", 30, 100), observation("1151", 1, 10)]
    total = pooled_total(observations, AREA, 100.0, NO_POPULATION)
    assert total.value == pooled_value(observations, AREA, 100.0).value == pytest.approx(131 / 1110 * 100)
    assert total.coverage is not None
    assert (total.coverage.members, total.coverage.with_values, total.coverage.complete) == (3, 3, True)
    assert not total.partial
    assert total.note is None


def test_members_without_figures_under_5_percent_leave_a_partial_value_that_says_so() -> None:
    # 1151 has its denominator (20 of 1 120 = 1.8 %) but no numerator (suppressed): pooled over the other two.
    observations = [
        observation("0301", 100, 1000),
        observation("4601", 30, 100),
        observation("1151", None, 20, Status.CONFIDENTIAL),
    ]
    total = pooled_total(observations, AREA, 100.0, NO_POPULATION)
    assert total.value == pytest.approx(130 / 1100 * 100)  # the members with figures, never the missing one as 0
    assert total.partial
    assert total.missing_members == ("1151",)
    assert total.coverage is not None
    assert (total.coverage.with_values, total.coverage.without_values, total.coverage.basis) == (2, 1, "denominator")
    assert total.coverage.missing_share == pytest.approx(20 / 1120)
    assert total.note == "pooled from 2 of 3 municipalities; 1 without figures, holding 1.8% of the denominator"


def test_members_without_figures_holding_5_percent_or_more_leave_no_value_and_the_reason() -> None:
    # 1151's denominator is exactly 5 % of the total: at the limit there is no value (under 5 % is required).
    observations = [observation("0301", 90, 900), observation("4601", 5, 50), observation("1151", None, 50)]
    total = pooled_total(observations, AREA, 100.0, NO_POPULATION)
    assert total.coverage is not None
    assert total.coverage.missing_share == pytest.approx(MAX_MISSING_SHARE)
    assert total.value is None
    assert not total.coverage.sufficient
    assert total.note is not None
    assert total.note.startswith("1 of 3 members have no numerator or denominator; they hold 5.0% of the denominator")


def test_without_every_denominator_the_share_is_measured_in_population() -> None:
    # 1151 has no observation at all: its share of the area is its share of the population.
    observations = [observation("0301", 100, 1000), observation("4601", 30, 100)]
    population: dict[str, float | None] = {"0301": 1000.0, "4601": 100.0, "1151": 10.0}
    total = pooled_total(observations, AREA, 100.0, population)
    assert total.coverage is not None
    assert total.coverage.basis == "population"
    assert total.coverage.missing_share == pytest.approx(10 / 1110)
    assert total.value == pytest.approx(130 / 1100 * 100)
    unknown = pooled_total(observations, AREA, 100.0, {"0301": 1000.0, "4601": 100.0})
    assert unknown.coverage is not None
    assert unknown.coverage.missing_share is None
    assert unknown.value is None  # an unknown share is never taken as small
    assert unknown.note is not None and "an unknown share of the denominator" in unknown.note


def test_an_area_where_nobody_has_figures_has_no_value() -> None:
    observations = [observation(code, None, 10) for code in AREA]
    total = pooled_total(observations, AREA, 100.0, NO_POPULATION)
    assert total.value is None
    assert total.coverage is not None
    assert (total.coverage.with_values, total.coverage.missing_share) == (0, 1.0)


def test_pooled_value_rejects_mixed_years_and_duplicates() -> None:
    other_year = Observation("synthetic_share", "4601", 2023, 10.0, 1, 10, "percent", Status.OK, "synthetic")
    with pytest.raises(ValueError, match="one indicator and one year"):
        pooled_value([observation("0301", 1, 10), other_year], ["0301", "4601"], 100.0)
    with pytest.raises(ValueError, match="twice"):
        pooled_value([observation("0301", 1, 10), observation("0301", 1, 10)], ["0301"], 100.0)


# --------------------------------------------------------------------------------------------------------
# Similar municipalities (synthetic characteristics)

SYNTHETIC_POPULATION_BY_CODE: dict[str, float | None] = {
    "0301": 700_000,
    "4601": 290_000,
    "5001": 215_000,
    "1103": 150_000,
    "1101": 15_000,
    "1111": 3_300,
    "1151": 200,
}
SYNTHETIC_SHARE_80: dict[str, float | None] = {
    "0301": 3.5,
    "4601": 4.0,
    "5001": 4.0,
    "1103": 4.0,
    "1101": 5.5,
    "1111": 6.5,
    "1151": 9.0,
}


def test_an_exact_duplicate_is_first_at_distance_zero() -> None:
    population = dict(SYNTHETIC_POPULATION_BY_CODE) | {"9901": 290_000}  # synthetic twin of Bergen
    share = dict(SYNTHETIC_SHARE_80) | {"9901": 4.0}
    neighbours = similar_municipalities(
        "4601", [Characteristic("population", population, transform="log"), Characteristic("share_80", share)]
    )
    assert neighbours[0].code == "9901"
    assert neighbours[0].distance == 0.0
    assert all(a.distance <= b.distance for a, b in itertools.pairwise(neighbours))
    assert "4601" not in [n.code for n in neighbours]


def test_contributions_sum_to_the_squared_distance() -> None:
    characteristics = [
        Characteristic("population", SYNTHETIC_POPULATION_BY_CODE, weight=2.0, transform="log"),
        Characteristic("share_80", SYNTHETIC_SHARE_80, weight=0.5),
    ]
    for neighbour in similar_municipalities("1101", characteristics, n=6):
        assert math.fsum(neighbour.contributions.values()) == pytest.approx(neighbour.distance**2)
        assert set(neighbour.contributions) == {"population", "share_80"}


def test_weights_change_the_order() -> None:
    """Stavanger (1103) is as old as Bergen (4601) but half its size; Oslo (0301) is far larger.

    With population alone, Trondheim (5001, 215 000) is Bergen's nearest; with the 80+ share weighted
    heavily, the municipalities with exactly Bergen's 80+ share (5001, 1103) tie at the top, ordered by code.
    """
    by_population = similar_municipalities(
        "4601",
        [
            Characteristic("population", SYNTHETIC_POPULATION_BY_CODE, weight=1.0, transform="log"),
            Characteristic("share_80", SYNTHETIC_SHARE_80, weight=0.0),
        ],
        n=3,
    )
    assert [n.code for n in by_population] == ["5001", "1103", "0301"]
    by_age = similar_municipalities(
        "4601",
        [
            Characteristic("population", SYNTHETIC_POPULATION_BY_CODE, weight=0.0, transform="log"),
            Characteristic("share_80", SYNTHETIC_SHARE_80, weight=1.0),
        ],
        n=3,
    )
    assert [n.code for n in by_age] == ["1103", "5001", "0301"]  # tie at distance 0, broken by code
    assert by_age[0].distance == by_age[1].distance == 0.0


def test_missing_characteristics_exclude_with_reasons() -> None:
    population = dict(SYNTHETIC_POPULATION_BY_CODE) | {"1111": None, "1151": 0.0}
    share = {code: v for code, v in SYNTHETIC_SHARE_80.items() if code != "1101"}
    result = similarity(
        "0301", [Characteristic("population", population, transform="log"), Characteristic("share_80", share)]
    )
    assert result.excluded == {
        "1101": ("share_80: missing",),
        "1111": ("population: missing",),
        "1151": ("population: 0.0 is not positive, so it has no logarithm",),
    }
    assert result.compared == 4
    assert {n.code for n in result.neighbours} == {"4601", "5001", "1103"}


def test_similarity_rejects_bad_input() -> None:
    population = Characteristic("population", SYNTHETIC_POPULATION_BY_CODE, transform="log")
    with pytest.raises(ValueError, match="weight"):
        similarity("0301", [Characteristic("share_80", SYNTHETIC_SHARE_80, weight=-1.0)])
    with pytest.raises(ValueError, match="twice"):
        similarity("0301", [population, population])
    with pytest.raises(ValueError, match="cannot be compared"):
        similarity("0301", [Characteristic("share_80", {"0301": None, "4601": 4.0})])
    with pytest.raises(ValueError, match="no values"):
        similarity("9999", [population])
    with pytest.raises(ValueError, match="n must be"):
        similarity("0301", [population], n=0)


def test_a_constant_characteristic_contributes_nothing() -> None:
    constant = Characteristic("constant", dict.fromkeys(SYNTHETIC_SHARE_80, 1.0))
    neighbours = similar_municipalities("0301", [constant, Characteristic("share_80", SYNTHETIC_SHARE_80)])
    assert all(n.contributions["constant"] == 0.0 for n in neighbours)
