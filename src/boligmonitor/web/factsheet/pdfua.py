"""A structural PDF/UA-1 check of a fact sheet, with pypdf (a development dependency: tests and benchmarks).

veraPDF, the reference validator, is a Java program from Maven Central and cannot be installed here; this
check covers the machine-checkable requirements a fact sheet can break:

- the catalogue: ``/StructTreeRoot`` whose first element is ``/Document``; ``/MarkInfo /Marked true``; ``/Lang``;
  ``/ViewerPreferences /DisplayDocTitle true``; a title in ``/Info`` and in the XMP ``dc:title``; the XMP
  PDF/UA identification ``pdfuaid:part="1"``;
- every page: ``/Tabs /S``, ``/StructParents``, and every text, image and path-painting operator inside marked
  content (tagged or artifact); every MCID reachable from the structure tree (no tagged content outside it);
- structure: one ``/H1``, heading levels not skipped, every ``/Figure`` with ``/Alt``; tables with header cells;
- fonts embedded; link annotations with ``/Contents``.

It does not judge reading order, alternative texts' quality or colour contrast: people and the browser tests do.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from dataclasses import dataclass, field
from io import BytesIO
from typing import Any

from pypdf import PdfReader
from pypdf.generic import ArrayObject, BooleanObject, ContentStream, DictionaryObject, IndirectObject

_PAINTING = frozenset({"Tj", "TJ", "'", '"', "Do", "f", "F", "f*", "S", "s", "B", "B*", "b", "b*", "sh", "BI"})
_HEADING = re.compile(r"/H([1-6])\Z")


@dataclass
class PdfUaReport:
    pages: int
    language: str | None
    title: str | None
    tags: Counter[str] = field(default_factory=Counter)
    figure_alts: list[str] = field(default_factory=list)
    artifacts: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def check_pdf_ua(pdf: bytes, *, language: str | None = None) -> PdfUaReport:
    """The problems found in ``pdf`` (empty when it passes); ``language``: the ``/Lang`` it must declare."""
    reader = PdfReader(BytesIO(pdf))
    root: Any = reader.trailer["/Root"]
    info = reader.metadata
    title = str(info.title) if info is not None and info.title else None
    lang = str(root["/Lang"]) if "/Lang" in root else None
    report = PdfUaReport(pages=len(reader.pages), language=lang, title=title)
    problems = report.problems

    mark_info = _resolved(root.get("/MarkInfo"))
    if not _is_true(mark_info, "/Marked"):
        problems.append("catalogue: /MarkInfo /Marked is not true")
    if not lang:
        problems.append("catalogue: no /Lang")
    elif language is not None and lang != language:
        problems.append(f"catalogue: /Lang is {lang!r}, expected {language!r}")
    preferences = _resolved(root.get("/ViewerPreferences"))
    if not _is_true(preferences, "/DisplayDocTitle"):
        problems.append("catalogue: /ViewerPreferences /DisplayDocTitle is not true")
    if not title:
        problems.append("document information: no /Title")
    metadata: Any = _resolved(root.get("/Metadata"))
    xmp = metadata.get_data().decode("utf-8") if metadata is not None else ""
    if "<dc:title>" not in xmp:
        problems.append("XMP: no dc:title")
    if 'pdfuaid:part="1"' not in xmp and "<pdfuaid:part>1</pdfuaid:part>" not in xmp:
        problems.append("XMP: no PDF/UA identification (pdfuaid:part 1)")

    tree = _resolved(root.get("/StructTreeRoot"))
    reachable: set[int] = set()
    if not isinstance(tree, DictionaryObject):
        problems.append("catalogue: no /StructTreeRoot")
    else:
        reachable = _check_structure(root.raw_get("/StructTreeRoot"), report)
        _check_parent_tree(tree, reachable, report)
    for number, page in enumerate(reader.pages, start=1):
        _check_page(reader, number, page, report)
    return report


def _is_true(dictionary: Any, key: str) -> bool:
    """``dictionary[key]`` is the PDF boolean true (pypdf's BooleanObject compares equal to True)."""
    return isinstance(dictionary, DictionaryObject) and bool(dictionary.get(key) == BooleanObject(True))


def _resolved(value: Any) -> Any:
    return value.get_object() if isinstance(value, IndirectObject) else value


def _kids(element: DictionaryObject) -> list[Any]:
    kids = _resolved(element.get("/K"))
    if kids is None:
        return []
    return list(kids) if isinstance(kids, ArrayObject) else [kids]


def _check_structure(root_reference: Any, report: PdfUaReport) -> set[int]:
    """Walk the structure tree in order: tags, headings, figures, tables. Returns the reachable objects."""
    problems = report.problems
    reachable: set[int] = set()
    headings: list[int] = []
    root = root_reference.get_object()
    first: Any = next((kid.get_object() for kid in _kids(root) if isinstance(kid, IndirectObject)), None)
    if first is None or first.get("/S") != "/Document":
        problems.append("structure: the tree does not start with a /Document element")
    stack: list[Any] = [kid for kid in reversed(_kids(root)) if isinstance(kid, IndirectObject)]
    while stack:
        reference = stack.pop()
        if reference.idnum in reachable:
            continue
        reachable.add(reference.idnum)
        element = reference.get_object()
        if not isinstance(element, DictionaryObject) or element.get("/Type") in ("/OBJR", "/MCR"):
            continue
        tag = str(element.get("/S", ""))
        report.tags[tag] += 1
        if match := _HEADING.match(tag):
            headings.append(int(match.group(1)))
        if tag == "/Figure":
            alt = str(element.get("/Alt", "")).strip()
            report.figure_alts.append(alt)
            if not alt:
                problems.append("structure: a /Figure without /Alt")
        if tag == "/Table" and not _has_descendant(element, "/TH"):
            problems.append("structure: a /Table without header cells (/TH)")
        stack.extend(kid for kid in reversed(_kids(element)) if isinstance(kid, IndirectObject))
    if headings.count(1) != 1:
        problems.append(f"structure: {headings.count(1)} /H1 elements, expected one")
    for previous, current in itertools.pairwise(headings):
        if current > previous + 1:
            problems.append(f"structure: heading level skipped (/H{previous} followed by /H{current})")
            break
    return reachable


def _has_descendant(element: DictionaryObject, tag: str) -> bool:
    pending = [element]
    while pending:
        current = pending.pop()
        for kid in _kids(current):
            child = kid.get_object() if isinstance(kid, IndirectObject) else kid
            if isinstance(child, DictionaryObject):
                if child.get("/S") == tag:
                    return True
                pending.append(child)
    return False


def _check_parent_tree(tree: DictionaryObject, reachable: set[int], report: PdfUaReport) -> None:
    """Every structure element that marked content points to must be in the tree (else it is lost content)."""
    parent_tree = _resolved(tree.get("/ParentTree"))
    if not isinstance(parent_tree, DictionaryObject):
        report.problems.append("structure: no /ParentTree")
        return
    nums = _resolved(parent_tree.get("/Nums", ArrayObject()))
    lost = 0
    for index in range(1, len(nums), 2):
        entries = nums[index].get_object() if isinstance(nums[index], IndirectObject) else nums[index]
        for entry in entries if isinstance(entries, ArrayObject) else [nums[index]]:
            if isinstance(entry, IndirectObject) and entry.idnum not in reachable:
                lost += 1
    if lost:
        report.problems.append(f"structure: {lost} tagged content items point to elements outside the tree")


def _check_page(reader: PdfReader, number: int, page: Any, report: PdfUaReport) -> None:
    problems = report.problems
    if page.get("/Tabs") != "/S":
        problems.append(f"page {number}: /Tabs is not /S")
    if "/StructParents" not in page:
        problems.append(f"page {number}: no /StructParents")
    depth = 0
    unmarked: Counter[str] = Counter()
    for operands, raw in ContentStream(page.get_contents(), reader).operations:
        operator = raw.decode("latin-1") if isinstance(raw, bytes) else str(raw)
        if operator in ("BDC", "BMC"):
            depth += 1
            if operands and operands[0] == "/Artifact":
                report.artifacts += 1
        elif operator == "EMC":
            depth -= 1
        elif operator in _PAINTING and depth <= 0:
            unmarked[operator] += 1
    if unmarked:
        listed = ", ".join(f"{count} × {operator}" for operator, count in sorted(unmarked.items()))
        problems.append(f"page {number}: content outside marked content ({listed})")
    resources = _resolved(page.get("/Resources"))
    fonts = _resolved(resources.get("/Font")) if resources is not None else None
    for name, font in fonts.items() if fonts is not None else []:
        if not _font_embedded(font.get_object()):
            problems.append(f"page {number}: font {name} is not embedded")
    for reference in _resolved(page.get("/Annots")) or []:
        annotation = _resolved(reference)
        if annotation.get("/Subtype") == "/Link" and not str(annotation.get("/Contents", "")).strip():
            problems.append(f"page {number}: a link annotation without /Contents")


def _font_embedded(font: DictionaryObject) -> bool:
    if font.get("/Subtype") == "/Type3":
        return True  # glyphs drawn by content streams: nothing to embed
    if font.get("/Subtype") == "/Type0":
        descendants = _resolved(font.get("/DescendantFonts"))
        return all(_font_embedded(item.get_object()) for item in descendants) if descendants else False
    descriptor = _resolved(font.get("/FontDescriptor"))
    if descriptor is None:
        return False
    return any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))


__all__ = ["PdfUaReport", "check_pdf_ua"]
