"""Authentication views."""
from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user

from ..accounts.forms import ActionForm
from ..accounts.service import change_password
from ..clock import utcnow
from ..extensions import db
from ..models import MANAGER_ROLES, PasswordResetRequest
from ..security import is_safe_next, roles_required
from ..web import perform, perform_on, visible_or_404
from . import reset, throttle
from .forms import ChangePasswordForm, ForgotPasswordForm, LoginForm, ResetWithCodeForm
from .service import log_in
from .sessions import renew_session, start_session

bp = Blueprint("auth", __name__, template_folder="templates")

#: Endpoints a user who must change their password may still reach.
OPEN_ENDPOINTS = {"auth.login", "auth.logout", "auth.change_password", "static", "main.set_language"}


@bp.before_app_request
def force_password_change():
    """New accounts and reset passwords: nothing but the change-password page until changed."""
    if (current_user.is_authenticated and current_user.must_change_password
            and request.endpoint not in OPEN_ENDPOINTS):
        return redirect(url_for("auth.change_password"))
    return None


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        outcome = log_in(form.username.data, form.password.data, request.remote_addr)
        user = outcome.user
        if outcome.wait:
            flash(_("Too many failed logins for this account or from this address. Try again in "
                    "%(minutes)d minutes.", minutes=throttle.wait_minutes(outcome.wait)), "error")
        elif user is None:
            flash(_("Wrong login name or password."), "error")
        elif not user.active:
            flash(_("This account is disabled. Ask your organizer."), "error")
        else:
            start_session(user)
            user.last_login_at = utcnow()
            db.session.commit()
            if user.must_change_password:
                flash(_("Welcome! Please set your own password before you start."), "info")
                return redirect(url_for("auth.change_password"))
            target = form.next.data
            return redirect(target if is_safe_next(target) else url_for("main.home"))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout():
    """Ends this session and every other session of the same person (a copied cookie included)."""
    if current_user.is_authenticated:
        current_user.end_sessions()
        db.session.commit()
    logout_user()
    session.clear()
    flash(_("You have logged out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/password", methods=["GET", "POST"], endpoint="change_password")
@login_required
def change_password_view():
    form = ChangePasswordForm()
    if form.validate_on_submit() and perform_on(form, change_password, current_user, form.current.data,
                                                form.new.data, success=_("Your password has been changed.")):
        renew_session(current_user)  # the other sessions of this person have ended; this one goes on
        return redirect(url_for("main.home"))
    return render_template("auth/change_password.html", form=form)



@bp.route("/password/forgot", methods=["GET", "POST"])
def forgot_password():
    """忘记密码: ask for a reset. The same answer whether or not the name exists (only a wait is told)."""
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        wait = reset.request_reset(form.username.data, form.phone.data, request.remote_addr)
        if not wait:
            return render_template("auth/reset_requested.html")
        flash(_("Too many reset requests for this account or from this address. Try again in "
                "%(minutes)d minutes.", minutes=throttle.wait_minutes(wait)), "error")
    return render_template("auth/forgot_password.html", form=form)


@bp.route("/password/reset", methods=["GET", "POST"])
def reset_password():
    """Set a new password with the one-time code an organizer handed over."""
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = ResetWithCodeForm()
    if form.validate_on_submit():
        outcome = reset.reset_with_code(form.username.data, form.code.data, form.new.data, request.remote_addr)
        if outcome.user is not None:
            flash(_("Your new password is set and every earlier login has ended. Log in with it now."),
                  "success")
            return redirect(url_for("auth.login"))
        if outcome.wait:
            flash(_("Too many wrong codes for this account or from this address. Try again in "
                    "%(minutes)d minutes.", minutes=throttle.wait_minutes(outcome.wait)), "error")
        else:
            getattr(form, outcome.field).errors.append(outcome.message)
    return render_template("auth/reset_password.html", form=form)


@bp.route("/manage/password-requests")
@roles_required(*MANAGER_ROLES)
def reset_requests():
    """Open reset requests of the people the organizer manages: confirm (a code) or refuse."""
    return render_template("auth/reset_requests.html", requests=reset.requests_for(current_user),
                           action_form=ActionForm(), now=utcnow())


def _decidable_or_404(request_id: int) -> PasswordResetRequest:
    return visible_or_404(PasswordResetRequest, request_id, lambda found: reset.may_decide(current_user, found))


@bp.route("/manage/password-requests/<int:request_id>/confirm", methods=["POST"])
@roles_required(*MANAGER_ROLES)
def confirm_reset(request_id):
    """Identity checked: make the one-time code and show it once, on a printable slip."""
    found = _decidable_or_404(request_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    done = perform(reset.confirm, current_user, found)
    if not done:
        return redirect(url_for("auth.reset_requests"))
    return render_template("auth/reset_slip.html", request_row=found, code=reset.code_text(done.value),
                           reset_url=url_for("auth.reset_password", _external=True))


@bp.route("/manage/password-requests/<int:request_id>/refuse", methods=["POST"])
@roles_required(*MANAGER_ROLES)
def refuse_reset(request_id):
    found = _decidable_or_404(request_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    perform(reset.refuse, current_user, found,
            success=_("Refused the password reset of %(name)s.", name=found.user.name))
    return redirect(url_for("auth.reset_requests"))
