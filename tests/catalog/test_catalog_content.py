"""The packaged catalogue: its content, its languages and its faithfulness to the draft catalogue."""

from __future__ import annotations

import re
from collections.abc import Iterator
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import BaseModel

from boligmonitor.catalog import AmbitionKind, Catalog, CodeRange, Indicator, Selection, Text, load_catalog
from boligmonitor.sources.connectors.husbanken import load_definitions

THEMES_IN_ORDER = [
    ("barn_og_unge", "Barn og unge"),
    ("bostedslose", "Bostedsløse og midlertidig botilbud"),
    ("eldre_og_bolig", "Eldre og bolig"),
    ("nedsatt_funksjonsevne", "Personer med nedsatt funksjonsevne"),
    ("kommunale_boliger", "Kommunalt disponerte boliger"),
    ("husbankens_virkemidler", "Husbankens virkemidler"),
    ("flyktninger", "Flyktninger"),
    ("rus_psykisk_helse", "Rus og psykisk helse"),
    ("befolkning_boligmarked", "Befolkning og boligmarked"),
    ("styring_rutiner", "Styring, rutiner og medvirkning (egenrapportert)"),
]

# The cubes of the offline build input (written from ../shared/data by the development adapter): for each
# dataset, its measures (ContentsCode) and its other non-region, non-time dimensions with their codes
# (None: codes not fixed here, but "alle" is the total).
AGES = [f"{age:03d}" for age in range(106)]


def _only_in_unconfirmed_hypercubes() -> frozenset[tuple[str, str]]:
    """(dataset, ContentsCode) that only unconfirmed Husbanken hypercubes give: no offline input has them."""
    definitions = load_definitions()
    confirmed = {(c.dataset, m.contents_code) for c in definitions.cubes if c.confirmed for m in c.measures}
    return frozenset((c.dataset, m.contents_code) for c in definitions.cubes for m in c.measures) - confirmed


ONLY_FETCHED_UNCONFIRMED = _only_in_unconfirmed_hypercubes()
BUILD_INPUT_CUBES: dict[str, tuple[set[str], dict[str, list[str] | None]]] = {
    "ssb:07459": ({"Personer1"}, {"Alder": AGES}),
    "imdi:bosetting": (
        {"Personer"},
        {"Bosetting": ["anmodning", "vedtak", "faktisk", "opprinnelig_anmodning"]},
    ),
    "imdi:innvandringsgrunn": (
        {"Personer"},
        {
            "Innvandringsgrunn": ["alle", "arbeid", "familie", "flukt", "utdanning", "uoppgitt"],
            "Kjonn": ["alle", "kvinner", "menn"],
        },
    ),
    "imdi:sosialhjelp": (
        {"Personer", "Prosent"},
        {
            "Innvandrerkategori": ["alle", "innvandrere", "befolkningen_ellers"],
            "Kjonn": ["alle", "menn", "kvinner"],
        },
    ),
    "imdi:lavinntekt": (
        {"Prosent"},
        {
            "Innvandrerkategori": ["alle", "innvandrere", "befolkningen_ellers"],
            "Landbakgrunn": ["alle", "1", "2"],
        },
    ),
    "ssb:06035": ({"KvPris"}, {"Boligtype": ["01"]}),
    "ssb:09895": ({"Husleie", "Husleiear"}, {"AntRom": ["1", "2", "3", "4", "5+"]}),
    "husbanken:bostotte": (
        {"husstander", "soknader", "avslag", "utbetalt"},
        {
            "Brukergruppe": [
                "alle",
                "eldre",
                "midlertidige_trygdeytelser",
                "uten_trygdeytelser",
                "ufore_ovrig",
                "unge_ufore",
            ]
        },
    ),
    "oslo:sto013": ({"mottakere", "berorte_barn"}, {}),
    "oslo:sos006": ({"Personer"}, {"Kjonn": None, "Alder": None}),
    "oslo:sos001": ({"Personer"}, {"Kjonn": None, "Alder": None}),
}

