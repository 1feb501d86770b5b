"""The development adapter as a whole: the directory it writes from the real shared data, every file read
back by its reader, the shapes the catalogue relies on, and that a failed run never leaves a half input."""

from __future__ import annotations

import csv
import functools
import json
import re
from pathlib import Path
from typing import Any

import pytest

import boligmonitor.sources.shared_data as adapter
from boligmonitor.core.errors import InputError
from boligmonitor.core.flags import Flag, Harmonisation
from boligmonitor.sources.cube import Cube
from boligmonitor.sources.manifest import MANIFEST_NAME, BuildManifest, InputFile, read_manifest
from boligmonitor.sources.readers.geojson import read_geojson_regions
from boligmonitor.sources.readers.jsonstat import read_jsonstat
from boligmonitor.sources.readers.klass_files import read_klass_changes, read_klass_codes
from boligmonitor.sources.readers.region_files import read_region_attributes, read_split_weights
from boligmonitor.sources.shared_data import prepare_build_input
from boligmonitor.sources.shared_data import registry as registry_module


def entry(manifest: BuildManifest, dataset: str) -> InputFile:
    return next(f for f in manifest.files if f.dataset == dataset)


def raw(build_input: Path, manifest: BuildManifest, dataset: str) -> dict[str, Any]:
    """The written JSON document, parsed once per session (the population cube is large)."""
    return _parsed(build_input / entry(manifest, dataset).path)


def cube_of(build_input: Path, manifest: BuildManifest, dataset: str) -> Cube:
    """The dataset read back with our JSON-stat reader, once per session."""
    return _read_cube(build_input / entry(manifest, dataset).path)


@functools.cache
def _read_cube(path: Path) -> Cube:
    return read_jsonstat(path)


@functools.cache
def _parsed(path: Path) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(path.read_text("utf-8"))
    return document


EXPECTED = {
    "klass:131": "klass-codes",
    "klass:104": "klass-codes",
    "klass:131-changes": "klass-changes",
    "registry:kostra-group": "region-attributes",
    "registry:centrality-economic-region": "region-attributes",
    "registry:split-weights": "split-weights",
    "geo:kommuner-2024": "geojson",
    "geo:fylker-2024": "geojson",
    "ssb:07459": "jsonstat",
    "imdi:bosetting": "jsonstat",
    "imdi:innvandringsgrunn": "jsonstat",
    "imdi:sosialhjelp": "jsonstat",
    "imdi:lavinntekt": "jsonstat",
    "ssb:06035": "jsonstat",
    "ssb:09895": "jsonstat",
    "husbanken:bostotte": "jsonstat",
    "oslo:sto013": "jsonstat",
    "oslo:sto020": "jsonstat",
    "oslo:sos006": "jsonstat",
    "oslo:sos001": "jsonstat",
}
JSONSTAT_DATASETS = sorted(k for k, v in EXPECTED.items() if v == "jsonstat")
# Per-cell flag names: boligmonitor's flags plus the harmonisation values (core/flags.py).
KNOWN_FLAGS = {f.value for f in Flag} | {h.value for h in Harmonisation}


# --- the manifest -------------------------------------------------------------------------------------------


def test_manifest_lists_exactly_the_expected_datasets_and_every_file(
    build_input: Path, manifest: BuildManifest
) -> None:
    assert {f.dataset: f.format for f in manifest.files} == EXPECTED
    listed = {f.path for f in manifest.files}
    written = {p.relative_to(build_input).as_posix() for p in build_input.rglob("*") if p.is_file()}
    assert written == listed | {MANIFEST_NAME}


def test_every_entry_says_where_its_data_come_from(manifest: BuildManifest) -> None:
    for file in manifest.files:
        assert file.publisher, file.dataset
        assert file.title, file.dataset
        assert file.notes, file.dataset
        assert "shared/data/" in file.provenance, file.dataset
        assert re.search(r"\b[0-9a-f]{40}\b", file.provenance), f"{file.dataset}: no commit in provenance"
        assert file.licence, file.dataset
    assert entry(manifest, "klass:131").fetched_at is not None
    assert entry(manifest, "husbanken:bostotte").fetched_at is not None
    assert entry(manifest, "ssb:07459").code_vintage == "2024"
    assert entry(manifest, "imdi:bosetting").code_vintage == "as-published"


# --- every file read back by its reader ---------------------------------------------------------------------


