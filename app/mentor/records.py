"""What mentoring records: a mentor's observation (1-5) as evidence on its indicator, and as an
xAPI statement (the mentor's free-text note travels only when personal data may)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from .. import signals
from ..evidence import Item, Source, StatementContext, register_source
from ..extensions import db
from ..models import Mentorship, Observation
from ..profile import xapi

#: Observation rating 1..5 → evidence score 0..100.
RATING_SCORES = {1: 0.0, 2: 25.0, 3: 50.0, 4: 75.0, 5: 100.0}
OBSERVATION_WEIGHT = 2.0


def observation_evidence(observation: Observation, mentorship: Mentorship, **_kwargs) -> list[Item]:
    return [Item(user_id=mentorship.mentee_id, indicator=observation.indicator,
                 score=RATING_SCORES[observation.rating], weight=OBSERVATION_WEIGHT, source_id=observation.id,
                 source_ref=f"observation:{observation.id}")]


def observation_links(records) -> dict[int, str]:
    ids = {r.source_id for r in records if r.source_id is not None}
    pairings = dict(db.session.execute(select(Observation.id, Observation.mentorship_id)
                                       .where(Observation.id.in_(ids))).all()) if ids else {}
    return {r.id: f"/mentoring/{pairings[r.source_id]}#observations" for r in records if r.source_id in pairings}


def observation_statements(context: StatementContext) -> list[dict]:
    config, out = context.config, []
    for observation, pairing in db.session.execute(
            select(Observation, Mentorship).join(Mentorship).where(Mentorship.mentee_id.in_(context.user_ids))):
        obj = xapi.activity(config.activity_id("observation", observation.indicator), None, "performance")
        out.append(xapi.build_statement(
            config, actor=context.actors[pairing.mentee_id], verb_key="scored", obj=obj,
            timestamp=observation.created_at, source_ref=f"observation:{observation.id}",
            result=xapi.result(raw=observation.rating, minimum=1, maximum=5,
                               extensions=xapi.note(config, observation.note))))
    return out


def register() -> None:
    register_source(Source("mentor_observation", _l("mentor's observation"), verb="scored",
                           activity_type="performance", links=observation_links, statements=observation_statements),
                    signal=signals.observation_recorded, collect=observation_evidence)
