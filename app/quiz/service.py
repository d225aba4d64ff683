"""Taking quizzes on the server: attempts, saved answers, deadlines, grading, evidence, the
wrong-answer book (错题本). Callers commit.

The server is the referee: an attempt's questions, the order of every question's choices and the
deadline are stored when it starts (a fresh random seed per attempt); answers are saved one question
at a time and refused after the deadline (the attempt is then submitted as saved); pages get
questions without keys. Every action checks that the attempt is the acting person's own and raises
``Refusal`` (nothing changed) when it cannot be done.

Nothing in a page tells the key: options and the true/false buttons are sent as opaque tokens
(``app.quiz.tokens``, keyed by ``SECRET_KEY`` and scoped to one attempt's question, or to one
showing of a wrong-answer-book question) in the stored random order; ``save_from_form``,
``submit_form`` and ``practise_form`` map the tokens a form sends back to option ids and refuse an
unknown one. The services below them (``save_answer``, ``submit``, ``practise``) take option ids,
as demo data and other features answer.

Parallel requests cannot cheat the rules:

- Submitting grades once: the attempt is claimed with a conditional UPDATE (``… WHERE submitted_at
  IS NULL``) and only the request that changed the row grades it and sends ``quiz_submitted`` (so
  evidence and competition results are written once).
- The attempt limit: ``attempt_no`` (1, 2, … within the limit's period) is unique per person, quiz
  and period, and at most one attempt is open (a partial unique index); a start that loses a race
  retries in a savepoint and resumes the winner's attempt or is refused.
- Autosaves carry the page's sequence number per question; one not above the stored number is older
  and changes nothing (a conditional UPDATE again), and no answer changes once the attempt is claimed.
"""
from __future__ import annotations

import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import and_, bindparam, exists, func, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.util import identity_key
from sqlalchemy.orm.attributes import set_committed_value

from .. import sealing, signals
from ..access import check_own
from ..clock import local_day, utcnow
from ..extensions import db
from ..models import AttemptAnswer, Question, QuestionBank, Quiz, QuizAttempt, User, WrongAnswer
from ..refusal import Refusal
from ..web import MAX_ID
from .draw import NotEnoughQuestions, arrange, draw, shuffled_choices
from .questions import AnswerError, FormData, TrueFalse, UnknownOptionError, build_question
from .quizfile import rules_of
from .tokens import choice_of, choice_token, choice_tokens

#: Questions asked in one wrong-answer-book practice round.
PRACTICE_SIZE = 10
#: How often a start that lost a race to a parallel start looks again before it gives up.
START_TRIES = 3


def attempt_seed() -> str:
    """A fresh random seed for one attempt's question and option order (tests may fix it)."""
    return secrets.token_hex(8)


def question_of(spec: dict, bank_id: str = ""):
    """The question of a stored spec, built once per process and spec (questions are frozen): an
    autosave asks for its question several times, and building one checks the whole spec."""
    return _built(json.dumps(spec, sort_keys=True, ensure_ascii=False, separators=(",", ":")), bank_id)


@lru_cache(maxsize=4096)
def _built(spec_json: str, bank_id: str):
    return build_question(json.loads(spec_json), bank_id=bank_id)


def _attempts(user: User, quiz: Quiz) -> list[QuizAttempt]:
    return db.session.scalars(select(QuizAttempt).where(QuizAttempt.quiz_id == quiz.id, QuizAttempt.user_id == user.id)
                              .order_by(QuizAttempt.number)).all()


def period_of(quiz: Quiz, now: datetime, tz: str) -> str:
    """What the attempt limit counts in: "" (every attempt), or today's local date for a daily quiz."""
    return local_day(now, tz) if quiz.kind == "daily" else ""


def _last_attempt_no(user: User, quiz: Quiz, period: str) -> int:
    return db.session.scalar(select(func.max(QuizAttempt.attempt_no)).where(
        QuizAttempt.quiz_id == quiz.id, QuizAttempt.user_id == user.id, QuizAttempt.period == period)) or 0


