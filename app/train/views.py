"""Training class views: organizers create classes and timetables, enrol people, show the sign-in
code on the projector, take attendance by hand and decide leave; workers see their timetable, sign
in and out from their phone, ask for leave, rate sessions and download their certificates."""
from __future__ import annotations

import base64
import io

import segno
from flask import (
    Blueprint, abort, current_app, flash, jsonify, redirect, render_template, request, send_file, url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from .. import competency
from ..clock import local_today, zone_name
from ..extensions import db
from ..models import (
    MANAGER_ROLES, Area, ClassAttendance, ClassDrill, ClassEnrolment, ClassSession, Course, LeaveRequest, Quiz, TrainingClass, User,
)
from ..scope import scope_areas, scope_users
from ..security import roles_required
from ..refusal import Refusal
from ..web import perform, perform_on
from . import classroom, completion, report as reports, room as rooms, service, tokens
from .sender import send_all
from .forms import ClassForm, DecideForm, EmptyForm, EnrolForm, LeaveForm, MarkForm, RatingForm, SessionForm

bp = Blueprint("train", __name__, template_folder="templates", url_prefix="/train")

PURPOSES = tokens.PURPOSES


@bp.context_processor
def _helpers():
    return {"instructor_text": service.instructor_text}


def _class(class_id: int, *, organizer: bool = False) -> TrainingClass:
    """The class if the current user may see it (``organizer``: runs it); else 404."""
    training_class = db.get_or_404(TrainingClass, class_id)
    if not (service.is_organizer if organizer else service.can_view)(current_user, training_class):
        abort(404)
    return training_class


def _session(session_id: int, *, organizer: bool = False, instructor: bool = False) -> ClassSession:
    """A session of a class the current user runs (``instructor``: or teaches this session); else 404."""
    session = db.get_or_404(ClassSession, session_id)
    training_class = session.training_class
    allowed = service.is_organizer(current_user, training_class) or (
        instructor and session.instructor_id == current_user.id)
    if (organizer or instructor) and not allowed:
        abort(404)
    if not (organizer or instructor) and not service.can_view(current_user, training_class):
        abort(404)
    return session


def _purpose() -> str:
    purpose = request.args.get("purpose", "in")
    if purpose not in PURPOSES:
        abort(404)
    return purpose


def _to_class(training_class: TrainingClass, anchor: str | None = None):
    return redirect(url_for("train.detail", class_id=training_class.id, _anchor=anchor))


@bp.route("")
@login_required
def index():
    return render_template("train/index.html", classes=service.visible_classes(current_user))


def _class_choices():
    areas = db.session.scalars(scope_areas(current_user).order_by(Area.path)).all()
    quizzes = db.session.scalars(select(Quiz).where(Quiz.active).order_by(Quiz.title)).all()
    return areas, quizzes


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*MANAGER_ROLES)
def new():
    form = ClassForm()
    if not form.is_submitted() and current_user.area_id:
        form.area.data = current_user.area_id
    if form.is_submitted():
        done = perform_on(form, service.create_class, current_user, form.fields(), field="title",
                          success=_("Class created: now add its timetable."))
        if done:
            return _to_class(done.value)
    areas, quizzes = _class_choices()
    return render_template("train/new.html", form=form, areas=areas, quizzes=quizzes, tiers=service.TIERS)


