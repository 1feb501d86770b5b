"""The inbox page: each person's own notifications, newest first, unread marked; opening one (a POST with the
CSRF token) marks it read and leads to its page; a GET changes nothing; another person's message is a 404. With
its authorisation matrix written out by hand. All people are SYNTHETIC (tests/store/reporting/synthetic.py), plus
an administrator."""

from __future__ import annotations

import re
from typing import Final

import httpx
import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from boligmonitor.pipeline.reporting.invitations import invite
from boligmonitor.store.accounts import Role
from boligmonitor.store.reporting import AnswerInput, NotificationKind
from boligmonitor.store.reporting import notifications as outbox
from boligmonitor.web.views.reporting.inbox import router as inbox_router
from boligmonitor.web.views.reporting.inbox import unread_count
from tests.store.reporting.synthetic import CLI
from tests.web.auth.matrix import ADM, ADV, ANA, PUB, REA, REP, requirements_of, route_methods
from tests.web.reporting.conftest import ANNE, KARI, OLA, PER, SIRI, ReportingSite, csrf_from

ADMIN: Final = "admin@husbanken.example"
SECRET: Final = "SYNTHETIC kommentar som bare står på rapportsiden"
ABOUT: Final = "Husbankens kommuneprogram i Bolig for velferd 2019, 5001"  # 5001 has no name in the test data


@pytest.fixture
def inbox(site: ReportingSite) -> ReportingSite:
    """The reporting site with the inbox router, as the lead includes it in web/app.py."""
    return with_inbox(site)


@pytest.fixture
def inbox_on_each_database(site_on_each_database: ReportingSite) -> ReportingSite:
    """The same on SQLite and on PostgreSQL: for the authorisation matrix."""
    return with_inbox(site_on_each_database)


def with_inbox(site: ReportingSite) -> ReportingSite:
    if not any(getattr(route, "path", "") == "/innboks" for route in site.app.routes):
        site.app.include_router(inbox_router)
    return site


def account_id(site: ReportingSite, email: str) -> int:
    found = site.accounts.account(email)
    assert found is not None
    return found.id


def message_ids(site: ReportingSite, email: str) -> list[int]:
    return [message.id for message in site.reports.notifications(account_id(site, email))]


def listed_ids(response: httpx.Response) -> list[int]:
    return [int(found) for found in re.findall(r'id="melding-([0-9]+)"', response.text)]


def unread(site: ReportingSite, email: str) -> int:
    return outbox.unread_count(site.reports.engine, account_id(site, email))


def submitted_and_returned(site: ReportingSite) -> None:
    draft = site.reports.open_draft(site.round.id, "5001", actor=CLI)
    answers = {"antall_boliger": AnswerInput(number=1), "har_plan": AnswerInput(yes_no=True)}
    saved = site.reports.autosave(draft.id, draft.version, answers, actor=CLI)
    submitted = site.reports.submit(saved.id, saved.version, actor=CLI)
    site.reports.return_report(submitted.id, SECRET, actor=site.actor(ANNE))
    site.reports.comment(submitted.id, SECRET, actor=site.actor(ANNE))


def test_the_inbox_lists_her_own_messages_newest_first_with_unread_marked(inbox: ReportingSite) -> None:
    invite(inbox.reports, inbox.round.id, ["5001", "5006"], actor=CLI)
    submitted_and_returned(inbox)
    kari = inbox.browser(KARI)

    page = kari.get("/innboks")

    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    own = message_ids(inbox, KARI)  # newest first
    assert listed_ids(page) == own and len(own) == 3
    assert set(own).isdisjoint(message_ids(inbox, PER))
    text = page.text
    assert text.index("Ny kommentar til rapporten") < text.index("Rapporten er sendt tilbake")
    assert text.index("Rapporten er sendt tilbake") < text.index("Invitasjon til rapportering")
    assert text.count(">Ulest</span>") == 3
    assert "3 uleste. Viser 3 meldinger." in text
    assert "SYNTHETIC testskjema" not in text and SECRET not in text
    assert f'action="/innboks/{own[0]}"' in text and f'action="/innboks/{own[0]}/lest"' in text
    listing = text.split('class="ds-list--unstyled bm-inbox"', 1)[1].split("</ol>", 1)[0]
    assert listing.count('name="csrf_token"') == 6  # two forms per unread message, each with the token
    assert listing.count(f"{ABOUT}</p>") == 3


