"""Profile charts: well-formed SVG (parsed with xml.etree), escaped labels, gaps for missing
levels, and a heatmap scale whose text always contrasts enough."""
from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET

import pytest

from app.profile.charts import (
    MISSING_COLOURS, RDYLBU, Series, contrast_ratio, heat_colour, heat_legend, radar_svg, relative_luminance,
    sparkline_svg, wrap,
)

SVG = "{http://www.w3.org/2000/svg}"
AXES = [("policy.learning", "政策学习主动性"), ("comm.residents", "群众沟通技巧"), ("x.y", 'A<&>"B'),
        ("handling.emergency", "应急处置规范性"), ("info.analysis", "数据分析应用能力")]
NOW = {"policy.learning": 72, "comm.residents": 65, "x.y": 40, "handling.emergency": 80, "info.analysis": 55}


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    return root


def by_class(root: ET.Element, tag: str, css: str) -> list[ET.Element]:
    return [e for e in root.iter(f"{SVG}{tag}") if css in (e.get("class") or "").split()]


def test_radar_is_well_formed_scalable_and_escaped():
    svg = radar_svg(AXES, [Series("现在 <now>", NOW), Series("3个月前 & before", {k: 50 for k, _ in AXES}, dashed=True)],
                    title='能力雷达 <张三> & "李四"')
    root = parse(svg)
    assert re.fullmatch(r"0 0 400 \d+", root.get("viewBox"))
    assert root.get("width") is None and root.get("height") is None        # CSS scales it
    assert root.get("aria-label") == '能力雷达 <张三> & "李四"'
    assert root.find(f"{SVG}title").text == '能力雷达 <张三> & "李四"'
    labels = ["".join(e.itertext()) for e in by_class(root, "text", "axis-label")]
    assert len(labels) == 5
    assert any(label.startswith('A<&>"B') for label in labels)               # escaped, read back intact
    assert "<now>" not in svg and "&lt;now&gt;" in svg
    series = [e.get("data-series") for e in by_class(root, "g", "series")]
    assert series == ["3个月前 & before", "现在 <now>"]                       # "now" drawn last, on top
    assert len(by_class(root, "polygon", "outline")) == 2
    assert len(by_class(root, "polygon", "ring")) == 5
    assert len(by_class(root, "circle", "point")) == 10
    assert by_class(root, "circle", "missing") == []
    legend = ["".join(e.itertext()) for e in by_class(root, "g", "legend-item")]
    assert legend == ["现在 <now>", "3个月前 & before"]


def test_radar_points_sit_on_their_rings():
    root = parse(radar_svg(AXES, [Series("now", NOW)], "t"))
    top = [e for e in by_class(root, "circle", "point") if e.get("data-axis") == "policy.learning"][0]
    centre_x, centre_y = 200, 165
    assert float(top.get("cx")) == pytest.approx(centre_x)
    assert centre_y - float(top.get("cy")) == pytest.approx(110 * 0.72, abs=0.1)


def test_missing_levels_are_gaps_with_dashed_markers_not_zeros():
    levels = dict(NOW, **{"comm.residents": None, "info.analysis": None})
    root = parse(radar_svg(AXES, [Series("现在", levels), Series("之前", NOW, dashed=True)], "t",
                           missing_label="暂无足够数据"))
    now_group = [g for g in by_class(root, "g", "series") if g.get("data-series") == "现在"][0]
    assert [e for e in now_group.iter(f"{SVG}polygon") if "outline" in e.get("class")] == []
    edges = [e for e in now_group.iter(f"{SVG}line") if "outline" in e.get("class")]
    assert len(edges) == 1                    # axes 1 and 4 missing: only the edge 2–3 has both ends
    markers = by_class(root, "circle", "missing")
    assert sorted(m.get("data-axis") for m in markers) == ["comm.residents", "info.analysis"]
    assert all(m.get("stroke-dasharray") for m in markers)
    dashed_axes = [e.get("data-axis") for e in by_class(root, "line", "axis") if e.get("stroke-dasharray")]
    assert sorted(dashed_axes) == ["comm.residents", "info.analysis"]
    assert len(by_class(root, "text", "missing")) == 2
    legend = ["".join(e.itertext()) for e in by_class(root, "g", "legend-item")]
    assert legend[-1] == "暂无足够数据"
    before = [g for g in by_class(root, "g", "series") if g.get("data-series") == "之前"][0]
    assert len([e for e in before.iter(f"{SVG}polygon") if "outline" in e.get("class")]) == 1


def test_missing_edges_follow_neighbouring_axes():
    keys = [k for k, _ in AXES]
    levels = {k: 50 for k in keys}
    levels[keys[1]] = None
    root = parse(radar_svg(AXES, [Series("now", levels)], "t"))
    assert len(by_class(root, "line", "outline")) == 3      # 5 edges, the two touching axis 1 left out


def test_radar_with_nothing_measured_and_groups():
    groups = [("policy", "政策理解能力"), ("comm", "沟通协调能力"), ("handling", "问题处置能力")]
    root = parse(radar_svg(groups, [Series("现在", {})], "一级指标"))
    assert len(by_class(root, "circle", "missing")) == 3
    assert by_class(root, "polygon", "area") == [] and by_class(root, "line", "outline") == []