# Bokmål-only words that must not appear in nynorsk text (outside proper names such as "Bolig for velferd").
BOKMAL_WORDS = re.compile(
    r"\b(ikke|fra|hvor|hva|hvem|noen|mye|husstander?|boliger?|bostedsløse|bostedsløshet|innbyggere|mottakere"
    r"|beboere|tilskudd|kommuner|flyktninger)\b",
    re.IGNORECASE,
)
# A sentence ends at . ! or ? followed by a capital; "per 1.1. og" and "31.12. er" do not end one.
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-ZÆØÅ])")
PROPER_NAMES = re.compile(r"Bolig for velferd|På vei til egen bolig|Alle trenger et trygt hjem")


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


@pytest.fixture(scope="module")
def draft(shared_data: Path) -> dict[str, Any]:
    """The draft catalogue, read at test time from ../shared/docs (never copied into the repository)."""
    path = shared_data.parent / "docs" / "indicators.yaml"
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available: faster
    loaded: dict[str, Any] = yaml.load(path.read_text(encoding="utf-8"), Loader=loader)
    return loaded


def texts(value: object) -> Iterator[Text]:
    """Every Text inside a model, recursively."""
    if isinstance(value, Text):
        yield value
    elif isinstance(value, tuple | list):
        for item in value:
            yield from texts(item)
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            yield from texts(getattr(value, name))


def all_texts(catalog: Catalog) -> list[Text]:
    return list(texts(catalog))


# ----------------------------------------------------------------------------------------- structure


def test_packaged_catalogue_loads_and_is_versioned(catalog: Catalog) -> None:
    assert catalog.schema_version == 1
    assert re.fullmatch(r"\d{4}\.\d{1,2}\.\d+", catalog.version)
    assert load_catalog() is catalog  # the packaged catalogue is parsed once


def test_at_least_sixty_indicators_with_unique_ids(catalog: Catalog) -> None:
    ids = [indicator.id for indicator in catalog.indicators]
    assert len(ids) >= 60
    assert len(set(ids)) == len(ids)


@pytest.mark.parametrize(
    ("indicator_id", "kind"),
    [
        ("BEF01", "stock"),  # the whole population: the denominator of the rates, not a chance outcome
        ("KB01", "stock"),
        ("FL05", "administrative"),  # IMDi's request: a target IMDi sets
        ("FL06", "administrative"),  # the municipality's decision as a percentage of that request
        ("FL01", "rate"),  # refugees settled per 1 000 residents
        ("KB02", "rate"),  # municipal dwellings per 1 000: Poisson, as methods.md §2 says
        ("BEF03", "share"),  # residents aged 80+ of the population: Wilson
        ("HB05", "event_count"),
        ("BEF04", "projection"),
        ("BEF16", "summary"),
    ],
)
def test_every_indicator_says_what_kind_of_quantity_it_is(catalog: Catalog, indicator_id: str, kind: str) -> None:
    assert catalog.indicator(indicator_id).kind.value == kind


def test_themes_come_in_the_agreed_order(catalog: Catalog) -> None:
    assert [(theme.id, theme.name.nb) for theme in catalog.themes] == THEMES_IN_ORDER
    assert [theme.order for theme in catalog.themes] == sorted(theme.order for theme in catalog.themes)


@pytest.mark.parametrize("theme_id", [theme_id for theme_id, _ in THEMES_IN_ORDER])
def test_every_theme_has_indicators_and_explains_scope_and_error_sources(catalog: Catalog, theme_id: str) -> None:
    theme = catalog.theme(theme_id)
    assert catalog.indicators_in(theme_id)
    for text in (theme.scope, theme.error_sources):
        for language in ("nb", "nn", "en"):
            sentences = SENTENCE_END.split(text.get(language))
            assert 2 <= len(sentences) <= 5, (theme_id, language, sentences)
        assert text.nn != text.nb, theme_id


def test_programme_goals_of_themes_are_those_of_their_indicators(catalog: Catalog) -> None:
    for theme in catalog.themes:
        linked = {link.goal_id for i in catalog.indicators_in(theme.id) for link in i.programme_links}
        assert set(theme.related_programme_goals) == linked, theme.id


