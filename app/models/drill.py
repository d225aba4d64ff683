"""Branching drills: each synced version of a drill file, attempts and their recorded steps."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import UTCDateTime, utcnow


class DrillVersion(db.Model):
    """One version of a drill file as synced. Attempts point at the version they were played on,
    so editing a drill never changes old attempts. The newest active row per drill is offered."""

    __tablename__ = "drill_version"
    __table_args__ = (UniqueConstraint("drill_id", "content_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The drill id from the file (equals the file stem), e.g. ``gas-leak``.
    drill_id: Mapped[str] = mapped_column(String(64), index=True)
    #: The ``version`` number written in the file.
    version: Mapped[int] = mapped_column(Integer)
    content_hash: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")
    difficulty: Mapped[int] = mapped_column(Integer, default=1)
    indicators: Mapped[list] = mapped_column(JSON, default=list)
    #: The parsed file, as loaded by the engine.
    data: Mapped[dict] = mapped_column(JSON)
    #: False once a newer version is synced or the file is removed.
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    synced_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class DrillAttempt(db.Model):
    """One play of a drill by one person. The server holds the state after every step."""

    __tablename__ = "drill_attempt"
    __table_args__ = (
        CheckConstraint("mode IN ('practice', 'assessed')", name="mode"),
        CheckConstraint("outcome IS NULL OR outcome IN ('success', 'partial', 'failure')", name="outcome"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    drill_version_id: Mapped[int] = mapped_column(ForeignKey("drill_version.id"), index=True)
    mode: Mapped[str] = mapped_column(String(16), default="practice")
    #: The engine's state (``State.to_dict()``) after the last step.
    state: Mapped[dict] = mapped_column(JSON)
    #: Steps taken so far (undone ones excluded); a submitted step must quote it (replay guard).
    step_count: Mapped[int] = mapped_column(Integer, default=0)
    #: When the current node was sent: the clock of an urgent node starts here.
    node_started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: For an urgent node: after this instant only the timeout path is taken.
    deadline: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: Whether the last step was taken back (practice allows one step back at a time).
    just_undone: Mapped[bool] = mapped_column(Boolean, default=False)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    outcome: Mapped[str | None] = mapped_column(String(16))

    user = relationship("User")
    drill_version: Mapped[DrillVersion] = relationship()
    steps: Mapped[list[DrillStep]] = relationship(back_populates="attempt", order_by="DrillStep.seq",
                                                  cascade="all, delete-orphan")


class DrillStep(db.Model):
    """One decision (or timeout) in an attempt, with the time it took."""

    __tablename__ = "drill_step"
    __table_args__ = (UniqueConstraint("attempt_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("drill_attempt.id", ondelete="CASCADE"), index=True)
    #: Position in the attempt, from 1; a step taken back keeps its row (undone=True).
    seq: Mapped[int] = mapped_column(Integer)
    node_id: Mapped[str] = mapped_column(String(64))
    #: None when the clock ran out.
    choice_id: Mapped[str | None] = mapped_column(String(64))
    timed_out: Mapped[bool] = mapped_column(Boolean, default=False)
    elapsed_ms: Mapped[int] = mapped_column(Integer)
    deltas: Mapped[dict] = mapped_column(JSON, default=dict)
    feedback: Mapped[str] = mapped_column(Text, default="")
    undone: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    attempt: Mapped[DrillAttempt] = relationship(back_populates="steps")
