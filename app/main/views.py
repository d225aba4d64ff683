"""The home page says what to do next, per role held; the language switch."""
from flask import Blueprint, current_app, redirect, render_template, session, url_for
from flask_login import current_user, login_required

from ..extensions import db
from ..security import is_safe_next
from .forms import LanguageForm
from .home import home_context

bp = Blueprint("main", __name__, template_folder="templates")


@bp.route("/")
@login_required
def home():
    return render_template("main/home.html", **home_context(current_user, current_app.config))


@bp.route("/language", methods=["POST"])
def set_language():
    """Switch the UI language (zh_CN / en); remembered on the account when logged in."""
    form = LanguageForm()
    lang = form.lang.data or ""
    if lang in current_app.config["LANGUAGES"]:
        session["locale"] = lang
        if current_user.is_authenticated:
            current_user.locale = lang
            db.session.commit()
    target = form.next.data or ""
    return redirect(target if is_safe_next(target) else url_for("main.home"))
