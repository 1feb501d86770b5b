"""The SVG charts: well-formed, accessible, CSP-safe, honest about missing values; the real map's size.

Chart inputs here are synthetic (made-up values for edge cases); the map test projects the real 2024
municipality boundaries from ../shared/data.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from markupsafe import Markup

from boligmonitor.analysis.benchmark_comparison import Comparison
from boligmonitor.web.charts import (
    COMPARISON_CATEGORIES,
    MAP_HEIGHT,
    MAP_WIDTH,
    Bar,
    FunnelCurve,
    FunnelPoint,
    LinePoint,
    LineSeries,
    MapClass,
    MapRegion,
    SeriesBreak,
    SpineLabels,
    SpineRow,
    choropleth,
    class_breaks,
    class_index,
    comparison_legend_items,
    comparison_marker,
    funnel_plot,
    line_chart,
    project_geojson,
    project_regions,
    ranked_bars,
    sparkline,
    spine_chart,
)
from boligmonitor.web.charts.lines import value_domain
from boligmonitor.web.charts.projection import path_bounds
from boligmonitor.web.charts.spine import spine_position
from boligmonitor.web.charts.svg import log_ticks, nice_ticks

NS = "{http://www.w3.org/2000/svg}"
NBSP = "\u00a0"
SCRIPT = "<script>alert('x')</script> & co"


def fmt(value: float) -> str:
    """Norwegian-style number with one decimal (the real one lives in the web layer's i18n)."""
    return f"{value:.1f}".replace(".", ",")


def parse(svg: Markup) -> ET.Element:
    return ET.fromstring(str(svg))


def by_class(root: ET.Element, css_class: str) -> list[ET.Element]:
    return [el for el in root.iter() if css_class in (el.get("class") or "").split()]


def texts(root: ET.Element) -> list[str]:
    return [el.text or "" for el in root.iter(f"{NS}text")]


# --- synthetic chart inputs -------------------------------------------------------------------------------


def synthetic_bars() -> list[Bar]:
    return [
        Bar("0301", "Oslo", 12.0, 11.0, 13.5, "worse", highlighted=True, href="/kommune/0301"),
        Bar("4601", "Bergen", 9.0, 8.0, 10.0, "similar", href="/kommune/4601"),
        Bar("1144", "Kvitsøy", None, None, None, "no_value"),
        Bar("5001", "Trondheim", 4.0, None, None, "better"),
        Bar("9999", SCRIPT, 2.0, 1.0, 3.0, "not_compared"),
    ]


def synthetic_bar_chart(chart_id: str = "bars") -> Markup:
    return ranked_bars(
        chart_id,
        synthetic_bars(),
        reference=8.5,
        reference_label="Norge",
        title=f"Andel {SCRIPT}",
        description="Kommuner sortert etter andel",
        format_value=fmt,
    )


def synthetic_funnel(chart_id: str = "funnel", points: list[FunnelPoint] | None = None) -> Markup:
    denominators = [200.0, 1_000.0, 10_000.0, 100_000.0, 700_000.0]
    curves = [
        FunnelCurve(0.95, denominators, [5.0, 8.0, 9.4, 9.8, 9.9], [15.0, 12.0, 10.6, 10.2, 10.1], "95 %"),
        FunnelCurve(0.998, denominators, [2.0, 6.0, 9.0, 9.7, 9.85], [18.0, 14.0, 11.0, 10.3, 10.15], "99,8 %"),
    ]
    if points is None:
        points = [
            FunnelPoint("1144", "Kvitsøy", 14.0, 200.0, "similar"),
            FunnelPoint("0301", "Oslo", 10.4, 700_000.0, "higher", highlighted=True),
            FunnelPoint("4601", "Bergen", 9.5, 290_000.0, "lower"),
            FunnelPoint("5001", SCRIPT, 10.0, 210_000.0, "similar"),
        ]
    return funnel_plot(
        chart_id,
        points,
        curves,
        target=10.0,
        target_label="Norge",
        x_label="Innbyggere",
        y_label="Prosent",
        title="Trakt",
        description="Andel mot folketall",
        format_value=fmt,
    )


def synthetic_series() -> list[LineSeries]:
    return [
        LineSeries(
            "kommune",
            "Oslo",
            [
                LinePoint(2015, 5.0, 4.0, 6.0),
                LinePoint(2016, 6.0, 5.0, 7.0),
                LinePoint(2017, None),
                LinePoint(2018, 7.0, 6.0, 8.0),
                LinePoint(2019, 8.0, 7.0, 9.0),
            ],
            emphasis=True,
        ),
        LineSeries("fylke", "Oslo fylke", [LinePoint(year, 6.5) for year in range(2015, 2020)]),
        LineSeries("land", SCRIPT, [LinePoint(2015, 7.0), LinePoint(2019, 7.5)], dash="4 2"),
    ]


def synthetic_line_chart(chart_id: str = "lines") -> Markup:
    return line_chart(
        chart_id,
        synthetic_series(),
        breaks=[SeriesBreak(2016.5, "Ny definisjon"), SeriesBreak(2030, "utenfor")],
        y_label="Prosent",
        title="Utvikling",
        description="Andel 2015–2019",
        format_value=fmt,
    )


def synthetic_sparkline(chart_id: str = "spark") -> Markup:
    points = [LinePoint(2015, 3.0), LinePoint(2016, 4.0), LinePoint(2017, None), LinePoint(2018, 2.0)]
    points += [LinePoint(2019, 5.0), LinePoint(2020, None)]
    return sparkline(chart_id, points, title="Trend", description="Andel 2015–2020")


SPINE_LABELS = SpineLabels("Dårligst", "Best", "Lav", "Høy", "Landet", "Ingen verdi")


def synthetic_spine_rows() -> list[SpineRow]:
    return [
        SpineRow("a", "Lavinntekt", 14.0, 10.0, 4.0, 8.0, 12.0, 20.0, "worse", False, href="/indikator/a"),
        SpineRow("b", "Eierandel", 80.0, 76.0, 50.0, 70.0, 82.0, 90.0, "better", True),
        SpineRow("c", "Trangbodd", None, 7.0, 1.0, 5.0, 9.0, 15.0, "no_value", False),
        SpineRow("d", SCRIPT, 3.0, 5.0, 1.0, 4.0, 6.0, 9.0, "lower", None),
    ]


def synthetic_spine(chart_id: str = "spine") -> Markup:
    rows = synthetic_spine_rows()
    return spine_chart(chart_id, rows, title="Barometer", description="Oslo mot landet", labels=SPINE_LABELS)


def synthetic_map(chart_id: str = "map") -> Markup:
    square = "M10 10l20 0 0 20-20 0z"
    regions = [
        MapRegion("0001", "Nord", square, 0),
        MapRegion("0002", "Sør", "M40 10l20 0 0 20-20 0z", 2, highlighted=True, href="/kommune/0002"),
        MapRegion("0003", SCRIPT, "M70 10l20 0 0 20-20 0z", None),
        MapRegion("0004", "Vest", "M100 10l20 0 0 20-20 0z", 1),
    ]
    classes = [MapClass("0–10"), MapClass("10–20"), MapClass("20–30")]
    return choropleth(chart_id, regions, classes=classes, title="Kart", description="Andel", no_data_label="Ingen data")


CHARTS: dict[str, Callable[[str], Markup]] = {
    "bars": synthetic_bar_chart,
    "funnel": synthetic_funnel,
    "lines": synthetic_line_chart,
    "spark": synthetic_sparkline,
    "spine": synthetic_spine,
    "map": synthetic_map,
}


# --- every chart ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", sorted(CHARTS))
def test_chart_is_accessible_well_formed_svg(kind: str) -> None:
    chart_id = f"c-{kind}"
    svg = CHARTS[kind](chart_id)
    assert isinstance(svg, Markup)
    root = parse(svg)
    assert root.tag == f"{NS}svg"
    assert root.get("role") in {"img", "group"}
    assert root.get("focusable") == "false"
    # The natural width (the viewBox's, rounded up to 10 px) is a class: pages draw charts at it on screen, so
    # text is FONT_SIZE px (issue 12); no width attribute, which would size the fact sheet's PDF too.
    assert root.get("width") is None and root.get("height") is None
    assert re.fullmatch(r"0 0 [\d.]+ [\d.]+", root.get("viewBox") or "")
    width = float((root.get("viewBox") or "").split()[2])
    natural = re.search(r"\bbm-w-(\d+)\b", root.get("class") or "")
    assert natural is not None and width <= int(natural.group(1)) < width + 10
    assert root.get("preserveAspectRatio") == "xMinYMin meet"
    title_id, desc_id = (root.get("aria-labelledby") or "").split()
    title, desc = root[0], root[1]
    assert (title.tag, title.get("id")) == (f"{NS}title", title_id) == (f"{NS}title", f"{chart_id}-title")
    assert (desc.tag, desc.get("id")) == (f"{NS}desc", desc_id) == (f"{NS}desc", f"{chart_id}-desc")
    assert title.text and desc.text
    ids = [el.get("id") for el in root.iter() if el.get("id")]
    assert len(ids) == len(set(ids)) and all(i is not None and i.startswith(f"{chart_id}-") for i in ids)


@pytest.mark.parametrize("kind", sorted(CHARTS))
def test_chart_has_no_inline_style_or_script(kind: str) -> None:
    svg = CHARTS[kind]("x")
    root = parse(svg)
    assert "style=" not in str(svg)
    assert all("style" not in el.attrib for el in root.iter())
    assert not any(el.tag.endswith("script") or el.tag.endswith("foreignObject") for el in root.iter())


@pytest.mark.parametrize("kind", ["bars", "funnel", "lines", "spine", "map"])
def test_chart_escapes_texts(kind: str) -> None:
    svg = CHARTS[kind]("x")
    assert "<script>" not in str(svg)
    root = parse(svg)
    shown = texts(root) + [el.text or "" for el in root.iter(f"{NS}title")]
    assert any(SCRIPT in t for t in shown)


def test_charts_links_make_the_chart_a_group() -> None:
    """Links inside role=img would be hidden from assistive technology (axe nested-interactive)."""
    linked = parse(synthetic_bar_chart())
    assert linked.get("role") == "group"
    assert [a.get("href") for a in linked.iter(f"{NS}a")] == ["/kommune/0301", "/kommune/4601"]
    plain = parse(synthetic_sparkline())
    assert plain.get("role") == "img" and not list(plain.iter(f"{NS}a"))


def test_bad_chart_ids_and_links_are_refused() -> None:
    with pytest.raises(ValueError, match="chart_id"):
        synthetic_bar_chart("1 bad id")
    bar = Bar("0301", "Oslo", 1.0, None, None, "better", href="javascript:alert(1)")
    with pytest.raises(ValueError, match="links"):
        ranked_bars("b", [bar], reference=None, reference_label="", title="t", description="d", format_value=fmt)


# --- markers ----------------------------------------------------------------------------------------------


def test_comparison_categories_match_the_analysis_enum() -> None:
    assert {c.value for c in Comparison} | {"no_value"} == set(COMPARISON_CATEGORIES)


def test_markers_differ_in_shape_per_category() -> None:
    shapes = set()
    for category in COMPARISON_CATEGORIES:
        element = ET.fromstring(comparison_marker(category, 50, 50, 10))
        assert f"bm-cmp-{category}" in (element.get("class") or "")
        geometry = {k: v for k, v in element.attrib.items() if k != "class"}
        shapes.add((element.tag, tuple(sorted(geometry.items()))))
    assert len(shapes) == len(COMPARISON_CATEGORIES)
    with pytest.raises(ValueError, match="unknown comparison category"):
        comparison_marker("excellent", 0, 0, 5)


def test_legend_items_are_decorative_icons_in_category_order() -> None:
    items = comparison_legend_items()
    assert [category for category, _ in items] == list(COMPARISON_CATEGORIES)
    for category, icon in items:
        root = parse(icon)
        assert root.get("aria-hidden") == "true" and root.get("focusable") == "false"
        assert by_class(root, f"bm-cmp-{category}")


def test_charts_use_the_shared_marker_shapes() -> None:
    root = parse(synthetic_bar_chart())
    markers = by_class(root, "bm-marker")
    assert [m.get("class") for m in markers] == [
        f"bm-marker bm-cmp-{c}" for c in ("worse", "similar", "no_value", "better", "not_compared")
    ]


# --- ranked bars ------------------------------------------------------------------------------------------


def test_bars_missing_value_is_a_labelled_gap_not_a_zero_bar() -> None:
    root = parse(synthetic_bar_chart())
    rows = by_class(root, "bm-row")
    assert len(rows) == 5
    kvitsoy = rows[2]
    assert not by_class(kvitsoy, "bm-bar")
    assert [t.text for t in kvitsoy.iter(f"{NS}text")] == ["Kvitsøy", "–", "–"]
    bars = by_class(root, "bm-bar")
    assert len(bars) == 4
    assert all(float(b.get("width") or 0) > 0 for b in bars)


def test_bars_lengths_whiskers_reference_and_highlight() -> None:
    root = parse(synthetic_bar_chart())
    widths = [float(b.get("width") or 0) for b in by_class(root, "bm-bar")]
    assert widths[0] / widths[3] == pytest.approx(12.0 / 2.0, rel=0.02)  # bars start at zero
    assert len(by_class(root, "bm-whisker")) == 3  # Trondheim has no interval
    assert "Norge: 8,5" in texts(root)
    assert len(by_class(root, "bm-reference")) == 1
    oslo = by_class(root, "bm-row")[0]
    assert "bm-row-hl" in (oslo.get("class") or "")
    label = next(oslo.iter(f"{NS}text"))
    assert label.text == "Oslo" and "bm-strong" in (label.get("class") or "")
    assert by_class(oslo, "bm-bar-hl")


def test_bars_with_negative_values_grow_from_zero() -> None:
    bars = [Bar("a", "A", -4.0, None, None, "lower"), Bar("b", "B", 6.0, None, None, "higher")]
    svg = ranked_bars("neg", bars, reference=0.0, reference_label="0", title="t", description="d", format_value=fmt)
    negative, positive = by_class(parse(svg), "bm-bar")
    assert float(negative.get("x") or 0) + float(negative.get("width") or 0) == pytest.approx(
        float(positive.get("x") or 0), abs=0.1
    )


def test_bars_for_all_municipalities_stay_compact() -> None:
    bars = [Bar(f"{i:04d}", f"Kommune {i}", float(i % 50), None, None, "similar") for i in range(357)]
    svg = ranked_bars(
        "many", bars, reference=25.0, reference_label="Norge", title="t", description="d", format_value=fmt
    )
    height = float((parse(svg).get("viewBox") or "").split()[3])
    assert height < 357 * 14 + 80


# --- funnel -----------------------------------------------------------------------------------------------


def test_funnel_log_axis_has_power_of_ten_ticks() -> None:
    root = parse(synthetic_funnel())
    tick_texts = [t.text for t in by_class(root, "bm-tick-labels")[0].iter(f"{NS}text")]
    assert [t for t in tick_texts if t and NBSP in t] == [f"1{NBSP}000", f"10{NBSP}000", f"100{NBSP}000"]
    assert log_ticks(200, 700_000) == [1_000.0, 10_000.0, 100_000.0]
    assert log_ticks(150, 900) == [200.0, 500.0]


def test_funnel_points_limits_and_highlight() -> None:
    root = parse(synthetic_funnel())
    assert len(by_class(root, "bm-marker")) == 4
    limits = by_class(root, "bm-funnel-limit")
    assert len(limits) == 4
    assert [("bm-funnel-outer" in (el.get("class") or "")) for el in limits] == [False, False, True, True]
    highlighted = by_class(root, "bm-point-hl")
    assert len(highlighted) == 1 and "Oslo" in [t.text for t in highlighted[0].iter(f"{NS}text")]
    assert {"95 %", "99,8 %", "Norge: 10,0"} <= set(texts(root))
    clip = root.find(f"{NS}defs/{NS}clipPath")
    assert clip is not None and clip.get("id") == "funnel-clip"


def test_funnel_leaves_out_points_that_cannot_sit_on_a_log_axis() -> None:
    points = [FunnelPoint("a", "A", 10.0, 1000.0, "similar"), FunnelPoint("b", "B", 10.0, 0.0, "similar")]
    assert len(by_class(parse(synthetic_funnel(points=points)), "bm-marker")) == 1


# --- lines and sparklines ---------------------------------------------------------------------------------


def path_points(d: str) -> list[tuple[float, float]]:
    """Absolute vertices of an M/L path (the line charts write absolute coordinates)."""
    numbers = [float(n) for n in re.findall(r"-?\d*\.?\d+", d)]
    return list(zip(numbers[::2], numbers[1::2], strict=True))


def test_line_gaps_break_the_line_instead_of_dropping_to_zero() -> None:
    root = parse(synthetic_line_chart())
    oslo = by_class(root, "bm-series")[-1]  # the emphasised series is drawn last
    lines = [el for el in by_class(oslo, "bm-line") if "bm-sample" not in (el.get("class") or "")]
    assert [len(path_points(el.get("d") or "")) for el in lines] == [2, 2]
    assert len(by_class(oslo, "bm-dot")) == 4
    ys = [y for el in lines for _, y in path_points(el.get("d") or "")]
    axis = by_class(root, "bm-axis")[0]
    bottom = path_points(axis.get("d") or "")[1][1]
    assert all(y < bottom for y in ys)
    bands = by_class(root, "bm-band")
    assert len(bands) == 2  # the interval band breaks with the line


def test_line_series_without_a_point_for_a_year_is_broken_too() -> None:
    root = parse(synthetic_line_chart())
    land = by_class(root, "bm-series")[1]
    assert not [el for el in by_class(land, "bm-line") if len(path_points(el.get("d") or "")) > 1]
    assert len(by_class(land, "bm-dot")) == 2


def test_line_series_are_told_apart_without_colour() -> None:
    root = parse(synthetic_line_chart())
    samples = by_class(root, "bm-sample")
    dashes = {
        (next((c for c in (s.get("class") or "").split() if c.startswith("bm-dash-")), None), s.get("stroke-dasharray"))
        for s in samples
    }
    assert len(dashes) == 3
    assert {"Oslo", "Oslo fylke", SCRIPT} <= set(texts(root))
    assert len(by_class(root, "bm-break")) == 1 and "Ny definisjon" in texts(root)


def test_line_y_axis_starts_at_zero_only_near_zero() -> None:
    assert value_domain([2.0, 10.0])[0] == 0
    assert value_domain([80.0, 90.0])[0] == 80
    assert value_domain([-10.0, -2.0])[-1] == 0
    assert nice_ticks(0.1, 0.3) == [0.1, 0.15, 0.2, 0.25, 0.3]


def test_line_chart_refuses_a_dash_that_is_not_a_dash_array() -> None:
    series = [LineSeries("a", "A", [LinePoint(2020, 1.0)], dash='1" onload="x')]
    with pytest.raises(ValueError, match="dash"):
        line_chart("l", series, breaks=[], y_label="", title="t", description="d", format_value=fmt)


def test_sparkline_honours_gaps_and_marks_the_last_value() -> None:
    root = parse(synthetic_sparkline())
    assert root.get("viewBox") == "0 0 120 32"
    lines = [path_points(el.get("d") or "") for el in by_class(root, "bm-spark-line")]
    assert [len(line) for line in lines] == [2, 2]  # 2015–2016 and 2018–2019: nothing drawn across 2017
    assert lines[0][1][0] < lines[1][0][0]
    last = by_class(root, "bm-spark-last")
    assert len(last) == 1
    assert float(last[0].get("cy") or 0) == pytest.approx(4.0)  # 5.0 is the maximum: top of the box
    assert float(last[0].get("cx") or 0) < 116  # 2019, not the missing 2020


def test_sparkline_without_values_is_empty_but_valid() -> None:
    root = parse(sparkline("empty", [LinePoint(2020, None)], title="t", description="d"))
    assert not by_class(root, "bm-spark-last")


# --- spine ------------------------------------------------------------------------------------------------


def test_spine_positions_put_national_at_centre_and_worst_at_left() -> None:
    low_is_good, high_is_good, neutral = (synthetic_spine_rows()[i] for i in (0, 1, 3))
    for row in (low_is_good, high_is_good, neutral):
        assert spine_position(row, row.national) == 0.5
    assert spine_position(low_is_good, low_is_good.maximum) == 0.0  # the highest rate is the worst
    assert spine_position(low_is_good, low_is_good.minimum) == 1.0
    assert spine_position(high_is_good, high_is_good.minimum) == 0.0
    assert spine_position(neutral, neutral.minimum) == 0.0
    assert spine_position(low_is_good, 15.0) == pytest.approx(0.5 - 0.5 * 5 / 10)  # each half scaled alone
    assert spine_position(low_is_good, 7.0) == pytest.approx(0.5 + 0.5 * 3 / 6)


def test_spine_rows_markers_and_missing_value() -> None:
    root = parse(synthetic_spine())
    assert root.get("role") == "group"  # the first row links to its indicator
    markers = by_class(root, "bm-marker")
    assert [m.get("class") for m in markers] == [
        "bm-marker bm-cmp-worse",
        "bm-marker bm-cmp-better",
        "bm-marker bm-cmp-lower",
    ]
    rows = by_class(root, "bm-row")
    assert "Ingen verdi" in [t.text for t in rows[2].iter(f"{NS}text")]
    assert {"Dårligst", "Best", "Landet"} <= set(texts(root))
    assert [t.text for t in rows[3].iter(f"{NS}text")][1:] == ["Lav", "Høy"]  # the neutral row says low/high
    assert len(by_class(root, "bm-spine-range")) == len(by_class(root, "bm-spine-iqr")) == 4


# --- choropleth and classes -------------------------------------------------------------------------------


def test_choropleth_classes_no_data_legend_and_highlight() -> None:
    root = parse(synthetic_map())
    # The synthetic regions are a strip of the frame: the map is zoomed to them, the legend below (issue 12).
    assert (root.get("viewBox") or "").startswith(f"0 0 {MAP_WIDTH} ")
    assert by_class(root, "bm-map-regions")[0].get("transform", "").startswith("translate(")
    regions = by_class(root, "bm-map-region")
    assert [r.get("class") for r in regions] == [
        "bm-map-region bm-map-c0",
        "bm-map-region bm-map-nodata",
        "bm-map-region bm-map-c1",
        "bm-map-region bm-map-c2 bm-map-hl",  # highlighted: drawn last, on top
    ]
    assert regions[1].get("fill") == "url(#map-hatch)"
    titles = [r.find(f"{NS}title") for r in regions]
    assert [t.text for t in titles if t is not None] == [
        "Nord: 0–10",
        f"{SCRIPT}: Ingen data",
        "Vest: 10–20",
        "Sør: 20–30",
    ]
    legend = by_class(root, "bm-map-legend")[0]
    assert [t.text for t in legend.iter(f"{NS}text")] == ["0–10", "10–20", "20–30", "Ingen data"]
    assert root.find(f"{NS}defs/{NS}pattern[@id='map-hatch']") is not None


def test_a_map_of_the_whole_frame_is_not_zoomed_and_a_small_one_fills_the_width() -> None:
    classes = [MapClass("a")]
    whole = MapRegion("0001", "Alt", f"M2 2l{MAP_WIDTH - 4} 0 0 {MAP_HEIGHT - 4}-{MAP_WIDTH - 4} 0z", 0)
    root = parse(choropleth("w", [whole], classes=classes, title="t", description="d", no_data_label="-"))
    assert root.get("viewBox") == f"0 0 {MAP_WIDTH} {MAP_HEIGHT}"
    assert by_class(root, "bm-map-regions")[0].get("transform") is None
    small = MapRegion("0002", "Litt", "M100 100l20 0 0 10-20 0z", 0)  # 20 × 10 units: zoomed MAX_ZOOM times
    root = parse(choropleth("s", [small], classes=classes, title="t", description="d", no_data_label="-"))
    transform = by_class(root, "bm-map-regions")[0].get("transform") or ""
    assert transform.endswith("scale(12)")
    assert path_bounds(["M100 100l20 0 0 10-20 0z", "M1.5 2l-.5 3z"]) == (1.0, 2.0, 120.0, 110.0)
    assert path_bounds([""]) is None


def test_choropleth_refuses_a_class_it_has_no_colour_for() -> None:
    region = MapRegion("0001", "A", "M0 0l1 0 0 1z", 3)
    with pytest.raises(ValueError, match="class_index"):
        choropleth("m", [region], classes=[MapClass("a")], title="t", description="d", no_data_label="-")
    with pytest.raises(ValueError, match="1 to 5 classes"):
        choropleth("m", [], classes=[MapClass(str(i)) for i in range(6)], title="t", description="d", no_data_label="-")


def test_class_breaks_are_deduplicated_quantiles() -> None:
    assert class_breaks([float(v) for v in range(11)], 5) == [0.0, 2.0, 4.0, 6.0, 8.0, 10.0]
    assert class_breaks([0.0, 10.0], 4) == [0.0, 2.5, 5.0, 7.5, 10.0]
    assert class_breaks([1.0, 1.0, 1.0, 2.0, 3.0, None, float("nan")], 4) == [1.0, 2.0, 3.0]
    assert class_breaks([3.0, 3.0]) == [3.0]
    assert class_breaks([]) == []
    breaks = [0.0, 2.0, 4.0, 6.0, 8.0, 10.0]
    assert [class_index(v, breaks) for v in (0.0, 1.9, 2.0, 9.9, 10.0, 11.0, -1.0)] == [0, 0, 1, 4, 4, 4, 0]
    assert class_index(None, breaks) is None
    assert class_index(float("nan"), breaks) is None
    assert class_index(3.0, [3.0]) == 0
    assert class_index(3.0, []) is None


# --- projection of the real boundaries --------------------------------------------------------------------


def absolute_vertices(d: str) -> list[tuple[float, float]]:
    """Vertices of a projected path: M x y (absolute) then l dx dy … (relative), z."""
    vertices: list[tuple[float, float]] = []
    for ring in re.findall(r"M([^l]+)l([^z]*)z", d):
        start = [float(n) for n in re.findall(r"-?\d*\.?\d+", ring[0])]
        deltas = [float(n) for n in re.findall(r"-?\d*\.?\d+", ring[1])]
        x, y = start
        vertices.append((x, y))
        for dx, dy in zip(deltas[::2], deltas[1::2], strict=True):
            x, y = x + dx, y + dy
            vertices.append((x, y))
    return vertices


@pytest.fixture(scope="module")
def municipalities(shared_data: Path) -> dict[str, Any]:
    collection = json.loads((shared_data / "geo" / "kommuner_2024_robhop_S.geojson").read_text(encoding="utf-8"))
    return {f["properties"]["kommunenummer"]: f["geometry"] for f in collection["features"]}


def test_real_municipalities_project_to_a_small_complete_map(municipalities: dict[str, Any]) -> None:
    paths = project_regions(municipalities)
    assert len(paths) == 357 and list(paths) == list(municipalities)
    assert all(re.fullmatch(r"(M[-\d. ]+l[-\d. ]*z)+", d) for d in paths.values())
    total = sum(len(d) for d in paths.values())
    assert total < 150_000, f"{total} bytes of paths"
    vertices = [v for d in paths.values() for v in absolute_vertices(d)]
    xs, ys = [x for x, _ in vertices], [y for _, y in vertices]
    assert 0 <= min(xs) <= max(xs) <= MAP_WIDTH
    assert 0 <= min(ys) <= max(ys) <= MAP_HEIGHT
    assert max(xs) - min(xs) > 0.95 * MAP_WIDTH  # the frame is filled, west coast to Finnmark
    oslo_y = [y for _, y in absolute_vertices(paths["0301"])]
    tromso_y = [y for _, y in absolute_vertices(paths["5501"])]
    assert max(tromso_y) < min(oslo_y)  # north is up
    assert project_regions(municipalities) == paths  # deterministic


def test_counties_share_the_municipalities_frame(shared_data: Path, municipalities: dict[str, Any]) -> None:
    counties = json.loads((shared_data / "geo" / "fylker_2024_robhop_S.geojson").read_text(encoding="utf-8"))
    oslo_county = next(f for f in counties["features"] if f["properties"]["fylkesnummer"] == "03")
    county = absolute_vertices(project_geojson(oslo_county))  # a Feature works as well as a geometry
    municipality = absolute_vertices(project_geojson(municipalities["0301"]))
    for axis in (0, 1):
        assert min(v[axis] for v in county) == pytest.approx(min(v[axis] for v in municipality), abs=1.0)
        assert max(v[axis] for v in county) == pytest.approx(max(v[axis] for v in municipality), abs=1.0)


def test_tiny_geometries_never_vanish() -> None:
    speck = {"type": "Polygon", "coordinates": [[[10.0, 60.0], [10.0001, 60.0], [10.0001, 60.0001], [10.0, 60.0]]]}
    assert project_geojson(speck).startswith("M")
    with pytest.raises(ValueError, match="Polygon or MultiPolygon"):
        project_geojson({"type": "Point", "coordinates": [10.0, 60.0]})


def test_empty_inputs_give_valid_empty_charts() -> None:
    """A page for an indicator without data still renders (the table says why); nothing is invented."""
    charts = [
        ranked_bars("a", [], reference=None, reference_label="", title="t", description="d", format_value=fmt),
        funnel_plot(
            "b",
            [],
            [],
            target=1.0,
            target_label="N",
            x_label="x",
            y_label="y",
            title="t",
            description="d",
            format_value=fmt,
        ),
        line_chart("c", [], breaks=[], y_label="y", title="t", description="d", format_value=fmt),
        spine_chart("d", [], title="t", description="d", labels=SPINE_LABELS),
        choropleth("e", [], classes=[MapClass("a")], title="t", description="d", no_data_label="-"),
    ]
    for svg in charts:
        root = parse(svg)
        assert not by_class(root, "bm-marker") and not by_class(root, "bm-bar") and not by_class(root, "bm-line")


def test_uncategorised_bars_have_no_marker() -> None:
    from boligmonitor.web.charts import UNCATEGORISED, Bar, ranked_bars

    svg = ranked_bars(
        "scores",
        [Bar("1", "A", 1.0, None, None, UNCATEGORISED), Bar("2", "B", -0.5, None, None, UNCATEGORISED)],
        reference=0.0,
        reference_label="mean",
        title="Scores",
        description="SYNTHETIC scores",
        format_value=str,
    )
    assert "bm-marker" not in svg
    assert svg.count('class="bm-bar bm-cmp-none"') == 2
