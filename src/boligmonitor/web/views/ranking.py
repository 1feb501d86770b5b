"""The indicator model as a page: a county's (or a chosen list of) municipalities ranked by the size of their
housing-social challenges, with each indicator's contribution and a rank interval from the sensitivity
analysis (docs/methods/indicator-model.md).

State in the URL: ``fylke`` (county code) or ``kommune`` (repeated, at least two), ``modell`` (preset),
``vekter`` (``BEF03=6,FL01=2:-``), ``normalisering`` (zscore|minmax|rank), ``dekning`` (minimum coverage
0–1), ``ar`` (latest year used). Bad input is a 400 page that names the parameter.
"""

from __future__ import annotations

import math
from typing import Any

from boligmonitor.analysis.indicator_model.exports import ranking_meta, ranking_table
from boligmonitor.analysis.indicator_model.run import ranking_for_region, spec_from_preset
from boligmonitor.analysis.indicator_model.scoring import (
    MIN_VALUES_TO_NORMALISE,
    NO_OBSERVATION,
    NORMALISATIONS,
    DataNote,
    ModelResult,
    Shrinkage,
)
from boligmonitor.catalog.model_presets import apply_weights, load_model_presets, parse_variable_key
from boligmonitor.core.errors import InputError, UnknownCodesError
from boligmonitor.core.regions import NORWAY, RegionLevel, normalise_region_code
from boligmonitor.web.charts import UNCATEGORISED, Bar, ranked_bars
from boligmonitor.web.context import PageContext
from boligmonitor.web.downloads import Download
from boligmonitor.web.pages import Page
from boligmonitor.web.present.download_table import csv_style
from boligmonitor.web.request_params import (
    FIRST_YEAR,
    LAST_YEAR,
    bad_request,
    parse_decimal,
    parse_year,
    shown,
)

DEFAULT_COUNTY = "46"
DRAWS = 1000
# The page's words for the model's shrinkage setting (?krymping=ja|nei).
SHRINKAGE_CHOICES: dict[str, Shrinkage] = {"ja": "empirical_bayes", "nei": "none"}
_CACHE: dict[tuple[int, tuple[tuple[str, str], ...]], ModelResult] = {}


def ranking_page(ctx: PageContext) -> Page:
    t = ctx.t
    data = ctx.data
    models = load_model_presets()
    preset_id = _text(ctx, "modell") or "husbanken"
    try:
        preset = models.preset(preset_id)
    except InputError:
        raise bad_request("modell", preset_id, t("ranking.error.preset")) from None
    weights = _text(ctx, "vekter")
    if weights:
        try:
            preset = apply_weights(preset, weights, data.catalog)
        except InputError:
            # The catalogue's message is English (it serves the CLI too); the page says what it expects.
            raise bad_request("vekter", weights, t("ranking.error.weights")) from None
    normalisation = _text(ctx, "normalisering") or None
    if normalisation is not None and normalisation not in NORMALISATIONS:
        raise bad_request("normalisering", normalisation, t("error.expected.one_of", values=", ".join(NORMALISATIONS)))
    coverage = _number(ctx, "dekning", 0.0, 1.0)
    year = _year(ctx)
    chosen = ctx.query.get("kommune")
    municipalities = [chosen] if isinstance(chosen, str) else list(chosen or [])
    county = _text(ctx, "fylke") or (DEFAULT_COUNTY if not municipalities else "")
    region: str | list[str] = municipalities if municipalities else county
    shrinkage = _text(ctx, "krymping") or "ja"
    if shrinkage not in SHRINKAGE_CHOICES:
        raise bad_request("krymping", shrinkage, t("error.expected.one_of", values=", ".join(SHRINKAGE_CHOICES)))
    single = _check_region(ctx, county, municipalities)
    if single is not None:
        return _nothing_to_rank(ctx, preset_id, models.presets, county, single)
    spec = spec_from_preset(
        preset, normalisation=normalisation, min_coverage=coverage, shrinkage=SHRINKAGE_CHOICES[shrinkage]
    )
    key = (id(data), tuple(sorted((k, str(v)) for k, v in ctx.query.items() if k not in ("lang", "visning"))))
    result = _CACHE.get(key)
    if result is None:
        parameter = "kommune" if municipalities else "fylke"
        try:
            result = ranking_for_region(data, data.catalog, spec, region, year, draws=DRAWS)
        except UnknownCodesError:
            raise bad_request(parameter, ",".join(municipalities) or county, t("ranking.error.region")) from None
        except InputError:
            # What is left once the choice of region is checked: none of the model's indicators has values
            # for two of the chosen municipalities (the model's own message is English, for the CLI).
            raise bad_request(parameter, ",".join(municipalities) or county, t("ranking.error.no_data")) from None
        if len(_CACHE) > 64:
            _CACHE.clear()
        _CACHE[key] = result
    return _page(ctx, preset_id, models.presets, result, county, municipalities)


