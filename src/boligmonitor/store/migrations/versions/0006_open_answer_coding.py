"""The coding of open answers: codebooks, coded passages, redactions and the full-text search per dialect.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06

PostgreSQL searches ``open_answer_search`` through a GIN index on ``to_tsvector('norwegian', search_text)``;
SQLite through the FTS5 table ``open_answer_fts`` (external content: it indexes ``open_answer_search`` and holds
no copy of the text), kept in step by the triggers below. Self-contained, like 0001: never import the current
schema module.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The FTS5 table and its shadow tables (SQLite only; no schema metadata describes them).
SQLITE_FTS_TABLE = "open_answer_fts"


def upgrade() -> None:
    op.create_table(
        "coding_code",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("programme_id", sa.Text(), nullable=False),
        sa.Column("guid", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("goal_id", sa.Text(), nullable=True),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("guid"),
        sa.UniqueConstraint("programme_id", "name"),
    )
    op.create_table(
        "coded_passage",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("guid", sa.Text(), nullable=False),
        sa.Column("report_version_id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Text(), nullable=False),
        sa.Column("start_offset", sa.Integer(), nullable=False),
        sa.Column("end_offset", sa.Integer(), nullable=False),
        sa.Column("example_quote", sa.Boolean(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Text(), nullable=False),
        sa.Column("created_by_account_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["report_version_id"], ["report_version.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("guid"),
        sa.UniqueConstraint("report_version_id", "question_id", "start_offset", "end_offset"),
    )
    op.create_index(
        "ix_coded_passage_report_version_id_question_id", "coded_passage", ["report_version_id", "question_id"]
    )
    op.create_table(
        "coded_passage_code",
        sa.Column("passage_id", sa.Integer(), nullable=False),
        sa.Column("code_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["code_id"], ["coding_code.id"]),
        sa.ForeignKeyConstraint(["passage_id"], ["coded_passage.id"]),
        sa.PrimaryKeyConstraint("passage_id", "code_id"),
    )
    op.create_index("ix_coded_passage_code_code_id", "coded_passage_code", ["code_id"])
    op.create_table(
        "answer_redaction",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Text(), nullable=False),
        sa.Column("start_offset", sa.Integer(), nullable=False),
        sa.Column("end_offset", sa.Integer(), nullable=False),
        sa.Column("span_sha256", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("redacted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("redacted_by", sa.Text(), nullable=False),
        sa.Column("redacted_by_account_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["report_id"], ["report.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_answer_redaction_report_id_question_id", "answer_redaction", ["report_id", "question_id"])
    op.create_table(
        "open_answer_search",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("report_version_id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Text(), nullable=False),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.Column("redactions", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["report_version_id"], ["report_version.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("report_version_id", "question_id"),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE INDEX ix_open_answer_search_norwegian ON open_answer_search "
            "USING gin (to_tsvector('norwegian', search_text))"
        )
    else:
        _create_sqlite_fts()


def _create_sqlite_fts() -> None:
    # unicode61 without removing diacritics: å, ø and æ stay letters of their own ("gå" is not "ga").
    op.execute(
        f"CREATE VIRTUAL TABLE {SQLITE_FTS_TABLE} USING fts5(search_text, content='open_answer_search', "
        "content_rowid='id', tokenize='unicode61 remove_diacritics 0')"
    )
    op.execute(
        f"CREATE TRIGGER open_answer_search_fts_insert AFTER INSERT ON open_answer_search BEGIN "
        f"INSERT INTO {SQLITE_FTS_TABLE}(rowid, search_text) VALUES (new.id, new.search_text); END"
    )
    op.execute(
        f"CREATE TRIGGER open_answer_search_fts_delete AFTER DELETE ON open_answer_search BEGIN "
        f"INSERT INTO {SQLITE_FTS_TABLE}({SQLITE_FTS_TABLE}, rowid, search_text) "
        "VALUES ('delete', old.id, old.search_text); END"
    )
    op.execute(
        f"CREATE TRIGGER open_answer_search_fts_update AFTER UPDATE ON open_answer_search BEGIN "
        f"INSERT INTO {SQLITE_FTS_TABLE}({SQLITE_FTS_TABLE}, rowid, search_text) "
        "VALUES ('delete', old.id, old.search_text); "
        f"INSERT INTO {SQLITE_FTS_TABLE}(rowid, search_text) VALUES (new.id, new.search_text); END"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX ix_open_answer_search_norwegian")
    else:
        for trigger in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER open_answer_search_fts_{trigger}")
        op.execute(f"DROP TABLE {SQLITE_FTS_TABLE}")
    op.drop_table("open_answer_search")
    op.drop_index("ix_answer_redaction_report_id_question_id", table_name="answer_redaction")
    op.drop_table("answer_redaction")
    op.drop_index("ix_coded_passage_code_code_id", table_name="coded_passage_code")
    op.drop_table("coded_passage_code")
    op.drop_index("ix_coded_passage_report_version_id_question_id", table_name="coded_passage")
    op.drop_table("coded_passage")
    op.drop_table("coding_code")
