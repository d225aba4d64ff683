"""Competition views: organizers set up and enrol, contestants take rounds, judges score from a phone,
organizers swap a judge for one entry, everyone in it sees the leaderboard (frozen for the public until
publication), organizers review the final ranking and publish it; Excel and certificates follow."""
from __future__ import annotations

import io

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from ..clock import zone_name
from ..extensions import db
from ..models import MANAGER_ROLES, Bracket, Competition, CompetitionRound, Entry, User
from ..security import roles_required
from ..web import perform
from ..uploads import read_capped
from . import service
from .export import certificates_pdf, preview_pdf, results_workbook
from .forms import (
    CompetitionForm, EnrolForm, JudgesForm, PrizeForm, RoundEditForm, RoundForm, SwapForm, score_form,
)

bp = Blueprint("compete", __name__, template_folder="templates", url_prefix="/compete")


#: Rows per board on the page (everyone: ?all=1); the viewer's own row is always shown.
BOARD_ROWS = 100


@bp.context_processor
def _names():
    tied = _("tied %(rank)d")  # app.labels.rank_text, its translation looked up once per page, not per row

    def rank_text(rank: int, is_tied: bool = False) -> str:
        return tied % {"rank": rank} if is_tied else str(rank)

    return {"prize_title": service.prize_title, "rank_text": rank_text}


def _competition(competition_id: int, *, organizer: bool = False) -> Competition:
    """The competition if the current user may see it (``organizer``: runs it); else not found (404)."""
    competition = db.get_or_404(Competition, competition_id)
    if not (service.is_organizer if organizer else service.can_view)(current_user, competition):
        abort(404)
    return competition


def _round(competition_id: int, round_id: int, *, organizer: bool = False, judge: bool = False) -> CompetitionRound:
    """A round of a competition the current user may see (``judge``: judges the round); else 404."""
    competition = _competition(competition_id, organizer=organizer)
    round_ = db.first_or_404(select(CompetitionRound).where(CompetitionRound.id == round_id,
                                                             CompetitionRound.competition_id == competition.id))
    if judge and not service.is_judge(current_user, round_):
        abort(404)
    return round_


def _to_detail(competition: Competition):
    return redirect(url_for("compete.detail", competition_id=competition.id))


@bp.route("")
@login_required
def index():
    return render_template("compete/index.html", competitions=service.visible_competitions(current_user))


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*MANAGER_ROLES)
def new():
    form = CompetitionForm()
    if form.is_submitted():
        done = perform(service.create_competition, current_user, form.title.data, form.description.data,
                       form.freeze_at.data, form.bracket_names(), form.prizes())
        if done:
            return _to_detail(done.value)
    return render_template("compete/new.html", form=form)


@bp.route("/<int:competition_id>")
@login_required
def detail(competition_id):
    competition = _competition(competition_id)
    return render_template("compete/detail.html", competition=competition,
                           **service.overview(current_user, competition))


@bp.route("/<int:competition_id>/rounds", methods=["POST"])
@roles_required(*MANAGER_ROLES)
def add_round(competition_id):
    competition = _competition(competition_id, organizer=True)
    perform(service.add_round, current_user, competition, **RoundForm().values(), success=_("Round added."))
    return _to_detail(competition)


@bp.route("/<int:competition_id>/rounds/<int:round_id>/edit", methods=["POST"])
@roles_required(*MANAGER_ROLES)
def edit_round(competition_id, round_id):
    """Change a round before it opens."""
    round_ = _round(competition_id, round_id, organizer=True)
    perform(service.update_round, current_user, round_, **RoundEditForm().values(), success=_("Round saved."))
    return redirect(url_for("compete.detail", competition_id=competition_id, _anchor=f"round-{round_.id}"))


@bp.route("/<int:competition_id>/rounds/<int:round_id>/delete", methods=["POST"])
@roles_required(*MANAGER_ROLES)
def delete_round(competition_id, round_id):
    """Delete a round before it opens."""
    round_ = _round(competition_id, round_id, organizer=True)
    competition = round_.competition
    perform(service.delete_round, current_user, round_, success=_("Round deleted."))
    return _to_detail(competition)