def attempts_left(user: User, quiz: Quiz, tz: str, now: datetime | None = None) -> int | None:
    """How many more attempts may start (None: unlimited). A daily quiz counts today's only."""
    if not quiz.attempts_allowed:
        return None
    used = _last_attempt_no(user, quiz, period_of(quiz, now or utcnow(), tz))
    return max(0, quiz.attempts_allowed - used)


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


def _items(user: User, quiz: Quiz, now: datetime, tz: str) -> tuple[str, list]:
    """The seed and the (row, item) pairs of a new attempt: questions, their order and choice orders.

    A daily quiz picks by the person and the day (the same questions all day) and orders by a fresh
    seed; every other quiz picks and orders by a fresh seed. Raises Refusal."""
    pool = _pool(quiz)
    by_key = {(q.bank_id, q.id): (row, q) for row, q in pool}
    order_seed = attempt_seed()
    pick_seed = f"{user.id}:{local_day(now, tz)}" if quiz.kind == "daily" else order_seed
    try:
        if "fixed" in quiz.selection:
            chosen = [by_key[tuple(ref.split("/"))][1] for ref in quiz.selection["fixed"]
                      if tuple(ref.split("/")) in by_key]
            items = arrange(chosen, order_seed, shuffle_questions=quiz.shuffle_questions,
                            shuffle_options=quiz.shuffle_options)
        else:
            items = draw([q for _row, q in pool], rules_of(quiz.selection), pick_seed, order_seed=order_seed,
                         shuffle_questions=quiz.shuffle_questions, shuffle_options=quiz.shuffle_options)
    except NotEnoughQuestions as exc:
        raise Refusal(_("This quiz cannot be drawn from the current question bank. Tell your organizer.")) \
            from exc
    if not items:
        raise Refusal(_("This quiz has no questions at the moment. Tell your organizer."))
    seed = order_seed if pick_seed == order_seed else f"{pick_seed}/{order_seed}"
    return seed, [(by_key[(item.bank_id, item.question_id)][0], item) for item in items]


def start_attempt(user: User, quiz: Quiz, tz: str, now: datetime | None = None) -> QuizAttempt:
    """Resume the open attempt, or start a new one with its questions fixed now. Raises Refusal.

    An open attempt past its deadline is submitted as saved on the way; a caller that must keep that
    when the start is refused calls ``expire_open_attempt`` (and commits) first. Parallel starts: the
    database lets one insert win (``attempt_no`` unique in its period, one open attempt); a loser
    looks again, resumes the winner's attempt or is refused at the limit."""
    now = now or utcnow()
    prepared = None
    for _try in range(START_TRIES):
        current = open_attempt(user, quiz)
        if current is not None:
            expire_if_due(current, tz, now)
            if current.submitted_at is None:
                return current
        problem = window_problem(quiz, now)
        if problem:
            raise Refusal(problem)
        period = period_of(quiz, now, tz)
        attempt_no = _last_attempt_no(user, quiz, period) + 1
        if quiz.attempts_allowed and attempt_no > quiz.attempts_allowed:
            raise Refusal(_("You have used all your attempts at this quiz."))
        seed, items = prepared = prepared or _items(user, quiz, now, tz)
        number = 1 + (db.session.scalar(select(func.max(QuizAttempt.number)).where(
            QuizAttempt.quiz_id == quiz.id, QuizAttempt.user_id == user.id)) or 0)
        attempt = QuizAttempt(quiz=quiz, user_id=user.id, number=number, period=period, attempt_no=attempt_no,
                              seed=seed, started_at=now,
                              deadline=now + timedelta(seconds=quiz.time_limit_s) if quiz.time_limit_s else None)
        if quiz.closes_at and (attempt.deadline is None or attempt.deadline > quiz.closes_at):
            attempt.deadline = quiz.closes_at
        for position, (row, item) in enumerate(items, start=1):
            attempt.answers.append(AttemptAnswer(position=position, question_id=row.id, spec=row.spec,
                                                 content_hash=row.content_hash, option_order=list(item.option_order)))
        savepoint = db.session.begin_nested()
        try:
            db.session.add(attempt)
            db.session.flush()
            savepoint.commit()
            return attempt
        except IntegrityError:  # a parallel start won: look again
            savepoint.rollback()
    raise Refusal(_("Several starts of this quiz arrived at once; open the quiz list and try again."))


