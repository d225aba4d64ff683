"""Start-up registrations of competency profiles: menu entries."""
from flask_babel import lazy_gettext as _l

from .. import nav
from ..models import MANAGER_ROLES


def init_app(app) -> None:
    nav.add("profile.mine", _l("My profile"), 50, group="assess")
    nav.add("profile.cohort", _l("Cohort competencies"), 140, MANAGER_ROLES, group="assess")
