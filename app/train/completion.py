"""After the sessions: ratings of sessions and instructors, completing a class (结业, with a certificate
number issued once), and the credit hours of a person from classes and online lessons, each saying
where it came from, with the 学时证明 (hours statement) PDF. Callers commit."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from .. import audit, clock
from ..certificates import DEFAULT_SUBTITLES, render_certificate
from ..extensions import db
from ..labels import official_name
from ..models import (
    ClassAttendance, ClassEnrolment, ClassSession, Course, Lesson, LessonProgress, QuizAttempt, SessionRating,
    TrainingClass, User,
)
from ..notifications import notify
from ..refusal import FieldRefusal, Refusal
from . import rules, service
from .statement import TIER_ZH, StatementRow, render_statement


# --- ratings -------------------------------------------------------------------------------------------

def rate(user: User, session: ClassSession, session_score: int | None, instructor_score: int | None,
         comment: str) -> SessionRating:
    """An attendee rates a session that has ended and its instructor, once."""
    attended = db.session.scalar(select(ClassAttendance.id).where(
        ClassAttendance.session_id == session.id, ClassAttendance.user_id == user.id,
        ClassAttendance.status == "present"))
    if attended is None:
        raise Refusal(_("Only those who attended a session rate it."))
    if service.now() < session.ends_at:
        raise Refusal(_("Rate the session once it has ended."))
    if session_score not in range(1, 6):
        raise FieldRefusal(_("Rate the session from 1 to 5."), "session_score")
    if instructor_score not in range(1, 6):
        raise FieldRefusal(_("Rate the instructor from 1 to 5."), "instructor_score")
    exists = db.session.scalar(select(SessionRating.id).where(SessionRating.session_id == session.id,
                                                              SessionRating.user_id == user.id))
    if exists is not None:
        raise Refusal(_("You have rated this session already."))
    row = SessionRating(session_id=session.id, user_id=user.id, session_score=session_score,
                        instructor_score=instructor_score, comment=(comment or "").strip()[:1000])
    db.session.add(row)
    db.session.flush()
    return row


@dataclass
class RatingSummary:
    count: int
    session_mean: float | None
    instructor_mean: float | None
    rows: list[dict]


def ratings_of(session: ClassSession, *, with_names: bool) -> RatingSummary:
    """The ratings of a session: with the raters' names for organizers; without, and in an order that
    says nothing about who rated when, for the instructor."""
    rows = db.session.scalars(select(SessionRating).where(SessionRating.session_id == session.id)
                              .order_by(SessionRating.created_at)).all()
    shown = [{"name": r.user.name if with_names else None, "session": r.session_score,
              "instructor": r.instructor_score, "comment": r.comment} for r in rows]
    if not with_names:
        shown.sort(key=lambda r: (-r["session"], -r["instructor"], r["comment"]))
    count = len(rows)
    return RatingSummary(count, round(sum(r.session_score for r in rows) / count, 2) if count else None,
                         round(sum(r.instructor_score for r in rows) / count, 2) if count else None, shown)


# --- completion ---------------------------------------------------------------------------------------

def _attended_hours(user_ids: list[int], training_class: TrainingClass) -> dict[int, float]:
    if not user_ids:
        return {}
    return {uid: float(h) for uid, h in db.session.execute(
        select(ClassAttendance.user_id, func.coalesce(func.sum(ClassAttendance.hours), 0.0))
        .join(ClassSession).where(ClassSession.class_id == training_class.id,
                                  ClassAttendance.user_id.in_(user_ids)).group_by(ClassAttendance.user_id)).all()}


def _passed(user_ids: list[int], training_class: TrainingClass) -> set[int]:
    if training_class.final_quiz_id is None or not user_ids:
        return set()
    return set(db.session.scalars(select(QuizAttempt.user_id).where(
        QuizAttempt.quiz_id == training_class.final_quiz_id, QuizAttempt.user_id.in_(user_ids),
        QuizAttempt.passed.is_(True))))


def progress(user: User, training_class: TrainingClass) -> rules.Completion:
    return _completion(user.id, training_class, _attended_hours([user.id], training_class),
                       _passed([user.id], training_class))


def _completion(user_id: int, training_class: TrainingClass, hours: dict[int, float],
                passed: set[int]) -> rules.Completion:
    return rules.completion(round(hours.get(user_id, 0.0), 1), service.planned_hours(training_class),
                            training_class.min_attendance, quiz_required=training_class.final_quiz_id is not None,
                            quiz_passed=user_id in passed)


def progress_of_class(training_class: TrainingClass) -> list[tuple[ClassEnrolment, rules.Completion]]:
    """Everyone with a place and how they stand on completing the class (three queries)."""
    enrolled = [e for e in training_class.enrolments if e.status == "enrolled"]
    ids = [e.user_id for e in enrolled]
    hours, passed = _attended_hours(ids, training_class), _passed(ids, training_class)
    return [(e, _completion(e.user_id, training_class, hours, passed)) for e in enrolled]


def issue(actor: User, training_class: TrainingClass, tz: str) -> int:
    """Issue the 结业证书 of everyone who completed the class and has none yet; once the last session
    has ended. Each certificate gets a readable number (``2026-长青街道-培训-001``) and its holder is
    notified. Returns how many were issued."""
    if not service.is_organizer(actor, training_class):
        raise Refusal(_("Only the organizers of this class may do that."))
    if not training_class.sessions:
        raise Refusal(_("The class has no sessions yet."))
    moment = service.now()
    if moment < max(s.ends_at for s in training_class.sessions):
        raise Refusal(_("Certificates are issued after the last session has ended."))
    year = clock.local(moment, tz).year
    prefix = f"{year}-{training_class.area.name}-培训-"
    issued = db.session.scalar(select(func.count(ClassEnrolment.id)).where(
        ClassEnrolment.certificate_serial.startswith(prefix, autoescape=True))) or 0
    count = 0
    savepoint = db.session.begin_nested()
    for enrolment, standing in progress_of_class(training_class):
        if enrolment.certificate_serial is not None or not standing.complete:
            continue
        issued += 1
        count += 1
        enrolment.certificate_serial = f"{prefix}{issued:03d}"
        enrolment.completed_at = moment
    try:
        db.session.flush()
        savepoint.commit()
    except IntegrityError:  # numbers taken by certificates issued at the same moment elsewhere
        savepoint.rollback()
        raise Refusal(_("Certificates of this area were being issued at the same moment: please try again.")) from None
    for enrolment in training_class.enrolments:
        if enrolment.completed_at == moment:
            notify(enrolment.user_id, "class_completed", f"/train/{training_class.id}", title=training_class.title,
                   serial=enrolment.certificate_serial)
    if count:
        audit.record(actor, "class.complete", service._target(training_class), after={"count": count},
                     area=training_class.area)
    db.session.flush()
    return count


def certificate_pdf(enrolment: ClassEnrolment, tz: str) -> bytes:
    """The 结业证书 of an enrolment that has one (the same bytes on every download)."""
    training_class = enrolment.training_class
    hours = progress(enrolment.user, training_class).attended_hours
    title = (f"于{training_class.starts_on:%Y年%m月%d日}至{training_class.ends_on:%Y年%m月%d日}参加"
             f"“{training_class.title}”（{TIER_ZH[training_class.tier]}），参训{hours:g}学时")
    issued = clock.local(enrolment.completed_at, tz)
    return render_certificate("completion", enrolment.user.name, title, DEFAULT_SUBTITLES["completion"],
                              f"{issued.year}年{issued.month}月{issued.day}日", official_name(training_class.area),
                              enrolment.certificate_serial, created=enrolment.completed_at)


# --- hours, each from somewhere --------------------------------------------------------------------------

@dataclass
class Credit:
    at: datetime
    source: str          # "class" or "lesson"
    title: str
    tier: str
    hours: float
    basis: str
    link: str


def _year_bounds(year: int, tz: str) -> tuple[datetime, datetime]:
    zone = clock.zone(tz)
    return (datetime(year, 1, 1, tzinfo=zone).astimezone(timezone.utc),
            datetime(year + 1, 1, 1, tzinfo=zone).astimezone(timezone.utc))


def credits(user: User, year: int | None, tz: str) -> list[Credit]:
    """Every credit of ``user`` (a year's, or all), newest first: attended class sessions and online lessons."""
    lessons = (select(LessonProgress, Lesson, Course).join(Lesson, LessonProgress.lesson_id == Lesson.id)
               .join(Course, Lesson.course_id == Course.id).where(LessonProgress.user_id == user.id))
    sessions = (select(ClassAttendance, ClassSession, TrainingClass).select_from(ClassAttendance)
                .join(ClassSession, ClassAttendance.session_id == ClassSession.id)
                .join(TrainingClass, ClassSession.class_id == TrainingClass.id).where(ClassAttendance.user_id == user.id, ClassAttendance.hours > 0))
    if year is not None:
        start, end = _year_bounds(year, tz)
        lessons = lessons.where(LessonProgress.completed_at >= start, LessonProgress.completed_at < end)
        sessions = sessions.where(ClassSession.starts_at >= start, ClassSession.starts_at < end)
    out = []
    for row, lesson, course in db.session.execute(lessons).all():
        minutes = round(row.reading_seconds / 60) if row.reading_seconds else None
        basis = _("read %(minutes)d min, lesson check passed", minutes=minutes) if minutes is not None \
            else _("lesson completed")
        out.append(Credit(row.completed_at, "lesson", f"{course.title} · {lesson.title}", course.tier, row.hours, basis,
                          f"/courses/{course.slug}/{lesson.slug}"))
    for row, session, training_class in db.session.execute(sessions).all():
        if row.method == "manual":
            basis = _("recorded by hand: %(reason)s", reason=row.reason)
        elif row.late_minutes > rules.GRACE_MINUTES or row.early_minutes > rules.GRACE_MINUTES:
            basis = _("signed in %(late)d min late, left %(early)d min early (%(working)s)", late=row.late_minutes,
                      early=row.early_minutes, working=row.basis)
        else:
            basis = _("signed in with the QR code (%(working)s)", working=row.basis)
        out.append(Credit(session.starts_at, "class", f"{training_class.title} · {session.topic}", training_class.tier,
                          row.hours, basis, f"/train/{training_class.id}"))
    out.sort(key=lambda c: c.at, reverse=True)
    return out


def statement_pdf(user: User, year: int | None, tz: str) -> bytes:
    """The 学时证明 of ``user`` for ``year`` (None: all time)."""
    rows = [StatementRow(clock.local_text(c.at, "%Y-%m-%d", tz), "培训班" if c.source == "class" else "网络课程",
                         c.title, TIER_ZH[c.tier], c.hours) for c in reversed(credits(user, year, tz))]
    period = f"{year}年度" if year else "全部时间"
    today = clock.local_today(tz)
    return render_statement(name=user.name, number=user.worker_number or user.username,
                            area=user.area.name if user.area else "", period=period, rows=rows,
                            issued=f"{today.year}年{today.month}月{today.day}日")
