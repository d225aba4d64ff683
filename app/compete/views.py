"""Competition views: organizers set up and enrol, contestants take rounds, judges score from a phone,
everyone in it sees the leaderboard (frozen for the public), organizers export results and certificates."""
from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import extract, select

from ..accounts.roster import RosterError, read_roster
from ..content.courses import indicators_by_id
from ..extensions import db
from ..learn.progress import learners_query
from ..models import (
    MANAGER_ROLES, Area, Bracket, Competition, CompetitionRound, DrillVersion, Entry, QuestionBank, RoundResult, User,
)
from ..models.base import utcnow
from ..scope import scope_areas, scope_users
from ..security import roles_required
from . import rules, service
from .service import CompeteError

bp = Blueprint("compete", __name__, template_folder="templates", url_prefix="/compete")


#: Rows per board on the page (everyone: ?all=1); the viewer's own row is always shown.
BOARD_ROWS = 100


def _tz() -> str:
    return current_app.config["BABEL_DEFAULT_TIMEZONE"]


def _when(name: str) -> datetime | None:
    """A datetime-local form field, read in the configured time zone."""
    try:
        value = datetime.fromisoformat(request.form.get(name, ""))
    except ValueError:
        return None
    return value.replace(tzinfo=ZoneInfo(_tz())) if value.tzinfo is None else value


def _competition_or_404(competition_id: int) -> Competition:
    competition = db.session.get(Competition, competition_id)
    if competition is None or not service.can_view(current_user, competition):
        abort(404)
    return competition


def _organizer_or_404(competition_id: int) -> Competition:
    competition = _competition_or_404(competition_id)
    if not service.is_organizer(current_user, competition):
        abort(404)
    return competition


def _round_of(competition: Competition, round_id: int) -> CompetitionRound:
    round_ = next((r for r in competition.rounds if r.id == round_id), None)
    if round_ is None:
        abort(404)
    return round_


@bp.route("")
@login_required
def index():
    return render_template("compete/index.html", competitions=service.visible_competitions(current_user))


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*MANAGER_ROLES)
def new():
    if request.method == "POST":
        try:
            competition = service.create_competition(
                current_user, request.form.get("title", ""), request.form.get("description", ""),
                _when("freeze_at"), request.form.get("brackets", "").replace("，", ",").split(","))
        except CompeteError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            db.session.commit()
            return redirect(url_for("compete.detail", competition_id=competition.id))
    return render_template("compete/new.html")


@bp.route("/<int:competition_id>")
@login_required
def detail(competition_id):
    competition = _competition_or_404(competition_id)
    organizer = service.is_organizer(current_user, competition)
    entry = service.entry_of(current_user, competition)
    now = utcnow()
    mine = {}
    if entry is not None:
        mine = {r.round_id: r for r in db.session.scalars(select(RoundResult).where(RoundResult.entry_id == entry.id))}
    context = {"competition": competition, "organizer": organizer, "entry": entry, "mine": mine,
               "states": {r.id: rules.round_state(r.opens_at, r.closes_at, now) for r in competition.rounds},
               "judging": service.judged_rounds(current_user, competition)}
    if organizer:
        context.update(
            entries=db.session.scalars(select(Entry).where(Entry.competition_id == competition.id)).all(),
            people=db.session.scalars(learners_query(current_user).order_by(User.name)).all(),
            judges=db.session.scalars(scope_users(current_user).where(User.active).order_by(User.name)).all(),
            areas=db.session.scalars(scope_areas(current_user).order_by(Area.path)).all(),
            banks=db.session.scalars(select(QuestionBank).where(QuestionBank.active).order_by(QuestionBank.slug)).all(),
            drills=db.session.scalars(select(DrillVersion).where(DrillVersion.active)).all(),
            indicators=list(indicators_by_id(Path(current_app.config["CONTENT_DIR"])).values()),
            flags=_disagreements(competition))
    return render_template("compete/detail.html", **context)


def _disagreements(competition: Competition) -> list[tuple]:
    flagged = []
    names = dict(db.session.execute(select(Entry.id, User.name).join(User, User.id == Entry.user_id)
                                    .where(Entry.competition_id == competition.id)).all())
    for round_ in competition.rounds:
        if round_.kind != "practical":
            continue
        for entry_id, sheets in service.judging_sheets(round_).items():
            for found in rules.disagreements(round_.rubric, [s.points for s in sheets]):
                flagged.append((round_, names.get(entry_id, entry_id), found))
    return flagged


