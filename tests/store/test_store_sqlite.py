"""Store behaviour on SQLite, the default backend; the behaviour tests also run on PostgreSQL (``store``
is parametrised over both backends). SQLite-only checks (connection set-up, URLs) are at the end.

All values are synthetic.
"""

from __future__ import annotations

import dataclasses
import sqlite3
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import cast

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Column, Integer, MetaData, Table, inspect, select, text
from sqlalchemy.exc import IntegrityError

from boligmonitor.core.flags import Flag, Harmonisation
from boligmonitor.core.observation import Observation
from boligmonitor.core.status import Status
from boligmonitor.store import (
    DATABASE_URL_VARIABLE,
    CoverageRow,
    DatasetRow,
    GeometryRow,
    IndicatorStatusRow,
    RegionAttributeRow,
    RegionChangeRow,
    RegionRow,
    Store,
    create_engine_for,
    current_revision,
    database_url,
    head_revision,
    migrate,
)
from boligmonitor.store.reporting.coding import include_in_schema_comparison
from boligmonitor.store.schema import metadata

OSLO_TIME = timezone(timedelta(hours=1))


def synthetic_observation(
    region_code: str = "0301",
    year: int = 2020,
    value: float | None = 1.0,
    status: Status = Status.OK,
    indicator_id: str = "synthetic_share",
    dataset_id: str = "synthetic:dataset",
) -> Observation:
    return Observation(
        indicator_id=indicator_id,
        region_code=region_code,
        year=year,
        value=value,
        numerator=None if value is None else value * 10,
        denominator=None if value is None else 10.0,
        unit="percent",
        status=status,
        dataset_id=dataset_id,
    )


# Round trips


def test_an_empty_database_has_no_version_and_no_rows(store: Store) -> None:
    assert store.current_version() is None
    assert store.versions() == []
    assert store.observations() == []
    assert store.coverage() == []


def test_every_status_harmonisation_and_flag_combination_round_trips(store: Store, dataset_row: DatasetRow) -> None:
    flag_sets = [frozenset(), frozenset(Flag), frozenset({Flag.SERIES_BREAK, Flag.ESTIMATED})]
    observations = []
    for index, (status, harmonisation) in enumerate(
        (status, harmonisation) for status in Status for harmonisation in Harmonisation
    ):
        has_value = status.has_value
        observations.append(
            Observation(
                indicator_id="synthetic_share",
                region_code=f"{index:04d}",
                year=2020,
                value=12.5 if has_value else None,
                numerator=1.0 if has_value else None,
                denominator=8.0 if has_value else None,
                unit="percent",
                status=status,
                dataset_id=dataset_row.id,
                source_table="00000" if index % 2 else None,
                # A non-UTC zone: read back as the same instant, in UTC.
                fetched_at=datetime(2025, 1, 2, 3, 4, 5, 678901, tzinfo=OSLO_TIME) if index % 3 else None,
                harmonisation=harmonisation,
                flags=flag_sets[index % len(flag_sets)],
                note="synthetic note" if index % 2 else None,
            )
        )
    with store.write("build", "synthetic round trip") as writer:
        writer.put_datasets([dataset_row])
        assert writer.put_observations(observations) == len(observations)

    stored = store.observations()
    assert stored == sorted(observations, key=Observation.key)
    assert {observation.status for observation in stored} == set(Status)
    for observation in stored:
        assert observation.fetched_at is None or observation.fetched_at.tzinfo == UTC
        assert isinstance(observation.status, Status)
        assert isinstance(observation.harmonisation, Harmonisation)


def test_a_missing_value_stays_none_and_a_nil_value_stays_zero(store: Store, dataset_row: DatasetRow) -> None:
    confidential = synthetic_observation("0301", value=None, status=Status.CONFIDENTIAL)
    nil = synthetic_observation("1103", value=0.0, status=Status.NIL)
    with store.write("build", "synthetic") as writer:
        writer.put_datasets([dataset_row])
        writer.put_observations([confidential, nil])

    by_region = {observation.region_code: observation for observation in store.observations()}
    assert by_region["0301"].value is None
    assert by_region["0301"].numerator is None
    assert by_region["0301"].status is Status.CONFIDENTIAL
    assert by_region["1103"].value == 0.0
    assert by_region["1103"].status is Status.NIL


