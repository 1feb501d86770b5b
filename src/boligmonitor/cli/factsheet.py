"""`boligmonitor factsheet 0301` / `boligmonitor factsheet --all --out DIR`: municipal fact sheets as PDF/UA.

Registered in cli/app.py with ``app.command("factsheet")(factsheet)``. As in cli/rank.py, the options and error
handling follow app.py but are defined here, so that app.py can import this module without an import cycle.
Bad input (an unknown municipality, language or format) is an error before anything is written; a sheet that
fails is listed with its cause at the end and makes the exit code non-zero, without stopping the others.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

_errors = Console(stderr=True, soft_wrap=True)  # error messages name paths: never wrap them

DEFAULT_OUT = Path("var/faktaark")
EXIT_BAD_INPUT = 2
EXIT_SHEETS_FAILED = 1


def _fail(message: str) -> NoReturn:
    _errors.print(f"[bold red]error:[/] {message}", highlight=False, markup=True)
    raise typer.Exit(code=EXIT_BAD_INPUT)


def factsheet(
    codes: Annotated[
        list[str] | None,
        typer.Argument(help="Municipality codes, e.g. 0301 4601 (none with --all)", show_default=False),
    ] = None,
    all_: Annotated[bool, typer.Option("--all", help="Every municipality in the database")] = False,
    out: Annotated[Path, typer.Option("--out", help="Directory to write the fact sheets to")] = DEFAULT_OUT,
    lang: Annotated[str, typer.Option("--lang", help="nb (bokmål) or nn (nynorsk)")] = "nb",
    formats: Annotated[
        list[str] | None, typer.Option("--format", help="pdf and/or html; repeat for both (default: pdf)")
    ] = None,
    workers: Annotated[
        int | None, typer.Option(help="Processes working in parallel (default: one per CPU)", min=1)
    ] = None,
    database: Annotated[
        str | None,
        typer.Option("--database", help="SQLAlchemy URL; default BOLIGMONITOR_DATABASE_URL or var/boligmonitor.sqlite"),
    ] = None,
) -> None:
    """Fact sheets per municipality as tagged PDF (PDF/UA-1) and/or HTML: FILE = DIR/{code}-{name}.pdf."""
    from boligmonitor.web.factsheet.batch import (
        FactSheetInputError,
        SheetResult,
        check_request,
        read_regions,
        write_fact_sheets,
    )
    from boligmonitor.web.i18n import Language

    chosen_formats = formats or ["pdf"]
    try:
        regions = read_regions(database)
        chosen = check_request(regions, codes or [], all_municipalities=all_, language=lang, formats=chosen_formats)
    except FactSheetInputError as error:
        _fail(str(error))
    language: Language = "nn" if lang == "nn" else "nb"

    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=_errors,
        disable=not _errors.is_terminal,
    )
    task = progress.add_task(f"Fact sheets ({language})", total=len(chosen))

    def advance(result: SheetResult) -> None:
        progress.advance(task)
        if not result.ok:
            progress.console.print(f"[red]failed:[/] {result.code}: {result.error}", highlight=False)

    with progress:
        batch = write_fact_sheets(
            chosen,
            out,
            database=database,
            language=language,
            formats=chosen_formats,
            workers=workers,
            on_result=advance,
        )
    written = batch.written
    pages = [result.pages for result in written if result.pages is not None]
    summary = (
        f"Wrote {len(written)} of {len(chosen)} fact sheets to {out} in {batch.seconds:.1f} s ({batch.workers} workers)"
    )
    if pages:
        summary += f"; {min(pages)}–{max(pages)} pages"
    _errors.print(summary, highlight=False)
    if len(written) == 1:
        for path in written[0].files:
            typer.echo(str(path))
    if batch.failures:
        _errors.print(f"[bold red]{len(batch.failures)} fact sheets failed:[/]", highlight=False)
        for result in batch.failures:
            _errors.print(f"  {result.code}: {result.error}", highlight=False)
        raise typer.Exit(code=EXIT_SHEETS_FAILED)


__all__ = ["factsheet"]
