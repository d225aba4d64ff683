"""Quiz views: list, taking (answers saved as you go), submit, review, wrong-answer book practice;
organizers' item statistics (with Excel export) and GIFT/Aiken import."""
from __future__ import annotations

import io

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from .. import sealing
from ..access import own_or_404, result_access
from ..clock import seconds_left, zone_name
from ..extensions import db
from ..kb import service as kb_service
from ..models import MANAGER_ROLES, CompetitionRound, Course, QuizAttempt
from ..refusal import Refusal
from ..security import roles_required
from ..web import perform, perform_quietly
from . import service
from .forms import ImportForm, PracticeForm, indicator_choices
from .exporter import EXPORTS, bank_questions, export_bank, find_bank, visible_banks
from .importer import guess_format, import_questions as run_import, listed_banks, read_file, summary
from .questions import ImportDefaults, build_question
from .reports import quiz_report, report_workbook

bp = Blueprint("quiz", __name__, template_folder="templates", url_prefix="/quizzes")


def _own_attempt(attempt_id: int) -> QuizAttempt:
    """The current user's attempt, or 404 (another person's attempt is never revealed)."""
    return own_or_404(current_user, db.session.get(QuizAttempt, attempt_id))


@bp.route("")
@login_required
def index():
    return render_template("quiz/index.html", groups=_grouped(service.quiz_rows(current_user, zone_name())),
                           book_count=len(service.book_entries(current_user)))


#: The quiz list's sections in order: the course tests by their course's tier, then practice.
SECTIONS = ("onboarding", "annual", "topical", "practice")


def _grouped(rows) -> list[tuple[str, list]]:
    """The quiz rows in sections (``SECTIONS``), course tests in their course's order (as the
    training catalogue lists them), practice with 每日一练 first; empty sections left out."""
    slugs = {row.quiz.course_slug for row in rows if row.quiz.course_slug}
    courses = {c.slug: c for c in db.session.scalars(select(Course).where(Course.slug.in_(slugs)))} if slugs else {}
    sections: dict[str, list] = {name: [] for name in SECTIONS}
    for row in rows:
        course = courses.get(row.quiz.course_slug or "")
        section = course.tier if course is not None and course.tier in sections else "practice"
        sections[section].append((course.sort_order if course is not None else 0,
                                  0 if row.quiz.kind == "daily" else 1, row.quiz.title, row))
    return [(name, [entry[-1] for entry in sorted(entries, key=lambda e: e[:3])])
            for name, entries in sections.items() if entries]


@bp.route("/<slug>/start", methods=["POST"])
@login_required
def start(slug):
    quiz = db.first_or_404(service.offered_quiz(slug))
    perform(service.expire_open_attempt, current_user, quiz, zone_name())  # kept even if the start is refused
    outcome = perform(service.start_attempt, current_user, quiz, zone_name())
    if not outcome:
        return redirect(url_for("quiz.index"))
    return redirect(url_for("quiz.take", attempt_id=outcome.value.id))


@bp.route("/attempts/<int:attempt_id>")
@login_required
def take(attempt_id):
    attempt = _own_attempt(attempt_id)
    if perform(service.expire_if_due, attempt, zone_name()).value:
        flash(service.time_up(), "error")
    if attempt.submitted_at is not None:
        return redirect(url_for("quiz.review", attempt_id=attempt.id))
    return render_template("quiz/take.html", attempt=attempt, quiz=attempt.quiz, items=service.take_items(attempt),
                           seconds_left=seconds_left(attempt.deadline))


@bp.route("/attempts/<int:attempt_id>/answer", methods=["POST"])
@login_required
def save_answer(attempt_id):
    """Save one answer as the learner goes (called by the page's script with the question's tokens and
    sequence number; JSON out). An older autosave than the stored one changes nothing and is answered
    with the stored state (``stale``)."""
    # The attempt under a share lock (a submit waits for this save) with only the one answer row, in
    # one statement; the reply is built from what the service wrote, so nothing is read back after COMMIT.
    # The CSRF token is checked by CSRFProtect before the view (no form object is built for one id).
    answer_id = request.form.get("answer_id", type=int)
    service.autosave_commit()  # PostgreSQL: the COMMIT does not wait for the disk (see there)
    attempt, row = service.locked_attempt_and_row(attempt_id, answer_id)
    own_or_404(current_user, attempt)
    outcome = perform_quietly(service.save_from_form, current_user, attempt, answer_id, request.form, zone_name(),
                              locked=True)
    del row  # held until here: the service found it in the session
    if outcome:
        saved = outcome.value
        return jsonify(ok=True, stale=not saved.applied, seq=saved.seq, answer=saved.state,
                       saved_at=saved.saved_at.isoformat() if saved.saved_at else None)
    perform_quietly(service.expire_if_due, attempt, zone_name())  # refused at the deadline: submitted as saved
    return jsonify(ok=False, error=outcome.message, submitted=attempt.submitted_at is not None), 409


@bp.route("/attempts/<int:attempt_id>/submit", methods=["POST"])
@login_required
def submit(attempt_id):
    attempt = _own_attempt(attempt_id)
    outcome = perform(service.submit_form, current_user, attempt, zone_name(), request.form)
    if not outcome:
        return redirect(url_for("quiz.take", attempt_id=attempt.id))
    if outcome.value is False:
        flash(_("This attempt was already submitted; the second submission was not counted."), "info")
    elif attempt.auto_submitted:
        flash(service.time_up(), "error")
    return redirect(url_for("quiz.review", attempt_id=attempt.id))