def test_klass_files_read_back(build_input: Path, manifest: BuildManifest, api_fixtures: Path) -> None:
    codes = read_klass_codes(build_input / entry(manifest, "klass:131").path)
    assert len(codes) == 358
    copied = (build_input / entry(manifest, "klass:131").path).read_bytes()
    assert copied == (api_fixtures / "klass_131_codesAt_2026-01-01.json").read_bytes()
    counties = read_klass_codes(build_input / entry(manifest, "klass:104").path)
    assert [c.code for c in counties] == sorted(
        ["03", "11", "15", "18", "31", "32", "33", "34", "39", "40", "42", "46", "50", "55", "56"]
    )
    assert next(c.name for c in counties if c.code == "46") == "Vestland"
    changes = read_klass_changes(build_input / entry(manifest, "klass:131-changes").path)
    assert len(changes) == 516
    haram = [c for c in changes if c.old_code == "1507" and c.change_occurred.year == 2024]
    assert sorted(c.new_code for c in haram) == ["1508", "1580"]


def test_region_attribute_files_read_back(build_input: Path, manifest: BuildManifest) -> None:
    kostra = read_region_attributes(build_input / entry(manifest, "registry:kostra-group").path)
    assert len(kostra) == 357 * 3
    assert {a.year for a in kostra} == {2022, 2023, 2024}
    oslo = next(a for a in kostra if a.region == "0301" and a.year == 2024)
    assert oslo.value == "EKG13"
    others = read_region_attributes(build_input / entry(manifest, "registry:centrality-economic-region").path)
    assert {a.attribute for a in others} == {"centrality", "economic_region"}
    assert next(a.value for a in others if a.region == "0301" and a.attribute == "centrality") == "1"
    assert next(a.value for a in others if a.region == "1101" and a.attribute == "economic_region") == "11001"


def test_kostra_group_descriptions_ride_along_in_extra_columns(build_input: Path, manifest: BuildManifest) -> None:
    with (build_input / entry(manifest, "registry:kostra-group").path).open(encoding="utf-8") as stream:
        rows = list(csv.DictReader(stream))
    first_group = next(r for r in rows if r["value"] == "EKG01")
    assert first_group["x_kostra_group_label"] == "KOSTRA-gruppe 1"
    assert first_group["x_population_band"] == "2 000 - 9 999"
    assert first_group["x_municipality_count"] == "39"
    oslo = next(r for r in rows if r["region"] == "0301")
    assert oslo["x_free_disposable_income"] == ""  # empty in the source, not invented
    assert "newsroom" in oslo["source"]


def test_split_weights_are_csdata_fixed_shares_of_real_splits_only(build_input: Path, manifest: BuildManifest) -> None:
    weights = read_split_weights(build_input / entry(manifest, "registry:split-weights").path)
    by_old: dict[str, dict[str, float]] = {}
    for w in weights:
        by_old.setdefault(w.old_code, {})[w.new_code] = w.weight
        assert w.source == "FHI csdata nor_locations_redistricting_b2024 (fixed shares)"
    assert by_old == {
        "0720": {"3907": 1.0},  # all of Stokke to (today's) Sandefjord, as csdata does
        "1507": {"1508": 0.5, "1580": 0.5},
        "1613": {"5055": 0.35, "5056": 0.35, "5059": 0.3},
        "1850": {"1806": 0.5, "1875": 0.5},
        "5012": {"5055": 0.35, "5056": 0.35, "5059": 0.3},
    }
    assert {(w.old_code, w.valid_until_year) for w in weights} == {
        ("0720", 2016),
        ("1507", 2023),
        ("1613", 2017),
        ("1850", 2019),
        ("5012", 2019),
    }


def test_geojson_keeps_geometry_and_names_the_code(
    build_input: Path, manifest: BuildManifest, shared_data: Path
) -> None:
    municipalities = read_geojson_regions(build_input / entry(manifest, "geo:kommuner-2024").path)
    counties = read_geojson_regions(build_input / entry(manifest, "geo:fylker-2024").path)
    assert len(municipalities) == 357
    assert len(counties) == 15
    written = raw(build_input, manifest, "geo:kommuner-2024")["features"]
    source = json.loads((shared_data / "geo/kommuner_2024_robhop_S.geojson").read_text("utf-8"))["features"]
    assert [f["geometry"] for f in written] == [f["geometry"] for f in source]
    assert written[0]["properties"] == {
        "code": source[0]["properties"]["kommunenummer"],
        "name": source[0]["properties"]["kommunenavn"],
    }


@pytest.mark.parametrize("dataset", JSONSTAT_DATASETS)
def test_jsonstat_files_read_back(build_input: Path, manifest: BuildManifest, dataset: str) -> None:
    cube = cube_of(build_input, manifest, dataset)
    assert cube.geo_dimension() is not None
    assert cube.time_dimension() is not None
    assert cube.metric_dimension() is not None
    assert all(cube.metric_dimension().units.values())  # type: ignore[union-attr]


