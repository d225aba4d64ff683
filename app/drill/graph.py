"""Drawing a drill's graph as SVG (pure: no Flask, no database).

Graphviz ``dot`` (Debian's ``graphviz``) lays the map out when it is installed: rows by rank, few
crossings, edges routed round the boxes; the layout is computed once per drill version and kept
(``dot_layout``). Without ``dot`` the nodes go in rows by their distance from the start and edges
run downwards (a step back up curves round the side). Boxes carry the authors' node titles, never
node ids. Two paths can be drawn over the map (the path a worker took and the best path), and nodes
can be shaded by traffic (how many attempts reached them). All text is XML-escaped.
"""
from __future__ import annotations

import shutil
import subprocess  # noqa: S404 (runs Graphviz's dot on text we generate, no shell)
from collections import deque
from dataclasses import dataclass, field
from functools import lru_cache
from xml.sax.saxutils import escape

from .engine import Drill

BOX_W, BOX_H, GAP_X, GAP_Y, MARGIN = 176, 48, 24, 46, 16
OUTCOME_COLOURS = {"success": "#2f855a", "partial": "#b7791f", "failure": "#c53030"}


@dataclass
class Overlay:
    """Extra drawing on the map: paths as lists of node ids, traffic counts per node and edge."""

    taken: list[str] = field(default_factory=list)
    best: list[str] = field(default_factory=list)
    node_traffic: dict[str, int] = field(default_factory=dict)
    edge_traffic: dict[tuple[str, str], int] = field(default_factory=dict)


def edges(drill: Drill) -> list[tuple[str, str, str]]:
    """(from, to, label) for every choice and timeout, in file order."""
    result = []
    for node in drill.nodes.values():
        for choice in node.choices:
            result.append((node.id, choice.to, choice.id))
        if node.on_timeout is not None:
            result.append((node.id, node.on_timeout.to, "timeout"))
    return result


def layers(drill: Drill) -> dict[str, int]:
    """Row of each node: its shortest distance from the start (unreachable nodes go last)."""
    depth = {drill.start: 0}
    queue = deque([drill.start])
    outgoing: dict[str, list[str]] = {}
    for source, target, _choice in edges(drill):
        outgoing.setdefault(source, []).append(target)
    while queue:
        current = queue.popleft()
        for target in outgoing.get(current, []):
            if target not in depth:
                depth[target] = depth[current] + 1
                queue.append(target)
    last = max(depth.values(), default=0) + 1
    return {node_id: depth.get(node_id, last) for node_id in drill.nodes}


def _label(text: str, limit: int = 11) -> str:
    first = " ".join(text.split())
    for mark in ("**", "#", ">"):
        first = first.replace(mark, "")
    first = first.strip()
    return first if len(first) <= limit else first[: limit - 1] + "…"


def path_nodes(drill: Drill, steps) -> list[str]:
    """The node ids visited by ``steps`` [(node, choice or None)], ending node included."""
    if not steps:
        return [drill.start]
    nodes = [node for node, _choice in steps]
    last_node, last_choice = steps[-1]
    node = drill.nodes.get(last_node)
    if node is None:  # a step recorded on an older version of the drill
        return nodes
    if last_choice is None and node.on_timeout is not None:
        nodes.append(node.on_timeout.to)
    else:
        nodes.extend(c.to for c in node.choices if c.id == last_choice)
    return nodes


@dataclass(frozen=True)
class Layout:
    """Where everything goes: each box's top-left corner, each edge's SVG path, the canvas size."""

    width: float
    height: float
    pos: dict[str, tuple[float, float]]
    paths: dict[tuple[str, str], str]


def _dot_source(drill: Drill) -> str:
    def q(text: str) -> str:
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'

    lines = ["digraph drill {", "  rankdir=TB; nodesep=0.35; ranksep=0.5; splines=spline;",
             f"  node [shape=box, fixedsize=true, width={BOX_W / 72:.3f}, height={BOX_H / 72:.3f}];"]
    lines += [f"  {q(node_id)};" for node_id in drill.nodes]
    seen: set[tuple[str, str]] = set()
    for source, target, _choice in edges(drill):
        if (source, target) not in seen:
            seen.add((source, target))
            lines.append(f"  {q(source)} -> {q(target)};")
    lines.append("}")
    return "\n".join(lines)


