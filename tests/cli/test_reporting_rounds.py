"""`boligmonitor reporting round …`, `remind` and `send-mail`, run in-process on SQLite files, with a real SMTP
server on loopback (aiosmtpd). All people are SYNTHETIC; the round is of the packaged 2018 form."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator, Mapping
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import insert, select
from typer.testing import CliRunner

from boligmonitor.cli.reporting import reporting_app
from boligmonitor.store import Store
from boligmonitor.store.accounts import AccountStore
from boligmonitor.store.accounts.tables import audit_log
from boligmonitor.store.reporting.tables import notification_outbox, reporting_round
from tests.pipeline.reporting.smtp_server import BASE_URL, SmtpServer, body_of, refusing_port, running_smtp_server
from tests.store.accounts.synthetic import FakeClock
from tests.store.reporting.synthetic import CLI, make_accounts

runner = CliRunner()
NO_MAIL: dict[str, str | None] = {"BOLIGMONITOR_SMTP_HOST": None}


@pytest.fixture(scope="module")
def smtp_module() -> Iterator[SmtpServer]:
    with running_smtp_server() as server:
        yield server


@pytest.fixture
def smtp(smtp_module: SmtpServer) -> SmtpServer:
    smtp_module.mailbox.reset()
    return smtp_module


@pytest.fixture(scope="module")
def database_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated database with the SYNTHETIC people (Kari reports for 5001, Per for 5006, Anne advises Midt)."""
    path = tmp_path_factory.mktemp("rounds") / "template.sqlite"
    store = Store.open(f"sqlite:///{path}")
    try:
        make_accounts(store.engine, FakeClock())
    finally:
        store.close()
    return path


@pytest.fixture
def database(tmp_path: Path, database_template: Path) -> str:
    path = tmp_path / "rounds.sqlite"
    shutil.copyfile(database_template, path)
    return f"sqlite:///{path}"


def run(*arguments: str, env: Mapping[str, str | None] | None = None) -> tuple[int, str, str]:
    result = runner.invoke(reporting_app, list(arguments), env=dict(env or NO_MAIL))
    return result.exit_code, result.stdout, result.stderr


def days_from_today(days: int) -> str:
    return f"{datetime.now(ZoneInfo('Europe/Oslo')).date() + timedelta(days=days):%Y-%m-%d}"


def open_round(database: str, *, closes_in_days: int = 3) -> int:
    code, out, err = run(
        "round",
        "open",
        "--programme",
        "bolig_for_velferd",
        "--year",
        "2018",
        "--opens",
        days_from_today(-1),
        "--closes",
        days_from_today(closes_in_days),
        "--database",
        database,
    )
    assert code == 0, err
    return int(out.strip())


def unsent(database: str) -> int:
    store = Store.open(database)
    try:
        with store.engine.connect() as connection:
            rows = connection.execute(select(notification_outbox.c.id).where(notification_outbox.c.sent_at.is_(None)))
            return len(rows.all())
    finally:
        store.close()