def _page(
    ctx: PageContext,
    preset_id: str,
    presets: Any,
    result: ModelResult,
    county: str,
    municipalities: list[str],
) -> Page:
    t = ctx.t
    data = ctx.data
    language = ctx.language
    names = {code: region.name for code, region in data.regions.items()}
    entries = {}
    domain_names: dict[str, str] = {}
    for preset in presets:
        if preset.id == preset_id:
            entries = {entry.key: (domain, entry) for domain, entry in preset.entries()}
            domain_names = {domain.id: domain.name.get(language) for domain in preset.domains}
    rows = []
    for row in result.rows:
        interval = result.intervals.get(row.region)
        top = [
            {
                "name": _indicator_name(ctx, part.key),
                "contribution": t.number(part.contribution, 2),
            }
            for part in row.top_contributions(3)
        ]
        rows.append(
            {
                "code": row.region,
                "name": names.get(row.region, row.region),
                "url": ctx.url(f"/region/{row.region}"),
                "rank": row.rank,
                "score": t.number(row.score, 2) if row.score is not None else "–",
                "interval": (
                    t("ranking.interval", low=interval.p05, high=interval.p95) if interval is not None else "–"
                ),
                "median": interval.median if interval is not None else None,
                "coverage": t.number(row.coverage * 100, 0) + "\u00a0%",
                "top": top,
                "reason": (
                    t(
                        "ranking.not_ranked",
                        coverage=t.number(row.coverage * 100, 0),
                        minimum=t.number(result.spec.min_coverage * 100, 0),
                    )
                    if row.reason
                    else None
                ),
                "renormalised": row.renormalised,
                "missing": [_indicator_name(ctx, key) for key in row.missing],
            }
        )
    indicators = []
    for summary in result.indicators:
        domain, entry = entries.get(summary.key, (None, None))
        indicators.append(
            {
                "key": summary.key,
                "name": _indicator_name(ctx, summary.key),
                "domain": domain.name.get(language) if domain is not None else (summary.domain or "–"),
                "weight": t.number(summary.weight, 1),
                "share": t.number(summary.weight_share * 100, 0) + "\u00a0%" if summary.available else "–",
                "direction": t("ranking.direction.up") if summary.direction == 1 else t("ranking.direction.down"),
                "reason": entry.reason.get(language) if entry is not None else "",
                "year": result.years.get(summary.key),
                "available": summary.available,
                "why_not": t("ranking.why_not", values=summary.n_values, total=summary.n_regions),
                "n_values": summary.n_values,
                "n_regions": summary.n_regions,
            }
        )
    ranked = result.ranked
    bars = [
        Bar(
            code=row.region,
            label=names.get(row.region, row.region),
            value=row.score,
            low=None,
            high=None,
            category=UNCATEGORISED,
            href=ctx.url(f"/region/{row.region}"),
        )
        for row in ranked
    ]
    title_region = result.label
    summary_text = _summary(ctx, result, names)
    chart = ranked_bars(
        "ranking-scores",
        bars,
        reference=0.0 if result.spec.normalisation == "zscore" else None,
        reference_label=t("ranking.chart.mean"),
        title=t("ranking.chart.title_partial" if result.partial else "ranking.chart.title", region=title_region),
        description=summary_text,
        format_value=lambda value: t.number(value, 2),
    )
    columns, table_rows = ranking_table(result)
    style = csv_style(ctx)
    meta = {**ranking_meta(result), "page": ctx.here(), "language": ctx.language}
    title = t("ranking.title", region=title_region)
    return Page(
        "ranking.html",
        title,
        {
            "rows": rows,
            "indicators": indicators,
            "chart": chart,
            "summary": summary_text,
            "notes": [_data_note(ctx, note) for note in result.data_notes],
            "shrinkage_note": _shrinkage_note(ctx, result),
            **_form_context(ctx, preset_id, presets, county, municipalities),
            "normalisation": result.spec.normalisation,
            "coverage": result.spec.min_coverage,
            "partial": result.partial,
            "nothing_to_rank": None,
            "missing_domains": _missing_domains(ctx, result, domain_names) if result.partial else [],
        },
        download=Download(
            f"boligmonitor-rangering-{county or 'utvalg'}" + ("-excel" if style == "excel_nb" else ""),
            title,
            columns,
            table_rows,
            meta,
            created=data.version.created_at if data.version else None,
            csv_style=style,
        ),
        breadcrumbs=[(t("nav.home"), ctx.url("/")), (title, None)],
    )


