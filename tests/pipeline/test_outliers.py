"""The outlier flag: possible values far outside their own series or their peers are kept and flagged.

All observations are SYNTHETIC.
"""

from __future__ import annotations

from boligmonitor.catalog import load_catalog
from boligmonitor.core.flags import Flag
from boligmonitor.core.observation import Observation
from boligmonitor.core.status import Status
from boligmonitor.pipeline.outliers import flag_outliers, is_extensive

CATALOG = load_catalog()


def synthetic(indicator: str, region: str, year: int, value: float | None, *flags: Flag) -> Observation:
    return Observation(
        indicator_id=indicator,
        region_code=region,
        year=year,
        value=value,
        numerator=None,
        denominator=None,
        unit=CATALOG.indicator(indicator).unit,
        status=Status.OK if value is not None else Status.MISSING,
        dataset_id="synthetic:test",
        flags=frozenset(flags),
    )


def flagged(observations: list[Observation]) -> set[tuple[str, int]]:
    return {(o.region_code, o.year) for o in observations if Flag.OUTLIER in o.flags}


def test_a_value_far_outside_its_own_series_is_flagged_and_kept() -> None:
    series = [synthetic("KB01", "0301", year, 100 + year % 7) for year in range(2015, 2023)]
    odd = synthetic("KB01", "0301", 2023, 10_000)  # a count typed in the wrong unit, say
    result = flag_outliers(CATALOG.indicator("KB01"), [*series, odd])
    assert flagged(result) == {("0301", 2023)}
    assert [o.value for o in result] == [o.value for o in [*series, odd]]  # nothing dropped or changed


def test_ordinary_variation_zeros_and_incomplete_years_are_not_flagged() -> None:
    values = [100, 130, 90, 160, 75, 0, 140, 95]  # lumpy, with a zero
    series = [synthetic("KB01", "0301", 2015 + i, v) for i, v in enumerate(values)]
    partial = synthetic("KB01", "0301", 2023, 5000, Flag.PARTIAL_YEAR)
    assert flagged(flag_outliers(CATALOG.indicator("KB01"), [*series, partial])) == set()


def test_a_short_series_is_not_judged() -> None:
    series = [synthetic("KB01", "0301", 2020, 100), synthetic("KB01", "0301", 2021, 10_000)]
    assert flagged(flag_outliers(CATALOG.indicator("KB01"), series)) == set()


def test_a_share_far_from_every_other_municipality_that_year_is_flagged() -> None:
    peers = [synthetic("BU01", f"{3000 + i:04d}", 2023, 10 + (i % 9) * 0.5) for i in range(30)]
    odd = synthetic("BU01", "0301", 2023, 99)  # a share where 9.9 % was meant
    assert flagged(flag_outliers(CATALOG.indicator("BU01"), [*peers, odd])) == {("0301", 2023)}


def test_counts_are_not_compared_across_municipalities() -> None:
    assert is_extensive(CATALOG.indicator("BEF01")) and is_extensive(CATALOG.indicator("HB12"))
    assert not is_extensive(CATALOG.indicator("BEF08")) and not is_extensive(CATALOG.indicator("BU01"))
    peers = [synthetic("KB01", f"{3000 + i:04d}", 2023, 10 + i) for i in range(30)]
    oslo = synthetic("KB01", "0301", 2023, 12_000)  # Oslo is big, not odd
    assert flagged(flag_outliers(CATALOG.indicator("KB01"), [*peers, oslo])) == set()


def test_only_new_values_are_judged_against_the_stored_ones() -> None:
    stored = [synthetic("KB01", "0301", year, 100.0) for year in range(2010, 2022)]
    stored[0] = synthetic("KB01", "0301", 2010, 5000.0)  # an old odd value stays as it is stored
    new = [synthetic("KB01", "0301", 2022, 102.0), synthetic("KB01", "0301", 2023, 2.0)]
    result = flag_outliers(CATALOG.indicator("KB01"), new, stored)
    assert [o.year for o in result] == [2022, 2023]
    assert flagged(result) == {("0301", 2023)}


def test_a_given_outlier_flag_is_set_again_by_the_rule() -> None:
    series = [synthetic("KB01", "0301", year, 100.0, Flag.OUTLIER) for year in range(2015, 2024)]
    assert flagged(flag_outliers(CATALOG.indicator("KB01"), series)) == set()
