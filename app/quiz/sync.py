"""Loading checked question banks and quiz definitions into the database (the caller commits).

Banks and quizzes are matched by id, questions by (bank, question id). Changed questions are
updated in place (attempts keep their own snapshot of every question); questions and quizzes no
longer in the files are deactivated, never deleted. Banks created by an import are left alone.
"""
from __future__ import annotations

from sqlalchemy import select

from ..content.upsert import add_row, changed_row, deactivate, same_hash
from ..extensions import db
from ..models import Question, QuestionBank, Quiz
from .bank import Bank
from .quizfile import QuizSpec


def upsert_bank(slug: str, title: str, course: str | None, questions, origin: str, counts: dict[str, int],
                deactivate_missing: bool = True) -> QuestionBank:
    """Create or update one bank and its questions (``questions``: the pure Question objects)."""
    bank = db.session.scalar(select(QuestionBank).where(QuestionBank.slug == slug))
    if bank is None:
        bank = QuestionBank(slug=slug, origin=origin)
        db.session.add(bank)
        counts["banks_added"] += 1
    bank.title, bank.course_slug, bank.active = title, course, True
    existing = {q.key: q for q in bank.questions}
    for question in questions:
        def make(key=question.id):
            bank.questions.append(Question(key=key, content_hash=""))
            return bank.questions[-1]

        row = changed_row(existing, question.id, make, same_hash(question.content_hash), counts, "questions")
        if row is None:
            continue
        row.type, row.spec, row.indicators = question.type_name, question.to_spec(), list(question.indicators)
        row.difficulty, row.content_hash, row.active = question.difficulty, question.content_hash, True
    if deactivate_missing:
        deactivate(existing.values(), counts, "questions")
    db.session.flush()
    return bank


def sync_banks(banks: list[Bank]) -> dict[str, int]:
    counts = dict.fromkeys(("banks_added", "questions_added", "questions_updated", "questions_deactivated"), 0)
    seen = set()
    for bank in banks:
        seen.add(bank.id)
        upsert_bank(bank.id, bank.title, bank.course, bank.questions, "file", counts)
    for row in db.session.scalars(select(QuestionBank).where(QuestionBank.origin == "file", QuestionBank.active)):
        if row.slug not in seen:
            row.active = False
            deactivate(row.questions, counts, "questions")
    db.session.flush()
    return counts


def sync_quizzes(quizzes: list[QuizSpec]) -> dict[str, int]:
    counts = dict.fromkeys(("quizzes_added", "quizzes_updated", "quizzes_deactivated"), 0)
    existing = {q.slug: q for q in db.session.scalars(select(Quiz).where(Quiz.kind != "competition"))}
    for spec in quizzes:
        quiz = changed_row(existing, spec.id, lambda: add_row(Quiz(slug=spec.id, content_hash="")),
                           same_hash(spec.content_hash), counts, "quizzes")
        if quiz is None:
            continue
        quiz.title, quiz.summary, quiz.course_slug, quiz.kind = spec.title, spec.summary, spec.course, spec.kind
        quiz.selection, quiz.time_limit_s = spec.selection, spec.time_limit_s
        quiz.shuffle_questions, quiz.shuffle_options = spec.shuffle_questions, spec.shuffle_options
        quiz.opens_at, quiz.closes_at, quiz.attempts_allowed = spec.opens_at, spec.closes_at, spec.attempts
        quiz.grading, quiz.pass_mark = spec.grading, spec.pass_mark
        quiz.review_score, quiz.review_answers = spec.review["score"], spec.review["answers"]
        quiz.review_explanations, quiz.content_hash, quiz.active = spec.review["explanations"], spec.content_hash, True
    deactivate(existing.values(), counts, "quizzes")
    db.session.flush()
    return counts
