"""What a mentor (or organizer) sees of one mentee on one phone screen: progress, results, visits,
and the items that need attention, gathered with a fixed number of queries per mentee; and what a
sign-off of independence rests on (``readiness``), from the same data functions.

Results of attempts that are sealed (``app.sealing``: a competition round still running) are shown
as submitted only and left out of the readiness counts."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import func, select

from .. import competency
from ..clock import utcnow
from ..extensions import db
from ..learn.progress import HoursRequirement, course_progress, hour_requirements, required_courses
from ..models import DrillAttempt, DrillComment, DrillStep, LessonProgress, Lesson, Mentorship, QuizAttempt
from ..profile.charts import Series, radar_svg
from ..profile.service import profiles_for
from ..sealing import sealed
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
    sealed: set = field(default_factory=set)            # sealed_ids of attempts shown as "submitted" only

    def hides(self, attempt) -> bool:
        """Is ``attempt``'s result sealed (shown as submitted only)?"""
        return (type(attempt).__name__, attempt.id) in self.sealed


@dataclass
class Readiness:
    """What the sign-off of independence rests on: onboarding completion and results."""

    courses_done: int
    courses_total: int
    hours: HoursRequirement | None                      # onboarding hours against the requirement
    quizzes: int                                        # submitted quiz attempts with a visible score
    quizzes_passed: int
    quiz_mean: int | None
    drills: dict                                        # outcome → finished drill attempts with it
    sealed: int                                         # attempts left out: their results are sealed

    @property
    def drills_finished(self) -> int:
        return sum(self.drills.values())


def required_progress(mentee) -> list:
    """(course, Progress or None) per course required of ``mentee``, in catalogue order."""
    required = required_courses(mentee)
    progress = course_progress(mentee, [c.id for c, _a in required])
    return [(course, progress.get(course.id)) for course, _a in required]


def quiz_results(mentee, limit: int | None = None) -> list[QuizAttempt]:
    """Submitted quiz attempts, newest first."""
    query = (select(QuizAttempt).where(QuizAttempt.user_id == mentee.id, QuizAttempt.submitted_at.is_not(None))
             .order_by(QuizAttempt.submitted_at.desc()))
    return db.session.scalars(query.limit(limit) if limit else query).all()


def drill_results(mentee, limit: int | None = None) -> list[DrillAttempt]:
    """Drill attempts (finished or not), newest first."""
    query = select(DrillAttempt).where(DrillAttempt.user_id == mentee.id).order_by(DrillAttempt.started_at.desc())
    return db.session.scalars(query.limit(limit) if limit else query).all()


def sealed_ids(attempts) -> set:
    """(kind, id) of the attempts whose results are sealed."""
    return {(type(a).__name__, a.id) for a in attempts if sealed(a)}


def readiness(pairing: Mentorship, config) -> Readiness:
    """The mentee's required courses, onboarding hours, quiz results and drill outcomes, in full."""
    mentee = pairing.mentee
    courses = required_progress(mentee)
    hours = next((h for h in hour_requirements(mentee, config) if h.tier == "onboarding"), None)
    quizzes, drills = quiz_results(mentee), [a for a in drill_results(mentee) if a.outcome is not None]
    hidden = sealed_ids([*quizzes, *drills])
    scored = [a for a in quizzes if ("QuizAttempt", a.id) not in hidden and a.score is not None]
    outcomes: dict[str, int] = {}
    for attempt in drills:
        if ("DrillAttempt", attempt.id) not in hidden:
            outcomes[attempt.outcome] = outcomes.get(attempt.outcome, 0) + 1
    return Readiness(courses_done=sum(1 for _c, p in courses if p is not None and p.complete),
                     courses_total=len(courses), hours=hours, quizzes=len(scored),
                     quizzes_passed=sum(1 for a in scored if a.passed),
                     quiz_mean=round(sum(a.score for a in scored) / len(scored)) if scored else None,
                     drills=outcomes, sealed=len(hidden))


def _radar(mentee) -> Markup:
    now = utcnow()
    current = profiles_for([mentee.id], now)[mentee.id]
    before = profiles_for([mentee.id], now - timedelta(days=91))[mentee.id]
    groups = {item.group_id: item.group_title for item in competency.model()}
    return Markup(radar_svg(list(groups.items()),  # noqa: S704 (app.profile.charts XML-escapes every text)
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
    courses = required_progress(mentee)
    quizzes, drills = quiz_results(mentee, 5), drill_results(mentee, 5)
    commented = set(db.session.scalars(select(DrillStep.attempt_id).join(DrillComment)
                                       .where(DrillComment.author_id == pairing.mentor_id)))
    hidden = sealed_ids([*quizzes, *drills])
    failed = [a.id for a in drills if a.outcome == "failure" and a.id not in commented
              and ("DrillAttempt", a.id) not in hidden]
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
                      quizzes=quizzes, drills=drills, sealed=hidden)
    card.radar = _radar(mentee)
    if pairing.status == "active":
        card.attention = rules.attention_items(
            today=today, visits_this_month=this_month, visit_minimum=visit_minimum,
            failed_drills_uncommented=failed, course_last_progress=stalled,
            planned_end=pairing.planned_end, signed_off=pairing.signed_off_at is not None)
    return card
