"""The indicator model on the real database (built once per session from ../shared/data), and its presets."""

from __future__ import annotations

from pathlib import Path

import pytest

from boligmonitor.analysis.indicator_model.exports import ranking_json, ranking_meta, ranking_table
from boligmonitor.analysis.indicator_model.run import ranking_for_region, region_municipalities, spec_from_preset
from boligmonitor.analysis.indicator_model.scoring import ModelIndicator, ModelResult, ModelSpec
from boligmonitor.catalog import Catalog, load_catalog
from boligmonitor.catalog.model_presets import (
    ModelPreset,
    apply_weights,
    load_model_presets,
    parse_model_presets,
    parse_variable_key,
    parse_weights,
    variable_key,
)
from boligmonitor.core.errors import InputError, UnknownCodesError
from boligmonitor.store import Store


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


@pytest.fixture(scope="module")
def preset() -> ModelPreset:
    return load_model_presets().preset("husbanken")


@pytest.fixture(scope="module")
def county_46(built_store: Store, catalog: Catalog, preset: ModelPreset) -> ModelResult:
    return ranking_for_region(built_store, catalog, spec_from_preset(preset), "46")


def municipalities_of(store: Store, county: str) -> list[str]:
    return sorted(row.code for row in store.regions("municipality") if row.parent_code == county)


def test_county_46_lists_all_its_municipalities_with_scores_contributions_and_intervals(
    county_46: ModelResult, built_store: Store
) -> None:
    expected = municipalities_of(built_store, "46")
    assert len(expected) > 10
    assert sorted(row.region for row in county_46.rows) == expected
    assert county_46.label.startswith("46 ")
    assert len(county_46.ranked) == len(expected)  # every municipality meets the preset's 75 % coverage
    assert sorted(row.rank or 0 for row in county_46.rows)[0] == 1
    for row in county_46.rows:
        assert row.score is not None
        assert county_46.names[row.region]
        assert sum(part.contribution or 0.0 for part in row.parts) == pytest.approx(row.score)
        interval = county_46.intervals[row.region]
        assert interval.point_rank == row.rank
        assert interval.low <= interval.p05 <= interval.p95 <= interval.high
        assert interval.low <= interval.point_rank <= interval.high
        assert interval.draws == 1000
    scores = [row.score or 0.0 for row in county_46.ranked]
    assert scores == sorted(scores, reverse=True)


def test_each_indicator_uses_its_latest_year_with_values(
    county_46: ModelResult, built_store: Store, preset: ModelPreset
) -> None:
    members = municipalities_of(built_store, "46")
    for summary in county_46.indicators:
        indicator_id, _ = parse_variable_key(summary.key)
        stored = built_store.observations(indicator_id=indicator_id, region_codes=members)
        years_with_values = {obs.year for obs in stored if obs.value is not None}
        if summary.available:
            assert county_46.years[summary.key] == max(years_with_values)
        else:
            # Unavailable (today every HB*/KB* indicator): reported, with no weight, and named in the notes.
            assert len({obs.region_code for obs in stored if obs.value is not None}) < 2
            assert summary.key not in county_46.years
            assert summary.weight_share == 0
            assert any(note.startswith(f"{summary.key}:") for note in county_46.notes)
    available_weight = sum(item.weight for _, item in preset.entries() if item.key in county_46.years)
    total_weight = sum(item.weight for _, item in preset.entries())
    assert county_46.available_weight_share == pytest.approx(available_weight / total_weight)


def test_missing_values_are_reported_per_municipality(county_46: ModelResult) -> None:
    for row in county_46.rows:
        assert row.missing == tuple(part.key for part in row.parts if part.value is None)
        assert row.renormalised == bool(row.missing)
    some_missing = {key for row in county_46.rows for key in row.missing}
    for key in some_missing:
        assert any(note.startswith(f"{key} {county_46.years[key]}: no value for") for note in county_46.notes)


def test_doubling_a_weight_changes_scores_as_documented(
    county_46: ModelResult, built_store: Store, catalog: Catalog, preset: ModelPreset
) -> None:
    """New score = (old score · W + w · I) / (W + w), W = the municipality's own present weight (doc §4)."""
    doubled_preset = apply_weights(preset, "BEF03=6", catalog)
    doubled = ranking_for_region(built_store, catalog, spec_from_preset(doubled_preset), "46", draws=0)
    weights = {s.key: s.weight for s in county_46.available}
    for row in county_46.rows:
        own = sum(weights[part.key] for part in row.parts if part.value is not None)
        level = row.part("BEF03").normalised
        assert row.score is not None
        assert level is not None
        expected = (row.score * own + 3 * level) / (own + 3)
        assert doubled.row(row.region).score == pytest.approx(expected)
    assert doubled.intervals == {}


