"""Mentoring views: the mentor's dashboard, a mentorship page (visits, observations, sign-off),
organizers' pairing (one by one, from suggestions, or a whole cohort), notifications."""
from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from ..content.courses import indicators_by_id
from ..extensions import db
from ..models import MANAGER_ROLES, DrillAttempt, DrillStep, JointVisit, Mentorship, Notification, User
from ..models.base import utcnow
from ..security import roles_required
from . import rules, service
from .dashboard import mentee_card
from ..labels import attention_text, reason_text
from ..notifications import text as notification_text
from .pairing_data import cohort_inputs, new_workers
from .service import MentorError

bp = Blueprint("mentor", __name__, template_folder="templates", url_prefix="/mentoring")


def _tz() -> ZoneInfo:
    return ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def _today() -> date:
    return datetime.now(_tz()).date()


def _pairing_or_404(pairing_id: int) -> Mentorship:
    pairing = db.session.get(Mentorship, pairing_id)
    if pairing is None or not service.can_view(current_user, pairing):
        abort(404)
    return pairing


def _date(name: str) -> date | None:
    try:
        return date.fromisoformat(request.form.get(name, ""))
    except ValueError:
        return None


@bp.route("")
@login_required
def index():
    """Mentor: a card per mentee. Mentee: their mentorship. Organizer: the pairings in their area."""
    today, minimum = _today(), current_app.config["VISITS_PER_MONTH"]
    as_mentor = service.mentorships_of(current_user, as_mentor=True)
    cards = [mentee_card(p, today, minimum) for p in as_mentor if p.status == "active"]
    past = [p for p in as_mentor if p.status != "active"]
    mine = service.mentorships_of(current_user, as_mentor=False)
    context = {"cards": cards, "past": past, "mine": mine, "attention_text": attention_text}
    if current_user.is_manager:
        pairings = service.pairings_in_scope(current_user)
        context.update(pairings=pairings, unpaired=new_workers(current_user),
                       stats=_independence_stats(pairings))
    return render_template("mentor/index.html", **context)


def _independence_stats(pairings: list[Mentorship]):
    """Time to independence: overall, per mentor and per hire cohort (year), with mentee outcomes."""
    confirmed = [p for p in pairings if p.independence_days is not None]
    by_mentor: dict[str, list[int]] = {}
    by_cohort: dict[str, list[int]] = {}
    for p in pairings:  # every mentor and hire year is listed, with the confirmed durations
        cohort = str(p.mentee.hire_date.year) if p.mentee.hire_date else _("unknown")
        for group, key in ((by_mentor, p.mentor.name), (by_cohort, cohort)):
            group.setdefault(key, [])
            if p.independence_days is not None:
                group[key].append(p.independence_days)
    return {"all": rules.distribution(p.independence_days for p in confirmed),
            "by_mentor": {k: rules.distribution(v) for k, v in sorted(by_mentor.items())},
            "by_cohort": {k: rules.distribution(v) for k, v in sorted(by_cohort.items())},
            "outcomes": _mentee_outcomes(pairings)}


def _mentee_outcomes(pairings: list[Mentorship]) -> dict[str, dict]:
    """Per mentor: their mentees' mean quiz score and share of drills handled well (two queries)."""
    from sqlalchemy import func as sql_func

    from ..models import QuizAttempt

    mentees: dict[str, set[int]] = {}
    for p in pairings:
        mentees.setdefault(p.mentor.name, set()).add(p.mentee_id)
    everyone = set().union(*mentees.values()) if mentees else set()
    quiz = dict(db.session.execute(select(QuizAttempt.user_id, sql_func.avg(QuizAttempt.score))
                                   .where(QuizAttempt.user_id.in_(everyone), QuizAttempt.score.is_not(None))
                                   .group_by(QuizAttempt.user_id)).all()) if everyone else {}
    drills: dict[int, list[str]] = {}
    for user_id, outcome in db.session.execute(select(DrillAttempt.user_id, DrillAttempt.outcome).where(
            DrillAttempt.user_id.in_(everyone), DrillAttempt.outcome.is_not(None))) if everyone else []:
        drills.setdefault(user_id, []).append(outcome)
    result = {}
    for mentor, ids in mentees.items():
        scores = [float(quiz[i]) for i in ids if i in quiz]
        outcomes = [o for i in ids for o in drills.get(i, [])]
        result[mentor] = {"quiz": round(sum(scores) / len(scores)) if scores else None,
                          "drills": round(100 * outcomes.count("success") / len(outcomes)) if outcomes else None}
    return result


