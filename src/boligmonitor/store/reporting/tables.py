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

from sqlalchemy import (
    Boolean,
    Column,
    Double,
    ForeignKey,
    Index,
    Integer,
    Table,
    Text,
    UniqueConstraint,
    func,
    literal_column,
)
from sqlalchemy.dialects import postgresql  # noqa: F401  (gives func.to_tsvector its types, for the index)

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

# The coding of open answers (store/reporting/coding, docs/reporting-coding.md; migration 0006). A programme's
# codebook: codes with a description, grouped under a programme goal and optionally under a parent code (no foreign
# key on the parent, so that a back-up restores codes in id order whatever their nesting). ``guid`` is the code's
# UUID in REFI-QDA exports, kept so that a re-export names the same code.
coding_code = Table(
    "coding_code",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("programme_id", Text, nullable=False),
    Column("guid", Text, nullable=False, unique=True),
    Column("name", Text, nullable=False),
    Column("description", Text, nullable=True),
    Column("goal_id", Text, nullable=True),  # a goal of the programme (catalog.reporting.ProgrammeGoal.id)
    Column("parent_id", Integer, nullable=True),  # another code of the same programme
    Column("created_at", UtcDateTime, nullable=False),
    Column("created_by", Text, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("updated_by", Text, nullable=False),
    UniqueConstraint("programme_id", "name"),
)

# A passage of one open answer in one kept (submitted) version of a report, in characters of the answer's text
# [start_offset, end_offset): the whole answer or a highlighted part. An example quote carries the analyst's note.
coded_passage = Table(
    "coded_passage",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("guid", Text, nullable=False, unique=True),  # the PlainTextSelection's UUID in REFI-QDA
    Column("report_version_id", Integer, ForeignKey("report_version.id"), nullable=False),
    Column("question_id", Text, nullable=False),
    Column("start_offset", Integer, nullable=False),
    Column("end_offset", Integer, nullable=False),
    Column("example_quote", Boolean, nullable=False),
    Column("note", Text, nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("created_by", Text, nullable=False),
    Column("created_by_account_id", Integer, nullable=True),
    UniqueConstraint("report_version_id", "question_id", "start_offset", "end_offset"),
    Index(None, "report_version_id", "question_id"),
)

# The codes given to a passage (several per passage, as in Taguette).
coded_passage_code = Table(
    "coded_passage_code",
    metadata,
    Column("passage_id", Integer, ForeignKey("coded_passage.id"), primary_key=True),
    Column("code_id", Integer, ForeignKey("coding_code.id"), primary_key=True),
    Index(None, "code_id"),
)

# A span of an open answer left out of every display, export and search for personal data, with the reason. It
# belongs to the report's question and hides every place where a kept version's text holds the same characters
# (found by ``span_sha256``, not kept as text): the report's kept versions themselves are never changed.
answer_redaction = Table(
    "answer_redaction",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("report_id", Integer, ForeignKey("report.id"), nullable=False),
    Column("question_id", Text, nullable=False),
    Column("start_offset", Integer, nullable=False),
    Column("end_offset", Integer, nullable=False),
    Column("span_sha256", Text, nullable=False),
    Column("reason", Text, nullable=False),
    Column("redacted_at", UtcDateTime, nullable=False),
    Column("redacted_by", Text, nullable=False),
    Column("redacted_by_account_id", Integer, nullable=True),
    Index(None, "report_id", "question_id"),
)

# The full-text search's documents: each open answer of each report's latest submitted version, with its redacted
# spans replaced by a marker. Derived (made again from the kept versions and the redactions whenever they differ),
# so not backed up. PostgreSQL searches it through the GIN index below; SQLite through the FTS5 table
# ``open_answer_fts`` that migration 0006 creates with the triggers keeping it in step with this table.
open_answer_search = Table(
    "open_answer_search",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("report_version_id", Integer, ForeignKey("report_version.id"), nullable=False),
    Column("question_id", Text, nullable=False),
    Column("search_text", Text, nullable=False),
    Column("redactions", Integer, nullable=False),  # how many redactions the text had applied when indexed
    UniqueConstraint("report_version_id", "question_id"),
    Index(
        "ix_open_answer_search_norwegian",
        func.to_tsvector(literal_column("'norwegian'"), literal_column("search_text")),
        postgresql_using="gin",
    ).ddl_if(dialect="postgresql"),
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
    coding_code,
    coded_passage,
    coded_passage_code,
    answer_redaction,
)

# A programme's members as imported from a CSV or XLSX file (store/reporting/members.py, migration 0007): when a
# programme has any row here, these replace the members in the package's YAML. Each import replaces the whole list;
# ``source`` is the file's name, and the audit log keeps the counts before and after.
programme_member = Table(
    "programme_member",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("programme_id", Text, nullable=False),
    Column("municipality_code", Text, nullable=False),
    Column("name", Text, nullable=True),
    Column("level", Text, nullable=True),  # one of the programme's levels (None: it has none)
    Column("status", Text, nullable=False),  # catalog.reporting.MemberStatus
    # ISO dates as text (YYYY-MM-DD): they sort and compare as dates, and back up as they are.
    Column("from_date", Text, nullable=False),
    Column("to_date", Text, nullable=True),  # None: still a member
    Column("source", Text, nullable=False),
    Column("imported_at", UtcDateTime, nullable=False),
    Column("imported_by", Text, nullable=False),
    Column("imported_by_account_id", Integer, nullable=True),
    Index(None, "programme_id"),
)
REPORTING_TABLES = (*REPORTING_TABLES, programme_member)

__all__ = [
    "REPORTING_TABLES",
    "answer",
    "answer_redaction",
    "attainment_override",
    "coded_passage",
    "coded_passage_code",
    "coding_code",
    "notification_outbox",
    "open_answer_search",
    "own_goal",
    "programme_member",
    "report",
    "report_comment",
    "report_version",
    "reporting_round",
]
