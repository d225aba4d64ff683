"""Log in, log out, change password; the forced password change for new accounts."""
from flask import Blueprint

bp = Blueprint("auth", __name__, template_folder="templates")

from . import views  # noqa: E402,F401  (routes register on bp)
