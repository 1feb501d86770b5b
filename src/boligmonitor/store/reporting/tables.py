"""The tables of programme reporting: rounds, reports, answers, kept versions, own goals, comments and the
notification outbox.

They are defined on the store's one :data:`boligmonitor.store.schema.metadata`, so that the migration test sees
them (``boligmonitor.store`` imports this module), and created by migration 0004. None of them is in
:data:`boligmonitor.store.schema.DATA_TABLES`: a data build replaces statistics, never what municipalities
reported.

Who did something is kept as the actor's label (an e-mail address or "command line (user)", as in the audit log)
with the account id when there is one; the account id has no foreign key, like the audit log's, so that the
record never stands in the way of a change to accounts. Lists and mappings are canonical JSON text.
"""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Double, ForeignKey, Index, Integer, Table, Text, UniqueConstraint

from boligmonitor.store.schema import UtcDateTime, metadata

# A programme's reporting for one year: the form version it was opened with and the dates it is open.
reporting_round = Table(
    "reporting_round",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("programme_id", Text, nullable=False),
    Column("year", Integer, nullable=False),  # the year reported on (the form's year)
    Column("form_version", Text, nullable=False),  # the form's version when the round was created
    Column("opens_at", UtcDateTime, nullable=False),
    Column("closes_at", UtcDateTime, nullable=False),  # the deadline
    Column("state", Text, nullable=False),  # models.RoundState
    Column("created_at", UtcDateTime, nullable=False),
    Column("created_by", Text, nullable=False),
    UniqueConstraint("programme_id", "year"),
)

