"""The open-answer pages as an analyst and an adviser use them, without JavaScript: coding passages chosen by
sentence or quote, redaction with a reason, the codebook, counts with example quotes, search, exports. Errors are
shown next to the field and in a summary, in the page's language, and nothing is half-saved. All answers and
people are SYNTHETIC."""

from __future__ import annotations

import io
import re
import zipfile

import httpx
from openpyxl import load_workbook

from boligmonitor.store.reporting import AnswerInput
from boligmonitor.store.reporting.coding import Span
from tests.store.reporting.coding.synthetic_coding import OPEN_QUESTION
from tests.store.reporting.synthetic import CLI
from tests.web.programme_coding.conftest import ANNE, BASE, SIRI, CodingSite, answer_path
from tests.web.reporting.conftest import csrf_from

PERSON = "Kari Nordmann på 45 år"


def _errors(response: httpx.Response) -> dict[str, str]:
    return dict(
        re.findall(r'<p class="ds-validation-message"[^>]*id="field-([a-z0-9_-]+)-error">([^<]*)</p>', response.text)
    )


def _code(site: CodingSite, name: str = "SYNTHETIC Bemanning", **fields: object) -> int:
    return site.coding.add_code("bolig_for_velferd", name, actor=site.actor(SIRI), **fields).id  # type: ignore[arg-type]


def test_an_analyst_codes_sentences_and_a_quote_by_plain_forms(site: CodingSite) -> None:
    staff, housing = _code(site), _code(site, "SYNTHETIC Boliger", goal_id="mal_01_overgangsfase")
    browser = site.browser(SIRI)
    page = browser.get(answer_path("5001"))
    assert page.status_code == 200 and "SYNTHETIC" in page.text and "Vi har ansatt en boligkoordinator." in page.text
    version = str(site.answer("5001").report_version_id)
    token = csrf_from(page)
    sent = browser.post(
        answer_path("5001") + "/koding",
        data={
            "csrf_token": token,
            "versjon": version,
            "utdrag": "setninger",
            "fra": "1",
            "til": "1",
            "koder": [str(staff)],
            "eksempel": "1",
            "notat": "SYNTHETIC notat",
        },
        follow_redirects=False,
    )
    assert sent.status_code == 303 and sent.headers["location"].endswith("?melding=kodet#passasjer")
    quoted = browser.post(
        answer_path("5001") + "/koding",
        data={
            "csrf_token": token,
            "versjon": version,
            "utdrag": "sitat",
            "sitat": "Boligene\n  er nye!",
            "koder": [str(housing), str(staff)],
        },
        follow_redirects=False,
    )
    assert quoted.status_code == 303
    passages = site.coding.passages("bolig_for_velferd")
    texts = [site.answer("5001").text[p.start : p.end] for p in passages]
    assert texts == ["SYNTHETIC: Vi har ansatt en boligkoordinator.", "Boligene er nye!"]
    assert passages[0].example_quote and passages[0].note == "SYNTHETIC notat"
    assert passages[1].code_ids == tuple(sorted((staff, housing)))
    shown = browser.get(answer_path("5001") + "?melding=kodet")
    assert "Utdraget er kodet." in shown.text and "Eksempelsitat" in shown.text


def test_a_refused_coding_names_the_fields_and_saves_nothing(site: CodingSite) -> None:
    _code(site)
    browser = site.browser(SIRI)
    page = browser.get(answer_path("5001") + "?lang=nn")
    version = str(site.answer("5001").report_version_id)
    refused = browser.post(
        answer_path("5001") + "/koding?lang=nn",
        data={"csrf_token": csrf_from(page), "versjon": version, "utdrag": "sitat", "sitat": "finst ikkje her"},
    )
    assert refused.status_code == 400
    assert _errors(refused) == {
        "utdrag": "Fann ikkje sitatet i svaret. Kopier teksten nøyaktig.",
        "koder": "Vel minst éin kode.",
    }
    assert 'href="#field-utdrag"' in refused.text and 'id="field-utdrag"' in refused.text
    assert "finst ikkje her" in refused.text  # what she typed is kept
    assert site.coding.passages("bolig_for_velferd") == []


def test_a_resubmitted_answer_is_not_coded_from_a_stale_page(site: CodingSite) -> None:
    code = _code(site)
    browser = site.browser(SIRI)
    page = browser.get(answer_path("0301"))
    stale = str(site.answer("0301").report_version_id)
    report = site.reports.report_for(site.round.id, "0301")
    assert report is not None
    returned = site.reports.return_report(report.id, "SYNTHETIC: rett opp", actor=CLI)
    saved = site.reports.autosave(
        returned.id, returned.version, {OPEN_QUESTION: AnswerInput(text="SYNTHETIC: Nytt svar.")}, actor=CLI
    )
    site.reports.submit(saved.id, saved.version, actor=CLI)
    refused = browser.post(
        answer_path("0301") + "/koding",
        data={"csrf_token": csrf_from(page), "versjon": stale, "utdrag": "hele", "koder": [str(code)]},
    )
    assert refused.status_code == 400 and "sendt inn svaret på nytt" in _errors(refused)["utdrag"]
    assert site.coding.passages("bolig_for_velferd") == []