def _detail(training_class: TrainingClass, session_form: SessionForm | None = None) -> dict:
    """What the class page shows the current user (organizers: the whole class; others: their own)."""
    organizer = service.is_organizer(current_user, training_class)
    enrolment = service.enrolment_of(current_user, training_class)
    context = {"training_class": training_class, "organizer": organizer, "enrolment": enrolment,
               "timetable": service.my_timetable(current_user, training_class),
               "planned_hours": service.planned_hours(training_class), "now": service.now(),
               "mine": completion.progress(current_user, training_class) if enrolment else None,
               "rooms": {s.id: classroom.drills_of(s) for s in training_class.sessions},
               "drill_versions": classroom.drills_offered() if organizer or service.teaches(current_user, training_class)
               else [], "drill_titles": classroom.drill_titles()}
    if organizer:
        context.update(
            session_form=session_form or SessionForm(),
            enrolled=[e for e in training_class.enrolments if e.status == "enrolled"],
            waiting=service.waiting_list(training_class), leave=service.pending_leave(training_class),
            areas=db.session.scalars(scope_areas(current_user).order_by(Area.path)).all(),
            people=db.session.scalars(scope_users(current_user).where(User.active).order_by(User.name)).all(),
            courses=db.session.scalars(select(Course).where(Course.active).order_by(Course.title)).all(),
            quizzes=db.session.scalars(select(Quiz).where(Quiz.active).order_by(Quiz.title)).all(),
            progress=completion.progress_of_class(training_class))
    return context


@bp.route("/<int:class_id>")
@login_required
def detail(class_id):
    return render_template("train/detail.html", **_detail(_class(class_id)))


@bp.route("/<int:class_id>/sessions", methods=["POST"])
@roles_required(*MANAGER_ROLES)
def add_session(class_id):
    training_class = _class(class_id, organizer=True)
    form = SessionForm()
    done = perform_on(form, service.add_session, current_user, training_class, form.fields(), zone_name(),
                      field="topic", success=_("Session added to the timetable."))
    if done:
        return _to_class(training_class, "timetable")
    return render_template("train/detail.html", **_detail(training_class, form)), 400


@bp.route("/<int:class_id>/enrol", methods=["POST"])
@roles_required(*MANAGER_ROLES)
def enrol(class_id):
    training_class = _class(class_id, organizer=True)
    form = EnrolForm()
    upload = form.roster.data
    chosen = perform(service.chosen_people, current_user, form.how.data, people=form.people.data,
                     area_id=form.area.data, hired=form.hired.data,
                     roster=(upload.filename, upload.read()) if upload else None)
    if chosen:
        people, missing = chosen.value
        if missing:
            flash(_("Not found in your area: %(numbers)s", numbers=", ".join(missing)), "error")
        done = perform(service.enrol, current_user, training_class, people)
        if done:
            placed, waiting = done.value
            flash(_("%(placed)d enrolled, %(waiting)d on the waiting list.", placed=placed, waiting=waiting), "success")
    return _to_class(training_class, "enrolment")


@bp.route("/enrolments/<int:enrolment_id>/withdraw", methods=["POST"])
@roles_required(*MANAGER_ROLES)
def withdraw(enrolment_id):
    EmptyForm().validate_on_submit() or abort(400)
    enrolment = db.get_or_404(ClassEnrolment, enrolment_id)
    training_class = enrolment.training_class
    if not service.is_organizer(current_user, training_class):
        abort(404)
    done = perform(service.withdraw, current_user, enrolment, success=_("Withdrawn from the class."))
    if done and done.value is not None:
        flash(_("%(name)s moved up from the waiting list.", name=done.value.name), "success")
    return _to_class(training_class, "enrolment")


# --- attendance ----------------------------------------------------------------------------------------

@bp.route("/sessions/<int:session_id>")
@roles_required(*MANAGER_ROLES)
def session_sheet(session_id):
    session = _session(session_id, organizer=True)
    return render_template("train/session.html", session=session, training_class=session.training_class,
                           sheet=service.attendance_sheet(session), form=MarkForm())


@bp.route("/sessions/<int:session_id>/mark", methods=["POST"])
@roles_required(*MANAGER_ROLES)
def mark(session_id):
    session = _session(session_id, organizer=True)
    form = MarkForm()
    user = db.session.get(User, form.user.data or -1)
    if user is None:
        abort(400)
    perform(service.mark, current_user, session, user, form.present.data == "1", form.reason.data,
            success=_("Attendance recorded."))
    return redirect(url_for("train.session_sheet", session_id=session.id))


