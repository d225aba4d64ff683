"""Profile charts as SVG, and the heatmap colour scale (pure: standard library only).

- ``radar_svg``: N axes (indicators or groups) with 0-100 rings and one or more polygons, e.g.
  "now" (solid, filled) and "3 months ago" (dashed). A missing level is not drawn as a zero: the
  outline breaks at that axis (a gap), the axis is dashed, and a small hollow dashed marker sits
  at the centre end of it; the legend says what the marker means.
- ``sparkline_svg``: a small 0-100 line over time; gaps where there was no level.
- ``heat_colour``: 0-100 → (background, text) on ColorBrewer's RdYlBu diverging scale (red low,
  blue high; safe for the common colour-vision deficiencies), with black or white text, whichever
  contrasts more (at least 4.5:1, WCAG AA, at every value).

The SVGs carry a ``viewBox`` so CSS scales them: the radar has no fixed size (give it ``width:
100%``; its 400-unit box keeps 12-unit labels legible down to 360 px wide), a sparkline has a
default size of its own that CSS may override. Every text is XML-escaped, and each
chart has a ``<title>`` and an ``aria-label`` for screen readers.
"""
from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from xml.sax.saxutils import escape

SERIES_COLOURS = ("#2b6cb0", "#718096", "#b7791f")
RINGS = (20, 40, 60, 80, 100)
# ColorBrewer RdYlBu, 11 classes, from 0 (red) to 100 (blue).
RDYLBU = ("#a50026", "#d73027", "#f46d43", "#fdae61", "#fee090", "#ffffbf",
          "#e0f3f8", "#abd9e9", "#74add1", "#4575b4", "#313695")
MISSING_COLOURS = ("#e4e7eb", "#000000")


def _attr(text: str) -> str:
    return escape(str(text), {'"': "&quot;"})


def _width(char: str) -> float:
    """Rough width of a character in ems: CJK and full-width 1, others about half."""
    return 1.0 if ord(char) > 0x2E7F else 0.55


_TOKENS = re.compile(r"[\u2e80-\uffff]|[^\s\u2e80-\uffff]+|\s+")


def wrap(label: str, limit: float = 5.0, lines: int = 2) -> list[str]:
    """``label`` cut into at most ``lines`` balanced lines of about ``limit`` ems (… when longer),
    between CJK characters or at spaces: "政策学习主动性" → "政策学习", "主动性"."""
    text = " ".join(str(label).split())
    total = sum(_width(char) for char in text)
    needed = max(1, math.ceil(total / limit - 1e-9))
    target = min(limit, total / needed + 0.5) if needed <= lines else limit
    out: list[str] = []
    current, size = "", 0.0
    for token in _TOKENS.findall(text):
        width = sum(_width(char) for char in token)
        if token.isspace():
            if current:
                current, size = current + " ", size + width
            continue
        if size + width > target + 1e-9 and current.strip():
            out.append(current.rstrip())
            current, size = "", 0.0
        while width > limit:  # a word longer than a line is cut
            cut, cut_size = "", 0.0
            for char in token:
                if cut_size + _width(char) > limit:
                    break
                cut, cut_size = cut + char, cut_size + _width(char)
            out.append(cut)
            token, width = token[len(cut):], width - cut_size
        current, size = current + token, size + width
    if current.strip():
        out.append(current.rstrip())
    if len(out) > lines:
        out = out[:lines]
        out[-1] = out[-1][:-1] + "…"
    return out or [""]


@dataclass(frozen=True)
class Series:
    """One polygon on the radar: a name for the legend and a level (or None) per axis id."""

    name: str
    values: Mapping[str, float | None]
    colour: str | None = None
    dashed: bool = False
    fill: bool = True


def _clamp(value: float) -> float:
    return max(0.0, min(100.0, float(value)))


