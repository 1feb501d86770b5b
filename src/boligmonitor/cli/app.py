"""The `boligmonitor` command line."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer
from rich.console import Console

from boligmonitor.cli.factsheet import factsheet
from boligmonitor.cli.rank import rank
from boligmonitor.cli.reporting import reporting_app
from boligmonitor.cli.users import users_app
from boligmonitor.core.errors import InputError, UnknownCodesError
from boligmonitor.core.regions import NORWAY, RegionCode, normalise_region_code

if TYPE_CHECKING:  # the statistics import scipy; commands that do not need them should not pay for it
    from boligmonitor.analysis.indicator_tables import FunnelSpread

app = typer.Typer(
    name="boligmonitor",
    help="Boligsosial monitor: build, import and inspect housing-social statistics for Norway.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console(stderr=True, soft_wrap=True)  # error messages name paths: never wrap them

DatabaseOption = Annotated[
    str | None,
    typer.Option("--database", help="SQLAlchemy URL; default BOLIGMONITOR_DATABASE_URL or var/boligmonitor.sqlite"),
]


def _fail(error: Exception) -> NoReturn:
    console.print(f"[bold red]error:[/] {error}", highlight=False, markup=True)
    raise typer.Exit(code=2)


@app.command("prepare-input")
def prepare_input(
    shared: Annotated[Path, typer.Option(help="The shared data directory (../shared/data)")],
    out: Annotated[Path, typer.Option(help="Where to write the build input")] = Path("var/input"),
) -> None:
    """Turn the real files in ../shared/data into a build-input directory (no network)."""
    from boligmonitor.sources.shared_data import prepare_build_input

    try:
        manifest = prepare_build_input(shared, out, progress=lambda message: console.print(f"  {message}"))
    except InputError as error:
        _fail(error)
    console.print(f"Wrote {len(manifest.files)} files and manifest.json to {out}")


@app.command("build")
def build(
    source: Annotated[Path, typer.Option("--from", help="A build-input directory with manifest.json")],
    database: DatabaseOption = None,
    if_changed: Annotated[
        bool, typer.Option("--if-changed", help="Do nothing if the database was built from this exact input")
    ] = False,
) -> None:
    """Build the whole database from a directory of raw source files, offline, in one transaction."""
    from boligmonitor.cli.progress_bars import RichProgress
    from boligmonitor.pipeline.build import build_database
    from boligmonitor.pipeline.inputs import input_fingerprint
    from boligmonitor.store import Store, create_engine_for, database_url, migrate

    engine = create_engine_for(database_url(database))
    migrate(engine)
    store = Store(engine)
    try:
        if if_changed:
            current = store.current_version()
            if current is not None and current.input_fingerprint == input_fingerprint(source):
                console.print(f"Database is up to date (data version {current.id}); nothing to build.")
                return
        with RichProgress(console) as progress:
            summary = build_database(source, store, progress=progress)
    except InputError as error:
        _fail(error)
    console.print(summary.describe())


@app.command("import")
def import_(
    path: Annotated[Path, typer.Argument(help="Tidy CSV/XLSX, SSB statbank CSV or JSON-stat file")],
    dataset: Annotated[
        str | None,
        typer.Option(
            help="Id of a new local dataset for the file's values (refused if it exists with other provenance); "
            "for a cube file also the catalogue dataset whose recipes read it, e.g. ssb:12345 (default: "
            "import:FILE, or the file's SSB table)"
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Also print the report as JSON on standard output")] = False,
    database: DatabaseOption = None,
) -> None:
    """Add or replace indicator data from one file, in one transaction, and report what was done to each row."""
    from boligmonitor.pipeline.importer import import_file
    from boligmonitor.store import Store, create_engine_for, database_url, migrate

    engine = create_engine_for(database_url(database))
    try:
        migrate(engine)
        summary = import_file(path, Store(engine), dataset=dataset)
    except InputError as error:
        _fail(error)
    console.print(summary.describe(), highlight=False, markup=False)
    if as_json:
        json.dump(summary.as_dict(), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")


@app.command("catalog")
def catalog(
    as_json: Annotated[bool, typer.Option("--json", help="The whole catalogue as versioned JSON")] = False,
    lang: Annotated[str, typer.Option(help="nb, nn or en")] = "nb",
) -> None:
    """Show the indicator catalogue."""
    from boligmonitor.catalog import catalog_to_json, load_catalog

    cat = load_catalog()
    if as_json:
        json.dump(catalog_to_json(cat), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return
    from boligmonitor.cli.rich_output import print_catalog

    print_catalog(cat, lang=_checked_lang(lang))


@app.command("status")
def status(
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable report")] = False,
    database: DatabaseOption = None,
) -> None:
    """What the database holds: municipalities, years, and each indicator's coverage or why it is missing."""
    from boligmonitor.catalog import load_catalog
    from boligmonitor.pipeline.status_report import status_report
    from boligmonitor.store import Store, create_engine_for, database_url, migrate

    engine = create_engine_for(database_url(database))
    migrate(engine)
    report = status_report(Store(engine), load_catalog())
    if as_json:
        json.dump(report, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return
    from boligmonitor.cli.rich_output import print_status

    print_status(report)


@app.command("convert")
def convert(
    file: Annotated[Path, typer.Argument(help="A JSON-stat 2.0 file or an SSB statbank CSV")],
    to: Annotated[str, typer.Option("--to", help="Output format (csv)")] = "csv",
    out: Annotated[Path | None, typer.Option(help="Output file (default: standard output)")] = None,
) -> None:
    """Convert a JSON-stat 2.0 file to a tidy CSV: one column per dimension, plus value and status."""
    from boligmonitor.sources.readers.convert import convert_file, read_cube_file, write_tidy_csv

    if to != "csv":
        _fail(ValueError(f"unsupported output format {to!r}; only csv"))
    try:
        # To a file: read first, then write atomically, so bad input never leaves a half-written file.
        rows = convert_file(file, sys.stdout) if out is None else write_tidy_csv(read_cube_file(file), out)
    except InputError as error:
        _fail(error)
    console.print(f"{rows} rows")


@app.command("show")
def show(
    indicator: Annotated[str, typer.Argument(help="Indicator id, e.g. BEF03")],
    region: Annotated[
        str | None,
        typer.Argument(help='Region code: 0 or 0000 (Norway, also "Hele landet", Norge), county or municipality'),
    ] = None,
    year: Annotated[int | None, typer.Option(help="Year (default: the latest with a value)")] = None,
    benchmark: Annotated[
        str, typer.Option(help="norway, county, kostra_group, size_group, peers (similar municipalities) or custom")
    ] = "norway",
    members: Annotated[
        str | None, typer.Option(help="Comma-separated municipality codes for --benchmark custom")
    ] = None,
    all_regions: Annotated[bool, typer.Option("--all-regions", help="Every municipality, with funnel limits")] = False,
    level: Annotated[float, typer.Option(help="Confidence level: 0.95 or 0.998")] = 0.95,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output")] = False,
    database: DatabaseOption = None,
) -> None:
    """Value, numerator, denominator, interval, status, flags, benchmark comparison and recent trend."""
    from boligmonitor.analysis.indicator_tables import BenchmarkKind, IndicatorTables, outside_funnel
    from boligmonitor.catalog import load_catalog
    from boligmonitor.store import Store, create_engine_for, database_url
    from boligmonitor.web.views.picker import means_norway

    if level not in (0.95, 0.998):
        _fail(ValueError("--level must be 0.95 or 0.998"))
    try:
        kind = BenchmarkKind(_BENCHMARK_ALIASES.get(benchmark, benchmark))
    except ValueError:
        _fail(ValueError(f"unknown benchmark {benchmark!r}; use {', '.join(k.value for k in BenchmarkKind)}"))
    store = Store(create_engine_for(database_url(database)))
    if store.current_version() is None:
        _fail(ValueError("the database is empty: run `boligmonitor build --from DIR` first"))
    tables = IndicatorTables(store, load_catalog(), level=level)
    custom_members: tuple[RegionCode, ...] = ()
    if kind is BenchmarkKind.CUSTOM:
        if not members:
            _fail(ValueError("--benchmark custom needs --members CODE,CODE,…"))
        # The codes as users write them (K-0301, " 0301"): normalised here, where they enter.
        custom_members = tuple(normalise_region_code(code) for code in members.split(",") if code.strip())
    try:
        tables.indicator(indicator)
        if all_regions:
            chosen_year = year if year is not None else max(tables.years(indicator), default=None)
            if chosen_year is None:
                _fail(ValueError(f"{indicator} has no values in the database"))
            rows = tables.all_regions(indicator, chosen_year, kind, custom_members=custom_members)
            records = [row.as_dict() for row in rows]
            result: dict[str, object] = {
                "indicator": indicator,
                "year": chosen_year,
                "rows": records,
                "outside_funnel_998": [{"region": code, "side": side} for code, side in outside_funnel(rows)],
                "funnel_spread": _spread_record(tables.funnel_spread(indicator, chosen_year)),
                "top_10_range": tables.top_ten_range(indicator, chosen_year),
            }
        else:
            if region is None:
                _fail(ValueError("give a REGION, or --all-regions"))
            # Normalised where it enters: 0000, EAK, "Hele landet", Norge, Noreg, Norway are Norway (as in the
            # web picker); K-0301 is Oslo.
            code = NORWAY if means_norway(region) else normalise_region_code(region)
            result = tables.row(indicator, code, year, kind, custom_members=custom_members).as_dict()
    except KeyError as error:
        _fail(ValueError(str(error).strip('"')))
    except UnknownCodesError as error:
        _fail(ValueError(f"unknown {error.kind} code: {', '.join(error.codes)}"))
    if as_json:
        json.dump(result, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return
    from boligmonitor.cli.rich_output import print_show

    print_show(result)


# Short names as users write them (issue 4: --benchmark norway|county|kostra|size|peers).
def _spread_record(spread: FunnelSpread | None) -> dict[str, float | int] | None:
    """The funnel's overdispersion φ̂ and between-municipality variance τ̂² (its limits include τ̂²)."""
    if spread is None:
        return None
    return {"phi": spread.phi, "tau2": spread.tau2, "n_regions": spread.n_regions}


_BENCHMARK_ALIASES = {"kostra": "kostra_group", "size": "size_group"}


# `fetch` exits with this status when it refuses to run inside SSB's publishing window (try again later).
EXIT_PUBLISHING_WINDOW = 3
FETCH_SOURCES = ("ssb", "klass", "husbanken")


@app.command("fetch")
def fetch(
    plan: Annotated[bool, typer.Option("--plan", help="Only print the requests a fetch would make")] = False,
    sources: Annotated[
        list[str] | None,
        typer.Option(
            "--source",
            help="A source to refresh: ssb, klass or husbanken; repeat for more (default: all three)",
        ),
    ] = None,
    tables: Annotated[str | None, typer.Option(help="Comma-separated SSB table ids (default: the catalogue's)")] = None,
    ssb_url: Annotated[
        str | None,
        typer.Option(
            "--ssb-url", "--base-url", help="PxWebApi v2 base URL (default: BOLIGMONITOR_SSB_URL, else SSB's)"
        ),
    ] = None,
    klass_url: Annotated[
        str | None,
        typer.Option(
            "--klass-url",
            "--klass-base-url",
            help="KLASS base URL (default: BOLIGMONITOR_KLASS_URL, else beside the SSB URL or SSB's own)",
        ),
    ] = None,
    v0_url: Annotated[
        str | None,
        typer.Option("--v0-url", "--v0-base-url", help="Legacy v0 API base URL (default: beside the SSB URL)"),
    ] = None,
    husbanken_url: Annotated[
        str | None,
        typer.Option(help="Husbanken's Qlik proxy root (default: BOLIGMONITOR_HUSBANKEN_URL, else Husbanken's)"),
    ] = None,
    husbanken_unconfirmed: Annotated[
        bool | None,
        typer.Option(
            "--husbanken-unconfirmed/--no-husbanken-unconfirmed",
            help="Also ask for the Husbanken hypercubes whose fields are not confirmed against the live app "
            "(default: BOLIGMONITOR_HUSBANKEN_UNCONFIRMED, else no); one the app cannot compute is a problem",
        ),
    ] = None,
    husbanken_only: Annotated[
        str | None,
        typer.Option(help="Comma-separated Husbanken definition ids or dataset keys (default: all selected)"),
    ] = None,
    wait: Annotated[
        bool,
        typer.Option(
            "--wait",
            help="Inside SSB's publishing window (05:00-08:15 Norwegian time) wait until it ends, "
            f"instead of refusing with exit status {EXIT_PUBLISHING_WINDOW}",
        ),
    ] = False,
    archive: Annotated[
        Path, typer.Option(help="Raw-response archive directory (Husbanken's answers in its husbanken/)")
    ] = Path("var/archive"),
    input_directory: Annotated[Path, typer.Option("--input", help="The build input to refresh")] = Path("var/input"),
    database: DatabaseOption = None,
) -> None:
    """Refresh SSB tables whose `updated` changed, the KLASS register and Husbanken's datasets whose reload
    changed, into the build input; then rebuild in one transaction: one data version.

    Reads SSB's /config first and splits requests under its maxDataCells (never above 800 000). Tables that
    PxWebApi v2 lacks are fetched through the legacy v0 API. Region codes are requested over agg_KommSummer
    (series summed to today's borders) when a table offers it; the codelist used is recorded with the dataset.
    Husbanken's hypercubes are read over Qlik's Engine API; those archived complete for the app's current
    reload are taken from the archive.

    SSB publishes and revises tables between 05:00 and 08:15 Norwegian time. A fetch of SSB started then refuses
    before sending any request and says when to try again (exit status 3), so a scheduled run never ingests
    half-published tables; with --wait it waits until 08:15 instead. --plan is not affected.
    """
    from boligmonitor.catalog import load_catalog
    from boligmonitor.cli.progress_bars import RichProgress
    from boligmonitor.pipeline.fetch_plan import plan_sources
    from boligmonitor.pipeline.refresh import refresh
    from boligmonitor.pipeline.refresh_husbanken import HusbankenSource
    from boligmonitor.sources.connectors.http import FetchError, PoliteClient, RateLimiter, ResponseArchive, RetryPolicy
    from boligmonitor.sources.connectors.husbanken import QlikError, QlikOptions
    from boligmonitor.sources.connectors.ssb import SsbApiError
    from boligmonitor.sources.connectors.ssb.publishing import PublishingWindowError
    from boligmonitor.sources.settings import SettingsError, SourceSettings
    from boligmonitor.store import Store

    chosen = _fetch_sources(sources)
    only = [t.strip() for t in tables.split(",") if t.strip()] if tables else None
    try:
        settings = SourceSettings.resolve(
            ssb_url=ssb_url,
            klass_url=klass_url,
            v0_url=v0_url,
            husbanken_url=husbanken_url,
            husbanken_unconfirmed=husbanken_unconfirmed,
        )
    except SettingsError as error:
        _fail(error)
    responses = ResponseArchive(archive)
    # One limit for SSB's three APIs: SSB counts calls per IP address (ssb-api.md §3.2). A server on this machine
    # (a fake, scripts/fake-sources) needs no protecting: no limit there.
    limiter = RateLimiter() if not settings.ssb_is_local else RateLimiter(calls=1_000_000, per_seconds=1.0)

    def client(url: str) -> PoliteClient:
        return PoliteClient(url, limiter=limiter, retry=RetryPolicy(), archive=responses)

    husbanken = None
    if "husbanken" in chosen:
        husbanken = HusbankenSource(
            settings.husbanken_url,
            archive / "husbanken",
            options=QlikOptions(pause_seconds=0.0, proxy=None) if settings.husbanken_is_local else QlikOptions(),
            include_unconfirmed=settings.husbanken_unconfirmed,
            only=[n.strip() for n in husbanken_only.split(",") if n.strip()] if husbanken_only else None,
        )
    v2 = client(settings.ssb_url)
    v0 = client(settings.ssb_v0_url)
    register = client(settings.klass_url)
    with v2, v0, register:
        try:
            if plan:
                planned = plan_sources(
                    v2 if "ssb" in chosen else None,
                    load_catalog(),
                    only,
                    v0=v0,
                    klass_url=settings.klass_url if "klass" in chosen else None,
                    husbanken=husbanken,
                )
                for line in planned.describe():
                    typer.echo(line)
                return
            store = Store.open(database)
            with RichProgress(console) as progress:
                summary = refresh(
                    v2 if "ssb" in chosen else None,
                    responses,
                    store,
                    input_directory,
                    load_catalog(),
                    only,
                    progress=progress,
                    klass=register if "klass" in chosen else None,
                    v0=v0,
                    husbanken=husbanken,
                    publishing_window="wait" if wait else "refuse",
                )
        except PublishingWindowError as error:
            console.print(f"[bold yellow]not now:[/] {error} Or run with --wait.", highlight=False)
            raise typer.Exit(code=EXIT_PUBLISHING_WINDOW) from None
        except (SsbApiError, FetchError, QlikError) as error:
            _fail(ValueError(f"{error} (nothing was changed; run again to resume from the archive)"))
        except KeyError as error:  # an unknown Husbanken definition or dataset in --husbanken-only
            _fail(ValueError(str(error).strip('"')))
        except InputError as error:
            _fail(error)
    console.print(summary.describe())


def _fetch_sources(sources: list[str] | None) -> tuple[str, ...]:
    """The sources ``--source`` names (all three by default), in the refresh's order."""
    if not sources:
        return FETCH_SOURCES
    unknown = sorted({name.strip().lower() for name in sources} - set(FETCH_SOURCES))
    if unknown:
        _fail(ValueError(f"unknown source {', '.join(unknown)}; use {', '.join(FETCH_SOURCES)}"))
    return tuple(name for name in FETCH_SOURCES if name in {n.strip().lower() for n in sources})


@app.command("serve")
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on")] = 8000,
    workers: Annotated[
        int | None,
        typer.Option(min=1, help="Worker processes sharing the database, each with the data loaded (default: cores)"),
    ] = None,
    warm: Annotated[bool, typer.Option(help="Compute every region's theme rows before serving")] = True,
    database: DatabaseOption = None,
) -> None:
    """Serve the monitor: web pages, downloads and the JSON API (/api/v1/, described at /openapi.json).

    Each worker process loads the data and checks the database for a new data version every 2 s, loading it
    in the background while it keeps serving the old one."""
    import os

    from boligmonitor.web.server import run_server

    count = workers or len(os.sched_getaffinity(0))
    try:
        run_server(
            database,
            host=host,
            port=port,
            workers=count,
            warm=warm,
            announce=lambda where: console.print(f"Serving the monitor at {where}", highlight=False),
        )
    except InputError as error:
        _fail(error)


app.command("rank")(rank)
app.command("factsheet")(factsheet)
app.add_typer(users_app, name="user")
app.add_typer(reporting_app, name="reporting")


def _checked_lang(lang: str) -> str:
    if lang not in ("nb", "nn", "en"):
        _fail(ValueError(f"unknown language {lang!r}; use nb, nn or en"))
    return lang


def main() -> None:
    app()