# --- what a page shows: choices under per-attempt tokens ---------------------------------------

def _secret() -> str:
    return current_app.config["SECRET_KEY"]


def _scope(row: AttemptAnswer) -> str:
    return f"{row.attempt_id}:{row.id}"


def _choice_order(row: AttemptAnswer, question) -> list[str]:
    """The attempt's order of the question's choices (an attempt from before true/false was shuffled
    stored none for it: true first)."""
    return list(row.option_order) or list(question.choice_ids)


def row_tokens(row: AttemptAnswer) -> dict[str, str]:
    """Choice id → the token a page sends for it, for one question of one attempt."""
    return choice_tokens(_secret(), _scope(row), question_of(row.spec).choice_ids)


def _picked(question, answer) -> set[str]:
    """The choice ids an answer picked ("true"/"false" for a true/false answer)."""
    if answer is None or not question.choice_ids:
        return set()
    if isinstance(answer, bool):
        return {"true" if answer else "false"}
    return {answer} if isinstance(answer, str) else set(answer)


def _shown(question, order: list[str], tokens: Mapping[str, str] | None, answer) -> dict:
    """The question for a page: type, text and choices in ``order``, each with its token (when the
    page posts it), its text (or ``truth`` for true/false) and whether the answer picked it.
    Never an option id, never the key."""
    picked = _picked(question, answer)
    texts = question.option_texts()
    options = []
    for choice in order:
        option = {"checked": choice in picked}
        if tokens is not None:
            option["token"] = tokens[choice]
        if isinstance(question, TrueFalse):
            option["truth"] = choice == "true"
        else:
            option["text"] = texts[choice]
        options.append(option)
    shown = {"type": question.type_name, "text": question.text, "options": options}
    if not question.choice_ids:
        shown["value"] = answer if isinstance(answer, str) else ""
    return shown


def presented(row: AttemptAnswer) -> dict:
    """One question of an open attempt as the page shows it (see ``_shown``)."""
    question = question_of(row.spec)
    return _shown(question, _choice_order(row, question), row_tokens(row), row.answer)


def take_items(attempt: QuizAttempt) -> list[tuple[AttemptAnswer, dict]]:
    """(row, shown) for every question of an open attempt, in the attempt's order."""
    return [(row, presented(row)) for row in attempt.answers]


def form_state(row: AttemptAnswer) -> Any:
    """The saved answer as the page's form would send it: a token, a list of tokens, or the text."""
    question = question_of(row.spec)
    if not question.choice_ids:
        return row.answer or ""
    tokens = row_tokens(row)
    picked = [tokens[c] for c in _choice_order(row, question) if c in _picked(question, row.answer)]
    return picked if question.type_name == "multiple" else (picked[0] if picked else "")


def _key_shown(question, order: list[str]) -> Any:
    """The key for a review in the page's order: True/False, or the texts of the right options, or
    the accepted answers."""
    key = question.correct_answer()
    if isinstance(key, bool) or not question.choice_ids:
        return key
    right = {key} if isinstance(key, str) else set(key)
    texts = question.option_texts()
    return [texts[c] for c in order if c in right]


def review_items(attempt: QuizAttempt) -> list[dict]:
    """Each question of a submitted attempt as the review shows it: the row (answer and score), the
    question in the attempt's order with what was picked (no tokens: nothing is posted), the key,
    the explanation and the feedback meant for the answer given (none for what it did not choose)."""
    items = []
    for row in attempt.answers:
        question = question_of(row.spec)
        order = _choice_order(row, question)
        items.append({"row": row, "shown": _shown(question, order, None, row.answer),
                      "correct": _key_shown(question, order), "explanation": question.explanation,
                      # Moodle's per-answer feedback: only for what this learner chose
                      "feedback": question.feedback_for(row.answer)})
    return items


def _read(question, form: FormData, name: str, tokens: Mapping[str, str], position: int | None) -> Any:
    """The raw answer (option ids, "true"/"false" or text) behind the tokens a form sends for
    ``question`` (number ``position`` on the page, if any). Raises Refusal for a token it was not
    shown with (a stale page, another attempt's, an option id, a guess)."""
    value = question.from_form(form, name)
    if not question.choice_ids or value is None:
        return value

    def choice(token):
        found = choice_of(tokens, token)
        if found is None:
            raise Refusal(_("The answer to question %(n)d is not one of the options shown; nothing was saved. "
                            "Reload the page and answer again.", n=position) if position is not None else
                          _("That answer is not one of the options shown; nothing was saved. "
                            "Reload the page and answer again."))
        return found

    return [choice(t) for t in value] if isinstance(value, list) else choice(value)


