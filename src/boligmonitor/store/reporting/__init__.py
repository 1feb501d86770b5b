"""Programme reporting: the store's room for the reporting cycle and the dialogue (docs/reporting-store.md).

- :mod:`.tables`: the tables (migration 0004), on the store's one schema metadata, outside the data tables;
- :class:`~.report_store.ReportStore`: rounds, drafts with prefilled statistics, answers validated by the form's
  question types and the catalogue's domain rules, optimistic locking (:class:`~.problems.ConflictError`),
  submission and return with every version kept, comments, own goals and the notification outbox; every change
  one transaction with its audit row;
- :mod:`.backups`: back-up and restore of accounts, the audit log and reporting as one versioned JSON Lines file.

``boligmonitor.store`` imports :mod:`.tables` (to put the tables on the metadata), which runs this file: the rest
of the room (and the catalogue it needs) is imported when first used, so that opening the store stays quick.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from boligmonitor.store.reporting.backups import BACKUP_FORMAT_VERSION, BackupSummary, backup, restore
    from boligmonitor.store.reporting.models import (
        Answer,
        AnswerInput,
        FigureState,
        Notification,
        NotificationKind,
        OfficialFigure,
        Report,
        ReportComment,
        ReportingRound,
        ReportState,
        ReportSummary,
        ReportVersion,
        RoundState,
        StoredOwnGoal,
    )
    from boligmonitor.store.reporting.overrides import OverrideKey, StoredOverride
    from boligmonitor.store.reporting.problems import AnswerError, AnswerProblem, ConflictError, ReportingError
    from boligmonitor.store.reporting.report_store import FormSource, ReportStore
    from boligmonitor.store.reporting.tables import REPORTING_TABLES

_WHERE = {
    "BACKUP_FORMAT_VERSION": "backups",
    "BackupSummary": "backups",
    "backup": "backups",
    "restore": "backups",
    "Answer": "models",
    "AnswerInput": "models",
    "FigureState": "models",
    "Notification": "models",
    "NotificationKind": "models",
    "OfficialFigure": "models",
    "Report": "models",
    "ReportComment": "models",
    "ReportState": "models",
    "ReportSummary": "models",
    "ReportVersion": "models",
    "ReportingRound": "models",
    "RoundState": "models",
    "StoredOwnGoal": "models",
    "OverrideKey": "overrides",
    "StoredOverride": "overrides",
    "AnswerError": "problems",
    "AnswerProblem": "problems",
    "ConflictError": "problems",
    "ReportingError": "problems",
    "FormSource": "report_store",
    "ReportStore": "report_store",
    "REPORTING_TABLES": "tables",
}


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)


__all__ = [
    "BACKUP_FORMAT_VERSION",
    "REPORTING_TABLES",
    "Answer",
    "AnswerError",
    "AnswerInput",
    "AnswerProblem",
    "BackupSummary",
    "ConflictError",
    "FigureState",
    "FormSource",
    "Notification",
    "NotificationKind",
    "OfficialFigure",
    "OverrideKey",
    "Report",
    "ReportComment",
    "ReportState",
    "ReportStore",
    "ReportSummary",
    "ReportVersion",
    "ReportingError",
    "ReportingRound",
    "RoundState",
    "StoredOverride",
    "StoredOwnGoal",
    "backup",
    "restore",
]
