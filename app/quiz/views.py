"""Quiz views: list, taking (answers saved as you go), submit, review, wrong-answer book practice;
organizers' item statistics (with Excel export) and GIFT/Aiken import."""
from __future__ import annotations

import io

from flask import Blueprint, abort, current_app, flash, jsonify, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from ..extensions import db
from ..models import MANAGER_ROLES, QuestionBank, Quiz, QuizAttempt
from ..mentor.service import result_access
from ..security import roles_required
from . import service
from .forms import ImportForm, indicator_choices
from .service import QuizRefused

bp = Blueprint("quiz", __name__, template_folder="templates", url_prefix="/quizzes")


def _tz() -> str:
    return current_app.config["BABEL_DEFAULT_TIMEZONE"]


def _quiz_or_404(slug: str) -> Quiz:
    """An active quiz; competition papers are reached only through their round (404 here)."""
    quiz = db.session.scalar(select(Quiz).where(Quiz.slug == slug, Quiz.active, Quiz.kind != "competition"))
    if quiz is None:
        abort(404)
    return quiz


@bp.route("")
@login_required
def index():
    quizzes = db.session.scalars(select(Quiz).where(Quiz.active, Quiz.kind != "competition")
                                 .order_by(Quiz.kind.desc(), Quiz.title)).all()
    rows = []
    for quiz in quizzes:
        rows.append({"quiz": quiz, "grade": service.grade_for(current_user, quiz),
                     "left": service.attempts_left(current_user, quiz, _tz()),
                     "open": service.open_attempt(current_user, quiz),
                     "closed": service.window_problem(quiz, service.utcnow())})
    return render_template("quiz/index.html", rows=rows, book_count=len(service.book_entries(current_user)))


@bp.route("/<slug>/start", methods=["POST"])
@login_required
def start(slug):
    quiz = _quiz_or_404(slug)
    try:
        attempt = service.start_attempt(current_user, quiz, _tz())
    except QuizRefused as exc:
        db.session.commit()  # an expired open attempt may have been submitted on the way
        flash(str(exc), "error")
        return redirect(url_for("quiz.index"))
    db.session.commit()
    return redirect(url_for("quiz.take", attempt_id=attempt.id))


def _own_attempt(attempt_id: int) -> QuizAttempt:
    attempt = db.session.get(QuizAttempt, attempt_id)
    if attempt is None or attempt.user_id != current_user.id:
        abort(404)
    return attempt


@bp.route("/attempts/<int:attempt_id>")
@login_required
def take(attempt_id):
    attempt = _own_attempt(attempt_id)
    if service.expire_if_due(attempt, _tz()):
        db.session.commit()
        flash(_("Time is up: the attempt was submitted with the answers saved before the deadline."), "error")
    if attempt.submitted_at is not None:
        return redirect(url_for("quiz.review", attempt_id=attempt.id))
    items = [(row, service.presented(row)) for row in attempt.answers]
    return render_template("quiz/take.html", attempt=attempt, quiz=attempt.quiz, items=items,
                           seconds_left=service.seconds_left(attempt))


def _raw_answer(row, form) -> object:
    """The answer to ``row`` as the form sent it, in the shape the question type expects."""
    name = f"q-{row.id}"
    if row.spec["type"] == "multiple":
        return form.getlist(name)
    value = form.get(name)
    if value is None or (row.spec["type"] != "fill" and value == ""):
        return None
    return value


@bp.route("/attempts/<int:attempt_id>/answer", methods=["POST"])
@login_required
def save_answer(attempt_id):
    """Save one answer as the learner goes (called by the page's script; JSON in, JSON out)."""
    attempt = _own_attempt(attempt_id)
    answer_id = request.form.get("answer_id", type=int)
    row = next((a for a in attempt.answers if a.id == answer_id), None)
    raw = _raw_answer(row, request.form) if row is not None else None
    try:
        saved = service.save_answer(current_user, attempt, answer_id or -1, raw, _tz())
    except QuizRefused as exc:
        db.session.commit()  # an auto-submit at the deadline must be kept
        return jsonify(ok=False, error=str(exc), submitted=attempt.submitted_at is not None), 409
    db.session.commit()
    return jsonify(ok=True, saved_at=saved.saved_at.isoformat())


