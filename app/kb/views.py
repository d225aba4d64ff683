"""Knowledge base views: the library, search, an entry, the assistant (chat), a question and its
hand-off, the inbox of mentors and organizers, and cases written in the app with their review."""
from __future__ import annotations

from urllib.parse import quote

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from .. import competency
from ..clock import local_today
from ..extensions import db
from ..models import MANAGER_ROLES, CaseSubmission, KbQuestion
from ..refusal import Refusal
from ..security import roles_required
from ..web import perform, perform_on, visible_or_404
from . import monthly, service
from .checker import CATEGORIES
from .forms import AskForm, CaseForm, CasebookForm, PromoteForm, ReplyForm, ReviewForm, SearchForm, SendForm

bp = Blueprint("kb", __name__, template_folder="templates", url_prefix="/kb")

REVIEWERS = ("mentor", *MANAGER_ROLES)


@bp.route("")
@login_required
def index():
    category = request.args.get("category", "")
    category = category if category in CATEGORIES else ""
    return render_template("kb/index.html", library=service.library(category), category=category,
                           form=SearchForm(request.args))


@bp.route("/search")
@login_required
def search():
    form = SearchForm(request.args)
    results = service.search(current_user, form.q.data, form.kind.data or "", form.category.data or "")
    return render_template("kb/search.html", form=form, results=results)


@bp.route("/entries/<slug>")
@login_required
def entry(slug):
    found = service.entry_named(slug)
    if found is None:
        abort(404)
    return render_template("kb/entry.html", entry=found, links=service.entry_links(found),
                           names=competency.names())


@bp.route("/assistant", methods=["GET", "POST"])
@login_required
def assistant():
    form = AskForm()
    if not form.is_submitted() and request.args.get("q"):
        form.question.data = request.args.get("q", "")[:500]
    if form.is_submitted():
        done = perform_on(form, service.ask, current_user, form.question.data, current_app.config, field="question")
        if done:
            return redirect(url_for("kb.assistant", _anchor=f"q-{done.value.id}"))
    return render_template("kb/assistant.html", form=form, history=service.history(current_user),
                           send_form=SendForm(), responder=service.responder_for(current_user))


def _question_or_404(question_id: int) -> KbQuestion:
    return visible_or_404(KbQuestion, question_id, lambda found: service.can_view_question(current_user, found))


@bp.route("/questions/<int:question_id>")
@login_required
def question(question_id):
    found = _question_or_404(question_id)
    promote_form = PromoteForm(title=found.text, answer=found.reply)
    return render_template("kb/question.html", question=found, reply_form=ReplyForm(), promote_form=promote_form,
                           can_reply=service.can_reply(current_user, found),
                           can_promote=service.can_promote(current_user, found))


@bp.route("/questions/<int:question_id>/send", methods=["POST"])
@login_required
def send(question_id):
    found = db.get_or_404(KbQuestion, question_id)
    if found.user_id != current_user.id:
        abort(404)
    person = service.responder_for(current_user)
    perform(service.send_to_person, current_user, found,
            success=_("Sent to %(name)s. You will be notified of the answer.", name=person.name if person else ""))
    return redirect(url_for("kb.assistant", _anchor=f"q-{found.id}"))


@bp.route("/questions/<int:question_id>/reply", methods=["POST"])
@login_required
def reply(question_id):
    found = _question_or_404(question_id)
    form = ReplyForm()
    done = perform_on(form, service.reply, current_user, found, form.text.data, field="text",
                      success=_("Answer sent; the asker has been notified."))
    if done:
        return redirect(url_for("kb.question", question_id=found.id))
    return render_template("kb/question.html", question=found, reply_form=form,
                           promote_form=PromoteForm(title=found.text, answer=found.reply),
                           can_reply=service.can_reply(current_user, found),
                           can_promote=service.can_promote(current_user, found))


@bp.route("/questions/<int:question_id>/promote", methods=["POST"])
@roles_required(*MANAGER_ROLES)
def promote(question_id):
    found = _question_or_404(question_id)
    form = PromoteForm()
    done = perform_on(form, service.promote, current_user, found, form.title.data, form.answer.data,
                      form.category.data or "", list(form.indicators.data or []), set(competency.indicators()),
                      success=_("Added to the FAQ."))
    if done:
        return redirect(url_for("kb.entry", slug=done.value.slug))
    return render_template("kb/question.html", question=found, reply_form=ReplyForm(), promote_form=form,
                           can_reply=service.can_reply(current_user, found),
                           can_promote=service.can_promote(current_user, found))


