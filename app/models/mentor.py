"""Mentoring (导师制 / 青蓝工程): pairings, their changes, joint home visits, observations,
comments on drill decisions, independence sign-off, and in-app notifications."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import UTCDateTime, utcnow


class Mentorship(db.Model):
    """One mentor and one mentee for a term (a 1:2 mentor has two rows at once)."""

    __tablename__ = "mentorship"
    __table_args__ = (
        CheckConstraint("status IN ('active', 'ended', 'independent')", name="status"),
        CheckConstraint("mentor_id <> mentee_id", name="not_self"),
        CheckConstraint("planned_end > start_date", name="term"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    mentor_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    mentee_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    start_date: Mapped[date] = mapped_column(Date)
    planned_end: Mapped[date] = mapped_column(Date)
    #: active; ended (early or at term, with a reason); independent (sign-off confirmed).
    status: Mapped[str] = mapped_column(String(16), default="active")
    ended_on: Mapped[date | None] = mapped_column(Date)
    end_reason: Mapped[str | None] = mapped_column(String(500))
    #: The mentor's judgement that the mentee can work on their own.
    signed_off_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    signoff_assessment: Mapped[str | None] = mapped_column(Text)
    #: The organizer's confirmation; time to independence runs from start_date to here.
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    independence_days: Mapped[int | None] = mapped_column(Integer)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    mentor = relationship("User", foreign_keys=[mentor_id])
    mentee = relationship("User", foreign_keys=[mentee_id])
    events: Mapped[list[MentorshipEvent]] = relationship(back_populates="mentorship",
                                                         order_by="MentorshipEvent.created_at",
                                                         cascade="all, delete-orphan")
    visits: Mapped[list[JointVisit]] = relationship(back_populates="mentorship", order_by="JointVisit.visit_date",
                                                    cascade="all, delete-orphan")


class MentorshipEvent(db.Model):
    """A change to a mentorship: created, extended, ended, signed off, confirmed (with a reason)."""

    __tablename__ = "mentorship_event"
    __table_args__ = (
        CheckConstraint("kind IN ('created', 'extended', 'ended', 'signed_off', 'confirmed')", name="kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    mentorship_id: Mapped[int] = mapped_column(ForeignKey("mentorship.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(String(500), default="")
    old_end: Mapped[date | None] = mapped_column(Date)
    new_end: Mapped[date | None] = mapped_column(Date)
    by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    mentorship: Mapped[Mentorship] = relationship(back_populates="events")
    by = relationship("User")


class JointVisit(db.Model):
    """A household visit made together (入户走访); logged by one side, confirmed by the other."""

    __tablename__ = "joint_visit"

    id: Mapped[int] = mapped_column(primary_key=True)
    mentorship_id: Mapped[int] = mapped_column(ForeignKey("mentorship.id", ondelete="CASCADE"), index=True)
    visit_date: Mapped[date] = mapped_column(Date)
    #: A label such as "3号楼2单元 独居老人户": no real personal data needed.
    household: Mapped[str] = mapped_column(String(100))
    purpose: Mapped[str] = mapped_column(String(300))
    demonstrated: Mapped[str] = mapped_column(String(500), default="")
    mentee_did: Mapped[str] = mapped_column(String(500), default="")
    follow_up: Mapped[str] = mapped_column(String(500), default="")
    logged_by_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    mentorship: Mapped[Mentorship] = relationship(back_populates="visits")
    logged_by = relationship("User")


class Observation(db.Model):
    """A mentor's rating of observed behaviour on one indicator; also an evidence record."""

    __tablename__ = "observation"
    __table_args__ = (CheckConstraint("rating BETWEEN 1 AND 5", name="rating"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    mentorship_id: Mapped[int] = mapped_column(ForeignKey("mentorship.id", ondelete="CASCADE"), index=True)
    indicator: Mapped[str] = mapped_column(String(64))
    #: 1 (needs a lot of help) .. 5 (does it well unaided).
    rating: Mapped[int] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(String(500))
    observed_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    mentorship: Mapped[Mentorship] = relationship()


class DrillComment(db.Model):
    """A mentor's comment on one decision of a mentee's drill attempt."""

    __tablename__ = "drill_comment"

    id: Mapped[int] = mapped_column(primary_key=True)
    step_id: Mapped[int] = mapped_column(ForeignKey("drill_step.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(String(1000))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    step = relationship("DrillStep")
    author = relationship("User")


class Notification(db.Model):
    """An in-app message for one person (a mentor's comment, a visit to confirm, ...)."""

    __tablename__ = "notification"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    #: What happened (drill_comment, visit_to_confirm, signed_off, ...): rendered in the reader's language.
    kind: Mapped[str] = mapped_column(String(32))
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    link: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: What the notification asks the reader to act on (``visit:12``), None when it only informs.
    subject: Mapped[str | None] = mapped_column(String(64), index=True)
    #: When the action asked for was done (by this reader or another one asked).
    handled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
