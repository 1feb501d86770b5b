"""The codebook and the coded open answers in the REFI-QDA exchange format (www.qdasoftware.org), so that analysts
can go on in NVivo, ATLAS.ti, MAXQDA or QualCoder:

* a codebook, ``.qdc``: ``<CodeBook xmlns="urn:QDA-XML:codebook:1.0">`` with ``Codes``/``Code`` (guid, name,
  isCodable, ``Description``); a programme goal is a code of its own that is not codable, holding its codes;
* a project, ``.qdpx``: a zip with ``project.qde`` (``<Project xmlns="urn:QDA-XML:project:1.0">``: ``Users``,
  ``CodeBook``, ``Sources``) and one UTF-8 text per open answer under ``sources/`` (``TextSource`` with
  ``plainTextPath="internal://<guid>.txt"``); each coded passage is a ``PlainTextSelection`` with
  ``startPosition``/``endPosition`` in characters of that text and one ``Coding``/``CodeRef`` per code.

The texts are the answers with redacted spans replaced by a marker, and the positions refer to those texts:
nothing redacted is ever in an export. Synthetic answers make the project's name and description say SYNTHETIC.
GUIDs are UUIDs: codes and passages keep theirs from the store; a source's and a user's are derived (UUID 5) from
what they are, so that two exports of the same data name the same things.
"""

from __future__ import annotations

import io
import uuid
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final
from xml.etree import ElementTree

from boligmonitor.analysis.reporting.open_answers import coded_passages
from boligmonitor.store.reporting.coding import Code, OpenAnswer, Passage

CODEBOOK_NAMESPACE: Final = "urn:QDA-XML:codebook:1.0"
PROJECT_NAMESPACE: Final = "urn:QDA-XML:project:1.0"
ORIGIN: Final = "boligmonitor"
SYNTHETIC_NOTICE: Final = "SYNTHETIC: these answers are made up (tests or demonstrations), not real reports."
_NAMESPACE_BASE: Final = uuid.UUID("6f1c1d2e-8a51-4d3f-9a57-30d1f0b7c2a4")  # ours: derived GUIDs start here


@dataclass(frozen=True, slots=True)
class ExportLabels:
    """The words an export uses (in the page's language): goal names by goal id, a municipality's name, the
    question texts, the redaction marker."""

    programme_name: str
    goal_names: Mapping[str, str]
    municipality_names: Mapping[str, str]
    question_texts: Mapping[str, str]
    redaction_marker: str
    example_quote: str  # the word put before an example quote's note


def derived_guid(*parts: object) -> str:
    return str(uuid.uuid5(_NAMESPACE_BASE, "/".join(str(part) for part in parts)))


def source_guid(answer: OpenAnswer) -> str:
    return derived_guid("source", answer.report_version_id, answer.question_id)


def codebook_qdc(codes: Sequence[Code], labels: ExportLabels, *, synthetic: bool) -> bytes:
    """The programme's codebook as a REFI-QDA ``.qdc`` document (UTF-8 XML); its origin says SYNTHETIC when the
    answers it was made for are."""
    ElementTree.register_namespace("", CODEBOOK_NAMESPACE)
    origin = f"{ORIGIN} (SYNTHETIC)" if synthetic else ORIGIN
    root = ElementTree.Element(_q(CODEBOOK_NAMESPACE, "CodeBook"), {"origin": origin})
    _codes_element(root, CODEBOOK_NAMESPACE, codes, labels)
    return _xml(root)