# One municipality's report in a round. ``version`` counts every change: a writer says which version it
# changes, and a stale one is refused (optimistic locking), never silently overwritten.
report = Table(
    "report",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("round_id", Integer, ForeignKey("reporting_round.id"), nullable=False),
    Column("municipality_code", Text, nullable=False),
    Column("state", Text, nullable=False),  # models.ReportState
    Column("version", Integer, nullable=False),
    Column("data_version", Integer, nullable=True),  # the statistics' data version when the draft was opened
    Column("created_at", UtcDateTime, nullable=False),
    Column("created_by", Text, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("updated_by", Text, nullable=False),
    Column("updated_by_account_id", Integer, nullable=True),
    Column("submitted_at", UtcDateTime, nullable=True),  # the latest submission
    Column("submitted_by", Text, nullable=True),
    Column("submitted_by_account_id", Integer, nullable=True),
    Column("returned_at", UtcDateTime, nullable=True),  # the latest return
    Column("returned_by", Text, nullable=True),
    Column("returned_by_account_id", Integer, nullable=True),
    Column("return_comment", Text, nullable=True),
    UniqueConstraint("round_id", "municipality_code"),
    Index(None, "municipality_code"),
)

# The current answer to each question of a report. Typed columns: one of number, text, choices, yes_no and
# scale holds the answer, by the question's type. A prefilled statistic's row also keeps the official figure as
# it was shown when the draft was opened (official_*), never changed afterwards; the municipality's correction
# or own figure is ``number`` beside it, its comment ``comment``, and ``origin`` says which the answer is
# (catalog.reporting.FigureOrigin).
answer = Table(
    "answer",
    metadata,
    Column("report_id", Integer, ForeignKey("report.id"), primary_key=True),
    Column("question_id", Text, primary_key=True),
    Column("number", Double, nullable=True),
    Column("text", Text, nullable=True),
    Column("choices", Text, nullable=True),  # JSON array of category ids (one for a single choice)
    Column("yes_no", Boolean, nullable=True),
    Column("scale", Integer, nullable=True),
    Column("comment", Text, nullable=True),  # on a prefilled statistic
    Column("origin", Text, nullable=True),  # FigureOrigin, for a prefilled statistic
    Column("official_indicator", Text, nullable=True),
    Column("official_year", Integer, nullable=True),
    Column("official_state", Text, nullable=True),  # models.FigureState
    Column("official_value", Double, nullable=True),
    Column("official_status", Text, nullable=True),  # the SSB symbol ('' for an ordinary value)
    Column("official_unit", Text, nullable=True),
    Column("official_dataset", Text, nullable=True),
    Column("official_data_version", Integer, nullable=True),  # the data version that wrote the figure
    Column("updated_at", UtcDateTime, nullable=False),
    Column("updated_by", Text, nullable=False),
)

# Every submitted and every returned state of a report, kept whole: all answers as canonical JSON.
report_version = Table(
    "report_version",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("report_id", Integer, ForeignKey("report.id"), nullable=False),
    Column("version", Integer, nullable=False),  # the report's version counter in this state
    Column("state", Text, nullable=False),  # submitted or returned
    Column("form_version", Text, nullable=False),
    Column("recorded_at", UtcDateTime, nullable=False),
    Column("actor", Text, nullable=False),
    Column("actor_account_id", Integer, nullable=True),
    Column("comment", Text, nullable=True),  # the adviser's comment on a return
    Column("answers_json", Text, nullable=False),
    UniqueConstraint("report_id", "version"),
)

# A municipality's own goals and targets in a programme: catalog.reporting.OwnGoal as canonical JSON, with the
# columns it is looked up by.
own_goal = Table(
    "own_goal",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("programme_id", Text, nullable=False),
    Column("municipality_code", Text, nullable=False),
    Column("goal_id", Text, nullable=False),  # OwnGoal.id
    Column("programme_goal_id", Text, nullable=True),
    Column("definition_json", Text, nullable=False),
    Column("version", Integer, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("created_by", Text, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("updated_by", Text, nullable=False),
    UniqueConstraint("programme_id", "municipality_code", "goal_id"),
)

# The dialogue: a thread per report; a comment may be about one goal (a programme goal or an own goal's id).
report_comment = Table(
    "report_comment",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("report_id", Integer, ForeignKey("report.id"), nullable=False),
    Column("goal_id", Text, nullable=True),
    Column("author", Text, nullable=False),
    Column("author_account_id", Integer, nullable=True),
    Column("written_at", UtcDateTime, nullable=False),
    Column("text", Text, nullable=False),
    Index(None, "report_id"),
)

# Messages to send (e-mail) and to show in the inbox page. A message holds a link, never an answer or a comment's
# text: whoever follows it signs in and is shown what she may see.
notification_outbox = Table(
    "notification_outbox",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("recipient_account_id", Integer, ForeignKey("account.id"), nullable=False),
    Column("kind", Text, nullable=False),  # models.NotificationKind
    Column("link", Text, nullable=False),  # a path on the site, e.g. /rapportering/3/5001
    Column("round_id", Integer, ForeignKey("reporting_round.id"), nullable=True),
    Column("municipality_code", Text, nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("sent_at", UtcDateTime, nullable=True),  # None: not yet sent
    Column("read_at", UtcDateTime, nullable=True),  # None: not yet opened in the inbox
    Index(None, "recipient_account_id"),
    Index(None, "sent_at"),
)

# An analyst's colour for one goal-attainment assessment, with the reason it must give
# (analysis.reporting.overrides.AttainmentOverride). The key columns are AttainmentKey's, with "" for a goal
# that has no catalogue goal or indicator to measure it (a unique key cannot hold NULLs on every database);
# scope is "programme" or a member's municipality code. A newer decision on the same key replaces the older; the
# audit log keeps the before and after.
attainment_override = Table(
    "attainment_override",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("programme_id", Text, nullable=False),
    Column("year", Integer, nullable=False),
    Column("goal_id", Text, nullable=False),
    Column("catalogue_goal_id", Text, nullable=False),
    Column("indicator_id", Text, nullable=False),
    Column("scope", Text, nullable=False),
    Column("colour", Text, nullable=False),
    Column("reason", Text, nullable=False),
    Column("analyst", Text, nullable=False),
    Column("analyst_account_id", Integer, nullable=True),
    Column("decided_at", UtcDateTime, nullable=False),
    UniqueConstraint("programme_id", "year", "goal_id", "catalogue_goal_id", "indicator_id", "scope"),
)

# Every table of this room, parents before children.
REPORTING_TABLES: tuple[Table, ...] = (
    reporting_round,
    report,
    answer,
    report_version,
    own_goal,
    report_comment,
    notification_outbox,
    attainment_override,
)

__all__ = [
    "REPORTING_TABLES",
    "answer",
    "attainment_override",
    "notification_outbox",
    "own_goal",
    "report",
    "report_comment",
    "report_version",
    "reporting_round",
]
