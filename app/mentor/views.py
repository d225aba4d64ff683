"""Mentoring views: the mentor's dashboard, a mentorship page (visits, observations, sign-off),
organizers' pairing (one by one, from suggestions, or a whole cohort), notifications."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from .. import access, competency
from ..clock import local_today
from ..extensions import db
from ..labels import attention_text, reason_text
from ..models import MANAGER_ROLES, DrillStep, JointVisit, Mentorship
from ..notifications import mark_read, recent, text as notification_text
from ..scope import can_manage_user
from ..security import roles_required
from ..web import perform, visible_or_404
from . import rules, service
from .dashboard import mentee_card, mentee_cards, readiness
from .forms import (
    AcceptForm, CohortForm, CommentForm, ConfirmForm, EndForm, ExtendForm, ObservationForm, PairForm, SignOffForm,
    VisitForm,
)
from .pairing import assign_cohort, suggest
from .pairing_data import cohort_inputs, new_workers

bp = Blueprint("mentor", __name__, template_folder="templates", url_prefix="/mentoring")


def _pairing_or_404(pairing_id: int) -> Mentorship:
    return visible_or_404(Mentorship, pairing_id, lambda found: access.can_view_mentorship(current_user, found))


def _back(pairing: Mentorship):
    return redirect(url_for("mentor.detail", pairing_id=pairing.id))


@bp.route("")
@login_required
def index():
    """Mentor: a card per mentee. Mentee: their mentorship. Organizer: the pairings in their area."""
    today, minimum = local_today(), current_app.config["VISITS_PER_MONTH"]
    as_mentor = service.mentorships_of(current_user, as_mentor=True)
    mine = service.mentorships_of(current_user, as_mentor=False)
    service.load_people([*as_mentor, *mine])  # every name shown, in one query
    cards = mentee_cards([p for p in as_mentor if p.status == "active"], today, minimum)
    past = [p for p in as_mentor if p.status != "active"]
    context = {"cards": cards, "past": past, "mine": mine, "attention_text": attention_text}
    if current_user.is_manager:
        pairings = service.pairings_in_scope(current_user)
        context.update(pairings=pairings, unpaired=new_workers(current_user),
                       stats=service.independence_stats(pairings))
    return render_template("mentor/index.html", **context)


@bp.route("/<int:pairing_id>")
@login_required
def detail(pairing_id):
    pairing = _pairing_or_404(pairing_id)
    model = competency.indicators()
    today = local_today()
    config = current_app.config
    card = mentee_card(pairing, today, config["VISITS_PER_MONTH"])
    is_mentee = current_user.id == pairing.mentee_id
    deciding = pairing.status == "active" and not is_mentee  # the sign-off and its confirmation are open
    earliest = rules.earliest_signoff(pairing.start_date, config["MENTORSHIP_MIN_MONTHS"])
    return render_template("mentor/detail.html", pairing=pairing, card=card,
                           observations=service.observations_of(pairing),
                           indicators=service.observation_choices(model), model=model, today=today,
                           window=service.record_window(pairing, today), attention_text=attention_text,
                           readiness=readiness(pairing, config) if deciding else None,
                           early=today < earliest, too_early=service.too_early_text(pairing, config),
                           override_text=service.override_text(pairing, config),
                           early_confirmation=service.early_confirmation(pairing),
                           is_mentor=current_user.id == pairing.mentor_id, is_mentee=is_mentee,
                           records_visible=access.can_view_person(current_user, pairing.mentee),
                           can_manage=can_manage_user(current_user, pairing.mentee))


@bp.route("/<int:pairing_id>/visits", methods=["POST"])
@login_required
def log_visit(pairing_id):
    pairing = _pairing_or_404(pairing_id)
    form = VisitForm()
    if not form.validate():
        flash(_("The visit needs a date, a household label and a purpose."), "error")
        return _back(pairing)
    perform(service.log_visit, current_user, pairing, visit_date=form.visit_date.data,
            household=form.household.data, purpose=form.purpose.data, demonstrated=form.demonstrated.data,
            mentee_did=form.mentee_did.data, follow_up=form.follow_up.data, today=local_today(),
            success=_("Visit logged; the other side will confirm it."))
    return _back(pairing)


@bp.route("/visits/<int:visit_id>/confirm", methods=["POST"])
@login_required
def confirm_visit(visit_id):
    visit = db.get_or_404(JointVisit, visit_id)
    pairing = visit.mentorship
    if not access.can_view_mentorship(current_user, pairing):
        abort(404)
    perform(service.confirm_visit, current_user, visit, success=_("Visit confirmed."))
    return _back(pairing)


@bp.route("/<int:pairing_id>/observations", methods=["POST"])
@login_required
def observe(pairing_id):
    pairing = _pairing_or_404(pairing_id)
    form = ObservationForm()
    today = local_today()
    perform(service.observe, current_user, pairing, form.indicator.data, form.rating.data or 0, form.note.data,
            form.observed_on.data or today, set(competency.indicators()), today, success=_("Observation saved."))
    return _back(pairing)


@bp.route("/<int:pairing_id>/signoff", methods=["POST"])
@login_required
def sign_off(pairing_id):
    pairing = _pairing_or_404(pairing_id)
    perform(service.sign_off, current_user, pairing, SignOffForm().assessment.data, local_today(),
            current_app.config, success=_("Signed off. The organizer will confirm."))
    return _back(pairing)


@bp.route("/<int:pairing_id>/confirm", methods=["POST"])
@roles_required(*MANAGER_ROLES)
def confirm(pairing_id):
    """The organizer confirms the mentor's sign-off, or (before the minimum term) overrides with a reason."""
    pairing = _pairing_or_404(pairing_id)
    perform(service.confirm_independence, current_user, pairing, local_today(), current_app.config,
            ConfirmForm().reason.data, success=_("Independence confirmed."))
    return _back(pairing)


