"""Home page per role and the language switch."""
from flask import Blueprint

bp = Blueprint("main", __name__, template_folder="templates")

from . import views  # noqa: E402,F401
