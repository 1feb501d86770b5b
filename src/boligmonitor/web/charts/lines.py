"""Time series: a line chart with gaps, intervals, series breaks and direct labels, and a tiny sparkline.

Missing years break the line (a value that is None, or a year of the axis the series has no point for):
nothing is ever drawn at zero for a missing value. Each series is told apart by its dash pattern, its colour
and a direct label at its end (with a sample of its stroke), so colour is never the only cue.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence

from markupsafe import Markup

from boligmonitor.web.charts.model import LinePoint, LineSeries, SeriesBreak
from boligmonitor.web.charts.svg import (
    LinearScale,
    finite,
    nice_ticks,
    num,
    spread_labels,
    svg_document,
    text,
    text_width,
    tooltip,
)

WIDTH = 640.0
HEIGHT = 300.0
LEFT = 52.0
TOP = 24.0
BOTTOM_MARGIN = 24.0
MAX_LABEL_WIDTH = 180.0
SERIES_COLOURS = 6  # bm-series-0 … bm-series-5 in charts.css
DASH_PATTERNS = 6  # bm-dash-0 (solid) … bm-dash-5
_DASH = re.compile(r"\d+(\.\d+)?([ ,]+\d+(\.\d+)?)*\Z")

SPARK_WIDTH = 120.0
SPARK_HEIGHT = 32.0
SPARK_PAD = 4.0


def value_domain(values: Sequence[float]) -> list[float]:
    """Y ticks for a line chart.

    A line does not encode its value by length (unlike a bar), so the axis need not start at zero. It does
    start at zero when the data are of one sign and their smallest magnitude is at most half the largest:
    then zero costs little room and keeps small changes from looking dramatic. Data far from zero (say 80–90)
    get an axis fitted to them, so that the trend is visible; the tick labels say where the axis starts.
    """
    low, high = min(values), max(values)
    if 0 <= low <= high * 0.5:
        low = 0.0
    elif low * 0.5 <= high <= 0:
        high = 0.0
    return nice_ticks(low, high)


def _year_step(span: int) -> int:
    if span <= 12:
        return 1
    if span <= 24:
        return 2
    return 5


def _runs(points: Sequence[LinePoint], years: Sequence[int]) -> Iterator[list[LinePoint]]:
    """Consecutive stretches with values; a None value or an axis year without a point ends a stretch."""
    by_year = {p.year: p for p in points}
    run: list[LinePoint] = []
    for year in years:
        point = by_year.get(year)
        if point is not None and finite(point.value):
            run.append(point)
        elif run:
            yield run
            run = []
    if run:
        yield run


def _interval_runs(points: Sequence[LinePoint], years: Sequence[int]) -> Iterator[list[LinePoint]]:
    """Stretches with a value and an interval: the band breaks wherever the line does."""
    by_year = {p.year: p for p in points}
    run: list[LinePoint] = []
    for year in years:
        point = by_year.get(year)
        if point is not None and finite(point.value) and finite(point.low) and finite(point.high):
            run.append(point)
            continue
        if run:
            yield run
            run = []
    if run:
        yield run


def _series_styles(series: Sequence[LineSeries]) -> list[tuple[str, str]]:
    """``(class, dash attribute)`` per series: emphasised series solid and in colour 0, the rest in turn."""
    any_emphasis = any(s.emphasis for s in series)
    ordinal = 1 if any_emphasis else 0
    styles: list[tuple[str, str]] = []
    for s in series:
        if s.emphasis:
            colour = dash = 0
        else:
            colour, dash = ordinal % SERIES_COLOURS, ordinal % DASH_PATTERNS
            ordinal += 1
        css = f"bm-line bm-series-{colour}" + (" bm-line-emph" if s.emphasis else "")
        if s.dash is not None:
            if not _DASH.match(s.dash.strip()):
                raise ValueError(f"dash must be an SVG dash array like '6 3', got {s.dash!r}")
            styles.append((css, f' stroke-dasharray="{s.dash.strip()}"'))
        else:
            styles.append((f"{css} bm-dash-{dash}", ""))
    return styles


def line_chart(
    chart_id: str,
    series: Sequence[LineSeries],
    *,
    breaks: Sequence[SeriesBreak],
    y_label: str,
    title: str,
    description: str,
    format_value: Callable[[float], str],
    years: Sequence[int] | None = None,
) -> Markup:
    """Lines over years; ``years`` fixes the axis (default: every year any series has a point for).

    The emphasised series is drawn on top, thicker, with its interval band when its points carry low/high.
    """
    axis_years = sorted(set(years) if years is not None else {p.year for s in series for p in s.points})
    values = [
        v for s in series for p in s.points for v in (p.value, *((p.low, p.high) if s.emphasis else ())) if finite(v)
    ]
    y_ticks = value_domain(values) if values else [0.0, 1.0]

    styles = _series_styles(series)
    label_width = min(max((text_width(s.label) for s in series), default=0.0), MAX_LABEL_WIDTH)
    plot_left, plot_right = LEFT, WIDTH - label_width - 30
    plot_top, plot_bottom = TOP, HEIGHT - BOTTOM_MARGIN
    first_year, last_year = (axis_years[0], axis_years[-1]) if axis_years else (0, 1)
    if first_year == last_year:
        scale_x = LinearScale((first_year - 0.5, last_year + 0.5), (plot_left, plot_right))
    else:
        scale_x = LinearScale((first_year, last_year), (plot_left + 6, plot_right - 6))
    scale_y = LinearScale((y_ticks[0], y_ticks[-1]), (plot_bottom, plot_top))

    parts: list[str] = ['<g class="bm-grid">']
    for tick in y_ticks:
        parts.append(f'<path d="M{num(plot_left)} {num(scale_y(tick))}H{num(plot_right)}"/>')
    parts.append("</g>")
    parts.append(f'<path class="bm-axis" d="M{num(plot_left)} {num(plot_top)}V{num(plot_bottom)}H{num(plot_right)}"/>')
    parts.append('<g class="bm-tick-labels">')
    for tick in y_ticks:
        parts.append(text(plot_left - 5, scale_y(tick) + 4, format_value(tick), anchor="end"))
    step = _year_step(last_year - first_year)
    for year in axis_years:
        if (year - first_year) % step == 0 or (year == last_year and step == 1):
            parts.append(text(scale_x(year), plot_bottom + 15, str(year), anchor="middle"))
    parts.append("</g>")
    parts.append(text(0, 12, y_label, "bm-axis-label"))

    break_row = 0
    previous_break_end = -1e9
    for series_break in sorted(breaks, key=lambda b: b.year):
        if not first_year <= series_break.year <= last_year:
            continue
        bx = scale_x(series_break.year)
        parts.append(f'<path class="bm-break" d="M{num(bx)} {num(plot_top)}V{num(plot_bottom)}"/>')
        break_row = break_row + 1 if bx < previous_break_end else 0
        label_y = plot_top + 10 + 12 * break_row
        parts.append(text(bx + 3, label_y, series_break.label, "bm-break-label bm-halo"))
        previous_break_end = bx + 3 + text_width(series_break.label)

    order = sorted(range(len(series)), key=lambda i: series[i].emphasis)
    for index in order:
        s = series[index]
        if not s.emphasis:
            continue
        for run in _interval_runs(s.points, axis_years):
            upper = [f"{num(scale_x(p.year))} {num(scale_y(p.high))}" for p in run if p.high is not None]
            lower = [f"{num(scale_x(p.year))} {num(scale_y(p.low))}" for p in reversed(run) if p.low is not None]
            if len(run) == 1:  # a single year's interval: a short vertical bar
                parts.append(f'<path class="bm-band-single" d="M{upper[0]}L{lower[0]}"/>')
            else:
                parts.append(f'<path class="bm-band" d="M{"L".join(upper + lower)}Z"/>')

    end_labels: list[tuple[float, int]] = []
    for index in order:
        s = series[index]
        css, dash_attr = styles[index]
        parts.append(f'<g class="bm-series">{tooltip(s.label)}')
        last_point: LinePoint | None = None
        for run in _runs(s.points, axis_years):
            if len(run) > 1:
                d = "M" + "L".join(
                    f"{num(scale_x(p.year))} {num(scale_y(p.value))}" for p in run if p.value is not None
                )
                parts.append(f'<path class="{css}" fill="none"{dash_attr} d="{d}"/>')
            last_point = run[-1]
        dot_class = css.split(" ")[1]
        radius = "3" if s.emphasis else "2.5"
        for p in s.points:
            if finite(p.value) and first_year <= p.year <= last_year:
                parts.append(
                    f'<circle class="bm-dot {dot_class}" cx="{num(scale_x(p.year))}" cy="{num(scale_y(p.value))}"'
                    f' r="{radius}">{tooltip(f"{s.label} {p.year}: {format_value(p.value)}")}</circle>'
                )
        parts.append("</g>")
        if last_point is not None and last_point.value is not None:
            end_labels.append((scale_y(last_point.value), index))

    if end_labels:
        spread = spread_labels([y for y, _ in end_labels], 13, plot_top, plot_bottom)
        for y, (_, index) in zip(spread, end_labels, strict=True):
            css, dash_attr = styles[index]
            sample = f"M{num(plot_right + 6)} {num(y)}H{num(plot_right + 22)}"
            parts.append(f'<path class="{css} bm-sample" fill="none"{dash_attr} d="{sample}"/>')
            label_class = "bm-label bm-strong" if series[index].emphasis else "bm-label"
            parts.append(text(plot_right + 26, y + 4, series[index].label, label_class))

    return svg_document(chart_id, "bm-chart-line", WIDTH, HEIGHT, title, description, "".join(parts))


def sparkline(chart_id: str, points: Sequence[LinePoint], *, title: str, description: str) -> Markup:
    """A 120 × 32 trend line without axes; the last value is marked; gaps are honoured.

    The y range is the data's own range (a sparkline shows shape, not magnitude; the page prints the
    numbers next to it).
    """
    ordered = sorted(points, key=lambda p: p.year)
    years = [p.year for p in ordered]
    values = [p.value for p in ordered if finite(p.value)]
    parts: list[str] = []
    if values:
        low, high = min(values), max(values)
        scale_x = LinearScale(
            (years[0], years[-1]) if years[0] != years[-1] else (years[0] - 1, years[0] + 1),
            (SPARK_PAD, SPARK_WIDTH - SPARK_PAD),
        )
        scale_y = LinearScale((low, high), (SPARK_HEIGHT - SPARK_PAD, SPARK_PAD))
        all_years = list(range(years[0], years[-1] + 1))
        last: LinePoint | None = None
        for run in _runs(ordered, all_years):
            xy = [(num(scale_x(p.year)), num(scale_y(p.value))) for p in run if p.value is not None]
            if len(xy) > 1:
                parts.append(f'<path class="bm-spark-line" fill="none" d="M{"L".join(f"{x} {y}" for x, y in xy)}"/>')
            else:  # an isolated year between gaps: a dot, since a one-point line is invisible
                parts.append(f'<circle class="bm-spark-dot" cx="{xy[0][0]}" cy="{xy[0][1]}" r="1.5"/>')
            last = run[-1]
        if last is not None and last.value is not None:
            cx, cy = num(scale_x(last.year)), num(scale_y(last.value))
            parts.append(f'<circle class="bm-spark-last" cx="{cx}" cy="{cy}" r="2.5"/>')
    return svg_document(chart_id, "bm-sparkline", SPARK_WIDTH, SPARK_HEIGHT, title, description, "".join(parts))
