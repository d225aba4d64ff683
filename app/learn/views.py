"""Course views: catalogue, course, lesson (reading clock and lesson check), credit; organizers'
assignments and completion."""
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..accounts.areas import label_map, scoped_areas
from ..clock import date_text
from ..extensions import db
from ..forms import choices
from ..kb import service as kb_service
from ..labels import ROLE_NAMES, TIER_NAMES
from ..models import MANAGER_ROLES, ROLES, Course, CourseAssignment, User
from ..security import roles_required
from ..web import int_arg, paginate, perform, perform_on, perform_quietly
from .assign import (
    carry_out, inherited_assignments, may_remove, plan_assignment, remove_assignment, visible_assignments,
)
from .catalogue import assignable_courses, course_named, course_quizzes, courses_by_tier, lesson_named
from .check import credit_lesson, open_lesson
from .forms import AssignmentForm, MarkDoneForm
from .rendering import lesson_html
from .progress import (
    completion_grid, course_progress, hour_requirements, learners_query, lesson_records, required_courses,
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
    records = lesson_records(current_user, course)
    progress = course_progress(current_user, [course.id]).get(course.id)
    next_lesson = next((lesson for lesson in course.active_lessons if lesson.id not in records), None)
    return render_template("learn/course.html", course=course, records=records, progress=progress,
                           next_lesson=next_lesson, quizzes=course_quizzes(course))


@bp.route("/courses/<slug>/<lesson_slug>")
@login_required
def lesson(slug, lesson_slug):
    lesson = db.first_or_404(lesson_named(slug, lesson_slug))
    state = perform_quietly(open_lesson, current_user, lesson).value  # starts the reading clock
    course = lesson.course
    lessons = course.active_lessons
    index = lessons.index(lesson)
    return render_template(
        "learn/lesson.html", course=course, lesson=lesson, body=lesson_html(lesson), form=MarkDoneForm(), state=state,
        previous=lessons[index - 1] if index > 0 else None,
        following=lessons[index + 1] if index + 1 < len(lessons) else None,
        position=index + 1, count=len(lessons),
        related=kb_service.related("lesson", (f"{course.slug}/{lesson.slug}", lesson.title), viewer=current_user),
    )


@bp.route("/courses/<slug>/<lesson_slug>/done", methods=["POST"])
@login_required
def lesson_done(slug, lesson_slug):
    """The lesson check's answers: the hours are credited when the reading time is over and every
    answer is right (the service grades; the question types read the answers from the form)."""
    lesson = db.first_or_404(lesson_named(slug, lesson_slug))
    course = lesson.course
    if not MarkDoneForm().validate_on_submit():
        abort(400)
    here = url_for("learn.lesson", slug=slug, lesson_slug=lesson_slug, _anchor="check")
    outcome = perform(credit_lesson, current_user, course, lesson, request.form)
    if not outcome:
        return redirect(here)
    credit = outcome.value
    if not credit.passed:
        flash(_("Not passed: read the explanations and the lesson again. New questions in %(seconds)s s.",
                seconds=credit.retry_in), "error")
        return redirect(here)
    if credit.new and credit.course_complete:
        flash(_("Course complete: %(title)s. Well done!", title=course.title), "success")
    elif credit.new:
        flash(_("Lesson done: %(hours)s credit hours added.", hours=f"{lesson.hours:g}"), "success")
    lessons = course.active_lessons
    index = lessons.index(lesson)
    if index + 1 < len(lessons):
        return redirect(url_for("learn.lesson", slug=slug, lesson_slug=lessons[index + 1].slug))
    return redirect(url_for("learn.course", slug=slug))


@bp.route("/manage/assignments", methods=["GET", "POST"])
@roles_required(*MANAGER_ROLES)
def assignments():
    """Required courses: the form (a role at a node, a hire year or a list, with a due date), its preview
    of who gets what, the assignments made at or below the organizer's node and those inherited from above."""
    form = AssignmentForm()
    form.course.choices = choices((c.id, f"{TIER_NAMES[c.tier]} · {c.title}") for c in assignable_courses())
    form.role.choices = choices((r, str(ROLE_NAMES[r])) for r in ROLES)
    areas = scoped_areas(current_user)
    form.area.choices = choices([(0, _("All of my area"))] + [(a.id, "\u3000" * a.depth + a.name) for a in areas])
    plan = None
    if form.validate_on_submit():
        planned = perform_on(form, plan_assignment, current_user, db.session.get(Course, form.course.data or -1),
                             target=form.target.data, due_date=form.due_date.data, role=form.role.data,
                             area_id=form.area.data, hired=form.hired.data, people_list=form.people_list.data)
        if planned and form.step.data == "confirm":
            done = perform_on(form, carry_out, current_user, planned.value)
            if done:
                flash(_("Assigned %(title)s, due %(due)s: %(n)d people.", title=planned.value.course.title,
                        due=date_text(planned.value.due_date), n=len(planned.value.new)), "success")
                return redirect(url_for("learn.assignments"))
        elif planned:
            plan = planned.value
    shown = visible_assignments(current_user)
    inherited = inherited_assignments(current_user)
    labels = label_map([a.area for a in shown if a.area is not None]
                       + [i.assignment.area for i in inherited if i.assignment.area is not None])
    return render_template("learn/assignments.html", form=form, assignments=shown, inherited=inherited,
                           labels=labels, plan=plan, action_form=MarkDoneForm())


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
    area_id = int_arg("area")
    area = None
    if area_id:
        area = next((a for a in areas if a.id == area_id), None)
        if area is None:
            abort(404)
    page = paginate(learners_query(current_user, within=area).order_by(User.name_key, User.name),
                    current_app.config["PAGE_SIZE"])
    return render_template("learn/completion.html", page=page, grid=completion_grid(page.items), areas=areas,
                           area_id=area_id,
                           labels=label_map(areas + [p.area for p in page.items if p.area is not None],
                                            below=current_user.area))
