"""Skill competitions (技能比武): rounds, brackets, entries, one result per entry and round, judges,
judge swaps, and what is published (the ranking on the competition, certificates with their numbers)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON, CheckConstraint, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import UTCDateTime, utcnow


class Competition(db.Model):
    __tablename__ = "competition"
    __table_args__ = (
        CheckConstraint("prize_mode IN ('count', 'share')", name="prize_mode"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    #: The organizer's node: contestants and judges come from at or below it.
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id"))
    #: After this instant the public leaderboard stops updating (organizers still see the truth).
    freeze_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: Ranking prizes (一等奖/二等奖/三等奖): by "count" (places) or by "share" (percent of the contestants).
    prize_mode: Mapped[str] = mapped_column(String(8), default="count", server_default="count")
    prize_first: Mapped[float] = mapped_column(Float, default=1, server_default=text("1"))
    prize_second: Mapped[float] = mapped_column(Float, default=2, server_default=text("2"))
    prize_third: Mapped[float] = mapped_column(Float, default=3, server_default=text("3"))
    #: When the organizer published the results; until then the competition is sealed.
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    #: What was published: {"rounds", "overall", "brackets", "awards"} (see ``app.compete.service.publish``).
    results: Mapped[dict | None] = mapped_column(JSON)
    #: Raised (``board_version + 1`` in SQL) in the transaction of every write that changes the board, by
    #: ``app.compete.boardcache``: a cached board of another version is not served.
    board_version: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))

    area = relationship("Area")
    rounds: Mapped[list[CompetitionRound]] = relationship(back_populates="competition",
                                                          order_by="CompetitionRound.position",
                                                          cascade="all, delete-orphan")
    brackets: Mapped[list[Bracket]] = relationship(back_populates="competition", order_by="Bracket.id",
                                                   cascade="all, delete-orphan")


class Bracket(db.Model):
    """A group with its own leaderboard, e.g. a district, or new vs experienced workers."""

    __tablename__ = "bracket"
    __table_args__ = (UniqueConstraint("competition_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    competition_id: Mapped[int] = mapped_column(ForeignKey("competition.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))

    competition: Mapped[Competition] = relationship(back_populates="brackets")


class CompetitionRound(db.Model):
    """A knowledge quiz (the same paper for all, shuffled), a drill (assessed mode) or a judged practical."""

    __tablename__ = "competition_round"
    __table_args__ = (
        CheckConstraint("kind IN ('quiz', 'drill', 'practical')", name="kind"),
        CheckConstraint("weight > 0", name="weight_positive"),
        CheckConstraint("closes_at > opens_at", name="window"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    competition_id: Mapped[int] = mapped_column(ForeignKey("competition.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(200))
    weight: Mapped[float] = mapped_column(Float, default=1.0)
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime())
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: Quiz rounds: the paper, a quiz of kind "competition" with a fixed question list.
    quiz_id: Mapped[int | None] = mapped_column(ForeignKey("quiz.id"))
    #: Drill rounds: the drill id (its current version when the contestant starts).
    drill_id: Mapped[str | None] = mapped_column(String(64))
    #: Practical rounds: [{"name": ..., "max": points, "indicator": id}, ...]
    rubric: Mapped[list] = mapped_column(JSON, default=list)

    competition: Mapped[Competition] = relationship(back_populates="rounds")
    quiz = relationship("Quiz")


class Entry(db.Model):
    """A contestant enrolled in a competition (optionally in a bracket)."""

    __tablename__ = "entry"
    __table_args__ = (UniqueConstraint("competition_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    competition_id: Mapped[int] = mapped_column(ForeignKey("competition.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    bracket_id: Mapped[int | None] = mapped_column(ForeignKey("bracket.id", ondelete="SET NULL"))

    user = relationship("User")
    bracket = relationship("Bracket")


class RoundResult(db.Model):
    """One attempt per entry and round (the unique constraint is the referee), and its score 0-100."""

    __tablename__ = "round_result"
    __table_args__ = (
        UniqueConstraint("round_id", "entry_id"),
        CheckConstraint("score IS NULL OR (score >= 0 AND score <= 100)", name="score_range"),
        Index("ix_round_result_round_finished", "round_id", "finished_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("competition_round.id", ondelete="CASCADE"))
    entry_id: Mapped[int] = mapped_column(ForeignKey("entry.id", ondelete="CASCADE"), index=True)
    quiz_attempt_id: Mapped[int | None] = mapped_column(ForeignKey("quiz_attempt.id", ondelete="SET NULL"),
                                                        unique=True)
    drill_attempt_id: Mapped[int | None] = mapped_column(ForeignKey("drill_attempt.id", ondelete="SET NULL"),
                                                         unique=True)
    score: Mapped[float | None] = mapped_column(Float)
    #: Per indicator 0-100 as measured in this round (for the single awards).
    indicator_scores: Mapped[dict] = mapped_column(JSON, default=dict)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    round: Mapped[CompetitionRound] = relationship()
    entry: Mapped[Entry] = relationship()


class RoundJudge(db.Model):
    __tablename__ = "round_judge"

    round_id: Mapped[int] = mapped_column(ForeignKey("competition_round.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)

    user = relationship("User")


class JudgeScore(db.Model):
    """One judge's points for one contestant on a practical round (per rubric criterion)."""

    __tablename__ = "judge_score"
    __table_args__ = (UniqueConstraint("round_id", "entry_id", "judge_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("competition_round.id", ondelete="CASCADE"), index=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("entry.id", ondelete="CASCADE"))
    judge_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    #: Points per criterion, in rubric order.
    points: Mapped[list] = mapped_column(JSON)
    note: Mapped[str] = mapped_column(String(500), default="")
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: Conflicts of interest when the sheet was submitted: "mentee", "mentor", "same_grid".
    conflicts: Mapped[list] = mapped_column(JSON, default=list, server_default=text("'[]'"))
    #: Set when the organizer swapped this judge out for the entry: kept in the history, no longer counted.
    superseded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    judge = relationship("User")


class JudgeSwap(db.Model):
    """The organizer replaced one judge by another for one entry of a practical round."""

    __tablename__ = "judge_swap"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("competition_round.id", ondelete="CASCADE"), index=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("entry.id", ondelete="CASCADE"))
    out_judge_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    in_judge_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    swapped_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    swapped_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    out_judge = relationship("User", foreign_keys=[out_judge_id])
    in_judge = relationship("User", foreign_keys=[in_judge_id])


class LeaderboardCache(db.Model):
    """The leaderboard as last computed, per competition and variant, shared by every app process: ``live``
    (every result, with the organizer's preview of prizes and awards; the public sees it without them
    until the freeze) and ``frozen`` (only results recorded before the freeze: the public board after
    it). A row counts only while its ``version`` equals the competition's ``board_version``."""

    __tablename__ = "leaderboard_cache"
    __table_args__ = (CheckConstraint("variant IN ('live', 'frozen')", name="variant"),)

    competition_id: Mapped[int] = mapped_column(ForeignKey("competition.id", ondelete="CASCADE"), primary_key=True)
    variant: Mapped[str] = mapped_column(String(8), primary_key=True)
    #: The competition's ``board_version`` read before the results this board was computed from.
    version: Mapped[int] = mapped_column(Integer)
    #: The board (``app.compete.service.board_data``).
    board: Mapped[dict] = mapped_column(JSON)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Certificate(db.Model):
    """A certificate as published: everything it prints is stored, so every download is the same.

    ``number`` is readable (``2026-长青街道-比武-001``): a series per year and area, counted from 1."""

    __tablename__ = "competition_certificate"
    __table_args__ = (
        UniqueConstraint("series", "sequence"),
        CheckConstraint("kind IN ('award', 'participation')", name="kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    competition_id: Mapped[int] = mapped_column(ForeignKey("competition.id", ondelete="CASCADE"), index=True)
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("entry.id", ondelete="SET NULL"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    #: "prize-1" … "prize-3" for ranking prizes, an award key (``policy_expert`` …), "" for participation.
    award: Mapped[str] = mapped_column(String(32), default="")
    series: Mapped[str] = mapped_column(String(160))
    sequence: Mapped[int] = mapped_column(Integer)
    number: Mapped[str] = mapped_column(String(200), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    body: Mapped[str] = mapped_column(Text)
    issuer: Mapped[str] = mapped_column(String(200))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime())
