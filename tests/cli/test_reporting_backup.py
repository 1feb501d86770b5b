"""`boligmonitor reporting backup|restore` run in-process on SQLite files. All people and answers are SYNTHETIC."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from boligmonitor.cli.reporting import reporting_app
from boligmonitor.store import Store
from boligmonitor.store.reporting import AnswerInput
from tests.store.accounts.synthetic import FakeClock
from tests.store.reporting.synthetic import (
    CLI,
    CLOSES_AT,
    MUNICIPALITY,
    OPENS_AT,
    PROGRAMME,
    SYNTHETIC_YEAR,
    actor,
    make_accounts,
    put_synthetic_statistics,
    report_store,
)

runner = CliRunner()


@pytest.fixture
def filled_database(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'filled.sqlite'}"
    store = Store.open(url)
    try:
        clock = FakeClock()
        accounts = make_accounts(store.engine, clock)
        put_synthetic_statistics(store)
        reports = report_store(store.engine, clock)
        reporting = reports.create_round(PROGRAMME, SYNTHETIC_YEAR, opens_at=OPENS_AT, closes_at=CLOSES_AT, actor=CLI)
        kari = actor(accounts, "kari@kommune.example")
        draft = reports.open_draft(reporting.id, MUNICIPALITY, actor=kari)
        reports.autosave(draft.id, draft.version, {"aktiviteter": AnswerInput(text="SYNTHETIC answer")}, actor=kari)
    finally:
        store.close()
    return url


def run(*arguments: str) -> tuple[int, str, str]:
    result = runner.invoke(reporting_app, list(arguments))
    return result.exit_code, result.stdout, result.stderr


def test_backup_then_restore_into_a_new_database(filled_database: str, tmp_path: Path) -> None:
    path = tmp_path / "people.jsonl"
    code, out, err = run("backup", str(path), "--database", filled_database)
    assert code == 0, err
    counts = dict(line.split("\t") for line in out.strip().splitlines())
    assert (counts["account"], counts["report"], counts["answer"]) == ("5", "1", "4")
    assert "Backed up" in err

    code, _, err = run("backup", str(path), "--database", filled_database)
    assert code == 2
    assert "exists" in err
    assert run("backup", str(path), "--force", "--database", filled_database)[0] == 0

    restored = f"sqlite:///{tmp_path / 'restored.sqlite'}"
    code, out, err = run("restore", str(path), "--database", restored)
    assert code == 0, err
    assert dict(line.split("\t") for line in out.strip().splitlines()) == counts
    store = Store.open(restored)
    try:
        from boligmonitor.store.reporting import ReportStore

        [summary] = ReportStore(store.engine).every_report()
        answers = ReportStore(store.engine).report(summary.id).answers
        assert answers["aktiviteter"].text == "SYNTHETIC answer"
    finally:
        store.close()

    code, _, err = run("restore", str(path), "--database", restored)
    assert code == 2
    assert "without accounts" in err


def test_restore_names_the_line_of_a_broken_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.jsonl"
    header = '{"format": "boligmonitor-backup", "format_version": 1, "created_at": "2026-03-02T09:00:00+00:00"}'
    path.write_text(header + "\nnot json\n", encoding="utf-8")
    code, out, err = run("restore", str(path), "--database", f"sqlite:///{tmp_path / 'new.sqlite'}")
    assert code == 2
    assert out == ""
    assert "line 2" in err
    assert "not JSON" in err
