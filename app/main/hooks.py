"""Start-up registrations of the home page: its menu entry and the change-password entry."""
from flask_babel import lazy_gettext as _l

from .. import nav


def init_app(app) -> None:
    nav.add("main.home", _l("Home"), 10)
    nav.add("auth.change_password", _l("Change password"), 900, group="settings")