# --- what every cube promises -------------------------------------------------------------------------------


@pytest.mark.parametrize("dataset", JSONSTAT_DATASETS)
def test_a_cell_with_a_symbol_never_has_a_number(build_input: Path, manifest: BuildManifest, dataset: str) -> None:
    cube = cube_of(build_input, manifest, dataset)
    for flat, status in cube.status.items():
        assert not status.has_value, (dataset, flat, status)
        assert cube.values[flat] is None, (dataset, flat, status)
    missing = [i for i, v in enumerate(cube.values) if v is None and i not in cube.status]
    assert missing == [], f"{dataset}: cells without a value and without a status"


@pytest.mark.parametrize("dataset", JSONSTAT_DATASETS)
def test_flags_are_known_names(build_input: Path, manifest: BuildManifest, dataset: str) -> None:
    used = {name for names in cube_of(build_input, manifest, dataset).flags.values() for name in names}
    assert used <= KNOWN_FLAGS


SHAPES: dict[str, list[tuple[str, list[str] | None]]] = {
    # dimension id and, where the catalogue names them, the exact category codes (None: data-dependent)
    "ssb:07459": [  # all ages of one region and year form one block (one run of flags)
        ("Region", None),
        ("Tid", [str(y) for y in range(2005, 2027)]),
        ("Alder", [f"{a:03d}" for a in range(105)] + ["105"]),
        ("ContentsCode", ["Personer1"]),
    ],
    "imdi:bosetting": [
        ("Region", None),
        ("Bosetting", ["anmodning", "vedtak", "faktisk", "opprinnelig_anmodning"]),
        ("ContentsCode", ["Personer"]),
        ("Tid", [str(y) for y in range(1995, 2024)]),
    ],
    "imdi:innvandringsgrunn": [
        ("Region", None),
        ("Innvandringsgrunn", ["alle", "arbeid", "familie", "flukt", "utdanning", "uoppgitt"]),
        ("Kjonn", ["alle", "kvinner", "menn"]),
        ("ContentsCode", ["Personer"]),
        ("Tid", [str(y) for y in range(2006, 2022)]),
    ],
    "imdi:sosialhjelp": [
        ("Region", None),
        ("Innvandrerkategori", ["alle", "innvandrere", "befolkningen_ellers"]),
        ("Kjonn", ["alle", "menn", "kvinner"]),
        ("ContentsCode", ["Personer", "Prosent"]),
        ("Tid", ["2013", "2014"]),
    ],
    "imdi:lavinntekt": [
        ("Region", None),
        ("Innvandrerkategori", ["alle", "innvandrere", "befolkningen_ellers"]),
        ("Landbakgrunn", ["alle", "1", "2"]),
        ("ContentsCode", ["Prosent"]),
        ("Tid", ["2012", "2013", "2014"]),
    ],
    "ssb:06035": [
        ("Region", None),
        ("Boligtype", ["01"]),
        ("ContentsCode", ["KvPris"]),
        ("Tid", [str(y) for y in range(2008, 2018)]),
    ],
    "ssb:09895": [
        ("Soner2", ["00", "01"]),
        ("AntRom", ["1", "2", "3", "4", "5+"]),
        ("ContentsCode", ["Husleie", "Husleiear"]),
        ("Tid", [str(y) for y in range(2012, 2026)]),
    ],
    "husbanken:bostotte": [
        ("Region", ["0", "0301"] + [f"0301{n:02d}" for n in range(1, 16)]),
        (
            "Brukergruppe",
            [
                "alle",
                "eldre",
                "midlertidige_trygdeytelser",
                "uten_trygdeytelser",
                "ufore_ovrig",
                "unge_ufore",
            ],
        ),
        ("ContentsCode", ["husstander", "soknader", "avslag", "utbetalt"]),
        ("Tid", [str(y) for y in range(2010, 2027)]),
    ],
    "oslo:sto013": [
        ("Region", ["0301"] + [f"0301{n:02d}" for n in range(1, 16)]),
        (
            "ContentsCode",
            [
                "mottakere",
                "berorte",
                "berorte_ektefeller",
                "berorte_barn",
                "berorte_barn_par",
                "berorte_barn_enslig",
            ],
        ),
        ("Tid", [str(y) for y in range(2005, 2024)]),
    ],
    "oslo:sto020": [
        ("Region", ["0301"] + [f"0301{n:02d}" for n in range(1, 16)]),
        ("Alder", ["alle", "under20", "20-24", "25-29", "30-39", "40-49", "50-66", "67+"]),
        ("ContentsCode", ["antall", "andel"]),
        ("Tid", [str(y) for y in range(2007, 2024)]),
    ],
    "oslo:sos006": [
        ("Region", ["0301"] + [f"0301{n:02d}" for n in range(1, 16)]),
        ("Kjonn", ["alle", "kvinner", "menn"]),
        ("Alder", ["alle", "18-29", "30-39", "40-49", "50-59", "60-67"]),
        ("ContentsCode", ["Personer"]),
        ("Tid", [str(y) for y in range(2004, 2025)]),
    ],
    "oslo:sos001": [
        ("Region", ["0301"] + [f"0301{n:02d}" for n in range(1, 18)]),
        ("Kjonn", ["alle", "kvinner", "menn"]),
        ("Alder", ["alle", "under30", "30-39", "40-49", "50-59", "60+"]),
        ("ContentsCode", ["Personer"]),
        ("Tid", [str(y) for y in range(2012, 2025)]),
    ],
}


