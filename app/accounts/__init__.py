"""Managing people (one by one or by roster import) and the administrative tree, within scope."""
from flask import Blueprint

bp = Blueprint("accounts", __name__, template_folder="templates", url_prefix="/manage")

from . import views  # noqa: E402,F401
