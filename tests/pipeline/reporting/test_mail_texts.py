"""The words of a notification e-mail: every kind in bokmål, nynorsk and English, with the deadline in Norwegian
time and the links; never more than the facts it is given. (The municipality and programme are made up.)"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from boligmonitor.pipeline.reporting.mail_texts import MailLanguage, MessageFacts, body, format_deadline, subject
from boligmonitor.store.reporting import NotificationKind

FACTS = MessageFacts(
    municipality="SYNTHETIC kommune (5001)",
    programme="SYNTHETIC program",
    year=2019,
    deadline=datetime(2026, 4, 15, 21, 59, tzinfo=UTC),  # 23:59 in Oslo (summer time)
    link="https://boligmonitor.example/rapportering/3/5001",
    inbox="https://boligmonitor.example/innboks",
    language_settings="https://boligmonitor.example/konto/sprak",
)


@pytest.mark.parametrize("language", ["nb", "nn", "en"])
@pytest.mark.parametrize("kind", list(NotificationKind))
def test_every_kind_in_every_language_names_the_facts_and_the_links(
    kind: NotificationKind, language: MailLanguage
) -> None:
    text = body(kind, FACTS, language)
    title = subject(kind, FACTS, language)
    assert "SYNTHETIC kommune (5001)" in title and "2019" in title
    assert "SYNTHETIC program" in text and "2019" in text
    assert FACTS.link in text and FACTS.inbox in text
    assert text.rstrip().endswith(FACTS.language_settings)  # where she chooses another language, last
    if kind in (NotificationKind.INVITATION, NotificationKind.REMINDER):
        assert format_deadline(FACTS.deadline, language) in text


def test_the_language_link_is_the_settings_page() -> None:
    from boligmonitor.pipeline.reporting.mail import LANGUAGE_SETTINGS_PATH
    from boligmonitor.web.auth.language import LANGUAGE_PATH

    assert LANGUAGE_SETTINGS_PATH == LANGUAGE_PATH


def test_the_deadline_is_written_in_norwegian_time() -> None:
    assert format_deadline(FACTS.deadline, "nb") == "15. april 2026 kl. 23.59"
    assert format_deadline(FACTS.deadline, "nn") == "15. april 2026 kl. 23.59"
    assert format_deadline(FACTS.deadline, "en") == "15 April 2026 23:59 (Norwegian time)"


def test_nynorsk_and_english_are_their_own_words() -> None:
    assert body(NotificationKind.REMINDER, FACTS, "nn").startswith("Rapporten frå SYNTHETIC kommune (5001)")
    assert subject(NotificationKind.RETURNED, FACTS, "en").startswith("The report is returned")