@bp.route("/inbox")
@roles_required(*REVIEWERS)
def inbox():
    """What waits for a mentor or organizer: questions sent to them, cases to review, answers to promote;
    for organizers, the monthly 案例汇编."""
    book = CasebookForm(request.args) if current_user.is_manager else None
    if book is not None and not book.month.data:
        book.month.data = local_today().strftime("%Y-%m")
    return render_template("kb/inbox.html", waiting=service.waiting_for(current_user),
                           cases=service.cases_to_review(current_user), promotable=service.promotable(current_user),
                           answered=service.answered_by(current_user), book=book)


@bp.route("/cases/casebook.pdf")
@roles_required(*MANAGER_ROLES)
def casebook():
    """The month's approved cases of the organizer's area (and optionally the shipped ones) as the
    printable 《网格员工作案例汇编》."""
    form = CasebookForm(request.args)
    try:
        name, pdf = monthly.casebook(current_user, form.month.data, bool(form.shipped.data))
    except Refusal as refused:
        flash(str(refused), "error")
        return redirect(url_for("kb.inbox", month=form.month.data, shipped="y" if form.shipped.data else None))
    chinese = quote(f"网格员工作案例汇编-{name.removeprefix('casebook-')}")
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f"attachment; filename={name}; filename*=UTF-8''{chinese}", "Cache-Control": "no-store"})


# --- cases written in the app ---------------------------------------------------------------------

def _case_or_404(case_id: int) -> CaseSubmission:
    return visible_or_404(CaseSubmission, case_id, lambda found: service.can_view_case(current_user, found))


@bp.route("/cases")
@login_required
def my_cases():
    return render_template("kb/cases.html", cases=service.my_cases(current_user))


def _save(form: CaseForm, case: CaseSubmission | None):
    submit = form.action.data == "submit"
    return perform_on(form, service.save_case, current_user, case, title=form.title.data,
                      category=form.category.data or "", tags=service.split_tags(form.tags.data),
                      indicators=list(form.indicators.data or []), parts=form.parts,
                      known_indicators=set(competency.indicators()), submit=submit, note=form.note.data,
                      success=_("Sent for review.") if submit else _("Draft saved."))


@bp.route("/cases/new", methods=["GET", "POST"])
@login_required
def new_case():
    form = CaseForm()
    if form.is_submitted():
        done = _save(form, None)
        if done:
            return redirect(url_for("kb.case", case_id=done.value.id))
    return render_template("kb/case_form.html", form=form, case=None)


@bp.route("/cases/<int:case_id>/edit", methods=["GET", "POST"])
@login_required
def edit_case(case_id):
    case = db.get_or_404(CaseSubmission, case_id)
    if case.author_id != current_user.id:
        abort(404)
    if not service.can_edit_case(current_user, case):
        return redirect(url_for("kb.case", case_id=case.id))
    form = CaseForm() if request.method == "POST" else CaseForm(data={
        "title": case.title, "category": case.category, "tags": "，".join(case.tags or []),
        "indicators": list(case.indicators or []), "description": case.description, "handling": case.handling,
        "lessons_learned": case.lessons_learned, "feedback": case.feedback})
    if form.is_submitted():
        done = _save(form, case)
        if done:
            return redirect(url_for("kb.case", case_id=case.id))
    return render_template("kb/case_form.html", form=form, case=case)


@bp.route("/cases/<int:case_id>")
@login_required
def case(case_id):
    found = _case_or_404(case_id)
    return render_template("kb/case.html", case=found, form=ReviewForm(), names=competency.names(),
                           can_review=service.can_review_case(current_user, found),
                           can_comment=found.status != "approved" and current_user.id != found.author_id
                           and service.can_view_case(current_user, found),
                           can_edit=service.can_edit_case(current_user, found))


@bp.route("/cases/<int:case_id>/review", methods=["POST"])
@login_required
def review(case_id):
    found = _case_or_404(case_id)
    form = ReviewForm()
    messages = {"comment": _("Comment sent."), "changes": _("Sent back to the author for changes."),
                "approve": _("Approved: the case is in the library now.")}
    perform(service.review_case, current_user, found, form.action.data or "", form.text.data,
            success=messages.get(form.action.data or ""))
    return redirect(url_for("kb.case", case_id=found.id))