def test_numbers_round_trip_exactly(store: Store, dataset_row: DatasetRow) -> None:
    numbers = [0.1, 1 / 3, 2.0**-1074, 1.7976931348623157e307, -123456.789, 1e-300]
    observations = [synthetic_observation(f"{index:04d}", value=number) for index, number in enumerate(numbers)]
    with store.write("build", "synthetic") as writer:
        writer.put_datasets([dataset_row])
        writer.put_observations(observations)
    assert [observation.value for observation in store.observations()] == numbers


def test_region_rows_round_trip(store: Store) -> None:
    regions = [
        RegionRow("0", "Norge", "country"),
        RegionRow("55", "Troms", "county", "0", {"nb": "Troms", "se": "Romsa", "fkv": "Tromssa"}),
        RegionRow(
            "5544",
            "Nordreisa - Ráisa - Raisi",
            "municipality",
            "55",
            {"nb": "Nordreisa", "se": "Ráisa", "fkv": "Raisi"},
            date(2024, 1, 1),
            None,
        ),
        RegionRow("5428", "Nordreisa", "municipality", "54", {}, date(2020, 1, 1), date(2023, 12, 31)),
    ]
    attributes = [
        RegionAttributeRow("5544", "kostra_group", 2024, "EKG05", "synthetic:kostra"),
        RegionAttributeRow("5544", "centrality", 2024, "6", "synthetic:centrality"),
    ]
    changes = [RegionChangeRow("5428", "Nordreisa", "5544", "Nordreisa - Ráisa - Raisi", date(2024, 1, 1), "recode")]
    with store.write("build", "synthetic regions") as writer:
        assert writer.put_regions(regions) == 4
        writer.put_region_attributes(attributes)
        writer.put_region_changes(changes)

    assert store.regions() == sorted(regions, key=lambda region: region.code)
    assert store.regions(level="municipality") == [regions[3], regions[2]]
    by_code = {region.code: region for region in store.regions()}
    assert by_code["5544"].names == {"nb": "Nordreisa", "se": "Ráisa", "fkv": "Raisi"}
    assert store.region_attributes() == [attributes[1], attributes[0]]
    assert store.region_attributes("kostra_group") == [attributes[0]]
    assert store.region_changes() == changes


def test_dataset_rows_round_trip_and_upsert_by_id(store: Store, dataset_row: DatasetRow) -> None:
    bare = DatasetRow(
        id="synthetic:bare",
        publisher="Synthetic",
        title="No optional fields",
        table=None,
        file="bare.csv",
        sha256="f" * 64,
        fetched_at=None,
        updated=None,
        code_vintage="2024",
        licence=None,
        provenance="",
        notes=(),
    )
    with store.write("build", "synthetic datasets") as writer:
        writer.put_datasets([dataset_row, bare])
    assert store.datasets() == [bare, dataset_row]

    refetched = dataclasses.replace(
        dataset_row, sha256="1" * 64, fetched_at=datetime(2025, 6, 1, tzinfo=UTC), notes=("a", "b")
    )
    with store.write("refresh", "synthetic refetch") as writer:
        writer.put_datasets([refetched])
    assert store.datasets() == [bare, refetched]


def test_each_observation_field_is_stored_in_its_own_column_as_text_where_it_is_an_enum(
    store: Store, dataset_row: DatasetRow
) -> None:
    # Every field holds a value no other field has, so a field written to another column would show.
    observation = Observation(
        indicator_id="synthetic_share",
        region_code="0301",
        year=2020,
        value=12.5,
        numerator=25.0,
        denominator=200.0,
        unit="percent",
        status=Status.PRELIMINARY,
        dataset_id=dataset_row.id,
        source_table="00000",
        fetched_at=datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC),
        harmonisation=Harmonisation.SUMMED,
        flags=frozenset({Flag.SERIES_BREAK, Flag.ESTIMATED}),
        note="synthetic note",
    )
    with store.write("build", "synthetic") as writer:
        version = writer.version
        writer.put_datasets([dataset_row])
        writer.put_observations([observation])

    with store.engine.connect() as connection:
        stored = connection.execute(select(metadata.tables["observation"])).one()._asdict()
    assert stored == {
        "indicator_id": "synthetic_share",
        "region_code": "0301",
        "year": 2020,
        "value": 12.5,
        "numerator": 25.0,
        "denominator": 200.0,
        "unit": "percent",
        "status": "*",
        "harmonisation": "summed",
        "flags": "estimated,series_break",
        "dataset_id": dataset_row.id,
        "source_table": "00000",
        "fetched_at": datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC),
        "note": "synthetic note",
        "data_version": version.id,
    }
    assert store.observations() == [observation]


