"""Start-up registrations of quizzes: the menu entry and the evidence source of quiz answers."""
from flask_babel import lazy_gettext as _l

from .. import nav
from . import records


def init_app(app) -> None:
    nav.add("quiz.index", _l("Quizzes"), 30, group="assess")
    records.register()
