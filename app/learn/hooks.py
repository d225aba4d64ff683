"""Start-up registrations of the courses feature: menu entries and its evidence source (the reading
clock's settings live in ``config.py``)."""
from flask_babel import lazy_gettext as _l

from .. import nav
from ..models import MANAGER_ROLES
from . import records


def init_app(app) -> None:
    nav.add("learn.catalogue", _l("Courses"), 20, group="learn")
    nav.add("learn.assignments", _l("Required courses"), 120, MANAGER_ROLES, group="learn")
    nav.add("learn.completion", _l("Completion"), 130, MANAGER_ROLES, group="learn")
    records.register()
