"""What training classes record: attending a session is evidence of 政策学习主动性 (``policy.learning``,
the drive to learn), scored by the share of the session attended (on time and to the end: 100; absent
though enrolled: 0), once per attendance (the latest record stands), and an xAPI statement."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from .. import signals
from ..evidence import Item, Source, StatementContext, register_source
from ..extensions import db
from ..models import ClassAttendance, ClassSession
from ..profile import xapi

INDICATOR = "policy.learning"
KIND = "class_attendance"


def attendance_score(row: ClassAttendance, session: ClassSession) -> float | None:
    """0-100: the credited share of the session's hours; None while a sign-out is awaited."""
    if row.status == "absent":
        return 0.0
    if session.requires_sign_out and row.method == "qr" and row.signed_out_at is None:
        return None
    return round(100 * min(1.0, row.hours / session.hours), 1) if session.hours else 0.0


def attendance_evidence(row: ClassAttendance, session: ClassSession, **_kwargs) -> list[Item]:
    score = attendance_score(row, session)
    if score is None:
        return []
    return [Item(user_id=row.user_id, indicator=INDICATOR, score=score, source_id=row.id,
                 source_ref=f"{KIND}:{row.id}", at=row.signed_in_at or row.updated_at)]


def attendance_links(records) -> dict[int, str]:
    ids = {r.source_id for r in records if r.source_id is not None}
    classes = dict(db.session.execute(select(ClassAttendance.id, ClassSession.class_id).join(ClassSession)
                                      .where(ClassAttendance.id.in_(ids))).all()) if ids else {}
    return {r.id: f"/train/{classes[r.source_id]}" for r in records if r.source_id in classes}


def attendance_statements(context: StatementContext) -> list[dict]:
    config, out = context.config, []
    for row, session in db.session.execute(select(ClassAttendance, ClassSession).join(ClassSession).where(
            ClassAttendance.user_id.in_(context.user_ids), ClassAttendance.status == "present")):
        obj = xapi.activity(config.activity_id("class-session", session.id), session.topic, "lesson")
        out.append(xapi.build_statement(
            config, actor=context.actors[row.user_id], verb_key="experienced", obj=obj,
            timestamp=row.signed_in_at or row.updated_at, source_ref=f"{KIND}:{row.id}",
            result=xapi.result(completion=row.hours > 0, extensions=None),
            indicator_scores=context.scores.get((KIND, row.id))))
    return out


def register() -> None:
    register_source(Source(KIND, _l("class session attended"), verb="experienced", activity_type="lesson",
                           links=attendance_links, statements=attendance_statements, on_repeat="replace"),
                    signal=signals.session_attended, collect=attendance_evidence)
