"""Learning progress, credited hours and required courses (callers commit).

Everything here takes the learner (or the acting organizer) as an argument and answers with a
fixed number of queries, whatever the number of courses, lessons or people.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import Select, and_, extract, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased, lazyload

from .. import clock
from ..extensions import db
from ..models import (
    Area, ClassAttendance, ClassSession, Course, CourseAssignment, Lesson, LessonProgress, TrainingClass, User, UserRole,
)
from ..scope import scope_users


@dataclass
class Progress:
    done: int
    total: int

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0

    @property
    def complete(self) -> bool:
        return self.total > 0 and self.done >= self.total


@dataclass
class HoursRequirement:
    tier: str
    earned: float
    required: float

    @property
    def percent(self) -> int:
        return min(100, round(100 * self.earned / self.required)) if self.required else 100

    @property
    def met(self) -> bool:
        return self.earned + 1e-9 >= self.required


def course_progress(user: User, course_ids: list[int] | None = None) -> dict[int, Progress]:
    """Done/total active lessons per active course (all of them, or those in ``course_ids``)."""
    totals = select(Lesson.course_id, func.count(Lesson.id)).where(Lesson.active).group_by(Lesson.course_id)
    done = (select(Lesson.course_id, func.count(LessonProgress.id))
            .join(LessonProgress, LessonProgress.lesson_id == Lesson.id)
            .where(Lesson.active, LessonProgress.user_id == user.id).group_by(Lesson.course_id))
    if course_ids is not None:
        totals = totals.where(Lesson.course_id.in_(course_ids))
        done = done.where(Lesson.course_id.in_(course_ids))
    done_by_course = dict(db.session.execute(done).all())
    return {cid: Progress(done_by_course.get(cid, 0), total) for cid, total in db.session.execute(totals).all()}


def lesson_records(user: User, course: Course) -> dict[int, LessonProgress]:
    """lesson id → the learner's hours record, for the lessons of ``course`` they have been credited."""
    return {row.lesson_id: row for row in db.session.scalars(
        select(LessonProgress).join(Lesson).where(LessonProgress.user_id == user.id, Lesson.course_id == course.id))}


def mark_done(user: User, lesson: Lesson, *, at: datetime | None = None, reading_seconds: int | None = None,
              check_right: int | None = None, check_asked: int | None = None, check_tries: int | None = None) -> bool:
    """Write the hours record of ``user`` for ``lesson``; False when it exists already.

    The low-level write, which checks nothing: learners earn hours through ``app.learn.check.credit_lesson``
    (reading time and lesson check), which calls this with how they were earned."""
    exists = db.session.scalar(select(LessonProgress.id).where(
        LessonProgress.user_id == user.id, LessonProgress.lesson_id == lesson.id))
    if exists is not None:
        return False
    savepoint = db.session.begin_nested()
    try:
        db.session.add(LessonProgress(user_id=user.id, lesson_id=lesson.id, hours=lesson.hours,
                                      completed_at=at or clock.utcnow(), content_hash=lesson.content_hash,
                                      reading_seconds=reading_seconds,
                                      check_right=check_right, check_asked=check_asked, check_tries=check_tries))
        savepoint.commit()
    except IntegrityError:  # a parallel request raced us: the first one counts
        savepoint.rollback()
        return False
    return True


def hours_by_tier(user: User, since: datetime | None = None) -> dict[str, float]:
    """Credited hours per tier: online lessons (by completion time) plus attended class sessions (by the
    session's start), both since ``since`` if given."""
    query = (select(Course.tier, func.coalesce(func.sum(LessonProgress.hours), 0.0))
             .select_from(LessonProgress).join(Lesson).join(Course)
             .where(LessonProgress.user_id == user.id).group_by(Course.tier))
    classes = (select(TrainingClass.tier, func.coalesce(func.sum(ClassAttendance.hours), 0.0))
               .select_from(ClassAttendance).join(ClassSession).join(TrainingClass)
               .where(ClassAttendance.user_id == user.id).group_by(TrainingClass.tier))
    if since is not None:
        query = query.where(LessonProgress.completed_at >= since)
        classes = classes.where(ClassSession.starts_at >= since)
    totals: dict[str, float] = defaultdict(float)
    for tier, hours in [*db.session.execute(query).all(), *db.session.execute(classes).all()]:
        totals[tier] += float(hours)
    return dict(totals)


