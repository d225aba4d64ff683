"""Authentication views."""
from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user

from ..accounts.service import change_password
from ..clock import utcnow
from ..extensions import db
from ..security import is_safe_next
from ..web import perform_on
from . import throttle
from .forms import ChangePasswordForm, LoginForm
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