@pytest.mark.parametrize("dataset", sorted(SHAPES))
def test_cube_shapes_are_the_ones_the_catalogue_uses(build_input: Path, manifest: BuildManifest, dataset: str) -> None:
    cube = cube_of(build_input, manifest, dataset)
    assert list(cube.ids) == [dim for dim, _ in SHAPES[dataset]]
    for dim, codes in SHAPES[dataset]:
        if codes is not None:
            assert list(cube.dimension(dim).codes) == codes, dim
    roles = {d.id: d.role for d in cube.dimensions if d.role}
    if dataset == "ssb:09895":  # SSB's own answer, unchanged: its price zones have no role (a region by name)
        assert roles == {"Tid": "time", "ContentsCode": "metric"}
        return
    assert roles == {"Region": "geo", "Tid": "time", "ContentsCode": "metric"}


# --- atomic output ------------------------------------------------------------------------------------------


class _InterruptedError(Exception):
    pass


def _fail_at_geo(monkeypatch: pytest.MonkeyPatch) -> None:
    """Let the first step write its files, then fail: the staging directory is half written by then."""

    def interrupted(*_: object) -> list[InputFile]:
        raise _InterruptedError

    steps = list(adapter.STEPS)
    steps[1] = (steps[1][0], interrupted)
    monkeypatch.setattr(adapter, "STEPS", tuple(steps))


def test_an_interrupted_run_leaves_no_output(
    shared_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fail_at_geo(monkeypatch)
    out = tmp_path / "input"
    with pytest.raises(_InterruptedError):
        prepare_build_input(shared_data, out)
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []  # no staging directory left behind


def test_an_interrupted_run_keeps_the_previous_input(
    shared_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "input"
    out.mkdir()
    (out / MANIFEST_NAME).write_text("previous", encoding="utf-8")
    _fail_at_geo(monkeypatch)
    with pytest.raises(_InterruptedError):
        prepare_build_input(shared_data, out)
    assert [p.name for p in out.iterdir()] == [MANIFEST_NAME]
    assert (out / MANIFEST_NAME).read_text(encoding="utf-8") == "previous"
    assert [p.name for p in tmp_path.iterdir()] == ["input"]


def test_a_complete_run_replaces_the_previous_input(
    shared_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "input"
    out.mkdir()
    (out / "stale.txt").write_text("from an older run", encoding="utf-8")
    monkeypatch.setattr(adapter, "STEPS", adapter.STEPS[:1])  # the registry step only, to stay fast
    messages: list[str] = []
    manifest = prepare_build_input(shared_data, out, progress=messages.append)
    assert not (out / "stale.txt").exists()
    assert read_manifest(out) == manifest
    assert [p.name for p in tmp_path.iterdir()] == ["input"]
    assert messages[0].startswith("KLASS")
    assert messages[-1].startswith("wrote 6 files")


def test_a_rerun_on_unchanged_data_keeps_the_input_exactly(
    shared_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(adapter, "STEPS", adapter.STEPS[:1])  # the registry step only, to stay fast
    out = tmp_path / "input"
    first = prepare_build_input(shared_data, out)
    manifest_bytes = (out / MANIFEST_NAME).read_bytes()
    second = prepare_build_input(shared_data, out)
    assert second == first
    assert (out / MANIFEST_NAME).read_bytes() == manifest_bytes  # created_at kept: the build can skip it
    assert [p.name for p in tmp_path.iterdir()] == ["input"]


def test_a_missing_shared_file_is_an_input_error_and_nothing_is_written(
    shared_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(registry_module, "COUNTIES_SOURCE", "registry/no_such_file.json")
    out = tmp_path / "input"
    with pytest.raises(InputError) as caught:
        prepare_build_input(shared_data, out)
    assert "no_such_file.json" in caught.value.problems[0].file
    assert list(tmp_path.iterdir()) == []