def test_renamed_and_json_columns_are_stored_as_documented(store: Store, dataset_row: DatasetRow) -> None:
    region = RegionRow("5544", "Nordreisa - Ráisa - Raisi", "municipality", "55", {"se": "Ráisa", "nb": "Nordreisa"})
    with store.write("build", "synthetic") as writer:
        writer.put_datasets([dataset_row])
        writer.put_regions([region])
    with store.engine.connect() as connection:
        dataset = connection.execute(select(metadata.tables["dataset"])).one()
        stored_region = connection.execute(select(metadata.tables["region"])).one()
    assert (dataset.source_table, dataset.notes) == (dataset_row.table, '["synthetic"]')
    assert stored_region.names == '{"nb": "Nordreisa", "se": "Ráisa"}'  # canonical: sorted keys, not escaped


def test_an_unknown_status_is_refused(store: Store, dataset_row: DatasetRow) -> None:
    unknown = dataclasses.replace(synthetic_observation(), status=cast(Status, "?"))

    def write_it() -> None:
        with store.write("build", "x") as writer:
            writer.put_datasets([dataset_row])
            writer.put_observations([unknown])

    with pytest.raises(ValueError, match=r"observation \('synthetic_share', '0301', 2020\): unknown status .* '\?'"):
        write_it()
    assert store.current_version() is None


def test_indicator_status_is_replaced_as_a_whole(store: Store) -> None:
    first = [
        IndicatorStatusRow("synthetic_a", "loaded", "", 10, 5, 4, 2015, 2024),
        IndicatorStatusRow("synthetic_b", "no_source", "no public table", 0, 0, 0, None, None),
    ]
    second = [IndicatorStatusRow("synthetic_c", "failed", "synthetic failure", 0, 0, 0, None, None)]
    with store.write("build", "first") as writer:
        writer.put_indicator_status(first)
    assert store.indicator_status() == first
    with store.write("build", "second") as writer:
        writer.put_indicator_status(second)
    assert store.indicator_status() == second


def test_an_unknown_indicator_state_is_refused(store: Store) -> None:
    with pytest.raises(ValueError, match="unknown state 'done'"), store.write("build", "bad") as writer:
        writer.put_indicator_status([IndicatorStatusRow("synthetic_a", "done", "", 0, 0, 0, None, None)])
    assert store.current_version() is None


def test_geometry_rows_round_trip(store: Store) -> None:
    rows = [
        GeometryRow("0301", "2024", '{"type": "Polygon", "coordinates": []}'),
        GeometryRow("0301", "2020", '{"type": "MultiPolygon", "coordinates": []}'),
    ]
    with store.write("build", "synthetic geometry") as writer:
        writer.put_geometries(rows)
    assert store.geometries() == [rows[1], rows[0]]
    assert store.geometries(vintage="2024") == [rows[0]]


def test_data_versions_are_recorded(store: Store) -> None:
    before = datetime.now(UTC)
    with store.write("build", "synthetic build", "catalog-1", input_fingerprint="sha256:synthetic") as writer:
        created = writer.version
    with store.write("import", "synthetic import") as writer:
        imported = writer.version

    assert created.kind == "build"
    assert created.catalog_version == "catalog-1"
    assert created.input_fingerprint == "sha256:synthetic"
    assert imported.input_fingerprint is None
    assert before <= created.created_at <= imported.created_at
    assert created.created_at.tzinfo == UTC
    assert imported.id > created.id
    assert store.versions() == [created, imported]
    assert store.current_version() == imported