def _code(session: ClassSession, purpose: str) -> dict:
    """What the projector shows now: the link, its QR code as an SVG data URI, seconds to the next."""
    moment = service.now()
    token = service.token_for(session, purpose, current_app.config["SECRET_KEY"], moment)
    url = url_for("train.sign", session_id=session.id, purpose=purpose, token=token, _external=True)
    svg = io.BytesIO()
    segno.make(url, error="m").save(svg, kind="svg", scale=8, border=2, xmldecl=False, svgns=True,
                                    title=_("Sign-in code"))
    signed = db.session.scalar(select(db.func.count(ClassAttendance.id)).where(
        ClassAttendance.session_id == session.id, ClassAttendance.status == "present",
        (ClassAttendance.signed_out_at.is_not(None)) if purpose == "out" else ClassAttendance.id.is_not(None))) or 0
    return {"url": url, "svg": "data:image/svg+xml;base64," + base64.b64encode(svg.getvalue()).decode("ascii"),
            "seconds_left": round(tokens.seconds_left(moment.timestamp()), 1), "count": signed}


def _projected(session_id: int):
    """The session whose code the organizer or instructor projects, and for what (404 for sign-out
    where the session has none)."""
    session = _session(session_id, instructor=True)
    purpose = _purpose()
    if purpose == "out" and not session.requires_sign_out:
        abort(404)
    return session, purpose


@bp.route("/sessions/<int:session_id>/projector")
@login_required
def projector(session_id):
    session, purpose = _projected(session_id)
    return render_template("train/projector.html", session=session, training_class=session.training_class,
                           purpose=purpose, code=_code(session, purpose),
                           enrolled=sum(e.status == "enrolled" for e in session.training_class.enrolments))


@bp.route("/sessions/<int:session_id>/code.json")
@login_required
def code(session_id):
    session, purpose = _projected(session_id)
    response = jsonify(_code(session, purpose))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/sign/<int:session_id>/<purpose>/<token>", methods=["GET", "POST"])
@login_required
def sign(session_id, purpose, token):
    """The link in the QR code: the page checks the code and asks the person to confirm (a GET changes
    nothing); the confirmation signs them in or out."""
    if purpose not in PURPOSES or len(token) > 40:
        abort(404)
    session = db.get_or_404(ClassSession, session_id)
    form = EmptyForm()
    result = problem = None
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        done = perform(service.sign, current_user, session, purpose, token, current_app.config["SECRET_KEY"])
        if done:
            result = done.value
        else:
            problem = done.message
    else:
        try:
            service.check_code(session, purpose, token, current_app.config["SECRET_KEY"])
        except Refusal as exc:
            problem = str(exc)
    return render_template("train/sign.html", session=session, training_class=session.training_class,
                           purpose=purpose, token=token, form=form, result=result, problem=problem), \
        (200 if problem is None else 409 if request.method == "POST" else 410)


# --- leave -----------------------------------------------------------------------------------------------

@bp.route("/sessions/<int:session_id>/leave", methods=["POST"])
@login_required
def request_leave(session_id):
    session = _session(session_id)
    form = LeaveForm()
    perform(service.request_leave, current_user, session, form.reason.data,
            success=_("Your leave request was sent to the organizer."))
    return _to_class(session.training_class, f"session-{session.id}")


@bp.route("/leave/<int:leave_id>/decide", methods=["POST"])
@roles_required(*MANAGER_ROLES)
def decide_leave(leave_id):
    leave = db.get_or_404(LeaveRequest, leave_id)
    training_class = leave.session.training_class
    if not service.is_organizer(current_user, training_class):
        abort(404)
    form = DecideForm()
    if form.decision.data not in ("approve", "refuse"):
        abort(400)
    perform(service.decide_leave, current_user, leave, form.decision.data == "approve",
            success=_("Leave request decided."))
    return _to_class(training_class, "leave")


# --- ratings, completion, hours ---------------------------------------------------------------------------

