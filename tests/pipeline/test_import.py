"""`boligmonitor import`: tidy files add data in one transaction; bad files write nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from boligmonitor.core.errors import InputError
from boligmonitor.core.flags import Harmonisation
from boligmonitor.core.status import Status
from boligmonitor.pipeline.importer import detect_format, import_file
from boligmonitor.store import Store

# Synthetic values (not statistics): an indicator with no public source in the build input (KB01, KOSTRA).
SYNTHETIC_TIDY = """indicator,region,year,value,status,note
KB01,0301,2023,120,,synthetic test value
KB01,4601,2023,,:,synthetic suppressed cell
KB01,0104,2019,7,,synthetic value under Moss's 2019 code
"""


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_tidy_import_adds_observations_and_a_data_version(store_copy: Store, tmp_path: Path) -> None:
    before = store_copy.current_version()
    assert before is not None
    summary = import_file(_write(tmp_path, "synthetic_bu01.csv", SYNTHETIC_TIDY), store_copy)
    assert summary.indicators == ("KB01",)
    version = store_copy.current_version()
    assert version is not None and version.id == before.id + 1 and version.kind == "import"
    values = {(o.region_code, o.year): o for o in store_copy.observations(indicator_id="KB01")}
    assert values[("0301", 2023)].value == 120
    assert values[("4601", 2023)].value is None and values[("4601", 2023)].status is Status.CONFIDENTIAL
    # 0104 Moss (2019) merged with Rygge in 2020; alone it is only part of today's 3103, so it is not
    # presented as 3103's value: the target is marked missing rather than silently partial.
    moss = values[("3103", 2019)]
    assert moss.value is None and moss.status is Status.MISSING
    [state] = [s for s in store_copy.indicator_status() if s.indicator_id == "KB01"]
    assert state.state == "partial" and state.n_values == 1
    # Everything else is untouched.
    assert store_copy.observations(indicator_id="BEF01", region_code="0301", year=2024)[0].value == 717_710


def test_renumbered_code_is_recoded_to_todays(store_copy: Store, tmp_path: Path) -> None:
    text = "indicator,region,year,value\nKB01,3813,2022,5\n"  # synthetic; 3813 Bamble became 4012 in 2024
    import_file(_write(tmp_path, "synthetic_bamble.csv", text), store_copy)
    [bamble] = store_copy.observations(indicator_id="KB01", region_code="4012", year=2022)
    assert bamble.value == 5
    assert bamble.harmonisation is Harmonisation.RECODED


def test_bad_rows_are_all_reported_with_line_and_field_and_nothing_is_written(
    store_copy: Store, tmp_path: Path
) -> None:
    before = store_copy.current_version()
    text = (
        "indicator,region,year,value\n"
        "KB01,0301,2023,12\n"
        "NOPE1,0301,2023,3\n"  # line 3: unknown indicator
        "KB01,0399,2023,4\n"  # line 4: a code KLASS never had
        "KB01,0301,2023,5\n"  # line 5: duplicate key
    )
    path = _write(tmp_path, "synthetic_bad.csv", text)
    with pytest.raises(InputError) as error:
        import_file(path, store_copy)
    message = str(error.value)
    assert "synthetic_bad.csv" in message
    assert "line 5" in message  # the file reader reports the duplicate first; nothing else is read then
    assert store_copy.current_version() == before

    fixed = text.replace("KB01,0301,2023,5\n", "")
    with pytest.raises(InputError) as error:
        import_file(_write(tmp_path, "synthetic_bad2.csv", fixed), store_copy)
    message = str(error.value)
    assert "line 3" in message and "'indicator'" in message and "NOPE1" in message
    assert "line 4" in message and "'region'" in message and "0399" in message
    assert store_copy.current_version() == before
    assert store_copy.observations(indicator_id="KB01") == []


def test_wrong_encoding_is_rejected(store_copy: Store, tmp_path: Path) -> None:
    path = tmp_path / "synthetic_cp1252.csv"
    path.write_bytes("indicator,region,year,value,note\nKB01,0301,2023,1,Bærum\n".encode("cp1252"))
    before = store_copy.current_version()
    with pytest.raises(InputError, match="line 2"):
        import_file(path, store_copy)
    assert store_copy.current_version() == before


def test_cube_without_a_recipe_is_refused_with_a_clear_message(store_copy: Store, api_fixtures: Path) -> None:
    path = api_fixtures / "ssb_pxwebapi_v2_12134_jsonstat2.json"
    assert detect_format(path) == "jsonstat"
    with pytest.raises(InputError, match="ssb:12134"):
        import_file(path, store_copy)


def test_detects_tidy_and_statbank_csv(tmp_path: Path) -> None:
    assert detect_format(_write(tmp_path, "a.csv", "indicator;region;year;value\n")) == "tidy-csv"
    statbank = '"07459: Befolkning"\n\n"region";"år";"Personer"\n'
    assert detect_format(_write(tmp_path, "b.csv", statbank)) == "statbank-csv"
