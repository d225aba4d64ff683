"""Competency profile (worker, their mentor, organizers), cohort heatmap (organizers), exports."""
from __future__ import annotations

import io
import json

from flask import Blueprint, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup

from .. import competency
from ..access import person_or_404
from ..clock import date_text, local_today, utcnow
from ..accounts.areas import scoped_areas
from ..extensions import db
from ..learn.assign import assign_course, split_required
from ..models import MANAGER_ROLES, Area, Course
from ..scope import scope_areas
from ..security import roles_required
from ..web import float_arg, int_arg, page_of, paginate, perform
from . import lrs
from .charts import Series, heat_colour, radar_svg, sparkline_svg, trend_svg
from .export import records_workbook, statements_for
from .forms import CohortAssignForm
from .pages import below_threshold, cohort_page, cohort_people, cohort_rows, hire_years, profile_page, training_courses
from .standing import recommendation_status

bp = Blueprint("profile", __name__, template_folder="templates", url_prefix="/profile")

COHORT_PAGE_SIZE = 100
#: The hire years a cohort filter may name (others name nothing: 404).
MIN_HIRE_YEAR, MAX_HIRE_YEAR = 1950, 2100


@bp.route("")
@login_required
def mine():
    return redirect(url_for("profile.show", user_id=current_user.id))


def radars(page) -> tuple[Markup, Markup]:
    indicators = competency.model()
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
    return Markup(group_radar), Markup(indicator_radar)  # noqa: S704 (app.profile.charts XML-escapes every text)


@bp.route("/<int:user_id>")
@login_required
def show(user_id):
    person = person_or_404(current_user, user_id)
    page = profile_page(person)
    group_radar, indicator_radar = radars(page)
    titles = competency.names()
    sparks, charts = {}, {}
    for ind, points in page.trends.items():
        sparks[ind] = Markup(sparkline_svg([p.level for p in points], titles.get(ind, "")))  # noqa: S704
        months = [(_("month %(month)d", month=int(p.month[5:])), p.level) for p in points]
        chart = trend_svg(months, titles.get(ind, ""))
        charts[ind] = Markup(chart) if chart else None  # noqa: S704 (app.profile.charts escapes every text)
    return render_template("profile/show.html", page=page, person=person, group_radar=group_radar,
                           indicator_radar=indicator_radar, sparks=sparks, charts=charts,
                           indicators=competency.model(), titles=titles,
                           done=recommendation_status(person, page.recommendations))


def _area_or_404(area_id: int | None) -> Area | None:
    """The filter's area (None: all of the manager's area); 404 for an area outside it."""
    return db.first_or_404(scope_areas(current_user).where(Area.id == area_id)) if area_id else None


def _filtered_people(area_id: int | None, hired: int | None):
    return cohort_people(current_user, _area_or_404(area_id), hired)


@bp.route("/cohort")
@roles_required(*MANAGER_ROLES)
def cohort():
    area_id = int_arg("area")
    hired = int_arg("hired", lo=MIN_HIRE_YEAR, hi=MAX_HIRE_YEAR)
    threshold = float_arg("threshold", 60, 0, 100)
    people = cohort_rows(current_user, _area_or_404(area_id), hired)
    indicators = competency.model()
    return render_template("profile/cohort.html", data=cohort_page(people, threshold),
                           shown=page_of(people, COHORT_PAGE_SIZE), indicators=indicators,
                           training=training_courses(indicators), heat_colour=heat_colour,
                           areas=scoped_areas(current_user), area_id=area_id, hired=hired, years=hire_years(people),
                           threshold=threshold)


@bp.route("/cohort/assign", methods=["POST"])
@roles_required(*MANAGER_ROLES)
def cohort_assign():
    """Require a course of everyone in the filtered cohort whose level on an indicator is below the
    threshold and for whom it is not required yet: first a preview naming them (and those left alone
    because it is already required), then, with a due date, the assignment."""
    form = CohortAssignForm()
    area_id, hired, threshold, indicator = form.area.data, form.hired.data, form.threshold.data, form.indicator.data
    course = db.session.get(Course, form.course.data or -1)
    back = url_for("profile.cohort", area=area_id, hired=hired, threshold=threshold)
    if not form.validate_on_submit() and form.csrf_token.errors:
        flash(_("The form expired. Please submit it again."), "error")
        return redirect(back)
    if course is None or not course.active or threshold is None or indicator not in competency.indicators():
        flash(_("Choose an indicator, a course and a threshold."), "error")
        return redirect(back)
    if not 0 <= threshold <= 100:
        flash(_("The threshold is a level from 0 to 100."), "error")
        return redirect(url_for("profile.cohort", area=area_id, hired=hired))
    below = below_threshold(_filtered_people(area_id, hired), indicator, threshold)
    if not below:
        flash(_("Nobody in this cohort is below %(n)s on that indicator.", n=f"{threshold:g}"), "info")
        return redirect(back)
    new, already = split_required(below, course)
    if form.step.data == "confirm" and new:
        if form.due_date.data is None:
            form.due_date.errors = [_("Give a due date.")]
        elif form.due_date.data < local_today():
            form.due_date.errors = [_("The due date has passed: choose today or a later day.")]
        else:
            assigned = perform(assign_course, current_user, course, users=new, due_date=form.due_date.data)
            if assigned:
                flash(_("Assigned %(title)s, due %(due)s, to %(n)d people below %(t)s (%(skipped)d already had it "
                        "required).", title=course.title, due=date_text(form.due_date.data), n=len(new),
                        t=f"{threshold:g}", skipped=len(already)), "success")
            return redirect(back)
    return render_template("profile/cohort_assign.html", form=form, course=course, new=new, already=already,
                           indicator=competency.names().get(indicator, ""), threshold=threshold, back=back,
                           area_id=area_id, hired=hired, indicator_id=indicator)


@bp.route("/<int:user_id>/records.xlsx")
@login_required
def person_excel(user_id):
    person = person_or_404(current_user, user_id)
    return _xlsx(records_workbook([person]), f"records-{person.username}.xlsx")


@bp.route("/<int:user_id>/xapi.json")
@login_required
def person_xapi(user_id):
    person = person_or_404(current_user, user_id)
    return _json(statements_for([person]), f"xapi-{person.username}.json")


@bp.route("/cohort/records.xlsx")
@roles_required(*MANAGER_ROLES)
def cohort_excel():
    people = _filtered_people(int_arg("area"), int_arg("hired", lo=MIN_HIRE_YEAR, hi=MAX_HIRE_YEAR))
    return _xlsx(records_workbook(people), "cohort-records.xlsx")


@bp.route("/cohort/xapi.json")
@roles_required(*MANAGER_ROLES)
def cohort_xapi():
    people = _filtered_people(int_arg("area"), int_arg("hired", lo=MIN_HIRE_YEAR, hi=MAX_HIRE_YEAR))
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
    """The xAPI outbox: what reached the Learning Record Store, and every statement that did not: its
    state, the LRS's whole answer and when it is tried next."""
    if request.method == "POST":
        requeued = perform(lrs.requeue)
        flash(_("%(n)d refused or failed statements queued again.", n=requeued.value), "success")
        return redirect(url_for("profile.lrs_status"))
    cfg = current_app.config
    return render_template("profile/lrs.html", counts=lrs.outbox_counts(), rows=paginate(lrs.unsent_rows(), 50),
                           waiting=lrs.waiting_summary(cfg["XAPI_LRS_MAX_REVIVALS"]), now=utcnow(),
                           max_revivals=cfg["XAPI_LRS_MAX_REVIVALS"], endpoint=cfg["XAPI_LRS_ENDPOINT"])
