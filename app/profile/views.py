"""Competency profile (worker, their mentor, organizers), cohort heatmap (organizers), exports."""
from __future__ import annotations

import io
import json

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup
from sqlalchemy import extract, select

from ..extensions import db
from ..learn.assign import AssignmentError, assign_course
from ..learn.progress import learners_query
from ..mentor.service import can_view_person
from ..models import MANAGER_ROLES, Area, Course, User
from ..scope import scope_areas
from ..security import roles_required
from .charts import Series, heat_colour, radar_svg, sparkline_svg
from .pages import cohort_page, profile_page
from .service import model

bp = Blueprint("profile", __name__, template_folder="templates", url_prefix="/profile")

COHORT_PAGE_SIZE = 100


def _person_or_404(user_id: int) -> User:
    person = db.session.get(User, user_id)
    if person is None or not can_view_person(current_user, person):
        abort(404)
    return person


@bp.route("")
@login_required
def mine():
    return redirect(url_for("profile.show", user_id=current_user.id))


def radars(page) -> tuple[Markup, Markup]:
    indicators = model()
    groups = {}
    for item in indicators:
        groups.setdefault(item.group_id, item.group_title)
    now_name, before_name = _("now"), _("3 months ago")
    group_radar = radar_svg(
        list(groups.items()),
        [Series(now_name, {g: page.now.groups[g].level for g in groups}),
         Series(before_name, {g: page.before.groups[g].level for g in groups}, dashed=True, fill=False)],
        title=_("Competency groups"), missing_label=_("not enough evidence yet"))
    indicator_radar = radar_svg(
        [(i.id, i.title) for i in indicators],
        [Series(now_name, page.now.levels()),
         Series(before_name, page.before.levels(), dashed=True, fill=False)],
        title=_("Competency indicators"), missing_label=_("not enough evidence yet"))
    return Markup(group_radar), Markup(indicator_radar)


@bp.route("/<int:user_id>")
@login_required
def show(user_id):
    person = _person_or_404(user_id)
    page = profile_page(person)
    group_radar, indicator_radar = radars(page)
    sparks = {ind: Markup(sparkline_svg([p.level for p in points], ind)) for ind, points in page.trends.items()}
    return render_template("profile/show.html", page=page, person=person, group_radar=group_radar,
                           indicator_radar=indicator_radar, sparks=sparks, indicators=model(),
                           titles={i.id: i.title for i in model()})


def _cohort_people(area_id: int | None, hired: int | None):
    query = learners_query(current_user)
    if area_id:
        area = db.session.scalar(scope_areas(current_user).where(Area.id == area_id))
        if area is None:
            abort(404)
        query = query.where(Area.path.startswith(area.path, autoescape=True))
    if hired:
        query = query.where(extract("year", User.hire_date) == hired)
    return db.session.scalars(query.order_by(User.name)).all()


