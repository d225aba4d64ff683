"""The home page says what to do next, per role held; the language switch."""
from flask import Blueprint, current_app, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required
from sqlalchemy import func, select

from ..extensions import db
from ..learn.progress import area_summary, course_progress, hour_requirements, required_courses
from ..models import ContentSync, LessonProgress, User
from ..quiz.service import book_entries
from ..scope import scope_users
from ..security import is_safe_next

bp = Blueprint("main", __name__, template_folder="templates")


@bp.route("/")
@login_required
def home():
    context = {}
    if current_user.has_role("worker", "mentor") or not current_user.is_manager:
        required = required_courses(current_user)
        progress = course_progress(current_user)
        context.update(
            requirements=hour_requirements(current_user, current_app.config),
            required=[(course, assignment, progress.get(course.id)) for course, assignment in required],
            next_lesson=_next_lesson(current_user, [c for c, _a in required]),
            book_count=len(book_entries(current_user)),
            competitions=_my_competitions(current_user),
        )
    if current_user.is_manager:
        people = db.session.scalar(scope_users(current_user, select(func.count(User.id))))
        context.update(people_count=people, summary=area_summary(current_user),
                       last_sync=db.session.scalar(select(ContentSync).order_by(ContentSync.id.desc()).limit(1)))
    return render_template("main/home.html", **context)


def _my_competitions(user):
    """Competitions the person is enrolled in that still have a round open or to come."""
    from ..models import Competition, CompetitionRound, Entry
    from ..models.base import utcnow

    return db.session.scalars(
        select(Competition).join(Entry, Entry.competition_id == Competition.id)
        .where(Entry.user_id == user.id, select(CompetitionRound.id).where(
            CompetitionRound.competition_id == Competition.id, CompetitionRound.closes_at > utcnow()).exists())
        .order_by(Competition.created_at.desc())).all()


def _next_lesson(user, required):
    """The first unfinished lesson of the first unfinished required course, else None."""
    if not required:
        return None
    done = set(db.session.scalars(select(LessonProgress.lesson_id).where(LessonProgress.user_id == user.id)))
    for course in required:
        for lesson in course.active_lessons:
            if lesson.id not in done:
                return lesson
    return None


@bp.route("/language", methods=["POST"])
def set_language():
    """Switch the UI language (zh_CN / en); remembered on the account when logged in."""
    lang = request.form.get("lang", "")
    if lang in current_app.config["LANGUAGES"]:
        session["locale"] = lang
        if current_user.is_authenticated:
            current_user.locale = lang
            db.session.commit()
    target = request.form.get("next", "")
    return redirect(target if is_safe_next(target) else url_for("main.home"))
