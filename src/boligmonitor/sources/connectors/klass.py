"""SSB's KLASS classification API: one thin, typed function per endpoint (ssb-api.md §6).

In the style of statisticsnorway/ssb-klass-python (stack-notes.md §2.3): each function builds one request
and turns the JSON into the same records the file readers in :mod:`boligmonitor.sources.readers.klass_files` give,
with the same parser (:mod:`boligmonitor.sources.readers.klass_records`), so downstream code cannot tell a live
fetch from a stored file.

================================  ======================================================================
:func:`codes_at`                  ``GET /classifications/{id}/codesAt.json?date=..&language=..``
:func:`codes`                     ``GET /classifications/{id}/codes.json?from=..&to=..&language=..``
:func:`changes`                   ``GET /classifications/{id}/changes.json?from=..&to=..&includeFuture=..``
:func:`corresponds_at`            ``GET /classifications/{id}/correspondsAt.json?targetClassificationId=..&date=..``
================================  ======================================================================

Paths and parameter names are those of the KLASS service's controller [V: ssb-api.md §6]. The ``.json``
suffix asks for JSON without an ``Accept`` header [T]; the recorded ``codesAt`` request had no suffix and
got JSON too [V: §8.3]. ``http`` is bound to :data:`~boligmonitor.sources.connectors.ssb.KLASS_BASE_URL`.
Classifications the monitor uses: :data:`MUNICIPALITIES` (131), :data:`COUNTIES` (104),
:data:`KOSTRA_GROUPS` (112).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Final

from boligmonitor.sources.connectors.ssb import HttpGetPost, SsbApiError, get_json
from boligmonitor.sources.readers.klass_records import (
    CHANGES_KEY,
    CODES_KEY,
    KlassChange,
    KlassCode,
    parse_change,
    parse_code,
)

MUNICIPALITIES: Final = 131
COUNTIES: Final = 104
KOSTRA_GROUPS: Final = 112
CORRESPONDENCE_KEY: Final = "correspondenceItems"  # [I: KLASS service; no recorded response yet]


@dataclass(frozen=True)
class Correspondence:
    """One row of ``correspondsAt``: a source code and the target code it corresponds to on the date.

    A correspondence links *versions* of two classifications valid at a point in time, e.g. municipality
    (131) -> county (104). A source code may have several rows (one per target code).
    """

    source_code: str
    source_name: str
    target_code: str
    target_name: str
    valid_from: date | None = None
    valid_to: date | None = None


def codes_at(http: HttpGetPost, classification_id: int, date: date, language: str = "nb") -> list[KlassCode]:
    """Codes valid on ``date`` (validFrom/validTo come back null; use :func:`codes` for ranges, §6.3)."""
    params = {"date": date.isoformat(), "language": language}
    what = f"KLASS {classification_id} codesAt {date.isoformat()}"
    body = get_json(http, f"classifications/{classification_id}/codesAt.json", params, what)
    return [_code(item, what, k) for k, item in enumerate(_list(body, CODES_KEY, what))]


def codes(
    http: HttpGetPost, classification_id: int, from_date: date, to_date: date, language: str = "nb"
) -> list[KlassCode]:
    """Every code valid at some time in ``[from_date, to_date)``, each with its validity period.

    A code valid in several versions may appear once per period. Whether ``to`` is inclusive is not
    documented in ssb-api.md [I: treated as the end of the range].
    """
    params = {"from": from_date.isoformat(), "to": to_date.isoformat(), "language": language}
    what = f"KLASS {classification_id} codes {from_date.isoformat()}..{to_date.isoformat()}"
    body = get_json(http, f"classifications/{classification_id}/codes.json", params, what)
    return [_code(item, what, k) for k, item in enumerate(_list(body, CODES_KEY, what))]


def changes(
    http: HttpGetPost,
    classification_id: int,
    from_date: date,
    to_date: date,
    include_future: bool = False,
    language: str = "nb",
) -> list[KlassChange]:
    """Merges, splits, renumberings and renames between the dates (patterns in ssb-api.md §6.3).

    ``include_future=True`` adds announced changes that have not yet taken effect.
    """
    params = {
        "from": from_date.isoformat(),
        "to": to_date.isoformat(),
        "includeFuture": "true" if include_future else "false",
        "language": language,
    }
    what = f"KLASS {classification_id} changes {from_date.isoformat()}..{to_date.isoformat()}"
    body = get_json(http, f"classifications/{classification_id}/changes.json", params, what)
    return [_change(item, what, k) for k, item in enumerate(_list(body, CHANGES_KEY, what))]


def corresponds_at(
    http: HttpGetPost, source_id: int, target_id: int, date: date, language: str = "nb"
) -> list[Correspondence]:
    """How codes of ``source_id`` map to ``target_id`` on ``date`` (e.g. 131 municipality -> 104 county)."""
    params = {"targetClassificationId": str(target_id), "date": date.isoformat(), "language": language}
    what = f"KLASS {source_id} correspondsAt {target_id} {date.isoformat()}"
    body = get_json(http, f"classifications/{source_id}/correspondsAt.json", params, what)
    return [_correspondence(item, what, k) for k, item in enumerate(_list(body, CORRESPONDENCE_KEY, what))]


# --------------------------------------------------------------------------------------------- register files


def codes_document(codes: Iterable[KlassCode]) -> dict[str, Any]:
    """A ``codesAt`` body (``{"codes": [...]}``) that :func:`~boligmonitor.sources.readers.klass_files.read_klass_codes`
    reads back into the same records."""
    return {CODES_KEY: [code.as_mapping() for code in codes]}


def changes_document(changes: Iterable[KlassChange]) -> dict[str, Any]:
    """A ``changes`` body (``{"codeChanges": [...]}``) that ``read_klass_changes`` reads back."""
    return {CHANGES_KEY: [change.as_mapping() for change in changes]}


def same_codes(first: Iterable[KlassCode], second: Iterable[KlassCode]) -> bool:
    """Whether two code lists hold the same records, whatever their order."""
    return sorted(first, key=_code_order) == sorted(second, key=_code_order)


def _code_order(code: KlassCode) -> tuple[str, str]:
    return code.code, code.valid_from.isoformat() if code.valid_from else ""


def unseen_changes(fetched: Iterable[KlassChange], known: Iterable[KlassChange]) -> list[KlassChange]:
    """The fetched changes that ``known`` lacks, in KLASS's order, each once.

    A change is identified by old code, new code and date, not by its names: the same change copied from
    another source with other spelling is not new (and the database keys changes that way).
    """
    seen = {_change_key(change) for change in known}
    unseen: list[KlassChange] = []
    for change in fetched:
        key = _change_key(change)
        if key not in seen:
            seen.add(key)
            unseen.append(change)
    return unseen


def _change_key(change: KlassChange) -> tuple[str, str, date]:
    return change.old_code, change.new_code, change.change_occurred


# --------------------------------------------------------------------------------------------- parsing


def _list(body: Any, key: str, what: str) -> list[Any]:
    items = body.get(key) if isinstance(body, Mapping) else None
    if not isinstance(items, list):
        raise SsbApiError(what, 200, detail=f'expected a body {{"{key}": [...]}}')
    return items


class _Record:
    """The connector's reading of one JSON record: a wrong type is an :class:`SsbApiError` naming the field.

    Every field is read before anything is raised (``ok`` stays True so that the shared parser reads them
    all); :meth:`raise_first` then names the first bad field in the order this connector checks them.
    """

    def __init__(self, item: Any, what: str, where: str) -> None:
        if not isinstance(item, Mapping):
            raise SsbApiError(what, 200, detail=f"{where} is not an object")
        self.item: Mapping[str, Any] = item
        self.what = what
        self.where = where
        self._bad: dict[str, str] = {}  # field -> what is wrong, in the order read

    @property
    def ok(self) -> bool:
        return True

    def text(self, key: str, required: bool = False) -> str:
        value = self.item.get(key)
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)  # `level` is a number in some KLASS versions
        if value is None and not required:
            return ""
        if not isinstance(value, str) or (required and not value.strip()):
            self._bad.setdefault(key, f"{self.where}.{key} is missing or not text: {value!r}")
            return ""
        return value.strip()

    def day(self, key: str, required: bool = False) -> date | None:
        text = self.text(key, required)
        if not text:
            return None
        try:
            return date.fromisoformat(text[:10])
        except ValueError:
            self._bad.setdefault(key, f"{self.where}.{key} is not a date: {text!r}")
            return None

    def raise_first(self, order: Sequence[str] = ()) -> None:
        """Raise for the first bad field: the first of ``order`` that is bad, else the first read."""
        if self._bad:
            first = next((key for key in order if key in self._bad), next(iter(self._bad)))
            raise SsbApiError(self.what, 200, detail=self._bad[first])


# The order this connector has always checked a change's fields in (the date first), so that a record with
# several bad fields is reported as before; the shared parser reads the identifying fields first.
_CHANGE_CHECK_ORDER: Final = (
    "changeOccurred",
    "oldCode",
    "oldName",
    "oldShortName",
    "newCode",
    "newName",
    "newShortName",
)


def _code(item: Any, what: str, k: int) -> KlassCode:
    record = _Record(item, what, f"{CODES_KEY}[{k}]")
    code = parse_code(record)
    record.raise_first()
    assert code is not None  # parse_code gives None only after a bad field, raised just above
    return code


def _change(item: Any, what: str, k: int) -> KlassChange:
    record = _Record(item, what, f"{CHANGES_KEY}[{k}]")
    change = parse_change(record)
    record.raise_first(_CHANGE_CHECK_ORDER)
    assert change is not None  # parse_change gives None only after a bad field, raised just above
    return change


def _correspondence(item: Any, what: str, k: int) -> Correspondence:
    record = _Record(item, what, f"{CORRESPONDENCE_KEY}[{k}]")
    correspondence = Correspondence(
        source_code=record.text("sourceCode", required=True),
        source_name=record.text("sourceName"),
        target_code=record.text("targetCode", required=True),
        target_name=record.text("targetName"),
        valid_from=record.day("validFrom"),
        valid_to=record.day("validTo"),
    )
    record.raise_first()
    return correspondence
