"""Start-up registrations of people management: menu entries for managers and admins, the roster
import job kind."""
from flask_babel import lazy_gettext as _l

from .. import nav
from ..models import MANAGER_ROLES
from . import roster


def init_app(app) -> None:
    nav.add("accounts.users", _l("People"), 100, MANAGER_ROLES, group="people")
    nav.add("accounts.roster", _l("Import roster"), 110, MANAGER_ROLES, group="people")
    nav.add("accounts.areas", _l("Areas"), 150, ("admin",), group="people")
    roster.register()