@bp.route("/attempts/<int:attempt_id>/submit", methods=["POST"])
@login_required
def submit(attempt_id):
    attempt = _own_attempt(attempt_id)
    if attempt.submitted_at is not None:
        flash(_("This attempt was already submitted; the second submission was not counted."), "info")
        return redirect(url_for("quiz.review", attempt_id=attempt.id))
    errors = []
    for row in attempt.answers:
        if f"q-{row.id}" in request.form or row.spec["type"] == "multiple":
            try:
                service.save_answer(current_user, attempt, row.id, _raw_answer(row, request.form), _tz())
            except QuizRefused as exc:
                if attempt.submitted_at is not None:
                    break  # the deadline passed: submitted as saved
                errors.append(str(exc))
    if errors:
        db.session.rollback()
        for error in errors:
            flash(error, "error")
        return redirect(url_for("quiz.take", attempt_id=attempt.id))
    service.submit(current_user, attempt, _tz())
    db.session.commit()
    if attempt.auto_submitted:
        flash(_("Time is up: the attempt was submitted with the answers saved before the deadline."), "error")
    return redirect(url_for("quiz.review", attempt_id=attempt.id))


@bp.route("/attempts/<int:attempt_id>/review")
@login_required
def review(attempt_id):
    attempt = db.session.get(QuizAttempt, attempt_id)
    access = result_access(current_user, attempt.user, attempt.submitted_at is not None) if attempt else None
    if access is None:
        abort(404)
    if access == "resume":
        return redirect(url_for("quiz.take", attempt_id=attempt.id))
    items = []
    for row in attempt.answers:
        question = service.question_of(row.spec)
        items.append({"row": row, "shown": question.present(row.option_order or None),
                      "correct": question.correct_answer(), "explanation": question.explanation})
    return render_template("quiz/review.html", attempt=attempt, quiz=attempt.quiz, items=items,
                           grade=service.grade_for(attempt.user, attempt.quiz))


@bp.route("/book")
@login_required
def book():
    entries = service.book_entries(current_user)
    due = service.due_entries(current_user, _tz())
    return render_template("quiz/book.html", entries=entries, due=due)


@bp.route("/book/practice", methods=["GET", "POST"])
@login_required
def practice():
    """One question at a time from the wrong-answer book, with feedback after each answer."""
    result = entry = None
    if request.method == "POST":
        entry_id = request.form.get("entry_id", type=int) or -1
        from ..models import WrongAnswer

        entry = db.session.get(WrongAnswer, entry_id)
        raw = request.form.getlist("answer") if entry and entry.question.type == "multiple" \
            else request.form.get("answer")
        try:
            result = service.practise(current_user, entry_id, raw, _tz())
        except QuizRefused as exc:
            db.session.rollback()
            flash(str(exc), "error")
            return redirect(url_for("quiz.practice"))
        db.session.commit()
    else:
        due = service.due_entries(current_user, _tz())
        entry = due[0] if due else None
    shown = service.question_of(entry.question.spec).present() if entry else None
    return render_template("quiz/practice.html", entry=entry, shown=shown, result=result,
                           remaining=len(service.due_entries(current_user, _tz())))


@bp.route("/<slug>/stats")
@roles_required(*MANAGER_ROLES)
def stats(slug):
    quiz = _quiz_or_404(slug)
    from .reports import quiz_report

    report = quiz_report(current_user, quiz)
    return render_template("quiz/stats.html", quiz=quiz, report=report)


@bp.route("/<slug>/stats.xlsx")
@roles_required(*MANAGER_ROLES)
def stats_excel(slug):
    quiz = _quiz_or_404(slug)
    from .reports import quiz_report, report_workbook

    data = report_workbook(quiz, quiz_report(current_user, quiz))
    return send_file(io.BytesIO(data), as_attachment=True, download_name=f"{quiz.slug}-statistics.xlsx",
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@bp.route("/import", methods=["GET", "POST"])
@roles_required(*MANAGER_ROLES)
def import_questions():
    from .importer import guess_format, import_questions as run_import
    from .questions import ImportDefaults

    form = ImportForm()
    form.indicators.choices = indicator_choices()
    report = None
    if form.validate_on_submit():
        upload = form.file.data
        try:
            text = upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            form.file.errors.append(_("The file is not UTF-8 text."))
        else:
            fmt = form.format.data if form.format.data != "auto" else guess_format(upload.filename or "", text)
            defaults = ImportDefaults(indicators=tuple(form.indicators.data), difficulty=form.difficulty.data,
                                      explanation=form.explanation.data or None)
            report = run_import(text, fmt, form.bank.data.strip(), defaults, bank_title=form.bank_title.data or None,
                                shown=upload.filename)
            db.session.commit()
    banks = db.session.execute(select(QuestionBank.slug, QuestionBank.title, QuestionBank.origin)
                               .where(QuestionBank.active).order_by(QuestionBank.slug)).all()
    return render_template("quiz/import.html", form=form, report=report, banks=banks)