@bp.route("/sessions/<int:session_id>/rate", methods=["POST"])
@login_required
def rate(session_id):
    session = _session(session_id)
    form = RatingForm()
    perform(completion.rate, current_user, session, form.session_score.data, form.instructor_score.data,
            form.comment.data, success=_("Thank you for your rating."))
    return _to_class(session.training_class, f"session-{session.id}")


@bp.route("/sessions/<int:session_id>/ratings")
@login_required
def ratings(session_id):
    """Organizers see each rating with the rater's name; the session's instructor sees them without."""
    session = _session(session_id, instructor=True)
    organizer = service.is_organizer(current_user, session.training_class)
    return render_template("train/ratings.html", session=session, training_class=session.training_class,
                           organizer=organizer, summary=completion.ratings_of(session, with_names=organizer))


@bp.route("/<int:class_id>/complete", methods=["POST"])
@roles_required(*MANAGER_ROLES)
def complete(class_id):
    training_class = _class(class_id, organizer=True)
    EmptyForm().validate_on_submit() or abort(400)
    done = perform(completion.issue, current_user, training_class, zone_name())
    if done:
        flash(_("%(n)d certificates issued.", n=done.value), "success")
    return _to_class(training_class, "completion")


@bp.route("/enrolments/<int:enrolment_id>/certificate.pdf")
@login_required
def certificate(enrolment_id):
    """A 结业证书: its holder's own, or any of a class an organizer runs (the same bytes every time)."""
    enrolment = db.get_or_404(ClassEnrolment, enrolment_id)
    if enrolment.user_id != current_user.id and not service.is_organizer(current_user, enrolment.training_class):
        abort(404)
    if enrolment.certificate_serial is None:
        abort(404)
    data = completion.certificate_pdf(enrolment, zone_name())
    return send_file(io.BytesIO(data), mimetype="application/pdf", etag=True, last_modified=enrolment.completed_at,
                     download_name=f"certificate-{enrolment.certificate_serial}.pdf")


@bp.route("/hours")
@login_required
def hours():
    year = request.args.get("year", "")
    chosen = int(year) if year.isdigit() and 2000 <= int(year) <= 2100 else None
    return render_template("train/hours.html", credits=completion.credits(current_user, chosen, zone_name()),
                           year=chosen, this_year=local_today().year)


@bp.route("/hours.pdf")
@login_required
def hours_pdf():
    """The 学时证明 of the logged-in person, for a year (``?year=``) or all time."""
    year = request.args.get("year", "")
    chosen = int(year) if year.isdigit() and 2000 <= int(year) <= 2100 else None
    data = completion.statement_pdf(current_user, chosen, zone_name())
    return send_file(io.BytesIO(data), mimetype="application/pdf",
                     download_name=f"hours-{chosen or 'all'}-{current_user.username}.pdf")


# --- 参训率 -------------------------------------------------------------------------------------------------

def _report_year() -> int:
    text = request.args.get("year", "")
    return int(text) if text.isdigit() and 2000 <= int(text) <= 2100 else local_today().year


@bp.route("/report")
@roles_required(*MANAGER_ROLES)
def report():
    """参训率 and completion by area node and tier for a year, who missed sessions, who is short of hours."""
    year = _report_year()
    return render_template("train/report.html", report=reports.attendance_report(current_user, year, current_app.config),
                           year=year, this_year=local_today().year, leave_text=reports.leave_text)