@bp.route("/<int:pairing_id>")
@login_required
def detail(pairing_id):
    pairing = _pairing_or_404(pairing_id)
    model = indicators_by_id(Path(current_app.config["CONTENT_DIR"]))
    observed = [model[i] for i in service.OBSERVED_INDICATORS if i in model] + \
        [i for k, i in model.items() if k not in service.OBSERVED_INDICATORS]
    from ..models import Observation

    observations = db.session.scalars(select(Observation).where(Observation.mentorship_id == pairing.id)
                                      .order_by(Observation.observed_on.desc())).all()
    card = mentee_card(pairing, _today(), current_app.config["VISITS_PER_MONTH"])
    return render_template("mentor/detail.html", pairing=pairing, card=card, observations=observations,
                           indicators=observed, model=model, today=_today(), attention_text=attention_text,
                           is_mentor=current_user.id == pairing.mentor_id,
                           is_mentee=current_user.id == pairing.mentee_id,
                           can_manage=service.can_manage_user(current_user, pairing.mentee))


def _act(pairing: Mentorship, action, success: str):
    try:
        action()
    except (MentorError, rules.RuleError) as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        db.session.commit()
        flash(success, "success")
    return redirect(url_for("mentor.detail", pairing_id=pairing.id))


@bp.route("/<int:pairing_id>/visits", methods=["POST"])
@login_required
def log_visit(pairing_id):
    pairing = _pairing_or_404(pairing_id)
    visit_date = _date("visit_date")
    household, purpose = request.form.get("household", "").strip(), request.form.get("purpose", "").strip()
    if visit_date is None or not household or not purpose:
        flash(_("The visit needs a date, a household label and a purpose."), "error")
        return redirect(url_for("mentor.detail", pairing_id=pairing.id))
    return _act(pairing, lambda: service.log_visit(
        current_user, pairing, visit_date=visit_date, household=household[:100], purpose=purpose[:300],
        demonstrated=request.form.get("demonstrated", "")[:500], mentee_did=request.form.get("mentee_did", "")[:500],
        follow_up=request.form.get("follow_up", "")[:500], today=_today()), _("Visit logged; the other side will confirm it."))


@bp.route("/visits/<int:visit_id>/confirm", methods=["POST"])
@login_required
def confirm_visit(visit_id):
    visit = db.session.get(JointVisit, visit_id)
    if visit is None or not service.can_view(current_user, visit.mentorship):
        abort(404)
    return _act(visit.mentorship, lambda: service.confirm_visit(current_user, visit), _("Visit confirmed."))


@bp.route("/<int:pairing_id>/observations", methods=["POST"])
@login_required
def observe(pairing_id):
    pairing = _pairing_or_404(pairing_id)
    model = indicators_by_id(Path(current_app.config["CONTENT_DIR"]))
    rating = request.form.get("rating", type=int)
    observed_on = _date("observed_on") or _today()
    return _act(pairing, lambda: service.observe(current_user, pairing, request.form.get("indicator", ""),
                                                 rating or 0, request.form.get("note", "")[:500], observed_on,
                                                 set(model)), _("Observation saved."))


@bp.route("/<int:pairing_id>/signoff", methods=["POST"])
@login_required
def sign_off(pairing_id):
    pairing = _pairing_or_404(pairing_id)
    return _act(pairing, lambda: service.sign_off(current_user, pairing, request.form.get("assessment", "")),
                _("Signed off. The organizer will confirm."))


@bp.route("/<int:pairing_id>/confirm", methods=["POST"])
@roles_required(*MANAGER_ROLES)
def confirm(pairing_id):
    pairing = _pairing_or_404(pairing_id)
    return _act(pairing, lambda: service.confirm_independence(current_user, pairing, _tz()),
                _("Independence confirmed."))


@bp.route("/<int:pairing_id>/extend", methods=["POST"])
@roles_required(*MANAGER_ROLES)
def extend(pairing_id):
    pairing = _pairing_or_404(pairing_id)
    new_end = _date("new_end")
    if new_end is None:
        flash(_("Enter the new planned end date."), "error")
        return redirect(url_for("mentor.detail", pairing_id=pairing.id))
    return _act(pairing, lambda: service.extend(current_user, pairing, new_end, request.form.get("reason", ""),
                                                current_app.config), _("Term extended."))


@bp.route("/<int:pairing_id>/end", methods=["POST"])
@roles_required(*MANAGER_ROLES)
def end(pairing_id):
    pairing = _pairing_or_404(pairing_id)
    return _act(pairing, lambda: service.end(current_user, pairing, request.form.get("reason", ""), _today()),
                _("Mentorship ended."))


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*MANAGER_ROLES)
def new():
    mentors, mentees = cohort_inputs(current_user)
    start = _today()
    default_end = rules.add_months(start, current_app.config["MENTORSHIP_MAX_MONTHS"])
    if request.method == "POST":
        mentor = db.session.get(User, request.form.get("mentor", type=int) or -1)
        chosen = [db.session.get(User, int(i)) for i in request.form.getlist("mentees") if i.isdigit()]
        start_date, planned_end = _date("start"), _date("planned_end")
        try:
            if mentor is None or None in chosen or start_date is None or planned_end is None:
                raise MentorError(_("Choose a mentor, one or two mentees, a start and a planned end."))
            created = service.create_mentorships(current_user, mentor, chosen, start_date, planned_end,
                                                 current_app.config)
        except MentorError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash(_("Paired %(n)d mentee(s) with %(name)s.", n=len(created), name=mentor.name), "success")
            return redirect(url_for("mentor.index"))
    return render_template("mentor/new.html", mentors=mentors, mentees=mentees, start=start, default_end=default_end)


