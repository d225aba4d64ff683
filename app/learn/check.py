"""Earning a lesson's hours: the reading clock, the lesson check and the credit (callers commit).

The server is the referee (the rules are in ``app.learn.reading``):

- **Reading clock.** The first time a learner opens a lesson, ``open_lesson`` records the moment
  (``LessonReading.opened_at``, one row per person and lesson, in the database so every worker
  process sees it). The hours can be credited once ``minimum_seconds`` of the lesson's Markdown have
  passed since then: its Han characters at ``READING_CHARS_PER_MINUTE`` (default 300), at least
  ``READING_MIN_SECONDS`` (default 60).
- **Lesson check.** ``CHECK_SIZE`` questions (fewer when the bank has fewer) are drawn for the learner
  from the active bank questions whose ``source`` is this lesson (``course-id/lesson-file-stem``),
  leaving out those on the paper of a competition round that has not closed yet. They are shown
  after the text with opaque option tokens; the key never reaches the page. Every question must be
  answered with full marks.
- **A wrong answer** spends the set: the page shows the explanations of the questions answered wrong,
  and a new set is drawn (other questions when the bank has enough) ``RETRY_SECONDS`` after the
  failed check, on the next opening of the page. Until then no answers are taken.
- **Credit.** ``credit_lesson`` credits the hours only when the reading time is over and the check is
  passed, in one request: an early or unanswered request is refused, naming what is missing, and
  nothing is saved. The hours record (``LessonProgress``) keeps the reading seconds, the check result
  and the number of checks taken. A replayed or parallel request credits once (the learner's row is
  locked on PostgreSQL; the unique constraint on ``LessonProgress`` holds everywhere); the lesson and
  course signals are sent only by the request that credited.
"""
from __future__ import annotations

import math
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from werkzeug.datastructures import MultiDict

from .. import clock, signals
from ..extensions import db
from ..models import Course, Lesson, LessonProgress, Question, QuestionBank, Quiz, User
from ..models.course import LessonReading
from ..quiz.questions import FormData, build_question
from ..refusal import Refusal
from .progress import course_progress, mark_done
from .reading import (
    DEFAULT_CHARS_PER_MINUTE,
    DEFAULT_FLOOR_SECONDS,
    check_answer,
    check_options,
    minimum_seconds,
    tokens_of,
)

#: Questions in one lesson check.
CHECK_SIZE = 2
#: Seconds after a failed check before a new set of questions is drawn.
RETRY_SECONDS = 30


@dataclass
class CheckItem:
    """One check question as the page shows it: no key, only opaque option tokens."""

    field: str                       # the form field that carries the answer
    type: str                        # question type name: single, multiple, truefalse, fill
    text: str
    options: list[tuple[str, str]]   # (token, text) in the learner's order; empty: a text box


@dataclass
class Explained:
    """A question the learner answered wrong in the last failed check, with its explanation."""

    text: str
    explanation: str


@dataclass
class LessonState:
    """Where a learner stands with a lesson: credited, or how long is left and the check to answer."""

    record: LessonProgress | None = None   # the hours record, once credited
    minimum_seconds: int = 0
    seconds_left: int = 0
    items: list[CheckItem] = field(default_factory=list)
    explained: list[Explained] = field(default_factory=list)
    retry_in: int = 0                      # > 0: the last check failed; new questions in this many seconds
    available: bool = True                 # False: no check question exists (the hours cannot be credited)

    @property
    def minutes_left(self) -> int:
        return math.ceil(self.seconds_left / 60)


@dataclass
class Credit:
    """What a request for the hours did."""

    new: bool                    # this request credited the hours
    course_complete: bool        # ... and that completed the course
    passed: bool = True          # False: the check was answered wrong (recorded; see ``retry_in``)
    retry_in: int = 0


def reading_minimum(lesson: Lesson) -> int:
    """The lesson's minimum reading time in seconds, under the current settings."""
    config = current_app.config
    return minimum_seconds(lesson.body_md, config.get("READING_CHARS_PER_MINUTE", DEFAULT_CHARS_PER_MINUTE),
                           config.get("READING_MIN_SECONDS", DEFAULT_FLOOR_SECONDS))


def _source(lesson: Lesson) -> str:
    return f"{lesson.course.slug}/{lesson.slug}"


