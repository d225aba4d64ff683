"""Training classes on the server (callers commit): organizers create classes and their timetables
in their area, enrol people (a waiting list when full), take attendance by QR code or by hand,
decide leave requests and issue completion; workers sign in and out, ask for leave and rate sessions.

Every function takes the acting person and checks what they may do; a refused action raises
``Refusal`` with a message in the reader's language.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError

from .. import audit, clock, signals
from ..accounts.roster import read_roster
from ..extensions import db
from ..learn.progress import learners_query
from ..models import (
    Area, ClassAttendance, ClassEnrolment, ClassSession, Course, DrillVersion, LeaveRequest, Quiz, QuizAttempt, SessionRating,
    TrainingClass, User,
)
from ..notifications import notify
from ..refusal import FieldRefusal, Refusal, RuleBroken
from ..scope import can_manage_user, scope_areas, scope_users
from . import rules, tokens

TIERS = ("onboarding", "annual", "topical")


def now() -> datetime:
    """The server's clock for sign-in (one place, so a test can move it)."""
    return clock.utcnow()


# --- who may do what --------------------------------------------------------------------------------

def is_organizer(user: User, training_class: TrainingClass) -> bool:
    """Organizers and admins at or above the class's area run it."""
    return bool(user.is_manager and user.area is not None and training_class.area.is_within(user.area))


def enrolment_of(user: User, training_class: TrainingClass) -> ClassEnrolment | None:
    return db.session.scalar(select(ClassEnrolment).where(ClassEnrolment.class_id == training_class.id,
                                                          ClassEnrolment.user_id == user.id))


def teaches(user: User, training_class: TrainingClass) -> bool:
    return any(s.instructor_id == user.id for s in training_class.sessions)


def can_view(user: User, training_class: TrainingClass) -> bool:
    return is_organizer(user, training_class) or enrolment_of(user, training_class) is not None \
        or teaches(user, training_class)


def visible_classes(user: User) -> list[TrainingClass]:
    """Classes the person runs (their area subtree), is enrolled in or teaches, latest first."""
    mine = select(ClassEnrolment.class_id).where(ClassEnrolment.user_id == user.id)
    taught = select(ClassSession.class_id).where(ClassSession.instructor_id == user.id)
    conditions = [TrainingClass.id.in_(mine), TrainingClass.id.in_(taught)]
    if user.is_manager and user.area is not None:
        conditions.append(TrainingClass.area_id.in_(select(scope_areas(user).subquery().c.id)))
    return db.session.scalars(select(TrainingClass).where(or_(*conditions))
                              .order_by(TrainingClass.starts_on.desc(), TrainingClass.id.desc())).all()


def _check_organizer(actor: User, training_class: TrainingClass) -> None:
    if not is_organizer(actor, training_class):
        raise Refusal(_("Only the organizers of this class may do that."))


# --- classes and timetable -----------------------------------------------------------------------

@dataclass
class ClassFields:
    title: str
    tier: str
    area_id: int | None
    place: str
    starts_on: date | None
    ends_on: date | None
    capacity: int | None
    min_attendance_percent: float | None
    final_quiz_id: int | None = None
    description: str = ""