@bp.route("/attempts/<int:attempt_id>/review")
@login_required
def review(attempt_id):
    attempt = db.get_or_404(QuizAttempt, attempt_id)
    access = result_access(current_user, attempt.user, attempt.submitted_at is not None)
    if access is None:
        abort(404)
    if access == "resume":
        return redirect(url_for("quiz.take", attempt_id=attempt.id))
    blank = sum(1 for row in attempt.answers if _blank(row))  # the learner's own blanks, never a mark
    back = _competition_of(attempt.quiz)
    if sealing.sealed(attempt, current_user):  # a running competition's: "submitted" (and the owner's score)
        return render_template("quiz/review.html", attempt=attempt, quiz=attempt.quiz, items=[], grade=None,
                               sealed=True, blank=blank, competition=back)
    items = service.review_items(attempt)
    if attempt.quiz.review_explanations:   # "相关知识" next to each explanation (the index read once per page)
        for item in items:
            item["related"] = kb_service.related("question", (item["shown"]["text"], item["explanation"]),
                                                 viewer=current_user)
    return render_template("quiz/review.html", attempt=attempt, quiz=attempt.quiz, items=items,
                           grade=None if back else service.grade_for(attempt.user, attempt.quiz), sealed=False,
                           blank=blank, competition=back)


def _blank(row) -> bool:
    """Left blank: never answered, or a multiple choice submitted with no box ticked."""
    return row.answer is None or row.answer == []


def _competition_of(quiz):
    """The competition whose quiz round uses ``quiz`` (its page is where the result leads back), or
    None for an ordinary quiz."""
    if quiz.kind != "competition":
        return None
    round_ = db.session.scalar(select(CompetitionRound).where(CompetitionRound.quiz_id == quiz.id).limit(1))
    return round_.competition if round_ is not None else None


@bp.route("/book")
@login_required
def book():
    entries = service.book_entries(current_user)
    due = service.due_entries(current_user, zone_name())
    return render_template("quiz/book.html", entries=entries, due=due)


@bp.route("/book/practice", methods=["GET", "POST"])
@login_required
def practice():
    """One question at a time from the wrong-answer book, with feedback after each answer."""
    result = entry = None
    form = PracticeForm()
    if form.is_submitted():
        outcome = perform(service.practise_form, current_user, form.entry_id.data, request.form, zone_name())
        if not outcome:
            return redirect(url_for("quiz.practice"))
        result = outcome.value
        shown = None
    else:
        due = service.due_entries(current_user, zone_name())
        entry = due[0] if due else None
        shown = service.practice_item(entry) if entry else None
    return render_template("quiz/practice.html", entry=entry, shown=shown, result=result,
                           remaining=len(service.due_entries(current_user, zone_name())))


@bp.route("/<slug>/stats")
@roles_required(*MANAGER_ROLES)
def stats(slug):
    quiz = db.first_or_404(service.offered_quiz(slug))
    return render_template("quiz/stats.html", quiz=quiz, report=quiz_report(current_user, quiz))


@bp.route("/<slug>/stats.xlsx")
@roles_required(*MANAGER_ROLES)
def stats_excel(slug):
    quiz = db.first_or_404(service.offered_quiz(slug))
    data = report_workbook(quiz, quiz_report(current_user, quiz))
    return send_file(io.BytesIO(data), as_attachment=True, download_name=f"{quiz.slug}-statistics.xlsx",
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@bp.route("/import", methods=["GET", "POST"])
@roles_required(*MANAGER_ROLES)
def import_questions():
    form = ImportForm()
    form.indicators.choices = indicator_choices()
    report = None
    if form.validate_on_submit():
        upload = form.file.data
        try:
            text = read_file(upload.read())
        except Refusal as exc:
            form.file.errors.append(str(exc))
        else:
            fmt = form.format.data if form.format.data != "auto" else guess_format(upload.filename or "", text)
            defaults = ImportDefaults(indicators=tuple(form.indicators.data), difficulty=form.difficulty.data,
                                      explanation=form.explanation.data or None)
            report = perform(run_import, text, fmt, form.bank.data.strip(), defaults,
                             bank_title=form.bank_title.data or None, actor=current_user).value
    return render_template("quiz/import.html", form=form, report=report, summary=summary(report) if report else "",
                           banks=listed_banks(current_user))


@bp.route("/banks")
@roles_required(*MANAGER_ROLES)
def banks():
    """The question banks an organizer may use (shipped ones and their area's imports), to export."""
    rows = [(bank, sum(1 for q in bank.questions if q.active)) for bank in visible_banks(current_user)
            if not sealing.practice_blocked(current_user, "quiz bank", bank.slug)]
    return render_template("quiz/banks.html", rows=rows)


@bp.route("/banks/<slug>")
@roles_required(*MANAGER_ROLES)
def bank(slug):
    """One bank's questions (text, type, key) with its GIFT and Moodle XML downloads."""
    found = find_bank(slug, current_user)
    if found is None or sealing.practice_blocked(current_user, "quiz bank", slug):
        abort(404)  # a contestant of a running round never reads its bank's keys
    questions = [build_question(q.spec, bank_id=found.slug) for q in bank_questions(found)]
    return render_template("quiz/bank.html", bank=found, questions=questions)


@bp.route("/banks/<slug>/export.<fmt>")
@roles_required(*MANAGER_ROLES)
def export(slug, fmt):
    if (fmt not in EXPORTS or find_bank(slug, current_user) is None
            or sealing.practice_blocked(current_user, "quiz bank", slug)):
        abort(404)
    try:
        data, filename = export_bank(slug, fmt, current_user)
    except Refusal as exc:
        flash(str(exc), "error")
        return redirect(url_for("quiz.bank", slug=slug))
    return send_file(io.BytesIO(data), as_attachment=True, download_name=filename, mimetype=EXPORTS[fmt][1])
