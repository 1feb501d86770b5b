"""Initial schema: data versions, datasets, regions, indicator status, geometries, observations.

Revision ID: 0001
Revises:
Create Date: 2026-11-23

Keep this migration self-contained: never import the current schema module (it moves on, this file must
not). After the last migration the database must equal boligmonitor.store.schema (tests/store checks it).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "data_version",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("catalog_version", sa.Text(), nullable=True),
        sa.Column("app_version", sa.Text(), nullable=False),
        sa.Column("input_fingerprint", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_data_version"),
    )
    op.create_table(
        "dataset",
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("publisher", sa.Text(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("source_table", sa.Text(), nullable=True),
        sa.Column("file", sa.Text(), nullable=False),
        sa.Column("sha256", sa.Text(), nullable=False),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated", sa.Text(), nullable=True),
        sa.Column("code_vintage", sa.Text(), nullable=False),
        sa.Column("licence", sa.Text(), nullable=True),
        sa.Column("provenance", sa.Text(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_dataset"),
    )
    op.create_table(
        "region",
        sa.Column("code", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("level", sa.Text(), nullable=False),
        sa.Column("parent_code", sa.Text(), nullable=True),
        sa.Column("names", sa.Text(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("code", name="pk_region"),
    )
    op.create_table(
        "region_attribute",
        sa.Column("region_code", sa.Text(), nullable=False),
        sa.Column("attribute", sa.Text(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("region_code", "attribute", "year", name="pk_region_attribute"),
    )
    op.create_table(
        "region_change",
        sa.Column("old_code", sa.Text(), nullable=False),
        sa.Column("new_code", sa.Text(), nullable=False),
        sa.Column("changed_on", sa.Date(), nullable=False),
        sa.Column("old_name", sa.Text(), nullable=False),
        sa.Column("new_name", sa.Text(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("old_code", "new_code", "changed_on", name="pk_region_change"),
    )
    op.create_table(
        "indicator_status",
        sa.Column("indicator_id", sa.Text(), nullable=False),
        sa.Column("state", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("n_values", sa.Integer(), nullable=False),
        sa.Column("n_regions", sa.Integer(), nullable=False),
        sa.Column("n_municipalities", sa.Integer(), nullable=False),
        sa.Column("first_year", sa.Integer(), nullable=True),
        sa.Column("last_year", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("indicator_id", name="pk_indicator_status"),
    )
    op.create_table(
        "geometry",
        sa.Column("region_code", sa.Text(), nullable=False),
        sa.Column("vintage", sa.Text(), nullable=False),
        sa.Column("geojson", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("region_code", "vintage", name="pk_geometry"),
    )
    op.create_table(
        "observation",
        sa.Column("indicator_id", sa.Text(), nullable=False),
        sa.Column("region_code", sa.Text(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("value", sa.Double(), nullable=True),
        sa.Column("numerator", sa.Double(), nullable=True),
        sa.Column("denominator", sa.Double(), nullable=True),
        sa.Column("unit", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("harmonisation", sa.Text(), nullable=False),
        sa.Column("flags", sa.Text(), nullable=False),
        sa.Column("dataset_id", sa.Text(), nullable=False),
        sa.Column("source_table", sa.Text(), nullable=True),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("data_version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["dataset_id"], ["dataset.id"], name="fk_observation_dataset_id_dataset"),
        sa.ForeignKeyConstraint(["data_version"], ["data_version.id"], name="fk_observation_data_version_data_version"),
        sa.PrimaryKeyConstraint("indicator_id", "region_code", "year", name="pk_observation"),
    )
    op.create_index("ix_observation_region_code_year", "observation", ["region_code", "year"])
    op.create_index("ix_observation_indicator_id_year", "observation", ["indicator_id", "year"])


def downgrade() -> None:
    op.drop_index("ix_observation_indicator_id_year", table_name="observation")
    op.drop_index("ix_observation_region_code_year", table_name="observation")
    op.drop_table("observation")
    op.drop_table("geometry")
    op.drop_table("indicator_status")
    op.drop_table("region_change")
    op.drop_table("region_attribute")
    op.drop_table("region")
    op.drop_table("dataset")
    op.drop_table("data_version")
