"""`boligmonitor rank --region 46`: the indicator model's ranking of a county's municipalities.

Registered in cli/app.py with ``app.command("rank")(rank)``. The options and error handling follow app.py;
they are defined here rather than imported from it, so that app.py can import this module at the top
without an import cycle.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer
from rich.console import Console
from rich.table import Table

from boligmonitor.core.errors import InputError

if TYPE_CHECKING:  # the model's module imports scipy.stats; every other command should not pay for that
    from boligmonitor.analysis.indicator_model.scoring import ModelResult, MunicipalityResult

_errors = Console(stderr=True, soft_wrap=True)  # error messages name paths: never wrap them
# Piped output (files, CI logs) gets a wide fixed width instead of rich's 80 columns, as in cli/rich_output.py.
_out = Console() if Console().is_terminal else Console(width=180)

EXPORT_SUFFIXES = (".csv", ".xlsx")


def _fail(error: Exception) -> NoReturn:
    _errors.print(f"[bold red]error:[/] {error}", highlight=False, markup=True)
    raise typer.Exit(code=2)


def rank(
    region: Annotated[
        str, typer.Option("--region", help="County code (46) or comma-separated municipality codes (4601,4602,…)")
    ],
    preset: Annotated[str, typer.Option(help="Indicator-model preset")] = "husbanken",
    weights: Annotated[
        str | None,
        typer.Option(help="Change weights: KEY=WEIGHT,… (0 drops one; KEY=W:+ or KEY=W:- also sets the direction)"),
    ] = None,
    normalisation: Annotated[str | None, typer.Option(help="zscore, minmax or rank (default: the preset's)")] = None,
    min_coverage: Annotated[
        float | None, typer.Option(help="Share (0–1) of the weight a municipality needs values for to be ranked")
    ] = None,
    year: Annotated[int | None, typer.Option(help="Use no data later than this year")] = None,
    shrinkage: Annotated[
        bool,
        typer.Option(
            "--shrinkage/--no-shrinkage",
            help="Shrink small municipalities' shares and rates towards all municipalities (empirical Bayes)",
        ),
    ] = True,
    out: Annotated[Path | None, typer.Option(help="Also write the table to a .csv or .xlsx file")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output")] = False,
    draws: Annotated[int, typer.Option(help="Sensitivity draws for the rank intervals (0: none)")] = 1000,
    seed: Annotated[int, typer.Option(help="Seed of the sensitivity draws")] = 0,
    database: Annotated[
        str | None,
        typer.Option("--database", help="SQLAlchemy URL; default BOLIGMONITOR_DATABASE_URL or var/boligmonitor.sqlite"),
    ] = None,
) -> None:
    """Rank a county's municipalities by the size of their housing-social challenges (indicator model)."""
    from boligmonitor.analysis.indicator_model.run import ranking_for_region, spec_from_preset
    from boligmonitor.catalog import load_catalog
    from boligmonitor.catalog.model_presets import apply_weights, load_model_presets
    from boligmonitor.store import Store

    if out is not None and out.suffix.lower() not in EXPORT_SUFFIXES:
        _fail(ValueError(f"--out must end in .csv or .xlsx, got {out.name!r}"))
    if draws < 0:
        _fail(ValueError("--draws must be 0 or more"))
    store = Store.open(database)  # migrates, as `status` does, so an empty file reads as an empty database
    if store.current_version() is None:
        _fail(ValueError("the database is empty: run `boligmonitor build --from DIR` first"))
    catalog = load_catalog()
    try:
        chosen = load_model_presets().preset(preset)
        if weights is not None:
            chosen = apply_weights(chosen, weights, catalog)
        spec = spec_from_preset(
            chosen,
            normalisation=normalisation,
            min_coverage=min_coverage,
            shrinkage="empirical_bayes" if shrinkage else "none",
        )
        result = ranking_for_region(store, catalog, spec, region, year, draws=draws, seed=seed)
    except InputError as error:
        _fail(error)
    if out is not None:
        _write_table(result, out)
    if as_json:
        from boligmonitor.analysis.indicator_model.exports import ranking_json

        json.dump(ranking_json(result), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        print_ranking(result)
    if out is not None:
        _errors.print(f"Wrote {len(result.rows)} municipalities to {out}", highlight=False)


def _write_table(result: ModelResult, out: Path) -> None:
    """CSV or XLSX by suffix, written to a temporary file first so a failure leaves no half-written file."""
    from boligmonitor.analysis.indicator_model.exports import ranking_meta, ranking_table
    from boligmonitor.web.downloads import Download, to_csv, to_xlsx

    columns, rows = ranking_table(result)
    download = Download(
        name=out.stem,
        title=f"Indicator model {result.spec.name}: {result.label}",
        columns=columns,
        rows=rows,
        meta=ranking_meta(result),
    )
    content = to_xlsx(download) if out.suffix.lower() == ".xlsx" else to_csv(download)
    out.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(content)
        Path(temporary).replace(out)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def print_ranking(result: ModelResult) -> None:
    """The ranking as a rich table, then the model's indicators and what data are missing."""
    spec = result.spec
    basis = "weight" if spec.coverage_basis == "weight" else "indicators"
    _out.print(
        f"Indicator model [bold]{spec.name}[/] for {result.label}: {spec.normalisation} normalisation, "
        f"minimum coverage {spec.min_coverage:.0%} of the {basis}, "
        f"{'shrinkage of small numbers' if spec.shrinkage == 'empirical_bayes' else 'no shrinkage'}; "
        f"{len(result.available)} of "
        f"{len(result.indicators)} indicators have data ({result.available_weight_share:.0%} of the weight)",
        highlight=False,
    )
    table = Table(title_justify="left", show_lines=False)
    for column, justify in (
        ("rank", "right"),
        ("municipality", "left"),
        ("score", "right"),
        ("rank 5–95 %", "right"),
        ("median", "right"),
        ("coverage", "right"),
        ("largest contributions / why not ranked", "left"),
    ):
        table.add_column(column, justify=justify)  # type: ignore[arg-type]
    for row in result.rows:
        table.add_row(*_cells(result, row))
    _out.print(table)
    if any(row.renormalised for row in result.rows):
        _out.print("* ranked on the indicators it has, with the weights spread over them (missing ones listed)")
    indicators = Table(title="Indicators", title_justify="left")
    for column in ("key", "domain", "weight", "share", "direction", "year", "values"):
        indicators.add_column(column)
    for summary in result.indicators:
        year = result.years.get(summary.key)
        indicators.add_row(
            summary.key,
            summary.domain or "",
            f"{summary.weight:g}",
            f"{summary.weight_share:.1%}" if summary.available else "not used",
            f"{summary.direction:+d}",
            str(year) if year is not None else "–",
            f"{summary.n_values}/{summary.n_regions}",
        )
    _out.print(indicators)
    if result.notes:
        _out.print("[bold]Missing data[/] (never imputed):", highlight=False)
        for note in result.notes:
            _out.print(f"  {note}", highlight=False)
    if result.method_notes:
        _out.print("[bold]Small numbers[/] (values used; the downloads keep the published ones):", highlight=False)
        for note in result.method_notes:
            _out.print(f"  {note}", highlight=False)


def _cells(result: ModelResult, row: MunicipalityResult) -> tuple[str, ...]:
    name = f"{row.region} {result.names.get(row.region, '')}".strip()
    coverage = f"{row.coverage:.0%}" + ("*" if row.renormalised else "")
    if not row.ranked:
        return ("–", name, "–", "–", "–", coverage, f"not ranked: {row.reason}")
    interval = result.intervals.get(row.region)
    spread = f"{interval.p05}–{interval.p95}" if interval else "–"
    median = f"{interval.median:g}" if interval else "–"
    parts = ", ".join(f"{part.key} {part.contribution:+.2f}" for part in row.top_contributions(3) if part.contribution)
    missing = f" (missing {', '.join(row.missing)})" if row.missing else ""
    return (str(row.rank), name, f"{row.score:.3f}", spread, median, coverage, parts + missing)
