"""Course views: catalogue, course, lesson, mark done; organizers' assignments and completion."""
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from ..accounts.areas import label_map
from ..extensions import db
from ..forms import choices
from ..models import MANAGER_ROLES, ROLES, Area, Course, CourseAssignment, Lesson, User
from ..scope import scope_areas, scope_users
from ..security import roles_required
from .assign import AssignmentError, assign_course, remove_assignment, visible_assignments
from .forms import AssignmentForm, MarkDoneForm
from .progress import (
    completion_matrix, learners_query, course_progress, done_lesson_ids, hour_requirements, complete_lesson, required_courses,
    required_map,
)
from ..labels import ROLE_NAMES, TIER_NAMES

bp = Blueprint("learn", __name__, template_folder="templates")


def _course_or_404(slug: str) -> Course:
    course = db.session.scalar(select(Course).where(Course.slug == slug, Course.active))
    if course is None:
        abort(404)
    return course


@bp.route("/courses")
@login_required
def catalogue():
    courses = db.session.scalars(select(Course).where(Course.active)
                                 .order_by(Course.sort_order, Course.title)).all()
    by_tier = {tier: [c for c in courses if c.tier == tier] for tier in TIER_NAMES}
    required_ids = {course.id for course, _a in required_courses(current_user)}
    return render_template("learn/catalogue.html", by_tier=by_tier, progress=course_progress(current_user),
                           required_ids=required_ids,
                           requirements=hour_requirements(current_user, current_app.config))


@bp.route("/courses/<slug>")
@login_required
def course(slug):
    course = _course_or_404(slug)
    done = done_lesson_ids(current_user, course)
    progress = course_progress(current_user, [course.id]).get(course.id)
    next_lesson = next((lesson for lesson in course.active_lessons if lesson.id not in done), None)
    from ..models import Quiz

    quizzes = db.session.scalars(select(Quiz).where(Quiz.course_slug == course.slug, Quiz.active)).all()
    return render_template("learn/course.html", course=course, done=done, progress=progress,
                           next_lesson=next_lesson, quizzes=quizzes)


def _lesson_or_404(course: Course, lesson_slug: str) -> Lesson:
    lesson = next((item for item in course.active_lessons if item.slug == lesson_slug), None)
    if lesson is None:
        abort(404)
    return lesson


@bp.route("/courses/<slug>/<lesson_slug>")
@login_required
def lesson(slug, lesson_slug):
    course = _course_or_404(slug)
    lesson = _lesson_or_404(course, lesson_slug)
    lessons = course.active_lessons
    index = lessons.index(lesson)
    return render_template(
        "learn/lesson.html", course=course, lesson=lesson, form=MarkDoneForm(),
        done=lesson.id in done_lesson_ids(current_user, course),
        previous=lessons[index - 1] if index > 0 else None,
        following=lessons[index + 1] if index + 1 < len(lessons) else None,
        position=index + 1, count=len(lessons),
    )


@bp.route("/courses/<slug>/<lesson_slug>/done", methods=["POST"])
@login_required
def lesson_done(slug, lesson_slug):
    course = _course_or_404(slug)
    lesson = _lesson_or_404(course, lesson_slug)
    if not MarkDoneForm().validate_on_submit():
        abort(400)
    done = complete_lesson(current_user, course, lesson)
    if done.new:
        db.session.commit()
        if done.course_complete:
            flash(_("Course complete: %(title)s. Well done!", title=course.title), "success")
        else:
            flash(_("Lesson done: %(hours)s credit hours added.", hours=f"{lesson.hours:g}"), "success")
    lessons = course.active_lessons
    index = lessons.index(lesson)
    if index + 1 < len(lessons):
        return redirect(url_for("learn.lesson", slug=slug, lesson_slug=lessons[index + 1].slug))
    return redirect(url_for("learn.course", slug=slug))


@bp.route("/manage/assignments", methods=["GET", "POST"])
@roles_required(*MANAGER_ROLES)
def assignments():
    form = AssignmentForm()
    courses = db.session.scalars(select(Course).where(Course.active).order_by(Course.tier, Course.sort_order)).all()
    form.course.choices = choices((c.id, f"{TIER_NAMES[c.tier]} · {c.title}") for c in courses)
    form.role.choices = choices((r, str(ROLE_NAMES[r])) for r in ROLES)
    people = db.session.scalars(scope_users(current_user).where(User.active).order_by(User.name)).all()
    form.people.choices = choices((u.id, f"{u.name} ({u.username})") for u in people)
    if form.validate_on_submit():
        course = db.session.get(Course, form.course.data)
        chosen = [u for u in people if u.id in set(form.people.data or [])]
        unknown = set(form.people.data or []) - {u.id for u in people}
        try:
            if unknown:
                raise AssignmentError(_("Some chosen people are outside your area."))
            if form.target.data == "role":
                if not form.role.data:
                    raise AssignmentError(_("Choose a role."))
                created = assign_course(current_user, course, role=form.role.data, due_date=form.due_date.data)
            else:
                if not chosen:
                    raise AssignmentError(_("Choose at least one person."))
                created = assign_course(current_user, course, users=chosen, due_date=form.due_date.data)
        except AssignmentError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash(_("Assigned %(title)s (%(n)d new).", title=course.title, n=len(created)), "success")
            return redirect(url_for("learn.assignments"))
    shown = visible_assignments(current_user)
    labels = label_map([a.area for a in shown if a.area is not None])
    return render_template("learn/assignments.html", form=form, assignments=shown, labels=labels,
                           action_form=MarkDoneForm())


@bp.route("/manage/assignments/<int:assignment_id>/delete", methods=["POST"])
@roles_required(*MANAGER_ROLES)
def delete_assignment(assignment_id):
    assignment = db.session.get(CourseAssignment, assignment_id)
    if assignment is None:
        abort(404)
    if not MarkDoneForm().validate_on_submit():
        abort(400)
    try:
        remove_assignment(current_user, assignment)
    except AssignmentError:
        abort(403)
    db.session.commit()
    flash(_("Assignment removed."), "success")
    return redirect(url_for("learn.assignments"))


@bp.route("/manage/completion")
@roles_required(*MANAGER_ROLES)
def completion():
    """People in the organizer's area × the courses required of them, with progress."""
    areas = db.session.scalars(scope_areas(current_user).order_by(Area.path)).all()
    area_id = request.args.get("area", type=int)
    query = learners_query(current_user)
    if area_id:
        area = next((a for a in areas if a.id == area_id), None)
        if area is None:
            abort(404)
        query = query.where(Area.path.startswith(area.path, autoescape=True))
    page = max(request.args.get("page", 1, type=int), 1)
    size = current_app.config["PAGE_SIZE"]
    people = db.session.scalars(query.order_by(User.name).offset((page - 1) * size).limit(size + 1)).all()
    has_more = len(people) > size
    people = people[:size]
    required = required_map(people)
    course_ids = sorted({cid for ids in required.values() for cid in ids})
    courses = db.session.scalars(select(Course).where(Course.id.in_(course_ids))
                                 .order_by(Course.tier, Course.sort_order)).all() if course_ids else []
    matrix = completion_matrix(people, [c.id for c in courses])
    return render_template("learn/completion.html", people=people, courses=courses, matrix=matrix,
                           required=required, areas=areas, area_id=area_id, page=page, has_more=has_more,
                           labels=label_map(areas + [p.area for p in people if p.area is not None],
                                            below=current_user.area))