def _parse_plain(text: str, node_ids: set[str]) -> Layout | None:
    """Read ``dot -Tplain`` output (inches, y upwards) into a Layout (points, y downwards)."""
    import shlex

    width = height = 0.0
    centres: dict[str, tuple[float, float]] = {}
    paths: dict[tuple[str, str], str] = {}
    for line in text.splitlines():
        parts = shlex.split(line)
        if not parts:
            continue
        if parts[0] == "graph":
            width, height = float(parts[2]) * 72, float(parts[3]) * 72
        elif parts[0] == "node":
            centres[parts[1]] = (float(parts[2]) * 72, float(parts[3]) * 72)
        elif parts[0] == "edge":
            count = int(parts[3])
            points = [(float(parts[4 + 2 * i]) * 72 + MARGIN, height - float(parts[5 + 2 * i]) * 72 + MARGIN)
                      for i in range(count)]
            if count < 4 or (count - 1) % 3:
                return None
            d = f"M {points[0][0]:.0f} {points[0][1]:.0f}"
            for i in range(1, count, 3):
                (ax, ay), (bx, by), (cx, cy) = points[i:i + 3]
                d += f" C {ax:.0f} {ay:.0f}, {bx:.0f} {by:.0f}, {cx:.0f} {cy:.0f}"
            paths[(parts[1], parts[2])] = d
    if set(centres) != node_ids or not width:
        return None
    pos = {node_id: (x - BOX_W / 2 + MARGIN, height - y - BOX_H / 2 + MARGIN) for node_id, (x, y) in centres.items()}
    return Layout(width + 2 * MARGIN, height + 2 * MARGIN, pos, paths)


@lru_cache(maxsize=64)
def _dot(source: str) -> str | None:
    dot = shutil.which("dot")
    if dot is None:
        return None
    try:
        done = subprocess.run([dot, "-Tplain"], input=source, capture_output=True, text=True,  # noqa: S603
                              timeout=10, check=True)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout


def dot_layout(drill: Drill) -> Layout | None:
    """Graphviz's layout of ``drill`` (cached per drill text), or None without a working ``dot``."""
    plain = _dot(_dot_source(drill))
    return None if plain is None else _parse_plain(plain, set(drill.nodes))


def row_layout(drill: Drill) -> Layout:
    """The fallback layout: rows by distance from the start, edges drawn by ``render_svg``."""
    rows: dict[int, list[str]] = {}
    for node_id, row in layers(drill).items():
        rows.setdefault(row, []).append(node_id)
    widest = max(len(ids) for ids in rows.values())
    width = MARGIN * 2 + widest * BOX_W + (widest - 1) * GAP_X
    height = MARGIN * 2 + len(rows) * BOX_H + (len(rows) - 1) * GAP_Y + 20
    pos: dict[str, tuple[float, float]] = {}
    for row, ids in sorted(rows.items()):
        row_width = len(ids) * BOX_W + (len(ids) - 1) * GAP_X
        left = (width - row_width) / 2
        for i, node_id in enumerate(ids):
            pos[node_id] = (left + i * (BOX_W + GAP_X), MARGIN + row * (BOX_H + GAP_Y))
    return Layout(width, height, pos, {})


def _row_edge(pos: dict[str, tuple[float, float]], source: str, target: str) -> str:
    x1, y1 = pos[source][0] + BOX_W / 2, pos[source][1] + BOX_H
    x2, y2 = pos[target][0] + BOX_W / 2, pos[target][1]
    if y2 <= y1:  # an edge back up (or sideways): curve round the right-hand side
        x1, y1 = pos[source][0] + BOX_W, pos[source][1] + BOX_H / 2
        x2, y2 = pos[target][0] + BOX_W, pos[target][1] + BOX_H / 2
        bend = max(x1, x2) + 40
        return f"M {x1:.0f} {y1:.0f} C {bend:.0f} {y1:.0f}, {bend:.0f} {y2:.0f}, {x2:.0f} {y2:.0f}"
    mid = (y1 + y2) / 2
    return f"M {x1:.0f} {y1:.0f} C {x1:.0f} {mid:.0f}, {x2:.0f} {mid:.0f}, {x2:.0f} {y2:.0f}"


