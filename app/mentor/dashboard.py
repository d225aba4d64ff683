"""What a mentor (or organizer) sees of one mentee on one phone screen: progress, results, visits,
and the items that need attention, gathered with a fixed number of queries per mentee."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import func, select

from .. import competency
from ..clock import utcnow
from ..extensions import db
from ..learn.progress import course_progress, required_courses
from ..models import DrillAttempt, DrillComment, DrillStep, LessonProgress, Lesson, Mentorship, QuizAttempt
from ..profile.charts import Series, radar_svg
from ..profile.service import profiles_for
from . import rules
from .service import visits_by_month


@dataclass
class MenteeCard:
    pairing: Mentorship
    days_in: int
    days_left: int
    visits_this_month: int
    visit_minimum: int
    short_months: list = field(default_factory=list)
    courses: list = field(default_factory=list)         # (course, progress)
    quizzes: list = field(default_factory=list)         # QuizAttempt, newest first
    drills: list = field(default_factory=list)          # DrillAttempt, newest first
    attention: list = field(default_factory=list)       # rules.AttentionItem
    radar: str = ""                                     # SVG of the five abilities, now and 3 months ago


def _radar(mentee) -> Markup:
    now = utcnow()
    current = profiles_for([mentee.id], now)[mentee.id]
    before = profiles_for([mentee.id], now - timedelta(days=91))[mentee.id]
    groups = {item.group_id: item.group_title for item in competency.model()}
    return Markup(radar_svg(list(groups.items()),
                            [Series(_("now"), {g: current.groups[g].level for g in groups}),
                             Series(_("3 months ago"), {g: before.groups[g].level for g in groups},
                                    dashed=True, fill=False)],
                            title=_("Competency groups"), missing_label=_("not enough evidence yet")))


def mentee_card(pairing: Mentorship, today: date, visit_minimum: int) -> MenteeCard:
    mentee = pairing.mentee
    by_month = visits_by_month(pairing)
    this_month = by_month.get(today.strftime("%Y-%m"), 0)
    months = rules.term_months(pairing.start_date, min(today, pairing.planned_end))
    check = rules.visits_short(by_month, months, today=today, minimum=visit_minimum)
    required = required_courses(mentee)
    progress = course_progress(mentee, [c.id for c, _a in required])
    courses = [(course, progress.get(course.id)) for course, _a in required]
    quizzes = db.session.scalars(select(QuizAttempt).where(QuizAttempt.user_id == mentee.id,
                                                           QuizAttempt.submitted_at.is_not(None))
                                 .order_by(QuizAttempt.submitted_at.desc()).limit(5)).all()
    drills = db.session.scalars(select(DrillAttempt).where(DrillAttempt.user_id == mentee.id)
                                .order_by(DrillAttempt.started_at.desc()).limit(5)).all()
    commented = set(db.session.scalars(select(DrillStep.attempt_id).join(DrillComment)
                                       .where(DrillComment.author_id == pairing.mentor_id)))
    failed = [a.id for a in drills if a.outcome == "failure" and a.id not in commented]
    last_progress = dict(db.session.execute(
        select(Lesson.course_id, func.max(LessonProgress.completed_at)).join(LessonProgress)
        .where(LessonProgress.user_id == mentee.id).group_by(Lesson.course_id)).all())
    stalled = {}
    for course, p in courses:
        if p is None or not p.complete:
            last = last_progress.get(course.id)
            stalled[course.title] = last.date() if last else pairing.start_date
    card = MenteeCard(pairing=pairing, days_in=(today - pairing.start_date).days,
                      days_left=(pairing.planned_end - today).days, visits_this_month=this_month,
                      visit_minimum=visit_minimum, short_months=list(check.short), courses=courses,
                      quizzes=quizzes, drills=drills)
    card.radar = _radar(mentee)
    if pairing.status == "active":
        card.attention = rules.attention_items(
            today=today, visits_this_month=this_month, visit_minimum=visit_minimum,
            failed_drills_uncommented=failed, course_last_progress=stalled,
            planned_end=pairing.planned_end, signed_off=pairing.signed_off_at is not None)
    return card
