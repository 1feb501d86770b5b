"""Funnel plot: each area's value against its denominator on a log axis, with control limits around the target.

The y axis spans the points and the target (not the limits, which widen without bound for tiny
denominators); limits are clipped to the plot area. Points with a non-positive denominator cannot sit on a log
axis and are left out — the table beside the chart still lists them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from markupsafe import Markup

from boligmonitor.web.charts.markers import check_category, comparison_marker
from boligmonitor.web.charts.model import FunnelCurve, FunnelPoint
from boligmonitor.web.charts.svg import (
    MAX_MAGNITUDE,
    MIN_MAGNITUDE,
    LinearScale,
    LogScale,
    finite,
    log_ticks,
    nice_ticks,
    num,
    spread_labels,
    svg_document,
    text,
    text_width,
    tooltip,
)

WIDTH = 640.0
HEIGHT = 420.0
LEFT = 56.0
TOP = 28.0
BOTTOM_MARGIN = 46.0
POINT_SIZE = 7.0
HIGHLIGHT_SIZE = 12.0


def format_count(value: float) -> str:
    """Default denominator format: whole number, thousands grouped with a no-break space ("10 000")."""
    return f"{round(value):,}".replace(",", "\u00a0")


def _curve_path(scale_x: LogScale, scale_y: LinearScale, denominators: Sequence[float], limits: Sequence[float]) -> str:
    pairs = sorted((d, v) for d, v in zip(denominators, limits, strict=True) if finite(d) and d > 0 and finite(v))
    if len(pairs) < 2:
        return ""
    return "M" + "L".join(f"{num(scale_x(d))} {num(scale_y(v))}" for d, v in pairs)


def funnel_plot(
    chart_id: str,
    points: Sequence[FunnelPoint],
    curves: Sequence[FunnelCurve],
    *,
    target: float,
    target_label: str,
    x_label: str,
    y_label: str,
    title: str,
    description: str,
    format_value: Callable[[float], str],
    format_denominator: Callable[[float], str] = format_count,
) -> Markup:
    """Points shaped by comparison category; the outermost limits solid, inner ones dashed; target line.

    The highlighted point is drawn larger, on top, with a ring and its label.
    """
    for point in points:
        check_category(point.category)
    plotted = [p for p in points if finite(p.value) and finite(p.denominator) and p.denominator > 0]

    # The target's and the limits' labels go in the right margin, beside the lines' ends, clear of the points.
    target_text = f"{target_label}: {format_value(target)}" if finite(target) else ""
    margin_texts = [c.label for c in curves if c.label] + [target_text]
    right_margin = max(text_width(label, bold=True) for label in margin_texts) + 10
    plot_left, plot_right = LEFT, WIDTH - max(right_margin, 16.0)
    plot_top, plot_bottom = TOP, HEIGHT - BOTTOM_MARGIN

    denominators = [p.denominator for p in plotted]
    for curve in curves:
        denominators.extend(d for d in curve.denominators if finite(d) and d > 0)
    low_d, high_d = (min(denominators), max(denominators)) if denominators else (1.0, 1000.0)
    if high_d <= low_d:
        low_d, high_d = low_d / 10, high_d * 10
    # Within the magnitudes a log axis can draw (a denormal denominator / 1.15 would be 0).
    x_domain = (max(low_d / 1.15, MIN_MAGNITUDE), min(high_d * 1.15, MAX_MAGNITUDE))
    scale_x = LogScale((min(x_domain), max(x_domain)), (plot_left, plot_right))

    values = [p.value for p in plotted] + ([target] if finite(target) else [])
    y_ticks = nice_ticks(min(values), max(values)) if values else [0.0, 1.0]
    scale_y = LinearScale((y_ticks[0], y_ticks[-1]), (plot_bottom, plot_top))

    parts: list[str] = [
        f'<defs><clipPath id="{chart_id}-clip"><rect x="{num(plot_left)}" y="{num(plot_top)}"'
        f' width="{num(plot_right - plot_left)}" height="{num(plot_bottom - plot_top)}"/></clipPath></defs>'
    ]
    parts.append('<g class="bm-grid">')
    for tick in y_ticks:
        parts.append(f'<path d="M{num(plot_left)} {num(scale_y(tick))}H{num(plot_right)}"/>')
    x_ticks = log_ticks(*scale_x.domain)
    for tick in x_ticks:
        parts.append(f'<path d="M{num(scale_x(tick))} {num(plot_top)}V{num(plot_bottom)}"/>')
    parts.append("</g>")
    parts.append(f'<path class="bm-axis" d="M{num(plot_left)} {num(plot_top)}V{num(plot_bottom)}H{num(plot_right)}"/>')
    parts.append('<g class="bm-tick-labels">')
    for tick in y_ticks:
        parts.append(text(plot_left - 5, scale_y(tick) + 4, format_value(tick), anchor="end"))
    for tick in x_ticks:
        parts.append(text(scale_x(tick), plot_bottom + 15, format_denominator(tick), anchor="middle"))
    parts.append("</g>")
    parts.append(text((plot_left + plot_right) / 2, HEIGHT - 8, x_label, "bm-axis-label", anchor="middle"))
    parts.append(text(0, 12, y_label, "bm-axis-label"))

    # Limits: the widest level solid, narrower ones dashed (the usual 95 % dashed / 99.8 % solid).
    outer_level = max((c.level for c in curves), default=0.0)
    label_positions: list[tuple[float, str, str]] = []
    parts.append(f'<g clip-path="url(#{chart_id}-clip)">')
    for curve in curves:
        curve_class = "bm-funnel-limit bm-funnel-outer" if curve.level == outer_level else "bm-funnel-limit"
        for limits in (curve.lows, curve.highs):
            path = _curve_path(scale_x, scale_y, curve.denominators, limits)
            if path:
                parts.append(f'<path class="{curve_class}" fill="none" d="{path}"/>')
        if curve.label:
            last = _last_limit(curve)
            if last is not None:
                label_positions.append((scale_y(last), curve.label, "bm-curve-label"))
    parts.append("</g>")
    if finite(target):
        ty = scale_y(target)
        parts.append(f'<path class="bm-target" d="M{num(plot_left)} {num(ty)}H{num(plot_right)}"/>')
        label_positions.append((ty, target_text, "bm-target-label"))
    if label_positions:
        spread = spread_labels([y for y, _, _ in label_positions], 12, plot_top + 4, plot_bottom)
        for y, (_, label, css_class) in zip(spread, label_positions, strict=True):
            parts.append(text(plot_right + 4, y + 4, label, css_class))

    ordered = sorted(plotted, key=lambda p: p.highlighted)
    parts.append('<g class="bm-points">')
    for point in ordered:
        px, py = scale_x(point.denominator), scale_y(point.value)
        hover = f"{point.label}: {format_value(point.value)} ({format_denominator(point.denominator)})"
        if point.highlighted:
            parts.append(f'<g class="bm-point-hl">{tooltip(hover)}')
            parts.append(
                f'<circle class="bm-ring" fill="none" cx="{num(px)}" cy="{num(py)}" r="{num(HIGHLIGHT_SIZE)}"/>'
            )
            parts.append(comparison_marker(point.category, px, py, HIGHLIGHT_SIZE))
            anchor = "end" if px > (plot_left + plot_right) / 2 else "start"
            offset = -HIGHLIGHT_SIZE - 4 if anchor == "end" else HIGHLIGHT_SIZE + 4
            parts.append(text(px + offset, py + 4, point.label, "bm-label bm-strong bm-halo", anchor=anchor))
            parts.append("</g>")
        else:
            parts.append(f"<g>{tooltip(hover)}{comparison_marker(point.category, px, py, POINT_SIZE)}</g>")
    parts.append("</g>")

    return svg_document(chart_id, "bm-chart-funnel", WIDTH, HEIGHT, title, description, "".join(parts))


def _last_limit(curve: FunnelCurve) -> float | None:
    """The upper limit at the largest denominator: where the curve's label goes."""
    pairs = [(d, v) for d, v in zip(curve.denominators, curve.highs, strict=True) if finite(d) and d > 0 and finite(v)]
    return max(pairs)[1] if pairs else None