def _seq(row: AttemptAnswer, form: FormData) -> int | None:
    """The page's sequence number for this question's answer (``seq-<answer id>``), None if absent."""
    value = form.get(f"seq-{row.id}")
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Refusal(_("The answer to question %(n)d came with a broken sequence number; nothing was saved.",
                        n=row.position)) from None


def right_answer(item: AttemptAnswer | dict) -> Any:
    """A right answer in the shape it is given: for a row of an attempt, as its page's form sends it
    (tokens); for a question spec, as the services take it (option ids). Demo data and tests answer
    like a person with it."""
    if isinstance(item, AttemptAnswer):
        value = question_of(item.spec).form_value()
        tokens = row_tokens(item)
        if not tokens:
            return value
        return [tokens[v] for v in value] if isinstance(value, list) else tokens[value]
    return question_of(item).form_value()


# --- deadlines, saving and submitting ----------------------------------------------------------

def time_up() -> str:
    """What the learner reads when the deadline submitted the attempt."""
    return _("Time is up: the attempt was submitted with the answers saved before the deadline.")


def _is_due(attempt: QuizAttempt, now: datetime) -> bool:
    return attempt.submitted_at is None and attempt.deadline is not None and now >= attempt.deadline


def expire_if_due(attempt: QuizAttempt, tz: str, now: datetime | None = None) -> bool:
    """Submit what was saved when the deadline has passed. True if this call did it."""
    if _is_due(attempt, now or utcnow()):
        return _finish(attempt, attempt.deadline, tz, auto=True)
    return False


def answer_row(attempt: QuizAttempt, answer_id: int | None) -> AttemptAnswer | None:
    """The attempt's question with that answer id (None: not part of this attempt): from the
    attempt's answers when they are loaded, else that one row (an autosave needs no other)."""
    if "answers" in attempt.__dict__:
        return next((a for a in attempt.answers if a.id == answer_id), None)
    if not isinstance(answer_id, int) or not 0 < answer_id <= MAX_ID:
        return None
    row = db.session.identity_map.get(identity_key(AttemptAnswer, answer_id))  # read before in this request
    if row is not None:
        return row if row.attempt_id == attempt.id else None
    return db.session.scalar(_ANSWER_ROW, {"answer_id": answer_id, "attempt_id": attempt.id})


# The autosave's statements, built once: a statement object reused keeps its cache key, so SQLAlchemy
# neither rebuilds nor re-keys it on every request (the values travel as bound parameters).
_ANSWER_ROW = select(AttemptAnswer).where(AttemptAnswer.id == bindparam("answer_id"),
                                          AttemptAnswer.attempt_id == bindparam("attempt_id"))
_LOCKED_ATTEMPT = (select(QuizAttempt).where(QuizAttempt.id == bindparam("attempt_id")).with_for_update(read=True)
                   .execution_options(populate_existing=True))
#: The attempt under its share lock and, in the same statement, one of its answer rows (if it has it).
_LOCKED_ATTEMPT_AND_ROW = (
    select(QuizAttempt, AttemptAnswer)
    .outerjoin(AttemptAnswer, and_(AttemptAnswer.attempt_id == QuizAttempt.id,
                                   AttemptAnswer.id == bindparam("answer_id")))
    .where(QuizAttempt.id == bindparam("attempt_id")).with_for_update(read=True, of=QuizAttempt)
    .execution_options(populate_existing=True))
