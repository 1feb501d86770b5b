"""The database schema as SQLAlchemy Core tables, the same on SQLite and PostgreSQL.

Only portable types are used: Text, Integer, Double, Date and timezone-aware timestamps
(:class:`UtcDateTime`).
Migrations in ``migrations/versions`` create exactly this schema; a test compares the two.
Lists and mappings (dataset notes, region names in several languages) are stored as canonical JSON text.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Column,
    Date,
    DateTime,
    Double,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Table,
    Text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator


class UtcDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC and always read back timezone-aware (UTC).

    PostgreSQL keeps it as ``timestamp with time zone``; SQLite has no such type, so the value is stored as
    naive UTC text and the UTC zone is attached again when read. Naive datetimes are refused: their zone
    is unknown, and guessing would shift fetch dates by hours.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"timestamp without time zone: {value.isoformat()} (use an aware datetime)")
        utc = value.astimezone(UTC)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise TypeError(f"expected a datetime from the database, got {value!r}")
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# Constraint names are fixed so that migrations can refer to them on both databases.
metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

data_version = Table(
    "data_version",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("kind", Text, nullable=False),
    Column("description", Text, nullable=False),
    Column("catalog_version", Text, nullable=True),
    Column("app_version", Text, nullable=False),
    Column("input_fingerprint", Text, nullable=True),
)

dataset = Table(
    "dataset",
    metadata,
    Column("id", Text, primary_key=True),
    Column("publisher", Text, nullable=False),
    Column("title", Text, nullable=False),
    Column("source_table", Text, nullable=True),
    Column("file", Text, nullable=False),
    Column("sha256", Text, nullable=False),
    Column("fetched_at", UtcDateTime, nullable=True),
    Column("updated", Text, nullable=True),
    Column("code_vintage", Text, nullable=False),
    Column("licence", Text, nullable=True),
    Column("provenance", Text, nullable=False),
    Column("notes", Text, nullable=False),  # JSON array of strings
)

region = Table(
    "region",
    metadata,
    Column("code", Text, primary_key=True),
    Column("name", Text, nullable=False),
    Column("level", Text, nullable=False),
    Column("parent_code", Text, nullable=True),
    Column("names", Text, nullable=False),  # JSON object: language code -> name
    Column("valid_from", Date, nullable=True),
    Column("valid_to", Date, nullable=True),
)

region_attribute = Table(
    "region_attribute",
    metadata,
    Column("region_code", Text, primary_key=True),
    Column("attribute", Text, primary_key=True),
    Column("year", Integer, primary_key=True),
    Column("value", Text, nullable=False),
    Column("source", Text, nullable=False),
)

region_change = Table(
    "region_change",
    metadata,
    Column("old_code", Text, primary_key=True),
    Column("new_code", Text, primary_key=True),
    Column("changed_on", Date, primary_key=True),
    Column("old_name", Text, nullable=False),
    Column("new_name", Text, nullable=False),
    Column("kind", Text, nullable=False),
)

indicator_status = Table(
    "indicator_status",
    metadata,
    Column("indicator_id", Text, primary_key=True),
    Column("state", Text, nullable=False),
    Column("reason", Text, nullable=False),
    Column("n_values", Integer, nullable=False),
    Column("n_regions", Integer, nullable=False),
    Column("n_municipalities", Integer, nullable=False),
    Column("first_year", Integer, nullable=True),
    Column("last_year", Integer, nullable=True),
)

geometry = Table(
    "geometry",
    metadata,
    Column("region_code", Text, primary_key=True),
    Column("vintage", Text, primary_key=True),
    Column("geojson", Text, nullable=False),
)

observation = Table(
    "observation",
    metadata,
    Column("indicator_id", Text, primary_key=True),
    Column("region_code", Text, primary_key=True),
    Column("year", Integer, primary_key=True),
    Column("value", Double, nullable=True),
    Column("numerator", Double, nullable=True),
    Column("denominator", Double, nullable=True),
    Column("unit", Text, nullable=False),
    Column("status", Text, nullable=False),  # SSB symbol; '' is an ordinary value
    Column("harmonisation", Text, nullable=False),
    Column("flags", Text, nullable=False),  # canonical format_flags() text, '' when none
    Column("dataset_id", Text, ForeignKey("dataset.id"), nullable=False),
    Column("source_table", Text, nullable=True),
    Column("fetched_at", UtcDateTime, nullable=True),
    Column("note", Text, nullable=True),
    Column("data_version", Integer, ForeignKey("data_version.id"), nullable=False),
    Index(None, "region_code", "year"),
    Index(None, "indicator_id", "year"),
)

# What a build changed in values an earlier data version held: history, so a full build never replaces it.
observation_change = Table(
    "observation_change",
    metadata,
    Column("data_version", Integer, ForeignKey("data_version.id"), primary_key=True),
    Column("indicator_id", Text, primary_key=True),
    Column("region_code", Text, primary_key=True),
    Column("year", Integer, primary_key=True),
    Column("kind", Text, nullable=False),  # rows.OBSERVATION_CHANGE_KINDS
    Column("previous_value", Double, nullable=True),
    Column("previous_status", Text, nullable=True),  # None: the earlier version had no row
    Column("previous_data_version", Integer, ForeignKey("data_version.id"), nullable=True),
    Column("value", Double, nullable=True),
    Column("status", Text, nullable=True),  # None: the new version has no row
)

# Every table a full build replaces, children before parents (foreign keys).
DATA_TABLES: tuple[Table, ...] = (
    observation,
    dataset,
    region_attribute,
    region_change,
    region,
    indicator_status,
    geometry,
)
