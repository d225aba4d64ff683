"""One evidence stream: every result (quiz answer, drill decision or ending, mentor observation,
competition judging, course completion) becomes records on competency indicators.

Rows are written only by the evidence hub (``app.evidence``); profiles, heatmaps and exports read them.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import UTCDateTime, utcnow


class EvidenceRecord(db.Model):
    """One observation of one person on one competency indicator, normalised to 0-100."""

    __tablename__ = "evidence_record"
    __table_args__ = (
        CheckConstraint("score >= 0 AND score <= 100", name="score_range"),
        CheckConstraint("weight > 0", name="weight_positive"),
        Index("ix_evidence_record_user_indicator", "user_id", "indicator"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    #: Indicator id from the competency model, e.g. ``handling.emergency``.
    indicator: Mapped[str] = mapped_column(String(64))
    #: 0 (worst) to 100 (best).
    score: Mapped[float] = mapped_column(Float)
    #: How much this record counts relative to others (a drill ending counts more than one decision).
    weight: Mapped[float] = mapped_column(Float, default=1.0)
    #: What produced the record: a kind registered with the evidence hub (``app.evidence``), which is
    #: the only writer of this table and refuses unregistered kinds.
    source_kind: Mapped[str] = mapped_column(String(32))
    #: The id of the source row (a drill step, an attempt, an answer ...) in its own table.
    source_id: Mapped[int | None] = mapped_column(Integer)
    #: A readable pointer, e.g. ``drill:gas-leak:arrive:ventilate``.
    source_ref: Mapped[str] = mapped_column(String(200), default="")
    #: The content version the result was made on.
    content_version: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)

    user = relationship("User")
