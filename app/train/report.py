"""参训率 and completion for an organizer's area, by area node and tier for a year; who missed sessions
and who is short of the annual hours; reminders (催学) as in-app notifications, sent once each; and the
day-before reminder of every session. Callers commit."""
from __future__ import annotations

import io
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from flask_babel import force_locale
from flask_babel import gettext as _
from openpyxl import Workbook
from sqlalchemy import func, select

from .. import clock
from ..exports import finish_workbook, safe_row
from ..extensions import db
from ..labels import TIER_NAMES
from ..learn.progress import learners_query
from ..models import (
    Area, ClassAttendance, ClassEnrolment, ClassSession, Course, LeaveRequest, Lesson, LessonProgress, Notification,
    TrainingClass, User,
)
from ..notifications import notify
from ..refusal import Refusal
from ..scope import scope_areas
from . import rules, service
from .sender import Message
from .texts import TEXTS


@dataclass
class RateRow:
    """One area node and tier: person-sessions held, attended, on approved leave; enrolments completed."""

    area: Area
    tier: str
    people: set = field(default_factory=set)
    required: int = 0
    attended: int = 0
    on_leave: int = 0
    finished: int = 0       # enrolments in classes whose last session has ended
    completed: int = 0

    @property
    def rate(self) -> float | None:
        return rules.attendance_rate(self.attended, self.required)

    @property
    def completion_rate(self) -> float | None:
        return self.completed / self.finished if self.finished else None


@dataclass
class Missed:
    user: User
    session: ClassSession
    leave: str | None     # the leave request's status, if any


@dataclass
class Short:
    user: User
    earned: float
    required: float


@dataclass
class Report:
    year: int
    rows: list[RateRow]
    total: RateRow
    missed: list[Missed]
    short: list[Short]


def _year_bounds(year: int, tz: str) -> tuple[datetime, datetime]:
    zone = clock.zone(tz)
    return (datetime(year, 1, 1, tzinfo=zone).astimezone(timezone.utc),
            datetime(year + 1, 1, 1, tzinfo=zone).astimezone(timezone.utc))


def _node_of(actor_area: Area, children: dict[int, Area], path: str) -> Area:
    """The child of the actor's node that ``path`` lies in (the actor's node for people right at it)."""
    rest = path[len(actor_area.path):].strip("/")
    first = rest.split("/", 1)[0] if rest else ""
    return children.get(int(first), actor_area) if first.isdigit() else actor_area


def attendance_report(actor: User, year: int, config) -> Report:
    """The report of ``actor``'s area for ``year`` (sessions that have started by now)."""
    tz = config["BABEL_DEFAULT_TIMEZONE"]
    start, end = _year_bounds(year, tz)
    moment = service.now()
    area = actor.area
    children = {a.id: a for a in db.session.scalars(select(Area).where(Area.parent_id == area.id))} if area else {}
    scoped = select(scope_areas(actor).subquery().c.id)
    sessions = db.session.scalars(select(ClassSession).join(TrainingClass).where(
        TrainingClass.area_id.in_(scoped), ClassSession.starts_at >= start, ClassSession.starts_at < end,
        ClassSession.starts_at <= moment).order_by(ClassSession.starts_at)).all()
    by_class: dict[int, list[ClassSession]] = defaultdict(list)
    for s in sessions:
        by_class[s.class_id].append(s)
    enrolments = db.session.execute(select(ClassEnrolment, User, Area).join(User, ClassEnrolment.user_id == User.id)
                                    .join(Area, User.area_id == Area.id).where(
        ClassEnrolment.class_id.in_(list(by_class)), ClassEnrolment.status == "enrolled",
        Area.path.startswith(area.path if area else "-", autoescape=True))).all() if by_class else []
    session_ids = [s.id for s in sessions]
    present = set(db.session.execute(select(ClassAttendance.session_id, ClassAttendance.user_id).where(
        ClassAttendance.session_id.in_(session_ids), ClassAttendance.status == "present")).all()) if session_ids else set()
    leave = {(r.session_id, r.user_id): r.status for r in db.session.scalars(select(LeaveRequest).where(
        LeaveRequest.session_id.in_(session_ids)))} if session_ids else {}
    rows: dict[tuple[int, str], RateRow] = {}
    missed: list[Missed] = []
    for enrolment, user, user_area in enrolments:
        training_class = enrolment.training_class
        node = _node_of(area, children, user_area.path)
        row = rows.setdefault((node.id, training_class.tier), RateRow(node, training_class.tier))
        row.people.add(user.id)
        for s in by_class[training_class.id]:
            row.required += 1
            if (s.id, user.id) in present:
                row.attended += 1
            else:
                if leave.get((s.id, user.id)) == "approved":
                    row.on_leave += 1
                if s.ends_at <= moment:
                    missed.append(Missed(user, s, leave.get((s.id, user.id))))
        ended = max(s.ends_at for s in training_class.sessions) <= moment
        if ended:
            row.finished += 1
            row.completed += enrolment.certificate_serial is not None
    ordered = sorted(rows.values(), key=lambda r: (r.area.path, ("onboarding", "annual", "topical").index(r.tier)))
    total = RateRow(area, "")
    for row in ordered:
        total.people |= row.people
        for name in ("required", "attended", "on_leave", "finished", "completed"):
            setattr(total, name, getattr(total, name) + getattr(row, name))
    missed.sort(key=lambda m: (m.session.starts_at, m.user.name))
    return Report(year, ordered, total, missed, _short_of_hours(actor, year, config, start, end))