# ----------------------------------------------------------------------------------------- languages


def test_nynorsk_is_not_a_copy_of_bokmal(catalog: Catalog) -> None:
    every = all_texts(catalog)
    differing = [text for text in every if text.nn != text.nb]
    assert len(differing) / len(every) >= 0.85

    long_texts = [text for text in every if len(PROPER_NAMES.sub("", text.nb)) > 60]
    assert [text.nb for text in long_texts if text.nn == text.nb] == []


def test_nynorsk_uses_nynorsk_words(catalog: Catalog) -> None:
    offenders = []
    for text in all_texts(catalog):
        nynorsk = PROPER_NAMES.sub("", text.nn)
        if BOKMAL_WORDS.search(nynorsk):
            offenders.append(text.nn)
    assert offenders == []


def test_english_is_not_a_copy_of_bokmal(catalog: Catalog) -> None:
    long_texts = [text for text in all_texts(catalog) if len(text.nb) > 40]
    assert all(text.en != text.nb for text in long_texts)


# ------------------------------------------------------------------------------------ draft fidelity


def draft_codes(contents_code: str | None, draft_ids: set[str]) -> set[str]:
    """The ContentsCodes named in a draft `contents_code` cell, which may combine several
    ("KOSa (antall); KOSb (andel)", "KOSa + KOSb", "KOSa / KB01", "Personer (MMMM per third-party code)")."""
    if contents_code is None:
        return set()
    codes = set()
    for part in re.split(r";|\+|×| / ", contents_code):
        word = part.strip().split(" ")[0]
        if re.fullmatch(r"[A-Za-zÆØÅæøå][A-Za-zÆØÅæøå0-9]+", word) and word not in draft_ids:
            codes.add(word)
    return codes


def draft_table(table: str | None) -> str | None:
    if table is None:
        return None
    match = re.match(r"^(\d{5})\b", table)
    return match.group(1) if match else table


STATUS = {"n/a": "n_a"}


def test_every_draft_indicator_is_kept_with_its_theme(catalog: Catalog, draft: dict[str, Any]) -> None:
    for item in draft["indicators"]:
        assert catalog.indicator(item["id"]).theme == item["theme"]


def test_draft_table_ids_contents_codes_and_statuses_are_kept(catalog: Catalog, draft: dict[str, Any]) -> None:
    draft_ids = {item["id"] for item in draft["indicators"]}
    for item in draft["indicators"]:
        indicator = catalog.indicator(item["id"])
        for source in item["sources"]:
            table = draft_table(source["table"])
            codes = draft_codes(source["contents_code"], draft_ids)
            statuses = (
                STATUS.get(source["table_status"], source["table_status"]),
                STATUS.get(source["contents_code_status"], source["contents_code_status"]),
            )
            if table is None and not codes and source["provider"].startswith("Derived"):
                continue  # a derived value with neither table nor code: nothing to keep but its inputs
            wanted: set[str | None] = set(codes) or {None}
            for code in wanted:
                kept = [
                    ref
                    for ref in indicator.sources
                    if ref.table == table
                    and (code is None or ref.contents_code == code)
                    and (ref.table_status, ref.contents_code_status) == statuses
                ]
                assert kept, (item["id"], source["table"], source["contents_code"], statuses)


def test_draft_caveats_are_kept_in_english(catalog: Catalog, draft: dict[str, Any]) -> None:
    for item in draft["indicators"]:
        indicator = catalog.indicator(item["id"])
        # A caveat that is a note for maintainers ("check the code still exists") is kept in maintainer_notes.
        english = {caveat.en for caveat in indicator.caveats} | set(indicator.maintainer_notes)
        assert set(item["caveats"]) <= english, item["id"]


def test_draft_result_indicators_link_to_a_programme_goal(catalog: Catalog, draft: dict[str, Any]) -> None:
    for item in draft["indicators"]:
        links = catalog.indicator(item["id"]).programme_links
        assert bool(links) == item["bolig_for_velferd"]["result_indicator"], item["id"]
        assert all(link.result_indicator for link in links)


