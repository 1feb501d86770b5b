"""The indicator page's funnel plot: each municipality's share or rate against its denominator, with 95 % and
99.8 % control limits around the national value, and the municipalities outside the 99.8 % limits.

Where the municipalities differ more than chance makes them (overdispersion, as for most shares of whole
populations), the limits include the between-municipality variance (methods.md §5, additive random effects):
otherwise most large municipalities would lie outside and the plot would single out nobody in particular.

The limit curves span the denominators of all municipalities that year (not only the filtered ones), so the
funnel keeps its shape when the page is filtered; they are computed once per data version (Poisson limits for
rates take a tenth of a second).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup

from boligmonitor.analysis.funnel import FunnelKind, funnel_limits
from boligmonitor.analysis.indicator_tables import FUNNEL_LEVELS, IndicatorRow, outside_funnel
from boligmonitor.catalog.models import Indicator
from boligmonitor.web.charts import FunnelCurve, FunnelPoint, funnel_plot
from boligmonitor.web.context import Display, PageContext
from boligmonitor.web.present.formatting import count_text, value_text
from boligmonitor.web.views.indicator.cache import cached
from boligmonitor.web.views.indicator.display import count_formatter, value_formatter

CURVE_POINTS = 48
OUTER_LEVEL = max(FUNNEL_LEVELS)
INNER_LEVEL = min(FUNNEL_LEVELS)


@dataclass(frozen=True)
class Outlier:
    code: str
    name: str
    side: str  # "high" | "low"
    value: str
    denominator: str
    limits: str
    marked: bool


@dataclass(frozen=True)
class FunnelFigure:
    svg: Markup
    summary: str
    outliers: list[Outlier]


def funnel_kind(indicator: Indicator) -> FunnelKind:
    return "proportion" if indicator.multiplier == 100 else "rate"


def funnel_curves(
    ctx: PageContext, indicator: Indicator, year: int, target: float, all_rows: Sequence[IndicatorRow]
) -> tuple[FunnelCurve, ...]:
    """95 % and 99.8 % limits over log-spaced denominators spanning every municipality's that year."""
    denominators = [d for row in all_rows if (d := row.measure.denominator) is not None and d > 0]
    if not denominators or indicator.multiplier is None:
        return ()
    low, high = math.log10(min(denominators) / 1.2), math.log10(max(denominators) * 1.2)
    multiplier = float(indicator.multiplier)
    t = ctx.t
    spread = ctx.data.tables.funnel_spread(indicator.id, year)
    tau2 = spread.tau2 if spread is not None else 0.0  # the rows' limits include it too (analysis.indicator_tables)

    def compute() -> tuple[tuple[float, tuple[float, ...], tuple[float, ...], tuple[float, ...]], ...]:
        grid = [10 ** (low + (high - low) * k / (CURVE_POINTS - 1)) for k in range(CURVE_POINTS)]
        limits = funnel_limits(
            target, grid, FUNNEL_LEVELS, kind=funnel_kind(indicator), multiplier=multiplier, tau2=tau2
        )
        curves = []
        for level in FUNNEL_LEVELS:
            at_level = [limit for limit in limits if limit.level == level]
            curves.append(
                (
                    level,
                    tuple(limit.denominator for limit in at_level),
                    tuple(limit.low for limit in at_level),
                    tuple(limit.high for limit in at_level),
                )
            )
        return tuple(curves)

    raw = cached(ctx.data, ("funnel", indicator.id, year, target, low, high, tau2), compute)
    return tuple(
        FunnelCurve(
            level, denominators_, lows, highs, label=t("indicator.funnel.level", level=t.number(level * 100, 1))
        )
        for level, denominators_, lows, highs in raw
    )


def funnel_figure(
    ctx: PageContext,
    chart_id: str,
    indicator: Indicator,
    year: int,
    target: float,
    rows: Sequence[IndicatorRow],
    all_rows: Sequence[IndicatorRow],
    marker: str | None,
    names: dict[str, str],
) -> FunnelFigure:
    """The funnel of ``rows`` (the filtered municipalities) around ``target`` (Norway's value)."""
    t = ctx.t
    language = ctx.language
    points = [
        FunnelPoint(
            code=row.region.code,
            label=names[row.region.code],
            value=row.measure.value,
            denominator=row.measure.denominator,
            category=row.comparison.value,
            highlighted=row.region.code == marker,
        )
        for row in rows
        if row.measure.value is not None and row.measure.denominator is not None and row.measure.denominator > 0
    ]
    outer = dict(outside_funnel(rows, OUTER_LEVEL))
    inner = dict(outside_funnel(rows, INNER_LEVEL))
    above, below = _count(outer, "high"), _count(outer, "low")
    summary = t(
        "indicator.funnel.summary",
        n=len(points),
        above=above,
        below=below,
        level=t.number(OUTER_LEVEL * 100, 1),
        above_inner=_count(inner, "high"),
        below_inner=_count(inner, "low"),
        inner_level=t.number(INNER_LEVEL * 100, 0),
    )
    spread = ctx.data.tables.funnel_spread(indicator.id, year)
    if spread is not None and spread.tau2 > 0:
        summary += " " + t("indicator.funnel.overdispersion", phi=t.number(spread.phi, 1))
    denominator_text = (
        indicator.denominator_text.get(language) if indicator.denominator_text else t("about.denominator")
    )
    svg = funnel_plot(
        chart_id,
        points,
        funnel_curves(ctx, indicator, year, target, all_rows),
        target=target,
        target_label=t("region.norway"),
        x_label=t("indicator.funnel.x_label", denominator=denominator_text),
        y_label=t(f"unit.{indicator.unit}.label"),
        title=t("indicator.funnel.title", name=indicator.short_name.get(language), year=year),
        description=summary,
        format_value=value_formatter(ctx, indicator, Display.SHARE),
        format_denominator=count_formatter(ctx),
    )
    by_code = {row.region.code: row for row in rows}
    outliers = []
    for code, side in sorted(outer.items(), key=lambda item: (item[1], names[item[0]])):
        row = by_code[code]
        assert row.funnel is not None  # outside_funnel only reports rows with limits
        low, high = row.funnel[OUTER_LEVEL]
        outliers.append(
            Outlier(
                code=code,
                name=names[code],
                side=side,
                value=value_text(indicator, row.measure.value, t),
                denominator=count_text(row.measure.denominator, t),
                limits=t(
                    "value.interval", low=t.number(low, indicator.decimals), high=t.number(high, indicator.decimals)
                ),
                marked=code == marker,
            )
        )
    return FunnelFigure(svg, summary, outliers)


def _count(sides: dict[str, str], side: str) -> int:
    return sum(1 for value in sides.values() if value == side)


__all__ = ["FunnelFigure", "Outlier", "funnel_curves", "funnel_figure", "funnel_kind"]
