"""Human-readable output of the CLI (rich tables)."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table

from boligmonitor.catalog.models import Catalog

# Piped output (files, CI logs) gets a wide fixed width instead of rich's 80 columns, so tables stay readable.
_out = Console() if Console().is_terminal else Console(width=160)


def print_catalog(catalog: Catalog, lang: str) -> None:
    _out.print(f"Indicator catalogue {catalog.version}: {len(catalog.indicators)} indicators")
    for theme in catalog.themes:
        table = Table(title=getattr(theme.name, lang), title_justify="left", show_lines=False)
        table.add_column("id")
        table.add_column("indicator")
        table.add_column("unit")
        table.add_column("source")
        for indicator in catalog.indicators_in(theme.id):
            sources = ", ".join(
                f"{s.publisher} {s.table}" if s.table else f"{s.publisher} ({s.contents_code or 'table unknown'})"
                for s in indicator.sources
            )
            table.add_row(indicator.id, getattr(indicator.name, lang), indicator.unit, sources)
        _out.print(table)


def print_status(report: dict[str, Any]) -> None:
    version = report["data_version"]
    if version is None:
        _out.print("The database is empty: run `boligmonitor build --from DIR` first.")
    else:
        _out.print(
            f"Data version {version['id']} ({version['kind']}, {version['created_at']}): {version['description']}"
        )
    regions = report["regions"]
    _out.print(
        f"Regions: {regions.get('municipality', 0)} municipalities, {regions.get('county', 0)} counties, "
        f"{regions.get('district', 0)} districts; years {report['years']['first']}–{report['years']['last']}"
    )
    population = report["population"]
    if population.get("first_year"):
        _out.print(
            f"Population ({population['indicator']}): {population['first_year']}–{population['last_year']}, "
            f"{population['municipalities_with_every_year']} municipalities with every year, "
            f"{population['estimated_values']} estimated values"
        )
        for gap in population["municipalities_incomplete"]:
            _out.print(f"  missing: {gap['code']} {gap['name']} {gap['missing_years']}")
    table = Table(title="Indicators", title_justify="left")
    for column in ("id", "state", "municipalities", "years", "values", "reason"):
        table.add_column(column, overflow="fold")
    for item in report["indicators"]:
        years = f"{item['first_year']}–{item['last_year']}" if item["first_year"] else ""
        table.add_row(
            item["id"],
            item["state"],
            item["municipality_coverage"],
            years,
            str(item["n_values"]),
            item["reason"],
        )
    _out.print(table)
    _out.print(", ".join(f"{key}: {value}" for key, value in report["summary"].items()))


def _number(value: object) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.2f}".replace(",", " ")
    return str(value)


def print_show(result: dict[str, Any]) -> None:
    """One indicator for one region, or every municipality (with funnel limits)."""
    if "rows" in result:
        table = Table(title=f"{result['indicator']} {result['year']}", title_justify="left")
        for column in ("region", "name", "value", "numerator", "denominator", "interval", "status", "comparison"):
            table.add_column(column)
        for row in result["rows"]:
            interval = f"{_number(row['ci_low'])}–{_number(row['ci_high'])}" if row["ci_low"] is not None else ""
            table.add_row(
                row["region"],
                row["region_name"],
                _number(row["value"]),
                _number(row["numerator"]),
                _number(row["denominator"]),
                interval,
                row["status"],
                row["comparison"],
            )
        _out.print(table)
        outside = ", ".join(f"{o['region']} ({o['side']})" for o in result["outside_funnel_998"])
        spread = result.get("funnel_spread")
        if isinstance(spread, dict) and spread["tau2"] > 0:
            _out.print(
                f"Funnel limits include the variation between municipalities (overdispersion φ = {spread['phi']:.1f})",
                highlight=False,
            )
        _out.print(f"Outside the 99.8 % funnel limits: {outside or 'none'}")
        return
    table = Table(show_header=False, title=f"{result['indicator']} · {result['region']} {result['region_name']}")
    table.add_column("field")
    table.add_column("value")
    for key, value in result.items():
        if key in ("indicator", "region", "region_name"):
            continue
        table.add_row(key, _number(value) if not isinstance(value, list) else ", ".join(map(str, value)))
    _out.print(table)