def create_class(actor: User, fields: ClassFields) -> TrainingClass:
    """A new class in one of ``actor``'s areas. Raises FieldRefusal naming the field that is wrong."""
    title = (fields.title or "").strip()
    if not title:
        raise FieldRefusal(_("Give the class a title."), "title")
    if fields.tier not in TIERS:
        raise FieldRefusal(_("Choose the tier whose hours the class credits."), "tier")
    area = db.session.scalar(scope_areas(actor).where(Area.id == (fields.area_id or -1)))
    if area is None:
        raise FieldRefusal(_("Choose an area of yours."), "area")
    if fields.starts_on is None:
        raise FieldRefusal(_("Give the first day as a date (YYYY-MM-DD)."), "starts_on")
    if fields.ends_on is None:
        raise FieldRefusal(_("Give the last day as a date (YYYY-MM-DD)."), "ends_on")
    if fields.ends_on < fields.starts_on:
        raise FieldRefusal(_("The last day is before the first day."), "ends_on")
    if not fields.capacity or fields.capacity < 1 or fields.capacity > 10000:
        raise FieldRefusal(_("Give the number of places, from 1 to 10000."), "capacity")
    share = fields.min_attendance_percent
    if share is None or not 0 < share <= 100:
        raise FieldRefusal(_("Give the attendance needed to complete as a percentage above 0 and up to 100."),
                           "min_attendance")
    quiz = None
    if fields.final_quiz_id:
        quiz = db.session.get(Quiz, fields.final_quiz_id)
        if quiz is None or not quiz.active:
            raise FieldRefusal(_("Choose a quiz from the list."), "final_quiz")
    training_class = TrainingClass(title=title[:200], tier=fields.tier, area_id=area.id, place=fields.place.strip()[:200],
                                   starts_on=fields.starts_on, ends_on=fields.ends_on, capacity=fields.capacity,
                                   min_attendance=share / 100, final_quiz_id=quiz.id if quiz else None,
                                   description=(fields.description or "").strip()[:5000], created_by_id=actor.id)
    db.session.add(training_class)
    db.session.flush()
    return training_class


@dataclass
class SessionFields:
    topic: str
    starts_at: datetime | None          # local wall time as typed
    ends_at: datetime | None
    room: str
    hours: float | None
    instructor_id: int | None = None
    instructor_name: str = ""
    instructor_unit: str = ""
    requires_sign_out: bool = False
    course_id: int | None = None
    quiz_id: int | None = None
    drill_slug: str = ""


def add_session(actor: User, training_class: TrainingClass, fields: SessionFields, tz: str) -> ClassSession:
    """A session of the timetable, on one of the class's days. Raises FieldRefusal."""
    _check_organizer(actor, training_class)
    topic = (fields.topic or "").strip()
    if not topic:
        raise FieldRefusal(_("Give the session a topic."), "topic")
    if fields.starts_at is None:
        raise FieldRefusal(_("Give the start as a date and time."), "starts_at")
    if fields.ends_at is None:
        raise FieldRefusal(_("Give the end as a date and time."), "ends_at")
    starts_at = clock.from_local(fields.starts_at, tz)
    ends_at = clock.from_local(fields.ends_at, tz)
    if ends_at <= starts_at:
        raise FieldRefusal(_("The end must be after the start."), "ends_at")
    day = clock.local(starts_at, tz).date()
    if not training_class.starts_on <= day <= training_class.ends_on:
        raise FieldRefusal(_("The session must fall on a day of the class (%(first)s to %(last)s).",
                             first=training_class.starts_on.isoformat(), last=training_class.ends_on.isoformat()),
                           "starts_at")
    if fields.hours is None or not 0 < fields.hours <= 12:
        raise FieldRefusal(_("Give the credit hours, more than 0 and at most 12."), "hours")
    instructor = None
    if fields.instructor_id:
        instructor = db.session.get(User, fields.instructor_id)
        if instructor is None or not can_manage_user(actor, instructor):
            raise FieldRefusal(_("Choose an instructor from the list."), "instructor")
    name = (fields.instructor_name or "").strip()
    if instructor is None and not name:
        raise FieldRefusal(_("Choose an instructor, or give an external expert's name and unit."), "instructor_name")
    drill_slug = (fields.drill_slug or "").strip()
    if drill_slug and db.session.scalar(select(DrillVersion.id).where(DrillVersion.drill_id == drill_slug,
                                                                      DrillVersion.active).limit(1)) is None:
        raise FieldRefusal(_("Choose a drill from the list."), "drill_slug")
    course = db.session.get(Course, fields.course_id) if fields.course_id else None
    quiz = db.session.get(Quiz, fields.quiz_id) if fields.quiz_id else None
    if fields.course_id and course is None:
        raise FieldRefusal(_("Choose a course from the list."), "course")
    if fields.quiz_id and quiz is None:
        raise FieldRefusal(_("Choose a quiz from the list."), "quiz")
    session = ClassSession(class_id=training_class.id, topic=topic[:200], starts_at=starts_at, ends_at=ends_at,
                           room=(fields.room or "").strip()[:100], hours=round(fields.hours, 1),
                           instructor_id=instructor.id if instructor else None,
                           instructor_name="" if instructor else name[:64],
                           instructor_unit="" if instructor else (fields.instructor_unit or "").strip()[:100],
                           requires_sign_out=bool(fields.requires_sign_out),
                           course_id=course.id if course else None, quiz_id=quiz.id if quiz else None,
                           drill_slug=drill_slug[:64])
    db.session.add(session)
    db.session.flush()
    db.session.refresh(training_class)
    return session


