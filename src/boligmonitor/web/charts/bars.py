"""Ranked horizontal bars with interval whiskers and a reference line (up to all 357 municipalities).

Row layout, left to right: label (a link when the bar has ``href``) · comparison marker · bar with whisker ·
formatted value. Bars start at zero (length encodes the value), so the axis always includes zero; a missing
value is a gap with "–", never a zero-length bar.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from markupsafe import Markup

from boligmonitor.web.charts.markers import check_category, comparison_marker
from boligmonitor.web.charts.model import Bar
from boligmonitor.web.charts.svg import (
    EN_DASH,
    FONT_SIZE,
    LinearScale,
    finite,
    link,
    nice_ticks,
    num,
    svg_document,
    text,
    text_width,
    tooltip,
)

# Bars that are not compared with anything (e.g. a composite score): no marker, a neutral bar.
UNCATEGORISED = "none"
ROW_HEIGHT = 13.0
BAR_HEIGHT = 8.0
PLOT_WIDTH = 360.0
MAX_LABEL_WIDTH = 240.0
TOP = 36.0  # reference label (y 12) and axis tick labels (y 28) above the first row
BOTTOM = 20.0  # axis tick labels again below the last row: long charts are read from both ends


def _interval_text(bar: Bar, format_value: Callable[[float], str]) -> str:
    if finite(bar.low) and finite(bar.high):
        return f" ({format_value(bar.low)}{EN_DASH}{format_value(bar.high)})"
    return ""


def ranked_bars(
    chart_id: str,
    bars: Sequence[Bar],
    *,
    reference: float | None,
    reference_label: str,
    title: str,
    description: str,
    format_value: Callable[[float], str],
) -> Markup:
    """Horizontal bars in the given order, whiskers for ``low``–``high``, a vertical reference line.

    The highlighted bar gets a tinted row, a bold label and value, and an outlined bar.
    """
    for bar in bars:
        if bar.category != UNCATEGORISED:
            check_category(bar.category)
    values_text = [format_value(bar.value) if finite(bar.value) else EN_DASH for bar in bars]

    label_width = min(max((text_width(bar.label, bold=True) for bar in bars), default=40.0), MAX_LABEL_WIDTH)
    label_right = label_width + 4
    marker_x = label_right + 8
    plot_left = marker_x + 10
    plot_right = plot_left + PLOT_WIDTH
    value_left = plot_right + 6
    width = value_left + max((text_width(t, bold=True) for t in values_text), default=20.0) + 4
    rows_top = TOP
    rows_bottom = rows_top + ROW_HEIGHT * len(bars)
    height = rows_bottom + BOTTOM

    extent = [0.0]
    for bar in bars:
        extent.extend(v for v in (bar.value, bar.low, bar.high) if finite(v))
    if finite(reference):
        extent.append(reference)
    ticks = nice_ticks(min(extent), max(extent))
    x = LinearScale((ticks[0], ticks[-1]), (plot_left, plot_right))
    zero = x(0.0)

    parts: list[str] = ['<g class="bm-grid">']
    for tick in ticks:
        tx = num(x(tick))
        parts.append(f'<path d="M{tx} {num(rows_top - 4)}V{num(rows_bottom)}"/>')
    parts.append("</g>")
    parts.append(f'<path class="bm-axis" d="M{num(zero)} {num(rows_top - 4)}V{num(rows_bottom)}"/>')
    parts.append('<g class="bm-tick-labels">')
    labels = [format_value(tick) for tick in ticks]
    # Wide labels ("100 000 kr/m²") would run into each other: label every n-th grid line instead.
    widest = max(text_width(label) for label in labels)
    every = max(1, math.ceil((widest + 8) * len(ticks) / PLOT_WIDTH))
    for index, (tick, label) in enumerate(zip(ticks, labels, strict=True)):
        if index % every:
            continue
        parts.append(text(x(tick), rows_top - 8, label, anchor="middle"))
        parts.append(text(x(tick), rows_bottom + 13, label, anchor="middle"))
    parts.append("</g>")

    for index, (bar, value_text) in enumerate(zip(bars, values_text, strict=True)):
        top = rows_top + index * ROW_HEIGHT
        middle = top + ROW_HEIGHT / 2
        baseline = middle + FONT_SIZE * 0.35
        row_class = "bm-row bm-row-hl" if bar.highlighted else "bm-row"
        parts.append(f'<g class="{row_class}">')
        parts.append(tooltip(f"{bar.label}: {value_text}{_interval_text(bar, format_value)}"))
        if bar.highlighted:
            parts.append(
                f'<rect class="bm-row-band" x="0" y="{num(top)}" width="{num(width)}" height="{num(ROW_HEIGHT)}"/>'
            )
        label_class = "bm-label bm-strong" if bar.highlighted else "bm-label"
        parts.append(link(bar.href, text(label_right, baseline, bar.label, label_class, anchor="end")))
        if bar.category != UNCATEGORISED:
            parts.append(comparison_marker(bar.category, marker_x, middle, 7))
        if finite(bar.value):
            end = x(bar.value)
            left, right = min(zero, end), max(zero, end)
            bar_class = f"bm-bar bm-cmp-{bar.category}" + (" bm-bar-hl" if bar.highlighted else "")
            parts.append(
                f'<rect class="{bar_class}" x="{num(left)}" y="{num(middle - BAR_HEIGHT / 2)}"'
                f' width="{num(right - left)}" height="{num(BAR_HEIGHT)}"/>'
            )
        else:
            parts.append(text(zero + 3, baseline, EN_DASH, "bm-missing"))
        if finite(bar.low) and finite(bar.high):
            lo, hi = num(x(bar.low)), num(x(bar.high))
            cap_top, cap_bottom = num(middle - 2.5), num(middle + 2.5)
            caps = f"M{lo} {cap_top}V{cap_bottom}M{hi} {cap_top}V{cap_bottom}"
            parts.append(f'<path class="bm-whisker" d="M{lo} {num(middle)}H{hi}{caps}"/>')
        value_class = "bm-value bm-strong" if bar.highlighted else "bm-value"
        parts.append(text(value_left, baseline, value_text, value_class))
        parts.append("</g>")

    if finite(reference):
        rx = x(reference)
        parts.append(f'<path class="bm-reference" d="M{num(rx)} {num(rows_top - 4)}V{num(rows_bottom)}"/>')
        caption = f"{reference_label}: {format_value(reference)}"
        caption_width = text_width(caption, bold=True)
        anchor = "middle"
        if rx - caption_width / 2 < 0:
            anchor = "start"
        elif rx + caption_width / 2 > width:
            anchor = "end"
        parts.append(text(rx, 12, caption, "bm-reference-label", anchor=anchor))

    interactive = any(bar.href is not None for bar in bars)
    return svg_document(
        chart_id, "bm-chart-bars", width, height, title, description, "".join(parts), interactive=interactive
    )
