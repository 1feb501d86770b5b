"""Analysts' overrides of goal-attainment colours, each with its reason.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06

Self-contained, like 0001: never import the current schema module.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "attainment_override",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("programme_id", sa.Text(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("goal_id", sa.Text(), nullable=False),
        sa.Column("catalogue_goal_id", sa.Text(), nullable=False),
        sa.Column("indicator_id", sa.Text(), nullable=False),
        sa.Column("scope", sa.Text(), nullable=False),
        sa.Column("colour", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("analyst", sa.Text(), nullable=False),
        sa.Column("analyst_account_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("programme_id", "year", "goal_id", "catalogue_goal_id", "indicator_id", "scope"),
    )


def downgrade() -> None:
    op.drop_table("attainment_override")