@bp.route("/report.xlsx")
@roles_required(*MANAGER_ROLES)
def report_excel():
    year = _report_year()
    data = reports.workbook(reports.attendance_report(current_user, year, current_app.config))
    return send_file(io.BytesIO(data), as_attachment=True, download_name=f"attendance-rate-{year}.xlsx",
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@bp.route("/report/remind", methods=["POST"])
@roles_required(*MANAGER_ROLES)
def remind():
    EmptyForm().validate_on_submit() or abort(400)
    year = _report_year()
    done = perform(reports.remind, current_user, year, current_app.config)
    if done:
        send_all(current_app.config, done.value)   # after the commit: a slow endpoint undoes nothing
        flash(_("%(n)d reminders sent.", n=len(done.value)), "success")
    return redirect(url_for("train.report", year=year))


# --- classroom drills (课堂演练) ------------------------------------------------------------------------------

def _room(room_id: int) -> ClassDrill:
    """A classroom drill the current user runs or may take part in (enrolled in the class); else 404."""
    row = db.get_or_404(ClassDrill, room_id)
    if not classroom.runs(current_user, row.session) and not service.can_view(current_user, row.session.training_class):
        abort(404)
    return row


def _tokens(row: ClassDrill, choices) -> dict[str, str]:
    return {c.id: rooms.choice_token(current_app.config["SECRET_KEY"], row.id, row.step, c.id) for c in choices}


@bp.route("/sessions/<int:session_id>/drills", methods=["POST"])
@login_required
def start_drill(session_id):
    session = _session(session_id, instructor=True)
    done = perform(classroom.start, current_user, session, request.form.get("drill", ""))
    if done:
        return redirect(url_for("train.room_screen", room_id=done.value.id))
    return _to_class(session.training_class, f"session-{session.id}")


@bp.route("/room/<int:room_id>/screen")
@login_required
def room_screen(room_id):
    """The projector: the node, how the room chose (counts, no names), and moving the room on."""
    row = _room(room_id)
    if not classroom.runs(current_user, row.session):
        abort(404)
    current = classroom.now_of(row)
    return render_template("train/room_screen.html", row=row, now=current, tokens=_tokens(row, current.choices),
                           counts=rooms.tally(current.choices, [v.choice_id for v in classroom.votes_at(row, row.step)]),
                           history=classroom.history(row) if row.status == "finished" else [],
                           training_class=row.session.training_class)


@bp.route("/room/<int:room_id>")
@login_required
def room_page(room_id):
    """An attendee's phone: the current node and its choices; at the end the debrief and their own result."""
    row = _room(room_id)
    current = classroom.now_of(row)
    return render_template("train/room.html", row=row, now=current, tokens=_tokens(row, current.choices),
                           present=classroom.present(current_user, row.session),
                           mine=classroom.my_vote(current_user, row), training_class=row.session.training_class,
                           history=classroom.history(row) if row.status == "finished" else [],
                           own=classroom.own(current_user, row) if row.status == "finished" else None,
                           indicator_names=competency.names())


@bp.route("/room/<int:room_id>/vote", methods=["POST"])
@login_required
def room_vote(room_id):
    row = _room(room_id)
    EmptyForm().validate_on_submit() or abort(400)
    step = request.form.get("step", "")
    perform(classroom.vote, current_user, row, int(step) if step.isdigit() else None, request.form.get("choice", ""),
            current_app.config["SECRET_KEY"])
    return redirect(url_for("train.room_page", room_id=row.id))


@bp.route("/room/<int:room_id>/next", methods=["POST"])
@login_required
def room_next(room_id):
    row = _room(room_id)
    EmptyForm().validate_on_submit() or abort(400)
    step = request.form.get("step", "")
    perform(classroom.move_on, current_user, row, int(step) if step.isdigit() else None,
            request.form.get("follow") or None, current_app.config["SECRET_KEY"])
    return redirect(url_for("train.room_screen", room_id=row.id))


@bp.route("/room/<int:room_id>/state.json")
@login_required
def room_state(room_id):
    """Where the room stands, for the pages' scripts; the counts only for those who run the drill."""
    row = _room(room_id)
    data = {"step": row.step, "status": row.status}
    if classroom.runs(current_user, row.session):
        current = classroom.now_of(row)
        tokens_ = _tokens(row, current.choices)
        data["counts"] = {tokens_[c.id]: n for c, n in rooms.tally(
            current.choices, [v.choice_id for v in classroom.votes_at(row, row.step)])}
    response = jsonify(data)
    response.headers["Cache-Control"] = "no-store"
    return response