def test_a_model_of_one_indicator_ranks_by_its_values(built_store: Store, catalog: Catalog) -> None:
    spec = ModelSpec((ModelIndicator("BEF03", 1.0, 1),), normalisation="rank")
    result = ranking_for_region(built_store, catalog, spec, "46", draws=0)
    values = [row.part("BEF03").value or 0.0 for row in result.rows]
    assert values == sorted(values, reverse=True)


def test_a_list_of_municipalities_is_ranked_within_itself(built_store: Store, catalog: Catalog) -> None:
    codes = ["4601", "4602", "4611", "K-4612"]
    spec = ModelSpec((ModelIndicator("BEF03", 1.0, 1), ModelIndicator("BEF02", 1.0, 1)))
    result = ranking_for_region(built_store, catalog, spec, codes, draws=100)
    assert result.regions == ("4601", "4602", "4611", "4612")
    assert result.label == "4 municipalities"
    bef03 = result.indicators[0]
    values = [result.row(code).part("BEF03").value or 0.0 for code in result.regions]
    assert bef03.mean == pytest.approx(sum(values) / 4)  # normalised over these four, not the county
    assert set(result.intervals) == set(result.regions)
    same = ranking_for_region(built_store, catalog, spec, "4601,4602,4611,4612", draws=100)
    assert [row.region for row in same.rows] == [row.region for row in result.rows]


def test_unknown_or_unusable_regions_are_clear_errors(built_store: Store) -> None:
    with pytest.raises(UnknownCodesError) as unknown:
        region_municipalities(built_store, ["4601", "9998", "9999"])
    assert unknown.value.codes == ("9998", "9999")
    with pytest.raises(UnknownCodesError) as county:
        region_municipalities(built_store, "99")
    assert county.value.kind == "county"
    with pytest.raises(InputError, match="at least 2"):
        region_municipalities(built_store, "03")  # Oslo county: one municipality
    with pytest.raises(InputError, match="at least 2"):
        region_municipalities(built_store, "4601")
    with pytest.raises(InputError, match="not all of Norway"):
        region_municipalities(built_store, "0")
    with pytest.raises(InputError, match="listed twice"):
        region_municipalities(built_store, "4601,4601")


def test_a_model_without_usable_data_or_with_unknown_ids_is_refused(built_store: Store, catalog: Catalog) -> None:
    country_only = ModelSpec((ModelIndicator("BEF12", 1.0, 1),))  # rents: published for Norway only
    with pytest.raises(InputError, match="none of the model's indicators"):
        ranking_for_region(built_store, catalog, country_only, "46", draws=0)
    unknown = ModelSpec(
        (ModelIndicator("BEF03", 1.0, 1), ModelIndicator("BEF99", 1.0, 1), ModelIndicator("X1", 1.0, 1))
    )
    with pytest.raises(InputError) as error:
        ranking_for_region(built_store, catalog, unknown, "46", draws=0)
    assert "no indicator 'BEF99' in the catalogue" in str(error.value)
    assert "'X1' is not an indicator id" in str(error.value)


def test_year_cap_and_latest_common_year(built_store: Store, catalog: Catalog, preset: ModelPreset) -> None:
    capped = ranking_for_region(built_store, catalog, spec_from_preset(preset), "46", 2018, draws=0)
    assert capped.years
    assert all(year <= 2018 for year in capped.years.values())
    common = ranking_for_region(
        built_store, catalog, spec_from_preset(preset, year_rule="latest_common"), "46", draws=0
    )
    assert len(set(common.years.values())) == 1


def test_overrides_are_validated(preset: ModelPreset) -> None:
    spec = spec_from_preset(preset, normalisation="rank", min_coverage=0.5)
    assert (spec.normalisation, spec.min_coverage, spec.name) == ("rank", 0.5, "husbanken")
    with pytest.raises(InputError) as error:
        spec_from_preset(preset, normalisation="median", min_coverage=2)
    assert {problem.field for problem in error.value.problems} == {"normalisation", "min_coverage"}


