"""A ranking as a table (CSV/XLSX downloads), as text pairs (the "om" sheet) and as JSON (CLI ``--json``, API)."""

from __future__ import annotations

import math
from typing import Any

from boligmonitor.analysis.indicator_model.scoring import DEFAULT_SPREAD, NORMALISATIONS, ModelResult

RANKING_COLUMNS = (
    "rank",
    "region",
    "region_name",
    "score",
    "coverage",
    "ranked",
    "reason",
    "missing",
    "renormalised",
    "median_rank",
    "rank_p05",
    "rank_p95",
    "rank_min",
    "rank_max",
    "share_top_fifth",
)


def ranking_table(result: ModelResult) -> tuple[list[str], list[dict[str, Any]]]:
    """One row per municipality (rank order): score, rank interval, coverage and, per available indicator,
    ``KEY_value``, ``KEY_normalised`` and ``KEY_contribution``. For CSV/XLSX downloads."""
    keys = [summary.key for summary in result.available]
    parts = ("observed", "value", "normalised", "contribution")
    columns = [*RANKING_COLUMNS, *(f"{key}_{part}" for key in keys for part in parts)]
    rows: list[dict[str, Any]] = []
    for row in result.rows:
        interval = result.intervals.get(row.region)
        record: dict[str, Any] = {
            "rank": row.rank,
            "region": row.region,
            "region_name": result.names.get(row.region, ""),
            "score": row.score,
            "coverage": row.coverage,
            "ranked": row.ranked,
            "reason": row.reason,
            "missing": ";".join(row.missing),
            "renormalised": row.renormalised,
            "median_rank": interval.median if interval else None,
            "rank_p05": interval.p05 if interval else None,
            "rank_p95": interval.p95 if interval else None,
            "rank_min": interval.low if interval else None,
            "rank_max": interval.high if interval else None,
            "share_top_fifth": interval.share_top_fifth if interval else None,
        }
        for part in row.parts:
            record[f"{part.key}_observed"] = _observed(result, part.key, row.region, part.value)
            record[f"{part.key}_value"] = part.value
            record[f"{part.key}_normalised"] = part.normalised
            record[f"{part.key}_contribution"] = part.contribution
        rows.append(record)
    return columns, rows


def _observed(result: ModelResult, key: str, region: str, value: float | None) -> float | None:
    """The value as published: before shrinkage where it was shrunk, else the value the model used."""
    return result.observed[key].get(region) if key in result.observed else value


def ranking_meta(result: ModelResult) -> dict[str, str]:
    """How the ranking was made, as text pairs (the "om" sheet of an XLSX download)."""
    spec = result.spec
    draws = next(iter(result.intervals.values())).draws if result.intervals else 0
    meta = {
        "model": spec.name,
        "region": result.label,
        "normalisation": spec.normalisation,
        "min_coverage": f"{spec.min_coverage:g} of the {spec.coverage_basis}",
        "year_rule": spec.year_rule,
        "shrinkage": spec.shrinkage,
        "available_weight_share": f"{result.available_weight_share:.3f}",
        "partial": (
            f"yes: {result.data_share:.0%} of the model has data, below the minimum {spec.min_coverage:.0%}; "
            f"missing: {', '.join(summary.key for summary in result.unavailable)}"
            if result.partial
            else "no"
        ),
        "sensitivity": (
            f"{draws} draws: each weight x Uniform({1 - DEFAULT_SPREAD:g}, {1 + DEFAULT_SPREAD:g}), "
            f"normalisation {'/'.join(NORMALISATIONS)} in turn, shares and rates drawn from their posteriors"
            if draws
            else "none"
        ),
    }
    for summary in result.indicators:
        year = result.years.get(summary.key)
        state = f"year {year}, {summary.n_values}/{summary.n_regions} values" if summary.available else summary.reason
        meta[f"indicator {summary.key}"] = (
            f"weight {summary.weight:g} ({summary.weight_share:.1%}), direction {summary.direction:+d}, "
            f"domain {summary.domain}; {state}"
        )
    for number, note in enumerate(result.notes, start=1):
        meta[f"note {number}"] = note
    for number, note in enumerate(result.method_notes, start=1):
        meta[f"method note {number}"] = note
    return meta


def ranking_json(result: ModelResult) -> dict[str, Any]:
    """The whole result as JSON-ready data (CLI ``--json``, API)."""
    spec = result.spec
    return {
        "model": {
            "name": spec.name,
            "normalisation": spec.normalisation,
            "min_coverage": spec.min_coverage,
            "coverage_basis": spec.coverage_basis,
            "year_rule": spec.year_rule,
            "shrinkage": spec.shrinkage,
        },
        "region": result.label,
        "available_weight_share": result.available_weight_share,
        "partial": result.partial,
        "missing_domains": list(result.missing_domains),
        "indicators": [
            {
                "key": s.key,
                "domain": s.domain,
                "weight": s.weight,
                "weight_share": s.weight_share,
                "direction": s.direction,
                "available": s.available,
                "year": result.years.get(s.key),
                "n_values": s.n_values,
                "n_regions": s.n_regions,
                "reason": s.reason,
                "mean": s.mean,
                "sd": s.sd,
                "min": s.minimum,
                "max": s.maximum,
            }
            for s in result.indicators
        ],
        "municipalities": [
            {
                "region": row.region,
                "name": result.names.get(row.region),
                "rank": row.rank,
                "score": row.score,
                "coverage": row.coverage,
                "reason": row.reason,
                "missing": list(row.missing),
                "renormalised": row.renormalised,
                "rank_interval": _interval_json(result, row.region),
                "parts": [
                    {
                        "key": part.key,
                        "observed": _observed(result, part.key, row.region, part.value),
                        "value": part.value,
                        "normalised": part.normalised,
                        "weight_share": part.weight_share,
                        "contribution": part.contribution,
                    }
                    for part in row.parts
                ],
            }
            for row in result.rows
        ],
        "notes": list(result.notes),
        "method_notes": list(result.method_notes),
        "priors": {
            key: {
                "kind": prior.kind,
                "mean": prior.mean,
                "strength": prior.strength if math.isfinite(prior.strength) else None,  # infinite: all at the mean
                "n_regions": prior.n_regions,
            }
            for key, prior in result.priors.items()
        },
    }


def _interval_json(result: ModelResult, region: str) -> dict[str, Any] | None:
    interval = result.intervals.get(region)
    if interval is None:
        return None
    return {
        "median": interval.median,
        "p05": interval.p05,
        "p95": interval.p95,
        "min": interval.low,
        "max": interval.high,
        "share_top_fifth": interval.share_top_fifth,
        "draws": interval.draws,
    }
