"""The coding survives a back-up and restore (codes, passages with their codes, redactions), and the restored
database's search is made again from the kept versions with the redactions applied; the migrated schema is the
schema module's once SQLite's FTS5 tables are left out (``include_in_schema_comparison``). SYNTHETIC answers."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from boligmonitor.store import Store, create_engine_for, migrate
from boligmonitor.store.accounts import AccountStore
from boligmonitor.store.reporting import backup, restore
from boligmonitor.store.reporting.coding import SQLITE_FTS_TABLES, CodingStore, include_in_schema_comparison, locate
from boligmonitor.store.schema import metadata
from tests.store.reporting.coding.synthetic_coding import OPEN_QUESTION, TEXTS
from tests.store.reporting.synthetic import PROGRAMME, SYNTHETIC_YEAR, actor


def test_coding_round_trips_and_search_is_made_again(
    store: Store, coding: CodingStore, accounts: AccountStore, answered: dict[str, int], tmp_path: Path
) -> None:
    if store.engine.dialect.name != "sqlite":
        pytest.skip("the round trip itself is tested on both databases in tests/store/reporting/test_backup.py")
    siri = actor(accounts, "siri@husbanken.example")
    parent = coding.add_code(PROGRAMME, "SYNTHETIC Samarbeid", actor=siri)
    child = coding.add_code(PROGRAMME, "SYNTHETIC NAV", actor=siri, parent_id=parent.id)
    coding.change_code(parent.id, "SYNTHETIC Samarbeid", actor=siri, parent_id=None, description="endret")
    answer = coding.latest_answer(PROGRAMME, SYNTHETIC_YEAR, "5001", OPEN_QUESTION)
    assert answer is not None
    person = locate(TEXTS["5001"], "Kari Nordmann")
    assert person is not None
    coding.code_passage(answer.report_version_id, OPEN_QUESTION, person, [child.id, parent.id], actor=siri)
    coding.redact(answer.report_version_id, OPEN_QUESTION, person, "SYNTHETIC: navn", actor=siri)
    path = tmp_path / "backup.jsonl"
    written = backup(store.engine, path)
    assert {written.rows[name] for name in ("coding_code", "coded_passage", "answer_redaction")} == {2, 1}
    assert written.rows["coded_passage_code"] == 2 and "open_answer_search" not in written.rows
    empty = create_engine_for(f"sqlite:///{tmp_path / 'restored.sqlite'}")
    try:
        migrate(empty)
        restore(empty, path)
        restored = CodingStore(empty)
        assert restored.codes(PROGRAMME) == coding.codes(PROGRAMME)
        assert restored.passages(PROGRAMME) == coding.passages(PROGRAMME)
        assert restored.search(PROGRAMME, "Nordmann") == []
        assert [hit.municipality_code for hit in restored.search(PROGRAMME, "boligkoordinator")] == ["5001"]
    finally:
        empty.dispose()


def test_the_schema_is_the_modules_apart_from_sqlites_search_tables(store: Store) -> None:
    with store.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_name": include_in_schema_comparison}
        )
        assert compare_metadata(context, metadata) == []
    tables = set(inspect(store.engine).get_table_names())
    if store.engine.dialect.name == "sqlite":
        assert (
            {"open_answer_fts", "open_answer_fts_data", "open_answer_fts_idx"} <= tables <= tables | SQLITE_FTS_TABLES
        )
    else:
        assert not tables & SQLITE_FTS_TABLES
        indexes = {index["name"] for index in inspect(store.engine).get_indexes("open_answer_search")}
        assert "ix_open_answer_search_norwegian" in indexes
