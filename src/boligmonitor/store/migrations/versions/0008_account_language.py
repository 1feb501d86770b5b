"""The language of an account's notifications (``account.language``: nb, nn or en); existing accounts get nb.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06

Self-contained, like 0001: never import the current schema module.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A server default fills the existing rows on both databases (SQLite adds a NOT NULL column only with one).
    op.add_column("account", sa.Column("language", sa.Text(), nullable=False, server_default="nb"))


def downgrade() -> None:
    op.drop_column("account", "language")  # SQLite 3.35 and later drop a column in place