@bp.route("/cohort")
@roles_required(*MANAGER_ROLES)
def cohort():
    area_id = request.args.get("area", type=int)
    hired = request.args.get("hired", type=int)
    threshold = min(max(request.args.get("threshold", 60, type=float), 0), 100)
    page_no = max(request.args.get("page", 1, type=int), 1)
    people = _cohort_people(area_id, hired)
    data = cohort_page(people, threshold)
    shown = people[(page_no - 1) * COHORT_PAGE_SIZE: page_no * COHORT_PAGE_SIZE]
    indicators = model()
    courses = db.session.scalars(select(Course).where(Course.active).order_by(Course.tier, Course.sort_order)).all()
    training = {i.id: [c for c in courses if i.id in (c.indicators or [])] for i in indicators}
    areas = db.session.scalars(scope_areas(current_user).order_by(Area.path)).all()
    years = sorted({p.hire_date.year for p in people if p.hire_date}, reverse=True)
    return render_template("profile/cohort.html", data=data, shown=shown, indicators=indicators, training=training,
                           heat_colour=heat_colour, areas=areas, area_id=area_id, hired=hired, years=years,
                           threshold=threshold, page=page_no, pages=max(1, -(-len(people) // COHORT_PAGE_SIZE)))


@bp.route("/cohort/assign", methods=["POST"])
@roles_required(*MANAGER_ROLES)
def cohort_assign():
    """Require a course of everyone in the filtered cohort whose level on an indicator is below the threshold."""
    area_id = request.form.get("area", type=int)
    hired = request.form.get("hired", type=int)
    threshold = request.form.get("threshold", type=float)
    indicator = request.form.get("indicator", "")
    course = db.session.get(Course, request.form.get("course", type=int) or -1)
    back = url_for("profile.cohort", area=area_id, hired=hired, threshold=threshold)
    if course is None or threshold is None or indicator not in {i.id for i in model()}:
        flash(_("Choose an indicator, a course and a threshold."), "error")
        return redirect(back)
    people = _cohort_people(area_id, hired)
    data = cohort_page(people, threshold)
    below = [p for p in people if (level := data.profiles[p.id].level(indicator)) is not None and level < threshold]
    if not below:
        flash(_("Nobody in this cohort is below %(n)s on that indicator.", n=f"{threshold:g}"), "info")
        return redirect(back)
    try:
        created = assign_course(current_user, course, users=below)
    except AssignmentError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(back)
    db.session.commit()
    flash(_("Assigned %(title)s to %(n)d people below %(t)s (%(new)d new assignments).", title=course.title,
            n=len(below), t=f"{threshold:g}", new=len(created)), "success")
    return redirect(back)


@bp.route("/<int:user_id>/records.xlsx")
@login_required
def person_excel(user_id):
    from .export import records_workbook

    person = _person_or_404(user_id)
    data = records_workbook([person])
    return _xlsx(data, f"records-{person.username}.xlsx")


@bp.route("/<int:user_id>/xapi.json")
@login_required
def person_xapi(user_id):
    from .export import statements_for

    person = _person_or_404(user_id)
    return _json(statements_for([person]), f"xapi-{person.username}.json")


@bp.route("/cohort/records.xlsx")
@roles_required(*MANAGER_ROLES)
def cohort_excel():
    from .export import records_workbook

    people = _cohort_people(request.args.get("area", type=int), request.args.get("hired", type=int))
    return _xlsx(records_workbook(people), "cohort-records.xlsx")


@bp.route("/cohort/xapi.json")
@roles_required(*MANAGER_ROLES)
def cohort_xapi():
    from .export import statements_for

    people = _cohort_people(request.args.get("area", type=int), request.args.get("hired", type=int))
    return _json(statements_for(people), "cohort-xapi.json")


def _xlsx(data: bytes, name: str):
    return send_file(io.BytesIO(data), as_attachment=True, download_name=name,
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def _json(statements: list[dict], name: str):
    body = json.dumps(statements, ensure_ascii=False, indent=1).encode("utf-8")
    return send_file(io.BytesIO(body), as_attachment=True, download_name=name, mimetype="application/json")


@bp.route("/lrs", methods=["GET", "POST"])
@roles_required("admin")
def lrs_status():
    """The xAPI outbox: what reached the Learning Record Store, what waits, what failed and why."""
    from sqlalchemy import select as select_

    from ..models import XapiOutbox
    from . import lrs

    if request.method == "POST":
        count = lrs.requeue_failed()
        db.session.commit()
        flash(_("%(n)d failed statements queued again.", n=count), "success")
        return redirect(url_for("profile.lrs_status"))
    failed = db.session.scalars(select_(XapiOutbox).where(XapiOutbox.status == "failed")
                                .order_by(XapiOutbox.id.desc()).limit(50)).all()
    return render_template("profile/lrs.html", counts=lrs.outbox_counts(), failed=failed,
                           endpoint=current_app.config["XAPI_LRS_ENDPOINT"])