def onboarding_applies(user: User, today: date | None = None) -> bool:
    """Onboarding training (入职培训) is for new workers: hired less than a year ago, or a worker whose
    hire date is not recorded and who is not a mentor (mentors are experienced workers by rule)."""
    if user.hire_date is None:
        return user.has_role("worker") and not user.has_role("mentor")
    today = today or clock.local_today()
    return user.hire_date > today - timedelta(days=365)


def hour_requirements(user: User, config) -> list[HoursRequirement]:
    """Onboarding hours (all time, for new workers only) and annual-rotation hours (this calendar year)
    against the settings."""
    per_day = config["TRAINING_HOURS_PER_DAY"]
    this_year = hours_by_tier(user, since=clock.year_start(config["BABEL_DEFAULT_TIMEZONE"]))
    result = [HoursRequirement("annual", this_year.get("annual", 0.0), config["ANNUAL_REQUIRED_DAYS"] * per_day)]
    if onboarding_applies(user):
        all_time = hours_by_tier(user)
        result.insert(0, HoursRequirement("onboarding", all_time.get("onboarding", 0.0),
                                          config["ONBOARDING_REQUIRED_DAYS"] * per_day))
    return result


def _assignment_applies():
    """SQL condition: the assignment names the user, or targets one of their roles at or above their area."""
    target_area = aliased(Area)
    role_match = and_(
        CourseAssignment.role.is_not(None),
        select(UserRole.user_id).where(UserRole.user_id == User.id, UserRole.role == CourseAssignment.role)
        .exists(),
        Area.path.startswith(
            select(target_area.path).where(target_area.id == CourseAssignment.area_id).scalar_subquery()),
    )
    return or_(CourseAssignment.user_id == User.id, role_match)


def required_courses(user: User) -> list[tuple[Course, CourseAssignment]]:
    """Active courses required of ``user`` (earliest-due assignment per course), in the order to take
    them (``_next_step_order``)."""
    return required_courses_of([user.id]).get(user.id, [])


def required_courses_of(user_ids) -> dict[int, list[tuple[Course, CourseAssignment]]]:
    """``required_courses`` of several people, in one query (people with none are left out)."""
    rows = db.session.execute(
        select(User.id, Course, CourseAssignment)
        .join(CourseAssignment, CourseAssignment.course_id == Course.id)
        .join(User, User.id.in_(list(user_ids)))
        .join(Area, Area.id == User.area_id)
        .where(Course.active, _assignment_applies())
    ).all()
    chosen: dict[int, dict[int, tuple[Course, CourseAssignment]]] = defaultdict(dict)
    for user_id, course, assignment in rows:
        current = chosen[user_id].get(course.id)
        if current is None or (assignment.due_date and (current[1].due_date is None
                                                        or assignment.due_date < current[1].due_date)):
            chosen[user_id][course.id] = (course, assignment)
    return {user_id: sorted(courses.values(), key=_next_step_order) for user_id, courses in chosen.items()}


def course_progress_of(user_ids, course_ids: list[int]) -> dict[int, dict[int, Progress]]:
    """``course_progress(user, course_ids)`` of several people, in two queries: person → course → Progress."""
    user_ids = list(user_ids)
    totals = dict(db.session.execute(select(Lesson.course_id, func.count(Lesson.id))
                                     .where(Lesson.active, Lesson.course_id.in_(course_ids))
                                     .group_by(Lesson.course_id)).all()) if course_ids else {}
    done: dict[int, dict[int, int]] = defaultdict(dict)
    if totals and user_ids:
        for user_id, course_id, count in db.session.execute(
                select(LessonProgress.user_id, Lesson.course_id, func.count(LessonProgress.id))
                .join(LessonProgress, LessonProgress.lesson_id == Lesson.id)
                .where(Lesson.active, Lesson.course_id.in_(course_ids), LessonProgress.user_id.in_(user_ids))
                .group_by(LessonProgress.user_id, Lesson.course_id)).all():
            done[user_id][course_id] = count
    return {uid: {cid: Progress(done[uid].get(cid, 0), total) for cid, total in totals.items()} for uid in user_ids}


#: Tiers in the order a worker takes them: onboarding first, then annual rotation, then topical courses.
TIER_ORDER = ("onboarding", "annual", "topical")


def _next_step_order(item: tuple[Course, CourseAssignment]) -> tuple:
    """Required courses in the order to take them: by tier (onboarding first), then the nearest due
    date (none last), then catalogue order."""
    course, assignment = item
    tier = TIER_ORDER.index(course.tier) if course.tier in TIER_ORDER else len(TIER_ORDER)
    return (tier, assignment.due_date is None, assignment.due_date or date.max, course.sort_order, course.id)