def test_radar_clamps_values_and_needs_three_axes():
    root = parse(radar_svg(AXES, [Series("now", dict(NOW, **{"policy.learning": 150}))], "t"))
    top = [e for e in by_class(root, "circle", "point") if e.get("data-axis") == "policy.learning"][0]
    assert float(top.get("cy")) == pytest.approx(165 - 110)
    with pytest.raises(ValueError):
        radar_svg(AXES[:2], [Series("now", NOW)], "t")


def test_ten_indicator_labels_fit_the_box():
    labels = ["政策学习主动性", "政策解读准确性", "群众沟通技巧", "部门协调效率", "问题发现敏锐度",
              "应急处置规范性", "信息采集准确性", "数据分析应用能力", "压力应对能力", "情绪管理能力"]
    axes = [(f"i{n}", label) for n, label in enumerate(labels)]
    root = parse(radar_svg(axes, [Series("now", {})], "t"))
    width = 400
    font = 12
    for text in by_class(root, "text", "axis-label"):
        anchor = text.get("text-anchor")
        for span in text.iter(f"{SVG}tspan"):
            x, size = float(span.get("x")), font * sum(1 if ord(c) > 0x2E7F else 0.55 for c in span.text)
            left = x - size if anchor == "end" else x - size / 2 if anchor == "middle" else x
            assert 0 <= left and left + size <= width, (span.text, left)
            assert float(span.get("y")) >= font


@pytest.mark.parametrize("label, expected", [
    ("政策学习主动性", ["政策学习", "主动性"]),
    ("数据分析应用能力", ["数据分析", "应用能力"]),
    ("群众沟通", ["群众沟通"]),
    ("一二三四五六七八九十十一十二", ["一二三四五", "六七八九…"]),
    ("沟通 skills", ["沟通", "skills"]),
    ("", [""]),
])
def test_wrap(label, expected):
    assert wrap(label) == expected


def test_sparkline_gaps_and_escaping():
    root = parse(sparkline_svg([10, 20, None, 30, 40, None], label="群众沟通 <技巧>"))
    assert root.get("viewBox") == "0 0 120 32" and root.get("width") == "120"
    assert root.get("aria-label") == "群众沟通 <技巧>: 10, 20, —, 30, 40, —"
    assert len(list(root.iter(f"{SVG}polyline"))) == 2
    last = by_class(root, "circle", "last")
    assert len(last) == 1
    assert float(last[0].get("cx")) == pytest.approx(3 + 4 * (120 - 6) / 5)
    assert float(last[0].get("cy")) == pytest.approx(3 + 0.6 * (32 - 6))


def test_sparkline_edge_cases():
    empty = parse(sparkline_svg([None] * 6, "x"))
    assert by_class(empty, "line", "empty") and not list(empty.iter(f"{SVG}polyline"))
    single = parse(sparkline_svg([55], "x"))
    assert not by_class(single, "line", "empty") and by_class(single, "circle", "last")
    isolated = parse(sparkline_svg([None, 50, None], "x"))
    assert len(list(isolated.iter(f"{SVG}circle"))) == 2      # the dot and the last-value marker
    assert parse(sparkline_svg([], "nothing")).get("aria-label") == "nothing"


def test_heat_colour_ends_and_middle():
    assert heat_colour(0) == ("#a50026", "#ffffff")
    assert heat_colour(50)[0] == "#ffffbf" and heat_colour(50)[1] == "#000000"
    assert heat_colour(100)[0] == "#313695"
    assert heat_colour(-20) == heat_colour(0) and heat_colour(150) == heat_colour(100)
    assert heat_colour(None) == MISSING_COLOURS
    assert heat_colour(5)[0] not in RDYLBU                   # interpolated between stops


def test_heat_text_contrast_is_at_least_aa_everywhere():
    for value in [v / 2 for v in range(0, 201)] + [None]:
        background, text = heat_colour(value)
        assert re.fullmatch(r"#[0-9a-f]{6}", background)
        assert contrast_ratio(background, text) >= 4.5, (value, background, text)


def test_heat_scale_gets_lighter_then_darker_and_legend():
    luminances = [relative_luminance(heat_colour(v)[0]) for v in range(0, 101, 10)]
    peak = luminances.index(max(luminances))
    assert 40 <= peak * 10 <= 60
    assert luminances[:peak + 1] == sorted(luminances[:peak + 1])
    assert luminances[peak:] == sorted(luminances[peak:], reverse=True)
    legend = heat_legend(6)
    assert [value for value, _bg, _fg in legend] == [0, 20, 40, 60, 80, 100]
    with pytest.raises(ValueError):
        heat_legend(1)


def test_contrast_ratio_reference_values():
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21)
    assert contrast_ratio("#ffffff", "#ffffff") == pytest.approx(1)
    assert math.isclose(relative_luminance("#808080"), 0.2158605, rel_tol=1e-4)


def test_trend_has_axes_and_month_labels_and_needs_two_points():
    from app.profile.charts import trend_svg

    assert trend_svg([("6月", None), ("7月", 40.0)], "沟通") is None  # one point is not a trend
    svg = trend_svg([("6月", 30.0), ("7月", None), ("8月", 55.0), ("9月", 60.0)], "与居民沟通")
    ticks = re.findall(r'<text class="tick"[^>]*>([^<]+)</text>', svg)
    assert ticks[:3] == ["0", "50", "100"] and ticks[3:] == ["6月", "7月", "8月", "9月"]
    assert svg.count("<polyline") == 1  # 6月 stands alone before the gap; 8月-9月 joined
    assert 'class="axis"' in svg and "与居民沟通" in svg