def test_numeric_goals_of_the_draft(catalog: Catalog) -> None:
    homeless_assisted = catalog.goal("kp_sosialhjelp_uten_bolig")
    assert homeless_assisted.kind is AmbitionKind.RELATIVE_CHANGE
    assert (homeless_assisted.target, homeless_assisted.baseline_year) == (-30, 2014)
    assert set(homeless_assisted.indicator_ids) == {"BL05", "BL06"}

    start_loans = catalog.goal("kp_startlan_barnefamilier")
    assert (start_loans.kind, start_loans.target) == (AmbitionKind.AT_LEAST, 50)
    assert set(start_loans.indicator_ids) == {"BU08", "HB03"}

    shares = {goal.id: goal.target for goal in catalog.goals if goal.kind is AmbitionKind.REACH_SHARE}
    assert shares == {
        "kp_veiledning_leiemarked": 85,
        "kp_forebygge_utkastelser": 85,
        "kp_klageordning": 100,
        "kp_boligsosiale_hensyn_i_planer": 100,
    }
    # Programme-wide totals must not be read as a norm for each municipality.
    assert catalog.goal("kp_tilvisningsavtaler").applies_to == "programme_aggregate"
    assert catalog.goal("kp_nye_boliger_rus_psykisk").applies_to == "programme_aggregate"


def test_kostra_codes_without_verified_table_are_resolved_at_run_time(catalog: Catalog) -> None:
    for indicator in catalog.indicators:
        for ref in indicator.sources:
            code = ref.contents_code or ""
            if ref.publisher == "SSB" and code.startswith("KOS") and code != "KOSbelop0000":
                assert ref.resolve_by_contents_code, (indicator.id, code)
                assert ref.table_status != "verified"


def test_no_table_id_is_invented(catalog: Catalog, draft: dict[str, Any]) -> None:
    known_tables = {draft_table(table["table"]) for table in draft["ssb_tables"]}
    known_tables |= {draft_table(s["table"]) for item in draft["indicators"] for s in item["sources"]}
    build_input_tables = {"06035", "STØ013", "SOS006", "SOS001"}  # named in shared/data/PROVENANCE.md
    for indicator in catalog.indicators:
        for ref in indicator.sources:
            if ref.table is not None:
                assert ref.table in known_tables | build_input_tables, (indicator.id, ref.table)


# ------------------------------------------------------------------------------------------- recipes


def recipes(catalog: Catalog) -> Iterator[tuple[Indicator, str, Selection]]:
    for indicator in catalog.indicators:
        if indicator.recipe is not None:
            for part, selection in indicator.recipe.selections():
                yield indicator, part, selection


def test_recipes_on_build_input_cubes_fit_them(catalog: Catalog) -> None:
    """Recipes on the offline build input's cubes use its codes. The other recipes read SSB tables that only a
    fetch brings; their queries are built against the fake server's metadata (tests/connectors/test_recipes.py)."""
    for indicator, part, selection in recipes(catalog):
        where = (indicator.id, part)
        if selection.dataset not in BUILD_INPUT_CUBES:
            # Husbanken datasets only a fetch brings fit definitions.yaml (tests/connectors/test_husbanken_recipes.py).
            assert selection.dataset.startswith(("ssb:", "husbanken:")), where
            continue
        measures, dimensions = BUILD_INPUT_CUBES[selection.dataset]
        if (selection.dataset, selection.measure) in ONLY_FETCHED_UNCONFIRMED:
            continue  # households with children: only an unconfirmed hypercube gives them, never the offline input
        assert selection.measure in measures, where
        assert set(selection.select) == set(dimensions), where  # every other dimension is specified
        for dimension, chosen in selection.select.items():
            allowed = dimensions[dimension]
            if chosen == "all":
                continue
            if isinstance(chosen, CodeRange):
                assert allowed is not None, where
                assert {chosen.from_code, chosen.to_code} <= set(allowed), where
                continue
            assert set(chosen) <= set(allowed if allowed is not None else ["alle"]), where


def test_every_build_input_cube_feeds_some_indicator(catalog: Catalog) -> None:
    for dataset in BUILD_INPUT_CUBES:
        assert catalog.by_dataset(dataset), dataset


