"""Start-up registrations of drills: the menu entry and the evidence sources of decisions and endings."""
from flask_babel import lazy_gettext as _l

from .. import nav
from . import records


def init_app(app) -> None:
    nav.add("drill.index", _l("Drills"), 40, group="assess")
    records.register()