def _short_of_hours(actor: User, year: int, config, start: datetime, end: datetime) -> list[Short]:
    """Learners of the area whose annual-rotation hours of ``year`` (lessons and classes) are short."""
    required = config["ANNUAL_REQUIRED_DAYS"] * config["TRAINING_HOURS_PER_DAY"]
    learners = db.session.scalars(learners_query(actor).order_by(User.name)).all()
    ids = [u.id for u in learners]
    if not ids:
        return []
    earned: dict[int, float] = defaultdict(float)
    for uid, hours in db.session.execute(
            select(LessonProgress.user_id, func.sum(LessonProgress.hours)).join(Lesson).join(Course).where(
                LessonProgress.user_id.in_(ids), Course.tier == "annual", LessonProgress.completed_at >= start,
                LessonProgress.completed_at < end).group_by(LessonProgress.user_id)):
        earned[uid] += float(hours or 0)
    for uid, hours in db.session.execute(
            select(ClassAttendance.user_id, func.sum(ClassAttendance.hours)).select_from(ClassAttendance)
            .join(ClassSession, ClassAttendance.session_id == ClassSession.id)
            .join(TrainingClass, ClassSession.class_id == TrainingClass.id).where(
                ClassAttendance.user_id.in_(ids), TrainingClass.tier == "annual", ClassSession.starts_at >= start,
                ClassSession.starts_at < end).group_by(ClassAttendance.user_id)):
        earned[uid] += float(hours or 0)
    return [Short(u, round(earned[u.id], 1), required) for u in learners if earned[u.id] + 1e-9 < required]


def _sent(user_id: int, kind: str, link: str, since: datetime | None = None) -> bool:
    query = select(Notification.id).where(Notification.user_id == user_id, Notification.kind == kind,
                                          Notification.link == link)
    if since is not None:
        query = query.where(Notification.created_at >= since)
    return db.session.scalar(query.limit(1)) is not None


def _tell(user: User, kind: str, link: str, outbox: list[Message], config, **params) -> None:
    """An in-app notification, and the same text for the reminder sender (in the default language)."""
    notify(user.id, kind, link, **params)
    with force_locale(config["BABEL_DEFAULT_LOCALE"]):
        outbox.append(Message(user.name, user.phone or "", TEXTS[kind](params)))


def remind(actor: User, year: int, config) -> list[Message]:
    """催学: tell everyone who missed a session (once per session) and everyone short of the annual hours
    (once a day) in-app; returns the messages for the reminder sender (sent after the commit)."""
    if not actor.is_manager:
        raise Refusal(_("Only organizers send reminders."))
    report = attendance_report(actor, year, config)
    tz = config["BABEL_DEFAULT_TIMEZONE"]
    outbox: list[Message] = []
    for miss in report.missed:
        if miss.leave == "approved":
            continue
        link = f"/train/{miss.session.class_id}#session-{miss.session.id}"
        if not _sent(miss.user.id, "class_missed", link):
            _tell(miss.user, "class_missed", link, outbox, config, topic=miss.session.topic,
                  title=miss.session.training_class.title, day=clock.local_text(miss.session.starts_at, "%m-%d", tz))
    today = datetime.combine(clock.local_today(tz), datetime.min.time(), tzinfo=clock.zone(tz))
    for short in report.short:
        if not _sent(short.user.id, "hours_short", "/train/hours", since=today):
            _tell(short.user, "hours_short", "/train/hours", outbox, config, earned=f"{short.earned:g}",
                  required=f"{short.required:g}", year=year)
    db.session.flush()
    return outbox


