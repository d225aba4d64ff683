"""One evidence stream: every result (quiz answer, drill decision or ending, mentor observation,
competition judging, course completion) becomes records on competency indicators.

Rows are written only by the evidence hub (``app.evidence``); profiles, heatmaps and exports read them.
The hub also keeps ``IndicatorSums`` (``app.evidence_sums``): per person × indicator the sums the
scoring rule needs, so cohort views read one row per person and indicator instead of every record.
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
        #: The hub's "was this source already counted?" check when it adds to ``IndicatorSums``.
        Index("ix_evidence_record_user_indicator_ref", "user_id", "indicator", "source_ref"),
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


class IndicatorSums(db.Model):
    """Per person × indicator, what the scoring rule needs (``app.profile.scoring.Sums``), kept by the
    evidence hub in the same transaction as the records: growth factors ``2^(t/H)`` are measured from
    ``scoring.SUMS_EPOCH`` with the half-life in ``IndicatorSumsState``."""

    __tablename__ = "indicator_sums"

    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    indicator: Mapped[str] = mapped_column(String(64), primary_key=True)
    #: Σ weight × 2^(days since the epoch / H) over the records.
    weight_sum: Mapped[float] = mapped_column(Float, default=0.0)
    #: Σ weight × score × 2^(days since the epoch / H).
    score_sum: Mapped[float] = mapped_column(Float, default=0.0)
    records: Mapped[int] = mapped_column(Integer, default=0)
    #: Distinct source refs (a record without one counts as a source of its own).
    sources: Mapped[int] = mapped_column(Integer, default=0)
    #: The distinct source kinds, ``|quiz_answer|drill_decision|``.
    kinds: Mapped[str] = mapped_column(String(400), default="|")
    #: The newest record's time: a person with a record after the moment scored is scored from rows.
    latest_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


class IndicatorSumsState(db.Model):
    """How ``indicator_sums`` was built (one row): with which half-life and epoch, and when. A missing
    row, or one that differs from the settings, means the sums must be rebuilt from the records."""

    __tablename__ = "indicator_sums_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    #: EVIDENCE_HALF_LIFE_DAYS at the build (None: no decay).
    half_life_days: Mapped[float | None] = mapped_column(Float)
    epoch: Mapped[datetime] = mapped_column(UTCDateTime())
    #: None until built.
    built_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
