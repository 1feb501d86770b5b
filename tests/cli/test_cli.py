"""The `boligmonitor` command line, run in-process."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from boligmonitor.cli.app import app
from boligmonitor.core.status import Status
from boligmonitor.sources.cube import Cube, Dimension
from boligmonitor.sources.readers.jsonstat import write_jsonstat

runner = CliRunner()


def test_catalog_json_is_the_versioned_export() -> None:
    result = runner.invoke(app, ["catalog", "--json"])
    assert result.exit_code == 0, result.output
    exported = json.loads(result.stdout)
    assert exported["schema_version"] == 1
    assert exported["catalog_version"]
    assert len(exported["indicators"]) >= 60


def test_catalog_lists_themes_in_every_language() -> None:
    for lang, theme in (("nb", "Eldre og bolig"), ("nn", "Eldre og bustad"), ("en", "Older people and housing")):
        result = runner.invoke(app, ["catalog", "--lang", lang])
        assert result.exit_code == 0, result.output
        assert theme in result.stdout
    result = runner.invoke(app, ["catalog", "--lang", "de"])
    assert result.exit_code == 2


def test_status_json_on_the_built_database(built_database: Path) -> None:
    result = runner.invoke(app, ["status", "--json", "--database", f"sqlite:///{built_database}"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["municipalities"] == 357
    assert report["population"]["municipalities_with_every_year"] == 357
    assert (report["population"]["first_year"], report["population"]["last_year"]) == (2005, 2026)
    assert all(item["state"] for item in report["indicators"])


def test_status_on_an_empty_database_says_so(tmp_path: Path) -> None:
    result = runner.invoke(app, ["status", "--database", f"sqlite:///{tmp_path / 'empty.sqlite'}"])
    assert result.exit_code == 0, result.output
    assert "empty" in result.stdout


def test_convert_keeps_dimension_ids_with_spaces_and_non_ascii_letters(tmp_path: Path) -> None:
    """Synthetic cube with awkward dimension ids; values and status symbols must survive."""
    cube = Cube(
        dimensions=(
            Dimension("Kjønn og år", "kjønn og år", ("kvinner 2024", "menn 2024"), ("Kvinner", "Menn")),
            Dimension("Bydel/område", "bydel", ("030101", "030102"), ("Gamle Oslo", "Grünerløkka"), role="geo"),
        ),
        values=[1.5, None, 3, 4],
        status={1: Status.CONFIDENTIAL},
    )
    source = tmp_path / "synthetic_awkward_ids.json"
    source.write_text(json.dumps(write_jsonstat(cube), ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "out.csv"
    result = runner.invoke(app, ["convert", str(source), "--to", "csv", "--out", str(out)])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert list(rows[0]) == ["Kjønn og år", "Bydel/område", "value", "status"]
    assert rows[1] == {"Kjønn og år": "kvinner 2024", "Bydel/område": "030102", "value": "", "status": ":"}
    assert rows[0]["value"] == "1.5" and rows[2]["value"] == "3"


@pytest.mark.parametrize(
    ("fixture", "rows", "missing"),
    [
        ("ssb_pxwebapi_v0_07221_jsonstat2_response.json", 288, 24),
        ("ssb_pxwebapi_v0_09895_jsonstat2_leiemarked.json", 280, 0),
        ("ssb_pxwebapi_v2_12134_jsonstat2.json", 3, 0),
    ],
)
def test_convert_real_responses_to_stdout(api_fixtures: Path, fixture: str, rows: int, missing: int) -> None:
    result = runner.invoke(app, ["convert", str(api_fixtures / fixture)])
    assert result.exit_code == 0, result.output
    table = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(table) == rows
    assert sum(1 for row in table if row["status"] == "..") == missing


def test_convert_bad_file_fails_with_exit_code_2_and_writes_nothing(tmp_path: Path) -> None:
    source = tmp_path / "synthetic_truncated.json"
    source.write_text('{"version": "2.0", "class": "dataset", "id": ["a"], "size": [1', encoding="utf-8")
    out = tmp_path / "out.csv"
    result = runner.invoke(app, ["convert", str(source), "--out", str(out)])
    assert result.exit_code == 2
    assert "synthetic_truncated.json" in result.output
    assert not out.exists()


def test_build_rejects_a_directory_without_manifest(tmp_path: Path) -> None:
    result = runner.invoke(app, ["build", "--from", str(tmp_path), "--database", f"sqlite:///{tmp_path / 'db.sqlite'}"])
    assert result.exit_code == 2
    assert "manifest.json" in result.output


def test_build_if_changed_skips_an_unchanged_input(build_input: Path, built_database: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy.sqlite"
    copy.write_bytes(built_database.read_bytes())
    result = runner.invoke(
        app, ["build", "--from", str(build_input), "--if-changed", "--database", f"sqlite:///{copy}"]
    )
    assert result.exit_code == 0, result.output
    assert "up to date" in result.output


def test_show_one_region_as_json(built_database: Path) -> None:
    result = runner.invoke(
        app, ["show", "BEF03", "0301", "--year", "2024", "--json", "--database", f"sqlite:///{built_database}"]
    )
    assert result.exit_code == 0, result.output
    row = json.loads(result.stdout)
    for key in ("value", "numerator", "denominator", "unit", "ci_low", "ci_high", "status", "flags", "comparison"):
        assert key in row
    assert row["denominator"] == 717_710


def test_show_all_regions_with_funnel(built_database: Path) -> None:
    result = runner.invoke(
        app, ["show", "BEF03", "--all-regions", "--year", "2024", "--json", "--database", f"sqlite:///{built_database}"]
    )
    assert result.exit_code == 0, result.output
    table = json.loads(result.stdout)
    assert len(table["rows"]) == 357
    assert "funnel_low_0.998" in table["rows"][0]
    # The limits include the between-municipality variance (φ about 24 for the share aged 80+): a quarter at most
    # stand out, each one listed with its side.
    assert table["funnel_spread"]["phi"] > 10 and table["funnel_spread"]["tau2"] > 0
    assert 0 < len(table["outside_funnel_998"]) < 357 / 4
    by_region = {row["region"]: row for row in table["rows"]}
    for outlier in table["outside_funnel_998"]:
        row = by_region[outlier["region"]]
        if outlier["side"] == "high":
            assert row["value"] > row["funnel_high_0.998"]
        else:
            assert row["value"] < row["funnel_low_0.998"]


def test_show_unknown_indicator_or_region_exits_2(built_database: Path) -> None:
    url = f"sqlite:///{built_database}"
    result = runner.invoke(app, ["show", "NOPE1", "0301", "--database", url])
    assert result.exit_code == 2
    assert "NOPE1" in result.output
    result = runner.invoke(app, ["show", "BEF03", "9998", "--database", url])
    assert result.exit_code == 2
    assert "9998" in result.output


def test_show_custom_members_in_any_spelling(built_database: Path) -> None:
    """--members takes codes as users write them (K-0301, spaces, a trailing comma), as before; unknown codes are
    named in canonical form; a bare 301 is no code (municipality codes have four digits)."""
    url = f"sqlite:///{built_database}"
    show = ["show", "BEF03", "4601", "--year", "2024", "--benchmark", "custom", "--json", "--database", url]
    plain = runner.invoke(app, [*show, "--members", "0301,5001"])
    spelled = runner.invoke(app, [*show, "--members", "K-0301, 5001 ,"])
    assert plain.exit_code == 0, plain.output
    assert spelled.stdout == plain.stdout
    assert json.loads(plain.stdout)["benchmark_source"] == "pooled from 2 municipalities"
    unknown = runner.invoke(app, [*show, "--members", "0301,K-9997"])
    assert unknown.exit_code == 2
    assert "unknown municipality code: 9997" in unknown.output
    oslo = runner.invoke(app, ["show", "BEF03", "301", "--database", url])
    assert oslo.exit_code == 2
    assert "unknown region code: 301" in oslo.output


def test_show_takes_every_spelling_of_norway_and_of_a_municipality(built_database: Path) -> None:
    """0000 (SSB's code for the whole country), EAK and "Hele landet" are Norway; K-0301 is Oslo (issue 12)."""
    url = f"sqlite:///{built_database}"
    norway = runner.invoke(app, ["show", "BEF03", "0", "--year", "2024", "--json", "--database", url])
    assert norway.exit_code == 0, norway.output
    for spelling in ("0000", "EAK", "Hele landet"):
        result = runner.invoke(app, ["show", "BEF03", spelling, "--year", "2024", "--json", "--database", url])
        assert result.exit_code == 0, result.output
        assert result.stdout == norway.stdout
    oslo = runner.invoke(app, ["show", "BEF03", "0301", "--year", "2024", "--json", "--database", url])
    spelled = runner.invoke(app, ["show", "BEF03", "K-0301", "--year", "2024", "--json", "--database", url])
    assert spelled.exit_code == 0 and spelled.stdout == oslo.stdout


@pytest.mark.parametrize("benchmark", ["norway", "county", "kostra", "size", "peers"])
def test_show_accepts_every_benchmark(built_database: Path, benchmark: str) -> None:
    url = f"sqlite:///{built_database}"
    arguments = ["show", "BEF03", "4601", "--year", "2024", "--benchmark", benchmark, "--json", "--database", url]
    result = runner.invoke(app, arguments)
    assert result.exit_code == 0, result.output
    row = json.loads(result.stdout)
    assert row["benchmark_value"] is not None
    assert row["comparison"] in {"higher", "lower", "similar"}