def test_an_unknown_version_kind_is_refused(store: Store) -> None:
    with pytest.raises(ValueError, match="unknown data version kind"), store.write("rebuild", "x"):
        pass


# Upserts and deletes


def test_putting_an_observation_again_replaces_it(store: Store, dataset_row: DatasetRow) -> None:
    with store.write("build", "first") as writer:
        first = writer.version
        writer.put_datasets([dataset_row])
        writer.put_observations([synthetic_observation(value=1.0), synthetic_observation("1103", value=2.0)])
    with store.write("refresh", "second") as writer:
        second = writer.version
        revised = dataclasses.replace(
            synthetic_observation(value=1.5), status=Status.PRELIMINARY, flags=frozenset({Flag.PRELIMINARY})
        )
        writer.put_observations([revised])

    stored = store.observations(region_code="0301")
    assert stored == [revised]
    assert len(store.observations()) == 2
    with store.engine.connect() as connection:
        rows = connection.execute(text("SELECT region_code, data_version FROM observation")).all()
    versions = {row.region_code: row.data_version for row in rows}
    assert versions["0301"] == second.id
    assert versions["1103"] == first.id


def test_the_last_of_repeated_keys_wins(store: Store, dataset_row: DatasetRow) -> None:
    with store.write("build", "synthetic") as writer:
        writer.put_datasets([dataset_row])
        writer.put_observations([synthetic_observation(value=1.0), synthetic_observation(value=3.0)])
    assert [observation.value for observation in store.observations()] == [3.0]


def test_delete_observations_by_indicator_and_dataset(store: Store, dataset_row: DatasetRow) -> None:
    other = dataclasses.replace(dataset_row, id="synthetic:other")
    with store.write("build", "synthetic") as writer:
        writer.put_datasets([dataset_row, other])
        writer.put_observations(
            [
                synthetic_observation("0301"),
                synthetic_observation("1103", dataset_id=other.id),
                synthetic_observation("0301", indicator_id="synthetic_count"),
            ]
        )
        assert writer.delete_observations("synthetic_share", dataset_id=other.id) == 1
    assert [o.key() for o in store.observations()] == [
        ("synthetic_count", "0301", 2020),
        ("synthetic_share", "0301", 2020),
    ]
    with store.write("refresh", "delete") as writer:
        assert writer.delete_observations("synthetic_share") == 1
    assert [o.indicator_id for o in store.observations()] == ["synthetic_count"]


def test_replace_everything_empties_every_data_table_but_keeps_versions(store: Store, dataset_row: DatasetRow) -> None:
    with store.write("build", "first") as writer:
        writer.put_datasets([dataset_row])
        writer.put_observations([synthetic_observation()])
        writer.put_regions([RegionRow("0301", "Oslo", "municipality")])
        writer.put_region_attributes([RegionAttributeRow("0301", "centrality", 2024, "1", "synthetic")])
        writer.put_region_changes([RegionChangeRow("0301", "Oslo", "0301", "Oslo", date(2020, 1, 1), "none")])
        writer.put_indicator_status([IndicatorStatusRow("synthetic_share", "loaded", "", 1, 1, 1, 2020, 2020)])
        writer.put_geometries([GeometryRow("0301", "2024", "{}")])
    with store.write("build", "second") as writer:
        writer.replace_everything()

    assert store.observations() == []
    assert store.datasets() == []
    assert store.regions() == []
    assert store.region_attributes() == []
    assert store.region_changes() == []
    assert store.indicator_status() == []
    assert store.geometries() == []
    assert len(store.versions()) == 2


def test_an_observation_needs_its_dataset(store: Store) -> None:
    with pytest.raises(IntegrityError), store.write("build", "no dataset") as writer:
        writer.put_observations([synthetic_observation()])
    assert store.current_version() is None


@pytest.mark.parametrize("number", [float("nan"), float("inf")])
def test_nan_and_infinity_are_refused(store: Store, dataset_row: DatasetRow, number: float) -> None:
    def write_the_number() -> None:
        with store.write("build", "x") as writer:
            writer.put_datasets([dataset_row])
            writer.put_observations([synthetic_observation(value=number)])

    with pytest.raises(ValueError, match="store a missing value as None"):
        write_the_number()
    assert store.datasets() == []