@bp.route("/<int:pairing_id>/extend", methods=["POST"])
@roles_required(*MANAGER_ROLES)
def extend(pairing_id):
    pairing = _pairing_or_404(pairing_id)
    form = ExtendForm()
    if not form.validate():
        flash(_("Enter the new planned end date."), "error")
        return _back(pairing)
    perform(service.extend, current_user, pairing, form.new_end.data, form.reason.data, current_app.config,
            success=_("Term extended."))
    return _back(pairing)


@bp.route("/<int:pairing_id>/end", methods=["POST"])
@roles_required(*MANAGER_ROLES)
def end(pairing_id):
    pairing = _pairing_or_404(pairing_id)
    perform(service.end, current_user, pairing, EndForm().reason.data, local_today(), success=_("Mentorship ended."))
    return _back(pairing)


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*MANAGER_ROLES)
def new():
    form = PairForm()
    if form.is_submitted():
        done = perform(service.pair_by_hand, current_user, form.mentor.data, form.mentees.data, form.start.data,
                       form.planned_end.data, current_app.config)
        if done:
            flash(_("Paired %(n)d mentee(s) with %(name)s.", n=len(done.value), name=done.value[0].mentor.name),
                  "success")
            return redirect(url_for("mentor.index"))
    mentors, mentees = cohort_inputs(current_user)
    start = local_today()
    default_end = rules.add_months(start, current_app.config["MENTORSHIP_MAX_MONTHS"])
    return render_template("mentor/new.html", mentors=mentors, mentees=mentees, start=start, default_end=default_end)


@bp.route("/suggestions")
@roles_required(*MANAGER_ROLES)
def suggestions():
    mentors, mentees = cohort_inputs(current_user, with_levels=True)
    ranked = suggest(list(mentees.values()), list(mentors.values()), top=3)
    return render_template("mentor/suggestions.html", mentees=mentees, mentors=mentors, ranked=ranked,
                           reason_text=reason_text, names=competency.names())


@bp.route("/accept", methods=["POST"])
@roles_required(*MANAGER_ROLES)
def accept():
    """Accept one suggestion: pair now, for the longest term."""
    form = AcceptForm()
    done = perform(service.pair_for_longest_term, current_user, [(form.mentor.data or -1, form.mentee.data or -1)],
                   local_today(), current_app.config, success=_("Paired."))
    return redirect(url_for("mentor.index" if done else "mentor.suggestions"))


@bp.route("/cohort", methods=["GET", "POST"])
@roles_required(*MANAGER_ROLES)
def cohort():
    """Pair every unpaired new worker at once: the optimal assignment is shown for approval first."""
    form = CohortForm()
    if form.is_submitted():
        if form.pair.data is None:
            abort(400)
        done = perform(service.pair_for_longest_term, current_user, form.pair.data, local_today(),
                       current_app.config)
        if not done:
            return redirect(url_for("mentor.cohort"))
        flash(_("Paired %(n)d new workers.", n=done.value), "success")
        return redirect(url_for("mentor.index"))
    mentors, mentees = cohort_inputs(current_user, with_levels=True)
    result = assign_cohort(list(mentees.values()), list(mentors.values()))
    return render_template("mentor/cohort.html", result=result, mentors=mentors, mentees=mentees,
                           reason_text=reason_text)


@bp.route("/steps/<int:step_id>/comment", methods=["POST"])
@login_required
def comment(step_id):
    step = db.get_or_404(DrillStep, step_id)
    if not access.is_mentor_of(current_user, step.attempt.user):
        abort(404)
    perform(service.comment_on_step, current_user, step, CommentForm().text.data,
            success=_("Comment saved; your mentee has been notified."))
    return redirect(url_for("drill.result", attempt_id=step.attempt_id) + f"#step-{step.id}")


@bp.route("/notifications")
@login_required
def notifications():
    rows = recent(current_user.id)
    page = render_template("mentor/notifications.html", rows=rows, notification_text=notification_text)
    mark_read(rows)
    db.session.commit()
    return page


@bp.route("/mentees/<int:user_id>/drills")
@login_required
def mentee_drills(user_id):
    person = access.person_or_404(current_user, user_id)
    return render_template("mentor/mentee_drills.html", person=person, attempts=service.drill_attempts(person))