def instructor_text(session: ClassSession) -> str:
    """Who teaches: an account's name, or an external expert's name and unit."""
    if session.instructor is not None:
        return session.instructor.name
    return f"{session.instructor_name}（{session.instructor_unit}）" if session.instructor_unit \
        else session.instructor_name


def planned_hours(training_class: TrainingClass) -> float:
    return round(sum(s.hours for s in training_class.sessions), 1)


# --- enrolment ---------------------------------------------------------------------------------------

def chosen_people(actor: User, how: str, *, people: list[int], area_id: int | None, hired: int | None,
                  roster: tuple[str, bytes] | None) -> tuple[list[User], list[str]]:
    """The people an organizer chose and the worker numbers not found: ``how`` is "people" (ticked),
    "cohort" (the learners at or below one of ``actor``'s areas, hired in ``hired`` if given) or
    "roster" (a CSV or Excel file with a 工号 column)."""
    if how == "people":
        found = db.session.scalars(scope_users(actor).where(User.id.in_(people))).all() if people else []
        return list(found), []
    if how == "cohort":
        area = db.session.scalar(scope_areas(actor).where(Area.id == (area_id or -1)))
        if area is None:
            raise Refusal(_("Choose an area of yours."))
        return list(db.session.scalars(learners_query(actor, within=area, hired=hired)).all()), []
    if roster is None or not roster[0]:
        raise Refusal(_("Choose a roster file."))
    rows = read_roster(*roster, required=("worker_number",))
    numbers = [str(r.values.get("worker_number") or "").strip() for r in rows]
    found = db.session.scalars(scope_users(actor).where(User.worker_number.in_(numbers))).all()
    return list(found), sorted({n for n in numbers if n} - {p.worker_number for p in found})


def _enrolled_count(training_class: TrainingClass) -> int:
    return db.session.scalar(select(func.count(ClassEnrolment.id)).where(
        ClassEnrolment.class_id == training_class.id, ClassEnrolment.status == "enrolled")) or 0


def _link(training_class: TrainingClass) -> str:
    return f"/train/{training_class.id}"


def enrol(actor: User, training_class: TrainingClass, users: list[User]) -> tuple[int, int]:
    """Give each person a place while places last, then a place in line; people already in the class
    or in line are left as they are. Returns (placed, waiting). Each is notified."""
    _check_organizer(actor, training_class)
    if not users:
        raise Refusal(_("Nobody was chosen."))
    free = training_class.capacity - _enrolled_count(training_class)
    placed = waiting = 0
    moment = now()
    for user in users:
        if user.area is None or not user.area.is_within(training_class.area) or not can_manage_user(actor, user):
            raise Refusal(_("%(name)s is outside the class's area.", name=user.name))
        if enrolment_of(user, training_class) is not None:
            continue
        if free > 0:
            db.session.add(ClassEnrolment(class_id=training_class.id, user_id=user.id, status="enrolled",
                                          placed_at=moment))
            free -= 1
            placed += 1
            notify(user.id, "class_enrolled", _link(training_class), title=training_class.title,
                   first=training_class.starts_on.isoformat(), place=training_class.place)
        else:
            db.session.add(ClassEnrolment(class_id=training_class.id, user_id=user.id, status="waiting"))
            waiting += 1
            notify(user.id, "class_waiting", _link(training_class), title=training_class.title)
    db.session.flush()
    audit.record(actor, "class.enrol", _target(training_class), after={"people": [u.name for u in users]},
                 area=training_class.area)
    return placed, waiting