def test_a_timestamp_without_time_zone_is_refused(store: Store, dataset_row: DatasetRow) -> None:
    naive = dataclasses.replace(dataset_row, fetched_at=datetime(2025, 1, 1, 12, 0))
    with pytest.raises(ValueError, match="without time zone"), store.write("build", "x") as writer:
        writer.put_datasets([naive])


# Queries


def test_observation_filters(store: Store, dataset_row: DatasetRow) -> None:
    observations = [
        synthetic_observation(region, year, indicator_id=indicator)
        for indicator in ("synthetic_a", "synthetic_b")
        for region in ("0301", "1103", "4601")
        for year in (2019, 2020)
    ]
    with store.write("build", "synthetic") as writer:
        writer.put_datasets([dataset_row])
        writer.put_observations(observations)

    def keys(found: list[Observation]) -> list[tuple[str, str, int]]:
        return [observation.key() for observation in found]

    assert keys(store.observations(indicator_id="synthetic_b", year=2020)) == [
        ("synthetic_b", "0301", 2020),
        ("synthetic_b", "1103", 2020),
        ("synthetic_b", "4601", 2020),
    ]
    assert keys(store.observations("synthetic_a", region_code="1103")) == [
        ("synthetic_a", "1103", 2019),
        ("synthetic_a", "1103", 2020),
    ]
    assert keys(store.observations("synthetic_a", year=2019, region_codes={"4601", "0301", "9999"})) == [
        ("synthetic_a", "0301", 2019),
        ("synthetic_a", "4601", 2019),
    ]
    assert store.observations(region_codes=[]) == []
    assert len(store.observations()) == len(observations)
    assert store.years("synthetic_a") == [2019, 2020]
    assert store.years("synthetic_unknown") == []


def test_coverage_counts_values_missing_values_regions_and_years(store: Store, dataset_row: DatasetRow) -> None:
    observations = [
        synthetic_observation("0301", 2015),
        synthetic_observation("0301", 2016),
        synthetic_observation("0301", 2017, value=None, status=Status.MISSING),
        synthetic_observation("1103", 2016),
        synthetic_observation("1103", 2018, value=None, status=Status.CONFIDENTIAL),
        synthetic_observation("03", 2016),
        synthetic_observation("0", 2014, value=None, status=Status.NOT_YET_AVAILABLE),
        synthetic_observation("4601", 2019, value=None, status=Status.CONFIDENTIAL),
        synthetic_observation("0301", 2020, value=0.0, status=Status.NIL, indicator_id="synthetic_count"),
    ]
    regions = [
        RegionRow("0", "Norge", "country"),
        RegionRow("03", "Oslo", "county", "0"),
        RegionRow("0301", "Oslo", "municipality", "03"),
        RegionRow("1103", "Stavanger", "municipality", "11"),
        RegionRow("4601", "Bergen", "municipality", "46"),
    ]
    with store.write("build", "synthetic") as writer:
        writer.put_datasets([dataset_row])
        writer.put_regions(regions)
        writer.put_observations(observations)

    # Fields: n_values, n_missing, n_regions, n_municipalities, first_year, last_year (years with values).
    assert store.coverage() == [
        CoverageRow("synthetic_count", 1, 0, 1, 1, 2020, 2020),
        CoverageRow("synthetic_share", 4, 4, 3, 2, 2015, 2016),
    ]


def test_coverage_of_an_indicator_without_values(store: Store, dataset_row: DatasetRow) -> None:
    with store.write("build", "synthetic") as writer:
        writer.put_datasets([dataset_row])
        writer.put_observations([synthetic_observation(value=None, status=Status.CONFIDENTIAL)])
    assert store.coverage() == [CoverageRow("synthetic_share", 0, 1, 0, 0, None, None)]


# Migrations


def test_migrate_is_idempotent_and_yields_exactly_the_schema_module(store: Store) -> None:
    migrate(store.engine)
    migrate(store.engine)
    assert current_revision(store.engine) == head_revision()
    with store.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_name": include_in_schema_comparison}
        )
        assert compare_metadata(context, metadata) == []


