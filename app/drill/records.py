"""What drills record: each decision and each ending as evidence on the drill's indicators, and
both as xAPI statements."""
from __future__ import annotations

from collections import defaultdict

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from .. import sealing, signals
from ..evidence import Item, Source, StatementContext, register_source, source
from ..extensions import db
from ..labels import OUTCOME_NAMES
from ..models import DrillAttempt, DrillStep, DrillVersion
from ..profile import xapi
from . import engine
from .service import analysis, drill_of, kept_steps, state_of

#: Evidence weights: one decision, and the drill's outcome per indicator; assessed plays count double.
DECISION_WEIGHT, ENDING_WEIGHT, ASSESSED_FACTOR = 1.0, 3.0, 2.0


def _ref(drill: engine.Drill) -> str:
    return f"drill:{drill.id}:v{drill.version}"


def _factor(attempt: DrillAttempt) -> float:
    return ASSESSED_FACTOR if attempt.mode == "assessed" else 1.0


def _recordable(attempt) -> bool:
    """A finished drill attempt whose results are not sealed (a competition round's waits for
    publication: ``attempt_published`` comes then)."""
    return isinstance(attempt, DrillAttempt) and attempt.finished_at is not None \
        and not sealing.evidence_deferred(attempt)


def decision_evidence(attempt, drill: engine.Drill | None = None, **_kwargs) -> list[Item]:
    """One record per decision and indicator the decision could move: where the choice taken lies
    between the worst and the best option offered there (the timeout path counts as an option)."""
    if not _recordable(attempt):
        return []
    drill = drill or drill_of(attempt.drill_version)
    items = []
    for step in kept_steps(attempt):
        node = drill.nodes[step.node_id]
        options = [choice.score for choice in node.choices]
        if node.on_timeout is not None:
            options.append(node.on_timeout.score)
        for indicator in sorted({key for option in options for key in option}):
            values = [option.get(indicator, 0) for option in options]
            low, high = min(values), max(values)
            if high == low:
                continue
            items.append(Item(
                user_id=attempt.user_id, indicator=indicator, weight=DECISION_WEIGHT * _factor(attempt),
                score=round(100 * (step.deltas.get(indicator, 0) - low) / (high - low), 1), source_id=step.id,
                source_ref=f"{_ref(drill)}:{step.node_id}:{step.choice_id or 'timeout'}",
                content_version=attempt.drill_version.content_hash, at=attempt.finished_at))
    return items


def ending_evidence(attempt, drill: engine.Drill | None = None, **_kwargs) -> list[Item]:
    """One record per drill indicator: the play's total as a share of the possible."""
    if not _recordable(attempt):
        return []
    drill = drill or drill_of(attempt.drill_version)
    bounds, _best = analysis(attempt.drill_version)
    shares, _overall = engine.outcome_shares(state_of(attempt).scores, bounds)
    return [Item(user_id=attempt.user_id, indicator=indicator, weight=ENDING_WEIGHT * _factor(attempt), score=value,
                 source_id=attempt.id, source_ref=f"{_ref(drill)}:{attempt.outcome}",
                 content_version=attempt.drill_version.content_hash, at=attempt.finished_at)
            for indicator, value in shares.items()]


def decision_links(records) -> dict[int, str]:
    ids = {r.source_id for r in records if r.source_id is not None}
    attempts = dict(db.session.execute(select(DrillStep.id, DrillStep.attempt_id)
                                       .where(DrillStep.id.in_(ids))).all()) if ids else {}
    return {r.id: f"/drills/attempts/{attempts[r.source_id]}/result#step-{r.source_id}"
            for r in records if r.source_id in attempts}


def ending_links(records) -> dict[int, str]:
    return {r.id: f"/drills/attempts/{r.source_id}/result" for r in records if r.source_id is not None}