def waiting_list(training_class: TrainingClass) -> list[ClassEnrolment]:
    return [e for e in training_class.enrolments if e.status == "waiting"]


def withdraw(actor: User, enrolment: ClassEnrolment) -> User | None:
    """Take a person out of a class (or out of line); the first in line gets the place freed and is
    notified. Returns the person who moved up, if any."""
    training_class = enrolment.training_class
    _check_organizer(actor, training_class)
    had_place = enrolment.status == "enrolled"
    name = enrolment.user.name
    db.session.delete(enrolment)
    db.session.flush()
    moved = None
    if had_place and _enrolled_count(training_class) < training_class.capacity:
        first = db.session.scalar(select(ClassEnrolment).where(
            ClassEnrolment.class_id == training_class.id, ClassEnrolment.status == "waiting")
            .order_by(ClassEnrolment.id).limit(1))
        if first is not None:
            first.status = "enrolled"
            first.placed_at = now()
            moved = first.user
            notify(first.user_id, "class_place", _link(training_class), title=training_class.title)
    audit.record(actor, "class.withdraw", _target(training_class), before={"people": [name]}, area=training_class.area)
    db.session.flush()
    return moved


def _target(training_class: TrainingClass):
    return audit.Target("training_class", training_class.id, training_class.title)


# --- sign-in and sign-out --------------------------------------------------------------------------

def token_for(session: ClassSession, purpose: str, secret: str, moment: datetime | None = None) -> str:
    return tokens.make_token(secret, session.id, purpose, (moment or now()).timestamp())


def check_code(session: ClassSession, purpose: str, token: str, secret: str) -> None:
    """Raises Refusal with a clear message when the code does not sign ``purpose`` of ``session`` now."""
    try:
        tokens.check_token(secret, session.id, purpose, token, now().timestamp())
    except tokens.TokenRefused as exc:
        if exc.reason == "expired":
            raise Refusal(_("This code has expired: codes change every 30 seconds. Scan the code on the screen "
                            "again.")) from None
        raise Refusal(_("This is not a sign-in code of this session. Scan the code on the screen.")) from None


@dataclass
class SignResult:
    attendance: ClassAttendance
    already: bool


def sign(user: User, session: ClassSession, purpose: str, token: str, secret: str) -> SignResult:
    """Sign ``user`` in (``purpose`` "in") or out ("out") of a session with the projector's code.

    The code must be current and of this session and purpose; the person must have a place in the
    class; sign-in opens 30 minutes before the start and closes at the end. A second sign-in changes
    nothing (``already``). Raises Refusal."""
    check_code(session, purpose, token, secret)
    training_class = session.training_class
    enrolment = enrolment_of(user, training_class)
    if enrolment is None or enrolment.status != "enrolled":
        raise Refusal(_("You have no place in this class, so you cannot sign in to it."))
    if enrolment.certificate_serial is not None:
        raise Refusal(_("You have completed this class already."))
    moment = now()
    row = _attendance(session, user)
    if purpose == "in":
        try:
            rules.check_sign_in(session.starts_at, session.ends_at, moment)
        except RuleBroken as exc:
            if exc.key == "not_open":
                raise Refusal(_("Sign-in opens 30 minutes before the session starts.")) from None
            raise Refusal(_("This session is over: ask the organizer to record your attendance.")) from None
        if row is not None and row.signed_in_at is not None:
            return SignResult(row, True)
        if row is not None and row.status == "present":
            return SignResult(row, True)   # marked present by hand already
        savepoint = db.session.begin_nested()
        try:
            if row is None:
                row = ClassAttendance(session_id=session.id, user_id=user.id)
                db.session.add(row)
            row.status, row.method, row.signed_in_at, row.updated_at = "present", "qr", moment, moment
            _credit(row, session)
            db.session.flush()
            savepoint.commit()
        except IntegrityError:  # a parallel sign-in won: it counts once
            savepoint.rollback()
            return SignResult(_attendance(session, user), True)
    else:
        if not session.requires_sign_out:
            raise Refusal(_("This session does not need signing out."))
        try:
            rules.check_sign_out(session.starts_at, session.ends_at, moment)
        except RuleBroken as exc:
            if exc.key == "not_started":
                raise Refusal(_("Sign-out opens when the session starts.")) from None
            raise Refusal(_("Sign-out for this session has closed: ask the organizer.")) from None
        if row is None or row.signed_in_at is None:
            raise Refusal(_("You did not sign in to this session, so you cannot sign out."))
        if row.signed_out_at is not None:
            return SignResult(row, True)
        row.signed_out_at, row.updated_at = moment, moment
        _credit(row, session)
        db.session.flush()
    signals.session_attended.send(row, session=session)
    return SignResult(row, False)