def render_svg(drill: Drill, overlay: Overlay | None = None, title: str | None = None,
               layout: Layout | None = None) -> str:
    """The drill's map as a standalone SVG document (also fine inline in HTML); ``layout`` defaults
    to Graphviz's when ``dot`` is installed, else to rows."""
    overlay = overlay or Overlay()
    layout = layout or dot_layout(drill) or row_layout(drill)
    width, height, pos = layout.width, layout.height, layout.pos
    taken_edges = set(zip(overlay.taken, overlay.taken[1:]))
    best_edges = set(zip(overlay.best, overlay.best[1:]))
    busiest = max(overlay.node_traffic.values(), default=0)
    busiest_edge = max(overlay.edge_traffic.values(), default=0)

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} {height:.0f}" '
           f'width="{width:.0f}" height="{height:.0f}" class="drill-map" role="img" '
           f'aria-label="{escape(title or drill.title, {chr(34): "&quot;"})}" font-family="sans-serif" font-size="12">',
           '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8" '
           'markerUnits="userSpaceOnUse" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#7b8794"/></marker></defs>']
    drawn: set[tuple[str, str]] = set()
    for source, target, _choice in edges(drill):
        if (source, target) in drawn:
            continue
        drawn.add((source, target))
        d = layout.paths.get((source, target)) or _row_edge(pos, source, target)
        stroke, width_px, dash = "#9aa5b1", 1.2, ""
        if busiest_edge:
            share = overlay.edge_traffic.get((source, target), 0) / busiest_edge
            width_px = 1 + 6 * share
        if (source, target) in best_edges:
            stroke, width_px, dash = "#2f855a", max(width_px, 3), ' stroke-dasharray="6 4"'
        if (source, target) in taken_edges:
            stroke, width_px = "#2b6cb0", max(width_px, 3.5)
        css = "edge taken" if (source, target) in taken_edges else "edge"
        out.append(f'<path class="{css}" d="{d}" fill="none" stroke="{stroke}" stroke-width="{width_px:.1f}"'
                   f'{dash} marker-end="url(#arrow)"/>')
    for node_id, node in drill.nodes.items():
        x, y = pos[node_id]
        fill, border = "#ffffff", "#52606d"
        if busiest:
            share = overlay.node_traffic.get(node_id, 0) / busiest
            fill = f"rgba(221, 107, 32, {0.08 + 0.6 * share:.2f})" if share else "#f5f7fa"
        if node.ending:
            border = OUTCOME_COLOURS[node.ending]
        css = "node"
        if node_id in overlay.taken:
            css += " taken"
        if node_id in overlay.best:
            css += " best"
        width_px = 3 if node.ending or node_id in overlay.taken else 1.5
        out.append(f'<g class="{css}" data-node="{escape(node_id)}">')
        out.append(f'<rect x="{x:.0f}" y="{y:.0f}" width="{BOX_W}" height="{BOX_H}" rx="8" fill="{fill}" '
                   f'stroke="{"#2b6cb0" if node_id in overlay.taken else border}" stroke-width="{width_px}"/>')
        count = overlay.node_traffic.get(node_id)
        top = node.title + (f"（{count}）" if count is not None and busiest else "")
        indent = 8
        if node.is_urgent:  # a small clock face marks a timed decision
            out.append(f'<circle class="urgent" cx="{x + 13:.0f}" cy="{y + 14:.0f}" r="6" fill="#dd6b20"/>'
                       f'<path d="M {x + 13:.0f} {y + 10:.0f} V {y + 14:.0f} H {x + 16:.0f}" stroke="#fff" '
                       f'stroke-width="1.5" fill="none"/>')
            indent = 24
        out.append(f'<text x="{x + indent:.0f}" y="{y + 18:.0f}" font-weight="bold" fill="#1f2933">'
                   f'{escape(top)}</text>')
        out.append(f'<text x="{x + 8:.0f}" y="{y + 36:.0f}" fill="#52606d">{escape(_label(node.text))}</text>')
        out.append(f"<title>{escape(node.title)}</title>")
        out.append("</g>")
    out.append("</svg>")
    return "\n".join(out)
