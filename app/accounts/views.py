"""People and areas, for organizers and admins, always within their own area."""
import csv
import io

from flask import Blueprint, Response, abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ..clock import local_text
from ..exports import safe_row
from ..forms import choices
from ..jobs import runner
from ..labels import LEVEL_NAMES, ROLE_NAMES
from ..models import LEVELS, MANAGER_ROLES, Area, RosterImport, RosterImportRow, User
from ..models.base import utcnow
from ..scope import can_manage_area
from ..security import roles_required
from ..uploads import read_upload
from ..web import paginate, perform, perform_on, visible_or_404
from . import roster as roster_import
from .areas import add_area, delete_area, label_map, people_per_area, rename_area, scoped_areas
from .forms import AccountForm, ActionForm, AreaForm, RenameAreaForm, RosterForm
from .service import create_account, grantable_roles, may_edit, people_query, reset_password, update_account

bp = Blueprint("accounts", __name__, template_folder="templates", url_prefix="/manage")

#: People listed per page.
PEOPLE_PER_PAGE = 50


def _area_choices(areas: list[Area]) -> list[tuple[int, str]]:
    labels = label_map(areas)
    return choices((a.id, f"{labels[a.id]} ({LEVEL_NAMES[a.level]})") for a in areas)


def _prepare(form: AccountForm) -> list[Area]:
    areas = scoped_areas(current_user)
    form.area.choices = _area_choices(areas)
    form.roles.choices = choices((r, str(ROLE_NAMES[r])) for r in grantable_roles(current_user))
    return areas


@bp.route("/users")
@roles_required(*MANAGER_ROLES)
def users():
    q = request.args.get("q", "").strip()
    page = paginate(people_query(current_user, q), PEOPLE_PER_PAGE)
    labels = label_map([p.area for p in page.items if p.area is not None])
    return render_template("accounts/users.html", page=page, q=q, labels=labels)


def _editable_or_404(user_id: int) -> User:
    """The account, if the current manager may edit it; 404 otherwise (never reveal it exists)."""
    return visible_or_404(User, user_id, lambda found: may_edit(current_user, found))


def _managed_area_or_404(area_id: int) -> Area:
    """A node below the admin's own area; 404 for their own node and anything outside it."""
    return visible_or_404(Area, area_id, lambda found: can_manage_area(current_user, found)
                          and found.id != current_user.area_id)


@bp.route("/users/new", methods=["GET", "POST"])
@roles_required(*MANAGER_ROLES)
def new_user():
    form = AccountForm()
    areas = _prepare(form)
    if request.method == "GET":
        form.roles.data = ["worker"]
    if form.validate_on_submit():
        area = next(a for a in areas if a.id == form.area.data)
        created = perform_on(form, create_account, current_user, username=form.username.data, name=form.name.data,
                             area=area, roles=set(form.roles.data), worker_number=form.worker_number.data or None,
                             phone=form.phone.data or None, hire_date=form.hire_date.data)
        if created:
            return render_template("accounts/created.html", created=[created.value])
    return render_template("accounts/user_form.html", form=form, editing=None)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@roles_required(*MANAGER_ROLES)
def edit_user(user_id):
    user = _editable_or_404(user_id)
    form = AccountForm(obj=user)
    areas = _prepare(form)
    del form.username
    if request.method == "GET":
        form.area.data, form.roles.data = user.area_id, sorted(user.roles)
    if form.validate_on_submit():
        area = next(a for a in areas if a.id == form.area.data)
        if perform_on(form, update_account, current_user, user, name=form.name.data, area=area,
                      roles=set(form.roles.data), phone=form.phone.data, hire_date=form.hire_date.data,
                      active=form.active.data, worker_number=form.worker_number.data or None,
                      success=_("Saved %(name)s.", name=form.name.data.strip())):
            return redirect(url_for("accounts.users"))
    return render_template("accounts/user_form.html", form=form, editing=user, action_form=ActionForm())


@bp.route("/users/<int:user_id>/reset-password", methods=["POST"])
@roles_required(*MANAGER_ROLES)
def reset_user_password(user_id):
    user = _editable_or_404(user_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    reset = perform(reset_password, current_user, user)
    if not reset:
        return redirect(url_for("accounts.users"))
    return render_template("accounts/created.html", created=[(user, reset.value)], reset=True)


@bp.route("/roster", methods=["GET", "POST"])
@roles_required(*MANAGER_ROLES)
def roster():
    """Upload a roster: the file is read and checked here, the accounts are made by a background job."""
    form = RosterForm()
    if form.validate_on_submit():
        upload = form.file.data
        started = perform_on(form, lambda: roster_import.start_import(
            current_user, upload.filename or "", read_upload(upload, "roster")), field="file")
        if started:
            runner.dispatch(started.value.job_id)
            return redirect(url_for("accounts.roster_import_page", import_id=started.value.id))
    return render_template("accounts/roster.html", form=form, imports=roster_import.recent_imports(current_user),
                           counts=roster_import.counts, limits=_roster_limits())


def _roster_limits() -> dict:
    config = current_app.config
    return {"rows": config["ROSTER_UPLOAD_MAX_ROWS"], "columns": config["ROSTER_UPLOAD_MAX_COLUMNS"],
            "megabytes": config["ROSTER_UPLOAD_MAX_BYTES"] / 1024 / 1024}


@bp.route("/roster/template.csv")
@roles_required(*MANAGER_ROLES)
def roster_template_csv():
    """The roster template as CSV (UTF-8 with BOM, so Excel opens the Chinese headers right)."""
    out = io.StringIO()
    writer = csv.writer(out)
    for row in roster_import.template_rows():
        writer.writerow(safe_row(row))
    return Response("\ufeff" + out.getvalue(), mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": "attachment; filename*=UTF-8''%E8%8A%B1%E5%90%8D%E5%86%8C"
                             "%E6%A8%A1%E6%9D%BF.csv"})