def _summary(ctx: PageContext, result: ModelResult, names: dict[str, str]) -> str:
    """The line over the chart: how many are ranked on how much of the model, and — only when enough of the
    model has data — who has the largest challenges, with the rank interval beside the rank."""
    t = ctx.t
    ranked = result.ranked
    shared = {
        "ranked": len(ranked),
        "total": len(result.rows),
        "weight": t.number(result.data_share * 100, 0),
        "minimum": t.number(result.spec.min_coverage * 100, 0),
    }
    if result.partial or not ranked:
        return t("ranking.summary_partial", **shared)
    first = ranked[0]
    interval = result.intervals.get(first.region)
    return t(
        "ranking.summary",
        **shared,
        first=names.get(first.region, first.region),
        rank=first.rank,
        interval=t("ranking.interval", low=interval.p05, high=interval.p95) if interval is not None else "–",
    )


def _missing_domains(ctx: PageContext, result: ModelResult, domain_names: dict[str, str]) -> list[dict[str, Any]]:
    """The model's domains with indicators that have no data here: name, whether the whole domain is missing,
    and the missing indicators' names."""
    whole = set(result.missing_domains)
    return [
        {
            "name": domain_names.get(domain or "", domain or ctx.t("ranking.domain.other")),
            "whole": domain in whole,
            "indicators": [_indicator_name(ctx, key) for key in keys],
        }
        for domain, keys in result.missing_by_domain.items()
    ]


def _check_region(ctx: PageContext, county: str, municipalities: list[str]) -> str | None:
    """Refuse a choice of region that cannot be ranked with a 400 in the page's language (the model's own
    messages are English, for the CLI). A county that is a single municipality (Oslo) is a choice the form
    offers, not an error: its name is returned, and the page says there is nothing to rank within it."""
    t = ctx.t
    current = {row.code for row in ctx.data.regions_of_level(RegionLevel.MUNICIPALITY) if row.valid_to is None}
    if municipalities:
        value = ",".join(municipalities)
        codes = [normalise_region_code(code) for code in municipalities if code.strip()]
        unknown = [code for code in codes if code not in current]
        if unknown:
            raise bad_request(
                "kommune", value, t("ranking.error.unknown_municipalities", codes=shown(", ".join(unknown)))
            )
        if len(codes) < MIN_VALUES_TO_NORMALISE:
            raise bad_request("kommune", value, t("ranking.error.too_few"))
        twice = sorted({code for code in codes if codes.count(code) > 1})
        if twice:
            raise bad_request("kommune", value, t("ranking.error.twice", codes=shown(", ".join(twice))))
        return None
    code = normalise_region_code(county)
    if code == NORWAY:
        raise bad_request("fylke", county, t("ranking.error.norway"))
    counties = {row.code: row.name for row in ctx.data.counties()}
    if code not in counties:
        raise bad_request("fylke", county, t("ranking.error.unknown_county"))
    members = [row for row in ctx.data.regions_of_level(RegionLevel.MUNICIPALITY) if row.parent_code == code]
    if len([row for row in members if row.valid_to is None]) < MIN_VALUES_TO_NORMALISE:
        return counties[code]
    return None