def check_pool(lesson: Lesson, now: datetime | None = None) -> dict[int, Question]:
    """Question row id → row, for the questions a check of ``lesson`` may ask now (two queries)."""
    now = now or clock.utcnow()
    rows = db.session.execute(select(Question, QuestionBank.slug).join(QuestionBank).where(
        Question.active, QuestionBank.active, Question.spec["source"].as_string() == _source(lesson))
        .order_by(Question.id)).all()
    if not rows:
        return {}
    sealed: set[str] = set()
    for selection in db.session.scalars(select(Quiz.selection).where(
            Quiz.kind == "competition", Quiz.active, or_(Quiz.closes_at.is_(None), Quiz.closes_at > now))):
        sealed.update((selection or {}).get("fixed", []))
    return {row.id: row for row, bank in rows if f"{bank}/{row.key}" not in sealed}


def _reading(user: User, lesson: Lesson) -> LessonReading | None:
    return db.session.scalar(select(LessonReading).where(LessonReading.user_id == user.id,
                                                         LessonReading.lesson_id == lesson.id))


def _record(user: User, lesson: Lesson) -> LessonProgress | None:
    return db.session.scalar(select(LessonProgress).where(LessonProgress.user_id == user.id,
                                                          LessonProgress.lesson_id == lesson.id))


def _spent(reading: LessonReading) -> bool:
    """The current set was answered wrong and no new one has been drawn yet."""
    return reading.failed_at is not None and reading.failed_at >= reading.drawn_at


def _retry_in(reading: LessonReading, now: datetime) -> int:
    if not _spent(reading):
        return 0
    return max(0, math.ceil(((reading.failed_at + timedelta(seconds=RETRY_SECONDS)) - now).total_seconds()))


def _draw(reading: LessonReading, pool: dict[int, Question], now: datetime) -> None:
    """A new set: ``CHECK_SIZE`` questions of ``pool``, not those of the last set when there are enough."""
    count = min(CHECK_SIZE, len(pool))
    fresh = [qid for qid in pool if qid not in set(reading.questions or [])]
    chosen = secrets.SystemRandom().sample(fresh if len(fresh) >= count else list(pool), count)
    if reading.questions:
        reading.draw = (reading.draw or 1) + 1
    reading.questions, reading.drawn_at = chosen, now


def open_lesson(user: User, lesson: Lesson, now: datetime | None = None) -> LessonState:
    """The learner opens ``lesson``: start their reading clock the first time, draw a new check when
    the last one was failed and the wait is over (or its questions are no longer asked), and say
    where they stand."""
    now = now or clock.utcnow()
    minimum = reading_minimum(lesson)
    record = _record(user, lesson)
    if record is not None:
        return LessonState(record=record, minimum_seconds=minimum)
    reading = _reading(user, lesson)
    if reading is None:
        savepoint = db.session.begin_nested()
        try:
            reading = LessonReading(user_id=user.id, lesson_id=lesson.id, opened_at=now, draw=1, questions=[],
                                    drawn_at=now, tries=0, wrong=[])
            db.session.add(reading)
            savepoint.commit()
        except IntegrityError:  # the same lesson opened in two tabs at once: the first opening counts
            savepoint.rollback()
            reading = _reading(user, lesson)
    pool = check_pool(lesson, now)
    stale = any(qid not in pool for qid in reading.questions or [])
    if pool and (not reading.questions or (_spent(reading) and _retry_in(reading, now) == 0)
                 or (stale and not _spent(reading))):
        _draw(reading, pool, now)
    db.session.flush()
    return _state(user, lesson, reading, pool, minimum, now)


def _state(user: User, lesson: Lesson, reading: LessonReading, pool: dict[int, Question], minimum: int,
           now: datetime) -> LessonState:
    elapsed = (now - reading.opened_at).total_seconds()
    state = LessonState(minimum_seconds=minimum, seconds_left=max(0, math.ceil(minimum - elapsed)),
                        retry_in=_retry_in(reading, now), available=bool(pool))
    state.explained = [Explained(text=pool[qid].spec["text"], explanation=pool[qid].spec.get("explanation", ""))
                       for qid in reading.wrong or [] if qid in pool]
    if state.retry_in or not pool:
        return state
    secret, labels = current_app.config["SECRET_KEY"], (_("True"), _("False"))
    for qid in reading.questions or []:
        if qid in pool:
            question = build_question(pool[qid].spec)
            state.items.append(CheckItem(field=f"check-{qid}", type=question.type_name, text=question.text,
                                         options=check_options(question, secret, _context(user, lesson, qid),
                                                               labels)))
    return state


