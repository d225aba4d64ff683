"""Taking quizzes on the server: attempts, saved answers, deadlines, grading, evidence, the
wrong-answer book (错题本). Callers commit.

The server is the referee: an attempt's questions, option orders and deadline are stored when it
starts; answers are saved one question at a time and refused after the deadline (the attempt is
then submitted as saved); submitting twice counts once; pages get questions without keys.
Every action checks that the attempt is the acting person's own and raises ``Refusal`` (nothing
changed) when it cannot be done.
"""
from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select

from .. import signals
from ..access import check_own
from ..clock import local_day, utcnow
from ..extensions import db
from ..models import AttemptAnswer, Question, QuestionBank, Quiz, QuizAttempt, User, WrongAnswer
from ..refusal import Refusal
from .draw import NotEnoughQuestions, arrange, draw
from .questions import AnswerError, UnknownOptionError, build_question
from .quizfile import rules_of

#: Questions asked in one wrong-answer-book practice round.
PRACTICE_SIZE = 10


def question_of(spec: dict, bank_id: str = ""):
    return build_question(spec, bank_id=bank_id)


def _attempts(user: User, quiz: Quiz) -> list[QuizAttempt]:
    return db.session.scalars(select(QuizAttempt).where(QuizAttempt.quiz_id == quiz.id, QuizAttempt.user_id == user.id)
                              .order_by(QuizAttempt.number)).all()


def attempts_left(user: User, quiz: Quiz, tz: str, now: datetime | None = None) -> int | None:
    """How many more attempts may start (None: unlimited). A daily quiz counts today's only."""
    if not quiz.attempts_allowed:
        return None
    mine = _attempts(user, quiz)
    if quiz.kind == "daily":
        today = local_day(now or utcnow(), tz)
        mine = [a for a in mine if local_day(a.started_at, tz) == today]
    return max(0, quiz.attempts_allowed - len(mine))


def open_attempt(user: User, quiz: Quiz) -> QuizAttempt | None:
    return db.session.scalar(select(QuizAttempt).where(QuizAttempt.quiz_id == quiz.id, QuizAttempt.user_id == user.id,
                                                       QuizAttempt.submitted_at.is_(None)))


def window_problem(quiz: Quiz, now: datetime) -> str | None:
    if quiz.opens_at and now < quiz.opens_at:
        return _("This quiz has not opened yet.")
    if quiz.closes_at and now >= quiz.closes_at:
        return _("This quiz has closed.")
    return None


def offered_quiz(slug: str):
    """The select of an active quiz by slug; competition papers are reached only through their round."""
    return select(Quiz).where(Quiz.slug == slug, Quiz.active, Quiz.kind != "competition")


@dataclass
class QuizRow:
    """One quiz on the list, as the learner stands with it."""

    quiz: Quiz
    grade: float | None
    left: int | None
    open: QuizAttempt | None
    closed: str | None  # why it cannot be started now (not open yet, closed)


def quiz_rows(user: User, tz: str, now: datetime | None = None) -> list[QuizRow]:
    """The active quizzes (not competition papers) with the learner's grade, attempts left and open attempt."""
    now = now or utcnow()
    quizzes = db.session.scalars(select(Quiz).where(Quiz.active, Quiz.kind != "competition")
                                 .order_by(Quiz.kind.desc(), Quiz.title)).all()
    return [QuizRow(quiz=quiz, grade=grade_for(user, quiz), left=attempts_left(user, quiz, tz, now),
                    open=open_attempt(user, quiz), closed=window_problem(quiz, now)) for quiz in quizzes]


def _pool(quiz: Quiz) -> list:
    """(row, Question) for the quiz's candidates: only the listed ones for a fixed paper, every
    active question for a draw (rules filter them), in one query."""
    query = select(Question, QuestionBank.slug).join(QuestionBank).where(Question.active)
    fixed = quiz.selection.get("fixed")
    if fixed:
        query = query.where(Question.key.in_([ref.split("/", 1)[-1] for ref in fixed]),
                            QuestionBank.slug.in_({ref.split("/", 1)[0] for ref in fixed}))
    return [(row, question_of(row.spec, slug)) for row, slug in db.session.execute(query).all()]