@bp.route("/<int:competition_id>/enrol", methods=["POST"])
@roles_required(*MANAGER_ROLES)
def enrol(competition_id):
    competition = _competition(competition_id, organizer=True)
    form = EnrolForm()
    bracket = db.session.get(Bracket, form.bracket.data or -1)
    if bracket is not None and bracket.competition_id != competition.id:
        abort(400)
    upload = form.roster.data
    chosen = perform(service.chosen_people, current_user, form.how.data, people=form.people.data,
                     area_id=form.area.data, hired=form.hired.data,
                     roster=(upload.filename, read_capped(upload, "roster")) if upload else None)
    if chosen:
        people, missing = chosen.value
        if missing:
            flash(_("Not found in your area: %(numbers)s", numbers=", ".join(missing)), "error")
        done = perform(service.enrol, current_user, competition, people, bracket)
        if done:
            flash(_("%(n)d contestants enrolled.", n=done.value), "success")
    return _to_detail(competition)


@bp.route("/<int:competition_id>/rounds/<int:round_id>/judges", methods=["POST"])
@roles_required(*MANAGER_ROLES)
def judges(competition_id, round_id):
    round_ = _round(competition_id, round_id, organizer=True)
    people = service.managed_people(current_user, JudgesForm().judges.data)
    perform(service.assign_judges, current_user, round_, people, success=_("Judges assigned."))
    return _to_detail(round_.competition)


@bp.route("/<int:competition_id>/rounds/<int:round_id>/swap", methods=["POST"])
@roles_required(*MANAGER_ROLES)
def swap(competition_id, round_id):
    """Replace one judge by another for one entry of a practical round."""
    round_ = _round(competition_id, round_id, organizer=True)
    form = SwapForm()
    entry = db.session.get(Entry, form.entry.data or -1)
    if entry is None or entry.competition_id != round_.competition_id:
        abort(400)
    perform(service.swap_judge, current_user, round_, entry, db.session.get(User, form.out.data or -1),
            db.session.get(User, form.new.data or -1), success=_("Judge swapped for this contestant."))
    return redirect(url_for("compete.detail", competition_id=competition_id, _anchor=f"round-{round_.id}"))


@bp.route("/<int:competition_id>/rounds/<int:round_id>/start", methods=["POST"])
@login_required
def start(competition_id, round_id):
    round_ = _round(competition_id, round_id)
    done = perform(service.start_round, current_user, round_, zone_name())
    if not done:
        return _to_detail(round_.competition)
    if done.value.quiz_attempt_id:
        return redirect(url_for("quiz.take", attempt_id=done.value.quiz_attempt_id))
    return redirect(url_for("drill.play", attempt_id=done.value.drill_attempt_id))


@bp.route("/<int:competition_id>/rounds/<int:round_id>/judge")
@login_required
def judge_list(competition_id, round_id):
    round_ = _round(competition_id, round_id, judge=True)
    entries, done, conflicts = service.judging_list(current_user, round_)
    return render_template("compete/judge_list.html", competition=round_.competition, round=round_,
                           entries=entries, done=done, conflicts=conflicts)


@bp.route("/<int:competition_id>/rounds/<int:round_id>/judge/<int:entry_id>", methods=["GET", "POST"])
@login_required
def judge_entry(competition_id, round_id, entry_id):
    round_ = _round(competition_id, round_id, judge=True)
    competition = round_.competition
    entry = db.first_or_404(select(Entry).where(Entry.id == entry_id, Entry.competition_id == competition.id))
    if not service.may_judge(current_user, round_, entry):
        abort(404)  # not this judge's contestant (or the judge's own entry)
    form = score_form(round_.rubric)
    if form.is_submitted() and perform(service.submit_scores, current_user, round_, entry, form.points(),
                                       form.note.data, success=_("Scores saved.")):
        return redirect(url_for("compete.judge_list", competition_id=competition.id, round_id=round_.id))
    mine, others, conflicts = service.judge_view(current_user, round_, entry)
    return render_template("compete/judge_entry.html", competition=competition, round=round_, entry=entry,
                           mine=mine, others=others, conflicts=conflicts)