def day_before_reminders(config, moment: datetime | None = None) -> list[Message]:
    """Remind everyone with a place (and no approved leave) of each session that starts tomorrow (local
    time), once per person and session; returns the messages for the reminder sender
    (``flask train remind``)."""
    tz = config["BABEL_DEFAULT_TIMEZONE"]
    moment = moment or service.now()
    tomorrow = clock.local_today(tz, moment) + timedelta(days=1)
    zone = clock.zone(tz)
    start = datetime.combine(tomorrow, datetime.min.time(), tzinfo=zone).astimezone(timezone.utc)
    sessions = db.session.scalars(select(ClassSession).where(ClassSession.starts_at >= start,
                                                             ClassSession.starts_at < start + timedelta(days=1))).all()
    outbox: list[Message] = []
    for s in sessions:
        excused = set(db.session.scalars(select(LeaveRequest.user_id).where(LeaveRequest.session_id == s.id,
                                                                            LeaveRequest.status == "approved")))
        link = f"/train/{s.class_id}#session-{s.id}"
        for enrolment in s.training_class.enrolments:
            if enrolment.status != "enrolled" or enrolment.user_id in excused or _sent(enrolment.user_id,
                                                                                       "class_reminder", link):
                continue
            _tell(enrolment.user, "class_reminder", link, outbox, config, topic=s.topic, title=s.training_class.title,
                  time=clock.local_text(s.starts_at, "%H:%M", tz), room=s.room or s.training_class.place)
    db.session.flush()
    return outbox


def leave_text(status: str | None) -> str:
    return {"pending": _("leave waiting for a decision"), "approved": _("leave approved"),
            "refused": _("leave refused")}.get(status or "", "")


def workbook(report: Report) -> bytes:
    """The report as Excel: 参训率 by area and tier, the missed sessions, those short of hours."""
    book = Workbook()
    sheet = book.active
    sheet.title = _("Attendance rate")
    sheet.append(safe_row([_("Area"), _("Tier"), _("People enrolled"), _("Person-sessions held"), _("Attended"),
                           _("On approved leave"), _("Attendance rate"), _("Completed of classes ended"),
                           _("Completion rate")]))
    for row in [*report.rows, report.total]:
        sheet.append(safe_row([row.area.name if row.tier else _("All areas"), str(TIER_NAMES[row.tier]) if row.tier else "",
                               len(row.people), row.required, row.attended, row.on_leave,
                               round(row.rate, 4) if row.rate is not None else None,
                               f"{row.completed}/{row.finished}",
                               round(row.completion_rate, 4) if row.completion_rate is not None else None]))
    for cells in sheet.iter_rows(min_row=2, min_col=7, max_col=7):
        cells[0].number_format = "0.0%"
    for cells in sheet.iter_rows(min_row=2, min_col=9, max_col=9):
        cells[0].number_format = "0.0%"
    missed = book.create_sheet(_("Missed sessions"))
    missed.append(safe_row([_("Name"), _("Worker number"), _("Area"), _("Class"), _("Session"), _("Date"),
                            _("Leave")]))
    for m in report.missed:
        missed.append(safe_row([m.user.name, m.user.worker_number or "", m.user.area.name if m.user.area else "",
                                m.session.training_class.title, m.session.topic,
                                clock.naive_local(m.session.starts_at), leave_text(m.leave)]))
    short = book.create_sheet(_("Short of hours"))
    short.append(safe_row([_("Name"), _("Worker number"), _("Area"), _("Annual hours earned"), _("Hours required")]))
    for s in report.short:
        short.append(safe_row([s.user.name, s.user.worker_number or "", s.user.area.name if s.user.area else "",
                               s.earned, s.required]))
    finish_workbook(book)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
