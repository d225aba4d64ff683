"""Courses: catalogue by tier, lessons, progress and hours; required-course assignments."""
from flask import Blueprint

bp = Blueprint("learn", __name__, template_folder="templates")

from . import views  # noqa: E402,F401