def test_migrate_creates_every_column_in_the_schema_modules_order(store: Store) -> None:
    # compare_metadata ignores column order; the database files should still look like the schema.
    inspector = inspect(store.engine)
    for table in metadata.sorted_tables:
        assert [column["name"] for column in inspector.get_columns(table.name)] == table.columns.keys()


def test_the_schema_comparison_would_notice_a_drift(store: Store) -> None:
    drifted = MetaData()
    for table in metadata.tables.values():
        table.to_metadata(drifted)
    Table("synthetic_extra", drifted, Column("id", Integer, primary_key=True))
    drifted.tables["observation"].append_column(Column("synthetic_column", Integer))
    with store.engine.connect() as connection:
        differences = compare_metadata(
            MigrationContext.configure(connection, opts={"include_name": include_in_schema_comparison}), drifted
        )
    assert {difference[0] for difference in differences} == {"add_table", "add_column"}


def test_migrate_creates_the_schema_on_an_empty_database(backend_url: str) -> None:
    engine = create_engine_for(backend_url)
    try:
        assert current_revision(engine) is None
        migrate(engine)
        assert current_revision(engine) == head_revision()
    finally:
        engine.dispose()


def test_a_writer_cannot_be_used_after_its_block(store: Store) -> None:
    with store.write("build", "synthetic") as writer:
        pass
    with pytest.raises(RuntimeError, match="transaction has ended"):
        writer.put_geometries([GeometryRow("0301", "2024", "{}")])


# SQLite only: connection set-up and URLs


def test_sqlite_connections_use_wal_foreign_keys_and_a_busy_timeout(store_sqlite: Store) -> None:
    with store_sqlite.engine.connect() as connection:
        pragma = {
            name: connection.exec_driver_sql(f"PRAGMA {name}").scalar()
            for name in ("journal_mode", "foreign_keys", "busy_timeout", "synchronous")
        }
    assert pragma == {"journal_mode": "wal", "foreign_keys": 1, "busy_timeout": 30000, "synchronous": 1}


def test_sqlite_file_is_readable_by_the_standard_library(store_sqlite: Store, dataset_row: DatasetRow) -> None:
    with store_sqlite.write("build", "synthetic") as writer:
        writer.put_datasets([dataset_row])
        writer.put_observations([synthetic_observation(value=None, status=Status.CONFIDENTIAL)])
    path = store_sqlite.engine.url.database
    assert path is not None
    with sqlite3.connect(path) as connection:
        row = connection.execute("SELECT value, status, flags, fetched_at FROM observation").fetchone()
    assert row == (None, ":", "", None)


def test_database_url_prefers_explicit_then_environment_then_a_file_in_var(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(DATABASE_URL_VARIABLE, raising=False)
    default = database_url()
    assert default == f"sqlite:///{tmp_path / 'var' / 'boligmonitor.sqlite'}"
    assert (tmp_path / "var").is_dir()

    monkeypatch.setenv(DATABASE_URL_VARIABLE, "postgresql://user@/db?host=/run/postgresql")
    assert database_url() == "postgresql://user@/db?host=/run/postgresql"
    assert database_url("sqlite:///elsewhere.sqlite") == "sqlite:///elsewhere.sqlite"


def test_the_default_database_works_from_a_relative_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(DATABASE_URL_VARIABLE, raising=False)
    store = Store.open()
    try:
        with store.write("build", "synthetic") as writer:
            writer.put_geometries([GeometryRow("0301", "2024", "{}")])
        monkeypatch.chdir(tmp_path / "var")
        assert len(store.geometries()) == 1
    finally:
        store.close()
    assert (tmp_path / "var" / "boligmonitor.sqlite").is_file()


def test_postgresql_urls_get_the_psycopg_driver() -> None:
    engine = create_engine_for("postgresql://user@/db?host=/nonexistent")  # connects lazily: nothing opened
    assert engine.dialect.name == "postgresql"
    assert engine.dialect.driver == "psycopg"


@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///:memory:", "mysql://user@localhost/db"])
def test_unsupported_urls_are_refused(url: str) -> None:
    with pytest.raises(ValueError, match=r"not supported|unsupported"):
        create_engine_for(url)