def _act(competition: Competition, action, success: str):
    try:
        action()
    except (CompeteError, rules.CompeteError) as exc:
        db.session.rollback()
        flash(service.rule_message(exc) if isinstance(exc, rules.CompeteError) else str(exc), "error")
    else:
        db.session.commit()
        flash(success, "success")
    return redirect(url_for("compete.detail", competition_id=competition.id))


@bp.route("/<int:competition_id>/rounds", methods=["POST"])
@roles_required(*MANAGER_ROLES)
def add_round(competition_id):
    competition = _organizer_or_404(competition_id)
    form = request.form
    opens, closes = _when("opens_at"), _when("closes_at")
    if opens is None or closes is None:
        flash(_("Give the round's opening and closing times."), "error")
        return redirect(url_for("compete.detail", competition_id=competition.id))
    rubric = []
    for line in form.get("rubric", "").splitlines():
        parts = [p.strip() for p in line.replace("｜", "|").split("|")]
        if len(parts) == 3 and parts[0]:
            try:
                rubric.append({"name": parts[0], "max": float(parts[1]), "indicator": parts[2]})
            except ValueError:
                rubric.append({"name": parts[0], "max": -1, "indicator": parts[2]})
        elif line.strip():
            rubric.append({"name": line.strip(), "max": -1, "indicator": ""})
    model = indicators_by_id(Path(current_app.config["CONTENT_DIR"]))
    return _act(competition, lambda: service.add_round(
        current_user, competition, kind=form.get("kind", ""), title=form.get("title", ""),
        weight=form.get("weight", type=float) or 0, opens_at=opens, closes_at=closes,
        banks=form.getlist("banks"), count=form.get("count", type=int) or 0,
        time_limit_min=form.get("time_limit_min", type=int), drill_id=form.get("drill_id"), rubric=rubric,
        indicator_ids=set(model)), _("Round added."))


@bp.route("/<int:competition_id>/enrol", methods=["POST"])
@roles_required(*MANAGER_ROLES)
def enrol(competition_id):
    competition = _organizer_or_404(competition_id)
    bracket = db.session.get(Bracket, request.form.get("bracket", type=int) or -1)
    if bracket is not None and bracket.competition_id != competition.id:
        abort(400)
    people = _chosen_people(competition)
    if people is None:
        return redirect(url_for("compete.detail", competition_id=competition.id))
    try:
        added = service.enrol(current_user, competition, people, bracket)
    except CompeteError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        db.session.commit()
        flash(_("%(n)d contestants enrolled.", n=added), "success")
    return redirect(url_for("compete.detail", competition_id=competition.id))


def _chosen_people(competition: Competition) -> list[User] | None:
    """People named in the form: ticked one by one, a cohort (area and hire year), or a roster file."""
    how = request.form.get("how", "people")
    if how == "people":
        ids = [int(i) for i in request.form.getlist("people") if i.isdigit()]
        return db.session.scalars(scope_users(current_user).where(User.id.in_(ids))).all() if ids else []
    if how == "cohort":
        query = learners_query(current_user)
        area = db.session.scalar(scope_areas(current_user).where(Area.id == (request.form.get("area", type=int) or -1)))
        if area is not None:
            query = query.where(Area.path.startswith(area.path, autoescape=True))
        if request.form.get("hired", type=int):
            query = query.where(extract("year", User.hire_date) == request.form.get("hired", type=int))
        return db.session.scalars(query).all()
    upload = request.files.get("roster")
    if upload is None or not upload.filename:
        flash(_("Choose a roster file."), "error")
        return None
    try:
        rows = read_roster(upload.filename, upload.read(), required=("worker_number",))
    except RosterError as exc:
        flash(str(exc), "error")
        return None
    numbers = [str(r.values.get("worker_number") or "").strip() for r in rows]
    people = db.session.scalars(scope_users(current_user).where(User.worker_number.in_(numbers))).all()
    missing = sorted(set(n for n in numbers if n) - {p.worker_number for p in people})
    if missing:
        flash(_("Not found in your area: %(numbers)s", numbers=", ".join(missing)), "error")
    return people


@bp.route("/<int:competition_id>/rounds/<int:round_id>/judges", methods=["POST"])
@roles_required(*MANAGER_ROLES)
def judges(competition_id, round_id):
    competition = _organizer_or_404(competition_id)
    round_ = _round_of(competition, round_id)
    ids = [int(i) for i in request.form.getlist("judges") if i.isdigit()]
    people = db.session.scalars(scope_users(current_user).where(User.id.in_(ids))).all() if ids else []
    return _act(competition, lambda: service.assign_judges(current_user, round_, people), _("Judges assigned."))


