"""People and areas, for organizers and admins, always within their own area."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, or_, select

from ..extensions import db
from ..forms import choices
from ..models import LEVELS, MANAGER_ROLES, Area, User
from ..scope import can_manage_area, scope_areas, scope_users
from ..security import roles_required
from ..labels import LEVEL_NAMES, ROLE_NAMES
from .areas import AreaError, create_area, delete_area, label_map
from .forms import AccountForm, ActionForm, AreaForm, RosterForm
from .roster import RosterError, import_roster, read_roster
from .service import AccountError, create_account, grantable_roles, may_edit, reset_password, update_account

bp = Blueprint("accounts", __name__, template_folder="templates", url_prefix="/manage")


def _scoped_areas() -> list[Area]:
    return db.session.scalars(scope_areas(current_user).order_by(Area.path)).all()


def _area_choices(areas: list[Area]) -> list[tuple[int, str]]:
    labels = label_map(areas)
    return choices((a.id, f"{labels[a.id]} ({LEVEL_NAMES[a.level]})") for a in areas)


def _prepare(form: AccountForm) -> list[Area]:
    areas = _scoped_areas()
    form.area.choices = _area_choices(areas)
    names = ROLE_NAMES
    form.roles.choices = choices((r, str(names[r])) for r in grantable_roles(current_user))
    return areas


@bp.route("/users")
@roles_required(*MANAGER_ROLES)
def users():
    q = request.args.get("q", "").strip()
    query = scope_users(current_user)
    if q:
        like = f"%{q}%"
        query = query.where(or_(User.name.like(like), User.username.like(like),
                                User.worker_number.like(like), Area.name.like(like)))
    page = max(request.args.get("page", 1, type=int), 1)
    size = 50
    total = db.session.scalar(query.with_only_columns(func.count(User.id)).order_by(None))
    people = db.session.scalars(query.order_by(User.name).offset((page - 1) * size).limit(size)).all()
    labels = label_map([p.area for p in people if p.area is not None])
    return render_template("accounts/users.html", people=people, q=q, page=page, total=total, size=size,
                           labels=labels)


def _managed_user_or_404(user_id: int) -> User:
    """The account, if the current manager may edit it; 404 otherwise (never reveal it exists)."""
    user = db.session.get(User, user_id)
    if user is None or not may_edit(current_user, user):
        abort(404)
    return user


def _show_error(form: AccountForm, exc: AccountError) -> None:
    """Put the message beside the field it concerns, or at the top of the form."""
    field = getattr(form, exc.field, None) if exc.field else None
    if field is not None:
        field.errors = [*field.errors, str(exc)]
    else:
        form.form_errors.append(str(exc))


@bp.route("/users/new", methods=["GET", "POST"])
@roles_required(*MANAGER_ROLES)
def new_user():
    form = AccountForm()
    areas = _prepare(form)
    if request.method == "GET":
        form.roles.data = ["worker"]
    if form.validate_on_submit():
        area = next(a for a in areas if a.id == form.area.data)
        try:
            user, password = create_account(
                current_user, username=form.username.data, name=form.name.data, area=area,
                roles=set(form.roles.data), worker_number=form.worker_number.data or None,
                phone=form.phone.data or None, hire_date=form.hire_date.data)
        except AccountError as exc:
            db.session.rollback()
            _show_error(form, exc)
        else:
            db.session.commit()
            return render_template("accounts/created.html", created=[(user, password)])
    return render_template("accounts/user_form.html", form=form, editing=None)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@roles_required(*MANAGER_ROLES)
def edit_user(user_id):
    user = _managed_user_or_404(user_id)
    form = AccountForm(obj=user)
    areas = _prepare(form)
    del form.username
    if request.method == "GET":
        form.area.data, form.roles.data = user.area_id, sorted(user.roles)
    if form.validate_on_submit():
        area = next(a for a in areas if a.id == form.area.data)
        try:
            update_account(current_user, user, name=form.name.data, area=area, roles=set(form.roles.data),
                           phone=form.phone.data, hire_date=form.hire_date.data, active=form.active.data,
                           worker_number=form.worker_number.data or None)
        except AccountError as exc:
            db.session.rollback()
            _show_error(form, exc)
        else:
            db.session.commit()
            flash(_("Saved %(name)s.", name=user.name), "success")
            return redirect(url_for("accounts.users"))
    return render_template("accounts/user_form.html", form=form, editing=user, action_form=ActionForm())


@bp.route("/users/<int:user_id>/reset-password", methods=["POST"])
@roles_required(*MANAGER_ROLES)
def reset_user_password(user_id):
    user = _managed_user_or_404(user_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    password = reset_password(current_user, user)
    db.session.commit()
    return render_template("accounts/created.html", created=[(user, password)], reset=True)


@bp.route("/roster", methods=["GET", "POST"])
@roles_required(*MANAGER_ROLES)
def roster():
    form = RosterForm()
    results = None
    if form.validate_on_submit():
        upload = form.file.data
        try:
            rows = read_roster(upload.filename or "", upload.read())
        except RosterError as exc:
            form.file.errors.append(str(exc))
        else:
            if current_user.area is None:
                abort(403)
            results = import_roster(current_user, rows)
            db.session.commit()
    return render_template("accounts/roster.html", form=form, results=results)


@bp.route("/areas", methods=["GET", "POST"])
@roles_required("admin")
def areas():
    form = AreaForm()
    areas = _scoped_areas()
    form.parent.choices = _area_choices([a for a in areas if a.depth + 1 < len(LEVELS)])
    if form.validate_on_submit():
        parent = next((a for a in areas if a.id == form.parent.data), None)
        try:
            if parent is None:
                raise AreaError(_("The chosen area is outside your area."))
            area = create_area(form.name.data, LEVELS[parent.depth + 1], parent)
        except AreaError as exc:
            db.session.rollback()
            form.name.errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("Added %(name)s.", name=area.name), "success")
            return redirect(url_for("accounts.areas"))
    counts = dict(db.session.execute(select(User.area_id, func.count(User.id)).group_by(User.area_id)).all())
    return render_template("accounts/areas.html", form=form, areas=areas, counts=counts,
                           action_form=ActionForm(), labels=label_map(areas))


@bp.route("/areas/<int:area_id>/rename", methods=["POST"])
@roles_required("admin")
def rename_area(area_id):
    area = db.session.get(Area, area_id)
    if area is None or not can_manage_area(current_user, area):
        abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    name = request.form.get("name", "").strip()
    if not name or len(name) > 100:
        flash(_("Enter a name of 1-100 characters."), "error")
    elif area.parent_id is not None and db.session.scalar(select(Area.id).where(
            Area.parent_id == area.parent_id, Area.name == name, Area.id != area.id)) is not None:
        flash(_("%(parent)s already has an area called %(name)s.", parent=area.parent.name, name=name), "error")
    else:
        area.name = name
        db.session.commit()
        flash(_("Renamed to %(name)s.", name=name), "success")
    return redirect(url_for("accounts.areas"))


@bp.route("/areas/<int:area_id>/delete", methods=["POST"])
@roles_required("admin")
def remove_area(area_id):
    area = db.session.get(Area, area_id)
    if area is None or not can_manage_area(current_user, area) or area.id == current_user.area_id:
        abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        delete_area(area)
    except AreaError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        db.session.commit()
        flash(_("Deleted %(name)s.", name=area.name), "success")
    return redirect(url_for("accounts.areas"))