def test_a_redaction_needs_a_reason_and_hides_the_span_everywhere(site: CodingSite) -> None:
    code = _code(site)
    browser = site.browser(SIRI)
    page = browser.get(answer_path("5001"))
    version = str(site.answer("5001").report_version_id)
    token = csrf_from(page)
    no_reason = browser.post(
        answer_path("5001") + "/sladding",
        data={"csrf_token": token, "versjon": version, "s-utdrag": "sitat", "s-sitat": PERSON},
    )
    assert no_reason.status_code == 400 and _errors(no_reason) == {"begrunnelse": "Skriv hvorfor delen sladdes."}
    assert site.coding.redactions(site.answer("5001").report_id, OPEN_QUESTION) == []
    done = browser.post(
        answer_path("5001") + "/sladding",
        data={
            "csrf_token": token,
            "versjon": version,
            "s-utdrag": "sitat",
            "s-sitat": PERSON,
            "begrunnelse": "SYNTHETIC: navn og alder",
        },
        follow_redirects=False,
    )
    assert done.status_code == 303
    site.coding.code_passage(
        int(version),
        OPEN_QUESTION,
        Span(0, len(site.answer("5001").text)),
        [code],
        actor=site.actor(SIRI),
        example_quote=True,
    )
    pages = [
        browser.get(answer_path("5001")),
        browser.get(answer_path("5001") + "?lang=en"),
        browser.get(BASE),
        browser.get(BASE + "/tellinger"),
        browser.get(BASE + "?q=Nordmann"),
    ]
    for shown in pages:
        assert shown.status_code == 200
        assert "Nordmann" not in shown.text.replace("q=Nordmann", "").replace('value="Nordmann"', "").replace(
            "«Nordmann»", ""
        )
    assert "[sladdet] fikk bolig" in pages[0].text and "[redacted] fikk bolig" in pages[1].text
    assert "Treff for «Nordmann» (0)" in pages[4].text
    found = browser.get(BASE + "?q=boligkoordinator")
    assert "<mark>boligkoordinator</mark>" in found.text and answer_path("5001") in found.text
    for path in ("/eksport/prosjekt.qdpx", "/eksport/koding.xlsx", "/eksport/kodebok.qdc"):
        export = browser.get(BASE + path)
        assert export.status_code == 200 and "SYNTHETIC" in export.headers["content-disposition"]
        if path.endswith(".qdpx"):
            with zipfile.ZipFile(io.BytesIO(export.content)) as archive:
                everything = b"".join(archive.read(name) for name in archive.namelist()).decode("utf-8")
            assert "Nordmann" not in everything and "SYNTHETIC" in everything
        if path.endswith(".xlsx"):
            workbook = load_workbook(io.BytesIO(export.content))
            cells = [str(c) for s in workbook.worksheets for row in s.iter_rows(values_only=True) for c in row]
            assert not any("Nordmann" in cell for cell in cells) and "SYNTHETIC" in cells[0]


def test_an_adviser_sees_only_her_regions_answers(site: CodingSite) -> None:
    browser = site.browser(ANNE)
    listed = browser.get(BASE)
    assert listed.status_code == 200
    assert answer_path("5001") in listed.text and answer_path("5006") in listed.text
    assert answer_path("0301") not in listed.text
    assert "Bostøtte" not in browser.get(BASE + "?q=bostøtte").text.split("Treff for", 1)[1]
    assert browser.get(answer_path("0301")).status_code == 403
    with zipfile.ZipFile(io.BytesIO(browser.get(BASE + "/eksport/prosjekt.qdpx").content)) as archive:
        sources = [name for name in archive.namelist() if name.startswith("sources/")]
    assert len(sources) == 2
    assert "Kod et utdrag" not in browser.get(answer_path("5001")).text  # reading only