def radar_svg(axes: Sequence[tuple[str, str]], series: Sequence[Series], title: str,
              missing_label: str = "暂无足够数据", css_class: str = "radar") -> str:
    """A radar chart: ``axes`` are (id, label) clockwise from the top; ``series`` are drawn in
    order (put "now" first: its missing levels mark the axes). Raises ValueError under 3 axes."""
    if len(axes) < 3:
        raise ValueError("a radar chart needs at least 3 axes")
    width, radius, cx, cy, font = 400, 110, 200, 165, 14
    n = len(axes)
    angles = [-math.pi / 2 + 2 * math.pi * i / n for i in range(n)]

    def point(i: int, value: float) -> tuple[float, float]:
        r = radius * _clamp(value) / 100
        return cx + r * math.cos(angles[i]), cy + r * math.sin(angles[i])

    first = series[0].values if series else {}
    missing_axes = [i for i, (key, _label) in enumerate(axes) if series and first.get(key) is None]
    legend_items = len(series) + (1 if missing_axes else 0)
    height = cy + radius + 16 + 2 * (font + 2) + 12 + 18 * ((legend_items + 1) // 2) + 6
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height:.0f}" class="{_attr(css_class)}" '
           f'role="img" aria-label="{_attr(title)}" font-family="sans-serif" font-size="{font}">',
           f"<title>{escape(title)}</title>"]
    for ring in RINGS:  # rings, then the ring values up the top axis
        pts = " ".join(f"{x:.1f},{y:.1f}" for x, y in (point(i, ring) for i in range(n)))
        out.append(f'<polygon class="ring" points="{pts}" fill="none" stroke="#cbd2d9" stroke-width="1"/>')
    for ring in RINGS:
        x, y = point(0, ring)
        out.append(f'<text class="ring-label" x="{x + 3:.1f}" y="{y + 10:.1f}" font-size="9" fill="#7b8794">'
                   f"{ring}</text>")
    for i, (key, label) in enumerate(axes):
        x, y = point(i, 100)
        dash = ' stroke-dasharray="3 3"' if i in missing_axes else ""
        out.append(f'<line class="axis" data-axis="{_attr(key)}" x1="{cx}" y1="{cy}" x2="{x:.1f}" y2="{y:.1f}" '
                   f'stroke="#9aa5b1" stroke-width="1"{dash}/>')
        cos, sin = math.cos(angles[i]), math.sin(angles[i])
        lx, ly = cx + (radius + 10) * cos, cy + (radius + 10) * sin
        anchor = "start" if cos > 0.3 else "end" if cos < -0.3 else "middle"
        lines = wrap(label)
        line_height = font + 2
        if sin < -0.3:      # above the centre: the last line sits on the anchor point
            top = ly - (len(lines) - 1) * line_height - 2
        elif sin > 0.3:     # below: the first line hangs under it
            top = ly + font
        else:
            top = ly + font / 2 - (len(lines) - 1) * line_height / 2
        spans = "".join(f'<tspan x="{lx:.1f}" y="{top + j * line_height:.1f}">{escape(text)}</tspan>'
                        for j, text in enumerate(lines))
        css = "axis-label missing" if i in missing_axes else "axis-label"
        out.append(f'<text class="{css}" text-anchor="{anchor}" fill="#1f2933"><title>{escape(label)}</title>'
                   f"{spans}</text>")
    for s_index in range(len(series) - 1, -1, -1):  # the first series is drawn last, on top
        s = series[s_index]
        colour = s.colour or SERIES_COLOURS[s_index % len(SERIES_COLOURS)]
        dash = ' stroke-dasharray="6 4"' if s.dashed else ""
        values = [s.values.get(key) for key, _label in axes]
        group = [f'<g class="series" data-series="{_attr(s.name)}">']
        present = [v is not None for v in values]
        if s.fill and any(present):
            pts = " ".join(f"{x:.1f},{y:.1f}" for x, y in (point(i, v or 0) for i, v in enumerate(values)))
            opacity = 0.18 if all(present) else 0.08
            group.append(f'<polygon class="area" points="{pts}" fill="{colour}" fill-opacity="{opacity}" '
                         f'stroke="none"/>')
        if all(present):
            pts = " ".join(f"{x:.1f},{y:.1f}" for x, y in (point(i, v) for i, v in enumerate(values)))
            group.append(f'<polygon class="outline" points="{pts}" fill="none" stroke="{colour}" '
                         f'stroke-width="2"{dash}/>')
        else:
            for i in range(n):  # an edge only between two axes that both have a level: gaps elsewhere
                j = (i + 1) % n
                if present[i] and present[j]:
                    (x1, y1), (x2, y2) = point(i, values[i]), point(j, values[j])
                    group.append(f'<line class="outline" x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" '
                                 f'stroke="{colour}" stroke-width="2" stroke-linecap="round"{dash}/>')
        for i, value in enumerate(values):
            key, label = axes[i]
            if value is None:
                if s_index == 0:
                    x, y = point(i, 10)
                    group.append(f'<circle class="missing" data-axis="{_attr(key)}" cx="{x:.1f}" cy="{y:.1f}" r="2.5" '
                                 f'fill="#ffffff" stroke="{colour}" stroke-width="1.2" stroke-dasharray="2 1.5">'
                                 f"<title>{escape(label)}: {escape(missing_label)}</title></circle>")
                continue
            x, y = point(i, value)
            group.append(f'<circle class="point" data-axis="{_attr(key)}" cx="{x:.1f}" cy="{y:.1f}" r="3" '
                         f'fill="{colour}"><title>{escape(s.name)} · {escape(label)}: {float(value):g}</title>'
                         f"</circle>")
        group.append("</g>")
        out.extend(group)
    legend_top = cy + radius + 16 + 2 * (font + 2) + 12
    items = [(s.name, s.colour or SERIES_COLOURS[k % len(SERIES_COLOURS)], s.dashed, False)
             for k, s in enumerate(series)]
    if missing_axes:
        items.append((missing_label, "#52606d", True, True))
    for k, (name, colour, dashed, marker) in enumerate(items):
        x = 24 + (k % 2) * 190
        y = legend_top + 18 * (k // 2)
        if marker:
            sample = (f'<circle cx="{x + 11}" cy="{y - 4}" r="3.5" fill="#ffffff" stroke="{colour}" '
                      f'stroke-width="1.2" stroke-dasharray="2 1.5"/>')
        else:
            sample = (f'<line x1="{x}" y1="{y - 4}" x2="{x + 22}" y2="{y - 4}" stroke="{colour}" stroke-width="2.5"'
                      f'{" stroke-dasharray=" + chr(34) + "6 4" + chr(34) if dashed else ""}/>')
        out.append(f'<g class="legend-item">{sample}<text x="{x + 28}" y="{y}" fill="#1f2933">'
                   f"{escape(' '.join(wrap(name, 13, 1)))}</text></g>")
    out.append("</svg>")
    return "\n".join(out)


def sparkline_svg(values: Sequence[float | None], label: str, width: int = 120, height: int = 32,
                  colour: str = "#2b6cb0") -> str:
    """A small line of 0-100 values, oldest first; gaps where a value is None, a dot on the last
    value. The aria-label reads the values out ("—" for none)."""
    pad = 3.0
    n = len(values)
    step = (width - 2 * pad) / (n - 1) if n > 1 else 0.0

    def xy(i: int, value: float) -> tuple[float, float]:
        x = pad + i * step if n > 1 else width / 2
        return x, pad + (1 - _clamp(value) / 100) * (height - 2 * pad)

    spoken = ", ".join("—" if v is None else f"{float(v):g}" for v in values)
    aria = f"{label}: {spoken}" if values else label
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
           f'class="sparkline" '
           f'role="img" aria-label="{_attr(aria)}">', f"<title>{escape(aria)}</title>",
           f'<line class="baseline" x1="{pad}" y1="{height - pad}" x2="{width - pad}" y2="{height - pad}" '
           f'stroke="#e4e7eb" stroke-width="1"/>']
    runs: list[list[tuple[float, float]]] = [[]]
    for i, value in enumerate(values):
        if value is None:
            if runs[-1]:
                runs.append([])
            continue
        runs[-1].append(xy(i, value))
    drawn = False
    for run in runs:
        if len(run) > 1:
            pts = " ".join(f"{x:.1f},{y:.1f}" for x, y in run)
            out.append(f'<polyline points="{pts}" fill="none" stroke="{colour}" stroke-width="1.8" '
                       f'stroke-linejoin="round" stroke-linecap="round"/>')
            drawn = True
        elif run:
            x, y = run[0]
            out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="1.8" fill="{colour}"/>')
            drawn = True
    last = next((i for i in range(n - 1, -1, -1) if values[i] is not None), None)
    if last is not None:
        x, y = xy(last, values[last])
        out.append(f'<circle class="last" cx="{x:.1f}" cy="{y:.1f}" r="2.6" fill="{colour}"/>')
    if not drawn:
        out.append(f'<line class="empty" x1="{pad}" y1="{height / 2}" x2="{width - pad}" y2="{height / 2}" '
                   f'stroke="#9aa5b1" stroke-width="1" stroke-dasharray="3 3"/>')
    out.append("</svg>")
    return "\n".join(out)