def test_a_round_is_opened_listed_invited_mailed_reminded_and_closed(database: str, smtp: SmtpServer) -> None:
    round_id = open_round(database)
    code, out, _ = run("round", "list", "--database", database)
    assert code == 0
    header, line = out.strip().splitlines()
    assert header == "id\tprogramme\tyear\tform_version\topens\tcloses\tstate"
    fields = line.split("\t")
    assert (fields[0], fields[1], fields[2], fields[6]) == (str(round_id), "bolig_for_velferd", "2018", "open")
    assert fields[4].startswith(days_from_today(-1)) and fields[5] == f"{days_from_today(3)} 23:59"

    code, _, err = run("round", "invite", str(round_id), "--municipality", "5001", "--municipality", "0301",
                       "--database", database)  # fmt: skip
    assert code == 0, err
    assert "Queued 1 invitation(s)" in err
    assert "no active reporter for 0301" in err

    code, _, err = run("send-mail", "--database", database, env=smtp.environment())
    assert code == 0, err
    assert "Sent 1 message(s)" in err
    [invitation] = smtp.mailbox.messages
    assert invitation["To"] == "kari@kommune.example"
    assert f"{BASE_URL}/rapportering/{round_id}/5001" in body_of(invitation)

    code, out, err = run("remind", "--days", "7", "--database", database)
    assert code == 0, err
    assert "Queued 1 reminder(s) in 1 round(s)" in err
    assert out.strip().splitlines() == [f"{round_id}\t5001\t1"]
    assert "Queued 0 reminder(s) in 0 round(s)" in run("remind", "--database", database)[2]  # once only

    assert run("send-mail", "--database", database, env=smtp.environment())[0] == 0
    assert [message["Subject"].split(":")[0] for message in smtp.mailbox.messages] == [
        "Invitasjon til rapportering",
        "Påminnelse",
    ]

    code, _, err = run("round", "close", str(round_id), "--database", database)
    assert code == 0, err
    assert run("round", "list", "--database", database)[1].strip().endswith("\tclosed")
    store = Store.open(database)
    try:
        with store.engine.connect() as connection:
            actions = list(connection.scalars(select(audit_log.c.action).where(audit_log.c.action.like("%.%"))))
    finally:
        store.close()
    assert [action for action in actions if action.startswith(("reporting_round", "notifications"))] == [
        "reporting_round.created",
        "notifications.queued",
        "notifications.queued",
        "reporting_round.closed",
    ]


def test_a_reminder_waits_until_the_deadline_is_near(database: str) -> None:
    round_id = open_round(database, closes_in_days=20)
    assert run("round", "invite", str(round_id), "--municipality", "5001", "--database", database)[0] == 0
    assert "Queued 0 reminder(s)" in run("remind", "--database", database)[2]
    assert "Queued 1 reminder(s)" in run("remind", "--days", "21", "--database", database)[2]


@pytest.mark.parametrize(
    ("opens", "closes", "named"),
    [
        ("2026-13-01", "2026-12-31", "--opens: '2026-13-01' is not a date"),
        ("2026-01-01", "1. april", "--closes: '1. april' is not a date"),
        ("2026-04-02", "2026-04-01", "--closes (2026-04-01) must be after --opens (2026-04-02)"),
        ("2026-04-01T12:00", "2026-04-01T09:30+00:00", "--closes"),  # 12:00 in Oslo is 10:00 UTC
    ],
)
def test_bad_dates_name_the_option(database: str, opens: str, closes: str, named: str) -> None:
    code, _, err = run("round", "open", "--programme", "bolig_for_velferd", "--year", "2018", "--opens", opens,
                       "--closes", closes, "--database", database)  # fmt: skip
    assert code == 2
    assert named in err
    assert run("round", "list", "--database", database)[1].strip().splitlines()[1:] == []


def test_an_unknown_form_and_a_second_round_are_refused(database: str) -> None:
    code, _, err = run("round", "open", "--programme", "bolig_for_velferd", "--year", "1999", "--opens", "2026-01-01",
                       "--closes", "2026-02-01", "--database", database)  # fmt: skip
    assert code == 2
    assert "--programme bolig_for_velferd --year 1999" in err
    open_round(database)
    code, _, err = run("round", "open", "--programme", "bolig_for_velferd", "--year", "2018", "--opens", "2026-01-01",
                       "--closes", "2026-02-01", "--database", database)  # fmt: skip
    assert code == 2
    assert "already a reporting round for bolig_for_velferd 2018" in err