_ANSWERS, _ATTEMPTS = AttemptAnswer.__table__, QuizAttempt.__table__
#: On the table, not the model: an ORM-enabled UPDATE is copied per execution and keyed again.
_STORE_NEWER_WHILE_OPEN = (
    update(_ANSWERS)
    .where(_ANSWERS.c.id == bindparam("row_id"), _ANSWERS.c.seq < bindparam("new_seq"),
           exists().where(_ATTEMPTS.c.id == bindparam("row_attempt_id"), _ATTEMPTS.c.submitted_at.is_(None)))
    .values(answer=bindparam("new_answer", type_=_ANSWERS.c.answer.type),
            saved_at=bindparam("new_saved_at", type_=_ANSWERS.c.saved_at.type), seq=bindparam("new_seq")))


_ASYNC_COMMIT = text("SET LOCAL synchronous_commit TO OFF")


def autosave_commit() -> None:
    """PostgreSQL: this transaction's COMMIT does not wait for its log to reach the disk (an autosave's).

    On this project's benchmark an autosave on PostgreSQL waited for that flush, not for CPU (73 saves
    a second with the flush, 198 without). The risk is the one ``synchronous=NORMAL`` takes on SQLite:
    a crash of the database server (not of the app) can lose the autosaves of its last ~0.6 s
    (3 × ``wal_writer_delay``), never corrupt or half-apply one. Every other transaction, a submit
    included, still waits for the flush, and since the log is written in order a durable submit makes
    every autosave before it durable: nothing graded can be lost. SQLite: nothing to do."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(_ASYNC_COMMIT)


def locked_attempt(attempt_id: int) -> QuizAttempt | None:
    """The attempt, read under a share lock held until COMMIT (PostgreSQL; SQLite serialises writers
    anyway): a submit waits for this transaction, and a submit in progress is waited for, so its
    ``submitted_at`` is current. An autosave reads its attempt this way and passes ``locked=True``."""
    return db.session.scalar(_LOCKED_ATTEMPT, {"attempt_id": attempt_id})


def locked_attempt_and_row(attempt_id: int, answer_id: int | None) -> tuple[QuizAttempt | None, AttemptAnswer | None]:
    """``locked_attempt`` and, in the same statement, the attempt's answer row ``answer_id`` (None when
    the attempt has no such row). While the caller holds the row, ``answer_row`` finds it in the
    session without another query (the session keeps only objects someone refers to)."""
    if not isinstance(answer_id, int) or not 0 < answer_id <= MAX_ID:
        return locked_attempt(attempt_id), None
    found = db.session.execute(_LOCKED_ATTEMPT_AND_ROW, {"attempt_id": attempt_id, "answer_id": answer_id}).first()
    return (found[0], found[1]) if found is not None else (None, None)


def _not_part() -> Refusal:
    return Refusal(_("That question is not part of this attempt; nothing was saved."))


def _already_submitted() -> Refusal:
    return Refusal(_("This attempt has already been submitted; the answer was not saved."))


@dataclass
class Saved:
    """An autosave's outcome: the row as stored now, whether this save changed it (False: it was
    older than the stored answer, by its sequence number), and what the page is answered with, taken
    before COMMIT (nothing is read back after it): the stored sequence number, the stored answer as
    the form sends it, and when it was saved."""

    row: AttemptAnswer
    applied: bool
    seq: int = 0
    state: Any = None
    saved_at: datetime | None = None


def save_from_form(user: User, attempt: QuizAttempt, answer_id: int | None, form: FormData, tz: str,
                   now: datetime | None = None, locked: bool = False) -> Saved:
    """Save one answer as the page's script sends it: ``q-<answer id>`` (tokens or text) and
    ``seq-<answer id>`` (the page's sequence number for that question, required). Raises Refusal.
    ``locked``: the attempt was read with ``locked_attempt`` in this transaction."""
    now = now or utcnow()
    row = _open_row(user, attempt, answer_id, now)
    seq = _seq(row, form)
    if seq is None:
        raise Refusal(_("The answer came without its sequence number (is the page out of date?); nothing was "
                        "saved. Reload the page."))
    raw = _read(question_of(row.spec), form, f"q-{row.id}", row_tokens(row), row.position)
    return save_answer(user, attempt, row.id, raw, tz, now, seq=seq, locked=locked)


def _open_row(user: User, attempt: QuizAttempt, answer_id: int | None, now: datetime) -> AttemptAnswer:
    """The question ``answer_id`` of the user's own attempt, still open for answers. Raises Refusal."""
    check_own(user, attempt)
    _check_open(attempt, now)
    row = answer_row(attempt, answer_id)
    if row is None:
        raise _not_part()
    return row


def _check_open(attempt: QuizAttempt, now: datetime) -> None:
    if attempt.submitted_at is not None:
        raise _already_submitted()
    if _is_due(attempt, now):
        raise Refusal(time_up())


def save_answer(user: User, attempt: QuizAttempt, answer_id: int, raw, tz: str, now: datetime | None = None,
                seq: int | None = None, locked: bool = False) -> Saved:
    """Save one answer (option ids, as ``right_answer(spec)`` gives them). Raises Refusal: another
    person's attempt, already submitted, past the deadline, a question not in this attempt, or a
    malformed answer (an option of another question ...).

    With ``seq`` the answer is saved only when ``seq`` is above the stored sequence number (else the
    stored answer stays and ``Saved.applied`` is False); without, it is saved whatever came before.
    Past the deadline nothing is saved: the caller then submits the attempt as saved with
    ``expire_if_due`` (and commits that).

    Statements: the one answer row (unless the attempt's answers are loaded), the conditional UPDATE,
    and unless ``locked`` (the attempt was read with ``locked_attempt``) the share lock on the attempt."""
    now = now or utcnow()
    row = _open_row(user, attempt, answer_id, now)
    answer = _normalised(row, raw)
    # Hold the attempt open while this answer is written (PostgreSQL: a share lock, so a submit
    # waits for it; SQLite serialises writers anyway and the UPDATE checks the attempt again).
    if not locked and db.session.scalar(
            select(QuizAttempt.id).where(QuizAttempt.id == attempt.id, QuizAttempt.submitted_at.is_(None))
            .with_for_update(read=True)) is None:
        raise _already_submitted()
    applied = _store(row, answer, seq, now, while_open=True)
    if not applied and (seq is None or row.seq < seq):  # not older: the attempt was submitted meanwhile
        raise _already_submitted()
    return Saved(row=row, applied=applied, seq=row.seq, state=form_state(row), saved_at=row.saved_at)


def _normalised(row: AttemptAnswer, raw):
    try:
        return _jsonable(question_of(row.spec).normalise(raw))
    except AnswerError as exc:
        raise Refusal(_("The answer to question %(n)d is not valid (%(why)s); nothing was saved.",
                        n=row.position, why=answer_problem(exc))) from exc


def _store(row: AttemptAnswer, answer, seq: int | None, now: datetime, while_open: bool) -> bool:
    """Write one answer with a conditional UPDATE: only if ``seq`` is above the stored one (when given)
    and, ``while_open``, only while the attempt is not submitted. True if it wrote; ``row`` then holds
    the written values (no read back), else it is reloaded as stored."""
    values: dict[str, Any] = {"answer": answer, "saved_at": now}
    if seq is not None and while_open:  # an autosave: the one statement built once
        values["seq"] = seq
        result = db.session.execute(_STORE_NEWER_WHILE_OPEN, {
            "row_id": row.id, "new_seq": seq, "row_attempt_id": row.attempt_id, "new_answer": answer,
            "new_saved_at": now})
    else:
        statement = update(AttemptAnswer).where(AttemptAnswer.id == row.id)
        if seq is not None:
            statement = statement.where(AttemptAnswer.seq < seq)
            values["seq"] = seq
        if while_open:
            statement = statement.where(exists().where(QuizAttempt.id == row.attempt_id,
                                                       QuizAttempt.submitted_at.is_(None)))
        result = db.session.execute(statement.values(**values).execution_options(synchronize_session=False))
    if result.rowcount != 1:
        db.session.refresh(row)
        return False
    for key, value in values.items():
        set_committed_value(row, key, value)
    return True


def answer_problem(exc: AnswerError) -> str:
    """What is wrong with a malformed answer, in the user's language."""
    if isinstance(exc, UnknownOptionError):
        return _("it names an option this question does not have")
    return _("it does not have the form this question type expects")


def _jsonable(value):
    return list(value) if isinstance(value, tuple) else value


def _closed_or_due(user: User, attempt: QuizAttempt, tz: str, now: datetime) -> bool | None:
    """For a submit: False when the attempt was already submitted; past the deadline, submit it as
    saved (True when this request did); None when the submit may go on. Raises Refusal (not yours)."""
    check_own(user, attempt)
    if attempt.submitted_at is not None:
        return False
    if _is_due(attempt, now):
        return _finish(attempt, attempt.deadline, tz, auto=True)
    return None


def submit_form(user: User, attempt: QuizAttempt, tz: str, form: FormData, now: datetime | None = None) -> bool:
    """Submit the page's form: every question it answers (tokens or text, ``q-<answer id>``, with the
    optional ``seq-<answer id>``), then grade. False when it was already submitted. Raises Refusal
    (another person's attempt, an unknown token, a malformed answer: nothing is saved)."""
    now = now or utcnow()
    closed = _closed_or_due(user, attempt, tz, now)
    if closed is not None:
        return closed
    answers, seqs, problems = {}, {}, []
    for row in attempt.answers:
        question, name = question_of(row.spec), f"q-{row.id}"
        if not question.in_form(form, name):
            continue
        try:
            answers[row.id] = _read(question, form, name, row_tokens(row), row.position)
            seqs[row.id] = _seq(row, form)
        except Refusal as exc:
            problems.append(str(exc))
    if problems:
        raise Refusal(" ".join(problems))
    return submit(user, attempt, tz, now, answers=answers, seqs=seqs)


def submit(user: User, attempt: QuizAttempt, tz: str, now: datetime | None = None,
           answers: Mapping[int, Any] | None = None, seqs: Mapping[int, int | None] | None = None) -> bool:
    """Save ``answers`` (answer id → raw answer in option ids), then grade and close the attempt.

    ``seqs`` (answer id → the page's sequence number) keeps a newer saved answer over an older page's.
    False when it was already submitted, by an earlier request or a parallel one (a second submit
    counts once; its answers are ignored). Past the deadline the attempt is submitted as saved,
    without ``answers`` (``auto_submitted``). Raises Refusal: another person's attempt, or malformed
    answers (then nothing is saved)."""
    now = now or utcnow()
    closed = _closed_or_due(user, attempt, tz, now)
    if closed is not None:
        return closed
    prepared, problems = [], []
    for answer_id, raw in (answers or {}).items():
        row = answer_row(attempt, answer_id)
        try:
            if row is None:
                raise _not_part()
            prepared.append((row, _normalised(row, raw), (seqs or {}).get(answer_id)))
        except Refusal as exc:
            problems.append(str(exc))
    if problems:
        raise Refusal(" ".join(problems))
    return _finish(attempt, now, tz, auto=False, answers=prepared)


def _claim(attempt: QuizAttempt, when: datetime, auto: bool) -> bool:
    """Mark the attempt submitted if nobody has: a conditional UPDATE, so of parallel requests exactly
    one changes the row (PostgreSQL makes the others wait, then finds the row submitted). True if
    this request did."""
    result = db.session.execute(
        update(QuizAttempt).where(QuizAttempt.id == attempt.id, QuizAttempt.submitted_at.is_(None))
        .values(submitted_at=when, auto_submitted=auto).execution_options(synchronize_session=False))
    db.session.refresh(attempt)
    return result.rowcount == 1


def _finish(attempt: QuizAttempt, when: datetime, tz: str, auto: bool, answers=()) -> bool:
    """Claim the attempt, write the last ``answers`` (row, answer, seq), grade what is stored and send
    ``quiz_submitted``. False (nothing written) when another request submitted it first."""
    if not _claim(attempt, when, auto):
        return False
    for row, answer, seq in answers:
        _store(row, answer, seq, when, while_open=False)
    rows = db.session.scalars(select(AttemptAnswer).where(AttemptAnswer.attempt_id == attempt.id)
                              .order_by(AttemptAnswer.position)
                              .execution_options(populate_existing=True)).all()  # as stored now
    total = 0.0
    for row in rows:
        question = question_of(row.spec)
        row.score = question.grade(row.answer)
        total += row.score
    if not sealing.book_deferred(attempt):  # a running competition's paper: booked when published
        book_answers(attempt, tz)
    attempt.score = round(100 * total / len(rows), 1) if rows else 0.0
    attempt.passed = attempt.score >= attempt.quiz.pass_mark
    db.session.flush()
    signals.quiz_submitted.send(attempt)
    return True


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


def book_answers(attempt: QuizAttempt, tz: str) -> None:
    """Enter a graded attempt's answers in the wrong-answer book as of its submission (wrong answers
    enter, right ones count their day). Done at grading, or by the competition when it publishes the
    results of a paper whose answers had to wait (``app.sealing.book_deferred``)."""
    for row in attempt.answers:
        _book(attempt.user_id, row.question_id, (row.score or 0) >= 1.0, attempt.submitted_at, tz, from_quiz=True)
    db.session.flush()


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
    """Entries to practise now: not already answered right today (spacing), and not from a bank that a
    competition round the learner takes part in is using now (``app.sealing.practice_blocked``: the
    practice page shows the key); oldest mistakes first."""
    now = now or utcnow()
    today = local_day(now, tz)
    entries = [e for e in book_entries(user) if today not in e.right_days]
    blocked = {slug for slug in {e.question.bank.slug for e in entries}
               if sealing.practice_blocked(user, "quiz bank", slug, now)}
    return [e for e in entries if e.question.bank.slug not in blocked][:PRACTICE_SIZE]


@dataclass
class PracticeResult:
    right: bool
    cleared: bool
    type: str
    text: str
    #: The key as the page shows it: True/False, the right options' texts, or the accepted answers.
    correct_answer: object
    explanation: str


def book_entry(user: User, entry_id: int | None) -> WrongAnswer | None:
    """The learner's own entry in the book with that id (cleared or not), else None."""
    entry = db.session.get(WrongAnswer, entry_id) if entry_id is not None else None
    return entry if entry is not None and entry.user_id == user.id else None


def _practice_scope(entry: WrongAnswer) -> str:
    """One showing of a book question: it changes whenever a practice answer counts (a right answer on
    a new day, a wrong one), so the tokens and the order of its choices change with it."""
    return f"book:{entry.id}:{entry.last_wrong_at.isoformat()}:{','.join(entry.right_days)}"


def _practice_order(entry: WrongAnswer, question) -> list[str]:
    return list(shuffled_choices(question, choice_token(_secret(), _practice_scope(entry), "order")))


def _practice_tokens(entry: WrongAnswer, question) -> dict[str, str]:
    return choice_tokens(_secret(), _practice_scope(entry), question.choice_ids)


def practice_item(entry: WrongAnswer) -> dict:
    """A book question as the practice page shows it: choices shuffled for this showing (pinned ones
    in place), under tokens; no key."""
    question = question_of(entry.question.spec)
    return _shown(question, _practice_order(entry, question), _practice_tokens(entry, question), None)


def _open_entry(user: User, entry_id: int | None) -> WrongAnswer:
    entry = book_entry(user, entry_id)
    if entry is None or entry.cleared_at is not None:
        raise Refusal(_("That question is not in your wrong-answer book."))
    return entry


def practise_form(user: User, entry_id: int | None, form: FormData, tz: str,
                  now: datetime | None = None) -> PracticeResult:
    """Answer a book question as the practice page's form sends it (``answer``: tokens or text)."""
    entry = _open_entry(user, entry_id)
    question = question_of(entry.question.spec)
    raw = _read(question, form, "answer", _practice_tokens(entry, question), None)
    return practise(user, entry.id, raw, tz, now)


def practise(user: User, entry_id: int, raw, tz: str, now: datetime | None = None) -> PracticeResult:
    """Answer one question from the book (option ids). Raises Refusal (not in your book, malformed answer)."""
    now = now or utcnow()
    entry = _open_entry(user, entry_id)
    question = question_of(entry.question.spec)
    try:
        right = question.grade(question.normalise(raw)) >= 1.0
    except AnswerError as exc:
        raise Refusal(_("That answer is not valid (%(why)s); nothing was saved.", why=answer_problem(exc))) from exc
    _book(user.id, entry.question_id, right, now, tz, from_quiz=False)
    db.session.flush()
    return PracticeResult(right=right, cleared=entry.cleared_at is not None, type=question.type_name,
                          text=question.text, correct_answer=_key_shown(question, list(question.choice_ids)),
                          explanation=question.explanation)
