"""Programme reporting: rounds, reports with their answers, kept versions, own goals, comments and the
notification outbox.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07

Self-contained, like 0001: never import the current schema module. A report's kept versions are append-only in
the database itself, like the audit log: triggers refuse UPDATE and DELETE (and TRUNCATE on PostgreSQL).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_KEPT_MESSAGE = "report_version keeps every submitted and returned report: its rows cannot be changed or deleted"


def upgrade() -> None:
    op.create_table(
        "reporting_round",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("programme_id", sa.Text(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("form_version", sa.Text(), nullable=False),
        sa.Column("opens_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closes_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("state", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_reporting_round"),
        sa.UniqueConstraint("programme_id", "year", name="uq_reporting_round_programme_id_year"),
    )
    op.create_table(
        "report",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("municipality_code", sa.Text(), nullable=False),
        sa.Column("state", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("data_version", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.Text(), nullable=False),
        sa.Column("updated_by_account_id", sa.Integer(), nullable=True),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("submitted_by", sa.Text(), nullable=True),
        sa.Column("submitted_by_account_id", sa.Integer(), nullable=True),
        sa.Column("returned_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("returned_by", sa.Text(), nullable=True),
        sa.Column("returned_by_account_id", sa.Integer(), nullable=True),
        sa.Column("return_comment", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["round_id"], ["reporting_round.id"], name="fk_report_round_id_reporting_round"),
        sa.PrimaryKeyConstraint("id", name="pk_report"),
        sa.UniqueConstraint("round_id", "municipality_code", name="uq_report_round_id_municipality_code"),
    )
    op.create_index("ix_report_municipality_code", "report", ["municipality_code"])
    op.create_table(
        "answer",
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Text(), nullable=False),
        sa.Column("number", sa.Double(), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("choices", sa.Text(), nullable=True),
        sa.Column("yes_no", sa.Boolean(), nullable=True),
        sa.Column("scale", sa.Integer(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("origin", sa.Text(), nullable=True),
        sa.Column("official_indicator", sa.Text(), nullable=True),
        sa.Column("official_year", sa.Integer(), nullable=True),
        sa.Column("official_state", sa.Text(), nullable=True),
        sa.Column("official_value", sa.Double(), nullable=True),
        sa.Column("official_status", sa.Text(), nullable=True),
        sa.Column("official_unit", sa.Text(), nullable=True),
        sa.Column("official_dataset", sa.Text(), nullable=True),
        sa.Column("official_data_version", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["report_id"], ["report.id"], name="fk_answer_report_id_report"),
        sa.PrimaryKeyConstraint("report_id", "question_id", name="pk_answer"),
    )
    op.create_table(
        "report_version",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("state", sa.Text(), nullable=False),
        sa.Column("form_version", sa.Text(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.Text(), nullable=False),
        sa.Column("actor_account_id", sa.Integer(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("answers_json", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["report_id"], ["report.id"], name="fk_report_version_report_id_report"),
        sa.PrimaryKeyConstraint("id", name="pk_report_version"),
        sa.UniqueConstraint("report_id", "version", name="uq_report_version_report_id_version"),
    )
    op.create_table(
        "own_goal",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("programme_id", sa.Text(), nullable=False),
        sa.Column("municipality_code", sa.Text(), nullable=False),
        sa.Column("goal_id", sa.Text(), nullable=False),
        sa.Column("programme_goal_id", sa.Text(), nullable=True),
        sa.Column("definition_json", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_own_goal"),
        sa.UniqueConstraint(
            "programme_id", "municipality_code", "goal_id", name="uq_own_goal_programme_id_municipality_code_goal_id"
        ),
    )
    op.create_table(
        "report_comment",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("goal_id", sa.Text(), nullable=True),
        sa.Column("author", sa.Text(), nullable=False),
        sa.Column("author_account_id", sa.Integer(), nullable=True),
        sa.Column("written_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["report_id"], ["report.id"], name="fk_report_comment_report_id_report"),
        sa.PrimaryKeyConstraint("id", name="pk_report_comment"),
    )
    op.create_index("ix_report_comment_report_id", "report_comment", ["report_id"])
    op.create_table(
        "notification_outbox",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("recipient_account_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("link", sa.Text(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=True),
        sa.Column("municipality_code", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["recipient_account_id"], ["account.id"], name="fk_notification_outbox_recipient_account_id_account"
        ),
        sa.ForeignKeyConstraint(
            ["round_id"], ["reporting_round.id"], name="fk_notification_outbox_round_id_reporting_round"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_notification_outbox"),
    )
    op.create_index("ix_notification_outbox_recipient_account_id", "notification_outbox", ["recipient_account_id"])
    op.create_index("ix_notification_outbox_sent_at", "notification_outbox", ["sent_at"])
    _keep_report_versions()


def _keep_report_versions() -> None:
    if op.get_bind().dialect.name == "postgresql":
        # No '%' in these statements: the driver's parameter style would double it.
        op.execute(
            "CREATE FUNCTION report_version_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN RAISE EXCEPTION USING MESSAGE = '{_KEPT_MESSAGE} (' || TG_OP || ' refused)'; END $$"
        )
        op.execute(
            "CREATE TRIGGER report_version_append_only BEFORE UPDATE OR DELETE ON report_version "
            "FOR EACH ROW EXECUTE FUNCTION report_version_refuse_change()"
        )
        op.execute(
            "CREATE TRIGGER report_version_no_truncate BEFORE TRUNCATE ON report_version "
            "FOR EACH STATEMENT EXECUTE FUNCTION report_version_refuse_change()"
        )
        return
    for event in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER report_version_no_{event.lower()} BEFORE {event} ON report_version "
            f"BEGIN SELECT RAISE(ABORT, '{_KEPT_MESSAGE} ({event} refused)'); END"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER report_version_no_truncate ON report_version")
        op.execute("DROP TRIGGER report_version_append_only ON report_version")
        op.execute("DROP FUNCTION report_version_refuse_change()")
    else:
        op.execute("DROP TRIGGER report_version_no_delete")
        op.execute("DROP TRIGGER report_version_no_update")
    op.drop_index("ix_notification_outbox_sent_at", table_name="notification_outbox")
    op.drop_index("ix_notification_outbox_recipient_account_id", table_name="notification_outbox")
    op.drop_table("notification_outbox")
    op.drop_index("ix_report_comment_report_id", table_name="report_comment")
    op.drop_table("report_comment")
    op.drop_table("own_goal")
    op.drop_table("report_version")
    op.drop_table("answer")
    op.drop_index("ix_report_municipality_code", table_name="report")
    op.drop_table("report")
    op.drop_table("reporting_round")