def expire_open_attempt(user: User, quiz: Quiz, tz: str, now: datetime | None = None) -> bool:
    """Submit the learner's open attempt at ``quiz`` as saved if its deadline has passed. True if it did."""
    current = open_attempt(user, quiz)
    return current is not None and expire_if_due(current, tz, now)


def start_attempt(user: User, quiz: Quiz, tz: str, now: datetime | None = None) -> QuizAttempt:
    """Resume the open attempt, or start a new one with its questions fixed now. Raises Refusal.

    An open attempt past its deadline is submitted as saved on the way; a caller that must keep that
    when the start is refused calls ``expire_open_attempt`` (and commits) first."""
    now = now or utcnow()
    current = open_attempt(user, quiz)
    if current is not None:
        expire_if_due(current, tz, now)
        if current.submitted_at is None:
            return current
    problem = window_problem(quiz, now)
    if problem:
        raise Refusal(problem)
    if attempts_left(user, quiz, tz, now) == 0:
        raise Refusal(_("You have used all your attempts at this quiz."))
    pool = _pool(quiz)
    by_key = {(q.bank_id, q.id): (row, q) for row, q in pool}
    seed = f"{user.id}:{local_day(now, tz)}" if quiz.kind == "daily" else secrets.token_hex(8)
    try:
        if "fixed" in quiz.selection:
            chosen = [by_key[tuple(ref.split("/"))][1] for ref in quiz.selection["fixed"]
                      if tuple(ref.split("/")) in by_key]
            items = arrange(chosen, seed, shuffle_questions=quiz.shuffle_questions,
                            shuffle_options=quiz.shuffle_options)
        else:
            items = draw([q for _row, q in pool], rules_of(quiz.selection), seed,
                         shuffle_questions=quiz.shuffle_questions, shuffle_options=quiz.shuffle_options)
    except NotEnoughQuestions as exc:
        raise Refusal(_("This quiz cannot be drawn from the current question bank. Tell your organizer.")) \
            from exc
    if not items:
        raise Refusal(_("This quiz has no questions at the moment. Tell your organizer."))
    number = 1 + (db.session.scalar(select(func.max(QuizAttempt.number)).where(
        QuizAttempt.quiz_id == quiz.id, QuizAttempt.user_id == user.id)) or 0)
    attempt = QuizAttempt(quiz=quiz, user_id=user.id, number=number, seed=seed, started_at=now,
                          deadline=now + timedelta(seconds=quiz.time_limit_s) if quiz.time_limit_s else None)
    if quiz.closes_at and (attempt.deadline is None or attempt.deadline > quiz.closes_at):
        attempt.deadline = quiz.closes_at
    for position, item in enumerate(items, start=1):
        row, question = by_key[(item.bank_id, item.question_id)]
        attempt.answers.append(AttemptAnswer(position=position, question_id=row.id, spec=row.spec,
                                             content_hash=row.content_hash, option_order=list(item.option_order)))
    db.session.add(attempt)
    db.session.flush()
    return attempt


def presented(answer: AttemptAnswer) -> dict:
    """The question as the page may show it: text and options in the attempt's order, no key."""
    question = question_of(answer.spec)
    return question.present(answer.option_order or None)


def review_items(attempt: QuizAttempt) -> list[dict]:
    """Each question of a submitted attempt as the review shows it: the row (answer and score), the
    question in the attempt's option order, the key and the explanation."""
    items = []
    for row in attempt.answers:
        question = question_of(row.spec)
        items.append({"row": row, "shown": question.present(row.option_order or None),
                      "correct": question.correct_answer(), "explanation": question.explanation})
    return items


def time_up() -> str:
    """What the learner reads when the deadline submitted the attempt."""
    return _("Time is up: the attempt was submitted with the answers saved before the deadline.")