def _attendance(session: ClassSession, user: User) -> ClassAttendance | None:
    return db.session.scalar(select(ClassAttendance).where(ClassAttendance.session_id == session.id,
                                                           ClassAttendance.user_id == user.id))


def _credit(row: ClassAttendance, session: ClassSession) -> None:
    result = rules.credit(session.hours, session.starts_at, session.ends_at, row.signed_in_at, row.signed_out_at,
                          session.requires_sign_out)
    row.hours, row.late_minutes, row.early_minutes = result.hours, result.late, result.early
    row.basis = "" if result.pending else result.basis


def mark(actor: User, session: ClassSession, user: User, present: bool, reason: str) -> ClassAttendance:
    """An organizer records someone's attendance by hand (present: the session's full hours; absent:
    none), with a reason; recorded in the audit trail."""
    training_class = session.training_class
    _check_organizer(actor, training_class)
    reason = (reason or "").strip()
    if not reason:
        raise FieldRefusal(_("Give the reason for recording attendance by hand."), "reason")
    enrolment = enrolment_of(user, training_class)
    if enrolment is None or enrolment.status != "enrolled":
        raise Refusal(_("%(name)s has no place in this class.", name=user.name))
    if enrolment.certificate_serial is not None:
        raise Refusal(_("%(name)s has completed the class: the attendance on the certificate stays as issued.",
                        name=user.name))
    row = _attendance(session, user)
    before = None if row is None else {"status": _status_text(row.status), "hours": row.hours}
    if row is None:
        row = ClassAttendance(session_id=session.id, user_id=user.id)
        db.session.add(row)
    row.status = "present" if present else "absent"
    row.method, row.marked_by_id, row.reason, row.updated_at = "manual", actor.id, reason[:300], now()
    row.hours = session.hours if present else 0.0
    row.basis = f"{session.hours:.1f} h" if present else ""
    row.late_minutes = row.late_minutes or 0
    row.early_minutes = row.early_minutes or 0
    db.session.flush()
    audit.record(actor, "attendance.mark",
                 audit.Target("class_attendance", row.id, f"{training_class.title} · {session.topic} · {user.name}"),
                 before=before, after={"status": _status_text(row.status), "hours": row.hours, "reason": row.reason},
                 area=training_class.area)
    signals.session_attended.send(row, session=session)
    return row


def _status_text(status: str) -> str:
    return {"present": _("present"), "absent": _("absent")}.get(status, status)


# --- leave -------------------------------------------------------------------------------------------

def request_leave(user: User, session: ClassSession, reason: str) -> LeaveRequest:
    """A worker with a place asks to miss a session that has not ended (again after a refusal)."""
    enrolment = enrolment_of(user, session.training_class)
    if enrolment is None or enrolment.status != "enrolled":
        raise Refusal(_("You have no place in this class."))
    reason = (reason or "").strip()
    if not reason:
        raise FieldRefusal(_("Give the reason for your leave request."), "reason")
    if now() >= session.ends_at:
        raise Refusal(_("This session is over: leave can only be asked for before it ends."))
    row = db.session.scalar(select(LeaveRequest).where(LeaveRequest.session_id == session.id,
                                                       LeaveRequest.user_id == user.id))
    if row is not None and row.status != "refused":
        raise Refusal(_("You have asked for leave from this session already."))
    if row is None:
        row = LeaveRequest(session_id=session.id, user_id=user.id, reason=reason[:300])
        db.session.add(row)
    else:
        row.reason, row.status, row.decided_by_id, row.decided_at = reason[:300], "pending", None, None
    db.session.flush()
    return row