@bp.route("/<int:competition_id>/leaderboard")
@login_required
def leaderboard(competition_id):
    competition = _competition(competition_id)
    organizer = service.is_organizer(current_user, competition)
    truth = organizer and request.args.get("public") is None
    board = service.leaderboard(competition, truth=truth)
    if request.args.get("screen") is not None:  # the hall's projector: every row, scrolling
        return render_template("compete/projector.html", competition=competition, board=board,
                               overall=board.overall, frozen=board.frozen)
    shown = BOARD_ROWS if request.args.get("all") is None else None
    entry = service.entry_of(current_user, competition)
    mine = service.standing_of(board.overall, entry.id) if entry is not None else None
    return render_template("compete/leaderboard.html", competition=competition, board=board,
                           overall=board.overall[:shown], total_rows=len(board.overall),
                           mine=mine if mine and mine not in board.overall[:shown] else None,
                           brackets={k: v[:shown] for k, v in board.brackets.items()}, shown=shown,
                           frozen=board.frozen, organizer=organizer, truth=truth)


@bp.route("/<int:competition_id>/results")
@roles_required(*MANAGER_ROLES)
def results(competition_id):
    """The organizer reviews the final ranking, prizes, awards and certificates, then publishes."""
    competition = _competition(competition_id, organizer=True)
    board = service.leaderboard(competition, truth=True)
    published = competition.published_at is not None
    return render_template("compete/results.html", competition=competition, board=board,
                           form=PrizeForm(obj=competition),
                           certificates=service.certificates_of(competition) if published else
                           service.preview_certificates(current_user, competition),
                           can_publish=service.can_publish(competition),
                           min_score=(competition.results or {}).get("settings", {}).get(
                               "award_min_score", service.award_min_score()))


@bp.route("/<int:competition_id>/settings", methods=["POST"])
@roles_required(*MANAGER_ROLES)
def settings(competition_id):
    competition = _competition(competition_id, organizer=True)
    perform(service.set_prizes, current_user, competition, *PrizeForm().prizes(), success=_("Prizes saved."))
    return redirect(url_for("compete.results", competition_id=competition.id))


@bp.route("/<int:competition_id>/publish", methods=["POST"])
@roles_required(*MANAGER_ROLES)
def publish(competition_id):
    competition = _competition(competition_id, organizer=True)
    perform(service.publish, current_user, competition, zone_name(), success=_("The results are published."))
    return redirect(url_for("compete.results", competition_id=competition.id))


@bp.route("/<int:competition_id>/results.xlsx")
@roles_required(*MANAGER_ROLES)
def results_excel(competition_id):
    competition = _competition(competition_id, organizer=True)
    return send_file(io.BytesIO(results_workbook(competition)), as_attachment=True,
                     download_name=f"competition-{competition.id}-results.xlsx",
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@bp.route("/<int:competition_id>/certificates.pdf")
@login_required
def certificates(competition_id):
    """Published: organizers get every certificate, a contestant their own (the same bytes every time).
    Before publication: organizers get drafts marked 未发布; nobody else gets anything (404)."""
    competition = _competition(competition_id)
    organizer = service.is_organizer(current_user, competition)
    if competition.published_at is None and organizer:
        data = preview_pdf(current_user, competition)
    else:
        entry = None if organizer else service.entry_of(current_user, competition)
        if not organizer and entry is None:
            abort(404)
        data = certificates_pdf(competition, entry)
        if data is None:
            abort(404)
    return send_file(io.BytesIO(data), download_name=f"certificates-{competition.id}.pdf",
                     mimetype="application/pdf", etag=True, last_modified=competition.published_at)