@bp.route("/roster/template.xlsx")
@roles_required(*MANAGER_ROLES)
def roster_template_xlsx():
    """The roster template as Excel: Chinese headers, one example row, every column text."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = "花名册"
    for row in roster_import.template_rows():
        sheet.append(safe_row(row))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for column, width in zip("ABCDEFGHI", (10, 14, 14, 10, 12, 12, 12, 12, 14)):
        sheet.column_dimensions[column].width = width
        for cell in sheet[column]:
            cell.number_format = "@"  # text: phone numbers and worker numbers keep their digits
    sheet.freeze_panes = "A2"
    data = io.BytesIO()
    book.save(data)
    return Response(data.getvalue(), mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": "attachment; filename*=UTF-8''%E8%8A%B1%E5%90%8D%E5%86%8C"
                             "%E6%A8%A1%E6%9D%BF.xlsx"})


def _import_or_404(import_id: int) -> RosterImport:
    return visible_or_404(RosterImport, import_id, lambda found: roster_import.may_see(current_user, found))


#: Report rows per page (rejected rows first).
REPORT_PER_PAGE = 200


@bp.route("/roster/imports/<int:import_id>")
@roles_required(*MANAGER_ROLES)
def roster_import_page(import_id):
    """The import's progress while its job runs, then its report and the password slips."""
    imp = _import_or_404(import_id)
    page = None
    if imp.job.finished:
        page = paginate(select(RosterImportRow).where(RosterImportRow.import_id == imp.id)
                        .order_by(RosterImportRow.ok, RosterImportRow.line), REPORT_PER_PAGE)
    return render_template("accounts/roster_import.html", imp=imp, job=imp.job, page=page,
                           counts=roster_import.counts(imp), action_form=ActionForm())


@bp.route("/roster/imports/<int:import_id>/status.json")
@roles_required(*MANAGER_ROLES)
def roster_import_status(import_id):
    """The import job's progress, polled by the progress page (app/static/job-progress.js)."""
    imp = _import_or_404(import_id)
    return jsonify(runner.progress(imp.job))


@bp.route("/roster/imports/<int:import_id>/slips", methods=["POST"])
@roles_required(*MANAGER_ROLES)
def roster_slips(import_id):
    """The password slips (密码条) as a PDF, once; the one-time passwords are erased with it."""
    imp = _import_or_404(import_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    printed = local_text(utcnow())
    taken = perform(roster_import.take_slips, current_user, imp, site=url_for("auth.login", _external=True),
                    printed=printed)
    if not taken:
        return redirect(url_for("accounts.roster_import_page", import_id=imp.id))
    return Response(taken.value, mimetype="application/pdf", headers={
        "Content-Disposition": f"attachment; filename=roster-{imp.id}-slips.pdf; filename*=UTF-8''"
                               f"%E5%AF%86%E7%A0%81%E6%9D%A1-{imp.id}.pdf",
        "Cache-Control": "no-store"})


@bp.route("/areas", methods=["GET", "POST"])
@roles_required("admin")
def areas():
    form = AreaForm()
    areas = scoped_areas(current_user)
    form.parent.choices = _area_choices([a for a in areas if a.depth + 1 < len(LEVELS)])
    if form.validate_on_submit():
        parent = next((a for a in areas if a.id == form.parent.data), None)
        added = perform_on(form, add_area, current_user, form.name.data, parent, field="name")
        if added:
            flash(_("Added %(name)s.", name=added.value.name), "success")
            return redirect(url_for("accounts.areas"))
    return render_template("accounts/areas.html", form=form, areas=areas, counts=people_per_area(current_user),
                           action_form=ActionForm(), labels=label_map(areas))


@bp.route("/areas/<int:area_id>/rename", methods=["POST"], endpoint="rename_area")
@roles_required("admin")
def rename_area_view(area_id):
    area = _managed_area_or_404(area_id)
    form = RenameAreaForm()
    if not form.validate_on_submit():
        abort(400)
    name = form.name.data.strip()
    perform(rename_area, current_user, area, name, success=_("Renamed to %(name)s.", name=name))
    return redirect(url_for("accounts.areas"))


@bp.route("/areas/<int:area_id>/delete", methods=["POST"])
@roles_required("admin")
def remove_area(area_id):
    area = _managed_area_or_404(area_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    perform(delete_area, current_user, area, success=_("Deleted %(name)s.", name=area.name))
    return redirect(url_for("accounts.areas"))
