"""Path analytics per drill for organizers: who reached which node, how choices split, time on
urgent nodes, outcomes, and the most common wrong first move. Finished attempts of the people in
the viewer's scope only; a fixed number of queries."""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select

from ..access import current_mentees
from ..extensions import db
from ..models import Area, DrillAttempt, DrillStep, DrillVersion, User
from ..scope import area_filter
from . import engine
from .graph import Overlay, path_nodes


@dataclass
class NodeStats:
    reached: int = 0
    choices: Counter = field(default_factory=Counter)
    timeouts: int = 0
    elapsed_ms: list[int] = field(default_factory=list)

    @property
    def average_seconds(self) -> float | None:
        return round(sum(self.elapsed_ms) / len(self.elapsed_ms) / 1000, 1) if self.elapsed_ms else None


@dataclass
class DrillAnalytics:
    attempts: int = 0
    unfinished: int = 0
    outcomes: Counter = field(default_factory=Counter)
    nodes: dict[str, NodeStats] = field(default_factory=lambda: defaultdict(NodeStats))
    wrong_first_moves: Counter = field(default_factory=Counter)
    overlay: Overlay = field(default_factory=Overlay)


def people_filter(actor: User):
    """Whose attempts ``actor`` may analyse: everyone below a manager's area, else their current mentees."""
    if actor.is_manager:
        return area_filter(actor)
    return User.id.in_(current_mentees(actor))


def drill_analytics(actor: User, drill: engine.Drill, drill_id: str, best: list[engine.Step]) -> DrillAnalytics:
    """Aggregate every attempt (all versions) of ``drill_id`` by the people ``actor`` may see."""
    attempts = db.session.scalars(
        select(DrillAttempt).join(DrillVersion).join(User, User.id == DrillAttempt.user_id)
        .join(Area, Area.id == User.area_id)
        .where(DrillVersion.drill_id == drill_id, people_filter(actor))).all()
    result = DrillAnalytics(attempts=len(attempts))
    ids = [a.id for a in attempts]
    steps: dict[int, list[DrillStep]] = defaultdict(list)
    if ids:
        for step in db.session.scalars(select(DrillStep).where(DrillStep.attempt_id.in_(ids), ~DrillStep.undone)
                                       .order_by(DrillStep.attempt_id, DrillStep.seq)):
            steps[step.attempt_id].append(step)
    best_first = best[0][1] if best else None
    for attempt in attempts:
        if attempt.outcome is None:
            result.unfinished += 1
        else:
            result.outcomes[attempt.outcome] += 1
        taken = steps.get(attempt.id, [])
        for index, step in enumerate(taken):
            stats = result.nodes[step.node_id]
            stats.reached += 1
            if step.timed_out:
                stats.timeouts += 1
            else:
                stats.choices[step.choice_id] += 1
            if step.node_id in drill.nodes and drill.nodes[step.node_id].is_urgent:
                stats.elapsed_ms.append(step.elapsed_ms)
            if index == 0 and step.choice_id != best_first:
                result.wrong_first_moves[step.choice_id or "timeout"] += 1
        if attempt.outcome is not None and taken:
            ending = path_nodes(drill, [(s.node_id, s.choice_id) for s in taken])[-1]
            result.nodes[ending].reached += 1
    result.overlay = Overlay(
        best=path_nodes(drill, best),
        node_traffic={node_id: stats.reached for node_id, stats in result.nodes.items()},
        edge_traffic=_edge_traffic(drill, steps.values()),
    )
    return result


def _edge_traffic(drill: engine.Drill, plays) -> dict[tuple[str, str], int]:
    traffic: Counter = Counter()
    for taken in plays:
        nodes = path_nodes(drill, [(s.node_id, s.choice_id) for s in taken]) if taken else []
        for pair in zip(nodes, nodes[1:]):
            traffic[pair] += 1
    return dict(traffic)
