"""Reading the evidence stream for profiles, cohorts and pairing (a fixed number of queries).

Many people at once (``profiles_for``, ``levels_for``) are scored from the sums the evidence hub
keeps per person × indicator (``app.evidence_sums``): one row per person and indicator instead of
every record, with the same levels as the rule gives from the rows. People with a record dated
after the moment scored, and everyone when the sums cannot be used, are scored from their rows.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import select

from .. import competency, evidence_sums
from ..clock import utcnow
from ..extensions import db
from ..models import EvidenceRecord
from .scoring import Evidence, Profile, ScoringSettings, profile_from_sums, score_profile


def settings() -> ScoringSettings:
    return evidence_sums.settings()


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
    """Each person's scored profile at ``now`` (default: the current moment): from the kept sums,
    or the rows for the people the sums cannot score at ``now``."""
    now = now or utcnow()
    ids = list(user_ids)
    indicators, knobs = competency.model(), settings()
    sums, from_rows = evidence_sums.sums_for(ids, now, knobs)
    evidence = evidence_by_user(from_rows)
    rows = set(from_rows)
    return {uid: score_profile(evidence.get(uid, []), indicators, now, knobs) if uid in rows
            else profile_from_sums(sums.get(uid, {}), indicators, now, knobs) for uid in ids}


def levels_for(user_ids, now: datetime | None = None) -> dict[int, dict[str, float]]:
    """indicator → level per person, for the indicators that have one (``.get`` gives None for the
    others): what ``profiles_for`` gives, with the levels worked out by the database from the sums
    (``evidence_sums.levels_for``)."""
    now = now or utcnow()
    ids = list(user_ids)
    indicators, knobs = competency.model(), settings()
    found, from_rows = evidence_sums.levels_for(ids, [item.id for item in indicators], now, knobs)
    result = {uid: found.get(uid, {}) for uid in ids}
    evidence = evidence_by_user(from_rows)
    for uid in from_rows:
        result[uid] = {key: level for key, level in score_profile(evidence.get(uid, []), indicators, now,
                                                                  knobs).levels().items() if level is not None}
    return result