def decision_descriptions(records) -> dict[int, str]:
    """演练《…》· the node's title · the choice taken, read from the drill version the attempt played
    (one query for the steps, one load per drill version)."""
    ids = {r.source_id for r in records if r.source_id is not None}
    steps = {row.id: row for row in db.session.execute(
        select(DrillStep.id, DrillStep.node_id, DrillStep.choice_id, DrillAttempt.drill_version_id)
        .join(DrillAttempt, DrillAttempt.id == DrillStep.attempt_id).where(DrillStep.id.in_(ids)))} if ids else {}
    drills: dict[int, engine.Drill] = {}
    out = {}
    for r in records:
        step = steps.get(r.source_id)
        if step is None:
            continue
        if step.drill_version_id not in drills:
            drills[step.drill_version_id] = drill_of(db.session.get(DrillVersion, step.drill_version_id))
        drill = drills[step.drill_version_id]
        node = drill.nodes.get(step.node_id)
        choice = next((c.text for c in node.choices if c.id == step.choice_id), None) if node else None
        out[r.id] = _("drill “%(title)s” · %(node)s · %(choice)s", title=drill.title,
                      node=node.title if node else "", choice=choice or _("no decision in time"))
    return out


def ending_descriptions(records) -> dict[int, str]:
    ids = {r.source_id for r in records if r.source_id is not None}
    attempts = {row.id: row for row in db.session.execute(
        select(DrillAttempt.id, DrillAttempt.outcome, DrillVersion.title)
        .join(DrillVersion, DrillVersion.id == DrillAttempt.drill_version_id).where(DrillAttempt.id.in_(ids)))} \
        if ids else {}
    return {r.id: _("drill “%(title)s” · %(outcome)s", title=attempts[r.source_id].title,
                    outcome=OUTCOME_NAMES.get(attempts[r.source_id].outcome, ""))
            for r in records if r.source_id in attempts}


def drill_statements(context: StatementContext) -> list[dict]:
    """Each decision ("answered") and each finished play ("passed"/"failed"/"completed")."""
    config, actors, out = context.config, context.actors, []
    attempts = db.session.scalars(select(DrillAttempt).where(DrillAttempt.user_id.in_(context.user_ids),
                                                             DrillAttempt.finished_at.is_not(None))).all()
    if not attempts:
        return out
    steps = defaultdict(list)
    for step in db.session.scalars(select(DrillStep).where(DrillStep.attempt_id.in_([a.id for a in attempts]),
                                                           ~DrillStep.undone)):
        steps[step.attempt_id].append(step)
    for attempt in attempts:
        version = attempt.drill_version
        parent = xapi.activity(config.activity_id("drill", version.drill_id), version.title, "simulation")
        for step in steps[attempt.id]:
            obj = xapi.activity(config.activity_id("drill", version.drill_id, "node", step.node_id), None,
                                "interaction")
            out.append(xapi.build_statement(
                config, actor=actors[attempt.user_id], verb_key="answered", obj=obj, timestamp=step.created_at,
                source_ref=f"drill_decision:{step.id}", parent=parent, content_version=version.content_hash,
                result=xapi.result(response=step.choice_id or "timeout", duration=step.elapsed_ms / 1000),
                indicator_scores=context.scores.get(("drill_decision", step.id))))
        out.append(xapi.build_statement(
            config, actor=actors[attempt.user_id], verb_key=xapi.outcome_verb(attempt.outcome), obj=parent,
            timestamp=attempt.finished_at, source_ref=f"drill_attempt:{attempt.id}",
            content_version=version.content_hash,
            result=xapi.result(success=attempt.outcome == "success", completion=True,
                               duration=attempt.finished_at - attempt.started_at, response=attempt.outcome),
            indicator_scores=context.scores.get(("drill_ending", attempt.id))))
    return out


def register() -> None:
    register_source(Source("drill_decision", _l("drill decision"), verb="answered", activity_type="interaction",
                           links=decision_links, describe=decision_descriptions),
                    signal=signals.drill_finished, collect=decision_evidence)
    register_source(Source("drill_ending", _l("drill outcome"), verb="completed", activity_type="simulation",
                           links=ending_links, describe=ending_descriptions, statements=drill_statements),
                    signal=signals.drill_finished, collect=ending_evidence)
    register_source(source("drill_decision"), signal=signals.attempt_published, collect=decision_evidence)
    register_source(source("drill_ending"), signal=signals.attempt_published, collect=ending_evidence)