def test_opening_a_message_marks_it_read_and_leads_to_its_page(inbox: ReportingSite) -> None:
    invite(inbox.reports, inbox.round.id, ["5001"], actor=CLI)
    kari = inbox.browser(KARI)
    [message_id] = message_ids(inbox, KARI)
    page = kari.get("/innboks?lang=nn")
    assert "Invitasjon til rapportering" in page.text and ">Ulesen</span>" in page.text
    assert kari.get(f"/innboks/{message_id}").status_code == 405  # a GET changes nothing
    assert unread(inbox, KARI) == 1

    opened = kari.post(f"/innboks/{message_id}?lang=nn", data={"csrf_token": csrf_from(page)}, follow_redirects=False)

    assert opened.status_code == 303
    assert opened.headers["location"] == f"/rapportering/{inbox.round.id}/5001?lang=nn"
    assert unread(inbox, KARI) == 0
    after = kari.get("/innboks")
    assert ">Ulest</span>" not in after.text and "Lest" in after.text
    assert f'action="/innboks/{message_id}/lest"' not in after.text  # nothing left to mark
    # Opening it again still leads there, and changes nothing more.
    again = kari.post(f"/innboks/{message_id}", data={"csrf_token": csrf_from(page)}, follow_redirects=False)
    assert again.headers["location"] == f"/rapportering/{inbox.round.id}/5001"


def test_marking_read_comes_back_to_the_inbox_with_a_notice(inbox: ReportingSite) -> None:
    invite(inbox.reports, inbox.round.id, ["5001"], actor=CLI)
    kari = inbox.browser(KARI)
    [message_id] = message_ids(inbox, KARI)
    token = csrf_from(kari.get("/innboks"))

    marked = kari.post(f"/innboks/{message_id}/lest?lang=en", data={"csrf_token": token}, follow_redirects=False)

    assert marked.status_code == 303
    assert marked.headers["location"] == f"/innboks?lang=en&melding=lest#melding-{message_id}"
    page = kari.get("/innboks?lang=en&melding=lest")
    assert "The message is marked as read." in page.text
    assert "0 unread. Showing 1 messages." in page.text


def test_without_the_csrf_token_nothing_is_marked(inbox: ReportingSite) -> None:
    invite(inbox.reports, inbox.round.id, ["5001"], actor=CLI)
    [message_id] = message_ids(inbox, KARI)
    kari = inbox.browser(KARI)
    assert kari.post(f"/innboks/{message_id}", data={}, follow_redirects=False).status_code == 403
    assert kari.post(f"/innboks/{message_id}/lest", data={"csrf_token": "x"}, follow_redirects=False).status_code == 403
    assert unread(inbox, KARI) == 1


def test_another_persons_message_is_an_unknown_page(inbox: ReportingSite) -> None:
    invite(inbox.reports, inbox.round.id, ["5001", "5006"], actor=CLI)
    [pers] = message_ids(inbox, PER)
    kari = inbox.browser(KARI)
    token = csrf_from(kari.get("/innboks"))
    for path in (f"/innboks/{pers}", f"/innboks/{pers}/lest", "/innboks/99999", "/innboks/99999/lest"):
        response = kari.post(path, data={"csrf_token": token}, follow_redirects=False)
        assert response.status_code == 404, path
    assert "Fant ingen melding med nummer" in kari.post(f"/innboks/{pers}", data={"csrf_token": token}).text
    assert unread(inbox, PER) == 1
    assert kari.post("/innboks/abc", data={"csrf_token": token}).status_code == 400  # not a message number


def test_an_empty_inbox_says_so_and_the_count_is_for_the_header(inbox: ReportingSite) -> None:
    page = inbox.browser(OLA).get("/innboks")
    assert page.status_code == 200 and "Du har ingen meldinger." in page.text
    invite(inbox.reports, inbox.round.id, ["5001"], actor=CLI)
    request_app = inbox.app

    class _Request:  # unread_count needs only the app of the request
        app = request_app

    assert unread_count(_Request(), account_id(inbox, KARI)) == 1  # type: ignore[arg-type]
    assert unread_count(_Request(), account_id(inbox, OLA)) == 0  # type: ignore[arg-type]


