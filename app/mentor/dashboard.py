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
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.attributes import set_committed_value

from .. import competency
from ..clock import utcnow
from ..extensions import db
from ..learn.progress import (
    HoursRequirement, course_progress, course_progress_of, hour_requirements, required_courses, required_courses_of,
)
from ..models import (
    DrillAttempt, DrillComment, DrillStep, DrillVersion, JointVisit, LessonProgress, Lesson, Mentorship, QuizAttempt, User,
)
from ..profile.charts import Series, radar_svg
from ..profile.service import profiles_for
from ..sealing import sealed_among
from . import rules


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
    return sealed_among(attempts)


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


def _radar(current, before) -> Markup:
    """The five abilities now and three months ago, from two scored profiles."""
    groups = {item.group_id: item.group_title for item in competency.model()}
    return Markup(radar_svg(list(groups.items()),  # noqa: S704 (app.profile.charts XML-escapes every text)
                            [Series(_("now"), {g: current.groups[g].level for g in groups}),
                             Series(_("3 months ago"), {g: before.groups[g].level for g in groups},
                                    dashed=True, fill=False)],
                            title=_("Competency groups"), missing_label=_("not enough evidence yet")))


def _newest(model, order, user_ids: list[int], limit: int, *where, options=()) -> dict[int, list]:
    """Each person's ``limit`` newest rows of ``model`` by ``order``, in one query (a window function)."""
    ranked = (select(model.id, func.row_number().over(partition_by=model.user_id, order_by=(order.desc(), model.id.desc()))
                     .label("rank")).where(model.user_id.in_(user_ids), *where).subquery())
    rows = db.session.scalars(select(model).join(ranked, ranked.c.id == model.id).where(ranked.c.rank <= limit)
                              .order_by(model.user_id, order.desc(), model.id.desc()).options(*options)).all()
    found: dict[int, list] = {uid: [] for uid in user_ids}
    for row in rows:
        found[row.user_id].append(row)
    return found


def mentee_card(pairing: Mentorship, today: date, visit_minimum: int) -> MenteeCard:
    return mentee_cards([pairing], today, visit_minimum)[0]


def mentee_cards(pairings: list[Mentorship], today: date, visit_minimum: int) -> list[MenteeCard]:
    """A card per pairing, built with the same number of queries for one pairing as for many: every
    list (mentees, visits, required courses and their progress, the newest quizzes and drills, the
    mentors' comments, sealing, lesson dates, evidence for the radars) is read once for all."""
    if not pairings:
        return []
    mentee_ids = sorted({p.mentee_id for p in pairings})
    mentees = {p.mentee_id: p.__dict__["mentee"] for p in pairings if "mentee" in p.__dict__}
    missing = [uid for uid in mentee_ids if uid not in mentees]
    if missing:
        mentees.update((u.id, u) for u in db.session.scalars(select(User).where(User.id.in_(missing))))
    visits: dict[int, dict[str, int]] = {p.id: {} for p in pairings}
    for pairing_id, day in db.session.execute(
            select(JointVisit.mentorship_id, JointVisit.visit_date)
            .where(JointVisit.mentorship_id.in_([p.id for p in pairings]), JointVisit.confirmed_at.is_not(None))):
        key = day.strftime("%Y-%m")
        visits[pairing_id][key] = visits[pairing_id].get(key, 0) + 1
    required = required_courses_of(mentee_ids)
    course_ids = sorted({c.id for courses in required.values() for c, _a in courses})
    progress = course_progress_of(mentee_ids, course_ids)
    quizzes = _newest(QuizAttempt, QuizAttempt.submitted_at, mentee_ids, 5, QuizAttempt.submitted_at.is_not(None),
                      options=[selectinload(QuizAttempt.quiz)])
    drills = _newest(DrillAttempt, DrillAttempt.started_at, mentee_ids, 5,
                     options=[selectinload(DrillAttempt.drill_version).defer(DrillVersion.data)])
    commented: dict[int, set[int]] = {}
    for author_id, attempt_id in db.session.execute(
            select(DrillComment.author_id, DrillStep.attempt_id).join(DrillStep, DrillComment.step_id == DrillStep.id)
            .where(DrillComment.author_id.in_({p.mentor_id for p in pairings})).distinct()):
        commented.setdefault(author_id, set()).add(attempt_id)
    hidden = sealed_among([a for uid in mentee_ids for a in (*quizzes[uid], *drills[uid])])
    last_progress: dict[int, dict[int, object]] = {uid: {} for uid in mentee_ids}
    for user_id, course_id, last in db.session.execute(
            select(LessonProgress.user_id, Lesson.course_id, func.max(LessonProgress.completed_at))
            .join(Lesson, Lesson.id == LessonProgress.lesson_id)
            .where(LessonProgress.user_id.in_(mentee_ids)).group_by(LessonProgress.user_id, Lesson.course_id)):
        last_progress[user_id][course_id] = last
    now = utcnow()
    profiles_now, profiles_before = profiles_for(mentee_ids, now), profiles_for(mentee_ids, now - timedelta(days=91))

    cards = []
    for pairing in pairings:
        uid = pairing.mentee_id
        set_committed_value(pairing, "mentee", mentees[uid])
        by_month = visits[pairing.id]
        this_month = by_month.get(today.strftime("%Y-%m"), 0)
        months = rules.term_months(pairing.start_date, min(today, pairing.planned_end))
        check = rules.visits_short(by_month, months, today=today, minimum=visit_minimum)
        courses = [(course, progress[uid].get(course.id)) for course, _a in required.get(uid, [])]
        mine = {key for key in hidden if key in {(type(a).__name__, a.id) for a in (*quizzes[uid], *drills[uid])}}
        failed = [a.id for a in drills[uid] if a.outcome == "failure"
                  and a.id not in commented.get(pairing.mentor_id, set()) and ("DrillAttempt", a.id) not in mine]
        stalled = {}
        for course, p in courses:
            if p is None or not p.complete:
                last = last_progress[uid].get(course.id)
                stalled[course.title] = last.date() if last else pairing.start_date
        card = MenteeCard(pairing=pairing, days_in=(today - pairing.start_date).days,
                          days_left=(pairing.planned_end - today).days, visits_this_month=this_month,
                          visit_minimum=visit_minimum, short_months=list(check.short), courses=courses,
                          quizzes=quizzes[uid], drills=drills[uid], sealed=mine)
        card.radar = _radar(profiles_now[uid], profiles_before[uid])
        if pairing.status == "active":
            card.attention = rules.attention_items(
                today=today, visits_this_month=this_month, visit_minimum=visit_minimum,
                failed_drills_uncommented=failed, course_last_progress=stalled,
                planned_end=pairing.planned_end, signed_off=pairing.signed_off_at is not None)
        cards.append(card)
    return cards