def _is_due(attempt: QuizAttempt, now: datetime) -> bool:
    return attempt.submitted_at is None and attempt.deadline is not None and now >= attempt.deadline


def expire_if_due(attempt: QuizAttempt, tz: str, now: datetime | None = None) -> bool:
    """Submit what was saved when the deadline has passed. True if it did."""
    if _is_due(attempt, now or utcnow()):
        _finish(attempt, attempt.deadline, tz, auto=True)
        return True
    return False


def answer_row(attempt: QuizAttempt, answer_id: int | None) -> AttemptAnswer | None:
    """The attempt's question with that answer id (None: not part of this attempt)."""
    return next((a for a in attempt.answers if a.id == answer_id), None)


def form_answer(row: AttemptAnswer, form) -> Any:
    """The raw answer to ``row`` a submitted form holds (field ``q-<answer id>``), read by its question type."""
    return question_of(row.spec).from_form(form, f"q-{row.id}")


def form_answers(attempt: QuizAttempt, form) -> dict[int, Any]:
    """Answer id → raw answer for every question of the attempt that a submitted form answers."""
    answers = {}
    for row in attempt.answers:
        if question_of(row.spec).in_form(form, f"q-{row.id}"):
            answers[row.id] = form_answer(row, form)
    return answers


def save_answer(user: User, attempt: QuizAttempt, answer_id: int, raw, tz: str,
                now: datetime | None = None) -> AttemptAnswer:
    """Save one answer. Raises Refusal: another person's attempt, already submitted, past the
    deadline, a question not in this attempt, or a malformed answer (an option of another question ...).

    Past the deadline nothing is saved: the caller then submits the attempt as saved with
    ``expire_if_due`` (and commits that)."""
    now = now or utcnow()
    check_own(user, attempt)
    if attempt.submitted_at is not None:
        raise Refusal(_("This attempt has already been submitted; the answer was not saved."))
    if _is_due(attempt, now):
        raise Refusal(time_up())
    return _save(attempt, answer_id, raw, now)


def _save(attempt: QuizAttempt, answer_id: int, raw, now: datetime) -> AttemptAnswer:
    row = answer_row(attempt, answer_id)
    if row is None:
        raise Refusal(_("That question is not part of this attempt; nothing was saved."))
    try:
        row.answer = _jsonable(question_of(row.spec).normalise(raw))
    except AnswerError as exc:
        raise Refusal(_("The answer to question %(n)d is not valid (%(why)s); nothing was saved.",
                        n=row.position, why=answer_problem(exc))) from exc
    row.saved_at = now
    db.session.flush()
    return row


def right_answer(spec: dict):
    """A right answer in the shape a form sends it (demo data and tests answer like a person)."""
    return question_of(spec).form_value()


def answer_problem(exc: AnswerError) -> str:
    """What is wrong with a malformed answer, in the user's language."""
    if isinstance(exc, UnknownOptionError):
        return _("it names an option this question does not have")
    return _("it does not have the form this question type expects")


def _jsonable(value):
    return list(value) if isinstance(value, tuple) else value


def submit(user: User, attempt: QuizAttempt, tz: str, now: datetime | None = None,
           answers: Mapping[int, Any] | None = None) -> bool:
    """Save ``answers`` (answer id → raw answer, see ``form_answers``), then grade and close the attempt.

    False when it was already submitted (a second submit counts once; its answers are ignored). Past
    the deadline the attempt is submitted as saved, without ``answers`` (``auto_submitted``).
    Raises Refusal: another person's attempt, or malformed answers (then nothing is saved)."""
    now = now or utcnow()
    check_own(user, attempt)
    if attempt.submitted_at is not None:
        return False
    if expire_if_due(attempt, tz, now):
        return True
    problems = []
    for answer_id, raw in (answers or {}).items():
        try:
            _save(attempt, answer_id, raw, now)
        except Refusal as exc:
            problems.append(str(exc))
    if problems:
        raise Refusal(" ".join(problems))
    _finish(attempt, now, tz, auto=False)
    return True


