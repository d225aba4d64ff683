"""Training classes (培训班): a class held in person with a timetable of sessions, the people enrolled
(or waiting for a place), attendance per session (QR sign-in, sign-out, by hand), leave requests,
ratings of sessions and instructors, and completion with its certificate number."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON, Boolean, CheckConstraint, Date, Float, ForeignKey, Integer, String, Text, UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import UTCDateTime, utcnow


class TrainingClass(db.Model):
    """A class (封闭式入职培训, 集中轮训, 专题培训) run by an organizer for the people of an area."""

    __tablename__ = "training_class"
    __table_args__ = (
        CheckConstraint("tier IN ('onboarding', 'annual', 'topical')", name="tier"),
        CheckConstraint("capacity >= 1", name="capacity"),
        CheckConstraint("min_attendance > 0 AND min_attendance <= 1", name="min_attendance"),
        CheckConstraint("ends_on >= starts_on", name="dates"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    #: The tier its attended hours are credited to (as a course's tier).
    tier: Mapped[str] = mapped_column(String(16))
    description: Mapped[str] = mapped_column(Text, default="")
    #: The organizer's node: learners come from at or below it; its organizers (and those above) run it.
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id"), index=True)
    place: Mapped[str] = mapped_column(String(200), default="")
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    #: Places; people enrolled beyond it wait in line.
    capacity: Mapped[int] = mapped_column(Integer)
    #: Share of the timetable's hours a person must attend to complete the class (0-1].
    min_attendance: Mapped[float] = mapped_column(Float, default=0.8)
    #: A quiz a person must pass to complete the class, if any.
    final_quiz_id: Mapped[int | None] = mapped_column(ForeignKey("quiz.id", ondelete="SET NULL"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    area = relationship("Area")
    final_quiz = relationship("Quiz")
    sessions: Mapped[list[ClassSession]] = relationship(back_populates="training_class",
                                                        order_by="ClassSession.starts_at",
                                                        cascade="all, delete-orphan")
    enrolments: Mapped[list[ClassEnrolment]] = relationship(back_populates="training_class",
                                                            order_by="ClassEnrolment.id",
                                                            cascade="all, delete-orphan")


class ClassSession(db.Model):
    """One slot of the timetable: when, where, who teaches what, and the hours it credits."""

    __tablename__ = "class_session"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="times"),
        CheckConstraint("hours > 0", name="hours"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("training_class.id", ondelete="CASCADE"), index=True)
    topic: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    room: Mapped[str] = mapped_column(String(100), default="")
    #: An instructor who has an account, or else an external expert by name and unit.
    instructor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    instructor_name: Mapped[str] = mapped_column(String(64), default="")
    instructor_unit: Mapped[str] = mapped_column(String(100), default="")
    #: Credit hours of full attendance.
    hours: Mapped[float] = mapped_column(Float)
    #: Attendees must also sign out (early leaving is recorded and hours count to the sign-out).
    requires_sign_out: Mapped[bool] = mapped_column(Boolean, default=False)
    #: Linked material: a course, a quiz and a drill (by slug) to do before or in the session.
    course_id: Mapped[int | None] = mapped_column(ForeignKey("course.id", ondelete="SET NULL"))
    quiz_id: Mapped[int | None] = mapped_column(ForeignKey("quiz.id", ondelete="SET NULL"))
    drill_slug: Mapped[str] = mapped_column(String(64), default="")

    training_class: Mapped[TrainingClass] = relationship(back_populates="sessions")
    instructor = relationship("User")
    course = relationship("Course")
    quiz = relationship("Quiz")


class ClassEnrolment(db.Model):
    """A person's place in a class, or their place in line for one."""

    __tablename__ = "class_enrolment"
    __table_args__ = (
        UniqueConstraint("class_id", "user_id"),
        UniqueConstraint("certificate_serial"),
        CheckConstraint("status IN ('enrolled', 'waiting')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("training_class.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: When the person got a place (at enrolment, or when someone ahead withdrew).
    placed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: Completion, issued once: the 结业证书's number and date.
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    certificate_serial: Mapped[str | None] = mapped_column(String(64))

    training_class: Mapped[TrainingClass] = relationship(back_populates="enrolments")
    user = relationship("User")


class ClassAttendance(db.Model):
    """A person's attendance at one session: signed in (late by how much), signed out (early by how
    much), or marked by hand with a reason; the hours it credits."""

    __tablename__ = "class_attendance"
    __table_args__ = (
        UniqueConstraint("session_id", "user_id"),
        CheckConstraint("status IN ('present', 'absent')", name="status"),
        CheckConstraint("method IN ('qr', 'manual')", name="method"),
        CheckConstraint("hours >= 0", name="hours"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("class_session.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="present")
    method: Mapped[str] = mapped_column(String(16), default="qr")
    signed_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    signed_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    late_minutes: Mapped[int] = mapped_column(Integer, default=0)
    early_minutes: Mapped[int] = mapped_column(Integer, default=0)
    #: Credit hours earned (0 until earned: a session that requires sign-out credits at sign-out).
    hours: Mapped[float] = mapped_column(Float, default=0.0)
    #: How the hours were worked out, e.g. "3.0 h × 165/180 min (late 15 min)".
    basis: Mapped[str] = mapped_column(String(200), default="")
    #: A manual mark: by whom and why.
    marked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(String(300), default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    session: Mapped[ClassSession] = relationship()
    user = relationship("User", foreign_keys=[user_id])
    marked_by = relationship("User", foreign_keys=[marked_by_id])


class LeaveRequest(db.Model):
    """A request to miss one session (请假), approved or refused by an organizer."""

    __tablename__ = "class_leave"
    __table_args__ = (
        UniqueConstraint("session_id", "user_id"),
        CheckConstraint("status IN ('pending', 'approved', 'refused')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("class_session.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    reason: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(16), default="pending")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    session: Mapped[ClassSession] = relationship()
    user = relationship("User", foreign_keys=[user_id])


class SessionRating(db.Model):
    """An attendee's rating of a session and of its instructor (1-5) with a comment; the instructor
    sees them without names, the organizer with."""

    __tablename__ = "class_rating"
    __table_args__ = (
        UniqueConstraint("session_id", "user_id"),
        CheckConstraint("session_score BETWEEN 1 AND 5", name="session_score"),
        CheckConstraint("instructor_score BETWEEN 1 AND 5", name="instructor_score"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("class_session.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    session_score: Mapped[int] = mapped_column(Integer)
    instructor_score: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(String(1000), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    session: Mapped[ClassSession] = relationship()
    user = relationship("User")


class ClassDrill(db.Model):
    """A live classroom drill (课堂演练): the room walks a scenario drill together, node by node; each
    attendee decides on their phone, the instructor moves the room on."""

    __tablename__ = "class_drill"
    __table_args__ = (CheckConstraint("status IN ('open', 'finished')", name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("class_session.id", ondelete="CASCADE"), index=True)
    drill_version_id: Mapped[int] = mapped_column(ForeignKey("drill_version.id"))
    #: The room's play (``app.drill.engine.State.to_dict()``), and how many steps it has taken.
    state: Mapped[dict] = mapped_column(JSON)
    step: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(16), default="open")
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    session: Mapped[ClassSession] = relationship()
    version = relationship("DrillVersion")


class ClassDrillVote(db.Model):
    """One attendee's choice at one step of a classroom drill (one per person and step)."""

    __tablename__ = "class_drill_vote"
    __table_args__ = (UniqueConstraint("class_drill_id", "step", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    class_drill_id: Mapped[int] = mapped_column(ForeignKey("class_drill.id", ondelete="CASCADE"), index=True)
    step: Mapped[int] = mapped_column(Integer)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    choice_id: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