# The authorisation matrix: every route × every role × (her own message, another person's message).

PEOPLE: Final = {
    Role.PUBLIC: None,
    Role.ADMINISTRATOR: ADMIN,
    Role.HUSBANKEN_ANALYST: SIRI,
    Role.REGIONAL_ADVISER: ANNE,
    Role.MUNICIPAL_REPORTER: KARI,
    Role.MUNICIPAL_READER: OLA,
}
SIGN_IN: Final = "303 /logg-inn"
OPENED: Final = ("303 /rapportering/{round_id}/5001", "404")
MARKED: Final = ("303 /innboks", "404")

ROUTES: Final[dict[tuple[str, str], dict[Role, tuple[str, ...]]]] = {
    ("GET", "/innboks"): {
        PUB: (SIGN_IN,),
        ADM: ("200",),
        ANA: ("200",),
        ADV: ("200",),
        REP: ("200",),
        REA: ("200",),
    },
    ("POST", "/innboks/{notification_id}"): {
        PUB: (SIGN_IN, SIGN_IN),
        ADM: OPENED,
        ANA: OPENED,
        ADV: OPENED,
        REP: OPENED,
        REA: OPENED,
    },
    ("POST", "/innboks/{notification_id}/lest"): {
        PUB: (SIGN_IN, SIGN_IN),
        ADM: MARKED,
        ANA: MARKED,
        ADV: MARKED,
        REP: MARKED,
        REA: MARKED,
    },
}


def test_every_inbox_route_is_in_the_matrix() -> None:
    added = route_methods(inbox_router)
    assert added == set(ROUTES)


def test_every_inbox_route_carries_one_requirement() -> None:
    for route in inbox_router.routes:
        assert isinstance(route, APIRoute)
        assert len(requirements_of(route)) == 1, route.path


def _outcome(response: httpx.Response, round_id: int) -> str:
    if response.is_redirect:
        location = response.headers["location"].split("?")[0].split("#")[0]
        return f"{response.status_code} {location}".replace(f"/{round_id}/", "/{round_id}/")
    return str(response.status_code)


@pytest.mark.parametrize(("method", "path"), list(ROUTES))
def test_each_inbox_route_answers_each_role_as_the_table_says(
    inbox_on_each_database: ReportingSite, method: str, path: str
) -> None:
    inbox = inbox_on_each_database
    inbox.accounts.create_account(ADMIN, "administrator", actor=CLI)
    own: dict[str, int] = {}
    with inbox.reports.engine.begin() as connection:  # one message to each person, about 5001
        for email in PEOPLE.values():
            if email is not None:
                outbox.queue(
                    connection,
                    [account_id(inbox, email)],
                    NotificationKind.COMMENT,
                    round_id=inbox.round.id,
                    municipality="5001",
                    at=inbox.clock(),
                )
    for email in PEOPLE.values():
        if email is not None:
            [own[email]] = message_ids(inbox, email)
    with inbox.reports.engine.begin() as connection:  # Per (no column of the table): "another person"
        outbox.queue(
            connection,
            [account_id(inbox, PER)],
            NotificationKind.COMMENT,
            round_id=inbox.round.id,
            municipality="5006",
            at=inbox.clock(),
        )
    [stranger] = message_ids(inbox, PER)
    actual: dict[Role, tuple[str, ...]] = {}
    for role, email in PEOPLE.items():
        browser: TestClient = inbox.browser(email)
        data = None
        if method == "POST":
            data = {"csrf_token": csrf_from(browser.get("/konto" if email else "/logg-inn"))}
        targets: tuple[int, ...] = (0,)
        if "{notification_id}" in path:
            targets = (own[email] if email else stranger, stranger)
        cells = []
        for target in targets:
            concrete = path.replace("{notification_id}", str(target))
            cells.append(_outcome(browser.request(method, concrete, data=data, follow_redirects=False), inbox.round.id))
        actual[role] = tuple(cells)
    assert actual == ROUTES[(method, path)]
    assert unread(inbox, PER) == 1  # nobody touched another person's message
