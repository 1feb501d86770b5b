"""Fact sheets for many municipalities at once, in parallel.

A process pool of ``workers`` processes (default: one per CPU) renders the sheets; each worker loads the
monitor's data once, in its initializer, and then writes ``{code}-{slug}.pdf`` (and ``.html`` if asked) for every
municipality it is handed. A sheet that fails is reported with its error and never stops the others; files are
written whole (to a temporary name, then renamed), so a failed or interrupted sheet leaves no half file.

The pool starts its workers from a clean server process (``forkserver``), not by forking the caller: the caller
may hold threads (a progress bar) and database connections that a forked child must not inherit.
"""

from __future__ import annotations

import functools
import gc
import multiprocessing
import os
import re
import time
import traceback
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from boligmonitor.catalog import load_catalog
from boligmonitor.core.regions import RegionCode, RegionLevel, normalise_region_code
from boligmonitor.store import RegionRow, Store, database_url
from boligmonitor.web.context import PageContext
from boligmonitor.web.factsheet.content import build_fact_sheet
from boligmonitor.web.factsheet.render import print_html, render_pdf
from boligmonitor.web.i18n import Language
from boligmonitor.web.monitor import MonitorData, load_monitor_data

FORMATS = ("pdf", "html")
FACT_SHEET_LANGUAGES: tuple[Language, ...] = ("nb", "nn")
_TRANSLITERATE = str.maketrans({"æ": "ae", "ø": "o", "å": "a", "Æ": "ae", "Ø": "o", "Å": "a", "đ": "d", "ŋ": "n"})


@dataclass(frozen=True)
class SheetResult:
    code: str
    files: tuple[Path, ...]
    seconds: float
    pages: int | None = None
    pdf_bytes: int | None = None
    error: str | None = None
    cpu_seconds: float = 0.0  # CPU time of the worker for this sheet (wall time suffers from other load)

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass
class BatchResult:
    results: list[SheetResult] = field(default_factory=list)
    seconds: float = 0.0
    workers: int = 1

    @property
    def failures(self) -> list[SheetResult]:
        return [result for result in self.results if not result.ok]

    @property
    def written(self) -> list[SheetResult]:
        return [result for result in self.results if result.ok]


class FactSheetInputError(ValueError):
    """Codes, language or formats the batch cannot work with; nothing has been written."""


def slug(name: str) -> str:
    """ "Oslo - Oslove" -> "oslo-oslove"; "Våler (Innlandet)" -> "valer-innlandet"; æøå spelt out the Norwegian way."""
    text = unicodedata.normalize("NFKD", name.translate(_TRANSLITERATE))
    text = "".join(char for char in text if not unicodedata.combining(char)).lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-") or "kommune"


def file_stem(code: str, name: str) -> str:
    return f"{code}-{slug(name)}"


# ------------------------------------------------------------------------------------------ input checks


def municipality_code(raw: str) -> RegionCode:
    """A code as users write it: "0301", " 0301 ", "301" (the leading zero dropped, as spreadsheets do)."""
    code = normalise_region_code(raw)
    return RegionCode(code.zfill(4)) if code.isdigit() and len(code) == 3 else code


def check_request(
    regions: Mapping[str, RegionRow],
    codes: Sequence[str],
    *,
    all_municipalities: bool,
    language: str,
    formats: Iterable[str],
) -> list[str]:
    """The municipality codes a batch will make (``regions``: every region of the database, by code), or
    FactSheetInputError naming every problem at once."""
    problems: list[str] = []
    if language not in FACT_SHEET_LANGUAGES:
        problems.append(f"unknown language {language!r}: fact sheets are made in nb (bokmål) or nn (nynorsk)")
    unknown_formats = sorted(set(formats) - set(FORMATS))
    if unknown_formats or not list(formats):
        problems.append(f"formats must be one or both of {', '.join(FORMATS)}, got {', '.join(formats) or 'none'}")
    if all_municipalities and codes:
        problems.append("give municipality codes or --all, not both")
    if not all_municipalities and not codes:
        problems.append("give one or more municipality codes (e.g. 0301), or --all")
    municipalities = {code: region for code, region in regions.items() if region.level == RegionLevel.MUNICIPALITY}
    chosen: list[str] = []
    if all_municipalities:
        chosen = sorted(municipalities)
    else:
        unknown = []
        for raw in codes:
            code = municipality_code(raw)
            if code not in municipalities:
                region = regions.get(code)
                unknown.append(f"{raw} ({region.level} {region.name})" if region is not None else raw)
            elif code not in chosen:
                chosen.append(code)
        if unknown:
            problems.append(
                f"not a municipality in the monitor: {', '.join(unknown)} "
                f"(fact sheets exist for the {len(municipalities)} municipalities, e.g. 0301 Oslo)"
            )
    if not municipalities:
        problems.append("the database has no municipalities: run `boligmonitor build --from DIR` first")
    if problems:
        raise FactSheetInputError("; ".join(problems))
    return chosen


# ------------------------------------------------------------------------------------------------ worker

# The data of each database this process has loaded (a worker loads one, once); the store stays open beside it.
_loaded: dict[str, tuple[Store, MonitorData]] = {}


def _load(url: str) -> MonitorData:
    if url not in _loaded:
        store = Store.open(url, upgrade=False)
        data = load_monitor_data(store, load_catalog())
        remember_similar_municipalities(data)
        _loaded[url] = (store, data)
    return _loaded[url][1]


