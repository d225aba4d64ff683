"""Item statistics for a quiz over the submitted attempts of people in the viewer's scope, and
their Excel export. Three queries whatever the number of attempts."""
from __future__ import annotations

import io
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select

from ..clock import naive_local
from ..exports import finish_workbook, safe_row
from ..extensions import db
from ..labels import flag_text
from ..models import Area, AttemptAnswer, Question, QuestionBank, Quiz, QuizAttempt, User
from ..scope import area_filter
from .questions import build_question
from .stats import AttemptRecord, QuizStatistics, quiz_statistics


@dataclass
class QuizReport:
    statistics: QuizStatistics
    texts: dict[str, str]          # "bank/key" → question text
    option_texts: dict[str, dict[str, str]]  # "bank/key" → option id → text
    attempts: list[QuizAttempt]


def quiz_report(actor: User, quiz: Quiz) -> QuizReport:
    attempts = db.session.scalars(
        select(QuizAttempt).join(User, User.id == QuizAttempt.user_id).join(Area, Area.id == User.area_id)
        .where(QuizAttempt.quiz_id == quiz.id, QuizAttempt.submitted_at.is_not(None), area_filter(actor))
        .order_by(QuizAttempt.submitted_at)).all()
    ids = [a.id for a in attempts]
    rows = db.session.execute(
        select(AttemptAnswer, QuestionBank.slug).join(Question, Question.id == AttemptAnswer.question_id)
        .join(QuestionBank, QuestionBank.id == Question.bank_id).where(AttemptAnswer.attempt_id.in_(ids))).all() \
        if ids else []
    records: dict[int, tuple[dict, dict]] = {a.id: ({}, {}) for a in attempts}
    texts, option_texts = {}, {}
    for answer, bank in rows:
        ref = f"{bank}/{answer.spec['id']}"
        question = build_question(answer.spec, bank_id=bank)
        scores, choices = records[answer.attempt_id]
        scores[ref] = answer.score or 0.0
        choices[ref] = list(question.chosen(answer.answer)) if answer.answer is not None else []
        texts.setdefault(ref, question.text)
        option_texts.setdefault(ref, question.option_texts((_("True"), _("False"))))
    stats = quiz_statistics([AttemptRecord(scores=s, choices=c) for s, c in records.values() if s])
    return QuizReport(statistics=stats, texts=texts, option_texts=option_texts, attempts=attempts)


def report_workbook(quiz: Quiz, report: QuizReport) -> bytes:
    """An .xlsx with the quiz summary, one row per question, and one row per attempt."""
    from openpyxl import Workbook  # loaded on first export only: it is slow to import

    book = Workbook()
    summary = book.active
    summary.title = _("Summary")
    q = report.statistics.quiz
    summary.append(safe_row([_("Quiz"), quiz.title]))
    for label, value in ((_("Attempts"), q.attempts), (_("Mean"), q.mean), (_("Median"), q.median),
                         (_("Standard deviation"), q.stdev)):
        summary.append(safe_row([label, round(value, 2) if isinstance(value, float) else value]))
    summary.append(safe_row([]))
    summary.append(safe_row([_("Score band"), _("Attempts")]))
    for i, count in enumerate(q.histogram):
        summary.append(safe_row([f"{i * 10}-{100 if i == 9 else i * 10 + 9}%", count]))
    items = book.create_sheet(_("Questions"))
    items.append(safe_row([_("Question"), _("Text"), _("Attempts"), _("Facility index"),
                           _("Discrimination (upper vs lower 27%)"), _("Point-biserial"), _("Choices"), _("Flags")]))
    for s in report.statistics.questions:
        options = report.option_texts.get(s.question_id, {})
        items.append(safe_row([s.question_id, report.texts.get(s.question_id, ""), s.attempts,
                               _round(s.facility), _round(s.discrimination), _round(s.point_biserial),
                               "；".join(f"{options.get(k, k)}：{v}" for k, v in s.choices.items()),
                               "；".join(flag_text(f) for f in s.flags)]))
    people = book.create_sheet(_("Attempts"))
    people.append(safe_row([_("Name"), _("Worker number"), _("Attempt"), _("Submitted (Beijing time)"), _("Score"),
                            _("Passed")]))
    for a in report.attempts:
        people.append(safe_row([a.user.name, a.user.worker_number or a.user.username, a.number,
                                naive_local(a.submitted_at), a.score, _("Yes") if a.passed else _("No")]))
    finish_workbook(book)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)
