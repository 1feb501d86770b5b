"""The header of personal pages names who is signed in (e-mail and role in the page's language) with links to her
account, her reports and her inbox (with the unread count) and a sign-out button; public pages never do, and a
page rendered for a signed-in person is never kept by the page cache nor served to anyone else.

All people, municipalities and answers are SYNTHETIC (tests/store/reporting/synthetic.py)."""

from __future__ import annotations

import re

import pytest

from boligmonitor.store.reporting import AnswerInput
from tests.store.reporting.synthetic import CLI
from tests.web.reporting import conftest as reporting_fixtures
from tests.web.reporting.conftest import ANNE, KARI, ReportingSite, csrf_from

# The reporting pages' site (tests/web/reporting/conftest.py), used here as fixtures of this module.
reporting_template = reporting_fixtures.reporting_template
site = reporting_fixtures.site

ADMIN = "admin@husbanken.example"  # SYNTHETIC
HEADER = re.compile(r'<div class="bm-header__inner bm-signed-in">(.*?)</div>', re.S)


def header_of(html: str) -> str:
    found = HEADER.search(html)
    assert found is not None, "no signed-in header"
    return found.group(1)


@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("nb", "Logget inn som kari@kommune.example (Rapportør i kommunen)"),
        ("nn", "Logga inn som kari@kommune.example (Rapportør i kommunen)"),
        ("en", "Signed in as kari@kommune.example (Municipal reporter)"),
    ],
)
def test_a_personal_page_names_her_and_her_role_in_the_pages_language(
    site: ReportingSite, language: str, said: str
) -> None:
    kari = site.browser(KARI)
    page = kari.get(f"/rapportering?lang={language}")
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    header = header_of(page.text)
    assert said in header
    assert f'href="/konto?lang={language}"' in header or 'href="/konto"' in header
    assert "/rapportering" in header
    assert "/innboks" in header
    # The sign-out button posts this session's CSRF token.
    assert f'name="csrf_token" value="{csrf_from(page)}"' in header
    assert 'action="/logg-ut' in header


def test_the_sign_out_button_ends_the_session(site: ReportingSite) -> None:
    kari = site.browser(KARI)
    page = kari.get("/rapportering")
    signed_out = kari.post("/logg-ut", data={"csrf_token": csrf_from(page)}, follow_redirects=False)
    assert signed_out.status_code == 303
    again = kari.get("/rapportering", follow_redirects=False)
    assert again.status_code == 303
    assert again.headers["location"].startswith("/logg-inn")


def test_the_inbox_link_counts_her_unread_messages(site: ReportingSite) -> None:
    kari = site.browser(KARI)
    assert "uleste" not in header_of(kari.get("/rapportering").text)
    # Anne returns Kari's submitted report: Kari's municipality's reporters are told (one unread message).
    draft = site.reports.open_draft(site.round.id, "5001", actor=site.actor(KARI))
    saved = site.reports.save_answers(
        draft.id,
        draft.version,
        {"antall_boliger": AnswerInput(number=3), "har_plan": AnswerInput(yes_no=True)},
        actor=site.actor(KARI),
    )
    submitted = site.reports.submit(saved.id, saved.version, actor=site.actor(KARI))
    site.reports.return_report(submitted.id, "SYNTHETIC: se på tallet", actor=site.actor(ANNE))
    assert "Innboks (1 uleste)" in header_of(kari.get("/rapportering").text)


def test_the_reports_link_only_for_roles_that_have_reports(site: ReportingSite) -> None:
    site.accounts.create_account(ADMIN, "administrator", actor=CLI)
    page = site.browser(ADMIN).get("/konto")
    assert page.status_code == 200
    header = header_of(page.text)
    assert "admin@husbanken.example (Administrator)" in header
    assert "/rapportering" not in header
    assert "/konto" in header


def test_public_pages_name_nobody_and_stay_the_same_for_everyone(site: ReportingSite) -> None:
    kari = site.browser(KARI)
    # Kari first, while the cache is cold: her request is rendered for her alone and not kept.
    hers = kari.get("/om")
    assert hers.status_code == 200
    assert hers.headers["cache-control"] == "private, no-cache"
    assert "kari@kommune.example" not in hers.text
    assert "bm-signed-in" not in hers.text
    public = site.browser(None)
    first = public.get("/om")
    second = site.browser(None).get("/om")
    assert first.headers["cache-control"] == "no-cache"  # may be kept by caches, revalidated
    assert "bm-signed-in" not in first.text
    assert "kari@kommune.example" not in first.text
    assert first.headers["etag"] == second.headers["etag"]
    assert first.content == second.content
    # A conditional request with the public page's ETag is a 304 for the public.
    assert public.get("/om", headers={"If-None-Match": first.headers["etag"]}).status_code == 304


def test_a_page_rendered_for_her_is_never_served_to_someone_else(site: ReportingSite) -> None:
    kari = site.browser(KARI)
    hers = kari.get(site.form_path)
    assert hers.status_code == 200
    assert "kari@kommune.example" in hers.text
    assert hers.headers["cache-control"] == "no-store"  # no shared cache may keep it
    # The same URL for the public (also with her page's validator, as a shared cache would send): sign in.
    for browser in (site.browser(None), site.browser(None)):
        answer = browser.get(site.form_path, headers={"If-None-Match": hers.headers["etag"]}, follow_redirects=False)
        assert answer.status_code == 303
        assert answer.headers["location"].startswith("/logg-inn")
        assert "kari@kommune.example" not in answer.text
    # Another signed-in person of another municipality is refused, not shown Kari's page.
    per = site.browser("per@kommune.example")
    refused = per.get(site.form_path)
    assert refused.status_code == 403
    assert "kari@kommune.example" not in refused.text
