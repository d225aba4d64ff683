"""Drawing a drill's graph as SVG (pure: no Flask, no database, no Graphviz).

Nodes are laid out in rows by their distance from the start; edges run downwards (a step back up
the drill curves round the side). Two paths can be drawn over the map (the path a worker took
and the best path), and nodes can be shaded by traffic (how many attempts reached them).
All text is XML-escaped.
"""
from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

from .engine import Drill

BOX_W, BOX_H, GAP_X, GAP_Y, MARGIN = 150, 48, 24, 46, 16
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


def render_svg(drill: Drill, overlay: Overlay | None = None, title: str | None = None) -> str:
    """The drill's map as a standalone SVG document (also fine inline in HTML)."""
    overlay = overlay or Overlay()
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
        x1, y1 = pos[source][0] + BOX_W / 2, pos[source][1] + BOX_H
        x2, y2 = pos[target][0] + BOX_W / 2, pos[target][1]
        if y2 <= y1:  # an edge back up (or sideways): curve round the right-hand side
            x1, y1 = pos[source][0] + BOX_W, pos[source][1] + BOX_H / 2
            x2, y2 = pos[target][0] + BOX_W, pos[target][1] + BOX_H / 2
            bend = max(x1, x2) + 40
            d = f"M {x1:.0f} {y1:.0f} C {bend:.0f} {y1:.0f}, {bend:.0f} {y2:.0f}, {x2:.0f} {y2:.0f}"
        else:
            mid = (y1 + y2) / 2
            d = f"M {x1:.0f} {y1:.0f} C {x1:.0f} {mid:.0f}, {x2:.0f} {mid:.0f}, {x2:.0f} {y2:.0f}"
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
        top = node_id + (f" ({count})" if count is not None and busiest else "")
        indent = 8
        if node.is_urgent:  # a small clock face marks a timed decision
            out.append(f'<circle class="urgent" cx="{x + 13:.0f}" cy="{y + 14:.0f}" r="6" fill="#dd6b20"/>'
                       f'<path d="M {x + 13:.0f} {y + 10:.0f} V {y + 14:.0f} H {x + 16:.0f}" stroke="#fff" '
                       f'stroke-width="1.5" fill="none"/>')
            indent = 24
        out.append(f'<text x="{x + indent:.0f}" y="{y + 18:.0f}" font-weight="bold" fill="#1f2933">'
                   f'{escape(top)}</text>')
        out.append(f'<text x="{x + 8:.0f}" y="{y + 36:.0f}" fill="#52606d">{escape(_label(node.text))}</text>')
        out.append("</g>")
    out.append("</svg>")
    return "\n".join(out)