def trend_svg(points: Sequence[tuple[str, float | None]], label: str, width: int = 340, height: int = 150,
              colour: str = "#2b6cb0") -> str | None:
    """A level over time with its axes: 0, 50 and 100 on the left, each point's label (a month such as
    "7月") under it, gaps where a value is None. None when fewer than two points have a value: a
    single dot says nothing about a trend."""
    if sum(value is not None for _label, value in points) < 2:
        return None
    left, right, top, bottom, font = 30.0, 12.0, 10.0, 24.0, 11
    n = len(points)
    plot_w, plot_h = width - left - right, height - top - bottom
    step = plot_w / (n - 1) if n > 1 else 0.0

    def xy(i: int, value: float) -> tuple[float, float]:
        return left + i * step, top + (1 - _clamp(value) / 100) * plot_h

    spoken = ", ".join(f"{text} {'—' if v is None else f'{float(v):g}'}" for text, v in points)
    aria = f"{label}: {spoken}"
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" class="trend" role="img" '
           f'aria-label="{_attr(aria)}" font-family="sans-serif" font-size="{font}">', f"<title>{escape(aria)}</title>"]
    for tick in (0, 50, 100):
        y = top + (1 - tick / 100) * plot_h
        out.append(f'<line class="grid" x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="#e4e7eb" '
                   f'stroke-width="1"/><text class="tick" x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" '
                   f'fill="#616e7c">{tick}</text>')
    out.append(f'<line class="axis" x1="{left}" y1="{top}" x2="{left}" y2="{top + plot_h}" stroke="#9aa5b1"/>')
    for i, (text, _value) in enumerate(points):
        x = left + i * step
        out.append(f'<text class="tick" x="{x:.1f}" y="{height - 6}" text-anchor="middle" fill="#616e7c">'
                   f"{escape(text)}</text>")
    runs: list[list[tuple[float, float]]] = [[]]
    for i, (_text, value) in enumerate(points):
        if value is None:
            if runs[-1]:
                runs.append([])
            continue
        runs[-1].append(xy(i, value))
    for run in runs:
        if len(run) > 1:
            pts = " ".join(f"{x:.1f},{y:.1f}" for x, y in run)
            out.append(f'<polyline points="{pts}" fill="none" stroke="{colour}" stroke-width="2" '
                       f'stroke-linejoin="round" stroke-linecap="round"/>')
    for i, (text, value) in enumerate(points):
        if value is not None:
            x, y = xy(i, value)
            out.append(f'<circle class="point" cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}">'
                       f"<title>{escape(text)}: {float(value):.0f}</title></circle>")
    out.append("</svg>")
    return "\n".join(out)


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    text = hex_colour.lstrip("#")
    return int(text[0:2], 16), int(text[2:4], 16), int(text[4:6], 16)


