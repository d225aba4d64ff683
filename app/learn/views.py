"""Course views: catalogue, course, lesson, mark done; organizers' assignments and completion."""
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..accounts.areas import label_map, scoped_areas
from ..extensions import db
from ..forms import choices
from ..labels import ROLE_NAMES, TIER_NAMES
from ..models import MANAGER_ROLES, ROLES, Course, CourseAssignment, User
from ..security import roles_required
from ..web import paginate, perform
from .assign import assign_chosen, assignable_people, may_remove, remove_assignment, visible_assignments
from .catalogue import assignable_courses, course_named, course_quizzes, courses_by_tier, lesson_named
from .forms import AssignmentForm, MarkDoneForm
from .progress import (
    complete_lesson, completion_grid, course_progress, done_lesson_ids, hour_requirements, learners_query,
    required_courses,
)

bp = Blueprint("learn", __name__, template_folder="templates")


@bp.route("/courses")
@login_required
def catalogue():
    required_ids = {course.id for course, _a in required_courses(current_user)}
    return render_template("learn/catalogue.html", by_tier=courses_by_tier(), progress=course_progress(current_user),
                           required_ids=required_ids,
                           requirements=hour_requirements(current_user, current_app.config))


@bp.route("/courses/<slug>")
@login_required
def course(slug):
    course = db.first_or_404(course_named(slug))
    done = done_lesson_ids(current_user, course)
    progress = course_progress(current_user, [course.id]).get(course.id)
    next_lesson = next((lesson for lesson in course.active_lessons if lesson.id not in done), None)
    return render_template("learn/course.html", course=course, done=done, progress=progress,
                           next_lesson=next_lesson, quizzes=course_quizzes(course))


@bp.route("/courses/<slug>/<lesson_slug>")
@login_required
def lesson(slug, lesson_slug):
    lesson = db.first_or_404(lesson_named(slug, lesson_slug))
    course = lesson.course
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
    lesson = db.first_or_404(lesson_named(slug, lesson_slug))
    course = lesson.course
    if not MarkDoneForm().validate_on_submit():
        abort(400)
    done = perform(complete_lesson, current_user, course, lesson).value
    if done.new and done.course_complete:
        flash(_("Course complete: %(title)s. Well done!", title=course.title), "success")
    elif done.new:
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
    form.course.choices = choices((c.id, f"{TIER_NAMES[c.tier]} · {c.title}") for c in assignable_courses())
    form.role.choices = choices((r, str(ROLE_NAMES[r])) for r in ROLES)
    people = assignable_people(current_user)
    form.people.choices = choices((u.id, f"{u.name} ({u.username})") for u in people)
    if form.validate_on_submit():
        course = db.get_or_404(Course, form.course.data)
        assigned = perform(assign_chosen, current_user, course, target=form.target.data, role=form.role.data,
                           chosen=set(form.people.data or []), offered=people, due_date=form.due_date.data)
        if assigned:
            flash(_("Assigned %(title)s (%(n)d new).", title=course.title, n=len(assigned.value)), "success")
            return redirect(url_for("learn.assignments"))
    shown = visible_assignments(current_user)
    labels = label_map([a.area for a in shown if a.area is not None])
    return render_template("learn/assignments.html", form=form, assignments=shown, labels=labels,
                           action_form=MarkDoneForm())


@bp.route("/manage/assignments/<int:assignment_id>/delete", methods=["POST"])
@roles_required(*MANAGER_ROLES)
def delete_assignment(assignment_id):
    assignment = db.get_or_404(CourseAssignment, assignment_id)
    if not MarkDoneForm().validate_on_submit():
        abort(400)
    if not may_remove(current_user, assignment):
        abort(403)
    perform(remove_assignment, current_user, assignment, success=_("Assignment removed."))
    return redirect(url_for("learn.assignments"))


@bp.route("/manage/completion")
@roles_required(*MANAGER_ROLES)
def completion():
    """People in the organizer's area × the courses required of them, with progress."""
    areas = scoped_areas(current_user)
    area_id = request.args.get("area", type=int)
    area = None
    if area_id:
        area = next((a for a in areas if a.id == area_id), None)
        if area is None:
            abort(404)
    page = paginate(learners_query(current_user, within=area).order_by(User.name), current_app.config["PAGE_SIZE"])
    return render_template("learn/completion.html", page=page, grid=completion_grid(page.items), areas=areas,
                           area_id=area_id,
                           labels=label_map(areas + [p.area for p in page.items if p.area is not None],
                                            below=current_user.area))
