"""Branching scenario drills (情景模拟): the pure engine and checker, the server-side play, analytics."""
from flask import Blueprint

bp = Blueprint("drill", __name__, template_folder="templates", url_prefix="/drills")

from . import views  # noqa: E402,F401
