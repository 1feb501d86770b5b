"""Running headers and page numbers as artifacts in WeasyPrint's tagged PDF.

WeasyPrint 70 tags the text of page-margin boxes (``@top-left``, ``@bottom-right`` …) as ``/Span`` marked
content with an MCID, and maps those MCIDs in the parent tree to structure elements that it never links into
the structure tree (its own comment: "It could be included in tree as Artifact, but that's only allowed in PDF
2.0"). PDF/UA wants page furniture to be an artifact instead: content that is tagged must be reachable from the
structure tree, and a page header read aloud on every page is noise.

:func:`margin_boxes_as_artifacts` is a WeasyPrint *finisher* (called with the document and the ``pydyf.PDF``
just before the file is written). For every page it finds the MCIDs whose structure element cannot be reached
from the structure tree root, rewrites their marked-content sequences from ``/Span <</MCID n>> BDC`` to
``/Artifact <</Type /Pagination>> BDC`` and empties their parent-tree entries. Nothing else is touched; a PDF
without such MCIDs comes out unchanged.
"""

from __future__ import annotations

from typing import Any

_NULL = b"null"


def _number(reference: Any) -> int | None:
    """The object number of an indirect reference as pydyf writes it (b"12 0 R"), else None."""
    if isinstance(reference, int) and not isinstance(reference, bool):
        return reference
    if isinstance(reference, bytes | str):
        text = reference.decode() if isinstance(reference, bytes) else reference
        parts = text.split()
        if len(parts) == 3 and parts[2] == "R" and parts[0].isdigit():
            return int(parts[0])
    return None


def _reachable(pdf: Any, root_number: int) -> set[int]:
    """Object numbers of every structure element reachable from the structure tree root through ``/K``."""
    seen: set[int] = set()
    pending = [root_number]
    while pending:
        number = pending.pop()
        if number in seen:
            continue
        seen.add(number)
        element = pdf.objects[number]
        kids = element.get("K") if hasattr(element, "get") else None
        if kids is None:
            continue
        for kid in kids if isinstance(kids, list) else [kids]:
            child = _number(kid) if not isinstance(kid, int) else None  # a bare integer is an MCID
            if child is not None:
                pending.append(child)
    return seen


def margin_boxes_as_artifacts(document: Any, pdf: Any) -> None:
    """WeasyPrint finisher: turn tagged content outside the structure tree (page-margin boxes) into artifacts."""
    root_number = _number(pdf.catalog.get("StructTreeRoot"))
    if root_number is None:
        return
    root = pdf.objects[root_number]
    parent_tree = pdf.objects[_number(root["ParentTree"]) or 0]
    reachable = _reachable(pdf, root_number)
    nums = parent_tree["Nums"]
    pages = list(pdf.pages["Kids"][::3])  # pydyf keeps "n 0 R" as three items: the numbers come first
    for index in range(0, len(nums) - 1, 2):
        key, entries = nums[index], nums[index + 1]
        if not isinstance(entries, list) or not isinstance(key, int) or key >= len(pages):
            continue  # link annotations map a single element, not a page's MCIDs
        orphans = {
            mcid
            for mcid, element in enumerate(entries)
            if (number := _number(element)) is not None and number not in reachable
        }
        if not orphans:
            continue
        page = pdf.objects[pages[key]]
        stream = pdf.objects[_number(page["Contents"]) or 0]
        _rewrite(stream.stream, orphans)
        for mcid in orphans:
            entries[mcid] = _NULL


def _rewrite(operations: list[Any], mcids: set[int]) -> None:
    """``/Span <</MCID n>> BDC`` -> ``/Artifact <</Type /Pagination>> BDC`` for the given MCIDs, in place."""
    for position, item in enumerate(operations):
        if hasattr(item, "get") and item.get("MCID") in mcids and position > 0:
            item.pop("MCID")
            item["Type"] = "/Pagination"
            operations[position - 1] = "/Artifact"


__all__ = ["margin_boxes_as_artifacts"]