def test_the_codebook_is_kept_by_plain_forms(site: CodingSite) -> None:
    browser = site.browser(SIRI)
    page = browser.get(BASE + "/kodebok")
    token = csrf_from(page)
    added = browser.post(
        BASE + "/kodebok",
        data={
            "csrf_token": token,
            "navn": "SYNTHETIC Samarbeid",
            "beskrivelse": "Med NAV",
            "maal": "mal_01_overgangsfase",
        },
        follow_redirects=False,
    )
    assert added.status_code == 303
    (code,) = site.coding.codes("bolig_for_velferd")
    assert (code.name, code.description, code.goal_id) == ("SYNTHETIC Samarbeid", "Med NAV", "mal_01_overgangsfase")
    twice = browser.post(BASE + "/kodebok?lang=en", data={"csrf_token": token, "navn": "SYNTHETIC Samarbeid"})
    assert twice.status_code == 400
    assert _errors(twice) == {"navn-new": "The codebook already has a code named “SYNTHETIC Samarbeid”."}
    bad_goal = browser.post(BASE + "/kodebok", data={"csrf_token": token, "navn": "X", "maal": "no_such_goal"})
    assert bad_goal.status_code == 400 and "maal-new" in _errors(bad_goal)
    child = browser.post(
        BASE + "/kodebok",
        data={"csrf_token": token, "navn": "SYNTHETIC NAV", "forelder": str(code.id)},
        follow_redirects=False,
    )
    assert child.status_code == 303
    changed = browser.post(
        BASE + f"/kodebok/{code.id}",
        data={"csrf_token": token, "navn": "SYNTHETIC Samarbeid i kommunen"},
        follow_redirects=False,
    )
    assert changed.status_code == 303
    shown = browser.get(BASE + "/kodebok")
    assert "SYNTHETIC Samarbeid i kommunen" in shown.text and "– SYNTHETIC NAV" in shown.text
    removed = browser.post(
        BASE + f"/kodebok/{code.id}", data={"csrf_token": token, "handling": "fjern"}, follow_redirects=False
    )
    assert removed.status_code == 303
    assert [(c.name, c.parent_id) for c in site.coding.codes("bolig_for_velferd")] == [("SYNTHETIC NAV", None)]
    assert browser.post(BASE + "/kodebok/999", data={"csrf_token": token}).status_code == 404


def test_counts_show_a_chart_with_its_table_and_example_quotes(site: CodingSite) -> None:
    code = _code(site, "SYNTHETIC Boliger")
    siri = site.actor(SIRI)
    for municipality in ("5001", "5006"):
        answer = site.answer(municipality)
        site.coding.code_passage(
            answer.report_version_id,
            OPEN_QUESTION,
            Span(0, 9),
            [code],
            actor=siri,
            example_quote=municipality == "5006",
            note="SYNTHETIC hvorfor",
        )
    browser = site.browser(SIRI)
    for language in ("nb", "nn", "en"):
        page = browser.get(BASE + f"/tellinger?lang={language}")
        assert page.status_code == 200 and "<svg" in page.text and "<table" in page.text
    page = browser.get(BASE + "/tellinger")
    assert "«SYNTHETIC Boliger» oftest brukt: 2 av 3 kommuner" in page.text
    assert "SYNTHETIC hvorfor" in page.text and "SYNTETISKE svar" in page.text
    filtered = browser.get(BASE + f"?kode={code}")
    assert answer_path("5001") in filtered.text and answer_path("0301") not in filtered.text
    assert browser.get(BASE + "?ar=abc").status_code == 400


def test_passages_are_changed_and_removed_by_plain_forms(site: CodingSite) -> None:
    first, second = _code(site), _code(site, "SYNTHETIC To")
    answer = site.answer("5006")
    passage = site.coding.code_passage(
        answer.report_version_id, OPEN_QUESTION, Span(0, 9), [first], actor=site.actor(SIRI)
    )
    browser = site.browser(SIRI)
    token = csrf_from(browser.get(answer_path("5006")))
    path = answer_path("5006") + f"/koding/{passage.id}"
    empty = browser.post(path, data={"csrf_token": token})
    assert empty.status_code == 400 and _errors(empty) == {f"koder-{passage.id}": "Velg minst én kode."}
    assert (
        browser.post(
            path, data={"csrf_token": token, "koder": [str(second)], "eksempel": "1"}, follow_redirects=False
        ).status_code
        == 303
    )
    assert site.coding.passages("bolig_for_velferd")[0].code_ids == (second,)
    assert (
        browser.post(path, data={"csrf_token": token, "handling": "fjern"}, follow_redirects=False).status_code == 303
    )
    assert site.coding.passages("bolig_for_velferd") == []
    assert browser.post(path, data={"csrf_token": token, "handling": "fjern"}).status_code == 404


def test_every_page_has_unique_ids_and_labelled_fields_in_each_language(site: CodingSite) -> None:
    code = _code(site, "SYNTHETIC Boliger", goal_id="mal_01_overgangsfase")
    _code(site, "SYNTHETIC Under", parent_id=code)
    answer = site.answer("5001")
    site.coding.code_passage(answer.report_version_id, OPEN_QUESTION, Span(0, 9), [code], actor=site.actor(SIRI))
    browser = site.browser(SIRI)
    for language in ("nb", "nn", "en"):
        for path in (BASE, answer_path("5001"), BASE + "/kodebok", BASE + "/tellinger", BASE + "?q=bolig"):
            page = browser.get(f"{path}{'&' if '?' in path else '?'}lang={language}")
            assert page.status_code == 200, path
            ids = re.findall(r'\sid="([^"]+)"', page.text)
            assert len(ids) == len(set(ids)), (path, sorted({i for i in ids if ids.count(i) > 1}))
            for field in re.findall(r'<(?:input|select|textarea) class="ds-input"[^>]*\sid="([^"]+)"', page.text):
                assert f'for="{field}"' in page.text, (path, field)
