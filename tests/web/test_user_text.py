"""No developer text on user pages (issue 12, finding 7): every page type, in bokmål and nynorsk, is read as a user
reads it (the visible text, without scripts, styles and command names in ``<code>``) and must hold no maintainer's
marks (``[``, backticks, "unverified", "inferred", "status .") and no English sentences; the catalogue keeps such
notes in its developer fields (``title_note``, ``maintainer_notes``, a recipe's ``evidence``)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient

from boligmonitor.catalog import load_catalog
from boligmonitor.catalog.models import Text

# Words of an English sentence that no Norwegian interface text uses as a word of its own.
ENGLISH_WORDS = re.compile(
    r"\b(the|and|of|with|which|needs?|missing|values?|unverified|inferred|verified|check|third|title|fetch|"
    r"table|from|is|are|not|left out|only)\b"
)
DEVELOPER_MARKS = re.compile(r"\[|\]|`|unverified|inferred|status \.|ContentsCode|KOMPIS|Qlik", re.IGNORECASE)

THEMES = [theme.id for theme in load_catalog().themes]
PAGES = [
    "/",
    "/om",
    "/region/0",
    "/region/46",
    "/region/0301",
    "/region/4650",
    "/region/1151",
    *(f"/region/4650/tema/{theme}" for theme in THEMES),
    "/region/0301/tema/eldre_og_bolig",
    "/region/0/tema/husbankens_virkemidler",
    "/indikator/FL01",
    "/indikator/EL07",
    "/indikator/BEF06",
    "/region/4650/indikator/FL01",
    "/region/4650/indikator/EL07",
    "/sammenlign?kommune=4650&kommune=0301",
    "/rangering?fylke=46",
    "/region/4650/faktaark",
    "/region/0301/faktaark",
    "/region/9999",  # 404
    "/region/4650?visning=foo",  # 400
]


class _VisibleText(HTMLParser):
    """The text a user reads: no script, style or template content, no ``<code>`` (command names)."""

    HIDDEN = frozenset({"script", "style", "template", "code"})

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.HIDDEN:
            self._hidden += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in self.HIDDEN:
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _VisibleText()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def developer_text(text: str) -> list[str]:
    """Each maintainer's mark or English word in ``text``, with some context."""
    found = [*DEVELOPER_MARKS.finditer(text), *ENGLISH_WORDS.finditer(text)]
    return [text[max(0, m.start() - 50) : m.end() + 50] for m in found]


def test_developer_text_is_found() -> None:
    """The check itself: the texts of issue 12 are caught, plain Norwegian is not."""
    for seen in (
        "Kilde SSB, tabell 04469 ([title unverified – third-party test fetches ContentsCode 'Beboere'])",
        "Boforhold, registerbasert – trangboddhet (K) [title inferred]",
        "Lastet inn (missing values have status . .. :)",
        "SSB 12345: needs the live SSB connector (`boligmonitor fetch`)",
        "Mottakere av sosialhjelp 2014 – IMDi (special extract from SSB)",
    ):
        assert developer_text(seen), seen
    assert not developer_text(
        "Ikke lastet inn ennå – kilden er ikke lastet inn i denne installasjonen. Eldre tall (2014)"
    )
    assert visible_text("<p>Kjør <code>boligmonitor fetch</code>.</p><script>var the = 1</script>") == "Kjør ."


@pytest.mark.parametrize("language", ["nb", "nn"])
@pytest.mark.parametrize("url", PAGES)
def test_pages_hold_no_developer_text(web_client: TestClient, url: str, language: str) -> None:
    response = web_client.get(url + ("&" if "?" in url else "?") + f"lang={language}")
    assert response.status_code in (200, 400, 404), (url, response.status_code)
    assert response.headers["content-type"].startswith("text/html")
    found = developer_text(visible_text(response.text))
    assert not found, found[:10]


def _user_texts() -> list[tuple[str, str]]:
    """Every catalogue text a page shows, in bokmål and nynorsk: names, definitions, caveats, themes' scope and
    error sources, and the sources' table titles."""
    catalog = load_catalog()
    texts: list[tuple[str, Text | str | None]] = []
    for theme in catalog.themes:
        texts += [(f"{theme.id}.{name}", getattr(theme, name)) for name in ("name", "description", "scope")]
        texts.append((f"{theme.id}.error_sources", theme.error_sources))
    for indicator in catalog.indicators:
        for name in ("name", "short_name", "definition", "numerator_text", "denominator_text", "reference_time"):
            texts.append((f"{indicator.id}.{name}", getattr(indicator, name)))
        texts += [(f"{indicator.id}.caveats[{k}]", caveat) for k, caveat in enumerate(indicator.caveats)]
        texts += [(f"{indicator.id}.sources[{k}]", source.table_title) for k, source in enumerate(indicator.sources)]
    out: list[tuple[str, str]] = []
    for where, text in texts:
        if isinstance(text, Text):
            out += [(f"{where}.nb", text.nb), (f"{where}.nn", text.nn)]
        elif text is not None:
            out.append((where, text))
    return out


def test_catalogue_texts_users_read_hold_no_developer_notes() -> None:
    """Beyond the pages rendered above: every indicator's and theme's texts, as any page may show them."""
    marks = re.compile(r"\[|\]|`|unverified|inferred|ContentsCode|KOMPIS|Qlik|verifisert|sjekk at", re.IGNORECASE)
    found = [(where, text) for where, text in _user_texts() if marks.search(text)]
    assert not found, found[:10]


def test_maintainers_notes_stay_in_the_export() -> None:
    """The notes moved off the pages are kept for maintainers (catalog --json exports every field)."""
    from boligmonitor.catalog.export import catalog_to_json

    exported = catalog_to_json(load_catalog())
    el07 = next(item for item in exported["indicators"] if item["id"] == "EL07")
    assert any("unverified" in (source["title_note"] or "") for source in el07["sources"])
    el01 = next(item for item in exported["indicators"] if item["id"] == "EL01")
    assert any("KOMPIS" in note for note in el01["maintainer_notes"])
    husbanken = next(item for item in exported["themes"] if item["id"] == "husbankens_virkemidler")
    assert any("Qlik" in note for note in husbanken["maintainer_notes"])


def test_not_loaded_links_to_how_sources_are_loaded(web_client: TestClient) -> None:
    html = web_client.get("/region/4650/tema/eldre_og_bolig").text
    assert "Kilden er ikke lastet inn i denne installasjonen" in html.replace("kilden", "Kilden")
    assert 'href="/om#laste-inn"' in html
    about = web_client.get("/om").text
    assert 'id="laste-inn"' in about


def test_recipe_evidence_is_told_in_plain_norwegian(web_client: TestClient) -> None:
    """A recipe's evidence (a maintainer's record: "third_party", "assumed") reaches users as a plain sentence."""
    html = web_client.get("/region/0301/tema/eldre_og_bolig").text
    assert "Oppskriften er ikke bekreftet mot SSBs metadata." in html
    assert "third_party" not in visible_text(html) and "assumed" not in visible_text(html)