def _context(user: User, lesson: Lesson, question_id: int) -> str:
    return f"{user.id}:{lesson.id}:{question_id}"


def time_left_message(seconds_left: int) -> str:
    return _("About %(minutes)s min of reading left before the hours can be credited.",
             minutes=math.ceil(seconds_left / 60))


def credit_lesson(user: User, course: Course, lesson: Lesson, form: FormData, now: datetime | None = None) -> Credit:
    """Grade the learner's lesson check (answers in ``form``, as the lesson page sends them) and
    credit the lesson's hours if the reading time is over and every answer is right.

    Refused, with nothing saved, while reading time is left, while the last failed check's wait runs,
    when a question is unanswered or the lesson has no check questions. A wrong answer is saved (the
    set is spent, its explanations shown) and answered with ``Credit(passed=False)``. Asking again
    after the credit changes nothing (``Credit(new=False)``)."""
    now = now or clock.utcnow()
    # one request at a time per learner (PostgreSQL; SQLite runs one writer at a time anyway), so a
    # double submit credits once and the last lesson of a course is seen as the last by exactly one
    db.session.execute(select(User.id).where(User.id == user.id).with_for_update())
    if _record(user, lesson) is not None:
        return Credit(new=False, course_complete=False)
    reading = _reading(user, lesson)
    minimum = reading_minimum(lesson)
    elapsed = (now - reading.opened_at).total_seconds() if reading is not None else 0.0
    if reading is None or elapsed < minimum:  # never opened: the whole reading time is left
        raise Refusal(time_left_message(max(1, math.ceil(minimum - elapsed))))
    if _spent(reading):
        raise Refusal(_("Not passed: read the explanations and the lesson again. New questions in %(seconds)s s.",
                        seconds=_retry_in(reading, now)))
    pool = check_pool(lesson, now)
    asked = [qid for qid in reading.questions or [] if qid in pool]
    if not asked:
        raise Refusal(_("This lesson has no check questions yet, so it cannot credit hours."))
    secret = current_app.config["SECRET_KEY"]
    results: dict[int, bool | None] = {}
    for qid in asked:
        question = build_question(pool[qid].spec)
        raw = question.from_form(form, f"check-{qid}")
        results[qid] = check_answer(question, raw, tokens_of(question, secret, _context(user, lesson, qid)))
    if any(result is None for result in results.values()):
        raise Refusal(_("Answer every check question before asking for the hours."))
    reading.tries = (reading.tries or 0) + 1
    wrong = [qid for qid, right in results.items() if not right]
    if wrong:
        reading.failed_at, reading.wrong = now, wrong
        db.session.flush()
        return Credit(new=False, course_complete=False, passed=False, retry_in=RETRY_SECONDS)
    new = mark_done(user, lesson, at=now, reading_seconds=int(elapsed), check_right=len(asked),
                    check_asked=len(asked), check_tries=reading.tries)
    if not new:
        return Credit(new=False, course_complete=False)
    signals.lesson_completed.send(user, lesson=lesson, course=course)
    complete = course_progress(user, [course.id])[course.id].complete
    if complete:
        signals.course_completed.send(user, course=course)
    return Credit(new=True, course_complete=complete)


def right_answers(user: User, lesson: Lesson, now: datetime | None = None) -> MultiDict:
    """The form a learner who answers the current check right would send (demo data and tests)."""
    reading = _reading(user, lesson)
    pool = check_pool(lesson, now)
    form: MultiDict = MultiDict()
    for qid in (reading.questions if reading is not None else []):
        if qid not in pool:
            continue
        question = build_question(pool[qid].spec)
        by_key = {key: value for value, key in tokens_of(question, current_app.config["SECRET_KEY"],
                                                         _context(user, lesson, qid)).items()}
        value = question.form_value()
        for one in (value if isinstance(value, list) else [value]):
            form.add(f"check-{qid}", by_key.get(one, one))
    return form