@bp.route("/suggestions")
@roles_required(*MANAGER_ROLES)
def suggestions():
    from .pairing import suggest

    mentors, mentees = cohort_inputs(current_user, with_levels=True)
    ranked = suggest(list(mentees.values()), list(mentors.values()), top=3)
    names = _indicator_names()
    return render_template("mentor/suggestions.html", mentees=mentees, mentors=mentors, ranked=ranked,
                           reason_text=reason_text, names=names)


def _indicator_names() -> dict[str, str]:
    return {k: v.title for k, v in indicators_by_id(Path(current_app.config["CONTENT_DIR"])).items()}


def _create_pairs(pairs: list[tuple[int, int]]) -> int:
    start = _today()
    planned_end = rules.add_months(start, current_app.config["MENTORSHIP_MAX_MONTHS"])
    created = 0
    for mentor_id, mentee_id in pairs:
        mentor, mentee = db.session.get(User, mentor_id), db.session.get(User, mentee_id)
        if mentor is None or mentee is None:
            raise MentorError(_("A chosen person no longer exists."))
        created += len(service.create_mentorships(current_user, mentor, [mentee], start, planned_end,
                                                  current_app.config))
    return created


@bp.route("/accept", methods=["POST"])
@roles_required(*MANAGER_ROLES)
def accept():
    """Accept one suggestion: pair now, for the longest term."""
    try:
        _create_pairs([(request.form.get("mentor", type=int) or -1, request.form.get("mentee", type=int) or -1)])
    except MentorError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("mentor.suggestions"))
    db.session.commit()
    flash(_("Paired."), "success")
    return redirect(url_for("mentor.index"))


@bp.route("/cohort", methods=["GET", "POST"])
@roles_required(*MANAGER_ROLES)
def cohort():
    """Pair every unpaired new worker at once: the optimal assignment is shown for approval first."""
    from .pairing import assign_cohort

    mentors, mentees = cohort_inputs(current_user, with_levels=True)
    if request.method == "POST":
        pairs = []
        for value in request.form.getlist("pair"):
            mentor_id, _sep, mentee_id = value.partition(":")
            if not (mentor_id.isdigit() and mentee_id.isdigit()):
                abort(400)
            pairs.append((int(mentor_id), int(mentee_id)))
        try:
            created = _create_pairs(pairs)
        except MentorError as exc:
            db.session.rollback()
            flash(str(exc), "error")
            return redirect(url_for("mentor.cohort"))
        db.session.commit()
        flash(_("Paired %(n)d new workers.", n=created), "success")
        return redirect(url_for("mentor.index"))
    result = assign_cohort(list(mentees.values()), list(mentors.values()))
    return render_template("mentor/cohort.html", result=result, mentors=mentors, mentees=mentees,
                           reason_text=reason_text)


@bp.route("/steps/<int:step_id>/comment", methods=["POST"])
@login_required
def comment(step_id):
    step = db.session.get(DrillStep, step_id)
    if step is None or not service.is_mentor_of(current_user, step.attempt.user):
        abort(404)
    try:
        service.comment_on_step(current_user, step, request.form.get("text", ""))
    except MentorError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        db.session.commit()
        flash(_("Comment saved; your mentee has been notified."), "success")
    return redirect(url_for("drill.result", attempt_id=step.attempt_id) + f"#step-{step.id}")


@bp.route("/notifications")
@login_required
def notifications():
    rows = db.session.scalars(select(Notification).where(Notification.user_id == current_user.id)
                              .order_by(Notification.created_at.desc()).limit(50)).all()
    page = render_template("mentor/notifications.html", rows=rows, notification_text=notification_text)
    for row in rows:
        if row.read_at is None:
            row.read_at = utcnow()
    db.session.commit()
    return page


@bp.route("/mentees/<int:user_id>/drills")
@login_required
def mentee_drills(user_id):
    person = db.session.get(User, user_id)
    if person is None or not service.can_view_person(current_user, person):
        abort(404)
    attempts = db.session.scalars(select(DrillAttempt).where(DrillAttempt.user_id == person.id)
                                  .order_by(DrillAttempt.started_at.desc())).all()
    return render_template("mentor/mentee_drills.html", person=person, attempts=attempts)