def completion_matrix(users: list[User], course_ids: list[int]) -> dict[tuple[int, int], Progress]:
    """(user id, course id) → Progress for many people at once, in two queries."""
    if not users or not course_ids:
        return {}
    user_ids = [u.id for u in users]
    totals = dict(db.session.execute(
        select(Lesson.course_id, func.count(Lesson.id))
        .where(Lesson.active, Lesson.course_id.in_(course_ids)).group_by(Lesson.course_id)).all())
    done: dict[tuple[int, int], int] = defaultdict(int)
    for uid, cid, count in db.session.execute(
            select(LessonProgress.user_id, Lesson.course_id, func.count(LessonProgress.id))
            .join(Lesson).where(Lesson.active, Lesson.course_id.in_(course_ids),
                                LessonProgress.user_id.in_(user_ids))
            .group_by(LessonProgress.user_id, Lesson.course_id)).all():
        done[(uid, cid)] = count
    return {(uid, cid): Progress(done[(uid, cid)], totals.get(cid, 0)) for uid in user_ids for cid in course_ids}


def next_lesson(user: User, courses: list[Course]) -> Lesson | None:
    """The first lesson ``user`` has not done of the first of ``courses`` not finished, else None."""
    if not courses:
        return None
    done = set(db.session.scalars(select(LessonProgress.lesson_id).where(LessonProgress.user_id == user.id)))
    for course in courses:
        for lesson in course.active_lessons:
            if lesson.id not in done:
                return lesson
    return None


def required_map(users: list[User]) -> dict[int, set[int]]:
    """user id → ids of the courses required of them, for many people in one query."""
    if not users:
        return {}
    rows = db.session.execute(
        select(User.id, CourseAssignment.course_id)
        .select_from(User).join(Area, Area.id == User.area_id)
        .join(CourseAssignment, _assignment_applies())
        .join(Course, Course.id == CourseAssignment.course_id)
        .where(User.id.in_([u.id for u in users]), Course.active)).all()
    result: dict[int, set[int]] = defaultdict(set)
    for uid, cid in rows:
        result[uid].add(cid)
    return result


@dataclass
class AreaSummary:
    learners: int = 0
    not_started: int = 0
    in_progress: int = 0
    complete: int = 0
    no_required: int = 0
    password_pending: int = 0


def learners_query(actor: User, within: Area | None = None, hired: int | None = None) -> Select:
    """People in ``actor``'s scope who learn (hold the worker or mentor role), active accounts only;
    with ``within``, only those at or below that area; with ``hired``, only those hired that year."""
    learner = select(UserRole.user_id).where(UserRole.user_id == User.id,
                                             UserRole.role.in_(("worker", "mentor"))).exists()
    # roles are not needed here: skip the eager load that costs one query per 500 people
    query = scope_users(actor).where(User.active, learner).options(lazyload(User.role_rows))
    if within is not None:
        query = query.where(Area.path.startswith(within.path, autoescape=True))
    if hired:
        query = query.where(extract("year", User.hire_date) == hired)
    return query


def area_summary(actor: User) -> AreaSummary:
    """How the learners below ``actor`` stand on their required courses (a fixed number of queries)."""
    learners = db.session.scalars(learners_query(actor)).all()
    required = required_map(learners)
    course_ids = sorted({cid for ids in required.values() for cid in ids})
    matrix = completion_matrix(learners, course_ids)
    summary = AreaSummary(learners=len(learners))
    for person in learners:
        summary.password_pending += person.must_change_password
        ids = required.get(person.id)
        if not ids:
            summary.no_required += 1
            continue
        done = [matrix[(person.id, cid)] for cid in ids]
        if all(p.complete for p in done):
            summary.complete += 1
        elif any(p.done for p in done):
            summary.in_progress += 1
        else:
            summary.not_started += 1
    return summary


@dataclass
class CompletionGrid:
    """People × the courses required of any of them, with each person's progress on theirs."""
    courses: list[Course]
    required: dict[int, set[int]]                 # user id → ids of the courses required of them
    matrix: dict[tuple[int, int], Progress]       # (user id, course id) → progress


def completion_grid(people: list[User]) -> CompletionGrid:
    """The completion table of ``people`` (a page of ``learners_query``), in four queries."""
    required = required_map(people)
    course_ids = sorted({cid for ids in required.values() for cid in ids})
    courses = db.session.scalars(select(Course).where(Course.id.in_(course_ids))
                                 .order_by(Course.tier, Course.sort_order)).all() if course_ids else []
    return CompletionGrid(courses=courses, required=required, matrix=completion_matrix(people, [c.id for c in courses]))
