"""The barometer ("spine chart") of FHI's folkehelseprofil: one row per indicator.

Each row's bar spans the municipalities' range, its darker middle the 25th–75th percentiles; the centre line is
the national value; the marker, shaped by comparison category, is the municipality. Indicators with a known
polarity put the worst value at the left and the best at the right; neutral indicators put low at the left.
As in FHI's barometer each half is scaled separately, so that the national value is always at the centre:
positions compare a municipality with the spread on its side of the national value, not across rows.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from markupsafe import Markup

from boligmonitor.web.charts.markers import check_category, comparison_marker
from boligmonitor.web.charts.model import SpineLabels, SpineRow
from boligmonitor.web.charts.svg import (
    FONT_SIZE,
    finite,
    link,
    num,
    svg_document,
    text,
    text_width,
    tooltip,
)

ROW_HEIGHT = 22.0
BAR_HEIGHT = 10.0
PLOT_WIDTH = 320.0
MAX_LABEL_WIDTH = 260.0
TOP = 26.0
BOTTOM = 6.0
MARKER_SIZE = 10.0


def spine_position(row: SpineRow, value: float) -> float:
    """Where ``value`` sits on the row's bar: 0 (worst or lowest end), 0.5 (national), 1 (best or highest)."""
    sign = -1.0 if row.higher_is_better is False else 1.0
    left = min(sign * row.minimum, sign * row.maximum)
    right = max(sign * row.minimum, sign * row.maximum)
    centre, oriented = sign * row.national, sign * value
    if oriented <= centre:
        position = 0.5 - 0.5 * (centre - oriented) / (centre - left) if centre > left else 0.5
    else:
        position = 0.5 + 0.5 * (oriented - centre) / (right - centre) if right > centre else 0.5
    if math.isnan(position):  # ∞/∞ at extreme magnitudes: drawn at the national value, the table has it
        return 0.5
    return min(max(position, 0.0), 1.0)


def spine_chart(
    chart_id: str,
    rows: Sequence[SpineRow],
    *,
    title: str,
    description: str,
    labels: SpineLabels,
) -> Markup:
    """One row per indicator; the row label links to ``href`` when given; missing values say so in words."""
    for row in rows:
        check_category(row.category)
    polar = [row for row in rows if row.higher_is_better is not None]
    all_neutral = not polar
    left_header, right_header = (labels.low, labels.high) if all_neutral else (labels.worst, labels.best)
    end_words = [labels.low, labels.high] if len(polar) < len(rows) and not all_neutral else []

    label_width = min(max((text_width(row.label) for row in rows), default=40.0), MAX_LABEL_WIDTH)
    side_margin = max((text_width(word) for word in end_words), default=0.0) + 8
    plot_left = label_width + 8 + side_margin
    plot_right = plot_left + PLOT_WIDTH
    status_left = plot_right + side_margin
    width = status_left + text_width(labels.no_value) + 4
    centre = (plot_left + plot_right) / 2
    rows_bottom = TOP + ROW_HEIGHT * len(rows)
    height = rows_bottom + BOTTOM

    def x_of(row: SpineRow, value: float) -> float:
        return plot_left + spine_position(row, value) * PLOT_WIDTH

    parts: list[str] = [
        text(plot_left, 14, left_header, "bm-axis-label"),
        text(plot_right, 14, right_header, "bm-axis-label", anchor="end"),
        text(centre, 14, labels.national, "bm-axis-label", anchor="middle"),
    ]
    # Bars first, then the national line across them, then labels and markers on top.
    markers: list[str] = []
    for index, row in enumerate(rows):
        top = TOP + index * ROW_HEIGHT
        middle = top + ROW_HEIGHT / 2
        baseline = middle + FONT_SIZE * 0.35
        bar_top = num(middle - BAR_HEIGHT / 2)
        x_min, x_max = sorted((x_of(row, row.minimum), x_of(row, row.maximum)))
        x_q1, x_q3 = sorted((x_of(row, row.q1), x_of(row, row.q3)))
        parts.append(
            f'<rect class="bm-spine-range" x="{num(x_min)}" y="{bar_top}" width="{num(x_max - x_min)}"'
            f' height="{num(BAR_HEIGHT)}"/>'
            f'<rect class="bm-spine-iqr" x="{num(x_q1)}" y="{bar_top}" width="{num(x_q3 - x_q1)}"'
            f' height="{num(BAR_HEIGHT)}"/>'
        )
        markers.append(f'<g class="bm-row">{tooltip(row.label)}')
        markers.append(link(row.href, text(label_width, baseline, row.label, "bm-label", anchor="end")))
        if row.higher_is_better is None and end_words:
            markers.append(text(plot_left - 4, baseline, labels.low, "bm-end-word", anchor="end"))
            markers.append(text(plot_right + 4, baseline, labels.high, "bm-end-word"))
        if finite(row.value):
            markers.append(comparison_marker(row.category, x_of(row, row.value), middle, MARKER_SIZE))
        else:
            markers.append(text(status_left, baseline, labels.no_value, "bm-missing"))
        markers.append("</g>")
    parts.append(f'<path class="bm-national" d="M{num(centre)} {num(TOP - 6)}V{num(rows_bottom)}"/>')
    parts.extend(markers)

    interactive = any(row.href is not None for row in rows)
    return svg_document(
        chart_id, "bm-chart-spine", width, height, title, description, "".join(parts), interactive=interactive
    )