def test_invite_takes_the_programme_members_of_the_year_or_named_municipalities(database: str) -> None:
    round_id = open_round(database)
    assert "either --members or" in run("round", "invite", str(round_id), "--database", database)[2]
    both = run("round", "invite", str(round_id), "--members", "--municipality", "5001", "--database", database)
    assert both[0] == 2
    code, _, err = run("round", "invite", str(round_id), "--members", "--database", database)
    assert code == 2
    assert "bolig_for_velferd has no members in 2018" in err
    code, _, err = run("round", "invite", str(round_id), "--municipality", "50", "--database", database)
    assert code == 2
    assert "--municipality: '50' is not a municipality number" in err
    assert "there is no reporting round 999" in run("round", "invite", "999", "--municipality", "5001",
                                                     "--database", database)[2]  # fmt: skip

    # A SYNTHETIC round of the Midt-Norge programme for 2010 (no form is packaged for it): its eight members.
    store = Store.open(database)
    try:
        with store.engine.begin() as connection:
            midt_norge = connection.execute(
                insert(reporting_round).values(
                    programme_id="boligsosialt_utviklingsprogram_midt_norge",
                    year=2010,
                    form_version="2026.1.0",
                    opens_at=datetime(2026, 1, 1, tzinfo=ZoneInfo("UTC")),
                    closes_at=datetime(2030, 1, 1, tzinfo=ZoneInfo("UTC")),
                    state="open",
                    created_at=datetime(2026, 1, 1, tzinfo=ZoneInfo("UTC")),
                    created_by="SYNTHETIC",
                )
            ).inserted_primary_key
        assert midt_norge is not None
        AccountStore(store.engine).create_account(
            "trond@kommune.example", "municipal_reporter", municipality="1601", actor=CLI
        )
    finally:
        store.close()
    code, _, err = run("round", "invite", str(midt_norge[0]), "--members", "--database", database)
    assert code == 0, err
    assert "Queued 1 invitation(s)" in err and "for 8 municipalities" in err
    assert "no active reporter for 1502, 1504, 1505, 1702, 1714, 1719, 1721" in err


def test_close_refuses_an_unknown_round(database: str) -> None:
    code, _, err = run("round", "close", "42", "--database", database)
    assert code == 2
    assert "there is no reporting round 42" in err


def test_send_mail_without_a_server_sends_nothing_and_says_so(database: str) -> None:
    round_id = open_round(database)
    run("round", "invite", str(round_id), "--municipality", "5001", "--database", database)
    code, _, err = run("send-mail", "--database", database)
    assert code == 0
    assert "No SMTP server configured (BOLIGMONITOR_SMTP_HOST): no e-mail sent." in err
    assert unsent(database) == 1


def test_send_mail_failures_exit_non_zero_and_leave_messages_unsent(database: str, smtp: SmtpServer) -> None:
    round_id = open_round(database)
    run("round", "invite", str(round_id), "--municipality", "5001", "--municipality", "5006", "--database", database)

    smtp.mailbox.refuse_data = "554 5.7.1 SYNTHETIC message refused"
    code, _, err = run("send-mail", "--database", database, env=smtp.environment())
    assert code == 1
    assert "not sent: message 1 to kari@kommune.example: 554 5.7.1 SYNTHETIC message refused" in err
    assert "2 message(s) left unsent; they are tried again by the next run" in err
    assert unsent(database) == 2

    with refusing_port() as port:
        code, _, err = run("send-mail", "--database", database,
                           env={**smtp.environment(), "BOLIGMONITOR_SMTP_PORT": str(port)})  # fmt: skip
    assert code == 1
    assert f"cannot reach the SMTP server at 127.0.0.1:{port}" in err and "nothing sent" in err

    code, _, err = run("send-mail", "--database", database,
                       env={**smtp.environment(), "BOLIGMONITOR_SMTP_SECURITY": "starttls"})  # fmt: skip
    assert code == 1
    assert "does not offer STARTTLS" in err

    code, _, err = run("send-mail", "--database", database,
                       env={**smtp.environment(), "BOLIGMONITOR_SMTP_FROM": None})  # fmt: skip
    assert code == 2
    assert "BOLIGMONITOR_SMTP_FROM" in err
    assert unsent(database) == 2 and smtp.mailbox.messages == []

    smtp.mailbox.reset()
    assert run("send-mail", "--database", database, env=smtp.environment())[0] == 0
    assert unsent(database) == 0 and len(smtp.mailbox.messages) == 2
    assert json.dumps([message["To"] for message in smtp.mailbox.messages]) == json.dumps(
        ["kari@kommune.example", "per@kommune.example"]
    )
