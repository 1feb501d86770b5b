"""The status report: what the database holds and, per indicator, its coverage or why it is missing."""

from __future__ import annotations

from typing import Any

from boligmonitor.catalog.models import Catalog
from boligmonitor.core.regions import RegionLevel
from boligmonitor.store import Store

# The catalogue's population indicator (folkemengde 1 January); its completeness is reported separately
# because every per-inhabitant indicator depends on it.
POPULATION_INDICATOR = "BEF01"


def status_report(store: Store, catalog: Catalog) -> dict[str, Any]:
    version = store.current_version()
    regions = store.regions()
    municipalities = {r.code: r.name for r in regions if r.level == RegionLevel.MUNICIPALITY}
    counts = {level.value: sum(1 for r in regions if r.level == level) for level in RegionLevel}
    coverage = {row.indicator_id: row for row in store.coverage()}
    states = {row.indicator_id: row for row in store.indicator_status()}

    indicators: list[dict[str, Any]] = []
    for indicator in catalog.indicators:
        state = states.get(indicator.id)
        cov = coverage.get(indicator.id)
        indicators.append(
            {
                "id": indicator.id,
                "theme": indicator.theme,
                "name": indicator.name.nb,
                "unit": indicator.unit,
                "state": state.state if state else ("not_loaded" if version else "no_database"),
                "reason": state.reason if state else "the database has not been built",
                "n_values": cov.n_values if cov else 0,
                "n_missing": cov.n_missing if cov else 0,
                "n_regions": cov.n_regions if cov else 0,
                "n_municipalities": cov.n_municipalities if cov else 0,
                "municipality_coverage": f"{cov.n_municipalities if cov else 0}/{len(municipalities)}",
                "first_year": cov.first_year if cov else None,
                "last_year": cov.last_year if cov else None,
            }
        )
    years = [i["first_year"] for i in indicators if i["first_year"]] + [
        i["last_year"] for i in indicators if i["last_year"]
    ]
    state_counts: dict[str, int] = {}
    for item in indicators:
        state_counts[item["state"]] = state_counts.get(item["state"], 0) + 1
    return {
        "data_version": None
        if version is None
        else {
            "id": version.id,
            "created_at": version.created_at.isoformat(),
            "kind": version.kind,
            "description": version.description,
            "catalog_version": version.catalog_version,
        },
        "catalog_version": catalog.version,
        "regions": counts,
        "municipalities": len(municipalities),
        "years": {"first": min(years) if years else None, "last": max(years) if years else None},
        "population": _population(store, municipalities),
        "datasets": [
            {
                "id": d.id,
                "publisher": d.publisher,
                "title": d.title,
                "table": d.table,
                "fetched_at": d.fetched_at.isoformat() if d.fetched_at else None,
                "updated_by_publisher": d.updated,
                "notes": list(d.notes),
            }
            for d in store.datasets()
        ],
        "last_changes": last_changes(store),
        "summary": {"indicators": len(indicators), **dict(sorted(state_counts.items()))},
        "indicators": indicators,
    }


def last_changes(store: Store) -> dict[str, Any] | None:
    """What the last build or refresh changed in values the version before it held (pipeline/revisions.py):
    counts by kind and by indicator, and every change with both values. None before the second build."""
    last = store.last_build_changes()
    if last is None:
        return None
    by_kind: dict[str, int] = {}
    by_indicator: dict[str, dict[str, int]] = {}
    for change in last.changes:
        by_kind[change.kind] = by_kind.get(change.kind, 0) + 1
        counts = by_indicator.setdefault(change.indicator_id, {})
        counts[change.kind] = counts.get(change.kind, 0) + 1
    return {
        "data_version": last.version.id,
        "created_at": last.version.created_at.isoformat(),
        "compared_with": last.previous.id,
        "counts": dict(sorted(by_kind.items())),
        "indicators": dict(sorted(by_indicator.items())),
        "changes": [
            {
                "indicator": change.indicator_id,
                "region": change.region_code,
                "year": change.year,
                "kind": change.kind,
                "previous_value": change.previous_value,
                "previous_status": change.previous_status,
                "previous_data_version": change.previous_data_version,
                "value": change.value,
                "status": change.status,
            }
            for change in last.changes
        ],
    }


def _population(store: Store, municipalities: dict[str, str]) -> dict[str, Any]:
    observations = [
        o
        for o in store.observations(indicator_id=POPULATION_INDICATOR)
        if o.region_code in municipalities and o.value is not None
    ]
    years = sorted({o.year for o in observations})
    if not years:
        return {"indicator": POPULATION_INDICATOR, "first_year": None, "last_year": None, "complete": 0}
    wanted = set(range(years[0], years[-1] + 1))
    by_region: dict[str, set[int]] = {code: set() for code in municipalities}
    for o in observations:
        by_region[o.region_code].add(o.year)
    incomplete = [
        {"code": code, "name": municipalities[code], "missing_years": sorted(wanted - present)}
        for code, present in sorted(by_region.items())
        if wanted - present
    ]
    return {
        "indicator": POPULATION_INDICATOR,
        "first_year": years[0],
        "last_year": years[-1],
        "municipalities_with_every_year": len(municipalities) - len(incomplete),
        "municipalities_incomplete": incomplete,
        "estimated_values": sum(1 for o in observations if o.harmonisation == "estimated"),
        "harmonised_values": sum(1 for o in observations if o.harmonisation != "original"),
    }