def remember_similar_municipalities(data: MonitorData) -> None:
    """Compute each municipality's similar municipalities once per year instead of once per indicator.

    ``IndicatorTables.similar`` ranks all 357 municipalities again on every call, and the comparison with
    similar municipalities calls it for every indicator of a sheet (a third of a sheet's time). Its answer is
    fixed by the data version, which this process never changes: remembering it changes no figure.
    """
    tables = data.tables
    setattr(tables, "similar", functools.cache(tables.similar))  # noqa: B010 - an instance attribute, on purpose


def _init_worker(url: str) -> None:
    """Pool initializer: load the monitor's data once for every sheet this worker makes.

    The data (a few hundred MiB of Python objects) lives as long as the worker, but the cyclic garbage
    collector would walk all of it again in every full collection that rendering triggers: a fifth of a
    sheet's time. So the worker freezes what it has loaded (gc.freeze: never scanned again), turns automatic
    collection off, and collects each sheet's garbage once when the sheet is done (:func:`_worker_sheet`).
    """
    _load(url)
    gc.collect()
    gc.freeze()
    gc.disable()


def make_sheet(
    data: MonitorData, code: str, out: Path, language: Language, formats: Sequence[str], made_on: date | None = None
) -> SheetResult:
    """One municipality's sheet written to ``out``; errors are returned in the result, never raised."""
    start, cpu = time.perf_counter(), time.process_time()
    files: list[Path] = []
    try:
        ctx = PageContext(language=language, data=data, path=f"/region/{code}/faktaark")
        sheet = build_fact_sheet(ctx, code, made_on=made_on)
        html = print_html(sheet, ctx, created=made_on)
        stem = file_stem(code, sheet.name)
        pages = size = None
        if "html" in formats:
            files.append(_write(out / f"{stem}.html", html.encode("utf-8")))
        if "pdf" in formats:
            pdf = render_pdf(html)
            pages, size = pdf.pages, len(pdf.content)
            files.append(_write(out / f"{stem}.pdf", pdf.content))
        return SheetResult(
            code, tuple(files), time.perf_counter() - start, pages, size, cpu_seconds=time.process_time() - cpu
        )
    except Exception as error:  # a failing sheet is reported with its cause; the batch goes on
        detail = "".join(traceback.format_exception_only(type(error), error)).strip()
        return SheetResult(
            code, tuple(files), time.perf_counter() - start, error=detail, cpu_seconds=time.process_time() - cpu
        )


def _worker_sheet(
    url: str, code: str, out: Path, language: Language, formats: Sequence[str], made_on: date | None
) -> SheetResult:
    try:
        return make_sheet(_load(url), code, out, language, formats, made_on)
    finally:
        # This sheet's garbage goes; what it added to the data's caches is frozen with the rest (see _init_worker).
        gc.collect()
        gc.freeze()


def _write(path: Path, content: bytes) -> Path:
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    partial.write_bytes(content)
    partial.replace(path)
    return path


# ------------------------------------------------------------------------------------------------- batch


def write_fact_sheets(
    codes: Sequence[str],
    out: Path,
    *,
    database: str | None = None,
    language: Language = "nb",
    formats: Sequence[str] = ("pdf",),
    workers: int | None = None,
    made_on: date | None = None,
    on_result: Callable[[SheetResult], None] | None = None,
    data: MonitorData | None = None,
) -> BatchResult:
    """Write the fact sheets of ``codes`` (already checked with :func:`check_request`) to ``out``.

    ``workers`` processes (default ``os.cpu_count()``) share the work, each loading the data of ``database``
    once; with one worker, or one sheet, the sheets are made in this process, from ``data`` when given.
    ``on_result`` is called in this process after each sheet (a progress bar).
    """
    url = database_url(database)
    out.mkdir(parents=True, exist_ok=True)
    count = max(1, min(workers or os.cpu_count() or 1, len(codes) or 1))
    batch = BatchResult(workers=count)
    start = time.perf_counter()

    def record(result: SheetResult) -> None:
        batch.results.append(result)
        if on_result is not None:
            on_result(result)

    if count == 1:
        loaded = data or _load(url)
        for code in codes:
            record(make_sheet(loaded, code, out, language, formats, made_on))
    else:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload([__name__, "weasyprint"])  # imported once, before the workers fork
        with ProcessPoolExecutor(count, mp_context=context, initializer=_init_worker, initargs=(url,)) as pool:
            futures: dict[Future[SheetResult], str] = {
                pool.submit(_worker_sheet, url, code, out, language, tuple(formats), made_on): code for code in codes
            }
            for future in as_completed(futures):
                try:
                    record(future.result())
                except Exception as error:  # the worker itself died (killed, out of memory): still one line each
                    record(SheetResult(futures[future], (), 0.0, error=f"worker failed: {error!r}"))
    batch.results.sort(key=lambda result: result.code)
    batch.seconds = time.perf_counter() - start
    return batch


def read_regions(database: str | None = None) -> dict[str, RegionRow]:
    """Every region of the database by code, read without loading the data (to check codes before a batch)."""
    store = Store.open(database_url(database), upgrade=False)
    try:
        return {region.code: region for region in store.regions()}
    except SQLAlchemyError as error:
        raise FactSheetInputError(
            f"cannot read the database ({type(error).__name__}): run `boligmonitor build --from DIR` first"
        ) from None
    finally:
        store.close()


__all__ = [
    "FACT_SHEET_LANGUAGES",
    "FORMATS",
    "BatchResult",
    "FactSheetInputError",
    "SheetResult",
    "check_request",
    "file_stem",
    "make_sheet",
    "municipality_code",
    "read_regions",
    "slug",
    "write_fact_sheets",
]
