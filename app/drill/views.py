"""Drill views: the list, playing (server-timed), going back a step, the debrief, organizers' map."""
from pathlib import Path

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup
from sqlalchemy import select

from ..content.courses import indicators_by_id
from ..extensions import db
from ..models import MANAGER_ROLES, DrillAttempt
from ..access import is_mentor_of, result_access
from ..mentor.service import comments_for
from ..sealing import sealed
from ..security import roles_required
from . import service
from .analytics import drill_analytics
from .graph import Overlay, path_nodes, render_svg
from .service import DrillRefused

bp = Blueprint("drill", __name__, template_folder="templates", url_prefix="/drills")


@bp.route("")
@login_required
def index():
    versions = service.offered_drills()
    mine = db.session.scalars(select(DrillAttempt).where(DrillAttempt.user_id == current_user.id)
                              .order_by(DrillAttempt.started_at.desc())).all()
    open_attempt, last_done = {}, {}
    for attempt in mine:
        drill_id = attempt.drill_version.drill_id
        if attempt.finished_at is None:
            open_attempt.setdefault(drill_id, attempt)
        else:
            last_done.setdefault(drill_id, attempt)
    return render_template("drill/index.html", versions=versions, open_attempt=open_attempt, last_done=last_done)


@bp.route("/<drill_id>/start", methods=["POST"])
@login_required
def start(drill_id):
    version = service.current_version(drill_id)
    if version is None:
        abort(404)
    try:
        attempt = service.start_attempt(current_user, version, request.form.get("mode", "practice"))
    except DrillRefused as exc:
        flash(str(exc), "error")
        return redirect(url_for("drill.index"))
    db.session.commit()
    return redirect(url_for("drill.play", attempt_id=attempt.id))


def _own_attempt(attempt_id: int) -> DrillAttempt:
    """The current user's attempt, or 404 (another person's attempt is never revealed)."""
    attempt = db.session.get(DrillAttempt, attempt_id)
    if attempt is None or attempt.user_id != current_user.id:
        abort(404)
    return attempt


def _step_no() -> int | None:
    return request.form.get("step", type=int)


@bp.route("/attempts/<int:attempt_id>")
@login_required
def play(attempt_id):
    attempt = _own_attempt(attempt_id)
    move = service.expire(attempt)
    if move is not None:
        db.session.commit()
        flash(_("Time ran out on that decision: %(feedback)s", feedback=move.feedback), "error")
    if attempt.finished_at is not None:
        return redirect(url_for("drill.result", attempt_id=attempt.id))
    drill = service.drill_of(attempt.drill_version)
    state = service.state_of(attempt)
    node = drill.nodes[state.node]
    kept = service.kept_steps(attempt)
    hidden = attempt.mode == "assessed" and sealed(attempt)
    return render_template(
        "drill/play.html", attempt=attempt, drill=drill, node=node,
        choices=service.engine.available_choices(drill, state), seconds_left=service.seconds_left(attempt),
        last_step=kept[-1] if kept and not attempt.just_undone and not hidden else None,
        can_go_back=attempt.mode == "practice" and bool(kept) and not attempt.just_undone,
        step_number=len(kept) + 1,
    )


def _after_move(attempt: DrillAttempt, move: service.Move):
    db.session.commit()
    if move.timed_out:
        flash(_("Time ran out: the situation moved on without you."), "error")
    if move.finished:
        return redirect(url_for("drill.result", attempt_id=attempt.id))
    return redirect(url_for("drill.play", attempt_id=attempt.id))


@bp.route("/attempts/<int:attempt_id>/choose", methods=["POST"])
@login_required
def choose(attempt_id):
    attempt = _own_attempt(attempt_id)
    try:
        move = service.choose(current_user, attempt, request.form.get("choice", ""), _step_no())
    except DrillRefused as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("drill.play", attempt_id=attempt.id))
    return _after_move(attempt, move)


@bp.route("/attempts/<int:attempt_id>/timeout", methods=["POST"])
@login_required
def timeout(attempt_id):
    """The page's countdown reached zero; the server decides whether the time is really up."""
    attempt = _own_attempt(attempt_id)
    if attempt.finished_at is None and _step_no() == attempt.step_count:
        move = service.expire(attempt, grace=False)
        if move is not None:
            return _after_move(attempt, move)
    return redirect(url_for("drill.play", attempt_id=attempt.id))


@bp.route("/attempts/<int:attempt_id>/back", methods=["POST"])
@login_required
def back(attempt_id):
    attempt = _own_attempt(attempt_id)
    try:
        service.step_back(current_user, attempt, _step_no())
    except DrillRefused as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        db.session.commit()
        flash(_("You went back one step. Choose again."), "info")
    return redirect(url_for("drill.play", attempt_id=attempt.id))


@bp.route("/attempts/<int:attempt_id>/result")
@login_required
def result(attempt_id):
    attempt = db.session.get(DrillAttempt, attempt_id)
    access = result_access(current_user, attempt.user, attempt.finished_at is not None) if attempt else None
    if access is None:
        abort(404)
    if access == "resume":
        return redirect(url_for("drill.play", attempt_id=attempt.id))
    if sealed(attempt):
        return render_template("drill/sealed.html", attempt=attempt)
    version = attempt.drill_version
    drill = service.drill_of(version)
    bounds, best = service.analysis(version)
    state = service.state_of(attempt)
    kept = service.kept_steps(attempt)
    taken = path_nodes(drill, [(s.node_id, s.choice_id) for s in kept])
    shares = {ind: service.engine.share(state.scores.get(ind, 0), bounds[ind]) for ind in drill.indicators}
    svg = Markup(render_svg(drill, Overlay(taken=taken, best=path_nodes(drill, best))))
    choice_text = {(n.id, c.id): c.text for n in drill.nodes.values() for c in n.choices}
    best_steps = [(drill.nodes[n], choice_text.get((n, c), "")) for n, c in best]
    return render_template("drill/result.html", attempt=attempt, drill=drill, ending=drill.nodes[state.node],
                           shares=shares, steps=kept, choice_text=choice_text, svg=svg, best_steps=best_steps,
                           indicator_names=_indicator_names(), comments=comments_for(attempt.id),
                           can_comment=is_mentor_of(current_user, attempt.user))


def _indicator_names() -> dict[str, str]:
    model = indicators_by_id(Path(current_app.config["CONTENT_DIR"]))
    return {ind_id: ind.title for ind_id, ind in model.items()}


@bp.route("/<drill_id>/map")
@roles_required(*MANAGER_ROLES, "mentor")
def analytics(drill_id):
    version = service.current_version(drill_id)
    if version is None:
        abort(404)
    drill = service.drill_of(version)
    _bounds, best = service.analysis(version)
    stats = drill_analytics(current_user, drill, drill_id, best)
    svg = Markup(render_svg(drill, stats.overlay))
    choice_text = {(n.id, c.id): c.text for n in drill.nodes.values() for c in n.choices}
    first = drill.nodes[drill.start]
    return render_template("drill/analytics.html", drill=drill, version=version, stats=stats, svg=svg,
                           choice_text=choice_text, first=first)