def test_table_meta_and_json_agree(county_46: ModelResult) -> None:
    columns, rows = ranking_table(county_46)
    assert len(rows) == len(county_46.rows)
    assert {"rank", "score", "rank_p05", "rank_p95", "BEF03_value", "BEF03_contribution"} <= set(columns)
    assert "HB01_value" not in columns  # unavailable indicators have no columns, only a meta line
    assert rows[0]["rank"] == 1
    meta = ranking_meta(county_46)
    assert meta["model"] == "husbanken"
    assert "indicator HB01" in meta
    document = ranking_json(county_46)
    assert [m["region"] for m in document["municipalities"]] == [row["region"] for row in rows]
    assert document["municipalities"][0]["rank_interval"]["p05"] == rows[0]["rank_p05"]


# --- presets ---------------------------------------------------------------------------------------------


def test_the_husbanken_preset(preset: ModelPreset, catalog: Catalog) -> None:
    domains = {domain.id: sum(item.weight for item in domain.indicators) for domain in preset.domains}
    assert domains == {
        "befolkning": 12,
        "flyktninger": 12,
        "boligmarked_levekar": 12,
        "husbanken_virkemidler": 12,
        "kommunal_boligaktivitet": 12,
    }
    assert "BEF01_change5y" in preset.keys
    for _, item in preset.entries():
        assert item.reason.en
        assert "municipality" in catalog.indicator(item.indicator).geo_levels


def test_the_preset_literals_match_the_model() -> None:
    from typing import get_args

    from boligmonitor.analysis.indicator_model import scoring as model
    from boligmonitor.catalog import model_presets as presets

    assert get_args(presets.PresetNormalisation) == model.NORMALISATIONS
    assert get_args(presets.PresetCoverageBasis) == model.COVERAGE_BASES
    assert get_args(presets.PresetYearRule) == model.YEAR_RULES


PRESET_YAML = """\
schema_version: 1
presets:
  - id: test
    name: {nb: Test, nn: Test, en: Test}
    description: {nb: SYNTHETIC, nn: SYNTHETIC, en: SYNTHETIC}
    domains:
      - id: one
        name: {nb: En, nn: Ein, en: One}
        indicators:
%s
"""
REASON = "            reason: {nb: fordi, nn: fordi, en: because}\n"


def preset_text(*items: str) -> str:
    return PRESET_YAML % "".join(item + REASON for item in items)


def test_a_valid_preset_file_loads(catalog: Catalog, tmp_path: Path) -> None:
    path = tmp_path / "models.yaml"
    item = (
        "          - indicator: BEF01\n            change_years: 3\n            weight: 1\n            direction: -1\n"
    )
    path.write_text(preset_text(item), encoding="utf-8")
    models = load_model_presets(path, catalog)
    assert models.preset("test").keys == ("BEF01_change3y",)
    with pytest.raises(InputError, match="unknown preset 'nope'; known: test"):
        models.preset("nope")


def test_an_unknown_indicator_id_names_file_line_and_field(catalog: Catalog) -> None:
    text = preset_text("          - indicator: BEF99\n            weight: 1\n            direction: 1\n")
    with pytest.raises(InputError) as error:
        parse_model_presets(text, "models.yaml", catalog)
    (problem,) = error.value.problems
    assert (problem.file, problem.line, problem.field) == (
        "models.yaml",
        10,
        "presets[0].domains[0].indicators[0].indicator",
    )
    assert "unknown indicator 'BEF99'" in problem.message


def test_preset_problems_are_all_reported(catalog: Catalog) -> None:
    text = preset_text(
        "          - indicator: BEF19\n            weight: 1\n            direction: -1\n",  # lower_is_better
        "          - indicator: BEF03\n            weight: -2\n            direction: 1\n",
        "          - indicator: BEF02\n            weight: 1\n            direction: 0\n",
    )
    with pytest.raises(InputError) as error:
        parse_model_presets(text, "models.yaml", catalog)
    fields = {problem.field for problem in error.value.problems}
    assert fields == {"presets[0].domains[0].indicators[1].weight", "presets[0].domains[0].indicators[2].direction"}
    duplicated = preset_text(
        "          - indicator: BEF19\n            weight: 1\n            direction: -1\n",
        "          - indicator: BEF19\n            weight: 1\n            direction: 1\n",
    )
    with pytest.raises(InputError) as error:
        parse_model_presets(duplicated, "models.yaml", catalog)
    messages = [str(problem) for problem in error.value.problems]
    assert any("BEF19 is listed twice" in message for message in messages)
    assert any("lower_is_better in the catalogue" in message and "+1, not -1" in message for message in messages)