@bp.route("/<int:competition_id>/rounds/<int:round_id>/start", methods=["POST"])
@login_required
def start(competition_id, round_id):
    competition = _competition_or_404(competition_id)
    round_ = _round_of(competition, round_id)
    try:
        result = service.start_round(current_user, round_, _tz())
    except CompeteError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("compete.detail", competition_id=competition.id))
    db.session.commit()
    if result.quiz_attempt_id:
        return redirect(url_for("quiz.take", attempt_id=result.quiz_attempt_id))
    return redirect(url_for("drill.play", attempt_id=result.drill_attempt_id))


@bp.route("/<int:competition_id>/rounds/<int:round_id>/judge")
@login_required
def judge_list(competition_id, round_id):
    competition = _competition_or_404(competition_id)
    round_ = _round_of(competition, round_id)
    if not service.is_judge(current_user, round_):
        abort(404)
    entries = db.session.scalars(select(Entry).where(Entry.competition_id == competition.id)).all()
    sheets = service.judging_sheets(round_)
    done = {entry_id for entry_id, rows in sheets.items() if any(s.judge_id == current_user.id for s in rows)}
    return render_template("compete/judge_list.html", competition=competition, round=round_, entries=entries,
                           done=done)


@bp.route("/<int:competition_id>/rounds/<int:round_id>/judge/<int:entry_id>", methods=["GET", "POST"])
@login_required
def judge_entry(competition_id, round_id, entry_id):
    competition = _competition_or_404(competition_id)
    round_ = _round_of(competition, round_id)
    entry = db.session.get(Entry, entry_id)
    if not service.is_judge(current_user, round_) or entry is None or entry.competition_id != competition.id:
        abort(404)
    if request.method == "POST":
        points = [request.form.get(f"c{i}", type=float) for i in range(len(round_.rubric))]
        try:
            service.submit_scores(current_user, round_, entry, points, request.form.get("note", ""))
        except (CompeteError, rules.CompeteError) as exc:
            db.session.rollback()
            flash(service.rule_message(exc) if isinstance(exc, rules.CompeteError) else str(exc), "error")
        else:
            db.session.commit()
            flash(_("Scores saved."), "success")
            return redirect(url_for("compete.judge_list", competition_id=competition.id, round_id=round_.id))
    sheets = service.judging_sheets(round_).get(entry.id, [])
    mine = next((s for s in sheets if s.judge_id == current_user.id), None)
    return render_template("compete/judge_entry.html", competition=competition, round=round_, entry=entry,
                           mine=mine, others=[s for s in sheets if s.judge_id != current_user.id] if mine else [])


@bp.route("/<int:competition_id>/leaderboard")
@login_required
def leaderboard(competition_id):
    competition = _competition_or_404(competition_id)
    organizer = service.is_organizer(current_user, competition)
    truth = organizer and request.args.get("public") is None
    overall, brackets, frozen = service.leaderboard(competition, truth=truth)
    screen = request.args.get("screen") is not None
    shown = BOARD_ROWS if request.args.get("all") is None else None
    entry = service.entry_of(current_user, competition)
    mine = next((s for s in overall if entry is not None and s.entry.id == entry.id), None)
    return render_template("compete/leaderboard.html", competition=competition, overall=overall[:shown],
                           total_rows=len(overall), mine=mine if mine and mine not in overall[:shown] else None,
                           brackets={k: v[:shown] for k, v in brackets.items()}, shown=shown,
                           frozen=frozen, organizer=organizer, truth=truth, screen=screen,
                           awards=service.awards(competition) if truth or not competition.freeze_at else None)


@bp.route("/<int:competition_id>/results.xlsx")
@roles_required(*MANAGER_ROLES)
def results_excel(competition_id):
    from .export import results_workbook

    competition = _organizer_or_404(competition_id)
    return send_file(io.BytesIO(results_workbook(competition)), as_attachment=True,
                     download_name=f"competition-{competition.id}-results.xlsx",
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@bp.route("/<int:competition_id>/certificates.pdf")
@login_required
def certificates(competition_id):
    """Organizers: every certificate of the competition; a contestant: their own."""
    from .export import certificates_pdf

    competition = _competition_or_404(competition_id)
    if service.is_organizer(current_user, competition):
        data = certificates_pdf(competition)
    else:
        entry = service.entry_of(current_user, competition)
        if entry is None:
            abort(404)
        data = certificates_pdf(competition, only=entry.id)
    return send_file(io.BytesIO(data), download_name=f"certificates-{competition.id}.pdf",
                     mimetype="application/pdf")
