"""The members' share of the national total, on a SYNTHETIC source computed by hand.

SYNTHETIC municipalities: members 9101–9103 (30 000 inhabitants each), non-members 9106 (25 000),
9205–9210 (2 000 each) and 9301 (10 000): 137 000 inhabitants, and 9999 with 1 000 more from 2019.
"""

from __future__ import annotations

import pytest

from boligmonitor.analysis.reasons import reason
from boligmonitor.analysis.reporting import (
    Membership,
    NationalShares,
    SkippedIndicator,
    members_share_of_national_total,
    membership_in_year,
)
from boligmonitor.catalog import Catalog, load_catalog
from boligmonitor.catalog.reporting import load_programme
from boligmonitor.core.observation import Observation
from boligmonitor.core.regions import NORWAY
from boligmonitor.core.status import Status

from .synthetic import SyntheticSource, count, member, missing, share, with_members

MEMBERS = ["9101", "9102", "9103"]
OTHERS = ["9106", *[f"92{i:02d}" for i in range(5, 11)], "9301"]
CODES = [*MEMBERS, *OTHERS, "9999"]
POPULATION = {**dict.fromkeys(MEMBERS, 30_000.0), "9106": 25_000.0, "9301": 10_000.0}
POPULATION |= {code: 2_000.0 for code in OTHERS if code.startswith("92")}


def observations() -> list[Observation]:
    made: list[Observation] = []
    for year in (2015, 2019):
        made += [count("BEF01", code, year, population) for code, population in POPULATION.items()]
    made.append(count("BEF01", "9999", 2019, 1_000.0))  # no population in 2015: the share of those missing is unknown
    made.append(count("BEF01", NORWAY, 2015, 138_000.0))  # the publisher's own total, 1 000 off the sum
    # BEF03: persons aged 80+ in the numerators
    made += [share("BEF03", code, 2019, 3_000, 30_000) for code in MEMBERS]
    made += [share("BEF03", code, 2019, 300, 2_000) for code in OTHERS if code.startswith("92")]
    made += [share("BEF03", "9106", 2019, 2_000, 25_000), share("BEF03", "9301", 2019, 1_000, 10_000)]
    made.append(missing("BEF03", "9999", 2019, Status.CONFIDENTIAL, "percent"))  # 1 000 of 138 000 inhabitants
    # FL05 in 2019: 9106 and 9999 (26 000 of 138 000 inhabitants) have no count
    made += [count("FL05", code, 2019, 10.0) for code in MEMBERS + OTHERS if code != "9106"]
    # FL01 in 2019: no member has a count
    made += [share("FL01", code, 2019, 5, 10_000, multiplier=1000, unit="per_1000") for code in [*OTHERS, "9999"]]
    return made


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


@pytest.fixture(scope="module")
def source() -> SyntheticSource:
    return SyntheticSource(CODES, observations(), version_id=3)


@pytest.fixture(scope="module")
def membership(source: SyntheticSource) -> Membership:
    programme = with_members(load_programme("bolig_for_velferd"), [member(code, 2014) for code in MEMBERS])
    return membership_in_year(programme, 2019, source)


@pytest.fixture(scope="module")
def shares(source: SyntheticSource, catalog: Catalog, membership: Membership) -> NationalShares:
    return members_share_of_national_total(
        source, catalog, membership, [2015, 2019], indicator_ids=["BEF01", "BEF03", "FL05", "FL01", "BEF16", "BL05"]
    )


def test_population_share_by_hand(shares: NationalShares) -> None:
    population = shares.share("BEF01", 2015)
    assert population.counted == "value"
    assert population.members_total == 90_000.0
    assert population.national_total == 137_000.0  # every municipality with a population in 2015
    assert population.published_national_total == 138_000.0  # shown beside it, not used
    assert population.n_municipalities_with_values == 11
    assert population.municipalities_without_values == ("9999",)
    # 9999 has no population in 2015, so the share held by those without a count is unknown: no share
    assert population.share is None
    assert population.missing_population_share is None
    assert "unknown share" in population.reason

    in_2019 = shares.share("BEF01", 2019)
    assert in_2019.share == pytest.approx(90_000 / 138_000)
    assert (in_2019.partial, in_2019.reason, in_2019.data_version) == (False, "complete", 3)
    assert (in_2019.n_members, in_2019.n_members_with_values, in_2019.n_municipalities) == (3, 3, 12)


def test_the_share_of_persons_counts_the_numerators(shares: NationalShares) -> None:
    aged_80 = shares.share("BEF03", 2019)
    assert aged_80.counted == "numerator"
    assert aged_80.members_total == 9_000.0
    assert aged_80.national_total == 9_000.0 + 6 * 300 + 2_000 + 1_000
    # 9999 is missing but holds 1 000 of 138 000 inhabitants (< 5 %): a partial share, said so
    assert aged_80.partial
    assert aged_80.share == pytest.approx(9_000 / 13_800)
    assert aged_80.missing_population_share == pytest.approx(1_000 / 138_000)
    assert aged_80.reason.startswith("partial: the total over 11 of 12 municipalities")


def test_no_share_when_those_without_a_count_hold_too_much(shares: NationalShares) -> None:
    fl05 = shares.share("FL05", 2019)
    assert fl05.share is None
    assert fl05.members_total == 30.0
    assert fl05.missing_population_share == pytest.approx(26_000 / 138_000)
    assert fl05.municipalities_without_values == ("9106", "9999")
    assert "hold 18.8% of the population" in fl05.reason


def test_members_without_counts_are_never_zero(shares: NationalShares) -> None:
    fl01 = shares.share("FL01", 2019)
    assert (fl01.share, fl01.members_total) == (None, None)
    assert fl01.members_without_values == ("9101", "9102", "9103")
    assert fl01.n_members_with_values == 0
    assert fl01.reason == "no member has a count in 2019"
    assert shares.share("FL01", 2015).reason == "no municipality has a count in 2015"


def test_skipped_indicators_say_why(shares: NationalShares) -> None:
    assert shares.skipped == (
        SkippedIndicator("BEF16", "cannot be added up over municipalities (kind summary, unit nok_per_m2)"),
        SkippedIndicator("BL05", "no municipality has a value in 2015, 2019"),
    )
    assert shares.years == (2015, 2019)
    assert shares.data_version == 3


def test_share_reasons_are_keys_with_parameters_too(shares: NationalShares) -> None:
    fl05 = shares.share("FL05", 2019)
    assert fl05.why is not None and fl05.why.key == "share.too_many_missing.known"
    assert fl05.why.params["missing_share"] == pytest.approx(26_000 / 138_000)
    assert shares.share("FL01", 2019).why == reason("share.no_member_count", year=2019)
    assert shares.skipped[1].why == reason("skipped.no_value_in_listed_years", years="2015, 2019")
    assert all(share.why is not None and share.why.text == share.reason for share in shares.shares)
