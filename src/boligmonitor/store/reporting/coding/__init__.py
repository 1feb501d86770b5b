"""The coding of open answers (issue 14, item 6): codebooks per programme, coded passages (several codes each,
example quotes), redactions for personal data applied on read, and full-text search with the database's own
engine (PostgreSQL's Norwegian configuration, SQLite FTS5). Tables in ``store/reporting/tables.py``, migration
0006; docs/reporting-coding.md."""

from __future__ import annotations

from boligmonitor.store.reporting.coding.coding_store import CodingAuditAction, CodingStore
from boligmonitor.store.reporting.coding.models import (
    HIT_END,
    HIT_START,
    Code,
    OpenAnswer,
    Passage,
    Redaction,
    SearchHit,
)
from boligmonitor.store.reporting.coding.search import SQLITE_FTS_TABLES, include_in_schema_comparison
from boligmonitor.store.reporting.coding.spans import Piece, RedactedText, Span, locate, sentences

__all__ = [
    "HIT_END",
    "HIT_START",
    "SQLITE_FTS_TABLES",
    "Code",
    "CodingAuditAction",
    "CodingStore",
    "OpenAnswer",
    "Passage",
    "Piece",
    "RedactedText",
    "Redaction",
    "SearchHit",
    "Span",
    "include_in_schema_comparison",
    "locate",
    "sentences",
]