def project_qdpx(
    codes: Sequence[Code],
    answers: Sequence[OpenAnswer],
    passages: Sequence[Passage],
    labels: ExportLabels,
    *,
    synthetic: bool,
    created_at: datetime,
) -> bytes:
    """The codebook, the open answers (redacted) and their coded passages as a REFI-QDA project (``.qdpx``)."""
    ns = PROJECT_NAMESPACE
    ElementTree.register_namespace("", ns)
    name = f"{'SYNTHETIC ' if synthetic else ''}{labels.programme_name}"
    root = ElementTree.Element(
        _q(ns, "Project"), {"name": name, "origin": ORIGIN, "creationDateTime": _when(created_at)}
    )
    items = coded_passages(answers, passages, codes, marker=labels.redaction_marker)
    users_element = ElementTree.SubElement(root, _q(ns, "Users"))
    users = sorted({item.passage.created_by for item in items})
    for user in users:
        ElementTree.SubElement(users_element, _q(ns, "User"), {"guid": derived_guid("user", user), "name": user})
    if not users:
        root.remove(users_element)
    codebook = ElementTree.SubElement(root, _q(ns, "CodeBook"))
    _codes_element(codebook, ns, codes, labels)
    files: dict[str, str] = {}
    sources = ElementTree.SubElement(root, _q(ns, "Sources"))
    for answer in answers:
        guid = source_guid(answer)
        files[f"sources/{guid}.txt"] = answer.redacted(labels.redaction_marker).text
        municipality = labels.municipality_names.get(answer.municipality_code, answer.municipality_code)
        question = labels.question_texts.get(answer.question_id, answer.question_id)
        source = ElementTree.SubElement(
            sources,
            _q(ns, "TextSource"),
            {
                "guid": guid,
                "name": f"{answer.year} {municipality} {answer.question_id}",
                "plainTextPath": f"internal://{guid}.txt",
                "creationDateTime": _when(answer.submitted_at),
            },
        )
        _text(source, ns, "Description", f"{answer.year} · {municipality} · {question}")
        for item in items:
            if (item.answer.report_version_id, item.answer.question_id) != (
                answer.report_version_id,
                answer.question_id,
            ):
                continue
            passage = item.passage
            selection = ElementTree.SubElement(
                source,
                _q(ns, "PlainTextSelection"),
                {
                    "guid": passage.guid,
                    "name": item.text[:80],
                    "startPosition": str(item.start),
                    "endPosition": str(item.end),
                    "creatingUser": derived_guid("user", passage.created_by),
                    "creationDateTime": _when(passage.created_at),
                },
            )
            description = _passage_description(passage, labels)
            if description:
                _text(selection, ns, "Description", description)
            for code in item.codes:
                coding = ElementTree.SubElement(
                    selection,
                    _q(ns, "Coding"),
                    {
                        "guid": derived_guid("coding", passage.guid, code.guid),
                        "creatingUser": derived_guid("user", passage.created_by),
                        "creationDateTime": _when(passage.created_at),
                    },
                )
                ElementTree.SubElement(coding, _q(ns, "CodeRef"), {"targetGUID": code.guid})
    if synthetic:
        _text(root, ns, "Description", SYNTHETIC_NOTICE)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("project.qde", _xml(root))
        for path, content in sorted(files.items()):
            archive.writestr(path, content.encode("utf-8"))
    return buffer.getvalue()


def _codes_element(parent: ElementTree.Element, ns: str, codes: Sequence[Code], labels: ExportLabels) -> None:
    """``Codes``: the codes without a parent under their goal (a code that is not codable), nested by parent."""
    container = ElementTree.SubElement(parent, _q(ns, "Codes"))
    children: dict[int | None, list[Code]] = {}
    known = {code.id for code in codes}
    for code in codes:
        parent_id = code.parent_id if code.parent_id in known else None
        children.setdefault(parent_id, []).append(code)
    goals: dict[str | None, list[Code]] = {}
    for code in children.get(None, []):
        goals.setdefault(code.goal_id, []).append(code)
    for goal_id, top in sorted(goals.items(), key=lambda item: (item[0] is None, item[0] or "")):
        holder = container
        if goal_id is not None:
            holder = ElementTree.SubElement(
                container,
                _q(ns, "Code"),
                {
                    "guid": derived_guid("goal", top[0].programme_id, goal_id),
                    "name": labels.goal_names.get(goal_id, goal_id),
                    "isCodable": "false",
                },
            )
        for code in top:
            _code_element(holder, ns, code, children)
    if not codes:  # a Codes element holds at least one Code: an empty codebook says so in one
        ElementTree.SubElement(
            container,
            _q(ns, "Code"),
            {"guid": derived_guid("empty", labels.programme_name), "name": labels.programme_name, "isCodable": "false"},
        )


def _code_element(parent: ElementTree.Element, ns: str, code: Code, children: Mapping[int | None, list[Code]]) -> None:
    element = ElementTree.SubElement(
        parent, _q(ns, "Code"), {"guid": code.guid, "name": code.name, "isCodable": "true"}
    )
    if code.description:
        _text(element, ns, "Description", code.description)
    for child in children.get(code.id, []):
        _code_element(element, ns, child, children)


def _passage_description(passage: Passage, labels: ExportLabels) -> str:
    parts = [labels.example_quote] if passage.example_quote else []
    if passage.note:
        parts.append(passage.note)
    return ": ".join(parts)


def _text(parent: ElementTree.Element, ns: str, tag: str, value: str) -> None:
    ElementTree.SubElement(parent, _q(ns, tag)).text = value


def _q(ns: str, tag: str) -> str:
    return f"{{{ns}}}{tag}"


def _when(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def _xml(root: ElementTree.Element) -> bytes:
    ElementTree.indent(root)
    data: bytes = ElementTree.tostring(root, encoding="utf-8", xml_declaration=True)
    return data


__all__ = [
    "CODEBOOK_NAMESPACE",
    "PROJECT_NAMESPACE",
    "SYNTHETIC_NOTICE",
    "ExportLabels",
    "codebook_qdc",
    "derived_guid",
    "project_qdpx",
    "source_guid",
]