def _finish(attempt: QuizAttempt, when: datetime, tz: str, auto: bool) -> None:
    total = 0.0
    for row in attempt.answers:
        question = question_of(row.spec)
        row.score = question.grade(row.answer)
        total += row.score
        _book(attempt.user_id, row.question_id, row.score >= 1.0, when, tz, from_quiz=True)
    attempt.submitted_at, attempt.auto_submitted = when, auto
    attempt.score = round(100 * total / len(attempt.answers), 1) if attempt.answers else 0.0
    attempt.passed = attempt.score >= attempt.quiz.pass_mark
    db.session.flush()
    signals.quiz_submitted.send(attempt)


def _book(user_id: int, question_id: int, right: bool, when: datetime, tz: str, from_quiz: bool) -> WrongAnswer | None:
    """Keep the wrong-answer book: a wrong answer enters (or re-enters) it; a right answer in the
    book counts its day; right on two different days and the question leaves."""
    entry = db.session.scalar(select(WrongAnswer).where(WrongAnswer.user_id == user_id,
                                                        WrongAnswer.question_id == question_id))
    if not right:
        if entry is None:
            entry = WrongAnswer(user_id=user_id, question_id=question_id, added_at=when)
            db.session.add(entry)
        entry.last_wrong_at, entry.right_days, entry.cleared_at = when, [], None
        return entry
    if entry is None or entry.cleared_at is not None:
        return entry
    day = local_day(when, tz)
    if day not in entry.right_days:
        entry.right_days = [*entry.right_days, day]
    if len(entry.right_days) >= 2:
        entry.cleared_at = when
    return entry


def grade_for(user: User, quiz: Quiz) -> float | None:
    """The quiz grade by its method (highest / last / first / average) over submitted attempts."""
    scores = [a.score for a in _attempts(user, quiz) if a.submitted_at is not None and a.score is not None]
    if not scores:
        return None
    return {"highest": max(scores), "last": scores[-1], "first": scores[0],
            "average": round(sum(scores) / len(scores), 1)}[quiz.grading]


# --- the wrong-answer book ---------------------------------------------------------------------

def book_entries(user: User) -> list[WrongAnswer]:
    return db.session.scalars(select(WrongAnswer).where(WrongAnswer.user_id == user.id,
                                                        WrongAnswer.cleared_at.is_(None))
                              .order_by(WrongAnswer.last_wrong_at)).all()


def due_entries(user: User, tz: str, now: datetime | None = None) -> list[WrongAnswer]:
    """Entries to practise now: not already answered right today (spacing), oldest mistakes first."""
    today = local_day(now or utcnow(), tz)
    return [e for e in book_entries(user) if today not in e.right_days][:PRACTICE_SIZE]


@dataclass
class PracticeResult:
    right: bool
    cleared: bool
    correct_answer: object
    explanation: str


def book_entry(user: User, entry_id: int | None) -> WrongAnswer | None:
    """The learner's own entry in the book with that id (cleared or not), else None."""
    entry = db.session.get(WrongAnswer, entry_id) if entry_id is not None else None
    return entry if entry is not None and entry.user_id == user.id else None


def practise(user: User, entry_id: int, raw, tz: str, now: datetime | None = None) -> PracticeResult:
    """Answer one question from the book. Raises Refusal (not in your book, malformed answer)."""
    now = now or utcnow()
    entry = book_entry(user, entry_id)
    if entry is None or entry.cleared_at is not None:
        raise Refusal(_("That question is not in your wrong-answer book."))
    question = question_of(entry.question.spec)
    try:
        right = question.grade(question.normalise(raw)) >= 1.0
    except AnswerError as exc:
        raise Refusal(_("That answer is not valid (%(why)s); nothing was saved.", why=answer_problem(exc))) from exc
    _book(user.id, entry.question_id, right, now, tz, from_quiz=False)
    db.session.flush()
    return PracticeResult(right=right, cleared=entry.cleared_at is not None,
                          correct_answer=question.correct_answer(), explanation=question.explanation)