def test_population_shares_use_the_whole_population_as_denominator(catalog: Catalog) -> None:
    for indicator_id, ages in {
        "BEF02": ("000", "017"),
        "BEF03": ("080", "105"),
        "EL10": ("067", "105"),
    }.items():
        recipe = catalog.indicator(indicator_id).recipe
        assert recipe is not None
        assert recipe.numerator is not None
        assert recipe.denominator is not None
        assert recipe.numerator.select["Alder"] == CodeRange(from_code=ages[0], to_code=ages[1])
        assert recipe.denominator.select == {"Alder": "all"}
        assert catalog.indicator(indicator_id).unit == "percent"


def test_district_indicators_are_district_only(catalog: Catalog) -> None:
    oslo_cubes = {"oslo:sto013", "oslo:sos006", "oslo:sos001"}
    for indicator in catalog.indicators:
        if indicator.recipe is not None and indicator.recipe.datasets & oslo_cubes:
            assert indicator.geo_levels == ("district",), indicator.id


# SSB-sourced indicators without a recipe, and why: none since catalogue 2026.12.7, when BEF12 (price zones: the
# national row, two rooms) and BEF13 (quarterly: the mean of a year's quarters) got theirs.
SSB_WITHOUT_RECIPE: dict[str, str] = {}


def test_every_ssb_indicator_has_a_recipe_with_evidence(catalog: Catalog) -> None:
    for indicator in catalog.indicators:
        ssb = {source.dataset for source in indicator.sources if source.publisher == "SSB"}
        if not ssb:
            continue
        if indicator.id in SSB_WITHOUT_RECIPE:
            assert indicator.recipe is None, indicator.id
            continue
        assert indicator.recipe is not None, indicator.id
        read = indicator.recipe.datasets & ssb
        assert read, indicator.id  # the recipe reads SSB, not only another source
        for part, selection in indicator.recipe.selections():
            if selection.dataset in ssb:
                assert selection.measure is not None and selection.evidence is not None, (indicator.id, part)


def test_placeholders_are_assumed_and_never_look_like_real_codes(catalog: Catalog) -> None:
    placeholders = 0
    for indicator, part, selection in recipes(catalog):
        if selection.placeholders:
            placeholders += 1
            assert selection.evidence is not None and selection.evidence.summary == "assumed", (indicator.id, part)
        if selection.measure and selection.measure.startswith("KOS"):
            assert selection.evidence is not None and selection.evidence.contents_code != "assumed"
    assert placeholders > 0  # the unknown ContentsCodes are spelled out, not left out


def test_indicators_without_build_input_say_so(catalog: Catalog) -> None:
    self_reported = catalog.indicator("BU03")
    assert self_reported.recipe is None
    assert not self_reported.computable
    # The low-income cube is for all ages: it must not feed the children's indicator (08764 does).
    assert catalog.indicator("BU04").recipe is not None
    assert catalog.indicator("BU04").recipe.datasets == {"ssb:08764"}  # type: ignore[union-attr]
    assert catalog.by_dataset("imdi:lavinntekt") == [catalog.indicator("BEF19")]


def test_the_example_in_the_documentation_is_a_valid_indicator(tmp_path: Path) -> None:
    docs = Path(__file__).resolve().parents[2] / "docs" / "catalog.md"
    example = re.search(r"```yaml\n(  - id: BEF20\n.*?)```", docs.read_text(encoding="utf-8"), re.DOTALL)
    assert example is not None
    packaged = files("boligmonitor.catalog").joinpath("data/catalog.yaml").read_text(encoding="utf-8")
    goals_at = packaged.index("\ngoals:")
    extended = packaged[:goals_at] + "\n" + example.group(1).replace("BEF20", "BEF99") + packaged[goals_at:]
    path = tmp_path / "catalog.yaml"
    path.write_text(extended, encoding="utf-8")

    added = load_catalog(path).indicator("BEF99")

    assert added.recipe is not None
    assert added.recipe.datasets == {"ssb:07459"}