def test_weights_parse_from_a_string(preset: ModelPreset, catalog: Catalog) -> None:
    changes = parse_weights(" BEF03=6, FL01=0 ,BEF14=1.5:- ")
    assert [(c.key, c.weight, c.direction) for c in changes] == [
        ("BEF03", 6, None),
        ("FL01", 0, None),
        ("BEF14", 1.5, -1),
    ]
    changed = apply_weights(preset, "BEF03=6,FL01=0,BEF14=1.5:-,EL11=3:-", catalog)
    assert changed.entry("BEF03")[1].weight == 6
    assert "FL01" not in changed.keys
    assert changed.entry("BEF14")[0].id == "egne_valg"
    assert changed.entry("EL11")[1].direction == -1
    assert preset.entry("BEF03")[1].weight == 3  # the packaged preset is unchanged
    assert variable_key("BEF01", 5) == "BEF01_change5y"


@pytest.mark.parametrize(
    ("text", "field", "message"),
    [
        ("BEF03=two", "BEF03", "not a number"),
        ("BEF03", "BEF03", "not KEY=WEIGHT"),
        ("BEF03=-1", "BEF03", "at least 0"),
        ("BEF03=nan", "BEF03", "not a number"),
        ("BEF3=1", "BEF3", "not an indicator id"),
        ("BEF03=1,,FL01=1", "item 2", "empty item"),
        ("BEF03=1:up", "BEF03", "direction 'up'"),
        ("BEF03=1,BEF03=2", "BEF03", "given twice"),
        ("BEX03=1", "BEX03", "unknown indicator 'BEX03'; did you mean"),
        ("BEF14=1", "BEF14", "give its direction"),
        ("BU11=1:+", "BU11", "not defined for municipalities"),  # urban districts only
    ],
)
def test_bad_weights_name_the_field(preset: ModelPreset, catalog: Catalog, text: str, field: str, message: str) -> None:
    with pytest.raises(InputError) as error:
        apply_weights(preset, text, catalog)
    (problem,) = error.value.problems
    assert (problem.file, problem.field) == ("--weights", field)
    assert message in problem.message


def test_dropping_every_indicator_is_an_error(preset: ModelPreset, catalog: Catalog) -> None:
    everything = ",".join(f"{key}=0" for key in preset.keys)
    with pytest.raises(InputError, match="nothing is left"):
        apply_weights(preset, everything, catalog)


def test_small_numbers_are_shrunk_towards_all_municipalities_and_the_published_values_kept(
    county_46: ModelResult, built_store: Store, catalog: Catalog, preset: ModelPreset
) -> None:
    # BEF03 (share 80+) is a share with counts: shrunk; BEF01_change5y is a change: never shrunk.
    assert "BEF03" in county_46.priors and "BEF01_change5y" not in county_46.priors
    prior = county_46.priors["BEF03"]
    assert prior.kind == "beta" and prior.n_regions == 357 and 0 < prior.strength < 10_000
    modalen, bergen = county_46.row("4629").part("BEF03"), county_46.row("4601").part("BEF03")
    published_modalen = county_46.observed["BEF03"]["4629"]
    published_bergen = county_46.observed["BEF03"]["4601"]
    assert modalen.value is not None and published_modalen is not None
    assert bergen.value is not None and published_bergen is not None
    national_mean = 100 * prior.mean
    # Modalen (a few hundred people) moves towards the mean, Bergen (300 000) by less than 0.01 points.
    assert abs(modalen.value - national_mean) < abs(published_modalen - national_mean)
    # pulled by strength / (people + strength) of the way: over a quarter of it for a municipality of ~400
    assert abs(modalen.value - published_modalen) > 0.25 * abs(published_modalen - national_mean)
    assert abs(bergen.value - published_bergen) < 0.01
    assert any(note.startswith("BEF03 ") and "shrunk" in note for note in county_46.method_notes)
    columns, rows = ranking_table(county_46)
    assert columns.index("BEF03_observed") < columns.index("BEF03_value")
    row = next(row for row in rows if row["region"] == "4629")
    assert row["BEF03_observed"] == published_modalen and row["BEF03_value"] == modalen.value
    assert ranking_meta(county_46)["shrinkage"] == "empirical_bayes"

    plain = ranking_for_region(built_store, catalog, spec_from_preset(preset, shrinkage="none"), "46", draws=0)
    assert plain.priors == {} and plain.observed == {}
    assert plain.row("4629").part("BEF03").value == published_modalen
