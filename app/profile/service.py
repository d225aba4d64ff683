"""Reading the evidence stream for profiles, cohorts and pairing (a fixed number of queries)."""
from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from flask import current_app
from sqlalchemy import select

from .. import competency
from ..clock import utcnow
from ..extensions import db
from ..models import EvidenceRecord
from .scoring import Evidence, Profile, ScoringSettings, score_profile


def settings() -> ScoringSettings:
    return ScoringSettings(half_life_days=current_app.config["EVIDENCE_HALF_LIFE_DAYS"])


def evidence_by_user(user_ids) -> dict[int, list[Evidence]]:
    """Every evidence record of these people, as light tuples, in one query."""
    ids = list(user_ids)
    result: dict[int, list[Evidence]] = defaultdict(list)
    if not ids:
        return result
    rows = db.session.execute(
        select(EvidenceRecord.user_id, EvidenceRecord.indicator, EvidenceRecord.score, EvidenceRecord.weight,
               EvidenceRecord.created_at, EvidenceRecord.source_kind, EvidenceRecord.source_ref)
        .where(EvidenceRecord.user_id.in_(ids)))
    for user_id, *fields in rows:
        result[user_id].append(Evidence(*fields))
    return result


def profiles_for(user_ids, now: datetime | None = None) -> dict[int, Profile]:
    """Each person's scored profile."""
    now = now or utcnow()
    indicators, knobs = competency.model(), settings()
    evidence = evidence_by_user(user_ids)
    return {uid: score_profile(evidence.get(uid, []), indicators, now, knobs) for uid in user_ids}


def levels_for(user_ids) -> dict[int, dict[str, float | None]]:
    """indicator → level (None: not enough evidence yet) per person."""
    return {uid: profile.levels() for uid, profile in profiles_for(list(user_ids)).items()}
