"""The REFI-QDA codebook (.qdc) and project (.qdpx), and the XLSX workbook: parsed back, their structure as the
REFI-QDA 1.5 schema has it (namespaces, element order, UUID guids, positions in characters of the exported text),
no redacted text anywhere, SYNTHETIC said when the answers are. SYNTHETIC answers (synthetic_coding.py)."""

from __future__ import annotations

import io
import uuid
import zipfile
from datetime import UTC, datetime
from xml.etree import ElementTree

from openpyxl import load_workbook

from boligmonitor.analysis.reporting.coding_xlsx import coding_workbook
from boligmonitor.analysis.reporting.open_answers import code_counts, coded_passages
from boligmonitor.analysis.reporting.refi_qda import (
    CODEBOOK_NAMESPACE,
    PROJECT_NAMESPACE,
    codebook_qdc,
    project_qdpx,
    source_guid,
)
from tests.analysis.reporting.synthetic_coding import ANSWERS, CODES, GROUPS, LABELS, PASSAGES, PERSON

CB = f"{{{CODEBOOK_NAMESPACE}}}"
PR = f"{{{PROJECT_NAMESPACE}}}"
NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)


def _is_uuid(value: str | None) -> bool:
    assert value is not None
    return str(uuid.UUID(value)) == value.lower()


def test_the_codebook_nests_codes_under_their_goal_and_parent() -> None:
    root = ElementTree.fromstring(codebook_qdc(CODES, LABELS, synthetic=True))
    assert root.tag == f"{CB}CodeBook" and "SYNTHETIC" in (root.get("origin") or "")
    (codes,) = list(root)
    assert codes.tag == f"{CB}Codes"
    goal, ungrouped = list(codes)
    assert (goal.get("name"), goal.get("isCodable")) == ("Mål 1", "false")
    (samarbeid,) = goal.findall(f"{CB}Code")
    assert (samarbeid.get("name"), samarbeid.get("isCodable")) == ("Samarbeid", "true")
    assert samarbeid.findtext(f"{CB}Description") == "SYNTHETIC Samarbeid"
    assert [child.get("name") for child in samarbeid.findall(f"{CB}Code")] == ["NAV"]
    assert ungrouped.get("name") == "Økonomiske virkemidler"
    assert all(_is_uuid(element.get("guid")) for element in root.iter(f"{CB}Code"))
    assert len({element.get("guid") for element in root.iter(f"{CB}Code")}) == 4


def test_the_project_holds_redacted_sources_and_selections_in_their_characters() -> None:
    data = project_qdpx(CODES, ANSWERS, PASSAGES, LABELS, synthetic=True, created_at=NOW)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
        project = ElementTree.fromstring(archive.read("project.qde"))
        texts = {name: archive.read(name).decode("utf-8") for name in names if name.startswith("sources/")}
    assert names[0] == "project.qde" and len(texts) == len(ANSWERS)
    assert all(PERSON not in text for text in texts.values()) and PERSON.encode() not in data
    assert project.tag == f"{PR}Project" and project.get("name", "").startswith("SYNTHETIC")
    assert [child.tag.removeprefix(PR) for child in project] == ["Users", "CodeBook", "Sources", "Description"]
    assert "SYNTHETIC" in (project.findtext(f"{PR}Description") or "")
    code_guids = {element.get("guid") for element in project.iter(f"{PR}Code") if element.get("isCodable") == "true"}
    assert code_guids == {code.guid for code in CODES}
    user_guids = {user.get("guid") for user in project.iter(f"{PR}User")}
    sources = project.findall(f"{PR}Sources/{PR}TextSource")
    assert [source.get("guid") for source in sources] == [source_guid(answer) for answer in ANSWERS]
    selections = 0
    for source in sources:
        guid = source.get("guid")
        assert source.get("plainTextPath") == f"internal://{guid}.txt"
        text = texts[f"sources/{guid}.txt"]
        for selection in source.findall(f"{PR}PlainTextSelection"):
            selections += 1
            start, end = int(selection.get("startPosition", "-1")), int(selection.get("endPosition", "-1"))
            assert 0 <= start < end <= len(text)
            assert selection.get("name") == text[start:end][:80]
            assert selection.get("creatingUser") in user_guids and _is_uuid(selection.get("guid"))
            refs = [ref.get("targetGUID") for ref in selection.findall(f"{PR}Coding/{PR}CodeRef")]
            assert refs and set(refs) <= code_guids
    assert selections == len(PASSAGES)
    first = sources[0].find(f"{PR}PlainTextSelection")
    assert first is not None and first.findtext(f"{PR}Description") == "Eksempelsitat: SYNTHETIC note"
    redacted_source = texts[f"sources/{source_guid(ANSWERS[0])}.txt"]
    assert "[sladdet] fikk bolig." in redacted_source


def test_real_answers_are_not_called_synthetic() -> None:
    data = project_qdpx(CODES, ANSWERS[1:2], PASSAGES[2:4], LABELS, synthetic=False, created_at=NOW)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        project = ElementTree.fromstring(archive.read("project.qde"))
    assert "SYNTHETIC" not in (project.get("name") or "") and project.find(f"{PR}Description") is None
    assert "SYNTHETIC" not in (ElementTree.fromstring(codebook_qdc((), LABELS, synthetic=False)).get("origin") or "")


def test_the_workbook_has_codes_passages_and_counts_without_redacted_text() -> None:
    items = coded_passages(ANSWERS, PASSAGES, CODES, marker="[sladdet]")
    counts = code_counts(ANSWERS, PASSAGES, CODES, GROUPS)
    words = {"codes": "Koder", "passages": "Passasjer", "counts": "Tellinger", "size_group.large": "Store"}
    data = coding_workbook(CODES, items, counts, LABELS, words, synthetic=True)
    workbook = load_workbook(io.BytesIO(data))
    assert workbook.sheetnames == ["Koder", "Passasjer", "Tellinger"]
    for sheet in workbook.worksheets:
        assert "SYNTHETIC" in str(sheet["A1"].value)
    values = [cell for sheet in workbook.worksheets for row in sheet.iter_rows(values_only=True) for cell in row]
    assert not any(isinstance(value, str) and PERSON in value for value in values)
    passages = list(workbook["Passasjer"].iter_rows(min_row=3, values_only=True))
    assert passages[1][4] == "[sladdet] fikk bolig." and len(passages) == len(PASSAGES)
    counted = [row for row in workbook["Tellinger"].iter_rows(min_row=3, values_only=True) if row[2] == "Store"]
    assert ("NAV", 2019, "Store", 1, 2, 0.5, 1) in counted
    formula = load_workbook(io.BytesIO(data))["Passasjer"]
    assert all(cell.data_type != "f" for row in formula.iter_rows() for cell in row)