def relative_luminance(hex_colour: str) -> float:
    """WCAG 2 relative luminance of an sRGB colour."""
    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4
    r, g, b = (channel(c) for c in _rgb(hex_colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(a: str, b: str) -> float:
    """WCAG 2 contrast ratio between two colours, 1..21."""
    la, lb = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


@lru_cache(maxsize=2048)  # levels have one decimal: a heatmap page repeats a few hundred values
def heat_colour(value: float | None) -> tuple[str, str]:
    """(background, text colour) for a 0-100 level; values outside are clamped; None is grey."""
    if value is None:
        return MISSING_COLOURS
    position = _clamp(value) / 100 * (len(RDYLBU) - 1)
    low = min(int(position), len(RDYLBU) - 2)
    share = position - low
    a, b = _rgb(RDYLBU[low]), _rgb(RDYLBU[low + 1])
    background = "#" + "".join(f"{round(x + (y - x) * share):02x}" for x, y in zip(a, b))
    text = max(("#000000", "#ffffff"), key=lambda colour: contrast_ratio(background, colour))
    return background, text


def heat_legend(steps: int = 6) -> list[tuple[float, str, str]]:
    """(value, background, text) at ``steps`` evenly spaced values from 0 to 100, for a legend."""
    if steps < 2:
        raise ValueError("a legend needs at least 2 steps")
    return [(round(100 * i / (steps - 1), 1), *heat_colour(100 * i / (steps - 1))) for i in range(steps)]