def decide_leave(actor: User, leave: LeaveRequest, approve: bool) -> LeaveRequest:
    training_class = leave.session.training_class
    _check_organizer(actor, training_class)
    if leave.status != "pending":
        raise Refusal(_("This leave request has been decided already."))
    leave.status = "approved" if approve else "refused"
    leave.decided_by_id, leave.decided_at = actor.id, now()
    notify(leave.user_id, "leave_decided", _link(training_class), title=training_class.title,
           topic=leave.session.topic, approved=approve)
    audit.record(actor, "leave.decide",
                 audit.Target("class_leave", leave.id, f"{training_class.title} · {leave.session.topic} · "
                                                       f"{leave.user.name}"),
                 after={"status": _("approved") if approve else _("refused"), "reason": leave.reason},
                 area=training_class.area)
    db.session.flush()
    return leave


def pending_leave(training_class: TrainingClass) -> list[LeaveRequest]:
    return db.session.scalars(select(LeaveRequest).join(ClassSession).where(
        ClassSession.class_id == training_class.id, LeaveRequest.status == "pending")
        .order_by(LeaveRequest.created_at)).all()


# --- pages -------------------------------------------------------------------------------------------

def attendance_sheet(session: ClassSession) -> list[tuple[ClassEnrolment, ClassAttendance | None,
                                                           LeaveRequest | None]]:
    """Everyone with a place, with their attendance and leave for the session."""
    rows = {a.user_id: a for a in db.session.scalars(select(ClassAttendance).where(
        ClassAttendance.session_id == session.id))}
    leaves = {r.user_id: r for r in db.session.scalars(select(LeaveRequest).where(
        LeaveRequest.session_id == session.id))}
    return [(e, rows.get(e.user_id), leaves.get(e.user_id))
            for e in session.training_class.enrolments if e.status == "enrolled"]


def my_timetable(user: User, training_class: TrainingClass) -> list[tuple[ClassSession, ClassAttendance | None,
                                                                           LeaveRequest | None, SessionRating | None]]:
    ids = [s.id for s in training_class.sessions]
    if not ids:
        return []
    att = {a.session_id: a for a in db.session.scalars(select(ClassAttendance).where(
        ClassAttendance.user_id == user.id, ClassAttendance.session_id.in_(ids)))}
    leave = {r.session_id: r for r in db.session.scalars(select(LeaveRequest).where(
        LeaveRequest.user_id == user.id, LeaveRequest.session_id.in_(ids)))}
    rated = {r.session_id: r for r in db.session.scalars(select(SessionRating).where(
        SessionRating.user_id == user.id, SessionRating.session_id.in_(ids)))}
    return [(s, att.get(s.id), leave.get(s.id), rated.get(s.id)) for s in training_class.sessions]


@dataclass
class HomeClass:
    training_class: TrainingClass
    enrolment: ClassEnrolment
    timetable: list
    hours: float


def home_classes(user: User, today: date) -> list[HomeClass]:
    """The classes a person is in (or waiting for) that have not ended before ``today``, with their
    timetable and the hours credited so far."""
    enrolments = db.session.scalars(select(ClassEnrolment).join(TrainingClass).where(
        ClassEnrolment.user_id == user.id, TrainingClass.ends_on >= today)
        .order_by(TrainingClass.starts_on)).all()
    out = []
    for enrolment in enrolments:
        timetable = my_timetable(user, enrolment.training_class)
        out.append(HomeClass(enrolment.training_class, enrolment, timetable,
                             round(sum(a.hours for _s, a, _l, _r in timetable if a is not None), 1)))
    return out


def session_of_class(training_class: TrainingClass, session_id: int) -> ClassSession | None:
    return next((s for s in training_class.sessions if s.id == session_id), None)
