"""Drill views: the list, playing (server-timed), going back a step, the debrief, organizers' map."""
from functools import lru_cache

from flask import (
    Blueprint, abort, current_app, flash, get_flashed_messages, jsonify, redirect, render_template, request, url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup

from .. import competency
from ..access import is_mentor_of, own_or_404, result_access
from ..clock import seconds_left
from ..extensions import db
from ..kb import service as kb_service
from ..mentor.service import comments_for
from ..models import MANAGER_ROLES, DrillAttempt
from ..sealing import practice_blocked, sealed
from ..security import roles_required
from ..templating import render_markdown
from ..web import Outcome, perform
from . import service
from .service import Move
from .analytics import drill_analytics
from .forms import MoveForm, StartForm
from .graph import render_svg

bp = Blueprint("drill", __name__, template_folder="templates", url_prefix="/drills")


@bp.route("")
@login_required
def index():
    open_attempt, last_done = service.attempts_by_drill(current_user)
    return render_template("drill/index.html", versions=service.offered_drills(), open_attempt=open_attempt,
                           last_done=last_done)


@bp.route("/<drill_id>/start", methods=["POST"])
@login_required
def start(drill_id):
    version = db.first_or_404(service.active_version(drill_id))
    if practice_blocked(current_user, "drill", drill_id):
        flash(_("This drill is a round of a competition you are taking part in: it opens for practice when "
                "the round closes."), "error")
        return redirect(url_for("drill.index"))
    outcome = perform(service.start_attempt, current_user, version, StartForm().mode.data)
    if not outcome:
        return redirect(url_for("drill.index"))
    return redirect(url_for("drill.play", attempt_id=outcome.value.id))


def _own_attempt(attempt_id: int) -> DrillAttempt:
    """The current user's attempt, or 404 (another person's attempt is never revealed)."""
    return own_or_404(current_user, service.attempt_by_id(attempt_id))


@bp.route("/attempts/<int:attempt_id>")
@login_required
def play(attempt_id):
    attempt = _own_attempt(attempt_id)
    move = perform(service.expire, attempt).value
    hidden = sealed(attempt, current_user)
    if move is not None:
        flash(_("Time ran out on that decision.") if hidden else
              _("Time ran out on that decision: %(feedback)s", feedback=move.feedback), "error")
    if attempt.finished_at is not None:
        return redirect(url_for("drill.result", attempt_id=attempt.id))
    kept = service.kept_steps(attempt)
    feedback = kept[-1].feedback if kept and not attempt.just_undone and not hidden else None
    return render_template("drill/play.html", messages=None, **_step_values(attempt, feedback))


#: A drill's situations and feedback as HTML, rendered once per process and text (a version's texts never change).
_markdown = lru_cache(maxsize=2048)(render_markdown)


def _step_values(attempt: DrillAttempt, feedback: str | None) -> dict:
    """What ``drill/_step.html`` shows of where ``attempt`` stands, from the attempt in memory (no
    query): taken before COMMIT by a move, so nothing of the attempt is read again after it."""
    drill = service.drill_for(attempt)
    state = service.state_of(attempt)
    return {"attempt_id": attempt.id, "mode": attempt.mode, "step_no": attempt.step_count, "drill": drill, "md": _markdown,
            "node": drill.nodes[state.node], "choices": service.shown_choices(attempt),
            "seconds_left": seconds_left(attempt.deadline), "feedback": feedback,
            "can_go_back": attempt.mode == "practice" and bool(state.path) and not attempt.just_undone,
            "step_number": len(state.path) + 1}


def _in_page() -> bool:
    """The post came from drill.js, which shows the next step in the page it is on (one request per
    step) instead of following a redirect to the play page."""
    return request.headers.get("X-Requested-With") == "fetch"


def _moved(move: Move | None, attempt: DrillAttempt, shown: bool) -> tuple[Move | None, dict | None]:
    """A move's outcome and, for drill.js while the drill goes on, the next step's values (``shown``:
    the step's feedback may be shown, the attempt is not sealed from its player)."""
    if not _in_page() or move is None or move.finished:
        return move, None
    return move, _step_values(attempt, move.feedback if shown else None)


def _choose(user, attempt: DrillAttempt, token: str, step_no: int | None, shown: bool):
    return _moved(service.choose_form(user, attempt, token, step_no), attempt, shown)


def _time_out(user, attempt: DrillAttempt, step_no: int | None, shown: bool):
    return _moved(service.time_out(user, attempt, step_no), attempt, shown)


def _step_back(user, attempt: DrillAttempt, step_no: int | None):
    service.step_back(user, attempt, step_no)
    return _step_values(attempt, None) if _in_page() else None


def _reply(attempt_id: int, values: dict | None, finished: bool = False):
    """The answer to a move: for drill.js the next step (``values``) as HTML with the messages flashed
    meanwhile, or where to go (the debrief, or the play page after a refusal); else a redirect there."""
    target = url_for("drill.result" if finished else "drill.play", attempt_id=attempt_id)
    if not _in_page():
        return redirect(target)
    if values is None:
        return jsonify(location=target)
    # Rendered without the app's context processors: a step shows no menu and no unread count (those
    # would read the user and the notifications again after COMMIT).
    html = current_app.jinja_env.get_template("drill/_step.html").render(
        messages=get_flashed_messages(with_categories=True), **values)
    return jsonify(html=html, step=values["step_no"])


def _after_move(attempt_id: int, outcome: Outcome):
    """Where a move leads: the debrief when the drill ended, else the next step (drill.js) or the play
    page (refused or not). Nothing of the attempt is read again after COMMIT."""
    move, values = outcome.value if outcome else (None, None)
    if move is not None and move.timed_out:
        flash(_("Time ran out: the situation moved on without you."), "error")
    return _reply(attempt_id, values, finished=move is not None and move.finished)


@bp.route("/attempts/<int:attempt_id>/choose", methods=["POST"])
@login_required
def choose(attempt_id):
    attempt = _own_attempt(attempt_id)
    form = MoveForm()
    return _after_move(attempt_id, perform(_choose, current_user, attempt, form.choice.data or "", form.step.data,
                                           _in_page() and not sealed(attempt, current_user)))


@bp.route("/attempts/<int:attempt_id>/timeout", methods=["POST"])
@login_required
def timeout(attempt_id):
    """The page's countdown reached zero; the server decides whether the time is really up."""
    attempt = _own_attempt(attempt_id)
    return _after_move(attempt_id, perform(_time_out, current_user, attempt, MoveForm().step.data,
                                           _in_page() and not sealed(attempt, current_user)))


@bp.route("/attempts/<int:attempt_id>/back", methods=["POST"])
@login_required
def back(attempt_id):
    attempt = _own_attempt(attempt_id)
    outcome = perform(_step_back, current_user, attempt, MoveForm().step.data)
    if outcome:
        flash(_("You went back one step. Choose again."), "info")
    return _reply(attempt_id, outcome.value)


@bp.route("/attempts/<int:attempt_id>/result")
@login_required
def result(attempt_id):
    attempt = db.get_or_404(DrillAttempt, attempt_id)
    access = result_access(current_user, attempt.user, attempt.finished_at is not None)
    if access is None:
        abort(404)
    if access == "resume":
        return redirect(url_for("drill.play", attempt_id=attempt.id))
    if sealed(attempt, current_user):
        return render_template("drill/sealed.html", attempt=attempt)
    debrief = service.debrief(attempt)
    return render_template("drill/result.html", attempt=attempt, drill=debrief.drill, ending=debrief.ending,
                           shares=debrief.shares, steps=debrief.steps, choice_text=debrief.choice_text,
                           svg=Markup(render_svg(debrief.drill, debrief.overlay)),  # noqa: S704 (app.drill.graph XML-escapes every text)
                           best_steps=debrief.best_steps,
                           red_lines=debrief.red_lines,
                           indicator_names=competency.names(), comments=comments_for(attempt.id),
                           can_comment=is_mentor_of(current_user, attempt.user),
                           related=kb_service.related("drill", (attempt.drill_version.drill_id, debrief.drill.title),
                                                      viewer=current_user))


@bp.route("/<drill_id>/map")
@roles_required(*MANAGER_ROLES, "mentor")
def analytics(drill_id):
    version = db.first_or_404(service.active_version(drill_id))
    drill = service.drill_of(version)
    _bounds, best = service.analysis(version)
    stats = drill_analytics(current_user, drill, drill_id, best)
    return render_template("drill/analytics.html", drill=drill, version=version, stats=stats,
                           svg=Markup(render_svg(drill, stats.overlay)),  # noqa: S704 (app.drill.graph XML-escapes every text)
                           choice_text=service.choice_texts(drill),
                           first=drill.nodes[drill.start])
