"""Courses and lessons (loaded from ``courses/``), learners' progress and required-course assignments."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON, Boolean, CheckConstraint, Date, Float, ForeignKey, Integer, String, Text, UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import UTCDateTime, utcnow

#: The three training tiers of seed 2.1, in catalogue order.
TIERS = ("onboarding", "annual", "topical")


class Course(db.Model):
    """A course as last synced from its folder. Removed courses are deactivated, never deleted."""

    __tablename__ = "course"
    __table_args__ = (
        CheckConstraint("tier IN ('onboarding', 'annual', 'topical')", name="tier"),
        CheckConstraint("hours >= 0", name="hours_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The content id from course.yaml (equals the folder name).
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    tier: Mapped[str] = mapped_column(String(16), index=True)
    #: Credit hours (学时) for the whole course.
    hours: Mapped[float] = mapped_column(Float)
    audience: Mapped[str] = mapped_column(String(200), default="")
    summary: Mapped[str] = mapped_column(Text, default="")
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    #: Competency indicator ids the course trains.
    indicators: Mapped[list] = mapped_column(JSON, default=list)
    #: Hash of course.yaml and its lessons as synced: the content version.
    content_hash: Mapped[str] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    synced_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    lessons: Mapped[list[Lesson]] = relationship(
        back_populates="course", order_by="Lesson.position", cascade="all, delete-orphan"
    )

    @property
    def active_lessons(self) -> list[Lesson]:
        return [lesson for lesson in self.lessons if lesson.active]


class Lesson(db.Model):
    """One Markdown lesson of a course."""

    __tablename__ = "lesson"
    __table_args__ = (UniqueConstraint("course_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), index=True)
    #: The file stem, e.g. ``01-grid-and-duties``.
    slug: Mapped[str] = mapped_column(String(100))
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    body_md: Mapped[str] = mapped_column(Text)
    #: Credit hours earned when the lesson is marked done.
    hours: Mapped[float] = mapped_column(Float)
    content_hash: Mapped[str] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    course: Mapped[Course] = relationship(back_populates="lessons")


class LessonProgress(db.Model):
    """A learner finished a lesson (once; marking it again changes nothing)."""

    __tablename__ = "lesson_progress"
    __table_args__ = (UniqueConstraint("user_id", "lesson_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lesson.id", ondelete="CASCADE"), index=True)
    completed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: Hours credited at completion (the lesson's hours then).
    hours: Mapped[float] = mapped_column(Float)
    #: The lesson's content version when it was completed.
    content_hash: Mapped[str] = mapped_column(String(64))
    #: How the hours were earned (None on records made before lesson checks, or set up by hand):
    #: seconds from the learner's first opening of the lesson to the credit,
    reading_seconds: Mapped[int | None] = mapped_column(Integer)
    #: the passed lesson check's questions answered right of those asked,
    check_right: Mapped[int | None] = mapped_column(Integer)
    check_asked: Mapped[int | None] = mapped_column(Integer)
    #: and how many checks the learner submitted, the passed one included.
    check_tries: Mapped[int | None] = mapped_column(Integer)

    lesson: Mapped[Lesson] = relationship()


class LessonReading(db.Model):
    """A learner's reading of a lesson, as the server saw it: when they first opened it (the reading
    clock) and the lesson check drawn for them (``app.learn.check``). One row per person and lesson."""

    __tablename__ = "lesson_reading"
    __table_args__ = (UniqueConstraint("user_id", "lesson_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lesson.id", ondelete="CASCADE"), index=True)
    #: The first time the server showed the lesson to this learner; never changes.
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: 1 for the first set of check questions, 2 after the first failed check ...
    draw: Mapped[int] = mapped_column(Integer, default=1)
    #: The current set: ids of Question rows, in the order shown.
    questions: Mapped[list] = mapped_column(JSON, default=list)
    drawn_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: Checks submitted and graded (failed ones and the passed one).
    tries: Mapped[int] = mapped_column(Integer, default=0)
    #: The last failed check: when, and the ids of the questions answered wrong (their explanations
    #: are shown). The set is spent: a new one is drawn when the retry wait is over.
    failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    wrong: Mapped[list] = mapped_column(JSON, default=list)


class CourseAssignment(db.Model):
    """A required course, for everyone holding ``role`` below ``area`` or for one named ``user``."""

    __tablename__ = "course_assignment"
    __table_args__ = (
        CheckConstraint("(role IS NULL) <> (user_id IS NULL)", name="role_xor_user"),
        CheckConstraint(
            "role IS NULL OR role IN ('worker', 'mentor', 'organizer', 'admin')", name="role"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), index=True)
    role: Mapped[str | None] = mapped_column(String(16))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    #: For role assignments: applies to people at or below this node.
    area_id: Mapped[int | None] = mapped_column(ForeignKey("area.id", ondelete="CASCADE"))
    due_date: Mapped[date | None] = mapped_column(Date)
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    course: Mapped[Course] = relationship()
    user = relationship("User", foreign_keys=[user_id])
    area = relationship("Area")
    assigned_by = relationship("User", foreign_keys=[assigned_by_id])


class ContentSync(db.Model):
    """One run of ``flask content sync``: the content version and what changed."""

    __tablename__ = "content_sync"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Hash over all content files: the platform's content version.
    content_hash: Mapped[str] = mapped_column(String(64), index=True)
    synced_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: Counts of what changed, e.g. {"courses_added": 2, "lessons_updated": 1}.
    summary: Mapped[dict] = mapped_column(JSON, default=dict)
