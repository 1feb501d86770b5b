"""Observation changes: what each data version changed in values an earlier version held (revisions).

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-06

Self-contained, like 0001: never import the current schema module.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "observation_change",
        sa.Column("data_version", sa.Integer(), nullable=False),
        sa.Column("indicator_id", sa.Text(), nullable=False),
        sa.Column("region_code", sa.Text(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("previous_value", sa.Double(), nullable=True),
        sa.Column("previous_status", sa.Text(), nullable=True),
        sa.Column("previous_data_version", sa.Integer(), nullable=True),
        sa.Column("value", sa.Double(), nullable=True),
        sa.Column("status", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["data_version"], ["data_version.id"], name="fk_observation_change_data_version_data_version"
        ),
        sa.ForeignKeyConstraint(
            ["previous_data_version"],
            ["data_version.id"],
            name="fk_observation_change_previous_data_version_data_version",
        ),
        sa.PrimaryKeyConstraint("data_version", "indicator_id", "region_code", "year", name="pk_observation_change"),
    )


def downgrade() -> None:
    op.drop_table("observation_change")