def _nothing_to_rank(ctx: PageContext, preset_id: str, presets: Any, county: str, name: str) -> Page:
    """The page for a county that is one municipality: the form, and why there is no ranking."""
    t = ctx.t
    title = t("ranking.title", region=f"{county} {name}")
    return Page(
        "ranking.html",
        title,
        {
            **_form_context(ctx, preset_id, presets, county, []),
            "nothing_to_rank": t("ranking.single_municipality", name=name),
        },
        breadcrumbs=[(t("nav.home"), ctx.url("/")), (title, None)],
    )


def _form_context(
    ctx: PageContext, preset_id: str, presets: Any, county: str, municipalities: list[str]
) -> dict[str, Any]:
    """What the form at the top of the page shows: the choices and the current settings."""
    return {
        "counties": sorted(ctx.data.counties(), key=lambda region: region.code),
        "county": county,
        "municipalities": municipalities,
        "presets": [(preset.id, preset.name.get(ctx.language)) for preset in presets],
        "preset_id": preset_id,
        "normalisations": NORMALISATIONS,
        "normalisation": _text(ctx, "normalisering") or "zscore",
        "shrinkage": _text(ctx, "krymping") or "ja",
        "weights": _text(ctx, "vekter"),
    }


def _data_note(ctx: PageContext, note: DataNote) -> str:
    """A missing-data note of the run in the page's language."""
    t = ctx.t
    name = _indicator_name(ctx, note.key)
    capped = t("ranking.note.capped", year=note.cap) if note.cap is not None else ""
    if note.kind == "no_values":
        return t("ranking.note.no_values", name=name, capped=capped)
    if note.kind == "too_few_values":
        return t("ranking.note.too_few_values", name=name, capped=capped)
    how = ", ".join(
        f"{count} {t('ranking.note.no_observation') if symbol == NO_OBSERVATION else symbol}"
        for symbol, count in note.symbols
    )
    return t("ranking.note.missing_values", name=name, year=note.year, missing=note.missing, total=note.total, how=how)


def _shrinkage_note(ctx: PageContext, result: ModelResult) -> str | None:
    """Which figures were pulled towards all municipalities, and how strongly; None when none were."""
    t = ctx.t
    shrunk = [
        t(
            "ranking.shrinkage.prior",
            name=_indicator_name(ctx, key),
            year=result.years.get(key, ""),
            people=t.number(prior.strength, 0),
        )
        for key, prior in result.priors.items()
        if math.isfinite(prior.strength)
    ]
    return t("ranking.shrinkage.note", indicators="; ".join(shrunk)) if shrunk else None


def _indicator_name(ctx: PageContext, key: str) -> str:
    try:
        indicator_id, years = parse_variable_key(key)
        name = ctx.data.catalog.indicator(indicator_id).short_name.get(ctx.language)
    except (ValueError, KeyError):
        return key
    return ctx.t("ranking.change", name=name, years=years) if years else name


def _text(ctx: PageContext, name: str) -> str:
    value = ctx.query.get(name)
    first = value[0] if isinstance(value, list) else value
    return (first or "").strip()


def _number(ctx: PageContext, name: str, low: float, high: float) -> float | None:
    text = _text(ctx, name)
    if not text:
        return None
    return parse_decimal(text, name, low, high, ctx.t("ranking.error.range", low=low, high=high))


def _year(ctx: PageContext) -> int | None:
    text = _text(ctx, "ar")
    if not text:
        return None
    return parse_year(text, "ar", ctx.t("error.expected.year", first=FIRST_YEAR, last=LAST_YEAR))


__all__ = ["ranking_page"]
