"""Question banks, quizzes, attempts with their saved answers, and the wrong-answer book (错题本)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON, Boolean, CheckConstraint, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import UTCDateTime, utcnow


class QuestionBank(db.Model):
    """A bank as synced from ``questions/<id>.yaml`` or created by an import."""

    __tablename__ = "question_bank"
    __table_args__ = (CheckConstraint("origin IN ('file', 'import')", name="origin"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    course_slug: Mapped[str | None] = mapped_column(String(64))
    #: "file" banks follow their file on every sync; "import" banks live only in the database.
    origin: Mapped[str] = mapped_column(String(8), default="file")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    synced_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: The importer's area for a bank an organizer imported: it is visible at and below that node and
    #: editable only at it. NULL for shipped banks (and CLI imports): global, read-only to organizers.
    area_id: Mapped[int | None] = mapped_column(ForeignKey("area.id"), index=True)

    questions: Mapped[list[Question]] = relationship(back_populates="bank", order_by="Question.id")
    area = relationship("Area")


class Question(db.Model):
    """One question; ``spec`` holds it as written (answer key included: never sent to a page)."""

    __tablename__ = "question"
    __table_args__ = (
        UniqueConstraint("bank_id", "key"),
        CheckConstraint("type IN ('single', 'multiple', 'truefalse', 'fill')", name="type"),
        CheckConstraint("difficulty BETWEEN 1 AND 3", name="difficulty"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    bank_id: Mapped[int] = mapped_column(ForeignKey("question_bank.id", ondelete="CASCADE"), index=True)
    #: The question id inside its bank, e.g. ``pb-001``.
    key: Mapped[str] = mapped_column(String(64))
    type: Mapped[str] = mapped_column(String(16))
    spec: Mapped[dict] = mapped_column(JSON)
    indicators: Mapped[list] = mapped_column(JSON, default=list)
    difficulty: Mapped[int] = mapped_column(Integer, default=1)
    content_hash: Mapped[str] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    bank: Mapped[QuestionBank] = relationship(back_populates="questions")


class Quiz(db.Model):
    """A quiz as synced from ``questions/quizzes/<id>.yaml``: which questions and the rules."""

    __tablename__ = "quiz"
    __table_args__ = (
        CheckConstraint("kind IN ('course', 'practice', 'daily', 'competition')", name="kind"),
        CheckConstraint("grading IN ('highest', 'last', 'first', 'average')", name="grading"),
        CheckConstraint("pass_mark BETWEEN 0 AND 100", name="pass_mark"),
        CheckConstraint("attempts_allowed >= 0", name="attempts_allowed"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")
    course_slug: Mapped[str | None] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16), default="practice")
    #: {"fixed": ["bank/qid", ...]} or {"draw": [{"count": 5, "banks": [...], ...}, ...]}
    selection: Mapped[dict] = mapped_column(JSON)
    shuffle_questions: Mapped[bool] = mapped_column(Boolean, default=True)
    shuffle_options: Mapped[bool] = mapped_column(Boolean, default=True)
    #: None: untimed.
    time_limit_s: Mapped[int | None] = mapped_column(Integer)
    opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: 0: unlimited (for a daily quiz: per day).
    attempts_allowed: Mapped[int] = mapped_column(Integer, default=0)
    grading: Mapped[str] = mapped_column(String(8), default="highest")
    pass_mark: Mapped[float] = mapped_column(Float, default=60)
    review_score: Mapped[bool] = mapped_column(Boolean, default=True)
    review_answers: Mapped[bool] = mapped_column(Boolean, default=True)
    review_explanations: Mapped[bool] = mapped_column(Boolean, default=True)
    content_hash: Mapped[str] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    synced_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


#: An attempt is open until it is submitted; a person has at most one open attempt per quiz.
OPEN_ATTEMPT = "submitted_at IS NULL"


def _number_in_period(context) -> int:
    """``attempt_no`` when the creator gave none: the attempt's ``number`` (right for every quiz but a
    daily one; ``app.quiz.service.start_attempt`` always gives it)."""
    return context.get_current_parameters()["number"]


class QuizAttempt(db.Model):
    """One attempt. Its questions, option orders and deadline are fixed on the server at the start.

    The database holds the attempt limit under parallel starts: ``attempt_no`` counts the person's
    attempts in the limit's ``period`` (1, 2, …, never above the quiz's limit), unique per person,
    quiz and period; and a partial unique index allows one open attempt per person and quiz.
    """

    __tablename__ = "quiz_attempt"
    __table_args__ = (
        UniqueConstraint("quiz_id", "user_id", "number"),
        UniqueConstraint("user_id", "quiz_id", "period", "attempt_no"),
        Index("uq_quiz_attempt_open", "user_id", "quiz_id", unique=True,
              sqlite_where=text(OPEN_ATTEMPT), postgresql_where=text(OPEN_ATTEMPT)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quiz.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    #: 1 for the person's first attempt at this quiz, 2 for the second ...
    number: Mapped[int] = mapped_column(Integer)
    #: What the attempt limit counts in: "" (all attempts), or the local day "YYYY-MM-DD" of a daily quiz.
    period: Mapped[str] = mapped_column(String(10), default="", server_default="")
    #: 1 for the first attempt in the period, 2 for the second ... (at most the quiz's limit).
    attempt_no: Mapped[int] = mapped_column(Integer, default=_number_in_period)
    seed: Mapped[str] = mapped_column(String(64))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    deadline: Mapped[datetime | None] = mapped_column(UTCDateTime())
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: True when the server submitted it at the deadline.
    auto_submitted: Mapped[bool] = mapped_column(Boolean, default=False)
    #: 0-100 once submitted.
    score: Mapped[float | None] = mapped_column(Float)
    passed: Mapped[bool | None] = mapped_column(Boolean)

    quiz: Mapped[Quiz] = relationship()
    user = relationship("User")
    answers: Mapped[list[AttemptAnswer]] = relationship(back_populates="attempt", order_by="AttemptAnswer.position",
                                                        cascade="all, delete-orphan")


class AttemptAnswer(db.Model):
    """One question of an attempt, with the learner's saved answer (saved as they go)."""

    __tablename__ = "attempt_answer"
    __table_args__ = (UniqueConstraint("attempt_id", "position"), UniqueConstraint("attempt_id", "question_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("quiz_attempt.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    question_id: Mapped[int] = mapped_column(ForeignKey("question.id"), index=True)
    #: The question as it was when the attempt started (so later edits never change the attempt).
    spec: Mapped[dict] = mapped_column(JSON)
    content_hash: Mapped[str] = mapped_column(String(64))
    #: The choices in the order this attempt shows them: option ids, or "true"/"false" ([] for fill-in;
    #: attempts started before 2026-11 have [] for true/false too: shown true first).
    option_order: Mapped[list] = mapped_column(JSON, default=list)
    #: The normalised answer (an option id, a list of ids, true/false, or text), None if unanswered.
    answer: Mapped[object | None] = mapped_column(JSON)
    #: The sequence number of the last autosave applied (the page counts its changes); an autosave
    #: with a number not above it is older and changes nothing.
    seq: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    saved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    score: Mapped[float | None] = mapped_column(Float)

    attempt: Mapped[QuizAttempt] = relationship(back_populates="answers")
    question: Mapped[Question] = relationship()


class WrongAnswer(db.Model):
    """A question in a learner's wrong-answer book; it leaves after right answers on two different days."""

    __tablename__ = "wrong_answer"
    __table_args__ = (UniqueConstraint("user_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("question.id", ondelete="CASCADE"))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_wrong_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: Local dates (YYYY-MM-DD) on which it was answered right since it last went wrong.
    right_days: Mapped[list] = mapped_column(JSON, default=list)
    #: Set when it leaves the book; a new wrong answer brings it back.
    cleared_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    question: Mapped[Question] = relationship()
