"""The programme analysis end to end on the real database (built once per session from ../shared/data), with a
SYNTHETIC membership: the kommuneprogram's 70 members are not published, so the test makes up 70 of its own with
the evaluation's mix — most of the large municipalities, some medium ones and only 4 small ones (seed report,
avsnitt 2.2) — chosen by their population rank in 2015. The values are real; who is a member is SYNTHETIC.

The real Midt-Norge members (in the package) show membership carried through the code changes.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from boligmonitor.analysis.reporting import (
    MIN_GROUP_SIZE,
    MembersAgainstNonMembers,
    Membership,
    members_against_non_members,
    members_share_of_national_total,
    membership_in_year,
    programme_trend_breaks,
)
from boligmonitor.analysis.reporting.group_comparison import SIZE_ORDER
from boligmonitor.catalog import Catalog, load_catalog
from boligmonitor.catalog.reporting import Programme, load_programme
from boligmonitor.core.regions import NORWAY, RegionLevel
from boligmonitor.geo.groups import SizeGroup
from boligmonitor.store import Reader, Store

from .synthetic import member, with_members


@pytest.fixture(scope="module")
def reader(built_store: Store) -> Iterator[Reader]:
    with built_store.snapshot() as snapshot:
        yield snapshot


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


@pytest.fixture(scope="module")
def synthetic_programme(reader: Reader) -> Programme:
    """The real programme with a SYNTHETIC list of 70 members: the 40 largest municipalities of 2015, every fourth
    medium-sized one by population (26) and the four largest small ones."""
    population = {
        o.region_code: o.value or 0.0
        for o in reader.indicator_observations("BEF01", year=2015)
        if len(o.region_code) == 4 and o.value is not None
    }
    ranked = sorted(population, key=lambda code: (-population[code], code))
    large = [code for code in ranked if population[code] >= 20_000]
    medium = [code for code in ranked if 5_000 <= population[code] < 20_000]
    small = [code for code in ranked if population[code] < 5_000]
    chosen = large[:40] + medium[::4][:26] + small[:4]
    assert len(set(chosen)) == 70
    return with_members(load_programme("bolig_for_velferd"), [member(code, 2014, 2020) for code in chosen])


@pytest.fixture(scope="module")
def membership(synthetic_programme: Programme, reader: Reader) -> Membership:
    return membership_in_year(synthetic_programme, 2019, reader, changes=reader.region_changes())


@pytest.fixture(scope="module")
def table(reader: Reader, catalog: Catalog, membership: Membership) -> MembersAgainstNonMembers:
    return members_against_non_members(reader, catalog, membership, 2015, 2019, indicator_ids=["BEF01", "BEF03"])


def test_table_5_7_shape_with_group_sizes(table: MembersAgainstNonMembers, reader: Reader) -> None:
    version = reader.current_version()
    assert version is not None and table.data_version == version.id
    for indicator_id in ("BEF01", "BEF03"):
        changes = table.indicator(indicator_id)
        assert changes.data_version == version.id
        assert [(f.member, f.size_group) for f in changes.figures[3:]] == [
            (member, size) for size in SIZE_ORDER for member in (True, False)
        ]
        everyone, members, others = changes.figures[:3]
        assert (everyone.n_municipalities, members.n_municipalities, others.n_municipalities) == (357, 70, 287)
        by_size = changes.figures[3:]
        assert sum(f.n_municipalities for f in by_size) == 357  # every municipality has a 2015 population
        # the evaluation's small-member group was 4: too few, no figure (Table 5.7's empty cells)
        small_members = changes.figure(True, SizeGroup.SMALL)
        assert small_members.n_municipalities == 4 < MIN_GROUP_SIZE
        assert small_members.start_value is None and small_members.withheld is not None
        assert all(f.shown for f in changes.figures if f.n_municipalities >= MIN_GROUP_SIZE)


def test_the_pooled_share_is_sums_of_the_stored_counts(table: MembersAgainstNonMembers, reader: Reader) -> None:
    municipalities = {r.code for r in reader.regions_of_level(RegionLevel.MUNICIPALITY)}
    for year, value in ((2015, "start_value"), (2019, "end_value")):
        stored = [o for o in reader.indicator_observations("BEF03", year=year) if o.region_code in municipalities]
        x = sum(o.numerator or 0.0 for o in stored)
        n = sum(o.denominator or 0.0 for o in stored)
        assert getattr(table.indicator("BEF03").figure(None, None), value) == pytest.approx(x / n * 100)
    population = table.indicator("BEF01").figure(None, None)
    assert population.relative_change is not None and 0 < population.relative_change < 0.05  # grew, 2015–2019


def test_size_groups_are_the_ones_the_build_stored(table: MembersAgainstNonMembers, reader: Reader) -> None:
    stored = {a.region_code: a.value for a in reader.region_attributes("size_group") if a.year == 2015}
    assert {code: group.value for code, group in table.size_groups.groups.items()} == stored


def test_members_share_of_population_and_80_plus(reader: Reader, catalog: Catalog, membership: Membership) -> None:
    shares = members_share_of_national_total(reader, catalog, membership, [2019], indicator_ids=["BEF01", "BEF03"])
    population = shares.share("BEF01", 2019)
    norway = reader.indicator_observations("BEF01", year=2019, region_codes=[NORWAY])[0]
    assert population.published_national_total == norway.value
    assert population.national_total == pytest.approx(norway.value, rel=1e-5)  # harmonised sums, a few persons off
    assert (population.n_members_with_values, population.n_municipalities_with_values) == (70, 357)
    assert population.share is not None and 0.5 < population.share < 0.8
    aged_80 = shares.share("BEF03", 2019)
    assert aged_80.counted == "numerator"
    assert aged_80.share is not None and aged_80.share < population.share  # the large members are younger


def test_trend_break_at_programme_start_for_both_groups(
    reader: Reader, catalog: Catalog, synthetic_programme: Programme, membership: Membership
) -> None:
    breaks = programme_trend_breaks(reader, catalog, synthetic_programme, membership, indicator_ids=["BEF03"])
    found = breaks.indicator("BEF03")
    assert found.break_year == 2014
    assert (found.members.n_municipalities, found.non_members.n_municipalities) == (70, 287)
    assert found.members.computed and found.non_members.computed
    assert all(group.all_caveats for group in (found.members, found.non_members))


def test_real_midt_norge_members_are_carried_to_todays_codes(reader: Reader) -> None:
    programme = load_programme("boligsosialt_utviklingsprogram_midt_norge")
    membership = membership_in_year(programme, 2010, reader, changes=reader.region_changes())
    assert ("1601", "5001") in membership.recoded  # Trondheim
    assert "1505" in membership.members  # Kristiansund kept its code
    # old Ålesund went into 1507 in 2020, which was split in 2024: the change list cannot tell where it went
    assert [u.municipality for u in membership.unmatched] == ["1504"]
    placed = membership_in_year(programme, 2010, reader, changes=reader.region_changes(), recode={"1504": "1508"})
    assert len(placed.members) == 8 and placed.unmatched == ()
